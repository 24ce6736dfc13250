//! The format of an encrypted document: a header, then the document in 64 KiB chunks, each
//! sealed with ChaCha20-Poly1305 under the document's own key, in the STREAM construction
//! (Hoang, Reyhanitabar, Rogaway, Vizár 2015; the `StreamBE32` of RustCrypto's `aead::stream`).
//!
//! ```text
//! header  = "SCDK" | version 0x01 | nonce prefix (7 random bytes)          12 bytes
//! chunk i = ChaCha20-Poly1305(key, nonce_i, aad = header, 64 KiB of plaintext) + 16-byte tag
//! nonce_i = nonce prefix | i as 32-bit big-endian | 0x01 for the last chunk, else 0x00
//! ```
//!
//! Every chunk but the last holds exactly 64 KiB; the last holds 0 to 64 KiB and is always
//! there, so an object cut at a chunk boundary lacks its last chunk and fails. The counter in
//! the nonce makes reordered, repeated or dropped chunks fail; the header is authenticated
//! with every chunk. Memory stays at about one chunk each way, whatever the document's size.
//!
//! Reading never yields a byte before the tag of its chunk has been checked: a tampered or
//! truncated object ends in an error, and whatever came before it was authentic.

use bytes::{Bytes, BytesMut};
use ring::aead::{Aad, LessSafeKey, NONCE_LEN, Nonce};

use crate::error::{Error, Result};
use crate::keys::{DataKey, aead_key, random_bytes};

const MAGIC: &[u8; 4] = b"SCDK";
const VERSION: u8 = 1;
const PREFIX_LEN: usize = 7;
pub(crate) const HEADER_LEN: usize = MAGIC.len() + 1 + PREFIX_LEN;
/// Plaintext bytes per chunk.
pub(crate) const CHUNK: usize = 64 * 1024;
const TAG_LEN: usize = 16;
/// A whole sealed chunk as stored.
pub(crate) const SEALED_CHUNK: usize = CHUNK + TAG_LEN;

fn nonce(prefix: &[u8; PREFIX_LEN], counter: u32, last: bool) -> Nonce {
    let mut n = [0u8; NONCE_LEN];
    n[..PREFIX_LEN].copy_from_slice(prefix);
    n[PREFIX_LEN..PREFIX_LEN + 4].copy_from_slice(&counter.to_be_bytes());
    n[NONCE_LEN - 1] = u8::from(last);
    Nonce::assume_unique_for_key(n)
}

fn broken(why: &str) -> Error {
    Error::Crypto(format!("the document does not decrypt: {why}"))
}

/// Encrypts a document as it streams past.
pub(crate) struct Sealer {
    key: LessSafeKey,
    header: [u8; HEADER_LEN],
    counter: u32,
    /// Plaintext not yet sealed: a chunk is sealed only once a byte after it has arrived, so
    /// the last one is known to be the last.
    pending: BytesMut,
}

impl Sealer {
    /// A sealer for `key` and the header to write first.
    pub(crate) fn new(key: &DataKey) -> (Sealer, Bytes) {
        let mut prefix = [0u8; PREFIX_LEN];
        random_bytes(&mut prefix);
        let mut header = [0u8; HEADER_LEN];
        header[..4].copy_from_slice(MAGIC);
        header[4] = VERSION;
        header[5..].copy_from_slice(&prefix);
        let sealer = Sealer {
            key: aead_key(key.bytes()),
            header,
            counter: 0,
            pending: BytesMut::with_capacity(CHUNK + 1),
        };
        (sealer, Bytes::copy_from_slice(&header))
    }

    fn prefix(&self) -> [u8; PREFIX_LEN] {
        let mut p = [0u8; PREFIX_LEN];
        p.copy_from_slice(&self.header[5..]);
        p
    }

    fn seal(&mut self, mut chunk: BytesMut, last: bool) -> Result<Bytes> {
        let n = nonce(&self.prefix(), self.counter, last);
        self.counter = self
            .counter
            .checked_add(1)
            .ok_or_else(|| Error::Crypto("document too large for one stream (2^32 chunks)".into()))?;
        chunk.reserve(TAG_LEN);
        self.key
            .seal_in_place_append_tag(n, Aad::from(&self.header), &mut chunk)
            .map_err(|_| Error::Crypto("sealing a chunk failed".into()))?;
        Ok(chunk.freeze())
    }

    /// Takes more plaintext; returns the chunks that are complete (each `SEALED_CHUNK` bytes).
    pub(crate) fn push(&mut self, data: &[u8]) -> Result<Vec<Bytes>> {
        self.pending.extend_from_slice(data);
        let mut out = Vec::new();
        while self.pending.len() > CHUNK {
            let chunk = self.pending.split_to(CHUNK);
            out.push(self.seal(chunk, false)?);
        }
        Ok(out)
    }

