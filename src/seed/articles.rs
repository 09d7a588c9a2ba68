//! Articles generated in batches of rows ready to insert: the working copy, and for articles
//! that were published the revision, slug history and readers' row exactly as publishing
//! through the API records them (see `content::workflow::publish_locked`).
//!
//! Generation is sequential and only draws from the seed's article stream, so a batch's
//! content depends only on the seed, the options and the slugs already taken, never on timing.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

use super::rng::{SeedRng, Stream};
use super::text::{self, Language, SECTIONS, SectionSpec, Story};
use crate::domain::body::{self, Block};
use crate::domain::embeds;
use crate::domain::language::search_config;
use crate::domain::revision::{Snapshot, SnapshotByline, SnapshotImage};
use crate::domain::slug;

/// Workflow states of seeded articles, with their share in thousandths.
const STATUSES: [(Status, u32); 6] = [
    (Status::Published, 900),
    (Status::Draft, 35),
    (Status::InReview, 20),
    (Status::Scheduled, 10),
    (Status::Archived, 25),
    (Status::Unpublished, 10),
];

/// How many recent published articles teaser cards and translations point at.
const RECENT: usize = 3000;

/// Batches are written two at a time, on two connections, and a pair is committed before the
/// next one starts: an article may refer (through a teaser embed or `translation_of`) to
/// articles of earlier pairs and earlier in its own batch, never to the other batch of its
/// pair, which may not be committed yet. A constant, so references do not depend on timing.
pub const BATCHES_PER_PAIR: usize = 2;

/// A workflow state, and what it implies about the article's history.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Never published, being written.
    Draft,
    /// Submitted, waiting for an editor.
    InReview,
    /// To be published by the scheduler.
    Scheduled,
    /// Live.
    Published,
    /// Was published, then archived.
    Archived,
    /// Was published, then taken down.
    Unpublished,
}

impl Status {
    /// The value of `articles.status`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::InReview => "in_review",
            Self::Scheduled => "scheduled",
            Self::Published => "published",
            Self::Archived => "archived",
            Self::Unpublished => "unpublished",
        }
    }

    fn was_published(self) -> bool {
        matches!(self, Self::Published | Self::Archived | Self::Unpublished)
    }
}

/// A seeded section: its row id and what its articles are about.
#[derive(Debug, Clone, Copy)]
pub struct SectionRef {
    /// `sections.id` (new or existing).
    pub id: Uuid,
    /// Its spec.
    pub spec: &'static SectionSpec,
}

/// A seeded author, as bylines need it.
#[derive(Debug, Clone, Copy)]
pub struct AuthorRef {
    /// `authors.id`.
    pub id: Uuid,
    /// Index in [`SECTIONS`] of the author's beat.
    pub section: usize,
    /// The language the author writes in.
    pub language: Language,
}

/// What article generation starts from.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The seed.
    pub seed: u64,
    /// How many articles.
    pub total: usize,
    /// Sections in [`SECTIONS`] order.
    pub sections: Vec<SectionRef>,
    /// Authors.
    pub authors: Vec<AuthorRef>,
    /// Photos articles may show (not the portraits).
    pub photos: Vec<Uuid>,
    /// Slugs of articles already in the database (current and historical).
    pub taken_slugs: HashSet<String>,
    /// Publication dates are spread over `span` before `anchor`.
    pub anchor: DateTime<Utc>,
    /// See `anchor`.
    pub span: Duration,
    /// The database's clock at the start: scheduled articles are due after it.
    pub now: DateTime<Utc>,
}

/// Rows of one batch, column by column, as the `unnest` inserts take them.
#[derive(Debug, Default)]
pub struct ArticleBatch {
    /// Articles in the batch.
    pub len: usize,
    /// Published ones (with a `published_articles` row).
    pub published: usize,
    /// Counts by status.
    pub statuses: HashMap<&'static str, usize>,
    /// `articles` columns.
    pub articles: ArticleColumns,
    /// `article_revisions` columns (one publish revision per article that was published).
    pub revisions: RevisionColumns,
    /// `article_authors` columns.
    pub bylines: BylineColumns,
    /// `article_slugs` columns.
    pub slugs: SlugColumns,
    /// `embeds` columns.
    pub embeds: EmbedColumns,
    /// `published_articles` columns.
    pub readers: ReaderColumns,
}

