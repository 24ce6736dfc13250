//! The retention schedule on PostgreSQL: one transaction finds what is past its period and,
//! unless a dry run, erases it with its audit lines; then a VACUUM of the tables it touched,
//! so the erased rows do not linger as dead tuples (VACUUM frees their space for reuse; the
//! bytes go when it is reused).

use async_trait::async_trait;
use deadpool_postgres::Transaction;

use super::{Audit, PgStore, audit, exec, one, rows};
use crate::error::Result;
use crate::records::*;
use crate::store::Retention;

/// What an erasure deletes from.
pub(super) const TOUCHED: &str = "applicants, applications, documents, application_events, scan_refusals, outbox, sessions, \
                       link_tokens, attempt_counters, audit";

#[async_trait]
impl Retention for PgStore {
    async fn retention(&self, c: RetentionCutoffs, instansi: &str, apply: bool, now: i64) -> Result<RetentionReport> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let now_ms = now * 1000;
        let mut report = RetentionReport::default();
        // Locked, so two instances running the schedule at once erase each row once.
        let registrations = [
            (
                ErasureKind::RefusedRegistrations,
                numbered(
                    &tx,
                    "SELECT id, nomor FROM applicants WHERE status = 'ditolak' AND decided_at < $1 ORDER BY id FOR UPDATE",
                    Some(c.refused_registrations),
                )
                .await?,
            ),
            (
                ErasureKind::UnfinishedRegistrations,
                numbered(
                    &tx,
                    "SELECT id, nomor FROM applicants a WHERE status = 'aktif' AND password_hash IS NULL
                     AND decided_at < $1
                     AND NOT EXISTS (SELECT 1 FROM applications p WHERE p.applicant_id = a.id) ORDER BY id FOR UPDATE",
                    Some(c.unfinished_registrations),
                )
                .await?,
            ),
        ];
        let mut applications = Vec::new();
        for (kind, status, cutoff) in [
            (ErasureKind::Drafts, "draf", Some(c.drafts)),
            (
                ErasureKind::RejectedApplications,
                "ditolak",
                Some(c.rejected_applications),
            ),
            (ErasureKind::FinishedApplications, "selesai", c.finished_applications),
        ] {
            let sql = format!(
                "SELECT id, nomor FROM applications WHERE status = '{status}' AND updated_at < $1 ORDER BY id FOR UPDATE"
            );
            applications.push((kind, numbered(&tx, &sql, cutoff).await?));
        }
        report.archive_due = numbered(
            &tx,
            "SELECT id, nomor FROM applications WHERE status = 'selesai' AND updated_at < $1 ORDER BY id",
            c.finished_for_archive,
        )
        .await?
        .into_iter()
        .map(|(_, nomor)| nomor)
        .collect();
        for (kind, found) in registrations {
            for (id, _) in &found {
                report.documents += if apply {
                    erase_applicant(&tx, *id, now_ms).await?
                } else {
                    one(
                        &tx,
                        "SELECT count(*) FROM documents d JOIN applications a ON a.id = d.application_id
                         WHERE a.applicant_id = $1",
                        &[id],
                    )
                    .await?
                    .try_get::<_, i64>(0)?
                };
            }
            push(&mut report, kind, found);
        }
        for (kind, found) in applications {
            for (id, _) in &found {
                report.documents += if apply {
                    erase_application(&tx, *id, now_ms).await?
                } else {
                    one(&tx, "SELECT count(*) FROM documents WHERE application_id = $1", &[id])
                        .await?
                        .try_get::<_, i64>(0)?
                };
            }
            push(&mut report, kind, found);
        }
        let rest = [
            (
                ErasureKind::Links,
                "link_tokens",
                "expires_at < $1 OR used_at < $1",
                c.links,
            ),
            (ErasureKind::Sessions, "sessions", "last_seen_at < $1", c.sessions),
            (
                ErasureKind::Counters,
                "attempt_counters",
                "window_start < $1",
                c.counters,
            ),
            (
                ErasureKind::Mail,
                "outbox",
                "status IN ('terkirim', 'gagal') AND created_at < $1",
                c.mail * 1000,
            ),
        ];
        for (kind, table, filter, cutoff) in rest {
            let n: i64 = if apply {
                exec(&tx, &format!("DELETE FROM {table} WHERE {filter}"), &[&cutoff]).await? as i64
            } else {
                one(&tx, &format!("SELECT count(*) FROM {table} WHERE {filter}"), &[&cutoff])
                    .await?
                    .try_get(0)?
            };
            if n > 0 {
                report.erased.push((kind, n, Vec::new()));
            }
        }
        if apply {
            for (kind, n, _) in &report.erased {
                let detail = format!("{n} data");
                audit(
                    &tx,
                    now,
                    Audit {
                        instansi,
                        actor_kind: "sistem",
                        actor_id: None,
                        actor_label: "jadwal retensi",
                        action: "retensi_dihapus",
                        target: kind.as_str(),
                        detail: Some(&detail),
                    },
                )
                .await?;
            }
        }
        tx.commit().await?;
        if apply && !report.erased.is_empty() {
            client.batch_execute(&format!("VACUUM {TOUCHED}")).await?;
        }
        Ok(report)
    }
}

