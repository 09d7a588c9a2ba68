//! `/api/v1/public`: what readers see, without a token. The article page is one request: the
//! published revision with its authors, section, images, embeds, corrections, translations and
//! "read more", all resolved.

use std::collections::HashSet;

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, get, web};
use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::articles::CorrectionView;
use super::authors::AuthorLink;
use super::images::{FocalPoint, RenditionLink, file_url};
use crate::content::images::RENDITION_WIDTHS;
use crate::content::public::{self, ArticlePage, Lookup, brief_image};
use crate::db::embeds::EmbedRow;
use crate::db::images::ImageRow;
use crate::db::published::PublishedBrief;
use crate::domain::body::Block;
use crate::domain::embeds::{ExternalMedia, Provider, markup};
use crate::domain::inline::sanitize_inline;
use crate::error::{ApiError, ProblemDetails};
use crate::http::caching;
use crate::startup::AppState;

/// The public URL of a published article.
pub fn article_url(slug: &str) -> String {
    format!("/api/v1/public/articles/{slug}")
}

/// An image as shown on a page: the file, its renditions and what to print with it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicImage {
    /// Image id.
    pub id: Uuid,
    /// Full-size file.
    pub url: String,
    /// Resized copies narrower than the original, for `srcset`.
    pub renditions: Vec<RenditionLink>,
    /// Width in pixels.
    pub width: i32,
    /// Height in pixels.
    pub height: i32,
    /// Alternative text.
    pub alt_text: Option<String>,
    /// Caption: this use's override, else the image's own; inline markup (`<em>`, `<strong>`,
    /// `<a href>`, `<br>`), safe to insert as HTML.
    pub caption: Option<String>,
    /// Credit: this use's override, else the image's own.
    pub credit: Option<String>,
    /// Photographer.
    pub photographer: Option<String>,
    /// Source or agency.
    pub source: Option<String>,
    /// The photo is illustrative (not of the events described).
    pub illustrative: bool,
    /// The part of the picture that crops must keep.
    pub focal_point: Option<FocalPoint>,
}

/// Links to the resized copies narrower than the original, for `srcset`.
pub fn rendition_links(image: &ImageRow) -> Vec<RenditionLink> {
    let url = file_url(image.id);
    RENDITION_WIDTHS
        .iter()
        .filter(|w| i64::from(**w) < i64::from(image.width))
        .map(|w| RenditionLink {
            width: *w,
            url: format!("{url}?w={w}"),
        })
        .collect()
}

/// An image as a page shows it, with this use's caption and credit overriding the image's.
pub fn public_image(image: &ImageRow, caption: Option<&str>, credit: Option<&str>) -> PublicImage {
    PublicImage {
        id: image.id,
        url: file_url(image.id),
        renditions: rendition_links(image),
        width: image.width,
        height: image.height,
        alt_text: image.alt_text.clone(),
        // A body block's caption is inline markup, the image's own and the hero override are
        // stored as typed: sanitised here so the one field is always safe to render as markup.
        caption: caption.or(image.caption.as_deref()).map(sanitize_inline),
        credit: credit.map(str::to_owned).or_else(|| image.credit.clone()),
        photographer: image.photographer.clone(),
        source: image.source.clone(),
        illustrative: image.illustrative,
        focal_point: image
            .focal_x
            .zip(image.focal_y)
            .map(|(x, y)| FocalPoint { x, y }),
    }
}

/// An author on the byline, with what the author box shows.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicAuthor {
    /// Author id.
    pub id: Uuid,
    /// Name as printed.
    pub name: String,
    /// URL identifier of the author page.
    pub slug: String,
    /// Role on this article, e.g. "reporting", "photos".
    pub role: Option<String>,
    /// Job title.
    pub job_title: Option<String>,
    /// Biography.
    pub bio: Option<String>,
    /// Where the author is based.
    pub location: Option<String>,
    /// Web site and social profiles.
    pub links: Vec<AuthorLink>,
    /// Portrait.
    pub avatar: Option<PublicImage>,
}

/// The section an article is filed in.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicSection {
    /// Display name.
    pub name: String,
    /// URL identifier.
    pub slug: String,
}

