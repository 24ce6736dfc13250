//! Each kind of content mistake an editor can make is reported with the file, line and column
//! and a message that says what was expected; every problem of a build at once; and a failed
//! build leaves the published site as it was.

use generator::Options;

use crate::fixture::*;

const IZIN: &str = "content/izin/izin-pemasangan-rumpon.md";

fn assert_one(problems: &[String], expected_start: &str, expected_text: &str) {
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert!(
        problems[0].starts_with(expected_start),
        "{:?} does not start with {expected_start:?}",
        problems[0]
    );
    assert!(
        problems[0].contains(expected_text),
        "{:?} does not contain {expected_text:?}",
        problems[0]
    );
}

#[test]
fn valid_content_has_no_problems_and_builds_every_page() {
    let f = Fixture::new();
    assert_eq!(f.problems(), Vec::<String>::new());
    let report = generator::build(&f.options()).expect("build");
    assert_eq!(report.permits, 1);
    for page in [
        "index.html",
        "panduan/index.html",
        "peraturan/index.html",
        "izin/index.html",
        "izin/izin-pemasangan-rumpon/index.html",
        "cari/index.html",
        "404.html",
        "sitemap.xml",
        "robots.txt",
        "katalog.json",
    ] {
        assert!(f.public().join(page).is_file(), "{page} missing");
    }
}

#[test]
fn a_misspelt_key_is_named_with_the_key_it_was_meant_to_be() {
    let f = Fixture::new();
    f.edit("izin/izin-pemasangan-rumpon.md", "persyaratan:", "persyaratn:");
    let p = f.problems();
    assert!(
        p.contains(&format!(
            "{IZIN}:11:1: kunci \"persyaratn\" tidak dikenal; mungkin maksudnya \"persyaratan\"?"
        )),
        "{p:#?}"
    );
    assert!(
        p.iter()
            .any(|p| p.starts_with(&format!("{IZIN}:2:1: kunci wajib \"persyaratan\" belum ada"))),
        "{p:#?}"
    );
}

#[test]
fn a_missing_required_key_says_what_it_should_hold() {
    let f = Fixture::new();
    f.edit(
        "izin/izin-pemasangan-rumpon.md",
        "produk: Surat Izin Pemasangan Rumpon\n",
        "",
    );
    assert_one(
        &f.problems(),
        &format!("{IZIN}:2:1: kunci wajib \"produk\" belum ada"),
        "dokumen yang diterima pemohon",
    );
}

#[test]
fn a_value_of_the_wrong_type_is_reported_at_the_value() {
    let f = Fixture::new();
    f.edit(
        "izin/izin-pemasangan-rumpon.md",
        "lama_proses_hari_kerja: 10",
        "lama_proses_hari_kerja: sepuluh",
    );
    assert_one(
        &f.problems(),
        &format!("{IZIN}:7:25: "),
        "\"lama_proses_hari_kerja\" harus berupa bilangan bulat (hari kerja), bukan teks \"sepuluh\"",
    );
}

#[test]
fn a_processing_time_of_zero_days_is_refused() {
    let f = Fixture::new();
    f.edit(
        "izin/izin-pemasangan-rumpon.md",
        "lama_proses_hari_kerja: 10",
        "lama_proses_hari_kerja: 0",
    );
    assert_one(
        &f.problems(),
        &format!("{IZIN}:7:25: "),
        "harus antara 1 dan 365 hari kerja, bukan 0",
    );
}

#[test]
fn a_duplicate_requirement_id_points_at_the_second_one() {
    let f = Fixture::new();
    f.edit("izin/izin-pemasangan-rumpon.md", "- id: akta", "- id: surat-permohonan");
    assert_one(
        &f.problems(),
        &format!("{IZIN}:14:9: "),
        "id persyaratan \"surat-permohonan\" sudah dipakai oleh persyaratan ke-1",
    );
}

#[test]
fn a_legal_basis_that_names_no_regulation_is_reported_at_the_item_with_a_suggestion() {
    let f = Fixture::new();
    f.edit(
        "izin/izin-pemasangan-rumpon.md",
        "dasar_hukum: [pp-24-2018]",
        "dasar_hukum: [pp-24-2018, pp-5-2012]",
    );
    assert_one(
        &f.problems(),
        &format!("{IZIN}:10:27: "),
        "\"dasar_hukum\" menyebut peraturan \"pp-5-2012\" yang tidak ada di content/peraturan/ (berkas pp-5-2012.md); mungkin maksudnya \"pp-5-2021\"?",
    );
}

