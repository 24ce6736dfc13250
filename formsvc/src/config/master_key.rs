//! `SICANTIK_MASTER_KEY_FILE` / `SICANTIK_MASTER_KEY`, and `SICANTIK_MASTER_KEY_PREVIOUS_FILE`
//! during a rotation: the key that wraps every document key and the NIK key.

use crate::error::{Error, Result};
use crate::keys::{MasterKey, read_key_file};

/// The master keys the operator gave. With no current key, `Keyring::from_config` decides
/// (a key file in the data directory on a loopback base URL, otherwise a refusal to start).
#[derive(Debug, Clone, Default)]
pub struct MasterKeySetting {
    pub current: Option<MasterKey>,
    /// Keys that only unwrap: the old key while `sicantik key rotate` moves everything to the
    /// current one.
    pub previous: Vec<MasterKey>,
}

pub(super) fn parse_master_key(
    inline: Option<String>,
    file: Option<String>,
    previous_file: Option<String>,
) -> Result<MasterKeySetting> {
    let current = match (inline, file) {
        (Some(_), Some(_)) => {
            return Err(Error::Config(
                "SICANTIK_MASTER_KEY and SICANTIK_MASTER_KEY_FILE are both set: set one of them".into(),
            ));
        }
        (Some(text), None) => Some(MasterKey::parse(&text, "SICANTIK_MASTER_KEY")?),
        (None, Some(path)) => Some(read_key_file(std::path::Path::new(&path), "SICANTIK_MASTER_KEY_FILE")?),
        (None, None) => None,
    };
    let previous = match previous_file {
        None => Vec::new(),
        Some(_) if current.is_none() => {
            return Err(Error::Config(
                "SICANTIK_MASTER_KEY_PREVIOUS_FILE is set without SICANTIK_MASTER_KEY_FILE: the previous key \
                 only unwraps, the current one must be given too"
                    .into(),
            ));
        }
        Some(list) => list
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| read_key_file(std::path::Path::new(p), "SICANTIK_MASTER_KEY_PREVIOUS_FILE"))
            .collect::<Result<Vec<_>>>()?,
    };
    Ok(MasterKeySetting { current, previous })
}
