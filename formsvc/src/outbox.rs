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
use tokio::sync::Notify;

use crate::clock::now_ms;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::observe::Metrics;
use crate::records::ClaimedMail;
pub use crate::records::NewMail;
use crate::store::DynStore;

/// Where mail goes.
#[derive(Clone)]
pub enum Transport {
    /// The server, and how long one email may take to hand over.
    Smtp(AsyncSmtpTransport<Tokio1Executor>, Duration),
    /// No SMTP server configured: each email becomes an `.eml` file in this folder.
    Files(PathBuf),
}

impl Transport {
    pub fn from_config(cfg: &Config) -> Result<Transport> {
        match &cfg.smtp_url {
            Some(url) => AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                .map(|b| Transport::Smtp(b.timeout(Some(cfg.smtp_timeout)).build(), cfg.smtp_timeout))
                .map_err(|e| Error::Config(format!("SICANTIK_SMTP_URL: {e}"))),
            None => Ok(Transport::Files(cfg.data_dir.join("surel"))),
        }
    }

    async fn send(&self, message: Message, file_name: &str) -> std::result::Result<(), String> {
        match self {
            // lettre's own timeout covers connecting, not a server that accepts and then stays
            // silent: without this, one such server would hold the worker, and every email
            // behind it, and the shutdown, for ever.
            Transport::Smtp(smtp, limit) => match tokio::time::timeout(*limit, smtp.send(message)).await {
                Ok(sent) => sent.map(|_| ()).map_err(|e| e.to_string()),
                Err(_) => Err(format!("the mail server did not answer within {} s", limit.as_secs())),
            },
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

/// The sending side of the outbox.
pub struct Outbox {
    store: DynStore,
    transport: Transport,
    from: Mailbox,
    wake: Arc<Notify>,
    retry_base: Duration,
    retry_max: Duration,
    max_attempts: u32,
    metrics: Arc<Metrics>,
}

/// How long a claimed row stays reserved for the worker that claimed it.
const LEASE_MS: i64 = 120_000;

impl Outbox {
    pub fn new(store: DynStore, transport: Transport, cfg: &Config, metrics: Arc<Metrics>) -> Result<Outbox> {
        let from: Mailbox = cfg
            .mail_from
            .parse()
            .map_err(|e| Error::Config(format!("SICANTIK_MAIL_FROM: {e}")))?;
        Ok(Outbox {
            store,
            transport,
            from,
            wake: Arc::new(Notify::new()),
            retry_base: cfg.mail_retry_base,
            retry_max: cfg.mail_retry_max,
            max_attempts: cfg.mail_max_attempts,
            metrics,
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

    fn build(&self, c: &ClaimedMail) -> std::result::Result<Message, String> {
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
        let Some(c) = self.store.claim_mail(now_ms(), LEASE_MS, 1).await?.into_iter().next() else {
            return Ok(false);
        };
        let outcome = match self.build(&c) {
            Ok(message) => self.transport.send(message, &format!("{:08}", c.id)).await,
            Err(e) => Err(e),
        };
        let attempts = c.attempts + 1;
        match outcome {
            Ok(()) => {
                tracing::info!(outbox_id = c.id, attempts, "email sent");
                self.metrics.mail_sent();
                self.store.mark_sent(c.id, attempts, now_ms()).await?;
            }
            Err(error) => {
                let failed = attempts >= i64::from(self.max_attempts);
                let delay = self.backoff(u32::try_from(attempts).unwrap_or(u32::MAX));
                // Mail servers often quote the address they refuse; the log gets none.
                let logged = error.replace(&c.recipient, "<penerima>");
                tracing::warn!(outbox_id = c.id, attempts, failed, error = %logged, "email not sent");
                self.metrics.mail_attempt_failed();
                let error: String = error.chars().take(500).collect();
                let next = now_ms() + delay.as_millis() as i64;
                self.store
                    .mark_attempt_failed(c.id, attempts, failed, next, &error)
                    .await?;
            }
        }
        Ok(true)
    }

    /// Sends due mail until `stop` resolves. Sleeps until the next row is due, or until woken.
    pub async fn run(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        // Mail enqueued by other instances wakes this worker too (PostgreSQL); polling covers
        // the rest.
        if let Err(e) = self.store.listen_for_mail(self.wake.clone()).await {
            tracing::warn!(error = %e, "cannot listen for mail from other instances; polling instead");
        }
        loop {
            if *stop.borrow() {
                return;
            }
            match self.send_one().await {
                Ok(true) => continue,
                Ok(false) => {}
                Err(e) => tracing::error!(error = %e, "outbox worker error"),
            }
            let wait = match self.store.next_mail_due().await {
                Ok(Some(at)) => Duration::from_millis((at - now_ms()).clamp(5, 60_000) as u64),
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
