//! The public article page: one request renders the whole page (authors, section, images,
//! embeds resolved, corrections, translations, "read more"), cacheable, with nothing
//! unpublished leaking through it.

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser, assert_problem};

fn id_of(value: &Value) -> String {
    value["id"].as_str().unwrap().to_owned()
}

fn etag_of(article: &Value) -> String {
    format!("\"v{}\"", article["version"])
}

/// Uploads a PNG `width` pixels wide with metadata; returns its id.
async fn upload(app: &TestApp, user: &TestUser, width: u32, caption: &str, credit: &str) -> String {
    let png = newsroom::media::image::test_support::png(width, 20);
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(png).file_name("a.png"),
        )
        .text("caption", caption.to_owned())
        .text("credit", credit.to_owned())
        .text("alt_text", format!("alt of {caption}"));
    let response = app.upload(user.token(), form).await;
    assert_eq!(response.status(), 201);
    id_of(&response.json().await.unwrap())
}

async fn article(app: &TestApp, editor: &TestUser, body: Value) -> Value {
    app.post_created(editor, "/api/v1/articles", body).await
}

async fn act(app: &TestApp, editor: &TestUser, article: &Value, action: &str) -> Value {
    let response = app
        .request(
            "POST",
            &format!("/api/v1/articles/{}/{action}", id_of(article)),
            Some(editor.token()),
        )
        .header("if-match", etag_of(article))
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 200, "{action}: {body}");
    body
}

async fn published(app: &TestApp, editor: &TestUser, body: Value) -> Value {
    let draft = article(app, editor, body).await;
    act(app, editor, &draft, "publish").await
}

async fn patch(app: &TestApp, editor: &TestUser, article: &Value, body: Value) -> Value {
    let response = app
        .request(
            "PATCH",
            &format!("/api/v1/articles/{}", id_of(article)),
            Some(editor.token()),
        )
        .header("if-match", etag_of(article))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "patching with {body}");
    response.json().await.unwrap()
}

async fn page(app: &TestApp, slug: &str) -> Value {
    let response = app.get(&format!("/api/v1/public/articles/{slug}")).await;
    assert_eq!(response.status(), 200, "public page at {slug}");
    response.json().await.unwrap()
}

/// A newsroom with a section, two authors (one with an avatar), a target article and a
/// draft; `main` is published with everything on its page.
struct Fixture {
    editor: TestUser,
    section: String,
    reporter: String,
    photographer: String,
    avatar: String,
    hero: String,
    inline: String,
    external: String,
    target: Value,
    main: Value,
}

const DRAFT_WORD: &str = "zanzibarquokka";

