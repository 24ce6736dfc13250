//! Watch mode: a saved permit re-renders its page and the pages that list it, a mistake is
//! reported while the last good pages stay, and theme changes rebuild everything.

use generator::watch::{Outcome, Session};

use crate::fixture::*;

fn read(f: &Fixture, rel: &str) -> String {
    std::fs::read_to_string(f.public().join(rel)).unwrap_or_default()
}

const PAGE: &str = "izin/izin-pemasangan-rumpon/index.html";

#[test]
fn a_saved_permit_rerenders_its_page_and_the_lists_that_show_it() {
    let f = Fixture::new();
    let (mut session, first) = Session::start(f.options());
    assert!(matches!(first, Outcome::Full { .. }), "{first:?}");
    assert!(read(&f, "izin/index.html").contains("Izin untuk memasang rumpon."));

    f.edit(
        "izin/izin-pemasangan-rumpon.md",
        "ringkasan: Izin untuk memasang rumpon.",
        "ringkasan: Ringkasan yang baru disimpan.",
    );
    let outcome = session.apply(&[f.content().join("izin/izin-pemasangan-rumpon.md")]);
    // The permit page, the permit index, the home page and the regulations page.
    assert!(matches!(outcome, Outcome::Partial { pages: 4, .. }), "{outcome:?}");
    assert!(read(&f, PAGE).contains("Ringkasan yang baru disimpan."));
    assert!(read(&f, "izin/index.html").contains("Ringkasan yang baru disimpan."));
    assert!(read(&f, "katalog.json").contains("Ringkasan yang baru disimpan."));
}

#[test]
fn a_mistake_is_reported_and_the_last_good_page_stays() {
    let f = Fixture::new();
    let (mut session, _) = Session::start(f.options());
    let before = read(&f, PAGE);
    f.edit(
        "izin/izin-pemasangan-rumpon.md",
        "dasar_hukum: [pp-24-2018]",
        "dasar_hukum: [pp-24-2081]",
    );
    match session.apply(&[f.content().join("izin/izin-pemasangan-rumpon.md")]) {
        Outcome::Problems(p) => {
            assert_eq!(p.0.len(), 1, "{p}");
            assert_eq!((p.0[0].line, p.0[0].column), (10, 15));
            assert!(p.0[0].message.contains("mungkin maksudnya \"pp-24-2018\"?"), "{p}");
        }
        other => panic!("expected problems, got {other:?}"),
    }
    assert_eq!(read(&f, PAGE), before);

    f.edit(
        "izin/izin-pemasangan-rumpon.md",
        "dasar_hukum: [pp-24-2081]",
        "dasar_hukum: [pp-5-2021]",
    );
    let outcome = session.apply(&[f.content().join("izin/izin-pemasangan-rumpon.md")]);
    assert!(matches!(outcome, Outcome::Partial { .. }), "{outcome:?}");
    assert!(read(&f, PAGE).contains("/peraturan/#pp-5-2021"));
}

#[test]
fn a_new_permit_appears_and_a_deleted_one_disappears() {
    let f = Fixture::new();
    let (mut session, _) = Session::start(f.options());
    f.write(
        "izin/izin-kedua.md",
        &PERMIT.replace("Izin Pemasangan Rumpon", "Izin Kedua"),
    );
    let outcome = session.apply(&[f.content().join("izin/izin-kedua.md")]);
    assert!(matches!(outcome, Outcome::Partial { .. }), "{outcome:?}");
    assert!(read(&f, "izin/izin-kedua/index.html").contains("Izin Kedua"));
    assert!(read(&f, "izin/index.html").contains("/izin/izin-kedua/"));

    std::fs::remove_file(f.content().join("izin/izin-kedua.md")).expect("rm");
    let outcome = session.apply(&[f.content().join("izin/izin-kedua.md")]);
    assert!(matches!(outcome, Outcome::Partial { .. }), "{outcome:?}");
    assert!(!f.public().join("izin/izin-kedua/index.html").exists());
    assert!(!read(&f, "izin/index.html").contains("/izin/izin-kedua/"));
    assert!(!read(&f, "sitemap.xml").contains("izin-kedua"));
}

#[test]
fn a_change_to_a_regulation_rebuilds_the_whole_site() {
    let f = Fixture::new();
    let (mut session, _) = Session::start(f.options());
    f.edit("peraturan/pp-5-2021.md", "OSS RBA.", "Sistem OSS berbasis risiko.");
    let outcome = session.apply(&[f.content().join("peraturan/pp-5-2021.md")]);
    assert!(matches!(outcome, Outcome::Full { .. }), "{outcome:?}");
    assert!(read(&f, "peraturan/index.html").contains("Sistem OSS berbasis risiko."));
}

#[test]
fn pages_built_for_watching_load_the_live_reload_script() {
    let f = Fixture::new();
    let _ = Session::start(f.options());
    assert!(read(&f, "index.html").contains("/__livereload.js"));
}
