//! What an operator finds in the log of a real `sicantik serve` with `SICANTIK_LOG_FORMAT=json`:
//! the "kode rujukan" a user reads on an error page leads to that request's lines, the cause
//! among them.

use std::time::{Duration, Instant};

use crate::cluster::*;
use crate::people::*;

/// Regression for the wiring end to end: the reference was checked against the `X-Request-Id`
/// header in-process, never against the log lines an operator searches.
#[test]
fn the_reference_on_an_error_page_finds_its_request_in_the_json_log() {
    let cluster = Cluster::start_on(Backend::Embedded, 1, &[("SICANTIK_LOG_FORMAT", "json")], Setup::Officer);
    let url = cluster.instances[0].url.clone();
    let (user, email) = ("rujukan", "rujukan@contoh.id");
    register(&Client::new(), &url, &url, &registration(user, email, 9400)).unwrap_or_else(|e| panic!("{e}"));
    let c = approve_and_sign_in(&cluster, &officer(&url), &url, &url, user, email);
    assert_eq!(c.get(&format!("{url}/layanan/")).status, 200);

    // A row that no longer reads back: the applicant's own page is a server error.
    let Db::Sqlite(path) = &cluster.db else {
        unreachable!("the embedded store")
    };
    let db = rusqlite::Connection::open(path).expect("open the database");
    db.busy_timeout(Duration::from_secs(30)).expect("busy timeout");
    db.execute(
        "UPDATE applicants SET telepon = 'bukan nomor' WHERE username = ?1",
        [user],
    )
    .expect("spoil the row");
    let page = c.get(&format!("{url}/layanan/"));
    assert_eq!(page.status, 500, "{}", page.text());
    let text = page.text();
    let reference: String = text
        .split("kode rujukan ")
        .nth(1)
        .unwrap_or_else(|| panic!("no kode rujukan on the page: {text}"))
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    assert!(reference.len() >= 8, "{reference:?} is not a reference");

    // The operator searches the log for it: the access line of that request (its status) and
    // the error with its cause, each one JSON object.
    let log = &cluster.instances[0].log;
    let started = Instant::now();
    let lines = loop {
        let text = std::fs::read_to_string(log).expect("the instance's log");
        let lines: Vec<String> = text
            .lines()
            .filter(|l| l.contains(&reference))
            .map(str::to_string)
            .collect();
        if lines.iter().any(|l| l.contains("\"target\":\"access\"")) {
            break lines;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no access line names {reference}:\n{}",
            cluster.logs()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    for l in &lines {
        assert!(l.starts_with('{') && l.ends_with('}'), "not one JSON object: {l}");
    }
    assert!(
        lines
            .iter()
            .any(|l| l.contains("\"target\":\"access\"") && l.contains("\"status\":500")),
        "no access line with status 500 for {reference}: {lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("\"level\":\"ERROR\"") && l.contains("request failed") && l.contains("telepon")),
        "no error line with the cause for {reference}: {lines:#?}"
    );
    assert!(
        !lines.iter().any(|l| l.contains("bukan nomor")),
        "the log shows the row's value"
    );
}
