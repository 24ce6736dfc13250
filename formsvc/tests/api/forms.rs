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
        ("/layanan/keluar", "/layanan/".to_string()),
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
        (
            "/layanan/petugas/permohonan/PRM-7KX9-M2QH/verifikasi",
            format!("/layanan/petugas/permohonan/{nomor}"),
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