/// `articles` columns.
#[derive(Debug, Default)]
pub struct ArticleColumns {
    pub id: Vec<Uuid>,
    pub slug: Vec<String>,
    pub status: Vec<&'static str>,
    pub headline: Vec<String>,
    pub dek: Vec<Option<String>>,
    pub kicker: Vec<Option<String>>,
    pub section_id: Vec<Uuid>,
    /// Comma-separated slugs.
    pub tags: Vec<String>,
    pub language: Vec<&'static str>,
    /// JSON text.
    pub body: Vec<String>,
    pub featured_image_id: Vec<Option<Uuid>>,
    pub featured_caption: Vec<Option<String>>,
    pub featured_credit: Vec<Option<String>>,
    pub seo_title: Vec<Option<String>>,
    pub seo_description: Vec<Option<String>>,
    pub translation_of: Vec<Option<Uuid>>,
    pub word_count: Vec<i32>,
    pub reading_time_minutes: Vec<i32>,
    pub version: Vec<i32>,
    pub created_at: Vec<DateTime<Utc>>,
    pub updated_at: Vec<DateTime<Utc>>,
    pub publish_at: Vec<Option<DateTime<Utc>>>,
    pub embargo_until: Vec<Option<DateTime<Utc>>>,
    pub first_published_at: Vec<Option<DateTime<Utc>>>,
    pub published_at: Vec<Option<DateTime<Utc>>>,
    pub published_version: Vec<Option<i32>>,
    pub published_revision_id: Vec<Option<Uuid>>,
    pub review_note: Vec<Option<String>>,
}

/// `article_revisions` columns (number 1, kind `publish`).
#[derive(Debug, Default)]
pub struct RevisionColumns {
    pub id: Vec<Uuid>,
    pub article_id: Vec<Uuid>,
    /// JSON text of a [`Snapshot`].
    pub snapshot: Vec<String>,
    pub article_version: Vec<i32>,
    pub created_at: Vec<DateTime<Utc>>,
}

/// `article_authors` columns.
#[derive(Debug, Default)]
pub struct BylineColumns {
    pub article_id: Vec<Uuid>,
    pub author_id: Vec<Uuid>,
    pub position: Vec<i32>,
    pub role: Vec<Option<String>>,
}

/// `article_slugs` columns.
#[derive(Debug, Default)]
pub struct SlugColumns {
    pub slug: Vec<String>,
    pub article_id: Vec<Uuid>,
    pub created_at: Vec<DateTime<Utc>>,
}

/// `embeds` columns.
#[derive(Debug, Default)]
pub struct EmbedColumns {
    pub id: Vec<Uuid>,
    pub kind: Vec<&'static str>,
    pub label: Vec<Option<String>>,
    pub article_id: Vec<Option<Uuid>>,
    pub headline: Vec<Option<String>>,
    pub provider: Vec<Option<&'static str>>,
    pub url: Vec<Option<String>>,
    pub media_id: Vec<Option<String>>,
    pub created_at: Vec<DateTime<Utc>>,
}

/// `published_articles` columns; `search` is computed by the database.
#[derive(Debug, Default)]
pub struct ReaderColumns {
    pub article_id: Vec<Uuid>,
    pub revision_id: Vec<Uuid>,
    pub slug: Vec<String>,
    pub headline: Vec<String>,
    pub dek: Vec<Option<String>>,
    pub kicker: Vec<Option<String>>,
    pub section_id: Vec<Uuid>,
    pub tags: Vec<String>,
    pub language: Vec<&'static str>,
    /// Comma-separated ids.
    pub author_ids: Vec<String>,
    pub featured_image_id: Vec<Option<Uuid>>,
    pub first_published_at: Vec<DateTime<Utc>>,
    pub published_at: Vec<DateTime<Utc>>,
    pub word_count: Vec<i32>,
    pub reading_time_minutes: Vec<i32>,
    pub body_text: Vec<String>,
    pub search_config: Vec<&'static str>,
    pub translation_of: Vec<Option<Uuid>>,
}

