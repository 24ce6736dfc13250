//! Configuration: embedded defaults, then an optional `sicantik.toml`, then `SICANTIK_*`
//! environment variables; parsed once into a validated `Config`. A bad value stops the start
//! with a message that names the setting.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

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

/// Where the service keeps its records.
#[derive(Debug, Clone)]
pub enum DatabaseUrl {
    /// The embedded default: one SQLite file.
    Sqlite(PathBuf),
    /// `postgres://user:password@host:port/db`: several instances share one server. The URL
    /// holds the password, so it never prints.
    Postgres(Secret),
}

impl DatabaseUrl {
    /// `postgres://…` or `postgresql://…`; `sqlite:PATH` or a plain path; empty means the
    /// file in the data directory.
    pub fn parse(value: Option<&str>, data_dir: &std::path::Path) -> Result<DatabaseUrl> {
        match value.map(str::trim) {
            None | Some("") => Ok(DatabaseUrl::Sqlite(data_dir.join("sicantik.sqlite3"))),
            Some(v) if v.starts_with("postgres://") || v.starts_with("postgresql://") => {
                v.parse::<tokio_postgres::Config>()
                    .map_err(|e| Error::Config(format!("SICANTIK_DATABASE_URL is not a valid postgres:// URL: {e}")))?;
                Ok(DatabaseUrl::Postgres(Secret(v.to_string())))
            }
            Some(v) => {
                let path = v
                    .strip_prefix("sqlite://")
                    .or_else(|| v.strip_prefix("sqlite:"))
                    .unwrap_or(v);
                if path.is_empty() || path.contains("://") {
                    return Err(Error::Config(format!(
                        "SICANTIK_DATABASE_URL: \"{v}\" is neither postgres://… nor sqlite:PATH"
                    )));
                }
                Ok(DatabaseUrl::Sqlite(PathBuf::from(path)))
            }
        }
    }
}

/// The form-token key every instance must share (a form fetched from one instance is sent to
/// another): from `SICANTIK_FORM_KEY` (base64 of 32 bytes) or the file named by
/// `SICANTIK_FORM_KEY_FILE`; unset means the store keeps one, made on first start.
#[derive(Clone)]
pub struct FormKeySetting(pub Option<[u8; 32]>);

impl std::fmt::Debug for FormKeySetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "FormKeySetting(set)"
        } else {
            "FormKeySetting(store)"
        })
    }
}

fn parse_form_key(inline: Option<String>, file: Option<String>) -> Result<FormKeySetting> {
    use base64::Engine;
    let (text, name) = match (inline, file) {
        (Some(v), _) => (v, "SICANTIK_FORM_KEY".to_string()),
        (None, Some(path)) => (
            std::fs::read_to_string(&path).map_err(|e| Error::Config(format!("SICANTIK_FORM_KEY_FILE={path}: {e}")))?,
            format!("SICANTIK_FORM_KEY_FILE={path}"),
        ),
        (None, None) => return Ok(FormKeySetting(None)),
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text.trim()))
        .map_err(|_| Error::Config(format!("{name}: not base64")))?;
    let key: [u8; 32] = bytes
        .try_into()
        .map_err(|_| Error::Config(format!("{name}: must be 32 bytes (base64 of 32 random bytes)")))?;
    Ok(FormKeySetting(Some(key)))
}

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

#[derive(Debug, Clone)]
pub struct Config {
    /// `SICANTIK_DATABASE_URL`.
    pub database_url: DatabaseUrl,
    /// Connections in the PostgreSQL pool (`SICANTIK_DATABASE_POOL`).
    pub database_pool: usize,
    /// Peers whose `X-Forwarded-For`/`Forwarded` header names the client.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    pub form_key: FormKeySetting,
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
    /// Where uploaded documents are kept.
    pub storage: StorageConfig,
}

