//! RSS and the sitemap of published articles, for aggregators and search engines.

use std::collections::HashMap;

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use crate::content::syndication::{self, Channel, Item};
use crate::db;
use crate::db::published::FeedFilter;
use crate::error::{ApiError, ProblemDetails};
use crate::http::caching::Cacheable;
use crate::startup::AppState;

/// Items in an RSS channel.
pub const RSS_ITEMS: i64 = 50;
/// URLs in one sitemap (the protocol allows 50,000; smaller files are kinder to crawlers).
pub const SITEMAP_URLS: i64 = 10_000;

/// Which channel.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RssQuery {
    /// A section's slug for that section's channel; all sections without it.
    pub section: Option<String>,
}

/// RSS 2.0: the latest published articles, of one section or all.
#[utoipa::path(
    tag = "public",
    operation_id = "get_public_rss",
    params(RssQuery),
    security(()),
    responses(
        (status = 200, description = "An RSS 2.0 channel of the 50 latest articles",
            body = String, content_type = "application/rss+xml",
            headers(("ETag" = String), ("Cache-Control" = String), ("Surrogate-Key" = String),
                ("Last-Modified" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "The query string does not parse", body = ProblemDetails,
            content_type = "application/problem+json"),
        (status = 404, description = "No section has this slug", body = ProblemDetails,
            content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable", body = ProblemDetails,
            content_type = "application/problem+json"),
    )
)]
#[get("/public/feed.rss")]
pub async fn get_public_rss(
    state: web::Data<AppState>,
    req: HttpRequest,
    query: web::Query<RssQuery>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.read_pool.get().await?;
    let section = match &query.section {
        Some(slug) => Some(
            db::sections::find_by_slug(&mut conn, slug)
                .await?
                .ok_or_else(|| ApiError::NotFound(format!("no section at `{slug}`")))?,
        ),
        None => None,
    };
    let filter = FeedFilter {
        section: section.as_ref().map(|s| s.slug.clone()),
        ..FeedFilter::default()
    };
    let rows = db::published::feed(&mut conn, &filter, None, RSS_ITEMS).await?;
    let author_ids: Vec<Uuid> = rows
        .iter()
        .flat_map(|r| r.author_ids.iter().flatten().copied())
        .collect();
    let names: HashMap<Uuid, String> = db::authors::find_many(&mut conn, &author_ids)
        .await?
        .into_iter()
        .map(|a| (a.id, a.name))
        .collect();
    drop(conn);

    let site = &state.config.site;
    let (title, link, description, self_url) = match &section {
        Some(s) => (
            format!("{} — {}", site.title, s.name),
            site.url.clone(),
            s.description
                .clone()
                .unwrap_or_else(|| format!("Latest in {}", s.name)),
            format!("{}/api/v1/public/feed.rss?section={}", site.api_url, s.slug),
        ),
        None => (
            site.title.clone(),
            site.url.clone(),
            format!("Latest from {}", site.title),
            format!("{}/api/v1/public/feed.rss", site.api_url),
        ),
    };
    let last_build = rows.first().map(|r| r.published_at);
    let items: Vec<Item<'_>> = rows
        .iter()
        .map(|r| Item {
            title: &r.headline,
            link: site.article(&r.slug),
            guid: format!("urn:uuid:{}", r.article_id),
            description: r.dek.as_deref(),
            published: r.first_published_at,
            creators: r
                .author_ids
                .iter()
                .flatten()
                .filter_map(|id| names.get(id).map(String::as_str))
                .collect(),
            categories: r.tags.iter().flatten().map(String::as_str).collect(),
        })
        .collect();
    let xml = syndication::rss(
        &Channel {
            title: &title,
            link: &link,
            description: &description,
            self_url: &self_url,
            last_build,
        },
        &items,
    );
    let mut keys = vec!["feed".to_owned()];
    keys.extend(rows.iter().map(|r| format!("article:{}", r.article_id)));
    keys.extend(names.keys().map(|id| format!("author:{id}")));
    Ok(Cacheable {
        content_type: "application/rss+xml; charset=utf-8",
        surrogate_keys: &keys,
        last_modified: last_build,
    }
    .respond(&req, state.config.public_cache, xml.into_bytes()))
}

