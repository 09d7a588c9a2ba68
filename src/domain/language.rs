//! Language tags (BCP 47, the common subset: language, optional script and region).

/// Normalises a tag such as `en-us` or `sr-latn-rs` to `en-US` / `sr-Latn-RS`; `None` when it
/// is not a well-formed tag.
pub fn normalize(tag: &str) -> Option<String> {
    let mut parts = tag.trim().split(['-', '_']);
    let language = parts.next()?;
    if !(2..=3).contains(&language.len()) || !language.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    let mut out = language.to_ascii_lowercase();
    for part in parts {
        let ok = (2..=8).contains(&part.len()) && part.bytes().all(|b| b.is_ascii_alphanumeric());
        if !ok {
            return None;
        }
        out.push('-');
        match part.len() {
            // Script, e.g. Latn.
            4 if part.bytes().all(|b| b.is_ascii_alphabetic()) => {
                out.push_str(&part[..1].to_ascii_uppercase());
                out.push_str(&part[1..].to_ascii_lowercase());
            }
            // Region, e.g. US.
            2 => out.push_str(&part.to_ascii_uppercase()),
            _ => out.push_str(&part.to_ascii_lowercase()),
        }
    }
    Some(out)
}

/// Every configuration [`search_config`] answers: a search runs the query through each so that
/// one index lookup finds matches in every language.
pub const SEARCH_CONFIGS: [&str; 22] = [
    "arabic",
    "danish",
    "german",
    "greek",
    "english",
    "spanish",
    "finnish",
    "french",
    "hungarian",
    "indonesian",
    "italian",
    "lithuanian",
    "nepali",
    "dutch",
    "norwegian",
    "portuguese",
    "romanian",
    "russian",
    "swedish",
    "tamil",
    "turkish",
    "simple",
];

/// The PostgreSQL text-search configuration for a language tag: a stemming one where
/// PostgreSQL ships it, `simple` (no stemming) otherwise, e.g. for Ukrainian.
pub fn search_config(tag: &str) -> &'static str {
    match tag.split('-').next().unwrap_or_default() {
        "ar" => "arabic",
        "da" => "danish",
        "de" => "german",
        "el" => "greek",
        "en" => "english",
        "es" => "spanish",
        "fi" => "finnish",
        "fr" => "french",
        "hu" => "hungarian",
        "id" => "indonesian",
        "it" => "italian",
        "lt" => "lithuanian",
        "ne" => "nepali",
        "nl" => "dutch",
        "no" | "nb" | "nn" => "norwegian",
        "pt" => "portuguese",
        "ro" => "romanian",
        "ru" => "russian",
        "sv" => "swedish",
        "ta" => "tamil",
        "tr" => "turkish",
        _ => "simple",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_normalised_or_refused() {
        assert_eq!(normalize("en").as_deref(), Some("en"));
        assert_eq!(normalize("en-us").as_deref(), Some("en-US"));
        assert_eq!(normalize("uk_UA").as_deref(), Some("uk-UA"));
        assert_eq!(normalize("sr-latn-rs").as_deref(), Some("sr-Latn-RS"));
        assert_eq!(normalize("english"), None);
        assert_eq!(normalize("e"), None);
        assert_eq!(normalize("en-"), None);
        assert_eq!(normalize(""), None);
    }

    #[test]
    fn every_configuration_is_listed() {
        for tag in [
            "ar", "da", "de", "el", "en", "es", "fi", "fr", "hu", "id", "it", "lt", "ne", "nl",
            "nb", "pt", "ro", "ru", "sv", "ta", "tr", "uk",
        ] {
            assert!(SEARCH_CONFIGS.contains(&search_config(tag)), "{tag}");
        }
    }
}