/// An article that ended up published, for teaser cards and translations to point at.
#[derive(Debug, Clone, Copy)]
struct Target {
    id: Uuid,
    language: Language,
}

/// Generates articles batch by batch.
#[derive(Debug)]
pub struct Generator {
    rng: SeedRng,
    setup: Setup,
    next: usize,
    section_weights: Vec<(usize, u32)>,
    /// Authors by beat, and by language.
    by_section: Vec<Vec<usize>>,
    by_language: HashMap<Language, Vec<usize>>,
    /// Next suffix to try per slug base, so repeated headlines do not rescan.
    suffixes: HashMap<String, u32>,
    published: Vec<Target>,
    /// Batches generated so far.
    batches: usize,
    /// `published.len()` when the current pair and the current batch started.
    pair_start: usize,
    batch_start: usize,
    /// Recently created teaser embeds, to be reused as editors do.
    recent_embeds: Vec<Uuid>,
}

impl Generator {
    /// A generator for `setup`.
    pub fn new(setup: Setup) -> Self {
        let mut by_section = vec![Vec::new(); SECTIONS.len()];
        let mut by_language: HashMap<Language, Vec<usize>> = HashMap::new();
        for (i, author) in setup.authors.iter().enumerate() {
            by_section[author.section].push(i);
            by_language.entry(author.language).or_default().push(i);
        }
        Self {
            rng: SeedRng::new(setup.seed, Stream::Articles),
            setup,
            next: 0,
            section_weights: SECTIONS
                .iter()
                .enumerate()
                .map(|(i, s)| (i, s.weight))
                .collect(),
            by_section,
            by_language,
            suffixes: HashMap::new(),
            published: Vec::new(),
            batches: 0,
            pair_start: 0,
            batch_start: 0,
            recent_embeds: Vec::new(),
        }
    }

    /// Whether every article was generated.
    pub fn done(&self) -> bool {
        self.next >= self.setup.total
    }

    /// The next `size` articles (fewer at the end).
    pub fn batch(&mut self, size: usize) -> anyhow::Result<ArticleBatch> {
        let mut batch = ArticleBatch::default();
        if self.batches.is_multiple_of(BATCHES_PER_PAIR) {
            self.pair_start = self.published.len();
        }
        self.batch_start = self.published.len();
        self.batches += 1;
        let end = (self.next + size).min(self.setup.total);
        while self.next < end {
            self.article(self.next, &mut batch)?;
            self.next += 1;
        }
        Ok(batch)
    }

    fn unique_slug(&mut self, headline: &str) -> String {
        let base = slug::slugify_or(headline, "article");
        let mut n = self.suffixes.get(&base).copied().unwrap_or(1);
        loop {
            let candidate = if n == 1 {
                base.clone()
            } else {
                slug::with_suffix(&base, n)
            };
            n += 1;
            if self.setup.taken_slugs.insert(candidate.clone()) {
                self.suffixes.insert(base, n);
                return candidate;
            }
        }
    }

    /// The time slot of article `index`: articles are spread evenly, oldest first, over the
    /// span before the anchor, so every teaser can point at an older article.
    fn slot(&mut self, index: usize) -> DateTime<Utc> {
        let span = self.setup.span.num_seconds() as f64;
        let position = (index as f64 + self.rng.unit()) / self.setup.total.max(1) as f64;
        self.setup.anchor - self.setup.span + Duration::seconds((span * position) as i64)
    }

