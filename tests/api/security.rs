//! Limits and attacks: security headers, CORS, size and time limits, SQL injection in every
//! query parameter of the document, stored XSS through every field rendered as markup, path
//! traversal, mass assignment and reaching another writer's draft by id.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use newsroom::http::security_headers::{API_CSP, DOCS_CSP};
use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser, assert_problem, item_strings};

fn header<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

fn assert_security_headers(response: &reqwest::Response, what: &str, docs: bool) {
    assert_eq!(
        header(response, "x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(
        header(response, "referrer-policy"),
        Some("no-referrer"),
        "{what}"
    );
    let csp = if docs { DOCS_CSP } else { API_CSP };
    assert_eq!(
        header(response, "content-security-policy"),
        Some(csp),
        "{what}"
    );
}

/// A 4xx answer in problem+json (any 4xx status).
async fn assert_client_problem(response: reqwest::Response, what: &str) -> Value {
    let status = response.status().as_u16();
    assert!((400..500).contains(&status), "{what}: status {status}");
    assert_problem(response, status).await
}

async fn upload(app: &TestApp, user: &TestUser, file_name: &str, caption: Option<&str>) -> Value {
    let png = newsroom::media::image::test_support::png(40, 30);
    let mut form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(png).file_name(file_name.to_owned()),
    );
    if let Some(caption) = caption {
        form = form.text("caption", caption.to_owned());
    }
    let response = app.upload(user.token(), form).await;
    assert_eq!(response.status(), 201, "upload of {file_name}");
    response.json().await.unwrap()
}

/// Sends `head` (and `body`) on a raw connection and returns the whole answer as text, for
/// requests reqwest would normalise or cannot make (a body that never ends).
fn raw_exchange(address: &str, head: &str, body: &[u8], keep_open: bool) -> std::net::TcpStream {
    let host = address.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    if !keep_open {
        stream.shutdown(std::net::Shutdown::Write).ok();
    }
    stream
}

/// Whether the server has answered (or closed) this connection yet, without waiting.
fn answered(stream: &std::net::TcpStream) -> bool {
    stream.set_nonblocking(true).unwrap();
    let mut byte = [0u8; 1];
    let answered =
        !matches!(stream.peek(&mut byte), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock);
    stream.set_nonblocking(false).unwrap();
    answered
}

fn read_answer(mut stream: std::net::TcpStream, within: Duration) -> String {
    stream.set_read_timeout(Some(within)).unwrap();
    let mut answer = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                answer.extend_from_slice(&buf[..n]);
                // One answer is enough: stop once the problem document is complete.
                if answer.ends_with(b"}") {
                    break;
                }
            }
            Err(e) => panic!("no answer within {within:?}: {e}"),
        }
    }
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn every_kind_of_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let image = upload(&app, &admin, "a.png", None).await;
    let image_id = image["id"].as_str().unwrap();

    let json_ok = app.get_as("/api/v1/auth/me", admin.token()).await;
    assert_eq!(json_ok.status(), 200);
    assert_security_headers(&json_ok, "JSON 200", false);
    let not_found = app.get("/api/v1/nothing-here").await;
    assert_security_headers(&not_found, "404", false);
    assert_problem(not_found, 404).await;
    let unauthorized = app.get("/api/v1/users").await;
    assert_security_headers(&unauthorized, "401", false);
    assert_problem(unauthorized, 401).await;
    let wrong_method = app
        .request("PUT", "/api/v1/articles", None)
        .send()
        .await
        .unwrap();
    assert_security_headers(&wrong_method, "405", false);
    assert_problem(wrong_method, 405).await;
    let bytes = app
        .get(&format!("/api/v1/public/images/{image_id}/file"))
        .await;
    assert_eq!(bytes.status(), 200);
    assert_security_headers(&bytes, "image bytes", false);
    for path in ["/metrics", "/health/live", "/api-docs/openapi.json"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), 200, "{path}");
        assert_security_headers(&response, path, false);
    }
    for path in ["/docs", "/docs/", "/docs/swagger-ui.css", "/docs/nothing"] {
        let response = app.get(path).await;
        assert_security_headers(&response, path, true);
    }
    let docs = app.get("/docs/").await;
    let html = docs.text().await.unwrap();
    // The docs policy allows no inline script: the page must not need one.
    assert!(
        html.contains("<script src=") && !html.contains("<script>"),
        "{html}"
    );
}

