//! A consistent copy of the SQLite database while the service writes to it: SQLite's online
//! backup API in one step, which holds a read transaction for the copy (in WAL mode the writer
//! goes on), so the copy is the database at one instant. Never a file copy of a live database:
//! that can catch a page half written and the WAL not yet merged.

use std::collections::BTreeMap;
use std::path::Path;

use async_trait::async_trait;
use rusqlite::{Connection, OpenFlags};

use super::SqliteStore;
use crate::error::{Error, Result};
use crate::store::{Backup, COUNTED_TABLES, Engine, Snapshot};

const FILE: &str = "database.sqlite3";

#[async_trait]
impl Backup for SqliteStore {
    async fn snapshot(&self, dir: &Path) -> Result<Snapshot> {
        let dest = dir.join(FILE);
        self.db
            .read(move |source| {
                {
                    let mut copy = Connection::open(&dest)?;
                    let backup = rusqlite::backup::Backup::new(source, &mut copy)?;
                    // -1: every page in one step, under one read transaction.
                    match backup.step(-1)? {
                        rusqlite::backup::StepResult::Done => {}
                        other => {
                            return Err(Error::Internal(format!("the database backup stopped: {other:?}")));
                        }
                    }
                }
                let copy = Connection::open_with_flags(&dest, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
                describe(&copy)
            })
            .await
    }
}

fn describe(copy: &Connection) -> Result<Snapshot> {
    let documents = copy
        .prepare("SELECT stored_name FROM documents ORDER BY id")?
        .query_map([], |r| r.get(0))?
        .collect::<rusqlite::Result<Vec<String>>>()?;
    let mut counts = BTreeMap::new();
    for table in COUNTED_TABLES {
        let n: i64 = copy.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))?;
        counts.insert(table.to_string(), n);
    }
    Ok(Snapshot {
        file: FILE.into(),
        engine: Engine::Sqlite,
        documents,
        counts,
    })
}

/// Puts the copy in `file` at `path`, which must not exist yet; checks it first.
pub fn restore(file: &Path, path: &Path) -> Result<()> {
    if path.exists() {
        return Err(Error::Config(format!(
            "{} exists already: restore into an empty data directory",
            path.display()
        )));
    }
    let copy = Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let verdict: String = copy.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if verdict != "ok" {
        return Err(Error::Internal(format!(
            "the database in the backup is damaged: {verdict}"
        )));
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|source| Error::Io {
            action: "create",
            path: dir.to_path_buf(),
            source,
        })?;
    }
    let mut target = Connection::open(path)?;
    let backup = rusqlite::backup::Backup::new(&copy, &mut target)?;
    match backup.step(-1)? {
        rusqlite::backup::StepResult::Done => Ok(()),
        other => Err(Error::Internal(format!("the database restore stopped: {other:?}"))),
    }
}

/// Reads what a copy holds, for `sicantik backup verify`.
pub fn describe_file(file: &Path) -> Result<Snapshot> {
    let copy = Connection::open_with_flags(file, OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let verdict: String = copy.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
    if verdict != "ok" {
        return Err(Error::Internal(format!(
            "the database in the backup is damaged: {verdict}"
        )));
    }
    describe(&copy)
}
