//! A real SMTP server on loopback for the form-service tests, and the mail it received.
//!
//! [`SmtpServer::start`] runs `tests/support/smtp_server.py` (Python's aiosmtpd, which
//! `.ci/install` installs) on a free port of 127.0.0.1 and gives its URL for
//! `SICANTIK_SMTP_URL`. Whatever the service sends lands in a Maildir in a temporary
//! directory, and [`SmtpServer::messages`] / [`SmtpServer::wait_for`] read it back as
//! [`Mail`]s: envelope, headers and decoded text and HTML bodies, so tests assert on
//! what really arrived over SMTP.
//!
//! Failures can be staged too: [`SmtpServer::start_refusing`] answers every recipient
//! with `451 4.3.0` (a temporary failure), [`SmtpServer::stop`] closes the port (so
//! connections are refused), and [`SmtpServer::restart_accepting`] brings the server
//! back on the same port and Maildir, for tests of the service's retries.
//!
//! ```ignore
//! let smtp = SmtpServer::start();
//! // … start formsvc with SICANTIK_SMTP_URL = smtp.url() and register …
//! let mail = &smtp.wait_for(1, Duration::from_secs(10))[0];
//! assert_eq!(mail.envelope_to, ["budi@example.test"]);
//! let link = mail.link_starting_with(&format!("{base}/layanan/atur-sandi?token=")).expect("a link");
//! ```
//!
//! The server's log (its stderr) is kept beside the Maildir and shown when a start or a
//! wait fails. The server also stops by itself when the test process dies, as its stdin
//! (a pipe from here) then reaches end-of-file.

// A support module: each test binary that declares it uses only part of it.
#![allow(dead_code)]

use std::fs::{self, File};
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread;
use std::time::{Duration, Instant, SystemTime};

use mailparse::{DispositionType, MailAddr, MailHeaderMap, ParsedMail};

/// The server script, in the workspace's `tests/support/`.
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/support/smtp_server.py");
/// How long the server may take to print its `PORT n` line (it takes well under 1 s).
const START_TIMEOUT: Duration = Duration::from_secs(10);
/// How long [`SmtpServer::stop`] waits for the server to exit after closing its stdin.
const STOP_TIMEOUT: Duration = Duration::from_secs(5);
/// How often [`SmtpServer::wait_for`] looks at the Maildir.
const POLL: Duration = Duration::from_millis(50);
/// How much of the end of the server's log a failure message shows.
const LOG_TAIL: usize = 6000;

/// An SMTP server on 127.0.0.1 that stores what it receives in a temporary Maildir.
///
/// Dropping it kills the server and removes the Maildir.
pub struct SmtpServer {
    /// The running server; `None` after [`SmtpServer::stop`].
    child: Option<Child>,
    port: u16,
    /// How many times a server was started: names each start's log file.
    starts: u32,
    /// Holds `maildir/` and the logs `server-<n>.log`; removed on drop.
    dir: tempfile::TempDir,
}

/// The mode the script runs in (its `--mode`).
#[derive(Clone, Copy)]
enum Mode {
    Accept,
    Refuse,
    Reject,
}

impl Mode {
    fn arg(self) -> &'static str {
        match self {
            Mode::Accept => "accept",
            Mode::Refuse => "refuse",
            Mode::Reject => "reject",
        }
    }
}

impl SmtpServer {
    /// Starts the server in accept mode on a free port.
    pub fn start() -> SmtpServer {
        SmtpServer::launch(Mode::Accept)
    }

    /// Starts in refuse mode on a free port: every `RCPT TO` gets
    /// `451 4.3.0 Layanan sementara tidak tersedia` and nothing is stored.
    pub fn start_refusing() -> SmtpServer {
        SmtpServer::launch(Mode::Refuse)
    }

    /// Starts in reject mode: every `RCPT TO` gets the permanent
    /// `550 5.1.1 Alamat tujuan tidak dikenal` and nothing is stored.
    pub fn start_rejecting() -> SmtpServer {
        SmtpServer::launch(Mode::Reject)
    }

    fn launch(mode: Mode) -> SmtpServer {
        let dir = tempfile::Builder::new()
            .prefix("sicantik-smtp-")
            .tempdir()
            .expect("create a temporary directory for the test SMTP server");
        let mut server = SmtpServer {
            child: None,
            port: 0,
            starts: 0,
            dir,
        };
        server.spawn(mode, 0);
        server
    }

