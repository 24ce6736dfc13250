//! The right to deletion over HTTP: Hapus Akun records a request, an officer of the
//! applicant's instansi processes it in the console, and the applicant is told by email what
//! went and what the archive keeps; nobody else sees, cancels or processes the request. A
//! correction of name or NIK changes the account only when an officer approves it.

use std::time::Duration;

use crate::applications::{RUMPON, create, nomor_of, setup};
use crate::backend::also_on_postgres_and_s3;
use crate::helpers::*;

also_on_postgres_and_s3!(
    an_applicant_can_request_deletion_and_an_officer_erases_all_but_finished_applications,
    an_applicant_cannot_see_or_cancel_another_applicants_request,
    a_name_correction_changes_the_name_only_after_an_officer_approves,
    a_refused_nik_correction_changes_nothing_and_the_applicant_reads_why,
);

const PW: &str = "hujan turun di jembatan ampera";
const EMAIL: &str = "nelayan@contoh.id";
const MARKER: &str = "ISI-DRAF-YANG-DIHAPUS";

/// A draft of `b` with one document holding `marker`.
fn draft_with_document(b: &Browser, marker: &str) -> String {
    let nomor = nomor_of(&create(b, RUMPON, "perorangan", &[]));
    let page = b.get(&format!("/layanan/permohonan/{nomor}/dokumen"));
    let pdf = formsvc::samples::pdf(format!("% {marker}").as_bytes());
    let r = b.upload(
        &format!("/layanan/permohonan/{nomor}/dokumen/surat-permohonan"),
        &page,
        "surat.pdf",
        "application/pdf",
        &pdf,
    );
    assert_eq!(r.status, 303, "{}", r.body);
    nomor
}

fn request_id(app: &TestApp) -> i64 {
    app.db().count("SELECT max(id) FROM deletion_requests")
}

