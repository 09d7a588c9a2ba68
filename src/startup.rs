//! Start-up: database, migrations, pool, and the actix application.

use std::net::TcpListener;
use std::sync::Arc;
use std::time::Instant;

use actix_web::dev::Server;
use actix_web::middleware::{Compress, Condition, ErrorHandlers, from_fn};
use actix_web::{App, HttpResponse, HttpServer, web};
use anyhow::Context;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

use crate::auth::AuthSettings;
use crate::config::Config;
use crate::db::{self, DbPool};
use crate::http::metrics::{self, Metrics};
use crate::http::response_cache::{self, ResponseCache};
use crate::http::{limits, problems, request_id, security_headers};
use crate::media::store::MediaStore;
use crate::openapi::ApiDoc;

/// State shared by every handler.
pub struct AppState {
    /// The database pool.
    pub pool: DbPool,
    /// Connections for public reads: the read replica's when `DATABASE_READ_URL` is set,
    /// otherwise the same pool as `pool`.
    pub read_pool: DbPool,
    /// The configuration this instance started with.
    pub config: Config,
    /// Token keys and log-in limits.
    pub auth: AuthSettings,
    /// Where image files are stored.
    pub media: MediaStore,
    /// Rendered public answers, emptied when published content changes.
    pub cache: Arc<ResponseCache>,
}

/// Longest a cached public answer is served: invalidation is by notification, this only
/// bounds the damage of a notification PostgreSQL never sent.
const CACHE_BACKSTOP: std::time::Duration = std::time::Duration::from_secs(300);

/// Where the OpenAPI document is served.
const OPENAPI_PATH: &str = "/api-docs/openapi.json";

/// A handler answering the serialised OpenAPI document.
fn serve_document(
    json: web::Bytes,
) -> impl Fn() -> std::future::Ready<HttpResponse> + Clone + 'static {
    move || {
        std::future::ready(
            HttpResponse::Ok()
                .content_type(actix_web::http::header::ContentType::json())
                .body(json.clone()),
        )
    }
}

/// A built, not yet running, API instance.
pub struct Application {
    port: u16,
    server: Server,
    /// Dropped when the server stops, which stops the background workers.
    _stop_workers: tokio::sync::watch::Sender<()>,
}

impl Application {
    /// Prepares the database (create, migrate), then binds the listener. Nothing is served until
    /// [`Application::run_until_stopped`].
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        let started = Instant::now();
        db::ensure_database(&config.database_url).await?;
        let applied = db::migrate(&config.database_url).await?;
        if !applied.is_empty() {
            tracing::info!(migrations = ?applied, "applied migrations");
        }
        let pool = db::build_pool(&config.database_url, config.db_pool_size, config.db_timeout)?;
        let read_pool = match &config.database_read_url {
            Some(url) => db::build_pool(url, config.db_pool_size, config.db_timeout)?,
            None => pool.clone(),
        };
        let auth = AuthSettings::from_config(&config)?;
        let media = MediaStore::from_config(&config)?;
        crate::auth::accounts::bootstrap_admin(&pool, &config).await?;
        // The dummy hash makes unknown e-mails as slow as wrong passwords; make it before serving.
        tokio::task::spawn_blocking(crate::auth::password::warm_up).await?;
        let listener = TcpListener::bind(config.bind)
            .with_context(|| format!("binding NEWSROOM_BIND={}", config.bind))?;
        let port = listener.local_addr()?.port();

        let document = crate::openapi::document();
        let known_routes = web::Data::new(problems::KnownRoutes::from_openapi(&document));
        // One serialised copy for every worker: a copy of the document in each worker's Swagger
        // UI service cost megabytes of idle memory.
        let document_json = web::Bytes::from(
            document
                .to_json()
                .context("serialising the OpenAPI document")?,
        );
        drop(document);
        let metrics = web::Data::new(Metrics::new()?);
        let max_json = config.max_json_bytes;
        let upload_slots = web::Data::new(limits::UploadSlots::new(config.max_concurrent_uploads));
        let deadline = web::Data::new(limits::RequestDeadline(config.request_timeout));
        let cors_origins = config.cors_origins.clone();
        let workers = config.workers;
        let shutdown = config.shutdown_timeout;
        let (stop_workers, stop) = tokio::sync::watch::channel(());
        tokio::spawn(crate::workers::scheduler::run(
            pool.clone(),
            config.scheduler_interval,
            stop.clone(),
        ));
        tokio::spawn(crate::workers::retention::run(
            pool.clone(),
            config.retention_days,
            stop.clone(),
        ));
        tokio::spawn(crate::workers::webhooks::run(
            pool.clone(),
            crate::workers::webhooks::Settings::from_config(&config),
            stop.clone(),
        ));
        let cache = Arc::new(ResponseCache::new(
            config.public_cache_bytes,
            CACHE_BACKSTOP,
        ));
        if config.public_cache_bytes > 0 {
            tokio::spawn(crate::workers::invalidation::run(
                config.database_url.clone(),
                config.database_read_url.clone(),
                cache.clone(),
                stop,
            ));
        }
        let state = web::Data::new(AppState {
            pool,
            read_pool,
            config,
            auth,
            media,
            cache,
        });

        let server = HttpServer::new(move || {
            let (app, _) = App::new()
                .into_utoipa_app()
                .openapi(ApiDoc::openapi_root())
                .configure(crate::api::configure)
                .split_for_parts();
            app.app_data(state.clone())
                .app_data(metrics.clone())
                .app_data(known_routes.clone())
                .app_data(upload_slots.clone())
                .app_data(deadline.clone())
                .app_data(problems::json_config(max_json))
                // Our Json extractor reads the body as bytes: same limit as for JSON.
                .app_data(web::PayloadConfig::new(max_json))
                .app_data(problems::path_config())
                .app_data(problems::query_config())
                .service(
                    SwaggerUi::new("/docs/{_:.*}")
                        .config(utoipa_swagger_ui::Config::from(OPENAPI_PATH)),
                )
                .route(
                    OPENAPI_PATH,
                    web::get().to(serve_document(document_json.clone())),
                )
                .route(
                    "/docs",
                    web::get().to(|| async {
                        HttpResponse::PermanentRedirect()
                            .insert_header(("Location", "/docs/"))
                            .finish()
                    }),
                )
                .default_service(web::to(problems::fallback))
                .wrap(from_fn(limits::middleware))
                .wrap(from_fn(response_cache::middleware))
                .wrap(ErrorHandlers::new().default_handler(problems::ensure_problem_json))
                .wrap(Compress::default())
                .wrap(from_fn(metrics::middleware))
                .wrap(Condition::new(
                    !cors_origins.is_empty(),
                    crate::http::cors::cors(&cors_origins),
                ))
                .wrap(from_fn(security_headers::middleware))
                .wrap(from_fn(request_id::middleware))
        })
        .workers(workers)
        .client_request_timeout(limits::CLIENT_REQUEST_TIMEOUT)
        .shutdown_timeout(shutdown.as_secs())
        .listen(listener)?
        .run();

        tracing::info!(
            port,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "ready to serve"
        );
        Ok(Self {
            port,
            server,
            _stop_workers: stop_workers,
        })
    }

    /// The port actually bound (useful with `NEWSROOM_BIND=127.0.0.1:0`).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// A handle to stop the server.
    pub fn handle(&self) -> actix_web::dev::ServerHandle {
        self.server.handle()
    }

    /// Serves until SIGINT/SIGTERM, then lets in-flight requests finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.server.await
    }
}
