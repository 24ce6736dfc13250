//! Receiving a scanned document: streamed to disk as it arrives (never whole in memory), the
//! size limit enforced while streaming, the type decided by the file's first bytes, empty files
//! refused, the original name kept only as text, stored outside `public/` under a generated
//! name with its SHA-256.

use std::path::{Path, PathBuf};
use std::time::Duration;

use axum::extract::Multipart;
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

/// Parts a document upload may have: the form token, the file, and a little slack.
const MAX_PARTS: usize = 6;

/// Why an upload was refused; each says what to do, in Indonesian.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("Berkas melebihi ukuran maksimal {max_mb} MB. Perkecil atau pindai ulang dengan resolusi lebih rendah.")]
    TooLarge { max_mb: u32 },
    #[error("Berkas kosong. Pilih berkas hasil pindaian yang berisi.")]
    Empty,
    #[error(
        "Jenis berkas tidak diterima. Unggah berkas {allowed}; jenis berkas ditentukan dari isinya, bukan dari namanya."
    )]
    WrongType { allowed: String },
    #[error("Pilih berkas yang akan diunggah.")]
    NoFile,
    #[error("Permintaan unggah tidak dikenali.")]
    Malformed,
    #[error("Unggahan terhenti terlalu lama. Periksa koneksi, lalu unggah kembali.")]
    Stalled,
    /// The form token is missing or comes after the file.
    #[error("Formulir kedaluwarsa.")]
    Csrf,
    #[error("Berkas tidak dapat disimpan.")]
    Io(#[from] std::io::Error),
}

impl UploadError {
    pub fn log_code(&self) -> &'static str {
        match self {
            UploadError::TooLarge { .. } => "too_large",
            UploadError::Empty => "empty",
            UploadError::WrongType { .. } => "wrong_type",
            UploadError::NoFile => "no_file",
            UploadError::Malformed => "malformed",
            UploadError::Stalled => "stalled",
            UploadError::Csrf => "csrf",
            UploadError::Io(_) => "io",
        }
    }
}

/// A file type recognised by its first bytes.
pub fn sniff(head: &[u8]) -> Option<(&'static str, &'static str)> {
    if head.starts_with(b"%PDF-") {
        Some(("pdf", "application/pdf"))
    } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(("jpg", "image/jpeg"))
    } else if head.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(("png", "image/png"))
    } else if head.starts_with(b"PK\x03\x04") {
        Some(("zip", "application/zip"))
    } else {
        None
    }
}

/// The name the user's file had, safe to show as text: no folders, no control characters.
pub fn clean_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    let cleaned = cleaned.trim().trim_start_matches('.').to_string();
    if cleaned.is_empty() {
        "berkas".to_string()
    } else {
        cleaned
    }
}

/// A document on disk, not yet recorded.
#[derive(Debug)]
pub struct Received {
    pub path: PathBuf,
    pub stored_name: String,
    pub original_name: String,
    pub content_type: &'static str,
    pub size: u64,
    pub sha256: String,
}

impl Received {
    /// Removes the file (the upload was refused after all).
    pub async fn discard(self) {
        let _ = tokio::fs::remove_file(&self.path).await;
    }
}

async fn next_chunk(
    field: &mut axum::extract::multipart::Field<'_>,
    idle: Duration,
) -> Result<Option<bytes::Bytes>, UploadError> {
    match tokio::time::timeout(idle, field.chunk()).await {
        Err(_) => Err(UploadError::Stalled),
        Ok(Err(_)) => Err(UploadError::Malformed),
        Ok(Ok(c)) => Ok(c),
    }
}

/// Reads a document upload form: first the form token (checked by `csrf_ok`), then the file
/// in field `berkas`, written under `dir`. Anything refused leaves nothing on disk.
/// `idle` is how long the client may stay silent.
pub async fn receive(
    multipart: &mut Multipart,
    dir: &Path,
    allowed: &[String],
    max_bytes: u64,
    idle: Duration,
    csrf_ok: impl Fn(&str) -> bool,
) -> Result<Received, UploadError> {
    let result = read_form(multipart, dir, allowed, max_bytes, idle, csrf_ok).await;
    if let Err(
        UploadError::TooLarge { .. } | UploadError::WrongType { .. } | UploadError::Empty | UploadError::NoFile,
    ) = &result
    {
        // Read (and drop) the rest of what the browser is still sending, so it gets the answer
        // instead of a reset connection. The route's body limit caps how much that can be.
        drain(multipart, idle).await;
    }
    result
}

async fn drain(multipart: &mut Multipart, idle: Duration) {
    while let Ok(Ok(Some(mut field))) = tokio::time::timeout(idle, multipart.next_field()).await {
        while let Ok(Some(_)) = next_chunk(&mut field, idle).await {}
    }
}

