//! Facts about the applicant as a person: full name, sex and birth date.

use std::fmt;

use super::{DomainError, Field, serialize_as_str, str_newtype};

const NAME_MIN: usize = 2;
const NAME_MAX: usize = 100;

/// A full name as on the KTP ("nama lengkap sesuai KTP"): 2–100 characters of letters in any
/// script, spaces and `. ' - ,` (for titles such as "Dr." and names such as "Ma'ruf"), at least one
/// letter. Indonesian names may be a single word. Stored with inner white space collapsed to one
/// space and typographic apostrophes (’ from phone keyboards) written as `'`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonName(String);

str_newtype!(PersonName);
serialize_as_str!(PersonName);

/// Combining diacritical marks, for names typed in decomposed form ("e" + U+0301).
fn is_combining_mark(c: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&c)
}

impl PersonName {
    /// Parses a full name.
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let name: String = input
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .map(|c| if matches!(c, '\u{2019}' | '\u{2018}') { '\'' } else { c })
            .collect();
        if name.is_empty() {
            return Err(DomainError::Missing(Field::PersonName));
        }
        if !name
            .chars()
            .all(|c| c.is_alphabetic() || is_combining_mark(c) || matches!(c, ' ' | '.' | '\'' | '-' | ','))
        {
            return Err(DomainError::PersonNameCharacters);
        }
        if !name.chars().any(char::is_alphabetic) {
            return Err(DomainError::PersonNameNoLetter);
        }
        if !(NAME_MIN..=NAME_MAX).contains(&name.chars().count()) {
            return Err(DomainError::PersonNameLength);
        }
        Ok(Self(name))
    }
}

/// Sex as recorded on the KTP ("jenis kelamin").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Sex {
    LakiLaki,
    Perempuan,
}

impl Sex {
    /// Parses the form value "L" or "P" (any case).
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        match input.trim() {
            "" => Err(DomainError::Missing(Field::Sex)),
            "L" | "l" => Ok(Self::LakiLaki),
            "P" | "p" => Ok(Self::Perempuan),
            _ => Err(DomainError::SexInvalid),
        }
    }

    /// The form value: "L" or "P".
    pub fn code(self) -> &'static str {
        match self {
            Self::LakiLaki => "L",
            Self::Perempuan => "P",
        }
    }

    /// The label shown to people: "Laki-laki" or "Perempuan".
    pub fn label(self) -> &'static str {
        match self {
            Self::LakiLaki => "Laki-laki",
            Self::Perempuan => "Perempuan",
        }
    }
}

impl fmt::Display for Sex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl serde::Serialize for Sex {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

/// Minimum age of an applicant: the age at which a KTP is issued.
const MIN_AGE: i32 = 17;
/// Birth years up to this one are refused as typing mistakes.
const YEAR_FLOOR: i32 = 1900;

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

/// A birth date from an HTML date input (`YYYY-MM-DD`): a real calendar date, after 1900, not in
/// the future, and at least 17 years before today.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BirthDate {
    text: String,
    year: i32,
    month: u32,
    day: u32,
}

