//! The retention schedule on SQLite: one write job finds what is past its period and, unless
//! a dry run, erases it with its audit lines. `secure_delete` (see `db`) zeroes what the
//! deletes free, and a checkpoint afterwards empties the write-ahead log that still held the
//! old pages, so the erased data is not left in the file.

use async_trait::async_trait;
use rusqlite::{Transaction, params};

use super::{SqliteStore, audit};
use crate::error::Result;
use crate::records::*;
use crate::store::Retention;

#[async_trait]
impl Retention for SqliteStore {
    async fn retention(&self, c: RetentionCutoffs, instansi: &str, apply: bool, now: i64) -> Result<RetentionReport> {
        let instansi = instansi.to_string();
        let report = self
            .db
            .write(move |tx| {
                let now_ms = now * 1000;
                let mut report = RetentionReport::default();
                let registrations = [
                    (
                        ErasureKind::RefusedRegistrations,
                        numbered(
                            tx,
                            "SELECT id, nomor FROM applicants WHERE status = 'ditolak' AND decided_at < ?1 ORDER BY id",
                            Some(c.refused_registrations),
                        )?,
                    ),
                    (
                        ErasureKind::UnfinishedRegistrations,
                        numbered(
                            tx,
                            "SELECT id, nomor FROM applicants a WHERE status = 'aktif' AND password_hash IS NULL
                             AND decided_at < ?1
                             AND NOT EXISTS (SELECT 1 FROM applications p WHERE p.applicant_id = a.id) ORDER BY id",
                            Some(c.unfinished_registrations),
                        )?,
                    ),
                ];
                let applications = [
                    (ErasureKind::Drafts, "draf", Some(c.drafts)),
                    (
                        ErasureKind::RejectedApplications,
                        "ditolak",
                        Some(c.rejected_applications),
                    ),
                    (ErasureKind::FinishedApplications, "selesai", c.finished_applications),
                ]
                .into_iter()
                .map(|(kind, status, cutoff)| {
                    let sql = format!(
                        "SELECT id, nomor FROM applications WHERE status = '{status}' AND updated_at < ?1 ORDER BY id"
                    );
                    Ok((kind, numbered(tx, &sql, cutoff)?))
                })
                .collect::<Result<Vec<_>>>()?;
                report.archive_due = numbered(
                    tx,
                    "SELECT id, nomor FROM applications WHERE status = 'selesai' AND updated_at < ?1 ORDER BY id",
                    c.finished_for_archive,
                )?
                .into_iter()
                .map(|(_, nomor)| nomor)
                .collect();
                for (kind, found) in registrations {
                    for (id, _) in &found {
                        report.documents += if apply {
                            erase_applicant(tx, *id, now_ms)?
                        } else {
                            tx.query_row(
                                "SELECT count(*) FROM documents d JOIN applications a ON a.id = d.application_id
                                 WHERE a.applicant_id = ?1",
                                [id],
                                |r| r.get(0),
                            )?
                        };
                    }
                    push(&mut report, kind, found);
                }
                for (kind, found) in applications {
                    for (id, _) in &found {
                        report.documents += if apply {
                            erase_application(tx, *id, now_ms)?
                        } else {
                            tx.query_row("SELECT count(*) FROM documents WHERE application_id = ?1", [id], |r| {
                                r.get(0)
                            })?
                        };
                    }
                    push(&mut report, kind, found);
                }
                let rest = [
                    (
                        ErasureKind::Links,
                        "link_tokens",
                        "expires_at < ?1 OR used_at < ?1",
                        c.links,
                    ),
                    (ErasureKind::Sessions, "sessions", "last_seen_at < ?1", c.sessions),
                    (
                        ErasureKind::Counters,
                        "attempt_counters",
                        "window_start < ?1",
                        c.counters,
                    ),
                    (
                        ErasureKind::Mail,
                        "outbox",
                        "status IN ('terkirim', 'gagal') AND created_at < ?1",
                        c.mail * 1000,
                    ),
                ];
                for (kind, table, filter, cutoff) in rest {
                    let n: i64 = if apply {
                        tx.execute(&format!("DELETE FROM {table} WHERE {filter}"), [cutoff])? as i64
                    } else {
                        tx.query_row(&format!("SELECT count(*) FROM {table} WHERE {filter}"), [cutoff], |r| {
                            r.get(0)
                        })?
                    };
                    if n > 0 {
                        report.erased.push((kind, n, Vec::new()));
                    }
                }
                if apply {
                    for (kind, n, _) in &report.erased {
                        audit(tx, &erasure_line(&instansi, *kind, *n), now)?;
                    }
                }
                Ok(report)
            })
            .await?;
        if apply && !report.erased.is_empty() {
            self.db.checkpoint().await?;
        }
        Ok(report)
    }
}

/// The audit line of one kind erased: what and how many, never whose.
pub(super) fn erasure_line(instansi: &str, kind: ErasureKind, n: i64) -> NewAudit {
    NewAudit {
        instansi: instansi.to_string(),
        actor: Actor {
            kind: "sistem",
            id: None,
            label: "jadwal retensi".into(),
        },
        action: "retensi_dihapus",
        target: kind.as_str().to_string(),
        detail: Some(format!("{n} data")),
    }
}

