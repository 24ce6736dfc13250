//! Putting the service together: state, router (the service's pages under the prefix, the
//! built site for everything else), the outbox worker, the sweeper, the daily retention job,
//! and graceful shutdown.

use std::sync::Arc;

use axum::Router;
use axum::routing::get;
use generator::{Content, ServiceRoutes, Theme};
use tokio::net::TcpListener;

use crate::blob::Blobs;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::keys::Keyring;
use crate::observe::Metrics;
use crate::outbox::{Outbox, Transport};
use crate::ratelimit::Limits;
use crate::routes::{
    account, application, audit, correction, erasure, officer, ops, queue, registration, review, revisit,
};
use crate::scan::{Clamd, Scanner};
use crate::security::FormKey;
use crate::store::DynStore;
use crate::web::{self, App, AppState};

/// The largest request an upload may be: the largest document a permit allows (50 MB) and the
/// form around it. Each requirement's own limit is enforced while streaming.
const UPLOAD_BODY_LIMIT: usize = 51 * 1024 * 1024;

/// After the signal to stop, how long the workers get once requests are done (or the drain time,
/// `SICANTIK_SHUTDOWN_DRAIN_SECONDS`, is over): together within the systemd unit's
/// `TimeoutStopSec=45s`.
const WORKERS_STOP: std::time::Duration = std::time::Duration::from_secs(10);

/// Loads the content model and the theme the service renders with.
pub fn load_site(cfg: &Config) -> Result<(Content, Theme)> {
    let opts = generator::Options {
        content_dir: cfg.content_dir.clone(),
        theme_dir: cfg.theme_dir.clone(),
        out_dir: cfg.public_dir.clone(),
        search: generator::Search::Skip,
        base_url: Some(cfg.base_url.clone()),
        live_reload: false,
    };
    generator::build::load_all(&opts).map_err(|e| match e {
        generator::Error::Content(p) => Error::Content(p),
        other => Error::Site(other),
    })
}

/// The running parts, before they are bound to an address.
pub struct Service {
    pub app: AppState,
    outbox: Outbox,
}

impl Service {
    pub async fn new(cfg: Config) -> Result<Service> {
        let (content, theme) = load_site(&cfg)?;
        let keys = Arc::new(Keyring::from_config(&cfg)?);
        let blobs = Blobs::open(&cfg.storage)?.with_keys(keys.clone());
        let message_domain = url::Url::parse(&cfg.base_url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| "localhost".into());
        let (store, nik): (DynStore, _) =
            crate::store::open(&cfg.database_url, cfg.database_pool, &message_domain, &keys).await?;
        let key = FormKey::shared(&cfg.form_key, store.as_ref()).await?;
        let transport = Transport::from_config(&cfg)?;
        let metrics = Arc::new(Metrics::new());
        let outbox = Outbox::new(store.clone(), transport, &cfg, metrics.clone())?;
        let scanner = scanner(&cfg).await;
        let app = Arc::new(App {
            routes: ServiceRoutes::new(&content.situs.layanan),
            limits: Limits::from_config(&cfg),
            cfg,
            store,
            blobs,
            nik,
            theme: Arc::new(theme),
            content: Arc::new(content),
            key,
            mail_wake: outbox.waker(),
            message_domain,
            metrics,
            scanner,
        });
        Ok(Service { app, outbox })
    }

