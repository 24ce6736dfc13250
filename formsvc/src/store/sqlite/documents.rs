//! DOKUMEN on SQLite: an application's documents, replacing or removing one while the
//! application is still the applicant's to edit, what decides who may download one, and the
//! uploads the virus scanner refused.

use rusqlite::{OptionalExtension, params};

use super::review::applicant_audit;
use super::{SqliteStore, optional, status_of};
use crate::application::Status;
use crate::error::{Error, Result};
use crate::records::{DocumentRecord, DownloadRecord, NewDocument, NewScanRefusal, WrappedKey};
use crate::store::corrupt;

impl SqliteStore {
    /// `Applications::documents`.
    pub(super) async fn documents_of(&self, application_id: i64) -> Result<Vec<DocumentRecord>> {
        self.db
            .read(move |c| {
                let mut stmt = c.prepare_cached(
                    "SELECT id, requirement_id, stored_name, original_name, content_type, size, sha256, uploaded_at, catatan, alamat,
                        catatan_dijawab
                     FROM documents WHERE application_id = ?1 ORDER BY id",
                )?;
                let rows = stmt
                    .query_map([application_id], |r| {
                        Ok(DocumentRecord {
                            id: r.get(0)?,
                            requirement_id: r.get(1)?,
                            stored_name: r.get(2)?,
                            original_name: r.get(3)?,
                            content_type: r.get(4)?,
                            size: r.get(5)?,
                            sha256: r.get(6)?,
                            uploaded_at: r.get(7)?,
                            catatan: r.get(8)?,
                            alamat: r.get(9)?,
                            catatan_dijawab: r.get(10)?,
                        })
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows)
            })
            .await
    }

    /// `Applications::save_document`.
    pub(super) async fn replace_document(
        &self,
        application_id: i64,
        applicant_id: i64,
        doc: NewDocument,
        now: i64,
    ) -> Result<Option<String>> {
        self.db
            .write(move |tx| {
                let owner: Option<i64> = tx
                    .query_row("SELECT applicant_id FROM applications WHERE id = ?1", [application_id], |r| r.get(0))
                    .optional()?;
                if owner != Some(applicant_id) || !status_of(tx, application_id)?.editable() {
                    return Err(Error::Forbidden);
                }
                let old: Option<(String, Option<String>)> = tx
                    .query_row(
                        "SELECT stored_name, catatan FROM documents WHERE application_id = ?1 AND requirement_id = ?2",
                        params![application_id, doc.requirement_id],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .optional()?;
                let (old, catatan) = old.map_or((None, None), |(name, note)| (Some(name), note));
                tx.execute(
                    "DELETE FROM documents WHERE application_id = ?1 AND requirement_id = ?2",
                    params![application_id, doc.requirement_id],
                )?;
                // The officer's note moves to the new file, answered by it.
                tx.execute(
                    "INSERT INTO documents (application_id, requirement_id, stored_name, original_name, content_type, size,
                        sha256, uploaded_at, key_id, wrapped_key, alamat, catatan, catatan_dijawab)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?12 IS NOT NULL)",
                    params![
                        application_id,
                        doc.requirement_id,
                        doc.stored_name,
                        doc.original_name,
                        doc.content_type,
                        doc.size,
                        doc.sha256,
                        now,
                        doc.key.key_id,
                        doc.key.wrapped,
                        doc.alamat,
                        catatan
                    ],
                )?;
                tx.execute("UPDATE applications SET updated_at = ?2 WHERE id = ?1", params![application_id, now])?;
                let action = if old.is_some() { "dokumen_diganti" } else { "dokumen_diunggah" };
                applicant_audit(tx, application_id, action, Some(&doc.requirement_id), now)?;
                Ok(old)
            })
            .await
    }

