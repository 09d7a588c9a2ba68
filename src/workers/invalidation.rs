//! Keeps the response cache honest: listens on PostgreSQL channel `newsroom_public`, which
//! triggers notify whenever something readers see changes (migration `public_change_notify`),
//! and empties the cache on every notification. PostgreSQL delivers a notification only when
//! its transaction commits, to every listening instance.
//!
//! While the listening connection is down the cache is switched off (a missed notification
//! could otherwise leave a stale answer in it), and the loop reconnects.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio_postgres::{AsyncMessage, NoTls};

use crate::http::response_cache::ResponseCache;

/// The notification channel.
pub const CHANNEL: &str = "newsroom_public";

/// Runs until `stop` is dropped.
pub async fn run(database_url: String, cache: Arc<ResponseCache>, mut stop: watch::Receiver<()>) {
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            result = listen(&database_url, &cache) => {
                cache.set_live(false);
                if let Err(e) = result {
                    tracing::warn!(error = %e, "cache invalidation connection lost; the cache is off until it is back");
                }
            }
        }
        tokio::select! {
            _ = stop.changed() => break,
            _ = tokio::time::sleep(Duration::from_millis(500)) => {}
        }
    }
    cache.set_live(false);
}

/// Listens until the connection ends.
async fn listen(database_url: &str, cache: &ResponseCache) -> anyhow::Result<()> {
    let (client, mut connection) = tokio_postgres::connect(database_url, NoTls).await?;
    let (tx, mut rx) = mpsc::unbounded_channel();
    // The connection must be polled for the LISTEN to complete and for notifications to come.
    let driver = tokio::spawn(async move {
        while let Some(message) = std::future::poll_fn(|cx| connection.poll_message(cx)).await {
            match message {
                Ok(AsyncMessage::Notification(_)) => {
                    if tx.send(()).is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "cache invalidation connection failed");
                    break;
                }
            }
        }
    });
    client.batch_execute(&format!("LISTEN {CHANNEL}")).await?;
    // Anything cached before this point may have missed a change.
    cache.set_live(true);
    while rx.recv().await.is_some() {
        // Notifications come in bursts (one per table a transaction touched): drain them.
        while rx.try_recv().is_ok() {}
        cache.invalidate_all();
    }
    driver.abort();
    drop(client);
    anyhow::bail!("the connection closed")
}
