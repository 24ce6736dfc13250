//! The content model: what editors write in `content/`, parsed once into types that hold only
//! valid values. The same `Permit` and its `Requirement`s feed the permit page, the application
//! form and the service's checks, so the requirement list is defined only here.

use std::path::PathBuf;

use serde::Serialize;

use crate::schema::Choice;

macro_rules! choice {
    ($(#[$m:meta])* $name:ident, $what:literal, { $($variant:ident => $word:literal, $label:literal;)+ }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl Choice for $name {
            const WHAT: &'static str = $what;
            fn all() -> &'static [Self] { &[$($name::$variant),+] }
            fn word(self) -> &'static str { match self { $($name::$variant => $word),+ } }
        }

        impl $name {
            /// The word editors write in content files, and the service stores.
            pub fn as_str(self) -> &'static str { self.word() }
            /// The Indonesian name users read.
            pub fn label(self) -> &'static str { match self { $($name::$variant => $label),+ } }
            pub fn from_word(s: &str) -> Option<Self> { <Self as Choice>::parse(s) }
            pub fn all_values() -> &'static [Self] { <Self as Choice>::all() }
        }
    };
}

choice!(
    /// Who applies: a person, or a business (the guide's "Tipe Pemohon").
    ApplicantType, "tipe pemohon", {
        Perorangan => "perorangan", "Perorangan";
        Perusahaan => "perusahaan", "Perusahaan";
    }
);

choice!(
    /// The guide's "Jenis Permohonan".
    ApplicationKind, "jenis permohonan", {
        Baru => "baru", "Baru";
        Perpanjangan => "perpanjangan", "Perpanjangan";
        Perubahan => "perubahan", "Perubahan";
        DaftarUlang => "daftar_ulang", "Daftar Ulang";
        Penggantian => "penggantian", "Penggantian";
    }
);

choice!(
    /// A file type accepted for a requirement's scanned document.
    DocFormat, "format berkas", {
        Pdf => "pdf", "PDF";
        Jpg => "jpg", "JPG";
        Png => "png", "PNG";
        // Digital maps (SHP) come as archives; the service recognises them by their bytes too.
        Zip => "zip", "ZIP";
    }
);

choice!(
    /// Whether a regulation still applies.
    RegulationStatus, "status peraturan", {
        Berlaku => "berlaku", "Berlaku";
        Diubah => "diubah", "Diubah";
        Dicabut => "dicabut", "Dicabut";
    }
);

/// Where a piece of content came from, for reports and watch mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// Path as the editor knows it, e.g. `content/izin/izin-rumpon.md`.
    pub path: PathBuf,
    /// The file line on which the Markdown body starts.
    pub body_line: usize,
}

/// What a permit costs the applicant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Fee {
    /// An amount in rupiah; 0 means free.
    Rupiah(u64),
    /// A description where no single amount applies, e.g. "Retribusi sesuai peraturan daerah".
    Text(String),
}

impl Fee {
    /// "Gratis", "Rp84.000", or the editor's text.
    pub fn label(&self) -> String {
        match self {
            Fee::Rupiah(0) => "Gratis".to_string(),
            Fee::Rupiah(n) => format!("Rp{}", thousands(*n)),
            Fee::Text(t) => t.clone(),
        }
    }
}

/// 1234567 → "1.234.567", the Indonesian way.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Requirement {
    pub id: String,
    pub nama: String,
    pub wajib: bool,
    /// Who must provide it; always a non-empty subset of the permit's applicant types.
    pub tipe_pemohon: Vec<ApplicantType>,
    /// For which kinds of application; always a non-empty subset of the permit's.
    pub jenis_permohonan: Vec<ApplicationKind>,
    pub format: Vec<DocFormat>,
    pub ukuran_maks_mb: u32,
    pub keterangan: Option<String>,
}

impl Requirement {
    pub const DEFAULT_MAX_MB: u32 = 5;
    pub const DEFAULT_FORMATS: [DocFormat; 3] = [DocFormat::Pdf, DocFormat::Jpg, DocFormat::Png];

    /// Whether an applicant of `who` making an application of `kind` is asked for it.
    pub fn applies_to(&self, who: ApplicantType, kind: ApplicationKind) -> bool {
        self.tipe_pemohon.contains(&who) && self.jenis_permohonan.contains(&kind)
    }

