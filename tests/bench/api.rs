//! End-to-end HTTP costs, rerunnable: `cargo bench --bench api`.
//!
//! Starts the real application in this process (`Application::build`, 2 workers, pool of 16,
//! local media store in a temporary directory) on a loopback port, against database
//! `newsroom_bench_api` on `DATABASE_URL`'s server (dropped and recreated by the app at start,
//! dropped again at the end), and measures with `reqwest`, one request at a time:
//!
//! 1. image upload throughput: a ~8 MB photo-like 6000x4000 JPEG, 10 times with one byte varied
//!    each time (so every upload is new bytes and written to storage), then 10 times the same
//!    bytes (the stored file is shared: no storage write);
//! 2. article writes with a realistic 1,500-word body (25 paragraphs with inline markup, 3
//!    headings, a list, a quote and 10 YouTube embeds): POST /api/v1/articles and
//!    PATCH /api/v1/articles/{id} with `If-Match`, 200 measured runs each after 20 warm-ups;
//! 3. GET /api/v1/articles/{id} of that article, 500 runs.
//!
//! Next to the client-side figures it shows the server-side mean of the same requests, from the
//! app's own `/metrics` histogram, so the HTTP and client share can be told apart.

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark that cannot run should stop

use std::collections::HashMap;
use std::time::{Duration, Instant};

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use newsroom::config::Config;
use newsroom::media::image::{Limits, probe, test_support};
use newsroom::startup::Application;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, ETAG, IF_MATCH};
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

const DATABASE: &str = "newsroom_bench_api";
const ADMIN_EMAIL: &str = "bench-admin@newsroom.test";
const ADMIN_PASSWORD: &str = "bench admin password 123";
const WORKERS: usize = 2;
const POOL_SIZE: usize = 16;

const UPLOADS: usize = 10;
const WRITE_RUNS: usize = 200;
const READ_RUNS: usize = 500;
const WARM_UPS: usize = 20;

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

