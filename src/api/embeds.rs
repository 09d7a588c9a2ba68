//! `/api/v1/embeds`: reusable editorial embeds.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use diesel::OptionalExtension;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::pagination::{Page, PageParams, page};
use super::patch::{clean, clean_patch, nullable};
use super::problems::{BodyErrors, ConflictErrors, NotFoundErrors, ProtectedErrors, QueryErrors};
use crate::audit::AuditContext;
use crate::auth::policy::{article_reader, reads_every_article};
use crate::auth::{Action, Caller};
use crate::content::embeds;
use crate::db;
use crate::db::embeds::{EmbedChanges, EmbedRow, NewEmbed};
use crate::domain::embeds::{ExternalMedia, Provider, markup, recognise};
use crate::domain::inline::sanitize_embed_html;
use crate::error::{ApiError, FieldError};
use crate::http::client_ip::ClientIp;
use crate::startup::AppState;

/// Kinds of embed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EmbedKind {
    /// A teaser card of another article of this newsroom.
    Article,
    /// Third-party media from an allow-listed provider.
    External,
    /// Raw markup, sanitised (editors only).
    Html,
}

/// An embed.
#[derive(Debug, Serialize, ToSchema)]
pub struct EmbedView {
    /// Id.
    pub id: Uuid,
    /// Kind.
    pub kind: EmbedKind,
    /// Label on the card, e.g. "Editorial".
    #[schema(example = "Editorial")]
    pub label: Option<String>,
    /// Teaser target (kind `article`).
    pub article_id: Option<Uuid>,
    /// Headline override (kind `article`; the target's headline otherwise).
    pub headline: Option<String>,
    /// Excerpt override (kind `article`; the target's dek otherwise).
    pub excerpt: Option<String>,
    /// Image override (kind `article`; the target's featured image otherwise).
    pub image_id: Option<Uuid>,
    /// Provider (kind `external`).
    pub provider: Option<Provider>,
    /// Canonical URL (kind `external`).
    pub url: Option<String>,
    /// The provider's media id (kind `external`).
    pub media_id: Option<String>,
    /// Markup: built by the server from provider and media id (kind `external`), or the
    /// sanitised markup (kind `html`).
    pub html: Option<String>,
    /// Creator.
    pub created_by: Option<Uuid>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

fn kind_of(s: &str) -> EmbedKind {
    match s {
        "article" => EmbedKind::Article,
        "external" => EmbedKind::External,
        _ => EmbedKind::Html,
    }
}

impl From<EmbedRow> for EmbedView {
    fn from(e: EmbedRow) -> Self {
        let kind = kind_of(&e.kind);
        let provider = e.provider.as_deref().and_then(Provider::parse);
        let html = match (kind, provider, &e.media_id, &e.url) {
            (EmbedKind::External, Some(provider), Some(media_id), Some(url)) => {
                Some(markup(&ExternalMedia {
                    provider,
                    media_id: media_id.clone(),
                    canonical_url: url.clone(),
                }))
            }
            _ => e.html,
        };
        Self {
            id: e.id,
            kind,
            label: e.label,
            article_id: e.article_id,
            headline: e.headline,
            excerpt: e.excerpt,
            image_id: e.image_id,
            provider,
            url: e.url,
            media_id: e.media_id,
            html,
            created_by: e.created_by,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

/// A new embed, by kind.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
#[schema(example = json!({"kind": "article", "article_id": "2c1d7f0e-8a4b-4e6f-9a51-2f1e8d6b7c44", "label": "Editorial"}))]
pub enum CreateEmbedRequest {
    /// A teaser card of another article.
    Article {
        /// The target article.
        article_id: Uuid,
        /// Label, e.g. "Editorial", "Read more".
        #[schema(max_length = 100)]
        label: Option<String>,
        /// Headline override.
        #[schema(max_length = 300)]
        headline: Option<String>,
        /// Excerpt override.
        #[schema(max_length = 1000)]
        excerpt: Option<String>,
        /// Image override.
        image_id: Option<Uuid>,
    },
    /// Third-party media: YouTube, Vimeo, X/Twitter, Instagram, Facebook, TikTok, Telegram,
    /// SoundCloud, Spotify, Datawrapper, Flourish, Google Maps (embed URLs).
    External {
        /// The media's URL as shared by the provider.
        #[schema(
            max_length = 2000,
            format = "uri",
            example = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
        )]
        url: String,
        /// Label.
        #[schema(max_length = 100)]
        label: Option<String>,
    },
    /// Raw markup for special cases (editors only), sanitised to an allow-list on the way in.
    Html {
        /// The markup.
        #[schema(max_length = 100000)]
        html: String,
        /// Label.
        #[schema(max_length = 100)]
        label: Option<String>,
    },
}

/// Changes to an embed (its kind never changes); absent fields stay, `null` clears.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateEmbedRequest {
    /// Label.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 100, message = "must be at most 100 characters"))]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub label: Option<Option<String>>,
    /// New target (kind `article`).
    pub article_id: Option<Uuid>,
    /// Headline override (kind `article`).
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 300, message = "must be at most 300 characters"))]
    #[schema(value_type = Option<String>, max_length = 300)]
    pub headline: Option<Option<String>>,
    /// Excerpt override (kind `article`).
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 1000, message = "must be at most 1000 characters"))]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub excerpt: Option<Option<String>>,
    /// Image override (kind `article`).
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub image_id: Option<Option<Uuid>>,
    /// New URL (kind `external`).
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    #[schema(max_length = 2000)]
    pub url: Option<String>,
    /// New markup (kind `html`).
    #[validate(length(max = 100000, message = "must be at most 100000 characters"))]
    #[schema(max_length = 100000)]
    pub html: Option<String>,
}

