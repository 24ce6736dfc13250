//! Retention: what the schedule in `content/situs.yaml` lets go, as cut-off times, and what a
//! run found or erased. Only kinds, counts and numbers (registration and application
//! numbers), never a person's data.

/// What may go: everything of a kind older than its cut-off (seconds since the epoch).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionCutoffs {
    /// Refused registrations, by the time of the refusal.
    pub refused_registrations: i64,
    /// Approved registrations whose password was never set and that made no application, by
    /// the time of the approval.
    pub unfinished_registrations: i64,
    /// Drafts never submitted, by their last change.
    pub drafts: i64,
    /// Rejected applications and their documents, by the rejection.
    pub rejected_applications: i64,
    /// Finished applications, by the time they finished; `None` when they are handed to the
    /// archive rather than erased (they are then only listed).
    pub finished_applications: Option<i64>,
    /// Finished applications due to be handed to the archive (listed, never erased here).
    pub finished_for_archive: Option<i64>,
    /// Emailed links, by their expiry or use.
    pub links: i64,
    /// Sessions, by when they were last seen.
    pub sessions: i64,
    /// Attempt counters (rate limits keyed by a hash of an identifier), by their window.
    pub counters: i64,
    /// Sent and failed emails (their bodies name people), by when they were written.
    pub mail: i64,
}

/// A kind of data the schedule erases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ErasureKind {
    RefusedRegistrations,
    UnfinishedRegistrations,
    Drafts,
    RejectedApplications,
    FinishedApplications,
    Links,
    Sessions,
    Counters,
    Mail,
}

impl ErasureKind {
    pub const ALL: [ErasureKind; 9] = [
        ErasureKind::RefusedRegistrations,
        ErasureKind::UnfinishedRegistrations,
        ErasureKind::Drafts,
        ErasureKind::RejectedApplications,
        ErasureKind::FinishedApplications,
        ErasureKind::Links,
        ErasureKind::Sessions,
        ErasureKind::Counters,
        ErasureKind::Mail,
    ];

    /// The word in the audit line and the command's output.
    pub fn as_str(self) -> &'static str {
        match self {
            ErasureKind::RefusedRegistrations => "registrasi_ditolak",
            ErasureKind::UnfinishedRegistrations => "registrasi_tak_selesai",
            ErasureKind::Drafts => "draf",
            ErasureKind::RejectedApplications => "permohonan_ditolak",
            ErasureKind::FinishedApplications => "permohonan_selesai",
            ErasureKind::Links => "tautan",
            ErasureKind::Sessions => "sesi",
            ErasureKind::Counters => "penghitung",
            ErasureKind::Mail => "surel",
        }
    }

    /// What it is, in Indonesian, for the operator.
    pub fn label(self) -> &'static str {
        match self {
            ErasureKind::RefusedRegistrations => "registrasi yang ditolak",
            ErasureKind::UnfinishedRegistrations => {
                "registrasi yang tidak diselesaikan (kata sandi tidak pernah dibuat)"
            }
            ErasureKind::Drafts => "draf permohonan yang tidak pernah diajukan",
            ErasureKind::RejectedApplications => "permohonan yang ditolak beserta dokumennya",
            ErasureKind::FinishedApplications => "permohonan selesai yang masa simpannya berakhir",
            ErasureKind::Links => "tautan atur/reset kata sandi yang kedaluwarsa atau terpakai",
            ErasureKind::Sessions => "sesi masuk yang tidak aktif",
            ErasureKind::Counters => "penghitung pembatasan percobaan",
            ErasureKind::Mail => "surel terkirim atau gagal",
        }
    }
}

/// What a run found (dry run) or erased, per kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RetentionReport {
    /// Kinds with something to erase: the count and, for registrations and applications,
    /// their numbers (links, sessions, counters and emails have no number worth printing).
    pub erased: Vec<(ErasureKind, i64, Vec<String>)>,
    /// Finished applications whose archive period is over, to be handed to the archive.
    pub archive_due: Vec<String>,
    /// Stored documents discarded (deleted by the sweeper after its grace period).
    pub documents: i64,
}

impl RetentionReport {
    pub fn count(&self, kind: ErasureKind) -> i64 {
        self.erased.iter().find(|(k, ..)| *k == kind).map_or(0, |(_, n, _)| *n)
    }

    pub fn ids(&self, kind: ErasureKind) -> &[String] {
        self.erased
            .iter()
            .find(|(k, ..)| *k == kind)
            .map_or(&[], |(_, _, ids)| ids.as_slice())
    }
}
