//! Configuration: embedded defaults, then an optional `sicantik.toml`, then `SICANTIK_*`
//! environment variables; parsed once into a validated `Config`. A bad value stops the start
//! with a message that names the setting.
//!
//! Settings with rules of their own are read in the submodules; `from_sources` calls them in
//! a fixed order, which decides which of several bad values is reported.

mod clamd;
mod database;
mod form_key;
mod master_key;
mod proxies;
mod storage;
#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

pub use self::clamd::ClamdAddress;
pub use self::database::DatabaseUrl;
pub use self::form_key::FormKeySetting;
use self::form_key::parse_form_key;
pub use self::master_key::MasterKeySetting;
use self::master_key::parse_master_key;
pub use self::proxies::{parse_address_list, parse_trusted_proxies};
pub use self::storage::StorageConfig;
use self::storage::storage;
use crate::error::{Error, Result};

/// A value that must not reach logs (the SMTP URL carries the password, S3 needs a secret key).
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    /// `SICANTIK_DATABASE_URL`.
    pub database_url: DatabaseUrl,
    /// Connections in the PostgreSQL pool (`SICANTIK_DATABASE_POOL`).
    pub database_pool: usize,
    /// Peers whose `X-Forwarded-For`/`Forwarded` header names the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Who may read `/metrics` (the client address, after the trusted proxies): loopback by
    /// default, `SICANTIK_METRICS_ALLOW` for a monitoring server.
    pub metrics_allow: Vec<ipnet::IpNet>,
    pub form_key: FormKeySetting,
    /// The master key (and, during a rotation, the previous ones).
    pub master_key: MasterKeySetting,
    /// Registrations per address and hour (`SICANTIK_LIMIT_REGISTRATIONS_PER_ADDRESS`).
    pub limit_registrations_per_address: i64,
    /// Logins per address and 15 minutes (`SICANTIK_LIMIT_LOGINS_PER_ADDRESS`); resets and
    /// Cek Status lookups per address follow from it.
    pub limit_logins_per_address: i64,
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    /// Without a trailing slash; links in emails are built from it, never from the request.
    pub base_url: String,
    /// `None`: every email is written as an `.eml` file under `data_dir/outbox-eml`.
    pub smtp_url: Option<Secret>,
    pub mail_from: String,
    pub content_dir: PathBuf,
    pub theme_dir: PathBuf,
    pub public_dir: PathBuf,
    pub session_idle: Duration,
    pub session_absolute: Duration,
    /// First retry delay of a failed email; later ones double, up to `mail_retry_max`.
    pub mail_retry_base: Duration,
    pub mail_retry_max: Duration,
    /// After this many failed attempts an email is marked failed and shown to officers.
    pub mail_max_attempts: u32,
    /// How long emailed set-password and reset links stay valid.
    pub link_ttl: Duration,
    /// How long an upload may stall before it is dropped.
    pub upload_idle: Duration,
    /// How long one upload may take in all (`SICANTIK_UPLOAD_MAX_MINUTES`): a client that sends
    /// a byte just before each idle timeout would otherwise hold it open for ever, and the
    /// orphan sweep must know when an unfinished write is certainly dead.
    pub upload_max: Duration,
    /// How long the objects of replaced and removed documents are kept before they are deleted
    /// (`SICANTIK_DISCARD_GRACE_HOURS`): longer than any backup takes.
    pub discard_grace: Duration,
    /// How long handing one email to the SMTP server may take (`SICANTIK_SMTP_TIMEOUT_SECONDS`).
    pub smtp_timeout: Duration,
    /// After the signal to stop, how long requests in flight may finish
    /// (`SICANTIK_SHUTDOWN_DRAIN_SECONDS`).
    pub shutdown_drain: Duration,
    /// What a connection may cost: header and form body timeouts, how many at once.
    pub connections: ConnectionLimits,
    /// This instance's name in the outbox's claims (`SICANTIK_INSTANCE_ID`; by default the
    /// host name, the address and the data directory: the same again after a restart, and
    /// different for every instance of a cluster).
    pub instance: String,
    /// Where uploaded documents are kept.
    pub storage: StorageConfig,
    /// The virus scanner every upload goes through (`SICANTIK_CLAMD`); `None`: no scanning.
    pub clamd: Option<ClamdAddress>,
    /// How long clamd may take to connect, to take each part of a file, and to give its
    /// verdict after the last (`SICANTIK_CLAMD_TIMEOUT_SECONDS`).
    pub clamd_timeout: Duration,
}

