//! Queries on `webhooks`, the `webhook_events` outbox and `webhook_deliveries`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Jsonb, Nullable, Text, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::{webhook_deliveries, webhook_events, webhooks};

/// A stored webhook.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhooks, check_for_backend(diesel::pg::Pg))]
pub struct WebhookRow {
    /// Id.
    pub id: Uuid,
    /// Where deliveries are POSTed.
    pub url: String,
    /// Subscribed event names.
    pub events: Vec<Option<String>>,
    /// The signing key.
    pub secret: String,
    /// Whether deliveries are made.
    pub active: bool,
    /// The admin who registered it.
    pub created_by: Option<Uuid>,
    /// Registered.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// A change to a webhook; `None` leaves a field alone.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = webhooks)]
pub struct WebhookChanges {
    /// New URL.
    pub url: Option<String>,
    /// New subscriptions.
    pub events: Option<Vec<String>>,
    /// Switch on or off.
    pub active: Option<bool>,
}

/// A delivery as its log shows it.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = webhook_deliveries, check_for_backend(diesel::pg::Pg))]
pub struct DeliveryRow {
    /// Id (also `X-Newsroom-Delivery`).
    pub id: Uuid,
    /// The webhook.
    pub webhook_id: Uuid,
    /// The outbox event.
    pub event_id: Uuid,
    /// Event name.
    pub event: String,
    /// `pending`, `delivered`, `failed` or `dead`.
    pub status: String,
    /// Attempts made.
    pub attempts: i32,
    /// HTTP status of the last attempt.
    pub last_status_code: Option<i32>,
    /// Why the last attempt failed.
    pub last_error: Option<String>,
    /// When the next attempt is due.
    pub next_attempt_at: DateTime<Utc>,
    /// When the receiver accepted it.
    pub delivered_at: Option<DateTime<Utc>>,
    /// Created (with the event).
    pub created_at: DateTime<Utc>,
}

/// Inserts a webhook.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    url: &str,
    events: &[String],
    secret: &str,
    created_by: Option<Uuid>,
) -> QueryResult<WebhookRow> {
    diesel::insert_into(webhooks::table)
        .values((
            webhooks::url.eq(url),
            webhooks::events.eq(events),
            webhooks::secret.eq(secret),
            webhooks::created_by.eq(created_by),
        ))
        .returning(WebhookRow::as_returning())
        .get_result(conn)
        .await
}

/// All webhooks, newest first (a newsroom has a handful).
pub async fn list(conn: &mut AsyncPgConnection) -> QueryResult<Vec<WebhookRow>> {
    webhooks::table
        .select(WebhookRow::as_select())
        .order((webhooks::created_at.desc(), webhooks::id.desc()))
        .load(conn)
        .await
}

/// One webhook; `NotFound` when there is none.
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<WebhookRow> {
    webhooks::table
        .find(id)
        .select(WebhookRow::as_select())
        .get_result(conn)
        .await
}

/// Changes a webhook; `NotFound` when there is none.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: &WebhookChanges,
) -> QueryResult<WebhookRow> {
    diesel::update(webhooks::table.find(id))
        .set((changes, webhooks::updated_at.eq(diesel::dsl::now)))
        .returning(WebhookRow::as_returning())
        .get_result(conn)
        .await
}

/// Deletes a webhook and its deliveries; `NotFound` when there is none.
pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<WebhookRow> {
    diesel::delete(webhooks::table.find(id))
        .returning(WebhookRow::as_returning())
        .get_result(conn)
        .await
}

/// Writes an event to the outbox and queues one delivery for every active webhook subscribed
/// to it; call inside the transaction of the change. Returns the deliveries queued.
pub async fn enqueue(
    conn: &mut AsyncPgConnection,
    event_id: Uuid,
    event: &str,
    article_id: Uuid,
    payload: &serde_json::Value,
) -> QueryResult<usize> {
    diesel::insert_into(webhook_events::table)
        .values((
            webhook_events::id.eq(event_id),
            webhook_events::event.eq(event),
            webhook_events::article_id.eq(article_id),
            webhook_events::payload.eq(payload),
        ))
        .execute(conn)
        .await?;
    diesel::sql_query(
        "INSERT INTO webhook_deliveries (webhook_id, event_id, event) \
         SELECT id, $1, $2 FROM webhooks WHERE active AND $2 = ANY (events)",
    )
    .bind::<SqlUuid, _>(event_id)
    .bind::<Text, _>(event)
    .execute(conn)
    .await
}

