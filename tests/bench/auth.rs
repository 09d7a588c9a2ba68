//! Authentication costs, rerunnable: `cargo bench --bench auth`.
//!
//! Measures one password verification (argon2id at our parameters), one JWT check, and the full
//! per-request token check (JWT + session lookup, and API-token lookup) against the PostgreSQL
//! named by `DATABASE_URL`'s server (database `newsroom_bench`, created and migrated here).

#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark that cannot run should stop

use std::time::{Duration, Instant};

use newsroom::auth::{AuthSettings, caller, password, tokens};
use newsroom::config::Config;
use newsroom::domain::accounts::Role;
use newsroom::startup::AppState;

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn p99(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() * 99 / 100]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Vec<Duration> {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(f());
            start.elapsed()
        })
        .collect()
}

fn main() {
    let hash = password::hash("correct horse battery staple").unwrap();
    let verify = time(30, || {
        password::verify("correct horse battery staple", &hash)
    });
    println!(
        "password verification (argon2id m=19456 t=2 p=1): median {:?}, p99 {:?}",
        median(verify.clone()),
        p99(verify)
    );

    let keys = tokens::JwtKeys::new(&[7u8; 32], chrono::Duration::minutes(15)).unwrap();
    let (jwt, _) = keys
        .issue(
            uuid::Uuid::new_v4(),
            Role::Editor,
            uuid::Uuid::new_v4(),
            chrono::Utc::now(),
        )
        .unwrap();
    let checks = time(20_000, || keys.verify(&jwt));
    println!(
        "JWT signature and claims check: median {:?}",
        median(checks)
    );

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(request_token_check());
}

async fn request_token_check() {
    let server = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let mut url = url::Url::parse(&server).unwrap();
    url.set_path("/newsroom_bench");
    let config = Config::from_vars([
        ("DATABASE_URL".to_owned(), url.to_string()),
        (
            "NEWSROOM_JWT_SECRET".to_owned(),
            "bench-secret-bench-secret-bench-secret".to_owned(),
        ),
    ])
    .unwrap();
    newsroom::db::ensure_database(&config.database_url)
        .await
        .unwrap();
    newsroom::db::migrate(&config.database_url).await.unwrap();
    let pool = newsroom::db::build_pool(&config.database_url, 4, config.db_timeout).unwrap();
    let auth = AuthSettings::from_config(&config).unwrap();
    let media = newsroom::media::store::MediaStore::from_config(&config).unwrap();
    let state = AppState {
        pool: pool.clone(),
        read_pool: pool.clone(),
        config,
        auth,
        media,
        cache: std::sync::Arc::new(newsroom::http::response_cache::ResponseCache::new(
            0,
            std::time::Duration::ZERO,
        )),
    };

    let email = format!("bench-{}@newsroom.test", uuid::Uuid::new_v4().simple());
    let context = newsroom::audit::AuditContext::system();
    let user = newsroom::auth::accounts::create_user(
        &pool,
        &context,
        newsroom::auth::accounts::NewAccount {
            email: email.clone(),
            name: "Bench".to_owned(),
            role: Role::Admin,
            password: "bench password 123".to_owned(),
        },
    )
    .await
    .unwrap();
    let ip = newsroom::http::client_ip::ClientIp("127.0.0.1".to_owned());
    let issued = newsroom::auth::sessions::login(&state, &email, "bench password 123", &ip)
        .await
        .unwrap();
    let (_, api_token) = newsroom::auth::api_tokens::issue(
        &pool,
        &context,
        Some(user.id),
        "bench",
        &[newsroom::domain::accounts::Scope::ContentRead],
        None,
    )
    .await
    .unwrap();

    for (label, token) in [
        (
            "access token (JWT + session lookup)",
            issued.access_token.as_str(),
        ),
        ("API token (hash lookup)", api_token.as_str()),
    ] {
        // Warm the pool and the prepared-statement cache first, as a running server would be.
        for _ in 0..200 {
            caller::authenticate(&state, token).await.unwrap();
        }
        let mut samples = Vec::with_capacity(5_000);
        for _ in 0..5_000 {
            let start = Instant::now();
            caller::authenticate(&state, token).await.unwrap();
            samples.push(start.elapsed());
        }
        println!(
            "per-request check of an {label}: median {:?}, p99 {:?}",
            median(samples.clone()),
            p99(samples)
        );
    }
}
