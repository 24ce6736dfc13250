//! A full build: load and check the content and the theme, render every page in parallel,
//! check every link, index for search, and only then replace the output directory. A build
//! with problems writes nothing where the public can see it.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rayon::prelude::*;

use crate::error::{Error, Problem, Problems, Result};
use crate::links::{self, PageLinks};
use crate::model::Content;
use crate::render::{self, Common, PageKind};
use crate::routes::ServiceRoutes;
use crate::theme::Theme;

/// Whether the build makes a search index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Search {
    /// Index the content for the search page, in process (see [`crate::search`]).
    Index,
    /// Build without a search index (the search page then says search is not available).
    Skip,
}

#[derive(Debug, Clone)]
pub struct Options {
    pub content_dir: PathBuf,
    pub theme_dir: PathBuf,
    pub out_dir: PathBuf,
    pub search: Search,
    /// Replaces `url_dasar` of `situs.yaml` (from `SICANTIK_BASE_URL`).
    pub base_url: Option<String>,
    /// A build for `watch`: pages carry the live-reload script, and get no pre-compressed copies
    /// (single pages are rewritten as editors save, and a stale `.gz` would be served).
    pub live_reload: bool,
}

#[derive(Debug, Clone)]
pub struct Report {
    pub pages: usize,
    pub permits: usize,
    pub files: usize,
    pub searchable: bool,
    pub elapsed: Duration,
    /// `check` only: what editors still have to verify (`editorial::unverified`), notes that
    /// never fail a check.
    pub notes: Vec<Problem>,
    /// What editors should know but that does not stop publishing (a year without its
    /// holiday list), one line each, in Indonesian.
    pub warnings: Vec<String>,
}

/// The content and the theme, loaded and checked together so one report holds the problems of
/// both.
pub fn load_all(opts: &Options) -> Result<(Content, Theme)> {
    let (content, theme) = rayon::join(|| crate::load(&opts.content_dir), || Theme::load(&opts.theme_dir));
    let mut problems = Vec::new();
    let content = match content {
        Ok(mut c) => {
            if let Some(url) = &opts.base_url {
                c.situs.url_dasar = url.trim_end_matches('/').to_string();
            }
            Some(c)
        }
        Err(Error::Content(p)) => {
            problems.extend(p.0);
            None
        }
        Err(e) => return Err(e),
    };
    let theme = theme.map_err(|p| problems.extend(p)).ok();
    match (content, theme) {
        (Some(c), Some(t)) if problems.is_empty() => Ok((c, t)),
        _ => Err(Error::Content(Problems::sorted(problems))),
    }
}

/// One page as the link checker and watch mode remember it after it is written.
#[derive(Debug, Clone)]
pub struct PageRecord {
    pub kind: PageKind,
    pub out_path: String,
    pub links: PageLinks,
}

/// What to do with each page's HTML once its links are read.
#[derive(Debug, Clone, Copy)]
pub enum Sink<'a> {
    /// Write it under this directory and drop it, so no more than a page per core is held in
    /// memory.
    Write(&'a Path),
    /// Return it beside its record.
    Keep,
    /// Drop it (checking only).
    Discard,
}

/// Renders `kinds` in parallel.
pub fn render_pages(
    theme: &Theme,
    content: &Content,
    common: &Common<'_>,
    kinds: &[PageKind],
    sink: Sink<'_>,
) -> Result<Vec<(PageRecord, String)>, Vec<Problem>> {
    let results: Vec<Result<(PageRecord, String), Vec<Problem>>> = kinds
        .par_iter()
        .map(|&kind| {
            let page = render::render_page(theme, content, common, kind)?;
            let (ids, targets) = links::scan(&page.html);
            let html = match sink {
                Sink::Write(dir) => {
                    let path = dir.join(&page.out_path);
                    write_file(&path, page.html.as_bytes())
                        .map_err(|e| vec![Problem::new(&path, 1, 1, format!("tidak dapat menulis berkas: {e}"))])?;
                    String::new()
                }
                Sink::Keep => page.html,
                Sink::Discard => String::new(),
            };
            let record = PageRecord {
                kind,
                out_path: page.out_path,
                links: PageLinks {
                    url: page.url,
                    template: theme.dir.join("templates").join(kind.template()),
                    ids,
                    targets,
                    source_links: page.source_links,
                },
            };
            Ok((record, html))
        })
        .collect();
    let mut problems = Vec::new();
    let mut records = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(rec) => records.push(rec),
            Err(p) => problems.extend(p),
        }
    }
    if problems.is_empty() {
        Ok(records)
    } else {
        Err(problems)
    }
}