/// Filters of the embed list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EmbedListQuery {
    /// Only this kind.
    pub kind: Option<EmbedKind>,
}

fn too_long(field: &str, value: &Option<String>, max: usize) -> Option<FieldError> {
    value
        .as_ref()
        .filter(|v| v.chars().count() > max)
        .map(|_| FieldError::new(field, format!("must be at most {max} characters")))
}

fn external(url: &str) -> Result<ExternalMedia, ApiError> {
    recognise(url.trim())
        .map_err(|e| ApiError::Validation(vec![FieldError::new("url", e.to_string())]))
}

fn sanitized_html(html: &str) -> Result<String, ApiError> {
    let clean = sanitize_embed_html(html);
    if clean.trim().is_empty() {
        return Err(ApiError::Validation(vec![FieldError::new(
            "html",
            "nothing is left after removing disallowed markup",
        )]));
    }
    Ok(clean)
}

/// Create an embed.
///
/// `external`: the URL is matched against each provider's patterns; the server stores the
/// provider, canonical URL and media id and builds the markup itself (client markup is never
/// stored). `html`: editors only, sanitised (no scripts, event handlers, `javascript:` URLs or
/// iframes from other hosts). `article`: the card shows the target's current headline, dek and
/// featured image unless overridden, and is left out of public output while the target is not
/// published.
#[utoipa::path(
    tag = "embeds",
    operation_id = "create_embed",
    request_body = CreateEmbedRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = EmbedView),
        ProtectedErrors,
        BodyErrors,
    )
)]
#[post("/embeds")]
pub async fn create_embed(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    body: crate::http::json::Json<CreateEmbedRequest>,
) -> Result<HttpResponse, ApiError> {
    let body = body.into_inner();
    caller.require(Action::CreateEmbed {
        html: matches!(body, CreateEmbedRequest::Html { .. }),
    })?;
    let embed = match body {
        CreateEmbedRequest::Article {
            article_id,
            label,
            headline,
            excerpt,
            image_id,
        } => {
            let errors: Vec<FieldError> = [
                too_long("label", &label, 100),
                too_long("headline", &headline, 300),
                too_long("excerpt", &excerpt, 1000),
            ]
            .into_iter()
            .flatten()
            .collect();
            if !errors.is_empty() {
                return Err(ApiError::Validation(errors));
            }
            NewEmbed {
                kind: "article".to_owned(),
                label: clean(label),
                article_id: Some(article_id),
                headline: clean(headline),
                excerpt: clean(excerpt),
                image_id,
                created_by: caller.user_id(),
                ..Default::default()
            }
        }
        CreateEmbedRequest::External { url, label } => {
            if let Some(e) =
                too_long("label", &label, 100).or(too_long("url", &Some(url.clone()), 2000))
            {
                return Err(ApiError::Validation(vec![e]));
            }
            let media = external(&url)?;
            NewEmbed {
                kind: "external".to_owned(),
                label: clean(label),
                provider: Some(media.provider.as_str().to_owned()),
                url: Some(media.canonical_url),
                media_id: Some(media.media_id),
                created_by: caller.user_id(),
                ..Default::default()
            }
        }
        CreateEmbedRequest::Html { html, label } => {
            if let Some(e) =
                too_long("label", &label, 100).or(too_long("html", &Some(html.clone()), 100_000))
            {
                return Err(ApiError::Validation(vec![e]));
            }
            NewEmbed {
                kind: "html".to_owned(),
                label: clean(label),
                html: Some(sanitized_html(&html)?),
                created_by: caller.user_id(),
                ..Default::default()
            }
        }
    };
    let row = embeds::create(&state.pool, &AuditContext::of(&caller, &ip), embed).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/embeds/{}", row.id)))
        .json(EmbedView::from(row)))
}

