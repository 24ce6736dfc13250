//! Renders the content model into pages through the theme. Pure: a page's HTML depends only on
//! the content and the theme, so the same input gives byte-identical output, and pages can be
//! rendered in any order, on any core.

use std::collections::BTreeMap;
use std::path::PathBuf;

use minijinja::{Value, context};
use pulldown_cmark::HeadingLevel;
use serde::Serialize;

use crate::error::Problem;
use crate::markdown::{self, SourceLink};
use crate::model::*;
use crate::routes::ServiceRoutes;
use crate::theme::Theme;

/// One page the site has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PageKind {
    Home,
    Guide,
    Regulations,
    PermitIndex,
    /// Pemberitahuan Privasi.
    Privacy,
    /// Index into `Content::izin`.
    Permit(usize),
    Search,
    NotFound,
}

impl PageKind {
    /// Every page of `content`, in a fixed order.
    pub fn all(content: &Content) -> Vec<PageKind> {
        let mut v = vec![
            PageKind::Home,
            PageKind::Guide,
            PageKind::Regulations,
            PageKind::PermitIndex,
            PageKind::Privacy,
        ];
        v.extend((0..content.izin.len()).map(PageKind::Permit));
        v.extend([PageKind::Search, PageKind::NotFound]);
        v
    }

    /// The address users see.
    pub fn url(self, content: &Content) -> String {
        match self {
            PageKind::Home => "/".into(),
            PageKind::Guide => "/panduan/".into(),
            PageKind::Regulations => "/peraturan/".into(),
            PageKind::PermitIndex => "/izin/".into(),
            PageKind::Privacy => "/privasi/".into(),
            PageKind::Permit(i) => content.izin[i].path(),
            PageKind::Search => "/cari/".into(),
            PageKind::NotFound => "/404.html".into(),
        }
    }

    /// The file under the output directory.
    pub fn out_path(self, content: &Content) -> String {
        let url = self.url(content);
        if url.ends_with('/') {
            format!("{}index.html", &url[1..])
        } else {
            url[1..].to_string()
        }
    }

    pub fn template(self) -> &'static str {
        match self {
            PageKind::Home => "beranda.html",
            PageKind::Guide => "panduan.html",
            PageKind::Regulations => "peraturan.html",
            PageKind::PermitIndex => "izin_index.html",
            PageKind::Privacy => "privasi.html",
            PageKind::Permit(_) => "izin.html",
            PageKind::Search => "cari.html",
            PageKind::NotFound => "404.html",
        }
    }

    /// Whether search engines and the sitemap should list it.
    pub fn listed(self) -> bool {
        !matches!(self, PageKind::NotFound | PageKind::Search)
    }
}

/// A rendered page, with the Markdown links it holds for the link checker.
#[derive(Debug)]
pub struct RenderedPage {
    pub kind: PageKind,
    pub url: String,
    pub out_path: String,
    pub html: String,
    /// Links written by editors, with the file they were written in.
    pub source_links: Vec<(PathBuf, SourceLink)>,
}

/// What every page's template receives, the service's pages included.
#[derive(Debug, Clone, Serialize)]
pub struct Common<'a> {
    pub site: &'a SiteSettings,
    pub layanan: ServiceRoutes,
    pub live_reload: bool,
}

#[derive(Serialize)]
struct PageMeta<'a> {
    judul: &'a str,
    deskripsi: &'a str,
    path: &'a str,
    url_kanonik: String,
}

/// Markdown of a page, rendered, with its links and problems recorded.
struct Prose {
    html: String,
    links: Vec<(PathBuf, SourceLink)>,
    problems: Vec<Problem>,
}

fn prose(text: &str, source: &Source, min: HeadingLevel, taken: &[&str]) -> Prose {
    let r = markdown::render(text, &source.path, source.body_line, min, taken);
    Prose {
        html: r.html,
        links: r.links.into_iter().map(|l| (source.path.clone(), l)).collect(),
        problems: r.problems,
    }
}

#[derive(Serialize)]
struct PageText {
    judul: String,
    ringkasan: String,
    isi_html: String,
}