#[tokio::test]
async fn cors_preflights_are_answered_for_allowed_origins_only() {
    let origin = "https://news.example.org";
    let app = TestApp::spawn_with(&[("NEWSROOM_CORS_ORIGINS", origin)]).await;
    let preflight = |origin: &str, method: &str, headers: Option<&str>| {
        let mut request = app
            .request("OPTIONS", "/api/v1/public/articles", None)
            .header("origin", origin)
            .header("access-control-request-method", method);
        if let Some(headers) = headers {
            request = request.header("access-control-request-headers", headers);
        }
        request.send()
    };

    let allowed = preflight(
        origin,
        "PATCH",
        Some("authorization, if-match, content-type"),
    )
    .await
    .unwrap();
    assert!(allowed.status().is_success(), "{}", allowed.status());
    assert_eq!(
        header(&allowed, "access-control-allow-origin"),
        Some(origin)
    );
    let methods = header(&allowed, "access-control-allow-methods").unwrap_or_default();
    assert!(methods.contains("PATCH"), "{methods}");
    assert_security_headers(&allowed, "allowed preflight", false);

    let stranger = preflight("https://evil.example", "GET", None)
        .await
        .unwrap();
    assert!(header(&stranger, "access-control-allow-origin").is_none());
    assert_security_headers(&stranger, "refused preflight", false);
    assert_client_problem(stranger, "unknown origin").await;

    let bad_method = preflight(origin, "PUT", None).await.unwrap();
    assert!(header(&bad_method, "access-control-allow-origin").is_none());
    assert_client_problem(bad_method, "disallowed method").await;
    let bad_header = preflight(origin, "GET", Some("x-evil")).await.unwrap();
    assert!(header(&bad_header, "access-control-allow-origin").is_none());
    assert_client_problem(bad_header, "disallowed header").await;

    // Plain requests: the allowed origin is named, another gets no CORS header.
    let read = app
        .request("GET", "/api/v1/public/sections", None)
        .header("origin", origin)
        .send()
        .await
        .unwrap();
    assert_eq!(header(&read, "access-control-allow-origin"), Some(origin));
    let read = app
        .request("GET", "/api/v1/public/sections", None)
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(header(&read, "access-control-allow-origin").is_none());
}

#[tokio::test]
async fn oversized_urls_headers_bodies_and_pages_are_refused_with_problems() {
    let app = TestApp::spawn_with(&[("NEWSROOM_MAX_JSON_BYTES", "2048")]).await;
    let admin = app.admin().await;

    let long = "a".repeat(newsroom::http::limits::MAX_URL_BYTES);
    let response = app
        .get(&format!("/api/v1/public/articles?tag={long}"))
        .await;
    assert_security_headers(&response, "414", false);
    let problem = assert_problem(response, 414).await;
    assert!(problem["detail"].as_str().unwrap().contains("8192"));
    assert_eq!(problem["type"], "urn:newsroom:problem:uri-too-long");

    let filler = "b".repeat(newsroom::http::limits::MAX_HEADER_BYTES);
    let response = app
        .request("GET", "/api/v1/public/sections", None)
        .header("x-filler", filler)
        .send()
        .await
        .unwrap();
    let problem = assert_problem(response, 431).await;
    assert_eq!(problem["type"], "urn:newsroom:problem:headers-too-large");
    assert!(problem["request_id"].is_string(), "{problem}");

    for limit in ["0", "101", "-1", "99999999999999999999"] {
        let response = app
            .get(&format!("/api/v1/public/articles?limit={limit}"))
            .await;
        assert_client_problem(response, &format!("limit={limit}")).await;
    }

    // JSON bodies have their own limit, uploads theirs: an image over the JSON limit is fine.
    let big = json!({"headline": "x".repeat(4096)});
    let response = app
        .post_json("/api/v1/articles", Some(admin.token()), &big)
        .await;
    assert_problem(response, 413).await;
    let jpeg = newsroom::media::image::test_support::jpeg(200, 200);
    assert!(
        jpeg.len() > 2048,
        "the picture must outweigh the JSON limit"
    );
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(jpeg).file_name("big.jpg"),
    );
    let response = app.upload(admin.token(), form).await;
    assert_eq!(response.status(), 201);
}

#[tokio::test]
async fn a_request_whose_body_never_ends_gets_503_at_its_deadline() {
    let app = TestApp::spawn_with(&[("NEWSROOM_REQUEST_TIMEOUT_MS", "500")]).await;
    // Log-in needs no token, so the only slow part is the body that never comes.
    let head = "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n";
    let stream = raw_exchange(&app.address, head, b"{\"email\":", true);
    let answer = tokio::task::spawn_blocking(move || read_answer(stream, Duration::from_secs(20)))
        .await
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 503"), "{answer}");
    let lower = answer.to_ascii_lowercase();
    assert!(
        lower.contains("content-type: application/problem+json"),
        "{answer}"
    );
    assert!(
        lower.contains("x-content-type-options: nosniff"),
        "{answer}"
    );
    assert!(lower.contains("x-request-id: "), "{answer}");
    assert!(answer.contains("took longer than 0.5 seconds"), "{answer}");
}