impl BirthDate {
    /// Parses a birth date. `today` is `(year, month, day)` in the office's time zone; the caller
    /// passes it so that parsing stays pure.
    pub fn parse(input: &str, today: (i32, u32, u32)) -> Result<Self, DomainError> {
        let value = input.trim();
        if value.is_empty() {
            return Err(DomainError::Missing(Field::BirthDate));
        }
        let bytes = value.as_bytes();
        let shape_ok = bytes.len() == 10
            && bytes.iter().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    *b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        if !shape_ok {
            return Err(DomainError::BirthDateFormat);
        }
        let number =
            |range: std::ops::Range<usize>| bytes[range].iter().fold(0u32, |n, b| n * 10 + u32::from(b - b'0'));
        let year = i32::try_from(number(0..4)).map_err(|_| DomainError::BirthDateFormat)?;
        let (month, day) = (number(5..7), number(8..10));
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return Err(DomainError::BirthDateNotReal);
        }
        let date = (year, month, day);
        if date > today {
            return Err(DomainError::BirthDateFuture);
        }
        if year <= YEAR_FLOOR {
            return Err(DomainError::BirthDateTooOld);
        }
        // Old enough on the 17th birthday; someone born on 29 February turns 17 on 1 March in a
        // common year, which is what comparing the tuples gives.
        if date > (today.0 - MIN_AGE, today.1, today.2) {
            return Err(DomainError::BirthDateTooYoung);
        }
        Ok(Self {
            text: value.to_owned(),
            year,
            month,
            day,
        })
    }

    /// `YYYY-MM-DD`, as the HTML date input expects it.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// For Indonesian text: "17 Agustus 1945".
    pub fn display_id(&self) -> String {
        let month = usize::try_from(self.month)
            .ok()
            .and_then(|m| crate::clock::MONTHS.get(m.wrapping_sub(1)))
            .copied();
        format!("{} {} {}", self.day, month.unwrap_or_default(), self.year)
    }

    pub fn year(&self) -> i32 {
        self.year
    }

    /// 1–12.
    pub fn month(&self) -> u32 {
        self.month
    }

    /// 1–31.
    pub fn day(&self) -> u32 {
        self.day
    }
}

impl AsRef<str> for BirthDate {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for BirthDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl serde::Serialize for BirthDate {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TODAY: (i32, u32, u32) = (2025, 6, 15);

    #[test]
    fn person_name_valid_examples() {
        let cases = [
            ("Budi Santoso", "Budi Santoso"),
            ("  Budi   Santoso\t", "Budi Santoso"),
            ("Sukarno", "Sukarno"),
            ("Dr. Ir. H. Ma'ruf Amin, M.Sc.", "Dr. Ir. H. Ma'ruf Amin, M.Sc."),
            ("Ma’ruf", "Ma'ruf"),
            ("Siti Nur-Aisyah", "Siti Nur-Aisyah"),
            ("José Müller", "José Müller"),
            ("Jose\u{301}", "Jose\u{301}"),
            ("李小龍", "李小龍"),
            ("Al", "Al"),
        ];
        for (input, stored) in cases {
            assert_eq!(
                PersonName::parse(input).map(|n| n.to_string()),
                Ok(stored.to_owned()),
                "{input:?}"
            );
        }
        assert_eq!(PersonName::parse(&"a".repeat(100)).map(|n| n.as_str().len()), Ok(100));
    }

    #[test]
    fn person_name_refusals() {
        use DomainError::*;
        let cases = [
            ("", Missing(Field::PersonName)),
            ("   ", Missing(Field::PersonName)),
            ("A", PersonNameLength),
            (" B ", PersonNameLength),
            ("Budi2", PersonNameCharacters),
            ("Budi_Santoso", PersonNameCharacters),
            ("Budi <script>", PersonNameCharacters),
            ("Budi @ Santoso", PersonNameCharacters),
            ("Budi\u{0}", PersonNameCharacters),
            ("..", PersonNameNoLetter),
            ("-'-", PersonNameNoLetter),
        ];
        for (input, expected) in cases {
            assert_eq!(PersonName::parse(input), Err(expected), "{input:?}");
        }
        assert_eq!(PersonName::parse(&"a".repeat(101)), Err(PersonNameLength));
    }

    #[test]
    fn sex_examples() {
        assert_eq!(Sex::parse("L"), Ok(Sex::LakiLaki));
        assert_eq!(Sex::parse(" p "), Ok(Sex::Perempuan));
        assert_eq!(Sex::LakiLaki.label(), "Laki-laki");
        assert_eq!(Sex::Perempuan.label(), "Perempuan");
        assert_eq!(Sex::Perempuan.code(), "P");
        assert_eq!(Sex::LakiLaki.to_string(), "Laki-laki");
        assert_eq!(Sex::parse(""), Err(DomainError::Missing(Field::Sex)));
        assert_eq!(Sex::parse("X"), Err(DomainError::SexInvalid));
        assert_eq!(Sex::parse("Laki-laki"), Err(DomainError::SexInvalid));
    }

