//! Contact details: e-mail address, Indonesian mobile number and postal code (domain-facts §3).

use super::{DomainError, Field, serialize_as_str, str_newtype};

/// Maximum length of a whole address (RFC 5321 path limit minus the angle brackets).
const EMAIL_MAX: usize = 254;
/// Maximum length of the part before `@` (RFC 5321).
const EMAIL_LOCAL_MAX: usize = 64;
/// Maximum length of one domain label (RFC 1035).
const DOMAIN_LABEL_MAX: usize = 63;

/// An e-mail address that passes a practical check: one `@`, a dot-atom local part of ASCII
/// characters, and a domain name with a real-looking top-level domain. Stored with the domain
/// lowercased and the local part as typed (local parts may be case-sensitive).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

str_newtype!(Email);
serialize_as_str!(Email);

impl Email {
    /// Parses an e-mail address.
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let value = input.trim();
        if value.is_empty() {
            return Err(DomainError::Missing(Field::Email));
        }
        if value.chars().any(char::is_whitespace) {
            return Err(DomainError::EmailSpace);
        }
        if value.chars().count() > EMAIL_MAX {
            return Err(DomainError::EmailLength);
        }
        let Some((local, domain)) = value.split_once('@') else {
            return Err(DomainError::EmailAt);
        };
        if domain.contains('@') {
            return Err(DomainError::EmailAt);
        }
        if local.is_empty() {
            return Err(DomainError::EmailLocalEmpty);
        }
        if local.chars().count() > EMAIL_LOCAL_MAX {
            return Err(DomainError::EmailLocalLength);
        }
        if !is_dot_atom(local) {
            return Err(DomainError::EmailLocalPart);
        }
        let domain = domain.to_ascii_lowercase();
        if !is_domain(&domain) {
            return Err(DomainError::EmailDomain);
        }
        Ok(Self(format!("{local}@{domain}")))
    }

    /// The part before `@`, as typed.
    pub fn local_part(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(local, _)| local)
    }

    /// The domain, lowercased.
    pub fn domain(&self) -> &str {
        self.0.rsplit_once('@').map_or("", |(_, domain)| domain)
    }
}

/// RFC 5322 `atext` characters plus dots, with no dot at either end and no two dots in a row.
/// Quoted local parts and non-ASCII local parts are refused: our mail relay need not support
/// them, and applicants practically never have them.
fn is_dot_atom(local: &str) -> bool {
    const SPECIALS: &str = "!#$%&'*+/=?^_`{|}~-";
    local
        .split('.')
        .all(|atom| !atom.is_empty() && atom.chars().all(|c| c.is_ascii_alphanumeric() || SPECIALS.contains(c)))
}

/// At least two labels of ASCII letters, digits and hyphens, none starting or ending with a
/// hyphen; the top-level domain is at least two letters (or an IDN TLD in its `xn--` form).
fn is_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let labels_ok = labels.iter().all(|label| {
        (1..=DOMAIN_LABEL_MAX).contains(&label.len())
            && label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    });
    let tld_ok = labels.last().is_some_and(|tld| {
        (tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_lowercase())) || (tld.starts_with("xn--") && tld.len() > 4)
    });
    labels.len() >= 2 && labels_ok && tld_ok
}

/// An Indonesian mobile number, stored in E.164 as `+628…`. Accepted as typed with `08…`,
/// `628…` or `+628…`, with optional spaces and hyphens. The national form is `08[1-9]` followed
/// by 7–10 digits (10–13 digits with the leading 0).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhoneNumber(String);

str_newtype!(PhoneNumber);
serialize_as_str!(PhoneNumber);

/// Digits after the country code / trunk 0: "8", "[1-9]", then 7–10 digits.
const SUBSCRIBER_DIGITS: std::ops::RangeInclusive<usize> = 9..=12;