/// A delivery's log entries, newest first, after the keyset `after` (`created_at`, `id`).
pub async fn deliveries(
    conn: &mut AsyncPgConnection,
    webhook_id: Uuid,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<DeliveryRow>> {
    let mut query = webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(webhook_id))
        .select(DeliveryRow::as_select())
        .order((
            webhook_deliveries::created_at.desc(),
            webhook_deliveries::id.desc(),
        ))
        .limit(limit)
        .into_boxed();
    if let Some((created_at, id)) = after {
        query = query.filter(
            webhook_deliveries::created_at
                .lt(created_at)
                .or(webhook_deliveries::created_at
                    .eq(created_at)
                    .and(webhook_deliveries::id.lt(id))),
        );
    }
    query.load(conn).await
}

/// Re-queues a delivery of the webhook to be sent now; `NotFound` when it has no such one.
pub async fn requeue(
    conn: &mut AsyncPgConnection,
    webhook_id: Uuid,
    id: Uuid,
) -> QueryResult<DeliveryRow> {
    diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::id.eq(id))
            .filter(webhook_deliveries::webhook_id.eq(webhook_id)),
    )
    .set((
        webhook_deliveries::status.eq("pending"),
        webhook_deliveries::next_attempt_at.eq(diesel::dsl::now),
    ))
    .returning(DeliveryRow::as_returning())
    .get_result(conn)
    .await
}

/// A due delivery handed to this worker, with what it takes to send it.
#[derive(Debug, Clone, QueryableByName)]
pub struct ClaimedDelivery {
    /// Delivery id.
    #[diesel(sql_type = SqlUuid)]
    pub id: Uuid,
    /// Event name.
    #[diesel(sql_type = Text)]
    pub event: String,
    /// Attempts made before this one.
    #[diesel(sql_type = Integer)]
    pub attempts: i32,
    /// Target URL.
    #[diesel(sql_type = Text)]
    pub url: String,
    /// Signing key.
    #[diesel(sql_type = Text)]
    pub secret: String,
    /// The JSON body.
    #[diesel(sql_type = Jsonb)]
    pub payload: serde_json::Value,
}

/// Takes up to `batch` due deliveries of active webhooks, skipping rows another instance holds
/// (`FOR UPDATE SKIP LOCKED`), and leases them for `lease_secs`: their next attempt moves that
/// far ahead, so no other instance takes them while this one sends, and a crash mid-send only
/// delays them.
pub async fn claim_due(
    conn: &mut AsyncPgConnection,
    batch: i64,
    lease_secs: f64,
) -> QueryResult<Vec<ClaimedDelivery>> {
    diesel::sql_query(
        "UPDATE webhook_deliveries d \
         SET next_attempt_at = now() + make_interval(secs => $2) \
         FROM webhooks w, webhook_events e \
         WHERE d.id IN ( \
             SELECT d2.id FROM webhook_deliveries d2 \
             JOIN webhooks w2 ON w2.id = d2.webhook_id \
             WHERE d2.status IN ('pending', 'failed') AND d2.next_attempt_at <= now() \
               AND w2.active \
             ORDER BY d2.next_attempt_at \
             LIMIT $1 \
             FOR UPDATE OF d2 SKIP LOCKED) \
           AND w.id = d.webhook_id AND e.id = d.event_id \
         RETURNING d.id, d.event, d.attempts, w.url, w.secret, e.payload",
    )
    .bind::<BigInt, _>(batch)
    .bind::<diesel::sql_types::Double, _>(lease_secs)
    .load(conn)
    .await
}

/// Records an attempt: its outcome, the new status and (unless delivered or dead) the next
/// attempt's time.
pub async fn record_attempt(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    status: &str,
    status_code: Option<i32>,
    error: Option<&str>,
    next_attempt_at: DateTime<Utc>,
) -> QueryResult<()> {
    diesel::sql_query(
        "UPDATE webhook_deliveries SET \
           status = $2, attempts = attempts + 1, last_status_code = $3, last_error = $4, \
           next_attempt_at = $5, \
           delivered_at = CASE WHEN $2 = 'delivered' THEN now() ELSE delivered_at END \
         WHERE id = $1",
    )
    .bind::<SqlUuid, _>(id)
    .bind::<Text, _>(status)
    .bind::<Nullable<Integer>, _>(status_code)
    .bind::<Nullable<Text>, _>(error)
    .bind::<diesel::sql_types::Timestamptz, _>(next_attempt_at)
    .execute(conn)
    .await
    .map(drop)
}
