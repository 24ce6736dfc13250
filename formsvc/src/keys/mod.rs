//! The master key and what it protects. Every document has a key of its own, and the NIKs
//! one key between them (`nik`); those keys are stored only wrapped (encrypted and
//! authenticated) by the master key, in the database. The master key itself is never stored
//! by the service: it comes from `SICANTIK_MASTER_KEY_FILE` or `SICANTIK_MASTER_KEY`, or, on a
//! laptop (a loopback base URL) with neither set, from a file made in the data directory.
//!
//! - A master key is known by its id (`KeyId`, derived from the key itself), which every
//!   wrapped key records, so a rotation knows what is still to do and an instance started
//!   with the wrong key says so at start.
//! - Wrapping is ChaCha20-Poly1305 (ring) under a key derived from the master key with
//!   HKDF-SHA256, with a random nonce and the wrapped key's context (the object's name, the
//!   setting's name) as associated data: a wrapped key copied into another row does not open.
//! - The `Keyring` holds the current key (which wraps) and the previous ones (which only
//!   unwrap, while `sicantik key rotate` moves everything to the current one).
//!
//! It must not know about rows or objects: the store and the blob store call it.

mod file;
pub mod maintenance;
pub mod nik;
#[cfg(test)]
mod tests;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ring::aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};
use zeroize::Zeroize;

pub use self::file::{default_key_path, generate_key_file, key_file_mode_warning, new_key_text, read_key_file};
pub use self::nik::NikKey;
use crate::error::{Error, Result};

/// Length of every key here: 256 bits.
pub const KEY_LEN: usize = 32;

/// Fills `out` from the operating system's random source.
pub fn random_bytes(out: &mut [u8]) {
    // The OS random source does not fail on the systems we run on; if it ever did, carrying
    // on with a predictable key would be worse than stopping.
    SystemRandom::new()
        .fill(out)
        .unwrap_or_else(|_| panic!("the operating system's random source failed"));
}

/// HKDF-SHA256 of `ikm` for one purpose (`info`), 32 bytes.
pub(crate) fn derive(ikm: &[u8], info: &[u8]) -> [u8; KEY_LEN] {
    let prk = ring::hkdf::Salt::new(ring::hkdf::HKDF_SHA256, b"sicantik").extract(ikm);
    let mut out = [0u8; KEY_LEN];
    // 32 bytes from SHA-256's HKDF cannot fail (the limit is 255 × 32).
    prk.expand(&[info], ring::hkdf::HKDF_SHA256)
        .and_then(|okm| okm.fill(&mut out))
        .unwrap_or_else(|_| unreachable!());
    out
}

/// A ChaCha20-Poly1305 key (ring), from 32 bytes.
pub(crate) fn aead_key(bytes: &[u8; KEY_LEN]) -> LessSafeKey {
    // 32 bytes is ChaCha20-Poly1305's key length: cannot fail.
    LessSafeKey::new(UnboundKey::new(&CHACHA20_POLY1305, bytes).unwrap_or_else(|_| unreachable!()))
}

/// `nonce || ciphertext || tag` of `plain` under `key`, with a random nonce.
pub(crate) fn seal(key: &LessSafeKey, aad: &[u8], plain: &[u8]) -> Vec<u8> {
    let mut nonce = [0u8; NONCE_LEN];
    random_bytes(&mut nonce);
    let mut out = Vec::with_capacity(NONCE_LEN + plain.len() + 16);
    out.extend_from_slice(&nonce);
    let mut body = plain.to_vec();
    key.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::from(aad), &mut body)
        .unwrap_or_else(|_| unreachable!("ChaCha20-Poly1305 seals any length we use"));
    out.extend_from_slice(&body);
    body.zeroize();
    out
}

/// The plaintext of what `seal` made, or `None` when it does not authenticate.
pub(crate) fn open(key: &LessSafeKey, aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    if sealed.len() < NONCE_LEN + 16 {
        return None;
    }
    let (nonce, body) = sealed.split_at(NONCE_LEN);
    let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
    let mut body = body.to_vec();
    let plain = key.open_in_place(nonce, Aad::from(aad), &mut body).ok()?.to_vec();
    body.zeroize();
    Some(plain)
}

