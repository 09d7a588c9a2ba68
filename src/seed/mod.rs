//! `newsroom seed`: a realistic generated newsroom for benchmarks and demos — sections,
//! authors, an image library with real files, and articles in every workflow state, the
//! published ones recorded exactly as publishing through the API records them.
//!
//! Deterministic: the same `--seed` into the same starting database gives the same ids, slugs,
//! texts, pictures and timestamps. Publication times are spread over three years before a fixed
//! anchor ([`ANCHOR`]); only scheduled articles depend on the current time, since they must be
//! due in the future. Seeding again with a seed already used in the database is refused before
//! anything is written (its first images or authors exist); another seed adds another set.
//!
//! Seeding writes to the database directly, in batches, and bypasses the API's side effects:
//! no webhook events, no per-row audit entries (one `database.seed` entry records the run), no
//! cache invalidation for running instances.

mod articles;
mod pictures;
mod rng;
mod store;
pub mod text;

use std::collections::HashSet;
use std::time::{Duration as StdDuration, Instant};

use anyhow::Context;
use bytes::Bytes;
use chrono::{DateTime, Duration, Utc};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use self::articles::{ArticleBatch, AuthorRef, Generator, SectionRef, Setup};
use self::pictures::Kind;
use self::rng::{SeedRng, Stream};
use self::store::{ROWS_PER_INSERT, SeedAuthor, SeedImage, SeedSection};
use self::text::{Language, SECTIONS};
use crate::audit::AuditContext;
use crate::config::Config;
use crate::db;
use crate::domain::slug;
use crate::media::store::{MediaStore, original_key};

/// Publication dates end here (2026-11-01T00:00:00Z), so runs are reproducible.
pub const ANCHOR: i64 = 1_793_491_200;
/// How far back publication dates go.
const SPAN_DAYS: i64 = 3 * 365;
/// Articles per transaction.
const ARTICLES_PER_BATCH: usize = 1000;
/// Pictures rendered between two inserts.
const PICTURES_PER_BATCH: usize = 32;
/// Most articles one run writes.
pub const MAX_ARTICLES: usize = 1_000_000;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeedOptions {
    /// Articles, in every workflow state (about 90% published).
    pub articles: usize,
    /// Author profiles (at least one when there are articles: every article has a byline).
    pub authors: usize,
    /// Images in the library, files included (some are authors' portraits).
    pub images: usize,
    /// The seed of every random choice.
    pub seed: u64,
}

impl Default for SeedOptions {
    fn default() -> Self {
        Self {
            articles: 1000,
            authors: 50,
            images: 100,
            seed: 42,
        }
    }
}

/// A stage of seeding, for progress reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Rendering, storing and recording images.
    Images,
    /// Recording authors.
    Authors,
    /// Generating and recording articles.
    Articles,
}

impl Phase {
    /// A short name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Images => "images",
            Self::Authors => "authors",
            Self::Articles => "articles",
        }
    }
}

/// Where progress is reported (a progress bar, a log, or nowhere).
pub trait Progress: Send {
    /// `phase` starts with `total` items to write.
    fn start(&mut self, _phase: Phase, _total: u64) {}
    /// `done` items of `phase` are written (and committed).
    fn advance(&mut self, _phase: Phase, _done: u64) {}
    /// `phase` is complete.
    fn finish(&mut self, _phase: Phase) {}
}

/// Reports nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct Quiet;

impl Progress for Quiet {}

/// What a run wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedReport {
    /// The seed used.
    pub seed: u64,
    /// Sections created (others of the same slug already existed and were used).
    pub sections_created: usize,
    /// Image records.
    pub images: usize,
    /// Files written to the media store (the rest were there already).
    pub files_stored: usize,
    /// Authors.
    pub authors: usize,
    /// Articles.
    pub articles: usize,
    /// Of which published (with a readers' row).
    pub published: usize,
    /// Drafts.
    pub drafts: usize,
    /// In review.
    pub in_review: usize,
    /// Scheduled.
    pub scheduled: usize,
    /// Archived.
    pub archived: usize,
    /// Unpublished.
    pub unpublished: usize,
    /// Revisions (one per article that was ever published).
    pub revisions: usize,
    /// Byline entries.
    pub bylines: usize,
    /// Embeds created.
    pub embeds: usize,
    /// Time taken.
    pub elapsed: StdDuration,
}

