//! Process plumbing shared by the browser end-to-end tests: the repo, the `sicantik` binary
//! with a temporary project, free ports, the loopback SMTP server, waiting for `serve`, and
//! running Node with a time limit. Children are killed when the guard drops.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

pub const OFFICER: &str = "petugas1";
pub const OFFICER_PASSWORD: &str = "petugas perizinan sumsel 2026";
/// How long `serve` may take to answer after it starts.
pub const READY_TIMEOUT: Duration = Duration::from_secs(20);

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The child processes of the test, killed whatever happens to it (a failed assert included).
#[derive(Default)]
pub struct Children(pub Vec<Child>);

impl Children {
    pub fn add(&mut self, child: Child) -> usize {
        self.0.push(child);
        self.0.len() - 1
    }
}

impl Drop for Children {
    fn drop(&mut self) {
        for child in &mut self.0 {
            if matches!(child.try_wait(), Ok(None)) {
                let _ = child.kill();
            }
            let _ = child.wait();
        }
    }
}

/// `sicantik` with the repo's content and theme, the site built into `out`, and no `SICANTIK_*`
/// setting from the environment of whoever runs the test; run from `cwd`, so that no
/// `sicantik.toml` and no Pagefind is picked up there.
pub fn sicantik(cwd: &Path, out: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sicantik"));
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("SICANTIK_") {
            cmd.env_remove(k);
        }
    }
    cmd.arg("--content")
        .arg(repo().join("content"))
        .arg("--theme")
        .arg(repo().join("themes/default"))
        .arg("--out")
        .arg(out)
        .current_dir(cwd);
    cmd
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind a probe socket")
        .local_addr()
        .expect("probe address")
        .port()
}

pub fn tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let start = text.len().saturating_sub(6000);
    let start = (start..text.len()).find(|&i| text.is_char_boundary(i)).unwrap_or(0);
    format!("--- {} ---\n{}", path.display(), &text[start..])
}

/// Answers `GET path` over plain HTTP/1.0 with the status line, or why it could not.
pub fn http_status_line(port: u16, path: &str) -> Result<String, String> {
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], port));
    let mut s = TcpStream::connect_timeout(&addr, Duration::from_secs(1)).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(5)))
        .map_err(|e| e.to_string())?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n").map_err(|e| e.to_string())?;
    let mut answer = Vec::new();
    s.read_to_end(&mut answer).map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&answer);
    Ok(text.lines().next().unwrap_or("").to_string())
}

/// Starts the loopback SMTP server delivering into `maildir`; returns it and its port.
pub fn start_smtp(maildir: &Path, log: &Path) -> (Child, u16) {
    let mut child = Command::new("python3")
        .arg(repo().join("tests/support/smtp_server.py"))
        .arg("--maildir")
        .arg(maildir)
        // Kept open for as long as the server should run: end-of-file on it stops the server.
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(File::create(log).expect("SMTP log file"))
        .spawn()
        .expect("run python3 tests/support/smtp_server.py (installed by `bash .ci/install`)");
    let stdout = child.stdout.take().expect("SMTP server stdout");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = tx.send(line);
    });
    let line = rx.recv_timeout(Duration::from_secs(10)).unwrap_or_default();
    let port = line
        .trim()
        .strip_prefix("PORT ")
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| {
            let _ = child.kill();
            panic!("the SMTP server printed {line:?} instead of `PORT n`\n{}", tail(log))
        });
    (child, port)
}

/// Waits until `GET /layanan/masuk` answers 200, failing early if `serve` exits.
pub fn wait_until_ready(serve: &mut Child, port: u16, log: &Path) {
    let started = Instant::now();
    let mut last = String::new();
    while started.elapsed() < READY_TIMEOUT {
        if let Ok(Some(status)) = serve.try_wait() {
            panic!("`sicantik serve` exited with {status} before answering\n{}", tail(log));
        }
        match http_status_line(port, "/layanan/masuk") {
            Ok(line) if line.split_whitespace().nth(1) == Some("200") => return,
            Ok(line) => last = line,
            Err(e) => last = e,
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!(
        "`sicantik serve` did not answer GET /layanan/masuk with 200 within {READY_TIMEOUT:?} (last: {last})\n{}",
        tail(log)
    );
}

/// Runs `cmd` to its end and returns its status and its stdout and stderr together; or kills it
/// when it has printed nothing for `quiet` (None: killed). The browser scripts print a line per
/// step and limit each step themselves, so this only catches a process that wedged: no limit is
/// put on the whole run, which a busy machine makes slow without anything being wrong.
pub fn run_until_quiet(mut cmd: Command, quiet: Duration) -> (Option<ExitStatus>, String) {
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run node (installed by `bash .ci/install`)");
    let (tx, rx) = mpsc::channel::<String>();
    let readers: Vec<_> = [
        Box::new(child.stdout.take().expect("stdout")) as Box<dyn Read + Send>,
        Box::new(child.stderr.take().expect("stderr")),
    ]
    .into_iter()
    .map(|pipe| {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        })
    })
    .collect();
    drop(tx);
    let mut text = String::new();
    let status = loop {
        match rx.recv_timeout(quiet) {
            Ok(line) => {
                text.push_str(&line);
                text.push('\n');
            }
            // Both pipes closed: the process has ended (or closed them, and ends now).
            Err(mpsc::RecvTimeoutError::Disconnected) => break Some(child.wait().expect("wait for node")),
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
        }
    };
    for r in readers {
        let _ = r.join();
    }
    (status, text)
}

