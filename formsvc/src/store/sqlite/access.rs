//! The processing record on SQLite: one row per look, written through the one writer like
//! every change, read back with the officer's name and the application's number.

use async_trait::async_trait;
use rusqlite::params;

use super::SqliteStore;
use crate::error::Result;
use crate::records::{AccessEntry, AccessKind, NewAccess};
use crate::store::{AccessRecord, corrupt};

#[async_trait]
impl AccessRecord for SqliteStore {
    async fn record_access(&self, a: NewAccess, now: i64) -> Result<()> {
        self.db
            .write(move |tx| {
                tx.execute(
                    "INSERT INTO data_access (at, applicant_id, officer_id, officer_unit, kind, application_id, document_id, requirement_id)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![
                        now,
                        a.applicant_id,
                        a.officer_id,
                        a.officer_unit,
                        a.kind.as_str(),
                        a.application_id,
                        a.document_id,
                        a.requirement_id
                    ],
                )?;
                Ok(())
            })
            .await
    }

    async fn access_of(&self, applicant_id: i64, limit: i64) -> Result<Vec<AccessEntry>> {
        type Raw = (
            i64,
            i64,
            i64,
            String,
            String,
            String,
            Option<i64>,
            Option<String>,
            Option<i64>,
            Option<String>,
        );
        let rows: Vec<Raw> = self
            .db
            .read(move |c| {
                let mut stmt = c.prepare_cached(
                    "SELECT x.id, x.at, x.officer_id, o.nama, x.officer_unit, x.kind, x.application_id, a.nomor,
                        x.document_id, x.requirement_id
                     FROM data_access x JOIN officers o ON o.id = x.officer_id
                     LEFT JOIN applications a ON a.id = x.application_id
                     WHERE x.applicant_id = ?1 ORDER BY x.at DESC, x.id DESC LIMIT ?2",
                )?;
                let rows = stmt
                    .query_map(params![applicant_id, limit], |r| {
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
                            r.get(9)?,
                        ))
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows)
            })
            .await?;
        rows.into_iter()
            .map(
                |(
                    id,
                    at,
                    officer_id,
                    officer_nama,
                    officer_unit,
                    kind,
                    application_id,
                    nomor,
                    document_id,
                    requirement_id,
                )| {
                    Ok(AccessEntry {
                        at,
                        applicant_id,
                        officer_id,
                        officer_nama,
                        officer_unit,
                        kind: AccessKind::parse(&kind).ok_or_else(|| corrupt("data_access", id, "kind"))?,
                        application_id,
                        application_nomor: nomor,
                        document_id,
                        requirement_id,
                    })
                },
            )
            .collect()
    }

    async fn applicants_named(&self, login: &str) -> Result<Vec<i64>> {
        let login = login.to_string();
        self.db
            .read(move |c| {
                let mut stmt = c.prepare_cached(
                    "SELECT id FROM applicants WHERE username = ?1 OR lower(email) = lower(?1) ORDER BY id",
                )?;
                let ids = stmt
                    .query_map([login], |r| r.get(0))?
                    .collect::<rusqlite::Result<Vec<i64>>>()?;
                Ok(ids)
            })
            .await
    }
}