#[test]
fn an_applicant_can_request_deletion_and_an_officer_erases_all_but_finished_applications() {
    let app = spawn_app();
    let (b, officer) = setup(&app);
    let draft = draft_with_document(&b, MARKER);
    let finished = draft_with_document(&b, "ISI-ARSIP");
    app.db().exec(&format!(
        "UPDATE applications SET status = 'selesai' WHERE nomor = '{finished}'"
    ));
    let registration = app
        .db()
        .texts("SELECT nomor FROM applicants WHERE username = 'nelayan'")[0]
        .clone();
    let sealed = app
        .db()
        .texts("SELECT nomor_identitas FROM applicants WHERE username = 'nelayan'")[0]
        .clone();
    let hash = app
        .db()
        .texts("SELECT nomor_identitas_hash FROM applicants WHERE username = 'nelayan'")[0]
        .clone();

    // The page says what goes and what stays, and for how long.
    let page = b.get("/layanan/hapus-akun");
    assert_eq!(page.status, 200, "{}", page.body);
    let (goes, stays) = page.body.split_once("Yang wajib disimpan").expect("both sections");
    assert!(goes.contains(&draft) && !goes.contains(&finished), "{goes}");
    assert!(stays.contains(&finished) && stays.contains("10 tahun"), "{stays}");

    // Without the confirmation: the error summary, nothing recorded.
    let refused = b.post("/layanan/hapus-akun", &page, &[]);
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("ringkasan-galat") && refused.body.contains("href=\"#konfirmasi\""));
    assert_eq!(app.db().count("SELECT count(*) FROM deletion_requests"), 0);
    let r = b.post("/layanan/hapus-akun", &page, &[("konfirmasi", "ya")]);
    assert_eq!(r.status, 303, "{}", r.body);
    let page = b.get(r.location());
    assert!(
        page.body.contains("Diajukan, menunggu diproses petugas"),
        "{}",
        page.body
    );

    // The console's front page says it waits and lists it; processing erases the account but
    // the finished application.
    assert!(
        officer
            .get("/layanan/petugas/")
            .body
            .contains("1 permintaan penghapusan akun menunggu diproses")
    );
    let list = officer.get("/layanan/petugas/penghapusan");
    assert!(list.body.contains(&registration), "{}", list.body);
    let id = request_id(&app);
    let confirm = officer.get(&format!("/layanan/petugas/penghapusan/{id}"));
    assert_eq!(confirm.status, 200);
    let r = officer.post(&format!("/layanan/petugas/penghapusan/{id}/proses"), &confirm, &[]);
    assert_eq!(r.status, 303, "{}", r.body);
    let again = officer.post(&format!("/layanan/petugas/penghapusan/{id}/proses"), &confirm, &[]);
    assert_eq!(again.status, 409, "processed once");

    assert_eq!(b.get("/layanan/").status, 303, "the session ended");
    assert_ne!(login(&b, "nelayan", PW).status, 303, "the account cannot sign in");
    let mails = app.smtp.wait_for(1, WAIT);
    let deadline = std::time::Instant::now() + WAIT;
    let notice = loop {
        if let Some(m) = app
            .smtp
            .messages()
            .into_iter()
            .find(|m| m.subject.contains("Akun Layanan Pemohon telah dihapus"))
        {
            break m;
        }
        assert!(std::time::Instant::now() < deadline, "no notice among {mails:?}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(notice.envelope_to, [EMAIL.to_string()]);
    assert!(notice.text.contains(&format!("{finished} (")) && notice.text.contains("disimpan sampai"));
    assert!(
        notice
            .text
            .contains("1 permohonan yang belum selesai atau ditolak, beserta 1 dokumen")
    );
    assert!(!notice.text.contains(&draft));

    // The draft's object goes with the sweeper; the finished application's stays.
    let swept = block_on(async {
        let service = formsvc::Service::new(app.config()).await.expect("service");
        formsvc::sweeper::sweep(&service.app.store, &service.app.blobs, Duration::ZERO).await
    })
    .expect("sweep");
    assert_eq!(swept, 1);
    assert_eq!(app.raw_objects().len(), 1);
    assert_eq!(
        app.db()
            .count(&format!("SELECT count(*) FROM applications WHERE nomor = '{finished}'")),
        1
    );
    assert_eq!(
        app.db()
            .count(&format!("SELECT count(*) FROM applications WHERE nomor = '{draft}'")),
        0
    );

    // The account's row holds nothing of the person; their address is only on the notice.
    assert_eq!(
        app.db().count(&format!(
            "SELECT count(*) FROM applicants WHERE nomor = '{registration}' AND username = '' AND email = ''
             AND nama = '' AND nomor_identitas = '' AND telepon = '' AND password_hash IS NULL"
        )),
        1
    );
    let dump = app.db().dump();
    assert!(
        !dump.contains(&sealed) && !dump.contains(&hash),
        "the account's NIK is gone"
    );
    assert_eq!(
        app.db()
            .count(&format!("SELECT count(*) FROM outbox WHERE recipient = '{EMAIL}'")),
        1,
        "only the notice of the erasure"
    );
    let audit = officer.get("/layanan/petugas/audit");
    assert!(audit.body.contains("Permintaan penghapusan akun diajukan"));
    assert!(audit.body.contains("Akun dihapus atas permintaan pemohon"));
    assert!(!audit.body.contains(">nelayan (pemohon)"), "{}", audit.body);
}

#[test]
fn an_applicant_cannot_see_or_cancel_another_applicants_request() {
    let app = spawn_app();
    let (b, _) = setup(&app);
    let page = b.get("/layanan/hapus-akun");
    assert_eq!(
        b.post("/layanan/hapus-akun", &page, &[("konfirmasi", "ya")]).status,
        303
    );
    let id = request_id(&app);

    let other = active_applicant(&app, "tetangga", "tetangga@contoh.id", PW);
    login(&other, "tetangga", PW);
    let theirs = other.get("/layanan/hapus-akun");
    assert!(!theirs.body.contains("Diajukan, menunggu"), "{}", theirs.body);
    assert!(theirs.body.contains("Ajukan penghapusan akun"));
    assert_eq!(other.post("/layanan/hapus-akun/batal", &theirs, &[]).status, 409);
    assert_eq!(
        app.db().count(&format!(
            "SELECT count(*) FROM deletion_requests WHERE id = {id} AND status = 'diajukan'"
        )),
        1
    );

    // Without the page's form token: refused, nothing changes.
    assert_ne!(b.post_raw("/layanan/hapus-akun/batal", &[]).status, 303);
    assert_ne!(
        other.post_raw("/layanan/hapus-akun", &[("konfirmasi", "ya")]).status,
        303
    );
    assert_eq!(app.db().count("SELECT count(*) FROM deletion_requests"), 1);

    // An officer of another instansi neither sees nor processes it.
    app.add_officer("petugas.lain", "lain@dpmptsp.test", Some("DPMPTSP Kabupaten Banyuasin"));
    let elsewhere = app.officer("petugas.lain");
    assert_eq!(elsewhere.get(&format!("/layanan/petugas/penghapusan/{id}")).status, 404);
    let list = elsewhere.get("/layanan/petugas/penghapusan");
    assert_eq!(
        elsewhere
            .post(&format!("/layanan/petugas/penghapusan/{id}/proses"), &list, &[])
            .status,
        404
    );
    let officer = app.officer("petugas1");
    let confirm = officer.get(&format!("/layanan/petugas/penghapusan/{id}"));
    assert_ne!(
        officer
            .post_raw(&format!("/layanan/petugas/penghapusan/{id}/proses"), &[])
            .status,
        303,
        "no processing without the form token"
    );
    assert_eq!(confirm.status, 200);

    // Its own applicant cancels it.
    let page = b.get("/layanan/hapus-akun");
    let r = b.post("/layanan/hapus-akun/batal", &page, &[]);
    assert_eq!(r.status, 303);
    assert!(b.get(r.location()).body.contains("telah dibatalkan"));
    assert_eq!(
        app.db().count(&format!(
            "SELECT count(*) FROM deletion_requests WHERE id = {id} AND status = 'dibatalkan'"
        )),
        1
    );
    assert_eq!(officer.get(&format!("/layanan/petugas/penghapusan/{id}")).status, 404);
}

/// The newest mail to `to` whose subject contains `subject`.
fn mail_to(app: &TestApp, to: &str, subject: &str) -> crate::smtp::Mail {
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        if let Some(m) = app
            .smtp
            .messages()
            .into_iter()
            .rev()
            .find(|m| m.envelope_to == [to.to_string()] && m.subject.contains(subject))
        {
            return m;
        }
        assert!(std::time::Instant::now() < deadline, "no {subject} mail to {to}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn correction_id(app: &TestApp) -> i64 {
    app.db().count("SELECT max(id) FROM identity_corrections")
}

#[test]
fn a_name_correction_changes_the_name_only_after_an_officer_approves() {
    let app = spawn_app();
    let (b, officer) = setup(&app);
    let page = b.get("/layanan/profil");
    assert!(
        page.body.contains("Perbaiki nama atau nomor identitas"),
        "{} {}",
        page.status,
        page.body
    );

    // Errors come back in a summary, with what was typed.
    let r = b.post("/layanan/profil/koreksi", &page, &[("nilai_baru", "Siti Aminah Putri")]);
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("href=\"#bagian\"") && r.body.contains("href=\"#alasan\""),
        "{}",
        r.body
    );
    assert!(r.body.contains("Siti Aminah Putri"));
    // Without the page's form token: refused.
    assert_ne!(
        b.post_raw(
            "/layanan/profil/koreksi",
            &[
                ("bagian", "nama"),
                ("nilai_baru", "Siti Aminah Putri"),
                ("alasan", "Nama pada KTP baru")
            ],
        )
        .status,
        303
    );
    assert_eq!(app.db().count("SELECT count(*) FROM identity_corrections"), 0);

    let r = b.post(
        "/layanan/profil/koreksi",
        &page,
        &[
            ("bagian", "nama"),
            ("nilai_baru", "Siti Aminah Putri"),
            ("alasan", "Nama pada KTP baru"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let profile = b.get(r.location());
    assert!(profile.body.contains("Diajukan, menunggu diperiksa petugas"));
    assert!(!profile.body.contains("Ajukan perbaikan"), "one waits at a time");
    assert!(
        b.get("/layanan/").body.contains("Selamat datang, Siti Aminah."),
        "unchanged until approved"
    );

    let id = correction_id(&app);
    assert!(
        officer
            .get("/layanan/petugas/")
            .body
            .contains("1 permintaan perbaikan identitas menunggu diperiksa")
    );
    assert!(
        officer
            .get("/layanan/petugas/koreksi")
            .body
            .contains(&format!("petugas/koreksi/{id}"))
    );
    let before = app.db().count("SELECT count(*) FROM data_access");
    let detail = officer.get(&format!("/layanan/petugas/koreksi/{id}"));
    assert!(detail.body.contains("Siti Aminah Putri") && detail.body.contains("Nama pada KTP baru"));
    assert_eq!(
        app.db().count("SELECT count(*) FROM data_access"),
        before + 1,
        "the look is in the processing record"
    );
    let r = officer.post(&format!("/layanan/petugas/koreksi/{id}/setujui"), &detail, &[]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        officer
            .post(&format!("/layanan/petugas/koreksi/{id}/setujui"), &detail, &[])
            .status,
        409
    );

    assert!(b.get("/layanan/").body.contains("Selamat datang, Siti Aminah Putri."));
    assert!(b.get("/layanan/profil").body.contains("Disetujui, data telah diubah"));
    let mail = mail_to(&app, "nelayan@contoh.id", "Perbaikan data disetujui");
    assert!(mail.text.contains("telah disetujui"));
    let audit = officer.get("/layanan/petugas/audit");
    assert!(audit.body.contains("Perbaikan nama atau nomor identitas disetujui"));
    assert!(b.get("/layanan/riwayat-akses").body.contains("Petugas Perizinan"));
    // The request and its answer are in the copy of the data.
    let (r, zip) = b.post_download("/layanan/salinan-data", &b.get("/layanan/"), &[]);
    assert_eq!(r.status, 200);
    let needle = b"\"permintaan_perbaikan\"";
    assert!(
        zip.windows(needle.len()).any(|w| w == needle),
        "data.json lists the request"
    );
}

#[test]
fn a_refused_nik_correction_changes_nothing_and_the_applicant_reads_why() {
    const NEW_NIK: &str = "1671026505910008";
    let app = spawn_app();
    let (b, officer) = setup(&app);
    let page = b.get("/layanan/profil");
    let r = b.post(
        "/layanan/profil/koreksi",
        &page,
        &[
            ("bagian", "nomor_identitas"),
            ("nilai_baru", "12345"),
            ("alasan", "Salah ketik saat registrasi"),
        ],
    );
    assert_eq!(r.status, 422, "a NIK is parsed as registration parses it");
    let r = b.post(
        "/layanan/profil/koreksi",
        &page,
        &[
            ("bagian", "nomor_identitas"),
            ("nilai_baru", NEW_NIK),
            ("alasan", "Salah ketik saat registrasi"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(!app.db().dump().contains(NEW_NIK), "the number asked for is sealed");
    let id = correction_id(&app);

    // Another instansi's officer does not find it; a refusal needs a reason.
    app.add_officer("petugas.lain", "lain@dpmptsp.test", Some("DPMPTSP Kabupaten Banyuasin"));
    assert_eq!(
        app.officer("petugas.lain")
            .get(&format!("/layanan/petugas/koreksi/{id}"))
            .status,
        404
    );
    let detail = officer.get(&format!("/layanan/petugas/koreksi/{id}"));
    assert!(detail.body.contains(NEW_NIK) && detail.body.contains("1671044508900001"));
    let r = officer.post(&format!("/layanan/petugas/koreksi/{id}/tolak"), &detail, &[]);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("href=\"#alasan_tolak\""));
    let r = officer.post(
        &format!("/layanan/petugas/koreksi/{id}/tolak"),
        &detail,
        &[("alasan_tolak", "Lampirkan pindaian KTP yang baru pada permohonan.")],
    );
    assert_eq!(r.status, 303, "{}", r.body);

    let profile = b.get("/layanan/profil");
    assert!(
        profile
            .body
            .contains("Ditolak. Alasan: Lampirkan pindaian KTP yang baru pada permohonan.")
    );
    assert!(
        b.get("/layanan/").body.contains("1671044508900001"),
        "the NIK is unchanged"
    );
    let mail = mail_to(&app, "nelayan@contoh.id", "Perbaikan data ditolak");
    assert!(mail.text.contains("Lampirkan pindaian KTP yang baru"));
    assert!(!mail.text.contains(NEW_NIK), "no identity number by email");
}
