//! `/api/v1/audit-log`: who did what to which resource, when.

use actix_web::{get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::pagination::{Page, PageParams, page};
use super::problems::{ProtectedErrors, QueryErrors};
use crate::auth::{Action, Caller, policy};
use crate::db;
use crate::db::audit::{AuditFilter, AuditRow};
use crate::error::ApiError;
use crate::startup::AppState;

/// Kinds of resource whose entries only admins may read (security-relevant).
const SECURITY_TARGET_TYPES: &[&str] = &["user", "api_token", "webhook"];

/// One audit entry.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryView {
    /// Sequence number.
    pub id: i64,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// `user`, `api_token`, `anonymous` or `system`.
    #[schema(example = "user")]
    pub actor_type: String,
    /// The user or token that did it.
    pub actor_id: Option<Uuid>,
    /// What was done, e.g. `auth.login`, `user.update`, `api_token.revoke`.
    #[schema(example = "user.update")]
    pub action: String,
    /// The kind of resource.
    #[schema(example = "user")]
    pub target_type: String,
    /// The resource's id.
    pub target_id: Option<String>,
    /// The client's address.
    pub client_ip: Option<String>,
    /// The request's `X-Request-Id`.
    pub request_id: Option<String>,
    /// The changed fields, e.g. `{"role": {"from": "writer", "to": "editor"}}`.
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
}

impl From<AuditRow> for AuditEntryView {
    fn from(r: AuditRow) -> Self {
        Self {
            id: r.id,
            occurred_at: r.occurred_at,
            actor_type: r.actor_type,
            actor_id: r.actor_id,
            action: r.action,
            target_type: r.target_type,
            target_id: r.target_id,
            client_ip: r.client_ip,
            request_id: r.request_id,
            changes: r.changes,
        }
    }
}

/// Filters of the audit log.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only entries by this user or token.
    pub actor_id: Option<Uuid>,
    /// Only this action, e.g. `auth.login_failed`.
    pub action: Option<String>,
    /// Only this kind of resource, e.g. `user`.
    pub target_type: Option<String>,
    /// Only this resource.
    pub target_id: Option<String>,
    /// From this time on (RFC 3339).
    pub since: Option<DateTime<Utc>>,
    /// Before this time (RFC 3339).
    pub until: Option<DateTime<Utc>>,
}

/// Query the audit log, newest first.
///
/// Admins see everything. Editors see content changes but not log-ins, users or API tokens.
#[utoipa::path(
    tag = "audit-log",
    operation_id = "list_audit_log",
    params(AuditQuery, PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of entries", body = Page<AuditEntryView>),
        ProtectedErrors,
        QueryErrors,
    )
)]
#[get("/audit-log")]
pub async fn list_audit_log(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<AuditQuery>,
    paging: web::Query<PageParams>,
) -> Result<web::Json<Page<AuditEntryView>>, ApiError> {
    caller.require(Action::ReadAuditLog)?;
    let limit = paging.limit()?;
    let before: Option<i64> = paging.cursor()?;
    let query = query.into_inner();
    let filter = AuditFilter {
        actor_id: query.actor_id,
        action: query.action,
        target_type: query.target_type,
        target_id: query.target_id,
        since: query.since,
        until: query.until,
        hidden_target_types: if policy::permits(&caller, Action::ReadSecurityAuditLog) {
            Vec::new()
        } else {
            SECURITY_TARGET_TYPES.to_vec()
        },
    };
    let mut conn = state.pool.get().await?;
    let rows = db::audit::list(&mut conn, &filter, before, limit + 1).await?;
    Ok(web::Json(page(rows, limit, |r| r.id, AuditEntryView::from)))
}
