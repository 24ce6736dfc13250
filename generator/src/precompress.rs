//! Pre-compressed copies of the built site: `x.gz` and `x.br` beside every text file `x`, so that
//! nginx (`gzip_static`, `brotli_static`) and `sicantik serve` send compressed bytes without
//! compressing on every request. Most applicants read the guide on phones over slow links; a
//! permit page shrinks to about a quarter.
//!
//! The output is deterministic (the same file gives the same bytes: no time or name in the gzip
//! header), and a copy is kept only when it is smaller than the file.

use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

/// Files this small are not worth a second request for the compressed copy's bookkeeping.
const MIN_SIZE: u64 = 512;

/// Text formats the site holds; images, fonts and Pagefind's own (already compressed) index
/// files are left as they are.
const COMPRESSIBLE: &[&str] = &["html", "css", "js", "mjs", "json", "xml", "txt", "svg", "webmanifest"];

/// What was written.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Compressed {
    pub files: usize,
    pub bytes_in: u64,
    pub gzip_bytes: u64,
    pub brotli_bytes: u64,
}

fn compressible(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| COMPRESSIBLE.contains(&e))
}

/// gzip at the best level with an empty header (mtime 0, no name): the same input always gives
/// the same bytes.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut enc = flate2::GzBuilder::new().write(Vec::with_capacity(bytes.len() / 3), flate2::Compression::best());
    // Writing into a Vec cannot fail.
    let _ = enc.write_all(bytes);
    enc.finish().unwrap_or_default()
}

/// Brotli at quality 5, with a window fitted to the file. Measured on the site's pages: 5 % smaller
/// than gzip at about its speed; qualities 9 to 11 save another 4 to 9 % but cost 10 to 50
/// times as much per page (quality 9 zeroes a 32 MB hash table for every file), which a
/// catalogue of thousands of permits cannot afford at every build. Windows under 2^17 are
/// avoided: they switch the encoder to a hasher that is slower still on small files.
pub fn brotli(bytes: &[u8]) -> Vec<u8> {
    let bits = usize::BITS - bytes.len().leading_zeros();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 5,
        lgwin: bits.clamp(17, 22) as i32,
        mode: brotli::enc::backward_references::BrotliEncoderMode::BROTLI_MODE_TEXT,
        size_hint: bytes.len(),
        ..Default::default()
    };
    let mut out = Vec::with_capacity(bytes.len() / 3);
    let mut input = bytes;
    // Reading from a slice and writing into a Vec cannot fail.
    let _ = brotli::BrotliCompress(&mut input, &mut out, &params);
    out
}

/// Writes the compressed copies of every compressible file under `dir`.
pub fn precompress(dir: &Path) -> std::io::Result<Compressed> {
    let files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file() && compressible(e.path()))
        .map(|e| e.into_path())
        .collect();
    files
        .par_iter()
        .map(|path| -> std::io::Result<Compressed> {
            let bytes = std::fs::read(path)?;
            if (bytes.len() as u64) < MIN_SIZE {
                return Ok(Compressed::default());
            }
            let mut done = Compressed {
                files: 1,
                bytes_in: bytes.len() as u64,
                ..Default::default()
            };
            for (ext, packed) in [("gz", gzip(&bytes)), ("br", brotli(&bytes))] {
                if packed.len() >= bytes.len() {
                    continue;
                }
                let mut name = path.as_os_str().to_owned();
                name.push(".");
                name.push(ext);
                std::fs::write(PathBuf::from(name), &packed)?;
                match ext {
                    "gz" => done.gzip_bytes += packed.len() as u64,
                    _ => done.brotli_bytes += packed.len() as u64,
                }
            }
            Ok(done)
        })
        .try_reduce(Compressed::default, |a, b| {
            Ok(Compressed {
                files: a.files + b.files,
                bytes_in: a.bytes_in + b.bytes_in,
                gzip_bytes: a.gzip_bytes + b.gzip_bytes,
                brotli_bytes: a.brotli_bytes + b.brotli_bytes,
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn page() -> Vec<u8> {
        "<!doctype html><html lang=\"id\"><p>Persyaratan Izin Pemasangan Rumpon</p></html>\n"
            .repeat(40)
            .into_bytes()
    }

    #[test]
    fn the_copies_decompress_to_the_file_and_are_the_same_bytes_every_time() {
        let dir = tempfile::tempdir().expect("dir");
        let html = dir.path().join("izin/rumpon/index.html");
        std::fs::create_dir_all(html.parent().expect("parent")).expect("mkdir");
        std::fs::write(&html, page()).expect("write");
        std::fs::write(dir.path().join("logo.png"), vec![7u8; 4096]).expect("write");
        std::fs::write(dir.path().join("kecil.css"), b"p{margin:0}").expect("write");

        let done = precompress(dir.path()).expect("precompress");
        assert_eq!(done.files, 1, "only the page: the image is not text, the CSS too small");
        let gz = std::fs::read(dir.path().join("izin/rumpon/index.html.gz")).expect("gz");
        let br = std::fs::read(dir.path().join("izin/rumpon/index.html.br")).expect("br");
        let mut plain = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut plain)
            .expect("gunzip");
        assert_eq!(plain, page());
        let mut plain = Vec::new();
        brotli::Decompressor::new(&br[..], 4096)
            .read_to_end(&mut plain)
            .expect("unbrotli");
        assert_eq!(plain, page());
        assert!(!dir.path().join("logo.png.gz").exists());
        assert!(!dir.path().join("kecil.css.gz").exists());

        // Deterministic: a second run writes the same bytes.
        std::fs::remove_file(dir.path().join("izin/rumpon/index.html.gz")).expect("rm");
        precompress(dir.path()).expect("again");
        assert_eq!(
            std::fs::read(dir.path().join("izin/rumpon/index.html.gz")).expect("gz"),
            gz
        );
        assert_eq!(
            std::fs::read(dir.path().join("izin/rumpon/index.html.br")).expect("br"),
            br
        );
    }
}
