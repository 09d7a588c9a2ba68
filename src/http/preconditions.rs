//! `ETag` / `If-Match` for optimistic concurrency on versioned resources.

use actix_web::HttpRequest;
use actix_web::http::header;

pub use crate::domain::concurrency::IfMatch;
use crate::error::ApiError;

/// The strong ETag of version `version` of a resource.
pub fn etag(version: i32) -> String {
    format!("\"v{version}\"")
}

/// Reads `If-Match`: 428 when it is missing, 412 when it names no version we could have issued.
pub fn required(req: &HttpRequest) -> Result<IfMatch, ApiError> {
    let Some(value) = req.headers().get(header::IF_MATCH) else {
        return Err(ApiError::PreconditionRequired(
            "send If-Match with the ETag of the version you edited".to_owned(),
        ));
    };
    let value = value.to_str().unwrap_or_default().trim();
    parse(value).ok_or_else(|| {
        ApiError::PreconditionFailed(format!("If-Match `{value}` is not a current ETag"))
    })
}

fn parse(value: &str) -> Option<IfMatch> {
    if value == "*" {
        return Some(IfMatch::Any);
    }
    // Weak tags never match for If-Match (RFC 9110 §13.1.1): only strong "v<n>".
    value
        .split(',')
        .map(str::trim)
        .find_map(|tag| tag.strip_prefix("\"v")?.strip_suffix('"')?.parse().ok())
        .map(IfMatch::Version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn etags_round_trip_and_weak_ones_do_not_match() {
        assert_eq!(parse(&etag(7)), Some(IfMatch::Version(7)));
        assert_eq!(parse("*"), Some(IfMatch::Any));
        assert_eq!(parse("W/\"v7\""), None);
        assert_eq!(parse("\"x\", \"v3\""), Some(IfMatch::Version(3)));
        assert_eq!(parse("v7"), None);
        assert!(IfMatch::Version(3).matches(3));
        assert!(!IfMatch::Version(3).matches(4));
    }
}
