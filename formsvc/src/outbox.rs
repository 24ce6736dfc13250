//! The outbox: the only place that sends mail. Every email is first a row written in the same
//! transaction as the change that causes it; the worker here claims due rows in batches, sends
//! several at once over pooled SMTP connections, records the accepted ones in one commit,
//! retries temporary failures with growing delays for hours, and marks a row failed (shown to
//! officers) after a permanent refusal or its last attempt. Rows are claimed with a lease in
//! the worker's name, so a restarted instance takes back its predecessor's claims at once; the
//! stable Message-ID lets receiving servers drop the rare duplicate of a message whose
//! acceptance was not recorded before a crash.

mod direct;

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
    /// An `smtp://` server, over this module's own connections (`direct`: Nagle off), and how
    /// long one email may take to hand over.
    Direct(Arc<direct::Direct>, Duration),
    /// An `smtps://` server (implicit TLS), over lettre's pool, and the same deadline.
    Smtp(AsyncSmtpTransport<Tokio1Executor>, Duration),
    /// No SMTP server configured: each email becomes an `.eml` file in this folder.
    Files(PathBuf),
}

impl Transport {
    pub fn from_config(cfg: &Config) -> Result<Transport> {
        match &cfg.smtp_url {
            Some(url) => match direct::Direct::from_url(url.expose(), cfg.smtp_timeout, AT_ONCE) {
                Ok(d) => Ok(Transport::Direct(Arc::new(d), cfg.smtp_timeout)),
                Err(direct::NotDirect::Invalid(e)) => Err(Error::Config(format!("SICANTIK_SMTP_URL: {e}"))),
                Err(direct::NotDirect::ImplicitTls) => AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                    .map(|b| Transport::Smtp(b.timeout(Some(cfg.smtp_timeout)).build(), cfg.smtp_timeout))
                    .map_err(|e| Error::Config(format!("SICANTIK_SMTP_URL: {e}"))),
            },
            None => Ok(Transport::Files(cfg.data_dir.join("surel"))),
        }
    }

    async fn send(&self, message: Message, file_name: &str) -> std::result::Result<(), SendError> {
        match self {
            // lettre's own timeout covers connecting, not a server that accepts and then stays
            // silent: without this, one such server would hold the worker, and every email
            // behind it, and the shutdown, for ever.
            Transport::Direct(smtp, limit) => {
                let envelope = message.envelope().clone();
                let bytes = message.formatted();
                match tokio::time::timeout(*limit, smtp.send(&envelope, &bytes)).await {
                    Ok(sent) => sent,
                    Err(_) => Err(SendError::temporary(format!(
                        "the mail server did not answer within {} s",
                        limit.as_secs()
                    ))),
                }
            }
            Transport::Smtp(smtp, limit) => match tokio::time::timeout(*limit, smtp.send(message)).await {
                Ok(sent) => sent.map(|_| ()).map_err(|e| SendError {
                    permanent: e.is_permanent(),
                    text: e.to_string(),
                }),
                Err(_) => Err(SendError::temporary(format!(
                    "the mail server did not answer within {} s",
                    limit.as_secs()
                ))),
            },
            Transport::Files(dir) => {
                let bytes = message.formatted();
                let dir = dir.clone();
                let name = file_name.to_string();
                tokio::task::spawn_blocking(move || -> std::io::Result<()> {
                    use std::io::Write;
                    std::fs::create_dir_all(&dir)?;
                    let tmp = dir.join(format!(".{name}.tmp"));
                    // The row is marked sent once this returns: the file and its name must
                    // survive a power cut, as a mail server's "250 OK" would.
                    let mut file = std::fs::File::create(&tmp)?;
                    file.write_all(&bytes)?;
                    file.sync_all()?;
                    std::fs::rename(tmp, dir.join(format!("{name}.eml")))?;
                    std::fs::File::open(&dir)?.sync_all()
                })
                .await
                .map_err(|e| SendError::temporary(e.to_string()))?
                .map_err(|e| SendError::temporary(e.to_string()))
            }
        }
    }
}

