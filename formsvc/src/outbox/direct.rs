//! SMTP over TCP connections opened here, with Nagle's algorithm off. lettre 0.11.23 leaves it
//! on, and it writes a message's body and its closing `.` line as two writes: the 5-byte second
//! one then waits for the server's delayed ACK of the first, 40 ms on Linux, for every email
//! (fixed upstream in lettre's pull request 1159, not yet released). lettre still speaks the
//! protocol (`AsyncSmtpConnection`: EHLO, STARTTLS, AUTH, the message); this module only opens
//! the socket and keeps a few idle sessions to reuse.
//!
//! For `smtp://` URLs, plain or with `?tls=required|opportunistic` (STARTTLS), read as lettre
//! reads them; implicit TLS (`smtps://`) stays on lettre's own transport.

use std::borrow::Cow;
use std::time::{Duration, Instant};

use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use tokio::sync::Mutex;

use super::SendError;

impl From<lettre::transport::smtp::Error> for SendError {
    fn from(e: lettre::transport::smtp::Error) -> SendError {
        SendError {
            permanent: e.is_permanent(),
            text: e.to_string(),
        }
    }
}

/// A reused session idle longer than this is asked whether it is still there (NOOP) first.
const CHECK_AFTER: Duration = Duration::from_secs(5);

#[derive(Clone)]
enum StartTls {
    No,
    IfOffered(TlsParameters),
    Required(TlsParameters),
}

/// Where and how to send, and the idle sessions.
pub struct Direct {
    host: String,
    port: u16,
    starttls: StartTls,
    credentials: Option<Credentials>,
    hello: ClientId,
    /// How long connecting may take (each email's whole hand-over has its own deadline).
    timeout: Duration,
    /// At most this many idle sessions are kept.
    keep: usize,
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
}

/// Why a URL is not one for `Direct`: implicit TLS, or not valid at all.
pub enum NotDirect {
    ImplicitTls,
    Invalid(String),
}

impl Direct {
    pub fn from_url(url: &str, timeout: Duration, keep: usize) -> Result<Direct, NotDirect> {
        let parsed = url::Url::parse(url).map_err(|e| NotDirect::Invalid(e.to_string()))?;
        let host = parsed
            .host_str()
            .ok_or_else(|| NotDirect::Invalid("no host".into()))?
            .to_string();
        let tls = parsed
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.into_owned());
        let params = || TlsParameters::new(host.clone()).map_err(|e| NotDirect::Invalid(e.to_string()));
        let (starttls, default_port) = match (parsed.scheme(), tls.as_deref()) {
            ("smtp", None) => (StartTls::No, 25),
            ("smtp", Some("required")) => (StartTls::Required(params()?), 587),
            ("smtp", Some("opportunistic")) => (StartTls::IfOffered(params()?), 587),
            ("smtps", _) => return Err(NotDirect::ImplicitTls),
            (scheme, tls) => {
                return Err(NotDirect::Invalid(format!(
                    "unknown scheme {scheme:?} or tls parameter {tls:?}"
                )));
            }
        };
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(Cow::into_owned)
                .map_err(|e| NotDirect::Invalid(e.to_string()))
        };
        let credentials = match parsed.password() {
            Some(password) => Some(Credentials::new(decode(parsed.username())?, decode(password)?)),
            None => None,
        };
        let hello = match parsed.path().trim_matches('/') {
            "" => ClientId::default(),
            name => ClientId::Domain(name.to_string()),
        };
        Ok(Direct {
            port: parsed.port().unwrap_or(default_port),
            host,
            starttls,
            credentials,
            hello,
            timeout,
            keep,
            idle: Mutex::new(Vec::new()),
        })
    }

    /// A new session: connected with Nagle off, greeted, encrypted and signed in as the URL
    /// asks.
    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let unreachable =
            |e: std::io::Error| SendError::temporary(format!("cannot connect to {}:{}: {e}", self.host, self.port));
        let tcp = tokio::time::timeout(
            self.timeout,
            tokio::net::TcpStream::connect((self.host.as_str(), self.port)),
        )
        .await
        .map_err(|_| {
            SendError::temporary(format!(
                "connecting to {}:{} took over {} s",
                self.host,
                self.port,
                self.timeout.as_secs()
            ))
        })?
        .map_err(unreachable)?;
        tcp.set_nodelay(true).map_err(unreachable)?;
        let mut conn = AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello).await?;
        match &self.starttls {
            StartTls::No => {}
            StartTls::IfOffered(_) if !conn.can_starttls() => {}
            StartTls::IfOffered(p) | StartTls::Required(p) => conn.starttls(p.clone(), &self.hello).await?,
        }
        if let Some(c) = &self.credentials {
            conn.auth(DEFAULT_MECHANISMS, c).await?;
        }
        Ok(conn)
    }

    /// An idle session that still answers, or a new one.
    async fn session(&self) -> Result<AsyncSmtpConnection, SendError> {
        loop {
            let Some((mut conn, since)) = self.idle.lock().await.pop() else {
                return self.connect().await;
            };
            if since.elapsed() < CHECK_AFTER || conn.test_connected().await {
                return Ok(conn);
            }
            conn.abort().await;
        }
    }

    /// Hands one message over; the session goes back to the idle ones when it went well.
    pub(super) async fn send(&self, envelope: &Envelope, message: &[u8]) -> Result<(), SendError> {
        let mut conn = self.session().await?;
        let sent = conn.send(envelope, message).await;
        if sent.is_ok() && !conn.has_broken() {
            let mut idle = self.idle.lock().await;
            if idle.len() < self.keep {
                idle.push((conn, Instant::now()));
                return Ok(());
            }
            drop(idle);
            let _ = conn.quit().await;
        } else {
            conn.abort().await;
        }
        sent.map(|_| ()).map_err(SendError::from)
    }
}
