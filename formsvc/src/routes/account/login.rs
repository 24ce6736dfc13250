//! "Masuk" for applicants and officers alike (by username or email) and "Keluar". A failed
//! login never says which half was wrong, and each login starts a new session. An applicant
//! sent here from a page that needs a session (`kembali`, only ever one of the service's own
//! addresses: `auth::return_path`) goes back there after signing in. While an applicant is
//! signed in the browser also holds the marker cookie (`web::MARKER_COOKIE`) by which the
//! static pages show "Layanan Pemohon" and "Keluar".

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use minijinja::context;

use crate::clock::now;
use crate::error::{Error, Result};
use crate::form::FormCheck;
use crate::routes::auth::return_path;
use crate::security::{random_token, token_hash, verify_password};
use crate::web::{AppState, NONCE_COOKIE, Role, SESSION_COOKIE, Visitor, see_other};

/// What a failed login always says: never whether the username or the password was wrong.
const LOGIN_FAILED: &str = "Nama pengguna/surel atau kata sandi salah, atau akun belum aktif.";

#[derive(serde::Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    info: Option<String>,
    /// Where to go after signing in; checked by `auth::return_path`, ignored otherwise.
    #[serde(default)]
    kembali: Option<String>,
}

fn login_info(code: Option<&str>) -> Option<&'static str> {
    match code {
        Some("sandi") => Some("Kata sandi tersimpan. Silakan masuk dengan kata sandi baru Anda."),
        Some("keluar") => Some("Anda telah keluar."),
        Some("sesi") => Some("Silakan masuk untuk melanjutkan."),
        _ => None,
    }
}

fn login_page(role: Role) -> (&'static str, &'static str) {
    match role {
        Role::Applicant => ("layanan/masuk.html", "Masuk"),
        Role::Officer => ("layanan/petugas/masuk.html", "Masuk Petugas"),
    }
}

pub async fn show_login(State(app): State<AppState>, v: Visitor, Query(q): Query<LoginQuery>) -> Result<Response> {
    show_login_as(app, v, q, Role::Applicant).await
}

pub async fn show_officer_login(
    State(app): State<AppState>,
    v: Visitor,
    Query(q): Query<LoginQuery>,
) -> Result<Response> {
    show_login_as(app, v, q, Role::Officer).await
}

async fn show_login_as(app: AppState, v: Visitor, q: LoginQuery, role: Role) -> Result<Response> {
    let (template, judul) = login_page(role);
    let kembali = match role {
        Role::Applicant => q.kembali.as_deref().and_then(|k| return_path(&app, k)),
        Role::Officer => None,
    };
    app.page(
        &v,
        template,
        judul,
        Some("masuk"),
        context! { info => login_info(q.info.as_deref()), kembali => kembali },
    )
}

