//! Officer review of one application: the detail with documents and history, the actions
//! (verify and accept after a question, send back for correction with a note per document,
//! reject with a reason, mark finished), each emailing the applicant. The queue is `queue`.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{Value, context};

use crate::application::Status;
use crate::clock::{format_date_wib, now};
use crate::error::{Error, Result};
use crate::form::FormCheck;
use crate::records::{ApplicationRecord, NewAccess, Officer, Recipient, ReviewAction};
use crate::routes::auth::officer_or_redirect;
use crate::routes::views::{self, ApplicationView};
use crate::web::{AppState, Visitor, see_other};

/// The date a send-back asks the applicant to submit again by, in calendar days from the
/// email. No regulation or content setting gives one (content/ has no such rule, and the
/// permits' processing times run only once a file is complete): it is the service's own
/// request, so that the applicant has a clear date rather than none. Nothing expires at it.
/// Replace it with the office's rule (its standar pelayanan) once there is one.
const FIX_WITHIN_DAYS: i64 = 14;

async fn in_unit(app: &AppState, o: &Officer, nomor: &str) -> Result<ApplicationRecord> {
    match app.store.application(nomor).await? {
        Some(a) if a.instansi == o.instansi && a.unit == o.unit && a.status != Status::Draf => Ok(a),
        _ => {
            tracing::warn!(officer = o.id, "refused: application not in the officer's unit");
            Err(Error::NotFound)
        }
    }
}

/// The documents of `a` as the review page shows them, one row per requirement: the file,
/// whether it was replaced since the last send-back, and which other requirements hold the
/// very same file (same SHA-256).
struct Review {
    rows: Vec<Value>,
    /// One warning per file uploaded for several requirements: their names.
    duplicates: Vec<Value>,
    /// When the application was last sent back (WIB), if ever.
    sent_back: Option<String>,
    /// Optional requirements without a file.
    missing: Vec<String>,
    uploaded: usize,
}

async fn review_of(app: &AppState, a: &ApplicationRecord) -> Result<Review> {
    let docs = app.store.documents(a.id).await?;
    let sent_back = app
        .store
        .timeline(a.id)
        .await?
        .iter()
        .rev()
        .find(|e| e.to_status == Status::Perbaikan)
        .map(|e| e.at);
    let name_of = |req: &str| {
        a.persyaratan
            .iter()
            .find(|r| r.id == req)
            .map_or(req.to_string(), |r| r.nama.clone())
    };
    let mut by_hash: HashMap<&str, Vec<String>> = HashMap::new();
    for d in &docs {
        by_hash
            .entry(d.sha256.as_str())
            .or_default()
            .push(name_of(&d.requirement_id));
    }
    let rows = a
        .persyaratan
        .iter()
        .map(|r| {
            let d = docs.iter().find(|d| d.requirement_id == r.id);
            let twins: Vec<&String> = d
                .and_then(|d| by_hash.get(d.sha256.as_str()))
                .map(|names| names.iter().filter(|n| **n != r.nama).collect())
                .unwrap_or_default();
            let replaced = matches!((d, sent_back), (Some(d), Some(at)) if d.uploaded_at > at);
            context! {
                id => r.id, nama => r.nama, wajib => r.wajib, dokumen => d.map(views::DocumentView::of),
                diganti => replaced, kembar => twins,
            }
        })
        .collect();
    let mut duplicates: Vec<Value> = by_hash
        .values()
        .filter(|names| names.len() > 1)
        .map(|names| context! { jumlah => names.len(), nama => names })
        .collect();
    duplicates.sort_by_key(|v| v.to_string());
    let missing = a
        .persyaratan
        .iter()
        .filter(|r| !docs.iter().any(|d| d.requirement_id == r.id))
        .map(|r| r.nama.clone())
        .collect();
    Ok(Review {
        rows,
        duplicates,
        sent_back: sent_back.map(crate::clock::format_wib),
        missing,
        uploaded: docs.len(),
    })
}

async fn detail_page(
    app: &AppState,
    v: &Visitor,
    o: Officer,
    a: ApplicationRecord,
    status: StatusCode,
    errors: Value,
) -> Result<Response> {
    // The page shows the applicant's personal data: the processing record has it first.
    app.store.record_access(NewAccess::application(&o, &a), now()).await?;
    let review = review_of(app, &a).await?;
    let events = views::timeline(app, a.id).await?;
    let st = a.status;
    let aksi = context! {
        verifikasi => st.can_become(Status::Diproses),
        perbaikan => st.can_become(Status::Perbaikan),
        tolak => st.can_become(Status::Ditolak),
        selesai => st.can_become(Status::Selesai),
    };
    let ctx = context! {
        petugas => o, permohonan => ApplicationView::of(&a), syarat => review.rows, kembar => review.duplicates,
        dikembalikan => review.sent_back, riwayat => events, aksi => aksi,
        ditangani => a.handled_by.clone(), saya_tangani => a.handled_by.as_deref() == Some(o.nama.as_str()),
        batas_waktu => crate::deadline::view(&app.content, &a, now()),
        batas_belum => matches!(a.status, Status::Diajukan | Status::Perbaikan), ..errors
    };
    app.page_with_status(
        v,
        status,
        "layanan/petugas/permohonan.html",
        &format!("Permohonan {}", a.nomor),
        Some("antrean"),
        ctx,
    )
}

