//! Workflow actions: submit, return, publish, schedule, unpublish, archive; revisions and
//! corrections. Every action locks the article, checks `If-Match`, and writes its audit entry
//! in the same transaction.

use chrono::{DateTime, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::json;
use uuid::Uuid;

use super::articles::{ArticleWithByline, Draft, draft_of, with_byline};
use crate::audit::AuditContext;
use crate::db::articles::{ArticleRow, BylineEntry};
use crate::db::authors::AuthorAccounts;
use crate::db::revisions::{RevisionRow, WorkflowChanges};
use crate::db::{self, DbPool, audit};
use crate::domain::concurrency::IfMatch;
use crate::domain::revision::{Snapshot, SnapshotByline, SnapshotImage};
use crate::domain::webhooks::WebhookEvent;
use crate::domain::workflow::{self, Actor, Refusal, Status, Transition};
use crate::error::{ApiError, FieldError};

/// What an action carries besides its name.
#[derive(Debug, Clone, Default)]
pub struct ActionInput {
    /// For `schedule`: when.
    pub publish_at: Option<DateTime<Utc>>,
    /// For `return`: why.
    pub note: Option<String>,
}

/// The snapshot of a working copy.
pub fn snapshot(article: &ArticleWithByline) -> Result<Snapshot, ApiError> {
    let draft = draft_of(article)?;
    let a = &article.article;
    Ok(Snapshot {
        headline: draft.headline,
        slug: a.slug.clone(),
        dek: draft.dek,
        kicker: draft.kicker,
        section_id: draft.section_id,
        tags: draft.tags,
        language: draft.language,
        authors: draft
            .byline
            .into_iter()
            .map(|b| SnapshotByline {
                author_id: b.author_id,
                role: b.role,
            })
            .collect(),
        featured_image: draft
            .featured_image
            .map(|(image_id, caption, credit)| SnapshotImage {
                image_id,
                caption,
                credit,
            }),
        body: draft.body,
        seo_title: draft.seo_title,
        seo_description: draft.seo_description,
        canonical_url: draft.canonical_url,
        translation_of: draft.translation_of,
        word_count: a.word_count,
        reading_time_minutes: a.reading_time_minutes,
    })
}

fn to_json(snapshot: &Snapshot) -> Result<serde_json::Value, ApiError> {
    serde_json::to_value(snapshot)
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("serialising a snapshot: {e}")))
}

/// Reads a stored snapshot.
pub fn read_snapshot(revision: &RevisionRow) -> Result<Snapshot, ApiError> {
    serde_json::from_value(revision.snapshot.clone()).map_err(|e| {
        ApiError::Internal(anyhow::anyhow!(
            "revision {} is unreadable: {e}",
            revision.id
        ))
    })
}

fn stale(current: i32) -> ApiError {
    ApiError::PreconditionFailed(format!(
        "the article changed since you read it (it is at version {current}); reload and retry"
    ))
}

fn refusal(refusal: Refusal, transition: Transition) -> ApiError {
    match refusal {
        Refusal::NotAllowed => ApiError::Forbidden(format!(
            "your role does not allow `{}` on this article",
            transition.as_str()
        )),
        Refusal::WrongState { from } => ApiError::Conflict(format!(
            "`{}` does not apply to an article that is {}",
            transition.as_str(),
            from.as_str()
        )),
    }
}

