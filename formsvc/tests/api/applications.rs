//! PERMOHONAN, DOKUMEN and officer review over HTTP: an application made from the permit's
//! content, documents streamed and recognised by their bytes, submission only when complete,
//! each officer action emailed, and nobody else's documents reachable.

use std::time::Duration;

use crate::helpers::*;

const PW: &str = "hujan turun di jembatan ampera";
pub const RUMPON: &str = "izin-pemasangan-rumpon";

/// A whole PDF of a little over `extra` bytes.
pub fn pdf(extra: usize) -> Vec<u8> {
    formsvc::samples::pdf_of_size(extra)
}

pub fn png() -> Vec<u8> {
    formsvc::samples::png()
}

/// A signed-in applicant and an officer of the same unit.
pub fn setup(app: &TestApp) -> (Browser, Browser) {
    let b = active_applicant(app, "nelayan", "nelayan@contoh.id", PW);
    assert_eq!(login(&b, "nelayan", PW).status, 303);
    let officer = app.officer("petugas1");
    (b, officer)
}

/// Opens PERMOHONAN for `izin` and `tipe`, fills what the profile did not, presses BUAT.
pub fn create(b: &Browser, izin: &str, tipe: &str, extra: &[(&str, &str)]) -> Resp {
    let page = b.get(&format!("/layanan/permohonan/baru?izin={izin}&tipe={tipe}&jenis=baru"));
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(
        page.body.contains("BUAT"),
        "the form is complete once permit and type are chosen"
    );
    let form_id = page.hidden("form_id").expect("form id");
    let mut fields: Vec<(&str, String)> = vec![
        ("form_id", form_id),
        ("izin", izin.into()),
        ("tipe", tipe.into()),
        ("jenis", "baru".into()),
    ];
    for f in [
        "pemohon_nama",
        "pemohon_identitas",
        "pemohon_telepon",
        "pemohon_email",
        "pemohon_alamat",
    ] {
        let value = value_of(&page.body, f);
        fields.push((f, value));
    }
    for (k, v) in extra {
        fields.push((k, v.to_string()));
    }
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    b.post("/layanan/permohonan/baru", &page, &refs)
}

/// The prefilled value of the input or textarea `name`.
fn value_of(html: &str, name: &str) -> String {
    let input = format!("name=\"{name}\" type=");
    if let Some(i) = html.find(&input) {
        let rest = &html[i..];
        if let Some(v) = rest.find("value=\"") {
            let end = rest[v + 7..].find('"').unwrap_or(0);
            if v < rest.find('>').unwrap_or(usize::MAX) {
                return rest[v + 7..v + 7 + end].to_string();
            }
        }
        return String::new();
    }
    let area = format!("name=\"{name}\" rows=\"5\"");
    if let Some(i) = html.find(&area) {
        let rest = &html[i..];
        let start = rest.find('>').unwrap_or(0) + 1;
        let end = rest.find("</textarea>").unwrap_or(start);
        return rest[start..end]
            .replace("&amp;", "&")
            .replace("&#39;", "'")
            .replace("&quot;", "\"");
    }
    String::new()
}

pub fn nomor_of(r: &Resp) -> String {
    let loc = r.location();
    loc.trim_start_matches("/layanan/permohonan/")
        .split('/')
        .next()
        .expect("number")
        .to_string()
}

pub fn upload_all(b: &Browser, nomor: &str) {
    let page = b.get(&format!("/layanan/permohonan/{nomor}/dokumen"));
    for (req, name, ctype, bytes) in [
        ("surat-permohonan", "surat.pdf", "application/pdf", pdf(100)),
        ("sipi", "sipi.pdf", "application/pdf", pdf(100)),
        ("ktp-penanggung-jawab", "ktp.png", "image/png", png()),
        ("tata-letak-spesifikasi", "tata letak.pdf", "application/pdf", pdf(1000)),
    ] {
        let r = b.upload(
            &format!("/layanan/permohonan/{nomor}/dokumen/{req}"),
            &page,
            name,
            ctype,
            &bytes,
        );
        assert_eq!(r.status, 303, "{req}: {}", r.body);
    }
}

