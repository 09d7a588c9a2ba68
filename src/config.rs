//! Typed configuration read once from the environment (and an optional `.env` file).
//!
//! Parsing is a plain function over key/value pairs so it can be unit-tested without touching the
//! process environment. Every failure names the variable, so a typo stops the start with one line.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// Where the process runs; production tightens defaults (JSON logs, required secrets).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// A developer machine or a test run.
    Development,
    /// A deployment that serves a newsroom.
    Production,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One JSON object per line, for log collectors.
    Json,
    /// Human-readable lines for a terminal.
    Pretty,
}

/// Where image files are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Storage {
    /// Under `NEWSROOM_MEDIA_DIR` on local disk.
    Local,
    /// An S3-compatible bucket.
    S3 {
        /// `NEWSROOM_S3_BUCKET`.
        bucket: String,
        /// `NEWSROOM_S3_ENDPOINT`: for S3-compatible stores other than AWS.
        endpoint: Option<String>,
        /// `NEWSROOM_S3_REGION` (default `us-east-1`).
        region: String,
        /// `NEWSROOM_S3_ACCESS_KEY_ID`.
        access_key_id: Option<String>,
        /// `NEWSROOM_S3_SECRET_ACCESS_KEY`.
        secret_access_key: Option<String>,
    },
}

/// The whole configuration of one API instance.
#[derive(Debug, Clone)]
pub struct Config {
    /// `NEWSROOM_ENV`: `development` (default) or `production`.
    pub environment: Environment,
    /// `DATABASE_URL`: the PostgreSQL database this instance owns.
    pub database_url: String,
    /// `DATABASE_READ_URL`: a read replica of that database for public reads (none: the primary).
    pub database_read_url: Option<String>,
    /// `NEWSROOM_DB_POOL_SIZE`: most connections held open by this instance.
    pub db_pool_size: usize,
    /// `NEWSROOM_DB_TIMEOUT_MS`: longest wait for a connection (checkout or connect).
    pub db_timeout: Duration,
    /// `NEWSROOM_BIND`: address and port to listen on.
    pub bind: SocketAddr,
    /// `NEWSROOM_WORKERS`: HTTP worker threads (defaults to the number of cores).
    pub workers: usize,
    /// `NEWSROOM_MEDIA_DIR`: where image originals and renditions are stored on local disk.
    pub media_dir: PathBuf,
    /// `NEWSROOM_STORAGE`: `local` (default) or `s3`, with the `NEWSROOM_S3_*` variables.
    pub storage: Storage,
    /// `NEWSROOM_MAX_UPLOAD_BYTES`: largest image upload.
    pub max_upload_bytes: usize,
    /// `NEWSROOM_MAX_IMAGE_PIXELS`: largest image, in pixels (decompression-bomb guard).
    pub max_image_pixels: u64,
    /// `NEWSROOM_MAX_CONCURRENT_UPLOADS`: image uploads processed at once; more get 503.
    pub max_concurrent_uploads: usize,
    /// `NEWSROOM_REQUEST_TIMEOUT_MS`: longest a request may take, reading its body included.
    pub request_timeout: Duration,
    /// `NEWSROOM_JWT_SECRET`: key that signs access tokens.
    pub jwt_secret: Option<String>,
    /// `NEWSROOM_BOOTSTRAP_ADMIN_EMAIL`: first admin's e-mail, used when no user exists.
    pub bootstrap_admin_email: Option<String>,
    /// `NEWSROOM_BOOTSTRAP_ADMIN_PASSWORD`: first admin's password, used when no user exists.
    pub bootstrap_admin_password: Option<String>,
    /// `NEWSROOM_MAX_JSON_BYTES`: largest JSON request body accepted.
    pub max_json_bytes: usize,
    /// `NEWSROOM_SHUTDOWN_TIMEOUT_SECS`: how long in-flight requests may run after SIGTERM.
    pub shutdown_timeout: Duration,
    /// `NEWSROOM_ACCESS_TOKEN_TTL_SECS`: lifetime of an access token (JWT).
    pub access_token_ttl: Duration,
    /// `NEWSROOM_REFRESH_TOKEN_TTL_SECS`: lifetime of a session (refresh-token family).
    pub refresh_token_ttl: Duration,
    /// `NEWSROOM_TRUSTED_PROXIES`: comma-separated addresses or CIDR ranges whose
    /// `X-Forwarded-For` is believed.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// `NEWSROOM_LOGIN_MAX_FAILURES_PER_ACCOUNT`: failed log-ins per account in 15 minutes.
    pub login_max_failures_per_account: usize,
    /// `NEWSROOM_LOGIN_MAX_FAILURES_PER_IP`: failed log-ins per client address in 15 minutes.
    pub login_max_failures_per_ip: usize,
    /// `NEWSROOM_SCHEDULER_INTERVAL_MS`: how often due scheduled articles are looked for.
    pub scheduler_interval: Duration,
    /// `NEWSROOM_RETENTION_DAYS`: how long log-in attempts, finished webhook deliveries and
    /// expired preview links are kept.
    pub retention_days: u32,
    /// `NEWSROOM_WEBHOOKS_ALLOW_PRIVATE`: whether webhooks may target IP addresses and hosts
    /// on loopback, private, link-local or unique-local networks (default: not in production).
    pub webhooks_allow_private: bool,
    /// `NEWSROOM_WEBHOOK_INTERVAL_MS`: how often the delivery worker looks for due deliveries.
    pub webhook_interval: Duration,
    /// `NEWSROOM_WEBHOOK_RETRY_BASE_MS`: wait after the first failed attempt, doubled after each.
    pub webhook_retry_base: Duration,
    /// `NEWSROOM_WEBHOOK_TIMEOUT_MS`: longest wait for a receiver's answer; a delivery stays
    /// leased to its instance for six times as long.
    pub webhook_timeout: Duration,
    /// `NEWSROOM_PUBLIC_MAX_AGE_SECS` / `NEWSROOM_PUBLIC_STALE_SECS`: caching of public answers.
    pub public_cache: crate::http::caching::CachePolicy,
    /// `NEWSROOM_PUBLIC_CACHE_MB`: memory for the in-process cache of public answers (0: none).
    pub public_cache_bytes: u64,
    /// `NEWSROOM_CORS_ORIGINS`: comma-separated origins allowed to call the API from browsers
    /// (`*` for any); none by default.
    pub cors_origins: Vec<String>,
    /// `NEWSROOM_METRICS_TOKEN` hashed as other secrets are (`auth::tokens::hash_secret`):
    /// when set, `/metrics` wants it as a bearer token; only the hash is kept, so the
    /// configuration never holds or prints the token.
    pub metrics_token_hash: Option<Vec<u8>>,
    /// `NEWSROOM_PUBLIC_API_URL`, `NEWSROOM_SITE_URL`, `NEWSROOM_SITE_TITLE`,
    /// `NEWSROOM_ARTICLE_URL`: absolute links for RSS feeds and the sitemap.
    pub site: Site,
    /// `NEWSROOM_LOG`: a `tracing` filter such as `info` or `newsroom=debug,info`.
    pub log_filter: String,
    /// `NEWSROOM_LOG_FORMAT`: `json` or `pretty` (default: json in production, pretty otherwise).
    pub log_format: LogFormat,
}

