//! Publishes scheduled articles when they fall due.
//!
//! Every instance runs this loop; `FOR UPDATE SKIP LOCKED` hands each due article to exactly
//! one of them, and whatever was due while no instance ran is published at the next tick, so
//! publication happens once, on time, and catches up after an outage.

use std::time::Duration;

use tokio::sync::watch;

use crate::content::workflow::publish_due;
use crate::db::DbPool;

/// Articles published per transaction; a full batch is followed at once by the next.
const BATCH: i64 = 100;

/// Runs until `stop` is dropped.
pub async fn run(pool: DbPool, interval: Duration, stop: watch::Receiver<()>) {
    let mut ticks = super::Ticks::new(interval, stop);
    while ticks.next().await {
        loop {
            match publish_due(&pool, BATCH).await {
                Ok(n) if n as i64 == BATCH => continue,
                Ok(n) => {
                    if n > 0 {
                        tracing::info!(handled = n, "scheduled articles handled");
                    }
                    break;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "the scheduler could not run; retrying at the next tick");
                    break;
                }
            }
        }
    }
}