/// "Verifikasi" asks first: the page that says what verifying means, with what deserves a
/// second look (the same file for several requirements, optional ones left empty).
pub async fn confirm(
    State(app): State<AppState>,
    v: Visitor,
    Path((nomor, aksi)): Path<(String, String)>,
) -> Result<Response> {
    let o = officer_or_redirect!(app, v);
    // The other actions have no question page: a GET on their address (a reload after a
    // refused action) lands on the application.
    if aksi != "verifikasi" {
        return Ok(see_other(&format!(
            "{}petugas/permohonan/{}",
            app.routes.beranda, nomor
        )));
    }
    let a = in_unit(&app, &o, &nomor).await?;
    if !a.status.can_become(Status::Diproses) {
        return Ok(see_other(&format!(
            "{}petugas/permohonan/{}",
            app.routes.beranda, a.nomor
        )));
    }
    app.store.record_access(NewAccess::application(&o, &a), now()).await?;
    let review = review_of(&app, &a).await?;
    let ctx = context! {
        petugas => o, permohonan => ApplicationView::of(&a), kembar => review.duplicates, belum => review.missing,
        terunggah => review.uploaded, syarat_jumlah => a.persyaratan.len(),
    };
    app.page(
        &v,
        "layanan/petugas/permohonan_verifikasi.html",
        &format!("Verifikasi Permohonan {}", a.nomor),
        Some("antrean"),
        ctx,
    )
}

