//! `/api/v1/webhooks`: signed HTTP callbacks on article events, managed by admins, with a
//! delivery log that can be read and replayed.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::pagination::{Page, PageParams, page};
use super::problems::{BodyErrors, NotFoundErrors, ProtectedErrors, QueryErrors};
use crate::audit::AuditContext;
use crate::auth::tokens::random_secret;
use crate::auth::{Action, Caller};
use crate::content::webhooks::{self, WebhookPatch};
use crate::db;
use crate::db::webhooks::{DeliveryRow, WebhookRow};
use crate::domain::webhooks::{DeliveryStatus, WebhookEvent};
use crate::error::ApiError;
use crate::http::client_ip::ClientIp;
use crate::startup::AppState;

/// A webhook as listed (never its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookView {
    /// Id.
    pub id: Uuid,
    /// Where deliveries are POSTed.
    #[schema(example = "https://hooks.example.com/newsroom")]
    pub url: String,
    /// The events it receives.
    pub events: Vec<WebhookEvent>,
    /// Whether deliveries are made (inactive webhooks queue nothing new and send nothing).
    pub active: bool,
    /// The admin who registered it (null once that account is deleted).
    pub created_by: Option<Uuid>,
    /// Registered.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<WebhookRow> for WebhookView {
    fn from(w: WebhookRow) -> Self {
        Self {
            id: w.id,
            url: w.url,
            events: w
                .events
                .iter()
                .flatten()
                .filter_map(|e| WebhookEvent::parse(e))
                .collect(),
            active: w.active,
            created_by: w.created_by,
            created_at: w.created_at,
            updated_at: w.updated_at,
        }
    }
}

/// A newly registered webhook.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedWebhook {
    /// The webhook's details.
    #[serde(flatten)]
    pub details: WebhookView,
    /// The signing secret, present only when the server generated it: shown this once.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "Xk3v9Q2mZp7c1Tn0bWfLr8sYdHgA4eJuVoKiMxC5q6")]
    pub secret: Option<String>,
}

/// A webhook to register.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "url": "https://hooks.example.com/newsroom",
    "events": ["article.published", "article.unpublished"]
}))]
pub struct CreateWebhookRequest {
    /// An `http` or `https` URL. In production it must name a host that resolves to public
    /// addresses only (unless `NEWSROOM_WEBHOOKS_ALLOW_PRIVATE`).
    #[validate(length(min = 1, max = 2000, message = "must be 1 to 2000 characters"))]
    #[schema(min_length = 1, max_length = 2000)]
    pub url: String,
    /// The events to receive.
    #[validate(length(min = 1, max = 5, message = "must name 1 to 5 events"))]
    #[schema(min_items = 1, max_items = 5)]
    pub events: Vec<WebhookEvent>,
    /// The signing key, 16 to 200 characters; generated (and returned once) when absent.
    #[validate(length(min = 16, max = 200, message = "must be 16 to 200 characters"))]
    #[schema(min_length = 16, max_length = 200)]
    pub secret: Option<String>,
}

/// Changes to a webhook; absent fields stay as they are.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": false}))]
pub struct UpdateWebhookRequest {
    /// A new URL (same rules as when registering).
    #[validate(length(min = 1, max = 2000, message = "must be 1 to 2000 characters"))]
    #[schema(min_length = 1, max_length = 2000)]
    pub url: Option<String>,
    /// The new set of events.
    #[validate(length(min = 1, max = 5, message = "must name 1 to 5 events"))]
    #[schema(min_items = 1, max_items = 5)]
    pub events: Option<Vec<WebhookEvent>>,
    /// Switch deliveries on or off.
    pub active: Option<bool>,
}

/// One delivery of an event to a webhook.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryView {
    /// Id, sent as `X-Newsroom-Delivery` (the same on every attempt and replay).
    pub id: Uuid,
    /// The event's id (the payload's `id`).
    pub event_id: Uuid,
    /// The event.
    pub event: WebhookEvent,
    /// Where the delivery stands.
    pub status: DeliveryStatus,
    /// Attempts made so far.
    pub attempts: i32,
    /// HTTP status of the last attempt, when the receiver answered.
    pub last_status_code: Option<i32>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the next attempt is due (null once delivered or dead).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// When the receiver accepted it.
    pub delivered_at: Option<DateTime<Utc>>,
    /// When the event was queued.
    pub created_at: DateTime<Utc>,
}

impl TryFrom<DeliveryRow> for DeliveryView {
    type Error = ApiError;

    fn try_from(d: DeliveryRow) -> Result<Self, ApiError> {
        let unknown = |what: &str, value: &str| {
            ApiError::Internal(anyhow::anyhow!("delivery {} has {what} `{value}`", d.id))
        };
        let status =
            DeliveryStatus::parse(&d.status).ok_or_else(|| unknown("status", &d.status))?;
        let event = WebhookEvent::parse(&d.event).ok_or_else(|| unknown("event", &d.event))?;
        Ok(Self {
            id: d.id,
            event_id: d.event_id,
            event,
            status,
            attempts: d.attempts,
            last_status_code: d.last_status_code,
            last_error: d.last_error,
            next_attempt_at: matches!(status, DeliveryStatus::Pending | DeliveryStatus::Failed)
                .then_some(d.next_attempt_at),
            delivered_at: d.delivered_at,
            created_at: d.created_at,
        })
    }
}

