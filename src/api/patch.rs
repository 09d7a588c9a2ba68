//! JSON merge-patch fields: absent leaves a value alone, `null` clears it.

use serde::{Deserialize, Deserializer};

/// Deserialises a present field (value or `null`) as `Some(..)`; with `#[serde(default)]`, an
/// absent field stays `None`.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// Trims text and turns blank text into "no value".
pub fn clean(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

/// [`clean`] for a merge-patch field.
pub fn clean_patch(text: Option<Option<String>>) -> Option<Option<String>> {
    text.map(clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Patch {
        #[serde(default, deserialize_with = "nullable")]
        caption: Option<Option<String>>,
    }

    #[test]
    fn absent_null_and_value_are_told_apart() {
        let absent: Patch = serde_json::from_str("{}").unwrap();
        assert_eq!(absent.caption, None);
        let null: Patch = serde_json::from_str(r#"{"caption": null}"#).unwrap();
        assert_eq!(null.caption, Some(None));
        let value: Patch = serde_json::from_str(r#"{"caption": "x"}"#).unwrap();
        assert_eq!(value.caption, Some(Some("x".to_owned())));
    }

    #[test]
    fn blank_text_is_no_value() {
        assert_eq!(clean(Some("  ".to_owned())), None);
        assert_eq!(clean(Some(" a ".to_owned())), Some("a".to_owned()));
    }
}
