//! The officers' second factor: TOTP codes (RFC 6238: SHA-1, 6 digits, 30-second steps, what
//! every authenticator app speaks) with `totp-rs`, recovery codes, and the short-lived proof
//! that a browser passed the password step (`Pending`), carried in a cookie between the two
//! steps of Masuk Petugas. The store keeps the secret sealed and accepts each step once.

use std::time::Duration;

use totp_rs::{Algorithm, TOTP};

use crate::security::{FormKey, token_hash};

/// Length of a new secret: 160 bits, RFC 4226's recommendation.
const SECRET_BYTES: usize = 20;
/// Steps either side of now that still count: a phone's clock may be a little off.
const SKEW_STEPS: i64 = 1;
const STEP_SECONDS: u64 = 30;
/// How many recovery codes an officer gets.
pub const RECOVERY_CODES: usize = 10;
/// Characters of a recovery code: no 0/O, 1/I/L, so it reads back from paper.
const RECOVERY_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
/// 16 characters of 31: about 79 bits, enough for a plain hash.
const RECOVERY_LEN: usize = 16;
/// How long the password step stays good for the second.
pub const PENDING_FOR: Duration = Duration::from_secs(600);

/// A new secret, base32 without padding (what the key shown to type in looks like).
pub fn new_secret() -> String {
    let mut bytes = [0u8; SECRET_BYTES];
    crate::keys::random_bytes(&mut bytes);
    base32::encode(base32::Alphabet::Rfc4648 { padding: false }, &bytes)
}

fn totp(secret: &str) -> Option<TOTP> {
    let bytes = base32::decode(base32::Alphabet::Rfc4648 { padding: false }, secret)?;
    TOTP::new(Algorithm::SHA1, 6, 0, STEP_SECONDS, bytes).ok()
}

/// The step whose code `code` is, within the skew around `now` (seconds); `None` when it is
/// none of them or the secret does not decode.
pub fn matching_step(secret: &str, code: &str, now: i64) -> Option<i64> {
    let totp = totp(secret)?;
    let here = now / STEP_SECONDS as i64;
    (here - SKEW_STEPS..=here + SKEW_STEPS)
        .filter(|step| *step >= 0)
        .find(|step| {
            let expected = totp.generate((*step as u64) * STEP_SECONDS);
            constant_time_eq(expected.as_bytes(), code.as_bytes())
        })
}

/// The code of `secret` at `now`: what the officer's app shows (for tests and the CLI).
pub fn code_at(secret: &str, now: i64) -> Option<String> {
    Some(totp(secret)?.generate(now.max(0) as u64))
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The `otpauth://` address an authenticator app reads from the QR code.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &str) -> String {
    let label = format!("{issuer}:{account}");
    format!(
        "otpauth://totp/{}?secret={secret}&issuer={}&algorithm=SHA1&digits=6&period={STEP_SECONDS}",
        url::form_urlencoded::byte_serialize(label.as_bytes())
            .collect::<String>()
            .replace('+', "%20"),
        url::form_urlencoded::byte_serialize(issuer.as_bytes())
            .collect::<String>()
            .replace('+', "%20"),
    )
}

/// `text` as a QR code in SVG (dark modules as one path), for the enrolment page: no image
/// file, no script, and the key is printed beside it for those who cannot scan.
pub fn qr_svg(text: &str) -> Option<String> {
    let qr = qrcodegen::QrCode::encode_text(text, qrcodegen::QrCodeEcc::Medium).ok()?;
    let size = qr.size();
    let border = 4;
    let mut path = String::new();
    for y in 0..size {
        for x in 0..size {
            if qr.get_module(x, y) {
                path.push_str(&format!("M{},{}h1v1h-1z", x + border, y + border));
            }
        }
    }
    let full = size + 2 * border;
    Some(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {full} {full}\" width=\"240\" height=\"240\" role=\"img\" aria-labelledby=\"kode-qr-judul\"><title id=\"kode-qr-judul\">Kode QR untuk aplikasi autentikator</title><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
    ))
}

/// New recovery codes, as shown once (`XXXX-XXXX-XXXX-XXXX`).
pub fn new_recovery_codes() -> Vec<String> {
    (0..RECOVERY_CODES)
        .map(|_| {
            let mut bytes = [0u8; RECOVERY_LEN];
            crate::keys::random_bytes(&mut bytes);
            let chars: Vec<char> = bytes
                .iter()
                // 256 is not a multiple of 31; the bias this leaves is under 1 in 8 per
                // character and costs well under a bit of the code's strength.
                .map(|b| RECOVERY_ALPHABET[*b as usize % RECOVERY_ALPHABET.len()] as char)
                .collect();
            chars
                .chunks(4)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
                .join("-")
        })
        .collect()
}

/// How a recovery code is kept: its hash, salted with the officer, after normalising.
pub fn recovery_hash(officer_id: i64, code: &RecoveryCode) -> String {
    token_hash(&format!("pemulihan:{officer_id}:{}", code.0))
}

/// What the officer typed at Verifikasi Dua Langkah.
#[derive(Debug, PartialEq, Eq)]
pub enum Answer {
    /// Six digits from the app.
    Code(String),
    Recovery(RecoveryCode),
}

/// A recovery code, normalised (capitals, no separators).
#[derive(Debug, PartialEq, Eq)]
pub struct RecoveryCode(String);

