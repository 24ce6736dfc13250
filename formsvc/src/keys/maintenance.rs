//! What `sicantik key rotate` and `sicantik key encrypt-documents` do. Both work in batches,
//! change each row only if it still holds what was read, and can be stopped and run again:
//! what is done stays done, and the next run picks up what is left.
//!
//! Rotation re-wraps keys, never documents: every document key and the NIK key are unwrapped
//! with the old master key and wrapped with the new one, so it costs a few database rows per
//! document, whatever the documents weigh.

use std::sync::Arc;

use super::nik::{CONTEXT as NIK_CONTEXT, SETTING as NIK_SETTING};
use super::{DataKey, Keyring, MasterKey, WrappedKey};
use crate::blob::{Blobs, PutError};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::store::{DynStore, Store};

/// Rows read and written per transaction.
pub const BATCH: i64 = 500;

/// What a rotation did.
#[derive(Debug, Default)]
pub struct RotateReport {
    /// Document keys now wrapped by the new master key.
    pub rewrapped: u64,
    /// Whether the NIK key had to be re-wrapped (false: it already was).
    pub nik_key_rewrapped: bool,
    /// Documents whose key neither key opens: `(id, why)`.
    pub failed: Vec<(i64, String)>,
    /// Documents per master key id afterwards (`None`: stored before encryption).
    pub by_key: Vec<(Option<String>, i64)>,
}

/// Re-wraps every key under `new`, unwrapping with `old` (or `new`, for what an earlier run
/// or an instance already using `new` wrapped).
pub async fn rotate(store: &dyn Store, old: &MasterKey, new: &MasterKey, batch: i64) -> Result<RotateReport> {
    let ring = Keyring::new(new.clone(), vec![old.clone()]);
    let new_id = ring.current_id().as_str().to_string();
    let mut report = RotateReport::default();

    let fresh = ring.wrap(&DataKey::random(), NIK_CONTEXT);
    let stored = store.setting_or_init(NIK_SETTING, fresh.to_bytes()).await?;
    let wrapped = WrappedKey::from_bytes(&stored).ok_or_else(|| Error::Corrupt {
        table: "settings",
        id: NIK_SETTING.into(),
        field: "value",
    })?;
    if wrapped.key_id != new_id {
        let key = ring
            .unwrap(&wrapped, NIK_CONTEXT)
            .map_err(|e| Error::Config(format!("--old: the NIK key does not open: {e}")))?;
        let rewrapped = ring.wrap(&key, NIK_CONTEXT);
        if !store
            .replace_setting(NIK_SETTING, &stored, rewrapped.to_bytes())
            .await?
        {
            return Err(Error::Internal(
                "the NIK key changed while it was being re-wrapped; run the rotation again".into(),
            ));
        }
        report.nik_key_rewrapped = true;
    }

    let mut after = 0;
    loop {
        let rows = store.documents_not_wrapped_by(&new_id, after, batch).await?;
        let Some(last) = rows.last() else { break };
        after = last.id;
        let mut changes = Vec::with_capacity(rows.len());
        for row in rows {
            let context = format!("document:{}", row.stored_name);
            match ring.unwrap(&row.key, &context) {
                Ok(key) => changes.push((row.id, row.key, ring.wrap(&key, &context))),
                Err(e) => report.failed.push((row.id, e.to_string())),
            }
        }
        report.rewrapped += store.rewrap_documents(changes).await?;
    }
    report.by_key = store.documents_by_key().await?;
    Ok(report)
}

/// What encrypting the documents stored before encryption did.
#[derive(Debug, Default)]
pub struct EncryptReport {
    pub encrypted: u64,
    /// Documents left as they are: `(id, why)`.
    pub failed: Vec<(i64, String)>,
}

/// Encrypts every document stored before encryption: each object is read, written again
/// encrypted under a new name and a new key, checked against the size and SHA-256 its row
/// recorded, and only then does the row name the new object and the old one go.
pub async fn encrypt_documents(store: &dyn Store, blobs: &Blobs, batch: i64) -> Result<EncryptReport> {
    let mut report = EncryptReport::default();
    let mut after = 0;
    loop {
        let docs = store.plain_documents(after, batch).await?;
        let Some(last) = docs.last() else { break };
        after = last.id;
        for doc in docs {
            let plain = match blobs.get(&doc.stored_name, None).await {
                Ok(s) => s,
                Err(e) => {
                    report
                        .failed
                        .push((doc.id, format!("cannot read {}: {e}", doc.stored_name)));
                    continue;
                }
            };
            let stored = match blobs.put_stream(plain, u64::MAX).await {
                Ok(s) => s,
                Err(PutError::Refused(e) | PutError::Store(e)) => {
                    report
                        .failed
                        .push((doc.id, format!("cannot encrypt {}: {e}", doc.stored_name)));
                    continue;
                }
                Err(PutError::TooLarge { .. }) => unreachable!("no limit was set"),
            };
            if stored.sha256 != doc.sha256 || stored.size as i64 != doc.size {
                blobs.delete(&stored.name).await?;
                report.failed.push((
                    doc.id,
                    format!(
                        "{} does not match the size and SHA-256 its row recorded: left as it is",
                        doc.stored_name
                    ),
                ));
                continue;
            }
            if store
                .document_encrypted(doc.id, &doc.stored_name, &stored.name, &stored.key)
                .await?
            {
                blobs.delete(&doc.stored_name).await?;
                report.encrypted += 1;
            } else {
                // Replaced or removed meanwhile: the new object is nobody's.
                blobs.delete(&stored.name).await?;
            }
        }
    }
    Ok(report)
}

/// The store and the document store as the service opens them, with `keys`.
pub async fn open(cfg: &Config, keys: Keyring) -> Result<(DynStore, Blobs)> {
    let keys = Arc::new(keys);
    let blobs = Blobs::open(&cfg.storage)?.with_keys(keys.clone());
    let (store, _) = crate::store::open(&cfg.database_url, cfg.database_pool, "localhost", &keys).await?;
    Ok((store, blobs))
}

/// `sicantik key rotate`: opens the configured database with both keys and rotates.
pub async fn rotate_configured(cfg: &Config, old: &MasterKey, new: &MasterKey) -> Result<RotateReport> {
    let (store, _) = open(cfg, Keyring::new(new.clone(), vec![old.clone()])).await?;
    rotate(store.as_ref(), old, new, BATCH).await
}

/// `sicantik key encrypt-documents`: with the configured master key.
pub async fn encrypt_configured(cfg: &Config) -> Result<EncryptReport> {
    let (store, blobs) = open(cfg, Keyring::from_config(cfg)?).await?;
    encrypt_documents(store.as_ref(), &blobs, BATCH).await
}