/// The readers' web site, which RSS and the sitemap link to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    /// Where readers reach this API, e.g. `https://api.news.example.org` (no trailing slash):
    /// the base of the links feeds and sitemaps give to themselves. Never taken from request
    /// headers, which a client could forge into a cached answer.
    pub api_url: String,
    /// Home page, e.g. `https://news.example.org` (no trailing slash).
    pub url: String,
    /// Name shown as the title of RSS channels.
    pub title: String,
    /// Where an article lives, with `{slug}` standing for its slug.
    pub article_url: String,
}

impl Site {
    /// The absolute URL of the article with this slug.
    pub fn article(&self, slug: &str) -> String {
        self.article_url.replace("{slug}", slug)
    }
}

fn absolute_http_url(variable: &str, raw: &str) -> Result<(), ConfigError> {
    match url::Url::parse(raw) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(()),
        _ => Err(ConfigError::new(
            variable,
            format!("`{raw}` is not an absolute http or https URL"),
        )),
    }
}

/// A configuration problem, always naming the variable at fault.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("configuration error: {variable}: {message}")]
pub struct ConfigError {
    /// The environment variable at fault.
    pub variable: String,
    /// What is wrong with it.
    pub message: String,
}

impl ConfigError {
    fn new(variable: &str, message: impl Into<String>) -> Self {
        Self {
            variable: variable.to_owned(),
            message: message.into(),
        }
    }
}

/// Default database for a developer machine with a local PostgreSQL.
pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/newsroom";

