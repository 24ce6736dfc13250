//! The local folder: durable from the moment the folder exists.

use crate::error::{Error, Result};

/// Creates the folder; when it is new, syncs its parent so the folder survives a power cut
/// along with the first document written into it.
pub(super) fn create_dir_durably(dir: &std::path::Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let io = |action, source| Error::Io {
        action,
        path: dir.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(|e| io("create", e))?;
    #[cfg(unix)]
    if let Some(parent) = dir.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::File::open(parent)
            .and_then(|f| f.sync_all())
            .map_err(|e| io("sync the parent of", e))?;
    }
    Ok(())
}

/// Removes the staging files (`<name>#<digits>`, where `LocalFileSystem` writes an object
/// before publishing it) last written before `cutoff`: a crash mid-upload leaves them, and
/// `list` never shows them. Returns how many went.
pub(super) fn remove_stale_staging(dir: &std::path::Path, cutoff: std::time::SystemTime) -> Result<usize> {
    let mut removed = 0;
    for entry in walkdir::WalkDir::new(dir).min_depth(1) {
        let entry = entry.map_err(|e| Error::Internal(format!("cannot read {}: {e}", dir.display())))?;
        if !entry.file_type().is_file() || !is_staging_name(&entry.file_name().to_string_lossy()) {
            continue;
        }
        let modified = entry
            .metadata()
            .ok()
            .and_then(|m| m.modified().ok())
            .unwrap_or_else(std::time::SystemTime::now);
        if modified < cutoff {
            match std::fs::remove_file(entry.path()) {
                Ok(()) => removed += 1,
                // Published or removed meanwhile.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(source) => {
                    return Err(Error::Io {
                        action: "remove",
                        path: entry.path().to_path_buf(),
                        source,
                    });
                }
            }
        }
    }
    Ok(removed)
}

/// `<document name>#<digits>`: only our own writes' staging files.
fn is_staging_name(name: &str) -> bool {
    matches!(name.rsplit_once('#'), Some((doc, n))
        if super::is_document_name(doc) && !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}
