//! Virus scanning of DOKUMEN uploads through real clamd (`.ci/services` starts two: the one of
//! `SICANTIK_TEST_CLAMD`, which every API test's uploads go through, and a second with small
//! limits, `SICANTIK_TEST_CLAMD_SMALL`). A document is kept only after clamd's clean verdict;
//! what is infected or not judged is refused at its field, kept nowhere (no row, no object),
//! and listed for the officers of the unit.

use crate::applications::{RUMPON, create, nomor_of, pdf, setup};
use crate::helpers::*;

/// The EICAR test string, put together here so that this file itself is not "infected".
fn eicar() -> Vec<u8> {
    [
        r"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR",
        "-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*",
    ]
    .concat()
    .into_bytes()
}

/// A PDF with the EICAR string among its bytes.
fn infected_pdf() -> Vec<u8> {
    let mut b = pdf(50_000);
    b.extend_from_slice(&eicar());
    b.extend_from_slice(&pdf(10));
    b
}

/// A file of Debian's clamav-testfiles (harmless, carries ClamAV's test signature).
fn test_file(name: &str) -> Vec<u8> {
    let path = std::path::Path::new("/usr/share/clamav-testfiles").join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{} (apt install clamav-testfiles): {e}", path.display()))
}

/// The clamd a test needs, or `None` after saying why the test is skipped.
fn clamd(var: &str) -> Option<String> {
    let found = std::env::var(var).ok().filter(|v| !v.is_empty());
    if found.is_none() {
        println!("skipped: {var} not set (source .ci/services to start clamd)");
    }
    found
}

fn counts(app: &TestApp) -> (i64, usize) {
    (app.db().count("SELECT count(*) FROM documents"), app.stored_documents())
}

#[test]
fn a_document_is_kept_only_after_clamd_says_clean() {
    if clamd("SICANTIK_TEST_CLAMD").is_none() {
        return;
    }
    let app = spawn_app();
    let (b, officer) = setup(&app);
    let nomor = nomor_of(&create(&b, RUMPON, "perorangan", &[]));
    let docs = format!("/layanan/permohonan/{nomor}/dokumen");
    let page = b.get(&docs);
    let r = b.upload(
        &format!("{docs}/surat-permohonan"),
        &page,
        "surat.pdf",
        "application/pdf",
        &pdf(200_000),
    );
    assert_eq!(r.status, 303, "a clean PDF is accepted: {}", r.body);
    assert_eq!(counts(&app), (1, 1));

    for (req, name, bytes) in [
        ("sipi", "sipi.pdf", infected_pdf()),
        ("tata-letak-spesifikasi", "tata letak.pdf", test_file("clam.pdf")),
        ("ktp-penanggung-jawab", "KTP Siti Aminah.pdf", eicar_only_pdf()),
    ] {
        let r = b.upload(&format!("{docs}/{req}"), &page, name, "application/pdf", &bytes);
        assert_eq!(r.status, 422, "{name} accepted");
        assert!(r.body.contains("Berkas mengandung virus."), "{name}: {}", r.body);
        assert!(
            r.body.contains(&format!("id=\"berkas-{req}-galat\"")),
            "{name}: the message is at its field"
        );
        assert_eq!(counts(&app), (1, 1), "{name} was kept");
    }

    // A zip reaches the scanner where the permit takes zips (a shapefile archive).
    let pbph = nomor_of(&create(&b, "rekomendasi-pbph", "perorangan", &[]));
    let page = b.get(&format!("/layanan/permohonan/{pbph}/dokumen"));
    let r = b.upload(
        &format!("/layanan/permohonan/{pbph}/dokumen/berkas-shp"),
        &page,
        "peta.zip",
        "application/zip",
        &test_file("clam.zip"),
    );
    assert_eq!(r.status, 422, "clam.zip accepted");
    assert!(r.body.contains("Berkas mengandung virus."), "{}", r.body);
    assert_eq!(counts(&app), (1, 1), "clam.zip was kept");

    // The officers of the unit see every refusal, with clamd's words and never the file name.
    let list = officer.get("/layanan/petugas/berkas-ditolak");
    assert_eq!(list.status, 200);
    assert_eq!(list.body.matches("Mengandung virus").count(), 4, "{}", list.body);
    for shown in [
        nomor.as_str(),
        pbph.as_str(),
        "Eicar-Test-Signature",
        "ClamAV-Test-File",
        "Berkas digital peta areal",
    ] {
        assert!(list.body.contains(shown), "{shown} missing from the list");
    }
    assert!(!list.body.contains("Siti Aminah.pdf"), "the file name is not kept");
    let home = officer.get("/layanan/petugas/");
    assert!(
        home.body.contains("<dt>Pemindai virus</dt><dd>Menjawab (ClamAV "),
        "{}",
        home.body
    );
    assert!(!home.body.contains("Pemindai virus tidak menjawab"));
    let metrics = app.browser().get("/metrics").body;
    for line in ["sicantik_scanner_configured 1", "sicantik_scanner_up 1"] {
        assert!(metrics.lines().any(|l| l == line), "{line} missing:\n{metrics}");
    }
    assert!(
        home.body
            .contains("4 unggahan ditolak pemindai virus dalam 7 hari terakhir"),
        "{}",
        home.body
    );
    assert_eq!(
        app.db()
            .count("SELECT count(*) FROM scan_refusals WHERE outcome = 'virus'"),
        4
    );
}

