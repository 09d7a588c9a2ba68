//! `/api/v1/articles`: the working copy of articles (management side).

use std::collections::HashSet;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::pagination::{Page, PageParams, page};
use super::patch::{clean, nullable};
use super::problems::{
    BodyErrors, ConflictErrors, NotFoundErrors, PreconditionErrors, ProtectedErrors, QueryErrors,
};
use crate::audit::AuditContext;
use crate::auth::policy::{article_reader, permits};
use crate::auth::{Action, Caller};
use crate::content::articles::{self, ArticleWithByline, Draft};
use crate::db;
use crate::db::articles::{ArticleFilter, ArticleRow, BylineEntry};
use crate::db::authors::AuthorAccounts;
use crate::domain::body::{self, Block};
use crate::domain::workflow::Status;
use crate::domain::{language, slug, validation};
use crate::error::{ApiError, FieldError, ProblemDetails};
use crate::http::client_ip::ClientIp;
use crate::http::preconditions;
use crate::startup::AppState;

/// Workflow states.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ArticleStatus {
    /// Being written.
    Draft,
    /// Submitted for an editor's review.
    InReview,
    /// Will be published at `publish_at`.
    Scheduled,
    /// Public.
    Published,
    /// Taken down after publication.
    Unpublished,
    /// Retired.
    Archived,
}

impl ArticleStatus {
    fn parse(s: &str) -> Self {
        match s {
            "in_review" => Self::InReview,
            "scheduled" => Self::Scheduled,
            "published" => Self::Published,
            "unpublished" => Self::Unpublished,
            "archived" => Self::Archived,
            _ => Self::Draft,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::InReview => "in_review",
            Self::Scheduled => "scheduled",
            Self::Published => "published",
            Self::Unpublished => "unpublished",
            Self::Archived => "archived",
        }
    }
}

/// An author on the byline.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BylineView {
    /// The author.
    pub author_id: Uuid,
    /// Name.
    #[schema(example = "Olena Honcharova")]
    pub name: String,
    /// Slug.
    pub slug: String,
    /// Role on this article.
    #[schema(example = "reporting")]
    pub role: Option<String>,
}

/// The featured (hero) image with its per-article caption and credit.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeaturedImage {
    /// An existing image.
    pub image_id: Uuid,
    /// Caption for this article (the image's own otherwise).
    #[validate(length(max = 2000, message = "must be at most 2000 characters"))]
    #[schema(max_length = 2000)]
    pub caption: Option<String>,
    /// Credit for this article (the image's own otherwise).
    #[validate(length(max = 500, message = "must be at most 500 characters"))]
    #[schema(max_length = 500)]
    pub credit: Option<String>,
}

/// A byline entry with a role.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BylineInput {
    /// An existing author.
    pub author_id: Uuid,
    /// Role on this article, e.g. "reporting", "photos".
    #[validate(length(max = 100, message = "must be at most 100 characters"))]
    #[schema(max_length = 100)]
    pub role: Option<String>,
}

/// An article's working copy.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleView {
    /// Id.
    pub id: Uuid,
    /// URL identifier.
    pub slug: String,
    /// Workflow state.
    pub status: ArticleStatus,
    /// Concurrency version; the `ETag` header is `"v<version>"`.
    pub version: i32,
    /// Headline.
    pub headline: String,
    /// Standfirst.
    pub dek: Option<String>,
    /// Kicker / label.
    pub kicker: Option<String>,
    /// Section.
    pub section_id: Option<Uuid>,
    /// Tags (slugs).
    pub tags: Vec<String>,
    /// BCP 47 language tag.
    pub language: String,
    /// The byline, in order.
    pub authors: Vec<BylineView>,
    /// The byline's author ids, in order.
    pub author_ids: Vec<Uuid>,
    /// The hero image.
    pub featured_image: Option<FeaturedImage>,
    /// Body blocks.
    pub body: Vec<Block>,
    /// SEO title.
    pub seo_title: Option<String>,
    /// SEO description.
    pub seo_description: Option<String>,
    /// Canonical URL.
    pub canonical_url: Option<String>,
    /// The article this one translates.
    pub translation_of: Option<Uuid>,
    /// Not public before this time, whoever publishes it.
    pub embargo_until: Option<DateTime<Utc>>,
    /// When a scheduled article goes public.
    pub publish_at: Option<DateTime<Utc>>,
    /// First publication.
    pub first_published_at: Option<DateTime<Utc>>,
    /// Last publication.
    pub published_at: Option<DateTime<Utc>>,
    /// The working copy differs from what readers see: publish again to make it live.
    pub has_unpublished_changes: bool,
    /// An editor's note from sending the article back to draft.
    pub review_note: Option<String>,
    /// Why the last scheduled publish failed, if it did.
    pub publish_error: Option<String>,
    /// When the last scheduled publish failed.
    pub publish_failed_at: Option<DateTime<Utc>>,
    /// Corrections appended after publication, oldest first.
    pub corrections: Vec<CorrectionView>,
    /// Words in the body (computed).
    pub word_count: i32,
    /// Minutes to read at 230 words a minute, rounded up (computed).
    pub reading_time_minutes: i32,
    /// Creator.
    pub created_by: Option<Uuid>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

