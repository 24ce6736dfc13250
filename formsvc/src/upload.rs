//! Receiving a scanned document: streamed into the document store as it arrives (never whole in
//! memory), the size limit enforced while streaming, the type decided by the file's first bytes
//! and confirmed by its structure (`structure`: a PDF head on a web page is refused), empty
//! files refused, the original name kept only as text, stored outside `public/` under a
//! generated name with its SHA-256. Where and how the bytes are kept is `blob`'s business.
//!
//! With a virus scanner, each part goes to the scanner as it goes to the store (a tee, so memory
//! stays at a part or two), and the store's upload is completed only after the scanner's clean
//! verdict: an infected file, or one the scanner could not judge, is aborted like any other
//! refusal, so it never becomes an object at all.

use std::time::Duration;

use axum::extract::Multipart;
use bytes::Bytes;

use crate::blob::{Blobs, PutError};
use crate::scan::{Refusal, Scan, Scanner};

pub mod structure;

use structure::{Kind, Structure};

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
    /// It starts like its type but is not a whole document of it (a polyglot, a cut-off file).
    #[error(
        "Berkas tidak dapat dibaca sebagai {kind} yang utuh. Simpan ulang atau pindai ulang dokumen sebagai {kind}, lalu unggah kembali."
    )]
    Damaged { kind: &'static str },
    #[error("Pilih berkas yang akan diunggah.")]
    NoFile,
    #[error("Permintaan unggah tidak dikenali.")]
    Malformed,
    #[error("Unggahan terhenti terlalu lama. Periksa koneksi, lalu unggah kembali.")]
    Stalled,
    #[error(
        "Unggahan melebihi batas waktu {max_minutes} menit. Perkecil berkas atau gunakan koneksi yang lebih cepat, lalu unggah kembali."
    )]
    TooSlow { max_minutes: u64 },
    /// The virus scanner found something.
    #[error(
        "Berkas mengandung virus. Periksa perangkat Anda dengan antivirus, lalu unggah hasil pindaian yang bersih."
    )]
    Infected { signature: String },
    /// The scanner answered but could not judge the file (its size or nesting is over the
    /// scanner's limits); sending it again will not help.
    #[error(
        "Berkas tidak dapat diperiksa karena ukuran atau isinya melampaui batas pemeriksaan. Perkecil berkas, misalnya pindai ulang dengan resolusi lebih rendah, lalu unggah kembali."
    )]
    Unscannable { detail: String },
    /// No verdict could be had now (scanner down, too slow, or it hung up).
    #[error("Berkas tidak dapat diperiksa saat ini. Unggah kembali dalam beberapa menit.")]
    ScannerUnavailable { detail: String },
    /// The form token is missing or comes after the file.
    #[error("Formulir kedaluwarsa.")]
    Csrf,
    #[error("Berkas tidak dapat disimpan.")]
    Store(#[source] crate::Error),
}

impl UploadError {
    pub fn log_code(&self) -> &'static str {
        match self {
            UploadError::TooLarge { .. } => "too_large",
            UploadError::Empty => "empty",
            UploadError::WrongType { .. } => "wrong_type",
            UploadError::Damaged { .. } => "damaged",
            UploadError::NoFile => "no_file",
            UploadError::Malformed => "malformed",
            UploadError::Stalled => "stalled",
            UploadError::TooSlow { .. } => "too_slow",
            UploadError::Infected { .. } => "infected",
            UploadError::Unscannable { .. } => "unscannable",
            UploadError::ScannerUnavailable { .. } => "scanner_unavailable",
            UploadError::Csrf => "csrf",
            UploadError::Store(_) => "store",
        }
    }

    /// What the scanner said, when it was the scanner that refused.
    pub fn scanner_detail(&self) -> Option<&str> {
        match self {
            UploadError::Infected { signature: d }
            | UploadError::Unscannable { detail: d }
            | UploadError::ScannerUnavailable { detail: d } => Some(d),
            _ => None,
        }
    }
}

