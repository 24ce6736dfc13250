//! DOKUMEN: one upload per requirement, replacing or removing it while the application is still
//! the applicant's to edit.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use minijinja::context;

use super::{owned, progress, requirement_rows};
use crate::application::KeptRequirement;
use crate::clock::{now, now_ms};
use crate::error::{Error, Result};
use crate::records::{ApplicationRecord, NewDocument, NewScanRefusal, ScanOutcome};
use crate::routes::auth::applicant_or_redirect;
use crate::routes::views::{self, ApplicationView};
use crate::upload::{self, UploadError};
use crate::web::{AppState, Visitor, see_other};

#[derive(serde::Deserialize, Default)]
pub struct DocQuery {
    #[serde(default)]
    galat: Option<String>,
    #[serde(default)]
    syarat: Option<String>,
    /// The requirement whose document was just saved.
    #[serde(default)]
    tersimpan: Option<String>,
}

pub async fn documents_page(
    State(app): State<AppState>,
    v: Visitor,
    Path(nomor): Path<String>,
    Query(q): Query<DocQuery>,
) -> Result<Response> {
    let s = applicant_or_redirect!(app, v);
    let a = owned(&app, &nomor, s.user_id).await?;
    let saved = q
        .tersimpan
        .as_deref()
        .filter(|id| a.persyaratan.iter().any(|r| r.id == *id));
    documents_view(
        &app,
        &v,
        &a,
        StatusCode::OK,
        (q.syarat.as_deref(), q.galat.as_deref()),
        saved,
    )
    .await
}

async fn documents_view(
    app: &AppState,
    v: &Visitor,
    a: &ApplicationRecord,
    status: StatusCode,
    (syarat, galat): (Option<&str>, Option<&str>),
    saved: Option<&str>,
) -> Result<Response> {
    let docs = views::documents(app, a.id).await?;
    let ctx = context! {
        permohonan => ApplicationView::of(a),
        syarat => requirement_rows(a, &docs),
        jumlah => progress(a, &docs),
        bisa_ubah => a.status.editable(),
        galat_syarat => syarat,
        galat => galat,
        tersimpan => saved,
    };
    app.page_with_status(v, status, "layanan/dokumen.html", "DOKUMEN", None, ctx)
}

