//! The one error type of the domain parsers. Messages are shown to the applicant beside the field,
//! in formal Indonesian, and say what to do; `log_code` is for logs. Neither ever contains the
//! value that was typed.

/// The form field an error belongs to, so that a handler can show the message beside the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Username,
    Email,
    Nik,
    Nib,
    Npwp,
    Phone,
    Telephone,
    PostalCode,
    PersonName,
    Password,
    Sex,
    IdentityType,
    BirthDate,
}

impl Field {
    /// A short English snake_case name, for logs.
    pub fn code(self) -> &'static str {
        match self {
            Field::Username => "username",
            Field::Email => "email",
            Field::Nik => "nik",
            Field::Nib => "nib",
            Field::Npwp => "npwp",
            Field::Phone => "phone",
            Field::Telephone => "telephone",
            Field::PostalCode => "postal_code",
            Field::PersonName => "person_name",
            Field::Password => "password",
            Field::Sex => "sex",
            Field::IdentityType => "identity_type",
            Field::BirthDate => "birth_date",
        }
    }

    /// The message for a required field left blank.
    pub fn missing_message(self) -> &'static str {
        match self {
            Field::Username => "Nama pengguna wajib diisi.",
            Field::Email => "Alamat surel wajib diisi.",
            Field::Nik => "NIK wajib diisi.",
            Field::Nib => "NIB wajib diisi.",
            Field::Npwp => "NPWP wajib diisi.",
            Field::Phone => "Nomor handphone wajib diisi.",
            Field::Telephone => "Nomor telepon wajib diisi.",
            Field::PostalCode => "Kode pos wajib diisi.",
            Field::PersonName => "Nama lengkap wajib diisi.",
            Field::Password => "Kata sandi wajib diisi.",
            Field::Sex => "Pilih jenis kelamin.",
            Field::IdentityType => "Pilih tipe identitas.",
            Field::BirthDate => "Tanggal lahir wajib diisi.",
        }
    }
}