fn push(report: &mut RetentionReport, kind: ErasureKind, found: Vec<(i64, String)>) {
    if !found.is_empty() {
        let ids: Vec<String> = found.into_iter().map(|(_, nomor)| nomor).collect();
        report.erased.push((kind, ids.len() as i64, ids));
    }
}

/// `(id, nomor)` of the rows `sql` selects with the cut-off; nothing without one.
fn numbered(tx: &Transaction<'_>, sql: &str, cutoff: Option<i64>) -> Result<Vec<(i64, String)>> {
    let Some(cutoff) = cutoff else {
        return Ok(Vec::new());
    };
    Ok(tx
        .prepare(sql)?
        .query_map([cutoff], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<Vec<_>>>()?)
}

/// Erases an application: its documents (objects discarded for the sweeper), events, refused
/// uploads and the emails that name it. Returns how many documents it had.
pub(super) fn erase_application(tx: &Transaction<'_>, id: i64, now_ms: i64) -> Result<i64> {
    let nomor: String = tx.query_row("SELECT nomor FROM applications WHERE id = ?1", [id], |r| r.get(0))?;
    let names = tx
        .prepare("SELECT stored_name FROM documents WHERE application_id = ?1")?
        .query_map([id], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    for name in &names {
        tx.execute(
            "INSERT INTO discarded_blobs (name, discarded_at) VALUES (?1, ?2) ON CONFLICT(name) DO NOTHING",
            params![name, now_ms],
        )?;
    }
    tx.execute("DELETE FROM documents WHERE application_id = ?1", [id])?;
    tx.execute("DELETE FROM application_events WHERE application_id = ?1", [id])?;
    tx.execute("DELETE FROM scan_refusals WHERE application_id = ?1", [id])?;
    tx.execute(
        "DELETE FROM outbox WHERE instr(text_body, ?1) > 0 OR instr(html_body, ?1) > 0 OR instr(subject, ?1) > 0",
        [&nomor],
    )?;
    // Its audit lines (the applicant's uploads and Ajukan, the officers' actions) keep the
    // action and lose the number, as an erased person's lines lose the name.
    tx.execute(
        "UPDATE audit SET target = 'permohonan (dihapus)' WHERE target = ?1",
        [&nomor],
    )?;
    // The processing record of an erased application goes with it (and must: it references it).
    tx.execute("DELETE FROM data_access WHERE application_id = ?1", [id])?;
    tx.execute("DELETE FROM applications WHERE id = ?1", [id])?;
    Ok(names.len() as i64)
}

/// Erases an applicant with everything of theirs: applications, sessions, links, the emails
/// to them or naming their registration; their audit lines keep the action, not the name.
/// Returns how many documents went.
pub(super) fn erase_applicant(tx: &Transaction<'_>, id: i64, now_ms: i64) -> Result<i64> {
    let applications = tx
        .prepare("SELECT id FROM applications WHERE applicant_id = ?1")?
        .query_map([id], |r| r.get::<_, i64>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut documents = 0;
    for application in applications {
        documents += erase_application(tx, application, now_ms)?;
    }
    forget_applicant(tx, id)?;
    tx.execute("DELETE FROM applicants WHERE id = ?1", [id])?;
    Ok(documents)
}

/// What holds an applicant's data besides their applications and their row: sessions, links,
/// the emails to them or naming their registration, the processing record, their correction requests. Their audit lines
/// keep the action, not the name; a deletion request keeps its number, not the account.
pub(super) fn forget_applicant(tx: &Transaction<'_>, id: i64) -> Result<()> {
    let (nomor, username, email): (String, String, String) = tx.query_row(
        "SELECT nomor, username, email FROM applicants WHERE id = ?1",
        [id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    tx.execute("DELETE FROM sessions WHERE kind = 'pemohon' AND user_id = ?1", [id])?;
    tx.execute(
        "DELETE FROM link_tokens WHERE subject_kind = 'pemohon' AND subject_id = ?1",
        [id],
    )?;
    // An account erased before (kept for its finished applications) has an empty email, which
    // every body contains.
    tx.execute(
        "DELETE FROM outbox WHERE (?1 != '' AND (lower(recipient) = lower(?1)
            OR instr(lower(text_body), lower(?1)) > 0 OR instr(lower(html_body), lower(?1)) > 0))
            OR instr(text_body, ?2) > 0 OR instr(html_body, ?2) > 0 OR instr(subject, ?2) > 0",
        params![email, nomor],
    )?;
    tx.execute(
        "UPDATE audit SET actor_label = 'pemohon (dihapus)', target = CASE WHEN target = ?2 THEN ?3 ELSE target END
         WHERE actor_kind = 'pemohon' AND actor_id = ?1",
        params![id, username, nomor],
    )?;
    tx.execute("DELETE FROM data_access WHERE applicant_id = ?1", [id])?;
    tx.execute(
        "UPDATE deletion_requests SET applicant_id = NULL WHERE applicant_id = ?1",
        [id],
    )?;
    tx.execute("DELETE FROM identity_corrections WHERE applicant_id = ?1", [id])?;
    Ok(())
}