#[tokio::test]
async fn uploads_over_the_concurrency_cap_get_503_with_retry_after() {
    let app = TestApp::spawn_with(&[("NEWSROOM_MAX_CONCURRENT_UPLOADS", "1")]).await;
    let admin = app.admin().await;
    // An upload that holds the only slot: its body never finishes.
    let head = format!(
        "POST /api/v1/images HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 100000\r\n\r\n",
        admin.token()
    );
    let open_holder = || {
        raw_exchange(
            &app.address,
            &head,
            b"--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\n",
            true,
        )
    };
    let mut holder = open_holder();
    let png = newsroom::media::image::test_support::png(20, 20);
    let try_upload = || {
        let form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(png.clone()).file_name("b.png"),
        );
        app.request("POST", "/api/v1/images", Some(admin.token()))
            .multipart(form)
            .send()
    };
    // The holder takes the slot once its head is read; until then uploads still pass, and one
    // of them may take the slot first, so that the holder is the one refused: then another.
    let deadline = Instant::now() + Duration::from_secs(20);
    let refused = loop {
        let response = try_upload().await.unwrap();
        if response.status() == 503 {
            break response;
        }
        assert_eq!(response.status(), 201);
        if answered(&holder) {
            holder = open_holder();
        }
        assert!(Instant::now() < deadline, "the cap never refused an upload");
    };
    assert_eq!(header(&refused, "retry-after"), Some("2"));
    let problem = assert_problem(refused, 503).await;
    assert!(problem["detail"].as_str().unwrap().contains("uploads"));

    // Closing the holder frees the slot.
    drop(holder);
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let response = try_upload().await.unwrap();
        if response.status() == 201 {
            break;
        }
        assert_eq!(response.status(), 503);
        assert!(Instant::now() < deadline, "the slot was never freed");
        tokio::task::yield_now().await;
    }
}

/// Row counts of every table, to show a probe changed nothing.
async fn row_counts(database_url: &str) -> BTreeMap<String, i64> {
    #[derive(diesel::QueryableByName)]
    struct Table {
        #[diesel(sql_type = diesel::sql_types::Text)]
        name: String,
    }
    #[derive(diesel::QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = AsyncPgConnection::establish(database_url).await.unwrap();
    let tables: Vec<Table> = diesel::sql_query(
        "SELECT table_name::text AS name FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1",
    )
    .load(&mut conn)
    .await
    .unwrap();
    let mut counts = BTreeMap::new();
    for table in tables {
        let row: Count = diesel::sql_query(format!("SELECT count(*) AS n FROM \"{}\"", table.name))
            .get_result(&mut conn)
            .await
            .unwrap();
        counts.insert(table.name, row.n);
    }
    counts
}

const SQL_PROBES: [&str; 8] = [
    "' OR 1=1--",
    "'; DROP TABLE articles;--",
    "1) OR (1=1",
    "\u{2019} OR \u{2018}1\u{2019}=\u{2018}1",
    "a\0b",
    "%' UNION SELECT password_hash FROM users--",
    "\\'; SELECT pg_sleep(5);--",
    "$1::text",
];

fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[tokio::test]
async fn sql_injection_probes_in_every_parameter_change_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let section = app
        .post_created(&admin, "/api/v1/sections", json!({"name": "Probes"}))
        .await;
    let author = app
        .post_created(&admin, "/api/v1/authors", json!({"name": "Pat Probe"}))
        .await;
    let article = app
        .create_article(
            &admin,
            json!({"headline": "Probe target", "section_id": section["id"],
                "author_ids": [author["id"]], "tags": ["probe"],
                "body": [{"type": "paragraph", "text": "Probe words."}]}),
        )
        .await;
    app.act(&admin, &article, "publish").await;
    upload(&app, &admin, "probe.png", Some("Probe caption")).await;
    let before = row_counts(&app.database_url).await;

    let document: Value = app
        .get("/api-docs/openapi.json")
        .await
        .json()
        .await
        .unwrap();
    let long = format!("'{}", "x".repeat(3000));
    let mut probes: Vec<&str> = SQL_PROBES.to_vec();
    probes.push(&long);
    let mut sent = 0;
    for (template, item) in document["paths"].as_object().unwrap() {
        let Some(get) = item.get("get") else { continue };
        let params = get["parameters"].as_array().cloned().unwrap_or_default();
        let path_params: Vec<String> = params
            .iter()
            .filter(|p| p["in"] == "path")
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect();
        let query_params: Vec<String> = params
            .iter()
            .filter(|p| p["in"] == "query")
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect();
        // Path parameters stand for ids here: a real article id, else a harmless value.
        let fill = |probe: Option<&str>| {
            let mut path = template.clone();
            for name in &path_params {
                let value = match (probe, name.as_str()) {
                    (Some(p), _) => encode(p),
                    (None, "id") => article.clone(),
                    (None, "slug") => "probe-target".to_owned(),
                    (None, _) => "1".to_owned(),
                };
                path = path.replace(&format!("{{{name}}}"), &value);
            }
            path
        };
        let mut urls = Vec::new();
        for probe in &probes {
            if !path_params.is_empty() {
                urls.push(fill(Some(probe)));
            }
            for name in &query_params {
                urls.push(format!("{}?{name}={}", fill(None), encode(probe)));
            }
        }
        for url in urls {
            let response = app.get_as(&url, admin.token()).await;
            let status = response.status().as_u16();
            assert!(status < 500, "GET {url}: {status}");
            if status >= 400 {
                assert_problem(response, status).await;
            }
            sent += 1;
        }
    }
    assert!(sent > 300, "only {sent} probes were sent");
    // The same character in a JSON body.
    let response = app
        .post_json(
            "/api/v1/articles",
            Some(admin.token()),
            &json!({"headline": "nul \u{0} inside"}),
        )
        .await;
    assert_problem(response, 422).await;
    assert_eq!(row_counts(&app.database_url).await, before);
    let response = app.get("/api/v1/public/articles/probe-target").await;
    assert_eq!(response.status(), 200);
}

