//! Sections: the newsroom's managed list ("News Feed", "Politics").

use diesel_async::AsyncConnection;
use serde_json::json;
use uuid::Uuid;

use crate::audit::AuditContext;
use crate::db::sections::{NewSection, SectionChanges, SectionRow};
use crate::db::{self, DbPool, audit};
use crate::error::ApiError;

fn slug_taken(slug: &str) -> ApiError {
    ApiError::Conflict(format!("the slug `{slug}` belongs to another section"))
}

fn is_unique_violation(e: &diesel::result::Error) -> bool {
    matches!(
        e,
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _)
    )
}

/// Creates a section.
pub async fn create(
    pool: &DbPool,
    context: &AuditContext,
    section: NewSection,
) -> Result<SectionRow, ApiError> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let row = db::sections::insert(conn, &section).await.map_err(|e| {
            if is_unique_violation(&e) {
                slug_taken(&section.slug)
            } else {
                e.into()
            }
        })?;
        audit::append(
            conn,
            &context.entry(
                "section.create",
                "section",
                Some(row.id.to_string()),
                json!({ "name": row.name, "slug": row.slug }),
            ),
        )
        .await?;
        Ok(row)
    })
    .await
}

/// Changes a section.
pub async fn update(
    pool: &DbPool,
    context: &AuditContext,
    id: Uuid,
    changes: SectionChanges,
) -> Result<SectionRow, ApiError> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        let before = db::sections::find(conn, id).await?;
        let row = db::sections::update(conn, id, &changes)
            .await
            .map_err(|e| {
                if is_unique_violation(&e) {
                    slug_taken(changes.slug.as_deref().unwrap_or_default())
                } else {
                    e.into()
                }
            })?;
        audit::append(
            conn,
            &context.entry(
                "section.update",
                "section",
                Some(id.to_string()),
                json!({
                    "name": {"from": before.name, "to": row.name},
                    "slug": {"from": before.slug, "to": row.slug},
                }),
            ),
        )
        .await?;
        Ok(row)
    })
    .await
}

/// Deletes a section; refused with 409 while articles are filed in it.
pub async fn delete(pool: &DbPool, context: &AuditContext, id: Uuid) -> Result<(), ApiError> {
    let mut conn = pool.get().await?;
    conn.transaction::<_, ApiError, _>(async |conn| {
        db::sections::find(conn, id).await?;
        let count = db::sections::article_count(conn, id).await?;
        if count > 0 {
            return Err(ApiError::Conflict(format!(
                "{count} article(s) are filed in this section; move them first"
            )));
        }
        let row = db::sections::delete(conn, id).await?;
        audit::append(
            conn,
            &context.entry(
                "section.delete",
                "section",
                Some(id.to_string()),
                json!({ "name": row.name, "slug": row.slug }),
            ),
        )
        .await?;
        Ok(())
    })
    .await
}