/// What a connection (see `server`) may cost: settings `SICANTIK_HEADER_TIMEOUT_SECONDS`,
/// `SICANTIK_FORM_BODY_TIMEOUT_SECONDS` and `SICANTIK_MAX_CONNECTIONS`.
#[derive(Debug, Clone, Copy)]
pub struct ConnectionLimits {
    /// From the connection's start, or the end of the previous response, to the end of the
    /// request head.
    pub header_read: Duration,
    /// From the request head to the end of an ordinary (non-upload) form's body.
    pub form_body: Duration,
    /// Connections served at once; the next waits in the kernel's queue until one ends.
    pub max: usize,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    addr: Option<String>,
    data_dir: Option<String>,
    base_url: Option<String>,
    smtp_url: Option<String>,
    mail_from: Option<String>,
    content_dir: Option<String>,
    theme_dir: Option<String>,
    public_dir: Option<String>,
    session_idle_minutes: Option<u64>,
    session_absolute_hours: Option<u64>,
    mail_retry_base_seconds: Option<u64>,
    mail_max_attempts: Option<u32>,
    database_url: Option<String>,
    database_pool: Option<u64>,
    trusted_proxies: Option<String>,
    storage_url: Option<String>,
    s3_endpoint: Option<String>,
    s3_region: Option<String>,
    clamd: Option<String>,
    clamd_timeout_seconds: Option<u64>,
    master_key_file: Option<String>,
    master_key_previous_file: Option<String>,
}

