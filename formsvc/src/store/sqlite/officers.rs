//! Officer accounts, the audit trail, undelivered mail and refused uploads, on SQLite.

use async_trait::async_trait;
use rusqlite::params;

use super::{SqliteStore, audit, optional};
use crate::error::{Error, Result};
use crate::records::*;
use crate::store::{Officers, corrupt};

/// What `sicantik officer …` (or an admin in the console, `by`) does to the officer
/// `username`, inside `tx`: `change` on the officer's row, then every session of theirs ended
/// and the audit line `action` in the name of `by` or of the command line. False when no such
/// officer exists.
pub(super) fn command_on_officer(
    tx: &rusqlite::Transaction<'_>,
    username: &str,
    by: Option<&Officer>,
    action: &'static str,
    now: i64,
    change: impl FnOnce(i64) -> Result<()>,
) -> Result<bool> {
    let found = optional(tx.query_row(
        "SELECT id, instansi FROM officers WHERE username = ?1",
        [username],
        |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)),
    ))?;
    let Some((id, instansi)) = found else {
        return Ok(false);
    };
    change(id)?;
    tx.execute("DELETE FROM sessions WHERE kind = 'petugas' AND user_id = ?1", [id])?;
    let line = NewAudit {
        instansi,
        actor: match by {
            Some(o) => Actor {
                kind: "petugas",
                id: Some(o.id),
                label: o.username.clone(),
            },
            None => Actor {
                kind: "sistem",
                id: None,
                label: "baris perintah".into(),
            },
        },
        action,
        target: username.to_string(),
        detail: None,
    };
    audit(tx, &line, now)?;
    Ok(true)
}

#[async_trait]
impl Officers for SqliteStore {
    async fn officer(&self, id: i64) -> Result<Option<Officer>> {
        self.db
            .read(move |c| {
                optional(c.query_row(
                    "SELECT id, username, nama, instansi, unit, admin FROM officers WHERE id = ?1",
                    [id],
                    |r| {
                        Ok(Officer {
                            id: r.get(0)?,
                            username: r.get(1)?,
                            nama: r.get(2)?,
                            instansi: r.get(3)?,
                            unit: r.get(4)?,
                            admin: r.get(5)?,
                        })
                    },
                ))
            })
            .await
    }