/// A PDF stream holding nothing but the EICAR string.
fn eicar_only_pdf() -> Vec<u8> {
    let e = eicar();
    let mut b = format!("%PDF-1.4\n1 0 obj\n<< /Length {} >>\nstream\n", e.len()).into_bytes();
    b.extend_from_slice(&e);
    b.extend_from_slice(b"\nendstream\nendobj\n%%EOF\n");
    b
}

#[test]
fn with_the_scanner_down_an_upload_is_refused_as_not_checked_and_nothing_is_kept() {
    // A port nobody listens on: bound, then released.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port();
    let app = spawn_app_with(Options {
        env: vec![("SICANTIK_CLAMD", format!("tcp://127.0.0.1:{port}"))],
        ..Options::default()
    });
    let (b, officer) = setup(&app);
    let nomor = nomor_of(&create(&b, RUMPON, "perorangan", &[]));
    let docs = format!("/layanan/permohonan/{nomor}/dokumen");
    let page = b.get(&docs);
    let r = b.upload(
        &format!("{docs}/surat-permohonan"),
        &page,
        "surat.pdf",
        "application/pdf",
        &pdf(300_000),
    );
    assert_eq!(r.status, 503, "{}", r.body);
    assert_eq!(r.header("retry-after"), Some("60"));
    assert!(
        r.body
            .contains("Berkas tidak dapat diperiksa saat ini. Unggah kembali dalam beberapa menit."),
        "{}",
        r.body
    );
    assert!(!r.body.contains("virus"), "no talk of a virus: none was found");
    assert_eq!(counts(&app), (0, 0));
    // What is refused by its type is told so, scanner or not.
    let r = b.upload(
        &format!("{docs}/surat-permohonan"),
        &page,
        "foto.pdf",
        "application/pdf",
        &crate::applications::png(),
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Jenis berkas tidak diterima"), "{}", r.body);
    assert_eq!(counts(&app), (0, 0));
    assert_eq!(app.db().count("SELECT count(*) FROM scan_refusals"), 1);
    let list = officer.get("/layanan/petugas/berkas-ditolak");
    assert!(list.body.contains("Pemindai tidak tersedia") && list.body.contains(&nomor));
    assert!(list.body.contains("cannot connect to clamd"), "{}", list.body);
    // The officers and the monitoring see that the scanner is down before anyone calls.
    let home = officer.get("/layanan/petugas/");
    assert!(
        home.body
            .contains("Pemindai virus tidak menjawab. Semua unggahan dokumen ditolak"),
        "{}",
        home.body
    );
    let metrics = app.browser().get("/metrics").body;
    for line in ["sicantik_scanner_configured 1", "sicantik_scanner_up 0"] {
        assert!(metrics.lines().any(|l| l == line), "{line} missing:\n{metrics}");
    }
}

#[test]
fn a_file_over_the_scanners_limits_is_refused_as_not_checked_never_passed_as_clean() {
    let Some(small) = clamd("SICANTIK_TEST_CLAMD_SMALL") else {
        return;
    };
    let app = spawn_app_with(Options {
        env: vec![("SICANTIK_CLAMD", small)],
        ..Options::default()
    });
    let (b, _) = setup(&app);
    let nomor = nomor_of(&create(&b, RUMPON, "perorangan", &[]));
    let docs = format!("/layanan/permohonan/{nomor}/dokumen");
    let page = b.get(&docs);
    let path = format!("{docs}/surat-permohonan");
    let r = b.upload(&path, &page, "kecil.pdf", "application/pdf", &pdf(100_000));
    assert_eq!(r.status, 303, "under every limit: {}", r.body);
    // Under the permit's 5 MB but over clamd's 1 MiB stream: clamd hangs up mid-file.
    let over_stream = pdf(3 * 1024 * 1024);
    // Under the stream limit, over clamd's 512 KiB file limit, EICAR at the end.
    let mut over_file = pdf(700_000);
    over_file.extend_from_slice(&eicar());
    for (what, bytes) in [
        ("over the stream limit", over_stream),
        ("over the file limit", over_file),
    ] {
        let r = b.upload(&path, &page, "besar.pdf", "application/pdf", &bytes);
        assert_eq!(r.status, 422, "{what}: {}", r.body);
        assert!(
            r.body
                .contains("Berkas tidak dapat diperiksa karena ukuran atau isinya melampaui batas pemeriksaan."),
            "{what}: {}",
            r.body
        );
        assert_eq!(counts(&app), (1, 1), "{what}: kept");
    }
    assert_eq!(
        app.db()
            .count("SELECT count(*) FROM scan_refusals WHERE outcome = 'tidak_terperiksa'"),
        2
    );
}

crate::backend::also_on_postgres_and_s3!(
    a_document_is_kept_only_after_clamd_says_clean,
    with_the_scanner_down_an_upload_is_refused_as_not_checked_and_nothing_is_kept,
    a_file_over_the_scanners_limits_is_refused_as_not_checked_never_passed_as_clean,
);