/// Publishes the locked working copy: a revision, the slug remembered, the state changed.
async fn publish_locked(
    conn: &mut AsyncPgConnection,
    current: &ArticleWithByline,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> Result<ArticleRow, ApiError> {
    let a = &current.article;
    if let Some(embargo) = a.embargo_until
        && embargo > now
    {
        return Err(ApiError::Conflict(format!(
            "the article is under embargo until {}; schedule it for that time instead",
            embargo.to_rfc3339()
        )));
    }
    if !db::revisions::record_slug(conn, &a.slug, a.id).await? {
        return Err(ApiError::Conflict(format!(
            "the slug `{}` was used by another published article; change the slug first",
            a.slug
        )));
    }
    let live = snapshot(current)?;
    let revision =
        db::revisions::insert(conn, a.id, "publish", &to_json(&live)?, a.version, None, by).await?;
    let changes = WorkflowChanges {
        status: Some(Status::Published.as_str().to_owned()),
        publish_at: Some(None),
        first_published_at: Some(Some(a.first_published_at.unwrap_or(now))),
        published_at: Some(Some(now)),
        // The write below increments the version: that new version is the live one.
        published_version: Some(Some(a.version + 1)),
        published_revision_id: Some(Some(revision.id)),
        review_note: Some(None),
        publish_error: Some(None),
        publish_failed_at: Some(None),
    };
    let published = db::revisions::set_workflow(conn, a.id, &changes).await?;
    let author_ids: Vec<Uuid> = live.authors.iter().map(|b| b.author_id).collect();
    let body_text = crate::domain::body::text(&live.body);
    db::published::upsert(
        conn,
        &db::published::Publication {
            article_id: a.id,
            revision_id: revision.id,
            slug: &live.slug,
            headline: &live.headline,
            dek: live.dek.as_deref(),
            kicker: live.kicker.as_deref(),
            section_id: live.section_id,
            tags: &live.tags,
            language: &live.language,
            author_ids: &author_ids,
            featured_image_id: live.featured_image.as_ref().map(|f| f.image_id),
            first_published_at: published.first_published_at.unwrap_or(now),
            published_at: now,
            word_count: live.word_count,
            reading_time_minutes: live.reading_time_minutes,
            body_text: &body_text,
            search_config: crate::domain::language::search_config(&live.language),
            translation_of: live.translation_of,
        },
    )
    .await?;
    super::webhooks::emit(conn, WebhookEvent::ArticlePublished, &published).await?;
    Ok(published)
}

/// Carries out `transition` for the caller whose capacity `actor_for` decides.
pub async fn apply(
    pool: &DbPool,
    context: &AuditContext,
    id: Uuid,
    if_match: IfMatch,
    transition: Transition,
    input: ActionInput,
    actor_for: impl FnOnce(&ArticleRow) -> Result<Actor, ApiError> + Send,
) -> Result<ArticleWithByline, ApiError> {
    let mut conn = pool.get().await?;
    let by = context.user_id();
    conn.transaction::<_, ApiError, _>(async |conn| {
        let row = db::articles::find_for_update(conn, id).await?;
        let actor = actor_for(&row)?;
        if !if_match.matches(row.version) {
            return Err(stale(row.version));
        }
        let from = Status::parse(&row.status)
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("unknown status {}", row.status)))?;
        let to = workflow::next(from, transition, actor).map_err(|r| refusal(r, transition))?;
        // The database's clock, the one the scheduler's due query uses too.
        let now = db::now(conn).await?;
        let current = with_byline(conn, row).await?;
        let updated = match transition {
            Transition::Publish => publish_locked(conn, &current, by, now).await?,
            Transition::Schedule => {
                let at = input.publish_at.ok_or_else(|| {
                    ApiError::Validation(vec![FieldError::new("publish_at", "is required")])
                })?;
                if at <= now {
                    return Err(ApiError::Validation(vec![FieldError::new(
                        "publish_at",
                        "must be in the future; publish now instead",
                    )]));
                }
                if let Some(embargo) = current.article.embargo_until
                    && at < embargo
                {
                    return Err(ApiError::Validation(vec![FieldError::new(
                        "publish_at",
                        format!("is before the embargo ({})", embargo.to_rfc3339()),
                    )]));
                }
                let changes = WorkflowChanges {
                    status: Some(to.as_str().to_owned()),
                    publish_at: Some(Some(at)),
                    publish_error: Some(None),
                    publish_failed_at: Some(None),
                    ..Default::default()
                };
                db::revisions::set_workflow(conn, id, &changes).await?
            }
            Transition::ReturnToDraft => {
                let note = input
                    .note
                    .clone()
                    .filter(|n| !n.trim().is_empty())
                    .ok_or_else(|| {
                        ApiError::Validation(vec![FieldError::new(
                            "note",
                            "say what the writer should change",
                        )])
                    })?;
                let changes = WorkflowChanges {
                    status: Some(to.as_str().to_owned()),
                    publish_at: Some(None),
                    review_note: Some(Some(note)),
                    ..Default::default()
                };
                db::revisions::set_workflow(conn, id, &changes).await?
            }
            Transition::Submit | Transition::Unpublish | Transition::Archive => {
                let changes = WorkflowChanges {
                    status: Some(to.as_str().to_owned()),
                    publish_at: Some(None),
                    ..Default::default()
                };
                let updated = db::revisions::set_workflow(conn, id, &changes).await?;
                if transition == Transition::Unpublish {
                    super::webhooks::emit(conn, WebhookEvent::ArticleUnpublished, &updated).await?;
                }
                updated
            }
        };
        if updated.status != Status::Published.as_str() {
            // Readers stop seeing it in the same transaction as the change.
            db::published::remove(conn, id).await?;
        }
        audit::append(
            conn,
            &context.entry(
                transition_action(transition),
                "article",
                Some(id.to_string()),
                json!({
                    "from": from.as_str(), "to": to.as_str(),
                    "publish_at": updated.publish_at, "note": input.note,
                }),
            ),
        )
        .await?;
        with_byline(conn, updated).await
    })
    .await
}

