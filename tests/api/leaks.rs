//! Nothing unpublished reaches readers: one unique word in drafts, a scheduled article, an
//! article in review, an unpublished one, a teaser of a draft and the unpublished edit of a
//! live article, then every public endpoint of the OpenAPI document is read for it.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::helpers::TestApp;

const WORD: &str = "quixotrandel";

fn secret(field: &str) -> String {
    format!("{field} {WORD} text")
}

/// An article with the word in every text field readers could see.
fn secret_article(headline: &str, section: &Value, author: &Value) -> Value {
    json!({
        "headline": format!("{headline} {WORD}"),
        "dek": secret("dek"),
        "kicker": secret("kicker"),
        "tags": [WORD],
        "section_id": section["id"],
        "author_ids": [author["id"]],
        "seo_title": secret("seo"),
        "body": [{"type": "paragraph", "text": secret("body")}],
    })
}

#[tokio::test]
async fn no_public_endpoint_shows_anything_unpublished() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    let section = app
        .post_created(&editor, "/api/v1/sections", json!({"name": "Leaks"}))
        .await;
    let author = app
        .post_created(&editor, "/api/v1/authors", json!({"name": "Vera Stone"}))
        .await;

    let draft = app
        .create_article(&editor, secret_article("Draft", &section, &author))
        .await;
    let in_review = app
        .create_article(&editor, secret_article("Review", &section, &author))
        .await;
    app.act(&editor, &in_review, "submit").await;
    let scheduled = app
        .create_article(&editor, secret_article("Later", &section, &author))
        .await;
    let response = app
        .request(
            "POST",
            &format!("/api/v1/articles/{scheduled}/schedule"),
            Some(editor.token()),
        )
        .header("if-match", "*")
        .json(&json!({"publish_at": "2099-01-01T00:00:00Z"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let withdrawn = app
        .create_article(&editor, secret_article("Withdrawn", &section, &author))
        .await;
    app.act(&editor, &withdrawn, "publish").await;
    app.act(&editor, &withdrawn, "unpublish").await;

    // A live article: a teaser of the draft in its body, then an edit not yet republished.
    let teaser = app
        .post_created(
            &editor,
            "/api/v1/embeds",
            json!({"kind": "article", "article_id": draft}),
        )
        .await;
    let png = newsroom::media::image::test_support::png(64, 32);
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(png).file_name("a.png"),
    );
    let image: Value = app.upload(editor.token(), form).await.json().await.unwrap();
    let live = app
        .create_article(
            &editor,
            json!({
                "headline": "Open story",
                "tags": ["open"],
                "section_id": section["id"],
                "author_ids": [author["id"]],
                "featured_image": {"image_id": image["id"]},
                "body": [
                    {"type": "paragraph", "text": "Public words."},
                    {"type": "embed", "embed_id": teaser["id"]},
                ],
            }),
        )
        .await;
    app.act(&editor, &live, "publish").await;
    let response = app
        .request("PATCH", &format!("/api/v1/articles/{live}"), Some(editor.token()))
        .header("if-match", "*")
        .json(&json!({"dek": secret("edited dek"), "body": [{"type": "paragraph", "text": secret("edited body")}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    // Every public GET of the document, with the values it needs.
    let image_id = image["id"].as_str().unwrap();
    let reads: BTreeMap<&str, Vec<String>> = BTreeMap::from([
        (
            "/api/v1/public/articles",
            vec![
                "/api/v1/public/articles".to_owned(),
                "/api/v1/public/articles?section=leaks".to_owned(),
                "/api/v1/public/articles?author=vera-stone".to_owned(),
                format!("/api/v1/public/articles?tag={WORD}"),
            ],
        ),
        (
            "/api/v1/public/articles/{slug}",
            vec!["/api/v1/public/articles/open-story".to_owned()],
        ),
        (
            "/api/v1/public/search",
            vec![
                format!("/api/v1/public/search?q={WORD}"),
                "/api/v1/public/search?q=text".to_owned(),
                "/api/v1/public/search?q=open".to_owned(),
            ],
        ),
        (
            "/api/v1/public/authors/{slug}",
            vec!["/api/v1/public/authors/vera-stone".to_owned()],
        ),
        (
            "/api/v1/public/sections",
            vec!["/api/v1/public/sections".to_owned()],
        ),
        (
            "/api/v1/public/tags",
            vec!["/api/v1/public/tags".to_owned()],
        ),
        (
            "/api/v1/public/feed.rss",
            vec![
                "/api/v1/public/feed.rss".to_owned(),
                "/api/v1/public/feed.rss?section=leaks".to_owned(),
            ],
        ),
        (
            "/api/v1/public/sitemap.xml",
            vec!["/api/v1/public/sitemap.xml".to_owned()],
        ),
        (
            "/api/v1/public/sitemaps/{page}",
            vec!["/api/v1/public/sitemaps/1".to_owned()],
        ),
        (
            "/api/v1/public/images/{id}/file",
            vec![format!("/api/v1/public/images/{image_id}/file")],
        ),
    ]);
    let document: Value = app
        .get("/api-docs/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    for (path, item) in document["paths"].as_object().unwrap() {
        // Preview links show a draft on purpose, to whoever holds a signed, expiring token.
        let exempt = path == "/api/v1/public/preview/{token}";
        if path.starts_with("/api/v1/public") && item.get("get").is_some() && !exempt {
            assert!(
                reads.contains_key(path.as_str()),
                "{path} is public: add it to this test"
            );
        }
    }
    for url in reads.values().flatten() {
        let response = app.get(url).await;
        assert_eq!(response.status(), 200, "GET {url}");
        let bytes = response.bytes().await.unwrap();
        let text = String::from_utf8_lossy(&bytes).to_lowercase();
        assert!(
            !text.contains(WORD),
            "GET {url} shows unpublished text: {text}"
        );
    }
    // The live page is there, without the teaser of the draft.
    let page: Value = app
        .get("/api/v1/public/articles/open-story")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["body"].as_array().unwrap().len(), 1);
    // And none of the others has a page.
    for slug in [
        format!("draft-{WORD}"),
        format!("review-{WORD}"),
        format!("later-{WORD}"),
        format!("withdrawn-{WORD}"),
    ] {
        let response = app.get(&format!("/api/v1/public/articles/{slug}")).await;
        assert_eq!(response.status(), 404, "{slug}");
    }
}
