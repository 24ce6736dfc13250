//! Accepting connections: hyper with a timer, so that a client cannot hold a connection by
//! trickling its request, and a cap on how many connections are served at once.
//!
//! `axum::serve` gives hyper no timer, which silently turns hyper's header read timeout off:
//! 200 connections each sending one header line every 6 s stayed open for minutes. Here every
//! connection gets `header_read`, which hyper starts both when the connection opens and when a
//! response has been sent on a kept-alive connection, so it is also the idle keep-alive limit.
//! Request bodies of ordinary forms are bounded by `form_body` (see [`read_form_body`]); uploads
//! have their own stall limit in `upload`.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

use crate::config::ConnectionLimits;
use crate::error::Error;
use crate::web::AppState;

/// The largest body of an ordinary form, the same as axum's default for `Form`.
pub const FORM_BODY_LIMIT: usize = 2 * 1024 * 1024;

/// Serves `router` on `listener` until `shutdown` resolves, then lets the connections finish
/// their requests (the caller bounds how long).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new()).header_read_timeout(limits.header_read);
    let slots = Arc::new(Semaphore::new(limits.max.max(1)));
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        // A free slot first, then the connection: at the cap, new connections wait in the
        // listen backlog instead of being accepted and starved.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: pause rather than spin.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Without TCP_NODELAY a response whose body follows its head in a second write (every
        // file of the site) waits for the client's delayed ACK: 86 requests/s on one connection
        // instead of thousands.
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "cannot set TCP_NODELAY");
        }
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            let mut router = router.clone();
            async move {
                let response: Result<Response, Infallible> =
                    tower_service::Service::call(&mut router, request.map(Body::new)).await;
                response
            }
        });
        let connection = graceful.watch(http.serve_connection(TokioIo::new(tcp), service));
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
            drop(slot);
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// Middleware for the service's routes, uploads aside: the whole body of a form must
/// arrive within `form_body` and fit in [`FORM_BODY_LIMIT`], or the request is answered 408 or
/// 413 before any handler sees it, so that nothing changes.
pub async fn read_form_body(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let multipart = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().to_ascii_lowercase().starts_with("multipart/"));
    // Uploads stream with their own stall limit; no other route reads a multipart body.
    if multipart || !matches!(request.method(), &axum::http::Method::POST | &axum::http::Method::PUT) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let limit = app.cfg.connections.form_body;
    match tokio::time::timeout(limit, axum::body::to_bytes(body, FORM_BODY_LIMIT)).await {
        Ok(Ok(bytes)) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Ok(Err(e)) => {
            let too_large = std::error::Error::source(&e).is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
            if too_large {
                tracing::info!(path = %parts.uri.path(), "form body over the limit; refused");
                Error::FormTooLarge.into_response()
            } else {
                tracing::info!(error = %e, "form body could not be read; refused");
                Error::SlowRequest.into_response()
            }
        }
        Err(_) => {
            tracing::info!(
                seconds = limit.as_secs(),
                "form body not complete within the limit; refused"
            );
            Error::SlowRequest.into_response()
        }
    }
}
