//! `/api/v1/users`: accounts, managed by admins.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::pagination::{Page, PageParams, page};
use super::problems::{BodyErrors, ConflictErrors, NotFoundErrors, ProtectedErrors, QueryErrors};
use crate::audit::AuditContext;
use crate::auth::accounts::{self, AccountChanges, NewAccount};
use crate::auth::{Action, Caller};
use crate::db;
use crate::db::users::{UserFilter, UserRow};
use crate::domain::accounts::{Role, normalize_email};
use crate::error::{ApiError, FieldError};
use crate::http::client_ip::ClientIp;
use crate::startup::AppState;

/// A user account (never its password hash).
#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    /// Id.
    pub id: Uuid,
    /// E-mail address, lower-cased.
    #[schema(example = "ana@newsroom.example")]
    pub email: String,
    /// Display name.
    #[schema(example = "Ana Lima")]
    pub name: String,
    /// Role.
    pub role: Role,
    /// Whether the account may sign in.
    pub active: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Last successful log-in.
    pub last_login_at: Option<DateTime<Utc>>,
}

impl From<UserRow> for UserView {
    fn from(u: UserRow) -> Self {
        Self {
            id: u.id,
            email: u.email,
            name: u.name,
            // The column has a CHECK constraint; writer is the least privileged fallback.
            role: Role::parse(&u.role).unwrap_or(Role::Writer),
            active: u.active,
            created_at: u.created_at,
            updated_at: u.updated_at,
            last_login_at: u.last_login_at,
        }
    }
}

/// A new account.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(example = json!({"email": "ana@newsroom.example", "password": "correct horse battery",
    "name": "Ana Lima", "role": "writer"}))]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    /// E-mail address; unique regardless of case.
    #[validate(length(min = 3, max = 254, message = "must be 3 to 254 characters"))]
    #[schema(min_length = 3, max_length = 254, format = "email")]
    pub email: String,
    /// Password: 12 to 128 characters, not the e-mail address.
    #[validate(length(min = 12, max = 128, message = "must be 12 to 128 characters"))]
    #[schema(min_length = 12, max_length = 128)]
    pub password: String,
    /// Display name.
    #[validate(length(min = 1, max = 200, message = "must be 1 to 200 characters"))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// Role.
    pub role: Role,
}

/// Changes to an account; absent fields stay as they are.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    /// New e-mail address.
    #[validate(length(min = 3, max = 254, message = "must be 3 to 254 characters"))]
    #[schema(min_length = 3, max_length = 254, format = "email")]
    pub email: Option<String>,
    /// New display name.
    #[validate(length(min = 1, max = 200, message = "must be 1 to 200 characters"))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    /// New role.
    pub role: Option<Role>,
    /// `false` deactivates the account: its sessions and the API tokens it issued are revoked
    /// at once.
    pub active: Option<bool>,
    /// A new password (an admin's reset); the user's sessions end.
    #[validate(length(min = 12, max = 128, message = "must be 12 to 128 characters"))]
    #[schema(min_length = 12, max_length = 128)]
    pub password: Option<String>,
}

/// Filters of the user list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserListQuery {
    /// Only users with this role.
    pub role: Option<Role>,
    /// Only active (`true`) or deactivated (`false`) users.
    pub active: Option<bool>,
    /// Name or e-mail contains this text (case-insensitive).
    pub q: Option<String>,
}

fn email_field(raw: &str) -> Result<String, ApiError> {
    normalize_email(raw).map_err(|m| ApiError::Validation(vec![FieldError::new("email", m)]))
}