    /// The last chunk (what is left, possibly nothing, sealed as the last).
    pub(crate) fn finish(mut self) -> Result<Bytes> {
        let rest = std::mem::take(&mut self.pending);
        self.seal(rest, true)
    }
}

/// Decrypts a document as it streams past.
pub(crate) struct Opener {
    key: LessSafeKey,
    header: Option<[u8; HEADER_LEN]>,
    counter: u32,
    pending: BytesMut,
}

impl Opener {
    pub(crate) fn new(key: &DataKey) -> Opener {
        Opener {
            key: aead_key(key.bytes()),
            header: None,
            counter: 0,
            pending: BytesMut::with_capacity(SEALED_CHUNK + 1),
        }
    }

    fn open(&mut self, mut chunk: BytesMut, last: bool) -> Result<Bytes> {
        let header = self.header.ok_or_else(|| broken("no header"))?;
        let mut prefix = [0u8; PREFIX_LEN];
        prefix.copy_from_slice(&header[5..]);
        let n = nonce(&prefix, self.counter, last);
        self.counter = self.counter.checked_add(1).ok_or_else(|| broken("too many chunks"))?;
        let len = self
            .key
            .open_in_place(n, Aad::from(&header), &mut chunk)
            .map_err(|_| {
                broken(if last {
                    "the last chunk does not authenticate (altered, truncated, or another key)"
                } else {
                    "a chunk does not authenticate (altered, or another key)"
                })
            })?
            .len();
        chunk.truncate(len);
        Ok(chunk.freeze())
    }

    fn take_header(&mut self) -> Result<()> {
        if self.header.is_none() && self.pending.len() >= HEADER_LEN {
            let h = self.pending.split_to(HEADER_LEN);
            if &h[..4] != MAGIC {
                return Err(broken("not an encrypted document (no header)"));
            }
            if h[4] != VERSION {
                return Err(broken("an encryption format version this service does not know"));
            }
            let mut header = [0u8; HEADER_LEN];
            header.copy_from_slice(&h);
            self.header = Some(header);
        }
        Ok(())
    }

    /// Takes more of the object; returns the plaintext of every chunk now known not to be the
    /// last, each already authenticated.
    pub(crate) fn push(&mut self, data: &[u8]) -> Result<Vec<Bytes>> {
        self.pending.extend_from_slice(data);
        self.take_header()?;
        let mut out = Vec::new();
        if self.header.is_none() {
            return Ok(out);
        }
        while self.pending.len() > SEALED_CHUNK {
            let chunk = self.pending.split_to(SEALED_CHUNK);
            out.push(self.open(chunk, false)?);
        }
        Ok(out)
    }

    /// At the end of the object: the last chunk's plaintext, or why the object is incomplete.
    pub(crate) fn finish(&mut self) -> Result<Bytes> {
        self.take_header()?;
        if self.header.is_none() {
            return Err(broken("truncated inside the header"));
        }
        if self.pending.len() < TAG_LEN {
            return Err(broken("truncated: the last chunk is missing"));
        }
        let rest = std::mem::take(&mut self.pending);
        self.open(rest, true)
    }
}

