//! The audit trail: who did what to which record, and when. Written in the same transaction as
//! the change it records; shown to officers of the same instansi.

use rusqlite::{Transaction, params};

use crate::db::now;
use crate::error::Result;

#[allow(clippy::too_many_arguments)]
pub fn record(
    tx: &Transaction<'_>,
    instansi: &str,
    actor_kind: &str,
    actor_id: Option<i64>,
    actor_label: &str,
    action: &str,
    target: &str,
    detail: Option<&str>,
) -> Result<()> {
    tx.execute(
        "INSERT INTO audit (at, instansi, actor_kind, actor_id, actor_label, action, target, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            now(),
            instansi,
            actor_kind,
            actor_id,
            actor_label,
            action,
            target,
            detail
        ],
    )?;
    Ok(())
}

/// The Indonesian words for an action, as the console shows them.
pub fn action_label(action: &str) -> &str {
    match action {
        "registrasi_masuk" => "Registrasi diterima",
        "registrasi_disetujui" => "Registrasi disetujui",
        "registrasi_ditolak" => "Registrasi ditolak",
        "sandi_diatur" => "Kata sandi diatur",
        "sandi_direset" => "Tautan atur ulang kata sandi dikirim",
        "profil_diubah" => "Data kontak diubah",
        "petugas_dibuat" => "Akun petugas dibuat",
        other => other,
    }
}
