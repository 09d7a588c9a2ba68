//! Webhook rules: which events exist, which target URLs are acceptable, how deliveries are
//! signed and when a failed one is tried again. Pure functions; DNS and HTTP live elsewhere.

use std::net::IpAddr;
use std::time::Duration;

use hmac::{KeyInit, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use utoipa::ToSchema;

/// Something that happened to an article, announced to the webhooks subscribed to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub enum WebhookEvent {
    /// Published (by a person or by the scheduler).
    #[serde(rename = "article.published")]
    ArticlePublished,
    /// The working copy changed.
    #[serde(rename = "article.updated")]
    ArticleUpdated,
    /// Taken down.
    #[serde(rename = "article.unpublished")]
    ArticleUnpublished,
    /// Deleted.
    #[serde(rename = "article.deleted")]
    ArticleDeleted,
    /// A scheduled publish failed; the article went back to review.
    #[serde(rename = "article.publish_failed")]
    ArticlePublishFailed,
}

impl WebhookEvent {
    /// Every event, in the order the documentation lists them.
    pub const ALL: [Self; 5] = [
        Self::ArticlePublished,
        Self::ArticleUpdated,
        Self::ArticleUnpublished,
        Self::ArticleDeleted,
        Self::ArticlePublishFailed,
    ];

    /// The wire name, e.g. `article.published`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ArticlePublished => "article.published",
            Self::ArticleUpdated => "article.updated",
            Self::ArticleUnpublished => "article.unpublished",
            Self::ArticleDeleted => "article.deleted",
            Self::ArticlePublishFailed => "article.publish_failed",
        }
    }

    /// The event with this wire name.
    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == name)
    }
}

/// The state of one delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    /// Not tried yet (or re-queued).
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// The last attempt failed; another is scheduled.
    Failed,
    /// Every attempt failed; only a replay sends it again.
    Dead,
}

impl DeliveryStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
            Self::Dead => "dead",
        }
    }

    /// The status with this stored name.
    pub fn parse(name: &str) -> Option<Self> {
        [Self::Pending, Self::Delivered, Self::Failed, Self::Dead]
            .into_iter()
            .find(|s| s.as_str() == name)
    }
}

/// Why a target URL is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetRefusal {
    /// Not an absolute URL.
    #[error("is not a valid URL")]
    Malformed,
    /// Not `http` or `https`.
    #[error("must be an http:// or https:// URL")]
    Scheme,
    /// No host, or credentials in the URL.
    #[error("must name a host and carry no user name or password")]
    Host,
    /// An IP address where a host name is required.
    #[error("must name a host, not an IP address")]
    IpLiteral,
    /// The host is (or resolves to) a loopback, private, link-local or unique-local address.
    #[error("points to a private or local address ({0})")]
    Private(IpAddr),
}

/// A parsed target URL and what still has to be checked about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The URL.
    pub url: url::Url,
    /// The host name to resolve and check with [`check_addresses`]; `None` when the host is an
    /// IP address (already checked) or private targets are allowed.
    pub resolve: Option<(String, u16)>,
}

/// Checks the shape of a target URL: `http(s)`, a host, no credentials. Unless
/// `allow_private`, an IP-address host is refused, and a host name must still resolve only to
/// public addresses ([`check_addresses`]).
pub fn parse_target(raw: &str, allow_private: bool) -> Result<Target, TargetRefusal> {
    let url = url::Url::parse(raw.trim()).map_err(|_| TargetRefusal::Malformed)?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(TargetRefusal::Scheme);
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(TargetRefusal::Host);
    }
    let port = url.port_or_known_default().ok_or(TargetRefusal::Host)?;
    let resolve = match url.host() {
        None => return Err(TargetRefusal::Host),
        Some(_) if allow_private => None,
        Some(url::Host::Ipv4(_) | url::Host::Ipv6(_)) => return Err(TargetRefusal::IpLiteral),
        Some(url::Host::Domain("")) => return Err(TargetRefusal::Host),
        Some(url::Host::Domain(name)) => Some((name.to_owned(), port)),
    };
    Ok(Target { url, resolve })
}

/// Refuses a host whose addresses include a non-public one.
pub fn check_addresses(addresses: &[IpAddr]) -> Result<(), TargetRefusal> {
    match addresses.iter().find(|ip| !is_public(**ip)) {
        Some(ip) => Err(TargetRefusal::Private(*ip)),
        None => Ok(()),
    }
}

/// Whether `ip` is a public unicast address: not loopback, private (RFC 1918), shared
/// (100.64/10), link-local, unique-local (fc00::/7), unspecified, broadcast, multicast or
/// documentation. IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

