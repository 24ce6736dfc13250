//! PERMOHONAN on SQLite: applications, their timeline, the officers' queue and Cek Status.
//! Documents are in `documents`, Ajukan and the officers' actions in `review`.

use async_trait::async_trait;
use generator::{ApplicantType, ApplicationKind};
use rusqlite::{OptionalExtension, Row, params};

use super::{SqliteStore, optional, record_event};
use crate::application::{Status, new_number};
use crate::error::{Error, Result};
use crate::keys::NikKey;
use crate::records::*;
use crate::store::{Applications, Compose, corrupt};

const APP_COLUMNS: &str = "id, nomor, applicant_id, permit_slug, permit_nama, instansi, unit, jenis_permohonan,
     tipe_pemohon, nib, pemohon_json, perusahaan_json, persyaratan_json, status, created_at, submitted_at,
     (SELECT coalesce(max(e.at), applications.created_at) FROM application_events e WHERE e.application_id = applications.id),
     (SELECT o.nama FROM officers o WHERE o.id = applications.handled_by),
     (SELECT max(e.at) FROM application_events e WHERE e.application_id = applications.id AND e.to_status = 'diproses'),
     (SELECT max(e.at) FROM application_events e WHERE e.application_id = applications.id AND e.to_status = 'selesai')";

/// The raw columns of an application row.
struct AppRow {
    id: i64,
    nomor: String,
    applicant_id: i64,
    permit_slug: String,
    permit_nama: String,
    instansi: String,
    unit: String,
    kind: String,
    who: String,
    nib: Option<String>,
    pemohon: String,
    perusahaan: Option<String>,
    persyaratan: String,
    status: String,
    created_at: i64,
    submitted_at: Option<i64>,
    status_since: i64,
    handled_by: Option<String>,
    verified_at: Option<i64>,
    finished_at: Option<i64>,
}

fn app_row(r: &Row<'_>) -> rusqlite::Result<AppRow> {
    Ok(AppRow {
        id: r.get(0)?,
        nomor: r.get(1)?,
        applicant_id: r.get(2)?,
        permit_slug: r.get(3)?,
        permit_nama: r.get(4)?,
        instansi: r.get(5)?,
        unit: r.get(6)?,
        kind: r.get(7)?,
        who: r.get(8)?,
        nib: r.get(9)?,
        pemohon: r.get(10)?,
        perusahaan: r.get(11)?,
        persyaratan: r.get(12)?,
        status: r.get(13)?,
        created_at: r.get(14)?,
        submitted_at: r.get(15)?,
        status_since: r.get(16)?,
        handled_by: r.get(17)?,
        verified_at: r.get(18)?,
        finished_at: r.get(19)?,
    })
}

impl AppRow {
    fn parse(self, nik: &NikKey) -> Result<ApplicationRecord> {
        let id = self.id;
        let bad = |field| corrupt("applications", id, field);
        Ok(ApplicationRecord {
            id,
            nomor: self.nomor,
            applicant_id: self.applicant_id,
            permit_slug: self.permit_slug,
            permit_nama: self.permit_nama,
            instansi: self.instansi,
            unit: self.unit,
            kind: ApplicationKind::from_word(&self.kind).ok_or_else(|| bad("jenis_permohonan"))?,
            who: ApplicantType::from_word(&self.who).ok_or_else(|| bad("tipe_pemohon"))?,
            nib: self.nib,
            pemohon: nik
                .pemohon_from_json(&self.pemohon)
                .ok_or_else(|| bad("pemohon_json"))?,
            perusahaan: self
                .perusahaan
                .map(|p| serde_json::from_str(&p))
                .transpose()
                .map_err(|_| bad("perusahaan_json"))?,
            persyaratan: serde_json::from_str(&self.persyaratan).map_err(|_| bad("persyaratan_json"))?,
            status: Status::parse(&self.status).ok_or_else(|| bad("status"))?,
            created_at: self.created_at,
            submitted_at: self.submitted_at,
            status_since: self.status_since,
            handled_by: self.handled_by,
            verified_at: self.verified_at,
            finished_at: self.finished_at,
        })
    }
}