/// An article in lists (no body).
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleSummary {
    /// Id.
    pub id: Uuid,
    /// URL identifier.
    pub slug: String,
    /// Workflow state.
    pub status: ArticleStatus,
    /// Concurrency version.
    pub version: i32,
    /// Headline.
    pub headline: String,
    /// Standfirst.
    pub dek: Option<String>,
    /// Kicker.
    pub kicker: Option<String>,
    /// Section.
    pub section_id: Option<Uuid>,
    /// Tags.
    pub tags: Vec<String>,
    /// Language.
    pub language: String,
    /// Byline.
    pub authors: Vec<BylineView>,
    /// Words.
    pub word_count: i32,
    /// Minutes to read.
    pub reading_time_minutes: i32,
    /// Creator.
    pub created_by: Option<Uuid>,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

fn byline_views(rows: &[db::articles::BylineRow], article: Uuid) -> Vec<BylineView> {
    rows.iter()
        .filter(|b| b.article_id == article)
        .map(|b| BylineView {
            author_id: b.author_id,
            name: b.name.clone(),
            slug: b.slug.clone(),
            role: b.role.clone(),
        })
        .collect()
}

fn tags_of(a: &ArticleRow) -> Vec<String> {
    a.tags.iter().flatten().cloned().collect()
}

impl TryFrom<ArticleWithByline> for ArticleView {
    type Error = ApiError;

    fn try_from(a: ArticleWithByline) -> Result<Self, ApiError> {
        let authors = byline_views(&a.byline, a.article.id);
        let r = a.article;
        let body: Vec<Block> = serde_json::from_value(r.body).map_err(|e| {
            ApiError::Internal(anyhow::anyhow!("stored body of {} is invalid: {e}", r.id))
        })?;
        Ok(Self {
            id: r.id,
            status: ArticleStatus::parse(&r.status),
            version: r.version,
            tags: r.tags.iter().flatten().cloned().collect(),
            author_ids: authors.iter().map(|b| b.author_id).collect(),
            authors,
            featured_image: r.featured_image_id.map(|image_id| FeaturedImage {
                image_id,
                caption: r.featured_caption,
                credit: r.featured_credit,
            }),
            body,
            slug: r.slug,
            headline: r.headline,
            dek: r.dek,
            kicker: r.kicker,
            section_id: r.section_id,
            language: r.language,
            seo_title: r.seo_title,
            seo_description: r.seo_description,
            canonical_url: r.canonical_url,
            translation_of: r.translation_of,
            has_unpublished_changes: has_unpublished_changes(
                &r.status,
                r.version,
                r.published_version,
            ),
            embargo_until: r.embargo_until,
            publish_at: r.publish_at,
            first_published_at: r.first_published_at,
            published_at: r.published_at,
            review_note: r.review_note,
            publish_error: r.publish_error,
            publish_failed_at: r.publish_failed_at,
            corrections: a
                .corrections
                .into_iter()
                .map(|c| CorrectionView {
                    id: c.id,
                    note: c.note,
                    created_at: c.created_at,
                })
                .collect(),
            word_count: r.word_count,
            reading_time_minutes: r.reading_time_minutes,
            created_by: r.created_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// Whether the working copy differs from the live version.
fn has_unpublished_changes(status: &str, version: i32, published_version: Option<i32>) -> bool {
    status == "published" && published_version != Some(version)
}

/// A dated correction note.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CorrectionView {
    /// Id.
    pub id: Uuid,
    /// The note, as printed under the article.
    #[schema(example = "An earlier version of this article misstated the vote count.")]
    pub note: String,
    /// When it was appended.
    pub created_at: DateTime<Utc>,
}

/// A new article (always created as a draft).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "headline": "Senate passes the border bill after a night of talks",
    "dek": "The vote ends a three-week stand-off; the House takes it up on Monday.",
    "kicker": "News Feed",
    "tags": ["US politics", "Immigration"],
    "language": "en",
    "author_ids": ["0b5e1f5e-6d8a-4f0e-9a51-2f1e8d6b7c44"],
    "featured_image": {"image_id": "6f1c2a8e-0d7b-4c39-9a51-2f1e8d6b7c44",
        "caption": "Senators leave the chamber after the vote.", "credit": "Jane Doe / Reuters"},
    "body": [
        {"type": "paragraph", "text": "The Senate passed the bill <strong>52 to 48</strong> early on Wednesday."},
        {"type": "embed", "embed_id": "9a3c7d10-2b4e-4f6a-8c1d-5e7f9a0b1c2d"},
        {"type": "heading", "level": 2, "text": "What is in the bill"},
        {"type": "list", "ordered": false, "items": ["More judges for asylum cases", "Funding for border staff"]},
        {"type": "quote", "text": "This is a start, not an end.", "attribution": "Senate majority leader"},
        {"type": "divider"}
    ]
}))]
pub struct CreateArticleRequest {
    /// Headline.
    #[validate(length(min = 1, max = 300, message = "must be 1 to 300 characters"))]
    #[schema(min_length = 1, max_length = 300)]
    pub headline: String,
    /// URL identifier; made from the headline (transliterated to ASCII) when absent.
    #[validate(custom(function = "validation::slug"))]
    #[schema(max_length = 80, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: Option<String>,
    /// Standfirst.
    #[validate(length(max = 1000, message = "must be at most 1000 characters"))]
    #[schema(max_length = 1000)]
    pub dek: Option<String>,
    /// Kicker / label above the headline.
    #[validate(length(max = 100, message = "must be at most 100 characters"))]
    #[schema(max_length = 100)]
    pub kicker: Option<String>,
    /// An existing section.
    pub section_id: Option<Uuid>,
    /// Free tags, normalised to slugs (at most 30).
    #[serde(default)]
    #[validate(length(max = 30, message = "at most 30 tags"))]
    #[schema(max_items = 30)]
    pub tags: Vec<String>,
    /// BCP 47 language tag (default `en`).
    #[schema(example = "en")]
    pub language: Option<String>,
    /// Authors in byline order (use `bylines` to give roles). Writers may name only their own
    /// author profile (403 otherwise); editors and `content:write` tokens anyone.
    #[validate(length(max = 20, message = "at most 20 authors"))]
    #[schema(max_items = 20)]
    pub author_ids: Option<Vec<Uuid>>,
    /// Authors in byline order with their roles (instead of `author_ids`); the same rule.
    #[validate(length(max = 20, message = "at most 20 authors"), nested)]
    #[schema(max_items = 20)]
    pub bylines: Option<Vec<BylineInput>>,
    /// The hero image.
    #[validate(nested)]
    pub featured_image: Option<FeaturedImage>,
    /// Body blocks.
    #[serde(default)]
    #[schema(value_type = Vec<Block>)]
    pub body: Vec<serde_json::Value>,
    /// SEO title.
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    #[schema(max_length = 200)]
    pub seo_title: Option<String>,
    /// SEO description.
    #[validate(length(max = 500, message = "must be at most 500 characters"))]
    #[schema(max_length = 500)]
    pub seo_description: Option<String>,
    /// Canonical URL (http or https).
    #[validate(custom(function = "validation::http_url"))]
    #[schema(format = "uri", max_length = 2000)]
    pub canonical_url: Option<String>,
    /// The article this one is a translation of.
    pub translation_of: Option<Uuid>,
    /// Embargo: the article cannot go public before this time, whoever publishes it.
    pub embargo_until: Option<DateTime<Utc>>,
}

