//! PERMOHONAN on PostgreSQL: applications, their documents and timeline, the officers' queue
//! and Cek Status. Ajukan and the officers' actions are in `review`.

use async_trait::async_trait;
use generator::{ApplicantType, ApplicationKind};
use tokio_postgres::Row;

use super::{PgStore, exec, json, known, one, record_event, row, rows, status};
use crate::application::{Status, new_number};
use crate::error::{Error, Result};
use crate::keys::NikKey;
use crate::records::*;
use crate::store::{Applications, Compose};

const APPLICATION_COLUMNS: &str = "id, nomor, applicant_id, permit_slug, permit_nama, instansi, unit, jenis_permohonan,
     tipe_pemohon, nib, pemohon_json, perusahaan_json, persyaratan_json, status, created_at, submitted_at,
     (SELECT coalesce(max(e.at), applications.created_at) FROM application_events e WHERE e.application_id = applications.id)
       AS status_since,
     (SELECT o.nama FROM officers o WHERE o.id = applications.handled_by) AS handled_by,
     (SELECT max(e.at) FROM application_events e WHERE e.application_id = applications.id AND e.to_status = 'diproses') AS verified_at,
     (SELECT max(e.at) FROM application_events e WHERE e.application_id = applications.id AND e.to_status = 'selesai') AS finished_at";

/// How many random numbers are tried before giving up (a clash is already unlikely).
const NUMBER_ATTEMPTS: usize = 5;

/// An application row, its words and JSON columns parsed.
fn application(r: &Row, nik: &NikKey) -> Result<ApplicationRecord> {
    const T: &str = "applications";
    let id: i64 = r.try_get("id")?;
    let perusahaan: Option<&str> = r.try_get("perusahaan_json")?;
    Ok(ApplicationRecord {
        id,
        nomor: r.try_get("nomor")?,
        applicant_id: r.try_get("applicant_id")?,
        permit_slug: r.try_get("permit_slug")?,
        permit_nama: r.try_get("permit_nama")?,
        instansi: r.try_get("instansi")?,
        unit: r.try_get("unit")?,
        kind: known(
            ApplicationKind::from_word(r.try_get("jenis_permohonan")?),
            T,
            id,
            "jenis_permohonan",
        )?,
        who: known(
            ApplicantType::from_word(r.try_get("tipe_pemohon")?),
            T,
            id,
            "tipe_pemohon",
        )?,
        nib: r.try_get("nib")?,
        pemohon: known(nik.pemohon_from_json(r.try_get("pemohon_json")?), T, id, "pemohon_json")?,
        perusahaan: perusahaan.map(|p| json(p, T, id, "perusahaan_json")).transpose()?,
        persyaratan: json(r.try_get("persyaratan_json")?, T, id, "persyaratan_json")?,
        status: status(r.try_get("status")?, T, id, "status")?,
        created_at: r.try_get("created_at")?,
        submitted_at: r.try_get("submitted_at")?,
        status_since: r.try_get("status_since")?,
        handled_by: r.try_get("handled_by")?,
        verified_at: r.try_get("verified_at")?,
        finished_at: r.try_get("finished_at")?,
    })
}

/// A document row's key: both columns or neither (stored before encryption).
pub(super) fn wrapped_key(r: &Row, id: i64) -> Result<Option<WrappedKey>> {
    match (r.try_get("key_id")?, r.try_get("wrapped_key")?) {
        (Some(key_id), Some(wrapped)) => Ok(Some(WrappedKey { key_id, wrapped })),
        (None, None) => Ok(None),
        _ => Err(crate::store::corrupt("documents", id, "wrapped_key")),
    }
}

fn document(r: &Row) -> Result<DocumentRecord> {
    Ok(DocumentRecord {
        id: r.try_get("id")?,
        requirement_id: r.try_get("requirement_id")?,
        stored_name: r.try_get("stored_name")?,
        original_name: r.try_get("original_name")?,
        content_type: r.try_get("content_type")?,
        size: r.try_get("size")?,
        sha256: r.try_get("sha256")?,
        uploaded_at: r.try_get("uploaded_at")?,
        catatan: r.try_get("catatan")?,
        catatan_dijawab: r.try_get("catatan_dijawab")?,
        alamat: r.try_get("alamat")?,
    })
}

