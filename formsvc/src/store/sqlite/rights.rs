//! The rights that go through an officer, on SQLite: deletion (the applicant's request, an
//! officer's processing) and the correction of name or identity number; each change one write
//! job with its audit line and emails.

use async_trait::async_trait;
use rusqlite::{Transaction, params};

use super::retention::{erase_application, forget_applicant};
use super::{SqliteStore, audit, enqueue, optional};
use crate::error::Result;
use crate::keys::NikKey;
use crate::keys::nik::Field;
use crate::records::*;
use crate::store::{Compose, Rights, corrupt};

fn request_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<(i64, String, i64)> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?))
}

fn request((id, status, requested_at): (i64, String, i64)) -> Result<DeletionRequest> {
    Ok(DeletionRequest {
        id,
        status: DeletionStatus::parse(&status).ok_or_else(|| corrupt("deletion_requests", id, "status"))?,
        requested_at,
    })
}

fn latest(tx: &rusqlite::Connection, applicant_id: i64) -> Result<Option<DeletionRequest>> {
    optional(tx.query_row(
        "SELECT id, status, requested_at FROM deletion_requests WHERE applicant_id = ?1
         ORDER BY requested_at DESC, id DESC LIMIT 1",
        [applicant_id],
        request_row,
    ))?
    .map(request)
    .transpose()
}