pub async fn detail(
    State(app): State<AppState>,
    v: Visitor,
    Path(nomor): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response> {
    let o = officer_or_redirect!(app, v);
    let a = in_unit(&app, &o, &nomor).await?;
    let info = q.get("info").map(|i| {
        if i == "tangani" {
            "Permohonan ini kini tercatat Anda tangani."
        } else {
            "Tindakan tersimpan dan surel pemberitahuan dikirim kepada pemohon."
        }
    });
    detail_page(&app, &v, o, a, StatusCode::OK, context! { info => info }).await
}

/// Texts by requirement id or field id, in form order.
type ByField = Vec<(String, String)>;

/// The send-back form: per requirement "Sesuai" or "Perlu perbaikan" (`nilai_<id>`) and the
/// note (`catatan_<id>`), and a general note. A note without a choice counts as "Perlu
/// perbaikan". Returns the notes, the general note, and the problems by field id.
fn assessment(a: &ApplicationRecord, form: &HashMap<String, String>) -> (ByField, Option<String>, ByField) {
    let mut notes = Vec::new();
    let mut problems = Vec::new();
    for r in &a.persyaratan {
        let field = format!("catatan_{}", r.id);
        let text = form.get(&field).map_or("", |s| s.trim());
        let choice = form.get(&format!("nilai_{}", r.id)).map(String::as_str);
        if text.chars().count() > 500 {
            problems.push((field, format!("Catatan untuk {} maksimal 500 karakter.", r.nama)));
        } else if choice == Some("perbaikan") && text.is_empty() {
            problems.push((field, format!("Tulis apa yang perlu diperbaiki pada {}.", r.nama)));
        } else if choice == Some("sesuai") && !text.is_empty() {
            problems.push((
                field,
                format!(
                    "{} dinilai Sesuai tetapi berisi catatan: pilih Perlu perbaikan, atau hapus catatannya.",
                    r.nama
                ),
            ));
        } else if !text.is_empty() {
            notes.push((r.id.clone(), text.to_string()));
        }
    }
    let general = form
        .get("catatan")
        .map(|s| s.trim().to_string())
        .filter(|g| !g.is_empty());
    if general.as_ref().is_some_and(|g| g.chars().count() > 1000) {
        problems.push(("catatan".into(), "Catatan umum maksimal 1000 karakter.".into()));
    }
    if notes.is_empty() && general.is_none() && problems.is_empty() {
        problems.push((
            "catatan".into(),
            "Pilih Perlu perbaikan dan tulis catatan untuk minimal satu dokumen, atau tulis catatan umum.".into(),
        ));
    }
    (notes, general, problems)
}

/// The template values of problems found by field id, as `FormCheck::context` gives them.
fn errors_context(problems: &[(String, String)]) -> Value {
    let by_field: HashMap<&str, &str> = problems.iter().map(|(f, m)| (f.as_str(), m.as_str())).collect();
    let list: Vec<Value> = problems
        .iter()
        .map(|(f, m)| context! { field => f, pesan => m })
        .collect();
    context! { galat => by_field, galat_daftar => list }
}

pub async fn act(
    State(app): State<AppState>,
    v: Visitor,
    Path((nomor, aksi)): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response> {
    let o = officer_or_redirect!(app, v);
    app.check_form_token(&v, &form)?;
    let a = in_unit(&app, &o, &nomor).await?;
    if aksi == "tangani" {
        if !app.store.take_application(a.id, &o, now()).await? {
            return Err(Error::NotFound);
        }
        return Ok(see_other(&format!(
            "{}petugas/permohonan/{}?info=tangani",
            app.routes.beranda, a.nomor
        )));
    }
    let to = match aksi.as_str() {
        "verifikasi" => Status::Diproses,
        "perbaikan" => Status::Perbaikan,
        "tolak" => Status::Ditolak,
        "selesai" => Status::Selesai,
        _ => return Err(Error::NotFound),
    };
    // Verifying cannot be undone by the officer: it goes through its confirmation page.
    if to == Status::Diproses && form.get("konfirmasi").map(String::as_str) != Some("ya") {
        return Ok(see_other(&format!(
            "{}petugas/permohonan/{}/verifikasi",
            app.routes.beranda, a.nomor
        )));
    }
    let mut f = FormCheck::new(&form);
    let mut notes: Vec<(String, String)> = Vec::new();
    let note = match to {
        Status::Ditolak => f.text("alasan", "alasan penolakan", 10, 1000),
        Status::Perbaikan => {
            let (found, general, problems) = assessment(&a, &form);
            if !problems.is_empty() {
                let ctx = context! { nilai => form, ..errors_context(&problems) };
                return detail_page(&app, &v, o, a, StatusCode::UNPROCESSABLE_ENTITY, ctx).await;
            }
            notes = found;
            general
        }
        _ => form
            .get("catatan")
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
    };
    if !f.ok() {
        let ctx = context! { nilai => form, ..f.context() };
        return detail_page(&app, &v, o, a, StatusCode::UNPROCESSABLE_ENTITY, ctx).await;
    }
    let name_of = |req: &str| {
        a.persyaratan
            .iter()
            .find(|r| r.id == req)
            .map_or(req.to_string(), |r| r.nama.clone())
    };
    let named: Vec<Value> = notes
        .iter()
        .map(|(req, text)| context! { dokumen => name_of(req), catatan => text })
        .collect();
    let summary = {
        let mut parts: Vec<String> = notes.iter().map(|(req, t)| format!("{}: {t}", name_of(req))).collect();
        // The documents first, as the email lists them: they are what the applicant acts on.
        if let Some(n) = &note {
            parts.push(n.clone());
        }
        // One line each: the pages show them as a list (a note may itself hold "; ").
        (!parts.is_empty()).then(|| parts.join("\n"))
    };
    let link = app.link(&format!("{}permohonan/{}", app.routes.beranda, a.nomor));
    let (layanan_url, cek_status_url) = (app.link(&app.routes.beranda), app.link(&app.routes.cek_status));
    let now = now();
    // A send-back has its own email: what to fix, by when, and whom to ask.
    let kind = if to == Status::Perbaikan {
        "permohonan_perbaikan"
    } else {
        "permohonan_status"
    };
    let batas = format_date_wib(now + FIX_WITHIN_DAYS * 86_400);
    let (app2, nomor, izin, instansi) = (app.clone(), a.nomor.clone(), a.permit_nama.clone(), a.instansi.clone());
    let compose = Box::new(move |to_whom: &Recipient| {
        Ok(vec![app2.compose(
            kind,
            &to_whom.email,
            format!("Status permohonan {nomor}: {}", to.label()),
            Some(&instansi),
            context! {
                nama => to_whom.nama, nomor => nomor, izin => izin, status => to.label(), kode => to.as_str(),
                catatan => note, catatan_dokumen => named, tautan => link,
                batas => batas, batas_hari => FIX_WITHIN_DAYS,
                layanan_url => layanan_url, cek_status_url => cek_status_url,
            },
        )?])
    });
    let action = ReviewAction { to, notes, summary };
    let done = app.store.review(a.id, &o, action, now, compose).await?;
    if !done {
        return Ok(app.message(
            &v,
            StatusCode::CONFLICT,
            "Status sudah berubah",
            "Permohonan ini sudah berpindah status; tindakan tidak dijalankan. Muat ulang halaman permohonan.",
        ));
    }
    app.mail_wake.notify_one();
    Ok(see_other(&format!(
        "{}petugas/permohonan/{}?info=tindakan",
        app.routes.beranda, a.nomor
    )))
}
