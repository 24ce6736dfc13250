//! The application's page: its answers, its documents and its timeline.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::Response;
use minijinja::context;

use super::{owned, requirement_rows};
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
    let info = (q.get("info").map(String::as_str) == Some("diajukan")).then_some(
        "Permohonan telah diajukan. Tanda terima dikirim ke surel Anda; petugas akan memverifikasi dokumen.",
    );
    let ctx = context! {
        permohonan => ApplicationView::of(&a), syarat => requirement_rows(&a, &docs), riwayat => events,
        bisa_ubah => a.status.editable(), info => info,
    };
    app.page(
        &v,
        "layanan/permohonan.html",
        &format!("Permohonan {}", a.nomor),
        None,
        ctx,
    )
}
