//! "Ubah" from "Periksa dan Ajukan": NIB, PEMOHON and PERUSAHAAN corrected with the rules and
//! messages of PERMOHONAN, then back to the summary. Open while the application is the
//! applicant's to edit (a draft, or sent back for correction), as DOKUMEN is.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use generator::ApplicantType;
use minijinja::{Value, context};

use super::{owned, parse_details};
use crate::clock::now;
use crate::error::Result;
use crate::form::FormCheck;
use crate::records::ApplicationRecord;
use crate::routes::auth::applicant_or_redirect;
use crate::routes::views::ApplicationView;
use crate::web::{AppState, Visitor, see_other};

/// The fields as stored, under the names of the form's inputs.
fn stored_values(a: &ApplicationRecord) -> HashMap<String, String> {
    let mut v = HashMap::from([
        ("nib".to_string(), a.nib.clone().unwrap_or_default()),
        ("pemohon_nama".to_string(), a.pemohon.nama.clone()),
        ("pemohon_identitas".to_string(), a.pemohon.identitas.clone()),
        ("pemohon_telepon".to_string(), a.pemohon.telepon.clone()),
        ("pemohon_email".to_string(), a.pemohon.email.clone()),
        ("pemohon_alamat".to_string(), a.pemohon.alamat.clone()),
    ]);
    if let Some(p) = &a.perusahaan {
        v.extend([
            ("perusahaan_nama".to_string(), p.nama.clone()),
            ("perusahaan_npwp".to_string(), p.npwp.clone()),
            ("perusahaan_alamat".to_string(), p.alamat.clone()),
            ("perusahaan_telepon".to_string(), p.telepon.clone()),
            ("perusahaan_email".to_string(), p.email.clone()),
        ]);
    }
    v
}

fn edit_page(
    app: &AppState,
    v: &Visitor,
    status: StatusCode,
    a: &ApplicationRecord,
    values: &HashMap<String, String>,
    errors: Value,
) -> Result<Response> {
    let ctx = context! {
        permohonan => ApplicationView::of(a),
        perusahaan => a.who == ApplicantType::Perusahaan,
        nilai => values,
        ..errors
    };
    app.page_with_status(
        v,
        status,
        "layanan/ubah_permohonan.html",
        "Ubah data permohonan",
        None,
        ctx,
    )
}

/// The answer to a change of an application that is no longer the applicant's to edit.
fn closed(app: &AppState, v: &Visitor) -> Response {
    app.message(
        v,
        StatusCode::CONFLICT,
        "Data permohonan tidak dapat diubah",
        "Permohonan ini sudah diajukan; datanya tidak dapat diubah kecuali petugas mengembalikannya untuk perbaikan.",
    )
}

pub async fn edit_form(State(app): State<AppState>, v: Visitor, Path(nomor): Path<String>) -> Result<Response> {
    let s = applicant_or_redirect!(app, v);
    let a = owned(&app, &nomor, s.user_id).await?;
    if !a.status.editable() {
        return Ok(closed(&app, &v));
    }
    edit_page(&app, &v, StatusCode::OK, &a, &stored_values(&a), context! {})
}

pub async fn save(
    State(app): State<AppState>,
    v: Visitor,
    Path(nomor): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response> {
    let s = applicant_or_redirect!(app, v);
    app.check_form_token(&v, &form)?;
    let a = owned(&app, &nomor, s.user_id).await?;
    if !a.status.editable() {
        return Ok(closed(&app, &v));
    }
    let mut f = FormCheck::new(&form);
    let details = parse_details(&mut f, Some(a.who));
    let (Some(details), true) = (details, f.ok()) else {
        return edit_page(&app, &v, StatusCode::UNPROCESSABLE_ENTITY, &a, &form, f.context());
    };
    app.store
        .update_application_details(a.id, s.user_id, details, now())
        .await?;
    Ok(see_other(&format!(
        "{}permohonan/{}/ajukan?info=diubah",
        app.routes.beranda, a.nomor
    )))
}
