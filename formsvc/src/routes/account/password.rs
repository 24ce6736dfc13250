//! Passwords: "Atur Kata Sandi" from an emailed single-use link, and "Lupa Kata Sandi", which
//! emails such a link and answers the same whether or not the account exists.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;

use crate::clock::now;
use crate::domain::*;
use crate::error::{Error, Result};
use crate::form::FormCheck;
use crate::records::{LinkPurpose, LinkRecord, NewLink};
use crate::security::{hash_password, random_token, token_hash};
use crate::web::{AppState, Role, Visitor, see_other};

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
    // Every rule the password breaks, and a repeat that differs, are said at once.
    let officer = link.role == Role::Officer;
    let (u, e) = (Some(username.as_str()), Some(email.as_str()));
    let problems = if officer {
        NewPassword::problems_for_officer(&password, u, e)
    } else {
        NewPassword::problems(&password, u, e)
    };
    for p in problems {
        f.error("password", p.to_string());
    }
    if !password.is_empty() && form.get("password2") != Some(&password) {
        f.error("password2", "Ulangi kata sandi yang sama persis.");
    }
    let parsed = match (f.ok(), officer) {
        (false, _) => None,
        (true, true) => NewPassword::parse_for_officer(&password, u, e).ok(),
        (true, false) => NewPassword::parse(&password, u, e).ok(),
    };
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
    let notice = app.compose(
        "sandi_diubah",
        &email,
        "Kata sandi akun Anda telah diatur".to_string(),
        Some(&names.instansi),
        context! {
            nama => names.nama,
            username => &username,
            waktu => crate::clock::format_wib(now()),
            lupa_sandi => app.link(&format!("{}/lupa-sandi", app.content.situs.layanan)),
        },
    )?;
    let used = app
        .store
        .set_password(&token_hash(&token), link.role, link.subject_id, &hash, notice, now())
        .await?;
    app.mail_wake.notify_one();
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
    // The same answer, at the same time, whether or not the account exists: the lookup and
    // the durable write happen after the answer, so its timing tells nothing.
    let worker = app.clone();
    tokio::spawn(async move {
        if let Err(e) = send_reset_link(&worker, &login).await {
            tracing::error!(error = %e, "password reset link could not be issued");
        }
    });
    Ok(app.message(
        &v,
        StatusCode::OK,
        "Periksa surel Anda",
        "Bila nama pengguna atau alamat surel tersebut terdaftar dan aktif, kami telah mengirim tautan untuk mengatur ulang \
         kata sandi. Tautan berlaku 1 jam dan hanya dapat dipakai sekali. Bila surel tidak ada di kotak masuk, periksa folder spam.",
    ))
}

/// Issues a reset link and its email when `login` names an active applicant; nothing otherwise.
async fn send_reset_link(app: &AppState, login: &str) -> Result<()> {
    let Some((id, names)) = app.store.active_applicant(login).await? else {
        return Ok(());
    };
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
    Ok(())
}
