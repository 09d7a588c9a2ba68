//! Public reads under load, rerunnable: `cargo bench --bench load`.
//!
//! 1. Seeds database `newsroom_bench_load` on `DATABASE_URL`'s server (or the local one) with
//!    `newsroom seed --articles $BENCH_ARTICLES` (default 100,000; deterministic, seed 42) unless
//!    it already holds that many articles; images go to `target/tmp/bench-load-media`.
//! 2. Starts the release `newsroom` binary against it on a loopback port, as an operator would
//!    (default workers and pool), and records its idle RSS.
//! 3. Twice, without and with the response cache: for each endpoint 2 s of warm-up, then `$BENCH_SECONDS` (default 10) at 32 concurrent
//!    keep-alive connections from this process, and prints requests/s, p50, p99 and errors.
//!    `/health/live` is measured in the same run as the HTTP ceiling. The write mix is an
//!    editor (created with `newsroom create-user`) updating the dek of one of 1,000 published
//!    articles and republishing it; one operation is both requests.
//! 4. Prints the server's peak RSS (`VmHWM`).
//!
//! The load generator, the server and PostgreSQL share the machine; the figures are for all
//! three on it, which is how a small newsroom runs.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark that cannot run should stop

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use futures_util::FutureExt;
use futures_util::future::BoxFuture;
use serde_json::Value;

const DATABASE: &str = "newsroom_bench_load";
const CONCURRENCY: usize = 32;
const WARM_UP: Duration = Duration::from_secs(2);
const FEED_DEPTH: usize = 500;
const ROTATING_SLUGS: usize = 1_000;

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `DATABASE_URL`'s server (or the local one) with `database` as the path.
fn server_url(database: &str) -> String {
    let base = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let mut url = url::Url::parse(&base).expect("DATABASE_URL must be a URL");
    url.set_path(&format!("/{database}"));
    url.to_string()
}

async fn article_count() -> i64 {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let Ok(mut conn) = AsyncPgConnection::establish(&server_url(DATABASE)).await else {
        return 0;
    };
    diesel::sql_query("SELECT count(*) AS n FROM articles")
        .get_result::<Count>(&mut conn)
        .await
        .map(|c| c.n)
        .unwrap_or(0)
}

fn media_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("bench-load-media")
}

fn newsroom(args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_newsroom"));
    command
        .args(args)
        .env("DATABASE_URL", server_url(DATABASE))
        .env("NEWSROOM_MEDIA_DIR", media_dir())
        .env("NEWSROOM_LOG", "warn");
    command
}