/// Changes to an article; absent fields stay, `null` clears.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateArticleRequest {
    /// Headline.
    #[validate(length(min = 1, max = 300, message = "must be 1 to 300 characters"))]
    #[schema(min_length = 1, max_length = 300)]
    pub headline: Option<String>,
    /// URL identifier.
    #[validate(custom(function = "validation::slug"))]
    #[schema(max_length = 80, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: Option<String>,
    /// Standfirst.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 1000, message = "must be at most 1000 characters"))]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub dek: Option<Option<String>>,
    /// Kicker.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 100, message = "must be at most 100 characters"))]
    #[schema(value_type = Option<String>, max_length = 100)]
    pub kicker: Option<Option<String>>,
    /// Section.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub section_id: Option<Option<Uuid>>,
    /// Tags (replace the list).
    #[validate(length(max = 30, message = "at most 30 tags"))]
    #[schema(max_items = 30)]
    pub tags: Option<Vec<String>>,
    /// Language.
    pub language: Option<String>,
    /// Byline (replaces it). Writers may add only their own author profile (403 otherwise)
    /// and keep whoever is already on it.
    #[validate(length(max = 20, message = "at most 20 authors"))]
    #[schema(max_items = 20)]
    pub author_ids: Option<Vec<Uuid>>,
    /// Byline with roles (replaces it); the same rule as `author_ids`.
    #[validate(length(max = 20, message = "at most 20 authors"), nested)]
    #[schema(max_items = 20)]
    pub bylines: Option<Vec<BylineInput>>,
    /// Hero image; `null` removes it.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(nested)]
    #[schema(value_type = Option<FeaturedImage>)]
    pub featured_image: Option<Option<FeaturedImage>>,
    /// Body (replaces it).
    #[schema(value_type = Option<Vec<Block>>)]
    pub body: Option<Vec<serde_json::Value>>,
    /// SEO title.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub seo_title: Option<Option<String>>,
    /// SEO description.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 500, message = "must be at most 500 characters"))]
    #[schema(value_type = Option<String>, max_length = 500)]
    pub seo_description: Option<Option<String>>,
    /// Canonical URL.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "validation::http_url"))]
    #[schema(value_type = Option<String>, format = "uri")]
    pub canonical_url: Option<Option<String>>,
    /// Translated article.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub translation_of: Option<Option<Uuid>>,
    /// Embargo; `null` lifts it.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub embargo_until: Option<Option<DateTime<Utc>>>,
}

