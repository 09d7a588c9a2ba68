//! Articles: the working copy, its references, bylines, slug and concurrency version.

use std::collections::HashSet;

use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::json;
use uuid::Uuid;

use crate::audit::AuditContext;
use crate::db::articles::{ArticleFields, ArticleRow, BylineEntry};
use crate::db::{self, DbPool, audit};
use crate::domain::body::{self, Block};
use crate::domain::concurrency::IfMatch;
use crate::domain::slug;
use crate::domain::webhooks::WebhookEvent;
use crate::error::{ApiError, FieldError};

/// An article's editable content, parsed and checked in shape; references are checked here.
#[derive(Debug, Clone)]
pub struct Draft {
    /// Wanted slug; made from the headline when `None`.
    pub slug: Option<String>,
    /// Headline.
    pub headline: String,
    /// Standfirst.
    pub dek: Option<String>,
    /// Kicker.
    pub kicker: Option<String>,
    /// Section.
    pub section_id: Option<Uuid>,
    /// Tags, normalised.
    pub tags: Vec<String>,
    /// Language, normalised.
    pub language: String,
    /// Ordered byline.
    pub byline: Vec<BylineEntry>,
    /// Featured image and its per-article caption/credit.
    pub featured_image: Option<(Uuid, Option<String>, Option<String>)>,
    /// Body blocks, sanitised.
    pub body: Vec<Block>,
    /// SEO title.
    pub seo_title: Option<String>,
    /// SEO description.
    pub seo_description: Option<String>,
    /// Canonical URL.
    pub canonical_url: Option<String>,
    /// Translated article.
    pub translation_of: Option<Uuid>,
    /// Not public before this time.
    pub embargo_until: Option<chrono::DateTime<chrono::Utc>>,
}

/// An article with its byline, as the API shows it.
#[derive(Debug, Clone)]
pub struct ArticleWithByline {
    /// The stored article.
    pub article: ArticleRow,
    /// Its byline in order.
    pub byline: Vec<db::articles::BylineRow>,
    /// Corrections, oldest first.
    pub corrections: Vec<db::revisions::CorrectionRow>,
}

/// Checks that everything the draft refers to exists; every missing reference is reported.
async fn check_references(
    conn: &mut AsyncPgConnection,
    draft: &Draft,
    article: Option<Uuid>,
) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if let Some(section) = draft.section_id
        && !db::sections::exists(conn, section).await?
    {
        errors.push(FieldError::new("section_id", "no such section"));
    }
    let mut images: Vec<(String, Uuid)> = body::image_refs(&draft.body)
        .into_iter()
        .map(|(i, id)| (format!("body[{i}].image_id"), id))
        .collect();
    if let Some((image, _, _)) = draft.featured_image {
        images.push(("featured_image.image_id".to_owned(), image));
    }
    let wanted: Vec<Uuid> = images.iter().map(|(_, id)| *id).collect();
    let found: HashSet<Uuid> = db::images::existing(conn, &wanted)
        .await?
        .into_iter()
        .collect();
    errors.extend(
        images
            .iter()
            .filter(|(_, id)| !found.contains(id))
            .map(|(field, _)| FieldError::new(field.clone(), "no such image")),
    );
    let embeds = body::embed_refs(&draft.body);
    let wanted: Vec<Uuid> = embeds.iter().map(|(_, id)| *id).collect();
    let found: HashSet<Uuid> = db::embeds::existing(conn, &wanted)
        .await?
        .into_iter()
        .collect();
    errors.extend(
        embeds
            .iter()
            .filter(|(_, id)| !found.contains(id))
            .map(|(i, _)| FieldError::new(format!("body[{i}].embed_id"), "no such embed")),
    );
    let authors: Vec<Uuid> = draft.byline.iter().map(|b| b.author_id).collect();
    let found: HashSet<Uuid> = db::authors::existing(conn, &authors)
        .await?
        .into_iter()
        .collect();
    errors.extend(
        authors
            .iter()
            .enumerate()
            .filter(|(_, id)| !found.contains(id))
            .map(|(i, _)| FieldError::new(format!("author_ids[{i}]"), "no such author")),
    );
    if let Some(original) = draft.translation_of {
        if Some(original) == article {
            errors.push(FieldError::new(
                "translation_of",
                "an article cannot translate itself",
            ));
        } else if db::articles::existing(conn, &[original]).await?.is_empty() {
            errors.push(FieldError::new("translation_of", "no such article"));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

async fn choose_slug(
    conn: &mut AsyncPgConnection,
    wanted: Option<&str>,
    headline: &str,
    article: Option<Uuid>,
) -> Result<String, ApiError> {
    if let Some(wanted) = wanted {
        let taken = db::articles::slugs_like(conn, wanted, article).await?;
        if taken.iter().any(|s| s == wanted)
            || db::revisions::slug_taken_in_history(conn, wanted, article).await?
        {
            return Err(ApiError::Conflict(format!(
                "the slug `{wanted}` belongs to another article"
            )));
        }
        return Ok(wanted.to_owned());
    }
    let base = slug::slugify_or(headline, "article");
    let taken = db::articles::slugs_like(conn, &base, article).await?;
    for candidate in slug::candidates(&base) {
        if !taken.contains(&candidate)
            && !db::revisions::slug_taken_in_history(conn, &candidate, article).await?
        {
            return Ok(candidate);
        }
    }
    Err(ApiError::Conflict(format!(
        "no free slug near `{base}`; send one"
    )))
}

fn fields(draft: &Draft, slug: String) -> Result<ArticleFields, ApiError> {
    let words = body::word_count(&draft.body);
    let body = serde_json::to_value(&draft.body)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("serialising a body: {e}")))?;
    let (featured_image_id, featured_caption, featured_credit) = match &draft.featured_image {
        Some((id, caption, credit)) => (Some(*id), caption.clone(), credit.clone()),
        None => (None, None, None),
    };
    Ok(ArticleFields {
        slug,
        headline: draft.headline.clone(),
        dek: draft.dek.clone(),
        kicker: draft.kicker.clone(),
        section_id: draft.section_id,
        tags: draft.tags.clone(),
        language: draft.language.clone(),
        body,
        featured_image_id,
        featured_caption,
        featured_credit,
        seo_title: draft.seo_title.clone(),
        seo_description: draft.seo_description.clone(),
        canonical_url: draft.canonical_url.clone(),
        translation_of: draft.translation_of,
        word_count: i32::try_from(words).unwrap_or(i32::MAX),
        reading_time_minutes: i32::try_from(body::reading_time_minutes(words)).unwrap_or(i32::MAX),
        embargo_until: draft.embargo_until,
    })
}

