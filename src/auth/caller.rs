//! The `Caller` extractor: who sent this request, from its bearer token.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest, web};
use futures_util::future::LocalBoxFuture;

use super::policy::{Action, Caller, permits};
use super::tokens::{API_TOKEN_PREFIX, hash_secret};
use crate::db;
use crate::domain::accounts::{Role, Scope};
use crate::error::ApiError;
use crate::startup::AppState;

const INVALID: &str = "the bearer token is invalid, expired or revoked";

impl Caller {
    /// Refuses with 403 unless the policy permits `action`.
    pub fn require(&self, action: Action) -> Result<(), ApiError> {
        if permits(self, action) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(
                "your role or token scopes do not allow this".to_owned(),
            ))
        }
    }

    /// Refuses with 404, as if the resource did not exist, unless the policy permits
    /// `action`: for things whose mere existence a caller should not learn.
    pub fn require_visible(&self, action: Action) -> Result<(), ApiError> {
        if permits(self, action) {
            Ok(())
        } else {
            Err(ApiError::unknown_resource())
        }
    }
}

/// The token of an `Authorization: Bearer` header; 401 when there is none.
pub fn bearer_token(req: &HttpRequest) -> Result<String, ApiError> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .ok_or_else(|| ApiError::Unauthorized("send `Authorization: Bearer <token>`".to_owned()))?;
    let value = value
        .to_str()
        .map_err(|_| ApiError::Unauthorized(INVALID.to_owned()))?;
    let (scheme, token) = value
        .split_once(' ')
        .ok_or_else(|| ApiError::Unauthorized("send `Authorization: Bearer <token>`".to_owned()))?;
    if !scheme.eq_ignore_ascii_case("bearer") || token.trim().is_empty() {
        return Err(ApiError::Unauthorized(
            "send `Authorization: Bearer <token>`".to_owned(),
        ));
    }
    Ok(token.trim().to_owned())
}

/// Resolves a bearer token to a caller: API tokens by hash, access tokens by signature and
/// then by their session, so logout, deactivation and role changes take effect at once.
pub async fn authenticate(state: &AppState, token: &str) -> Result<Caller, ApiError> {
    let mut conn = state.pool.get().await?;
    if token.starts_with(API_TOKEN_PREFIX) {
        let row = db::api_tokens::find_usable(&mut conn, &hash_secret(token))
            .await?
            .ok_or_else(|| ApiError::Unauthorized(INVALID.to_owned()))?;
        db::api_tokens::touch_last_used(&mut conn, row.id).await?;
        return Ok(Caller::ApiToken {
            id: row.id,
            scopes: row
                .scopes
                .iter()
                .flatten()
                .filter_map(|s| Scope::parse(s))
                .collect(),
        });
    }
    let claims = state
        .auth
        .jwt
        .verify(token)
        .ok_or_else(|| ApiError::Unauthorized(INVALID.to_owned()))?;
    let role = db::sessions::live_session_role(&mut conn, claims.sid, claims.sub)
        .await?
        .and_then(|r| Role::parse(&r))
        .ok_or_else(|| ApiError::Unauthorized(INVALID.to_owned()))?;
    Ok(Caller::User {
        id: claims.sub,
        role,
        session_id: claims.sid,
    })
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let token = bearer_token(req);
        Box::pin(async move {
            let state = state
                .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("application state missing")))?;
            authenticate(&state, &token?).await
        })
    }
}
