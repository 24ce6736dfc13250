//! "Periksa dan Ajukan": the summary of the answers, and Ajukan, which hands the application to
//! the unit and emails the applicant and the unit's officers in the same write.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;

use super::{missing_required, owned, requirement_rows};
use crate::application::Status;
use crate::clock::now;
use crate::error::Result;
use crate::records::{ApplicationRecord, Submitted};
use crate::routes::auth::applicant_or_redirect;
use crate::routes::views::{self, ApplicationView};
use crate::web::{AppState, Visitor, see_other};

#[derive(serde::Deserialize, Default)]
pub struct SummaryQuery {
    /// `diubah`: back from "Ubah" with the data saved.
    #[serde(default)]
    info: Option<String>,
}

pub async fn check_answers(
    State(app): State<AppState>,
    v: Visitor,
    Path(nomor): Path<String>,
    Query(q): Query<SummaryQuery>,
) -> Result<Response> {
    let s = applicant_or_redirect!(app, v);
    let a = owned(&app, &nomor, s.user_id).await?;
    let saved = q.info.as_deref() == Some("diubah");
    summary(&app, &v, &a, StatusCode::OK, saved).await
}

async fn summary(
    app: &AppState,
    v: &Visitor,
    a: &ApplicationRecord,
    status: StatusCode,
    saved: bool,
) -> Result<Response> {
    let docs = views::documents(app, a.id).await?;
    let ctx = context! {
        permohonan => ApplicationView::of(a),
        syarat => requirement_rows(a, &docs),
        kurang => missing_required(a, &docs),
        bisa_ubah => a.status.editable(),
        info => saved.then_some("Data permohonan telah diperbarui."),
    };
    app.page_with_status(v, status, "layanan/ajukan.html", "Periksa dan Ajukan", None, ctx)
}

pub async fn submit(
    State(app): State<AppState>,
    v: Visitor,
    Path(nomor): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response> {
    let s = applicant_or_redirect!(app, v);
    app.check_form_token(&v, &form)?;
    let a = owned(&app, &nomor, s.user_id).await?;
    let docs = views::documents(&app, a.id).await?;
    if !missing_required(&a, &docs).is_empty() || !a.status.editable() {
        return summary(&app, &v, &a, StatusCode::UNPROCESSABLE_ENTITY, false).await;
    }
    let console = app.link(&format!("{}petugas/permohonan/{}", app.routes.beranda, a.nomor));
    let detail_link = app.link(&format!("{}permohonan/{}", app.routes.beranda, a.nomor));
    let (app2, a2) = (app.clone(), a.clone());
    let compose = Box::new(move |sub: &Submitted| {
        let ulang = sub.from == Status::Perbaikan;
        let mut mails = vec![app2.compose(
            "permohonan_diajukan",
            &sub.applicant.email,
            format!("Permohonan diajukan: {}", a2.nomor),
            Some(&a2.instansi),
            context! { nama => sub.applicant.nama, nomor => a2.nomor, izin => a2.permit_nama, tautan => detail_link, ulang => ulang },
        )?];
        for officer in &sub.officers {
            mails.push(app2.compose(
                "permohonan_masuk",
                &officer.email,
                format!("Permohonan masuk: {} ({})", a2.nomor, a2.permit_nama),
                Some(&a2.instansi),
                context! { nama_petugas => officer.nama, nomor => a2.nomor, izin => a2.permit_nama, tautan => console, ulang => ulang },
            )?);
        }
        Ok(mails)
    });
    app.store.submit_application(a.id, s.user_id, now(), compose).await?;
    app.metrics.acknowledged("pengajuan");
    app.mail_wake.notify_one();
    Ok(see_other(&format!(
        "{}permohonan/{}?info=diajukan",
        app.routes.beranda, a.nomor
    )))
}
