//! The audit trail's words: the store writes each line in the same transaction as the change it
//! records; the console shows them to officers of the same instansi in Indonesian. Every action
//! word written anywhere has its label in `ACTIONS` (a test reads the store's sources to see).

/// Every action word the store writes, with the words the console shows for it.
pub const ACTIONS: &[(&str, &str)] = &[
    ("registrasi_masuk", "Registrasi diterima"),
    ("registrasi_disetujui", "Registrasi disetujui"),
    ("registrasi_ditolak", "Registrasi ditolak"),
    ("sandi_diatur", "Kata sandi diatur"),
    ("sandi_direset", "Tautan atur ulang kata sandi dikirim"),
    ("profil_diubah", "Data kontak diubah"),
    ("petugas_dibuat", "Akun petugas dibuat"),
    ("petugas_dinonaktifkan", "Akun petugas dinonaktifkan"),
    ("verifikasi_dua_langkah_aktif", "Verifikasi dua langkah diaktifkan"),
    ("kode_pemulihan_dipakai", "Kode pemulihan dipakai untuk masuk"),
    ("verifikasi_dua_langkah_direset", "Verifikasi dua langkah direset"),
    ("petugas_admin", "Hak admin petugas diubah"),
    ("retensi_dihapus", "Dihapus sesuai jadwal retensi"),
    ("hapus_akun_diajukan", "Permintaan penghapusan akun diajukan"),
    ("hapus_akun_dibatalkan", "Permintaan penghapusan akun dibatalkan"),
    ("hapus_akun_diproses", "Akun dihapus atas permintaan pemohon"),
    (
        "koreksi_identitas_diajukan",
        "Perbaikan nama atau nomor identitas diajukan",
    ),
    (
        "koreksi_identitas_disetujui",
        "Perbaikan nama atau nomor identitas disetujui",
    ),
    (
        "koreksi_identitas_ditolak",
        "Perbaikan nama atau nomor identitas ditolak",
    ),
    ("permohonan_dibuat", "Permohonan dibuat (BUAT)"),
    ("permohonan_diubah", "Data permohonan diubah (NIB, PEMOHON, PERUSAHAAN)"),
    ("dokumen_diunggah", "Dokumen diunggah"),
    ("dokumen_diganti", "Dokumen diganti"),
    ("dokumen_dihapus", "Dokumen dihapus"),
    ("permohonan_draf", "Permohonan kembali menjadi draf"),
    ("permohonan_diajukan", "Permohonan diajukan (Ajukan)"),
    ("permohonan_diproses", "Dokumen diverifikasi, permohonan diproses"),
    ("permohonan_perbaikan", "Permohonan dikembalikan untuk perbaikan"),
    ("permohonan_ditolak", "Permohonan ditolak"),
    ("permohonan_selesai", "Permohonan selesai, izin terbit"),
    ("permohonan_ditangani", "Permohonan ditangani petugas"),
];

/// The Indonesian words for an action, as the console shows them. A word the table does not
/// know (a line written by a newer release, read by an older one) is not shown raw.
pub fn action_label(action: &str) -> &'static str {
    ACTIONS
        .iter()
        .find(|(word, _)| *word == action)
        .map_or("Tindakan lain", |(_, label)| label)
}

/// Who did it, in words: the kinds the store writes (`pemohon`, `petugas`, `sistem`).
pub fn actor_kind_label(kind: &str) -> &'static str {
    match kind {
        "pemohon" => "Pemohon",
        "petugas" => "Petugas",
        "sistem" => "Sistem",
        _ => "Lainnya",
    }
}

/// The detail of a line about one document: the requirement by the name the application
/// keeps (its `persyaratan_json`), not by its id.
pub fn requirement_detail(persyaratan_json: &str, requirement_id: &str) -> Result<String, serde_json::Error> {
    let kept: Vec<crate::application::KeptRequirement> = serde_json::from_str(persyaratan_json)?;
    let name = kept
        .iter()
        .find(|r| r.id == requirement_id)
        .map_or(requirement_id, |r| r.nama.as_str());
    Ok(format!("Persyaratan: {name}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::application::Status;

    /// Regression: the console showed `permohonan_diproses` as it is stored. Every action word
    /// in the sources that write audit lines must have its label.
    #[test]
    fn every_action_the_store_writes_has_an_indonesian_label() {
        let sources = [
            include_str!("store/sqlite/accounts.rs"),
            include_str!("store/sqlite/registrations.rs"),
            include_str!("store/sqlite/officers.rs"),
            include_str!("store/sqlite/second_factor.rs"),
            include_str!("store/sqlite/retention.rs"),
            include_str!("store/sqlite/rights.rs"),
            include_str!("store/sqlite/review.rs"),
            include_str!("store/sqlite/documents.rs"),
            include_str!("store/sqlite/applications.rs"),
            include_str!("store/postgres/accounts.rs"),
            include_str!("store/postgres/registrations.rs"),
            include_str!("store/postgres/officers.rs"),
            include_str!("store/postgres/second_factor.rs"),
            include_str!("store/postgres/retention.rs"),
            include_str!("store/postgres/rights.rs"),
            include_str!("store/postgres/review.rs"),
            include_str!("store/postgres/applications.rs"),
        ];
        let mut words: Vec<String> = Status::ALL.iter().map(|s| s.audit_action().to_string()).collect();
        for src in sources {
            for (i, _) in src.match_indices("action: \"") {
                let rest = &src[i + "action: \"".len()..];
                words.push(rest[..rest.find('"').expect("closing quote")].to_string());
            }
            // Lines written through a helper name their action as an argument.
            for call in ["_line(tx, ", "_line(&tx, ", "command_on_officer(", "applicant_audit("] {
                for (i, _) in src.match_indices(call) {
                    let rest = &src[i..];
                    if let Some(q) = rest.find('"').filter(|q| *q < 100) {
                        let word = &rest[q + 1..];
                        words.push(word[..word.find('"').expect("closing quote")].to_string());
                    }
                }
            }
        }
        for w in &words {
            assert!(
                ACTIONS.iter().any(|(word, _)| word == w),
                "the audit action {w:?} has no label in audit::ACTIONS"
            );
        }
        assert!(words.len() > 20, "the scan found the actions: {words:?}");
    }

    #[test]
    fn an_unknown_word_is_never_shown_raw() {
        assert_eq!(
            action_label("permohonan_diproses"),
            "Dokumen diverifikasi, permohonan diproses"
        );
        assert_eq!(action_label("sesuatu_baru"), "Tindakan lain");
    }
}