/// Filters of the management list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArticleListQuery {
    /// Only this workflow state.
    pub status: Option<ArticleStatus>,
    /// Only articles with this author on the byline.
    pub author: Option<Uuid>,
    /// Only this section.
    pub section: Option<Uuid>,
    /// Only articles with this tag (a slug).
    pub tag: Option<String>,
    /// Only articles changed at or after this time (RFC 3339).
    pub updated_since: Option<DateTime<Utc>>,
    /// Headline or dek contains this text.
    pub q: Option<String>,
}

fn byline_from(
    author_ids: Option<Vec<Uuid>>,
    bylines: Option<Vec<BylineInput>>,
) -> Result<Option<Vec<BylineEntry>>, ApiError> {
    let (entries, field) = match (author_ids, bylines) {
        (Some(_), Some(_)) => {
            return Err(ApiError::Validation(vec![FieldError::new(
                "bylines",
                "send either author_ids or bylines, not both",
            )]));
        }
        (Some(ids), None) => (
            ids.into_iter()
                .map(|author_id| BylineEntry {
                    author_id,
                    role: None,
                })
                .collect::<Vec<_>>(),
            "author_ids",
        ),
        (None, Some(list)) => (
            list.into_iter()
                .map(|b| BylineEntry {
                    author_id: b.author_id,
                    role: clean(b.role),
                })
                .collect(),
            "bylines",
        ),
        (None, None) => return Ok(None),
    };
    let mut seen = HashSet::new();
    let errors: Vec<FieldError> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| !seen.insert(e.author_id))
        .map(|(i, _)| FieldError::new(format!("{field}[{i}]"), "lists an author twice"))
        .collect();
    if errors.is_empty() {
        Ok(Some(entries))
    } else {
        Err(ApiError::Validation(errors))
    }
}

fn tags_from(raw: Vec<String>) -> Result<Vec<String>, ApiError> {
    let mut tags: Vec<String> = Vec::new();
    let mut errors = Vec::new();
    for (i, tag) in raw.iter().enumerate() {
        let normalized = slug::slugify(tag);
        if normalized.is_empty() || tag.chars().count() > 100 {
            errors.push(FieldError::new(
                format!("tags[{i}]"),
                "must have letters or digits and at most 100 characters",
            ));
        } else if !tags.contains(&normalized) {
            tags.push(normalized);
        }
    }
    if errors.is_empty() {
        Ok(tags)
    } else {
        Err(ApiError::Validation(errors))
    }
}

