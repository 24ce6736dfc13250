//! Deletes the stored objects of replaced and removed documents once their grace period is
//! over. They are not deleted at once because a backup running at that moment may hold a
//! database copy that still names them (see `backup`); a day is far longer than any backup.
//!
//! It also deletes orphans, at start and hourly: objects no row names (an upload whose row never
//! committed, a crash between the two) and the staging files of writes cut off. Only those
//! older than the longest an upload can take (`SICANTIK_UPLOAD_MAX_MINUTES`) and a margin, so an
//! upload still streaming, or one whose row is about to commit, is never touched.

use std::time::Duration;

use crate::blob::Blobs;
use crate::clock::now_ms;
use crate::error::Result;
use crate::store::DynStore;

/// How often the sweeper looks.
const EVERY: Duration = Duration::from_secs(600);
/// Orphans are looked for every this many rounds (hourly), and at start.
const ORPHAN_ROUNDS: u32 = 6;
/// Past the longest upload: time for its row to commit after the object is published.
const ORPHAN_MARGIN: Duration = Duration::from_secs(600);
const BATCH: i64 = 200;

/// Deletes what was discarded more than `grace` ago; returns how many objects went.
pub async fn sweep(store: &DynStore, blobs: &Blobs, grace: Duration) -> Result<usize> {
    let mut deleted = 0;
    loop {
        let before = now_ms() - grace.as_millis() as i64;
        let names = store.discarded_before(before, BATCH).await?;
        if names.is_empty() {
            return Ok(deleted);
        }
        for name in &names {
            blobs.delete(name).await?;
        }
        store.forget_discarded(&names).await?;
        deleted += names.len();
    }
}

/// What the orphan sweep removed.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Orphans {
    /// Whole objects no row names.
    pub objects: usize,
    /// Staging files of writes that never finished.
    pub unfinished: usize,
}

/// Deletes objects that no row names and unfinished writes, last changed more than
/// `longest_upload` plus a margin ago.
pub async fn sweep_orphans(store: &DynStore, blobs: &Blobs, longest_upload: Duration) -> Result<Orphans> {
    let cutoff = std::time::SystemTime::now() - (longest_upload + ORPHAN_MARGIN);
    let unfinished = blobs.remove_unfinished_writes(cutoff).await?;
    let old: Vec<String> = blobs
        .list()
        .await?
        .into_iter()
        .filter(|(name, _, modified)| *modified < cutoff && crate::blob::is_document_name(name))
        .map(|(name, _, _)| name)
        .collect();
    let mut objects = 0;
    for names in old.chunks(BATCH as usize) {
        for name in store.orphans_among(names).await? {
            blobs.delete(&name).await?;
            objects += 1;
        }
    }
    Ok(Orphans { objects, unfinished })
}

/// Sweeps every ten minutes, and orphans at start and hourly, until `stop` changes. Several
/// instances may sweep at once: deleting an object twice is harmless.
pub async fn run(
    store: DynStore,
    blobs: Blobs,
    grace: Duration,
    longest_upload: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    for round in 0u32.. {
        if round % ORPHAN_ROUNDS == 0 {
            match sweep_orphans(&store, &blobs, longest_upload).await {
                Ok(Orphans {
                    objects: 0,
                    unfinished: 0,
                }) => {}
                Ok(o) => tracing::info!(
                    objects = o.objects,
                    unfinished = o.unfinished,
                    "deleted stored objects no document names"
                ),
                Err(e) => tracing::warn!(error = %e, "sweeping orphaned objects failed; trying again later"),
            }
        }
        match sweep(&store, &blobs, grace).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(objects = n, "deleted the objects of replaced documents"),
            Err(e) => tracing::warn!(error = %e, "sweeping replaced documents failed; trying again later"),
        }
        tokio::select! {
            _ = tokio::time::sleep(EVERY) => {}
            _ = stop.changed() => return,
        }
    }
}
