//! What every request and response of the service shares: the application state, the visitor
//! (cookies, session, form token, address), rendering pages through the site's theme, error
//! pages, and the security headers.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use generator::{Content, ServiceRoutes, Theme};
use minijinja::{Value, context};
use tokio::sync::Notify;

use crate::blob::Blobs;
use crate::clock::now;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::ratelimit::Limits;
pub use crate::records::Role;
use crate::security::{FormKey, token_hash};
use crate::store::DynStore;

pub struct App {
    pub cfg: Config,
    pub store: DynStore,
    /// Where uploaded documents are kept.
    pub blobs: Blobs,
    /// Finds identity numbers by their keyed hash (the rate limit per NIK).
    pub nik: Arc<crate::keys::NikKey>,
    pub theme: Arc<Theme>,
    pub content: Arc<Content>,
    pub routes: ServiceRoutes,
    pub key: FormKey,
    pub limits: Limits,
    pub mail_wake: Arc<Notify>,
    /// The host part of Message-IDs.
    pub message_domain: String,
    pub metrics: Arc<crate::observe::Metrics>,
    /// The virus scanner every upload goes through; `None` when `SICANTIK_CLAMD` is unset.
    pub scanner: Option<Arc<dyn crate::scan::Scanner>>,
}

pub type AppState = Arc<App>;

pub const SESSION_COOKIE: &str = "sicantik_sesi";
pub const NONCE_COOKIE: &str = "sicantik_csrf";
/// "An applicant is signed in", for the static pages' script (`kepala.js`), which cannot ask the
/// service: readable by scripts, and so carrying nothing but `1` — no identity, not the
/// session. Set at sign-in, refreshed by every page while the session lasts, cleared at
/// sign-out and by the first page rendered without an applicant's session.
pub const MARKER_COOKIE: &str = "sicantik_pemohon";

#[derive(Debug, Clone)]
pub struct Session {
    pub role: Role,
    pub user_id: i64,
    pub token_hash: String,
}

/// The browser on the other end of a request.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub ip: IpAddr,
    /// The form-token nonce from the cookie, or a new one to set.
    pub nonce: String,
    pub new_nonce: bool,
    pub session: Option<Session>,
    /// The request's cookies, by name as sent (`cookie_name`).
    pub cookies: HashMap<String, String>,
}

fn cookies(headers: &HeaderMap) -> HashMap<String, String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

impl FromRequestParts<AppState> for Visitor {
    type Rejection = Error;

    async fn from_request_parts(parts: &mut Parts, app: &AppState) -> Result<Self> {
        let ip = client_ip(parts, app);
        let jar = cookies(&parts.headers);
        let (nonce, new_nonce) = match jar.get(app.cookie_name(NONCE_COOKIE).as_str()) {
            Some(n) if n.len() >= 32 && n.len() <= 64 => (n.clone(), false),
            _ => (crate::security::random_token(), true),
        };
        let session = match jar.get(app.cookie_name(SESSION_COOKIE).as_str()) {
            Some(token) if token.len() <= 64 => app.load_session(&token_hash(token)).await?,
            _ => None,
        };
        Ok(Visitor {
            ip,
            nonce,
            new_nonce,
            session,
            cookies: jar,
        })
    }
}

/// The client's address: the peer's, or from a trusted proxy what it forwarded.
fn client_ip(parts: &Parts, app: &App) -> IpAddr {
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
        .unwrap_or(IpAddr::from([127, 0, 0, 1]));
    crate::client_addr::client_ip(peer, &parts.headers, &app.cfg.trusted_proxies)
}

impl App {
    /// `__Host-` cookies over HTTPS: only this host, only secure, path `/`.
    pub fn cookie_name(&self, name: &str) -> String {
        if self.cfg.https() {
            format!("__Host-{name}")
        } else {
            name.to_string()
        }
    }

    pub fn cookie(&self, name: &str, value: &str, max_age: Option<i64>) -> HeaderValue {
        let secure = if self.cfg.https() { "; Secure" } else { "" };
        let age = max_age.map(|s| format!("; Max-Age={s}")).unwrap_or_default();
        let v = format!(
            "{}={value}; Path=/; HttpOnly; SameSite=Lax{secure}{age}",
            self.cookie_name(name)
        );
        HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
    }