/// `samples` sorted, read at `percent` (same convention as the auth benchmark).
fn percentile(samples: &[Duration], percent: usize) -> Duration {
    let mut sorted = samples.to_vec();
    sorted.sort();
    sorted[(sorted.len() * percent / 100).min(sorted.len() - 1)]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn megabytes(bytes: usize) -> f64 {
    bytes as f64 / 1_000_000.0
}

/// Position of the one data byte of the comment segment added after SOI.
const VARIED_BYTE: usize = 6;

/// `jpeg` with a one-byte comment segment (`FF FE 00 03 xx`) right after SOI: changing that
/// byte changes the file's hash without touching the picture.
fn with_comment(jpeg: &[u8]) -> Vec<u8> {
    assert_eq!(&jpeg[..2], &[0xFF, 0xD8], "not a JPEG");
    let mut out = Vec::with_capacity(jpeg.len() + 5);
    out.extend_from_slice(&jpeg[..2]);
    out.extend_from_slice(&[0xFF, 0xFE, 0x00, 0x03, 0x00]);
    out.extend_from_slice(&jpeg[2..]);
    assert_eq!(out[VARIED_BYTE], 0);
    out
}

const WORDS: &[&str] = &[
    "council",
    "budget",
    "vote",
    "residents",
    "city",
    "plan",
    "housing",
    "transport",
    "school",
    "district",
    "mayor",
    "officials",
    "report",
    "week",
    "year",
    "million",
    "funding",
    "public",
    "meeting",
    "proposal",
    "tax",
    "road",
    "bridge",
    "water",
    "energy",
    "police",
    "hospital",
    "court",
    "judge",
    "election",
    "campaign",
    "minister",
    "government",
    "policy",
    "community",
    "families",
    "workers",
    "union",
    "strike",
    "wages",
    "prices",
    "market",
    "business",
    "local",
    "national",
    "regional",
    "said",
    "told",
    "asked",
    "added",
    "according",
    "because",
    "after",
    "before",
    "during",
    "while",
    "although",
    "however",
    "which",
    "where",
    "when",
    "the",
    "a",
    "of",
    "to",
    "in",
    "for",
    "on",
    "with",
    "at",
    "by",
    "from",
    "that",
    "this",
    "their",
    "its",
    "new",
    "old",
    "first",
    "last",
    "next",
    "several",
    "many",
    "few",
    "most",
    "some",
    "about",
    "more",
    "than",
    "under",
    "over",
    "into",
    "against",
    "between",
    "without",
    "within",
    "across",
    "nearly",
    "almost",
    "already",
    "still",
    "again",
    "later",
    "early",
    "recent",
    "long",
    "short",
    "small",
    "large",
    "major",
    "minor",
    "key",
    "main",
    "final",
    "initial",
    "decision",
    "statement",
    "interview",
    "spokesperson",
    "analysis",
    "data",
    "survey",
    "figures",
    "increase",
    "decrease",
    "change",
    "debate",
    "question",
    "answer",
    "concern",
    "support",
    "opposition",
    "agreement",
    "deal",
    "talks",
    "committee",
    "board",
    "agency",
    "department",
    "office",
    "service",
    "project",
    "programme",
    "scheme",
    "network",
    "system",
    "evening",
    "morning",
    "afternoon",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
];

/// Deterministic word picker (xorshift).
struct Prose(u64);

impl Prose {
    fn next(&mut self) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 as usize
    }

    fn word(&mut self) -> &'static str {
        WORDS[self.next() % WORDS.len()]
    }

    fn words(&mut self, n: usize) -> Vec<&'static str> {
        (0..n).map(|_| self.word()).collect()
    }

    /// A paragraph of `n` words in sentences of 8 to 20, with some inline markup.
    fn paragraph(&mut self, n: usize, index: usize) -> String {
        let mut out = String::new();
        let mut left = n;
        let mut sentence = 0;
        while left > 0 {
            let len = (8 + self.next() % 13).min(left);
            let mut text = capitalised(&self.words(len).join(" "));
            match (index + sentence) % 5 {
                0 if len > 3 => {
                    let parts: Vec<&str> = text.splitn(3, ' ').collect();
                    text = format!("{} <em>{}</em> {}", parts[0], parts[1], parts[2]);
                }
                2 if len > 4 => {
                    let parts: Vec<&str> = text.splitn(4, ' ').collect();
                    text = format!(
                        "{} {} <strong>{}</strong> {}",
                        parts[0], parts[1], parts[2], parts[3]
                    );
                }
                4 if len > 5 => {
                    let parts: Vec<&str> = text.splitn(3, ' ').collect();
                    text = format!(
                        "{} <a href=\"https://example.com/news/{index}-{sentence}\">{}</a> {}",
                        parts[0], parts[1], parts[2]
                    );
                }
                _ => {}
            }
            out.push_str(&text);
            out.push_str(". ");
            left -= len;
            sentence += 1;
        }
        out.trim_end().to_owned()
    }
}

