//! Makes the framework's own errors speak `application/problem+json`: extractor failures
//! (JSON, path, query), unknown routes and wrong methods, and a last safety net for any error
//! response that some component wrote in another format.

use actix_web::body::EitherBody;
use actix_web::dev::{ResourceDef, ServiceResponse};
use actix_web::error::{JsonPayloadError, PathError, PayloadError, QueryPayloadError};
use actix_web::http::header;
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpRequest, HttpResponse, web};

use crate::error::{ApiError, FieldError, PROBLEM_JSON, ProblemDetails, problem_response};
use crate::http::request_id;

/// JSON bodies: limit and problem+json errors.
pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(|err, _req| json_error(err).into())
}

/// Path parameters that do not parse (e.g. a malformed UUID).
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default().error_handler(|err: PathError, _req| {
        ApiError::BadRequest(format!("invalid path parameter: {err}")).into()
    })
}

/// Query strings that do not parse.
pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err: QueryPayloadError, _req| {
        ApiError::BadRequest(format!("invalid query string: {err}")).into()
    })
}

/// Classifies a JSON body error: too large, wrong type, malformed, or well-formed but wrong.
pub fn json_error(err: JsonPayloadError) -> ApiError {
    match err {
        JsonPayloadError::OverflowKnownLength { length, limit } => ApiError::PayloadTooLarge(
            format!("the body is {length} bytes; at most {limit} are accepted"),
        ),
        JsonPayloadError::Overflow { limit } => {
            ApiError::PayloadTooLarge(format!("the body exceeds {limit} bytes"))
        }
        JsonPayloadError::ContentType => {
            ApiError::UnsupportedMediaType("send the body as application/json".to_owned())
        }
        JsonPayloadError::Deserialize(e) if e.is_data() => {
            ApiError::Validation(vec![field_error_from_serde(&e)])
        }
        JsonPayloadError::Deserialize(e) => {
            ApiError::BadRequest(format!("the body is not valid JSON: {e}"))
        }
        JsonPayloadError::Payload(PayloadError::Overflow) => {
            ApiError::PayloadTooLarge("the body is too large".to_owned())
        }
        other => ApiError::BadRequest(format!("could not read the body: {other}")),
    }
}

/// Turns serde's "missing field `x`" / "unknown field `x`" into a field error on `x`.
fn field_error_from_serde(e: &serde_json::Error) -> FieldError {
    let message = e.to_string();
    let field = message
        .split('`')
        .nth(1)
        .filter(|_| message.contains("field `"))
        .unwrap_or("body")
        .to_owned();
    let message = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_owned();
    FieldError::new(field, message)
}

/// The documented routes (method sets by path template), to tell 405 from 404.
#[derive(Clone)]
pub struct KnownRoutes(Vec<(ResourceDef, Vec<String>)>);

impl KnownRoutes {
    /// Reads the routes from the OpenAPI document, which lists every documented endpoint.
    pub fn from_openapi(doc: &utoipa::openapi::OpenApi) -> Self {
        let routes = doc
            .paths
            .paths
            .iter()
            .map(|(path, item)| {
                let methods = [
                    ("GET", item.get.is_some()),
                    ("PUT", item.put.is_some()),
                    ("POST", item.post.is_some()),
                    ("DELETE", item.delete.is_some()),
                    ("PATCH", item.patch.is_some()),
                    ("HEAD", item.head.is_some()),
                    ("OPTIONS", item.options.is_some()),
                ]
                .into_iter()
                .filter(|(_, present)| *present)
                .map(|(m, _)| m.to_owned())
                .collect();
                (ResourceDef::new(path.as_str()), methods)
            })
            .collect();
        Self(routes)
    }

    /// Methods accepted on `path`, or `None` when no documented route matches it.
    pub fn allowed_methods(&self, path: &str) -> Option<Vec<String>> {
        let mut allowed: Vec<String> = self
            .0
            .iter()
            .filter(|(def, _)| def.is_match(path))
            .flat_map(|(_, methods)| methods.iter().cloned())
            .collect();
        allowed.sort();
        allowed.dedup();
        (!allowed.is_empty()).then_some(allowed)
    }
}

/// The default service: 405 with `Allow` for a known path, 404 otherwise.
pub async fn fallback(
    req: HttpRequest,
    routes: web::Data<KnownRoutes>,
) -> Result<HttpResponse, ApiError> {
    match routes.allowed_methods(req.path()) {
        Some(allow) if !allow.iter().any(|m| m == req.method().as_str()) => {
            Err(ApiError::MethodNotAllowed { allow })
        }
        _ => Err(ApiError::NotFound(format!(
            "no route for {} {}",
            req.method(),
            req.path()
        ))),
    }
}

/// Safety net: rewrites any error response that is not problem+json already.
pub fn ensure_problem_json<B>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if is_problem {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let detail = res
        .response()
        .error()
        .filter(|_| status.is_client_error())
        .map(ToString::to_string)
        .unwrap_or_else(|| status.canonical_reason().unwrap_or("error").to_owned());
    let problem = ProblemDetails {
        problem_type: "about:blank".to_owned(),
        title: status.canonical_reason().unwrap_or("Error").to_owned(),
        status: status.as_u16(),
        detail,
        errors: None,
        request_id: request_id::current(),
    };
    let (req, old) = res.into_parts();
    let mut builder = HttpResponse::build(status);
    for (name, value) in old.headers() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            builder.append_header((name.clone(), value.clone()));
        }
    }
    let response = problem_response(builder, &problem);
    Ok(ErrorHandlerResponse::Response(
        ServiceResponse::new(req, response).map_body(|_, b| EitherBody::right(b)),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serde_field_errors_name_the_field() {
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Login {
            email: String,
        }
        let err = serde_json::from_str::<Login>("{}").unwrap_err();
        let f = field_error_from_serde(&err);
        assert_eq!(f.field, "email");
        assert_eq!(f.message, "missing field `email`");
    }

    #[test]
    fn known_routes_tell_405_from_404() {
        let doc: utoipa::openapi::OpenApi = serde_json::from_value(serde_json::json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": {
                "/items/{id}": {"get": {"responses": {}}, "patch": {"responses": {}}}
            }
        }))
        .unwrap();
        let routes = KnownRoutes::from_openapi(&doc);
        assert_eq!(
            routes.allowed_methods("/items/42"),
            Some(vec!["GET".to_owned(), "PATCH".to_owned()])
        );
        assert_eq!(routes.allowed_methods("/nothing"), None);
    }
}
