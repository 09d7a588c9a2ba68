//! Background work inside the server: the publishing scheduler, webhook delivery, the
//! response cache's invalidation and the retention purge.

pub mod invalidation;
pub mod retention;
pub mod scheduler;
pub mod webhooks;

use std::time::Duration;

use tokio::sync::watch;

/// The beat of a periodic worker: the first tick at once, then one every `interval` (a tick
/// missed while the work ran is not made up), until the server stops.
pub struct Ticks {
    ticker: tokio::time::Interval,
    stop: watch::Receiver<()>,
}

impl Ticks {
    /// Ticks every `interval` until `stop`'s sender is dropped.
    pub fn new(interval: Duration, stop: watch::Receiver<()>) -> Self {
        let mut ticker = tokio::time::interval(interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        Self { ticker, stop }
    }

    /// Waits for the next tick; `false` once the server is stopping.
    pub async fn next(&mut self) -> bool {
        tokio::select! {
            _ = self.stop.changed() => false,
            _ = self.ticker.tick() => true,
        }
    }
}