fn transition_action(t: Transition) -> &'static str {
    match t {
        Transition::Submit => "article.submit",
        Transition::ReturnToDraft => "article.return",
        Transition::Publish => "article.publish",
        Transition::Schedule => "article.schedule",
        Transition::Unpublish => "article.unpublish",
        Transition::Archive => "article.archive",
    }
}

/// Publishes the scheduled articles that are due, at most `batch` of them, skipping rows
/// another instance holds. Returns how many were handled (published or failed). A failure is
/// recorded on the article (back in review with the reason) and in the audit log, never dropped.
pub async fn publish_due(pool: &DbPool, batch: i64) -> Result<usize, ApiError> {
    let mut conn = pool.get().await?;
    let context = AuditContext::system();
    conn.transaction::<_, ApiError, _>(async |conn| {
        let due = db::revisions::lock_due(conn, batch).await?;
        let handled = due.len();
        for id in due {
            let row = db::articles::find(conn, id).await?;
            let current = with_byline(conn, row).await?;
            let now = db::now(conn).await?;
            let late_ms = current
                .article
                .publish_at
                .map(|at| (now - at).num_milliseconds())
                .unwrap_or_default();
            // A savepoint per article, so one failure does not undo the others.
            let outcome = conn
                .transaction::<_, ApiError, _>(async |conn| {
                    publish_locked(conn, &current, None, now).await
                })
                .await;
            match outcome {
                Ok(_) => {
                    audit::append(
                        conn,
                        &context.entry(
                            "article.publish",
                            "article",
                            Some(id.to_string()),
                            json!({ "from": "scheduled", "to": "published", "late_ms": late_ms }),
                        ),
                    )
                    .await?;
                }
                Err(error) => {
                    let reason = match &error {
                        ApiError::Internal(e) => format!("internal error: {e:#}"),
                        other => other.problem().detail,
                    };
                    tracing::error!(article = %id, %reason, "scheduled publish failed");
                    let changes = WorkflowChanges {
                        status: Some(Status::InReview.as_str().to_owned()),
                        publish_error: Some(Some(reason.clone())),
                        publish_failed_at: Some(Some(now)),
                        ..Default::default()
                    };
                    let failed = db::revisions::set_workflow(conn, id, &changes).await?;
                    super::webhooks::emit(conn, WebhookEvent::ArticlePublishFailed, &failed)
                        .await?;
                    audit::append(
                        conn,
                        &context.entry(
                            "article.publish_failed",
                            "article",
                            Some(id.to_string()),
                            json!({ "reason": reason }),
                        ),
                    )
                    .await?;
                }
            }
        }
        Ok(handled)
    })
    .await
}

