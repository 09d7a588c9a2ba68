//! The permission matrix: every endpoint of the OpenAPI document, called by every kind of
//! caller, answers the expected status. An endpoint missing from the matrix fails the test, so
//! each new endpoint must state who may call it.

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser};

/// Kinds of caller, in the order of `Case::expect`.
const CALLERS: [&str; 6] = [
    "anonymous",
    "writer",
    "editor",
    "admin",
    "token with the needed scope",
    "token without it",
];

/// What the path's `{id}` stands for.
#[derive(Clone, Copy, PartialEq)]
enum Target {
    /// The path has no id.
    Nothing,
    /// A user that stays (idempotent operations).
    User,
    /// A user made for this one call (destructive operations).
    FreshUser,
    /// An API token that is not one of the callers.
    Token,
    /// An author profile that stays.
    Author,
    /// An author made for this one call.
    FreshAuthor,
    /// The slug of the author that stays (public author page).
    AuthorSlug,
    /// An image uploaded by the admin, that stays.
    Image,
    /// An image uploaded for this one call (by the admin).
    FreshImage,
    /// An image uploaded by the calling writer itself (owner rules).
    OwnImage,
    /// A section that stays.
    Section,
    /// A section made for this one call.
    FreshSection,
    /// An external embed made by the admin, that stays.
    Embed,
    /// An embed made for this one call.
    FreshEmbed,
    /// An embed made by the calling user itself.
    OwnEmbed,
    /// A draft made by the admin, that stays.
    Article,
    /// A draft made for this one call.
    FreshArticle,
    /// A draft made by the calling user itself.
    OwnArticle,
    /// A draft made by the admin and submitted, for this one call.
    FreshSubmitted,
    /// An article made by the admin and published, for this one call.
    FreshPublished,
    /// An article published twice (revisions 1 and 2), that stays.
    Revised,
    /// The slug of a published article (public endpoints).
    PublishedSlug,
    /// A preview link of an article by the admin, made for this one call.
    FreshPreviewLink,
    /// The secret of a live preview link.
    PreviewToken,
    /// A webhook that stays (it receives the matrix's publications).
    Webhook,
    /// A webhook made for this one call.
    FreshWebhook,
    /// A delivery of `Webhook` (path `{id}/deliveries/{delivery_id}`).
    Delivery,
}

struct Case {
    method: &'static str,
    path: &'static str,
    target: Target,
    /// Scope a token needs; `None` when no token may do it.
    scope: Option<&'static str>,
    /// Whether the call uses up the caller's session (log-out), so it gets a fresh log-in.
    fresh_session: bool,
    /// Expected status for each of `CALLERS` (0: no such caller can exist).
    expect: [u16; 6],
}

const fn case(
    method: &'static str,
    path: &'static str,
    target: Target,
    scope: Option<&'static str>,
    expect: [u16; 6],
) -> Case {
    Case {
        method,
        path,
        target,
        scope,
        fresh_session: false,
        expect,
    }
}