    fn minutes(&mut self, low: usize, high: usize) -> Duration {
        Duration::minutes(self.rng.between(low, high) as i64)
    }

    fn byline(&mut self, section: usize, language: Language) -> Vec<(Uuid, Option<&'static str>)> {
        let count = self.rng.weighted(&[(1usize, 70), (2, 22), (3, 8)]);
        let mut chosen: Vec<usize> = Vec::with_capacity(count);
        let total = self.setup.authors.len();
        for _ in 0..count * 4 {
            if chosen.len() == count || chosen.len() == total {
                break;
            }
            // Mostly the section's writers in the article's language; now and then anyone.
            let pool = match self.by_language.get(&language) {
                Some(pool) if language != Language::En && self.rng.chance(0.9) => pool,
                _ if !self.by_section[section].is_empty() && self.rng.chance(0.85) => {
                    &self.by_section[section]
                }
                _ => {
                    let i = self.rng.below(total);
                    if !chosen.contains(&i) {
                        chosen.push(i);
                    }
                    continue;
                }
            };
            let i = pool[self.rng.below(pool.len())];
            if !chosen.contains(&i) {
                chosen.push(i);
            }
        }
        let with_roles = chosen.len() > 1 && self.rng.chance(0.4);
        chosen
            .into_iter()
            .enumerate()
            .map(|(position, i)| {
                let role = match (with_roles, position) {
                    (false, _) => None,
                    (true, 0) => Some("reporting"),
                    (true, _) => {
                        Some(
                            self.rng
                                .pick(&["additional reporting", "photos", "analysis", "data"]),
                        )
                    }
                };
                (self.setup.authors[i].id, role)
            })
            .collect()
    }

    /// A recent published article that this batch may refer to (see [`BATCHES_PER_PAIR`]):
    /// one earlier in this batch, or one of an earlier pair.
    fn recent_target(&mut self) -> Option<Target> {
        let in_batch = self.published.len() - self.batch_start;
        let allowed = self.pair_start + in_batch;
        if allowed == 0 {
            return None;
        }
        let back = self.rng.below(allowed.min(RECENT));
        Some(if back < in_batch {
            self.published[self.published.len() - 1 - back]
        } else {
            self.published[self.pair_start - 1 - (back - in_batch)]
        })
    }

    /// An embed block's embed: usually a teaser card of a recent published article (a new
    /// embed, or one another article already uses), sometimes third-party media.
    fn embed(
        &mut self,
        language: Language,
        at: DateTime<Utc>,
        batch: &mut ArticleBatch,
    ) -> Option<Uuid> {
        if self.rng.chance(0.08) {
            return self.external_embed(at, batch);
        }
        if !self.recent_embeds.is_empty() && self.rng.chance(0.25) {
            return Some(self.rng.pick(&self.recent_embeds));
        }
        let target = self.recent_target()?;
        let id = self.rng.uuid();
        let label = text::embed_label(&mut self.rng, language);
        let headline = self.rng.chance(0.1).then(|| {
            let story = Story::new(&mut self.rng, target.language, &SECTIONS[0]);
            text::headline(&mut self.rng, &story)
        });
        let e = &mut batch.embeds;
        e.id.push(id);
        e.kind.push("article");
        e.label.push(Some(label));
        e.article_id.push(Some(target.id));
        e.headline.push(headline);
        e.provider.push(None);
        e.url.push(None);
        e.media_id.push(None);
        e.created_at.push(at);
        if self.recent_embeds.len() == 200 {
            self.recent_embeds.remove(0);
        }
        self.recent_embeds.push(id);
        Some(id)
    }

