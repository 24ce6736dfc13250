//! Whether a document is what its first bytes claim: a file that starts `%PDF-` and goes on as
//! an HTML page (a polyglot) must not pass as a PDF. The file is followed as it streams past,
//! never held whole: what a check needs (the head of an image, the tail of a PDF, where PDF
//! lines begin) is kept as it goes, and the verdict comes at the end.
//!
//! - PDF: a `startxref` offset inside the file and `%%EOF` at the end, a cross-reference
//!   section (an `xref` table with its `trailer`, or an `/XRef` stream object) and a `/Root`:
//!   the structure every reader starts from. The offset need not point exactly at the section:
//!   readers repair a wrong one by scanning, and files in the wild have them (the ClamAV test
//!   PDF's is 9 bytes off), so an exact match would refuse documents that open everywhere.
//! - PNG and JPEG: the headers are decoded with the `image` crate's decoders (dimensions and
//!   colour type, no pixels); a PNG must also end with its `IEND` chunk. A JPEG may carry data
//!   after its end marker (some phones append their own), so its end is not checked.
//! - ZIP: the end-of-central-directory record is in its last 64 KiB.

use std::io::Cursor;

use image::ImageDecoder;

/// Bytes of an image's head given to its decoder: enough for the metadata segments of a
/// scanner's or a phone's file (EXIF, an ICC profile) before the image data begins.
const IMAGE_HEAD: usize = 256 * 1024;
/// Bytes kept from the end: a PDF's `%%EOF` may be followed by a little padding, and a ZIP's
/// end record by a comment of up to 64 KiB.
const TAIL: usize = 66 * 1024;
/// Bytes of a line looked at to recognise `xref` or `12 0 obj`.
const LINE_HEAD: usize = 24;
/// A token is looked for across part boundaries with this much of the previous part.
const TOKEN_OVERLAP: usize = 8;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Pdf,
    Jpeg,
    Png,
    Zip,
}

impl Kind {
    /// The kind a file's first bytes claim.
    pub fn sniff(head: &[u8]) -> Option<Kind> {
        if head.starts_with(b"%PDF-") {
            Some(Kind::Pdf)
        } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(Kind::Jpeg)
        } else if head.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
            Some(Kind::Png)
        } else if head.starts_with(b"PK\x03\x04") {
            Some(Kind::Zip)
        } else {
            None
        }
    }

    /// The extension the permits' requirements name (`jenis_berkas`) and downloads end with.
    pub fn extension(self) -> &'static str {
        match self {
            Kind::Pdf => "pdf",
            Kind::Jpeg => "jpg",
            Kind::Png => "png",
            Kind::Zip => "zip",
        }
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Kind::Pdf => "application/pdf",
            Kind::Jpeg => "image/jpeg",
            Kind::Png => "image/png",
            Kind::Zip => "application/zip",
        }
    }

    /// The type's name for the applicant.
    pub fn label(self) -> &'static str {
        match self {
            Kind::Pdf => "PDF",
            Kind::Jpeg => "JPG",
            Kind::Png => "PNG",
            Kind::Zip => "ZIP",
        }
    }
}

/// Why a file is not a whole document of its kind, for the log (the applicant is told that it
/// cannot be read as one).
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Damage {
    #[error("no PDF version after %PDF-")]
    PdfVersion,
    #[error("no startxref and %%EOF at the end")]
    PdfNoStartxref,
    #[error("startxref points at byte {0}, past the end of the file")]
    PdfXrefOutside(u64),
    #[error("no cross-reference section")]
    PdfNoXref,
    #[error("a cross-reference table without a trailer")]
    PdfNoTrailer,
    #[error("no /Root: the document has no catalogue")]
    PdfNoRoot,
    #[error("the image header does not decode: {0}")]
    Image(String),
    #[error("the PNG does not end with its IEND chunk")]
    PngNoEnd,
    #[error("no ZIP end-of-central-directory record")]
    ZipNoEnd,
}

/// A file followed as it streams past.
pub struct Structure {
    kind: Kind,
    len: u64,
    /// The first bytes, for image decoders.
    head: Vec<u8>,
    /// The last bytes seen (up to `TAIL`).
    tail: Vec<u8>,
    pdf: PdfMarks,
}

