//! Author profiles: slugs in any script, validation per field, references, permissions.

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser, assert_problem};

async fn create(app: &TestApp, user: &TestUser, body: Value) -> reqwest::Response {
    app.post_json("/api/v1/authors", Some(user.token()), &body)
        .await
}

async fn created(app: &TestApp, user: &TestUser, body: Value) -> Value {
    let response = create(app, user, body).await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

async fn patch(app: &TestApp, user: &TestUser, id: &str, body: Value) -> reqwest::Response {
    app.request(
        "PATCH",
        &format!("/api/v1/authors/{id}"),
        Some(user.token()),
    )
    .json(&body)
    .send()
    .await
    .unwrap()
}

#[tokio::test]
async fn an_author_gets_a_readable_slug_from_a_cyrillic_name() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    let response = create(
        &app,
        &editor,
        json!({
            "name": "Олена Гончарова",
            "job_title": "Head of North America desk",
            "bio": "Olena covers US politics and diplomacy from Washington. ".repeat(40),
            "location": "Washington, D.C.",
            "email": "Olena@Newsroom.Example",
            "links": [{"label": "Web site", "url": "https://example.org/olena"}]
        }),
    )
    .await;
    assert_eq!(response.status(), 201);
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let author: Value = response.json().await.unwrap();
    assert_eq!(author["slug"], "olena-honcharova");
    assert_eq!(author["name"], "Олена Гончарова");
    assert_eq!(author["email"], "olena@newsroom.example");
    assert_eq!(author["active"], true);
    assert_eq!(author["links"][0]["label"], "Web site");
    assert_eq!(
        location,
        format!("/api/v1/authors/{}", author["id"].as_str().unwrap())
    );

    let read: Value = app
        .get_as(&location, editor.token())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read, author);
}

#[tokio::test]
async fn a_taken_slug_gets_a_number_and_an_explicit_one_is_refused() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    let first = created(&app, &editor, json!({"name": "Ana Lima"})).await;
    let second = created(&app, &editor, json!({"name": "Ana  Lima!"})).await;
    assert_eq!(first["slug"], "ana-lima");
    assert_eq!(second["slug"], "ana-lima-2");

    let clash = create(&app, &editor, json!({"name": "Other", "slug": "ana-lima"})).await;
    assert_problem(clash, 409).await;
    let bad = create(&app, &editor, json!({"name": "Other", "slug": "Ana Lima"})).await;
    let body = assert_problem(bad, 422).await;
    assert_eq!(body["errors"][0]["field"], "slug");
}

#[tokio::test]
async fn invalid_fields_are_each_named() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    let response = create(
        &app,
        &editor,
        json!({
            "name": "",
            "email": "not an e-mail",
            "job_title": "x".repeat(201),
            "links": [
                {"label": "Site", "url": "https://example.org"},
                {"label": "Evil", "url": "javascript:alert(1)"},
                {"label": "", "url": "https://example.org"}
            ]
        }),
    )
    .await;
    let body = assert_problem(response, 422).await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        vec![
            "email",
            "job_title",
            "links[1].url",
            "links[2].label",
            "name"
        ]
    );
    // Nothing was created.
    let list: Value = app
        .get_as("/api/v1/authors", editor.token())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"], json!([]));
}

#[tokio::test]
async fn references_must_exist() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    let missing = uuid::Uuid::new_v4();
    let response = create(
        &app,
        &editor,
        json!({"name": "Ana", "avatar_image_id": missing, "user_id": missing}),
    )
    .await;
    let body = assert_problem(response, 422).await;
    assert_eq!(body["errors"][0]["field"], "avatar_image_id");
    assert_eq!(body["errors"][1]["field"], "user_id");

    // One author per user account.
    let writer = app.user("writer").await;
    created(
        &app,
        &editor,
        json!({"name": "Writer One", "user_id": writer.id}),
    )
    .await;
    let again = create(
        &app,
        &editor,
        json!({"name": "Writer Two", "user_id": writer.id}),
    )
    .await;
    assert_problem(again, 409).await;
}

#[tokio::test]
async fn patch_changes_what_is_sent_and_keeps_the_slug_on_rename() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    let author = created(
        &app,
        &editor,
        json!({"name": "Ana Lima", "bio": "Long bio", "location": "Lisbon"}),
    )
    .await;
    let id = author["id"].as_str().unwrap();

    let response = patch(
        &app,
        &editor,
        id,
        json!({"name": "Ana Lima Souza", "bio": null}),
    )
    .await;
    assert_eq!(response.status(), 200);
    let changed: Value = response.json().await.unwrap();
    assert_eq!(changed["name"], "Ana Lima Souza");
    assert_eq!(changed["slug"], "ana-lima", "published URLs stay put");
    assert_eq!(changed["bio"], Value::Null);
    assert_eq!(changed["location"], "Lisbon", "absent fields stay");

    let renamed: Value = patch(&app, &editor, id, json!({"slug": "ana-lima-souza"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(renamed["slug"], "ana-lima-souza");

    let unknown = patch(&app, &editor, id, json!({"nickname": "x"})).await;
    assert_problem(unknown, 422).await;
    let missing = patch(
        &app,
        &editor,
        &uuid::Uuid::new_v4().to_string(),
        json!({"name": "x"}),
    )
    .await;
    assert_problem(missing, 404).await;
}

#[tokio::test]
async fn the_list_filters_by_name_and_pages_with_a_cursor() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    for name in [
        "Bruno Costa",
        "ana lima",
        "Carla Dias",
        "Ana Beatriz",
        "Olena Honcharova",
    ] {
        created(&app, &editor, json!({"name": name})).await;
    }
    let mut names = Vec::new();
    let mut path = "/api/v1/authors?limit=2".to_owned();
    loop {
        let page: Value = app
            .get_as(&path, editor.token())
            .await
            .json()
            .await
            .unwrap();
        names.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["name"].as_str().unwrap().to_owned()),
        );
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/authors?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(
        names,
        vec![
            "Ana Beatriz",
            "ana lima",
            "Bruno Costa",
            "Carla Dias",
            "Olena Honcharova"
        ]
    );

    let filtered: Value = app
        .get_as("/api/v1/authors?name=ANA", editor.token())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(filtered["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn writers_read_authors_but_only_editors_change_them() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    let writer = app.user("writer").await;
    let author = created(&app, &editor, json!({"name": "Ana Lima"})).await;
    let id = author["id"].as_str().unwrap();
    assert_eq!(
        app.get_as(&format!("/api/v1/authors/{id}"), writer.token())
            .await
            .status(),
        200
    );
    assert_problem(create(&app, &writer, json!({"name": "Me"})).await, 403).await;
    assert_problem(patch(&app, &writer, id, json!({"name": "Me"})).await, 403).await;
}

#[tokio::test]
async fn deleting_an_author_removes_it_and_is_audited() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let author = created(&app, &admin, json!({"name": "Ana Lima"})).await;
    let path = format!("/api/v1/authors/{}", author["id"].as_str().unwrap());
    let response = app
        .request("DELETE", &path, Some(admin.token()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_problem(app.get_as(&path, admin.token()).await, 404).await;

    let log: Value = app
        .get_as("/api/v1/audit-log?target_type=author", admin.token())
        .await
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["author.delete", "author.create"]);
}
