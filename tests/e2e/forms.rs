//! The applicant's forms in a real browser, against the real `sicantik serve`
//! (`tests/browser/forms.mjs`): the server's error summary instead of the browser's bubbles,
//! with focus on it; a themed page at every address a form posts to; registration's date and
//! taken-name checks; the password toggle; radios; the confirmations after BUAT, Ajukan and an
//! officer's approval; `favicon.ico`.

use std::process::Command;
use std::time::Duration;

use crate::support::*;

/// The script's limit on each step, in seconds (against a hang); the Rust side stops a node
/// that printed nothing for longer.
const STEP_SECONDS: u64 = 120;
const BROWSER_QUIET: Duration = Duration::from_secs(STEP_SECONDS + 60);

#[test]
fn the_applicants_forms_report_errors_confirm_and_never_answer_an_empty_405_in_a_real_browser() {
    let stack = Stack::start();
    let mut node = Command::new("node");
    node.arg(repo().join("tests/browser/forms.mjs"))
        .arg("--url")
        .arg(&stack.base)
        .arg("--maildir")
        .arg(&stack.maildir)
        .args(["--officer", OFFICER, "--officer-password", OFFICER_PASSWORD])
        .args(["--timeout", &STEP_SECONDS.to_string()])
        .current_dir(repo());
    let (run, report) = run_until_quiet(node, BROWSER_QUIET);
    println!("{report}");
    match run {
        Some(status) if status.success() => {}
        Some(status) => panic!(
            "the browser form checks failed ({status}):\n{report}\n{}\n{}",
            tail(&stack.serve_log),
            tail(&stack.smtp_log)
        ),
        None => panic!(
            "the browser form checks printed nothing for {BROWSER_QUIET:?} and were stopped:\n{report}\n{}",
            tail(&stack.serve_log)
        ),
    }
}