async fn read_form(
    multipart: &mut Multipart,
    dir: &Path,
    allowed: &[String],
    max_bytes: u64,
    idle: Duration,
    csrf_ok: impl Fn(&str) -> bool,
) -> Result<Received, UploadError> {
    let mut token_ok = false;
    let mut parts = 0;
    loop {
        let field = match tokio::time::timeout(idle, multipart.next_field()).await {
            Err(_) => return Err(UploadError::Stalled),
            Ok(Err(_)) => return Err(UploadError::Malformed),
            Ok(Ok(None)) => {
                return Err(if token_ok {
                    UploadError::NoFile
                } else {
                    UploadError::Csrf
                });
            }
            Ok(Ok(Some(f))) => f,
        };
        parts += 1;
        if parts > MAX_PARTS {
            return Err(UploadError::Malformed);
        }
        let mut field = field;
        match field.name() {
            Some("csrf") => {
                let mut value = Vec::new();
                while let Some(chunk) = next_chunk(&mut field, idle).await? {
                    value.extend_from_slice(&chunk);
                    if value.len() > 256 {
                        return Err(UploadError::Csrf);
                    }
                }
                token_ok = csrf_ok(std::str::from_utf8(&value).unwrap_or(""));
                if !token_ok {
                    return Err(UploadError::Csrf);
                }
            }
            Some("berkas") => {
                if !token_ok {
                    return Err(UploadError::Csrf);
                }
                let original_name = clean_name(field.file_name().unwrap_or(""));
                return store(&mut field, dir, original_name, allowed, max_bytes, idle).await;
            }
            _ => {
                // Unknown parts are drained, never stored.
                while next_chunk(&mut field, idle).await?.is_some() {}
            }
        }
    }
}

async fn store(
    field: &mut axum::extract::multipart::Field<'_>,
    dir: &Path,
    original_name: String,
    allowed: &[String],
    max_bytes: u64,
    idle: Duration,
) -> Result<Received, UploadError> {
    tokio::fs::create_dir_all(dir).await?;
    let stored_name = format!("{}.bin", crate::security::random_token());
    let path = dir.join(&stored_name);
    let result = async {
        let mut file = tokio::fs::File::create(&path).await?;
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        let mut head: Vec<u8> = Vec::with_capacity(8);
        let mut kind = None;
        while let Some(chunk) = next_chunk(field, idle).await? {
            size += chunk.len() as u64;
            if size > max_bytes {
                return Err(UploadError::TooLarge {
                    max_mb: (max_bytes / (1024 * 1024)) as u32,
                });
            }
            if kind.is_none() {
                head.extend_from_slice(&chunk[..chunk.len().min(8 - head.len().min(8))]);
                if head.len() >= 8 || size >= 8 {
                    kind = Some(sniff(&head));
                }
            }
            if let Some(None) = kind {
                return Err(UploadError::WrongType {
                    allowed: allowed.join(", ").to_uppercase(),
                });
            }
            hasher.update(&chunk);
            file.write_all(&chunk).await?;
        }
        if size == 0 {
            return Err(UploadError::Empty);
        }
        let (ext, content_type) = kind
            .flatten()
            .or_else(|| sniff(&head))
            .ok_or_else(|| UploadError::WrongType {
                allowed: allowed.join(", ").to_uppercase(),
            })?;
        if !allowed.iter().any(|a| a == ext) {
            return Err(UploadError::WrongType {
                allowed: allowed.join(", ").to_uppercase(),
            });
        }
        file.sync_all().await?;
        let sha256 = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
        Ok((content_type, size, sha256))
    }
    .await;
    match result {
        Ok((content_type, size, sha256)) => Ok(Received {
            path,
            stored_name,
            original_name,
            content_type,
            size,
            sha256,
        }),
        Err(e) => {
            let _ = tokio::fs::remove_file(&path).await;
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_known_by_their_bytes_not_their_names() {
        assert_eq!(sniff(b"%PDF-1.7\n"), Some(("pdf", "application/pdf")));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(("jpg", "image/jpeg")));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n"), Some(("png", "image/png")));
        assert_eq!(sniff(b"<html><body>"), None);
        assert_eq!(sniff(b"<svg xmlns="), None);
    }

    #[test]
    fn original_names_lose_folders_and_control_characters() {
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("C:\\Users\\x\\KTP saya.pdf"), "KTP saya.pdf");
        assert_eq!(clean_name("a\u{0}b\nc.pdf"), "abc.pdf");
        assert_eq!(clean_name(".."), "berkas");
        assert_eq!(clean_name(""), "berkas");
    }
}
