//! The rights that go through an officer, on PostgreSQL: deletion (the applicant's request, an
//! officer's processing) and the correction of name or identity number, each change one
//! transaction with its audit line and emails. A request's row is locked while it is decided,
//! so of two officers pressing at once one decides and the other finds it done.

use async_trait::async_trait;
use deadpool_postgres::{GenericClient, Transaction};
use tokio_postgres::Row;

use super::retention::{TOUCHED, erase_application, forget_applicant};
use super::{Audit, PgStore, audit, enqueue, exec, one, row, rows};
use crate::error::Result;
use crate::keys::NikKey;
use crate::keys::nik::Field;
use crate::records::*;
use crate::store::{Compose, Rights, corrupt};

fn request(r: &Row) -> Result<DeletionRequest> {
    let id: i64 = r.try_get(0)?;
    let status: String = r.try_get(1)?;
    Ok(DeletionRequest {
        id,
        status: DeletionStatus::parse(&status).ok_or_else(|| corrupt("deletion_requests", id, "status"))?,
        requested_at: r.try_get(2)?,
    })
}

async fn latest<C: GenericClient>(c: &C, applicant_id: i64) -> Result<Option<DeletionRequest>> {
    row(
        c,
        "SELECT id, status, requested_at FROM deletion_requests WHERE applicant_id = $1
         ORDER BY requested_at DESC, id DESC LIMIT 1",
        &[&applicant_id],
    )
    .await?
    .as_ref()
    .map(request)
    .transpose()
}

/// The applicant's instansi, username and registration number, for their audit line.
async fn applicant_of(tx: &Transaction<'_>, applicant_id: i64) -> Result<(String, String, String)> {
    let r = one(
        tx,
        "SELECT instansi, username, nomor FROM applicants WHERE id = $1 FOR UPDATE",
        &[&applicant_id],
    )
    .await?;
    Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))
}

async fn applicant_line(tx: &Transaction<'_>, applicant_id: i64, action: &str, now: i64) -> Result<()> {
    applicant_line_with(tx, applicant_id, action, None, now).await
}

async fn applicant_line_with(
    tx: &Transaction<'_>,
    applicant_id: i64,
    action: &str,
    detail: Option<&str>,
    now: i64,
) -> Result<()> {
    let (instansi, username, nomor) = applicant_of(tx, applicant_id).await?;
    audit(
        tx,
        now,
        Audit {
            instansi: &instansi,
            actor_kind: "pemohon",
            actor_id: Some(applicant_id),
            actor_label: &username,
            action,
            target: &nomor,
            detail,
        },
    )
    .await
}

