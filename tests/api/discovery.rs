//! Search, author pages, sections, tags, RSS and the sitemap — and, across every public
//! endpoint, that nothing unpublished shows.

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser, assert_problem, headlines};

async fn published(app: &TestApp, editor: &TestUser, body: Value) -> String {
    let id = app.create_article(editor, body).await;
    app.act(editor, &id, "publish").await;
    id
}

fn paragraph(text: &str) -> Value {
    json!([{"type": "paragraph", "text": text}])
}

async fn ok_json(app: &TestApp, path: &str) -> Value {
    let response = app.get(path).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.json().await.unwrap()
}

#[tokio::test]
async fn search_ranks_headline_matches_first_and_highlights_them() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    published(
        &app,
        &editor,
        json!({"headline": "Flood warnings along the river", "body": paragraph("Residents were told to leave.")}),
    )
    .await;
    published(
        &app,
        &editor,
        json!({"headline": "Weekend weather", "body": paragraph("Rain, and a small risk of flooding where x < y & the banks are low.")}),
    )
    .await;
    published(
        &app,
        &editor,
        json!({"headline": "Budget vote", "body": paragraph("Nothing about water here.")}),
    )
    .await;
    app.create_article(&editor, json!({"headline": "Flood draft never shown"}))
        .await;

    // English stemming: "floods" finds "Flood" and "flooding".
    let hits = ok_json(&app, "/api/v1/public/search?q=floods").await;
    assert_eq!(
        headlines(&hits),
        ["Flood warnings along the river", "Weekend weather"]
    );
    let items = hits["items"].as_array().unwrap();
    assert!(items[0]["rank"].as_f64().unwrap() > items[1]["rank"].as_f64().unwrap());
    assert_eq!(
        items[0]["headline_html"],
        "<mark>Flood</mark> warnings along the river"
    );
    let snippet = items[1]["snippet_html"].as_str().unwrap();
    assert!(snippet.contains("<mark>flooding</mark>"), "{snippet}");
    assert!(snippet.contains("x &lt; y &amp; the"), "{snippet}");
    // Cards carry what the feed's do.
    assert!(items[0]["slug"].is_string() && items[0]["published_at"].is_string());

    // Web-search syntax: exclusion, phrases, or.
    let hits = ok_json(&app, "/api/v1/public/search?q=flood%20-river").await;
    assert_eq!(headlines(&hits), ["Weekend weather"]);
    let hits = ok_json(
        &app,
        "/api/v1/public/search?q=%22budget%20vote%22%20or%20rain",
    )
    .await;
    assert_eq!(hits["items"].as_array().unwrap().len(), 2);
    let hits = ok_json(&app, "/api/v1/public/search?q=the").await;
    assert!(hits["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn search_is_language_aware_and_pages_by_cursor() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    published(
        &app,
        &editor,
        json!({"headline": "Повінь у Херсоні", "language": "uk", "body": paragraph("Вода прибуває.")}),
    )
    .await;
    published(
        &app,
        &editor,
        json!({"headline": "Hochwasser am Rhein", "language": "de", "body": paragraph("Die Pegel steigen.")}),
    )
    .await;
    // Older, but the word is in their headlines: they lead.
    for headline in ["Postal votes arrive", "Votes recounted in the north"] {
        published(
            &app,
            &editor,
            json!({"headline": headline, "body": paragraph("Clerks worked late.")}),
        )
        .await;
    }
    for n in 0..5 {
        published(
            &app,
            &editor,
            json!({"headline": format!("Election night {n}"), "body": paragraph("Votes are counted.")}),
        )
        .await;
    }
    let hits = ok_json(
        &app,
        "/api/v1/public/search?q=%D0%BF%D0%BE%D0%B2%D1%96%D0%BD%D1%8C",
    )
    .await;
    assert_eq!(headlines(&hits), ["Повінь у Херсоні"]);
    // German stemming: "Pegel" matches, and the language filter narrows.
    let hits = ok_json(&app, "/api/v1/public/search?q=pegel&language=de").await;
    assert_eq!(headlines(&hits), ["Hochwasser am Rhein"]);
    let hits = ok_json(&app, "/api/v1/public/search?q=pegel&language=en").await;
    assert!(hits["items"].as_array().unwrap().is_empty());

    // Pages of two cross from headline matches to body-only matches without a gap or a repeat.
    let mut seen = Vec::new();
    let mut ranks = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/public/search?q=votes&limit=2&cursor={c}"),
            None => "/api/v1/public/search?q=votes&limit=2".to_owned(),
        };
        let page = ok_json(&app, &path).await;
        seen.extend(headlines(&page));
        for item in page["items"].as_array().unwrap() {
            ranks.push(item["rank"].as_f64().unwrap());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let mut leaders = seen[..2].to_vec();
    leaders.sort();
    assert_eq!(
        leaders,
        ["Postal votes arrive", "Votes recounted in the north"]
    );
    assert_eq!(
        seen[2..],
        [
            "Election night 4",
            "Election night 3",
            "Election night 2",
            "Election night 1",
            "Election night 0"
        ],
        "body-only matches follow, newest first"
    );
    assert!(ranks[..2].iter().all(|r| *r > 0.0), "{ranks:?}");
    assert!(ranks[2..].iter().all(|r| *r == 0.0), "{ranks:?}");
}

