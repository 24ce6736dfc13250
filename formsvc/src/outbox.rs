//! The outbox: the only place that sends mail. Every email is first a row written in the same
//! transaction as the change that causes it; the worker here sends due rows one at a time,
//! retries failures with growing delays for hours, and marks a row failed (shown to officers)
//! only after its last attempt. Rows are claimed with a lease, so a restart resumes where it
//! stopped; the stable Message-ID lets receiving servers drop the rare duplicate of a message
//! whose acceptance was not recorded before a crash.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use lettre::message::{Mailbox, MultiPart, header};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use rusqlite::{OptionalExtension, Transaction, params};
use tokio::sync::Notify;

use crate::config::Config;
use crate::db::Db;
use crate::error::{Error, Result};

/// An email to be sent.
#[derive(Debug, Clone)]
pub struct NewMail {
    /// What it is about, for officers' lists: `registrasi_diterima`, `registrasi_disetujui`, …
    pub kind: &'static str,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Whose officers see it if it cannot be delivered.
    pub instansi: Option<String>,
}

/// Milliseconds since the Unix epoch (retry times need more than seconds in tests).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Writes `mail` to the outbox inside the caller's transaction.
pub fn enqueue(tx: &Transaction<'_>, mail: &NewMail, message_domain: &str) -> Result<i64> {
    let message_id = format!("<{}@{}>", crate::security::random_token(), message_domain);
    let now = now_ms();
    tx.execute(
        "INSERT INTO outbox (kind, recipient, subject, text_body, html_body, message_id, instansi, next_attempt_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
        params![mail.kind, mail.to, mail.subject, mail.text, mail.html, message_id, mail.instansi, now],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Where mail goes.
#[derive(Clone)]
pub enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// No SMTP server configured: each email becomes an `.eml` file in this folder.
    Files(PathBuf),
}

impl Transport {
    pub fn from_config(cfg: &Config) -> Result<Transport> {
        match &cfg.smtp_url {
            Some(url) => AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                .map(|b| Transport::Smtp(b.timeout(Some(Duration::from_secs(30))).build()))
                .map_err(|e| Error::Config(format!("SICANTIK_SMTP_URL: {e}"))),
            None => Ok(Transport::Files(cfg.data_dir.join("surel"))),
        }
    }

    async fn send(&self, message: Message, file_name: &str) -> std::result::Result<(), String> {
        match self {
            Transport::Smtp(smtp) => smtp.send(message).await.map(|_| ()).map_err(|e| e.to_string()),
            Transport::Files(dir) => {
                let bytes = message.formatted();
                let dir = dir.clone();
                let name = file_name.to_string();
                tokio::task::spawn_blocking(move || -> std::io::Result<()> {
                    std::fs::create_dir_all(&dir)?;
                    let tmp = dir.join(format!(".{name}.tmp"));
                    std::fs::write(&tmp, bytes)?;
                    std::fs::rename(tmp, dir.join(format!("{name}.eml")))
                })
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| e.to_string())
            }
        }
    }
}

struct Claimed {
    id: i64,
    recipient: String,
    subject: String,
    text: String,
    html: String,
    message_id: String,
    attempts: i64,
}

/// The sending side of the outbox.
pub struct Outbox {
    db: Db,
    transport: Transport,
    from: Mailbox,
    wake: Arc<Notify>,
    retry_base: Duration,
    retry_max: Duration,
    max_attempts: u32,
}

/// How long a claimed row stays reserved for the worker that claimed it.
const LEASE_MS: i64 = 120_000;

impl Outbox {
    pub fn new(db: Db, transport: Transport, cfg: &Config) -> Result<Outbox> {
        let from: Mailbox = cfg
            .mail_from
            .parse()
            .map_err(|e| Error::Config(format!("SICANTIK_MAIL_FROM: {e}")))?;
        Ok(Outbox {
            db,
            transport,
            from,
            wake: Arc::new(Notify::new()),
            retry_base: cfg.mail_retry_base,
            retry_max: cfg.mail_retry_max,
            max_attempts: cfg.mail_max_attempts,
        })
    }

    /// Wakes the worker; call after committing a transaction that enqueued mail.
    pub fn waker(&self) -> Arc<Notify> {
        self.wake.clone()
    }

    /// The delay before attempt `attempts + 1`: base, 2×base, 4×base, … capped.
    pub fn backoff(&self, attempts: u32) -> Duration {
        let factor = 1u32.checked_shl(attempts.saturating_sub(1)).unwrap_or(u32::MAX);
        self.retry_base.saturating_mul(factor).min(self.retry_max)
    }

