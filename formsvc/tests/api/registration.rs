//! Registrasi Pemohon: the whole journey to "Layanan Pemohon", every field's checks, and the
//! guards against double clicks, bots and floods.

use crate::helpers::*;

#[test]
fn a_new_applicant_registers_is_approved_sets_a_password_and_reaches_layanan_pemohon() {
    let app = spawn_app();
    app.add_officer("petugas1", "petugas1@dpmptsp.test", None);
    let b = app.browser();

    let r = register(&b, &registration("siti.aminah", "siti@contoh.id"));
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(
        r.location().starts_with("/layanan/registrasi/berhasil?nomor=REG-"),
        "{}",
        r.location()
    );
    let done = b.get(r.location());
    let nomor = r.location().rsplit('=').next().expect("nomor").to_string();
    assert!(done.body.contains(&nomor));
    assert!(
        done.body.contains("spam"),
        "the confirmation tells to look in the spam folder"
    );

    // A receipt to the applicant and a notice to the officer, each with what they need.
    let mails = app.smtp.wait_for(2, WAIT);
    let receipt = mails
        .iter()
        .find(|m| m.envelope_to == ["siti@contoh.id"])
        .expect("receipt to the applicant");
    assert!(receipt.subject.contains(&nomor), "{}", receipt.subject);
    assert!(receipt.text.contains(&nomor) && receipt.text.contains("siti.aminah"));
    assert!(receipt.text.contains("spam"));
    let notice = mails
        .iter()
        .find(|m| m.envelope_to == ["petugas1@dpmptsp.test"])
        .expect("notice to the officer");
    assert!(notice.subject.contains(&nomor));
    assert!(!notice.text.contains("1671044508900001"), "no NIK in email");
    let console = notice
        .link_starting_with(&format!("{}/layanan/petugas/registrasi/", app.base))
        .expect("console link");

    // The officer opens the link from the email and approves.
    let officer = app.officer("petugas1");
    let detail = officer.get(&console);
    assert_eq!(detail.status, 200);
    assert!(detail.body.contains("Siti Aminah") && detail.body.contains("1671044508900001"));
    let approve_path = format!("{}/setujui", console.trim_start_matches(&app.base));
    let r = officer.post(&approve_path, &detail, &[]);
    assert_eq!(r.status, 303, "{}", r.body);

    // The applicant gets their username and a single-use link, never a password.
    let mails = app.smtp.wait_for(3, WAIT);
    let approved = mails
        .iter()
        .find(|m| m.subject.contains("disetujui"))
        .expect("approval email");
    assert_eq!(approved.envelope_to, ["siti@contoh.id"]);
    assert!(approved.text.contains("siti.aminah"));
    assert!(
        !approved.text.to_lowercase().contains("kata sandi anda:"),
        "no password by email"
    );
    let link = approved
        .link_starting_with(&format!("{}/layanan/atur-sandi?token=", app.base))
        .expect("set-password link");

    let form = b.get(&link);
    assert_eq!(form.status, 200, "{}", form.body);
    let pw = "kopi pagi di tepian musi";
    let r = b.post(
        "/layanan/atur-sandi",
        &form,
        &[
            ("token", &form.hidden("token").expect("token")),
            ("password", pw),
            ("password2", pw),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), "/layanan/masuk?info=sandi");

    let login = b.get(r.location());
    assert!(login.body.contains("Kata sandi tersimpan"));
    let r = b.post(
        "/layanan/masuk",
        &login,
        &[("login", "siti@contoh.id"), ("password", pw)],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let home = b.get(r.location());
    assert_eq!(home.status, 200);
    assert!(home.body.contains("Layanan Pemohon") && home.body.contains("Siti Aminah") && home.body.contains(&nomor));
    assert_eq!(home.header("cache-control"), Some("no-store"));

    // The audit trail records each step, and the console shows it.
    let audit = officer.get("/layanan/petugas/audit");
    for step in ["Registrasi diterima", "Registrasi disetujui", "Kata sandi diatur"] {
        assert!(audit.body.contains(step), "audit lacks {step}");
    }
}

#[test]
fn every_invalid_field_gets_its_own_message_the_answers_are_kept_and_nothing_is_stored() {
    let app = spawn_app();
    let b = app.browser();
    let good = registration("budi", "budi@contoh.id");
    let cases: &[(&str, &str, &str)] = &[
        ("username", "", "Masukkan nama pengguna"),
        ("username", "1budi", "diawali huruf"),
        ("nama", "", "Masukkan nama lengkap sesuai KTP"),
        ("email", "budi@", "alamat surel"),
        ("nomor_identitas", "12345", "NIK 16 digit"),
        ("nomor_identitas", "9971044508900001", "kode provinsi"),
        ("jenis_kelamin", "", "Pilih jenis kelamin"),
        ("tempat_lahir", "", "Isi tempat lahir"),
        ("tanggal_lahir_bulan", "13", "tidak ada dalam kalender"),
        ("pekerjaan", "", "Isi pekerjaan"),
        ("npwp", "12.345", "NPWP"),
        ("telepon", "021555", "08"),
        ("alamat", "", "Isi alamat"),
        ("kabupaten", "99.99", "Pilih kabupaten/kota"),
        ("kode_pos", "3012", "kode pos"),
        ("instansi", "Provinsi Lain", "Pilih instansi"),
    ];
    for (field, bad, message) in cases {
        let r = register(&b, &with(&good, field, bad));
        assert_eq!(r.status, 422, "{field}={bad:?} was accepted");
        assert!(r.body.contains("error-summary"), "{field}: no error summary");
        assert!(
            r.body.contains(&format!("href=\"#{field}\"")),
            "{field}: the summary does not link to the field"
        );
        assert!(r.body.contains(message), "{field}={bad:?}: message {message:?} missing");
        assert!(
            r.body.contains("aria-invalid=\"true\""),
            "{field}: the field is not marked invalid"
        );
        let kept = if *field == "nama" {
            "value=\"budi@contoh.id\""
        } else {
            "value=\"Siti Aminah\""
        };
        assert!(r.body.contains(kept), "{field}: answers were not kept");
    }
    assert_eq!(app.db().count("SELECT count(*) FROM applicants"), 0);
    assert_eq!(app.db().count("SELECT count(*) FROM outbox"), 0);
}

#[test]
fn a_taken_username_or_email_gets_its_own_message() {
    let app = spawn_app();
    let b = app.browser();
    assert_eq!(register(&b, &registration("dewi", "dewi@contoh.id")).status, 303);
    let r = register(&b, &registration("dewi", "lain@contoh.id"));
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Nama pengguna ini sudah dipakai"));
    let r = register(&b, &registration("dewi2", "DEWI@contoh.id"));
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Alamat surel ini sudah terdaftar"));
    assert_eq!(app.db().count("SELECT count(*) FROM applicants"), 1);
}

#[test]
fn a_double_clicked_daftar_creates_one_registration() {
    let app = spawn_app();
    let b = app.browser();
    let page = b.get("/layanan/registrasi");
    let form_id = page.hidden("form_id").expect("form id");
    let fields = registration("rudi", "rudi@contoh.id");
    let mut all: Vec<(&str, &str)> = vec![("form_id", &form_id)];
    all.extend(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let first = b.post("/layanan/registrasi", &page, &all);
    let second = b.post("/layanan/registrasi", &page, &all);
    assert_eq!(first.status, 303);
    assert_eq!(second.status, 303);
    assert_eq!(
        first.location(),
        second.location(),
        "both answers name the same registration"
    );
    assert_eq!(app.db().count("SELECT count(*) FROM applicants"), 1);
    assert_eq!(
        app.db()
            .count("SELECT count(*) FROM outbox WHERE kind = 'registrasi_diterima'"),
        1
    );
}

#[test]
fn a_bot_that_fills_the_honeypot_registers_nothing() {
    let app = spawn_app();
    let b = app.browser();
    let mut fields = registration("bot", "bot@contoh.id");
    fields.push(("situs_web".into(), "http://spam.example".into()));
    let r = register(&b, &fields);
    assert_eq!(r.status, 303, "the bot sees the usual answer");
    assert_eq!(app.db().count("SELECT count(*) FROM applicants"), 0);
}

#[test]
fn registrations_from_one_address_are_limited() {
    let app = spawn_app();
    let b = app.browser();
    let mut statuses = Vec::new();
    for i in 0..11 {
        let fields = registration(&format!("warga{i}"), &format!("warga{i}@contoh.id"));
        let fields = with(&fields, "nomor_identitas", &format!("16710445089{:05}", i + 1));
        let r = register(&b, &fields);
        statuses.push(r.status);
    }
    assert_eq!(&statuses[..10], &[303; 10]);
    assert_eq!(statuses[10], 429);
    assert_eq!(app.db().count("SELECT count(*) FROM applicants"), 10);
}

#[test]
fn an_officer_rejects_with_a_reason_that_is_emailed() {
    let app = spawn_app();
    app.add_officer("petugas1", "petugas1@dpmptsp.test", None);
    let b = app.browser();
    register(&b, &registration("andi", "andi@contoh.id"));
    app.smtp.wait_for(2, WAIT);
    let officer = app.officer("petugas1");
    let dash = officer.get("/layanan/petugas/");
    assert!(
        dash.body.contains("Siti Aminah"),
        "the waiting list shows the registration"
    );
    let id = app.db().count("SELECT id FROM applicants");
    let detail = officer.get(&format!("/layanan/petugas/registrasi/{id}"));
    let r = officer.post(
        &format!("/layanan/petugas/registrasi/{id}/tolak"),
        &detail,
        &[("alasan", "")],
    );
    assert_eq!(r.status, 422, "a rejection needs a reason");
    assert!(r.body.contains("Isi alasan penolakan"));
    let r = officer.post(
        &format!("/layanan/petugas/registrasi/{id}/tolak"),
        &detail,
        &[("alasan", "Foto KTP tidak terbaca; unggah ulang.")],
    );
    assert_eq!(r.status, 303);
    let mails = app.smtp.wait_for(3, WAIT);
    let rejected = mails
        .iter()
        .find(|m| m.subject.contains("ditolak"))
        .expect("rejection email");
    assert_eq!(rejected.envelope_to, ["andi@contoh.id"]);
    assert!(rejected.text.contains("Foto KTP tidak terbaca"));
    // Decided once: approving afterwards changes nothing.
    let r = officer.post(&format!("/layanan/petugas/registrasi/{id}/setujui"), &detail, &[]);
    assert_eq!(r.status, 409);
    assert_eq!(
        app.db()
            .count("SELECT count(*) FROM applicants WHERE status = 'ditolak'"),
        1
    );
    // The rejected username and email can register again.
    assert_eq!(register(&b, &registration("andi", "andi@contoh.id")).status, 303);
}

crate::backend::also_on_postgres_and_s3!(
    a_new_applicant_registers_is_approved_sets_a_password_and_reaches_layanan_pemohon,
    every_invalid_field_gets_its_own_message_the_answers_are_kept_and_nothing_is_stored,
    a_taken_username_or_email_gets_its_own_message,
    a_double_clicked_daftar_creates_one_registration,
    a_bot_that_fills_the_honeypot_registers_nothing,
    registrations_from_one_address_are_limited,
    an_officer_rejects_with_a_reason_that_is_emailed
);

#[test]
fn a_nik_that_disagrees_with_the_birth_date_is_questioned_once_and_flagged_for_the_officer() {
    let app = spawn_app();
    app.add_officer("petugas1", "petugas1@dpmptsp.test", None);
    let b = app.browser();
    // The NIK says 5 August 1990, a woman; the form says a man born in 1991.
    let fields = with(&registration("hendra", "hendra@contoh.id"), "jenis_kelamin", "L");
    let fields = with(&fields, "tanggal_lahir_tahun", "1991");
    let first = register(&b, &fields);
    assert_eq!(first.status, 200, "asked to look again, not refused: {}", first.body);
    assert!(
        first
            .body
            .contains("Periksa kembali NIK, tanggal lahir, dan jenis kelamin"),
        "{}",
        first.body
    );
    assert!(
        first.body.contains("value=\"hendra@contoh.id\""),
        "the answers are kept"
    );
    assert_eq!(
        app.db().count("SELECT count(*) FROM applicants"),
        0,
        "nothing stored yet"
    );

    // DAFTAR again, as the page says: it goes through.
    let form_id = first.hidden("form_id").expect("form id");
    let mut again: Vec<(&str, &str)> = vec![("form_id", &form_id), ("nik_diperiksa", "ya")];
    again.extend(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    let r = b.post("/layanan/registrasi", &first, &again);
    assert_eq!(r.status, 303, "{}", r.body);
    let id = app.db().count("SELECT id FROM applicants WHERE username = 'hendra'");
    let officer = app.officer("petugas1");
    let page = officer.get(&format!("/layanan/petugas/registrasi/{id}"));
    assert!(
        page.body.contains("tidak sesuai dengan yang tersandi dalam NIK"),
        "the officer is warned: {}",
        page.body
    );

    // An agreeing NIK is neither questioned nor flagged.
    let r = register(
        &app.browser(),
        &with(
            &registration("siti", "siti@contoh.id"),
            "nomor_identitas",
            "1671044508900002",
        ),
    );
    assert_eq!(r.status, 303);
    let id = app.db().count("SELECT id FROM applicants WHERE username = 'siti'");
    let page = officer.get(&format!("/layanan/petugas/registrasi/{id}"));
    assert!(!page.body.contains("tersandi dalam NIK"));
}
