//! "Cek Status", open to anyone who knows the number and the applicant's email or NIK.

use std::collections::HashMap;

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;

use crate::error::{Error, Result};
use crate::form::FormCheck;
use crate::routes::views;
use crate::web::{AppState, Visitor};

/// "Cek Status": the status of an application from its number together with the applicant's
/// email or NIK. It shows the permit, the status and the dates of the timeline, nothing personal,
/// and answers a wrong number and a wrong email alike.
pub async fn check_status(State(app): State<AppState>, v: Visitor) -> Result<Response> {
    app.page(
        &v,
        "layanan/cek_status.html",
        "Cek Status",
        Some("cek_status"),
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
            Some("cek_status"),
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
            Some("cek_status"),
            ctx,
        );
    };
    let riwayat = views::public_timeline(&app, id).await?;
    let status_label = status.label();
    let ctx = context! {
        nilai => nilai,
        hasil => context! { nomor => crate::application::normalise_number(&raw_nomor), izin => izin, status => status_label, riwayat => riwayat },
    };
    app.page(&v, "layanan/cek_status.html", "Cek Status", Some("cek_status"), ctx)
}
