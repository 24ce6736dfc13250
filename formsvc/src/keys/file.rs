//! Master key files: base64 of 32 random bytes and a newline, readable by the service alone.

use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use zeroize::Zeroize;

use super::{DataKey, MasterKey};
use crate::error::{Error, Result};

/// Where the key made for a laptop lives when no key is configured.
pub fn default_key_path(data_dir: &Path) -> PathBuf {
    data_dir.join("master.key")
}

/// What is wrong with the key file's permissions, if anything: a master key that the group or
/// other users can read is as good as published on a shared machine.
pub fn key_file_mode_warning(path: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Some(format!(
                "{} can be read by other users (mode {mode:04o}): run `chmod 600 {}`",
                path.display(),
                path.display()
            ));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    None
}

/// Reads the master key at `path`; `name` is the setting, for the messages. Warns when the
/// file can be read by others.
pub fn read_key_file(path: &Path, name: &str) -> Result<MasterKey> {
    let mut text = std::fs::read_to_string(path)
        .map_err(|e| Error::Config(format!("{name}={}: cannot read the key file: {e}", path.display())))?;
    if let Some(problem) = key_file_mode_warning(path) {
        tracing::warn!(setting = name, "master key file is not private: {problem}");
    }
    let key = MasterKey::parse(&text, &format!("{name}={}", path.display()));
    text.zeroize();
    key
}

/// Makes a new random master key and writes it to `path` (mode 0600, never over an existing
/// file), synced with its folder so that an acknowledged key survives a power cut.
pub fn generate_key_file(path: &Path) -> Result<MasterKey> {
    let io = |action, source| Error::Io {
        action,
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| io("create the folder of", e))?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| io("create", e))?;
    let mut text = new_key_text();
    let key = MasterKey::parse(&text, "the new key");
    let written = file.write_all(text.as_bytes()).and_then(|()| file.sync_all());
    text.zeroize();
    written.map_err(|e| io("write", e))?;
    #[cfg(unix)]
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(|e| io("sync the folder of", e))?;
    }
    key
}

/// A new random master key as a key file holds it: base64 of 32 bytes and a newline.
pub fn new_key_text() -> String {
    format!("{}\n", STANDARD.encode(DataKey::random().bytes()))
}
