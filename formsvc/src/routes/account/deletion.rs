//! "Hapus Akun": the signed-in applicant reads what deleting their account erases and what the
//! archive schedule keeps, asks for it (an officer processes the request, `routes::rights`),
//! sees where the request stands, and may cancel it while it waits. Only their own request:
//! the session names it, never a form field.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{Value, context};

use crate::application::Status;
use crate::clock::{format_wib, now};
use crate::error::Result;
use crate::form::FormCheck;
use crate::records::DeletionStatus;
use crate::routes::auth::applicant_or_redirect;
use crate::routes::views;
use crate::web::{AppState, Visitor, see_other};

const TITLE: &str = "Hapus Akun";

#[derive(serde::Deserialize)]
pub struct DeletionQuery {
    #[serde(default)]
    info: Option<String>,
}

/// The page's values: the applicant's applications split into what goes and what stays, the
/// schedule's words for how long, and the waiting request if any.
async fn page_context(app: &AppState, applicant_id: i64) -> Result<Value> {
    views::active_applicant(app, applicant_id).await?;
    let (kept, erased): (Vec<_>, Vec<_>) = app
        .store
        .applications_of(applicant_id)
        .await?
        .into_iter()
        .partition(|a| a.status == Status::Selesai);
    let show = |a: &crate::records::ApplicationRecord| {
        context! { nomor => a.nomor, permit_nama => a.permit_nama, status_label => a.status.label() }
    };
    let request = app
        .store
        .deletion_request_of(applicant_id)
        .await?
        .filter(|r| r.status == DeletionStatus::Diajukan)
        .map(|r| context! { status_label => r.status.label(), waktu => format_wib(r.requested_at) });
    let schedule = &app.content.situs.retensi;
    Ok(context! {
        disimpan => kept.iter().map(show).collect::<Vec<_>>(),
        dihapus => erased.iter().map(show).collect::<Vec<_>>(),
        tahun_arsip => schedule.permohonan_selesai_tahun,
        sesudah_arsip => crate::retention::finished_then(schedule),
        hari_surel => schedule.surel_hari,
        permintaan => request,
    })
}

pub async fn show(State(app): State<AppState>, v: Visitor, Query(q): Query<DeletionQuery>) -> Result<Response> {
    let s = applicant_or_redirect!(app, v);
    let info = match q.info.as_deref() {
        Some("diajukan") => Some("Permintaan penghapusan akun Anda telah dicatat. Petugas akan memprosesnya."),
        Some("dibatalkan") => Some("Permintaan penghapusan akun Anda telah dibatalkan."),
        _ => None,
    };
    let ctx = page_context(&app, s.user_id).await?;
    app.page(
        &v,
        "layanan/hapus_akun.html",
        TITLE,
        None,
        context! { info => info, ..ctx },
    )
}

pub async fn request(
    State(app): State<AppState>,
    v: Visitor,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response> {
    let s = applicant_or_redirect!(app, v);
    app.check_form_token(&v, &form)?;
    let mut f = FormCheck::new(&form);
    if f.raw("konfirmasi") != "ya" {
        f.error(
            "konfirmasi",
            "Centang pernyataan bahwa Anda memahami data yang dihapus dan yang disimpan.",
        );
    }
    if !f.ok() {
        let ctx = page_context(&app, s.user_id).await?;
        return app.page_with_status(
            &v,
            StatusCode::UNPROCESSABLE_ENTITY,
            "layanan/hapus_akun.html",
            TITLE,
            None,
            context! { ..minijinja::value::merge_maps([f.context(), ctx]) },
        );
    }
    views::active_applicant(&app, s.user_id).await?;
    app.store.request_deletion(s.user_id, now()).await?;
    Ok(see_other(&format!("{}hapus-akun?info=diajukan", app.routes.beranda)))
}

pub async fn cancel(
    State(app): State<AppState>,
    v: Visitor,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response> {
    let s = applicant_or_redirect!(app, v);
    app.check_form_token(&v, &form)?;
    if !app.store.cancel_deletion(s.user_id, now()).await? {
        return Ok(app.message(
            &v,
            StatusCode::CONFLICT,
            "Tidak ada permintaan yang menunggu",
            "Tidak ada permintaan penghapusan akun yang dapat dibatalkan.",
        ));
    }
    Ok(see_other(&format!("{}hapus-akun?info=dibatalkan", app.routes.beranda)))
}
