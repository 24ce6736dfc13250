//! Identity numbers: NIK (Nomor Induk Kependudukan), NIB (Nomor Induk Berusaha), NPWP, and the
//! identity document type. Rules from domain-facts §3. A NIK must never be shown whole except to
//! its owner and to officers: use [`Nik::masked`] in logs and e-mails.

use std::fmt;

use super::{BirthDate, DomainError, Field, Sex, mask_middle, serialize_as_str, str_newtype, without_whitespace};

/// Province codes of the Kemendagri (Dukcapil) numbering that NIKs use, including the Papua
/// provinces created in 2022 (93–96). Not the BPS numbering.
const PROVINCE_CODES: [&str; 38] = [
    "11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33", "34", "35", "36", "51", "52", "53",
    "61", "62", "63", "64", "65", "71", "72", "73", "74", "75", "76", "81", "82", "91", "92", "93", "94", "95", "96",
];

/// Parses a two-digit field of an all-digit string. Callers have checked that the string is digits.
fn two_digits(s: &str, at: usize) -> u32 {
    s.as_bytes()[at..at + 2]
        .iter()
        .fold(0, |n, b| n * 10 + u32::from(b - b'0'))
}

/// A NIK: 16 digits, `PP KK CC DDMMYY SSSS` (province, kab/kota, kecamatan, birth date with the
/// day +40 for women, serial). Stored as the 16 digits.
#[derive(Clone, PartialEq, Eq)]
pub struct Nik(String);

str_newtype!(Nik);

impl Nik {
    /// Parses a NIK. Spaces anywhere are ignored ("1671 0101 …").
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let digits = without_whitespace(input);
        if digits.is_empty() {
            return Err(DomainError::Missing(Field::Nik));
        }
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DomainError::NikDigits);
        }
        if digits.len() != 16 {
            return Err(DomainError::NikLength);
        }
        if !PROVINCE_CODES.contains(&&digits[..2]) {
            return Err(DomainError::NikProvince);
        }
        let day = two_digits(&digits, 6);
        if !((1..=31).contains(&day) || (41..=71).contains(&day)) {
            return Err(DomainError::NikBirthDay);
        }
        if !(1..=12).contains(&two_digits(&digits, 8)) {
            return Err(DomainError::NikBirthMonth);
        }
        if &digits[12..] == "0000" {
            return Err(DomainError::NikSerial);
        }
        Ok(Self(digits))
    }

    /// "16**********0001": the first 2 and last 4 digits, the rest `*`. For logs and e-mails.
    pub fn masked(&self) -> String {
        mask_middle(&self.0)
    }

    /// The two-digit Kemendagri province code where the NIK was first issued ("16" = Sumatera
    /// Selatan). It does not change when the person moves.
    pub fn province_code(&self) -> &str {
        &self.0[..2]
    }

    /// Whether the birth date and sex encoded in the NIK agree with the ones on the form. Only
    /// for a soft warning: a NIK is never corrected even when it disagrees (domain-facts §3).
    pub fn matches_birth(&self, birth_date: &BirthDate, sex: Sex) -> bool {
        let encoded_day = two_digits(&self.0, 6);
        let (day, encoded_sex) = if encoded_day > 40 {
            (encoded_day - 40, Sex::Perempuan)
        } else {
            (encoded_day, Sex::LakiLaki)
        };
        let year_mod = birth_date.year().unsigned_abs() % 100;
        day == birth_date.day()
            && two_digits(&self.0, 8) == birth_date.month()
            && two_digits(&self.0, 10) == year_mod
            && encoded_sex == sex
    }
}

/// Whether a registration's KTP number disagrees with its birth date or sex (`false` for a
/// passport, or when a value does not parse: the form checks those). A soft warning only.
pub fn nik_disagrees(tipe: IdentityType, nomor: &str, tanggal_lahir: &str, sex: Sex, today: (i32, u32, u32)) -> bool {
    if tipe != IdentityType::Ktp {
        return false;
    }
    match (Nik::parse(nomor), crate::domain::BirthDate::parse(tanggal_lahir, today)) {
        (Ok(nik), Ok(birth)) => !nik.matches_birth(&birth, sex),
        _ => false,
    }
}

