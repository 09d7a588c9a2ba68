//! `/api/v1/public`: what readers see, without a token. (The article page; the feed, search and
//! the rest of public delivery build on it.)

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::articles::CorrectionView;
use crate::content::workflow::read_snapshot;
use crate::db;
use crate::domain::revision::Snapshot;
use crate::error::{ApiError, ProblemDetails};
use crate::startup::AppState;

/// A published article as readers see it: its last published revision.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicArticle {
    /// Id.
    pub id: Uuid,
    /// When it was first published.
    pub first_published_at: Option<DateTime<Utc>>,
    /// When it was last published.
    pub published_at: Option<DateTime<Utc>>,
    /// The published revision.
    #[serde(flatten)]
    pub content: Snapshot,
    /// Corrections, oldest first.
    pub corrections: Vec<CorrectionView>,
}

fn not_found(slug: &str) -> ApiError {
    ApiError::NotFound(format!("no published article at `{slug}`"))
}

/// One published article by slug; an old slug answers 301 with the current one.
#[utoipa::path(
    tag = "public",
    operation_id = "get_public_article",
    params(("slug" = String, Path, description = "The article's slug")),
    security(()),
    responses(
        (status = 200, description = "The published article", body = PublicArticle),
        (status = 301, description = "An old slug: `Location` has the current URL",
            headers(("Location" = String, description = "Current URL"))),
        (status = 404, description = "No published article has this slug", body = ProblemDetails,
            content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable", body = ProblemDetails,
            content_type = "application/problem+json"),
    )
)]
#[get("/public/articles/{slug}")]
pub async fn get_public_article(
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.pool.get().await?;
    let id = db::revisions::article_for_slug(&mut conn, &slug)
        .await?
        .ok_or_else(|| not_found(&slug))?;
    let article = db::articles::find(&mut conn, id).await?;
    let revision_id = article
        .published_revision_id
        .filter(|_| article.status == "published")
        .ok_or_else(|| not_found(&slug))?;
    let revision = db::revisions::find_by_id(&mut conn, revision_id).await?;
    let content = read_snapshot(&revision)?;
    if content.slug != *slug {
        return Ok(HttpResponse::MovedPermanently()
            .insert_header((
                header::LOCATION,
                format!("/api/v1/public/articles/{}", content.slug),
            ))
            .finish());
    }
    let corrections = db::revisions::corrections(&mut conn, id).await?;
    Ok(HttpResponse::Ok().json(PublicArticle {
        id,
        first_published_at: article.first_published_at,
        published_at: article.published_at,
        content,
        corrections: corrections
            .into_iter()
            .map(|c| CorrectionView {
                id: c.id,
                note: c.note,
                created_at: c.created_at,
            })
            .collect(),
    }))
}
