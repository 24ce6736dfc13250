//! The tar file itself: written entry by entry with each entry's SHA-256 computed as it is
//! written (documents stream from the blob store, never whole in memory), read back entry by
//! entry to check or restore. Entry paths are fixed by this module; reading refuses any other.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Component, Path, PathBuf};

use bytes::Bytes;
use futures_util::TryStreamExt;
use sha2::{Digest, Sha256};
use tokio::runtime::Handle;
use tokio_util::io::{StreamReader, SyncIoBridge};

use super::manifest::{self, CONTENT, DOCUMENTS, Manifest, Part};
use crate::blob::Blobs;
use crate::error::{Error, Result};
use crate::store::Snapshot;

/// The largest document a restore reads into memory before putting it back.
const MAX_DOCUMENT: u64 = 256 * 1024 * 1024;

pub enum WriteError {
    /// The document was deleted after the snapshot was taken: take a new one.
    Vanished(String),
    Other(Error),
}

impl From<Error> for WriteError {
    fn from(e: Error) -> Self {
        WriteError::Other(e)
    }
}

fn io(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> Error {
    let path = path.to_path_buf();
    move |source| Error::Io { action, path, source }
}

/// Counts and hashes what passes through.
struct Hashing<R> {
    inner: R,
    hasher: Sha256,
    bytes: u64,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }
}

fn hex(digest: impl AsRef<[u8]>) -> String {
    digest.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// Appends `size` bytes of `data` as `path`; fails unless exactly `size` bytes came.
fn append<W: Write>(tar: &mut tar::Builder<W>, path: &str, size: u64, mtime: u64, data: impl Read) -> Result<Part> {
    let mut header = tar::Header::new_gnu();
    header.set_size(size);
    header.set_mode(0o600);
    header.set_mtime(mtime);
    header.set_entry_type(tar::EntryType::Regular);
    let mut reader = Hashing {
        inner: data.take(size),
        hasher: Sha256::new(),
        bytes: 0,
    };
    tar.append_data(&mut header, path, &mut reader)
        .map_err(io("write the archive entry", Path::new(path)))?;
    if reader.bytes != size {
        return Err(Error::Internal(format!(
            "{path}: {} bytes read where {size} were expected",
            reader.bytes
        )));
    }
    Ok(Part {
        path: path.to_string(),
        size,
        sha256: hex(reader.hasher.finalize()),
    })
}

/// Writes the archive to `partial`: the database copy, the documents it names, the content
/// directory, and the manifest last; flushed to disk before it returns.
pub async fn write(
    partial: &Path,
    database: &Path,
    snapshot: &Snapshot,
    blobs: &Blobs,
    content_dir: &Path,
) -> std::result::Result<Manifest, WriteError> {
    let (partial, database, snapshot, blobs, content_dir) = (
        partial.to_path_buf(),
        database.to_path_buf(),
        snapshot.clone(),
        blobs.clone(),
        content_dir.to_path_buf(),
    );
    let handle = Handle::current();
    tokio::task::spawn_blocking(move || {
        let created_at_ms = crate::clock::now_ms();
        let mtime = (created_at_ms / 1000).max(0) as u64;
        let file = open_private(&partial)?;
        let mut tar = tar::Builder::new(BufWriter::new(file));
        tar.mode(tar::HeaderMode::Deterministic);

        let size = std::fs::metadata(&database).map_err(io("read", &database))?.len();
        let db = File::open(&database).map_err(io("read", &database))?;
        let database_part = append(&mut tar, &snapshot.file, size, mtime, db)?;

        let mut documents = Vec::with_capacity(snapshot.documents.len());
        for name in &snapshot.documents {
            let size = match handle.block_on(blobs.stored_size(name)) {
                Ok(s) => s,
                Err(Error::NotFound) => return Err(WriteError::Vanished(name.clone())),
                Err(e) => return Err(e.into()),
            };
            let stream = match handle.block_on(blobs.read_stored(name)) {
                Ok(s) => s,
                Err(Error::NotFound) => return Err(WriteError::Vanished(name.clone())),
                Err(e) => return Err(e.into()),
            };
            let reader = StreamReader::new(stream.map_err(std::io::Error::other));
            let reader = SyncIoBridge::new_with_handle(reader, handle.clone());
            documents.push(append(&mut tar, &format!("{DOCUMENTS}{name}"), size, mtime, reader)?);
        }

        let mut content = Vec::new();
        if content_dir.is_dir() {
            for entry in walkdir::WalkDir::new(&content_dir).sort_by_file_name() {
                let entry = entry.map_err(|e| Error::Internal(format!("reading the content directory: {e}")))?;
                if !entry.file_type().is_file() {
                    continue;
                }
                let rel = entry
                    .path()
                    .strip_prefix(&content_dir)
                    .map_err(|e| Error::Internal(e.to_string()))?;
                let Some(rel) = rel.to_str() else {
                    return Err(Error::Internal(format!("{} is not UTF-8", rel.display())).into());
                };
                let size = entry.metadata().map_err(|e| Error::Internal(e.to_string()))?.len();
                let f = File::open(entry.path()).map_err(io("read", entry.path()))?;
                content.push(append(&mut tar, &format!("{CONTENT}{rel}"), size, mtime, f)?);
            }
        }

        let manifest = Manifest {
            format: manifest::FORMAT.into(),
            version: manifest::VERSION,
            created_at_ms,
            engine: snapshot.engine.as_str().into(),
            database: database_part,
            documents,
            content,
            counts: snapshot.counts.clone(),
        };
        let json = serde_json::to_vec_pretty(&manifest).map_err(|e| Error::Internal(e.to_string()))?;
        append(&mut tar, manifest::NAME, json.len() as u64, mtime, &json[..])?;
        let file = tar
            .into_inner()
            .map_err(io("finish", &partial))?
            .into_inner()
            .map_err(|e| Error::Internal(format!("flushing the archive: {e}")))?;
        file.sync_all().map_err(io("flush to disk", &partial))?;
        Ok(manifest)
    })
    .await
    .map_err(|e| WriteError::Other(Error::Internal(e.to_string())))?
}

fn open_private(path: &Path) -> Result<File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    opts.open(path).map_err(io("create", path))
}

