//! `/api/v1/sections`: the managed list of sections articles are filed in.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::patch::{clean, clean_patch, nullable};
use super::problems::{BodyErrors, ConflictErrors, NotFoundErrors, ProtectedErrors};
use crate::audit::AuditContext;
use crate::auth::{Action, Caller};
use crate::content::sections;
use crate::db;
use crate::db::sections::{NewSection, SectionChanges, SectionRow};
use crate::domain::{slug, validation};
use crate::error::{ApiError, FieldError};
use crate::http::client_ip::ClientIp;
use crate::startup::AppState;

/// A section.
#[derive(Debug, Serialize, ToSchema)]
pub struct SectionView {
    /// Id.
    pub id: Uuid,
    /// Display name.
    #[schema(example = "News Feed")]
    pub name: String,
    /// URL identifier.
    #[schema(example = "news-feed")]
    pub slug: String,
    /// Description.
    pub description: Option<String>,
    /// Order in navigation (ascending).
    pub position: i32,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<SectionRow> for SectionView {
    fn from(s: SectionRow) -> Self {
        Self {
            id: s.id,
            name: s.name,
            slug: s.slug,
            description: s.description,
            position: s.position,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// A new section.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "News Feed", "position": 1}))]
pub struct CreateSectionRequest {
    /// Display name.
    #[validate(length(min = 1, max = 100, message = "must be 1 to 100 characters"))]
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
    /// URL identifier; made from the name when absent.
    #[validate(custom(function = "validation::slug"))]
    #[schema(max_length = 80, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: Option<String>,
    /// Description.
    #[validate(length(max = 1000, message = "must be at most 1000 characters"))]
    #[schema(max_length = 1000)]
    pub description: Option<String>,
    /// Order in navigation (default 0).
    pub position: Option<i32>,
}

/// Changes to a section.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateSectionRequest {
    /// Display name.
    #[validate(length(min = 1, max = 100, message = "must be 1 to 100 characters"))]
    #[schema(min_length = 1, max_length = 100)]
    pub name: Option<String>,
    /// URL identifier.
    #[validate(custom(function = "validation::slug"))]
    #[schema(max_length = 80, pattern = "^[a-z0-9]+(-[a-z0-9]+)*$")]
    pub slug: Option<String>,
    /// Description; `null` clears it.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 1000, message = "must be at most 1000 characters"))]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub description: Option<Option<String>>,
    /// Order in navigation.
    pub position: Option<i32>,
}

/// Create a section.
#[utoipa::path(
    tag = "sections",
    operation_id = "create_section",
    request_body = CreateSectionRequest,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created", body = SectionView),
        ProtectedErrors,
        BodyErrors,
        ConflictErrors,
    )
)]
#[post("/sections")]
pub async fn create_section(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    body: crate::http::json::Json<CreateSectionRequest>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::ManageSections)?;
    body.validate()?;
    let body = body.into_inner();
    let name = body.name.trim().to_owned();
    let slug = match body.slug {
        Some(slug) => slug,
        None => match slug::slugify(&name) {
            s if s.is_empty() => {
                return Err(ApiError::Validation(vec![FieldError::new(
                    "slug",
                    "the name has no letters or digits to make a slug from; send one",
                )]));
            }
            s => s,
        },
    };
    let section = NewSection {
        name,
        slug,
        description: clean(body.description),
        position: body.position.unwrap_or(0),
    };
    let row = sections::create(&state.pool, &AuditContext::of(&caller, &ip), section).await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/sections/{}", row.id)))
        .json(SectionView::from(row)))
}

/// List all sections in navigation order.
#[utoipa::path(
    tag = "sections",
    operation_id = "list_sections",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "All sections", body = Vec<SectionView>),
        ProtectedErrors,
    )
)]
#[get("/sections")]
pub async fn list_sections(
    state: web::Data<AppState>,
    caller: Caller,
) -> Result<web::Json<Vec<SectionView>>, ApiError> {
    caller.require(Action::ReadContent)?;
    let mut conn = state.pool.get().await?;
    let rows = db::sections::list(&mut conn).await?;
    Ok(web::Json(rows.into_iter().map(Into::into).collect()))
}

/// Read a section.
#[utoipa::path(
    tag = "sections",
    operation_id = "get_section",
    params(("id" = Uuid, Path, description = "Section id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The section", body = SectionView),
        ProtectedErrors,
        NotFoundErrors,
    )
)]
#[get("/sections/{id}")]
pub async fn get_section(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<SectionView>, ApiError> {
    caller.require(Action::ReadContent)?;
    let mut conn = state.pool.get().await?;
    Ok(web::Json(db::sections::find(&mut conn, *id).await?.into()))
}

/// Change a section.
#[utoipa::path(
    tag = "sections",
    operation_id = "update_section",
    params(("id" = Uuid, Path, description = "Section id")),
    request_body = UpdateSectionRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changed section", body = SectionView),
        ProtectedErrors,
        NotFoundErrors,
        BodyErrors,
        ConflictErrors,
    )
)]
#[patch("/sections/{id}")]
pub async fn update_section(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    id: web::Path<Uuid>,
    body: crate::http::json::Json<UpdateSectionRequest>,
) -> Result<web::Json<SectionView>, ApiError> {
    caller.require(Action::ManageSections)?;
    body.validate()?;
    let body = body.into_inner();
    let changes = SectionChanges {
        name: body.name.map(|n| n.trim().to_owned()),
        slug: body.slug,
        description: clean_patch(body.description),
        position: body.position,
    };
    let row = sections::update(&state.pool, &AuditContext::of(&caller, &ip), *id, changes).await?;
    Ok(web::Json(row.into()))
}

/// Delete a section; refused with 409 while articles are filed in it.
#[utoipa::path(
    tag = "sections",
    operation_id = "delete_section",
    params(("id" = Uuid, Path, description = "Section id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        ProtectedErrors,
        NotFoundErrors,
        ConflictErrors,
    )
)]
#[delete("/sections/{id}")]
pub async fn delete_section(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::ManageSections)?;
    sections::delete(&state.pool, &AuditContext::of(&caller, &ip), *id).await?;
    Ok(HttpResponse::NoContent().finish())
}
