//! The audit trail's words: the store writes each line in the same transaction as the change it
//! records; the console shows them to officers of the same instansi in Indonesian.

/// The Indonesian words for an action, as the console shows them.
pub fn action_label(action: &str) -> &str {
    match action {
        "registrasi_masuk" => "Registrasi diterima",
        "registrasi_disetujui" => "Registrasi disetujui",
        "registrasi_ditolak" => "Registrasi ditolak",
        "sandi_diatur" => "Kata sandi diatur",
        "sandi_direset" => "Tautan atur ulang kata sandi dikirim",
        "profil_diubah" => "Data kontak diubah",
        "petugas_dibuat" => "Akun petugas dibuat",
        "petugas_dinonaktifkan" => "Akun petugas dinonaktifkan",
        "verifikasi_dua_langkah_aktif" => "Verifikasi dua langkah diaktifkan",
        "kode_pemulihan_dipakai" => "Kode pemulihan dipakai untuk masuk",
        "verifikasi_dua_langkah_direset" => "Verifikasi dua langkah direset",
        "petugas_admin" => "Hak admin petugas diubah",
        "retensi_dihapus" => "Dihapus sesuai jadwal retensi",
        "hapus_akun_diajukan" => "Permintaan penghapusan akun diajukan",
        "hapus_akun_dibatalkan" => "Permintaan penghapusan akun dibatalkan",
        "hapus_akun_diproses" => "Akun dihapus atas permintaan pemohon",
        "koreksi_identitas_diajukan" => "Perbaikan nama atau nomor identitas diajukan",
        "koreksi_identitas_disetujui" => "Perbaikan nama atau nomor identitas disetujui",
        "koreksi_identitas_ditolak" => "Perbaikan nama atau nomor identitas ditolak",
        other => other,
    }
}