/// Moves the finished archive into place and makes the rename durable.
pub fn publish(partial: &Path, dest: &Path) -> Result<()> {
    std::fs::rename(partial, dest).map_err(io("rename into place", dest))?;
    if let Some(dir) = dest.parent().filter(|p| !p.as_os_str().is_empty()) {
        File::open(dir).and_then(|d| d.sync_all()).map_err(io("flush", dir))?;
    }
    Ok(())
}

/// A relative path of plain names: nothing an archive could use to write elsewhere.
fn plain(path: &str) -> bool {
    !path.is_empty() && Path::new(path).components().all(|c| matches!(c, Component::Normal(_)))
}

/// Reads every entry, checks each against the manifest (size, SHA-256, nothing missing and
/// nothing extra), and leaves the database copy in `dir`; returns the manifest and its path.
pub fn check(src: &Path, dir: &Path) -> Result<(Manifest, PathBuf)> {
    let file = File::open(src).map_err(io("read", src))?;
    let mut tar = tar::Archive::new(file);
    let mut seen: BTreeMap<String, (u64, String)> = BTreeMap::new();
    let mut manifest: Option<Manifest> = None;
    let mut database: Option<PathBuf> = None;
    let bad = |why: String| Error::Internal(format!("{}: {why}", src.display()));
    for entry in tar.entries().map_err(io("read", src))? {
        let mut entry = entry.map_err(io("read", src))?;
        let path = entry
            .path()
            .map_err(io("read", src))?
            .to_str()
            .map(str::to_string)
            .ok_or_else(|| bad("an entry name is not UTF-8".into()))?;
        if !plain(&path) {
            return Err(bad(format!("refusing the entry {path:?}")));
        }
        if path == manifest::NAME {
            let mut json = Vec::new();
            entry.read_to_end(&mut json).map_err(io("read", src))?;
            manifest = Some(serde_json::from_slice(&json).map_err(|e| bad(format!("manifest.json: {e}")))?);
            continue;
        }
        let mut hashing = Hashing {
            inner: &mut entry,
            hasher: Sha256::new(),
            bytes: 0,
        };
        if path.starts_with("database.") {
            let out = dir.join(&path);
            let mut f = File::create(&out).map_err(io("create", &out))?;
            std::io::copy(&mut hashing, &mut f).map_err(io("read", src))?;
            database = Some(out);
        } else {
            std::io::copy(&mut hashing, &mut std::io::sink()).map_err(io("read", src))?;
        }
        let (bytes, sha) = (hashing.bytes, hex(hashing.hasher.finalize()));
        if seen.insert(path.clone(), (bytes, sha)).is_some() {
            return Err(bad(format!("{path} appears twice")));
        }
    }
    let manifest = manifest.ok_or_else(|| bad("no manifest.json: the archive is incomplete".into()))?;
    if manifest.format != manifest::FORMAT || manifest.version != manifest::VERSION {
        return Err(bad(format!(
            "not a {} version {} archive",
            manifest::FORMAT,
            manifest::VERSION
        )));
    }
    let listed: Vec<&Part> = std::iter::once(&manifest.database)
        .chain(&manifest.documents)
        .chain(&manifest.content)
        .collect();
    for part in &listed {
        match seen.get(&part.path) {
            None => return Err(bad(format!("{} is missing", part.path))),
            Some((size, _)) if *size != part.size => {
                return Err(bad(format!(
                    "{} has {size} bytes, the manifest says {}",
                    part.path, part.size
                )));
            }
            Some((_, sha)) if *sha != part.sha256 => {
                return Err(bad(format!("{} does not match its SHA-256: damaged", part.path)));
            }
            Some(_) => {}
        }
    }
    if seen.len() != listed.len() {
        let extra: Vec<&String> = seen.keys().filter(|k| !listed.iter().any(|p| &p.path == *k)).collect();
        return Err(bad(format!("entries the manifest does not list: {extra:?}")));
    }
    if manifest.counts.get("documents").copied() != Some(manifest.documents.len() as i64) {
        return Err(bad("the document count does not match the documents held".into()));
    }
    let database = database
        .filter(|p| p.ends_with(&manifest.database.path))
        .ok_or_else(|| bad("no database copy".into()))?;
    Ok((manifest, database))
}

