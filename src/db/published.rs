//! Queries on `published_articles`, the readers' view: one row per published article.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{
    Array, BigInt, Float4, Integer, Nullable, Text, Timestamptz, Uuid as SqlUuid,
};
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::{authors, published_articles, published_tag_counts, sections};

/// What a published article shows in feeds and lists.
#[derive(Debug, Clone, Queryable, Selectable, QueryableByName)]
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
    /// The article this one translates.
    pub translation_of: Option<Uuid>,
}

/// Records (or replaces) what readers see of an article.
pub async fn upsert(conn: &mut AsyncPgConnection, p: &Publication<'_>) -> QueryResult<()> {
    diesel::sql_query(
        "INSERT INTO published_articles (article_id, revision_id, slug, headline, dek, kicker, \
         section_id, tags, language, author_ids, featured_image_id, first_published_at, \
         published_at, word_count, reading_time_minutes, search, body_text, search_config, \
         translation_of) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, \
           setweight(to_tsvector($16::regconfig, $4), 'A') \
           || setweight(to_tsvector($16::regconfig, coalesce($5, '')), 'B') \
           || setweight(to_tsvector($16::regconfig, $17), 'C'), $17, $16, $18) \
         ON CONFLICT (article_id) DO UPDATE SET revision_id = EXCLUDED.revision_id, \
           slug = EXCLUDED.slug, headline = EXCLUDED.headline, dek = EXCLUDED.dek, \
           kicker = EXCLUDED.kicker, section_id = EXCLUDED.section_id, tags = EXCLUDED.tags, \
           language = EXCLUDED.language, author_ids = EXCLUDED.author_ids, \
           featured_image_id = EXCLUDED.featured_image_id, \
           first_published_at = EXCLUDED.first_published_at, \
           published_at = EXCLUDED.published_at, word_count = EXCLUDED.word_count, \
           reading_time_minutes = EXCLUDED.reading_time_minutes, search = EXCLUDED.search, \
           body_text = EXCLUDED.body_text, search_config = EXCLUDED.search_config, \
           translation_of = EXCLUDED.translation_of",
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
    .bind::<Nullable<SqlUuid>, _>(p.translation_of)
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
        // The `<=` is what the index scan starts from; the OR alone would be a filter.
        query = query
            .filter(published_articles::published_at.le(published_at))
            .filter(
                published_articles::published_at
                    .lt(published_at)
                    .or(published_articles::article_id.lt(id)),
            );
    }
    query.load(conn).await
}

/// Marks the start of a highlighted term in [`SearchRow`] texts (a private-use character, so
/// the API can escape the text and then turn the marks into markup).
pub const MARK_START: char = '\u{E000}';
/// Marks the end of a highlighted term.
pub const MARK_END: char = '\u{E001}';

/// A search hit: the article, its rank and highlighted texts.
#[derive(Debug, QueryableByName)]
pub struct SearchRow {
    /// The article.
    #[diesel(embed)]
    pub article: PublishedRow,
    /// `ts_rank` of the match in the article's own language (headline weighs most).
    #[diesel(sql_type = Float4)]
    pub rank: f32,
    /// The headline with matched terms between [`MARK_START`] and [`MARK_END`].
    #[diesel(sql_type = Text)]
    pub headline_marked: String,
    /// Up to two fragments of the body around the matches, marked the same way.
    #[diesel(sql_type = Text)]
    pub snippet_marked: String,
}

/// Where a search page starts: after this rank, then publication time and id.
pub type SearchKey = (f32, DateTime<Utc>, Uuid);

