//! API tokens for client apps: issued by admins, shown once, stored hashed, revocable.

use chrono::{DateTime, Utc};
use diesel_async::AsyncConnection;
use serde_json::json;
use uuid::Uuid;

use super::tokens::{hash_secret, new_api_token};
use crate::audit::AuditContext;
use crate::db::api_tokens::{ApiTokenRow, NewApiToken};
use crate::db::{self, DbPool, audit};
use crate::domain::accounts::Scope;
use crate::error::ApiError;

/// Characters of the secret kept in clear, so people can tell tokens apart.
const VISIBLE_PREFIX_CHARS: usize = 8;

/// Issues a token; returns the stored row and the secret, which is never available again.
pub async fn issue(
    pool: &DbPool,
    context: &AuditContext,
    issuer: Option<Uuid>,
    name: &str,
    scopes: &[Scope],
    expires_at: Option<DateTime<Utc>>,
) -> Result<(ApiTokenRow, String), ApiError> {
    let secret = new_api_token();
    let hash = hash_secret(&secret);
    let prefix: String = secret.chars().take(VISIBLE_PREFIX_CHARS).collect();
    let mut scope_names: Vec<String> = scopes.iter().map(|s| s.as_str().to_owned()).collect();
    scope_names.sort();
    scope_names.dedup();
    let mut conn = pool.get().await?;
    let row = conn
        .transaction::<_, ApiError, _>(async |conn| {
            let row = db::api_tokens::insert(
                conn,
                &NewApiToken {
                    name,
                    token_prefix: &prefix,
                    token_hash: &hash,
                    scopes: scope_names.clone(),
                    created_by: issuer,
                    expires_at,
                },
            )
            .await?;
            let changes = json!({ "name": name, "scopes": scope_names, "expires_at": expires_at });
            audit::append(
                conn,
                &context.entry(
                    "api_token.create",
                    "api_token",
                    Some(row.id.to_string()),
                    changes,
                ),
            )
            .await?;
            Ok(row)
        })
        .await?;
    Ok((row, secret))
}

/// Revokes a token at once.
pub async fn revoke(pool: &DbPool, context: &AuditContext, id: Uuid) -> Result<(), ApiError> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let row = db::api_tokens::revoke(conn, id).await?;
        audit::append(
            conn,
            &context.entry(
                "api_token.revoke",
                "api_token",
                Some(id.to_string()),
                json!({ "name": row.name }),
            ),
        )
        .await?;
        Ok(())
    })
    .await
}