async fn fixture(app: &TestApp) -> Fixture {
    let editor = app.user("editor").await;
    let section = id_of(
        &app.post_created(&editor, "/api/v1/sections", json!({"name": "Climate"}))
            .await,
    );
    let avatar = upload(app, &editor, 40, "Portrait", "Staff").await;
    let reporter = id_of(
        &app.post_created(
            &editor,
            "/api/v1/authors",
            json!({
                "name": "Olena Kovalenko",
                "job_title": "Climate reporter",
                "bio": "Covers energy and climate.",
                "location": "Kyiv",
                "avatar_image_id": avatar,
                "email": "olena@newsroom.test",
                "links": [{"label": "Web site", "url": "https://example.org/olena"}]
            }),
        )
        .await,
    );
    let photographer = id_of(
        &app.post_created(&editor, "/api/v1/authors", json!({"name": "Ana Lima"}))
            .await,
    );
    let hero = upload(app, &editor, 700, "Flooded street", "Own credit").await;
    let response = app
        .request("PATCH", &format!("/api/v1/images/{hero}"), Some(editor.token()))
        .json(&json!({"photographer": "Ana Lima", "source": "Newsroom", "focal_point": {"x": 0.25, "y": 0.75}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let inline = upload(app, &editor, 40, "Map of the delta", "Image credit").await;
    let target_image = upload(app, &editor, 40, "Dam", "Wire").await;

    let target = published(
        app,
        &editor,
        json!({
            "headline": "Dam holds after storm",
            "dek": "Engineers relieved.",
            "section_id": section,
            "featured_image": {"image_id": target_image},
            "body": [{"type": "paragraph", "text": "The dam held."}]
        }),
    )
    .await;
    let draft = article(
        app,
        &editor,
        json!({
            "headline": format!("Secret {DRAFT_WORD} plan"),
            "dek": format!("The {DRAFT_WORD} dek"),
            "section_id": section,
            "body": [{"type": "paragraph", "text": format!("Draft {DRAFT_WORD} text.")}]
        }),
    )
    .await;
    let teaser = id_of(
        &app.post_created(
            &editor,
            "/api/v1/embeds",
            json!({"kind": "article", "article_id": id_of(&target), "label": "Editorial"}),
        )
        .await,
    );
    let draft_teaser = id_of(
        &app.post_created(
            &editor,
            "/api/v1/embeds",
            json!({"kind": "article", "article_id": id_of(&draft), "label": "Read also"}),
        )
        .await,
    );
    let external = id_of(
        &app.post_created(
            &editor,
            "/api/v1/embeds",
            json!({"kind": "external", "url": "https://www.youtube.com/watch?v=dQw4w9WgXcQ"}),
        )
        .await,
    );
    let main = published(
        app,
        &editor,
        json!({
            "headline": "Floods reach the delta",
            "kicker": "Climate",
            "dek": "Water levels are the highest in a century.",
            "section_id": section,
            "tags": ["floods", "climate"],
            "language": "en",
            "bylines": [
                {"author_id": reporter, "role": "reporting"},
                {"author_id": photographer, "role": "photos"}
            ],
            "featured_image": {"image_id": hero, "credit": "Override credit"},
            "body": [
                {"type": "paragraph", "text": "The water rose overnight."},
                {"type": "image", "image_id": inline, "caption": "Block caption"},
                {"type": "embed", "embed_id": external},
                {"type": "embed", "embed_id": teaser},
                {"type": "embed", "embed_id": draft_teaser},
                {"type": "paragraph", "text": "Residents left by boat."}
            ]
        }),
    )
    .await;
    Fixture {
        editor,
        section,
        reporter,
        photographer,
        avatar,
        hero,
        inline,
        external,
        target,
        main,
    }
}

#[tokio::test]
async fn the_page_has_authors_images_and_embeds_resolved_in_one_request() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let seen = page(&app, "floods-reach-the-delta").await;

    assert_eq!(seen["id"], id_of(&f.main));
    assert_eq!(seen["slug"], "floods-reach-the-delta");
    assert_eq!(seen["headline"], "Floods reach the delta");
    assert_eq!(seen["kicker"], "Climate");
    assert_eq!(seen["dek"], "Water levels are the highest in a century.");
    assert_eq!(seen["language"], "en");
    assert_eq!(seen["tags"], json!(["floods", "climate"]));
    assert_eq!(
        seen["section"],
        json!({"name": "Climate", "slug": "climate"})
    );
    assert_eq!(seen["word_count"], 8);
    assert_eq!(seen["reading_time_minutes"], 1);
    assert!(seen["first_published_at"].is_string());
    assert!(seen["published_at"].is_string());

    let authors = seen["authors"].as_array().unwrap();
    assert_eq!(authors.len(), 2);
    assert_eq!(authors[0]["id"], f.reporter);
    assert_eq!(authors[0]["name"], "Olena Kovalenko");
    assert_eq!(authors[0]["slug"], "olena-kovalenko");
    assert_eq!(authors[0]["role"], "reporting");
    assert_eq!(authors[0]["job_title"], "Climate reporter");
    assert_eq!(authors[0]["bio"], "Covers energy and climate.");
    assert_eq!(authors[0]["location"], "Kyiv");
    assert_eq!(
        authors[0]["links"],
        json!([{"label": "Web site", "url": "https://example.org/olena"}])
    );
    assert_eq!(authors[0]["avatar"]["id"], f.avatar);
    assert_eq!(
        authors[0]["avatar"]["url"],
        format!("/api/v1/public/images/{}/file", f.avatar)
    );
    assert!(
        authors[0].get("email").is_none(),
        "contact e-mail is not public"
    );
    assert_eq!(authors[1]["id"], f.photographer);
    assert_eq!(authors[1]["role"], "photos");
    assert_eq!(authors[1]["avatar"], Value::Null);

    let hero = &seen["featured_image"];
    let hero_url = format!("/api/v1/public/images/{}/file", f.hero);
    assert_eq!(hero["id"], f.hero);
    assert_eq!(hero["url"], hero_url);
    assert_eq!(hero["width"], 700);
    assert_eq!(hero["height"], 20);
    assert_eq!(
        hero["renditions"],
        json!([
            {"width": 320, "url": format!("{hero_url}?w=320")},
            {"width": 640, "url": format!("{hero_url}?w=640")}
        ])
    );
    assert_eq!(hero["caption"], "Flooded street");
    assert_eq!(hero["credit"], "Override credit");
    assert_eq!(hero["alt_text"], "alt of Flooded street");
    assert_eq!(hero["photographer"], "Ana Lima");
    assert_eq!(hero["source"], "Newsroom");
    assert_eq!(hero["illustrative"], false);
    assert_eq!(hero["focal_point"], json!({"x": 0.25, "y": 0.75}));

    let body = seen["body"].as_array().unwrap();
    let types: Vec<&str> = body.iter().map(|b| b["type"].as_str().unwrap()).collect();
    assert_eq!(
        types,
        vec!["paragraph", "image", "embed", "embed", "paragraph"],
        "the teaser of a draft is left out: {body:?}"
    );
    assert_eq!(body[0]["text"], "The water rose overnight.");
    let image = &body[1]["image"];
    assert_eq!(image["id"], f.inline);
    assert_eq!(image["caption"], "Block caption");
    assert_eq!(image["credit"], "Image credit");
    assert_eq!(image["renditions"], json!([]));
    let external = &body[2]["embed"];
    assert_eq!(body[2]["embed_id"], f.external);
    assert_eq!(external["kind"], "external");
    assert_eq!(external["provider"], "youtube");
    assert_eq!(
        external["url"],
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    );
    let markup = external["html"].as_str().unwrap();
    assert!(
        markup.contains("youtube") && markup.contains("dQw4w9WgXcQ"),
        "{markup}"
    );
    assert!(!markup.contains("<script"), "{markup}");
    let teaser = &body[3]["embed"];
    assert_eq!(teaser["kind"], "article");
    assert_eq!(teaser["label"], "Editorial");
    assert_eq!(teaser["article_id"], id_of(&f.target));
    assert_eq!(teaser["headline"], "Dam holds after storm");
    assert_eq!(teaser["excerpt"], "Engineers relieved.");
    assert_eq!(
        teaser["url"],
        "/api/v1/public/articles/dam-holds-after-storm"
    );
    assert!(teaser["image"]["url"].is_string());
    assert_eq!(teaser["image"]["caption"], "Dam");

    assert_eq!(seen["corrections"], json!([]));
    assert_eq!(seen["translations"], json!([]));
    let read_more = seen["read_more"].as_array().unwrap();
    assert_eq!(read_more.len(), 1, "{read_more:?}");
    assert_eq!(read_more[0]["id"], id_of(&f.target));
    assert_eq!(read_more[0]["slug"], "dam-holds-after-storm");
    assert!(read_more[0]["featured_image_url"].is_string());
}

#[tokio::test]
async fn a_teaser_follows_the_targets_current_published_revision_and_leaves_when_it_does() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let editor = &f.editor;
    // An unpublished edit of the target is not shown.
    let edited = patch(
        &app,
        editor,
        &f.target,
        json!({"headline": "Dam holds after record storm", "slug": "dam-holds-after-record-storm"}),
    )
    .await;
    let teaser = |page: &Value| page["body"][3]["embed"].clone();
    let seen = page(&app, "floods-reach-the-delta").await;
    assert_eq!(teaser(&seen)["headline"], "Dam holds after storm");
    assert_eq!(seen["read_more"][0]["headline"], "Dam holds after storm");

    let republished = act(&app, editor, &edited, "publish").await;
    let seen = page(&app, "floods-reach-the-delta").await;
    assert_eq!(teaser(&seen)["headline"], "Dam holds after record storm");
    assert_eq!(
        teaser(&seen)["url"],
        "/api/v1/public/articles/dam-holds-after-record-storm"
    );
    assert_eq!(
        seen["read_more"][0]["headline"],
        "Dam holds after record storm"
    );

    act(&app, editor, &republished, "unpublish").await;
    let seen = page(&app, "floods-reach-the-delta").await;
    let types: Vec<&str> = seen["body"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, vec!["paragraph", "image", "embed", "paragraph"]);
    assert_eq!(seen["read_more"], json!([]));
    assert!(
        !seen.to_string().contains("Dam holds"),
        "an unpublished article leaks: {seen}"
    );
}

#[tokio::test]
async fn a_deleted_embed_or_image_is_left_out_not_a_500() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    // The working copy stops using them (not republished), so they can be deleted while the
    // published revision still refers to them.
    patch(
        &app,
        &f.editor,
        &f.main,
        json!({"body": [{"type": "paragraph", "text": "Rewritten."}]}),
    )
    .await;
    for path in [
        format!("/api/v1/embeds/{}", f.external),
        format!("/api/v1/images/{}", f.inline),
    ] {
        let response = app
            .request("DELETE", &path, Some(f.editor.token()))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 204, "DELETE {path}");
    }
    let seen = page(&app, "floods-reach-the-delta").await;
    let types: Vec<&str> = seen["body"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, vec!["paragraph", "embed", "paragraph"]);
    assert_eq!(seen["body"][1]["embed"]["kind"], "article");
}

