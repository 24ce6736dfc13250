//! `SICANTIK_FORM_KEY` / `SICANTIK_FORM_KEY_FILE`: the form-token key, when the operator gives
//! it rather than leaving it to the store.

use crate::error::{Error, Result};

/// The form-token key every instance must share (a form fetched from one instance is sent to
/// another): from `SICANTIK_FORM_KEY` (base64 of 32 bytes) or the file named by
/// `SICANTIK_FORM_KEY_FILE`; unset means the store keeps one, made on first start.
#[derive(Clone)]
pub struct FormKeySetting(pub Option<[u8; 32]>);

impl std::fmt::Debug for FormKeySetting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "FormKeySetting(set)"
        } else {
            "FormKeySetting(store)"
        })
    }
}

pub(super) fn parse_form_key(inline: Option<String>, file: Option<String>) -> Result<FormKeySetting> {
    use base64::Engine;
    let (text, name) = match (inline, file) {
        (Some(v), _) => (v, "SICANTIK_FORM_KEY".to_string()),
        (None, Some(path)) => (
            std::fs::read_to_string(&path).map_err(|e| Error::Config(format!("SICANTIK_FORM_KEY_FILE={path}: {e}")))?,
            format!("SICANTIK_FORM_KEY_FILE={path}"),
        ),
        (None, None) => return Ok(FormKeySetting(None)),
    };
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .or_else(|_| base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text.trim()))
        .map_err(|_| Error::Config(format!("{name}: not base64")))?;
    let key: [u8; 32] = bytes
        .try_into()
        .map_err(|_| Error::Config(format!("{name}: must be 32 bytes (base64 of 32 random bytes)")))?;
    Ok(FormKeySetting(Some(key)))
}
