//! The retention purge: what is kept only for `NEWSROOM_RETENTION_DAYS` goes once that has
//! passed, and nothing still in use goes with it.

use std::time::{Duration, Instant};

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::json;

use crate::helpers::{TestApp, query_json};

/// Runs each `; `-separated statement of `sql`.
async fn execute(conn: &mut AsyncPgConnection, sql: &str) {
    for statement in sql.split("; ") {
        diesel::sql_query(statement)
            .execute(conn)
            .await
            .unwrap_or_else(|e| panic!("{statement}: {e}"));
    }
}

/// The ids in `table` (as text), sorted.
async fn ids(conn: &mut AsyncPgConnection, table: &str) -> Vec<String> {
    column(conn, table, "id").await
}

/// `column` of every row of `table` (as text), sorted.
async fn column(conn: &mut AsyncPgConnection, table: &str, column: &str) -> Vec<String> {
    let sql = format!(
        "SELECT coalesce(json_agg(x ORDER BY x), '[]')::text AS j \
         FROM (SELECT {column}::text AS x FROM {table}) rows"
    );
    serde_json::from_value(query_json(conn, &sql).await).unwrap()
}

#[tokio::test]
async fn records_past_their_retention_are_purged_and_the_rest_kept() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    let article = app
        .create_article(&editor, json!({"headline": "Kept drafts"}))
        .await;
    let mut conn = AsyncPgConnection::establish(&app.database_url)
        .await
        .unwrap();
    let old = "now() - interval '31 days'";
    let recent = "now() - interval '29 days'";
    execute(
        &mut conn,
        &format!(
            "INSERT INTO login_attempts (email, client_ip, succeeded, attempted_at) VALUES \
             ('old@example.org', '192.0.2.1', false, {old}), \
             ('new@example.org', '192.0.2.1', false, {recent})"
        ),
    )
    .await;
    execute(
        &mut conn,
        &format!(
            "INSERT INTO preview_links (id, article_id, token_hash, expires_at, revoked_at) VALUES \
             ('00000000-0000-0000-0000-00000000000a', '{article}', '\\x0a', {old}, NULL), \
             ('00000000-0000-0000-0000-00000000000b', '{article}', '\\x0b', now() + interval '1 day', {old}), \
             ('00000000-0000-0000-0000-00000000000c', '{article}', '\\x0c', {recent}, NULL), \
             ('00000000-0000-0000-0000-00000000000d', '{article}', '\\x0d', now() + interval '1 day', NULL)"
        ),
    )
    .await;
    execute(
        &mut conn,
        &format!(
            "INSERT INTO webhooks (id, url, events, secret) VALUES \
             ('00000000-0000-0000-0000-0000000000f0', 'https://hooks.example.org/', \
              '{{article.published}}', 'secret'); \
             INSERT INTO webhook_events (id, event, article_id, payload, created_at) VALUES \
             ('00000000-0000-0000-0000-0000000000e1', 'article.published', '{article}', '{{}}', {old}), \
             ('00000000-0000-0000-0000-0000000000e2', 'article.published', '{article}', '{{}}', {old}), \
             ('00000000-0000-0000-0000-0000000000e3', 'article.published', '{article}', '{{}}', {recent}); \
             INSERT INTO webhook_deliveries (id, webhook_id, event_id, event, status, created_at) VALUES \
             ('00000000-0000-0000-0000-0000000000d1', '00000000-0000-0000-0000-0000000000f0', \
              '00000000-0000-0000-0000-0000000000e1', 'article.published', 'delivered', {old}), \
             ('00000000-0000-0000-0000-0000000000d2', '00000000-0000-0000-0000-0000000000f0', \
              '00000000-0000-0000-0000-0000000000e1', 'article.published', 'dead', {old}), \
             ('00000000-0000-0000-0000-0000000000d3', '00000000-0000-0000-0000-0000000000f0', \
              '00000000-0000-0000-0000-0000000000e2', 'article.published', 'failed', {old}), \
             ('00000000-0000-0000-0000-0000000000d4', '00000000-0000-0000-0000-0000000000f0', \
              '00000000-0000-0000-0000-0000000000e3', 'article.published', 'delivered', {recent})"
        ),
    )
    .await;

    // The first run of a starting instance purges at once.
    let _other = app
        .another_instance(&[("NEWSROOM_RETENTION_DAYS", "30")])
        .await;
    let started = Instant::now();
    // The editor's own log-in is in the table too, and recent.
    let probes = "(SELECT email FROM login_attempts WHERE email LIKE '%@example.org') AS probes";
    // Preview links are purged last; wait for every kind, so no assertion races the purge.
    while column(&mut conn, probes, "email").await.len() != 1
        || ids(&mut conn, "webhook_events").await.len() != 2
        || ids(&mut conn, "preview_links").await.len() != 2
    {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "nothing was purged"
        );
    }
    assert_eq!(
        column(&mut conn, probes, "email").await,
        ["new@example.org"]
    );
    assert_eq!(
        ids(&mut conn, "preview_links").await,
        [
            "00000000-0000-0000-0000-00000000000c",
            "00000000-0000-0000-0000-00000000000d"
        ]
    );
    // A delivery still being retried keeps itself and its event, however old.
    assert_eq!(
        ids(&mut conn, "webhook_deliveries").await,
        [
            "00000000-0000-0000-0000-0000000000d3",
            "00000000-0000-0000-0000-0000000000d4"
        ]
    );
    assert_eq!(
        ids(&mut conn, "webhook_events").await,
        [
            "00000000-0000-0000-0000-0000000000e2",
            "00000000-0000-0000-0000-0000000000e3"
        ]
    );
}
