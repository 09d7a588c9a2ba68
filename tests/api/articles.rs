//! Articles with a structured body: blocks, validation that names the block, references,
//! computed reading time, optimistic concurrency, writer-own rules; sections.

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser, assert_problem};

async fn create(app: &TestApp, user: &TestUser, body: Value) -> reqwest::Response {
    app.post_json("/api/v1/articles", Some(user.token()), &body)
        .await
}

async fn created(app: &TestApp, user: &TestUser, body: Value) -> (Value, String) {
    let response = create(app, user, body).await;
    assert_eq!(response.status(), 201);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    (response.json().await.unwrap(), etag)
}

async fn patch(
    app: &TestApp,
    user: &TestUser,
    id: &str,
    if_match: Option<&str>,
    body: Value,
) -> reqwest::Response {
    let mut request = app
        .request(
            "PATCH",
            &format!("/api/v1/articles/{id}"),
            Some(user.token()),
        )
        .json(&body);
    if let Some(tag) = if_match {
        request = request.header("if-match", tag);
    }
    request.send().await.unwrap()
}

async fn upload_png(app: &TestApp, user: &TestUser) -> String {
    let png = newsroom::media::image::test_support::png(40, 30);
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(png).file_name("a.png"),
    );
    let response = app.upload(user.token(), form).await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    body["id"].as_str().unwrap().to_owned()
}

async fn author(app: &TestApp, editor: &TestUser, name: &str) -> String {
    let response = app
        .post_json(
            "/api/v1/authors",
            Some(editor.token()),
            &json!({"name": name}),
        )
        .await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.unwrap();
    body["id"].as_str().unwrap().to_owned()
}

async fn embed(app: &TestApp, user: &TestUser, body: Value) -> reqwest::Response {
    app.post_json("/api/v1/embeds", Some(user.token()), &body)
        .await
}

