//! Checks every internal link and `#anchor` of the built site, whatever form it is written in
//! (`/izin/a/`, `../a/`, `a/index.html`, `#persyaratan`). Links written by editors are reported
//! at their line in the Markdown file; links from templates at the template.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use crate::error::Problem;
use crate::markdown::SourceLink;

/// What the checker knows of one built HTML page.
#[derive(Debug, Default, Clone)]
pub struct PageLinks {
    /// The address of the page, e.g. `/izin/a/`.
    pub url: String,
    /// The template that rendered it, for links that come from the theme.
    pub template: PathBuf,
    pub ids: HashSet<String>,
    /// Every `href`, `src` and `action` in the page.
    pub targets: Vec<String>,
    pub source_links: Vec<(PathBuf, SourceLink)>,
}

fn decode(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&#x2f;", "/")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// Reads the ids and link targets out of HTML the theme and Markdown produced (double-quoted
/// attributes, which both always write). One pass over the page: it runs for every page of
/// every build.
pub fn scan(html: &str) -> (HashSet<String>, Vec<String>) {
    let mut ids = HashSet::new();
    let mut targets = Vec::new();
    let bytes = html.as_bytes();
    let mut from = 0;
    while let Some(i) = html[from..].find("=\"") {
        let eq = from + i;
        let start = eq + 2;
        let Some(len) = html[start..].find('"') else { break };
        from = start + len + 1;
        let name_start = bytes[..eq]
            .iter()
            .rposition(|b| !b.is_ascii_alphabetic())
            .map_or(0, |p| p + 1);
        if name_start == 0 || !bytes[name_start - 1].is_ascii_whitespace() {
            continue;
        }
        match &html[name_start..eq] {
            "id" => {
                ids.insert(decode(&html[start..start + len]));
            }
            "href" | "src" | "action" => targets.push(decode(&html[start..start + len])),
            _ => {}
        }
    }
    (ids, targets)
}

/// Where a link goes, once resolved against the page it stands on.
#[derive(Debug, PartialEq, Eq)]
enum Target {
    /// Outside the site, or not a page (mailto:, tel:).
    External,
    /// A path on this site (always starting with `/`) and an optional fragment.
    Internal {
        path: String,
        fragment: Option<String>,
    },
    Invalid(String),
}

fn resolve(base: &str, dest: &str) -> Target {
    let lower = dest.to_ascii_lowercase();
    if lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("//")
        || lower.starts_with("mailto:")
        || lower.starts_with("tel:")
    {
        return Target::External;
    }
    if let Some(colon) = dest.find(':')
        && !dest[..colon].contains(['/', '#', '?'])
    {
        return Target::Invalid(format!("jenis tautan \"{}:\" tidak didukung", &dest[..colon]));
    }
    let (rest, fragment) = match dest.split_once('#') {
        Some((r, f)) => (r, Some(f.to_string())),
        None => (dest, None),
    };
    let rest = rest.split('?').next().unwrap_or("");
    let joined = if rest.is_empty() {
        base.to_string()
    } else if rest.starts_with('/') {
        rest.to_string()
    } else {
        let dir = &base[..base.rfind('/').map_or(0, |i| i + 1)];
        format!("{dir}{rest}")
    };
    let mut parts: Vec<&str> = Vec::new();
    for seg in joined.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.pop().is_none() {
                    return Target::Invalid("tautan naik melewati akar situs (terlalu banyak \"../\")".into());
                }
            }
            s => parts.push(s),
        }
    }
    let mut path = format!("/{}", parts.join("/"));
    if (joined.ends_with('/') || joined.ends_with("/.") || joined.ends_with("/..")) && path != "/" {
        path.push('/');
    }
    Target::Internal { path, fragment }
}

/// What the link checker asks of the built site.
pub trait SiteIndex {
    /// `None` when the site has no file at `rel` (e.g. `izin/a/index.html`); otherwise the ids
    /// of that page, or `None` inside for a file that is not a page.
    fn lookup(&self, rel: &str) -> Option<Option<&HashSet<String>>>;
}

/// A site index from lists of files and page ids.
#[derive(Default)]
pub struct Index<'a> {
    pub files: HashSet<&'a str>,
    pub ids: HashMap<&'a str, &'a HashSet<String>>,
}

impl SiteIndex for Index<'_> {
    fn lookup(&self, rel: &str) -> Option<Option<&HashSet<String>>> {
        self.files.contains(rel).then(|| self.ids.get(rel).copied())
    }
}

/// The file serving `path`, if the site has one: `/izin/a/`, `/izin/a` and
/// `/izin/a/index.html` all name `izin/a/index.html`.
fn file_for<'s>(path: &str, site: &'s dyn SiteIndex) -> Option<Option<&'s HashSet<String>>> {
    let rel = path.trim_start_matches('/');
    if rel.is_empty() {
        site.lookup("index.html")
    } else if rel.ends_with('/') {
        site.lookup(&format!("{rel}index.html"))
    } else {
        site.lookup(rel).or_else(|| site.lookup(&format!("{rel}/index.html")))
    }
}

