//! A small valid content directory in a temporary folder, to break one way per test.

use std::path::{Path, PathBuf};

use generator::{Error, Options, Search};

pub const PERMIT: &str = "---
nama: Izin Pemasangan Rumpon
kategori: Kelautan dan Perikanan
ringkasan: Izin untuk memasang rumpon.
tipe_pemohon: [perorangan, perusahaan]
jenis_permohonan: [baru, perpanjangan]
lama_proses_hari_kerja: 10
biaya: 0
produk: Surat Izin Pemasangan Rumpon
dasar_hukum: [pp-24-2018]
persyaratan:
  - id: surat-permohonan
    nama: Surat permohonan
  - id: akta
    nama: Akta pendirian
    tipe_pemohon: [perusahaan]
---

## Prosedur

Baca [panduan](/panduan/#daftar) dan [dasar hukum](/peraturan/#pp-24-2018).
";

pub struct Fixture {
    _tmp: tempfile::TempDir,
    pub root: PathBuf,
}

pub fn theme_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../themes/default")
}

impl Fixture {
    /// A small valid content directory: one guide step, two regulations, one permit.
    pub fn new() -> Fixture {
        let tmp = tempfile::tempdir().expect("temp dir");
        let root = tmp.path().to_path_buf();
        let f = Fixture { _tmp: tmp, root };
        f.write(
            "situs.yaml",
            "nama_situs: Panduan Perizinan\ninstansi: Provinsi Sumatera Selatan\nunit: Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu\nsingkatan_unit: DPMPTSP\ndeskripsi: Panduan perizinan.\nurl_dasar: https://contoh.go.id\nlayanan: /layanan\nkontak: {}\n",
        );
        f.write(
            "beranda.md",
            "---\njudul: Beranda\nringkasan: Layanan perizinan daring.\n---\nSelamat datang.\n",
        );
        f.write(
            "privasi.md",
            "---\njudul: Pemberitahuan Privasi\nringkasan: Data yang dikumpulkan.\n---\nHak Anda.\n",
        );
        f.write(
            "panduan/_index.md",
            "---\njudul: Panduan Pemohon\nringkasan: Tujuh langkah.\n---\nPengantar.\n",
        );
        f.write(
            "panduan/01-daftar.md",
            "---\njudul: Registrasi Pemohon\nringkasan: Daftar.\n---\nTekan **DAFTAR**.\n",
        );
        f.write(
            "peraturan/_index.md",
            "---\njudul: Dasar Hukum\nringkasan: Peraturan.\n---\n",
        );
        f.write(
            "peraturan/pp-24-2018.md",
            "---\njenis: Peraturan Pemerintah\nnomor: \"24\"\ntahun: 2018\njudul: Pelayanan Perizinan Berusaha Terintegrasi Secara Elektronik\nstatus: dicabut\ndiganti_oleh: pp-5-2021\n---\nMembentuk OSS.\n",
        );
        f.write(
            "peraturan/pp-5-2021.md",
            "---\njenis: Peraturan Pemerintah\nnomor: 5\ntahun: 2021\njudul: Penyelenggaraan Perizinan Berusaha Berbasis Risiko\nstatus: berlaku\n---\nOSS RBA.\n",
        );
        f.write(
            "izin/_index.md",
            "---\njudul: Jenis Izin\nringkasan: Daftar izin.\n---\n",
        );
        f.write("izin/izin-pemasangan-rumpon.md", PERMIT);
        f
    }

    pub fn content(&self) -> PathBuf {
        self.root.join("content")
    }

    pub fn public(&self) -> PathBuf {
        self.root.join("public")
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.content().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }

    pub fn edit(&self, rel: &str, from: &str, to: &str) {
        let p = self.content().join(rel);
        let text = std::fs::read_to_string(&p).expect("read");
        assert!(text.contains(from), "fixture {rel} has no {from:?}");
        std::fs::write(p, text.replacen(from, to, 1)).expect("write");
    }

    pub fn options(&self) -> Options {
        Options {
            content_dir: self.content(),
            theme_dir: theme_dir(),
            out_dir: self.public(),
            search: Search::Skip,
            base_url: None,
            live_reload: false,
        }
    }

    /// The problems `check` reports, as `file:line:col: message` with paths relative to the
    /// fixture root.
    pub fn problems(&self) -> Vec<String> {
        match generator::check(&self.options()) {
            Ok(_) => vec![],
            Err(Error::Content(p)) => {
                p.0.iter()
                    .map(|p| {
                        let file = p.file.strip_prefix(&self.root).unwrap_or(&p.file).display().to_string();
                        format!("{file}:{}:{}: {}", p.line, p.column, p.message)
                    })
                    .collect()
            }
            Err(e) => panic!("unexpected error: {e:#}"),
        }
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from).into_iter().flatten() {
        let rel = e.path().strip_prefix(from).expect("prefix");
        let dest = to.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).expect("mkdir");
        } else {
            std::fs::copy(e.path(), &dest).expect("copy");
        }
    }
}

pub fn snapshot(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files: Vec<(PathBuf, Vec<u8>)> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).expect("prefix").to_path_buf(),
                std::fs::read(e.path()).expect("read"),
            )
        })
        .collect();
    files.sort();
    files
}
