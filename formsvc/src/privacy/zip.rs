//! A zip archive of stored (uncompressed) entries, written as it streams: each entry's local
//! header first, its bytes as they come, then a data descriptor with the CRC-32 and the size,
//! and the central directory at the end. Nothing is held but the directory, so a copy of
//! someone's documents never sits whole in memory.
//!
//! Written here rather than taken from the `zip` crate: that crate wants a seekable writer
//! (or buffers) and brings compression code we do not need; stored entries with data
//! descriptors are the part of the format every unzip reads, in about a hundred lines on
//! `crc32fast`, which the build already has. Documents are PDF and images, already
//! compressed, so storing loses little. No ZIP64: an archive over 4 GiB or 65 535 entries is
//! refused (`Error::Internal`), far beyond a person's documents.

use bytes::{BufMut, Bytes, BytesMut};

use crate::error::{Error, Result};

/// An entry already written, for the central directory.
struct Written {
    name: String,
    crc: u32,
    size: u32,
    offset: u32,
    time: u16,
    date: u16,
}

/// The entry being written.
struct Open {
    name: String,
    offset: u32,
    time: u16,
    date: u16,
    crc: crc32fast::Hasher,
    size: u64,
}

/// Flags: bit 3, sizes and CRC in the data descriptor; bit 11, names in UTF-8.
const FLAGS: u16 = 0x0008 | 0x0800;
const LIMIT: u64 = u32::MAX as u64;

/// The writer: every method returns the bytes to send next.
#[derive(Default)]
pub struct ZipStream {
    done: Vec<Written>,
    open: Option<Open>,
    offset: u64,
}

/// DOS time and date of a Unix time, in WIB (what the applicant's clock says).
fn dos_time(unix: i64) -> (u16, u16) {
    let t = unix + 7 * 3600;
    let (y, m, d) = crate::clock::civil_from_days(t.div_euclid(86_400));
    let secs = t.rem_euclid(86_400);
    let time = (((secs / 3600) << 11) | ((secs % 3600 / 60) << 5) | ((secs % 60) / 2)) as u16;
    let year = (y.clamp(1980, 2107) - 1980) as u16;
    (time, (year << 9) | ((m as u16) << 5) | d as u16)
}

impl ZipStream {
    pub fn new() -> ZipStream {
        ZipStream::default()
    }

    fn advance(&mut self, n: usize) -> Result<u32> {
        let at = self.offset;
        self.offset += n as u64;
        if self.offset > LIMIT {
            return Err(Error::Internal("the zip archive would exceed 4 GiB".into()));
        }
        Ok(at as u32)
    }

    /// Starts entry `name` (a path with `/`), modified at `unix`; returns its local header.
    pub fn begin(&mut self, name: &str, unix: i64) -> Result<Bytes> {
        if self.open.is_some() {
            return Err(Error::Internal("a zip entry began before the last one ended".into()));
        }
        if self.done.len() >= u16::MAX as usize {
            return Err(Error::Internal("too many entries for a zip archive".into()));
        }
        let (time, date) = dos_time(unix);
        let mut b = BytesMut::with_capacity(30 + name.len());
        b.put_u32_le(0x0403_4b50);
        b.put_u16_le(20); // version needed: 2.0
        b.put_u16_le(FLAGS);
        b.put_u16_le(0); // stored
        b.put_u16_le(time);
        b.put_u16_le(date);
        b.put_u32_le(0); // CRC, size and size: in the data descriptor
        b.put_u32_le(0);
        b.put_u32_le(0);
        b.put_u16_le(name.len() as u16);
        b.put_u16_le(0);
        b.put_slice(name.as_bytes());
        let offset = self.advance(b.len())?;
        self.open = Some(Open {
            name: name.to_string(),
            offset,
            time,
            date,
            crc: crc32fast::Hasher::new(),
            size: 0,
        });
        Ok(b.freeze())
    }

    /// Counts `chunk` of the open entry; the caller sends the chunk itself.
    pub fn data(&mut self, chunk: &[u8]) -> Result<()> {
        let Some(open) = self.open.as_mut() else {
            return Err(Error::Internal("zip data outside an entry".into()));
        };
        open.crc.update(chunk);
        open.size += chunk.len() as u64;
        self.advance(chunk.len())?;
        Ok(())
    }

