//! `/api/v1/articles/{id}/…`: workflow actions, revisions, corrections.

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::articles::{
    ArticleView, CorrectionView, find_readable, require_byline, require_editable, require_readable,
};
use super::problems::{
    BodyErrors, ConflictErrors, NotFoundErrors, PreconditionErrors, ProtectedErrors,
};
use crate::audit::AuditContext;
use crate::auth::policy::workflow_actor;
use crate::auth::{Action, Caller};
use crate::content::articles::ArticleWithByline;
use crate::content::workflow::{self, ActionInput};
use crate::db;
use crate::db::articles::ArticleRow;
use crate::domain::revision::{Diff, Snapshot, diff};
use crate::domain::workflow::Transition;
use crate::error::{ApiError, ProblemDetails};
use crate::http::client_ip::ClientIp;
use crate::http::preconditions;
use crate::startup::AppState;

/// `schedule`: when to publish.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleRequest {
    /// A future time (RFC 3339), not before the embargo.
    pub publish_at: DateTime<Utc>,
}

/// `return`: the editor's note for the writer.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReturnRequest {
    /// What to change.
    #[validate(length(min = 1, max = 5000, message = "must be 1 to 5000 characters"))]
    #[schema(min_length = 1, max_length = 5000)]
    pub note: String,
}

fn respond(article: ArticleWithByline) -> Result<HttpResponse, ApiError> {
    let view = ArticleView::try_from(article)?;
    Ok(HttpResponse::Ok()
        .insert_header((
            actix_web::http::header::ETAG,
            preconditions::etag(view.version),
        ))
        .json(view))
}

async fn act(
    state: &AppState,
    caller: &Caller,
    ip: &ClientIp,
    req: &HttpRequest,
    id: Uuid,
    transition: Transition,
    input: ActionInput,
) -> Result<HttpResponse, ApiError> {
    let if_match = preconditions::required(req)?;
    let article = workflow::apply(
        &state.pool,
        &AuditContext::of(caller, ip),
        id,
        if_match,
        transition,
        input,
        |row: &ArticleRow| {
            require_readable(caller, row)?;
            workflow_actor(caller, row.created_by).ok_or_else(|| {
                ApiError::Forbidden("your role or token scopes do not allow this".to_owned())
            })
        },
    )
    .await?;
    respond(article)
}

/// Submit a draft for review (writers, for their own drafts; editors).
#[utoipa::path(
    tag = "workflow",
    operation_id = "submit_article",
    params(("id" = Uuid, Path, description = "Article id"),
        ("If-Match" = String, Header, description = "The current ETag")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Now in review", body = ArticleView),
        (status = 409, description = "Not a draft", body = ProblemDetails, content_type = "application/problem+json"),
        PreconditionErrors,
        ProtectedErrors, NotFoundErrors,
    )
)]
#[post("/articles/{id}/submit")]
pub async fn submit_article(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    act(
        &state,
        &caller,
        &ip,
        &req,
        *id,
        Transition::Submit,
        ActionInput::default(),
    )
    .await
}

/// Send an article in review (or a scheduled one) back to draft with a note (editors).
#[utoipa::path(
    tag = "workflow",
    operation_id = "return_article",
    params(("id" = Uuid, Path, description = "Article id"),
        ("If-Match" = String, Header, description = "The current ETag")),
    request_body = ReturnRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Back in draft with the note", body = ArticleView),
        (status = 409, description = "Not in review or scheduled", body = ProblemDetails, content_type = "application/problem+json"),
        PreconditionErrors,
        ProtectedErrors, NotFoundErrors, BodyErrors,
    )
)]
#[post("/articles/{id}/return")]
pub async fn return_article(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::json::Json<ReturnRequest>,
) -> Result<HttpResponse, ApiError> {
    body.validate()?;
    let input = ActionInput {
        note: Some(body.into_inner().note),
        ..Default::default()
    };
    act(
        &state,
        &caller,
        &ip,
        &req,
        *id,
        Transition::ReturnToDraft,
        input,
    )
    .await
}

/// Publish the working copy now (editors). Also republishes a published article's edits.
///
/// Stores a revision, makes it what readers see, remembers the slug (old slugs redirect).
/// Refused with 409 while the article is under embargo: schedule it instead.
#[utoipa::path(
    tag = "workflow",
    operation_id = "publish_article",
    params(("id" = Uuid, Path, description = "Article id"),
        ("If-Match" = String, Header, description = "The current ETag")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Published", body = ArticleView),
        (status = 409, description = "Archived, or under embargo", body = ProblemDetails, content_type = "application/problem+json"),
        PreconditionErrors,
        ProtectedErrors, NotFoundErrors,
    )
)]
#[post("/articles/{id}/publish")]
pub async fn publish_article(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    act(
        &state,
        &caller,
        &ip,
        &req,
        *id,
        Transition::Publish,
        ActionInput::default(),
    )
    .await
}

