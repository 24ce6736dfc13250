//! One-time confirmations carried across the redirect after a post (the GOV.UK notification
//! banner, success variant): the handler that did something sets a short-lived cookie naming
//! what happened, and the next page rendered shows the banner (`kabar` in every page's context,
//! drawn by `base.html`) and clears the cookie, so a reload does not show it again.
//!
//! The cookie names one of a fixed set of messages, with at most a number whose shape is
//! checked, never text: a forged cookie can only show its holder one of our sentences. So it
//! needs no signature.

use minijinja::{Value, context};

pub const COOKIE: &str = "sicantik_kabar";
/// Long enough for the redirect (and a slow phone), short enough not to greet a later visit.
pub const MAX_AGE_SECONDS: i64 = 120;

/// What just happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flash {
    /// BUAT: the draft exists, with its number (`PRM-XXXX-XXXX`).
    ApplicationCreated(String),
    /// An officer's Setujui on a registration.
    RegistrationApproved,
    /// An officer's Tolak on a registration.
    RegistrationRejected,
}

impl Flash {
    /// The cookie's value: a word, and the number after a dot.
    pub fn encode(&self) -> String {
        match self {
            Flash::ApplicationCreated(nomor) => format!("permohonan_dibuat.{nomor}"),
            Flash::RegistrationApproved => "registrasi_disetujui".into(),
            Flash::RegistrationRejected => "registrasi_ditolak".into(),
        }
    }

    /// The flash a cookie names, or `None` for anything else.
    pub fn decode(value: &str) -> Option<Flash> {
        let (word, nomor) = value.split_once('.').unwrap_or((value, ""));
        match word {
            "permohonan_dibuat" => crate::application::normalise_number(nomor)
                .filter(|n| n == nomor)
                .map(Flash::ApplicationCreated),
            "registrasi_disetujui" if nomor.is_empty() => Some(Flash::RegistrationApproved),
            "registrasi_ditolak" if nomor.is_empty() => Some(Flash::RegistrationRejected),
            _ => None,
        }
    }

    /// The banner's words: a heading and a line.
    pub fn banner(&self) -> Value {
        let (judul, isi) = match self {
            Flash::ApplicationCreated(nomor) => (
                format!("Permohonan {nomor} dibuat"),
                "Permohonan tersimpan sebagai draf. Unggah dokumen persyaratan di bawah ini, lalu periksa dan ajukan."
                    .to_string(),
            ),
            Flash::RegistrationApproved => (
                "Registrasi disetujui".to_string(),
                "Akun pemohon aktif. Surel berisi nama pengguna dan tautan untuk membuat kata sandi telah dikirim kepada pemohon."
                    .to_string(),
            ),
            Flash::RegistrationRejected => (
                "Registrasi ditolak".to_string(),
                "Surel berisi alasan penolakan telah dikirim kepada pemohon.".to_string(),
            ),
        };
        context! { judul => judul, isi => isi }
    }
}

#[cfg(test)]
mod tests {
    use super::Flash;

    #[test]
    fn a_flash_reads_back_and_nothing_else_reads_as_one() {
        for f in [
            Flash::ApplicationCreated("PRM-7KX9-M2QH".into()),
            Flash::RegistrationApproved,
            Flash::RegistrationRejected,
        ] {
            assert_eq!(Flash::decode(&f.encode()), Some(f));
        }
        for other in [
            "",
            "permohonan_dibuat",
            "permohonan_dibuat.<script>",
            "permohonan_dibuat.prm7kx9m2qh",
            "registrasi_disetujui.x",
            "lain",
        ] {
            assert_eq!(Flash::decode(other), None, "{other}");
        }
    }
}
