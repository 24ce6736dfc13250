//! `SICANTIK_STORAGE_URL` and the S3 settings beside it. The URL names only the place; the
//! endpoint, region and keys have settings of their own, so that an error which echoes the URL
//! never prints a secret.

use std::path::PathBuf;

use super::Secret;
use crate::error::{Error, Result};

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

/// `SICANTIK_STORAGE_URL`: unset means `<data_dir>/berkas`; `file:///abs/path` or a plain path
/// is a local folder; `s3://bucket/prefix` is S3, with the endpoint, region and credentials from
/// their own settings so that no secret sits in the URL.
pub(super) fn storage(
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