/// Files besides the pages: data files, the guide's pictures and the theme's fingerprinted
/// assets.
pub fn extra_files(content: &Content, theme: &Theme) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![
        ("sitemap.xml".to_string(), render::sitemap(content).into_bytes()),
        ("robots.txt".to_string(), render::robots(content).into_bytes()),
        ("katalog.json".to_string(), render::catalog_json(content).into_bytes()),
    ];
    // The guide's screenshots, under their content hash as the theme's assets are.
    files.extend(
        content
            .langkah
            .iter()
            .filter_map(|s| s.gambar.as_ref())
            .map(|g| (g.out_path(), g.bytes.as_ref().clone())),
    );
    files.extend(
        theme
            .assets()
            .map(|a| (a.out_path().to_string(), a.bytes.as_ref().clone())),
    );
    // Browsers ask for `/favicon.ico` on every site whatever the pages say: it is served there,
    // under its own name, besides its fingerprinted copy.
    if let Some(icon) = theme.asset(FAVICON) {
        files.push((FAVICON.to_string(), icon.bytes.as_ref().clone()));
    }
    files
}

/// The theme's icon, which the site and the service both serve at `/favicon.ico`.
pub const FAVICON: &str = "favicon.ico";

/// Checks the links of every page in `records` against the whole site (the pages and `extra`).
/// With `live_reload`, the watch server's script counts as part of the site.
pub fn check_links(
    content: &Content,
    records: &[PageRecord],
    extra: &[(String, Vec<u8>)],
    live_reload: bool,
) -> Vec<Problem> {
    let mut index = links::Index::default();
    index.files.extend(records.iter().map(|r| r.out_path.as_str()));
    index.files.extend(extra.iter().map(|(p, _)| p.as_str()));
    if live_reload {
        index
            .files
            .insert(crate::watch::LIVE_RELOAD_SCRIPT.trim_start_matches('/'));
    }
    index
        .ids
        .extend(records.iter().map(|r| (r.out_path.as_str(), &r.links.ids)));
    let pages: Vec<&PageLinks> = records.iter().map(|r| &r.links).collect();
    check_pages(content, &pages, &index)
}

/// Checks the links of `pages`, in parallel, against `site`.
pub fn check_pages(content: &Content, pages: &[&PageLinks], site: &(dyn links::SiteIndex + Sync)) -> Vec<Problem> {
    let routes = ServiceRoutes::new(&content.situs.layanan);
    let service = routes.all();
    pages
        .par_iter()
        .flat_map_iter(|page| links::check_page(page, site, &content.situs.layanan, &service))
        .collect()
}

pub fn write_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(path, bytes)
}

/// With `SICANTIK_TIMINGS` set, prints how long a stage of the build took (for benchmarks).
pub(crate) fn stage(name: &str, since: Instant) {
    if std::env::var_os("SICANTIK_TIMINGS").is_some() {
        eprintln!("  {name}: {} ms", since.elapsed().as_millis());
    }
}

fn sibling(out: &Path, tag: &str) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    out.with_file_name(format!(".{name}.{tag}-{}", std::process::id()))
}

/// Validates everything and renders every page in memory, writing nothing.
pub fn check(opts: &Options) -> Result<Report> {
    let started = Instant::now();
    let (content, theme) = load_all(opts)?;
    let common = Common {
        site: &content.situs,
        layanan: ServiceRoutes::new(&content.situs.layanan),
        live_reload: false,
    };
    let kinds = PageKind::all(&content);
    let records = render_pages(&theme, &content, &common, &kinds, Sink::Discard)
        .map_err(|p| Error::Content(Problems::sorted(p)))?;
    let extra = extra_files(&content, &theme);
    let records: Vec<PageRecord> = records.into_iter().map(|(r, _)| r).collect();
    let problems = check_links(&content, &records, &extra, false);
    if !problems.is_empty() {
        return Err(Error::Content(Problems::sorted(problems)));
    }
    Ok(Report {
        pages: records.len(),
        permits: content.izin.len(),
        files: records.len() + extra.len(),
        searchable: false,
        elapsed: started.elapsed(),
        notes: crate::editorial::unverified(&content, &opts.content_dir),
        warnings: content.hari_libur.warnings(crate::holidays::current_year_wib()),
    })
}

