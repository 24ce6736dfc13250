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
