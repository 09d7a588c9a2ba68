//! Scheduled publishing and webhook delivery, rerunnable: `cargo bench --bench workflow`.
//!
//! Starts the real application in this process (`Application::build`, default workers, pool and
//! intervals unless said otherwise) on loopback ports, against database
//! `newsroom_bench_workflow` on `DATABASE_URL`'s server (dropped before and after), and measures:
//!
//! 1. how late scheduled publishes fire: 1,000 articles created over HTTP (setup, not measured)
//!    and all scheduled for the same instant ~17 s ahead; then the wait until every one is
//!    published. Per article, the recorded delay is `published_at − publish_at` (from
//!    `GET /api/v1/articles/{id}`, checked against the audit log's `late_ms`); the visible
//!    delay is when the article's publication became visible to other connections (committed),
//!    from a `count(*)` of published articles polled every 10 ms. First with one instance,
//!    then again (1,000 new articles) with a second instance on the same database.
//! 2. webhook delivery throughput: a webhook on `article.updated` and `article.published`
//!    pointing at a local HTTP/1.1 receiver (keep-alive, answers 200 at once), then 2,000
//!    `PATCH /api/v1/articles/{id}` (8 at a time), each one event; measured from the first
//!    event to the last delivery received, and per event from the moment its PATCH returned
//!    to the moment the receiver had read the delivery. Once with the default
//!    `NEWSROOM_WEBHOOK_INTERVAL_MS` (1000), once with 100. Then the drain rate alone: 2,000
//!    events queued through an instance whose worker does not tick (interval 10 minutes; its
//!    first tick is at start-up), stopped, then a fresh instance (interval 100) delivers them.
//!
//! Everything runs in this one process on one machine: the client, the receiver and the
//! instances (each with its HTTP workers, pool, scheduler and delivery worker) share its cores
//! with PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark that cannot run should stop

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, SecondsFormat, Utc};
use diesel::sql_types::BigInt;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::StreamExt;
use newsroom::config::Config;
use newsroom::startup::Application;
use reqwest::header::{AUTHORIZATION, IF_MATCH};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const DATABASE: &str = "newsroom_bench_workflow";
const ADMIN_EMAIL: &str = "bench-admin@newsroom.test";
const ADMIN_PASSWORD: &str = "bench admin password 123";
const JWT_SECRET: &str = "bench-secret-bench-secret-bench-secret";

/// Articles scheduled per run.
const ARTICLES: usize = 1000;
/// How far ahead they are scheduled (setup must finish before).
const LEAD: Duration = Duration::from_secs(17);
/// Requests in flight during setup and event generation.
const CONCURRENCY: usize = 8;
/// How often the committed state is looked at while waiting for publication.
const POLL: Duration = Duration::from_millis(10);
/// Events generated per webhook run.
const EVENTS: usize = 2000;
/// Longest wait for publication or delivery before the benchmark gives up.
const DEADLINE: Duration = Duration::from_secs(60);

/// `DATABASE_URL`'s server (or the local one) with `database` as the path.
fn server_url(database: &str) -> String {
    let base = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let mut url = url::Url::parse(&base).expect("DATABASE_URL must be a URL");
    url.set_path(&format!("/{database}"));
    url.to_string()
}

async fn drop_bench_database() {
    let mut conn = AsyncPgConnection::establish(&server_url("postgres"))
        .await
        .expect("the benchmark needs a PostgreSQL server (see README)");
    diesel::sql_query(format!("DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)"))
        .execute(&mut conn)
        .await
        .unwrap();
}

/// A scalar `count(*)` read on the benchmark's own connection.
async fn count(conn: &mut AsyncPgConnection, query: &str) -> i64 {
    diesel::select(diesel::dsl::sql::<BigInt>(&format!("({query})")))
        .get_result(conn)
        .await
        .unwrap()
}

const PUBLISHED: &str = "SELECT count(*) FROM articles WHERE status = 'published'";
const DELIVERED: &str = "SELECT count(*) FROM webhook_deliveries WHERE status = 'delivered'";

/// `sorted` read at `percent` (same convention as the other benchmarks).
fn percentile<T: Copy>(sorted: &[T], percent: usize) -> T {
    sorted[(sorted.len() * percent / 100).min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1000.0)
}

fn signed_ms(d: chrono::Duration) -> i64 {
    d.num_milliseconds()
}

