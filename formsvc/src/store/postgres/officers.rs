//! Officer accounts on PostgreSQL, and what the console shows beside the queues: the audit
//! trail, the emails that could not be delivered and the uploads the virus scanner refused.

use async_trait::async_trait;

use super::{Audit, PgStore, audit, exec, known, one, row, rows};
use crate::error::{Error, Result};
use crate::records::*;
use crate::store::Officers;

/// The rest of what `sicantik officer …` (or an admin in the console, `by`) does once the
/// caller's `UPDATE … RETURNING id, instansi` changed the officer `username` (`changed`;
/// `None`: no such officer): every session of theirs ended, and the audit line `action` in the
/// name of `by` or of the command line. The officer's id.
pub(super) async fn command_on_officer(
    tx: &deadpool_postgres::Transaction<'_>,
    changed: Option<tokio_postgres::Row>,
    username: &str,
    by: Option<&Officer>,
    action: &str,
    now: i64,
) -> Result<Option<i64>> {
    let Some(found) = changed else {
        return Ok(None);
    };
    let (id, instansi): (i64, String) = (found.try_get(0)?, found.try_get(1)?);
    exec(
        tx,
        "DELETE FROM sessions WHERE kind = 'petugas' AND user_id = $1",
        &[&id],
    )
    .await?;
    audit(
        tx,
        now,
        Audit {
            instansi: &instansi,
            actor_kind: by.map_or("sistem", |_| "petugas"),
            actor_id: by.map(|o| o.id),
            actor_label: by.map_or("baris perintah", |o| o.username.as_str()),
            action,
            target: username,
            detail: None,
        },
    )
    .await?;
    Ok(Some(id))
}

#[async_trait]
impl Officers for PgStore {
    async fn officer(&self, id: i64) -> Result<Option<Officer>> {
        let c = self.client().await?;
        row(
            &c,
            "SELECT id, username, nama, instansi, unit, admin FROM officers WHERE id = $1",
            &[&id],
        )
        .await?
        .map(|r| {
            Ok(Officer {
                id: r.try_get(0)?,
                username: r.try_get(1)?,
                nama: r.try_get(2)?,
                instansi: r.try_get(3)?,
                unit: r.try_get(4)?,
                admin: r.try_get(5)?,
            })
        })
        .transpose()
    }