/// Why an email was not handed over; `permanent`: the server refused it for good (a 5xx
/// reply), so trying again would only repeat the refusal.
#[derive(Debug)]
struct SendError {
    text: String,
    permanent: bool,
}

impl SendError {
    fn temporary(text: String) -> SendError {
        SendError { text, permanent: false }
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
    /// This worker's name in the claims it holds (`Config::instance`).
    claimant: String,
}

/// How long a claimed row stays reserved for the worker that claimed it.
const LEASE_MS: i64 = 120_000;

/// Emails claimed at once, and how many of them are handed to the server at the same time
/// (each over a connection of lettre's pool).
const BATCH: i64 = 32;
const AT_ONCE: usize = 4;

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
            claimant: cfg.instance.clone(),
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

    fn build(&self, c: &ClaimedMail) -> std::result::Result<Message, SendError> {
        // An address that does not parse never will: as permanent as a server's refusal.
        let to: Mailbox = c.recipient.parse().map_err(|e| SendError {
            text: format!("bad recipient: {e}"),
            permanent: true,
        })?;
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
            .map_err(|e| SendError {
                text: e.to_string(),
                permanent: true,
            })
    }

    /// Sends a batch of due emails, if any. Returns how many there were.
    pub async fn send_batch(&self) -> Result<usize> {
        use futures_util::StreamExt;
        let claimed = self.store.claim_mail(now_ms(), LEASE_MS, BATCH, &self.claimant).await?;
        let n = claimed.len();
        let outcomes: Vec<(ClaimedMail, std::result::Result<(), SendError>)> = futures_util::stream::iter(claimed)
            .map(|c| async move {
                let outcome = match self.build(&c) {
                    Ok(message) => self.transport.send(message, &format!("{:08}", c.id)).await,
                    Err(e) => Err(e),
                };
                (c, outcome)
            })
            .buffer_unordered(AT_ONCE)
            .collect()
            .await;
        let mut sent = Vec::new();
        for (c, outcome) in outcomes {
            let attempts = c.attempts + 1;
            match outcome {
                Ok(()) => {
                    tracing::info!(outbox_id = c.id, attempts, "email sent");
                    self.metrics.mail_sent();
                    sent.push((c.id, attempts));
                }
                Err(error) => self.failed(&c, attempts, error).await?,
            }
        }
        if !sent.is_empty() {
            self.store.mark_sent(&sent, now_ms()).await?;
        }
        Ok(n)
    }

    async fn failed(&self, c: &ClaimedMail, attempts: i64, error: SendError) -> Result<()> {
        let failed = error.permanent || attempts >= i64::from(self.max_attempts);
        let delay = self.backoff(u32::try_from(attempts).unwrap_or(u32::MAX));
        // Mail servers often quote the address they refuse; the log gets none.
        let logged = error.text.replace(&c.recipient, "<penerima>");
        tracing::warn!(outbox_id = c.id, attempts, failed, permanent = error.permanent, error = %logged, "email not sent");
        self.metrics.mail_attempt_failed();
        let text: String = error.text.chars().take(500).collect();
        let next = now_ms() + delay.as_millis() as i64;
        self.store
            .mark_attempt_failed(c.id, attempts, failed, next, &text)
            .await
    }

    /// Sends due mail until `stop` resolves. Sleeps until the next row is due, or until woken.
    pub async fn run(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        // Mail enqueued by other instances wakes this worker too (PostgreSQL); polling covers
        // the rest.
        if let Err(e) = self.store.listen_for_mail(self.wake.clone()).await {
            tracing::warn!(error = %e, "cannot listen for mail from other instances; polling instead");
        }
        match self.store.release_claims(&self.claimant).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                emails = n,
                "took back the emails a previous run of this instance had claimed"
            ),
            Err(e) => tracing::warn!(error = %e, "cannot take back earlier claims; their leases run out instead"),
        }
        loop {
            if *stop.borrow() {
                return;
            }
            match self.send_batch().await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
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
