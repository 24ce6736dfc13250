//! A permit application in a real browser, against the real `sicantik serve`: a new applicant
//! registers and is approved, makes an application for Izin Pemasangan Rumpon in PERMOHONAN,
//! uploads real files (a PDF and a PNG made by Chromium) on DOKUMEN, submits it, is sent back
//! for a correction with a note, replaces the document and submits again, and the officer
//! verifies and finishes it; Cek Status tells the status; every email arrives in the Maildir of
//! a loopback SMTP server — with and without JavaScript, axe-core on every page on the way
//! (`tests/browser/applications.mjs`). Then the data directory holds exactly the documents of the
//! two applications (the replaced ones deleted).

use std::fs::File;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::support::*;

const OFFICER_EMAIL: &str = "petugas1@dpmptsp.test";
/// The browser script's own limit, in seconds; the Rust side waits a little longer.
const BROWSER_SECONDS: u64 = 140;
const BROWSER_TIMEOUT: Duration = Duration::from_secs(BROWSER_SECONDS + 40);
const DOCUMENTS_PER_APPLICATION: usize = 4;

#[test]
fn an_applicant_applies_uploads_documents_and_follows_the_review_in_a_real_browser() {
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
        .stdin(Stdio::null())
        .stdout(log.try_clone().expect("serve log file"))
        .stderr(log)
        .spawn()
        .expect("run sicantik serve");
    let serve_at = children.add(serve);
    wait_until_ready(&mut children.0[serve_at], port, &serve_log);

    // The applications, in headless Chromium.
    let mut node = Command::new("node");
    node.arg(repo().join("tests/browser/applications.mjs"))
        .arg("--url")
        .arg(&base)
        .arg("--maildir")
        .arg(&maildir)
        .args(["--officer", OFFICER, "--officer-password", OFFICER_PASSWORD])
        .args(["--officer-email", OFFICER_EMAIL])
        .args(["--timeout", &BROWSER_SECONDS.to_string()])
        .current_dir(repo());
    let (run, report) = run_with_limit(node, BROWSER_TIMEOUT);
    println!("{report}");
    match run {
        Some(status) if status.success() => {}
        Some(status) => panic!(
            "the browser applications failed ({status}):\n{report}\n{}\n{}",
            tail(&serve_log),
            tail(&smtp_log)
        ),
        None => panic!(
            "the browser applications did not end within {BROWSER_TIMEOUT:?}:\n{report}\n{}",
            tail(&serve_log)
        ),
    }

    // On disk: the documents of the two applications, and nothing of the replaced ones.
    let stored: Vec<String> = std::fs::read_dir(data.join("berkas"))
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        stored.len(),
        2 * DOCUMENTS_PER_APPLICATION,
        "files under {}: {stored:?}",
        data.join("berkas").display()
    );
}
