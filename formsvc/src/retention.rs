//! The retention schedule of `content/situs.yaml` (`retensi`) applied: `sicantik retention`
//! (with `--dry-run`, a list of what would go), and a job in `serve` that applies it once a
//! day. What goes and how is the store's (`store::Retention`); this module turns the
//! schedule's days and years into cut-off times and runs it.
//!
//! Erased documents' objects are discarded, not deleted at once: the sweeper deletes them
//! after `SICANTIK_DISCARD_GRACE_HOURS`, so a backup running meanwhile still finds every
//! document its database copy names. Backups taken before an erasure still hold the data
//! until they age out (14 days with the shipped timer).

use std::time::Duration;

use generator::model::{FinishedAction, Retention};

use crate::clock::now;
use crate::error::Result;
use crate::records::{RetentionCutoffs, RetentionReport};
use crate::store::DynStore;

const DAY: i64 = 24 * 3600;
/// A year of the archive schedule, counted generously (a leap year's day more).
const YEAR: i64 = 366 * DAY;
/// How often `serve` applies the schedule.
const EVERY: Duration = Duration::from_secs(24 * 3600);
/// The longest window of any attempt counter (`ratelimit`) is a day; a counter two days
/// old counts nothing any more.
const COUNTERS: i64 = 2 * DAY;

/// The cut-off times of `schedule` at `now`.
pub fn cutoffs(schedule: &Retention, now: i64) -> RetentionCutoffs {
    let days = |n: u32| now - i64::from(n) * DAY;
    let finished = now - i64::from(schedule.permohonan_selesai_tahun) * YEAR;
    let (erase, archive) = match schedule.permohonan_selesai_tindakan {
        FinishedAction::Hapus => (Some(finished), None),
        FinishedAction::Serahkan => (None, Some(finished)),
    };
    RetentionCutoffs {
        refused_registrations: days(schedule.registrasi_ditolak_hari),
        unfinished_registrations: days(schedule.registrasi_tak_selesai_hari),
        drafts: days(schedule.draf_hari),
        rejected_applications: days(schedule.permohonan_ditolak_hari),
        finished_applications: erase,
        finished_for_archive: archive,
        links: days(schedule.tautan_hari),
        sessions: days(schedule.sesi_hari),
        counters: now - COUNTERS,
        mail: days(schedule.surel_hari),
    }
}

/// Until when the schedule keeps an application that finished at `finished_at`: the same
/// period as its cut-off, so what the applicant is told is what the schedule does.
pub fn finished_kept_until(schedule: &Retention, finished_at: i64) -> i64 {
    finished_at + i64::from(schedule.permohonan_selesai_tahun) * YEAR
}

/// What becomes of a finished application after its period, in the words the applicant reads.
pub fn finished_then(schedule: &Retention) -> &'static str {
    match schedule.permohonan_selesai_tindakan {
        FinishedAction::Serahkan => "diserahkan kepada arsip daerah sesuai Jadwal Retensi Arsip",
        FinishedAction::Hapus => "dihapus beserta dokumennya",
    }
}

/// Applies the schedule (or, with `apply` false, only says what it would erase).
pub async fn run(store: &DynStore, schedule: &Retention, instansi: &str, apply: bool) -> Result<RetentionReport> {
    let now = now();
    store.retention(cutoffs(schedule, now), instansi, apply, now).await
}

/// `sicantik retention`: the schedule of the configured content, on the configured store.
pub async fn run_configured(cfg: crate::config::Config, apply: bool) -> Result<RetentionReport> {
    let service = crate::service::Service::new(cfg).await?;
    let app = service.app.clone();
    run(
        &app.store,
        &app.content.situs.retensi,
        &app.content.situs.instansi,
        apply,
    )
    .await
}

/// Applies the schedule now and then once a day until `stop` changes. Several instances may
/// run it at once: what one erased the other no longer finds.
pub async fn daily(
    store: DynStore,
    schedule: Retention,
    instansi: String,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        match run(&store, &schedule, &instansi, true).await {
            Ok(report) => {
                for (kind, n, _) in &report.erased {
                    tracing::info!(kind = kind.as_str(), count = n, "retention: erased");
                }
                if !report.archive_due.is_empty() {
                    tracing::info!(
                        count = report.archive_due.len(),
                        "retention: finished applications are due to be handed to the archive (sicantik retention --dry-run lists them)"
                    );
                }
            }
            Err(e) => tracing::warn!(error = %e, "applying the retention schedule failed; trying again tomorrow"),
        }
        tokio::select! {
            _ = tokio::time::sleep(EVERY) => {}
            _ = stop.changed() => return,
        }
    }
}