    async fn add_officer(&self, new: NewOfficerRecord, link: Option<NewLink>, now: i64) -> Result<()> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        // A concurrent insert of the same username makes this one wait, then do nothing.
        let inserted = row(
            &tx,
            "INSERT INTO officers (username, nama, email, instansi, unit, password_hash, created_at, admin)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (username) DO NOTHING RETURNING id",
            &[
                &new.username.as_str(),
                &new.nama.as_str(),
                &new.email.as_str(),
                &new.instansi,
                &new.unit,
                &new.password_hash,
                &now,
                &new.admin,
            ],
        )
        .await?;
        let Some(inserted) = inserted else {
            return Err(Error::Config(format!(
                "an officer named {} already exists",
                new.username.as_str()
            )));
        };
        let id: i64 = inserted.try_get(0)?;
        if let Some(link) = link {
            exec(
                &tx,
                "INSERT INTO link_tokens (token_hash, purpose, subject_kind, subject_id, created_at, expires_at)
                 VALUES ($1, $2, 'petugas', $3, $4, $5)",
                &[&link.token_hash, &link.purpose.as_str(), &id, &now, &link.expires_at],
            )
            .await?;
        }
        audit(
            &tx,
            now,
            Audit {
                instansi: &new.instansi,
                actor_kind: "sistem",
                actor_id: None,
                actor_label: "baris perintah",
                action: "petugas_dibuat",
                target: new.username.as_str(),
                detail: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn audit_search(&self, f: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let c = self.client().await?;
        // Every filter is a bound parameter; the actor's text is found as typed (strpos: no
        // LIKE wildcards).
        rows(
            &c,
            "SELECT at, actor_kind, actor_label, action, target, detail FROM audit
             WHERE instansi = $1
               AND ($2::text IS NULL OR target = $2::text)
               AND ($3::text IS NULL OR actor_kind = $3::text)
               AND ($4::text = '' OR strpos(lower(actor_label), $4::text) > 0)
               AND ($5::bigint IS NULL OR at >= $5::bigint)
               AND ($6::bigint IS NULL OR at < $6::bigint)
             ORDER BY at DESC, id DESC LIMIT $7",
            &[
                &f.instansi,
                &f.target,
                &f.actor_kind,
                &f.actor,
                &f.from,
                &f.to,
                &f.limit,
            ],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(AuditEntry {
                at: r.try_get(0)?,
                actor_kind: r.try_get(1)?,
                actor_label: r.try_get(2)?,
                action: r.try_get(3)?,
                target: r.try_get(4)?,
                detail: r.try_get(5)?,
            })
        })
        .collect()
    }

    async fn undelivered_mail(&self, instansi: &str, limit: i64) -> Result<Vec<UndeliveredMail>> {
        let c = self.client().await?;
        rows(
            &c,
            "SELECT id, recipient, subject, status, attempts, last_error, created_at FROM outbox
             WHERE instansi = $1 AND (status = 'gagal' OR (status = 'antre' AND attempts > 0))
             ORDER BY created_at DESC, id DESC LIMIT $2",
            &[&instansi, &limit],
        )
        .await?
        .iter()
        .map(|r| {
            let id: i64 = r.try_get(0)?;
            Ok(UndeliveredMail {
                recipient: r.try_get(1)?,
                subject: r.try_get(2)?,
                status: known(MailStatus::parse(r.try_get(3)?), "outbox", id, "status")?,
                attempts: r.try_get(4)?,
                last_error: r.try_get(5)?,
                created_at_ms: r.try_get(6)?,
            })
        })
        .collect()
    }

    async fn failed_mail_count(&self, instansi: &str) -> Result<i64> {
        let c = self.client().await?;
        Ok(one(
            &c,
            "SELECT count(*) FROM outbox WHERE status = 'gagal' AND instansi = $1",
            &[&instansi],
        )
        .await?
        .try_get(0)?)
    }

    async fn scan_refusals(&self, instansi: &str, unit: &str, limit: i64) -> Result<Vec<ScanRefusal>> {
        let c = self.client().await?;
        rows(
            &c,
            "SELECT r.id, r.at, a.nomor, r.requirement, r.outcome, r.detail
             FROM scan_refusals r JOIN applications a ON a.id = r.application_id
             WHERE a.instansi = $1 AND a.unit = $2 ORDER BY r.at DESC, r.id DESC LIMIT $3",
            &[&instansi, &unit, &limit],
        )
        .await?
        .iter()
        .map(|r| {
            let id: i64 = r.try_get(0)?;
            Ok(ScanRefusal {
                at: r.try_get(1)?,
                nomor: r.try_get(2)?,
                requirement: r.try_get(3)?,
                outcome: known(ScanOutcome::parse(r.try_get(4)?), "scan_refusals", id, "outcome")?,
                detail: r.try_get(5)?,
            })
        })
        .collect()
    }

    async fn scan_refusal_count(&self, instansi: &str, unit: &str, since: i64) -> Result<i64> {
        let c = self.client().await?;
        Ok(one(
            &c,
            "SELECT count(*) FROM scan_refusals r JOIN applications a ON a.id = r.application_id
             WHERE a.instansi = $1 AND a.unit = $2 AND r.at >= $3",
            &[&instansi, &unit, &since],
        )
        .await?
        .try_get(0)?)
    }

    async fn officer_accounts(&self) -> Result<Vec<OfficerAccount>> {
        let c = self.client().await?;
        rows(
            &c,
            "SELECT username, nama, instansi, unit, last_login_at, disabled_at, admin FROM officers ORDER BY username",
            &[],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(OfficerAccount {
                username: r.try_get(0)?,
                nama: r.try_get(1)?,
                instansi: r.try_get(2)?,
                unit: r.try_get(3)?,
                last_login_at: r.try_get(4)?,
                disabled_at: r.try_get(5)?,
                admin: r.try_get(6)?,
            })
        })
        .collect()
    }

    async fn disable_officer(&self, username: &str, by: Option<&Officer>, now: i64) -> Result<bool> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        // The row lock orders this against a sign-in that checked the password before it.
        let changed = row(
            &tx,
            "UPDATE officers SET disabled_at = coalesce(disabled_at, $2) WHERE username = $1 RETURNING id, instansi",
            &[&username, &now],
        )
        .await?;
        let Some(id) = command_on_officer(&tx, changed, username, by, "petugas_dinonaktifkan", now).await? else {
            return Ok(false);
        };
        exec(
            &tx,
            "DELETE FROM link_tokens WHERE subject_kind = 'petugas' AND subject_id = $1 AND used_at IS NULL",
            &[&id],
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn set_officer_admin(&self, username: &str, admin: bool, now: i64) -> Result<bool> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let found = row(
            &tx,
            "UPDATE officers SET admin = $2 WHERE username = $1 RETURNING instansi",
            &[&username, &admin],
        )
        .await?;
        let Some(found) = found else {
            return Ok(false);
        };
        let instansi: String = found.try_get(0)?;
        audit(
            &tx,
            now,
            Audit {
                instansi: &instansi,
                actor_kind: "sistem",
                actor_id: None,
                actor_label: "baris perintah",
                action: "petugas_admin",
                target: username,
                detail: Some(if admin {
                    "hak admin diberikan"
                } else {
                    "hak admin dicabut"
                }),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }
}
