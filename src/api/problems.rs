//! Reusable error responses for the OpenAPI document: every operation lists the problems it can
//! answer with, all as `application/problem+json`.

#![allow(dead_code)] // The variants exist for the document, never constructed.

use utoipa::IntoResponses;

use crate::error::ProblemDetails;

/// What any endpoint behind a bearer token may answer.
#[derive(IntoResponses)]
pub enum ProtectedErrors {
    /// No valid bearer token: missing, malformed, expired, revoked, or its user deactivated.
    #[response(status = 401, content_type = "application/problem+json")]
    Unauthorized(ProblemDetails),
    /// The caller's role or token scopes do not allow this.
    #[response(status = 403, content_type = "application/problem+json")]
    Forbidden(ProblemDetails),
    /// The database is unavailable; retry later.
    #[response(status = 503, content_type = "application/problem+json")]
    Unavailable(ProblemDetails),
}

/// What an endpoint that reads a JSON body may answer.
#[derive(IntoResponses)]
pub enum BodyErrors {
    /// The body is not valid JSON.
    #[response(status = 400, content_type = "application/problem+json")]
    Malformed(ProblemDetails),
    /// The body is larger than the configured limit.
    #[response(status = 413, content_type = "application/problem+json")]
    TooLarge(ProblemDetails),
    /// The body is not `application/json`.
    #[response(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(ProblemDetails),
    /// Fields are missing or invalid; `errors` lists each one.
    #[response(status = 422, content_type = "application/problem+json")]
    Invalid(ProblemDetails),
}

/// What an endpoint that reads query parameters may answer.
#[derive(IntoResponses)]
pub enum QueryErrors {
    /// A query parameter (or the cursor) does not parse.
    #[response(status = 400, content_type = "application/problem+json")]
    Malformed(ProblemDetails),
}

/// The resource named in the path does not exist.
#[derive(IntoResponses)]
pub enum NotFoundErrors {
    /// No such resource (or a malformed id).
    #[response(status = 404, content_type = "application/problem+json")]
    NotFound(ProblemDetails),
    /// The path parameter does not parse.
    #[response(status = 400, content_type = "application/problem+json")]
    Malformed(ProblemDetails),
}

/// The change conflicts with the current state.
#[derive(IntoResponses)]
pub enum ConflictErrors {
    /// A duplicate, a resource in use, or a change that would lock the newsroom out.
    #[response(status = 409, content_type = "application/problem+json")]
    Conflict(ProblemDetails),
}

/// What an endpoint that needs `If-Match` may answer.
#[derive(IntoResponses)]
pub enum PreconditionErrors {
    /// The resource changed since that ETag: nothing was written; reload and retry.
    #[response(status = 412, content_type = "application/problem+json")]
    Stale(ProblemDetails),
    /// `If-Match` is missing.
    #[response(status = 428, content_type = "application/problem+json")]
    Missing(ProblemDetails),
}