/// Masked, so that `{:?}` of a form or a struct never puts a whole NIK into a log.
impl fmt::Debug for Nik {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Nik({})", self.masked())
    }
}

/// A NIB issued by OSS: 13 digits, no published checksum. Stored as the 13 digits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nib(String);

str_newtype!(Nib);
serialize_as_str!(Nib);

impl Nib {
    /// Parses a NIB. Spaces anywhere are ignored.
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let digits = without_whitespace(input);
        if digits.is_empty() {
            return Err(DomainError::Missing(Field::Nib));
        }
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DomainError::NibDigits);
        }
        if digits.len() != 13 {
            return Err(DomainError::NibLength);
        }
        Ok(Self(digits))
    }
}

/// An NPWP: 16 digits (the NIK for resident individuals, "0" + the old number for others) or the
/// legacy 15 digits, accepted during the transition. Stored as digits only.
#[derive(Clone, PartialEq, Eq)]
pub struct Npwp(String);

str_newtype!(Npwp);

impl Npwp {
    /// Parses an NPWP, typed plain or with the mask `99.999.999.9-999.999`: dots, hyphens and
    /// spaces are ignored.
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let digits: String = input
            .chars()
            .filter(|c| !(c.is_whitespace() || *c == '.' || *c == '-'))
            .collect();
        if digits.is_empty() {
            return Err(DomainError::Missing(Field::Npwp));
        }
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DomainError::NpwpCharacters);
        }
        if digits.len() != 15 && digits.len() != 16 {
            return Err(DomainError::NpwpLength);
        }
        // Some people type zeros when they have no NPWP; that is "no NPWP", not an NPWP.
        if digits.bytes().all(|b| b == b'0') {
            return Err(DomainError::NpwpZero);
        }
        Ok(Self(digits))
    }

    /// True for the old 15-digit format.
    pub fn is_legacy(&self) -> bool {
        self.0.len() == 15
    }

    /// For display: a legacy NPWP in its usual mask `99.999.999.9-999.999`; a 16-digit NPWP as
    /// its digits.
    pub fn formatted(&self) -> String {
        let d = &self.0;
        if self.is_legacy() {
            format!(
                "{}.{}.{}.{}-{}.{}",
                &d[0..2],
                &d[2..5],
                &d[5..8],
                &d[8..9],
                &d[9..12],
                &d[12..15]
            )
        } else {
            d.clone()
        }
    }

    /// The first 2 and last 4 digits, the rest `*`. A 16-digit NPWP of a person is their NIK.
    pub fn masked(&self) -> String {
        mask_middle(&self.0)
    }
}

/// Masked, like [`Nik`]'s: a 16-digit NPWP of a person is their NIK.
impl fmt::Debug for Npwp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Npwp({})", self.masked())
    }
}

/// The identity document the applicant registers with ("tipe identitas").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum IdentityType {
    Ktp,
    Paspor,
}

impl IdentityType {
    /// Parses the form value "KTP" or "PASPOR" (any case).
    pub fn parse(input: &str) -> Result<Self, DomainError> {
        let value = input.trim();
        if value.is_empty() {
            Err(DomainError::Missing(Field::IdentityType))
        } else if value.eq_ignore_ascii_case("KTP") {
            Ok(Self::Ktp)
        } else if value.eq_ignore_ascii_case("PASPOR") {
            Ok(Self::Paspor)
        } else {
            Err(DomainError::IdentityTypeInvalid)
        }
    }

    /// The form value: "KTP" or "PASPOR".
    pub fn code(self) -> &'static str {
        match self {
            Self::Ktp => "KTP",
            Self::Paspor => "PASPOR",
        }
    }

    /// The label shown to people: "KTP" or "Paspor".
    pub fn label(self) -> &'static str {
        match self {
            Self::Ktp => "KTP",
            Self::Paspor => "Paspor",
        }
    }
}

impl fmt::Display for IdentityType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

