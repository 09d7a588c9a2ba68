//! Sanitising markup from clients: a paragraph's inline markup and editors' raw HTML embeds.
//!
//! Both go through `ammonia`, which parses like a browser (html5ever) and serialises the
//! cleaned tree again, so obfuscation tricks meet the same parser a reader's browser uses.
//! Everything is an allow-list: tags, attributes and URL schemes not named here are dropped.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ammonia::{Builder, UrlRelative};
use url::{Host, Url};

use super::embeds;

/// Elements whose content is code or hidden fallback, never text a reader sees: they are
/// removed together with what they contain.
const INVISIBLE: [&str; 10] = [
    "script", "style", "template", "noscript", "iframe", "noembed", "noframes", "xmp", "object",
    "title",
];

static INLINE: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut b = Builder::empty();
    b.tags(HashSet::from(["em", "strong", "a", "br"]))
        .clean_content_tags(HashSet::from(INVISIBLE))
        .tag_attributes(HashMap::from([("a", HashSet::from(["href"]))]))
        .generic_attributes(HashSet::new())
        .url_schemes(HashSet::from(["http", "https", "mailto"]))
        // A relative link in an article means nothing once it is syndicated or in an app.
        .url_relative(UrlRelative::Deny)
        .link_rel(Some("noopener noreferrer nofollow"))
        .strip_comments(true);
    b
});

/// Block boundaries that become line breaks in plain text, so words either side stay apart.
const BREAKS: [&str; 22] = [
    "br",
    "p",
    "div",
    "li",
    "ul",
    "ol",
    "blockquote",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "pre",
    "table",
    "tr",
    "td",
    "th",
    "dt",
    "dd",
    "figcaption",
];

static PLAIN: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut b = Builder::empty();
    b.tags(HashSet::from(BREAKS))
        .clean_content_tags(HashSet::from(INVISIBLE))
        .tag_attributes(HashMap::new())
        .generic_attributes(HashSet::new())
        .link_rel(None)
        .strip_comments(true);
    b
});

/// Whether an iframe's `src` may stay: https on a provider's embed host, nothing that could
/// disguise the host (user info) or reach another service (port).
fn allowed_iframe_src(src: &str) -> bool {
    let Ok(url) = Url::parse(src.trim()) else {
        return false;
    };
    url.scheme() == "https"
        && url.username().is_empty()
        && url.password().is_none()
        && url.port().is_none()
        && matches!(url.host(), Some(Host::Domain(host)) if embeds::allowed_iframe_hosts().contains(&host))
}

/// Tags an editor's embed HTML may keep.
const EMBED_TAGS: [&str; 50] = [
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "col",
    "colgroup",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "iframe",
    "img",
    "ins",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
];

/// Removed with their content in embed HTML: active content, forms, and the foreign-content
/// namespaces (`svg`, `math`) whose parsing differences are the usual mutation-XSS route.
const EMBED_DROPPED: [&str; 18] = [
    "script", "style", "template", "noscript", "noembed", "noframes", "xmp", "object", "embed",
    "applet", "form", "svg", "math", "frameset", "frame", "title", "select", "textarea",
];

fn embed_builder(iframes: bool) -> Builder<'static> {
    let mut tags = HashSet::from(EMBED_TAGS);
    let mut dropped = HashSet::from(EMBED_DROPPED);
    if !iframes {
        tags.remove("iframe");
        dropped.insert("iframe");
    }
    let mut attributes = HashMap::from([
        ("a", HashSet::from(["href", "hreflang"])),
        // What the providers' own embed codes put on their blockquotes for their scripts.
        (
            "blockquote",
            HashSet::from([
                "cite",
                "data-instgrm-permalink",
                "data-instgrm-version",
                "data-instgrm-captioned",
                "data-video-id",
                "data-dnt",
                "data-theme",
                "data-lang",
                "data-conversation",
            ]),
        ),
        ("q", HashSet::from(["cite"])),
        ("del", HashSet::from(["cite", "datetime"])),
        ("ins", HashSet::from(["cite", "datetime"])),
        ("time", HashSet::from(["datetime"])),
        (
            "img",
            HashSet::from(["src", "alt", "width", "height", "loading"]),
        ),
        (
            "iframe",
            HashSet::from([
                "src",
                "title",
                "width",
                "height",
                "allow",
                "allowfullscreen",
                "loading",
                "referrerpolicy",
                "sandbox",
                "frameborder",
                "scrolling",
            ]),
        ),
        ("ol", HashSet::from(["start", "reversed"])),
        ("td", HashSet::from(["colspan", "rowspan", "headers"])),
        (
            "th",
            HashSet::from(["colspan", "rowspan", "headers", "scope"]),
        ),
        ("col", HashSet::from(["span"])),
        ("colgroup", HashSet::from(["span"])),
    ]);
    if !iframes {
        // ammonia refuses a tag that is both dropped and given attributes.
        attributes.remove("iframe");
    }
    let mut b = Builder::empty();
    b.tags(tags)
        .clean_content_tags(dropped)
        .tag_attributes(attributes)
        .tag_attribute_values(HashMap::from([(
            "a",
            HashMap::from([("target", HashSet::from(["_blank"]))]),
        )]))
        .generic_attributes(HashSet::from(["title", "lang", "dir", "class"]))
        .url_schemes(HashSet::from(["http", "https", "mailto", "tel"]))
        .url_relative(UrlRelative::Deny)
        .link_rel(Some("noopener noreferrer"))
        .strip_comments(true)
        .attribute_filter(|element, attribute, value| match (element, attribute) {
            ("iframe", "src") => allowed_iframe_src(value).then(|| value.into()),
            // Browsers never follow `cite`, but it is a URL all the same: keep only web ones.
            (_, "cite") => Url::parse(value)
                .ok()
                .filter(|u| matches!(u.scheme(), "http" | "https"))
                .map(|_| value.into()),
            _ => Some(value.into()),
        });
    b
}