/// One page of full-text search over published articles, best match first.
///
/// The query is parsed with every language's configuration, and each parse is ANDed with that
/// language's marker lexeme (migration 12), so one GIN lookup finds exactly the articles that
/// match in their own language: stemming never crosses languages, and no row's full vector is
/// read.
///
/// Hits come in two tiers, which is what a news search wants and what keeps a common word
/// cheap: first the articles whose headline and dek alone match (found through the small
/// `search_head` index, migration 13, and ranked by `ts_rank` on it, always above zero), then
/// those matched only through the body, rank zero, newest first. A page the first tier fills
/// never looks at the second, so it costs the headline matches, not every article that
/// mentions the word.
pub async fn search(
    conn: &mut AsyncPgConnection,
    q: &str,
    configs: &[&str],
    filter: &FeedFilter,
    after: Option<SearchKey>,
    limit: i64,
) -> QueryResult<Vec<SearchRow>> {
    let (rank, at, id) = after.map_or((None, None, None), |(r, t, i)| (Some(r), Some(t), Some(i)));
    diesel::sql_query(format!(
        "WITH q AS ( \
           SELECT c AS config, websearch_to_tsquery(c::regconfig, $1) AS own \
           FROM unnest($2::text[]) AS c \
         ), any_language AS ( \
           SELECT string_agg('(' || (own && quote_literal('!' || config)::tsquery)::text || ')', \
                             ' | ')::tsquery AS query \
           FROM q WHERE numnode(own) > 0 \
         ), head_hits AS ( \
           SELECT * FROM ( \
             SELECT p.article_id, p.published_at, \
               greatest(ts_rank(p.search_head, q.own), {min_rank}::real) AS rank \
             FROM published_articles p JOIN q ON q.config = p.search_config \
             WHERE (p.search_head || array_to_tsvector(ARRAY['!' || p.search_config])) \
                     @@ (SELECT query FROM any_language) \
               AND {filters} \
           ) t \
           WHERE $7::real IS NULL OR (rank, published_at, article_id) < ($7, $8, $9) \
           ORDER BY rank DESC, published_at DESC, article_id DESC \
           LIMIT $10 \
         ), body_hits AS ( \
           SELECT p.article_id, p.published_at, 0::real AS rank \
           FROM published_articles p \
           WHERE (p.search || array_to_tsvector(ARRAY['!' || p.search_config])) \
                   @@ (SELECT query FROM any_language) \
             AND NOT (p.search_head || array_to_tsvector(ARRAY['!' || p.search_config])) \
                   @@ (SELECT query FROM any_language) \
             AND {filters} \
             AND ($7::real IS NULL OR $7 > 0 OR (p.published_at, p.article_id) < ($8, $9)) \
           ORDER BY p.published_at DESC, p.article_id DESC \
           LIMIT $10 \
         ), hits AS ( \
           SELECT * FROM (SELECT * FROM head_hits UNION ALL SELECT * FROM body_hits) tiers \
           LIMIT $10 \
         ) \
         SELECT h.rank, {columns}, \
           ts_headline(p.search_config::regconfig, p.headline, \
             websearch_to_tsquery(p.search_config::regconfig, $1), \
             'HighlightAll=true, StartSel={start}, StopSel={end}') AS headline_marked, \
           ts_headline(p.search_config::regconfig, p.body_text, \
             websearch_to_tsquery(p.search_config::regconfig, $1), \
             'MaxFragments=2, MinWords=8, MaxWords=24, FragmentDelimiter=\" … \", \
              StartSel={start}, StopSel={end}') AS snippet_marked \
         FROM hits h \
         JOIN published_articles p ON p.article_id = h.article_id \
         ORDER BY h.rank DESC, h.published_at DESC, h.article_id DESC",
        min_rank = MIN_HEADLINE_RANK,
        filters = SEARCH_FILTERS,
        columns = CARD_COLUMNS,
        start = MARK_START,
        end = MARK_END,
    ))
    .bind::<Text, _>(q)
    .bind::<Array<Text>, _>(configs)
    .bind::<Nullable<Text>, _>(filter.section.as_deref())
    .bind::<Nullable<Text>, _>(filter.tag.as_deref())
    .bind::<Nullable<Text>, _>(filter.author.as_deref())
    .bind::<Nullable<Text>, _>(filter.language.as_deref())
    .bind::<Nullable<Float4>, _>(rank)
    .bind::<Nullable<Timestamptz>, _>(at)
    .bind::<Nullable<SqlUuid>, _>(id)
    .bind::<BigInt, _>(limit)
    .load(conn)
    .await
}

/// The least rank of a headline-and-dek match: a query that matches by exclusion alone
/// (`-word`) ranks zero there, and must still sort above every body-only match.
const MIN_HEADLINE_RANK: &str = "1e-6";

/// The feed filters of a search, on `p` (`$3` section, `$4` tag, `$5` author, `$6` language).
const SEARCH_FILTERS: &str = "($3::text IS NULL \
      OR p.section_id = (SELECT id FROM sections WHERE slug = $3)) \
    AND ($4::text IS NULL OR p.tags @> ARRAY[$4::text]) \
    AND ($5::text IS NULL \
      OR p.author_ids @> ARRAY[(SELECT id FROM authors WHERE slug = $5)]) \
    AND ($6::text IS NULL OR p.language = $6)";

/// The columns of [`PublishedRow`], qualified with `p.`, for hand-written queries.
const CARD_COLUMNS: &str = "p.article_id, p.slug, p.headline, p.dek, p.kicker, p.section_id, \
    p.tags, p.language, p.author_ids, p.featured_image_id, p.first_published_at, \
    p.published_at, p.word_count, p.reading_time_minutes";

