//! The applicant's rights under UU PDP over HTTP: Riwayat akses data lists each officer's look
//! at the applicant's data and documents (and none of their own), and "Unduh salinan data saya"
//! gives one zip with data.json and the documents, byte for byte, to that applicant only.

use sha2::{Digest, Sha256};

use crate::applications::{RUMPON, create, nomor_of, pdf, png, setup};
use crate::helpers::*;

const PW: &str = "hujan turun di jembatan ampera";

/// Distinct documents for each requirement of the Rumpon permit.
fn documents() -> Vec<(&'static str, &'static str, &'static str, Vec<u8>)> {
    vec![
        ("surat-permohonan", "surat.pdf", "application/pdf", pdf(100)),
        ("sipi", "sipi.pdf", "application/pdf", pdf(2000)),
        ("ktp-penanggung-jawab", "ktp.png", "image/png", png()),
        (
            "tata-letak-spesifikasi",
            "tata letak.pdf",
            "application/pdf",
            pdf(300_000),
        ),
    ]
}

/// An application of the signed-in applicant `b` with every document, submitted.
fn submitted(b: &Browser) -> String {
    let nomor = nomor_of(&create(b, RUMPON, "perorangan", &[]));
    let page = b.get(&format!("/layanan/permohonan/{nomor}/dokumen"));
    for (req, name, ctype, bytes) in documents() {
        let r = b.upload(
            &format!("/layanan/permohonan/{nomor}/dokumen/{req}"),
            &page,
            name,
            ctype,
            &bytes,
        );
        assert_eq!(r.status, 303, "{req}: {}", r.body);
    }
    let check = b.get(&format!("/layanan/permohonan/{nomor}/ajukan"));
    assert_eq!(
        b.post(&format!("/layanan/permohonan/{nomor}/ajukan"), &check, &[])
            .status,
        303
    );
    nomor
}

fn document_id(app: &TestApp, requirement: &str) -> i64 {
    app.db().count(&format!(
        "SELECT id FROM documents WHERE requirement_id = '{requirement}'"
    ))
}

#[test]
fn each_officer_look_is_in_the_applicants_riwayat_akses_and_nobody_elses() {
    let app = spawn_app();
    let (b, officer) = setup(&app);
    // The officer who approved the registration opened it: start from an empty record to see
    // the page's empty state.
    app.db().exec("DELETE FROM data_access");
    let empty = b.get("/layanan/riwayat-akses");
    assert_eq!(empty.status, 200);
    assert!(
        empty
            .body
            .contains("Belum ada petugas yang membuka data atau dokumen Anda."),
        "{}",
        empty.body
    );
    let nomor = submitted(&b);
    let applicant = app.db().count("SELECT id FROM applicants WHERE username = 'nelayan'");

    // The applicant's own looks are not recorded.
    let ktp = document_id(&app, "ktp-penanggung-jawab");
    assert_eq!(b.get(&app.document_url(ktp)).status, 200);
    assert_eq!(b.get(&format!("/layanan/permohonan/{nomor}")).status, 200);
    assert_eq!(app.db().count("SELECT count(*) FROM data_access"), 0);

    // The officer opens the registration, the application, views one document and downloads
    // another: four lines.
    assert_eq!(
        officer.get(&format!("/layanan/petugas/registrasi/{applicant}")).status,
        200
    );
    assert_eq!(officer.get(&format!("/layanan/petugas/permohonan/{nomor}")).status, 200);
    assert_eq!(officer.get(&format!("{}?lihat=1", app.document_url(ktp))).status, 200);
    let sipi = document_id(&app, "sipi");
    assert_eq!(officer.get(&app.document_url(sipi)).status, 200);
    assert_eq!(app.db().count("SELECT count(*) FROM data_access"), 4);
    // (That the rows hold ids and words only is the store suite's test.)

    let page = b.get("/layanan/riwayat-akses");
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("Petugas Perizinan") && page.body.contains("Dinas Penanaman Modal"),
        "the officer's name and unit: {}",
        page.body
    );
    let order = [
        "Mengunduh dokumen",
        "Melihat dokumen",
        "Membuka halaman permohonan",
        "Membuka data registrasi",
    ];
    let at: Vec<usize> = order
        .iter()
        .map(|w| page.body.find(w).unwrap_or_else(|| panic!("{w} on the page")))
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "newest first: {at:?}");
    assert!(page.body.contains(&format!("(permohonan {nomor})")));
    assert!(page.body.contains("WIB"));
    assert!(
        b.get("/layanan/").body.contains("/layanan/riwayat-akses"),
        "linked from Layanan Pemohon"
    );

    // Another applicant sees their own record (the approval of their registration), nothing
    // of this one's.
    let other = active_applicant(&app, "tetangga", "tetangga@contoh.id", PW);
    login(&other, "tetangga", PW);
    let theirs = other.get("/layanan/riwayat-akses");
    assert!(theirs.body.contains("Membuka data registrasi"));
    assert!(!theirs.body.contains("dokumen</td>") && !theirs.body.contains(&nomor));
    // Nobody signed in: the login page.
    assert_eq!(app.browser().get("/layanan/riwayat-akses").status, 303);
}

