//! Writing seeded rows: typed multi-row inserts for the small tables, and one
//! `INSERT … SELECT FROM unnest(…)` per table and batch for the article tables.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{Array, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::articles::ArticleBatch;
use crate::schema::{article_slugs, articles, authors, images, sections};

/// Most rows in one typed multi-row insert (PostgreSQL takes at most 65,535 parameters).
pub const ROWS_PER_INSERT: usize = 500;

/// A section row.
#[derive(Debug, Insertable)]
#[diesel(table_name = sections)]
pub struct SeedSection {
    pub id: Uuid,
    pub name: &'static str,
    pub slug: &'static str,
    pub description: Option<&'static str>,
    pub position: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An image row: what an upload records (`content::images::upload`), plus the metadata an
/// editor adds afterwards.
#[derive(Debug, Insertable)]
#[diesel(table_name = images)]
pub struct SeedImage {
    pub id: Uuid,
    pub sha256: String,
    pub mime_type: &'static str,
    pub width: i32,
    pub height: i32,
    pub byte_size: i64,
    pub alt_text: Option<String>,
    pub caption: Option<String>,
    pub credit: Option<String>,
    pub photographer: Option<String>,
    pub source: Option<String>,
    pub license: Option<String>,
    pub illustrative: bool,
    pub focal_x: Option<f64>,
    pub focal_y: Option<f64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An author row.
#[derive(Debug, Insertable)]
#[diesel(table_name = authors)]
pub struct SeedAuthor {
    pub id: Uuid,
    pub name: String,
    pub slug: String,
    pub job_title: Option<String>,
    pub bio: Option<String>,
    pub location: Option<String>,
    pub avatar_image_id: Option<Uuid>,
    pub email: Option<String>,
    pub links: serde_json::Value,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Ids of existing sections by slug.
pub async fn sections_by_slug(conn: &mut AsyncPgConnection) -> QueryResult<HashMap<String, Uuid>> {
    let rows: Vec<(String, Uuid)> = sections::table
        .select((sections::slug, sections::id))
        .load(conn)
        .await?;
    Ok(rows.into_iter().collect())
}

/// Slugs that articles have or had (a slug in the history still redirects, so it is taken).
pub async fn taken_article_slugs(conn: &mut AsyncPgConnection) -> QueryResult<HashSet<String>> {
    let mut taken: HashSet<String> = articles::table
        .select(articles::slug)
        .load::<String>(conn)
        .await?
        .into_iter()
        .collect();
    taken.extend(
        article_slugs::table
            .select(article_slugs::slug)
            .load::<String>(conn)
            .await?,
    );
    Ok(taken)
}

/// Slugs of existing authors.
pub async fn taken_author_slugs(conn: &mut AsyncPgConnection) -> QueryResult<HashSet<String>> {
    Ok(authors::table
        .select(authors::slug)
        .load::<String>(conn)
        .await?
        .into_iter()
        .collect())
}

/// The first of `ids` that is already an image or an author.
pub async fn first_existing(
    conn: &mut AsyncPgConnection,
    image_ids: &[Uuid],
    author_ids: &[Uuid],
) -> QueryResult<Option<(&'static str, Uuid)>> {
    let image: Option<Uuid> = images::table
        .filter(images::id.eq_any(image_ids))
        .select(images::id)
        .first(conn)
        .await
        .optional()?;
    if let Some(id) = image {
        return Ok(Some(("image", id)));
    }
    let author: Option<Uuid> = authors::table
        .filter(authors::id.eq_any(author_ids))
        .select(authors::id)
        .first(conn)
        .await
        .optional()?;
    Ok(author.map(|id| ("author", id)))
}

/// Inserts sections.
pub async fn insert_sections(
    conn: &mut AsyncPgConnection,
    rows: &[SeedSection],
) -> QueryResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    diesel::insert_into(sections::table)
        .values(rows)
        .execute(conn)
        .await
        .map(drop)
}

/// Inserts images (at most [`ROWS_PER_INSERT`]).
pub async fn insert_images(conn: &mut AsyncPgConnection, rows: &[SeedImage]) -> QueryResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    diesel::insert_into(images::table)
        .values(rows)
        .execute(conn)
        .await
        .map(drop)
}

/// Inserts authors (at most [`ROWS_PER_INSERT`]).
pub async fn insert_authors(conn: &mut AsyncPgConnection, rows: &[SeedAuthor]) -> QueryResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    diesel::insert_into(authors::table)
        .values(rows)
        .execute(conn)
        .await
        .map(drop)
}

