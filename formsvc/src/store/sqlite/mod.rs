//! The embedded store: one SQLite file, read through a pool of read-only connections and
//! written by one writer thread that commits the requests arriving together in one durable
//! transaction (group commit, `db`). Every method here is one read or one write job; the rows
//! are read back into typed records with an error for anything that does not parse.

mod access;
mod accounts;
pub use self::backup::{describe_file, restore};
mod applications;
mod backup;
pub mod db;
mod details;
mod documents;
mod keys;
mod officers;
mod outbox;
mod registrations;
mod retention;
mod review;
mod rights;
mod second_factor;
mod shared;

use std::path::Path;
use std::sync::Arc;

use rusqlite::{Row, Transaction, params};

pub use db::Db;

use crate::application::Status;
use crate::error::{Error, Result};
use crate::keys::NikKey;
use crate::records::{Actor, Applicant, NewAudit, NewMail, RegistrationStatus};
use crate::store::corrupt;

/// The SQLite store.
#[derive(Clone)]
pub struct SqliteStore {
    db: Db,
    message_domain: String,
    /// Seals and indexes identity numbers; `None` until `with_nik` (a store without it
    /// refuses whatever reads or writes one).
    nik: Option<Arc<NikKey>>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database file, applying migrations.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        Ok(SqliteStore {
            db: Db::open(path)?,
            message_domain: "localhost".into(),
            nik: None,
        })
    }

    /// The key that seals identity numbers (`NikKey::load`).
    pub fn with_nik(mut self, nik: Arc<NikKey>) -> SqliteStore {
        self.nik = Some(nik);
        self
    }

    fn nik(&self) -> Result<Arc<NikKey>> {
        self.nik
            .clone()
            .ok_or_else(|| Error::Internal("the SQLite store was opened without the NIK key".into()))
    }

    /// The host part of the Message-IDs of the emails this store writes.
    pub fn with_message_domain(mut self, domain: String) -> SqliteStore {
        self.message_domain = domain;
        self
    }
}

