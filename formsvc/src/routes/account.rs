//! Accounts: "Masuk" (applicants and officers alike, by username or email), "Keluar", setting a
//! password from an emailed link, "Lupa kata sandi", and "Layanan Pemohon" with the profile.

use std::collections::HashMap;

use crate::clock::now;
use crate::domain::*;
use crate::error::{Error, Result};
use crate::form::FormCheck;
use crate::records::{Applicant, ContactUpdate, LinkPurpose, LinkRecord, NewLink};
use crate::routes::auth::require;
use crate::routes::views;
use crate::security::{hash_password, random_token, token_hash, verify_password};
use crate::web::{AppState, NONCE_COOKIE, Role, SESSION_COOKIE, Visitor, see_other};
use axum::Form;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use minijinja::context;

/// What a failed login always says: never whether the username or the password was wrong.
const LOGIN_FAILED: &str = "Nama pengguna/surel atau kata sandi salah, atau akun belum aktif.";

#[derive(serde::Deserialize)]
pub struct LoginQuery {
    #[serde(default)]
    info: Option<String>,
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
    app.page(
        &v,
        template,
        judul,
        Some("masuk"),
        context! { info => login_info(q.info.as_deref()) },
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
    let password = form.get("password").cloned().unwrap_or_default();
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
        };
        return app.page_with_status(&v, StatusCode::UNAUTHORIZED, template, judul, Some("masuk"), ctx);
    };
    app.limits
        .login_failures
        .clear(app.store.as_ref(), &failures_key)
        .await?;
    tracing::info!(ip = %v.ip, account = %typed_key, role = role.as_str(), "login succeeded");
    // A new session at every login: a token planted before login is worth nothing after it.
    let token = random_token();
    let old = v.session.as_ref().map(|s| s.token_hash.as_str());
    app.store
        .start_session(&token_hash(&token), role, user_id, now(), old)
        .await?;
    let target = match role {
        Role::Applicant => app.routes.beranda.clone(),
        Role::Officer => format!("{}/petugas/", app.content.situs.layanan),
    };
    let mut response = see_other(&target);
    let h = response.headers_mut();
    h.append(header::SET_COOKIE, app.cookie(SESSION_COOKIE, &token, None));
    // A fresh form-token nonce too, so tokens issued before login stop working.
    h.append(header::SET_COOKIE, app.cookie(NONCE_COOKIE, &random_token(), None));
    Ok(response)
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
    response
        .headers_mut()
        .append(header::SET_COOKIE, app.cookie(SESSION_COOKIE, "", Some(0)));
    Ok(response)
}

#[derive(serde::Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// A valid, unused, unexpired link.
async fn valid_link(app: &AppState, token: &str) -> Result<Option<LinkRecord>> {
    if token.is_empty() || token.len() > 64 {
        return Ok(None);
    }
    app.store.valid_link(&token_hash(token), now()).await
}

const LINK_INVALID: &str = "Tautan ini tidak berlaku lagi: sudah dipakai, sudah kedaluwarsa, atau tidak lengkap. \
     Minta tautan baru melalui Lupa Kata Sandi di halaman Masuk.";

pub async fn show_set_password(
    State(app): State<AppState>,
    v: Visitor,
    Query(q): Query<TokenQuery>,
) -> Result<Response> {
    if valid_link(&app, &q.token).await?.is_none() {
        tracing::warn!(ip = %v.ip, "refused: invalid or used password link");
        return Ok(app.message(&v, StatusCode::GONE, "Tautan tidak berlaku", LINK_INVALID));
    }
    app.page(
        &v,
        "layanan/atur_sandi.html",
        "Atur Kata Sandi",
        None,
        context! { token => q.token },
    )
}

