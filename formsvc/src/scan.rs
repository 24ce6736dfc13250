//! Virus scanning of uploads: the `Scanner` trait the upload streams each file through, and
//! `Clamd`, which speaks clamd's INSTREAM protocol over TCP or a Unix socket.
//!
//! A file is clean only when the scanner says so in as many words (`stream: OK`). Anything else
//! is a [`Refusal`]: a signature found, a file the scanner cannot judge (over its size limit or
//! one of its other limits), or no verdict at all (not reachable, too slow, an error, or the
//! connection closed before a verdict). The caller refuses the file in every case.
//!
//! The protocol is written here (a few dozen lines) rather than taken from the `clamav-client`
//! crate: its streaming call wants the whole file as one stream and answers only at the end,
//! so a tee would need a task and a channel, and when clamd hangs up mid-file (its size limit)
//! the crate returns the write error and loses clamd's reply, which is what the log and the
//! officers need; its `clean()` is a substring test. Here each part is sent as the upload reads
//! it, what clamd says early is read at once, and the reply is parsed exactly.
//!
//! It must not know about uploads, requirements or the store: it judges bytes.

use std::time::Duration;

use async_trait::async_trait;
use futures_util::FutureExt;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::config::ClamdAddress;

/// Why a file is not accepted as clean. Each carries the scanner's own words (or what went
/// wrong), in English, for the log and the officers' console.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// A signature matched: its name as the scanner reported it.
    Infected(String),
    /// The scanner answered, but could not judge this file: over its size limit, or over one of
    /// the limits that bound how deep it looks (reported as `Heuristics.Limits.Exceeded.*`).
    /// Sending it again will not help; a smaller file may.
    Unscannable(String),
    /// No verdict: the scanner is down, too slow, failed, or hung up before answering. Trying
    /// again later may help.
    Unavailable(String),
}

impl Refusal {
    /// What the scanner said or what went wrong.
    pub fn detail(&self) -> &str {
        match self {
            Refusal::Infected(s) | Refusal::Unscannable(s) | Refusal::Unavailable(s) => s,
        }
    }
}

/// Something that judges files.
#[async_trait]
pub trait Scanner: Send + Sync {
    /// Starts judging one file. An error means no verdict can be had now.
    async fn start(&self) -> Result<Box<dyn Scan>, Refusal>;
    /// What the scanner says about itself (for the log at start), or why it does not answer.
    async fn version(&self) -> Result<String, Refusal>;
    /// Where it is, for the log.
    fn describe(&self) -> String;
}

/// One file being judged: its parts in order, then the verdict.
#[async_trait]
pub trait Scan: Send {
    /// Sends the next part. An error is the verdict already: stop and refuse the file.
    async fn send(&mut self, part: &[u8]) -> Result<(), Refusal>;
    /// Ends the file and waits for the verdict: `Ok` only when the scanner said it is clean.
    async fn finish(self: Box<Self>) -> Result<(), Refusal>;
}

/// clamd, reached at `address`; `timeout` bounds the connection, each write, and the wait for
/// the verdict after the last part.
#[derive(Debug, Clone)]
pub struct Clamd {
    address: ClamdAddress,
    timeout: Duration,
}

/// The longest reply read from clamd; a verdict is a line.
const MAX_REPLY: usize = 4096;

/// How long to wait for clamd's words after it hung up on a write: they are usually already
/// in the socket's buffer.
const LAST_WORDS: Duration = Duration::from_secs(2);

trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

impl Clamd {
    pub fn new(address: ClamdAddress, timeout: Duration) -> Clamd {
        Clamd { address, timeout }
    }

    async fn connect(&self) -> Result<Box<dyn Io>, Refusal> {
        let connect = async {
            match &self.address {
                ClamdAddress::Tcp(host_port) => {
                    let s = tokio::net::TcpStream::connect(host_port.as_str()).await?;
                    // Parts are written as they come; nothing gains from waiting for more.
                    let _ = s.set_nodelay(true);
                    Ok::<Box<dyn Io>, std::io::Error>(Box::new(s))
                }
                ClamdAddress::Unix(path) => {
                    let s = tokio::net::UnixStream::connect(path).await?;
                    Ok(Box::new(s) as Box<dyn Io>)
                }
            }
        };
        match tokio::time::timeout(self.timeout, connect).await {
            Err(_) => Err(Refusal::Unavailable(format!(
                "no connection to clamd at {} within {} ms",
                self.address,
                self.timeout.as_millis()
            ))),
            Ok(Err(e)) => Err(Refusal::Unavailable(format!(
                "cannot connect to clamd at {}: {e}",
                self.address
            ))),
            Ok(Ok(io)) => Ok(io),
        }
    }
}

