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
}