/// Where uploaded documents are kept: a folder on this machine, or an S3 bucket (AWS or any
/// S3-compatible server such as MinIO or Garage).
#[derive(Debug, Clone)]
pub enum StorageConfig {
    Local {
        dir: PathBuf,
    },
    S3 {
        bucket: String,
        /// Key prefix without leading or trailing slashes; empty for the bucket's root.
        prefix: String,
        /// `None`: AWS itself, chosen by `region`.
        endpoint: Option<String>,
        region: String,
        /// `None` for both: the machine's own credentials (instance profile, web identity).
        access_key_id: Option<String>,
        secret_access_key: Option<Secret>,
        session_token: Option<Secret>,
        /// Only when the endpoint itself is `http://` (a server on the same host or network).
        allow_http: bool,
    },
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
        let form_key = parse_form_key(env("SICANTIK_FORM_KEY"), env("SICANTIK_FORM_KEY_FILE"))?;
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
        Ok(Config {
            limit_registrations_per_address,
            limit_logins_per_address,
            database_url,
            database_pool,
            trusted_proxies,
            form_key,
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
            storage,
        })
    }

    /// Whether the service is reached over HTTPS (cookies get `Secure`, HSTS is sent).
    pub fn https(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}

/// `SICANTIK_STORAGE_URL`: unset means `<data_dir>/berkas`; `file:///abs/path` or a plain path
/// is a local folder; `s3://bucket/prefix` is S3, with the endpoint, region and credentials from
/// their own settings so that no secret sits in the URL.
fn storage(
    data_dir: &std::path::Path,
    url: Option<String>,
    endpoint: Option<String>,
    region: Option<String>,
    env: &impl Fn(&str) -> Option<String>,
) -> Result<StorageConfig> {
    let Some(raw) = url else {
        return Ok(StorageConfig::Local {
            dir: data_dir.join("berkas"),
        });
    };
    let bad = |why: &str| Error::Config(format!("SICANTIK_STORAGE_URL: \"{raw}\" {why}"));
    let Some((scheme, _)) = raw.split_once("://") else {
        return Ok(StorageConfig::Local {
            dir: PathBuf::from(&raw),
        });
    };
    match scheme {
        "file" => {
            let dir = url::Url::parse(&raw)
                .ok()
                .and_then(|u| u.to_file_path().ok())
                .ok_or_else(|| bad("must be file:///an/absolute/folder"))?;
            Ok(StorageConfig::Local { dir })
        }
        "s3" => {
            // Read by hand rather than by `url`, which would quietly resolve `a/../b` to `b`.
            let rest = &raw["s3://".len()..];
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            if bucket.contains('@') {
                // Never echo a URL that holds a key: name the setting, not the value.
                return Err(Error::Config(
                    "SICANTIK_STORAGE_URL must not hold credentials; set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
                        .into(),
                ));
            }
            if bucket.is_empty() {
                return Err(bad("names no bucket: use s3://bucket/prefix"));
            }
            if !bucket.chars().all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c)) {
                return Err(bad(
                    "must be s3://bucket or s3://bucket/prefix; set the server in SICANTIK_S3_ENDPOINT",
                ));
            }
            let prefix = prefix.trim_matches('/');
            if !prefix.is_empty()
                && prefix.split('/').any(|p| {
                    p.is_empty()
                        || p == "."
                        || p == ".."
                        || p.contains(['?', '#', '\\'])
                        || p.contains(char::is_control)
                })
            {
                return Err(bad("has an empty, . or .. part, or a ? # \\ in its prefix"));
            }
            let (bucket, prefix) = (bucket.to_string(), prefix.to_string());
            let allow_http = match &endpoint {
                None => false,
                Some(e) => {
                    let u = url::Url::parse(e)
                        .map_err(|err| Error::Config(format!("SICANTIK_S3_ENDPOINT: \"{e}\" is not a URL: {err}")))?;
                    if !matches!(u.scheme(), "http" | "https") || u.host().is_none() {
                        return Err(Error::Config(format!(
                            "SICANTIK_S3_ENDPOINT: \"{e}\" must be an http:// or https:// URL"
                        )));
                    }
                    u.scheme() == "http"
                }
            };
            let region = region
                .or_else(|| env("AWS_REGION"))
                .unwrap_or_else(|| "us-east-1".into());
            let access_key_id = env("AWS_ACCESS_KEY_ID");
            let secret_access_key = env("AWS_SECRET_ACCESS_KEY").map(Secret);
            if access_key_id.is_some() != secret_access_key.is_some() {
                return Err(Error::Config(
                    "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together (or neither, to use the machine's role)"
                        .into(),
                ));
            }
            Ok(StorageConfig::S3 {
                bucket,
                prefix,
                endpoint: endpoint.map(|e| e.trim_end_matches('/').to_string()),
                region,
                access_key_id,
                secret_access_key,
                session_token: env("AWS_SESSION_TOKEN").map(Secret),
                allow_http,
            })
        }
        _ => Err(bad("must be a folder, file:///folder or s3://bucket/prefix")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())
    }

    #[test]
    fn defaults_need_nothing_configured() {
        let c = Config::from_env(env(&[])).expect("defaults");
        assert_eq!(c.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(c.base_url, "http://127.0.0.1:8080");
        assert!(c.smtp_url.is_none());
        assert_eq!(c.data_dir, PathBuf::from("data"));
    }

    #[test]
    fn a_bad_value_names_the_setting() {
        let e = Config::from_env(env(&[("SICANTIK_ADDR", "nowhere")])).expect_err("bad addr");
        assert!(e.to_string().contains("SICANTIK_ADDR"), "{e}");
        let e = Config::from_env(env(&[("SICANTIK_SMTP_URL", "ftp://x")])).expect_err("bad smtp");
        assert!(e.to_string().contains("SICANTIK_SMTP_URL"), "{e}");
        let e = Config::from_env(env(&[("SICANTIK_BASE_URL", "localhost")])).expect_err("bad base");
        assert!(e.to_string().contains("SICANTIK_BASE_URL"), "{e}");
    }

    #[test]
    fn the_database_is_the_sqlite_file_unless_a_postgres_url_is_given() {
        let c = Config::from_env(env(&[])).expect("defaults");
        assert!(matches!(&c.database_url, DatabaseUrl::Sqlite(p) if p == &PathBuf::from("data/sicantik.sqlite3")));
        let c = Config::from_env(env(&[(
            "SICANTIK_DATABASE_URL",
            "postgres://u:rahasia@db.example.id:5432/sicantik",
        )]))
        .expect("postgres");
        assert!(matches!(c.database_url, DatabaseUrl::Postgres(_)));
        assert!(!format!("{c:?}").contains("rahasia"), "the password never prints");
        let e = Config::from_env(env(&[("SICANTIK_DATABASE_URL", "mysql://x")])).expect_err("bad url");
        assert!(e.to_string().contains("SICANTIK_DATABASE_URL"), "{e}");
    }

    #[test]
    fn trusted_proxies_are_addresses_or_ranges() {
        let c = Config::from_env(env(&[("SICANTIK_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8 ::1")])).expect("ok");
        assert_eq!(c.trusted_proxies.len(), 3);
        assert!(c.trusted_proxies[1].contains(&"10.1.2.3".parse::<std::net::IpAddr>().expect("ip")));
        let e = Config::from_env(env(&[("SICANTIK_TRUSTED_PROXIES", "nginx")])).expect_err("bad");
        assert!(e.to_string().contains("SICANTIK_TRUSTED_PROXIES"), "{e}");
    }

    #[test]
    fn a_shared_form_key_must_be_32_bytes() {
        let ok = Config::from_env(env(&[(
            "SICANTIK_FORM_KEY",
            "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        )]))
        .expect("key");
        assert!(ok.form_key.0.is_some());
        let e = Config::from_env(env(&[("SICANTIK_FORM_KEY", "c2hvcnQ=")])).expect_err("short");
        assert!(e.to_string().contains("SICANTIK_FORM_KEY"), "{e}");
    }

    #[test]
    fn documents_default_to_the_berkas_folder_in_the_data_dir() {
        let c = Config::from_env(env(&[("SICANTIK_DATA_DIR", "/srv/sicantik")])).expect("ok");
        assert!(
            matches!(&c.storage, StorageConfig::Local { dir } if dir == &PathBuf::from("/srv/sicantik/berkas")),
            "{:?}",
            c.storage
        );
    }

    #[test]
    fn a_folder_is_given_as_a_path_or_a_file_url() {
        for (url, dir) in [
            ("/mnt/berkas", "/mnt/berkas"),
            ("arsip/berkas", "arsip/berkas"),
            ("file:///mnt/berkas", "/mnt/berkas"),
        ] {
            let c = Config::from_env(|k| (k == "SICANTIK_STORAGE_URL").then(|| url.to_string())).expect(url);
            assert!(
                matches!(&c.storage, StorageConfig::Local { dir: d } if d == &PathBuf::from(dir)),
                "{url}"
            );
        }
    }

    #[test]
    fn an_s3_url_takes_endpoint_region_and_keys_from_their_own_settings() {
        let c = Config::from_env(env(&[
            ("SICANTIK_STORAGE_URL", "s3://dokumen/sicantik/berkas/"),
            ("SICANTIK_S3_ENDPOINT", "http://127.0.0.1:9000/"),
            ("AWS_REGION", "ap-southeast-3"),
            ("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE"),
            ("AWS_SECRET_ACCESS_KEY", "rahasia-s3"),
            ("AWS_SESSION_TOKEN", "token-sesi"),
        ]))
        .expect("ok");
        let StorageConfig::S3 {
            bucket,
            prefix,
            endpoint,
            region,
            access_key_id,
            secret_access_key,
            session_token,
            allow_http,
        } = &c.storage
        else {
            panic!("not S3: {:?}", c.storage);
        };
        assert_eq!(bucket, "dokumen");
        assert_eq!(prefix, "sicantik/berkas");
        assert_eq!(endpoint.as_deref(), Some("http://127.0.0.1:9000"));
        assert_eq!(region, "ap-southeast-3");
        assert_eq!(access_key_id.as_deref(), Some("AKIAEXAMPLE"));
        assert_eq!(secret_access_key.as_ref().map(Secret::expose), Some("rahasia-s3"));
        assert_eq!(session_token.as_ref().map(Secret::expose), Some("token-sesi"));
        assert!(allow_http, "an http:// endpoint is reached over http");
        let printed = format!("{c:?}");
        assert!(
            !printed.contains("rahasia-s3") && !printed.contains("token-sesi"),
            "{printed}"
        );
    }

    #[test]
    fn s3_defaults_to_aws_in_us_east_1_over_https() {
        let c = Config::from_env(env(&[("SICANTIK_STORAGE_URL", "s3://dokumen")])).expect("ok");
        let StorageConfig::S3 {
            prefix,
            endpoint,
            region,
            access_key_id,
            allow_http,
            ..
        } = c.storage
        else {
            panic!("not S3");
        };
        assert_eq!(prefix, "");
        assert_eq!(endpoint, None);
        assert_eq!(region, "us-east-1");
        assert_eq!(access_key_id, None);
        assert!(!allow_http);
        let c = Config::from_env(env(&[
            ("SICANTIK_STORAGE_URL", "s3://dokumen"),
            ("SICANTIK_S3_REGION", "ap-southeast-1"),
            ("AWS_REGION", "eu-west-1"),
        ]))
        .expect("ok");
        assert!(matches!(c.storage, StorageConfig::S3 { region, .. } if region == "ap-southeast-1"));
    }

    #[test]
    fn a_bad_storage_setting_names_the_setting_and_never_prints_a_key() {
        for (pairs, setting) in [
            (
                &[("SICANTIK_STORAGE_URL", "ftp://host/berkas")][..],
                "SICANTIK_STORAGE_URL",
            ),
            (
                &[("SICANTIK_STORAGE_URL", "s3:///tanpa-bucket")][..],
                "SICANTIK_STORAGE_URL",
            ),
            (
                &[("SICANTIK_STORAGE_URL", "s3://dokumen/a/../b")][..],
                "SICANTIK_STORAGE_URL",
            ),
            (
                &[
                    ("SICANTIK_STORAGE_URL", "s3://dokumen"),
                    ("SICANTIK_S3_ENDPOINT", "minio:9000"),
                ][..],
                "SICANTIK_S3_ENDPOINT",
            ),
            (
                &[
                    ("SICANTIK_STORAGE_URL", "s3://dokumen"),
                    ("AWS_ACCESS_KEY_ID", "AKIAEXAMPLE"),
                ][..],
                "AWS_SECRET_ACCESS_KEY",
            ),
        ] {
            let e = Config::from_env(move |k| pairs.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string()))
                .expect_err(setting);
            assert!(e.to_string().contains(setting), "{e}");
        }
        let e = Config::from_env(env(&[(
            "SICANTIK_STORAGE_URL",
            "s3://AKIAEXAMPLE:rahasia-s3@dokumen/berkas",
        )]))
        .expect_err("credentials in the URL");
        assert!(e.to_string().contains("SICANTIK_STORAGE_URL"), "{e}");
        assert!(!e.to_string().contains("rahasia-s3"), "{e}");
    }

    #[test]
    fn the_smtp_password_never_prints() {
        let c = Config::from_env(env(&[("SICANTIK_SMTP_URL", "smtps://u:rahasia@mail.example.id:465")])).expect("ok");
        assert!(!format!("{c:?}").contains("rahasia"));
    }
}
