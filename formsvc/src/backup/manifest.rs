//! `manifest.json`, the last entry of an archive: what it holds and how to check it.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub const FORMAT: &str = "sicantik-backup";
pub const VERSION: u32 = 1;
pub const NAME: &str = "manifest.json";
pub const DOCUMENTS: &str = "documents/";
pub const CONTENT: &str = "content/";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub version: u32,
    /// When the database copy was taken, in milliseconds since 1970 (UTC).
    pub created_at_ms: i64,
    /// `sqlite` or `postgres`: where the archive can be restored.
    pub engine: String,
    pub database: Part,
    pub documents: Vec<Part>,
    pub content: Vec<Part>,
    /// Rows per table in the database copy.
    pub counts: BTreeMap<String, i64>,
}

/// One entry of the archive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    pub path: String,
    pub size: u64,
    /// Lowercase hex SHA-256 of the entry's bytes.
    pub sha256: String,
}

impl Part {
    /// The stored name of a document entry (`documents/<name>` → `<name>`).
    pub fn document_name(&self) -> &str {
        self.path.strip_prefix(DOCUMENTS).unwrap_or(&self.path)
    }
}
