//! Who did what, for the timeline and the audit trail.

/// Who did something: kind (`pemohon`, `petugas`, `sistem`), id and the label shown.
#[derive(Debug, Clone)]
pub struct Actor {
    pub kind: &'static str,
    pub id: Option<i64>,
    pub label: String,
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

/// Which lines of the audit trail the console asks for; `None` or empty matches every line.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub instansi: String,
    /// The line's target exactly (an application or registration number), upper case.
    pub target: Option<String>,
    /// `pemohon`, `petugas` or `sistem`.
    pub actor_kind: Option<String>,
    /// Lower-case text found inside the actor's label (a username or an officer's name).
    pub actor: String,
    /// At or after (Unix seconds).
    pub from: Option<i64>,
    /// Before (Unix seconds).
    pub to: Option<i64>,
    pub limit: i64,
}