/// Writes `mail` to the outbox inside the caller's transaction.
pub(crate) fn enqueue(tx: &Transaction<'_>, mail: &NewMail, message_domain: &str) -> Result<i64> {
    let message_id = format!("<{}@{}>", crate::security::random_token(), message_domain);
    let now = crate::clock::now_ms();
    tx.execute(
        "INSERT INTO outbox (kind, recipient, subject, text_body, html_body, message_id, instansi, next_attempt_at, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
        params![mail.kind, mail.to, mail.subject, mail.text, mail.html, message_id, mail.instansi, now],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Writes an audit line inside the caller's transaction.
pub(crate) fn audit(tx: &Transaction<'_>, a: &NewAudit, now: i64) -> Result<()> {
    tx.execute(
        "INSERT INTO audit (at, instansi, actor_kind, actor_id, actor_label, action, target, detail)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            now,
            a.instansi,
            a.actor.kind,
            a.actor.id,
            a.actor.label,
            a.action,
            a.target,
            a.detail
        ],
    )?;
    Ok(())
}

fn status_of(tx: &Transaction<'_>, id: i64) -> Result<Status> {
    let word: String = tx.query_row("SELECT status FROM applications WHERE id = ?1", [id], |r| r.get(0))?;
    Status::parse(&word).ok_or_else(|| corrupt("applications", id, "status"))
}

fn record_event(
    tx: &Transaction<'_>,
    application_id: i64,
    actor: &Actor,
    from: Option<Status>,
    to: Status,
    note: Option<&str>,
    now: i64,
) -> Result<()> {
    tx.execute(
        "INSERT INTO application_events (application_id, at, actor_kind, actor_id, actor_label, from_status, to_status, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![application_id, now, actor.kind, actor.id, actor.label, from.map(|s| s.as_str()), to.as_str(), note],
    )?;
    Ok(())
}

/// The columns `applicant_from_row` reads, in order.
pub(crate) const APPLICANT_COLUMNS: &str = "id, nomor, status, username, email, nama, instansi, unit, tipe_identitas,
     nomor_identitas, jenis_kelamin, tempat_lahir, tanggal_lahir, pekerjaan, npwp, telepon, alamat, kabupaten,
     kode_pos, created_at, alasan_tolak, nomor_identitas_hash";

/// Raw column values, so parsing errors can name the row after rusqlite is done with it.
pub(crate) struct ApplicantRow {
    id: i64,
    nomor: String,
    status: String,
    username: String,
    email: String,
    nama: String,
    instansi: String,
    unit: String,
    tipe_identitas: String,
    nomor_identitas: String,
    jenis_kelamin: String,
    tempat_lahir: String,
    tanggal_lahir: String,
    pekerjaan: String,
    npwp: Option<String>,
    telepon: String,
    alamat: String,
    kabupaten: String,
    kode_pos: String,
    created_at: i64,
    alasan_tolak: Option<String>,
    /// `None`: written before identity numbers were sealed, `nomor_identitas` is in clear.
    nomor_identitas_hash: Option<String>,
}

pub(crate) fn applicant_row(r: &Row<'_>) -> rusqlite::Result<ApplicantRow> {
    Ok(ApplicantRow {
        id: r.get(0)?,
        nomor: r.get(1)?,
        status: r.get(2)?,
        username: r.get(3)?,
        email: r.get(4)?,
        nama: r.get(5)?,
        instansi: r.get(6)?,
        unit: r.get(7)?,
        tipe_identitas: r.get(8)?,
        nomor_identitas: r.get(9)?,
        jenis_kelamin: r.get(10)?,
        tempat_lahir: r.get(11)?,
        tanggal_lahir: r.get(12)?,
        pekerjaan: r.get(13)?,
        npwp: r.get(14)?,
        telepon: r.get(15)?,
        alamat: r.get(16)?,
        kabupaten: r.get(17)?,
        kode_pos: r.get(18)?,
        created_at: r.get(19)?,
        alasan_tolak: r.get(20)?,
        nomor_identitas_hash: r.get(21)?,
    })
}

impl ApplicantRow {
    pub(crate) fn parse(self, nik: &NikKey) -> Result<Applicant> {
        use crate::domain::*;
        let id = self.id;
        let bad = |field| corrupt("applicants", id, field);
        let nomor_identitas = match self.nomor_identitas_hash {
            Some(_) => nik
                .open(crate::keys::nik::Field::Applicant, &self.nomor_identitas)
                .ok_or_else(|| bad("nomor_identitas"))?,
            None => self.nomor_identitas,
        };
        Ok(Applicant {
            id,
            nomor: self.nomor,
            status: RegistrationStatus::parse(&self.status).ok_or_else(|| bad("status"))?,
            username: Username::parse(&self.username).map_err(|_| bad("username"))?,
            nama: PersonName::parse(&self.nama).map_err(|_| bad("nama"))?,
            email: Email::parse(&self.email).map_err(|_| bad("email"))?,
            instansi: self.instansi,
            unit: self.unit,
            tipe_identitas: IdentityType::parse(&self.tipe_identitas).map_err(|_| bad("tipe_identitas"))?,
            nomor_identitas,
            jenis_kelamin: Sex::parse(&self.jenis_kelamin).map_err(|_| bad("jenis_kelamin"))?,
            tempat_lahir: self.tempat_lahir,
            tanggal_lahir: self.tanggal_lahir,
            pekerjaan: self.pekerjaan,
            npwp: self
                .npwp
                .map(|n| Npwp::parse(&n))
                .transpose()
                .map_err(|_| bad("npwp"))?,
            telepon: PhoneNumber::parse(&self.telepon).map_err(|_| bad("telepon"))?,
            alamat: self.alamat,
            kabupaten: self.kabupaten,
            kode_pos: PostalCode::parse(&self.kode_pos).map_err(|_| bad("kode_pos"))?,
            created_at: self.created_at,
            alasan_tolak: self.alasan_tolak,
        })
    }
}

/// Runs `f` on the reader and turns a missing row into `None`.
pub(crate) fn optional<T>(r: rusqlite::Result<T>) -> Result<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
        Err(e) => Err(Error::Db(e)),
    }
}
