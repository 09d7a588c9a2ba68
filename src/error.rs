//! `ApiError`: the one place that decides status codes, rendered as RFC 9457
//! `application/problem+json`.

use actix_web::http::{StatusCode, header};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::request_id;

/// Media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One invalid input field and what is wrong with it.
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq, Eq)]
pub struct FieldError {
    /// Path of the field in the request, e.g. `email` or `body[3].embed_id`.
    #[schema(example = "email")]
    pub field: String,
    /// What is wrong with it, for a person to read.
    #[schema(example = "must be a valid e-mail address")]
    pub message: String,
}

impl FieldError {
    /// An error on `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// An RFC 9457 problem document, the body of every error response.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:newsroom:problem:validation",
    "title": "Invalid input",
    "status": 422,
    "detail": "1 field is invalid",
    "errors": [{"field": "email", "message": "must be a valid e-mail address"}],
    "request_id": "01936f0e-5d3c-7c1a-9d7e-0c4f7b2a9e11"
}))]
pub struct ProblemDetails {
    /// URI that identifies the kind of problem.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// Short summary of the kind of problem.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong in this occurrence.
    pub detail: String,
    /// For validation problems: each invalid field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
    /// The request's `X-Request-Id`, to quote when reporting a problem.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// Every way a request can fail, from any layer, converted at the HTTP edge.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is malformed (bad JSON, bad query string, bad path parameter).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The request is well-formed but some fields are invalid.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// No valid credentials were presented.
    #[error("unauthorized: {0}")]
    Unauthorized(String),
    /// The caller is known but may not do this.
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// The resource does not exist (or the caller may not know it does).
    #[error("not found: {0}")]
    NotFound(String),
    /// The path exists but not with this method.
    #[error("method not allowed")]
    MethodNotAllowed {
        /// Methods the path does accept, for the `Allow` header.
        allow: Vec<String>,
    },
    /// The change conflicts with the current state (duplicate, in use).
    #[error("conflict: {0}")]
    Conflict(String),
    /// `If-Match` named an outdated version.
    #[error("precondition failed: {0}")]
    PreconditionFailed(String),
    /// `If-Match` is required but missing.
    #[error("precondition required: {0}")]
    PreconditionRequired(String),
    /// The body is larger than the configured limit.
    #[error("payload too large: {0}")]
    PayloadTooLarge(String),
    /// The request target (path and query) is longer than accepted.
    #[error("URI too long: {0}")]
    UriTooLong(String),
    /// The request's headers are larger than accepted.
    #[error("headers too large: {0}")]
    HeadersTooLarge(String),
    /// The body's media type is not one this endpoint reads.
    #[error("unsupported media type: {0}")]
    UnsupportedMediaType(String),
    /// Too many attempts; retry after the given number of seconds.
    #[error("too many requests")]
    TooManyRequests {
        /// Seconds until a retry may succeed.
        retry_after_secs: u64,
    },
    /// A dependency (the database) is unavailable; retrying later may succeed.
    #[error("service unavailable: {0}")]
    Unavailable(String),
    /// This instance is at a capacity limit (e.g. concurrent uploads); retry after a while.
    #[error("overloaded: {detail}")]
    Overloaded {
        /// Which limit was reached.
        detail: String,
        /// Seconds until a retry may succeed.
        retry_after_secs: u64,
    },
    /// A bug or an unexpected failure; logged in full, reported only by reference.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// The 404 for an id that names nothing, also given for one the caller may not know of,
    /// so that the two cannot be told apart.
    pub fn unknown_resource() -> Self {
        Self::NotFound("no such resource".to_owned())
    }
    /// The problem `type` slug, title and detail for this error.
    fn describe(&self) -> (&'static str, &'static str, String) {
        match self {
            Self::BadRequest(d) => ("bad-request", "Malformed request", d.clone()),
            Self::Validation(errors) => (
                "validation",
                "Invalid input",
                match errors.len() {
                    1 => format!("{}: {}", errors[0].field, errors[0].message),
                    n => format!("{n} fields are invalid"),
                },
            ),
            Self::Unauthorized(d) => ("unauthorized", "Authentication required", d.clone()),
            Self::Forbidden(d) => ("forbidden", "Not allowed", d.clone()),
            Self::NotFound(d) => ("not-found", "Not found", d.clone()),
            Self::MethodNotAllowed { allow } => (
                "method-not-allowed",
                "Method not allowed",
                format!("this path accepts: {}", allow.join(", ")),
            ),
            Self::Conflict(d) => ("conflict", "Conflict", d.clone()),
            Self::PreconditionFailed(d) => {
                ("precondition-failed", "Precondition failed", d.clone())
            }
            Self::PreconditionRequired(d) => {
                ("precondition-required", "Precondition required", d.clone())
            }
            Self::PayloadTooLarge(d) => ("payload-too-large", "Payload too large", d.clone()),
            Self::UriTooLong(d) => ("uri-too-long", "URI too long", d.clone()),
            Self::HeadersTooLarge(d) => (
                "headers-too-large",
                "Request header fields too large",
                d.clone(),
            ),
            Self::UnsupportedMediaType(d) => (
                "unsupported-media-type",
                "Unsupported media type",
                d.clone(),
            ),
            Self::TooManyRequests { retry_after_secs } => (
                "too-many-requests",
                "Too many requests",
                format!("try again in {retry_after_secs} seconds"),
            ),
            Self::Unavailable(d) => ("unavailable", "Service unavailable", d.clone()),
            Self::Overloaded { detail, .. } => {
                ("overloaded", "Service unavailable", detail.clone())
            }
            Self::Internal(_) => (
                "internal",
                "Internal server error",
                "an unexpected error occurred; quote the request_id when reporting it".to_owned(),
            ),
        }
    }

