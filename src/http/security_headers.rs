//! Security headers on every response, errors and CORS refusals included.
//!
//! `Referrer-Policy: no-referrer`: the API's answers are data, not pages with outgoing links,
//! and the only HTML it serves (`/docs`) links nowhere a reader's path would be worth telling;
//! `strict-origin-when-cross-origin` would still send our origin along for nothing.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::middleware::{ErrorHandlerResponse, Next};

use crate::http::problems;

/// For API answers: JSON, XML and image bytes load nothing and must never be framed.
pub const API_CSP: &str = "default-src 'none'; frame-ancestors 'none'";

/// For the vendored Swagger UI: its `index.html` loads only same-origin scripts and styles
/// (no inline script), the bundle sets `style` attributes and injects `<style>` elements (hence
/// `'unsafe-inline'` for styles only), its CSS draws icons as `data:` SVGs, and it fetches
/// `/api-docs/openapi.json` and calls the API itself ("Try it out") from the same origin.
pub const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; \
    font-src 'self'; manifest-src 'self'; form-action 'self'; base-uri 'none'; \
    frame-ancestors 'none'";

fn is_docs(path: &str) -> bool {
    path == "/docs" || path.starts_with("/docs/")
}

/// Middleware: adds the headers, and turns an error response some middleware wrote in another
/// format (a CORS refusal) into problem+json.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let docs = is_docs(req.path());
    match next.call(req).await {
        Ok(response) => {
            let mut response =
                if response.status().is_client_error() || response.status().is_server_error() {
                    match problems::ensure_problem_json(response)? {
                        ErrorHandlerResponse::Response(r) => r.map_into_boxed_body(),
                        ErrorHandlerResponse::Future(f) => f.await?.map_into_boxed_body(),
                    }
                } else {
                    response.map_into_boxed_body()
                };
            apply(response.headers_mut(), docs);
            Ok(response)
        }
        // An error (rather than an error response) is rendered by the server after every
        // middleware: render it now, headers included.
        Err(err) => {
            let mut response = err.error_response();
            apply(response.headers_mut(), docs);
            Err(InternalError::from_response(err.to_string(), response).into())
        }
    }
}

/// Adds the headers to `headers`; `docs` selects the policy that lets the Swagger UI run.
pub fn apply(headers: &mut HeaderMap, docs: bool) {
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(if docs { DOCS_CSP } else { API_CSP }),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docs_paths_get_the_docs_policy() {
        assert!(is_docs("/docs"));
        assert!(is_docs("/docs/swagger-ui.css"));
        assert!(!is_docs("/docsx"));
        assert!(!is_docs("/api/v1/docs"));
    }
}