fn language_from(raw: &str) -> Result<String, ApiError> {
    language::normalize(raw).ok_or_else(|| {
        ApiError::Validation(vec![FieldError::new(
            "language",
            "must be a BCP 47 language tag such as en, uk or pt-BR",
        )])
    })
}

fn body_from(raw: &[serde_json::Value]) -> Result<Vec<Block>, ApiError> {
    body::parse(raw)
        .and_then(body::normalize)
        .map_err(|errors| {
            ApiError::Validation(
                errors
                    .into_iter()
                    .map(|e| FieldError::new(e.field, e.message))
                    .collect(),
            )
        })
}

fn featured_from(f: FeaturedImage) -> (Uuid, Option<String>, Option<String>) {
    (f.image_id, clean(f.caption), clean(f.credit))
}

fn respond(
    status: actix_web::http::StatusCode,
    article: ArticleWithByline,
) -> Result<HttpResponse, ApiError> {
    let view = ArticleView::try_from(article)?;
    let mut response = HttpResponse::build(status);
    response.insert_header((header::ETAG, preconditions::etag(view.version)));
    if status == actix_web::http::StatusCode::CREATED {
        response.insert_header((header::LOCATION, format!("/api/v1/articles/{}", view.id)));
    }
    Ok(response.json(view))
}

/// Create an article (a draft).
///
/// The body is an ordered list of typed blocks; an invalid block is refused with 422 whose
/// errors name it (`body[3].embed_id: no such embed`). Images, embeds, authors, the section and
/// the translated article must exist. Word count and reading time (230 words a minute, rounded
/// up) are computed. The answer carries the `ETag` to send as `If-Match` with the next change.
#[utoipa::path(
    tag = "articles",
    operation_id = "create_article",
    request_body = CreateArticleRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = ArticleView, headers(
            ("ETag" = String, description = "Send as If-Match with the next change"),
            ("Location" = String, description = "URL of the new article"))),
        ProtectedErrors,
        BodyErrors,
        ConflictErrors,
    )
)]
#[post("/articles")]
pub async fn create_article(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    body: crate::http::json::Json<CreateArticleRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::CreateArticle)?;
    body.validate()?;
    let r = body.into_inner();
    let draft = Draft {
        slug: r.slug,
        headline: r.headline.trim().to_owned(),
        dek: clean(r.dek),
        kicker: clean(r.kicker),
        section_id: r.section_id,
        tags: tags_from(r.tags)?,
        language: language_from(r.language.as_deref().unwrap_or("en"))?,
        byline: byline_from(r.author_ids, r.bylines)?.unwrap_or_default(),
        featured_image: r.featured_image.map(featured_from),
        body: body_from(&r.body)?,
        seo_title: clean(r.seo_title),
        seo_description: clean(r.seo_description),
        canonical_url: clean(r.canonical_url),
        translation_of: r.translation_of,
        embargo_until: r.embargo_until,
    };
    let accounts = byline_accounts(&state, &caller, Some(&draft.byline)).await?;
    require_byline(&caller, &accounts, &[], &draft.byline)?;
    let article = articles::create(
        &state.pool,
        &AuditContext::of(&caller, &ip),
        caller.user_id(),
        draft,
    )
    .await?;
    respond(actix_web::http::StatusCode::CREATED, article)
}

/// The user account behind each author `byline` names; empty for callers who may byline
/// anyone, so editors pay no lookup.
async fn byline_accounts(
    state: &AppState,
    caller: &Caller,
    byline: Option<&[BylineEntry]>,
) -> Result<AuthorAccounts, ApiError> {
    let Some(byline) = byline.filter(|b| !b.is_empty()) else {
        return Ok(AuthorAccounts::new());
    };
    if permits(caller, Action::BylineAuthor { author_user: None }) {
        return Ok(AuthorAccounts::new());
    }
    let ids: Vec<Uuid> = byline.iter().map(|b| b.author_id).collect();
    let mut conn = state.pool.get().await?;
    Ok(db::authors::accounts(&mut conn, &ids).await?)
}

