//! The officers' second factor on SQLite.

use async_trait::async_trait;
use rusqlite::{Transaction, params};

use super::officers::command_on_officer;
use super::{SqliteStore, audit, optional};
use crate::error::Result;
use crate::keys::nik::Field;
use crate::records::*;
use crate::store::{SecondFactor, corrupt};

/// The audit line of an officer's own step (enrolment, a recovery code spent).
fn own_line(tx: &Transaction<'_>, officer_id: i64, action: &'static str) -> Result<NewAudit> {
    let (username, instansi): (String, String) = tx.query_row(
        "SELECT username, instansi FROM officers WHERE id = ?1",
        [officer_id],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(NewAudit {
        instansi,
        actor: Actor {
            kind: "petugas",
            id: Some(officer_id),
            label: username.clone(),
        },
        action,
        target: username,
        detail: None,
    })
}

#[async_trait]
impl SecondFactor for SqliteStore {
    async fn second_factor(&self, officer_id: i64) -> Result<Option<SecondFactorState>> {
        let nik = self.nik()?;
        let row = self
            .db
            .read(move |c| {
                optional(c.query_row(
                    "SELECT totp_secret, totp_pending, totp_last_step,
                            (SELECT count(*) FROM officer_recovery_codes WHERE officer_id = o.id AND used_at IS NULL)
                     FROM officers o WHERE id = ?1",
                    [officer_id],
                    |r| {
                        Ok((
                            r.get::<_, Option<String>>(0)?,
                            r.get::<_, Option<String>>(1)?,
                            r.get::<_, i64>(2)?,
                            r.get::<_, i64>(3)?,
                        ))
                    },
                ))
            })
            .await?;
        let Some((secret, pending, last_step, recovery_left)) = row else {
            return Ok(None);
        };
        let open = |sealed: Option<String>, field: &'static str| {
            sealed
                .map(|s| {
                    nik.open(Field::OfficerTotp, &s)
                        .ok_or_else(|| corrupt("officers", officer_id, field))
                })
                .transpose()
        };
        Ok(Some(SecondFactorState {
            secret: open(secret, "totp_secret")?,
            pending: open(pending, "totp_pending")?,
            last_step,
            recovery_left,
        }))
    }

    async fn offer_totp(&self, officer_id: i64, secret: &str) -> Result<()> {
        let sealed = self.nik()?.seal(Field::OfficerTotp, secret);
        self.db
            .write(move |tx| {
                tx.execute(
                    "UPDATE officers SET totp_pending = ?2
                     WHERE id = ?1 AND totp_secret IS NULL AND totp_pending IS NULL",
                    params![officer_id, sealed],
                )?;
                Ok(())
            })
            .await
    }

    async fn confirm_totp(&self, officer_id: i64, recovery_hashes: Vec<String>, step: i64, now: i64) -> Result<bool> {
        self.db
            .write(move |tx| {
                let confirmed = tx.execute(
                    "UPDATE officers SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = ?2
                     WHERE id = ?1 AND totp_secret IS NULL AND totp_pending IS NOT NULL",
                    params![officer_id, step],
                )?;
                if confirmed == 0 {
                    return Ok(false);
                }
                tx.execute("DELETE FROM officer_recovery_codes WHERE officer_id = ?1", [officer_id])?;
                for h in &recovery_hashes {
                    tx.execute(
                        "INSERT INTO officer_recovery_codes (officer_id, code_hash) VALUES (?1, ?2)",
                        params![officer_id, h],
                    )?;
                }
                audit(tx, &own_line(tx, officer_id, "verifikasi_dua_langkah_aktif")?, now)?;
                Ok(true)
            })
            .await
    }

    async fn accept_totp_step(&self, officer_id: i64, step: i64) -> Result<bool> {
        self.db
            .write(move |tx| {
                let accepted = tx.execute(
                    "UPDATE officers SET totp_last_step = ?2
                     WHERE id = ?1 AND totp_secret IS NOT NULL AND totp_last_step < ?2",
                    params![officer_id, step],
                )?;
                Ok(accepted == 1)
            })
            .await
    }

    async fn spend_recovery_code(&self, officer_id: i64, code_hash: &str, now: i64) -> Result<bool> {
        let code_hash = code_hash.to_string();
        self.db
            .write(move |tx| {
                let spent = tx.execute(
                    "UPDATE officer_recovery_codes SET used_at = ?3
                     WHERE officer_id = ?1 AND code_hash = ?2 AND used_at IS NULL",
                    params![officer_id, code_hash, now],
                )?;
                if spent == 0 {
                    return Ok(false);
                }
                audit(tx, &own_line(tx, officer_id, "kode_pemulihan_dipakai")?, now)?;
                Ok(true)
            })
            .await
    }

    async fn reset_second_factor(&self, username: &str, now: i64) -> Result<bool> {
        let username = username.to_string();
        self.db
            .write(move |tx| {
                command_on_officer(tx, &username, None, "verifikasi_dua_langkah_direset", now, |id| {
                    tx.execute(
                        "UPDATE officers SET totp_secret = NULL, totp_pending = NULL, totp_last_step = 0 WHERE id = ?1",
                        [id],
                    )?;
                    tx.execute("DELETE FROM officer_recovery_codes WHERE officer_id = ?1", [id])?;
                    Ok(())
                })
            })
            .await
    }
}
