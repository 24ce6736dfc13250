//! The processing record on PostgreSQL: one row per look, read back with the officer's name
//! and the application's number.

use async_trait::async_trait;

use super::{PgStore, exec, known, rows};
use crate::error::Result;
use crate::records::{AccessEntry, AccessKind, NewAccess};
use crate::store::AccessRecord;

#[async_trait]
impl AccessRecord for PgStore {
    async fn record_access(&self, a: NewAccess, now: i64) -> Result<()> {
        let c = self.client().await?;
        exec(
            &c,
            "INSERT INTO data_access (at, applicant_id, officer_id, officer_unit, kind, application_id, document_id, requirement_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            &[
                &now,
                &a.applicant_id,
                &a.officer_id,
                &a.officer_unit,
                &a.kind.as_str(),
                &a.application_id,
                &a.document_id,
                &a.requirement_id,
            ],
        )
        .await?;
        Ok(())
    }

    async fn access_of(&self, applicant_id: i64, limit: i64) -> Result<Vec<AccessEntry>> {
        let c = self.client().await?;
        rows(
            &c,
            "SELECT x.id, x.at, x.officer_id, o.nama, x.officer_unit, x.kind, x.application_id, a.nomor,
                x.document_id, x.requirement_id
             FROM data_access x JOIN officers o ON o.id = x.officer_id
             LEFT JOIN applications a ON a.id = x.application_id
             WHERE x.applicant_id = $1 ORDER BY x.at DESC, x.id DESC LIMIT $2",
            &[&applicant_id, &limit],
        )
        .await?
        .into_iter()
        .map(|r| {
            let id: i64 = r.try_get(0)?;
            Ok(AccessEntry {
                at: r.try_get(1)?,
                applicant_id,
                officer_id: r.try_get(2)?,
                officer_nama: r.try_get(3)?,
                officer_unit: r.try_get(4)?,
                kind: known(AccessKind::parse(r.try_get(5)?), "data_access", id, "kind")?,
                application_id: r.try_get(6)?,
                application_nomor: r.try_get(7)?,
                document_id: r.try_get(8)?,
                requirement_id: r.try_get(9)?,
            })
        })
        .collect()
    }

    async fn applicants_named(&self, login: &str) -> Result<Vec<i64>> {
        let c = self.client().await?;
        rows(
            &c,
            "SELECT id FROM applicants WHERE username = $1 OR lower(email) = lower($1) ORDER BY id",
            &[&login],
        )
        .await?
        .into_iter()
        .map(|r| Ok(r.try_get(0)?))
        .collect()
    }
}