/// Stores an explicit save point of the working copy.
pub async fn save_point(
    pool: &DbPool,
    context: &AuditContext,
    id: Uuid,
    note: Option<String>,
    authorize: impl FnOnce(&ArticleRow) -> Result<(), ApiError> + Send,
) -> Result<RevisionRow, ApiError> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let row = db::articles::find_for_update(conn, id).await?;
        authorize(&row)?;
        let current = with_byline(conn, row).await?;
        let snapshot = to_json(&snapshot(&current)?)?;
        let revision = db::revisions::insert(
            conn,
            id,
            "save_point",
            &snapshot,
            current.article.version,
            note.as_deref(),
            context.user_id(),
        )
        .await?;
        audit::append(
            conn,
            &context.entry(
                "article.save_point",
                "article",
                Some(id.to_string()),
                json!({ "revision": revision.number, "note": note }),
            ),
        )
        .await?;
        Ok(revision)
    })
    .await
}

/// Restores revision `number` into the working copy (what readers see changes only at the
/// next publish).
pub async fn restore(
    pool: &DbPool,
    context: &AuditContext,
    id: Uuid,
    number: i32,
    if_match: IfMatch,
    authorize: impl FnOnce(&ArticleRow) -> Result<(), ApiError> + Send,
    authorize_byline: impl FnOnce(
        &[BylineEntry],
        &[BylineEntry],
        &AuthorAccounts,
    ) -> Result<(), ApiError>
    + Send,
) -> Result<ArticleWithByline, ApiError> {
    let (snapshot, accounts) = {
        let mut conn = pool.get().await?;
        let snapshot = read_snapshot(&db::revisions::find(&mut conn, id, number).await?)?;
        let ids: Vec<Uuid> = snapshot.authors.iter().map(|a| a.author_id).collect();
        let accounts = db::authors::accounts(&mut conn, &ids).await?;
        (snapshot, accounts)
    };
    let article = super::articles::update(pool, context, id, if_match, authorize, move |draft| {
        let byline: Vec<BylineEntry> = snapshot
            .authors
            .into_iter()
            .map(|b| BylineEntry {
                author_id: b.author_id,
                role: b.role,
            })
            .collect();
        // A restore must not put back an author the caller could not add by editing.
        authorize_byline(&draft.byline, &byline, &accounts)?;
        Ok(Draft {
            slug: Some(snapshot.slug),
            headline: snapshot.headline,
            dek: snapshot.dek,
            kicker: snapshot.kicker,
            section_id: snapshot.section_id,
            tags: snapshot.tags,
            language: snapshot.language,
            byline,
            featured_image: snapshot
                .featured_image
                .map(|f| (f.image_id, f.caption, f.credit)),
            body: snapshot.body,
            seo_title: snapshot.seo_title,
            seo_description: snapshot.seo_description,
            canonical_url: snapshot.canonical_url,
            translation_of: snapshot.translation_of,
            embargo_until: draft.embargo_until,
        })
    })
    .await?;
    Ok(article)
}

/// Appends a dated correction to a published (or since unpublished) article.
pub async fn add_correction(
    pool: &DbPool,
    context: &AuditContext,
    id: Uuid,
    note: &str,
) -> Result<db::revisions::CorrectionRow, ApiError> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let row = db::articles::find_for_update(conn, id).await?;
        if row.first_published_at.is_none() {
            return Err(ApiError::Conflict(
                "corrections are for published articles; edit the draft instead".to_owned(),
            ));
        }
        let correction = db::revisions::add_correction(conn, id, note, context.user_id()).await?;
        audit::append(
            conn,
            &context.entry(
                "article.correction",
                "article",
                Some(id.to_string()),
                json!({ "note": note }),
            ),
        )
        .await?;
        Ok(correction)
    })
    .await
}
