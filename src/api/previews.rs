//! Preview links: an article's working copy, shared without a log-in through a secret,
//! expiring, revocable URL.

use actix_web::http::header;
use actix_web::{HttpResponse, delete, get, post, web};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::articles::ArticleView;
use super::problems::{BodyErrors, NotFoundErrors, ProtectedErrors};
use crate::audit::AuditContext;
use crate::auth::tokens::{hash_secret, random_secret};
use crate::auth::{Action, Caller};
use crate::content::articles;
use crate::db;
use crate::db::previews::PreviewLinkRow;
use crate::error::{ApiError, ProblemDetails};
use crate::http::client_ip::ClientIp;
use crate::startup::AppState;

/// Default lifetime of a preview link: a day.
const DEFAULT_MINUTES: i64 = 24 * 60;
/// Longest lifetime: a week.
const MAX_MINUTES: i64 = 7 * 24 * 60;

/// How long the link should work.
#[derive(Debug, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePreviewLinkRequest {
    /// Minutes until the link stops working (default a day, at most a week).
    #[validate(range(min = 1, max = 10080, message = "must be between 1 and 10080 minutes"))]
    #[schema(minimum = 1, maximum = 10080, default = 1440)]
    pub expires_in_minutes: Option<i64>,
}

/// A preview link as listed (never its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewLinkView {
    /// Id (to revoke it).
    pub id: Uuid,
    /// Stops working then.
    pub expires_at: DateTime<Utc>,
    /// Revoked then, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
    /// Who made it.
    pub created_by: Option<Uuid>,
    /// Made.
    pub created_at: DateTime<Utc>,
}

impl From<PreviewLinkRow> for PreviewLinkView {
    fn from(r: PreviewLinkRow) -> Self {
        Self {
            id: r.id,
            expires_at: r.expires_at,
            revoked_at: r.revoked_at,
            created_by: r.created_by,
            created_at: r.created_at,
        }
    }
}

/// A new preview link, with its secret shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedPreviewLink {
    /// Id (to revoke it).
    pub id: Uuid,
    /// The URL to share: it serves the working copy without a log-in.
    #[schema(example = "/api/v1/public/preview/Xk3v9Q2mZp7c1Tn0bWfLr8sYdHgA4eJuVoKiMxC5q6")]
    pub url: String,
    /// The secret in the URL (stored only as a hash).
    pub token: String,
    /// Stops working then.
    pub expires_at: DateTime<Utc>,
}

async fn authorize_share(state: &AppState, caller: &Caller, id: Uuid) -> Result<(), ApiError> {
    let mut conn = state.pool.get().await?;
    let article = super::articles::find_readable(&mut conn, caller, id).await?;
    caller.require(Action::SharePreview {
        created_by: article.created_by,
    })
}

/// Create a preview link for an article's working copy.
#[utoipa::path(
    tag = "previews",
    operation_id = "create_preview_link",
    params(("id" = Uuid, Path, description = "Article id")),
    request_body = Option<CreatePreviewLinkRequest>,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created; `url` and `token` are shown only now", body = CreatedPreviewLink),
        ProtectedErrors, NotFoundErrors, BodyErrors,
    )
)]
#[post("/articles/{id}/preview-links")]
pub async fn create_preview_link(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    id: web::Path<Uuid>,
    body: web::Bytes,
) -> Result<HttpResponse, ApiError> {
    authorize_share(&state, &caller, *id).await?;
    let body: CreatePreviewLinkRequest = super::optional_json(&body)?;
    body.validate()?;
    let minutes = body
        .expires_in_minutes
        .unwrap_or(DEFAULT_MINUTES)
        .min(MAX_MINUTES);
    let token = random_secret();
    let expires_at = Utc::now() + Duration::minutes(minutes);
    let context = AuditContext::of(&caller, &ip);
    let mut conn = state.pool.get().await?;
    let row = db::previews::insert(
        &mut conn,
        *id,
        &hash_secret(&token),
        expires_at,
        context.user_id(),
    )
    .await?;
    db::audit::append(
        &mut conn,
        &context.entry(
            "article.preview_link",
            "article",
            Some(id.to_string()),
            serde_json::json!({ "preview_link": row.id, "expires_at": expires_at }),
        ),
    )
    .await?;
    Ok(HttpResponse::Created().json(CreatedPreviewLink {
        id: row.id,
        url: format!("/api/v1/public/preview/{token}"),
        token,
        expires_at,
    }))
}

/// List an article's preview links.
#[utoipa::path(
    tag = "previews",
    operation_id = "list_preview_links",
    params(("id" = Uuid, Path, description = "Article id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The links, newest first", body = Vec<PreviewLinkView>),
        ProtectedErrors, NotFoundErrors,
    )
)]
#[get("/articles/{id}/preview-links")]
pub async fn list_preview_links(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<PreviewLinkView>>, ApiError> {
    authorize_share(&state, &caller, *id).await?;
    let mut conn = state.pool.get().await?;
    let rows = db::previews::list(&mut conn, *id).await?;
    Ok(web::Json(rows.into_iter().map(Into::into).collect()))
}

/// Revoke a preview link; it answers 404 from then on.
#[utoipa::path(
    tag = "previews",
    operation_id = "revoke_preview_link",
    params(("id" = Uuid, Path, description = "Article id"),
        ("link" = Uuid, Path, description = "Preview link id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Revoked"),
        ProtectedErrors, NotFoundErrors,
    )
)]
#[delete("/articles/{id}/preview-links/{link}")]
pub async fn revoke_preview_link(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (id, link) = path.into_inner();
    authorize_share(&state, &caller, id).await?;
    let mut conn = state.pool.get().await?;
    db::previews::revoke(&mut conn, id, link).await?;
    db::audit::append(
        &mut conn,
        &AuditContext::of(&caller, &ip).entry(
            "article.preview_link_revoke",
            "article",
            Some(id.to_string()),
            serde_json::json!({ "preview_link": link }),
        ),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The working copy behind a preview link, without a log-in.
///
/// An unknown, tampered, expired or revoked link is 404. Never cached, never indexed.
#[utoipa::path(
    tag = "public",
    operation_id = "get_preview",
    params(("token" = String, Path, description = "The secret from the preview URL")),
    security(()),
    responses(
        (status = 200, description = "The working copy", body = ArticleView),
        (status = 404, description = "No live preview link has this secret", body = ProblemDetails,
            content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable", body = ProblemDetails,
            content_type = "application/problem+json"),
    )
)]
#[get("/public/preview/{token}")]
pub async fn get_preview(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let not_found =
        || ApiError::NotFound("this preview link is unknown, expired or revoked".to_owned());
    if token.len() > 128 {
        return Err(not_found());
    }
    let article_id = {
        let mut conn = state.pool.get().await?;
        db::previews::live_article(&mut conn, &hash_secret(&token))
            .await?
            .ok_or_else(not_found)?
    };
    let article = articles::load(&state.pool, article_id).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("X-Robots-Tag", "noindex, nofollow"))
        .json(ArticleView::try_from(article)?))
}
