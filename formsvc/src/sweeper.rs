//! Deletes the stored objects of replaced and removed documents once their grace period is
//! over. They are not deleted at once because a backup running at that moment may hold a
//! database copy that still names them (see `backup`); a day is far longer than any backup.

use std::time::Duration;

use crate::blob::Blobs;
use crate::clock::now_ms;
use crate::error::Result;
use crate::store::DynStore;

/// How often the sweeper looks.
const EVERY: Duration = Duration::from_secs(600);
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

/// Sweeps every ten minutes until `stop` changes. Several instances may sweep at once:
/// deleting an object twice is harmless.
pub async fn run(store: DynStore, blobs: Blobs, grace: Duration, mut stop: tokio::sync::watch::Receiver<bool>) {
    loop {
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
