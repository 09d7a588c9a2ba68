//! The client's address: the peer's, or from `X-Forwarded-For` when the peer is a trusted proxy.

use std::future::{Ready, ready};
use std::net::IpAddr;

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest, web};
use ipnet::IpNet;

use crate::startup::AppState;

/// The client's address as text (`unknown` when the transport has none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientIp(pub String);

/// Resolves the client address. `X-Forwarded-For` is read right to left, skipping trusted
/// proxies; only a trusted peer may supply it at all, so clients cannot spoof their address.
pub fn resolve(
    peer: Option<IpAddr>,
    forwarded_for: Option<&str>,
    trusted: &[IpNet],
) -> Option<IpAddr> {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let peer = peer?;
    if !is_trusted(&peer) {
        return Some(peer);
    }
    let Some(chain) = forwarded_for else {
        return Some(peer);
    };
    let hops: Vec<IpAddr> = chain
        .split(',')
        .filter_map(|hop| hop.trim().parse().ok())
        .collect();
    hops.iter()
        .rev()
        .find(|ip| !is_trusted(ip))
        .or_else(|| hops.first())
        .copied()
        .or(Some(peer))
}

impl FromRequest for ClientIp {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let trusted = req
            .app_data::<web::Data<AppState>>()
            .map(|s| s.config.trusted_proxies.as_slice())
            .unwrap_or_default();
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok());
        let ip = resolve(req.peer_addr().map(|a| a.ip()), forwarded, trusted);
        ready(Ok(Self(
            ip.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string()),
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn untrusted_peers_cannot_claim_an_address() {
        let got = resolve(Some(ip("203.0.113.9")), Some("1.2.3.4"), &[]);
        assert_eq!(got, Some(ip("203.0.113.9")));
    }

    #[test]
    fn a_trusted_proxy_forwards_the_client_address() {
        let trusted: Vec<IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        // The client put a fake hop first; the proxy appended the real one.
        let got = resolve(
            Some(ip("10.0.0.2")),
            Some("6.6.6.6, 198.51.100.7, 10.0.0.3"),
            &trusted,
        );
        assert_eq!(got, Some(ip("198.51.100.7")));
        assert_eq!(
            resolve(Some(ip("10.0.0.2")), None, &trusted),
            Some(ip("10.0.0.2"))
        );
    }
}
