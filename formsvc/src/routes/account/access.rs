//! "Riwayat akses data": the signed-in applicant reads which officer of which unit opened
//! their data or documents, and when (the processing record, UU PDP Pasal 31).

use axum::extract::State;
use axum::response::Response;
use minijinja::context;

use crate::error::Result;
use crate::privacy::record;
use crate::routes::auth::applicant_or_redirect;
use crate::routes::views;
use crate::web::{AppState, Visitor};

/// The page shows at most this many lines, newest first; the copy of the data holds them all.
pub const SHOWN: i64 = 500;

pub async fn history(State(app): State<AppState>, v: Visitor) -> Result<Response> {
    let s = applicant_or_redirect!(app, v);
    views::active_applicant(&app, s.user_id).await?;
    let lines = record::of(app.store.as_ref(), s.user_id, SHOWN + 1).await?;
    let more = lines.len() as i64 > SHOWN;
    let lines: Vec<_> = lines.into_iter().take(SHOWN as usize).collect();
    app.page(
        &v,
        "layanan/riwayat_akses.html",
        "Riwayat Akses Data",
        None,
        context! { akses => lines, batas => SHOWN, lebih => more },
    )
}
