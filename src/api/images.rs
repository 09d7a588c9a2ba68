//! `/api/v1/images`: the image library (uploads, metadata) and the public image files.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, route, web};
use bytes::{Bytes, BytesMut};
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::pagination::{Page, PageParams, page};
use super::patch::{clean, clean_patch, nullable};
use super::problems::{BodyErrors, ConflictErrors, NotFoundErrors, ProtectedErrors, QueryErrors};
use crate::audit::AuditContext;
use crate::auth::{Action, Caller};
use crate::content::images::{self, RENDITION_WIDTHS, UploadMetadata};
use crate::db;
use crate::db::images::{ImageChanges, ImageFilter, ImageRow};
use crate::error::{ApiError, FieldError, ProblemDetails};
use crate::http::client_ip::ClientIp;
use crate::http::limits::UploadSlots;
use crate::startup::AppState;

/// Longest accepted text part of an upload (alt text, caption, …), in bytes.
const MAX_TEXT_PART_BYTES: usize = 10_000;
/// Most parts an upload may have.
const MAX_PARTS: usize = 16;

/// The public URL of an image's file.
pub fn file_url(id: Uuid) -> String {
    format!("/api/v1/public/images/{id}/file")
}

/// A focal point: the part of the picture that crops must keep, as fractions of width and
/// height from the top left.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, Validate, ToSchema)]
pub struct FocalPoint {
    /// 0 (left) to 1 (right).
    #[validate(range(min = 0.0, max = 1.0, message = "must be between 0 and 1"))]
    #[schema(minimum = 0, maximum = 1, example = 0.5)]
    pub x: f64,
    /// 0 (top) to 1 (bottom).
    #[validate(range(min = 0.0, max = 1.0, message = "must be between 0 and 1"))]
    #[schema(minimum = 0, maximum = 1, example = 0.3)]
    pub y: f64,
}

/// A rendition a front end can put in `srcset`.
#[derive(Debug, Serialize, ToSchema)]
pub struct RenditionLink {
    /// Width in pixels.
    pub width: u32,
    /// URL (send `Accept: image/webp` to get WebP).
    pub url: String,
}

/// An image and its metadata.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImageView {
    /// Id.
    pub id: Uuid,
    /// Sniffed from the bytes: `image/jpeg`, `image/png`, `image/webp` or `image/gif`.
    #[schema(example = "image/jpeg")]
    pub mime_type: String,
    /// Width in pixels as displayed (EXIF orientation applied).
    #[schema(example = 6000)]
    pub width: i32,
    /// Height in pixels as displayed.
    #[schema(example = 4000)]
    pub height: i32,
    /// Size of the uploaded file.
    pub byte_size: i64,
    /// SHA-256 of the uploaded bytes (hex). Uploads of the same bytes share one stored file.
    pub sha256: String,
    /// Alternative text for screen readers.
    pub alt_text: Option<String>,
    /// Caption.
    #[schema(example = "Protesters outside the Capitol on Tuesday.")]
    pub caption: Option<String>,
    /// Credit line as printed.
    #[schema(example = "Jane Doe / Reuters")]
    pub credit: Option<String>,
    /// Photographer.
    pub photographer: Option<String>,
    /// Source or agency.
    pub source: Option<String>,
    /// Licence or usage terms.
    pub license: Option<String>,
    /// The photo is illustrative (not of the events described).
    pub illustrative: bool,
    /// Focal point, if set.
    pub focal_point: Option<FocalPoint>,
    /// Who uploaded it.
    pub uploaded_by: Option<Uuid>,
    /// Public URL of the full-size file (metadata stripped).
    pub url: String,
    /// Resized copies narrower than the original.
    pub renditions: Vec<RenditionLink>,
    /// Uploaded.
    pub created_at: DateTime<Utc>,
    /// Metadata last changed.
    pub updated_at: DateTime<Utc>,
}

