//! `/api/v1/api-tokens`: long-lived tokens for client apps, managed by admins.

use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::problems::{BodyErrors, NotFoundErrors, ProtectedErrors};
use crate::audit::AuditContext;
use crate::auth::{Action, Caller, api_tokens};
use crate::db;
use crate::db::api_tokens::ApiTokenRow;
use crate::domain::accounts::Scope;
use crate::error::{ApiError, FieldError};
use crate::http::client_ip::ClientIp;
use crate::startup::AppState;

/// An API token as listed (never its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiTokenView {
    /// Id.
    pub id: Uuid,
    /// What the token is for.
    #[schema(example = "Web site renderer")]
    pub name: String,
    /// The first characters of the secret, to tell tokens apart.
    #[schema(example = "nr_Xk3v9")]
    pub token_prefix: String,
    /// What the token may do.
    pub scopes: Vec<Scope>,
    /// The admin who issued it (null once that account is deleted).
    pub created_by: Option<Uuid>,
    /// Issued.
    pub created_at: DateTime<Utc>,
    /// Stops working then, if set.
    pub expires_at: Option<DateTime<Utc>>,
    /// Last used (to the minute).
    pub last_used_at: Option<DateTime<Utc>>,
    /// Revoked then, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl From<ApiTokenRow> for ApiTokenView {
    fn from(t: ApiTokenRow) -> Self {
        Self {
            id: t.id,
            name: t.name,
            token_prefix: t.token_prefix,
            scopes: t
                .scopes
                .iter()
                .flatten()
                .filter_map(|s| Scope::parse(s))
                .collect(),
            created_by: t.created_by,
            created_at: t.created_at,
            expires_at: t.expires_at,
            last_used_at: t.last_used_at,
            revoked_at: t.revoked_at,
        }
    }
}

/// A newly issued token, with its secret shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiToken {
    /// The token's details.
    #[serde(flatten)]
    pub details: ApiTokenView,
    /// The secret, to send as `Authorization: Bearer …`. It is stored only as a hash and cannot
    /// be shown again.
    #[schema(example = "nr_Xk3v9Q2mZp7c1Tn0bWfLr8sYdHgA4eJuVoKiMxC5q6")]
    pub token: String,
}

/// A token to issue.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(example = json!({"name": "Web site renderer", "scopes": ["content:read"]}))]
pub struct CreateApiTokenRequest {
    /// What the token is for.
    #[validate(length(min = 1, max = 200, message = "must be 1 to 200 characters"))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// What it may do: `content:read`, `content:write`, `images:write`, `admin`.
    #[validate(length(min = 1, max = 4, message = "must name 1 to 4 scopes"))]
    #[schema(min_items = 1, max_items = 4)]
    pub scopes: Vec<Scope>,
    /// Optional expiry, in the future.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Issue an API token for a client app.
///
/// The response carries the secret (`token`, starting with `nr_`) once; only its hash is kept.
#[utoipa::path(
    tag = "api-tokens",
    operation_id = "create_api_token",
    request_body = CreateApiTokenRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Issued; `token` is shown only now", body = CreatedApiToken),
        ProtectedErrors,
        BodyErrors,
    )
)]
#[post("/api-tokens")]
pub async fn create_api_token(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    body: crate::http::json::Json<CreateApiTokenRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::ManageApiTokens)?;
    body.validate()?;
    if body.expires_at.is_some_and(|t| t <= Utc::now()) {
        return Err(ApiError::Validation(vec![FieldError::new(
            "expires_at",
            "must be in the future",
        )]));
    }
    let (row, token) = api_tokens::issue(
        &state.pool,
        &AuditContext::of(&caller, &ip),
        caller.user_id(),
        body.name.trim(),
        &body.scopes,
        body.expires_at,
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/api-tokens/{}", row.id)))
        .json(CreatedApiToken {
            details: row.into(),
            token,
        }))
}

/// List API tokens, newest first, revoked ones included.
#[utoipa::path(
    tag = "api-tokens",
    operation_id = "list_api_tokens",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "All tokens", body = Vec<ApiTokenView>),
        ProtectedErrors,
    )
)]
#[get("/api-tokens")]
pub async fn list_api_tokens(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<Vec<ApiTokenView>>, ApiError> {
    caller.require(Action::ManageApiTokens)?;
    let mut conn = state.pool.get().await?;
    let rows = db::api_tokens::list(&mut conn).await?;
    Ok(web::Json(rows.into_iter().map(Into::into).collect()))
}

/// Revoke an API token; it stops working at once.
#[utoipa::path(
    tag = "api-tokens",
    operation_id = "revoke_api_token",
    params(("id" = Uuid, Path, description = "Token id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Revoked"),
        ProtectedErrors,
        NotFoundErrors,
    )
)]
#[delete("/api-tokens/{id}")]
pub async fn revoke_api_token(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::ManageApiTokens)?;
    api_tokens::revoke(&state.pool, &AuditContext::of(&caller, &ip), *id).await?;
    Ok(HttpResponse::NoContent().finish())
}