    /// The port it listens on (the same across [`SmtpServer::restart_accepting`]).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `smtp://127.0.0.1:<port>`, for `SICANTIK_SMTP_URL`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The Maildir the server delivers into.
    fn maildir(&self) -> PathBuf {
        self.dir.path().join("maildir")
    }

    /// The log (stderr) of the latest start.
    fn log_path(&self) -> PathBuf {
        self.dir.path().join(format!("server-{}.log", self.starts))
    }

    /// Stops the server: when this returns the process is gone and the port is closed
    /// (connections are refused). Messages already received stay in the Maildir.
    /// Does nothing if it is already stopped.
    pub fn stop(&mut self) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        // End-of-file on its stdin is the server's signal to stop.
        drop(child.stdin.take());
        let deadline = Instant::now() + STOP_TIMEOUT;
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(10)),
                Ok(None) => break None,
                Err(err) => panic!("cannot wait for the test SMTP server (pid {}): {err}", child.id()),
            }
        };
        let Some(status) = status else {
            kill(&mut child);
            panic!(
                "the test SMTP server did not stop within {STOP_TIMEOUT:?} of its stdin closing; killed it.\n{}",
                self.log_tail()
            );
        };
        assert!(
            status.success(),
            "the test SMTP server exited with {status} when stopped.\n{}",
            self.log_tail()
        );
    }

    /// Starts it again on the same port and the same Maildir, in accept mode (stopping
    /// it first if it still runs). The messages received before are kept.
    pub fn restart_accepting(&mut self) {
        self.stop();
        let port = self.port;
        self.spawn(Mode::Accept, port);
        assert_eq!(
            self.port, port,
            "the restarted test SMTP server must listen on the same port"
        );
    }

    /// Every message received so far, oldest first (in the Maildir's delivery order).
    pub fn messages(&self) -> Vec<Mail> {
        let maildir = self.maildir();
        let mut files = Vec::new();
        for sub in ["new", "cur"] {
            let dir = maildir.join(sub);
            let entries = match fs::read_dir(&dir) {
                Ok(entries) => entries,
                Err(err) if err.kind() == io::ErrorKind::NotFound => continue,
                Err(err) => panic!("cannot read the Maildir folder {}: {err}", dir.display()),
            };
            for entry in entries {
                let entry = entry.unwrap_or_else(|err| panic!("cannot list {}: {err}", dir.display()));
                let name = entry.file_name().to_string_lossy().into_owned();
                if name.starts_with('.') {
                    continue;
                }
                let modified = entry
                    .metadata()
                    .and_then(|meta| meta.modified())
                    .unwrap_or_else(|err| panic!("cannot stat {}: {err}", entry.path().display()));
                files.push(DeliveredFile {
                    modified,
                    stamp: delivery_stamp(&name),
                    name,
                    path: entry.path(),
                });
            }
        }
        files.sort_by(|a, b| (a.modified, a.stamp, &a.name).cmp(&(b.modified, b.stamp, &b.name)));
        files.iter().map(|file| Mail::read(&file.path)).collect()
    }

    /// Waits (looking every 50 ms) until at least `n` messages arrived and returns all of
    /// them, oldest first; panics after `timeout` with what did arrive.
    pub fn wait_for(&self, n: usize, timeout: Duration) -> Vec<Mail> {
        let deadline = Instant::now() + timeout;
        loop {
            let messages = self.messages();
            if messages.len() >= n {
                return messages;
            }
            if Instant::now() >= deadline {
                let summary: String = messages
                    .iter()
                    .map(|mail| format!("\n  - {}", mail.summary()))
                    .collect();
                panic!(
                    "expected at least {n} message(s) at the test SMTP server ({}) within {timeout:?}, but {} arrived:{}\n{}",
                    self.url(),
                    messages.len(),
                    if summary.is_empty() {
                        " none".to_owned()
                    } else {
                        summary
                    },
                    self.log_tail()
                );
            }
            thread::sleep(POLL);
        }
    }

    /// Runs the script and waits for its `PORT n` line; `port` 0 takes a free port.
    fn spawn(&mut self, mode: Mode, port: u16) {
        self.starts += 1;
        let log_path = self.log_path();
        let log = File::create(&log_path)
            .unwrap_or_else(|err| panic!("cannot create the SMTP server log {}: {err}", log_path.display()));
        let mut child = Command::new("python3")
            .arg(SCRIPT)
            .arg("--maildir")
            .arg(self.maildir())
            .arg("--port")
            .arg(port.to_string())
            .arg("--mode")
            .arg(mode.arg())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()
            .unwrap_or_else(|err| {
                panic!("cannot run `python3 {SCRIPT}`: {err} (python3 with aiosmtpd is needed: see .ci/install)")
            });

        let stdout = child.stdout.take().expect("the server's stdout is piped");
        let (first_line, lines) = mpsc::channel();
        thread::spawn(move || {
            let mut reader = BufReader::new(stdout).lines();
            // The receiver is gone if the start timed out; nothing to tell then.
            let _ = first_line.send(reader.next());
            // Nothing else should come, but never let the server block on a full pipe.
            for _ in reader {}
        });

        let line = match lines.recv_timeout(START_TIMEOUT) {
            Ok(Some(Ok(line))) => line,
            Ok(Some(Err(err))) => {
                kill(&mut child);
                panic!("cannot read the test SMTP server's stdout: {err}\n{}", self.log_tail());
            }
            Ok(None) | Err(RecvTimeoutError::Disconnected) => {
                let status = exit_status(&mut child);
                panic!(
                    "the test SMTP server ({} mode, port {port}) ended ({status}) without saying `PORT n`.\n{}",
                    mode.arg(),
                    self.log_tail()
                );
            }
            Err(RecvTimeoutError::Timeout) => {
                kill(&mut child);
                panic!(
                    "the test SMTP server ({} mode, port {port}) did not say `PORT n` within {START_TIMEOUT:?}; killed it.\n{}",
                    mode.arg(),
                    self.log_tail()
                );
            }
        };
        let Some(actual) = line.strip_prefix("PORT ").and_then(|n| n.trim().parse::<u16>().ok()) else {
            kill(&mut child);
            panic!(
                "the test SMTP server said {line:?} instead of `PORT n`.\n{}",
                self.log_tail()
            );
        };
        self.port = actual;
        self.child = Some(child);
    }

    /// The end of the latest start's log, for failure messages.
    fn log_tail(&self) -> String {
        let path = self.log_path();
        match fs::read(&path) {
            Ok(bytes) => {
                let log = String::from_utf8_lossy(&bytes);
                let tail = if log.len() > LOG_TAIL {
                    let mut start = log.len() - LOG_TAIL;
                    while !log.is_char_boundary(start) {
                        start += 1;
                    }
                    format!("[…]{}", &log[start..])
                } else {
                    log.into_owned()
                };
                format!("--- test SMTP server log (its stderr) ---\n{tail}--- end of log ---")
            }
            Err(err) => format!("(no test SMTP server log {}: {err})", path.display()),
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            kill(&mut child);
        }
    }
}

