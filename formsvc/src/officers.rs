//! Creating officer accounts from the command line (`sicantik officer add`).

use rusqlite::params;

use crate::config::Config;
use crate::db::now;
use crate::domain::{Email, NewPassword, PersonName, Username};
use crate::error::{Error, Result};
use crate::security::{hash_password, random_token, token_hash};
use crate::service::Service;

pub struct NewOfficer {
    pub username: String,
    pub nama: String,
    pub email: String,
    pub instansi: Option<String>,
    pub unit: Option<String>,
    /// With a password the account is ready; without, a one-time link to set it is returned.
    pub password: Option<String>,
}

/// Creates the officer; returns the set-password link when no password was given.
pub async fn add(cfg: Config, new: NewOfficer) -> Result<Option<String>> {
    let username = Username::parse(&new.username).map_err(|e| Error::Config(format!("--username: {e}")))?;
    let nama = PersonName::parse(&new.nama).map_err(|e| Error::Config(format!("--name: {e}")))?;
    let email = Email::parse(&new.email).map_err(|e| Error::Config(format!("--email: {e}")))?;
    let hash = match &new.password {
        Some(pw) => {
            let pw = NewPassword::parse(pw, Some(username.as_str()), Some(email.as_str()))
                .map_err(|e| Error::Config(format!("password: {e}")))?;
            Some(hash_password(pw.expose())?)
        }
        None => None,
    };
    let service = Service::new(cfg)?;
    let app = service.app.clone();
    let instansi = new.instansi.unwrap_or_else(|| app.content.situs.instansi.clone());
    let unit = new.unit.unwrap_or_else(|| app.content.situs.unit.clone());
    let token = random_token();
    let link = app.link(&format!("{}/atur-sandi?token={token}", app.content.situs.layanan));
    let ttl = app.cfg.link_ttl.as_secs() as i64;
    let needs_link = hash.is_none();
    let th = token_hash(&token);
    app.db
        .write(move |tx| {
            let exists: bool = tx.query_row("SELECT EXISTS(SELECT 1 FROM officers WHERE username = ?1)", [username.as_str()], |r| r.get(0))?;
            if exists {
                return Err(Error::Config(format!("an officer named {} already exists", username.as_str())));
            }
            let now = now();
            tx.execute(
                "INSERT INTO officers (username, nama, email, instansi, unit, password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![username.as_str(), nama.as_str(), email.as_str(), instansi, unit, hash, now],
            )?;
            let id = tx.last_insert_rowid();
            if needs_link {
                tx.execute(
                    "INSERT INTO link_tokens (token_hash, purpose, subject_kind, subject_id, created_at, expires_at)
                     VALUES (?1, 'atur_sandi', 'petugas', ?2, ?3, ?4)",
                    params![th, id, now, now + ttl],
                )?;
            }
            crate::audit::record(tx, &instansi, "sistem", None, "baris perintah", "petugas_dibuat", username.as_str(), None)?;
            Ok(())
        })
        .await?;
    Ok(needs_link.then_some(link))
}