impl serde::Serialize for IdentityType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const TODAY: (i32, u32, u32) = (2025, 6, 1);

    #[test]
    fn nik_valid_examples() {
        let nik = Nik::parse("1671010101900001").expect("valid NIK");
        assert_eq!(nik.as_str(), "1671010101900001");
        assert_eq!(nik.province_code(), "16");
        // Spaces typed in groups, and surrounding white space, are ignored.
        assert_eq!(Nik::parse("  1671 0101 0190 0001\t"), Ok(nik.clone()));
        // A woman's NIK: day + 40. New Papua provinces are accepted.
        assert!(Nik::parse("1671015708450001").is_ok());
        assert!(Nik::parse("9601017112999999").is_ok());
        assert!(Nik::parse("9301014101000001").is_ok());
    }

    #[test]
    fn nik_masked_shows_only_two_and_four() {
        let nik = Nik::parse("1671010101900001").expect("valid NIK");
        assert_eq!(nik.masked(), "16**********0001");
        assert_eq!(format!("{nik:?}"), "Nik(16**********0001)");
        assert!(!format!("{nik:?}").contains("1671010101900001"));
    }

    #[test]
    fn nik_refusals() {
        assert_eq!(Nik::parse(""), Err(DomainError::Missing(Field::Nik)));
        assert_eq!(Nik::parse("   "), Err(DomainError::Missing(Field::Nik)));
        assert_eq!(Nik::parse("167101010190000"), Err(DomainError::NikLength));
        assert_eq!(Nik::parse("16710101019000011"), Err(DomainError::NikLength));
        assert_eq!(Nik::parse("16710101019O0001"), Err(DomainError::NikDigits));
        assert_eq!(Nik::parse("16.71.01.010190.0001"), Err(DomainError::NikDigits));
        assert_eq!(Nik::parse("2071010101900001"), Err(DomainError::NikProvince));
        assert_eq!(Nik::parse("0071010101900001"), Err(DomainError::NikProvince));
        assert_eq!(Nik::parse("9771010101900001"), Err(DomainError::NikProvince));
        assert_eq!(Nik::parse("1671010001900001"), Err(DomainError::NikBirthDay));
        assert_eq!(Nik::parse("1671013201900001"), Err(DomainError::NikBirthDay));
        assert_eq!(Nik::parse("1671014001900001"), Err(DomainError::NikBirthDay));
        assert_eq!(Nik::parse("1671017201900001"), Err(DomainError::NikBirthDay));
        assert_eq!(Nik::parse("1671010100900001"), Err(DomainError::NikBirthMonth));
        assert_eq!(Nik::parse("1671010113900001"), Err(DomainError::NikBirthMonth));
        assert_eq!(Nik::parse("1671010101900000"), Err(DomainError::NikSerial));
    }

    #[test]
    fn nik_matches_birth_is_a_soft_check() {
        let man = Nik::parse("1671011708450001").expect("valid NIK");
        let woman = Nik::parse("1671015708450001").expect("valid NIK");
        let date = BirthDate::parse("1945-08-17", TODAY).expect("valid date");
        let other = BirthDate::parse("1945-08-18", TODAY).expect("valid date");
        assert!(man.matches_birth(&date, Sex::LakiLaki));
        assert!(!man.matches_birth(&date, Sex::Perempuan));
        assert!(woman.matches_birth(&date, Sex::Perempuan));
        assert!(!woman.matches_birth(&other, Sex::Perempuan));
    }

    #[test]
    fn nib_examples() {
        assert_eq!(
            Nib::parse("9120001234567").map(|n| n.to_string()),
            Ok("9120001234567".to_owned())
        );
        assert_eq!(
            Nib::parse(" 9120 0012 3456 7 ").map(|n| n.to_string()),
            Ok("9120001234567".to_owned())
        );
        assert_eq!(Nib::parse(""), Err(DomainError::Missing(Field::Nib)));
        assert_eq!(Nib::parse("912000123456"), Err(DomainError::NibLength));
        assert_eq!(Nib::parse("91200012345678"), Err(DomainError::NibLength));
        assert_eq!(Nib::parse("912000123456A"), Err(DomainError::NibDigits));
        assert_eq!(Nib::parse("9120-0012-34567"), Err(DomainError::NibDigits));
    }

    #[test]
    fn npwp_examples() {
        let legacy = Npwp::parse("09.254.294.3-407.000").expect("valid legacy NPWP");
        assert_eq!(legacy.as_str(), "092542943407000");
        assert!(legacy.is_legacy());
        assert_eq!(legacy.formatted(), "09.254.294.3-407.000");
        assert_eq!(format!("{legacy:?}"), "Npwp(09*********7000)");
        let new = Npwp::parse("0092 5429 4340 7000").expect("valid 16-digit NPWP");
        assert_eq!(new.as_str(), "0092542943407000");
        assert!(!new.is_legacy());
        assert_eq!(new.formatted(), "0092542943407000");
        assert_eq!(Npwp::parse("1671010101900001").map(|n| n.is_legacy()), Ok(false));

        assert_eq!(Npwp::parse(" "), Err(DomainError::Missing(Field::Npwp)));
        assert_eq!(Npwp::parse("09.254.294.3-407.00"), Err(DomainError::NpwpLength));
        assert_eq!(Npwp::parse("092542943407000123"), Err(DomainError::NpwpLength));
        assert_eq!(Npwp::parse("09/254/294/3-407.000"), Err(DomainError::NpwpCharacters));
        assert_eq!(Npwp::parse("09.254.294.3-407.00O"), Err(DomainError::NpwpCharacters));
        assert_eq!(Npwp::parse("00.000.000.0-000.000"), Err(DomainError::NpwpZero));
    }

    #[test]
    fn identity_type_examples() {
        assert_eq!(IdentityType::parse("KTP"), Ok(IdentityType::Ktp));
        assert_eq!(IdentityType::parse(" paspor "), Ok(IdentityType::Paspor));
        assert_eq!(IdentityType::Paspor.label(), "Paspor");
        assert_eq!(IdentityType::Paspor.code(), "PASPOR");
        assert_eq!(IdentityType::Ktp.to_string(), "KTP");
        assert_eq!(IdentityType::parse(""), Err(DomainError::Missing(Field::IdentityType)));
        assert_eq!(IdentityType::parse("SIM"), Err(DomainError::IdentityTypeInvalid));
        assert_eq!(IdentityType::parse("PASSPORT"), Err(DomainError::IdentityTypeInvalid));
    }

    fn province() -> impl Strategy<Value = &'static str> {
        proptest::sample::select(PROVINCE_CODES.to_vec())
    }

    fn unknown_province() -> impl Strategy<Value = String> {
        let unknown: Vec<String> = (0..100)
            .map(|p| format!("{p:02}"))
            .filter(|code| !PROVINCE_CODES.contains(&code.as_str()))
            .collect();
        proptest::sample::select(unknown)
    }

    fn nik_day() -> impl Strategy<Value = u32> {
        prop_oneof![1u32..=31, 41u32..=71]
    }

    /// A NIK built from the rules: province, kab/kota, kecamatan, day, month, year, serial.
    fn valid_nik() -> impl Strategy<Value = String> {
        (
            province(),
            0u32..100,
            0u32..100,
            nik_day(),
            1u32..=12,
            0u32..100,
            1u32..=9999,
        )
            .prop_map(|(p, kab, kec, day, month, year, serial)| {
                format!("{p}{kab:02}{kec:02}{day:02}{month:02}{year:02}{serial:04}")
            })
    }

    proptest! {
        #[test]
        fn nik_valid_round_trips(raw in valid_nik()) {
            let nik = Nik::parse(&raw).expect("generated NIK is valid");
            prop_assert_eq!(nik.as_str(), raw.as_str());
            prop_assert_eq!(Nik::parse(nik.as_str()), Ok(nik.clone()));
            prop_assert_eq!(nik.masked().chars().filter(|c| *c == '*').count(), 10);
        }

        #[test]
        fn nik_with_spaces_is_the_same_nik(raw in valid_nik()) {
            let spaced = format!(" {} {} {} {} ", &raw[..4], &raw[4..8], &raw[8..12], &raw[12..]);
            prop_assert_eq!(Nik::parse(&spaced), Nik::parse(&raw));
        }

        #[test]
        fn nik_wrong_length_is_refused(raw in "[0-9]{1,15}|[0-9]{17,24}") {
            prop_assert_eq!(Nik::parse(&raw), Err(DomainError::NikLength));
        }

        #[test]
        fn nik_with_a_letter_is_refused(raw in valid_nik(), at in 0usize..16, letter in "[a-zA-Z]") {
            let mut bad = raw.clone();
            bad.replace_range(at..=at, &letter);
            prop_assert_eq!(Nik::parse(&bad), Err(DomainError::NikDigits));
        }

        #[test]
        fn nik_unknown_province_is_refused(raw in valid_nik(), code in unknown_province()) {
            let bad = format!("{code}{}", &raw[2..]);
            prop_assert_eq!(Nik::parse(&bad), Err(DomainError::NikProvince));
        }

        #[test]
        fn nik_bad_day_is_refused(raw in valid_nik(), day in prop_oneof![Just(0u32), 32u32..=40, 72u32..=99]) {
            let bad = format!("{}{day:02}{}", &raw[..6], &raw[8..]);
            prop_assert_eq!(Nik::parse(&bad), Err(DomainError::NikBirthDay));
        }

        #[test]
        fn nik_bad_month_is_refused(raw in valid_nik(), month in prop_oneof![Just(0u32), 13u32..=99]) {
            let bad = format!("{}{month:02}{}", &raw[..8], &raw[10..]);
            prop_assert_eq!(Nik::parse(&bad), Err(DomainError::NikBirthMonth));
        }

        #[test]
        fn nik_zero_serial_is_refused(raw in valid_nik()) {
            let bad = format!("{}0000", &raw[..12]);
            prop_assert_eq!(Nik::parse(&bad), Err(DomainError::NikSerial));
        }

        #[test]
        fn nib_valid_round_trips(raw in "[0-9]{13}") {
            let nib = Nib::parse(&raw).expect("13 digits");
            prop_assert_eq!(Nib::parse(nib.as_str()), Ok(nib.clone()));
            prop_assert_eq!(nib.as_str(), raw.as_str());
        }

        #[test]
        fn nib_invalid_is_refused(short in "[0-9]{1,12}", long in "[0-9]{14,20}", raw in "[0-9]{13}", at in 0usize..13) {
            prop_assert_eq!(Nib::parse(&short), Err(DomainError::NibLength));
            prop_assert_eq!(Nib::parse(&long), Err(DomainError::NibLength));
            let mut bad = raw.clone();
            bad.replace_range(at..=at, "x");
            prop_assert_eq!(Nib::parse(&bad), Err(DomainError::NibDigits));
        }

        #[test]
        fn npwp_valid_round_trips(raw in "[0-9]{15,16}") {
            prop_assume!(raw.bytes().any(|b| b != b'0'));
            let npwp = Npwp::parse(&raw).expect("15 or 16 digits");
            prop_assert_eq!(Npwp::parse(npwp.as_str()), Ok(npwp.clone()));
            prop_assert_eq!(npwp.is_legacy(), raw.len() == 15);
            // The display mask parses back to the same NPWP.
            prop_assert_eq!(Npwp::parse(&npwp.formatted()), Ok(npwp.clone()));
        }

        #[test]
        fn npwp_invalid_is_refused(short in "[0-9]{1,14}", long in "[0-9]{17,24}", raw in "[0-9]{15}", at in 0usize..15) {
            prop_assert_eq!(Npwp::parse(&short), Err(DomainError::NpwpLength));
            prop_assert_eq!(Npwp::parse(&long), Err(DomainError::NpwpLength));
            let mut bad = raw.clone();
            bad.replace_range(at..=at, "a");
            prop_assert_eq!(Npwp::parse(&bad), Err(DomainError::NpwpCharacters));
        }

        #[test]
        fn identity_type_round_trips(t in prop_oneof![Just(IdentityType::Ktp), Just(IdentityType::Paspor)]) {
            prop_assert_eq!(IdentityType::parse(t.code()), Ok(t));
        }

        #[test]
        fn identity_type_other_values_are_refused(raw in "[A-Za-z]{1,10}") {
            prop_assume!(!raw.eq_ignore_ascii_case("ktp") && !raw.eq_ignore_ascii_case("paspor"));
            prop_assert_eq!(IdentityType::parse(&raw), Err(DomainError::IdentityTypeInvalid));
        }
    }
}