/// Which lines and tokens a PDF holds.
#[derive(Default)]
struct PdfMarks {
    /// A line begins `xref`.
    xref_line: bool,
    /// A line begins `N G obj`.
    object_line: bool,
    /// The current line's first bytes.
    line: Vec<u8>,
    /// Whether the current line's head is still being collected.
    collecting: bool,
    /// The end of the previous part, to find tokens split between parts.
    overlap: Vec<u8>,
    /// The file's first bytes, for the version.
    first_line: Vec<u8>,
    trailer: bool,
    xref_stream: bool,
    root: bool,
}

impl Structure {
    pub fn new(kind: Kind) -> Structure {
        Structure {
            kind,
            len: 0,
            head: Vec::new(),
            tail: Vec::new(),
            pdf: PdfMarks {
                collecting: true,
                ..PdfMarks::default()
            },
        }
    }

    /// The next bytes of the file.
    pub fn feed(&mut self, part: &[u8]) {
        if matches!(self.kind, Kind::Jpeg | Kind::Png) && self.head.len() < IMAGE_HEAD {
            let take = part.len().min(IMAGE_HEAD - self.head.len());
            self.head.extend_from_slice(&part[..take]);
        }
        if self.kind == Kind::Pdf {
            self.pdf.feed(part);
        }
        keep_tail(&mut self.tail, part);
        self.len += part.len() as u64;
    }

    /// The verdict once the file has ended.
    pub fn finish(mut self) -> Result<(), Damage> {
        match self.kind {
            Kind::Pdf => {
                self.pdf.end_line();
                self.finish_pdf()
            }
            Kind::Png => {
                decode_header(image::codecs::png::PngDecoder::new(Cursor::new(&self.head)))?;
                if self.tail.ends_with(b"\0\0\0\0IEND\xAE\x42\x60\x82") {
                    Ok(())
                } else {
                    Err(Damage::PngNoEnd)
                }
            }
            Kind::Jpeg => decode_header(image::codecs::jpeg::JpegDecoder::new(Cursor::new(&self.head))),
            Kind::Zip => {
                if memchr::memmem::rfind(&self.tail, b"PK\x05\x06").is_some() {
                    Ok(())
                } else {
                    Err(Damage::ZipNoEnd)
                }
            }
        }
    }

    fn finish_pdf(&self) -> Result<(), Damage> {
        // The head is in the tail's first bytes when the file is short, and was checked by
        // the sniffer otherwise; only the version digits are left to see.
        if !self.pdf_version_ok() {
            return Err(Damage::PdfVersion);
        }
        let offset = startxref(&self.tail).ok_or(Damage::PdfNoStartxref)?;
        if offset >= self.len {
            return Err(Damage::PdfXrefOutside(offset));
        }
        let m = &self.pdf;
        let table = m.xref_line && m.trailer;
        let stream = m.object_line && m.xref_stream;
        if !table && !stream {
            return Err(if m.xref_line {
                Damage::PdfNoTrailer
            } else {
                Damage::PdfNoXref
            });
        }
        if !m.root {
            return Err(Damage::PdfNoRoot);
        }
        Ok(())
    }

    fn pdf_version_ok(&self) -> bool {
        let first = self.pdf.first_line.as_slice();
        matches!(first, [b'%', b'P', b'D', b'F', b'-', major, b'.', minor, ..]
            if major.is_ascii_digit() && minor.is_ascii_digit())
    }
}

fn decode_header<D: ImageDecoder>(decoder: image::ImageResult<D>) -> Result<(), Damage> {
    let decoder = decoder.map_err(|e| Damage::Image(e.to_string()))?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(Damage::Image("an image without pixels".into()));
    }
    Ok(())
}

fn keep_tail(tail: &mut Vec<u8>, part: &[u8]) {
    if part.len() >= TAIL {
        tail.clear();
        tail.extend_from_slice(&part[part.len() - TAIL..]);
    } else {
        let excess = (tail.len() + part.len()).saturating_sub(TAIL);
        tail.drain(..excess);
        tail.extend_from_slice(part);
    }
}