#[tokio::test]
async fn read_more_lists_only_published_articles_of_the_same_section_newest_first() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let editor = &f.editor;
    let other_section = id_of(
        &app.post_created(editor, "/api/v1/sections", json!({"name": "Sport"}))
            .await,
    );
    published(
        &app,
        editor,
        json!({"headline": "Cup final tonight", "section_id": other_section}),
    )
    .await;
    let mut expected = vec![];
    for n in 0..6 {
        let a = published(
            &app,
            editor,
            json!({"headline": format!("Climate story {n}"), "section_id": f.section}),
        )
        .await;
        expected.push(id_of(&a));
    }
    let gone = published(
        &app,
        editor,
        json!({"headline": "Pulled climate story", "section_id": f.section}),
    )
    .await;
    act(&app, editor, &gone, "unpublish").await;
    // Moved to another section in its working copy only: still in this section for readers.
    let newest = published(
        &app,
        editor,
        json!({"headline": "Climate story 6", "section_id": f.section}),
    )
    .await;
    patch(&app, editor, &newest, json!({"section_id": other_section})).await;
    expected.push(id_of(&newest));
    let seen = page(&app, "floods-reach-the-delta").await;
    let ids: Vec<String> = seen["read_more"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    expected.reverse();
    expected.truncate(5);
    assert_eq!(ids, expected);
    let text = seen["read_more"].to_string();
    assert!(
        !text.contains("Cup final") && !text.contains("Pulled"),
        "{text}"
    );
    assert!(!ids.contains(&id_of(&f.main)));
}

