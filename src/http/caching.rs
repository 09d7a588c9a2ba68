//! HTTP caching for public responses: a strong `ETag` from the body, `304` on a matching
//! `If-None-Match`, `Cache-Control` with `stale-while-revalidate`, and `Surrogate-Key` naming
//! what the response shows so a CDN can purge exactly what a publish changed.

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse};
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
        .is_some_and(|v| {
            v.split(',')
                .map(str::trim)
                .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag)
        })
}

/// A cacheable JSON answer: `200` with the body, or `304` when the client has it already.
/// `surrogate_keys` name the resources shown (e.g. `article:<id>`, `feed`).
pub fn json<T: Serialize>(
    req: &HttpRequest,
    policy: CachePolicy,
    surrogate_keys: &[String],
    value: &T,
) -> Result<HttpResponse, ApiError> {
    let body = serde_json::to_vec(value)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("serialising a response: {e}")))?;
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
    if !surrogate_keys.is_empty() {
        response.insert_header(("Surrogate-Key", surrogate_keys.join(" ")));
    }
    if matched {
        return Ok(response.finish());
    }
    Ok(response.content_type("application/json").body(body))
}
