//! The client's address. Only a peer in `SICANTIK_TRUSTED_PROXIES` may say whose request it
//! forwards (`X-Forwarded-For`, or `Forwarded: for=`); from anyone else those headers are
//! ignored, so a client cannot choose the address its limits are counted against. Behind a
//! chain of trusted proxies the client is the first untrusted address from the right.

use std::net::IpAddr;

use axum::http::HeaderMap;
use ipnet::IpNet;

fn trusted(ip: IpAddr, proxies: &[IpNet]) -> bool {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    };
    proxies.iter().any(|n| n.contains(&ip))
}

/// One `for=` value of a `Forwarded` element, or one `X-Forwarded-For` entry, as an address
/// (`192.0.2.1`, `"[2001:db8::1]:4711"`, `192.0.2.1:8080`).
fn parse_node(raw: &str) -> Option<IpAddr> {
    let s = raw.trim().trim_matches('"');
    if let Some(rest) = s.strip_prefix('[') {
        return rest.split(']').next()?.parse().ok();
    }
    s.parse()
        .ok()
        .or_else(|| s.rsplit_once(':').and_then(|(h, _)| h.parse().ok()))
}

/// The addresses a request passed through, client first, as the proxies recorded them.
fn forwarded_chain(headers: &HeaderMap) -> Vec<IpAddr> {
    let forwarded: Vec<IpAddr> = headers
        .get_all("forwarded")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|element| {
            element.split(';').find_map(|pair| {
                let (k, v) = pair.split_once('=')?;
                k.trim().eq_ignore_ascii_case("for").then(|| parse_node(v)).flatten()
            })
        })
        .collect();
    if !forwarded.is_empty() {
        return forwarded;
    }
    headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(parse_node)
        .collect()
}

/// The address of the client behind `peer`.
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, proxies: &[IpNet]) -> IpAddr {
    if !trusted(peer, proxies) {
        return peer;
    }
    let chain = forwarded_chain(headers);
    chain
        .iter()
        .rev()
        .find(|ip| !trusted(**ip, proxies))
        .or(chain.first())
        .copied()
        .unwrap_or(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, v.parse().expect("header"));
        }
        h
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn an_untrusted_peer_cannot_choose_its_address() {
        let h = headers(&[("x-forwarded-for", "203.0.113.9")]);
        assert_eq!(client_ip(ip("198.51.100.7"), &h, &[]), ip("198.51.100.7"));
        let proxies = vec!["127.0.0.1/32".parse().expect("net")];
        assert_eq!(client_ip(ip("198.51.100.7"), &h, &proxies), ip("198.51.100.7"));
    }

    #[test]
    fn a_trusted_proxy_names_the_client_and_spoofed_entries_before_it_are_ignored() {
        let proxies: Vec<IpNet> = vec!["127.0.0.1/32".parse().expect("net"), "10.0.0.0/8".parse().expect("net")];
        // The client sent a fake entry; nginx appended the real address; an inner proxy forwarded.
        let h = headers(&[("x-forwarded-for", "1.2.3.4, 203.0.113.9, 10.0.0.5")]);
        assert_eq!(client_ip(ip("127.0.0.1"), &h, &proxies), ip("203.0.113.9"));
        let h = headers(&[("forwarded", "for=\"[2001:db8::17]:4711\";proto=https")]);
        assert_eq!(client_ip(ip("::ffff:127.0.0.1"), &h, &proxies), ip("2001:db8::17"));
        // No header: the proxy itself is all that is known.
        assert_eq!(client_ip(ip("127.0.0.1"), &HeaderMap::new(), &proxies), ip("127.0.0.1"));
    }
}
