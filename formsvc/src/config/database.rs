//! `SICANTIK_DATABASE_URL`, read into the engine it names. A PostgreSQL URL is parsed here
//! already, so a bad one stops the start rather than the first connection.

use std::path::PathBuf;

use super::Secret;
use crate::error::{Error, Result};

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