/// The offset after the last `startxref` of the tail, when `%%EOF` follows it.
fn startxref(tail: &[u8]) -> Option<u64> {
    let at = memchr::memmem::rfind(tail, b"startxref")?;
    let rest = &tail[at + b"startxref".len()..];
    let rest = trim_start(rest);
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 19 {
        return None;
    }
    let offset = std::str::from_utf8(&rest[..digits]).ok()?.parse().ok()?;
    if !trim_start(&rest[digits..]).starts_with(b"%%EOF") {
        return None;
    }
    Some(offset)
}

fn trim_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|c| is_pdf_space(**c)).count();
    &b[n..]
}

/// PDF white space (ISO 32000-1, 7.2.2).
fn is_pdf_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | b'\n' | b'\x0C' | b'\0')
}

impl PdfMarks {
    fn feed(&mut self, part: &[u8]) {
        for &b in part {
            if b == b'\n' || b == b'\r' {
                self.end_line();
                self.collecting = true;
            } else if self.collecting {
                self.line.push(b);
                if self.line.len() == LINE_HEAD {
                    self.end_line();
                }
            }
        }
        let mut window = std::mem::take(&mut self.overlap);
        window.extend_from_slice(&part[..part.len().min(LINE_HEAD)]);
        self.look_for_tokens(&window);
        self.look_for_tokens(part);
        // The last bytes seen, however small the parts were.
        window.extend_from_slice(&part[part.len().min(LINE_HEAD)..]);
        let keep = window.len().min(TOKEN_OVERLAP);
        window.drain(..window.len() - keep);
        self.overlap = window;
        if self.first_line.len() < LINE_HEAD {
            let take = part.len().min(LINE_HEAD - self.first_line.len());
            self.first_line.extend_from_slice(&part[..take]);
        }
    }

    fn look_for_tokens(&mut self, bytes: &[u8]) {
        self.trailer |= memchr::memmem::find(bytes, b"trailer").is_some();
        self.xref_stream |= memchr::memmem::find(bytes, b"/XRef").is_some();
        self.root |= memchr::memmem::find(bytes, b"/Root").is_some();
    }

    /// Classifies the line whose head has been collected.
    fn end_line(&mut self) {
        if !self.collecting {
            return;
        }
        self.collecting = false;
        // Writers may indent.
        let indent = self.line.iter().take_while(|c| is_pdf_space(**c)).count();
        let line = &self.line[indent..];
        self.xref_line |= line.starts_with(b"xref");
        self.object_line |= is_object_header(line);
        self.line.clear();
    }
}

