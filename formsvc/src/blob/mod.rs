//! Where uploaded documents live: a folder on this machine or an S3 bucket, behind one
//! `Arc<dyn ObjectStore>`, so the service can move to shared storage (several instances, or a
//! machine whose disk is not backed up) by changing a setting, not the routes.
//!
//! What the store owns, whatever the backend:
//! - Names are chosen here (random, 256 bits), never taken from a request; a name is checked
//!   before every use, so nothing that reads like a path reaches the backend.
//! - Writes stream through a multipart upload, a few MiB at a time, hashing as the bytes pass;
//!   a refused or failed write is aborted, so neither a half file nor S3 parts stay behind.
//!   Uniqueness comes from the random name alone: S3-compatible servers differ in conditional
//!   writes, and a 256-bit name does not need them.
//! - A write is acknowledged only once it is durable. S3 promises that on completion; the local
//!   folder gets it from `LocalFileSystem::with_fsync(true)` (off by default), which syncs the
//!   file and its folder before the rename that publishes it.
//!
//! It must not know about applications or requirements: what a document is for, and who may
//! read it, is the database's and the routes' business.

mod copy;
mod local;
mod multipart;
mod s3;
#[cfg(test)]
mod tests;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use futures_util::stream::{BoxStream, StreamExt, TryStreamExt};
use object_store::local::LocalFileSystem;
use object_store::path::Path as Key;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, ObjectStoreExt};

use self::local::create_dir_durably;
use self::s3::s3_client;
use crate::config::StorageConfig;
use crate::error::{Error, Result};

/// The document store. Cheap to clone: clones share one client.
#[derive(Clone)]
pub struct Blobs {
    store: Arc<dyn ObjectStore>,
    /// The folder, for the local backend (`check` needs it: a missing folder looks like a
    /// missing object).
    local_dir: Option<PathBuf>,
}

impl std::fmt::Debug for Blobs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Blobs({})", self.store)
    }
}

/// A document that has been written and is durable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    /// The object's name, `<random>.bin`.
    pub name: String,
    pub size: u64,
    /// Lowercase hex.
    pub sha256: String,
}

/// Why `put_stream` stored nothing.
#[derive(Debug)]
pub enum PutError<E> {
    /// More than `max_bytes` arrived.
    TooLarge { max_bytes: u64 },
    /// The stream itself ended with an error: the caller refused the content or the client
    /// went away.
    Refused(E),
    /// The backend failed.
    Store(Error),
}

impl Blobs {
    /// Opens the store the configuration names. The local folder is created if missing; S3 is
    /// not contacted here (see `check`).
    pub fn open(cfg: &StorageConfig) -> Result<Blobs> {
        match cfg {
            StorageConfig::Local { dir } => {
                create_dir_durably(dir)?;
                let fs = LocalFileSystem::new_with_prefix(dir)
                    .map_err(Error::Blob)?
                    .with_fsync(true);
                Ok(Blobs {
                    store: Arc::new(fs),
                    local_dir: Some(dir.clone()),
                })
            }
            StorageConfig::S3 { prefix, .. } => {
                let s3 = s3_client(cfg)?;
                let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
                    Arc::new(s3)
                } else {
                    Arc::new(PrefixStore::new(s3, prefix.as_str()))
                };
                Ok(Blobs { store, local_dir: None })
            }
        }
    }

    /// The object's bytes as they arrive from the backend. A name that does not exist, or could
    /// not have been made by `put_stream`, is `Error::NotFound`.
    pub async fn get(&self, name: &str) -> Result<BoxStream<'static, Result<Bytes>>> {
        let key = key(name).ok_or(Error::NotFound)?;
        let got = self.store.get(&key).await.map_err(store_error)?;
        Ok(got.into_stream().map_err(store_error).boxed())
    }

    /// Deletes the object; one that is already gone is fine.
    pub async fn delete(&self, name: &str) -> Result<()> {
        let key =
            key(name).ok_or_else(|| Error::Internal(format!("refusing to delete {name:?}: not a document name")))?;
        match self.store.delete(&key).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(Error::Blob(e)),
        }
    }

    /// Every object with its size and last change, sorted by name (for tests and for sweeping
    /// objects that no document row names).
    pub async fn list(&self) -> Result<Vec<(String, u64, SystemTime)>> {
        let mut all: Vec<(String, u64, SystemTime)> = self
            .store
            .list(None)
            .map_ok(|m| (m.location.to_string(), m.size, m.last_modified.into()))
            .try_collect()
            .await
            .map_err(Error::Blob)?;
        all.sort();
        Ok(all)
    }

    /// Readiness: the backend answers and lets us look. Asking for an object that does not
    /// exist is the cheapest question S3 answers (it needs the `s3:ListBucket` permission to say
    /// "not found" rather than "forbidden", which `list` needs anyway).
    pub async fn check(&self) -> Result<()> {
        if let Some(dir) = &self.local_dir {
            let meta = tokio::fs::metadata(dir).await.map_err(|source| Error::Io {
                action: "read",
                path: dir.clone(),
                source,
            })?;
            if !meta.is_dir() {
                return Err(Error::Internal(format!("{} is not a folder", dir.display())));
            }
        }
        match self.store.head(&Key::from("kesiapan-probe")).await {
            Ok(_) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(Error::Blob(e)),
        }
    }
}

/// The key of a name `put_stream` could have made: `[A-Za-z0-9_-]+.bin`, nothing else.
fn key(name: &str) -> Option<Key> {
    let stem = name.strip_suffix(".bin")?;
    let plain = !stem.is_empty()
        && stem
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    plain.then(|| Key::from(name))
}

fn store_error(e: object_store::Error) -> Error {
    match e {
        object_store::Error::NotFound { .. } => Error::NotFound,
        e => Error::Blob(e),
    }
}