#[test]
fn a_replacement_that_names_no_regulation_is_reported() {
    let f = Fixture::new();
    f.edit(
        "peraturan/pp-24-2018.md",
        "diganti_oleh: pp-5-2021",
        "diganti_oleh: pp-28-2025",
    );
    assert_one(
        &f.problems(),
        "content/peraturan/pp-24-2018.md:7:15: ",
        "\"diganti_oleh\" menyebut peraturan \"pp-28-2025\" yang tidak ada",
    );
}

#[test]
fn an_unknown_applicant_type_is_refused_with_the_words_allowed() {
    let f = Fixture::new();
    f.edit(
        "izin/izin-pemasangan-rumpon.md",
        "tipe_pemohon: [perorangan, perusahaan]",
        "tipe_pemohon: [perorangan, perusahan]",
    );
    let p = f.problems();
    assert!(p.iter().any(|p| p.starts_with(&format!("{IZIN}:5:28: \"perusahan\" bukan tipe pemohon yang dikenal; pilih dari: perorangan, perusahaan; mungkin maksudnya \"perusahaan\"?"))), "{p:#?}");
}

#[test]
fn a_requirement_cannot_ask_an_applicant_type_the_permit_does_not_take() {
    let f = Fixture::new();
    f.edit(
        "izin/izin-pemasangan-rumpon.md",
        "tipe_pemohon: [perorangan, perusahaan]",
        "tipe_pemohon: [perorangan]",
    );
    assert_one(
        &f.problems(),
        &format!("{IZIN}:16:20: "),
        "\"perusahaan\" tidak ada di \"tipe_pemohon\" izin ini (perorangan)",
    );
}

#[test]
fn broken_yaml_is_reported_at_its_line() {
    let f = Fixture::new();
    f.edit(
        "izin/izin-pemasangan-rumpon.md",
        "    nama: Akta pendirian",
        "   nama: Akta pendirian",
    );
    let p = f.problems();
    assert_eq!(p.len(), 1, "{p:#?}");
    assert!(p[0].starts_with(&format!("{IZIN}:15:")), "{p:#?}");
    assert!(p[0].contains("penulisan YAML tidak valid"), "{p:#?}");
}

#[test]
fn an_unclosed_front_matter_is_reported() {
    let f = Fixture::new();
    f.write("izin/izin-b.md", "---\nnama: Izin B\n\nIsi.\n");
    assert_one(
        &f.problems(),
        "content/izin/izin-b.md:4:1: ",
        "front matter tidak ditutup",
    );
}

#[test]
fn a_broken_link_in_markdown_is_reported_at_its_line_and_column() {
    let f = Fixture::new();
    f.edit(
        "izin/izin-pemasangan-rumpon.md",
        "[panduan](/panduan/#daftar)",
        "[panduan](/panduan-lama/)",
    );
    assert_one(
        &f.problems(),
        &format!("{IZIN}:21:6: "),
        "tautan \"/panduan-lama/\" menuju halaman yang tidak ada",
    );
}

#[test]
fn a_link_to_a_missing_anchor_is_reported_in_any_form_it_is_written() {
    let f = Fixture::new();
    f.edit(
        "izin/izin-pemasangan-rumpon.md",
        "[dasar hukum](/peraturan/#pp-24-2018)",
        "[dasar hukum](../../peraturan/#pp-24-2019)",
    );
    assert_one(
        &f.problems(),
        &format!("{IZIN}:21:38: "),
        "halaman /peraturan/ tidak memiliki bagian #pp-24-2019",
    );
}

#[test]
fn a_top_level_heading_in_a_permit_body_is_reported() {
    let f = Fixture::new();
    f.edit("izin/izin-pemasangan-rumpon.md", "## Prosedur", "# Prosedur");
    assert_one(
        &f.problems(),
        &format!("{IZIN}:19:1: "),
        "judul tingkat 1 tidak dapat dipakai",
    );
}

#[test]
fn two_permits_with_the_same_name_are_reported() {
    let f = Fixture::new();
    f.write("izin/izin-rumpon-kedua.md", PERMIT);
    assert_one(
        &f.problems(),
        "content/izin/izin-rumpon-kedua.md:2:7: ",
        "nama izin \"Izin Pemasangan Rumpon\" sudah dipakai oleh",
    );
}

#[test]
fn a_file_name_that_cannot_be_an_address_is_reported() {
    let f = Fixture::new();
    f.write("izin/Izin Rumpon.md", PERMIT);
    assert_one(
        &f.problems(),
        "content/izin/Izin Rumpon.md:1:1: ",
        "tidak dapat menjadi alamat halaman",
    );
}

