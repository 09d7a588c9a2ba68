//! `TestApp`: the real application on a random port, against its own fresh database cloned from
//! a template that is migrated once per set of migrations.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::Path;

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use newsroom::config::Config;
use newsroom::db;
use newsroom::startup::Application;
use tokio::sync::OnceCell;

/// Arbitrary advisory-lock key that serialises template creation across test processes.
const TEMPLATE_LOCK_KEY: i64 = 0x6e72_7465_6d70_6c74;

/// The PostgreSQL server tests use: `DATABASE_URL`'s server, or the local one.
pub fn server_url(database: &str) -> String {
    let base = std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let mut url = url::Url::parse(&base).expect("DATABASE_URL must be a URL");
    url.set_path(&format!("/{database}"));
    url.to_string()
}

async fn admin_connection() -> AsyncPgConnection {
    AsyncPgConnection::establish(&server_url("postgres"))
        .await
        .expect("tests need a PostgreSQL server (see README)")
}

/// Name of the template for the current migrations: a change to any migration makes a new one.
fn template_name() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files: Vec<_> = walk(&dir);
    files.sort();
    let mut hasher = DefaultHasher::new();
    for file in files {
        file.strip_prefix(&dir).unwrap().hash(&mut hasher);
        std::fs::read(&file).unwrap().hash(&mut hasher);
    }
    format!("newsroom_test_tmpl_{:016x}", hasher.finish())
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

static TEMPLATE: OnceCell<String> = OnceCell::const_new();

/// The migrated template database, created once (per process, and across processes by a lock).
async fn template_database() -> &'static str {
    TEMPLATE
        .get_or_init(|| async {
            let name = template_name();
            let mut conn = admin_connection().await;
            execute(
                &mut conn,
                &format!("SELECT pg_advisory_lock({TEMPLATE_LOCK_KEY})"),
            )
            .await;
            if !database_exists(&mut conn, &name).await {
                let building = format!("{name}_wip");
                execute(
                    &mut conn,
                    &format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"),
                )
                .await;
                execute(&mut conn, &format!("CREATE DATABASE {building}")).await;
                db::migrate(&server_url(&building))
                    .await
                    .expect("migrating the template database");
                // Renamed only when complete, so a crash never leaves a half-migrated template.
                execute(
                    &mut conn,
                    &format!("ALTER DATABASE {building} RENAME TO {name}"),
                )
                .await;
            }
            execute(
                &mut conn,
                &format!("SELECT pg_advisory_unlock({TEMPLATE_LOCK_KEY})"),
            )
            .await;
            name
        })
        .await
}

async fn database_exists(conn: &mut AsyncPgConnection, name: &str) -> bool {
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let row: Count = diesel::sql_query("SELECT count(*) AS n FROM pg_database WHERE datname = $1")
        .bind::<diesel::sql_types::Text, _>(name)
        .get_result(conn)
        .await
        .unwrap();
    row.n > 0
}

