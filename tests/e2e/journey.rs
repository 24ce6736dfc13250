//! A new applicant's whole journey in a real browser, against the real `sicantik serve`: from
//! the home page through Registrasi Pemohon, the officer's approval, the emailed set-password
//! link (read from the Maildir of a loopback SMTP server) and Masuk, to Layanan Pemohon — with
//! and without JavaScript, axe-core on every page on the way (`tests/browser/journey.mjs`).
//! Then `serve` must stop gracefully on SIGTERM.

use std::fs::File;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::*;

/// How long `serve` may take to stop after SIGTERM.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);
/// The browser journey's own limit is 170 s inside the script.
const BROWSER_TIMEOUT: Duration = Duration::from_secs(170);

#[test]
fn a_new_applicant_goes_from_the_home_page_to_layanan_pemohon_in_a_real_browser() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path();
    let public = dir.join("public");
    let data = dir.join("data");
    let maildir = dir.join("maildir");
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
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

    // The officer who approves, created as an administrator would.
    let mut add = sicantik(dir, &public)
        .args(["officer", "add", "--username", OFFICER, "--name", "Petugas Satu"])
        .args(["--email", "petugas1@dpmptsp.test", "--password-stdin"])
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
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("serve log file"))
        .stderr(log)
        .spawn()
        .expect("run sicantik serve");
    let serve_pid = serve.id();
    let serve_at = children.add(serve);
    wait_until_ready(&mut children.0[serve_at], port, &serve_log);

    // The journey, in headless Chromium.
    let mut node = Command::new("node");
    node.arg(repo().join("tests/browser/journey.mjs"))
        .arg("--url")
        .arg(&base)
        .arg("--maildir")
        .arg(&maildir)
        .args(["--officer", OFFICER, "--officer-password", OFFICER_PASSWORD])
        .current_dir(repo());
    let (journey, report) = run_with_limit(node, BROWSER_TIMEOUT);
    println!("{report}");

    // SIGTERM: the service finishes what it is doing and exits 0.
    let sent = Command::new("kill")
        .arg("-TERM")
        .arg(serve_pid.to_string())
        .status()
        .expect("run kill");
    assert!(sent.success(), "kill -TERM {serve_pid} failed");
    let started = Instant::now();
    let stopped = loop {
        match children.0[serve_at].try_wait().expect("wait for serve") {
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
            tail(&serve_log),
            tail(&smtp_log)
        ),
        None => panic!(
            "the browser journey did not end within {BROWSER_TIMEOUT:?}:\n{report}\n{}",
            tail(&serve_log)
        ),
    }
    match stopped {
        Some(status) => assert!(
            status.success(),
            "`sicantik serve` exited with {status} after SIGTERM\n{}",
            tail(&serve_log)
        ),
        None => panic!(
            "`sicantik serve` still runs {SHUTDOWN_TIMEOUT:?} after SIGTERM\n{}",
            tail(&serve_log)
        ),
    }
}
