//! The outbox: an SMTP outage loses nothing, mail goes out once the server is back, nothing is
//! sent twice after a restart, and mail that cannot be delivered is shown to officers.

use crate::helpers::*;
use crate::smtp::SmtpServer;

/// Waits until `count_sql` counts at least one row.
fn wait_until(app: &TestApp, count_sql: &str, what: &str) {
    let deadline = std::time::Instant::now() + WAIT;
    while app.db().count(count_sql) < 1 {
        assert!(std::time::Instant::now() < deadline, "{what}: not within {WAIT:?}");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn registration_succeeds_while_smtp_is_down_and_the_mail_goes_out_when_it_is_back() {
    let mut smtp = SmtpServer::start();
    smtp.stop();
    let app = spawn_app_with(Options {
        smtp: Some(smtp),
        ..Options::default()
    });
    let b = app.browser();
    let r = register(&b, &registration("yanti", "yanti@contoh.id"));
    assert_eq!(r.status, 303, "the applicant is not kept waiting for the mail server");
    // Let a few attempts fail.
    wait_until(
        &app,
        "SELECT count(*) FROM outbox WHERE attempts >= 2",
        "sending was attempted and retried",
    );
    assert_eq!(
        app.db().count("SELECT count(*) FROM outbox WHERE status = 'antre'"),
        1,
        "and the mail is kept"
    );
    // The officers see on their front page that mail waits.
    app.add_officer("petugas1", "petugas1@dpmptsp.test", None);
    let officer = app.officer("petugas1");
    let home = officer.get("/layanan/petugas/");
    assert!(
        home.body.contains("1 surel menunggu dikirim; yang terlama menunggu "),
        "{}",
        home.body
    );

    // `app.smtp` is the same server: bring it back.
    let mut app = app;
    app.smtp.restart_accepting();
    let mails = app.smtp.wait_for(1, WAIT);
    assert_eq!(mails[0].envelope_to, ["yanti@contoh.id"]);
    // The row is marked sent right after the server accepted it.
    let deadline = std::time::Instant::now() + WAIT;
    while app.db().count("SELECT count(*) FROM outbox WHERE status = 'terkirim'") != 1 {
        assert!(
            std::time::Instant::now() < deadline,
            "the delivered mail was never marked sent"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let home = officer.get("/layanan/petugas/");
    assert!(
        home.body.contains("Tidak ada surel yang menunggu dikirim."),
        "{}",
        home.body
    );
}

#[test]
fn a_mail_server_that_accepts_and_never_answers_stalls_nothing() {
    // It takes the connection and says nothing, ever: no greeting, no reply.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = silent.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in silent.incoming().flatten() {
            held.push(conn);
        }
    });
    let mut app = spawn_app_with(Options {
        env: vec![
            ("SICANTIK_SMTP_URL", format!("smtp://127.0.0.1:{port}")),
            ("SICANTIK_SMTP_TIMEOUT_SECONDS", "1".into()),
        ],
        ..Options::default()
    });
    let r = register(&app.browser(), &registration("yosef", "yosef@contoh.id"));
    assert_eq!(r.status, 303, "the applicant is not kept waiting");
    wait_until(
        &app,
        "SELECT count(*) FROM outbox WHERE attempts >= 2 AND last_error IS NOT NULL",
        "each attempt gave up and was tried again",
    );
    assert_eq!(
        app.db().count("SELECT count(*) FROM outbox WHERE status = 'antre'"),
        1,
        "the receipt is kept for a later attempt"
    );
    // And the service still stops when told to.
    let (done_tx, done) = std::sync::mpsc::channel();
    let stopper = std::thread::spawn(move || {
        app.stop();
        let _ = done_tx.send(());
        app
    });
    assert!(
        done.recv_timeout(std::time::Duration::from_secs(30)).is_ok(),
        "the service did not stop while a mail server kept silent"
    );
    drop(stopper.join().expect("stopper"));
}

#[test]
fn a_refusing_server_is_retried_and_nothing_is_sent_twice_after_a_restart() {
    let mut app = spawn_app_with(Options {
        smtp: Some(SmtpServer::start_refusing()),
        ..Options::default()
    });
    let b = app.browser();
    register(&b, &registration("wahyu", "wahyu@contoh.id"));
    wait_until(
        &app,
        "SELECT count(*) FROM outbox WHERE attempts >= 1",
        "sending was attempted",
    );
    app.smtp.restart_accepting();
    app.smtp.wait_for(1, WAIT);

    app.restart();
    register(&app.browser(), &registration("wulan", "wulan@contoh.id"));
    let mails = app.smtp.wait_for(2, WAIT);
    std::thread::sleep(std::time::Duration::from_millis(500));
    let all = app.smtp.messages();
    assert_eq!(
        all.len(),
        2,
        "one mail each, none again after the restart: {:?}",
        all.iter().map(|m| &m.envelope_to).collect::<Vec<_>>()
    );
    let ids: std::collections::HashSet<&str> = mails.iter().map(|m| m.message_id.as_str()).collect();
    assert_eq!(ids.len(), 2, "each mail has its own Message-ID");
    assert!(ids.iter().all(|id| id.ends_with("@127.0.0.1>")), "{ids:?}");
}

#[test]
fn mail_that_cannot_be_delivered_is_marked_failed_and_shown_to_officers() {
    let app = spawn_app_with(Options {
        smtp: Some(SmtpServer::start_refusing()),
        max_attempts: 2,
        retry_base_ms: 50,
        ..Options::default()
    });
    app.add_officer("petugas1", "petugas1@dpmptsp.test", None);
    register(&app.browser(), &registration("tari", "tari@contoh.id"));
    let deadline = std::time::Instant::now() + WAIT;
    while app.db().count("SELECT count(*) FROM outbox WHERE status = 'gagal'") < 2 {
        assert!(std::time::Instant::now() < deadline, "mail was never marked failed");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let officer = app.officer("petugas1");
    let dash = officer.get("/layanan/petugas/");
    assert!(dash.body.contains("gagal terkirim"));
    let list = officer.get("/layanan/petugas/surel");
    assert!(list.body.contains("tari@contoh.id") && list.body.contains("Gagal terkirim"));
    assert!(list.body.contains("451"), "the server's answer is shown");
}

#[test]
fn a_restarted_service_takes_back_the_email_its_predecessor_had_claimed() {
    let mut app = spawn_app_with(Options {
        smtp: Some(SmtpServer::start_refusing()),
        ..Options::default()
    });
    register(&app.browser(), &registration("wahyu", "wahyu@contoh.id"));
    wait_until(
        &app,
        "SELECT count(*) FROM outbox WHERE attempts >= 1",
        "sending was attempted",
    );
    app.stop();
    // As a crash mid-send leaves it: claimed by this instance, with an hour of lease left.
    let instance = app.config().instance.replace('\'', "''");
    app.db().exec(&format!(
        "UPDATE outbox SET claimed_until = {}, claimed_by = '{instance}', next_attempt_at = 0 WHERE status = 'antre'",
        i64::MAX / 2
    ));
    app.smtp.restart_accepting();
    app.restart();
    // Without taking the claim back, the receipt would wait out the hour.
    let mails = app.smtp.wait_for(1, WAIT);
    assert_eq!(mails[0].envelope_to, ["wahyu@contoh.id"]);
}

#[test]
fn a_permanent_refusal_is_marked_failed_at_once_with_the_servers_reason() {
    let app = spawn_app_with(Options {
        smtp: Some(SmtpServer::start_rejecting()),
        max_attempts: 12,
        retry_base_ms: 50,
        ..Options::default()
    });
    app.add_officer("petugas1", "petugas1@dpmptsp.test", None);
    register(&app.browser(), &registration("tari", "tari@contoh.id"));
    wait_until(
        &app,
        "SELECT count(*) FROM outbox WHERE status = 'gagal'",
        "a rejected mail marked failed",
    );
    assert_eq!(
        app.db()
            .count("SELECT max(attempts) FROM outbox WHERE status = 'gagal'"),
        1,
        "a 5xx answer is not tried again"
    );
    let list = app.officer("petugas1").get("/layanan/petugas/surel");
    assert!(list.body.contains("550"), "the server's reason is shown");
}

#[test]
fn without_smtp_every_email_is_written_as_an_eml_file() {
    let data = tempfile::tempdir().expect("dir");
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let (backend_env, _database) = backend_env();
    let mut env: Vec<(String, String)> = vec![
        ("SICANTIK_DATA_DIR".into(), data.path().display().to_string()),
        (
            "SICANTIK_CONTENT_DIR".into(),
            repo.join("content").display().to_string(),
        ),
        (
            "SICANTIK_THEME_DIR".into(),
            repo.join("themes/default").display().to_string(),
        ),
        (
            "SICANTIK_PUBLIC_DIR".into(),
            data.path().join("public").display().to_string(),
        ),
    ];
    env.extend(backend_env);
    let cfg =
        formsvc::Config::from_env(move |k| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())).expect("config");
    let rt = tokio::runtime::Runtime::new().expect("rt");
    rt.block_on(async {
        let service = formsvc::Service::new(cfg).await.expect("service");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(service.run(listener, async move {
            let _ = rx.await;
        }));
        let base = format!("http://{addr}");
        tokio::task::spawn_blocking(move || {
            let b = Browser::new(&base);
            assert_eq!(register(&b, &registration("file", "file@contoh.id")).status, 303);
        })
        .await
        .expect("register");
        let dir = data.path().join("surel");
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            let files: Vec<_> = std::fs::read_dir(&dir)
                .map(|d| d.flatten().map(|e| e.path()).collect())
                .unwrap_or_default();
            if let Some(eml) = files.iter().find(|p| p.extension().is_some_and(|e| e == "eml")) {
                let text = std::fs::read_to_string(eml).expect("eml");
                assert!(text.contains("To: file@contoh.id"), "{text}");
                break;
            }
            assert!(std::time::Instant::now() < deadline, "no .eml written");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        let _ = tx.send(());
        server.await.expect("join").expect("run");
    });
}

crate::backend::also_on_postgres_and_s3!(
    registration_succeeds_while_smtp_is_down_and_the_mail_goes_out_when_it_is_back,
    a_mail_server_that_accepts_and_never_answers_stalls_nothing,
    a_refusing_server_is_retried_and_nothing_is_sent_twice_after_a_restart,
    mail_that_cannot_be_delivered_is_marked_failed_and_shown_to_officers,
    without_smtp_every_email_is_written_as_an_eml_file
);
