//! The typed records the store reads and writes. Handlers build the `New…` records from parsed
//! forms and get the others back from the store; nothing here knows an engine. A value read
//! back is as typed as the form that wrote it: the store refuses a row whose status word or
//! field does not parse (`Error::Corrupt`), it never fills in a default.

use generator::{ApplicantType, ApplicationKind};
use serde::{Deserialize, Serialize};

use crate::application::{KeptRequirement, Status};
use crate::domain::{Email, IdentityType, Nib, Npwp, PersonName, PhoneNumber, PostalCode, Sex, Username};

/// Who is signed in, or whom an emailed link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Role {
    Applicant,
    Officer,
}

impl Role {
    /// The word stored in `sessions.kind` and `link_tokens.subject_kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Applicant => "pemohon",
            Role::Officer => "petugas",
        }
    }

    pub fn parse(word: &str) -> Option<Role> {
        match word {
            "pemohon" => Some(Role::Applicant),
            "petugas" => Some(Role::Officer),
            _ => None,
        }
    }
}

/// A server-side session as stored (the cookie holds the token, the store only its hash).
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub role: Role,
    pub user_id: i64,
    pub created_at: i64,
    pub last_seen_at: i64,
}

/// What an emailed single-use link is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// The first password, after approval or for a new officer.
    SetPassword,
    /// Lupa Kata Sandi.
    ResetPassword,
}

impl LinkPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::SetPassword => "atur_sandi",
            LinkPurpose::ResetPassword => "reset_sandi",
        }
    }

    pub fn parse(word: &str) -> Option<LinkPurpose> {
        match word {
            "atur_sandi" => Some(LinkPurpose::SetPassword),
            "reset_sandi" => Some(LinkPurpose::ResetPassword),
            _ => None,
        }
    }
}

/// A link to be stored with the change that emails it.
#[derive(Debug, Clone)]
pub struct NewLink {
    pub token_hash: String,
    pub purpose: LinkPurpose,
    pub expires_at: i64,
}

/// A valid (unused, unexpired) link.
#[derive(Debug, Clone)]
pub struct LinkRecord {
    pub purpose: LinkPurpose,
    pub role: Role,
    pub subject_id: i64,
}

/// What the login form needs of an account: its id and password hash (none until set).
#[derive(Debug, Clone)]
pub struct LoginAccount {
    pub id: i64,
    pub password_hash: Option<String>,
}

/// The names of an account (applicant or officer), for password rules, mails and the audit.
#[derive(Debug, Clone)]
pub struct AccountNames {
    pub username: String,
    pub email: String,
    pub nama: String,
    pub instansi: String,
}

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

/// Who to tell about something: an officer's or applicant's address and name.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub email: String,
    pub nama: String,
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

/// The PEMOHON part of an application: who applies, as entered on the form.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Pemohon {
    pub nama: String,
    pub identitas: String,
    pub telepon: String,
    pub email: String,
    pub alamat: String,
}

/// The PERUSAHAAN part of an application made for a company.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Perusahaan {
    pub nama: String,
    pub npwp: String,
    pub alamat: String,
    pub telepon: String,
    pub email: String,
}

impl Pemohon {
    pub fn new(nama: &PersonName, identitas: String, telepon: &PhoneNumber, email: &Email, alamat: String) -> Pemohon {
        Pemohon {
            nama: nama.as_str().to_string(),
            identitas,
            telepon: telepon.as_str().to_string(),
            email: email.as_str().to_string(),
            alamat,
        }
    }
}

impl Perusahaan {
    pub fn new(nama: String, npwp: &Npwp, alamat: String, telepon: &PhoneNumber, email: &Email) -> Perusahaan {
        Perusahaan {
            nama,
            npwp: npwp.as_str().to_string(),
            alamat,
            telepon: telepon.as_str().to_string(),
            email: email.as_str().to_string(),
        }
    }
}

/// An application made with BUAT.
#[derive(Debug, Clone)]
pub struct NewApplication {
    pub form_token: String,
    pub applicant_id: i64,
    pub permit_slug: String,
    pub permit_nama: String,
    pub instansi: String,
    pub unit: String,
    pub kind: ApplicationKind,
    pub who: ApplicantType,
    pub nib: Option<Nib>,
    pub pemohon: Pemohon,
    pub perusahaan: Option<Perusahaan>,
    pub persyaratan: Vec<KeptRequirement>,
}

