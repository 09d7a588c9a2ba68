//! Liveness, readiness and metrics: what load balancers and Prometheus poll.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ApiError, ProblemDetails};
use crate::http::metrics::Metrics;
use crate::startup::AppState;

/// Health check answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct HealthStatus {
    /// Always `ok` when the check passes.
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Liveness: the process is up and serving HTTP.
///
/// Touches nothing else, so a slow database never gets a healthy instance restarted.
#[utoipa::path(
    tag = "operations",
    operation_id = "get_liveness",
    responses((status = 200, description = "The process is up", body = HealthStatus))
)]
#[get("/health/live")]
pub async fn live() -> web::Json<HealthStatus> {
    web::Json(HealthStatus { status: "ok" })
}

/// Readiness: the instance can serve requests, i.e. the database answers.
///
/// Answers 503 while the database is unreachable and 200 again as soon as it is back.
#[utoipa::path(
    tag = "operations",
    operation_id = "get_readiness",
    responses(
        (status = 200, description = "Ready to serve", body = HealthStatus),
        (status = 503, description = "The database does not answer", body = ProblemDetails,
            content_type = "application/problem+json"),
    )
)]
#[get("/health/ready")]
pub async fn ready(state: web::Data<AppState>) -> Result<web::Json<HealthStatus>, ApiError> {
    crate::db::ping(&state.pool, state.config.db_timeout)
        .await
        .map_err(|e| ApiError::Unavailable(format!("the database is not ready: {e:#}")))?;
    Ok(web::Json(HealthStatus { status: "ok" }))
}

/// Prometheus metrics in the text exposition format.
///
/// Request counts and latency histograms by route template and status, and pool usage.
#[utoipa::path(
    tag = "operations",
    operation_id = "get_metrics",
    responses(
        (status = 200, description = "Metrics in Prometheus text format", body = String,
            content_type = "text/plain; version=0.0.4"),
        (status = 401, description = "`NEWSROOM_METRICS_TOKEN` is set and the request does not \
            carry it as a bearer token", body = ProblemDetails,
            content_type = "application/problem+json"),
        (status = 500, description = "The metrics could not be rendered", body = ProblemDetails,
            content_type = "application/problem+json"),
    ),
    security((), ("metrics_token" = [])),
)]
#[get("/metrics")]
pub async fn metrics(
    req: HttpRequest,
    state: web::Data<AppState>,
    metrics: web::Data<Metrics>,
) -> Result<HttpResponse, ApiError> {
    if let Some(expected) = &state.config.metrics_token_hash {
        let token = crate::auth::caller::bearer_token(&req)?;
        if !crate::auth::tokens::secret_matches(&token, expected) {
            return Err(ApiError::Unauthorized(
                "the metrics token is not valid".to_owned(),
            ));
        }
    }
    let body = metrics.render(&state.pool, &state.cache)?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(body))
}
