//! Keeps the response cache honest: listens on PostgreSQL channel `newsroom_public`, which
//! triggers notify whenever something readers see changes (migration `public_change_notify`),
//! and empties the cache on every notification. PostgreSQL delivers a notification only when
//! its transaction commits, to every listening instance.
//!
//! While the listening connection is down the cache is switched off (a missed notification
//! could otherwise leave a stale answer in it), and the loop reconnects.
//!
//! With a read replica (`DATABASE_READ_URL`), public answers are rendered from the replica,
//! which may not have replayed a change yet when its notification arrives from the primary; an
//! answer rendered in that window would be stale under the new generation. So after each
//! flush the worker waits until the replica has replayed the primary's WAL position as of the
//! notification (which is past the commit that sent it) and flushes again.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};
use tokio_postgres::{AsyncMessage, NoTls};

use crate::http::response_cache::ResponseCache;

/// The notification channel.
pub const CHANNEL: &str = "newsroom_public";

/// Longest wait for a read replica to replay a change before the worker gives up on it and
/// reconnects (the cache is off meanwhile): a replica this far behind should not feed a cache.
const REPLICA_CATCH_UP: Duration = Duration::from_secs(10);

/// How often the replica's replay position is polled while waiting.
const REPLICA_POLL: Duration = Duration::from_millis(10);

/// Runs until `stop` is dropped.
pub async fn run(
    database_url: String,
    replica_url: Option<String>,
    cache: Arc<ResponseCache>,
    mut stop: watch::Receiver<()>,
) {
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            result = listen(&database_url, replica_url.as_deref(), &cache) => {
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
async fn listen(
    database_url: &str,
    replica_url: Option<&str>,
    cache: &ResponseCache,
) -> anyhow::Result<()> {
    let replica = match replica_url {
        Some(url) => Some(Replica::connect(url).await?),
        None => None,
    };
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
        if let Some(replica) = &replica {
            let row = client
                .query_one("SELECT pg_current_wal_lsn()::text", &[])
                .await?;
            let position: String = row.try_get(0)?;
            replica.wait_for(&position).await?;
            cache.invalidate_all();
        }
    }
    driver.abort();
    drop(client);
    anyhow::bail!("the connection closed")
}

/// A connection to the read replica, to follow its replay position.
struct Replica {
    client: tokio_postgres::Client,
    driver: tokio::task::JoinHandle<()>,
}

impl Replica {
    async fn connect(url: &str) -> anyhow::Result<Self> {
        let (client, connection) = tokio_postgres::connect(url, NoTls).await?;
        let driver = tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::warn!(error = %e, "read replica connection failed");
            }
        });
        Ok(Self { client, driver })
    }

    /// Returns once the replica has replayed WAL up to `position` (at once when the "replica"
    /// is in fact a primary, as when `DATABASE_READ_URL` names the same server).
    async fn wait_for(&self, position: &str) -> anyhow::Result<()> {
        let deadline = tokio::time::Instant::now() + REPLICA_CATCH_UP;
        loop {
            let row = self
                .client
                .query_one(
                    "SELECT coalesce(pg_last_wal_replay_lsn() >= $1::text::pg_lsn, true)",
                    &[&position],
                )
                .await?;
            if row.try_get::<_, bool>(0)? {
                return Ok(());
            }
            if tokio::time::Instant::now() >= deadline {
                anyhow::bail!("the read replica is more than {REPLICA_CATCH_UP:?} behind");
            }
            tokio::time::sleep(REPLICA_POLL).await;
        }
    }
}

impl Drop for Replica {
    fn drop(&mut self) {
        self.driver.abort();
    }
}
