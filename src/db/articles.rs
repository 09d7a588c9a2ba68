//! Queries on `articles` and their bylines (`article_authors`).

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::domain::workflow::Status;
use crate::schema::{article_authors, articles, authors, embeds};

/// A stored article (its working copy).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles, check_for_backend(diesel::pg::Pg))]
pub struct ArticleRow {
    /// Id.
    pub id: Uuid,
    /// URL identifier.
    pub slug: String,
    /// Workflow state.
    pub status: String,
    /// Headline.
    pub headline: String,
    /// Standfirst.
    pub dek: Option<String>,
    /// Kicker / label.
    pub kicker: Option<String>,
    /// Section.
    pub section_id: Option<Uuid>,
    /// Tags (slugs).
    pub tags: Vec<Option<String>>,
    /// BCP 47 language tag.
    pub language: String,
    /// Blocks as JSON.
    pub body: serde_json::Value,
    /// Featured image.
    pub featured_image_id: Option<Uuid>,
    /// Caption override for the featured image.
    pub featured_caption: Option<String>,
    /// Credit override for the featured image.
    pub featured_credit: Option<String>,
    /// SEO title.
    pub seo_title: Option<String>,
    /// SEO description.
    pub seo_description: Option<String>,
    /// Canonical URL.
    pub canonical_url: Option<String>,
    /// The article this one translates.
    pub translation_of: Option<Uuid>,
    /// Words in the body.
    pub word_count: i32,
    /// Minutes to read.
    pub reading_time_minutes: i32,
    /// Concurrency version.
    pub version: i32,
    /// Creator.
    pub created_by: Option<Uuid>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// When a scheduled article goes public.
    pub publish_at: Option<DateTime<Utc>>,
    /// Not public before this time, whoever presses publish.
    pub embargo_until: Option<DateTime<Utc>>,
    /// First publication.
    pub first_published_at: Option<DateTime<Utc>>,
    /// Last publication.
    pub published_at: Option<DateTime<Utc>>,
    /// The working-copy version that is live.
    pub published_version: Option<i32>,
    /// The live revision.
    pub published_revision_id: Option<Uuid>,
    /// An editor's note when sending back to draft.
    pub review_note: Option<String>,
    /// Why the last scheduled publish failed.
    pub publish_error: Option<String>,
    /// When it failed.
    pub publish_failed_at: Option<DateTime<Utc>>,
}

impl ArticleRow {
    /// A draft that has never been published: the only articles a writer may change or
    /// delete, since a published article's history belongs to the newsroom.
    pub fn is_unpublished_draft(&self) -> bool {
        self.status == "draft" && self.first_published_at.is_none()
    }
}

/// The editable fields of an article, as written on create and on each update.
#[derive(Debug, Clone, Insertable, AsChangeset)]
#[diesel(table_name = articles, treat_none_as_null = true)]
pub struct ArticleFields {
    /// Slug.
    pub slug: String,
    /// Headline.
    pub headline: String,
    /// Standfirst.
    pub dek: Option<String>,
    /// Kicker.
    pub kicker: Option<String>,
    /// Section.
    pub section_id: Option<Uuid>,
    /// Tags.
    pub tags: Vec<String>,
    /// Language.
    pub language: String,
    /// Body.
    pub body: serde_json::Value,
    /// Featured image.
    pub featured_image_id: Option<Uuid>,
    /// Featured caption override.
    pub featured_caption: Option<String>,
    /// Featured credit override.
    pub featured_credit: Option<String>,
    /// SEO title.
    pub seo_title: Option<String>,
    /// SEO description.
    pub seo_description: Option<String>,
    /// Canonical URL.
    pub canonical_url: Option<String>,
    /// Translated article.
    pub translation_of: Option<Uuid>,
    /// Words.
    pub word_count: i32,
    /// Minutes.
    pub reading_time_minutes: i32,
    /// Embargo.
    pub embargo_until: Option<DateTime<Utc>>,
}