const XSS: [&str; 13] = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">click</a>",
    "<svg onload=alert(1)>",
    "<a href=\"https://example.org/\" onclick=\"alert(1)\">x</a>",
    "\"><script>alert(1)</script>",
    "<a href='https://example.org/\"onmouseover=\"alert(1)'>x</a>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<style>@import 'https://evil.example/x.css'</style>",
    "<<script>alert(1)//<</script>",
];

/// The start tags of serialised markup, with their attributes (name, value).
fn start_tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
    let mut tags = Vec::new();
    let bytes = html.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' || !bytes.get(i + 1).is_some_and(u8::is_ascii_alphabetic) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < bytes.len() && !bytes[j].is_ascii_whitespace() && bytes[j] != b'>' {
            j += 1;
        }
        let name = html[i + 1..j].trim_end_matches('/').to_ascii_lowercase();
        let mut attributes = Vec::new();
        loop {
            while j < bytes.len() && (bytes[j].is_ascii_whitespace() || bytes[j] == b'/') {
                j += 1;
            }
            if j >= bytes.len() || bytes[j] == b'>' {
                break;
            }
            let start = j;
            while j < bytes.len() && !b" \t\n=>".contains(&bytes[j]) {
                j += 1;
            }
            let attribute = html[start..j].to_ascii_lowercase();
            let mut value = String::new();
            if bytes.get(j) == Some(&b'=') {
                j += 1;
                let quote = bytes.get(j).copied();
                if matches!(quote, Some(b'"') | Some(b'\'')) {
                    let end = html[j + 1..].find(quote.unwrap() as char).unwrap() + j + 1;
                    value = html[j + 1..end].to_owned();
                    j = end + 1;
                } else {
                    let start = j;
                    while j < bytes.len() && !bytes[j].is_ascii_whitespace() && bytes[j] != b'>' {
                        j += 1;
                    }
                    value = html[start..j].to_owned();
                }
            }
            attributes.push((attribute, value));
        }
        tags.push((name, attributes));
        i = j;
    }
    tags
}

/// Inline markup: only the four inline tags, links only to http(s) or mail.
fn assert_safe_inline(html: &str, what: &str) {
    for (tag, attributes) in start_tags(html) {
        assert!(
            ["em", "strong", "a", "br", "mark"].contains(&tag.as_str()),
            "{what}: <{tag}> in {html}"
        );
        for (name, value) in attributes {
            assert!(
                ["href", "rel"].contains(&name.as_str()),
                "{what}: attribute {name} in {html}"
            );
            if name == "href" {
                let v = value.to_ascii_lowercase();
                assert!(
                    v.starts_with("https://")
                        || v.starts_with("http://")
                        || v.starts_with("mailto:"),
                    "{what}: link to {value} in {html}"
                );
            }
        }
    }
}

/// Richer markup (editors' HTML embeds): nothing that runs script.
fn assert_no_script(html: &str, what: &str) {
    for (tag, attributes) in start_tags(html) {
        assert!(
            ![
                "script", "style", "svg", "math", "object", "embed", "base", "meta", "link"
            ]
            .contains(&tag.as_str()),
            "{what}: <{tag}> in {html}"
        );
        for (name, value) in attributes {
            assert!(
                !name.starts_with("on") && name != "srcdoc",
                "{what}: {name} in {html}"
            );
            let v = value.to_ascii_lowercase();
            assert!(
                !v.contains("javascript:") && !v.starts_with("data:"),
                "{what}: {name}={value} in {html}"
            );
        }
    }
}

