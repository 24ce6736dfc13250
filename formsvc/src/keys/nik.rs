//! The NIK at rest: sealed (ChaCha20-Poly1305, random nonce) wherever it is stored, so a copy
//! of the database shows no identity number, and indexed by a keyed hash (HMAC-SHA256), so
//! Cek Status and the per-person registration limit still find a person by exact value.
//!
//! One random NIK key serves every row; the seal and index keys are derived from it with
//! HKDF. It is kept in the `settings` table wrapped by the master key (the first instance to
//! start makes it), so rotating the master key re-wraps one row instead of re-sealing every
//! NIK and recomputing every hash, and a search never has to try two hashes.
//!
//! An unkeyed hash would not do: NIKs are 16 digits with a known structure (region, birth
//! date, a serial), few enough to hash them all.

use ring::aead::LessSafeKey;
use serde::{Deserialize, Serialize};

use super::{DataKey, Keyring, UnwrapError, WrappedKey, aead_key, derive, open, seal};
use crate::error::{Error, Result};
use crate::records::Pemohon;

/// The name of the setting that holds the wrapped NIK key.
pub const SETTING: &str = "nik_key";
/// What the wrapped NIK key is bound to.
pub const CONTEXT: &str = "setting:nik_key";

/// The seal and index keys of identity numbers.
#[derive(Clone)]
pub struct NikKey {
    seal: LessSafeKey,
    index: ring::hmac::Key,
}

impl std::fmt::Debug for NikKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NikKey(***)")
    }
}

/// Where a sealed identity number is stored; part of what its seal authenticates, so a value
/// moved from one column to another does not open.
#[derive(Debug, Clone, Copy)]
pub enum Field {
    /// `applicants.nomor_identitas`.
    Applicant,
    /// The `identitas` of an application's `pemohon_json`.
    Pemohon,
    /// `officers.totp_secret` and `officers.totp_pending`: an officer's second factor, as
    /// secret as the personal data it guards.
    OfficerTotp,
    /// The corrected number an applicant asks for (`identity_corrections.nilai`).
    Correction,
}

impl Field {
    fn aad(self) -> &'static [u8] {
        match self {
            Field::Applicant => b"sicantik/v1/nik|applicants.nomor_identitas",
            Field::Pemohon => b"sicantik/v1/nik|applications.pemohon_json.identitas",
            Field::OfficerTotp => b"sicantik/v1/totp|officers.totp_secret",
            Field::Correction => b"sicantik/v1/nik|identity_corrections.nilai",
        }
    }
}

/// The version prefix of a sealed value.
const SEALED_PREFIX: &str = "v1.";

impl NikKey {
    pub fn from_data_key(key: &DataKey) -> NikKey {
        let mut seal_key = derive(key.bytes(), b"sicantik/v1/nik-seal");
        let mut index_key = derive(key.bytes(), b"sicantik/v1/nik-index");
        let nik = NikKey {
            seal: aead_key(&seal_key),
            index: ring::hmac::Key::new(ring::hmac::HMAC_SHA256, &index_key),
        };
        zeroize::Zeroize::zeroize(&mut seal_key);
        zeroize::Zeroize::zeroize(&mut index_key);
        nik
    }

    /// The NIK key of this database: the stored one unwrapped, or (first start) a new one,
    /// stored wrapped. An instance whose master key did not wrap the stored one stops here,
    /// before it writes anything it could not read back.
    pub async fn load(store: &dyn crate::store::Shared, keyring: &Keyring) -> Result<NikKey> {
        let fresh = keyring.wrap(&DataKey::random(), CONTEXT);
        let stored = store.setting_or_init(SETTING, fresh.to_bytes()).await?;
        let wrapped = WrappedKey::from_bytes(&stored).ok_or_else(|| Error::Corrupt {
            table: "settings",
            id: SETTING.into(),
            field: "value",
        })?;
        match keyring.unwrap(&wrapped, CONTEXT) {
            Ok(key) => Ok(NikKey::from_data_key(&key)),
            Err(UnwrapError::UnknownKey(id)) => Err(Error::Config(format!(
                "SICANTIK_MASTER_KEY_FILE: this database's keys are wrapped by master key {id}, but this instance \
                 has {}: give every instance the same key (after `sicantik key rotate`, the new one, with the old \
                 one in SICANTIK_MASTER_KEY_PREVIOUS_FILE until the rotation is done)",
                keyring.ids().join(", ")
            ))),
            Err(UnwrapError::Forged) => Err(Error::Corrupt {
                table: "settings",
                id: SETTING.into(),
                field: "value",
            }),
        }
    }

    /// The keyed hash an identity number is found by (hex): the same number gives the same
    /// index, and without the key the index says nothing.
    pub fn index(&self, number: &str) -> String {
        ring::hmac::sign(&self.index, number.as_bytes())
            .as_ref()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// `number` sealed for `field`: a different text every time.
    pub fn seal(&self, field: Field, number: &str) -> String {
        use base64::Engine;
        let sealed = seal(&self.seal, field.aad(), number.as_bytes());
        format!(
            "{SEALED_PREFIX}{}",
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sealed)
        )
    }

    /// The number `sealed` holds, or `None` when it is not a seal of ours for `field`.
    pub fn open(&self, field: Field, sealed: &str) -> Option<String> {
        use base64::Engine;
        let body = sealed.strip_prefix(SEALED_PREFIX)?;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(body).ok()?;
        String::from_utf8(open(&self.seal, field.aad(), &bytes)?).ok()
    }

    /// An application's PEMOHON as stored: the identity number sealed.
    pub fn pemohon_json(&self, p: &Pemohon) -> Result<String> {
        let stored = StoredPemohon {
            nama: p.nama.clone(),
            identitas: None,
            identitas_sealed: Some(self.seal(Field::Pemohon, &p.identitas)),
            telepon: p.telepon.clone(),
            email: p.email.clone(),
            alamat: p.alamat.clone(),
        };
        serde_json::to_string(&stored).map_err(|e| Error::Internal(format!("cannot write JSON: {e}")))
    }

    /// PEMOHON read back: the sealed number opened, or one stored in clear before sealing
    /// (until `seal_legacy` has seen it). `None` when it does not parse or open.
    pub fn pemohon_from_json(&self, raw: &str) -> Option<Pemohon> {
        let stored: StoredPemohon = serde_json::from_str(raw).ok()?;
        let identitas = match (stored.identitas_sealed, stored.identitas) {
            (Some(sealed), _) => self.open(Field::Pemohon, &sealed)?,
            (None, Some(clear)) => clear,
            (None, None) => return None,
        };
        Some(Pemohon {
            nama: stored.nama,
            identitas,
            telepon: stored.telepon,
            email: stored.email,
            alamat: stored.alamat,
        })
    }

    /// PEMOHON JSON with its number in clear, sealed; `None` when it is sealed already or
    /// does not parse (left for the reader to report).
    pub fn seal_legacy_pemohon(&self, raw: &str) -> Option<String> {
        let stored: StoredPemohon = serde_json::from_str(raw).ok()?;
        if stored.identitas_sealed.is_some() {
            return None;
        }
        let p = self.pemohon_from_json(raw)?;
        self.pemohon_json(&p).ok()
    }
}

/// PEMOHON as the store writes it. `identitas` (in clear) is only ever read, from rows written
/// before identity numbers were sealed.
#[derive(Serialize, Deserialize)]
struct StoredPemohon {
    nama: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    identitas: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    identitas_sealed: Option<String>,
    telepon: String,
    email: String,
    alamat: String,
}
