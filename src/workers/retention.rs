//! Deletes, once an hour, what is kept only for `NEWSROOM_RETENTION_DAYS` (see
//! `db::retention`). Every instance runs it; deleting the same rows twice is harmless, and
//! the first run comes right after start so a long-stopped newsroom catches up at once.

use std::time::Duration;

use tokio::sync::watch;

use crate::db::DbPool;

/// How often the purge runs.
const INTERVAL: Duration = Duration::from_secs(3600);

/// Runs until `stop` is dropped.
pub async fn run(pool: DbPool, retention_days: u32, stop: watch::Receiver<()>) {
    let mut ticks = super::Ticks::new(INTERVAL, stop);
    while ticks.next().await {
        let cutoff = chrono::Utc::now() - chrono::Duration::days(i64::from(retention_days));
        let purged = match pool.get().await {
            Ok(mut conn) => crate::db::retention::purge(&mut conn, cutoff)
                .await
                .map_err(anyhow::Error::from),
            Err(e) => Err(anyhow::Error::from(e)),
        };
        match purged {
            Ok(purged) if purged.total() > 0 => tracing::info!(
                login_attempts = purged.login_attempts,
                webhook_deliveries = purged.webhook_deliveries,
                webhook_events = purged.webhook_events,
                preview_links = purged.preview_links,
                "expired records deleted"
            ),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "the retention purge failed; retrying in an hour"),
        }
    }
}
