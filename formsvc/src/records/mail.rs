//! Emails: written with the change that causes them, claimed and marked by the outbox worker.

/// Who to tell about something: an officer's or applicant's address and name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recipient {
    pub email: String,
    pub nama: String,
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

/// The outbox at a glance, for `/metrics`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OutboxState {
    /// Emails waiting to be sent (claimed or not).
    pub waiting: i64,
    /// When the oldest of them was queued, in milliseconds.
    pub oldest_queued_at_ms: Option<i64>,
    /// Emails given up on after their last attempt.
    pub failed: i64,
}
