//! Queries on `embeds`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::{articles, embeds};

/// A stored embed.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = embeds, check_for_backend(diesel::pg::Pg))]
pub struct EmbedRow {
    /// Id.
    pub id: Uuid,
    /// `article`, `external` or `html`.
    pub kind: String,
    /// Label shown on the card, e.g. "Editorial".
    pub label: Option<String>,
    /// Teaser target (kind `article`).
    pub article_id: Option<Uuid>,
    /// Headline override.
    pub headline: Option<String>,
    /// Excerpt override.
    pub excerpt: Option<String>,
    /// Image override.
    pub image_id: Option<Uuid>,
    /// Provider (kind `external`).
    pub provider: Option<String>,
    /// Canonical URL (kind `external`).
    pub url: Option<String>,
    /// Provider's media id (kind `external`).
    pub media_id: Option<String>,
    /// Sanitised markup (kind `html`).
    pub html: Option<String>,
    /// Creator.
    pub created_by: Option<Uuid>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// An embed to insert.
#[derive(Debug, Default, Insertable)]
#[diesel(table_name = embeds)]
pub struct NewEmbed {
    /// Kind.
    pub kind: String,
    /// Label.
    pub label: Option<String>,
    /// Teaser target.
    pub article_id: Option<Uuid>,
    /// Headline override.
    pub headline: Option<String>,
    /// Excerpt override.
    pub excerpt: Option<String>,
    /// Image override.
    pub image_id: Option<Uuid>,
    /// Provider.
    pub provider: Option<String>,
    /// Canonical URL.
    pub url: Option<String>,
    /// Media id.
    pub media_id: Option<String>,
    /// Sanitised markup.
    pub html: Option<String>,
    /// Creator.
    pub created_by: Option<Uuid>,
}

/// Changes to an embed (`Some(None)` clears). The kind never changes.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = embeds)]
pub struct EmbedChanges {
    /// Label.
    pub label: Option<Option<String>>,
    /// Teaser target.
    pub article_id: Option<Uuid>,
    /// Headline override.
    pub headline: Option<Option<String>>,
    /// Excerpt override.
    pub excerpt: Option<Option<String>>,
    /// Image override.
    pub image_id: Option<Option<Uuid>>,
    /// Provider.
    pub provider: Option<String>,
    /// Canonical URL.
    pub url: Option<String>,
    /// Media id.
    pub media_id: Option<String>,
    /// Sanitised markup.
    pub html: Option<String>,
}

impl EmbedChanges {
    /// Whether nothing would change.
    pub fn is_empty(&self) -> bool {
        self.label.is_none()
            && self.article_id.is_none()
            && self.headline.is_none()
            && self.excerpt.is_none()
            && self.image_id.is_none()
            && self.provider.is_none()
            && self.url.is_none()
            && self.media_id.is_none()
            && self.html.is_none()
    }
}

/// Inserts an embed.
pub async fn insert(conn: &mut AsyncPgConnection, embed: &NewEmbed) -> QueryResult<EmbedRow> {
    diesel::insert_into(embeds::table)
        .values(embed)
        .returning(EmbedRow::as_returning())
        .get_result(conn)
        .await
}

/// The embed with this id.
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<EmbedRow> {
    embeds::table
        .find(id)
        .select(EmbedRow::as_select())
        .first(conn)
        .await
}

/// The embeds among `ids` that exist.
pub async fn existing(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> QueryResult<Vec<Uuid>> {
    embeds::table
        .filter(embeds::id.eq_any(ids))
        .select(embeds::id)
        .load(conn)
        .await
}

/// Applies changes.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: &EmbedChanges,
) -> QueryResult<EmbedRow> {
    if changes.is_empty() {
        return find(conn, id).await;
    }
    diesel::update(embeds::table.find(id))
        .set(changes)
        .returning(EmbedRow::as_returning())
        .get_result(conn)
        .await
}

/// Deletes an embed.
pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<EmbedRow> {
    diesel::delete(embeds::table.find(id))
        .returning(EmbedRow::as_returning())
        .get_result(conn)
        .await
}

/// Articles whose body uses the embed: `(id, headline)`.
pub async fn used_in(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Vec<(Uuid, String)>> {
    let pattern = serde_json::json!([{ "type": "embed", "embed_id": id }]);
    articles::table
        .filter(articles::body.contains(pattern))
        .select((articles::id, articles::headline))
        .limit(20)
        .load(conn)
        .await
}

/// One page, newest first, after `(created_at, id)`, optionally of one kind, and with
/// `visible_to` only what that writer may see.
pub async fn list(
    conn: &mut AsyncPgConnection,
    kind: Option<&str>,
    visible_to: Option<Uuid>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<EmbedRow>> {
    let mut query = embeds::table
        .select(EmbedRow::as_select())
        .order((embeds::created_at.desc(), embeds::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(kind) = kind {
        query = query.filter(embeds::kind.eq(kind.to_owned()));
    }
    // A teaser of an article the user may not read is as hidden as the article.
    if let Some(user) = visible_to {
        query = query.filter(
            embeds::article_id.is_null().or(embeds::article_id.eq_any(
                articles::table
                    .filter(super::articles::readable_by(user))
                    .select(articles::id.nullable()),
            )),
        );
    }
    if let Some((created_at, id)) = after {
        query = query.filter(
            embeds::created_at
                .lt(created_at)
                .or(embeds::created_at.eq(created_at).and(embeds::id.lt(id))),
        );
    }
    query.load(conn).await
}

/// The embeds among `ids` that exist, in no particular order (one query for a body).
pub async fn find_many(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> QueryResult<Vec<EmbedRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    embeds::table
        .filter(embeds::id.eq_any(ids))
        .select(EmbedRow::as_select())
        .load(conn)
        .await
}
