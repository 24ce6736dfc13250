//! Build speed and memory on a large synthetic site: N permits (default 10,000) in the content
//! schema, a full build, and a one-permit rebuild as watch mode does it.
//!
//! Run: `cargo bench --bench build` (or `-- 2000` for another N). Prints the figures; nothing is
//! asserted, because timings belong in reports, not in tests.

use std::path::{Path, PathBuf};
use std::time::Instant;

use generator::watch::{Outcome, Session};
use generator::{Options, Search};

const CATEGORIES: [&str; 8] = [
    "Kelautan dan Perikanan",
    "Perhubungan",
    "Energi dan Sumber Daya Mineral",
    "Lingkungan Hidup dan Kehutanan",
    "Kesehatan",
    "Pendidikan",
    "Ketenagakerjaan",
    "Pertanian",
];

fn permit(i: usize) -> String {
    let kategori = CATEGORIES[i % CATEGORIES.len()];
    format!(
        "---
nama: Izin Sintetis Nomor {i}
kategori: {kategori}
ringkasan: Izin sintetis ke-{i} untuk mengukur kecepatan pembangunan situs.
tipe_pemohon: [perorangan, perusahaan]
jenis_permohonan: [baru, perpanjangan]
lama_proses_hari_kerja: {days}
biaya: {fee}
produk: Surat Izin Sintetis {i}
dasar_hukum: [perpres-97-2014]
persyaratan:
  - id: surat-permohonan
    nama: Surat permohonan bermeterai kepada Kepala DPMPTSP
  - id: ktp
    nama: Pindaian KTP pemohon
    format: [pdf, jpg, png]
  - id: npwp
    nama: NPWP perusahaan
    tipe_pemohon: [perusahaan]
  - id: akta
    nama: Akta pendirian dan pengesahan badan hukum
    tipe_pemohon: [perusahaan]
    ukuran_maks_mb: 10
  - id: izin-lama
    nama: Salinan izin yang lama
    jenis_permohonan: [perpanjangan]
  - id: surat-kuasa
    nama: Surat kuasa bermeterai
    wajib: false
    keterangan: Bila pengurusan dikuasakan kepada orang lain.
---

## Tentang izin ini

Izin ini dibuat otomatis untuk uji kecepatan. Lihat [panduan](/panduan/) dan
[dasar hukum](/peraturan/#perpres-97-2014).

## Prosedur

1. Lakukan **Registrasi Pemohon**.
2. Pilih **PERMOHONAN**, lalu isi **Jenis Izin** dan **Tipe Pemohon**.
3. Unggah berkas pada **DOKUMEN**.
",
        days = 1 + i % 30,
        fee = (i % 5) * 50_000,
    )
}

fn copy_dir(from: &Path, to: &Path, skip_permits: bool) {
    for e in walkdir::WalkDir::new(from).into_iter().flatten() {
        let rel = e.path().strip_prefix(from).expect("prefix");
        if skip_permits
            && rel.starts_with("izin")
            && rel.file_name().is_some_and(|n| n != "_index.md")
            && e.file_type().is_file()
        {
            continue;
        }
        let dest = to.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
        } else {
            std::fs::copy(e.path(), &dest).expect("copy");
        }
    }
}

/// Peak resident memory of this process so far, in MiB (Linux).
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let n: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(10_000);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().expect("temp dir");
    let content = tmp.path().join("content");
    copy_dir(&root.join("content"), &content, true);
    for i in 0..n {
        std::fs::write(content.join("izin").join(format!("izin-sintetis-{i:05}.md")), permit(i)).expect("write");
    }
    let opts = Options {
        content_dir: content.clone(),
        theme_dir: root.join("themes/default"),
        out_dir: tmp.path().join("public"),
        search: Search::Skip,
        base_url: None,
        live_reload: false,
    };
    println!(
        "sicantik build benchmark: {n} permits, {} threads",
        rayon::current_num_threads()
    );

    let mut full = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        let report = generator::build(&opts).expect("build");
        full.push(started.elapsed().as_secs_f64());
        assert_eq!(report.permits, n);
    }
    full.sort_by(f64::total_cmp);
    println!(
        "full build:          median {:.0} ms (runs: {:?} ms)",
        full[1] * 1000.0,
        full.iter().map(|s| (s * 1000.0).round()).collect::<Vec<_>>()
    );
    println!("peak memory (RSS):   {:.0} MiB", peak_rss_mib());

    let started = Instant::now();
    generator::check(&opts).expect("check");
    println!(
        "check (no writes):   {:.0} ms",
        started.elapsed().as_secs_f64() * 1000.0
    );

    let (mut session, first) = Session::start(opts.clone());
    assert!(matches!(first, Outcome::Full { .. }), "{first:?}");
    let file: PathBuf = content.join("izin").join(format!("izin-sintetis-{:05}.md", n / 2));
    let original = std::fs::read_to_string(&file).expect("read");
    let mut times = Vec::new();
    for round in 0..11 {
        std::fs::write(
            &file,
            original.replace("untuk mengukur", &format!("(simpan {round}) untuk mengukur")),
        )
        .expect("write");
        let started = Instant::now();
        let outcome = session.apply(std::slice::from_ref(&file));
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        assert!(matches!(outcome, Outcome::Partial { .. }), "{outcome:?}");
    }
    times.sort_by(f64::total_cmp);
    println!(
        "one-permit rebuild:  median {:.1} ms, max {:.1} ms (11 saves)",
        times[5], times[10]
    );
    println!("peak memory (RSS):   {:.0} MiB after watch session", peak_rss_mib());
}