/// Checks one page's links against `site`; `service` holds the service's addresses the site may
/// link to.
pub fn check_page(page: &PageLinks, site: &dyn SiteIndex, service_prefix: &str, service: &[&str]) -> Vec<Problem> {
    let mut problems = Vec::new();
    let check_one = |base: &str, dest: &str| -> Option<String> {
        match resolve(base, dest) {
            Target::External => None,
            Target::Invalid(msg) => Some(msg),
            Target::Internal { path, fragment } => {
                if path == service_prefix || path.strip_prefix(service_prefix).is_some_and(|r| r.starts_with('/')) {
                    return (!service.contains(&path.as_str())).then(|| {
                        format!(
                            "\"{dest}\" bukan halaman layanan yang dikenal (yang ada: {})",
                            service.join(", ")
                        )
                    });
                }
                let Some(ids) = file_for(&path, site) else {
                    return Some(format!("tautan \"{dest}\" menuju halaman yang tidak ada ({path})"));
                };
                match (fragment, ids) {
                    (Some(f), Some(ids)) if !f.is_empty() && !ids.contains(&f) => {
                        Some(format!("tautan \"{dest}\": halaman {path} tidak memiliki bagian #{f}"))
                    }
                    _ => None,
                }
            }
        }
    };
    let mut from_source = HashSet::new();
    for (file, link) in &page.source_links {
        from_source.insert(link.dest.as_str());
        if let Some(msg) = check_one(&page.url, &link.dest) {
            problems.push(Problem::new(file, link.line, link.column, msg));
        }
    }
    for dest in &page.targets {
        if from_source.contains(dest.as_str()) {
            continue;
        }
        if let Some(msg) = check_one(&page.url, dest) {
            problems.push(Problem::new(
                &page.template,
                1,
                1,
                format!("{msg} (di halaman {})", page.url),
            ));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_resolve_in_every_form_they_are_written() {
        let internal = |p: &str, f: Option<&str>| Target::Internal {
            path: p.into(),
            fragment: f.map(String::from),
        };
        assert_eq!(
            resolve("/izin/a/", "/peraturan/#pp-24-2018"),
            internal("/peraturan/", Some("pp-24-2018"))
        );
        assert_eq!(resolve("/izin/a/", "../b/"), internal("/izin/b/", None));
        assert_eq!(
            resolve("/izin/a/", "../../panduan/#daftar"),
            internal("/panduan/", Some("daftar"))
        );
        assert_eq!(
            resolve("/izin/a/", "#persyaratan"),
            internal("/izin/a/", Some("persyaratan"))
        );
        assert_eq!(resolve("/", "izin/a/index.html"), internal("/izin/a/index.html", None));
        assert_eq!(resolve("/404.html", "izin/"), internal("/izin/", None));
        assert_eq!(resolve("/", "https://jdih.go.id/x"), Target::External);
        assert!(matches!(resolve("/izin/a/", "../../../x"), Target::Invalid(_)));
        assert!(matches!(resolve("/", "javascript:alert(1)"), Target::Invalid(_)));
    }

    #[test]
    fn ids_and_targets_are_read_from_html() {
        let (ids, targets) =
            scan(r#"<h2 id="persyaratan">P</h2><a href="&#x2f;izin&#x2f;">x</a><img src="/a.png" alt="a">"#);
        assert!(ids.contains("persyaratan"));
        assert_eq!(targets, vec!["/izin/".to_string(), "/a.png".to_string()]);
    }

    #[test]
    fn a_missing_page_or_anchor_is_reported_at_the_markdown_line() {
        let reg_ids = HashSet::from(["pp-24-2018".to_string()]);
        let mut site = Index {
            files: ["index.html", "izin/a/index.html", "peraturan/index.html"].into(),
            ..Default::default()
        };
        site.ids.insert("peraturan/index.html", &reg_ids);
        let page = PageLinks {
            url: "/izin/a/".into(),
            source_links: vec![
                (
                    "content/izin/a.md".into(),
                    SourceLink {
                        dest: "/peraturan/#pp-24-2018".into(),
                        line: 20,
                        column: 3,
                    },
                ),
                (
                    "content/izin/a.md".into(),
                    SourceLink {
                        dest: "/peraturan/#pp-5-2021".into(),
                        line: 21,
                        column: 3,
                    },
                ),
                (
                    "content/izin/a.md".into(),
                    SourceLink {
                        dest: "../b/".into(),
                        line: 22,
                        column: 5,
                    },
                ),
                (
                    "content/izin/a.md".into(),
                    SourceLink {
                        dest: "/izin/a".into(),
                        line: 23,
                        column: 1,
                    },
                ),
            ],
            ..Default::default()
        };
        let problems = check_page(&page, &site, "/layanan", &["/layanan/registrasi"]);
        let lines: Vec<usize> = problems.iter().map(|p| p.line).collect();
        assert_eq!(lines, vec![21, 22]);
        assert!(problems[0].message.contains("#pp-5-2021"));
        assert!(problems[1].message.contains("/izin/b/"));
    }

    #[test]
    fn service_links_must_name_a_known_service_page() {
        let page = PageLinks {
            url: "/".into(),
            targets: vec!["/layanan/registrasi".into(), "/layanan/daftar".into()],
            template: "t.html".into(),
            ..Default::default()
        };
        let problems = check_page(&page, &Index::default(), "/layanan", &["/layanan/registrasi"]);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("/layanan/daftar"));
    }
}