/// An editorial embed, resolved for readers.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PublicEmbed {
    /// A teaser card of another published article: the embed's overrides, else the target's
    /// current published headline, dek and featured image.
    Article {
        /// Target article id.
        article_id: Uuid,
        /// Label, e.g. "Editorial".
        label: Option<String>,
        /// Headline.
        headline: String,
        /// Excerpt.
        excerpt: Option<String>,
        /// Image.
        image: Option<Box<PublicImage>>,
        /// The target's public URL (its live slug).
        url: String,
    },
    /// Third-party media: markup built by the server from provider and media id.
    External {
        /// Provider.
        provider: Provider,
        /// Canonical URL of the media.
        url: String,
        /// Markup to insert.
        html: String,
    },
    /// Sanitised markup.
    Html {
        /// Markup to insert.
        html: String,
    },
}

/// A body block as delivered: images and embeds resolved. Blocks whose image or embed is gone,
/// and teasers of articles that are not published, are left out.
#[derive(Debug, Serialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum PublicBlock {
    /// A paragraph (inline markup: `<em>`, `<strong>`, `<a href>`, `<br>`).
    Paragraph {
        /// Text with inline markup.
        text: String,
    },
    /// A subheading (plain text).
    Heading {
        /// 2, 3 or 4.
        level: u8,
        /// Plain text.
        text: String,
    },
    /// An image, with this use's caption and credit.
    Image {
        /// The image.
        image: PublicImage,
    },
    /// An editorial embed.
    Embed {
        /// Embed id.
        embed_id: Uuid,
        /// The embed, resolved.
        embed: PublicEmbed,
    },
    /// A quotation.
    Quote {
        /// The quoted words, with inline markup.
        text: String,
        /// Who said it.
        attribution: Option<String>,
    },
    /// A list; items take inline markup.
    List {
        /// Numbered or bulleted.
        ordered: bool,
        /// Items.
        items: Vec<String>,
    },
    /// A separator.
    Divider {},
}

/// Another language version of the article.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicTranslation {
    /// Article id.
    pub id: Uuid,
    /// BCP 47 language tag.
    #[schema(example = "uk")]
    pub language: String,
    /// Headline.
    pub headline: String,
    /// Live slug.
    pub slug: String,
    /// Public URL.
    pub url: String,
}

/// An entry of "read more": a recent article of the same section.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReadMoreItem {
    /// Article id.
    pub id: Uuid,
    /// Headline.
    pub headline: String,
    /// Live slug.
    pub slug: String,
    /// Public URL.
    pub url: String,
    /// Last publication.
    pub published_at: Option<DateTime<Utc>>,
    /// Full-size file of the featured image.
    pub featured_image_url: Option<String>,
}

/// A published article as readers see it: its published revision, everything resolved.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicArticle {
    /// Id.
    pub id: Uuid,
    /// Live slug.
    pub slug: String,
    /// Headline.
    pub headline: String,
    /// Kicker / label.
    pub kicker: Option<String>,
    /// Standfirst.
    pub dek: Option<String>,
    /// BCP 47 language tag.
    pub language: String,
    /// Tags (slugs).
    pub tags: Vec<String>,
    /// Section, if filed in one.
    pub section: Option<PublicSection>,
    /// Byline, in order.
    pub authors: Vec<PublicAuthor>,
    /// Hero image, with the article's caption/credit override.
    pub featured_image: Option<PublicImage>,
    /// Body, images and embeds resolved.
    pub body: Vec<PublicBlock>,
    /// Words in the body.
    pub word_count: i32,
    /// Minutes to read.
    pub reading_time_minutes: i32,
    /// When it was first published.
    pub first_published_at: Option<DateTime<Utc>>,
    /// When it was last published.
    pub published_at: Option<DateTime<Utc>>,
    /// SEO title.
    pub seo_title: Option<String>,
    /// SEO description.
    pub seo_description: Option<String>,
    /// Canonical URL.
    pub canonical_url: Option<String>,
    /// Corrections (dated), oldest first.
    pub corrections: Vec<CorrectionView>,
    /// Other published language versions.
    pub translations: Vec<PublicTranslation>,
    /// Up to 5 latest other published articles of the same section, newest first.
    pub read_more: Vec<ReadMoreItem>,
}

/// Surrogate keys, in first-seen order without repeats.
#[derive(Default)]
struct Keys {
    seen: HashSet<String>,
    keys: Vec<String>,
}

impl Keys {
    fn add(&mut self, kind: &str, id: Uuid) {
        let key = format!("{kind}:{id}");
        if self.seen.insert(key.clone()) {
            self.keys.push(key);
        }
    }
}

