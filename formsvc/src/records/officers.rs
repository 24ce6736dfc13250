//! Officer accounts.

use serde::Serialize;

use crate::domain::{Email, PersonName, Username};

/// An officer account.
#[derive(Debug, Clone, Serialize)]
pub struct Officer {
    pub id: i64,
    pub username: String,
    pub nama: String,
    pub instansi: String,
    pub unit: String,
    /// May disable other officers of the instansi from the console.
    pub admin: bool,
}

/// An officer's second factor as stored, the secrets opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecondFactorState {
    /// The confirmed TOTP secret (base32); `None`: not enrolled.
    pub secret: Option<String>,
    /// The secret shown at enrolment, awaiting a code that confirms it.
    pub pending: Option<String>,
    /// The last 30-second step a code was accepted for.
    pub last_step: i64,
    /// Recovery codes not yet spent.
    pub recovery_left: i64,
}

/// An officer account as `sicantik officer list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfficerAccount {
    pub username: String,
    pub nama: String,
    pub instansi: String,
    pub unit: String,
    /// Seconds since the epoch; `None`: never signed in.
    pub last_login_at: Option<i64>,
    /// `None`: active.
    pub disabled_at: Option<i64>,
    pub admin: bool,
}

/// An officer to be created from the command line.
#[derive(Debug, Clone)]
pub struct NewOfficerRecord {
    pub username: Username,
    pub nama: PersonName,
    pub email: Email,
    pub instansi: String,
    pub unit: String,
    pub password_hash: Option<String>,
    pub admin: bool,
}