impl From<ImageRow> for ImageView {
    fn from(i: ImageRow) -> Self {
        let url = file_url(i.id);
        let renditions = RENDITION_WIDTHS
            .iter()
            .filter(|w| i64::from(**w) < i64::from(i.width))
            .map(|w| RenditionLink {
                width: *w,
                url: format!("{url}?w={w}"),
            })
            .collect();
        Self {
            id: i.id,
            mime_type: i.mime_type,
            width: i.width,
            height: i.height,
            byte_size: i.byte_size,
            sha256: i.sha256,
            alt_text: i.alt_text,
            caption: i.caption,
            credit: i.credit,
            photographer: i.photographer,
            source: i.source,
            license: i.license,
            illustrative: i.illustrative,
            focal_point: i.focal_x.zip(i.focal_y).map(|(x, y)| FocalPoint { x, y }),
            uploaded_by: i.uploaded_by,
            url,
            renditions,
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}

/// The parts of an upload (`multipart/form-data`).
#[derive(Debug, ToSchema)]
// Documents the form; the handler reads the parts as they stream in. It refuses other parts
// (422), so the document says `additionalProperties: false`.
#[allow(dead_code)]
#[serde(deny_unknown_fields)]
pub struct UploadImageForm {
    /// The image: JPEG, PNG, WebP or GIF (the type is sniffed from the bytes). At most
    /// `NEWSROOM_MAX_UPLOAD_BYTES` (25 MiB by default) and `NEWSROOM_MAX_IMAGE_PIXELS`
    /// (60 megapixels by default).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// Alternative text.
    #[schema(max_length = 10000)]
    alt_text: Option<String>,
    /// Caption.
    #[schema(max_length = 10000)]
    caption: Option<String>,
    /// Credit line.
    #[schema(max_length = 10000)]
    credit: Option<String>,
    /// Photographer.
    #[schema(max_length = 10000)]
    photographer: Option<String>,
    /// Source or agency.
    #[schema(max_length = 10000)]
    source: Option<String>,
    /// Licence or usage terms.
    #[schema(max_length = 10000)]
    license: Option<String>,
    /// `true` or `false` (default). A form part is text: there is no `null`.
    #[schema(value_type = bool, required = false)]
    illustrative: Option<bool>,
}

/// Changes to an image's metadata; absent fields stay, `null` clears.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateImageRequest {
    /// Alternative text.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 10000, message = "must be at most 10000 characters"))]
    #[schema(value_type = Option<String>, max_length = 10000)]
    pub alt_text: Option<Option<String>>,
    /// Caption.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 10000, message = "must be at most 10000 characters"))]
    #[schema(value_type = Option<String>, max_length = 10000)]
    pub caption: Option<Option<String>>,
    /// Credit line.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 10000, message = "must be at most 10000 characters"))]
    #[schema(value_type = Option<String>, max_length = 10000)]
    pub credit: Option<Option<String>>,
    /// Photographer.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 10000, message = "must be at most 10000 characters"))]
    #[schema(value_type = Option<String>, max_length = 10000)]
    pub photographer: Option<Option<String>>,
    /// Source or agency.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 10000, message = "must be at most 10000 characters"))]
    #[schema(value_type = Option<String>, max_length = 10000)]
    pub source: Option<Option<String>>,
    /// Licence or usage terms.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(max = 10000, message = "must be at most 10000 characters"))]
    #[schema(value_type = Option<String>, max_length = 10000)]
    pub license: Option<Option<String>>,
    /// Illustrative.
    pub illustrative: Option<bool>,
    /// Focal point; `null` removes it.
    #[serde(default, deserialize_with = "nullable")]
    #[validate(nested)]
    #[schema(value_type = Option<FocalPoint>)]
    pub focal_point: Option<Option<FocalPoint>>,
}

/// Filters of the image list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImageListQuery {
    /// Only images uploaded by this user.
    pub uploaded_by: Option<Uuid>,
    /// Caption, credit, alt text, photographer or source contains this (case-insensitive).
    pub q: Option<String>,
}

