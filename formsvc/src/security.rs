//! Secrets and proofs: random tokens (sessions, emailed links), their stored hashes, form
//! tokens against cross-site request forgery, and password hashing with Argon2id.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// A random token of 256 bits, URL-safe: session cookies, emailed links, form tokens.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A document's address in links: 128 random bits, URL-safe (22 characters).
pub fn document_address() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Whether `s` can be a document address (new ones from [`document_address`], and the 32 hex
/// digits given to documents stored before addresses existed); anything else is not looked up.
pub fn is_document_address(s: &str) -> bool {
    (s.len() == 22 || s.len() == 32) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// What the database keeps of a token: its SHA-256, so a leaked table opens no account.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The server's key for form tokens, kept in the data directory and made on first start.
#[derive(Clone)]
pub struct FormKey([u8; 32]);

impl FormKey {
    /// The key every instance shares: the configured one, or the one the store keeps (made by
    /// whichever instance starts first).
    pub async fn shared(setting: &crate::config::FormKeySetting, store: &dyn crate::store::Shared) -> Result<FormKey> {
        if let Some(key) = setting.0 {
            return Ok(FormKey(key));
        }
        let mut fresh = [0u8; 32];
        rand::rng().fill_bytes(&mut fresh);
        let stored = store.setting_or_init("form_key", fresh.to_vec()).await?;
        let key: [u8; 32] = stored.try_into().map_err(|_| Error::Corrupt {
            table: "settings",
            id: "form_key".into(),
            field: "value",
        })?;
        Ok(FormKey(key))
    }

    pub fn from_bytes(key: [u8; 32]) -> FormKey {
        FormKey(key)
    }

    fn mac(&self, nonce: &str, binding: &str) -> Hmac<Sha256> {
        // A key of any length is accepted by HMAC; 32 bytes cannot fail.
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.0).unwrap_or_else(|_| unreachable!());
        mac.update(nonce.as_bytes());
        mac.update(b"|");
        mac.update(binding.as_bytes());
        mac
    }

    /// The token a form carries: bound to the browser's nonce cookie and to its session (empty
    /// when signed out), so a token taken from one visitor does not work for another.
    pub fn form_token(&self, nonce: &str, binding: &str) -> String {
        URL_SAFE_NO_PAD.encode(self.mac(nonce, binding).finalize().into_bytes())
    }

    pub fn verify(&self, nonce: &str, binding: &str, token: &str) -> bool {
        match URL_SAFE_NO_PAD.decode(token) {
            Ok(bytes) if !nonce.is_empty() => self.mac(nonce, binding).verify_slice(&bytes).is_ok(),
            _ => false,
        }
    }
}

/// Argon2id at OWASP's recommended minimum (19 MiB, 2 passes, 1 lane).
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password; slow on purpose, so run it off the async workers.
pub fn hash_password(password: &str) -> Result<String> {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).map_err(|e| Error::Hash(e.to_string()))?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| Error::Hash(e.to_string()))
}

/// Checks a password against a stored hash. With no hash (unknown account, or no password set
/// yet) it still spends the same time on a dummy hash, so timing does not tell which it was.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("sicantik-dummy-password").unwrap_or_default());
    let hash = stored.unwrap_or(dummy);
    let ok = match PasswordHash::new(hash) {
        Ok(parsed) => argon2().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    };
    ok && stored.is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_long_random_and_stored_only_as_hashes() {
        let a = random_token();
        assert_ne!(a, random_token());
        assert!(a.len() >= 43, "256 bits in base64");
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }

    #[test]
    fn a_form_token_works_only_with_its_nonce_and_session() {
        let key = FormKey::from_bytes([7; 32]);
        let t = key.form_token("nonce-a", "");
        assert!(key.verify("nonce-a", "", &t));
        assert!(!key.verify("nonce-b", "", &t));
        assert!(!key.verify("nonce-a", "session", &t));
        assert!(!key.verify("", "", &key.form_token("", "")));
        // Another instance with the same key accepts it.
        assert!(FormKey::from_bytes([7; 32]).verify("nonce-a", "", &t));
        assert!(!FormKey::from_bytes([8; 32]).verify("nonce-a", "", &t));
    }

    #[test]
    fn passwords_verify_only_against_their_own_hash() {
        let h = hash_password("kata sandi yang panjang").expect("hash");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        assert!(verify_password("kata sandi yang panjang", Some(&h)));
        assert!(!verify_password("kata sandi lain", Some(&h)));
        assert!(!verify_password("apa saja", None));
    }
}
