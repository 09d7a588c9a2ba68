//! User accounts: create, change, delete, change one's own password, the bootstrap admin.

use actix_web::web;
use diesel_async::AsyncConnection;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::AuthSettings;
use super::password::{self, Verdict};
use crate::audit::AuditContext;
use crate::config::Config;
use crate::db::users::{NewUser, UserChanges, UserRow};
use crate::db::{self, DbPool, audit};
use crate::domain::accounts::{Role, check_password, normalize_email};
use crate::error::{ApiError, FieldError};
use crate::http::client_ip::ClientIp;

/// A new account, e-mail already normalised.
#[derive(Debug)]
pub struct NewAccount {
    /// Normalised e-mail.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Role.
    pub role: Role,
    /// Plain password (hashed here, never stored).
    pub password: String,
}

/// Changes to an account; `None` leaves a field as it is.
#[derive(Debug, Default)]
pub struct AccountChanges {
    /// Normalised e-mail.
    pub email: Option<String>,
    /// Display name.
    pub name: Option<String>,
    /// Role.
    pub role: Option<Role>,
    /// Activate or deactivate.
    pub active: Option<bool>,
    /// New password (an admin's reset).
    pub password: Option<String>,
}

async fn hash_off_runtime(password: String) -> Result<String, ApiError> {
    web::block(move || password::hash(&password))
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("hashing task failed: {e}")))?
        .map_err(ApiError::Internal)
}

fn password_error(message: String) -> ApiError {
    ApiError::Validation(vec![FieldError::new("password", message)])
}

fn email_taken() -> ApiError {
    ApiError::Conflict("a user with this e-mail address already exists".to_owned())
}

/// Creates an account.
pub async fn create_user(
    pool: &DbPool,
    context: &AuditContext,
    account: NewAccount,
) -> Result<UserRow, ApiError> {
    check_password(&account.password, &account.email).map_err(password_error)?;
    let hash = hash_off_runtime(account.password).await?;
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        if db::users::find_by_email(conn, &account.email)
            .await?
            .is_some()
        {
            return Err(email_taken());
        }
        let user = db::users::insert(
            conn,
            &NewUser {
                email: &account.email,
                name: &account.name,
                role: account.role.as_str(),
                password_hash: &hash,
            },
        )
        .await?;
        let changes = json!({ "email": user.email, "name": user.name, "role": user.role });
        audit::append(
            conn,
            &context.entry("user.create", "user", Some(user.id.to_string()), changes),
        )
        .await?;
        Ok(user)
    })
    .await
}

/// Refuses changes that would lock the newsroom out: an admin removing its own access, or the
/// last active admin losing theirs.
async fn guard_admin_access(
    conn: &mut diesel_async::AsyncPgConnection,
    actor: Option<Uuid>,
    target: &UserRow,
    loses_access: bool,
) -> Result<(), ApiError> {
    if !loses_access {
        return Ok(());
    }
    if actor == Some(target.id) {
        return Err(ApiError::Conflict(
            "you cannot deactivate, demote or delete your own account".to_owned(),
        ));
    }
    if target.role == Role::Admin.as_str()
        && target.active
        && db::users::count_other_active_admins(conn, target.id).await? == 0
    {
        return Err(ApiError::Conflict(
            "this is the last active admin; make another admin first".to_owned(),
        ));
    }
    Ok(())
}

/// Changes an account. Deactivation and password resets end the user's sessions at once;
/// deactivation also revokes the API tokens the user issued.
pub async fn update_user(
    pool: &DbPool,
    context: &AuditContext,
    actor: Option<Uuid>,
    id: Uuid,
    changes: AccountChanges,
) -> Result<UserRow, ApiError> {
    let mut conn = pool.get().await?;
    let current = db::users::find(&mut conn, id).await?;
    if let Some(password) = &changes.password {
        let email = changes.email.as_deref().unwrap_or(&current.email);
        check_password(password, email).map_err(password_error)?;
    }
    drop(conn);
    let new_hash = match changes.password.clone() {
        Some(password) => Some(hash_off_runtime(password).await?),
        None => None,
    };
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let current = db::users::find(conn, id).await?;
        let was_admin = current.role == Role::Admin.as_str();
        let demoted = was_admin && changes.role.is_some_and(|r| r != Role::Admin);
        let deactivated = current.active && changes.active == Some(false);
        guard_admin_access(conn, actor, &current, demoted || deactivated).await?;
        if let Some(email) = &changes.email
            && *email != current.email
            && db::users::find_by_email(conn, email).await?.is_some()
        {
            return Err(email_taken());
        }
        let row_changes = UserChanges {
            email: changes.email.clone(),
            name: changes.name.clone(),
            role: changes.role.map(|r| r.as_str().to_owned()),
            password_hash: new_hash.clone(),
            active: changes.active,
        };
        let updated = if row_changes_is_empty(&row_changes) {
            current.clone()
        } else {
            db::users::update(conn, id, &row_changes).await?
        };
        if deactivated || new_hash.is_some() {
            let reason = if deactivated {
                "user deactivated"
            } else {
                "password reset"
            };
            db::sessions::revoke_all_of_user(conn, id, None, reason).await?;
        }
        if deactivated {
            db::api_tokens::revoke_created_by(conn, id).await?;
        }
        let diff = diff_user(&current, &updated, new_hash.is_some());
        if !diff.is_empty() {
            audit::append(
                conn,
                &context.entry(
                    "user.update",
                    "user",
                    Some(id.to_string()),
                    Value::Object(diff),
                ),
            )
            .await?;
        }
        Ok(updated)
    })
    .await
}