/// 403 unless `caller` may put on a byline each author that `after` adds to `before`: a
/// writer adds only its own author profile (and keeps whoever an editor added).
pub(super) fn require_byline(
    caller: &Caller,
    accounts: &AuthorAccounts,
    before: &[BylineEntry],
    after: &[BylineEntry],
) -> Result<(), ApiError> {
    for entry in after {
        if before.iter().any(|b| b.author_id == entry.author_id) {
            continue;
        }
        // An unknown id is the reference check's to report (422); editors have no accounts.
        let Some(&author_user) = accounts.get(&entry.author_id) else {
            continue;
        };
        if !permits(caller, Action::BylineAuthor { author_user }) {
            return Err(ApiError::Forbidden(format!(
                "byline (author_ids, bylines): {} is not your author profile; writers add only \
                 themselves to a byline, an editor adds others",
                entry.author_id
            )));
        }
    }
    Ok(())
}

/// List articles, most recently changed first.
///
/// Writers see the articles they created and the published ones; editors, admins and API
/// tokens see all.
#[utoipa::path(
    tag = "articles",
    operation_id = "list_articles",
    params(ArticleListQuery, PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of articles", body = Page<ArticleSummary>),
        ProtectedErrors,
        QueryErrors,
    )
)]
#[get("/articles")]
pub async fn list_articles(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ArticleListQuery>,
    paging: web::Query<PageParams>,
) -> Result<web::Json<Page<ArticleSummary>>, ApiError> {
    caller.require(Action::ReadContent)?;
    let limit = paging.limit()?;
    let after: Option<(DateTime<Utc>, Uuid)> = paging.cursor()?;
    let q = query.into_inner();
    let filter = ArticleFilter {
        status: q.status.map(|s| s.as_str().to_owned()),
        author_id: q.author,
        section_id: q.section,
        tag: q.tag.map(|t| slug::slugify(&t)),
        updated_since: q.updated_since,
        text: clean(q.q),
        visible_to: article_reader(&caller),
    };
    let mut conn = state.pool.get().await?;
    let rows = db::articles::list(&mut conn, &filter, after, limit + 1).await?;
    let ids: Vec<Uuid> = rows.iter().map(|r| r.id).collect();
    let bylines = db::articles::bylines(&mut conn, &ids).await?;
    Ok(web::Json(page(
        rows,
        limit,
        |r| (r.updated_at, r.id),
        |r| ArticleSummary {
            authors: byline_views(&bylines, r.id),
            tags: tags_of(&r),
            id: r.id,
            slug: r.slug,
            status: ArticleStatus::parse(&r.status),
            version: r.version,
            headline: r.headline,
            dek: r.dek,
            kicker: r.kicker,
            section_id: r.section_id,
            language: r.language,
            word_count: r.word_count,
            reading_time_minutes: r.reading_time_minutes,
            created_by: r.created_by,
            created_at: r.created_at,
            updated_at: r.updated_at,
        },
    )))
}

/// Read an article's working copy, with its `ETag`.
///
/// Writers read their own articles and published ones; another writer's unpublished article
/// answers 404, as an unknown id does.
#[utoipa::path(
    tag = "articles",
    operation_id = "get_article",
    params(("id" = Uuid, Path, description = "Article id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The article", body = ArticleView,
            headers(("ETag" = String, description = "Send as If-Match with the next change"))),
        ProtectedErrors,
        NotFoundErrors,
    )
)]
#[get("/articles/{id}")]
pub async fn get_article(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::ReadContent)?;
    let article = articles::load(&state.pool, *id).await?;
    require_readable(&caller, &article.article)?;
    respond(actix_web::http::StatusCode::OK, article)
}

/// 404, as for an unknown id, unless `caller` may read `article`: a writer does not learn
/// that another writer's unpublished article exists.
pub(super) fn require_readable(caller: &Caller, article: &ArticleRow) -> Result<(), ApiError> {
    caller.require_visible(Action::ReadArticle {
        created_by: article.created_by,
        live: article.status == Status::Published.as_str(),
    })
}

