//! Queries on `users`.

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use crate::schema::users;

/// A stored user, hash included: never serialised as is.
#[derive(Debug, Clone, serde::Serialize, Queryable, Selectable, Identifiable)]
#[diesel(table_name = users, check_for_backend(diesel::pg::Pg))]
pub struct UserRow {
    /// Id.
    pub id: Uuid,
    /// Lower-cased e-mail.
    pub email: String,
    /// Display name.
    pub name: String,
    /// `admin`, `editor` or `writer`.
    pub role: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Whether the account may sign in.
    pub active: bool,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Last successful log-in.
    pub last_login_at: Option<DateTime<Utc>>,
}

/// A user to insert.
#[derive(Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    /// Lower-cased e-mail.
    pub email: &'a str,
    /// Display name.
    pub name: &'a str,
    /// Role name.
    pub role: &'a str,
    /// argon2id PHC string.
    pub password_hash: &'a str,
}

/// Fields to change; `None` leaves a field as it is.
#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    /// New e-mail.
    pub email: Option<String>,
    /// New name.
    pub name: Option<String>,
    /// New role.
    pub role: Option<String>,
    /// New password hash.
    pub password_hash: Option<String>,
    /// Activate or deactivate.
    pub active: Option<bool>,
}

/// Filters of the user list.
#[derive(Debug, Default)]
pub struct UserFilter {
    /// Only this role.
    pub role: Option<String>,
    /// Only active (or inactive) users.
    pub active: Option<bool>,
    /// Name or e-mail contains this (case-insensitive).
    pub text: Option<String>,
}

/// The user with this e-mail (already normalised).
pub async fn find_by_email(
    conn: &mut AsyncPgConnection,
    email: &str,
) -> QueryResult<Option<UserRow>> {
    users::table
        .filter(users::email.eq(email))
        .select(UserRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The user with this id.
pub async fn find(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<UserRow> {
    users::table
        .find(id)
        .select(UserRow::as_select())
        .first(conn)
        .await
}

/// Inserts a user.
pub async fn insert(conn: &mut AsyncPgConnection, user: &NewUser<'_>) -> QueryResult<UserRow> {
    diesel::insert_into(users::table)
        .values(user)
        .returning(UserRow::as_returning())
        .get_result(conn)
        .await
}

/// Applies `changes` to the user.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: &UserChanges,
) -> QueryResult<UserRow> {
    diesel::update(users::table.find(id))
        .set(changes)
        .returning(UserRow::as_returning())
        .get_result(conn)
        .await
}

/// Records a successful log-in.
pub async fn touch_last_login(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<()> {
    diesel::update(users::table.find(id))
        .set(users::last_login_at.eq(diesel::dsl::now))
        .execute(conn)
        .await
        .map(drop)
}

/// Deletes the user; `NotFound` when there is none.
pub async fn delete(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<()> {
    match diesel::delete(users::table.find(id)).execute(conn).await? {
        0 => Err(diesel::result::Error::NotFound),
        _ => Ok(()),
    }
}

/// Whether any user exists (for the bootstrap admin).
pub async fn any_exists(conn: &mut AsyncPgConnection) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(users::table.select(users::id)))
        .get_result(conn)
        .await
}

/// Active admins other than `except`.
pub async fn count_other_active_admins(
    conn: &mut AsyncPgConnection,
    except: Uuid,
) -> QueryResult<i64> {
    users::table
        .filter(users::role.eq("admin"))
        .filter(users::active.eq(true))
        .filter(users::id.ne(except))
        .count()
        .get_result(conn)
        .await
}

/// One page of users ordered by e-mail, after the e-mail `after`.
pub async fn list(
    conn: &mut AsyncPgConnection,
    filter: &UserFilter,
    after: Option<&str>,
    limit: i64,
) -> QueryResult<Vec<UserRow>> {
    let mut query = users::table
        .select(UserRow::as_select())
        .order(users::email.asc())
        .limit(limit)
        .into_boxed();
    if let Some(role) = &filter.role {
        query = query.filter(users::role.eq(role.clone()));
    }
    if let Some(active) = filter.active {
        query = query.filter(users::active.eq(active));
    }
    if let Some(text) = &filter.text {
        let pattern = format!("%{}%", super::escape_like(text));
        query = query.filter(
            users::name
                .ilike(pattern.clone())
                .or(users::email.ilike(pattern)),
        );
    }
    if let Some(after) = after {
        query = query.filter(users::email.gt(after.to_owned()));
    }
    query.load(conn).await
}
