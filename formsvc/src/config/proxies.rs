//! `SICANTIK_TRUSTED_PROXIES`: the peers whose forwarding headers `client_addr` believes.

use crate::error::{Error, Result};

/// Parses `SICANTIK_TRUSTED_PROXIES`: addresses or CIDR ranges, separated by commas or spaces.
pub fn parse_trusted_proxies(value: &str) -> Result<Vec<ipnet::IpNet>> {
    value
        .split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<ipnet::IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    Error::Config(format!(
                        "SICANTIK_TRUSTED_PROXIES: \"{s}\" is not an address or CIDR range like 10.0.0.0/8"
                    ))
                })
        })
        .collect()
}
