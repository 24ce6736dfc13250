//! The outbox's side of the store on PostgreSQL: claiming due rows so that several instances'
//! workers never take the same one (`FOR UPDATE SKIP LOCKED` under a lease), recording the
//! outcome of an attempt, and LISTEN on a connection of its own, so that mail enqueued by any
//! instance wakes every worker.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures_util::future::poll_fn;
use tokio::sync::{Notify, oneshot};
use tokio_postgres::{AsyncMessage, NoTls};

use super::{OUTBOX_CHANNEL, PgStore, enqueue, exec, one, rows};
use crate::error::{Error, Result};
use crate::records::*;
use crate::store::Outbox;

/// How long the listener waits before connecting again after losing its connection.
const RECONNECT_AFTER: Duration = Duration::from_secs(1);

#[async_trait]
impl Outbox for PgStore {
    async fn enqueue(&self, mails: Vec<NewMail>) -> Result<()> {
        if mails.is_empty() {
            return Ok(());
        }
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        enqueue(&tx, &mails, &self.message_domain).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn claim_mail(&self, now_ms: i64, lease_ms: i64, limit: i64, claimant: &str) -> Result<Vec<ClaimedMail>> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        // A row another worker is claiming right now is skipped, not waited for; one it
        // claimed a moment ago is re-checked as it is now, and its lease keeps it out.
        let claimed = rows(
            &tx,
            "UPDATE outbox SET claimed_until = $1::bigint + $2::bigint, claimed_by = $4
             WHERE id IN (SELECT id FROM outbox
                          WHERE status = 'antre' AND next_attempt_at <= $1::bigint
                            AND (claimed_until IS NULL OR claimed_until < $1::bigint)
                          ORDER BY next_attempt_at, id LIMIT $3
                          FOR UPDATE SKIP LOCKED)
             RETURNING id, recipient, subject, text_body, html_body, message_id, attempts, next_attempt_at",
            &[&now_ms, &lease_ms, &limit, &claimant],
        )
        .await?;
        tx.commit().await?;
        let mut mails = claimed
            .iter()
            .map(|r| {
                let due: i64 = r.try_get(7)?;
                Ok((
                    due,
                    ClaimedMail {
                        id: r.try_get(0)?,
                        recipient: r.try_get(1)?,
                        subject: r.try_get(2)?,
                        text: r.try_get(3)?,
                        html: r.try_get(4)?,
                        message_id: r.try_get(5)?,
                        attempts: r.try_get(6)?,
                    },
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        // RETURNING keeps no order: the oldest due first, as claimed.
        mails.sort_by_key(|(due, m)| (*due, m.id));
        Ok(mails.into_iter().map(|(_, m)| m).collect())
    }

    async fn release_claims(&self, claimant: &str) -> Result<u64> {
        let c = self.client().await?;
        exec(
            &c,
            "UPDATE outbox SET claimed_until = NULL, claimed_by = NULL
             WHERE claimed_by = $1 AND status = 'antre' AND claimed_until IS NOT NULL",
            &[&claimant],
        )
        .await
    }

    async fn mark_sent(&self, sent: &[(i64, i64)], now_ms: i64) -> Result<()> {
        let (ids, attempts): (Vec<i64>, Vec<i64>) = sent.iter().copied().unzip();
        let c = self.client().await?;
        exec(
            &c,
            "UPDATE outbox SET status = 'terkirim', attempts = s.attempts, sent_at = $3, claimed_until = NULL,
                    claimed_by = NULL, last_error = NULL
             FROM unnest($1::bigint[], $2::bigint[]) AS s(id, attempts) WHERE outbox.id = s.id",
            &[&ids, &attempts, &now_ms],
        )
        .await?;
        Ok(())
    }

    async fn mark_attempt_failed(
        &self,
        id: i64,
        attempts: i64,
        failed: bool,
        next_at_ms: i64,
        error: &str,
    ) -> Result<()> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        exec(
            &tx,
            "UPDATE outbox SET status = CASE WHEN $3 THEN 'gagal' ELSE 'antre' END, attempts = $2,
                    next_attempt_at = $4, claimed_until = NULL, last_error = $5
             WHERE id = $1",
            &[&id, &attempts, &failed, &next_at_ms, &error],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn next_mail_due(&self) -> Result<Option<i64>> {
        let c = self.client().await?;
        Ok(one(
            &c,
            "SELECT min(greatest(next_attempt_at, coalesce(claimed_until, 0))) FROM outbox WHERE status = 'antre'",
            &[],
        )
        .await?
        .try_get(0)?)
    }

    async fn outbox_state(&self) -> Result<OutboxState> {
        let c = self.client().await?;
        let row = one(
            &c,
            "SELECT count(*) FILTER (WHERE status = 'antre'), \
                    min(created_at) FILTER (WHERE status = 'antre'), \
                    count(*) FILTER (WHERE status = 'gagal') FROM outbox",
            &[],
        )
        .await?;
        Ok(OutboxState {
            waiting: row.try_get(0)?,
            oldest_queued_at_ms: row.try_get(1)?,
            failed: row.try_get(2)?,
        })
    }

    async fn listen_for_mail(&self, notify: Arc<Notify>) -> Result<()> {
        let mut config = self.config.clone();
        // A silent peer is noticed within a minute or so, not after the system's two hours.
        config.keepalives_idle(Duration::from_secs(30));
        let (ready, listening) = oneshot::channel();
        let task = tokio::spawn(listen(config, notify, ready));
        if let Ok(mut listeners) = self.listeners.lock() {
            listeners.push(task.abort_handle());
        }
        match listening.await {
            Ok(outcome) => outcome,
            Err(_) => Err(Error::Internal("the mail listener stopped before listening".into())),
        }
    }
}

/// Listens until aborted: reports the first LISTEN's outcome on `ready` (and stops if it
/// failed, so the caller sees why), then reconnects after every loss.
async fn listen(config: tokio_postgres::Config, notify: Arc<Notify>, ready: oneshot::Sender<Result<()>>) {
    let mut ready = Some(ready);
    loop {
        let outcome = listen_once(&config, &notify, &mut ready).await;
        if let Some(first) = ready.take() {
            // The first connection failed before LISTEN: the caller gets the error.
            let _ = first.send(outcome);
            return;
        }
        match outcome {
            Ok(()) => tracing::warn!("mail listener connection closed; reconnecting"),
            Err(e) => tracing::warn!(error = %e, "mail listener connection lost; reconnecting"),
        }
        tokio::time::sleep(RECONNECT_AFTER).await;
    }
}

/// One connection: LISTEN, then a wake for each notification until the connection ends.
async fn listen_once(
    config: &tokio_postgres::Config,
    notify: &Notify,
    ready: &mut Option<oneshot::Sender<Result<()>>>,
) -> Result<()> {
    let (client, mut connection) = config.connect(NoTls).await?;
    let sql = format!("LISTEN {OUTBOX_CHANNEL}");
    let listening = client.batch_execute(&sql);
    tokio::pin!(listening);
    // The connection only moves while its messages are polled, LISTEN's answer included.
    loop {
        tokio::select! {
            outcome = &mut listening => {
                outcome?;
                break;
            }
            message = poll_fn(|cx| connection.poll_message(cx)) => match message {
                Some(Ok(AsyncMessage::Notification(_))) => notify.notify_one(),
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e.into()),
                None => return Err(Error::Internal("the mail listener connection closed".into())),
            },
        }
    }
    // Mail enqueued while no connection listened woke nobody: look once now (before the
    // caller hears that listening began, so the wake is already there when it waits).
    notify.notify_one();
    if let Some(first) = ready.take() {
        let _ = first.send(Ok(()));
    }
    loop {
        match poll_fn(|cx| connection.poll_message(cx)).await {
            Some(Ok(AsyncMessage::Notification(_))) => notify.notify_one(),
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(e.into()),
            None => return Ok(()),
        }
    }
}
