//! The officer console as an officer sees it (issue 8, "Officers"): its own navigation with the
//! current section marked, the audit trail in words with filters, the send-back email, the
//! review page, and the queue for a day's work.

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

crate::backend::also_on_postgres_and_s3!(the_console_has_its_own_navigation_with_the_current_section_marked);