/// A tag and how many published articles carry it.
#[derive(Debug, Queryable)]
pub struct TagCount {
    /// The tag (a slug).
    pub tag: String,
    /// Published articles with it.
    pub article_count: i64,
}

/// The most used tags of published articles, most used first, then by name (counts kept by
/// triggers, migration 14).
pub async fn tag_counts(conn: &mut AsyncPgConnection, limit: i64) -> QueryResult<Vec<TagCount>> {
    published_tag_counts::table
        .filter(published_tag_counts::article_count.gt(0))
        .order((
            published_tag_counts::article_count.desc(),
            published_tag_counts::tag.asc(),
        ))
        .select((
            published_tag_counts::tag,
            published_tag_counts::article_count,
        ))
        .limit(limit)
        .load(conn)
        .await
}

/// How many articles are published.
pub async fn count(conn: &mut AsyncPgConnection) -> QueryResult<i64> {
    published_articles::table.count().get_result(conn).await
}

/// A page of slugs and publication times in the order articles first appeared, for sitemaps.
///
/// The page's first key is found by skipping `offset` entries of the index alone (an
/// index-only scan), then the page is read from that key on. A plain `OFFSET` over the rows
/// was planned as a sort of every published article (130 ms at 100,000), and a join to the
/// key as a filter over every row before it; two queries keep both on the index (12 ms).
pub async fn sitemap_page(
    conn: &mut AsyncPgConnection,
    offset: i64,
    limit: i64,
) -> QueryResult<Vec<(String, DateTime<Utc>)>> {
    let first_appearance = (
        published_articles::first_published_at.asc(),
        published_articles::article_id.asc(),
    );
    let start: Option<(DateTime<Utc>, Uuid)> = published_articles::table
        .order(first_appearance)
        .select((
            published_articles::first_published_at,
            published_articles::article_id,
        ))
        .offset(offset)
        .first(conn)
        .await
        .optional()?;
    let Some((first_published_at, id)) = start else {
        return Ok(Vec::new());
    };
    published_articles::table
        // The `>=` is what the index scan starts from; the OR alone would be a filter.
        .filter(published_articles::first_published_at.ge(first_published_at))
        .filter(
            published_articles::first_published_at
                .gt(first_published_at)
                .or(published_articles::article_id.ge(id)),
        )
        .order(first_appearance)
        .select((published_articles::slug, published_articles::published_at))
        .limit(limit)
        .load(conn)
        .await
}

/// A published article in brief (teaser cards, translations, "read more").
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = published_articles, check_for_backend(diesel::pg::Pg))]
pub struct PublishedBrief {
    /// Article.
    #[diesel(column_name = article_id)]
    pub id: Uuid,
    /// Last publication.
    pub published_at: DateTime<Utc>,
    /// Published headline.
    pub headline: String,
    /// Live slug.
    pub slug: String,
    /// Published standfirst.
    pub dek: Option<String>,
    /// Language.
    pub language: String,
    /// Published featured image.
    pub featured_image_id: Option<Uuid>,
}

/// The articles among `ids` that are published, in brief (anything else is left out).
pub async fn briefs(
    conn: &mut AsyncPgConnection,
    ids: &[Uuid],
) -> QueryResult<Vec<PublishedBrief>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    published_articles::table
        .filter(published_articles::article_id.eq_any(ids))
        .select(PublishedBrief::as_select())
        .load(conn)
        .await
}

/// The published members of the translation group `group` (the original and every article
/// translating it), except `except`, oldest publication first.
pub async fn translations(
    conn: &mut AsyncPgConnection,
    group: Uuid,
    except: Uuid,
) -> QueryResult<Vec<PublishedBrief>> {
    published_articles::table
        .filter(
            published_articles::article_id
                .eq(group)
                .or(published_articles::translation_of.eq(group)),
        )
        .filter(published_articles::article_id.ne(except))
        .order((
            published_articles::published_at.asc(),
            published_articles::article_id.asc(),
        ))
        .limit(50)
        .select(PublishedBrief::as_select())
        .load(conn)
        .await
}

/// The latest published articles of `section`, except `except`, newest first.
pub async fn latest_in_section(
    conn: &mut AsyncPgConnection,
    section: Uuid,
    except: Uuid,
    limit: i64,
) -> QueryResult<Vec<PublishedBrief>> {
    published_articles::table
        .filter(published_articles::section_id.eq(section))
        .filter(published_articles::article_id.ne(except))
        .order((
            published_articles::published_at.desc(),
            published_articles::article_id.desc(),
        ))
        .limit(limit)
        .select(PublishedBrief::as_select())
        .load(conn)
        .await
}