pub async fn upload(
    State(app): State<AppState>,
    v: Visitor,
    Path((nomor, req_id)): Path<(String, String)>,
    mut multipart: Multipart,
) -> Result<Response> {
    let s = applicant_or_redirect!(app, v);
    let a = owned(&app, &nomor, s.user_id).await?;
    let Some(req) = a.persyaratan.iter().find(|r| r.id == req_id).cloned() else {
        return Err(Error::NotFound);
    };
    if !a.status.editable() {
        return Ok(closed(&app, &v));
    }
    let binding = v.session.as_ref().map_or(String::new(), |s| s.token_hash.clone());
    let key = app.key.clone();
    let nonce = v.nonce.clone();
    let new_nonce = v.new_nonce;
    let to = upload::Destination {
        blobs: &app.blobs,
        scanner: app.scanner.as_deref(),
    };
    // Dropping the unfinished upload at the deadline aborts its write in the store.
    let received = tokio::time::timeout(
        app.cfg.upload_max,
        upload::receive(
            &mut multipart,
            to,
            &req.format,
            req.max_bytes(),
            app.cfg.upload_idle,
            |t| !new_nonce && key.verify(&nonce, &binding, t),
        ),
    )
    .await
    .unwrap_or(Err(UploadError::TooSlow {
        max_minutes: app.cfg.upload_max.as_secs() / 60,
    }));
    let received = match received {
        Ok(r) => r,
        Err(UploadError::Csrf) => {
            tracing::warn!(ip = %v.ip, "refused: upload without a valid form token");
            return Err(Error::Csrf);
        }
        Err(e) => {
            let status = match &e {
                // The scanner gave no verdict: the fault is ours and passing; the file may be fine.
                UploadError::ScannerUnavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            if let Some(outcome) = scan_outcome(&e) {
                scan_refused(&app, &a, &req, outcome, &e).await;
            } else {
                tracing::info!(ip = %v.ip, problem = e.log_code(), "upload refused");
            }
            let mut page = documents_view(&app, &v, &a, status, (Some(&req_id), Some(&e.to_string())), None).await?;
            if status == StatusCode::SERVICE_UNAVAILABLE {
                page.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
            }
            return Ok(page);
        }
    };
    let doc = NewDocument {
        alamat: crate::security::document_address(),
        requirement_id: req_id,
        stored_name: received.stored_name.clone(),
        original_name: received.original_name.clone(),
        content_type: received.content_type.to_string(),
        size: received.size as i64,
        sha256: received.sha256.clone(),
        key: received.key.clone(),
    };
    match app.store.save_document(a.id, s.user_id, doc, now()).await {
        Ok(old) => {
            app.metrics.uploaded(received.size);
            if let Some(old) = old {
                // Deleted by the sweeper after the grace period; if this fails, the object is
                // left behind, which wastes space and harms nothing.
                if let Err(e) = app.store.discard_blobs(&[old], now_ms()).await {
                    tracing::warn!(error = %e, "the replaced document could not be marked for deletion");
                }
            }
            Ok(see_other(&format!(
                "{}permohonan/{}/dokumen?tersimpan={}#syarat-{}",
                app.routes.beranda, a.nomor, req.id, req.id
            )))
        }
        Err(e) => {
            received.discard(&app.blobs).await;
            Err(e)
        }
    }
}

fn scan_outcome(e: &UploadError) -> Option<ScanOutcome> {
    match e {
        UploadError::Infected { .. } => Some(ScanOutcome::Virus),
        UploadError::Unscannable { .. } => Some(ScanOutcome::TidakTerperiksa),
        UploadError::ScannerUnavailable { .. } => Some(ScanOutcome::PemindaiGagal),
        _ => None,
    }
}

/// Logs a refusal by the virus scanner (with its words, never the file's name, which may name a
/// person), counts it, and records it for the officers of the unit. A failure to record it is
/// logged, not shown: the applicant's answer is the refusal either way.
async fn scan_refused(
    app: &AppState,
    a: &ApplicationRecord,
    req: &KeptRequirement,
    outcome: ScanOutcome,
    e: &UploadError,
) {
    let detail = e.scanner_detail().unwrap_or_default().to_string();
    tracing::warn!(
        application = %a.nomor,
        requirement = %req.id,
        problem = e.log_code(),
        scanner = %detail,
        "upload refused by the virus scanner"
    );
    app.metrics.scan_refused(outcome.as_str());
    let refusal = NewScanRefusal {
        application_id: a.id,
        requirement_id: req.id.clone(),
        requirement: req.nama.clone(),
        outcome,
        detail,
    };
    if let Err(err) = app.store.record_scan_refusal(refusal, now()).await {
        tracing::error!(error = ?err, "could not record an upload refused by the virus scanner");
    }
}

/// The answer to a document change on an application that is no longer the applicant's to edit.
fn closed(app: &AppState, v: &Visitor) -> Response {
    app.message(
        v,
        StatusCode::CONFLICT,
        "Dokumen tidak dapat diubah",
        "Permohonan ini sedang diperiksa petugas; dokumen tidak dapat diubah.",
    )
}

pub async fn remove(
    State(app): State<AppState>,
    v: Visitor,
    Path((nomor, req_id)): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response> {
    let s = applicant_or_redirect!(app, v);
    app.check_form_token(&v, &form)?;
    let a = owned(&app, &nomor, s.user_id).await?;
    if !a.status.editable() {
        return Ok(closed(&app, &v));
    }
    let old = app.store.remove_document(a.id, &req_id, now()).await?;
    if let Some(old) = old
        && let Err(e) = app.store.discard_blobs(&[old], now_ms()).await
    {
        tracing::warn!(error = %e, "a removed document could not be marked for deletion");
    }
    Ok(see_other(&format!(
        "{}permohonan/{}/dokumen",
        app.routes.beranda, a.nomor
    )))
}
