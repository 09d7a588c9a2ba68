//! `Json<T>`: the JSON body extractor of every endpoint. Like actix's, but a body of the wrong
//! shape is reported with the path of the offending field (`featured_image.image_id: invalid
//! type: string "x", expected UUID`), not just a line and column.

use std::ops::Deref;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldError};
use crate::startup::AppState;

/// A JSON request body, parsed with field paths in its errors.
#[derive(Debug)]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    /// The parsed body.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> Deref for Json<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

/// Parses `bytes` as `T`: malformed JSON is 400, the wrong shape 422 naming the field, and a
/// string holding U+0000 (which PostgreSQL cannot store in text) 422 naming it.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let value = match parse_exact(bytes) {
        // The document says `integer`, and JSON Schema counts `2.0` as one; serde does not. The
        // rare body that needs it is parsed again with such numbers written as integers.
        Err(ApiError::Validation(errors)) => match integral_floats_as_integers(bytes) {
            Some(rewritten) => parse_exact(&rewritten),
            None => Err(ApiError::Validation(errors)),
        },
        other => other,
    }?;
    // The escape is the only way a NUL reaches a string (a raw one is malformed JSON); looking
    // for it first keeps the walk off the common path.
    if bytes.windows(6).any(|w| w == br"\u0000") {
        let tree: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON: {e}")))?;
        if let Some(field) = nul_in_strings(&tree, String::new()) {
            return Err(ApiError::Validation(vec![FieldError::new(
                field,
                "must not contain the NUL character (U+0000)",
            )]));
        }
    }
    Ok(value)
}

/// `bytes` again with every number that has a zero fraction (`32500.0`, `1e3`) as an integer,
/// or `None` when there is none.
fn integral_floats_as_integers(bytes: &[u8]) -> Option<Vec<u8>> {
    fn rewrite(value: &mut serde_json::Value) -> bool {
        match value {
            serde_json::Value::Number(n) if n.is_f64() => match n.as_f64() {
                Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => {
                    // Exact: the magnitude is below 2^53.
                    #[allow(clippy::cast_possible_truncation)]
                    let whole = f as i64;
                    *value = serde_json::Value::from(whole);
                    true
                }
                _ => false,
            },
            serde_json::Value::Array(items) => {
                items.iter_mut().map(rewrite).fold(false, |a, b| a | b)
            }
            serde_json::Value::Object(fields) => {
                fields.values_mut().map(rewrite).fold(false, |a, b| a | b)
            }
            _ => false,
        }
    }
    let mut value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    if !rewrite(&mut value) {
        return None;
    }
    serde_json::to_vec(&value).ok()
}

/// The path (as in field errors) of the first string or key holding U+0000.
fn nul_in_strings(value: &serde_json::Value, path: String) -> Option<String> {
    let named = |path: &str| {
        if path.is_empty() {
            "body".to_owned()
        } else {
            path.to_owned()
        }
    };
    match value {
        serde_json::Value::String(s) if s.contains('\0') => Some(named(&path)),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| nul_in_strings(item, format!("{path}[{i}]"))),
        serde_json::Value::Object(fields) => fields.iter().find_map(|(key, item)| {
            let path = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            if key.contains('\0') {
                Some(path)
            } else {
                nul_in_strings(item, path)
            }
        }),
        _ => None,
    }
}

