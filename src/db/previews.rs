//! Queries on `preview_links`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::preview_links;

/// A stored preview link (its hash, never the secret).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = preview_links, check_for_backend(diesel::pg::Pg))]
pub struct PreviewLinkRow {
    /// Id.
    pub id: Uuid,
    /// The article it shows.
    pub article_id: Uuid,
    /// Stops working then.
    pub expires_at: DateTime<Utc>,
    /// Revoked then, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Who made it.
    pub created_by: Option<Uuid>,
    /// Made.
    pub created_at: DateTime<Utc>,
}

/// Stores a link.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    article_id: Uuid,
    token_hash: &[u8],
    expires_at: DateTime<Utc>,
    created_by: Option<Uuid>,
) -> QueryResult<PreviewLinkRow> {
    diesel::insert_into(preview_links::table)
        .values((
            preview_links::article_id.eq(article_id),
            preview_links::token_hash.eq(token_hash),
            preview_links::expires_at.eq(expires_at),
            preview_links::created_by.eq(created_by),
        ))
        .returning(PreviewLinkRow::as_returning())
        .get_result(conn)
        .await
}

/// The article a live (unexpired, unrevoked) link shows.
pub async fn live_article(
    conn: &mut AsyncPgConnection,
    token_hash: &[u8],
) -> QueryResult<Option<Uuid>> {
    preview_links::table
        .filter(preview_links::token_hash.eq(token_hash))
        .filter(preview_links::revoked_at.is_null())
        .filter(preview_links::expires_at.gt(diesel::dsl::now))
        .select(preview_links::article_id)
        .first(conn)
        .await
        .optional()
}

/// The article's links, newest first.
pub async fn list(
    conn: &mut AsyncPgConnection,
    article_id: Uuid,
) -> QueryResult<Vec<PreviewLinkRow>> {
    preview_links::table
        .filter(preview_links::article_id.eq(article_id))
        .order(preview_links::created_at.desc())
        .select(PreviewLinkRow::as_select())
        .load(conn)
        .await
}

/// Revokes a link of the article; `NotFound` when it has no such link.
pub async fn revoke(conn: &mut AsyncPgConnection, article_id: Uuid, id: Uuid) -> QueryResult<()> {
    let updated = diesel::update(
        preview_links::table
            .filter(preview_links::id.eq(id))
            .filter(preview_links::article_id.eq(article_id)),
    )
    .set(preview_links::revoked_at.eq(diesel::dsl::now))
    .execute(conn)
    .await?;
    if updated == 0 {
        Err(diesel::result::Error::NotFound)
    } else {
        Ok(())
    }
}