/// A finished build, with what watch mode needs to rebuild parts of it.
pub struct Built {
    pub report: Report,
    pub content: Content,
    pub theme: Theme,
    pub records: Vec<PageRecord>,
}

/// Builds the site into a directory beside `out_dir`, then swaps it in.
pub fn build(opts: &Options) -> Result<Report> {
    build_full(opts).map(|b| b.report)
}

/// As `build`, keeping the model and the page records.
pub fn build_full(opts: &Options) -> Result<Built> {
    let started = Instant::now();
    let (content, theme) = load_all(opts)?;
    stage("load and check content", started);
    let staging = sibling(&opts.out_dir, "building");
    if staging.exists() {
        std::fs::remove_dir_all(&staging).map_err(Error::io("remove", &staging))?;
    }
    std::fs::create_dir_all(&staging).map_err(Error::io("create", &staging))?;
    let result = build_into(opts, &content, &theme, &staging);
    let (report, records) = match result {
        Ok(r) => r,
        Err(e) => {
            // Nothing was published; don't leave the half-built copy behind either.
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    let swapping = Instant::now();
    swap(&staging, &opts.out_dir)?;
    stage("swap into place", swapping);
    Ok(Built {
        report: Report {
            elapsed: started.elapsed(),
            ..report
        },
        content,
        theme,
        records,
    })
}

fn build_into(opts: &Options, content: &Content, theme: &Theme, dir: &Path) -> Result<(Report, Vec<PageRecord>)> {
    let common = Common {
        site: &content.situs,
        layanan: ServiceRoutes::new(&content.situs.layanan),
        live_reload: opts.live_reload,
    };
    let kinds = PageKind::all(content);
    // The index is made from the content model, not from the pages, so it is built while the
    // pages are rendered and written.
    let (records, search) = rayon::join(
        || {
            let t = Instant::now();
            let records = render_pages(theme, content, &common, &kinds, Sink::Write(dir));
            stage("render and write pages", t);
            records
        },
        || {
            (opts.search == Search::Index).then(|| {
                let t = Instant::now();
                let files = crate::search::index(crate::search::records(content));
                stage("search index", t);
                files
            })
        },
    );
    let records: Vec<PageRecord> = records
        .map_err(|p| Error::Content(Problems::sorted(p)))?
        .into_iter()
        .map(|(r, _)| r)
        .collect();
    let t = Instant::now();
    let extra = extra_files(content, theme);
    stage("sitemap, catalogue, assets", t);
    let t = Instant::now();
    let problems = check_links(content, &records, &extra, opts.live_reload);
    stage("check links", t);
    if !problems.is_empty() {
        return Err(Error::Content(Problems::sorted(problems)));
    }
    let search = search.transpose()?.unwrap_or_default();
    let searchable = !search.is_empty();
    for (path, bytes) in extra.iter().chain(&search) {
        let p = dir.join(path);
        write_file(&p, bytes).map_err(Error::io("write", p))?;
    }
    if !opts.live_reload {
        let t = Instant::now();
        crate::precompress::precompress(dir).map_err(Error::io("compress the files in", dir))?;
        stage("pre-compress (gzip, brotli)", t);
    }
    let report = Report {
        pages: records.len(),
        permits: content.izin.len(),
        files: records.len() + extra.len(),
        searchable,
        elapsed: Duration::ZERO,
        notes: Vec::new(),
        warnings: content.hari_libur.warnings(crate::holidays::current_year_wib()),
    };
    Ok((report, records))
}

/// Puts `staging` in the place of `out`. The old site stays in place until the new one is
/// complete; the two renames leave `out` missing only between them.
fn swap(staging: &Path, out: &Path) -> Result<()> {
    let old = sibling(out, "old");
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(Error::io("remove", &old))?;
    }
    let had_old = out.exists();
    if had_old {
        std::fs::rename(out, &old).map_err(Error::io("move aside", out))?;
    }
    if let Err(e) = std::fs::rename(staging, out) {
        if had_old {
            let _ = std::fs::rename(&old, out);
        }
        return Err(Error::Io {
            action: "move into place",
            path: out.to_path_buf(),
            source: e,
        });
    }
    if had_old {
        std::fs::remove_dir_all(&old).map_err(Error::io("remove", &old))?;
    }
    Ok(())
}
