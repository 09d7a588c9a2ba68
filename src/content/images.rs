//! The image library: uploads (sniffed, validated, deduplicated by content) and renditions
//! (made once, kept in the object store).

use actix_web::web;
use bytes::Bytes;
use diesel_async::AsyncConnection;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::audit::AuditContext;
use crate::db::images::{ImageChanges, ImageRow, NewImage};
use crate::db::{self, audit};
use crate::error::{ApiError, FieldError};
use crate::media::image::{self as imaging, Limits, MediaError, OutputFormat, SourceFormat};
use crate::media::store::{original_key, rendition_key, rendition_prefix};
use crate::startup::AppState;

/// Widths that renditions are made in; anything else would let clients fill the store.
pub const RENDITION_WIDTHS: [u32; 5] = [320, 640, 960, 1280, 1920];

/// Metadata sent with an upload.
#[derive(Debug, Default)]
pub struct UploadMetadata {
    /// Alternative text.
    pub alt_text: Option<String>,
    /// Caption.
    pub caption: Option<String>,
    /// Credit line.
    pub credit: Option<String>,
    /// Photographer.
    pub photographer: Option<String>,
    /// Source or agency.
    pub source: Option<String>,
    /// Licence or usage terms.
    pub license: Option<String>,
    /// Whether the photo is illustrative.
    pub illustrative: bool,
}

fn limits(state: &AppState) -> Limits {
    Limits {
        max_pixels: state.config.max_image_pixels,
        max_alloc_bytes: 1024 * 1024 * 1024,
    }
}

impl From<MediaError> for ApiError {
    fn from(e: MediaError) -> Self {
        match e {
            MediaError::Unsupported(message) => Self::UnsupportedMediaType(message),
            other => Self::Validation(vec![FieldError::new("file", other.to_string())]),
        }
    }
}

fn blocking_failed(e: actix_web::error::BlockingError) -> ApiError {
    ApiError::Internal(anyhow::anyhow!("image task failed: {e}"))
}

/// Stores an upload: the type comes from the bytes, dimensions from decoding. The same bytes
/// uploaded again are stored once; each upload still gets its own image record (its own
/// caption and credit) pointing at the shared file.
pub async fn upload(
    state: &AppState,
    context: &AuditContext,
    uploader: Option<Uuid>,
    bytes: Bytes,
    metadata: UploadMetadata,
) -> Result<ImageRow, ApiError> {
    let limits = limits(state);
    let for_check = bytes.clone();
    let (probed, sha256) = web::block(move || {
        let probed = imaging::probe(&for_check, &limits)?;
        let sha256 = hex(&Sha256::digest(&for_check));
        Ok::<_, MediaError>((probed, sha256))
    })
    .await
    .map_err(blocking_failed)??;

    let key = original_key(&sha256);
    let new = NewImage {
        sha256,
        mime_type: probed.format.mime().to_owned(),
        width: i32::try_from(probed.width).unwrap_or(i32::MAX),
        height: i32::try_from(probed.height).unwrap_or(i32::MAX),
        byte_size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        alt_text: metadata.alt_text,
        caption: metadata.caption,
        credit: metadata.credit,
        photographer: metadata.photographer,
        source: metadata.source,
        license: metadata.license,
        illustrative: metadata.illustrative,
        uploaded_by: uploader,
    };
    let mut conn = state.pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        // Serialised with deletions of the same bytes, so a file is never removed while a new
        // record starts to share it.
        db::images::lock_file(conn, &new.sha256).await?;
        if !state.media.exists(&key).await? {
            state.media.put(&key, bytes.clone()).await?;
        }
        let row = db::images::insert(conn, &new).await?;
        let changes = json!({
            "sha256": row.sha256, "mime_type": row.mime_type,
            "width": row.width, "height": row.height, "byte_size": row.byte_size,
        });
        audit::append(
            conn,
            &context.entry("image.create", "image", Some(row.id.to_string()), changes),
        )
        .await?;
        Ok(row)
    })
    .await
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Changes an image's metadata.
pub async fn update(
    state: &AppState,
    context: &AuditContext,
    id: Uuid,
    changes: ImageChanges,
) -> Result<ImageRow, ApiError> {
    let mut conn = state.pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let before = db::images::find(conn, id).await?;
        let after = db::images::update(conn, id, &changes).await?;
        let diff = diff(&before, &after);
        if !diff.is_empty() {
            audit::append(
                conn,
                &context.entry(
                    "image.update",
                    "image",
                    Some(id.to_string()),
                    Value::Object(diff),
                ),
            )
            .await?;
        }
        Ok(after)
    })
    .await
}

fn diff(before: &ImageRow, after: &ImageRow) -> serde_json::Map<String, Value> {
    crate::audit::changed_fields(
        before,
        after,
        &[
            "alt_text",
            "caption",
            "credit",
            "photographer",
            "source",
            "license",
            "illustrative",
            "focal_x",
            "focal_y",
        ],
    )
}