impl std::fmt::Display for SeedReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "seeded {} articles ({} published, {} drafts, {} in review, {} scheduled, {} archived, \
             {} unpublished), {} authors, {} images ({} new files), {} embeds, {} new sections \
             with seed {} in {:.1} s",
            self.articles,
            self.published,
            self.drafts,
            self.in_review,
            self.scheduled,
            self.archived,
            self.unpublished,
            self.authors,
            self.images,
            self.files_stored,
            self.embeds,
            self.sections_created,
            self.seed,
            self.elapsed.as_secs_f64()
        )
    }
}

/// A planned image: its row (without the file's facts yet) and the picture to render.
struct PlannedImage {
    id: Uuid,
    design: pictures::Design,
    caption: String,
    credit: String,
    photographer: String,
    source: &'static str,
    license: &'static str,
    illustrative: bool,
    focal: Option<(f64, f64)>,
    created_at: DateTime<Utc>,
}

fn anchor() -> anyhow::Result<DateTime<Utc>> {
    DateTime::from_timestamp(ANCHOR, 0).context("the anchor date")
}

/// Fills the database `config` names (creating and migrating it first, as `serve` does) and
/// its media store with generated data. See the module documentation.
pub async fn run(
    config: &Config,
    options: &SeedOptions,
    progress: &mut dyn Progress,
) -> anyhow::Result<SeedReport> {
    let started = Instant::now();
    anyhow::ensure!(
        options.articles <= MAX_ARTICLES,
        "--articles: at most {MAX_ARTICLES}"
    );
    anyhow::ensure!(
        options.articles == 0 || options.authors > 0,
        "--authors: articles need at least one author for their bylines"
    );
    db::ensure_database(&config.database_url).await?;
    db::migrate(&config.database_url).await?;
    let media = MediaStore::from_config(config)?;
    let mut conn = connect(config).await?;
    let anchor = anchor()?;
    let span = Duration::days(SPAN_DAYS);
    let mut report = SeedReport {
        seed: options.seed,
        ..SeedReport::default()
    };

    let (sections, new_sections) = plan_sections(&mut conn, options.seed, anchor - span).await?;
    let portraits = (options.authors * 2 / 5).min(options.images / 4);
    let images = plan_images(options, portraits, anchor - span);
    let (authors, author_rows) = plan_authors(
        &mut conn,
        options,
        &images[..portraits.min(images.len())],
        anchor - span,
    )
    .await?;
    let image_ids: Vec<Uuid> = images.iter().map(|i| i.id).collect();
    let author_ids: Vec<Uuid> = authors.iter().map(|a| a.id).collect();
    if let Some((kind, id)) = store::first_existing(&mut conn, &image_ids, &author_ids).await? {
        anyhow::bail!(
            "seed {} was already used in this database (its {kind} {id} exists); nothing was \
             written. Seed a fresh database, or pass another --seed to add another set",
            options.seed
        );
    }

    report.sections_created = new_sections.len();
    store::insert_sections(&mut conn, &new_sections).await?;
    report.files_stored = store_images(&mut conn, &media, images, progress).await?;
    report.images = image_ids.len();

    progress.start(Phase::Authors, author_rows.len() as u64);
    for (i, chunk) in author_rows.chunks(ROWS_PER_INSERT).enumerate() {
        store::insert_authors(&mut conn, chunk).await?;
        progress.advance(Phase::Authors, (i * ROWS_PER_INSERT + chunk.len()) as u64);
    }
    progress.finish(Phase::Authors);
    report.authors = author_rows.len();

    let photos: Vec<Uuid> = image_ids.get(portraits..).unwrap_or_default().to_vec();
    let setup = Setup {
        seed: options.seed,
        total: options.articles,
        sections,
        authors,
        photos: if photos.is_empty() { image_ids } else { photos },
        taken_slugs: store::taken_article_slugs(&mut conn).await?,
        anchor,
        span,
        now: db::now(&mut conn).await?,
    };
    let buffered = store::buffer_gin_entries(&mut conn).await?;
    let written = write_articles(config, &mut conn, setup, progress, &mut report).await;
    // Restored whether or not the articles were all written: a failed run leaves the indexes
    // as the migrations set them.
    store::write_gin_entries_directly(&mut conn, &buffered).await?;
    written?;

    // Fresh statistics, so that queries run right after seeding are planned for the data that
    // is there, and the GIN pending lists of the load merged (searches scan them until then).
    diesel::sql_query(
        "VACUUM ANALYZE sections, images, authors, articles, article_revisions, \
         article_authors, article_slugs, embeds, published_articles",
    )
    .execute(&mut conn)
    .await
    .context("analyzing the seeded tables")?;
    report.elapsed = started.elapsed();
    db::audit::append(
        &mut conn,
        &AuditContext::system().entry(
            "database.seed",
            "database",
            None,
            json!({
                "seed": options.seed, "articles": report.articles, "authors": report.authors,
                "images": report.images, "published": report.published,
            }),
        ),
    )
    .await?;
    Ok(report)
}

