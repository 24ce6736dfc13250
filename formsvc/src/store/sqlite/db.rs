//! The SQLite engine's plumbing: migrations, a pool of read connections, and the one writer.
//!
//! Writes never run on the async workers. One thread owns the write connection and commits the
//! requests that arrived together in one transaction (group commit), each inside its own
//! savepoint so one failing request does not undo the others; every request is answered only
//! after the commit that holds it is durable (`synchronous=FULL`). One durable commit costs
//! milliseconds on this disk, so one per request would cap throughput; one per batch does not.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};
use tokio::sync::oneshot;

use crate::error::{Error, Result};

const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/sqlite/0001_accounts.sql"),
    include_str!("../../../migrations/sqlite/0002_applications.sql"),
    include_str!("../../../migrations/sqlite/0003_shared_state.sql"),
    include_str!("../../../migrations/sqlite/0004_discarded_blobs.sql"),
    include_str!("../../../migrations/sqlite/0005_scan_refusals.sql"),
    include_str!("../../../migrations/sqlite/0006_encryption.sql"),
    include_str!("../../../migrations/sqlite/0007_addresses_and_claims.sql"),
    include_str!("../../../migrations/sqlite/0008_access_record.sql"),
    include_str!("../../../migrations/sqlite/0009_retention.sql"),
    include_str!("../../../migrations/sqlite/0010_officer_second_factor.sql"),
    include_str!("../../../migrations/sqlite/0011_applicant_rights.sql"),
    include_str!("../../../migrations/sqlite/0012_answered_notes.sql"),
    include_str!("../../../migrations/sqlite/0013_handled_by.sql"),
];

/// How many requests one transaction may hold at most.
const MAX_BATCH: usize = 256;

/// A request: runs in the transaction, says whether it succeeded, and returns how to answer
/// once the commit's outcome is known.
type Job = Box<dyn FnOnce(&Transaction<'_>) -> (bool, Box<dyn FnOnce(bool) + Send>) + Send>;

#[derive(Clone)]
pub struct Db {
    path: PathBuf,
    writer: std::sync::mpsc::Sender<Job>,
    readers: Arc<Mutex<Vec<Connection>>>,
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Erased rows are overwritten with zeros, not left in free pages of the file (retention,
    // the right to erasure).
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    Ok(())
}

fn migrate(conn: &mut Connection) -> rusqlite::Result<()> {
    let version: usize = conn.pragma_query_value(None, "user_version", |r| r.get(0))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Read again under the write lock: of two processes opening the file at once (the
        // service and `sicantik officer add`), the second finds the first's work done.
        let applied: usize = tx.pragma_query_value(None, "user_version", |r| r.get(0))?;
        if applied == i {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i + 1)?;
        }
        tx.commit()?;
    }
    Ok(())
}

impl Db {
    /// Opens (creating if needed) the database at `path`, applies migrations, and starts the
    /// writer thread.
    pub fn open(path: &Path) -> Result<Db> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|source| Error::Io {
                action: "create",
                path: dir.into(),
                source,
            })?;
        }
        let mut conn = Connection::open(path)?;
        // The busy timeout first: switching a new file to WAL takes a lock that another
        // process opening the file at the same moment may hold, and without a timeout the
        // switch fails at once with "database is locked".
        configure(&conn)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        migrate(&mut conn)?;
        let (tx, rx) = std::sync::mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || writer_loop(conn, rx))
            .map_err(|source| Error::Io {
                action: "start the writer for",
                path: path.into(),
                source,
            })?;
        Ok(Db {
            path: path.to_path_buf(),
            writer: tx,
            readers: Arc::new(Mutex::new(Vec::new())),
        })
    }

    /// Runs `f` in the next group transaction; resolves after that transaction committed.
    pub async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Transaction<'_>) -> Result<T> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel::<Result<T>>();
        let job: Job = Box::new(move |tx| {
            let outcome = f(tx);
            let ok = outcome.is_ok();
            let answer: Box<dyn FnOnce(bool) + Send> = Box::new(move |committed: bool| {
                let result = match (committed, outcome) {
                    (true, r) => r,
                    (false, Ok(_)) => Err(Error::Internal("the transaction did not commit".into())),
                    (false, Err(e)) => Err(e),
                };
                let _ = reply.send(result);
            });
            (ok, answer)
        });
        self.writer.send(job).map_err(|_| Error::WriterGone)?;
        answer.await.map_err(|_| Error::WriterGone)?
    }

    /// Copies the write-ahead log into the file and empties it, so that pages an erasure
    /// overwrote are not still readable in the log's older frames. Waits for readers.
    pub async fn checkpoint(&self) -> Result<()> {
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let c = Connection::open(&path)?;
            configure(&c)?;
            c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
            Ok(())
        })
        .await
        .map_err(|e| Error::Internal(format!("checkpoint task failed: {e}")))?
    }

    /// Runs `f` on a read connection, off the async workers.
    pub async fn read<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T> + Send + 'static,
    {
        let pool = self.readers.clone();
        let path = self.path.clone();
        tokio::task::spawn_blocking(move || {
            let conn = pool.lock().ok().and_then(|mut p| p.pop());
            let conn = match conn {
                Some(c) => c,
                None => {
                    let c = Connection::open_with_flags(
                        &path,
                        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                    )?;
                    configure(&c)?;
                    c
                }
            };
            let result = f(&conn);
            if let Ok(mut p) = pool.lock() {
                p.push(conn);
            }
            result
        })
        .await
        .map_err(|e| Error::Internal(format!("reader task failed: {e}")))?
    }
}

fn writer_loop(mut conn: Connection, rx: std::sync::mpsc::Receiver<Job>) {
    while let Ok(first) = rx.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut completions = Vec::with_capacity(batch.len());
        let committed = match conn.transaction_with_behavior(TransactionBehavior::Immediate) {
            Ok(tx) => {
                for job in batch {
                    // A savepoint per request: its own failure undoes only its own changes.
                    if let Err(e) = tx.execute_batch("SAVEPOINT request") {
                        tracing::error!(error = %e, "cannot open a savepoint");
                    }
                    let (ok, done) = job(&tx);
                    if !ok {
                        let _ = tx.execute_batch("ROLLBACK TO request");
                    }
                    completions.push(done);
                    let _ = tx.execute_batch("RELEASE request");
                }
                match tx.commit() {
                    Ok(()) => true,
                    Err(e) => {
                        tracing::error!(error = %e, "group commit failed");
                        false
                    }
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "cannot begin a write transaction");
                for job in batch {
                    // Never run: answer each as not committed.
                    drop(job);
                }
                false
            }
        };
        for done in completions {
            done(committed);
        }
    }
}

/// The next value of a named counter (registration numbers), inside the caller's transaction.
pub fn next_counter(tx: &Transaction<'_>, name: &str) -> Result<i64> {
    Ok(tx.query_row(
        "INSERT INTO counters(name, value) VALUES (?1, 1)
         ON CONFLICT(name) DO UPDATE SET value = value + 1 RETURNING value",
        [name],
        |r| r.get(0),
    )?)
}