/// Every endpoint. Public ones answer the same to everyone.
fn matrix() -> Vec<Case> {
    use Target::*;
    const ADMIN_ONLY_READ: [u16; 6] = [401, 403, 403, 200, 200, 403];
    // Every scope implies reading: no token lacks it (0 = not applicable).
    const READ: [u16; 6] = [401, 200, 200, 200, 200, 0];
    const EDITORS_WRITE: [u16; 6] = [401, 403, 200, 200, 200, 403];
    // On somebody else's unpublished article a writer gets 404, as for an unknown id: it does
    // not learn that the article exists.
    const EDITORS_WRITE_UNSEEN: [u16; 6] = [401, 404, 200, 200, 200, 403];
    vec![
        case("GET", "/health/live", Nothing, None, [200; 6]),
        case("GET", "/health/ready", Nothing, None, [200; 6]),
        case("GET", "/metrics", Nothing, None, [200; 6]),
        // Public: wrong credentials are refused whoever asks.
        case("POST", "/api/v1/auth/login", Nothing, None, [401; 6]),
        case("POST", "/api/v1/auth/refresh", Nothing, None, [401; 6]),
        Case {
            fresh_session: true,
            ..case(
                "POST",
                "/api/v1/auth/logout",
                Nothing,
                None,
                [401, 204, 204, 204, 403, 403],
            )
        },
        case(
            "GET",
            "/api/v1/auth/me",
            Nothing,
            None,
            [401, 200, 200, 200, 403, 403],
        ),
        case(
            "POST",
            "/api/v1/auth/password",
            Nothing,
            None,
            [401, 204, 204, 204, 403, 403],
        ),
        case(
            "POST",
            "/api/v1/users",
            Nothing,
            Some("admin"),
            [401, 403, 403, 201, 201, 403],
        ),
        case(
            "GET",
            "/api/v1/users",
            Nothing,
            Some("admin"),
            ADMIN_ONLY_READ,
        ),
        case(
            "GET",
            "/api/v1/users/{id}",
            User,
            Some("admin"),
            ADMIN_ONLY_READ,
        ),
        case(
            "PATCH",
            "/api/v1/users/{id}",
            User,
            Some("admin"),
            ADMIN_ONLY_READ,
        ),
        case(
            "DELETE",
            "/api/v1/users/{id}",
            FreshUser,
            Some("admin"),
            [401, 403, 403, 204, 204, 403],
        ),
        case(
            "POST",
            "/api/v1/api-tokens",
            Nothing,
            Some("admin"),
            [401, 403, 403, 201, 201, 403],
        ),
        case(
            "GET",
            "/api/v1/api-tokens",
            Nothing,
            Some("admin"),
            ADMIN_ONLY_READ,
        ),
        case(
            "DELETE",
            "/api/v1/api-tokens/{id}",
            Token,
            Some("admin"),
            [401, 403, 403, 204, 204, 403],
        ),
        case(
            "POST",
            "/api/v1/webhooks",
            Nothing,
            Some("admin"),
            [401, 403, 403, 201, 201, 403],
        ),
        case(
            "GET",
            "/api/v1/webhooks",
            Nothing,
            Some("admin"),
            ADMIN_ONLY_READ,
        ),
        case(
            "GET",
            "/api/v1/webhooks/{id}",
            Webhook,
            Some("admin"),
            ADMIN_ONLY_READ,
        ),
        case(
            "PATCH",
            "/api/v1/webhooks/{id}",
            Webhook,
            Some("admin"),
            ADMIN_ONLY_READ,
        ),
        case(
            "DELETE",
            "/api/v1/webhooks/{id}",
            FreshWebhook,
            Some("admin"),
            [401, 403, 403, 204, 204, 403],
        ),
        case(
            "GET",
            "/api/v1/webhooks/{id}/deliveries",
            Webhook,
            Some("admin"),
            ADMIN_ONLY_READ,
        ),
        case(
            "POST",
            "/api/v1/webhooks/{id}/deliveries/{delivery_id}/replay",
            Delivery,
            Some("admin"),
            [401, 403, 403, 202, 202, 403],
        ),
        case(
            "GET",
            "/api/v1/audit-log",
            Nothing,
            Some("admin"),
            [401, 403, 200, 200, 200, 403],
        ),
        case(
            "POST",
            "/api/v1/authors",
            Nothing,
            Some("content:write"),
            [401, 403, 201, 201, 201, 403],
        ),
        case(
            "GET",
            "/api/v1/authors",
            Nothing,
            Some("content:read"),
            READ,
        ),
        case(
            "GET",
            "/api/v1/authors/{id}",
            Author,
            Some("content:read"),
            READ,
        ),
        case(
            "PATCH",
            "/api/v1/authors/{id}",
            Author,
            Some("content:write"),
            EDITORS_WRITE,
        ),
        case(
            "DELETE",
            "/api/v1/authors/{id}",
            FreshAuthor,
            Some("content:write"),
            [401, 403, 204, 204, 204, 403],
        ),
        case(
            "POST",
            "/api/v1/images",
            Nothing,
            Some("images:write"),
            [401, 201, 201, 201, 201, 403],
        ),
        case("GET", "/api/v1/images", Nothing, Some("content:read"), READ),
        case(
            "GET",
            "/api/v1/images/{id}",
            Image,
            Some("content:read"),
            READ,
        ),
        case(
            "PATCH",
            "/api/v1/images/{id}",
            Image,
            Some("images:write"),
            EDITORS_WRITE,
        ),
        // A writer may change the images it uploaded.
        case(
            "PATCH",
            "/api/v1/images/{id}",
            OwnImage,
            Some("images:write"),
            [401, 200, 200, 200, 200, 403],
        ),
        case(
            "DELETE",
            "/api/v1/images/{id}",
            FreshImage,
            Some("images:write"),
            [401, 403, 204, 204, 204, 403],
        ),
        case(
            "GET",
            "/api/v1/public/images/{id}/file",
            Image,
            None,
            [200; 6],
        ),
        case(
            "HEAD",
            "/api/v1/public/images/{id}/file",
            Image,
            None,
            [200; 6],
        ),
        case(
            "POST",
            "/api/v1/sections",
            Nothing,
            Some("content:write"),
            [401, 403, 201, 201, 201, 403],
        ),
        case(
            "GET",
            "/api/v1/sections",
            Nothing,
            Some("content:read"),
            READ,
        ),
        case(
            "GET",
            "/api/v1/sections/{id}",
            Section,
            Some("content:read"),
            READ,
        ),
        case(
            "PATCH",
            "/api/v1/sections/{id}",
            Section,
            Some("content:write"),
            EDITORS_WRITE,
        ),
        case(
            "DELETE",
            "/api/v1/sections/{id}",
            FreshSection,
            Some("content:write"),
            [401, 403, 204, 204, 204, 403],
        ),
        // External embeds are for everyone; raw HTML (tested in embeds.rs) for editors.
        case(
            "POST",
            "/api/v1/embeds",
            Nothing,
            Some("content:write"),
            [401, 201, 201, 201, 201, 403],
        ),
        case("GET", "/api/v1/embeds", Nothing, Some("content:read"), READ),
        case(
            "GET",
            "/api/v1/embeds/{id}",
            Embed,
            Some("content:read"),
            READ,
        ),
        case(
            "PATCH",
            "/api/v1/embeds/{id}",
            Embed,
            Some("content:write"),
            EDITORS_WRITE,
        ),
        case(
            "PATCH",
            "/api/v1/embeds/{id}",
            OwnEmbed,
            Some("content:write"),
            [401, 200, 200, 200, 200, 403],
        ),
        case(
            "DELETE",
            "/api/v1/embeds/{id}",
            FreshEmbed,
            Some("content:write"),
            [401, 403, 204, 204, 204, 403],
        ),
        case(
            "POST",
            "/api/v1/articles",
            Nothing,
            Some("content:write"),
            [401, 201, 201, 201, 201, 403],
        ),
        case(
            "GET",
            "/api/v1/articles",
            Nothing,
            Some("content:read"),
            READ,
        ),
        case(
            "GET",
            "/api/v1/articles/{id}",
            Article,
            Some("content:read"),
            [401, 404, 200, 200, 200, 0],
        ),
        // A writer reads its own drafts.
        case(
            "GET",
            "/api/v1/articles/{id}",
            OwnArticle,
            Some("content:read"),
            READ,
        ),
        case(
            "PATCH",
            "/api/v1/articles/{id}",
            Article,
            Some("content:write"),
            EDITORS_WRITE_UNSEEN,
        ),
        // A writer may change and delete its own drafts.
        case(
            "PATCH",
            "/api/v1/articles/{id}",
            OwnArticle,
            Some("content:write"),
            [401, 200, 200, 200, 200, 403],
        ),
        case(
            "DELETE",
            "/api/v1/articles/{id}",
            FreshArticle,
            Some("content:write"),
            [401, 404, 204, 204, 204, 403],
        ),
        case(
            "DELETE",
            "/api/v1/articles/{id}",
            OwnArticle,
            Some("content:write"),
            [401, 204, 204, 204, 204, 403],
        ),
        case(
            "POST",
            "/api/v1/articles/{id}/submit",
            OwnArticle,
            Some("content:write"),
            [401, 200, 200, 200, 200, 403],
        ),
        case(
            "POST",
            "/api/v1/articles/{id}/return",
            FreshSubmitted,
            Some("content:write"),
            EDITORS_WRITE_UNSEEN,
        ),
        case(
            "POST",
            "/api/v1/articles/{id}/publish",
            FreshArticle,
            Some("content:write"),
            EDITORS_WRITE_UNSEEN,
        ),
        case(
            "POST",
            "/api/v1/articles/{id}/schedule",
            FreshArticle,
            Some("content:write"),
            EDITORS_WRITE_UNSEEN,
        ),
        case(
            "POST",
            "/api/v1/articles/{id}/unpublish",
            FreshPublished,
            Some("content:write"),
            EDITORS_WRITE,
        ),
        case(
            "POST",
            "/api/v1/articles/{id}/archive",
            FreshArticle,
            Some("content:write"),
            EDITORS_WRITE_UNSEEN,
        ),
        case(
            "GET",
            "/api/v1/articles/{id}/revisions",
            Revised,
            Some("content:read"),
            READ,
        ),
        case(
            "GET",
            "/api/v1/articles/{id}/revisions/compare",
            Revised,
            Some("content:read"),
            READ,
        ),
        case(
            "GET",
            "/api/v1/articles/{id}/revisions/{n}",
            Revised,
            Some("content:read"),
            READ,
        ),
        case(
            "POST",
            "/api/v1/articles/{id}/revisions",
            OwnArticle,
            Some("content:write"),
            [401, 201, 201, 201, 201, 403],
        ),
        case(
            "POST",
            "/api/v1/articles/{id}/revisions/{n}/restore",
            Revised,
            Some("content:write"),
            EDITORS_WRITE,
        ),
        case(
            "POST",
            "/api/v1/articles/{id}/corrections",
            Revised,
            Some("content:write"),
            [401, 403, 201, 201, 201, 403],
        ),
        case(
            "GET",
            "/api/v1/public/articles/{slug}",
            PublishedSlug,
            None,
            [200; 6],
        ),
        case(
            "POST",
            "/api/v1/articles/{id}/preview-links",
            OwnArticle,
            Some("content:write"),
            [401, 201, 201, 201, 201, 403],
        ),
        case(
            "GET",
            "/api/v1/articles/{id}/preview-links",
            OwnArticle,
            Some("content:write"),
            [401, 200, 200, 200, 200, 403],
        ),
        case(
            "DELETE",
            "/api/v1/articles/{id}/preview-links/{link}",
            FreshPreviewLink,
            Some("content:write"),
            [401, 404, 204, 204, 204, 403],
        ),
        case(
            "GET",
            "/api/v1/public/preview/{token}",
            PreviewToken,
            None,
            [200; 6],
        ),
        case("GET", "/api/v1/public/articles", Nothing, None, [200; 6]),
        case("GET", "/api/v1/public/search", Nothing, None, [200; 6]),
        case(
            "GET",
            "/api/v1/public/authors/{slug}",
            AuthorSlug,
            None,
            [200; 6],
        ),
        case("GET", "/api/v1/public/sections", Nothing, None, [200; 6]),
        case("GET", "/api/v1/public/tags", Nothing, None, [200; 6]),
        case("GET", "/api/v1/public/feed.rss", Nothing, None, [200; 6]),
        case("GET", "/api/v1/public/sitemap.xml", Nothing, None, [200; 6]),
        case(
            "GET",
            "/api/v1/public/sitemaps/{page}",
            Nothing,
            None,
            [200; 6],
        ),
    ]
}

