//! What a load balancer and a monitoring server ask: `/healthz`, `/readyz` (the store and the
//! blob store), `/metrics` (only to allowed addresses), and the request id that joins a user's
//! "kode rujukan" to the log line.

use crate::helpers::*;

const PW: &str = "hujan turun di jembatan ampera";

#[test]
fn a_load_balancer_sees_the_instance_alive_and_ready() {
    let app = spawn_app();
    let b = app.browser();
    let health = b.get("/healthz");
    assert_eq!(health.status, 200);
    assert_eq!(health.body, "ok\n");
    let ready = b.get("/readyz");
    assert_eq!(ready.status, 200, "{}", ready.body);
    assert_eq!(ready.header("cache-control"), Some("no-store"));
    // Asked again and again, as load balancers do: never rate limited.
    for _ in 0..50 {
        assert_eq!(b.get("/readyz").status, 200);
    }
}

#[test]
fn an_instance_whose_documents_folder_is_gone_is_not_ready() {
    let app = spawn_app();
    let folder = app.data.path().join("berkas");
    assert!(folder.is_dir(), "the documents folder is made at start");
    std::fs::remove_dir_all(&folder).expect("remove the documents folder");
    let ready = app.browser().get("/readyz");
    assert_eq!(ready.status, 503);
    assert!(ready.body.contains("blob store"), "{}", ready.body);
    assert!(
        !ready.body.contains(&app.data.path().display().to_string()),
        "no paths shown"
    );
    assert_eq!(app.browser().get("/healthz").status, 200, "alive, just not ready");
}

#[test]
fn metrics_count_what_happened_and_show_the_outbox() {
    let app = spawn_app();
    let b = app.browser();
    assert_eq!(register(&b, &registration("rahmat", "rahmat@contoh.id")).status, 303);
    assert_eq!(login(&b, "rahmat", "bukan sandinya").status, 401);
    let m = b.get("/metrics");
    assert_eq!(m.status, 200, "{}", m.body);
    assert!(
        m.header("content-type")
            .is_some_and(|t| t.starts_with("application/openmetrics-text"))
    );
    for line in [
        "sicantik_submissions_acknowledged_total{kind=\"registrasi\"} 1",
        "sicantik_http_requests_total{route=\"/layanan/registrasi\",method=\"POST\",status=\"303\"} 1",
        "sicantik_http_requests_total{route=\"/layanan/masuk\",method=\"POST\",status=\"401\"} 1",
    ] {
        assert!(m.body.contains(line), "no {line} in:\n{}", m.body);
    }
    assert!(m.body.contains("sicantik_http_request_duration_seconds_bucket{le="));
    assert!(m.body.contains("sicantik_outbox_waiting "));
    assert!(m.body.contains("sicantik_outbox_oldest_waiting_seconds "));
    // Nothing about the person.
    for private in ["rahmat", "1671044508900001", "Siti Aminah"] {
        assert!(!m.body.contains(private), "{private} in the metrics");
    }
}

#[test]
fn metrics_are_not_shown_to_the_public_behind_the_proxy_only_to_the_monitoring_network() {
    let app = spawn_app_with(Options {
        env: vec![
            ("SICANTIK_TRUSTED_PROXIES", "127.0.0.1".into()),
            ("SICANTIK_METRICS_ALLOW", "10.20.0.0/16".into()),
        ],
        ..Options::default()
    });
    let public = app.browser().with_header("X-Forwarded-For", "203.0.113.9");
    assert_eq!(public.get("/metrics").status, 404);
    let monitoring = app.browser().with_header("X-Forwarded-For", "10.20.3.4");
    assert_eq!(monitoring.get("/metrics").status, 200);
    // Loopback is not allowed once the setting names other addresses.
    assert_eq!(app.browser().get("/metrics").status, 404);
}

#[test]
fn a_client_that_never_finishes_its_request_does_not_hold_the_shutdown() {
    use std::io::Write;
    let mut app = spawn_app_with(Options {
        env: vec![("SICANTIK_SHUTDOWN_DRAIN_SECONDS", "1".into())],
        ..Options::default()
    });
    let addr = app.base.trim_start_matches("http://").to_string();
    // Half a request head, and then nothing, for as long as the test runs.
    let mut slow = std::net::TcpStream::connect(&addr).expect("connect");
    slow.write_all(b"POST /layanan/masuk HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nlogin=")
        .expect("write");
    std::thread::sleep(std::time::Duration::from_millis(200));
    let (done_tx, done) = std::sync::mpsc::channel();
    let stopper = std::thread::spawn(move || {
        app.stop();
        let _ = done_tx.send(());
        app
    });
    assert!(
        done.recv_timeout(std::time::Duration::from_secs(30)).is_ok(),
        "the service did not stop while a client held a request open"
    );
    drop(stopper.join().expect("stopper"));
    drop(slow);
}