/// One running instance of the application.
struct Instance {
    base: String,
    handle: actix_web::dev::ServerHandle,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Instance {
    async fn start(media: &std::path::Path, extra: &[(&str, &str)]) -> Self {
        let mut vars = vec![
            ("DATABASE_URL".to_owned(), server_url(DATABASE)),
            ("NEWSROOM_BIND".to_owned(), "127.0.0.1:0".to_owned()),
            ("NEWSROOM_MEDIA_DIR".to_owned(), media.display().to_string()),
            ("NEWSROOM_JWT_SECRET".to_owned(), JWT_SECRET.to_owned()),
            (
                "NEWSROOM_BOOTSTRAP_ADMIN_EMAIL".to_owned(),
                ADMIN_EMAIL.to_owned(),
            ),
            (
                "NEWSROOM_BOOTSTRAP_ADMIN_PASSWORD".to_owned(),
                ADMIN_PASSWORD.to_owned(),
            ),
            ("NEWSROOM_LOG".to_owned(), "error".to_owned()),
            (
                "NEWSROOM_WEBHOOKS_ALLOW_PRIVATE".to_owned(),
                "true".to_owned(),
            ),
        ];
        vars.extend(
            extra
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned())),
        );
        let config = Config::from_vars(vars).unwrap();
        let application = Application::build(config).await.unwrap();
        let base = format!("http://127.0.0.1:{}", application.port());
        let handle = application.handle();
        let server = tokio::spawn(application.run_until_stopped());
        Self {
            base,
            handle,
            server,
        }
    }

    /// Stops serving; the instance's scheduler and webhook worker stop with it.
    async fn stop(self) {
        self.handle.stop(true).await;
        self.server.await.unwrap().unwrap();
    }
}

struct Api {
    client: reqwest::Client,
    bearer: String,
}

impl Api {
    async fn login(base: &str) -> Self {
        let client = reqwest::Client::new();
        let login: Value = client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}))
            .send()
            .await
            .unwrap()
            .error_for_status()
            .unwrap()
            .json()
            .await
            .unwrap();
        let bearer = format!("Bearer {}", login["access_token"].as_str().unwrap());
        Self { client, bearer }
    }

    /// Sends `request` with the token; returns the status and the JSON answer.
    async fn send(&self, request: reqwest::RequestBuilder) -> (reqwest::StatusCode, Value) {
        let response = request
            .header(AUTHORIZATION, &self.bearer)
            .send()
            .await
            .unwrap();
        let status = response.status();
        let bytes = response.bytes().await.unwrap();
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    async fn create_articles(&self, bases: &[String], label: &str, n: usize) -> Vec<String> {
        futures_util::stream::iter(0..n)
            .map(|i| {
                let base = &bases[i % bases.len()];
                let request = self.client.post(format!("{base}/api/v1/articles")).json(&json!({
                    "headline": format!("{label} story {i}: the council meets again"),
                    "dek": "What the budget vote means for the city.",
                    "tags": ["Local politics"],
                    "body": [
                        {"type": "paragraph", "text": "The council met on <em>Monday</em> evening to vote on the budget."},
                        {"type": "paragraph", "text": "Residents asked about housing, transport and schools."},
                    ],
                }));
                async move {
                    let (status, body) = self.send(request).await;
                    assert_eq!(status, 201, "create failed: {body}");
                    body["id"].as_str().unwrap().to_owned()
                }
            })
            .buffered(CONCURRENCY)
            .collect()
            .await
    }
}

struct ScheduleReport {
    label: String,
    lead: Duration,
    /// `published_at − publish_at` per article, in milliseconds, sorted.
    recorded: Vec<i64>,
    /// First to last `published_at`.
    recorded_span: i64,
    /// Distinct `published_at` values: one per scheduler transaction.
    transactions: usize,
    /// Per article, when its publication was first seen committed, after `publish_at`.
    visible: Vec<i64>,
}

