//! Queries on `sections`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::{articles, sections};

/// A section of the newsroom ("News Feed", "Politics").
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = sections, check_for_backend(diesel::pg::Pg))]
pub struct SectionRow {
    /// Id.
    pub id: Uuid,
    /// Display name.
    pub name: String,
    /// URL identifier.
    pub slug: String,
    /// Description.
    pub description: Option<String>,
    /// Order in navigation.
    pub position: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// A section to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = sections)]
pub struct NewSection {
    /// Name.
    pub name: String,
    /// Slug.
    pub slug: String,
    /// Description.
    pub description: Option<String>,
    /// Order.
    pub position: i32,
}

/// Changes to a section.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = sections)]
pub struct SectionChanges {
    /// Name.
    pub name: Option<String>,
    /// Slug.
    pub slug: Option<String>,
    /// Description (`Some(None)` clears).
    pub description: Option<Option<String>>,
    /// Order.
    pub position: Option<i32>,
}

/// All sections in navigation order (a newsroom has tens).
pub async fn list(conn: &mut AsyncPgConnection) -> QueryResult<Vec<SectionRow>> {
    sections::table
        .select(SectionRow::as_select())
        .order((sections::position.asc(), sections::name.asc()))
        .load(conn)
        .await
}

/// The section with this id.
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<SectionRow> {
    sections::table
        .find(id)
        .select(SectionRow::as_select())
        .first(conn)
        .await
}

/// Whether a section exists.
pub async fn exists(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(sections::table.find(id)))
        .get_result(conn)
        .await
}

/// Inserts a section.
pub async fn insert(conn: &mut AsyncPgConnection, section: &NewSection) -> QueryResult<SectionRow> {
    diesel::insert_into(sections::table)
        .values(section)
        .returning(SectionRow::as_returning())
        .get_result(conn)
        .await
}

/// Applies changes.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: &SectionChanges,
) -> QueryResult<SectionRow> {
    if changes.name.is_none()
        && changes.slug.is_none()
        && changes.description.is_none()
        && changes.position.is_none()
    {
        return find(conn, id).await;
    }
    diesel::update(sections::table.find(id))
        .set(changes)
        .returning(SectionRow::as_returning())
        .get_result(conn)
        .await
}

/// How many articles are filed in the section.
pub async fn article_count(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<i64> {
    articles::table
        .filter(articles::section_id.eq(id))
        .count()
        .get_result(conn)
        .await
}

/// Deletes a section.
pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<SectionRow> {
    diesel::delete(sections::table.find(id))
        .returning(SectionRow::as_returning())
        .get_result(conn)
        .await
}

/// The section with this id, if it still exists.
pub async fn find_optional(
    conn: &mut AsyncPgConnection,
    id: Uuid,
) -> QueryResult<Option<SectionRow>> {
    sections::table
        .find(id)
        .select(SectionRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The section with this slug, if any.
pub async fn find_by_slug(
    conn: &mut AsyncPgConnection,
    slug: &str,
) -> QueryResult<Option<SectionRow>> {
    sections::table
        .filter(sections::slug.eq(slug))
        .select(SectionRow::as_select())
        .first(conn)
        .await
        .optional()
}