/// Why a form value was refused. One variant per distinct problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// A required field was empty or only white space.
    #[error("{}", .0.missing_message())]
    Missing(Field),

    #[error("Nama pengguna harus terdiri dari 3 sampai 32 karakter.")]
    UsernameLength,
    #[error("Nama pengguna harus diawali huruf (a–z).")]
    UsernameStart,
    #[error(
        "Nama pengguna hanya boleh berisi huruf kecil, angka, titik, garis bawah, atau tanda hubung, dan diawali huruf."
    )]
    UsernameCharacters,

    #[error("Alamat surel terlalu panjang. Gunakan alamat surel dengan paling banyak 254 karakter.")]
    EmailLength,
    #[error("Alamat surel tidak boleh berisi spasi. Hapus spasi dari alamat surel.")]
    EmailSpace,
    #[error("Alamat surel harus berisi tepat satu tanda @, misalnya nama@contoh.com.")]
    EmailAt,
    #[error("Tulis nama akun surel sebelum tanda @, misalnya nama@contoh.com.")]
    EmailLocalEmpty,
    #[error("Bagian sebelum tanda @ terlalu panjang. Gunakan paling banyak 64 karakter sebelum @.")]
    EmailLocalLength,
    #[error(
        "Bagian sebelum tanda @ hanya boleh berisi huruf tanpa aksen, angka, dan tanda seperti . _ + -, tidak diawali atau diakhiri titik, dan tanpa dua titik berurutan."
    )]
    EmailLocalPart,
    #[error(
        "Masukkan alamat surel yang benar, misalnya nama@contoh.com. Bagian setelah tanda @ harus nama domain yang benar."
    )]
    EmailDomain,

    #[error("NIK hanya boleh berisi angka. Masukkan NIK 16 digit sesuai KTP.")]
    NikDigits,
    #[error("Masukkan NIK 16 digit (angka saja).")]
    NikLength,
    #[error(
        "NIK tidak sesuai format: dua digit pertama harus kode provinsi yang berlaku. Periksa kembali NIK pada KTP Anda."
    )]
    NikProvince,
    #[error(
        "NIK tidak sesuai format: digit ke-7 dan ke-8 harus tanggal lahir (01–31, atau 41–71 untuk perempuan). Periksa kembali NIK pada KTP Anda."
    )]
    NikBirthDay,
    #[error(
        "NIK tidak sesuai format: digit ke-9 dan ke-10 harus bulan lahir (01–12). Periksa kembali NIK pada KTP Anda."
    )]
    NikBirthMonth,
    #[error("NIK tidak sesuai format: empat digit terakhir tidak boleh 0000. Periksa kembali NIK pada KTP Anda.")]
    NikSerial,

    #[error("NIB hanya boleh berisi angka. Masukkan NIB 13 digit.")]
    NibDigits,
    #[error("Masukkan NIB 13 digit.")]
    NibLength,

    #[error("NPWP hanya boleh berisi angka, titik, dan tanda hubung. Masukkan NPWP 15 atau 16 digit.")]
    NpwpCharacters,
    #[error("Masukkan NPWP 15 atau 16 digit.")]
    NpwpLength,
    #[error("NPWP tidak boleh berisi angka nol semua. Kosongkan kolom NPWP jika Anda tidak memiliki NPWP.")]
    NpwpZero,

    #[error(
        "Nomor handphone hanya boleh berisi angka, spasi, tanda hubung, dan tanda + di depan, misalnya 0812-3456-7890."
    )]
    PhoneCharacters,
    #[error("Masukkan nomor handphone yang diawali 08 atau +62, misalnya 081234567890.")]
    PhonePrefix,
    #[error(
        "Nomor ini bukan nomor handphone. Masukkan nomor handphone yang diawali 081–089, misalnya 081234567890; nomor telepon rumah atau kantor diisi pada kolom nomor telepon."
    )]
    PhoneNotMobile,
    #[error("Nomor handphone harus 10 sampai 13 digit, dihitung dari angka 0 di depan, misalnya 081234567890.")]
    PhoneLength,
    #[error(
        "Nomor telepon hanya boleh berisi angka, spasi, tanda kurung, tanda hubung, dan tanda + di depan, misalnya (0711) 352123 atau 0812-3456-7890."
    )]
    TelephoneCharacters,
    #[error(
        "Masukkan nomor telepon yang diawali kode wilayah atau 08, atau +62, misalnya (0711) 352123 atau 081234567890."
    )]
    TelephonePrefix,
    #[error(
        "Nomor telepon terlalu pendek atau terlalu panjang. Masukkan kode wilayah dan nomornya, misalnya (0711) 352123, atau nomor handphone 10 sampai 13 digit."
    )]
    TelephoneLength,

    #[error("Kode pos hanya boleh berisi angka. Masukkan kode pos 5 digit.")]
    PostalCodeDigits,
    #[error("Masukkan kode pos 5 digit.")]
    PostalCodeLength,
    #[error("Kode pos di Indonesia tidak diawali angka 0. Periksa kembali kode pos Anda.")]
    PostalCodeLeadingZero,

    #[error("Nama lengkap harus terdiri dari 2 sampai 100 karakter.")]
    PersonNameLength,
    #[error(
        "Nama lengkap hanya boleh berisi huruf, spasi, titik, koma, tanda petik ('), atau tanda hubung. Tulis nama sesuai KTP tanpa angka."
    )]
    PersonNameCharacters,
    #[error("Nama lengkap harus berisi huruf. Tulis nama sesuai KTP.")]
    PersonNameNoLetter,

    #[error("Kata sandi minimal 8 karakter.")]
    PasswordTooShort,
    #[error("Kata sandi maksimal 128 karakter.")]
    PasswordTooLong,
    #[error("Kata sandi petugas minimal 12 karakter, karena akun petugas membuka data pribadi seluruh unit.")]
    OfficerPasswordTooShort,
    #[error("Kata sandi tidak boleh hanya berisi satu karakter yang diulang. Pilih kata sandi lain.")]
    PasswordRepeated,
    #[error("Kata sandi ini terlalu umum dan mudah ditebak. Pilih kata sandi lain.")]
    PasswordCommon,
    #[error("Kata sandi tidak boleh memuat nama pengguna Anda. Pilih kata sandi lain.")]
    PasswordContainsUsername,
    #[error("Kata sandi tidak boleh memuat alamat surel Anda. Pilih kata sandi lain.")]
    PasswordContainsEmail,

    #[error("Pilih jenis kelamin: Laki-laki atau Perempuan.")]
    SexInvalid,
    #[error("Pilih tipe identitas: KTP atau Paspor.")]
    IdentityTypeInvalid,

    #[error("Masukkan tanggal lahir dengan format tahun-bulan-tanggal, misalnya 1990-08-17.")]
    BirthDateFormat,
    #[error("Tanggal lahir tidak ada dalam kalender. Periksa kembali tanggal dan bulan lahir Anda.")]
    BirthDateNotReal,
    #[error("Tanggal lahir tidak boleh setelah hari ini. Periksa kembali tanggal lahir Anda.")]
    BirthDateFuture,
    #[error("Pemohon harus berusia minimal 17 tahun. Periksa kembali tanggal lahir Anda.")]
    BirthDateTooYoung,
    #[error("Tahun lahir harus setelah 1900. Periksa kembali tanggal lahir Anda.")]
    BirthDateTooOld,
}

