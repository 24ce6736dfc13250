//! A new applicant's whole journey in a real browser, against the real `sicantik serve`: from
//! the home page through Registrasi Pemohon, the officer's approval, the emailed set-password
//! link (read from the Maildir of a loopback SMTP server) and Masuk, to Layanan Pemohon — with
//! and without JavaScript, axe-core on every page on the way (`tests/browser/journey.mjs`).
//! Then `serve` must stop gracefully on SIGTERM.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::*;

/// How long `serve` may take to stop after SIGTERM.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);
/// The script limits each of its steps to 120 s; this catches a node that wedged, printing
/// nothing for longer than that.
const BROWSER_QUIET: Duration = Duration::from_secs(180);

#[test]
fn a_new_applicant_goes_from_the_home_page_to_layanan_pemohon_in_a_real_browser() {
    let mut stack = Stack::start();
    let (base, maildir) = (stack.base.clone(), stack.maildir.clone());

    // The journey, in headless Chromium.
    let mut node = Command::new("node");
    node.arg(repo().join("tests/browser/journey.mjs"))
        .arg("--url")
        .arg(&base)
        .arg("--maildir")
        .arg(&maildir)
        .args(["--officer", OFFICER, "--officer-password", OFFICER_PASSWORD])
        .current_dir(repo());
    let (journey, report) = run_until_quiet(node, BROWSER_QUIET);
    println!("{report}");

    // SIGTERM: the service finishes what it is doing and exits 0.
    let sent = Command::new("kill")
        .arg("-TERM")
        .arg(stack.serve_pid().to_string())
        .status()
        .expect("run kill");
    assert!(sent.success(), "kill -TERM {} failed", stack.serve_pid());
    let started = Instant::now();
    let stopped = loop {
        match stack.children.0[stack.serve_at].try_wait().expect("wait for serve") {
            Some(status) => break Some(status),
            None if started.elapsed() < SHUTDOWN_TIMEOUT => std::thread::sleep(Duration::from_millis(50)),
            None => break None,
        }
    };
    println!("`sicantik serve` after SIGTERM: {stopped:?} in {:?}", started.elapsed());

    match journey {
        Some(status) if status.success() => {}
        Some(status) => panic!(
            "the browser journey failed ({status}):\n{report}\n{}\n{}",
            tail(&stack.serve_log),
            tail(&stack.smtp_log)
        ),
        None => panic!(
            "the browser journey printed nothing for {BROWSER_QUIET:?} and was stopped:\n{report}\n{}",
            tail(&stack.serve_log)
        ),
    }
    match stopped {
        Some(status) => assert!(
            status.success(),
            "`sicantik serve` exited with {status} after SIGTERM\n{}",
            tail(&stack.serve_log)
        ),
        None => panic!(
            "`sicantik serve` still runs {SHUTDOWN_TIMEOUT:?} after SIGTERM\n{}",
            tail(&stack.serve_log)
        ),
    }
}