    /// The problem document for this error.
    pub fn problem(&self) -> ProblemDetails {
        let (slug, title, detail) = self.describe();
        ProblemDetails {
            problem_type: format!("urn:newsroom:problem:{slug}"),
            title: title.to_owned(),
            status: self.status_code().as_u16(),
            detail,
            errors: match self {
                Self::Validation(errors) => Some(errors.clone()),
                _ => None,
            },
            request_id: request_id::current(),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            Self::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UriTooLong(_) => StatusCode::URI_TOO_LONG,
            Self::HeadersTooLarge(_) => StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) | Self::Overloaded { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Internal(err) => tracing::error!(error = format!("{err:#}"), "internal error"),
            Self::Unavailable(detail) => tracing::warn!(detail, "dependency unavailable"),
            _ => {}
        }
        let mut response = HttpResponse::build(self.status_code());
        match self {
            Self::MethodNotAllowed { allow } => {
                response.insert_header((header::ALLOW, allow.join(", ")));
            }
            Self::TooManyRequests { retry_after_secs }
            | Self::Overloaded {
                retry_after_secs, ..
            } => {
                response.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            // A lost database usually comes back within seconds (restart, fail-over).
            Self::Unavailable(_) => {
                response.insert_header((header::RETRY_AFTER, "1"));
            }
            Self::Unauthorized(_) => {
                response.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
            }
            _ => {}
        }
        problem_response(response, &self.problem())
    }
}

/// Writes `problem` as the body of `builder` with the problem media type.
pub fn problem_response(
    mut builder: actix_web::HttpResponseBuilder,
    problem: &ProblemDetails,
) -> HttpResponse {
    let body = serde_json::to_vec(problem).unwrap_or_else(|_| b"{}".to_vec());
    builder
        .insert_header((header::CONTENT_TYPE, PROBLEM_JSON))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}

impl From<diesel::result::Error> for ApiError {
    fn from(err: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match err {
            Error::NotFound => Self::unknown_resource(),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => Self::Conflict(
                info.constraint_name()
                    .map(|c| format!("a resource with the same value already exists ({c})"))
                    .unwrap_or_else(|| "a resource with the same value already exists".to_owned()),
            ),
            ref lost if connection_lost(lost) => {
                Self::Unavailable("the database connection was lost".to_owned())
            }
            other => Self::Internal(anyhow::Error::new(other).context("database query failed")),
        }
    }
}

/// Whether `err` says the connection is gone (server stopped or crashed, backend terminated,
/// socket cut) rather than that the query was wrong: retrying on a new connection may succeed,
/// so it is a 503, not a 500.
pub fn connection_lost(err: &diesel::result::Error) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    match err {
        Error::DatabaseError(
            DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
            _,
        )
        | Error::BrokenTransactionManager => true,
        // diesel-async keeps no SQLSTATE; these are the server's words for class 57P
        // (operator intervention) and for sessions it ends itself.
        Error::DatabaseError(_, info) => {
            let message = info.message();
            message.starts_with("terminating connection")
                || message.starts_with("the database system is")
        }
        Error::RollbackErrorOnCommit { commit_error, .. } => connection_lost(commit_error),
        _ => false,
    }
}

