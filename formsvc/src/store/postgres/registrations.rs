//! Registrasi Pemohon on PostgreSQL: the registration with its number, the officers' decision,
//! the applicant's profile.

use async_trait::async_trait;
use tokio_postgres::Row;

use super::{Audit, PgStore, audit, enqueue, exec, known, one, parsed, row, rows};
use crate::domain::{Email, IdentityType, Npwp, PersonName, PhoneNumber, PostalCode, Sex, Username};
use crate::error::{Error, Result};
use crate::keys::NikKey;
use crate::keys::nik::Field;
use crate::records::*;
use crate::store::{Compose, Registrations};

const APPLICANT_COLUMNS: &str =
    "id, nomor, status, username, nama, email, instansi, unit, tipe_identitas, nomor_identitas,
     jenis_kelamin, tempat_lahir, tanggal_lahir, pekerjaan, npwp, telepon, alamat, kabupaten, kode_pos, created_at,
     alasan_tolak, nomor_identitas_hash";

/// How many times a registration is tried again after another transaction took its form
/// token, username or email first.
const ATTEMPTS: usize = 3;

/// An applicant row, every field parsed as the form parsed it.
fn applicant(r: &Row, nik: &NikKey) -> Result<Applicant> {
    const T: &str = "applicants";
    let id: i64 = r.try_get("id")?;
    let npwp: Option<&str> = r.try_get("npwp")?;
    let stored: String = r.try_get("nomor_identitas")?;
    let hash: Option<&str> = r.try_get("nomor_identitas_hash")?;
    // Without the hash, the row was written before identity numbers were sealed.
    let nomor_identitas = match hash {
        Some(_) => known(nik.open(Field::Applicant, &stored), T, id, "nomor_identitas")?,
        None => stored,
    };
    Ok(Applicant {
        id,
        nomor: r.try_get("nomor")?,
        status: known(RegistrationStatus::parse(r.try_get("status")?), T, id, "status")?,
        username: parsed(r.try_get("username")?, Username::parse, T, id, "username")?,
        nama: parsed(r.try_get("nama")?, PersonName::parse, T, id, "nama")?,
        email: parsed(r.try_get("email")?, Email::parse, T, id, "email")?,
        instansi: r.try_get("instansi")?,
        unit: r.try_get("unit")?,
        tipe_identitas: parsed(
            r.try_get("tipe_identitas")?,
            IdentityType::parse,
            T,
            id,
            "tipe_identitas",
        )?,
        nomor_identitas,
        jenis_kelamin: parsed(r.try_get("jenis_kelamin")?, Sex::parse, T, id, "jenis_kelamin")?,
        tempat_lahir: r.try_get("tempat_lahir")?,
        tanggal_lahir: r.try_get("tanggal_lahir")?,
        pekerjaan: r.try_get("pekerjaan")?,
        npwp: npwp.map(|n| parsed(n, Npwp::parse, T, id, "npwp")).transpose()?,
        telepon: parsed(r.try_get("telepon")?, PhoneNumber::parse, T, id, "telepon")?,
        alamat: r.try_get("alamat")?,
        kabupaten: r.try_get("kabupaten")?,
        kode_pos: parsed(r.try_get("kode_pos")?, PostalCode::parse, T, id, "kode_pos")?,
        created_at: r.try_get("created_at")?,
        alasan_tolak: r.try_get("alasan_tolak")?,
    })
}

/// What an officer decided.
enum Verdict<'a> {
    Approve(NewLink),
    Reject(&'a str),
}

impl PgStore {
    async fn decide(
        &self,
        id: i64,
        officer: &Officer,
        verdict: Verdict<'_>,
        now: i64,
        compose: Compose<Applicant>,
    ) -> Result<Decision> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        // Locked: of two officers deciding at once, the second waits, then finds it decided.
        let found = row(
            &tx,
            &format!("SELECT {APPLICANT_COLUMNS} FROM applicants WHERE id = $1 AND instansi = $2 FOR UPDATE"),
            &[&id, &officer.instansi],
        )
        .await?;
        let Some(found) = found else {
            return Ok(Decision::NotFound);
        };
        let mut a = applicant(&found, self.nik()?)?;
        if a.status != RegistrationStatus::Menunggu {
            return Ok(Decision::AlreadyDecided);
        }
        let (action, detail) = match &verdict {
            Verdict::Approve(link) => {
                exec(
                    &tx,
                    "UPDATE applicants SET status = 'aktif', decided_at = $2, decided_by = $3 WHERE id = $1",
                    &[&id, &now, &officer.id],
                )
                .await?;
                exec(
                    &tx,
                    "INSERT INTO link_tokens (token_hash, purpose, subject_kind, subject_id, created_at, expires_at)
                     VALUES ($1, $2, 'pemohon', $3, $4, $5)",
                    &[&link.token_hash, &link.purpose.as_str(), &id, &now, &link.expires_at],
                )
                .await?;
                a.status = RegistrationStatus::Aktif;
                ("registrasi_disetujui", None)
            }
            Verdict::Reject(reason) => {
                exec(
                    &tx,
                    "UPDATE applicants SET status = 'ditolak', alasan_tolak = $2, decided_at = $3, decided_by = $4 WHERE id = $1",
                    &[&id, reason, &now, &officer.id],
                )
                .await?;
                a.status = RegistrationStatus::Ditolak;
                a.alasan_tolak = Some(reason.to_string());
                ("registrasi_ditolak", Some(*reason))
            }
        };
        let mails = compose(&a)?;
        enqueue(&tx, &mails, &self.message_domain).await?;
        audit(
            &tx,
            now,
            Audit {
                instansi: &officer.instansi,
                actor_kind: "petugas",
                actor_id: Some(officer.id),
                actor_label: &officer.username,
                action,
                target: &a.nomor,
                detail,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Decision::Done)
    }
}

