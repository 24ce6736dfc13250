//! `sicantik backup DEST`, `sicantik backup verify SRC` and `sicantik restore SRC`: one archive
//! (a tar file) with everything needed to bring the office back after a disaster, written
//! while the service runs.
//!
//! What it holds: the database at one instant (`store::Backup::snapshot`), every document that
//! copy names, byte for byte as stored (encrypted documents stay encrypted), the content
//! directory (the guide and the permits as the editors left them), and `manifest.json` last:
//! counts and the SHA-256 of every part. The master key of encrypted documents is never in it.
//!
//! Consistency: a document named by the copy can be deleted while the backup runs (its
//! applicant replaced it). Then the backup starts again from a new snapshot, so an archive
//! never names a document it does not hold.

mod archive;
mod manifest;

use std::path::{Path, PathBuf};

pub use self::manifest::{Manifest, Part};
use crate::blob::Blobs;
use crate::config::Config;
use crate::error::{Error, Result};

/// How many times a backup starts again when documents vanish under it.
const ATTEMPTS: usize = 3;

/// Writes the archive at `dest`, which must not exist. The file appears only when complete.
pub async fn backup(cfg: &Config, dest: &Path) -> Result<Manifest> {
    if dest.exists() {
        return Err(Error::Config(format!(
            "{} exists already: a backup never overwrites one",
            dest.display()
        )));
    }
    let keys = crate::keys::Keyring::from_config(cfg)?;
    let (store, _) = crate::store::open(&cfg.database_url, 2, "localhost", &keys).await?;
    let blobs = Blobs::open(&cfg.storage)?;
    let parent = dest
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let partial = sibling(dest, "partial");
    for attempt in 1..=ATTEMPTS {
        let scratch = tempfile::Builder::new()
            .prefix(".sicantik-backup-")
            .tempdir_in(parent)
            .map_err(|source| Error::Io {
                action: "create a temporary folder in",
                path: parent.to_path_buf(),
                source,
            })?;
        let snapshot = store.snapshot(scratch.path()).await?;
        let written = archive::write(
            &partial,
            &scratch.path().join(&snapshot.file),
            &snapshot,
            &blobs,
            &cfg.content_dir,
        )
        .await;
        match written {
            Ok(manifest) => {
                archive::publish(&partial, dest)?;
                return Ok(manifest);
            }
            Err(archive::WriteError::Vanished(name)) => {
                let _ = std::fs::remove_file(&partial);
                tracing::warn!(attempt, document = %name, "a document was deleted during the backup; starting again");
            }
            Err(archive::WriteError::Other(e)) => {
                let _ = std::fs::remove_file(&partial);
                return Err(e);
            }
        }
    }
    Err(Error::Internal(format!(
        "documents kept changing during {ATTEMPTS} attempts; try the backup again at a quieter time"
    )))
}

/// Checks the archive without restoring it: every part against the manifest, nothing missing
/// and nothing extra, and the database copy readable (SQLite: its integrity and its counts).
pub async fn verify(src: &Path) -> Result<Manifest> {
    let scratch = tempfile::tempdir().map_err(|source| Error::Io {
        action: "create a temporary folder",
        path: std::env::temp_dir(),
        source,
    })?;
    let src = src.to_path_buf();
    let dir = scratch.path().to_path_buf();
    let (manifest, database) = tokio::task::spawn_blocking(move || archive::check(&src, &dir))
        .await
        .map_err(|e| Error::Internal(e.to_string()))??;
    match manifest.engine.as_str() {
        "sqlite" => {
            let copy = crate::store::sqlite::describe_file(&database)?;
            if copy.counts != manifest.counts {
                return Err(Error::Internal(format!(
                    "the database holds {:?}, the manifest says {:?}",
                    copy.counts, manifest.counts
                )));
            }
            let named: Vec<&str> = manifest.documents.iter().map(Part::document_name).collect();
            if copy.documents.iter().map(String::as_str).ne(named.iter().copied()) {
                return Err(Error::Internal(
                    "the documents in the archive are not the ones its database names".into(),
                ));
            }
        }
        "postgres" => crate::store::postgres::check_dump(&database).await?,
        other => return Err(Error::Internal(format!("unknown engine {other:?} in the manifest"))),
    }
    Ok(manifest)
}

/// Restores the archive into the configured database, document store and content directory,
/// after verifying it. Refuses, before writing anything, when the database exists (SQLite: its
/// file; PostgreSQL: any table) or the document store holds any object. Nothing else in the
/// data directory is looked at; a content directory that exists is kept as it is.
pub async fn restore(cfg: &Config, src: &Path) -> Result<Manifest> {
    let manifest = verify(src).await?;
    let engine_matches = matches!(
        (&cfg.database_url, manifest.engine.as_str()),
        (crate::config::DatabaseUrl::Sqlite(_), "sqlite") | (crate::config::DatabaseUrl::Postgres(_), "postgres")
    );
    if !engine_matches {
        return Err(Error::Config(format!(
            "the backup is of a {} database; set SICANTIK_DATABASE_URL to one of that kind",
            manifest.engine
        )));
    }
    // Every refusal comes before the first write: a refused restore changes nothing.
    crate::store::ensure_empty(&cfg.database_url).await?;
    let blobs = Blobs::open(&cfg.storage)?;
    if !blobs.list().await?.is_empty() {
        return Err(Error::Config(
            "the document store is not empty: restore into an empty folder or bucket prefix".into(),
        ));
    }
    let content = (!cfg.content_dir.exists()).then(|| cfg.content_dir.clone());
    if content.is_none() {
        tracing::info!(
            dir = %cfg.content_dir.display(),
            "the content directory exists and is kept; the backup's copy stays in the archive under content/"
        );
    }
    let scratch = tempfile::tempdir().map_err(|source| Error::Io {
        action: "create a temporary folder",
        path: std::env::temp_dir(),
        source,
    })?;
    let database = archive::extract(src, scratch.path(), &blobs, content.as_deref()).await?;
    crate::store::restore_snapshot(&cfg.database_url, &database).await?;
    Ok(manifest)
}

/// `dest` with `.tag` appended to its file name.
fn sibling(dest: &Path, tag: &str) -> PathBuf {
    let mut name = dest.as_os_str().to_owned();
    name.push(format!(".{tag}"));
    PathBuf::from(name)
}
