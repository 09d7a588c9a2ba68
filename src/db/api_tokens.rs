//! Queries on `api_tokens`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::api_tokens;

/// A stored API token (its hash, never the secret).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = api_tokens, check_for_backend(diesel::pg::Pg))]
pub struct ApiTokenRow {
    /// Id.
    pub id: Uuid,
    /// What it is for.
    pub name: String,
    /// First characters of the secret.
    pub token_prefix: String,
    /// Scope names.
    pub scopes: Vec<Option<String>>,
    /// The admin who issued it.
    pub created_by: Option<Uuid>,
    /// Issued.
    pub created_at: DateTime<Utc>,
    /// Stops working then, if set.
    pub expires_at: Option<DateTime<Utc>>,
    /// Last authenticated request (to the minute).
    pub last_used_at: Option<DateTime<Utc>>,
    /// Revoked then, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// A token to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = api_tokens)]
pub struct NewApiToken<'a> {
    /// What it is for.
    pub name: &'a str,
    /// First characters of the secret.
    pub token_prefix: &'a str,
    /// SHA-256 of the secret.
    pub token_hash: &'a [u8],
    /// Scope names.
    pub scopes: Vec<String>,
    /// The issuing admin.
    pub created_by: Option<Uuid>,
    /// Optional expiry.
    pub expires_at: Option<DateTime<Utc>>,
}

/// Inserts a token.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    token: &NewApiToken<'_>,
) -> QueryResult<ApiTokenRow> {
    diesel::insert_into(api_tokens::table)
        .values(token)
        .returning(ApiTokenRow::as_returning())
        .get_result(conn)
        .await
}

/// All tokens, newest first (a newsroom has tens, not thousands).
pub async fn list(conn: &mut AsyncPgConnection) -> QueryResult<Vec<ApiTokenRow>> {
    api_tokens::table
        .select(ApiTokenRow::as_select())
        .order((api_tokens::created_at.desc(), api_tokens::id.desc()))
        .load(conn)
        .await
}

/// The usable (not revoked, not expired) token with this hash.
pub async fn find_usable(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
) -> QueryResult<Option<ApiTokenRow>> {
    api_tokens::table
        .filter(api_tokens::token_hash.eq(token_hash))
        .filter(api_tokens::revoked_at.is_null())
        .filter(
            api_tokens::expires_at
                .is_null()
                .or(api_tokens::expires_at.gt(diesel::dsl::now)),
        )
        .select(ApiTokenRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// Records use, at most once a minute per token so reads do not turn into a write each.
pub async fn touch_last_used(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<()> {
    let a_minute_ago = Utc::now() - chrono::Duration::minutes(1);
    diesel::update(
        api_tokens::table.find(id).filter(
            api_tokens::last_used_at
                .is_null()
                .or(api_tokens::last_used_at.lt(a_minute_ago)),
        ),
    )
    .set(api_tokens::last_used_at.eq(diesel::dsl::now))
    .execute(conn)
    .await
    .map(drop)
}

/// Revokes a token; `NotFound` when there is none. Revoking twice is harmless.
pub async fn revoke(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<ApiTokenRow> {
    diesel::update(api_tokens::table.find(id))
        .set(api_tokens::revoked_at.eq(diesel::dsl::now))
        .returning(ApiTokenRow::as_returning())
        .get_result(conn)
        .await
}

/// Revokes every live token a user issued (when that user is deactivated).
pub async fn revoke_created_by(conn: &mut AsyncPgConnection, user_id: Uuid) -> QueryResult<usize> {
    diesel::update(
        api_tokens::table
            .filter(api_tokens::created_by.eq(user_id))
            .filter(api_tokens::revoked_at.is_null()),
    )
    .set(api_tokens::revoked_at.eq(diesel::dsl::now))
    .execute(conn)
    .await
}