/// A body the endpoint accepts, so only permissions decide the answer.
fn body_for(method: &str, path: &str, caller: Option<&TestUser>) -> Option<Value> {
    let unique = uuid::Uuid::new_v4().simple().to_string();
    match (method, path) {
        ("POST", "/api/v1/auth/login") => Some(json!({
            "email": format!("nobody-{unique}@newsroom.test"), "password": "wrong password 123"
        })),
        ("POST", "/api/v1/auth/refresh") => Some(json!({"refresh_token": unique})),
        ("POST", "/api/v1/auth/password") => {
            // The same password again: allowed, and keeps the caller able to log in.
            let password = caller
                .map(|c| c.password.clone())
                .unwrap_or_else(|| "x".repeat(12));
            Some(json!({"current_password": password, "new_password": password}))
        }
        ("POST", "/api/v1/users") => Some(json!({
            "email": format!("matrix-{unique}@newsroom.test"),
            "password": "matrix password 1", "name": "Matrix", "role": "writer"
        })),
        ("PATCH", "/api/v1/users/{id}") => Some(json!({"name": "Renamed by the matrix"})),
        ("POST", "/api/v1/api-tokens") => {
            Some(json!({"name": "matrix", "scopes": ["content:read"]}))
        }
        ("POST", "/api/v1/webhooks") => Some(webhook_body()),
        ("PATCH", "/api/v1/webhooks/{id}") => Some(json!({"active": true})),
        ("POST", "/api/v1/authors") => Some(json!({"name": format!("Matrix Author {unique}")})),
        ("PATCH", "/api/v1/authors/{id}") => Some(json!({"job_title": "Desk editor"})),
        ("PATCH", "/api/v1/images/{id}") => Some(json!({"caption": "Changed by the matrix"})),
        ("POST", "/api/v1/sections") => Some(json!({"name": format!("Section {unique}")})),
        ("PATCH", "/api/v1/sections/{id}") => Some(json!({"description": "Changed"})),
        ("POST", "/api/v1/embeds") => {
            Some(json!({"kind": "external", "url": "https://youtu.be/dQw4w9WgXcQ"}))
        }
        ("PATCH", "/api/v1/embeds/{id}") => Some(json!({"label": "Watch"})),
        ("POST", "/api/v1/articles") => Some(json!({"headline": format!("Matrix {unique}")})),
        ("PATCH", "/api/v1/articles/{id}") => Some(json!({"dek": "Changed by the matrix"})),
        ("POST", "/api/v1/articles/{id}/return") => Some(json!({"note": "Needs a second source"})),
        ("POST", "/api/v1/articles/{id}/schedule") => {
            Some(json!({"publish_at": chrono::Utc::now() + chrono::Duration::hours(1)}))
        }
        ("POST", "/api/v1/articles/{id}/revisions") => Some(json!({"note": "Matrix"})),
        ("POST", "/api/v1/articles/{id}/corrections") => Some(json!({"note": "Corrected"})),
        _ => None,
    }
}

