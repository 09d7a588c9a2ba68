//! An in-process cache of public answers, bounded by memory, emptied whenever published content
//! changes on any instance (PostgreSQL `LISTEN/NOTIFY`, see `workers::invalidation`).
//!
//! Correctness over hit rate: an answer is stored only under the generation that was current
//! when its request began, and a change bumps the generation, so an answer rendered from data
//! read before a change can never be served after the change is known. While the notification
//! connection is down nothing is served from the cache at all.
//!
//! Misses are coalesced: right after a publish empties the cache, a breaking story's readers
//! all ask for the same few pages at once, and one request per page renders while the others
//! wait for its answer instead of each running the same queries.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderMap};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{HttpResponse, web};

use super::caching::etag_matches;

/// Says whether an answer came from this instance's cache, for operators and tests.
const X_CACHE: header::HeaderName = header::HeaderName::from_static("x-cache");
const HIT: header::HeaderValue = header::HeaderValue::from_static("HIT");
const MISS: header::HeaderValue = header::HeaderValue::from_static("MISS");

/// A stored answer.
#[derive(Debug)]
pub struct Entry {
    generation: u64,
    stored: Instant,
    headers: HeaderMap,
    body: Bytes,
}

#[derive(Clone)]
struct ByBytes;

impl quick_cache::Weighter<String, Arc<Entry>> for ByBytes {
    fn weight(&self, key: &String, entry: &Arc<Entry>) -> u64 {
        // Headers and bookkeeping cost a few hundred bytes whatever the body.
        (key.len() + entry.body.len() + 512) as u64
    }
}

/// Serialised public answers by path and query.
pub struct ResponseCache {
    entries: quick_cache::sync::Cache<String, Arc<Entry>, ByBytes>,
    generation: AtomicU64,
    live: AtomicBool,
    ttl: Duration,
    /// Keys being rendered now; the channel closes when the render is over.
    rendering: Mutex<HashMap<String, tokio::sync::watch::Receiver<()>>>,
    waiting: AtomicUsize,
}

/// What a request that missed the cache does.
enum Miss<'a> {
    /// Renders the answer; others asking meanwhile wait until this is dropped.
    Render(Rendering<'a>),
    /// Waits for another request's render of the same key.
    Wait(tokio::sync::watch::Receiver<()>),
    /// Renders without telling anyone (nothing is stored while changes are not heard).
    Alone,
}

/// A render in progress: dropping it (stored, not cacheable, failed or cancelled) wakes the
/// requests waiting for it.
struct Rendering<'a> {
    cache: &'a ResponseCache,
    key: String,
    _done: tokio::sync::watch::Sender<()>,
}

impl Drop for Rendering<'_> {
    fn drop(&mut self) {
        if let Ok(mut rendering) = self.cache.rendering.lock() {
            rendering.remove(&self.key);
        }
    }
}