impl Answer {
    /// Spaces and dashes are ignored, and a recovery code may be typed in small letters.
    pub fn parse(raw: &str) -> Option<Answer> {
        let compact: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .collect::<String>()
            .to_uppercase();
        if compact.len() == 6 && compact.bytes().all(|b| b.is_ascii_digit()) {
            Some(Answer::Code(compact))
        } else if compact.len() == RECOVERY_LEN && compact.bytes().all(|b| RECOVERY_ALPHABET.contains(&b)) {
            Some(Answer::Recovery(RecoveryCode(compact)))
        } else {
            None
        }
    }
}

/// Proof that this browser passed the password step for `officer_id` at `issued`: bound to
/// the browser's form-token nonce and signed with the form key, so it cannot be made, moved
/// to another browser or kept past `PENDING_FOR`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pending {
    pub officer_id: i64,
    pub issued: i64,
}

impl Pending {
    fn binding(officer_id: i64, issued: i64) -> String {
        format!("verifikasi-dua-langkah:{officer_id}:{issued}")
    }

    /// The cookie's value.
    pub fn cookie_value(&self, key: &FormKey, nonce: &str) -> String {
        let mac = key.form_token(nonce, &Pending::binding(self.officer_id, self.issued));
        format!("{}.{}.{mac}", self.officer_id, self.issued)
    }

    /// The proof a cookie holds, if it is ours, this browser's and still good at `now`.
    pub fn from_cookie(value: &str, key: &FormKey, nonce: &str, now: i64) -> Option<Pending> {
        let mut parts = value.splitn(3, '.');
        let officer_id: i64 = parts.next()?.parse().ok()?;
        let issued: i64 = parts.next()?.parse().ok()?;
        let mac = parts.next()?;
        let fresh = (0..=PENDING_FOR.as_secs() as i64).contains(&(now - issued));
        (fresh && key.verify(nonce, &Pending::binding(officer_id, issued), mac))
            .then_some(Pending { officer_id, issued })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rfc_6238_test_vector_gives_its_code() {
        // RFC 6238, appendix B: the SHA-1 secret "12345678901234567890", T = 59 s, 8 digits
        // 94287082; its last six digits are what a 6-digit app shows.
        let secret = base32::encode(base32::Alphabet::Rfc4648 { padding: false }, b"12345678901234567890");
        assert_eq!(code_at(&secret, 59).as_deref(), Some("287082"));
        assert_eq!(code_at(&secret, 1_111_111_109).as_deref(), Some("081804"));
    }

    #[test]
    fn a_code_counts_one_step_either_side_and_no_further() {
        let secret = new_secret();
        let now = 1_800_000_015;
        let code = code_at(&secret, now).expect("code");
        assert_eq!(matching_step(&secret, &code, now), Some(now / 30));
        assert_eq!(matching_step(&secret, &code, now + 30), Some(now / 30), "a slow phone");
        assert_eq!(matching_step(&secret, &code, now - 30), Some(now / 30), "a fast phone");
        assert_eq!(matching_step(&secret, &code, now + 90), None);
        assert_eq!(matching_step(&secret, "000000x", now), None);
    }

    #[test]
    fn answers_are_six_digits_or_a_recovery_code_however_typed() {
        assert_eq!(Answer::parse(" 123 456 "), Some(Answer::Code("123456".into())));
        let code = &new_recovery_codes()[0];
        let Some(Answer::Recovery(r)) = Answer::parse(&code.to_lowercase()) else {
            panic!("{code} in small letters is a recovery code");
        };
        assert_eq!(Answer::parse(&code.replace('-', "")), Some(Answer::Recovery(r)));
        assert_eq!(Answer::parse("12345"), None);
        assert_eq!(Answer::parse("O0O0-1111-IIII-LLLL"), None, "letters a code never has");
    }

    #[test]
    fn recovery_codes_are_distinct_and_hashed_per_officer() {
        let codes = new_recovery_codes();
        assert_eq!(codes.len(), RECOVERY_CODES);
        let unique: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(unique.len(), RECOVERY_CODES);
        let Some(Answer::Recovery(r)) = Answer::parse(&codes[0]) else {
            panic!("a code of ours parses");
        };
        assert_ne!(recovery_hash(1, &r), recovery_hash(2, &r));
    }

    #[test]
    fn the_password_step_proof_is_bound_to_its_browser_and_expires() {
        let key = FormKey::from_bytes([7; 32]);
        let p = Pending {
            officer_id: 3,
            issued: 1000,
        };
        let v = p.cookie_value(&key, "nonce-of-this-browser-0123456789abcdef");
        let back = Pending::from_cookie(&v, &key, "nonce-of-this-browser-0123456789abcdef", 1000 + 599);
        assert_eq!(back, Some(p.clone()));
        assert_eq!(
            Pending::from_cookie(&v, &key, "nonce-of-another-browser-0123456789abc", 1001),
            None
        );
        assert_eq!(
            Pending::from_cookie(&v, &key, "nonce-of-this-browser-0123456789abcdef", 1000 + 601),
            None
        );
        let forged = v.replacen("3.", "4.", 1);
        assert_eq!(
            Pending::from_cookie(&forged, &key, "nonce-of-this-browser-0123456789abcdef", 1001),
            None
        );
    }

    #[test]
    fn the_qr_code_is_an_svg_with_a_title() {
        let svg = qr_svg(&otpauth_uri("DPMPTSP Sumsel", "petugas1", &new_secret())).expect("svg");
        assert!(svg.starts_with("<svg") && svg.contains("<title"));
        assert!(
            otpauth_uri("DPMPTSP Sumsel", "petugas1", "ABC")
                .starts_with("otpauth://totp/DPMPTSP%20Sumsel%3Apetugas1?secret=ABC&issuer=DPMPTSP%20Sumsel")
        );
    }
}
