//! For load balancers and monitoring, outside the applicant's pages: `/healthz` (the process
//! answers), `/readyz` (the store and the blob store answer) and `/metrics` (the figures, only to
//! the addresses of `SICANTIK_METRICS_ALLOW`). None of them shows personal data, none is rate
//! limited. The mail server is deliberately not part of readiness: the outbox keeps mail safe
//! through a mail outage, and taking every instance out of the load balancer for one would stop
//! the whole service; its state is in `/metrics` and on the officer console.
//!
//! Also `/favicon.ico`, which every browser asks for: the theme's icon, whether or not the site
//! was built into the public folder (the service alone, in tests).

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::clock::now_ms;
use crate::web::AppState;

/// A check that takes longer than this is taken as failed: a load balancer must get an answer.
const CHECK_TIMEOUT: Duration = Duration::from_secs(5);

fn plain(status: StatusCode, body: String) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

pub async fn healthz() -> Response {
    plain(StatusCode::OK, "ok\n".into())
}

/// 200 when the store and the blob store both answer; 503 naming the part that does not.
pub async fn readyz(State(app): State<AppState>) -> Response {
    let store = tokio::time::timeout(CHECK_TIMEOUT, app.store.ping()).await;
    let blobs = tokio::time::timeout(CHECK_TIMEOUT, app.blobs.check()).await;
    let mut problems = Vec::new();
    for (part, outcome) in [("store", store), ("blob store", blobs)] {
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                tracing::warn!(part, error = %e, "not ready");
                problems.push(format!("{part}: unavailable"));
            }
            Err(_) => {
                tracing::warn!(part, "not ready: no answer within {CHECK_TIMEOUT:?}");
                problems.push(format!("{part}: no answer within {} s", CHECK_TIMEOUT.as_secs()));
            }
        }
    }
    if problems.is_empty() {
        plain(StatusCode::OK, "ok\n".into())
    } else {
        plain(StatusCode::SERVICE_UNAVAILABLE, format!("{}\n", problems.join("\n")))
    }
}

/// The figures for Prometheus, or 404 to anyone not allowed (as if there were nothing here).
pub async fn metrics(
    State(app): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    let client = crate::client_addr::client_ip(peer.ip(), &headers, &app.cfg.trusted_proxies);
    if !app.cfg.metrics_allow.iter().any(|net| net.contains(&client)) {
        tracing::warn!(%client, "metrics refused: address not in SICANTIK_METRICS_ALLOW");
        return plain(StatusCode::NOT_FOUND, "not found\n".into());
    }
    let scanner = crate::scan::state(app.scanner.as_deref()).await;
    let outbox = match app.store.outbox_state().await {
        Ok(o) => o,
        Err(e) => {
            tracing::error!(error = %e, "metrics: cannot read the outbox");
            app.metrics.server_error("store");
            return plain(StatusCode::SERVICE_UNAVAILABLE, "store unavailable\n".into());
        }
    };
    (
        StatusCode::OK,
        [
            (
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            ),
            (header::CACHE_CONTROL, "no-store"),
        ],
        app.metrics.render(outbox, &scanner, now_ms()),
    )
        .into_response()
}

/// The theme's `favicon.ico`; a theme without one answers 404 as any missing file.
pub async fn favicon(State(app): State<AppState>) -> Response {
    match app.theme.asset(generator::build::FAVICON) {
        Some(icon) => (
            [
                (header::CONTENT_TYPE, "image/x-icon"),
                (header::CACHE_CONTROL, "public, max-age=86400"),
            ],
            icon.bytes.as_ref().clone(),
        )
            .into_response(),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}
