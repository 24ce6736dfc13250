//! The console's "Perbaikan identitas": the name and identity number corrections the
//! applicants of the officer's instansi asked for, one request with the data as it stands and
//! as asked (a look at personal data, so it goes into the processing record first), and
//! "Setujui" / "Tolak" (with a reason the applicant reads).

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{Value, context};

use crate::clock::{format_wib, now};
use crate::error::{Error, Result};
use crate::form::FormCheck;
use crate::records::{Correction, CorrectionVerdict, DecidedCorrection, Decision, NewAccess, Officer};
use crate::routes::auth::officer_or_redirect;
use crate::web::{AppState, Visitor, see_other};

#[derive(serde::Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    info: Option<String>,
}

pub async fn list(State(app): State<AppState>, v: Visitor, Query(q): Query<ListQuery>) -> Result<Response> {
    let o = officer_or_redirect!(app, v);
    let info = (q.info.as_deref() == Some("keputusan"))
        .then_some("Keputusan tersimpan dan surel pemberitahuan dikirim kepada pemohon.");
    // Numbers and fields only: the values are on the request's own page, which is recorded.
    let rows: Vec<Value> = app
        .store
        .pending_corrections(&o.instansi)
        .await?
        .iter()
        .map(|c| context! { id => c.id, nomor => c.nomor, bagian => c.field.label(), waktu => format_wib(c.requested_at) })
        .collect();
    app.page(
        &v,
        "layanan/petugas/koreksi_daftar.html",
        "Perbaikan Identitas",
        Some("koreksi"),
        context! { petugas => o, koreksi => rows, info => info },
    )
}

/// The request `id` of the officer's instansi with the account's current values, recorded as
/// a look at the registration; "not found" for anything else.
async fn request_view(app: &AppState, o: &Officer, id: i64) -> Result<(Correction, Value)> {
    let c = app.store.correction(id, &o.instansi).await?.ok_or(Error::NotFound)?;
    let a = app
        .store
        .registration(c.applicant_id, &o.instansi)
        .await?
        .ok_or(Error::NotFound)?;
    app.store.record_access(NewAccess::registration(o, a.id), now()).await?;
    let sekarang = match c.field {
        crate::records::CorrectedField::Nama => a.nama.as_str().to_string(),
        crate::records::CorrectedField::NomorIdentitas => a.nomor_identitas.clone(),
    };
    let view = context! {
        id => c.id, nomor => c.nomor, registrasi_id => a.id, bagian => c.field.label(),
        sekarang => sekarang, menjadi => c.value, alasan => c.alasan,
        tipe_identitas => (c.field == crate::records::CorrectedField::NomorIdentitas).then(|| a.tipe_identitas.code()),
        status_label => c.status.label(),
        menunggu => c.status == crate::records::CorrectionStatus::Diajukan,
        waktu => format_wib(c.requested_at),
    };
    Ok((c, view))
}

pub async fn detail(State(app): State<AppState>, v: Visitor, Path(id): Path<i64>) -> Result<Response> {
    let o = officer_or_redirect!(app, v);
    let (_, view) = request_view(&app, &o, id).await?;
    app.page(
        &v,
        "layanan/petugas/koreksi.html",
        "Perbaikan Identitas",
        Some("koreksi"),
        context! { petugas => o, koreksi => view },
    )
}

pub async fn approve(
    State(app): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response> {
    let o = officer_or_redirect!(app, v);
    app.check_form_token(&v, &form)?;
    decide(&app, &v, &o, id, CorrectionVerdict::Approve).await
}

pub async fn refuse(
    State(app): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response> {
    let o = officer_or_redirect!(app, v);
    app.check_form_token(&v, &form)?;
    let mut f = FormCheck::new(&form);
    let Some(alasan) = f.text("alasan_tolak", "alasan penolakan", 10, 1000) else {
        let (_, view) = request_view(&app, &o, id).await?;
        let ctx = context! { petugas => o, koreksi => view, nilai => form, ..f.context() };
        return app.page_with_status(
            &v,
            StatusCode::UNPROCESSABLE_ENTITY,
            "layanan/petugas/koreksi.html",
            "Perbaikan Identitas",
            Some("koreksi"),
            ctx,
        );
    };
    decide(&app, &v, &o, id, CorrectionVerdict::Refuse(alasan)).await
}

async fn decide(app: &AppState, v: &Visitor, o: &Officer, id: i64, verdict: CorrectionVerdict) -> Result<Response> {
    let app2 = app.clone();
    let compose = Box::new(move |d: &DecidedCorrection| {
        let disetujui = d.correction.status == crate::records::CorrectionStatus::Disetujui;
        let subject = if disetujui {
            format!("Perbaikan data disetujui: {}", d.correction.nomor)
        } else {
            format!("Perbaikan data ditolak: {}", d.correction.nomor)
        };
        Ok(vec![app2.compose(
            "koreksi_identitas",
            &d.to.email,
            subject,
            None,
            context! {
                nama => d.to.nama, nomor => d.correction.nomor, bagian => d.correction.field.label(),
                disetujui => disetujui, alasan_tolak => d.correction.alasan_tolak,
                profil_url => app2.link(&format!("{}profil", app2.routes.beranda)),
            },
        )?])
    });
    match app.store.decide_correction(id, o, verdict, now(), compose).await? {
        Decision::Done => {
            app.mail_wake.notify_one();
            Ok(see_other(&format!(
                "{}/petugas/koreksi?info=keputusan",
                app.content.situs.layanan
            )))
        }
        Decision::AlreadyDecided => Ok(app.message(
            v,
            StatusCode::CONFLICT,
            "Permintaan sudah diputuskan",
            "Permintaan perbaikan ini sudah disetujui atau ditolak sebelumnya; keputusan tidak diubah.",
        )),
        Decision::NotFound => Err(Error::NotFound),
    }
}
