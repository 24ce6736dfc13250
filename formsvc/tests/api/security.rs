//! Attacks on the forms: requests without or with someone else's form token change nothing;
//! officers see only their own instansi; responses carry the security headers.

use crate::helpers::*;

#[test]
fn a_form_without_a_valid_token_is_refused_and_changes_nothing() {
    let app = spawn_app();
    let b = app.browser();
    let page = b.get("/layanan/registrasi");
    let form_id = page.hidden("form_id").expect("form id");
    let fields = registration("eko", "eko@contoh.id");
    let mut all: Vec<(&str, &str)> = vec![("form_id", &form_id)];
    all.extend(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));

    let missing = b.post_raw("/layanan/registrasi", &all);
    assert_eq!(missing.status, 403);
    assert!(missing.body.contains("Formulir kedaluwarsa"));

    let mut wrong = vec![("csrf", "bukan-token-yang-benar")];
    wrong.extend(all.iter().copied());
    assert_eq!(b.post_raw("/layanan/registrasi", &wrong).status, 403);

    // A token taken from another visitor's page does not work for this one.
    let other = app.browser();
    let other_page = other.get("/layanan/registrasi");
    let theirs = other_page.hidden("csrf").expect("token");
    let mut foreign = vec![("csrf", theirs.as_str())];
    foreign.extend(all.iter().copied());
    assert_eq!(b.post_raw("/layanan/registrasi", &foreign).status, 403);

    assert_eq!(app.db().count("SELECT count(*) FROM applicants"), 0);
    assert_eq!(app.db().count("SELECT count(*) FROM outbox"), 0);
}

#[test]
fn nothing_changes_on_get() {
    let app = spawn_app();
    app.add_officer("petugas1", "petugas1@dpmptsp.test", None);
    let b = app.browser();
    register(&b, &registration("fani", "fani@contoh.id"));
    let id = app.db().count("SELECT id FROM applicants");
    let officer = app.officer("petugas1");
    // A GET on an action's address only leads back to the page of the form (see
    // `forms::a_get_on_every_address_that_takes_a_form_lands_on_a_themed_page`).
    let r = officer.get(&format!("/layanan/petugas/registrasi/{id}/setujui"));
    assert_eq!(r.status, 303);
    assert_eq!(r.location(), format!("/layanan/petugas/registrasi/{id}"));
    assert_eq!(
        app.db()
            .count("SELECT count(*) FROM applicants WHERE status = 'menunggu'"),
        1
    );
    assert_eq!(officer.get("/layanan/keluar").status, 200, "the page with the button");
    assert_eq!(officer.get("/layanan/petugas/").status, 200, "still signed in");
}

#[test]
fn an_officer_of_another_instansi_cannot_see_or_decide_a_registration() {
    let app = spawn_app();
    app.add_officer("petugas1", "petugas1@dpmptsp.test", None);
    app.add_officer("kabupaten", "kab@contoh.id", Some("Kabupaten Lahat"));
    let b = app.browser();
    register(&b, &registration("gita", "gita@contoh.id"));
    let id = app.db().count("SELECT id FROM applicants");

    let outsider = app.officer("kabupaten");
    let dash = outsider.get("/layanan/petugas/");
    assert!(
        !dash.body.contains("Siti Aminah"),
        "the list shows only the officer's instansi"
    );
    let detail = outsider.get(&format!("/layanan/petugas/registrasi/{id}"));
    assert_eq!(detail.status, 404);
    assert!(!detail.body.contains("1671044508900001"));
    let r = outsider.post(&format!("/layanan/petugas/registrasi/{id}/setujui"), &dash, &[]);
    assert_eq!(r.status, 404);
    assert_eq!(
        app.db()
            .count("SELECT count(*) FROM applicants WHERE status = 'menunggu'"),
        1
    );
    // Guessing ids finds nothing either.
    assert_eq!(
        outsider.get(&format!("/layanan/petugas/registrasi/{}", id + 1)).status,
        404
    );
}

#[test]
fn pages_without_a_session_send_visitors_to_the_login_page() {
    let app = spawn_app();
    let b = app.browser();
    for path in [
        "/layanan/",
        "/layanan/profil",
        "/layanan/petugas/",
        "/layanan/petugas/audit",
        "/layanan/petugas/surel",
        "/layanan/petugas/registrasi/1",
    ] {
        let r = b.get(path);
        assert_eq!(r.status, 303, "{path}");
        assert!(r.location().contains("masuk"), "{path} → {}", r.location());
    }
}

#[test]
fn responses_carry_the_security_headers() {
    let app = spawn_app();
    let b = app.browser();
    let r = b.get("/layanan/registrasi");
    let csp = r.header("content-security-policy").expect("CSP");
    assert!(
        csp.contains("frame-ancestors 'none'") && csp.contains("script-src 'self'") && !csp.contains("unsafe-inline")
    );
    assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert!(r.header("strict-transport-security").is_none(), "HSTS only over HTTPS");
    let cookie = r.header("set-cookie").expect("form-token cookie");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"));
    assert!(!r.body.contains("<script>"), "no inline script");
}

crate::backend::also_on_postgres_and_s3!(
    a_form_without_a_valid_token_is_refused_and_changes_nothing,
    nothing_changes_on_get,
    an_officer_of_another_instansi_cannot_see_or_decide_a_registration,
    pages_without_a_session_send_visitors_to_the_login_page,
    responses_carry_the_security_headers
);