/// Counts a request as waiting while it lives.
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn new(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::Relaxed);
        Self(count)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl ResponseCache {
    /// A cache holding up to `capacity_bytes` of answers, none older than `ttl` (a backstop:
    /// invalidation is by notification).
    pub fn new(capacity_bytes: u64, ttl: Duration) -> Self {
        let estimated_items = usize::try_from(capacity_bytes / 8_192).unwrap_or(1).max(64);
        Self {
            entries: quick_cache::sync::Cache::with_weighter(
                estimated_items,
                capacity_bytes,
                ByBytes,
            ),
            generation: AtomicU64::new(0),
            live: AtomicBool::new(false),
            ttl,
            rendering: Mutex::new(HashMap::new()),
            waiting: AtomicUsize::new(0),
        }
    }

    /// Requests waiting for another request's render of the same answer.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Relaxed)
    }

    /// Bytes of answers held.
    pub fn weight(&self) -> u64 {
        self.entries.weight()
    }

    /// Whether this miss renders or waits for a render already under way.
    fn miss(&self, key: &str) -> Miss<'_> {
        if !self.live.load(Ordering::Acquire) {
            return Miss::Alone;
        }
        let Ok(mut rendering) = self.rendering.lock() else {
            return Miss::Alone;
        };
        if let Some(done) = rendering.get(key) {
            return Miss::Wait(done.clone());
        }
        let (done, receiver) = tokio::sync::watch::channel(());
        rendering.insert(key.to_owned(), receiver);
        Miss::Render(Rendering {
            cache: self,
            key: key.to_owned(),
            _done: done,
        })
    }

    /// The current generation; take it before reading the database.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Forgets every answer: something readers see has changed.
    pub fn invalidate_all(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.entries.clear();
    }

    /// Whether changes are being heard; the cache is used only while they are.
    pub fn set_live(&self, live: bool) {
        self.live.store(live, Ordering::Release);
        self.invalidate_all();
    }

    fn get(&self, key: &str) -> Option<Arc<Entry>> {
        if !self.live.load(Ordering::Acquire) {
            return None;
        }
        self.entries
            .get(key)
            .filter(|e| e.generation == self.generation() && e.stored.elapsed() < self.ttl)
    }

    fn insert(&self, key: String, generation: u64, headers: HeaderMap, body: Bytes) {
        if !self.live.load(Ordering::Acquire) || generation != self.generation() {
            return;
        }
        let entry = Entry {
            generation,
            stored: Instant::now(),
            headers,
            body,
        };
        self.entries.insert(key, Arc::new(entry));
    }
}

/// Public answers worth keeping: reads of the public API except image bytes (stored and
/// served by the media store) and previews (a draft for one token holder).
fn cacheable(req: &ServiceRequest) -> bool {
    let path = req.path();
    req.method() == actix_web::http::Method::GET
        && path.starts_with("/api/v1/public/")
        && !path.starts_with("/api/v1/public/images/")
        && !path.starts_with("/api/v1/public/preview/")
}

fn respond(entry: &Entry, if_none_match: Option<&str>) -> HttpResponse {
    let etag = entry
        .headers
        .get(header::ETAG)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let not_modified = if_none_match.is_some_and(|inm| etag_matches(inm, etag));
    let mut response = HttpResponse::build(if not_modified {
        StatusCode::NOT_MODIFIED
    } else {
        StatusCode::OK
    });
    for (name, value) in &entry.headers {
        if !(not_modified && name == header::CONTENT_TYPE) {
            response.insert_header((name.clone(), value.clone()));
        }
    }
    if not_modified {
        response.finish()
    } else {
        response.body(entry.body.clone())
    }
}

/// Serves cacheable requests from the cache, and stores the `200` answers (those with an
/// `ETag`) it had to render. Conditional requests are answered here, so a 304 costs a lookup.
pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let cache = req
        .app_data::<web::Data<crate::startup::AppState>>()
        .map(|state| state.cache.clone());
    let Some(cache) = cache else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    };
    if !cacheable(&req) {
        let writes = !matches!(req.method().as_str(), "GET" | "HEAD" | "OPTIONS");
        let res = next.call(req).await?;
        // This instance's own writes show at once on it (read-your-writes for the editor who
        // just published); other instances hear of them by notification.
        if writes && res.status().is_success() {
            cache.invalidate_all();
        }
        return Ok(res.map_into_boxed_body());
    }
    let key = format!("{}?{}", req.path(), req.query_string());
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if let Some(entry) = cache.get(&key) {
        return Ok(hit(req, &entry, if_none_match.as_deref()));
    }
    let generation = cache.generation();
    let rendering = match cache.miss(&key) {
        Miss::Render(rendering) => Some(rendering),
        Miss::Alone => None,
        Miss::Wait(mut done) => {
            let _waiting = Waiting::new(&cache.waiting);
            // Closed when the render is over, whatever its outcome.
            let _ = done.changed().await;
            if let Some(entry) = cache.get(&key) {
                return Ok(hit(req, &entry, if_none_match.as_deref()));
            }
            // Not stored (an error, a redirect, or a change meanwhile): render this one too.
            None
        }
    };
    // The full answer is what gets stored; the condition is applied to it below.
    req.headers_mut().remove(header::IF_NONE_MATCH);
    let res = next.call(req).await?;
    if res.status() != StatusCode::OK || !res.headers().contains_key(header::ETAG) {
        return Ok(res.map_into_boxed_body());
    }
    let (http_req, res) = res.into_parts();
    let headers = res.headers().clone();
    let body = actix_web::body::to_bytes(res.into_body())
        .await
        .map_err(|_| actix_web::error::ErrorInternalServerError("reading a rendered answer"))?;
    let entry = Entry {
        generation,
        stored: Instant::now(),
        headers,
        body,
    };
    let mut response = respond(&entry, if_none_match.as_deref());
    response.headers_mut().insert(X_CACHE, MISS);
    cache.insert(key, generation, entry.headers, entry.body);
    // Stored first, then the waiters woken to find it.
    drop(rendering);
    Ok(ServiceResponse::new(http_req, response))
}

