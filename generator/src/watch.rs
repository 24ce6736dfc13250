//! `sicantik watch`: rebuild on every save and serve the site with live reload, so an editor
//! sees a change within a second. A changed permit re-renders its page and the pages that list
//! it; anything else rebuilds the whole site. Problems are shown in the terminal and on top of
//! the page in the browser, and the last good pages stay served.

use std::collections::{HashMap, HashSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use axum::response::IntoResponse;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use axum::serve::ListenerExt;
use tokio::sync::broadcast;
use tokio_stream::StreamExt;
use tokio_stream::wrappers::BroadcastStream;

use crate::build::{self, Built, Options, PageRecord, Search};
use crate::error::{Error, Problem, Problems, Result};
use crate::load::{self, Item, Kind};
use crate::model::Content;
use crate::render::{self, Common, PageKind};
use crate::routes::ServiceRoutes;
use crate::site_files::site_router;
use crate::theme::Theme;

/// What a rebuild did.
#[derive(Debug)]
pub enum Outcome {
    /// Only these pages were rendered again.
    Partial { pages: usize, elapsed: Duration },
    /// The whole site was rebuilt.
    Full { pages: usize, elapsed: Duration },
    /// The change has problems; the site as it was stays served.
    Problems(Problems),
}

/// The built site and what it was built from, kept between saves.
pub struct Session {
    opts: Options,
    state: Option<State>,
}

struct State {
    content: Content,
    theme: Theme,
    /// By output path.
    records: HashMap<String, PageRecord>,
    /// `katalog.json` entries by slug: a save re-serialises only its own permit.
    catalog: std::collections::BTreeMap<String, String>,
    /// `sitemap.xml`, rebuilt only when permits come or go.
    sitemap: String,
}

impl From<Built> for State {
    fn from(b: Built) -> Self {
        let catalog = b
            .content
            .izin
            .iter()
            .map(|p| (p.slug.clone(), render::catalog_entry(&b.content, p)))
            .collect();
        let sitemap = render::sitemap(&b.content);
        State {
            content: b.content,
            theme: b.theme,
            records: b.records.into_iter().map(|r| (r.out_path.clone(), r)).collect(),
            catalog,
            sitemap,
        }
    }
}

impl Session {
    /// Builds the whole site once. A first build with problems still gives a session: the next
    /// save tries again.
    pub fn start(opts: Options) -> (Session, Outcome) {
        let mut s = Session {
            opts: Options {
                search: Search::Skip,
                live_reload: true,
                ..opts
            },
            state: None,
        };
        let outcome = s.full();
        (s, outcome)
    }

    fn full(&mut self) -> Outcome {
        let started = Instant::now();
        match build::build_full(&self.opts) {
            Ok(b) => {
                let pages = b.records.len();
                self.state = Some(b.into());
                Outcome::Full {
                    pages,
                    elapsed: started.elapsed(),
                }
            }
            Err(Error::Content(p)) => Outcome::Problems(p),
            Err(e) => Outcome::Problems(Problems(vec![Problem::new(&self.opts.out_dir, 1, 1, format!("{e:#}"))])),
        }
    }

    /// Rebuilds after `changed` (paths as the watcher reports them).
    pub fn apply(&mut self, changed: &[PathBuf]) -> Outcome {
        let content_dir = self
            .opts
            .content_dir
            .canonicalize()
            .unwrap_or_else(|_| self.opts.content_dir.clone());
        let mut permits = Vec::new();
        for path in changed {
            let abs = path.canonicalize().unwrap_or_else(|_| path.clone());
            let rel = abs
                .strip_prefix(&content_dir)
                .or_else(|_| path.strip_prefix(&self.opts.content_dir))
                .ok();
            match rel.map(load::classify) {
                Some(Ok(Kind::Permit { slug })) => {
                    permits.push((slug, self.opts.content_dir.join(rel.unwrap_or(path))))
                }
                Some(Ok(Kind::Ignored)) => {}
                // A template, a regulation, the guide, a new folder: rebuild everything.
                _ => return self.full(),
            }
        }
        if permits.is_empty() {
            return Outcome::Partial {
                pages: 0,
                elapsed: Duration::ZERO,
            };
        }
        if self.state.is_none() {
            return self.full();
        }
        self.permits_changed(permits)
    }

    fn permits_changed(&mut self, permits: Vec<(String, PathBuf)>) -> Outcome {
        let started = Instant::now();
        let Some(state) = self.state.as_mut() else {
            return self.full();
        };
        // Parse first; the model is changed only once every changed file is valid, so the
        // last good site stays whole and nothing needs undoing.
        let mut problems = Vec::new();
        let mut parsed = Vec::new();
        for (slug, path) in &permits {
            match std::fs::read_to_string(path) {
                Ok(text) => match load::parse_file(path, &Kind::Permit { slug: slug.clone() }, &text) {
                    Ok(Item::Permit(p)) => parsed.push((slug, Some(Box::new(p)))),
                    Ok(_) => {}
                    Err(p) => problems.extend(p),
                },
                Err(_) if !path.exists() => parsed.push((slug, None)),
                Err(e) => problems.push(Problem::new(path, 1, 1, format!("berkas tidak dapat dibaca: {e}"))),
            }
        }
        if !problems.is_empty() {
            return Outcome::Problems(Problems::sorted(problems));
        }
        let content = &mut state.content;
        let mut undo: Vec<(String, Option<crate::model::Permit>)> = Vec::new();
        let mut removed = Vec::new();
        for (slug, permit) in parsed {
            let pos = content.izin.binary_search_by(|p| p.slug.as_str().cmp(slug));
            match (permit, pos) {
                (Some(p), Ok(i)) => undo.push((slug.clone(), Some(std::mem::replace(&mut content.izin[i], *p)))),
                (Some(p), Err(i)) => {
                    content.izin.insert(i, *p);
                    undo.push((slug.clone(), None));
                }
                (None, Ok(i)) => {
                    undo.push((slug.clone(), Some(content.izin.remove(i))));
                    removed.push(format!("izin/{slug}/index.html"));
                }
                (None, Err(_)) => {}
            }
        }
        let restore = |content: &mut Content, undo: Vec<(String, Option<crate::model::Permit>)>| {
            for (slug, old) in undo.into_iter().rev() {
                let pos = content.izin.binary_search_by(|p| p.slug.as_str().cmp(&slug));
                match (old, pos) {
                    (Some(old), Ok(i)) => content.izin[i] = old,
                    (Some(old), Err(i)) => content.izin.insert(i, old),
                    (None, Ok(i)) => {
                        content.izin.remove(i);
                    }
                    (None, Err(_)) => {}
                }
            }
        };
        let problems = load::cross_check(content, &HashSet::new());
        if !problems.is_empty() {
            restore(content, undo);
            return Outcome::Problems(Problems::sorted(problems));
        }
        let mut kinds = vec![PageKind::Home, PageKind::Regulations, PageKind::PermitIndex];
        for (slug, _) in &permits {
            if let Ok(i) = content.izin.binary_search_by(|p| p.slug.as_str().cmp(slug)) {
                kinds.push(PageKind::Permit(i));
            }
        }
        let common = Common {
            site: &content.situs,
            layanan: ServiceRoutes::new(&content.situs.layanan),
            live_reload: true,
        };
        build::stage("partial: parse and cross-check", started);
        let t = Instant::now();
        // Rendered in memory first: a page with a problem must not replace a good one.
        let fresh = match build::render_pages(&state.theme, content, &common, &kinds, build::Sink::Keep) {
            Ok(r) => r,
            Err(p) => {
                restore(content, undo);
                return Outcome::Problems(Problems::sorted(p));
            }
        };
        build::stage("partial: render", t);
        let t = Instant::now();
        // Other pages' links need checking again only if pages went away or anchors changed.
        let anchors_changed = fresh.iter().any(|(r, _)| {
            state
                .records
                .get(&r.out_path)
                .is_none_or(|old| old.links.ids != r.links.ids)
        });
        let fresh_paths: HashSet<String> = fresh.iter().map(|(r, _)| r.out_path.clone()).collect();
        let mut previous: Vec<(String, Option<PageRecord>)> = Vec::new();
        for out in &removed {
            previous.push((out.clone(), state.records.remove(out)));
        }
        for (r, _) in &fresh {
            previous.push((r.out_path.clone(), state.records.insert(r.out_path.clone(), r.clone())));
        }
        // The data files, from the cached entries: only the saved permits are serialised again.
        let mut catalog_undo: Vec<(String, Option<String>)> = Vec::new();
        let mut permits_changed_set = !removed.is_empty();
        for (slug, _) in &permits {
            let entry = content.permit(slug).map(|p| render::catalog_entry(content, p));
            let old = match entry {
                Some(e) => state.catalog.insert(slug.clone(), e),
                None => state.catalog.remove(slug),
            };
            permits_changed_set |= old.is_none();
            catalog_undo.push((slug.clone(), old));
        }
        let sitemap = if permits_changed_set {
            render::sitemap(content)
        } else {
            state.sitemap.clone()
        };
        let catalog = render::catalog_from_entries(content, state.catalog.values().map(String::as_str));
        let mut extra: Vec<(String, Vec<u8>)> = vec![
            ("sitemap.xml".to_string(), sitemap.clone().into_bytes()),
            ("robots.txt".to_string(), render::robots(content).into_bytes()),
            ("katalog.json".to_string(), catalog.into_bytes()),
        ];
        // Assets do not change here; the link checker only needs their names.
        extra.extend(state.theme.assets().map(|a| (a.out_path().to_string(), Vec::new())));
        build::stage("partial: records and data files", t);
        let t = Instant::now();
        // Only the fresh pages' links need checking, unless pages went away or anchors changed.
        let index = WatchIndex {
            records: &state.records,
            extra: extra.iter().map(|(p, _)| p.as_str()).collect(),
        };
        let pages: Vec<&crate::links::PageLinks> = if anchors_changed || !removed.is_empty() {
            state.records.values().map(|r| &r.links).collect()
        } else {
            fresh_paths
                .iter()
                .filter_map(|p| state.records.get(p))
                .map(|r| &r.links)
                .collect()
        };
        let problems = build::check_pages(content, &pages, &index);
        if !problems.is_empty() {
            for (out, old) in previous.into_iter().rev() {
                match old {
                    Some(r) => state.records.insert(out, r),
                    None => state.records.remove(&out),
                };
            }
            for (slug, old) in catalog_undo.into_iter().rev() {
                match old {
                    Some(e) => state.catalog.insert(slug, e),
                    None => state.catalog.remove(&slug),
                };
            }
            restore(content, undo);
            return Outcome::Problems(Problems::sorted(problems));
        }
        state.sitemap = sitemap;
        build::stage("partial: check links", t);
        let out_dir = &self.opts.out_dir;
        let pages = fresh.iter().map(|(r, html)| (r.out_path.as_str(), html.as_bytes()));
        let data = extra
            .iter()
            .filter(|(p, _)| !p.starts_with("assets/"))
            .map(|(p, b)| (p.as_str(), b.as_slice()));
        for (path, bytes) in pages.chain(data) {
            if let Err(e) = build::write_file(&out_dir.join(path), bytes) {
                return Outcome::Problems(Problems(vec![Problem::new(out_dir.join(path), 1, 1, e.to_string())]));
            }
        }
        for out in &removed {
            let _ = std::fs::remove_file(out_dir.join(out));
            if let Some(dir) = out_dir.join(out).parent() {
                let _ = std::fs::remove_dir(dir);
            }
        }
        Outcome::Partial {
            pages: fresh_paths.len(),
            elapsed: started.elapsed(),
        }
    }
}

/// The site as watch mode holds it, for the link checker: its page records and data files.
struct WatchIndex<'a> {
    records: &'a HashMap<String, PageRecord>,
    extra: HashSet<&'a str>,
}