/// Articles and their publish revisions in one statement: each names the other
/// (`published_revision_id`, `article_id`), and neither key is deferrable, but keys are checked
/// at the end of the statement.
const INSERT_ARTICLES: &str = "\
WITH new_articles AS (
  INSERT INTO articles (id, slug, status, headline, dek, kicker, section_id, tags, language,
    body, featured_image_id, featured_caption, featured_credit, seo_title, seo_description,
    translation_of, word_count, reading_time_minutes, version, created_at, updated_at,
    publish_at, embargo_until, first_published_at, published_at, published_version,
    published_revision_id, review_note)
  SELECT id, slug, status, headline, dek, kicker, section_id, string_to_array(tags, ','),
    language, body::jsonb, featured_image_id, featured_caption, featured_credit, seo_title,
    seo_description, translation_of, word_count, reading_time_minutes, version, created_at,
    updated_at, publish_at, embargo_until, first_published_at, published_at,
    published_version, published_revision_id, review_note
  FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
    $7::uuid[], $8::text[], $9::text[], $10::text[], $11::uuid[], $12::text[], $13::text[],
    $14::text[], $15::text[], $16::uuid[], $17::int4[], $18::int4[], $19::int4[],
    $20::timestamptz[], $21::timestamptz[], $22::timestamptz[], $23::timestamptz[],
    $24::timestamptz[], $25::timestamptz[], $26::int4[], $27::uuid[], $28::text[])
    AS t(id, slug, status, headline, dek, kicker, section_id, tags, language, body,
      featured_image_id, featured_caption, featured_credit, seo_title, seo_description,
      translation_of, word_count, reading_time_minutes, version, created_at, updated_at,
      publish_at, embargo_until, first_published_at, published_at, published_version,
      published_revision_id, review_note)
)
INSERT INTO article_revisions (id, article_id, number, kind, snapshot, article_version,
  created_at)
SELECT id, article_id, 1, 'publish', snapshot::jsonb, article_version, created_at
FROM unnest($29::uuid[], $30::uuid[], $31::text[], $32::int4[], $33::timestamptz[])
  AS r(id, article_id, snapshot, article_version, created_at)";

const INSERT_EMBEDS: &str = "\
INSERT INTO embeds (id, kind, label, article_id, headline, provider, url, media_id,
  created_at, updated_at)
SELECT id, kind, label, article_id, headline, provider, url, media_id, created_at, created_at
FROM unnest($1::uuid[], $2::text[], $3::text[], $4::uuid[], $5::text[], $6::text[],
  $7::text[], $8::text[], $9::timestamptz[])
  AS t(id, kind, label, article_id, headline, provider, url, media_id, created_at)";

const INSERT_BYLINES: &str = "\
INSERT INTO article_authors (article_id, author_id, position, role)
SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::int4[], $4::text[])";

const INSERT_SLUGS: &str = "\
INSERT INTO article_slugs (slug, article_id, created_at)
SELECT * FROM unnest($1::text[], $2::uuid[], $3::timestamptz[])";

/// The readers' rows, with `search` weighted as `db::published::upsert` computes it.
const INSERT_PUBLISHED: &str = "\
INSERT INTO published_articles (article_id, revision_id, slug, headline, dek, kicker,
  section_id, tags, language, author_ids, featured_image_id, first_published_at, published_at,
  word_count, reading_time_minutes, body_text, search_config, search, translation_of)
