//! Accounts: "Masuk" (applicants and officers alike, by username or email), "Keluar", setting a
//! password from an emailed link, "Lupa kata sandi", and "Layanan Pemohon" with the profile.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use minijinja::context;
use rusqlite::{OptionalExtension, params};

use crate::db::now;
use crate::domain::*;
use crate::error::{Error, Result};
use crate::form::FormCheck;
use crate::outbox;
use crate::security::{hash_password, random_token, token_hash, verify_password};
use crate::web::{AppState, NONCE_COOKIE, Role, SESSION_COOKIE, Session, Visitor, see_other};

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
    let account_key = format!("{}:{}", role.as_str(), &token_hash(&login)[..16]);
    if !app.limits.login_address.allow(&v.ip.to_string()) || app.limits.login_account.blocked(&account_key) {
        tracing::warn!(ip = %v.ip, account = %account_key, "login refused: rate limit");
        return Err(Error::TooMany);
    }
    let sql = match role {
        Role::Applicant => {
            "SELECT id, password_hash FROM applicants WHERE status = 'aktif' AND (username = ?1 OR lower(email) = ?1)"
        }
        Role::Officer => "SELECT id, password_hash FROM officers WHERE username = ?1 OR lower(email) = ?1",
    };
    let l = login.clone();
    let found: Option<(i64, Option<String>)> = app
        .db
        .read(move |c| Ok(c.query_row(sql, [l], |r| Ok((r.get(0)?, r.get(1)?))).optional()?))
        .await?;
    let (id, hash) = match found {
        Some((id, hash)) => (Some(id), hash),
        None => (None, None),
    };
    let ok = tokio::task::spawn_blocking(move || verify_password(&password, hash.as_deref()))
        .await
        .map_err(|e| Error::Internal(e.to_string()))?;
    let Some(user_id) = id.filter(|_| ok) else {
        app.limits.login_account.record(&account_key);
        tracing::warn!(ip = %v.ip, account = %account_key, role = role.as_str(), "login failed");
        let (template, judul) = login_page(role);
        let ctx = context! {
            nilai => context! { login => form.get("login").map(|s| s.trim()) },
            galat_login => LOGIN_FAILED,
        };
        return app.page_with_status(&v, StatusCode::UNAUTHORIZED, template, judul, Some("masuk"), ctx);
    };
    app.limits.login_account.reset(&account_key);
    tracing::info!(ip = %v.ip, account = %account_key, role = role.as_str(), "login succeeded");
    // A new session at every login: a token planted before login is worth nothing after it.
    let token = random_token();
    let hash = token_hash(&token);
    let old = v.session.as_ref().map(|s| s.token_hash.clone());
    let kind = role.as_str();
    app.db
        .write(move |tx| {
            if let Some(old) = old {
                tx.execute("DELETE FROM sessions WHERE token_hash = ?1", [old])?;
            }
            let now = now();
            tx.execute(
                "INSERT INTO sessions (token_hash, kind, user_id, created_at, last_seen_at) VALUES (?1, ?2, ?3, ?4, ?4)",
                params![hash, kind, user_id, now],
            )?;
            Ok(())
        })
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
    if let Some(s) = v.session.clone() {
        app.db
            .write(move |tx| {
                tx.execute("DELETE FROM sessions WHERE token_hash = ?1", [s.token_hash])?;
                Ok(())
            })
            .await?;
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

/// The signed-in session of `role`, or a redirect to its login page.
pub fn require(app: &AppState, v: &Visitor, role: Role) -> std::result::Result<Session, Box<Response>> {
    match &v.session {
        Some(s) if s.role == role => Ok(s.clone()),
        _ => {
            tracing::info!(ip = %v.ip, wanted = role.as_str(), "refused: not signed in");
            let login = match role {
                Role::Applicant => app.routes.masuk.clone(),
                Role::Officer => format!("{}/petugas/masuk", app.content.situs.layanan),
            };
            Err(Box::new(see_other(&format!("{login}?info=sesi"))))
        }
    }
}

#[derive(serde::Deserialize)]
pub struct TokenQuery {
    #[serde(default)]
    token: String,
}

/// A valid, unused, unexpired link token: (purpose, subject kind, subject id).
async fn valid_link(app: &AppState, token: &str) -> Result<Option<(String, String, i64)>> {
    if token.is_empty() || token.len() > 64 {
        return Ok(None);
    }
    let h = token_hash(token);
    app.db
        .read(move |c| {
            Ok(c.query_row(
                "SELECT purpose, subject_kind, subject_id FROM link_tokens
                 WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2",
                params![h, now()],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?)
        })
        .await
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
    let Some((_, kind, id)) = valid_link(&app, &token).await? else {
        tracing::warn!(ip = %v.ip, "refused: invalid or used password link");
        return Ok(app.message(&v, StatusCode::GONE, "Tautan tidak berlaku", LINK_INVALID));
    };
    let table = if kind == "petugas" { "officers" } else { "applicants" };
    let (username, email): (String, String) = app
        .db
        .read(move |c| {
            Ok(c.query_row(
                &format!("SELECT username, email FROM {table} WHERE id = ?1"),
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?)
        })
        .await?;
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
    let token_h = token_hash(&token);
    let used = app
        .db
        .write(move |tx| {
            // Spend the token first: of two racing submits, only one sets the password.
            let spent = tx.execute(
                "UPDATE link_tokens SET used_at = ?2 WHERE token_hash = ?1 AND used_at IS NULL",
                params![token_h, now()],
            )?;
            if spent == 0 {
                return Ok(false);
            }
            tx.execute(
                &format!("UPDATE {table} SET password_hash = ?2 WHERE id = ?1"),
                params![id, hash],
            )?;
            // Whoever held a session before the password changed holds it no longer.
            tx.execute(
                "DELETE FROM sessions WHERE kind = ?1 AND user_id = ?2",
                params![kind, id],
            )?;
            let instansi: String = tx.query_row(&format!("SELECT instansi FROM {table} WHERE id = ?1"), [id], |r| {
                r.get(0)
            })?;
            crate::audit::record(
                tx,
                &instansi,
                &kind,
                Some(id),
                &username,
                "sandi_diatur",
                &username,
                None,
            )?;
            Ok(true)
        })
        .await?;
    if !used {
        return Ok(app.message(&v, StatusCode::GONE, "Tautan tidak berlaku", LINK_INVALID));
    }
    tracing::info!(ip = %v.ip, "password set from an emailed link");
    let login = if table == "officers" {
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
    if !app.limits.reset_address.allow(&v.ip.to_string()) {
        tracing::warn!(ip = %v.ip, "password reset refused: rate limit");
        return Err(Error::TooMany);
    }
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
    let token = random_token();
    let hash = token_hash(&token);
    let link = app.link(&format!("{}/atur-sandi?token={token}", app.content.situs.layanan));
    let app2 = app.clone();
    let ttl = 3600;
    // The same work and the same answer whether or not the account exists.
    let sent = app
        .db
        .write(move |tx| {
            let found: Option<(i64, String, String, String, String)> = tx
                .query_row(
                    "SELECT id, username, email, nama, instansi FROM applicants
                     WHERE status = 'aktif' AND (username = ?1 OR lower(email) = ?1)",
                    [&login],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )
                .optional()?;
            let Some((id, username, email, nama, instansi)) = found else {
                return Ok(false);
            };
            let now = now();
            tx.execute(
                "INSERT INTO link_tokens (token_hash, purpose, subject_kind, subject_id, created_at, expires_at)
                 VALUES (?1, 'reset_sandi', 'pemohon', ?2, ?3, ?4)",
                params![hash, id, now, now + ttl],
            )?;
            let mail = app2.compose(
                "atur_ulang_sandi",
                &email,
                "Atur ulang kata sandi Layanan Pemohon".to_string(),
                Some(&instansi),
                context! { nama => nama, username => username, tautan => link, berlaku => "1 jam" },
            )?;
            outbox::enqueue(tx, &mail, &app2.message_domain)?;
            crate::audit::record(
                tx,
                &instansi,
                "pemohon",
                Some(id),
                &username,
                "sandi_direset",
                &username,
                None,
            )?;
            Ok(true)
        })
        .await?;
    if sent {
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

async fn profile(app: &AppState, id: i64) -> Result<Profile> {
    app.db
        .read(move |c| {
            Ok(c.query_row(
                "SELECT nomor, username, nama, email, instansi, tipe_identitas, nomor_identitas, jenis_kelamin, tempat_lahir,
                        tanggal_lahir, pekerjaan, npwp, telepon, alamat, kabupaten, kode_pos
                 FROM applicants WHERE id = ?1 AND status = 'aktif'",
                [id],
                |r| {
                    Ok(Profile {
                        nomor: r.get(0)?,
                        username: r.get(1)?,
                        nama: r.get(2)?,
                        email: r.get(3)?,
                        instansi: r.get(4)?,
                        tipe_identitas: r.get(5)?,
                        nomor_identitas: r.get(6)?,
                        jenis_kelamin: r.get(7)?,
                        tempat_lahir: r.get(8)?,
                        tanggal_lahir: r.get(9)?,
                        pekerjaan: r.get(10)?,
                        npwp: r.get(11)?,
                        telepon: r.get(12)?,
                        alamat: r.get(13)?,
                        kabupaten: r.get(14)?,
                        kode_pos: r.get(15)?,
                    })
                },
            )?)
        })
        .await
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
    let permohonan = crate::routes::application::list_for(&app, s.user_id).await?;
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
    let id = s.user_id;
    app.db
        .write(move |tx| {
            tx.execute(
                "UPDATE applicants SET telepon = ?2, alamat = ?3, kabupaten = ?4, kode_pos = ?5 WHERE id = ?1 AND status = 'aktif'",
                params![id, telepon.as_str(), alamat, kabupaten, kode_pos.as_str()],
            )?;
            let (instansi, username): (String, String) =
                tx.query_row("SELECT instansi, username FROM applicants WHERE id = ?1", [id], |r| Ok((r.get(0)?, r.get(1)?)))?;
            crate::audit::record(tx, &instansi, "pemohon", Some(id), &username, "profil_diubah", &username, None)?;
            Ok(())
        })
        .await?;
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
    if !app.limits.status_address.allow(&v.ip.to_string()) {
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
            let digits: String = kunci.chars().filter(|c| c.is_ascii_digit()).collect();
            app.db
                .read(move |c| {
                    Ok(c.query_row(
                        "SELECT a.id, a.permit_nama, a.status FROM applications a JOIN applicants p ON p.id = a.applicant_id
                         WHERE a.nomor = ?1 AND a.status != 'draf' AND (lower(p.email) = ?2 OR (length(?3) = 16 AND p.nomor_identitas = ?3))",
                        params![nomor, kunci, digits],
                        |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)),
                    )
                    .optional()?)
                })
                .await?
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
    let riwayat = crate::routes::application::timeline(&app, id).await?;
    // The timeline for the public: dates and statuses, no names or notes.
    let riwayat: Vec<minijinja::Value> = riwayat
        .iter()
        .map(|e| context! { waktu => e.get_attr("waktu").ok(), status => e.get_attr("status").ok() })
        .collect();
    let status_label = crate::application::Status::parse(&status).map_or("", |s| s.label());
    let ctx = context! {
        nilai => nilai,
        hasil => context! { nomor => crate::application::normalise_number(&raw_nomor), izin => izin, status => status_label, riwayat => riwayat },
    };
    app.page(&v, "layanan/cek_status.html", "Cek Status", None, ctx)
}
