//! The officer console as an officer sees it (issue 8, "Officers"): its own navigation with the
//! current section marked, the audit trail in words with filters, the send-back email, the
//! review page, and the queue for a day's work.

use crate::applications::{RUMPON, create, nomor_of, setup, upload_all};
use crate::helpers::*;

/// The console's menu of `page`: the `<nav aria-label="Menu petugas">` element.
fn console_nav(page: &str) -> &str {
    let start = page
        .find("<nav class=\"konsol-nav\" aria-label=\"Menu petugas\">")
        .expect("the console's own navigation");
    let end = start + page[start..].find("</nav>").expect("end of the navigation");
    &page[start..end]
}

/// The text of the link marked `aria-current="page"` in `nav`, if any.
fn current_item(nav: &str) -> Option<&str> {
    let at = nav.find("aria-current=\"page\">")? + "aria-current=\"page\">".len();
    Some(&nav[at..at + nav[at..].find('<')?])
}

/// Submits a new application of the applicant `b` with every document; its number.
pub fn submitted(b: &Browser) -> String {
    let nomor = nomor_of(&create(b, RUMPON, "perorangan", &[]));
    upload_all(b, &nomor);
    let check = b.get(&format!("/layanan/permohonan/{nomor}/ajukan"));
    assert_eq!(
        b.post(&format!("/layanan/permohonan/{nomor}/ajukan"), &check, &[])
            .status,
        303
    );
    nomor
}

/// Regression: the console's menu was a list of bullets with breadcrumb arrows under the public
/// site's menu, and the officer login page highlighted the applicants' "Masuk".
#[test]
fn the_console_has_its_own_navigation_with_the_current_section_marked() {
    let app = spawn_app();
    let login = app.browser().get("/layanan/petugas/masuk");
    assert_eq!(login.status, 200);
    assert!(
        !login.body.contains("aria-label=\"Menu utama\""),
        "no public menu on the officer login"
    );
    assert!(
        !login.body.contains("aria-current"),
        "nothing highlighted on the officer login"
    );
    assert!(
        login.body.contains("Konsol Petugas"),
        "the service name is in the header"
    );

    app.add_officer("petugas1", "petugas1@dpmptsp.test", None);
    let officer = app.officer("petugas1");
    for (path, item) in [
        ("/layanan/petugas/", "Beranda"),
        ("/layanan/petugas/permohonan", "Antrean permohonan"),
        ("/layanan/petugas/audit", "Jejak audit"),
        ("/layanan/petugas/surel", "Surel belum terkirim"),
        ("/layanan/petugas/berkas-ditolak", "Berkas ditolak pemindai"),
        ("/layanan/petugas/koreksi", "Perbaikan identitas"),
        ("/layanan/petugas/penghapusan", "Permintaan penghapusan"),
    ] {
        let page = officer.get(path);
        assert_eq!(page.status, 200, "{path}");
        assert!(
            !page.body.contains("aria-label=\"Menu utama\""),
            "{path}: the public menu shows"
        );
        assert!(
            !page.body.contains("class=\"breadcrumb\""),
            "{path}: the menu is still a breadcrumb"
        );
        let nav = console_nav(&page.body);
        assert_eq!(current_item(nav), Some(item), "{path}: the current item");
        assert_eq!(nav.matches("aria-current").count(), 1, "{path}: one current item");
        assert!(
            page.body.contains(">Keluar</button>"),
            "{path}: Keluar in the console header"
        );
    }
}