    async fn add_officer(&self, new: NewOfficerRecord, link: Option<NewLink>, now: i64) -> Result<()> {
        self.db
            .write(move |tx| {
                let exists: bool = tx.query_row(
                    "SELECT EXISTS(SELECT 1 FROM officers WHERE username = ?1)",
                    [new.username.as_str()],
                    |r| r.get(0),
                )?;
                if exists {
                    return Err(Error::Config(format!(
                        "an officer named {} already exists",
                        new.username.as_str()
                    )));
                }
                tx.execute(
                    "INSERT INTO officers (username, nama, email, instansi, unit, password_hash, created_at, admin)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![
                        new.username.as_str(),
                        new.nama.as_str(),
                        new.email.as_str(),
                        new.instansi,
                        new.unit,
                        new.password_hash,
                        now,
                        new.admin
                    ],
                )?;
                let id = tx.last_insert_rowid();
                if let Some(link) = link {
                    tx.execute(
                        "INSERT INTO link_tokens (token_hash, purpose, subject_kind, subject_id, created_at, expires_at)
                         VALUES (?1, ?2, 'petugas', ?3, ?4, ?5)",
                        params![link.token_hash, link.purpose.as_str(), id, now, link.expires_at],
                    )?;
                }
                let line = NewAudit {
                    instansi: new.instansi.clone(),
                    actor: Actor {
                        kind: "sistem",
                        id: None,
                        label: "baris perintah".into(),
                    },
                    action: "petugas_dibuat",
                    target: new.username.as_str().to_string(),
                    detail: None,
                };
                audit(tx, &line, now)
            })
            .await
    }

    async fn audit_search(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let f = filter.clone();
        self.db
            .read(move |c| {
                // Every filter is a bound parameter; the actor's text is found as typed (instr:
                // no LIKE wildcards).
                let mut stmt = c.prepare_cached(
                    "SELECT at, actor_kind, actor_label, action, target, detail FROM audit
                     WHERE instansi = ?1
                       AND (?2 IS NULL OR target = ?2)
                       AND (?3 IS NULL OR actor_kind = ?3)
                       AND (?4 = '' OR instr(lower(actor_label), ?4) > 0)
                       AND (?5 IS NULL OR at >= ?5)
                       AND (?6 IS NULL OR at < ?6)
                     ORDER BY at DESC, id DESC LIMIT ?7",
                )?;
                let rows = stmt
                    .query_map(
                        params![f.instansi, f.target, f.actor_kind, f.actor, f.from, f.to, f.limit],
                        |r| {
                            Ok(AuditEntry {
                                at: r.get(0)?,
                                actor_kind: r.get(1)?,
                                actor_label: r.get(2)?,
                                action: r.get(3)?,
                                target: r.get(4)?,
                                detail: r.get(5)?,
                            })
                        },
                    )?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows)
            })
            .await
    }

    async fn undelivered_mail(&self, instansi: &str, limit: i64) -> Result<Vec<UndeliveredMail>> {
        let i = instansi.to_string();
        let rows = self
            .db
            .read(move |c| {
                let mut stmt = c.prepare_cached(
                    "SELECT id, recipient, subject, status, attempts, last_error, created_at FROM outbox
                     WHERE instansi = ?1 AND (status = 'gagal' OR (status = 'antre' AND attempts > 0))
                     ORDER BY created_at DESC LIMIT ?2",
                )?;
                let rows = stmt
                    .query_map(params![i, limit], |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, String>(3)?,
                            r.get::<_, i64>(4)?,
                            r.get::<_, Option<String>>(5)?,
                            r.get::<_, i64>(6)?,
                        ))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows)
            })
            .await?;
        rows.into_iter()
            .map(
                |(id, recipient, subject, status, attempts, last_error, created_at_ms)| {
                    Ok(UndeliveredMail {
                        recipient,
                        subject,
                        status: MailStatus::parse(&status).ok_or_else(|| corrupt("outbox", id, "status"))?,
                        attempts,
                        last_error,
                        created_at_ms,
                    })
                },
            )
            .collect()
    }

    async fn failed_mail_count(&self, instansi: &str) -> Result<i64> {
        let i = instansi.to_string();
        self.db
            .read(move |c| {
                Ok(c.query_row(
                    "SELECT count(*) FROM outbox WHERE status = 'gagal' AND instansi = ?1",
                    [i],
                    |r| r.get(0),
                )?)
            })
            .await
    }

    async fn scan_refusals(&self, instansi: &str, unit: &str, limit: i64) -> Result<Vec<ScanRefusal>> {
        let (i, u) = (instansi.to_string(), unit.to_string());
        let rows = self
            .db
            .read(move |c| {
                let mut stmt = c.prepare_cached(
                    "SELECT r.id, r.at, a.nomor, r.requirement, r.outcome, r.detail
                     FROM scan_refusals r JOIN applications a ON a.id = r.application_id
                     WHERE a.instansi = ?1 AND a.unit = ?2 ORDER BY r.at DESC, r.id DESC LIMIT ?3",
                )?;
                let rows = stmt
                    .query_map(params![i, u, limit], |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            r.get::<_, i64>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, String>(3)?,
                            r.get::<_, String>(4)?,
                            r.get::<_, String>(5)?,
                        ))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows)
            })
            .await?;
        rows.into_iter()
            .map(|(id, at, nomor, requirement, outcome, detail)| {
                Ok(ScanRefusal {
                    at,
                    nomor,
                    requirement,
                    outcome: ScanOutcome::parse(&outcome).ok_or_else(|| corrupt("scan_refusals", id, "outcome"))?,
                    detail,
                })
            })
            .collect()
    }

    async fn scan_refusal_count(&self, instansi: &str, unit: &str, since: i64) -> Result<i64> {
        let (i, u) = (instansi.to_string(), unit.to_string());
        self.db
            .read(move |c| {
                Ok(c.query_row(
                    "SELECT count(*) FROM scan_refusals r JOIN applications a ON a.id = r.application_id
                     WHERE a.instansi = ?1 AND a.unit = ?2 AND r.at >= ?3",
                    params![i, u, since],
                    |r| r.get(0),
                )?)
            })
            .await
    }

    async fn officer_accounts(&self) -> Result<Vec<OfficerAccount>> {
        self.db
            .read(|c| {
                let mut stmt = c.prepare_cached(
                    "SELECT username, nama, instansi, unit, last_login_at, disabled_at, admin FROM officers ORDER BY username",
                )?;
                let rows = stmt
                    .query_map([], |r| {
                        Ok(OfficerAccount {
                            username: r.get(0)?,
                            nama: r.get(1)?,
                            instansi: r.get(2)?,
                            unit: r.get(3)?,
                            last_login_at: r.get(4)?,
                            disabled_at: r.get(5)?,
                            admin: r.get(6)?,
                        })
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows)
            })
            .await
    }

    async fn disable_officer(&self, username: &str, by: Option<&Officer>, now: i64) -> Result<bool> {
        let username = username.to_string();
        let by = by.cloned();
        self.db
            .write(move |tx| {
                command_on_officer(tx, &username, by.as_ref(), "petugas_dinonaktifkan", now, |id| {
                    tx.execute(
                        "UPDATE officers SET disabled_at = coalesce(disabled_at, ?2) WHERE id = ?1",
                        params![id, now],
                    )?;
                    tx.execute(
                        "DELETE FROM link_tokens WHERE subject_kind = 'petugas' AND subject_id = ?1 AND used_at IS NULL",
                        [id],
                    )?;
                    Ok(())
                })
            })
            .await
    }

    async fn set_officer_admin(&self, username: &str, admin: bool, now: i64) -> Result<bool> {
        let username = username.to_string();
        self.db
            .write(move |tx| {
                let found = optional(tx.query_row(
                    "SELECT instansi FROM officers WHERE username = ?1",
                    [&username],
                    |r| r.get::<_, String>(0),
                ))?;
                let Some(instansi) = found else {
                    return Ok(false);
                };
                tx.execute(
                    "UPDATE officers SET admin = ?2 WHERE username = ?1",
                    params![username, admin],
                )?;
                let line = NewAudit {
                    instansi,
                    actor: Actor {
                        kind: "sistem",
                        id: None,
                        label: "baris perintah".into(),
                    },
                    action: "petugas_admin",
                    target: username,
                    detail: Some(
                        if admin {
                            "hak admin diberikan"
                        } else {
                            "hak admin dicabut"
                        }
                        .into(),
                    ),
                };
                audit(tx, &line, now)?;
                Ok(true)
            })
            .await
    }
}