/// A small PNG as an upload form.
fn image_form() -> reqwest::multipart::Form {
    let png = newsroom::media::image::test_support::png(8, 6);
    reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(png).file_name("matrix.png"),
    )
}

async fn upload_image(app: &TestApp, token: &str) -> String {
    let response = app.upload(token, image_form()).await;
    assert_eq!(response.status(), 201, "uploading an image");
    let body: Value = response.json().await.unwrap();
    body["id"].as_str().unwrap().to_owned()
}

/// A new article by `token` taken through `actions` (with `If-Match: *`): its id and slug.
async fn article_in(app: &TestApp, token: &str, actions: &[&str]) -> (String, String) {
    let unique = uuid::Uuid::new_v4().simple().to_string();
    let response = app
        .post_json(
            "/api/v1/articles",
            Some(token),
            &json!({"headline": format!("Story {unique}")}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let article: Value = response.json().await.unwrap();
    let id = article["id"].as_str().unwrap().to_owned();
    for action in actions {
        let response = app
            .request(
                "POST",
                &format!("/api/v1/articles/{id}/{action}"),
                Some(token),
            )
            .header("if-match", "*")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{action}");
    }
    (id, article["slug"].as_str().unwrap().to_owned())
}

async fn preview_link(app: &TestApp, token: &str, article: &str) -> Value {
    let response = app
        .post_json(
            &format!("/api/v1/articles/{article}/preview-links"),
            Some(token),
            &json!({}),
        )
        .await;
    assert_eq!(response.status(), 201, "creating a preview link");
    response.json().await.unwrap()
}

/// A webhook to a closed local port: deliveries fail and wait for their retry.
fn webhook_body() -> Value {
    json!({"url": "http://127.0.0.1:9/matrix", "events": ["article.published"]})
}

fn youtube() -> Value {
    json!({"kind": "external", "url": "https://youtu.be/dQw4w9WgXcQ"})
}

/// Creates a resource with a JSON POST and returns its id.
async fn create_one(app: &TestApp, token: &str, path: &str, body: Value) -> String {
    let response = app.post_json(path, Some(token), &body).await;
    assert_eq!(response.status(), 201, "creating at {path}");
    let body: Value = response.json().await.unwrap();
    body["id"].as_str().unwrap().to_owned()
}

async fn create_author(app: &TestApp, admin: &TestUser) -> String {
    let unique = uuid::Uuid::new_v4().simple().to_string();
    let response = app
        .post_json(
            "/api/v1/authors",
            Some(admin.token()),
            &json!({"name": format!("Author {unique}")}),
        )
        .await;
    assert_eq!(response.status(), 201, "creating an author");
    let body: Value = response.json().await.unwrap();
    body["id"].as_str().unwrap().to_owned()
}

const ALL_SCOPES: [&str; 4] = ["content:read", "content:write", "images:write", "admin"];

#[tokio::test]
async fn every_endpoint_answers_each_kind_of_caller_as_the_matrix_says() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let writer = app.user_created_by(&admin, "writer").await;
    let editor = app.user_created_by(&admin, "editor").await;
    let target_user = app.user_created_by(&admin, "writer").await;
    let author = create_author(&app, &admin).await;
    let image = upload_image(&app, admin.token()).await;
    let writer_image = upload_image(&app, writer.token()).await;
    let section = create_one(
        &app,
        admin.token(),
        "/api/v1/sections",
        json!({"name": "Matrix"}),
    )
    .await;
    let embed = create_one(&app, admin.token(), "/api/v1/embeds", youtube()).await;
    let webhook = create_one(&app, admin.token(), "/api/v1/webhooks", webhook_body()).await;
    let revised = article_in(&app, admin.token(), &["publish", "publish"]).await;
    let preview_token = preview_link(&app, admin.token(), &revised.0).await["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let article = create_one(
        &app,
        admin.token(),
        "/api/v1/articles",
        json!({"headline": "Admin's"}),
    )
    .await;
    let deliveries: Value = app
        .get_as(
            &format!("/api/v1/webhooks/{webhook}/deliveries"),
            admin.token(),
        )
        .await
        .json()
        .await
        .unwrap();
    let delivery = format!(
        "{webhook}/deliveries/{}",
        deliveries["items"][0]["id"].as_str().unwrap()
    );

    let mut failures = Vec::new();
    for case in matrix() {
        for (index, caller_kind) in CALLERS.iter().enumerate() {
            if case.expect[index] == 0 {
                continue;
            }
            let user = match index {
                1 => Some(&writer),
                2 => Some(&editor),
                3 => Some(&admin),
                _ => None,
            };
            let fresh;
            let user = match user {
                Some(u) if case.fresh_session => {
                    fresh = TestUser {
                        session: app.login(&u.email, &u.password).await,
                        ..u.clone()
                    };
                    Some(&fresh)
                }
                other => other,
            };
            let token = match index {
                0 => None,
                1..=3 => user.map(|u| u.token().to_owned()),
                4 => Some(match case.scope {
                    Some(scope) => app.api_token(&admin, &[scope]).await,
                    None => app.api_token(&admin, &ALL_SCOPES).await,
                }),
                _ => {
                    // Every scope but the needed one and those that imply it.
                    let implied: &[&str] = match case.scope {
                        Some("content:read") => &["content:read", "content:write", "images:write"],
                        Some(scope) => &[scope][..],
                        None => &[],
                    };
                    let others: Vec<&str> = ALL_SCOPES
                        .iter()
                        .copied()
                        .filter(|s| !implied.contains(s) && *s != "admin")
                        .collect();
                    Some(app.api_token(&admin, &others).await)
                }
            };
            let id = match case.target {
                Target::Nothing => String::new(),
                Target::User => target_user.id.clone(),
                Target::FreshUser => app.user_created_by(&admin, "writer").await.id,
                Target::Token => {
                    let issued = app.api_token(&admin, &["content:read"]).await;
                    let list: Vec<Value> = app
                        .get_as("/api/v1/api-tokens", admin.token())
                        .await
                        .json()
                        .await
                        .unwrap();
                    let prefix = &issued[..8];
                    list.iter().find(|t| t["token_prefix"] == prefix).unwrap()["id"]
                        .as_str()
                        .unwrap()
                        .to_owned()
                }
                _ => String::new(),
            };
            let id = match case.target {
                Target::Author => author.clone(),
                Target::FreshAuthor => create_author(&app, &admin).await,
                Target::AuthorSlug => {
                    let profile: Value = app
                        .get_as(&format!("/api/v1/authors/{author}"), admin.token())
                        .await
                        .json()
                        .await
                        .unwrap();
                    profile["slug"].as_str().unwrap().to_owned()
                }
                Target::Image => image.clone(),
                Target::FreshImage => upload_image(&app, admin.token()).await,
                Target::OwnImage => match user {
                    // The calling user's own upload; other callers get the writer's.
                    Some(u) => upload_image(&app, u.token()).await,
                    None => writer_image.clone(),
                },
                Target::Section => section.clone(),
                Target::FreshSection => {
                    create_one(
                        &app,
                        admin.token(),
                        "/api/v1/sections",
                        json!({"name": format!("S {}", uuid::Uuid::new_v4())}),
                    )
                    .await
                }
                Target::Embed => embed.clone(),
                Target::FreshEmbed => {
                    create_one(&app, admin.token(), "/api/v1/embeds", youtube()).await
                }
                Target::OwnEmbed => match user {
                    Some(u) => create_one(&app, u.token(), "/api/v1/embeds", youtube()).await,
                    None => create_one(&app, writer.token(), "/api/v1/embeds", youtube()).await,
                },
                Target::Article => article.clone(),
                Target::FreshArticle => {
                    create_one(
                        &app,
                        admin.token(),
                        "/api/v1/articles",
                        json!({"headline": "Fresh"}),
                    )
                    .await
                }
                Target::OwnArticle => match user {
                    Some(u) => {
                        create_one(
                            &app,
                            u.token(),
                            "/api/v1/articles",
                            json!({"headline": "Own"}),
                        )
                        .await
                    }
                    None => {
                        create_one(
                            &app,
                            writer.token(),
                            "/api/v1/articles",
                            json!({"headline": "Own"}),
                        )
                        .await
                    }
                },
                Target::FreshSubmitted => article_in(&app, admin.token(), &["submit"]).await.0,
                Target::FreshPublished => article_in(&app, admin.token(), &["publish"]).await.0,
                Target::Revised => revised.0.clone(),
                Target::PublishedSlug => revised.1.clone(),
                Target::FreshPreviewLink => {
                    let (article, _) = article_in(&app, admin.token(), &[]).await;
                    let link = preview_link(&app, admin.token(), &article).await;
                    format!("{article}/preview-links/{}", link["id"].as_str().unwrap())
                }
                Target::PreviewToken => preview_token.clone(),
                Target::Webhook => webhook.clone(),
                Target::FreshWebhook => {
                    create_one(&app, admin.token(), "/api/v1/webhooks", webhook_body()).await
                }
                Target::Delivery => delivery.clone(),
                _ => id,
            };
            let path = case
                .path
                .replace("{id}/preview-links/{link}", &id)
                .replace("{id}/deliveries/{delivery_id}", &id)
                .replace("{token}", &id)
                .replace("{id}", &id)
                .replace("{slug}", &id)
                .replace("{n}", "1")
                .replace("{page}", "1")
                .replace("/public/search", "/public/search?q=news")
                .replace("/compare", "/compare?from=1&to=2");
            let mut request = app.request(case.method, &path, token.as_deref());
            if case.path.starts_with("/api/v1/articles/{id}") {
                // The matrix is about permissions, not versions: any current version.
                request = request.header("if-match", "*");
            }
            if case.method == "POST" && case.path == "/api/v1/images" {
                request = request.multipart(image_form());
            } else if let Some(body) = body_for(case.method, case.path, user) {
                request = request.json(&body);
            }
            let status = request.send().await.unwrap().status().as_u16();
            let expected = case.expect[index];
            if status != expected {
                failures.push(format!(
                    "{} {} as {caller_kind}: expected {expected}, got {status}",
                    case.method, case.path
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "permission matrix:\n{}",
        failures.join("\n")
    );
}

#[test]
fn the_matrix_covers_every_documented_endpoint() {
    let document = serde_json::to_value(newsroom::openapi::document()).unwrap();
    let covered: Vec<(String, String)> = matrix()
        .iter()
        .map(|c| (c.method.to_owned(), c.path.to_owned()))
        .collect();
    let mut missing = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in ["get", "put", "post", "delete", "patch", "head", "options"] {
            if item.get(method).is_some() {
                let key = (method.to_uppercase(), path.clone());
                if !covered.contains(&key) {
                    missing.push(format!("{} {}", key.0, key.1));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "add these endpoints to the permission matrix in tests/api/permissions.rs:\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_protected_operation_declares_bearer_security_and_its_problems() {
    let document = serde_json::to_value(newsroom::openapi::document()).unwrap();
    for case in matrix() {
        let operation = &document["paths"][case.path][case.method.to_lowercase()];
        let protected = case.expect[0] == 401
            && case.path.starts_with("/api/v1/")
            && !case.path.starts_with("/api/v1/auth/login")
            && !case.path.starts_with("/api/v1/auth/refresh");
        if protected {
            assert_eq!(
                operation["security"],
                json!([{"bearer": []}]),
                "{} {} must declare bearer security",
                case.method,
                case.path
            );
            for status in ["401", "403"] {
                let content = &operation["responses"][status]["content"];
                assert!(
                    content["application/problem+json"].is_object(),
                    "{} {} must document {status} as problem+json",
                    case.method,
                    case.path
                );
            }
        }
    }
}