/// `X-Newsroom-Signature`: `sha256=` and the hex HMAC-SHA256 of `"<timestamp>.<body>"` keyed
/// with the webhook's secret.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = match <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        // HMAC takes keys of any length; this arm cannot be reached.
        Err(_) => return String::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    let mut out = String::with_capacity(7 + digest.len() * 2);
    out.push_str("sha256=");
    for byte in digest {
        out.push_str(&format!("{byte:02x}"));
    }
    out
}

/// Attempts before a delivery is dead.
pub const MAX_ATTEMPTS: i32 = 8;
/// Longest wait between two attempts.
pub const MAX_RETRY_DELAY: Duration = Duration::from_secs(6 * 60 * 60);

/// After `attempts` failed attempts: the wait before the next one (`base × 2^(attempts-1)`,
/// capped), or `None` when the delivery is dead.
pub fn retry_delay(base: Duration, attempts: i32) -> Option<Duration> {
    if attempts >= MAX_ATTEMPTS {
        return None;
    }
    let exponent = u32::try_from(attempts.saturating_sub(1).max(0)).unwrap_or(0);
    let factor = 2u32.checked_pow(exponent).unwrap_or(u32::MAX);
    Some(
        base.checked_mul(factor)
            .unwrap_or(MAX_RETRY_DELAY)
            .min(MAX_RETRY_DELAY),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_names_round_trip() {
        for event in WebhookEvent::ALL {
            assert_eq!(WebhookEvent::parse(event.as_str()), Some(event));
            assert_eq!(
                serde_json::to_value(event).unwrap(),
                serde_json::json!(event.as_str())
            );
        }
        assert_eq!(WebhookEvent::parse("article.created"), None);
    }

    #[test]
    fn only_http_urls_with_a_host_are_targets() {
        assert_eq!(
            parse_target("ftp://example.com/x", true),
            Err(TargetRefusal::Scheme)
        );
        assert_eq!(
            parse_target("not a url", true),
            Err(TargetRefusal::Malformed)
        );
        assert_eq!(
            parse_target("https://user:pw@example.com/", true),
            Err(TargetRefusal::Host)
        );
        let target = parse_target("https://hooks.example.com/in", false).unwrap();
        assert_eq!(target.resolve, Some(("hooks.example.com".to_owned(), 443)));
        assert_eq!(
            parse_target("http://127.0.0.1:9/x", true).unwrap().resolve,
            None
        );
    }

    #[test]
    fn ip_literals_are_refused_unless_private_targets_are_allowed() {
        for url in [
            "http://127.0.0.1/",
            "http://10.1.2.3/",
            "http://[::1]:8080/",
            "http://93.184.216.34/",
        ] {
            assert_eq!(
                parse_target(url, false),
                Err(TargetRefusal::IpLiteral),
                "{url}"
            );
            assert!(parse_target(url, true).is_ok(), "{url}");
        }
    }

    #[test]
    fn private_and_local_ranges_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "fc12::1",
            "::ffff:10.0.0.1",
            "::ffff:127.0.0.1",
        ] {
            let ip: IpAddr = ip.parse().unwrap();
            assert!(!is_public(ip), "{ip}");
            assert_eq!(check_addresses(&[ip]), Err(TargetRefusal::Private(ip)));
        }
        for ip in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "172.32.0.1"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
        let mixed: Vec<IpAddr> = vec!["8.8.8.8".parse().unwrap(), "10.0.0.1".parse().unwrap()];
        assert!(check_addresses(&mixed).is_err());
    }

    #[test]
    fn the_signature_is_the_hmac_of_timestamp_dot_body() {
        // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
        let sig = signature("Jefe", 0, b"");
        assert!(sig.starts_with("sha256=") && sig.len() == 7 + 64);
        let mut mac = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(b"Jefe").unwrap();
        mac.update(b"what do ya want for nothing?");
        let expected: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            expected,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_ne!(signature("secret", 1, b"{}"), signature("secret", 2, b"{}"));
    }

    #[test]
    fn retries_back_off_exponentially_then_stop() {
        let base = Duration::from_secs(10);
        assert_eq!(retry_delay(base, 1), Some(Duration::from_secs(10)));
        assert_eq!(retry_delay(base, 2), Some(Duration::from_secs(20)));
        assert_eq!(retry_delay(base, 7), Some(Duration::from_secs(640)));
        assert_eq!(retry_delay(base, MAX_ATTEMPTS), None);
        assert_eq!(
            retry_delay(Duration::from_secs(3600), 7),
            Some(MAX_RETRY_DELAY)
        );
    }
}
