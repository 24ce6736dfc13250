//! Account credentials chosen at registration: the user name and a new password. A password is
//! never printed: [`NewPassword`] has no `Display`, and its `Debug` is `NewPassword(***)`.

use std::collections::HashSet;
use std::fmt;
use std::sync::LazyLock;

use super::{DomainError, Field, serialize_as_str, str_newtype};

const USERNAME_MIN: usize = 3;
const USERNAME_MAX: usize = 32;

/// A login name: 3–32 characters of lowercase ASCII letters, digits, `.`, `_` and `-`, starting
/// with a letter. Input is lowercased first, so "Budi.Santoso" is the user "budi.santoso".
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Username(String);

str_newtype!(Username);
serialize_as_str!(Username);

impl Username {
    /// Parses a user name.
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        // ASCII lowercasing only: Unicode lowercasing would turn look-alikes such as the Kelvin
        // sign into ASCII letters; here they stay and are refused.
        let name = input.trim().to_ascii_lowercase();
        if name.is_empty() {
            return Err(DomainError::Missing(Field::Username));
        }
        if !name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-'))
        {
            return Err(DomainError::UsernameCharacters);
        }
        if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
            return Err(DomainError::UsernameStart);
        }
        if !(USERNAME_MIN..=USERNAME_MAX).contains(&name.len()) {
            return Err(DomainError::UsernameLength);
        }
        Ok(Self(name))
    }
}

/// Applicants keep NIST SP 800-63B's minimum of 8 (ASVS 2.1.1 asks 12): an applicant's account
/// reaches only their own data, every password is checked against the common-password list,
/// wrong passwords lock the account, and many applicants type on a phone once a year; a longer
/// minimum there mostly buys forgotten passwords and reset mails.
const PASSWORD_MIN: usize = 8;
/// Officers see the personal data of a whole unit: ASVS level 2's 12, with a second factor.
pub const OFFICER_PASSWORD_MIN: usize = 12;
const PASSWORD_MAX: usize = 128;
/// A user name or e-mail local part shorter than this is not looked for inside the password: a
/// two-letter name would refuse half the passwords people choose.
const IDENTIFIER_MIN: usize = 3;

/// Common passwords, one per line, lowercase. Global lists plus Indonesian favourites.
const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

static COMMON: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| COMMON_PASSWORDS.lines().filter(|line| !line.is_empty()).collect());

/// Whether a lowercased password is on the list, or is a listed password followed only by digits
/// and punctuation ("sayang2024", "qwerty123!"), the way people stretch one to the minimum length.
fn is_common(lower: &str) -> bool {
    if COMMON.contains(lower) {
        return true;
    }
    let stem = lower.trim_end_matches(|c: char| c.is_ascii_digit() || c.is_ascii_punctuation());
    !stem.is_empty() && COMMON.contains(stem)
}

/// Whether the lowercased password contains the given user name or e-mail local part.
fn contains_identifier(lower_password: &str, identifier: &str) -> bool {
    let identifier = identifier.trim().to_lowercase();
    identifier.chars().count() >= IDENTIFIER_MIN && lower_password.contains(&identifier)
}

/// A password chosen by the user: 8–128 characters (any characters, spaces included, not
/// trimmed), not a common password, not one character repeated, and not containing the user name
/// or the e-mail local part. No composition rules (NIST SP 800-63B).
#[derive(Clone, PartialEq, Eq)]
pub struct NewPassword(String);

impl NewPassword {
    /// Parses a new password. `username` and `email` are the values typed on the same form, raw
    /// or parsed; pass `None` when they are not known.
    pub fn parse(pw: &str, username: Option<&str>, email: Option<&str>) -> Result<Self, DomainError> {
        match Self::problems(pw, username, email).into_iter().next() {
            Some(problem) => Err(problem),
            None => Ok(Self(pw.to_owned())),
        }
    }

