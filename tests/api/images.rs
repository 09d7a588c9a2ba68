//! The image library: uploads sniffed from their bytes and refused when they are not pictures we
//! accept, metadata, deduplication, renditions (EXIF orientation applied, metadata stripped,
//! WebP on request, cached for ever), deletion guarded by usages, and S3-compatible storage.
//!
//! Every test gets its own media directory (a temporary directory kept alive by the test), so
//! tests never share stored files.
//!
//! # The S3 test
//!
//! `images_are_stored_in_an_s3_compatible_store` needs an S3-compatible server and reads its
//! address from `TEST_S3_ENDPOINT`; without the variable it prints why and returns (the only
//! test here that may). `.ci/run` installs moto (an S3 implementation in Python; no Docker) into
//! `target/moto-venv`, starts it on a free port and sets the variable; do the same by hand with
//! `TEST_S3_ENDPOINT=http://127.0.0.1:<port> cargo test` while `moto_server -p <port>` runs.
//!
//! moto accepts any credentials (the test uses `test`/`test`) and keeps everything in memory.

use std::path::{Path, PathBuf};
use std::time::SystemTime;

use futures_util::TryStreamExt;
use image::{DynamicImage, GenericImageView};
use newsroom::media::image::test_support;
use object_store::{ObjectStore, ObjectStoreExt};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use tempfile::TempDir;

use crate::helpers::{TestApp, TestUser, assert_problem};

// ---------------------------------------------------------------------------------------------
// Helpers of this module
// ---------------------------------------------------------------------------------------------

/// A test app with its own media directory (deleted when the test ends).
struct MediaApp {
    app: TestApp,
    media: TempDir,
}

impl std::ops::Deref for MediaApp {
    type Target = TestApp;

    fn deref(&self) -> &TestApp {
        &self.app
    }
}

impl MediaApp {
    /// `<media dir>/<sub>`.
    fn media_path(&self, sub: &str) -> PathBuf {
        self.media.path().join(sub)
    }