/// The sitemap index: one sitemap per 10,000 published articles.
#[utoipa::path(
    tag = "public",
    operation_id = "get_public_sitemap_index",
    security(()),
    responses(
        (status = 200, description = "A sitemap index (sitemaps.org 0.9)", body = String,
            content_type = "application/xml",
            headers(("ETag" = String), ("Cache-Control" = String), ("Surrogate-Key" = String))),
        (status = 304, description = "Not modified"),
        (status = 503, description = "The database is unavailable", body = ProblemDetails,
            content_type = "application/problem+json"),
    )
)]
#[get("/public/sitemap.xml")]
pub async fn get_public_sitemap_index(
    state: web::Data<AppState>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.read_pool.get().await?;
    let published = db::published::count(&mut conn).await?;
    drop(conn);
    // An empty site still has one (empty) sitemap, so crawlers see a valid index.
    let pages = (published + SITEMAP_URLS - 1).max(SITEMAP_URLS) / SITEMAP_URLS;
    let api = &state.config.site.api_url;
    let sitemaps: Vec<String> = (1..=pages)
        .map(|n| format!("{api}/api/v1/public/sitemaps/{n}"))
        .collect();
    let xml = syndication::sitemap_index(&sitemaps);
    Ok(Cacheable {
        content_type: "application/xml; charset=utf-8",
        surrogate_keys: &["feed".to_owned()],
        last_modified: None,
    }
    .respond(&req, state.config.public_cache, xml.into_bytes()))
}

/// One sitemap: up to 10,000 published articles in the order they first appeared.
#[utoipa::path(
    tag = "public",
    operation_id = "get_public_sitemap",
    params(("page" = i64, Path, minimum = 1, description = "Sitemap number, from 1, as the index lists")),
    security(()),
    responses(
        (status = 200, description = "A sitemap (sitemaps.org 0.9)", body = String,
            content_type = "application/xml",
            headers(("ETag" = String), ("Cache-Control" = String), ("Surrogate-Key" = String),
                ("Last-Modified" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "Not a page number", body = ProblemDetails,
            content_type = "application/problem+json"),
        (status = 404, description = "No such sitemap", body = ProblemDetails,
            content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable", body = ProblemDetails,
            content_type = "application/problem+json"),
    )
)]
#[get("/public/sitemaps/{page}")]
pub async fn get_public_sitemap(
    state: web::Data<AppState>,
    req: HttpRequest,
    page: web::Path<i64>,
) -> Result<HttpResponse, ApiError> {
    let page = page.into_inner();
    let not_found = || ApiError::NotFound(format!("no sitemap {page}"));
    let offset = page
        .checked_sub(1)
        .filter(|n| *n >= 0)
        .and_then(|n| n.checked_mul(SITEMAP_URLS))
        .ok_or_else(not_found)?;
    let mut conn = state.read_pool.get().await?;
    let rows = db::published::sitemap_page(&mut conn, offset, SITEMAP_URLS).await?;
    drop(conn);
    if rows.is_empty() && page != 1 {
        return Err(not_found());
    }
    let site = &state.config.site;
    let urls: Vec<_> = rows
        .iter()
        .map(|(slug, at)| (site.article(slug), *at))
        .collect();
    let last_modified = rows.iter().map(|(_, at)| *at).max();
    let xml = syndication::urlset(&urls);
    Ok(Cacheable {
        content_type: "application/xml; charset=utf-8",
        surrogate_keys: &["feed".to_owned()],
        last_modified,
    }
    .respond(&req, state.config.public_cache, xml.into_bytes()))
}
