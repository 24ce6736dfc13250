//! What the store promises beyond one request: limits that hold across a restart and behind a
//! proxy, counted per client and not per proxy; and a row that does not read back as what was
//! written is an error page with a reference, never a page of empty data.

use crate::helpers::*;

const PW: &str = "sungai musi mengalir tenang";

#[test]
fn a_lockout_survives_a_restart_of_the_service() {
    let mut app = spawn_app();
    active_applicant(&app, "rina", "rina@contoh.id", PW);
    let b = app.browser();
    for _ in 0..5 {
        assert_eq!(login(&b, "rina", "tebakan yang salah").status, 401);
    }
    app.restart();
    assert_eq!(
        login(&app.browser(), "rina", PW).status,
        429,
        "the count is in the store, not in the process that restarted"
    );
}

#[test]
fn the_lockout_follows_the_account_whatever_name_is_typed() {
    let app = spawn_app();
    active_applicant(&app, "dedi", "dedi@contoh.id", PW);
    let b = app.browser();
    for _ in 0..5 {
        assert_eq!(login(&b, "dedi", "tebakan yang salah").status, 401);
    }
    assert_eq!(
        login(&b, "dedi@contoh.id", PW).status,
        429,
        "the email is the same account"
    );
}

#[test]
fn behind_a_trusted_proxy_each_client_is_counted_by_its_own_address() {
    let app = spawn_app_with(Options {
        env: vec![("SICANTIK_TRUSTED_PROXIES", "127.0.0.1/32".into())],
        ..Options::default()
    });
    // One client reaches the per-address limit (10 in the tests) …
    let busy = app.browser().with_header("x-forwarded-for", "203.0.113.10");
    for i in 0..10 {
        let fields = registration(&format!("ramai{i}"), &format!("ramai{i}@contoh.id"));
        let fields = with(&fields, "nomor_identitas", &format!("16710445089{:05}", i + 1));
        assert_eq!(register(&busy, &fields).status, 303);
    }
    let fields = with(
        &registration("ramai10", "ramai10@contoh.id"),
        "nomor_identitas",
        "1671044508900011",
    );
    assert_eq!(register(&busy, &fields).status, 429);
    // … and another client behind the same proxy is not blocked by it.
    let other = app.browser().with_header("x-forwarded-for", "203.0.113.20");
    let fields = with(
        &registration("tetangga", "tetangga@contoh.id"),
        "nomor_identitas",
        "1671044508900012",
    );
    assert_eq!(register(&other, &fields).status, 303);
}

#[test]
fn a_client_that_is_not_a_trusted_proxy_cannot_choose_its_address() {
    let app = spawn_app();
    for i in 0..10 {
        let b = app.browser().with_header("x-forwarded-for", &format!("198.51.100.{i}"));
        let fields = registration(&format!("palsu{i}"), &format!("palsu{i}@contoh.id"));
        let fields = with(&fields, "nomor_identitas", &format!("16710445089{:05}", i + 1));
        assert_eq!(register(&b, &fields).status, 303);
    }
    let b = app.browser().with_header("x-forwarded-for", "198.51.100.99");
    let fields = with(
        &registration("palsu10", "palsu10@contoh.id"),
        "nomor_identitas",
        "1671044508900011",
    );
    assert_eq!(
        register(&b, &fields).status,
        429,
        "the header is ignored: all came from 127.0.0.1"
    );
}

#[test]
fn a_corrupt_row_is_an_error_page_with_a_reference_not_empty_data() {
    let app = spawn_app();
    let b = active_applicant(&app, "yuni", "yuni@contoh.id", PW);
    assert_eq!(login(&b, "yuni", PW).status, 303);
    let page = b.get("/layanan/permohonan/baru?izin=izin-pemasangan-rumpon&tipe=perorangan&jenis=baru");
    assert_eq!(page.status, 200);
    app.db()
        .exec("UPDATE applicants SET telepon = 'bukan nomor' WHERE username = 'yuni'");
    let broken = b.get("/layanan/");
    assert_eq!(broken.status, 500);
    assert!(broken.body.contains("Terjadi gangguan"), "{}", broken.body);
    assert!(
        broken.body.contains("kode rujukan"),
        "the page gives a reference: {}",
        broken.body
    );
    assert!(!broken.body.contains("bukan nomor"));
}

crate::backend::also_on_postgres_and_s3!(
    a_lockout_survives_a_restart_of_the_service,
    the_lockout_follows_the_account_whatever_name_is_typed,
    behind_a_trusted_proxy_each_client_is_counted_by_its_own_address,
    a_client_that_is_not_a_trusted_proxy_cannot_choose_its_address,
    a_corrupt_row_is_an_error_page_with_a_reference_not_empty_data
);
