//! Queries on `published_articles`, the readers' view: one row per published article.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::{authors, published_articles, sections};

/// What a published article shows in feeds and lists.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = published_articles, check_for_backend(diesel::pg::Pg))]
pub struct PublishedRow {
    /// Article.
    pub article_id: Uuid,
    /// Live slug.
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
    pub tags: Vec<Option<String>>,
    /// Language.
    pub language: String,
    /// Byline.
    pub author_ids: Vec<Option<Uuid>>,
    /// Hero image.
    pub featured_image_id: Option<Uuid>,
    /// First publication.
    pub first_published_at: DateTime<Utc>,
    /// Last publication.
    pub published_at: DateTime<Utc>,
    /// Words.
    pub word_count: i32,
    /// Minutes to read.
    pub reading_time_minutes: i32,
}

/// A published article to record (from its snapshot).
#[derive(Debug, Clone)]
pub struct Publication<'a> {
    /// Article.
    pub article_id: Uuid,
    /// The live revision.
    pub revision_id: Uuid,
    /// Live slug.
    pub slug: &'a str,
    /// Headline.
    pub headline: &'a str,
    /// Standfirst.
    pub dek: Option<&'a str>,
    /// Kicker.
    pub kicker: Option<&'a str>,
    /// Section.
    pub section_id: Option<Uuid>,
    /// Tags.
    pub tags: &'a [String],
    /// Language.
    pub language: &'a str,
    /// Byline.
    pub author_ids: &'a [Uuid],
    /// Hero image.
    pub featured_image_id: Option<Uuid>,
    /// First publication.
    pub first_published_at: DateTime<Utc>,
    /// This publication.
    pub published_at: DateTime<Utc>,
    /// Words.
    pub word_count: i32,
    /// Minutes to read.
    pub reading_time_minutes: i32,
    /// The body's visible text, for search.
    pub body_text: &'a str,
    /// PostgreSQL text-search configuration for the language.
    pub search_config: &'static str,
}

/// Records (or replaces) what readers see of an article.
pub async fn upsert(conn: &mut AsyncPgConnection, p: &Publication<'_>) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO published_articles (article_id, revision_id, slug, headline, dek, kicker, \
         section_id, tags, language, author_ids, featured_image_id, first_published_at, \
         published_at, word_count, reading_time_minutes, search) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
           setweight(to_tsvector($16::regconfig, $4), 'A') \
           || setweight(to_tsvector($16::regconfig, coalesce($5, '')), 'B') \
           || setweight(to_tsvector($16::regconfig, $17), 'C')) \
         ON CONFLICT (article_id) DO UPDATE SET revision_id = EXCLUDED.revision_id, \
           slug = EXCLUDED.slug, headline = EXCLUDED.headline, dek = EXCLUDED.dek, \
           kicker = EXCLUDED.kicker, section_id = EXCLUDED.section_id, tags = EXCLUDED.tags, \
           language = EXCLUDED.language, author_ids = EXCLUDED.author_ids, \
           featured_image_id = EXCLUDED.featured_image_id, \
           first_published_at = EXCLUDED.first_published_at, \
           published_at = EXCLUDED.published_at, word_count = EXCLUDED.word_count, \
           reading_time_minutes = EXCLUDED.reading_time_minutes, search = EXCLUDED.search",
    )
    .bind::<SqlUuid, _>(p.article_id)
    .bind::<SqlUuid, _>(p.revision_id)
    .bind::<Text, _>(p.slug)
    .bind::<Text, _>(p.headline)
    .bind::<Nullable<Text>, _>(p.dek)
    .bind::<Nullable<Text>, _>(p.kicker)
    .bind::<Nullable<SqlUuid>, _>(p.section_id)
    .bind::<Array<Text>, _>(p.tags)
    .bind::<Text, _>(p.language)
    .bind::<Array<SqlUuid>, _>(p.author_ids)
    .bind::<Nullable<SqlUuid>, _>(p.featured_image_id)
    .bind::<Timestamptz, _>(p.first_published_at)
    .bind::<Timestamptz, _>(p.published_at)
    .bind::<Integer, _>(p.word_count)
    .bind::<Integer, _>(p.reading_time_minutes)
    .bind::<Text, _>(p.search_config)
    .bind::<Text, _>(p.body_text)
    .execute(conn)
    .await
    .map(drop)
}

/// Removes an article from what readers see.
pub async fn remove(conn: &mut AsyncPgConnection, article_id: Uuid) -> QueryResult<()> {
    diesel::delete(published_articles::table.find(article_id))
        .execute(conn)
        .await
        .map(drop)
}

/// Filters of the public feed.
#[derive(Debug, Default)]
pub struct FeedFilter {
    /// Section slug.
    pub section: Option<String>,
    /// Tag slug.
    pub tag: Option<String>,
    /// Author slug.
    pub author: Option<String>,
    /// Language tag.
    pub language: Option<String>,
}

/// One page of the feed, newest first, after `(published_at, id)`; `None` when a named section
/// or author does not exist (an empty feed, not an error).
pub async fn feed(
    conn: &mut AsyncPgConnection,
    filter: &FeedFilter,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<PublishedRow>> {
    let mut query = published_articles::table
        .select(PublishedRow::as_select())
        .order((
            published_articles::published_at.desc(),
            published_articles::article_id.desc(),
        ))
        .limit(limit)
        .into_boxed();
    if let Some(section) = &filter.section {
        let id: Option<Uuid> = sections::table
            .filter(sections::slug.eq(section))
            .select(sections::id)
            .first(conn)
            .await
            .optional()?;
        let Some(id) = id else {
            return Ok(Vec::new());
        };
        query = query.filter(published_articles::section_id.eq(id));
    }
    if let Some(author) = &filter.author {
        let id: Option<Uuid> = authors::table
            .filter(authors::slug.eq(author))
            .select(authors::id)
            .first(conn)
            .await
            .optional()?;
        let Some(id) = id else {
            return Ok(Vec::new());
        };
        query = query.filter(published_articles::author_ids.contains(vec![id]));
    }
    if let Some(tag) = &filter.tag {
        query = query.filter(published_articles::tags.contains(vec![tag.clone()]));
    }
    if let Some(language) = &filter.language {
        query = query.filter(published_articles::language.eq(language.clone()));
    }
    if let Some((published_at, id)) = after {
        query = query.filter(
            published_articles::published_at
                .lt(published_at)
                .or(published_articles::published_at
                    .eq(published_at)
                    .and(published_articles::article_id.lt(id))),
        );
    }
    query.load(conn).await
}