static EMBED: LazyLock<Builder<'static>> = LazyLock::new(|| embed_builder(true));
static EMBED_WITHOUT_IFRAMES: LazyLock<Builder<'static>> = LazyLock::new(|| embed_builder(false));

/// Sanitises a paragraph's inline markup to `<em>`, `<strong>`, `<a href>` and `<br>`.
///
/// Links keep only `href` (http, https or mailto; anything else, relative links included, is
/// dropped) and get `rel="noopener noreferrer nofollow"`. Every other tag is removed keeping its
/// text, except elements that never show text (`script`, `style`, `template`, `iframe`, …),
/// which go with their content. Other attributes and comments are removed.
pub fn sanitize_inline(html: &str) -> String {
    INLINE.clean(html).to_string()
}

/// The visible text of inline markup (tags removed, entities decoded), for word counts and excerpts.
///
/// Line breaks and block boundaries become a newline, so words either side are not glued.
pub fn plain_text(html: &str) -> String {
    let cleaned = PLAIN.clean(html).to_string();
    let mut out = String::with_capacity(cleaned.len());
    let mut pending_break = false;
    let mut rest = cleaned.as_str();
    while !rest.is_empty() {
        let (text, after) = match rest.find('<') {
            Some(start) => {
                // Only attribute-less break tags survive, so the tag ends at the next '>'.
                let end = rest[start..]
                    .find('>')
                    .map_or(rest.len(), |e| start + e + 1);
                (&rest[..start], Some(&rest[end..]))
            }
            None => (rest, None),
        };
        if !text.is_empty() {
            let text = decode_entities(text);
            let separated = out.is_empty()
                || out.ends_with(char::is_whitespace)
                || text.starts_with(char::is_whitespace);
            if pending_break && !separated {
                out.push('\n');
            }
            out.push_str(&text);
            pending_break = false;
        }
        match after {
            Some(after) => {
                pending_break = true;
                rest = after;
            }
            None => rest = "",
        }
    }
    out
}

/// Sanitises an editor's raw HTML embed to an allow-list of structural and text markup.
///
/// No `<script>`, `<style>`, `<object>`, `<embed>`, `<form>`, `<svg>` or `<math>` (removed with
/// their content), no event handlers or `style` attributes, no URL but http, https, mailto and
/// tel (so no `javascript:`, `vbscript:` or `data:`). An `<iframe>` stays only when its `src` is
/// https on one of [`embeds::allowed_iframe_hosts`]; others are removed entirely.
///
/// Kept attributes: `title`, `lang`, `dir`, `class` everywhere; `href` (http, https, mailto,
/// tel; `rel="noopener noreferrer"` added, `target="_blank"` allowed) on links; `src`, `alt`,
/// sizes on images; the players' attributes (`allow`, `allowfullscreen`, `sandbox`, …) on
/// iframes; the data attributes of the providers' blockquote embed codes. Relative URLs are
/// dropped: the markup is delivered to other sites and apps, where they would point elsewhere.
/// Iframe fallback content is dropped (browsers never show it).
pub fn sanitize_embed_html(html: &str) -> String {
    let cleaned = EMBED.clean(html).to_string();
    // ammonia cannot drop an element by its attributes' values: the filter above removed the
    // `src` of foreign iframes, and this pass removes the iframes left without one. Should the
    // serialised form ever surprise it, fail closed: no iframes at all.
    keep_sourced_iframes(&cleaned).unwrap_or_else(|| EMBED_WITHOUT_IFRAMES.clean(html).to_string())
}