#[test]
fn every_problem_of_every_file_is_reported_in_one_run() {
    let f = Fixture::new();
    f.edit("izin/izin-pemasangan-rumpon.md", "biaya: 0", "biaya: [0]");
    f.edit("izin/izin-pemasangan-rumpon.md", "produk: Surat", "produkk: Surat");
    f.edit("peraturan/pp-5-2021.md", "status: berlaku", "status: aktif");
    f.write("panduan/02-masuk.md", "---\njudul: Masuk\n---\n");
    let p = f.problems();
    assert_eq!(p.len(), 5, "{p:#?}");
    assert!(
        p[0].starts_with(&format!("{IZIN}:2:1: kunci wajib \"produk\"")),
        "{p:#?}"
    );
    assert!(
        p[1].starts_with(&format!(
            "{IZIN}:8:8: \"biaya\" harus bilangan bulat rupiah (0 berarti gratis) atau keterangan teks, bukan daftar"
        )),
        "{p:#?}"
    );
    assert!(
        p[2].starts_with(&format!(
            "{IZIN}:9:1: kunci \"produkk\" tidak dikenal; mungkin maksudnya \"produk\"?"
        )),
        "{p:#?}"
    );
    assert!(
        p[3].starts_with("content/panduan/02-masuk.md:2:1: kunci wajib \"ringkasan\""),
        "{p:#?}"
    );
    assert!(
        p[4].starts_with("content/peraturan/pp-5-2021.md:6:9: status \"aktif\" tidak dikenal"),
        "{p:#?}"
    );
}

#[test]
fn a_template_error_is_reported_at_the_template_line() {
    let f = Fixture::new();
    let theme = f.root.join("theme");
    copy_dir(&theme_dir(), &theme);
    let path = theme.join("templates/404.html");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, format!("{text}\n{{% if %}}\n")).expect("write");
    let opts = Options {
        theme_dir: theme.clone(),
        ..f.options()
    };
    let err = generator::check(&opts).expect_err("broken template");
    let problems = err.problems().expect("content problems");
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].file, path);
    assert_eq!(problems[0].line, text.lines().count() + 2);
    assert!(problems[0].message.starts_with("kesalahan templat"), "{problems:#?}");
}

#[test]
fn a_failed_build_leaves_the_published_site_untouched() {
    let f = Fixture::new();
    generator::build(&f.options()).expect("first build");
    let before = snapshot(&f.public());
    f.edit(
        "izin/izin-pemasangan-rumpon.md",
        "ringkasan: Izin untuk memasang rumpon.",
        "ringkasan: Versi baru.",
    );
    f.edit(
        "izin/izin-pemasangan-rumpon.md",
        "dasar_hukum: [pp-24-2018]",
        "dasar_hukum: [tidak-ada]",
    );
    let err = generator::build(&f.options()).expect_err("broken content must not build");
    assert!(err.problems().is_some_and(|p| p.len() == 1));
    assert_eq!(snapshot(&f.public()), before, "public/ changed after a failed build");
    let leftovers: Vec<_> = std::fs::read_dir(&f.root)
        .expect("ls")
        .flatten()
        .map(|e| e.file_name())
        .filter(|n| n.to_string_lossy().starts_with(".public"))
        .collect();
    assert!(leftovers.is_empty(), "staging left behind: {leftovers:?}");
}

#[test]
fn the_same_content_builds_byte_identical_sites() {
    let f = Fixture::new();
    generator::build(&f.options()).expect("build 1");
    let first = snapshot(&f.public());
    generator::build(&f.options()).expect("build 2");
    assert_eq!(snapshot(&f.public()), first);
}

#[test]
fn the_search_index_is_built_in_the_build_and_comes_out_byte_identical() {
    let f = Fixture::new();
    let opts = Options {
        search: generator::Search::Index,
        ..f.options()
    };
    let report = generator::build(&opts).expect("build 1");
    assert!(report.searchable);
    let first = snapshot(&f.public());
    let index: Vec<_> = first
        .iter()
        .filter(|(p, _)| p.starts_with("pagefind"))
        .map(|(p, _)| p.to_string_lossy().into_owned())
        .collect();
    for part in [
        "pagefind/pagefind.js",
        "pagefind/pagefind-entry.json",
        "pagefind/wasm.id.pagefind",
    ] {
        assert!(index.iter().any(|p| p == part), "{part} in {index:?}");
    }
    assert!(index.iter().any(|p| p.starts_with("pagefind/fragment/")), "{index:?}");
    generator::build(&opts).expect("build 2");
    assert_eq!(snapshot(&f.public()), first, "the same content gives the same index");
}

#[test]
fn the_base_url_setting_replaces_the_one_in_the_content_for_absolute_links() {
    let f = Fixture::new();
    let opts = Options {
        base_url: Some("https://perizinan.contoh.go.id/".into()),
        ..f.options()
    };
    generator::build(&opts).expect("build");
    let sitemap = std::fs::read_to_string(f.public().join("sitemap.xml")).expect("sitemap");
    assert!(
        sitemap.contains("<loc>https://perizinan.contoh.go.id/izin/izin-pemasangan-rumpon/</loc>"),
        "{sitemap}"
    );
    assert!(!sitemap.contains("404"), "{sitemap}");
}

