//! Preview links: the working copy without a log-in, through a secret, expiring, revocable URL.

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser, assert_problem};

async fn draft(app: &TestApp, user: &TestUser, headline: &str) -> String {
    let response = app
        .post_json(
            "/api/v1/articles",
            Some(user.token()),
            &json!({"headline": headline}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    body["id"].as_str().unwrap().to_owned()
}

async fn link(app: &TestApp, user: &TestUser, article: &str, body: Value) -> reqwest::Response {
    app.post_json(
        &format!("/api/v1/articles/{article}/preview-links"),
        Some(user.token()),
        &body,
    )
    .await
}

#[tokio::test]
async fn the_optional_body_may_be_absent_or_null() {
    // Found by contract fuzzing: the document allows `null`, which was refused with 422.
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    let article = draft(&app, &editor, "Draft").await;
    let path = format!("/api/v1/articles/{article}/preview-links");
    let absent = app
        .request("POST", &path, Some(editor.token()))
        .send()
        .await
        .unwrap();
    assert_eq!(absent.status(), 201);
    let null = link(&app, &editor, &article, Value::Null).await;
    assert_eq!(null.status(), 201);
}

#[tokio::test]
async fn a_preview_link_shows_the_working_copy_without_a_log_in() {
    let app = TestApp::spawn().await;
    let writer = app.user("writer").await;
    let article = draft(&app, &writer, "Secret draft").await;
    let response = link(&app, &writer, &article, json!({"expires_in_minutes": 30})).await;
    assert_eq!(response.status(), 201);
    let created: Value = response.json().await.unwrap();
    let url = created["url"].as_str().unwrap();
    assert!(url.ends_with(created["token"].as_str().unwrap()));

    let preview = app.get(url).await;
    assert_eq!(preview.status(), 200);
    assert_eq!(preview.headers()["cache-control"], "no-store");
    let body: Value = preview.json().await.unwrap();
    assert_eq!(body["headline"], "Secret draft");
    assert_eq!(body["status"], "draft");

    // The list never shows the secret.
    let list: Value = app
        .get_as(
            &format!("/api/v1/articles/{article}/preview-links"),
            writer.token(),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(
        !list
            .to_string()
            .contains(created["token"].as_str().unwrap())
    );
}

#[tokio::test]
async fn tampered_revoked_and_unknown_links_are_404() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    let article = draft(&app, &editor, "Draft").await;
    let created: Value = link(&app, &editor, &article, json!({}))
        .await
        .json()
        .await
        .unwrap();
    let url = created["url"].as_str().unwrap().to_owned();

    let mut tampered = url.clone();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    assert_problem(app.get(&tampered).await, 404).await;
    assert_problem(app.get("/api/v1/public/preview/nonsense").await, 404).await;
    assert_problem(
        app.get(&format!("/api/v1/public/preview/{}", "x".repeat(500)))
            .await,
        404,
    )
    .await;

    let revoke = app
        .request(
            "DELETE",
            &format!(
                "/api/v1/articles/{article}/preview-links/{}",
                created["id"].as_str().unwrap()
            ),
            Some(editor.token()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(revoke.status(), 204);
    assert_problem(app.get(&url).await, 404).await;
}

#[tokio::test]
async fn an_expired_link_is_404() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    let article = draft(&app, &editor, "Draft").await;
    let created: Value = link(&app, &editor, &article, json!({"expires_in_minutes": 1}))
        .await
        .json()
        .await
        .unwrap();
    let url = created["url"].as_str().unwrap().to_owned();
    assert_eq!(app.get(&url).await.status(), 200);
    // Move the expiry into the past instead of waiting a minute.
    let mut conn: diesel_async::AsyncPgConnection =
        <diesel_async::AsyncPgConnection as diesel_async::AsyncConnection>::establish(
            &app.database_url,
        )
        .await
        .unwrap();
    diesel_async::RunQueryDsl::execute(
        diesel::sql_query("UPDATE preview_links SET expires_at = now() - interval '1 second'"),
        &mut conn,
    )
    .await
    .unwrap();
    assert_problem(app.get(&url).await, 404).await;
}

#[tokio::test]
async fn writers_share_only_their_own_articles_and_bad_input_is_refused() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let writer = app.user_created_by(&admin, "writer").await;
    let editors = draft(&app, &admin, "Editor's").await;
    // Somebody else's draft is hidden from a writer (404); once published it is visible but
    // still not theirs to share (403).
    assert_problem(link(&app, &writer, &editors, json!({})).await, 404).await;
    app.act(&admin, &editors, "publish").await;
    assert_problem(link(&app, &writer, &editors, json!({})).await, 403).await;
    let own = draft(&app, &writer, "Mine").await;
    let too_long = link(&app, &writer, &own, json!({"expires_in_minutes": 100000})).await;
    let problem = assert_problem(too_long, 422).await;
    assert_eq!(problem["errors"][0]["field"], "expires_in_minutes");
    let malformed = app
        .request(
            "POST",
            &format!("/api/v1/articles/{own}/preview-links"),
            Some(writer.token()),
        )
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_problem(malformed, 400).await;
    // No body at all is fine: a day.
    let no_body = app
        .request(
            "POST",
            &format!("/api/v1/articles/{own}/preview-links"),
            Some(writer.token()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(no_body.status(), 201);
}