#[async_trait]
impl Rights for PgStore {
    async fn request_deletion(&self, applicant_id: i64, now: i64) -> Result<DeletionRequest> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        // The applicant's row locked first, so two presses make one request.
        let (instansi, _, nomor) = applicant_of(&tx, applicant_id).await?;
        if let Some(open) = latest(&tx, applicant_id).await?
            && open.status == DeletionStatus::Diajukan
        {
            return Ok(open);
        }
        let id: i64 = one(
            &tx,
            "INSERT INTO deletion_requests (applicant_id, instansi, nomor, status, requested_at)
             VALUES ($1, $2, $3, 'diajukan', $4) RETURNING id",
            &[&applicant_id, &instansi, &nomor, &now],
        )
        .await?
        .try_get(0)?;
        applicant_line(&tx, applicant_id, "hapus_akun_diajukan", now).await?;
        tx.commit().await?;
        Ok(DeletionRequest {
            id,
            status: DeletionStatus::Diajukan,
            requested_at: now,
        })
    }

    async fn deletion_request_of(&self, applicant_id: i64) -> Result<Option<DeletionRequest>> {
        let c = self.client().await?;
        latest(&c, applicant_id).await
    }

    async fn cancel_deletion(&self, applicant_id: i64, now: i64) -> Result<bool> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let changed = exec(
            &tx,
            "UPDATE deletion_requests SET status = 'dibatalkan', decided_at = $2
             WHERE applicant_id = $1 AND status = 'diajukan'",
            &[&applicant_id, &now],
        )
        .await?;
        if changed == 0 {
            return Ok(false);
        }
        applicant_line(&tx, applicant_id, "hapus_akun_dibatalkan", now).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn pending_deletions(&self, instansi: &str) -> Result<Vec<PendingDeletion>> {
        let c = self.client().await?;
        rows(
            &c,
            "SELECT d.id, d.nomor, a.nama, d.requested_at,
                    (SELECT count(*) FROM applications p WHERE p.applicant_id = a.id AND p.status = 'selesai'),
                    (SELECT count(*) FROM applications p WHERE p.applicant_id = a.id AND p.status <> 'selesai')
             FROM deletion_requests d JOIN applicants a ON a.id = d.applicant_id
             WHERE d.instansi = $1 AND d.status = 'diajukan' ORDER BY d.requested_at, d.id",
            &[&instansi],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(PendingDeletion {
                id: r.try_get(0)?,
                nomor: r.try_get(1)?,
                nama: r.try_get(2)?,
                requested_at: r.try_get(3)?,
                finished: r.try_get(4)?,
                other: r.try_get(5)?,
            })
        })
        .collect()
    }

    async fn process_deletion(
        &self,
        id: i64,
        officer: &Officer,
        now: i64,
        compose: Compose<ErasedAccount>,
    ) -> Result<Processed> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let found = row(
            &tx,
            "SELECT applicant_id, status FROM deletion_requests WHERE id = $1 AND instansi = $2 FOR UPDATE",
            &[&id, &officer.instansi],
        )
        .await?;
        let applicant_id: i64 = match found {
            None => return Ok(Processed::NotFound),
            Some(r) => match (r.try_get::<_, Option<i64>>(0)?, r.try_get::<_, String>(1)?) {
                (Some(applicant), status) if status == "diajukan" => applicant,
                _ => return Ok(Processed::AlreadyDecided),
            },
        };
        let r = one(
            &tx,
            "SELECT nomor, nama, email, instansi FROM applicants WHERE id = $1 FOR UPDATE",
            &[&applicant_id],
        )
        .await?;
        let (nomor, nama, email, instansi): (String, String, String, String) =
            (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?);
        let kept = rows(
            &tx,
            "SELECT nomor, permit_nama, updated_at FROM applications
             WHERE applicant_id = $1 AND status = 'selesai' ORDER BY updated_at, id",
            &[&applicant_id],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(KeptApplication {
                nomor: r.try_get(0)?,
                permit_nama: r.try_get(1)?,
                finished_at: r.try_get(2)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let others = rows(
            &tx,
            "SELECT id FROM applications WHERE applicant_id = $1 AND status <> 'selesai' FOR UPDATE",
            &[&applicant_id],
        )
        .await?;
        let mut documents = 0;
        for r in &others {
            documents += erase_application(&tx, r.try_get(0)?, now * 1000).await?;
        }
        exec(
            &tx,
            "UPDATE deletion_requests SET status = 'selesai', decided_at = $2, decided_by = $3 WHERE id = $1",
            &[&id, &now, &officer.id],
        )
        .await?;
        forget_applicant(&tx, applicant_id).await?;
        if kept.is_empty() {
            exec(&tx, "DELETE FROM applicants WHERE id = $1", &[&applicant_id]).await?;
        } else {
            // Kept only because finished applications reference it: every personal field
            // emptied, so nothing can sign in to it or find it.
            exec(
                &tx,
                "UPDATE applicants SET username = '', email = '', nama = '', nomor_identitas = '',
                    nomor_identitas_hash = '', jenis_kelamin = '', tempat_lahir = '', tanggal_lahir = '',
                    pekerjaan = '', npwp = NULL, telepon = '', alamat = '', kabupaten = '', kode_pos = '',
                    password_hash = NULL, alasan_tolak = NULL, erased_at = $2
                 WHERE id = $1",
                &[&applicant_id, &now],
            )
            .await?;
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
        enqueue(&tx, &compose(&erased)?, &self.message_domain).await?;
        let detail = format!(
            "{} permohonan dan {} dokumen dihapus; {} permohonan selesai disimpan",
            erased.erased_applications,
            erased.documents,
            erased.kept.len()
        );
        audit(
            &tx,
            now,
            Audit {
                instansi: &officer.instansi,
                actor_kind: "petugas",
                actor_id: Some(officer.id),
                actor_label: &officer.username,
                action: "hapus_akun_diproses",
                target: &nomor,
                detail: Some(&detail),
            },
        )
        .await?;
        tx.commit().await?;
        c.batch_execute(&format!("VACUUM {TOUCHED}, data_access, identity_corrections"))
            .await?;
        Ok(Processed::Done(erased))
    }

    async fn request_correction(&self, applicant_id: i64, new: NewCorrection, now: i64) -> Result<bool> {
        let value = match new.field {
            CorrectedField::Nama => new.value.clone(),
            CorrectedField::NomorIdentitas => self.nik()?.seal(Field::Correction, &new.value),
        };
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        // The applicant's row locked first, so two presses make one request.
        let (instansi, _, _) = applicant_of(&tx, applicant_id).await?;
        let waiting = row(
            &tx,
            "SELECT 1 FROM identity_corrections WHERE applicant_id = $1 AND status = 'diajukan'",
            &[&applicant_id],
        )
        .await?;
        if waiting.is_some() {
            return Ok(false);
        }
        exec(
            &tx,
            "INSERT INTO identity_corrections (applicant_id, instansi, field, nilai, alasan, status, requested_at)
             VALUES ($1, $2, $3, $4, $5, 'diajukan', $6)",
            &[&applicant_id, &instansi, &new.field.as_str(), &value, &new.alasan, &now],
        )
        .await?;
        applicant_line_with(
            &tx,
            applicant_id,
            "koreksi_identitas_diajukan",
            Some(new.field.label()),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn corrections_of(&self, applicant_id: i64, limit: i64) -> Result<Vec<Correction>> {
        let c = self.client().await?;
        let sql =
            format!("{CORRECTION_SELECT} WHERE k.applicant_id = $1 ORDER BY k.requested_at DESC, k.id DESC LIMIT $2");
        corrections(&rows(&c, &sql, &[&applicant_id, &limit]).await?, self.nik()?)
    }

    async fn pending_corrections(&self, instansi: &str) -> Result<Vec<Correction>> {
        let c = self.client().await?;
        let sql = format!(
            "{CORRECTION_SELECT} WHERE k.instansi = $1 AND k.status = 'diajukan' ORDER BY k.requested_at, k.id"
        );
        corrections(&rows(&c, &sql, &[&instansi]).await?, self.nik()?)
    }

    async fn correction(&self, id: i64, instansi: &str) -> Result<Option<Correction>> {
        let c = self.client().await?;
        let sql = format!("{CORRECTION_SELECT} WHERE k.id = $1 AND k.instansi = $2");
        Ok(corrections(&rows(&c, &sql, &[&id, &instansi]).await?, self.nik()?)?.pop())
    }

    async fn decide_correction(
        &self,
        id: i64,
        officer: &Officer,
        verdict: CorrectionVerdict,
        now: i64,
        compose: Compose<DecidedCorrection>,
    ) -> Result<Decision> {
        let nik = self.nik()?;
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let sql = format!("{CORRECTION_SELECT} WHERE k.id = $1 AND k.instansi = $2 FOR UPDATE OF k");
        let Some(mut correction) = corrections(&rows(&tx, &sql, &[&id, &officer.instansi]).await?, nik)?.pop() else {
            return Ok(Decision::NotFound);
        };
        if correction.status != CorrectionStatus::Diajukan {
            return Ok(Decision::AlreadyDecided);
        }
        let (status, reason, action) = match &verdict {
            CorrectionVerdict::Approve => (CorrectionStatus::Disetujui, None, "koreksi_identitas_disetujui"),
            CorrectionVerdict::Refuse(r) => (CorrectionStatus::Ditolak, Some(r.clone()), "koreksi_identitas_ditolak"),
        };
        // Only an account that is still there and active changes: an erased one has no name
        // left to correct.
        if status == CorrectionStatus::Disetujui {
            let changed = match correction.field {
                CorrectedField::Nama => {
                    exec(
                        &tx,
                        "UPDATE applicants SET nama = $2 WHERE id = $1 AND status = 'aktif' AND erased_at IS NULL",
                        &[&correction.applicant_id, &correction.value],
                    )
                    .await?
                }
                CorrectedField::NomorIdentitas => {
                    exec(
                        &tx,
                        "UPDATE applicants SET nomor_identitas = $2, nomor_identitas_hash = $3
                         WHERE id = $1 AND status = 'aktif' AND erased_at IS NULL",
                        &[
                            &correction.applicant_id,
                            &nik.seal(Field::Applicant, &correction.value),
                            &nik.index(&correction.value),
                        ],
                    )
                    .await?
                }
            };
            if changed == 0 {
                return Ok(Decision::NotFound);
            }
        }
        exec(
            &tx,
            "UPDATE identity_corrections SET status = $2, alasan_tolak = $3, decided_at = $4, decided_by = $5
             WHERE id = $1",
            &[&id, &status.as_str(), &reason, &now, &officer.id],
        )
        .await?;
        correction.status = status;
        correction.alasan_tolak = reason;
        let r = one(
            &tx,
            "SELECT email, nama FROM applicants WHERE id = $1",
            &[&correction.applicant_id],
        )
        .await?;
        let to = Recipient {
            email: r.try_get(0)?,
            nama: r.try_get(1)?,
        };
        let target = correction.nomor.clone();
        let detail = correction.field.label();
        let decided = DecidedCorrection { correction, to };
        enqueue(&tx, &compose(&decided)?, &self.message_domain).await?;
        audit(
            &tx,
            now,
            Audit {
                instansi: &officer.instansi,
                actor_kind: "petugas",
                actor_id: Some(officer.id),
                actor_label: &officer.username,
                action,
                target: &target,
                detail: Some(detail),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Decision::Done)
    }
}

/// A correction request with its registration's number, in the order `corrections` reads.
const CORRECTION_SELECT: &str = "SELECT k.id, k.applicant_id, a.nomor, k.field, k.nilai, k.alasan, k.status,
        k.alasan_tolak, k.requested_at
     FROM identity_corrections k JOIN applicants a ON a.id = k.applicant_id";

fn corrections(found: &[Row], nik: &NikKey) -> Result<Vec<Correction>> {
    found
        .iter()
        .map(|r| {
            let id: i64 = r.try_get(0)?;
            let field: String = r.try_get(3)?;
            let field = CorrectedField::parse(&field).ok_or_else(|| corrupt("identity_corrections", id, "field"))?;
            let nilai: String = r.try_get(4)?;
            let value = match field {
                CorrectedField::Nama => nilai,
                CorrectedField::NomorIdentitas => nik
                    .open(Field::Correction, &nilai)
                    .ok_or_else(|| corrupt("identity_corrections", id, "nilai"))?,
            };
            let status: String = r.try_get(6)?;
            Ok(Correction {
                id,
                applicant_id: r.try_get(1)?,
                nomor: r.try_get(2)?,
                field,
                value,
                alasan: r.try_get(5)?,
                status: CorrectionStatus::parse(&status)
                    .ok_or_else(|| corrupt("identity_corrections", id, "status"))?,
                alasan_tolak: r.try_get(7)?,
                requested_at: r.try_get(8)?,
            })
        })
        .collect()
}
