//! `/api/v1/authors`: author profiles for bylines and author boxes.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::pagination::{Page, PageParams, page};
use super::patch::{clean, clean_patch, nullable};
use super::problems::{BodyErrors, ConflictErrors, NotFoundErrors, ProtectedErrors, QueryErrors};
use crate::audit::AuditContext;
use crate::auth::{Action, Caller};
use crate::content::authors;
use crate::db;
use crate::db::authors::{AuthorChanges, AuthorFilter, AuthorRow, NewAuthor};
use crate::domain::validation;
use crate::error::ApiError;
use crate::http::client_ip::ClientIp;
use crate::startup::AppState;

/// A link on an author's profile.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
pub struct AuthorLink {
    /// What the link is, e.g. "Web site", "Mastodon".
    #[validate(length(min = 1, max = 100, message = "must be 1 to 100 characters"))]
    #[schema(min_length = 1, max_length = 100, example = "Web site")]
    pub label: String,
    /// An http or https URL.
    #[validate(
        length(max = 2000, message = "must be at most 2000 characters"),
        custom(function = "validation::http_url")
    )]
    #[schema(max_length = 2000, format = "uri", example = "https://example.org/ana")]
    pub url: String,
}

/// An author profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthorView {
    /// Id.
    pub id: Uuid,
    /// Name as printed in bylines.
    #[schema(example = "Olena Honcharova")]
    pub name: String,
    /// URL identifier, unique.
    #[schema(example = "olena-honcharova")]
    pub slug: String,
    /// Job title.
    #[schema(example = "Head of North America desk")]
    pub job_title: Option<String>,
    /// Biography (plain text, may be long).
    pub bio: Option<String>,
    /// Where the author is based.
    #[schema(example = "Washington, D.C.")]
    pub location: Option<String>,
    /// Avatar image id.
    pub avatar_image_id: Option<Uuid>,
    /// Avatar file URL (public), when there is an avatar.
    #[schema(example = "/api/v1/public/images/6f1c2a8e-0d7b-4c39-9a51-2f1e8d6b7c44/file")]
    pub avatar_url: Option<String>,
    /// Contact e-mail.
    pub email: Option<String>,
    /// Web site and social profiles.
    pub links: Vec<AuthorLink>,
    /// The user account, when the author has one.
    pub user_id: Option<Uuid>,
    /// Inactive authors stay on old bylines but are not offered for new ones.
    pub active: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<AuthorRow> for AuthorView {
    fn from(a: AuthorRow) -> Self {
        Self {
            id: a.id,
            avatar_url: a.avatar_image_id.map(super::images::file_url),
            name: a.name,
            slug: a.slug,
            job_title: a.job_title,
            bio: a.bio,
            location: a.location,
            avatar_image_id: a.avatar_image_id,
            email: a.email,
            links: serde_json::from_value(a.links).unwrap_or_default(),
            user_id: a.user_id,
            active: a.active,
            created_at: a.created_at,
            updated_at: a.updated_at,
        }
    }
}

/// A new author.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "name": "Olena Honcharova", "job_title": "Head of North America desk",
    "bio": "Olena covers US politics and diplomacy from Washington.",
    "location": "Washington, D.C.", "email": "olena@newsroom.example",
    "links": [{"label": "Web site", "url": "https://example.org/olena"}]
}))]
pub struct CreateAuthorRequest {
    /// Name as printed in bylines.
    #[validate(length(min = 1, max = 200, message = "must be 1 to 200 characters"))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: String,
    /// URL identifier; made from the name (transliterated to ASCII) when absent.
    #[validate(custom(function = "validation::slug"))]
    #[schema(max_length = 80, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: Option<String>,
    /// Job title.
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    #[schema(max_length = 200)]
    pub job_title: Option<String>,
    /// Biography.
    #[validate(length(max = 20000, message = "must be at most 20000 characters"))]
    #[schema(max_length = 20000)]
    pub bio: Option<String>,
    /// Where the author is based.
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    #[schema(max_length = 200)]
    pub location: Option<String>,
    /// An existing image.
    pub avatar_image_id: Option<Uuid>,
    /// Contact e-mail.
    #[validate(custom(function = "validation::email"))]
    #[schema(format = "email", max_length = 254)]
    pub email: Option<String>,
    /// Web site and social profiles (at most 20).
    #[validate(length(max = 20, message = "at most 20 links"), nested)]
    #[serde(default)]
    #[schema(max_items = 20)]
    pub links: Vec<AuthorLink>,
    /// An existing user account (at most one author per account).
    pub user_id: Option<Uuid>,
    /// Defaults to true.
    pub active: Option<bool>,
}

/// Changes to an author; absent fields stay, `null` clears.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAuthorRequest {
    /// Name.
    #[validate(length(min = 1, max = 200, message = "must be 1 to 200 characters"))]
    #[schema(min_length = 1, max_length = 200)]
    pub name: Option<String>,
    /// New slug (the old URL stops working: change it only before publication).
    #[validate(custom(function = "validation::slug"))]
    #[schema(max_length = 80, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: Option<String>,
    /// Job title.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub job_title: Option<Option<String>>,
    /// Biography.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 20000, message = "must be at most 20000 characters"))]
    #[schema(value_type = Option<String>, max_length = 20000)]
    pub bio: Option<Option<String>>,
    /// Location.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 200, message = "must be at most 200 characters"))]
    #[schema(value_type = Option<String>, max_length = 200)]
    pub location: Option<Option<String>>,
    /// Avatar image.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub avatar_image_id: Option<Option<Uuid>>,
    /// Contact e-mail.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(custom(function = "validation::email"))]
    #[schema(value_type = Option<String>, format = "email")]
    pub email: Option<Option<String>>,
    /// Links (replaces the whole list).
    #[validate(length(max = 20, message = "at most 20 links"), nested)]
    #[schema(max_items = 20)]
    pub links: Option<Vec<AuthorLink>>,
    /// User account.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>)]
    pub user_id: Option<Option<Uuid>>,
    /// Active.
    pub active: Option<bool>,
}

