//! The kabupaten and kota of Provinsi Sumatera Selatan (Kemendagri codes, per Kepmendagri
//! 300.2.2-2138/2025), for the address on the registration form.

pub const LUAR_SUMSEL: (&str, &str) = ("luar", "Di luar Provinsi Sumatera Selatan");

pub const KABUPATEN_KOTA: [(&str, &str); 17] = [
    ("16.01", "Kabupaten Ogan Komering Ulu"),
    ("16.02", "Kabupaten Ogan Komering Ilir"),
    ("16.03", "Kabupaten Muara Enim"),
    ("16.04", "Kabupaten Lahat"),
    ("16.05", "Kabupaten Musi Rawas"),
    ("16.06", "Kabupaten Musi Banyuasin"),
    ("16.07", "Kabupaten Banyuasin"),
    ("16.08", "Kabupaten Ogan Komering Ulu Timur"),
    ("16.09", "Kabupaten Ogan Komering Ulu Selatan"),
    ("16.10", "Kabupaten Ogan Ilir"),
    ("16.11", "Kabupaten Empat Lawang"),
    ("16.12", "Kabupaten Penukal Abab Lematang Ilir"),
    ("16.13", "Kabupaten Musi Rawas Utara"),
    ("16.71", "Kota Palembang"),
    ("16.72", "Kota Pagar Alam"),
    ("16.73", "Kota Lubuk Linggau"),
    ("16.74", "Kota Prabumulih"),
];

/// The name of a kabupaten/kota code from the form, if it is one.
pub fn name_of(code: &str) -> Option<&'static str> {
    KABUPATEN_KOTA
        .iter()
        .chain(std::iter::once(&LUAR_SUMSEL))
        .find(|(c, _)| *c == code)
        .map(|(_, n)| *n)
}