#[tokio::test]
async fn translations_link_the_published_language_versions() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    let original = published(&app, &editor, json!({"headline": "Floods reach the delta"})).await;
    let ukrainian = published(
        &app,
        &editor,
        json!({"headline": "Повінь дійшла до дельти", "slug": "povin-dijshla", "language": "uk", "translation_of": id_of(&original)}),
    )
    .await;
    let german = article(
        &app,
        &editor,
        json!({"headline": "Flut erreicht das Delta", "language": "de", "translation_of": id_of(&original)}),
    )
    .await;
    let french = published(
        &app,
        &editor,
        json!({"headline": "La crue atteint le delta", "language": "fr", "translation_of": id_of(&original)}),
    )
    .await;

    let seen = page(&app, "floods-reach-the-delta").await;
    let languages: Vec<(&str, &str)> = seen["translations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["language"].as_str().unwrap(), t["slug"].as_str().unwrap()))
        .collect();
    assert_eq!(
        languages,
        vec![("uk", "povin-dijshla"), ("fr", "la-crue-atteint-le-delta")]
    );
    assert_eq!(
        seen["translations"][0]["url"],
        "/api/v1/public/articles/povin-dijshla"
    );

    let seen = page(&app, "povin-dijshla").await;
    let ids: Vec<&str> = seen["translations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![id_of(&original), id_of(&french)]);
    let translations = seen["translations"].to_string();
    assert!(
        !translations.contains(&id_of(&german)),
        "a draft is not a version"
    );
    assert!(!translations.contains(&id_of(&ukrainian)), "not itself");
}

#[tokio::test]
async fn corrections_are_dated_on_the_page() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    let a = published(&app, &editor, json!({"headline": "Minister visits"})).await;
    let note = "An earlier version misspelt the minister's name.";
    app.post_created(
        &editor,
        &format!("/api/v1/articles/{}/corrections", id_of(&a)),
        json!({"note": note}),
    )
    .await;
    let seen = page(&app, "minister-visits").await;
    let corrections = seen["corrections"].as_array().unwrap();
    assert_eq!(corrections.len(), 1);
    assert_eq!(corrections[0]["note"], note);
    assert!(corrections[0]["created_at"].is_string());
}

