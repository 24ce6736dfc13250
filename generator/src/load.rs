//! Reads a content directory into a `Content`, or into every problem it has. Files are parsed
//! in parallel; nothing stops at the first problem.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde_yaml::{Mapping, Value};

use crate::error::{Error, Problem, Problems, Result};
use crate::frontmatter;
use crate::holidays::{HolidayYear, Holidays};
use crate::locate::Locator;
use crate::model::*;
use crate::schema::{Reader, closest, opt, req};

/// A content file, parsed and positioned but not yet read into a model type.
pub(crate) struct Doc {
    pub path: PathBuf,
    pub value: Value,
    /// The front matter as written, for positions in problem reports.
    pub yaml: String,
    pub yaml_line: usize,
    pub body: String,
    pub body_line: usize,
}

fn yaml_problem(path: &Path, e: &serde_yaml::Error, first_line: usize) -> Problem {
    let (line, column) = e
        .location()
        .map(|l| (l.line() + first_line - 1, l.column()))
        .unwrap_or((first_line, 1));
    let detail = e.to_string();
    let detail = detail.split(" at line ").next().unwrap_or(&detail);
    Problem::new(
        path,
        line,
        column,
        format!("penulisan YAML tidak valid (periksa indentasi, titik dua setelah kunci, dan tanda kutip): {detail}"),
    )
}

/// Splits and parses a file's front matter (or, for `.yaml` files, the whole file).
pub(crate) fn read_doc(path: &Path, text: &str, front_matter: bool) -> Result<Doc, Vec<Problem>> {
    let (yaml, yaml_line, body, body_line) = if front_matter {
        let s = frontmatter::split(text).map_err(|e| vec![Problem::new(path, e.line(), 1, e.message())])?;
        (s.yaml, s.yaml_line, s.body.to_string(), s.body_line)
    } else {
        (text, 1, String::new(), 1)
    };
    let value: Value = if yaml.trim().is_empty() {
        Value::Mapping(Mapping::new())
    } else {
        serde_yaml::from_str(yaml).map_err(|e| vec![yaml_problem(path, &e, yaml_line)])?
    };
    Ok(Doc {
        path: path.to_path_buf(),
        yaml: yaml.to_string(),
        yaml_line,
        value,
        body,
        body_line,
    })
}

impl Doc {
    fn source(&self) -> Source {
        Source {
            path: self.path.clone(),
            body_line: self.body_line,
        }
    }
}

type Parsed<T> = Result<T, Vec<Problem>>;

fn finish<T>(r: Reader<'_>, value: Option<T>) -> Parsed<T> {
    match value {
        Some(v) if r.problems.is_empty() => Ok(v),
        _ => Err(r.problems),
    }
}

pub(crate) fn parse_page(doc: &Doc) -> Parsed<Page> {
    let mut r = Reader::new(&doc.path, &doc.yaml, doc.yaml_line);
    let keys = [
        req("judul", "judul halaman"),
        req("ringkasan", "satu kalimat ringkasan halaman"),
    ];
    let page = r.mapping(&doc.value, "", &keys).and_then(|m| {
        let judul = r.text(m, "", "judul");
        let ringkasan = r.text(m, "", "ringkasan");
        Some(Page {
            judul: judul?,
            ringkasan: ringkasan?,
            body: doc.body.clone(),
            source: doc.source(),
        })
    });
    finish(r, page)
}

/// Where a guide step's pictures are, beside the step files.
pub const GUIDE_IMAGES: &str = "gambar";
/// The largest picture the guide takes: a phone-sized screenshot as JPEG is far below it, so a
/// bigger file is one that was not compressed (a phone on a slow link pays for every byte).
pub const GUIDE_IMAGE_MAX_KB: usize = 150;
/// Shorter than this, an alternative text cannot say what a screen shows.
const ALT_MIN_CHARS: usize = 20;

pub(crate) fn parse_step(doc: &Doc, nomor: u32, id: String) -> Parsed<GuideStep> {
    let mut r = Reader::new(&doc.path, &doc.yaml, doc.yaml_line);
    let keys = [
        req("judul", "judul halaman"),
        req("ringkasan", "satu kalimat ringkasan halaman"),
        opt("gambar", ""),
    ];
    let step = r.mapping(&doc.value, "", &keys).and_then(|m| {
        let judul = r.text(m, "", "judul");
        let ringkasan = r.text(m, "", "ringkasan");
        let gambar = match m.get("gambar") {
            None => Some(None),
            Some(v) => parse_guide_image(&mut r, doc, v).map(Some),
        };
        Some(GuideStep {
            nomor,
            id,
            judul: judul?,
            ringkasan: ringkasan?,
            body: doc.body.clone(),
            gambar: gambar?,
            source: doc.source(),
        })
    });
    finish(r, step)
}

