//! Officer review of applications: the queue of the officer's unit with filters and search, the
//! detail with documents and history, the actions (verify and accept, send back for correction
//! with a note per document, reject with a reason, mark finished), each emailing the applicant;
//! and the queue as CSV.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use minijinja::{Value, context};

use crate::application::Status;
use crate::clock::{format_date_wib, now};
use crate::error::{Error, Result};
use crate::form::FormCheck;
use crate::records::{ApplicationRecord, NewAccess, Officer, QueueFilter, Recipient, ReviewAction};
use crate::routes::auth::officer_or_redirect;
use crate::routes::views::{self, ApplicationView};
use crate::web::{AppState, Visitor, see_other};

#[derive(Debug, Default, Clone, serde::Deserialize, serde::Serialize)]
pub struct Filter {
    #[serde(default)]
    status: String,
    #[serde(default)]
    izin: String,
    /// YYYY-MM-DD, submission date from (WIB).
    #[serde(default)]
    dari: String,
    #[serde(default)]
    sampai: String,
    /// Number or applicant name.
    #[serde(default)]
    q: String,
}

/// The date a send-back asks the applicant to submit again by, in calendar days from the
/// email. No regulation or content setting gives one (content/ has no such rule, and the
/// permits' processing times run only once a file is complete): it is the service's own
/// request, so that the applicant has a clear date rather than none. Nothing expires at it.
/// Replace it with the office's rule (its standar pelayanan) once there is one.
const FIX_WITHIN_DAYS: i64 = 14;

async fn queue_rows(app: &AppState, o: &Officer, f: &Filter) -> Result<Vec<ApplicationRecord>> {
    let filter = QueueFilter {
        instansi: o.instansi.clone(),
        unit: o.unit.clone(),
        status: Status::parse(&f.status),
        permit_slug: (!f.izin.is_empty()).then(|| f.izin.clone()),
        from: crate::clock::wib_day_start(&f.dari),
        to: crate::clock::wib_day_start(&f.sampai).map(|t| t + 86_400),
        text: f.q.trim().to_lowercase(),
    };
    app.store.queue(filter).await
}

pub async fn queue(State(app): State<AppState>, v: Visitor, Query(f): Query<Filter>) -> Result<Response> {
    let o = officer_or_redirect!(app, v);
    let rows: Vec<ApplicationView> = queue_rows(&app, &o, &f)
        .await?
        .iter()
        .map(ApplicationView::of)
        .collect();
    let statuses = views::queue_statuses();
    let permits: Vec<Value> = app
        .content
        .izin
        .iter()
        .map(|p| context! { slug => p.slug, nama => p.nama })
        .collect();
    let csv = format!(
        "{}petugas/permohonan.csv?{}",
        app.routes.beranda,
        serde_urlencoded_like(&f)
    );
    let ctx = context! { petugas => o, permohonan => rows, filter => f, status_pilihan => statuses, izin_pilihan => permits, csv => csv };
    app.page(
        &v,
        "layanan/petugas/permohonan_daftar.html",
        "Antrean Permohonan",
        Some("antrean"),
        ctx,
    )
}

fn serde_urlencoded_like(f: &Filter) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    format!(
        "status={}&izin={}&dari={}&sampai={}&q={}",
        enc(&f.status),
        enc(&f.izin),
        enc(&f.dari),
        enc(&f.sampai),
        enc(&f.q)
    )
}

/// A CSV cell: quoted, and a leading = + - @ neutralised so spreadsheets do not run it.
fn cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

pub async fn queue_csv(State(app): State<AppState>, v: Visitor, Query(f): Query<Filter>) -> Result<Response> {
    let o = officer_or_redirect!(app, v);
    let rows: Vec<ApplicationView> = queue_rows(&app, &o, &f)
        .await?
        .iter()
        .map(ApplicationView::of)
        .collect();
    let mut out =
        String::from("\u{feff}Nomor,Jenis Izin,Jenis Permohonan,Tipe Pemohon,Nama Pemohon,NIB,Status,Diajukan\r\n");
    for a in rows {
        let line = [
            cell(&a.nomor),
            cell(&a.permit_nama),
            cell(&a.jenis_permohonan),
            cell(&a.tipe_pemohon),
            cell(&a.pemohon.nama),
            cell(a.nib.as_deref().unwrap_or("")),
            cell(a.status_label),
            cell(a.diajukan.as_deref().unwrap_or("")),
        ]
        .join(",");
        out.push_str(&line);
        out.push_str("\r\n");
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"antrean-permohonan.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}

async fn in_unit(app: &AppState, o: &Officer, nomor: &str) -> Result<ApplicationRecord> {
    match app.store.application(nomor).await? {
        Some(a) if a.instansi == o.instansi && a.unit == o.unit && a.status != Status::Draf => Ok(a),
        _ => {
            tracing::warn!(officer = o.id, "refused: application not in the officer's unit");
            Err(Error::NotFound)
        }
    }
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
    let docs = views::documents(app, a.id).await?;
    let events = views::timeline(app, a.id).await?;
    let syarat: Vec<Value> = a
        .persyaratan
        .iter()
        .map(|r| context! { id => r.id, nama => r.nama, wajib => r.wajib, dokumen => docs.get(&r.id) })
        .collect();
    let st = a.status;
    let aksi = context! {
        verifikasi => st.can_become(Status::Diproses),
        perbaikan => st.can_become(Status::Perbaikan),
        tolak => st.can_become(Status::Ditolak),
        selesai => st.can_become(Status::Selesai),
    };
    let ctx = context! { petugas => o, permohonan => ApplicationView::of(&a), syarat => syarat, riwayat => events, aksi => aksi, ..errors };
    app.page_with_status(
        v,
        status,
        "layanan/petugas/permohonan.html",
        &format!("Permohonan {}", a.nomor),
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
    let info = q
        .contains_key("info")
        .then_some("Tindakan tersimpan dan surel pemberitahuan dikirim kepada pemohon.");
    detail_page(&app, &v, o, a, StatusCode::OK, context! { info => info }).await
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
    let to = match aksi.as_str() {
        "verifikasi" => Status::Diproses,
        "perbaikan" => Status::Perbaikan,
        "tolak" => Status::Ditolak,
        "selesai" => Status::Selesai,
        _ => return Err(Error::NotFound),
    };
    let mut f = FormCheck::new(&form);
    // Notes per document for a correction request: fields `catatan_<requirement id>`.
    let mut notes: Vec<(String, String)> = Vec::new();
    let note = match to {
        Status::Ditolak => f.text("alasan", "alasan penolakan", 10, 1000),
        Status::Perbaikan => {
            for r in &a.persyaratan {
                let text = form.get(&format!("catatan_{}", r.id)).map(|s| s.trim()).unwrap_or("");
                if text.chars().count() > 500 {
                    f.error("catatan", format!("Catatan untuk {} maksimal 500 karakter.", r.nama));
                } else if !text.is_empty() {
                    notes.push((r.id.clone(), text.to_string()));
                }
            }
            let general = form.get("catatan").map(|s| s.trim().to_string()).unwrap_or_default();
            if notes.is_empty() && general.is_empty() {
                f.error(
                    "catatan",
                    "Tulis catatan perbaikan untuk minimal satu dokumen, atau catatan umum.",
                );
            }
            Some(general).filter(|g| !g.is_empty())
        }
        _ => form
            .get("catatan")
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
    };
    if !f.ok() {
        return detail_page(&app, &v, o, a, StatusCode::UNPROCESSABLE_ENTITY, f.context()).await;
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
        (!parts.is_empty()).then(|| parts.join("; "))
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