fn fields_of(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn an_article_with_every_block_type_round_trips() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    let image = upload_png(&app, &editor).await;
    let ana = author(&app, &editor, "Ana Lima").await;
    let olena = author(&app, &editor, "Олена Гончарова").await;
    let video = embed(
        &app,
        &editor,
        json!({"kind": "external", "url": "https://youtu.be/dQw4w9WgXcQ"}),
    )
    .await;
    assert_eq!(video.status(), 201);
    let video: Value = video.json().await.unwrap();
    let section: Value = app
        .post_json(
            "/api/v1/sections",
            Some(editor.token()),
            &json!({"name": "News Feed"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let body = json!([
        {"type": "paragraph", "text": "The Senate <strong>passed</strong> the bill, <a href=\"https://example.org\">reports</a> say."},
        {"type": "heading", "level": 2, "text": "What is in it"},
        {"type": "image", "image_id": image, "caption": "The chamber", "credit": "AP"},
        {"type": "embed", "embed_id": video["id"]},
        {"type": "quote", "text": "A start, not an end.", "attribution": "The leader"},
        {"type": "list", "ordered": true, "items": ["Judges", "Staff"]},
        {"type": "divider"}
    ]);
    let (article, etag) = created(
        &app,
        &editor,
        json!({
            "headline": "Сенат ухвалив закон",
            "dek": "The vote ends a stand-off.",
            "kicker": "News Feed",
            "section_id": section["id"],
            "tags": ["US Politics", "us-politics", "Immigration"],
            "language": "uk-ua",
            "bylines": [{"author_id": olena, "role": "reporting"}, {"author_id": ana}],
            "featured_image": {"image_id": image, "caption": "Senators", "credit": "Reuters"},
            "body": body,
            "seo_title": "Senate passes bill",
            "canonical_url": "https://example.org/senate"
        }),
    )
    .await;
    assert_eq!(article["slug"], "senat-ukhvalyv-zakon");
    assert_eq!(article["status"], "draft");
    assert_eq!(article["version"], 1);
    assert_eq!(etag, "\"v1\"");
    assert_eq!(article["tags"], json!(["us-politics", "immigration"]));
    assert_eq!(article["language"], "uk-UA");
    assert_eq!(article["author_ids"], json!([olena, ana]));
    assert_eq!(article["authors"][0]["role"], "reporting");
    assert_eq!(article["authors"][0]["slug"], "olena-honcharova");
    assert_eq!(article["body"].as_array().unwrap().len(), 7);
    assert_eq!(article["body"][3]["embed_id"], video["id"]);
    assert_eq!(article["featured_image"]["credit"], "Reuters");
    // 8 + 3 + 5 (quote) + 2 (attribution) + 2 (list) words.
    assert_eq!(article["word_count"], 20);
    assert_eq!(article["reading_time_minutes"], 1);

    let id = article["id"].as_str().unwrap();
    let read = app
        .get_as(&format!("/api/v1/articles/{id}"), editor.token())
        .await;
    assert_eq!(read.headers()["etag"], "\"v1\"");
    let read: Value = read.json().await.unwrap();
    assert_eq!(read, article);
}

#[tokio::test]
async fn a_690_word_body_reads_in_3_minutes() {
    let app = TestApp::spawn().await;
    let writer = app.user("writer").await;
    let words = "word ".repeat(345);
    let (article, _) = created(
        &app,
        &writer,
        json!({"headline": "Long read", "body": [
            {"type": "paragraph", "text": words},
            {"type": "paragraph", "text": words}
        ]}),
    )
    .await;
    assert_eq!(article["word_count"], 690);
    assert_eq!(article["reading_time_minutes"], 3);
}

#[tokio::test]
async fn invalid_blocks_are_refused_naming_the_block_and_field() {
    let app = TestApp::spawn().await;
    let writer = app.user("writer").await;
    let missing = uuid::Uuid::new_v4();
    let response = create(
        &app,
        &writer,
        json!({"headline": "Bad body", "body": [
            {"type": "paragraph", "text": "fine"},
            {"type": "video", "src": "x"},
            {"type": "paragraph"},
            {"type": "heading", "level": 9, "text": "x"},
            {"type": "list", "ordered": false, "items": []},
            {"text": "no type"},
            {"type": "divider", "style": "dotted"}
        ]}),
    )
    .await;
    let problem = assert_problem(response, 422).await;
    assert_eq!(
        fields_of(&problem),
        vec![
            "body[1].type",
            "body[2].text",
            "body[5].type",
            "body[6].style"
        ]
    );

    let response = create(
        &app,
        &writer,
        json!({"headline": "Bad rules", "body": [
            {"type": "heading", "level": 9, "text": "x"},
            {"type": "list", "ordered": false, "items": []},
            {"type": "paragraph", "text": "<b></b>  "}
        ]}),
    )
    .await;
    let problem = assert_problem(response, 422).await;
    assert_eq!(
        fields_of(&problem),
        vec!["body[0].level", "body[1].items", "body[2].text"]
    );

    let response = create(
        &app,
        &writer,
        json!({"headline": "Dangling", "section_id": missing, "author_ids": [missing],
        "translation_of": missing,
        "featured_image": {"image_id": missing},
        "body": [
            {"type": "paragraph", "text": "fine"},
            {"type": "image", "image_id": missing},
            {"type": "paragraph", "text": "fine"},
            {"type": "embed", "embed_id": missing}
        ]}),
    )
    .await;
    let problem = assert_problem(response, 422).await;
    let errors = problem["errors"].as_array().unwrap();
    let pairs: Vec<(String, String)> = errors
        .iter()
        .map(|e| {
            (
                e["field"].as_str().unwrap().to_owned(),
                e["message"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    for expected in [
        ("section_id", "no such section"),
        ("body[1].image_id", "no such image"),
        ("featured_image.image_id", "no such image"),
        ("body[3].embed_id", "no such embed"),
        ("author_ids[0]", "no such author"),
        ("translation_of", "no such article"),
    ] {
        assert!(
            pairs.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} missing from {pairs:?}"
        );
    }

    let list: Value = app
        .get_as("/api/v1/articles", writer.token())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"], json!([]), "nothing was stored");
}

#[tokio::test]
async fn other_fields_are_checked_too() {
    let app = TestApp::spawn().await;
    let writer = app.user("writer").await;
    let ana = uuid::Uuid::new_v4();
    let response = create(
        &app,
        &writer,
        json!({"headline": "", "language": "english", "tags": ["ok", "!!!"],
            "canonical_url": "javascript:alert(1)", "author_ids": [ana, ana]}),
    )
    .await;
    let problem = assert_problem(response, 422).await;
    let fields = fields_of(&problem);
    assert!(fields.contains(&"headline".to_owned()), "{fields:?}");
    assert!(fields.contains(&"canonical_url".to_owned()), "{fields:?}");

    let response = create(
        &app,
        &writer,
        json!({"headline": "x", "language": "english"}),
    )
    .await;
    assert_eq!(
        fields_of(&assert_problem(response, 422).await),
        vec!["language"]
    );
    let response = create(
        &app,
        &writer,
        json!({"headline": "x", "tags": ["ok", "!!!"]}),
    )
    .await;
    assert_eq!(
        fields_of(&assert_problem(response, 422).await),
        vec!["tags[1]"]
    );
    let response = create(
        &app,
        &writer,
        json!({"headline": "x", "author_ids": [ana, ana]}),
    )
    .await;
    assert_eq!(
        fields_of(&assert_problem(response, 422).await),
        vec!["author_ids[1]"]
    );
    let response = create(&app, &writer, json!({"headline": "x", "colour": "red"})).await;
    assert_problem(response, 422).await;
}

#[tokio::test]
async fn paragraph_markup_is_limited_and_sanitised() {
    let app = TestApp::spawn().await;
    let writer = app.user("writer").await;
    let (article, _) = created(
        &app,
        &writer,
        json!({"headline": "Markup", "body": [{"type": "paragraph", "text":
            "<em>a</em> <strong>b</strong> <a href=\"mailto:x@y.z\">c</a><br><script>alert(1)</script><img src=x onerror=alert(1)><a href=\"javascript:alert(1)\">d</a><h1>e</h1>"}]}),
    )
    .await;
    let text = article["body"][0]["text"].as_str().unwrap();
    for banned in ["<script", "onerror", "javascript:", "<img", "<h1"] {
        assert!(!text.contains(banned), "{banned} in {text}");
    }
    for kept in [
        "<em>a</em>",
        "<strong>b</strong>",
        "href=\"mailto:x@y.z\"",
        "<br>",
    ] {
        assert!(text.contains(kept), "{kept} missing from {text}");
    }
}

#[tokio::test]
async fn patch_needs_if_match_and_a_stale_one_changes_nothing() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    let (article, etag) = created(&app, &editor, json!({"headline": "First"})).await;
    let id = article["id"].as_str().unwrap();

    let missing = patch(&app, &editor, id, None, json!({"headline": "x"})).await;
    assert_problem(missing, 428).await;

    let ok = patch(
        &app,
        &editor,
        id,
        Some(&etag),
        json!({"headline": "Second"}),
    )
    .await;
    assert_eq!(ok.status(), 200);
    assert_eq!(ok.headers()["etag"], "\"v2\"");
    let ok: Value = ok.json().await.unwrap();
    assert_eq!(ok["version"], 2);
    assert_eq!(
        ok["slug"], "first",
        "the slug stays when the headline changes"
    );

    let stale = patch(
        &app,
        &editor,
        id,
        Some(&etag),
        json!({"headline": "Lost update"}),
    )
    .await;
    assert_problem(stale, 412).await;
    let weak = patch(
        &app,
        &editor,
        id,
        Some("W/\"v2\""),
        json!({"headline": "x"}),
    )
    .await;
    assert_problem(weak, 412).await;
    let read: Value = app
        .get_as(&format!("/api/v1/articles/{id}"), editor.token())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read["headline"], "Second");
    assert_eq!(read["version"], 2);
}

#[tokio::test]
async fn an_invalid_patch_is_422_whatever_if_match_says() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    let (article, _) = created(&app, &editor, json!({"headline": "First"})).await;
    let id = article["id"].as_str().unwrap();

    // Found by contract fuzzing: a bad body was answered 412 when If-Match was stale too.
    for tag in [None, Some(""), Some("\"v99\"")] {
        for url in ["", "not a url"] {
            let body = json!({"canonical_url": url});
            let refused = patch(&app, &editor, id, tag, body).await;
            let problem = assert_problem(refused, 422).await;
            assert_eq!(
                problem["errors"][0]["field"], "canonical_url",
                "{tag:?} {url:?}"
            );
        }
    }
}

#[tokio::test]
async fn two_concurrent_updates_from_one_version_one_wins_one_gets_412() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    let (article, etag) = created(&app, &editor, json!({"headline": "Race"})).await;
    let id = article["id"].as_str().unwrap();
    let (a, b) = tokio::join!(
        patch(&app, &editor, id, Some(&etag), json!({"dek": "from A"})),
        patch(&app, &editor, id, Some(&etag), json!({"kicker": "from B"})),
    );
    let mut statuses = vec![a.status().as_u16(), b.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, vec![200, 412]);
    let read: Value = app
        .get_as(&format!("/api/v1/articles/{id}"), editor.token())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(read["version"], 2);
    let a_won = read["dek"] == "from A";
    let b_won = read["kicker"] == "from B";
    assert!(a_won ^ b_won, "exactly one edit is in: {read}");
}

#[tokio::test]
async fn writers_edit_their_own_drafts_but_not_others() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let writer = app.user_created_by(&admin, "writer").await;
    let other = app.user_created_by(&admin, "writer").await;
    let editor = app.user_created_by(&admin, "editor").await;
    let (article, etag) = created(&app, &writer, json!({"headline": "Mine"})).await;
    let id = article["id"].as_str().unwrap();
    assert_eq!(article["created_by"], writer.id.as_str());

    assert_eq!(
        patch(&app, &writer, id, Some(&etag), json!({"dek": "ok"}))
            .await
            .status(),
        200
    );
    // Another writer's draft is hidden from them altogether: 404, as for an unknown id.
    let denied = patch(&app, &other, id, Some("\"v2\""), json!({"dek": "no"})).await;
    assert_problem(denied, 404).await;
    assert_eq!(
        patch(&app, &editor, id, Some("\"v2\""), json!({"dek": "edited"}))
            .await
            .status(),
        200
    );
    let delete = app
        .request(
            "DELETE",
            &format!("/api/v1/articles/{id}"),
            Some(other.token()),
        )
        .send()
        .await
        .unwrap();
    assert_problem(delete, 404).await;
    let delete = app
        .request(
            "DELETE",
            &format!("/api/v1/articles/{id}"),
            Some(writer.token()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(delete.status(), 204);
}

#[tokio::test]
async fn things_in_use_cannot_be_deleted() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    let image = upload_png(&app, &editor).await;
    let ana = author(&app, &editor, "Ana Lima").await;
    let target = created(&app, &editor, json!({"headline": "Target"}))
        .await
        .0;
    let teaser: Value = embed(
        &app,
        &editor,
        json!({"kind": "article", "article_id": target["id"], "label": "Editorial"}),
    )
    .await
    .json()
    .await
    .unwrap();
    let (article, _) = created(
        &app,
        &editor,
        json!({"headline": "Host story", "author_ids": [ana],
            "featured_image": {"image_id": image},
            "body": [{"type": "embed", "embed_id": teaser["id"]}]}),
    )
    .await;
    let delete = |path: String| {
        let request = app.request("DELETE", &path, Some(editor.token()));
        async move { request.send().await.unwrap() }
    };
    let problem = assert_problem(delete(format!("/api/v1/images/{image}")).await, 409).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("Host story"),
        "{problem}"
    );
    let problem = assert_problem(delete(format!("/api/v1/authors/{ana}")).await, 409).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("Host story"),
        "{problem}"
    );
    let problem = assert_problem(
        delete(format!("/api/v1/embeds/{}", teaser["id"].as_str().unwrap())).await,
        409,
    )
    .await;
    assert!(
        problem["detail"].as_str().unwrap().contains("Host story"),
        "{problem}"
    );
    let problem = assert_problem(
        delete(format!(
            "/api/v1/articles/{}",
            target["id"].as_str().unwrap()
        ))
        .await,
        409,
    )
    .await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains(teaser["id"].as_str().unwrap())
    );

    // Once the host story is gone, everything can go.
    let host = article["id"].as_str().unwrap();
    assert_eq!(
        delete(format!("/api/v1/articles/{host}")).await.status(),
        204
    );
    assert_eq!(
        delete(format!("/api/v1/embeds/{}", teaser["id"].as_str().unwrap()))
            .await
            .status(),
        204
    );
    assert_eq!(
        delete(format!("/api/v1/images/{image}")).await.status(),
        204
    );
    assert_eq!(delete(format!("/api/v1/authors/{ana}")).await.status(), 204);
}