pub async fn login(
    State(app): State<AppState>,
    v: Visitor,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response> {
    login_as(app, v, form, Role::Applicant).await
}

pub async fn officer_login(
    State(app): State<AppState>,
    v: Visitor,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response> {
    login_as(app, v, form, Role::Officer).await
}

async fn login_as(app: AppState, v: Visitor, form: HashMap<String, String>, role: Role) -> Result<Response> {
    app.check_form_token(&v, &form)?;
    let login = form.get("login").map(|s| s.trim().to_lowercase()).unwrap_or_default();
    let kembali = match role {
        Role::Applicant => form.get("kembali").and_then(|k| return_path(&app, k)),
        Role::Officer => None,
    };
    let password = form.get("password").cloned().unwrap_or_default();
    // An empty field is a slip, not a guess: said at the field, and not counted as a failure.
    let mut f = FormCheck::new(&form);
    if login.is_empty() {
        f.error("login", "Masukkan nama pengguna atau alamat surel.");
    }
    if password.is_empty() {
        f.error("password", "Masukkan kata sandi.");
    }
    if !f.ok() {
        let (template, judul) = login_page(role);
        let ctx = context! {
            nilai => context! { login => form.get("login").map(|s| s.trim()) },
            kembali => kembali,
            ..f.context()
        };
        return app.page_with_status(
            &v,
            StatusCode::UNPROCESSABLE_ENTITY,
            template,
            judul,
            Some("masuk"),
            ctx,
        );
    }
    // Logs name the account only by a hash prefix: enough to follow an attack, no personal data.
    let typed_key = format!("{}:{}", role.as_str(), &token_hash(&login)[..16]);
    if !app
        .limits
        .login_address
        .allow(app.store.as_ref(), &v.ip.to_string())
        .await?
    {
        tracing::warn!(ip = %v.ip, account = %typed_key, "login refused: rate limit for the address");
        return Err(Error::TooMany);
    }
    let found = app.store.login_account(role, &login).await?;
    // Failures count against the account once it is known, whatever name or email was typed;
    // against the identifier typed otherwise.
    let failures_key = match &found {
        Some(a) => format!("{}#{}", role.as_str(), a.id),
        None => typed_key.clone(),
    };
    if app
        .limits
        .login_failures
        .reached(app.store.as_ref(), &failures_key)
        .await?
    {
        tracing::warn!(ip = %v.ip, account = %typed_key, "login refused: account locked for a while");
        return Err(Error::TooMany);
    }
    let (id, hash) = match found {
        Some(a) => (Some(a.id), a.password_hash),
        None => (None, None),
    };
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, hash.as_deref()))
        .await
        .map_err(|e| Error::Internal(e.to_string()))?;
    let Some(user_id) = id.filter(|_| ok) else {
        app.limits
            .login_failures
            .allow(app.store.as_ref(), &failures_key)
            .await?;
        tracing::warn!(ip = %v.ip, account = %typed_key, role = role.as_str(), "login failed");
        let (template, judul) = login_page(role);
        let ctx = context! {
            nilai => context! { login => form.get("login").map(|s| s.trim()) },
            galat_login => LOGIN_FAILED,
            kembali => kembali,
        };
        return app.page_with_status(&v, StatusCode::UNAUTHORIZED, template, judul, Some("masuk"), ctx);
    };
    app.limits
        .login_failures
        .clear(app.store.as_ref(), &failures_key)
        .await?;
    tracing::info!(ip = %v.ip, account = %typed_key, role = role.as_str(), "password accepted");
    if role == Role::Officer {
        // An officer sees the personal data of a whole unit: a second factor first.
        return super::second_factor::begin(&app, user_id).await;
    }
    let mut response = see_other(kembali.unwrap_or(app.routes.beranda.as_str()));
    start_session(&app, &v, role, user_id, &mut response).await?;
    Ok(response)
}

/// Starts a session for `user_id` and sets its cookie on `response`. A new session at every
/// login: a token planted before login is worth nothing after it.
pub(super) async fn start_session(
    app: &AppState,
    v: &Visitor,
    role: Role,
    user_id: i64,
    response: &mut Response,
) -> Result<()> {
    let token = random_token();
    let old = v.session.as_ref().map(|s| s.token_hash.as_str());
    app.store
        .start_session(&token_hash(&token), role, user_id, now(), old)
        .await?;
    tracing::info!(ip = %v.ip, role = role.as_str(), user = user_id, "signed in");
    let h = response.headers_mut();
    h.append(header::SET_COOKIE, app.cookie(SESSION_COOKIE, &token, None));
    // A fresh form-token nonce too, so tokens issued before login stop working.
    h.append(header::SET_COOKIE, app.cookie(NONCE_COOKIE, &random_token(), None));
    if role == Role::Applicant {
        h.append(header::SET_COOKIE, app.marker_cookie(true));
    }
    Ok(())
}

/// "Keluar" for the static pages, which link here because they cannot hold the form token a
/// sign-out posts: the button, or Masuk for whoever is not signed in.
pub async fn show_logout(State(app): State<AppState>, v: Visitor) -> Result<Response> {
    if v.session.is_none() {
        return Ok(see_other(&app.routes.masuk));
    }
    app.page(&v, "layanan/keluar.html", "Keluar", None, context! {})
}

pub async fn logout(
    State(app): State<AppState>,
    v: Visitor,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response> {
    app.check_form_token(&v, &form)?;
    let role = v.session.as_ref().map(|s| s.role);
    if let Some(s) = &v.session {
        app.store.end_session(&s.token_hash).await?;
    }
    let target = match role {
        Some(Role::Officer) => format!("{}/petugas/masuk?info=keluar", app.content.situs.layanan),
        _ => format!("{}?info=keluar", app.routes.masuk),
    };
    let mut response = see_other(&target);
    let h = response.headers_mut();
    h.append(header::SET_COOKIE, app.cookie(SESSION_COOKIE, "", Some(0)));
    h.append(header::SET_COOKIE, app.marker_cookie(false));
    Ok(response)
}
