//! Public reads under load, rerunnable: `cargo bench --bench load`.
//!
//! 1. Seeds database `newsroom_bench_load` on `DATABASE_URL`'s server (or the local one) with
//!    `newsroom seed --articles $BENCH_ARTICLES` (default 100,000; deterministic, seed 42) unless
//!    it already holds that many articles; images go to `target/tmp/bench-load-media`.
//! 2. Starts the release `newsroom` binary against it on a loopback port, as an operator would
//!    (default workers and pool), and records its idle RSS.
//! 3. For each endpoint: 2 s of warm-up, then `$BENCH_SECONDS` (default 10) at 32 concurrent
//!    keep-alive connections from this process, and prints requests/s, p50, p99 and errors.
//!    `/health/live` is measured in the same run as the HTTP ceiling.
//! 4. Prints the server's peak RSS (`VmHWM`).
//!
//! The load generator, the server and PostgreSQL share the machine; the figures are for all
//! three on it, which is how a small newsroom runs.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark that cannot run should stop

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
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

async fn start_server(client: &reqwest::Client) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = newsroom(&["serve"])
        .env("NEWSROOM_BIND", format!("127.0.0.1:{port}"))
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

/// `CONCURRENCY` clients request `urls` in turn for `duration`.
async fn load(client: &reqwest::Client, urls: Arc<Vec<String>>, duration: Duration) -> Stats {
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let tasks: Vec<_> = (0..CONCURRENCY)
        .map(|_| {
            let client = client.clone();
            let urls = urls.clone();
            let next = next.clone();
            tokio::spawn(async move {
                let mut micros = Vec::with_capacity(100_000);
                let mut errors = 0;
                while started.elapsed() < duration {
                    let url = &urls[next.fetch_add(1, Ordering::Relaxed) % urls.len()];
                    let sent = Instant::now();
                    let ok = match client.get(url).send().await {
                        Ok(response) => {
                            let ok = response.status().is_success();
                            ok && response.bytes().await.is_ok()
                        }
                        Err(_) => false,
                    };
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

/// `count` article slugs from the feed, and search terms taken from their headlines.
async fn slugs_and_terms(
    client: &reqwest::Client,
    base: &str,
    count: usize,
) -> (Vec<String>, Vec<String>) {
    let mut slugs = Vec::new();
    let mut terms = Vec::new();
    let mut url = format!("{base}/api/v1/public/articles?limit=100");
    while slugs.len() < count {
        let page = get_json(client, &url).await;
        for item in page["items"].as_array().unwrap() {
            slugs.push(item["slug"].as_str().unwrap().to_owned());
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
    (slugs, terms)
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
    let server = start_server(&client).await;
    let pid = server.child.id();
    let idle_rss = rss_kib(pid, "VmRSS:");
    let base = server.base.clone();

    let deep = deep_feed_page(&client, &base, FEED_DEPTH - 1).await;
    let (slugs, terms) = slugs_and_terms(&client, &base, ROTATING_SLUGS).await;
    let article = |slug: &String| format!("{base}/api/v1/public/articles/{slug}");
    let hot = article(&slugs[slugs.len() / 2]);
    let busiest_author = {
        let page = get_json(
            &client,
            &format!("{base}/api/v1/public/articles/{}", slugs[0]),
        )
        .await;
        page["authors"][0]["slug"].as_str().unwrap().to_owned()
    };

    let scenarios: Vec<(&str, Vec<String>)> = vec![
        (
            "/health/live (HTTP ceiling)",
            vec![format!("{base}/health/live")],
        ),
        (
            "feed page 1",
            vec![format!("{base}/api/v1/public/articles")],
        ),
        ("feed page 500 (by cursor)", vec![deep]),
        (
            "article by slug (1,000 rotating)",
            slugs.iter().map(article).collect(),
        ),
        ("article by slug (one hot)", vec![hot]),
        (
            "author page",
            vec![format!("{base}/api/v1/public/authors/{busiest_author}")],
        ),
        (
            "search (50 rotating terms)",
            terms
                .iter()
                .map(|t| format!("{base}/api/v1/public/search?q={t}"))
                .collect(),
        ),
    ];

    println!(
        "\n{articles} articles seeded; {CONCURRENCY} connections; {seconds} s per endpoint after {} s warm-up\n",
        WARM_UP.as_secs()
    );
    println!("| endpoint | requests/s | p50 ms | p99 ms | errors |\n|---|---:|---:|---:|---:|");
    for (name, urls) in scenarios {
        let urls = Arc::new(urls);
        load(&client, urls.clone(), WARM_UP).await;
        let stats = load(&client, urls, duration).await;
        println!(
            "| {name} | {:.0} | {:.2} | {:.2} | {} |",
            stats.requests as f64 / stats.elapsed.as_secs_f64(),
            stats.percentile(0.50),
            stats.percentile(0.99),
            stats.errors
        );
    }
    println!(
        "\nserver RSS: idle after start {:.1} MB, peak {:.1} MB",
        idle_rss as f64 / 1024.0,
        rss_kib(pid, "VmHWM:") as f64 / 1024.0
    );
}
