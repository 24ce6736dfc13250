//! Retention and breach readiness over HTTP: an applicant erased by the schedule leaves no NIK,
//! email, name or document in the database or the document store; a disabled officer's next
//! request is refused.

use std::time::Duration;

use formsvc::records::ErasureKind;

use crate::applications::{RUMPON, create, nomor_of, setup};
use crate::backend::also_on_postgres_and_s3;
use crate::helpers::*;

also_on_postgres_and_s3!(
    an_erased_applicant_leaves_no_nik_email_name_or_document_behind,
    a_disabled_officer_is_refused_at_the_next_request,
    an_admin_disables_an_officer_of_the_instansi_from_the_console_after_confirming,
);

const NIK: &str = "1671044508900002";
const EMAIL: &str = "rahmat.hidayat@contoh.id";
const NAME: &str = "Rahmat Hidayat";
const MARKER: &str = "ISI-DOKUMEN-YANG-DIHAPUS";
const DAY: i64 = 24 * 3600;

#[test]
fn an_erased_applicant_leaves_no_nik_email_name_or_document_behind() {
    let app = spawn_app();
    let (b, officer) = setup(&app);

    // Refused, 40 days ago (the default schedule keeps refusals 30 days).
    let fields = with(
        &with(&registration("rahmat", EMAIL), "nomor_identitas", NIK),
        "nama",
        NAME,
    );
    assert_eq!(register(&app.browser(), &fields).status, 303);
    let id = app.db().count("SELECT id FROM applicants WHERE username = 'rahmat'");
    let detail = officer.get(&format!("/layanan/petugas/registrasi/{id}"));
    let r = officer.post(
        &format!("/layanan/petugas/registrasi/{id}/tolak"),
        &detail,
        &[("alasan", "Foto KTP tidak terbaca.")],
    );
    assert_eq!(r.status, 303);
    let sealed = app
        .db()
        .texts(&format!("SELECT nomor_identitas FROM applicants WHERE id = {id}"));
    let hash = app
        .db()
        .texts(&format!("SELECT nomor_identitas_hash FROM applicants WHERE id = {id}"));

    // An active applicant's draft with a document, untouched for 200 days.
    let nomor = nomor_of(&create(&b, RUMPON, "perorangan", &[]));
    let page = b.get(&format!("/layanan/permohonan/{nomor}/dokumen"));
    let pdf = formsvc::samples::pdf(format!("% {MARKER}").as_bytes());
    let r = b.upload(
        &format!("/layanan/permohonan/{nomor}/dokumen/surat-permohonan"),
        &page,
        "surat.pdf",
        "application/pdf",
        &pdf,
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(app.raw_objects().len(), 1);
    // Every email of the refusal delivered, so none is in flight while it is erased.
    let until = std::time::Instant::now() + WAIT;
    while app.db().count("SELECT count(*) FROM outbox WHERE status = 'antre'") > 0 {
        assert!(std::time::Instant::now() < until, "the emails were not sent");
        std::thread::sleep(Duration::from_millis(50));
    }
    app.db().exec(&format!(
        "UPDATE applicants SET decided_at = decided_at - {} WHERE id = {id}",
        40 * DAY
    ));
    app.db().exec(&format!(
        "UPDATE applications SET updated_at = updated_at - {} WHERE nomor = '{nomor}'",
        200 * DAY
    ));
    assert!(app.db().dump().contains(EMAIL), "the scan sees the email before");

    let dry = block_on(formsvc::retention::run_configured(app.config(), false)).expect("dry run");
    assert_eq!(dry.count(ErasureKind::RefusedRegistrations), 1);
    assert_eq!(dry.ids(ErasureKind::Drafts), std::slice::from_ref(&nomor));
    assert!(app.db().dump().contains(EMAIL), "a dry run erases nothing");

    let done = block_on(formsvc::retention::run_configured(app.config(), true)).expect("retention");
    assert_eq!(done.count(ErasureKind::RefusedRegistrations), 1);
    assert_eq!(done.ids(ErasureKind::Drafts), std::slice::from_ref(&nomor));
    assert_eq!(done.documents, 1);
    // The document's object goes with the sweeper, once its grace period is over (here: now).
    let swept = block_on(async {
        let service = formsvc::Service::new(app.config()).await.expect("service");
        formsvc::sweeper::sweep(&service.app.store, &service.app.blobs, Duration::ZERO).await
    })
    .expect("sweep");
    assert_eq!(swept, 1);

    let dump = app.db().dump();
    for (what, needle) in [
        ("NIK", NIK),
        ("sealed NIK", sealed[0].as_str()),
        ("NIK hash", hash[0].as_str()),
        ("email", EMAIL),
        ("name", NAME),
        ("draft", nomor.as_str()),
    ] {
        assert!(!dump.contains(needle), "the erased {what} is still in the database");
    }
    assert!(app.raw_objects().is_empty(), "the document's object is gone");
    assert!(
        app.db().dump().contains("nelayan@contoh.id"),
        "the active applicant is kept"
    );
    assert_eq!(b.get(&format!("/layanan/permohonan/{nomor}")).status, 404);
    let audit = officer.get("/layanan/petugas/audit");
    assert!(
        audit.body.contains("Dihapus sesuai jadwal retensi"),
        "officers see the erasure in the audit trail"
    );
    assert!(!audit.body.contains(NAME) && !audit.body.contains(EMAIL));
}

#[test]
fn a_disabled_officer_is_refused_at_the_next_request() {
    let app = spawn_app();
    let (_, officer) = setup(&app);
    assert_eq!(officer.get("/layanan/petugas/").status, 200);
    assert!(block_on(formsvc::officers::disable(app.config(), "petugas1")).expect("disable"));
    let r = officer.get("/layanan/petugas/");
    assert_ne!(r.status, 200, "the session ended at once");
    let fresh = app.browser();
    let page = fresh.get("/layanan/petugas/masuk");
    let again = fresh.post(
        "/layanan/petugas/masuk",
        &page,
        &[("login", "petugas1"), ("password", OFFICER_PASSWORD)],
    );
    assert_ne!(again.status, 303, "a disabled officer cannot sign in");
    let listed = block_on(formsvc::officers::list(app.config())).expect("list");
    assert!(
        listed
            .iter()
            .any(|a| a.username == "petugas1" && a.disabled_at.is_some() && a.last_login_at.is_some())
    );
}

#[test]
fn an_admin_disables_an_officer_of_the_instansi_from_the_console_after_confirming() {
    let app = spawn_app();
    let (_, admin) = setup(&app);
    app.add_officer("petugas2", "petugas2@dpmptsp.test", None);
    app.add_officer("petugas.lain", "lain@dpmptsp.test", Some("DPMPTSP Kabupaten Banyuasin"));
    let colleague = app.officer("petugas2");

    // Only an admin: the others are refused, and see no link to it.
    assert!(!admin.get("/layanan/petugas/").body.contains("petugas/akun"));
    assert_eq!(admin.get("/layanan/petugas/akun").status, 403);
    let page = admin.get("/layanan/petugas/");
    assert_eq!(
        admin
            .post("/layanan/petugas/akun/petugas2/nonaktifkan", &page, &[])
            .status,
        403
    );
    assert!(block_on(formsvc::officers::set_admin(app.config(), "petugas1", true)).expect("admin"));

    let list = admin.get("/layanan/petugas/akun");
    assert_eq!(list.status, 200, "{}", list.body);
    assert!(list.body.contains("petugas/akun/petugas2/nonaktifkan"));
    assert!(!list.body.contains("petugas.lain"), "only the instansi's officers");
    assert_eq!(admin.get("/layanan/petugas/akun/petugas.lain/nonaktifkan").status, 404);

    let confirm = admin.get("/layanan/petugas/akun/petugas2/nonaktifkan");
    assert!(confirm.body.contains("Nonaktifkan akun petugas2?"));
    assert_ne!(
        admin.post_raw("/layanan/petugas/akun/petugas2/nonaktifkan", &[]).status,
        303,
        "not without the page's form token"
    );
    assert_eq!(colleague.get("/layanan/petugas/").status, 200);
    let r = admin.post("/layanan/petugas/akun/petugas2/nonaktifkan", &confirm, &[]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_ne!(
        colleague.get("/layanan/petugas/").status,
        200,
        "its session ended at once"
    );
    assert!(admin.get(r.location()).body.contains("Nonaktif sejak"));
    let own = admin.get("/layanan/petugas/akun/petugas1/nonaktifkan");
    assert_eq!(
        admin
            .post("/layanan/petugas/akun/petugas1/nonaktifkan", &own, &[])
            .status,
        409,
        "not their own account"
    );
    let audit = admin.get("/layanan/petugas/audit");
    assert!(audit.body.contains("Akun petugas dinonaktifkan"));
    assert!(
        audit
            .body
            .contains("<td>petugas1 <span class=\"konsol-meta\">Petugas</span></td>"),
        "in the admin's name"
    );
}
