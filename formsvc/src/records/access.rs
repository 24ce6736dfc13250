//! The processing record (UU PDP Pasal 31): which officer opened which page or document of
//! which applicant, and when. It holds ids and words only, never the personal data that was
//! seen, so that the record of who looked is not one more copy of what they looked at.

use serde::Serialize;

/// What an officer opened; the word the store keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum AccessKind {
    /// The registration's detail page in the console.
    Registrasi,
    /// The application's page in the console.
    Permohonan,
    /// A document, downloaded.
    UnduhDokumen,
    /// A document, shown in the browser.
    LihatDokumen,
}

impl AccessKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AccessKind::Registrasi => "registrasi",
            AccessKind::Permohonan => "permohonan",
            AccessKind::UnduhDokumen => "unduh_dokumen",
            AccessKind::LihatDokumen => "lihat_dokumen",
        }
    }

    pub fn parse(word: &str) -> Option<AccessKind> {
        match word {
            "registrasi" => Some(AccessKind::Registrasi),
            "permohonan" => Some(AccessKind::Permohonan),
            "unduh_dokumen" => Some(AccessKind::UnduhDokumen),
            "lihat_dokumen" => Some(AccessKind::LihatDokumen),
            _ => None,
        }
    }

    /// What the applicant reads, before the page or document it names.
    pub fn label(self) -> &'static str {
        match self {
            AccessKind::Registrasi => "Membuka data registrasi",
            AccessKind::Permohonan => "Membuka halaman permohonan",
            AccessKind::UnduhDokumen => "Mengunduh dokumen",
            AccessKind::LihatDokumen => "Melihat dokumen",
        }
    }
}

/// An officer's look at an applicant's data, to be recorded in the request that shows it.
#[derive(Debug, Clone)]
pub struct NewAccess {
    pub applicant_id: i64,
    pub officer_id: i64,
    /// The officer's unit when they looked (an officer may move to another unit later).
    pub officer_unit: String,
    pub kind: AccessKind,
    pub application_id: Option<i64>,
    pub document_id: Option<i64>,
    /// Which document of the application: its requirement's id (the document row may be
    /// replaced later; the requirement stays in the application's list).
    pub requirement_id: Option<String>,
}

impl NewAccess {
    /// The registration page of applicant `applicant_id`, opened by `officer`.
    pub fn registration(officer: &super::Officer, applicant_id: i64) -> NewAccess {
        NewAccess {
            applicant_id,
            officer_id: officer.id,
            officer_unit: officer.unit.clone(),
            kind: AccessKind::Registrasi,
            application_id: None,
            document_id: None,
            requirement_id: None,
        }
    }

    /// The console's page of application `a`.
    pub fn application(officer: &super::Officer, a: &super::ApplicationRecord) -> NewAccess {
        NewAccess {
            application_id: Some(a.id),
            kind: AccessKind::Permohonan,
            ..NewAccess::registration(officer, a.applicant_id)
        }
    }
}

/// One line of the processing record, as the applicant and the data protection officer read
/// it.
#[derive(Debug, Clone, Serialize)]
pub struct AccessEntry {
    pub at: i64,
    pub applicant_id: i64,
    pub officer_id: i64,
    pub officer_nama: String,
    pub officer_unit: String,
    pub kind: AccessKind,
    pub application_id: Option<i64>,
    /// The application's number, when an application was opened.
    pub application_nomor: Option<String>,
    pub document_id: Option<i64>,
    pub requirement_id: Option<String>,
}
