//! The service foundation: health, problem+json for the framework's errors, request ids,
//! metrics, the OpenAPI document and its UI.

use crate::helpers::{TestApp, assert_problem, test_config};
use crate::pg_cluster::DisposableCluster;

#[tokio::test]
async fn liveness_answers_200() {
    let app = TestApp::spawn().await;
    let response = app.get("/health/live").await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn readiness_is_503_while_the_database_is_down_and_200_once_it_is_back() {
    let cluster = DisposableCluster::start();
    // The database does not exist yet: start-up must create and migrate it.
    let app = TestApp::start(test_config(
        &cluster.url("newsroom"),
        &[("NEWSROOM_DB_TIMEOUT_MS", "1000")],
    ))
    .await;
    assert_eq!(app.get("/health/ready").await.status(), 200);

    cluster.stop_server();
    let body = assert_problem(app.get("/health/ready").await, 503).await;
    assert_eq!(body["type"], "urn:newsroom:problem:unavailable");
    // Liveness does not depend on the database.
    assert_eq!(app.get("/health/live").await.status(), 200);

    cluster.start_server();
    assert_eq!(app.get("/health/ready").await.status(), 200);
}

#[tokio::test]
async fn an_unknown_route_is_a_404_problem() {
    let app = TestApp::spawn().await;
    let body = assert_problem(app.get("/no/such/route").await, 404).await;
    assert_eq!(body["type"], "urn:newsroom:problem:not-found");
}

#[tokio::test]
async fn a_wrong_method_is_a_405_problem_with_allow() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .delete(app.url("/health/live"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["allow"], "GET");
    assert_problem(response, 405).await;
}

#[tokio::test]
async fn the_request_id_is_echoed_or_generated() {
    let app = TestApp::spawn().await;
    let response = app
        .client
        .get(app.url("/health/live"))
        .header("x-request-id", "edge-42")
        .send()
        .await
        .unwrap();
    assert_eq!(response.headers()["x-request-id"], "edge-42");

    let generated = app.get("/no/such/route").await;
    let id = generated.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 36, "a UUID is generated: {id}");
    let body = assert_problem(generated, 404).await;
    assert_eq!(body["request_id"], id, "problems quote the request id");

    // An id that could forge log lines is replaced, not echoed.
    let response = app
        .client
        .get(app.url("/health/live"))
        .header("x-request-id", "x\" injected=1")
        .send()
        .await
        .unwrap();
    assert_ne!(response.headers()["x-request-id"], "x\" injected=1");
}

#[tokio::test]
async fn metrics_count_requests_by_route_template() {
    let app = TestApp::spawn().await;
    app.get("/health/live").await;
    app.get("/no/such/route").await;
    let response = app.get("/metrics").await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.unwrap();
    assert!(
        text.contains(
            r#"newsroom_http_requests_total{method="GET",route="/health/live",status="200"} 1"#
        ),
        "{text}"
    );
    assert!(text.contains(r#"route="unmatched",status="404""#), "{text}");
    assert!(
        text.contains("newsroom_db_pool_max_connections 4"),
        "{text}"
    );
}

#[tokio::test]
async fn with_a_metrics_token_metrics_need_it() {
    let app = TestApp::spawn_with(&[("NEWSROOM_METRICS_TOKEN", "prometheus-scrapes-here")]).await;
    assert_problem(app.get("/metrics").await, 401).await;
    for wrong in ["Bearer prometheus-scrapes-her", "Basic cHJvbWV0aGV1cw=="] {
        let response = app
            .request("GET", "/metrics", None)
            .header("authorization", wrong)
            .send()
            .await
            .unwrap();
        assert_problem(response, 401).await;
    }
    let response = app
        .request("GET", "/metrics", None)
        .header("authorization", "Bearer prometheus-scrapes-here")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("newsroom_http_requests_total")
    );
    // Health checks stay open for load balancers.
    assert_eq!(app.get("/health/live").await.status(), 200);
}

#[test]
fn the_committed_openapi_document_matches_the_code() {
    let generated = newsroom::openapi::document_json().unwrap();
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi/openapi.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json is out of date with the code; regenerate it with:\n\n    \
         cargo run --quiet -- openapi > openapi/openapi.json\n"
    );
}