    pub fn max_bytes(&self) -> u64 {
        u64::from(self.ukuran_maks_mb) * 1024 * 1024
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permit {
    pub slug: String,
    pub nama: String,
    /// Other names people know the permit by (abbreviations, old names, everyday words), for
    /// the filters, the form's finder and the search; shown on the permit page.
    pub nama_lain: Vec<String>,
    pub kategori: String,
    pub ringkasan: String,
    pub tipe_pemohon: Vec<ApplicantType>,
    pub jenis_permohonan: Vec<ApplicationKind>,
    pub lama_proses_hari_kerja: u32,
    pub biaya: Fee,
    pub keterangan_biaya: Option<String>,
    pub produk: String,
    pub masa_berlaku: Option<String>,
    pub dasar_hukum: Vec<String>,
    pub persyaratan: Vec<Requirement>,
    /// Whose standard the requirement list follows (`sumber_persyaratan`); `None` when the
    /// list is the office's own, published standard.
    pub sumber_persyaratan: Option<RequirementSource>,
    pub body: String,
    pub source: Source,
}

/// Where a permit's requirement list comes from, while it is not the office's own standard
/// (`sumber_persyaratan` in the front matter). The page names `standar` once, in one plain
/// sentence, until `terverifikasi`; `catatan` is for editors only (`sicantik check` prints
/// it), never shown on the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequirementSource {
    /// Names the standard followed, e.g. "standar pelayanan DPMPTSP Provinsi Banten".
    pub standar: String,
    /// True once the list was checked against the office's own standard.
    pub terverifikasi: bool,
    /// What is left to check, for editors.
    pub catatan: Option<String>,
}

impl Permit {
    /// The standard the page has to name: the list follows it and was not yet checked
    /// against the office's own.
    pub fn unverified_source(&self) -> Option<&RequirementSource> {
        self.sumber_persyaratan.as_ref().filter(|s| !s.terverifikasi)
    }

    /// The requirements asked of this applicant for this kind of application, in content order.
    pub fn requirements_for(&self, who: ApplicantType, kind: ApplicationKind) -> impl Iterator<Item = &Requirement> {
        self.persyaratan.iter().filter(move |r| r.applies_to(who, kind))
    }

    pub fn path(&self) -> String {
        format!("/izin/{}/", self.slug)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Regulation {
    pub id: String,
    pub jenis: String,
    pub nomor: String,
    pub tahun: u32,
    pub judul: String,
    pub status: RegulationStatus,
    pub diganti_oleh: Option<String>,
    pub urutan: Option<i64>,
    pub tautan: Option<String>,
    /// False while the status could not be checked against an official source (JDIH); the
    /// page then says so, once, in the same words for every such regulation.
    pub status_terverifikasi: bool,
    pub body: String,
    pub source: Source,
}

impl Regulation {
    /// "Peraturan Pemerintah Nomor 24 Tahun 2018".
    pub fn label(&self) -> String {
        format!("{} Nomor {} Tahun {}", self.jenis, self.nomor, self.tahun)
    }
}

/// One step of the applicant guide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuideStep {
    pub nomor: u32,
    /// The anchor on the guide page: `/panduan/#<id>`.
    pub id: String,
    pub judul: String,
    pub ringkasan: String,
    pub body: String,
    /// The screenshot of the real page the step describes (`gambar` in its front matter).
    pub gambar: Option<GuideImage>,
    pub source: Source,
}

/// A picture shown in the guide: a screenshot of the service at phone size, taken by the
/// browser journey test (`tests/browser/refresh-screenshots` refreshes the committed files).
#[derive(Clone, PartialEq, Eq)]
pub struct GuideImage {
    /// Its file name under `content/panduan/gambar/`: `01-registrasi-pemohon.jpg`.
    pub berkas: String,
    /// What the picture shows, for those who cannot see it (`teks_alternatif`).
    pub alt: String,
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
    pub bytes: std::sync::Arc<Vec<u8>>,
}

impl GuideImage {
    /// Where the built site has it, under its content hash like the theme's assets (so it may
    /// be cached for a year, and a refreshed screenshot gets a new address):
    /// `assets/panduan/01-registrasi-pemohon.3f2a9c1b.jpg`.
    pub fn out_path(&self) -> String {
        use sha2::{Digest, Sha256};
        let short: String = Sha256::digest(self.bytes.as_slice())
            .iter()
            .take(4)
            .map(|b| format!("{b:02x}"))
            .collect();
        let (stem, ext) = self.berkas.rsplit_once('.').unwrap_or((&self.berkas, ""));
        format!("assets/panduan/{stem}.{short}.{}", ext.to_ascii_lowercase())
    }

