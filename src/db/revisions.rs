//! Queries on `article_revisions`, `article_slugs`, `article_corrections`, and the workflow
//! columns of `articles`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::articles::ArticleRow;
use crate::schema::{article_corrections, article_revisions, article_slugs, articles};

/// A stored revision.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = article_revisions, check_for_backend(diesel::pg::Pg))]
pub struct RevisionRow {
    /// Id.
    pub id: Uuid,
    /// Article.
    pub article_id: Uuid,
    /// 1, 2, 3… per article.
    pub number: i32,
    /// `publish` or `save_point`.
    pub kind: String,
    /// The working copy at that moment.
    pub snapshot: serde_json::Value,
    /// The article's version then.
    pub article_version: i32,
    /// Note (save points).
    pub note: Option<String>,
    /// Who made it.
    pub created_by: Option<Uuid>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A correction note.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = article_corrections, check_for_backend(diesel::pg::Pg))]
pub struct CorrectionRow {
    /// Id.
    pub id: Uuid,
    /// Article.
    pub article_id: Uuid,
    /// The note.
    pub note: String,
    /// Who appended it.
    pub created_by: Option<Uuid>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// Workflow columns to change together with the state.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = articles)]
pub struct WorkflowChanges {
    /// New state.
    pub status: Option<String>,
    /// Scheduled time (`Some(None)` clears).
    pub publish_at: Option<Option<DateTime<Utc>>>,
    /// First publication.
    pub first_published_at: Option<Option<DateTime<Utc>>>,
    /// Last publication.
    pub published_at: Option<Option<DateTime<Utc>>>,
    /// Live working-copy version.
    pub published_version: Option<Option<i32>>,
    /// Live revision.
    pub published_revision_id: Option<Option<Uuid>>,
    /// Review note.
    pub review_note: Option<Option<String>>,
    /// Last scheduled-publish failure.
    pub publish_error: Option<Option<String>>,
    /// When it failed.
    pub publish_failed_at: Option<Option<DateTime<Utc>>>,
}

/// Applies workflow changes and increments the version.
pub async fn set_workflow(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: &WorkflowChanges,
) -> QueryResult<ArticleRow> {
    diesel::update(articles::table.find(id))
        .set((changes, articles::version.eq(articles::version + 1)))
        .returning(ArticleRow::as_returning())
        .get_result(conn)
        .await
}

/// Stores a revision with the next number.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    article_id: Uuid,
    kind: &str,
    snapshot: &serde_json::Value,
    article_version: i32,
    note: Option<&str>,
    created_by: Option<Uuid>,
) -> QueryResult<RevisionRow> {
    // The article row is locked by the caller, so numbers cannot race.
    let last: Option<i32> = article_revisions::table
        .filter(article_revisions::article_id.eq(article_id))
        .select(diesel::dsl::max(article_revisions::number))
        .first(conn)
        .await?;
    diesel::insert_into(article_revisions::table)
        .values((
            article_revisions::article_id.eq(article_id),
            article_revisions::number.eq(last.unwrap_or(0) + 1),
            article_revisions::kind.eq(kind),
            article_revisions::snapshot.eq(snapshot),
            article_revisions::article_version.eq(article_version),
            article_revisions::note.eq(note),
            article_revisions::created_by.eq(created_by),
        ))
        .returning(RevisionRow::as_returning())
        .get_result(conn)
        .await
}

/// The article's revisions, newest first.
pub async fn list(conn: &mut AsyncPgConnection, article_id: Uuid) -> QueryResult<Vec<RevisionRow>> {
    article_revisions::table
        .filter(article_revisions::article_id.eq(article_id))
        .order(article_revisions::number.desc())
        .select(RevisionRow::as_select())
        .load(conn)
        .await
}

/// Revision `number` of the article.
pub async fn find(
    conn: &mut AsyncPgConnection,
    article_id: Uuid,
    number: i32,
) -> QueryResult<RevisionRow> {
    article_revisions::table
        .filter(article_revisions::article_id.eq(article_id))
        .filter(article_revisions::number.eq(number))
        .select(RevisionRow::as_select())
        .first(conn)
        .await
}

/// A revision by id.
pub async fn find_by_id(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<RevisionRow> {
    article_revisions::table
        .find(id)
        .select(RevisionRow::as_select())
        .first(conn)
        .await
}

/// Remembers that the article was published under `slug`; false when another article was.
pub async fn record_slug(
    conn: &mut AsyncPgConnection,
    slug: &str,
    article_id: Uuid,
) -> QueryResult<bool> {
    diesel::insert_into(article_slugs::table)
        .values((
            article_slugs::slug.eq(slug),
            article_slugs::article_id.eq(article_id),
        ))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    let owner: Uuid = article_slugs::table
        .find(slug)
        .select(article_slugs::article_id)
        .first(conn)
        .await?;
    Ok(owner == article_id)
}

/// The article a slug was published under, if any.
pub async fn article_for_slug(
    conn: &mut AsyncPgConnection,
    slug: &str,
) -> QueryResult<Option<Uuid>> {
    article_slugs::table
        .find(slug)
        .select(article_slugs::article_id)
        .first(conn)
        .await
        .optional()
}

/// Whether a slug was published by an article other than `except`.
pub async fn slug_taken_in_history(
    conn: &mut AsyncPgConnection,
    slug: &str,
    except: Option<Uuid>,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        article_slugs::table
            .filter(article_slugs::slug.eq(slug))
            .filter(article_slugs::article_id.ne(except.unwrap_or_else(Uuid::nil))),
    ))
    .get_result(conn)
    .await
}

/// Ids of scheduled articles that are due and out of embargo, locked for this transaction;
/// rows another instance is publishing are skipped, not waited for.
pub async fn lock_due(conn: &mut AsyncPgConnection, limit: i64) -> QueryResult<Vec<Uuid>> {
    let now = diesel::dsl::now;
    articles::table
        .filter(articles::status.eq("scheduled"))
        .filter(articles::publish_at.le(now))
        .filter(
            articles::embargo_until
                .is_null()
                .or(articles::embargo_until.le(now)),
        )
        .order(articles::publish_at.asc())
        .select(articles::id)
        .limit(limit)
        .for_update()
        .skip_locked()
        .load(conn)
        .await
}

/// Appends a correction.
pub async fn add_correction(
    conn: &mut AsyncPgConnection,
    article_id: Uuid,
    note: &str,
    created_by: Option<Uuid>,
) -> QueryResult<CorrectionRow> {
    diesel::insert_into(article_corrections::table)
        .values((
            article_corrections::article_id.eq(article_id),
            article_corrections::note.eq(note),
            article_corrections::created_by.eq(created_by),
        ))
        .returning(CorrectionRow::as_returning())
        .get_result(conn)
        .await
}

/// The article's corrections, oldest first.
pub async fn corrections(
    conn: &mut AsyncPgConnection,
    article_id: Uuid,
) -> QueryResult<Vec<CorrectionRow>> {
    article_corrections::table
        .filter(article_corrections::article_id.eq(article_id))
        .order(article_corrections::created_at.asc())
        .select(CorrectionRow::as_select())
        .load(conn)
        .await
}