    async fn claim(&self) -> Result<Option<Claimed>> {
        self.db
            .write(|tx| {
                let now = now_ms();
                Ok(tx
                    .query_row(
                        "UPDATE outbox SET claimed_until = ?1 + ?2
                         WHERE id = (SELECT id FROM outbox
                                     WHERE status = 'antre' AND next_attempt_at <= ?1
                                       AND (claimed_until IS NULL OR claimed_until < ?1)
                                     ORDER BY next_attempt_at, id LIMIT 1)
                         RETURNING id, recipient, subject, text_body, html_body, message_id, attempts",
                        params![now, LEASE_MS],
                        |r| {
                            Ok(Claimed {
                                id: r.get(0)?,
                                recipient: r.get(1)?,
                                subject: r.get(2)?,
                                text: r.get(3)?,
                                html: r.get(4)?,
                                message_id: r.get(5)?,
                                attempts: r.get(6)?,
                            })
                        },
                    )
                    .optional()?)
            })
            .await
    }

    /// Milliseconds until the next row is due (None: nothing waiting).
    async fn next_due_in(&self) -> Result<Option<i64>> {
        self.db
            .read(|c| {
                let next: Option<i64> = c.query_row(
                    "SELECT min(max(next_attempt_at, coalesce(claimed_until, 0))) FROM outbox WHERE status = 'antre'",
                    [],
                    |r| r.get(0),
                )?;
                Ok(next.map(|t| t - now_ms()))
            })
            .await
    }

    fn build(&self, c: &Claimed) -> std::result::Result<Message, String> {
        let to: Mailbox = c.recipient.parse().map_err(|e| format!("bad recipient: {e}"))?;
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(c.subject.clone())
            .message_id(Some(c.message_id.clone()))
            .multipart(
                MultiPart::alternative()
                    .singlepart(
                        lettre::message::SinglePart::builder()
                            .header(header::ContentType::TEXT_PLAIN)
                            .body(c.text.clone()),
                    )
                    .singlepart(
                        lettre::message::SinglePart::builder()
                            .header(header::ContentType::TEXT_HTML)
                            .body(c.html.clone()),
                    ),
            )
            .map_err(|e| e.to_string())
    }

    /// Sends one due email, if any. Returns whether there was one.
    pub async fn send_one(&self) -> Result<bool> {
        let Some(c) = self.claim().await? else { return Ok(false) };
        let outcome = match self.build(&c) {
            Ok(message) => self.transport.send(message, &format!("{:08}", c.id)).await,
            Err(e) => Err(e),
        };
        let attempts = c.attempts + 1;
        match outcome {
            Ok(()) => {
                tracing::info!(outbox_id = c.id, attempts, "email sent");
                let id = c.id;
                self.db
                    .write(move |tx| {
                        tx.execute(
                            "UPDATE outbox SET status = 'terkirim', attempts = ?2, sent_at = ?3, claimed_until = NULL, last_error = NULL WHERE id = ?1",
                            params![id, attempts, now_ms()],
                        )?;
                        Ok(())
                    })
                    .await?;
            }
            Err(error) => {
                let failed = attempts >= i64::from(self.max_attempts);
                let delay = self.backoff(u32::try_from(attempts).unwrap_or(u32::MAX));
                tracing::warn!(outbox_id = c.id, attempts, failed, %error, "email not sent");
                let id = c.id;
                let error: String = error.chars().take(500).collect();
                self.db
                    .write(move |tx| {
                        tx.execute(
                            "UPDATE outbox SET status = CASE WHEN ?3 THEN 'gagal' ELSE 'antre' END, attempts = ?2,
                                    next_attempt_at = ?4, claimed_until = NULL, last_error = ?5 WHERE id = ?1",
                            params![id, attempts, failed, now_ms() + delay.as_millis() as i64, error],
                        )?;
                        Ok(())
                    })
                    .await?;
            }
        }
        Ok(true)
    }

    /// Sends due mail until `stop` resolves. Sleeps until the next row is due, or until woken.
    pub async fn run(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        loop {
            if *stop.borrow() {
                return;
            }
            match self.send_one().await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => tracing::error!(error = %e, "outbox worker error"),
            }
            let wait = match self.next_due_in().await {
                Ok(Some(ms)) => Duration::from_millis(ms.clamp(5, 60_000) as u64),
                _ => Duration::from_secs(60),
            };
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = self.wake.notified() => {}
                _ = stop.changed() => {}
            }
        }
    }
}