    /// The address pages use: `/assets/panduan/01-registrasi-pemohon.3f2a9c1b.jpg`.
    pub fn url(&self) -> String {
        format!("/{}", self.out_path())
    }
}

impl std::fmt::Debug for GuideImage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GuideImage")
            .field("berkas", &self.berkas)
            .field("alt", &self.alt)
            .field("size", &(self.width, self.height))
            .field("bytes", &self.bytes.len())
            .finish()
    }
}

/// The picture formats the guide takes: every phone browser shows both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Jpeg,
    Png,
}

impl ImageFormat {
    /// From a file name's extension (`.jpg`, `.jpeg`, `.png`, any case).
    pub fn from_name(name: &str) -> Option<Self> {
        let ext = name.rsplit_once('.')?.1.to_ascii_lowercase();
        match ext.as_str() {
            "jpg" | "jpeg" => Some(ImageFormat::Jpeg),
            "png" => Some(ImageFormat::Png),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "JPEG",
            ImageFormat::Png => "PNG",
        }
    }

    /// Reads the format and the size in pixels from a file's first bytes (the PNG header, or
    /// the JPEG frame header), without decoding pixels; `None` when it is neither.
    pub fn sniff(bytes: &[u8]) -> Option<(ImageFormat, u32, u32)> {
        if bytes.len() >= 24 && bytes.starts_with(b"\x89PNG\r\n\x1a\n") && &bytes[12..16] == b"IHDR" {
            let w = u32::from_be_bytes(bytes[16..20].try_into().ok()?);
            let h = u32::from_be_bytes(bytes[20..24].try_into().ok()?);
            return (w > 0 && h > 0).then_some((ImageFormat::Png, w, h));
        }
        if !bytes.starts_with(&[0xFF, 0xD8]) {
            return None;
        }
        // JPEG: walk the marker segments up to the first start-of-frame (SOF0..SOF15 without
        // DHT, JPG and DAC), whose header holds the height, then the width.
        let mut i = 2;
        while i + 4 <= bytes.len() {
            if bytes[i] != 0xFF {
                return None;
            }
            let marker = bytes[i + 1];
            if marker == 0xFF {
                i += 1;
                continue;
            }
            let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
            if (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
                let seg = bytes.get(i + 4..i + 9)?;
                let h = u32::from(u16::from_be_bytes([seg[1], seg[2]]));
                let w = u32::from(u16::from_be_bytes([seg[3], seg[4]]));
                return (w > 0 && h > 0).then_some((ImageFormat::Jpeg, w, h));
            }
            if marker == 0xD9 || marker == 0xDA || len < 2 {
                return None;
            }
            i += 2 + len;
        }
        None
    }
}

/// A page of prose: the home page and the introductions of the guide, the regulations and the
/// permit index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub judul: String,
    pub ringkasan: String,
    pub body: String,
    pub source: Source,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Contact {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alamat: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub telepon: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub jam_layanan: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SiteSettings {
    pub nama_situs: String,
    pub instansi: String,
    pub unit: String,
    pub singkatan_unit: String,
    pub deskripsi: String,
    /// Without a trailing slash, e.g. `https://example.go.id`.
    pub url_dasar: String,
    /// Path prefix of the service's pages, e.g. `/layanan`.
    pub layanan: String,
    pub kontak: Contact,
    /// Other names people give the instansi (`nama_lain_instansi`, optional), e.g. "Sumsel":
    /// the form's finder takes them, like the instansi's own words, as words every permit of
    /// the office matches (applicants type the SiCantik keyword "#PROV. SUMSEL").
    pub nama_lain_instansi: Vec<String>,
    /// How long the service keeps what it no longer needs (`retensi`, optional).
    pub retensi: Retention,
}

/// The retention schedule (`retensi` in `situs.yaml`): how long each kind of data is kept
/// before `sicantik retention` (and the daily job of `serve`) erases it. The defaults and
/// their reasons are in `content/README.md`; none is a legal period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Retention {
    /// Refused registrations, days after the refusal.
    pub registrasi_ditolak_hari: u32,
    /// Approved registrations whose password was never set (and that made no application),
    /// days after the approval.
    pub registrasi_tak_selesai_hari: u32,
    /// Drafts never submitted, days after their last change.
    pub draf_hari: u32,
    /// Emailed links (set or reset a password), days after they expired or were used.
    pub tautan_hari: u32,
    /// Sessions, days after they were last used.
    pub sesi_hari: u32,
    /// Sent and failed emails (the outbox's copies), days after they were written.
    pub surel_hari: u32,
    /// Rejected applications and their documents, days after the rejection.
    pub permohonan_ditolak_hari: u32,
    /// Finished applications: years after they finished (the office's archive schedule, JRA).
    pub permohonan_selesai_tahun: u32,
    /// What happens then.
    pub permohonan_selesai_tindakan: FinishedAction,
}

