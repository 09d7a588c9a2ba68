//! HTTP caching for public responses: a strong `ETag` from the body, `304` on a matching
//! `If-None-Match`, `Cache-Control` with `stale-while-revalidate`, and `Surrogate-Key` naming
//! what the response shows so a CDN can purge exactly what a publish changed.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// How long shared caches may keep public responses.
#[derive(Debug, Clone, Copy)]
pub struct CachePolicy {
    /// `max-age` in seconds.
    pub max_age: u32,
    /// `stale-while-revalidate` in seconds.
    pub stale_while_revalidate: u32,
}

impl CachePolicy {
    fn header_value(self) -> String {
        format!(
            "public, max-age={}, stale-while-revalidate={}",
            self.max_age, self.stale_while_revalidate
        )
    }
}

/// Whether `If-None-Match` matches `etag` (weak comparison, RFC 9110 §13.1.2).
pub fn none_match(req: &HttpRequest, etag: &str) -> bool {
    req.headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| etag_matches(v, etag))
}

/// Whether an `If-None-Match` value names `etag` (weak comparison).
pub fn etag_matches(if_none_match: &str, etag: &str) -> bool {
    if_none_match
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
}

/// A cacheable JSON answer: `200` with the body, or `304` when the client has it already.
/// `surrogate_keys` name the resources shown (e.g. `article:<id>`, `feed`).
pub fn json<T: Serialize>(
    req: &HttpRequest,
    policy: CachePolicy,
    surrogate_keys: &[String],
    value: &T,
) -> Result<HttpResponse, ApiError> {
    json_modified(req, policy, surrogate_keys, None, value)
}

/// [`json`] with a `Last-Modified` time.
pub fn json_modified<T: Serialize>(
    req: &HttpRequest,
    policy: CachePolicy,
    surrogate_keys: &[String],
    last_modified: Option<DateTime<Utc>>,
    value: &T,
) -> Result<HttpResponse, ApiError> {
    let body = serde_json::to_vec(value)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("serialising a response: {e}")))?;
    Ok(Cacheable {
        content_type: "application/json",
        surrogate_keys,
        last_modified,
    }
    .respond(req, policy, body))
}

/// The HTTP date form of a time (`Last-Modified`), e.g. `Sun, 29 Nov 2026 20:00:00 GMT`.
pub fn http_date(at: DateTime<Utc>) -> String {
    at.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// What a cacheable answer says about itself besides its body.
pub struct Cacheable<'a> {
    /// Media type of the body.
    pub content_type: &'a str,
    /// Keys naming the resources shown (e.g. `article:<id>`, `feed`).
    pub surrogate_keys: &'a [String],
    /// When what is shown last changed, where that is meaningful. Informational only: a page
    /// also shows things with times of their own (authors, "read more"), so `If-Modified-Since`
    /// is not answered with 304; the `ETag` is the validator.
    pub last_modified: Option<DateTime<Utc>>,
}

impl Cacheable<'_> {
    /// `200` with `body`, or `304` when `If-None-Match` names its `ETag`.
    pub fn respond(&self, req: &HttpRequest, policy: CachePolicy, body: Vec<u8>) -> HttpResponse {
        let digest = Sha256::digest(&body);
        let etag = format!(
            "\"{}\"",
            digest[..16]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        let matched = none_match(req, &etag);
        let mut response = if matched {
            HttpResponse::NotModified()
        } else {
            HttpResponse::Ok()
        };
        response
            .insert_header((header::ETAG, etag))
            .insert_header((header::CACHE_CONTROL, policy.header_value()))
            .insert_header((header::VARY, "Accept-Encoding"));
        if let Some(at) = self.last_modified {
            response.insert_header((header::LAST_MODIFIED, http_date(at)));
        }
        if !self.surrogate_keys.is_empty() {
            response.insert_header(("Surrogate-Key", self.surrogate_keys.join(" ")));
        }
        if matched {
            return response.finish();
        }
        response.content_type(self.content_type).body(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_are_imf_fixdate() {
        let at = DateTime::parse_from_rfc3339("2026-11-29T20:05:09Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(http_date(at), "Sun, 29 Nov 2026 20:05:09 GMT");
    }
}
