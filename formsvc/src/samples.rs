//! Well-formed documents for tests and benchmarks: the upload check refuses a file that is
//! not a whole document of its type, so the suites need real ones. Not used by the service.

use std::io::Cursor;

/// A one-page PDF whose content stream holds `text` (any bytes), with a correct
/// cross-reference table, so that every byte of `text` reaches the store as uploaded.
pub fn pdf(text: &[u8]) -> Vec<u8> {
    let mut b = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    let mut object = |b: &mut Vec<u8>, body: &[u8]| {
        offsets.push(b.len());
        b.extend_from_slice(format!("{} 0 obj\n", offsets.len()).as_bytes());
        b.extend_from_slice(body);
        b.extend_from_slice(b"\nendobj\n");
    };
    object(&mut b, b"<< /Type /Catalog /Pages 2 0 R >>");
    object(&mut b, b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>");
    object(
        &mut b,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
    );
    let mut stream = format!("<< /Length {} >>\nstream\n", text.len()).into_bytes();
    stream.extend_from_slice(text);
    stream.extend_from_slice(b"\nendstream");
    object(&mut b, &stream);
    let xref = b.len();
    b.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1).as_bytes());
    for o in &offsets {
        b.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    b.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            offsets.len() + 1
        )
        .as_bytes(),
    );
    b
}

/// A PDF of at least `len` bytes: `pdf` with filler text.
pub fn pdf_of_size(len: usize) -> Vec<u8> {
    pdf(&vec![b'%'; len])
}

/// A 2×2 PNG.
pub fn png() -> Vec<u8> {
    encode(image::ImageFormat::Png)
}

/// A 2×2 JPEG.
pub fn jpeg() -> Vec<u8> {
    encode(image::ImageFormat::Jpeg)
}

fn encode(format: image::ImageFormat) -> Vec<u8> {
    let pixels = image::RgbImage::from_fn(2, 2, |x, y| image::Rgb([x as u8 * 200, y as u8 * 200, 90]));
    let mut out = Cursor::new(Vec::new());
    pixels
        .write_to(&mut out, format)
        .expect("encoding a 2×2 image into memory cannot fail");
    out.into_inner()
}