    fn external_embed(&mut self, at: DateTime<Utc>, batch: &mut ArticleBatch) -> Option<Uuid> {
        const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let provider = self.rng.below(3);
        let number = self.rng.between(1_000_000, 19_999_999);
        let mut code = |len: usize| -> String {
            (0..len)
                .map(|_| char::from(ALPHABET[self.rng.below(ALPHABET.len())]))
                .collect()
        };
        let url = match provider {
            0 => format!("https://www.youtube.com/watch?v={}", code(11)),
            1 => format!("https://datawrapper.dwcdn.net/{}/1/", code(5)),
            _ => format!("https://public.flourish.studio/visualisation/{number}/"),
        };
        // The same recognition the API applies, so the stored row is what it would store.
        let media = embeds::recognise(&url).ok()?;
        let id = self.rng.uuid();
        let e = &mut batch.embeds;
        e.id.push(id);
        e.kind.push("external");
        e.label.push(None);
        e.article_id.push(None);
        e.headline.push(None);
        e.provider.push(Some(media.provider.as_str()));
        e.url.push(Some(media.canonical_url));
        e.media_id.push(Some(media.media_id));
        e.created_at.push(at);
        Some(id)
    }

    fn photo(&mut self) -> Option<Uuid> {
        (!self.setup.photos.is_empty()).then(|| self.rng.pick(&self.setup.photos))
    }

    fn body(
        &mut self,
        story: &Story,
        created: DateTime<Utc>,
        batch: &mut ArticleBatch,
    ) -> Vec<Block> {
        // 4 to 15 blocks: up to 14 here, and a closing paragraph when the last is not one.
        let wanted = self.rng.between(4, 14);
        let mut blocks: Vec<Block> = Vec::with_capacity(wanted + 1);
        let (mut images, mut embeds) = (0, 0);
        let sentences = |rng: &mut SeedRng| rng.between(2, 5);
        let n = sentences(&mut self.rng);
        blocks.push(Block::Paragraph {
            text: text::paragraph(&mut self.rng, story, n),
        });
        while blocks.len() < wanted {
            let last_is_heading = matches!(blocks.last(), Some(Block::Heading { .. }));
            let kind = self.rng.weighted(&[
                ("paragraph", 60),
                ("heading", if last_is_heading { 0 } else { 10 }),
                ("image", if images < 2 { 6 } else { 0 }),
                ("embed", if embeds < 2 { 7 } else { 0 }),
                ("quote", 7),
                ("list", 5),
                ("divider", if last_is_heading { 0 } else { 2 }),
            ]);
            match kind {
                "heading" if blocks.len() + 1 < wanted => {
                    let level = self.rng.weighted(&[(2u8, 8), (3, 2)]);
                    blocks.push(Block::Heading {
                        level,
                        text: text::heading(&mut self.rng, story),
                    });
                }
                "image" => {
                    if let Some(image_id) = self.photo() {
                        images += 1;
                        let caption = self.rng.chance(0.5).then(|| text::caption(&mut self.rng));
                        blocks.push(Block::Image {
                            image_id,
                            caption,
                            credit: None,
                        });
                    }
                }
                "embed" => {
                    if let Some(embed_id) = self.embed(story.language(), created, batch) {
                        embeds += 1;
                        blocks.push(Block::Embed { embed_id });
                    }
                }
                "quote" => {
                    let (text, attribution) = text::quote(&mut self.rng, story);
                    blocks.push(Block::Quote {
                        text,
                        attribution: Some(attribution),
                    });
                }
                "list" if blocks.len() + 2 <= wanted => {
                    let (intro, items) = text::list(&mut self.rng, story);
                    blocks.push(Block::Paragraph { text: intro });
                    blocks.push(Block::List {
                        ordered: self.rng.chance(0.3),
                        items,
                    });
                }
                "divider" => blocks.push(Block::Divider {}),
                _ => {
                    let n = sentences(&mut self.rng);
                    blocks.push(Block::Paragraph {
                        text: text::paragraph(&mut self.rng, story, n),
                    });
                }
            }
        }
        if !matches!(blocks.last(), Some(Block::Paragraph { .. })) {
            let n = sentences(&mut self.rng);
            blocks.push(Block::Paragraph {
                text: text::paragraph(&mut self.rng, story, n),
            });
        }
        blocks
    }

