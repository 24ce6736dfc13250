//! Attempt counters and shared settings on SQLite.

use async_trait::async_trait;
use rusqlite::params;

use super::SqliteStore;
use crate::error::Result;
use crate::store::Shared;

#[async_trait]
impl Shared for SqliteStore {
    async fn hit(&self, key: &str, window: i64, now: i64) -> Result<i64> {
        let k = key.to_string();
        self.db
            .write(move |tx| {
                Ok(tx.query_row(
                    "INSERT INTO attempt_counters (key, window_start, count) VALUES (?1, ?2, 1)
                     ON CONFLICT(key) DO UPDATE SET
                        count = CASE WHEN window_start <= ?2 - ?3 THEN 1 ELSE count + 1 END,
                        window_start = CASE WHEN window_start <= ?2 - ?3 THEN ?2 ELSE window_start END
                     RETURNING count",
                    params![k, now, window],
                    |r| r.get(0),
                )?)
            })
            .await
    }

    async fn hits(&self, key: &str, window: i64, now: i64) -> Result<i64> {
        let k = key.to_string();
        self.db
            .read(move |c| {
                Ok(c.query_row(
                    "SELECT coalesce(max(count), 0) FROM attempt_counters WHERE key = ?1 AND window_start > ?2 - ?3",
                    params![k, now, window],
                    |r| r.get(0),
                )?)
            })
            .await
    }

    async fn clear_hits(&self, key: &str) -> Result<()> {
        let k = key.to_string();
        self.db
            .write(move |tx| {
                tx.execute("DELETE FROM attempt_counters WHERE key = ?1", [k])?;
                Ok(())
            })
            .await
    }

    async fn setting_or_init(&self, name: &str, make: Vec<u8>) -> Result<Vec<u8>> {
        let n = name.to_string();
        self.db
            .write(move |tx| {
                tx.execute(
                    "INSERT INTO settings (name, value) VALUES (?1, ?2) ON CONFLICT(name) DO NOTHING",
                    params![n, make],
                )?;
                Ok(tx.query_row("SELECT value FROM settings WHERE name = ?1", [n], |r| r.get(0))?)
            })
            .await
    }

    async fn discard_blobs(&self, names: &[String], now_ms: i64) -> Result<()> {
        let names = names.to_vec();
        self.db
            .write(move |tx| {
                for n in &names {
                    tx.execute(
                        "INSERT INTO discarded_blobs (name, discarded_at) VALUES (?1, ?2) ON CONFLICT(name) DO NOTHING",
                        params![n, now_ms],
                    )?;
                }
                Ok(())
            })
            .await
    }

    async fn discarded_before(&self, before_ms: i64, limit: i64) -> Result<Vec<String>> {
        self.db
            .read(move |c| {
                Ok(c.prepare(
                    "SELECT name FROM discarded_blobs WHERE discarded_at < ?1 ORDER BY discarded_at, name LIMIT ?2",
                )?
                .query_map(params![before_ms, limit], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<String>>>()?)
            })
            .await
    }

    async fn forget_discarded(&self, names: &[String]) -> Result<()> {
        let names = names.to_vec();
        self.db
            .write(move |tx| {
                for n in &names {
                    tx.execute("DELETE FROM discarded_blobs WHERE name = ?1", [n])?;
                }
                Ok(())
            })
            .await
    }

    async fn orphans_among(&self, names: &[String]) -> Result<Vec<String>> {
        let names = names.to_vec();
        self.db
            .read(move |c| {
                let mut named = c.prepare_cached(
                    "SELECT EXISTS (SELECT 1 FROM documents WHERE stored_name = ?1)
                         OR EXISTS (SELECT 1 FROM discarded_blobs WHERE name = ?1)",
                )?;
                let mut orphans = Vec::new();
                for n in names {
                    if !named.query_row([&n], |r| r.get::<_, bool>(0))? {
                        orphans.push(n);
                    }
                }
                orphans.sort();
                Ok(orphans)
            })
            .await
    }

    async fn ping(&self) -> Result<()> {
        self.db
            .read(|c| Ok(c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0)).map(|_| ())?))
            .await
    }
}
