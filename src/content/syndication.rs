//! RSS 2.0 channels and sitemaps (sitemaps.org 0.9), written as text: the formats are small and
//! fixed, and every value passes through [`escape`].

use std::fmt::Write;

use chrono::{DateTime, SecondsFormat, Utc};

/// Escapes text for XML content and attribute values; drops characters XML 1.0 forbids.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// An RSS channel.
#[derive(Debug)]
pub struct Channel<'a> {
    /// Title, e.g. the site's name and the section's.
    pub title: &'a str,
    /// The site (or section) page.
    pub link: &'a str,
    /// One sentence about the channel.
    pub description: &'a str,
    /// The feed's own URL (`atom:link rel="self"`).
    pub self_url: &'a str,
    /// When the newest item was published.
    pub last_build: Option<DateTime<Utc>>,
}

/// An RSS item.
#[derive(Debug)]
pub struct Item<'a> {
    /// Headline.
    pub title: &'a str,
    /// The article on the site.
    pub link: String,
    /// A stable id that is not a URL (slugs change).
    pub guid: String,
    /// Standfirst.
    pub description: Option<&'a str>,
    /// First publication.
    pub published: DateTime<Utc>,
    /// Author names.
    pub creators: Vec<&'a str>,
    /// Tags.
    pub categories: Vec<&'a str>,
}

/// An RSS 2.0 document.
pub fn rss(channel: &Channel<'_>, items: &[Item<'_>]) -> String {
    let mut out = String::with_capacity(1024 + items.len() * 512);
    out.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\" \
         xmlns:atom=\"http://www.w3.org/2005/Atom\" \
         xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n",
    );
    let _ = writeln!(out, "<title>{}</title>", escape(channel.title));
    let _ = writeln!(out, "<link>{}</link>", escape(channel.link));
    let _ = writeln!(
        out,
        "<description>{}</description>",
        escape(channel.description)
    );
    let _ = writeln!(
        out,
        "<atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>",
        escape(channel.self_url)
    );
    if let Some(at) = channel.last_build {
        let _ = writeln!(out, "<lastBuildDate>{}</lastBuildDate>", at.to_rfc2822());
    }
    for item in items {
        out.push_str("<item>\n");
        let _ = writeln!(out, "<title>{}</title>", escape(item.title));
        let _ = writeln!(out, "<link>{}</link>", escape(&item.link));
        let _ = writeln!(
            out,
            "<guid isPermaLink=\"false\">{}</guid>",
            escape(&item.guid)
        );
        if let Some(description) = item.description {
            let _ = writeln!(out, "<description>{}</description>", escape(description));
        }
        let _ = writeln!(out, "<pubDate>{}</pubDate>", item.published.to_rfc2822());
        for creator in &item.creators {
            let _ = writeln!(out, "<dc:creator>{}</dc:creator>", escape(creator));
        }
        for category in &item.categories {
            let _ = writeln!(out, "<category>{}</category>", escape(category));
        }
        out.push_str("</item>\n");
    }
    out.push_str("</channel>\n</rss>\n");
    out
}

fn w3c_date(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// A sitemap (`urlset`) of `(location, last modification)` pairs.
pub fn urlset(urls: &[(String, DateTime<Utc>)]) -> String {
    let mut out = String::with_capacity(128 + urls.len() * 128);
    out.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (loc, modified) in urls {
        let _ = writeln!(
            out,
            "<url><loc>{}</loc><lastmod>{}</lastmod></url>",
            escape(loc),
            w3c_date(*modified)
        );
    }
    out.push_str("</urlset>\n");
    out
}

/// A sitemap index naming the sitemaps.
pub fn sitemap_index(sitemaps: &[String]) -> String {
    let mut out = String::with_capacity(128 + sitemaps.len() * 96);
    out.push_str(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for loc in sitemaps {
        let _ = writeln!(out, "<sitemap><loc>{}</loc></sitemap>", escape(loc));
    }
    out.push_str("</sitemapindex>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn markup_and_forbidden_characters_do_not_survive() {
        assert_eq!(
            escape("<a href=\"x\">Tom & 'Jerry'</a>\u{1}"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &apos;Jerry&apos;&lt;/a&gt;"
        );
    }

    #[test]
    fn an_rss_item_has_what_readers_need() {
        let channel = Channel {
            title: "News & Views",
            link: "https://news.example.org",
            description: "Latest",
            self_url: "https://api.example.org/api/v1/public/feed.rss",
            last_build: Some(at("2026-11-29T10:00:00Z")),
        };
        let item = Item {
            title: "Dam <breaks>",
            link: "https://news.example.org/dam".to_owned(),
            guid: "urn:uuid:1".to_owned(),
            description: Some("A dek"),
            published: at("2026-11-29T10:00:00Z"),
            creators: vec!["Olena"],
            categories: vec!["floods"],
        };
        let xml = rss(&channel, &[item]);
        assert!(xml.contains("<title>News &amp; Views</title>"));
        assert!(xml.contains("<title>Dam &lt;breaks&gt;</title>"));
        assert!(xml.contains("<pubDate>Sun, 29 Nov 2026 10:00:00 +0000</pubDate>"));
        assert!(xml.contains("<guid isPermaLink=\"false\">urn:uuid:1</guid>"));
        assert!(xml.ends_with("</channel>\n</rss>\n"));
    }

    #[test]
    fn sitemaps_use_w3c_dates() {
        let xml = urlset(&[("https://x.org/a?b&c".to_owned(), at("2026-11-29T10:00:00Z"))]);
        assert!(xml.contains(
            "<url><loc>https://x.org/a?b&amp;c</loc><lastmod>2026-11-29T10:00:00Z</lastmod></url>"
        ));
        let index = sitemap_index(&["https://x.org/s/1".to_owned()]);
        assert!(index.contains("<sitemap><loc>https://x.org/s/1</loc></sitemap>"));
    }
}