/// An application as stored.
#[derive(Debug, Clone)]
pub struct ApplicationRecord {
    pub id: i64,
    pub nomor: String,
    pub applicant_id: i64,
    pub permit_slug: String,
    pub permit_nama: String,
    pub instansi: String,
    pub unit: String,
    pub kind: ApplicationKind,
    pub who: ApplicantType,
    pub nib: Option<String>,
    pub pemohon: Pemohon,
    pub perusahaan: Option<Perusahaan>,
    pub persyaratan: Vec<KeptRequirement>,
    pub status: Status,
    pub created_at: i64,
    pub submitted_at: Option<i64>,
}

/// A stored document (a scan uploaded for one requirement).
#[derive(Debug, Clone)]
pub struct DocumentRecord {
    pub id: i64,
    pub requirement_id: String,
    pub stored_name: String,
    pub original_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_at: i64,
    pub catatan: Option<String>,
}

/// A document just received into the blob store, to be recorded.
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub requirement_id: String,
    pub stored_name: String,
    pub original_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
}

/// A document with what decides who may download it.
#[derive(Debug, Clone)]
pub struct DownloadRecord {
    pub stored_name: String,
    pub original_name: String,
    pub content_type: String,
    pub applicant_id: i64,
    pub instansi: String,
    pub unit: String,
    pub status: Status,
}

/// Who did something: kind (`pemohon`, `petugas`, `sistem`), id and the label shown.
#[derive(Debug, Clone)]
pub struct Actor {
    pub kind: &'static str,
    pub id: Option<i64>,
    pub label: String,
}

/// One status change of an application.
#[derive(Debug, Clone)]
pub struct EventRecord {
    pub at: i64,
    pub actor_kind: String,
    pub actor_label: String,
    pub to_status: Status,
    pub note: Option<String>,
}

/// One line of the audit trail.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    pub at: i64,
    pub actor_kind: String,
    pub actor_label: String,
    pub action: String,
    pub target: String,
    pub detail: Option<String>,
}

/// An audit line to be written with the change it records.
#[derive(Debug, Clone)]
pub struct NewAudit {
    pub instansi: String,
    pub actor: Actor,
    pub action: &'static str,
    pub target: String,
    pub detail: Option<String>,
}

/// The officers' queue filter; `None` matches everything.
#[derive(Debug, Clone, Default)]
pub struct QueueFilter {
    pub instansi: String,
    pub unit: String,
    pub status: Option<Status>,
    pub permit_slug: Option<String>,
    /// Submitted at or after (Unix seconds).
    pub from: Option<i64>,
    /// Submitted before (Unix seconds).
    pub to: Option<i64>,
    /// Lower-case text matched inside the number or the applicant's name; empty matches all.
    pub text: String,
}

/// What the applicant's Ajukan needs to compose its emails.
#[derive(Debug, Clone)]
pub struct Submitted {
    pub from: Status,
    pub applicant: Recipient,
    pub officers: Vec<Recipient>,
}

/// An officer's action on an application.
#[derive(Debug, Clone)]
pub struct ReviewAction {
    pub to: Status,
    /// Notes per requirement (`perbaikan`).
    pub notes: Vec<(String, String)>,
    /// The timeline's and the audit's summary of the action.
    pub summary: Option<String>,
}

/// An email row claimed for sending.
#[derive(Debug, Clone)]
pub struct ClaimedMail {
    pub id: i64,
    pub recipient: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub message_id: String,
    pub attempts: i64,
}

/// Where an email row stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailStatus {
    Antre,
    Terkirim,
    Gagal,
}

impl MailStatus {
    pub fn parse(word: &str) -> Option<MailStatus> {
        match word {
            "antre" => Some(MailStatus::Antre),
            "terkirim" => Some(MailStatus::Terkirim),
            "gagal" => Some(MailStatus::Gagal),
            _ => None,
        }
    }
}

/// An email that failed or is being retried, for the officers' list.
#[derive(Debug, Clone)]
pub struct UndeliveredMail {
    pub recipient: String,
    pub subject: String,
    pub status: MailStatus,
    pub attempts: i64,
    pub last_error: Option<String>,
    /// Milliseconds since the epoch.
    pub created_at_ms: i64,
}

/// An application found by Cek Status.
#[derive(Debug, Clone)]
pub struct StatusLookup {
    pub id: i64,
    pub permit_nama: String,
    pub status: Status,
}

/// An email to be written to the outbox with the change that causes it.
#[derive(Debug, Clone)]
pub struct NewMail {
    /// What it is about, for officers' lists: `registrasi_diterima`, `registrasi_disetujui`, …
    pub kind: &'static str,
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// Whose officers see it if it cannot be delivered.
    pub instansi: Option<String>,
}
