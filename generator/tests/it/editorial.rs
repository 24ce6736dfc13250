//! Editorial caveats are the editors', not the public's: a requirement list that follows another
//! office's standard is named once, plainly, on its page; what is still to verify is listed by
//! `check` as notes (which never fail it); the footer shows only the contact details known.

use crate::fixture::*;

const IZIN: &str = "content/izin/izin-pemasangan-rumpon.md";
const SENTENCE: &str = "Daftar persyaratan ini mengikuti standar pelayanan DPMPTSP Provinsi Banten; daftar ini belum dicocokkan dengan standar pelayanan DPMPTSP Provinsi Sumatera Selatan.";
const NOTE: &str = "Besaran retribusi belum diketahui.";

fn with_source(f: &Fixture, terverifikasi: &str) {
    f.edit(
        "izin/izin-pemasangan-rumpon.md",
        "persyaratan:\n",
        &format!(
            "sumber_persyaratan:\n  standar: standar pelayanan DPMPTSP Provinsi Banten\n  terverifikasi: {terverifikasi}\n  catatan: {NOTE}\npersyaratan:\n"
        ),
    );
}

fn built(f: &Fixture, page: &str) -> String {
    generator::build(&f.options()).expect("build");
    std::fs::read_to_string(f.public().join(page)).expect("page")
}

fn footer(html: &str) -> &str {
    let start = html.find("<footer").expect("a footer");
    let end = html[start..].find("</footer>").expect("its end") + start;
    &html[start..end]
}

#[test]
fn an_unverified_requirement_list_names_its_standard_once_and_never_the_editors_note() {
    let f = Fixture::new();
    with_source(&f, "false");
    let page = built(&f, "izin/izin-pemasangan-rumpon/index.html");
    assert_eq!(page.matches(SENTENCE).count(), 1, "{page}");
    // Under "Persyaratan", before the list it speaks of.
    let persyaratan = page.find("id=\"persyaratan\"").expect("Persyaratan");
    let sentence = page.find(SENTENCE).expect("the sentence");
    let list = page.find("class=\"checklist").expect("the checklist");
    assert!(persyaratan < sentence && sentence < list, "{page}");
    for file in [
        "izin/izin-pemasangan-rumpon/index.html",
        "izin/index.html",
        "katalog.json",
    ] {
        let text = std::fs::read_to_string(f.public().join(file)).expect("file");
        assert!(!text.contains(NOTE), "the editors' note is in {file}");
    }
}

#[test]
fn a_verified_or_own_requirement_list_carries_no_sentence() {
    let f = Fixture::new();
    let page = built(&f, "izin/izin-pemasangan-rumpon/index.html");
    assert!(!page.contains("Daftar persyaratan ini mengikuti"), "{page}");
    with_source(&f, "true");
    let page = built(&f, "izin/izin-pemasangan-rumpon/index.html");
    assert!(!page.contains("Daftar persyaratan ini mengikuti"), "{page}");
    assert!(!page.contains(NOTE), "{page}");
}

#[test]
fn requirement_source_mistakes_are_reported_at_their_line_with_what_was_expected() {
    let f = Fixture::new();
    with_source(&f, "belum");
    assert_eq!(
        f.problems(),
        [format!(
            "{IZIN}:13:18: \"terverifikasi\" harus true atau false, bukan teks \"belum\""
        )]
    );

    let f = Fixture::new();
    f.edit(
        "izin/izin-pemasangan-rumpon.md",
        "persyaratan:\n",
        "sumber_persyaratan:\n  standr: standar pelayanan DPMPTSP Provinsi Banten\npersyaratan:\n",
    );
    let p = f.problems();
    assert!(
        p.contains(&format!(
            "{IZIN}:12:3: kunci \"standr\" tidak dikenal; mungkin maksudnya \"standar\"?"
        )),
        "{p:#?}"
    );
    for missing in ["standar", "terverifikasi"] {
        assert!(
            p.iter()
                .any(|m| m.starts_with(&format!("{IZIN}:11:1: kunci wajib \"{missing}\" belum ada"))),
            "{missing}: {p:#?}"
        );
    }
    assert_eq!(p.len(), 3, "{p:#?}");

    let f = Fixture::new();
    f.edit(
        "izin/izin-pemasangan-rumpon.md",
        "persyaratan:\n",
        "sumber_persyaratan: standar pelayanan DPMPTSP Provinsi Banten\npersyaratan:\n",
    );
    let p = f.problems();
    assert_eq!(p.len(), 1, "{p:#?}");
    assert!(
        p[0].starts_with(&format!(
            "{IZIN}:11:21: \"sumber_persyaratan\" harus berupa kumpulan \"kunci: nilai\", bukan teks"
        )),
        "{p:#?}"
    );
}