/// The id of a category: its anchor on the permit index.
pub fn category_id(name: &str) -> String {
    markdown::slugify(name)
}

/// Permits grouped by category, categories in alphabetical order, permits by name.
pub fn categories(content: &Content) -> Vec<(String, Vec<usize>)> {
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, p) in content.izin.iter().enumerate() {
        groups.entry(p.kategori.as_str()).or_default().push(i);
    }
    groups
        .into_iter()
        .map(|(k, mut v)| {
            v.sort_by(|a, b| content.izin[*a].nama.cmp(&content.izin[*b].nama));
            (k.to_string(), v)
        })
        .collect()
}

fn kinds_label(kinds: &[ApplicationKind]) -> Vec<&'static str> {
    kinds.iter().map(|k| k.label()).collect()
}

/// "Hanya untuk Perusahaan; permohonan Perpanjangan", or `None` when it applies to all.
fn applies_label(r: &Requirement, p: &Permit) -> Option<String> {
    let mut parts = Vec::new();
    if r.tipe_pemohon.len() < p.tipe_pemohon.len() {
        let who: Vec<&str> = r.tipe_pemohon.iter().map(|t| t.label()).collect();
        parts.push(format!("Hanya untuk pemohon {}", who.join(" dan ")));
    }
    if r.jenis_permohonan.len() < p.jenis_permohonan.len() {
        let kinds = kinds_label(&r.jenis_permohonan);
        let prefix = if parts.is_empty() {
            "Hanya untuk permohonan"
        } else {
            "permohonan"
        };
        parts.push(format!("{prefix} {}", kinds.join(", ")));
    }
    (!parts.is_empty()).then(|| parts.join("; "))
}

fn format_label(formats: &[DocFormat]) -> String {
    formats.iter().map(|f| f.label()).collect::<Vec<_>>().join(", ")
}

/// The permit as its page and the JSON catalogue show it.
pub fn permit_view(content: &Content, p: &Permit) -> Value {
    let dasar: Vec<Value> = p
        .dasar_hukum
        .iter()
        .filter_map(|id| content.regulation(id))
        .map(|r| context! { id => r.id, label => r.label(), judul => r.judul, status_label => r.status.label(), status_terverifikasi => r.status_terverifikasi })
        .collect();
    let persyaratan: Vec<Value> = p
        .persyaratan
        .iter()
        .map(|r| {
            context! {
                id => r.id,
                nama => r.nama,
                wajib => r.wajib,
                berlaku_untuk => applies_label(r, p),
                format_label => format_label(&r.format),
                ukuran_maks_mb => r.ukuran_maks_mb,
                keterangan => r.keterangan,
            }
        })
        .collect();
    context! {
        slug => p.slug,
        nama => p.nama,
        nama_lain => p.nama_lain,
        kategori => p.kategori,
        kategori_id => category_id(&p.kategori),
        ringkasan => p.ringkasan,
        tipe_pemohon => p.tipe_pemohon.iter().map(|t| t.label()).collect::<Vec<_>>(),
        jenis_permohonan => kinds_label(&p.jenis_permohonan),
        lama_proses_hari_kerja => p.lama_proses_hari_kerja,
        biaya_label => p.biaya.label(),
        keterangan_biaya => p.keterangan_biaya,
        produk => p.produk,
        masa_berlaku => p.masa_berlaku,
        dasar_hukum => dasar,
        jumlah_wajib => p.persyaratan.iter().filter(|r| r.wajib).count(),
        persyaratan => persyaratan,
        // Only the standard's name: the editors' `catatan` never reaches a page.
        mengikuti_standar => p.unverified_source().map(|s| s.standar.as_str()),
    }
}

