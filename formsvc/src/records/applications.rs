//! Applications: PERMOHONAN, their documents, their timeline, and the moves between statuses.

use generator::{ApplicantType, ApplicationKind};
use serde::{Deserialize, Serialize};

use super::Recipient;
use crate::application::{KeptRequirement, Status};
use crate::domain::{Email, Nib, Npwp, PersonName, PhoneNumber, TelephoneNumber};
pub use crate::keys::WrappedKey;

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
    pub fn new(nama: String, npwp: &Npwp, alamat: String, telepon: &TelephoneNumber, email: &Email) -> Perusahaan {
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

/// NIB, PEMOHON and PERUSAHAAN as the applicant corrects them from "Periksa dan Ajukan", while
/// the application is theirs to edit. Permit, applicant type and kind stay: they decided the
/// requirement list the documents were uploaded for.
#[derive(Debug, Clone)]
pub struct ApplicationDetails {
    pub nib: Option<Nib>,
    pub pemohon: Pemohon,
    pub perusahaan: Option<Perusahaan>,
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
    /// The first Ajukan; a resubmission after a send-back keeps it.
    pub submitted_at: Option<i64>,
    /// When it entered its current status (its latest event): what it waits since.
    pub status_since: i64,
    /// The name of the officer who took it ("Saya tangani"), if one has.
    pub handled_by: Option<String>,
    /// When an officer verified it (Verifikasi, the move to `diproses`): the moment the file
    /// is declared complete, from which the permit's working days run. Read from the event
    /// history, so applications verified before deadlines were shown have it too.
    pub verified_at: Option<i64>,
    /// When it was finished (the move to `selesai`).
    pub finished_at: Option<i64>,
}

/// An application finished in a period, for the console's service-standard table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FinishedApplication {
    pub permit_slug: String,
    pub permit_nama: String,
    pub verified_at: Option<i64>,
    pub finished_at: i64,
}

/// A stored document (a scan uploaded for one requirement).
#[derive(Debug, Clone)]
pub struct DocumentRecord {
    pub id: i64,
    /// The document's address in links (`/berkas/<alamat>`): random, so that one document's
    /// address tells nothing of another's.
    pub alamat: String,
    pub requirement_id: String,
    pub stored_name: String,
    pub original_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub uploaded_at: i64,
    /// The officer's note from the last send-back, if any.
    pub catatan: Option<String>,
    /// Whether the applicant replaced the file after the note (the note is then kept as asked
    /// and answered, until Ajukan clears both).
    pub catatan_dijawab: bool,
}

/// A document just received into the blob store, to be recorded.
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub requirement_id: String,
    /// From `security::document_address`.
    pub alamat: String,
    pub stored_name: String,
    pub original_name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    /// The document's key, wrapped by the master key (from `blob::Stored::key`).
    pub key: WrappedKey,
}

/// A document with what decides who may download it.
#[derive(Debug, Clone)]
pub struct DownloadRecord {
    pub id: i64,
    pub stored_name: String,
    pub original_name: String,
    pub content_type: String,
    /// Of the plaintext.
    pub size: i64,
    /// `None`: stored before encryption, served as stored.
    pub key: Option<WrappedKey>,
    pub applicant_id: i64,
    pub instansi: String,
    pub unit: String,
    pub status: Status,
    pub application_id: i64,
    /// Which document of the application it is.
    pub requirement_id: String,
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
    /// Lower-case text matched inside the number, the applicant's or the company's name or
    /// the NIB; empty matches all.
    pub text: String,
    /// A NIK typed in the search: matched by its keyed hash against the applicant's account
    /// (numbers are stored sealed, so no text search can find them).
    pub nik: Option<String>,
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

/// An application found by Cek Status.
#[derive(Debug, Clone)]
pub struct StatusLookup {
    pub id: i64,
    pub permit_nama: String,
    pub status: Status,
}

/// A document's key as its row holds it, for `sicantik key rotate`.
#[derive(Debug, Clone)]
pub struct DocumentKeyRow {
    pub id: i64,
    pub stored_name: String,
    pub key: WrappedKey,
}

/// A document stored before encryption, for `sicantik key encrypt-documents`.
#[derive(Debug, Clone)]
pub struct PlainDocument {
    pub id: i64,
    pub stored_name: String,
    pub size: i64,
    pub sha256: String,
}
