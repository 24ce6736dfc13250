//! `SICANTIK_CLAMD`: where the virus scanner (clamd) listens, and how long to wait for it.

use std::path::PathBuf;

use crate::error::{Error, Result};

/// Where clamd listens: `tcp://host:port` or `unix:/path/to/clamd.ctl`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClamdAddress {
    /// `host:port`, resolved at each connection (a name may move).
    Tcp(String),
    Unix(PathBuf),
}

impl std::fmt::Display for ClamdAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClamdAddress::Tcp(host_port) => write!(f, "tcp://{host_port}"),
            ClamdAddress::Unix(path) => write!(f, "unix:{}", path.display()),
        }
    }
}

impl ClamdAddress {
    /// `tcp://host:port`, `unix:/abs/path` or `unix:///abs/path`.
    pub fn parse(raw: &str) -> Result<ClamdAddress> {
        let bad = |why: &str| Error::Config(format!("SICANTIK_CLAMD: \"{raw}\" {why}"));
        if let Some(rest) = raw.strip_prefix("tcp://") {
            let rest = rest.trim_end_matches('/');
            let (host, port) = rest
                .rsplit_once(':')
                .ok_or_else(|| bad("names no port: use tcp://host:port"))?;
            let host_ok = !host.is_empty()
                && (host.starts_with('[') && host.ends_with(']')
                    || host.chars().all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c)));
            if !host_ok || !matches!(port.parse::<u16>(), Ok(p) if p != 0) {
                return Err(bad("must be tcp://host:port"));
            }
            return Ok(ClamdAddress::Tcp(rest.to_string()));
        }
        if let Some(rest) = raw.strip_prefix("unix:") {
            let path = rest.strip_prefix("//").unwrap_or(rest);
            if !path.starts_with('/') {
                return Err(bad("must name an absolute path: unix:/run/clamav/clamd.ctl"));
            }
            return Ok(ClamdAddress::Unix(PathBuf::from(path)));
        }
        Err(bad("must be tcp://host:port or unix:/path/to/clamd.ctl"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tcp_and_unix_addresses_are_read_and_anything_else_names_the_setting() {
        assert_eq!(
            ClamdAddress::parse("tcp://127.0.0.1:3310").expect("tcp"),
            ClamdAddress::Tcp("127.0.0.1:3310".into())
        );
        assert_eq!(
            ClamdAddress::parse("tcp://clamd.internal:3310/").expect("name"),
            ClamdAddress::Tcp("clamd.internal:3310".into())
        );
        assert_eq!(
            ClamdAddress::parse("tcp://[::1]:3310").expect("v6"),
            ClamdAddress::Tcp("[::1]:3310".into())
        );
        for unix in ["unix:/run/clamav/clamd.ctl", "unix:///run/clamav/clamd.ctl"] {
            assert_eq!(
                ClamdAddress::parse(unix).expect("unix"),
                ClamdAddress::Unix("/run/clamav/clamd.ctl".into())
            );
        }
        for bad in [
            "127.0.0.1:3310",
            "tcp://127.0.0.1",
            "tcp://127.0.0.1:0",
            "tcp://a b:3310",
            "unix:clamd.ctl",
            "http://x:1",
        ] {
            let e = ClamdAddress::parse(bad).expect_err(bad);
            assert!(e.to_string().contains("SICANTIK_CLAMD"), "{e}");
        }
    }
}