/// 25 paragraphs (~1,400 words), 3 headings, a list, a quote, and the embeds spread out.
fn article_body(embeds: &[String]) -> Vec<Value> {
    let mut prose = Prose(0x2545_F491_4F6C_DD1D);
    let mut blocks = Vec::new();
    let mut embeds = embeds.iter();
    for p in 0..25 {
        match p {
            6 | 13 | 20 => blocks.push(json!({
                "type": "heading", "level": 2,
                "text": capitalised(&prose.words(5).join(" ")),
            })),
            9 => blocks.push(json!({
                "type": "list", "ordered": false,
                "items": (0..4).map(|_| prose.words(7).join(" ")).collect::<Vec<_>>(),
            })),
            16 => blocks.push(json!({
                "type": "quote",
                "text": capitalised(&prose.words(24).join(" ")),
                "attribution": "A council spokesperson",
            })),
            _ => {}
        }
        blocks.push(json!({"type": "paragraph", "text": prose.paragraph(54 + p % 5, p)}));
        // Ten embeds after every other paragraph from the second on (2, 4, …, 20).
        if p % 2 == 1
            && p < 21
            && let Some(id) = embeds.next()
        {
            blocks.push(json!({"type": "embed", "embed_id": id}));
        }
    }
    blocks
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The server's own latency figures: (sum of seconds, count) by "METHOD route".
async fn server_metrics(client: &reqwest::Client, base: &str) -> HashMap<String, (f64, u64)> {
    let text = client
        .get(format!("{base}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut out: HashMap<String, (f64, u64)> = HashMap::new();
    for line in text.lines() {
        let (is_sum, rest) =
            if let Some(rest) = line.strip_prefix("newsroom_http_request_duration_seconds_sum{") {
                (true, rest)
            } else if let Some(rest) =
                line.strip_prefix("newsroom_http_request_duration_seconds_count{")
            {
                (false, rest)
            } else {
                continue;
            };
        let Some((labels, value)) = rest.split_once("} ") else {
            continue;
        };
        let label = |name: &str| {
            labels
                .split(',')
                .find_map(|l| l.strip_prefix(&format!("{name}=\"")))
                .map(|v| v.trim_end_matches('"').to_owned())
                .unwrap_or_default()
        };
        let key = format!("{} {}", label("method"), label("route"));
        let entry = out.entry(key).or_default();
        if is_sum {
            entry.0 += value.trim().parse::<f64>().unwrap_or(0.0);
        } else {
            entry.1 += value.trim().parse::<u64>().unwrap_or(0);
        }
    }
    out
}

/// Server-side mean of `key` between two scrapes.
fn server_mean(
    before: &HashMap<String, (f64, u64)>,
    after: &HashMap<String, (f64, u64)>,
    key: &str,
) -> String {
    let (s0, c0) = before.get(key).copied().unwrap_or_default();
    let (s1, c1) = after.get(key).copied().unwrap_or_default();
    if c1 <= c0 {
        return "-".to_owned();
    }
    ms(Duration::from_secs_f64((s1 - s0) / (c1 - c0) as f64))
}

struct Row {
    what: String,
    runs: usize,
    p50: String,
    p99: String,
    server: String,
    note: String,
}

fn main() {
    let started = Instant::now();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());

    let (width, height) = (6000, 4000);
    let generating = Instant::now();
    let photo = with_comment(&test_support::encode_jpeg(
        &test_support::photo(width, height),
        90,
    ));
    println!(
        "source: {width}x{height} JPEG (quality 90), {:.1} MB, generated in {:.1?}",
        megabytes(photo.len()),
        generating.elapsed()
    );

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let rows = runtime.block_on(run(&photo));

    println!();
    println!(
        "machine: {cores} cores (available_parallelism); server: {WORKERS} workers, pool {POOL_SIZE}, \
         PostgreSQL {}, media on local disk; client: reqwest, one keep-alive connection, \
         requests one at a time over loopback",
        server_url(DATABASE)
    );
    let widths = [44, 5, 10, 10, 12];
    println!(
        "{:<w0$} {:>w1$} {:>w2$} {:>w3$} {:>w4$}  note",
        "measurement",
        "runs",
        "p50",
        "p99",
        "server mean",
        w0 = widths[0],
        w1 = widths[1],
        w2 = widths[2],
        w3 = widths[3],
        w4 = widths[4],
    );
    println!("{}", "-".repeat(widths.iter().sum::<usize>() + 4 + 40));
    for row in rows {
        println!(
            "{:<w0$} {:>w1$} {:>w2$} {:>w3$} {:>w4$}  {}",
            row.what,
            row.runs,
            row.p50,
            row.p99,
            row.server,
            row.note,
            w0 = widths[0],
            w1 = widths[1],
            w2 = widths[2],
            w3 = widths[3],
            w4 = widths[4],
        );
    }
    println!(
        "(p50 = median; server mean = time inside the app per request from its /metrics \
         histogram; the rest is HTTP, loopback and client)"
    );
    println!("total run time: {:.1?}", started.elapsed());
}

async fn run(photo: &[u8]) -> Vec<Row> {
    drop_bench_database().await;
    let media = tempfile::tempdir().unwrap();
    let config = Config::from_vars([
        ("DATABASE_URL".to_owned(), server_url(DATABASE)),
        ("NEWSROOM_BIND".to_owned(), "127.0.0.1:0".to_owned()),
        (
            "NEWSROOM_MEDIA_DIR".to_owned(),
            media.path().display().to_string(),
        ),
        (
            "NEWSROOM_JWT_SECRET".to_owned(),
            "bench-secret-bench-secret-bench-secret".to_owned(),
        ),
        (
            "NEWSROOM_BOOTSTRAP_ADMIN_EMAIL".to_owned(),
            ADMIN_EMAIL.to_owned(),
        ),
        (
            "NEWSROOM_BOOTSTRAP_ADMIN_PASSWORD".to_owned(),
            ADMIN_PASSWORD.to_owned(),
        ),
        ("NEWSROOM_LOG".to_owned(), "error".to_owned()),
        ("NEWSROOM_DB_POOL_SIZE".to_owned(), POOL_SIZE.to_string()),
        ("NEWSROOM_WORKERS".to_owned(), WORKERS.to_string()),
    ])
    .unwrap();
    newsroom::telemetry::init(&config.log_filter, config.log_format);
    let building = Instant::now();
    let application = Application::build(config).await.unwrap();
    let build_time = building.elapsed();
    let base = format!("http://127.0.0.1:{}", application.port());
    let handle = application.handle();
    let server = tokio::spawn(application.run_until_stopped());
    println!("server: {base}, built in {build_time:.1?} (fresh database, migrations)");

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

    let mut rows = Vec::new();
    rows.extend(uploads(&client, &base, &bearer, photo).await);
    rows.extend(articles(&client, &base, &bearer).await);

    handle.stop(true).await;
    server.await.unwrap().unwrap();
    drop_bench_database().await;
    drop(media);
    rows
}

async fn upload(client: &reqwest::Client, base: &str, bearer: &str, bytes: Vec<u8>) -> Duration {
    let form = Form::new().part(
        "file",
        Part::bytes(bytes)
            .file_name("photo.jpg")
            .mime_str("image/jpeg")
            .unwrap(),
    );
    let start = Instant::now();
    let response = client
        .post(format!("{base}/api/v1/images"))
        .header(AUTHORIZATION, bearer)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = response.status();
    let body = response.bytes().await.unwrap();
    let elapsed = start.elapsed();
    assert_eq!(
        status,
        201,
        "upload refused: {}",
        String::from_utf8_lossy(&body)
    );
    elapsed
}

async fn uploads(client: &reqwest::Client, base: &str, bearer: &str, photo: &[u8]) -> Vec<Row> {
    // Warm-up: the unvaried bytes, which the duplicate series uploads again.
    upload(client, base, bearer, photo.to_vec()).await;

    let mut rows = Vec::new();
    for unique in [true, false] {
        let variants: Vec<Vec<u8>> = (0..UPLOADS)
            .map(|i| {
                let mut bytes = photo.to_vec();
                if unique {
                    bytes[VARIED_BYTE] = u8::try_from(i + 1).unwrap();
                }
                bytes
            })
            .collect();
        let sent: usize = variants.iter().map(Vec::len).sum();
        let before = server_metrics(client, base).await;
        let wall = Instant::now();
        let mut samples = Vec::with_capacity(UPLOADS);
        for bytes in variants {
            samples.push(upload(client, base, bearer, bytes).await);
        }
        let wall = wall.elapsed();
        let after = server_metrics(client, base).await;
        rows.push(Row {
            what: if unique {
                "POST /api/v1/images, new bytes each time".to_owned()
            } else {
                "POST /api/v1/images, same bytes (deduped)".to_owned()
            },
            runs: UPLOADS,
            p50: ms(percentile(&samples, 50)),
            p99: "-".to_owned(),
            server: server_mean(&before, &after, "POST /api/v1/images"),
            note: format!(
                "{:.1} MB/s ({:.1} MB x {UPLOADS} in {:.2?})",
                megabytes(sent) / wall.as_secs_f64(),
                megabytes(photo.len()),
                wall
            ),
        });
    }

    // Where an upload's time goes: the server decodes the whole picture to validate it.
    let limits = Limits::default();
    let decodes: Vec<Duration> = (0..3)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(probe(photo, &limits).unwrap());
            start.elapsed()
        })
        .collect();
    rows.push(Row {
        what: "  of which: probe (full decode), in-process".to_owned(),
        runs: decodes.len(),
        p50: ms(percentile(&decodes, 50)),
        p99: "-".to_owned(),
        server: "-".to_owned(),
        note: "one thread, no HTTP".to_owned(),
    });
    rows
}