/// The retention schedule erases data: a value out of range or a wrong word must stop the
/// build with a message, never fall back to a default silently.
#[test]
fn a_retention_period_out_of_range_or_a_wrong_action_is_reported_at_its_value() {
    let f = Fixture::new();
    f.edit(
        "situs.yaml",
        "kontak: {}\n",
        "kontak: {}\nretensi:\n  draf_hari: 0\n  permohonan_selesai_tahun: sepuluh\n  permohonan_selesai_tindakan: buang\n  sesi_hri: 3\n",
    );
    let p = f.problems();
    assert_eq!(p.len(), 4, "{p:#?}");
    assert!(
        p.contains(&"content/situs.yaml:10:14: \"draf_hari\" harus antara 7 dan 3650 hari, bukan 0".to_string()),
        "{p:#?}"
    );
    assert!(
        p.iter().any(|m| m
            .starts_with("content/situs.yaml:11:29: \"permohonan_selesai_tahun\" harus berupa bilangan bulat (tahun)")),
        "{p:#?}"
    );
    assert!(
        p.iter()
            .any(|m| m.starts_with("content/situs.yaml:12:32: \"permohonan_selesai_tindakan\" harus \"serahkan\"")),
        "{p:#?}"
    );
    assert!(
        p.iter()
            .any(|m| m.contains("kunci \"sesi_hri\" tidak dikenal; mungkin maksudnya \"sesi_hari\"?")),
        "{p:#?}"
    );
}

#[test]
fn without_a_retention_schedule_the_defaults_apply() {
    let f = Fixture::new();
    let content = generator::load(&f.content()).expect("content");
    assert_eq!(content.situs.retensi, generator::Retention::default());
    f.edit("situs.yaml", "kontak: {}\n", "kontak: {}\nretensi:\n  draf_hari: 90\n");
    let content = generator::load(&f.content()).expect("content");
    assert_eq!(content.situs.retensi.draf_hari, 90);
    assert_eq!(
        content.situs.retensi.sesi_hari,
        generator::Retention::default().sesi_hari
    );
}

/// Issue 8, item 17: the holiday list of a year is content like any other; its mistakes are
/// reported at their line, and a year without its dates is a warning, not a failure.
#[test]
fn a_holiday_list_is_loaded_with_its_source_and_its_mistakes_are_reported_at_their_line() {
    let f = Fixture::new();
    let year = generator::holidays::current_year_wib();
    let report = generator::check(&f.options()).expect("check");
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains(&format!("tahun {year} belum dimuat"))),
        "{:?}",
        report.warnings
    );
    f.write(
        &format!("hari-libur/{year}.yaml"),
        &format!(
            "sumber:\n  judul: SKB 3 Menteri\n  tautan: https://contoh.go.id/skb\nlibur_nasional:\n  - tanggal: {year}-01-01\n    nama: Tahun Baru\n"
        ),
    );
    let content = generator::load(&f.content()).expect("valid");
    assert!(content.hari_libur.knows(year));
    assert_eq!(content.hari_libur.tahun[0].sumber.judul, "SKB 3 Menteri");
    assert!(generator::check(&f.options()).expect("check").warnings.is_empty());

    f.write(
        "hari-libur/2026.yaml",
        "sumber:\n  judul: SKB\nlibur_nasional:\n  - tanggal: 2026-02-30\n    nama: A\ncuti_bersama:\n  - tanggal: 2025-12-31\n    nama: B\n",
    );
    f.write("hari-libur/libur.yaml", "sumber: {}\n");
    let p = f.problems();
    let file = "content/hari-libur/2026.yaml";
    assert!(
        p.iter()
            .any(|p| p.starts_with(&format!("{file}:1:1: kunci wajib \"tautan\" belum ada"))),
        "{p:#?}"
    );
    assert!(
        p.iter()
            .any(|p| p.starts_with(&format!("{file}:4:14: \"2026-02-30\" bukan tanggal yang benar"))),
        "{p:#?}"
    );
    assert!(
        p.iter()
            .any(|p| p.starts_with(&format!("{file}:7:14: tanggal 2025-12-31 tidak berada di tahun 2026"))),
        "{p:#?}"
    );
    assert!(
        p.iter()
            .any(|p| p.starts_with("content/hari-libur/libur.yaml:1:1: nama berkas \"libur.yaml\" harus tahunnya")),
        "{p:#?}"
    );
}
