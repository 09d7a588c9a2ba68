//! Queries on `sessions` (refresh-token families) and `refresh_tokens`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::{refresh_tokens, sessions, users};

/// What a refresh token leads to.
#[derive(Debug, Clone, Queryable)]
pub struct RefreshLookup {
    /// The session (family) id.
    pub session_id: Uuid,
    /// When this token was already exchanged, if it was.
    pub rotated_at: Option<DateTime<Utc>>,
    /// When the session was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
    /// When the session ends.
    pub expires_at: DateTime<Utc>,
    /// The user.
    pub user_id: Uuid,
    /// The user's role.
    pub role: String,
    /// Whether the user may sign in.
    pub active: bool,
}

/// Starts a session for `user_id` with its first refresh token.
pub async fn create(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    expires_at: DateTime<Utc>,
    token_hash: &[u8],
) -> QueryResult<Uuid> {
    let session_id: Uuid = diesel::insert_into(sessions::table)
        .values((
            sessions::user_id.eq(user_id),
            sessions::expires_at.eq(expires_at),
        ))
        .returning(sessions::id)
        .get_result(conn)
        .await?;
    add_refresh_token(conn, session_id, token_hash).await?;
    Ok(session_id)
}

/// Adds a refresh token to a session.
pub async fn add_refresh_token(
    conn: &mut AsyncPgConnection,
    session_id: Uuid,
    token_hash: &[u8],
) -> QueryResult<()> {
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::token_hash.eq(token_hash),
            refresh_tokens::session_id.eq(session_id),
        ))
        .execute(conn)
        .await
        .map(drop)
}

/// The session and user behind a refresh token.
pub async fn find_refresh(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
) -> QueryResult<Option<RefreshLookup>> {
    refresh_tokens::table
        .inner_join(sessions::table.inner_join(users::table))
        .filter(refresh_tokens::token_hash.eq(token_hash))
        .select((
            sessions::id,
            refresh_tokens::rotated_at,
            sessions::revoked_at,
            sessions::expires_at,
            users::id,
            users::role,
            users::active,
        ))
        .first(conn)
        .await
        .optional()
}

/// Marks a refresh token as exchanged; false when it already was (a concurrent reuse).
pub async fn mark_rotated(conn: &mut AsyncPgConnection, token_hash: &[u8]) -> QueryResult<bool> {
    let updated = diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(token_hash))
            .filter(refresh_tokens::rotated_at.is_null()),
    )
    .set(refresh_tokens::rotated_at.eq(diesel::dsl::now))
    .execute(conn)
    .await?;
    Ok(updated == 1)
}

/// Revokes one session (its access tokens stop working at once).
pub async fn revoke(
    conn: &mut AsyncPgConnection,
    session_id: Uuid,
    reason: &str,
) -> QueryResult<()> {
    diesel::update(
        sessions::table
            .find(session_id)
            .filter(sessions::revoked_at.is_null()),
    )
    .set((
        sessions::revoked_at.eq(diesel::dsl::now),
        sessions::revoked_reason.eq(reason),
    ))
    .execute(conn)
    .await
    .map(drop)
}

/// Revokes every session of a user, except `keep`.
pub async fn revoke_all_of_user(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    keep: Option<Uuid>,
    reason: &str,
) -> QueryResult<usize> {
    diesel::update(
        sessions::table
            .filter(sessions::user_id.eq(user_id))
            .filter(sessions::revoked_at.is_null())
            .filter(sessions::id.ne(keep.unwrap_or_else(Uuid::nil))),
    )
    .set((
        sessions::revoked_at.eq(diesel::dsl::now),
        sessions::revoked_reason.eq(reason),
    ))
    .execute(conn)
    .await
}

/// The role of the user behind a live session: `None` when the session is revoked or expired,
/// or the user is inactive or gone. One indexed query per authenticated request.
pub async fn live_session_role(
    conn: &mut AsyncPgConnection,
    session_id: Uuid,
    user_id: Uuid,
) -> QueryResult<Option<String>> {
    sessions::table
        .inner_join(users::table)
        .filter(sessions::id.eq(session_id))
        .filter(sessions::user_id.eq(user_id))
        .filter(sessions::revoked_at.is_null())
        .filter(sessions::expires_at.gt(diesel::dsl::now))
        .filter(users::active.eq(true))
        .select(users::role)
        .first(conn)
        .await
        .optional()
}