fn rss_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn start_server(client: &reqwest::Client, cache_mb: u64) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = newsroom(&["serve"])
        .env("NEWSROOM_BIND", format!("127.0.0.1:{port}"))
        .env("NEWSROOM_PUBLIC_CACHE_MB", cache_mb.to_string())
        .stdout(Stdio::null())
        .spawn()
        .expect("starting the server");
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let started = Instant::now();
    loop {
        let ready = client
            .get(format!("{}/health/ready", server.base))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        if ready {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the server did not become ready"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server
}

/// Latencies and failures of one endpoint.
struct Stats {
    requests: usize,
    errors: usize,
    elapsed: Duration,
    micros: Vec<u64>,
}

impl Stats {
    fn percentile(&self, p: f64) -> f64 {
        if self.micros.is_empty() {
            return 0.0;
        }
        let index = ((self.micros.len() as f64 - 1.0) * p).round() as usize;
        self.micros[index] as f64 / 1000.0
    }
}

/// What one simulated reader or editor does: the n-th operation of the run; `true` when every
/// request of it succeeded.
type Operation = Arc<dyn Fn(usize) -> BoxFuture<'static, bool> + Send + Sync>;

/// A GET of `urls` in turn.
fn reads(client: &reqwest::Client, urls: Vec<String>) -> Operation {
    let client = client.clone();
    let urls = Arc::new(urls);
    Arc::new(move |n| {
        let client = client.clone();
        let urls = urls.clone();
        async move {
            match client.get(&urls[n % urls.len()]).send().await {
                Ok(response) => response.status().is_success() && response.bytes().await.is_ok(),
                Err(_) => false,
            }
        }
        .boxed()
    })
}

/// An editor's update: a new dek on one of `ids` (in turn), then republishing it.
fn writes(client: &reqwest::Client, base: &str, token: &str, ids: Vec<String>) -> Operation {
    let client = client.clone();
    let base = base.to_owned();
    let auth = format!("Bearer {token}");
    let ids = Arc::new(ids);
    Arc::new(move |n| {
        let client = client.clone();
        let article = format!("{base}/api/v1/articles/{}", ids[n % ids.len()]);
        let auth = auth.clone();
        async move {
            let updated = client
                .patch(&article)
                .header("authorization", &auth)
                .header("if-match", "*")
                .json(&serde_json::json!({"dek": format!("Updated standfirst number {n}")}))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            let published = client
                .post(format!("{article}/publish"))
                .header("authorization", &auth)
                .header("if-match", "*")
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            updated && published
        }
        .boxed()
    })
}

/// How often the breaking story is republished while it is read.
const REPUBLISH_EVERY: Duration = Duration::from_millis(200);

/// Readers on a story's page and the front page while an editor keeps updating and
/// republishing it, as on a live story: every republish empties each instance's cache, so this
/// measures reads between refills rather than a warm cache.
async fn breaking_story(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    page: &str,
    id: &str,
    duration: Duration,
) -> Stats {
    let editor = writes(client, base, token, vec![id.to_owned()]);
    let stop = Arc::new(AtomicBool::new(false));
    let republishing = tokio::spawn({
        let stop = stop.clone();
        async move {
            let mut tick = tokio::time::interval(REPUBLISH_EVERY);
            let mut n = 0;
            while !AtomicBool::load(&stop, Ordering::Relaxed) {
                tick.tick().await;
                assert!(editor(n).await, "republishing the breaking story failed");
                n += 1;
            }
        }
    });
    let readers = reads(
        client,
        vec![page.to_owned(), format!("{base}/api/v1/public/articles")],
    );
    load(readers.clone(), WARM_UP).await;
    let stats = load(readers, duration).await;
    stop.store(true, Ordering::Relaxed);
    republishing.await.unwrap();
    stats
}

/// `CONCURRENCY` clients run `operation` for `duration`.
async fn load(operation: Operation, duration: Duration) -> Stats {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let operation = operation.clone();
            let next = next.clone();
            tokio::spawn(async move {
                let mut micros = Vec::with_capacity(100_000);
                let mut errors = 0;
                while started.elapsed() < duration {
                    let sent = Instant::now();
                    let ok = operation(next.fetch_add(1, Ordering::Relaxed)).await;
                    micros.push(sent.elapsed().as_micros() as u64);
                    if !ok {
                        errors += 1;
                    }
                }
                (micros, errors)
            })
        })
        .collect();
    let mut stats = Stats {
        requests: 0,
        errors: 0,
        elapsed: Duration::ZERO,
        micros: Vec::new(),
    };
    for task in tasks {
        let (micros, errors) = task.await.unwrap();
        stats.micros.extend(micros);
        stats.errors += errors;
    }
    stats.elapsed = started.elapsed();
    stats.requests = stats.micros.len();
    stats.micros.sort_unstable();
    stats
}

async fn get_json(client: &reqwest::Client, url: &str) -> Value {
    let response = client.get(url).send().await.unwrap();
    assert!(response.status().is_success(), "GET {url}");
    response.json().await.unwrap()
}

/// The URL of the feed page reached by following `steps` cursors from page 1.
async fn deep_feed_page(client: &reqwest::Client, base: &str, steps: usize) -> String {
    let mut url = format!("{base}/api/v1/public/articles");
    for _ in 0..steps {
        let page = get_json(client, &url).await;
        let cursor = page["next_cursor"]
            .as_str()
            .expect("the feed ended before the benchmark's depth: seed more articles");
        url = format!("{base}/api/v1/public/articles?cursor={cursor}");
    }
    url
}

/// `count` article slugs from the feed, search terms taken from their headlines, and their ids.
async fn slugs_and_terms(
    client: &reqwest::Client,
    base: &str,
    count: usize,
) -> (Vec<String>, Vec<String>, Vec<String>) {
    let mut slugs = Vec::new();
    let mut ids = Vec::new();
    let mut terms = Vec::new();
    let mut url = format!("{base}/api/v1/public/articles?limit=100");
    while slugs.len() < count {
        let page = get_json(client, &url).await;
        for item in page["items"].as_array().unwrap() {
            slugs.push(item["slug"].as_str().unwrap().to_owned());
            ids.push(item["id"].as_str().unwrap().to_owned());
            if terms.len() < 50 {
                let headline = item["headline"].as_str().unwrap();
                if let Some(word) = headline
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| w.chars().count() >= 6)
                    .max_by_key(|w| w.len())
                {
                    terms.push(word.to_lowercase());
                }
            }
        }
        let Some(cursor) = page["next_cursor"].as_str() else {
            break;
        };
        url = format!("{base}/api/v1/public/articles?limit=100&cursor={cursor}");
    }
    slugs.truncate(count);
    ids.truncate(count);
    (slugs, terms, ids)
}