async fn execute(conn: &mut AsyncPgConnection, sql: &str) {
    diesel::sql_query(sql)
        .execute(conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// The JWT secret of test instances, so tests can forge tokens.
pub const TEST_JWT_SECRET: &str = "test-secret-test-secret-test-secret!";
/// The bootstrap admin of every test instance.
pub const ADMIN_EMAIL: &str = "admin@newsroom.test";
/// Its password.
pub const ADMIN_PASSWORD: &str = "admin password 123";

/// Configuration for a test instance: random port, small pools, quiet logs, a bootstrap admin.
pub fn test_config(database_url: &str, extra: &[(&str, &str)]) -> Config {
    let mut vars: Vec<(String, String)> = vec![
        ("DATABASE_URL".into(), database_url.into()),
        ("NEWSROOM_JWT_SECRET".into(), TEST_JWT_SECRET.into()),
        ("NEWSROOM_BOOTSTRAP_ADMIN_EMAIL".into(), ADMIN_EMAIL.into()),
        (
            "NEWSROOM_BOOTSTRAP_ADMIN_PASSWORD".into(),
            ADMIN_PASSWORD.into(),
        ),
        ("NEWSROOM_BIND".into(), "127.0.0.1:0".into()),
        ("NEWSROOM_WORKERS".into(), "1".into()),
        ("NEWSROOM_DB_POOL_SIZE".into(), "4".into()),
        ("NEWSROOM_LOG".into(), "error".into()),
    ];
    for (key, value) in extra {
        vars.retain(|(k, _)| k != key);
        vars.push((key.to_string(), value.to_string()));
    }
    Config::from_vars(vars).expect("test configuration")
}

/// A running application and the database it owns.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub address: String,
    /// A client that never follows redirects, so tests see them.
    pub client: reqwest::Client,
    /// Database dropped when the app is dropped (none for apps on a disposable cluster).
    owned_database: Option<String>,
    /// The database this instance uses.
    pub database_url: String,
    handle: actix_web::dev::ServerHandle,
}

impl TestApp {
    /// The app on a fresh clone of the template database.
    pub async fn spawn() -> Self {
        Self::spawn_with(&[]).await
    }

    /// The app on a fresh database, with extra configuration variables.
    pub async fn spawn_with(extra: &[(&str, &str)]) -> Self {
        let template = template_database().await;
        let name = format!("newsroom_test_{}", uuid::Uuid::new_v4().simple());
        let mut conn = admin_connection().await;
        execute(
            &mut conn,
            &format!("CREATE DATABASE {name} TEMPLATE {template}"),
        )
        .await;
        let mut app = Self::start(test_config(&server_url(&name), extra)).await;
        app.owned_database = Some(name);
        app
    }

    /// The app on the given configuration; the caller owns the database.
    pub async fn start(config: Config) -> Self {
        let database_url = config.database_url.clone();
        let application = Application::build(config).await.expect("building the app");
        let address = format!("http://127.0.0.1:{}", application.port());
        let handle = application.handle();
        tokio::spawn(application.run_until_stopped());
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        Self {
            address,
            client,
            owned_database: None,
            database_url,
            handle,
        }
    }

    /// Another instance of the API on the same database (as behind a load balancer); the
    /// database stays owned by `self`.
    pub async fn another_instance(&self, extra: &[(&str, &str)]) -> TestApp {
        Self::start(test_config(&self.database_url, extra)).await
    }

    /// `address` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// GET `path`.
    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.unwrap()
    }

    /// A request with an optional bearer token.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let builder = self.client.request(method, self.url(path));
        match token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    /// GET `path` with a bearer token.
    pub async fn get_as(&self, path: &str, token: &str) -> reqwest::Response {
        self.request("GET", path, Some(token)).send().await.unwrap()
    }

    /// POSTs a multipart image upload with a bearer token.
    pub async fn upload(&self, token: &str, form: reqwest::multipart::Form) -> reqwest::Response {
        self.request("POST", "/api/v1/images", Some(token))
            .multipart(form)
            .send()
            .await
            .unwrap()
    }

    /// POST a JSON body, with an optional bearer token.
    pub async fn post_json(
        &self,
        path: &str,
        token: Option<&str>,
        body: &serde_json::Value,
    ) -> reqwest::Response {
        self.request("POST", path, token)
            .json(body)
            .send()
            .await
            .unwrap()
    }

    /// POSTs `body` as `user`, expects 201 and returns the created resource.
    pub async fn post_created(
        &self,
        user: &TestUser,
        path: &str,
        body: serde_json::Value,
    ) -> serde_json::Value {
        let response = self.post_json(path, Some(user.token()), &body).await;
        let status = response.status();
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(status, 201, "POST {path}: {body}");
        body
    }

    /// Creates an article as `user`; returns its id.
    pub async fn create_article(&self, user: &TestUser, body: serde_json::Value) -> String {
        let response = self
            .post_json("/api/v1/articles", Some(user.token()), &body)
            .await;
        assert_eq!(response.status(), 201);
        let article: serde_json::Value = response.json().await.unwrap();
        article["id"].as_str().unwrap().to_owned()
    }

    /// Runs a workflow action (`publish`, `unpublish`, …) on an article, whatever its version.
    pub async fn act(&self, user: &TestUser, id: &str, action: &str) {
        let response = self
            .request(
                "POST",
                &format!("/api/v1/articles/{id}/{action}"),
                Some(user.token()),
            )
            .header("if-match", "*")
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200, "{action}");
    }

    /// Logs in; panics unless it succeeds. Returns the token response.
    pub async fn login(&self, email: &str, password: &str) -> Session {
        let response = self
            .post_json(
                "/api/v1/auth/login",
                None,
                &serde_json::json!({"email": email, "password": password}),
            )
            .await;
        assert_eq!(response.status(), 200, "log-in of {email} failed");
        let body: serde_json::Value = response.json().await.unwrap();
        Session {
            access_token: body["access_token"].as_str().unwrap().to_owned(),
            refresh_token: body["refresh_token"].as_str().unwrap().to_owned(),
        }
    }

    /// The bootstrap admin, signed in.
    pub async fn admin(&self) -> TestUser {
        let session = self.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
        let me: serde_json::Value = self
            .get_as("/api/v1/auth/me", &session.access_token)
            .await
            .json()
            .await
            .unwrap();
        TestUser {
            id: me["id"].as_str().unwrap().to_owned(),
            email: ADMIN_EMAIL.to_owned(),
            password: ADMIN_PASSWORD.to_owned(),
            session,
        }
    }

    /// A new user with `role` (`admin`, `editor`, `writer`), created by the admin and signed in.
    pub async fn user(&self, role: &str) -> TestUser {
        let admin = self.admin().await;
        self.user_created_by(&admin, role).await
    }

    /// A new user with `role`, created by `admin`, signed in.
    pub async fn user_created_by(&self, admin: &TestUser, role: &str) -> TestUser {
        let email = format!("{role}-{}@newsroom.test", uuid::Uuid::new_v4().simple());
        let password = format!("{role} password 123");
        let response = self
            .post_json(
                "/api/v1/users",
                Some(admin.token()),
                &serde_json::json!({
                    "email": email, "password": password, "name": format!("Test {role}"), "role": role
                }),
            )
            .await;
        assert_eq!(response.status(), 201, "creating a {role}");
        let created: serde_json::Value = response.json().await.unwrap();
        let session = self.login(&email, &password).await;
        TestUser {
            id: created["id"].as_str().unwrap().to_owned(),
            email,
            password,
            session,
        }
    }

    /// A new API token with `scopes`, issued by `admin`.
    pub async fn api_token(&self, admin: &TestUser, scopes: &[&str]) -> String {
        let response = self
            .post_json(
                "/api/v1/api-tokens",
                Some(admin.token()),
                &serde_json::json!({"name": "test client", "scopes": scopes}),
            )
            .await;
        assert_eq!(response.status(), 201, "issuing an API token");
        let body: serde_json::Value = response.json().await.unwrap();
        body["token"].as_str().unwrap().to_owned()
    }
}