/// Every `NEWSROOM_*` variable we read; any other one with that prefix is a typo and refused.
const KNOWN_VARIABLES: &[&str] = &[
    "NEWSROOM_ENV",
    "NEWSROOM_BIND",
    "NEWSROOM_WORKERS",
    "NEWSROOM_MEDIA_DIR",
    "NEWSROOM_JWT_SECRET",
    "NEWSROOM_BOOTSTRAP_ADMIN_EMAIL",
    "NEWSROOM_BOOTSTRAP_ADMIN_PASSWORD",
    "NEWSROOM_DB_POOL_SIZE",
    "NEWSROOM_DB_TIMEOUT_MS",
    "NEWSROOM_MAX_JSON_BYTES",
    "NEWSROOM_SHUTDOWN_TIMEOUT_SECS",
    "NEWSROOM_LOG",
    "NEWSROOM_LOG_FORMAT",
    "NEWSROOM_ACCESS_TOKEN_TTL_SECS",
    "NEWSROOM_REFRESH_TOKEN_TTL_SECS",
    "NEWSROOM_TRUSTED_PROXIES",
    "NEWSROOM_LOGIN_MAX_FAILURES_PER_ACCOUNT",
    "NEWSROOM_LOGIN_MAX_FAILURES_PER_IP",
    "NEWSROOM_STORAGE",
    "NEWSROOM_S3_BUCKET",
    "NEWSROOM_S3_ENDPOINT",
    "NEWSROOM_S3_REGION",
    "NEWSROOM_S3_ACCESS_KEY_ID",
    "NEWSROOM_S3_SECRET_ACCESS_KEY",
    "NEWSROOM_MAX_UPLOAD_BYTES",
    "NEWSROOM_MAX_IMAGE_PIXELS",
    "NEWSROOM_MAX_CONCURRENT_UPLOADS",
    "NEWSROOM_REQUEST_TIMEOUT_MS",
    "NEWSROOM_SCHEDULER_INTERVAL_MS",
    "NEWSROOM_RETENTION_DAYS",
    "NEWSROOM_PUBLIC_MAX_AGE_SECS",
    "NEWSROOM_PUBLIC_STALE_SECS",
    "NEWSROOM_CORS_ORIGINS",
    "NEWSROOM_METRICS_TOKEN",
    "NEWSROOM_WEBHOOKS_ALLOW_PRIVATE",
    "NEWSROOM_WEBHOOK_INTERVAL_MS",
    "NEWSROOM_WEBHOOK_RETRY_BASE_MS",
    "NEWSROOM_WEBHOOK_TIMEOUT_MS",
    "NEWSROOM_PUBLIC_CACHE_MB",
    "NEWSROOM_PUBLIC_API_URL",
    "NEWSROOM_SITE_URL",
    "NEWSROOM_SITE_TITLE",
    "NEWSROOM_ARTICLE_URL",
];