fn applicant_line(tx: &Transaction<'_>, applicant_id: i64, action: &'static str) -> Result<NewAudit> {
    let (instansi, username, nomor): (String, String, String) = tx.query_row(
        "SELECT instansi, username, nomor FROM applicants WHERE id = ?1",
        [applicant_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    Ok(NewAudit {
        instansi,
        actor: Actor {
            kind: "pemohon",
            id: Some(applicant_id),
            label: username,
        },
        action,
        target: nomor,
        detail: None,
    })
}

#[async_trait]
impl Rights for SqliteStore {
    async fn request_deletion(&self, applicant_id: i64, now: i64) -> Result<DeletionRequest> {
        self.db
            .write(move |tx| {
                if let Some(open) = latest(tx, applicant_id)?
                    && open.status == DeletionStatus::Diajukan
                {
                    return Ok(open);
                }
                let line = applicant_line(tx, applicant_id, "hapus_akun_diajukan")?;
                tx.execute(
                    "INSERT INTO deletion_requests (applicant_id, instansi, nomor, status, requested_at)
                     VALUES (?1, ?2, ?3, 'diajukan', ?4)",
                    params![applicant_id, line.instansi, line.target, now],
                )?;
                let id = tx.last_insert_rowid();
                audit(tx, &line, now)?;
                Ok(DeletionRequest {
                    id,
                    status: DeletionStatus::Diajukan,
                    requested_at: now,
                })
            })
            .await
    }

    async fn deletion_request_of(&self, applicant_id: i64) -> Result<Option<DeletionRequest>> {
        self.db.read(move |c| latest(c, applicant_id)).await
    }

    async fn cancel_deletion(&self, applicant_id: i64, now: i64) -> Result<bool> {
        self.db
            .write(move |tx| {
                let changed = tx.execute(
                    "UPDATE deletion_requests SET status = 'dibatalkan', decided_at = ?2
                     WHERE applicant_id = ?1 AND status = 'diajukan'",
                    params![applicant_id, now],
                )?;
                if changed == 0 {
                    return Ok(false);
                }
                audit(tx, &applicant_line(tx, applicant_id, "hapus_akun_dibatalkan")?, now)?;
                Ok(true)
            })
            .await
    }

    async fn pending_deletions(&self, instansi: &str) -> Result<Vec<PendingDeletion>> {
        let instansi = instansi.to_string();
        self.db
            .read(move |c| {
                Ok(c.prepare(
                    "SELECT d.id, d.nomor, a.nama, d.requested_at,
                            (SELECT count(*) FROM applications p WHERE p.applicant_id = a.id AND p.status = 'selesai'),
                            (SELECT count(*) FROM applications p WHERE p.applicant_id = a.id AND p.status != 'selesai')
                     FROM deletion_requests d JOIN applicants a ON a.id = d.applicant_id
                     WHERE d.instansi = ?1 AND d.status = 'diajukan' ORDER BY d.requested_at, d.id",
                )?
                .query_map([instansi], |r| {
                    Ok(PendingDeletion {
                        id: r.get(0)?,
                        nomor: r.get(1)?,
                        nama: r.get(2)?,
                        requested_at: r.get(3)?,
                        finished: r.get(4)?,
                        other: r.get(5)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await
    }

    async fn process_deletion(
        &self,
        id: i64,
        officer: &Officer,
        now: i64,
        compose: Compose<ErasedAccount>,
    ) -> Result<Processed> {
        let (o, domain) = (officer.clone(), self.message_domain.clone());
        let processed = self
            .db
            .write(move |tx| {
                let found: Option<(Option<i64>, String)> = optional(tx.query_row(
                    "SELECT applicant_id, status FROM deletion_requests WHERE id = ?1 AND instansi = ?2",
                    params![id, o.instansi],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                ))?;
                let applicant_id = match found {
                    None => return Ok(Processed::NotFound),
                    Some((Some(applicant), status)) if status == "diajukan" => applicant,
                    Some(_) => return Ok(Processed::AlreadyDecided),
                };
                let (nomor, nama, email, instansi): (String, String, String, String) = tx.query_row(
                    "SELECT nomor, nama, email, instansi FROM applicants WHERE id = ?1",
                    [applicant_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )?;
                let kept = tx
                    .prepare(
                        "SELECT nomor, permit_nama, updated_at FROM applications
                         WHERE applicant_id = ?1 AND status = 'selesai' ORDER BY updated_at, id",
                    )?
                    .query_map([applicant_id], |r| {
                        Ok(KeptApplication {
                            nomor: r.get(0)?,
                            permit_nama: r.get(1)?,
                            finished_at: r.get(2)?,
                        })
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                let others = tx
                    .prepare("SELECT id FROM applications WHERE applicant_id = ?1 AND status != 'selesai'")?
                    .query_map([applicant_id], |r| r.get::<_, i64>(0))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                let mut documents = 0;
                for application in &others {
                    documents += erase_application(tx, *application, now * 1000)?;
                }
                tx.execute(
                    "UPDATE deletion_requests SET status = 'selesai', decided_at = ?2, decided_by = ?3 WHERE id = ?1",
                    params![id, now, o.id],
                )?;
                forget_applicant(tx, applicant_id)?;
                if kept.is_empty() {
                    tx.execute("DELETE FROM applicants WHERE id = ?1", [applicant_id])?;
                } else {
                    empty_account(tx, applicant_id, now)?;
                }
                let erased = ErasedAccount {
                    nomor: nomor.clone(),
                    nama,
                    email,
                    instansi,
                    erased_applications: others.len() as i64,
                    documents,
                    kept,
                };
                for mail in compose(&erased)? {
                    enqueue(tx, &mail, &domain)?;
                }
                let line = NewAudit {
                    instansi: o.instansi.clone(),
                    actor: Actor {
                        kind: "petugas",
                        id: Some(o.id),
                        label: o.username.clone(),
                    },
                    action: "hapus_akun_diproses",
                    target: nomor,
                    detail: Some(format!(
                        "{} permohonan dan {} dokumen dihapus; {} permohonan selesai disimpan",
                        erased.erased_applications,
                        erased.documents,
                        erased.kept.len()
                    )),
                };
                audit(tx, &line, now)?;
                Ok(Processed::Done(erased))
            })
            .await?;
        if matches!(processed, Processed::Done(_)) {
            self.db.checkpoint().await?;
        }
        Ok(processed)
    }

    async fn request_correction(&self, applicant_id: i64, new: NewCorrection, now: i64) -> Result<bool> {
        let value = match new.field {
            CorrectedField::Nama => new.value.clone(),
            CorrectedField::NomorIdentitas => self.nik()?.seal(Field::Correction, &new.value),
        };
        self.db
            .write(move |tx| {
                let waiting: bool = tx.query_row(
                    "SELECT EXISTS(SELECT 1 FROM identity_corrections WHERE applicant_id = ?1 AND status = 'diajukan')",
                    [applicant_id],
                    |r| r.get(0),
                )?;
                if waiting {
                    return Ok(false);
                }
                let mut line = applicant_line(tx, applicant_id, "koreksi_identitas_diajukan")?;
                tx.execute(
                    "INSERT INTO identity_corrections (applicant_id, instansi, field, nilai, alasan, status, requested_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, 'diajukan', ?6)",
                    params![applicant_id, line.instansi, new.field.as_str(), value, new.alasan, now],
                )?;
                line.detail = Some(new.field.label().to_string());
                audit(tx, &line, now)?;
                Ok(true)
            })
            .await
    }

    async fn corrections_of(&self, applicant_id: i64, limit: i64) -> Result<Vec<Correction>> {
        let nik = self.nik()?;
        self.db
            .read(move |c| {
                corrections(
                    c,
                    &format!(
                        "{CORRECTION_SELECT} WHERE k.applicant_id = ?1 ORDER BY k.requested_at DESC, k.id DESC LIMIT ?2"
                    ),
                    params![applicant_id, limit],
                    &nik,
                )
            })
            .await
    }

    async fn pending_corrections(&self, instansi: &str) -> Result<Vec<Correction>> {
        let (instansi, nik) = (instansi.to_string(), self.nik()?);
        self.db
            .read(move |c| {
                corrections(
                    c,
                    &format!("{CORRECTION_SELECT} WHERE k.instansi = ?1 AND k.status = 'diajukan' ORDER BY k.requested_at, k.id"),
                    params![instansi],
                    &nik,
                )
            })
            .await
    }

    async fn correction(&self, id: i64, instansi: &str) -> Result<Option<Correction>> {
        let (instansi, nik) = (instansi.to_string(), self.nik()?);
        self.db
            .read(move |c| {
                Ok(corrections(
                    c,
                    &format!("{CORRECTION_SELECT} WHERE k.id = ?1 AND k.instansi = ?2"),
                    params![id, instansi],
                    &nik,
                )?
                .pop())
            })
            .await
    }

    async fn decide_correction(
        &self,
        id: i64,
        officer: &Officer,
        verdict: CorrectionVerdict,
        now: i64,
        compose: Compose<DecidedCorrection>,
    ) -> Result<Decision> {
        let (o, domain, nik) = (officer.clone(), self.message_domain.clone(), self.nik()?);
        self.db
            .write(move |tx| {
                let Some(mut correction) = corrections(
                    tx,
                    &format!("{CORRECTION_SELECT} WHERE k.id = ?1 AND k.instansi = ?2"),
                    params![id, o.instansi],
                    &nik,
                )?
                .pop() else {
                    return Ok(Decision::NotFound);
                };
                if correction.status != CorrectionStatus::Diajukan {
                    return Ok(Decision::AlreadyDecided);
                }
                let (status, reason, action) = match &verdict {
                    CorrectionVerdict::Approve => (CorrectionStatus::Disetujui, None, "koreksi_identitas_disetujui"),
                    CorrectionVerdict::Refuse(r) => {
                        (CorrectionStatus::Ditolak, Some(r.clone()), "koreksi_identitas_ditolak")
                    }
                };
                // Only an account that is still there and active changes: an erased one has
                // no name left to correct.
                if status == CorrectionStatus::Disetujui {
                    let changed = match correction.field {
                        CorrectedField::Nama => tx.execute(
                            "UPDATE applicants SET nama = ?2 WHERE id = ?1 AND status = 'aktif' AND erased_at IS NULL",
                            params![correction.applicant_id, correction.value],
                        )?,
                        CorrectedField::NomorIdentitas => tx.execute(
                            "UPDATE applicants SET nomor_identitas = ?2, nomor_identitas_hash = ?3
                             WHERE id = ?1 AND status = 'aktif' AND erased_at IS NULL",
                            params![
                                correction.applicant_id,
                                nik.seal(Field::Applicant, &correction.value),
                                nik.index(&correction.value)
                            ],
                        )?,
                    };
                    if changed == 0 {
                        return Ok(Decision::NotFound);
                    }
                }
                tx.execute(
                    "UPDATE identity_corrections SET status = ?2, alasan_tolak = ?3, decided_at = ?4, decided_by = ?5
                     WHERE id = ?1",
                    params![id, status.as_str(), reason, now, o.id],
                )?;
                correction.status = status;
                correction.alasan_tolak = reason;
                let (email, nama): (String, String) = tx.query_row(
                    "SELECT email, nama FROM applicants WHERE id = ?1",
                    [correction.applicant_id],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?;
                let target = correction.nomor.clone();
                let detail = correction.field.label().to_string();
                let decided = DecidedCorrection {
                    correction,
                    to: Recipient { email, nama },
                };
                for mail in compose(&decided)? {
                    enqueue(tx, &mail, &domain)?;
                }
                let line = NewAudit {
                    instansi: o.instansi.clone(),
                    actor: Actor {
                        kind: "petugas",
                        id: Some(o.id),
                        label: o.username.clone(),
                    },
                    action,
                    target,
                    detail: Some(detail),
                };
                audit(tx, &line, now)?;
                Ok(Decision::Done)
            })
            .await
    }
}

/// A correction request with its registration's number, in the order `corrections` reads.
const CORRECTION_SELECT: &str = "SELECT k.id, k.applicant_id, a.nomor, k.field, k.nilai, k.alasan, k.status,
        k.alasan_tolak, k.requested_at
     FROM identity_corrections k JOIN applicants a ON a.id = k.applicant_id";

fn corrections(c: &rusqlite::Connection, sql: &str, p: impl rusqlite::Params, nik: &NikKey) -> Result<Vec<Correction>> {
    type Raw = (i64, i64, String, String, String, String, String, Option<String>, i64);
    let raw = c
        .prepare(sql)?
        .query_map(p, |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<Raw>>>()?;
    raw.into_iter()
        .map(
            |(id, applicant_id, nomor, field, nilai, alasan, status, alasan_tolak, requested_at)| {
                let field =
                    CorrectedField::parse(&field).ok_or_else(|| corrupt("identity_corrections", id, "field"))?;
                let value = match field {
                    CorrectedField::Nama => nilai,
                    CorrectedField::NomorIdentitas => nik
                        .open(Field::Correction, &nilai)
                        .ok_or_else(|| corrupt("identity_corrections", id, "nilai"))?,
                };
                Ok(Correction {
                    id,
                    applicant_id,
                    nomor,
                    field,
                    value,
                    alasan,
                    status: CorrectionStatus::parse(&status)
                        .ok_or_else(|| corrupt("identity_corrections", id, "status"))?,
                    alasan_tolak,
                    requested_at,
                })
            },
        )
        .collect()
}

/// Empties every personal field of an account kept only because finished applications
/// reference it; nothing can sign in to it (no password, no username or email) or find it
/// (no NIK hash matches an empty one).
pub(super) fn empty_account(tx: &Transaction<'_>, id: i64, now: i64) -> Result<()> {
    tx.execute(
        "UPDATE applicants SET username = '', email = '', nama = '', nomor_identitas = '',
            nomor_identitas_hash = '', jenis_kelamin = '', tempat_lahir = '', tanggal_lahir = '',
            pekerjaan = '', npwp = NULL, telepon = '', alamat = '', kabupaten = '', kode_pos = '',
            password_hash = NULL, alasan_tolak = NULL, erased_at = ?2
         WHERE id = ?1",
        params![id, now],
    )?;
    Ok(())
}
