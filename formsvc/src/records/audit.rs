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