/// `12 0 obj`: object number, generation, keyword.
fn is_object_header(line: &[u8]) -> bool {
    let mut rest = line;
    for _ in 0..2 {
        let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return false;
        }
        rest = &rest[digits..];
        let spaces = rest.iter().take_while(|c| is_pdf_space(**c)).count();
        if spaces == 0 {
            return false;
        }
        rest = &rest[spaces..];
    }
    rest.starts_with(b"obj")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::samples;

    /// The verdict on `bytes` fed in parts of `part` bytes.
    fn judge(kind: Kind, bytes: &[u8], part: usize) -> Result<(), Damage> {
        let mut s = Structure::new(kind);
        for chunk in bytes.chunks(part.max(1)) {
            s.feed(chunk);
        }
        s.finish()
    }

    /// `bytes` with the first `from` replaced by `to`.
    fn replaced(bytes: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
        let at = memchr::memmem::find(bytes, from).expect("the text to replace");
        [&bytes[..at], to, &bytes[at + from.len()..]].concat()
    }

    fn judge_every_split(kind: Kind, bytes: &[u8]) -> Result<(), Damage> {
        let whole = judge(kind, bytes, bytes.len());
        for part in [1, 2, 3, 7, 64, 4096] {
            assert_eq!(judge(kind, bytes, part), whole, "in parts of {part} bytes");
        }
        whole
    }

    #[test]
    fn a_pdf_with_its_cross_reference_table_passes_however_it_arrives() {
        assert_eq!(judge_every_split(Kind::Pdf, &samples::pdf(b"Surat permohonan")), Ok(()));
    }

    #[test]
    fn a_pdf_whose_startxref_is_a_little_off_passes_as_readers_repair_it() {
        let good = samples::pdf(b"isi");
        let right = startxref(&good).expect("the sample's startxref");
        let wrong = format!("startxref\n{}\n", right - 9);
        let off = replaced(&good, format!("startxref\n{right}\n").as_bytes(), wrong.as_bytes());
        assert_eq!(judge(Kind::Pdf, &off, 64), Ok(()));
    }

    #[test]
    fn a_pdf_with_a_cross_reference_stream_passes() {
        let mut b = b"%PDF-1.5\n%\xE2\xE3\xCF\xD3\n".to_vec();
        b.extend_from_slice(b"1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
        let at = b.len();
        b.extend_from_slice(
            b"5 0 obj\n<< /Type /XRef /Root 1 0 R /Size 6 /W [1 2 1] /Length 0 >>\nstream\n\nendstream\nendobj\n",
        );
        b.extend_from_slice(format!("startxref\n{at}\n%%EOF\n").as_bytes());
        assert_eq!(judge_every_split(Kind::Pdf, &b), Ok(()));
    }

    #[test]
    fn a_pdf_head_followed_by_a_web_page_is_refused() {
        let polyglot = b"%PDF-1.4\n<html><body><script>alert(document.cookie)</script></body></html>\n";
        assert_eq!(judge_every_split(Kind::Pdf, polyglot), Err(Damage::PdfNoStartxref));
        let with_eof = b"%PDF-1.4\n<html><script>x()</script></html>\nstartxref\n9\n%%EOF\n";
        assert_eq!(judge_every_split(Kind::Pdf, with_eof), Err(Damage::PdfNoXref));
    }

    #[test]
    fn a_pdf_whose_startxref_points_elsewhere_or_lacks_parts_is_refused() {
        let good = samples::pdf(b"isi");
        let moved = replaced(&good, b"startxref\n", b"startxref\n99");
        assert!(matches!(judge(Kind::Pdf, &moved, 64), Err(Damage::PdfXrefOutside(_))));
        let no_trailer = replaced(&good, b"trailer", b"tr_iler");
        assert_eq!(judge(Kind::Pdf, &no_trailer, 5), Err(Damage::PdfNoTrailer));
        let no_root = replaced(&good, b"/Root", b"/Rxxt");
        assert_eq!(judge(Kind::Pdf, &no_root, 5), Err(Damage::PdfNoRoot));
        let no_version = replaced(&good, b"%PDF-1.4", b"%PDF-x.y");
        assert_eq!(judge(Kind::Pdf, &no_version, 5), Err(Damage::PdfVersion));
        let truncated = &good[..good.len() - 10];
        assert_eq!(judge(Kind::Pdf, truncated, 64), Err(Damage::PdfNoStartxref));
    }

    #[test]
    fn a_png_and_a_jpeg_pass_and_their_heads_alone_do_not() {
        assert_eq!(judge_every_split(Kind::Png, &samples::png()), Ok(()));
        assert_eq!(judge_every_split(Kind::Jpeg, &samples::jpeg()), Ok(()));
        let mut png_then_html = samples::png()[..8].to_vec();
        png_then_html.extend_from_slice(b"<html><script>x()</script></html>");
        assert!(matches!(judge(Kind::Png, &png_then_html, 16), Err(Damage::Image(_))));
        let mut jpeg_then_html = vec![0xFF, 0xD8, 0xFF, 0xE0];
        jpeg_then_html.extend_from_slice(b"<html><script>x()</script></html>");
        assert!(matches!(judge(Kind::Jpeg, &jpeg_then_html, 16), Err(Damage::Image(_))));
        let mut png_with_more = samples::png();
        png_with_more.extend_from_slice(b"<html></html>");
        assert_eq!(judge(Kind::Png, &png_with_more, 16), Err(Damage::PngNoEnd));
    }

    #[test]
    fn a_zip_needs_its_end_record() {
        assert_eq!(judge(Kind::Zip, b"PK\x03\x04<html></html>", 4), Err(Damage::ZipNoEnd));
        let mut zip = b"PK\x03\x04....".to_vec();
        zip.extend_from_slice(b"PK\x05\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0");
        assert_eq!(judge(Kind::Zip, &zip, 3), Ok(()));
    }
}
