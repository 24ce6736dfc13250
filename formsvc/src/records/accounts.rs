//! Accounts: sessions, emailed links and what the login form needs.

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