    fn article(&mut self, index: usize, batch: &mut ArticleBatch) -> anyhow::Result<()> {
        let id = self.rng.uuid();
        let status = self.rng.weighted(&STATUSES);
        let section_index = self.rng.weighted(&self.section_weights);
        let section = self.setup.sections[section_index];
        let language = self.rng.weighted(&Language::WEIGHTS);
        let slot = self.slot(index);
        // Work in progress is recent; published work is spread over the whole span.
        let at = match status {
            Status::InReview | Status::Scheduled => {
                self.setup.anchor - Duration::minutes(self.rng.between(10, 14 * 24 * 60) as i64)
            }
            _ => slot,
        };
        let created_at = at - self.minutes(20, 72 * 60);

        let story = Story::new(&mut self.rng, language, section.spec);
        let headline = text::headline(&mut self.rng, &story);
        let slug = self.unique_slug(&headline);
        let dek = self
            .rng
            .chance(0.9)
            .then(|| text::dek(&mut self.rng, &story));
        let kicker = text::kicker(&mut self.rng, &story);
        let section_tags = section.spec.tags();
        let tag_count = self.rng.between(1, 4);
        let mut tags: Vec<String> = self
            .rng
            .distinct(section_tags.len(), tag_count)
            .into_iter()
            .map(|i| section_tags[i].to_owned())
            .collect();
        if language != Language::En && self.rng.chance(0.5) {
            tags.push(format!("in-{}", language.code()));
        }
        let byline = self.byline(section_index, language);
        let featured = if self.rng.chance(0.85) {
            self.photo().map(|image_id| SnapshotImage {
                image_id,
                caption: self.rng.chance(0.1).then(|| text::caption(&mut self.rng)),
                credit: self.rng.chance(0.05).then(|| "Handout".to_owned()),
            })
        } else {
            None
        };
        let blocks = self.body(&story, created_at, batch);
        let translation_of =
            if language != Language::En && status.was_published() && self.rng.chance(0.3) {
                // A recent English original, when one of the first few draws is English.
                (0..4)
                    .filter_map(|_| self.recent_target())
                    .find(|t| t.language == Language::En)
                    .map(|t| t.id)
            } else {
                None
            };
        let seo_title = self.rng.chance(0.15).then(|| headline.clone());
        let seo_description = dek.clone().filter(|_| self.rng.chance(0.15));

        // The server's own rules for what it computes.
        let words = body::word_count(&blocks);
        let word_count = i32::try_from(words)?;
        let reading_time_minutes = i32::try_from(body::reading_time_minutes(words))?;

        // Versions follow the workflow: created at 1, each edit and transition adds one.
        let edits = self.rng.weighted(&[(0i32, 50), (1, 30), (2, 15), (3, 5)]);
        let reviewed = i32::from(self.rng.chance(0.6));
        let returned = status == Status::Draft && self.rng.chance(0.15);
        let before_publish = 1 + edits + reviewed;
        let (version, published_version) = match status {
            Status::Draft => (1 + edits + if returned { 2 } else { 0 }, None),
            Status::InReview => (2 + edits, None),
            Status::Scheduled => (before_publish + 1, None),
            Status::Published => (before_publish + 1, Some(before_publish + 1)),
            Status::Archived | Status::Unpublished => {
                (before_publish + 2, Some(before_publish + 1))
            }
        };
        let review_note = returned.then(|| {
            (self.rng.pick(&[
                "Please tighten the top and check the figures in the third paragraph.",
                "Needs a second source for the quote before this can run.",
                "Good draft. Cut it by a third and add the council's response.",
            ]))
            .to_owned()
        });
        let (publish_at, embargo_until) = if status == Status::Scheduled {
            // The only timestamps that depend on the current time: they must be in the future.
            let at = self.setup.now + self.minutes(120, 14 * 24 * 60);
            (Some(at), self.rng.chance(0.2).then_some(at))
        } else {
            (None, None)
        };
        let (first_published_at, published_at) = if status.was_published() {
            (Some(at), Some(at))
        } else {
            (None, None)
        };
        let updated_at = match status {
            Status::Archived | Status::Unpublished => {
                (at + self.minutes(24 * 60, 30 * 24 * 60)).min(self.setup.anchor)
            }
            _ => at,
        };
        let revision_id = status.was_published().then(|| self.rng.uuid());

        let snapshot = Snapshot {
            headline,
            slug,
            dek,
            kicker,
            section_id: Some(section.id),
            tags,
            language: language.code().to_owned(),
            authors: byline
                .iter()
                .map(|(author_id, role)| SnapshotByline {
                    author_id: *author_id,
                    role: role.map(str::to_owned),
                })
                .collect(),
            featured_image: featured,
            body: blocks,
            seo_title,
            seo_description,
            canonical_url: None,
            translation_of,
            word_count,
            reading_time_minutes,
        };

        for (position, (author_id, role)) in byline.iter().enumerate() {
            let b = &mut batch.bylines;
            b.article_id.push(id);
            b.author_id.push(*author_id);
            b.position.push(i32::try_from(position)?);
            b.role.push(role.map(str::to_owned));
        }
        if let (Some(revision_id), Some(published_at)) = (revision_id, published_at) {
            let r = &mut batch.revisions;
            r.id.push(revision_id);
            r.article_id.push(id);
            r.snapshot.push(serde_json::to_string(&snapshot)?);
            r.article_version.push(before_publish);
            r.created_at.push(published_at);
            let s = &mut batch.slugs;
            s.slug.push(snapshot.slug.clone());
            s.article_id.push(id);
            s.created_at.push(published_at);
        }
        if let (Status::Published, Some(revision_id)) = (status, revision_id) {
            let p = &mut batch.readers;
            p.article_id.push(id);
            p.revision_id.push(revision_id);
            p.slug.push(snapshot.slug.clone());
            p.headline.push(snapshot.headline.clone());
            p.dek.push(snapshot.dek.clone());
            p.kicker.push(snapshot.kicker.clone());
            p.section_id.push(section.id);
            p.tags.push(snapshot.tags.join(","));
            p.language.push(language.code());
            p.author_ids.push(
                byline
                    .iter()
                    .map(|(id, _)| id.to_string())
                    .collect::<Vec<_>>()
                    .join(","),
            );
            p.featured_image_id
                .push(snapshot.featured_image.as_ref().map(|f| f.image_id));
            p.first_published_at.push(at);
            p.published_at.push(at);
            p.word_count.push(word_count);
            p.reading_time_minutes.push(reading_time_minutes);
            p.body_text.push(body::text(&snapshot.body));
            p.search_config.push(search_config(language.code()));
            p.translation_of.push(snapshot.translation_of);
            batch.published += 1;
            self.published.push(Target { id, language });
        }

        let a = &mut batch.articles;
        a.id.push(id);
        a.status.push(status.as_str());
        a.section_id.push(section.id);
        a.tags.push(snapshot.tags.join(","));
        a.language.push(language.code());
        a.body.push(serde_json::to_string(&snapshot.body)?);
        a.featured_image_id
            .push(snapshot.featured_image.as_ref().map(|f| f.image_id));
        a.featured_caption.push(
            snapshot
                .featured_image
                .as_ref()
                .and_then(|f| f.caption.clone()),
        );
        a.featured_credit.push(
            snapshot
                .featured_image
                .as_ref()
                .and_then(|f| f.credit.clone()),
        );
        a.translation_of.push(snapshot.translation_of);
        a.word_count.push(word_count);
        a.reading_time_minutes.push(reading_time_minutes);
        a.version.push(version);
        a.created_at.push(created_at);
        a.updated_at.push(updated_at);
        a.publish_at.push(publish_at);
        a.embargo_until.push(embargo_until);
        a.first_published_at.push(first_published_at);
        a.published_at.push(published_at);
        a.published_version.push(published_version);
        a.published_revision_id.push(revision_id);
        a.review_note.push(review_note);
        a.slug.push(snapshot.slug);
        a.headline.push(snapshot.headline);
        a.dek.push(snapshot.dek);
        a.kicker.push(snapshot.kicker);
        a.seo_title.push(snapshot.seo_title);
        a.seo_description.push(snapshot.seo_description);

        batch.len += 1;
        *batch.statuses.entry(status.as_str()).or_default() += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup(total: usize) -> Setup {
        let sections = SECTIONS
            .iter()
            .map(|spec| SectionRef {
                id: Uuid::new_v4(),
                spec,
            })
            .collect();
        let authors = (0..12)
            .map(|i| AuthorRef {
                id: Uuid::new_v4(),
                section: i % SECTIONS.len(),
                language: Language::WEIGHTS[i % 5].0,
            })
            .collect();
        let anchor = DateTime::from_timestamp(1_793_491_200, 0).unwrap();
        Setup {
            seed: 9,
            total,
            sections,
            authors,
            photos: vec![Uuid::new_v4(), Uuid::new_v4()],
            taken_slugs: HashSet::new(),
            anchor,
            span: Duration::days(365),
            now: anchor,
        }
    }

    #[test]
    fn batches_are_consistent_row_sets() {
        let mut generator = Generator::new(setup(600));
        let mut slugs = HashSet::new();
        let mut batches: Vec<HashSet<Uuid>> = Vec::new();
        while !generator.done() {
            let batch = generator.batch(100).unwrap();
            // Nothing refers to the other batch of its pair, which may not be committed yet.
            let mate: HashSet<Uuid> = match batches.len() % BATCHES_PER_PAIR {
                1 => batches[batches.len() - 1].clone(),
                _ => HashSet::new(),
            };
            let targets = batch.embeds.article_id.iter().flatten();
            let originals = batch.articles.translation_of.iter().flatten();
            for target in targets.chain(originals) {
                assert!(!mate.contains(target), "refers to the pair's other batch");
            }
            batches.push(batch.articles.id.iter().copied().collect());
            let a = &batch.articles;
            assert_eq!(a.id.len(), batch.len);
            assert_eq!(a.review_note.len(), batch.len);
            assert_eq!(batch.readers.body_text.len(), batch.published);
            assert!(batch.revisions.id.len() >= batch.published);
            assert_eq!(batch.slugs.slug.len(), batch.revisions.id.len());
            for (i, slug) in a.slug.iter().enumerate() {
                assert!(slug::is_valid(slug), "{slug}");
                assert!(slugs.insert(slug.clone()), "repeated slug {slug}");
                let blocks: Vec<Block> = serde_json::from_str(&a.body[i]).unwrap();
                assert!((4..=15).contains(&blocks.len()), "{}", blocks.len());
                assert_eq!(a.word_count[i] as usize, body::word_count(&blocks));
                match a.status[i] {
                    "scheduled" => assert!(a.publish_at[i].unwrap() > generator.setup.now),
                    "published" => {
                        assert_eq!(a.published_version[i], Some(a.version[i]));
                        assert!(a.published_revision_id[i].is_some());
                    }
                    _ => {}
                }
            }
            for snapshot in &batch.revisions.snapshot {
                let parsed: Snapshot = serde_json::from_str(snapshot).unwrap();
                assert!(!parsed.authors.is_empty());
            }
        }
    }

    #[test]
    fn the_same_seed_generates_the_same_articles() {
        let headlines = |setup: Setup| {
            let mut generator = Generator::new(setup);
            let batch = generator.batch(50).unwrap();
            (batch.articles.id, batch.articles.slug, batch.articles.body)
        };
        let one = setup(50);
        let mut two = one.clone();
        two.taken_slugs.clear();
        assert_eq!(headlines(one), headlines(two));
    }
}
