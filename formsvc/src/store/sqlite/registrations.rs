//! Registrasi Pemohon and the officers' decisions on it, on SQLite.

use async_trait::async_trait;
use rusqlite::{OptionalExtension, Transaction, params};

use super::db::next_counter;
use super::{APPLICANT_COLUMNS, SqliteStore, applicant_row, audit, enqueue, optional};
use crate::error::{Error, Result};
use crate::keys::NikKey;
use crate::keys::nik::Field;
use crate::records::*;
use crate::store::{Compose, Registrations};

fn officer_actor(o: &Officer) -> Actor {
    Actor {
        kind: "petugas",
        id: Some(o.id),
        label: o.username.clone(),
    }
}

/// The registration an officer of `instansi` may still decide, or why not (not theirs, or
/// decided already).
fn waiting(
    tx: &Transaction<'_>,
    id: i64,
    instansi: &str,
    nik: &NikKey,
) -> Result<std::result::Result<Applicant, Decision>> {
    let row = optional(tx.query_row(
        &format!("SELECT {APPLICANT_COLUMNS} FROM applicants WHERE id = ?1 AND instansi = ?2"),
        params![id, instansi],
        applicant_row,
    ))?;
    Ok(match row.map(|r| r.parse(nik)).transpose()? {
        None => Err(Decision::NotFound),
        Some(a) if a.status != RegistrationStatus::Menunggu => Err(Decision::AlreadyDecided),
        Some(a) => Ok(a),
    })
}

#[async_trait]
impl Registrations for SqliteStore {
    async fn register(
        &self,
        new: NewRegistration,
        year: i32,
        now: i64,
        compose: Compose<Registered>,
    ) -> Result<RegisterOutcome> {
        let domain = self.message_domain.clone();
        let nik = self.nik()?;
        let sealed = nik.seal(Field::Applicant, &new.nomor_identitas);
        let index = nik.index(&new.nomor_identitas);
        self.db
            .write(move |tx| {
                if let Some(nomor) = tx
                    .query_row("SELECT nomor FROM applicants WHERE form_token = ?1", [&new.form_token], |r| {
                        r.get::<_, String>(0)
                    })
                    .optional()?
                {
                    return Ok(RegisterOutcome::Repeated(nomor));
                }
                let username_taken: bool = tx.query_row(
                    "SELECT EXISTS(SELECT 1 FROM applicants WHERE username = ?1 AND status != 'ditolak')",
                    [new.username.as_str()],
                    |r| r.get(0),
                )?;
                let email_taken: bool = tx.query_row(
                    "SELECT EXISTS(SELECT 1 FROM applicants WHERE lower(email) = lower(?1) AND status != 'ditolak')",
                    [new.email.as_str()],
                    |r| r.get(0),
                )?;
                if username_taken || email_taken {
                    return Ok(RegisterOutcome::Taken {
                        username: username_taken,
                        email: email_taken,
                    });
                }
                let n = next_counter(tx, &format!("registrasi-{year}"))?;
                let nomor = format!("REG-{year}-{n:06}");
                tx.execute(
                    "INSERT INTO applicants (nomor, form_token, status, username, email, nama, instansi, unit, tipe_identitas,
                        nomor_identitas, jenis_kelamin, tempat_lahir, tanggal_lahir, pekerjaan, npwp, telepon, alamat, kabupaten,
                        kode_pos, created_at, nomor_identitas_hash)
                     VALUES (?1, ?2, 'menunggu', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
                    params![
                        nomor,
                        new.form_token,
                        new.username.as_str(),
                        new.email.as_str(),
                        new.nama.as_str(),
                        new.instansi,
                        new.unit,
                        new.tipe_identitas.code(),
                        sealed,
                        new.jenis_kelamin.code(),
                        new.tempat_lahir,
                        new.tanggal_lahir,
                        new.pekerjaan,
                        new.npwp.as_ref().map(|n| n.as_str().to_string()),
                        new.telepon.as_str(),
                        new.alamat,
                        new.kabupaten,
                        new.kode_pos.as_str(),
                        now,
                        index
                    ],
                )?;
                let id = tx.last_insert_rowid();
                let mut stmt = tx.prepare_cached("SELECT email, nama FROM officers WHERE instansi = ?1 ORDER BY id")?;
                let officers = stmt
                    .query_map([&new.instansi], |r| Ok(Recipient { email: r.get(0)?, nama: r.get(1)? }))?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                let registered = Registered { id, nomor: nomor.clone(), officers };
                for mail in compose(&registered)? {
                    enqueue(tx, &mail, &domain)?;
                }
                let line = NewAudit {
                    instansi: new.instansi.clone(),
                    actor: Actor { kind: "pemohon", id: Some(id), label: new.username.as_str().to_string() },
                    action: "registrasi_masuk",
                    target: nomor.clone(),
                    detail: None,
                };
                audit(tx, &line, now)?;
                Ok(RegisterOutcome::Created(nomor))
            })
            .await
    }

