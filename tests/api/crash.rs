//! Crash safety: the real `newsroom` binary is killed with SIGKILL while it writes, publishes
//! scheduled articles and delivers webhooks, then started again on the same database. Nothing
//! may be half-published, every acknowledged write must be there, every due scheduled article
//! published exactly once, and every committed event delivered.
//!
//! "Nothing published twice" (SPEC: scheduled publishing fires once; webhooks are retried):
//! each publish is one revision and one `article.published` event, hence one delivery per
//! webhook; a delivery may reach the receiver more than once (at least once, same
//! `X-Newsroom-Delivery`), but never as two different deliveries or events.

use std::collections::{HashMap, HashSet};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::{Value, json};

use crate::faults::{ARTICLE_STATE_SQL, assert_whole};
use crate::helpers::{ADMIN_EMAIL, ADMIN_PASSWORD, TEST_JWT_SECRET, query_json};
use crate::pg_cluster::DisposableCluster;
use crate::webhooks::Receiver;

/// Writers per server life.
const WRITERS: usize = 4;
/// Times the server is killed.
const KILLS: usize = 2;
/// Longest wait for start-up or for the workers to catch up.
const CATCH_UP: Duration = Duration::from_secs(30);

/// The server binary, running as a child process.
struct Server {
    child: Child,
    address: String,
}

