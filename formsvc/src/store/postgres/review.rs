//! The status moves of an application on PostgreSQL: the applicant's Ajukan and the officers'
//! actions, each with its event, its emails and (for officers) its audit line. The
//! application's row is locked first, so two moves never start from the same status.

use super::{Audit, PgStore, audit, enqueue, exec, record_event, row, rows, status};
use crate::application::Status;
use crate::error::{Error, Result};
use crate::records::*;
use crate::store::Compose;

/// The audit line of an applicant's own change to an application (BUAT, an upload, a
/// removal, Ajukan), written in `tx`; `requirement` names the document a line is about.
pub(super) async fn applicant_audit(
    tx: &deadpool_postgres::Transaction<'_>,
    application_id: i64,
    action: &str,
    requirement: Option<&str>,
    now: i64,
) -> Result<()> {
    let Some(r) = row(
        tx,
        "SELECT a.nomor, a.instansi, a.persyaratan_json, a.applicant_id, p.username
         FROM applications a JOIN applicants p ON p.id = a.applicant_id WHERE a.id = $1",
        &[&application_id],
    )
    .await?
    else {
        return Err(Error::NotFound);
    };
    let (nomor, instansi, persyaratan): (String, String, String) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
    let (applicant_id, username): (i64, String) = (r.try_get(3)?, r.try_get(4)?);
    let detail = requirement
        .map(|req| crate::audit::requirement_detail(&persyaratan, req))
        .transpose()
        .map_err(|_| crate::store::corrupt("applications", application_id, "persyaratan_json"))?;
    let line = Audit {
        instansi: &instansi,
        actor_kind: "pemohon",
        actor_id: Some(applicant_id),
        actor_label: &username,
        action,
        target: &nomor,
        detail: detail.as_deref(),
    };
    audit(tx, now, line).await
}

impl PgStore {
    /// Ajukan (`Applications::submit_application`).
    pub(super) async fn submit(
        &self,
        application_id: i64,
        applicant_id: i64,
        now: i64,
        compose: Compose<Submitted>,
    ) -> Result<()> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let Some(app) = row(
            &tx,
            "SELECT status, instansi, unit FROM applications WHERE id = $1 AND applicant_id = $2 FOR UPDATE",
            &[&application_id, &applicant_id],
        )
        .await?
        else {
            return Err(Error::Forbidden);
        };
        let from = status(app.try_get(0)?, "applications", application_id, "status")?;
        if !from.can_become(Status::Diajukan) {
            return Err(Error::Forbidden);
        }
        let (instansi, unit): (String, String) = (app.try_get(1)?, app.try_get(2)?);
        exec(
            &tx,
            "UPDATE applications SET status = 'diajukan', submitted_at = coalesce(submitted_at, $2), updated_at = $2
             WHERE id = $1",
            &[&application_id, &now],
        )
        .await?;
        exec(
            &tx,
            "UPDATE documents SET catatan = NULL, catatan_dijawab = FALSE WHERE application_id = $1",
            &[&application_id],
        )
        .await?;
        let Some(who) = row(
            &tx,
            "SELECT username, email, nama FROM applicants WHERE id = $1",
            &[&applicant_id],
        )
        .await?
        else {
            return Err(Error::NotFound);
        };
        let username: String = who.try_get(0)?;
        let actor = ("pemohon", Some(applicant_id), username.as_str());
        record_event(&tx, application_id, now, actor, (Some(from), Status::Diajukan), None).await?;
        applicant_audit(&tx, application_id, Status::Diajukan.audit_action(), None, now).await?;
        let officers = rows(
            &tx,
            "SELECT email, nama FROM officers WHERE instansi = $1 AND unit = $2 ORDER BY id",
            &[&instansi, &unit],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(Recipient {
                email: r.try_get(0)?,
                nama: r.try_get(1)?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
        let mails = compose(&Submitted {
            from,
            applicant: Recipient {
                email: who.try_get(1)?,
                nama: who.try_get(2)?,
            },
            officers,
        })?;
        enqueue(&tx, &mails, &self.message_domain).await?;
        tx.commit().await?;
        Ok(())
    }

    /// An officer's action (`Applications::review`) on an application of their unit that is
    /// past its draft; any other is not found.
    pub(super) async fn act(
        &self,
        application_id: i64,
        officer: &Officer,
        action: ReviewAction,
        now: i64,
        compose: Compose<Recipient>,
    ) -> Result<bool> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let Some(app) = row(
            &tx,
            "SELECT status, nomor, applicant_id, instansi FROM applications
             WHERE id = $1 AND instansi = $2 AND unit = $3 AND status != 'draf' FOR UPDATE",
            &[&application_id, &officer.instansi, &officer.unit],
        )
        .await?
        else {
            return Err(Error::NotFound);
        };
        let from = status(app.try_get(0)?, "applications", application_id, "status")?;
        let to = action.to;
        if !from.can_become(to) {
            return Ok(false);
        }
        let (nomor, applicant_id, instansi): (String, i64, String) =
            (app.try_get(1)?, app.try_get(2)?, app.try_get(3)?);
        exec(
            &tx,
            "UPDATE applications SET status = $2, updated_at = $3 WHERE id = $1",
            &[&application_id, &to.as_str(), &now],
        )
        .await?;
        for (requirement, note) in &action.notes {
            exec(
                &tx,
                "UPDATE documents SET catatan = $3 WHERE application_id = $1 AND requirement_id = $2",
                &[&application_id, requirement, note],
            )
            .await?;
        }
        let summary = action.summary.as_deref();
        let actor = ("petugas", Some(officer.id), officer.nama.as_str());
        record_event(&tx, application_id, now, actor, (Some(from), to), summary).await?;
        let Some(applicant) = row(
            &tx,
            "SELECT email, nama FROM applicants WHERE id = $1",
            &[&applicant_id],
        )
        .await?
        else {
            return Err(Error::NotFound);
        };
        let mails = compose(&Recipient {
            email: applicant.try_get(0)?,
            nama: applicant.try_get(1)?,
        })?;
        enqueue(&tx, &mails, &self.message_domain).await?;
        audit(
            &tx,
            now,
            Audit {
                instansi: &instansi,
                actor_kind: "petugas",
                actor_id: Some(officer.id),
                actor_label: &officer.username,
                action: &format!("permohonan_{}", to.as_str()),
                target: &nomor,
                detail: summary,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}
