//! The append-only audit log.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::audit_log;

/// One recorded action.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_log, check_for_backend(diesel::pg::Pg))]
pub struct AuditRow {
    /// Sequence number (also the pagination key).
    pub id: i64,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// `user`, `api_token`, `anonymous` or `system`.
    pub actor_type: String,
    /// The user or token id.
    pub actor_id: Option<Uuid>,
    /// What was done, e.g. `user.create`.
    pub action: String,
    /// The kind of resource, e.g. `user`.
    pub target_type: String,
    /// The resource's id.
    pub target_id: Option<String>,
    /// The client's address.
    pub client_ip: Option<String>,
    /// The request that did it.
    pub request_id: Option<String>,
    /// The changed fields.
    pub changes: serde_json::Value,
}

/// An entry to append.
#[derive(Debug, Insertable)]
#[diesel(table_name = audit_log)]
pub struct NewAuditEntry {
    /// `user`, `api_token`, `anonymous` or `system`.
    pub actor_type: &'static str,
    /// The user or token id.
    pub actor_id: Option<Uuid>,
    /// What was done.
    pub action: &'static str,
    /// The kind of resource.
    pub target_type: &'static str,
    /// The resource's id.
    pub target_id: Option<String>,
    /// The client's address.
    pub client_ip: Option<String>,
    /// The request that did it.
    pub request_id: Option<String>,
    /// The changed fields.
    pub changes: serde_json::Value,
}

/// Filters of the audit log query.
#[derive(Debug, Default)]
pub struct AuditFilter {
    /// Only this actor.
    pub actor_id: Option<Uuid>,
    /// Only this action.
    pub action: Option<String>,
    /// Only this kind of resource.
    pub target_type: Option<String>,
    /// Only this resource.
    pub target_id: Option<String>,
    /// From this time on.
    pub since: Option<DateTime<Utc>>,
    /// Before this time.
    pub until: Option<DateTime<Utc>>,
    /// Leave out these kinds of resource (what a role may not see).
    pub hidden_target_types: Vec<&'static str>,
}

/// Appends an entry (inside the caller's transaction, when it has one).
pub async fn append(conn: &mut AsyncPgConnection, entry: &NewAuditEntry) -> QueryResult<()> {
    diesel::insert_into(audit_log::table)
        .values(entry)
        .execute(conn)
        .await
        .map(drop)
}

/// One page, newest first, before the sequence number `before`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &AuditFilter,
    before: Option<i64>,
    limit: i64,
) -> QueryResult<Vec<AuditRow>> {
    let mut query = audit_log::table
        .select(AuditRow::as_select())
        .order(audit_log::id.desc())
        .limit(limit)
        .into_boxed();
    if let Some(actor) = filter.actor_id {
        query = query.filter(audit_log::actor_id.eq(actor));
    }
    if let Some(action) = &filter.action {
        query = query.filter(audit_log::action.eq(action.clone()));
    }
    if let Some(target_type) = &filter.target_type {
        query = query.filter(audit_log::target_type.eq(target_type.clone()));
    }
    if let Some(target_id) = &filter.target_id {
        query = query.filter(audit_log::target_id.eq(target_id.clone()));
    }
    if let Some(since) = filter.since {
        query = query.filter(audit_log::occurred_at.ge(since));
    }
    if let Some(until) = filter.until {
        query = query.filter(audit_log::occurred_at.lt(until));
    }
    if !filter.hidden_target_types.is_empty() {
        query = query.filter(audit_log::target_type.ne_all(filter.hidden_target_types.clone()));
    }
    if let Some(before) = before {
        query = query.filter(audit_log::id.lt(before));
    }
    query.load(conn).await
}
