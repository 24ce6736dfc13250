//! Validated input types of the form service: the values an applicant types into the
//! registration and application forms, parsed once at the edge into types that cannot hold an
//! invalid value (NIK, NIB, NPWP, phone number, e-mail, user name, password, name, birth date…).
//!
//! What this module owns:
//! - the format rules of each value (see `/work/shared/domain-facts.md` §3 for their sources);
//! - the canonical stored form of each value (e.g. a phone number as E.164 `+628…`, an NPWP as
//!   digits only), so that `T::parse(x.as_str()) == Ok(x)` for every valid `x`;
//! - [`DomainError`], one variant per distinct problem, with the Indonesian message shown beside
//!   the form field and a short English [`DomainError::log_code`] for logs.
//!
//! What it must not do:
//! - no I/O, no clock: "today" is passed in by the caller ([`BirthDate::parse`]);
//! - no cross-field policy beyond what a type needs to be valid on its own. The NIK caveats in
//!   domain-facts say a NIK whose region or birth date disagrees with the form is still a real NIK,
//!   so [`Nik::matches_birth`] exists only for a soft warning;
//! - never put a NIK, NPWP or password into an error, a log code or a `Debug` string.
//!   `Nik` and `Npwp` print masked in `Debug` and do not implement `Serialize`; [`NewPassword`]
//!   prints nothing.

mod account;
mod contact;
mod error;
mod identity;
mod person;

pub use account::{NewPassword, Username};
pub use contact::{Email, PhoneNumber, PostalCode, TelephoneNumber};
pub use error::{DomainError, Field};
pub use identity::{IdentityType, Nib, Nik, Npwp, nik_disagrees};
pub use person::{BirthDate, PersonName, Sex};

/// Parses an optional form field: blank (empty or only white space) gives `Ok(None)`, anything
/// else must parse. For fields such as NPWP that the form marks "jika ada".
pub fn optional<T>(input: &str, parse: impl FnOnce(&str) -> Result<T, DomainError>) -> Result<Option<T>, DomainError> {
    if input.trim().is_empty() {
        Ok(None)
    } else {
        parse(input).map(Some)
    }
}

/// Implements `as_str`, `AsRef<str>` and `Display` for a newtype over `String` whose field is `.0`.
macro_rules! str_newtype {
    ($name:ident) => {
        impl $name {
            /// The value in its canonical stored form.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

/// Implements `serde::Serialize` as the canonical string, for templates and JSON. Not used for
/// `Nik` and `Npwp`, so that they cannot slip whole into a template context or a JSON log.
macro_rules! serialize_as_str {
    ($name:ident) => {
        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}

use serialize_as_str;
use str_newtype;

/// Removes every white-space character (people type NIKs and NIBs in groups of four).
fn without_whitespace(input: &str) -> String {
    input.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Masks an identifier for logs and e-mails: first 2 and last 4 characters shown, the rest `*`.
fn mask_middle(digits: &str) -> String {
    let n = digits.chars().count();
    digits
        .chars()
        .enumerate()
        .map(|(i, c)| if i < 2 || i + 4 >= n { c } else { '*' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn optional_gives_none_for_blank_and_parses_the_rest() {
        assert_eq!(optional("", Npwp::parse), Ok(None));
        assert_eq!(optional("   ", Npwp::parse), Ok(None));
        assert_eq!(
            optional("09.254.294.3-407.000", Npwp::parse).map(|n| n.map(|n| n.is_legacy())),
            Ok(Some(true))
        );
        assert_eq!(optional("12", Npwp::parse), Err(DomainError::NpwpLength));
    }

    #[test]
    fn mask_middle_keeps_two_and_four() {
        assert_eq!(mask_middle("1671010101900001"), "16**********0001");
        assert_eq!(mask_middle("123456"), "123456");
    }
}