impl crate::links::SiteIndex for WatchIndex<'_> {
    fn lookup(&self, rel: &str) -> Option<Option<&HashSet<String>>> {
        if let Some(r) = self.records.get(rel) {
            return Some(Some(&r.links.ids));
        }
        (self.extra.contains(rel) || rel == LIVE_RELOAD_SCRIPT.trim_start_matches('/')).then_some(None)
    }
}

/// Where pages built for watching load the live reload script from.
pub const LIVE_RELOAD_SCRIPT: &str = "/__livereload.js";

const LIVE_RELOAD_JS: &str = r#"(function () {
  var es = new EventSource('/__livereload');
  es.addEventListener('reload', function () { location.reload(); });
  es.addEventListener('problems', function (e) {
    var box = document.getElementById('sicantik-masalah') || document.createElement('div');
    box.id = 'sicantik-masalah';
    box.setAttribute('role', 'alert');
    box.className = 'notice notice-warning';
    var pre = document.createElement('pre');
    pre.textContent = e.data;
    box.replaceChildren(pre);
    document.body.prepend(box);
  });
})();
"#;

/// Serves `opts.out_dir` on `addr`, rebuilding on every change under the content and theme
/// directories until Ctrl-C.
pub async fn watch(opts: Options, addr: &str) -> Result<()> {
    let (session, first) = tokio::task::spawn_blocking(move || Session::start(opts))
        .await
        .map_err(|e| Error::Serve(std::io::Error::other(e)))?;
    report(&first);
    let (tx, _) = broadcast::channel::<(String, String)>(16);
    let watched = [session.opts.content_dir.clone(), session.opts.theme_dir.clone()];
    let out = session.opts.out_dir.clone();

    let (ftx, frx) = std::sync::mpsc::channel();
    let mut watcher = notify::recommended_watcher(ftx).map_err(|source| Error::Watch {
        path: watched[0].clone(),
        source,
    })?;
    for dir in &watched {
        notify::Watcher::watch(&mut watcher, dir, notify::RecursiveMode::Recursive).map_err(|source| Error::Watch {
            path: dir.clone(),
            source,
        })?;
    }
    let btx = tx.clone();
    std::thread::spawn(move || {
        let mut session = session;
        let _watcher = watcher;
        while let Some(paths) = next_changes(&frx) {
            let outcome = session.apply(&paths);
            report(&outcome);
            let msg = match &outcome {
                Outcome::Problems(p) => ("problems".to_string(), p.to_string()),
                Outcome::Partial { pages: 0, .. } => continue,
                _ => ("reload".to_string(), String::new()),
            };
            let _ = btx.send(msg);
        }
    });

    let app = site_router(&out)
        .route(
            LIVE_RELOAD_SCRIPT,
            get(|| async { ([("content-type", "text/javascript; charset=utf-8")], LIVE_RELOAD_JS) }),
        )
        .route(
            "/__livereload",
            get(move || {
                let rx = tx.subscribe();
                async move {
                    let stream = BroadcastStream::new(rx).filter_map(|m| m.ok()).map(|(event, data)| {
                        Ok::<_, std::convert::Infallible>(Event::default().event(event).data(data))
                    });
                    Sse::new(stream).keep_alive(KeepAlive::default()).into_response()
                }
            }),
        );
    let addr: SocketAddr = addr
        .parse()
        .map_err(|e| Error::Serve(std::io::Error::new(std::io::ErrorKind::InvalidInput, e)))?;
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(Error::Serve)?;
    println!(
        "Pratinjau di http://{}/ — perubahan di {} dan {} tampil otomatis. Tekan Ctrl-C untuk berhenti.",
        listener.local_addr().map_err(Error::Serve)?,
        watched[0].display(),
        watched[1].display()
    );
    let listener = listener.tap_io(|tcp| {
        // Files are written head first, body second: without this each waits for a delayed ACK.
        let _ = tcp.set_nodelay(true);
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .map_err(Error::Serve)
}

/// How long the files must stay quiet before a rebuild: an editor's save is often several
/// events (truncate, write, close, or write a copy and rename it), and a rebuild per event
/// would show half a save. They come within a few milliseconds of each other; this wait is
/// also part of how long a save takes to show, so it is kept short.
const QUIET: Duration = Duration::from_millis(20);

/// Waits for the next change to a file, then gathers every change that follows it until the
/// files have been quiet for [`QUIET`]. `None` when the watcher has stopped.
fn next_changes(events: &std::sync::mpsc::Receiver<notify::Result<notify::Event>>) -> Option<Vec<PathBuf>> {
    let mut paths: Vec<PathBuf> = Vec::new();
    loop {
        let event = if paths.is_empty() {
            events.recv().ok()?
        } else {
            match events.recv_timeout(QUIET) {
                Ok(e) => e,
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => return Some(paths),
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return Some(paths),
            }
        };
        match event {
            Ok(e) if is_change(&e.kind) => {
                for p in e.paths {
                    if !paths.contains(&p) {
                        paths.push(p);
                    }
                }
            }
            Ok(_) => {}
            Err(e) => eprintln!("Pemantauan berkas bermasalah: {e}"),
        }
    }
}

/// Whether an event is a change to what a file holds or where it is. Opening and reading a
/// file are events too (inotify reports every open), and every rebuild reads all of
/// `content/` and `themes/`: passing those on made each rebuild start the next, for ever.
fn is_change(kind: &notify::EventKind) -> bool {
    use notify::event::{EventKind, MetadataKind, ModifyKind};
    match kind {
        EventKind::Access(_) | EventKind::Other => false,
        EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)) => false,
        // `Any` is what a backend says when it cannot tell; better a rebuild too many.
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) | EventKind::Any => true,
    }
}

fn report(outcome: &Outcome) {
    match outcome {
        Outcome::Full { pages, elapsed } => {
            println!("Dibangun ulang: {pages} halaman dalam {} ms.", elapsed.as_millis())
        }
        Outcome::Partial { pages: 0, .. } => {}
        Outcome::Partial { pages, elapsed } => {
            println!("Diperbarui: {pages} halaman dalam {} ms.", elapsed.as_millis())
        }
        Outcome::Problems(p) => eprintln!("{p}"),
    }
}

/// Paths under `dir` that a test or a benchmark can touch to trigger a rebuild.
pub fn permit_file(content_dir: &Path, slug: &str) -> PathBuf {
    content_dir.join("izin").join(format!("{slug}.md"))
}