    /// The service's routes, with the built site (from `public_dir`) behind them.
    pub fn router(&self) -> Router {
        let app = self.app.clone();
        let p = app.content.situs.layanan.clone();
        let service = Router::new()
            .route(
                &format!("{p}/registrasi"),
                get(registration::show).post(registration::submit),
            )
            .route(&format!("{p}/registrasi/berhasil"), get(registration::done))
            .route(&format!("{p}/masuk"), get(account::show_login).post(account::login))
            .route(&format!("{p}/keluar"), get(account::show_logout).post(account::logout))
            .route(
                &format!("{p}/atur-sandi"),
                get(account::show_set_password).post(account::set_password),
            )
            .route(
                &format!("{p}/lupa-sandi"),
                get(account::show_forgot).post(account::forgot),
            )
            .route(&format!("{p}/"), get(account::home))
            .route(
                &format!("{p}/profil"),
                get(account::show_profile).post(account::update_profile),
            )
            .route(
                &format!("{p}/profil/koreksi"),
                get(revisit::correction).post(account::request_correction),
            )
            .route(&format!("{p}/riwayat-akses"), get(account::history))
            .route(
                &format!("{p}/salinan-data"),
                get(revisit::copy).post(account::copy_of_my_data),
            )
            .route(
                &format!("{p}/hapus-akun"),
                get(account::show_deletion).post(account::request_deletion),
            )
            .route(
                &format!("{p}/hapus-akun/batal"),
                get(revisit::cancel_deletion).post(account::cancel_deletion),
            )
            .route(
                &format!("{p}/cek-status"),
                get(account::check_status).post(account::check_status_submit),
            )
            .route(
                &format!("{p}/permohonan/baru"),
                get(application::new_form).post(application::create),
            )
            .route(&format!("{p}/permohonan/{{nomor}}"), get(application::detail))
            .route(
                &format!("{p}/permohonan/{{nomor}}/dokumen"),
                get(application::documents_page),
            )
            .route(
                &format!("{p}/permohonan/{{nomor}}/dokumen/{{syarat}}"),
                get(revisit::document)
                    .post(application::upload)
                    .layer(axum::extract::DefaultBodyLimit::max(UPLOAD_BODY_LIMIT)),
            )
            .route(
                &format!("{p}/permohonan/{{nomor}}/dokumen/{{syarat}}/hapus"),
                get(revisit::document).post(application::remove),
            )
            .route(
                &format!("{p}/permohonan/{{nomor}}/ubah"),
                get(application::edit_form).post(application::save_details),
            )
            .route(
                &format!("{p}/permohonan/{{nomor}}/ajukan"),
                get(application::check_answers).post(application::submit),
            )
            .route(&format!("{p}/berkas/{{alamat}}"), get(application::download))
            .route(&format!("{p}/petugas/permohonan"), get(queue::queue))
            .route(&format!("{p}/petugas/permohonan.csv"), get(queue::queue_csv))
            .route(&format!("{p}/petugas/permohonan/{{nomor}}"), get(review::detail))
            .route(
                &format!("{p}/petugas/permohonan/{{nomor}}/{{aksi}}"),
                get(review::confirm).post(review::act),
            )
            .route(
                &format!("{p}/petugas/masuk"),
                get(account::show_officer_login).post(account::officer_login),
            )
            .route(
                &format!("{p}/petugas/verifikasi"),
                get(account::show_verify).post(account::verify),
            )
            .route(
                &format!("{p}/petugas/aktifkan-verifikasi"),
                get(account::show_enrol).post(account::enrol),
            )
            .route(&format!("{p}/petugas/"), get(officer::dashboard))
            .route(&format!("{p}/petugas/registrasi/{{id}}"), get(officer::detail))
            .route(
                &format!("{p}/petugas/registrasi/{{id}}/setujui"),
                get(revisit::registration_decision).post(officer::approve),
            )
            .route(
                &format!("{p}/petugas/registrasi/{{id}}/tolak"),
                get(revisit::registration_decision).post(officer::reject),
            )
            .route(&format!("{p}/petugas/audit"), get(audit::trail))
            .route(&format!("{p}/petugas/surel"), get(officer::failed_mail))
            .route(&format!("{p}/petugas/berkas-ditolak"), get(officer::scan_refusals))
            .route(&format!("{p}/petugas/akun"), get(officer::accounts))
            .route(
                &format!("{p}/petugas/akun/{{username}}/nonaktifkan"),
                get(officer::confirm_disable).post(officer::disable),
            )
            .route(&format!("{p}/petugas/koreksi"), get(correction::list))
            .route(&format!("{p}/petugas/koreksi/{{id}}"), get(correction::detail))
            .route(
                &format!("{p}/petugas/koreksi/{{id}}/setujui"),
                get(revisit::correction_decision).post(correction::approve),
            )
            .route(
                &format!("{p}/petugas/koreksi/{{id}}/tolak"),
                get(revisit::correction_decision).post(correction::refuse),
            )
            .route(&format!("{p}/petugas/penghapusan"), get(erasure::list))
            .route(&format!("{p}/petugas/penghapusan/{{id}}"), get(erasure::confirm))
            .route(
                &format!("{p}/petugas/penghapusan/{{id}}/proses"),
                get(revisit::erasure_process).post(erasure::process),
            )
            // Set after every route above: each takes it as its answer to other methods.
            .method_not_allowed_fallback(revisit::method_not_allowed)
            .layer(axum::middleware::from_fn_with_state(
                app.clone(),
                crate::server::read_form_body,
            ))
            .layer(axum::middleware::from_fn_with_state(app.clone(), web::render_errors))
            .with_state(app.clone());
        let ops = Router::new()
            .route("/healthz", get(ops::healthz))
            .route("/readyz", get(ops::readyz))
            .route("/metrics", get(ops::metrics))
            .route("/favicon.ico", get(ops::favicon))
            .with_state(app.clone());
        Router::new()
            .merge(service)
            .merge(ops)
            .fallback_service(generator::site_router(&app.cfg.public_dir))
            .layer(axum::middleware::from_fn_with_state(app.clone(), web::security_headers))
            .layer(axum::middleware::from_fn_with_state(
                app.metrics.clone(),
                crate::observe::observe,
            ))
    }