#[test]
fn check_lists_what_is_unverified_as_notes_and_still_passes() {
    let f = Fixture::new();
    with_source(&f, "false");
    f.edit(
        "peraturan/pp-5-2021.md",
        "status: berlaku\n",
        "status: berlaku\nstatus_terverifikasi: false\n",
    );
    let report = generator::check(&f.options()).expect("check passes with open items");
    let notes: Vec<String> = report
        .notes
        .iter()
        .map(|n| {
            let file = n.file.strip_prefix(&f.root).unwrap_or(&n.file).display().to_string();
            format!("{file}:{}:{}: {}", n.line, n.column, n.message)
        })
        .collect();
    assert_eq!(
        notes,
        [
            format!(
                "{IZIN}:11:1: persyaratan \"Izin Pemasangan Rumpon\" mengikuti standar pelayanan DPMPTSP Provinsi Banten; belum dicocokkan dengan standar pelayanan DPMPTSP Provinsi Sumatera Selatan; catatan: {NOTE}"
            ),
            "content/peraturan/pp-5-2021.md:7:1: status \"berlaku\" Peraturan Pemerintah Nomor 5 Tahun 2021 belum dipastikan pada JDIH resmi".to_string(),
            "content/situs.yaml:8:1: kontak kantor belum memuat alamat, telepon, email, jam_layanan; kaki halaman hanya menampilkan yang diisi".to_string(),
        ]
    );

    // Verified, known: nothing left to list.
    let f = Fixture::new();
    with_source(&f, "true");
    f.edit(
        "situs.yaml",
        "kontak: {}\n",
        "kontak:\n  alamat: Jalan Contoh 1\n  telepon: (0711) 000000\n  email: kantor@contoh.go.id\n  jam_layanan: Senin–Jumat\n",
    );
    let report = generator::check(&f.options()).expect("check");
    assert!(report.notes.is_empty(), "{:#?}", report.notes);
}

#[test]
fn the_footer_shows_only_the_contact_details_given_and_no_empty_label() {
    let f = Fixture::new();
    let page = built(&f, "index.html");
    let foot = footer(&page);
    assert!(!foot.contains("class=\"kontak\""), "{foot}");
    for label in ["Alamat", "Telepon", "Surel", "Jam layanan"] {
        assert!(!foot.contains(&format!("<dt>{label}</dt>")), "{label} in {foot}");
    }

    f.edit(
        "situs.yaml",
        "kontak: {}\n",
        "kontak:\n  alamat: Jalan Contoh Nomor 1, Palembang\n  telepon: (0711) 000000\n",
    );
    for page in [
        "index.html",
        "izin/izin-pemasangan-rumpon/index.html",
        "404.html",
        "cari/index.html",
    ] {
        let html = built(&f, page);
        let foot = footer(&html);
        assert!(
            foot.contains("<dt>Alamat</dt><dd>Jalan Contoh Nomor 1, Palembang</dd>"),
            "{page}: {foot}"
        );
        assert!(
            foot.contains("<dt>Telepon</dt><dd>(0711) 000000</dd>"),
            "{page}: {foot}"
        );
        assert!(!foot.contains("<dt>Surel</dt>"), "{page}: {foot}");
        assert!(!foot.contains("<dt>Jam layanan</dt>"), "{page}: {foot}");
    }
}

#[test]
fn contact_and_instansi_name_mistakes_are_reported_precisely() {
    let f = Fixture::new();
    f.edit(
        "situs.yaml",
        "kontak: {}\n",
        "kontak:\n  surel: kantor@contoh.go.id\n  telepon: 711000000\nnama_lain_instansi: Sumsel\n",
    );
    let p = f.problems();
    assert_eq!(p.len(), 3, "{p:#?}");
    assert!(
        p.iter()
            .any(|m| m.starts_with("content/situs.yaml:9:3: kunci \"surel\" tidak dikenal")),
        "{p:#?}"
    );
    assert!(
        p.contains(&"content/situs.yaml:10:12: \"telepon\" harus berupa teks, bukan angka 711000000".to_string()),
        "{p:#?}"
    );
    assert!(
        p.iter().any(|m| m.starts_with(
            "content/situs.yaml:11:21: \"nama_lain_instansi\" harus berupa daftar, misalnya [Sumsel, Prov. Sumsel]"
        )),
        "{p:#?}"
    );
}
