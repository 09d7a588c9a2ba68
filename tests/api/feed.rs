//! The public news feed: only what is published, newest first, filters, constant-cost cursor
//! paging, HTTP caching.

use serde_json::{Value, json};

use crate::helpers::{TestApp, headlines};

async fn feed(app: &TestApp, query: &str) -> Value {
    let response = app.get(&format!("/api/v1/public/articles{query}")).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

#[tokio::test]
async fn the_feed_shows_published_articles_newest_first_with_filters() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    let section: Value = app
        .post_json(
            "/api/v1/sections",
            Some(editor.token()),
            &json!({"name": "World"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let author: Value = app
        .post_json(
            "/api/v1/authors",
            Some(editor.token()),
            &json!({"name": "Ana Lima"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let first = app
        .create_article(
            &editor,
            json!({"headline": "First", "tags": ["Climate"], "section_id": section["id"]}),
        )
        .await;
    let second = app
        .create_article(
            &editor,
            json!({"headline": "Second", "language": "uk", "author_ids": [author["id"]]}),
        )
        .await;
    let third = app
        .create_article(
            &editor,
            json!({"headline": "Third", "tags": ["climate"], "author_ids": [author["id"]]}),
        )
        .await;
    let draft = app
        .create_article(&editor, json!({"headline": "Draft never shown"}))
        .await;
    for id in [&first, &second, &third] {
        app.act(&editor, id, "publish").await;
    }
    let _ = draft;

    let all = feed(&app, "").await;
    assert_eq!(headlines(&all), vec!["Third", "Second", "First"]);
    assert_eq!(all["items"][0]["authors"][0]["slug"], "ana-lima");
    assert!(all["next_cursor"].is_null());
    assert_eq!(
        headlines(&feed(&app, "?section=world").await),
        vec!["First"]
    );
    assert_eq!(
        headlines(&feed(&app, "?tag=CLIMATE").await),
        vec!["Third", "First"]
    );
    assert_eq!(
        headlines(&feed(&app, "?author=ana-lima").await),
        vec!["Third", "Second"]
    );
    assert_eq!(headlines(&feed(&app, "?language=uk").await), vec!["Second"]);
    assert!(headlines(&feed(&app, "?section=nowhere").await).is_empty());

    // Unpublishing takes it out of the feed at once; editing a published one changes nothing
    // until it is republished.
    app.act(&editor, &third, "unpublish").await;
    let response = app
        .request(
            "PATCH",
            &format!("/api/v1/articles/{first}"),
            Some(editor.token()),
        )
        .header("if-match", "*")
        .json(&json!({"headline": "First, edited"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(headlines(&feed(&app, "").await), vec!["Second", "First"]);
    app.act(&editor, &first, "publish").await;
    assert_eq!(
        headlines(&feed(&app, "").await),
        vec!["First, edited", "Second"]
    );
}

#[tokio::test]
async fn cursor_paging_reaches_the_end_without_repeats_while_new_articles_appear() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    for n in 0..7 {
        let id = app
            .create_article(&editor, json!({"headline": format!("Story {n}")}))
            .await;
        app.act(&editor, &id, "publish").await;
    }
    let mut seen = Vec::new();
    let mut query = "?limit=3".to_owned();
    let mut pages = 0;
    loop {
        let page = feed(&app, &query).await;
        seen.extend(headlines(&page));
        pages += 1;
        if pages == 1 {
            // Published after the first page was read: it belongs before it, not in it.
            let id = app
                .create_article(&editor, json!({"headline": "Breaking"}))
                .await;
            app.act(&editor, &id, "publish").await;
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => query = format!("?limit=3&cursor={cursor}"),
            None => break,
        }
    }
    let expected: Vec<String> = (0..7).rev().map(|n| format!("Story {n}")).collect();
    assert_eq!(seen, expected, "no gaps, no repeats, newest first");
    assert_eq!(pages, 3);
}

#[tokio::test]
async fn the_feed_is_cacheable_and_answers_304() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    let id = app
        .create_article(&editor, json!({"headline": "Cached"}))
        .await;
    app.act(&editor, &id, "publish").await;
    let response = app.get("/api/v1/public/articles").await;
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let cache = response.headers()["cache-control"]
        .to_str()
        .unwrap()
        .to_owned();
    let keys = response.headers()["surrogate-key"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        cache.contains("max-age=") && cache.contains("stale-while-revalidate="),
        "{cache}"
    );
    assert!(
        keys.contains("feed") && keys.contains(&format!("article:{id}")),
        "{keys}"
    );
    let again = app
        .request("GET", "/api/v1/public/articles", None)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert!(again.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn cors_allows_the_configured_origins_only() {
    let app = TestApp::spawn_with(&[("NEWSROOM_CORS_ORIGINS", "https://www.example.org")]).await;
    let allowed = app
        .request("GET", "/api/v1/public/articles", None)
        .header("origin", "https://www.example.org")
        .send()
        .await
        .unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://www.example.org"
    );
    let other = app
        .request("GET", "/api/v1/public/articles", None)
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}