    /// Serves on `listener` until `shutdown` resolves; the outbox worker runs beside it and
    /// stops after the server has.
    pub async fn run(
        self,
        listener: TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<()> {
        let router = self.router();
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let sweeper = tokio::spawn(crate::sweeper::run(
            self.app.store.clone(),
            self.app.blobs.clone(),
            self.app.cfg.discard_grace,
            self.app.cfg.upload_max,
            stop_rx.clone(),
        ));
        let retention = tokio::spawn(crate::retention::daily(
            self.app.store.clone(),
            self.app.content.situs.retensi,
            self.app.content.situs.instansi.clone(),
            stop_rx.clone(),
        ));
        let worker = tokio::spawn(self.outbox.run(stop_rx));
        // After the signal, requests in flight get DRAIN to finish; a client that trickles its
        // request (or a stalled upload) must not keep the service from stopping within the
        // supervisor's stop timeout.
        let (began_tx, began_rx) = tokio::sync::oneshot::channel::<()>();
        let shutdown = async move {
            shutdown.await;
            let _ = began_tx.send(());
        };
        let serving = crate::server::serve(listener, router, self.app.cfg.connections, shutdown);
        let drain = self.app.cfg.shutdown_drain;
        let deadline = async move {
            match began_rx.await {
                Ok(()) => tokio::time::sleep(drain).await,
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            () = serving => {}
            () = deadline => {
                tracing::warn!("requests still open {} s after the signal to stop; stopping without them", drain.as_secs());
            }
        }
        let _ = stop_tx.send(true);
        // An email being handed over is given up (its lease brings it back to a worker later).
        if tokio::time::timeout(WORKERS_STOP, worker).await.is_err() {
            tracing::warn!("the outbox worker did not stop in time; its email is sent again later");
        }
        let _ = tokio::time::timeout(WORKERS_STOP, sweeper).await;
        // A run cut off mid-way rolls back whole; tomorrow's does it again.
        let _ = tokio::time::timeout(WORKERS_STOP, retention).await;
        Ok(())
    }
}

/// The virus scanner `SICANTIK_CLAMD` names, asked once for its version so that the log says
/// whether it answers. One that does not answer yet is kept (it may start after us); until it
/// does, every upload is refused as not checked. Without the setting nothing is scanned, which
/// is worth a warning anywhere but a developer's machine.
async fn scanner(cfg: &Config) -> Option<Arc<dyn Scanner>> {
    let Some(address) = &cfg.clamd else {
        if !loopback(&cfg.base_url) {
            tracing::warn!(
                base_url = %cfg.base_url,
                "SICANTIK_CLAMD is not set: uploaded documents are NOT scanned for viruses"
            );
        }
        return None;
    };
    let clamd = Clamd::new(address.clone(), cfg.clamd_timeout);
    match clamd.version().await {
        Ok(version) => tracing::info!(scanner = %clamd.describe(), %version, "virus scanner answers"),
        Err(e) => tracing::warn!(
            scanner = %clamd.describe(),
            problem = e.detail(),
            "virus scanner does not answer: uploads are refused until it does"
        ),
    }
    Some(Arc::new(clamd))
}

/// Whether the base URL names this machine (a developer's, or a test's).
/// Cookies go without `Secure` when the base URL is plain http: right on a developer's machine,
/// wrong anywhere else, where sessions would cross the network in clear.
pub fn insecure_cookies(cfg: &Config) -> Option<String> {
    let development = cfg.addr.ip().is_loopback() && loopback(&cfg.base_url);
    (!cfg.https() && !development).then(|| {
        format!(
            "SICANTIK_BASE_URL {} is not https and the service listens on {}: session cookies are sent without Secure; \
             this is for development only",
            cfg.base_url, cfg.addr
        )
    })
}

fn loopback(base_url: &str) -> bool {
    match url::Url::parse(base_url)
        .ok()
        .and_then(|u| u.host().map(|h| h.to_owned()))
    {
        Some(url::Host::Domain(d)) => d == "localhost" || d.ends_with(".localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
    tracing::info!("shutting down");
}

/// `sicantik serve`: build the site from the content as it is now, then serve the site and the
/// service. A content problem stops the start, with every problem listed.
pub async fn serve(cfg: Config) -> Result<()> {
    {
        let opts = generator::Options {
            content_dir: cfg.content_dir.clone(),
            theme_dir: cfg.theme_dir.clone(),
            out_dir: cfg.public_dir.clone(),
            search: generator::Search::Index,
            base_url: Some(cfg.base_url.clone()),
            live_reload: false,
        };
        let report = tokio::task::spawn_blocking(move || generator::build(&opts))
            .await
            .map_err(|e| Error::Internal(e.to_string()))?
            .map_err(|e| match e {
                generator::Error::Content(p) => Error::Content(p),
                other => Error::Site(other),
            })?;
        tracing::info!(pages = report.pages, searchable = report.searchable, "site built");
    }
    let addr = cfg.addr;
    if let Some(warning) = insecure_cookies(&cfg) {
        tracing::warn!("{warning}");
    }
    let files = cfg.smtp_url.is_none().then(|| cfg.data_dir.join("surel"));
    let service = Service::new(cfg).await?;
    let listener = TcpListener::bind(addr).await.map_err(|source| Error::Io {
        action: "listen on",
        path: addr.to_string().into(),
        source,
    })?;
    println!("Situs dan layanan berjalan di http://{addr}/");
    if let Some(dir) = files {
        println!(
            "Tidak ada server SMTP: setiap surel ditulis sebagai berkas .eml di {}",
            dir.display()
        );
    }
    service.run(listener, shutdown_signal()).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(base_url: &str, addr: &str) -> Config {
        let env = [
            ("SICANTIK_BASE_URL".to_string(), base_url.to_string()),
            ("SICANTIK_ADDR".to_string(), addr.to_string()),
        ];
        Config::from_env(|k| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())).expect("config")
    }

    #[test]
    fn plain_http_off_loopback_is_warned_about() {
        assert!(insecure_cookies(&config("http://127.0.0.1:8080", "127.0.0.1:8080")).is_none());
        assert!(insecure_cookies(&config("http://localhost:8080", "127.0.0.1:8080")).is_none());
        assert!(insecure_cookies(&config("https://perizinan.example.go.id", "0.0.0.0:8080")).is_none());
        let warning = insecure_cookies(&config("http://perizinan.example.go.id", "0.0.0.0:8080"));
        assert!(warning.is_some_and(|w| w.contains("without Secure")));
        assert!(insecure_cookies(&config("http://127.0.0.1:8080", "0.0.0.0:8080")).is_some());
    }
}