impl Config {
    /// Reads the configuration from the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_vars(std::env::vars())
    }

    /// Reads the configuration from key/value pairs (the environment, or a test's own map).
    pub fn from_vars(
        vars: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, ConfigError> {
        let vars: HashMap<String, String> = vars.into_iter().collect();
        let mut unknown: Vec<&String> = vars
            .keys()
            .filter(|k| k.starts_with("NEWSROOM_") && !KNOWN_VARIABLES.contains(&k.as_str()))
            .collect();
        unknown.sort();
        if let Some(name) = unknown.first() {
            return Err(ConfigError::new(
                name,
                "unknown variable (check the spelling against the README's configuration table)",
            ));
        }
        let get = |name: &str| vars.get(name).map(|v| v.trim()).filter(|v| !v.is_empty());

        let environment = match get("NEWSROOM_ENV") {
            None | Some("development") => Environment::Development,
            Some("production") => Environment::Production,
            Some(other) => {
                return Err(ConfigError::new(
                    "NEWSROOM_ENV",
                    format!("expected `development` or `production`, got `{other}`"),
                ));
            }
        };

        let database_url = get("DATABASE_URL")
            .unwrap_or(DEFAULT_DATABASE_URL)
            .to_owned();
        validate_database_url("DATABASE_URL", &database_url)?;
        let database_read_url = get("DATABASE_READ_URL")
            .filter(|url| !url.is_empty())
            .map(str::to_owned);
        if let Some(url) = &database_read_url {
            validate_database_url("DATABASE_READ_URL", url)?;
        }

        let bind = parse_or(
            "NEWSROOM_BIND",
            get("NEWSROOM_BIND"),
            "127.0.0.1:8080".parse().ok(),
        )?;
        let workers = parse_positive(
            "NEWSROOM_WORKERS",
            get("NEWSROOM_WORKERS"),
            default_workers(),
        )?;
        let db_pool_size =
            parse_positive("NEWSROOM_DB_POOL_SIZE", get("NEWSROOM_DB_POOL_SIZE"), 16)?;
        let db_timeout_ms = parse_positive(
            "NEWSROOM_DB_TIMEOUT_MS",
            get("NEWSROOM_DB_TIMEOUT_MS"),
            2_000,
        )?;
        let max_json_bytes = parse_positive(
            "NEWSROOM_MAX_JSON_BYTES",
            get("NEWSROOM_MAX_JSON_BYTES"),
            2 * 1024 * 1024,
        )?;
        let shutdown_secs = parse_or(
            "NEWSROOM_SHUTDOWN_TIMEOUT_SECS",
            get("NEWSROOM_SHUTDOWN_TIMEOUT_SECS"),
            Some(30u64),
        )?;

        let access_ttl = parse_positive(
            "NEWSROOM_ACCESS_TOKEN_TTL_SECS",
            get("NEWSROOM_ACCESS_TOKEN_TTL_SECS"),
            15 * 60,
        )?;
        let refresh_ttl = parse_positive(
            "NEWSROOM_REFRESH_TOKEN_TTL_SECS",
            get("NEWSROOM_REFRESH_TOKEN_TTL_SECS"),
            30 * 24 * 60 * 60,
        )?;
        let trusted_proxies = get("NEWSROOM_TRUSTED_PROXIES")
            .map(parse_networks)
            .transpose()?
            .unwrap_or_default();
        let login_max_failures_per_account = parse_positive(
            "NEWSROOM_LOGIN_MAX_FAILURES_PER_ACCOUNT",
            get("NEWSROOM_LOGIN_MAX_FAILURES_PER_ACCOUNT"),
            5,
        )?;
        let login_max_failures_per_ip = parse_positive(
            "NEWSROOM_LOGIN_MAX_FAILURES_PER_IP",
            get("NEWSROOM_LOGIN_MAX_FAILURES_PER_IP"),
            100,
        )?;

        let storage = match get("NEWSROOM_STORAGE") {
            None | Some("local") => Storage::Local,
            Some("s3") => Storage::S3 {
                bucket: get("NEWSROOM_S3_BUCKET")
                    .ok_or_else(|| {
                        ConfigError::new("NEWSROOM_S3_BUCKET", "required when NEWSROOM_STORAGE=s3")
                    })?
                    .to_owned(),
                endpoint: get("NEWSROOM_S3_ENDPOINT").map(str::to_owned),
                region: get("NEWSROOM_S3_REGION").unwrap_or("us-east-1").to_owned(),
                access_key_id: get("NEWSROOM_S3_ACCESS_KEY_ID").map(str::to_owned),
                secret_access_key: get("NEWSROOM_S3_SECRET_ACCESS_KEY").map(str::to_owned),
            },
            Some(other) => {
                return Err(ConfigError::new(
                    "NEWSROOM_STORAGE",
                    format!("expected `local` or `s3`, got `{other}`"),
                ));
            }
        };
        if let Some(endpoint) = get("NEWSROOM_S3_ENDPOINT")
            && url::Url::parse(endpoint).is_err()
        {
            return Err(ConfigError::new("NEWSROOM_S3_ENDPOINT", "not a URL"));
        }
        let max_upload_bytes = parse_positive(
            "NEWSROOM_MAX_UPLOAD_BYTES",
            get("NEWSROOM_MAX_UPLOAD_BYTES"),
            25 * 1024 * 1024,
        )?;
        let max_image_pixels = parse_positive(
            "NEWSROOM_MAX_IMAGE_PIXELS",
            get("NEWSROOM_MAX_IMAGE_PIXELS"),
            60_000_000,
        )? as u64;
        let max_concurrent_uploads = parse_positive(
            "NEWSROOM_MAX_CONCURRENT_UPLOADS",
            get("NEWSROOM_MAX_CONCURRENT_UPLOADS"),
            4,
        )?;
        let request_timeout_ms = parse_positive(
            "NEWSROOM_REQUEST_TIMEOUT_MS",
            get("NEWSROOM_REQUEST_TIMEOUT_MS"),
            60_000,
        )?;

        let scheduler_ms = parse_positive(
            "NEWSROOM_SCHEDULER_INTERVAL_MS",
            get("NEWSROOM_SCHEDULER_INTERVAL_MS"),
            1000,
        )?;
        let retention_days = parse_positive(
            "NEWSROOM_RETENTION_DAYS",
            get("NEWSROOM_RETENTION_DAYS"),
            90,
        )?;
        let retention_days = u32::try_from(retention_days)
            .ok()
            .filter(|d| *d <= 36_500)
            .ok_or_else(|| ConfigError::new("NEWSROOM_RETENTION_DAYS", "must be at most 36500"))?;

        let webhooks_allow_private = parse_or(
            "NEWSROOM_WEBHOOKS_ALLOW_PRIVATE",
            get("NEWSROOM_WEBHOOKS_ALLOW_PRIVATE"),
            Some(environment == Environment::Development),
        )?;
        let webhook_interval_ms = parse_positive(
            "NEWSROOM_WEBHOOK_INTERVAL_MS",
            get("NEWSROOM_WEBHOOK_INTERVAL_MS"),
            1000,
        )?;
        let webhook_retry_base_ms = parse_positive(
            "NEWSROOM_WEBHOOK_RETRY_BASE_MS",
            get("NEWSROOM_WEBHOOK_RETRY_BASE_MS"),
            10_000,
        )?;

        let webhook_timeout_ms = parse_positive(
            "NEWSROOM_WEBHOOK_TIMEOUT_MS",
            get("NEWSROOM_WEBHOOK_TIMEOUT_MS"),
            10_000,
        )?;

        let public_cache = crate::http::caching::CachePolicy {
            max_age: parse_or(
                "NEWSROOM_PUBLIC_MAX_AGE_SECS",
                get("NEWSROOM_PUBLIC_MAX_AGE_SECS"),
                Some(60),
            )?,
            stale_while_revalidate: parse_or(
                "NEWSROOM_PUBLIC_STALE_SECS",
                get("NEWSROOM_PUBLIC_STALE_SECS"),
                Some(300),
            )?,
        };
        let public_cache_mb: u64 = parse_or(
            "NEWSROOM_PUBLIC_CACHE_MB",
            get("NEWSROOM_PUBLIC_CACHE_MB"),
            Some(64),
        )?;
        let public_cache_bytes = public_cache_mb.saturating_mul(1024 * 1024);
        let metrics_token_hash = match get("NEWSROOM_METRICS_TOKEN") {
            None => None,
            Some(token) if token.trim().chars().count() < 16 => {
                return Err(ConfigError::new(
                    "NEWSROOM_METRICS_TOKEN",
                    "must be at least 16 characters",
                ));
            }
            Some(token) => Some(crate::auth::tokens::hash_secret(token.trim())),
        };
        let cors_origins: Vec<String> = get("NEWSROOM_CORS_ORIGINS")
            .map(|v| {
                v.split(',')
                    .map(|o| o.trim().to_owned())
                    .filter(|o| !o.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        for origin in &cors_origins {
            let ok = origin == "*"
                || url::Url::parse(origin)
                    .is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.path() == "/");
            if !ok {
                return Err(ConfigError::new(
                    "NEWSROOM_CORS_ORIGINS",
                    format!("`{origin}` is not an origin like https://www.example.org"),
                ));
            }
        }

        let api_url = match get("NEWSROOM_PUBLIC_API_URL") {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{bind}"),
        };
        absolute_http_url("NEWSROOM_PUBLIC_API_URL", &api_url)?;
        let site_url = get("NEWSROOM_SITE_URL").map_or_else(
            || api_url.clone(),
            |url| url.trim_end_matches('/').to_owned(),
        );
        absolute_http_url("NEWSROOM_SITE_URL", &site_url)?;
        let article_url = get("NEWSROOM_ARTICLE_URL")
            .map(str::to_owned)
            .unwrap_or_else(|| format!("{api_url}/api/v1/public/articles/{{slug}}"));
        if !article_url.contains("{slug}") {
            return Err(ConfigError::new(
                "NEWSROOM_ARTICLE_URL",
                "must contain `{slug}`, e.g. https://news.example.org/{slug}",
            ));
        }
        absolute_http_url("NEWSROOM_ARTICLE_URL", &article_url.replace("{slug}", "x"))?;
        let site = Site {
            api_url,
            url: site_url,
            title: get("NEWSROOM_SITE_TITLE").unwrap_or("Newsroom").to_owned(),
            article_url,
        };

        let jwt_secret = get("NEWSROOM_JWT_SECRET").map(str::to_owned);
        if environment == Environment::Production {
            match &jwt_secret {
                None => {
                    return Err(ConfigError::new(
                        "NEWSROOM_JWT_SECRET",
                        "required when NEWSROOM_ENV=production",
                    ));
                }
                Some(secret) if secret.len() < MIN_JWT_SECRET_BYTES => {
                    return Err(ConfigError::new(
                        "NEWSROOM_JWT_SECRET",
                        "must be at least 32 bytes long",
                    ));
                }
                Some(_) => {}
            }
        }
        if let Some(secret) = &jwt_secret
            && secret.len() < MIN_JWT_SECRET_BYTES
        {
            return Err(ConfigError::new(
                "NEWSROOM_JWT_SECRET",
                "must be at least 32 bytes long",
            ));
        }

        let bootstrap_admin_email = get("NEWSROOM_BOOTSTRAP_ADMIN_EMAIL").map(str::to_owned);
        let bootstrap_admin_password = get("NEWSROOM_BOOTSTRAP_ADMIN_PASSWORD").map(str::to_owned);
        match (&bootstrap_admin_email, &bootstrap_admin_password) {
            (Some(_), None) => {
                return Err(ConfigError::new(
                    "NEWSROOM_BOOTSTRAP_ADMIN_PASSWORD",
                    "required when NEWSROOM_BOOTSTRAP_ADMIN_EMAIL is set",
                ));
            }
            (None, Some(_)) => {
                return Err(ConfigError::new(
                    "NEWSROOM_BOOTSTRAP_ADMIN_EMAIL",
                    "required when NEWSROOM_BOOTSTRAP_ADMIN_PASSWORD is set",
                ));
            }
            _ => {}
        }

        let log_format = match get("NEWSROOM_LOG_FORMAT") {
            None if environment == Environment::Production => LogFormat::Json,
            None => LogFormat::Pretty,
            Some("json") => LogFormat::Json,
            Some("pretty") => LogFormat::Pretty,
            Some(other) => {
                return Err(ConfigError::new(
                    "NEWSROOM_LOG_FORMAT",
                    format!("expected `json` or `pretty`, got `{other}`"),
                ));
            }
        };
        let log_filter = get("NEWSROOM_LOG").unwrap_or("info").to_owned();
        if let Err(e) = tracing_subscriber::EnvFilter::try_new(&log_filter) {
            return Err(ConfigError::new("NEWSROOM_LOG", e.to_string()));
        }

        Ok(Self {
            environment,
            database_url,
            database_read_url,
            db_pool_size,
            db_timeout: Duration::from_millis(db_timeout_ms as u64),
            bind,
            workers,
            media_dir: PathBuf::from(get("NEWSROOM_MEDIA_DIR").unwrap_or("./data/media")),
            storage,
            max_upload_bytes,
            max_image_pixels,
            max_concurrent_uploads,
            request_timeout: Duration::from_millis(request_timeout_ms as u64),
            jwt_secret,
            bootstrap_admin_email,
            bootstrap_admin_password,
            max_json_bytes,
            shutdown_timeout: Duration::from_secs(shutdown_secs),
            access_token_ttl: Duration::from_secs(access_ttl as u64),
            refresh_token_ttl: Duration::from_secs(refresh_ttl as u64),
            trusted_proxies,
            login_max_failures_per_account,
            login_max_failures_per_ip,
            scheduler_interval: Duration::from_millis(scheduler_ms as u64),
            retention_days,
            public_cache,
            public_cache_bytes,
            cors_origins,
            metrics_token_hash,
            site,
            webhooks_allow_private,
            webhook_interval: Duration::from_millis(webhook_interval_ms as u64),
            webhook_retry_base: Duration::from_millis(webhook_retry_base_ms as u64),
            webhook_timeout: Duration::from_millis(webhook_timeout_ms as u64),
            log_filter,
            log_format,
        })
    }
}

fn validate_database_url(variable: &'static str, raw: &str) -> Result<(), ConfigError> {
    let url =
        url::Url::parse(raw).map_err(|e| ConfigError::new(variable, format!("not a URL ({e})")))?;
    if !matches!(url.scheme(), "postgres" | "postgresql") {
        return Err(ConfigError::new(
            variable,
            "expected a postgres:// or postgresql:// URL",
        ));
    }
    if url.path().trim_start_matches('/').is_empty() {
        return Err(ConfigError::new(variable, "names no database"));
    }
    Ok(())
}

/// Shortest accepted JWT secret.
const MIN_JWT_SECRET_BYTES: usize = 32;

fn parse_networks(raw: &str) -> Result<Vec<ipnet::IpNet>, ConfigError> {
    raw.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<ipnet::IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    ConfigError::new(
                        "NEWSROOM_TRUSTED_PROXIES",
                        format!("`{s}` is not an IP address or CIDR range"),
                    )
                })
        })
        .collect()
}

fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

fn parse_or<T: std::str::FromStr>(
    name: &str,
    raw: Option<&str>,
    default: Option<T>,
) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match raw {
        Some(value) => value
            .parse()
            .map_err(|e| ConfigError::new(name, format!("invalid value `{value}` ({e})"))),
        None => default.ok_or_else(|| ConfigError::new(name, "is required")),
    }
}

fn parse_positive(name: &str, raw: Option<&str>, default: usize) -> Result<usize, ConfigError> {
    let value: usize = parse_or(name, raw, Some(default))?;
    if value == 0 {
        return Err(ConfigError::new(name, "must be greater than zero"));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Result<Config, ConfigError> {
        Config::from_vars(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())))
    }

    #[test]
    fn a_metrics_token_is_kept_as_its_digest_and_must_be_long() {
        assert_eq!(config(&[]).unwrap().metrics_token_hash, None);
        let c = config(&[("NEWSROOM_METRICS_TOKEN", "scrape-me-0123456789")]).unwrap();
        assert_eq!(
            c.metrics_token_hash,
            Some(crate::auth::tokens::hash_secret("scrape-me-0123456789"))
        );
        assert!(!format!("{c:?}").contains("scrape-me"));
        assert!(config(&[("NEWSROOM_METRICS_TOKEN", "short")]).is_err());
    }

    #[test]
    fn retention_defaults_to_90_days_and_is_bounded() {
        assert_eq!(config(&[]).unwrap().retention_days, 90);
        assert_eq!(
            config(&[("NEWSROOM_RETENTION_DAYS", "7")])
                .unwrap()
                .retention_days,
            7
        );
        for bad in ["0", "36501", "-1", "a week"] {
            assert!(
                config(&[("NEWSROOM_RETENTION_DAYS", bad)]).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn upload_cap_and_request_timeout_have_defaults_and_refuse_zero() {
        let c = config(&[]).unwrap();
        assert_eq!(c.max_concurrent_uploads, 4);
        assert_eq!(c.request_timeout, Duration::from_secs(60));
        let c = config(&[("NEWSROOM_REQUEST_TIMEOUT_MS", "1500")]).unwrap();
        assert_eq!(c.request_timeout, Duration::from_millis(1500));
        for name in [
            "NEWSROOM_MAX_CONCURRENT_UPLOADS",
            "NEWSROOM_REQUEST_TIMEOUT_MS",
        ] {
            assert_eq!(config(&[(name, "0")]).unwrap_err().variable, name);
        }
    }

    #[test]
    fn defaults_work_on_a_developer_machine() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(c.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(c.media_dir, PathBuf::from("./data/media"));
        assert_eq!(c.environment, Environment::Development);
        assert_eq!(c.log_format, LogFormat::Pretty);
    }

    #[test]
    fn an_invalid_value_names_its_variable() {
        let err = config(&[("NEWSROOM_BIND", "not-an-address")]).unwrap_err();
        assert_eq!(err.variable, "NEWSROOM_BIND");
        let err = config(&[("NEWSROOM_DB_POOL_SIZE", "0")]).unwrap_err();
        assert_eq!(err.variable, "NEWSROOM_DB_POOL_SIZE");
        let err = config(&[("DATABASE_URL", "mysql://x/y")]).unwrap_err();
        assert_eq!(err.variable, "DATABASE_URL");
        let err = config(&[("DATABASE_READ_URL", "postgres://replica/")]).unwrap_err();
        assert_eq!(err.variable, "DATABASE_READ_URL");
        assert_eq!(config(&[]).unwrap().database_read_url, None);
        let err = config(&[("NEWSROOM_ENV", "prod")]).unwrap_err();
        assert_eq!(err.variable, "NEWSROOM_ENV");
    }

    #[test]
    fn site_links_default_to_the_api_and_are_checked() {
        let c = config(&[]).unwrap();
        assert_eq!(c.site.api_url, "http://127.0.0.1:8080");
        assert_eq!(c.site.url, "http://127.0.0.1:8080");
        assert_eq!(
            c.site.article("a-b"),
            "http://127.0.0.1:8080/api/v1/public/articles/a-b"
        );
        let c = config(&[
            ("NEWSROOM_SITE_URL", "https://news.example.org/"),
            (
                "NEWSROOM_ARTICLE_URL",
                "https://news.example.org/story/{slug}",
            ),
        ])
        .unwrap();
        assert_eq!(c.site.url, "https://news.example.org");
        assert_eq!(c.site.article("x"), "https://news.example.org/story/x");
        let err = config(&[("NEWSROOM_ARTICLE_URL", "https://news.example.org/")]).unwrap_err();
        assert_eq!(err.variable, "NEWSROOM_ARTICLE_URL");
        let err = config(&[("NEWSROOM_SITE_URL", "news.example.org")]).unwrap_err();
        assert_eq!(err.variable, "NEWSROOM_SITE_URL");
    }

    #[test]
    fn an_unknown_newsroom_variable_is_refused() {
        let err = config(&[("NEWSROOM_BINDD", "127.0.0.1:1")]).unwrap_err();
        assert_eq!(err.variable, "NEWSROOM_BINDD");
        assert!(
            err.to_string()
                .starts_with("configuration error: NEWSROOM_BINDD:")
        );
    }

    #[test]
    fn production_requires_a_long_jwt_secret() {
        let err = config(&[("NEWSROOM_ENV", "production")]).unwrap_err();
        assert_eq!(err.variable, "NEWSROOM_JWT_SECRET");
        let err = config(&[
            ("NEWSROOM_ENV", "production"),
            ("NEWSROOM_JWT_SECRET", "short"),
        ])
        .unwrap_err();
        assert_eq!(err.variable, "NEWSROOM_JWT_SECRET");
        let c = config(&[
            ("NEWSROOM_ENV", "production"),
            ("NEWSROOM_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
        ])
        .unwrap();
        assert_eq!(c.log_format, LogFormat::Json);
    }

    #[test]
    fn trusted_proxies_take_addresses_and_ranges() {
        let c = config(&[("NEWSROOM_TRUSTED_PROXIES", "10.0.0.0/8, 127.0.0.1")]).unwrap();
        assert_eq!(c.trusted_proxies.len(), 2);
        let err = config(&[("NEWSROOM_TRUSTED_PROXIES", "proxy.local")]).unwrap_err();
        assert_eq!(err.variable, "NEWSROOM_TRUSTED_PROXIES");
    }

    #[test]
    fn s3_storage_needs_a_bucket() {
        let err = config(&[("NEWSROOM_STORAGE", "s3")]).unwrap_err();
        assert_eq!(err.variable, "NEWSROOM_S3_BUCKET");
        let c = config(&[
            ("NEWSROOM_STORAGE", "s3"),
            ("NEWSROOM_S3_BUCKET", "media"),
            ("NEWSROOM_S3_ENDPOINT", "http://127.0.0.1:9000"),
        ])
        .unwrap();
        assert!(matches!(c.storage, Storage::S3 { .. }));
        assert_eq!(config(&[]).unwrap().storage, Storage::Local);
    }

    #[test]
    fn private_webhook_targets_are_allowed_in_development_only_by_default() {
        assert!(config(&[]).unwrap().webhooks_allow_private);
        let production = [
            ("NEWSROOM_ENV", "production"),
            ("NEWSROOM_JWT_SECRET", "0123456789abcdef0123456789abcdef"),
        ];
        assert!(!config(&production).unwrap().webhooks_allow_private);
        let err = config(&[("NEWSROOM_WEBHOOKS_ALLOW_PRIVATE", "yes")]).unwrap_err();
        assert_eq!(err.variable, "NEWSROOM_WEBHOOKS_ALLOW_PRIVATE");
        let c = config(&[
            ("NEWSROOM_WEBHOOKS_ALLOW_PRIVATE", "false"),
            ("NEWSROOM_WEBHOOK_RETRY_BASE_MS", "100"),
        ])
        .unwrap();
        assert!(!c.webhooks_allow_private);
        assert_eq!(c.webhook_retry_base, Duration::from_millis(100));
    }

    #[test]
    fn bootstrap_admin_needs_both_halves() {
        let err = config(&[("NEWSROOM_BOOTSTRAP_ADMIN_EMAIL", "a@b.c")]).unwrap_err();
        assert_eq!(err.variable, "NEWSROOM_BOOTSTRAP_ADMIN_PASSWORD");
    }
}
