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
/// Whether JSON text holds the escape `\u0000` (a raw NUL byte is invalid JSON anyway). In
/// valid JSON a backslash occurs only inside strings, so an odd run of them before `u0000`
/// is an escape and an even run is escaped backslashes followed by plain text.
fn has_escaped_nul(bytes: &[u8]) -> bool {
    bytes.windows(5).enumerate().any(|(i, w)| {
        w == b"u0000" && bytes[..i].iter().rev().take_while(|&&b| b == b'\\').count() % 2 == 1
    })
}

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

/// Parses `bytes` as `T`: malformed JSON is 400, the wrong shape 422 naming the field.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    // PostgreSQL text cannot hold U+0000: refused here rather than failing in the database.
    if has_escaped_nul(bytes) {
        return Err(ApiError::BadRequest(
            "the body contains a NUL character (\\u0000), which text fields cannot hold".to_owned(),
        ));
    }
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

    #[test]
    fn escaped_nul_characters_are_found_and_escaped_backslashes_are_not() {
        assert!(has_escaped_nul(br#"{"a": "x\u0000y"}"#));
        assert!(has_escaped_nul(br#"{"a": "\\\u0000"}"#));
        assert!(!has_escaped_nul(br#"{"a": "\\u0000"}"#));
        assert!(!has_escaped_nul(br#"{"u0000": "u0000"}"#));
    }

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
    fn malformed_json_is_a_bad_request() {
        assert!(matches!(parse::<Outer>(b"{"), Err(ApiError::BadRequest(_))));
        assert!(matches!(
            parse::<Outer>(br#"{"name": "a"} x"#),
            Err(ApiError::BadRequest(_))
        ));
    }
}