/// Deletes an image record, refused with 409 while anything uses it. The stored file and its
/// renditions go with the last record that shares them: a photo withdrawn for legal or privacy
/// reasons must not stay in the bucket.
pub async fn delete(state: &AppState, context: &AuditContext, id: Uuid) -> Result<(), ApiError> {
    let mut conn = state.pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let usages = db::images::usages(conn, id).await?;
        if !usages.is_empty() {
            return Err(ApiError::Conflict(format!(
                "the image is in use: {}",
                usages.join("; ")
            )));
        }
        let sha256 = db::images::find(conn, id).await?.sha256;
        db::images::lock_file(conn, &sha256).await?;
        let (row, shared) = db::images::delete(conn, id).await?;
        if shared == 0 {
            state.media.delete(&original_key(&row.sha256)).await?;
            state
                .media
                .delete_prefix(&rendition_prefix(&row.sha256))
                .await?;
        }
        audit::append(
            conn,
            &context.entry(
                "image.delete",
                "image",
                Some(id.to_string()),
                json!({ "sha256": row.sha256, "caption": row.caption }),
            ),
        )
        .await?;
        Ok(())
    })
    .await
}

/// Bytes to serve for an image.
#[derive(Debug)]
pub struct Rendition {
    /// The file.
    pub bytes: Bytes,
    /// Its media type.
    pub mime_type: &'static str,
    /// Strong validator: the same for the same bytes, forever.
    pub etag: String,
}

/// What a request for an image file resolves to before any bytes are read.
#[derive(Debug, Clone)]
pub struct RenditionPlan {
    sha256: String,
    source: SourceFormat,
    width: Option<u32>,
    output: Option<OutputFormat>,
    /// The strong ETag of the answer.
    pub etag: String,
}

/// Decides which file answers `width` and `accept` for image `id` (404 when it does not exist).
pub async fn plan_rendition(
    state: &AppState,
    id: Uuid,
    width: Option<u32>,
    accept: Option<&str>,
) -> Result<RenditionPlan, ApiError> {
    let mut conn = state.pool.get().await?;
    let (sha256, mime, original_width) = db::images::file_of(&mut conn, id).await?;
    drop(conn);
    let source = SourceFormat::from_mime(&mime)
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("stored image has type {mime}")))?;
    // Never upscale: a width at or above the original is the full-size copy.
    let width = width.filter(|w| i64::from(*w) < i64::from(original_width));
    let output = imaging::choose_output(source, accept);
    // A full-size GIF keeps its animation: served as uploaded minus its metadata blocks.
    let output = if width.is_none() && source == SourceFormat::Gif && output != OutputFormat::Webp {
        None
    } else {
        Some(output)
    };
    let extension = output.map_or(source.extension(), OutputFormat::extension);
    let size = width.map_or_else(|| "full".to_owned(), |w| w.to_string());
    let etag = format!("\"{}-{size}-{extension}\"", &sha256[..32.min(sha256.len())]);
    Ok(RenditionPlan {
        sha256,
        source,
        width,
        output,
        etag,
    })
}

/// The bytes of a plan: from the store when made before, else made now and kept.
pub async fn render(state: &AppState, plan: RenditionPlan) -> Result<Rendition, ApiError> {
    let original = || async {
        state
            .media
            .get(&original_key(&plan.sha256))
            .await?
            .ok_or_else(|| {
                ApiError::Internal(anyhow::anyhow!(
                    "the stored file {} is missing",
                    plan.sha256
                ))
            })
    };
    let output = match plan.output {
        Some(output) => output,
        None => {
            // A full-size GIF keeps its animation; blocks that can carry metadata are removed.
            let source = original().await?;
            match web::block(move || imaging::strip_gif_metadata(&source))
                .await
                .map_err(blocking_failed)?
            {
                Ok(stripped) => {
                    return Ok(Rendition {
                        bytes: Bytes::from(stripped),
                        mime_type: plan.source.mime(),
                        etag: plan.etag,
                    });
                }
                // Some encoders leave out the trailer: serve a still copy rather than fail.
                Err(e) => {
                    tracing::warn!(sha256 = %plan.sha256, error = %e, "GIF not strippable; serving PNG");
                    OutputFormat::Png
                }
            }
        }
    };
    let key = rendition_key(&plan.sha256, plan.width, output.extension());
    if let Some(bytes) = state.media.get(&key).await? {
        return Ok(Rendition {
            bytes,
            mime_type: output.mime(),
            etag: plan.etag,
        });
    }
    let source = original().await?;
    let limits = limits(state);
    let width = plan.width;
    let bytes = web::block(move || imaging::render(&source, &limits, width, output))
        .await
        .map_err(blocking_failed)??;
    let bytes = Bytes::from(bytes);
    state.media.put(&key, bytes.clone()).await?;
    Ok(Rendition {
        bytes,
        mime_type: output.mime(),
        etag: plan.etag,
    })
}
