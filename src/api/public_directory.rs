//! The public directory: author pages, sections and tags.

use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use super::authors::AuthorLink;
use super::pagination::{Page, PageParams, page};
use super::public::{PublicImage, public_image};
use super::public_feed::{Cards, FeedItem};
use crate::db;
use crate::db::published::{FeedFilter, PublishedRow};
use crate::error::{ApiError, ProblemDetails};
use crate::http::caching;
use crate::startup::AppState;

/// An author's public profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicAuthorProfile {
    /// Author id.
    pub id: Uuid,
    /// Name as printed.
    pub name: String,
    /// URL identifier.
    pub slug: String,
    /// Job title.
    pub job_title: Option<String>,
    /// Biography.
    pub bio: Option<String>,
    /// Where the author is based.
    pub location: Option<String>,
    /// Web site and social profiles.
    pub links: Vec<AuthorLink>,
    /// Portrait.
    pub avatar: Option<PublicImage>,
}

/// An author page: the profile and one page of their published articles, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicAuthorPage {
    /// The profile.
    pub author: PublicAuthorProfile,
    /// Their published articles; `next_cursor` pages on.
    pub articles: Page<FeedItem>,
}

/// An author's page: profile and latest published articles.
///
/// Only active authors have a page. Articles page on with `cursor` like the feed.
#[utoipa::path(
    tag = "public",
    operation_id = "get_public_author",
    params(("slug" = String, Path, description = "The author's slug"), PageParams),
    security(()),
    responses(
        (status = 200, description = "The author page", body = PublicAuthorPage,
            headers(("ETag" = String), ("Cache-Control" = String), ("Surrogate-Key" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "A bad limit or cursor", body = ProblemDetails,
            content_type = "application/problem+json"),
        (status = 404, description = "No active author has this slug", body = ProblemDetails,
            content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable", body = ProblemDetails,
            content_type = "application/problem+json"),
    )
)]
#[get("/public/authors/{slug}")]
pub async fn get_public_author(
    state: web::Data<AppState>,
    req: HttpRequest,
    slug: web::Path<String>,
    paging: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let limit = paging.limit()?;
    let after: Option<(DateTime<Utc>, Uuid)> = paging.cursor()?;
    let mut conn = state.read_pool.get().await?;
    let author = db::authors::find_by_slug(&mut conn, &slug)
        .await?
        .filter(|a| a.active)
        .ok_or_else(|| ApiError::NotFound(format!("no author at `{slug}`")))?;
    let avatar = match author.avatar_image_id {
        Some(id) => db::images::find_many(&mut conn, &[id]).await?.pop(),
        None => None,
    };
    let filter = FeedFilter {
        author: Some(author.slug.clone()),
        ..FeedFilter::default()
    };
    let rows = db::published::feed(&mut conn, &filter, after, limit + 1).await?;
    let cards = Cards::load(&mut conn, &rows).await?;
    drop(conn);
    let mut keys = cards.keys(&format!("author:{}", author.id), &rows);
    keys.extend(avatar.as_ref().map(|a| format!("image:{}", a.id)));
    let articles = page(
        rows,
        limit,
        |r: &PublishedRow| (r.published_at, r.article_id),
        |r| cards.card(r),
    );
    let body = PublicAuthorPage {
        author: PublicAuthorProfile {
            id: author.id,
            links: serde_json::from_value(author.links).unwrap_or_default(),
            avatar: avatar.as_ref().map(|a| public_image(a, None, None)),
            name: author.name,
            slug: author.slug,
            job_title: author.job_title,
            bio: author.bio,
            location: author.location,
        },
        articles,
    };
    caching::json(&req, state.config.public_cache, &keys, &body)
}

/// A section in navigation.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicSectionEntry {
    /// Display name.
    pub name: String,
    /// URL identifier (the feed's `section` filter).
    pub slug: String,
    /// Description.
    pub description: Option<String>,
}

/// The list of sections.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicSections {
    /// Sections in navigation order.
    pub items: Vec<PublicSectionEntry>,
}

/// Sections in navigation order.
#[utoipa::path(
    tag = "public",
    operation_id = "list_public_sections",
    security(()),
    responses(
        (status = 200, description = "Every section", body = PublicSections,
            headers(("ETag" = String), ("Cache-Control" = String), ("Surrogate-Key" = String))),
        (status = 304, description = "Not modified"),
        (status = 503, description = "The database is unavailable", body = ProblemDetails,
            content_type = "application/problem+json"),
    )
)]
#[get("/public/sections")]
pub async fn list_public_sections(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.read_pool.get().await?;
    let rows = db::sections::list(&mut conn).await?;
    drop(conn);
    let body = PublicSections {
        items: rows
            .into_iter()
            .map(|s| PublicSectionEntry {
                name: s.name,
                slug: s.slug,
                description: s.description,
            })
            .collect(),
    };
    caching::json(
        &req,
        state.config.public_cache,
        &["sections".to_owned()],
        &body,
    )
}

/// How many tags to list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TagsQuery {
    /// Most tags to list, 1 to 500 (default 100).
    #[param(minimum = 1, maximum = 500, default = 100)]
    pub limit: Option<i64>,
}

/// A tag in use.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicTag {
    /// The tag (the feed's `tag` filter).
    pub tag: String,
    /// Published articles carrying it.
    pub article_count: i64,
}

/// The list of tags.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicTags {
    /// Most used first.
    pub items: Vec<PublicTag>,
}

/// Tags of published articles, most used first.
#[utoipa::path(
    tag = "public",
    operation_id = "list_public_tags",
    params(TagsQuery),
    security(()),
    responses(
        (status = 200, description = "Tags in use", body = PublicTags,
            headers(("ETag" = String), ("Cache-Control" = String), ("Surrogate-Key" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "A bad limit", body = ProblemDetails,
            content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable", body = ProblemDetails,
            content_type = "application/problem+json"),
    )
)]
#[get("/public/tags")]
pub async fn list_public_tags(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<TagsQuery>,
) -> Result<HttpResponse, ApiError> {
    let limit = match query.limit {
        None => 100,
        Some(n) if (1..=500).contains(&n) => n,
        Some(_) => {
            return Err(ApiError::BadRequest(
                "limit must be between 1 and 500".to_owned(),
            ));
        }
    };
    let mut conn = state.read_pool.get().await?;
    let rows = db::published::tag_counts(&mut conn, limit).await?;
    drop(conn);
    let body = PublicTags {
        items: rows
            .into_iter()
            .map(|t| PublicTag {
                tag: t.tag,
                article_count: t.article_count,
            })
            .collect(),
    };
    // Any publish may change the counts.
    caching::json(&req, state.config.public_cache, &["feed".to_owned()], &body)
}
