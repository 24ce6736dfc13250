//! Counters and settings every instance shares, on PostgreSQL: one upsert per attempt, so
//! that instances counting the same key at once never lose a count.

use async_trait::async_trait;

use super::{PgStore, exec, one, row};
use crate::error::Result;
use crate::store::Shared;

#[async_trait]
impl Shared for PgStore {
    async fn hit(&self, key: &str, window: i64, now: i64) -> Result<i64> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        // Both CASEs read the row as it was: a window that has ended starts again at `now`.
        let count: i64 = one(
            &tx,
            "INSERT INTO attempt_counters (key, window_start, count) VALUES ($1, $3::bigint, 1)
             ON CONFLICT (key) DO UPDATE SET
                 window_start = CASE WHEN attempt_counters.window_start <= $3::bigint - $2::bigint
                                     THEN $3::bigint ELSE attempt_counters.window_start END,
                 count = CASE WHEN attempt_counters.window_start <= $3::bigint - $2::bigint
                              THEN 1 ELSE attempt_counters.count + 1 END
             RETURNING count",
            &[&key, &window, &now],
        )
        .await?
        .try_get(0)?;
        tx.commit().await?;
        Ok(count)
    }

    async fn hits(&self, key: &str, window: i64, now: i64) -> Result<i64> {
        let c = self.client().await?;
        let found = row(
            &c,
            "SELECT count FROM attempt_counters WHERE key = $1 AND window_start > $3::bigint - $2::bigint",
            &[&key, &window, &now],
        )
        .await?;
        Ok(found.map(|r| r.try_get(0)).transpose()?.unwrap_or(0))
    }

    async fn clear_hits(&self, key: &str) -> Result<()> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        exec(&tx, "DELETE FROM attempt_counters WHERE key = $1", &[&key]).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn setting_or_init(&self, name: &str, make: Vec<u8>) -> Result<Vec<u8>> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        // Of two instances initialising at once, the second's insert waits for the first's
        // and does nothing; its select then reads the first's value.
        exec(
            &tx,
            "INSERT INTO settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
            &[&name, &make],
        )
        .await?;
        let value: Vec<u8> = one(&tx, "SELECT value FROM settings WHERE name = $1", &[&name])
            .await?
            .try_get(0)?;
        tx.commit().await?;
        Ok(value)
    }

    async fn discard_blobs(&self, names: &[String], now_ms: i64) -> Result<()> {
        let c = self.client().await?;
        c.execute(
            "INSERT INTO discarded_blobs (name, discarded_at) SELECT unnest($1::text[]), $2 ON CONFLICT (name) DO NOTHING",
            &[&names, &now_ms],
        )
        .await?;
        Ok(())
    }

    async fn discarded_before(&self, before_ms: i64, limit: i64) -> Result<Vec<String>> {
        let c = self.client().await?;
        let rows = c
            .query(
                "SELECT name FROM discarded_blobs WHERE discarded_at < $1 ORDER BY discarded_at, name LIMIT $2",
                &[&before_ms, &limit],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| r.try_get(0))
            .collect::<std::result::Result<_, _>>()?)
    }

    async fn orphans_among(&self, names: &[String]) -> Result<Vec<String>> {
        let c = self.client().await?;
        let rows = c
            .query(
                "SELECT n FROM unnest($1::text[]) AS n
                 WHERE NOT EXISTS (SELECT 1 FROM documents WHERE stored_name = n)
                   AND NOT EXISTS (SELECT 1 FROM discarded_blobs WHERE name = n)
                 ORDER BY n",
                &[&names],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| r.try_get(0))
            .collect::<std::result::Result<_, _>>()?)
    }

    async fn forget_discarded(&self, names: &[String]) -> Result<()> {
        let c = self.client().await?;
        c.execute("DELETE FROM discarded_blobs WHERE name = ANY($1)", &[&names])
            .await?;
        Ok(())
    }

    async fn ping(&self) -> Result<()> {
        let c = self.client().await?;
        c.simple_query("SELECT 1").await?;
        Ok(())
    }
}