#[async_trait]
impl Scanner for Clamd {
    async fn start(&self) -> Result<Box<dyn Scan>, Refusal> {
        let mut io = self.connect().await?;
        let mut scan = ClamdScan {
            io: None,
            timeout: self.timeout,
            sent: 0,
        };
        match tokio::time::timeout(self.timeout, io.write_all(b"zINSTREAM\0")).await {
            Ok(Ok(())) => {
                scan.io = Some(io);
                Ok(Box::new(scan))
            }
            Ok(Err(e)) => Err(scan.hung_up(io, e).await),
            Err(_) => Err(Refusal::Unavailable("clamd did not take the INSTREAM command".into())),
        }
    }

    async fn version(&self) -> Result<String, Refusal> {
        let mut io = self.connect().await?;
        let asked = async {
            io.write_all(b"zVERSION\0").await?;
            read_reply(&mut io, Vec::new()).await
        };
        match tokio::time::timeout(self.timeout, asked).await {
            Ok(Ok(reply)) if !reply.is_empty() => Ok(reply),
            Ok(Ok(_)) => Err(Refusal::Unavailable(
                "clamd closed the connection without a version".into(),
            )),
            Ok(Err(e)) => Err(Refusal::Unavailable(format!("clamd did not answer VERSION: {e}"))),
            Err(_) => Err(Refusal::Unavailable("clamd did not answer VERSION in time".into())),
        }
    }

    fn describe(&self) -> String {
        format!("clamd at {}", self.address)
    }
}

/// Whether the scanner answers now, for `/metrics` and the officers' console. It is not part
/// of readiness: without it uploads are refused (and say so), everything else works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScannerState {
    /// `SICANTIK_CLAMD` is unset: uploads are stored unscanned.
    NotConfigured,
    /// It answered VERSION with these words.
    Answers(String),
    /// It did not answer: why, in English.
    Silent(String),
}

/// The longest a look at the scanner may take: a scrape or a console page waits for it.
const PROBE: Duration = Duration::from_secs(3);

/// Asks the scanner for its version, waiting at most [`PROBE`].
pub async fn state(scanner: Option<&dyn Scanner>) -> ScannerState {
    let Some(scanner) = scanner else {
        return ScannerState::NotConfigured;
    };
    match tokio::time::timeout(PROBE, scanner.version()).await {
        Ok(Ok(version)) => ScannerState::Answers(version),
        Ok(Err(refusal)) => ScannerState::Silent(refusal.detail().to_string()),
        Err(_) => ScannerState::Silent(format!("no answer to VERSION within {} s", PROBE.as_secs())),
    }
}

/// One INSTREAM: `zINSTREAM\0`, then each part as a 4-byte big-endian length and the bytes,
/// then a zero length; clamd answers one line ending in NUL and closes the connection.
struct ClamdScan {
    /// `None` once the connection is given up.
    io: Option<Box<dyn Io>>,
    timeout: Duration,
    /// Bytes of the file sent so far, for the log.
    sent: u64,
}

impl ClamdScan {
    /// clamd answers before the end of the file only to refuse it (its size limit) or when it
    /// hung up: look, without waiting, before sending more.
    async fn early_word(&mut self) -> Result<(), Refusal> {
        let Some(io) = self.io.as_mut() else {
            return Err(Refusal::Unavailable("the connection to clamd is closed".into()));
        };
        let mut buf = [0u8; 256];
        match io.read(&mut buf).now_or_never() {
            None => Ok(()),
            Some(Ok(0)) => Err(Refusal::Unavailable(format!(
                "clamd closed the connection after {} bytes, before a verdict",
                self.sent
            ))),
            Some(Ok(n)) => {
                let mut io = self.io.take().expect("checked above");
                let reply = tokio::time::timeout(LAST_WORDS, read_reply(&mut io, buf[..n].to_vec()))
                    .await
                    .ok()
                    .and_then(Result::ok)
                    .unwrap_or_else(|| String::from_utf8_lossy(&buf[..n]).into_owned());
                Err(judge(&reply).err().unwrap_or_else(|| {
                    Refusal::Unavailable(format!("clamd answered before the end of the file: {reply}"))
                }))
            }
            Some(Err(e)) => Err(Refusal::Unavailable(format!(
                "the connection to clamd failed after {} bytes: {e}",
                self.sent
            ))),
        }
    }