/// The image's parts, read as they stream in: the file part stops at the size limit.
async fn read_upload(
    mut multipart: Multipart,
    max_file_bytes: usize,
) -> Result<(Bytes, UploadMetadata), ApiError> {
    let malformed = |e: actix_multipart::MultipartError| {
        ApiError::BadRequest(format!("the multipart body is malformed: {e}"))
    };
    let mut file = None;
    let mut metadata = UploadMetadata::default();
    let mut parts = 0;
    while let Some(mut field) = multipart.try_next().await.map_err(malformed)? {
        parts += 1;
        if parts > MAX_PARTS {
            return Err(ApiError::BadRequest(format!(
                "at most {MAX_PARTS} parts are accepted"
            )));
        }
        let name = field.name().unwrap_or_default().to_owned();
        let limit = if name == "file" {
            max_file_bytes
        } else {
            MAX_TEXT_PART_BYTES
        };
        let mut buffer = BytesMut::new();
        while let Some(chunk) = field.try_next().await.map_err(malformed)? {
            if buffer.len() + chunk.len() > limit {
                return Err(if name == "file" {
                    ApiError::PayloadTooLarge(format!("the file exceeds {limit} bytes"))
                } else {
                    ApiError::Validation(vec![FieldError::new(
                        name,
                        format!("must be at most {limit} bytes"),
                    )])
                });
            }
            buffer.extend_from_slice(&chunk);
        }
        let text = || {
            let text = String::from_utf8(buffer.to_vec()).map_err(|_| {
                ApiError::Validation(vec![FieldError::new(&name, "must be UTF-8 text")])
            })?;
            // PostgreSQL cannot store U+0000 in text.
            if text.contains('\0') {
                return Err(ApiError::Validation(vec![FieldError::new(
                    &name,
                    "must not contain the NUL character (U+0000)",
                )]));
            }
            Ok(text)
        };
        match name.as_str() {
            "file" if file.is_some() => {
                return Err(ApiError::Validation(vec![FieldError::new(
                    "file",
                    "send one `file` part per upload",
                )]));
            }
            "file" => file = Some(buffer.freeze()),
            "alt_text" => metadata.alt_text = clean(Some(text()?)),
            "caption" => metadata.caption = clean(Some(text()?)),
            "credit" => metadata.credit = clean(Some(text()?)),
            "photographer" => metadata.photographer = clean(Some(text()?)),
            "source" => metadata.source = clean(Some(text()?)),
            "license" => metadata.license = clean(Some(text()?)),
            "illustrative" => {
                metadata.illustrative = match text()?.trim() {
                    "true" => true,
                    "false" | "" => false,
                    _ => {
                        return Err(ApiError::Validation(vec![FieldError::new(
                            "illustrative",
                            "must be true or false",
                        )]));
                    }
                }
            }
            other => {
                return Err(ApiError::Validation(vec![FieldError::new(
                    other,
                    "unknown part (expected file, alt_text, caption, credit, photographer, source, license, illustrative)",
                )]));
            }
        }
    }
    let file = file.ok_or_else(|| {
        ApiError::Validation(vec![FieldError::new("file", "the `file` part is required")])
    })?;
    Ok((file, metadata))
}

/// Upload an image (`multipart/form-data`: part `file` plus optional text parts).
///
/// The type is sniffed from the bytes (JPEG, PNG, WebP, GIF; AVIF is not decoded by this
/// server); anything else is refused with 415, a truncated or oversized picture with 422, a
/// file over the size limit with 413 as soon as the limit is passed. Uploading the same bytes
/// again creates a new image record (with its own caption and credit) that shares the stored
/// file: both report the same `sha256`. Only `NEWSROOM_MAX_CONCURRENT_UPLOADS` uploads are
/// processed at once; one more is refused with 503 and `Retry-After`.
#[utoipa::path(
    tag = "images",
    operation_id = "upload_image",
    request_body(content = inline(UploadImageForm), content_type = "multipart/form-data"),
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Stored", body = ImageView,
            headers(("Location" = String, description = "URL of the new image"))),
        ProtectedErrors,
        BodyErrors,
        (status = 503, description = "The database is unavailable, or too many uploads are in \
            progress (then with `Retry-After`)", body = ProblemDetails,
            content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait before retrying"))),
    )
)]
#[post("/images")]
pub async fn upload_image(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    req: HttpRequest,
    payload: web::Payload,
    slots: web::Data<UploadSlots>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::UploadImage)?;
    // Held until the image is stored: decoding and renditions are what the cap protects.
    let _slot = slots.try_take()?;
    let is_multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.to_ascii_lowercase().starts_with("multipart/form-data"));
    if !is_multipart {
        return Err(ApiError::UnsupportedMediaType(
            "send the image as multipart/form-data with a `file` part".to_owned(),
        ));
    }
    let multipart = Multipart::new(req.headers(), payload);
    let (file, metadata) = read_upload(multipart, state.config.max_upload_bytes).await?;
    let row = images::upload(
        &state,
        &AuditContext::of(&caller, &ip),
        caller.user_id(),
        file,
        metadata,
    )
    .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Location", format!("/api/v1/images/{}", row.id)))
        .json(ImageView::from(row)))
}

