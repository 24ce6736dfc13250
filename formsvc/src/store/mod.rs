//! The store: the only layer that knows a database engine. Handlers parse a request into
//! domain types, call one method here per question a page asks or change it makes, and render
//! what comes back. Each method that changes something does the whole change in one
//! transaction: the rows, the audit line and the emails it causes (written to the outbox, sent
//! later by the outbox worker), so an acknowledged change always has its emails.
//!
//! Two engines implement it: [`sqlite`] (embedded, the default; one writer thread with group
//! commit) and [`postgres`] (several instances on one server; one transaction per request from
//! a pool). The engine is chosen once, from `SICANTIK_DATABASE_URL`.
//!
//! Emails whose words depend on what the transaction assigns (a registration number, the
//! officers to notify) are composed by a callback the handler passes in; the store calls it
//! inside the transaction with what it found. The callback renders templates and touches no
//! store.

use std::sync::Arc;

use async_trait::async_trait;

use crate::error::{Error, Result};
use crate::keys::{Keyring, NikKey};
use crate::records::*;

pub mod postgres;
pub mod sqlite;
#[cfg(test)]
mod tests;

/// Composes the emails of a change from what the store found inside its transaction. Owned
/// (`'static`): the SQLite writer runs it on its own thread.
pub type Compose<T> = Box<dyn Fn(&T) -> Result<Vec<NewMail>> + Send + Sync>;

/// Accounts, sessions and emailed links.
#[async_trait]
pub trait Accounts: Send + Sync {
    /// The session whose token hashes to `token_hash`, if any (expired ones too: the caller
    /// decides about timeouts).
    async fn session(&self, token_hash: &str) -> Result<Option<SessionRecord>>;
    /// Marks the session as seen at `now`.
    async fn touch_session(&self, token_hash: &str, now: i64) -> Result<()>;
    /// Ends one session (logout, timeout).
    async fn end_session(&self, token_hash: &str) -> Result<()>;
    /// Starts a session for `user_id`, ending `replaces` (the visitor's session before login)
    /// in the same transaction.
    async fn start_session(
        &self,
        token_hash: &str,
        role: Role,
        user_id: i64,
        now: i64,
        replaces: Option<&str>,
    ) -> Result<()>;
    /// The account `login` (a username, or an email compared case-insensitively; the caller
    /// lower-cases it) may sign in to: applicants only when active.
    async fn login_account(&self, role: Role, login: &str) -> Result<Option<LoginAccount>>;
    /// The link whose token hashes to `token_hash`, if it is unused and expires after `now`.
    async fn valid_link(&self, token_hash: &str, now: i64) -> Result<Option<LinkRecord>>;
    /// Names of an applicant or officer account.
    async fn account_names(&self, role: Role, id: i64) -> Result<Option<AccountNames>>;
    /// Spends the link and sets the account's password, ending every session of the account
    /// and writing the audit line `sandi_diatur`, in one transaction. False when the link was
    /// already spent (of two racing submits, one wins).
    /// Sets the password from the link `token_hash` and queues `notice` (the account holder is
    /// told their password changed) in the same transaction. False: the link was spent.
    async fn set_password(
        &self,
        token_hash: &str,
        role: Role,
        id: i64,
        password_hash: &str,
        notice: NewMail,
        now: i64,
    ) -> Result<bool>;
    /// The active applicant `login` names (username, or email lower-cased), for Lupa Kata
    /// Sandi.
    async fn active_applicant(&self, login: &str) -> Result<Option<(i64, AccountNames)>>;
    /// Stores a reset link for the applicant with its email and the audit line
    /// `sandi_direset`, in one transaction.
    async fn issue_reset_link(&self, applicant_id: i64, link: NewLink, mail: NewMail, now: i64) -> Result<()>;
}

