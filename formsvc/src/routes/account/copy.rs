//! "Unduh salinan data saya": the signed-in applicant's data and documents as one zip
//! (`privacy::copy`), asked for with the page's form token, never cached.

use std::collections::HashMap;

use axum::Form;
use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::clock::now;
use crate::error::Result;
use crate::privacy::copy;
use crate::routes::auth::applicant_or_redirect;
use crate::web::{AppState, Visitor};

pub async fn copy_of_my_data(
    State(app): State<AppState>,
    v: Visitor,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response> {
    let s = applicant_or_redirect!(app, v);
    app.check_form_token(&v, &form)?;
    let now = now();
    // Everything but the documents' bytes is read before the answer starts, so a problem
    // there is an error page, not a broken download.
    let plan = copy::plan(app.store.as_ref(), s.user_id, now).await?;
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let blobs = app.blobs.clone();
    tokio::spawn(async move {
        if let Err(e) = copy::write(&blobs, plan, &tx).await {
            tracing::warn!(error = %e, "the data copy stopped before its end");
            // The client sees a broken transfer, never a complete-looking archive.
            let _ = tx.send(Err(std::io::Error::other("the data copy stopped"))).await;
        }
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|item| (item, rx)) });
    let (y, m, d) = crate::clock::civil_from_days((now + 7 * 3600).div_euclid(86_400));
    let disposition = format!("attachment; filename=\"salinan-data-{y}-{m:02}-{d:02}.zip\"");
    Ok((
        [
            (header::CONTENT_TYPE, "application/zip".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}
