//! Log-in, refresh-token rotation with theft detection, log-out.

use actix_web::web;
use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use serde_json::json;
use uuid::Uuid;

use super::AuthSettings;
use super::password::{self, Verdict};
use super::tokens::{hash_secret, random_secret};
use crate::audit::AuditContext;
use crate::db::login_attempts::Subject;
use crate::db::{self, audit};
use crate::domain::accounts::Role;
use crate::domain::throttle;
use crate::error::ApiError;
use crate::http::client_ip::ClientIp;
use crate::startup::AppState;

/// The same answer for an unknown e-mail, a wrong password and an inactive account.
const BAD_CREDENTIALS: &str = "the e-mail or password is wrong";

/// A freshly issued access token and refresh token.
#[derive(Debug)]
pub struct IssuedTokens {
    /// The JWT.
    pub access_token: String,
    /// When the JWT expires.
    pub access_expires_at: DateTime<Utc>,
    /// The opaque refresh token (shown once, stored hashed).
    pub refresh_token: String,
}

/// Checks the credentials and opens a session. `email` is normalised.
pub async fn login(
    state: &AppState,
    email: &str,
    password: &str,
    ip: &ClientIp,
) -> Result<IssuedTokens, ApiError> {
    let now = Utc::now();
    let settings = &state.auth;
    let mut conn = state.pool.get().await?;
    let attempt = begin_attempt(&mut conn, settings, email, ip).await?;
    let user = db::users::find_by_email(&mut conn, email).await?;
    // Hashing takes tens of milliseconds: give the connection back meanwhile.
    drop(conn);
    let stored = user.as_ref().map(|u| u.password_hash.clone());
    let password = password.to_owned();
    let (verdict, new_hash) = web::block(move || match stored {
        Some(stored) => match password::verify(&password, &stored) {
            Verdict::RightButRehash => (Verdict::RightButRehash, password::hash(&password).ok()),
            verdict => (verdict, None),
        },
        None => (password::verify_dummy(&password), None),
    })
    .await
    .map_err(|e| ApiError::Internal(anyhow::anyhow!("password check failed: {e}")))?;

    let mut conn = state.pool.get().await?;
    let user = match user {
        Some(user) if user.active && verdict != Verdict::Wrong => user,
        other => {
            let context = AuditContext::anonymous(ip);
            let entry = context.entry(
                "auth.login_failed",
                "user",
                other.map(|u| u.id.to_string()),
                json!({ "email": email }),
            );
            // The attempt is already recorded as a failure.
            audit::append(&mut conn, &entry).await?;
            return Err(ApiError::Unauthorized(BAD_CREDENTIALS.to_owned()));
        }
    };
    let role = parse_role(&user.role)?;
    let refresh_token = random_secret();
    let refresh_hash = hash_secret(&refresh_token);
    let expires_at = now + settings.refresh_ttl;
    let entry = AuditContext::user(user.id, ip).entry(
        "auth.login",
        "user",
        Some(user.id.to_string()),
        json!({ "rehashed": new_hash.is_some() }),
    );
    let session_id = conn
        .transaction::<_, ApiError, _>(async |conn| {
            db::login_attempts::mark_succeeded(conn, attempt).await?;
            db::users::touch_last_login(conn, user.id).await?;
            if let Some(hash) = new_hash {
                let changes = db::users::UserChanges {
                    password_hash: Some(hash),
                    ..Default::default()
                };
                db::users::update(conn, user.id, &changes).await?;
            }
            let session = db::sessions::create(conn, user.id, expires_at, &refresh_hash).await?;
            audit::append(conn, &entry).await?;
            Ok(session)
        })
        .await?;
    let (access_token, access_expires_at) = settings.jwt.issue(user.id, role, session_id, now)?;
    Ok(IssuedTokens {
        access_token,
        access_expires_at,
        refresh_token,
    })
}