/// The newsroom's sections: existing ones (by slug) are used as they are.
async fn plan_sections(
    conn: &mut AsyncPgConnection,
    seed: u64,
    created_at: DateTime<Utc>,
) -> anyhow::Result<(Vec<SectionRef>, Vec<SeedSection>)> {
    let existing = store::sections_by_slug(conn).await?;
    let mut rng = SeedRng::new(seed, Stream::Sections);
    let mut refs = Vec::with_capacity(SECTIONS.len());
    let mut new = Vec::new();
    for (position, spec) in SECTIONS.iter().enumerate() {
        // Drawn whether used or not, so that later ids do not depend on what exists.
        let fresh = rng.uuid();
        let id = match existing.get(spec.slug) {
            Some(id) => *id,
            None => {
                new.push(SeedSection {
                    id: fresh,
                    name: spec.name,
                    slug: spec.slug,
                    description: Some(spec.description),
                    position: i32::try_from(position)?,
                    created_at,
                    updated_at: created_at,
                });
                fresh
            }
        };
        refs.push(SectionRef { id, spec });
    }
    Ok((refs, new))
}

/// The image library: the first `portraits` are authors' portraits, the rest photos.
fn plan_images(
    options: &SeedOptions,
    portraits: usize,
    before: DateTime<Utc>,
) -> Vec<PlannedImage> {
    let mut rng = SeedRng::new(options.seed, Stream::Images);
    (0..options.images)
        .map(|i| {
            let kind = if i < portraits {
                Kind::Portrait
            } else {
                Kind::Photo
            };
            let id = rng.uuid();
            let design = pictures::design(&mut rng, kind);
            let photographer = text::person_name(&mut rng, Language::En);
            let source = text::agency(&mut rng);
            let credit = if source == "Freelance" || source == "Newsroom staff" {
                photographer.clone()
            } else {
                format!("{photographer} / {source}")
            };
            PlannedImage {
                id,
                design,
                caption: text::caption(&mut rng),
                credit,
                photographer,
                source,
                license: text::license(&mut rng),
                illustrative: kind == Kind::Photo && rng.chance(0.15),
                focal: rng
                    .chance(0.3)
                    .then(|| (rng.unit() * 0.6 + 0.2, rng.unit() * 0.6 + 0.2)),
                created_at: before - Duration::minutes((options.images - i) as i64 * 7),
            }
        })
        .collect()
}

