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