/// List embeds, newest first.
///
/// Writers do not see teasers of articles they may not read (another writer's unpublished
/// ones).
#[utoipa::path(
    tag = "embeds",
    operation_id = "list_embeds",
    params(EmbedListQuery, PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of embeds", body = Page<EmbedView>),
        ProtectedErrors,
        QueryErrors,
    )
)]
#[get("/embeds")]
pub async fn list_embeds(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<EmbedListQuery>,
    paging: web::Query<PageParams>,
) -> Result<web::Json<Page<EmbedView>>, ApiError> {
    caller.require(Action::ReadContent)?;
    let limit = paging.limit()?;
    let after: Option<(DateTime<Utc>, Uuid)> = paging.cursor()?;
    let kind = query.kind.map(|k| match k {
        EmbedKind::Article => "article",
        EmbedKind::External => "external",
        EmbedKind::Html => "html",
    });
    let visible_to = article_reader(&caller);
    let mut conn = state.pool.get().await?;
    let rows = db::embeds::list(&mut conn, kind, visible_to, after, limit + 1).await?;
    Ok(web::Json(page(
        rows,
        limit,
        |e| (e.created_at, e.id),
        EmbedView::from,
    )))
}

/// Read an embed; a teaser of an article the caller may not read answers 404.
#[utoipa::path(
    tag = "embeds",
    operation_id = "get_embed",
    params(("id" = Uuid, Path, description = "Embed id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The embed", body = EmbedView),
        ProtectedErrors,
        NotFoundErrors,
    )
)]
#[get("/embeds/{id}")]
pub async fn get_embed(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<EmbedView>, ApiError> {
    caller.require(Action::ReadContent)?;
    let mut conn = state.pool.get().await?;
    let embed = db::embeds::find(&mut conn, *id).await?;
    // A teaser of an article the caller may not read is as hidden as the article; one whose
    // article is gone shows (it renders nothing).
    if let Some(target) = embed.article_id.filter(|_| !reads_every_article(&caller))
        && let Some(article) = db::articles::find(&mut conn, target).await.optional()?
    {
        super::articles::require_readable(&caller, &article)?;
    }
    Ok(web::Json(embed.into()))
}

fn edit_action(row: &EmbedRow) -> Action {
    Action::EditEmbed {
        created_by: row.created_by,
        html: row.kind == "html",
    }
}

/// Change an embed (fields of its own kind only).
#[utoipa::path(
    tag = "embeds",
    operation_id = "update_embed",
    params(("id" = Uuid, Path, description = "Embed id")),
    request_body = UpdateEmbedRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changed embed", body = EmbedView),
        ProtectedErrors,
        NotFoundErrors,
        BodyErrors,
    )
)]
#[patch("/embeds/{id}")]
pub async fn update_embed(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    id: web::Path<Uuid>,
    body: crate::http::json::Json<UpdateEmbedRequest>,
) -> Result<web::Json<EmbedView>, ApiError> {
    body.validate()?;
    let r = body.into_inner();
    let row = embeds::update(
        &state.pool,
        &AuditContext::of(&caller, &ip),
        *id,
        |current| caller.require(edit_action(current)),
        move |current| {
            let kind = current.kind.as_str();
            let mut wrong = Vec::new();
            let mut misplaced = |field: &str, present: bool, allowed: bool| {
                if present && !allowed {
                    wrong.push(FieldError::new(
                        field,
                        format!("does not apply to a {kind} embed"),
                    ));
                }
            };
            misplaced("article_id", r.article_id.is_some(), kind == "article");
            misplaced("headline", r.headline.is_some(), kind == "article");
            misplaced("excerpt", r.excerpt.is_some(), kind == "article");
            misplaced("image_id", r.image_id.is_some(), kind == "article");
            misplaced("url", r.url.is_some(), kind == "external");
            misplaced("html", r.html.is_some(), kind == "html");
            if !wrong.is_empty() {
                return Err(ApiError::Validation(wrong));
            }
            let mut changes = EmbedChanges {
                label: clean_patch(r.label),
                article_id: r.article_id,
                headline: clean_patch(r.headline),
                excerpt: clean_patch(r.excerpt),
                image_id: r.image_id,
                ..Default::default()
            };
            if let Some(url) = r.url {
                let media = external(&url)?;
                changes.provider = Some(media.provider.as_str().to_owned());
                changes.url = Some(media.canonical_url);
                changes.media_id = Some(media.media_id);
            }
            if let Some(html) = r.html {
                changes.html = Some(sanitized_html(&html)?);
            }
            Ok(changes)
        },
    )
    .await?;
    Ok(web::Json(row.into()))
}

/// Delete an embed; refused with 409, naming the articles, while an article body uses it.
#[utoipa::path(
    tag = "embeds",
    operation_id = "delete_embed",
    params(("id" = Uuid, Path, description = "Embed id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        ProtectedErrors,
        NotFoundErrors,
        ConflictErrors,
    )
)]
#[delete("/embeds/{id}")]
pub async fn delete_embed(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    embeds::delete(
        &state.pool,
        &AuditContext::of(&caller, &ip),
        *id,
        reads_every_article(&caller),
        |current| caller.require(edit_action(current)),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