/// Puts the documents back into `blobs` and the content into `content` (when given), and
/// leaves the database copy in `dir`; the archive has been checked already.
pub async fn extract(src: &Path, dir: &Path, blobs: &Blobs, content: Option<&Path>) -> Result<PathBuf> {
    let (src, dir, blobs, content) = (
        src.to_path_buf(),
        dir.to_path_buf(),
        blobs.clone(),
        content.map(Path::to_path_buf),
    );
    let handle = Handle::current();
    tokio::task::spawn_blocking(move || {
        let file = File::open(&src).map_err(io("read", &src))?;
        let mut tar = tar::Archive::new(file);
        let mut database = None;
        for entry in tar.entries().map_err(io("read", &src))? {
            let mut entry = entry.map_err(io("read", &src))?;
            let path = entry
                .path()
                .map_err(io("read", &src))?
                .to_str()
                .map(str::to_string)
                .unwrap_or_default();
            if !plain(&path) {
                return Err(Error::Internal(format!("refusing the entry {path:?}")));
            }
            if path.starts_with("database.") {
                let out = dir.join(&path);
                let mut f = File::create(&out).map_err(io("create", &out))?;
                std::io::copy(&mut entry, &mut f).map_err(io("read", &src))?;
                f.sync_all().map_err(io("flush", &out))?;
                database = Some(out);
            } else if let Some(name) = path.strip_prefix(DOCUMENTS) {
                if entry.size() > MAX_DOCUMENT {
                    return Err(Error::Internal(format!("{path} is larger than any document can be")));
                }
                let mut bytes = Vec::with_capacity(entry.size() as usize);
                entry.read_to_end(&mut bytes).map_err(io("read", &src))?;
                handle.block_on(blobs.write_stored(name, Bytes::from(bytes)))?;
            } else if let (Some(rel), Some(content)) = (path.strip_prefix(CONTENT), &content) {
                let out = content.join(rel);
                if let Some(parent) = out.parent() {
                    std::fs::create_dir_all(parent).map_err(io("create", parent))?;
                }
                let mut f = File::create(&out).map_err(io("create", &out))?;
                std::io::copy(&mut entry, &mut f).map_err(io("read", &src))?;
            }
        }
        database.ok_or_else(|| Error::Internal("no database copy in the archive".into()))
    })
    .await
    .map_err(|e| Error::Internal(e.to_string()))?
}