    /// Ends the open entry; returns its data descriptor.
    pub fn end(&mut self) -> Result<Bytes> {
        let Some(open) = self.open.take() else {
            return Err(Error::Internal("a zip entry ended that never began".into()));
        };
        let crc = open.crc.finalize();
        let size = open.size as u32;
        let mut b = BytesMut::with_capacity(16);
        b.put_u32_le(0x0807_4b50);
        b.put_u32_le(crc);
        b.put_u32_le(size);
        b.put_u32_le(size);
        self.advance(b.len())?;
        self.done.push(Written {
            name: open.name,
            crc,
            size,
            offset: open.offset,
            time: open.time,
            date: open.date,
        });
        Ok(b.freeze())
    }

    /// One whole entry from bytes in memory (`data.json`).
    pub fn entry(&mut self, name: &str, unix: i64, bytes: &[u8]) -> Result<Bytes> {
        let mut b = BytesMut::from(&self.begin(name, unix)?[..]);
        self.data(bytes)?;
        b.put_slice(bytes);
        b.put_slice(&self.end()?);
        Ok(b.freeze())
    }

    /// The central directory and its end record: the archive's last bytes.
    pub fn finish(mut self) -> Result<Bytes> {
        if self.open.is_some() {
            return Err(Error::Internal("the zip archive ended inside an entry".into()));
        }
        let mut b = BytesMut::new();
        for w in &self.done {
            b.put_u32_le(0x0201_4b50);
            b.put_u16_le(20); // made by: 2.0, MS-DOS attributes
            b.put_u16_le(20);
            b.put_u16_le(FLAGS);
            b.put_u16_le(0);
            b.put_u16_le(w.time);
            b.put_u16_le(w.date);
            b.put_u32_le(w.crc);
            b.put_u32_le(w.size);
            b.put_u32_le(w.size);
            b.put_u16_le(w.name.len() as u16);
            b.put_u16_le(0); // extra
            b.put_u16_le(0); // comment
            b.put_u16_le(0); // disk
            b.put_u16_le(0); // internal attributes
            b.put_u32_le(0); // external attributes
            b.put_u32_le(w.offset);
            b.put_slice(w.name.as_bytes());
        }
        let start = self.advance(0)?;
        let size = b.len();
        self.advance(size)?;
        b.put_u32_le(0x0605_4b50);
        b.put_u16_le(0);
        b.put_u16_le(0);
        b.put_u16_le(self.done.len() as u16);
        b.put_u16_le(self.done.len() as u16);
        b.put_u32_le(size as u32);
        b.put_u32_le(start);
        b.put_u16_le(0);
        Ok(b.freeze())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reads the archive back with the system's own unzip, a reader that is not ours.
    #[test]
    fn an_archive_written_in_pieces_is_read_back_by_unzip() {
        let mut z = ZipStream::new();
        let mut out = Vec::new();
        out.extend_from_slice(&z.entry("data.json", 1_795_939_440, b"{\"a\": 1}").expect("entry"));
        out.extend_from_slice(&z.begin("dokumen/ktp.pdf", 1_795_939_440).expect("begin"));
        for chunk in [&b"%PDF-1.4\n"[..], &[0u8, 1, 2, 255][..]] {
            z.data(chunk).expect("data");
            out.extend_from_slice(chunk);
        }
        out.extend_from_slice(&z.end().expect("end"));
        out.extend_from_slice(&z.finish().expect("finish"));

        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("salinan.zip");
        std::fs::write(&path, &out).expect("write");
        let ok = std::process::Command::new("unzip")
            .arg("-q")
            .arg(&path)
            .arg("-d")
            .arg(dir.path().join("isi"))
            .status()
            .expect("unzip runs");
        assert!(ok.success(), "unzip accepts the archive (CRC and sizes checked)");
        assert_eq!(
            std::fs::read(dir.path().join("isi/data.json")).expect("data.json"),
            b"{\"a\": 1}"
        );
        assert_eq!(
            std::fs::read(dir.path().join("isi/dokumen/ktp.pdf")).expect("ktp.pdf"),
            b"%PDF-1.4\n\x00\x01\x02\xff"
        );
    }

    #[test]
    fn dos_times_are_wib() {
        // 2026-11-29 08:04 UTC is 15.04 WIB.
        let (time, date) = dos_time(1_795_939_440);
        assert_eq!((time >> 11, (time >> 5) & 63), (15, 4));
        assert_eq!((date >> 9, (date >> 5) & 15, date & 31), (46, 11, 29));
    }
}