/// A 256-bit secret that is wiped when dropped: a document's key, the NIK key.
#[derive(Clone)]
pub struct DataKey([u8; KEY_LEN]);

impl DataKey {
    pub fn random() -> DataKey {
        let mut k = [0u8; KEY_LEN];
        random_bytes(&mut k);
        DataKey(k)
    }

    pub(crate) fn bytes(&self) -> &[u8; KEY_LEN] {
        &self.0
    }

    fn from_slice(bytes: &[u8]) -> Option<DataKey> {
        Some(DataKey(bytes.try_into().ok()?))
    }
}

impl Drop for DataKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(***)")
    }
}

/// A master key's id: 16 hex digits derived from the key (it says which key, never the key).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct KeyId(String);

impl KeyId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for KeyId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A master key: 32 random bytes, known by its id. Prints as its id only.
#[derive(Clone)]
pub struct MasterKey {
    id: KeyId,
    /// The key that wraps (derived, so the master key itself encrypts nothing).
    wrap: LessSafeKey,
}

impl MasterKey {
    pub fn from_bytes(bytes: &[u8; KEY_LEN]) -> MasterKey {
        let id_bytes = derive(bytes, b"sicantik/v1/key-id");
        let id = id_bytes[..8].iter().map(|b| format!("{b:02x}")).collect();
        let mut wrap = derive(bytes, b"sicantik/v1/wrap");
        let key = aead_key(&wrap);
        wrap.zeroize();
        MasterKey {
            id: KeyId(id),
            wrap: key,
        }
    }

    /// Reads a key written as base64 (standard or URL-safe) or hex of 32 bytes; `name` is the
    /// setting, for the message.
    pub fn parse(text: &str, name: &str) -> Result<MasterKey> {
        let text = text.trim();
        let bytes = if text.len() == 2 * KEY_LEN && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            (0..KEY_LEN)
                .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16))
                .collect::<std::result::Result<Vec<u8>, _>>()
                .map_err(|_| Error::Config(format!("{name}: not hex")))?
        } else {
            STANDARD
                .decode(text)
                .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text))
                .or_else(|_| base64::engine::general_purpose::URL_SAFE.decode(text))
                .map_err(|_| Error::Config(format!("{name}: not base64 or hex of 32 bytes")))?
        };
        let mut key: [u8; KEY_LEN] = bytes.try_into().map_err(|b: Vec<u8>| {
            Error::Config(format!(
                "{name}: the key is {} bytes; it must be 32 random bytes (make one with `sicantik key generate`)",
                b.len()
            ))
        })?;
        let master = MasterKey::from_bytes(&key);
        key.zeroize();
        Ok(master)
    }

    pub fn id(&self) -> &KeyId {
        &self.id
    }
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MasterKey({})", self.id)
    }
}

/// A data key as stored: the id of the master key that wrapped it, and the wrapped bytes
/// (`nonce || ciphertext || tag`, base64).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrappedKey {
    pub key_id: String,
    pub wrapped: String,
}

impl WrappedKey {
    /// As one value (`<key id>:<base64>`), for the settings table.
    pub fn to_bytes(&self) -> Vec<u8> {
        format!("{}:{}", self.key_id, self.wrapped).into_bytes()
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<WrappedKey> {
        let text = std::str::from_utf8(bytes).ok()?;
        let (key_id, wrapped) = text.split_once(':')?;
        Some(WrappedKey {
            key_id: key_id.to_string(),
            wrapped: wrapped.to_string(),
        })
    }
}

/// Why a wrapped key did not open.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UnwrapError {
    /// Wrapped by a master key this instance does not have.
    #[error("wrapped by master key {0}, which is not configured")]
    UnknownKey(String),
    /// The id is known but the bytes do not authenticate: altered, or moved from another row.
    #[error("the wrapped key does not authenticate (altered, or copied from another row)")]
    Forged,
}

/// The master keys an instance holds: the current one, which wraps, and previous ones, which
/// only unwrap (during a rotation).
#[derive(Debug, Clone)]
pub struct Keyring {
    current: MasterKey,
    previous: Vec<MasterKey>,
}

