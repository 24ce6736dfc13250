//! Officer accounts from the command line: `sicantik officer add`, `officer list` (every
//! account with its last sign-in, for a breach), `officer admin` and `officer disable`.

use crate::clock::now;
use crate::config::Config;
use crate::domain::{Email, NewPassword, PersonName, Username};
use crate::error::{Error, Result};
use crate::records::{LinkPurpose, NewLink, NewOfficerRecord, OfficerAccount};
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
    /// May disable other officers of its instansi from the console.
    pub admin: bool,
}

/// Creates the officer; returns the set-password link when no password was given.
pub async fn add(cfg: Config, new: NewOfficer) -> Result<Option<String>> {
    let username = Username::parse(&new.username).map_err(|e| Error::Config(format!("--username: {e}")))?;
    let nama = PersonName::parse(&new.nama).map_err(|e| Error::Config(format!("--name: {e}")))?;
    let email = Email::parse(&new.email).map_err(|e| Error::Config(format!("--email: {e}")))?;
    let hash = match &new.password {
        Some(pw) => {
            let pw = NewPassword::parse_for_officer(pw, Some(username.as_str()), Some(email.as_str()))
                .map_err(|e| Error::Config(format!("password: {e}")))?;
            Some(hash_password(pw.expose())?)
        }
        None => None,
    };
    let service = Service::new(cfg).await?;
    let app = service.app.clone();
    let token = random_token();
    let link = app.link(&format!("{}/atur-sandi?token={token}", app.content.situs.layanan));
    let now = now();
    let needs_link = hash.is_none();
    let new = NewOfficerRecord {
        username,
        nama,
        email,
        instansi: new.instansi.unwrap_or_else(|| app.content.situs.instansi.clone()),
        unit: new.unit.unwrap_or_else(|| app.content.situs.unit.clone()),
        password_hash: hash,
        admin: new.admin,
    };
    let stored_link = needs_link.then(|| NewLink {
        token_hash: token_hash(&token),
        purpose: LinkPurpose::SetPassword,
        expires_at: now + app.cfg.link_ttl.as_secs() as i64,
    });
    app.store.add_officer(new, stored_link, now).await?;
    Ok(needs_link.then_some(link))
}

/// Every officer account, by username.
pub async fn list(cfg: Config) -> Result<Vec<OfficerAccount>> {
    let service = Service::new(cfg).await?;
    service.app.store.officer_accounts().await
}

/// Disables the officer `username` and ends its sessions; false when there is none.
/// `officer admin USERNAME [--revoke]`: the admin right for officers made before it existed,
/// or taken back. False when no officer is named so.
pub async fn set_admin(cfg: Config, username: &str, admin: bool) -> Result<bool> {
    let service = Service::new(cfg).await?;
    service.app.store.set_officer_admin(username, admin, now()).await
}

pub async fn disable(cfg: Config, username: &str) -> Result<bool> {
    let service = Service::new(cfg).await?;
    service.app.store.disable_officer(username, None, now()).await
}

/// `sicantik officer reset-mfa`: false when no officer is named `username`.
pub async fn reset_second_factor(cfg: Config, username: &str) -> Result<bool> {
    let service = Service::new(cfg).await?;
    service.app.store.reset_second_factor(username, now()).await
}