async fn created_id(response: reqwest::Response) -> String {
    let status = response.status();
    let body: Value = response.json().await.unwrap();
    assert_eq!(status, 201, "not created: {body}");
    body["id"].as_str().unwrap().to_owned()
}

/// Sends a prepared JSON body; returns the time, the status and the new `ETag`.
async fn send_json(
    request: reqwest::RequestBuilder,
    bearer: &str,
    body: Vec<u8>,
) -> (Duration, reqwest::StatusCode, String, bytes::Bytes) {
    let request = request
        .header(AUTHORIZATION, bearer)
        .header(CONTENT_TYPE, "application/json")
        .body(body);
    let start = Instant::now();
    let response = request.send().await.unwrap();
    let status = response.status();
    let etag = response
        .headers()
        .get(ETAG)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response.bytes().await.unwrap();
    (start.elapsed(), status, etag, body)
}

async fn articles(client: &reqwest::Client, base: &str, bearer: &str) -> Vec<Row> {
    let mut embeds = Vec::new();
    for i in 0..10 {
        let url = format!("https://www.youtube.com/watch?v=benchVideo{i}");
        let response = client
            .post(format!("{base}/api/v1/embeds"))
            .header(AUTHORIZATION, bearer)
            .json(&json!({"kind": "external", "url": url}))
            .send()
            .await
            .unwrap();
        embeds.push(created_id(response).await);
    }
    let response = client
        .post(format!("{base}/api/v1/authors"))
        .header(AUTHORIZATION, bearer)
        .json(&json!({"name": "Olena Honcharova"}))
        .send()
        .await
        .unwrap();
    let author = created_id(response).await;

    let body = article_body(&embeds);
    let article = |i: usize, prefix: &str| {
        serde_json::to_vec(&json!({
            "headline": format!("{prefix} {i}: council approves the budget after a long night of talks"),
            "dek": "The vote ends a three-week stand-off over housing and transport funding.",
            "kicker": "City hall",
            "tags": ["Local politics", "Budget"],
            "language": "en",
            "author_ids": [author],
            "body": body,
        }))
        .unwrap()
    };

    // POST /api/v1/articles.
    let mut first: Option<Value> = None;
    let mut create_samples = Vec::with_capacity(WRITE_RUNS);
    let mut before = HashMap::new();
    for i in 0..WARM_UPS + WRITE_RUNS {
        if i == WARM_UPS {
            before = server_metrics(client, base).await;
        }
        let payload = article(i, if i < WARM_UPS { "Warm-up" } else { "Story" });
        let (elapsed, status, _, answer) = send_json(
            client.post(format!("{base}/api/v1/articles")),
            bearer,
            payload,
        )
        .await;
        assert_eq!(
            status,
            201,
            "create failed: {}",
            String::from_utf8_lossy(&answer)
        );
        if i >= WARM_UPS {
            create_samples.push(elapsed);
        }
        if first.is_none() {
            first = Some(serde_json::from_slice(&answer).unwrap());
        }
    }
    let after = server_metrics(client, base).await;
    let first = first.unwrap();
    let request_bytes = article(0, "Story").len();
    let words = first["word_count"].as_i64().unwrap_or_default();
    let blocks = first["body"].as_array().map_or(0, Vec::len);
    println!(
        "article: {words} words (server's count), {blocks} blocks, {request_bytes} bytes of JSON per create"
    );
    let mut rows = vec![Row {
        what: "POST /api/v1/articles (1,500-word body)".to_owned(),
        runs: WRITE_RUNS,
        p50: ms(percentile(&create_samples, 50)),
        p99: ms(percentile(&create_samples, 99)),
        server: server_mean(&before, &after, "POST /api/v1/articles"),
        note: format!("{words} words, {blocks} blocks, 10 embeds"),
    }];

    // PATCH /api/v1/articles/{id}, one article, If-Match from the previous answer.
    let id = first["id"].as_str().unwrap().to_owned();
    let mut etag = format!("\"v{}\"", first["version"].as_i64().unwrap());
    let mut patch_samples = Vec::with_capacity(WRITE_RUNS);
    let mut before = HashMap::new();
    for i in 0..WARM_UPS + WRITE_RUNS {
        if i == WARM_UPS {
            before = server_metrics(client, base).await;
        }
        let mut changed = body.clone();
        let paragraph = changed
            .iter_mut()
            .find(|b| b["type"] == "paragraph")
            .unwrap();
        let text = paragraph["text"].as_str().unwrap().to_owned();
        paragraph["text"] = json!(format!("{text} Updated at revision {i}."));
        let payload = serde_json::to_vec(&json!({"body": changed})).unwrap();
        let (elapsed, status, new_etag, answer) = send_json(
            client
                .patch(format!("{base}/api/v1/articles/{id}"))
                .header(IF_MATCH, &etag),
            bearer,
            payload,
        )
        .await;
        assert_eq!(
            status,
            200,
            "update failed: {}",
            String::from_utf8_lossy(&answer)
        );
        etag = new_etag;
        if i >= WARM_UPS {
            patch_samples.push(elapsed);
        }
    }
    let after = server_metrics(client, base).await;
    rows.push(Row {
        what: "PATCH /api/v1/articles/{id} body, If-Match".to_owned(),
        runs: WRITE_RUNS,
        p50: ms(percentile(&patch_samples, 50)),
        p99: ms(percentile(&patch_samples, 99)),
        server: server_mean(&before, &after, "PATCH /api/v1/articles/{id}"),
        note: format!("one article, ends at version {}", etag.trim_matches('"')),
    });

    // GET /api/v1/articles/{id}.
    let mut read_samples = Vec::with_capacity(READ_RUNS);
    let mut before = HashMap::new();
    let mut answer_bytes = 0;
    for i in 0..WARM_UPS + READ_RUNS {
        if i == WARM_UPS {
            before = server_metrics(client, base).await;
        }
        let request = client
            .get(format!("{base}/api/v1/articles/{id}"))
            .header(AUTHORIZATION, bearer);
        let start = Instant::now();
        let response = request.send().await.unwrap();
        let status = response.status();
        let answer = response.bytes().await.unwrap();
        let elapsed = start.elapsed();
        assert_eq!(status, 200, "read failed");
        answer_bytes = answer.len();
        if i >= WARM_UPS {
            read_samples.push(elapsed);
        }
    }
    let after = server_metrics(client, base).await;
    rows.push(Row {
        what: "GET /api/v1/articles/{id}".to_owned(),
        runs: READ_RUNS,
        p50: ms(percentile(&read_samples, 50)),
        p99: ms(percentile(&read_samples, 99)),
        server: server_mean(&before, &after, "GET /api/v1/articles/{id}"),
        note: format!("{answer_bytes} bytes of JSON, uncompressed"),
    });
    rows
}