impl From<validator::ValidationErrors> for ApiError {
    fn from(errors: validator::ValidationErrors) -> Self {
        let mut fields = Vec::new();
        flatten_validation("", &errors, &mut fields);
        fields.sort_by(|a, b| a.field.cmp(&b.field));
        Self::Validation(fields)
    }
}

/// Walks nested validation errors into `field` paths such as `links[2].url`.
fn flatten_validation(
    prefix: &str,
    errors: &validator::ValidationErrors,
    out: &mut Vec<FieldError>,
) {
    use validator::ValidationErrorsKind;
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                out.extend(list.iter().map(|e| {
                    let message = e
                        .message
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_else(|| format!("is invalid ({})", e.code));
                    FieldError::new(path.clone(), message)
                }));
            }
            ValidationErrorsKind::Struct(inner) => flatten_validation(&path, inner, out),
            ValidationErrorsKind::List(items) => {
                for (index, inner) in items {
                    flatten_validation(&format!("{path}[{index}]"), inner, out);
                }
            }
        }
    }
}

impl From<crate::db::PoolError> for ApiError {
    fn from(err: crate::db::PoolError) -> Self {
        Self::Unavailable(format!("the database is unavailable ({err})"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_problem_lists_fields() {
        let err = ApiError::Validation(vec![FieldError::new("email", "is required")]);
        let p = err.problem();
        assert_eq!(p.status, 422);
        assert_eq!(p.problem_type, "urn:newsroom:problem:validation");
        assert_eq!(p.detail, "email: is required");
        assert_eq!(p.errors.unwrap().len(), 1);
    }

    #[test]
    fn nested_validation_errors_name_their_path() {
        use validator::Validate;
        #[derive(Validate)]
        struct Link {
            #[validate(length(min = 1, message = "is required"))]
            url: String,
        }
        #[derive(Validate)]
        struct Author {
            #[validate(nested)]
            links: Vec<Link>,
        }
        let author = Author {
            links: vec![Link { url: "x".into() }, Link { url: String::new() }],
        };
        let ApiError::Validation(fields) = ApiError::from(author.validate().unwrap_err()) else {
            panic!("not a validation error");
        };
        assert_eq!(fields, vec![FieldError::new("links[1].url", "is required")]);
    }

    #[test]
    fn internal_errors_reveal_nothing() {
        let err = ApiError::Internal(anyhow::anyhow!("relation \"users\" does not exist"));
        let p = err.problem();
        assert_eq!(p.status, 500);
        assert!(!p.detail.contains("users"));
    }

    #[test]
    fn a_lost_connection_is_unavailable_with_retry_after() {
        use diesel::result::{DatabaseErrorKind, Error};
        let lost = Error::DatabaseError(
            DatabaseErrorKind::UnableToSendCommand,
            Box::new("connection closed".to_owned()),
        );
        let err = ApiError::from(lost);
        assert_eq!(err.status_code(), StatusCode::SERVICE_UNAVAILABLE);
        let response = err.error_response();
        assert_eq!(response.headers().get(header::RETRY_AFTER).unwrap(), "1");
        let rollback = Error::RollbackErrorOnCommit {
            rollback_error: Box::new(Error::BrokenTransactionManager),
            commit_error: Box::new(Error::BrokenTransactionManager),
        };
        assert!(connection_lost(&rollback));
        assert!(!connection_lost(&Error::NotFound));
    }

    #[test]
    fn unique_violation_is_a_conflict() {
        struct Info;
        impl diesel::result::DatabaseErrorInformation for Info {
            fn message(&self) -> &str {
                "duplicate key"
            }
            fn details(&self) -> Option<&str> {
                None
            }
            fn hint(&self) -> Option<&str> {
                None
            }
            fn table_name(&self) -> Option<&str> {
                None
            }
            fn column_name(&self) -> Option<&str> {
                None
            }
            fn constraint_name(&self) -> Option<&str> {
                Some("users_email_key")
            }
            fn statement_position(&self) -> Option<i32> {
                None
            }
        }
        let err: ApiError = diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            Box::new(Info),
        )
        .into();
        assert_eq!(err.status_code(), StatusCode::CONFLICT);
    }
}