/// `gambar: {berkas, teks_alternatif}` of a guide step: the file must be in
/// `panduan/gambar/`, be a whole JPEG or PNG of a reasonable size, and say what it shows.
fn parse_guide_image(r: &mut Reader<'_>, doc: &Doc, v: &Value) -> Option<GuideImage> {
    let keys = [
        req(
            "berkas",
            "nama berkas gambar di folder content/panduan/gambar/, mis. 01-registrasi-pemohon.jpg",
        ),
        req(
            "teks_alternatif",
            "kalimat yang menjelaskan isi gambar bagi pembaca yang tidak dapat melihatnya",
        ),
    ];
    let m = r.mapping(v, "gambar", &keys)?;
    let berkas = r.text(m, "gambar", "berkas");
    let alt = r.text(m, "gambar", "teks_alternatif");
    if let Some(a) = &alt
        && a.chars().count() < ALT_MIN_CHARS
    {
        r.at_value(
            "gambar.teks_alternatif",
            format!(
                "teks alternatif \"{a}\" terlalu singkat: jelaskan apa yang tampak pada gambar, mis. \"Formulir Registrasi Pemohon terisi: data pengguna, identitas, kontak dan alamat\""
            ),
        );
        return None;
    }
    let berkas = berkas?;
    if berkas.contains(['/', '\\']) || berkas.starts_with('.') {
        r.at_value(
            "gambar.berkas",
            format!("tulis nama berkasnya saja, tanpa folder: gambar diambil dari folder panduan/{GUIDE_IMAGES}/"),
        );
        return None;
    }
    let Some(expected) = ImageFormat::from_name(&berkas) else {
        r.at_value(
            "gambar.berkas",
            format!("\"{berkas}\" bukan gambar yang dapat dipakai: gunakan berkas .jpg atau .png"),
        );
        return None;
    };
    let folder = doc.path.parent().unwrap_or(Path::new("")).join(GUIDE_IMAGES);
    let path = folder.join(&berkas);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let hint = std::fs::read_dir(&folder)
                .ok()
                .map(|d| {
                    d.flatten()
                        .map(|e| e.file_name().to_string_lossy().into_owned())
                        .collect::<Vec<_>>()
                })
                .and_then(|names| {
                    closest(&berkas, names.iter().map(String::as_str)).map(|s| format!("; mungkin maksudnya \"{s}\"?"))
                })
                .unwrap_or_default();
            r.at_value(
                "gambar.berkas",
                format!("berkas gambar {} tidak ada{hint}", path.display()),
            );
            return None;
        }
        Err(e) => {
            r.at_value(
                "gambar.berkas",
                format!("berkas gambar {} tidak dapat dibaca: {e}", path.display()),
            );
            return None;
        }
    };
    let Some((format, width, height)) = ImageFormat::sniff(&bytes).filter(|(f, _, _)| *f == expected) else {
        r.at_value(
            "gambar.berkas",
            format!(
                "{} bukan gambar {} yang utuh; simpan ulang gambar tersebut sebagai {}",
                path.display(),
                expected.label(),
                expected.label()
            ),
        );
        return None;
    };
    if bytes.len() > GUIDE_IMAGE_MAX_KB * 1024 {
        r.at_value(
            "gambar.berkas",
            format!(
                "{} berukuran {} KB, melebihi batas {GUIDE_IMAGE_MAX_KB} KB: simpan sebagai JPEG dengan kualitas lebih rendah, atau perbarui dengan perintah bash tests/browser/refresh-screenshots",
                path.display(),
                bytes.len().div_ceil(1024)
            ),
        );
        return None;
    }
    Some(GuideImage {
        berkas,
        alt: alt?,
        format,
        width,
        height,
        bytes: std::sync::Arc::new(bytes),
    })
}

pub(crate) fn parse_site(doc: &Doc) -> Parsed<SiteSettings> {
    let mut r = Reader::new(&doc.path, &doc.yaml, doc.yaml_line);
    let keys = [
        req("nama_situs", "nama situs yang tampil di kepala halaman"),
        req("instansi", "mis. Provinsi Sumatera Selatan"),
        req("unit", "mis. Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu"),
        req("singkatan_unit", "mis. DPMPTSP"),
        req("deskripsi", "satu kalimat tentang situs untuk mesin pencari"),
        req("url_dasar", "alamat situs, mis. https://perizinan.example.go.id"),
        req("layanan", "awalan alamat halaman layanan, mis. /layanan"),
        opt("kontak", ""),
        opt("nama_lain_instansi", ""),
        opt("retensi", ""),
    ];
    let site = r.mapping(&doc.value, "", &keys).and_then(|m| {
        let retensi = match m.get("retensi") {
            None | Some(Value::Null) => Some(Retention::default()),
            Some(v) => parse_retention(&mut r, v),
        };
        let kontak = match m.get("kontak") {
            None => Some(Contact::default()),
            Some(Value::Null) => Some(Contact::default()),
            Some(v) => {
                let ck = [
                    opt("alamat", ""),
                    opt("telepon", ""),
                    opt("email", ""),
                    opt("jam_layanan", ""),
                ];
                r.mapping(v, "kontak", &ck).map(|c| Contact {
                    alamat: r.text(c, "kontak", "alamat"),
                    telepon: r.text(c, "kontak", "telepon"),
                    email: r.text(c, "kontak", "email"),
                    jam_layanan: r.text(c, "kontak", "jam_layanan"),
                })
            }
        };
        let nama_lain_instansi = if m.contains_key("nama_lain_instansi") {
            r.text_list(m, "", "nama_lain_instansi", "[Sumsel, Prov. Sumsel]")
                .map(|l| l.into_iter().map(|(w, _)| w).collect())
        } else {
            Some(Vec::new())
        };
        let url = r.text(m, "", "url_dasar").and_then(|u| {
            let ok = (u.starts_with("https://") || u.starts_with("http://")) && !u[8..].contains(' ');
            if !ok {
                r.at_value(
                    "url_dasar",
                    "\"url_dasar\" harus alamat lengkap yang diawali https:// atau http://",
                );
            }
            ok.then(|| u.trim_end_matches('/').to_string())
        });
        let layanan = r.text(m, "", "layanan").and_then(|l| {
            let l = l.trim_end_matches('/').to_string();
            let ok = l.starts_with('/') && l.len() > 1 && l[1..].split('/').all(is_slug);
            if !ok {
                r.at_value("layanan", "\"layanan\" harus berupa awalan alamat seperti /layanan");
            }
            ok.then_some(l)
        });
        Some(SiteSettings {
            nama_situs: r.text(m, "", "nama_situs")?,
            instansi: r.text(m, "", "instansi")?,
            unit: r.text(m, "", "unit")?,
            singkatan_unit: r.text(m, "", "singkatan_unit")?,
            deskripsi: r.text(m, "", "deskripsi")?,
            url_dasar: url?,
            layanan: layanan?,
            kontak: kontak?,
            nama_lain_instansi: nama_lain_instansi?,
            retensi: retensi?,
        })
    });
    finish(r, site)
}

