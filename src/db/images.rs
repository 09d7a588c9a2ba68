//! Queries on `images`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::{authors, images};

/// A stored image's metadata.
#[derive(Debug, Clone, serde::Serialize, Queryable, Selectable)]
#[diesel(table_name = images, check_for_backend(diesel::pg::Pg))]
pub struct ImageRow {
    /// Id.
    pub id: Uuid,
    /// SHA-256 of the uploaded bytes (hex), the key of the stored file.
    pub sha256: String,
    /// Sniffed media type.
    pub mime_type: String,
    /// Displayed width (EXIF orientation applied).
    pub width: i32,
    /// Displayed height.
    pub height: i32,
    /// Size of the upload.
    pub byte_size: i64,
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
    /// Focal point, horizontal (0..1).
    pub focal_x: Option<f64>,
    /// Focal point, vertical (0..1).
    pub focal_y: Option<f64>,
    /// Who uploaded it.
    pub uploaded_by: Option<Uuid>,
    /// Uploaded.
    pub created_at: DateTime<Utc>,
    /// Metadata last changed.
    pub updated_at: DateTime<Utc>,
}

/// An image to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = images)]
pub struct NewImage {
    /// SHA-256 (hex).
    pub sha256: String,
    /// Media type.
    pub mime_type: String,
    /// Width.
    pub width: i32,
    /// Height.
    pub height: i32,
    /// Size.
    pub byte_size: i64,
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
    /// Licence.
    pub license: Option<String>,
    /// Illustrative.
    pub illustrative: bool,
    /// Uploader.
    pub uploaded_by: Option<Uuid>,
}

/// Metadata changes: outer `None` leaves a field alone, `Some(None)` clears it.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = images)]
pub struct ImageChanges {
    /// Alternative text.
    pub alt_text: Option<Option<String>>,
    /// Caption.
    pub caption: Option<Option<String>>,
    /// Credit line.
    pub credit: Option<Option<String>>,
    /// Photographer.
    pub photographer: Option<Option<String>>,
    /// Source or agency.
    pub source: Option<Option<String>>,
    /// Licence.
    pub license: Option<Option<String>>,
    /// Illustrative.
    pub illustrative: Option<bool>,
    /// Focal point x.
    pub focal_x: Option<Option<f64>>,
    /// Focal point y.
    pub focal_y: Option<Option<f64>>,
}

impl ImageChanges {
    /// Whether nothing would change.
    pub fn is_empty(&self) -> bool {
        self.alt_text.is_none()
            && self.caption.is_none()
            && self.credit.is_none()
            && self.photographer.is_none()
            && self.source.is_none()
            && self.license.is_none()
            && self.illustrative.is_none()
            && self.focal_x.is_none()
            && self.focal_y.is_none()
    }
}

/// Filters of the image list.
#[derive(Debug, Default)]
pub struct ImageFilter {
    /// Only images uploaded by this user.
    pub uploaded_by: Option<Uuid>,
    /// Caption, credit, alt text, photographer or source contains this (case-insensitive).
    pub text: Option<String>,
}

/// Inserts an image.
pub async fn insert(conn: &mut AsyncPgConnection, image: &NewImage) -> QueryResult<ImageRow> {
    diesel::insert_into(images::table)
        .values(image)
        .returning(ImageRow::as_returning())
        .get_result(conn)
        .await
}

/// The image with this id.
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<ImageRow> {
    images::table
        .find(id)
        .select(ImageRow::as_select())
        .first(conn)
        .await
}

/// The SHA-256 and media type of an image (what serving its file needs).
pub async fn file_of(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<(String, String, i32)> {
    images::table
        .find(id)
        .select((images::sha256, images::mime_type, images::width))
        .first(conn)
        .await
}

/// Which of `ids` exist.
pub async fn existing(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> QueryResult<Vec<Uuid>> {
    images::table
        .filter(images::id.eq_any(ids))
        .select(images::id)
        .load(conn)
        .await
}

/// Whether an image exists.
pub async fn exists(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(images::table.find(id)))
        .get_result(conn)
        .await
}

/// Applies metadata changes.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: &ImageChanges,
) -> QueryResult<ImageRow> {
    if changes.is_empty() {
        return find(conn, id).await;
    }
    diesel::update(images::table.find(id))
        .set(changes)
        .returning(ImageRow::as_returning())
        .get_result(conn)
        .await
}

/// Deletes the image record; returns how many records still use the same stored file.
pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<(ImageRow, i64)> {
    let row = diesel::delete(images::table.find(id))
        .returning(ImageRow::as_returning())
        .get_result(conn)
        .await?;
    let others = images::table
        .filter(images::sha256.eq(&row.sha256))
        .count()
        .get_result(conn)
        .await?;
    Ok((row, others))
}

/// Serialises work on the stored file with this SHA-256 until the end of the transaction.
pub async fn lock_file(conn: &mut AsyncPgConnection, sha256: &str) -> QueryResult<()> {
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext($1))")
        .bind::<diesel::sql_types::Text, _>(format!("image-file:{sha256}"))
        .execute(conn)
        .await
        .map(drop)
}

/// Where an image is used: descriptions such as `avatar of author "Ana Lima" (id)`.
pub async fn usages(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Vec<String>> {
    let avatars: Vec<(Uuid, String)> = authors::table
        .filter(authors::avatar_image_id.eq(id))
        .select((authors::id, authors::name))
        .limit(20)
        .load(conn)
        .await?;
    let articles = super::articles::using_image(conn, id).await?;
    let teasers: Vec<Uuid> = crate::schema::embeds::table
        .filter(crate::schema::embeds::image_id.eq(id))
        .select(crate::schema::embeds::id)
        .limit(20)
        .load(conn)
        .await?;
    Ok(avatars
        .into_iter()
        .map(|(author, name)| format!("avatar of author \"{name}\" ({author})"))
        .chain(
            articles
                .into_iter()
                .map(|(article, headline)| format!("in article \"{headline}\" ({article})")),
        )
        .chain(
            teasers
                .into_iter()
                .map(|embed| format!("image of embed {embed}")),
        )
        .collect())
}

/// One page, newest first, after the position `after` (created_at, id).
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &ImageFilter,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) -> QueryResult<Vec<ImageRow>> {
    let mut query = images::table
        .select(ImageRow::as_select())
        .order((images::created_at.desc(), images::id.desc()))
        .limit(limit)
        .into_boxed();
    if let Some(user) = filter.uploaded_by {
        query = query.filter(images::uploaded_by.eq(user));
    }
    if let Some(text) = &filter.text {
        let pattern = format!("%{}%", super::escape_like(text));
        query = query.filter(
            images::caption
                .ilike(pattern.clone())
                .or(images::credit.ilike(pattern.clone()))
                .or(images::alt_text.ilike(pattern.clone()))
                .or(images::photographer.ilike(pattern.clone()))
                .or(images::source.ilike(pattern)),
        );
    }
    if let Some((created_at, id)) = after {
        query = query.filter(
            images::created_at
                .lt(created_at)
                .or(images::created_at.eq(created_at).and(images::id.lt(id))),
        );
    }
    query.load(conn).await
}

/// The images among `ids` that exist, in no particular order (one query for a page).
pub async fn find_many(conn: &mut AsyncPgConnection, ids: &[Uuid]) -> QueryResult<Vec<ImageRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    images::table
        .filter(images::id.eq_any(ids))
        .select(ImageRow::as_select())
        .load(conn)
        .await
}
