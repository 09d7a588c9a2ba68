//! The in-process cache of public answers: hits, 304s from the cache, and invalidation that
//! reaches every instance within a second of a publish.

use std::time::{Duration, Instant};

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser, query_json};

/// Reads `path` until it comes from the cache (the invalidation listener starts with the
/// server, and nothing is cached until it listens).
async fn until_cached(app: &TestApp, path: &str) -> reqwest::Response {
    let started = Instant::now();
    loop {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "GET {path}");
        if response.headers()["x-cache"] == "HIT" {
            return response;
        }
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "{path} never came from the cache"
        );
    }
}

/// Changes the dek of a published article and publishes it again.
async fn republish_with_dek(app: &TestApp, editor: &TestUser, id: &str, dek: &str) {
    let response = app
        .request(
            "PATCH",
            &format!("/api/v1/articles/{id}"),
            Some(editor.token()),
        )
        .header("if-match", "*")
        .json(&json!({"dek": dek}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    app.act(editor, id, "publish").await;
}

#[tokio::test]
async fn public_answers_come_from_the_cache_and_304_costs_a_lookup() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    let id = app
        .create_article(&editor, json!({"headline": "Cached story"}))
        .await;
    app.act(&editor, &id, "publish").await;
    let hit = until_cached(&app, "/api/v1/public/articles/cached-story").await;
    let etag = hit.headers()["etag"].to_str().unwrap().to_owned();
    assert!(hit.headers().contains_key("surrogate-key"));
    let page: Value = hit.json().await.unwrap();
    assert_eq!(page["headline"], "Cached story");
    let not_modified = app
        .request("GET", "/api/v1/public/articles/cached-story", None)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(not_modified.status(), 304);
    assert_eq!(not_modified.headers()["x-cache"], "HIT");
    assert_eq!(not_modified.headers()["etag"], etag.as_str());
    // Errors and previews are not cached.
    let missing = app.get("/api/v1/public/articles/nothing-here").await;
    assert_eq!(missing.status(), 404);
    assert!(missing.headers().get("x-cache").is_none());
}

#[tokio::test]
async fn a_publish_on_one_instance_is_visible_on_another_within_a_second() {
    let app = TestApp::spawn().await;
    let other = app.another_instance(&[]).await;
    let editor = app.user("editor").await;
    let id = app
        .create_article(&editor, json!({"headline": "Dam holds"}))
        .await;
    app.act(&editor, &id, "publish").await;
    until_cached(&other, "/api/v1/public/articles/dam-holds").await;
    until_cached(&other, "/api/v1/public/articles").await;

    republish_with_dek(&app, &editor, &id, "Engineers say the worst is over").await;
    let published = Instant::now();

    // The writing instance shows it at once; the other within a second.
    let page: Value = app
        .get("/api/v1/public/articles/dam-holds")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(page["dek"], "Engineers say the worst is over");
    loop {
        let page: Value = other
            .get("/api/v1/public/articles/dam-holds")
            .await
            .json()
            .await
            .unwrap();
        if page["dek"] == "Engineers say the worst is over" {
            break;
        }
        assert!(
            published.elapsed() < Duration::from_secs(1),
            "the other instance still serves the old page after 1 s"
        );
    }
    let feed: Value = other
        .get("/api/v1/public/articles")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(feed["items"][0]["dek"], "Engineers say the worst is over");

    // Unpublishing takes it off the other instance too.
    app.act(&editor, &id, "unpublish").await;
    let unpublished = Instant::now();
    loop {
        let status = other
            .get("/api/v1/public/articles/dam-holds")
            .await
            .status();
        if status == 404 {
            break;
        }
        assert!(unpublished.elapsed() < Duration::from_secs(1));
    }
}

/// With `DATABASE_READ_URL`, public pages come from the replica. A notification can arrive
/// from the primary before the replica has replayed the change; a page rendered in that window
/// is stale, so it must not stay cached once the replica catches up.
#[tokio::test]
async fn with_a_lagging_read_replica_the_cache_refreshes_once_the_replica_catches_up() {
    let primary = crate::pg_cluster::DisposableCluster::start();
    let replica = crate::pg_cluster::DisposableCluster::replica_of(&primary);
    let app = TestApp::start(crate::helpers::test_config(
        &primary.url("newsroom"),
        &[("DATABASE_READ_URL", &replica.url("newsroom"))],
    ))
    .await;
    let editor = app.user("editor").await;
    let id = app
        .create_article(&editor, json!({"headline": "Bridge reopens"}))
        .await;
    app.act(&editor, &id, "publish").await;
    let path = "/api/v1/public/articles/bridge-reopens";
    // The replica serves it once it has replayed the publish.
    let started = Instant::now();
    while app.get(path).await.status() != 200 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "never replicated"
        );
    }

    let mut standby = AsyncPgConnection::establish(&replica.url("newsroom"))
        .await
        .unwrap();
    diesel::sql_query("SELECT pg_wal_replay_pause()")
        .execute(&mut standby)
        .await
        .unwrap();
    republish_with_dek(&app, &editor, &id, "Traffic flows again").await;

    // The replica is paused, so the old page is rendered and cached after the change.
    let stale = until_cached(&app, path).await;
    let page: Value = stale.json().await.unwrap();
    assert_eq!(page["dek"], Value::Null, "the read came from the primary");

    diesel::sql_query("SELECT pg_wal_replay_resume()")
        .execute(&mut standby)
        .await
        .unwrap();
    let resumed = Instant::now();
    loop {
        let page: Value = app.get(path).await.json().await.unwrap();
        if page["dek"] == "Traffic flows again" {
            break;
        }
        assert!(
            resumed.elapsed() < Duration::from_secs(1),
            "the stale page is still served 1 s after the replica caught up"
        );
    }
}

