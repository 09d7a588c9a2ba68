//! `GET /api/v1/public/articles`: the news feed, newest first, with keyset pagination so that
//! page 1000 costs what page 1 costs.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::images::{RenditionLink, file_url};
use super::pagination::{Page, PageParams, page};
use crate::db::published::{FeedFilter, PublishedRow};
use crate::db::{self, images::ImageRow};
use crate::domain::slug;
use crate::error::{ApiError, ProblemDetails};
use crate::http::caching;
use crate::startup::AppState;

/// The picture on a feed card.
#[derive(Debug, Serialize, ToSchema)]
pub struct CardImage {
    /// Image id.
    pub id: Uuid,
    /// Full-size URL.
    pub url: String,
    /// Narrower copies for `srcset`.
    pub renditions: Vec<RenditionLink>,
    /// Width in pixels.
    pub width: i32,
    /// Height in pixels.
    pub height: i32,
    /// Alternative text.
    pub alt_text: Option<String>,
    /// Credit line.
    pub credit: Option<String>,
}

/// An author's name on a card.
#[derive(Debug, Serialize, ToSchema)]
pub struct CardAuthor {
    /// Name.
    pub name: String,
    /// Slug (`/api/v1/public/authors/{slug}`).
    pub slug: String,
}

/// What a feed card shows.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedItem {
    /// Id.
    pub id: Uuid,
    /// Slug (`/api/v1/public/articles/{slug}`).
    pub slug: String,
    /// Headline.
    pub headline: String,
    /// Kicker.
    pub kicker: Option<String>,
    /// Standfirst.
    pub dek: Option<String>,
    /// Language.
    pub language: String,
    /// Tags.
    pub tags: Vec<String>,
    /// Last publication.
    pub published_at: DateTime<Utc>,
    /// First publication.
    pub first_published_at: DateTime<Utc>,
    /// Minutes to read.
    pub reading_time_minutes: i32,
    /// Hero image.
    pub featured_image: Option<CardImage>,
    /// Byline.
    pub authors: Vec<CardAuthor>,
}

/// Filters of the feed.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// Section slug.
    pub section: Option<String>,
    /// Tag (any spelling; normalised to its slug).
    pub tag: Option<String>,
    /// Author slug.
    pub author: Option<String>,
    /// Language tag, e.g. `en` or `uk-UA`.
    pub language: Option<String>,
}

impl FeedQuery {
    /// The filter, normalised: tags to their slug, languages to their canonical tag.
    pub fn filter(self) -> Result<FeedFilter, ApiError> {
        let language = match self.language {
            Some(tag) => Some(crate::domain::language::normalize(&tag).ok_or_else(|| {
                ApiError::BadRequest(format!("language `{tag}` is not a BCP 47 tag"))
            })?),
            None => None,
        };
        Ok(FeedFilter {
            section: self.section,
            tag: self.tag.map(|t| slug::slugify(&t)),
            author: self.author,
            language,
        })
    }
}

fn card_image(image: &ImageRow) -> CardImage {
    CardImage {
        id: image.id,
        url: file_url(image.id),
        renditions: super::public::rendition_links(image),
        width: image.width,
        height: image.height,
        alt_text: image.alt_text.clone(),
        credit: image.credit.clone(),
    }
}

/// What feed cards show besides the article's own row: pictures and author names, loaded for a
/// whole page in two queries.
pub struct Cards {
    pictures: HashMap<Uuid, ImageRow>,
    names: HashMap<Uuid, (String, String)>,
}

impl Cards {
    /// Loads the pictures and names `rows` show.
    pub async fn load(
        conn: &mut AsyncPgConnection,
        rows: &[PublishedRow],
    ) -> Result<Self, ApiError> {
        let image_ids: Vec<Uuid> = rows.iter().filter_map(|r| r.featured_image_id).collect();
        let pictures = db::images::find_many(conn, &image_ids)
            .await?
            .into_iter()
            .map(|i| (i.id, i))
            .collect();
        let author_ids: Vec<Uuid> = rows
            .iter()
            .flat_map(|r| r.author_ids.iter().flatten().copied())
            .collect();
        let names = db::authors::find_many(conn, &author_ids)
            .await?
            .into_iter()
            .map(|a| (a.id, (a.name, a.slug)))
            .collect();
        Ok(Self { pictures, names })
    }

    /// Surrogate keys of a list: its own key, then every article, author and image shown.
    pub fn keys(&self, list: &str, rows: &[PublishedRow]) -> Vec<String> {
        let mut keys = vec![list.to_owned()];
        keys.extend(rows.iter().map(|r| format!("article:{}", r.article_id)));
        keys.extend(self.names.keys().map(|id| format!("author:{id}")));
        keys.extend(self.pictures.keys().map(|id| format!("image:{id}")));
        keys
    }

    /// The card of one row.
    pub fn card(&self, r: PublishedRow) -> FeedItem {
        FeedItem {
            id: r.article_id,
            featured_image: r
                .featured_image_id
                .and_then(|id| self.pictures.get(&id))
                .map(card_image),
            authors: r
                .author_ids
                .iter()
                .flatten()
                .filter_map(|id| self.names.get(id))
                .map(|(name, slug)| CardAuthor {
                    name: name.clone(),
                    slug: slug.clone(),
                })
                .collect(),
            tags: r.tags.into_iter().flatten().collect(),
            slug: r.slug,
            headline: r.headline,
            kicker: r.kicker,
            dek: r.dek,
            language: r.language,
            published_at: r.published_at,
            first_published_at: r.first_published_at,
            reading_time_minutes: r.reading_time_minutes,
        }
    }
}

/// The news feed: published articles, newest first.
///
/// Filters by section, tag, author and language; `next_cursor` pages on at constant cost.
/// Cacheable: `ETag`, `304` on `If-None-Match`, `Cache-Control`, `Surrogate-Key`.
#[utoipa::path(
    tag = "public",
    operation_id = "list_public_articles",
    params(FeedQuery, PageParams),
    security(()),
    responses(
        (status = 200, description = "One page of the feed", body = Page<FeedItem>,
            headers(("ETag" = String), ("Cache-Control" = String), ("Surrogate-Key" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "A bad limit or cursor", body = ProblemDetails,
            content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable", body = ProblemDetails,
            content_type = "application/problem+json"),
    )
)]
#[get("/public/articles")]
pub async fn list_public_articles(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<FeedQuery>,
    paging: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let limit = paging.limit()?;
    let after: Option<(DateTime<Utc>, Uuid)> = paging.cursor()?;
    let filter = query.into_inner().filter()?;
    let mut conn = state.read_pool.get().await?;
    let rows = db::published::feed(&mut conn, &filter, after, limit + 1).await?;
    let cards = Cards::load(&mut conn, &rows).await?;
    drop(conn);
    let keys = cards.keys("feed", &rows);
    let feed = page(
        rows,
        limit,
        |r: &PublishedRow| (r.published_at, r.article_id),
        |r| cards.card(r),
    );
    caching::json(&req, state.config.public_cache, &keys, &feed)
}