/// The retention schedule: every key optional, each missing one its default. The ranges keep
/// a typo (a year written as days, a 0) from erasing data still in use; the longest spans
/// are generous because a longer period only keeps more.
fn parse_retention(r: &mut Reader<'_>, v: &Value) -> Option<Retention> {
    let keys = [
        opt("registrasi_ditolak_hari", ""),
        opt("registrasi_tak_selesai_hari", ""),
        opt("draf_hari", ""),
        opt("tautan_hari", ""),
        opt("sesi_hari", ""),
        opt("surel_hari", ""),
        opt("permohonan_ditolak_hari", ""),
        opt("permohonan_selesai_tahun", ""),
        opt("permohonan_selesai_tindakan", "serahkan atau hapus"),
    ];
    let m = r.mapping(v, "retensi", &keys)?;
    let d = Retention::default();
    let mut ok = true;
    let mut days = |r: &mut Reader<'_>, key: &str, min: u64, max: u64, default: u32, unit: &str| {
        if !m.contains_key(key) {
            return default;
        }
        match r.uint(m, "retensi", key, min, max, unit) {
            Some(n) => n as u32,
            None => {
                ok = false;
                default
            }
        }
    };
    let out = Retention {
        registrasi_ditolak_hari: days(r, "registrasi_ditolak_hari", 1, 3650, d.registrasi_ditolak_hari, "hari"),
        registrasi_tak_selesai_hari: days(
            r,
            "registrasi_tak_selesai_hari",
            3,
            3650,
            d.registrasi_tak_selesai_hari,
            "hari",
        ),
        draf_hari: days(r, "draf_hari", 7, 3650, d.draf_hari, "hari"),
        tautan_hari: days(r, "tautan_hari", 1, 365, d.tautan_hari, "hari"),
        sesi_hari: days(r, "sesi_hari", 1, 365, d.sesi_hari, "hari"),
        surel_hari: days(r, "surel_hari", 7, 3650, d.surel_hari, "hari"),
        permohonan_ditolak_hari: days(
            r,
            "permohonan_ditolak_hari",
            30,
            3650,
            d.permohonan_ditolak_hari,
            "hari",
        ),
        permohonan_selesai_tahun: days(
            r,
            "permohonan_selesai_tahun",
            1,
            100,
            d.permohonan_selesai_tahun,
            "tahun",
        ),
        permohonan_selesai_tindakan: d.permohonan_selesai_tindakan,
    };
    let tindakan = match m.get("permohonan_selesai_tindakan") {
        None => Some(d.permohonan_selesai_tindakan),
        Some(_) => r.text(m, "retensi", "permohonan_selesai_tindakan").and_then(|w| {
            let found = <FinishedAction as crate::schema::Choice>::parse(&w);
            if found.is_none() {
                r.at_value(
                    "retensi.permohonan_selesai_tindakan",
                    format!(
                        "\"permohonan_selesai_tindakan\" harus \"serahkan\" (diserahkan ke arsip sesuai JRA) atau \"hapus\", bukan \"{w}\""
                    ),
                );
            }
            found
        }),
    };
    (ok).then_some(Retention {
        permohonan_selesai_tindakan: tindakan?,
        ..out
    })
}

const REQUIREMENT_KEYS: [crate::schema::Key; 8] = [
    req(
        "id",
        "pengenal unik persyaratan, huruf kecil dan tanda hubung, mis. surat-permohonan",
    ),
    req("nama", "nama dokumen yang diminta"),
    opt("wajib", ""),
    opt("tipe_pemohon", ""),
    opt("jenis_permohonan", ""),
    opt("format", ""),
    opt("ukuran_maks_mb", ""),
    opt("keterangan", ""),
];

