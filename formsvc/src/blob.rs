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

use std::path::PathBuf;
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use futures_util::stream::{BoxStream, Stream, StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::local::LocalFileSystem;
use object_store::path::Path as Key;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, ObjectStoreExt, WriteMultipart};
use sha2::{Digest, Sha256};

use crate::config::StorageConfig;
use crate::error::{Error, Result};

/// How much of an upload is held before it is sent as one part: S3's smallest part size.
const PART_BYTES: usize = 5 * 1024 * 1024;

/// Parts being sent while the next one fills. One keeps an upload's memory at about one part
/// (the one in flight) plus the chunk just read; the browser is the slow side anyway.
const PARTS_IN_FLIGHT: usize = 1;

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

    /// Writes `chunks` as a new object under a new random name, at most `max_bytes`, and returns
    /// its name, size and SHA-256 once it is durable. If the stream yields an error, grows past
    /// `max_bytes`, or the backend fails, the upload is aborted and nothing is left behind.
    pub async fn put_stream<S, E>(&self, chunks: S, max_bytes: u64) -> Result<Stored, PutError<E>>
    where
        S: Stream<Item = Result<Bytes, E>>,
    {
        let name = format!("{}.bin", crate::security::random_token());
        let key = key(&name).ok_or_else(|| PutError::Store(Error::Internal(format!("bad new name {name}"))))?;
        // A plain (overwriting) multipart upload: the random name is what keeps it unique.
        let upload = self
            .store
            .put_multipart(&key)
            .await
            .map_err(|e| PutError::Store(store_error(e)))?;
        let mut pending = Pending(Some(WriteMultipart::new_with_chunk_size(upload, PART_BYTES)));
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        let mut chunks = std::pin::pin!(chunks);
        let outcome = loop {
            let Some(chunk) = chunks.next().await else {
                break Ok(());
            };
            let chunk = match chunk {
                Ok(c) => c,
                Err(e) => break Err(PutError::Refused(e)),
            };
            size += chunk.len() as u64;
            if size > max_bytes {
                break Err(PutError::TooLarge { max_bytes });
            }
            hasher.update(&chunk);
            let writer = pending.writer();
            // Back pressure: the next chunk is read only when a part's worth of memory is free.
            if let Err(e) = writer.wait_for_capacity(PARTS_IN_FLIGHT).await {
                break Err(PutError::Store(store_error(e)));
            }
            writer.put(chunk);
        };
        let writer = pending.take();
        match outcome {
            Ok(()) => {
                // `finish` aborts the upload itself when completing fails.
                writer.finish().await.map_err(|e| PutError::Store(store_error(e)))?;
                let sha256 = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
                Ok(Stored { name, size, sha256 })
            }
            Err(e) => {
                if let Err(abort) = writer.abort().await {
                    tracing::warn!(error = %abort, object = %name, "could not abort a refused upload");
                }
                Err(e)
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

/// Creates the folder; when it is new, syncs its parent so the folder survives a power cut
/// along with the first document written into it.
fn create_dir_durably(dir: &std::path::Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let io = |action, source| Error::Io {
        action,
        path: dir.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(|e| io("create", e))?;
    #[cfg(unix)]
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::File::open(parent)
            .and_then(|f| f.sync_all())
            .map_err(|e| io("sync the parent of", e))?;
    }
    Ok(())
}

/// The S3 client for an `S3` configuration (the prefix is applied by the caller).
fn s3_client(cfg: &StorageConfig) -> Result<AmazonS3> {
    let StorageConfig::S3 {
        bucket,
        endpoint,
        region,
        access_key_id,
        secret_access_key,
        session_token,
        allow_http,
        ..
    } = cfg
    else {
        return Err(Error::Internal("not an S3 configuration".into()));
    };
    // reqwest is built without a TLS crypto provider of its own; the crate uses ring. Installing
    // it twice is harmless (the second call only reports that one is there).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut b = AmazonS3Builder::new()
        .with_bucket_name(bucket)
        .with_region(region)
        .with_allow_http(*allow_http);
    if let Some(e) = endpoint {
        b = b.with_endpoint(e);
    }
    if let (Some(id), Some(secret)) = (access_key_id, secret_access_key) {
        b = b.with_access_key_id(id).with_secret_access_key(secret.expose());
        if let Some(t) = session_token {
            b = b.with_token(t.expose());
        }
    }
    b.build().map_err(Error::Blob)
}

/// A multipart upload that is aborted if it is dropped unfinished (the request was cancelled
/// mid-upload), so S3 does not keep its parts.
struct Pending(Option<WriteMultipart>);

impl Pending {
    fn writer(&mut self) -> &mut WriteMultipart {
        self.0.as_mut().expect("the upload is still pending")
    }

    fn take(&mut self) -> WriteMultipart {
        self.0.take().expect("the upload is still pending")
    }
}

impl Drop for Pending {
    fn drop(&mut self) {
        if let Some(w) = self.0.take()
            && let Ok(rt) = tokio::runtime::Handle::try_current()
        {
            rt.spawn(async move {
                if let Err(e) = w.abort().await {
                    tracing::warn!(error = %e, "could not abort a cancelled upload");
                }
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: usize = 1024 * 1024;

    /// A store for one test, with whatever must live as long as it.
    struct Backend {
        blobs: Blobs,
        _dir: Option<tempfile::TempDir>,
        /// For S3: the client and the test's prefix, to ask S3 about pending uploads.
        s3: Option<(AmazonS3, String)>,
    }

    fn local() -> Backend {
        let dir = tempfile::tempdir().expect("temp dir");
        let blobs = Blobs::open(&StorageConfig::Local {
            dir: dir.path().join("berkas"),
        })
        .expect("open");
        Backend {
            blobs,
            _dir: Some(dir),
            s3: None,
        }
    }

    /// S3 from `SICANTIK_TEST_S3_ENDPOINT` and `SICANTIK_TEST_S3_BUCKET` (keys and region from
    /// the usual `AWS_*`), under a fresh prefix; `None` when they are not set.
    fn s3() -> Option<Backend> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let (Some(endpoint), Some(bucket)) = (var("SICANTIK_TEST_S3_ENDPOINT"), var("SICANTIK_TEST_S3_BUCKET")) else {
            println!("skipped: SICANTIK_TEST_S3_ENDPOINT not set");
            return None;
        };
        let prefix = format!("sicantik-test/{}", crate::security::random_token());
        let url = format!("s3://{bucket}/{prefix}");
        // Through the real settings parser, so the test also covers what the service reads.
        let cfg = crate::Config::from_env(|k| match k {
            "SICANTIK_STORAGE_URL" => Some(url.clone()),
            "SICANTIK_S3_ENDPOINT" => Some(endpoint.clone()),
            k if k.starts_with("AWS_") => var(k),
            _ => None,
        })
        .expect("test S3 settings");
        let blobs = Blobs::open(&cfg.storage).expect("open S3");
        let client = s3_client(&cfg.storage).expect("S3 client");
        Some(Backend {
            blobs,
            _dir: None,
            s3: Some((client, prefix)),
        })
    }

    /// Runs one test function against the local folder and, when configured, S3.
    macro_rules! on_both {
        ($($name:ident),* $(,)?) => {$(
            mod $name {
                #[tokio::test]
                async fn local() {
                    super::$name(super::local()).await;
                }

                #[tokio::test]
                async fn s3() {
                    if let Some(b) = super::s3() {
                        super::$name(b).await;
                    }
                }
            }
        )*};
    }

    on_both!(
        a_multi_part_stream_round_trips_with_its_sha256,
        a_refused_upload_leaves_no_object_and_no_pending_parts,
        a_failing_stream_leaves_nothing,
        delete_removes_and_forgives_a_missing_object,
        a_missing_or_strange_name_is_not_found,
        check_passes_on_a_working_store,
        the_pending_count_sees_an_unfinished_upload,
    );

    /// `len` bytes that are not all alike, in `chunk`-sized pieces.
    fn pattern(len: usize, chunk: usize) -> Vec<Bytes> {
        let data: Vec<u8> = (0..len).map(|i| (i * 7 + i / 4096) as u8).collect();
        data.chunks(chunk).map(Bytes::copy_from_slice).collect()
    }

    fn ok_stream(chunks: Vec<Bytes>) -> impl Stream<Item = Result<Bytes, std::convert::Infallible>> {
        futures_util::stream::iter(chunks.into_iter().map(Ok))
    }

    async fn read_all(blobs: &Blobs, name: &str) -> Vec<u8> {
        let mut out = Vec::new();
        let mut s = blobs.get(name).await.expect("get");
        while let Some(chunk) = s.next().await {
            out.extend_from_slice(&chunk.expect("chunk"));
        }
        out
    }

    fn hex_sha256(data: &[u8]) -> String {
        Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Pending multipart uploads under the test's prefix (S3), or staging files (local).
    async fn pending_uploads(b: &Backend) -> usize {
        match &b.s3 {
            Some((client, prefix)) => {
                use object_store::signer::{SignedUrlOptions, Signer};
                // object_store has no call for ListMultipartUploads; sign one ourselves.
                let opts = SignedUrlOptions::default().with_query([("uploads", ""), ("prefix", prefix.as_str())]);
                let url = client
                    .signed_url_opts(
                        axum::http::Method::GET,
                        &Key::from(""),
                        std::time::Duration::from_secs(60),
                        &opts,
                    )
                    .await
                    .expect("sign");
                let r = reqwest::get(url).await.expect("list uploads");
                assert!(r.status().is_success(), "ListMultipartUploads: {}", r.status());
                let xml = r.text().await.expect("body");
                assert!(xml.contains("ListMultipartUploadsResult"), "{xml}");
                xml.matches("<Upload>").count()
            }
            None => {
                let dir = b.blobs.local_dir.as_ref().expect("local");
                std::fs::read_dir(dir)
                    .expect("read dir")
                    .flatten()
                    .filter(|e| e.file_name().to_string_lossy().contains('#'))
                    .count()
            }
        }
    }

    async fn a_multi_part_stream_round_trips_with_its_sha256(b: Backend) {
        let chunks = pattern(12 * MIB, 64 * 1024);
        let whole: Vec<u8> = chunks.concat();
        assert!(whole.len() > 2 * PART_BYTES, "the test must need several parts");
        let stored = b
            .blobs
            .put_stream(ok_stream(chunks), 50 * MIB as u64)
            .await
            .expect("put");
        assert_eq!(stored.size, whole.len() as u64);
        assert_eq!(stored.sha256, hex_sha256(&whole));
        assert!(key(&stored.name).is_some(), "{}", stored.name);
        let back = read_all(&b.blobs, &stored.name).await;
        assert!(
            back == whole,
            "the bytes read back differ ({} vs {})",
            back.len(),
            whole.len()
        );
        let listed = b.blobs.list().await.expect("list");
        assert_eq!(listed.len(), 1, "{listed:?}");
        assert_eq!(
            (listed[0].0.as_str(), listed[0].1),
            (stored.name.as_str(), whole.len() as u64)
        );
        assert_eq!(pending_uploads(&b).await, 0);
        b.blobs.delete(&stored.name).await.expect("clean up");
    }

    async fn a_refused_upload_leaves_no_object_and_no_pending_parts(b: Backend) {
        // 12 MiB against an 8 MiB limit: one 5 MiB part is already sent when it is refused.
        let err = b
            .blobs
            .put_stream(ok_stream(pattern(12 * MIB, 64 * 1024)), 8 * MIB as u64)
            .await
            .expect_err("too large");
        assert!(
            matches!(err, PutError::TooLarge { max_bytes } if max_bytes == 8 * MIB as u64),
            "{err:?}"
        );
        assert_eq!(b.blobs.list().await.expect("list"), vec![]);
        assert_eq!(pending_uploads(&b).await, 0, "the multipart upload was not aborted");
    }

    async fn a_failing_stream_leaves_nothing(b: Backend) {
        // The caller's refusal (wrong type, a stalled client) arrives as the stream's error.
        let chunks = pattern(6 * MIB, 64 * 1024)
            .into_iter()
            .map(Ok)
            .chain(std::iter::once(Err("refused")));
        let err = b
            .blobs
            .put_stream(futures_util::stream::iter(chunks), 50 * MIB as u64)
            .await
            .expect_err("refused");
        assert!(matches!(err, PutError::Refused("refused")), "{err:?}");
        assert_eq!(b.blobs.list().await.expect("list"), vec![]);
        assert_eq!(pending_uploads(&b).await, 0);
    }

    async fn delete_removes_and_forgives_a_missing_object(b: Backend) {
        let stored = b
            .blobs
            .put_stream(ok_stream(vec![Bytes::from_static(b"%PDF-1.7\n")]), 1024)
            .await
            .expect("put");
        assert_eq!(read_all(&b.blobs, &stored.name).await, b"%PDF-1.7\n");
        b.blobs.delete(&stored.name).await.expect("delete");
        assert!(matches!(b.blobs.get(&stored.name).await, Err(Error::NotFound)));
        assert_eq!(b.blobs.list().await.expect("list"), vec![]);
        b.blobs.delete(&stored.name).await.expect("deleting again is fine");
    }

    async fn a_missing_or_strange_name_is_not_found(b: Backend) {
        let missing = format!("{}.bin", crate::security::random_token());
        assert!(matches!(b.blobs.get(&missing).await, Err(Error::NotFound)));
        for strange in [
            "../sicantik.sqlite3",
            "a/b.bin",
            ".bin",
            "x.pdf",
            "..%2fx.bin",
            "x.bin#1",
            "",
        ] {
            assert!(matches!(b.blobs.get(strange).await, Err(Error::NotFound)), "{strange}");
            assert!(b.blobs.delete(strange).await.is_err(), "{strange}");
        }
    }

    /// Without this, "no pending uploads" could pass because the count never sees any.
    async fn the_pending_count_sees_an_unfinished_upload(b: Backend) {
        let key = Key::from(format!("{}.bin", crate::security::random_token()));
        let mut upload = b.blobs.store.put_multipart(&key).await.expect("start");
        upload
            .put_part(Bytes::from(vec![7u8; PART_BYTES]).into())
            .await
            .expect("part");
        assert_eq!(pending_uploads(&b).await, 1);
        upload.abort().await.expect("abort");
        assert_eq!(pending_uploads(&b).await, 0);
    }

    async fn check_passes_on_a_working_store(b: Backend) {
        b.blobs.check().await.expect("ready");
    }

    #[test]
    fn only_names_put_stream_makes_are_keys() {
        assert!(key(&format!("{}.bin", crate::security::random_token())).is_some());
        assert!(key("Ab_-09.bin").is_some());
        for bad in [
            "../x.bin", "x/y.bin", "x.bin/..", ".bin", "x.BIN", "x y.bin", "x.bin\n", "é.bin",
        ] {
            assert!(key(bad).is_none(), "{bad}");
        }
    }

    #[tokio::test]
    async fn a_missing_local_folder_fails_the_check() {
        let b = local();
        std::fs::remove_dir_all(b.blobs.local_dir.as_ref().expect("local")).expect("remove");
        assert!(b.blobs.check().await.is_err());
    }
}