/// Regression: Jejak Audit showed raw codes (`permohonan_diproses`), had no line for Ajukan or
/// uploads, and no filter.
#[test]
fn the_audit_trail_shows_every_action_in_words_and_filters_by_number_actor_and_date() {
    let app = spawn_app();
    let (b, officer) = setup(&app);
    let nomor = submitted(&b);
    let other = submitted(&b);
    let detail = officer.get(&format!("/layanan/petugas/permohonan/{nomor}"));
    let r = officer.post(
        &format!("/layanan/petugas/permohonan/{nomor}/verifikasi"),
        &detail,
        &[("konfirmasi", "ya")],
    );
    assert_eq!(r.status, 303, "{}", r.body);

    let all = officer.get("/layanan/petugas/audit");
    assert_eq!(all.status, 200);
    for words in [
        "Registrasi disetujui",
        "Permohonan dibuat (BUAT)",
        "Dokumen diunggah",
        "Persyaratan: Fotokopi Surat Izin Penangkapan Ikan (SIPI)",
        "Permohonan diajukan (Ajukan)",
        "Dokumen diverifikasi, permohonan diproses",
    ] {
        assert!(all.body.contains(words), "Jejak Audit lacks {words:?}");
    }
    for code in ["permohonan_", "dokumen_", "registrasi_", "(pemohon)", "(petugas)"] {
        assert!(!all.body.contains(code), "Jejak Audit shows the raw {code:?}");
    }

    let rows = |page: &Resp| page.body.matches("<tr><td>").count();
    let of_one = officer.get(&format!("/layanan/petugas/audit?nomor={}", nomor.to_lowercase()));
    assert_eq!(rows(&of_one), 7, "BUAT, 4 uploads, Ajukan, Verifikasi: {}", of_one.body);
    assert!(!of_one.body.contains(&other), "only {nomor}");
    assert!(
        of_one.body.contains(&format!("value=\"{}\"", nomor.to_lowercase())),
        "the filter keeps what was typed"
    );

    let by_officer = officer.get("/layanan/petugas/audit?pelaku=petugas1&jenis=petugas");
    assert!(by_officer.body.contains("Registrasi disetujui"));
    assert!(
        !by_officer.body.contains("Dokumen diunggah"),
        "only the officer's lines"
    );
    let by_applicant = officer.get("/layanan/petugas/audit?jenis=pemohon");
    assert!(by_applicant.body.contains("Dokumen diunggah"));
    assert!(!by_applicant.body.contains("Registrasi disetujui"));

    let future = officer.get("/layanan/petugas/audit?dari=2099-01-01");
    assert_eq!(rows(&future), 0);
    assert!(future.body.contains("Tidak ada catatan yang cocok dengan saringan."));
    let nonsense = officer.get("/layanan/petugas/audit?dari=kemarin&jenis=siapa");
    assert_eq!(nonsense.status, 200, "a filter that does not parse is ignored");
    assert_eq!(rows(&nonsense), rows(&all));
}