    #[test]
    fn birth_date_valid_examples() {
        let date = BirthDate::parse(" 1945-08-17 ", TODAY).expect("valid date");
        assert_eq!(date.as_str(), "1945-08-17");
        assert_eq!(date.to_string(), "1945-08-17");
        assert_eq!(date.display_id(), "17 Agustus 1945");
        assert_eq!((date.year(), date.month(), date.day()), (1945, 8, 17));
        assert_eq!(
            BirthDate::parse("1990-01-05", TODAY).map(|d| d.display_id()),
            Ok("5 Januari 1990".to_owned())
        );
        assert_eq!(
            BirthDate::parse("2000-02-29", TODAY).map(|d| d.display_id()),
            Ok("29 Februari 2000".to_owned())
        );
        assert!(BirthDate::parse("1901-01-01", TODAY).is_ok());
        assert!(BirthDate::parse("1980-12-31", TODAY).is_ok());
    }

    #[test]
    fn birth_date_seventeenth_birthday_is_the_boundary() {
        assert!(BirthDate::parse("2008-06-15", TODAY).is_ok());
        assert_eq!(
            BirthDate::parse("2008-06-16", TODAY),
            Err(DomainError::BirthDateTooYoung)
        );
        // Born on 29 February: 17 on 1 March of a common year.
        assert_eq!(
            BirthDate::parse("2008-02-29", (2025, 2, 28)),
            Err(DomainError::BirthDateTooYoung)
        );
        assert!(BirthDate::parse("2008-02-29", (2025, 3, 1)).is_ok());
    }

    #[test]
    fn birth_date_refusals() {
        use DomainError::*;
        let cases = [
            ("", Missing(Field::BirthDate)),
            ("17-08-1945", BirthDateFormat),
            ("1945/08/17", BirthDateFormat),
            ("1945-8-17", BirthDateFormat),
            ("19450817", BirthDateFormat),
            ("17 Agustus 1945", BirthDateFormat),
            ("1945-08-17T00:00", BirthDateFormat),
            ("+1945-08-17", BirthDateFormat),
            ("1945-00-17", BirthDateNotReal),
            ("1945-13-01", BirthDateNotReal),
            ("1945-08-00", BirthDateNotReal),
            ("1945-08-32", BirthDateNotReal),
            ("1945-04-31", BirthDateNotReal),
            ("1999-02-29", BirthDateNotReal),
            ("1900-02-29", BirthDateNotReal),
            ("2025-06-16", BirthDateFuture),
            ("2999-01-01", BirthDateFuture),
            ("2025-06-15", BirthDateTooYoung),
            ("1900-12-31", BirthDateTooOld),
            ("0000-01-01", BirthDateTooOld),
        ];
        for (input, expected) in cases {
            assert_eq!(BirthDate::parse(input, TODAY), Err(expected), "{input:?}");
        }
    }

    fn name_word() -> impl Strategy<Value = String> {
        "\\p{L}[\\p{L}.'-]{0,14}"
    }

    fn valid_name() -> impl Strategy<Value = String> {
        ("\\p{L}{2,15}", proptest::collection::vec(name_word(), 0..5))
            .prop_map(|(first, rest)| std::iter::once(first).chain(rest).collect::<Vec<_>>().join(" "))
    }

    /// A valid (year, month, day) for an applicant who is 17 or older on `TODAY`.
    fn adult_date() -> impl Strategy<Value = (i32, u32, u32)> {
        (1901i32..=2007, 1u32..=12).prop_flat_map(|(y, m)| (Just(y), Just(m), 1u32..=days_in_month(y, m)))
    }

