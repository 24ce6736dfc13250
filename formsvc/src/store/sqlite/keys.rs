//! Key maintenance on SQLite: document keys to re-wrap, documents stored before encryption,
//! and identity numbers stored before sealing.

use async_trait::async_trait;
use rusqlite::params;

use super::SqliteStore;
use super::documents::wrapped_key;
use crate::error::Result;
use crate::keys::nik::Field;
use crate::records::{DocumentKeyRow, PlainDocument, WrappedKey};
use crate::store::{Keys, corrupt};

/// Rows sealed per write transaction.
const SEAL_BATCH: i64 = 500;

#[async_trait]
impl Keys for SqliteStore {
    async fn documents_not_wrapped_by(&self, key_id: &str, after: i64, limit: i64) -> Result<Vec<DocumentKeyRow>> {
        let k = key_id.to_string();
        let rows = self
            .db
            .read(move |c| {
                let mut stmt = c.prepare_cached(
                    "SELECT id, stored_name, key_id, wrapped_key FROM documents
                     WHERE key_id IS NOT NULL AND key_id != ?1 AND id > ?2 ORDER BY id LIMIT ?3",
                )?;
                let rows = stmt
                    .query_map(params![k, after, limit], |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, Option<String>>(2)?,
                            r.get::<_, Option<String>>(3)?,
                        ))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows)
            })
            .await?;
        rows.into_iter()
            .map(|(id, stored_name, key_id, wrapped)| {
                let key = wrapped_key(id, key_id, wrapped)?.ok_or_else(|| corrupt("documents", id, "wrapped_key"))?;
                Ok(DocumentKeyRow { id, stored_name, key })
            })
            .collect()
    }

    async fn rewrap_documents(&self, changes: Vec<(i64, WrappedKey, WrappedKey)>) -> Result<u64> {
        self.db
            .write(move |tx| {
                let mut changed = 0;
                for (id, old, new) in &changes {
                    changed += tx.execute(
                        "UPDATE documents SET key_id = ?2, wrapped_key = ?3
                         WHERE id = ?1 AND key_id = ?4 AND wrapped_key = ?5",
                        params![id, new.key_id, new.wrapped, old.key_id, old.wrapped],
                    )? as u64;
                }
                Ok(changed)
            })
            .await
    }

    async fn plain_documents(&self, after: i64, limit: i64) -> Result<Vec<PlainDocument>> {
        self.db
            .read(move |c| {
                let mut stmt = c.prepare_cached(
                    "SELECT id, stored_name, size, sha256 FROM documents
                     WHERE key_id IS NULL AND id > ?1 ORDER BY id LIMIT ?2",
                )?;
                let rows = stmt
                    .query_map(params![after, limit], |r| {
                        Ok(PlainDocument {
                            id: r.get(0)?,
                            stored_name: r.get(1)?,
                            size: r.get(2)?,
                            sha256: r.get(3)?,
                        })
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows)
            })
            .await
    }

    async fn document_encrypted(&self, id: i64, old_name: &str, new_name: &str, key: &WrappedKey) -> Result<bool> {
        let (old, new, key) = (old_name.to_string(), new_name.to_string(), key.clone());
        self.db
            .write(move |tx| {
                Ok(tx.execute(
                    "UPDATE documents SET stored_name = ?3, key_id = ?4, wrapped_key = ?5
                     WHERE id = ?1 AND stored_name = ?2 AND key_id IS NULL",
                    params![id, old, new, key.key_id, key.wrapped],
                )? == 1)
            })
            .await
    }

    async fn documents_by_key(&self) -> Result<Vec<(Option<String>, i64)>> {
        self.db
            .read(|c| {
                let mut stmt = c.prepare("SELECT key_id, count(*) FROM documents GROUP BY key_id ORDER BY key_id")?;
                let rows = stmt
                    .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows)
            })
            .await
    }

    async fn replace_setting(&self, name: &str, old: &[u8], new: Vec<u8>) -> Result<bool> {
        let (n, old) = (name.to_string(), old.to_vec());
        self.db
            .write(move |tx| {
                Ok(tx.execute(
                    "UPDATE settings SET value = ?3 WHERE name = ?1 AND value = ?2",
                    params![n, old, new],
                )? == 1)
            })
            .await
    }

    async fn seal_identities(&self) -> Result<u64> {
        let nik = self.nik()?;
        let mut sealed = 0;
        // Applicants: a row without the hash holds its number in clear.
        loop {
            let nik = nik.clone();
            let n = self
                .db
                .write(move |tx| {
                    let mut stmt = tx.prepare_cached(
                        "SELECT id, nomor_identitas FROM applicants WHERE nomor_identitas_hash IS NULL ORDER BY id LIMIT ?1",
                    )?;
                    let rows = stmt
                        .query_map([SEAL_BATCH], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))?
                        .collect::<rusqlite::Result<Vec<_>>>()?;
                    for (id, clear) in &rows {
                        tx.execute(
                            "UPDATE applicants SET nomor_identitas = ?2, nomor_identitas_hash = ?3
                             WHERE id = ?1 AND nomor_identitas_hash IS NULL",
                            params![id, nik.seal(Field::Applicant, clear), nik.index(clear)],
                        )?;
                    }
                    Ok(rows.len() as u64)
                })
                .await?;
            sealed += n;
            if n < SEAL_BATCH as u64 {
                break;
            }
        }
        // Applications: a PEMOHON without `identitas_sealed` holds its number in clear. One
        // that does not parse is left for its reader to report (`Error::Corrupt`); the test is
        // on the text, so such a row cannot stop the start either.
        let mut after = 0;
        loop {
            let nik = nik.clone();
            let (n, last, done) = self
                .db
                .write(move |tx| {
                    let mut stmt = tx.prepare_cached(
                        "SELECT id, pemohon_json FROM applications
                         WHERE id > ?1 AND instr(pemohon_json, '\"identitas_sealed\"') = 0
                         ORDER BY id LIMIT ?2",
                    )?;
                    let rows = stmt
                        .query_map(params![after, SEAL_BATCH], |r| {
                            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
                        })?
                        .collect::<rusqlite::Result<Vec<_>>>()?;
                    let mut n = 0;
                    for (id, raw) in &rows {
                        if let Some(new) = nik.seal_legacy_pemohon(raw) {
                            n += tx.execute(
                                "UPDATE applications SET pemohon_json = ?2 WHERE id = ?1 AND pemohon_json = ?3",
                                params![id, new, raw],
                            )? as u64;
                        }
                    }
                    let last = rows.last().map_or(after, |(id, _)| *id);
                    Ok((n, last, rows.len() < SEAL_BATCH as usize))
                })
                .await?;
            sealed += n;
            after = last;
            if done {
                break;
            }
        }
        Ok(sealed)
    }
}