/// Kills the server and reaps it (ignoring errors: it may have exited already).
fn kill(child: &mut Child) {
    let _ = child.kill();
    let _ = child.wait();
}

/// How the server ended, for a failure message (killing it if it still runs).
fn exit_status(child: &mut Child) -> String {
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return status.to_string(),
            Ok(None) if Instant::now() < deadline => thread::sleep(Duration::from_millis(10)),
            Ok(None) => {
                kill(child);
                return "closed its stdout but kept running; killed it".to_owned();
            }
            Err(err) => return format!("status unknown: {err}"),
        }
    }
}

/// A message file in the Maildir, with what orders it.
struct DeliveredFile {
    modified: SystemTime,
    stamp: Option<(u64, u64)>,
    name: String,
    path: PathBuf,
}

/// The delivery time in a Maildir file name as Python's `mailbox` writes it,
/// `<seconds>.M<microseconds>P<pid>Q<n>.<host>`: it breaks ties between files whose
/// modification times are equal (file times can be as coarse as a few milliseconds).
fn delivery_stamp(name: &str) -> Option<(u64, u64)> {
    let (secs, rest) = name.split_once('.')?;
    let micros: String = rest
        .strip_prefix('M')?
        .chars()
        .take_while(char::is_ascii_digit)
        .collect();
    Some((secs.parse().ok()?, micros.parse().ok()?))
}