/// Create a user account.
#[utoipa::path(
    tag = "users",
    operation_id = "create_user",
    request_body = CreateUserRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = UserView,
            headers(("Location" = String, description = "URL of the new user"))),
        ProtectedErrors,
        BodyErrors,
        ConflictErrors,
    )
)]
#[post("/users")]
pub async fn create_user(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    body: crate::http::json::Json<CreateUserRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::ManageUsers)?;
    body.validate()?;
    let body = body.into_inner();
    let account = NewAccount {
        email: email_field(&body.email)?,
        name: body.name.trim().to_owned(),
        role: body.role,
        password: body.password,
    };
    let user = accounts::create_user(&state.pool, &AuditContext::of(&caller, &ip), account).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/users/{}", user.id)))
        .json(UserView::from(user)))
}

/// List user accounts, ordered by e-mail.
#[utoipa::path(
    tag = "users",
    operation_id = "list_users",
    params(UserListQuery, PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of users", body = Page<UserView>),
        ProtectedErrors,
        QueryErrors,
    )
)]
#[get("/users")]
pub async fn list_users(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<UserListQuery>,
    paging: web::Query<PageParams>,
) -> Result<web::Json<Page<UserView>>, ApiError> {
    caller.require(Action::ManageUsers)?;
    let limit = paging.limit()?;
    let after: Option<String> = paging.cursor()?;
    let filter = UserFilter {
        role: filter.role.map(|r| r.as_str().to_owned()),
        active: filter.active,
        text: filter.q.clone().filter(|q| !q.trim().is_empty()),
    };
    let mut conn = state.pool.get().await?;
    let rows = db::users::list(&mut conn, &filter, after.as_deref(), limit + 1).await?;
    Ok(web::Json(page(
        rows,
        limit,
        |u| u.email.clone(),
        UserView::from,
    )))
}

/// Read a user account.
#[utoipa::path(
    tag = "users",
    operation_id = "get_user",
    params(("id" = Uuid, Path, description = "User id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The user", body = UserView),
        ProtectedErrors,
        NotFoundErrors,
    )
)]
#[get("/users/{id}")]
pub async fn get_user(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<UserView>, ApiError> {
    caller.require(Action::ManageUsers)?;
    let mut conn = state.pool.get().await?;
    let user = db::users::find(&mut conn, *id).await?;
    Ok(web::Json(user.into()))
}

/// Change a user account: name, e-mail, role, active flag, or reset its password.
///
/// Deactivating a user ends its sessions and revokes the API tokens it issued at once. An admin
/// cannot deactivate, demote or delete itself, and the last active admin cannot lose access.
#[utoipa::path(
    tag = "users",
    operation_id = "update_user",
    params(("id" = Uuid, Path, description = "User id")),
    request_body = UpdateUserRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changed user", body = UserView),
        ProtectedErrors,
        NotFoundErrors,
        BodyErrors,
        ConflictErrors,
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    id: web::Path<Uuid>,
    body: crate::http::json::Json<UpdateUserRequest>,
) -> Result<web::Json<UserView>, ApiError> {
    caller.require(Action::ManageUsers)?;
    body.validate()?;
    let body = body.into_inner();
    let changes = AccountChanges {
        email: body.email.as_deref().map(email_field).transpose()?,
        name: body.name.map(|n| n.trim().to_owned()),
        role: body.role,
        active: body.active,
        password: body.password,
    };
    let user = accounts::update_user(
        &state.pool,
        &AuditContext::of(&caller, &ip),
        caller.user_id(),
        *id,
        changes,
    )
    .await?;
    Ok(web::Json(user.into()))
}

/// Delete a user account.
///
/// Its sessions end; API tokens it issued stay valid but lose their issuer. Prefer
/// deactivation (`PATCH` with `active: false`) to keep the account's history attributed.
#[utoipa::path(
    tag = "users",
    operation_id = "delete_user",
    params(("id" = Uuid, Path, description = "User id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        ProtectedErrors,
        NotFoundErrors,
        ConflictErrors,
    )
)]
#[delete("/users/{id}")]
pub async fn delete_user(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::ManageUsers)?;
    accounts::delete_user(
        &state.pool,
        &AuditContext::of(&caller, &ip),
        caller.user_id(),
        *id,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