/// A byline entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BylineEntry {
    /// The author.
    pub author_id: Uuid,
    /// Role on this article ("reporting", "photos").
    pub role: Option<String>,
}

/// A byline entry with the author's name and slug, for display.
#[derive(Debug, Clone, Queryable)]
pub struct BylineRow {
    /// Article.
    pub article_id: Uuid,
    /// Author.
    pub author_id: Uuid,
    /// Author's name.
    pub name: String,
    /// Author's slug.
    pub slug: String,
    /// Role.
    pub role: Option<String>,
}

/// The articles a writer may read: those it created, and published ones.
pub type ReadableBy = diesel::dsl::Or<
    diesel::dsl::Eq<articles::created_by, Uuid>,
    diesel::dsl::Eq<articles::status, &'static str>,
>;

/// The filter behind [`ReadableBy`], for the article list and for what points at articles.
pub fn readable_by(user: Uuid) -> ReadableBy {
    articles::created_by
        .eq(user)
        .or(articles::status.eq(Status::Published.as_str()))
}

/// Filters of the management list.
#[derive(Debug, Default)]
pub struct ArticleFilter {
    /// Only this workflow state.
    pub status: Option<String>,
    /// Only articles with this author on the byline.
    pub author_id: Option<Uuid>,
    /// Only this section.
    pub section_id: Option<Uuid>,
    /// Only articles with this tag.
    pub tag: Option<String>,
    /// Only articles changed since.
    pub updated_since: Option<DateTime<Utc>>,
    /// Headline or dek contains this (case-insensitive).
    pub text: Option<String>,
    /// Only articles this user created, or published ones (a writer's view of the desk).
    pub visible_to: Option<Uuid>,
}

/// Inserts an article.
pub async fn insert(
    conn: &mut AsyncPgConnection,
    fields: &ArticleFields,
    created_by: Option<Uuid>,
) -> QueryResult<ArticleRow> {
    diesel::insert_into(articles::table)
        .values((fields, articles::created_by.eq(created_by)))
        .returning(ArticleRow::as_returning())
        .get_result(conn)
        .await
}

/// The article with this id.
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<ArticleRow> {
    articles::table
        .find(id)
        .select(ArticleRow::as_select())
        .first(conn)
        .await
}