    /// `Applications::remove_document`.
    pub(super) async fn delete_document(
        &self,
        application_id: i64,
        requirement_id: &str,
        now: i64,
    ) -> Result<Option<String>> {
        let req = requirement_id.to_string();
        self.db
            .write(move |tx| {
                if !status_of(tx, application_id)?.editable() {
                    return Err(Error::Forbidden);
                }
                let old: Option<String> = tx
                    .query_row(
                        "SELECT stored_name FROM documents WHERE application_id = ?1 AND requirement_id = ?2",
                        params![application_id, req],
                        |r| r.get(0),
                    )
                    .optional()?;
                tx.execute(
                    "DELETE FROM documents WHERE application_id = ?1 AND requirement_id = ?2",
                    params![application_id, req],
                )?;
                if old.is_some() {
                    applicant_audit(tx, application_id, "dokumen_dihapus", Some(&req), now)?;
                }
                Ok(old)
            })
            .await
    }

    /// `Applications::document_for_download`.
    pub(super) async fn download_of(&self, alamat: &str) -> Result<Option<DownloadRecord>> {
        struct Raw {
            id: i64,
            stored_name: String,
            original_name: String,
            content_type: String,
            size: i64,
            key_id: Option<String>,
            wrapped_key: Option<String>,
            applicant_id: i64,
            instansi: String,
            unit: String,
            status: String,
            app_id: i64,
            requirement_id: String,
        }
        let alamat = alamat.to_string();
        let row = self
            .db
            .read(move |c| {
                optional(c.query_row(
                    "SELECT d.stored_name, d.original_name, d.content_type, d.size, d.key_id, d.wrapped_key,
                        a.applicant_id, a.instansi, a.unit, a.status, a.id, d.id, d.requirement_id
                     FROM documents d JOIN applications a ON a.id = d.application_id WHERE d.alamat = ?1",
                    [alamat],
                    |r| {
                        Ok(Raw {
                            stored_name: r.get(0)?,
                            original_name: r.get(1)?,
                            content_type: r.get(2)?,
                            size: r.get(3)?,
                            key_id: r.get(4)?,
                            wrapped_key: r.get(5)?,
                            applicant_id: r.get(6)?,
                            instansi: r.get(7)?,
                            unit: r.get(8)?,
                            status: r.get(9)?,
                            app_id: r.get(10)?,
                            id: r.get(11)?,
                            requirement_id: r.get(12)?,
                        })
                    },
                ))
            })
            .await?;
        row.map(|r| {
            Ok(DownloadRecord {
                id: r.id,
                key: wrapped_key(r.id, r.key_id, r.wrapped_key)?,
                stored_name: r.stored_name,
                original_name: r.original_name,
                content_type: r.content_type,
                size: r.size,
                applicant_id: r.applicant_id,
                instansi: r.instansi,
                unit: r.unit,
                status: Status::parse(&r.status).ok_or_else(|| corrupt("applications", r.app_id, "status"))?,
                application_id: r.app_id,
                requirement_id: r.requirement_id,
            })
        })
        .transpose()
    }

    /// `Applications::record_scan_refusal`.
    pub(super) async fn insert_scan_refusal(&self, r: NewScanRefusal, now: i64) -> Result<()> {
        self.db
            .write(move |tx| {
                tx.execute(
                    "INSERT INTO scan_refusals (at, application_id, requirement_id, requirement, outcome, detail)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![
                        now,
                        r.application_id,
                        r.requirement_id,
                        r.requirement,
                        r.outcome.as_str(),
                        r.detail
                    ],
                )?;
                Ok(())
            })
            .await
    }
}

/// A document row's key: both columns or neither (stored before encryption).
pub(super) fn wrapped_key(id: i64, key_id: Option<String>, wrapped: Option<String>) -> Result<Option<WrappedKey>> {
    match (key_id, wrapped) {
        (Some(key_id), Some(wrapped)) => Ok(Some(WrappedKey { key_id, wrapped })),
        (None, None) => Ok(None),
        _ => Err(corrupt("documents", id, "wrapped_key")),
    }
}