/// Loads the byline and corrections of an article.
pub async fn with_byline(
    conn: &mut AsyncPgConnection,
    article: ArticleRow,
) -> Result<ArticleWithByline, ApiError> {
    let byline = db::articles::bylines(conn, &[article.id]).await?;
    let corrections = db::revisions::corrections(conn, article.id).await?;
    Ok(ArticleWithByline {
        article,
        byline,
        corrections,
    })
}

/// Creates a draft.
pub async fn create(
    pool: &DbPool,
    context: &AuditContext,
    creator: Option<Uuid>,
    draft: Draft,
) -> Result<ArticleWithByline, ApiError> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        check_references(conn, &draft, None).await?;
        let slug = choose_slug(conn, draft.slug.as_deref(), &draft.headline, None).await?;
        let row = db::articles::insert(conn, &fields(&draft, slug)?, creator).await?;
        db::articles::set_byline(conn, row.id, &draft.byline).await?;
        let changes = json!({ "headline": row.headline, "slug": row.slug, "status": row.status });
        audit::append(
            conn,
            &context.entry(
                "article.create",
                "article",
                Some(row.id.to_string()),
                changes,
            ),
        )
        .await?;
        with_byline(conn, row).await
    })
    .await
}

/// The article with its byline.
pub async fn load(pool: &DbPool, id: Uuid) -> Result<ArticleWithByline, ApiError> {
    let mut conn = pool.get().await?;
    let row = db::articles::find(&mut conn, id).await?;
    with_byline(&mut conn, row).await
}

/// The current draft of a stored article, for patching.
pub fn draft_of(article: &ArticleWithByline) -> Result<Draft, ApiError> {
    let a = &article.article;
    let body: Vec<Block> = serde_json::from_value(a.body.clone()).map_err(|e| {
        ApiError::Internal(anyhow::anyhow!("stored body of {} is invalid: {e}", a.id))
    })?;
    Ok(Draft {
        slug: Some(a.slug.clone()),
        headline: a.headline.clone(),
        dek: a.dek.clone(),
        kicker: a.kicker.clone(),
        section_id: a.section_id,
        tags: a.tags.iter().flatten().cloned().collect(),
        language: a.language.clone(),
        byline: article
            .byline
            .iter()
            .map(|b| BylineEntry {
                author_id: b.author_id,
                role: b.role.clone(),
            })
            .collect(),
        featured_image: a
            .featured_image_id
            .map(|id| (id, a.featured_caption.clone(), a.featured_credit.clone())),
        body,
        seo_title: a.seo_title.clone(),
        seo_description: a.seo_description.clone(),
        canonical_url: a.canonical_url.clone(),
        translation_of: a.translation_of,
        embargo_until: a.embargo_until,
    })
}