#[tokio::test]
async fn the_served_openapi_document_is_the_generated_one() {
    let app = TestApp::spawn().await;
    let response = app.get("/api-docs/openapi.json").await;
    assert_eq!(response.status(), 200);
    let served: serde_json::Value = response.json().await.unwrap();
    let generated = serde_json::to_value(newsroom::openapi::document()).unwrap();
    assert_eq!(served, generated);
    assert_eq!(served["openapi"], "3.1.0");
    assert_eq!(
        served["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
}

#[tokio::test]
async fn the_docs_ui_is_served_by_the_api_itself() {
    let app = TestApp::spawn().await;
    let redirect = app.get("/docs").await;
    assert_eq!(redirect.status(), 308);
    assert_eq!(redirect.headers()["location"], "/docs/");

    let page = app.get("/docs/").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "the page must load nothing from other hosts: {html}"
    );
    for asset in [
        "/docs/swagger-ui.css",
        "/docs/swagger-ui-bundle.js",
        "/docs/swagger-initializer.js",
    ] {
        let response = app.get(asset).await;
        assert_eq!(response.status(), 200, "{asset}");
    }
    let init = app
        .get("/docs/swagger-initializer.js")
        .await
        .text()
        .await
        .unwrap();
    assert!(init.contains("/api-docs/openapi.json"), "{init}");
}

#[tokio::test]
async fn malformed_json_is_a_400_problem() {
    let app = TestApp::spawn().await;
    let response = app
        .request("POST", "/api/v1/auth/login", None)
        .header("content-type", "application/json")
        .body(r#"{"email": "a@b.c","#)
        .send()
        .await
        .unwrap();
    let body = assert_problem(response, 400).await;
    assert_eq!(body["type"], "urn:newsroom:problem:bad-request");
}

#[tokio::test]
async fn json_of_the_wrong_shape_is_a_422_problem_naming_the_field() {
    let app = TestApp::spawn().await;
    let response = app
        .post_json(
            "/api/v1/auth/login",
            None,
            &serde_json::json!({"email": "a@b.c"}),
        )
        .await;
    let body = assert_problem(response, 422).await;
    assert_eq!(body["errors"][0]["field"], "password");
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_413_problem() {
    let app = TestApp::spawn_with(&[("NEWSROOM_MAX_JSON_BYTES", "1024")]).await;
    let padding = "x".repeat(4096);
    let response = app
        .post_json(
            "/api/v1/auth/login",
            None,
            &serde_json::json!({"email": "a@b.c", "password": padding}),
        )
        .await;
    assert_problem(response, 413).await;
}

#[tokio::test]
async fn a_body_that_is_not_json_is_a_415_problem() {
    let app = TestApp::spawn().await;
    let response = app
        .request("POST", "/api/v1/auth/login", None)
        .header("content-type", "text/plain")
        .body("email=a@b.c")
        .send()
        .await
        .unwrap();
    assert_problem(response, 415).await;
}

#[tokio::test]
async fn a_malformed_path_id_is_a_400_problem() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let response = app.get_as("/api/v1/users/not-a-uuid", admin.token()).await;
    assert_problem(response, 400).await;
    let response = app
        .get_as(
            &format!("/api/v1/users/{}", uuid::Uuid::new_v4()),
            admin.token(),
        )
        .await;
    assert_problem(response, 404).await;
}

#[tokio::test]
async fn a_bad_query_string_is_a_400_problem() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for query in ["limit=abc", "limit=1000", "cursor=garbage", "active=maybe"] {
        let response = app
            .get_as(&format!("/api/v1/users?{query}"), admin.token())
            .await;
        assert_problem(response, 400).await;
    }
}

#[tokio::test]
async fn a_nul_character_is_refused_not_a_500() {
    // Found by contract fuzzing: PostgreSQL cannot hold U+0000 in text, and these reached it.
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    for path in [
        "/api/v1/users?q=%00",
        "/api/v1/articles?q=a%00b",
        "/api/v1/audit-log?action=%00",
        "/api/v1/public/search?q=%00",
        "/api/v1/public/articles?section=%00",
        "/api/v1/public/feed.rss?section=%00",
    ] {
        assert_problem(app.get_as(path, admin.token()).await, 400).await;
    }
    for path in ["/api/v1/public/articles/a%00", "/api/v1/public/authors/%00"] {
        assert_problem(app.get(path).await, 404).await;
    }
    let ok = app.get_as("/api/v1/users?q=%2500", admin.token()).await;
    assert_eq!(ok.status(), 200, "an encoded percent sign is ordinary text");

    let response = app
        .post_json(
            "/api/v1/sections",
            Some(admin.token()),
            &serde_json::json!({"name": "World", "description": "a\u{0}b"}),
        )
        .await;
    let problem = assert_problem(response, 422).await;
    assert_eq!(problem["errors"][0]["field"], "description");
}

#[tokio::test]
async fn an_integer_may_be_written_with_a_zero_fraction() {
    // Found by contract fuzzing: JSON Schema's `integer` includes 3.0; serde refused it.
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let created = app
        .post_json(
            "/api/v1/sections",
            Some(admin.token()),
            &serde_json::json!({"name": "World", "position": 3.0}),
        )
        .await;
    assert_eq!(created.status(), 201);
    let created: serde_json::Value = created.json().await.unwrap();
    assert_eq!(created["position"], 3);
    let response = app
        .post_json(
            "/api/v1/sections",
            Some(admin.token()),
            &serde_json::json!({"name": "Sport", "position": 3.5}),
        )
        .await;
    let problem = assert_problem(response, 422).await;
    assert_eq!(problem["errors"][0]["field"], "position");
}

#[tokio::test]
async fn a_second_instance_starts_on_the_same_database_and_sees_the_same_data() {
    let first = TestApp::spawn().await;
    let second = first.another_instance(&[]).await;
    assert_eq!(first.database_url, second.database_url);
    assert_eq!(second.get("/health/ready").await.status(), 200);
    // A log-in on one instance is valid on the other: no state lives in an instance.
    let admin = first.admin().await;
    let me = second.get_as("/api/v1/auth/me", admin.token()).await;
    assert_eq!(me.status(), 200);
}

#[tokio::test]
async fn a_value_of_the_wrong_type_is_a_422_naming_the_nested_field() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let response = app
        .post_json(
            "/api/v1/articles",
            Some(admin.token()),
            &serde_json::json!({"headline": "x", "featured_image": {"image_id": "not-a-uuid"}}),
        )
        .await;
    let body = assert_problem(response, 422).await;
    assert_eq!(body["errors"][0]["field"], "featured_image.image_id");
    let response = app
        .post_json(
            "/api/v1/articles",
            Some(admin.token()),
            &serde_json::json!({"headline": null}),
        )
        .await;
    let body = assert_problem(response, 422).await;
    assert_eq!(body["errors"][0]["field"], "headline");
}