/// Drops each `<iframe>` of ammonia's output whose `src` is missing or not allowed, and the
/// (never displayed) content of those it keeps.
///
/// This reads html5ever's serialisation, not arbitrary HTML: text has `<` escaped, attribute
/// values are double-quoted with `"` escaped, and only allow-listed attribute names remain. So
/// outside a tag every `<` opens a tag, inside a tag a `"` opens or closes a value, and a tag
/// ends at the first `>` outside a value. An iframe's content is raw text that cannot contain
/// `</iframe>` (the parser would have closed the element there).
fn keep_sourced_iframes(html: &str) -> Option<String> {
    const OPEN: &str = "<iframe";
    const CLOSE: &str = "</iframe>";
    let mut out = String::with_capacity(html.len());
    let mut pos = 0;
    while let Some(offset) = html[pos..].find('<') {
        let start = pos + offset;
        out.push_str(&html[pos..start]);
        let end = tag_end(html, start)?;
        let tag = &html[start..end];
        let is_iframe = tag
            .strip_prefix(OPEN)
            .is_some_and(|rest| rest.starts_with([' ', '>']));
        if is_iframe {
            let close = end + html[end..].find(CLOSE)?;
            let keep =
                attribute(tag, "src").is_some_and(|src| allowed_iframe_src(&decode_entities(src)));
            if keep {
                out.push_str(tag);
                out.push_str(CLOSE);
            }
            pos = close + CLOSE.len();
        } else {
            out.push_str(tag);
            pos = end;
        }
    }
    out.push_str(&html[pos..]);
    Some(out)
}

/// The index just after the `>` closing the tag that starts at `start`.
fn tag_end(html: &str, start: usize) -> Option<usize> {
    let mut in_value = false;
    for (i, c) in html[start..].char_indices() {
        match c {
            '"' => in_value = !in_value,
            '>' if !in_value => return Some(start + i + 1),
            _ => {}
        }
    }
    None
}

/// The raw (still escaped) value of attribute `name` in a serialised start tag.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    // Values never contain a raw `"`, so ` name="` can only be the attribute itself.
    let needle = format!(" {name}=\"");
    let start = tag.find(&needle)? + needle.len();
    let len = tag[start..].find('"')?;
    Some(&tag[start..start + len])
}

