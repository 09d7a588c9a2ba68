//! Delivers queued webhook events.
//!
//! Every instance runs this loop. A tick claims due deliveries with `FOR UPDATE SKIP LOCKED`
//! and leases them (their next attempt moves past the send timeout) in one short transaction,
//! sends them without holding a connection, then records each outcome: 2xx is delivered;
//! anything else is a failed attempt, retried with exponential back-off until the last one,
//! after which the delivery is dead. A crash mid-send only delays the delivery to the end of
//! its lease: delivery is at least once, and receivers deduplicate by `X-Newsroom-Delivery`.

use std::time::Duration;

use chrono::Utc;
use futures_util::future::join_all;
use tokio::sync::watch;

use crate::config::Config;
use crate::content::webhooks::{check_target, public_addresses};
use crate::db::webhooks::ClaimedDelivery;
use crate::db::{self, DbPool};
use crate::domain::webhooks::{DeliveryStatus, retry_delay, signature};

/// Deliveries claimed per tick; a full batch is followed at once by the next.
const BATCH: i64 = 50;
/// How long a claimed delivery stays away from other instances, in send timeouts: the sends of
/// a batch run together, and the target's DNS check and the recording come on top.
const LEASE_TIMEOUTS: u32 = 6;
/// Longest error text kept in the delivery log.
const MAX_ERROR_CHARS: usize = 500;

/// What the worker needs from the configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Time between looks for due deliveries.
    pub interval: Duration,
    /// Wait after the first failure, doubled after each.
    pub retry_base: Duration,
    /// Longest wait for a receiver's answer.
    pub timeout: Duration,
    /// Whether private targets may be reached (checked again at each send, against DNS
    /// changes since the webhook was registered).
    pub allow_private: bool,
}

impl Settings {
    /// From the instance's configuration.
    pub fn from_config(config: &Config) -> Self {
        Self {
            interval: config.webhook_interval,
            retry_base: config.webhook_retry_base,
            timeout: config.webhook_timeout,
            allow_private: config.webhooks_allow_private,
        }
    }
}

/// Runs until `stop` is dropped.
pub async fn run(pool: DbPool, settings: Settings, stop: watch::Receiver<()>) {
    let mut builder = reqwest::Client::builder()
        .timeout(settings.timeout)
        // A redirect could lead anywhere, private networks included: a 3xx is a failure.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("newsroom-webhooks/", env!("CARGO_PKG_VERSION")));
    if !settings.allow_private {
        builder = builder.dns_resolver(PublicAddressesOnly);
    }
    let client = match builder.build() {
        Ok(client) => client,
        Err(e) => {
            tracing::error!(error = %e, "webhook delivery cannot start: no HTTP client");
            return;
        }
    };
    let mut ticks = super::Ticks::new(settings.interval, stop);
    while ticks.next().await {
        loop {
            match deliver_due(&pool, &client, &settings).await {
                Ok(n) if n as i64 == BATCH => continue,
                Ok(_) => break,
                Err(e) => {
                    tracing::warn!(error = %e, "webhook delivery could not run; retrying at the next tick");
                    break;
                }
            }
        }
    }
}

/// Claims, sends and records one batch; returns how many were claimed.
async fn deliver_due(
    pool: &DbPool,
    client: &reqwest::Client,
    settings: &Settings,
) -> anyhow::Result<usize> {
    let claimed = {
        let mut conn = pool.get().await?;
        let lease = settings.timeout * LEASE_TIMEOUTS;
        db::webhooks::claim_due(&mut conn, BATCH, lease.as_secs_f64()).await?
    };
    let count = claimed.len();
    let outcomes = join_all(
        claimed
            .into_iter()
            .map(|delivery| async move { (send(client, &delivery, settings).await, delivery) }),
    )
    .await;
    let mut conn = pool.get().await?;
    for (outcome, delivery) in outcomes {
        let attempts = delivery.attempts + 1;
        let (status, code, error, next) = match outcome {
            Ok(code) => (DeliveryStatus::Delivered, Some(code), None, Utc::now()),
            Err(Failure { code, error }) => match retry_delay(settings.retry_base, attempts) {
                Some(delay) => (
                    DeliveryStatus::Failed,
                    code,
                    Some(error),
                    Utc::now() + chrono::Duration::from_std(delay).unwrap_or_default(),
                ),
                None => (DeliveryStatus::Dead, code, Some(error), Utc::now()),
            },
        };
        if status != DeliveryStatus::Delivered {
            tracing::info!(delivery = %delivery.id, attempts, status = status.as_str(),
                error = error.as_deref().unwrap_or_default(), "webhook delivery failed");
        }
        db::webhooks::record_attempt(
            &mut conn,
            delivery.id,
            status.as_str(),
            code,
            error.as_deref(),
            next,
        )
        .await?;
    }
    Ok(count)
}

/// A failed attempt: the receiver's status, if it answered, and what went wrong.
struct Failure {
    code: Option<i32>,
    error: String,
}

impl Failure {
    fn because(error: impl std::fmt::Display) -> Self {
        Self {
            code: None,
            error: error.to_string().chars().take(MAX_ERROR_CHARS).collect(),
        }
    }
}

/// Resolves receivers' host names for the connection itself, refusing a name with any
/// non-public address. The check before each send resolves the name too, but the connection
/// resolving it again could get another answer (DNS rebinding: public for the check, private
/// for the connection); this way the addresses connected to are the addresses checked.
struct PublicAddressesOnly;

impl reqwest::dns::Resolve for PublicAddressesOnly {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            // The port is the URL's; reqwest sets it on the addresses returned.
            let addresses = public_addresses(&host, 0)
                .await
                .map_err(|refusal| format!("{host}: {refusal}"))?;
            Ok(Box::new(addresses.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// POSTs one delivery; `Ok` with the 2xx status, or the failure.
async fn send(
    client: &reqwest::Client,
    delivery: &ClaimedDelivery,
    settings: &Settings,
) -> Result<i32, Failure> {
    // The host may resolve elsewhere now than when the webhook was registered.
    check_target(&delivery.url, settings.allow_private)
        .await
        .map_err(|refusal| Failure::because(format!("target refused: url {refusal}")))?;
    let body = serde_json::to_vec(&delivery.payload).map_err(Failure::because)?;
    let timestamp = Utc::now().timestamp();
    let response = client
        .post(&delivery.url)
        .header("content-type", "application/json")
        .header("x-newsroom-event", &delivery.event)
        .header("x-newsroom-delivery", delivery.id.to_string())
        .header("x-newsroom-timestamp", timestamp.to_string())
        .header(
            "x-newsroom-signature",
            signature(&delivery.secret, timestamp, &body),
        )
        .body(body)
        .send()
        .await
        .map_err(|e| Failure::because(error_chain(&e)))?;
    let code = i32::from(response.status().as_u16());
    if response.status().is_success() {
        Ok(code)
    } else {
        Err(Failure {
            code: Some(code),
            error: format!("the receiver answered {}", response.status()),
        })
    }
}

/// `e` and its sources, so "error sending request" says why.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use reqwest::dns::Resolve;

    use super::*;

    #[tokio::test]
    async fn the_connection_resolver_refuses_private_addresses() {
        let name: reqwest::dns::Name = "localhost".parse().unwrap();
        let refused = PublicAddressesOnly.resolve(name).await;
        assert!(refused.is_err(), "localhost resolved for a webhook");
    }
}