fn steps(content: &Content, with_body: bool) -> (Vec<Value>, Vec<(PathBuf, SourceLink)>, Vec<Problem>) {
    let mut links = Vec::new();
    let mut problems = Vec::new();
    let mut out = Vec::new();
    let ids: Vec<&str> = content.langkah.iter().map(|s| s.id.as_str()).collect();
    for s in &content.langkah {
        let isi = if with_body {
            let p = prose(&s.body, &s.source, HeadingLevel::H3, &ids);
            links.extend(p.links);
            problems.extend(p.problems);
            p.html
        } else {
            String::new()
        };
        let gambar = s.gambar.as_ref().map(|g| {
            context! { url => g.url(), alt => g.alt, lebar => g.width, tinggi => g.height }
        });
        out.push(
            context! { nomor => s.nomor, id => s.id, judul => s.judul, ringkasan => s.ringkasan, isi_html => isi, gambar => gambar },
        );
    }
    (out, links, problems)
}

/// Renders one page. Problems are template errors and Markdown problems in the page's sources.
pub fn render_page(
    theme: &Theme,
    content: &Content,
    common: &Common<'_>,
    kind: PageKind,
) -> Result<RenderedPage, Vec<Problem>> {
    let url = kind.url(content);
    let mut problems = Vec::new();
    let mut links = Vec::new();
    let mut text = |page: &Page, min: HeadingLevel, taken: &[&str]| {
        let p = prose(&page.body, &page.source, min, taken);
        links.extend(p.links);
        problems.extend(p.problems);
        PageText {
            judul: page.judul.clone(),
            ringkasan: page.ringkasan.clone(),
            isi_html: p.html,
        }
    };
    let site = &content.situs;
    let (judul, deskripsi, nav, searchable, extra): (String, String, Option<&str>, bool, Value) = match kind {
        PageKind::Home => {
            let beranda = text(&content.beranda, HeadingLevel::H2, &[]);
            let (langkah, _, _) = steps(content, false);
            let kategori: Vec<Value> = categories(content)
                .into_iter()
                .map(|(nama, v)| context! { id => category_id(&nama), nama => nama, jumlah => v.len() })
                .collect();
            (
                beranda.judul.clone(),
                beranda.ringkasan.clone(),
                Some("beranda"),
                true,
                context! { beranda => beranda, langkah => langkah, jumlah_izin => content.izin.len(), kategori => kategori },
            )
        }
        PageKind::Guide => {
            let panduan = text(&content.panduan, HeadingLevel::H2, &[]);
            let (langkah, l, p) = steps(content, true);
            links.extend(l);
            problems.extend(p);
            (
                panduan.judul.clone(),
                panduan.ringkasan.clone(),
                Some("panduan"),
                true,
                context! { panduan => panduan, langkah => langkah },
            )
        }
        PageKind::Regulations => {
            let ids: Vec<&str> = content.peraturan.iter().map(|r| r.id.as_str()).collect();
            let halaman = text(&content.peraturan_halaman, HeadingLevel::H2, &ids);
            let mut cited: BTreeMap<&str, Vec<&Permit>> = BTreeMap::new();
            for p in &content.izin {
                for id in &p.dasar_hukum {
                    cited.entry(id.as_str()).or_default().push(p);
                }
            }
            let list: Vec<Value> = content
                .peraturan
                .iter()
                .map(|r| {
                    let p = prose(&r.body, &r.source, HeadingLevel::H3, &ids);
                    links.extend(p.links);
                    problems.extend(p.problems);
                    let by = |id: &str| content.regulation(id).map(|o| context! { id => o.id, label => o.label() });
                    let menggantikan: Vec<Value> = content
                        .peraturan
                        .iter()
                        .filter(|o| o.diganti_oleh.as_deref() == Some(r.id.as_str()))
                        .map(|o| context! { id => o.id, label => o.label() })
                        .collect();
                    let mut dirujuk: Vec<&&Permit> = cited.get(r.id.as_str()).map(|v| v.iter().collect()).unwrap_or_default();
                    dirujuk.sort_by(|a, b| a.nama.cmp(&b.nama));
                    context! {
                        id => r.id, jenis => r.jenis, nomor => r.nomor, tahun => r.tahun, judul => r.judul,
                        label => r.label(), status => r.status.as_str(), status_label => r.status.label(),
                        diganti_oleh => r.diganti_oleh.as_deref().and_then(by),
                        menggantikan => menggantikan, tautan => r.tautan, isi_html => p.html,
                        status_terverifikasi => r.status_terverifikasi,
                        dirujuk_oleh => dirujuk.iter().map(|p| context! { slug => p.slug, nama => p.nama }).collect::<Vec<_>>(),
                    }
                })
                .collect();
            (
                halaman.judul.clone(),
                halaman.ringkasan.clone(),
                Some("peraturan"),
                true,
                context! { halaman => halaman, peraturan => list },
            )
        }
        PageKind::PermitIndex => {
            let cats = categories(content);
            let ids: Vec<String> = cats.iter().map(|(n, _)| category_id(n)).collect();
            let taken: Vec<&str> = ids.iter().map(String::as_str).collect();
            let halaman = text(&content.izin_halaman, HeadingLevel::H2, &taken);
            let kategori: Vec<Value> = cats
                .into_iter()
                .map(|(nama, v)| {
                    let izin: Vec<Value> = v
                        .iter()
                        .map(|&i| {
                            let p = &content.izin[i];
                            context! { slug => p.slug, nama => p.nama, nama_lain => p.nama_lain, ringkasan => p.ringkasan,
                            lama_proses_hari_kerja => p.lama_proses_hari_kerja, biaya_label => p.biaya.label() }
                        })
                        .collect();
                    context! { id => category_id(&nama), nama => nama, izin => izin }
                })
                .collect();
            (
                halaman.judul.clone(),
                halaman.ringkasan.clone(),
                Some("izin"),
                true,
                context! { halaman => halaman, kategori => kategori, jumlah_izin => content.izin.len() },
            )
        }
        PageKind::Privacy => {
            let halaman = text(&content.privasi, HeadingLevel::H2, &[]);
            (
                halaman.judul.clone(),
                halaman.ringkasan.clone(),
                None,
                true,
                context! { halaman => halaman },
            )
        }
        PageKind::Permit(i) => {
            let p = &content.izin[i];
            let body = prose(
                &p.body,
                &p.source,
                HeadingLevel::H2,
                &["persyaratan", "dasar-hukum", "cara-mengajukan"],
            );
            links.extend(body.links);
            problems.extend(body.problems);
            let view = permit_view(content, p);
            let izin = context! { isi_html => body.html, ..view };
            (
                p.nama.clone(),
                p.ringkasan.clone(),
                Some("izin"),
                true,
                context! { izin => izin },
            )
        }
        PageKind::Search => {
            // Without JavaScript there is no search: the page then offers the way in by category.
            let kategori: Vec<Value> = categories(content)
                .into_iter()
                .map(|(nama, v)| context! { id => category_id(&nama), nama => nama, jumlah => v.len() })
                .collect();
            (
                "Cari".into(),
                format!("Cari jenis izin, persyaratan dan panduan di {}.", site.nama_situs),
                Some("cari"),
                false,
                context! { halaman => context! { judul => "Cari" }, kategori => kategori, jumlah_izin => content.izin.len() },
            )
        }
        PageKind::NotFound => (
            "Halaman tidak ditemukan".into(),
            "Halaman yang Anda cari tidak ditemukan.".into(),
            None,
            false,
            context! { halaman => context! { judul => "Halaman tidak ditemukan" } },
        ),
    };
    let page = PageMeta {
        judul: &judul,
        deskripsi: &deskripsi,
        path: &url,
        url_kanonik: format!("{}{}", site.url_dasar, url),
    };
    let ctx = context! {
        site => common.site,
        layanan => common.layanan,
        live_reload => common.live_reload,
        page => page,
        nav_aktif => nav,
        searchable => searchable,
        ..extra
    };
    match theme.render(kind.template(), ctx) {
        Ok(html) if problems.is_empty() => Ok(RenderedPage {
            kind,
            out_path: kind.out_path(content),
            url,
            html,
            source_links: links,
        }),
        Ok(_) => Err(problems),
        Err(p) => {
            problems.push(p);
            Err(problems)
        }
    }
}