/// Writes a changed draft if the article is still at the version `if_match` names (412
/// otherwise, and nothing is written). `authorize` sees the stored article before anything
/// changes.
pub async fn update(
    pool: &DbPool,
    context: &AuditContext,
    id: Uuid,
    if_match: IfMatch,
    authorize: impl FnOnce(&ArticleRow) -> Result<(), ApiError> + Send,
    change: impl FnOnce(Draft) -> Result<Draft, ApiError> + Send,
) -> Result<ArticleWithByline, ApiError> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let current = db::articles::find_for_update(conn, id).await?;
        authorize(&current)?;
        if !if_match.matches(current.version) {
            return Err(stale(current.version));
        }
        let expected_version = current.version;
        let current = with_byline(conn, current).await?;
        let before = draft_of(&current)?;
        let draft = change(before.clone())?;
        check_references(conn, &draft, Some(id)).await?;
        let slug = match &draft.slug {
            Some(wanted) if *wanted != current.article.slug => {
                choose_slug(conn, Some(wanted), &draft.headline, Some(id)).await?
            }
            _ => current.article.slug.clone(),
        };
        let fields = fields(&draft, slug)?;
        let row = db::articles::update_if_version(conn, id, expected_version, &fields)
            .await?
            .ok_or_else(|| stale(expected_version + 1))?;
        if draft.byline != before.byline {
            db::articles::set_byline(conn, id, &draft.byline).await?;
        }
        let changed = changed_fields(&current.article, &row, draft.byline != before.byline);
        super::webhooks::emit(conn, WebhookEvent::ArticleUpdated, &row).await?;
        audit::append(
            conn,
            &context.entry(
                "article.update",
                "article",
                Some(id.to_string()),
                json!({ "fields": changed, "version": row.version }),
            ),
        )
        .await?;
        with_byline(conn, row).await
    })
    .await
}

fn stale(current: i32) -> ApiError {
    ApiError::PreconditionFailed(format!(
        "the article changed since you read it (it is at version {current}); reload and reapply your edits"
    ))
}

/// Names of the fields that differ.
fn changed_fields(before: &ArticleRow, after: &ArticleRow, byline: bool) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut check = |name: &'static str, differs: bool| {
        if differs {
            out.push(name);
        }
    };
    check("slug", before.slug != after.slug);
    check("headline", before.headline != after.headline);
    check("dek", before.dek != after.dek);
    check("kicker", before.kicker != after.kicker);
    check("section_id", before.section_id != after.section_id);
    check("tags", before.tags != after.tags);
    check("language", before.language != after.language);
    check("body", before.body != after.body);
    check(
        "featured_image",
        before.featured_image_id != after.featured_image_id
            || before.featured_caption != after.featured_caption
            || before.featured_credit != after.featured_credit,
    );
    check(
        "seo",
        before.seo_title != after.seo_title || before.seo_description != after.seo_description,
    );
    check("canonical_url", before.canonical_url != after.canonical_url);
    check(
        "translation_of",
        before.translation_of != after.translation_of,
    );
    check("authors", byline);
    out
}

/// Deletes an article; refused with 409 while an embed points at it, and with 412 when
/// `if_match` names another version.
pub async fn delete(
    pool: &DbPool,
    context: &AuditContext,
    id: Uuid,
    if_match: Option<IfMatch>,
    authorize: impl FnOnce(&ArticleRow) -> Result<(), ApiError> + Send,
) -> Result<(), ApiError> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let current = db::articles::find_for_update(conn, id).await?;
        authorize(&current)?;
        if let Some(if_match) = if_match
            && !if_match.matches(current.version)
        {
            return Err(stale(current.version));
        }
        let embeds = db::articles::embeds_targeting(conn, id).await?;
        if !embeds.is_empty() {
            let ids: Vec<String> = embeds.iter().map(ToString::to_string).collect();
            return Err(ApiError::Conflict(format!(
                "teaser embeds point at this article: {}; delete or retarget them first",
                ids.join(", ")
            )));
        }
        let row = db::articles::delete(conn, id).await?;
        super::webhooks::emit(conn, WebhookEvent::ArticleDeleted, &row).await?;
        audit::append(
            conn,
            &context.entry(
                "article.delete",
                "article",
                Some(id.to_string()),
                json!({ "headline": row.headline, "slug": row.slug }),
            ),
        )
        .await?;
        Ok(())
    })
    .await
}