    /// Every rule `pw` breaks, in the order [`parse`](Self::parse) checks them: a form reports
    /// them together, so that a second try does not meet a new refusal.
    pub fn problems(pw: &str, username: Option<&str>, email: Option<&str>) -> Vec<DomainError> {
        if pw.is_empty() {
            return vec![DomainError::Missing(Field::Password)];
        }
        let mut problems = Vec::new();
        let length = pw.chars().count();
        if length < PASSWORD_MIN {
            problems.push(DomainError::PasswordTooShort);
        }
        if length > PASSWORD_MAX {
            problems.push(DomainError::PasswordTooLong);
        }
        let mut chars = pw.chars();
        let first = chars.next();
        let lower = pw.to_lowercase();
        if chars.all(|c| Some(c) == first) {
            problems.push(DomainError::PasswordRepeated);
        } else if is_common(&lower) {
            problems.push(DomainError::PasswordCommon);
        }
        if username.is_some_and(|name| contains_identifier(&lower, name)) {
            problems.push(DomainError::PasswordContainsUsername);
        }
        let local_part = email.map(|e| e.trim().rsplit_once('@').map_or(e, |(local, _)| local));
        if local_part.is_some_and(|local| contains_identifier(&lower, local)) {
            problems.push(DomainError::PasswordContainsEmail);
        }
        problems
    }

    /// [`problems`](Self::problems) for an officer's password, with the officers' length.
    pub fn problems_for_officer(pw: &str, username: Option<&str>, email: Option<&str>) -> Vec<DomainError> {
        let mut problems = Self::problems(pw, username, email);
        let short = problems
            .iter()
            .any(|p| matches!(p, DomainError::Missing(_) | DomainError::PasswordTooShort));
        if !short && pw.chars().count() < OFFICER_PASSWORD_MIN {
            problems.insert(0, DomainError::OfficerPasswordTooShort);
        }
        problems
    }

    /// A new password for an officer: the same rules, and at least [`OFFICER_PASSWORD_MIN`]
    /// characters (ASVS 2.1.1). Applicants keep 8: they see only their own data, many type on
    /// a phone, and the list of common passwords and the lockout already stop guessing.
    pub fn parse_for_officer(pw: &str, username: Option<&str>, email: Option<&str>) -> Result<Self, DomainError> {
        let parsed = Self::parse(pw, username, email)?;
        if pw.chars().count() < OFFICER_PASSWORD_MIN {
            return Err(DomainError::OfficerPasswordTooShort);
        }
        Ok(parsed)
    }

