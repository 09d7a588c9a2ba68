//! Editorial embeds: teaser cards of our own articles, third-party media from allow-listed
//! providers (markup built by the server), and sanitised raw HTML.

use diesel_async::{AsyncConnection, AsyncPgConnection};
use serde_json::json;
use uuid::Uuid;

use crate::audit::AuditContext;
use crate::db::embeds::{EmbedChanges, EmbedRow, NewEmbed};
use crate::db::{self, DbPool, audit};
use crate::error::{ApiError, FieldError};

/// Checks that a teaser's target article and image exist (422 naming the field otherwise).
pub async fn check_references(
    conn: &mut AsyncPgConnection,
    article_id: Option<Uuid>,
    image_id: Option<Uuid>,
) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if let Some(article) = article_id
        && db::articles::existing(conn, &[article]).await?.is_empty()
    {
        errors.push(FieldError::new("article_id", "no such article"));
    }
    if let Some(image) = image_id
        && !db::images::exists(conn, image).await?
    {
        errors.push(FieldError::new("image_id", "no such image"));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// Creates an embed.
pub async fn create(
    pool: &DbPool,
    context: &AuditContext,
    embed: NewEmbed,
) -> Result<EmbedRow, ApiError> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        check_references(conn, embed.article_id, embed.image_id).await?;
        let row = db::embeds::insert(conn, &embed).await?;
        let changes = json!({
            "kind": row.kind, "article_id": row.article_id,
            "provider": row.provider, "url": row.url,
        });
        audit::append(
            conn,
            &context.entry("embed.create", "embed", Some(row.id.to_string()), changes),
        )
        .await?;
        Ok(row)
    })
    .await
}

/// Changes an embed; `authorize` sees the stored embed first.
pub async fn update(
    pool: &DbPool,
    context: &AuditContext,
    id: Uuid,
    authorize: impl FnOnce(&EmbedRow) -> Result<(), ApiError> + Send,
    change: impl FnOnce(&EmbedRow) -> Result<EmbedChanges, ApiError> + Send,
) -> Result<EmbedRow, ApiError> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let before = db::embeds::find(conn, id).await?;
        authorize(&before)?;
        let changes = change(&before)?;
        check_references(conn, changes.article_id, changes.image_id.flatten()).await?;
        let row = db::embeds::update(conn, id, &changes).await?;
        audit::append(
            conn,
            &context.entry(
                "embed.update",
                "embed",
                Some(id.to_string()),
                json!({ "kind": row.kind, "url": row.url, "label": row.label }),
            ),
        )
        .await?;
        Ok(row)
    })
    .await
}

/// Deletes an embed; refused with 409 while an article body uses it, naming the articles when
/// `name_articles` (the caller reads every article) and counting them otherwise, so a writer
/// learns no headline of another writer's draft.
pub async fn delete(
    pool: &DbPool,
    context: &AuditContext,
    id: Uuid,
    name_articles: bool,
    authorize: impl FnOnce(&EmbedRow) -> Result<(), ApiError> + Send,
) -> Result<(), ApiError> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let before = db::embeds::find(conn, id).await?;
        authorize(&before)?;
        let used = db::embeds::used_in(conn, id).await?;
        if !used.is_empty() {
            let detail = if name_articles {
                let names: Vec<String> = used
                    .iter()
                    .map(|(article, headline)| format!("\"{headline}\" ({article})"))
                    .collect();
                format!("the embed is used in: {}", names.join("; "))
            } else {
                format!(
                    "the embed is used in {} article(s); an editor can see which",
                    used.len()
                )
            };
            return Err(ApiError::Conflict(detail));
        }
        let row = db::embeds::delete(conn, id).await?;
        audit::append(
            conn,
            &context.entry(
                "embed.delete",
                "embed",
                Some(id.to_string()),
                json!({ "kind": row.kind, "url": row.url }),
            ),
        )
        .await?;
        Ok(())
    })
    .await
}