/// Filters of the author list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuthorListQuery {
    /// Name contains this (case-insensitive).
    pub name: Option<String>,
    /// Only active (`true`) or inactive (`false`) authors.
    pub active: Option<bool>,
}

fn links_json(links: &[AuthorLink]) -> serde_json::Value {
    serde_json::to_value(links).unwrap_or_else(|_| serde_json::json!([]))
}

fn normalized_email(email: Option<String>) -> Option<String> {
    clean(email).map(|e| e.to_lowercase())
}

/// Create an author profile.
///
/// The slug is made from the name (any script, transliterated to readable ASCII; a number is
/// added when it is taken) unless one is given.
#[utoipa::path(
    tag = "authors",
    operation_id = "create_author",
    request_body = CreateAuthorRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = AuthorView,
            headers(("Location" = String, description = "URL of the new author"))),
        ProtectedErrors,
        BodyErrors,
        ConflictErrors,
    )
)]
#[post("/authors")]
pub async fn create_author(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    body: crate::http::json::Json<CreateAuthorRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::ManageAuthors)?;
    body.validate()?;
    let body = body.into_inner();
    let author = NewAuthor {
        name: body.name.trim().to_owned(),
        slug: String::new(),
        job_title: clean(body.job_title),
        bio: clean(body.bio),
        location: clean(body.location),
        avatar_image_id: body.avatar_image_id,
        email: normalized_email(body.email),
        links: links_json(&body.links),
        user_id: body.user_id,
        active: body.active.unwrap_or(true),
    };
    let row = authors::create(
        &state.pool,
        &AuditContext::of(&caller, &ip),
        author,
        body.slug.as_deref(),
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/authors/{}", row.id)))
        .json(AuthorView::from(row)))
}

/// List authors by name.
#[utoipa::path(
    tag = "authors",
    operation_id = "list_authors",
    params(AuthorListQuery, PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of authors", body = Page<AuthorView>),
        ProtectedErrors,
        QueryErrors,
    )
)]
#[get("/authors")]
pub async fn list_authors(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<AuthorListQuery>,
    paging: web::Query<PageParams>,
) -> Result<web::Json<Page<AuthorView>>, ApiError> {
    caller.require(Action::ReadContent)?;
    let limit = paging.limit()?;
    let after: Option<(String, Uuid)> = paging.cursor()?;
    let query = query.into_inner();
    let filter = AuthorFilter {
        name: clean(query.name),
        active: query.active,
    };
    let mut conn = state.pool.get().await?;
    let rows = db::authors::list(&mut conn, &filter, after, limit + 1).await?;
    Ok(web::Json(page(
        rows,
        limit,
        |a| (a.name.to_lowercase(), a.id),
        AuthorView::from,
    )))
}

/// Read an author profile.
#[utoipa::path(
    tag = "authors",
    operation_id = "get_author",
    params(("id" = Uuid, Path, description = "Author id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The author", body = AuthorView),
        ProtectedErrors,
        NotFoundErrors,
    )
)]
#[get("/authors/{id}")]
pub async fn get_author(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<AuthorView>, ApiError> {
    caller.require(Action::ReadContent)?;
    let mut conn = state.pool.get().await?;
    Ok(web::Json(db::authors::find(&mut conn, *id).await?.into()))
}

/// Change an author profile.
#[utoipa::path(
    tag = "authors",
    operation_id = "update_author",
    params(("id" = Uuid, Path, description = "Author id")),
    request_body = UpdateAuthorRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changed author", body = AuthorView),
        ProtectedErrors,
        NotFoundErrors,
        BodyErrors,
        ConflictErrors,
    )
)]
#[patch("/authors/{id}")]
pub async fn update_author(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    id: web::Path<Uuid>,
    body: crate::http::json::Json<UpdateAuthorRequest>,
) -> Result<web::Json<AuthorView>, ApiError> {
    caller.require(Action::ManageAuthors)?;
    body.validate()?;
    let body = body.into_inner();
    let changes = AuthorChanges {
        name: body.name.map(|n| n.trim().to_owned()),
        slug: body.slug,
        job_title: clean_patch(body.job_title),
        bio: clean_patch(body.bio),
        location: clean_patch(body.location),
        avatar_image_id: body.avatar_image_id,
        email: body.email.map(normalized_email),
        links: body.links.as_deref().map(links_json),
        user_id: body.user_id,
        active: body.active,
    };
    let row = authors::update(&state.pool, &AuditContext::of(&caller, &ip), *id, changes).await?;
    Ok(web::Json(row.into()))
}

/// Delete an author profile.
///
/// Refused with 409 while the author is on a byline; deactivate the author instead.
#[utoipa::path(
    tag = "authors",
    operation_id = "delete_author",
    params(("id" = Uuid, Path, description = "Author id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        ProtectedErrors,
        NotFoundErrors,
        ConflictErrors,
    )
)]
#[delete("/authors/{id}")]
pub async fn delete_author(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::ManageAuthors)?;
    authors::delete(&state.pool, &AuditContext::of(&caller, &ip), *id).await?;
    Ok(HttpResponse::NoContent().finish())
}