/// `sitemap.xml`: every listed page, absolute, in a fixed order.
pub fn sitemap(content: &Content) -> String {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for kind in PageKind::all(content).into_iter().filter(|k| k.listed()) {
        let loc = format!("{}{}", content.situs.url_dasar, kind.url(content));
        out.push_str(&format!("  <url><loc>{}</loc></url>\n", xml_escape(&loc)));
    }
    out.push_str("</urlset>\n");
    out
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `robots.txt`: the site is public; the service's pages are not for search engines.
pub fn robots(content: &Content) -> String {
    format!(
        "User-agent: *\nAllow: /\nDisallow: {}/\n\nSitemap: {}/sitemap.xml\n",
        content.situs.layanan, content.situs.url_dasar
    )
}

#[derive(Serialize)]
struct CatalogRequirement<'a> {
    id: &'a str,
    nama: &'a str,
    wajib: bool,
    tipe_pemohon: &'a [ApplicantType],
    jenis_permohonan: &'a [ApplicationKind],
    format: &'a [DocFormat],
    ukuran_maks_mb: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    keterangan: &'a Option<String>,
}

#[derive(Serialize)]
struct CatalogPermit<'a> {
    slug: &'a str,
    url: String,
    nama: &'a str,
    nama_lain: &'a [String],
    kategori: &'a str,
    ringkasan: &'a str,
    tipe_pemohon: &'a [ApplicantType],
    jenis_permohonan: &'a [ApplicationKind],
    lama_proses_hari_kerja: u32,
    biaya: &'a Fee,
    biaya_label: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    keterangan_biaya: &'a Option<String>,
    produk: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    masa_berlaku: &'a Option<String>,
    dasar_hukum: &'a [String],
    persyaratan: Vec<CatalogRequirement<'a>>,
}