impl Config {
    /// Defaults, then `sicantik.toml` in the working directory (or `SICANTIK_CONFIG`), then the
    /// environment.
    pub fn load() -> Result<Config> {
        let path = std::env::var("SICANTIK_CONFIG").unwrap_or_else(|_| "sicantik.toml".into());
        let file = match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str::<FileConfig>(&text).map_err(|e| Error::Config(format!("{path}: {e}")))?,
            Err(_) if std::env::var("SICANTIK_CONFIG").is_err() => FileConfig::default(),
            Err(e) => return Err(Error::Config(format!("SICANTIK_CONFIG={path}: {e}"))),
        };
        Config::from_sources(file, |k| std::env::var(k).ok().filter(|v| !v.is_empty()))
    }

    /// Builds a config from environment-style lookups only (tests use this).
    pub fn from_env(lookup: impl Fn(&str) -> Option<String>) -> Result<Config> {
        Config::from_sources(FileConfig::default(), lookup)
    }

    fn from_sources(file: FileConfig, env: impl Fn(&str) -> Option<String>) -> Result<Config> {
        let pick = |var: &str, from_file: Option<String>, default: &str| -> String {
            env(var).or(from_file).unwrap_or_else(|| default.to_string())
        };
        let addr_s = pick("SICANTIK_ADDR", file.addr, "127.0.0.1:8080");
        let addr: SocketAddr = addr_s.parse().map_err(|_| {
            Error::Config(format!(
                "SICANTIK_ADDR: \"{addr_s}\" is not an address like 127.0.0.1:8080"
            ))
        })?;
        let base_url = pick("SICANTIK_BASE_URL", file.base_url, &format!("http://{addr}"));
        let parsed = url::Url::parse(&base_url)
            .map_err(|e| Error::Config(format!("SICANTIK_BASE_URL: \"{base_url}\" is not a URL: {e}")))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
            return Err(Error::Config(format!(
                "SICANTIK_BASE_URL: \"{base_url}\" must be an http:// or https:// URL"
            )));
        }
        let smtp_url = env("SICANTIK_SMTP_URL").or(file.smtp_url);
        if let Some(u) = &smtp_url {
            lettre::AsyncSmtpTransport::<lettre::Tokio1Executor>::from_url(u).map_err(|e| {
                // The URL may hold a password: name the setting and the reason, not the value.
                Error::Config(format!("SICANTIK_SMTP_URL is not a valid smtp:// or smtps:// URL: {e}"))
            })?;
        }
        let mail_from = pick(
            "SICANTIK_MAIL_FROM",
            file.mail_from,
            "DPMPTSP Provinsi Sumatera Selatan <noreply@localhost>",
        );
        mail_from
            .parse::<lettre::message::Mailbox>()
            .map_err(|e| Error::Config(format!("SICANTIK_MAIL_FROM: \"{mail_from}\" is not a mailbox: {e}")))?;
        let number = |var: &str, from_file: Option<u64>, default: u64| -> Result<u64> {
            match env(var) {
                Some(v) => v
                    .parse()
                    .map_err(|_| Error::Config(format!("{var}: \"{v}\" is not a whole number"))),
                None => Ok(from_file.unwrap_or(default)),
            }
        };
        let retry = number("SICANTIK_MAIL_RETRY_BASE_SECONDS", file.mail_retry_base_seconds, 60)?;
        let attempts = number("SICANTIK_MAIL_MAX_ATTEMPTS", file.mail_max_attempts.map(u64::from), 12)?;
        let data_dir = PathBuf::from(pick("SICANTIK_DATA_DIR", file.data_dir, "data"));
        let database_url =
            DatabaseUrl::parse(env("SICANTIK_DATABASE_URL").or(file.database_url).as_deref(), &data_dir)?;
        let database_pool = number("SICANTIK_DATABASE_POOL", file.database_pool, 16)?.clamp(1, 1000) as usize;
        let trusted_proxies = parse_trusted_proxies(
            &env("SICANTIK_TRUSTED_PROXIES")
                .or(file.trusted_proxies)
                .unwrap_or_default(),
        )?;
        let metrics_allow = parse_address_list(
            "SICANTIK_METRICS_ALLOW",
            &env("SICANTIK_METRICS_ALLOW").unwrap_or_else(|| "127.0.0.0/8, ::1".into()),
        )?;
        let form_key = parse_form_key(env("SICANTIK_FORM_KEY"), env("SICANTIK_FORM_KEY_FILE"))?;
        let master_key = parse_master_key(
            env("SICANTIK_MASTER_KEY"),
            env("SICANTIK_MASTER_KEY_FILE").or(file.master_key_file),
            env("SICANTIK_MASTER_KEY_PREVIOUS_FILE").or(file.master_key_previous_file),
        )?;
        let limit_registrations_per_address =
            number("SICANTIK_LIMIT_REGISTRATIONS_PER_ADDRESS", None, 60)?.clamp(1, 1_000_000) as i64;
        let limit_logins_per_address =
            number("SICANTIK_LIMIT_LOGINS_PER_ADDRESS", None, 300)?.clamp(5, 1_000_000) as i64;
        let storage = storage(
            &data_dir,
            env("SICANTIK_STORAGE_URL").or(file.storage_url),
            env("SICANTIK_S3_ENDPOINT").or(file.s3_endpoint),
            env("SICANTIK_S3_REGION").or(file.s3_region),
            &env,
        )?;
        let clamd = env("SICANTIK_CLAMD")
            .or(file.clamd)
            .map(|raw| ClamdAddress::parse(&raw))
            .transpose()?;
        let clamd_timeout = Duration::from_secs(
            number("SICANTIK_CLAMD_TIMEOUT_SECONDS", file.clamd_timeout_seconds, 60)?.clamp(1, 3600),
        );
        let instance = env("SICANTIK_INSTANCE_ID").unwrap_or_else(|| {
            let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_else(|_| "localhost".into());
            format!("{}:{}:{}", host.trim(), addr, data_dir.display())
        });
        Ok(Config {
            limit_registrations_per_address,
            limit_logins_per_address,
            database_url,
            database_pool,
            trusted_proxies,
            metrics_allow,
            form_key,
            master_key,
            addr,
            data_dir,
            base_url: base_url.trim_end_matches('/').to_string(),
            smtp_url: smtp_url.map(Secret),
            mail_from,
            content_dir: PathBuf::from(pick("SICANTIK_CONTENT_DIR", file.content_dir, "content")),
            theme_dir: PathBuf::from(pick("SICANTIK_THEME_DIR", file.theme_dir, "themes/default")),
            public_dir: PathBuf::from(pick("SICANTIK_PUBLIC_DIR", file.public_dir, "public")),
            session_idle: Duration::from_secs(
                60 * number("SICANTIK_SESSION_IDLE_MINUTES", file.session_idle_minutes, 30)?,
            ),
            session_absolute: Duration::from_secs(
                3600 * number("SICANTIK_SESSION_ABSOLUTE_HOURS", file.session_absolute_hours, 12)?,
            ),
            mail_retry_base: Duration::from_millis(
                number("SICANTIK_MAIL_RETRY_BASE_MS", None, retry.saturating_mul(1000))?.max(10),
            ),
            mail_retry_max: Duration::from_secs(2 * 3600),
            mail_max_attempts: u32::try_from(attempts.clamp(1, 100)).unwrap_or(12),
            link_ttl: Duration::from_secs(48 * 3600),
            upload_idle: Duration::from_secs(number("SICANTIK_UPLOAD_IDLE_SECONDS", None, 30)?.max(1)),
            upload_max: Duration::from_secs(60 * number("SICANTIK_UPLOAD_MAX_MINUTES", None, 60)?.clamp(1, 24 * 60)),
            discard_grace: Duration::from_secs(3600 * number("SICANTIK_DISCARD_GRACE_HOURS", None, 24)?),
            smtp_timeout: Duration::from_secs(number("SICANTIK_SMTP_TIMEOUT_SECONDS", None, 30)?.clamp(1, 600)),
            shutdown_drain: Duration::from_secs(number("SICANTIK_SHUTDOWN_DRAIN_SECONDS", None, 20)?.clamp(1, 3600)),
            instance,
            connections: ConnectionLimits {
                header_read: Duration::from_secs(number("SICANTIK_HEADER_TIMEOUT_SECONDS", None, 10)?.clamp(1, 600)),
                form_body: Duration::from_secs(number("SICANTIK_FORM_BODY_TIMEOUT_SECONDS", None, 30)?.clamp(1, 600)),
                max: usize::try_from(number("SICANTIK_MAX_CONNECTIONS", None, 1024)?.clamp(1, 1_000_000))
                    .unwrap_or(1024),
            },
            storage,
            clamd,
            clamd_timeout,
        })
    }

    /// Whether the service is reached over HTTPS (cookies get `Secure`, HSTS is sent).
    pub fn https(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}