impl Default for Retention {
    fn default() -> Self {
        Retention {
            registrasi_ditolak_hari: 30,
            registrasi_tak_selesai_hari: 30,
            draf_hari: 180,
            tautan_hari: 7,
            sesi_hari: 30,
            surel_hari: 90,
            permohonan_ditolak_hari: 365,
            permohonan_selesai_tahun: 10,
            permohonan_selesai_tindakan: FinishedAction::Serahkan,
        }
    }
}

/// What becomes of a finished application once its archive period is over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FinishedAction {
    /// Listed for handing to the archive; never erased by the service.
    Serahkan,
    /// Erased with its documents.
    Hapus,
}

impl crate::schema::Choice for FinishedAction {
    const WHAT: &'static str = "tindakan untuk permohonan selesai";

    fn all() -> &'static [Self] {
        &[FinishedAction::Serahkan, FinishedAction::Hapus]
    }

    fn word(self) -> &'static str {
        match self {
            FinishedAction::Serahkan => "serahkan",
            FinishedAction::Hapus => "hapus",
        }
    }
}

/// The whole content directory, valid and cross-checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Content {
    pub situs: SiteSettings,
    pub beranda: Page,
    pub panduan: Page,
    pub langkah: Vec<GuideStep>,
    pub peraturan_halaman: Page,
    /// In page order (`urutan`, then id).
    pub peraturan: Vec<Regulation>,
    pub izin_halaman: Page,
    /// Pemberitahuan Privasi (`privasi.md`): what the service collects and why, and the
    /// applicant's rights under UU PDP. Required: the office must tell people before they
    /// register.
    pub privasi: Page,
    /// Sorted by slug.
    pub izin: Vec<Permit>,
    /// National holidays and cuti bersama by year (`hari-libur/`), for working-day deadlines.
    pub hari_libur: crate::holidays::Holidays,
}

impl Content {
    pub fn permit(&self, slug: &str) -> Option<&Permit> {
        self.izin
            .binary_search_by(|p| p.slug.as_str().cmp(slug))
            .ok()
            .map(|i| &self.izin[i])
    }

    pub fn regulation(&self, id: &str) -> Option<&Regulation> {
        self.peraturan.iter().find(|r| r.id == id)
    }
}

/// Slugs and ids: lowercase letters, digits and single dashes; what a URL and an anchor can
/// hold without escaping.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fees_read_the_indonesian_way() {
        assert_eq!(Fee::Rupiah(0).label(), "Gratis");
        assert_eq!(Fee::Rupiah(84_000).label(), "Rp84.000");
        assert_eq!(Fee::Rupiah(1_000_000).label(), "Rp1.000.000");
        assert_eq!(Fee::Text("Retribusi".into()).label(), "Retribusi");
    }

    #[test]
    fn slugs_are_lowercase_words_joined_by_single_dashes() {
        assert!(is_slug("izin-pemasangan-rumpon"));
        assert!(is_slug("pp-24-2018"));
        for bad in [
            "",
            "Izin",
            "izin_rumpon",
            "-izin",
            "izin-",
            "izin--rumpon",
            "izin rumpon",
        ] {
            assert!(!is_slug(bad), "{bad}");
        }
    }

    #[test]
    fn a_requirement_applies_only_to_its_applicant_types_and_kinds() {
        let r = Requirement {
            id: "akta".into(),
            nama: "Akta".into(),
            wajib: true,
            tipe_pemohon: vec![ApplicantType::Perusahaan],
            jenis_permohonan: vec![ApplicationKind::Baru],
            format: vec![DocFormat::Pdf],
            ukuran_maks_mb: 5,
            keterangan: None,
        };
        assert!(r.applies_to(ApplicantType::Perusahaan, ApplicationKind::Baru));
        assert!(!r.applies_to(ApplicantType::Perorangan, ApplicationKind::Baru));
        assert!(!r.applies_to(ApplicantType::Perusahaan, ApplicationKind::Perpanjangan));
    }
}
