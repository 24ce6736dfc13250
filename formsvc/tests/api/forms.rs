//! What the applicant's forms answer when something is wrong or done: the error summary with
//! links to every field at once, a themed page at every address a form posts to, and the
//! confirmations. The browser side (focus, layout) is in `tests/browser/forms.mjs`.

use crate::helpers::*;

/// With `novalidate` the browser sends an empty Masuk; the service must say so at the fields,
/// and an empty field is a slip, not a guess that brings the lockout closer.
#[test]
fn masuk_with_empty_fields_shows_the_error_summary_and_is_not_a_failed_attempt() {
    let app = spawn_app();
    let b = active_applicant(&app, "siti.aminah", "siti@contoh.id", "kopi pagi di tepian musi");
    let page = b.get("/layanan/masuk");
    assert!(page.body.contains("novalidate"), "{}", page.body);
    for _ in 0..12 {
        let r = b.post("/layanan/masuk", &page, &[("login", ""), ("password", "")]);
        assert_eq!(r.status, 422, "{}", r.body);
        assert!(r.body.contains("id=\"ringkasan-galat\""), "{}", r.body);
        assert!(r.body.contains("href=\"#login\"") && r.body.contains("href=\"#password\""));
        assert!(r.body.contains("id=\"login-galat\"") && r.body.contains("id=\"password-galat\""));
        let r = b.post("/layanan/masuk", &page, &[("login", "siti.aminah"), ("password", "")]);
        assert_eq!(r.status, 422);
        assert!(r.body.contains("value=\"siti.aminah\""), "the username is kept");
    }
    // Twenty-four empty sends later, the account is not locked.
    let r = login(&b, "siti.aminah", "kopi pagi di tepian musi");
    assert_eq!(r.status, 303, "{}", r.body);
}

/// Every form an applicant fills lets the service validate (one error summary in the
/// service's words, instead of the browser's bubbles one field at a time).
#[test]
fn every_applicant_form_has_novalidate() {
    let app = spawn_app();
    let b = active_applicant(&app, "siti.aminah", "siti@contoh.id", "kopi pagi di tepian musi");
    let anonymous = app.browser();
    for path in [
        "/layanan/registrasi",
        "/layanan/masuk",
        "/layanan/lupa-sandi",
        "/layanan/cek-status",
    ] {
        let page = anonymous.get(path);
        assert_eq!(page.status, 200, "{path}");
        assert_all_novalidate(path, &page.body);
    }
    assert_eq!(login(&b, "siti.aminah", "kopi pagi di tepian musi").status, 303);
    for path in [
        "/layanan/profil",
        "/layanan/hapus-akun",
        "/layanan/permohonan/baru?izin=izin-pemasangan-rumpon&tipe=perorangan",
    ] {
        let page = b.get(path);
        assert_eq!(page.status, 200, "{path}");
        assert_all_novalidate(path, &page.body);
    }
}

fn assert_all_novalidate(path: &str, body: &str) {
    let main = &body[body.find("<main").expect("main")..];
    for form in main.split("<form").skip(1) {
        let tag = &form[..form.find('>').expect("tag end")];
        assert!(tag.contains("novalidate"), "{path}: <form{tag}> has no novalidate");
    }
}

