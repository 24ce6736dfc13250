//! The second step of Masuk Petugas: "Verifikasi Dua Langkah" asks for the code of the
//! officer's authenticator app (or a recovery code); an officer without one enrols first
//! ("Aktifkan Verifikasi Dua Langkah": a QR code and the key, confirmed by a code) and is
//! shown their recovery codes once. Only then does a session start.
//!
//! Between the steps the browser holds `Pending`, not a session: nothing of the console is
//! reachable with it. Wrong codes count against the account like wrong passwords.

use std::collections::HashMap;

use axum::Form;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::Response;
use minijinja::context;

use crate::clock::now;
use crate::error::{Error, Result};
use crate::second_factor::{self as sf, Answer, Pending};
use crate::web::{AppState, NONCE_COOKIE, Role, Visitor, see_other};

/// The cookie that carries `Pending` between the password and the code.
pub const PENDING_COOKIE: &str = "sicantik_verifikasi";

const WRONG_CODE: &str = "Kode salah atau sudah dipakai. Masukkan kode yang sedang tampil di aplikasi autentikator; bila tetap salah, periksa apakah jam di ponsel Anda tepat.";
const NOT_A_CODE: &str = "Masukkan 6 angka dari aplikasi autentikator, atau kode pemulihan 16 karakter.";

fn verify_path(app: &AppState) -> String {
    format!("{}/petugas/verifikasi", app.content.situs.layanan)
}

fn enrol_path(app: &AppState) -> String {
    format!("{}/petugas/aktifkan-verifikasi", app.content.situs.layanan)
}

fn back_to_login(app: &AppState) -> Response {
    see_other(&format!("{}/petugas/masuk?info=sesi", app.content.situs.layanan))
}

/// After the right password: the proof for the second step, and on to it (enrolment first
/// for an officer who has no second factor yet).
pub(super) async fn begin(app: &AppState, officer_id: i64) -> Result<Response> {
    let state = app.store.second_factor(officer_id).await?.ok_or(Error::NotFound)?;
    let target = if state.secret.is_some() {
        verify_path(app)
    } else {
        enrol_path(app)
    };
    // A fresh nonce, as at every sign-in; the proof is bound to it.
    let nonce = crate::security::random_token();
    let pending = Pending {
        officer_id,
        issued: now(),
    };
    let mut response = see_other(&target);
    let h = response.headers_mut();
    h.append(header::SET_COOKIE, app.cookie(NONCE_COOKIE, &nonce, None));
    h.append(
        header::SET_COOKIE,
        app.cookie(
            PENDING_COOKIE,
            &pending.cookie_value(&app.key, &nonce),
            Some(sf::PENDING_FOR.as_secs() as i64),
        ),
    );
    Ok(response)
}

fn pending(app: &AppState, v: &Visitor) -> Option<Pending> {
    let raw = v.cookies.get(&app.cookie_name(PENDING_COOKIE))?;
    Pending::from_cookie(raw, &app.key, &v.nonce, now())
}

fn failures_key(officer_id: i64) -> String {
    format!("{}#{officer_id}", Role::Officer.as_str())
}

/// The console, signed in, and the proof spent.
async fn finish(app: &AppState, v: &Visitor, officer_id: i64, page: Option<Response>) -> Result<Response> {
    let mut response = match page {
        Some(p) => p,
        None => see_other(&format!("{}/petugas/", app.content.situs.layanan)),
    };
    super::login::start_session(app, v, Role::Officer, officer_id, &mut response).await?;
    response
        .headers_mut()
        .append(header::SET_COOKIE, app.cookie(PENDING_COOKIE, "", Some(0)));
    Ok(response)
}

pub async fn show_verify(State(app): State<AppState>, v: Visitor) -> Result<Response> {
    let Some(p) = pending(&app, &v) else {
        return Ok(back_to_login(&app));
    };
    let state = app.store.second_factor(p.officer_id).await?.ok_or(Error::NotFound)?;
    if state.secret.is_none() {
        return Ok(see_other(&enrol_path(&app)));
    }
    app.page(
        &v,
        "layanan/petugas/verifikasi.html",
        "Verifikasi Dua Langkah",
        Some("masuk"),
        context! {},
    )
}