/// Everything the server needs, from the environment only (no `.env`: it runs in `dir`).
fn spawn(database_url: &str, port: u16, dir: &std::path::Path) -> Child {
    let log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("server.log"))
        .unwrap();
    Command::new(env!("CARGO_BIN_EXE_newsroom"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", database_url)
        .env("NEWSROOM_BIND", format!("127.0.0.1:{port}"))
        .env("NEWSROOM_MEDIA_DIR", dir.join("media"))
        .env("NEWSROOM_JWT_SECRET", TEST_JWT_SECRET)
        .env("NEWSROOM_BOOTSTRAP_ADMIN_EMAIL", ADMIN_EMAIL)
        .env("NEWSROOM_BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD)
        .env("NEWSROOM_WORKERS", "2")
        .env("NEWSROOM_DB_POOL_SIZE", "6")
        .env("NEWSROOM_SCHEDULER_INTERVAL_MS", "50")
        .env("NEWSROOM_WEBHOOK_INTERVAL_MS", "50")
        .env("NEWSROOM_WEBHOOK_RETRY_BASE_MS", "100")
        // The receiver answers at once; the short lease lets a delivery cut off by the kill
        // be retried within seconds.
        .env("NEWSROOM_WEBHOOK_TIMEOUT_MS", "500")
        .env("NEWSROOM_WEBHOOKS_ALLOW_PRIVATE", "true")
        .env("NEWSROOM_LOG", "warn")
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap()
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the binary and polls readiness until it answers 200.
async fn start_server(
    database_url: &str,
    port: u16,
    dir: &std::path::Path,
    client: &reqwest::Client,
) -> Server {
    let mut server = Server {
        child: spawn(database_url, port, dir),
        address: format!("http://127.0.0.1:{port}"),
    };
    let deadline = Instant::now() + CATCH_UP;
    loop {
        if let Ok(response) = client
            .get(format!("{}/health/ready", server.address))
            .send()
            .await
            && response.status() == 200
        {
            return server;
        }
        if let Some(status) = server.child.try_wait().unwrap() {
            panic!(
                "the server exited ({status}): {}",
                std::fs::read_to_string(dir.join("server.log")).unwrap_or_default()
            );
        }
        assert!(Instant::now() < deadline, "the server did not become ready");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// What a writer did and the server acknowledged.
#[derive(Debug, Clone)]
enum Acknowledged {
    /// Created with this headline.
    Create { id: String, headline: String },
    /// Published at once.
    Publish { id: String },
    /// Scheduled to publish a few hundred milliseconds later, during server life `life`.
    Schedule { id: String, life: usize },
}

/// One writer: create, then publish it now (even cycles) or schedule it for just ahead (odd
/// cycles), until the server stops answering. Returns what was acknowledged.
async fn writer(
    client: reqwest::Client,
    address: String,
    token: String,
    name: String,
    life: usize,
    acknowledged: Arc<AtomicUsize>,
) -> Vec<Acknowledged> {
    let mut log = Vec::new();
    for n in 0.. {
        let headline = format!("{name}-{n}");
        let Ok(response) = client
            .post(format!("{address}/api/v1/articles"))
            .bearer_auth(&token)
            .json(&json!({"headline": headline, "body": [{"type": "paragraph", "text": "Text."}]}))
            .send()
            .await
        else {
            break;
        };
        assert_eq!(response.status(), 201, "a live server refused a create");
        let Ok(article) = response.json::<Value>().await else {
            break;
        };
        let id = article["id"].as_str().unwrap().to_owned();
        log.push(Acknowledged::Create {
            id: id.clone(),
            headline,
        });
        acknowledged.fetch_add(1, Ordering::Relaxed);

        let (path, body) = if n % 2 == 0 {
            ("publish", json!({}))
        } else {
            let at = chrono::Utc::now() + chrono::Duration::milliseconds(300 + 50 * (n % 5));
            ("schedule", json!({"publish_at": at}))
        };
        let Ok(response) = client
            .post(format!("{address}/api/v1/articles/{id}/{path}"))
            .bearer_auth(&token)
            .header("if-match", "*")
            .json(&body)
            .send()
            .await
        else {
            break;
        };
        let status = response.status();
        let Ok(text) = response.text().await else {
            break;
        };
        assert_eq!(status, 200, "a live server refused {path}: {text}");
        log.push(if path == "publish" {
            Acknowledged::Publish { id }
        } else {
            Acknowledged::Schedule { id, life }
        });
        acknowledged.fetch_add(1, Ordering::Relaxed);
    }
    log
}

async fn login(client: &reqwest::Client, address: &str) -> String {
    let response = client
        .post(format!("{address}/api/v1/auth/login"))
        .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_killed_server_leaves_nothing_half_published_and_catches_up_once() {
    let cluster = DisposableCluster::start();
    let database_url = cluster.url("newsroom");
    let dir = tempfile::tempdir().unwrap();
    let port = crate::pg_cluster::free_port();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(15))
        .build()
        .unwrap();
    let receiver = Receiver::start(0).await;

    let started = Instant::now();
    let mut server = start_server(&database_url, port, dir.path(), &client).await;
    eprintln!("crash: first start-up took {:?}", started.elapsed());
    let token = login(&client, &server.address).await;
    let response = client
        .post(format!("{}/api/v1/webhooks", server.address))
        .bearer_auth(&token)
        .json(&json!({"url": receiver.url, "events": [
            "article.published", "article.updated", "article.unpublished",
            "article.deleted", "article.publish_failed"
        ]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201, "registering the webhook");

    let mut acknowledged_writes: Vec<Acknowledged> = Vec::new();
    let mut killed_at = Vec::new();
    for life in 0..KILLS {
        let token = login(&client, &server.address).await;
        let progress = Arc::new(AtomicUsize::new(0));
        let writers: Vec<_> = (0..WRITERS)
            .map(|w| {
                tokio::spawn(writer(
                    client.clone(),
                    server.address.clone(),
                    token.clone(),
                    format!("Crash {life}-{w}"),
                    life,
                    progress.clone(),
                ))
            })
            .collect();
        // Kill once the load is in full swing and scheduled articles are falling due.
        let deadline = Instant::now() + CATCH_UP;
        while progress.load(Ordering::Relaxed) < 40 + 20 * life {
            assert!(
                !writers.iter().any(|w| w.is_finished()),
                "a writer stopped before the kill"
            );
            assert!(Instant::now() < deadline, "the load made no progress");
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        server.child.kill().unwrap(); // SIGKILL: no graceful shutdown, no flush
        server.child.wait().unwrap();
        killed_at.push(chrono::Utc::now());
        for w in writers {
            acknowledged_writes.extend(w.await.unwrap());
        }
        drop(server);
        server = start_server(&database_url, port, dir.path(), &client).await;
    }

    // The restarted server's scheduler and outbox catch up by themselves.
    let catching_up = Instant::now();
    let mut conn = AsyncPgConnection::establish(&database_url).await.unwrap();
    let deadline = Instant::now() + CATCH_UP;
    loop {
        let pending = query_json(
            &mut conn,
            "SELECT json_build_array( \
               (SELECT count(*) FROM articles WHERE status = 'scheduled'), \
               (SELECT count(*) FROM webhook_deliveries WHERE status <> 'delivered'))::text AS j",
        )
        .await;
        let delivered: HashSet<String> = receiver
            .requests()
            .iter()
            .map(|r| r.headers["x-newsroom-delivery"].clone())
            .collect();
        let all = query_json(
            &mut conn,
            "SELECT coalesce(json_agg(id), '[]')::text AS j FROM webhook_deliveries",
        )
        .await;
        let received_all = all
            .as_array()
            .unwrap()
            .iter()
            .all(|id| delivered.contains(id.as_str().unwrap()));
        if pending == json!([0, 0]) && received_all {
            eprintln!("crash: caught up in {:?}", catching_up.elapsed());
            break;
        }
        assert!(
            Instant::now() < deadline,
            "not caught up: {pending} (scheduled, undelivered)"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    let articles = query_json(&mut conn, ARTICLE_STATE_SQL).await;
    let articles = articles.as_array().unwrap();
    let by_id: HashMap<&str, &Value> = articles
        .iter()
        .map(|a| (a["id"].as_str().unwrap(), a))
        .collect();
    for article in articles {
        assert_whole(article);
        // Every article of this load is published at most once.
        assert!(
            article["publish_revisions"].as_u64().unwrap() <= 1,
            "published twice: {article}"
        );
        assert!(
            article["status"] != "in_review",
            "a publish failed: {article}"
        );
    }
    let mut scheduled = 0;
    let mut due_while_down = 0;
    for write in &acknowledged_writes {
        match write {
            Acknowledged::Create { id, headline } => {
                let article = by_id
                    .get(id.as_str())
                    .unwrap_or_else(|| panic!("acknowledged create lost: {write:?}"));
                assert_eq!(article["headline"], headline.as_str());
            }
            Acknowledged::Publish { id } => {
                let article = by_id[id.as_str()];
                assert_eq!(article["status"], "published", "{write:?}: {article}");
                assert_eq!(article["publish_revisions"], 1, "{article}");
            }
            Acknowledged::Schedule { id, life } => {
                let article = by_id[id.as_str()];
                assert_eq!(article["status"], "published", "{write:?}: {article}");
                assert_eq!(article["publish_revisions"], 1, "{article}");
                scheduled += 1;
                let published_at: chrono::DateTime<chrono::Utc> =
                    serde_json::from_value(article["published_at"].clone()).unwrap();
                due_while_down += usize::from(published_at > killed_at[*life]);
            }
        }
    }

    assert!(
        due_while_down > 0,
        "no scheduled publish was left to a restarted server"
    );

    // The outbox: one delivery per committed event, each received; redeliveries of the same
    // delivery allowed, but no event delivered under two ids and no article announced twice.
    let events = query_json(
        &mut conn,
        "SELECT json_build_array( \
           (SELECT count(*) FROM webhook_events), \
           (SELECT count(*) FROM webhook_deliveries), \
           (SELECT count(DISTINCT event_id) FROM webhook_deliveries))::text AS j",
    )
    .await;
    assert_eq!(events[0], events[1], "one delivery per event: {events}");
    assert_eq!(events[0], events[2], "one delivery per event: {events}");
    let requests = receiver.requests();
    let mut delivery_of_event: HashMap<String, String> = HashMap::new();
    let mut published_events: HashMap<String, HashSet<String>> = HashMap::new();
    let mut redelivered = 0;
    let mut seen = HashSet::new();
    for request in &requests {
        let delivery = request.headers["x-newsroom-delivery"].clone();
        let payload: Value = serde_json::from_slice(&request.body).unwrap();
        let event = payload["id"].as_str().unwrap().to_owned();
        if !seen.insert(delivery.clone()) {
            redelivered += 1;
        }
        let first = delivery_of_event
            .entry(event.clone())
            .or_insert(delivery.clone());
        assert_eq!(*first, delivery, "event {event} sent as two deliveries");
        if payload["event"] == "article.published" {
            let article = payload["article"]["id"].as_str().unwrap().to_owned();
            published_events.entry(article).or_default().insert(event);
        }
    }
    for (article, events) in &published_events {
        assert_eq!(
            events.len(),
            1,
            "article {article} announced as published twice"
        );
    }
    let published = articles
        .iter()
        .filter(|a| a["status"] == "published")
        .count();
    assert_eq!(
        published_events.len(),
        published,
        "each published article announced once"
    );
    eprintln!(
        "crash: {KILLS} kill -9, {} acknowledged writes checked ({scheduled} scheduled \
         publishes, {due_while_down} of them by a restarted server), {} articles whole, {} events \
         delivered, {redelivered} redeliveries",
        acknowledged_writes.len(),
        articles.len(),
        seen.len()
    );
}