fn aad(key_id: &str, context: &str) -> Vec<u8> {
    format!("sicantik/v1/wrapped-key|{key_id}|{context}").into_bytes()
}

impl Keyring {
    pub fn new(current: MasterKey, previous: Vec<MasterKey>) -> Keyring {
        let previous = previous.into_iter().filter(|k| k.id != current.id).collect();
        Keyring { current, previous }
    }

    /// A keyring with a fresh random key that lives as long as the process (tests).
    pub fn ephemeral() -> Keyring {
        let key = DataKey::random();
        Keyring::new(MasterKey::from_bytes(key.bytes()), Vec::new())
    }

    pub fn current_id(&self) -> &KeyId {
        &self.current.id
    }

    /// The key that wraps.
    pub fn current(&self) -> &MasterKey {
        &self.current
    }

    /// The ids of every key held, the current one first (for messages).
    pub fn ids(&self) -> Vec<String> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .map(|k| k.id.0.clone())
            .collect()
    }

    /// `key` wrapped by the current master key, bound to `context` (what it is the key of).
    pub fn wrap(&self, key: &DataKey, context: &str) -> WrappedKey {
        let id = self.current.id.0.clone();
        let sealed = seal(&self.current.wrap, &aad(&id, context), key.bytes());
        WrappedKey {
            key_id: id,
            wrapped: STANDARD.encode(sealed),
        }
    }

    /// The data key `wrapped` holds, if one of our keys wrapped it for `context`.
    pub fn unwrap(&self, wrapped: &WrappedKey, context: &str) -> std::result::Result<DataKey, UnwrapError> {
        let master = std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.id.0 == wrapped.key_id)
            .ok_or_else(|| UnwrapError::UnknownKey(wrapped.key_id.clone()))?;
        let sealed = STANDARD.decode(&wrapped.wrapped).map_err(|_| UnwrapError::Forged)?;
        let mut plain = open(&master.wrap, &aad(&wrapped.key_id, context), &sealed).ok_or(UnwrapError::Forged)?;
        let key = DataKey::from_slice(&plain).ok_or(UnwrapError::Forged);
        plain.zeroize();
        key
    }

    /// The keyring the configuration names. With no master key set: on a loopback base URL,
    /// the key file in the data directory (made on first start, with a warning); otherwise
    /// an error, since a key kept beside the data protects nothing.
    pub fn from_config(cfg: &crate::Config) -> Result<Keyring> {
        let previous = cfg.master_key.previous.clone();
        if let Some(k) = &cfg.master_key.current {
            return Ok(Keyring::new(k.clone(), previous));
        }
        if !loopback(&cfg.base_url) {
            return Err(Error::Config(format!(
                "SICANTIK_MASTER_KEY_FILE is not set, and SICANTIK_BASE_URL ({}) is not a loopback address: \
                 make a key with `sicantik key generate /etc/sicantik/master.key` on a disk that is not \
                 backed up with the data, and set SICANTIK_MASTER_KEY_FILE to it (or SICANTIK_MASTER_KEY)",
                cfg.base_url
            )));
        }
        let path = default_key_path(&cfg.data_dir);
        let key = if path.exists() {
            read_key_file(&path, "the data directory's master key")?
        } else {
            let key = generate_key_file(&path)?;
            tracing::warn!(
                path = %path.display(),
                key_id = %key.id(),
                "NEW MASTER KEY made in the data directory, because SICANTIK_MASTER_KEY_FILE is not set. \
                 Back this file up SEPARATELY and keep it away from backups of the data: without it no document \
                 and no NIK can be read again; with it, whoever holds a copy of the data can read them all. \
                 For anything but a laptop, set SICANTIK_MASTER_KEY_FILE to a key outside the data directory."
            );
            key
        };
        Ok(Keyring::new(key, previous))
    }
}

/// Whether the base URL's host is this machine only (a laptop or a test, not a service).
pub fn loopback(base_url: &str) -> bool {
    match url::Url::parse(base_url)
        .ok()
        .and_then(|u| u.host().map(|h| h.to_owned()))
    {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}
