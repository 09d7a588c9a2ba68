//! Third-party embeds: which media URLs we accept, and the markup we deliver for them.
//!
//! Only URLs of allow-listed providers are accepted, each matched against the forms newsrooms
//! actually paste. What is stored is data (provider, media id, canonical URL); the markup is
//! rebuilt from that data by [`markup`], so nothing a client sent ends up in a page verbatim.
//! Markup never contains `<script>`: the front end loads the widget scripts that need one (X's
//! `widgets.js`) itself, once per page, from an origin it chooses to trust.

use serde::{Deserialize, Serialize};
use url::{Host, Url};
use utoipa::ToSchema;

/// Longest URL we look at: Google Maps embed URLs run to a few hundred characters, nothing
/// legitimate comes close to this.
pub const MAX_URL_LEN: usize = 4096;

/// A recognised third-party media URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExternalMedia {
    /// Whose media it is.
    pub provider: Provider,
    /// The provider's identifier of the media (see [`recognise`] for each provider's form).
    pub media_id: String,
    /// The normalised `https` address of the media, without tracking parameters.
    pub canonical_url: String,
}

/// An allow-listed provider of embeddable media.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Provider {
    /// YouTube videos, shorts and live streams.
    Youtube,
    /// Vimeo videos.
    Vimeo,
    /// Posts on X (Twitter).
    X,
    /// Instagram posts, reels and IGTV videos.
    Instagram,
    /// Public Facebook posts and videos.
    Facebook,
    /// TikTok videos.
    Tiktok,
    /// Posts in public Telegram channels.
    Telegram,
    /// SoundCloud tracks and playlists.
    Soundcloud,
    /// Spotify tracks, albums, playlists, episodes, shows and artists.
    Spotify,
    /// Datawrapper charts, tables and maps.
    Datawrapper,
    /// Flourish visualisations and stories.
    Flourish,
    /// Google Maps embeds ("Embed a map" URLs).
    GoogleMaps,
}

/// What kind of media a provider serves, for layout and labels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    /// A video player.
    Video,
    /// A post on a social network or messenger.
    SocialPost,
    /// An audio player.
    Audio,
    /// A chart, table or data visualisation.
    Chart,
    /// A map.
    Map,
}

impl MediaKind {
    /// The serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Video => "video",
            Self::SocialPost => "social_post",
            Self::Audio => "audio",
            Self::Chart => "chart",
            Self::Map => "map",
        }
    }
}

impl Provider {
    /// Every provider, in the order error messages list them.
    pub const ALL: [Provider; 12] = [
        Self::Youtube,
        Self::Vimeo,
        Self::X,
        Self::Instagram,
        Self::Facebook,
        Self::Tiktok,
        Self::Telegram,
        Self::Soundcloud,
        Self::Spotify,
        Self::Datawrapper,
        Self::Flourish,
        Self::GoogleMaps,
    ];

    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Youtube => "youtube",
            Self::Vimeo => "vimeo",
            Self::X => "x",
            Self::Instagram => "instagram",
            Self::Facebook => "facebook",
            Self::Tiktok => "tiktok",
            Self::Telegram => "telegram",
            Self::Soundcloud => "soundcloud",
            Self::Spotify => "spotify",
            Self::Datawrapper => "datawrapper",
            Self::Flourish => "flourish",
            Self::GoogleMaps => "google_maps",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// The name people know the provider by, for messages and iframe titles.
    pub fn display_name(self) -> &'static str {
        match self {
            Self::Youtube => "YouTube",
            Self::Vimeo => "Vimeo",
            Self::X => "X (Twitter)",
            Self::Instagram => "Instagram",
            Self::Facebook => "Facebook",
            Self::Tiktok => "TikTok",
            Self::Telegram => "Telegram",
            Self::Soundcloud => "SoundCloud",
            Self::Spotify => "Spotify",
            Self::Datawrapper => "Datawrapper",
            Self::Flourish => "Flourish",
            Self::GoogleMaps => "Google Maps",
        }
    }

    /// What kind of media the provider serves.
    pub fn kind(self) -> MediaKind {
        match self {
            Self::Youtube | Self::Vimeo | Self::Tiktok => MediaKind::Video,
            Self::X | Self::Instagram | Self::Facebook | Self::Telegram => MediaKind::SocialPost,
            Self::Soundcloud | Self::Spotify => MediaKind::Audio,
            Self::Datawrapper | Self::Flourish => MediaKind::Chart,
            Self::GoogleMaps => MediaKind::Map,
        }
    }

    /// Which URL forms we accept, told to a client whose URL did not match.
    fn hint(self) -> &'static str {
        match self {
            Self::Youtube => {
                "paste a video link such as https://www.youtube.com/watch?v=…, https://youtu.be/… \
                 or a /shorts/, /live/ or /embed/ link, with its 11-character video id"
            }
            Self::Vimeo => {
                "paste https://vimeo.com/{number} or https://player.vimeo.com/video/{number}; \
                 unlisted videos with a privacy hash are not supported"
            }
            Self::X => "paste the address of one post: https://x.com/{user}/status/{number}",
            Self::Instagram => {
                "paste the address of one post, reel or IGTV video: \
                 https://www.instagram.com/p/{code}/, /reel/{code}/ or /tv/{code}/"
            }
            Self::Facebook => {
                "paste the address of one public post or video: /{page}/posts/{id}, \
                 /{page}/videos/{id}, /watch/?v={id} or /permalink.php?story_fbid=…&id=…; \
                 open share and fb.watch links first and copy the full address"
            }
            Self::Tiktok => {
                "paste the address of one video: https://www.tiktok.com/@{user}/video/{number}; \
                 open short vm.tiktok.com links first and copy the full address"
            }
            Self::Telegram => {
                "paste the address of one post in a public channel: \
                 https://t.me/{channel}/{number}; posts of private channels (t.me/c/…) \
                 cannot be embedded"
            }
            Self::Soundcloud => {
                "paste the address of one track or playlist: \
                 https://soundcloud.com/{artist}/{track} or \
                 https://soundcloud.com/{artist}/sets/{playlist}; short on.soundcloud.com \
                 links and private share links are not supported"
            }
            Self::Spotify => {
                "paste an https://open.spotify.com/ link to one track, album, playlist, episode, \
                 show or artist"
            }
            Self::Datawrapper => {
                "paste the chart's published address: https://datawrapper.dwcdn.net/{id}/ or \
                 https://www.datawrapper.de/_/{id}/"
            }
            Self::Flourish => {
                "paste the published address: \
                 https://public.flourish.studio/visualisation/{number}/ or \
                 https://public.flourish.studio/story/{number}/"
            }
            Self::GoogleMaps => {
                "share links and place pages cannot be embedded without an API key; in Google \
                 Maps choose Share, then \"Embed a map\", and paste the \
                 https://www.google.com/maps/embed?pb=… address from the code it shows"
            }
        }
    }
}

