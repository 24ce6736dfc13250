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
