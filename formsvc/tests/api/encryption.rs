//! Encryption at rest over HTTP: what an upload leaves in the folder or the bucket, what a
//! download gives back (the document, or an error: never altered bytes), a rotation of the
//! master key, documents stored before encryption, and the NIK in the database.

use crate::applications::{RUMPON, create, nomor_of, setup};
use crate::helpers::*;

const NIK: &str = "1671044508900001";
const MARKER: &str = "RAHASIA-PENANDA-SICANTIK";

/// A PDF of about `len` bytes with a marker that must never be found in the store.
fn marked_pdf(len: usize) -> Vec<u8> {
    let mut text = format!("% {MARKER}\n").into_bytes();
    while text.len() < len {
        text.extend_from_slice(format!("({MARKER}) Tj {NIK}\n").as_bytes());
    }
    formsvc::samples::pdf(&text)
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// A draft application of the signed-in applicant with `doc` uploaded as its first
/// requirement: (application number, document id).
fn with_document(app: &TestApp, b: &Browser, doc: &[u8]) -> (String, i64) {
    let nomor = nomor_of(&create(b, RUMPON, "perorangan", &[]));
    let page = b.get(&format!("/layanan/permohonan/{nomor}/dokumen"));
    let r = b.upload(
        &format!("/layanan/permohonan/{nomor}/dokumen/surat-permohonan"),
        &page,
        "surat.pdf",
        "application/pdf",
        doc,
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let id = app
        .db()
        .count("SELECT max(id) FROM documents WHERE requirement_id = 'surat-permohonan'");
    (nomor, id)
}

/// The only stored object's name.
fn only_object(app: &TestApp) -> (String, Vec<u8>) {
    let mut all = app.raw_objects();
    assert_eq!(all.len(), 1, "{:?}", all.iter().map(|(n, _)| n).collect::<Vec<_>>());
    all.remove(0)
}

#[test]
fn documents_are_encrypted_in_the_store_and_download_exactly_as_uploaded() {
    let app = spawn_app();
    let (b, officer) = setup(&app);
    let nomor = nomor_of(&create(&b, RUMPON, "perorangan", &[]));
    crate::applications::upload_all(&b, &nomor);
    // Several 64 KiB chunks and a part of one, in place of the first requirement's upload.
    let doc = marked_pdf(300 * 1024);
    let page = b.get(&format!("/layanan/permohonan/{nomor}/dokumen"));
    let r = b.upload(
        &format!("/layanan/permohonan/{nomor}/dokumen/surat-permohonan"),
        &page,
        "surat.pdf",
        "application/pdf",
        &doc,
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let id = app
        .db()
        .count("SELECT id FROM documents WHERE requirement_id = 'surat-permohonan'");

    let objects = app.raw_objects();
    assert_eq!(
        objects.len(),
        5,
        "one object per requirement, and the replaced one until the sweeper's grace period ends"
    );
    assert_eq!(app.db().count("SELECT count(*) FROM discarded_blobs"), 1);
    let keys = app.db().texts("SELECT wrapped_key FROM documents");
    for (name, stored) in &objects {
        for marker in [MARKER, NIK, "%PDF-", "PNG"] {
            assert!(!contains(stored, marker), "{name} shows {marker}");
        }
        for key in &keys {
            assert!(!contains(stored, key), "the key is in the row, never beside the object");
        }
    }

    let (head, body) = b.download(&app.document_url(id));
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length"), Some(doc.len().to_string().as_str()));
    assert!(body == doc, "the download differs from the upload");

    // The officer sees the SHA-256 of what was uploaded, not of what is stored.
    let check = b.get(&format!("/layanan/permohonan/{nomor}/ajukan"));
    assert_eq!(
        b.post(&format!("/layanan/permohonan/{nomor}/ajukan"), &check, &[])
            .status,
        303
    );
    let review = officer.get(&format!("/layanan/petugas/permohonan/{nomor}"));
    use sha2::Digest;
    let plain_hash: String = sha2::Sha256::digest(&doc).iter().map(|x| format!("{x:02x}")).collect();
    assert!(
        review.body.contains(&plain_hash[..16]),
        "the plaintext's SHA-256 is shown"
    );
    let (_, seen) = officer.download(&format!("{}?lihat=1", app.document_url(id)));
    assert!(seen == doc, "the officer's copy differs");
}

#[test]
fn a_spoiled_or_truncated_document_is_an_error_never_its_bytes() {
    let app = spawn_app();
    let (b, _) = setup(&app);

    // A small document is one chunk: checked before the answer starts, so an error page.
    let (_, small) = with_document(&app, &b, &marked_pdf(2000));
    let (name, good) = only_object(&app);
    let mut flipped = good.clone();
    flipped[good.len() / 2] ^= 0x01;
    app.overwrite_object(&name, flipped);
    let (head, body) = b.download(&app.document_url(small));
    assert_eq!(head.status, 500, "a spoiled document is a server error");
    assert!(!contains(&body, MARKER), "no byte of the document");
    app.overwrite_object(&name, good[..good.len() - 1].to_vec());
    assert_eq!(b.download(&app.document_url(small)).0.status, 500, "truncated");

    // A large one fails where the damage is. The answer may have begun: then the transfer
    // breaks off short of its Content-Length (or before the headers, when the good chunks were
    // not sent yet), and the client never holds a complete-looking file.
    let doc = marked_pdf(400 * 1024);
    let nomor = nomor_of(&create(&b, RUMPON, "perorangan", &[]));
    let form = b.get(&format!("/layanan/permohonan/{nomor}/dokumen"));
    let r = b.upload(
        &format!("/layanan/permohonan/{nomor}/dokumen/surat-permohonan"),
        &form,
        "besar.pdf",
        "application/pdf",
        &doc,
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let large = app
        .db()
        .count("SELECT max(id) FROM documents WHERE requirement_id = 'surat-permohonan'");
    let (large_name, large_good) = app
        .raw_objects()
        .into_iter()
        .find(|(n, _)| *n != name)
        .expect("the large object");
    for (what, bad) in [
        ("a flipped byte in the fourth chunk", {
            let mut v = large_good.clone();
            v[12 + 3 * (64 * 1024 + 16) + 100] ^= 0x01;
            v
        }),
        (
            "cut after three chunks",
            large_good[..12 + 3 * (64 * 1024 + 16)].to_vec(),
        ),
    ] {
        app.overwrite_object(&large_name, bad);
        match b.try_download(&app.document_url(large)) {
            Err(_) => {}
            Ok((head, body)) => assert!(
                head.status == 500 && !contains(&body, MARKER),
                "{what}: a complete answer ({}, {} bytes)",
                head.status,
                body.len()
            ),
        }
    }
    app.overwrite_object(&large_name, large_good);
    assert!(
        b.download(&app.document_url(large)).1 == doc,
        "restored, it opens again"
    );
}

#[test]
fn a_document_uploaded_before_a_key_rotation_downloads_after_it_with_the_old_key_gone() {
    let mut app = spawn_app();
    let (b, officer) = setup(&app);
    let doc = marked_pdf(150 * 1024);
    let (_, id) = with_document(&app, &b, &doc);
    let applicant = app.db().count("SELECT id FROM applicants WHERE username = 'nelayan'");
    app.stop();

    // The laptop default: the key made in the data directory at first start.
    let old_path = app.data.path().join("master.key");
    let old = formsvc::keys::read_key_file(&old_path, "old").expect("the first start made a key");
    let keys = tempfile::tempdir().expect("key dir");
    let new_path = keys.path().join("baru.key");
    let new = formsvc::keys::generate_key_file(&new_path).expect("a new key");
    let cfg = app.config();
    let report = block_on(formsvc::keys::maintenance::rotate_configured(&cfg, &old, &new)).expect("rotate");
    assert_eq!(report.rewrapped, 1);
    assert!(report.nik_key_rewrapped && report.failed.is_empty(), "{report:?}");
    let again = block_on(formsvc::keys::maintenance::rotate_configured(&cfg, &old, &new)).expect("again");
    assert_eq!(again.rewrapped, 0, "a second run finds nothing to do");

    std::fs::remove_file(&old_path).expect("the old key goes");
    app.set_env("SICANTIK_MASTER_KEY_FILE", &new_path.display().to_string());
    app.restart();
    assert!(!old_path.exists(), "no new key is made in the data directory");
    login(&b, "nelayan", "hujan turun di jembatan ampera");
    let (head, body) = b.download(&app.document_url(id));
    assert_eq!(head.status, 200);
    assert!(body == doc);
    let detail = officer.get(&format!("/layanan/petugas/registrasi/{applicant}"));
    assert!(detail.body.contains(NIK), "the NIK still opens for the officer");
}

#[test]
fn a_service_started_with_another_master_key_refuses_to_start() {
    let mut app = spawn_app();
    app.stop();
    let keys = tempfile::tempdir().expect("key dir");
    let other = keys.path().join("lain.key");
    formsvc::keys::generate_key_file(&other).expect("key");
    app.set_env("SICANTIK_MASTER_KEY_FILE", &other.display().to_string());
    let err = block_on(formsvc::Service::new(app.config())).err().expect("refused");
    assert!(err.to_string().contains("SICANTIK_MASTER_KEY_FILE"), "{err}");
}

#[test]
fn documents_stored_before_encryption_are_served_as_stored_then_encrypted_by_the_command() {
    let app = spawn_app();
    let (b, _) = setup(&app);
    let doc = marked_pdf(100 * 1024);
    let (_, id) = with_document(&app, &b, &doc);
    // As an upload before encryption left it: the plain file, a row without a key.
    let (name, _) = only_object(&app);
    app.overwrite_object(&name, doc.clone());
    app.db().exec(&format!(
        "UPDATE documents SET key_id = NULL, wrapped_key = NULL WHERE id = {id}"
    ));
    let (_, body) = b.download(&app.document_url(id));
    assert!(body == doc, "served as stored");

    let report = block_on(formsvc::keys::maintenance::encrypt_configured(&app.config())).expect("encrypt");
    assert_eq!((report.encrypted, report.failed.len()), (1, 0), "{report:?}");
    let (new_name, stored) = only_object(&app);
    assert_ne!(new_name, name, "written anew, the plain object gone");
    assert!(!contains(&stored, MARKER));
    assert_eq!(
        app.db().count(&format!(
            "SELECT count(*) FROM documents WHERE id = {id} AND key_id IS NOT NULL"
        )),
        1
    );
    let (_, body) = b.download(&app.document_url(id));
    assert!(body == doc, "decrypted");
    let again = block_on(formsvc::keys::maintenance::encrypt_configured(&app.config())).expect("again");
    assert_eq!(again.encrypted, 0);
}

#[test]
fn the_database_holds_no_nik_in_clear_and_officers_still_see_it() {
    let app = spawn_app();
    let (b, officer) = setup(&app);
    let nomor = nomor_of(&create(&b, RUMPON, "perorangan", &[]));
    crate::applications::upload_all(&b, &nomor);
    let check = b.get(&format!("/layanan/permohonan/{nomor}/ajukan"));
    b.post(&format!("/layanan/permohonan/{nomor}/ajukan"), &check, &[]);
    let dump = app.db().dump();
    assert!(
        dump.contains("nelayan@contoh.id"),
        "the dump is readable (the email is not sealed)"
    );
    assert!(!dump.contains(NIK), "the NIK is in the database in clear");

    let applicant = app.db().count("SELECT id FROM applicants WHERE username = 'nelayan'");
    let detail = officer.get(&format!("/layanan/petugas/registrasi/{applicant}"));
    assert!(
        detail.body.contains(NIK),
        "the officer sees the NIK on the registration"
    );
    let review = officer.get(&format!("/layanan/petugas/permohonan/{nomor}"));
    assert!(review.body.contains(NIK), "and on the application");
    assert!(b.get("/layanan/").body.contains(NIK), "the applicant sees their own");
    assert!(
        !app.browser()
            .get(&format!("/layanan/petugas/registrasi/{applicant}"))
            .body
            .contains(NIK),
        "nobody else does"
    );
}

#[test]
fn the_limit_per_nik_holds_through_its_keyed_hash() {
    let app = spawn_app();
    let b = app.browser();
    let mut statuses = Vec::new();
    for i in 0..6 {
        let fields = registration(&format!("warga{i}"), &format!("warga{i}@contoh.id"));
        statuses.push(register(&b, &fields).status);
    }
    assert_eq!(
        statuses,
        [303, 303, 303, 303, 303, 429],
        "five registrations per NIK a day"
    );
    let another = with(
        &registration("warga9", "warga9@contoh.id"),
        "nomor_identitas",
        "1671044508900002",
    );
    assert_eq!(register(&b, &another).status, 303, "another NIK is not limited");
    let plain = format!("register-id:{}", &formsvc::security::token_hash(NIK)[..32]);
    assert_eq!(
        app.db()
            .count(&format!("SELECT count(*) FROM attempt_counters WHERE key = '{plain}'")),
        0,
        "the counter is not keyed by a plain hash of the NIK"
    );
    assert!(!app.db().dump().contains(NIK));
}

crate::backend::also_on_postgres_and_s3!(
    documents_are_encrypted_in_the_store_and_download_exactly_as_uploaded,
    a_spoiled_or_truncated_document_is_an_error_never_its_bytes,
    a_document_uploaded_before_a_key_rotation_downloads_after_it_with_the_old_key_gone,
    a_service_started_with_another_master_key_refuses_to_start,
    documents_stored_before_encryption_are_served_as_stored_then_encrypted_by_the_command,
    the_database_holds_no_nik_in_clear_and_officers_still_see_it,
    the_limit_per_nik_holds_through_its_keyed_hash
);