/// The article, locked for update until the end of the transaction.
pub async fn find_for_update(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<ArticleRow> {
    articles::table
        .find(id)
        .select(ArticleRow::as_select())
        .for_update()
        .first(conn)
        .await
}

/// Writes the fields if the stored version is still `expected`, incrementing it; `None` when
/// another write came first.
pub async fn update_if_version(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    expected: i32,
    fields: &ArticleFields,
) -> QueryResult<Option<ArticleRow>> {
    diesel::update(
        articles::table
            .find(id)
            .filter(articles::version.eq(expected)),
    )
    .set((fields, articles::version.eq(articles::version + 1)))
    .returning(ArticleRow::as_returning())
    .get_result(conn)
    .await
    .optional()
}

/// Deletes an article (its bylines go with it).
pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<ArticleRow> {
    diesel::delete(articles::table.find(id))
        .returning(ArticleRow::as_returning())
        .get_result(conn)
        .await
}

/// Which of `ids` exist.
pub async fn existing(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> QueryResult<Vec<Uuid>> {
    articles::table
        .filter(articles::id.eq_any(ids))
        .select(articles::id)
        .load(conn)
        .await
}

/// Replaces the byline.
pub async fn set_byline(
    conn: &mut AsyncPgConnection,
    article_id: Uuid,
    byline: &[BylineEntry],
) -> QueryResult<()> {
    diesel::delete(article_authors::table.filter(article_authors::article_id.eq(article_id)))
        .execute(conn)
        .await?;
    let rows: Vec<_> = byline
        .iter()
        .enumerate()
        .map(|(position, entry)| {
            (
                article_authors::article_id.eq(article_id),
                article_authors::author_id.eq(entry.author_id),
                article_authors::position.eq(i32::try_from(position).unwrap_or(i32::MAX)),
                article_authors::role.eq(entry.role.clone()),
            )
        })
        .collect();
    if !rows.is_empty() {
        diesel::insert_into(article_authors::table)
            .values(rows)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// The bylines of `articles`, in order.
pub async fn bylines(
    conn: &mut AsyncPgConnection,
    article_ids: &[Uuid],
) -> QueryResult<Vec<BylineRow>> {
    article_authors::table
        .inner_join(authors::table)
        .filter(article_authors::article_id.eq_any(article_ids))
        .order((article_authors::article_id, article_authors::position))
        .select((
            article_authors::article_id,
            authors::id,
            authors::name,
            authors::slug,
            article_authors::role,
        ))
        .load(conn)
        .await
}

/// Slugs in use that start with `base`, except the article `except`'s own.
pub async fn slugs_like(
    conn: &mut AsyncPgConnection,
    base: &str,
    except: Option<Uuid>,
) -> QueryResult<Vec<String>> {
    let pattern = format!("{}%", super::escape_like(base));
    articles::table
        .filter(articles::slug.like(pattern))
        .filter(articles::id.ne(except.unwrap_or_else(Uuid::nil)))
        .select(articles::slug)
        .load(conn)
        .await
}

/// Articles that feature or show an image: `(id, headline)`.
pub async fn using_image(
    conn: &mut AsyncPgConnection,
    image: Uuid,
) -> QueryResult<Vec<(Uuid, String)>> {
    let pattern = serde_json::json!([{ "type": "image", "image_id": image }]);
    articles::table
        .filter(
            articles::featured_image_id
                .eq(image)
                .or(articles::body.contains(pattern)),
        )
        .select((articles::id, articles::headline))
        .limit(20)
        .load(conn)
        .await
}

/// Articles with the author on their byline: `(id, headline)`.
pub async fn with_author(
    conn: &mut AsyncPgConnection,
    author: Uuid,
) -> QueryResult<Vec<(Uuid, String)>> {
    article_authors::table
        .inner_join(articles::table)
        .filter(article_authors::author_id.eq(author))
        .select((articles::id, articles::headline))
        .limit(20)
        .load(conn)
        .await
}

/// Embeds that point at the article: their ids.
pub async fn embeds_targeting(
    conn: &mut AsyncPgConnection,
    article: Uuid,
) -> QueryResult<Vec<Uuid>> {
    embeds::table
        .filter(embeds::article_id.eq(article))
        .select(embeds::id)
        .limit(20)
        .load(conn)
        .await
}

/// One page of the management list, most recently changed first, after `(updated_at, id)`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &ArticleFilter,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<ArticleRow>> {
    let mut query = articles::table
        .select(ArticleRow::as_select())
        .order((articles::updated_at.desc(), articles::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(status) = &filter.status {
        query = query.filter(articles::status.eq(status.clone()));
    }
    if let Some(author) = filter.author_id {
        query = query.filter(
            articles::id.eq_any(
                article_authors::table
                    .filter(article_authors::author_id.eq(author))
                    .select(article_authors::article_id),
            ),
        );
    }
    if let Some(section) = filter.section_id {
        query = query.filter(articles::section_id.eq(section));
    }
    if let Some(user) = filter.visible_to {
        query = query.filter(readable_by(user));
    }
    if let Some(tag) = &filter.tag {
        query = query.filter(articles::tags.contains(vec![tag.clone()]));
    }
    if let Some(since) = filter.updated_since {
        query = query.filter(articles::updated_at.ge(since));
    }
    if let Some(text) = &filter.text {
        let pattern = format!("%{}%", super::escape_like(text));
        query = query.filter(
            articles::headline
                .ilike(pattern.clone())
                .or(articles::dek.ilike(pattern)),
        );
    }
    if let Some((updated_at, id)) = after {
        query = query.filter(
            articles::updated_at
                .lt(updated_at)
                .or(articles::updated_at.eq(updated_at).and(articles::id.lt(id))),
        );
    }
    query.load(conn).await
}