/// Reloading or reopening an address a form posted to (after a refused upload, say) used to
/// give an empty 405, which browsers show as their own error page. Each such address now sends
/// the user to the page whose form posts there.
#[test]
fn a_get_on_every_address_that_takes_a_form_lands_on_a_themed_page() {
    let app = spawn_app();
    let b = active_applicant(&app, "siti.aminah", "siti@contoh.id", "kopi pagi di tepian musi");
    assert_eq!(login(&b, "siti.aminah", "kopi pagi di tepian musi").status, 303);
    let nomor = "PRM-7KX9-M2QH";
    let cases = [
        (
            "/layanan/profil/koreksi",
            "/layanan/profil#perbaiki-identitas".to_string(),
        ),
        ("/layanan/salinan-data", "/layanan/".to_string()),
        ("/layanan/hapus-akun/batal", "/layanan/hapus-akun".to_string()),
        (
            "/layanan/permohonan/PRM-7KX9-M2QH/dokumen/ktp",
            format!("/layanan/permohonan/{nomor}/dokumen#syarat-ktp"),
        ),
        (
            "/layanan/permohonan/PRM-7KX9-M2QH/dokumen/ktp/hapus",
            format!("/layanan/permohonan/{nomor}/dokumen#syarat-ktp"),
        ),
        // Verifikasi has a question page of its own, for officers: anyone else is sent to the
        // officers' sign-in.
        (
            "/layanan/petugas/permohonan/PRM-7KX9-M2QH/verifikasi",
            "/layanan/petugas/masuk?info=sesi".to_string(),
        ),
        (
            "/layanan/petugas/registrasi/7/setujui",
            "/layanan/petugas/registrasi/7".to_string(),
        ),
        (
            "/layanan/petugas/registrasi/7/tolak",
            "/layanan/petugas/registrasi/7".to_string(),
        ),
        (
            "/layanan/petugas/koreksi/7/setujui",
            "/layanan/petugas/koreksi/7".to_string(),
        ),
        (
            "/layanan/petugas/koreksi/7/tolak",
            "/layanan/petugas/koreksi/7".to_string(),
        ),
        (
            "/layanan/petugas/penghapusan/7/proses",
            "/layanan/petugas/penghapusan/7".to_string(),
        ),
    ];
    for (path, target) in cases {
        let r = b.get(path);
        assert_eq!(r.status, 303, "GET {path}: {}", r.body);
        assert_eq!(r.location(), target, "GET {path}");
    }
    // Keluar's address is a page of its own (the static pages link to it): its button signs
    // out; opening it ends nothing.
    let r = b.get("/layanan/keluar");
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.body.contains("<h1>Keluar</h1>"), "{}", r.body);
    assert!(
        r.body.matches("action=\"/layanan/keluar\"").count() >= 2,
        "the page's own button and the header's"
    );
    assert_eq!(b.get("/layanan/").status, 200, "still signed in");
    // The pages themselves answer with a page (the applicant's own ones; another's number is
    // "not found", themed too).
    for path in ["/layanan/", "/layanan/profil", "/layanan/hapus-akun"] {
        let r = b.get(path);
        assert_eq!(r.status, 200, "GET {path}");
        assert!(r.body.contains("<h1>"), "GET {path}: {}", r.body);
    }
    let r = b.get(&format!("/layanan/permohonan/{nomor}/dokumen"));
    assert_eq!(r.status, 404);
    assert!(r.body.contains("<h1>"), "{}", r.body);
    // Something odd in the address sends the user one level up, never into another address.
    let r = b.get("/layanan/permohonan/PRM-7KX9-M2QH/dokumen/a%3Fb");
    assert_eq!(r.location(), format!("/layanan/permohonan/{nomor}/dokumen"));

    // Any other method gets the themed page, not an empty 405.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    for path in ["/layanan/registrasi", "/layanan/keluar", "/layanan/cek-status"] {
        let mut r = agent.put(&format!("{}{path}", app.base)).send_empty().expect("PUT");
        assert_eq!(r.status().as_u16(), 405, "PUT {path}");
        let body = r.body_mut().read_to_string().expect("body");
        assert!(
            body.contains("<h1>Alamat ini hanya menerima formulir</h1>"),
            "PUT {path}: {body}"
        );
    }
}

/// A taken username or email used to be reported only once every other field was right, so an
/// applicant fixed the form twice; now it comes with the rest, in form order.
#[test]
fn a_taken_username_and_email_are_reported_with_the_other_problems() {
    let app = spawn_app();
    let b = app.browser();
    assert_eq!(register(&b, &registration("dewi", "dewi@contoh.id")).status, 303);
    let again = with(&registration("dewi", "DEWI@contoh.id"), "pekerjaan", "");
    let again = with(&again, "tanggal_lahir_bulan", "");
    let r = register(&b, &again);
    assert_eq!(r.status, 422, "{}", r.body);
    let summary = &r.body[r.body.find("ringkasan-galat").expect("summary")..];
    let summary = &summary[..summary.find("</div>").expect("end")];
    let order: Vec<usize> = [
        "href=\"#username\">Nama pengguna ini sudah dipakai",
        "href=\"#email\">Alamat surel ini sudah terdaftar",
        "href=\"#tanggal_lahir_bulan\">Tanggal lahir harus berisi bulan.",
        "href=\"#pekerjaan\">Isi pekerjaan",
    ]
    .iter()
    .map(|want| {
        summary
            .find(want)
            .unwrap_or_else(|| panic!("{want:?} not in {summary}"))
    })
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "form order: {summary}");
    assert_eq!(app.db().count("SELECT count(*) FROM applicants"), 1);
}

