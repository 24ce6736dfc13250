//! The application's page: its answers, its documents and its timeline.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use minijinja::context;

use super::{owned, requirement_rows};
use crate::application::Status;
use crate::clock::now;
use crate::error::Result;
use crate::routes::auth::applicant_or_redirect;
use crate::routes::views::{self, ApplicationView};
use crate::web::{AppState, Visitor};

pub async fn detail(
    State(app): State<AppState>,
    v: Visitor,
    Path(nomor): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response> {
    let s = applicant_or_redirect!(app, v);
    let a = owned(&app, &nomor, s.user_id).await?;
    let docs = views::documents(&app, a.id).await?;
    let events = views::timeline(&app, a.id).await?;
    // Right after Ajukan: the confirmation, with when to expect a decision. The permit's
    // processing time runs in working days from when the officer declares the file complete,
    // so counted from today it is the earliest date: the page says so.
    let diajukan = (q.get("info").map(String::as_str) == Some("diajukan")).then(|| {
        let lama = app.content.permit(&a.permit_slug).map(|p| p.lama_proses_hari_kerja);
        let from = crate::deadline::wib_day(a.submitted_at.unwrap_or_else(now));
        let perkiraan = lama.map(|n| crate::deadline::working_days_after(&app.content.hari_libur, from, n));
        context! {
            lama_hari_kerja => lama,
            perkiraan => perkiraan.as_ref().map(crate::deadline::Deadline::label),
            catatan => perkiraan.as_ref().and_then(crate::deadline::Deadline::caveat),
        }
    });
    let ctx = context! {
        permohonan => ApplicationView::of(&a), syarat => requirement_rows(&a, &docs), riwayat => events,
        bisa_ubah => a.status.editable(), info => None::<&str>, diajukan => diajukan,
        batas_waktu => crate::deadline::view(&app.content, &a, now()),
        batas_belum => matches!(a.status, Status::Diajukan | Status::Perbaikan),
    };
    app.page(
        &v,
        "layanan/permohonan.html",
        &format!("Permohonan {}", a.nomor),
        None,
        ctx,
    )
}