fn files_in(app: &TestApp) -> usize {
    app.stored_documents()
}

#[test]
fn an_application_goes_from_buat_to_permit_issued_with_an_email_at_each_step() {
    let app = spawn_app();
    let (b, officer) = setup(&app);
    let r = create(&b, RUMPON, "perorangan", &[]);
    assert_eq!(r.status, 303, "{}", r.body);
    let nomor = nomor_of(&r);
    assert!(nomor.starts_with("PRM-") && nomor.len() == 13, "{nomor}");
    assert!(!nomor[4..].contains(['0', 'O', '1', 'I']));

    // Ajukan is refused while a Wajib document is missing.
    let check = b.get(&format!("/layanan/permohonan/{nomor}/ajukan"));
    assert!(check.body.contains("belum dapat diajukan"));
    let r = b.post(&format!("/layanan/permohonan/{nomor}/ajukan"), &check, &[]);
    assert_eq!(r.status, 422);

    upload_all(&b, &nomor);
    let check = b.get(&format!("/layanan/permohonan/{nomor}/ajukan"));
    assert!(check.body.contains("tata letak.pdf"), "the summary lists the documents");
    let r = b.post(&format!("/layanan/permohonan/{nomor}/ajukan"), &check, &[]);
    assert_eq!(r.status, 303, "{}", r.body);

    let receipt = wait_for_mail(&app, "nelayan@contoh.id", "Permohonan diajukan");
    assert!(receipt.text.contains(&nomor));
    let notice = wait_for_mail(&app, "petugas1@dpmptsp.test", "Permohonan masuk");
    assert!(
        !notice.text.contains("1671044508900001"),
        "no personal data in the notice"
    );
    let console = notice
        .link_starting_with(&format!("{}/layanan/petugas/permohonan/", app.base))
        .expect("console link");

    // Officer: queue, detail, send back with a note on one document.
    let queue = officer.get("/layanan/petugas/permohonan?status=diajukan");
    assert!(queue.body.contains(&nomor));
    let detail = officer.get(&console);
    assert_eq!(detail.status, 200);
    let r = officer.post(
        &format!("/layanan/petugas/permohonan/{nomor}/perbaikan"),
        &detail,
        &[("catatan_sipi", "SIPI sudah kedaluwarsa; unggah SIPI yang berlaku.")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let fix = wait_for_mail(&app, "nelayan@contoh.id", "Perlu perbaikan");
    assert!(fix.text.contains("SIPI sudah kedaluwarsa"));

    // Applicant sees what to fix, replaces the document, resubmits.
    let docs = b.get(&format!("/layanan/permohonan/{nomor}/dokumen"));
    assert!(docs.body.contains("SIPI sudah kedaluwarsa"));
    let r = b.upload(
        &format!("/layanan/permohonan/{nomor}/dokumen/sipi"),
        &docs,
        "sipi-baru.pdf",
        "application/pdf",
        &pdf(50),
    );
    assert_eq!(r.status, 303);
    let check = b.get(&format!("/layanan/permohonan/{nomor}/ajukan"));
    assert_eq!(
        b.post(&format!("/layanan/permohonan/{nomor}/ajukan"), &check, &[])
            .status,
        303
    );

    // Verify, then finish.
    let detail = officer.get(&console);
    assert_eq!(
        officer
            .post(
                &format!("/layanan/petugas/permohonan/{nomor}/verifikasi"),
                &detail,
                &[("konfirmasi", "ya")]
            )
            .status,
        303
    );
    let detail = officer.get(&console);
    assert_eq!(
        officer
            .post(
                &format!("/layanan/petugas/permohonan/{nomor}/selesai"),
                &detail,
                &[("catatan", "Nomor izin 503/123/DPMPTSP/2026")]
            )
            .status,
        303
    );
    wait_for_mail(&app, "nelayan@contoh.id", "Selesai, izin terbit");

    // The applicant's list and the timeline tell the story, with who and when.
    let home = b.get("/layanan/");
    assert!(home.body.contains(&nomor) && home.body.contains("Selesai, izin terbit"));
    let page = b.get(&format!("/layanan/permohonan/{nomor}"));
    for step in [
        "Draf (belum diajukan)",
        "Diajukan, menunggu verifikasi",
        "Perlu perbaikan",
        "Dokumen terverifikasi",
        "Selesai, izin terbit",
    ] {
        assert!(page.body.contains(step), "timeline lacks {step}");
    }
    // A finished application takes no more actions.
    let detail = officer.get(&console);
    assert_eq!(
        officer
            .post(
                &format!("/layanan/petugas/permohonan/{nomor}/tolak"),
                &detail,
                &[("alasan", "Alasan yang cukup panjang.")]
            )
            .status,
        409
    );
    // The replaced SIPI file is marked for the sweeper (a backup running meanwhile may still
    // copy it), not deleted at once.
    assert_eq!(files_in(&app), 5);
    assert_eq!(app.db().count("SELECT count(*) FROM discarded_blobs"), 1);
}

#[test]
fn a_company_must_give_its_nib_and_company_data() {
    let app = spawn_app();
    let (b, _) = setup(&app);
    let r = create(&b, RUMPON, "perusahaan", &[("nib", "12345")]);
    assert_eq!(r.status, 422);
    for message in ["Masukkan NIB 13 digit", "Isi nama perusahaan", "NPWP perusahaan"] {
        assert!(r.body.contains(message), "{message} missing");
    }
    let r = create(
        &b,
        RUMPON,
        "perusahaan",
        &[
            ("nib", "1234567890123"),
            ("perusahaan_nama", "PT Bahari Musi"),
            ("perusahaan_npwp", "01.234.567.8-901.000"),
            ("perusahaan_alamat", "Jl. Pelabuhan No. 5, Palembang"),
            ("perusahaan_telepon", "0711/356789"),
            ("perusahaan_email", "kantor@baharimusi.co.id"),
        ],
    );
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("Nomor telepon hanya boleh berisi angka") && r.body.contains("(0711) 352123"),
        "the message gives a fixed-line example: {}",
        r.body
    );
    // An office line, as it is written on a letterhead.
    let r = create(
        &b,
        RUMPON,
        "perusahaan",
        &[
            ("nib", "1234567890123"),
            ("perusahaan_nama", "PT Bahari Musi"),
            ("perusahaan_npwp", "01.234.567.8-901.000"),
            ("perusahaan_alamat", "Jl. Pelabuhan No. 5, Palembang"),
            ("perusahaan_telepon", "(0711) 356789"),
            ("perusahaan_email", "kantor@baharimusi.co.id"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        app.db()
            .count("SELECT count(*) FROM applications WHERE tipe_pemohon = 'perusahaan' AND nib = '1234567890123'"),
        1
    );
    assert!(
        app.db()
            .texts("SELECT perusahaan_json FROM applications WHERE nib = '1234567890123'")
            .iter()
            .any(|j| j.contains("+62711356789")),
        "kept in one form"
    );
}

#[test]
fn the_checklist_is_the_permit_pages_list_for_that_applicant_and_the_application_keeps_it() {
    let app = spawn_app();
    let (b, _) = setup(&app);
    let page = b.get("/layanan/permohonan/baru?izin=surat-keterangan-penelitian&tipe=perorangan&jenis=baru");
    let content =
        generator::load(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../content")).expect("content");
    let permit = content.permit("surat-keterangan-penelitian").expect("permit");
    for r in &permit.persyaratan {
        let shown = page.body.contains(&format!("id=\"syarat-{}\"", r.id));
        let applies = r.applies_to(generator::ApplicantType::Perorangan, generator::ApplicationKind::Baru);
        assert_eq!(shown, applies, "{}: shown {shown}, applies {applies}", r.id);
    }
    // The kept copy does not change with the content.
    let r = create(&b, RUMPON, "perorangan", &[]);
    let nomor = nomor_of(&r);
    app.db().exec("UPDATE applications SET persyaratan_json = replace(persyaratan_json, 'Surat permohonan', 'Surat permohonan (versi lama)')");
    let docs = b.get(&format!("/layanan/permohonan/{nomor}/dokumen"));
    assert!(
        docs.body.contains("(versi lama)"),
        "the application shows the list it was made with"
    );
}

#[test]
fn uploads_under_attack_are_refused_and_leave_nothing_on_disk() {
    let app = spawn_app();
    let (b, _) = setup(&app);
    let nomor = nomor_of(&create(&b, RUMPON, "perorangan", &[]));
    let path = format!("/layanan/permohonan/{nomor}/dokumen/surat-permohonan");
    let page = b.get(&format!("/layanan/permohonan/{nomor}/dokumen"));
    let cases: Vec<(&str, &str, Vec<u8>, &str)> = vec![
        (
            "halaman.pdf",
            "application/pdf",
            b"<html><script>alert(1)</script></html>".to_vec(),
            "Jenis berkas tidak diterima",
        ),
        (
            "gambar.pdf",
            "application/pdf",
            b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec(),
            "Jenis berkas tidak diterima",
        ),
        ("foto.pdf", "application/pdf", png(), "Jenis berkas tidak diterima"),
        ("kosong.pdf", "application/pdf", vec![], "Berkas kosong"),
        (
            "besar.pdf",
            "application/pdf",
            pdf(6 * 1024 * 1024),
            "melebihi ukuran maksimal 5 MB",
        ),
    ];
    for (name, ctype, bytes, message) in cases {
        let r = b.upload(&path, &page, name, ctype, &bytes);
        assert_eq!(r.status, 422, "{name} accepted");
        assert!(r.body.contains(message), "{name}: {message} missing");
        assert_eq!(files_in(&app), 0, "{name} left a file");
    }
    assert_eq!(app.db().count("SELECT count(*) FROM documents"), 0);

    // A hostile name is kept only as text, and the file under a generated name.
    let r = b.upload(&path, &page, "../../etc/passwd\t.pdf", "application/pdf", &pdf(10));
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        app.db().count(
            "SELECT count(*) FROM documents WHERE original_name = 'passwd.pdf' AND stored_name NOT LIKE '%passwd%'"
        ),
        1
    );
    // A control character that is not even allowed in a header is refused as malformed.
    let r = b.upload(&path, &page, "ktp\u{1}.pdf", "application/pdf", &pdf(10));
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Permintaan unggah tidak dikenali"));
    assert_eq!(files_in(&app), 1);

    // Thousands of tiny parts.
    let csrf = page.hidden("csrf").expect("csrf");
    let mut body = format!("--XX\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n");
    for i in 0..3000 {
        body.push_str(&format!(
            "--XX\r\nContent-Disposition: form-data; name=\"x{i}\"\r\n\r\na\r\n"
        ));
    }
    body.push_str("--XX--\r\n");
    let r = b.post_body(&path, "multipart/form-data; boundary=XX", body.as_bytes());
    assert_eq!(r.status, 422, "{}", r.body);

    // Without a form token, nothing is read into storage.
    let other = app.browser();
    let r = other.post_body(
        &path,
        "multipart/form-data; boundary=XX",
        b"--XX\r\nContent-Disposition: form-data; name=\"berkas\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4\r\n--XX--\r\n",
    );
    assert_eq!(r.status, 303, "not signed in: sent to the login page");
    assert_eq!(files_in(&app), 1);
}

#[test]
fn a_body_that_never_finishes_is_dropped_and_leaves_nothing() {
    use std::io::{Read, Write};
    let app = spawn_app();
    let (b, _) = setup(&app);
    let nomor = nomor_of(&create(&b, RUMPON, "perorangan", &[]));
    let page = b.get(&format!("/layanan/permohonan/{nomor}/dokumen"));
    let csrf = page.hidden("csrf").expect("csrf");
    let cookies = format!(
        "sicantik_sesi={}; sicantik_csrf={}",
        b.cookie("sicantik_sesi").expect("s"),
        b.cookie("sicantik_csrf").expect("c")
    );
    let head = format!(
        "--XX\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n--XX\r\nContent-Disposition: form-data; name=\"berkas\"; filename=\"a.pdf\"\r\n\r\n%PDF-1.4\n"
    );
    let addr = app.base.trim_start_matches("http://").to_string();
    let mut s = std::net::TcpStream::connect(&addr).expect("connect");
    write!(
        s,
        "POST /layanan/permohonan/{nomor}/dokumen/surat-permohonan HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookies}\r\nContent-Type: multipart/form-data; boundary=XX\r\nContent-Length: 1000000\r\n\r\n{head}"
    )
    .expect("send");
    s.set_read_timeout(Some(Duration::from_secs(10))).expect("timeout");
    let mut answer = Vec::new();
    let _ = s.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(
        answer.starts_with("HTTP/1.1 422"),
        "the stalled upload is answered: {answer:.200}"
    );
    assert_eq!(files_in(&app), 0);
}

#[test]
fn documents_are_served_only_to_their_owner_and_the_officers_of_the_unit_and_never_as_html() {
    let app = spawn_app();
    let (b, officer) = setup(&app);
    let nomor = nomor_of(&create(&b, RUMPON, "perorangan", &[]));
    upload_all(&b, &nomor);
    let id = app
        .db()
        .count("SELECT id FROM documents WHERE requirement_id = 'ktp-penanggung-jawab'");
    let r = b.get(&app.document_url(id));
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("image/png"));
    assert!(
        r.header("content-disposition")
            .is_some_and(|d| d.starts_with("attachment"))
    );
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));

    // Before submission no officer sees it; after, the unit's officers do.
    assert_eq!(officer.get(&format!("/layanan/petugas/permohonan/{nomor}")).status, 404);
    let check = b.get(&format!("/layanan/permohonan/{nomor}/ajukan"));
    b.post(&format!("/layanan/permohonan/{nomor}/ajukan"), &check, &[]);
    let view = officer.get(&format!("{}?lihat=1", app.document_url(id)));
    assert_eq!(view.status, 200);
    assert!(
        view.header("content-disposition")
            .is_some_and(|d| d.starts_with("inline"))
    );

    // Another applicant, another unit's officer, and nobody: not found.
    let other = active_applicant(&app, "tetangga", "tetangga@contoh.id", PW);
    login(&other, "tetangga", PW);
    assert_eq!(other.get(&app.document_url(id)).status, 404);
    assert_eq!(other.get(&format!("/layanan/permohonan/{nomor}")).status, 404);
    app.add_officer("kabupaten", "kab@contoh.id", Some("Kabupaten Lahat"));
    let outsider = app.officer("kabupaten");
    assert_eq!(outsider.get(&app.document_url(id)).status, 404);
    assert_eq!(
        outsider.get(&format!("/layanan/petugas/permohonan/{nomor}")).status,
        404
    );
    assert!(!outsider.get("/layanan/petugas/permohonan").body.contains(&nomor));
    assert_eq!(app.browser().get(&app.document_url(id)).status, 404);
}