fn parse_all(rows: Vec<AppRow>, nik: &NikKey) -> Result<Vec<ApplicationRecord>> {
    rows.into_iter().map(|r| r.parse(nik)).collect()
}

fn json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| Error::Internal(e.to_string()))
}

#[async_trait]
impl Applications for SqliteStore {
    async fn create_application(&self, new: NewApplication, now: i64) -> Result<String> {
        let pemohon = self.nik()?.pemohon_json(&new.pemohon)?;
        let perusahaan = new.perusahaan.as_ref().map(json).transpose()?;
        let persyaratan = json(&new.persyaratan)?;
        self.db
            .write(move |tx| {
                if let Some(n) = tx
                    .query_row(
                        "SELECT nomor FROM applications WHERE form_token = ?1 AND applicant_id = ?2",
                        params![new.form_token, new.applicant_id],
                        |r| r.get::<_, String>(0),
                    )
                    .optional()?
                {
                    return Ok(n);
                }
                let username: String =
                    tx.query_row("SELECT username FROM applicants WHERE id = ?1", [new.applicant_id], |r| r.get(0))?;
                // A clash of random numbers is unlikely; try a few before giving up.
                let mut nomor = new_number();
                for _ in 0..5 {
                    let taken: bool = tx.query_row(
                        "SELECT EXISTS(SELECT 1 FROM applications WHERE nomor = ?1)",
                        [&nomor],
                        |r| r.get(0),
                    )?;
                    if !taken {
                        break;
                    }
                    nomor = new_number();
                }
                tx.execute(
                    "INSERT INTO applications (nomor, form_token, applicant_id, permit_slug, permit_nama, instansi, unit,
                        jenis_permohonan, tipe_pemohon, nib, pemohon_json, perusahaan_json, persyaratan_json, status,
                        created_at, updated_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'draf', ?14, ?14)",
                    params![
                        nomor,
                        new.form_token,
                        new.applicant_id,
                        new.permit_slug,
                        new.permit_nama,
                        new.instansi,
                        new.unit,
                        new.kind.as_str(),
                        new.who.as_str(),
                        new.nib.as_ref().map(|n| n.as_str().to_string()),
                        pemohon,
                        perusahaan,
                        persyaratan,
                        now
                    ],
                )?;
                let id = tx.last_insert_rowid();
                let actor = Actor { kind: "pemohon", id: Some(new.applicant_id), label: username };
                record_event(tx, id, &actor, None, Status::Draf, None, now)?;
                super::review::applicant_audit(tx, id, "permohonan_dibuat", None, now)?;
                Ok(nomor)
            })
            .await
    }

    async fn application_of(&self, nomor: &str, applicant_id: i64) -> Result<Option<ApplicationRecord>> {
        let n = nomor.to_string();
        let row = self
            .db
            .read(move |c| {
                optional(c.query_row(
                    &format!("SELECT {APP_COLUMNS} FROM applications WHERE nomor = ?1 AND applicant_id = ?2"),
                    params![n, applicant_id],
                    app_row,
                ))
            })
            .await?;
        let nik = self.nik()?;
        row.map(|r| r.parse(&nik)).transpose()
    }

    async fn application(&self, nomor: &str) -> Result<Option<ApplicationRecord>> {
        let n = nomor.to_string();
        let row = self
            .db
            .read(move |c| {
                optional(c.query_row(
                    &format!("SELECT {APP_COLUMNS} FROM applications WHERE nomor = ?1"),
                    [n],
                    app_row,
                ))
            })
            .await?;
        let nik = self.nik()?;
        row.map(|r| r.parse(&nik)).transpose()
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
        let rows = self
            .db
            .read(move |c| {
                let mut stmt = c.prepare_cached(&format!(
                    "SELECT {APP_COLUMNS} FROM applications WHERE applicant_id = ?1 ORDER BY created_at DESC, id DESC"
                ))?;
                let rows = stmt
                    .query_map([applicant_id], app_row)?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows)
            })
            .await?;
        let nik = self.nik()?;
        parse_all(rows, &nik)
    }

    async fn documents(&self, application_id: i64) -> Result<Vec<DocumentRecord>> {
        self.documents_of(application_id).await
    }

    async fn timeline(&self, application_id: i64) -> Result<Vec<EventRecord>> {
        let rows = self
            .db
            .read(move |c| {
                let mut stmt = c.prepare_cached(
                    "SELECT id, at, actor_kind, actor_label, to_status, note FROM application_events
                     WHERE application_id = ?1 ORDER BY at, id",
                )?;
                let rows = stmt
                    .query_map([application_id], |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            r.get::<_, i64>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, String>(3)?,
                            r.get::<_, String>(4)?,
                            r.get::<_, Option<String>>(5)?,
                        ))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows)
            })
            .await?;
        rows.into_iter()
            .map(|(id, at, actor_kind, actor_label, to, note)| {
                Ok(EventRecord {
                    at,
                    actor_kind,
                    actor_label,
                    to_status: Status::parse(&to).ok_or_else(|| corrupt("application_events", id, "to_status"))?,
                    note,
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
        self.replace_document(application_id, applicant_id, doc, now).await
    }

    async fn remove_document(&self, application_id: i64, requirement_id: &str, now: i64) -> Result<Option<String>> {
        self.delete_document(application_id, requirement_id, now).await
    }

    async fn record_scan_refusal(&self, refusal: NewScanRefusal, now: i64) -> Result<()> {
        self.insert_scan_refusal(refusal, now).await
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

    async fn queue(&self, f: QueueFilter) -> Result<Vec<ApplicationRecord>> {
        let nik_hash = f
            .nik
            .as_deref()
            .map(|n| self.nik().map(|key| key.index(n)))
            .transpose()?;
        let rows = self
            .db
            .read(move |c| {
                // Every filter is a bound parameter; an empty one matches everything.
                let mut stmt = c.prepare_cached(&format!(
                    "SELECT {APP_COLUMNS} FROM applications
                     WHERE instansi = ?1 AND unit = ?2 AND status != 'draf'
                       AND (?3 IS NULL OR status = ?3)
                       AND (?4 IS NULL OR permit_slug = ?4)
                       AND (?5 IS NULL OR submitted_at >= ?5)
                       AND (?6 IS NULL OR submitted_at < ?6)
                       AND ((?7 = '' AND ?8 IS NULL) OR (?7 != '' AND (instr(lower(nomor), ?7) > 0
                            OR instr(lower(json_extract(pemohon_json, '$.nama')), ?7) > 0
                            OR instr(lower(coalesce(json_extract(perusahaan_json, '$.nama'), '')), ?7) > 0
                            OR instr(coalesce(nib, ''), ?7) > 0))
                            OR applicant_id IN (SELECT id FROM applicants WHERE nomor_identitas_hash = ?8))
                     ORDER BY submitted_at, id LIMIT 1000"
                ))?;
                let rows = stmt
                    .query_map(
                        params![
                            f.instansi,
                            f.unit,
                            f.status.map(Status::as_str),
                            f.permit_slug,
                            f.from,
                            f.to,
                            f.text,
                            nik_hash
                        ],
                        app_row,
                    )?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows)
            })
            .await?;
        let nik = self.nik()?;
        parse_all(rows, &nik)
    }

    async fn finished_between(
        &self,
        instansi: &str,
        unit: &str,
        from: i64,
        to: i64,
    ) -> Result<Vec<FinishedApplication>> {
        let (i, u) = (instansi.to_string(), unit.to_string());
        self.db
            .read(move |c| {
                // The latest move to `selesai` and to `diproses` of each application: an
                // application is finished once, so these are its finish and its verification.
                let mut stmt = c.prepare_cached(
                    "SELECT a.permit_slug, a.permit_nama,
                            (SELECT max(v.at) FROM application_events v WHERE v.application_id = a.id AND v.to_status = 'diproses'),
                            f.at
                     FROM applications a
                     JOIN (SELECT application_id, max(at) AS at FROM application_events WHERE to_status = 'selesai'
                           GROUP BY application_id) f ON f.application_id = a.id
                     WHERE a.instansi = ?1 AND a.unit = ?2 AND a.status = 'selesai' AND f.at >= ?3 AND f.at < ?4
                     ORDER BY f.at, a.id",
                )?;
                let rows = stmt
                    .query_map(params![i, u, from, to], |r| {
                        Ok(FinishedApplication {
                            permit_slug: r.get(0)?,
                            permit_nama: r.get(1)?,
                            verified_at: r.get(2)?,
                            finished_at: r.get(3)?,
                        })
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows)
            })
            .await
    }

    async fn waiting_count(&self, instansi: &str, unit: &str) -> Result<i64> {
        let (i, u) = (instansi.to_string(), unit.to_string());
        self.db
            .read(move |c| {
                Ok(c.query_row(
                    "SELECT count(*) FROM applications WHERE instansi = ?1 AND unit = ?2 AND status = 'diajukan'",
                    params![i, u],
                    |r| r.get(0),
                )?)
            })
            .await
    }

    async fn take_application(&self, application_id: i64, officer: &Officer, now: i64) -> Result<bool> {
        let o = officer.clone();
        self.db
            .write(move |tx| {
                let nomor: Option<String> = tx
                    .query_row(
                        "UPDATE applications SET handled_by = ?2
                         WHERE id = ?1 AND instansi = ?3 AND unit = ?4 AND status != 'draf' RETURNING nomor",
                        params![application_id, o.id, o.instansi, o.unit],
                        |r| r.get(0),
                    )
                    .optional()?;
                let Some(nomor) = nomor else {
                    return Ok(false);
                };
                let line = NewAudit {
                    instansi: o.instansi.clone(),
                    actor: Actor {
                        kind: "petugas",
                        id: Some(o.id),
                        label: o.username.clone(),
                    },
                    action: "permohonan_ditangani",
                    target: nomor,
                    detail: None,
                };
                super::audit(tx, &line, now)?;
                Ok(true)
            })
            .await
    }

    async fn queue_counts(&self, instansi: &str, unit: &str) -> Result<Vec<(Status, i64)>> {
        let (i, u) = (instansi.to_string(), unit.to_string());
        let rows: Vec<(String, i64)> = self
            .db
            .read(move |c| {
                let mut stmt = c.prepare_cached(
                    "SELECT status, count(*) FROM applications WHERE instansi = ?1 AND unit = ?2 AND status != 'draf'
                     GROUP BY status",
                )?;
                let rows = stmt
                    .query_map(params![i, u], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows)
            })
            .await?;
        rows.into_iter()
            .map(|(word, n)| {
                Ok((
                    Status::parse(&word).ok_or_else(|| corrupt("applications", &word, "status"))?,
                    n,
                ))
            })
            .collect()
    }

    async fn status_lookup(&self, nomor: &str, email_lower: &str, nik: &str) -> Result<Option<StatusLookup>> {
        // Only a NIK (16 digits) finds an application here, never a passport number.
        let k = (nik.len() == 16)
            .then(|| self.nik().map(|key| key.index(nik)))
            .transpose()?;
        let (n, e) = (nomor.to_string(), email_lower.to_string());
        let row = self
            .db
            .read(move |c| {
                optional(c.query_row(
                    "SELECT a.id, a.permit_nama, a.status FROM applications a JOIN applicants p ON p.id = a.applicant_id
                     WHERE a.nomor = ?1 AND a.status != 'draf'
                       AND (lower(p.email) = ?2 OR (?3 IS NOT NULL AND p.nomor_identitas_hash = ?3))",
                    params![n, e, k],
                    |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?)),
                ))
            })
            .await?;
        row.map(|(id, permit_nama, status)| {
            Ok(StatusLookup {
                id,
                permit_nama,
                status: Status::parse(&status).ok_or_else(|| corrupt("applications", id, "status"))?,
            })
        })
        .transpose()
    }

    async fn document_for_download(&self, alamat: &str) -> Result<Option<DownloadRecord>> {
        self.download_of(alamat).await
    }
}