    /// The marker cookie: set for as long as a session may stay idle, or cleared.
    pub fn marker_cookie(&self, signed_in: bool) -> HeaderValue {
        let secure = if self.cfg.https() { "; Secure" } else { "" };
        let (value, age) = if signed_in {
            ("1", self.cfg.session_idle.as_secs())
        } else {
            ("", 0)
        };
        let v = format!(
            "{}={value}; Path=/; SameSite=Lax{secure}; Max-Age={age}",
            self.cookie_name(MARKER_COOKIE)
        );
        HeaderValue::from_str(&v).unwrap_or_else(|_| HeaderValue::from_static(""))
    }

    async fn load_session(&self, hash: &str) -> Result<Option<Session>> {
        let Some(record) = self.store.session(hash).await? else {
            return Ok(None);
        };
        let now = now();
        let idle = self.cfg.session_idle.as_secs() as i64;
        let absolute = self.cfg.session_absolute.as_secs() as i64;
        if now - record.last_seen_at > idle || now - record.created_at > absolute {
            self.store.end_session(hash).await?;
            return Ok(None);
        }
        if now - record.last_seen_at > 60 {
            self.store.touch_session(hash, now).await?;
        }
        Ok(Some(Session {
            role: record.role,
            user_id: record.user_id,
            token_hash: hash.to_string(),
        }))
    }

    /// The form token for this visitor's forms.
    pub fn form_token(&self, v: &Visitor) -> String {
        self.key
            .form_token(&v.nonce, v.session.as_ref().map_or("", |s| s.token_hash.as_str()))
    }

    /// Refuses a state-changing request whose form token is missing or not this visitor's.
    pub fn check_form_token(&self, v: &Visitor, form: &HashMap<String, String>) -> Result<()> {
        let token = form.get("csrf").map(String::as_str).unwrap_or("");
        let binding = v.session.as_ref().map_or("", |s| s.token_hash.as_str());
        if !v.new_nonce && self.key.verify(&v.nonce, binding, token) {
            Ok(())
        } else {
            tracing::warn!(ip = %v.ip, "refused: form token missing or invalid");
            Err(Error::Csrf)
        }
    }

    /// Renders a service page inside the site's layout.
    pub fn page(&self, v: &Visitor, template: &str, judul: &str, nav: Option<&str>, extra: Value) -> Result<Response> {
        self.page_with_status(v, StatusCode::OK, template, judul, nav, extra)
    }

    pub fn page_with_status(
        &self,
        v: &Visitor,
        status: StatusCode,
        template: &str,
        judul: &str,
        nav: Option<&str>,
        extra: Value,
    ) -> Result<Response> {
        let flash = v
            .cookies
            .get(self.cookie_name(crate::flash::COOKIE).as_str())
            .map(|value| crate::flash::Flash::decode(value));
        let ctx = context! {
            kabar => flash.as_ref().and_then(|f| f.as_ref().map(|f| f.banner())),
            site => &self.content.situs,
            layanan => &self.routes,
            page => context! { judul => judul, deskripsi => self.content.situs.deskripsi },
            nav_aktif => nav,
            searchable => false,
            live_reload => false,
            csrf => self.form_token(v),
            pengguna => v.session.as_ref().map(|s| context! { peran => s.role.as_str() }),
            ..extra
        };
        let html = self.theme.render(template, ctx)?;
        let mut response = (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response();
        if v.new_nonce {
            response
                .headers_mut()
                .append(header::SET_COOKIE, self.cookie(NONCE_COOKIE, &v.nonce, None));
        }
        // The marker follows the session: refreshed while it lasts, gone once it has ended
        // (expired or ended elsewhere), so the static pages stop offering "Keluar".
        let applicant = v.session.as_ref().is_some_and(|s| s.role == Role::Applicant);
        if applicant || v.cookies.contains_key(self.cookie_name(MARKER_COOKIE).as_str()) {
            response
                .headers_mut()
                .append(header::SET_COOKIE, self.marker_cookie(applicant));
        }
        // Shown once: the page that shows a confirmation (or finds a stale one) clears it.
        if flash.is_some() {
            response
                .headers_mut()
                .append(header::SET_COOKIE, self.cookie(crate::flash::COOKIE, "", Some(0)));
        }
        Ok(response)
    }

    /// The redirect after a post that did `what`, with the confirmation the next page shows.
    pub fn see_other_with(&self, path: &str, what: crate::flash::Flash) -> Response {
        let mut r = see_other(path);
        r.headers_mut().append(
            header::SET_COOKIE,
            self.cookie(
                crate::flash::COOKIE,
                &what.encode(),
                Some(crate::flash::MAX_AGE_SECONDS),
            ),
        );
        r
    }

    /// A page that says one thing (errors, confirmations without a form).
    pub fn message(&self, v: &Visitor, status: StatusCode, judul: &str, pesan: &str) -> Response {
        self.page_with_status(
            v,
            status,
            "layanan/pesan.html",
            judul,
            None,
            context! { judul => judul, pesan => pesan },
        )
        .unwrap_or_else(|e| fallback_page(status, judul, pesan, &e))
    }

    /// Absolute link for emails, from the configured base URL, never from the request.
    pub fn link(&self, path: &str) -> String {
        format!("{}{}", self.cfg.base_url, path)
    }
}

fn fallback_page(status: StatusCode, judul: &str, pesan: &str, cause: &Error) -> Response {
    tracing::error!(error = %cause, "cannot render the error page");
    let body = format!(
        "<!DOCTYPE html><html lang=\"id\"><meta charset=\"utf-8\"><title>{judul}</title><h1>{judul}</h1><p>{pesan}</p></html>"
    );
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], body).into_response()
}