fn parse_requirement(
    r: &mut Reader<'_>,
    v: &Value,
    path: &str,
    permit_types: &[ApplicantType],
    permit_kinds: &[ApplicationKind],
) -> Option<Requirement> {
    let m = r.mapping(v, path, &REQUIREMENT_KEYS)?;
    let id = r.text(m, path, "id").and_then(|id| {
        if is_slug(&id) {
            Some(id)
        } else {
            let msg =
                format!("id persyaratan \"{id}\" hanya boleh berisi huruf kecil a-z, angka 0-9 dan tanda hubung (-)");
            r.at_value(&format!("{path}.id"), msg);
            None
        }
    });
    let nama = r.text(m, path, "nama");
    let wajib = if m.contains_key("wajib") {
        r.boolean(m, path, "wajib")
    } else {
        Some(true)
    };
    let subset = |r: &mut Reader<'_>, key: &str, of_permit: Vec<String>| -> Option<Vec<String>> {
        if !m.contains_key(key) {
            return Some(of_permit);
        }
        let items = r.text_list(m, path, key, "[perusahaan]")?;
        let mut ok = true;
        let mut out = Vec::new();
        for (word, ipath) in items {
            if of_permit.contains(&word) {
                out.push(word);
            } else {
                ok = false;
                r.at_value(
                    &ipath,
                    format!("\"{word}\" tidak ada di \"{key}\" izin ini ({}); persyaratan hanya dapat dibatasi pada nilai yang dimiliki izinnya", of_permit.join(", ")),
                );
            }
        }
        if out.is_empty() && ok {
            r.at_value(
                &format!("{path}.{key}"),
                format!("\"{key}\" tidak boleh kosong; hapus kuncinya bila persyaratan berlaku untuk semua"),
            );
            return None;
        }
        ok.then_some(out)
    };
    let types = subset(
        r,
        "tipe_pemohon",
        permit_types.iter().map(|t| t.as_str().to_string()).collect(),
    );
    let kinds = subset(
        r,
        "jenis_permohonan",
        permit_kinds.iter().map(|t| t.as_str().to_string()).collect(),
    );
    let format = if m.contains_key("format") {
        r.choices::<DocFormat>(m, path, "format")
    } else {
        Some(Requirement::DEFAULT_FORMATS.to_vec())
    };
    let max = if m.contains_key("ukuran_maks_mb") {
        r.uint(m, path, "ukuran_maks_mb", 1, 50, "megabita").map(|n| n as u32)
    } else {
        Some(Requirement::DEFAULT_MAX_MB)
    };
    let keterangan = if m.contains_key("keterangan") {
        r.text(m, path, "keterangan")
    } else {
        None
    };
    Some(Requirement {
        id: id?,
        nama: nama?,
        wajib: wajib?,
        tipe_pemohon: types?.iter().filter_map(|w| ApplicantType::from_word(w)).collect(),
        jenis_permohonan: kinds?.iter().filter_map(|w| ApplicationKind::from_word(w)).collect(),
        format: format?,
        ukuran_maks_mb: max?,
        keterangan,
    })
}

/// `sumber_persyaratan`: the standard a requirement list follows until the office's own
/// standard confirms it. `terverifikasi` is required so that no list counts as checked by
/// omission.
fn parse_requirement_source(r: &mut Reader<'_>, v: &Value) -> Option<RequirementSource> {
    let keys = [
        req(
            "standar",
            "standar yang diikuti daftar persyaratan, mis. standar pelayanan DPMPTSP Provinsi Banten",
        ),
        req(
            "terverifikasi",
            "true bila daftar sudah dicocokkan dengan standar pelayanan kantor sendiri, false bila belum",
        ),
        opt("catatan", ""),
    ];
    let m = r.mapping(v, "sumber_persyaratan", &keys)?;
    let standar = r.text(m, "sumber_persyaratan", "standar");
    let terverifikasi = r.boolean(m, "sumber_persyaratan", "terverifikasi");
    let catatan = if m.contains_key("catatan") {
        Some(r.text(m, "sumber_persyaratan", "catatan")?)
    } else {
        None
    };
    Some(RequirementSource {
        standar: standar?,
        terverifikasi: terverifikasi?,
        catatan,
    })
}

pub(crate) fn parse_permit(doc: &Doc, slug: String) -> Parsed<Permit> {
    let mut r = Reader::new(&doc.path, &doc.yaml, doc.yaml_line);
    let keys = [
        req("nama", "nama lengkap izin"),
        opt("nama_lain", ""),
        req("kategori", "kelompok izin pada daftar, mis. Kelautan dan Perikanan"),
        req("ringkasan", "satu kalimat tentang izin ini"),
        req(
            "tipe_pemohon",
            "siapa yang dapat mengajukan, mis. [perorangan, perusahaan]",
        ),
        req("jenis_permohonan", "mis. [baru, perpanjangan]"),
        req("lama_proses_hari_kerja", "lama proses dalam hari kerja, mis. 10"),
        req("biaya", "biaya dalam rupiah (0 berarti gratis) atau keterangan teks"),
        opt("keterangan_biaya", ""),
        req("produk", "dokumen yang diterima pemohon, mis. Surat Izin ..."),
        opt("masa_berlaku", ""),
        opt("dasar_hukum", ""),
        req("persyaratan", "daftar dokumen yang diminta (minimal satu)"),
        opt("sumber_persyaratan", ""),
    ];
    let permit = r.mapping(&doc.value, "", &keys).and_then(|m| {
        let nama = r.text(m, "", "nama");
        let nama_lain = if m.contains_key("nama_lain") {
            r.text_list(m, "", "nama_lain", "[SIPA, izin sumur bor]")
                .map(|l| l.into_iter().map(|(w, _)| w).collect())
        } else {
            Some(Vec::new())
        };
        let kategori = r.text(m, "", "kategori");
        let ringkasan = r.text(m, "", "ringkasan");
        let types = r.choices::<ApplicantType>(m, "", "tipe_pemohon");
        let kinds = r.choices::<ApplicationKind>(m, "", "jenis_permohonan");
        let days = r.uint(m, "", "lama_proses_hari_kerja", 1, 365, "hari kerja").map(|n| n as u32);
        let biaya = match m.get("biaya") {
            None => None,
            Some(Value::Number(n)) => match n.as_u64() {
                Some(n) => Some(Fee::Rupiah(n)),
                None => {
                    r.at_value("biaya", "\"biaya\" harus bilangan bulat rupiah tanpa titik (mis. 84000), atau keterangan teks");
                    None
                }
            },
            Some(Value::String(_)) => r.text(m, "", "biaya").map(Fee::Text),
            Some(other) => {
                let msg = format!("\"biaya\" harus bilangan bulat rupiah (0 berarti gratis) atau keterangan teks, bukan {}", crate::schema::describe(other));
                r.at_value("biaya", msg);
                None
            }
        };
        let keterangan_biaya = if m.contains_key("keterangan_biaya") { r.text(m, "", "keterangan_biaya") } else { None };
        let produk = r.text(m, "", "produk");
        let masa_berlaku = if m.contains_key("masa_berlaku") { r.text(m, "", "masa_berlaku") } else { None };
        let dasar_hukum = if m.contains_key("dasar_hukum") {
            r.text_list(m, "", "dasar_hukum", "[pp-24-2018]").map(|l| l.into_iter().map(|(w, _)| w).collect())
        } else {
            Some(Vec::new())
        };
        let persyaratan = match (m.get("persyaratan"), &types, &kinds) {
            (Some(Value::Sequence(items)), Some(types), Some(kinds)) => {
                if items.is_empty() {
                    r.at_value("persyaratan", "\"persyaratan\" harus berisi minimal satu dokumen");
                }
                let mut seen: HashMap<String, usize> = HashMap::new();
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    let path = format!("persyaratan.{i}");
                    if let Some(req) = parse_requirement(&mut r, item, &path, types, kinds) {
                        if let Some(first) = seen.insert(req.id.clone(), i + 1) {
                            r.at_value(
                                &format!("{path}.id"),
                                format!("id persyaratan \"{}\" sudah dipakai oleh persyaratan ke-{first}; setiap id harus unik", req.id),
                            );
                        }
                        out.push(req);
                    }
                }
                (out.len() == items.len() && !items.is_empty()).then_some(out)
            }
            (Some(Value::Sequence(_)), _, _) => None,
            (Some(other), _, _) => {
                let msg = format!("\"persyaratan\" harus berupa daftar (setiap butir diawali \"- id: ...\"), bukan {}", crate::schema::describe(other));
                r.at_value("persyaratan", msg);
                None
            }
            (None, _, _) => None,
        };
        let sumber_persyaratan = match m.get("sumber_persyaratan") {
            None => Some(None),
            Some(v) => parse_requirement_source(&mut r, v).map(Some),
        };
        Some(Permit {
            slug,
            nama: nama?,
            nama_lain: nama_lain?,
            kategori: kategori?,
            ringkasan: ringkasan?,
            tipe_pemohon: types?,
            jenis_permohonan: kinds?,
            lama_proses_hari_kerja: days?,
            biaya: biaya?,
            keterangan_biaya,
            produk: produk?,
            masa_berlaku,
            dasar_hukum: dasar_hukum?,
            persyaratan: persyaratan?,
            sumber_persyaratan: sumber_persyaratan?,
            body: doc.body.clone(),
            source: doc.source(),
        })
    });
    finish(r, permit)
}

