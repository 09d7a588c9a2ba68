//! Queries on `authors`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::authors;

/// A stored author profile.
#[derive(Debug, Clone, serde::Serialize, Queryable, Selectable)]
#[diesel(table_name = authors, check_for_backend(diesel::pg::Pg))]
pub struct AuthorRow {
    /// Id.
    pub id: Uuid,
    /// Name as printed in bylines.
    pub name: String,
    /// URL identifier.
    pub slug: String,
    /// Job title.
    pub job_title: Option<String>,
    /// Biography.
    pub bio: Option<String>,
    /// Where the author is based.
    pub location: Option<String>,
    /// Avatar image.
    pub avatar_image_id: Option<Uuid>,
    /// Contact e-mail.
    pub email: Option<String>,
    /// Links as a JSON array of `{label, url}`.
    pub links: serde_json::Value,
    /// The user account, if the author has one.
    pub user_id: Option<Uuid>,
    /// Whether the author appears in pickers and public pages.
    pub active: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// An author to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = authors)]
pub struct NewAuthor {
    /// Name.
    pub name: String,
    /// Slug, unique.
    pub slug: String,
    /// Job title.
    pub job_title: Option<String>,
    /// Biography.
    pub bio: Option<String>,
    /// Location.
    pub location: Option<String>,
    /// Avatar image.
    pub avatar_image_id: Option<Uuid>,
    /// Contact e-mail.
    pub email: Option<String>,
    /// Links.
    pub links: serde_json::Value,
    /// User account.
    pub user_id: Option<Uuid>,
    /// Active.
    pub active: bool,
}

/// Changes: outer `None` leaves a field alone, `Some(None)` clears it.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = authors)]
pub struct AuthorChanges {
    /// Name.
    pub name: Option<String>,
    /// Slug.
    pub slug: Option<String>,
    /// Job title.
    pub job_title: Option<Option<String>>,
    /// Biography.
    pub bio: Option<Option<String>>,
    /// Location.
    pub location: Option<Option<String>>,
    /// Avatar image.
    pub avatar_image_id: Option<Option<Uuid>>,
    /// Contact e-mail.
    pub email: Option<Option<String>>,
    /// Links.
    pub links: Option<serde_json::Value>,
    /// User account.
    pub user_id: Option<Option<Uuid>>,
    /// Active.
    pub active: Option<bool>,
}

impl AuthorChanges {
    /// Whether nothing would change.
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.slug.is_none()
            && self.job_title.is_none()
            && self.bio.is_none()
            && self.location.is_none()
            && self.avatar_image_id.is_none()
            && self.email.is_none()
            && self.links.is_none()
            && self.user_id.is_none()
            && self.active.is_none()
    }
}

/// Filters of the author list.
#[derive(Debug, Default)]
pub struct AuthorFilter {
    /// Name contains this (case-insensitive).
    pub name: Option<String>,
    /// Only active (or inactive) authors.
    pub active: Option<bool>,
}

/// Inserts an author.
pub async fn insert(conn: &mut AsyncPgConnection, author: &NewAuthor) -> QueryResult<AuthorRow> {
    diesel::insert_into(authors::table)
        .values(author)
        .returning(AuthorRow::as_returning())
        .get_result(conn)
        .await
}

/// The author with this id.
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<AuthorRow> {
    authors::table
        .find(id)
        .select(AuthorRow::as_select())
        .first(conn)
        .await
}

/// Which of `ids` exist.
pub async fn existing(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> QueryResult<Vec<Uuid>> {
    authors::table
        .filter(authors::id.eq_any(ids))
        .select(authors::id)
        .load(conn)
        .await
}

/// Author profile id → the user account it belongs to, if any.
pub type AuthorAccounts = std::collections::HashMap<Uuid, Option<Uuid>>;

/// The user account behind each of these author profiles (unknown ids are left out).
pub async fn accounts(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> QueryResult<AuthorAccounts> {
    let rows: Vec<(Uuid, Option<Uuid>)> = authors::table
        .filter(authors::id.eq_any(ids))
        .select((authors::id, authors::user_id))
        .load(conn)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Applies changes.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: &AuthorChanges,
) -> QueryResult<AuthorRow> {
    if changes.is_empty() {
        return find(conn, id).await;
    }
    diesel::update(authors::table.find(id))
        .set(changes)
        .returning(AuthorRow::as_returning())
        .get_result(conn)
        .await
}

/// Deletes an author; `NotFound` when there is none.
pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<AuthorRow> {
    diesel::delete(authors::table.find(id))
        .returning(AuthorRow::as_returning())
        .get_result(conn)
        .await
}

/// Slugs in use that are `base` or `base-N`, except the author `except`'s own.
pub async fn slugs_like(
    conn: &mut AsyncPgConnection,
    base: &str,
    except: Option<Uuid>,
) -> QueryResult<Vec<String>> {
    let pattern = format!("{}%", super::escape_like(base));
    authors::table
        .filter(authors::slug.like(pattern))
        .filter(authors::id.ne(except.unwrap_or_else(Uuid::nil)))
        .select(authors::slug)
        .load(conn)
        .await
}

/// Whether another author has the user account `user_id`.
pub async fn user_taken(
    conn: &mut AsyncPgConnection,
    user_id: Uuid,
    except: Option<Uuid>,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        authors::table
            .filter(authors::user_id.eq(user_id))
            .filter(authors::id.ne(except.unwrap_or_else(Uuid::nil))),
    ))
    .get_result(conn)
    .await
}

/// One page ordered by name, after the position `after` (lower-cased name, id).
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &AuthorFilter,
    after: Option<(String, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<AuthorRow>> {
    diesel::define_sql_function!(fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text);
    let mut query = authors::table
        .select(AuthorRow::as_select())
        .order((lower(authors::name).asc(), authors::id.asc()))
        .limit(limit)
        .into_boxed();
    if let Some(name) = &filter.name {
        query = query.filter(authors::name.ilike(format!("%{}%", super::escape_like(name))));
    }
    if let Some(active) = filter.active {
        query = query.filter(authors::active.eq(active));
    }
    if let Some((name, id)) = after {
        query = query.filter(
            lower(authors::name)
                .gt(name.clone())
                .or(lower(authors::name).eq(name).and(authors::id.gt(id))),
        );
    }
    query.load(conn).await
}

/// The authors among `ids` that exist, in no particular order (one query for a byline).
pub async fn find_many(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> QueryResult<Vec<AuthorRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    authors::table
        .filter(authors::id.eq_any(ids))
        .select(AuthorRow::as_select())
        .load(conn)
        .await
}

/// The author with this slug, if any.
pub async fn find_by_slug(
    conn: &mut AsyncPgConnection,
    slug: &str,
) -> QueryResult<Option<AuthorRow>> {
    authors::table
        .filter(authors::slug.eq(slug))
        .select(AuthorRow::as_select())
        .first(conn)
        .await
        .optional()
}