impl From<Refusal> for UploadError {
    fn from(r: Refusal) -> Self {
        match r {
            Refusal::Infected(signature) => UploadError::Infected { signature },
            Refusal::Unscannable(detail) => UploadError::Unscannable { detail },
            Refusal::Unavailable(detail) => UploadError::ScannerUnavailable { detail },
        }
    }
}

/// A file type recognised by its first bytes: its extension and content type.
pub fn sniff(head: &[u8]) -> Option<(&'static str, &'static str)> {
    Kind::sniff(head).map(|k| (k.extension(), k.content_type()))
}

/// The name the user's file had, safe to show as text: no folders, no control characters.
pub fn clean_name(raw: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let base = raw.rsplit(['/', '\\']).next().unwrap_or("");
    // Format characters are invisible and some reorder what follows: `ktp\u{202E}fdp.hta`
    // reads as "ktpath.pdf" on an officer's screen. NFC so that the same name typed on two
    // systems is the same string.
    let cleaned: String = base
        .nfc()
        .filter(|&c| !c.is_control() && !is_format_character(c))
        .collect();
    let cleaned = truncate_bytes(cleaned.trim().trim_start_matches('.').trim(), NAME_MAX_BYTES);
    if cleaned.is_empty() {
        "berkas".to_string()
    } else {
        cleaned.to_string()
    }
}

/// Longest kept file name, in bytes of UTF-8 (what a file system and a header hold).
const NAME_MAX_BYTES: usize = 150;

fn truncate_bytes(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    s[..end].trim_end()
}

/// Unicode's format characters (general category Cf) that occur in text: soft hyphen, the
/// Arabic letter mark, the Mongolian vowel separator, zero-width characters and joiners, the
/// bidirectional embeddings, overrides and isolates, invisible operators, the byte-order mark,
/// interlinear annotation and the tag characters.
fn is_format_character(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{0600}'..='\u{0605}' | '\u{061C}' | '\u{06DD}' | '\u{070F}' | '\u{08E2}'
        | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}' | '\u{110BD}' | '\u{110CD}'
        | '\u{13430}'..='\u{1343F}' | '\u{1BCA0}'..='\u{1BCA3}' | '\u{1D173}'..='\u{1D17A}'
        | '\u{E0001}' | '\u{E0020}'..='\u{E007F}')
}

/// The name a document is served under: its kept name without the uploader's extension, and
/// the extension of the type its content was recognised as (`ktp.hta` that is a PDF is served
/// as `ktp.pdf`).
pub fn download_name(original: &str, content_type: &str) -> String {
    let ext = match content_type {
        "application/pdf" => "pdf",
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "application/zip" => "zip",
        _ => "bin",
    };
    let name = clean_name(original);
    let stem = match name.rsplit_once('.') {
        Some((stem, _)) if !stem.trim().is_empty() => stem.trim(),
        _ => name.as_str(),
    };
    format!("{stem}.{ext}")
}

/// A document in the store, not yet recorded.
#[derive(Debug)]
pub struct Received {
    /// The object's name in the store.
    pub stored_name: String,
    pub original_name: String,
    pub content_type: &'static str,
    pub size: u64,
    pub sha256: String,
    /// The document's key, wrapped, for its row.
    pub key: crate::keys::WrappedKey,
}