pub(crate) fn parse_regulation(doc: &Doc, id: String) -> Parsed<Regulation> {
    let mut r = Reader::new(&doc.path, &doc.yaml, doc.yaml_line);
    let keys = [
        req("jenis", "jenis peraturan, mis. Peraturan Pemerintah"),
        req("nomor", "nomor peraturan, mis. \"24\""),
        req("tahun", "tahun peraturan, mis. 2018"),
        req("judul", "judul (tentang ...) peraturan"),
        req("status", "berlaku, diubah atau dicabut"),
        opt("diganti_oleh", ""),
        opt("urutan", ""),
        opt("tautan", ""),
        opt("status_terverifikasi", ""),
    ];
    let reg = r.mapping(&doc.value, "", &keys).and_then(|m| {
        let jenis = r.text(m, "", "jenis");
        let nomor = r.text_or_number(m, "", "nomor");
        let tahun = r.uint(m, "", "tahun", 1945, 2100, "tahun").map(|n| n as u32);
        let judul = r.text(m, "", "judul");
        let status = r
            .text(m, "", "status")
            .and_then(|s| match RegulationStatus::from_word(&s) {
                Some(st) => Some(st),
                None => {
                    r.at_value(
                        "status",
                        format!("status \"{s}\" tidak dikenal; pilih dari: berlaku, diubah, dicabut"),
                    );
                    None
                }
            });
        let diganti_oleh = if m.contains_key("diganti_oleh") {
            r.text(m, "", "diganti_oleh")
        } else {
            None
        };
        let urutan = match m.get("urutan") {
            None => Some(None),
            Some(v) => match v.as_i64() {
                Some(n) => Some(Some(n)),
                None => {
                    r.at_value("urutan", "\"urutan\" harus berupa bilangan bulat, mis. 1");
                    None
                }
            },
        };
        let status_terverifikasi = if m.contains_key("status_terverifikasi") {
            r.boolean(m, "", "status_terverifikasi")
        } else {
            Some(true)
        };
        let tautan = if m.contains_key("tautan") {
            r.text(m, "", "tautan").and_then(|t| {
                let ok = (t.starts_with("https://") || t.starts_with("http://")) && !t.contains(' ');
                if !ok {
                    r.at_value("tautan", "\"tautan\" harus alamat lengkap yang diawali https://");
                }
                ok.then_some(t)
            })
        } else {
            None
        };
        Some(Regulation {
            id,
            jenis: jenis?,
            nomor: nomor?,
            tahun: tahun?,
            judul: judul?,
            status: status?,
            diganti_oleh,
            urutan: urutan?,
            tautan,
            status_terverifikasi: status_terverifikasi?,
            body: doc.body.clone(),
            source: doc.source(),
        })
    });
    finish(r, reg)
}

/// What a file under `content/` is, decided by where it stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Kind {
    Site,
    Home,
    /// `privasi.md`, the privacy notice.
    Privacy,
    GuideIndex,
    Step {
        nomor: u32,
        id: String,
    },
    RegulationIndex,
    Regulation {
        id: String,
    },
    PermitIndex,
    Permit {
        slug: String,
    },
    /// A picture in `panduan/gambar/`: read by the step that names it, not on its own.
    GuideImage,
    /// `hari-libur/<YYYY>.yaml`: one year's national holidays and cuti bersama.
    HolidayYear {
        tahun: i32,
    },
    /// Documentation for editors; not rendered.
    Ignored,
}