/// List images, newest first.
#[utoipa::path(
    tag = "images",
    operation_id = "list_images",
    params(ImageListQuery, PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "One page of images", body = Page<ImageView>),
        ProtectedErrors,
        QueryErrors,
    )
)]
#[get("/images")]
pub async fn list_images(
    state: web::Data<AppState>,
    caller: Caller,
    query: web::Query<ImageListQuery>,
    paging: web::Query<PageParams>,
) -> Result<web::Json<Page<ImageView>>, ApiError> {
    caller.require(Action::ReadContent)?;
    let limit = paging.limit()?;
    let after: Option<(DateTime<Utc>, Uuid)> = paging.cursor()?;
    let query = query.into_inner();
    let filter = ImageFilter {
        uploaded_by: query.uploaded_by,
        text: clean(query.q),
    };
    let mut conn = state.pool.get().await?;
    let rows = db::images::list(&mut conn, &filter, after, limit + 1).await?;
    Ok(web::Json(page(
        rows,
        limit,
        |i| (i.created_at, i.id),
        ImageView::from,
    )))
}

/// Read an image's metadata.
#[utoipa::path(
    tag = "images",
    operation_id = "get_image",
    params(("id" = Uuid, Path, description = "Image id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The image", body = ImageView),
        ProtectedErrors,
        NotFoundErrors,
    )
)]
#[get("/images/{id}")]
pub async fn get_image(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<web::Json<ImageView>, ApiError> {
    caller.require(Action::ReadContent)?;
    let mut conn = state.pool.get().await?;
    Ok(web::Json(db::images::find(&mut conn, *id).await?.into()))
}

/// Change an image's metadata (the file itself never changes: upload a new image instead).
///
/// Editors change any image; writers the images they uploaded.
#[utoipa::path(
    tag = "images",
    operation_id = "update_image",
    params(("id" = Uuid, Path, description = "Image id")),
    request_body = UpdateImageRequest,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changed image", body = ImageView),
        ProtectedErrors,
        NotFoundErrors,
        BodyErrors,
    )
)]
#[patch("/images/{id}")]
pub async fn update_image(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    id: web::Path<Uuid>,
    body: crate::http::json::Json<UpdateImageRequest>,
) -> Result<web::Json<ImageView>, ApiError> {
    let uploaded_by = {
        let mut conn = state.pool.get().await?;
        db::images::find(&mut conn, *id).await?.uploaded_by
    };
    caller.require(Action::EditImage { uploaded_by })?;
    body.validate()?;
    let body = body.into_inner();
    let focal = body.focal_point.map(|p| p.map(|p| (p.x, p.y)));
    let changes = ImageChanges {
        alt_text: clean_patch(body.alt_text),
        caption: clean_patch(body.caption),
        credit: clean_patch(body.credit),
        photographer: clean_patch(body.photographer),
        source: clean_patch(body.source),
        license: clean_patch(body.license),
        illustrative: body.illustrative,
        focal_x: focal.map(|p| p.map(|(x, _)| x)),
        focal_y: focal.map(|p| p.map(|(_, y)| y)),
    };
    let row = images::update(&state, &AuditContext::of(&caller, &ip), *id, changes).await?;
    Ok(web::Json(row.into()))
}