#[tokio::test]
async fn the_list_filters_and_pages() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    let ana = author(&app, &editor, "Ana Lima").await;
    for (headline, tags) in [
        ("Alpha", json!(["a"])),
        ("Beta", json!(["b"])),
        ("Gamma", json!(["a"])),
    ] {
        created(
            &app,
            &editor,
            json!({"headline": headline, "tags": tags, "author_ids": [ana]}),
        )
        .await;
    }
    created(&app, &editor, json!({"headline": "Delta"})).await;

    let tagged: Value = app
        .get_as("/api/v1/articles?tag=a", editor.token())
        .await
        .json()
        .await
        .unwrap();
    let headlines: Vec<&str> = tagged["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["headline"].as_str().unwrap())
        .collect();
    assert_eq!(headlines, vec!["Gamma", "Alpha"]);
    let by_author: Value = app
        .get_as(
            &format!("/api/v1/articles?author={ana}&status=draft"),
            editor.token(),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(by_author["items"].as_array().unwrap().len(), 3);
    let text: Value = app
        .get_as("/api/v1/articles?q=ELT", editor.token())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(text["items"][0]["headline"], "Delta");

    let mut seen = Vec::new();
    let mut path = "/api/v1/articles?limit=3".to_owned();
    loop {
        let page: Value = app
            .get_as(&path, editor.token())
            .await
            .json()
            .await
            .unwrap();
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["id"].clone()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => path = format!("/api/v1/articles?limit=3&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 4);
    seen.dedup();
    assert_eq!(seen.len(), 4);
}

#[tokio::test]
async fn sections_are_managed_by_editors_and_protected_while_used() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    let writer = app.user("writer").await;
    let response = app
        .post_json(
            "/api/v1/sections",
            Some(writer.token()),
            &json!({"name": "World"}),
        )
        .await;
    assert_problem(response, 403).await;
    let section: Value = app
        .post_json(
            "/api/v1/sections",
            Some(editor.token()),
            &json!({"name": "World News", "position": 2}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(section["slug"], "world-news");
    let dup = app
        .post_json(
            "/api/v1/sections",
            Some(editor.token()),
            &json!({"name": "World News"}),
        )
        .await;
    assert_problem(dup, 409).await;
    created(
        &app,
        &writer,
        json!({"headline": "Filed", "section_id": section["id"]}),
    )
    .await;
    let path = format!("/api/v1/sections/{}", section["id"].as_str().unwrap());
    let delete = app
        .request("DELETE", &path, Some(editor.token()))
        .send()
        .await
        .unwrap();
    assert_problem(delete, 409).await;
    let list: Value = app
        .get_as("/api/v1/sections", writer.token())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list[0]["name"], "World News");
}