/// Classifies a path relative to the content directory; `Err` explains what is wrong.
pub(crate) fn classify(rel: &Path) -> Result<Kind, String> {
    let parts: Vec<&str> = rel.iter().filter_map(|p| p.to_str()).collect();
    let stem_of = |name: &str| name.strip_suffix(".md").map(str::to_string);
    match parts.as_slice() {
        ["situs.yaml"] => Ok(Kind::Site),
        ["beranda.md"] => Ok(Kind::Home),
        ["privasi.md"] => Ok(Kind::Privacy),
        ["README.md"] => Ok(Kind::Ignored),
        ["panduan", "_index.md"] => Ok(Kind::GuideIndex),
        ["peraturan", "_index.md"] => Ok(Kind::RegulationIndex),
        ["izin", "_index.md"] => Ok(Kind::PermitIndex),
        ["panduan", dir, name] if *dir == GUIDE_IMAGES => match ImageFormat::from_name(name) {
            Some(_) => Ok(Kind::GuideImage),
            None => Err(format!(
                "hanya gambar .jpg atau .png yang disimpan di folder panduan/{GUIDE_IMAGES}/"
            )),
        },
        ["panduan", name] => {
            let stem = stem_of(name).ok_or("hanya berkas .md yang dibaca di folder panduan/")?;
            let (num, id) = stem.split_once('-').ok_or("nama berkas langkah panduan harus berbentuk NN-id.md, mis. 01-registrasi-pemohon.md")?;
            let nomor: u32 = num
                .parse()
                .map_err(|_| "nama berkas langkah panduan harus diawali nomor urut dua angka, mis. 01-registrasi-pemohon.md")?;
            if !is_slug(id) {
                return Err(format!("\"{id}\" tidak dapat menjadi jangkar (#) halaman: gunakan huruf kecil, angka dan tanda hubung"));
            }
            Ok(Kind::Step { nomor, id: id.to_string() })
        }
        ["peraturan", name] => {
            let id = stem_of(name).ok_or("hanya berkas .md yang dibaca di folder peraturan/")?;
            if !is_slug(&id) {
                return Err(format!("nama berkas \"{name}\" tidak dapat menjadi id peraturan: gunakan huruf kecil, angka dan tanda hubung, mis. pp-24-2018.md"));
            }
            Ok(Kind::Regulation { id })
        }
        ["izin", name] => {
            let slug = stem_of(name).ok_or("hanya berkas .md yang dibaca di folder izin/")?;
            if !is_slug(&slug) {
                return Err(format!("nama berkas \"{name}\" tidak dapat menjadi alamat halaman: gunakan huruf kecil, angka dan tanda hubung, mis. izin-pemasangan-rumpon.md"));
            }
            Ok(Kind::Permit { slug })
        }
        ["hari-libur", name] => {
            let stem = name
                .strip_suffix(".yaml")
                .ok_or("hanya berkas .yaml yang dibaca di folder hari-libur/, satu berkas per tahun, mis. 2026.yaml")?;
            let tahun: i32 = stem
                .parse()
                .ok()
                .filter(|y| (2000..=2100).contains(y) && stem.len() == 4)
                .ok_or_else(|| format!("nama berkas \"{name}\" harus tahunnya, mis. 2026.yaml"))?;
            Ok(Kind::HolidayYear { tahun })
        }
        _ => Err("berkas ini tidak berada di tempat yang dikenal (situs.yaml, beranda.md, privasi.md, panduan/, peraturan/, izin/, hari-libur/); pindahkan atau hapus".into()),
    }
}

/// One parsed content file.
pub(crate) enum Item {
    Site(SiteSettings),
    Home(Page),
    Privacy(Page),
    GuideIndex(Page),
    Step(GuideStep),
    RegulationIndex(Page),
    Regulation(Regulation),
    PermitIndex(Page),
    Permit(Permit),
    HolidayYear(HolidayYear),
}

pub(crate) fn parse_file(shown: &Path, kind: &Kind, text: &str) -> Parsed<Item> {
    let yaml_only = matches!(kind, Kind::Site | Kind::HolidayYear { .. });
    let doc = read_doc(shown, text, !yaml_only)?;
    Ok(match kind.clone() {
        Kind::Site => Item::Site(parse_site(&doc)?),
        Kind::Home => Item::Home(parse_page(&doc)?),
        Kind::Privacy => Item::Privacy(parse_page(&doc)?),
        Kind::GuideIndex => Item::GuideIndex(parse_page(&doc)?),
        Kind::Step { nomor, id } => Item::Step(parse_step(&doc, nomor, id)?),
        Kind::RegulationIndex => Item::RegulationIndex(parse_page(&doc)?),
        Kind::Regulation { id } => Item::Regulation(parse_regulation(&doc, id)?),
        Kind::PermitIndex => Item::PermitIndex(parse_page(&doc)?),
        Kind::Permit { slug } => Item::Permit(parse_permit(&doc, slug)?),
        Kind::HolidayYear { tahun } => Item::HolidayYear(crate::holidays::parse_year(
            &doc.path,
            &doc.yaml,
            doc.yaml_line,
            &doc.value,
            tahun,
        )?),
        Kind::Ignored | Kind::GuideImage => unreachable!("ignored files and pictures are not parsed"),
    })
}

