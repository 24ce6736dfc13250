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
//! - Every document is encrypted on its way in (`sealed`: ChaCha20-Poly1305 in 64 KiB chunks,
//!   the STREAM construction) under a key of its own, which leaves here only wrapped by the
//!   master key (`Stored::key`, kept in the document's row by the caller, never beside the
//!   object). Reads decrypt as they stream and end in an error at the first chunk that does
//!   not authenticate. The size and SHA-256 reported are the plaintext's.
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
pub(crate) mod sealed;
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
use crate::keys::{Keyring, WrappedKey};

/// The document store. Cheap to clone: clones share one client.
#[derive(Clone)]
pub struct Blobs {
    store: Arc<dyn ObjectStore>,
    /// The folder, for the local backend (`check` needs it: a missing folder looks like a
    /// missing object).
    local_dir: Option<PathBuf>,
    /// The master keys that wrap and unwrap document keys; without them, documents can be
    /// listed and deleted but not written or decrypted.
    keys: Option<Arc<Keyring>>,
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
    /// Of the plaintext, lowercase hex.
    pub sha256: String,
    /// The document's own key, wrapped by the current master key: for the document's row.
    pub key: WrappedKey,
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
                    keys: None,
                })
            }
            StorageConfig::S3 { prefix, .. } => {
                let s3 = s3_client(cfg)?;
                let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
                    Arc::new(s3)
                } else {
                    Arc::new(PrefixStore::new(s3, prefix.as_str()))
                };
                Ok(Blobs {
                    store,
                    local_dir: None,
                    keys: None,
                })
            }
        }
    }

    /// The same store, able to write and read documents with `keys`.
    pub fn with_keys(mut self, keys: Arc<Keyring>) -> Blobs {
        self.keys = Some(keys);
        self
    }

    fn keys(&self) -> Result<&Keyring> {
        self.keys
            .as_deref()
            .ok_or_else(|| Error::Internal("the document store was opened without the master key".into()))
    }

    /// The document's bytes, decrypted as they arrive from the backend with `key` (from the
    /// document's row); `None` for a document stored before encryption, served as stored. A
    /// name that does not exist, or could not have been made by `put_stream`, is
    /// `Error::NotFound`. The first chunk is decrypted before this returns, so a wrong key or
    /// a spoiled beginning is an error here; a later chunk that does not authenticate ends the
    /// stream with an error, after only authentic bytes.
    pub async fn get(&self, name: &str, wrapped: Option<&WrappedKey>) -> Result<BoxStream<'static, Result<Bytes>>> {
        let k = key(name).ok_or(Error::NotFound)?;
        let doc_key = match wrapped {
            None => None,
            Some(w) => Some(
                self.keys()?
                    .unwrap(w, &document_context(name))
                    .map_err(|e| Error::Crypto(format!("the key of document {name}: {e}")))?,
            ),
        };
        let got = self.store.get(&k).await.map_err(store_error)?;
        let raw = got.into_stream().map_err(store_error).boxed();
        let Some(doc_key) = doc_key else {
            return Ok(raw);
        };
        let mut plain = decrypting(raw, sealed::Opener::new(&doc_key));
        match plain.next().await {
            None => Ok(futures_util::stream::empty().boxed()),
            Some(Err(e)) => Err(e),
            Some(Ok(first)) => Ok(futures_util::stream::once(async move { Ok(first) })
                .chain(plain)
                .boxed()),
        }
    }

    /// Writes `bytes` as they are under `name`, over whatever is there: for tests that spoil a
    /// stored object, and for nothing else.
    pub async fn put_raw(&self, name: &str, bytes: Bytes) -> Result<()> {
        let k = key(name).ok_or(Error::NotFound)?;
        self.store.put(&k, bytes.into()).await.map_err(store_error)?;
        Ok(())
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

    /// Removes what unfinished writes left behind before `cutoff` (the local folder's staging
    /// files; S3 keeps the parts of an unfinished multipart upload until the bucket's lifecycle
    /// rule aborts it, see the deploy guide). Returns how many files went.
    pub async fn remove_unfinished_writes(&self, cutoff: SystemTime) -> Result<usize> {
        match self.local_dir.clone() {
            Some(dir) => tokio::task::spawn_blocking(move || self::local::remove_stale_staging(&dir, cutoff))
                .await
                .map_err(|e| Error::Internal(format!("the staging sweep stopped: {e}")))?,
            None => Ok(0),
        }
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

/// Whether `name` is one `put_stream` could have made (what else lies in the folder or the
/// bucket is not ours to delete).
pub fn is_document_name(name: &str) -> bool {
    key(name).is_some()
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

/// What a document's wrapped key is bound to: its object, so a key moved to another row
/// does not open.
fn document_context(name: &str) -> String {
    format!("document:{name}")
}

/// The plaintext of a sealed object's byte stream, chunk by authenticated chunk; the first
/// error (from the backend or a chunk that does not open) ends it.
fn decrypting(raw: BoxStream<'static, Result<Bytes>>, opener: sealed::Opener) -> BoxStream<'static, Result<Bytes>> {
    struct State {
        raw: BoxStream<'static, Result<Bytes>>,
        opener: sealed::Opener,
        ready: std::collections::VecDeque<Bytes>,
        done: bool,
    }
    let state = State {
        raw,
        opener,
        ready: Default::default(),
        done: false,
    };
    futures_util::stream::unfold(state, |mut st| async move {
        loop {
            if let Some(b) = st.ready.pop_front() {
                return Some((Ok(b), st));
            }
            if st.done {
                return None;
            }
            let step = match st.raw.next().await {
                Some(Ok(data)) => st.opener.push(&data),
                Some(Err(e)) => Err(e),
                None => {
                    st.done = true;
                    st.opener.finish().map(|last| vec![last])
                }
            };
            match step {
                Ok(chunks) => st.ready.extend(chunks.into_iter().filter(|c| !c.is_empty())),
                Err(e) => {
                    st.done = true;
                    st.ready.clear();
                    return Some((Err(e), st));
                }
            }
        }
    })
    .boxed()
}

fn store_error(e: object_store::Error) -> Error {
    match e {
        object_store::Error::NotFound { .. } => Error::NotFound,
        e => Error::Blob(e),
    }
}
