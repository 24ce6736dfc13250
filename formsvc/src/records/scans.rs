//! Uploads the virus scanner refused, for the officers' console.

/// Why the scanner refused a file; the word the store keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanOutcome {
    /// A signature matched.
    Virus,
    /// The scanner could not judge the file (its size or its other limits).
    TidakTerperiksa,
    /// No verdict could be had: the scanner was down, too slow or failed.
    PemindaiGagal,
}

impl ScanOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            ScanOutcome::Virus => "virus",
            ScanOutcome::TidakTerperiksa => "tidak_terperiksa",
            ScanOutcome::PemindaiGagal => "pemindai_gagal",
        }
    }

    pub fn parse(word: &str) -> Option<ScanOutcome> {
        match word {
            "virus" => Some(ScanOutcome::Virus),
            "tidak_terperiksa" => Some(ScanOutcome::TidakTerperiksa),
            "pemindai_gagal" => Some(ScanOutcome::PemindaiGagal),
            _ => None,
        }
    }

    /// What officers read.
    pub fn label(self) -> &'static str {
        match self {
            ScanOutcome::Virus => "Mengandung virus",
            ScanOutcome::TidakTerperiksa => "Tidak dapat diperiksa (melampaui batas pemindai)",
            ScanOutcome::PemindaiGagal => "Pemindai tidak tersedia",
        }
    }
}

/// A refused upload to record: which application and requirement, and what the scanner said.
/// Never the file, its name or its hash: the file is gone, and its name may name a person.
#[derive(Debug, Clone)]
pub struct NewScanRefusal {
    pub application_id: i64,
    pub requirement_id: String,
    /// The requirement's name, as the application's list has it.
    pub requirement: String,
    pub outcome: ScanOutcome,
    /// The scanner's words (a signature name, its error), in English.
    pub detail: String,
}

/// A refused upload, for the console of the officers of its application's unit.
#[derive(Debug, Clone)]
pub struct ScanRefusal {
    pub at: i64,
    /// The application's number.
    pub nomor: String,
    pub requirement: String,
    pub outcome: ScanOutcome,
    pub detail: String,
}