    /// The password itself, to hash it. Never log or display it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("NewPassword(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_password_problem_is_listed_at_once() {
        use DomainError::*;
        assert_eq!(NewPassword::problems("", None, None), vec![Missing(Field::Password)]);
        assert_eq!(
            NewPassword::problems("aaaa", None, None),
            vec![PasswordTooShort, PasswordRepeated]
        );
        assert_eq!(
            NewPassword::problems("sitiaminah", Some("sitiaminah"), Some("sitiaminah@contoh.id")),
            vec![PasswordContainsUsername, PasswordContainsEmail]
        );
        assert_eq!(
            NewPassword::problems_for_officer("budi sumsel", Some("budi"), None),
            vec![OfficerPasswordTooShort, PasswordContainsUsername]
        );
        assert!(NewPassword::problems("kopi pagi di tepian musi", Some("siti"), None).is_empty());
    }

    #[test]
    fn username_valid_examples() {
        assert_eq!(
            Username::parse("Budi.Santoso").map(|u| u.to_string()),
            Ok("budi.santoso".to_owned())
        );
        assert_eq!(
            Username::parse("  siti_n-2 ").map(|u| u.to_string()),
            Ok("siti_n-2".to_owned())
        );
        assert!(Username::parse("abc").is_ok());
        assert!(Username::parse(&format!("a{}", "1".repeat(31))).is_ok());
    }

    #[test]
    fn username_refusals() {
        use DomainError::*;
        let cases = [
            ("", Missing(Field::Username)),
            ("   ", Missing(Field::Username)),
            ("ab", UsernameLength),
            ("1budi", UsernameStart),
            ("_budi", UsernameStart),
            (".budi", UsernameStart),
            ("budi santoso", UsernameCharacters),
            ("budi@santoso", UsernameCharacters),
            ("bùdi", UsernameCharacters),
            ("\u{212A}elvin", UsernameCharacters),
        ];
        for (input, expected) in cases {
            assert_eq!(Username::parse(input), Err(expected), "{input:?}");
        }
        assert_eq!(Username::parse(&format!("a{}", "1".repeat(32))), Err(UsernameLength));
    }

    #[test]
    fn common_password_list_is_clean_and_large_enough() {
        let lines: Vec<&str> = COMMON_PASSWORDS.lines().collect();
        assert!(lines.len() >= 300, "only {} passwords", lines.len());
        assert_eq!(COMMON.len(), lines.len(), "duplicates or blank lines in the list");
        for line in lines {
            assert!(!line.is_empty() && line.trim() == line, "{line:?}");
            assert_eq!(line.to_lowercase(), line, "list must be lowercase");
        }
        for must in [
            "123456",
            "password",
            "qwerty",
            "iloveyou",
            "admin123",
            "sayang",
            "bismillah",
            "palembang",
        ] {
            assert!(COMMON.contains(must), "{must}");
        }
    }

    #[test]
    fn password_valid_examples() {
        let pw = NewPassword::parse("kuda makan rumput di palembang", Some("budi"), Some("budi@contoh.com"))
            .expect("a passphrase is fine");
        assert_eq!(pw.expose(), "kuda makan rumput di palembang");
        // Not trimmed; spaces count.
        assert_eq!(
            NewPassword::parse("  Tr0ub4dor&3 ", None, None).map(|p| p.expose().to_owned()),
            Ok("  Tr0ub4dor&3 ".to_owned())
        );
        // Characters, not bytes: eight two-byte characters are enough.
        assert!(NewPassword::parse("ééééééèè", None, None).is_ok());
        assert!(NewPassword::parse(&"ab".repeat(64), None, None).is_ok());
        // A two-letter e-mail local part is not looked for inside the password.
        assert!(NewPassword::parse("jabatan fungsional", None, Some("ab@contoh.com")).is_ok());
    }

    #[test]
    fn password_refusals() {
        use DomainError::*;
        let cases: [(&str, Option<&str>, Option<&str>, DomainError); 17] = [
            ("", None, None, Missing(Field::Password)),
            ("kuda7!x", None, None, PasswordTooShort),
            ("éééé", None, None, PasswordTooShort),
            ("aaaaaaaaaa", None, None, PasswordRepeated),
            ("        ", None, None, PasswordRepeated),
            ("password", None, None, PasswordCommon),
            ("PassWord123", None, None, PasswordCommon),
            ("iloveyou", None, None, PasswordCommon),
            ("Bismillah", None, None, PasswordCommon),
            ("SRIWIJAYA", None, None, PasswordCommon),
            ("katasandi", None, None, PasswordCommon),
            ("sayang2024", None, None, PasswordCommon),
            ("qwerty123!", None, None, PasswordCommon),
            ("Merdeka!17081945", None, None, PasswordCommon),
            (
                "rahasia-budi.santoso!",
                Some("Budi.Santoso"),
                None,
                PasswordContainsUsername,
            ),
            ("budi.santoso", Some("budi.santoso"), None, PasswordContainsUsername),
            (
                "xXsiti.aminahXx",
                None,
                Some("Siti.Aminah@contoh.com"),
                PasswordContainsEmail,
            ),
        ];
        for (pw, username, email, expected) in cases {
            assert_eq!(NewPassword::parse(pw, username, email), Err(expected), "{pw:?}");
        }
        assert_eq!(
            NewPassword::parse(&"ab".repeat(64).chars().chain(['c']).collect::<String>(), None, None),
            Err(PasswordTooLong)
        );
    }

    #[test]
    fn password_never_prints() {
        let pw = NewPassword::parse("kuda makan rumput", None, None).expect("valid");
        assert_eq!(format!("{pw:?}"), "NewPassword(***)");
        let wrapped = Some(pw);
        assert!(!format!("{wrapped:?}").contains("kuda"));
    }

    proptest! {
        #[test]
        fn username_valid_round_trips(raw in "[a-z][a-z0-9._-]{2,31}") {
            let name = Username::parse(&raw).expect("generated name is valid");
            prop_assert_eq!(name.as_str(), raw.as_str());
            prop_assert_eq!(Username::parse(name.as_str()), Ok(name.clone()));
        }

        #[test]
        fn username_is_lowercased(raw in "[a-z][a-z0-9._-]{2,31}") {
            prop_assert_eq!(Username::parse(&raw.to_uppercase()), Username::parse(&raw));
        }

        #[test]
        fn username_invalid_is_refused(
            start in "[0-9._-][a-z0-9._-]{2,31}",
            long in "[a-z][a-z0-9._-]{32,40}",
            short in "[a-z][a-z0-9._-]?",
            odd in "[a-z][a-z0-9]{1,10}[ @+/!#é][a-z0-9]{1,10}",
        ) {
            prop_assert_eq!(Username::parse(&start), Err(DomainError::UsernameStart));
            prop_assert_eq!(Username::parse(&long), Err(DomainError::UsernameLength));
            prop_assert_eq!(Username::parse(&short), Err(DomainError::UsernameLength));
            prop_assert_eq!(Username::parse(&odd), Err(DomainError::UsernameCharacters));
        }

        #[test]
        fn password_valid_round_trips(pw in "[a-zA-Z0-9 !@#$%^&*()é]{8,128}") {
            let lower = pw.to_lowercase();
            let first = pw.chars().next();
            prop_assume!(!is_common(&lower) && !pw.chars().all(|c| Some(c) == first));
            let parsed = NewPassword::parse(&pw, None, None).expect("generated password is valid");
            prop_assert_eq!(parsed.expose(), pw.as_str());
        }

        #[test]
        fn officer_passwords_need_twelve_characters(pw in "[a-z]{3}[0-9]{2}[a-z]{3,6}") {
            prop_assert_eq!(NewPassword::parse_for_officer(&pw, None, None), Err(DomainError::OfficerPasswordTooShort));
            let long = format!("{pw} cukup panjang");
            prop_assert!(NewPassword::parse_for_officer(&long, None, None).is_ok());
        }

        #[test]
        fn password_too_short_or_long_is_refused(short in ".{1,7}", long in "[a-z0-9]{129,200}") {
            prop_assert_eq!(NewPassword::parse(&short, None, None), Err(DomainError::PasswordTooShort));
            prop_assert_eq!(NewPassword::parse(&long, None, None), Err(DomainError::PasswordTooLong));
        }

        #[test]
        fn password_listed_in_any_case_is_refused(index in 0usize..10_000, upper in proptest::collection::vec(any::<bool>(), 64)) {
            let listed: Vec<&str> = COMMON_PASSWORDS.lines().filter(|l| l.chars().count() >= PASSWORD_MIN).collect();
            let pw: String = listed[index % listed.len()]
                .chars()
                .zip(upper.iter().cycle())
                .map(|(c, up)| if *up { c.to_ascii_uppercase() } else { c })
                .collect();
            let refused = NewPassword::parse(&pw, None, None);
            prop_assert!(matches!(refused, Err(DomainError::PasswordCommon | DomainError::PasswordRepeated)), "{:?}", refused);
        }

        #[test]
        fn password_containing_the_username_is_refused(name in "[a-z][a-z0-9._-]{2,20}", before in "[A-Z0-9]{0,8}", after in "[A-Z0-9]{0,8}") {
            let pw = format!("{before}{}{after}!", name.to_uppercase());
            prop_assume!(pw.chars().count() >= PASSWORD_MIN);
            prop_assume!(!is_common(&pw.to_lowercase()));
            prop_assert_eq!(NewPassword::parse(&pw, Some(&name), None), Err(DomainError::PasswordContainsUsername));
        }

        #[test]
        fn password_containing_the_email_local_part_is_refused(local in "[a-z][a-z0-9.]{2,20}[a-z]", before in "[A-Z0-9]{0,8}") {
            let pw = format!("{before}#{local}#");
            prop_assume!(pw.chars().count() >= PASSWORD_MIN);
            prop_assume!(!is_common(&pw.to_lowercase()));
            let email = format!("{local}@contoh.com");
            prop_assert_eq!(NewPassword::parse(&pw, None, Some(&email)), Err(DomainError::PasswordContainsEmail));
        }

        #[test]
        fn password_of_one_repeated_character_is_refused(c in any::<char>(), n in 8usize..=128) {
            let pw: String = std::iter::repeat_n(c, n).collect();
            prop_assert_eq!(NewPassword::parse(&pw, None, None), Err(DomainError::PasswordRepeated));
        }
    }
}
