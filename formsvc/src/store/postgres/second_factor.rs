//! The officers' second factor on PostgreSQL. Each change is one conditional statement, so
//! instances racing on the same officer (two codes at once, a code and a reset) serialise on
//! the officer's row.

use async_trait::async_trait;
use deadpool_postgres::Transaction;

use super::officers::command_on_officer;
use super::{Audit, PgStore, audit, exec, one, row};
use crate::error::Result;
use crate::keys::nik::Field;
use crate::records::*;
use crate::store::{SecondFactor, corrupt};

/// Writes the audit line of an officer's own step (enrolment, a recovery code spent).
async fn own_line(tx: &Transaction<'_>, officer_id: i64, action: &'static str, now: i64) -> Result<()> {
    let o = one(
        tx,
        "SELECT username, instansi FROM officers WHERE id = $1",
        &[&officer_id],
    )
    .await?;
    let (username, instansi): (String, String) = (o.try_get(0)?, o.try_get(1)?);
    audit(
        tx,
        now,
        Audit {
            instansi: &instansi,
            actor_kind: "petugas",
            actor_id: Some(officer_id),
            actor_label: &username,
            action,
            target: &username,
            detail: None,
        },
    )
    .await
}

#[async_trait]
impl SecondFactor for PgStore {
    async fn second_factor(&self, officer_id: i64) -> Result<Option<SecondFactorState>> {
        let c = self.client().await?;
        let Some(r) = row(
            &c,
            "SELECT totp_secret, totp_pending, totp_last_step,
                    (SELECT count(*) FROM officer_recovery_codes WHERE officer_id = o.id AND used_at IS NULL)
             FROM officers o WHERE id = $1",
            &[&officer_id],
        )
        .await?
        else {
            return Ok(None);
        };
        let nik = self.nik()?;
        let open = |sealed: Option<String>, field: &'static str| {
            sealed
                .map(|s| {
                    nik.open(Field::OfficerTotp, &s)
                        .ok_or_else(|| corrupt("officers", officer_id, field))
                })
                .transpose()
        };
        Ok(Some(SecondFactorState {
            secret: open(r.try_get(0)?, "totp_secret")?,
            pending: open(r.try_get(1)?, "totp_pending")?,
            last_step: r.try_get(2)?,
            recovery_left: r.try_get(3)?,
        }))
    }

    async fn offer_totp(&self, officer_id: i64, secret: &str) -> Result<()> {
        let sealed = self.nik()?.seal(Field::OfficerTotp, secret);
        let c = self.client().await?;
        exec(
            &c,
            "UPDATE officers SET totp_pending = $2
             WHERE id = $1 AND totp_secret IS NULL AND totp_pending IS NULL",
            &[&officer_id, &sealed],
        )
        .await?;
        Ok(())
    }

    async fn confirm_totp(&self, officer_id: i64, recovery_hashes: Vec<String>, step: i64, now: i64) -> Result<bool> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let confirmed = exec(
            &tx,
            "UPDATE officers SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = $2
             WHERE id = $1 AND totp_secret IS NULL AND totp_pending IS NOT NULL",
            &[&officer_id, &step],
        )
        .await?;
        if confirmed == 0 {
            return Ok(false);
        }
        exec(
            &tx,
            "DELETE FROM officer_recovery_codes WHERE officer_id = $1",
            &[&officer_id],
        )
        .await?;
        for h in &recovery_hashes {
            exec(
                &tx,
                "INSERT INTO officer_recovery_codes (officer_id, code_hash) VALUES ($1, $2)",
                &[&officer_id, h],
            )
            .await?;
        }
        own_line(&tx, officer_id, "verifikasi_dua_langkah_aktif", now).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn accept_totp_step(&self, officer_id: i64, step: i64) -> Result<bool> {
        let c = self.client().await?;
        let accepted = exec(
            &c,
            "UPDATE officers SET totp_last_step = $2
             WHERE id = $1 AND totp_secret IS NOT NULL AND totp_last_step < $2",
            &[&officer_id, &step],
        )
        .await?;
        Ok(accepted == 1)
    }

    async fn spend_recovery_code(&self, officer_id: i64, code_hash: &str, now: i64) -> Result<bool> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let spent = exec(
            &tx,
            "UPDATE officer_recovery_codes SET used_at = $3
             WHERE officer_id = $1 AND code_hash = $2 AND used_at IS NULL",
            &[&officer_id, &code_hash, &now],
        )
        .await?;
        if spent == 0 {
            return Ok(false);
        }
        own_line(&tx, officer_id, "kode_pemulihan_dipakai", now).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn reset_second_factor(&self, username: &str, now: i64) -> Result<bool> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        let changed = row(
            &tx,
            "UPDATE officers SET totp_secret = NULL, totp_pending = NULL, totp_last_step = 0
             WHERE username = $1 RETURNING id, instansi",
            &[&username],
        )
        .await?;
        let Some(id) = command_on_officer(&tx, changed, username, None, "verifikasi_dua_langkah_direset", now).await?
        else {
            return Ok(false);
        };
        exec(&tx, "DELETE FROM officer_recovery_codes WHERE officer_id = $1", &[&id]).await?;
        tx.commit().await?;
        Ok(true)
    }
}