/// Checks the log-in limits for `email` and `ip` and records the attempt as a failure until
/// the caller proves otherwise ([`db::login_attempts::mark_succeeded`]). Check and record
/// happen under per-subject locks, so a burst of concurrent guesses is counted one by one.
pub async fn begin_attempt(
    conn: &mut diesel_async::AsyncPgConnection,
    settings: &AuthSettings,
    email: &str,
    ip: &ClientIp,
) -> Result<i64, ApiError> {
    let now = Utc::now();
    conn.transaction::<_, ApiError, _>(async |conn| {
        // Always e-mail first, then address: one order, no deadlocks.
        db::login_attempts::lock(conn, Subject::Email(email)).await?;
        db::login_attempts::lock(conn, Subject::ClientIp(&ip.0)).await?;
        let account = db::login_attempts::recent_failures(
            conn,
            Subject::Email(email),
            now - settings.account_limit.window,
            limit_i64(settings.account_limit.max_failures),
        )
        .await?;
        let address = db::login_attempts::recent_failures(
            conn,
            Subject::ClientIp(&ip.0),
            now - settings.ip_limit.window,
            limit_i64(settings.ip_limit.max_failures),
        )
        .await?;
        let wait = [
            throttle::retry_after(settings.account_limit, &account, now),
            throttle::retry_after(settings.ip_limit, &address, now),
        ]
        .into_iter()
        .flatten()
        .max();
        if let Some(retry_after_secs) = wait {
            return Err(ApiError::TooManyRequests { retry_after_secs });
        }
        Ok(db::login_attempts::record(conn, email, &ip.0, false).await?)
    })
    .await
}

enum Rotation {
    Rotated {
        user_id: Uuid,
        role: String,
        session_id: Uuid,
    },
    Reused {
        user_id: Uuid,
        session_id: Uuid,
    },
    Invalid,
}

/// Exchanges a refresh token for a new pair. A token that was already exchanged revokes its
/// whole session: either the client or a thief holds a copy, and we cannot tell which.
pub async fn refresh(
    state: &AppState,
    refresh_token: &str,
    ip: &ClientIp,
) -> Result<IssuedTokens, ApiError> {
    let now = Utc::now();
    let old_hash = hash_secret(refresh_token);
    let new_token = random_secret();
    let new_hash = hash_secret(&new_token);
    let mut conn = state.pool.get().await?;
    let outcome = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let Some(found) = db::sessions::find_refresh(conn, &old_hash).await? else {
                return Ok(Rotation::Invalid);
            };
            let reused = Rotation::Reused {
                user_id: found.user_id,
                session_id: found.session_id,
            };
            if found.revoked_at.is_some() || found.expires_at <= now || !found.active {
                return Ok(Rotation::Invalid);
            }
            if found.rotated_at.is_some() || !db::sessions::mark_rotated(conn, &old_hash).await? {
                db::sessions::revoke(conn, found.session_id, "refresh token reused").await?;
                return Ok(reused);
            }
            db::sessions::add_refresh_token(conn, found.session_id, &new_hash).await?;
            Ok(Rotation::Rotated {
                user_id: found.user_id,
                role: found.role,
                session_id: found.session_id,
            })
        })
        .await?;
    match outcome {
        Rotation::Rotated {
            user_id,
            role,
            session_id,
        } => {
            let (access_token, access_expires_at) =
                state
                    .auth
                    .jwt
                    .issue(user_id, parse_role(&role)?, session_id, now)?;
            Ok(IssuedTokens {
                access_token,
                access_expires_at,
                refresh_token: new_token,
            })
        }
        Rotation::Reused {
            user_id,
            session_id,
        } => {
            let entry = AuditContext::anonymous(ip).entry(
                "auth.refresh_reused",
                "user",
                Some(user_id.to_string()),
                json!({ "session_id": session_id, "session_revoked": true }),
            );
            audit::append(&mut conn, &entry).await?;
            Err(ApiError::Unauthorized(
                "this refresh token was already used; the session has been revoked for safety"
                    .to_owned(),
            ))
        }
        Rotation::Invalid => Err(ApiError::Unauthorized(
            "the refresh token is invalid, expired or revoked".to_owned(),
        )),
    }
}

/// Ends the session of the access token (its refresh token and access tokens stop working).
pub async fn logout(
    state: &AppState,
    user_id: Uuid,
    session_id: Uuid,
    context: &AuditContext,
) -> Result<(), ApiError> {
    let mut conn = state.pool.get().await?;
    let entry = context.entry(
        "auth.logout",
        "user",
        Some(user_id.to_string()),
        json!({ "session_id": session_id }),
    );
    conn.transaction::<_, ApiError, _>(async |conn| {
        db::sessions::revoke(conn, session_id, "logged out").await?;
        audit::append(conn, &entry).await?;
        Ok(())
    })
    .await
}

fn parse_role(stored: &str) -> Result<Role, ApiError> {
    Role::parse(stored).ok_or_else(|| ApiError::Internal(anyhow::anyhow!("unknown role {stored}")))
}

fn limit_i64(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