/// Tokens of one log-in.
#[derive(Debug, Clone)]
pub struct Session {
    /// The JWT.
    pub access_token: String,
    /// The opaque refresh token.
    pub refresh_token: String,
}

/// A signed-in user of a test instance.
#[derive(Debug, Clone)]
pub struct TestUser {
    /// Id.
    pub id: String,
    /// E-mail.
    pub email: String,
    /// Password.
    pub password: String,
    /// Its current session.
    pub session: Session,
}

impl TestUser {
    /// The access token.
    pub fn token(&self) -> &str {
        &self.session.access_token
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // `stop` sends its command at once; the returned future only waits for completion.
        drop(self.handle.stop(false));
        if let Some(name) = self.owned_database.take() {
            // Drop cannot await: a short-lived runtime on its own thread does the clean-up.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                runtime.block_on(async {
                    let mut conn = admin_connection().await;
                    execute(
                        &mut conn,
                        &format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                    )
                    .await;
                });
            })
            .join();
        }
    }
}

/// Asserts a problem+json response with `status`, and returns its body.
pub async fn assert_problem(response: reqwest::Response, status: u16) -> serde_json::Value {
    assert_eq!(response.status().as_u16(), status, "unexpected status");
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    assert_eq!(content_type, "application/problem+json");
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], status);
    for field in ["type", "title", "detail"] {
        assert!(body[field].is_string(), "problem without {field}: {body}");
    }
    body
}

/// One text field of every item of a page (`{items: [{field}]}`), in order.
pub fn item_strings(page: &serde_json::Value, field: &str) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i[field].as_str().unwrap().to_owned())
        .collect()
}

/// The headlines of a page of articles, in order.
pub fn headlines(page: &serde_json::Value) -> Vec<String> {
    item_strings(page, "headline")
}

/// Runs `sql` (which must select one text column `j`, JSON) and parses it.
pub async fn query_json(conn: &mut AsyncPgConnection, sql: &str) -> serde_json::Value {
    #[derive(diesel::QueryableByName)]
    struct Json {
        #[diesel(sql_type = diesel::sql_types::Text)]
        j: String,
    }
    let row: Json = diesel::sql_query(sql)
        .get_result(conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    serde_json::from_str(&row.j).unwrap()
}
