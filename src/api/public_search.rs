//! `GET /api/v1/public/search`: full-text search over published articles, ranked, with
//! highlighted headline and snippets, paged by cursor.

use actix_web::{HttpRequest, HttpResponse, get, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::pagination::{Page, PageParams, page};
use super::public_feed::{Cards, FeedItem, FeedQuery};
use crate::db;
use crate::db::published::{MARK_END, MARK_START, SearchKey};
use crate::domain::language::{SEARCH_CONFIGS, search_config};
use crate::error::{ApiError, ProblemDetails};
use crate::http::caching;
use crate::startup::AppState;

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 200;

/// The search terms.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Web-search syntax: words (all must match), `"a phrase"`, `or`, `-excluded`.
    #[param(min_length = 1, max_length = 200, example = "election -poll")]
    pub q: String,
}

/// A search hit: the feed card plus why it matched.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHit {
    /// The article's card.
    #[serde(flatten)]
    pub article: FeedItem,
    /// The headline as HTML, matched terms in `<mark>`; everything else escaped.
    pub headline_html: String,
    /// Up to two passages of the body around the matches, as HTML with matched terms in
    /// `<mark>` and everything else escaped; passages are joined by ` … `.
    pub snippet_html: String,
    /// Relevance of the headline and dek to the query (higher is better; the headline weighs
    /// more). Articles whose headline and dek match come first, by this rank; those matched
    /// only in the body follow with rank 0, newest first.
    pub rank: f32,
}

/// Escapes `text` for HTML and turns the database's highlight marks into `<mark>` elements,
/// always balanced whatever characters the text itself holds.
pub fn highlight(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut open = false;
    for c in text.chars() {
        match c {
            MARK_START if !open => {
                out.push_str("<mark>");
                open = true;
            }
            MARK_END if open => {
                out.push_str("</mark>");
                open = false;
            }
            MARK_START | MARK_END => {}
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    if open {
        out.push_str("</mark>");
    }
    out
}

/// Full-text search over published articles.
///
/// Matches headline, dek and body text in each article's own language (stemming where
/// PostgreSQL has a configuration for it), best match first, with highlighted headline and
/// snippets. The feed's filters apply. Cacheable like the feed.
#[utoipa::path(
    tag = "public",
    operation_id = "search_public_articles",
    params(SearchQuery, FeedQuery, PageParams),
    security(()),
    responses(
        (status = 200, description = "One page of hits, best first", body = Page<SearchHit>,
            headers(("ETag" = String), ("Cache-Control" = String), ("Surrogate-Key" = String))),
        (status = 304, description = "Not modified"),
        (status = 400, description = "A missing or too long query, a bad filter, limit or cursor",
            body = ProblemDetails, content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable", body = ProblemDetails,
            content_type = "application/problem+json"),
    )
)]
#[get("/public/search")]
pub async fn search_public_articles(
    state: web::Data<AppState>,
    req: HttpRequest,
    search: web::Query<SearchQuery>,
    query: web::Query<FeedQuery>,
    paging: web::Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let limit = paging.limit()?;
    let after: Option<SearchKey> = paging.cursor()?;
    let q = search.q.trim();
    if q.is_empty() {
        return Err(ApiError::BadRequest("q must not be empty".to_owned()));
    }
    if q.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::BadRequest(format!(
            "q must be at most {MAX_QUERY_CHARS} characters"
        )));
    }
    let filter = query.into_inner().filter()?;
    // With a language filter only its configuration can match.
    let configs: Vec<&str> = match &filter.language {
        Some(language) => vec![search_config(language)],
        None => SEARCH_CONFIGS.to_vec(),
    };
    let mut conn = state.read_pool.get().await?;
    let hits = db::published::search(&mut conn, q, &configs, &filter, after, limit + 1).await?;
    let rows: Vec<_> = hits.iter().map(|h| h.article.clone()).collect();
    let cards = Cards::load(&mut conn, &rows).await?;
    drop(conn);
    let keys = cards.keys("feed", &rows);
    let page = page(
        hits,
        limit,
        |h| -> SearchKey { (h.rank, h.article.published_at, h.article.article_id) },
        |h| SearchHit {
            headline_html: highlight(&h.headline_marked),
            snippet_html: highlight(&h.snippet_marked),
            rank: h.rank,
            article: cards.card(h.article),
        },
    );
    caching::json(&req, state.config.public_cache, &keys, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_marks_become_balanced_markup() {
        let marked = format!("a <b> & {MARK_START}war{MARK_END} \"x\"");
        assert_eq!(
            highlight(&marked),
            "a &lt;b&gt; &amp; <mark>war</mark> &quot;x&quot;"
        );
        let stray = format!("{MARK_END}a{MARK_START}b{MARK_START}c");
        assert_eq!(highlight(&stray), "a<mark>bc</mark>");
    }
}
