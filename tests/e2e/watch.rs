//! `sicantik watch` as an editor runs it: the real binary on the real content, its terminal
//! output and its live-reload stream read as the editor's terminal and browser would. Left
//! alone it does nothing; one save gives one rebuild and one reload.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Against a hang only: how long one step may take before the test gives up.
const STEP: Duration = Duration::from_secs(60);

struct Watching {
    child: Child,
    addr: String,
    /// Every line the command printed, stdout and stderr.
    lines: mpsc::Receiver<String>,
}

impl Drop for Watching {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(project: &Path) -> Watching {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sicantik"))
        .args(["watch", "--addr", "127.0.0.1:0"])
        .current_dir(project)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start sicantik watch");
    let (tx, lines) = mpsc::channel();
    let out = child.stdout.take().expect("stdout");
    let err = child.stderr.take().expect("stderr");
    for stream in [Box::new(out) as Box<dyn Read + Send>, Box::new(err)] {
        let tx = tx.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
    }
    let deadline = Instant::now() + STEP;
    let addr = loop {
        let line = lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("watch prints the address it serves on");
        if let Some(rest) = line.strip_prefix("Pratinjau di http://") {
            break rest.split('/').next().expect("address").to_string();
        }
    };
    Watching { child, addr, lines }
}

/// The rebuild lines printed since the last call and during the next `window`.
fn rebuilds(w: &Watching, window: Duration) -> Vec<String> {
    let deadline = Instant::now() + window;
    let mut out = Vec::new();
    while let Ok(line) = w.lines.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        if line.starts_with("Dibangun ulang") || line.starts_with("Diperbarui") {
            out.push(line);
        }
    }
    out
}

/// Opens the live-reload stream as the page's script does; the receiver gets each event name.
fn live_reload(addr: &str) -> mpsc::Receiver<String> {
    let mut s = TcpStream::connect(addr).expect("connect to the watch server");
    write!(
        s,
        "GET /__livereload HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
    )
    .expect("request");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(s).lines().map_while(Result::ok) {
            if let Some(event) = line.strip_prefix("event: ") {
                let _ = tx.send(event.trim().to_string());
            }
        }
    });
    rx
}

fn get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(STEP)).expect("timeout");
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").expect("request");
    let mut body = String::new();
    s.read_to_string(&mut body).expect("response");
    body
}

#[test]
fn watch_left_alone_rebuilds_nothing_and_one_save_gives_one_rebuild_and_one_reload() {
    let project = crate::site::project();
    let w = start(project.path());
    let first = rebuilds(&w, Duration::from_secs(2));
    assert!(first.len() <= 1, "only the first build happens at start, got {first:?}");
    let events = live_reload(&w.addr);

    // Left alone: the rebuild reads every file, and reading is no change.
    let idle = rebuilds(&w, Duration::from_secs(5));
    assert!(idle.is_empty(), "rebuilt with no file changed: {idle:?}");
    assert!(events.try_recv().is_err(), "a reload was sent with no file changed");

    let permit = project.path().join("content/izin/izin-pemasangan-rumpon.md");
    let text = std::fs::read_to_string(&permit).expect("read the permit");
    let changed = text.replacen("\nnama: ", "\nnama: Disimpan Ulang ", 1);
    assert_ne!(changed, text, "the permit has a nama line");
    std::fs::write(&permit, changed).expect("save the permit");

    let event = events.recv_timeout(STEP).expect("the save sends a reload");
    assert_eq!(event, "reload");
    let after = rebuilds(&w, Duration::from_secs(3));
    assert_eq!(after.len(), 1, "one save, one rebuild: {after:?}");
    assert!(
        after[0].starts_with("Diperbarui"),
        "a permit's save re-renders only its pages: {after:?}"
    );
    assert!(events.try_recv().is_err(), "one save, one reload");
    let page = get(&w.addr, "/izin/izin-pemasangan-rumpon/");
    assert!(page.contains("Disimpan Ulang"), "the saved name is on the page");
}
