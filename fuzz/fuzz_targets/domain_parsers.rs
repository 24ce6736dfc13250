//! Every parser of `formsvc::domain` on the same input: NIK, NIB, NPWP, phone number, e-mail,
//! user name, postal code, and also person name, sex, birth date, identity type and new
//! password. Besides "no panic", each checks the module's promise that a parsed value's stored
//! form parses again to the same value (`T::parse(x.as_str()) == Ok(x)`), and the accessors that
//! slice the stored form.

#![no_main]

use formsvc::domain::{
    BirthDate, Email, IdentityType, NewPassword, Nib, Nik, Npwp, PersonName, PhoneNumber, PostalCode, Sex, Username,
};
use libfuzzer_sys::fuzz_target;

/// A fixed "today", so that a birth date's verdict does not change between runs.
const TODAY: (i32, u32, u32) = (2025, 6, 1);

fuzz_target!(|data: &[u8]| {
    // Form fields reach the parsers as `&str`: axum has refused invalid UTF-8 before.
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };

    if let Ok(nik) = Nik::parse(s) {
        assert_eq!(Nik::parse(nik.as_str()), Ok(nik.clone()));
        assert_eq!(nik.as_str().len(), 16);
        let masked = nik.masked();
        assert_eq!(masked.len(), 16);
        assert_eq!(&masked[..2], nik.province_code());
        let _ = format!("{nik:?}");
    }
    if let Ok(nib) = Nib::parse(s) {
        assert_eq!(Nib::parse(nib.as_str()), Ok(nib.clone()));
    }
    if let Ok(npwp) = Npwp::parse(s) {
        assert_eq!(Npwp::parse(npwp.as_str()), Ok(npwp.clone()));
        // The display mask must read back as the same NPWP.
        assert_eq!(Npwp::parse(&npwp.formatted()), Ok(npwp.clone()));
        let _ = npwp.masked();
    }
    if let Ok(phone) = PhoneNumber::parse(s) {
        assert_eq!(PhoneNumber::parse(phone.as_str()), Ok(phone.clone()));
        assert_eq!(PhoneNumber::parse(&phone.national()), Ok(phone.clone()));
    }
    if let Ok(email) = Email::parse(s) {
        assert_eq!(Email::parse(email.as_str()), Ok(email.clone()));
        assert_eq!(format!("{}@{}", email.local_part(), email.domain()), email.as_str());
    }
    if let Ok(name) = Username::parse(s) {
        assert_eq!(Username::parse(name.as_str()), Ok(name.clone()));
    }
    if let Ok(code) = PostalCode::parse(s) {
        assert_eq!(PostalCode::parse(code.as_str()), Ok(code.clone()));
    }
    if let Ok(name) = PersonName::parse(s) {
        assert_eq!(PersonName::parse(name.as_str()), Ok(name.clone()));
    }
    if let Ok(sex) = Sex::parse(s) {
        assert_eq!(Sex::parse(sex.code()), Ok(sex));
    }
    if let Ok(kind) = IdentityType::parse(s) {
        assert_eq!(IdentityType::parse(kind.code()), Ok(kind));
    }
    if let Ok(date) = BirthDate::parse(s, TODAY) {
        assert_eq!(BirthDate::parse(date.as_str(), TODAY), Ok(date.clone()));
        let _ = date.display_id();
    }

    // A password is checked against the user name and e-mail typed on the same form: the input's
    // first three lines play the three fields.
    let mut lines = s.splitn(3, '\n');
    let pw = lines.next().unwrap_or("");
    let (username, email) = (lines.next(), lines.next());
    if let Ok(p) = NewPassword::parse(pw, username, email) {
        assert_eq!(NewPassword::parse(p.expose(), username, email), Ok(p.clone()));
    }
    let _ = NewPassword::parse_for_officer(s, None, None);
});