    proptest! {
        #[test]
        fn person_name_valid_round_trips(name in valid_name()) {
            let parsed = PersonName::parse(&name).expect("generated name is valid");
            prop_assert_eq!(parsed.as_str(), name.as_str());
            prop_assert_eq!(PersonName::parse(parsed.as_str()), Ok(parsed.clone()));
        }

        #[test]
        fn person_name_white_space_is_collapsed(name in valid_name(), pad in "[ \t]{1,3}") {
            let spread = format!("{pad}{}{pad}", name.replace(' ', &format!(" {pad}")));
            prop_assert_eq!(PersonName::parse(&spread), PersonName::parse(&name));
        }

        #[test]
        fn person_name_with_a_digit_is_refused(name in valid_name(), digit in proptest::char::range('0', '9'), at in 0usize..100) {
            let mut chars: Vec<char> = name.chars().collect();
            let at = at % (chars.len() + 1);
            chars.insert(at, digit);
            let bad: String = chars.into_iter().collect();
            prop_assert_eq!(PersonName::parse(&bad), Err(DomainError::PersonNameCharacters));
        }

        #[test]
        fn person_name_too_long_is_refused(name in "\\p{L}{101,140}") {
            prop_assert_eq!(PersonName::parse(&name), Err(DomainError::PersonNameLength));
        }

        #[test]
        fn person_name_without_letters_is_refused(name in "[.,'-][.,' -]{0,10}[.,'-]") {
            prop_assert_eq!(PersonName::parse(&name), Err(DomainError::PersonNameNoLetter));
        }

        #[test]
        fn sex_round_trips(sex in prop_oneof![Just(Sex::LakiLaki), Just(Sex::Perempuan)]) {
            prop_assert_eq!(Sex::parse(sex.code()), Ok(sex));
        }

        #[test]
        fn sex_other_values_are_refused(raw in "[A-Za-z0-9]{1,10}") {
            prop_assume!(!["l", "p"].contains(&raw.to_lowercase().as_str()));
            prop_assert_eq!(Sex::parse(&raw), Err(DomainError::SexInvalid));
        }

        #[test]
        fn birth_date_valid_round_trips((y, m, d) in adult_date()) {
            let raw = format!("{y:04}-{m:02}-{d:02}");
            let date = BirthDate::parse(&raw, TODAY).expect("generated date is valid");
            prop_assert_eq!(date.as_str(), raw.as_str());
            prop_assert_eq!(BirthDate::parse(date.as_str(), TODAY), Ok(date.clone()));
            prop_assert!(date.display_id().contains(crate::clock::MONTHS[(m - 1) as usize]));
        }

        #[test]
        fn birth_date_day_past_month_end_is_refused(y in 1901i32..=2007, m in 1u32..=12, extra in 1u32..=5) {
            let d = days_in_month(y, m) + extra;
            prop_assume!(d <= 99);
            prop_assert_eq!(BirthDate::parse(&format!("{y:04}-{m:02}-{d:02}"), TODAY), Err(DomainError::BirthDateNotReal));
        }

        #[test]
        fn birth_date_bad_month_is_refused(y in 1901i32..=2007, m in prop_oneof![Just(0u32), 13u32..=99], d in 1u32..=28) {
            prop_assert_eq!(BirthDate::parse(&format!("{y:04}-{m:02}-{d:02}"), TODAY), Err(DomainError::BirthDateNotReal));
        }

        #[test]
        fn birth_date_in_the_future_is_refused(y in 2026i32..=9999, m in 1u32..=12, d in 1u32..=28) {
            prop_assert_eq!(BirthDate::parse(&format!("{y:04}-{m:02}-{d:02}"), TODAY), Err(DomainError::BirthDateFuture));
        }

        #[test]
        fn birth_date_under_17_is_refused(y in 2009i32..=2024, m in 1u32..=12, d in 1u32..=28) {
            prop_assert_eq!(BirthDate::parse(&format!("{y:04}-{m:02}-{d:02}"), TODAY), Err(DomainError::BirthDateTooYoung));
        }

        #[test]
        fn birth_date_in_another_shape_is_refused((y, m, d) in adult_date()) {
            for bad in [format!("{d:02}-{m:02}-{y:04}"), format!("{y:04}/{m:02}/{d:02}"), format!("{y}{m:02}{d:02}")] {
                prop_assert_eq!(BirthDate::parse(&bad, TODAY), Err(DomainError::BirthDateFormat));
            }
        }
    }
}