    /// Files under `<media dir>/<sub>`, as paths relative to it, sorted.
    fn stored_files(&self, sub: &str) -> Vec<String> {
        let root = self.media_path(sub);
        let mut files: Vec<String> = files_under(&root)
            .into_iter()
            .map(|p| {
                p.strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        files.sort();
        files
    }
}

/// The app with its own media directory and `extra` configuration.
async fn spawn_media_app(extra: &[(&str, &str)]) -> MediaApp {
    let media = tempfile::tempdir().unwrap();
    let dir = media.path().to_str().unwrap().to_owned();
    let mut vars: Vec<(&str, &str)> = vec![("NEWSROOM_MEDIA_DIR", dir.as_str())];
    vars.extend_from_slice(extra);
    let app = TestApp::spawn_with(&vars).await;
    MediaApp { app, media }
}

/// Every file below `dir` (none when it does not exist).
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for entry in entries {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// Hex SHA-256.
fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Whether `needle` occurs in `haystack`.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Decodes a served file, whatever its format.
fn decode(bytes: &[u8]) -> DynamicImage {
    image::load_from_memory(bytes).expect("the served file decodes")
}

/// A form with a `file` part.
fn file_form(bytes: Vec<u8>, file_name: &str, mime: &str) -> Form {
    Form::new().part(
        "file",
        Part::bytes(bytes)
            .file_name(file_name.to_owned())
            .mime_str(mime)
            .unwrap(),
    )
}

/// POST /api/v1/images with `form`, whatever the outcome.
async fn try_upload(app: &TestApp, token: &str, form: Form) -> reqwest::Response {
    app.upload(token, form).await
}

/// Uploads `form`; panics unless it is stored. Returns the image.
async fn upload_form(app: &TestApp, token: &str, form: Form) -> Value {
    let response = try_upload(app, token, form).await;
    assert_eq!(response.status(), 201, "upload refused");
    response.json().await.unwrap()
}

/// Uploads a JPEG with a caption; returns the image.
async fn upload_jpeg(app: &TestApp, token: &str, bytes: Vec<u8>, caption: &str) -> Value {
    let form = file_form(bytes, "photo.jpg", "image/jpeg").text("caption", caption.to_owned());
    upload_form(app, token, form).await
}

/// The public file of an image (no token), with an optional `Accept` and `?w=`.
async fn get_file(
    app: &TestApp,
    id: &str,
    width: Option<u32>,
    accept: Option<&str>,
) -> reqwest::Response {
    let path = match width {
        Some(w) => format!("/api/v1/public/images/{id}/file?w={w}"),
        None => format!("/api/v1/public/images/{id}/file"),
    };
    let mut request = app.request("GET", &path, None);
    if let Some(accept) = accept {
        request = request.header("Accept", accept);
    }
    request.send().await.unwrap()
}

/// A response header as text ("" when absent).
fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get_all(name)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The images the list returns (first page of up to 100).
async fn listed_images(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let response = app
        .get_as(&format!("/api/v1/images?limit=100{query}"), token)
        .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["items"].as_array().unwrap().clone()
}

/// PATCH `/api/v1/images/{id}` with a JSON body.
async fn patch_image(app: &TestApp, id: &str, token: &str, body: &Value) -> reqwest::Response {
    app.request("PATCH", &format!("/api/v1/images/{id}"), Some(token))
        .json(body)
        .send()
        .await
        .unwrap()
}

/// Asserts that an upload was refused with `status`, that the problem's detail contains
/// `because`, and that nothing was stored: no image record, no file. Returns the problem.
async fn assert_refused(
    app: &MediaApp,
    admin: &TestUser,
    response: reqwest::Response,
    status: u16,
    because: &str,
) -> Value {
    let problem = assert_problem(response, status).await;
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains(because),
        "the detail should say {because:?}: {problem}"
    );
    assert!(
        listed_images(app, admin.token(), "").await.is_empty(),
        "a refused upload left an image record"
    );
    assert_eq!(
        app.stored_files(""),
        Vec::<String>::new(),
        "a refused upload left a file"
    );
    problem
}

/// The `field` of each error of a validation problem.
fn error_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("a validation problem lists its errors: {problem}"))
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

/// The latitude of the GPS block of the test photos, as stored in EXIF (three big-endian
/// rationals: 48/1, 51/1, 2917/100).
fn gps_latitude_bytes() -> Vec<u8> {
    [(48u32, 1u32), (51, 1), (2917, 100)]
        .iter()
        .flat_map(|(n, d)| n.to_be_bytes().into_iter().chain(d.to_be_bytes()))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Upload
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_uploaded_photo_reports_its_displayed_size_its_hash_and_its_metadata() {
    let app = spawn_media_app(&[]).await;
    let writer = app.user("writer").await;
    // Stored 1000x800 with orientation 6 (rotate 90 degrees clockwise): displayed 800x1000.
    let bytes = test_support::jpeg_with_exif_orientation_and_gps(1000, 800, 6);
    let form = file_form(bytes.clone(), "DSC_0042.JPG", "image/jpeg")
        .text("alt_text", "A crowd outside the town hall")
        .text(
            "caption",
            "  Protesters outside the town hall on Tuesday.  ",
        )
        .text("credit", "Jane Doe / Reuters")
        .text("photographer", "Jane Doe")
        .text("source", "Reuters")
        .text("license", "Editorial use only")
        .text("illustrative", "true");

    let response = try_upload(&app, writer.token(), form).await;

    assert_eq!(response.status(), 201);
    let image_id_location = header(&response, "location");
    let image: Value = response.json().await.unwrap();
    let id = image["id"].as_str().unwrap();
    assert_eq!(image_id_location, format!("/api/v1/images/{id}"));
    assert_eq!(image["mime_type"], "image/jpeg");
    assert_eq!(
        (image["width"].clone(), image["height"].clone()),
        (json!(800), json!(1000))
    );
    assert_eq!(image["byte_size"], bytes.len());
    assert_eq!(image["sha256"], sha256_hex(&bytes));
    assert_eq!(image["alt_text"], "A crowd outside the town hall");
    assert_eq!(
        image["caption"],
        "Protesters outside the town hall on Tuesday."
    );
    assert_eq!(image["credit"], "Jane Doe / Reuters");
    assert_eq!(image["photographer"], "Jane Doe");
    assert_eq!(image["source"], "Reuters");
    assert_eq!(image["license"], "Editorial use only");
    assert_eq!(image["illustrative"], true);
    assert_eq!(image["focal_point"], Value::Null);
    assert_eq!(image["uploaded_by"], writer.id.as_str());
    let url = format!("/api/v1/public/images/{id}/file");
    assert_eq!(image["url"], url.as_str());
    // Renditions narrower than the displayed width (800) only.
    assert_eq!(
        image["renditions"],
        json!([
            {"width": 320, "url": format!("{url}?w=320")},
            {"width": 640, "url": format!("{url}?w=640")},
        ])
    );

    // The Location answers with the same image.
    let fetched: Value = app
        .get_as(&image_id_location, writer.token())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(fetched, image);
}

#[tokio::test]
async fn served_files_are_rotated_for_display_and_carry_no_exif_or_location() {
    let app = spawn_media_app(&[]).await;
    let writer = app.user("writer").await;
    let bytes = test_support::jpeg_with_exif_orientation_and_gps(1000, 800, 6);
    assert!(contains(&bytes, b"Exif") && contains(&bytes, &gps_latitude_bytes()));
    let image = upload_jpeg(&app, writer.token(), bytes, "Rotated").await;
    let id = image["id"].as_str().unwrap();

    // (requested width, expected displayed size); no token needed.
    for (width, expected) in [
        (None, (800, 1000)),
        (Some(640), (640, 800)),
        (Some(320), (320, 400)),
        // Wider than displayed (though narrower than stored, 1000): the full size.
        (Some(960), (800, 1000)),
        // Never upscaled.
        (Some(1920), (800, 1000)),
    ] {
        let response = get_file(&app, id, width, None).await;
        assert_eq!(response.status(), 200, "w={width:?}");
        assert_eq!(
            header(&response, "content-type"),
            "image/jpeg",
            "w={width:?}"
        );
        let served = response.bytes().await.unwrap();
        assert!(!contains(&served, b"Exif"), "w={width:?} carries EXIF");
        assert!(
            !contains(&served, &gps_latitude_bytes()),
            "w={width:?} carries the GPS position"
        );
        let decoded = decode(&served);
        assert_eq!(decoded.dimensions(), expected, "w={width:?}");
        if let Some(asked) = width {
            assert!(decoded.width() <= asked, "wider than the {asked} asked");
        }
    }
}

#[tokio::test]
async fn the_type_comes_from_the_bytes_not_from_the_name_or_the_declared_type() {
    let app = spawn_media_app(&[]).await;
    let writer = app.user("writer").await;
    for (bytes, mime) in [
        (test_support::png(40, 30), "image/png"),
        (test_support::webp(40, 30), "image/webp"),
        (test_support::gif(40, 30, &[[1, 2, 3]]), "image/gif"),
        (test_support::jpeg(40, 30), "image/jpeg"),
    ] {
        // Every one of them claims to be a JPEG named photo.jpg.
        let image = upload_form(
            &app,
            writer.token(),
            file_form(bytes, "photo.jpg", "image/jpeg"),
        )
        .await;
        assert_eq!(image["mime_type"], mime);
        assert_eq!(
            (image["width"].clone(), image["height"].clone()),
            (json!(40), json!(30))
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Refused uploads: nothing is stored
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn files_that_are_not_pictures_we_accept_are_a_415_saying_what_they_are() {
    let app = spawn_media_app(&[]).await;
    let admin = app.admin().await;
    let svg = b"<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><script>alert(1)</script></svg>";
    let html = b"<!DOCTYPE html>\n<html><body><img src=x onerror=alert(1)></body></html>";
    let pdf = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n";
    let text = b"Breaking: the council voted 7-2 tonight.\nMore soon.\n";
    for (bytes, name, mime, because) in [
        (&svg[..], "chart.svg", "image/svg+xml", "SVG"),
        (&html[..], "page.html", "text/html", "HTML"),
        (&pdf[..], "scan.pdf", "application/pdf", "PDF"),
        // A text file dressed up as a photo.
        (&text[..], "photo.jpg", "image/jpeg", "plain-text"),
    ] {
        let response = try_upload(&app, admin.token(), file_form(bytes.to_vec(), name, mime)).await;
        let problem = assert_refused(&app, &admin, response, 415, because).await;
        assert_eq!(
            problem["type"],
            "urn:newsroom:problem:unsupported-media-type"
        );
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("upload JPEG, PNG, WebP or GIF"),
            "the refusal says what to upload instead: {problem}"
        );
    }
}

#[tokio::test]
async fn an_empty_file_is_a_422_naming_the_file_part() {
    let app = spawn_media_app(&[]).await;
    let admin = app.admin().await;
    let response = try_upload(
        &app,
        admin.token(),
        file_form(Vec::new(), "photo.jpg", "image/jpeg"),
    )
    .await;
    let problem = assert_refused(&app, &admin, response, 422, "empty").await;
    assert_eq!(error_fields(&problem), ["file"]);
}

#[tokio::test]
async fn a_truncated_jpeg_is_a_422_saying_it_is_truncated() {
    let app = spawn_media_app(&[]).await;
    let admin = app.admin().await;
    let full = test_support::jpeg(320, 240);
    let cut = full[..full.len() / 2].to_vec();
    let response = try_upload(
        &app,
        admin.token(),
        file_form(cut, "photo.jpg", "image/jpeg"),
    )
    .await;
    let problem = assert_refused(&app, &admin, response, 422, "truncated").await;
    assert_eq!(error_fields(&problem), ["file"]);
    assert!(problem["detail"].as_str().unwrap().contains("JPEG"));
}

#[tokio::test]
async fn a_text_part_with_a_nul_character_is_a_422() {
    // Found by contract fuzzing: PostgreSQL cannot hold U+0000 in text, and this reached it.
    let app = spawn_media_app(&[]).await;
    let admin = app.admin().await;
    let form = file_form(test_support::png(40, 30), "ok.png", "image/png")
        .text("alt_text", "a\u{0}b".to_owned());
    let response = try_upload(&app, admin.token(), form).await;
    let problem = assert_refused(&app, &admin, response, 422, "NUL").await;
    assert_eq!(error_fields(&problem), ["alt_text"]);
}

#[tokio::test]
async fn an_image_over_the_pixel_limit_is_a_422_giving_its_size_and_the_limit() {
    let app = spawn_media_app(&[("NEWSROOM_MAX_IMAGE_PIXELS", "1000")]).await;
    let admin = app.admin().await;
    let response = try_upload(
        &app,
        admin.token(),
        file_form(test_support::png(100, 100), "big.png", "image/png"),
    )
    .await;
    let problem = assert_refused(&app, &admin, response, 422, "100x100").await;
    assert_eq!(error_fields(&problem), ["file"]);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("at most 1000 pixels")
    );

    // Within the limit: accepted.
    let small = upload_form(
        &app,
        admin.token(),
        file_form(test_support::png(40, 25), "ok.png", "image/png"),
    )
    .await;
    assert_eq!(small["width"], 40);
}

#[tokio::test]
async fn a_file_over_the_size_limit_is_a_413() {
    let app = spawn_media_app(&[("NEWSROOM_MAX_UPLOAD_BYTES", "65536")]).await;
    let admin = app.admin().await;
    // A noisy PNG does not compress much: well over 64 KiB.
    let big = test_support::png(300, 300);
    assert!(big.len() > 150_000, "the fixture is {} bytes", big.len());
    let response = try_upload(&app, admin.token(), file_form(big, "big.png", "image/png")).await;
    let problem = assert_refused(&app, &admin, response, 413, "65536 bytes").await;
    assert_eq!(problem["type"], "urn:newsroom:problem:payload-too-large");

    // Under the limit: accepted.
    let small = test_support::jpeg(64, 48);
    assert!(small.len() < 65_536);
    upload_jpeg(&app, admin.token(), small, "small").await;
}

#[tokio::test]
async fn an_upload_without_a_file_part_is_a_422_naming_file() {
    let app = spawn_media_app(&[]).await;
    let admin = app.admin().await;
    let form = Form::new().text("caption", "No picture here");
    let response = try_upload(&app, admin.token(), form).await;
    let problem = assert_refused(&app, &admin, response, 422, "file").await;
    assert_eq!(error_fields(&problem), ["file"]);
}

#[tokio::test]
async fn a_body_that_is_not_multipart_is_a_415_asking_for_multipart() {
    let app = spawn_media_app(&[]).await;
    let admin = app.admin().await;
    let response = app
        .request("POST", "/api/v1/images", Some(admin.token()))
        .header("Content-Type", "image/jpeg")
        .body(test_support::jpeg(64, 48))
        .send()
        .await
        .unwrap();
    assert_refused(&app, &admin, response, 415, "multipart/form-data").await;

    let response = app
        .post_json(
            "/api/v1/images",
            Some(admin.token()),
            &json!({"file": "aGVsbG8="}),
        )
        .await;
    assert_refused(&app, &admin, response, 415, "multipart/form-data").await;
}

#[tokio::test]
async fn an_unknown_part_is_a_422_naming_it() {
    let app = spawn_media_app(&[]).await;
    let admin = app.admin().await;
    let form = file_form(test_support::jpeg(64, 48), "photo.jpg", "image/jpeg")
        .text("headline", "Not a part we know");
    let response = try_upload(&app, admin.token(), form).await;
    let problem = assert_refused(&app, &admin, response, 422, "unknown part").await;
    assert_eq!(error_fields(&problem), ["headline"]);
}

// ---------------------------------------------------------------------------------------------
// Deduplication
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn the_same_bytes_uploaded_twice_are_two_images_sharing_one_stored_file() {
    let app = spawn_media_app(&[]).await;
    let writer = app.user("writer").await;
    let bytes = test_support::jpeg(200, 150);

    let first = upload_jpeg(&app, writer.token(), bytes.clone(), "First use").await;
    let second = upload_jpeg(&app, writer.token(), bytes.clone(), "Second use").await;

    assert_ne!(first["id"], second["id"]);
    assert_eq!(first["sha256"], sha256_hex(&bytes));
    assert_eq!(second["sha256"], first["sha256"]);
    // Each record keeps its own metadata.
    assert_eq!(first["caption"], "First use");
    assert_eq!(second["caption"], "Second use");
    assert_eq!(listed_images(&app, writer.token(), "").await.len(), 2);
    // One stored file, named by the hash, holding exactly the uploaded bytes.
    let sha = sha256_hex(&bytes);
    assert_eq!(app.stored_files("originals"), [sha.as_str()]);
    assert_eq!(
        std::fs::read(app.media_path("originals").join(&sha)).unwrap(),
        bytes
    );
    // Both serve it.
    for image in [&first, &second] {
        let response = get_file(&app, image["id"].as_str().unwrap(), None, None).await;
        assert_eq!(response.status(), 200);
        assert_eq!(
            decode(&response.bytes().await.unwrap()).dimensions(),
            (200, 150)
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Renditions and caching
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn a_client_that_accepts_webp_gets_a_webp_rendition_cached_for_a_year_with_a_strong_etag() {
    let app = spawn_media_app(&[]).await;
    let writer = app.user("writer").await;
    let image = upload_jpeg(&app, writer.token(), test_support::jpeg(1000, 750), "Wide").await;
    let id = image["id"].as_str().unwrap();
    let chrome = "image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8";

    let response = get_file(&app, id, Some(640), Some(chrome)).await;

    assert_eq!(response.status(), 200);
    assert_eq!(header(&response, "content-type"), "image/webp");
    assert!(
        header(&response, "vary")
            .to_ascii_lowercase()
            .contains("accept"),
        "Vary: {}",
        header(&response, "vary")
    );
    let etag = header(&response, "etag");
    assert!(
        etag.starts_with('"') && etag.ends_with('"'),
        "a strong ETag: {etag}"
    );
    assert!(!etag.starts_with("W/"));
    let cache = header(&response, "cache-control");
    assert!(cache.contains("max-age=31536000"), "Cache-Control: {cache}");
    assert!(cache.contains("immutable"), "Cache-Control: {cache}");
    assert!(cache.contains("public"), "Cache-Control: {cache}");
    assert_eq!(header(&response, "x-content-type-options"), "nosniff");
    let body = response.bytes().await.unwrap();
    assert_eq!(&body[..4], b"RIFF");
    assert_eq!(&body[8..12], b"WEBP");
    assert_eq!(decode(&body).dimensions(), (640, 480));
}

#[tokio::test]
async fn a_client_without_webp_gets_a_jpeg_rendition_of_a_jpeg_with_another_etag() {
    let app = spawn_media_app(&[]).await;
    let writer = app.user("writer").await;
    let image = upload_jpeg(&app, writer.token(), test_support::jpeg(1000, 750), "Wide").await;
    let id = image["id"].as_str().unwrap();

    let webp = get_file(&app, id, Some(640), Some("image/webp")).await;
    let webp_etag = header(&webp, "etag");
    for accept in [
        None,
        Some("*/*"),
        Some("image/*"),
        Some("image/png,image/jpeg"),
        Some("image/webp;q=0"),
    ] {
        let response = get_file(&app, id, Some(640), accept).await;
        assert_eq!(response.status(), 200, "Accept: {accept:?}");
        assert_eq!(
            header(&response, "content-type"),
            "image/jpeg",
            "Accept: {accept:?}"
        );
        assert!(
            header(&response, "vary")
                .to_ascii_lowercase()
                .contains("accept")
        );
        assert_ne!(
            header(&response, "etag"),
            webp_etag,
            "the JPEG and the WebP share an ETag"
        );
        let body = response.bytes().await.unwrap();
        assert!(body.starts_with(&[0xFF, 0xD8, 0xFF]));
        assert_eq!(decode(&body).dimensions(), (640, 480));
    }
}

#[tokio::test]
async fn a_request_with_the_current_etag_in_if_none_match_is_a_304_without_a_body() {
    let app = spawn_media_app(&[]).await;
    let writer = app.user("writer").await;
    let image = upload_jpeg(&app, writer.token(), test_support::jpeg(1000, 750), "Wide").await;
    let id = image["id"].as_str().unwrap();
    let path = format!("/api/v1/public/images/{id}/file?w=640");
    let first = app
        .request("GET", &path, None)
        .header("Accept", "image/webp")
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    let etag = header(&first, "etag");

    let again = app
        .request("GET", &path, None)
        .header("Accept", "image/webp")
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();

    assert_eq!(again.status(), 304);
    assert_eq!(header(&again, "etag"), etag);
    assert!(header(&again, "cache-control").contains("immutable"));
    assert!(again.bytes().await.unwrap().is_empty());

    // Another representation's ETag does not match: the JPEG is sent.
    let jpeg = app
        .request("GET", &path, None)
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(jpeg.status(), 200);
    assert_eq!(header(&jpeg, "content-type"), "image/jpeg");
}

#[tokio::test]
async fn a_width_that_is_not_a_rendition_width_is_a_400_listing_the_widths() {
    let app = spawn_media_app(&[]).await;
    let writer = app.user("writer").await;
    let image = upload_jpeg(&app, writer.token(), test_support::jpeg(1000, 750), "Wide").await;
    let id = image["id"].as_str().unwrap();
    for width in [500, 0, 641, 100_000] {
        let problem = assert_problem(get_file(&app, id, Some(width), None).await, 400).await;
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("320, 640, 960, 1280, 1920"),
            "{problem}"
        );
    }
    assert!(
        app.stored_files("renditions").is_empty(),
        "a refused width made a rendition"
    );
}

#[tokio::test]
async fn the_file_of_an_unknown_image_is_a_404_problem() {
    let app = spawn_media_app(&[]).await;
    let unknown = uuid::Uuid::new_v4().to_string();
    assert_problem(get_file(&app, &unknown, None, None).await, 404).await;
    assert_problem(
        get_file(&app, &unknown, Some(640), Some("image/webp")).await,
        404,
    )
    .await;
}

#[tokio::test]
async fn each_rendition_is_made_once_and_kept_under_renditions() {
    let app = spawn_media_app(&[]).await;
    let writer = app.user("writer").await;
    let bytes = test_support::jpeg(1000, 750);
    let sha = sha256_hex(&bytes);
    let image = upload_jpeg(&app, writer.token(), bytes, "Wide").await;
    let id = image["id"].as_str().unwrap();
    assert!(
        app.stored_files("renditions").is_empty(),
        "renditions are made on demand"
    );

    let first = get_file(&app, id, Some(640), Some("image/webp")).await;
    let first_etag = header(&first, "etag");
    let first_body = first.bytes().await.unwrap();
    let kept = app.media_path("renditions").join(&sha).join("640.webp");
    assert_eq!(app.stored_files("renditions"), [format!("{sha}/640.webp")]);
    assert_eq!(std::fs::read(&kept).unwrap(), first_body);
    let made_at: SystemTime = std::fs::metadata(&kept).unwrap().modified().unwrap();

    let second = get_file(&app, id, Some(640), Some("image/webp")).await;
    assert_eq!(header(&second, "etag"), first_etag);
    assert_eq!(
        second.bytes().await.unwrap(),
        first_body,
        "the same URL gives the same bytes"
    );
    assert_eq!(
        std::fs::metadata(&kept).unwrap().modified().unwrap(),
        made_at,
        "the rendition was made again instead of read from the store"
    );

    // Each (width, format) is a file of its own; the original stays as uploaded.
    get_file(&app, id, Some(640), None)
        .await
        .bytes()
        .await
        .unwrap();
    get_file(&app, id, Some(320), Some("image/webp"))
        .await
        .bytes()
        .await
        .unwrap();
    get_file(&app, id, None, None).await.bytes().await.unwrap();
    assert_eq!(
        app.stored_files("renditions"),
        [
            format!("{sha}/320.webp"),
            format!("{sha}/640.jpg"),
            format!("{sha}/640.webp"),
            format!("{sha}/full.jpg"),
        ]
    );
    assert_eq!(app.stored_files("originals"), [sha]);
}

#[tokio::test]
async fn a_transparent_png_stays_a_transparent_png_for_a_client_without_webp() {
    let app = spawn_media_app(&[]).await;
    let writer = app.user("writer").await;
    let image = upload_form(
        &app,
        writer.token(),
        file_form(
            test_support::png_with_alpha(800, 200),
            "logo.png",
            "image/png",
        ),
    )
    .await;
    assert_eq!(image["mime_type"], "image/png");
    let id = image["id"].as_str().unwrap();

    for (width, expected) in [(None, (800, 200)), (Some(320), (320, 80))] {
        let response = get_file(&app, id, width, Some("image/png,image/*;q=0.8")).await;
        assert_eq!(response.status(), 200);
        assert_eq!(
            header(&response, "content-type"),
            "image/png",
            "w={width:?}"
        );
        let decoded = decode(&response.bytes().await.unwrap());
        assert_eq!(decoded.dimensions(), expected);
        assert!(
            decoded.color().has_alpha(),
            "w={width:?} lost its transparency"
        );
        // Transparent on the left, opaque on the right.
        assert!(decoded.get_pixel(0, expected.1 / 2)[3] < 10);
        assert!(decoded.get_pixel(expected.0 - 1, expected.1 / 2)[3] > 240);
    }
}

#[tokio::test]
async fn a_gif_at_full_size_keeps_its_animation_but_loses_its_metadata() {
    let app = spawn_media_app(&[]).await;
    let writer = app.user("writer").await;
    let clean = test_support::gif(400, 300, &[[250, 0, 0], [0, 0, 250]]);
    // A comment extension holding a location, just before the trailer.
    let mut bytes = clean[..clean.len() - 1].to_vec();
    let comment = b"GPS 48.858 N 2.294 E";
    bytes.extend_from_slice(&[0x21, 0xFE, comment.len() as u8]);
    bytes.extend_from_slice(comment);
    bytes.extend_from_slice(&[0x00, 0x3B]);
    let image = upload_form(
        &app,
        writer.token(),
        file_form(bytes.clone(), "anim.gif", "image/gif"),
    )
    .await;
    assert_eq!(image["mime_type"], "image/gif");
    let id = image["id"].as_str().unwrap();

    let full = get_file(&app, id, None, Some("image/png,image/*")).await;
    assert_eq!(full.status(), 200);
    assert_eq!(header(&full, "content-type"), "image/gif");
    let served = full.bytes().await.unwrap();
    assert!(!contains(&served, b"GPS"), "the comment is stripped");
    assert_eq!(served, clean, "both frames are served, byte for byte");

    // A rendition is a still (the first frame) in PNG.
    let small = get_file(&app, id, Some(320), None).await;
    assert_eq!(header(&small, "content-type"), "image/png");
    let decoded = decode(&small.bytes().await.unwrap());
    assert_eq!(decoded.dimensions(), (320, 240));
    let pixel = decoded.to_rgb8().get_pixel(160, 120).0;
    assert!(
        pixel[0] > 200 && pixel[2] < 50,
        "the first frame is red: {pixel:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Metadata
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_editor_changes_caption_credit_illustrative_and_focal_point() {
    let app = spawn_media_app(&[]).await;
    let admin = app.admin().await;
    let writer = app.user_created_by(&admin, "writer").await;
    let editor = app.user_created_by(&admin, "editor").await;
    let image = upload_jpeg(
        &app,
        writer.token(),
        test_support::jpeg(64, 48),
        "Old caption",
    )
    .await;
    let id = image["id"].as_str().unwrap();

    let response = patch_image(
        &app,
        id,
        editor.token(),
        &json!({
            "caption": "New caption",
            "credit": "AP Photo / John Roe",
            "illustrative": true,
            "focal_point": {"x": 0.25, "y": 0.75},
        }),
    )
    .await;

    assert_eq!(response.status(), 200);
    let changed: Value = response.json().await.unwrap();
    assert_eq!(changed["caption"], "New caption");
    assert_eq!(changed["credit"], "AP Photo / John Roe");
    assert_eq!(changed["illustrative"], true);
    assert_eq!(changed["focal_point"], json!({"x": 0.25, "y": 0.75}));
    // Untouched fields and the file stay.
    assert_eq!(changed["sha256"], image["sha256"]);
    assert_eq!(changed["uploaded_by"], writer.id.as_str());
    let fetched: Value = app
        .get_as(&format!("/api/v1/images/{id}"), editor.token())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(fetched, changed);

    // `null` removes the focal point; an absent field stays.
    let cleared: Value = patch_image(&app, id, editor.token(), &json!({"focal_point": null}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(cleared["focal_point"], Value::Null);
    assert_eq!(cleared["caption"], "New caption");
}

#[tokio::test]
async fn a_focal_point_outside_0_to_1_is_a_422_naming_the_coordinate() {
    let app = spawn_media_app(&[]).await;
    let editor = app.user("editor").await;
    let image = upload_jpeg(&app, editor.token(), test_support::jpeg(64, 48), "Caption").await;
    let id = image["id"].as_str().unwrap();

    let response = patch_image(
        &app,
        id,
        editor.token(),
        &json!({"focal_point": {"x": 1.5, "y": 0.5}}),
    )
    .await;
    let problem = assert_problem(response, 422).await;
    assert_eq!(error_fields(&problem), ["focal_point.x"]);
    assert_eq!(problem["detail"], "focal_point.x: must be between 0 and 1");

    let response = patch_image(
        &app,
        id,
        editor.token(),
        &json!({"focal_point": {"x": 0.5, "y": -0.1}}),
    )
    .await;
    assert_eq!(
        error_fields(&assert_problem(response, 422).await),
        ["focal_point.y"]
    );

    // Nothing changed.
    let fetched: Value = app
        .get_as(&format!("/api/v1/images/{id}"), editor.token())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(fetched["focal_point"], Value::Null);
}

#[tokio::test]
async fn null_clears_a_caption_and_blank_text_is_no_caption() {
    let app = spawn_media_app(&[]).await;
    let writer = app.user("writer").await;
    let image = upload_jpeg(
        &app,
        writer.token(),
        test_support::jpeg(64, 48),
        "A caption",
    )
    .await;
    let id = image["id"].as_str().unwrap();

    let response = patch_image(
        &app,
        id,
        writer.token(),
        &json!({"caption": null, "credit": "Staff"}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let changed: Value = response.json().await.unwrap();
    assert_eq!(changed["caption"], Value::Null);
    assert_eq!(changed["credit"], "Staff");

    let changed: Value = patch_image(&app, id, writer.token(), &json!({"credit": "   "}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(changed["credit"], Value::Null);
}

#[tokio::test]
async fn a_writer_edits_its_own_uploads_but_not_an_editors() {
    let app = spawn_media_app(&[]).await;
    let admin = app.admin().await;
    let writer = app.user_created_by(&admin, "writer").await;
    let editor = app.user_created_by(&admin, "editor").await;
    let own = upload_jpeg(&app, writer.token(), test_support::jpeg(64, 48), "Mine").await;
    let editors = upload_jpeg(
        &app,
        editor.token(),
        test_support::jpeg(64, 48),
        "The editor's",
    )
    .await;

    let response = patch_image(
        &app,
        own["id"].as_str().unwrap(),
        writer.token(),
        &json!({"caption": "Still mine"}),
    )
    .await;
    assert_eq!(response.status(), 200);

    let editors_id = editors["id"].as_str().unwrap();
    let response = patch_image(
        &app,
        editors_id,
        writer.token(),
        &json!({"caption": "Hijacked"}),
    )
    .await;
    assert_problem(response, 403).await;
    let fetched: Value = app
        .get_as(&format!("/api/v1/images/{editors_id}"), writer.token())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(fetched["caption"], "The editor's");
}

#[tokio::test]
async fn the_list_searches_captions_and_credits_and_filters_by_uploader() {
    let app = spawn_media_app(&[]).await;
    let admin = app.admin().await;
    let writer = app.user_created_by(&admin, "writer").await;
    let editor = app.user_created_by(&admin, "editor").await;
    let jpeg = || test_support::jpeg(32, 24);
    let form = |caption: &str, credit: &str| {
        file_form(jpeg(), "photo.jpg", "image/jpeg")
            .text("caption", caption.to_owned())
            .text("credit", credit.to_owned())
    };
    let flood = upload_form(&app, writer.token(), form("Flooding in Valencia", "Staff")).await;
    let senate = upload_form(
        &app,
        editor.token(),
        form("The Senate votes", "Jane Doe / Reuters"),
    )
    .await;
    let fire = upload_form(
        &app,
        editor.token(),
        form("Wildfire near 100% contained", "AP"),
    )
    .await;
    let ids = |items: Vec<Value>| -> Vec<Value> { items.iter().map(|i| i["id"].clone()).collect() };

    // Caption, case-insensitive.
    assert_eq!(
        ids(listed_images(&app, admin.token(), "&q=valencia").await),
        [flood["id"].clone()]
    );
    // Credit.
    assert_eq!(
        ids(listed_images(&app, admin.token(), "&q=reuters").await),
        [senate["id"].clone()]
    );
    // LIKE wildcards are plain characters.
    assert_eq!(
        ids(listed_images(&app, admin.token(), "&q=100%25").await),
        [fire["id"].clone()]
    );
    assert!(listed_images(&app, admin.token(), "&q=%25").await.len() == 1);
    assert!(
        listed_images(&app, admin.token(), "&q=nothing%20like%20this")
            .await
            .is_empty()
    );
    // Uploader, newest first.
    assert_eq!(
        ids(listed_images(&app, admin.token(), &format!("&uploaded_by={}", editor.id)).await),
        [fire["id"].clone(), senate["id"].clone()]
    );
    assert_eq!(
        ids(listed_images(
            &app,
            admin.token(),
            &format!("&uploaded_by={}&q=senate", editor.id)
        )
        .await),
        [senate["id"].clone()]
    );
    assert!(
        listed_images(&app, admin.token(), &format!("&uploaded_by={}", admin.id))
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn the_list_pages_newest_first_with_a_cursor_without_repeating_an_image() {
    let app = spawn_media_app(&[]).await;
    let writer = app.user("writer").await;
    let mut uploaded = Vec::new();
    for n in 0..5 {
        let image = upload_jpeg(
            &app,
            writer.token(),
            test_support::jpeg(32, 24),
            &format!("Photo {n}"),
        )
        .await;
        uploaded.push(image["id"].clone());
    }
    uploaded.reverse(); // newest first

    let mut seen = Vec::new();
    let mut sizes = Vec::new();
    let mut path = "/api/v1/images?limit=2".to_owned();
    loop {
        let response = app.get_as(&path, writer.token()).await;
        assert_eq!(response.status(), 200);
        let page: Value = response.json().await.unwrap();
        let items = page["items"].as_array().unwrap();
        sizes.push(items.len());
        seen.extend(items.iter().map(|i| i["id"].clone()));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/images?limit=2&cursor={cursor}"),
            None => break,
        }
        assert!(sizes.len() < 10, "the cursor never ends");
    }

    assert_eq!(sizes, [2, 2, 1]);
    assert_eq!(seen, uploaded, "every image once, newest first");
}

// ---------------------------------------------------------------------------------------------
// Deletion
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn an_image_used_as_an_avatar_cannot_be_deleted_and_the_conflict_names_the_author() {
    let app = spawn_media_app(&[]).await;
    let admin = app.admin().await;
    let image = upload_jpeg(&app, admin.token(), test_support::jpeg(64, 64), "Portrait").await;
    let id = image["id"].as_str().unwrap();
    let response = app
        .post_json(
            "/api/v1/authors",
            Some(admin.token()),
            &json!({"name": "Olena Honcharova", "avatar_image_id": id}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let author: Value = response.json().await.unwrap();
    assert_eq!(
        author["avatar_url"],
        format!("/api/v1/public/images/{id}/file")
    );

    let response = app
        .request(
            "DELETE",
            &format!("/api/v1/images/{id}"),
            Some(admin.token()),
        )
        .send()
        .await
        .unwrap();

    let problem = assert_problem(response, 409).await;
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("Olena Honcharova"), "{detail}");
    assert!(detail.contains("avatar"), "{detail}");
    assert_eq!(
        app.get_as(&format!("/api/v1/images/{id}"), admin.token())
            .await
            .status(),
        200
    );
    assert_eq!(get_file(&app, id, None, None).await.status(), 200);

    // Once no author uses it, the image can go.
    let response = app
        .request(
            "PATCH",
            &format!("/api/v1/authors/{}", author["id"].as_str().unwrap()),
            Some(admin.token()),
        )
        .json(&json!({"avatar_image_id": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let response = app
        .request(
            "DELETE",
            &format!("/api/v1/images/{id}"),
            Some(admin.token()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
}

#[tokio::test]
async fn an_unused_image_is_deleted_and_then_gone() {
    let app = spawn_media_app(&[]).await;
    let editor = app.user("editor").await;
    let image = upload_jpeg(&app, editor.token(), test_support::jpeg(64, 48), "Unused").await;
    let id = image["id"].as_str().unwrap();
    let path = format!("/api/v1/images/{id}");

    let response = app
        .request("DELETE", &path, Some(editor.token()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert!(response.bytes().await.unwrap().is_empty());

    assert_problem(app.get_as(&path, editor.token()).await, 404).await;
    assert_problem(get_file(&app, id, None, None).await, 404).await;
    assert_problem(
        app.request("DELETE", &path, Some(editor.token()))
            .send()
            .await
            .unwrap(),
        404,
    )
    .await;
    assert!(listed_images(&app, editor.token(), "").await.is_empty());
}

#[tokio::test]
async fn an_author_whose_avatar_image_does_not_exist_is_a_422_naming_avatar_image_id() {
    let app = spawn_media_app(&[]).await;
    let admin = app.admin().await;
    let response = app
        .post_json(
            "/api/v1/authors",
            Some(admin.token()),
            &json!({"name": "Ana Lima", "avatar_image_id": uuid::Uuid::new_v4()}),
        )
        .await;
    let problem = assert_problem(response, 422).await;
    assert_eq!(error_fields(&problem), ["avatar_image_id"]);
    let authors: Value = app
        .get_as("/api/v1/authors", admin.token())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(authors["items"], json!([]));
}

// ---------------------------------------------------------------------------------------------
// S3-compatible storage
// ---------------------------------------------------------------------------------------------

/// Needs an S3-compatible server at `TEST_S3_ENDPOINT` (see the top of this file for how CI
/// starts moto); without it, says so and returns.
#[tokio::test]
async fn images_are_stored_in_an_s3_compatible_store() {
    let Ok(endpoint) = std::env::var("TEST_S3_ENDPOINT") else {
        eprintln!(
            "SKIPPED images_are_stored_in_an_s3_compatible_store: TEST_S3_ENDPOINT is not set \
             (start moto_server and set it to its URL, e.g. http://127.0.0.1:5000)"
        );
        return;
    };
    let endpoint = endpoint.trim_end_matches('/').to_owned();
    let bucket = format!("newsroom-test-{}", uuid::Uuid::new_v4().simple());
    // moto creates a bucket on a plain, unsigned PUT.
    let created = reqwest::Client::new()
        .put(format!("{endpoint}/{bucket}"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("no S3 server at TEST_S3_ENDPOINT={endpoint}: {e}"));
    assert!(
        created.status().is_success(),
        "creating bucket {bucket}: {}",
        created.status()
    );

    let app = spawn_media_app(&[
        ("NEWSROOM_STORAGE", "s3"),
        ("NEWSROOM_S3_BUCKET", bucket.as_str()),
        ("NEWSROOM_S3_ENDPOINT", endpoint.as_str()),
        ("NEWSROOM_S3_REGION", "us-east-1"),
        ("NEWSROOM_S3_ACCESS_KEY_ID", "test"),
        ("NEWSROOM_S3_SECRET_ACCESS_KEY", "test"),
    ])
    .await;
    let writer = app.user("writer").await;
    let bytes = test_support::jpeg_with_exif_orientation_and_gps(1000, 800, 6);
    let sha = sha256_hex(&bytes);

    let image = upload_jpeg(&app, writer.token(), bytes.clone(), "In the bucket").await;
    let id = image["id"].as_str().unwrap();
    assert_eq!(image["sha256"], sha.as_str());

    let full = get_file(&app, id, None, None).await;
    assert_eq!(full.status(), 200);
    let full = full.bytes().await.unwrap();
    assert_eq!(decode(&full).dimensions(), (800, 1000));
    assert!(!contains(&full, b"Exif"));
    let small = get_file(&app, id, Some(320), Some("image/webp")).await;
    assert_eq!(small.status(), 200);
    assert_eq!(header(&small, "content-type"), "image/webp");
    assert_eq!(
        decode(&small.bytes().await.unwrap()).dimensions(),
        (320, 400)
    );

    // What the bucket holds, read with signed S3 requests (any S3-compatible server checks them).
    let store = object_store::aws::AmazonS3Builder::new()
        .with_bucket_name(&bucket)
        .with_region("us-east-1")
        .with_endpoint(&endpoint)
        .with_allow_http(true)
        .with_virtual_hosted_style_request(false)
        .with_access_key_id("test")
        .with_secret_access_key("test")
        .build()
        .unwrap();
    let original = store
        .get(&object_store::path::Path::from(format!("originals/{sha}")))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(
        original, bytes,
        "the bucket holds the uploaded bytes under originals/<sha256>"
    );
    let mut keys: Vec<String> = store
        .list(None)
        .map_ok(|meta| meta.location.to_string())
        .try_collect()
        .await
        .unwrap();
    keys.sort();
    assert_eq!(
        keys,
        [
            format!("originals/{sha}"),
            format!("renditions/{sha}/320.webp"),
            format!("renditions/{sha}/full.jpg"),
        ]
    );
    // Nothing went to the local disk.
    assert!(
        app.stored_files("").is_empty(),
        "{:?}",
        app.stored_files("")
    );
}

#[tokio::test]
async fn deleting_the_last_record_of_a_file_removes_the_file_and_its_renditions() {
    let app = spawn_media_app(&[]).await;
    let editor = app.user("editor").await;
    let bytes = test_support::jpeg(800, 600);
    let first = upload_jpeg(&app, editor.token(), bytes.clone(), "one").await;
    let second = upload_jpeg(&app, editor.token(), bytes, "two").await;
    let first_id = first["id"].as_str().unwrap();
    assert_eq!(
        get_file(&app, first_id, Some(320), None).await.status(),
        200
    );
    assert_eq!(app.stored_files("originals").len(), 1);
    assert!(!app.stored_files("renditions").is_empty());

    let delete = |id: String| {
        let request = app.request(
            "DELETE",
            &format!("/api/v1/images/{id}"),
            Some(editor.token()),
        );
        async move { request.send().await.unwrap().status() }
    };
    assert_eq!(delete(first_id.to_owned()).await, 204);
    assert_eq!(
        app.stored_files("originals").len(),
        1,
        "the second record still shares it"
    );
    assert_eq!(delete(second["id"].as_str().unwrap().to_owned()).await, 204);
    assert!(
        app.stored_files("originals").is_empty(),
        "{:?}",
        app.stored_files("originals")
    );
    assert!(
        app.stored_files("renditions").is_empty(),
        "{:?}",
        app.stored_files("renditions")
    );
}

#[tokio::test]
async fn head_and_weak_if_none_match_work_on_image_files() {
    let app = spawn_media_app(&[]).await;
    let writer = app.user("writer").await;
    let image = upload_jpeg(&app, writer.token(), test_support::jpeg(800, 600), "x").await;
    let id = image["id"].as_str().unwrap();
    let path = format!("/api/v1/public/images/{id}/file?w=320");

    let head = app.request("HEAD", &path, None).send().await.unwrap();
    assert_eq!(head.status(), 200);
    assert_eq!(header(&head, "content-type"), "image/jpeg");
    let etag = header(&head, "etag");
    assert!(head.bytes().await.unwrap().is_empty());

    let weak = app
        .request("GET", &path, None)
        .header("if-none-match", format!("W/{etag}"))
        .send()
        .await
        .unwrap();
    assert_eq!(weak.status(), 304);
}

#[tokio::test]
async fn two_file_parts_are_refused() {
    let app = spawn_media_app(&[]).await;
    let writer = app.user("writer").await;
    let form = file_form(test_support::png(10, 10), "a.png", "image/png").part(
        "file",
        Part::bytes(test_support::png(12, 12)).file_name("b.png"),
    );
    let response = try_upload(&app, writer.token(), form).await;
    let problem = assert_problem(response, 422).await;
    assert_eq!(problem["errors"][0]["field"], "file");
}