impl Received {
    /// Removes the object (the upload was refused after all).
    pub async fn discard(self, blobs: &Blobs) {
        if let Err(e) = blobs.delete(&self.stored_name).await {
            tracing::warn!(error = ?e, object = %self.stored_name, "could not discard an upload");
        }
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

/// Where a document goes: the store, and the virus scanner when there is one.
#[derive(Clone, Copy)]
pub struct Destination<'a> {
    pub blobs: &'a Blobs,
    /// `None`: no scanning (`SICANTIK_CLAMD` unset).
    pub scanner: Option<&'a dyn Scanner>,
}

/// Reads a document upload form: first the form token (checked by `csrf_ok`), then the file
/// in field `berkas`, written into the store and judged by the scanner on the way. Anything
/// refused leaves nothing in the store; with a scanner, a file is accepted only after its clean
/// verdict. `idle` is how long the client may stay silent.
pub async fn receive(
    multipart: &mut Multipart,
    to: Destination<'_>,
    allowed: &[String],
    max_bytes: u64,
    idle: Duration,
    csrf_ok: impl Fn(&str) -> bool,
) -> Result<Received, UploadError> {
    let result = read_form(multipart, to, allowed, max_bytes, idle, csrf_ok).await;
    if let Err(
        UploadError::TooLarge { .. }
        | UploadError::WrongType { .. }
        | UploadError::Damaged { .. }
        | UploadError::Empty
        | UploadError::NoFile
        | UploadError::Infected { .. }
        | UploadError::Unscannable { .. }
        | UploadError::ScannerUnavailable { .. },
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
    to: Destination<'_>,
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
                return store(&mut field, to, original_name, allowed, max_bytes, idle).await;
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
    to: Destination<'_>,
    original_name: String,
    allowed: &[String],
    max_bytes: u64,
    idle: Duration,
) -> Result<Received, UploadError> {
    let blobs = to.blobs;
    let scan = to.scanner.map(Scanning::NotYet);
    let mut content_type = None;
    let sniffer = Sniffer {
        field,
        idle,
        allowed,
        head: Vec::with_capacity(8),
        kind: None,
        structure: None,
        content_type: &mut content_type,
    };
    // The file's parts, each looked at and sent to the scanner before it is stored; a refusal
    // ends the stream with an error, which makes the store abort the upload. The stream ends
    // well (and the store completes the upload) only after the type's and the scanner's
    // verdicts.
    let chunks = futures_util::stream::try_unfold((sniffer, scan), |(mut s, mut scan)| async move {
        match next_chunk(s.field, s.idle).await? {
            Some(chunk) => {
                s.look(&chunk)?;
                if let Some(scan) = scan.as_mut() {
                    scan.send(&chunk).await?;
                }
                Ok(Some((chunk, (s, scan))))
            }
            None => {
                let kind = s.verdict()?;
                if let Some(scan) = scan {
                    scan.finish().await?;
                }
                s.whole(kind)?;
                *s.content_type = Some(kind.content_type());
                Ok(None)
            }
        }
    });
    let stored = blobs.put_stream(chunks, max_bytes).await.map_err(|e| match e {
        PutError::TooLarge { max_bytes } => UploadError::TooLarge {
            max_mb: (max_bytes / (1024 * 1024)) as u32,
        },
        PutError::Refused(e) => e,
        PutError::Store(e) => {
            tracing::error!(error = ?e, "cannot store an upload");
            UploadError::Store(e)
        }
    })?;
    let Some(content_type) = content_type else {
        // The stream only ends cleanly after a verdict; this is a bug, so keep nothing.
        let _ = blobs.delete(&stored.name).await;
        return Err(UploadError::Malformed);
    };
    Ok(Received {
        stored_name: stored.name,
        original_name,
        content_type,
        size: stored.size,
        sha256: stored.sha256,
        key: stored.key,
    })
}

/// The scan of one file, started with its first part: a file whose type is refused at once is
/// told so, even when the scanner is down.
enum Scanning<'a> {
    NotYet(&'a dyn Scanner),
    Running(Box<dyn Scan>),
}

impl Scanning<'_> {
    async fn send(&mut self, part: &[u8]) -> Result<(), Refusal> {
        if let Scanning::NotYet(scanner) = self {
            *self = Scanning::Running(scanner.start().await?);
        }
        match self {
            Scanning::Running(scan) => scan.send(part).await,
            Scanning::NotYet(_) => unreachable!("started above"),
        }
    }

    async fn finish(self) -> Result<(), Refusal> {
        match self {
            Scanning::Running(scan) => scan.finish().await,
            // No part arrived; `verdict` refuses an empty file before this is reached.
            Scanning::NotYet(scanner) => scanner.start().await?.finish().await,
        }
    }
}

/// Decides the type from the first 8 bytes while the file streams past.
struct Sniffer<'a, 'f> {
    field: &'a mut axum::extract::multipart::Field<'f>,
    idle: Duration,
    allowed: &'a [String],
    head: Vec<u8>,
    /// `Some` once 8 bytes have been seen.
    kind: Option<Option<Kind>>,
    /// The file followed from its first byte, once its type is known and allowed.
    structure: Option<Structure>,
    /// Where the verdict goes when the file has ended well.
    content_type: &'a mut Option<&'static str>,
}

impl Sniffer<'_, '_> {
    fn wrong_type(&self) -> UploadError {
        UploadError::WrongType {
            allowed: self.allowed.join(", ").to_uppercase(),
        }
    }

