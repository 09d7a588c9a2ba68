//! The database: connection pool, creating the database on first start, migrations, and the
//! queries of each resource.

pub mod api_tokens;
pub mod articles;
pub mod audit;
pub mod authors;
pub mod embeds;
pub mod images;
pub mod login_attempts;
pub mod previews;
pub mod published;
pub mod retention;
pub mod revisions;
pub mod sections;
pub mod sessions;
pub mod users;
pub mod webhooks;

use std::time::Duration;

use anyhow::Context;
use diesel::Connection;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::Pool;
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use diesel_migrations::{EmbeddedMigrations, MigrationHarness, embed_migrations};

/// The migrations of `migrations/`, the same files `diesel migration run` applies.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// Arbitrary constant that names our migration lock among PostgreSQL advisory locks.
const MIGRATION_LOCK_KEY: i64 = 0x6e65_7773_726f_6f6d; // "newsroom"

/// The shared async connection pool.
pub type DbPool = Pool<AsyncPgConnection>;
/// A connection checked out of the pool.
pub type DbConn = diesel_async::pooled_connection::deadpool::Object<AsyncPgConnection>;
/// Why a connection could not be checked out.
pub type PoolError = diesel_async::pooled_connection::deadpool::PoolError;

/// Builds the pool. Connections are made lazily; every wait is bounded by `timeout` so a dead
/// database turns into quick errors instead of hung requests.
pub fn build_pool(database_url: &str, size: usize, timeout: Duration) -> anyhow::Result<DbPool> {
    let mut manager_config = ManagerConfig::default();
    // `Fast` still drops connections whose socket closed (diesel-async checks `is_closed`), and
    // saves a round trip per checkout that `Verified` would spend on `SELECT 1`.
    manager_config.recycling_method = RecyclingMethod::Fast;
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new_with_config(
        database_url,
        manager_config,
    );
    Pool::builder(manager)
        .max_size(size)
        .wait_timeout(Some(timeout))
        .create_timeout(Some(timeout))
        .recycle_timeout(Some(timeout))
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .context("building the database pool")
}

/// Creates the database named in `database_url` when it does not exist yet.
///
/// Connecting to the database itself is tried first, so deployments whose role may not read the
/// `postgres` maintenance database still start when their database exists.
pub async fn ensure_database(database_url: &str) -> anyhow::Result<()> {
    let first_error = match AsyncPgConnection::establish(database_url).await {
        Ok(_) => return Ok(()),
        Err(e) => e,
    };
    let (maintenance_url, name) = maintenance_url(database_url)?;
    let mut conn = AsyncPgConnection::establish(&maintenance_url)
        .await
        .with_context(|| format!("connecting to the database failed ({first_error})"))?;
    let exists: bool = diesel::select(diesel::dsl::exists(
        pg_database::table.filter(pg_database::datname.eq(&name)),
    ))
    .get_result(&mut conn)
    .await
    .context("looking up the database")?;
    if exists {
        // It exists, so the first error was about something else (rights, a password).
        return Err(anyhow::anyhow!(
            "connecting to the database failed ({first_error})"
        ));
    }
    match diesel::sql_query(format!("CREATE DATABASE {}", quote_identifier(&name)))
        .execute(&mut conn)
        .await
    {
        Ok(_) => {
            tracing::info!(database = %name, "created the database");
            Ok(())
        }
        // Another instance created it at the same moment.
        Err(diesel::result::Error::DatabaseError(_, info))
            if info.message().contains("already exists") =>
        {
            Ok(())
        }
        Err(e) => Err(e).with_context(|| format!("creating database {name}")),
    }
}

use diesel::{ExpressionMethods as _, QueryDsl as _};

diesel::table! {
    /// PostgreSQL's catalogue of databases (only the column we read).
    pg_database (datname) {
        datname -> Text,
    }
}

/// The URL of the `postgres` maintenance database on the same server, and the database name.
pub fn maintenance_url(database_url: &str) -> anyhow::Result<(String, String)> {
    let mut url = url::Url::parse(database_url).context("DATABASE_URL is not a URL")?;
    let name = url.path().trim_start_matches('/').to_owned();
    let name = percent_decode(&name);
    url.set_path("/postgres");
    Ok((url.to_string(), name))
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_else(|| s.to_owned())
}

/// Escapes `%`, `_` and `\\` so user text matches literally inside a `LIKE` pattern.
pub fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Quotes a PostgreSQL identifier (`"` doubled), for statements that cannot take parameters.
pub fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Applies pending migrations, holding an advisory lock so that instances starting together
/// apply them once. Returns the versions applied.
pub async fn migrate(database_url: &str) -> anyhow::Result<Vec<String>> {
    let url = database_url.to_owned();
    // The sync migration harness blocks on its own runtime: it must not run on a runtime thread.
    tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<String>> {
        let mut conn = <AsyncConnectionWrapper<AsyncPgConnection> as Connection>::establish(&url)
            .context("connecting to run migrations")?;
        let lock = diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"));
        diesel::RunQueryDsl::execute(lock, &mut conn).context("taking the migration lock")?;
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map(|versions| versions.iter().map(ToString::to_string).collect())
            .map_err(|e| anyhow::anyhow!("applying migrations: {e}"));
        // Closing the connection would release the lock too; unlocking keeps it explicit.
        let unlock = diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"));
        let _ = diesel::RunQueryDsl::execute(unlock, &mut conn);
        applied
    })
    .await
    .context("the migration task failed")?
}

/// The database's clock: one clock for every instance, whatever their own say.
pub async fn now(
    conn: &mut AsyncPgConnection,
) -> diesel::QueryResult<chrono::DateTime<chrono::Utc>> {
    diesel::select(diesel::dsl::sql::<diesel::sql_types::Timestamptz>("now()"))
        .get_result(conn)
        .await
}

/// Checks out a connection and runs `SELECT 1`, within `timeout`.
pub async fn ping(pool: &DbPool, timeout: Duration) -> anyhow::Result<()> {
    let check = async {
        let mut conn = pool.get().await?;
        diesel::sql_query("SELECT 1").execute(&mut conn).await?;
        anyhow::Ok(())
    };
    tokio::time::timeout(timeout, check)
        .await
        .map_err(|_| anyhow::anyhow!("the database did not answer within {timeout:?}"))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maintenance_url_keeps_server_and_credentials() {
        let (url, name) =
            maintenance_url("postgres://u:p@db.internal:6543/news%20room?sslmode=require").unwrap();
        assert_eq!(
            url,
            "postgres://u:p@db.internal:6543/postgres?sslmode=require"
        );
        assert_eq!(name, "news room");
    }

    #[test]
    fn identifiers_are_quoted() {
        assert_eq!(quote_identifier("news\"room"), "\"news\"\"room\"");
    }
}