#[test]
fn the_reference_on_an_error_page_is_the_request_id() {
    let app = spawn_app();
    let b = active_applicant(&app, "yusuf", "yusuf@contoh.id", PW);
    assert_eq!(login(&b, "yusuf", PW).status, 303);
    let fine = b.get("/layanan/");
    let id = fine.header("x-request-id").expect("every answer names its request");
    assert_eq!(id.len(), 10);
    app.db()
        .exec("UPDATE applicants SET telepon = 'bukan nomor' WHERE username = 'yusuf'");
    let broken = b.get("/layanan/");
    assert_eq!(broken.status, 500);
    let id = broken.header("x-request-id").expect("request id");
    assert!(
        broken.body.contains(&format!("kode rujukan {id}")),
        "the page names request {id}: {}",
        broken.body
    );
    let m = app.browser().get("/metrics");
    assert!(
        m.body.contains("sicantik_server_errors_total{kind=\"store\"} 1"),
        "{}",
        m.body
    );
}

/// The value of the figure `series` (a name with its labels, as `/metrics` prints it), 0 when
/// it is not shown yet (a labelled series appears with its first count).
fn figure(metrics: &str, series: &str) -> f64 {
    metrics
        .lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .map_or(0.0, |v| {
            v.trim()
                .parse()
                .unwrap_or_else(|_| panic!("{series}: {v:?} is not a number"))
        })
}

/// What a monitoring server scrapes, as the service answers it.
fn scrape(app: &TestApp) -> String {
    let m = app.browser().get("/metrics");
    assert_eq!(m.status, 200, "{}", m.body);
    m.body
}

/// Regression for the wiring: the figures were tested on `Metrics` alone, not that the
/// handlers raise them.
#[test]
fn metrics_rise_with_an_accepted_upload_and_a_rate_limited_sign_in() {
    let app = spawn_app();
    let (b, _) = crate::applications::setup(&app);
    let nomor = crate::applications::nomor_of(&crate::applications::create(
        &b,
        crate::applications::RUMPON,
        "perorangan",
        &[],
    ));
    let before = scrape(&app);
    let bytes = crate::applications::pdf(3000);
    let path = format!("/layanan/permohonan/{nomor}/dokumen");
    let page = b.get(&path);
    let r = b.upload(&format!("{path}/sipi"), &page, "sipi.pdf", "application/pdf", &bytes);
    assert_eq!(r.status, 303, "{}", r.body);
    let after = scrape(&app);
    assert_eq!(
        figure(&after, "sicantik_uploads_total"),
        figure(&before, "sicantik_uploads_total") + 1.0,
        "{after}"
    );
    assert_eq!(
        figure(&after, "sicantik_upload_bytes_total"),
        figure(&before, "sicantik_upload_bytes_total") + bytes.len() as f64,
        "{after}"
    );

    let limited = "sicantik_rate_limited_total{route=\"/layanan/masuk\"}";
    let before = scrape(&app);
    let other = app.browser();
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(login(&other, "nelayan", "tebakan yang salah").status);
    }
    assert_eq!(statuses.last(), Some(&429), "the sign-ins are limited: {statuses:?}");
    let refused = statuses.iter().filter(|s| **s == 429).count() as f64;
    let after = scrape(&app);
    assert_eq!(figure(&after, limited), figure(&before, limited) + refused, "{after}");
}

#[test]
fn metrics_rise_with_an_email_the_mail_server_refused_for_good() {
    let app = spawn_app_with(Options {
        smtp: Some(crate::smtp::SmtpServer::start_rejecting()),
        ..Options::default()
    });
    let before = scrape(&app);
    assert_eq!(figure(&before, "sicantik_outbox_failed"), 0.0, "{before}");
    assert_eq!(
        register(&app.browser(), &registration("tari", "tari@contoh.id")).status,
        303
    );
    let deadline = std::time::Instant::now() + WAIT;
    let after = loop {
        let m = scrape(&app);
        if figure(&m, "sicantik_outbox_failed") >= 1.0 {
            break m;
        }
        assert!(std::time::Instant::now() < deadline, "no failed email shown: {m}");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(
        figure(&after, "sicantik_mail_attempts_failed_total")
            >= figure(&before, "sicantik_mail_attempts_failed_total") + 1.0,
        "{after}"
    );
    assert_eq!(figure(&after, "sicantik_mail_sent_total"), 0.0, "{after}");
}

crate::backend::also_on_postgres_and_s3!(
    a_load_balancer_sees_the_instance_alive_and_ready,
    metrics_count_what_happened_and_show_the_outbox,
    metrics_rise_with_an_accepted_upload_and_a_rate_limited_sign_in,
    metrics_rise_with_an_email_the_mail_server_refused_for_good,
    metrics_are_not_shown_to_the_public_behind_the_proxy_only_to_the_monitoring_network,
    the_reference_on_an_error_page_is_the_request_id,
    a_client_that_never_finishes_its_request_does_not_hold_the_shutdown
);