/// Regression: the send-back email ran its sections together, put the general note before the
/// documents, gave no date to fix by, and said only "do not reply".
#[test]
fn the_send_back_email_lists_the_documents_first_gives_a_date_and_a_way_to_ask() {
    let app = spawn_app();
    let (b, officer) = setup(&app);
    let nomor = submitted(&b);
    let detail = officer.get(&format!("/layanan/petugas/permohonan/{nomor}"));
    let r = officer.post(
        &format!("/layanan/petugas/permohonan/{nomor}/perbaikan"),
        &detail,
        &[
            ("catatan_sipi", "SIPI sudah kedaluwarsa."),
            ("catatan_ktp-penanggung-jawab", "Foto KTP buram."),
            ("catatan", "Periksa juga tanda tangan pada surat permohonan."),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let mail = wait_for_mail(&app, "nelayan@contoh.id", "Perlu perbaikan");
    let text = mail.text.replace("\r\n", "\n");
    let at = |s: &str| text.find(s).unwrap_or_else(|| panic!("the email lacks {s:?}:\n{text}"));
    // The per-document list, then the general note, then what to do, each a section of its own.
    let (docs, sipi, ktp, general, todo) = (
        at("DOKUMEN YANG PERLU DIPERBAIKI"),
        at("Catatan petugas: SIPI sudah kedaluwarsa."),
        at("Catatan petugas: Foto KTP buram."),
        at("CATATAN UMUM DARI PETUGAS"),
        at("YANG PERLU ANDA LAKUKAN"),
    );
    assert!(docs < sipi && sipi < ktp && ktp < general && general < todo, "{text}");
    for heading in [
        "DOKUMEN YANG PERLU DIPERBAIKI",
        "CATATAN UMUM DARI PETUGAS",
        "YANG PERLU ANDA LAKUKAN",
        "PERTANYAAN",
    ] {
        assert!(
            text.contains(&format!("\n\n{heading}\n\n")),
            "{heading} is not a section apart:\n{text}"
        );
    }
    assert!(
        text.contains("Fotokopi Surat Izin Penangkapan Ikan (SIPI)\n   Catatan petugas"),
        "{text}"
    );
    // A date to fix by, in words: 14 days from the send-back.
    // (Either day when the test runs across midnight in Palembang.)
    let by = |t: i64| formsvc::clock::format_date_wib(t + 14 * 86_400);
    let now = formsvc::clock::now();
    assert!(
        [by(now), by(now - 300)]
            .iter()
            .any(|d| text.contains(&format!("paling lambat {d} (14 hari sejak surel ini dikirim)"))),
        "no date to fix by ({}):\n{text}",
        by(now)
    );
    // The content has no contact block yet: the service's own pages instead of only "do not reply".
    assert!(
        text.contains(&format!("Layanan Pemohon: {}/layanan/", app.base)),
        "{text}"
    );
    assert!(
        text.contains(&format!("Cek Status: {}/layanan/cek-status", app.base)),
        "{text}"
    );
    assert!(!mail.html.contains("Mohon tidak membalas"), "{}", mail.html);
    assert!(mail.html.contains(&format!("href=\"{}/layanan/cek-status\"", app.base)));
    let (d, g) = (
        mail.html.find("Dokumen yang perlu diperbaiki"),
        mail.html.find("Catatan umum dari petugas"),
    );
    assert!(d.is_some() && d < g, "{}", mail.html);
    // Other status emails keep their words.
    assert!(!text.contains("Mohon tidak membalas"));
}

/// The `<tr>` of requirement `id` on the review page.
fn row<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page
        .find(&format!("<tr id=\"baris-{id}\">"))
        .unwrap_or_else(|| panic!("no row for {id}"));
    &page[start..start + page[start..].find("</tr>").expect("end of row")]
}

/// Regression: the review page cut its table of documents, kept the notes in a form apart,
/// did not say which files were new or the same, and verified at one click.
#[test]
fn the_review_page_assesses_each_document_in_one_form_and_asks_before_verifying() {
    let app = spawn_app();
    let (b, officer) = setup(&app);
    let nomor = submitted(&b);
    let page = format!("/layanan/petugas/permohonan/{nomor}");
    let detail = officer.get(&page);
    assert_eq!(detail.status, 200);
    assert!(
        detail.body.contains("<main id=\"konten\" class=\"wrap konsol\""),
        "full-width console layout"
    );
    // One form: the assessment and the note of every requirement, in its row.
    let form_at = detail
        .body
        .find(&format!("action=\"/layanan/petugas/permohonan/{nomor}/perbaikan\""))
        .expect("form");
    let form = &detail.body[form_at..form_at + detail.body[form_at..].find("</form>").expect("end")];
    for id in [
        "surat-permohonan",
        "sipi",
        "ktp-penanggung-jawab",
        "tata-letak-spesifikasi",
    ] {
        let r = row(form, id);
        assert!(
            r.contains("target=\"_blank\" rel=\"noopener\""),
            "{id}: the file opens in a new tab"
        );
        assert!(r.contains(&format!("name=\"nilai_{id}\" value=\"sesuai\"")) && r.contains(" Sesuai</label>"));
        assert!(
            r.contains(&format!("name=\"nilai_{id}\" value=\"perbaikan\"")) && r.contains(" Perlu perbaikan</label>")
        );
        assert!(
            r.contains(&format!("name=\"catatan_{id}\"")),
            "{id}: the note in the row"
        );
    }
    // upload_all sends the same PDF for the letter and the SIPI.
    assert!(
        detail
            .body
            .contains("Berkas yang sama (SHA-256 sama) diunggah untuk 2 persyaratan"),
        "no warning for one file uploaded twice"
    );
    assert!(row(&detail.body, "sipi").contains("Berkas sama dengan: Surat permohonan pemasangan rumpon"));
    assert!(!row(&detail.body, "ktp-penanggung-jawab").contains("Berkas sama dengan"));

    // "Perlu perbaikan" needs a note; "Sesuai" takes none. Both say so at the row.
    let perbaikan = format!("/layanan/petugas/permohonan/{nomor}/perbaikan");
    let r = officer.post(
        &perbaikan,
        &detail,
        &[("nilai_sipi", "perbaikan"), ("catatan_sipi", " ")],
    );
    assert_eq!(r.status, 422);
    assert!(
        r.body
            .contains("Tulis apa yang perlu diperbaiki pada Fotokopi Surat Izin Penangkapan Ikan (SIPI).")
    );
    assert!(
        r.body.contains("href=\"#catatan_sipi\""),
        "the summary links to the row's note"
    );
    assert!(
        row(&r.body, "sipi").contains("value=\"perbaikan\" checked"),
        "the choice is kept"
    );
    let r = officer.post(
        &perbaikan,
        &detail,
        &[("nilai_sipi", "sesuai"), ("catatan_sipi", "Buram.")],
    );
    assert_eq!(r.status, 422);
    assert!(r.body.contains("dinilai Sesuai tetapi berisi catatan"));
    let r = officer.post(
        &perbaikan,
        &detail,
        &[
            ("nilai_surat-permohonan", "sesuai"),
            ("nilai_sipi", "perbaikan"),
            ("catatan_sipi", "SIPI kedaluwarsa."),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);

    // Replaced and submitted again: the new SIPI is tagged, the others are not. (What came
    // before is moved a minute back, as a real day has it: the test runs within a second.)
    app.db()
        .exec("UPDATE application_events SET at = at - 60; UPDATE documents SET uploaded_at = uploaded_at - 60;");
    let docs = b.get(&format!("/layanan/permohonan/{nomor}/dokumen"));
    let r = b.upload(
        &format!("/layanan/permohonan/{nomor}/dokumen/sipi"),
        &docs,
        "sipi-2026.pdf",
        "application/pdf",
        &crate::applications::pdf(321),
    );
    assert_eq!(r.status, 303);
    let check = b.get(&format!("/layanan/permohonan/{nomor}/ajukan"));
    assert_eq!(
        b.post(&format!("/layanan/permohonan/{nomor}/ajukan"), &check, &[])
            .status,
        303
    );
    let detail = officer.get(&page);
    assert!(row(&detail.body, "sipi").contains("Diganti sejak dikembalikan"));
    assert!(!row(&detail.body, "ktp-penanggung-jawab").contains("Diganti sejak dikembalikan"));
    assert!(
        !detail.body.contains("Berkas yang sama (SHA-256 sama)"),
        "the files differ now"
    );

    // Verifikasi asks first; only the confirmed form verifies.
    let verifikasi = format!("/layanan/petugas/permohonan/{nomor}/verifikasi");
    let r = officer.post(&verifikasi, &detail, &[]);
    assert_eq!(
        (r.status, r.location()),
        (303, verifikasi.as_str()),
        "unconfirmed: to the question"
    );
    assert!(
        officer.get(&page).body.contains("Diajukan, menunggu verifikasi"),
        "nothing changed"
    );
    let ask = officer.get(&verifikasi);
    assert_eq!(ask.status, 200);
    assert!(ask.body.contains(&format!("Verifikasi permohonan {nomor}?")));
    assert!(ask.body.contains("Ya, verifikasi dan terima untuk diproses"));
    let r = officer.post(&verifikasi, &ask, &[("konfirmasi", "ya")]);
    assert_eq!(r.status, 303);
    assert!(
        officer
            .get(&page)
            .body
            .contains("Dokumen terverifikasi, sedang diproses")
    );
    let again = officer.get(&verifikasi);
    assert_eq!(
        (again.status, again.location()),
        (303, page.as_str()),
        "nothing left to confirm"
    );
}

/// Regression: the queue defaulted to every status, found nothing by company, NIB or NIK,
/// showed no wait, had no company in its CSV, and a resubmission overwrote the first
/// submission time.
#[test]
fn the_queue_opens_on_the_work_waiting_finds_company_nib_and_nik_and_sorts_by_wait() {
    let app = spawn_app();
    let (b, officer) = setup(&app);
    let person = submitted(&b);
    let company = nomor_of(&create(
        &b,
        RUMPON,
        "perusahaan",
        &[
            ("nib", "1234567890123"),
            ("perusahaan_nama", "PT Bahari Musi"),
            ("perusahaan_npwp", "01.234.567.8-901.000"),
            ("perusahaan_alamat", "Jl. Pelabuhan No. 5, Palembang"),
            ("perusahaan_telepon", "081234567890"),
            ("perusahaan_email", "kantor@baharimusi.co.id"),
        ],
    ));
    upload_all(&b, &company);
    let check = b.get(&format!("/layanan/permohonan/{company}/ajukan"));
    assert_eq!(
        b.post(&format!("/layanan/permohonan/{company}/ajukan"), &check, &[])
            .status,
        303
    );
    // The person's application waited longer: it came an hour earlier.
    app.db().exec(&format!(
        "UPDATE application_events SET at = at - 3600 WHERE application_id = (SELECT id FROM applications WHERE nomor = '{person}');
         UPDATE applications SET submitted_at = submitted_at - 3600 WHERE nomor = '{person}';"
    ));
    let listed = |page: &Resp| -> Vec<String> {
        page.body
            .match_indices("<td><a href=\"/layanan/petugas/permohonan/PRM-")
            .map(|(i, _)| page.body[i + 41..i + 54].to_string())
            .collect()
    };
    let queue = officer.get("/layanan/petugas/permohonan");
    assert_eq!(
        listed(&queue),
        [person.clone(), company.clone()],
        "waited longest first"
    );
    assert!(
        queue
            .body
            .contains("aria-current=\"page\">Diajukan, menunggu verifikasi <span class=\"konsol-jumlah\">2</span>")
    );
    assert!(
        queue.body.contains("PT Bahari Musi, NIB 1234567890123"),
        "the company in the row"
    );
    assert!(queue.body.contains("Menunggu sejak") && queue.body.contains("kurang dari sehari"));
    let newest = officer.get("/layanan/petugas/permohonan?urut=baru");
    assert_eq!(listed(&newest), [company.clone(), person.clone()]);
    assert!(newest.body.contains("aria-sort=\"descending\""));

    // Sent back: out of the default tab, into its own, with its count.
    let detail = officer.get(&format!("/layanan/petugas/permohonan/{person}"));
    let r = officer.post(
        &format!("/layanan/petugas/permohonan/{person}/perbaikan"),
        &detail,
        &[("nilai_sipi", "perbaikan"), ("catatan_sipi", "SIPI kedaluwarsa.")],
    );
    assert_eq!(r.status, 303);
    let queue = officer.get("/layanan/petugas/permohonan");
    assert_eq!(listed(&queue), std::slice::from_ref(&company));
    assert!(
        queue
            .body
            .contains(">Perlu perbaikan <span class=\"konsol-jumlah\">1</span>")
    );
    assert!(queue.body.contains(">Semua <span class=\"konsol-jumlah\">2</span>"));
    let fixing = officer.get("/layanan/petugas/permohonan?status=perbaikan");
    assert_eq!(listed(&fixing), std::slice::from_ref(&person));

    // One search box: company, NIB, the applicant's NIK (by its keyed hash), nothing else.
    let find = |q: &str| listed(&officer.get(&format!("/layanan/petugas/permohonan?status=semua&q={q}")));
    assert_eq!(find("bahari"), std::slice::from_ref(&company));
    assert_eq!(find("1234567890"), std::slice::from_ref(&company));
    assert_eq!(find("1671044508900001").len(), 2, "both are the applicant's");
    assert_eq!(find("1671099999990009"), Vec::<String>::new());

    // Resubmitted: the first submission time stays.
    let first = app.db().count(&format!(
        "SELECT submitted_at FROM applications WHERE nomor = '{person}'"
    ));
    let check = b.get(&format!("/layanan/permohonan/{person}/ajukan"));
    assert_eq!(
        b.post(&format!("/layanan/permohonan/{person}/ajukan"), &check, &[])
            .status,
        303
    );
    let after = app.db().count(&format!(
        "SELECT submitted_at FROM applications WHERE nomor = '{person}'"
    ));
    assert_eq!(after, first, "a resubmission keeps the first submission time");

    // "Saya tangani": the queue shows who has it.
    let detail = officer.get(&format!("/layanan/petugas/permohonan/{company}"));
    assert!(detail.body.contains("Belum ada petugas") && detail.body.contains(">Saya tangani</button>"));
    let r = officer.post(&format!("/layanan/petugas/permohonan/{company}/tangani"), &detail, &[]);
    assert_eq!(r.status, 303);
    let detail = officer.get(r.location());
    assert!(detail.body.contains("Permohonan ini kini tercatat Anda tangani."));
    assert!(!detail.body.contains(">Saya tangani</button>"), "taken already");
    let queue = officer.get("/layanan/petugas/permohonan");
    assert!(
        queue.body.contains("<td>Petugas Perizinan</td>"),
        "the queue shows who has it"
    );
    assert!(
        officer
            .get("/layanan/petugas/audit")
            .body
            .contains("Permohonan ditangani petugas")
    );

    let csv = officer.get("/layanan/petugas/permohonan.csv?status=semua");
    assert!(
        csv.body.contains("Nama Perusahaan") && csv.body.contains("\"PT Bahari Musi\""),
        "{}",
        csv.body
    );
    assert!(csv.body.contains("Menunggu Sejak"));
}

crate::backend::also_on_postgres_and_s3!(
    the_queue_opens_on_the_work_waiting_finds_company_nib_and_nik_and_sorts_by_wait,
    the_review_page_assesses_each_document_in_one_form_and_asks_before_verifying,
    the_send_back_email_lists_the_documents_first_gives_a_date_and_a_way_to_ask,
    the_console_has_its_own_navigation_with_the_current_section_marked,
    the_audit_trail_shows_every_action_in_words_and_filters_by_number_actor_and_date,
    the_deadline_runs_in_working_days_from_verification_and_the_console_counts_the_month,
);

/// Moves the Verifikasi of `nomor` to `at` (Unix seconds): the deadline counts from the stored
/// moment, so a test can stand on any day without waiting real days.
fn verified_at(app: &TestApp, nomor: &str, at: i64) {
    app.db().exec(&format!(
        "UPDATE application_events SET at = {at} WHERE to_status = 'diproses'
           AND application_id = (SELECT id FROM applications WHERE nomor = '{nomor}');"
    ));
}

/// Verifikasi through its question page.
fn verify(officer: &Browser, nomor: &str) {
    let page = format!("/layanan/petugas/permohonan/{nomor}/verifikasi");
    let confirm = officer.get(&page);
    assert_eq!(confirm.status, 200);
    assert_eq!(officer.post(&page, &confirm, &[("konfirmasi", "ya")]).status, 303);
}

fn finish(officer: &Browser, nomor: &str) {
    let detail = officer.get(&format!("/layanan/petugas/permohonan/{nomor}"));
    assert_eq!(
        officer
            .post(&format!("/layanan/petugas/permohonan/{nomor}/selesai"), &detail, &[])
            .status,
        303
    );
}

/// Issue 8, item 17: the permit's working days run from the day the file is declared complete
/// (Verifikasi), skipping weekends, national holidays and cuti bersama of content/hari-libur/;
/// the queue and both application pages show the date, and the console counts per permit how
/// many finished this month within it.
#[test]
fn the_deadline_runs_in_working_days_from_verification_and_the_console_counts_the_month() {
    let app = spawn_app();
    let (b, officer) = setup(&app);
    let nomor = submitted(&b);
    let own = format!("/layanan/permohonan/{nomor}");
    let review = format!("/layanan/petugas/permohonan/{nomor}");
    assert!(
        officer
            .get(&review)
            .body
            .contains("<dt>Batas waktu</dt><dd>Dihitung sejak Verifikasi (berkas dinyatakan lengkap)</dd>"),
        "before verification the time has not started"
    );
    assert!(
        b.get(&own)
            .body
            .contains("<dt>Batas waktu</dt><dd>Dihitung setelah petugas menyatakan berkas lengkap.</dd>")
    );
    assert!(
        officer
            .get("/layanan/petugas/permohonan")
            .body
            .contains("Dihitung sejak verifikasi")
    );

    // Declared complete on Monday 21 December 2026, 09.00 WIB. Rumpon takes 10 working days:
    // 22, 23, 28, 29, 30, 31 December (the 24th is cuti bersama, the 25th Christmas), then
    // 1, 4, 5, 6 January 2027, whose holidays are not in the content yet: the pages say so.
    verify(&officer, &nomor);
    verified_at(&app, &nomor, 1_797_818_400);
    let queue = officer.get("/layanan/petugas/permohonan?status=diproses");
    assert!(queue.body.contains(">Batas waktu<"), "the column");
    assert!(queue.body.contains("<td>6 Januari 2027"), "the date in the row");
    let page = officer.get(&review);
    assert!(
        page.body.contains("<dt>Batas waktu</dt><dd>6 Januari 2027"),
        "officer's page"
    );
    assert!(
        page.body
            .contains("10 hari kerja sejak berkas dinyatakan lengkap pada 21 Desember 2026")
    );
    assert!(
        page.body
            .contains("hari libur nasional dan cuti bersama tahun 2027 belum dimuat")
    );
    let mine = b.get(&own);
    assert!(
        mine.body.contains("<dt>Batas waktu</dt><dd>6 Januari 2027<br>"),
        "applicant's page"
    );
    assert!(mine.body.contains("tahun 2027 belum dimuat"));

    // Declared complete on Monday 2 November 2026: due on 16 November, long past: overdue.
    verified_at(&app, &nomor, 1_793_584_800);
    let queue = officer.get("/layanan/petugas/permohonan?status=diproses");
    assert!(
        queue
            .body
            .contains("<td>16 November 2026 <strong class=\"tag tag-terlambat\">Terlambat</strong>"),
        "the overdue tag"
    );
    assert!(!officer.get(&review).body.contains("belum dimuat"), "2026 is known");
    let by_deadline = officer.get("/layanan/petugas/permohonan?status=semua&urut=batas");
    assert!(by_deadline.body.contains("aria-sort=\"ascending\"><a href=\"/layanan/petugas/permohonan?status=semua&amp;izin=&amp;dari=&amp;sampai=&amp;q=&amp;urut=batas\">Batas waktu"));

    // Finished now: late. A second one verified and finished today: within its deadline.
    finish(&officer, &nomor);
    let late = officer.get(&review);
    assert!(
        late.body
            .contains("<strong class=\"tag tag-terlambat\">Melewati batas</strong>")
    );
    let second = submitted(&b);
    verify(&officer, &second);
    finish(&officer, &second);
    assert!(
        officer
            .get(&format!("/layanan/petugas/permohonan/{second}"))
            .body
            .contains("<strong class=\"tag tag-tepat\">Tepat waktu</strong>")
    );
    let console = officer.get("/layanan/petugas/");
    assert!(console.body.contains("Standar pelayanan: "), "the table's heading");
    assert!(
        console.body.contains(
            "<tr><th scope=\"row\">Izin Pemasangan Rumpon</th><td class=\"num\">2</td><td class=\"num\">1</td><td class=\"num\">1</td></tr>"
        ),
        "2 finished this month, 1 within the deadline, 1 past it"
    );
}