#[test]
fn the_markup_checks_catch_what_they_look_for() {
    let caught = |f: fn(&str, &str), html: &'static str| {
        std::panic::catch_unwind(move || f(html, "sample")).is_err()
    };
    assert!(caught(assert_safe_inline, "<img src=x onerror=alert(1)>"));
    assert!(caught(assert_safe_inline, "<a href=\"javascript:x\">x</a>"));
    assert!(caught(
        assert_safe_inline,
        "<a href=\"https://e.org\" onclick=x>x</a>"
    ));
    assert!(caught(assert_no_script, "<svg onload=alert(1)>"));
    assert!(caught(assert_no_script, "<p onclick='x'>a</p>"));
    assert!(!caught(
        assert_safe_inline,
        "a &lt;script&gt; <em>b</em> <a href=\"https://e.org/\" rel=\"noopener\">c</a>"
    ));
}

#[tokio::test]
async fn stored_xss_does_not_survive_into_any_field_rendered_as_markup() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    let nasty = XSS.join(" ");
    let image = upload(&app, &editor, "x.png", Some(&format!("Caption {nasty}"))).await;
    let author = app
        .post_created(
            &editor,
            "/api/v1/authors",
            json!({"name": "Xavier Ess", "bio": format!("Bio {nasty}")}),
        )
        .await;
    let embed = app
        .post_created(
            &editor,
            "/api/v1/embeds",
            json!({"kind": "html", "html": format!("<p>Embed {nasty}</p>")}),
        )
        .await;
    let mut body: Vec<Value> = XSS
        .iter()
        .enumerate()
        .map(|(n, x)| json!({"type": "paragraph", "text": format!("Payload {n} {x}")}))
        .collect();
    body.push(json!({"type": "quote", "text": format!("Quote {nasty}"), "attribution": nasty}));
    body.push(json!({"type": "list", "ordered": false,
        "items": XSS.iter().map(|x| format!("Item {x}")).collect::<Vec<_>>()}));
    // The image's own caption, then an override.
    body.push(json!({"type": "image", "image_id": image["id"]}));
    body.push(
        json!({"type": "image", "image_id": image["id"], "caption": format!("Override {nasty}")}),
    );
    body.push(json!({"type": "embed", "embed_id": embed["id"]}));
    let article = app
        .create_article(
            &editor,
            json!({
                "headline": "Xss probe <script>alert(1)</script>",
                "slug": "xss-probe",
                "dek": format!("Dek {nasty}"),
                "author_ids": [author["id"]],
                "featured_image": {"image_id": image["id"], "caption": format!("Hero {nasty}")},
                "body": body,
            }),
        )
        .await;
    app.act(&editor, &article, "publish").await;
    let response = app.get("/api/v1/public/articles/xss-probe").await;
    assert_eq!(response.status(), 200);
    let page: Value = response.json().await.unwrap();

    let mut checked = 0;
    let inline = |html: &Value, what: &str| {
        let html = html
            .as_str()
            .unwrap_or_else(|| panic!("{what} missing: {page}"));
        assert_safe_inline(html, what);
        1
    };
    checked += inline(&page["featured_image"]["caption"], "hero caption");
    for (n, block) in page["body"].as_array().unwrap().iter().enumerate() {
        match block["type"].as_str().unwrap() {
            "paragraph" | "quote" => checked += inline(&block["text"], &format!("block {n}")),
            "list" => {
                for item in block["items"].as_array().unwrap() {
                    checked += inline(item, &format!("list item in block {n}"));
                }
            }
            "image" => {
                checked += inline(&block["image"]["caption"], &format!("caption of block {n}"));
            }
            "embed" => {
                let html = block["embed"]["html"].as_str().unwrap();
                assert_no_script(html, "html embed");
                checked += 1;
            }
            other => panic!("unexpected block {other}"),
        }
    }
    // Hero, paragraphs, quote, list items, two image captions, the embed.
    assert_eq!(checked, 1 + XSS.len() + 1 + XSS.len() + 2 + 1, "{page}");

    // Search answers headline and snippets as markup, with <mark> around matches.
    let results: Value = app
        .get("/api/v1/public/search?q=xss%20probe")
        .await
        .json()
        .await
        .unwrap();
    let hit = &results["items"][0];
    let mut fields = 0;
    for (name, value) in hit.as_object().unwrap() {
        if name.ends_with("_html") || name == "snippet" {
            assert_safe_inline(value.as_str().unwrap(), name);
            fields += 1;
        }
    }
    assert!(fields > 0, "no markup field in {hit}");
}

fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(files_under(&path));
            } else {
                out.push(path);
            }
        }
    }
    out
}

