//! Queries on `login_attempts`, the shared memory of log-in throttling.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

use crate::schema::login_attempts;

/// Which attempts to count.
#[derive(Debug, Clone, Copy)]
pub enum Subject<'a> {
    /// Attempts on one account (by normalised e-mail).
    Email(&'a str),
    /// Attempts from one client address.
    ClientIp(&'a str),
}

/// Times of failures since `since` and since the subject's last success, newest first, at
/// most `max`.
pub async fn recent_failures(
    conn: &mut AsyncPgConnection,
    subject: Subject<'_>,
    since: DateTime<Utc>,
    max: i64,
) -> QueryResult<Vec<DateTime<Utc>>> {
    let mut query = login_attempts::table
        .filter(login_attempts::attempted_at.gt(since))
        .order(login_attempts::attempted_at.desc())
        .select((login_attempts::attempted_at, login_attempts::succeeded))
        .limit(max)
        .into_boxed();
    query = match subject {
        Subject::Email(email) => query.filter(login_attempts::email.eq(email.to_owned())),
        // For an address shared by a whole newsroom, one editor's success must not wipe out
        // failures from someone guessing next to them: only failures count.
        Subject::ClientIp(ip) => query
            .filter(login_attempts::client_ip.eq(ip.to_owned()))
            .filter(login_attempts::succeeded.eq(false)),
    };
    let rows: Vec<(DateTime<Utc>, bool)> = query.load(conn).await?;
    // For an account, a success wipes the slate.
    Ok(rows
        .into_iter()
        .take_while(|(_, succeeded)| !succeeded)
        .map(|(t, _)| t)
        .collect())
}

/// Records one attempt; returns its id.
pub async fn record(
    conn: &mut AsyncPgConnection,
    email: &str,
    client_ip: &str,
    succeeded: bool,
) -> QueryResult<i64> {
    diesel::insert_into(login_attempts::table)
        .values((
            login_attempts::email.eq(email),
            login_attempts::client_ip.eq(client_ip),
            login_attempts::succeeded.eq(succeeded),
        ))
        .returning(login_attempts::id)
        .get_result(conn)
        .await
}

/// Turns an attempt recorded as pending (a failure) into a success.
pub async fn mark_succeeded(conn: &mut AsyncPgConnection, id: i64) -> QueryResult<()> {
    diesel::update(login_attempts::table.find(id))
        .set(login_attempts::succeeded.eq(true))
        .execute(conn)
        .await
        .map(drop)
}

/// Serialises attempts on one subject until the end of the transaction, so concurrent
/// attempts cannot all read "no failures yet" before any of them is recorded.
pub async fn lock(conn: &mut AsyncPgConnection, subject: Subject<'_>) -> QueryResult<()> {
    let key = match subject {
        Subject::Email(email) => format!("login:email:{email}"),
        Subject::ClientIp(ip) => format!("login:ip:{ip}"),
    };
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext($1))")
        .bind::<diesel::sql_types::Text, _>(key)
        .execute(conn)
        .await
        .map(drop)
}
