//! A consistent copy of the PostgreSQL database while the service runs: a read-only
//! repeatable-read transaction exports its snapshot, `pg_dump --snapshot` dumps exactly that
//! instant (custom format), and the document list is read in the same transaction, so the dump
//! and the list agree. `pg_restore` puts it back into an empty database.
//!
//! The connection settings go to `pg_dump` / `pg_restore` in `PG*` environment variables, never
//! on the command line, where every user of the machine could read the password.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use tokio_postgres::NoTls;
use tokio_postgres::config::Host;

use super::PgStore;
use crate::error::{Error, Result};
use crate::store::{Backup, COUNTED_TABLES, Engine, Snapshot};

const FILE: &str = "database.pgdump";

/// `name` from `PATH`, else the newest under Debian's `/usr/lib/postgresql/<version>/bin`.
fn tool(name: &str) -> Result<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).map(|d| d.join(name)).collect::<Vec<_>>())
        .unwrap_or_default();
    let mut debian: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|d| d.flatten().map(|e| e.path().join("bin").join(name)).collect())
        .unwrap_or_default();
    debian.sort_by_key(|p| {
        p.parent()
            .and_then(Path::parent)
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    on_path
        .into_iter()
        .chain(debian.into_iter().rev())
        .find(|p| p.is_file())
        .ok_or_else(|| {
            Error::Config(format!(
                "{name} not found on PATH or under /usr/lib/postgresql: install PostgreSQL's client tools \
                 (Debian: postgresql-client) of the server's version or newer"
            ))
        })
}

/// The `PG*` variables that point a PostgreSQL tool at `config`.
fn tool_env(config: &tokio_postgres::Config) -> Vec<(&'static str, String)> {
    let mut env = Vec::new();
    if let Some(host) = config.get_hosts().first() {
        let host = match host {
            Host::Tcp(h) => h.clone(),
            Host::Unix(p) => p.display().to_string(),
        };
        env.push(("PGHOST", host));
    }
    if let Some(port) = config.get_ports().first() {
        env.push(("PGPORT", port.to_string()));
    }
    if let Some(user) = config.get_user() {
        env.push(("PGUSER", user.to_string()));
    }
    if let Some(password) = config.get_password() {
        env.push(("PGPASSWORD", String::from_utf8_lossy(password).into_owned()));
    }
    if let Some(db) = config.get_dbname() {
        env.push(("PGDATABASE", db.to_string()));
    }
    env
}

async fn run(name: &str, config: &tokio_postgres::Config, args: &[&std::ffi::OsStr]) -> Result<()> {
    let out = tokio::process::Command::new(tool(name)?)
        .args(args)
        .env_remove("PGSERVICE")
        .envs(tool_env(config))
        .stdin(std::process::Stdio::null())
        .output()
        .await
        .map_err(|source| Error::Io {
            action: "run",
            path: name.into(),
            source,
        })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(Error::Internal(format!(
            "{name} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

#[async_trait]
impl Backup for PgStore {
    async fn snapshot(&self, dir: &Path) -> Result<Snapshot> {
        let mut client = self.client().await?;
        let tx = client
            .build_transaction()
            .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await?;
        let id: String = tx.query_one("SELECT pg_export_snapshot()", &[]).await?.try_get(0)?;
        let dest = dir.join(FILE);
        run(
            "pg_dump",
            &self.config,
            &[
                "--format=custom".as_ref(),
                "--no-owner".as_ref(),
                "--no-privileges".as_ref(),
                format!("--snapshot={id}").as_ref(),
                "--file".as_ref(),
                dest.as_os_str(),
            ],
        )
        .await?;
        let documents = tx
            .query("SELECT stored_name FROM documents ORDER BY id", &[])
            .await?
            .iter()
            .map(|r| r.try_get(0))
            .collect::<std::result::Result<Vec<String>, _>>()?;
        let mut counts = BTreeMap::new();
        for table in COUNTED_TABLES {
            let n: i64 = tx
                .query_one(&format!("SELECT count(*) FROM {table}"), &[])
                .await?
                .try_get(0)?;
            counts.insert(table.to_string(), n);
        }
        tx.commit().await?;
        Ok(Snapshot {
            file: FILE.into(),
            engine: Engine::Postgres,
            documents,
            counts,
        })
    }
}

/// Refuses unless the database of `url` has no tables: a restore goes only into an empty one.
pub async fn ensure_empty(url: &str) -> Result<()> {
    let config = parse_url(url)?;
    let (client, connection) = config.connect(NoTls).await?;
    let task = tokio::spawn(connection);
    let tables: i64 = client
        .query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'",
            &[],
        )
        .await?
        .try_get(0)?;
    drop(client);
    let _ = task.await;
    if tables > 0 {
        return Err(Error::Config(
            "the database of SICANTIK_DATABASE_URL has tables already: restore into an empty database".into(),
        ));
    }
    Ok(())
}

fn parse_url(url: &str) -> Result<tokio_postgres::Config> {
    url.parse()
        .map_err(|e| Error::Config(format!("SICANTIK_DATABASE_URL is not a PostgreSQL URL: {e}")))
}

/// Restores the dump in `file` into the database of `url`, which must have no tables yet.
pub async fn restore(url: &str, file: &Path) -> Result<()> {
    ensure_empty(url).await?;
    let config = parse_url(url)?;
    run(
        "pg_restore",
        &config,
        &[
            "--no-owner".as_ref(),
            "--no-privileges".as_ref(),
            "--exit-on-error".as_ref(),
            "--single-transaction".as_ref(),
            "--dbname".as_ref(),
            config.get_dbname().unwrap_or("postgres").as_ref(),
            file.as_os_str(),
        ],
    )
    .await
}

/// Checks that `file` is a dump `pg_restore` can read (its table of contents).
pub async fn check_dump(file: &Path) -> Result<()> {
    let config = tokio_postgres::Config::new();
    run("pg_restore", &config, &["--list".as_ref(), file.as_os_str()]).await
}