pub async fn set_password(
    State(app): State<AppState>,
    v: Visitor,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response> {
    app.check_form_token(&v, &form)?;
    let token = form.get("token").cloned().unwrap_or_default();
    let Some(link) = valid_link(&app, &token).await? else {
        tracing::warn!(ip = %v.ip, "refused: invalid or used password link");
        return Ok(app.message(&v, StatusCode::GONE, "Tautan tidak berlaku", LINK_INVALID));
    };
    let Some(names) = app.store.account_names(link.role, link.subject_id).await? else {
        return Ok(app.message(&v, StatusCode::GONE, "Tautan tidak berlaku", LINK_INVALID));
    };
    let (username, email) = (names.username, names.email);
    let mut f = FormCheck::new(&form);
    let password = form.get("password").cloned().unwrap_or_default();
    let parsed = match NewPassword::parse(&password, Some(&username), Some(&email)) {
        Ok(p) => Some(p),
        Err(e) => {
            f.error("password", e.to_string());
            None
        }
    };
    if parsed.is_some() && form.get("password2") != Some(&password) {
        f.error("password2", "Ulangi kata sandi yang sama persis.");
    }
    let Some(password) = parsed.filter(|_| f.ok()) else {
        let ctx = context! { token => token, ..f.context() };
        return app.page_with_status(
            &v,
            StatusCode::UNPROCESSABLE_ENTITY,
            "layanan/atur_sandi.html",
            "Atur Kata Sandi",
            None,
            ctx,
        );
    };
    let pw = password.expose().to_string();
    let hash = tokio::task::spawn_blocking(move || hash_password(&pw))
        .await
        .map_err(|e| Error::Internal(e.to_string()))??;
    let used = app
        .store
        .set_password(&token_hash(&token), link.role, link.subject_id, &hash, now())
        .await?;
    if !used {
        return Ok(app.message(&v, StatusCode::GONE, "Tautan tidak berlaku", LINK_INVALID));
    }
    tracing::info!(ip = %v.ip, "password set from an emailed link");
    let login = if link.role == Role::Officer {
        format!("{}/petugas/masuk", app.content.situs.layanan)
    } else {
        app.routes.masuk.clone()
    };
    Ok(see_other(&format!("{login}?info=sandi")))
}

pub async fn show_forgot(State(app): State<AppState>, v: Visitor) -> Result<Response> {
    app.page(
        &v,
        "layanan/lupa_sandi.html",
        "Lupa Kata Sandi",
        Some("masuk"),
        context! {},
    )
}

pub async fn forgot(
    State(app): State<AppState>,
    v: Visitor,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response> {
    app.check_form_token(&v, &form)?;
    let login = form.get("login").map(|s| s.trim().to_lowercase()).unwrap_or_default();
    if login.is_empty() {
        let mut f = FormCheck::new(&form);
        f.error("login", "Masukkan nama pengguna atau alamat surel akun Anda.");
        return app.page_with_status(
            &v,
            StatusCode::UNPROCESSABLE_ENTITY,
            "layanan/lupa_sandi.html",
            "Lupa Kata Sandi",
            Some("masuk"),
            f.context(),
        );
    }
    if !app.limits.reset_identifier.allow(app.store.as_ref(), &login).await?
        || !app
            .limits
            .reset_address
            .allow(app.store.as_ref(), &v.ip.to_string())
            .await?
    {
        tracing::warn!(ip = %v.ip, "password reset refused: rate limit");
        return Err(Error::TooMany);
    }
    // The same answer whether or not the account exists.
    if let Some((id, names)) = app.store.active_applicant(&login).await? {
        let token = random_token();
        let tautan = app.link(&format!("{}/atur-sandi?token={token}", app.content.situs.layanan));
        let now = now();
        let mail = app.compose(
            "atur_ulang_sandi",
            &names.email,
            "Atur ulang kata sandi Layanan Pemohon".to_string(),
            Some(&names.instansi),
            context! { nama => names.nama, username => names.username, tautan => tautan, berlaku => "1 jam" },
        )?;
        let link = NewLink {
            token_hash: token_hash(&token),
            purpose: LinkPurpose::ResetPassword,
            expires_at: now + 3600,
        };
        app.store.issue_reset_link(id, link, mail, now).await?;
        app.mail_wake.notify_one();
    }
    Ok(app.message(
        &v,
        StatusCode::OK,
        "Periksa surel Anda",
        "Bila nama pengguna atau alamat surel tersebut terdaftar dan aktif, kami telah mengirim tautan untuk mengatur ulang \
         kata sandi. Tautan berlaku 1 jam dan hanya dapat dipakai sekali. Bila surel tidak ada di kotak masuk, periksa folder spam.",
    ))
}

/// The applicant as "Layanan Pemohon" shows them.
#[derive(serde::Serialize)]
struct Profile {
    nomor: String,
    username: String,
    nama: String,
    email: String,
    instansi: String,
    tipe_identitas: String,
    nomor_identitas: String,
    jenis_kelamin: String,
    tempat_lahir: String,
    tanggal_lahir: String,
    pekerjaan: String,
    npwp: Option<String>,
    telepon: String,
    alamat: String,
    kabupaten: String,
    kode_pos: String,
}

impl Profile {
    fn of(a: &Applicant) -> Profile {
        Profile {
            nomor: a.nomor.clone(),
            username: a.username.as_str().to_string(),
            nama: a.nama.as_str().to_string(),
            email: a.email.as_str().to_string(),
            instansi: a.instansi.clone(),
            tipe_identitas: a.tipe_identitas.code().to_string(),
            nomor_identitas: a.nomor_identitas.clone(),
            jenis_kelamin: a.jenis_kelamin.code().to_string(),
            tempat_lahir: a.tempat_lahir.clone(),
            tanggal_lahir: a.tanggal_lahir.clone(),
            pekerjaan: a.pekerjaan.clone(),
            npwp: a.npwp.as_ref().map(|n| n.as_str().to_string()),
            telepon: a.telepon.as_str().to_string(),
            alamat: a.alamat.clone(),
            kabupaten: a.kabupaten.clone(),
            kode_pos: a.kode_pos.as_str().to_string(),
        }
    }
}

async fn profile(app: &AppState, id: i64) -> Result<Profile> {
    Ok(Profile::of(&views::active_applicant(app, id).await?))
}

#[derive(serde::Deserialize)]
pub struct HomeQuery {
    #[serde(default)]
    info: Option<String>,
}

pub async fn home(State(app): State<AppState>, v: Visitor, Query(q): Query<HomeQuery>) -> Result<Response> {
    let s = match require(&app, &v, Role::Applicant) {
        Ok(s) => s,
        Err(redirect) => return Ok(*redirect),
    };
    let p = profile(&app, s.user_id).await?;
    let info = (q.info.as_deref() == Some("profil")).then_some("Data kontak Anda telah disimpan.");
    let permohonan = views::applications_of(&app, s.user_id).await?;
    let ctx = context! { pemohon => p, permohonan => permohonan, info => info };
    app.page(&v, "layanan/beranda_pemohon.html", "Layanan Pemohon", None, ctx)
}

pub async fn show_profile(State(app): State<AppState>, v: Visitor) -> Result<Response> {
    let s = match require(&app, &v, Role::Applicant) {
        Ok(s) => s,
        Err(redirect) => return Ok(*redirect),
    };
    let p = profile(&app, s.user_id).await?;
    let kode = crate::wilayah::KABUPATEN_KOTA
        .iter()
        .find(|(_, n)| *n == p.kabupaten)
        .map_or("luar", |(k, _)| *k);
    let nilai = context! { telepon => p.telepon, alamat => p.alamat, kabupaten => kode, kode_pos => p.kode_pos };
    app.page(
        &v,
        "layanan/profil.html",
        "Ubah Data Kontak",
        None,
        context! { nilai => nilai, ..kabupaten_options() },
    )
}

fn kabupaten_options() -> minijinja::Value {
    let list: Vec<minijinja::Value> = crate::wilayah::KABUPATEN_KOTA
        .iter()
        .chain(std::iter::once(&crate::wilayah::LUAR_SUMSEL))
        .map(|(kode, nama)| context! { kode => kode, nama => nama })
        .collect();
    context! { kabupaten_pilihan => list }
}

pub async fn update_profile(
    State(app): State<AppState>,
    v: Visitor,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response> {
    let s = match require(&app, &v, Role::Applicant) {
        Ok(s) => s,
        Err(redirect) => return Ok(*redirect),
    };
    app.check_form_token(&v, &form)?;
    let mut f = FormCheck::new(&form);
    let telepon = f.required("telepon", "Masukkan nomor handphone yang aktif.", PhoneNumber::parse);
    let alamat = f.text("alamat", "alamat sesuai KTP", 5, 200);
    let kabupaten = crate::wilayah::name_of(f.raw("kabupaten"));
    if kabupaten.is_none() {
        f.error("kabupaten", "Pilih kabupaten/kota tempat tinggal.");
    }
    let kode_pos = f.required("kode_pos", "Masukkan kode pos 5 digit.", PostalCode::parse);
    let (Some(telepon), Some(alamat), Some(kabupaten), Some(kode_pos), true) =
        (telepon, alamat, kabupaten, kode_pos, f.ok())
    else {
        let nilai: HashMap<&str, String> = ["telepon", "alamat", "kabupaten", "kode_pos"]
            .iter()
            .map(|k| (*k, form.get(*k).cloned().unwrap_or_default()))
            .collect();
        let ctx = context! { nilai => nilai, ..minijinja::value::merge_maps([f.context(), kabupaten_options()]) };
        return app.page_with_status(
            &v,
            StatusCode::UNPROCESSABLE_ENTITY,
            "layanan/profil.html",
            "Ubah Data Kontak",
            None,
            ctx,
        );
    };
    let update = ContactUpdate {
        telepon,
        alamat,
        kabupaten: kabupaten.to_string(),
        kode_pos,
    };
    app.store.update_contact(s.user_id, update, now()).await?;
    Ok(see_other(&format!("{}?info=profil", app.routes.beranda)))
}

/// "Cek Status": the status of an application from its number together with the applicant's
/// email or NIK. It shows the permit, the status and the dates of the timeline, nothing personal,
/// and answers a wrong number and a wrong email alike.
pub async fn check_status(State(app): State<AppState>, v: Visitor) -> Result<Response> {
    app.page(
        &v,
        "layanan/cek_status.html",
        "Cek Status",
        None,
        context! { nilai => context! { nomor => "", kunci => "" } },
    )
}

pub async fn check_status_submit(
    State(app): State<AppState>,
    v: Visitor,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response> {
    app.check_form_token(&v, &form)?;
    if !app
        .limits
        .status_address
        .allow(app.store.as_ref(), &v.ip.to_string())
        .await?
    {
        tracing::warn!(ip = %v.ip, "status lookup refused: rate limit");
        return Err(Error::TooMany);
    }
    let raw_nomor = form.get("nomor").map(|s| s.trim()).unwrap_or("").to_string();
    let kunci = form.get("kunci").map(|s| s.trim().to_lowercase()).unwrap_or_default();
    let nilai = context! { nomor => raw_nomor, kunci => form.get("kunci").map(|s| s.trim()) };
    let mut f = FormCheck::new(&form);
    if raw_nomor.is_empty() {
        f.error("nomor", "Masukkan nomor permohonan, misalnya PRM-7KX9-M2QH.");
    }
    if kunci.is_empty() {
        f.error("kunci", "Masukkan alamat surel atau NIK pemohon.");
    }
    if !f.ok() {
        return app.page_with_status(
            &v,
            StatusCode::UNPROCESSABLE_ENTITY,
            "layanan/cek_status.html",
            "Cek Status",
            None,
            context! { nilai => nilai, ..f.context() },
        );
    }
    let found = match crate::application::normalise_number(&raw_nomor) {
        Some(nomor) => {
            if !app.limits.status_number.allow(app.store.as_ref(), &nomor).await? {
                tracing::warn!(ip = %v.ip, "status lookup refused: rate limit for the number");
                return Err(Error::TooMany);
            }
            let digits: String = kunci.chars().filter(|c| c.is_ascii_digit()).collect();
            app.store
                .status_lookup(&nomor, &kunci, &digits)
                .await?
                .map(|f| (f.id, f.permit_nama, f.status))
        }
        None => None,
    };
    let Some((id, izin, status)) = found else {
        tracing::info!(ip = %v.ip, "status lookup: no match");
        let ctx = context! { nilai => nilai, tidak_ditemukan => true };
        return app.page_with_status(
            &v,
            StatusCode::NOT_FOUND,
            "layanan/cek_status.html",
            "Cek Status",
            None,
            ctx,
        );
    };
    let riwayat = views::public_timeline(&app, id).await?;
    let status_label = status.label();
    let ctx = context! {
        nilai => nilai,
        hasil => context! { nomor => crate::application::normalise_number(&raw_nomor), izin => izin, status => status_label, riwayat => riwayat },
    };
    app.page(&v, "layanan/cek_status.html", "Cek Status", None, ctx)
}