/// Registrasi Pemohon and the officers' decisions on it.
#[async_trait]
pub trait Registrations: Send + Sync {
    /// Stores a registration with the next number of the year (`REG-YYYY-NNNNNN`), the
    /// emails `compose` makes and the audit line `registrasi_masuk`; or says the same form was
    /// sent before, or that the username or email is taken by a registration not refused.
    async fn register(
        &self,
        new: NewRegistration,
        year: i32,
        now: i64,
        compose: Compose<Registered>,
    ) -> Result<RegisterOutcome>;
    /// Whether `username`, and `email` (lower-cased), are held by a registration not refused
    /// and not sent with `form_token` (that one is the same registration, sent twice): asked
    /// before DAFTAR so that the form reports them with its other problems. `register` still
    /// decides, in its transaction.
    async fn names_taken(&self, username: &str, email: &str, form_token: &str) -> Result<(bool, bool)>;
    /// Registrations of `instansi` waiting for a decision, oldest first.
    async fn waiting_registrations(&self, instansi: &str) -> Result<Vec<WaitingRegistration>>;
    /// A registration of `instansi` (any status); another instansi's is `None`.
    async fn registration(&self, id: i64, instansi: &str) -> Result<Option<Applicant>>;
    /// Approves a waiting registration of the officer's instansi: status `aktif`, the
    /// set-password link, the email `compose` makes, the audit line `registrasi_disetujui`.
    async fn approve_registration(
        &self,
        id: i64,
        officer: &Officer,
        link: NewLink,
        now: i64,
        compose: Compose<Applicant>,
    ) -> Result<Decision>;
    /// Refuses a waiting registration with a reason: status `ditolak`, the email, the audit
    /// line `registrasi_ditolak` with the reason.
    async fn reject_registration(
        &self,
        id: i64,
        officer: &Officer,
        reason: &str,
        now: i64,
        compose: Compose<Applicant>,
    ) -> Result<Decision>;
    /// The active applicant `id` (Layanan Pemohon).
    async fn profile(&self, id: i64) -> Result<Option<Applicant>>;
    /// Changes the applicant's contact data, with the audit line `profil_diubah` and, when a
    /// field changed, `notice` to the account's address (ASVS: the holder learns of a change
    /// they did not make), all in one transaction.
    async fn update_contact(&self, id: i64, update: ContactUpdate, notice: NewMail, now: i64) -> Result<()>;
}

