//! Deleting what is only kept for a while: log-in attempts, finished webhook deliveries and
//! the events they carried, and preview links that stopped working. The audit log is kept for
//! good (a trigger forbids deleting from it).

use chrono::{DateTime, Utc};
use diesel::QueryResult;
use diesel::sql_types::{BigInt, Timestamptz};
use diesel_async::{AsyncPgConnection, RunQueryDsl};

/// Rows deleted by one statement at most, so no purge holds many locks or a long transaction.
pub const BATCH: i64 = 1000;

/// What a purge deleted, by kind.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Purged {
    /// Log-in attempts.
    pub login_attempts: usize,
    /// Delivered or abandoned (`dead`) webhook deliveries; pending and retrying ones stay.
    pub webhook_deliveries: usize,
    /// Webhook events with no delivery left.
    pub webhook_events: usize,
    /// Preview links expired or revoked.
    pub preview_links: usize,
}

impl Purged {
    /// Rows deleted in all.
    pub fn total(&self) -> usize {
        self.login_attempts + self.webhook_deliveries + self.webhook_events + self.preview_links
    }
}

const LOGIN_ATTEMPTS: &str = "DELETE FROM login_attempts WHERE id IN ( \
    SELECT id FROM login_attempts WHERE attempted_at < $1 LIMIT $2)";
const WEBHOOK_DELIVERIES: &str = "DELETE FROM webhook_deliveries WHERE id IN ( \
    SELECT id FROM webhook_deliveries \
    WHERE status IN ('delivered', 'dead') AND created_at < $1 LIMIT $2)";
const WEBHOOK_EVENTS: &str = "DELETE FROM webhook_events WHERE id IN ( \
    SELECT e.id FROM webhook_events e WHERE e.created_at < $1 \
    AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id) LIMIT $2)";
const PREVIEW_LINKS: &str = "DELETE FROM preview_links WHERE id IN ( \
    SELECT id FROM preview_links \
    WHERE expires_at < $1 OR revoked_at < $1 LIMIT $2)";

/// Deletes everything that ended before `cutoff`, in batches of [`BATCH`]; deliveries go
/// before events, so an event goes in the same run as its last delivery.
pub async fn purge(conn: &mut AsyncPgConnection, cutoff: DateTime<Utc>) -> QueryResult<Purged> {
    Ok(Purged {
        login_attempts: purge_all(conn, LOGIN_ATTEMPTS, cutoff).await?,
        webhook_deliveries: purge_all(conn, WEBHOOK_DELIVERIES, cutoff).await?,
        webhook_events: purge_all(conn, WEBHOOK_EVENTS, cutoff).await?,
        preview_links: purge_all(conn, PREVIEW_LINKS, cutoff).await?,
    })
}

async fn purge_all(
    conn: &mut AsyncPgConnection,
    statement: &str,
    cutoff: DateTime<Utc>,
) -> QueryResult<usize> {
    let mut deleted = 0;
    loop {
        let n = diesel::sql_query(statement)
            .bind::<Timestamptz, _>(cutoff)
            .bind::<BigInt, _>(BATCH)
            .execute(conn)
            .await?;
        deleted += n;
        if (n as i64) < BATCH {
            return Ok(deleted);
        }
    }
}
