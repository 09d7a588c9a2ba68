//! `newsroom seed`: generated articles that the API serves like its own, the same for the same
//! seed, and a seed that is never applied twice.

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use newsroom::schema::{articles, published_articles};
use newsroom::seed::{self, Quiet, SeedOptions};
use serde_json::Value;
use uuid::Uuid;

use crate::helpers::{TestApp, test_config};

const OPTIONS: SeedOptions = SeedOptions {
    articles: 150,
    authors: 12,
    images: 10,
    seed: 7,
};

/// Seeds the app's own database and media store, as `newsroom seed` would with its settings.
async fn seeded(options: &SeedOptions) -> (TestApp, seed::SeedReport) {
    let app = TestApp::spawn().await;
    let report = seed::run(&test_config(&app.database_url, &[]), options, &mut Quiet)
        .await
        .unwrap();
    (app, report)
}

async fn json(app: &TestApp, path: &str) -> Value {
    let response = app.get(path).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.json().await.unwrap()
}

async fn published(app: &TestApp) -> Vec<(Uuid, String, String)> {
    let mut conn = AsyncPgConnection::establish(&app.database_url)
        .await
        .unwrap();
    published_articles::table
        .order((
            published_articles::published_at,
            published_articles::article_id,
        ))
        .select((
            published_articles::article_id,
            published_articles::slug,
            published_articles::headline,
        ))
        .load(&mut conn)
        .await
        .unwrap()
}

#[tokio::test]
async fn seeded_articles_are_served_like_published_ones() {
    let (app, report) = seeded(&OPTIONS).await;
    assert_eq!(report.articles, 150);
    assert!(report.published >= 120, "{report}");
    assert!(report.drafts > 0, "{report}");

    let feed = json(&app, "/api/v1/public/articles?limit=50").await;
    let items = feed["items"].as_array().unwrap();
    assert_eq!(items.len(), 50);
    assert!(feed["next_cursor"].is_string());
    for item in items {
        let authors = item["authors"].as_array().unwrap();
        assert!(!authors.is_empty(), "no byline: {item}");
        assert!(authors[0]["name"].as_str().is_some_and(|n| !n.is_empty()));
        assert!(item["reading_time_minutes"].as_i64().unwrap() >= 1);
    }
    let with_image = items
        .iter()
        .find(|i| i["featured_image"].is_object())
        .expect("featured images in the feed");

    // Pages of the newest articles: bylines with bios, body blocks, and a resolved teaser.
    let mut teasers = 0;
    for item in items.iter().take(25) {
        let slug = item["slug"].as_str().unwrap();
        let page = json(&app, &format!("/api/v1/public/articles/{slug}")).await;
        assert_eq!(page["headline"], item["headline"]);
        let body = page["body"].as_array().unwrap();
        assert!(body.len() >= 4, "{slug}: {} blocks", body.len());
        assert!(page["authors"][0]["bio"].is_string());
        assert!(page["section"]["name"].is_string());
        teasers += body
            .iter()
            .filter(|b| b["type"] == "embed" && b["embed"]["kind"] == "article")
            .inspect(|b| {
                assert!(b["embed"]["headline"].is_string() && b["embed"]["url"].is_string())
            })
            .count();
    }
    assert!(teasers > 0, "no resolved teaser card in 25 articles");

    // The stored file behind the featured image, full size and as a rendition.
    let url = with_image["featured_image"]["url"].as_str().unwrap();
    for path in [url.to_owned(), format!("{url}?w=320")] {
        let response = app.get(&path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        let content_type = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(content_type.starts_with("image/"), "{content_type}");
        assert!(response.bytes().await.unwrap().len() > 1000);
    }

    let admin = app.admin().await;
    let drafts: Value = app
        .get_as("/api/v1/articles?status=draft&limit=100", admin.token())
        .await
        .json()
        .await
        .unwrap();
    let drafts = drafts["items"].as_array().unwrap();
    assert_eq!(drafts.len(), report.drafts);
    assert!(drafts.iter().all(|d| d["status"] == "draft"));

    // A draft is not public.
    let draft_slug = drafts[0]["slug"].as_str().unwrap();
    let response = app
        .get(&format!("/api/v1/public/articles/{draft_slug}"))
        .await;
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn the_same_seed_gives_the_same_newsroom_and_is_applied_once() {
    let ((one, first), (two, second)) = tokio::join!(seeded(&OPTIONS), seeded(&OPTIONS));
    let mut without_time = first.clone();
    without_time.elapsed = second.elapsed;
    assert_eq!(without_time, second);
    let published_one = published(&one).await;
    assert_eq!(published_one.len(), first.published);
    assert_eq!(published_one, published(&two).await);

    let again = seed::run(&test_config(&one.database_url, &[]), &OPTIONS, &mut Quiet).await;
    let message = format!("{:#}", again.unwrap_err());
    assert!(message.contains("already used"), "{message}");
    let mut conn = AsyncPgConnection::establish(&one.database_url)
        .await
        .unwrap();
    let count: i64 = articles::table.count().get_result(&mut conn).await.unwrap();
    assert_eq!(count, 150, "the refused run wrote nothing");

    // Another seed adds another set beside the first.
    let other = SeedOptions {
        seed: 8,
        articles: 20,
        ..OPTIONS
    };
    let report = seed::run(&test_config(&one.database_url, &[]), &other, &mut Quiet)
        .await
        .unwrap();
    assert_eq!(report.articles, 20);
}
