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
}

impl ServiceRoutes {
    pub fn new(prefix: &str) -> Self {
        let p = prefix.trim_end_matches('/');
        ServiceRoutes {
            registrasi: format!("{p}/registrasi"),
            masuk: format!("{p}/masuk"),
            beranda: format!("{p}/"),
            cek_status: format!("{p}/cek-status"),
        }
    }

    pub fn all(&self) -> [&str; 4] {
        [&self.registrasi, &self.masuk, &self.beranda, &self.cek_status]
    }
}