/// Register a webhook.
///
/// Every delivery is a `POST` of the event's JSON, signed with the secret: see the README's
/// "Webhooks" section for the headers and how to verify `X-Newsroom-Signature`. When no
/// `secret` is sent, one is generated and returned in this response only.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "create_webhook",
    request_body = CreateWebhookRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Registered; a generated `secret` is shown only now", body = CreatedWebhook),
        ProtectedErrors,
        BodyErrors,
    )
)]
#[post("/webhooks")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    body: crate::http::json::Json<CreateWebhookRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::ManageWebhooks)?;
    body.validate()?;
    let body = body.into_inner();
    let generated = body.secret.is_none().then(random_secret);
    let secret = body
        .secret
        .or_else(|| generated.clone())
        .unwrap_or_default();
    let row = webhooks::create(
        &state.pool,
        &AuditContext::of(&caller, &ip),
        &body.url,
        &body.events,
        &secret,
        state.config.webhooks_allow_private,
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/webhooks/{}", row.id)))
        .json(CreatedWebhook {
            details: row.into(),
            secret: generated,
        }))
}

/// List webhooks, newest first.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "list_webhooks",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "All webhooks", body = Vec<WebhookView>),
        ProtectedErrors,
    )
)]
#[get("/webhooks")]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<Vec<WebhookView>>, ApiError> {
    caller.require(Action::ManageWebhooks)?;
    let mut conn = state.pool.get().await?;
    let rows = db::webhooks::list(&mut conn).await?;
    Ok(web::Json(rows.into_iter().map(Into::into).collect()))
}

/// Read a webhook (without its secret).
#[utoipa::path(
    tag = "webhooks",
    operation_id = "get_webhook",
    params(("id" = Uuid, Path, description = "Webhook id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The webhook", body = WebhookView),
        ProtectedErrors,
        NotFoundErrors,
    )
)]
#[get("/webhooks/{id}")]
pub async fn get_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<WebhookView>, ApiError> {
    caller.require(Action::ManageWebhooks)?;
    let mut conn = state.pool.get().await?;
    Ok(web::Json(db::webhooks::find(&mut conn, *id).await?.into()))
}

/// Change a webhook's URL, events or whether it is active.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "update_webhook",
    params(("id" = Uuid, Path, description = "Webhook id")),
    request_body = UpdateWebhookRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Changed", body = WebhookView),
        ProtectedErrors,
        NotFoundErrors,
        BodyErrors,
    )
)]
#[patch("/webhooks/{id}")]
pub async fn update_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    id: web::Path<Uuid>,
    body: crate::http::json::Json<UpdateWebhookRequest>,
) -> Result<web::Json<WebhookView>, ApiError> {
    caller.require(Action::ManageWebhooks)?;
    body.validate()?;
    let body = body.into_inner();
    let row = webhooks::update(
        &state.pool,
        &AuditContext::of(&caller, &ip),
        *id,
        WebhookPatch {
            url: body.url,
            events: body.events,
            active: body.active,
        },
        state.config.webhooks_allow_private,
    )
    .await?;
    Ok(web::Json(row.into()))
}

/// Delete a webhook and its delivery log; queued deliveries are dropped.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "delete_webhook",
    params(("id" = Uuid, Path, description = "Webhook id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        ProtectedErrors,
        NotFoundErrors,
    )
)]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::ManageWebhooks)?;
    webhooks::delete(&state.pool, &AuditContext::of(&caller, &ip), *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The delivery log of a webhook, newest first.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "list_webhook_deliveries",
    params(("id" = Uuid, Path, description = "Webhook id"), PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of deliveries", body = Page<DeliveryView>),
        ProtectedErrors,
        NotFoundErrors,
        QueryErrors,
    )
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    paging: web::Query<PageParams>,
) -> Result<web::Json<Page<DeliveryView>>, ApiError> {
    caller.require(Action::ManageWebhooks)?;
    let limit = paging.limit()?;
    let after: Option<(DateTime<Utc>, Uuid)> = paging.cursor()?;
    let mut conn = state.pool.get().await?;
    db::webhooks::find(&mut conn, *id).await?;
    let rows = db::webhooks::deliveries(&mut conn, *id, after, limit + 1).await?;
    let rows = rows
        .into_iter()
        .map(|r| Ok(((r.created_at, r.id), DeliveryView::try_from(r)?)))
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(web::Json(page(rows, limit, |(key, _)| *key, |(_, v)| v)))
}

/// Send a delivery again.
///
/// Re-queues it (status `pending`, due now) whatever its state: a dead delivery gets one more
/// attempt, a delivered one is sent again with the same `X-Newsroom-Delivery` id.
#[utoipa::path(
    tag = "webhooks",
    operation_id = "replay_webhook_delivery",
    params(
        ("id" = Uuid, Path, description = "Webhook id"),
        ("delivery_id" = Uuid, Path, description = "Delivery id"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 202, description = "Queued; the worker sends it within its interval", body = DeliveryView),
        ProtectedErrors,
        NotFoundErrors,
    )
)]
#[post("/webhooks/{id}/deliveries/{delivery_id}/replay")]
pub async fn replay_webhook_delivery(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::ManageWebhooks)?;
    let (id, delivery_id) = path.into_inner();
    let row = webhooks::replay(
        &state.pool,
        &AuditContext::of(&caller, &ip),
        id,
        delivery_id,
    )
    .await?;
    Ok(HttpResponse::Accepted().json(DeliveryView::try_from(row)?))
}