/// Unzips `zip` with the system's unzip into a temp dir.
fn unzip(zip: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("salinan.zip");
    std::fs::write(&path, zip).expect("write the zip");
    let ok = std::process::Command::new("unzip")
        .arg("-q")
        .arg(&path)
        .arg("-d")
        .arg(dir.path().join("isi"))
        .status()
        .expect("unzip runs");
    assert!(ok.success(), "unzip reads the archive and its CRCs");
    dir
}

#[test]
fn the_copy_of_my_data_holds_every_field_and_the_documents_byte_for_byte() {
    let app = spawn_app();
    let (b, officer) = setup(&app);
    let nomor = submitted(&b);
    let ktp = document_id(&app, "ktp-penanggung-jawab");
    assert_eq!(officer.get(&format!("{}?lihat=1", app.document_url(ktp))).status, 200);

    let home = b.get("/layanan/");
    assert!(home.body.contains("Unduh salinan data saya"));
    let (r, zip) = b.post_download("/layanan/salinan-data", &home, &[]);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/zip"));
    assert_eq!(
        r.header("cache-control"),
        Some("no-store"),
        "personal data is never cached"
    );
    assert!(
        r.header("content-disposition")
            .is_some_and(|d| d.starts_with("attachment"))
    );

    let dir = unzip(&zip);
    let root = dir.path().join("isi");
    let data: serde_json::Value =
        serde_json::from_slice(&std::fs::read(root.join("data.json")).expect("data.json")).expect("JSON");
    let akun = &data["akun"];
    assert_eq!(akun["nama_pengguna"], "nelayan");
    assert_eq!(akun["email"], "nelayan@contoh.id");
    assert_eq!(akun["nomor_identitas"], "1671044508900001");
    for field in [
        "nama",
        "telepon",
        "alamat",
        "tempat_lahir",
        "tanggal_lahir",
        "pekerjaan",
        "kode_pos",
    ] {
        assert!(akun[field].as_str().is_some_and(|v| !v.is_empty()), "{field}");
    }
    let p = &data["permohonan"][0];
    assert_eq!(p["nomor"], nomor.as_str());
    assert_eq!(p["pemohon"]["identitas"], "1671044508900001");
    assert_eq!(p["status"], "diajukan");
    assert!(
        p["riwayat_status"].as_array().is_some_and(|h| h.len() >= 2),
        "draft, then submitted"
    );
    let docs = p["dokumen"].as_array().expect("documents");
    assert_eq!(docs.len(), 4);
    for (req, name, _, bytes) in documents() {
        let d = docs.iter().find(|d| d["persyaratan"] == req).expect(req);
        assert_eq!(d["nama_berkas"], name);
        let sha = format!("{:x}", Sha256::digest(&bytes));
        assert_eq!(d["sha256"], sha.as_str(), "{req}: the hash of what was uploaded");
        let path = d["berkas_dalam_arsip"].as_str().expect("path");
        let copied = std::fs::read(root.join(path)).expect(path);
        assert!(copied == bytes, "{req}: the document byte for byte");
    }
    // The approval of the registration, then the look at the KTP: newest first.
    let akses = data["riwayat_akses"].as_array().expect("the processing record");
    assert_eq!(akses.len(), 2, "{akses:?}");
    assert_eq!(akses[0]["tindakan"], "Melihat dokumen");
    assert_eq!(akses[0]["requirement_id"], "ktp-penanggung-jawab");
    assert_eq!(akses[0]["petugas"], "Petugas Perizinan");
    assert_eq!(akses[1]["kind"], "registrasi");

    // Without the page's form token: refused. Another applicant gets their own copy only.
    let refused = b.post_raw("/layanan/salinan-data", &[]);
    assert_ne!(refused.status, 200);
    let other = active_applicant(&app, "tetangga", "tetangga@contoh.id", PW);
    login(&other, "tetangga", PW);
    let (r, theirs) = other.post_download("/layanan/salinan-data", &other.get("/layanan/"), &[]);
    assert_eq!(r.status, 200);
    let dir = unzip(&theirs);
    let text = std::fs::read_to_string(dir.path().join("isi/data.json")).expect("data.json");
    assert!(text.contains("tetangga@contoh.id"));
    // (The test registrations share one NIK, so it says nothing here.)
    assert!(!text.contains("nelayan") && !text.contains(&nomor), "{text}");
    assert!(!dir.path().join("isi/dokumen").exists(), "no documents of anyone else");
    // Nobody signed in: the login page, no archive.
    let anon = app.browser();
    let page = anon.get("/layanan/masuk");
    let (r, _) = anon.post_download("/layanan/salinan-data", &page, &[]);
    assert_eq!(r.status, 303);
}

#[test]
fn the_registration_form_links_the_privacy_notice_before_daftar() {
    let app = spawn_app();
    let page = app.browser().get("/layanan/registrasi");
    assert_eq!(page.status, 200);
    let link = page
        .body
        .find("<a href=\"/privasi/\">Pemberitahuan Privasi</a>")
        .expect("the notice is linked");
    let daftar = page.body.find(">DAFTAR</button>").expect("DAFTAR");
    assert!(link < daftar, "read before pressing DAFTAR");
}

crate::backend::also_on_postgres_and_s3!(
    each_officer_look_is_in_the_applicants_riwayat_akses_and_nobody_elses,
    the_copy_of_my_data_holds_every_field_and_the_documents_byte_for_byte
);
