//! The search index, built inside the generator with Pagefind's library from the content
//! model itself: no page is parsed back out of its HTML, and no other program runs. Only what a
//! searcher looks for is indexed (each permit with its other names, category, summary,
//! requirements and body; the guide's steps; each regulation), with filters for the category
//! and the applicant type. Indonesian words are stemmed (language `id`).

use std::collections::BTreeMap;

use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;

use crate::error::{Error, Result};
use crate::markdown::plain_text;
use crate::model::{Content, Permit};

/// Where the index and Pagefind's scripts go under the output directory.
pub const DIR: &str = "pagefind";

/// One searchable entry: a page, or a part of one reached by its anchor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub url: String,
    pub title: String,
    /// The words searched and quoted in excerpts; blocks separated by line breaks.
    pub text: String,
    pub filters: BTreeMap<String, Vec<String>>,
}

/// Every record of the site, in a fixed order (the index must come out the same each build).
pub fn records(content: &Content) -> Vec<Record> {
    let mut out = Vec::with_capacity(content.izin.len() + content.langkah.len() + content.peraturan.len() + 1);
    out.extend(content.izin.iter().map(permit));
    out.push(Record {
        url: "/panduan/".into(),
        title: content.panduan.judul.clone(),
        text: join([content.panduan.ringkasan.as_str(), &plain_text(&content.panduan.body)]),
        filters: BTreeMap::new(),
    });
    out.extend(content.langkah.iter().map(|s| Record {
        url: format!("/panduan/#{}", s.id),
        title: format!("Langkah {}: {}", s.nomor, s.judul),
        text: join([s.ringkasan.as_str(), &plain_text(&s.body)]),
        filters: BTreeMap::new(),
    }));
    out.extend(content.peraturan.iter().map(|r| Record {
        url: format!("/peraturan/#{}", r.id),
        title: format!("{} tentang {}", r.label(), r.judul),
        text: join([r.status.label(), &plain_text(&r.body)]),
        filters: BTreeMap::new(),
    }));
    out
}

/// A permit as a searcher meets it: every name first, so a match on a name ranks and quotes
/// well, then what the page says.
pub fn permit(p: &Permit) -> Record {
    let requirements = p
        .persyaratan
        .iter()
        .map(|r| match &r.keterangan {
            Some(k) => format!("{}. {k}", r.nama),
            None => r.nama.clone(),
        })
        .collect::<Vec<_>>()
        .join("\n");
    let other_names = p.nama_lain.join(", ");
    let mut filters = BTreeMap::new();
    filters.insert("kategori".to_string(), vec![p.kategori.clone()]);
    filters.insert(
        "tipe_pemohon".to_string(),
        p.tipe_pemohon.iter().map(|t| t.label().to_string()).collect(),
    );
    Record {
        url: p.path(),
        title: p.nama.clone(),
        text: join([
            p.nama.as_str(),
            &other_names,
            &p.kategori,
            &p.ringkasan,
            &requirements,
            &p.produk,
            &plain_text(&p.body),
        ]),
        filters,
    }
}

/// Blocks joined by line breaks, empty ones left out.
fn join<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    let mut out = String::new();
    for part in parts.into_iter().map(str::trim).filter(|p| !p.is_empty()) {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(part);
    }
    out
}

/// Indexes `records` and returns Pagefind's files (the index, its script and its WebAssembly),
/// each with its path under [`DIR`].
pub fn index(records: Vec<Record>) -> Result<Vec<(String, Vec<u8>)>> {
    // Pagefind's library is async and hands each record to a blocking task. It gets a runtime
    // of its own on a thread of its own: the build may itself run inside a runtime (`serve`
    // builds the site from a blocking task), where starting another would panic.
    std::thread::scope(|scope| {
        scope
            .spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .map_err(|e| Error::Search(format!("cannot start the indexing runtime: {e}")))?;
                runtime.block_on(index_async(records))
            })
            .join()
            .unwrap_or_else(|_| Err(Error::Search("the indexing thread panicked".into())))
    })
}

async fn index_async(records: Vec<Record>) -> Result<Vec<(String, Vec<u8>)>> {
    let config = PagefindServiceConfig::builder()
        .force_language("id".to_string())
        .build();
    let mut index = PagefindIndex::new(Some(config)).map_err(|e| Error::Search(format!("{e:#}")))?;
    for r in records {
        let mut meta = BTreeMap::new();
        meta.insert("title".to_string(), r.title);
        index
            .add_custom_record(r.url.clone(), r.text, "id".into(), Some(meta), Some(r.filters), None)
            .await
            .map_err(|e| Error::Search(format!("{}: {e:#}", r.url)))?;
    }
    let files = index.get_files().await.map_err(|e| Error::Search(format!("{e:#}")))?;
    Ok(files
        .into_iter()
        .filter(|f| !is_unused_ui(&f.filename))
        .map(|f| (format!("{DIR}/{}", f.filename.to_string_lossy()), f.contents))
        .collect())
}

/// Pagefind's ready-made search interfaces: the site's own script (`site.js`) draws the results
/// with the theme's markup through `pagefind.js`, so these would only be bytes to compress and
/// publish.
fn is_unused_ui(name: &std::path::Path) -> bool {
    let name = name.to_string_lossy();
    [
        "pagefind-ui.",
        "pagefind-modular-ui.",
        "pagefind-component-ui.",
        "pagefind-highlight.",
    ]
    .iter()
    .any(|p| name.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_joined_by_line_breaks_without_empty_ones() {
        assert_eq!(join(["Izin A", " ", "", "Kategori\n"]), "Izin A\nKategori");
    }
}
