//! The outbox's rows on SQLite: claimed with one `UPDATE … RETURNING` (SQLite has no
//! `SKIP LOCKED`; the one writer serialises claims anyway).

use std::sync::Arc;

use async_trait::async_trait;
use rusqlite::params;

use super::{SqliteStore, enqueue};
use crate::error::Result;
use crate::records::*;
use crate::store::Outbox;

#[async_trait]
impl Outbox for SqliteStore {
    async fn enqueue(&self, mails: Vec<NewMail>) -> Result<()> {
        let domain = self.message_domain.clone();
        self.db
            .write(move |tx| {
                for mail in &mails {
                    enqueue(tx, mail, &domain)?;
                }
                Ok(())
            })
            .await
    }

    async fn claim_mail(&self, now_ms: i64, lease_ms: i64, limit: i64, claimant: &str) -> Result<Vec<ClaimedMail>> {
        let claimant = claimant.to_string();
        self.db
            .write(move |tx| {
                let mut stmt = tx.prepare_cached(
                    "UPDATE outbox SET claimed_until = ?1 + ?2, claimed_by = ?4
                     WHERE id IN (SELECT id FROM outbox
                                  WHERE status = 'antre' AND next_attempt_at <= ?1
                                    AND (claimed_until IS NULL OR claimed_until < ?1)
                                  ORDER BY next_attempt_at, id LIMIT ?3)
                     RETURNING id, recipient, subject, text_body, html_body, message_id, attempts",
                )?;
                let rows = stmt
                    .query_map(params![now_ms, lease_ms, limit, claimant], |r| {
                        Ok(ClaimedMail {
                            id: r.get(0)?,
                            recipient: r.get(1)?,
                            subject: r.get(2)?,
                            text: r.get(3)?,
                            html: r.get(4)?,
                            message_id: r.get(5)?,
                            attempts: r.get(6)?,
                        })
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows)
            })
            .await
    }

    async fn release_claims(&self, claimant: &str) -> Result<u64> {
        let claimant = claimant.to_string();
        self.db
            .write(move |tx| {
                let n = tx.execute(
                    "UPDATE outbox SET claimed_until = NULL, claimed_by = NULL
                     WHERE claimed_by = ?1 AND status = 'antre' AND claimed_until IS NOT NULL",
                    [claimant],
                )?;
                Ok(n as u64)
            })
            .await
    }

    async fn mark_sent(&self, sent: &[(i64, i64)], now_ms: i64) -> Result<()> {
        let sent = sent.to_vec();
        self.db
            .write(move |tx| {
                let mut stmt = tx.prepare_cached(
                    "UPDATE outbox SET status = 'terkirim', attempts = ?2, sent_at = ?3, claimed_until = NULL,
                            claimed_by = NULL, last_error = NULL WHERE id = ?1",
                )?;
                for (id, attempts) in sent {
                    stmt.execute(params![id, attempts, now_ms])?;
                }
                Ok(())
            })
            .await
    }

    async fn mark_attempt_failed(
        &self,
        id: i64,
        attempts: i64,
        failed: bool,
        next_at_ms: i64,
        error: &str,
    ) -> Result<()> {
        let error = error.to_string();
        self.db
            .write(move |tx| {
                tx.execute(
                    "UPDATE outbox SET status = CASE WHEN ?3 THEN 'gagal' ELSE 'antre' END, attempts = ?2,
                            next_attempt_at = ?4, claimed_until = NULL, last_error = ?5 WHERE id = ?1",
                    params![id, attempts, failed, next_at_ms, error],
                )?;
                Ok(())
            })
            .await
    }

    async fn next_mail_due(&self) -> Result<Option<i64>> {
        self.db
            .read(|c| {
                Ok(c.query_row(
                    "SELECT min(max(next_attempt_at, coalesce(claimed_until, 0))) FROM outbox WHERE status = 'antre'",
                    [],
                    |r| r.get(0),
                )?)
            })
            .await
    }

    async fn outbox_state(&self) -> Result<OutboxState> {
        self.db
            .read(|c| {
                Ok(c.query_row(
                    "SELECT count(*) FILTER (WHERE status = 'antre'), \
                            min(created_at) FILTER (WHERE status = 'antre'), \
                            count(*) FILTER (WHERE status = 'gagal') FROM outbox",
                    [],
                    |r| {
                        Ok(OutboxState {
                            waiting: r.get(0)?,
                            oldest_queued_at_ms: r.get(1)?,
                            failed: r.get(2)?,
                        })
                    },
                )?)
            })
            .await
    }

    async fn listen_for_mail(&self, _notify: Arc<tokio::sync::Notify>) -> Result<()> {
        Ok(())
    }
}