    fn look(&mut self, chunk: &Bytes) -> Result<(), UploadError> {
        let mut rest = &chunk[..];
        if self.kind.is_none() {
            let want = 8 - self.head.len();
            let (head, after) = chunk.split_at(chunk.len().min(want));
            self.head.extend_from_slice(head);
            rest = after;
            if self.head.len() >= 8 {
                self.kind = Some(Kind::sniff(&self.head));
            }
        }
        match self.kind {
            Some(None) => Err(self.wrong_type()),
            // Known and not allowed: refused now, not after the whole file has been stored.
            Some(Some(kind)) if !self.allows(kind) => Err(self.wrong_type()),
            Some(Some(kind)) => {
                let structure = self.structure.get_or_insert_with(|| {
                    let mut s = Structure::new(kind);
                    s.feed(&self.head);
                    s
                });
                structure.feed(rest);
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// At the end of the file: its type, or why it is refused.
    fn verdict(&self) -> Result<Kind, UploadError> {
        if self.head.is_empty() {
            return Err(UploadError::Empty);
        }
        let kind = self
            .kind
            .flatten()
            .or_else(|| Kind::sniff(&self.head))
            .ok_or_else(|| self.wrong_type())?;
        if !self.allows(kind) {
            return Err(self.wrong_type());
        }
        Ok(kind)
    }

    /// After the verdict (and the scanner's: an infected file is told so even when it is
    /// also damaged): whether the file is a whole document of its type.
    fn whole(&mut self, kind: Kind) -> Result<(), UploadError> {
        // A file shorter than the signature window never reached `look`'s structure.
        let structure = self.structure.take().unwrap_or_else(|| {
            let mut s = Structure::new(kind);
            s.feed(&self.head);
            s
        });
        structure.finish().map_err(|damage| {
            tracing::info!(kind = kind.label(), reason = %damage, "document does not parse as its type");
            UploadError::Damaged { kind: kind.label() }
        })
    }

    fn allows(&self, kind: Kind) -> bool {
        self.allowed.iter().any(|a| a == kind.extension())
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

    #[test]
    fn original_names_lose_bidi_overrides_and_invisible_characters() {
        assert_eq!(clean_name("ktp-pemohon\u{202E}fdp.hta"), "ktp-pemohonfdp.hta");
        assert_eq!(clean_name("ak\u{200B}ta\u{2066}.pdf\u{2069}"), "akta.pdf");
        assert_eq!(clean_name("\u{FEFF}npwp.pdf"), "npwp.pdf");
        // "é" typed as e + combining acute is kept as the one composed character.
        assert_eq!(clean_name("surat-pe\u{0301}.pdf"), "surat-p\u{00E9}.pdf");
    }

    #[test]
    fn original_names_are_bounded_in_bytes_on_a_character_boundary() {
        let long = format!("{}.pdf", "ä".repeat(400));
        let kept = clean_name(&long);
        assert!(kept.len() <= NAME_MAX_BYTES, "{} bytes", kept.len());
        assert!(kept.starts_with("ää"));
    }

    #[test]
    fn downloads_are_named_for_the_type_their_content_is() {
        assert_eq!(download_name("ktp.hta", "application/pdf"), "ktp.pdf");
        assert_eq!(download_name("denah.html", "application/pdf"), "denah.pdf");
        assert_eq!(download_name("foto ktp.PNG", "image/jpeg"), "foto ktp.jpg");
        assert_eq!(download_name("tanpa-ekstensi", "image/png"), "tanpa-ekstensi.png");
        assert_eq!(download_name(".pdf", "application/pdf"), "pdf.pdf");
        assert_eq!(
            download_name("ktp-pemohon\u{202E}fdp.hta", "application/pdf"),
            "ktp-pemohonfdp.pdf"
        );
    }

    /// A document form as a browser sends it: the form token, then the file.
    async fn form(file_name: &str, data: &[u8]) -> Multipart {
        use axum::extract::FromRequest;
        let boundary = "batas-sicantik";
        let mut body =
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nok\r\n").into_bytes();
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"berkas\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(data);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let request = axum::http::Request::builder()
            .header("content-type", format!("multipart/form-data; boundary={boundary}"))
            .body(axum::body::Body::from(body))
            .expect("request");
        Multipart::from_request(request, &()).await.expect("multipart")
    }

    async fn receive_file(
        blobs: &Blobs,
        data: &[u8],
        allowed: &[&str],
        max_bytes: u64,
    ) -> Result<Received, UploadError> {
        receive_scanned(blobs, None, data, allowed, max_bytes).await
    }

    async fn receive_scanned(
        blobs: &Blobs,
        scanner: Option<&dyn Scanner>,
        data: &[u8],
        allowed: &[&str],
        max_bytes: u64,
    ) -> Result<Received, UploadError> {
        let allowed: Vec<String> = allowed.iter().map(|a| a.to_string()).collect();
        let mut multipart = form("KTP saya.pdf", data).await;
        receive(
            &mut multipart,
            Destination { blobs, scanner },
            &allowed,
            max_bytes,
            Duration::from_secs(5),
            |t| t == "ok",
        )
        .await
    }

    fn local_blobs() -> (tempfile::TempDir, Blobs) {
        let dir = tempfile::tempdir().expect("temp dir");
        let blobs = Blobs::open(&crate::config::StorageConfig::Local {
            dir: dir.path().join("berkas"),
        })
        .expect("open")
        .with_keys(std::sync::Arc::new(crate::keys::Keyring::ephemeral()));
        (dir, blobs)
    }

    #[tokio::test]
    async fn an_accepted_document_is_in_the_store_with_its_hash() {
        use futures_util::StreamExt;
        use sha2::{Digest, Sha256};
        let (_dir, blobs) = local_blobs();
        // Under axum's 2 MB default body limit, which the route raises; the store's own
        // multi-part path is tested in `blob`.
        let data = crate::samples::pdf(&(0..1536 * 1024).map(|i| (i % 251) as u8).collect::<Vec<_>>());
        let r = receive_file(&blobs, &data, &["pdf"], 10 * 1024 * 1024)
            .await
            .expect("accepted");
        assert_eq!(
            (r.content_type, r.size, r.original_name.as_str()),
            ("application/pdf", data.len() as u64, "KTP saya.pdf")
        );
        let hex: String = Sha256::digest(&data).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(r.sha256, hex);
        let mut back = Vec::new();
        let mut s = blobs.get(&r.stored_name, Some(&r.key)).await.expect("get");
        while let Some(c) = s.next().await {
            back.extend_from_slice(&c.expect("chunk"));
        }
        assert!(back == data, "stored bytes differ");
        r.discard(&blobs).await;
        assert!(blobs.list().await.expect("list").is_empty());
    }

    #[tokio::test]
    async fn a_file_shorter_than_its_signature_window_is_judged_as_what_it_starts_like() {
        let (_dir, blobs) = local_blobs();
        let e = receive_file(&blobs, b"%PDF-", &["pdf"], 1024)
            .await
            .expect_err("refused");
        assert!(matches!(e, UploadError::Damaged { kind: "PDF" }), "{e:?}");
    }

    #[tokio::test]
    async fn the_three_types_are_accepted_when_they_are_whole_documents() {
        let (_dir, blobs) = local_blobs();
        let allowed = ["pdf", "jpg", "png"];
        for (data, content_type) in [
            (crate::samples::pdf(b"BT (Surat) Tj ET"), "application/pdf"),
            (crate::samples::jpeg(), "image/jpeg"),
            (crate::samples::png(), "image/png"),
        ] {
            let r = receive_file(&blobs, &data, &allowed, 1024 * 1024)
                .await
                .expect(content_type);
            assert_eq!(r.content_type, content_type);
        }
    }

    #[tokio::test]
    async fn every_refusal_keeps_nothing_and_says_what_to_do() {
        let (dir, blobs) = local_blobs();
        let big = crate::samples::pdf_of_size(1536 * 1024);
        let png_head_then_page = [&crate::samples::png()[..16], b"<html><script>x()</script>"].concat();
        for (data, allowed, expected) in [
            (
                b"<html><body>".to_vec(),
                &["pdf"][..],
                "Jenis berkas tidak diterima. Unggah berkas PDF",
            ),
            (b"\x89PNG\r\n\x1a\n....".to_vec(), &["pdf"][..], "Unggah berkas PDF;"),
            (b"abc".to_vec(), &["pdf", "jpg"][..], "Unggah berkas PDF, JPG;"),
            (Vec::new(), &["pdf"][..], "Berkas kosong."),
            (
                b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>\n".to_vec(),
                &["pdf"][..],
                "Berkas tidak dapat dibaca sebagai PDF yang utuh. Simpan ulang atau pindai ulang dokumen sebagai PDF",
            ),
            (
                png_head_then_page,
                &["png"][..],
                "Berkas tidak dapat dibaca sebagai PNG yang utuh.",
            ),
            (big, &["pdf"][..], "Berkas melebihi ukuran maksimal 1 MB."),
        ] {
            let e = receive_file(&blobs, &data, allowed, 1024 * 1024)
                .await
                .expect_err(expected);
            assert!(e.to_string().contains(expected), "{e}");
            assert!(
                blobs.list().await.expect("list").is_empty(),
                "{expected}: an object was kept"
            );
            let left = std::fs::read_dir(dir.path().join("berkas")).expect("dir").count();
            assert_eq!(left, 0, "{expected}: a staging file was kept");
        }
    }

    /// The tee: what the scanner refuses is aborted in the store like any other refusal, and
    /// what it passes is stored whole. Real clamd (`SICANTIK_TEST_CLAMD`, from `.ci/services`).
    #[tokio::test]
    async fn only_a_clean_verdict_completes_the_upload() {
        let Some(raw) = std::env::var("SICANTIK_TEST_CLAMD").ok().filter(|v| !v.is_empty()) else {
            println!("skipped: SICANTIK_TEST_CLAMD not set (source .ci/services to start clamd)");
            return;
        };
        let clamd = crate::scan::Clamd::new(
            crate::config::ClamdAddress::parse(&raw).expect("SICANTIK_TEST_CLAMD"),
            Duration::from_secs(30),
        );
        let (dir, blobs) = local_blobs();
        let filler: Vec<u8> = (0..1024 * 1024).map(|i| (i % 251) as u8).collect();
        let infected = crate::samples::pdf(&[filler.as_slice(), &crate::scan::tests::eicar()].concat());
        let e = receive_scanned(&blobs, Some(&clamd), &infected, &["pdf"], 10 * 1024 * 1024)
            .await
            .expect_err("infected");
        assert!(
            matches!(&e, UploadError::Infected { signature } if signature.starts_with("Eicar-Test-Signature")),
            "{e:?}"
        );
        assert!(e.to_string().starts_with("Berkas mengandung virus."), "{e}");
        assert!(blobs.list().await.expect("list").is_empty(), "an object was kept");
        let left = std::fs::read_dir(dir.path().join("berkas")).expect("dir").count();
        assert_eq!(left, 0, "a staging file was kept");

        let clean = &crate::samples::pdf(&filler);
        let r = receive_scanned(&blobs, Some(&clamd), clean, &["pdf"], 10 * 1024 * 1024)
            .await
            .expect("clean");
        assert_eq!(r.size, clean.len() as u64);
        assert_eq!(blobs.list().await.expect("list").len(), 1);
    }
}