/// Schedule publication at `publish_at` (editors). The server publishes it then, once, even
/// with several instances running; never before an embargo.
#[utoipa::path(
    tag = "workflow",
    operation_id = "schedule_article",
    params(("id" = Uuid, Path, description = "Article id"),
        ("If-Match" = String, Header, description = "The current ETag")),
    request_body = ScheduleRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Scheduled", body = ArticleView),
        (status = 409, description = "Cannot be scheduled from its state", body = ProblemDetails, content_type = "application/problem+json"),
        PreconditionErrors,
        ProtectedErrors, NotFoundErrors, BodyErrors,
    )
)]
#[post("/articles/{id}/schedule")]
pub async fn schedule_article(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    req: HttpRequest,
    id: web::Path<Uuid>,
    body: crate::http::json::Json<ScheduleRequest>,
) -> Result<HttpResponse, ApiError> {
    let input = ActionInput {
        publish_at: Some(body.publish_at),
        ..Default::default()
    };
    act(&state, &caller, &ip, &req, *id, Transition::Schedule, input).await
}

/// Take a published article down (editors).
#[utoipa::path(
    tag = "workflow",
    operation_id = "unpublish_article",
    params(("id" = Uuid, Path, description = "Article id"),
        ("If-Match" = String, Header, description = "The current ETag")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Unpublished", body = ArticleView),
        (status = 409, description = "Not published", body = ProblemDetails, content_type = "application/problem+json"),
        PreconditionErrors,
        ProtectedErrors, NotFoundErrors,
    )
)]
#[post("/articles/{id}/unpublish")]
pub async fn unpublish_article(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    act(
        &state,
        &caller,
        &ip,
        &req,
        *id,
        Transition::Unpublish,
        ActionInput::default(),
    )
    .await
}

/// Archive an article (editors); archived is final.
#[utoipa::path(
    tag = "workflow",
    operation_id = "archive_article",
    params(("id" = Uuid, Path, description = "Article id"),
        ("If-Match" = String, Header, description = "The current ETag")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Archived", body = ArticleView),
        (status = 409, description = "Already archived", body = ProblemDetails, content_type = "application/problem+json"),
        PreconditionErrors,
        ProtectedErrors, NotFoundErrors,
    )
)]
#[post("/articles/{id}/archive")]
pub async fn archive_article(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    req: HttpRequest,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    act(
        &state,
        &caller,
        &ip,
        &req,
        *id,
        Transition::Archive,
        ActionInput::default(),
    )
    .await
}

/// A revision in lists.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionSummary {
    /// 1, 2, 3… per article.
    pub number: i32,
    /// `publish` or `save_point`.
    #[schema(example = "publish")]
    pub kind: String,
    /// The article's version when it was taken.
    pub article_version: i32,
    /// Note (save points).
    pub note: Option<String>,
    /// Who took it (null for the scheduler and for API tokens, which the audit log records).
    pub created_by: Option<Uuid>,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// A revision with its snapshot.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionView {
    /// Summary.
    #[serde(flatten)]
    pub summary: RevisionSummary,
    /// The working copy at that moment.
    pub snapshot: Snapshot,
}

impl From<&db::revisions::RevisionRow> for RevisionSummary {
    fn from(r: &db::revisions::RevisionRow) -> Self {
        Self {
            number: r.number,
            kind: r.kind.clone(),
            article_version: r.article_version,
            note: r.note.clone(),
            created_by: r.created_by,
            created_at: r.created_at,
        }
    }
}

fn revision_view(row: &db::revisions::RevisionRow) -> Result<RevisionView, ApiError> {
    Ok(RevisionView {
        summary: row.into(),
        snapshot: workflow::read_snapshot(row)?,
    })
}

/// List an article's revisions, newest first.
#[utoipa::path(
    tag = "revisions",
    operation_id = "list_article_revisions",
    params(("id" = Uuid, Path, description = "Article id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Revisions", body = Vec<RevisionSummary>),
        ProtectedErrors, NotFoundErrors,
    )
)]
#[get("/articles/{id}/revisions")]
pub async fn list_article_revisions(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<Vec<RevisionSummary>>, ApiError> {
    caller.require(Action::ReadContent)?;
    let mut conn = state.pool.get().await?;
    find_readable(&mut conn, &caller, *id).await?;
    let rows = db::revisions::list(&mut conn, *id).await?;
    Ok(web::Json(rows.iter().map(Into::into).collect()))
}

/// `from` and `to`: the revision numbers to compare.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompareQuery {
    /// The older revision.
    pub from: i32,
    /// The newer revision.
    pub to: i32,
}