#[tokio::test]
async fn path_traversal_in_file_names_and_image_ids_goes_nowhere() {
    let base = tempfile::tempdir().unwrap();
    let media = base.path().join("deep").join("media");
    let app = TestApp::spawn_with(&[("NEWSROOM_MEDIA_DIR", media.to_str().unwrap())]).await;
    let writer = app.user("writer").await;
    let marker = format!("escape-{}", uuid::Uuid::new_v4().simple());
    for name in [
        format!("../../{marker}.png"),
        format!("..%2f..%2f{marker}.png"),
        format!("/tmp/{marker}.png"),
        format!("..\\..\\{marker}.png"),
    ] {
        let image = upload(&app, &writer, &name, None).await;
        assert!(image["id"].is_string());
    }
    for file in files_under(base.path()) {
        assert!(
            file.starts_with(&media),
            "{} outside the media dir",
            file.display()
        );
        assert!(
            !file.to_string_lossy().contains(&marker),
            "a client's file name reached the disk: {}",
            file.display()
        );
    }
    assert!(!Path::new(&format!("/tmp/{marker}.png")).exists());

    let image = upload(&app, &writer, "ok.png", None).await;
    let id = image["id"].as_str().unwrap();
    for url in [
        "/api/v1/public/images/..%2f..%2f..%2fetc%2fpasswd/file".to_owned(),
        "/api/v1/public/images/%2e%2e%2f%2e%2e%2fetc%2fpasswd/file".to_owned(),
        "/api/v1/public/images/%2Fetc%2Fpasswd/file".to_owned(),
        format!("/api/v1/public/images/{id}/file?w=..%2f..%2fetc%2fpasswd"),
        format!("/api/v1/public/images/{id}/file?w=%2Fetc%2Fpasswd"),
        "/api/v1/images/..%2F..%2Fetc%2Fpasswd".to_owned(),
    ] {
        let response = app.get_as(&url, writer.token()).await;
        let body = assert_client_problem(response, &url).await;
        assert!(!body.to_string().contains("root:"), "{url}");
    }
    // reqwest resolves `..`; a raw request sends it as written.
    let stream = raw_exchange(
        &app.address,
        "GET /api/v1/public/images/../../../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        b"",
        false,
    );
    let answer = tokio::task::spawn_blocking(move || read_answer(stream, Duration::from_secs(20)))
        .await
        .unwrap();
    assert!(answer.starts_with("HTTP/1.1 4"), "{answer}");
    assert!(!answer.contains("root:"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
}

#[tokio::test]
async fn fields_a_caller_may_not_set_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let writer = app.user_created_by(&admin, "writer").await;
    let forced = [
        ("status", json!("published")),
        ("id", json!(uuid::Uuid::new_v4())),
        ("published_at", json!("2020-01-01T00:00:00Z")),
        ("created_by", json!(admin.id)),
        ("version", json!(99)),
        ("role", json!("admin")),
    ];
    for (field, value) in &forced {
        let mut body = json!({"headline": format!("Forced {field}")});
        body[field] = value.clone();
        let response = app
            .post_json("/api/v1/articles", Some(writer.token()), &body)
            .await;
        let problem = assert_client_problem(response, field).await;
        assert!(problem.to_string().contains(field), "{field}: {problem}");
    }
    let list: Value = app
        .get_as("/api/v1/articles", writer.token())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 0, "{list}");

    let draft = app
        .create_article(&writer, json!({"headline": "Own draft"}))
        .await;
    for (field, value) in &forced {
        let response = app
            .request(
                "PATCH",
                &format!("/api/v1/articles/{draft}"),
                Some(writer.token()),
            )
            .header("if-match", "*")
            .json(&serde_json::Map::from_iter([(
                field.to_string(),
                value.clone(),
            )]))
            .send()
            .await
            .unwrap();
        assert_client_problem(response, field).await;
    }
    let article: Value = app
        .get_as(&format!("/api/v1/articles/{draft}"), writer.token())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(article["status"], "draft");
    assert_eq!(article["version"], 1);

    // A writer cannot promote itself; an admin cannot smuggle fields into a new account.
    let response = app
        .request(
            "PATCH",
            &format!("/api/v1/users/{}", writer.id),
            Some(writer.token()),
        )
        .json(&json!({"role": "admin"}))
        .send()
        .await
        .unwrap();
    assert_problem(response, 403).await;
    let me: Value = app
        .get_as("/api/v1/auth/me", writer.token())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["role"], "writer");
    let response = app
        .post_json(
            "/api/v1/users",
            Some(admin.token()),
            &json!({"email": "smuggle@newsroom.test", "password": "long enough password",
                "name": "Smuggler", "role": "writer", "id": uuid::Uuid::nil(), "active": false}),
        )
        .await;
    let problem = assert_client_problem(response, "user with id").await;
    assert!(problem.to_string().contains("id"), "{problem}");
}