/// How many sessions on `conn`'s database wait for a lock.
async fn lock_waiters(conn: &mut AsyncPgConnection) -> i64 {
    query_json(
        conn,
        "SELECT count(*)::text AS j FROM pg_stat_activity \
         WHERE datname = current_database() AND wait_event_type = 'Lock'",
    )
    .await
    .as_i64()
    .unwrap()
}

/// The value of the gauge `name` on the instance's `/metrics`.
async fn gauge(app: &TestApp, name: &str) -> i64 {
    let text = app.get("/metrics").await.text().await.unwrap();
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("{name} is not in /metrics"))
        .parse()
        .unwrap()
}

/// Right after a publish empties the cache, a crowd asking for the same page costs one render:
/// the others wait for it instead of each querying the database.
#[tokio::test]
async fn a_crowd_missing_the_same_page_costs_one_render() {
    const CROWD: i64 = 12;
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    let id = app
        .create_article(&editor, json!({"headline": "Storm makes landfall"}))
        .await;
    app.act(&editor, &id, "publish").await;
    // Caching is on once the invalidation listener runs.
    until_cached(&app, "/api/v1/public/sections").await;

    // Readers' queries block behind this lock until it is released.
    let mut blocker = AsyncPgConnection::establish(&app.database_url)
        .await
        .unwrap();
    let mut observer = AsyncPgConnection::establish(&app.database_url)
        .await
        .unwrap();
    for sql in [
        "BEGIN",
        "LOCK TABLE published_articles IN ACCESS EXCLUSIVE MODE",
    ] {
        diesel::sql_query(sql).execute(&mut blocker).await.unwrap();
    }
    let path = "/api/v1/public/articles/storm-makes-landfall";
    let crowd: Vec<_> = (0..CROWD)
        .map(|_| {
            let request = app.client.get(app.url(path)).send();
            tokio::spawn(request)
        })
        .collect();
    let started = Instant::now();
    while gauge(&app, "newsroom_response_cache_waiting_requests").await < CROWD - 1 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the crowd never queued behind one render"
        );
    }
    let waiters = loop {
        let waiters = lock_waiters(&mut observer).await;
        if waiters > 0 {
            break waiters;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no render began"
        );
    };
    assert_eq!(waiters, 1, "only one request reached the database");
    diesel::sql_query("COMMIT")
        .execute(&mut blocker)
        .await
        .unwrap();

    let mut misses = 0;
    let mut bodies = std::collections::HashSet::new();
    for request in crowd {
        let response = request.await.unwrap().unwrap();
        assert_eq!(response.status(), 200);
        if response.headers()["x-cache"] == "MISS" {
            misses += 1;
        }
        bodies.insert(response.text().await.unwrap());
    }
    assert_eq!(misses, 1, "one render served the crowd");
    assert_eq!(bodies.len(), 1);
    assert_eq!(
        gauge(&app, "newsroom_response_cache_waiting_requests").await,
        0
    );
}