/// Marks a response as an error page for `render_errors` to fill in.
#[derive(Clone)]
struct ErrorPage {
    judul: &'static str,
    pesan: &'static str,
    /// For server errors: the reference the user can quote, also in the log line.
    rujukan: Option<String>,
    /// For server errors: which part failed, for the figures.
    cause: Option<&'static str>,
}

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = self.status();
        let rujukan = status.is_server_error().then(|| {
            // The cause goes to the log under the request's id, which the page shows as the
            // reference the user can quote.
            let reference = crate::observe::request_id().unwrap_or_else(|| "-".into());
            tracing::error!(reference = %reference, error = %self, source = ?std::error::Error::source(&self), "request failed");
            reference
        });
        let part = match self {
            Error::Db(_) | Error::WriterGone | Error::Postgres(_) | Error::Pool(_) | Error::Corrupt { .. } => "store",
            Error::Blob(_) | Error::Crypto(_) => "blob",
            Error::Mail(_) => "mail",
            _ => "other",
        };
        let cause = status.is_server_error().then_some(part);
        let (judul, pesan) = self.user_message();
        let mut r = status.into_response();
        r.extensions_mut().insert(ErrorPage {
            judul,
            pesan,
            rujukan,
            cause,
        });
        r
    }
}

/// Turns error responses into the themed message page.
pub async fn render_errors(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    let ip = client_ip(&parts, &app);
    let response = next.run(Request::from_parts(parts, body)).await;
    let Some(page) = response.extensions().get::<ErrorPage>().cloned() else {
        return response;
    };
    if let Some(cause) = page.cause {
        app.metrics.server_error(cause);
    }
    let visitor = Visitor {
        ip,
        nonce: String::new(),
        new_nonce: false,
        session: None,
        cookies: HashMap::new(),
    };
    match page.rujukan {
        Some(r) => app.message(
            &visitor,
            response.status(),
            page.judul,
            &format!(
                "{} Bila gangguan berulang, sampaikan kode rujukan {r} kepada petugas.",
                page.pesan
            ),
        ),
        None => app.message(&visitor, response.status(), page.judul, page.pesan),
    }
}

/// Security headers on every response; `no-store` on the service's pages (personal data).
pub async fn security_headers(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let service = request
        .uri()
        .path()
        .starts_with(&format!("{}/", app.content.situs.layanan));
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    // A route with a policy of its own (an inline document's sandbox) keeps it.
    h.entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
             connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'self'; object-src 'none'",
        ));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if app.cfg.https() {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        );
    }
    if service {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// 303 See Other: the answer to a successful form post.
pub fn see_other(path: &str) -> Response {
    Redirect::to(path).into_response()
}