/// How many bytes the sealed form of `plain_len` bytes takes.
#[cfg(test)]
pub(crate) fn sealed_len(plain_len: u64) -> u64 {
    let full = plain_len / CHUNK as u64;
    // A plaintext of whole chunks still ends with its own (empty or full) last chunk: the
    // last full chunk is the last, unless nothing follows it at all.
    let chunks = if plain_len > 0 && plain_len.is_multiple_of(CHUNK as u64) {
        full
    } else {
        full + 1
    };
    HEADER_LEN as u64 + plain_len + chunks * TAG_LEN as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seal_all(key: &DataKey, data: &[u8], piece: usize) -> Vec<u8> {
        let (mut s, header) = Sealer::new(key);
        let mut out = header.to_vec();
        for p in data.chunks(piece.max(1)) {
            for c in s.push(p).expect("push") {
                out.extend_from_slice(&c);
            }
        }
        out.extend_from_slice(&s.finish().expect("finish"));
        out
    }

    /// The plaintext up to the first error, and the error if any.
    fn open_all(key: &DataKey, sealed: &[u8], piece: usize) -> (Vec<u8>, Option<Error>) {
        let mut o = Opener::new(key);
        let mut out = Vec::new();
        for p in sealed.chunks(piece.max(1)) {
            match o.push(p) {
                Ok(v) => v.iter().for_each(|c| out.extend_from_slice(c)),
                Err(e) => return (out, Some(e)),
            }
        }
        match o.finish() {
            Ok(c) => {
                out.extend_from_slice(&c);
                (out, None)
            }
            Err(e) => (out, Some(e)),
        }
    }

    fn data(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 31 + i / 977) as u8).collect()
    }

    #[test]
    fn every_length_round_trips_whatever_the_pieces() {
        let key = DataKey::random();
        for len in [0, 1, 15, 16, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 3 * CHUNK + 17] {
            let d = data(len);
            for piece in [1usize, 7, 4096, CHUNK, CHUNK + 5, 1 << 20] {
                if piece == 1 && len > 2 * CHUNK {
                    continue;
                }
                let sealed = seal_all(&key, &d, piece);
                assert_eq!(sealed.len() as u64, sealed_len(len as u64), "len {len}");
                for read_piece in [3usize, SEALED_CHUNK, 1 << 20] {
                    let (back, err) = open_all(&key, &sealed, read_piece);
                    assert!(err.is_none(), "len {len} piece {piece}: {err:?}");
                    assert!(back == d, "len {len} piece {piece}: bytes differ");
                }
            }
        }
    }

    #[test]
    fn the_same_document_seals_differently_and_hides_its_bytes() {
        let key = DataKey::random();
        let d = b"%PDF-1.7 RAHASIA-NIK-1671010101900001 ".repeat(5000);
        let a = seal_all(&key, &d, 4096);
        let b = seal_all(&key, &d, 4096);
        assert_ne!(a, b, "a fresh nonce prefix each time");
        for sealed in [&a, &b] {
            assert!(!sealed.windows(8).any(|w| w == b"RAHASIA-"), "plaintext shows");
            assert!(!sealed.windows(5).any(|w| w == b"%PDF-"));
        }
    }

    #[test]
    fn a_flipped_bit_anywhere_is_an_error_and_nothing_unauthenticated_is_yielded() {
        let key = DataKey::random();
        let d = data(2 * CHUNK + 100);
        let sealed = seal_all(&key, &d, 8192);
        let positions = [
            0,
            4,
            5,
            HEADER_LEN - 1,
            HEADER_LEN,
            HEADER_LEN + CHUNK,
            HEADER_LEN + SEALED_CHUNK - 1,
            HEADER_LEN + SEALED_CHUNK + 10,
            HEADER_LEN + 2 * SEALED_CHUNK + 5,
            sealed.len() - 1,
        ];
        for pos in positions {
            let mut bad = sealed.clone();
            bad[pos] ^= 0x01;
            let (got, err) = open_all(&key, &bad, 10_000);
            assert!(err.is_some(), "a flip at {pos} went unnoticed");
            // What was yielded before the error is authentic: a prefix of the document, in whole
            // chunks, and never the chunk with the flip.
            assert!(d.starts_with(&got), "flip at {pos}: wrong bytes yielded");
            assert_eq!(got.len() % CHUNK, 0, "flip at {pos}");
            let flipped_chunk = pos.saturating_sub(HEADER_LEN) / SEALED_CHUNK;
            assert!(
                got.len() / CHUNK <= flipped_chunk,
                "flip at {pos}: its chunk was yielded"
            );
        }
    }

    #[test]
    fn a_truncated_or_extended_object_is_an_error() {
        let key = DataKey::random();
        for len in [0, 10, CHUNK, 2 * CHUNK + 100] {
            let d = data(len);
            let sealed = seal_all(&key, &d, 8192);
            let mut cuts = vec![0, 3, HEADER_LEN, HEADER_LEN + 15, sealed.len() - 1];
            if len >= CHUNK {
                cuts.push(HEADER_LEN + SEALED_CHUNK);
                cuts.push(HEADER_LEN + SEALED_CHUNK - 1);
            }
            for cut in cuts.into_iter().filter(|&c| c < sealed.len()) {
                let (got, err) = open_all(&key, &sealed[..cut], 5000);
                assert!(err.is_some(), "len {len}: a cut at {cut} went unnoticed");
                assert!(d.starts_with(&got) && got.len() < d.len().max(1), "len {len} cut {cut}");
            }
            let mut longer = sealed.clone();
            longer.extend_from_slice(&[0u8; 16]);
            assert!(open_all(&key, &longer, 5000).1.is_some(), "len {len}: extra bytes");
        }
    }

    #[test]
    fn reordered_or_dropped_chunks_and_another_key_fail() {
        let key = DataKey::random();
        let d = data(3 * CHUNK + 1);
        let sealed = seal_all(&key, &d, CHUNK);
        let h = HEADER_LEN;
        let chunk = |i: usize| &sealed[h + i * SEALED_CHUNK..(h + (i + 1) * SEALED_CHUNK).min(sealed.len())];
        let swapped = [&sealed[..h], chunk(1), chunk(0), chunk(2), chunk(3)].concat();
        assert!(open_all(&key, &swapped, 9999).1.is_some());
        let dropped = [&sealed[..h], chunk(0), chunk(2), chunk(3)].concat();
        assert!(open_all(&key, &dropped, 9999).1.is_some());
        let (got, err) = open_all(&DataKey::random(), &sealed, 9999);
        assert!(err.is_some() && got.is_empty(), "another key opens nothing");
    }
}