#[tokio::test]
async fn a_writer_bylines_only_itself_and_keeps_whom_an_editor_added() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let writer = app.user_created_by(&admin, "writer").await;
    let colleague = app.user_created_by(&admin, "writer").await;
    let profile = async |name: &str, user: Option<&str>| {
        let body = json!({"name": name, "user_id": user});
        app.post_created(&admin, "/api/v1/authors", body).await["id"].clone()
    };
    let own = profile("Wanda Writer", Some(&writer.id)).await;
    let other = profile("Colin Colleague", Some(&colleague.id)).await;
    let freelancer = profile("Fran Freelance", None).await;

    // Creating: somebody else's profile, whether alone, beside one's own or with a role.
    for body in [
        json!({"headline": "Impersonation", "author_ids": [other]}),
        json!({"headline": "Impersonation", "author_ids": [own, freelancer]}),
        json!({"headline": "Impersonation", "bylines": [{"author_id": other, "role": "Reporting"}]}),
    ] {
        let response = app
            .post_json("/api/v1/articles", Some(writer.token()), &body)
            .await;
        let problem = assert_problem(response, 403).await;
        assert!(
            problem["detail"].as_str().unwrap().contains("author_ids"),
            "{problem}"
        );
    }
    assert_eq!(listed(&app, &writer, "").await.len(), 0);

    let draft = app
        .create_article(&writer, json!({"headline": "Mine", "author_ids": [own]}))
        .await;
    let path = format!("/api/v1/articles/{draft}");
    let patch = async |user: &TestUser, body: Value| {
        app.request("PATCH", &path, Some(user.token()))
            .header("if-match", "*")
            .json(&body)
            .send()
            .await
            .unwrap()
    };
    let current = async || -> Value {
        let article: Value = app
            .get_as(&path, writer.token())
            .await
            .json()
            .await
            .unwrap();
        article
    };
    let response = patch(&writer, json!({"author_ids": [own, other]})).await;
    assert_problem(response, 403).await;
    // An editor adds a colleague; the writer may keep them, reorder, and drop them again.
    let response = patch(&admin, json!({"author_ids": [own, other]})).await;
    assert_eq!(response.status(), 200);
    let keep = json!({"author_ids": [other, own], "dek": "Reordered"});
    assert_eq!(patch(&writer, keep).await.status(), 200);
    let response = patch(&writer, json!({"author_ids": [own]})).await;
    assert_eq!(response.status(), 200);
    let response = patch(&writer, json!({"author_ids": [own, other]})).await;
    assert_problem(response, 403).await;
    let article = current().await;
    assert_eq!(article["author_ids"], json!([own]));
    assert_eq!(article["dek"], "Reordered");

    // Nor through a save point: restoring one from when an editor had added the colleague
    // would put them back, so it is refused and nothing changes.
    let response = patch(&admin, json!({"author_ids": [own, other]})).await;
    assert_eq!(response.status(), 200);
    let note = json!({"note": "with Colin"});
    let point = app
        .post_created(&writer, &format!("{path}/revisions"), note)
        .await;
    let response = patch(&admin, json!({"author_ids": [own]})).await;
    assert_eq!(response.status(), 200);
    let restore = async |user: &TestUser| {
        let url = format!("{path}/revisions/{}/restore", point["number"]);
        let request = app.request("POST", &url, Some(user.token()));
        request.header("if-match", "*").send().await.unwrap()
    };
    assert_problem(restore(&writer).await, 403).await;
    assert_eq!(current().await["author_ids"], json!([own]));
    assert_eq!(restore(&admin).await.status(), 200);
    assert_eq!(current().await["author_ids"], json!([own, other]));
}

#[tokio::test]
async fn embeds_show_a_writer_nothing_of_articles_it_may_not_read() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let writer = app.user_created_by(&admin, "writer").await;
    let embed = app
        .post_created(
            &writer,
            "/api/v1/embeds",
            json!({"kind": "external", "url": "https://youtu.be/dQw4w9WgXcQ"}),
        )
        .await;
    let secret = app
        .create_article(
            &admin,
            json!({"headline": "Secret merger plans",
                "body": [{"type": "embed", "embed_id": embed["id"]}]}),
        )
        .await;
    let path = format!("/api/v1/embeds/{}", embed["id"].as_str().unwrap());
    let response = app
        .request("DELETE", &path, Some(writer.token()))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(response, 409).await;
    let detail = problem["detail"].as_str().unwrap();
    assert!(detail.contains("1 article"), "{detail}");
    assert!(
        !detail.contains("Secret") && !detail.contains(&secret),
        "{detail}"
    );
    let response = app
        .request("DELETE", &path, Some(admin.token()))
        .send()
        .await
        .unwrap();
    let problem = assert_problem(response, 409).await;
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("Secret merger plans")
    );

    // A teaser card of the hidden draft is hidden with it, in the list and by id.
    let teaser = app
        .post_created(
            &admin,
            "/api/v1/embeds",
            json!({"kind": "article", "article_id": secret, "headline": "Merger teaser"}),
        )
        .await;
    let teaser_path = format!("/api/v1/embeds/{}", teaser["id"].as_str().unwrap());
    let listed_embeds = async |user: &TestUser| -> Vec<Value> {
        let page: Value = app
            .get_as("/api/v1/embeds?limit=100", user.token())
            .await
            .json()
            .await
            .unwrap();
        page["items"].as_array().unwrap().clone()
    };
    let writers = listed_embeds(&writer).await;
    assert_eq!(writers.len(), 1, "only the writer's own embed: {writers:?}");
    assert_eq!(listed_embeds(&admin).await.len(), 2);
    let response = app.get_as(&teaser_path, writer.token()).await;
    assert_problem(response, 404).await;
    app.act(&admin, &secret, "publish").await;
    assert_eq!(listed_embeds(&writer).await.len(), 2);
    let response = app.get_as(&teaser_path, writer.token()).await;
    assert_eq!(response.status(), 200);
}

