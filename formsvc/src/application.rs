//! Permit applications: their statuses (one list, with the Indonesian names users read), their
//! numbers, and the requirement list an application keeps from the permit it was made for.

use rand::Rng;
use serde::{Deserialize, Serialize};

/// Where an application stands. The words are stored; the labels are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Made with BUAT; documents are being uploaded.
    Draf,
    /// Submitted with "Ajukan"; waiting for an officer.
    Diajukan,
    /// Documents verified; accepted for processing.
    Diproses,
    /// Sent back to the applicant for correction.
    Perbaikan,
    Ditolak,
    /// The permit was issued.
    Selesai,
}

impl Status {
    pub const ALL: [Status; 6] = [
        Status::Draf,
        Status::Diajukan,
        Status::Diproses,
        Status::Perbaikan,
        Status::Ditolak,
        Status::Selesai,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Draf => "draf",
            Status::Diajukan => "diajukan",
            Status::Diproses => "diproses",
            Status::Perbaikan => "perbaikan",
            Status::Ditolak => "ditolak",
            Status::Selesai => "selesai",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Draf => "Draf (belum diajukan)",
            Status::Diajukan => "Diajukan, menunggu verifikasi",
            Status::Diproses => "Dokumen terverifikasi, sedang diproses",
            Status::Perbaikan => "Perlu perbaikan",
            Status::Ditolak => "Ditolak",
            Status::Selesai => "Selesai, izin terbit",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// The audit action word of an officer's move to this status.
    pub fn audit_action(self) -> &'static str {
        match self {
            Status::Draf => "permohonan_draf",
            Status::Diajukan => "permohonan_diajukan",
            Status::Diproses => "permohonan_diproses",
            Status::Perbaikan => "permohonan_perbaikan",
            Status::Ditolak => "permohonan_ditolak",
            Status::Selesai => "permohonan_selesai",
        }
    }

    /// Whether the applicant may still change documents.
    pub fn editable(self) -> bool {
        matches!(self, Status::Draf | Status::Perbaikan)
    }

    /// The officer actions that may follow this status.
    pub fn can_become(self, next: Status) -> bool {
        use Status::*;
        matches!(
            (self, next),
            (Draf, Diajukan)
                | (Perbaikan, Diajukan)
                | (Diajukan, Diproses)
                | (Diajukan, Perbaikan)
                | (Diajukan, Ditolak)
                | (Diproses, Selesai)
                | (Diproses, Ditolak)
        )
    }
}

/// Letters and digits that cannot be mistaken for each other when read aloud or typed
/// (no 0/O, no 1/I/L).
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// "PRM-7KX9-M2QH": 8 random symbols (about 39 bits), grouped for reading aloud.
pub fn new_number() -> String {
    let mut rng = rand::rng();
    let mut s = String::from("PRM-");
    for i in 0..8 {
        if i == 4 {
            s.push('-');
        }
        s.push(ALPHABET[rng.random_range(0..ALPHABET.len())] as char);
    }
    s
}

/// Normalises what a user typed as an application number: case, spaces, and the letters people
/// confuse (O→0 is not in the alphabet, so O, I and L are read as the digits they look like).
pub fn normalise_number(input: &str) -> Option<String> {
    let cleaned: String = input
        .trim()
        .to_uppercase()
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let body = cleaned.strip_prefix("PRM")?;
    if body.len() != 8 || !body.bytes().all(|b| ALPHABET.contains(&b)) {
        return None;
    }
    Some(format!("PRM-{}-{}", &body[..4], &body[4..]))
}

/// A requirement as an application keeps it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct KeptRequirement {
    pub id: String,
    pub nama: String,
    pub wajib: bool,
    /// `pdf`, `jpg`, `png`, `zip`.
    pub format: Vec<String>,
    pub ukuran_maks_mb: u32,
    pub keterangan: Option<String>,
}

impl KeptRequirement {
    pub fn format_label(&self) -> String {
        self.format
            .iter()
            .map(|f| f.to_uppercase())
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn max_bytes(&self) -> u64 {
        u64::from(self.ukuran_maks_mb) * 1024 * 1024
    }
}

/// The requirements of `permit` for this applicant type and kind, as the application keeps them.
pub fn keep_requirements(
    permit: &generator::Permit,
    who: generator::ApplicantType,
    kind: generator::ApplicationKind,
) -> Vec<KeptRequirement> {
    permit
        .requirements_for(who, kind)
        .map(|r| KeptRequirement {
            id: r.id.clone(),
            nama: r.nama.clone(),
            wajib: r.wajib,
            format: r.format.iter().map(|f| f.as_str().to_string()).collect(),
            ukuran_maks_mb: r.ukuran_maks_mb,
            keterangan: r.keterangan.clone(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_readable_and_typed_back_in_any_case_or_spacing() {
        for _ in 0..200 {
            let n = new_number();
            assert_eq!(n.len(), 13);
            assert!(!n[4..].contains(['0', 'O', '1', 'I', 'L']), "{n}");
            assert_eq!(normalise_number(&n.to_lowercase().replace('-', " ")), Some(n.clone()));
        }
        assert_eq!(normalise_number("PRM-0000-0000"), None);
        assert_eq!(normalise_number("REG-2026-000001"), None);
    }

    #[test]
    fn statuses_move_only_along_the_review_path() {
        assert!(Status::Draf.can_become(Status::Diajukan));
        assert!(Status::Perbaikan.can_become(Status::Diajukan));
        assert!(!Status::Draf.can_become(Status::Selesai));
        assert!(!Status::Selesai.can_become(Status::Diproses));
        assert!(!Status::Ditolak.can_become(Status::Diajukan));
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
    }
}