/// The birth date is three fields (day, month, year) as GOV.UK's date input, each problem said
/// precisely and linked to the part it concerns.
#[test]
fn the_birth_date_is_three_fields_with_a_message_for_each_problem() {
    let app = spawn_app();
    let b = app.browser();
    let form = b.get("/layanan/registrasi");
    for id in ["tanggal_lahir_hari", "tanggal_lahir_bulan", "tanggal_lahir_tahun"] {
        assert!(form.body.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(!form.body.contains("type=\"date\""), "no native date picker");
    let good = registration("budi", "budi@contoh.id");
    // (the parts sent, the part the summary links to, the message)
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
    let cases: &[Case] = &[
        (
            &[("hari", ""), ("bulan", ""), ("tahun", "")],
            "hari",
            "Masukkan tanggal lahir.",
        ),
        (&[("bulan", "")], "bulan", "Tanggal lahir harus berisi bulan."),
        (
            &[("hari", ""), ("tahun", "")],
            "hari",
            "Tanggal lahir harus berisi tanggal dan tahun.",
        ),
        (&[("tahun", "90")], "tahun", "Tahun lahir harus berisi 4 angka"),
        (&[("hari", "5a")], "hari", "hanya berisi angka"),
        (&[("bulan", "13")], "bulan", "tidak ada dalam kalender"),
        (&[("hari", "31"), ("bulan", "2")], "hari", "tidak ada dalam kalender"),
        (&[("tahun", "2030")], "hari", "tidak boleh setelah hari ini"),
    ];
    for (parts, at, message) in cases {
        let mut fields = good.clone();
        for (part, value) in *parts {
            fields = with(&fields, &format!("tanggal_lahir_{part}"), value);
        }
        let r = register(&b, &fields);
        assert_eq!(r.status, 422, "{parts:?} was accepted");
        assert!(
            r.body.contains(&format!("href=\"#tanggal_lahir_{at}\">{message}"))
                || r.body.contains(&format!("href=\"#tanggal_lahir_{at}\">")) && r.body.contains(message),
            "{parts:?}: no link to {at} saying {message:?}"
        );
        for (part, value) in *parts {
            let input = format!("id=\"tanggal_lahir_{part}\"");
            let tag = &r.body[r.body.find(&input).expect("input")..];
            let tag = &tag[..tag.find('>').expect("tag end")];
            assert!(
                tag.contains("aria-invalid=\"true\""),
                "{part} not marked invalid: {tag}"
            );
            assert!(tag.contains(&format!("value=\"{value}\"")), "{part} not kept: {tag}");
        }
    }
    // Correct, with a leading zero: stored as a date.
    let fields = with(&with(&good, "tanggal_lahir_hari", "05"), "tanggal_lahir_bulan", "08");
    assert_eq!(register(&b, &fields).status, 303);
    assert_eq!(app.db().texts("SELECT tanggal_lahir FROM applicants"), ["1990-08-05"]);
}

/// A registration form opened before the upgrade (one `tanggal_lahir` field, YYYY-MM-DD) still
/// registers.
#[test]
fn a_form_from_before_the_three_date_fields_still_registers() {
    let app = spawn_app();
    let b = app.browser();
    let fields: Vec<(String, String)> = registration("rina", "rina@contoh.id")
        .into_iter()
        .filter(|(k, _)| !k.starts_with("tanggal_lahir_"))
        .chain([("tanggal_lahir".to_string(), "1990-08-05".to_string())])
        .collect();
    assert_eq!(register(&b, &fields).status, 303);
    assert_eq!(app.db().texts("SELECT tanggal_lahir FROM applicants"), ["1990-08-05"]);
}

/// Every rule a new password breaks, and a repeat that differs, are said at once.
#[test]
fn every_password_problem_is_reported_at_once() {
    let app = spawn_app();
    app.add_officer("petugas1", "petugas1@dpmptsp.test", None);
    let b = app.browser();
    assert_eq!(register(&b, &registration("siti.aminah", "siti@contoh.id")).status, 303);
    let id = app
        .db()
        .count("SELECT id FROM applicants WHERE username = 'siti.aminah'");
    let officer = app.officer("petugas1");
    let detail = officer.get(&format!("/layanan/petugas/registrasi/{id}"));
    assert!(
        detail.body.contains("5 Agustus 1990"),
        "the officer reads the birth date in words"
    );
    assert!(!detail.body.contains("1990-08-05"));
    let r = officer.post(&format!("/layanan/petugas/registrasi/{id}/setujui"), &detail, &[]);
    assert_eq!(r.status, 303);
    let link = wait_for_link(&app, "siti@contoh.id", "disetujui");
    let form = b.get(&link);
    let token = form.hidden("token").expect("token");
    let r = b.post(
        "/layanan/atur-sandi",
        &form,
        &[("token", &token), ("password", "aaaa"), ("password2", "aaab")],
    );
    assert_eq!(r.status, 422, "{}", r.body);
    for want in [
        "Kata sandi minimal 8 karakter.",
        "satu karakter yang diulang",
        "Ulangi kata sandi yang sama persis.",
    ] {
        assert!(r.body.contains(want), "{want:?} missing: {}", r.body);
    }
    assert_eq!(
        r.body.matches("href=\"#password\"").count(),
        2,
        "each problem in the summary"
    );
    assert!(r.body.contains("href=\"#password2\""));
}

/// A permit with one applicant type or one kind needs no radio for it: the choice is shown as
/// text; two or more are radios, each label beside its circle.
#[test]
fn a_single_possible_choice_is_text_and_several_are_radios() {
    let app = spawn_app();
    let (b, _) = crate::applications::setup(&app);
    // Izin Pemasangan Rumpon: Perorangan or Perusahaan; only Baru.
    let page = b.get("/layanan/permohonan/baru?izin=izin-pemasangan-rumpon");
    assert_eq!(page.status, 200);
    assert_eq!(
        page.body.matches("type=\"radio\" id=\"tipe-").count(),
        2,
        "{}",
        page.body
    );
    assert_eq!(page.body.matches("type=\"radio\" id=\"jenis-").count(), 0);
    assert!(
        page.body
            .contains("<input type=\"hidden\" name=\"jenis\" value=\"baru\">")
    );
    let single = &page.body[page.body.find("single-choice").expect("text")..];
    assert!(single.contains("Jenis Permohonan") && single.contains("<p>Baru</p>"));
    // Each radio row: the input, then its label, in one row.
    assert!(page.body.contains(
        "<div class=\"radios-item\">\n      <input type=\"radio\" id=\"tipe-perorangan\" name=\"tipe\" value=\"perorangan\">\n      <label for=\"tipe-perorangan\">Perorangan</label>"
    ));
}

/// The confirmations: "Permohonan dibuat" after BUAT (once), after Ajukan the number, an
/// estimate in working days and the way to Cek Status, and a banner after an officer approves.
#[test]
fn buat_ajukan_and_an_approval_are_confirmed() {
    use crate::applications::{RUMPON, create, nomor_of, setup, upload_all};
    let app = spawn_app();
    let (b, _) = setup(&app);
    let r = create(&b, RUMPON, "perorangan", &[]);
    assert_eq!(r.status, 303, "{}", r.body);
    let nomor = nomor_of(&r);
    let docs = b.get(r.location());
    assert_eq!(docs.status, 200);
    let banner = format!("Permohonan {nomor} dibuat");
    assert!(docs.body.contains("notification-banner-success"), "{}", docs.body);
    assert!(docs.body.contains(&banner));
    let again = b.get(r.location());
    assert!(!again.body.contains(&banner), "shown once, not at every visit");

    upload_all(&b, &nomor);
    let check = b.get(&format!("/layanan/permohonan/{nomor}/ajukan"));
    let r = b.post(&format!("/layanan/permohonan/{nomor}/ajukan"), &check, &[]);
    assert_eq!(r.status, 303, "{}", r.body);
    let done = b.get(r.location());
    assert_eq!(done.status, 200);
    for want in [
        "Permohonan diajukan".to_string(),
        format!("<strong class=\"nomor\">{nomor}</strong>"),
        "Perkiraan selesai paling cepat:".to_string(),
        "10 hari kerja".to_string(),
        "hari libur nasional".to_string(),
        "href=\"/layanan/cek-status\">Cek Status</a>".to_string(),
    ] {
        assert!(done.body.contains(&want), "{want:?} missing: {}", done.body);
    }

    // The officer's approval of a registration.
    let other = app.browser();
    assert_eq!(register(&other, &registration("rudi", "rudi@contoh.id")).status, 303);
    let id = app.db().count("SELECT id FROM applicants WHERE username = 'rudi'");
    let officer = app.officer("petugas1");
    let detail = officer.get(&format!("/layanan/petugas/registrasi/{id}"));
    let r = officer.post(&format!("/layanan/petugas/registrasi/{id}/setujui"), &detail, &[]);
    assert_eq!(r.status, 303);
    let page = officer.get(r.location());
    assert!(page.body.contains("notification-banner-success"), "{}", page.body);
    assert!(page.body.contains("Registrasi disetujui"));
}

/// Browsers ask every site for `/favicon.ico`; it was a 404.
#[test]
fn favicon_ico_is_served() {
    let app = spawn_app();
    let (r, bytes) = app.browser().download("/favicon.ico");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("image/x-icon"));
    assert_eq!(&bytes[..4], &[0, 0, 1, 0], "an ICO file");
}

/// A send-back with a general note and notes on two documents used to show in the history as
/// one line joined with "; "; it is a list, one line each.
#[test]
fn the_notes_of_a_send_back_are_a_list_in_the_history() {
    use crate::applications::{RUMPON, create, nomor_of, setup, upload_all};
    let app = spawn_app();
    let (b, officer) = setup(&app);
    let nomor = nomor_of(&create(&b, RUMPON, "perorangan", &[]));
    upload_all(&b, &nomor);
    let check = b.get(&format!("/layanan/permohonan/{nomor}/ajukan"));
    assert_eq!(
        b.post(&format!("/layanan/permohonan/{nomor}/ajukan"), &check, &[])
            .status,
        303
    );
    let detail = officer.get(&format!("/layanan/petugas/permohonan/{nomor}"));
    let r = officer.post(
        &format!("/layanan/petugas/permohonan/{nomor}/perbaikan"),
        &detail,
        &[
            ("catatan", "Mohon lengkapi dua dokumen berikut."),
            ("catatan_sipi", "SIPI sudah kedaluwarsa; unggah SIPI yang berlaku."),
            ("catatan_surat-permohonan", "Surat belum ditandatangani."),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let page = b.get(&format!("/layanan/permohonan/{nomor}"));
    let list = &page.body[page.body.find("<ul class=\"catatan\">").expect("a list of notes")..];
    let list = &list[..list.find("</ul>").expect("end")];
    assert_eq!(list.matches("<li>").count(), 3, "{list}");
    for note in [
        "<li>Mohon lengkapi dua dokumen berikut.</li>",
        "SIPI sudah kedaluwarsa; unggah SIPI yang berlaku.</li>",
        "Surat belum ditandatangani.</li>",
    ] {
        assert!(list.contains(note), "{note:?} not in {list}");
    }
}

/// The officer's note on a document used to vanish once the applicant replaced the file; it
/// stays until Ajukan, marked as answered.
#[test]
fn the_officers_note_stays_after_the_file_is_replaced_marked_as_answered() {
    use crate::applications::{RUMPON, create, nomor_of, pdf, setup, upload_all};
    let app = spawn_app();
    let (b, officer) = setup(&app);
    let nomor = nomor_of(&create(&b, RUMPON, "perorangan", &[]));
    upload_all(&b, &nomor);
    let check = b.get(&format!("/layanan/permohonan/{nomor}/ajukan"));
    assert_eq!(
        b.post(&format!("/layanan/permohonan/{nomor}/ajukan"), &check, &[])
            .status,
        303
    );
    let detail = officer.get(&format!("/layanan/petugas/permohonan/{nomor}"));
    let note = "SIPI sudah kedaluwarsa, unggah SIPI yang berlaku.";
    let r = officer.post(
        &format!("/layanan/petugas/permohonan/{nomor}/perbaikan"),
        &detail,
        &[("catatan_sipi", note)],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let page = b.get(&format!("/layanan/permohonan/{nomor}"));
    assert!(page.body.contains(&format!("<strong>perlu perbaikan:</strong> {note}")));

    // The store counts time in seconds, and "answered" means uploaded after the send-back: a
    // person never replaces a file within the second the officer sent it back; this test would.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let docs = b.get(&format!("/layanan/permohonan/{nomor}/dokumen"));
    let r = b.upload(
        &format!("/layanan/permohonan/{nomor}/dokumen/sipi"),
        &docs,
        "sipi-baru.pdf",
        "application/pdf",
        &pdf(60),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let docs = b.get(&format!("/layanan/permohonan/{nomor}/dokumen"));
    assert!(docs.body.contains(note), "DOKUMEN still shows the note");
    let page = b.get(&format!("/layanan/permohonan/{nomor}"));
    assert!(
        page.body.contains(&format!(
            "catatan petugas: {note} <strong>(sudah dijawab dengan berkas baru)</strong>"
        )),
        "{}",
        page.body
    );
    // Ajukan hands the answers to the officer: the notes go with it.
    let check = b.get(&format!("/layanan/permohonan/{nomor}/ajukan"));
    assert_eq!(
        b.post(&format!("/layanan/permohonan/{nomor}/ajukan"), &check, &[])
            .status,
        303
    );
    let page = b.get(&format!("/layanan/permohonan/{nomor}"));
    assert!(!page.body.contains(&format!("{note} <strong>")), "{}", page.body);
}

/// The permits "Jenis Izin" offers after "Cari jenis izin", by value.
fn offered(body: &str) -> Vec<String> {
    let select = &body[body.find("<select id=\"izin\"").expect("Jenis Izin")..];
    let select = &select[..select.find("</select>").expect("its end")];
    select
        .split("<option value=\"")
        .skip(1)
        .map(|o| o[..o.find('"').expect("value")].to_string())
        .filter(|v| !v.is_empty())
        .collect()
}

fn status_line(body: &str) -> String {
    let at = body.find("id=\"cari-izin-status\"").expect("the status line");
    let text = &body[at..];
    let text = &text[text.find('>').expect("tag") + 1..text.find("</p>").expect("end")];
    // Only the words, as a screen reader says them.
    let mut out = String::new();
    let mut tag = false;
    for c in text.chars() {
        match c {
            '<' => tag = true,
            '>' => tag = false,
            c if !tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// "Cari jenis izin" without JavaScript: "SIPA", "sumur bor", "ijin trayek" and the SiCantik
/// keyword "#PROV. SUMSEL" used to give an empty list and no word; they find their permits by
/// name, other names (`nama_lain`), the old spelling and the instansi's words, and nonsense
/// says "0 jenis izin cocok".
#[test]
fn cari_jenis_izin_finds_other_names_and_the_old_spelling_and_says_when_nothing_matches() {
    let app = spawn_app();
    let (b, _) = crate::applications::setup(&app);
    let all = offered(&b.get("/layanan/permohonan/baru").body);
    assert_eq!(all.len(), 17, "{all:?}");

    for (typed, query, expected) in [
        ("SIPA", "SIPA", vec!["izin-pengusahaan-air-tanah"]),
        ("sumur bor", "sumur+bor", vec!["izin-pengusahaan-air-tanah"]),
        (
            "ijin trayek",
            "ijin+trayek",
            vec!["izin-penyelenggaraan-angkutan-orang-dalam-trayek", "izin-trayek-akdp"],
        ),
    ] {
        let page = b.get(&format!("/layanan/permohonan/baru?cari={query}"));
        assert_eq!(page.status, 200);
        let mut got = offered(&page.body);
        got.sort();
        assert_eq!(got, expected, "{typed}");
        assert_eq!(
            status_line(&page.body),
            format!(
                "{} jenis izin cocok dengan «{typed}». Tampilkan semua jenis izin.",
                expected.len()
            ),
            "{typed}"
        );
        // The box keeps what was typed.
        assert!(
            page.body.contains(&format!("name=\"cari\" value=\"{typed}\"")),
            "{typed}"
        );
    }

    // The SiCantik keyword style: every permit here is the province's.
    let page = b.get("/layanan/permohonan/baru?cari=%23PROV.%20SUMSEL");
    assert_eq!(offered(&page.body), all);
    assert!(status_line(&page.body).starts_with("17 jenis izin cocok dengan «#PROV. SUMSEL»."));
    let page = b.get("/layanan/permohonan/baru?cari=%23PROV.%20SUMSEL%20rumpon");
    assert_eq!(offered(&page.body), ["izin-pemasangan-rumpon"]);

    let page = b.get("/layanan/permohonan/baru?cari=zzkapalterbang");
    assert_eq!(page.status, 200);
    assert_eq!(offered(&page.body), Vec::<String>::new());
    assert_eq!(
        status_line(&page.body),
        "0 jenis izin cocok dengan «zzkapalterbang». Periksa ejaannya, coba kata lain atau singkatannya, atau tampilkan semua jenis izin."
    );
    assert!(
        page.body
            .contains("<a href=\"/layanan/permohonan/baru\">tampilkan semua jenis izin</a>")
    );

    // A search never unselects the permit chosen.
    let page = b.get("/layanan/permohonan/baru?izin=izin-pemasangan-rumpon&cari=SIPA");
    let mut got = offered(&page.body);
    got.sort();
    assert_eq!(got, ["izin-pemasangan-rumpon", "izin-pengusahaan-air-tanah"]);
    assert!(page.body.contains("value=\"izin-pemasangan-rumpon\" data-cari="));
    assert!(page.body.contains("Tampilkan persyaratan"));
}

fn copy_tree(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("ls").flatten() {
        let dest = to.join(e.file_name());
        if e.path().is_dir() {
            copy_tree(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).expect("copy");
        }
    }
}

/// The service's pages share the site's footer: the office's contact details given in
/// `situs.yaml` show on them, and a detail not given shows no empty label.
#[test]
fn the_service_pages_footer_shows_only_the_contact_details_given() {
    let content = tempfile::tempdir().expect("content dir");
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    copy_tree(&repo.join("content"), content.path());
    let situs = content.path().join("situs.yaml");
    let text = std::fs::read_to_string(&situs).expect("situs.yaml");
    assert!(
        text.contains("\nkontak: {}\n"),
        "the committed settings give no contact details"
    );
    std::fs::write(
        &situs,
        text.replace(
            "\nkontak: {}\n",
            "\nkontak:\n  telepon: (0711) 000000\n  jam_layanan: Senin–Jumat 08.00–15.00\n",
        ),
    )
    .expect("write");
    let app = spawn_app_with(Options {
        env: vec![("SICANTIK_CONTENT_DIR", content.path().display().to_string())],
        ..Options::default()
    });
    let b = app.browser();
    for path in ["/layanan/masuk", "/layanan/registrasi", "/layanan/cek-status"] {
        let page = b.get(path);
        assert_eq!(page.status, 200, "{path}");
        let footer = &page.body[page.body.find("<footer").expect("footer")..];
        assert!(
            footer.contains("<dt>Telepon</dt><dd>(0711) 000000</dd>"),
            "{path}: {footer}"
        );
        assert!(
            footer.contains("<dt>Jam layanan</dt><dd>Senin–Jumat 08.00–15.00</dd>"),
            "{path}"
        );
        assert!(
            !footer.contains("<dt>Alamat</dt>") && !footer.contains("<dt>Surel</dt>"),
            "{path}: {footer}"
        );
    }
}