/// One message as the test SMTP server received it.
#[derive(Debug, Clone)]
pub struct Mail {
    /// The envelope sender (`MAIL FROM`), from the `X-MailFrom` header the server adds.
    pub envelope_from: String,
    /// The envelope recipients (`RCPT TO`), from the `X-RcptTo` header the server adds.
    pub envelope_to: Vec<String>,
    /// The `From` header as written (unfolded, RFC 2047 words decoded), e.g.
    /// `Sicantik <noreply@sicantik.test>`.
    pub from: String,
    /// The addresses in the `To` header (just the addr-spec: `budi@example.test`).
    pub to: Vec<String>,
    /// The `Subject` header, decoded (RFC 2047).
    pub subject: String,
    /// The `Message-ID` header as written, angle brackets included.
    pub message_id: String,
    /// The first text/plain part that is not an attachment, decoded (transfer encoding
    /// and charset), with CRLF line ends turned into LF; "" if there is none.
    pub text: String,
    /// The first text/html part that is not an attachment, decoded like `text`; "" if
    /// there is none.
    pub html: String,
}

impl Mail {
    /// Reads and decodes one stored message.
    fn read(path: &Path) -> Mail {
        let raw = fs::read(path).unwrap_or_else(|err| panic!("cannot read the message {}: {err}", path.display()));
        let parsed = mailparse::parse_mail(&raw)
            .unwrap_or_else(|err| panic!("the message {} does not parse: {err}", path.display()));
        let header = |name: &str| {
            parsed
                .headers
                .get_first_value(name)
                .unwrap_or_default()
                .trim()
                .to_owned()
        };

        let envelope_to = header("X-RcptTo")
            .split(',')
            .map(str::trim)
            .filter(|addr| !addr.is_empty())
            .map(str::to_owned)
            .collect();
        let to = match parsed.headers.get_first_header("To") {
            None => Vec::new(),
            Some(to) => mailparse::addrparse_header(to)
                .unwrap_or_else(|err| panic!("the To header of {} does not parse: {err}", path.display()))
                .iter()
                .flat_map(|addr| match addr {
                    MailAddr::Single(single) => vec![single.addr.clone()],
                    MailAddr::Group(group) => group.addrs.iter().map(|single| single.addr.clone()).collect(),
                })
                .collect(),
        };

        Mail {
            envelope_from: header("X-MailFrom"),
            envelope_to,
            from: header("From"),
            to,
            subject: header("Subject"),
            message_id: header("Message-ID"),
            text: body_of(&parsed, "text/plain", path),
            html: body_of(&parsed, "text/html", path),
        }
    }

    /// The first URL in the text part that starts with `prefix` (e.g.
    /// `"http://127.0.0.1:1234/layanan/atur-sandi?token="`).
    ///
    /// The URL must start where a word starts (not in the middle of another URL). It
    /// ends at whitespace or at one of `< > " '`; punctuation that ends a sentence
    /// (`. , ; : ! ?`) or closes a bracket is not taken as part of it.
    pub fn link_starting_with(&self, prefix: &str) -> Option<String> {
        self.text.match_indices(prefix).find_map(|(start, _)| {
            let starts_word = self.text[..start]
                .chars()
                .next_back()
                .is_none_or(|c| c.is_whitespace() || matches!(c, '<' | '(' | '[' | '"' | '\'' | ':'));
            if !starts_word {
                return None;
            }
            let rest = &self.text[start + prefix.len()..];
            let end = rest
                .find(|c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\''))
                .unwrap_or(rest.len());
            let tail = rest[..end].trim_end_matches(['.', ',', ';', ':', '!', '?', ')', ']']);
            Some(format!("{prefix}{tail}"))
        })
    }

    /// One line about the message, for failure messages.
    fn summary(&self) -> String {
        format!(
            "{} -> {:?}: {:?} (From: {}, To: {:?})",
            self.envelope_from, self.envelope_to, self.subject, self.from, self.to
        )
    }
}

/// The decoded body of the first part of type `mimetype` that is not an attachment, or "".
fn body_of(mail: &ParsedMail, mimetype: &str, path: &Path) -> String {
    mail.parts()
        .find(|part| {
            part.ctype.mimetype == mimetype && part.get_content_disposition().disposition != DispositionType::Attachment
        })
        .map(|part| {
            part.get_body()
                .unwrap_or_else(|err| panic!("the {mimetype} part of {} does not decode: {err}", path.display()))
                .replace("\r\n", "\n")
        })
        .unwrap_or_default()
}
