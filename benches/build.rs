//! Build speed and memory on large synthetic sites: for N permits in the content schema
//! (default 1,000, 10,000 and 50,000), the full build with and without the search index (wall
//! time, user+sys CPU and peak memory of the real `sicantik build`, runs interleaved, median of
//! 3), and a one-permit save in watch mode through the real `sicantik watch` server: the
//! rebuild time it reports, and the time from writing the file until the page shows the change
//! (median and max of 20 saves).
//!
//! Run: `cargo bench --bench build [-- N ... [--out DIR]]`. Put `--out` on tmpfs (for example
//! `/dev/shm/sicantik-bench`) so the disk is not what is measured. Needs GNU time
//! (`/usr/bin/time`, Debian's `time`). Prints the figures; nothing is asserted, because
//! timings belong in reports, not in tests.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

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

const SICANTIK: &str = env!("CARGO_BIN_EXE_sicantik");

/// One run of `sicantik build` under GNU time.
struct Run {
    wall: f64,
    cpu: f64,
    rss_mib: f64,
}

fn build(content: &Path, theme: &Path, out: &Path, search: bool) -> Run {
    let mut cmd = Command::new("/usr/bin/time");
    cmd.args(["-f", "@@ %e %U %S %M", SICANTIK])
        .arg("--content")
        .arg(content)
        .arg("--theme")
        .arg(theme)
        .arg("--out")
        .arg(out)
        .arg("build");
    if !search {
        cmd.arg("--no-search");
    }
    let o = cmd
        .output()
        .expect("run /usr/bin/time sicantik build (install Debian's `time`)");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "build failed: {err}");
    let line = err
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix("@@ "))
        .expect("time's line");
    let f: Vec<f64> = line.split_whitespace().map(|x| x.parse().expect("number")).collect();
    Run {
        wall: f[0],
        cpu: f[1] + f[2],
        rss_mib: f[3] / 1024.0,
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn get(addr: &str, path: &str) -> String {
    let mut s = TcpStream::connect(addr).expect("connect");
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").expect("request");
    let mut body = String::new();
    let _ = s.read_to_string(&mut body);
    body
}

/// Saves one permit `saves` times under `sicantik watch`; per save, the rebuild time the
/// server reports and the time until the page it serves shows the change.
fn watch(content: &Path, theme: &Path, out: &Path, slug: &str, saves: usize) -> (Vec<f64>, Vec<f64>) {
    let mut child = Command::new(SICANTIK)
        .arg("--content")
        .arg(content)
        .arg("--theme")
        .arg(theme)
        .arg("--out")
        .arg(out)
        .args(["watch", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start sicantik watch");
    let (tx, lines) = mpsc::channel();
    let stdout = child.stdout.take().expect("stdout");
    std::thread::spawn(move || {
        for l in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(l);
        }
    });
    let addr = loop {
        let l = lines.recv_timeout(Duration::from_secs(600)).expect("watch starts");
        if let Some(rest) = l.strip_prefix("Pratinjau di http://") {
            break rest.split('/').next().expect("address").to_string();
        }
    };
    let file = content.join("izin").join(format!("{slug}.md"));
    let original = std::fs::read_to_string(&file).expect("read");
    let (mut rebuild, mut visible) = (Vec::new(), Vec::new());
    for round in 0..saves {
        // Let the previous save settle, as between an editor's saves.
        std::thread::sleep(Duration::from_millis(300));
        while lines.try_recv().is_ok() {}
        let marker = format!("Simpanan{round}x");
        let text = original.replacen("\nnama: ", &format!("\nnama: {marker} "), 1);
        let started = Instant::now();
        std::fs::write(&file, text).expect("save");
        loop {
            if get(&addr, &format!("/izin/{slug}/")).contains(&marker) {
                break;
            }
            assert!(started.elapsed() < Duration::from_secs(60), "save {round} never showed");
        }
        visible.push(started.elapsed().as_secs_f64() * 1000.0);
        let deadline = Instant::now() + Duration::from_secs(60);
        let ms = loop {
            let l = lines
                .recv_timeout(deadline.saturating_duration_since(Instant::now()))
                .expect("rebuild line");
            if let Some(rest) = l.strip_prefix("Diperbarui: ") {
                break rest
                    .rsplit(" dalam ")
                    .next()
                    .and_then(|t| t.trim_end_matches(" ms.").parse::<f64>().ok());
            }
        };
        rebuild.push(ms.expect("rebuild time"));
    }
    std::fs::write(&file, original).expect("restore");
    let _ = child.kill();
    let _ = child.wait();
    (rebuild, visible)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut ns: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    if ns.is_empty() {
        ns = vec![1_000, 10_000, 50_000];
    }
    let out_root = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // `--write-only DIR N`: only write the synthetic content (benches/compare.sh feeds the same
    // permits to Hugo).
    if let Some(i) = args.iter().position(|a| a == "--write-only") {
        let dir = PathBuf::from(args.get(i + 1).expect("--write-only DIR"));
        let n = ns.first().copied().unwrap_or(10_000);
        copy_dir(&root.join("content"), &dir, true);
        for i in 0..n {
            std::fs::write(dir.join("izin").join(format!("izin-sintetis-{i:05}.md")), permit(i)).expect("write");
        }
        return;
    }
    let theme = root.join("themes/default");
    println!(
        "sicantik build benchmark ({} cores)",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "{:>7} | {:>27} | {:>27} | {:>29} | {:>22}",
        "permits", "build, no search", "build with search", "watch: one save (20)", "search adds"
    );
    println!(
        "{:>7} | {:>8} {:>8} {:>9} | {:>8} {:>8} {:>9} | {:>14} {:>14} | {:>10} {:>11}",
        "", "wall s", "cpu s", "peak MiB", "wall s", "cpu s", "peak MiB", "rebuild ms", "visible ms", "wall", "memory"
    );
    for n in ns {
        let work = tempfile::tempdir().expect("temp dir");
        let content = work.path().join("content");
        copy_dir(&root.join("content"), &content, true);
        for i in 0..n {
            std::fs::write(content.join("izin").join(format!("izin-sintetis-{i:05}.md")), permit(i)).expect("write");
        }
        let out_base = out_root.clone().unwrap_or_else(|| work.path().to_path_buf());
        std::fs::create_dir_all(&out_base).expect("out dir");
        let out = out_base.join(format!("public-{n}"));
        let (mut plain, mut search) = (Vec::new(), Vec::new());
        for _ in 0..3 {
            plain.push(build(&content, &theme, &out, false));
            search.push(build(&content, &theme, &out, true));
        }
        let stat = |runs: &[Run]| {
            (
                median(runs.iter().map(|r| r.wall).collect()),
                median(runs.iter().map(|r| r.cpu).collect()),
                median(runs.iter().map(|r| r.rss_mib).collect()),
            )
        };
        let (pw, pc, pm) = stat(&plain);
        let (sw, sc, sm) = stat(&search);
        let watch_out = out_base.join(format!("watch-{n}"));
        let (rebuild, visible) = watch(&content, &theme, &watch_out, &format!("izin-sintetis-{:05}", n / 2), 20);
        let max = |v: &[f64]| v.iter().copied().fold(f64::MIN, f64::max);
        println!(
            "{n:>7} | {pw:>8.2} {pc:>8.2} {pm:>9.0} | {sw:>8.2} {sc:>8.2} {sm:>9.0} | {:>6.1} / {:>5.1} {:>6.1} / {:>5.1} | {:>+9.0}% {:>+7.0} MiB",
            median(rebuild.clone()),
            max(&rebuild),
            median(visible.clone()),
            max(&visible),
            (sw / pw - 1.0) * 100.0,
            sm - pm,
        );
        let _ = std::fs::remove_dir_all(&out);
        let _ = std::fs::remove_dir_all(&watch_out);
    }
    println!("(rebuild and visible: median / max; visible = from writing the file until the served page shows it)");
}