/// Creates `ARTICLES` articles, schedules them all for one instant, waits until every one is
/// published and reads when each was.
async fn scheduled_publishes(
    api: &Api,
    bases: &[String],
    conn: &mut AsyncPgConnection,
    label: &str,
) -> ScheduleReport {
    let creating = Instant::now();
    let ids = api.create_articles(bases, label, ARTICLES).await;
    let created_in = creating.elapsed();

    let at = DateTime::from_timestamp_millis((Utc::now() + LEAD).timestamp_millis()).unwrap();
    let at_text = at.to_rfc3339_opts(SecondsFormat::Millis, true);
    let scheduling = Instant::now();
    futures_util::stream::iter(ids.iter().enumerate())
        .map(|(i, id)| {
            let base = &bases[i % bases.len()];
            let request = api
                .client
                .post(format!("{base}/api/v1/articles/{id}/schedule"))
                .header(IF_MATCH, "*")
                .json(&json!({"publish_at": at_text}));
            async move {
                let (status, body) = api.send(request).await;
                assert_eq!(status, 200, "schedule failed: {body}");
                assert_eq!(body["status"], "scheduled");
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect::<Vec<()>>()
        .await;
    let scheduled_in = scheduling.elapsed();
    let margin = at - Utc::now();
    assert!(
        margin > chrono::Duration::zero(),
        "setup took too long: scheduling ended {}ms after publish_at",
        -margin.num_milliseconds()
    );
    println!(
        "{label}: created {ARTICLES} articles in {created_in:.1?}, scheduled them in \
         {scheduled_in:.1?} for {at_text} ({:.1} s ahead when the last was scheduled)",
        margin.num_milliseconds() as f64 / 1000.0
    );

    // Wait, watching the committed state.
    let baseline = count(conn, PUBLISHED).await;
    let target = baseline + ARTICLES as i64;
    let mut seen = baseline;
    let mut visible = Vec::with_capacity(ARTICLES);
    let give_up = at + chrono::Duration::from_std(DEADLINE).unwrap();
    let mut ticker = tokio::time::interval(POLL);
    while seen < target {
        ticker.tick().await;
        let now_published = count(conn, PUBLISHED).await;
        let when = Utc::now();
        assert!(
            when < give_up,
            "{label}: only {} of {ARTICLES} published {}s after publish_at",
            seen - baseline,
            DEADLINE.as_secs()
        );
        for _ in seen..now_published.min(target) {
            visible.push(signed_ms(when - at));
        }
        seen = now_published;
    }
    let (status, page) = api
        .send(
            api.client
                .get(format!("{}/api/v1/articles", bases[0]))
                .query(&[("status", "scheduled"), ("limit", "1")]),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        page["items"].as_array().map(Vec::len),
        Some(0),
        "{label}: articles still scheduled: {page}"
    );

    // Per article: published_at from the article, late_ms from the audit log.
    let ours: HashSet<&str> = ids.iter().map(String::as_str).collect();
    let published_at: HashMap<String, DateTime<Utc>> = futures_util::stream::iter(ids.iter())
        .map(|id| {
            let request = api.client.get(format!("{}/api/v1/articles/{id}", bases[0]));
            async move {
                let (status, body) = api.send(request).await;
                assert_eq!(status, 200);
                assert_eq!(body["status"], "published", "{body}");
                let published: DateTime<Utc> =
                    serde_json::from_value(body["published_at"].clone()).unwrap();
                (id.clone(), published)
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let mut late_ms: HashMap<String, i64> = HashMap::new();
    let since = (at - chrono::Duration::seconds(1)).to_rfc3339_opts(SecondsFormat::Millis, true);
    let mut cursor: Option<String> = None;
    loop {
        let mut query = vec![
            ("action", "article.publish".to_owned()),
            ("since", since.clone()),
            ("limit", "100".to_owned()),
        ];
        if let Some(c) = &cursor {
            query.push(("cursor", c.clone()));
        }
        let (status, page) = api
            .send(
                api.client
                    .get(format!("{}/api/v1/audit-log", bases[0]))
                    .query(&query),
            )
            .await;
        assert_eq!(status, 200, "{page}");
        for entry in page["items"].as_array().unwrap() {
            let id = entry["target_id"].as_str().unwrap_or_default();
            if ours.contains(id) {
                late_ms.insert(id.to_owned(), entry["changes"]["late_ms"].as_i64().unwrap());
            }
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(
        late_ms.len(),
        ARTICLES,
        "{label}: audit entries for {} of {ARTICLES}",
        late_ms.len()
    );
    let mut recorded: Vec<i64> = published_at
        .iter()
        .map(|(id, p)| {
            let delay = signed_ms(*p - at);
            // The audit's late_ms is the same difference, taken by the scheduler itself.
            assert!(
                (delay - late_ms[id]).abs() <= 1,
                "{id}: published_at − publish_at = {delay} ms, late_ms = {}",
                late_ms[id]
            );
            delay
        })
        .collect();
    recorded.sort_unstable();
    let transactions = published_at.values().collect::<HashSet<_>>().len();
    let first = published_at.values().min().unwrap();
    let last = published_at.values().max().unwrap();
    ScheduleReport {
        label: label.to_owned(),
        lead: LEAD,
        recorded_span: signed_ms(*last - *first),
        recorded,
        transactions,
        visible,
    }
}

fn print_schedule(report: &ScheduleReport) {
    let r = &report.recorded;
    let v = &report.visible;
    let n = r.len();
    println!();
    println!(
        "{}: {n} articles scheduled for one instant {} s ahead",
        report.label,
        report.lead.as_secs()
    );
    println!(
        "  {:<46} {:>8} {:>8} {:>8} {:>8} {:>16}",
        "delay after publish_at", "min", "p50", "p99", "max", "first→last"
    );
    println!(
        "  {:<46} {:>5} ms {:>5} ms {:>5} ms {:>5} ms {:>13} ms",
        "recorded: published_at − publish_at",
        r[0],
        percentile(r, 50),
        percentile(r, 99),
        r[n - 1],
        report.recorded_span
    );
    println!(
        "  {:<46} {:>5} ms {:>5} ms {:>5} ms {:>5} ms {:>13} ms",
        "visible: committed, seen by a 10 ms poll",
        v[0],
        percentile(v, 50),
        percentile(v, 99),
        v[v.len() - 1],
        v[v.len() - 1] - v[0]
    );
    println!(
        "  {} scheduler transactions (distinct published_at; batch of at most 100), \
         {:.0} publishes/s from first to last visible",
        report.transactions,
        n as f64 * 1000.0 / (v[v.len() - 1] - v[0]).max(1) as f64
    );
    println!(
        "  first publish {} ms after publish_at (the tick phase), then a new transaction every \
         {} ms on average (~{:.2} ms per article)",
        r[0],
        report.recorded_span / (report.transactions as i64 - 1).max(1),
        report.recorded_span as f64 / n as f64
    );
}

/// What the receiver read: when, and which event of which article.
#[derive(Debug, Clone)]
struct Receipt {
    at: Instant,
    delivery: String,
    event: String,
    article: String,
    version: i64,
}

/// A local HTTP/1.1 endpoint (keep-alive) that records each request and answers 200 at once.
struct Receiver {
    url: String,
    log: Arc<Mutex<Vec<Receipt>>>,
}

impl Receiver {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let log = Arc::new(Mutex::new(Vec::new()));
        let shared = log.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve_connection(socket, shared.clone()));
            }
        });
        Self { url, log }
    }

    fn take(&self) -> Vec<Receipt> {
        std::mem::take(&mut *self.log.lock().unwrap())
    }

    fn distinct(&self) -> usize {
        self.log
            .lock()
            .unwrap()
            .iter()
            .map(|r| &r.delivery)
            .collect::<HashSet<_>>()
            .len()
    }
}

async fn serve_connection(mut socket: TcpStream, log: Arc<Mutex<Vec<Receipt>>>) {
    let mut buffer: Vec<u8> = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        let (body_start, length) = loop {
            if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buffer[..i]);
                let length: usize = head
                    .lines()
                    .filter_map(|line| line.split_once(':'))
                    .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
                    .and_then(|(_, v)| v.trim().parse().ok())
                    .unwrap_or(0);
                if buffer.len() >= i + 4 + length {
                    break (i + 4, length);
                }
            }
            match socket.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            }
        };
        let at = Instant::now();
        let head = String::from_utf8_lossy(&buffer[..body_start]).into_owned();
        let delivery = head
            .lines()
            .filter_map(|line| line.split_once(':'))
            .find(|(k, _)| k.trim().eq_ignore_ascii_case("x-newsroom-delivery"))
            .map(|(_, v)| v.trim().to_owned())
            .unwrap_or_default();
        let body: Value =
            serde_json::from_slice(&buffer[body_start..body_start + length]).unwrap_or_default();
        buffer.drain(..body_start + length);
        log.lock().unwrap().push(Receipt {
            at,
            delivery,
            event: body["event"].as_str().unwrap_or_default().to_owned(),
            article: body["article"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            version: body["article"]["version"].as_i64().unwrap_or_default(),
        });
        if socket
            .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n")
            .await
            .is_err()
        {
            return;
        }
    }
}

