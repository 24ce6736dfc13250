//! The status moves of an application on SQLite: the applicant's Ajukan and the officers'
//! actions, each written with its event, its emails and (for officers) its audit line.

use rusqlite::{OptionalExtension, params};

use super::{SqliteStore, audit, enqueue, record_event, status_of};
use crate::application::Status;
use crate::error::{Error, Result};
use crate::records::*;
use crate::store::{Compose, corrupt};

/// The audit line of an applicant's own change to an application (BUAT, an upload, a
/// removal, Ajukan), written in `tx`; `requirement` names the document a line is about.
pub(super) fn applicant_audit(
    tx: &rusqlite::Transaction<'_>,
    application_id: i64,
    action: &'static str,
    requirement: Option<&str>,
    now: i64,
) -> Result<()> {
    let (nomor, instansi, persyaratan, applicant_id, username): (String, String, String, i64, String) = tx.query_row(
        "SELECT a.nomor, a.instansi, a.persyaratan_json, a.applicant_id, p.username
         FROM applications a JOIN applicants p ON p.id = a.applicant_id WHERE a.id = ?1",
        [application_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
    )?;
    let detail = requirement
        .map(|req| crate::audit::requirement_detail(&persyaratan, req))
        .transpose()
        .map_err(|_| corrupt("applications", application_id, "persyaratan_json"))?;
    let line = NewAudit {
        instansi,
        actor: Actor {
            kind: "pemohon",
            id: Some(applicant_id),
            label: username,
        },
        action,
        target: nomor,
        detail,
    };
    audit(tx, &line, now)
}

impl SqliteStore {
    /// Ajukan (`Applications::submit_application`).
    pub(super) async fn submit(
        &self,
        application_id: i64,
        applicant_id: i64,
        now: i64,
        compose: Compose<Submitted>,
    ) -> Result<()> {
        let domain = self.message_domain.clone();
        self.db
            .write(move |tx| {
                let from = status_of(tx, application_id)?;
                if !from.can_become(Status::Diajukan) {
                    return Err(Error::Forbidden);
                }
                tx.execute(
                    "UPDATE applications SET status = 'diajukan', submitted_at = coalesce(submitted_at, ?2), updated_at = ?2
                     WHERE id = ?1",
                    params![application_id, now],
                )?;
                tx.execute("UPDATE documents SET catatan = NULL, catatan_dijawab = 0 WHERE application_id = ?1", [application_id])?;
                let (username, email, nama): (String, String, String) = tx.query_row(
                    "SELECT username, email, nama FROM applicants WHERE id = ?1",
                    [applicant_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )?;
                let actor = Actor { kind: "pemohon", id: Some(applicant_id), label: username };
                record_event(tx, application_id, &actor, Some(from), Status::Diajukan, None, now)?;
                applicant_audit(tx, application_id, Status::Diajukan.audit_action(), None, now)?;
                let mut stmt = tx.prepare_cached(
                    "SELECT o.email, o.nama FROM officers o JOIN applications a ON a.instansi = o.instansi AND a.unit = o.unit
                     WHERE a.id = ?1 ORDER BY o.id",
                )?;
                let officers = stmt
                    .query_map([application_id], |r| Ok(Recipient { email: r.get(0)?, nama: r.get(1)? }))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                let submitted = Submitted { from, applicant: Recipient { email, nama }, officers };
                for mail in compose(&submitted)? {
                    enqueue(tx, &mail, &domain)?;
                }
                Ok(())
            })
            .await
    }

    /// An officer's action (`Applications::review`).
    pub(super) async fn act(
        &self,
        application_id: i64,
        officer: &Officer,
        action: ReviewAction,
        now: i64,
        compose: Compose<Recipient>,
    ) -> Result<bool> {
        let (o, domain) = (officer.clone(), self.message_domain.clone());
        self.db
            .write(move |tx| {
                // Only an application of the officer's unit past its draft; any other is not found.
                let from: Option<String> = tx
                    .query_row(
                        "SELECT status FROM applications WHERE id = ?1 AND instansi = ?2 AND unit = ?3 AND status != 'draf'",
                        params![application_id, o.instansi, o.unit],
                        |r| r.get(0),
                    )
                    .optional()?;
                let from = Status::parse(&from.ok_or(Error::NotFound)?)
                    .ok_or_else(|| corrupt("applications", application_id, "status"))?;
                if !from.can_become(action.to) {
                    return Ok(false);
                }
                tx.execute(
                    "UPDATE applications SET status = ?2, updated_at = ?3 WHERE id = ?1",
                    params![application_id, action.to.as_str(), now],
                )?;
                for (req, text) in &action.notes {
                    tx.execute(
                        "UPDATE documents SET catatan = ?3 WHERE application_id = ?1 AND requirement_id = ?2",
                        params![application_id, req, text],
                    )?;
                }
                let actor = Actor { kind: "petugas", id: Some(o.id), label: o.nama.clone() };
                record_event(tx, application_id, &actor, Some(from), action.to, action.summary.as_deref(), now)?;
                let (email, nama, nomor, instansi): (String, String, String, String) = tx.query_row(
                    "SELECT p.email, p.nama, a.nomor, a.instansi FROM applications a JOIN applicants p ON p.id = a.applicant_id
                     WHERE a.id = ?1",
                    [application_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )?;
                for mail in compose(&Recipient { email, nama })? {
                    enqueue(tx, &mail, &domain)?;
                }
                let line = NewAudit {
                    instansi,
                    actor: Actor { kind: "petugas", id: Some(o.id), label: o.username.clone() },
                    action: action.to.audit_action(),
                    target: nomor,
                    detail: action.summary.clone(),
                };
                audit(tx, &line, now)?;
                Ok(true)
            })
            .await
    }
}