    /// A write failed: clamd has hung up, usually saying why first ("INSTREAM size limit
    /// exceeded. ERROR"). Its words if they came, else what the write said.
    async fn hung_up(&mut self, mut io: Box<dyn Io>, error: std::io::Error) -> Refusal {
        self.io = None;
        let said = tokio::time::timeout(LAST_WORDS, read_reply(&mut io, Vec::new()))
            .await
            .ok()
            .and_then(Result::ok)
            .filter(|r| !r.is_empty());
        match said {
            Some(reply) => judge(&reply)
                .err()
                .unwrap_or_else(|| Refusal::Unavailable(format!("clamd answered before the end of the file: {reply}"))),
            None => Refusal::Unavailable(format!(
                "clamd closed the connection after {} bytes, before a verdict: {error}",
                self.sent
            )),
        }
    }

    async fn write(&mut self, bytes: &[u8]) -> Result<(), Refusal> {
        let Some(mut io) = self.io.take() else {
            return Err(Refusal::Unavailable("the connection to clamd is closed".into()));
        };
        match tokio::time::timeout(self.timeout, io.write_all(bytes)).await {
            Ok(Ok(())) => {
                self.io = Some(io);
                Ok(())
            }
            Ok(Err(e)) => Err(self.hung_up(io, e).await),
            Err(_) => Err(Refusal::Unavailable(format!(
                "clamd took no data for {} ms after {} bytes",
                self.timeout.as_millis(),
                self.sent
            ))),
        }
    }
}

#[async_trait]
impl Scan for ClamdScan {
    async fn send(&mut self, part: &[u8]) -> Result<(), Refusal> {
        // A zero length would end the file early.
        if part.is_empty() {
            return Ok(());
        }
        self.early_word().await?;
        for piece in part.chunks(u32::MAX as usize) {
            let len = u32::try_from(piece.len()).expect("chunks of at most u32::MAX");
            self.write(&len.to_be_bytes()).await?;
            self.write(piece).await?;
            self.sent += piece.len() as u64;
        }
        Ok(())
    }

    async fn finish(mut self: Box<Self>) -> Result<(), Refusal> {
        self.early_word().await?;
        self.write(&[0, 0, 0, 0]).await?;
        let mut io = self.io.take().expect("write keeps the connection on success");
        match tokio::time::timeout(self.timeout, read_reply(&mut io, Vec::new())).await {
            Err(_) => Err(Refusal::Unavailable(format!(
                "no verdict from clamd within {} ms of the end of a {}-byte file",
                self.timeout.as_millis(),
                self.sent
            ))),
            Ok(Err(e)) => Err(Refusal::Unavailable(format!(
                "the connection to clamd failed while waiting for the verdict: {e}"
            ))),
            Ok(Ok(reply)) => judge(&reply),
        }
    }
}

/// Reads clamd's reply after `start`: up to its NUL, the end of the connection, or
/// `MAX_REPLY` bytes.
async fn read_reply(io: &mut Box<dyn Io>, mut reply: Vec<u8>) -> std::io::Result<String> {
    let mut buf = [0u8; 512];
    while !reply.contains(&0) && reply.len() < MAX_REPLY {
        let n = io.read(&mut buf).await?;
        if n == 0 {
            break;
        }
        reply.extend_from_slice(&buf[..n]);
    }
    let end = reply.iter().position(|&b| b == 0).unwrap_or(reply.len());
    Ok(printable(&String::from_utf8_lossy(&reply[..end])))
}

/// Text from clamd, safe for a log line and a page: printable ASCII, at most 200 characters.
fn printable(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '?' })
        .take(200)
        .collect()
}

/// clamd's reply to INSTREAM: `stream: OK`, `stream: <signature> FOUND`, or an error
/// (`INSTREAM size limit exceeded. ERROR`, `<reason> ERROR`). Only the first is clean.
pub fn judge(reply: &str) -> Result<(), Refusal> {
    let reply = reply.trim_matches(|c: char| c == '\0' || c.is_whitespace());
    if reply == "stream: OK" {
        return Ok(());
    }
    if reply.is_empty() {
        return Err(Refusal::Unavailable(
            "clamd closed the connection without a verdict".into(),
        ));
    }
    if let Some(found) = reply.strip_suffix(" FOUND") {
        let name = found.strip_prefix("stream:").unwrap_or(found).trim().to_string();
        // With AlertExceedsMax, what clamd could not read to the end is "found" under this
        // name: not a virus, but not judged either.
        return Err(if name.starts_with("Heuristics.Limits.Exceeded") {
            Refusal::Unscannable(name)
        } else {
            Refusal::Infected(name)
        });
    }
    if reply.contains("size limit exceeded") {
        return Err(Refusal::Unscannable(reply.to_string()));
    }
    Err(Refusal::Unavailable(format!("clamd answered: {reply}")))
}

#[cfg(test)]
pub(crate) mod tests;
