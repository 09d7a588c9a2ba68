//! Request limits the framework does not enforce in problem+json: URL length and content (no
//! encoded NUL), header size, a deadline for the whole request, and the number of image uploads
//! running at once.
//!
//! actix-http itself refuses a request head over 128 KiB or with more than 96 headers, with a
//! plain 431 written before any middleware runs; the limits here are lower, so every request a
//! client can reasonably send is answered with a problem document instead.

use std::sync::Arc;
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::header::HeaderValue;
use actix_web::middleware::Next;
use actix_web::{ResponseError, web};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::ApiError;
use crate::http::request_id;

/// Longest request target (path and query) accepted: what common proxies accept too.
pub const MAX_URL_BYTES: usize = 8 * 1024;
/// Most bytes of header names and values accepted in one request.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Longest a client may take to send the request head (actix answers a plain 408 after it).
pub const CLIENT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The deadline of one request, from the configuration.
#[derive(Debug, Clone, Copy)]
pub struct RequestDeadline(pub Duration);

/// Middleware: refuses an encoded NUL in the URL (see [`nul_refusal`]), over-long URLs (414)
/// and headers (431), and answers 503 when a request (reading a slow body included) outlives
/// its deadline, dropping the work still in progress.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if let Some(error) = nul_refusal(req.uri()) {
        return Ok(req.error_response(error));
    }
    let url_bytes = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if url_bytes > MAX_URL_BYTES {
        let detail =
            format!("the URL is {url_bytes} bytes long; at most {MAX_URL_BYTES} are accepted");
        return Ok(req.error_response(ApiError::UriTooLong(detail)));
    }
    let header_bytes: usize = req
        .headers()
        .iter()
        .map(|(name, value)| name.as_str().len() + value.len())
        .sum();
    if header_bytes > MAX_HEADER_BYTES {
        let detail = format!(
            "the headers are {header_bytes} bytes long; at most {MAX_HEADER_BYTES} are accepted"
        );
        return Ok(req.error_response(ApiError::HeadersTooLarge(detail)));
    }
    let deadline = req.app_data::<web::Data<RequestDeadline>>().map(|d| d.0);
    let Some(deadline) = deadline else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    match tokio::time::timeout(deadline, next.call(req)).await {
        Ok(result) => Ok(result?.map_into_boxed_body()),
        // The request went into the abandoned future, so no response can be attached to it:
        // the answer travels as an error that carries its finished response, written here
        // where the request id is still known.
        Err(_) => {
            tracing::warn!(
                deadline_ms = deadline.as_millis() as u64,
                "request deadline"
            );
            let err = ApiError::Unavailable(format!(
                "the request took longer than {} seconds and was abandoned",
                deadline.as_secs_f64()
            ));
            let mut response = err.error_response();
            if let Some(id) = request_id::current().and_then(|id| HeaderValue::from_str(&id).ok()) {
                response.headers_mut().insert(request_id::X_REQUEST_ID, id);
            }
            Err(InternalError::from_response(err, response).into())
        }
    }
}

/// No id, slug, token or search term holds a NUL, and PostgreSQL cannot store or compare one
/// in text, so letting `%00` through made a 500: 404 for one in the path (nothing lives
/// there), 400 for one in the query string.
fn nul_refusal(uri: &actix_web::http::Uri) -> Option<ApiError> {
    if has_encoded_nul(uri.path()) {
        Some(ApiError::NotFound(
            "no resource has a NUL character (%00) in its path".to_owned(),
        ))
    } else if uri.query().is_some_and(has_encoded_nul) {
        Some(ApiError::BadRequest(
            "the query string holds a NUL character (%00)".to_owned(),
        ))
    } else {
        None
    }
}

fn has_encoded_nul(text: &str) -> bool {
    text.as_bytes().windows(3).any(|w| w == b"%00")
}

/// Slots for image uploads running at once: decoding and resizing are the heaviest work this
/// API does, and each upload holds up to `NEWSROOM_MAX_UPLOAD_BYTES` in memory.
#[derive(Debug, Clone)]
pub struct UploadSlots(Arc<Semaphore>);

/// Seconds a client is told to wait when every upload slot is taken.
pub const UPLOAD_RETRY_AFTER_SECS: u64 = 2;

impl UploadSlots {
    /// `n` slots.
    pub fn new(n: usize) -> Self {
        Self(Arc::new(Semaphore::new(n)))
    }

    /// A slot, held until the permit is dropped; refused at once when none is free. Refusing
    /// rather than queueing: the client's body is already arriving, a queued one would hold
    /// its connection and memory anyway, and `Retry-After` lets it come back when it is quiet.
    pub fn try_take(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        self.0
            .clone()
            .try_acquire_owned()
            .map_err(|_| ApiError::Overloaded {
                detail: "too many image uploads are in progress; retry shortly".to_owned(),
                retry_after_secs: UPLOAD_RETRY_AFTER_SECS,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_encoded_nul_counts() {
        assert!(has_encoded_nul("/a%00b"));
        assert!(has_encoded_nul("q=%00"));
        assert!(
            !has_encoded_nul("q=%2500"),
            "an encoded percent sign followed by 00"
        );
        assert!(!has_encoded_nul("q=100%25"));
    }

    #[test]
    fn upload_slots_refuse_when_all_are_taken_and_free_on_drop() {
        let slots = UploadSlots::new(1);
        let first = slots.try_take().unwrap();
        assert!(matches!(slots.try_take(), Err(ApiError::Overloaded { .. })));
        drop(first);
        assert!(slots.try_take().is_ok());
    }
}
