//! Webhooks: signed deliveries of article events, retried with back-off, logged and replayable;
//! written in the transaction of the change, so a refused change announces nothing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hmac::{KeyInit, Mac};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::helpers::{TestApp, TestUser, assert_problem};

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    /// Header names in lower case.
    pub headers: HashMap<String, String>,
    /// The raw body.
    pub body: Vec<u8>,
}

/// A local HTTP/1.1 endpoint that records what it receives and answers `500` to the first
/// `failures` requests, `200` afterwards.
pub struct Receiver {
    /// Where to send.
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    /// Listens on a free loopback port.
    pub async fn start(failures: usize) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let log = received.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let log = log.clone();
                tokio::spawn(async move {
                    let Some(request) = read_request(&mut socket).await else {
                        return;
                    };
                    let seen = {
                        let mut log = log.lock().unwrap();
                        log.push(request);
                        log.len()
                    };
                    let status = if seen <= failures {
                        "500 Internal Server Error"
                    } else {
                        "200 OK"
                    };
                    let response = format!(
                        "HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                    );
                    let _ = socket.write_all(response.as_bytes()).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        Self { url, received }
    }

    /// Everything received so far.
    pub fn requests(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// Waits (at most 10 s) until `n` requests have arrived.
    async fn wait_for(&self, n: usize) -> Vec<Received> {
        for _ in 0..500 {
            let requests = self.requests();
            if requests.len() >= n {
                return requests;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!(
            "expected {n} webhook requests, got {}",
            self.requests().len()
        );
    }
}

async fn read_request(socket: &mut tokio::net::TcpStream) -> Option<Received> {
    let mut buffer = Vec::new();
    let mut chunk = [0u8; 4096];
    let header_end = loop {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
        if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buffer[..header_end]).to_string();
    let headers: HashMap<String, String> = head
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers
        .get("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while buffer.len() < header_end + length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
    Some(Received {
        headers,
        body: buffer[header_end..].to_vec(),
    })
}

/// An app whose delivery worker runs every 50 ms and retries after 100 ms.
async fn fast_app(extra: &[(&str, &str)]) -> TestApp {
    let mut vars = vec![
        ("NEWSROOM_WEBHOOK_INTERVAL_MS", "50"),
        ("NEWSROOM_WEBHOOK_RETRY_BASE_MS", "100"),
    ];
    vars.extend_from_slice(extra);
    TestApp::spawn_with(&vars).await
}

async fn create_webhook(app: &TestApp, admin: &TestUser, body: Value) -> Value {
    let response = app
        .post_json("/api/v1/webhooks", Some(admin.token()), &body)
        .await;
    assert_eq!(response.status(), 201, "registering a webhook");
    response.json().await.unwrap()
}

async fn create_article(app: &TestApp, admin: &TestUser, body: Value) -> Value {
    let response = app
        .post_json("/api/v1/articles", Some(admin.token()), &body)
        .await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

async fn act(app: &TestApp, admin: &TestUser, article: &str, action: &str) -> reqwest::Response {
    app.request(
        "POST",
        &format!("/api/v1/articles/{article}/{action}"),
        Some(admin.token()),
    )
    .header("if-match", "*")
    .send()
    .await
    .unwrap()
}

async fn deliveries(app: &TestApp, admin: &TestUser, webhook: &str) -> Vec<Value> {
    let response = app
        .get_as(
            &format!("/api/v1/webhooks/{webhook}/deliveries"),
            admin.token(),
        )
        .await;
    assert_eq!(response.status(), 200);
    let page: Value = response.json().await.unwrap();
    page["items"].as_array().unwrap().clone()
}

/// Polls the delivery log (at most 10 s) until `done` holds for its newest entry.
async fn wait_for_delivery(
    app: &TestApp,
    admin: &TestUser,
    webhook: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let mut last = Value::Null;
    for _ in 0..500 {
        if let Some(newest) = deliveries(app, admin, webhook).await.first() {
            if done(newest) {
                return newest.clone();
            }
            last = newest.clone();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the delivery did not reach the expected state: {last}");
}

fn hex_hmac(secret: &str, message: &[u8]) -> String {
    let mut mac = <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(message);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn a_publish_is_delivered_signed_retried_after_a_failure_logged_and_replayed() {
    let app = fast_app(&[]).await;
    let admin = app.admin().await;
    let receiver = Receiver::start(1).await;
    let webhook = create_webhook(
        &app,
        &admin,
        json!({"url": receiver.url, "events": ["article.published"]}),
    )
    .await;
    let webhook_id = webhook["id"].as_str().unwrap().to_owned();
    let secret = webhook["secret"]
        .as_str()
        .expect("a generated secret")
        .to_owned();
    assert_eq!(webhook["events"], json!(["article.published"]));
    assert_eq!(webhook["active"], true);
    let shown: Value = app
        .get_as(&format!("/api/v1/webhooks/{webhook_id}"), admin.token())
        .await
        .json()
        .await
        .unwrap();
    assert!(shown.get("secret").is_none(), "the secret is shown once");

    let article = create_article(&app, &admin, json!({"headline": "Bridge reopens"})).await;
    let article_id = article["id"].as_str().unwrap();
    assert_eq!(act(&app, &admin, article_id, "publish").await.status(), 200);

    // The first attempt gets a 500; the retry, 100 ms later, a 200.
    let requests = receiver.wait_for(2).await;
    for request in &requests {
        let h = &request.headers;
        assert_eq!(h["x-newsroom-event"], "article.published");
        assert_eq!(h["content-type"], "application/json");
        let timestamp = &h["x-newsroom-timestamp"];
        let age = chrono::Utc::now().timestamp() - timestamp.parse::<i64>().unwrap();
        assert!((0..60).contains(&age), "timestamp {timestamp}");
        let mut signed = format!("{timestamp}.").into_bytes();
        signed.extend_from_slice(&request.body);
        assert_eq!(
            h["x-newsroom-signature"],
            format!("sha256={}", hex_hmac(&secret, &signed)),
            "the signature verifies with the secret"
        );
        let body: Value = serde_json::from_slice(&request.body).unwrap();
        assert_eq!(body["event"], "article.published");
        assert!(body["id"].is_string() && body["occurred_at"].is_string());
        assert_eq!(body["article"]["id"], article_id);
        assert_eq!(body["article"]["slug"], article["slug"]);
        assert_eq!(body["article"]["headline"], "Bridge reopens");
        assert_eq!(body["article"]["status"], "published");
        assert!(body["article"]["version"].is_i64());
    }
    let delivery_id = requests[0].headers["x-newsroom-delivery"].clone();
    assert_eq!(requests[1].headers["x-newsroom-delivery"], delivery_id);
    assert_eq!(
        requests[0].body, requests[1].body,
        "a retry sends the same event"
    );

    let delivered =
        wait_for_delivery(&app, &admin, &webhook_id, |d| d["status"] == "delivered").await;
    assert_eq!(delivered["id"], delivery_id.as_str());
    assert_eq!(delivered["event"], "article.published");
    assert_eq!(delivered["attempts"], 2);
    assert_eq!(delivered["last_status_code"], 200);
    assert!(delivered["last_error"].is_null());
    assert!(delivered["delivered_at"].is_string());
    assert!(delivered["next_attempt_at"].is_null());

    // Replay sends it again, under the same delivery id.
    let response = app
        .request(
            "POST",
            &format!("/api/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/replay"),
            Some(admin.token()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 202);
    let queued: Value = response.json().await.unwrap();
    assert_eq!(queued["status"], "pending");
    let requests = receiver.wait_for(3).await;
    assert_eq!(requests[2].headers["x-newsroom-delivery"], delivery_id);
    wait_for_delivery(&app, &admin, &webhook_id, |d| {
        d["status"] == "delivered" && d["attempts"] == 3
    })
    .await;

    let audit: Value = app
        .get_as("/api/v1/audit-log?target_type=webhook", admin.token())
        .await
        .json()
        .await
        .unwrap();
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(actions.contains(&"webhook.create"), "{actions:?}");
    assert!(actions.contains(&"webhook.replay"), "{actions:?}");
}

#[tokio::test]
async fn a_failing_receiver_is_logged_with_its_status_and_the_next_attempt() {
    let app = fast_app(&[("NEWSROOM_WEBHOOK_RETRY_BASE_MS", "60000")]).await;
    let admin = app.admin().await;
    let receiver = Receiver::start(usize::MAX).await;
    let webhook = create_webhook(
        &app,
        &admin,
        json!({"url": receiver.url, "events": ["article.published"], "secret": "a secret of sixteen+"}),
    )
    .await;
    assert!(
        webhook.get("secret").is_none(),
        "a secret sent is not echoed"
    );
    let webhook_id = webhook["id"].as_str().unwrap();
    let article = create_article(&app, &admin, json!({"headline": "Storm warning"})).await;
    act(&app, &admin, article["id"].as_str().unwrap(), "publish").await;
    let failed = wait_for_delivery(&app, &admin, webhook_id, |d| d["status"] == "failed").await;
    assert_eq!(failed["attempts"], 1);
    assert_eq!(failed["last_status_code"], 500);
    assert!(failed["last_error"].as_str().unwrap().contains("500"));
    let next: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(failed["next_attempt_at"].clone()).unwrap();
    assert!(next > chrono::Utc::now() + chrono::Duration::seconds(30));
}

#[tokio::test]
async fn a_change_that_rolls_back_emits_no_event() {
    let app = fast_app(&[]).await;
    let admin = app.admin().await;
    let receiver = Receiver::start(0).await;
    let events = [
        "article.published",
        "article.updated",
        "article.unpublished",
        "article.deleted",
        "article.publish_failed",
    ];
    let webhook =
        create_webhook(&app, &admin, json!({"url": receiver.url, "events": events})).await;
    let webhook_id = webhook["id"].as_str().unwrap();
    let embargo = chrono::Utc::now() + chrono::Duration::hours(2);
    let article = create_article(
        &app,
        &admin,
        json!({"headline": "Under embargo", "embargo_until": embargo}),
    )
    .await;
    let article_id = article["id"].as_str().unwrap();
    let refused = act(&app, &admin, article_id, "publish").await;
    assert_problem(refused, 409).await;
    assert!(deliveries(&app, &admin, webhook_id).await.is_empty());

    // A change that commits is announced.
    let response = app
        .request(
            "PATCH",
            &format!("/api/v1/articles/{article_id}"),
            Some(admin.token()),
        )
        .header("if-match", "*")
        .json(&json!({"dek": "Changed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let log = deliveries(&app, &admin, webhook_id).await;
    assert_eq!(log.len(), 1, "{log:?}");
    assert_eq!(log[0]["event"], "article.updated");
    let requests = receiver.wait_for(1).await;
    assert_eq!(requests[0].headers["x-newsroom-event"], "article.updated");
}

#[tokio::test]
async fn unsubscribed_events_and_inactive_webhooks_get_nothing() {
    let app = fast_app(&[]).await;
    let admin = app.admin().await;
    let receiver = Receiver::start(0).await;
    let webhook = create_webhook(
        &app,
        &admin,
        json!({"url": receiver.url, "events": ["article.deleted"]}),
    )
    .await;
    let webhook_id = webhook["id"].as_str().unwrap();
    let article = create_article(&app, &admin, json!({"headline": "Quiet"})).await;
    act(&app, &admin, article["id"].as_str().unwrap(), "publish").await;
    assert!(deliveries(&app, &admin, webhook_id).await.is_empty());

    let response = app
        .request(
            "PATCH",
            &format!("/api/v1/webhooks/{webhook_id}"),
            Some(admin.token()),
        )
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let changed: Value = response.json().await.unwrap();
    assert_eq!(changed["active"], false);
    let response = app
        .request(
            "DELETE",
            &format!("/api/v1/articles/{}", article["id"].as_str().unwrap()),
            Some(admin.token()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert!(deliveries(&app, &admin, webhook_id).await.is_empty());
}

#[tokio::test]
async fn private_targets_are_refused_when_not_allowed() {
    let app = TestApp::spawn_with(&[("NEWSROOM_WEBHOOKS_ALLOW_PRIVATE", "false")]).await;
    let admin = app.admin().await;
    for url in [
        "http://127.0.0.1:9/hook",
        "http://10.0.0.7/hook",
        "http://[::1]/hook",
        "http://localhost:9/hook",
        "ftp://example.com/hook",
    ] {
        let response = app
            .post_json(
                "/api/v1/webhooks",
                Some(admin.token()),
                &json!({"url": url, "events": ["article.published"]}),
            )
            .await;
        let problem = assert_problem(response, 422).await;
        assert_eq!(problem["errors"][0]["field"], "url", "{url}: {problem}");
    }
    let response = app
        .post_json(
            "/api/v1/webhooks",
            Some(admin.token()),
            &json!({"url": "http://127.0.0.1:9/hook", "events": ["article.created"]}),
        )
        .await;
    assert_problem(response, 422).await;
}

#[tokio::test]
async fn webhooks_can_be_listed_changed_and_deleted() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let webhook = create_webhook(
        &app,
        &admin,
        json!({"url": "http://127.0.0.1:9/a", "events": ["article.published"]}),
    )
    .await;
    let id = webhook["id"].as_str().unwrap();
    let response = app
        .request("PATCH", &format!("/api/v1/webhooks/{id}"), Some(admin.token()))
        .json(&json!({"url": "http://127.0.0.1:9/b", "events": ["article.updated", "article.deleted"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let list: Vec<Value> = app
        .get_as("/api/v1/webhooks", admin.token())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["url"], "http://127.0.0.1:9/b");
    assert_eq!(
        list[0]["events"],
        json!(["article.deleted", "article.updated"])
    );
    assert!(list[0].get("secret").is_none());
    let response = app
        .request(
            "DELETE",
            &format!("/api/v1/webhooks/{id}"),
            Some(admin.token()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_problem(
        app.get_as(&format!("/api/v1/webhooks/{id}"), admin.token())
            .await,
        404,
    )
    .await;
}