fn to_json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| Error::Internal(format!("cannot write JSON: {e}")))
}

#[async_trait]
impl Applications for PgStore {
    async fn create_application(&self, new: NewApplication, now: i64) -> Result<String> {
        let pemohon = self.nik()?.pemohon_json(&new.pemohon)?;
        let perusahaan = new.perusahaan.as_ref().map(to_json).transpose()?;
        let persyaratan = to_json(&new.persyaratan)?;
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        const SAME_FORM: &str = "SELECT nomor FROM applications WHERE form_token = $1 AND applicant_id = $2";
        if let Some(r) = row(&tx, SAME_FORM, &[&new.form_token, &new.applicant_id]).await? {
            return Ok(r.try_get(0)?);
        }
        let Some(applicant) = row(
            &tx,
            "SELECT username FROM applicants WHERE id = $1",
            &[&new.applicant_id],
        )
        .await?
        else {
            return Err(Error::NotFound);
        };
        let username: String = applicant.try_get(0)?;
        for _ in 0..NUMBER_ATTEMPTS {
            let nomor = new_number();
            // Nothing is inserted when the number is taken, or when the same form is being
            // stored by a concurrent request (this insert waits for it to commit).
            let inserted = row(
                &tx,
                "INSERT INTO applications (nomor, form_token, applicant_id, permit_slug, permit_nama, instansi, unit,
                    jenis_permohonan, tipe_pemohon, nib, pemohon_json, perusahaan_json, persyaratan_json, status, created_at,
                    updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'draf', $14, $14)
                 ON CONFLICT DO NOTHING RETURNING id",
                &[
                    &nomor,
                    &new.form_token,
                    &new.applicant_id,
                    &new.permit_slug,
                    &new.permit_nama,
                    &new.instansi,
                    &new.unit,
                    &new.kind.as_str(),
                    &new.who.as_str(),
                    &new.nib.as_ref().map(|n| n.as_str()),
                    &pemohon,
                    &perusahaan,
                    &persyaratan,
                    &now,
                ],
            )
            .await?;
            if let Some(inserted) = inserted {
                let id: i64 = inserted.try_get(0)?;
                let actor = ("pemohon", Some(new.applicant_id), username.as_str());
                record_event(&tx, id, now, actor, (None, Status::Draf), None).await?;
                super::review::applicant_audit(&tx, id, "permohonan_dibuat", None, now).await?;
                tx.commit().await?;
                return Ok(nomor);
            }
            if let Some(r) = row(&tx, SAME_FORM, &[&new.form_token, &new.applicant_id]).await? {
                return Ok(r.try_get(0)?);
            }
        }
        Err(Error::Internal(format!(
            "no application stored after {NUMBER_ATTEMPTS} numbers (number clashes, or the form token is someone else's)"
        )))
    }

    async fn application_of(&self, nomor: &str, applicant_id: i64) -> Result<Option<ApplicationRecord>> {
        let c = self.client().await?;
        row(
            &c,
            &format!("SELECT {APPLICATION_COLUMNS} FROM applications WHERE nomor = $1 AND applicant_id = $2"),
            &[&nomor, &applicant_id],
        )
        .await?
        .as_ref()
        .map(|r| application(r, self.nik()?))
        .transpose()
    }

    async fn application(&self, nomor: &str) -> Result<Option<ApplicationRecord>> {
        let c = self.client().await?;
        row(
            &c,
            &format!("SELECT {APPLICATION_COLUMNS} FROM applications WHERE nomor = $1"),
            &[&nomor],
        )
        .await?
        .as_ref()
        .map(|r| application(r, self.nik()?))
        .transpose()
    }

    async fn update_application_details(
        &self,
        application_id: i64,
        applicant_id: i64,
        details: ApplicationDetails,
        now: i64,
    ) -> Result<()> {
        self.update_details(application_id, applicant_id, details, now).await
    }

    async fn applications_of(&self, applicant_id: i64) -> Result<Vec<ApplicationRecord>> {
        let c = self.client().await?;
        rows(
            &c,
            &format!(
                "SELECT {APPLICATION_COLUMNS} FROM applications WHERE applicant_id = $1 ORDER BY created_at DESC, id DESC"
            ),
            &[&applicant_id],
        )
        .await?
        .iter()
        .map(|r| application(r, self.nik()?))
        .collect()
    }

    async fn documents(&self, application_id: i64) -> Result<Vec<DocumentRecord>> {
        let c = self.client().await?;
        rows(
            &c,
            "SELECT id, requirement_id, stored_name, original_name, content_type, size, sha256, uploaded_at, catatan, alamat,
                catatan_dijawab
             FROM documents WHERE application_id = $1 ORDER BY id",
            &[&application_id],
        )
        .await?
        .iter()
        .map(document)
        .collect()
    }

    async fn timeline(&self, application_id: i64) -> Result<Vec<EventRecord>> {
        let c = self.client().await?;
        rows(
            &c,
            "SELECT id, at, actor_kind, actor_label, to_status, note FROM application_events
             WHERE application_id = $1 ORDER BY at, id",
            &[&application_id],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(EventRecord {
                at: r.try_get(1)?,
                actor_kind: r.try_get(2)?,
                actor_label: r.try_get(3)?,
                to_status: status(r.try_get(4)?, "application_events", r.try_get(0)?, "to_status")?,
                note: r.try_get(5)?,
            })
        })
        .collect()
    }

    async fn save_document(
        &self,
        application_id: i64,
        applicant_id: i64,
        doc: NewDocument,
        now: i64,
    ) -> Result<Option<String>> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        // Locked: an Ajukan or an officer's action waits for the document, or the document
        // for them, and then sees the status they left.
        let Some(app) = row(
            &tx,
            "SELECT status FROM applications WHERE id = $1 AND applicant_id = $2 FOR UPDATE",
            &[&application_id, &applicant_id],
        )
        .await?
        else {
            return Err(Error::Forbidden);
        };
        if !status(app.try_get(0)?, "applications", application_id, "status")?.editable() {
            return Err(Error::Forbidden);
        }
        let replaced = row(
            &tx,
            "DELETE FROM documents WHERE application_id = $1 AND requirement_id = $2 RETURNING stored_name, catatan",
            &[&application_id, &doc.requirement_id],
        )
        .await?;
        let catatan: Option<String> = replaced.as_ref().map(|r| r.try_get(1)).transpose()?.flatten();
        let old: Option<String> = replaced.map(|r| r.try_get(0)).transpose()?;
        // The officer's note moves to the new file, answered by it.
        exec(
            &tx,
            "INSERT INTO documents (application_id, requirement_id, stored_name, original_name, content_type, size, sha256,
                uploaded_at, key_id, wrapped_key, alamat, catatan, catatan_dijawab)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::text, $12::text IS NOT NULL)",
            &[
                &application_id,
                &doc.requirement_id,
                &doc.stored_name,
                &doc.original_name,
                &doc.content_type,
                &doc.size,
                &doc.sha256,
                &now,
                &doc.key.key_id,
                &doc.key.wrapped,
                &doc.alamat,
                &catatan,
            ],
        )
        .await?;
        exec(
            &tx,
            "UPDATE applications SET updated_at = $2 WHERE id = $1",
            &[&application_id, &now],
        )
        .await?;
        let action = if old.is_some() {
            "dokumen_diganti"
        } else {
            "dokumen_diunggah"
        };
        super::review::applicant_audit(&tx, application_id, action, Some(&doc.requirement_id), now).await?;
        tx.commit().await?;
        Ok(old)
    }

    async fn remove_document(&self, application_id: i64, requirement_id: &str, now: i64) -> Result<Option<String>> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        // Locked and checked as on SQLite: an application submitted meanwhile keeps its documents.
        let Some(app) = row(
            &tx,
            "SELECT status FROM applications WHERE id = $1 FOR UPDATE",
            &[&application_id],
        )
        .await?
        else {
            return Err(Error::Forbidden);
        };
        if !status(app.try_get(0)?, "applications", application_id, "status")?.editable() {
            return Err(Error::Forbidden);
        }
        let old = row(
            &tx,
            "DELETE FROM documents WHERE application_id = $1 AND requirement_id = $2 RETURNING stored_name",
            &[&application_id, &requirement_id],
        )
        .await?
        .map(|r| r.try_get(0))
        .transpose()?;
        if old.is_some() {
            super::review::applicant_audit(&tx, application_id, "dokumen_dihapus", Some(requirement_id), now).await?;
        }
        tx.commit().await?;
        Ok(old)
    }

    async fn record_scan_refusal(&self, r: NewScanRefusal, now: i64) -> Result<()> {
        let c = self.client().await?;
        exec(
            &c,
            "INSERT INTO scan_refusals (at, application_id, requirement_id, requirement, outcome, detail)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &now,
                &r.application_id,
                &r.requirement_id,
                &r.requirement,
                &r.outcome.as_str(),
                &r.detail,
            ],
        )
        .await?;
        Ok(())
    }

    async fn submit_application(
        &self,
        application_id: i64,
        applicant_id: i64,
        now: i64,
        compose: Compose<Submitted>,
    ) -> Result<()> {
        self.submit(application_id, applicant_id, now, compose).await
    }

    async fn review(
        &self,
        application_id: i64,
        officer: &Officer,
        action: ReviewAction,
        now: i64,
        compose: Compose<Recipient>,
    ) -> Result<bool> {
        self.act(application_id, officer, action, now, compose).await
    }

    async fn queue(&self, filter: QueueFilter) -> Result<Vec<ApplicationRecord>> {
        let nik_hash = filter
            .nik
            .as_deref()
            .map(|n| self.nik().map(|key| key.index(n)))
            .transpose()?;
        let c = self.client().await?;
        // Every filter is a bound parameter; an empty one matches everything. The text is
        // found as it is typed (strpos: no LIKE wildcards).
        rows(
            &c,
            &format!(
                "SELECT {APPLICATION_COLUMNS} FROM applications
                 WHERE instansi = $1 AND unit = $2 AND status != 'draf'
                   AND ($3::text IS NULL OR status = $3::text)
                   AND ($4::text IS NULL OR permit_slug = $4::text)
                   AND ($5::bigint IS NULL OR submitted_at >= $5::bigint)
                   AND ($6::bigint IS NULL OR submitted_at < $6::bigint)
                   AND (($7::text = '' AND $8::text IS NULL) OR ($7::text != '' AND (strpos(lower(nomor), $7::text) > 0
                        OR strpos(lower(pemohon_json::jsonb ->> 'nama'), $7::text) > 0
                        OR strpos(lower(coalesce(perusahaan_json::jsonb ->> 'nama', '')), $7::text) > 0
                        OR strpos(coalesce(nib, ''), $7::text) > 0))
                        OR applicant_id IN (SELECT id FROM applicants WHERE nomor_identitas_hash = $8::text))
                 ORDER BY submitted_at, id LIMIT 1000"
            ),
            &[
                &filter.instansi,
                &filter.unit,
                &filter.status.map(Status::as_str),
                &filter.permit_slug,
                &filter.from,
                &filter.to,
                &filter.text,
                &nik_hash,
            ],
        )
        .await?
        .iter()
        .map(|r| application(r, self.nik()?))
        .collect()
    }

    async fn finished_between(
        &self,
        instansi: &str,
        unit: &str,
        from: i64,
        to: i64,
    ) -> Result<Vec<FinishedApplication>> {
        let c = self.client().await?;
        // The latest move to `selesai` and to `diproses` of each application: an application
        // is finished once, so these are its finish and its verification.
        rows(
            &c,
            "SELECT a.permit_slug, a.permit_nama,
                    (SELECT max(v.at) FROM application_events v WHERE v.application_id = a.id AND v.to_status = 'diproses')
                      AS verified_at,
                    f.at AS finished_at
             FROM applications a
             JOIN (SELECT application_id, max(at) AS at FROM application_events WHERE to_status = 'selesai'
                   GROUP BY application_id) f ON f.application_id = a.id
             WHERE a.instansi = $1 AND a.unit = $2 AND a.status = 'selesai' AND f.at >= $3 AND f.at < $4
             ORDER BY f.at, a.id",
            &[&instansi, &unit, &from, &to],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(FinishedApplication {
                permit_slug: r.try_get("permit_slug")?,
                permit_nama: r.try_get("permit_nama")?,
                verified_at: r.try_get("verified_at")?,
                finished_at: r.try_get("finished_at")?,
            })
        })
        .collect()
    }

    async fn waiting_count(&self, instansi: &str, unit: &str) -> Result<i64> {
        let c = self.client().await?;
        Ok(one(
            &c,
            "SELECT count(*) FROM applications WHERE instansi = $1 AND unit = $2 AND status = 'diajukan'",
            &[&instansi, &unit],
        )
        .await?
        .try_get(0)?)
    }

    async fn take_application(&self, application_id: i64, officer: &Officer, now: i64) -> Result<bool> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let Some(r) = row(
            &tx,
            "UPDATE applications SET handled_by = $2
             WHERE id = $1 AND instansi = $3 AND unit = $4 AND status != 'draf' RETURNING nomor",
            &[&application_id, &officer.id, &officer.instansi, &officer.unit],
        )
        .await?
        else {
            return Ok(false);
        };
        let nomor: String = r.try_get(0)?;
        let line = super::Audit {
            instansi: &officer.instansi,
            actor_kind: "petugas",
            actor_id: Some(officer.id),
            actor_label: &officer.username,
            action: "permohonan_ditangani",
            target: &nomor,
            detail: None,
        };
        super::audit(&tx, now, line).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn queue_counts(&self, instansi: &str, unit: &str) -> Result<Vec<(Status, i64)>> {
        let c = self.client().await?;
        rows(
            &c,
            "SELECT status, count(*) FROM applications WHERE instansi = $1 AND unit = $2 AND status != 'draf'
             GROUP BY status",
            &[&instansi, &unit],
        )
        .await?
        .iter()
        .map(|r| {
            let word: String = r.try_get(0)?;
            let status = Status::parse(&word).ok_or_else(|| crate::store::corrupt("applications", &word, "status"))?;
            Ok((status, r.try_get(1)?))
        })
        .collect()
    }

    async fn status_lookup(&self, nomor: &str, email_lower: &str, nik: &str) -> Result<Option<StatusLookup>> {
        // Only a NIK (16 digits) finds an application here, never a passport number.
        let index = (nik.len() == 16)
            .then(|| self.nik().map(|key| key.index(nik)))
            .transpose()?;
        let c = self.client().await?;
        let found = row(
            &c,
            "SELECT a.id, a.permit_nama, a.status FROM applications a JOIN applicants p ON p.id = a.applicant_id
             WHERE a.nomor = $1 AND a.status != 'draf'
               AND (lower(p.email) = $2::text OR ($3::text IS NOT NULL AND p.nomor_identitas_hash = $3::text))",
            &[&nomor, &email_lower, &index],
        )
        .await?;
        found
            .map(|r| {
                let id: i64 = r.try_get(0)?;
                Ok(StatusLookup {
                    id,
                    permit_nama: r.try_get(1)?,
                    status: status(r.try_get(2)?, "applications", id, "status")?,
                })
            })
            .transpose()
    }

    async fn document_for_download(&self, alamat: &str) -> Result<Option<DownloadRecord>> {
        let c = self.client().await?;
        let found = row(
            &c,
            "SELECT d.stored_name, d.original_name, d.content_type, a.applicant_id, a.instansi, a.unit, a.status, a.id,
                d.size, d.key_id, d.wrapped_key, d.id AS document_id, d.requirement_id
             FROM documents d JOIN applications a ON a.id = d.application_id WHERE d.alamat = $1",
            &[&alamat],
        )
        .await?;
        found
            .map(|r| {
                let id: i64 = r.try_get("document_id")?;
                Ok(DownloadRecord {
                    id,
                    stored_name: r.try_get(0)?,
                    original_name: r.try_get(1)?,
                    content_type: r.try_get(2)?,
                    size: r.try_get("size")?,
                    key: wrapped_key(&r, id)?,
                    applicant_id: r.try_get(3)?,
                    instansi: r.try_get(4)?,
                    unit: r.try_get(5)?,
                    status: status(r.try_get(6)?, "applications", r.try_get(7)?, "status")?,
                    application_id: r.try_get(7)?,
                    requirement_id: r.try_get("requirement_id")?,
                })
            })
            .transpose()
    }
}
