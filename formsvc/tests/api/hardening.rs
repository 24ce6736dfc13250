//! Regression tests for the weaknesses found under attack (the hardening issue): each test is
//! named after what it guards, against the real service on port 0.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::applications::{RUMPON, create, nomor_of, pdf, setup, upload_all};
use crate::helpers::*;

const PW: &str = "hujan turun di jembatan ampera";

/// Generous: a step that has not happened by then is hung, not slow.
const HANG: Duration = Duration::from_secs(60);

fn address(app: &TestApp) -> String {
    app.base.trim_start_matches("http://").to_string()
}

/// Whether the server closed `tcp` (end of stream or a reset) before `HANG`.
fn closed_by_server(tcp: &mut TcpStream) -> bool {
    tcp.set_read_timeout(Some(HANG)).expect("read timeout");
    let mut buf = [0u8; 4096];
    loop {
        match tcp.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                return false;
            }
            Err(_) => return true,
        }
    }
}

fn with_env(env: &[(&'static str, &str)]) -> TestApp {
    spawn_app_with(Options {
        env: env.iter().map(|(k, v)| (*k, v.to_string())).collect(),
        ..Options::default()
    })
}

#[test]
fn a_request_head_trickled_one_line_at_a_time_is_cut_off_at_the_header_timeout() {
    let app = with_env(&[("SICANTIK_HEADER_TIMEOUT_SECONDS", "1")]);
    let mut tcp = TcpStream::connect(address(&app)).expect("connect");
    tcp.write_all(b"GET /layanan/registrasi HTTP/1.1\r\nHost: sicantik\r\n")
        .expect("first line");
    // One header line every 300 ms would keep the request open for ever without a limit on
    // the whole head.
    let started = Instant::now();
    let mut cut = false;
    while started.elapsed() < HANG {
        std::thread::sleep(Duration::from_millis(300));
        if tcp.write_all(b"X-Lambat: 1\r\n").is_err() {
            cut = true;
            break;
        }
        tcp.set_read_timeout(Some(Duration::from_millis(1))).expect("timeout");
        let mut buf = [0u8; 512];
        match tcp.read(&mut buf) {
            Ok(0) => {
                cut = true;
                break;
            }
            Ok(_) => panic!("the trickled request was answered"),
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {}
            Err(_) => {
                cut = true;
                break;
            }
        }
    }
    assert!(cut, "the connection stayed open while the head trickled in");
    // And the service still serves everyone else.
    assert_eq!(app.browser().get("/layanan/registrasi").status, 200);
}

#[test]
fn a_kept_alive_connection_left_idle_is_closed() {
    let app = with_env(&[("SICANTIK_HEADER_TIMEOUT_SECONDS", "1")]);
    let mut tcp = TcpStream::connect(address(&app)).expect("connect");
    tcp.write_all(b"GET /layanan/masuk HTTP/1.1\r\nHost: sicantik\r\n\r\n")
        .expect("request");
    tcp.set_read_timeout(Some(HANG)).expect("timeout");
    let mut head = [0u8; 12];
    tcp.read_exact(&mut head).expect("an answer");
    assert_eq!(&head, b"HTTP/1.1 200");
    assert!(closed_by_server(&mut tcp), "the idle connection was never closed");
}

#[test]
fn a_form_body_that_never_finishes_is_answered_408_and_changes_nothing() {
    let app = with_env(&[("SICANTIK_FORM_BODY_TIMEOUT_SECONDS", "1")]);
    let before = app.db().count("SELECT count(*) FROM applicants");
    let mut tcp = TcpStream::connect(address(&app)).expect("connect");
    tcp.write_all(
        b"POST /layanan/registrasi HTTP/1.1\r\nHost: sicantik\r\n\
          Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 5000\r\n\r\nusername=lam",
    )
    .expect("the start of a body");
    tcp.set_read_timeout(Some(HANG)).expect("timeout");
    let mut answer = Vec::new();
    let mut buf = [0u8; 4096];
    while !answer.windows(4).any(|w| w == b"\r\n\r\n") {
        match tcp.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => answer.extend_from_slice(&buf[..n]),
        }
    }
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert_eq!(app.db().count("SELECT count(*) FROM applicants"), before);
}

#[test]
fn connections_over_the_cap_wait_until_one_ends() {
    let app = with_env(&[
        ("SICANTIK_MAX_CONNECTIONS", "2"),
        ("SICANTIK_HEADER_TIMEOUT_SECONDS", "120"),
    ]);
    let first = TcpStream::connect(address(&app)).expect("first");
    let second = TcpStream::connect(address(&app)).expect("second");
    // Let the service accept both before the third comes.
    std::thread::sleep(Duration::from_millis(500));
    let mut third = TcpStream::connect(address(&app)).expect("third (queued by the kernel)");
    third
        .write_all(b"GET /layanan/masuk HTTP/1.1\r\nHost: sicantik\r\nConnection: close\r\n\r\n")
        .expect("request");
    third.set_read_timeout(Some(Duration::from_secs(1))).expect("timeout");
    let mut buf = [0u8; 12];
    assert!(
        third.read(&mut buf).is_err(),
        "a third connection was served while two were open"
    );
    drop(first);
    third.set_read_timeout(Some(HANG)).expect("timeout");
    third.read_exact(&mut buf).expect("served once a slot is free");
    assert_eq!(&buf, b"HTTP/1.1 200");
    drop(second);
}

#[test]
fn setting_a_password_spends_every_other_link_of_the_account() {
    let app = spawn_app();
    active_applicant(&app, "rina", "rina@contoh.id", PW);
    let b = app.browser();
    let mut links = Vec::new();
    for _ in 0..3 {
        let page = b.get("/layanan/lupa-sandi");
        assert_eq!(b.post("/layanan/lupa-sandi", &page, &[("login", "rina")]).status, 200);
        let seen = links.len();
        let deadline = Instant::now() + HANG;
        loop {
            let all: Vec<String> = app
                .smtp
                .messages()
                .into_iter()
                .filter(|m| m.subject.contains("Atur ulang"))
                .filter_map(|m| m.link_starting_with(&format!("{}/layanan/atur-sandi?token=", app.base)))
                .collect();
            if all.len() > seen {
                links = all;
                break;
            }
            assert!(Instant::now() < deadline, "no reset mail");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
    assert_eq!(b.get(&links[0]).status, 410, "a newer reset link spends the older ones");
    assert_eq!(b.get(&links[1]).status, 410);
    let page = b.get(&links[2]);
    assert_eq!(page.status, 200);
    let token = page.hidden("token").expect("token");
    let set = b.post(
        "/layanan/atur-sandi",
        &page,
        &[
            ("token", &token),
            ("password", "sandi baru yang panjang sekali"),
            ("password2", "sandi baru yang panjang sekali"),
        ],
    );
    assert_eq!(set.status, 303, "{}", set.body);
    assert_eq!(
        app.db().count("SELECT count(*) FROM link_tokens WHERE used_at IS NULL"),
        0,
        "no open link is left for the account"
    );
    let deadline = Instant::now() + HANG;
    while !app
        .smtp
        .messages()
        .iter()
        .any(|m| m.subject.contains("Kata sandi akun Anda telah diatur") && m.envelope_to == ["rina@contoh.id"])
    {
        assert!(
            Instant::now() < deadline,
            "the account holder is not told the password changed"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn officers_cannot_open_a_drafts_document_and_document_addresses_are_not_guessable() {
    let app = spawn_app();
    let (b, officer) = setup(&app);
    let nomor = nomor_of(&create(&b, RUMPON, "perorangan", &[]));
    upload_all(&b, &nomor);
    let id = app
        .db()
        .count("SELECT id FROM documents WHERE requirement_id = 'surat-permohonan'");
    let url = app.document_url(id);
    let alamat = url.trim_start_matches("/layanan/berkas/");
    assert!(alamat.len() >= 22 && alamat.parse::<u64>().is_err(), "{alamat}");
    assert_eq!(b.get(&url).status, 200, "the owner downloads it");
    assert_eq!(
        officer.get(&url).status,
        404,
        "an officer does not see a draft's document"
    );
    assert_eq!(
        b.get(&format!("/layanan/berkas/{id}")).status,
        404,
        "the sequential id is no address"
    );
    let page = b.get(&format!("/layanan/permohonan/{nomor}/dokumen"));
    assert!(page.body.contains(&url), "the page links to the document's address");
}

#[test]
fn an_inline_document_keeps_its_sandbox_policy() {
    let app = spawn_app();
    let (b, officer) = setup(&app);
    let nomor = nomor_of(&create(&b, RUMPON, "perorangan", &[]));
    upload_all(&b, &nomor);
    let check = b.get(&format!("/layanan/permohonan/{nomor}/ajukan"));
    b.post(&format!("/layanan/permohonan/{nomor}/ajukan"), &check, &[]);
    let id = app
        .db()
        .count("SELECT id FROM documents WHERE requirement_id = 'surat-permohonan'");
    let view = officer.get(&format!("{}?lihat=1", app.document_url(id)));
    assert_eq!(view.status, 200);
    assert_eq!(
        view.header("content-security-policy"),
        Some("sandbox; default-src 'none'")
    );
}

#[test]
fn downloads_are_named_for_their_detected_type_and_names_lose_bidi_overrides() {
    let app = spawn_app();
    let (b, _) = setup(&app);
    let nomor = nomor_of(&create(&b, RUMPON, "perorangan", &[]));
    let page = b.get(&format!("/layanan/permohonan/{nomor}/dokumen"));
    for (req, name) in [
        ("surat-permohonan", "ktp-pemohon\u{202E}fdp.hta"),
        ("sipi", "denah.html"),
    ] {
        let r = b.upload(
            &format!("/layanan/permohonan/{nomor}/dokumen/{req}"),
            &page,
            name,
            "application/pdf",
            &pdf(100),
        );
        assert_eq!(r.status, 303, "{}", r.body);
    }
    let name_of = |req: &str| {
        let id = app
            .db()
            .count(&format!("SELECT id FROM documents WHERE requirement_id = '{req}'"));
        let r = b.get(&app.document_url(id));
        assert_eq!(r.header("content-type"), Some("application/pdf"));
        r.header("content-disposition").expect("disposition").to_string()
    };
    let ktp = name_of("surat-permohonan");
    assert!(ktp.contains("filename=\"ktp-pemohonfdp.pdf\""), "{ktp}");
    let denah = name_of("sipi");
    assert!(denah.contains("filename=\"denah.pdf\""), "{denah}");
    let page = b.get(&format!("/layanan/permohonan/{nomor}/dokumen"));
    assert!(!page.body.contains('\u{202E}'), "no override character reaches a page");
    assert!(
        page.body.contains("ktp-pemohonfdp.hta"),
        "the name as typed, made visible"
    );
}

#[test]
fn a_file_that_only_starts_like_its_type_is_refused_and_nothing_is_kept() {
    let app = spawn_app();
    let (b, _) = setup(&app);
    let nomor = nomor_of(&create(&b, RUMPON, "perorangan", &[]));
    let page = b.get(&format!("/layanan/permohonan/{nomor}/dokumen"));
    let polyglot = b"%PDF-1.4\n<html><body><script>fetch('/layanan')</script></body></html>\n%%EOF\n";
    let png_head = [&formsvc::samples::png()[..12], b"<svg onload=alert(1)>".as_slice()].concat();
    for (req, name, bytes, kind) in [
        ("surat-permohonan", "surat.pdf", polyglot.to_vec(), "PDF"),
        ("ktp-penanggung-jawab", "ktp.png", png_head, "PNG"),
    ] {
        let r = b.upload(
            &format!("/layanan/permohonan/{nomor}/dokumen/{req}"),
            &page,
            name,
            "application/pdf",
            &bytes,
        );
        assert_eq!(r.status, 422, "{req}: {}", r.body);
        assert!(
            r.body
                .contains(&format!("Berkas tidak dapat dibaca sebagai {kind} yang utuh.")),
            "{req}: the applicant is told why: {}",
            r.body
        );
    }
    assert_eq!(
        app.db().count("SELECT COUNT(*) FROM documents"),
        0,
        "no document recorded"
    );
    let whole = b.upload(
        &format!("/layanan/permohonan/{nomor}/dokumen/surat-permohonan"),
        &page,
        "surat.pdf",
        "application/pdf",
        &pdf(100),
    );
    assert_eq!(whole.status, 303, "a whole PDF is taken: {}", whole.body);
}

/// Sets a file's last change `ago` in the past, as if it were left there before a crash.
fn backdate(path: &std::path::Path, ago: Duration) {
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(path)
        .expect("open to backdate");
    f.set_modified(std::time::SystemTime::now() - ago).expect("backdate");
}

#[test]
fn orphans_a_crash_left_are_swept_at_start_and_nothing_acknowledged_is() {
    let mut app = spawn_app();
    let (b, _) = setup(&app);
    let nomor = nomor_of(&create(&b, RUMPON, "perorangan", &[]));
    let page = b.get(&format!("/layanan/permohonan/{nomor}/dokumen"));
    let doc = pdf(100);
    let r = b.upload(
        &format!("/layanan/permohonan/{nomor}/dokumen/surat-permohonan"),
        &page,
        "surat.pdf",
        "application/pdf",
        &doc,
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let formsvc::config::StorageConfig::Local { dir } = app.config().storage else {
        panic!("the embedded default keeps documents in a folder");
    };
    let kept = app.db().texts("SELECT stored_name FROM documents").remove(0);
    let two_hours = Duration::from_secs(2 * 3600);
    // The acknowledged document is as old as the orphans: age alone never removes one.
    backdate(&dir.join(&kept), two_hours);
    let orphan = dir.join("yatim-sisa-unggahan.bin");
    let staging = dir.join("setengah-jalan.bin#12");
    let fresh = dir.join("baru-saja-diunggah.bin");
    let not_ours = dir.join("catatan-admin.txt");
    for f in [&orphan, &staging, &fresh, &not_ours] {
        std::fs::write(f, b"bytes").expect("write");
    }
    for f in [&orphan, &staging, &not_ours] {
        backdate(f, two_hours);
    }

    app.restart();
    let deadline = Instant::now() + Duration::from_secs(60);
    while (orphan.exists() || staging.exists()) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!orphan.exists(), "an old object no row names is deleted at start");
    assert!(!staging.exists(), "an old unfinished write is deleted at start");
    assert!(
        fresh.exists(),
        "an object that may belong to an upload in flight is kept"
    );
    assert!(not_ours.exists(), "a file that is not a document is not ours to delete");
    let id = app.db().count("SELECT id FROM documents");
    let (r, bytes) = b.download(&app.document_url(id));
    assert_eq!(r.status, 200);
    assert!(bytes == doc, "the acknowledged document downloads whole");
}

crate::backend::also_on_postgres_and_s3!(
    setting_a_password_spends_every_other_link_of_the_account,
    officers_cannot_open_a_drafts_document_and_document_addresses_are_not_guessable
);