fn resolve_embed(page: &ArticlePage, embed: &EmbedRow, keys: &mut Keys) -> Option<PublicEmbed> {
    let resolved = match embed.kind.as_str() {
        "article" => {
            let target = embed.article_id?;
            // Not published (draft, unpublished, archived, gone): the card is left out.
            let brief = page.teasers.get(&target)?;
            let slug = brief.slug.clone();
            let image = match embed.image_id {
                Some(image) => page.images.get(&image),
                None => brief_image(brief).and_then(|image| page.images.get(&image)),
            };
            if let Some(image) = image {
                keys.add("image", image.id);
            }
            keys.add("article", target);
            PublicEmbed::Article {
                article_id: target,
                label: embed.label.clone(),
                headline: embed
                    .headline
                    .clone()
                    .unwrap_or_else(|| brief.headline.clone()),
                excerpt: embed.excerpt.clone().or_else(|| brief.dek.clone()),
                image: image.map(|i| Box::new(public_image(i, None, None))),
                url: article_url(&slug),
            }
        }
        "external" => {
            let provider = embed.provider.as_deref().and_then(Provider::parse)?;
            let url = embed.url.clone()?;
            let html = markup(&ExternalMedia {
                provider,
                media_id: embed.media_id.clone()?,
                canonical_url: url.clone(),
            });
            PublicEmbed::External {
                provider,
                url,
                html,
            }
        }
        "html" => PublicEmbed::Html {
            html: embed.html.clone()?,
        },
        _ => return None,
    };
    keys.add("embed", embed.id);
    Some(resolved)
}

fn resolve_block(page: &ArticlePage, block: &Block, keys: &mut Keys) -> Option<PublicBlock> {
    Some(match block {
        Block::Paragraph { text } => PublicBlock::Paragraph { text: text.clone() },
        Block::Heading { level, text } => PublicBlock::Heading {
            level: *level,
            text: text.clone(),
        },
        Block::Image {
            image_id,
            caption,
            credit,
        } => {
            let image = page.images.get(image_id)?;
            keys.add("image", image.id);
            PublicBlock::Image {
                image: public_image(image, caption.as_deref(), credit.as_deref()),
            }
        }
        Block::Embed { embed_id } => {
            let embed = page.embeds.get(embed_id)?;
            PublicBlock::Embed {
                embed_id: *embed_id,
                embed: resolve_embed(page, embed, keys)?,
            }
        }
        Block::Quote { text, attribution } => PublicBlock::Quote {
            text: text.clone(),
            attribution: attribution.clone(),
        },
        Block::List { ordered, items } => PublicBlock::List {
            ordered: *ordered,
            items: items.clone(),
        },
        Block::Divider {} => PublicBlock::Divider {},
    })
}

fn read_more_item(page: &ArticlePage, brief: &PublishedBrief, keys: &mut Keys) -> ReadMoreItem {
    let slug = brief.slug.clone();
    keys.add("article", brief.id);
    let image = brief_image(brief).filter(|id| page.images.contains_key(id));
    if let Some(image) = image {
        keys.add("image", image);
    }
    ReadMoreItem {
        id: brief.id,
        headline: brief.headline.clone(),
        url: article_url(&slug),
        slug,
        published_at: Some(brief.published_at),
        featured_image_url: image.map(file_url),
    }
}