/// One generated event: the article, the version its PATCH produced, when the PATCH was sent
/// and when it was answered.
struct Event {
    article: String,
    version: i64,
    sent: Instant,
    answered: Instant,
}

/// PATCHes the first `EVENTS` of `articles` once each (one `article.updated` event each),
/// `CONCURRENCY` at a time; returns the events in the order they were answered.
async fn generate_events(api: &Api, base: &str, articles: &[String], label: &str) -> Vec<Event> {
    assert!(articles.len() >= EVENTS);
    let mut events: Vec<Event> = futures_util::stream::iter(articles[..EVENTS].iter().enumerate())
        .map(|(i, id)| {
            let request = api
                .client
                .patch(format!("{base}/api/v1/articles/{id}"))
                .header(IF_MATCH, "*")
                .json(&json!({"dek": format!("{label}: revised standfirst {i}")}));
            async move {
                let sent = Instant::now();
                let (status, body) = api.send(request).await;
                let answered = Instant::now();
                assert_eq!(status, 200, "patch failed: {body}");
                Event {
                    article: id.clone(),
                    version: body["version"].as_i64().unwrap(),
                    sent,
                    answered,
                }
            }
        })
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    events.sort_by_key(|e| e.answered);
    events
}

/// Waits until the receiver has `EVENTS` distinct deliveries and the server has recorded them
/// all as delivered; returns the receipts and when the recording was seen complete.
async fn wait_for_deliveries(
    receiver: &Receiver,
    conn: &mut AsyncPgConnection,
    delivered_before: i64,
    label: &str,
) -> (Vec<Receipt>, Instant) {
    let give_up = Instant::now() + DEADLINE;
    while receiver.distinct() < EVENTS {
        assert!(
            Instant::now() < give_up,
            "{label}: {} of {EVENTS} deliveries received",
            receiver.distinct()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let receipts = receiver.take();
    while count(conn, DELIVERED).await < delivered_before + EVENTS as i64 {
        assert!(
            Instant::now() < give_up,
            "{label}: deliveries not all recorded"
        );
        tokio::time::sleep(POLL).await;
    }
    (receipts, Instant::now())
}

/// The first receipt of each delivery, in arrival order; and how many were repeats.
fn first_receipts(receipts: &[Receipt]) -> (Vec<&Receipt>, usize) {
    let mut seen = HashSet::new();
    let mut firsts: Vec<&Receipt> = receipts
        .iter()
        .filter(|r| seen.insert(r.delivery.as_str()))
        .collect();
    firsts.sort_by_key(|r| r.at);
    let repeats = receipts.len() - firsts.len();
    (firsts, repeats)
}

/// How deliveries arrived: in bursts (one per worker batch) separated by quiet gaps.
struct Bursts {
    sizes: Vec<usize>,
    /// First to last arrival within a burst: the sending of one batch.
    lengths: Vec<Duration>,
    /// Last arrival of a burst to the first of the next.
    gaps: Vec<Duration>,
}

/// Splits sorted arrival times where more than `BURST_GAP` passes without one.
fn bursts(arrivals: &[Instant]) -> Bursts {
    const BURST_GAP: Duration = Duration::from_millis(10);
    let mut out = Bursts {
        sizes: vec![1],
        lengths: vec![],
        gaps: vec![],
    };
    let mut start = arrivals[0];
    for pair in arrivals.windows(2) {
        let gap = pair[1] - pair[0];
        if gap > BURST_GAP {
            out.lengths.push(pair[0] - start);
            out.gaps.push(gap);
            out.sizes.push(0);
            start = pair[1];
        }
        *out.sizes.last_mut().unwrap() += 1;
    }
    out.lengths.push(arrivals[arrivals.len() - 1] - start);
    out.sizes.sort_unstable();
    out.lengths.sort_unstable();
    out.gaps.sort_unstable();
    out
}

fn describe(b: &Bursts) -> String {
    let gaps = if b.gaps.is_empty() {
        "-".to_owned()
    } else {
        ms(percentile(&b.gaps, 50))
    };
    format!(
        "{} bursts of median {} (max {}) deliveries; a burst lasts {} (median), \
         the gap between bursts {} (median)",
        b.sizes.len(),
        percentile(&b.sizes, 50),
        b.sizes[b.sizes.len() - 1],
        ms(percentile(&b.lengths, 50)),
        gaps
    )
}

fn per_second(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

/// Events generated while the delivery worker runs: throughput and per-event latency.
async fn webhook_live_run(
    api: &Api,
    base: &str,
    conn: &mut AsyncPgConnection,
    receiver: &Receiver,
    articles: &[String],
    label: &str,
) {
    receiver.take();
    let delivered_before = count(conn, DELIVERED).await;
    let events = generate_events(api, base, articles, label).await;
    let (receipts, recorded_at) =
        wait_for_deliveries(receiver, conn, delivered_before, label).await;

    let first_sent = events.iter().map(|e| e.sent).min().unwrap();
    let first_event = events[0].answered;
    let last_event = events[events.len() - 1].answered;
    let mut patch_times: Vec<Duration> = events.iter().map(|e| e.answered - e.sent).collect();
    patch_times.sort_unstable();
    let answered: HashMap<(&str, i64), Instant> = events
        .iter()
        .map(|e| ((e.article.as_str(), e.version), e.answered))
        .collect();
    let (firsts, repeats) = first_receipts(&receipts);
    let mut latency: Vec<Duration> = firsts
        .iter()
        .map(|r| {
            assert_eq!(r.event, "article.updated");
            let event = answered
                .get(&(r.article.as_str(), r.version))
                .unwrap_or_else(|| panic!("a delivery for no event of ours: {r:?}"));
            r.at.saturating_duration_since(*event)
        })
        .collect();
    latency.sort_unstable();
    let arrivals: Vec<Instant> = firsts.iter().map(|r| r.at).collect();
    let (first_received, last_received) = (arrivals[0], arrivals[arrivals.len() - 1]);
    let n = EVENTS;

    println!();
    println!("{label}: {n} article.updated events generated while the worker runs");
    println!(
        "  generation: {:.0} events/s ({n} PATCH answered in {:.2?}, {CONCURRENCY} in flight, \
         PATCH p50 {})",
        per_second(n, last_event - first_sent),
        last_event - first_sent,
        ms(percentile(&patch_times, 50))
    );
    println!(
        "  delivery:   {:.0} deliveries/s (first event → last delivery received: {:.2?}; \
         first → last received: {:.2?}); last delivery {} after the last event",
        per_second(n, last_received - first_event),
        last_received - first_event,
        last_received - first_received,
        ms(last_received.saturating_duration_since(last_event))
    );
    println!(
        "  latency, PATCH answered → delivery received: p50 {}, p99 {}, max {}",
        ms(percentile(&latency, 50)),
        ms(percentile(&latency, 99)),
        ms(latency[latency.len() - 1])
    );
    println!("  receiver: {}", describe(&bursts(&arrivals)));
    println!(
        "  {repeats} duplicate deliveries; all recorded `delivered` {:.2?} after the first event",
        recorded_at - first_event
    );
}

/// A backlog of events queued while no worker looks, then drained by one instance: the
/// delivery rate without event generation competing for the machine.
async fn webhook_backlog_run(
    api: &Api,
    media: &std::path::Path,
    conn: &mut AsyncPgConnection,
    receiver: &Receiver,
    articles: &[String],
) {
    let label = "backlog drain, NEWSROOM_WEBHOOK_INTERVAL_MS=100";
    // The worker's first tick is at start-up; the next would be in 10 minutes.
    let generator = Instance::start(media, &[("NEWSROOM_WEBHOOK_INTERVAL_MS", "600000")]).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    receiver.take();
    let delivered_before = count(conn, DELIVERED).await;
    let queued = Instant::now();
    generate_events(api, &generator.base, articles, label).await;
    let queued_in = queued.elapsed();
    generator.stop().await;
    assert_eq!(receiver.distinct(), 0, "a delivery was made while queueing");

    let starting = Instant::now();
    let worker = Instance::start(media, &[("NEWSROOM_WEBHOOK_INTERVAL_MS", "100")]).await;
    let started = Instant::now();
    let (receipts, recorded_at) =
        wait_for_deliveries(receiver, conn, delivered_before, label).await;
    worker.stop().await;
    let (firsts, repeats) = first_receipts(&receipts);
    let arrivals: Vec<Instant> = firsts.iter().map(|r| r.at).collect();
    let (first_received, last_received) = (arrivals[0], arrivals[arrivals.len() - 1]);
    let n = EVENTS;

    println!();
    println!(
        "{label}: {n} deliveries queued first ({:.2?}), then one instance started \
         ({:.2?} to build) and drained them",
        queued_in,
        started - starting
    );
    println!(
        "  delivery:   {:.0} deliveries/s (first → last received: {:.2?}; instance ready → \
         last received: {:.2?})",
        per_second(n, last_received - first_received),
        last_received - first_received,
        last_received.saturating_duration_since(started)
    );
    println!("  receiver: {}", describe(&bursts(&arrivals)));
    println!(
        "  {repeats} duplicate deliveries; all recorded `delivered` {:.2?} after the instance \
         was ready",
        recorded_at - started
    );
}

fn main() {
    let started = Instant::now();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(run());
    println!();
    println!(
        "machine: {cores} cores shared by PostgreSQL, the app instances (default \
         NEWSROOM_WORKERS = cores, pool 16 each, all in this process) and this client; \
         PostgreSQL {}",
        server_url(DATABASE)
    );
    println!("total run time: {:.1?}", started.elapsed());
}

async fn run() {
    drop_bench_database().await;
    let media = tempfile::tempdir().unwrap();
    newsroom::telemetry::init("error", newsroom::config::LogFormat::Pretty);

    // 1. Scheduled publishing, one instance, then two.
    let a = Instance::start(media.path(), &[]).await;
    let api = Api::login(&a.base).await;
    let mut conn = AsyncPgConnection::establish(&server_url(DATABASE))
        .await
        .unwrap();
    println!("scheduler: NEWSROOM_SCHEDULER_INTERVAL_MS default (1000), batch 100 per transaction");
    let one = scheduled_publishes(
        &api,
        std::slice::from_ref(&a.base),
        &mut conn,
        "one instance",
    )
    .await;
    let b = Instance::start(media.path(), &[]).await;
    let two = scheduled_publishes(
        &api,
        &[a.base.clone(), b.base.clone()],
        &mut conn,
        "two instances",
    )
    .await;
    b.stop().await;
    print_schedule(&one);
    print_schedule(&two);
    println!(
        "  (a tick every 1000 ms: the first publish waits for the next tick after publish_at, \
         0–1000 ms, one random phase per instance and run; the rest queue behind it in \
         batches; `recorded` is the transaction's start (now()), `visible` its commit)"
    );

    // 2. Webhook delivery: the articles published above, each PATCHed once per run.
    let receiver = Receiver::start().await;
    let (status, webhook) = api
        .send(
            api.client
                .post(format!("{}/api/v1/webhooks", a.base))
                .json(&json!({
                    "url": receiver.url,
                    "events": ["article.updated", "article.published"],
                    "secret": "bench-webhook-secret-0123456789",
                })),
        )
        .await;
    assert_eq!(status, 201, "{webhook}");
    let mut articles = Vec::new();
    let mut cursor: Option<String> = None;
    while articles.len() < EVENTS {
        let mut query = vec![
            ("status", "published".to_owned()),
            ("limit", "100".to_owned()),
        ];
        if let Some(c) = &cursor {
            query.push(("cursor", c.clone()));
        }
        let (status, page) = api
            .send(
                api.client
                    .get(format!("{}/api/v1/articles", a.base))
                    .query(&query),
            )
            .await;
        assert_eq!(status, 200);
        for item in page["items"].as_array().unwrap() {
            articles.push(item["id"].as_str().unwrap().to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    println!();
    println!(
        "webhooks: receiver {} (HTTP/1.1 keep-alive, 200 at once, no signature check); \
         worker batch 50 (claimed in one statement, sent concurrently, results recorded one \
         UPDATE each), NEWSROOM_WEBHOOKS_ALLOW_PRIVATE=true",
        receiver.url
    );
    webhook_live_run(
        &api,
        &a.base,
        &mut conn,
        &receiver,
        &articles,
        "NEWSROOM_WEBHOOK_INTERVAL_MS=1000 (default)",
    )
    .await;
    a.stop().await;

    let c = Instance::start(media.path(), &[("NEWSROOM_WEBHOOK_INTERVAL_MS", "100")]).await;
    webhook_live_run(
        &api,
        &c.base,
        &mut conn,
        &receiver,
        &articles,
        "NEWSROOM_WEBHOOK_INTERVAL_MS=100",
    )
    .await;
    c.stop().await;

    webhook_backlog_run(&api, media.path(), &mut conn, &receiver, &articles).await;

    drop(conn);
    drop_bench_database().await;
    drop(media);
}