SELECT article_id, revision_id, slug, headline, dek, kicker, section_id,
  string_to_array(tags, ','), language, string_to_array(author_ids, ',')::uuid[],
  featured_image_id, first_published_at, published_at, word_count, reading_time_minutes,
  body_text, search_config,
  setweight(to_tsvector(search_config::regconfig, headline), 'A')
    || setweight(to_tsvector(search_config::regconfig, coalesce(dek, '')), 'B')
    || setweight(to_tsvector(search_config::regconfig, body_text), 'C'),
  translation_of
FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[],
  $7::uuid[], $8::text[], $9::text[], $10::text[], $11::uuid[], $12::timestamptz[],
  $13::timestamptz[], $14::int4[], $15::int4[], $16::text[], $17::text[], $18::uuid[])
  AS t(article_id, revision_id, slug, headline, dek, kicker, section_id, tags, language,
    author_ids, featured_image_id, first_published_at, published_at, word_count,
    reading_time_minutes, body_text, search_config, translation_of)";

type Texts = Array<Text>;
type OptionalTexts = Array<Nullable<Text>>;
type Ids = Array<SqlUuid>;
type OptionalIds = Array<Nullable<SqlUuid>>;
type Times = Array<Timestamptz>;
type OptionalTimes = Array<Nullable<Timestamptz>>;
type Integers = Array<Integer>;
type OptionalIntegers = Array<Nullable<Integer>>;

