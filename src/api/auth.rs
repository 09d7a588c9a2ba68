//! `/api/v1/auth`: log in, refresh, log out, who am I, change my password.

use actix_web::{HttpResponse, get, post, web};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::problems::{BodyErrors, ProtectedErrors};
use super::users::UserView;
use crate::audit::AuditContext;
use crate::auth::sessions::{self, IssuedTokens};
use crate::auth::{Action, Caller, accounts};
use crate::db;
use crate::domain::accounts::normalize_email;
use crate::error::{ApiError, FieldError, ProblemDetails};
use crate::http::client_ip::ClientIp;
use crate::startup::AppState;

/// E-mail and password.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[schema(example = json!({"email": "ana@newsroom.example", "password": "correct horse battery"}))]
pub struct LoginRequest {
    /// The account's e-mail address (case does not matter).
    #[validate(length(min = 1, max = 254, message = "must be 1 to 254 characters"))]
    #[schema(min_length = 1, max_length = 254, format = "email")]
    pub email: String,
    /// The password.
    #[validate(length(min = 1, max = 1024, message = "must be 1 to 1024 characters"))]
    #[schema(min_length = 1, max_length = 1024)]
    pub password: String,
}

/// A new access token and refresh token.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenResponse {
    /// JWT to send as `Authorization: Bearer …`.
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub expires_in: i64,
    /// Opaque token for `POST /api/v1/auth/refresh`; single use, rotated on every refresh.
    pub refresh_token: String,
}

impl From<IssuedTokens> for TokenResponse {
    fn from(t: IssuedTokens) -> Self {
        Self {
            access_token: t.access_token,
            token_type: "Bearer",
            expires_in: (t.access_expires_at - Utc::now()).num_seconds().max(0),
            refresh_token: t.refresh_token,
        }
    }
}

/// A refresh token to exchange.
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct RefreshRequest {
    /// The refresh token from the last log-in or refresh.
    #[validate(length(min = 1, max = 256, message = "must be 1 to 256 characters"))]
    #[schema(min_length = 1, max_length = 256)]
    pub refresh_token: String,
}

/// The current password and the new one.
#[derive(Debug, Deserialize, Validate, ToSchema)]
pub struct ChangePasswordRequest {
    /// The password in use now.
    #[validate(length(min = 1, max = 1024, message = "must be 1 to 1024 characters"))]
    #[schema(min_length = 1, max_length = 1024)]
    pub current_password: String,
    /// The new password: 12 to 128 characters, not the e-mail address.
    #[validate(length(min = 12, max = 128, message = "must be 12 to 128 characters"))]
    #[schema(min_length = 12, max_length = 128)]
    pub new_password: String,
}

/// Log in with e-mail and password.
///
/// Returns a short-lived access token (JWT) and a refresh token. An unknown e-mail, a wrong
/// password and a deactivated account get the same answer. After 5 failures for one account
/// within 15 minutes (and a looser limit per client address), attempts are refused with 429
/// and `Retry-After`.
#[utoipa::path(
    tag = "auth",
    operation_id = "login",
    request_body = LoginRequest,
    security(()),
    responses(
        (status = 200, description = "Signed in", body = TokenResponse),
        (status = 401, description = "Wrong e-mail or password", body = ProblemDetails,
            content_type = "application/problem+json"),
        (status = 429, description = "Too many failures; see `Retry-After`", body = ProblemDetails,
            content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        (status = 503, description = "The database is unavailable", body = ProblemDetails,
            content_type = "application/problem+json"),
        BodyErrors,
    )
)]
#[post("/auth/login")]
pub async fn login(
    state: web::Data<AppState>,
    ip: ClientIp,
    body: crate::http::json::Json<LoginRequest>,
) -> Result<web::Json<TokenResponse>, ApiError> {
    body.validate()?;
    let email = normalize_email(&body.email)
        .map_err(|m| ApiError::Validation(vec![FieldError::new("email", m)]))?;
    let tokens = sessions::login(&state, &email, &body.password, &ip).await?;
    Ok(web::Json(tokens.into()))
}

/// Exchange a refresh token for a new token pair.
///
/// The refresh token is single use. Presenting one that was already exchanged revokes the whole
/// session (all its tokens): it means a copy is in someone else's hands.
#[utoipa::path(
    tag = "auth",
    operation_id = "refresh_token",
    request_body = RefreshRequest,
    security(()),
    responses(
        (status = 200, description = "A new token pair", body = TokenResponse),
        (status = 401, description = "Invalid, expired, revoked or reused refresh token",
            body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable", body = ProblemDetails,
            content_type = "application/problem+json"),
        BodyErrors,
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(
    state: web::Data<AppState>,
    ip: ClientIp,
    body: crate::http::json::Json<RefreshRequest>,
) -> Result<web::Json<TokenResponse>, ApiError> {
    body.validate()?;
    let tokens = sessions::refresh(&state, &body.refresh_token, &ip).await?;
    Ok(web::Json(tokens.into()))
}

/// Log out: end the session of this access token.
///
/// The session's refresh token and access tokens stop working at once.
#[utoipa::path(
    tag = "auth",
    operation_id = "logout",
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Logged out"),
        ProtectedErrors,
    )
)]
#[post("/auth/logout")]
pub async fn logout(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::UseOwnAccount)?;
    if let Caller::User { id, session_id, .. } = &caller {
        sessions::logout(&state, *id, *session_id, &AuditContext::of(&caller, &ip)).await?;
    }
    Ok(HttpResponse::NoContent().finish())
}

/// The signed-in user.
#[utoipa::path(
    tag = "auth",
    operation_id = "get_current_user",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The signed-in user", body = UserView),
        ProtectedErrors,
    )
)]
#[get("/auth/me")]
pub async fn me(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<UserView>, ApiError> {
    caller.require(Action::UseOwnAccount)?;
    let id = caller
        .user_id()
        .ok_or_else(|| ApiError::Forbidden("an API token has no user account".to_owned()))?;
    let mut conn = state.pool.get().await?;
    let user = db::users::find(&mut conn, id).await?;
    Ok(web::Json(user.into()))
}

/// Change your own password.
///
/// Needs the current password; wrong ones count as failed log-ins (and are throttled alike).
/// Every other session of the account ends; this one stays.
#[utoipa::path(
    tag = "auth",
    operation_id = "change_own_password",
    request_body = ChangePasswordRequest,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Password changed"),
        (status = 429, description = "Too many wrong passwords; see `Retry-After`",
            body = ProblemDetails, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait"))),
        ProtectedErrors,
        BodyErrors,
    )
)]
#[post("/auth/password")]
pub async fn change_password(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    body: crate::http::json::Json<ChangePasswordRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::UseOwnAccount)?;
    body.validate()?;
    let Caller::User { id, session_id, .. } = &caller else {
        return Err(ApiError::Forbidden(
            "an API token has no password".to_owned(),
        ));
    };
    let body = body.into_inner();
    accounts::change_own_password(
        &state.pool,
        &state.auth,
        &ip,
        &AuditContext::of(&caller, &ip),
        *id,
        *session_id,
        body.current_password,
        body.new_password,
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