#[tokio::test]
async fn the_page_is_cacheable_with_etag_304_and_surrogate_keys() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let path = "/api/v1/public/articles/floods-reach-the-delta";
    let response = app.get(path).await;
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    let etag = headers["etag"].to_str().unwrap().to_owned();
    let cache_control = headers["cache-control"].to_str().unwrap();
    assert!(cache_control.contains("max-age="), "{cache_control}");
    assert!(
        cache_control.contains("stale-while-revalidate="),
        "{cache_control}"
    );
    let keys: Vec<String> = headers["surrogate-key"]
        .to_str()
        .unwrap()
        .split(' ')
        .map(str::to_owned)
        .collect();
    for key in [
        format!("article:{}", id_of(&f.main)),
        format!("article:{}", id_of(&f.target)),
        format!("author:{}", f.reporter),
        format!("author:{}", f.photographer),
        format!("image:{}", f.hero),
        format!("image:{}", f.avatar),
        format!("image:{}", f.inline),
        format!("embed:{}", f.external),
    ] {
        assert!(keys.contains(&key), "{key} missing from {keys:?}");
    }

    let again = app
        .client
        .get(app.url(path))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
    assert!(again.headers().contains_key("cache-control"));
    assert!(again.bytes().await.unwrap().is_empty());

    // A change to something the page shows changes the ETag.
    let response = app
        .request(
            "PATCH",
            &format!("/api/v1/images/{}", f.inline),
            Some(f.editor.token()),
        )
        .json(&json!({"credit": "New credit"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let changed = app
        .client
        .get(app.url(path))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    assert_ne!(changed.headers()["etag"].to_str().unwrap(), etag);
}

#[tokio::test]
async fn nothing_of_a_draft_appears_on_a_published_page() {
    let app = TestApp::spawn().await;
    let f = fixture(&app).await;
    let response = app
        .get("/api/v1/public/articles/floods-reach-the-delta")
        .await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(!text.to_lowercase().contains(DRAFT_WORD), "{text}");
    // An unpublished edit of the published article itself stays private too.
    let main = patch(
        &app,
        &f.editor,
        &f.main,
        json!({"dek": format!("Edited {DRAFT_WORD} dek")}),
    )
    .await;
    assert_eq!(main["status"], "published");
    let text = app
        .get("/api/v1/public/articles/floods-reach-the-delta")
        .await
        .text()
        .await
        .unwrap();
    assert!(!text.to_lowercase().contains(DRAFT_WORD), "{text}");
    let draft_slug = format!("secret-{DRAFT_WORD}-plan");
    assert_problem(
        app.get(&format!("/api/v1/public/articles/{draft_slug}"))
            .await,
        404,
    )
    .await;
}

#[tokio::test]
async fn an_old_slug_redirects_and_unknown_slugs_are_404() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    let a = published(&app, &editor, json!({"headline": "Mayor resigns"})).await;
    let renamed = patch(
        &app,
        &editor,
        &a,
        json!({"slug": "mayor-resigns-after-audit"}),
    )
    .await;
    act(&app, &editor, &renamed, "publish").await;
    let old = app.get("/api/v1/public/articles/mayor-resigns").await;
    assert_eq!(old.status(), 301);
    assert_eq!(
        old.headers()["location"],
        "/api/v1/public/articles/mayor-resigns-after-audit"
    );
    assert_problem(app.get("/api/v1/public/articles/no-such-story").await, 404).await;
}
