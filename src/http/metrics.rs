//! Prometheus metrics: request counts and latency by route template and status, pool usage.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::web;
use prometheus::{Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGauge, Opts, Registry};

/// The metric families of one API instance.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    pool_size: IntGauge,
    pool_available: IntGauge,
    pool_waiting: IntGauge,
    pool_max: IntGauge,
    cache_waiting: IntGauge,
    cache_bytes: IntGauge,
}

impl Metrics {
    /// Registers every family on a fresh registry.
    pub fn new() -> anyhow::Result<Self> {
        let registry = Registry::new_custom(Some("newsroom".to_owned()), None)?;
        let labels = &["method", "route", "status"];
        let requests = IntCounterVec::new(
            Opts::new("http_requests_total", "HTTP requests served"),
            labels,
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new("http_request_duration_seconds", "Time to serve a request").buckets(
                vec![
                    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                ],
            ),
            labels,
        )?;
        let gauge = |name: &str, help: &str| IntGauge::new(name, help);
        let pool_size = gauge("db_pool_connections", "Connections currently open")?;
        let pool_available = gauge("db_pool_idle_connections", "Open connections not in use")?;
        let pool_waiting = gauge(
            "db_pool_waiting_requests",
            "Requests waiting for a connection",
        )?;
        let pool_max = gauge("db_pool_max_connections", "Configured pool size")?;
        let cache_waiting = gauge(
            "response_cache_waiting_requests",
            "Requests waiting for another request's render of the same public answer",
        )?;
        let cache_bytes = gauge("response_cache_bytes", "Bytes of public answers cached")?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        for g in [
            &pool_size,
            &pool_available,
            &pool_waiting,
            &pool_max,
            &cache_waiting,
            &cache_bytes,
        ] {
            registry.register(Box::new(g.clone()))?;
        }
        Ok(Self {
            registry,
            requests,
            latency,
            pool_size,
            pool_available,
            pool_waiting,
            pool_max,
            cache_waiting,
            cache_bytes,
        })
    }

    /// Records one finished request. `route` is the matched template, so ids never explode the
    /// label set.
    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let status = status.to_string();
        let labels = [method, route, status.as_str()];
        self.requests.with_label_values(&labels).inc();
        self.latency.with_label_values(&labels).observe(seconds);
    }

    /// Renders the text exposition format, with pool and cache gauges read now.
    pub fn render(
        &self,
        pool: &crate::db::DbPool,
        cache: &crate::http::response_cache::ResponseCache,
    ) -> anyhow::Result<String> {
        let status = pool.status();
        let as_i64 = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
        self.cache_waiting.set(as_i64(cache.waiting()));
        self.cache_bytes
            .set(i64::try_from(cache.weight()).unwrap_or(i64::MAX));
        self.pool_size.set(as_i64(status.size));
        self.pool_available.set(as_i64(status.available));
        self.pool_waiting.set(as_i64(status.waiting));
        self.pool_max.set(as_i64(status.max_size));
        let mut out = Vec::new();
        prometheus::TextEncoder::new().encode(&self.registry.gather(), &mut out)?;
        Ok(String::from_utf8(out)?)
    }
}

/// Middleware: times every request and records it under its route template.
pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let metrics = req.app_data::<web::Data<Metrics>>().cloned();
    let method = req.method().to_string();
    let started = Instant::now();
    let response = next.call(req).await?;
    if let Some(metrics) = metrics {
        let route = response
            .request()
            .match_pattern()
            .unwrap_or_else(|| "unmatched".to_owned());
        metrics.observe(
            &method,
            &route,
            response.status().as_u16(),
            started.elapsed().as_secs_f64(),
        );
    }
    Ok(response)
}