/// The article `id` if `caller` may read it; 404 alike when it does not exist or is hidden.
pub(super) async fn find_readable(
    conn: &mut diesel_async::AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<ArticleRow, ApiError> {
    let article = db::articles::find(conn, id).await?;
    require_readable(caller, &article)?;
    Ok(article)
}

/// `require_readable`, then 403 unless `caller` may also change `article`.
pub(super) fn require_editable(caller: &Caller, article: &ArticleRow) -> Result<(), ApiError> {
    require_readable(caller, article)?;
    caller.require(edit_action(article))
}

fn edit_action(article: &ArticleRow) -> Action {
    Action::EditArticle {
        created_by: article.created_by,
        is_draft: article.is_unpublished_draft(),
    }
}

/// Change an article's working copy. Needs `If-Match` with the current `ETag`.
///
/// Without `If-Match`: 428. With an outdated one: 412, and nothing is written: reload, reapply,
/// retry. Writers change their own drafts; editors and admins any article.
#[utoipa::path(
    tag = "articles",
    operation_id = "update_article",
    params(
        ("id" = Uuid, Path, description = "Article id"),
        ("If-Match" = String, Header, description = "The ETag of the version you edited"),
    ),
    request_body = UpdateArticleRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changed article", body = ArticleView,
            headers(("ETag" = String, description = "The new version's ETag"))),
        PreconditionErrors,
        ProtectedErrors,
        NotFoundErrors,
        BodyErrors,
        ConflictErrors,
    )
)]
#[patch("/articles/{id}")]
pub async fn update_article(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::json::Json<UpdateArticleRequest>,
) -> Result<HttpResponse, ApiError> {
    body.validate()?;
    let r = body.into_inner();
    // Everything that can be checked without the stored article is checked first: an invalid
    // body is 422 whatever `If-Match` says, as for the workflow actions.
    let tags = r.tags.map(tags_from).transpose()?;
    let language = r.language.as_deref().map(language_from).transpose()?;
    let byline = byline_from(r.author_ids, r.bylines)?;
    let blocks = r.body.as_deref().map(body_from).transpose()?;
    let if_match = preconditions::required(&req)?;
    let accounts = byline_accounts(&state, &caller, byline.as_deref()).await?;
    let caller = &caller;
    let article = articles::update(
        &state.pool,
        &AuditContext::of(caller, &ip),
        *id,
        if_match,
        |current| require_editable(caller, current),
        move |mut draft| {
            if let Some(headline) = r.headline {
                draft.headline = headline.trim().to_owned();
            }
            if let Some(slug) = r.slug {
                draft.slug = Some(slug);
            }
            if let Some(dek) = r.dek {
                draft.dek = clean(dek);
            }
            if let Some(kicker) = r.kicker {
                draft.kicker = clean(kicker);
            }
            if let Some(section) = r.section_id {
                draft.section_id = section;
            }
            if let Some(tags) = tags {
                draft.tags = tags;
            }
            if let Some(language) = language {
                draft.language = language;
            }
            if let Some(byline) = byline {
                require_byline(caller, &accounts, &draft.byline, &byline)?;
                draft.byline = byline;
            }
            if let Some(featured) = r.featured_image {
                draft.featured_image = featured.map(featured_from);
            }
            if let Some(blocks) = blocks {
                draft.body = blocks;
            }
            if let Some(seo_title) = r.seo_title {
                draft.seo_title = clean(seo_title);
            }
            if let Some(seo_description) = r.seo_description {
                draft.seo_description = clean(seo_description);
            }
            if let Some(canonical) = r.canonical_url {
                draft.canonical_url = clean(canonical);
            }
            if let Some(original) = r.translation_of {
                draft.translation_of = original;
            }
            if let Some(embargo) = r.embargo_until {
                draft.embargo_until = embargo;
            }
            Ok(draft)
        },
    )
    .await?;
    respond(actix_web::http::StatusCode::OK, article)
}

/// Delete an article.
///
/// Writers delete their own drafts; editors and admins any article. Refused with 409 while a
/// teaser embed points at it. `If-Match` is optional here; when sent it must be current.
#[utoipa::path(
    tag = "articles",
    operation_id = "delete_article",
    params(
        ("id" = Uuid, Path, description = "Article id"),
        ("If-Match" = Option<String>, Header, description = "The ETag of the version you saw"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 412, description = "The article changed since that ETag", body = ProblemDetails,
            content_type = "application/problem+json"),
        ProtectedErrors,
        NotFoundErrors,
        ConflictErrors,
    )
)]
#[delete("/articles/{id}")]
pub async fn delete_article(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let if_match = match preconditions::required(&req) {
        Ok(m) => Some(m),
        Err(ApiError::PreconditionRequired(_)) => None,
        Err(e) => return Err(e),
    };
    articles::delete(
        &state.pool,
        &AuditContext::of(&caller, &ip),
        *id,
        if_match,
        |current| {
            require_readable(&caller, current)?;
            caller.require(Action::DeleteArticle {
                created_by: current.created_by,
                is_draft: current.is_unpublished_draft(),
            })
        },
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}
