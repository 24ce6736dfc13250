//! Masuk Petugas with a second factor (issue: ASVS level 2): an officer enrols an
//! authenticator app at first sign-in, keeps recovery codes, and needs a code at every
//! sign-in after; the password alone opens nothing.

use crate::helpers::*;

/// Signs in `username` with the password only: the answer points at the second step.
fn password_step(app: &TestApp, username: &str) -> (Browser, String) {
    let b = app.browser();
    let page = b.get("/layanan/petugas/masuk");
    let r = b.post(
        "/layanan/petugas/masuk",
        &page,
        &[("login", username), ("password", OFFICER_PASSWORD)],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    (b, r.location().to_string())
}

#[test]
fn an_officer_enrols_at_first_sign_in_and_needs_a_code_at_every_sign_in_after() {
    let app = spawn_app();
    app.add_officer("petugas1", "petugas1@dpmptsp.test", None);
    let (b, next) = password_step(&app, "petugas1");
    assert_eq!(next, "/layanan/petugas/aktifkan-verifikasi");
    assert_eq!(
        b.get("/layanan/petugas/").status,
        303,
        "the password alone opens no console"
    );

    let page = b.get(&next);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<svg") && page.body.contains("Kode QR untuk aplikasi autentikator"));
    let key = enrolment_key(&page.body).expect("the key to type in");
    assert_eq!(
        enrolment_key(&b.get(&next).body).as_deref(),
        Some(key.as_str()),
        "a reload shows the same key"
    );
    let wrong = b.post(&next, &page, &[("kode", "000000")]);
    assert_eq!(wrong.status, 422);
    assert!(wrong.body.contains("Kode tidak cocok."), "{}", wrong.body);
    assert_eq!(b.get("/layanan/petugas/").status, 303, "not enrolled by a wrong code");

    let mut phone = Phone::new(key);
    let done = b.post(&next, &page, &[("kode", &phone.next_code())]);
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.body.contains("Kode ini hanya ditampilkan sekali"));
    let codes = recovery_codes(&done.body);
    assert_eq!(codes.len(), 10, "{}", done.body);
    assert_eq!(b.get("/layanan/petugas/").status, 200, "signed in once enrolled");

    // The next sign-in asks for a code, and only a right one opens the console.
    let (again, next) = password_step(&app, "petugas1");
    assert_eq!(next, "/layanan/petugas/verifikasi");
    let page = again.get(&next);
    assert!(page.body.contains("Kode verifikasi"), "{}", page.body);
    let r = again.post(&next, &page, &[("kode", "12345")]);
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("Masukkan 6 angka dari aplikasi autentikator"),
        "{}",
        r.body
    );
    let r = again.post(&next, &page, &[("kode", "123456")]);
    assert_eq!(r.status, 401);
    assert_eq!(again.get("/layanan/petugas/").status, 303);
    let r = again.post(&next, &page, &[("kode", &phone.next_code())]);
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(again.get("/layanan/petugas/").status, 200);
    let trail = app.db().texts("SELECT action FROM audit ORDER BY id");
    assert!(trail.iter().any(|a| a == "verifikasi_dua_langkah_aktif"), "{trail:?}");
}

/// The recovery codes a page lists.
fn recovery_codes(page: &str) -> Vec<String> {
    page.split("<li><code>")
        .skip(1)
        .filter_map(|s| s.split("</code>").next())
        .map(str::to_string)
        .collect()
}

