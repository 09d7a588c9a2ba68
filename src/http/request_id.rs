//! `X-Request-Id`: taken from the request when it is sane, generated otherwise, echoed in the
//! response, carried by the tracing span of the request (so every log line has it) and by a
//! task-local so error bodies can quote it.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use tracing::Instrument;

/// Header that carries the request id in both directions.
pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being served on this task, if any.
pub fn current() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

/// Accepts a client's id only when it is short and plain, so it cannot forge log lines.
fn accept_incoming(value: &HeaderValue) -> Option<String> {
    let s = value.to_str().ok()?;
    let ok = !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b));
    ok.then(|| s.to_owned())
}

/// Middleware: assigns the id, opens the request span, logs one line per request.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = req
        .headers()
        .get(&X_REQUEST_ID)
        .and_then(accept_incoming)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        path = %req.path(),
    );
    let started = Instant::now();
    let header = HeaderValue::from_str(&id).ok();
    let result = REQUEST_ID
        .scope(id, next.call(req).instrument(span.clone()))
        .await;
    let _entered = span.enter();
    let mut response = result?;
    if let Some(header) = header {
        response.headers_mut().insert(X_REQUEST_ID, header);
    }
    let status = response.status().as_u16();
    let latency_ms = started.elapsed().as_secs_f64() * 1000.0;
    if status >= 500 {
        tracing::error!(status, latency_ms, "request finished");
    } else {
        tracing::info!(status, latency_ms, "request finished");
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_incoming_ids_are_kept_and_odd_ones_replaced() {
        assert_eq!(
            accept_incoming(&HeaderValue::from_static("abc-123_x.y:z")).as_deref(),
            Some("abc-123_x.y:z")
        );
        assert_eq!(accept_incoming(&HeaderValue::from_static("a b")), None);
        assert_eq!(accept_incoming(&HeaderValue::from_static("")), None);
        let long = "a".repeat(129);
        assert_eq!(
            accept_incoming(&HeaderValue::from_str(&long).unwrap()),
            None
        );
    }
}
