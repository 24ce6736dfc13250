//! A permit application in a real browser, against the real `sicantik serve`: a new applicant
//! registers and is approved, makes an application for Izin Pemasangan Rumpon in PERMOHONAN,
//! uploads real files (a PDF and a PNG made by Chromium) on DOKUMEN, submits it, is sent back
//! for a correction with a note, replaces the document and submits again, and the officer
//! verifies and finishes it; Cek Status tells the status; every email arrives in the Maildir of
//! a loopback SMTP server — with and without JavaScript, axe-core on every page on the way
//! (`tests/browser/applications.mjs`). Then the data directory holds exactly the documents of the
//! two applications, and the replaced ones only as marked for deletion.
//!
//! On the way the JS run takes the guide's screenshots, one per step, into a temporary folder;
//! each must be there as the guide names it (`gambar.berkas` of `content/panduan/*.md`), a
//! JPEG the size of the phone's screen. With `SICANTIK_SCREENSHOTS_DIR` set (what
//! `tests/browser/refresh-screenshots` does), a passing run then copies them there.

use std::process::Command;
use std::time::Duration;

use crate::support::*;

/// The script's limit on each step, in seconds (against a hang; the whole run has none); the
/// Rust side stops a node that printed nothing for longer.
const STEP_SECONDS: u64 = 120;
const BROWSER_QUIET: Duration = Duration::from_secs(STEP_SECONDS + 60);
const DOCUMENTS_PER_APPLICATION: usize = 4;

#[test]
fn an_applicant_applies_uploads_documents_and_follows_the_review_in_a_real_browser() {
    let stack = Stack::start();
    let (base, maildir, data) = (stack.base.clone(), stack.maildir.clone(), stack.data.clone());
    let shots = tempfile::tempdir().expect("temp dir for the screenshots");

    // The applications, in headless Chromium.
    let mut node = Command::new("node");
    node.arg(repo().join("tests/browser/applications.mjs"))
        .arg("--url")
        .arg(&base)
        .arg("--maildir")
        .arg(&maildir)
        .args(["--officer", OFFICER, "--officer-password", OFFICER_PASSWORD])
        .args(["--officer-email", OFFICER_EMAIL])
        .args(["--timeout", &STEP_SECONDS.to_string()])
        .arg("--screenshots")
        .arg(shots.path())
        .current_dir(repo());
    let (run, report) = run_until_quiet(node, BROWSER_QUIET);
    println!("{report}");
    match run {
        Some(status) if status.success() => {}
        Some(status) => panic!(
            "the browser applications failed ({status}):\n{report}\n{}\n{}",
            tail(&stack.serve_log),
            tail(&stack.smtp_log)
        ),
        None => panic!(
            "the browser applications printed nothing for {BROWSER_QUIET:?} and were stopped:\n{report}\n{}",
            tail(&stack.serve_log)
        ),
    }

    // On disk: the documents of the two applications, and the replaced ones only as marked for
    // the sweeper (deleted after the grace period, so that a running backup still finds them).
    let stored: Vec<String> = std::fs::read_dir(data.join("berkas"))
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    let db = rusqlite::Connection::open(data.join("sicantik.sqlite3")).expect("the database");
    let names = |sql: &str| -> Vec<String> {
        let mut stmt = db.prepare(sql).expect("query");
        stmt.query_map([], |r| r.get(0))
            .expect("rows")
            .collect::<Result<_, _>>()
            .expect("names")
    };
    let kept = names("SELECT stored_name FROM documents");
    let discarded = names("SELECT name FROM discarded_blobs");
    assert_eq!(kept.len(), 2 * DOCUMENTS_PER_APPLICATION, "documents: {kept:?}");
    assert!(!discarded.is_empty(), "the replaced document is marked for deletion");
    let mut expected: Vec<String> = kept.into_iter().chain(discarded).collect();
    expected.sort();
    let mut stored = stored;
    stored.sort();
    assert_eq!(
        stored,
        expected,
        "files under {}: every one named by a document or marked for deletion",
        data.join("berkas").display()
    );

    // The guide's screenshots: each a JPEG of the phone's screen; copied to
    // SICANTIK_SCREENSHOTS_DIR when asked (before comparing with the guide, so that a new
    // step's picture can be taken before its front matter names it); each step's taken.
    let mut taken: Vec<String> = std::fs::read_dir(shots.path())
        .expect("the screenshots folder")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    taken.sort();
    for name in &taken {
        let bytes = std::fs::read(shots.path().join(name)).expect("read a screenshot");
        assert_eq!(
            generator::ImageFormat::sniff(&bytes),
            Some((generator::ImageFormat::Jpeg, PHONE.0, PHONE.1)),
            "{name}: a JPEG of the phone's screen ({} bytes)",
            bytes.len()
        );
    }
    if let Some(dir) = std::env::var_os("SICANTIK_SCREENSHOTS_DIR") {
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).expect("create SICANTIK_SCREENSHOTS_DIR");
        for name in &taken {
            std::fs::copy(shots.path().join(name), dir.join(name)).expect("copy a screenshot");
        }
        println!("{} screenshots copied to {}", taken.len(), dir.display());
    }
    let content = generator::load(&repo().join("content")).expect("the real content loads");
    let mut wanted: Vec<&str> = content
        .langkah
        .iter()
        .filter_map(|s| s.gambar.as_ref().map(|g| g.berkas.as_str()))
        .collect();
    wanted.sort();
    assert_eq!(
        wanted.len(),
        GUIDE_STEPS,
        "every step of the guide names its screenshot: {wanted:?}"
    );
    assert_eq!(taken, wanted, "the screenshots taken are the ones the guide shows");
}

/// The guide's steps (content/panduan/01…07), each with its screenshot.
const GUIDE_STEPS: usize = 7;
/// The phone's screen in CSS pixels (`PHONE` in tests/browser/lib.mjs), one image pixel each.
const PHONE: (u32, u32) = (390, 844);
