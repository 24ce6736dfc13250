//! PostgreSQL: the store for several instances on one server. Each change is one transaction
//! on a connection from a pool (deadpool-postgres); reads run on a pooled connection without
//! one. Every query here is written for PostgreSQL alone (no query builder shared with SQLite)
//! and prepared once per connection (`prepare_cached`).
//!
//! What it owns: the migrations in `migrations/postgres/`, applied at connect under an
//! advisory lock; the mapping of rows to the typed records; the outbox rows and the
//! `NOTIFY sicantik_outbox` that wakes every instance's mail worker.
//!
//! What it must not do: render anything (emails come from the caller's `compose`), or read a
//! row into a default: a value that does not parse is `Error::Corrupt` naming the row.

mod access;
mod accounts;
pub use self::backup::{check_dump, ensure_empty, restore};
mod applications;
mod backup;
mod details;
mod keys;
mod officers;
mod outbox;
mod registrations;
mod retention;
mod review;
mod rights;
mod second_factor;
mod shared;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use deadpool_postgres::{
    GenericClient, Manager, ManagerConfig, Object, Pool, PoolError, RecyclingMethod, Runtime, Transaction,
};
use serde::de::DeserializeOwned;
use tokio_postgres::types::ToSql;
use tokio_postgres::{NoTls, Row};

use crate::application::Status;
use crate::error::{Error, Result};
use crate::keys::NikKey;
use crate::records::NewMail;
use crate::store::corrupt;

/// The migrations, numbered as SQLite's; each is applied once, in its own transaction.
const MIGRATIONS: &[(i32, &str)] = &[
    (1, include_str!("../../../migrations/postgres/0001_accounts.sql")),
    (2, include_str!("../../../migrations/postgres/0002_applications.sql")),
    (3, include_str!("../../../migrations/postgres/0003_shared_state.sql")),
    (4, include_str!("../../../migrations/postgres/0004_discarded_blobs.sql")),
    (5, include_str!("../../../migrations/postgres/0005_scan_refusals.sql")),
    (6, include_str!("../../../migrations/postgres/0006_encryption.sql")),
    (
        7,
        include_str!("../../../migrations/postgres/0007_addresses_and_claims.sql"),
    ),
    (8, include_str!("../../../migrations/postgres/0008_access_record.sql")),
    (9, include_str!("../../../migrations/postgres/0009_retention.sql")),
    (
        10,
        include_str!("../../../migrations/postgres/0010_officer_second_factor.sql"),
    ),
    (
        11,
        include_str!("../../../migrations/postgres/0011_applicant_rights.sql"),
    ),
    (12, include_str!("../../../migrations/postgres/0012_answered_notes.sql")),
    (13, include_str!("../../../migrations/postgres/0013_handled_by.sql")),
];

/// The advisory lock held while migrating ("SICANTIK" in ASCII), so that of two instances
/// starting together one migrates and the other waits, then finds the work done.
const MIGRATION_LOCK: i64 = 0x5349_4341_4E54_494B;

/// The channel every instance's mail worker listens on.
const OUTBOX_CHANNEL: &str = "sicantik_outbox";

/// Parameters of a query, as tokio-postgres takes them.
type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// The PostgreSQL store.
pub struct PgStore {
    pool: Pool,
    /// For the LISTEN connection, which lives outside the pool.
    config: tokio_postgres::Config,
    message_domain: String,
    /// The LISTEN tasks, stopped when the store goes.
    listeners: Mutex<Vec<tokio::task::AbortHandle>>,
    /// Seals and indexes identity numbers; `None` until `with_nik`.
    nik: Option<Arc<NikKey>>,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The config's Debug hides the password; nothing else here is secret.
        f.debug_struct("PgStore")
            .field("config", &self.config)
            .field("message_domain", &self.message_domain)
            .finish_non_exhaustive()
    }
}

impl Drop for PgStore {
    fn drop(&mut self) {
        if let Ok(listeners) = self.listeners.lock() {
            for l in listeners.iter() {
                l.abort();
            }
        }
    }
}

impl PgStore {
    /// Connects a pool of at most `pool_size` connections to `url` and applies the
    /// migrations not yet applied.
    pub async fn connect(url: &str, pool_size: usize) -> Result<PgStore> {
        // The parser's message never repeats the URL, so no password reaches a log.
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| Error::Config(format!("SICANTIK_DATABASE_URL is not a PostgreSQL URL: {e}")))?;
        let manager = Manager::from_config(
            config.clone(),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(pool_size.max(1))
            .runtime(Runtime::Tokio1)
            .create_timeout(Some(Duration::from_secs(10)))
            .wait_timeout(Some(Duration::from_secs(30)))
            .recycle_timeout(Some(Duration::from_secs(5)))
            .build()
            .map_err(|e| Error::Pool(e.to_string()))?;
        let store = PgStore {
            pool,
            config,
            message_domain: "localhost".to_string(),
            listeners: Mutex::new(Vec::new()),
            nik: None,
        };
        store.migrate().await?;
        Ok(store)
    }

    /// The domain of the emails' Message-IDs (`<token@domain>`); "localhost" unless set.
    pub fn with_message_domain(mut self, domain: String) -> Self {
        self.message_domain = domain;
        self
    }

    /// The key that seals identity numbers (`NikKey::load`).
    pub fn with_nik(mut self, nik: Arc<NikKey>) -> Self {
        self.nik = Some(nik);
        self
    }

    fn nik(&self) -> Result<&NikKey> {
        self.nik
            .as_deref()
            .ok_or_else(|| Error::Internal("the PostgreSQL store was opened without the NIK key".into()))
    }