#[tokio::test]
async fn bad_search_input_is_a_problem_not_a_failure() {
    let app = TestApp::spawn().await;
    for query in [
        "",
        "?q=",
        "?q=%20%20",
        "?q=a&language=english",
        "?q=a&limit=0",
        "?q=a&cursor=zzz",
    ] {
        assert_problem(app.get(&format!("/api/v1/public/search{query}")).await, 400).await;
    }
    let long = "a".repeat(201);
    assert_problem(
        app.get(&format!("/api/v1/public/search?q={long}")).await,
        400,
    )
    .await;
    // Operators alone, quotes, and SQL are just text.
    for q in [
        "%22",
        "-",
        "or",
        "%27%3B%20DROP%20TABLE%20articles%3B--",
        "%21%21%26%7C",
    ] {
        let response = app.get(&format!("/api/v1/public/search?q={q}")).await;
        assert_eq!(response.status(), 200, "q={q}");
    }
}

#[tokio::test]
async fn an_author_page_lists_their_published_articles() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    let ana = app.post_created(&editor,
        "/api/v1/authors",
        json!({"name": "Ana Lima", "bio": "Covers courts.", "links": [{"label": "Web", "url": "https://ana.example.org"}]}),
    )
    .await;
    for n in 0..3 {
        published(
            &app,
            &editor,
            json!({"headline": format!("Court story {n}"), "author_ids": [ana["id"]]}),
        )
        .await;
    }
    app.create_article(
        &editor,
        json!({"headline": "Unfinished court story", "author_ids": [ana["id"]]}),
    )
    .await;
    published(&app, &editor, json!({"headline": "Someone else's"})).await;

    let response = app.get("/api/v1/public/authors/ana-lima?limit=2").await;
    assert_eq!(response.status(), 200);
    let keys = response.headers()["surrogate-key"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(keys.contains(&format!("author:{}", ana["id"].as_str().unwrap())));
    let page: Value = response.json().await.unwrap();
    assert_eq!(page["author"]["name"], "Ana Lima");
    assert_eq!(page["author"]["bio"], "Covers courts.");
    assert_eq!(page["author"]["links"][0]["url"], "https://ana.example.org");
    assert!(page["author"].get("email").is_none());
    assert_eq!(
        headlines(&page["articles"]),
        ["Court story 2", "Court story 1"]
    );
    let cursor = page["articles"]["next_cursor"].as_str().unwrap();
    let rest = ok_json(
        &app,
        &format!("/api/v1/public/authors/ana-lima?limit=2&cursor={cursor}"),
    )
    .await;
    assert_eq!(headlines(&rest["articles"]), ["Court story 0"]);
    assert!(rest["articles"]["next_cursor"].is_null());

    assert_problem(app.get("/api/v1/public/authors/nobody").await, 404).await;
    let response = app
        .request(
            "PATCH",
            &format!("/api/v1/authors/{}", ana["id"].as_str().unwrap()),
            Some(editor.token()),
        )
        .json(&json!({"active": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_problem(app.get("/api/v1/public/authors/ana-lima").await, 404).await;
}

#[tokio::test]
async fn sections_and_tags_are_listed_for_navigation() {
    let app = TestApp::spawn().await;
    let editor = app.user("editor").await;
    app.post_created(
        &editor,
        "/api/v1/sections",
        json!({"name": "World", "position": 2}),
    )
    .await;
    app.post_created(
        &editor,
        "/api/v1/sections",
        json!({"name": "Politics", "position": 1, "description": "Power"}),
    )
    .await;
    let sections = ok_json(&app, "/api/v1/public/sections").await;
    assert_eq!(sections["items"][0]["slug"], "politics");
    assert_eq!(sections["items"][0]["description"], "Power");
    assert_eq!(sections["items"][1]["name"], "World");

    published(
        &app,
        &editor,
        json!({"headline": "A", "tags": ["Climate", "Energy"]}),
    )
    .await;
    let b = published(&app, &editor, json!({"headline": "B", "tags": ["Climate"]})).await;
    app.create_article(&editor, json!({"headline": "C", "tags": ["Secret plans"]}))
        .await;
    let tags = ok_json(&app, "/api/v1/public/tags").await;
    assert_eq!(
        tags["items"],
        json!([{"tag": "climate", "article_count": 2}, {"tag": "energy", "article_count": 1}])
    );
    let one = ok_json(&app, "/api/v1/public/tags?limit=1").await;
    assert_eq!(one["items"].as_array().unwrap().len(), 1);

    // Counts follow republished tags and unpublishing; an edit not yet published is not
    // counted, and a tag nobody carries any more leaves the list.
    let response = app
        .request(
            "PATCH",
            &format!("/api/v1/articles/{b}"),
            Some(editor.token()),
        )
        .header("if-match", "*")
        .json(&json!({"tags": ["Energy", "Floods"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let tags = ok_json(&app, "/api/v1/public/tags").await;
    assert_eq!(
        tags["items"][0],
        json!({"tag": "climate", "article_count": 2})
    );
    app.act(&editor, &b, "publish").await;
    let tags = ok_json(&app, "/api/v1/public/tags").await;
    assert_eq!(
        tags["items"],
        json!([
            {"tag": "energy", "article_count": 2},
            {"tag": "climate", "article_count": 1},
            {"tag": "floods", "article_count": 1}
        ])
    );
    app.act(&editor, &b, "unpublish").await;
    let tags = ok_json(&app, "/api/v1/public/tags").await;
    assert_eq!(
        tags["items"],
        json!([{"tag": "climate", "article_count": 1}, {"tag": "energy", "article_count": 1}])
    );
    assert_problem(app.get("/api/v1/public/tags?limit=501").await, 400).await;
}

fn child<'a>(node: roxmltree::Node<'a, 'a>, name: &str) -> roxmltree::Node<'a, 'a> {
    node.children()
        .find(|n| n.tag_name().name() == name)
        .unwrap_or_else(|| panic!("<{}> has no <{name}>", node.tag_name().name()))
}

#[tokio::test]
async fn rss_is_valid_rss_2_per_site_and_per_section() {
    let app = TestApp::spawn_with(&[
        ("NEWSROOM_SITE_TITLE", "Daily <Example>"),
        (
            "NEWSROOM_ARTICLE_URL",
            "https://news.example.org/story/{slug}",
        ),
    ])
    .await;
    let editor = app.user("editor").await;
    let section = app
        .post_created(&editor, "/api/v1/sections", json!({"name": "Science"}))
        .await;
    let author = app
        .post_created(&editor, "/api/v1/authors", json!({"name": "Ana Lima"}))
        .await;
    published(
        &app,
        &editor,
        json!({"headline": "Comet & moon", "dek": "A <rare> sight", "tags": ["space"], "section_id": section["id"], "author_ids": [author["id"]]}),
    )
    .await;
    published(&app, &editor, json!({"headline": "Tax rise"})).await;
    app.create_article(&editor, json!({"headline": "Draft"}))
        .await;

    let response = app.get("/api/v1/public/feed.rss").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/rss+xml; charset=utf-8"
    );
    assert!(response.headers().contains_key("last-modified"));
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    let xml = response.text().await.unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let rss = doc.root_element();
    assert_eq!(rss.tag_name().name(), "rss");
    assert_eq!(rss.attribute("version"), Some("2.0"));
    let channel = child(rss, "channel");
    assert_eq!(child(channel, "title").text(), Some("Daily <Example>"));
    assert!(child(channel, "link").text().unwrap().starts_with("http"));
    assert!(child(channel, "description").text().is_some());
    let items: Vec<_> = channel
        .children()
        .filter(|n| n.has_tag_name("item"))
        .collect();
    assert_eq!(items.len(), 2);
    let comet = items[1];
    assert_eq!(child(comet, "title").text(), Some("Comet & moon"));
    assert_eq!(child(comet, "description").text(), Some("A <rare> sight"));
    assert_eq!(
        child(comet, "link").text(),
        Some("https://news.example.org/story/comet-moon")
    );
    assert_eq!(child(comet, "category").text(), Some("space"));
    assert_eq!(child(comet, "creator").text(), Some("Ana Lima"));
    let date = child(comet, "pubDate").text().unwrap();
    chrono::DateTime::parse_from_rfc2822(date).expect("RFC 822 date");
    assert!(
        child(comet, "guid")
            .text()
            .unwrap()
            .starts_with("urn:uuid:")
    );

    let section_feed = app.get("/api/v1/public/feed.rss?section=science").await;
    let xml = section_feed.text().await.unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let items = doc.descendants().filter(|n| n.has_tag_name("item")).count();
    assert_eq!(items, 1);
    assert_problem(app.get("/api/v1/public/feed.rss?section=nope").await, 404).await;

    let again = app
        .request("GET", "/api/v1/public/feed.rss", None)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
}

#[tokio::test]
async fn the_sitemap_is_a_valid_index_of_valid_sitemaps() {
    let app = TestApp::spawn_with(&[
        ("NEWSROOM_PUBLIC_API_URL", "https://api.example.org"),
        ("NEWSROOM_ARTICLE_URL", "https://news.example.org/{slug}"),
    ])
    .await;
    let editor = app.user("editor").await;
    published(&app, &editor, json!({"headline": "First story"})).await;
    published(&app, &editor, json!({"headline": "Second story"})).await;
    app.create_article(&editor, json!({"headline": "Hidden draft"}))
        .await;

    let response = app.get("/api/v1/public/sitemap.xml").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["content-type"],
        "application/xml; charset=utf-8"
    );
    let xml = response.text().await.unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let index = doc.root_element();
    assert_eq!(index.tag_name().name(), "sitemapindex");
    assert_eq!(
        index.tag_name().namespace(),
        Some("http://www.sitemaps.org/schemas/sitemap/0.9")
    );
    let locs: Vec<_> = index
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(locs, ["https://api.example.org/api/v1/public/sitemaps/1"]);

    let xml = app
        .get("/api/v1/public/sitemaps/1")
        .await
        .text()
        .await
        .unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    assert_eq!(doc.root_element().tag_name().name(), "urlset");
    let urls: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("url"))
        .map(|u| {
            let lastmod = child(u, "lastmod").text().unwrap();
            chrono::DateTime::parse_from_rfc3339(lastmod).expect("W3C datetime");
            child(u, "loc").text().unwrap().to_owned()
        })
        .collect();
    assert_eq!(
        urls,
        [
            "https://news.example.org/first-story",
            "https://news.example.org/second-story"
        ]
    );
    assert_problem(app.get("/api/v1/public/sitemaps/2").await, 404).await;
    assert_problem(app.get("/api/v1/public/sitemaps/0").await, 404).await;
    assert_problem(app.get("/api/v1/public/sitemaps/x").await, 400).await;
}
