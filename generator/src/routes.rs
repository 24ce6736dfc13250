//! Addresses of the service's pages that the static site links to. They live here, beside the
//! content model, so the site's links and the service's router cannot drift apart: the service
//! mounts these exact paths, and the link checker accepts exactly these under the prefix.

use serde::Serialize;

/// The service's public entry points, under the prefix from `situs.yaml` (`layanan`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceRoutes {
    /// "Registrasi Pemohon".
    pub registrasi: String,
    /// "Masuk".
    pub masuk: String,
    /// "Layanan Pemohon", the applicant's home after login.
    pub beranda: String,
    /// "Cek Status".
    pub cek_status: String,
    /// PERMOHONAN, where an application starts; a permit page links to it with `?izin=<slug>`
    /// (the query is no part of the address the link checker compares).
    pub permohonan_baru: String,
    /// "Keluar": a page with the sign-out button, for the static pages, which cannot hold the
    /// form token that a sign-out posts.
    pub keluar: String,
}

impl ServiceRoutes {
    pub fn new(prefix: &str) -> Self {
        let p = prefix.trim_end_matches('/');
        ServiceRoutes {
            registrasi: format!("{p}/registrasi"),
            masuk: format!("{p}/masuk"),
            beranda: format!("{p}/"),
            cek_status: format!("{p}/cek-status"),
            permohonan_baru: format!("{p}/permohonan/baru"),
            keluar: format!("{p}/keluar"),
        }
    }

    pub fn all(&self) -> [&str; 6] {
        [
            &self.registrasi,
            &self.masuk,
            &self.beranda,
            &self.cek_status,
            &self.permohonan_baru,
            &self.keluar,
        ]
    }
}