/// Compare two revisions: changed fields and body blocks added or removed.
#[utoipa::path(
    tag = "revisions",
    operation_id = "compare_article_revisions",
    params(("id" = Uuid, Path, description = "Article id"), CompareQuery),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The difference from `from` to `to`", body = Diff),
        ProtectedErrors, NotFoundErrors,
    )
)]
#[get("/articles/{id}/revisions/compare")]
pub async fn compare_article_revisions(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    query: web::Query<CompareQuery>,
) -> Result<web::Json<Diff>, ApiError> {
    caller.require(Action::ReadContent)?;
    let mut conn = state.pool.get().await?;
    find_readable(&mut conn, &caller, *id).await?;
    let older = db::revisions::find(&mut conn, *id, query.from).await?;
    let newer = db::revisions::find(&mut conn, *id, query.to).await?;
    Ok(web::Json(diff(
        &workflow::read_snapshot(&older)?,
        &workflow::read_snapshot(&newer)?,
    )))
}

/// Read one revision with its snapshot.
#[utoipa::path(
    tag = "revisions",
    operation_id = "get_article_revision",
    params(("id" = Uuid, Path, description = "Article id"),
        ("n" = i32, Path, description = "Revision number")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The revision", body = RevisionView),
        ProtectedErrors, NotFoundErrors,
    )
)]
#[get("/articles/{id}/revisions/{n}")]
pub async fn get_article_revision(
    state: web::Data<AppState>,
    caller: Caller,
    path: web::Path<(Uuid, i32)>,
) -> Result<web::Json<RevisionView>, ApiError> {
    caller.require(Action::ReadContent)?;
    let (id, n) = path.into_inner();
    let mut conn = state.pool.get().await?;
    find_readable(&mut conn, &caller, id).await?;
    let row = db::revisions::find(&mut conn, id, n).await?;
    Ok(web::Json(revision_view(&row)?))
}

/// A save point's note.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SavePointRequest {
    /// Why this point is worth keeping.
    #[validate(length(max = 1000, message = "must be at most 1000 characters"))]
    #[schema(max_length = 1000)]
    pub note: Option<String>,
}

/// Store a save point: an immutable snapshot of the working copy.
#[utoipa::path(
    tag = "revisions",
    operation_id = "create_article_revision",
    params(("id" = Uuid, Path, description = "Article id")),
    request_body = SavePointRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Stored", body = RevisionView),
        ProtectedErrors, NotFoundErrors, BodyErrors,
    )
)]
#[post("/articles/{id}/revisions")]
pub async fn create_article_revision(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    id: web::Path<Uuid>,
    body: crate::http::json::Json<SavePointRequest>,
) -> Result<HttpResponse, ApiError> {
    body.validate()?;
    let note = super::patch::clean(body.into_inner().note);
    let row = workflow::save_point(
        &state.pool,
        &AuditContext::of(&caller, &ip),
        *id,
        note,
        |row| require_editable(&caller, row),
    )
    .await?;
    Ok(HttpResponse::build(StatusCode::CREATED).json(revision_view(&row)?))
}

/// Restore a revision into the working copy (readers see it at the next publish).
#[utoipa::path(
    tag = "revisions",
    operation_id = "restore_article_revision",
    params(("id" = Uuid, Path, description = "Article id"),
        ("n" = i32, Path, description = "Revision number"),
        ("If-Match" = String, Header, description = "The current ETag")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The working copy, restored", body = ArticleView),
        PreconditionErrors,
        ProtectedErrors, NotFoundErrors, ConflictErrors,
    )
)]
#[post("/articles/{id}/revisions/{n}/restore")]
pub async fn restore_article_revision(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    req: HttpRequest,
    path: web::Path<(Uuid, i32)>,
) -> Result<HttpResponse, ApiError> {
    let if_match = preconditions::required(&req)?;
    let (id, n) = path.into_inner();
    let article = workflow::restore(
        &state.pool,
        &AuditContext::of(&caller, &ip),
        id,
        n,
        if_match,
        |row| require_editable(&caller, row),
        |before, after, accounts| require_byline(&caller, accounts, before, after),
    )
    .await?;
    respond(article)
}

/// A correction to append.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionRequest {
    /// The note, as printed under the article.
    #[validate(length(min = 1, max = 5000, message = "must be 1 to 5000 characters"))]
    #[schema(min_length = 1, max_length = 5000)]
    pub note: String,
}

/// Append a dated correction to a published article (editors); delivered with it.
#[utoipa::path(
    tag = "workflow",
    operation_id = "add_article_correction",
    params(("id" = Uuid, Path, description = "Article id")),
    request_body = CorrectionRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Appended", body = CorrectionView),
        ProtectedErrors, NotFoundErrors, BodyErrors, ConflictErrors,
    )
)]
#[post("/articles/{id}/corrections")]
pub async fn add_article_correction(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    id: web::Path<Uuid>,
    body: crate::http::json::Json<CorrectionRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::AddCorrection)?;
    body.validate()?;
    let row = workflow::add_correction(
        &state.pool,
        &AuditContext::of(&caller, &ip),
        *id,
        body.note.trim(),
    )
    .await?;
    Ok(HttpResponse::Created().json(CorrectionView {
        id: row.id,
        note: row.note,
        created_at: row.created_at,
    }))
}
