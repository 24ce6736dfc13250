//! Accounts: login by username or email, logout ending the session on the server, emailed links
//! that work once and expire, and "lupa kata sandi" that tells nobody whether an account exists.

use crate::helpers::*;

const PW: &str = "hujan turun di jembatan ampera";

#[test]
fn a_failed_login_never_says_which_part_was_wrong() {
    let app = spawn_app();
    active_applicant(&app, "maya", "maya@contoh.id", PW);
    let b = app.browser();
    let wrong_password = login(&b, "maya", "salah sekali kata sandinya");
    let unknown_user = login(&b, "tidakada", PW);
    assert_eq!(wrong_password.status, 401);
    assert_eq!(unknown_user.status, 401);
    let msg = "Nama pengguna/surel atau kata sandi salah";
    assert!(wrong_password.body.contains(msg) && unknown_user.body.contains(msg));
    assert_eq!(
        login(&b, "MAYA@contoh.id", PW).status,
        303,
        "email works too, in any case"
    );
}

#[test]
fn logging_in_renews_the_session_and_logging_out_ends_it_on_the_server() {
    let app = spawn_app();
    let b = active_applicant(&app, "joko", "joko@contoh.id", PW);
    assert_eq!(login(&b, "joko", PW).status, 303);
    let home = b.get("/layanan/");
    assert_eq!(home.status, 200);
    assert_eq!(
        app.db().count("SELECT count(*) FROM sessions WHERE kind = 'pemohon'"),
        1
    );
    // Logging in again replaces the session rather than adding one.
    assert_eq!(login(&b, "joko", PW).status, 303);
    assert_eq!(
        app.db().count("SELECT count(*) FROM sessions WHERE kind = 'pemohon'"),
        1
    );

    let home = b.get("/layanan/");
    let r = b.post("/layanan/keluar", &home, &[]);
    assert_eq!(r.status, 303);
    assert_eq!(
        app.db().count("SELECT count(*) FROM sessions WHERE kind = 'pemohon'"),
        0
    );
    let after = b.get("/layanan/");
    assert_eq!(after.status, 303, "a session after logout opens nothing");
    assert!(after.location().starts_with("/layanan/masuk"));
}

#[test]
fn a_copied_session_cookie_is_useless_after_logout() {
    let app = spawn_app();
    let b = active_applicant(&app, "lina", "lina@contoh.id", PW);
    login(&b, "lina", PW);
    let stolen = b.cookie("sicantik_sesi").expect("session cookie");
    let thief = app.browser();
    thief.set_cookie("sicantik_sesi", &stolen);
    assert_eq!(
        thief.get("/layanan/").status,
        200,
        "the copy works while the session lives"
    );
    let home = b.get("/layanan/");
    b.post("/layanan/keluar", &home, &[]);
    assert_eq!(thief.get("/layanan/").status, 303, "and not after logout");
}