/// Why a URL was refused (the message is shown to the client after "url: ").
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmbedUrlError {
    /// Not an absolute URL with a host.
    #[error("is not a valid absolute URL")]
    Malformed,
    /// Longer than [`MAX_URL_LEN`].
    #[error("is longer than 4096 characters")]
    TooLong,
    /// `http:` or another scheme than `https:`.
    #[error("must use https")]
    NotHttps,
    /// Carries a user name or password, a classic way to disguise the real host.
    #[error("must not contain a user name or password")]
    Credentials,
    /// Names a port other than 443: no provider serves media there.
    #[error("must not name a port")]
    Port,
    /// The host is not one of the providers' (the host is given).
    #[error(
        "{0} is not an allowed embed provider; allowed: YouTube, Vimeo, X (Twitter), Instagram, \
         Facebook, TikTok, Telegram, SoundCloud, Spotify, Datawrapper, Flourish, Google Maps"
    )]
    UnknownProvider(String),
    /// The provider's host, but not a form of URL we can embed.
    #[error("is not a {provider} URL this server can embed: {hint}")]
    UnrecognisedPath {
        /// The provider's display name.
        provider: &'static str,
        /// Which forms are accepted.
        hint: &'static str,
    },
}

/// Exact host names per provider. Exact matching is what keeps `youtube.com.evil.example` and
/// `evilyoutube.com` out; short-link hosts are listed so their users get the provider's hint.
const HOSTS: &[(&str, Provider)] = &[
    ("youtube.com", Provider::Youtube),
    ("www.youtube.com", Provider::Youtube),
    ("m.youtube.com", Provider::Youtube),
    ("youtu.be", Provider::Youtube),
    ("youtube-nocookie.com", Provider::Youtube),
    ("www.youtube-nocookie.com", Provider::Youtube),
    ("vimeo.com", Provider::Vimeo),
    ("www.vimeo.com", Provider::Vimeo),
    ("player.vimeo.com", Provider::Vimeo),
    ("x.com", Provider::X),
    ("www.x.com", Provider::X),
    ("mobile.x.com", Provider::X),
    ("twitter.com", Provider::X),
    ("www.twitter.com", Provider::X),
    ("mobile.twitter.com", Provider::X),
    ("instagram.com", Provider::Instagram),
    ("www.instagram.com", Provider::Instagram),
    ("facebook.com", Provider::Facebook),
    ("www.facebook.com", Provider::Facebook),
    ("m.facebook.com", Provider::Facebook),
    ("web.facebook.com", Provider::Facebook),
    ("fb.watch", Provider::Facebook),
    ("tiktok.com", Provider::Tiktok),
    ("www.tiktok.com", Provider::Tiktok),
    ("m.tiktok.com", Provider::Tiktok),
    ("vm.tiktok.com", Provider::Tiktok),
    ("t.me", Provider::Telegram),
    ("telegram.me", Provider::Telegram),
    ("soundcloud.com", Provider::Soundcloud),
    ("www.soundcloud.com", Provider::Soundcloud),
    ("m.soundcloud.com", Provider::Soundcloud),
    ("on.soundcloud.com", Provider::Soundcloud),
    ("open.spotify.com", Provider::Spotify),
    ("datawrapper.dwcdn.net", Provider::Datawrapper),
    ("datawrapper.de", Provider::Datawrapper),
    ("www.datawrapper.de", Provider::Datawrapper),
    ("public.flourish.studio", Provider::Flourish),
    ("flo.uri.sh", Provider::Flourish),
    ("www.google.com", Provider::GoogleMaps),
    ("google.com", Provider::GoogleMaps),
    ("maps.google.com", Provider::GoogleMaps),
    ("maps.app.goo.gl", Provider::GoogleMaps),
];

/// The hosts our [`markup`] points iframes at, plus `www.youtube.com` whose standard embed code
/// editors paste.
const IFRAME_HOSTS: &[&str] = &[
    "www.youtube-nocookie.com",
    "www.youtube.com",
    "player.vimeo.com",
    "www.instagram.com",
    "www.facebook.com",
    "www.tiktok.com",
    "t.me",
    "w.soundcloud.com",
    "open.spotify.com",
    "datawrapper.dwcdn.net",
    "flo.uri.sh",
    "www.google.com",
];

/// Hosts whose iframes the html-embed sanitiser keeps (the providers' embed hosts).
pub fn allowed_iframe_hosts() -> &'static [&'static str] {
    IFRAME_HOSTS
}

/// What a provider's pattern extracted from a URL.
struct Parsed {
    media_id: String,
    canonical: String,
    /// Facebook serves posts and videos through different plugins.
    video: bool,
}

impl Parsed {
    fn new(media_id: String, canonical: String) -> Self {
        Self {
            media_id,
            canonical,
            video: false,
        }
    }
}

/// Matches a URL against each provider's patterns: returns provider, media id and a canonical URL.
///
/// Media ids: YouTube's 11-character id; Vimeo's, X's, TikTok's numbers; Instagram's short code;
/// Facebook's post or video id; `channel/post` for Telegram; `artist/track` or
/// `artist/sets/playlist` for SoundCloud; `type/id` for Spotify; `chart` or `chart/version` for
/// Datawrapper; `visualisation/n` or `story/n` for Flourish; the `pb` parameter for Google Maps.
pub fn recognise(url: &str) -> Result<ExternalMedia, EmbedUrlError> {
    let (provider, parsed) = recognise_parsed(url)?;
    Ok(ExternalMedia {
        provider,
        media_id: parsed.media_id,
        canonical_url: parsed.canonical,
    })
}

fn recognise_parsed(url: &str) -> Result<(Provider, Parsed), EmbedUrlError> {
    let url = url.trim();
    if url.len() > MAX_URL_LEN {
        return Err(EmbedUrlError::TooLong);
    }
    let parsed = Url::parse(url).map_err(|_| EmbedUrlError::Malformed)?;
    match parsed.scheme() {
        "https" => {}
        "http" => return Err(EmbedUrlError::NotHttps),
        // Other schemes (javascript:, data:, ftp:) never name a provider's page.
        _ if parsed.host().is_some() => return Err(EmbedUrlError::NotHttps),
        _ => return Err(EmbedUrlError::Malformed),
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(EmbedUrlError::Credentials);
    }
    // `url` leaves out the scheme's default port, so any port left is a non-default one.
    if parsed.port().is_some() {
        return Err(EmbedUrlError::Port);
    }
    let host = match parsed.host() {
        Some(Host::Domain(host)) => host,
        Some(other) => return Err(EmbedUrlError::UnknownProvider(other.to_string())),
        None => return Err(EmbedUrlError::Malformed),
    };
    let provider = HOSTS
        .iter()
        .find(|(known, _)| *known == host)
        .map(|(_, provider)| *provider)
        .ok_or_else(|| EmbedUrlError::UnknownProvider(host.to_owned()))?;
    let segments: Vec<&str> = parsed
        .path_segments()
        .map(|s| s.filter(|s| !s.is_empty()).collect())
        .unwrap_or_default();
    let found = match provider {
        Provider::Youtube => youtube(host, &segments, &parsed),
        Provider::Vimeo => vimeo(host, &segments),
        Provider::X => x(&segments),
        Provider::Instagram => instagram(&segments),
        Provider::Facebook => facebook(host, &segments, &parsed),
        Provider::Tiktok => tiktok(host, &segments),
        Provider::Telegram => telegram(&segments),
        Provider::Soundcloud => soundcloud(host, &segments),
        Provider::Spotify => spotify(&segments),
        Provider::Datawrapper => datawrapper(host, &segments),
        Provider::Flourish => flourish(&segments),
        Provider::GoogleMaps => google_maps(host, &segments, &parsed),
    };
    found
        .map(|parsed| (provider, parsed))
        .ok_or(EmbedUrlError::UnrecognisedPath {
            provider: provider.display_name(),
            hint: provider.hint(),
        })
}