/// Delete an image.
///
/// Refused with 409, naming where, while the image is an author's avatar or an article's
/// featured or body image.
#[utoipa::path(
    tag = "images",
    operation_id = "delete_image",
    params(("id" = Uuid, Path, description = "Image id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        ProtectedErrors,
        NotFoundErrors,
        ConflictErrors,
    )
)]
#[delete("/images/{id}")]
pub async fn delete_image(
    state: web::Data<AppState>,
    caller: Caller,
    ip: ClientIp,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.require(Action::DeleteImage)?;
    images::delete(&state, &AuditContext::of(&caller, &ip), *id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The widths a rendition may have, as an enumeration, so the document names the only valid ones.
fn rendition_width() -> utoipa::openapi::Object {
    utoipa::openapi::ObjectBuilder::new()
        .schema_type(utoipa::openapi::schema::Type::Integer)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Int32,
        )))
        .enum_values(Some(RENDITION_WIDTHS))
        .description(Some(
            "One of 320, 640, 960, 1280, 1920; absent for the full size. Never upscaled: a width \
             at or above the original's gives the full size.",
        ))
        .build()
}

/// `w`: the width of a rendition.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileQuery {
    /// One of 320, 640, 960, 1280, 1920; absent for the full size. Never upscaled: a width at
    /// or above the original's gives the full size.
    #[param(schema_with = rendition_width)]
    pub w: Option<u32>,
}

/// An image file, public.
///
/// The full size or a rendition (`?w=`), with EXIF orientation applied and all metadata
/// (location included) stripped. With `Accept: image/webp` a WebP is served (`Vary: Accept`).
/// The bytes for a URL never change: strong `ETag`, a year of `Cache-Control`, `304` on
/// `If-None-Match`.
#[utoipa::path(
    tag = "public",
    operation_id = "get_public_image_file",
    method(get, head),
    params(("id" = Uuid, Path, description = "Image id"), FileQuery),
    security(()),
    responses(
        (status = 200, description = "The file",
            content(
                (Vec<u8> = "image/jpeg"),
                (Vec<u8> = "image/png"),
                (Vec<u8> = "image/webp"),
                (Vec<u8> = "image/gif"),
            ),
            headers(
                ("ETag" = String, description = "Strong validator"),
                ("Cache-Control" = String, description = "public, max-age=31536000, immutable"),
                ("Vary" = String, description = "Accept"),
            )),
        (status = 304, description = "Not modified (matching `If-None-Match`)"),
        (status = 400, description = "`w` is not one of the rendition widths", body = ProblemDetails,
            content_type = "application/problem+json"),
        (status = 404, description = "No such image", body = ProblemDetails,
            content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable", body = ProblemDetails,
            content_type = "application/problem+json"),
    )
)]
#[route("/public/images/{id}/file", method = "GET", method = "HEAD")]
pub async fn get_public_image_file(
    state: web::Data<AppState>,
    req: HttpRequest,
    id: web::Path<Uuid>,
    query: web::Query<FileQuery>,
) -> Result<HttpResponse, ApiError> {
    if let Some(w) = query.w
        && !RENDITION_WIDTHS.contains(&w)
    {
        return Err(ApiError::BadRequest(format!(
            "w must be one of {RENDITION_WIDTHS:?}"
        )));
    }
    let accept = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok());
    let plan = images::plan_rendition(&state, *id, query.w, accept).await?;
    let cache = (header::CACHE_CONTROL, "public, max-age=31536000, immutable");
    let vary = (header::VARY, "Accept");
    let matches = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            // If-None-Match uses the weak comparison (RFC 9110 §13.1.2): proxies that
            // compress responses hand out W/ versions of our tags.
            v.split(',')
                .map(str::trim)
                .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == plan.etag)
        });
    if matches {
        return Ok(HttpResponse::NotModified()
            .insert_header((header::ETAG, plan.etag))
            .insert_header(cache)
            .insert_header(vary)
            .finish());
    }
    let rendition = images::render(&state, plan).await?;
    Ok(HttpResponse::Ok()
        .content_type(rendition.mime_type)
        .insert_header((header::ETAG, rendition.etag))
        .insert_header(cache)
        .insert_header(vary)
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .body(rendition.bytes))
}