#[derive(Serialize)]
struct CatalogHead<'a> {
    versi: u32,
    instansi: &'a str,
    unit: &'a str,
}

/// `katalog.json`: the permit catalogue for scripts, with every requirement.
pub fn catalog_json(content: &Content) -> String {
    let entries: Vec<String> = content.izin.iter().map(|p| catalog_entry(content, p)).collect();
    catalog_from_entries(content, entries.iter().map(String::as_str))
}

/// One permit of `katalog.json`, serialised on its own so watch mode can keep the others.
pub fn catalog_entry(content: &Content, p: &Permit) -> String {
    let entry = CatalogPermit {
        slug: &p.slug,
        url: format!("{}{}", content.situs.url_dasar, p.path()),
        nama: &p.nama,
        nama_lain: &p.nama_lain,
        kategori: &p.kategori,
        ringkasan: &p.ringkasan,
        tipe_pemohon: &p.tipe_pemohon,
        jenis_permohonan: &p.jenis_permohonan,
        lama_proses_hari_kerja: p.lama_proses_hari_kerja,
        biaya: &p.biaya,
        biaya_label: p.biaya.label(),
        keterangan_biaya: &p.keterangan_biaya,
        produk: &p.produk,
        masa_berlaku: &p.masa_berlaku,
        dasar_hukum: &p.dasar_hukum,
        persyaratan: p
            .persyaratan
            .iter()
            .map(|r| CatalogRequirement {
                id: &r.id,
                nama: &r.nama,
                wajib: r.wajib,
                tipe_pemohon: &r.tipe_pemohon,
                jenis_permohonan: &r.jenis_permohonan,
                format: &r.format,
                ukuran_maks_mb: r.ukuran_maks_mb,
                keterangan: &r.keterangan,
            })
            .collect(),
    };
    serde_json::to_string(&entry).unwrap_or_else(|_| "{}".into())
}

/// `katalog.json` from its permits' entries, in the order given (content order: by slug).
pub fn catalog_from_entries<'a>(content: &Content, entries: impl Iterator<Item = &'a str>) -> String {
    let head = CatalogHead {
        versi: 1,
        instansi: &content.situs.instansi,
        unit: &content.situs.unit,
    };
    let mut s = serde_json::to_string(&head).unwrap_or_else(|_| "{}".into());
    s.pop();
    s.push_str(",\"izin\":[\n");
    for (i, e) in entries.enumerate() {
        if i > 0 {
            s.push_str(",\n");
        }
        s.push_str(e);
    }
    s.push_str("\n]}\n");
    s
}