/// Decodes the entities html5ever's serialiser writes: `&amp;`, `&lt;`, `&gt;`, `&quot;` and
/// `&nbsp;` (every other `&` comes out as `&amp;`).
fn decode_entities(s: &str) -> String {
    const ENTITIES: [(&str, char); 5] = [
        ("&amp;", '&'),
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&quot;", '"'),
        ("&nbsp;", '\u{a0}'),
    ];
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        match ENTITIES.iter().find(|(e, _)| rest.starts_with(e)) {
            Some((e, c)) => {
                out.push(*c);
                rest = &rest[e.len()..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::embeds::{markup, recognise};

    /// A start tag of sanitised output: its name and attributes (values unescaped).
    #[derive(Debug)]
    struct Tag {
        name: String,
        attributes: Vec<(String, String)>,
    }

    /// Reads sanitised output strictly, independently of the code under test: anything but
    /// escaped text, `</name>` and `<name a="v" …>` fails the test, so a reader's browser
    /// cannot see a tag or attribute that this list does not.
    fn start_tags(html: &str) -> Vec<Tag> {
        let mut tags = Vec::new();
        let mut rest = html;
        while let Some(i) = rest.find('<') {
            rest = &rest[i + 1..];
            if let Some(after) = rest.strip_prefix('/') {
                let end = after.find('>').expect("end tag closes");
                assert!(
                    after[..end].bytes().all(|b| b.is_ascii_alphanumeric()),
                    "{html}"
                );
                rest = &after[end + 1..];
                continue;
            }
            let name_end = rest.find([' ', '>']).expect("tag closes");
            let name = &rest[..name_end];
            assert!(
                !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric()),
                "odd tag name {name:?} in {html}"
            );
            rest = &rest[name_end..];
            let mut attributes = Vec::new();
            loop {
                if let Some(after) = rest.strip_prefix('>') {
                    rest = after;
                    break;
                }
                let after = rest.strip_prefix(' ').expect("space before an attribute");
                let eq = after.find('=').expect("attribute has a value");
                let attribute = &after[..eq];
                assert!(
                    attribute
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b == b'-' || b == b':'),
                    "odd attribute name {attribute:?} in {html}"
                );
                let value = after[eq + 1..].strip_prefix('"').expect("quoted value");
                let close = value.find('"').expect("value closes");
                attributes.push((attribute.to_owned(), decode_entities(&value[..close])));
                rest = &value[close + 1..];
            }
            tags.push(Tag {
                name: name.to_owned(),
                attributes,
            });
        }
        tags
    }

    const EVENT_HANDLERS: [&str; 16] = [
        "onerror",
        "onload",
        "onclick",
        "onfocus",
        "onblur",
        "ontoggle",
        "onmouseover",
        "onmouseout",
        "onstart",
        "onbegin",
        "onpageshow",
        "onanimationstart",
        "onafterscriptexecute",
        "onpointerenter",
        "onkeydown",
        "oninput",
    ];

    const URL_ATTRIBUTES: [&str; 9] = [
        "href",
        "src",
        "cite",
        "action",
        "formaction",
        "data",
        "xlink:href",
        "poster",
        "background",
    ];

    /// The checks every sanitiser output must pass, whatever went in.
    fn assert_harmless(input: &str, output: &str, allowed_tags: &[&str]) {
        let lower = output.to_lowercase();
        for needle in [
            "<script",
            "javascript:",
            "vbscript:",
            "srcdoc",
            "data:",
            "<style",
        ] {
            assert!(
                !lower.contains(needle),
                "{needle} left in {output:?} from {input:?}"
            );
        }
        for tag in start_tags(&lower) {
            assert!(
                allowed_tags.contains(&tag.name.as_str()),
                "<{}> left in {output:?} from {input:?}",
                tag.name
            );
            for (name, value) in &tag.attributes {
                assert!(
                    !name.starts_with("on") && !EVENT_HANDLERS.contains(&name.as_str()),
                    "handler {name} left in {output:?} from {input:?}"
                );
                assert!(
                    !matches!(name.as_str(), "style" | "srcdoc" | "formaction" | "action"),
                    "{name} left in {output:?} from {input:?}"
                );
                if URL_ATTRIBUTES.contains(&name.as_str()) {
                    let url = Url::parse(value.trim());
                    let scheme_ok = url
                        .as_ref()
                        .is_ok_and(|u| matches!(u.scheme(), "http" | "https" | "mailto" | "tel"));
                    assert!(
                        scheme_ok,
                        "{name}={value:?} left in {output:?} from {input:?}"
                    );
                }
            }
            if tag.name == "iframe" {
                let src = tag.attributes.iter().find(|(n, _)| n == "src");
                let allowed = src.is_some_and(|(_, v)| {
                    let url = Url::parse(v).unwrap();
                    url.scheme() == "https"
                        && embeds::allowed_iframe_hosts().contains(&url.host_str().unwrap())
                });
                assert!(allowed, "foreign iframe left in {output:?} from {input:?}");
            }
        }
    }

    /// Payloads from the OWASP XSS Filter Evasion Cheat Sheet, PortSwigger's and other public
    /// payload lists, and known mutation-XSS vectors against sanitisers.
    const XSS_VECTORS: &[&str] = &[
        // Script elements in cases, encodings and broken forms.
        "<script>alert('XSS')</script>",
        "<SCRIPT SRC=https://xss.rocks/xss.js></SCRIPT>",
        "<ScRiPt>alert(1)</sCrIpT>",
        "<script/xss src=\"https://xss.rocks/xss.js\"></script>",
        "<<SCRIPT>alert(\"XSS\");//\\<</SCRIPT>",
        "<SCRIPT SRC=//xss.rocks/.j>",
        "<scr<script>ipt>alert(1)</scr</script>ipt>",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "<IMG \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\"\\>",
        "<xss onafterscriptexecute=alert(1)><script>1</script>",
        // Image and media handlers and script URLs.
        "<img src=x onerror=alert(1)>",
        "<IMG SRC=\"javascript:alert('XSS');\">",
        "<IMG SRC=JaVaScRiPt:alert('XSS')>",
        "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
        "<IMG SRC=&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041>",
        "<IMG SRC=&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A&#x61&#x6C&#x65&#x72&#x74&#x28&#x27&#x58&#x53&#x53&#x27&#x29>",
        "<IMG SRC=\"jav\tascript:alert('XSS');\">",
        "<IMG SRC=\"jav&#x09;ascript:alert('XSS');\">",
        "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
        "<IMG SRC=\"jav&#x0D;ascript:alert('XSS');\">",
        "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
        "<IMG SRC=# onmouseover=\"alert('xxs')\">",
        "<IMG SRC=/ onerror=\"alert(String.fromCharCode(88,83,83))\"></img>",
        "<IMG SRC='vbscript:msgbox(\"XSS\")'>",
        "<img dynsrc=\"javascript:alert('XSS')\" lowsrc=\"javascript:alert(1)\">",
        "<img src=x:alert(alt) onerror=eval(src) alt=0>",
        "<img src=\"data:image/svg+xml,<svg onload=alert(1)>\">",
        "<video><source onerror=\"alert(1)\"></video>",
        "<audio src=x onerror=alert(1)>",
        "<video poster=javascript:alert(1)//></video>",
        // SVG, body and other element handlers.
        "<svg onload=alert(1)>",
        "<svg/onload=alert('XSS')>",
        "<BODY ONLOAD=alert('XSS')>",
        "<body onpageshow=alert(1)>",
        "<input onfocus=alert(1) autofocus>",
        "<select autofocus onfocus=alert(1)>",
        "<textarea autofocus onfocus=alert(1)>x</textarea>",
        "<details open ontoggle=alert(1)>",
        "<marquee onstart=alert(1)>x</marquee>",
        "<x onclick=alert(1)>click",
        "<p onmouseover=\"alert(1)\" style=\"color:red\">x</p>",
        "<div style=\"animation-name:x\" onanimationstart=\"alert(1)\"></div>",
        "<a href=\"https://ok.example\" onclick=\"alert(1)\" onmouseover=alert(1)>x</a>",
        // Links with script URLs: entities, control characters, mixed case.
        "<a href=\"javascript:alert(1)\">x</a>",
        "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
        "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
        "<a href=\"jav&#x0A;ascript:alert(1)\">x</a>",
        "<a href=\"java\nscript:alert(1)\">x</a>",
        "<a href=\"&#106;avascript:alert(1)\">x</a>",
        "<a href=\"&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)\">x</a>",
        "<a href=\"javascript&colon;alert(1)\">x</a>",
        "<a href=\"  javascript:alert(1)\">x</a>",
        "<a href=\" &#14;javascript:alert(1)\">x</a>",
        "<a href=\"\u{1}javascript:alert(1)\">x</a>",
        "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
        "<a href=\"vbscript:msgbox(1)\">x</a>",
        "<a href=\"//evil.example/\">x</a>",
        "<a href=\"https://ok.example\" target=\"_top\" ping=\"https://evil.example\">x</a>",
        "<blockquote cite=\"javascript:alert(1)\">x</blockquote>",
        "<table background=\"javascript:alert(1)\"><tr><td background=\"javascript:alert(1)\">x</td></tr></table>",
        // Frames.
        "<iframe src=\"javascript:alert(1)\"></iframe>",
        "<iframe src=javascript:alert(1)>",
        "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
        "<iframe srcdoc=\"&lt;img src=x onerror=alert(1)&gt;\"></iframe>",
        "<IFRAME SRC=# onmouseover=\"alert(document.cookie)\"></IFRAME>",
        "<iframe src=\"https://evil.example/\">fallback</iframe>",
        "<iframe src=\"https://www.youtube.com.evil.example/embed/x\"></iframe>",
        "<iframe src=\"https://evilyoutube.com/embed/x\"></iframe>",
        "<iframe src=\"http://www.youtube-nocookie.com/embed/dQw4w9WgXcQ\"></iframe>",
        "<iframe src=\"https://user@www.youtube-nocookie.com/embed/x\"></iframe>",
        "<iframe src=\"https://www.youtube-nocookie.com:8443/embed/x\"></iframe>",
        "<iframe src=\"data:text/html,<script>alert(1)</script>\"></iframe>",
        "<iframe src=\"https://www.youtube-nocookie.com/embed/x\" onload=\"alert(1)\" srcdoc=\"<script>alert(1)</script>\" style=\"x\"></iframe>",
        "<iframe src=\"https://www.youtube-nocookie.com/embed/x\"><img src=x onerror=alert(1)></iframe>",
        "<frameset><frame src=\"javascript:alert(1)\"></frameset>",
        // Namespace confusion and mutation XSS.
        "<svg><iframe src=\"https://www.youtube-nocookie.com/embed/x\"><a title=\"</iframe><img src onerror=alert(1)>\">test",
        "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
        "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
        "<svg><p><style><img src=x onerror=alert(1)></style></p></svg>",
        "<math><maction xlink:href=\"javascript:alert(1)\">click</maction></math>",
        "<svg><a xlink:href=\"javascript:alert(1)\"><text x=\"20\" y=\"20\">XSS</text></a></svg>",
        "<svg><animate attributeName=href values=javascript:alert(1) /><a id=x><text>click</text></a></svg>",
        "<svg><use href=\"data:image/svg+xml,<svg id='x' xmlns='http://www.w3.org/2000/svg'><image href='1' onerror='alert(1)' /></svg>#x\" />",
        "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
        "<noembed><img title=\"</noembed><img src onerror=alert(1)>\"></noembed>",
        "<xmp><img title=\"</xmp><img src=x onerror=alert(1)>\"></xmp>",
        "<template><img src=x onerror=alert(1)></template>",
        // CSS.
        "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">x</DIV>",
        "<div style=\"width: expression(alert('XSS'));\">x</div>",
        "<STYLE>@import'javascript:alert(\"XSS\")';</STYLE>",
        "<style>*{x:expression(alert(1))}</style>",
        "<LINK REL=\"stylesheet\" HREF=\"javascript:alert('XSS');\">",
        // Plugins, forms, document-level tags.
        "<OBJECT TYPE=\"text/x-scriptlet\" DATA=\"https://xss.rocks/scriptlet.html\"></OBJECT>",
        "<object data=\"javascript:alert(1)\"></object>",
        "<EMBED SRC=\"data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dH A6Ly93d3cudzMub3JnLzIwMDAvc3ZnIiB4bWxucz0iaHR0cDovL3d3dy53My5vcmcv\" type=\"image/svg+xml\" AllowScriptAccess=\"always\"></EMBED>",
        "<embed src=javascript:alert(1)>",
        "<applet code=\"javascript:alert(1)\"></applet>",
        "<form action=\"javascript:alert(1)\"><input type=submit></form>",
        "<form><button formaction=javascript:alert(1)>x</button></form>",
        "<isindex type=image src=1 onerror=alert(1)>",
        "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=javascript:alert('XSS');\">",
        "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=data:text/html base64,PHNjcmlwdD5hbGVydCgnWFNTJyk8L3NjcmlwdD4K\">",
        "<BASE HREF=\"javascript:alert('XSS');//\">",
        "<link rel=import href=\"https://evil.example/x.html\">",
        // Comments, CDATA and unclosed markup.
        "<!--<img src=\"--><img src=x onerror=alert(1)//\">",
        "<!-- --!><img src=x onerror=alert(1)> -->",
        "<!--[if gte IE 4]><SCRIPT>alert('XSS');</SCRIPT><![endif]-->",
        "<![CDATA[<img src=x onerror=alert(1)>]]>",
        "<img src=\"x",
        "<a href=\"javascript:alert(1)",
        "<img src=x onerror=alert(1)//",
        "<svg onload=alert(1)//",
        "<a href=\"https://ok.example\"<img src=x onerror=alert(1)>x</a>",
        "<p title=\"\"><img src=x onerror=alert(1)>\">",
        "<img/src=x/onerror=alert(1)>",
        "<img\u{c}src=x\u{c}onerror=alert(1)>",
        "<img src=`x` onerror=alert(1)>",
    ];

    const INLINE_TAGS: [&str; 4] = ["em", "strong", "a", "br"];

    #[test]
    fn xss_vectors_leave_nothing_active_in_inline_markup() {
        assert!(XSS_VECTORS.len() >= 40);
        for vector in XSS_VECTORS {
            assert_harmless(vector, &sanitize_inline(vector), &INLINE_TAGS);
        }
    }

    #[test]
    fn xss_vectors_leave_nothing_active_in_embed_html() {
        for vector in XSS_VECTORS {
            assert_harmless(vector, &sanitize_embed_html(vector), &EMBED_TAGS);
        }
    }

    #[test]
    fn xss_vectors_leave_no_markup_in_plain_text() {
        for vector in XSS_VECTORS {
            let text = plain_text(vector);
            // Plain text is escaped wherever it is shown; what matters is that no script body
            // or hidden content is counted as words.
            assert!(!text.contains("alert('XSS')</script>"), "{vector}: {text}");
            assert!(!text.contains("expression(alert(1))"), "{vector}: {text}");
        }
    }

    #[test]
    fn inline_markup_keeps_emphasis_breaks_and_web_links() {
        let input = r#"<p class="x">Hello <em>big</em> <strong>world</strong><br><a href="mailto:desk@example.org">mail</a> <a href="https://example.org/a?b=1&amp;c=2" title="t" target="_blank" rel="opener">link</a></p>"#;
        assert_eq!(
            sanitize_inline(input),
            r#"Hello <em>big</em> <strong>world</strong><br><a href="mailto:desk@example.org" rel="noopener noreferrer nofollow">mail</a> <a href="https://example.org/a?b=1&amp;c=2" rel="noopener noreferrer nofollow">link</a>"#
        );
    }

    #[test]
    fn inline_markup_unwraps_other_tags_and_drops_hidden_content() {
        assert_eq!(
            sanitize_inline(r#"<span style="color:red">kept</span> <b>bold</b> <h1>text</h1>"#),
            "kept bold text"
        );
        assert_eq!(
            sanitize_inline("before<script>alert(1)</script><style>p{}</style><!-- c -->after"),
            "beforeafter"
        );
        assert_eq!(
            sanitize_inline(r#"<a href="/relative">x</a> <a href="ftp://f.example/">y</a>"#),
            r#"<a rel="noopener noreferrer nofollow">x</a> <a rel="noopener noreferrer nofollow">y</a>"#
        );
        assert_eq!(
            sanitize_inline("Fish &amp; chips & 1 < 2"),
            "Fish &amp; chips &amp; 1 &lt; 2"
        );
    }

    #[test]
    fn plain_text_decodes_entities_and_separates_blocks() {
        assert_eq!(
            plain_text("Caf&eacute; &amp; <em>bar</em><br>next &lt;tag&gt; &quot;q&quot;"),
            "Café & bar\nnext <tag> \"q\""
        );
        assert_eq!(plain_text("<p>one</p><p>two</p>"), "one\ntwo");
        assert_eq!(plain_text("<p>one</p> <p>two</p>"), "one two");
        assert_eq!(plain_text("wo<em>rd</em>s"), "words");
        assert_eq!(plain_text("a&nbsp;b"), "a\u{a0}b");
        assert_eq!(plain_text("<script>var x = 1;</script>visible"), "visible");
        assert_eq!(
            plain_text(r#"<a href="https://x.example" title="no">link</a>"#),
            "link"
        );
        assert_eq!(plain_text(""), "");
        assert_eq!(plain_text("<br><br>"), "");
    }

    #[test]
    fn embed_html_keeps_allowed_iframes() {
        let input = r#"<iframe width="560" height="315" src="https://www.youtube.com/embed/dQw4w9WgXcQ?si=x&amp;start=3" title="YouTube video player" frameborder="0" allow="accelerometer; autoplay" referrerpolicy="strict-origin-when-cross-origin" allowfullscreen style="border:0" onload="x()"></iframe>"#;
        assert_eq!(
            sanitize_embed_html(input),
            r#"<iframe width="560" height="315" src="https://www.youtube.com/embed/dQw4w9WgXcQ?si=x&amp;start=3" title="YouTube video player" frameborder="0" allow="accelerometer; autoplay" referrerpolicy="strict-origin-when-cross-origin" allowfullscreen=""></iframe>"#
        );
    }

    #[test]
    fn embed_html_removes_foreign_iframes_entirely() {
        let input = r#"<p>before</p><iframe src="https://evil.example/x" title="t">fallback</iframe><iframe title="no src"></iframe><iframe src="https://www.youtube.com.evil.example/embed/x"></iframe><p>after</p>"#;
        assert_eq!(sanitize_embed_html(input), "<p>before</p><p>after</p>");
    }

    #[test]
    fn our_own_provider_markup_survives_the_embed_sanitiser() {
        for url in [
            "https://youtu.be/dQw4w9WgXcQ",
            "https://vimeo.com/76979871",
            "https://x.com/Interior/status/1445078208190291968",
            "https://www.instagram.com/p/CxYz_12-AbC/",
            "https://www.facebook.com/nytimes/posts/10153231379946729",
            "https://www.facebook.com/watch/?v=123456789",
            "https://www.tiktok.com/@scout2015/video/7106594312292453675",
            "https://t.me/durov/43",
            "https://soundcloud.com/forss/sets/soulhack",
            "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC",
            "https://datawrapper.dwcdn.net/dsUXf/3/",
            "https://public.flourish.studio/visualisation/1234567/",
            "https://www.google.com/maps/embed?pb=!1m2!2sLondon%20Eye",
        ] {
            let html = markup(&recognise(url).unwrap());
            let cleaned = sanitize_embed_html(&html);
            let before = start_tags(&html);
            let after = start_tags(&cleaned);
            assert_eq!(after.len(), before.len(), "{cleaned}");
            for (b, a) in before.iter().zip(&after) {
                assert_eq!(a.name, b.name, "{cleaned}");
                let src = |t: &Tag, n: &str| {
                    t.attributes
                        .iter()
                        .find(|(k, _)| k == n)
                        .map(|(_, v)| v.clone())
                };
                assert_eq!(src(a, "src"), src(b, "src"), "{cleaned}");
                assert_eq!(src(a, "sandbox"), src(b, "sandbox"), "{cleaned}");
                assert_eq!(src(a, "href"), src(b, "href"), "{cleaned}");
                assert_eq!(src(a, "class"), src(b, "class"), "{cleaned}");
            }
            assert_harmless(&html, &cleaned, &EMBED_TAGS);
        }
    }

    #[test]
    fn embed_html_keeps_structure_and_provider_blockquotes() {
        let input = r#"<figure class="chart"><table><thead><tr><th scope="col">A</th></tr></thead><tbody><tr><td colspan="2" style="x">1</td></tr></tbody></table><figcaption>Source: <a href="https://example.org" target="_blank">agency</a></figcaption></figure><blockquote class="instagram-media" data-instgrm-permalink="https://www.instagram.com/p/CxYz_12-AbC/" data-instgrm-version="14" data-foo="x"><a href="https://www.instagram.com/p/CxYz_12-AbC/">post</a></blockquote><img src="https://cdn.example/a.png" alt="A" onerror="x"><img src="data:image/png;base64,AAAA" alt="B"><h1>h1</h1><h2 id="x">h2</h2>"#;
        assert_eq!(
            sanitize_embed_html(input),
            r#"<figure class="chart"><table><thead><tr><th scope="col">A</th></tr></thead><tbody><tr><td colspan="2">1</td></tr></tbody></table><figcaption>Source: <a href="https://example.org" target="_blank" rel="noopener noreferrer">agency</a></figcaption></figure><blockquote class="instagram-media" data-instgrm-permalink="https://www.instagram.com/p/CxYz_12-AbC/" data-instgrm-version="14"><a href="https://www.instagram.com/p/CxYz_12-AbC/" rel="noopener noreferrer">post</a></blockquote><img src="https://cdn.example/a.png" alt="A"><img alt="B">h1<h2>h2</h2>"#
        );
    }

    #[test]
    fn iframe_pass_fails_closed_on_unexpected_input() {
        assert_eq!(
            keep_sourced_iframes(r#"<iframe src="https://t.me/x/1">"#),
            None
        );
        assert_eq!(keep_sourced_iframes(r#"<p title="x>"#), None);
        assert_eq!(
            keep_sourced_iframes(r#"<p title="<iframe>">a</p><iframe src="https://t.me/durov/1?embed=1&amp;x=1">raw <b></iframe>"#),
            Some(r#"<p title="<iframe>">a</p><iframe src="https://t.me/durov/1?embed=1&amp;x=1"></iframe>"#.to_owned())
        );
        assert_eq!(
            decode_entities("a&amp;b&lt;&gt;&quot;&nbsp;&x"),
            "a&b<>\"\u{a0}&x"
        );
    }

    #[test]
    fn the_harmlessness_check_catches_active_output() {
        let bad = [
            r#"<img src="https://x.example/a.png" onerror="alert(1)">"#,
            r#"<p title="x" onclick="alert(1)">x</p>"#,
            r#"<a href="javascript:alert(1)">x</a>"#,
            r#"<a href=" JAVASCRIPT:alert(1)">x</a>"#,
            r#"<a href="jav&#x09;ascript:alert(1)">x</a>"#,
            r#"<iframe src="https://evil.example/"></iframe>"#,
            r#"<iframe title="no source"></iframe>"#,
            r#"<p style="color:red">x</p>"#,
            r#"<script>alert(1)</script>"#,
            r#"<svg><a>x</a></svg>"#,
            "<img src=x onerror=alert(1)>",
            "<p title=\"x\"onclick=\"alert(1)\">x</p>",
            "<p\ttitle=\"x\">x</p>",
        ];
        for output in bad {
            let caught = std::panic::catch_unwind(|| assert_harmless("", output, &EMBED_TAGS));
            assert!(caught.is_err(), "{output} passed the check");
        }
        assert_harmless("", r#"<p title="onclick=alert(1)">ok</p>"#, &EMBED_TAGS);
    }

    #[test]
    fn iframe_sources_must_be_https_on_an_embed_host() {
        assert!(allowed_iframe_src(
            "https://www.youtube-nocookie.com/embed/x"
        ));
        assert!(allowed_iframe_src("https://open.spotify.com/embed/track/x"));
        assert!(!allowed_iframe_src(
            "http://www.youtube-nocookie.com/embed/x"
        ));
        assert!(!allowed_iframe_src(
            "https://youtube-nocookie.com.evil.example/embed/x"
        ));
        assert!(!allowed_iframe_src(
            "https://a@www.youtube-nocookie.com/embed/x"
        ));
        assert!(!allowed_iframe_src(
            "https://www.youtube-nocookie.com:444/embed/x"
        ));
        assert!(!allowed_iframe_src("//www.youtube-nocookie.com/embed/x"));
        assert!(!allowed_iframe_src("javascript:alert(1)"));
    }
}