fn push(report: &mut RetentionReport, kind: ErasureKind, found: Vec<(i64, String)>) {
    if !found.is_empty() {
        let ids: Vec<String> = found.into_iter().map(|(_, nomor)| nomor).collect();
        report.erased.push((kind, ids.len() as i64, ids));
    }
}

/// `(id, nomor)` of the rows `sql` selects with the cut-off; nothing without one.
async fn numbered(tx: &Transaction<'_>, sql: &str, cutoff: Option<i64>) -> Result<Vec<(i64, String)>> {
    let Some(cutoff) = cutoff else {
        return Ok(Vec::new());
    };
    rows(tx, sql, &[&cutoff])
        .await?
        .iter()
        .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
        .collect()
}

/// Erases an application: its documents (objects discarded for the sweeper), events, refused
/// uploads and the emails that name it. Returns how many documents it had.
pub(super) async fn erase_application(tx: &Transaction<'_>, id: i64, now_ms: i64) -> Result<i64> {
    let nomor: String = one(tx, "SELECT nomor FROM applications WHERE id = $1", &[&id])
        .await?
        .try_get(0)?;
    exec(
        tx,
        "INSERT INTO discarded_blobs (name, discarded_at)
         SELECT stored_name, $2 FROM documents WHERE application_id = $1 ON CONFLICT (name) DO NOTHING",
        &[&id, &now_ms],
    )
    .await?;
    let documents = exec(tx, "DELETE FROM documents WHERE application_id = $1", &[&id]).await?;
    exec(tx, "DELETE FROM application_events WHERE application_id = $1", &[&id]).await?;
    exec(tx, "DELETE FROM scan_refusals WHERE application_id = $1", &[&id]).await?;
    exec(
        tx,
        "DELETE FROM outbox WHERE strpos(text_body, $1) > 0 OR strpos(html_body, $1) > 0 OR strpos(subject, $1) > 0",
        &[&nomor],
    )
    .await?;
    // Its audit lines (the applicant's uploads and Ajukan, the officers' actions) keep the
    // action and lose the number, as an erased person's lines lose the name.
    exec(
        tx,
        "UPDATE audit SET target = 'permohonan (dihapus)' WHERE target = $1",
        &[&nomor],
    )
    .await?;
    // The processing record of an erased application goes with it (and must: it references it).
    exec(tx, "DELETE FROM data_access WHERE application_id = $1", &[&id]).await?;
    exec(tx, "DELETE FROM applications WHERE id = $1", &[&id]).await?;
    Ok(documents as i64)
}

/// Erases an applicant with everything of theirs: applications, sessions, links, the emails
/// to them or naming their registration; their audit lines keep the action, not the name.
/// Returns how many documents went.
async fn erase_applicant(tx: &Transaction<'_>, id: i64, now_ms: i64) -> Result<i64> {
    let mut documents = 0;
    for r in rows(tx, "SELECT id FROM applications WHERE applicant_id = $1", &[&id]).await? {
        documents += erase_application(tx, r.try_get(0)?, now_ms).await?;
    }
    forget_applicant(tx, id).await?;
    exec(tx, "DELETE FROM applicants WHERE id = $1", &[&id]).await?;
    Ok(documents)
}

/// What holds an applicant's data besides their applications and their row: sessions, links,
/// the emails to them or naming their registration, the processing record, their correction requests. Their audit lines
/// keep the action, not the name; a deletion request keeps its number, not the account.
pub(super) async fn forget_applicant(tx: &Transaction<'_>, id: i64) -> Result<()> {
    let r = one(
        tx,
        "SELECT nomor, username, email FROM applicants WHERE id = $1",
        &[&id],
    )
    .await?;
    let (nomor, username, email): (String, String, String) = (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?);
    exec(
        tx,
        "DELETE FROM sessions WHERE kind = 'pemohon' AND user_id = $1",
        &[&id],
    )
    .await?;
    exec(
        tx,
        "DELETE FROM link_tokens WHERE subject_kind = 'pemohon' AND subject_id = $1",
        &[&id],
    )
    .await?;
    // An account erased before (kept for its finished applications) has an empty email, which
    // every body contains.
    exec(
        tx,
        "DELETE FROM outbox WHERE ($1 <> '' AND (lower(recipient) = lower($1)
            OR strpos(lower(text_body), lower($1)) > 0 OR strpos(lower(html_body), lower($1)) > 0))
            OR strpos(text_body, $2) > 0 OR strpos(html_body, $2) > 0 OR strpos(subject, $2) > 0",
        &[&email, &nomor],
    )
    .await?;
    exec(
        tx,
        "UPDATE audit SET actor_label = 'pemohon (dihapus)', target = CASE WHEN target = $2 THEN $3 ELSE target END
         WHERE actor_kind = 'pemohon' AND actor_id = $1",
        &[&id, &username, &nomor],
    )
    .await?;
    exec(tx, "DELETE FROM data_access WHERE applicant_id = $1", &[&id]).await?;
    exec(
        tx,
        "UPDATE deletion_requests SET applicant_id = NULL WHERE applicant_id = $1",
        &[&id],
    )
    .await?;
    exec(tx, "DELETE FROM identity_corrections WHERE applicant_id = $1", &[&id]).await?;
    Ok(())
}