fn parse_exact<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize(&mut deserializer) {
        Ok(value) => {
            deserializer
                .end()
                .map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON: {e}")))?;
            Ok(value)
        }
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if !inner.is_data() {
                return Err(ApiError::BadRequest(format!(
                    "the body is not valid JSON: {inner}"
                )));
            }
            let message = inner.to_string();
            let message = message
                .split(" at line ")
                .next()
                .unwrap_or(&message)
                .to_owned();
            // For a missing field serde names it and the path ends at its parent; for an
            // unknown one the path already ends with it.
            let named = message
                .split('`')
                .nth(1)
                .filter(|_| message.contains("field `"));
            let field = match (path.as_str(), named) {
                (".", Some(name)) => name.to_owned(),
                (".", None) => "body".to_owned(),
                (path, Some(name)) if path == name || path.ends_with(&format!(".{name}")) => {
                    path.to_owned()
                }
                (parent, Some(name)) => format!("{parent}.{name}"),
                (path, None) => path.to_owned(),
            };
            Err(ApiError::Validation(vec![FieldError::new(field, message)]))
        }
    }
}

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<mime::Mime>().ok())
            .is_some_and(|m| m.subtype() == mime::JSON || m.suffix() == Some(mime::JSON));
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map_or(2 * 1024 * 1024, |s| s.config.max_json_bytes);
        let length = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let bytes = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !is_json {
                return Err(ApiError::UnsupportedMediaType(
                    "send the body as application/json".to_owned(),
                ));
            }
            if let Some(length) = length
                && length > limit
            {
                return Err(ApiError::PayloadTooLarge(format!(
                    "the body is {length} bytes; at most {limit} are accepted"
                )));
            }
            let bytes = bytes.await.map_err(|e| {
                if e.as_response_error().status_code()
                    == actix_web::http::StatusCode::PAYLOAD_TOO_LARGE
                {
                    ApiError::PayloadTooLarge(format!("the body exceeds {limit} bytes"))
                } else {
                    ApiError::BadRequest(format!("could not read the body: {e}"))
                }
            })?;
            parse(&bytes).map(Json)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Inner {
        id: uuid::Uuid,
    }

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Outer {
        name: String,
        inner: Option<Inner>,
        list: Option<Vec<Inner>>,
    }

    fn field_of(body: &str) -> String {
        match parse::<Outer>(body.as_bytes()) {
            Err(ApiError::Validation(errors)) => errors[0].field.clone(),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn wrong_shapes_name_their_field() {
        assert_eq!(field_of(r#"{"name": null}"#), "name");
        assert_eq!(
            field_of(r#"{"name": "a", "inner": {"id": "x"}}"#),
            "inner.id"
        );
        assert_eq!(
            field_of(r#"{"name": "a", "list": [{"id": "x"}]}"#),
            "list[0].id"
        );
        assert_eq!(field_of(r#"{}"#), "name");
        assert_eq!(field_of(r#"{"name": "a", "inner": {}}"#), "inner.id");
        assert_eq!(field_of(r#"{"name": "a", "colour": 1}"#), "colour");
        assert_eq!(field_of(r#"[]"#), "body");
    }

    #[test]
    fn integral_floats_fill_integer_fields() {
        #[derive(Debug, serde::Deserialize)]
        struct Position {
            position: i32,
            share: f64,
        }
        let p: Position = parse(br#"{"position": 32500.0, "share": 1.0}"#).unwrap();
        assert_eq!((p.position, p.share), (32500, 1.0));
        assert!(matches!(
            parse::<Position>(br#"{"position": 1.5, "share": 1}"#),
            Err(ApiError::Validation(_))
        ));
    }

    #[test]
    fn nul_characters_are_refused_naming_the_field() {
        let field = |body: &str| match parse::<serde_json::Value>(body.as_bytes()) {
            Err(ApiError::Validation(errors)) => errors[0].field.clone(),
            other => panic!("{other:?}"),
        };
        assert_eq!(field(r#"{"note": "a\u0000b"}"#), "note");
        assert_eq!(
            field(r#"{"body": [{"text": "x"}, {"text": "\u0000"}]}"#),
            "body[1].text"
        );
        assert_eq!(field(r#"{"a\u0000": 1}"#), "a\u{0}");
        // An escaped backslash before "u0000" is ordinary text.
        assert!(parse::<serde_json::Value>(br#"{"note": "\\u0000"}"#).is_ok());
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        assert!(matches!(parse::<Outer>(b"{"), Err(ApiError::BadRequest(_))));
        assert!(matches!(
            parse::<Outer>(br#"{"name": "a"} x"#),
            Err(ApiError::BadRequest(_))
        ));
    }
}