impl PhoneNumber {
    /// Parses a mobile number.
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let compact: String = input.chars().filter(|c| !(c.is_whitespace() || *c == '-')).collect();
        if compact.is_empty() {
            return Err(DomainError::Missing(Field::Phone));
        }
        let (plus, digits) = match compact.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, compact.as_str()),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DomainError::PhoneCharacters);
        }
        let subscriber = if let Some(rest) = digits.strip_prefix("62") {
            // "+62 0812…" is a common slip: the trunk 0 written after the country code.
            match rest.strip_prefix('0') {
                Some(after_zero) if after_zero.starts_with('8') => after_zero,
                _ => rest,
            }
        } else if plus {
            return Err(DomainError::PhonePrefix);
        } else if let Some(rest) = digits.strip_prefix('0') {
            rest
        } else {
            return Err(DomainError::PhonePrefix);
        };
        if !subscriber.starts_with('8') {
            return Err(DomainError::PhoneNotMobile);
        }
        if !SUBSCRIBER_DIGITS.contains(&subscriber.len()) {
            return Err(DomainError::PhoneLength);
        }
        if subscriber.as_bytes()[1] == b'0' {
            return Err(DomainError::PhoneNotMobile);
        }
        Ok(Self(format!("+62{subscriber}")))
    }

    /// The national form for display in Indonesia: `08…`.
    pub fn national(&self) -> String {
        format!("0{}", self.0.strip_prefix("+62").unwrap_or(&self.0))
    }
}

/// Any Indonesian telephone number, mobile or fixed line, as people type it: "(0711) 356789",
/// "0711-356789", "+62 711 356789", "0812 3456 7890". Kept in E.164 (`+62…`). For a company's
/// or an office's number, where a landline is as good as a mobile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TelephoneNumber(String);

str_newtype!(TelephoneNumber);
serialize_as_str!(TelephoneNumber);

/// Digits after the trunk 0 of a fixed line: an area code of 2–3 digits and a local number of
/// 5–8 (Kemkominfo's numbering plan: "21 1234 5678" in Jakarta, "711 356789" in Palembang).
const FIXED_LINE_DIGITS: std::ops::RangeInclusive<usize> = 8..=11;

impl TelephoneNumber {
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let compact: String = input
            .chars()
            .filter(|c| !(c.is_whitespace() || matches!(c, '-' | '(' | ')' | '.')))
            .collect();
        if compact.is_empty() {
            return Err(DomainError::Missing(Field::Telephone));
        }
        if let Ok(mobile) = PhoneNumber::parse(&compact) {
            return Ok(TelephoneNumber(mobile.as_str().to_string()));
        }
        let (plus, digits) = match compact.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, compact.as_str()),
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DomainError::TelephoneCharacters);
        }
        let national = match digits.strip_prefix("62") {
            // "+62 (0711) …": the trunk 0 kept after the country code.
            Some(rest) if plus => rest.strip_prefix('0').unwrap_or(rest),
            _ if plus => return Err(DomainError::TelephonePrefix),
            _ => digits.strip_prefix('0').ok_or(DomainError::TelephonePrefix)?,
        };
        // Area codes start 2–9; 8 is mobile, which `PhoneNumber` has already judged.
        if !national.starts_with(|c: char| ('2'..='9').contains(&c)) || national.starts_with('8') {
            return Err(if national.starts_with('8') {
                DomainError::TelephoneLength
            } else {
                DomainError::TelephonePrefix
            });
        }
        if !FIXED_LINE_DIGITS.contains(&national.len()) {
            return Err(DomainError::TelephoneLength);
        }
        Ok(TelephoneNumber(format!("+62{national}")))
    }

    /// The national form: `0711356789`.
    pub fn national(&self) -> String {
        format!("0{}", self.0.strip_prefix("+62").unwrap_or(&self.0))
    }
}

/// An Indonesian postal code: 5 digits, the first (the zone, 1–9) never 0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostalCode(String);

str_newtype!(PostalCode);
serialize_as_str!(PostalCode);

