//! Webhooks: registering targets (URL rules checked, host resolved), the outbox written with
//! each article change, and replays. Every change writes its audit entry in one transaction.

use chrono::Utc;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::json;
use uuid::Uuid;

use crate::audit::AuditContext;
use crate::db::articles::ArticleRow;
use crate::db::webhooks::{DeliveryRow, WebhookChanges, WebhookRow};
use crate::db::{self, DbPool, audit};
use crate::domain::webhooks::{self as rules, TargetRefusal, WebhookEvent};
use crate::error::{ApiError, FieldError};

/// Checks a target URL against the rules, resolving its host unless `allow_private`. Returns
/// the normalised URL.
pub async fn check_target(raw: &str, allow_private: bool) -> Result<String, TargetRefusal> {
    let target = rules::parse_target(raw, allow_private)?;
    if let Some((host, port)) = &target.resolve {
        public_addresses(host, *port).await?;
    }
    Ok(target.url.to_string())
}

/// The addresses `host` resolves to, refused unless there is at least one and all are public.
/// Registration, the check before each send and the delivery connection itself all resolve
/// through this, so they apply one rule.
pub async fn public_addresses(
    host: &str,
    port: u16,
) -> Result<Vec<std::net::SocketAddr>, TargetRefusal> {
    let addresses: Vec<std::net::SocketAddr> = tokio::net::lookup_host((host, port))
        .await
        .map_err(|_| TargetRefusal::Host)?
        .collect();
    if addresses.is_empty() {
        return Err(TargetRefusal::Host);
    }
    let ips: Vec<std::net::IpAddr> = addresses.iter().map(|a| a.ip()).collect();
    rules::check_addresses(&ips)?;
    Ok(addresses)
}

async fn valid_url(raw: &str, allow_private: bool) -> Result<String, ApiError> {
    check_target(raw, allow_private)
        .await
        .map_err(|refusal| ApiError::Validation(vec![FieldError::new("url", refusal.to_string())]))
}

fn event_names(events: &[WebhookEvent]) -> Vec<String> {
    let mut names: Vec<String> = events.iter().map(|e| e.as_str().to_owned()).collect();
    names.sort();
    names.dedup();
    names
}

/// Registers a webhook.
pub async fn create(
    pool: &DbPool,
    context: &AuditContext,
    url: &str,
    events: &[WebhookEvent],
    secret: &str,
    allow_private: bool,
) -> Result<WebhookRow, ApiError> {
    let url = valid_url(url, allow_private).await?;
    let events = event_names(events);
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let row = db::webhooks::insert(conn, &url, &events, secret, context.user_id()).await?;
        audit::append(
            conn,
            &context.entry(
                "webhook.create",
                "webhook",
                Some(row.id.to_string()),
                json!({ "url": row.url, "events": events }),
            ),
        )
        .await?;
        Ok(row)
    })
    .await
}

/// What a PATCH may change.
#[derive(Debug, Default)]
pub struct WebhookPatch {
    /// New URL.
    pub url: Option<String>,
    /// New subscriptions.
    pub events: Option<Vec<WebhookEvent>>,
    /// Switch deliveries on or off.
    pub active: Option<bool>,
}

/// Changes a webhook.
pub async fn update(
    pool: &DbPool,
    context: &AuditContext,
    id: Uuid,
    patch: WebhookPatch,
    allow_private: bool,
) -> Result<WebhookRow, ApiError> {
    let url = match &patch.url {
        Some(url) => Some(valid_url(url, allow_private).await?),
        None => None,
    };
    let changes = WebhookChanges {
        url,
        events: patch.events.as_deref().map(event_names),
        active: patch.active,
    };
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let row = db::webhooks::update(conn, id, &changes).await?;
        audit::append(
            conn,
            &context.entry(
                "webhook.update",
                "webhook",
                Some(id.to_string()),
                json!({ "url": changes.url, "events": changes.events, "active": changes.active }),
            ),
        )
        .await?;
        Ok(row)
    })
    .await
}

/// Deletes a webhook and its delivery log.
pub async fn delete(pool: &DbPool, context: &AuditContext, id: Uuid) -> Result<(), ApiError> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let row = db::webhooks::delete(conn, id).await?;
        audit::append(
            conn,
            &context.entry(
                "webhook.delete",
                "webhook",
                Some(id.to_string()),
                json!({ "url": row.url }),
            ),
        )
        .await?;
        Ok(())
    })
    .await
}

/// Queues a delivery to be sent again now.
pub async fn replay(
    pool: &DbPool,
    context: &AuditContext,
    webhook_id: Uuid,
    delivery_id: Uuid,
) -> Result<DeliveryRow, ApiError> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let row = db::webhooks::requeue(conn, webhook_id, delivery_id).await?;
        audit::append(
            conn,
            &context.entry(
                "webhook.replay",
                "webhook",
                Some(webhook_id.to_string()),
                json!({ "delivery": delivery_id, "event": row.event }),
            ),
        )
        .await?;
        Ok(row)
    })
    .await
}

/// Writes `event` about `article` to the outbox, with a delivery for each subscribed webhook.
/// Call it inside the transaction of the change, so the event exists exactly when the change
/// does.
pub async fn emit(
    conn: &mut AsyncPgConnection,
    event: WebhookEvent,
    article: &ArticleRow,
) -> Result<(), ApiError> {
    let id = Uuid::now_v7();
    let payload = json!({
        "event": event.as_str(),
        "id": id,
        "occurred_at": Utc::now(),
        "article": {
            "id": article.id,
            "slug": article.slug,
            "headline": article.headline,
            "status": article.status,
            "version": article.version,
        },
    });
    db::webhooks::enqueue(conn, id, event.as_str(), article.id, &payload).await?;
    Ok(())
}
