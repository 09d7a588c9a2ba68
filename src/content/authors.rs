//! Author profiles: slugs, references, audit.

use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::audit::AuditContext;
use crate::db::authors::{AuthorChanges, AuthorRow, NewAuthor};
use crate::db::{self, DbPool, audit};
use crate::domain::slug;
use crate::error::{ApiError, FieldError};

/// Checks that the avatar image and the user account exist (422 naming the field otherwise) and
/// that the user account is not already another author's (409).
async fn check_references(
    conn: &mut AsyncPgConnection,
    avatar_image_id: Option<Uuid>,
    user_id: Option<Uuid>,
    author: Option<Uuid>,
) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if let Some(image) = avatar_image_id
        && !db::images::exists(conn, image).await?
    {
        errors.push(FieldError::new("avatar_image_id", "no such image"));
    }
    if let Some(user) = user_id {
        if db::users::find(conn, user).await.is_err() {
            errors.push(FieldError::new("user_id", "no such user"));
        } else if db::authors::user_taken(conn, user, author).await? {
            return Err(ApiError::Conflict(
                "this user account already belongs to another author".to_owned(),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// A free slug: `wanted` when given (409 if another author has it), else from the name with a
/// numeric suffix when taken.
async fn choose_slug(
    conn: &mut AsyncPgConnection,
    wanted: Option<&str>,
    name: &str,
    author: Option<Uuid>,
) -> Result<String, ApiError> {
    if let Some(wanted) = wanted {
        let taken = db::authors::slugs_like(conn, wanted, author).await?;
        if taken.iter().any(|s| s == wanted) {
            return Err(ApiError::Conflict(format!(
                "the slug `{wanted}` belongs to another author"
            )));
        }
        return Ok(wanted.to_owned());
    }
    let base = slug::slugify_or(name, "author");
    let taken = db::authors::slugs_like(conn, &base, author).await?;
    slug::candidates(&base)
        .find(|candidate| !taken.contains(candidate))
        .ok_or_else(|| ApiError::Conflict(format!("no free slug near `{base}`; send one")))
}

/// Creates an author; the slug comes from `wanted_slug` or the name.
pub async fn create(
    pool: &DbPool,
    context: &AuditContext,
    mut author: NewAuthor,
    wanted_slug: Option<&str>,
) -> Result<AuthorRow, ApiError> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        check_references(conn, author.avatar_image_id, author.user_id, None).await?;
        author.slug = choose_slug(conn, wanted_slug, &author.name, None).await?;
        let row = db::authors::insert(conn, &author).await?;
        let changes = json!({ "name": row.name, "slug": row.slug });
        audit::append(
            conn,
            &context.entry("author.create", "author", Some(row.id.to_string()), changes),
        )
        .await?;
        Ok(row)
    })
    .await
}

/// Changes an author. A new name keeps the slug (published URLs stay put) unless a slug is
/// sent too.
pub async fn update(
    pool: &DbPool,
    context: &AuditContext,
    id: Uuid,
    changes: AuthorChanges,
) -> Result<AuthorRow, ApiError> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let before = db::authors::find(conn, id).await?;
        check_references(
            conn,
            changes.avatar_image_id.flatten(),
            changes.user_id.flatten(),
            Some(id),
        )
        .await?;
        let mut changes = changes;
        if let Some(wanted) = changes.slug.take() {
            changes.slug = Some(choose_slug(conn, Some(&wanted), &before.name, Some(id)).await?);
        }
        let after = db::authors::update(conn, id, &changes).await?;
        let diff = diff(&before, &after);
        if !diff.is_empty() {
            audit::append(
                conn,
                &context.entry(
                    "author.update",
                    "author",
                    Some(id.to_string()),
                    Value::Object(diff),
                ),
            )
            .await?;
        }
        Ok(after)
    })
    .await
}

fn diff(before: &AuthorRow, after: &AuthorRow) -> serde_json::Map<String, Value> {
    crate::audit::changed_fields(
        before,
        after,
        &[
            "name",
            "slug",
            "job_title",
            "bio",
            "location",
            "avatar_image_id",
            "email",
            "links",
            "user_id",
            "active",
        ],
    )
}

/// Deletes an author; refused with 409, naming the articles, while the author is on a byline
/// (a foreign key backs this up).
pub async fn delete(pool: &DbPool, context: &AuditContext, id: Uuid) -> Result<(), ApiError> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        db::authors::find(conn, id).await?;
        let articles = db::articles::with_author(conn, id).await?;
        if !articles.is_empty() {
            let names: Vec<String> = articles
                .iter()
                .map(|(article, headline)| format!("\"{headline}\" ({article})"))
                .collect();
            return Err(ApiError::Conflict(format!(
                "the author is on the byline of: {}; deactivate the author instead",
                names.join("; ")
            )));
        }
        let row = db::authors::delete(conn, id).await?;
        audit::append(
            conn,
            &context.entry(
                "author.delete",
                "author",
                Some(id.to_string()),
                json!({ "name": row.name, "slug": row.slug }),
            ),
        )
        .await?;
        Ok(())
    })
    .await
}