impl PostalCode {
    /// Parses a postal code.
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let value = input.trim();
        if value.is_empty() {
            return Err(DomainError::Missing(Field::PostalCode));
        }
        if !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DomainError::PostalCodeDigits);
        }
        if value.len() != 5 {
            return Err(DomainError::PostalCodeLength);
        }
        if value.starts_with('0') {
            return Err(DomainError::PostalCodeLeadingZero);
        }
        Ok(Self(value.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn telephone_numbers_take_landlines_and_mobiles_as_typed() {
        for (input, e164) in [
            ("(0711) 356789", "+62711356789"),
            ("0711-356789", "+62711356789"),
            ("0711 356 789", "+62711356789"),
            ("+62 711 356789", "+62711356789"),
            ("+62 (0711) 356789", "+62711356789"),
            ("(021) 2345-6789", "+622123456789"),
            ("0812-3456-7890", "+6281234567890"),
            ("+62 812 3456 7890", "+6281234567890"),
        ] {
            let t = TelephoneNumber::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
            assert_eq!(t.as_str(), e164, "{input:?}");
        }
        assert_eq!(
            TelephoneNumber::parse("(0711) 356789").map(|t| t.national()),
            Ok("0711356789".to_owned())
        );
    }

    #[test]
    fn telephone_refusals_name_the_problem() {
        use DomainError::*;
        for (input, expected) in [
            ("", Missing(Field::Telephone)),
            ("0711/356789", TelephoneCharacters),
            ("711356789", TelephonePrefix),
            ("+1 555 123 4567", TelephonePrefix),
            ("0111 234567", TelephonePrefix),
            ("0711 12", TelephoneLength),
            ("0711 1234 5678 90", TelephoneLength),
            ("0812 34", TelephoneLength),
        ] {
            assert_eq!(TelephoneNumber::parse(input), Err(expected), "{input:?}");
        }
        assert!(
            TelephoneCharacters.to_string().contains("(0711) 352123"),
            "the message gives a fixed-line example"
        );
    }
    use proptest::prelude::*;

    #[test]
    fn email_valid_examples() {
        let email = Email::parse("  Budi.Santoso@Gmail.COM ").expect("valid email");
        assert_eq!(email.as_str(), "Budi.Santoso@gmail.com");
        assert_eq!(email.local_part(), "Budi.Santoso");
        assert_eq!(email.domain(), "gmail.com");
        assert!(Email::parse("dpmptsp@sumselprov.go.id").is_ok());
        assert!(Email::parse("user+izin@sub-domain.example.co.id").is_ok());
        assert!(Email::parse("o'neil@contoh.com").is_ok());
        assert!(Email::parse("a@b.co").is_ok());
        assert!(Email::parse("nama@contoh.xn--p1ai").is_ok());
        assert!(Email::parse("nama@123.example.com").is_ok());
    }

    #[test]
    fn email_refusals() {
        use DomainError::*;
        let cases = [
            ("", Missing(Field::Email)),
            ("nama", EmailAt),
            ("nama.contoh.com", EmailAt),
            ("nama@@contoh.com", EmailAt),
            ("nama@contoh@com.id", EmailAt),
            ("@contoh.com", EmailLocalEmpty),
            ("na ma@contoh.com", EmailSpace),
            ("nama@contoh .com", EmailSpace),
            (".nama@contoh.com", EmailLocalPart),
            ("nama.@contoh.com", EmailLocalPart),
            ("na..ma@contoh.com", EmailLocalPart),
            ("na(ma)@contoh.com", EmailLocalPart),
            ("\"nama\"@contoh.com", EmailLocalPart),
            ("názma@contoh.com", EmailLocalPart),
            ("nama@", EmailDomain),
            ("nama@contoh", EmailDomain),
            ("nama@contoh.", EmailDomain),
            ("nama@contoh.com.", EmailDomain),
            ("nama@.contoh.com", EmailDomain),
            ("nama@contoh..com", EmailDomain),
            ("nama@-contoh.com", EmailDomain),
            ("nama@contoh-.com", EmailDomain),
            ("nama@con_toh.com", EmailDomain),
            ("nama@contoh.c", EmailDomain),
            ("nama@contoh.c0m", EmailDomain),
            ("nama@contoh.123", EmailDomain),
            ("nama@kontóh.com", EmailDomain),
        ];
        for (input, expected) in cases {
            assert_eq!(Email::parse(input), Err(expected), "{input:?}");
        }
    }

    #[test]
    fn email_length_limits() {
        let local_64 = "a".repeat(64);
        assert!(Email::parse(&format!("{local_64}@contoh.com")).is_ok());
        assert_eq!(
            Email::parse(&format!("a{local_64}@contoh.com")),
            Err(DomainError::EmailLocalLength)
        );
        let label = "a".repeat(63);
        assert!(Email::parse(&format!("nama@{label}.com")).is_ok());
        assert_eq!(
            Email::parse(&format!("nama@a{label}.com")),
            Err(DomainError::EmailDomain)
        );
        // "nama@" (5) + a 249-character domain = 254, the limit; one more character is refused.
        let domain_249 = format!("{label}.{label}.{label}.{}.com", "b".repeat(53));
        assert_eq!(format!("nama@{domain_249}").len(), 254);
        assert!(Email::parse(&format!("nama@{domain_249}")).is_ok());
        assert_eq!(
            Email::parse(&format!("namaa@{domain_249}")),
            Err(DomainError::EmailLength)
        );
    }

    #[test]
    fn phone_valid_examples() {
        for input in [
            "081234567890",
            "0812-3456-7890",
            "0812 3456 7890",
            "6281234567890",
            "+6281234567890",
            "+62 812-3456-7890",
            "+62 0812 3456 7890",
            " 081234567890 ",
        ] {
            let phone = PhoneNumber::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
            assert_eq!(phone.as_str(), "+6281234567890", "{input:?}");
            assert_eq!(phone.national(), "081234567890", "{input:?}");
        }
        // Shortest (10 digits with the 0) and longest (13 digits).
        assert_eq!(
            PhoneNumber::parse("0811234567").map(|p| p.to_string()),
            Ok("+62811234567".to_owned())
        );
        assert_eq!(
            PhoneNumber::parse("0881234567890").map(|p| p.national()),
            Ok("0881234567890".to_owned())
        );
    }

    #[test]
    fn phone_refusals() {
        use DomainError::*;
        let cases = [
            ("", Missing(Field::Phone)),
            (" - ", Missing(Field::Phone)),
            ("0812.3456.7890", PhoneCharacters),
            ("(0812) 34567890", PhoneCharacters),
            ("0812345678a", PhoneCharacters),
            ("+", PhoneCharacters),
            ("08123+4567890", PhoneCharacters),
            ("81234567890", PhonePrefix),
            ("+6581234567", PhonePrefix),
            ("+1 555 123 4567", PhonePrefix),
            ("0711 352 123", PhoneNotMobile),
            ("+62711352123", PhoneNotMobile),
            ("0800 123 4567", PhoneNotMobile),
            ("081234567", PhoneLength),
            ("08123456789012", PhoneLength),
            ("08", PhoneLength),
            ("+62 81", PhoneLength),
        ];
        for (input, expected) in cases {
            assert_eq!(PhoneNumber::parse(input), Err(expected), "{input:?}");
        }
    }

    #[test]
    fn postal_code_examples() {
        assert_eq!(
            PostalCode::parse(" 30657 ").map(|p| p.to_string()),
            Ok("30657".to_owned())
        );
        assert!(PostalCode::parse("31111").is_ok());
        assert_eq!(PostalCode::parse(""), Err(DomainError::Missing(Field::PostalCode)));
        assert_eq!(PostalCode::parse("3065"), Err(DomainError::PostalCodeLength));
        assert_eq!(PostalCode::parse("306570"), Err(DomainError::PostalCodeLength));
        assert_eq!(PostalCode::parse("30 657"), Err(DomainError::PostalCodeDigits));
        assert_eq!(PostalCode::parse("3O657"), Err(DomainError::PostalCodeDigits));
        assert_eq!(PostalCode::parse("01234"), Err(DomainError::PostalCodeLeadingZero));
    }

    fn local_part() -> impl Strategy<Value = String> {
        "[A-Za-z0-9_+-]{1,20}(\\.[A-Za-z0-9_+'-]{1,20}){0,2}"
    }

    fn domain() -> impl Strategy<Value = String> {
        "([a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?\\.){1,3}[a-z]{2,6}"
    }

    fn national_subscriber() -> impl Strategy<Value = String> {
        "8[1-9][0-9]{7,10}"
    }

    proptest! {
        #[test]
        fn email_valid_round_trips(local in local_part(), domain in domain()) {
            let raw = format!("{local}@{domain}");
            let email = Email::parse(&raw).expect("generated email is valid");
            prop_assert_eq!(email.as_str(), raw.as_str());
            prop_assert_eq!(Email::parse(email.as_str()), Ok(email.clone()));
        }

        #[test]
        fn email_domain_is_lowercased_local_kept(local in local_part(), domain in domain()) {
            let email = Email::parse(&format!("{local}@{}", domain.to_uppercase())).expect("valid");
            prop_assert_eq!(email.local_part(), local.as_str());
            prop_assert_eq!(email.domain(), domain.as_str());
        }

        #[test]
        fn email_without_at_is_refused(local in local_part(), domain in domain()) {
            prop_assert_eq!(Email::parse(&format!("{local}{domain}")), Err(DomainError::EmailAt));
            prop_assert_eq!(Email::parse(&format!("{local}@@{domain}")), Err(DomainError::EmailAt));
        }

        #[test]
        fn email_with_inner_space_is_refused(local in local_part(), domain in domain(), at in 1usize..200) {
            let raw = format!("{local}@{domain}");
            let at = 1 + at % (raw.len() - 1);
            let bad = format!("{} {}", &raw[..at], &raw[at..]);
            prop_assert_eq!(Email::parse(&bad), Err(DomainError::EmailSpace));
        }

        #[test]
        fn email_domain_without_dot_is_refused(local in local_part(), host in "[a-z0-9]{1,20}") {
            prop_assert_eq!(Email::parse(&format!("{local}@{host}")), Err(DomainError::EmailDomain));
        }

        #[test]
        fn phone_valid_round_trips(sub in national_subscriber(), prefix in prop_oneof![Just("0"), Just("62"), Just("+62"), Just("+62 0")], dash in any::<bool>()) {
            let body = if dash && sub.len() > 6 { format!("{}-{}", &sub[..3], &sub[3..]) } else { sub.clone() };
            let phone = PhoneNumber::parse(&format!("{prefix}{body}")).expect("generated number is valid");
            prop_assert_eq!(phone.as_str(), format!("+62{sub}"));
            prop_assert_eq!(phone.national(), format!("0{sub}"));
            prop_assert_eq!(PhoneNumber::parse(phone.as_str()), Ok(phone.clone()));
            prop_assert_eq!(PhoneNumber::parse(&phone.national()), Ok(phone.clone()));
        }

        #[test]
        fn phone_wrong_length_is_refused(sub in "8[1-9][0-9]{0,6}|8[1-9][0-9]{11,14}") {
            prop_assert_eq!(PhoneNumber::parse(&format!("0{sub}")), Err(DomainError::PhoneLength));
            prop_assert_eq!(PhoneNumber::parse(&format!("+62{sub}")), Err(DomainError::PhoneLength));
        }

        #[test]
        fn phone_landline_is_refused(sub in "[1-79][0-9]{8,11}") {
            prop_assert_eq!(PhoneNumber::parse(&format!("0{sub}")), Err(DomainError::PhoneNotMobile));
        }

        #[test]
        fn phone_with_a_letter_is_refused(sub in national_subscriber(), at in 0usize..12, letter in "[a-zA-Z]") {
            let mut bad = format!("0{sub}");
            let at = at % bad.len();
            bad.replace_range(at..=at, &letter);
            prop_assert_eq!(PhoneNumber::parse(&bad), Err(DomainError::PhoneCharacters));
        }

        #[test]
        fn postal_code_valid_round_trips(raw in "[1-9][0-9]{4}") {
            let code = PostalCode::parse(&raw).expect("5 digits");
            prop_assert_eq!(PostalCode::parse(code.as_str()), Ok(code.clone()));
            prop_assert_eq!(code.as_str(), raw.as_str());
        }

        #[test]
        fn postal_code_invalid_is_refused(short in "[1-9][0-9]{0,3}", long in "[1-9][0-9]{5,9}", zero in "0[0-9]{4}", letters in "[1-9][0-9]{0,3}[A-Za-z][0-9]{0,3}") {
            prop_assert_eq!(PostalCode::parse(&short), Err(DomainError::PostalCodeLength));
            prop_assert_eq!(PostalCode::parse(&long), Err(DomainError::PostalCodeLength));
            prop_assert_eq!(PostalCode::parse(&zero), Err(DomainError::PostalCodeLeadingZero));
            prop_assert_eq!(PostalCode::parse(&letters), Err(DomainError::PostalCodeDigits));
        }
    }
}