    async fn names_taken(&self, username: &str, email: &str, form_token: &str) -> Result<(bool, bool)> {
        let (u, e, t) = (username.to_string(), email.to_string(), form_token.to_string());
        self.db
            .read(move |c| {
                Ok(c.query_row(
                    "SELECT EXISTS(SELECT 1 FROM applicants WHERE username = ?1 AND status != 'ditolak'
                                   AND form_token IS NOT ?3),
                            EXISTS(SELECT 1 FROM applicants WHERE lower(email) = lower(?2) AND status != 'ditolak'
                                   AND form_token IS NOT ?3)",
                    params![u, e, t],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )?)
            })
            .await
    }

    async fn waiting_registrations(&self, instansi: &str) -> Result<Vec<WaitingRegistration>> {
        let i = instansi.to_string();
        self.db
            .read(move |c| {
                let mut stmt = c.prepare_cached(
                    "SELECT id, nomor, nama, created_at FROM applicants
                     WHERE instansi = ?1 AND status = 'menunggu' ORDER BY created_at, id",
                )?;
                let rows = stmt
                    .query_map([i], |r| {
                        Ok(WaitingRegistration {
                            id: r.get(0)?,
                            nomor: r.get(1)?,
                            nama: r.get(2)?,
                            created_at: r.get(3)?,
                        })
                    })?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                Ok(rows)
            })
            .await
    }

    async fn registration(&self, id: i64, instansi: &str) -> Result<Option<Applicant>> {
        let i = instansi.to_string();
        let row = self
            .db
            .read(move |c| {
                optional(c.query_row(
                    &format!(
                        "SELECT {APPLICANT_COLUMNS} FROM applicants WHERE id = ?1 AND instansi = ?2 AND erased_at IS NULL"
                    ),
                    params![id, i],
                    applicant_row,
                ))
            })
            .await?;
        let nik = self.nik()?;
        row.map(|r| r.parse(&nik)).transpose()
    }

    async fn approve_registration(
        &self,
        id: i64,
        officer: &Officer,
        link: NewLink,
        now: i64,
        compose: Compose<Applicant>,
    ) -> Result<Decision> {
        let (o, domain, nik) = (officer.clone(), self.message_domain.clone(), self.nik()?);
        self.db
            .write(move |tx| {
                let mut applicant = match waiting(tx, id, &o.instansi, &nik)? {
                    Ok(a) => a,
                    Err(decision) => return Ok(decision),
                };
                tx.execute(
                    "UPDATE applicants SET status = 'aktif', decided_at = ?2, decided_by = ?3 WHERE id = ?1",
                    params![id, now, o.id],
                )?;
                // `compose` sees the applicant as decided.
                applicant.status = RegistrationStatus::Aktif;
                tx.execute(
                    "INSERT INTO link_tokens (token_hash, purpose, subject_kind, subject_id, created_at, expires_at)
                     VALUES (?1, ?2, 'pemohon', ?3, ?4, ?5)",
                    params![link.token_hash, link.purpose.as_str(), id, now, link.expires_at],
                )?;
                for mail in compose(&applicant)? {
                    enqueue(tx, &mail, &domain)?;
                }
                let line = NewAudit {
                    instansi: o.instansi.clone(),
                    actor: officer_actor(&o),
                    action: "registrasi_disetujui",
                    target: applicant.nomor.clone(),
                    detail: None,
                };
                audit(tx, &line, now)?;
                Ok(Decision::Done)
            })
            .await
    }

    async fn reject_registration(
        &self,
        id: i64,
        officer: &Officer,
        reason: &str,
        now: i64,
        compose: Compose<Applicant>,
    ) -> Result<Decision> {
        let (o, reason, domain) = (officer.clone(), reason.to_string(), self.message_domain.clone());
        let nik = self.nik()?;
        self.db
            .write(move |tx| {
                let mut applicant = match waiting(tx, id, &o.instansi, &nik)? {
                    Ok(a) => a,
                    Err(decision) => return Ok(decision),
                };
                tx.execute(
                    "UPDATE applicants SET status = 'ditolak', alasan_tolak = ?2, decided_at = ?3, decided_by = ?4 WHERE id = ?1",
                    params![id, reason, now, o.id],
                )?;
                applicant.status = RegistrationStatus::Ditolak;
                applicant.alasan_tolak = Some(reason.clone());
                for mail in compose(&applicant)? {
                    enqueue(tx, &mail, &domain)?;
                }
                let line = NewAudit {
                    instansi: o.instansi.clone(),
                    actor: officer_actor(&o),
                    action: "registrasi_ditolak",
                    target: applicant.nomor.clone(),
                    detail: Some(reason.clone()),
                };
                audit(tx, &line, now)?;
                Ok(Decision::Done)
            })
            .await
    }

    async fn profile(&self, id: i64) -> Result<Option<Applicant>> {
        let row = self
            .db
            .read(move |c| {
                optional(c.query_row(
                    &format!("SELECT {APPLICANT_COLUMNS} FROM applicants WHERE id = ?1 AND status = 'aktif' AND erased_at IS NULL"),
                    [id],
                    applicant_row,
                ))
            })
            .await?;
        let nik = self.nik()?;
        row.map(|r| r.parse(&nik)).transpose()
    }

    async fn update_contact(&self, id: i64, update: ContactUpdate, notice: NewMail, now: i64) -> Result<()> {
        let domain = self.message_domain.clone();
        self.db
            .write(move |tx| {
                let stored: Option<[String; 4]> = optional(tx.query_row(
                    "SELECT telepon, alamat, kabupaten, kode_pos FROM applicants WHERE id = ?1",
                    [id],
                    |r| Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?]),
                ))?;
                let detail = stored
                    .as_ref()
                    .map(|s| update.changed_fields([&s[0], &s[1], &s[2], &s[3]]));
                let changes = stored.is_some_and(|s| update.changes_anything([&s[0], &s[1], &s[2], &s[3]]));
                let changed = tx.execute(
                    "UPDATE applicants SET telepon = ?2, alamat = ?3, kabupaten = ?4, kode_pos = ?5
                     WHERE id = ?1 AND status = 'aktif'",
                    params![
                        id,
                        update.telepon.as_str(),
                        update.alamat,
                        update.kabupaten,
                        update.kode_pos.as_str()
                    ],
                )?;
                // Only an active applicant has a profile to change.
                if changed == 0 {
                    return Err(Error::NotFound);
                }
                let (instansi, username): (String, String) =
                    tx.query_row("SELECT instansi, username FROM applicants WHERE id = ?1", [id], |r| {
                        Ok((r.get(0)?, r.get(1)?))
                    })?;
                let line = NewAudit {
                    instansi,
                    actor: Actor {
                        kind: "pemohon",
                        id: Some(id),
                        label: username.clone(),
                    },
                    action: "profil_diubah",
                    target: username,
                    detail,
                };
                if changes {
                    enqueue(tx, &notice, &domain)?;
                }
                audit(tx, &line, now)
            })
            .await
    }
}