impl DomainError {
    /// The field this error belongs to.
    pub fn field(&self) -> Field {
        use DomainError::*;
        match self {
            Missing(field) => *field,
            UsernameLength | UsernameStart | UsernameCharacters => Field::Username,
            EmailLength | EmailSpace | EmailAt | EmailLocalEmpty | EmailLocalLength | EmailLocalPart | EmailDomain => {
                Field::Email
            }
            NikDigits | NikLength | NikProvince | NikBirthDay | NikBirthMonth | NikSerial => Field::Nik,
            NibDigits | NibLength => Field::Nib,
            NpwpCharacters | NpwpLength | NpwpZero => Field::Npwp,
            PhoneCharacters | PhonePrefix | PhoneNotMobile | PhoneLength => Field::Phone,
            TelephoneCharacters | TelephonePrefix | TelephoneLength => Field::Telephone,
            PostalCodeDigits | PostalCodeLength | PostalCodeLeadingZero => Field::PostalCode,
            PersonNameLength | PersonNameCharacters | PersonNameNoLetter => Field::PersonName,
            PasswordTooShort
            | OfficerPasswordTooShort
            | PasswordTooLong
            | PasswordRepeated
            | PasswordCommon
            | PasswordContainsUsername
            | PasswordContainsEmail => Field::Password,
            SexInvalid => Field::Sex,
            IdentityTypeInvalid => Field::IdentityType,
            BirthDateFormat | BirthDateNotReal | BirthDateFuture | BirthDateTooYoung | BirthDateTooOld => {
                Field::BirthDate
            }
        }
    }