/// The first value of a query parameter.
fn query(url: &Url, key: &str) -> Option<String> {
    url.query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

/// `s` has between `min` and `max` bytes, all of them accepted by `ok`.
fn chars_in(s: &str, min: usize, max: usize, ok: impl Fn(u8) -> bool) -> bool {
    (min..=max).contains(&s.len()) && s.bytes().all(ok)
}

fn digits(s: &str, max: usize) -> bool {
    chars_in(s, 1, max, |b| b.is_ascii_digit())
}

fn id_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

fn youtube(host: &str, segments: &[&str], url: &Url) -> Option<Parsed> {
    let id = if host == "youtu.be" {
        match segments {
            [id] => (*id).to_owned(),
            _ => return None,
        }
    } else {
        match segments {
            ["watch"] => query(url, "v")?,
            ["shorts" | "embed" | "live" | "v", id] => (*id).to_owned(),
            _ => return None,
        }
    };
    if !chars_in(&id, 11, 11, id_char) {
        return None;
    }
    let canonical = format!("https://www.youtube.com/watch?v={id}");
    Some(Parsed::new(id, canonical))
}

fn vimeo(host: &str, segments: &[&str]) -> Option<Parsed> {
    let id = match (host, segments) {
        ("player.vimeo.com", ["video", id]) => *id,
        ("player.vimeo.com", _) => return None,
        (_, [id]) | (_, ["channels", _, id]) => *id,
        _ => return None,
    };
    if !digits(id, 12) {
        return None;
    }
    Some(Parsed::new(
        id.to_owned(),
        format!("https://vimeo.com/{id}"),
    ))
}

fn x(segments: &[&str]) -> Option<Parsed> {
    let (user, id, rest) = match segments {
        ["i", "web", "status", id, rest @ ..] => ("i/web", *id, rest),
        [user, "status" | "statuses", id, rest @ ..] => (*user, *id, rest),
        _ => return None,
    };
    // A post's photo or video tab is still that post.
    let rest_ok = match rest {
        [] => true,
        ["photo" | "video", n] => digits(n, 2),
        _ => false,
    };
    let user_ok =
        user == "i/web" || chars_in(user, 1, 15, |b| b.is_ascii_alphanumeric() || b == b'_');
    if !rest_ok || !user_ok || !digits(id, 20) {
        return None;
    }
    let canonical = format!("https://x.com/{user}/status/{id}");
    Some(Parsed::new(id.to_owned(), canonical))
}

fn instagram(segments: &[&str]) -> Option<Parsed> {
    // Newer links put the account first: /{user}/p/{code}/; embed sources end in /embed.
    let segments = match segments {
        [rest @ .., "embed"] => rest,
        all => all,
    };
    let code = match segments {
        ["p" | "reel" | "reels" | "tv", code] => *code,
        [user, "p" | "reel" | "tv", code]
            if chars_in(user, 1, 30, |b| {
                b.is_ascii_alphanumeric() || b == b'_' || b == b'.'
            }) =>
        {
            *code
        }
        _ => return None,
    };
    if !chars_in(code, 5, 64, id_char) {
        return None;
    }
    let canonical = format!("https://www.instagram.com/p/{code}/");
    Some(Parsed::new(code.to_owned(), canonical))
}

fn facebook_page(s: &str) -> bool {
    chars_in(s, 1, 80, |b| {
        b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_'
    }) && !matches!(
        s,
        "watch" | "permalink.php" | "story.php" | "share" | "groups" | "events" | "reel"
    )
}

/// Post ids are numbers or, since 2022, `pfbid…` strings.
fn facebook_post_id(s: &str) -> bool {
    digits(s, 25) || (s.starts_with("pfbid") && chars_in(s, 6, 100, |b| b.is_ascii_alphanumeric()))
}

fn facebook(host: &str, segments: &[&str], url: &Url) -> Option<Parsed> {
    if host == "fb.watch" {
        return None;
    }
    match segments {
        [page, "posts", id] if facebook_page(page) && facebook_post_id(id) => Some(Parsed::new(
            (*id).to_owned(),
            format!("https://www.facebook.com/{page}/posts/{id}"),
        )),
        [page, "videos", .., id] if facebook_page(page) && digits(id, 25) => {
            // A title slug may sit between /videos/ and the id; it carries nothing.
            if segments.len() > 4 {
                return None;
            }
            Some(Parsed {
                media_id: (*id).to_owned(),
                canonical: format!("https://www.facebook.com/{page}/videos/{id}/"),
                video: true,
            })
        }
        ["watch"] => {
            let id = query(url, "v")?;
            if !digits(&id, 25) {
                return None;
            }
            Some(Parsed {
                canonical: format!("https://www.facebook.com/watch/?v={id}"),
                media_id: id,
                video: true,
            })
        }
        ["permalink.php" | "story.php"] => {
            let story = query(url, "story_fbid")?;
            let page = query(url, "id")?;
            if !facebook_post_id(&story) || !digits(&page, 25) {
                return None;
            }
            Some(Parsed::new(
                story.clone(),
                format!("https://www.facebook.com/permalink.php?story_fbid={story}&id={page}"),
            ))
        }
        _ => None,
    }
}

fn tiktok(host: &str, segments: &[&str]) -> Option<Parsed> {
    if host == "vm.tiktok.com" {
        return None;
    }
    let [user, "video", id] = segments else {
        return None;
    };
    let user = user.strip_prefix('@')?;
    if !chars_in(user, 1, 24, |b| {
        b.is_ascii_alphanumeric() || b == b'_' || b == b'.'
    }) || !digits(id, 20)
    {
        return None;
    }
    let canonical = format!("https://www.tiktok.com/@{user}/video/{id}");
    Some(Parsed::new((*id).to_owned(), canonical))
}

fn telegram(segments: &[&str]) -> Option<Parsed> {
    // t.me/s/{channel}/{post} is the web preview of the same public post.
    let (channel, post) = match segments {
        ["s", channel, post] | [channel, post] => (*channel, *post),
        _ => return None,
    };
    // Public usernames are 5 to 32 characters starting with a letter; this also refuses the
    // private-channel form t.me/c/{id}/{post}.
    let channel_ok = chars_in(channel, 5, 32, |b| b.is_ascii_alphanumeric() || b == b'_')
        && channel.as_bytes()[0].is_ascii_alphabetic();
    if !channel_ok || !digits(post, 12) {
        return None;
    }
    let id = format!("{channel}/{post}");
    let canonical = format!("https://t.me/{id}");
    Some(Parsed::new(id, canonical))
}

fn soundcloud(host: &str, segments: &[&str]) -> Option<Parsed> {
    const NOT_ARTISTS: &[&str] = &[
        "discover",
        "search",
        "stream",
        "you",
        "upload",
        "charts",
        "settings",
        "pages",
        "stations",
        "messages",
        "notifications",
        "people",
        "tags",
        "terms-of-use",
        "mobile",
        "pro",
    ];
    const NOT_TRACKS: &[&str] = &[
        "tracks",
        "albums",
        "sets",
        "likes",
        "reposts",
        "followers",
        "following",
        "popular-tracks",
        "playlists",
        "comments",
        "spotlight",
    ];
    if host == "on.soundcloud.com" {
        return None;
    }
    let slug = |s: &str| chars_in(s, 1, 255, id_char);
    let id = match segments {
        [artist, "sets", set] if slug(set) => format!("{artist}/sets/{set}"),
        [artist, track] if slug(track) && !NOT_TRACKS.contains(track) => {
            format!("{artist}/{track}")
        }
        _ => return None,
    };
    let artist = segments.first()?;
    if !slug(artist) || NOT_ARTISTS.contains(artist) {
        return None;
    }
    let canonical = format!("https://soundcloud.com/{id}");
    Some(Parsed::new(id, canonical))
}

fn spotify(segments: &[&str]) -> Option<Parsed> {
    let segments = match segments {
        ["embed", rest @ ..] => rest,
        [locale, rest @ ..] if spotify_locale(locale) => rest,
        all => all,
    };
    let [kind, id] = segments else {
        return None;
    };
    let kind_ok = matches!(
        *kind,
        "track" | "album" | "playlist" | "episode" | "show" | "artist"
    );
    if !kind_ok || !chars_in(id, 22, 22, |b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let id = format!("{kind}/{id}");
    let canonical = format!("https://open.spotify.com/{id}");
    Some(Parsed::new(id, canonical))
}

/// `intl-de`, `intl-pt`: the locale prefix Spotify's share links carry.
fn spotify_locale(s: &str) -> bool {
    s.strip_prefix("intl-")
        .is_some_and(|l| chars_in(l, 2, 5, |b| b.is_ascii_lowercase() || b == b'-'))
}

fn datawrapper(host: &str, segments: &[&str]) -> Option<Parsed> {
    let (chart, version) = match (host, segments) {
        ("datawrapper.dwcdn.net", [chart]) => (*chart, None),
        ("datawrapper.dwcdn.net", [chart, version]) => (*chart, Some(*version)),
        ("datawrapper.de" | "www.datawrapper.de", ["_", chart]) => (*chart, None),
        _ => return None,
    };
    if !chars_in(chart, 5, 8, |b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let id = match version {
        None => chart.to_owned(),
        Some(v) if digits(v, 4) => format!("{chart}/{v}"),
        Some(_) => return None,
    };
    let canonical = format!("https://datawrapper.dwcdn.net/{id}/");
    Some(Parsed::new(id, canonical))
}

fn flourish(segments: &[&str]) -> Option<Parsed> {
    let (kind, number) = match segments {
        [kind @ ("visualisation" | "story"), number]
        | [kind @ ("visualisation" | "story"), number, "embed"] => (*kind, *number),
        _ => return None,
    };
    if !digits(number, 10) {
        return None;
    }
    let id = format!("{kind}/{number}");
    let canonical = format!("https://public.flourish.studio/{id}/");
    Some(Parsed::new(id, canonical))
}

fn google_maps(host: &str, segments: &[&str], url: &Url) -> Option<Parsed> {
    if !matches!(host, "www.google.com" | "google.com" | "maps.google.com")
        || segments != ["maps", "embed"]
    {
        return None;
    }
    let pb = query(url, "pb")?;
    // The parameter is Google's protobuf-in-text: "!1m18!1m12…".
    if !pb.starts_with('!') || pb.len() > 3000 || pb.chars().any(char::is_control) {
        return None;
    }
    let canonical = format!(
        "https://www.google.com/maps/embed?pb={}",
        percent_encode(&pb)
    );
    Some(Parsed::new(pb, canonical))
}

/// Percent-encodes everything but unreserved characters and `!` (which Google's `pb` is made
/// of), so the value is safe inside a query parameter.
fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'!') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Escapes a value for a double- or single-quoted HTML attribute.
fn escape_attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Third-party players need scripts and their own origin; popups may leave the sandbox so that
/// "watch on YouTube" opens a working page. No top navigation: an embed cannot redirect ours.
const SANDBOX: &str = "allow-scripts allow-same-origin allow-popups allow-popups-to-escape-sandbox allow-presentation";

const VIDEO_ALLOW: &str = "accelerometer; autoplay; clipboard-write; encrypted-media; gyroscope; picture-in-picture; \
     fullscreen; web-share";

struct Frame<'a> {
    src: &'a str,
    title: &'a str,
    width: u32,
    height: u32,
    allow: Option<&'a str>,
    fullscreen: bool,
}

fn iframe(frame: &Frame<'_>) -> String {
    let allow = frame
        .allow
        .map(|a| format!(r#" allow="{}""#, escape_attr(a)))
        .unwrap_or_default();
    let fullscreen = if frame.fullscreen {
        r#" allowfullscreen="""#
    } else {
        ""
    };
    format!(
        r#"<iframe src="{src}" title="{title}" width="{width}" height="{height}" loading="lazy" referrerpolicy="strict-origin-when-cross-origin" sandbox="{SANDBOX}"{allow}{fullscreen}></iframe>"#,
        src = escape_attr(frame.src),
        title = escape_attr(frame.title),
        width = frame.width,
        height = frame.height,
    )
}

/// Builds the embed markup from provider + media id ONLY (never from client markup).
///
/// The media is re-validated first: its canonical URL must be recognised again as the same
/// provider and media id, so a hand-built or tampered value yields an empty string rather than
/// markup. X posts become a `<blockquote class="twitter-tweet">` with a link and no script: the
/// front end loads `https://platform.twitter.com/widgets.js` itself to turn it into a card.
pub fn markup(media: &ExternalMedia) -> String {
    let Ok((provider, parsed)) = recognise_parsed(&media.canonical_url) else {
        return String::new();
    };
    if provider != media.provider
        || parsed.media_id != media.media_id
        || parsed.canonical != media.canonical_url
    {
        return String::new();
    }
    let id = parsed.media_id.as_str();
    let video = |src: &str, title: &str| {
        iframe(&Frame {
            src,
            title,
            width: 560,
            height: 315,
            allow: Some(VIDEO_ALLOW),
            fullscreen: true,
        })
    };
    match provider {
        Provider::Youtube => video(
            &format!("https://www.youtube-nocookie.com/embed/{id}"),
            "YouTube video",
        ),
        Provider::Vimeo => video(
            &format!("https://player.vimeo.com/video/{id}?dnt=1"),
            "Vimeo video",
        ),
        Provider::X => format!(
            r#"<blockquote class="twitter-tweet" data-dnt="true"><a href="{}">View this post on X</a></blockquote>"#,
            escape_attr(&parsed.canonical)
        ),
        Provider::Instagram => iframe(&Frame {
            src: &format!("https://www.instagram.com/p/{id}/embed"),
            title: "Instagram post",
            width: 400,
            height: 540,
            allow: None,
            fullscreen: false,
        }),
        Provider::Facebook if parsed.video => video(
            &format!(
                "https://www.facebook.com/plugins/video.php?href={}&show_text=false",
                percent_encode(&parsed.canonical)
            ),
            "Facebook video",
        ),
        Provider::Facebook => iframe(&Frame {
            src: &format!(
                "https://www.facebook.com/plugins/post.php?href={}&show_text=true&width=500",
                percent_encode(&parsed.canonical)
            ),
            title: "Facebook post",
            width: 500,
            height: 600,
            allow: None,
            fullscreen: false,
        }),
        Provider::Tiktok => iframe(&Frame {
            src: &format!("https://www.tiktok.com/embed/v2/{id}"),
            title: "TikTok video",
            width: 325,
            height: 740,
            allow: Some("encrypted-media; fullscreen; picture-in-picture"),
            fullscreen: true,
        }),
        Provider::Telegram => iframe(&Frame {
            src: &format!("https://t.me/{id}?embed=1"),
            title: "Telegram post",
            width: 500,
            height: 400,
            allow: None,
            fullscreen: false,
        }),
        Provider::Soundcloud => iframe(&Frame {
            src: &format!(
                "https://w.soundcloud.com/player/?url={}",
                percent_encode(&parsed.canonical)
            ),
            title: "SoundCloud player",
            width: 560,
            height: if id.contains("/sets/") { 450 } else { 166 },
            allow: Some("autoplay"),
            fullscreen: false,
        }),
        Provider::Spotify => iframe(&Frame {
            src: &format!("https://open.spotify.com/embed/{id}"),
            title: "Spotify player",
            width: 560,
            height: 352,
            allow: Some(
                "autoplay; clipboard-write; encrypted-media; fullscreen; picture-in-picture",
            ),
            fullscreen: true,
        }),
        Provider::Datawrapper => iframe(&Frame {
            src: &format!("https://datawrapper.dwcdn.net/{id}/"),
            title: "Datawrapper chart",
            width: 600,
            height: 400,
            allow: None,
            fullscreen: false,
        }),
        Provider::Flourish => iframe(&Frame {
            src: &format!("https://flo.uri.sh/{id}/embed"),
            title: "Flourish visualisation",
            width: 720,
            height: 575,
            allow: None,
            fullscreen: true,
        }),
        Provider::GoogleMaps => iframe(&Frame {
            src: &format!(
                "https://www.google.com/maps/embed?pb={}",
                percent_encode(id)
            ),
            title: "Google Maps map",
            width: 600,
            height: 450,
            allow: None,
            fullscreen: true,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Asserts that every URL is recognised as `provider` with `media_id` and `canonical`, and
    /// that the canonical URL is a fixed point (markup relies on that).
    fn accepts(provider: Provider, media_id: &str, canonical: &str, urls: &[&str]) {
        for url in urls {
            let media = recognise(url).unwrap_or_else(|e| panic!("{url} refused: {e}"));
            assert_eq!(media.provider, provider, "{url}");
            assert_eq!(media.media_id, media_id, "{url}");
            assert_eq!(media.canonical_url, canonical, "{url}");
            assert_eq!(
                recognise(canonical),
                Ok(media),
                "{canonical} is not a fixed point"
            );
        }
    }

    /// Asserts that every URL is refused as a path of `provider` this server cannot embed.
    fn refuses_path(provider: Provider, urls: &[&str]) {
        for url in urls {
            match recognise(url) {
                Err(EmbedUrlError::UnrecognisedPath { provider: p, hint }) => {
                    assert_eq!(p, provider.display_name(), "{url}");
                    assert!(!hint.is_empty());
                }
                other => panic!("{url}: expected an unrecognised {provider:?} path, got {other:?}"),
            }
        }
    }

    fn unknown(urls: &[&str]) {
        for url in urls {
            assert!(
                matches!(recognise(url), Err(EmbedUrlError::UnknownProvider(_))),
                "{url}: {:?}",
                recognise(url)
            );
        }
    }

    #[test]
    fn youtube_forms() {
        accepts(
            Provider::Youtube,
            "dQw4w9WgXcQ",
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
            &[
                "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
                "https://youtube.com/watch?v=dQw4w9WgXcQ&t=42s",
                "https://m.youtube.com/watch?feature=share&v=dQw4w9WgXcQ",
                "https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=PL123&index=2#t=3",
                "https://youtu.be/dQw4w9WgXcQ",
                "https://youtu.be/dQw4w9WgXcQ?si=AbCdEfGh12345&t=10",
                "https://www.youtube.com/shorts/dQw4w9WgXcQ",
                "https://youtube.com/shorts/dQw4w9WgXcQ?feature=share",
                "https://www.youtube.com/embed/dQw4w9WgXcQ",
                "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?rel=0",
                "https://www.youtube.com/live/dQw4w9WgXcQ?si=xyz",
                "  https://www.youtube.com/watch?v=dQw4w9WgXcQ  ",
                "HTTPS://WWW.YOUTUBE.COM/watch?v=dQw4w9WgXcQ",
                "https://www.youtube.com:443/watch?v=dQw4w9WgXcQ",
            ],
        );
        accepts(
            Provider::Youtube,
            "a-b_C123456",
            "https://www.youtube.com/watch?v=a-b_C123456",
            &["https://youtu.be/a-b_C123456/"],
        );
        refuses_path(
            Provider::Youtube,
            &[
                "https://www.youtube.com/",
                "https://www.youtube.com/watch",
                "https://www.youtube.com/watch?v=short",
                "https://www.youtube.com/watch?v=dQw4w9WgXcQQ",
                "https://www.youtube.com/watch?v=dQw4w9WgX%3C",
                "https://www.youtube.com/@channel",
                "https://www.youtube.com/playlist?list=PL123",
                "https://youtu.be/",
                "https://youtu.be/dQw4w9WgXcQ/extra",
                "https://www.youtube.com/shorts/",
            ],
        );
    }

    #[test]
    fn vimeo_forms() {
        accepts(
            Provider::Vimeo,
            "76979871",
            "https://vimeo.com/76979871",
            &[
                "https://vimeo.com/76979871",
                "https://www.vimeo.com/76979871?share=copy",
                "https://vimeo.com/channels/staffpicks/76979871",
                "https://player.vimeo.com/video/76979871",
                "https://player.vimeo.com/video/76979871?h=abc&badge=0",
            ],
        );
        refuses_path(
            Provider::Vimeo,
            &[
                "https://vimeo.com/",
                "https://vimeo.com/user123",
                "https://vimeo.com/76979871/abcdef1234",
                "https://player.vimeo.com/76979871",
                "https://player.vimeo.com/video/abc",
            ],
        );
    }

    #[test]
    fn x_forms() {
        accepts(
            Provider::X,
            "1445078208190291968",
            "https://x.com/Interior/status/1445078208190291968",
            &[
                "https://twitter.com/Interior/status/1445078208190291968",
                "https://www.twitter.com/Interior/status/1445078208190291968?s=20&t=abc",
                "https://mobile.twitter.com/Interior/status/1445078208190291968",
                "https://x.com/Interior/status/1445078208190291968",
                "https://mobile.x.com/Interior/status/1445078208190291968/",
                "https://x.com/Interior/status/1445078208190291968/photo/1",
                "https://x.com/Interior/statuses/1445078208190291968",
            ],
        );
        accepts(
            Provider::X,
            "1445078208190291968",
            "https://x.com/i/web/status/1445078208190291968",
            &["https://twitter.com/i/web/status/1445078208190291968"],
        );
        refuses_path(
            Provider::X,
            &[
                "https://x.com/Interior",
                "https://x.com/Interior/status/",
                "https://x.com/Interior/status/abc",
                "https://x.com/Interior/likes",
                "https://x.com/a-b/status/1445078208190291968",
                "https://x.com/Interior/status/1445078208190291968/retweets",
                "https://x.com/search?q=news",
            ],
        );
    }

    #[test]
    fn instagram_forms() {
        accepts(
            Provider::Instagram,
            "CxYz_12-AbC",
            "https://www.instagram.com/p/CxYz_12-AbC/",
            &[
                "https://www.instagram.com/p/CxYz_12-AbC/",
                "https://instagram.com/p/CxYz_12-AbC?igsh=MWQ1ZGUxMzBkMA==",
                "https://www.instagram.com/reel/CxYz_12-AbC/?utm_source=ig_web_copy_link",
                "https://www.instagram.com/tv/CxYz_12-AbC",
                "https://www.instagram.com/natgeo/p/CxYz_12-AbC/",
                "https://www.instagram.com/p/CxYz_12-AbC/embed/",
            ],
        );
        refuses_path(
            Provider::Instagram,
            &[
                "https://www.instagram.com/natgeo/",
                "https://www.instagram.com/stories/natgeo/123/",
                "https://www.instagram.com/p/",
                "https://www.instagram.com/p/ab/",
                "https://www.instagram.com/explore/tags/news/",
            ],
        );
    }

    #[test]
    fn facebook_forms() {
        accepts(
            Provider::Facebook,
            "10153231379946729",
            "https://www.facebook.com/nytimes/posts/10153231379946729",
            &[
                "https://www.facebook.com/nytimes/posts/10153231379946729",
                "https://facebook.com/nytimes/posts/10153231379946729/?mibextid=abc",
                "https://m.facebook.com/nytimes/posts/10153231379946729",
            ],
        );
        accepts(
            Provider::Facebook,
            "pfbid02Abc3Def",
            "https://www.facebook.com/nytimes/posts/pfbid02Abc3Def",
            &["https://web.facebook.com/nytimes/posts/pfbid02Abc3Def?rdid=1"],
        );
        accepts(
            Provider::Facebook,
            "10155278547321729",
            "https://www.facebook.com/nytimes/videos/10155278547321729/",
            &[
                "https://www.facebook.com/nytimes/videos/10155278547321729/",
                "https://www.facebook.com/nytimes/videos/a-title-slug/10155278547321729/",
            ],
        );
        accepts(
            Provider::Facebook,
            "123456789",
            "https://www.facebook.com/watch/?v=123456789",
            &[
                "https://www.facebook.com/watch/?v=123456789",
                "https://www.facebook.com/watch?v=123456789&ref=sharing",
            ],
        );
        accepts(
            Provider::Facebook,
            "111",
            "https://www.facebook.com/permalink.php?story_fbid=111&id=222",
            &[
                "https://www.facebook.com/permalink.php?story_fbid=111&id=222",
                "https://m.facebook.com/story.php?id=222&story_fbid=111&__tn__=R",
            ],
        );
        refuses_path(
            Provider::Facebook,
            &[
                "https://www.facebook.com/nytimes",
                "https://www.facebook.com/share/p/abc/",
                "https://fb.watch/abcDEF/",
                "https://www.facebook.com/watch/?v=abc",
                "https://www.facebook.com/permalink.php?story_fbid=111",
                "https://www.facebook.com/groups/news/posts/123",
                "https://www.facebook.com/nytimes/videos/a/b/123",
            ],
        );
    }

    #[test]
    fn tiktok_forms() {
        accepts(
            Provider::Tiktok,
            "7106594312292453675",
            "https://www.tiktok.com/@scout2015/video/7106594312292453675",
            &[
                "https://www.tiktok.com/@scout2015/video/7106594312292453675",
                "https://www.tiktok.com/@scout2015/video/7106594312292453675?is_from_webapp=1&lang=en",
                "https://m.tiktok.com/@scout2015/video/7106594312292453675",
            ],
        );
        refuses_path(
            Provider::Tiktok,
            &[
                "https://www.tiktok.com/@scout2015",
                "https://www.tiktok.com/scout2015/video/7106594312292453675",
                "https://vm.tiktok.com/ZMabcdef/",
                "https://www.tiktok.com/@scout2015/video/abc",
            ],
        );
    }

    #[test]
    fn telegram_forms() {
        accepts(
            Provider::Telegram,
            "durov/43",
            "https://t.me/durov/43",
            &[
                "https://t.me/durov/43",
                "https://t.me/durov/43?single",
                "https://t.me/s/durov/43",
                "https://telegram.me/durov/43",
            ],
        );
        refuses_path(
            Provider::Telegram,
            &[
                "https://t.me/c/1234567890/43",
                "https://t.me/durov",
                "https://t.me/joinchat/AAAA",
                "https://t.me/+AbCdEf",
                "https://t.me/abc/43",
                "https://t.me/1durov/43",
            ],
        );
    }

    #[test]
    fn soundcloud_forms() {
        accepts(
            Provider::Soundcloud,
            "forss/flickermood",
            "https://soundcloud.com/forss/flickermood",
            &[
                "https://soundcloud.com/forss/flickermood",
                "https://m.soundcloud.com/forss/flickermood?utm_source=clipboard&si=abc",
                "https://www.soundcloud.com/forss/flickermood/",
            ],
        );
        accepts(
            Provider::Soundcloud,
            "forss/sets/soulhack",
            "https://soundcloud.com/forss/sets/soulhack",
            &["https://soundcloud.com/forss/sets/soulhack"],
        );
        refuses_path(
            Provider::Soundcloud,
            &[
                "https://soundcloud.com/forss",
                "https://soundcloud.com/forss/likes",
                "https://soundcloud.com/discover/sets",
                "https://soundcloud.com/search/sounds",
                "https://soundcloud.com/forss/flickermood/s-AbCdE",
                "https://on.soundcloud.com/abcDEF",
            ],
        );
    }

    #[test]
    fn spotify_forms() {
        accepts(
            Provider::Spotify,
            "track/4uLU6hMCjMI75M1A2tKUQC",
            "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC",
            &[
                "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC",
                "https://open.spotify.com/track/4uLU6hMCjMI75M1A2tKUQC?si=abc123",
                "https://open.spotify.com/intl-de/track/4uLU6hMCjMI75M1A2tKUQC",
                "https://open.spotify.com/embed/track/4uLU6hMCjMI75M1A2tKUQC",
            ],
        );
        for kind in ["album", "playlist", "episode", "show", "artist"] {
            let url = format!("https://open.spotify.com/{kind}/37i9dQZF1DXcBWIGoYBM5M");
            let id = format!("{kind}/37i9dQZF1DXcBWIGoYBM5M");
            accepts(Provider::Spotify, &id, &url, &[&url]);
        }
        refuses_path(
            Provider::Spotify,
            &[
                "https://open.spotify.com/",
                "https://open.spotify.com/user/spotify",
                "https://open.spotify.com/track/short",
                "https://open.spotify.com/intl-de/",
                "https://open.spotify.com/genre/pop/4uLU6hMCjMI75M1A2tKUQC",
            ],
        );
        assert!(matches!(
            recognise("spotify:track:4uLU6hMCjMI75M1A2tKUQC"),
            Err(EmbedUrlError::Malformed)
        ));
    }

    #[test]
    fn datawrapper_forms() {
        accepts(
            Provider::Datawrapper,
            "dsUXf",
            "https://datawrapper.dwcdn.net/dsUXf/",
            &[
                "https://datawrapper.dwcdn.net/dsUXf/",
                "https://datawrapper.dwcdn.net/dsUXf",
                "https://www.datawrapper.de/_/dsUXf/",
                "https://datawrapper.de/_/dsUXf",
            ],
        );
        accepts(
            Provider::Datawrapper,
            "dsUXf/3",
            "https://datawrapper.dwcdn.net/dsUXf/3/",
            &["https://datawrapper.dwcdn.net/dsUXf/3/"],
        );
        refuses_path(
            Provider::Datawrapper,
            &[
                "https://datawrapper.dwcdn.net/",
                "https://datawrapper.dwcdn.net/ab/",
                "https://datawrapper.dwcdn.net/dsUXf/v3/",
                "https://www.datawrapper.de/charts/",
                "https://www.datawrapper.de/dsUXf/",
            ],
        );
    }

    #[test]
    fn flourish_forms() {
        accepts(
            Provider::Flourish,
            "visualisation/1234567",
            "https://public.flourish.studio/visualisation/1234567/",
            &[
                "https://public.flourish.studio/visualisation/1234567/",
                "https://public.flourish.studio/visualisation/1234567",
                "https://flo.uri.sh/visualisation/1234567/embed",
            ],
        );
        accepts(
            Provider::Flourish,
            "story/98765",
            "https://public.flourish.studio/story/98765/",
            &["https://public.flourish.studio/story/98765/"],
        );
        refuses_path(
            Provider::Flourish,
            &[
                "https://public.flourish.studio/",
                "https://public.flourish.studio/visualisation/abc/",
                "https://public.flourish.studio/chart/1234567/",
            ],
        );
    }

    #[test]
    fn google_maps_forms() {
        let pb = "!1m18!1m12!1m3!1d2482.9!2d-0.12!3d51.50!2m3!1f0!2f0!3f0!3m2!1i1024!2i768!4f13.1!3m3!1m2!1s0x487604b900d26973%3A0x4291f3172409ea92!2sLondon%20Eye!5e0!3m2!1sen!2suk!4v1700000000000";
        let decoded = "!1m18!1m12!1m3!1d2482.9!2d-0.12!3d51.50!2m3!1f0!2f0!3f0!3m2!1i1024!2i768!4f13.1!3m3!1m2!1s0x487604b900d26973:0x4291f3172409ea92!2sLondon Eye!5e0!3m2!1sen!2suk!4v1700000000000";
        let canonical = format!("https://www.google.com/maps/embed?pb={pb}");
        accepts(
            Provider::GoogleMaps,
            decoded,
            &canonical,
            &[
                &canonical,
                &format!("https://google.com/maps/embed?pb={pb}"),
                &format!("https://maps.google.com/maps/embed?pb={pb}&hl=en"),
            ],
        );
        refuses_path(
            Provider::GoogleMaps,
            &[
                "https://www.google.com/maps/place/London+Eye/@51.5,-0.11,17z",
                "https://maps.app.goo.gl/AbCdEf123",
                "https://www.google.com/maps/embed",
                "https://www.google.com/maps/embed?pb=notpb",
                "https://www.google.com/search?q=maps",
            ],
        );
        match recognise("https://maps.app.goo.gl/AbCdEf123") {
            Err(e) => {
                let message = e.to_string();
                assert!(message.contains("API key"), "{message}");
                assert!(message.contains("Embed a map"), "{message}");
            }
            Ok(m) => panic!("accepted {m:?}"),
        }
    }

    #[test]
    fn look_alike_hosts_are_not_providers() {
        unknown(&[
            "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
            "https://evilyoutube.com/watch?v=dQw4w9WgXcQ",
            "https://www.youtube.co/watch?v=dQw4w9WgXcQ",
            "https://xn--yutube-wqf.com/watch?v=dQw4w9WgXcQ",
            "https://www.youtube.com.evil.example/embed/dQw4w9WgXcQ",
            "https://vimeo.com.attacker.net/76979871",
            "https://notx.com/a/status/1",
            "https://x.co/a/status/1",
            "https://twitter.com.evil/a/status/1",
            "https://evil-t.me/durov/43",
            "https://t.me.evil.example/durov/43",
            "https://open.spotify.com.evil/track/4uLU6hMCjMI75M1A2tKUQC",
            "https://google.com.evil/maps/embed?pb=!1m2",
            "https://www.google.co.uk/maps/embed?pb=!1m2",
            "https://sub.datawrapper.dwcdn.net/dsUXf/",
            "https://127.0.0.1/watch?v=dQw4w9WgXcQ",
            "https://[::1]/watch?v=dQw4w9WgXcQ",
            "https://www.youtube.com./watch?v=dQw4w9WgXcQ",
        ]);
        assert_eq!(
            recognise("https://evil.example/x"),
            Err(EmbedUrlError::UnknownProvider("evil.example".to_owned()))
        );
    }

    #[test]
    fn schemes_credentials_and_ports_are_refused() {
        let cases = [
            (
                "http://www.youtube.com/watch?v=dQw4w9WgXcQ",
                EmbedUrlError::NotHttps,
            ),
            ("http://youtu.be/dQw4w9WgXcQ", EmbedUrlError::NotHttps),
            ("http://t.me/durov/43", EmbedUrlError::NotHttps),
            ("ftp://vimeo.com/76979871", EmbedUrlError::NotHttps),
            ("javascript:alert(1)", EmbedUrlError::Malformed),
            (
                "data:text/html,<script>alert(1)</script>",
                EmbedUrlError::Malformed,
            ),
            (
                "www.youtube.com/watch?v=dQw4w9WgXcQ",
                EmbedUrlError::Malformed,
            ),
            (
                "//www.youtube.com/watch?v=dQw4w9WgXcQ",
                EmbedUrlError::Malformed,
            ),
            ("", EmbedUrlError::Malformed),
            ("https://", EmbedUrlError::Malformed),
            (
                "https://user@www.youtube.com/watch?v=dQw4w9WgXcQ",
                EmbedUrlError::Credentials,
            ),
            (
                "https://www.youtube.com:pass@evil.example/watch?v=dQw4w9WgXcQ",
                EmbedUrlError::Credentials,
            ),
            (
                "https://www.youtube.com:8443/watch?v=dQw4w9WgXcQ",
                EmbedUrlError::Port,
            ),
            ("https://t.me:80/durov/43", EmbedUrlError::Port),
        ];
        for (url, expected) in cases {
            assert_eq!(recognise(url), Err(expected), "{url}");
        }
        let long = format!(
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ&x={}",
            "a".repeat(5000)
        );
        assert_eq!(recognise(&long), Err(EmbedUrlError::TooLong));
    }

    #[test]
    fn error_messages_read_after_the_field_name() {
        assert_eq!(EmbedUrlError::NotHttps.to_string(), "must use https");
        let too_long = EmbedUrlError::TooLong.to_string();
        assert!(too_long.contains(&MAX_URL_LEN.to_string()), "{too_long}");
        let unknown = EmbedUrlError::UnknownProvider("evil.example".into()).to_string();
        assert!(unknown.starts_with("evil.example is not an allowed embed provider; allowed: "));
        // The message lists every provider, in order.
        let listed = unknown.split("allowed: ").nth(1).unwrap_or_default();
        let names: Vec<_> = Provider::ALL.iter().map(|p| p.display_name()).collect();
        assert_eq!(listed, names.join(", "));
        let path = recognise("https://vimeo.com/user123")
            .unwrap_err()
            .to_string();
        assert!(
            path.starts_with("is not a Vimeo URL this server can embed: paste"),
            "{path}"
        );
    }

    #[test]
    fn providers_round_trip_and_have_kinds() {
        for provider in Provider::ALL {
            assert_eq!(Provider::parse(provider.as_str()), Some(provider));
            let json = serde_json::to_string(&provider).unwrap();
            assert_eq!(json, format!("\"{}\"", provider.as_str()));
            let kind = serde_json::to_string(&provider.kind()).unwrap();
            assert_eq!(kind, format!("\"{}\"", provider.kind().as_str()));
        }
        assert_eq!(Provider::parse("twitter"), None);
        assert_eq!(Provider::GoogleMaps.kind(), MediaKind::Map);
        assert_eq!(Provider::Datawrapper.kind(), MediaKind::Chart);
        assert_eq!(Provider::Spotify.kind(), MediaKind::Audio);
        assert_eq!(Provider::Telegram.kind(), MediaKind::SocialPost);
        assert_eq!(Provider::Youtube.kind(), MediaKind::Video);
    }

    fn markup_of(url: &str) -> String {
        let media = recognise(url).unwrap();
        let html = markup(&media);
        assert!(!html.to_lowercase().contains("<script"), "{html}");
        html
    }

    /// The `src` of the single iframe in `html`, unescaped.
    fn iframe_src(html: &str) -> String {
        assert!(html.starts_with("<iframe src=\""), "{html}");
        assert!(html.ends_with("></iframe>"), "{html}");
        assert_eq!(html.matches("<iframe").count(), 1, "{html}");
        let start = "<iframe src=\"".len();
        let end = start + html[start..].find('"').unwrap();
        html[start..end].replace("&amp;", "&")
    }

    #[test]
    fn markup_points_at_each_providers_player() {
        let cases = [
            (
                "https://youtu.be/dQw4w9WgXcQ?t=1",
                "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
            ),
            (
                "https://vimeo.com/76979871",
                "https://player.vimeo.com/video/76979871?dnt=1",
            ),
            (
                "https://instagram.com/reel/CxYz_12-AbC",
                "https://www.instagram.com/p/CxYz_12-AbC/embed",
            ),
            (
                "https://www.facebook.com/nytimes/posts/10153231379946729",
                "https://www.facebook.com/plugins/post.php?href=https%3A%2F%2Fwww.facebook.com%2Fnytimes%2Fposts%2F10153231379946729&show_text=true&width=500",
            ),
            (
                "https://www.facebook.com/watch/?v=123456789",
                "https://www.facebook.com/plugins/video.php?href=https%3A%2F%2Fwww.facebook.com%2Fwatch%2F%3Fv%3D123456789&show_text=false",
            ),
            (
                "https://www.tiktok.com/@scout2015/video/7106594312292453675",
                "https://www.tiktok.com/embed/v2/7106594312292453675",
            ),
            ("https://t.me/s/durov/43", "https://t.me/durov/43?embed=1"),
            (
                "https://soundcloud.com/forss/flickermood",
                "https://w.soundcloud.com/player/?url=https%3A%2F%2Fsoundcloud.com%2Fforss%2Fflickermood",
            ),
            (
                "https://open.spotify.com/intl-de/album/37i9dQZF1DXcBWIGoYBM5M?si=x",
                "https://open.spotify.com/embed/album/37i9dQZF1DXcBWIGoYBM5M",
            ),
            (
                "https://www.datawrapper.de/_/dsUXf/",
                "https://datawrapper.dwcdn.net/dsUXf/",
            ),
            (
                "https://public.flourish.studio/story/98765/",
                "https://flo.uri.sh/story/98765/embed",
            ),
            (
                "https://www.google.com/maps/embed?pb=!1m2!2sLondon%20Eye%22%3E",
                "https://www.google.com/maps/embed?pb=!1m2!2sLondon%20Eye%22%3E",
            ),
        ];
        for (url, src) in cases {
            let html = markup_of(url);
            assert_eq!(iframe_src(&html), src, "{url}");
            assert!(html.contains(r#" loading="lazy""#), "{html}");
            assert!(html.contains(r#" title=""#), "{html}");
            assert!(html.contains(r#" sandbox=""#), "{html}");
            assert!(html.contains(r#" referrerpolicy=""#), "{html}");
            let host = Url::parse(src).unwrap().host_str().unwrap().to_owned();
            assert!(allowed_iframe_hosts().contains(&host.as_str()), "{host}");
        }
        assert!(markup_of("https://youtu.be/dQw4w9WgXcQ").contains(" allowfullscreen"));
        assert!(!markup_of("https://t.me/durov/43").contains(" allowfullscreen"));
    }

    #[test]
    fn x_markup_is_a_blockquote_without_script() {
        let html = markup_of("https://twitter.com/Interior/status/1445078208190291968?s=20");
        assert_eq!(
            html,
            r#"<blockquote class="twitter-tweet" data-dnt="true"><a href="https://x.com/Interior/status/1445078208190291968">View this post on X</a></blockquote>"#
        );
    }

    #[test]
    fn markup_refuses_media_that_recognise_did_not_make() {
        let good = recognise("https://youtu.be/dQw4w9WgXcQ").unwrap();
        let tampered = [
            ExternalMedia {
                media_id: "\"><script>alert(1)</script>".into(),
                ..good.clone()
            },
            ExternalMedia {
                canonical_url: "javascript:alert(1)".into(),
                ..good.clone()
            },
            ExternalMedia {
                provider: Provider::Vimeo,
                ..good.clone()
            },
            ExternalMedia {
                provider: Provider::X,
                media_id: "1".into(),
                canonical_url: "https://x.com/a/status/1\"onmouseover=\"alert(1)".into(),
            },
            ExternalMedia {
                canonical_url: "https://www.youtube.com/watch?v=dQw4w9WgXcQ&x=1".into(),
                ..good.clone()
            },
        ];
        for media in tampered {
            assert_eq!(markup(&media), "", "{media:?}");
        }
        assert!(!markup(&good).is_empty());
    }

    #[test]
    fn attribute_values_are_escaped() {
        assert_eq!(
            escape_attr(r#"a&b<c>d"e'f"#),
            "a&amp;b&lt;c&gt;d&quot;e&#39;f"
        );
        // A map's pb is free text after decoding; it reaches the markup encoded.
        let html = markup_of("https://www.google.com/maps/embed?pb=!1m2!2s%22%3E%3Cscript%3E");
        assert!(
            !html.contains("\"><script") && !html.contains("<script"),
            "{html}"
        );
        assert!(html.contains("pb=!1m2!2s%22%3E%3Cscript%3E"), "{html}");
    }
}