/// Renders pictures (on blocking threads, two at a time), stores new files under their
/// content-addressed key as an upload does, and records the images. Returns the files written.
async fn store_images(
    conn: &mut AsyncPgConnection,
    media: &MediaStore,
    images: Vec<PlannedImage>,
    progress: &mut dyn Progress,
) -> anyhow::Result<usize> {
    progress.start(Phase::Images, images.len() as u64);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut stored = 0;
    let mut done = 0;
    let mut images = images.into_iter().peekable();
    while images.peek().is_some() {
        let planned: Vec<PlannedImage> = images.by_ref().take(PICTURES_PER_BATCH).collect();
        let designs: Vec<pictures::Design> = planned.iter().map(|p| p.design.clone()).collect();
        let per_worker = designs.len().div_ceil(workers);
        let tasks: Vec<_> = designs
            .chunks(per_worker.max(1))
            .map(|chunk| {
                let chunk = chunk.to_vec();
                tokio::task::spawn_blocking(move || {
                    chunk
                        .iter()
                        .map(pictures::Design::render)
                        .collect::<anyhow::Result<Vec<_>>>()
                })
            })
            .collect();
        let mut rendered = Vec::with_capacity(planned.len());
        for task in tasks {
            rendered.extend(task.await.context("a picture task failed")??);
        }
        let mut rows = Vec::with_capacity(planned.len());
        for (plan, picture) in planned.into_iter().zip(rendered) {
            let sha256: String = Sha256::digest(&picture.bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            let key = original_key(&sha256);
            if !media.exists(&key).await? {
                media.put(&key, Bytes::from(picture.bytes.clone())).await?;
                stored += 1;
            }
            rows.push(SeedImage {
                id: plan.id,
                sha256,
                mime_type: picture.mime_type,
                width: i32::try_from(picture.width)?,
                height: i32::try_from(picture.height)?,
                byte_size: i64::try_from(picture.bytes.len())?,
                alt_text: Some(picture.description),
                caption: Some(plan.caption),
                credit: Some(plan.credit),
                photographer: Some(plan.photographer),
                source: Some(plan.source.to_owned()),
                license: Some(plan.license.to_owned()),
                illustrative: plan.illustrative,
                focal_x: plan.focal.map(|f| f.0),
                focal_y: plan.focal.map(|f| f.1),
                created_at: plan.created_at,
                updated_at: plan.created_at,
            });
        }
        // The files are in place before the rows that point at them become visible.
        store::insert_images(conn, &rows).await?;
        done += rows.len();
        progress.advance(Phase::Images, done as u64);
    }
    progress.finish(Phase::Images);
    Ok(stored)
}

/// Authors spread over the sections' beats and the languages; some have portraits.
async fn plan_authors(
    conn: &mut AsyncPgConnection,
    options: &SeedOptions,
    portraits: &[PlannedImage],
    before: DateTime<Utc>,
) -> anyhow::Result<(Vec<AuthorRef>, Vec<SeedAuthor>)> {
    let mut taken: HashSet<String> = store::taken_author_slugs(conn).await?;
    let mut rng = SeedRng::new(options.seed, Stream::Authors);
    let weights: Vec<(usize, u32)> = SECTIONS
        .iter()
        .enumerate()
        .map(|(i, s)| (i, s.weight))
        .collect();
    let mut refs = Vec::with_capacity(options.authors);
    let mut rows = Vec::with_capacity(options.authors);
    for i in 0..options.authors {
        let id = rng.uuid();
        // Every section has writers before any has two.
        let section = if i < SECTIONS.len() {
            i
        } else {
            rng.weighted(&weights)
        };
        let spec = &SECTIONS[section];
        let language = rng.weighted(&Language::WEIGHTS);
        let name = text::person_name(&mut rng, language);
        let base = slug::slugify_or(&name, "author");
        let author_slug = slug::candidates(&base)
            .find(|c| !taken.contains(c))
            .unwrap_or_else(|| format!("{base}-{}", id.simple()));
        taken.insert(author_slug.clone());
        let job_title = text::job_title(&mut rng, spec);
        let location = text::location(&mut rng);
        let bio = text::bio(&mut rng, &name, &job_title, &location, spec);
        let handle = author_slug.replace('-', "");
        let mut links = vec![json!({
            "label": "Web site", "url": format!("https://www.example.org/people/{author_slug}"),
        })];
        if rng.chance(0.5) {
            links.push(json!({
                "label": "Mastodon", "url": format!("https://social.example.org/@{handle}"),
            }));
        }
        let avatar_image_id = portraits.get(i).map(|p| p.id);
        rows.push(SeedAuthor {
            id,
            name,
            slug: author_slug,
            job_title: Some(job_title),
            bio: Some(bio),
            location: Some(location),
            avatar_image_id,
            email: rng
                .chance(0.7)
                .then(|| format!("{handle}@newsroom.example.org")),
            links: serde_json::Value::Array(links),
            active: rng.chance(0.95),
            created_at: before - Duration::days((options.authors - i) as i64),
            updated_at: before,
        });
        refs.push(AuthorRef {
            id,
            section,
            language,
        });
    }
    Ok((refs, rows))
}

/// Generates article batches on a blocking thread while earlier ones are written: a pair of
/// batches at a time, on two connections (PostgreSQL works one core per connection), each batch
/// in its own transaction. See [`articles::BATCHES_PER_PAIR`] for what a batch may refer to.
async fn write_articles(
    config: &Config,
    conn: &mut AsyncPgConnection,
    setup: Setup,
    progress: &mut dyn Progress,
    report: &mut SeedReport,
) -> anyhow::Result<()> {
    let total = setup.total;
    progress.start(Phase::Articles, total as u64);
    let mut other = connect(config).await?;
    let (sender, mut receiver) = tokio::sync::mpsc::channel::<anyhow::Result<ArticleBatch>>(2);
    let generating = tokio::task::spawn_blocking(move || {
        let mut generator = Generator::new(setup);
        while !generator.done() {
            let batch = generator.batch(ARTICLES_PER_BATCH);
            let failed = batch.is_err();
            // A closed channel means the writer stopped: stop too.
            if sender.blocking_send(batch).is_err() || failed {
                break;
            }
        }
    });
    let mut written = 0;
    while let Some(first) = receiver.recv().await {
        let first = first?;
        // The pair's second batch (`articles::BATCHES_PER_PAIR`), unless that was the last.
        let second = receiver.recv().await.transpose()?;
        let (one, two) = tokio::join!(write_batch(conn, &first), async {
            match &second {
                Some(batch) => write_batch(&mut other, batch).await,
                None => Ok(()),
            }
        });
        one?;
        two?;
        for batch in std::iter::once(&first).chain(&second) {
            written += batch.len;
            report.count(batch);
        }
        progress.advance(Phase::Articles, written as u64);
    }
    generating.await.context("the article generator failed")?;
    anyhow::ensure!(written == total, "generated {written} of {total} articles");
    progress.finish(Phase::Articles);
    Ok(())
}

async fn write_batch(conn: &mut AsyncPgConnection, batch: &ArticleBatch) -> anyhow::Result<()> {
    conn.transaction::<_, anyhow::Error, _>(async |conn| {
        store::insert_batch(conn, batch)
            .await
            .context("writing a batch of articles")
    })
    .await
}

impl SeedReport {
    fn count(&mut self, batch: &ArticleBatch) {
        self.articles += batch.len;
        self.published += batch.published;
        self.revisions += batch.revisions.id.len();
        self.bylines += batch.bylines.article_id.len();
        self.embeds += batch.embeds.id.len();
        let count = |status: &str| batch.statuses.get(status).copied().unwrap_or_default();
        self.drafts += count("draft");
        self.in_review += count("in_review");
        self.scheduled += count("scheduled");
        self.archived += count("archived");
        self.unpublished += count("unpublished");
    }
}

/// A connection for bulk writes.
async fn connect(config: &Config) -> anyhow::Result<AsyncPgConnection> {
    let mut conn = AsyncPgConnection::establish(&config.database_url)
        .await
        .context("connecting to the database")?;
    // Bulk loading: a crash loses at most the last commits instead of waiting for each flush.
    diesel::sql_query("SET synchronous_commit = off")
        .execute(&mut conn)
        .await?;
    // Bodies, snapshots and search vectors are compressed as they are written; lz4 does that
    // several times faster than PostgreSQL's default pglz. A server built without lz4 refuses
    // the setting, and the default stays.
    if let Err(e) = diesel::sql_query("SET default_toast_compression = lz4")
        .execute(&mut conn)
        .await
    {
        tracing::debug!(error = %e, "lz4 compression unavailable; using the default");
    }
    Ok(conn)
}
