//! The console's "Permintaan penghapusan": the deletion requests of the officer's instansi
//! (the officers who decide its registrations are the ones who may erase them), a confirmation
//! page for one, and "Proses penghapusan", after which the applicant is told by email what
//! was erased and what the archive schedule keeps, and until when. The pages show the
//! registration's number and counts only, so opening them is not a look at personal data.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{Value, context};

use crate::clock::{format_date_wib, format_wib, now};
use crate::error::{Error, Result};
use crate::records::{ErasedAccount, PendingDeletion, Processed};
use crate::routes::auth::officer_or_redirect;
use crate::web::{AppState, Visitor, see_other};

fn view(p: &PendingDeletion) -> Value {
    context! {
        id => p.id, nomor => p.nomor, nama => p.nama, waktu => format_wib(p.requested_at),
        selesai => p.finished, lainnya => p.other,
    }
}

#[derive(serde::Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    info: Option<String>,
}

pub async fn list(State(app): State<AppState>, v: Visitor, Query(q): Query<ListQuery>) -> Result<Response> {
    let o = officer_or_redirect!(app, v);
    let info = (q.info.as_deref() == Some("diproses"))
        .then_some("Akun telah dihapus dan surel pemberitahuan dikirim kepada pemohon.");
    let rows: Vec<Value> = app
        .store
        .pending_deletions(&o.instansi)
        .await?
        .iter()
        .map(view)
        .collect();
    app.page(
        &v,
        "layanan/petugas/penghapusan.html",
        "Permintaan Penghapusan",
        Some("penghapusan"),
        context! { petugas => o, permintaan => rows, info => info },
    )
}

pub async fn confirm(State(app): State<AppState>, v: Visitor, Path(id): Path<i64>) -> Result<Response> {
    let o = officer_or_redirect!(app, v);
    let found = app
        .store
        .pending_deletions(&o.instansi)
        .await?
        .into_iter()
        .find(|p| p.id == id)
        .ok_or(Error::NotFound)?;
    let schedule = &app.content.situs.retensi;
    let ctx = context! {
        petugas => o, permintaan => view(&found),
        tahun_arsip => schedule.permohonan_selesai_tahun,
        sesudah_arsip => crate::retention::finished_then(schedule),
    };
    app.page(
        &v,
        "layanan/petugas/penghapusan_proses.html",
        "Proses Penghapusan",
        Some("penghapusan"),
        ctx,
    )
}

pub async fn process(
    State(app): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response> {
    let o = officer_or_redirect!(app, v);
    app.check_form_token(&v, &form)?;
    let app2 = app.clone();
    let compose = Box::new(move |e: &ErasedAccount| {
        let schedule = &app2.content.situs.retensi;
        let kept: Vec<Value> = e
            .kept
            .iter()
            .map(|k| {
                context! {
                    nomor => k.nomor, permit_nama => k.permit_nama,
                    sampai => format_date_wib(crate::retention::finished_kept_until(schedule, k.finished_at)),
                }
            })
            .collect();
        Ok(vec![app2.compose(
            "akun_dihapus",
            &e.email,
            format!("Akun Layanan Pemohon telah dihapus: {}", e.nomor),
            Some(&e.instansi),
            context! {
                nomor => e.nomor, permohonan_dihapus => e.erased_applications, dokumen_dihapus => e.documents,
                disimpan => kept, sesudah_arsip => crate::retention::finished_then(schedule),
                hari_surel => schedule.surel_hari,
            },
        )?])
    });
    match app.store.process_deletion(id, &o, now(), compose).await? {
        Processed::Done(_) => {
            app.mail_wake.notify_one();
            Ok(see_other(&format!(
                "{}/petugas/penghapusan?info=diproses",
                app.content.situs.layanan
            )))
        }
        Processed::AlreadyDecided => Ok(app.message(
            &v,
            StatusCode::CONFLICT,
            "Permintaan sudah diproses",
            "Permintaan penghapusan ini sudah diproses atau dibatalkan oleh pemohon.",
        )),
        Processed::NotFound => Err(Error::NotFound),
    }
}