pub const OFFICER_EMAIL: &str = "petugas1@dpmptsp.test";

/// The whole system as a user meets it: the site built by the real binary, a loopback SMTP
/// server delivering into a Maildir, an officer created from the command line, and
/// `sicantik serve` answering on a free port. Everything stops when it drops.
pub struct Stack {
    _tmp: tempfile::TempDir,
    /// The temporary directory everything lives in (for files a test adds, e.g. nginx's).
    pub dir: PathBuf,
    /// The built site, which `serve` rewrites when it starts.
    pub public: PathBuf,
    pub data: PathBuf,
    pub maildir: PathBuf,
    pub base: String,
    pub smtp_log: PathBuf,
    pub serve_log: PathBuf,
    pub children: Children,
    /// Index of `serve` in `children`.
    pub serve_at: usize,
}

impl Stack {
    pub fn start() -> Stack {
        let port = free_port();
        Stack::start_with(port, &format!("http://127.0.0.1:{port}"), &[])
    }

    /// `serve` on `port` with `base` as its public address (a proxy in front of it answers
    /// there) and the `extra` settings.
    pub fn start_with(port: u16, base: &str, extra: &[(&str, &str)]) -> Stack {
        let tmp = tempfile::tempdir().expect("temp dir");
        let dir = tmp.path();
        let public = dir.join("public");
        let data = dir.join("data");
        let maildir = dir.join("maildir");
        let base = base.to_string();
        let mut children = Children::default();

        // The site, built by the real binary from the repo's content and theme.
        let out = sicantik(dir, &public)
            .args(["build", "--no-search"])
            .env("SICANTIK_BASE_URL", &base)
            .output()
            .expect("run sicantik build");
        assert!(
            out.status.success(),
            "build failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );

        // Mail goes to a loopback SMTP server that delivers into a Maildir.
        let smtp_log = dir.join("smtp.log");
        let (smtp, smtp_port) = start_smtp(&maildir, &smtp_log);
        children.add(smtp);

        // The officer who approves and reviews, created as an administrator would.
        let mut add = sicantik(dir, &public)
            .args(["officer", "add", "--username", OFFICER, "--name", "Petugas Satu"])
            .args(["--email", OFFICER_EMAIL, "--password-stdin"])
            .env("SICANTIK_DATA_DIR", &data)
            .env("SICANTIK_BASE_URL", &base)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run sicantik officer add");
        writeln!(add.stdin.take().expect("officer add stdin"), "{OFFICER_PASSWORD}").expect("write the password");
        let out = add.wait_with_output().expect("wait for sicantik officer add");
        assert!(
            out.status.success(),
            "officer add failed:\n{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );

        // The site and the service on one address.
        let serve_log = dir.join("serve.log");
        let log = File::create(&serve_log).expect("serve log file");
        let serve = sicantik(dir, &public)
            .arg("serve")
            .env("SICANTIK_ADDR", format!("127.0.0.1:{port}"))
            .env("SICANTIK_DATA_DIR", &data)
            .env("SICANTIK_BASE_URL", &base)
            .env("SICANTIK_SMTP_URL", format!("smtp://127.0.0.1:{smtp_port}"))
            .env(
                "SICANTIK_MAIL_FROM",
                "DPMPTSP Provinsi Sumatera Selatan <noreply@dpmptsp.test>",
            )
            .envs(extra.iter().copied())
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("serve log file"))
            .stderr(log)
            .spawn()
            .expect("run sicantik serve");
        let serve_at = children.add(serve);
        wait_until_ready(&mut children.0[serve_at], port, &serve_log);
        Stack {
            dir: dir.to_path_buf(),
            public,
            _tmp: tmp,
            data,
            maildir,
            base,
            smtp_log,
            serve_log,
            children,
            serve_at,
        }
    }

    pub fn serve_pid(&self) -> u32 {
        self.children.0[self.serve_at].id()
    }
}
