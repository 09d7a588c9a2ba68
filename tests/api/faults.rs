//! Database faults: the cluster crashes, or the API's sessions are cut, in the middle of a
//! concurrent write load. While the database is away every request answers a quick 503
//! problem; afterwards the same API instance recovers by itself, every acknowledged write is in
//! the database as acknowledged, and no failed write left anything half-done.
//!
//! Each test runs its own disposable cluster (tests/api/pg_cluster.rs), never the shared server.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser, query_json, test_config};
use crate::pg_cluster::DisposableCluster;

/// The pool's checkout/connect bound in these tests.
const DB_TIMEOUT_MS: u64 = 500;
/// Longest acceptable answer: a request checks out a connection for the caller and another for
/// the handler, each bounded by the timeout, plus slack for a machine busy with other builds.
const ANSWER_BOUND: Duration = Duration::from_millis(3 * DB_TIMEOUT_MS + 1500);
/// Concurrent writers.
const WRITERS: usize = 8;
/// How long any wait for progress may take before the test gives up.
const PROGRESS_DEADLINE: Duration = Duration::from_secs(20);

/// What a writer asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `POST /api/v1/articles` with a headline no other attempt uses.
    Create,
    /// `PATCH` of the headline.
    Update,
    /// `POST …/publish`.
    Publish,
}

/// One request and how it ended.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// What was asked.
    pub op: Op,
    /// The headline the request wrote (for publish: the headline it made live).
    pub headline: String,
    /// The article, once known (a failed create has none).
    pub article: Option<String>,
    /// The HTTP status.
    pub status: u16,
}

/// Counters the test watches to know that the load is making progress (or failing).
#[derive(Default)]
pub struct Progress {
    /// 2xx answers so far.
    pub acknowledged: AtomicUsize,
    /// 503 answers so far.
    pub unavailable: AtomicUsize,
}

/// A write load of [`WRITERS`] tasks against one API instance.
pub struct Load {
    stop: Arc<AtomicBool>,
    /// Progress counters.
    pub progress: Arc<Progress>,
    log: Arc<Mutex<Vec<Outcome>>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Load {
    /// Starts the writers: each creates an article, renames it, and publishes it, over and over.
    pub fn start(app: &Arc<TestApp>, editor: &TestUser, label: &str) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let progress = Arc::new(Progress::default());
        let log = Arc::new(Mutex::new(Vec::new()));
        let client = reqwest::Client::builder()
            // Far beyond ANSWER_BOUND: a request this slow is a hang, reported as one.
            .timeout(Duration::from_secs(15))
            .build()
            .unwrap();
        let tasks = (0..WRITERS)
            .map(|task| {
                let writer = Writer {
                    app: app.clone(),
                    client: client.clone(),
                    token: editor.token().to_owned(),
                    progress: progress.clone(),
                    log: log.clone(),
                };
                let stop = stop.clone();
                let label = label.to_owned();
                tokio::spawn(async move {
                    let mut n = 0;
                    while !stop.load(Ordering::Relaxed) {
                        n += 1;
                        writer.cycle(&format!("{label} {task}-{n}")).await;
                    }
                })
            })
            .collect();
        Self {
            stop,
            progress,
            log,
            tasks,
        }
    }

