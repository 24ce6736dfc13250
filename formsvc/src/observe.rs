//! What the office's IT staff watch. Every request gets an id: it is in every log line of that
//! request, in the `X-Request-Id` header, and on an error page as the "kode rujukan" a user reads
//! out to the help desk, so the report leads to the log line. One access log line per request
//! names the route's pattern (`/layanan/permohonan/{nomor}`), never the address itself, whose
//! numbers and query could identify a person. And the figures behind `/metrics`, in the
//! OpenMetrics text format that Prometheus scrapes.

use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use tracing::Instrument;

use crate::records::OutboxState;
use crate::scan::ScannerState;

tokio::task_local! {
    static REQUEST_ID: String;
}

/// The id of the request being handled, when there is one.
pub fn request_id() -> Option<String> {
    REQUEST_ID.try_with(Clone::clone).ok()
}

fn new_request_id() -> String {
    crate::security::random_token()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(10)
        .collect()
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteStatus {
    route: String,
    method: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabel {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KindLabel {
    kind: String,
}

/// What the service has done since it started, and the state of its queue when scraped.
pub struct Metrics {
    registry: Registry,
    requests: Family<RouteStatus, Counter>,
    latency: Family<RouteLabel, Histogram>,
    refused: Family<RouteLabel, Counter>,
    acknowledged: Family<KindLabel, Counter>,
    uploads: Counter,
    upload_bytes: Counter,
    scan_refused: Family<KindLabel, Counter>,
    errors: Family<KindLabel, Counter>,
    mail_sent: Counter,
    mail_attempts_failed: Counter,
    outbox_waiting: Gauge,
    outbox_oldest_seconds: Gauge,
    outbox_failed: Gauge,
    scanner_configured: Gauge,
    scanner_up: Gauge,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("sicantik");
        let requests = Family::<RouteStatus, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route pattern, method and status",
            requests.clone(),
        );
        // 5 ms to about 20 s.
        let latency = Family::<RouteLabel, Histogram>::new_with_constructor(|| {
            Histogram::new(exponential_buckets(0.005, 2.0, 13))
        });
        registry.register(
            "http_request_duration_seconds",
            "Time to answer, by route pattern",
            latency.clone(),
        );
        let refused = Family::<RouteLabel, Counter>::default();
        registry.register(
            "rate_limited",
            "Requests refused by a rate limit or lockout (429), by route pattern",
            refused.clone(),
        );
        let acknowledged = Family::<KindLabel, Counter>::default();
        registry.register(
            "submissions_acknowledged",
            "Submissions stored and acknowledged to the user, by kind",
            acknowledged.clone(),
        );
        let uploads = Counter::default();
        registry.register("uploads", "Documents accepted", uploads.clone());
        let upload_bytes = Counter::default();
        registry.register("upload_bytes", "Bytes of documents accepted", upload_bytes.clone());
        let scan_refused = Family::<KindLabel, Counter>::default();
        registry.register(
            "uploads_refused_by_scanner",
            "Uploads the virus scanner refused, by outcome: virus, tidak_terperiksa, pemindai_gagal",
            scan_refused.clone(),
        );
        let errors = Family::<KindLabel, Counter>::default();
        registry.register(
            "server_errors",
            "Requests that failed with a server error (5xx), by cause: store, blob, mail, other",
            errors.clone(),
        );
        let mail_sent = Counter::default();
        registry.register("mail_sent", "Emails handed to the mail server", mail_sent.clone());
        let mail_attempts_failed = Counter::default();
        registry.register(
            "mail_attempts_failed",
            "Delivery attempts that failed (each is retried until its last attempt)",
            mail_attempts_failed.clone(),
        );
        let outbox_waiting = Gauge::default();
        registry.register("outbox_waiting", "Emails waiting to be sent", outbox_waiting.clone());
        let outbox_oldest_seconds = Gauge::default();
        registry.register(
            "outbox_oldest_waiting_seconds",
            "Age of the oldest email waiting to be sent",
            outbox_oldest_seconds.clone(),
        );
        let outbox_failed = Gauge::default();
        registry.register(
            "outbox_failed",
            "Emails given up on after their last attempt, shown to officers",
            outbox_failed.clone(),
        );
        let scanner_configured = Gauge::default();
        registry.register(
            "scanner_configured",
            "1 when uploads go through a virus scanner (SICANTIK_CLAMD), 0 when they are stored unscanned",
            scanner_configured.clone(),
        );
        let scanner_up = Gauge::default();
        registry.register(
            "scanner_up",
            "1 when the virus scanner answered when scraped; 0 when it did not (uploads are refused) or none is configured",
            scanner_up.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            refused,
            acknowledged,
            uploads,
            upload_bytes,
            scan_refused,
            errors,
            mail_sent,
            mail_attempts_failed,
            outbox_waiting,
            outbox_oldest_seconds,
            outbox_failed,
            scanner_configured,
            scanner_up,
        }
    }

    /// A submission the user was told is safe: `registrasi`, `permohonan`, `pengajuan`.
    pub fn acknowledged(&self, kind: &str) {
        self.acknowledged.get_or_create(&KindLabel { kind: kind.into() }).inc();
    }

    pub fn uploaded(&self, bytes: u64) {
        self.uploads.inc();
        self.upload_bytes.inc_by(bytes);
    }

    /// An upload the virus scanner refused, by outcome word.
    pub fn scan_refused(&self, outcome: &str) {
        self.scan_refused
            .get_or_create(&KindLabel { kind: outcome.into() })
            .inc();
    }

    /// A server error, by the part that failed.
    pub fn server_error(&self, cause: &'static str) {
        self.errors.get_or_create(&KindLabel { kind: cause.into() }).inc();
    }

    pub fn mail_sent(&self) {
        self.mail_sent.inc();
    }

    pub fn mail_attempt_failed(&self) {
        self.mail_attempts_failed.inc();
    }

    /// The figures in the OpenMetrics text format, with the outbox as it is at `now_ms` and the
    /// scanner as it answered just now.
    pub fn render(&self, outbox: OutboxState, scanner: &ScannerState, now_ms: i64) -> String {
        self.scanner_configured
            .set(i64::from(*scanner != ScannerState::NotConfigured));
        self.scanner_up
            .set(i64::from(matches!(scanner, ScannerState::Answers(_))));
        self.outbox_waiting.set(outbox.waiting);
        let oldest = outbox.oldest_queued_at_ms.map_or(0, |at| (now_ms - at).max(0) / 1000);
        self.outbox_oldest_seconds.set(oldest);
        self.outbox_failed.set(outbox.failed);
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }

    fn answered(&self, route: &str, method: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RouteStatus {
                route: route.into(),
                method: method.into(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabel { route: route.into() })
            .observe(seconds);
        if status == 429 {
            self.refused.get_or_create(&RouteLabel { route: route.into() }).inc();
        }
    }
}

/// The layer around every request: the id, the span every log line of the request is in, the
/// access log line, and the request figures.
pub async fn observe(State(metrics): State<std::sync::Arc<Metrics>>, request: Request, next: Next) -> Response {
    let id = new_request_id();
    // The pattern, not the path: `/layanan/berkas/{alamat}` rather than which document. Files of
    // the built site have no pattern.
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string());
    let method = request.method().as_str().to_string();
    let span = tracing::info_span!("request", id = %id);
    let started = Instant::now();
    let mut response = REQUEST_ID
        .scope(id.clone(), next.run(request).instrument(span.clone()))
        .await;
    let seconds = started.elapsed().as_secs_f64();
    let status = response.status().as_u16();
    let label = route.as_deref().unwrap_or("(site)");
    metrics.answered(label, &method, status, seconds);
    span.in_scope(|| match route {
        Some(_) => tracing::info!(
            target: "access",
            method = %method,
            route = label,
            status,
            ms = (seconds * 1000.0).round() as u64,
            "answered"
        ),
        None => tracing::debug!(
            target: "access",
            method = %method,
            status,
            ms = (seconds * 1000.0).round() as u64,
            "site file"
        ),
    });
    if let Ok(v) = HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", v);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_figures_name_routes_not_addresses_and_carry_the_outbox() {
        let m = Metrics::new();
        m.answered("/layanan/berkas/{alamat}", "GET", 200, 0.012);
        m.answered("/layanan/masuk", "POST", 429, 0.003);
        m.acknowledged("registrasi");
        m.uploaded(2048);
        m.scan_refused("virus");
        m.server_error("store");
        let text = m.render(
            OutboxState {
                waiting: 3,
                oldest_queued_at_ms: Some(1_000_000),
                failed: 1,
            },
            &ScannerState::Silent("cannot connect".into()),
            1_042_500,
        );
        assert!(text.contains(
            "sicantik_http_requests_total{route=\"/layanan/berkas/{alamat}\",method=\"GET\",status=\"200\"} 1"
        ));
        assert!(text.contains("sicantik_rate_limited_total{route=\"/layanan/masuk\"} 1"));
        assert!(text.contains("sicantik_submissions_acknowledged_total{kind=\"registrasi\"} 1"));
        assert!(text.contains("sicantik_upload_bytes_total 2048"));
        assert!(text.contains("sicantik_uploads_refused_by_scanner_total{kind=\"virus\"} 1"));
        assert!(text.contains("sicantik_server_errors_total{kind=\"store\"} 1"));
        assert!(text.contains("sicantik_outbox_waiting 3"));
        assert!(text.contains("sicantik_outbox_oldest_waiting_seconds 42"));
        assert!(text.contains("sicantik_scanner_configured 1"));
        assert!(text.contains("sicantik_scanner_up 0"));
        assert!(text.ends_with("# EOF\n"));
    }

    #[test]
    fn the_scanner_is_up_only_when_it_answered() {
        let m = Metrics::new();
        let up = m.render(OutboxState::default(), &ScannerState::Answers("ClamAV 1.4".into()), 0);
        assert!(up.contains("sicantik_scanner_configured 1") && up.contains("sicantik_scanner_up 1"));
        let none = m.render(OutboxState::default(), &ScannerState::NotConfigured, 0);
        assert!(none.contains("sicantik_scanner_configured 0") && none.contains("sicantik_scanner_up 0"));
    }
}
