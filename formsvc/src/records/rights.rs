//! The applicant's right to deletion (UU PDP Pasal 8 and 16): the request Layanan Pemohon
//! records, the officers' list of those waiting, and what processing one erased and kept,
//! for the email that tells the applicant which is which.

/// Where a deletion request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeletionStatus {
    Diajukan,
    Dibatalkan,
    Selesai,
}

impl DeletionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeletionStatus::Diajukan => "diajukan",
            DeletionStatus::Dibatalkan => "dibatalkan",
            DeletionStatus::Selesai => "selesai",
        }
    }

    pub fn parse(word: &str) -> Option<DeletionStatus> {
        match word {
            "diajukan" => Some(DeletionStatus::Diajukan),
            "dibatalkan" => Some(DeletionStatus::Dibatalkan),
            "selesai" => Some(DeletionStatus::Selesai),
            _ => None,
        }
    }

    /// The words the applicant reads.
    pub fn label(self) -> &'static str {
        match self {
            DeletionStatus::Diajukan => "Diajukan, menunggu diproses petugas",
            DeletionStatus::Dibatalkan => "Dibatalkan",
            DeletionStatus::Selesai => "Selesai diproses",
        }
    }
}

/// A request as its applicant sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeletionRequest {
    pub id: i64,
    pub status: DeletionStatus,
    /// Seconds since the epoch.
    pub requested_at: i64,
}

/// A request waiting for an officer of the applicant's instansi.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingDeletion {
    pub id: i64,
    /// The registration's number.
    pub nomor: String,
    pub nama: String,
    pub requested_at: i64,
    /// Finished applications the archive schedule keeps.
    pub finished: i64,
    /// Applications that will go (drafts, in review, rejected).
    pub other: i64,
}

/// A finished application kept after its applicant's account was erased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptApplication {
    pub nomor: String,
    pub permit_nama: String,
    /// When it finished (its last change), seconds since the epoch.
    pub finished_at: i64,
}

/// What processing a deletion request did, read inside its transaction before the account's
/// data went: the address and name are only for the one email that tells the applicant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErasedAccount {
    pub nomor: String,
    pub nama: String,
    pub email: String,
    pub instansi: String,
    /// Applications erased with their documents.
    pub erased_applications: i64,
    pub documents: i64,
    pub kept: Vec<KeptApplication>,
}

/// The outcome of `Rights::process_deletion`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Processed {
    Done(ErasedAccount),
    /// Not a request of the officer's instansi, or none by that id.
    NotFound,
    /// Processed or cancelled before.
    AlreadyDecided,
}

/// A field that identifies the person, which only an officer may correct (UU PDP Pasal 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorrectedField {
    Nama,
    NomorIdentitas,
}

impl CorrectedField {
    pub fn as_str(self) -> &'static str {
        match self {
            CorrectedField::Nama => "nama",
            CorrectedField::NomorIdentitas => "nomor_identitas",
        }
    }

    pub fn parse(word: &str) -> Option<CorrectedField> {
        match word {
            "nama" => Some(CorrectedField::Nama),
            "nomor_identitas" => Some(CorrectedField::NomorIdentitas),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CorrectedField::Nama => "Nama lengkap",
            CorrectedField::NomorIdentitas => "Nomor identitas (NIK atau paspor)",
        }
    }
}

/// Where a correction request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorrectionStatus {
    Diajukan,
    Disetujui,
    Ditolak,
}

impl CorrectionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CorrectionStatus::Diajukan => "diajukan",
            CorrectionStatus::Disetujui => "disetujui",
            CorrectionStatus::Ditolak => "ditolak",
        }
    }

    pub fn parse(word: &str) -> Option<CorrectionStatus> {
        match word {
            "diajukan" => Some(CorrectionStatus::Diajukan),
            "disetujui" => Some(CorrectionStatus::Disetujui),
            "ditolak" => Some(CorrectionStatus::Ditolak),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CorrectionStatus::Diajukan => "Diajukan, menunggu diperiksa petugas",
            CorrectionStatus::Disetujui => "Disetujui, data telah diubah",
            CorrectionStatus::Ditolak => "Ditolak",
        }
    }
}

/// An applicant's request to correct their name or identity number. `value` has been parsed
/// by the handler (`PersonName`, `Nik` or a passport number); the store seals an identity
/// number before it keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCorrection {
    pub field: CorrectedField,
    pub value: String,
    pub alasan: String,
}

/// A correction request as the store holds it, the identity number opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Correction {
    pub id: i64,
    pub applicant_id: i64,
    /// The registration's number.
    pub nomor: String,
    pub field: CorrectedField,
    pub value: String,
    pub alasan: String,
    pub status: CorrectionStatus,
    pub alasan_tolak: Option<String>,
    pub requested_at: i64,
}

/// An officer's answer to a correction request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CorrectionVerdict {
    Approve,
    Refuse(String),
}

/// A decided correction and whom to tell (the name as it stands after the decision).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecidedCorrection {
    pub correction: Correction,
    pub to: super::Recipient,
}