    /// Waits until `counter` (read from the progress) has grown by `by`, or fails the test.
    pub async fn wait_for(&self, what: &str, by: usize, counter: impl Fn(&Progress) -> usize) {
        let start = counter(&self.progress);
        let deadline = Instant::now() + PROGRESS_DEADLINE;
        while counter(&self.progress) < start + by {
            // A writer only ends early by failing: report that, not a lack of progress.
            assert!(
                !self.tasks.iter().any(|t| t.is_finished()),
                "a writer failed (its panic is above)"
            );
            assert!(
                Instant::now() < deadline,
                "no progress: {what} grew by {} of {by} within {PROGRESS_DEADLINE:?}",
                counter(&self.progress) - start
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Stops the writers (each finishes its request) and returns every outcome.
    pub async fn finish(self) -> Vec<Outcome> {
        self.stop.store(true, Ordering::Relaxed);
        for task in self.tasks {
            // A writer's failed assertion is the test's failure.
            task.await.unwrap();
        }
        self.log.lock().unwrap().clone()
    }
}

struct Writer {
    app: Arc<TestApp>,
    client: reqwest::Client,
    token: String,
    progress: Arc<Progress>,
    log: Arc<Mutex<Vec<Outcome>>>,
}

impl Writer {
    /// Create, rename, publish; stops at the first failure (the next cycle starts afresh).
    async fn cycle(&self, name: &str) {
        let headline = format!("{name} created");
        let request = self
            .client
            .post(self.app.url("/api/v1/articles"))
            .bearer_auth(&self.token)
            .json(&json!({
                "headline": headline,
                "body": [{"type": "paragraph", "text": format!("Body of {name}.")}],
            }));
        let (status, etag, body) = self.send(request, "create").await;
        let article = body["id"].as_str().map(str::to_owned);
        self.record(Op::Create, &headline, article.clone(), status);
        let (Some(article), Some(etag)) = (article, etag) else {
            return;
        };

        let renamed = format!("{name} renamed");
        let request = self
            .client
            .patch(self.app.url(&format!("/api/v1/articles/{article}")))
            .bearer_auth(&self.token)
            .header("if-match", etag)
            .json(&json!({"headline": renamed}));
        let (status, _, _) = self.send(request, "update").await;
        self.record(Op::Update, &renamed, Some(article.clone()), status);
        if status != 200 {
            return;
        }

        let request = self
            .client
            .post(self.app.url(&format!("/api/v1/articles/{article}/publish")))
            .bearer_auth(&self.token)
            .header("if-match", "*");
        let (status, _, _) = self.send(request, "publish").await;
        self.record(Op::Publish, &renamed, Some(article), status);
    }

    /// Sends one request; anything but a 2xx must be a quick 503 problem with `Retry-After`.
    async fn send(
        &self,
        request: reqwest::RequestBuilder,
        what: &str,
    ) -> (u16, Option<String>, Value) {
        let started = Instant::now();
        let response = request
            .send()
            .await
            .unwrap_or_else(|e| panic!("{what}: no answer after {:?}: {e}", started.elapsed()));
        let elapsed = started.elapsed();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert!(
            elapsed <= ANSWER_BOUND,
            "{what} answered {status} after {elapsed:?}, beyond {ANSWER_BOUND:?}: {body}"
        );
        if (200..300).contains(&status) {
            self.progress.acknowledged.fetch_add(1, Ordering::Relaxed);
        } else {
            assert_eq!(status, 503, "{what} failed with other than 503: {body}");
            assert_eq!(headers["content-type"], "application/problem+json");
            assert_eq!(body["type"], "urn:newsroom:problem:unavailable", "{body}");
            assert!(
                headers.contains_key("retry-after"),
                "503 without Retry-After"
            );
            self.progress.unavailable.fetch_add(1, Ordering::Relaxed);
        }
        let etag = headers
            .get("etag")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        (status, etag, body)
    }

    fn record(&self, op: Op, headline: &str, article: Option<String>, status: u16) {
        self.log.lock().unwrap().push(Outcome {
            op,
            headline: headline.to_owned(),
            article,
            status,
        });
    }
}

/// Every article with what must agree for it to be whole: its live copy, revisions, slug and
/// events, as a JSON array.
pub const ARTICLE_STATE_SQL: &str = "\
    SELECT coalesce(json_agg(x), '[]')::text AS j FROM ( \
      SELECT a.id, a.headline, a.status, a.slug, a.publish_at, a.published_at, \
        a.published_revision_id, a.published_version, a.version, \
        p.revision_id AS live_revision, p.headline AS live_headline, p.slug AS live_slug, \
        (SELECT r.kind FROM article_revisions r WHERE r.id = a.published_revision_id) \
          AS published_revision_kind, \
        (SELECT count(*) FROM article_revisions r \
          WHERE r.article_id = a.id AND r.kind = 'publish') AS publish_revisions, \
        (SELECT count(*) FROM webhook_events e \
          WHERE e.article_id = a.id AND e.event = 'article.published') AS published_events, \
        (SELECT count(*) FROM article_slugs s \
          WHERE s.article_id = a.id AND s.slug = p.slug) AS live_slug_recorded \
      FROM articles a LEFT JOIN published_articles p ON p.article_id = a.id) x";

/// Asserts that `article` (a row of [`ARTICLE_STATE_SQL`]) is whole: published exactly when it
/// has a live copy, and then with its publish revision, its slug remembered, and one
/// `article.published` event per publish revision.
pub fn assert_whole(article: &Value) {
    let published = article["status"] == "published";
    let live = !article["live_revision"].is_null();
    assert_eq!(published, live, "status and live copy disagree: {article}");
    if published {
        assert_eq!(
            article["live_revision"], article["published_revision_id"],
            "the live copy is not the published revision: {article}"
        );
        assert_eq!(article["published_revision_kind"], "publish", "{article}");
        assert_eq!(
            article["live_slug_recorded"], 1,
            "live slug unrecorded: {article}"
        );
        assert!(
            article["publish_at"].is_null(),
            "still scheduled: {article}"
        );
    }
    assert_eq!(
        article["publish_revisions"], article["published_events"],
        "each publish has exactly one event: {article}"
    );
}

/// Checks the database against the outcomes; returns how many writes were checked.
async fn verify(database_url: &str, outcomes: &[Outcome]) -> usize {
    let mut conn = AsyncPgConnection::establish(database_url).await.unwrap();
    let articles = query_json(&mut conn, ARTICLE_STATE_SQL).await;
    let articles = articles.as_array().unwrap();
    for article in articles {
        assert_whole(article);
    }
    let by_id: HashMap<&str, &Value> = articles
        .iter()
        .map(|a| (a["id"].as_str().unwrap(), a))
        .collect();
    let by_headline: HashMap<&str, &Value> = articles
        .iter()
        .map(|a| (a["headline"].as_str().unwrap(), a))
        .collect();
    // Headlines a failed update may or may not have written (its commit may have succeeded
    // before the answer was lost: the one ambiguity no server can remove).
    let maybe_renamed: HashSet<&str> = outcomes
        .iter()
        .filter(|o| o.op == Op::Update && o.status != 200)
        .map(|o| o.headline.as_str())
        .collect();

    let mut checked = 0;
    let mut ambiguous = 0;
    for outcome in outcomes {
        checked += 1;
        let acknowledged = (200..300).contains(&outcome.status);
        match (outcome.op, acknowledged) {
            (Op::Create, true) => {
                let id = outcome.article.as_deref().unwrap();
                let article = by_id
                    .get(id)
                    .unwrap_or_else(|| panic!("acknowledged create lost: {outcome:?}"));
                let headline = article["headline"].as_str().unwrap();
                let renamed_acknowledged = outcomes.iter().any(|o| {
                    o.op == Op::Update && o.status == 200 && o.article.as_deref() == Some(id)
                });
                assert!(
                    headline == outcome.headline
                        || renamed_acknowledged
                        || maybe_renamed.contains(headline),
                    "article {id} has headline {headline:?}; none of its writes wrote it"
                );
            }
            (Op::Create, false) => {
                // A failed create is absent, or (if only its answer was lost) whole.
                if by_headline.contains_key(outcome.headline.as_str()) {
                    ambiguous += 1;
                }
            }
            (Op::Update, true) => {
                let article = by_id[outcome.article.as_deref().unwrap()];
                assert_eq!(
                    article["headline"],
                    outcome.headline.as_str(),
                    "update lost"
                );
            }
            (Op::Update, false) => {
                let article = by_id[outcome.article.as_deref().unwrap()];
                if article["headline"] == outcome.headline.as_str() {
                    ambiguous += 1;
                }
            }
            (Op::Publish, true) => {
                let article = by_id[outcome.article.as_deref().unwrap()];
                assert_eq!(article["status"], "published", "publish lost: {article}");
                assert_eq!(
                    article["live_headline"],
                    outcome.headline.as_str(),
                    "{article}"
                );
            }
            (Op::Publish, false) => {
                let article = by_id[outcome.article.as_deref().unwrap()];
                if article["status"] == "published" {
                    ambiguous += 1;
                }
            }
        }
    }
    eprintln!(
        "faults: {} articles whole; {checked} writes checked, {ambiguous} failed writes \
         committed before their answer was lost",
        articles.len()
    );
    checked
}

/// The app on `cluster` with a short database timeout, its editor, and the database URL.
async fn app_on(cluster: &DisposableCluster) -> (Arc<TestApp>, TestUser, String) {
    let url = cluster.url("newsroom");
    let timeout = DB_TIMEOUT_MS.to_string();
    let app = TestApp::start(test_config(
        &url,
        &[
            ("NEWSROOM_DB_TIMEOUT_MS", timeout.as_str()),
            ("NEWSROOM_DB_POOL_SIZE", "6"),
        ],
    ))
    .await;
    let editor = app.user("editor").await;
    (Arc::new(app), editor, url)
}

/// Polls readiness and a write until both succeed on the same instance.
async fn wait_until_recovered(app: &TestApp, editor: &TestUser) {
    let deadline = Instant::now() + PROGRESS_DEADLINE;
    loop {
        let ready = app.get("/health/ready").await.status() == 200;
        let wrote = ready
            && app
                .post_json(
                    "/api/v1/articles",
                    Some(editor.token()),
                    &json!({"headline": format!("Recovery {}", uuid::Uuid::new_v4())}),
                )
                .await
                .status()
                == 201;
        if wrote {
            return;
        }
        assert!(Instant::now() < deadline, "the API did not recover");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_database_crash_mid_load_costs_quick_503s_and_no_acknowledged_write() {
    let cluster = DisposableCluster::start();
    let (app, editor, url) = app_on(&cluster).await;
    let load = Load::start(&app, &editor, "Crash");
    let mut crashes = 0;
    for _ in 0..2 {
        load.wait_for("acknowledged writes", 30, |p| {
            p.acknowledged.load(Ordering::Relaxed)
        })
        .await;
        cluster.kill_server();
        crashes += 1;
        // The load keeps running against the dead database.
        load.wait_for("503 answers", 2 * WRITERS, |p| {
            p.unavailable.load(Ordering::Relaxed)
        })
        .await;
        cluster.start_server();
        // Same instance, no restart: the writers' requests succeed again.
        load.wait_for("acknowledged writes after the restart", 30, |p| {
            p.acknowledged.load(Ordering::Relaxed)
        })
        .await;
    }
    wait_until_recovered(&app, &editor).await;
    let outcomes = load.finish().await;
    let failed = outcomes.iter().filter(|o| o.status == 503).count();
    eprintln!(
        "faults: {crashes} cluster crashes, {} requests, {failed} answered 503",
        outcomes.len()
    );
    assert!(failed > 0, "the crashes were not felt");
    verify(&url, &outcomes).await;
}

#[tokio::test]
async fn terminated_sessions_cost_at_most_503s_and_the_pool_heals() {
    let cluster = DisposableCluster::start();
    let (app, editor, url) = app_on(&cluster).await;
    let mut admin = AsyncPgConnection::establish(&cluster.url("postgres"))
        .await
        .unwrap();
    let load = Load::start(&app, &editor, "Terminate");
    let mut terminated = 0;
    for _ in 0..15 {
        load.wait_for("acknowledged writes", 5, |p| {
            p.acknowledged.load(Ordering::Relaxed)
        })
        .await;
        terminated += terminate_backends(&mut admin).await.len();
    }
    let outcomes = load.finish().await;

    // Once sessions stop being cut, the pool hands out only working connections: after the
    // last cut has taken effect, every request succeeds at the first try.
    let last = terminate_backends(&mut admin).await;
    terminated += last.len();
    wait_until_gone(&mut admin, &last).await;
    for n in 0..20 {
        let response = app
            .post_json(
                "/api/v1/articles",
                Some(editor.token()),
                &json!({"headline": format!("After the cuts {n}")}),
            )
            .await;
        let status = response.status();
        assert_eq!(
            status,
            201,
            "request {n} after the cuts: {}",
            response.text().await.unwrap()
        );
    }
    let failed = outcomes.iter().filter(|o| o.status == 503).count();
    eprintln!(
        "faults: {terminated} sessions terminated, {} requests, {failed} answered 503",
        outcomes.len()
    );
    assert!(terminated > 0, "no session was terminated");
    verify(&url, &outcomes).await;
}

/// Terminates every session on the API's database; returns their process ids.
async fn terminate_backends(admin: &mut AsyncPgConnection) -> Vec<i64> {
    let killed = query_json(
        admin,
        // Materialised first: a qual order that ran `pg_terminate_backend` before the filters
        // would cut this session too.
        "WITH victims AS MATERIALIZED ( \
           SELECT pid FROM pg_stat_activity \
           WHERE datname = 'newsroom' AND pid <> pg_backend_pid()) \
         SELECT coalesce(json_agg(pid), '[]')::text AS j FROM victims \
         WHERE pg_terminate_backend(pid)",
    )
    .await;
    killed
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_i64().unwrap())
        .collect()
}

/// Waits until none of `pids` is still running.
async fn wait_until_gone(admin: &mut AsyncPgConnection, pids: &[i64]) {
    // An array literal stays valid SQL when the last cut found no session to end.
    let list = pids
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(",");
    let sql = format!(
        "SELECT count(*)::text AS j FROM pg_stat_activity WHERE pid = ANY('{{{list}}}'::int[])"
    );
    let deadline = Instant::now() + PROGRESS_DEADLINE;
    while query_json(admin, &sql).await != 0 {
        assert!(Instant::now() < deadline, "terminated sessions linger");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