fn hit(req: ServiceRequest, entry: &Entry, if_none_match: Option<&str>) -> ServiceResponse {
    let mut response = respond(entry, if_none_match);
    response.headers_mut().insert(X_CACHE, HIT);
    req.into_response(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers() -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(header::ETAG, header::HeaderValue::from_static("\"abc\""));
        h
    }

    #[test]
    fn nothing_is_served_until_changes_are_heard() {
        let cache = ResponseCache::new(1 << 20, Duration::from_secs(60));
        cache.insert("k".into(), cache.generation(), headers(), Bytes::from("x"));
        assert!(cache.get("k").is_none());
        cache.set_live(true);
        cache.insert("k".into(), cache.generation(), headers(), Bytes::from("x"));
        assert_eq!(cache.get("k").unwrap().body, "x");
        cache.set_live(false);
        assert!(cache.get("k").is_none());
    }

    #[test]
    fn an_answer_rendered_before_a_change_is_never_stored_after_it() {
        let cache = ResponseCache::new(1 << 20, Duration::from_secs(60));
        cache.set_live(true);
        let before = cache.generation();
        cache.invalidate_all();
        cache.insert("k".into(), before, headers(), Bytes::from("old"));
        assert!(cache.get("k").is_none());
        cache.insert(
            "k".into(),
            cache.generation(),
            headers(),
            Bytes::from("new"),
        );
        cache.invalidate_all();
        assert!(cache.get("k").is_none());
    }

    #[test]
    fn old_answers_expire() {
        let cache = ResponseCache::new(1 << 20, Duration::ZERO);
        cache.set_live(true);
        cache.insert("k".into(), cache.generation(), headers(), Bytes::from("x"));
        assert!(cache.get("k").is_none());
    }

    #[tokio::test]
    async fn a_miss_under_way_makes_others_wait_for_it() {
        let cache = ResponseCache::new(1 << 20, Duration::from_secs(60));
        assert!(matches!(cache.miss("k"), Miss::Alone));
        cache.set_live(true);
        let Miss::Render(rendering) = cache.miss("k") else {
            panic!("the first miss renders");
        };
        let Miss::Wait(mut done) = cache.miss("k") else {
            panic!("a second miss waits");
        };
        assert!(matches!(cache.miss("other"), Miss::Render(_)));
        cache.insert("k".into(), cache.generation(), headers(), Bytes::from("x"));
        drop(rendering);
        assert!(done.changed().await.is_err(), "the wait is over");
        assert_eq!(cache.get("k").unwrap().body, "x");
        assert!(
            matches!(cache.miss("k"), Miss::Render(_)),
            "no render is left behind"
        );
    }

    #[test]
    fn conditional_requests_get_304_without_a_body() {
        let entry = Entry {
            generation: 0,
            stored: Instant::now(),
            headers: headers(),
            body: Bytes::from("x"),
        };
        assert_eq!(respond(&entry, Some("\"abc\"")).status(), 304);
        assert_eq!(respond(&entry, Some("W/\"abc\"")).status(), 304);
        assert_eq!(respond(&entry, Some("\"zzz\"")).status(), 200);
        assert_eq!(respond(&entry, None).status(), 200);
    }
}