/// One content file read into the model as [`load`] reads it, without the checks across files;
/// `rel` (its path inside the content folder) decides what it must hold. Public only so that
/// the fuzz targets (`fuzz/`) can reach the loader without writing a folder per input.
#[doc(hidden)]
pub fn parse_one(rel: &Path, text: &str) -> std::result::Result<(), Vec<Problem>> {
    let kind = classify(rel).map_err(|m| vec![Problem::new(rel, 1, 1, m)])?;
    if matches!(kind, Kind::Ignored | Kind::GuideImage) {
        return Ok(());
    }
    parse_file(rel, &kind, text).map(|_| ())
}

/// Every file under `dir`, relative, sorted; hidden files and editor backups are skipped.
pub(crate) fn content_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| {
            let path = e.path().unwrap_or(dir).to_path_buf();
            Error::Io {
                action: "read",
                path,
                source: e.into(),
            }
        })?;
        let name = entry.file_name().to_string_lossy();
        if entry.depth() > 0 && (name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp")) {
            continue;
        }
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path()).to_path_buf();
            files.push(rel);
        }
    }
    Ok(files)
}

/// Loads and checks the whole content directory.
pub fn load(dir: &Path) -> Result<Content> {
    if !dir.is_dir() {
        let p = Problem::new(dir, 1, 1, "folder konten tidak ditemukan");
        return Err(Error::Content(Problems::sorted(vec![p])));
    }
    let files = content_files(dir)?;
    let results: Vec<Result<Option<Item>, Vec<Problem>>> = files
        .par_iter()
        .map(|rel| {
            let shown = dir.join(rel);
            let kind = classify(rel).map_err(|m| vec![Problem::new(&shown, 1, 1, m)])?;
            if matches!(kind, Kind::Ignored | Kind::GuideImage) {
                return Ok(None);
            }
            let text = std::fs::read_to_string(&shown).map_err(|e| {
                vec![Problem::new(
                    &shown,
                    1,
                    1,
                    format!("berkas tidak dapat dibaca sebagai teks UTF-8: {e}"),
                )]
            })?;
            parse_file(&shown, &kind, &text).map(Some)
        })
        .collect();
    let mut problems = Vec::new();
    let mut items = Vec::new();
    for r in results {
        match r {
            Ok(Some(item)) => items.push(item),
            Ok(None) => {}
            Err(p) => problems.extend(p),
        }
    }
    assemble(dir, &files, items, problems)
}

/// Puts parsed items together and runs the checks that span files.
pub(crate) fn assemble(dir: &Path, files: &[PathBuf], items: Vec<Item>, mut problems: Vec<Problem>) -> Result<Content> {
    let (mut situs, mut beranda, mut panduan, mut peraturan_halaman, mut izin_halaman) = (None, None, None, None, None);
    let mut privasi = None;
    let (mut langkah, mut peraturan, mut izin) = (Vec::new(), Vec::new(), Vec::new());
    let mut hari_libur = Vec::new();
    for item in items {
        match item {
            Item::Site(s) => situs = Some(s),
            Item::Home(p) => beranda = Some(p),
            Item::Privacy(p) => privasi = Some(p),
            Item::GuideIndex(p) => panduan = Some(p),
            Item::Step(s) => langkah.push(s),
            Item::RegulationIndex(p) => peraturan_halaman = Some(p),
            Item::Regulation(r) => peraturan.push(r),
            Item::PermitIndex(p) => izin_halaman = Some(p),
            Item::Permit(p) => izin.push(p),
            Item::HolidayYear(y) => hari_libur.push(y),
        }
    }
    let exists = |rel: &str| files.iter().any(|f| f == Path::new(rel));
    for (rel, what) in [
        ("situs.yaml", "pengaturan situs (nama, instansi, unit, kontak)"),
        ("beranda.md", "teks halaman beranda"),
        (
            "privasi.md",
            "pemberitahuan privasi (data yang dikumpulkan, dasar hukum, hak pemohon)",
        ),
        ("panduan/_index.md", "pengantar panduan pemohon"),
        ("peraturan/_index.md", "pengantar halaman dasar hukum"),
        ("izin/_index.md", "pengantar daftar jenis izin"),
    ] {
        if !exists(rel) {
            problems.push(Problem::new(
                dir.join(rel),
                1,
                1,
                format!("berkas wajib ini tidak ada: {what}"),
            ));
        }
    }
    if langkah.is_empty()
        && !files.iter().any(|f| {
            f.starts_with("panduan")
                && !f.ends_with("_index.md")
                && !f.starts_with(Path::new("panduan").join(GUIDE_IMAGES))
        })
    {
        problems.push(Problem::new(
            dir.join("panduan"),
            1,
            1,
            "panduan belum berisi langkah; tambahkan berkas seperti panduan/01-registrasi-pemohon.md",
        ));
    }
    if izin.is_empty() && !files.iter().any(|f| f.starts_with("izin") && !f.ends_with("_index.md")) {
        problems.push(Problem::new(
            dir.join("izin"),
            1,
            1,
            "belum ada jenis izin; tambahkan berkas seperti izin/izin-pemasangan-rumpon.md",
        ));
    }

    let content = match (situs, beranda, panduan, peraturan_halaman, izin_halaman, privasi) {
        (Some(situs), Some(beranda), Some(panduan), Some(peraturan_halaman), Some(izin_halaman), Some(privasi)) => {
            Some(Content {
                situs,
                beranda,
                panduan,
                langkah,
                peraturan_halaman,
                peraturan,
                izin_halaman,
                privasi,
                izin,
                hari_libur: {
                    hari_libur.sort_by_key(|y: &HolidayYear| y.tahun);
                    Holidays { tahun: hari_libur }
                },
            })
        }
        _ => None,
    };
    // A regulation whose file has problems of its own is still known by its file name, so
    // references to it are not reported a second time.
    let known: HashSet<String> = files
        .iter()
        .filter_map(|f| match classify(f) {
            Ok(Kind::Regulation { id }) => Some(id),
            _ => None,
        })
        .collect();
    let content = content.map(|mut c| {
        problems.extend(cross_check(&mut c, &known));
        c
    });
    match content {
        Some(c) if problems.is_empty() => Ok(c),
        // A missing required file was reported above, so the list is never empty here.
        _ => Err(Error::Content(Problems::sorted(problems))),
    }
}