#[tokio::main]
async fn main() {
    let articles: usize = env_or("BENCH_ARTICLES", 100_000);
    let seconds: u64 = env_or("BENCH_SECONDS", 10);
    let duration = Duration::from_secs(seconds);

    let have = article_count().await;
    if have < articles as i64 {
        eprintln!("seeding {articles} articles into {DATABASE} (once; later runs reuse it)…");
        let started = Instant::now();
        let status = newsroom(&[
            "seed",
            "--articles",
            &articles.to_string(),
            "--authors",
            "300",
            "--images",
            "500",
            "--seed",
            "42",
        ])
        .status()
        .expect("running newsroom seed");
        assert!(status.success(), "newsroom seed failed");
        eprintln!("seeded in {:.1} s", started.elapsed().as_secs_f64());
    }

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .pool_max_idle_per_host(CONCURRENCY)
        .build()
        .unwrap();
    println!(
        "\n{articles} articles seeded; {CONCURRENCY} connections; {seconds} s per endpoint after {} s warm-up",
        WARM_UP.as_secs()
    );
    for cache_mb in [0, 64] {
        pass(&client, cache_mb, duration).await;
    }
}

/// Creates an editor (once) and logs in; returns an access token.
async fn editor_token(client: &reqwest::Client, base: &str) -> String {
    use std::io::Write;
    const EMAIL: &str = "bench-editor@newsroom.test";
    const PASSWORD: &str = "bench editor password 123";
    let mut child = newsroom(&[
        "create-user",
        "--email",
        EMAIL,
        "--name",
        "Bench Editor",
        "--role",
        "editor",
    ])
    .stdin(Stdio::piped())
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .unwrap();
    writeln!(child.stdin.take().unwrap(), "{PASSWORD}").unwrap();
    // Fails harmlessly when the editor exists from an earlier run.
    let _ = child.wait();
    let session: Value = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"email": EMAIL, "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    session["access_token"].as_str().expect("log-in").to_owned()
}

/// One server, every endpoint; `cache_mb` 0 measures the database path.
async fn pass(client: &reqwest::Client, cache_mb: u64, duration: Duration) {
    let server = start_server(client, cache_mb).await;
    let pid = server.child.id();
    let idle_rss = rss_kib(pid, "VmRSS:");
    let base = server.base.clone();

    let deep = deep_feed_page(client, &base, FEED_DEPTH - 1).await;
    let (slugs, terms, ids) = slugs_and_terms(client, &base, ROTATING_SLUGS).await;
    let article = |slug: &String| format!("{base}/api/v1/public/articles/{slug}");
    let hot = article(&slugs[slugs.len() / 2]);
    let hot_id = ids[ids.len() / 2].clone();
    let busiest_author = {
        let page = get_json(client, &article(&slugs[0])).await;
        page["authors"][0]["slug"].as_str().unwrap().to_owned()
    };
    let token = editor_token(client, &base).await;

    let scenarios: Vec<(&str, Operation)> = vec![
        (
            "/health/live (HTTP ceiling)",
            reads(client, vec![format!("{base}/health/live")]),
        ),
        (
            "feed page 1",
            reads(client, vec![format!("{base}/api/v1/public/articles")]),
        ),
        ("feed page 500 (by cursor)", reads(client, vec![deep])),
        (
            "article by slug (1,000 rotating)",
            reads(client, slugs.iter().map(article).collect()),
        ),
        (
            "article by slug (one hot)",
            reads(client, vec![hot.clone()]),
        ),
        (
            "author page",
            reads(
                client,
                vec![format!("{base}/api/v1/public/authors/{busiest_author}")],
            ),
        ),
        (
            "search (50 rotating terms)",
            reads(
                client,
                terms
                    .iter()
                    .map(|t| format!("{base}/api/v1/public/search?q={t}"))
                    .collect(),
            ),
        ),
        (
            "write mix (update + republish)",
            writes(client, &base, &token, ids),
        ),
    ];

    let label = if cache_mb == 0 {
        "response cache off (every read renders from PostgreSQL)".to_owned()
    } else {
        format!("response cache on ({cache_mb} MB)")
    };
    println!("\n### {label}\n");
    println!("| endpoint | requests/s | p50 ms | p99 ms | errors |\n|---|---:|---:|---:|---:|");
    for (name, operation) in scenarios {
        load(operation.clone(), WARM_UP).await;
        let stats = load(operation, duration).await;
        println!(
            "| {name} | {:.0} | {:.2} | {:.2} | {} |",
            stats.requests as f64 / stats.elapsed.as_secs_f64(),
            stats.percentile(0.50),
            stats.percentile(0.99),
            stats.errors
        );
    }
    let stats = breaking_story(client, &base, &token, &hot, &hot_id, duration).await;
    println!(
        "| breaking story: hot article + front page, republished {}×/s | {:.0} | {:.2} | {:.2} | {} |",
        1000 / REPUBLISH_EVERY.as_millis(),
        stats.requests as f64 / stats.elapsed.as_secs_f64(),
        stats.percentile(0.50),
        stats.percentile(0.99),
        stats.errors
    );
    println!(
        "\nserver RSS: idle after start {:.1} MB, peak {:.1} MB",
        idle_rss as f64 / 1024.0,
        rss_kib(pid, "VmHWM:") as f64 / 1024.0
    );
}
