//! Settings that are lists of addresses or CIDR ranges: `SICANTIK_TRUSTED_PROXIES` (the peers
//! whose forwarding headers `client_addr` believes) and `SICANTIK_METRICS_ALLOW` (who may read
//! `/metrics`).

use crate::error::{Error, Result};

/// Parses `SICANTIK_TRUSTED_PROXIES`: addresses or CIDR ranges, separated by commas or spaces.
pub fn parse_trusted_proxies(value: &str) -> Result<Vec<ipnet::IpNet>> {
    parse_address_list("SICANTIK_TRUSTED_PROXIES", value)
}

/// Parses the list of `setting`: addresses or CIDR ranges, separated by commas or spaces.
pub fn parse_address_list(setting: &str, value: &str) -> Result<Vec<ipnet::IpNet>> {
    value
        .split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<ipnet::IpNet>()
                .or_else(|_| s.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|_| {
                    Error::Config(format!(
                        "{setting}: \"{s}\" is not an address or CIDR range like 10.0.0.0/8"
                    ))
                })
        })
        .collect()
}