#[test]
fn an_emailed_link_works_once_and_not_after_it_expires() {
    let app = spawn_app();
    active_applicant(&app, "tono", "tono@contoh.id", PW);
    let link = wait_for_link(&app, "tono@contoh.id", "disetujui");
    let b = app.browser();
    let replay = b.get(&link);
    assert_eq!(replay.status, 410, "a used link does not open the form again");
    assert!(replay.body.contains("Tautan tidak berlaku"));

    // Reset link: request, expire it in the database, and try it.
    let page = b.get("/layanan/lupa-sandi");
    assert_eq!(b.post("/layanan/lupa-sandi", &page, &[("login", "tono")]).status, 200);
    let deadline = std::time::Instant::now() + WAIT;
    let reset = loop {
        if let Some(m) = app
            .smtp
            .messages()
            .into_iter()
            .find(|m| m.subject.contains("Atur ulang"))
        {
            break m
                .link_starting_with(&format!("{}/layanan/atur-sandi?token=", app.base))
                .expect("reset link");
        }
        assert!(std::time::Instant::now() < deadline, "no reset mail");
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    app.db()
        .exec("UPDATE link_tokens SET expires_at = 0 WHERE purpose = 'reset_sandi'");
    assert_eq!(b.get(&reset).status, 410, "an expired link is refused");
    assert_eq!(
        app.db()
            .count("SELECT count(*) FROM link_tokens WHERE token_hash LIKE '%token=%'"),
        0,
        "tokens are stored hashed"
    );
}

#[test]
fn lupa_kata_sandi_answers_the_same_for_unknown_accounts() {
    let app = spawn_app();
    active_applicant(&app, "rina", "rina@contoh.id", PW);
    let b = app.browser();
    let page = b.get("/layanan/lupa-sandi");
    let known = b.post("/layanan/lupa-sandi", &page, &[("login", "rina@contoh.id")]);
    let page = b.get("/layanan/lupa-sandi");
    let unknown = b.post("/layanan/lupa-sandi", &page, &[("login", "siapa@contoh.id")]);
    assert_eq!(known.status, unknown.status);
    let strip = |s: &str| {
        s.split("<main")
            .nth(1)
            .unwrap_or("")
            .split("</main>")
            .next()
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(strip(&known.body), strip(&unknown.body));
}

#[test]
fn brute_force_against_one_account_is_stopped() {
    let app = spawn_app();
    active_applicant(&app, "hadi", "hadi@contoh.id", PW);
    let b = app.browser();
    for _ in 0..5 {
        assert_eq!(login(&b, "hadi", "tebakan yang salah").status, 401);
    }
    let r = login(&b, "hadi", PW);
    assert_eq!(
        r.status, 429,
        "even the right password waits once the account is under attack"
    );
    assert!(r.body.contains("Terlalu banyak percobaan"));
    // The lock is the account's, not the typed name's: its email does not get round it.
    let other = app.browser();
    assert_eq!(
        login(&other, "hadi@contoh.id", PW).status,
        429,
        "nor by the account's email"
    );
}

#[test]
fn weak_or_mismatched_passwords_are_refused_with_a_reason() {
    let app = spawn_app();
    app.add_officer("petugas1", "petugas1@dpmptsp.test", None);
    let b = app.browser();
    register(&b, &registration("wati", "wati@contoh.id"));
    let id = app.db().count("SELECT id FROM applicants");
    let officer = app.officer("petugas1");
    let detail = officer.get(&format!("/layanan/petugas/registrasi/{id}"));
    officer.post(&format!("/layanan/petugas/registrasi/{id}/setujui"), &detail, &[]);
    let link = wait_for_link(&app, "wati@contoh.id", "disetujui");
    let form = b.get(&link);
    let token = form.hidden("token").expect("token");
    for (pw, pw2, message) in [
        ("pendek", "pendek", "minimal 8 karakter"),
        ("password", "password", "terlalu umum"),
        (
            "kalimat panjang yang aman",
            "kalimat lain",
            "Ulangi kata sandi yang sama",
        ),
    ] {
        let r = b.post(
            "/layanan/atur-sandi",
            &form,
            &[("token", &token), ("password", pw), ("password2", pw2)],
        );
        assert_eq!(r.status, 422, "{pw} accepted");
        assert!(r.body.contains(message), "{pw}: {message} missing");
    }
    let long: String = "sungai musi ".repeat(6);
    let r = b.post(
        "/layanan/atur-sandi",
        &form,
        &[("token", &token), ("password", &long), ("password2", &long)],
    );
    assert_eq!(r.status, 303, "72 characters with spaces are fine");
}

#[test]
fn an_applicant_changes_contact_data_but_sees_only_their_own() {
    let app = spawn_app();
    let a = active_applicant(&app, "ani", "ani@contoh.id", PW);
    login(&a, "ani", PW);
    let form = a.get("/layanan/profil");
    assert_eq!(form.status, 200);
    let r = a.post(
        "/layanan/profil",
        &form,
        &[
            ("telepon", "+62 811 7777 888"),
            ("alamat", "Jl. Merdeka No. 1"),
            ("kabupaten", "16.74"),
            ("kode_pos", "31111"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let home = a.get(r.location());
    assert!(home.body.contains("+628117777888") && home.body.contains("Kota Prabumulih"));
    let notice = wait_for_mail(&app, "ani@contoh.id", "Data kontak akun Anda telah diubah");
    assert!(
        notice.text.contains("Lupa Kata Sandi") && !notice.text.contains("6281177"),
        "the holder is told what to do if it was not them, without the new number: {}",
        notice.text
    );
    let bad = a.post(
        "/layanan/profil",
        &form,
        &[
            ("telepon", "12"),
            ("alamat", "Jl. Merdeka No. 1"),
            ("kabupaten", "16.74"),
            ("kode_pos", "31111"),
        ],
    );
    assert_eq!(bad.status, 422);
    assert_eq!(
        app.db()
            .count("SELECT count(*) FROM applicants WHERE telepon = '+628117777888'"),
        1
    );

    let other = active_applicant(&app, "ina", "ina@contoh.id", PW);
    login(&other, "ina", PW);
    let home = other.get("/layanan/");
    assert!(
        !home.body.contains("ani@contoh.id"),
        "one applicant never sees another's data"
    );
    // The officer console is not for applicants.
    assert_eq!(other.get("/layanan/petugas/registrasi/1").status, 303);
}

#[test]
fn an_idle_or_too_old_session_ends() {
    let app = spawn_app();
    let b = active_applicant(&app, "sari", "sari@contoh.id", PW);
    login(&b, "sari", PW);
    assert_eq!(b.get("/layanan/").status, 200);
    // Idle longer than 30 minutes.
    app.db()
        .exec("UPDATE sessions SET last_seen_at = last_seen_at - 31 * 60");
    assert_eq!(b.get("/layanan/").status, 303);
    assert_eq!(
        app.db().count("SELECT count(*) FROM sessions WHERE kind = 'pemohon'"),
        0,
        "the expired session is removed"
    );

    login(&b, "sari", PW);
    // Active all along, but started more than 12 hours ago.
    app.db().exec("UPDATE sessions SET created_at = created_at - 13 * 3600");
    assert_eq!(b.get("/layanan/").status, 303);
}

#[test]
fn many_logins_from_one_address_are_limited_whatever_the_account() {
    let app = spawn_app();
    let b = app.browser();
    let mut last = 0;
    for i in 0..31 {
        last = login(&b, &format!("akun{i}"), "kata sandi apa saja").status;
    }
    assert_eq!(last, 429);
}

crate::backend::also_on_postgres_and_s3!(
    a_failed_login_never_says_which_part_was_wrong,
    logging_in_renews_the_session_and_logging_out_ends_it_on_the_server,
    a_copied_session_cookie_is_useless_after_logout,
    an_emailed_link_works_once_and_not_after_it_expires,
    lupa_kata_sandi_answers_the_same_for_unknown_accounts,
    brute_force_against_one_account_is_stopped,
    weak_or_mismatched_passwords_are_refused_with_a_reason,
    an_applicant_changes_contact_data_but_sees_only_their_own,
    an_idle_or_too_old_session_ends,
    many_logins_from_one_address_are_limited_whatever_the_account
);

/// A permit page's start button opens PERMOHONAN; signed out, Masuk comes first and sends the
/// applicant back there with the permit chosen. The way back is only ever one of the service's
/// own pages: whatever else is written into the address or the form signs in to Layanan Pemohon.
#[test]
fn masuk_returns_to_permohonan_with_the_permit_chosen_and_never_to_another_site() {
    const IZIN: &str = "izin-pemasangan-rumpon";
    let app = spawn_app();
    let b = active_applicant(&app, "rudi", "rudi@contoh.id", PW);
    let start = b.get(&format!("/layanan/permohonan/baru?izin={IZIN}"));
    assert_eq!(start.status, 303);
    assert_eq!(
        start.location(),
        format!(
            "/layanan/masuk?info=sesi&kembali=%2Flayanan%2Fpermohonan%2Fbaru%3Fizin%3D{}",
            IZIN.replace('-', "%2D")
        )
    );
    let page = b.get(start.location());
    assert_eq!(page.status, 200);
    let kembali = page.hidden("kembali").expect("Masuk carries the way back");
    assert_eq!(kembali, format!("/layanan/permohonan/baru?izin={IZIN}"));
    assert!(page.body.contains("Silakan masuk untuk melanjutkan."));
    let r = b.post(
        "/layanan/masuk",
        &page,
        &[("login", "rudi"), ("password", PW), ("kembali", &kembali)],
    );
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), kembali);
    let form = b.get(r.location());
    assert_eq!(form.status, 200);
    let option = form
        .body
        .split("<option ")
        .find(|o| o.starts_with(&format!("value=\"{IZIN}\"")))
        .and_then(|o| o.split('>').next())
        .expect("the permit is offered");
    assert!(
        option.ends_with(" selected"),
        "PERMOHONAN opens with the permit chosen: <option {option}>"
    );
    // Signed in, the page says so to the static pages' script, and nothing more.
    assert_eq!(b.cookie("sicantik_pemohon").as_deref(), Some("1"));
    let out = b.post("/layanan/keluar", &form, &[]);
    assert_eq!(out.status, 303);
    assert_eq!(b.cookie("sicantik_pemohon"), None, "Keluar clears the marker");

    for outside in [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "/layanan/\\evil.example",
        "/layanan//evil.example",
        "/izin/",
        "/layanan/../izin/",
    ] {
        let encoded: String = outside.bytes().map(|c| format!("%{c:02X}")).collect();
        let page = b.get(&format!("/layanan/masuk?kembali={encoded}"));
        assert_eq!(page.status, 200);
        assert_eq!(page.hidden("kembali"), None, "Masuk does not carry {outside:?}");
        let r = b.post(
            "/layanan/masuk",
            &page,
            &[("login", "rudi"), ("password", PW), ("kembali", outside)],
        );
        assert_eq!(r.status, 303);
        assert_eq!(r.location(), "/layanan/", "signing in with kembali={outside:?}");
        let home = b.get("/layanan/");
        assert_eq!(b.post("/layanan/keluar", &home, &[]).status, 303);
    }
}

/// The marker follows the session: a session that ended without Keluar (expired, or ended on
/// another device) takes the marker with it at the next page.
#[test]
fn the_signed_in_marker_goes_with_a_session_that_ended_elsewhere() {
    let app = spawn_app();
    let b = active_applicant(&app, "wati", "wati@contoh.id", PW);
    assert_eq!(login(&b, "wati", PW).status, 303);
    assert_eq!(b.cookie("sicantik_pemohon").as_deref(), Some("1"));
    app.db().exec("DELETE FROM sessions");
    let page = b.get("/layanan/cek-status");
    assert_eq!(page.status, 200);
    assert_eq!(b.cookie("sicantik_pemohon"), None);
    assert!(page.body.contains(">Masuk</a>"), "the header offers Masuk again");
}