    /// A short English snake_case code for logs. It names the problem, never the value.
    pub fn log_code(&self) -> &'static str {
        use DomainError::*;
        match self {
            Missing(field) => match field {
                Field::Username => "username_missing",
                Field::Email => "email_missing",
                Field::Nik => "nik_missing",
                Field::Nib => "nib_missing",
                Field::Npwp => "npwp_missing",
                Field::Phone => "phone_missing",
                Field::Telephone => "telephone_missing",
                Field::PostalCode => "postal_code_missing",
                Field::PersonName => "person_name_missing",
                Field::Password => "password_missing",
                Field::Sex => "sex_missing",
                Field::IdentityType => "identity_type_missing",
                Field::BirthDate => "birth_date_missing",
            },
            UsernameLength => "username_length",
            UsernameStart => "username_start",
            UsernameCharacters => "username_characters",
            EmailLength => "email_length",
            EmailSpace => "email_space",
            EmailAt => "email_at",
            EmailLocalEmpty => "email_local_empty",
            EmailLocalLength => "email_local_length",
            EmailLocalPart => "email_local_part",
            EmailDomain => "email_domain",
            NikDigits => "nik_digits",
            NikLength => "nik_length",
            NikProvince => "nik_province",
            NikBirthDay => "nik_birth_day",
            NikBirthMonth => "nik_birth_month",
            NikSerial => "nik_serial",
            NibDigits => "nib_digits",
            NibLength => "nib_length",
            NpwpCharacters => "npwp_characters",
            NpwpLength => "npwp_length",
            NpwpZero => "npwp_zero",
            PhoneCharacters => "phone_characters",
            PhonePrefix => "phone_prefix",
            PhoneNotMobile => "phone_not_mobile",
            PhoneLength => "phone_length",
            TelephoneCharacters => "telephone_characters",
            TelephonePrefix => "telephone_prefix",
            TelephoneLength => "telephone_length",
            PostalCodeDigits => "postal_code_digits",
            PostalCodeLength => "postal_code_length",
            PostalCodeLeadingZero => "postal_code_leading_zero",
            PersonNameLength => "person_name_length",
            PersonNameCharacters => "person_name_characters",
            PersonNameNoLetter => "person_name_no_letter",
            PasswordTooShort => "password_too_short",
            OfficerPasswordTooShort => "password_too_short_for_officer",
            PasswordTooLong => "password_too_long",
            PasswordRepeated => "password_repeated",
            PasswordCommon => "password_common",
            PasswordContainsUsername => "password_contains_username",
            PasswordContainsEmail => "password_contains_email",
            SexInvalid => "sex_invalid",
            IdentityTypeInvalid => "identity_type_invalid",
            BirthDateFormat => "birth_date_format",
            BirthDateNotReal => "birth_date_not_real",
            BirthDateFuture => "birth_date_future",
            BirthDateTooYoung => "birth_date_too_young",
            BirthDateTooOld => "birth_date_too_old",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    const FIELDS: [Field; 13] = [
        Field::Username,
        Field::Email,
        Field::Nik,
        Field::Nib,
        Field::Npwp,
        Field::Phone,
        Field::Telephone,
        Field::PostalCode,
        Field::PersonName,
        Field::Password,
        Field::Sex,
        Field::IdentityType,
        Field::BirthDate,
    ];

    fn all_errors() -> Vec<DomainError> {
        use DomainError::*;
        let mut all: Vec<DomainError> = FIELDS.iter().map(|f| Missing(*f)).collect();
        all.extend([
            UsernameLength,
            UsernameStart,
            UsernameCharacters,
            EmailLength,
            EmailSpace,
            EmailAt,
            EmailLocalEmpty,
            EmailLocalLength,
            EmailLocalPart,
            EmailDomain,
            NikDigits,
            NikLength,
            NikProvince,
            NikBirthDay,
            NikBirthMonth,
            NikSerial,
            NibDigits,
            NibLength,
            NpwpCharacters,
            NpwpLength,
            NpwpZero,
            PhoneCharacters,
            PhonePrefix,
            PhoneNotMobile,
            PhoneLength,
            TelephoneCharacters,
            TelephonePrefix,
            TelephoneLength,
            PostalCodeDigits,
            PostalCodeLength,
            PostalCodeLeadingZero,
            PersonNameLength,
            PersonNameCharacters,
            PersonNameNoLetter,
            PasswordTooShort,
            OfficerPasswordTooShort,
            PasswordTooLong,
            PasswordRepeated,
            PasswordCommon,
            PasswordContainsUsername,
            PasswordContainsEmail,
            SexInvalid,
            IdentityTypeInvalid,
            BirthDateFormat,
            BirthDateNotReal,
            BirthDateFuture,
            BirthDateTooYoung,
            BirthDateTooOld,
        ]);
        all
    }

    #[test]
    fn log_codes_are_unique_snake_case() {
        let mut seen = HashSet::new();
        for e in all_errors() {
            let code = e.log_code();
            assert!(code.chars().all(|c| c.is_ascii_lowercase() || c == '_'), "{code}");
            assert!(code.starts_with(e.field().code()), "{code} should start with its field");
            assert!(seen.insert(code), "duplicate log code {code}");
        }
    }

    #[test]
    fn messages_are_unique_sentences() {
        let mut seen = HashSet::new();
        for e in all_errors() {
            let message = e.to_string();
            assert!(message.ends_with('.'), "{message}");
            assert!(message.chars().next().is_some_and(char::is_uppercase), "{message}");
            assert!(seen.insert(message.clone()), "duplicate message {message}");
        }
    }

    #[test]
    fn missing_message_names_the_field() {
        assert_eq!(DomainError::Missing(Field::Nik).to_string(), "NIK wajib diisi.");
        assert_eq!(DomainError::Missing(Field::Sex).to_string(), "Pilih jenis kelamin.");
        assert_eq!(DomainError::Missing(Field::Nik).log_code(), "nik_missing");
    }
}
