//! The guide's screenshots: a step names its picture and says what it shows; the build
//! publishes the file under its content hash and the page shows it lazily with its size; a
//! missing file, a missing or empty alternative text, a file that is not the picture its name
//! says are each reported at the key.

use crate::fixture::*;

const STEP: &str = "content/panduan/01-daftar.md";
const ALT: &str = "Formulir Registrasi Pemohon terisi: data pengguna, identitas, kontak dan alamat";

/// The first bytes of a PNG of `w`×`h` pixels: the signature and the IHDR chunk, which is all
/// the generator reads of it.
fn png(w: u32, h: u32) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    b.extend_from_slice(&w.to_be_bytes());
    b.extend_from_slice(&h.to_be_bytes());
    b.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    b
}

/// A baseline JPEG's head up to its frame header: SOI, an APP0 segment, SOF0 with `w`×`h`.
fn jpeg(w: u16, h: u16) -> Vec<u8> {
    let mut b = vec![0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10];
    b.extend_from_slice(b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0");
    b.extend_from_slice(&[0xFF, 0xC0, 0x00, 0x11, 0x08]);
    b.extend_from_slice(&h.to_be_bytes());
    b.extend_from_slice(&w.to_be_bytes());
    b.extend_from_slice(&[3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1, 0xFF, 0xD9]);
    b
}

fn with_picture(f: &Fixture, gambar: &str) {
    f.write(
        "panduan/01-daftar.md",
        &format!("---\njudul: Registrasi Pemohon\nringkasan: Daftar.\n{gambar}---\nTekan **DAFTAR**.\n"),
    );
}

fn put(f: &Fixture, name: &str, bytes: &[u8]) {
    let p = f.content().join("panduan/gambar").join(name);
    std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
    std::fs::write(p, bytes).expect("write");
}

#[test]
fn a_step_shows_its_screenshot_lazily_with_its_size_and_alt_text_and_the_file_is_published() {
    let f = Fixture::new();
    let bytes = jpeg(780, 1688);
    put(&f, "01-daftar.jpg", &bytes);
    with_picture(
        &f,
        &format!("gambar:\n  berkas: 01-daftar.jpg\n  teks_alternatif: \"{ALT}\"\n"),
    );
    assert_eq!(f.problems(), Vec::<String>::new());
    generator::build(&f.options()).expect("build");

    let page = std::fs::read_to_string(f.public().join("panduan/index.html")).expect("the guide");
    let imgs: Vec<&str> = page
        .split("<img ")
        .skip(1)
        .map(|s| &s[..s.find('>').expect("img ends")])
        .filter(|s| s.contains("src=\"/assets/panduan/"))
        .collect();
    assert_eq!(imgs.len(), 1, "one screenshot on the guide: {imgs:?}");
    let img = imgs[0];
    for attr in [
        &format!("alt=\"{ALT}\"")[..],
        "width=\"780\"",
        "height=\"1688\"",
        "loading=\"lazy\"",
        "decoding=\"async\"",
    ] {
        assert!(img.contains(attr), "<img {img}> has {attr}");
    }
    let src = img
        .split("src=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("src");
    assert!(
        src.starts_with("/assets/panduan/01-daftar.") && src.ends_with(".jpg"),
        "under its content hash: {src}"
    );
    let published = std::fs::read(f.public().join(src.trim_start_matches('/'))).expect("the published picture");
    assert_eq!(published, bytes, "published as it is");
    // The home page lists the steps without their pictures.
    let home = std::fs::read_to_string(f.public().join("index.html")).expect("home");
    assert!(!home.contains("/assets/panduan/"), "the home page shows no screenshot");
}

#[test]
fn a_screenshot_that_is_not_there_is_reported_at_its_name_with_the_likely_one() {
    let f = Fixture::new();
    put(&f, "01-daftar.jpg", &jpeg(780, 1688));
    with_picture(
        &f,
        &format!("gambar:\n  berkas: 01-dafter.jpg\n  teks_alternatif: \"{ALT}\"\n"),
    );
    let p = f.problems();
    assert_eq!(p.len(), 1, "{p:#?}");
    assert!(p[0].starts_with(&format!("{STEP}:5:11: berkas gambar ")), "{p:#?}");
    assert!(
        p[0].contains("01-dafter.jpg tidak ada; mungkin maksudnya \"01-daftar.jpg\"?"),
        "{p:#?}"
    );
}

#[test]
fn a_screenshot_without_alt_text_or_with_a_word_for_it_is_reported() {
    let f = Fixture::new();
    put(&f, "01-daftar.png", &png(390, 844));
    with_picture(&f, "gambar:\n  berkas: 01-daftar.png\n");
    let p = f.problems();
    assert_eq!(p.len(), 1, "{p:#?}");
    assert!(
        p[0].starts_with(&format!("{STEP}:4:1: kunci wajib \"teks_alternatif\" belum ada")),
        "{p:#?}"
    );

    with_picture(&f, "gambar:\n  berkas: 01-daftar.png\n  teks_alternatif: \"\"\n");
    let p = f.problems();
    assert_eq!(p.len(), 1, "{p:#?}");
    assert!(
        p[0].starts_with(&format!("{STEP}:6:20: \"teks_alternatif\" tidak boleh kosong")),
        "{p:#?}"
    );

    with_picture(
        &f,
        "gambar:\n  berkas: 01-daftar.png\n  teks_alternatif: Tangkapan layar\n",
    );
    let p = f.problems();
    assert_eq!(p.len(), 1, "{p:#?}");
    assert!(
        p[0].starts_with(&format!(
            "{STEP}:6:20: teks alternatif \"Tangkapan layar\" terlalu singkat"
        )),
        "{p:#?}"
    );
}

#[test]
fn a_file_that_is_not_the_picture_its_name_says_is_reported() {
    let f = Fixture::new();
    put(&f, "01-daftar.jpg", &png(390, 844));
    with_picture(
        &f,
        &format!("gambar:\n  berkas: 01-daftar.jpg\n  teks_alternatif: \"{ALT}\"\n"),
    );
    let p = f.problems();
    assert_eq!(p.len(), 1, "{p:#?}");
    assert!(p[0].starts_with(&format!("{STEP}:5:11: ")), "{p:#?}");
    assert!(p[0].contains("bukan gambar JPEG yang utuh"), "{p:#?}");
}

#[test]
fn a_picture_too_big_for_a_phone_or_a_file_of_another_kind_in_the_folder_is_reported() {
    let f = Fixture::new();
    let mut big = jpeg(780, 1688);
    big.resize(151 * 1024, 0);
    put(&f, "01-daftar.jpg", &big);
    put(&f, "catatan.txt", b"bukan gambar");
    with_picture(
        &f,
        &format!("gambar:\n  berkas: 01-daftar.jpg\n  teks_alternatif: \"{ALT}\"\n"),
    );
    let p = f.problems();
    assert_eq!(p.len(), 2, "{p:#?}");
    assert!(
        p[0].starts_with("content/panduan/01-daftar.md:5:11: ")
            && p[0].contains("berukuran 151 KB, melebihi batas 150 KB"),
        "{p:#?}"
    );
    assert!(
        p[1].starts_with("content/panduan/gambar/catatan.txt:1:1: hanya gambar .jpg atau .png"),
        "{p:#?}"
    );
}