pub async fn verify(
    State(app): State<AppState>,
    v: Visitor,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response> {
    app.check_form_token(&v, &form)?;
    let Some(p) = pending(&app, &v) else {
        return Ok(back_to_login(&app));
    };
    let key = failures_key(p.officer_id);
    if app.limits.login_failures.reached(app.store.as_ref(), &key).await? {
        tracing::warn!(ip = %v.ip, officer = p.officer_id, "second factor refused: account locked for a while");
        return Err(Error::TooMany);
    }
    let state = app.store.second_factor(p.officer_id).await?.ok_or(Error::NotFound)?;
    let Some(secret) = state.secret else {
        return Ok(see_other(&enrol_path(&app)));
    };
    let refuse = |status: StatusCode, galat: &str| {
        app.page_with_status(
            &v,
            status,
            "layanan/petugas/verifikasi.html",
            "Verifikasi Dua Langkah",
            Some("masuk"),
            context! { galat => galat },
        )
    };
    let accepted = match Answer::parse(form.get("kode").map_or("", String::as_str)) {
        None => return refuse(StatusCode::UNPROCESSABLE_ENTITY, NOT_A_CODE),
        Some(Answer::Code(code)) => match sf::matching_step(&secret, &code, now()) {
            Some(step) => app.store.accept_totp_step(p.officer_id, step).await?,
            None => false,
        },
        Some(Answer::Recovery(code)) => {
            let hash = sf::recovery_hash(p.officer_id, &code);
            app.store.spend_recovery_code(p.officer_id, &hash, now()).await?
        }
    };
    if !accepted {
        app.limits.login_failures.allow(app.store.as_ref(), &key).await?;
        tracing::warn!(ip = %v.ip, officer = p.officer_id, "second factor failed");
        return refuse(StatusCode::UNAUTHORIZED, WRONG_CODE);
    }
    app.limits.login_failures.clear(app.store.as_ref(), &key).await?;
    tracing::info!(ip = %v.ip, officer = p.officer_id, "second factor passed");
    finish(&app, &v, p.officer_id, None).await
}

/// The enrolment page's context: the key to type in, and the QR code of its address.
async fn enrolment(app: &AppState, officer_id: i64) -> Result<Option<minijinja::Value>> {
    let Some(state) = app.store.second_factor(officer_id).await? else {
        return Ok(None);
    };
    if state.secret.is_some() {
        return Ok(None);
    }
    let secret = match state.pending {
        Some(s) => s,
        None => {
            app.store.offer_totp(officer_id, &sf::new_secret()).await?;
            // Another tab may have offered one first: show whichever the store kept.
            match app.store.second_factor(officer_id).await?.and_then(|s| s.pending) {
                Some(s) => s,
                None => return Ok(None),
            }
        }
    };
    let officer = app.store.officer(officer_id).await?.ok_or(Error::NotFound)?;
    let issuer = app.content.situs.instansi.replace(':', " ");
    let uri = sf::otpauth_uri(&issuer, &officer.username, &secret);
    let grouped = secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(Some(context! {
        kunci => grouped,
        kode_qr => sf::qr_svg(&uri).map(minijinja::Value::from_safe_string),
        username => officer.username,
    }))
}

pub async fn show_enrol(State(app): State<AppState>, v: Visitor) -> Result<Response> {
    let Some(p) = pending(&app, &v) else {
        return Ok(back_to_login(&app));
    };
    let Some(ctx) = enrolment(&app, p.officer_id).await? else {
        return Ok(see_other(&verify_path(&app)));
    };
    app.page(
        &v,
        "layanan/petugas/aktifkan_verifikasi.html",
        "Aktifkan Verifikasi Dua Langkah",
        Some("masuk"),
        ctx,
    )
}

pub async fn enrol(
    State(app): State<AppState>,
    v: Visitor,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response> {
    app.check_form_token(&v, &form)?;
    let Some(p) = pending(&app, &v) else {
        return Ok(back_to_login(&app));
    };
    let key = failures_key(p.officer_id);
    if app.limits.login_failures.reached(app.store.as_ref(), &key).await? {
        return Err(Error::TooMany);
    }
    let state = app.store.second_factor(p.officer_id).await?.ok_or(Error::NotFound)?;
    let Some(secret) = state.pending.filter(|_| state.secret.is_none()) else {
        return Ok(see_other(&verify_path(&app)));
    };
    let step = match Answer::parse(form.get("kode").map_or("", String::as_str)) {
        Some(Answer::Code(code)) => sf::matching_step(&secret, &code, now()),
        _ => None,
    };
    let Some(step) = step else {
        app.limits.login_failures.allow(app.store.as_ref(), &key).await?;
        let ctx = enrolment(&app, p.officer_id).await?.unwrap_or_default();
        let galat = "Kode tidak cocok. Masukkan 6 angka yang sedang tampil di aplikasi autentikator setelah kode QR dipindai atau kunci dimasukkan.";
        return app.page_with_status(
            &v,
            StatusCode::UNPROCESSABLE_ENTITY,
            "layanan/petugas/aktifkan_verifikasi.html",
            "Aktifkan Verifikasi Dua Langkah",
            Some("masuk"),
            context! { galat => galat, ..ctx },
        );
    };
    let codes = sf::new_recovery_codes();
    let hashes = codes
        .iter()
        .filter_map(|c| match Answer::parse(c) {
            Some(Answer::Recovery(r)) => Some(sf::recovery_hash(p.officer_id, &r)),
            _ => None,
        })
        .collect();
    if !app.store.confirm_totp(p.officer_id, hashes, step, now()).await? {
        return Ok(see_other(&verify_path(&app)));
    }
    app.limits.login_failures.clear(app.store.as_ref(), &key).await?;
    tracing::info!(ip = %v.ip, officer = p.officer_id, "second factor enrolled");
    let page = app.page(
        &v,
        "layanan/petugas/kode_pemulihan.html",
        "Simpan Kode Pemulihan",
        Some("masuk"),
        context! { kode_pemulihan => codes },
    )?;
    finish(&app, &v, p.officer_id, Some(page)).await
}
