//! Key maintenance on PostgreSQL: document keys to re-wrap, documents stored before
//! encryption, and identity numbers stored before sealing. Every change is conditional on
//! the row still holding what was read, so several instances (or a rotation beside running
//! instances) never undo each other's work.

use async_trait::async_trait;

use super::applications::wrapped_key;
use super::{PgStore, exec, rows};
use crate::error::Result;
use crate::keys::nik::Field;
use crate::records::{DocumentKeyRow, PlainDocument, WrappedKey};
use crate::store::{Keys, corrupt};

/// Rows sealed per transaction.
const SEAL_BATCH: i64 = 500;

#[async_trait]
impl Keys for PgStore {
    async fn documents_not_wrapped_by(&self, key_id: &str, after: i64, limit: i64) -> Result<Vec<DocumentKeyRow>> {
        let c = self.client().await?;
        rows(
            &c,
            "SELECT id, stored_name, key_id, wrapped_key FROM documents
             WHERE key_id IS NOT NULL AND key_id != $1 AND id > $2 ORDER BY id LIMIT $3",
            &[&key_id, &after, &limit],
        )
        .await?
        .iter()
        .map(|r| {
            let id: i64 = r.try_get("id")?;
            Ok(DocumentKeyRow {
                id,
                stored_name: r.try_get("stored_name")?,
                key: wrapped_key(r, id)?.ok_or_else(|| corrupt("documents", id, "wrapped_key"))?,
            })
        })
        .collect()
    }

    async fn rewrap_documents(&self, changes: Vec<(i64, WrappedKey, WrappedKey)>) -> Result<u64> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let mut changed = 0;
        for (id, old, new) in &changes {
            changed += exec(
                &tx,
                "UPDATE documents SET key_id = $2, wrapped_key = $3 WHERE id = $1 AND key_id = $4 AND wrapped_key = $5",
                &[id, &new.key_id, &new.wrapped, &old.key_id, &old.wrapped],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(changed)
    }

    async fn plain_documents(&self, after: i64, limit: i64) -> Result<Vec<PlainDocument>> {
        let c = self.client().await?;
        rows(
            &c,
            "SELECT id, stored_name, size, sha256 FROM documents WHERE key_id IS NULL AND id > $1 ORDER BY id LIMIT $2",
            &[&after, &limit],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(PlainDocument {
                id: r.try_get(0)?,
                stored_name: r.try_get(1)?,
                size: r.try_get(2)?,
                sha256: r.try_get(3)?,
            })
        })
        .collect()
    }

    async fn document_encrypted(&self, id: i64, old_name: &str, new_name: &str, key: &WrappedKey) -> Result<bool> {
        let c = self.client().await?;
        let n = exec(
            &c,
            "UPDATE documents SET stored_name = $3, key_id = $4, wrapped_key = $5
             WHERE id = $1 AND stored_name = $2 AND key_id IS NULL",
            &[&id, &old_name, &new_name, &key.key_id, &key.wrapped],
        )
        .await?;
        Ok(n == 1)
    }

    async fn documents_by_key(&self) -> Result<Vec<(Option<String>, i64)>> {
        let c = self.client().await?;
        rows(
            &c,
            "SELECT key_id, count(*) FROM documents GROUP BY key_id ORDER BY key_id",
            &[],
        )
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
    }

    async fn replace_setting(&self, name: &str, old: &[u8], new: Vec<u8>) -> Result<bool> {
        let c = self.client().await?;
        let n = exec(
            &c,
            "UPDATE settings SET value = $3 WHERE name = $1 AND value = $2",
            &[&name, &old, &new],
        )
        .await?;
        Ok(n == 1)
    }

    async fn seal_identities(&self) -> Result<u64> {
        let nik = self.nik()?;
        let mut sealed = 0;
        // Applicants: a row without the hash holds its number in clear.
        loop {
            let mut c = self.client().await?;
            let tx = c.transaction().await?;
            let found = rows(
                &tx,
                "SELECT id, nomor_identitas FROM applicants WHERE nomor_identitas_hash IS NULL ORDER BY id LIMIT $1
                 FOR UPDATE SKIP LOCKED",
                &[&SEAL_BATCH],
            )
            .await?;
            for r in &found {
                let (id, clear): (i64, String) = (r.try_get(0)?, r.try_get(1)?);
                exec(
                    &tx,
                    "UPDATE applicants SET nomor_identitas = $2, nomor_identitas_hash = $3 WHERE id = $1",
                    &[&id, &nik.seal(Field::Applicant, &clear), &nik.index(&clear)],
                )
                .await?;
            }
            tx.commit().await?;
            sealed += found.len() as u64;
            if (found.len() as i64) < SEAL_BATCH {
                break;
            }
        }
        // Applications: a PEMOHON without `identitas_sealed` holds its number in clear. One
        // that does not parse is left for its reader to report (`Error::Corrupt`); the test is
        // on the text, so such a row cannot stop the start either.
        let mut after = 0i64;
        loop {
            let mut c = self.client().await?;
            let tx = c.transaction().await?;
            let found = rows(
                &tx,
                "SELECT id, pemohon_json FROM applications
                 WHERE id > $1 AND strpos(pemohon_json, '\"identitas_sealed\"') = 0 ORDER BY id LIMIT $2
                 FOR UPDATE SKIP LOCKED",
                &[&after, &SEAL_BATCH],
            )
            .await?;
            for r in &found {
                let (id, raw): (i64, String) = (r.try_get(0)?, r.try_get(1)?);
                after = after.max(id);
                if let Some(new) = nik.seal_legacy_pemohon(&raw) {
                    sealed += exec(
                        &tx,
                        "UPDATE applications SET pemohon_json = $2 WHERE id = $1",
                        &[&id, &new],
                    )
                    .await?;
                }
            }
            tx.commit().await?;
            if (found.len() as i64) < SEAL_BATCH {
                break;
            }
        }
        Ok(sealed)
    }
}