#[test]
fn a_code_opens_one_sign_in_and_a_recovery_code_too() {
    let app = spawn_app();
    app.add_officer("petugas1", "petugas1@dpmptsp.test", None);
    let (b, next) = password_step(&app, "petugas1");
    let page = b.get(&next);
    let mut phone = Phone::new(enrolment_key(&page.body).expect("key"));
    let codes = recovery_codes(&b.post(&next, &page, &[("kode", &phone.next_code())]).body);

    // A code seen over a shoulder, typed in again in another browser: refused.
    let (first, next) = password_step(&app, "petugas1");
    let code = phone.next_code();
    let page = first.get(&next);
    assert_eq!(first.post(&next, &page, &[("kode", &code)]).status, 303);
    let (second, next) = password_step(&app, "petugas1");
    let page = second.get(&next);
    assert_eq!(
        second.post(&next, &page, &[("kode", &code)]).status,
        401,
        "a code is taken once"
    );

    // A recovery code, as typed from paper in small letters, once.
    let typed = codes[3].to_lowercase();
    assert_eq!(second.post(&next, &page, &[("kode", &typed)]).status, 303);
    assert_eq!(second.get("/layanan/petugas/").status, 200);
    let (third, next) = password_step(&app, "petugas1");
    let page = third.get(&next);
    assert_eq!(third.post(&next, &page, &[("kode", &typed)]).status, 401, "spent");
    let trail = app.db().texts("SELECT action FROM audit ORDER BY id");
    assert_eq!(trail.iter().filter(|a| *a == "kode_pemulihan_dipakai").count(), 1);
}

#[test]
fn wrong_codes_lock_the_account_like_wrong_passwords() {
    let app = spawn_app();
    app.add_officer("petugas1", "petugas1@dpmptsp.test", None);
    let _enrolled = app.officer("petugas1");
    let (b, next) = password_step(&app, "petugas1");
    let page = b.get(&next);
    let mut locked = false;
    for _ in 0..10 {
        let r = b.post(&next, &page, &[("kode", "000000")]);
        if r.status == 429 {
            locked = true;
            break;
        }
        assert_eq!(r.status, 401);
    }
    assert!(locked, "guessing codes locks the account");
    let mut phone = app.phone("petugas1").expect("enrolled");
    assert_eq!(
        b.post(&next, &page, &[("kode", &phone.next_code())]).status,
        429,
        "not even the right code while locked"
    );
    let fresh = app.browser();
    let login = fresh.get("/layanan/petugas/masuk");
    let r = fresh.post(
        "/layanan/petugas/masuk",
        &login,
        &[("login", "petugas1"), ("password", OFFICER_PASSWORD)],
    );
    assert_eq!(r.status, 429, "nor the password");
}

#[test]
fn the_password_step_does_not_carry_to_another_browser() {
    let app = spawn_app();
    app.add_officer("petugas1", "petugas1@dpmptsp.test", None);
    app.officer("petugas1");
    let (b, next) = password_step(&app, "petugas1");
    let pending = b.cookie("sicantik_verifikasi").expect("the proof of the password step");
    let other = app.browser();
    other.set_cookie("sicantik_verifikasi", &pending);
    let page = other.get(&next);
    assert_eq!(page.status, 303, "another browser is sent to sign in");
    assert!(page.location().starts_with("/layanan/petugas/masuk"));
    let forged = app.browser();
    forged.set_cookie("sicantik_verifikasi", "1.99999999999.AAAA");
    assert_eq!(forged.get(&next).status, 303);
}

#[test]
fn reset_mfa_ends_the_sessions_and_the_next_sign_in_enrols_again() {
    let app = spawn_app();
    app.add_officer("petugas1", "petugas1@dpmptsp.test", None);
    let officer = app.officer("petugas1");
    assert_eq!(officer.get("/layanan/petugas/").status, 200);
    assert!(block_on(formsvc::officers::reset_second_factor(app.config(), "petugas1")).expect("reset"));
    assert_ne!(officer.get("/layanan/petugas/").status, 200, "the session ended");
    let (_, next) = password_step(&app, "petugas1");
    assert_eq!(next, "/layanan/petugas/aktifkan-verifikasi", "a new phone is enrolled");
    assert!(!block_on(formsvc::officers::reset_second_factor(app.config(), "tidak-ada")).expect("reset"));
    let trail = app.db().texts("SELECT action FROM audit ORDER BY id");
    assert!(trail.iter().any(|a| a == "verifikasi_dua_langkah_direset"), "{trail:?}");
}

crate::backend::also_on_postgres_and_s3!(
    an_officer_enrols_at_first_sign_in_and_needs_a_code_at_every_sign_in_after,
    a_code_opens_one_sign_in_and_a_recovery_code_too
);