/// Officer accounts and what the console shows beside the queues.
#[async_trait]
pub trait Officers: Send + Sync {
    async fn officer(&self, id: i64) -> Result<Option<Officer>>;
    /// Creates an officer (with a set-password link when no password is given) and the audit
    /// line `petugas_dibuat`. `Error::Config` when the username exists.
    async fn add_officer(&self, new: NewOfficerRecord, link: Option<NewLink>, now: i64) -> Result<()>;
    /// The audit trail of `instansi`, newest first, at most `limit` lines.
    async fn audit_trail(&self, instansi: &str, limit: i64) -> Result<Vec<AuditEntry>> {
        let all = AuditFilter {
            instansi: instansi.to_string(),
            limit,
            ..AuditFilter::default()
        };
        self.audit_search(&all).await
    }
    /// The lines of the audit trail `filter` asks for, newest first, at most `filter.limit`.
    async fn audit_search(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>>;
    /// Emails of `instansi` that failed or are being retried, newest first.
    async fn undelivered_mail(&self, instansi: &str, limit: i64) -> Result<Vec<UndeliveredMail>>;
    /// How many emails of `instansi` failed for good.
    async fn failed_mail_count(&self, instansi: &str) -> Result<i64>;
    /// Uploads the virus scanner refused for applications of the unit, newest first.
    async fn scan_refusals(&self, instansi: &str, unit: &str, limit: i64) -> Result<Vec<ScanRefusal>>;
    /// How many uploads the virus scanner refused for applications of the unit since `since`.
    async fn scan_refusal_count(&self, instansi: &str, unit: &str, since: i64) -> Result<i64>;
    /// Every officer account, by username, with its last sign-in and whether it is disabled
    /// (`sicantik officer list`, after a breach).
    async fn officer_accounts(&self) -> Result<Vec<OfficerAccount>>;
    /// Disables the officer `username`: it can no longer sign in, its sessions and unused
    /// links end in the same transaction, with the audit line `petugas_dinonaktifkan` in the
    /// name of `by` (an admin in the console) or of the command line. False when no such
    /// officer exists; disabling twice keeps the first time.
    async fn disable_officer(&self, username: &str, by: Option<&Officer>, now: i64) -> Result<bool>;
    /// Gives the officer `username` the admin right of its instansi, or takes it away, with
    /// the audit line `petugas_admin` (from the command line). False when no such officer
    /// exists.
    async fn set_officer_admin(&self, username: &str, admin: bool, now: i64) -> Result<bool>;
}

/// The officers' second factor (TOTP, RFC 6238) and their recovery codes. Secrets are sealed
/// with the key of identity numbers; recovery codes are kept only as hashes.
#[async_trait]
pub trait SecondFactor: Send + Sync {
    /// The officer's second factor; `None` when no such officer exists.
    async fn second_factor(&self, officer_id: i64) -> Result<Option<SecondFactorState>>;
    /// Keeps `secret` as the one enrolment shows until a code confirms it; nothing changes
    /// once the officer is enrolled or when one is awaiting already (a reload shows the same).
    async fn offer_totp(&self, officer_id: i64, secret: &str) -> Result<()>;
    /// Confirms the awaiting secret: it becomes the officer's, `recovery_hashes` their
    /// recovery codes and `step` the last accepted, with the audit line
    /// `verifikasi_dua_langkah_aktif`. False when none was awaiting (enrolled meanwhile).
    async fn confirm_totp(&self, officer_id: i64, recovery_hashes: Vec<String>, step: i64, now: i64) -> Result<bool>;
    /// Accepts a code's step once, whichever instance it reaches: false when this step or a
    /// later one was accepted already (a replayed code).
    async fn accept_totp_step(&self, officer_id: i64, step: i64) -> Result<bool>;
    /// Spends a recovery code, with the audit line `kode_pemulihan_dipakai`; false when it is
    /// not one of the officer's or was spent.
    async fn spend_recovery_code(&self, officer_id: i64, code_hash: &str, now: i64) -> Result<bool>;
    /// Removes the officer's second factor and recovery codes and ends their sessions, so the
    /// next sign-in enrols again (`sicantik officer reset-mfa`), with the audit line
    /// `verifikasi_dua_langkah_direset`. False when no such officer exists.
    async fn reset_second_factor(&self, username: &str, now: i64) -> Result<bool>;
}

/// PERMOHONAN, DOKUMEN, Ajukan and the officers' review.
#[async_trait]
pub trait Applications: Send + Sync {
    /// Stores a draft application under a new random number (`PRM-XXXX-XXXX`) with its first
    /// event; the same form sent twice gives the first application's number.
    async fn create_application(&self, new: NewApplication, now: i64) -> Result<String>;
    /// The application `nomor` of `applicant_id`; someone else's is `None`.
    async fn application_of(&self, nomor: &str, applicant_id: i64) -> Result<Option<ApplicationRecord>>;
    /// The application `nomor`, whoever made it.
    async fn application(&self, nomor: &str) -> Result<Option<ApplicationRecord>>;
    /// Replaces NIB, PEMOHON and PERUSAHAAN of the applicant's application while it is theirs
    /// to edit (a draft, or sent back for correction). `Error::Forbidden` when it is not the
    /// applicant's or no longer editable.
    async fn update_application_details(
        &self,
        application_id: i64,
        applicant_id: i64,
        details: ApplicationDetails,
        now: i64,
    ) -> Result<()>;
    /// The applicant's applications, newest first.
    async fn applications_of(&self, applicant_id: i64) -> Result<Vec<ApplicationRecord>>;
    /// The documents of an application.
    async fn documents(&self, application_id: i64) -> Result<Vec<DocumentRecord>>;
    /// The status changes of an application, oldest first.
    async fn timeline(&self, application_id: i64) -> Result<Vec<EventRecord>>;
    /// Records a document for its requirement, replacing the previous one (whose stored name
    /// is returned so its blob can go). `Error::Forbidden` when the application is not the
    /// applicant's or no longer editable.
    async fn save_document(
        &self,
        application_id: i64,
        applicant_id: i64,
        doc: NewDocument,
        now: i64,
    ) -> Result<Option<String>>;
    /// Removes the document of a requirement; returns its stored name.
    async fn remove_document(&self, application_id: i64, requirement_id: &str, now: i64) -> Result<Option<String>>;
    /// Records an upload the virus scanner refused (nothing of the file is kept), for the
    /// officers of the application's unit.
    async fn record_scan_refusal(&self, refusal: NewScanRefusal, now: i64) -> Result<()>;
    /// Ajukan: moves the application to `diajukan` if its status allows, clears the officers'
    /// notes, records the event and the emails `compose` makes. `Error::Forbidden` when the
    /// status does not allow it.
    async fn submit_application(
        &self,
        application_id: i64,
        applicant_id: i64,
        now: i64,
        compose: Compose<Submitted>,
    ) -> Result<()>;
    /// An officer's action: the status move (false if the status no longer allows it), the
    /// notes per document, the event, the email `compose` makes for the applicant and the
    /// audit line `permohonan_<status>`.
    async fn review(
        &self,
        application_id: i64,
        officer: &Officer,
        action: ReviewAction,
        now: i64,
        compose: Compose<Recipient>,
    ) -> Result<bool>;
    /// The unit's queue (never drafts), oldest submission first, at most 1000.
    async fn queue(&self, filter: QueueFilter) -> Result<Vec<ApplicationRecord>>;
    /// How many applications of the unit wait for verification.
    async fn waiting_count(&self, instansi: &str, unit: &str) -> Result<i64>;
    /// "Saya tangani": `officer` takes the application (of their unit, past its draft), with
    /// the audit line `permohonan_ditangani`; false when there is no such application.
    async fn take_application(&self, application_id: i64, officer: &Officer, now: i64) -> Result<bool>;
    /// How many applications of the unit are in each status past the draft (the queue's
    /// tabs); statuses with none are left out.
    async fn queue_counts(&self, instansi: &str, unit: &str) -> Result<Vec<(crate::application::Status, i64)>>;
    /// The unit's applications finished (moved to `selesai`) in `[from, to)`, with when each
    /// was verified, by finishing time: what the console's service-standard table counts.
    async fn finished_between(
        &self,
        instansi: &str,
        unit: &str,
        from: i64,
        to: i64,
    ) -> Result<Vec<FinishedApplication>>;
    /// Cek Status: the submitted application `nomor` whose applicant has the email
    /// `email_lower` or the NIK `nik` (16 digits; found by its keyed hash).
    async fn status_lookup(&self, nomor: &str, email_lower: &str, nik: &str) -> Result<Option<StatusLookup>>;
    /// The document at address `alamat`, with its application's owner, unit and status.
    async fn document_for_download(&self, alamat: &str) -> Result<Option<DownloadRecord>>;
}

/// The mail outbox's side of the store.
#[async_trait]
pub trait Outbox: Send + Sync {
    /// Writes emails on their own (benchmarks and tools; changes write theirs themselves).
    async fn enqueue(&self, mails: Vec<NewMail>) -> Result<()>;
    /// Claims up to `limit` due emails for `lease_ms` in the name of `claimant` (one worker of
    /// one instance): not sent, due at `now_ms`, not claimed by a live lease. Two workers never
    /// claim the same row while its lease runs.
    async fn claim_mail(&self, now_ms: i64, lease_ms: i64, limit: i64, claimant: &str) -> Result<Vec<ClaimedMail>>;
    /// Ends the leases `claimant` still holds: a restarted instance takes back at once what
    /// its predecessor claimed before it died, without waiting for the leases to run out.
    async fn release_claims(&self, claimant: &str) -> Result<u64>;
    /// Records emails the server accepted, `(id, attempts)` each, in one commit.
    async fn mark_sent(&self, sent: &[(i64, i64)], now_ms: i64) -> Result<()>;
    /// Records a failed attempt: due again at `next_at_ms`, or failed for good.
    async fn mark_attempt_failed(
        &self,
        id: i64,
        attempts: i64,
        failed: bool,
        next_at_ms: i64,
        error: &str,
    ) -> Result<()>;
    /// When the next email is due (its attempt time or the end of its lease), if any waits.
    async fn next_mail_due(&self) -> Result<Option<i64>>;
    /// How many wait, since when, and how many failed for good.
    async fn outbox_state(&self) -> Result<OutboxState>;
    /// Wakes `notify` whenever any instance enqueues mail, for as long as the store lives
    /// (PostgreSQL: LISTEN/NOTIFY on a connection of its own, reconnecting after a failure).
    /// SQLite has one instance, whose handlers wake their worker themselves: nothing to do.
    async fn listen_for_mail(&self, notify: Arc<tokio::sync::Notify>) -> Result<()>;
}

/// Counters of attempts that hold across instances and restarts (rate limits, lockouts) and
/// the settings every instance shares.
#[async_trait]
pub trait Shared: Send + Sync {
    /// Counts one attempt for `key` in a fixed window of `window` seconds; returns the count
    /// in the current window including this one.
    async fn hit(&self, key: &str, window: i64, now: i64) -> Result<i64>;
    /// The count for `key` in its current window, without counting.
    async fn hits(&self, key: &str, window: i64, now: i64) -> Result<i64>;
    /// Forgets the count for `key` (a successful login).
    async fn clear_hits(&self, key: &str) -> Result<()>;
    /// The value of a shared setting, made from `make` and stored on first use (the first of
    /// several instances to ask decides).
    async fn setting_or_init(&self, name: &str, make: Vec<u8>) -> Result<Vec<u8>>;
    /// Whether the database answers (readiness).
    async fn ping(&self) -> Result<()>;
    /// Marks stored objects that no row names any more, to be deleted after a grace period: a
    /// backup whose database copy was taken before may still need them.
    async fn discard_blobs(&self, names: &[String], now_ms: i64) -> Result<()>;
    /// Objects discarded before `before_ms`, oldest first, at most `limit`.
    async fn discarded_before(&self, before_ms: i64, limit: i64) -> Result<Vec<String>>;
    /// Forgets discarded objects once they are deleted.
    async fn forget_discarded(&self, names: &[String]) -> Result<()>;
    /// The names among `names` that no document row and no discarded row names: objects
    /// left by an upload whose row never committed (a crash between the two).
    async fn orphans_among(&self, names: &[String]) -> Result<Vec<String>>;
}

/// The retention schedule applied: what is past its period, found and (unless a dry run)
/// erased in one transaction, with one audit line `retensi_dihapus` per kind (the kind and
/// how many, never whose). Registrations and applications go with everything that holds
/// their data: documents (their objects discarded for the sweeper), events, refused uploads,
/// the emails that name them, the applicant's sessions and links; the applicant's audit lines
/// keep the action but lose the name.
#[async_trait]
pub trait Retention: Send + Sync {
    async fn retention(
        &self,
        cutoffs: RetentionCutoffs,
        instansi: &str,
        apply: bool,
        now: i64,
    ) -> Result<RetentionReport>;
}

/// A consistent copy of the database while the service runs, for `sicantik backup`.
#[async_trait]
pub trait Backup: Send + Sync {
    /// Writes the database as it is at one instant into `dir` (SQLite: a database file through
    /// the online backup API; PostgreSQL: a `pg_dump` archive from an exported snapshot), and
    /// says which documents the copy names and how many rows it holds.
    async fn snapshot(&self, dir: &std::path::Path) -> Result<Snapshot>;
}

/// What `Backup::snapshot` wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The file in the directory: `database.sqlite3` or `database.pgdump`.
    pub file: String,
    pub engine: Engine,
    /// The stored names of every document the copy names.
    pub documents: Vec<String>,
    /// Rows per table, for the manifest.
    pub counts: std::collections::BTreeMap<String, i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

/// The tables a manifest counts.
pub const COUNTED_TABLES: [&str; 6] = ["officers", "applicants", "applications", "documents", "outbox", "audit"];

/// Refuses unless the database of `url` holds nothing yet (SQLite: no file; PostgreSQL: no
/// table), so that a restore can check before it writes anything anywhere.
pub async fn ensure_empty(url: &crate::config::DatabaseUrl) -> Result<()> {
    match url {
        crate::config::DatabaseUrl::Sqlite(path) if path.exists() => Err(Error::Config(format!(
            "{} exists already: restore into an empty data directory",
            path.display()
        ))),
        crate::config::DatabaseUrl::Sqlite(_) => Ok(()),
        crate::config::DatabaseUrl::Postgres(url) => postgres::ensure_empty(url.expose()).await,
    }
}

/// Puts a snapshot back as the database of `url`, which must hold nothing yet.
pub async fn restore_snapshot(url: &crate::config::DatabaseUrl, file: &std::path::Path) -> Result<()> {
    match url {
        crate::config::DatabaseUrl::Sqlite(path) => sqlite::restore(file, path),
        crate::config::DatabaseUrl::Postgres(url) => postgres::restore(url.expose(), file).await,
    }
}

/// What the keys protect, for `sicantik key rotate`, `sicantik key encrypt-documents` and the
/// sealing of identity numbers written before they were sealed. Each change is checked
/// against what the row held when it was read, so a rotation can run beside the service and
/// be stopped and started again at any point.
#[async_trait]
pub trait Keys: Send + Sync {
    /// Up to `limit` documents, by id above `after`, whose key is wrapped by a master key other
    /// than `key_id` (documents stored before encryption are not among them).
    async fn documents_not_wrapped_by(&self, key_id: &str, after: i64, limit: i64) -> Result<Vec<DocumentKeyRow>>;
    /// Stores re-wrapped keys `(id, old, new)` in one transaction, each only if its row still
    /// holds `old`; returns how many rows changed.
    async fn rewrap_documents(&self, changes: Vec<(i64, WrappedKey, WrappedKey)>) -> Result<u64>;
    /// Up to `limit` documents stored before encryption, by id above `after`.
    async fn plain_documents(&self, after: i64, limit: i64) -> Result<Vec<PlainDocument>>;
    /// Points a document stored before encryption at its encrypted object `new_name`, if its
    /// row still names the plain object `old_name` and has no key. False: the row changed
    /// (replaced, removed), and the new object is the caller's to delete.
    async fn document_encrypted(&self, id: i64, old_name: &str, new_name: &str, key: &WrappedKey) -> Result<bool>;
    /// How many documents each master key wraps (`None`: stored before encryption).
    async fn documents_by_key(&self) -> Result<Vec<(Option<String>, i64)>>;
    /// Replaces a shared setting, if it still holds `old`.
    async fn replace_setting(&self, name: &str, old: &[u8], new: Vec<u8>) -> Result<bool>;
    /// Seals every identity number still stored in clear (rows written before sealing), in
    /// batches; returns how many rows it sealed.
    async fn seal_identities(&self) -> Result<u64>;
}

/// The processing record (UU PDP Pasal 31): which officer opened which applicant's data.
/// Handlers that show an officer an applicant's personal data or documents record it in the
/// same request, before the response, so that nothing is seen unrecorded; an applicant looking
/// at their own data is not recorded.
#[async_trait]
pub trait AccessRecord: Send + Sync {
    /// Records one look at `now`.
    async fn record_access(&self, access: NewAccess, now: i64) -> Result<()>;
    /// The record of one applicant, newest first, at most `limit` lines, with the officer's
    /// name and the application's number.
    async fn access_of(&self, applicant_id: i64, limit: i64) -> Result<Vec<AccessEntry>>;
    /// Every applicant (any status: a refused registration was looked at too) whose username
    /// is `login`, or whose email lower-cased is, for the data protection officer's export.
    async fn applicants_named(&self, login: &str) -> Result<Vec<i64>>;
}

/// The applicant's rights that go through an officer: deletion, and the correction of what
/// identifies them. Deletion is a request from Layanan Pemohon and an officer's processing of
/// it. Processing erases the account as the retention schedule erases one
/// (`Retention`), except the finished applications, which the office's archive schedule keeps:
/// those stay with their documents, events and decision, and the account row stays emptied of
/// every personal field (`applicants.erased_at`), because they reference it.
#[async_trait]
pub trait Rights: Send + Sync {
    /// Records the applicant's request (`diajukan`) with the audit line
    /// `hapus_akun_diajukan`; while one waits, that one is returned instead of a second.
    async fn request_deletion(&self, applicant_id: i64, now: i64) -> Result<DeletionRequest>;
    /// The applicant's latest request, if any.
    async fn deletion_request_of(&self, applicant_id: i64) -> Result<Option<DeletionRequest>>;
    /// Cancels the applicant's waiting request, with the audit line `hapus_akun_dibatalkan`.
    /// False when none waits.
    async fn cancel_deletion(&self, applicant_id: i64, now: i64) -> Result<bool>;
    /// Requests of `instansi` waiting for an officer, oldest first.
    async fn pending_deletions(&self, instansi: &str) -> Result<Vec<PendingDeletion>>;
    /// Processes request `id` for an officer of its instansi: erases the account and all but
    /// its finished applications, ends its sessions and links, forgets the emails that name
    /// it, writes the email `compose` makes from what went and what stays, and the audit line
    /// `hapus_akun_diproses` (numbers and counts only), in one transaction.
    async fn process_deletion(
        &self,
        id: i64,
        officer: &Officer,
        now: i64,
        compose: Compose<ErasedAccount>,
    ) -> Result<Processed>;
    /// Records a request to correct the applicant's name or identity number (the number
    /// sealed), with the audit line `koreksi_identitas_diajukan` naming the field, never the
    /// value. False while one of theirs waits.
    async fn request_correction(&self, applicant_id: i64, new: NewCorrection, now: i64) -> Result<bool>;
    /// The applicant's correction requests, newest first, at most `limit`.
    async fn corrections_of(&self, applicant_id: i64, limit: i64) -> Result<Vec<Correction>>;
    /// Correction requests of `instansi` waiting for an officer, oldest first.
    async fn pending_corrections(&self, instansi: &str) -> Result<Vec<Correction>>;
    /// The correction request `id`, if it is of `instansi`.
    async fn correction(&self, id: i64, instansi: &str) -> Result<Option<Correction>>;
    /// An officer's decision on a waiting correction: approved, the account's name or identity
    /// number (sealed, with its keyed hash) changes; refused, the reason is kept for the
    /// applicant. With the email `compose` makes and the audit line `koreksi_identitas_disetujui`
    /// or `koreksi_identitas_ditolak` (the field, never the values), in one transaction.
    async fn decide_correction(
        &self,
        id: i64,
        officer: &Officer,
        verdict: CorrectionVerdict,
        now: i64,
        compose: Compose<DecidedCorrection>,
    ) -> Result<Decision>;
}

/// Everything the service keeps.
pub trait Store:
    Accounts
    + Registrations
    + Officers
    + SecondFactor
    + Applications
    + Outbox
    + Shared
    + Backup
    + Keys
    + AccessRecord
    + Retention
    + Rights
{
}

impl<
    T: Accounts
        + Registrations
        + Officers
        + SecondFactor
        + Applications
        + Outbox
        + Shared
        + Backup
        + Keys
        + AccessRecord
        + Retention
        + Rights,
> Store for T
{
}

pub type DynStore = Arc<dyn Store>;

/// The engine named by the database URL: the SQLite file (the embedded default) or a
/// PostgreSQL server, with the NIK key of its data (unwrapped by `keys`, or made and stored
/// on first start) and every identity number sealed. `message_domain` is the host part of the
/// Message-IDs of its emails.
pub async fn open(
    url: &crate::config::DatabaseUrl,
    pool_size: usize,
    message_domain: &str,
    keys: &Keyring,
) -> Result<(DynStore, Arc<NikKey>)> {
    let (store, nik): (DynStore, Arc<NikKey>) = match url {
        crate::config::DatabaseUrl::Sqlite(path) => {
            let store = sqlite::SqliteStore::open(path)?.with_message_domain(message_domain.to_string());
            let nik = Arc::new(NikKey::load(&store, keys).await?);
            (Arc::new(store.with_nik(nik.clone())), nik)
        }
        crate::config::DatabaseUrl::Postgres(url) => {
            let store = postgres::PgStore::connect(url.expose(), pool_size)
                .await?
                .with_message_domain(message_domain.to_string());
            let nik = Arc::new(NikKey::load(&store, keys).await?);
            (Arc::new(store.with_nik(nik.clone())), nik)
        }
    };
    let sealed = store.seal_identities().await?;
    if sealed > 0 {
        tracing::info!(rows = sealed, "identity numbers stored in clear are now sealed");
    }
    Ok((store, nik))
}

/// A row that does not read back as what was written: an error naming the row, never a
/// default. Logged with the table, the id and the field; the user sees a 500 with a reference.
pub fn corrupt(table: &'static str, id: impl std::fmt::Display, field: &'static str) -> crate::error::Error {
    crate::error::Error::Corrupt {
        table,
        id: id.to_string(),
        field,
    }
}
