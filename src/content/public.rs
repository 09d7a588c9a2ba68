//! The public article page, loaded in a fixed number of queries whatever the body holds: the
//! published revision, then its authors, section, embeds, teaser targets, translations,
//! "read more" and every image they show, each in one batch.

use std::collections::{HashMap, HashSet};

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use crate::content::workflow::read_snapshot;
use crate::db;
use crate::db::articles::ArticleRow;
use crate::db::authors::AuthorRow;
use crate::db::embeds::EmbedRow;
use crate::db::images::ImageRow;
use crate::db::published::PublishedBrief;
use crate::db::revisions::CorrectionRow;
use crate::db::sections::SectionRow;
use crate::domain::body::{embed_refs, image_refs};
use crate::domain::revision::Snapshot;
use crate::error::ApiError;

/// Most "read more" entries.
pub const READ_MORE: i64 = 5;

/// Everything the article page shows, loaded; rendering is the API's business.
#[derive(Debug)]
pub struct ArticlePage {
    /// The article (its publication times).
    pub article: ArticleRow,
    /// Its published revision.
    pub content: Snapshot,
    /// Corrections, oldest first.
    pub corrections: Vec<CorrectionRow>,
    /// The section of the published revision, if it still exists.
    pub section: Option<SectionRow>,
    /// The byline's authors that still exist, by id.
    pub authors: HashMap<Uuid, AuthorRow>,
    /// Embeds of the body that still exist, by id.
    pub embeds: HashMap<Uuid, EmbedRow>,
    /// Teaser targets that are published, by id.
    pub teasers: HashMap<Uuid, PublishedBrief>,
    /// Other published language versions.
    pub translations: Vec<PublishedBrief>,
    /// Latest other published articles of the same section, newest first.
    pub read_more: Vec<PublishedBrief>,
    /// Every image shown (featured, body, avatars, teasers, read more) that exists, by id.
    pub images: HashMap<Uuid, ImageRow>,
}

/// What a slug leads to.
#[derive(Debug)]
pub enum Lookup {
    /// No published article has (or had) this slug.
    Missing,
    /// An old slug: the article now lives at this one.
    Moved(String),
    /// The page.
    Found(Box<ArticlePage>),
}

/// The featured image id of a brief.
pub fn brief_image(brief: &PublishedBrief) -> Option<Uuid> {
    brief.featured_image_id
}

fn unique(ids: impl IntoIterator<Item = Uuid>) -> Vec<Uuid> {
    let mut seen = HashSet::new();
    ids.into_iter().filter(|id| seen.insert(*id)).collect()
}

/// Loads the published article at `slug` with everything its page shows.
pub async fn load(conn: &mut AsyncPgConnection, slug: &str) -> Result<Lookup, ApiError> {
    let Some(id) = db::revisions::article_for_slug(conn, slug).await? else {
        return Ok(Lookup::Missing);
    };
    let article = db::articles::find(conn, id).await?;
    let Some(revision_id) = article
        .published_revision_id
        .filter(|_| article.status == "published")
    else {
        return Ok(Lookup::Missing);
    };
    let revision = db::revisions::find_by_id(conn, revision_id).await?;
    let content = read_snapshot(&revision)?;
    if content.slug != slug {
        return Ok(Lookup::Moved(content.slug));
    }

    let corrections = db::revisions::corrections(conn, id).await?;
    let section = match content.section_id {
        Some(section) => db::sections::find_optional(conn, section).await?,
        None => None,
    };
    let author_ids = unique(content.authors.iter().map(|a| a.author_id));
    let authors: HashMap<Uuid, AuthorRow> = db::authors::find_many(conn, &author_ids)
        .await?
        .into_iter()
        .map(|a| (a.id, a))
        .collect();
    let embed_ids = unique(embed_refs(&content.body).into_iter().map(|(_, id)| id));
    let embeds: HashMap<Uuid, EmbedRow> = db::embeds::find_many(conn, &embed_ids)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    let target_ids = unique(
        embeds
            .values()
            .filter(|e| e.kind == "article")
            .filter_map(|e| e.article_id),
    );
    let teasers: HashMap<Uuid, PublishedBrief> = db::published::briefs(conn, &target_ids)
        .await?
        .into_iter()
        .map(|b| (b.id, b))
        .collect();
    let group = content.translation_of.unwrap_or(id);
    let translations = db::published::translations(conn, group, id).await?;
    let read_more = match content.section_id {
        Some(section) => db::published::latest_in_section(conn, section, id, READ_MORE).await?,
        None => Vec::new(),
    };

    // Every image the page may show, in one query; ones that are gone are left out.
    let mut image_ids: Vec<Uuid> = Vec::new();
    image_ids.extend(content.featured_image.as_ref().map(|f| f.image_id));
    image_ids.extend(image_refs(&content.body).into_iter().map(|(_, id)| id));
    image_ids.extend(authors.values().filter_map(|a| a.avatar_image_id));
    for embed in embeds.values().filter(|e| e.kind == "article") {
        match embed.image_id {
            Some(image) => image_ids.push(image),
            None => image_ids.extend(
                embed
                    .article_id
                    .and_then(|target| teasers.get(&target))
                    .and_then(brief_image),
            ),
        }
    }
    image_ids.extend(read_more.iter().filter_map(brief_image));
    let images: HashMap<Uuid, ImageRow> = db::images::find_many(conn, &unique(image_ids))
        .await?
        .into_iter()
        .map(|i| (i.id, i))
        .collect();

    Ok(Lookup::Found(Box::new(ArticlePage {
        article,
        content,
        corrections,
        section,
        authors,
        embeds,
        teasers,
        translations,
        read_more,
        images,
    })))
}
