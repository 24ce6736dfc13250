//! Serving a built site: `/izin/a/` from `izin/a/index.html`, the site's own 404 page (with status
//! 404) for anything else, the pre-compressed copies (`.br`, `.gz`) when the browser accepts
//! them, and the caching headers a phone on a slow link profits from: fingerprinted assets are
//! cached for a year, everything else is revalidated with `ETag` / `Last-Modified` and answered
//! `304 Not Modified` when unchanged.

use std::path::Path;

use axum::Router;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use axum::middleware::{self, Next};
use tower_http::services::{ServeDir, ServeFile};

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Pages change when editors publish: always ask, the answer is usually a small 304.
const REVALIDATE: &str = "no-cache";

/// The router for the site in `out`; the service mounts its routes beside it.
pub fn site_router(out: &Path) -> Router {
    let files = ServeDir::new(out)
        .precompressed_br()
        .precompressed_gzip()
        .not_found_service(ServeFile::new(out.join("404.html")));
    Router::new()
        .fallback_service(files)
        .layer(middleware::from_fn(caching))
}

/// `/assets/site.3f2a9c1b.css`: the theme's files under their content hash (see `theme.rs`).
fn fingerprinted(path: &str) -> bool {
    let Some(name) = path.strip_prefix("/assets/") else {
        return false;
    };
    name.split('.')
        .any(|part| part.len() == 8 && part.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The validator of one representation: its size, modification time and encoding, so the
/// gzip and the Brotli copy of a page never share a tag.
fn etag(headers: &HeaderMap) -> Option<HeaderValue> {
    let modified = headers.get(header::LAST_MODIFIED)?.to_str().ok()?;
    let length = headers.get(header::CONTENT_LENGTH)?.to_str().ok()?;
    let encoding = headers
        .get(header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("identity");
    let stamp: u64 = modified.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    HeaderValue::from_str(&format!("\"{length}-{stamp:x}-{encoding}\"")).ok()
}

fn matches(if_none_match: &HeaderValue, tag: &HeaderValue) -> bool {
    let Ok(list) = if_none_match.to_str() else {
        return false;
    };
    let tag = tag.to_str().unwrap_or_default();
    list.split(',')
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == "*" || t == tag)
}

async fn caching(req: Request, next: Next) -> Response<Body> {
    let path = req.uri().path().to_string();
    let if_none_match = req.headers().get(header::IF_NONE_MATCH).cloned();
    let mut res = next.run(req).await;
    if res.status() != StatusCode::OK && res.status() != StatusCode::NOT_MODIFIED {
        return res;
    }
    let cache = if fingerprinted(&path) { IMMUTABLE } else { REVALIDATE };
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if res.status() != StatusCode::OK {
        return res;
    }
    let Some(tag) = etag(res.headers()) else {
        return res;
    };
    if if_none_match.is_some_and(|v| matches(&v, &tag)) {
        let mut not_modified = Response::new(Body::empty());
        *not_modified.status_mut() = StatusCode::NOT_MODIFIED;
        for name in [
            header::CACHE_CONTROL,
            header::LAST_MODIFIED,
            header::CONTENT_ENCODING,
            header::VARY,
        ] {
            if let Some(v) = res.headers().get(&name) {
                not_modified.headers_mut().insert(name, v.clone());
            }
        }
        not_modified.headers_mut().insert(header::ETAG, tag);
        return not_modified;
    }
    res.headers_mut().insert(header::ETAG, tag);
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_hashed_theme_files_are_cached_for_good() {
        assert!(fingerprinted("/assets/site.3f2a9c1b.css"));
        assert!(fingerprinted("/assets/logo-sumsel.0a1b2c3d.svg"));
        assert!(!fingerprinted("/assets/site.css"));
        assert!(!fingerprinted("/izin/rumpon/"));
        assert!(!fingerprinted("/pagefind/pagefind.js"));
    }

    #[test]
    fn a_tag_names_the_encoding_and_matches_as_browsers_send_it() {
        let mut h = HeaderMap::new();
        h.insert(
            header::LAST_MODIFIED,
            HeaderValue::from_static("Wed, 02 Dec 2026 13:00:00 GMT"),
        );
        h.insert(header::CONTENT_LENGTH, HeaderValue::from_static("1234"));
        let plain = etag(&h).expect("tag");
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("br"));
        let br = etag(&h).expect("tag");
        assert_ne!(plain, br);
        assert!(br.to_str().expect("ascii").ends_with("-br\""));
        let sent = HeaderValue::from_str(&format!("\"x\", W/{}", br.to_str().expect("ascii"))).expect("header");
        assert!(matches(&sent, &br));
        assert!(!matches(&sent, &plain));
        assert!(matches(&HeaderValue::from_static("*"), &plain));
    }
}