#[test]
fn cek_status_tells_the_status_from_the_number_and_email_or_nik_and_nothing_else() {
    let app = spawn_app();
    let (b, _) = setup(&app);
    let nomor = nomor_of(&create(&b, RUMPON, "perorangan", &[]));
    upload_all(&b, &nomor);
    let check = b.get(&format!("/layanan/permohonan/{nomor}/ajukan"));
    b.post(&format!("/layanan/permohonan/{nomor}/ajukan"), &check, &[]);

    let visitor = app.browser();
    let form = visitor.get("/layanan/cek-status");
    let typed = nomor.to_lowercase().replace('-', " ");
    let r = visitor.post(
        "/layanan/cek-status",
        &form,
        &[("nomor", &typed), ("kunci", "NELAYAN@contoh.id")],
    );
    assert_eq!(r.status, 200);
    assert!(r.body.contains("Diajukan, menunggu verifikasi") && r.body.contains("Izin Pemasangan Rumpon"));
    assert!(
        !r.body.contains("Siti Aminah") && !r.body.contains("nelayan@contoh.id"),
        "no personal data"
    );
    let r = visitor.post(
        "/layanan/cek-status",
        &form,
        &[("nomor", &nomor), ("kunci", "1671044508900001")],
    );
    assert!(r.body.contains("Diajukan, menunggu verifikasi"), "NIK works too");
    let wrong_email = visitor.post(
        "/layanan/cek-status",
        &form,
        &[("nomor", &nomor), ("kunci", "orang@lain.id")],
    );
    let wrong_number = visitor.post(
        "/layanan/cek-status",
        &form,
        &[("nomor", "PRM-2222-3333"), ("kunci", "nelayan@contoh.id")],
    );
    assert_eq!(wrong_email.status, 404);
    assert_eq!(wrong_number.status, 404);
    assert!(
        wrong_email.body.contains("Permohonan tidak ditemukan")
            && wrong_number.body.contains("Permohonan tidak ditemukan")
    );
}