/// Renders the page and the surrogate keys naming everything it shows.
fn render(page: &ArticlePage) -> (PublicArticle, Vec<String>) {
    let content = &page.content;
    let id = page.article.id;
    let mut keys = Keys::default();
    keys.add("article", id);
    let section = page.section.as_ref().map(|s| {
        keys.add("section", s.id);
        PublicSection {
            name: s.name.clone(),
            slug: s.slug.clone(),
        }
    });
    let authors = content
        .authors
        .iter()
        .filter_map(|byline| {
            let author = page.authors.get(&byline.author_id)?;
            keys.add("author", author.id);
            let avatar = author
                .avatar_image_id
                .and_then(|image| page.images.get(&image))
                .map(|image| {
                    keys.add("image", image.id);
                    public_image(image, None, None)
                });
            Some(PublicAuthor {
                id: author.id,
                name: author.name.clone(),
                slug: author.slug.clone(),
                role: byline.role.clone(),
                job_title: author.job_title.clone(),
                bio: author.bio.clone(),
                location: author.location.clone(),
                links: serde_json::from_value(author.links.clone()).unwrap_or_default(),
                avatar,
            })
        })
        .collect();
    let featured_image = content.featured_image.as_ref().and_then(|featured| {
        let image = page.images.get(&featured.image_id)?;
        keys.add("image", image.id);
        Some(public_image(
            image,
            featured.caption.as_deref(),
            featured.credit.as_deref(),
        ))
    });
    let body = content
        .body
        .iter()
        .filter_map(|block| resolve_block(page, block, &mut keys))
        .collect();
    let translations = page
        .translations
        .iter()
        .map(|brief| {
            keys.add("article", brief.id);
            PublicTranslation {
                id: brief.id,
                language: brief.language.clone(),
                headline: brief.headline.clone(),
                url: article_url(&brief.slug),
                slug: brief.slug.clone(),
            }
        })
        .collect();
    let read_more = page
        .read_more
        .iter()
        .map(|brief| read_more_item(page, brief, &mut keys))
        .collect();
    let article = PublicArticle {
        id,
        slug: content.slug.clone(),
        headline: content.headline.clone(),
        kicker: content.kicker.clone(),
        dek: content.dek.clone(),
        language: content.language.clone(),
        tags: content.tags.clone(),
        section,
        authors,
        featured_image,
        body,
        word_count: content.word_count,
        reading_time_minutes: content.reading_time_minutes,
        first_published_at: page.article.first_published_at,
        published_at: page.article.published_at,
        seo_title: content.seo_title.clone(),
        seo_description: content.seo_description.clone(),
        canonical_url: content.canonical_url.clone(),
        corrections: page
            .corrections
            .iter()
            .map(|c| CorrectionView {
                id: c.id,
                note: c.note.clone(),
                created_at: c.created_at,
            })
            .collect(),
        translations,
        read_more,
    };
    (article, keys.keys)
}

fn not_found(slug: &str) -> ApiError {
    ApiError::NotFound(format!("no published article at `{slug}`"))
}

/// One published article by slug, with everything its page shows resolved: authors (author
/// box), section, featured image, body images and embeds (teasers of articles that are not
/// published are left out), corrections, translations and "read more". An old slug answers 301
/// with the current one.
#[utoipa::path(
    tag = "public",
    operation_id = "get_public_article",
    params(
        ("slug" = String, Path, description = "The article's slug"),
        ("If-None-Match" = Option<String>, Header, description = "An `ETag` seen before: 304 when unchanged"),
    ),
    security(()),
    responses(
        (status = 200, description = "The published article", body = PublicArticle,
            headers(
                ("ETag" = String, description = "Strong validator of the body"),
                ("Cache-Control" = String, description = "`public, max-age=…, stale-while-revalidate=…`"),
                ("Surrogate-Key" = String, description = "Space-separated keys naming what the page shows: `article:<id>`, `author:<id>`, `image:<id>`, `embed:<id>`, `section:<id>`"),
                ("Last-Modified" = String, description = "The last publication or correction"),
            )),
        (status = 301, description = "An old slug: `Location` has the current URL",
            headers(("Location" = String, description = "Current URL"))),
        (status = 304, description = "Unchanged since the `ETag` in `If-None-Match`",
            headers(
                ("ETag" = String, description = "Strong validator of the body"),
                ("Cache-Control" = String, description = "Caching policy"),
            )),
        (status = 404, description = "No published article has this slug", body = ProblemDetails,
            content_type = "application/problem+json"),
        (status = 503, description = "The database is unavailable", body = ProblemDetails,
            content_type = "application/problem+json"),
    )
)]
#[get("/public/articles/{slug}")]
pub async fn get_public_article(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let mut conn = state.read_pool.get().await?;
    match public::load(&mut conn, &slug).await? {
        Lookup::Missing => Err(not_found(&slug)),
        Lookup::Moved(current) => Ok(HttpResponse::MovedPermanently()
            .insert_header((header::LOCATION, article_url(&current)))
            .finish()),
        Lookup::Found(page) => {
            drop(conn);
            let (article, keys) = render(&page);
            let last_modified = page
                .article
                .published_at
                .into_iter()
                .chain(page.corrections.iter().map(|c| c.created_at))
                .max();
            caching::json_modified(
                &req,
                state.config.public_cache,
                &keys,
                last_modified,
                &article,
            )
        }
    }
}