    async fn client(&self) -> Result<Object> {
        self.pool.get().await.map_err(|e| match e {
            PoolError::Backend(e) => Error::Postgres(e),
            other => Error::Pool(other.to_string()),
        })
    }

    async fn migrate(&self) -> Result<()> {
        let mut client = self.client().await?;
        for (version, sql) in MIGRATIONS {
            let tx = client.transaction().await?;
            // Held until this transaction ends; the table is created under it, so two
            // instances never race to create it either.
            tx.batch_execute(&format!(
                "SELECT pg_advisory_xact_lock({MIGRATION_LOCK});
                 CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL);"
            ))
            .await?;
            let done = tx
                .query_opt("SELECT 1 FROM schema_migrations WHERE version = $1", &[version])
                .await?;
            if done.is_none() {
                tx.batch_execute(sql).await?;
                tx.execute(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                    &[version, &(now_ms() / 1000)],
                )
                .await?;
                tracing::info!(version, "PostgreSQL migration applied");
            }
            tx.commit().await?;
        }
        Ok(())
    }
}

// Queries through the statement cache, on a pooled connection or in a transaction.

async fn rows<C: GenericClient>(c: &C, sql: &str, params: Params<'_>) -> Result<Vec<Row>> {
    let stmt = c.prepare_cached(sql).await?;
    Ok(c.query(&stmt, params).await?)
}

async fn row<C: GenericClient>(c: &C, sql: &str, params: Params<'_>) -> Result<Option<Row>> {
    let stmt = c.prepare_cached(sql).await?;
    Ok(c.query_opt(&stmt, params).await?)
}

async fn one<C: GenericClient>(c: &C, sql: &str, params: Params<'_>) -> Result<Row> {
    let stmt = c.prepare_cached(sql).await?;
    Ok(c.query_one(&stmt, params).await?)
}

async fn exec<C: GenericClient>(c: &C, sql: &str, params: Params<'_>) -> Result<u64> {
    let stmt = c.prepare_cached(sql).await?;
    Ok(c.execute(&stmt, params).await?)
}

// Reading typed values back: never a default.

/// A value that must be there (a known word), or the row is corrupt.
fn known<T>(value: Option<T>, table: &'static str, id: impl std::fmt::Display, field: &'static str) -> Result<T> {
    value.ok_or_else(|| corrupt(table, id, field))
}

/// A value that must parse with its domain parser, or the row is corrupt.
fn parsed<T, E>(
    raw: &str,
    parse: impl FnOnce(&str) -> std::result::Result<T, E>,
    table: &'static str,
    id: impl std::fmt::Display,
    field: &'static str,
) -> Result<T> {
    parse(raw).map_err(|_| corrupt(table, id, field))
}

/// A JSON column that must deserialize, or the row is corrupt.
fn json<T: DeserializeOwned>(raw: &str, table: &'static str, id: i64, field: &'static str) -> Result<T> {
    serde_json::from_str(raw).map_err(|_| corrupt(table, id, field))
}

fn status(raw: &str, table: &'static str, id: i64, field: &'static str) -> Result<Status> {
    known(Status::parse(raw), table, id, field)
}

/// Milliseconds since the Unix epoch (outbox times).
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

// Rows every change writes: emails, audit lines, application events.

/// Writes `mails` to the outbox in the caller's transaction and tells every instance's
/// worker once it commits.
async fn enqueue(tx: &Transaction<'_>, mails: &[NewMail], message_domain: &str) -> Result<()> {
    if mails.is_empty() {
        return Ok(());
    }
    let now = now_ms();
    for mail in mails {
        let message_id = format!("<{}@{}>", crate::security::random_token(), message_domain);
        exec(
            tx,
            "INSERT INTO outbox (kind, recipient, subject, text_body, html_body, message_id, instansi, next_attempt_at, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)",
            &[&mail.kind, &mail.to, &mail.subject, &mail.text, &mail.html, &message_id, &mail.instansi, &now],
        )
        .await?;
    }
    // Delivered at commit, and not at all if the transaction rolls back.
    tx.batch_execute(&format!("NOTIFY {OUTBOX_CHANNEL}")).await?;
    Ok(())
}

/// One line of the audit trail, written with the change it records.
struct Audit<'a> {
    instansi: &'a str,
    actor_kind: &'a str,
    actor_id: Option<i64>,
    actor_label: &'a str,
    action: &'a str,
    target: &'a str,
    detail: Option<&'a str>,
}

async fn audit(tx: &Transaction<'_>, at: i64, a: Audit<'_>) -> Result<()> {
    exec(
        tx,
        "INSERT INTO audit (at, instansi, actor_kind, actor_id, actor_label, action, target, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &at,
            &a.instansi,
            &a.actor_kind,
            &a.actor_id,
            &a.actor_label,
            &a.action,
            &a.target,
            &a.detail,
        ],
    )
    .await?;
    Ok(())
}

/// Who changed an application's status: kind, id, label.
type EventActor<'a> = (&'a str, Option<i64>, &'a str);

async fn record_event(
    tx: &Transaction<'_>,
    application_id: i64,
    at: i64,
    actor: EventActor<'_>,
    (from, to): (Option<Status>, Status),
    note: Option<&str>,
) -> Result<()> {
    exec(
        tx,
        "INSERT INTO application_events (application_id, at, actor_kind, actor_id, actor_label, from_status, to_status, note)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        &[
            &application_id,
            &at,
            &actor.0,
            &actor.1,
            &actor.2,
            &from.map(Status::as_str),
            &to.as_str(),
            &note,
        ],
    )
    .await?;
    Ok(())
}