fn row_changes_is_empty(c: &UserChanges) -> bool {
    c.email.is_none()
        && c.name.is_none()
        && c.role.is_none()
        && c.password_hash.is_none()
        && c.active.is_none()
}

/// The fields that changed, as `{field: {from, to}}`; a password change is noted, not shown.
fn diff_user(before: &UserRow, after: &UserRow, password_changed: bool) -> Map<String, Value> {
    let mut diff =
        crate::audit::changed_fields(before, after, &["email", "name", "role", "active"]);
    if password_changed {
        diff.insert("password".to_owned(), json!("changed"));
    }
    diff
}

/// Deletes an account (its sessions go with it; tokens it issued are kept, unattributed).
pub async fn delete_user(
    pool: &DbPool,
    context: &AuditContext,
    actor: Option<Uuid>,
    id: Uuid,
) -> Result<(), ApiError> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let current = db::users::find(conn, id).await?;
        guard_admin_access(conn, actor, &current, true).await?;
        db::users::delete(conn, id).await?;
        let changes = json!({ "email": current.email, "name": current.name, "role": current.role });
        audit::append(
            conn,
            &context.entry("user.delete", "user", Some(id.to_string()), changes),
        )
        .await?;
        Ok(())
    })
    .await
}

/// Changes one's own password, given the current one; every other session of the user ends.
/// Wrong current passwords count as failed log-ins, so a stolen access token cannot be used to
/// guess the password without limit.
#[allow(clippy::too_many_arguments)]
pub async fn change_own_password(
    pool: &DbPool,
    settings: &AuthSettings,
    ip: &ClientIp,
    context: &AuditContext,
    user_id: Uuid,
    session_id: Uuid,
    current_password: String,
    new_password: String,
) -> Result<(), ApiError> {
    let mut conn = pool.get().await?;
    let user = db::users::find(&mut conn, user_id).await?;
    check_password(&new_password, &user.email)
        .map_err(|m| ApiError::Validation(vec![FieldError::new("new_password", m)]))?;
    let attempt = super::sessions::begin_attempt(&mut conn, settings, &user.email, ip).await?;
    drop(conn);
    let stored = user.password_hash.clone();
    let verdict = web::block(move || password::verify(&current_password, &stored))
        .await
        .map_err(|e| ApiError::Internal(anyhow::anyhow!("password check failed: {e}")))?;
    if verdict == Verdict::Wrong {
        let mut conn = pool.get().await?;
        let entry = context.entry(
            "user.password_change_failed",
            "user",
            Some(user_id.to_string()),
            json!({ "reason": "wrong current password" }),
        );
        audit::append(&mut conn, &entry).await?;
        return Err(ApiError::Validation(vec![FieldError::new(
            "current_password",
            "is not your current password",
        )]));
    }
    let hash = hash_off_runtime(new_password).await?;
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let changes = UserChanges {
            password_hash: Some(hash),
            ..Default::default()
        };
        db::users::update(conn, user_id, &changes).await?;
        db::login_attempts::mark_succeeded(conn, attempt).await?;
        db::sessions::revoke_all_of_user(conn, user_id, Some(session_id), "password changed")
            .await?;
        audit::append(
            conn,
            &context.entry(
                "user.password_change",
                "user",
                Some(user_id.to_string()),
                json!({ "password": "changed" }),
            ),
        )
        .await?;
        Ok(())
    })
    .await
}

/// Creates the first admin from `NEWSROOM_BOOTSTRAP_ADMIN_*` when no user exists yet.
pub async fn bootstrap_admin(pool: &DbPool, config: &Config) -> anyhow::Result<()> {
    let (Some(email), Some(password)) = (
        &config.bootstrap_admin_email,
        &config.bootstrap_admin_password,
    ) else {
        return Ok(());
    };
    let mut conn = pool.get().await?;
    if db::users::any_exists(&mut conn).await? {
        return Ok(());
    }
    drop(conn);
    let email = normalize_email(email)
        .map_err(|m| anyhow::anyhow!("NEWSROOM_BOOTSTRAP_ADMIN_EMAIL: {m}"))?;
    let account = NewAccount {
        email: email.clone(),
        name: "Administrator".to_owned(),
        role: Role::Admin,
        password: password.clone(),
    };
    match create_user(pool, &AuditContext::system(), account).await {
        Ok(_) => {
            tracing::info!(%email, "created the bootstrap admin");
            Ok(())
        }
        // Another instance starting at the same moment created it.
        Err(ApiError::Conflict(_)) => Ok(()),
        Err(ApiError::Validation(errors)) => Err(anyhow::anyhow!(
            "NEWSROOM_BOOTSTRAP_ADMIN_PASSWORD: {}",
            errors
                .first()
                .map(|e| e.message.as_str())
                .unwrap_or("invalid")
        )),
        Err(e) => Err(anyhow::anyhow!("creating the bootstrap admin: {e}")),
    }
}
