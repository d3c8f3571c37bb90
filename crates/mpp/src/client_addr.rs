//! The real client address of a request. Behind a TLS-terminating proxy
//! (which the README recommends) every request comes from the proxy, so
//! throttles keyed on the peer address would put the whole mall in one
//! bucket. Only proxies named in `--trusted-proxies` may say who the
//! client is (`X-Forwarded-For`); anyone else could put any address there.

use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

/// Addresses (`10.0.0.1`) and networks (`10.0.0.0/8`, `fd00::/8`) whose
/// `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<(IpAddr, u8)>);

impl TrustedProxies {
    /// A comma-separated list; `Err` names the entry that is neither.
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        let mut nets = Vec::new();
        for entry in list.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let (addr, bits) = entry.split_once('/').unwrap_or((entry, ""));
            let ip: IpAddr = addr.parse().map_err(|_| format!("not an address or network: {entry}"))?;
            let max = if ip.is_ipv4() { 32 } else { 128 };
            let bits = if bits.is_empty() { max } else { bits.parse().map_err(|_| format!("bad prefix: {entry}"))? };
            if bits > max {
                return Err(format!("bad prefix: {entry}"));
            }
            nets.push((ip, bits));
        }
        Ok(TrustedProxies(nets))
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|(net, bits)| same_prefix(*net, ip, *bits))
    }

    /// The client: walking `X-Forwarded-For` from the right (the nearest
    /// hop first), the first address that is not a trusted proxy. A peer
    /// that is not trusted is the client itself.
    pub fn client(&self, peer: IpAddr, forwarded_for: Option<&str>) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let hops = forwarded_for.unwrap_or("").rsplit(',').map(|h| h.trim().parse::<IpAddr>());
        let mut client = peer;
        for hop in hops {
            match hop {
                Ok(ip) => {
                    client = ip;
                    if !self.trusts(ip) {
                        break;
                    }
                }
                // A malformed hop: stop at the last address we can vouch for.
                Err(_) => break,
            }
        }
        client
    }
}

fn same_prefix(a: IpAddr, b: IpAddr, bits: u8) -> bool {
    let (a, b) = match (a, b) {
        (IpAddr::V4(a), IpAddr::V4(b)) => (u128::from(u32::from(a)) << 96, u128::from(u32::from(b)) << 96),
        (IpAddr::V6(a), IpAddr::V6(b)) => (u128::from(a), u128::from(b)),
        _ => return false,
    };
    let mask = if bits == 0 { 0 } else { u128::MAX << (128 - u32::from(bits)) };
    a & mask == b & mask
}

/// The request's real client address, as an extractor.
pub struct ClientAddr(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map_or(IpAddr::from([127, 0, 0, 1]), |c| c.0.ip());
        let forwarded = parts.headers.get("x-forwarded-for").and_then(|v| v.to_str().ok());
        Ok(ClientAddr(state.trusted_proxies.client(peer, forwarded)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))
    }

    #[test]
    fn only_a_trusted_proxy_names_the_client() {
        let t = TrustedProxies::parse("127.0.0.1, 10.0.0.0/8").unwrap_or_default();
        // From the proxy: the client it names.
        assert_eq!(t.client(ip("127.0.0.1"), Some("203.0.113.7")), ip("203.0.113.7"));
        // A client's own made-up header is skipped: the nearest untrusted hop counts.
        assert_eq!(t.client(ip("127.0.0.1"), Some("1.2.3.4, 203.0.113.7, 10.1.2.3")), ip("203.0.113.7"));
        // Not from a proxy: the header is ignored.
        assert_eq!(t.client(ip("198.51.100.9"), Some("1.2.3.4")), ip("198.51.100.9"));
        // From the proxy without a header: the proxy.
        assert_eq!(t.client(ip("10.9.9.9"), None), ip("10.9.9.9"));
        assert_eq!(t.client(ip("127.0.0.1"), Some("garbage")), ip("127.0.0.1"));
    }

    #[test]
    fn networks_parse_and_match_by_prefix() {
        assert!(TrustedProxies::parse("10.0.0.0/33").is_err());
        assert!(TrustedProxies::parse("proxy.local").is_err());
        let t = TrustedProxies::parse("fd00::/8,192.168.1.0/24").unwrap_or_default();
        assert!(t.trusts(ip("fd12::1")) && t.trusts(ip("192.168.1.200")));
        assert!(!t.trusts(ip("192.168.2.1")) && !t.trusts(ip("fe80::1")));
        assert!(TrustedProxies::parse("").unwrap_or_default().0.is_empty());
    }
}