#[async_trait]
impl Registrations for PgStore {
    async fn register(
        &self,
        new: NewRegistration,
        year: i32,
        now: i64,
        compose: Compose<Registered>,
    ) -> Result<RegisterOutcome> {
        let nik = self.nik()?;
        let sealed = nik.seal(Field::Applicant, &new.nomor_identitas);
        let index = nik.index(&new.nomor_identitas);
        let mut c = self.client().await?;
        for _ in 0..ATTEMPTS {
            let tx = c.transaction().await?;
            // One statement, one snapshot: checked apart, a twin committing in between would
            // look like someone else's registration taking the name.
            let seen = one(
                &tx,
                "SELECT (SELECT nomor FROM applicants WHERE form_token = $3),
                        EXISTS(SELECT 1 FROM applicants WHERE username = $1 AND status != 'ditolak'),
                        EXISTS(SELECT 1 FROM applicants WHERE lower(email) = lower($2) AND status != 'ditolak')",
                &[&new.username.as_str(), &new.email.as_str(), &new.form_token],
            )
            .await?;
            if let Some(nomor) = seen.try_get::<_, Option<String>>(0)? {
                return Ok(RegisterOutcome::Repeated(nomor));
            }
            let (username, email): (bool, bool) = (seen.try_get(1)?, seen.try_get(2)?);
            if username || email {
                return Ok(RegisterOutcome::Taken { username, email });
            }
            let n: i64 = one(
                &tx,
                "INSERT INTO counters (name, value) VALUES ($1, 1)
                 ON CONFLICT (name) DO UPDATE SET value = counters.value + 1 RETURNING value",
                &[&format!("registrasi-{year}")],
            )
            .await?
            .try_get(0)?;
            let nomor = format!("REG-{year}-{n:06}");
            // A concurrent registration with the same form token, username or email makes
            // this insert wait for it; if it committed, nothing is inserted and the next round
            // (a fresh transaction, the counter's step undone) reads what it took.
            let inserted = row(
                &tx,
                "INSERT INTO applicants (nomor, form_token, status, username, email, nama, instansi, unit, tipe_identitas,
                    nomor_identitas, jenis_kelamin, tempat_lahir, tanggal_lahir, pekerjaan, npwp, telepon, alamat, kabupaten,
                    kode_pos, created_at, nomor_identitas_hash)
                 VALUES ($1, $2, 'menunggu', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
                 ON CONFLICT DO NOTHING RETURNING id",
                &[
                    &nomor,
                    &new.form_token,
                    &new.username.as_str(),
                    &new.email.as_str(),
                    &new.nama.as_str(),
                    &new.instansi,
                    &new.unit,
                    &new.tipe_identitas.code(),
                    &sealed,
                    &new.jenis_kelamin.code(),
                    &new.tempat_lahir,
                    &new.tanggal_lahir,
                    &new.pekerjaan,
                    &new.npwp.as_ref().map(Npwp::as_str),
                    &new.telepon.as_str(),
                    &new.alamat,
                    &new.kabupaten,
                    &new.kode_pos.as_str(),
                    &now,
                    &index,
                ],
            )
            .await?;
            let Some(inserted) = inserted else { continue };
            let id: i64 = inserted.try_get(0)?;
            let officers = rows(
                &tx,
                "SELECT email, nama FROM officers WHERE instansi = $1 ORDER BY id",
                &[&new.instansi],
            )
            .await?
            .iter()
            .map(|r| {
                Ok(Recipient {
                    email: r.try_get(0)?,
                    nama: r.try_get(1)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
            let mails = compose(&Registered {
                id,
                nomor: nomor.clone(),
                officers,
            })?;
            enqueue(&tx, &mails, &self.message_domain).await?;
            audit(
                &tx,
                now,
                Audit {
                    instansi: &new.instansi,
                    actor_kind: "pemohon",
                    actor_id: Some(id),
                    actor_label: new.username.as_str(),
                    action: "registrasi_masuk",
                    target: &nomor,
                    detail: None,
                },
            )
            .await?;
            tx.commit().await?;
            return Ok(RegisterOutcome::Created(nomor));
        }
        Err(Error::Internal(
            "a registration kept conflicting with concurrent ones".into(),
        ))
    }

    async fn names_taken(&self, username: &str, email: &str, form_token: &str) -> Result<(bool, bool)> {
        let c = self.client().await?;
        let r = one(
            &c,
            "SELECT EXISTS(SELECT 1 FROM applicants WHERE username = $1 AND status != 'ditolak'
                           AND form_token IS DISTINCT FROM $3),
                    EXISTS(SELECT 1 FROM applicants WHERE lower(email) = lower($2) AND status != 'ditolak'
                           AND form_token IS DISTINCT FROM $3)",
            &[&username, &email, &form_token],
        )
        .await?;
        Ok((r.try_get(0)?, r.try_get(1)?))
    }

    async fn waiting_registrations(&self, instansi: &str) -> Result<Vec<WaitingRegistration>> {
        let c = self.client().await?;
        rows(
            &c,
            "SELECT id, nomor, nama, created_at FROM applicants
             WHERE instansi = $1 AND status = 'menunggu' ORDER BY created_at, id",
            &[&instansi],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(WaitingRegistration {
                id: r.try_get(0)?,
                nomor: r.try_get(1)?,
                nama: r.try_get(2)?,
                created_at: r.try_get(3)?,
            })
        })
        .collect()
    }

    async fn registration(&self, id: i64, instansi: &str) -> Result<Option<Applicant>> {
        let c = self.client().await?;
        row(
            &c,
            &format!(
                "SELECT {APPLICANT_COLUMNS} FROM applicants WHERE id = $1 AND instansi = $2 AND erased_at IS NULL"
            ),
            &[&id, &instansi],
        )
        .await?
        .as_ref()
        .map(|r| applicant(r, self.nik()?))
        .transpose()
    }

    async fn approve_registration(
        &self,
        id: i64,
        officer: &Officer,
        link: NewLink,
        now: i64,
        compose: Compose<Applicant>,
    ) -> Result<Decision> {
        self.decide(id, officer, Verdict::Approve(link), now, compose).await
    }

    async fn reject_registration(
        &self,
        id: i64,
        officer: &Officer,
        reason: &str,
        now: i64,
        compose: Compose<Applicant>,
    ) -> Result<Decision> {
        self.decide(id, officer, Verdict::Reject(reason), now, compose).await
    }

    async fn profile(&self, id: i64) -> Result<Option<Applicant>> {
        let c = self.client().await?;
        row(
            &c,
            &format!(
                "SELECT {APPLICANT_COLUMNS} FROM applicants WHERE id = $1 AND status = 'aktif' AND erased_at IS NULL"
            ),
            &[&id],
        )
        .await?
        .as_ref()
        .map(|r| applicant(r, self.nik()?))
        .transpose()
    }

    async fn update_contact(&self, id: i64, update: ContactUpdate, notice: NewMail, now: i64) -> Result<()> {
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        // Read under the row's lock, so the fields named changed are the ones this update
        // changed even when two saves race.
        let stored = row(
            &tx,
            "SELECT telepon, alamat, kabupaten, kode_pos FROM applicants WHERE id = $1 FOR UPDATE",
            &[&id],
        )
        .await?;
        let (detail, changes) = match stored {
            Some(s) => {
                let stored: [String; 4] = [s.try_get(0)?, s.try_get(1)?, s.try_get(2)?, s.try_get(3)?];
                let stored = [stored[0].as_str(), &stored[1], &stored[2], &stored[3]];
                (Some(update.changed_fields(stored)), update.changes_anything(stored))
            }
            None => (None, false),
        };
        let changed = row(
            &tx,
            "UPDATE applicants SET telepon = $2, alamat = $3, kabupaten = $4, kode_pos = $5
             WHERE id = $1 AND status = 'aktif' RETURNING instansi, username",
            &[
                &id,
                &update.telepon.as_str(),
                &update.alamat,
                &update.kabupaten,
                &update.kode_pos.as_str(),
            ],
        )
        .await?;
        // Only an active applicant has a profile to change.
        let Some(changed) = changed else {
            return Err(Error::NotFound);
        };
        let (instansi, username): (String, String) = (changed.try_get(0)?, changed.try_get(1)?);
        audit(
            &tx,
            now,
            Audit {
                instansi: &instansi,
                actor_kind: "pemohon",
                actor_id: Some(id),
                actor_label: &username,
                action: "profil_diubah",
                target: &username,
                detail: detail.as_deref(),
            },
        )
        .await?;
        if changes {
            enqueue(&tx, &[notice], &self.message_domain).await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