/// The checks that span files; also puts guide steps, regulations and permits in page order.
/// Watch mode calls it again after replacing one file's part of the model.
pub(crate) fn cross_check(content: &mut Content, known_regulations: &HashSet<String>) -> Vec<Problem> {
    let mut problems = Vec::new();
    let Content {
        langkah,
        peraturan,
        izin,
        ..
    } = content;
    // Guide steps: unique order numbers and anchors.
    langkah.sort_by(|a, b| (a.nomor, &a.id).cmp(&(b.nomor, &b.id)));
    for w in langkah.windows(2) {
        if w[0].nomor == w[1].nomor {
            let msg = format!(
                "nomor urut {:02} sudah dipakai oleh {}; setiap langkah perlu nomor sendiri",
                w[1].nomor,
                w[0].source.path.display()
            );
            problems.push(Problem::new(&w[1].source.path, 1, 1, msg));
        }
    }
    let mut step_ids = HashSet::new();
    for s in langkah.iter() {
        if !step_ids.insert(s.id.clone()) {
            problems.push(Problem::new(
                &s.source.path,
                1,
                1,
                format!("jangkar \"{}\" sudah dipakai oleh langkah lain", s.id),
            ));
        }
    }

    // Regulations: references between them, and no regulation listed twice.
    let mut reg_ids: HashSet<&str> = peraturan.iter().map(|r| r.id.as_str()).collect();
    reg_ids.extend(known_regulations.iter().map(String::as_str));
    let mut seen_labels: HashMap<String, &Path> = HashMap::new();
    for reg in peraturan.iter() {
        let loc = reg_locator(reg);
        if let Some(to) = &reg.diganti_oleh {
            if to == &reg.id {
                let p = loc.value("diganti_oleh");
                problems.push(Problem::new(
                    &reg.source.path,
                    p.line,
                    p.column,
                    "peraturan tidak dapat diganti oleh dirinya sendiri",
                ));
            } else if !reg_ids.contains(to.as_str()) {
                let p = loc.value("diganti_oleh");
                problems.push(Problem::new(
                    &reg.source.path,
                    p.line,
                    p.column,
                    unknown_regulation(to, &reg_ids, "diganti_oleh"),
                ));
            }
        }
        let key = reg.label().to_lowercase();
        if let Some(first) = seen_labels.insert(key, &reg.source.path) {
            let msg = format!(
                "{} sudah ditulis di {}; satu peraturan cukup satu berkas",
                reg.label(),
                first.display()
            );
            problems.push(Problem::new(&reg.source.path, 1, 1, msg));
        }
    }

    // Permits: legal basis exists; no two permits share a name.
    izin.sort_by(|a, b| a.slug.cmp(&b.slug));
    let mut names: HashMap<String, &Path> = HashMap::new();
    for permit in izin.iter() {
        let loc = permit_locator(permit);
        for (i, id) in permit.dasar_hukum.iter().enumerate() {
            if !reg_ids.contains(id.as_str()) {
                let p = loc.value(&format!("dasar_hukum.{i}"));
                problems.push(Problem::new(
                    &permit.source.path,
                    p.line,
                    p.column,
                    unknown_regulation(id, &reg_ids, "dasar_hukum"),
                ));
            }
        }
        if let Some(first) = names.insert(permit.nama.to_lowercase(), &permit.source.path) {
            let p = loc.value("nama");
            let msg = format!(
                "nama izin \"{}\" sudah dipakai oleh {}; pemohon tidak dapat membedakan keduanya",
                permit.nama,
                first.display()
            );
            problems.push(Problem::new(&permit.source.path, p.line, p.column, msg));
        }
    }

    peraturan.sort_by(|a, b| (a.urutan.unwrap_or(i64::MAX), &a.id).cmp(&(b.urutan.unwrap_or(i64::MAX), &b.id)));
    problems
}

fn unknown_regulation(id: &str, known: &HashSet<&str>, key: &str) -> String {
    let hint = match closest(id, known.iter().copied()) {
        Some(s) => format!("; mungkin maksudnya \"{s}\"?"),
        None => String::new(),
    };
    format!("\"{key}\" menyebut peraturan \"{id}\" yang tidak ada di content/peraturan/ (berkas {id}.md){hint}")
}

/// Re-reads a file's front matter positions for cross-file problems. Only runs when a
/// reference is wrong or on the rare paths that report, so the cost stays off the happy path.
fn locator_of(path: &Path) -> Locator {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| frontmatter::split(&t).ok().map(|s| Locator::new(s.yaml, s.yaml_line)))
        .unwrap_or_default()
}

fn permit_locator(p: &Permit) -> LazyLocator<'_> {
    LazyLocator {
        path: &p.source.path,
        loc: std::cell::OnceCell::new(),
    }
}

fn reg_locator(r: &Regulation) -> LazyLocator<'_> {
    LazyLocator {
        path: &r.source.path,
        loc: std::cell::OnceCell::new(),
    }
}

struct LazyLocator<'a> {
    path: &'a Path,
    loc: std::cell::OnceCell<Locator>,
}

impl LazyLocator<'_> {
    fn value(&self, path: &str) -> crate::locate::Pos {
        self.loc.get_or_init(|| locator_of(self.path)).value(path)
    }
}