/// Writes every row of a batch; the caller wraps it in a transaction.
pub async fn insert_batch(conn: &mut AsyncPgConnection, batch: &ArticleBatch) -> QueryResult<()> {
    let (a, r) = (&batch.articles, &batch.revisions);
    diesel::sql_query(INSERT_ARTICLES)
        .bind::<Ids, _>(&a.id)
        .bind::<Texts, _>(&a.slug)
        .bind::<Texts, _>(&a.status)
        .bind::<Texts, _>(&a.headline)
        .bind::<OptionalTexts, _>(&a.dek)
        .bind::<OptionalTexts, _>(&a.kicker)
        .bind::<Ids, _>(&a.section_id)
        .bind::<Texts, _>(&a.tags)
        .bind::<Texts, _>(&a.language)
        .bind::<Texts, _>(&a.body)
        .bind::<OptionalIds, _>(&a.featured_image_id)
        .bind::<OptionalTexts, _>(&a.featured_caption)
        .bind::<OptionalTexts, _>(&a.featured_credit)
        .bind::<OptionalTexts, _>(&a.seo_title)
        .bind::<OptionalTexts, _>(&a.seo_description)
        .bind::<OptionalIds, _>(&a.translation_of)
        .bind::<Integers, _>(&a.word_count)
        .bind::<Integers, _>(&a.reading_time_minutes)
        .bind::<Integers, _>(&a.version)
        .bind::<Times, _>(&a.created_at)
        .bind::<Times, _>(&a.updated_at)
        .bind::<OptionalTimes, _>(&a.publish_at)
        .bind::<OptionalTimes, _>(&a.embargo_until)
        .bind::<OptionalTimes, _>(&a.first_published_at)
        .bind::<OptionalTimes, _>(&a.published_at)
        .bind::<OptionalIntegers, _>(&a.published_version)
        .bind::<OptionalIds, _>(&a.published_revision_id)
        .bind::<OptionalTexts, _>(&a.review_note)
        .bind::<Ids, _>(&r.id)
        .bind::<Ids, _>(&r.article_id)
        .bind::<Texts, _>(&r.snapshot)
        .bind::<Integers, _>(&r.article_version)
        .bind::<Times, _>(&r.created_at)
        .execute(conn)
        .await?;

    let e = &batch.embeds;
    if !e.id.is_empty() {
        diesel::sql_query(INSERT_EMBEDS)
            .bind::<Ids, _>(&e.id)
            .bind::<Texts, _>(&e.kind)
            .bind::<OptionalTexts, _>(&e.label)
            .bind::<OptionalIds, _>(&e.article_id)
            .bind::<OptionalTexts, _>(&e.headline)
            .bind::<OptionalTexts, _>(&e.provider)
            .bind::<OptionalTexts, _>(&e.url)
            .bind::<OptionalTexts, _>(&e.media_id)
            .bind::<Times, _>(&e.created_at)
            .execute(conn)
            .await?;
    }

    let b = &batch.bylines;
    if !b.article_id.is_empty() {
        diesel::sql_query(INSERT_BYLINES)
            .bind::<Ids, _>(&b.article_id)
            .bind::<Ids, _>(&b.author_id)
            .bind::<Integers, _>(&b.position)
            .bind::<OptionalTexts, _>(&b.role)
            .execute(conn)
            .await?;
    }

    let s = &batch.slugs;
    if !s.slug.is_empty() {
        diesel::sql_query(INSERT_SLUGS)
            .bind::<Texts, _>(&s.slug)
            .bind::<Ids, _>(&s.article_id)
            .bind::<Times, _>(&s.created_at)
            .execute(conn)
            .await?;
    }

    let p = &batch.readers;
    if !p.article_id.is_empty() {
        diesel::sql_query(INSERT_PUBLISHED)
            .bind::<Ids, _>(&p.article_id)
            .bind::<Ids, _>(&p.revision_id)
            .bind::<Texts, _>(&p.slug)
            .bind::<Texts, _>(&p.headline)
            .bind::<OptionalTexts, _>(&p.dek)
            .bind::<OptionalTexts, _>(&p.kicker)
            .bind::<Ids, _>(&p.section_id)
            .bind::<Texts, _>(&p.tags)
            .bind::<Texts, _>(&p.language)
            .bind::<Texts, _>(&p.author_ids)
            .bind::<OptionalIds, _>(&p.featured_image_id)
            .bind::<Times, _>(&p.first_published_at)
            .bind::<Times, _>(&p.published_at)
            .bind::<Integers, _>(&p.word_count)
            .bind::<Integers, _>(&p.reading_time_minutes)
            .bind::<Texts, _>(&p.body_text)
            .bind::<Texts, _>(&p.search_config)
            .bind::<OptionalIds, _>(&p.translation_of)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// The readers' table's GIN indexes that write entries straight into the index (migration 15).
#[derive(Debug, QueryableByName)]
struct DirectGinIndex {
    /// The index's name as `regclass` prints it (quoted where needed).
    #[diesel(sql_type = Text)]
    name: String,
}

/// Lets the readers' table's GIN indexes buffer new entries in pending lists during a bulk
/// load, which builds them several times faster; returns the indexes to restore with
/// [`write_gin_entries_directly`] (the seed's closing `VACUUM` merges what was buffered).
pub async fn buffer_gin_entries(conn: &mut AsyncPgConnection) -> QueryResult<Vec<String>> {
    let indexes: Vec<DirectGinIndex> = diesel::sql_query(
        "SELECT c.oid::regclass::text AS name FROM pg_index i \
         JOIN pg_class c ON c.oid = i.indexrelid \
         WHERE i.indrelid = 'published_articles'::regclass \
           AND 'fastupdate=off' = ANY (c.reloptions)",
    )
    .load(conn)
    .await?;
    let names: Vec<String> = indexes.into_iter().map(|i| i.name).collect();
    for name in &names {
        diesel::sql_query(format!("ALTER INDEX {name} SET (fastupdate = on)"))
            .execute(conn)
            .await?;
    }
    Ok(names)
}

/// Undoes [`buffer_gin_entries`].
pub async fn write_gin_entries_directly(
    conn: &mut AsyncPgConnection,
    names: &[String],
) -> QueryResult<()> {
    for name in names {
        diesel::sql_query(format!("ALTER INDEX {name} SET (fastupdate = off)"))
            .execute(conn)
            .await?;
    }
    Ok(())
}