/// The ids in one page of the management list, as `user` sees it.
async fn listed(app: &TestApp, user: &TestUser, query: &str) -> Vec<String> {
    let page: Value = app
        .get_as(&format!("/api/v1/articles?limit=100{query}"), user.token())
        .await
        .json()
        .await
        .unwrap();
    item_strings(&page, "id")
}

#[tokio::test]
async fn a_writer_can_neither_read_nor_change_another_writers_draft_by_id() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let editor = app.user_created_by(&admin, "editor").await;
    let alice = app.user_created_by(&admin, "writer").await;
    let bob = app.user_created_by(&admin, "writer").await;
    let draft = app
        .create_article(
            &alice,
            json!({"headline": "Alice's scoop", "body": [{"type": "paragraph", "text": "Mine."}]}),
        )
        .await;
    let path = format!("/api/v1/articles/{draft}");
    app.post_created(
        &alice,
        &format!("{path}/revisions"),
        json!({"note": "first"}),
    )
    .await;
    let link = app
        .post_created(&alice, &format!("{path}/preview-links"), json!({}))
        .await;
    let link_path = format!("{path}/preview-links/{}", link["id"].as_str().unwrap());
    let before: Value = app.get_as(&path, alice.token()).await.json().await.unwrap();

    // What an id nobody has used answers: Bob must not be able to tell the two apart.
    let unknown = app
        .get_as(
            &format!("/api/v1/articles/{}", uuid::Uuid::new_v4()),
            bob.token(),
        )
        .await;
    let unknown = assert_problem(unknown, 404).await;

    let attempts = [
        ("GET", path.clone(), None),
        ("GET", format!("{path}/revisions"), None),
        ("GET", format!("{path}/revisions/1"), None),
        ("GET", format!("{path}/revisions/compare?from=1&to=1"), None),
        ("GET", format!("{path}/preview-links"), None),
        (
            "PATCH",
            path.clone(),
            Some(json!({"headline": "Bob's now"})),
        ),
        ("DELETE", path.clone(), None),
        ("POST", format!("{path}/submit"), None),
        ("POST", format!("{path}/publish"), None),
        ("POST", format!("{path}/archive"), None),
        ("POST", format!("{path}/revisions"), Some(json!({}))),
        ("POST", format!("{path}/revisions/1/restore"), None),
        ("POST", format!("{path}/preview-links"), Some(json!({}))),
        ("DELETE", link_path.clone(), None),
    ];
    let try_all = async |stage: &str| {
        for (method, url, body) in &attempts {
            // A stale tag: the article's existence must not show through a 412 either.
            let mut request = app
                .request(method, url, Some(bob.token()))
                .header("if-match", "\"v999\"");
            if let Some(body) = body {
                request = request.json(body);
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            assert_eq!(status, 404, "{method} {url} by another writer ({stage})");
            let problem = assert_problem(response, 404).await;
            assert_eq!(problem["detail"], unknown["detail"], "{method} {url}");
        }
    };
    try_all("draft").await;
    assert!(!listed(&app, &bob, "").await.contains(&draft));
    assert!(!listed(&app, &bob, "&status=draft").await.contains(&draft));
    assert!(listed(&app, &alice, "").await.contains(&draft));
    assert!(
        listed(&app, &editor, "&status=draft")
            .await
            .contains(&draft)
    );

    // In review it is still Alice's: Bob sees nothing.
    app.act(&alice, &draft, "submit").await;
    try_all("in review").await;
    assert!(!listed(&app, &bob, "").await.contains(&draft));
    let after: Value = app.get_as(&path, alice.token()).await.json().await.unwrap();
    assert_eq!(after["headline"], before["headline"]);
    assert_eq!(after["body"], before["body"]);
    let links: Value = app
        .get_as(&format!("{path}/preview-links"), alice.token())
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(links[0]["id"], link["id"]);
    assert!(links[0]["revoked_at"].is_null(), "{links}");

    // Published, its text is public: Bob reads it and finds it in the list, but may not change it.
    app.act(&editor, &draft, "publish").await;
    let response = app.get_as(&path, bob.token()).await;
    assert_eq!(response.status(), 200);
    assert!(listed(&app, &bob, "").await.contains(&draft));
    let response = app
        .request("PATCH", &path, Some(bob.token()))
        .header("if-match", "*")
        .json(&json!({"headline": "Bob's now"}))
        .send()
        .await
        .unwrap();
    assert_problem(response, 403).await;
}