#[test]
fn officers_filter_the_queue_and_export_it_as_csv() {
    let app = spawn_app();
    let (b, officer) = setup(&app);
    for _ in 0..2 {
        let nomor = nomor_of(&create(&b, RUMPON, "perorangan", &[]));
        upload_all(&b, &nomor);
        let check = b.get(&format!("/layanan/permohonan/{nomor}/ajukan"));
        b.post(&format!("/layanan/permohonan/{nomor}/ajukan"), &check, &[]);
    }
    let draft = nomor_of(&create(&b, RUMPON, "perorangan", &[]));
    let queue = officer.get("/layanan/petugas/permohonan");
    assert!(
        !queue.body.contains(&draft),
        "drafts are the applicant's own until submitted"
    );
    assert_eq!(queue.body.matches("/layanan/petugas/permohonan/PRM-").count(), 2);
    let none = officer.get("/layanan/petugas/permohonan?status=selesai");
    assert_eq!(none.body.matches("/layanan/petugas/permohonan/PRM-").count(), 0);
    let by_name = officer.get("/layanan/petugas/permohonan?q=siti");
    assert_eq!(by_name.body.matches("/layanan/petugas/permohonan/PRM-").count(), 2);
    let csv = officer.get("/layanan/petugas/permohonan.csv?status=diajukan");
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").is_some_and(|c| c.starts_with("text/csv")));
    assert_eq!(csv.body.lines().count(), 3, "{}", csv.body);
    assert!(csv.body.contains("Izin Pemasangan Rumpon") && csv.body.contains("Siti Aminah"));
}

crate::backend::also_on_postgres_and_s3!(
    an_application_goes_from_buat_to_permit_issued_with_an_email_at_each_step,
    a_company_must_give_its_nib_and_company_data,
    the_checklist_is_the_permit_pages_list_for_that_applicant_and_the_application_keeps_it,
    uploads_under_attack_are_refused_and_leave_nothing_on_disk,
    a_body_that_never_finishes_is_dropped_and_leaves_nothing,
    documents_are_served_only_to_their_owner_and_the_officers_of_the_unit_and_never_as_html,
    cek_status_tells_the_status_from_the_number_and_email_or_nik_and_nothing_else,
    officers_filter_the_queue_and_export_it_as_csv
);
