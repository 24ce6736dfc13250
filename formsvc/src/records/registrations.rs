//! Registrations and the applicants they become.

use super::Recipient;
use crate::domain::{Email, IdentityType, Npwp, PersonName, PhoneNumber, PostalCode, Sex, Username};

/// Where a registration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationStatus {
    Menunggu,
    Aktif,
    Ditolak,
}

impl RegistrationStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationStatus::Menunggu => "menunggu",
            RegistrationStatus::Aktif => "aktif",
            RegistrationStatus::Ditolak => "ditolak",
        }
    }

    pub fn parse(word: &str) -> Option<RegistrationStatus> {
        match word {
            "menunggu" => Some(RegistrationStatus::Menunggu),
            "aktif" => Some(RegistrationStatus::Aktif),
            "ditolak" => Some(RegistrationStatus::Ditolak),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            RegistrationStatus::Menunggu => "Menunggu persetujuan",
            RegistrationStatus::Aktif => "Disetujui",
            RegistrationStatus::Ditolak => "Ditolak",
        }
    }
}

/// A registration that passed every check (Registrasi Pemohon, DAFTAR).
#[derive(Debug, Clone)]
pub struct NewRegistration {
    /// The form's one-time id: the same form sent twice makes one registration.
    pub form_token: String,
    pub username: Username,
    pub nama: PersonName,
    pub email: Email,
    pub instansi: String,
    pub unit: String,
    pub tipe_identitas: IdentityType,
    /// A NIK (16 digits) or a passport number (upper case).
    pub nomor_identitas: String,
    pub jenis_kelamin: Sex,
    pub tempat_lahir: String,
    /// `YYYY-MM-DD`, already checked.
    pub tanggal_lahir: String,
    pub pekerjaan: String,
    pub npwp: Option<Npwp>,
    pub telepon: PhoneNumber,
    pub alamat: String,
    pub kabupaten: String,
    pub kode_pos: PostalCode,
}

/// An applicant (a registration and, once approved, an account).
#[derive(Debug, Clone)]
pub struct Applicant {
    pub id: i64,
    pub nomor: String,
    pub status: RegistrationStatus,
    pub username: Username,
    pub nama: PersonName,
    pub email: Email,
    pub instansi: String,
    pub unit: String,
    pub tipe_identitas: IdentityType,
    pub nomor_identitas: String,
    pub jenis_kelamin: Sex,
    pub tempat_lahir: String,
    pub tanggal_lahir: String,
    pub pekerjaan: String,
    pub npwp: Option<Npwp>,
    pub telepon: PhoneNumber,
    pub alamat: String,
    pub kabupaten: String,
    pub kode_pos: PostalCode,
    pub created_at: i64,
    pub alasan_tolak: Option<String>,
}

/// A registration waiting for a decision, as the console lists it.
#[derive(Debug, Clone)]
pub struct WaitingRegistration {
    pub id: i64,
    pub nomor: String,
    pub nama: String,
    pub created_at: i64,
}

/// The contact data an applicant may change themselves.
#[derive(Debug, Clone)]
pub struct ContactUpdate {
    pub telepon: PhoneNumber,
    pub alamat: String,
    pub kabupaten: String,
    pub kode_pos: PostalCode,
}

impl ContactUpdate {
    /// The fields that differ from what is stored (`telepon`, `alamat`, `kabupaten`,
    /// `kode_pos`, as stored), by their Indonesian names, for the audit line: which fields
    /// changed, never their values.
    pub fn changes_anything(&self, stored: [&str; 4]) -> bool {
        [
            self.telepon.as_str(),
            self.alamat.as_str(),
            self.kabupaten.as_str(),
            self.kode_pos.as_str(),
        ] != stored
    }

    pub fn changed_fields(&self, stored: [&str; 4]) -> String {
        let new = [
            self.telepon.as_str(),
            self.alamat.as_str(),
            self.kabupaten.as_str(),
            self.kode_pos.as_str(),
        ];
        let names = ["nomor handphone", "alamat", "kabupaten/kota", "kode pos"];
        let changed: Vec<&str> = (0..4).filter(|&i| new[i] != stored[i]).map(|i| names[i]).collect();
        if changed.is_empty() {
            "tidak ada yang berubah".to_string()
        } else {
            format!("diubah: {}", changed.join(", "))
        }
    }
}

/// What a new registration is once stored, for composing its emails.
#[derive(Debug, Clone)]
pub struct Registered {
    pub id: i64,
    pub nomor: String,
    /// The officers of the registration's instansi, to be notified.
    pub officers: Vec<Recipient>,
}

pub enum RegisterOutcome {
    Created(String),
    /// The same form was sent again (a double click): the first registration stands.
    Repeated(String),
    Taken {
        username: bool,
        email: bool,
    },
}

/// The outcome of an officer's decision on a registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Done,
    AlreadyDecided,
    NotFound,
}
