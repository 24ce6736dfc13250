//! What a GET on an address that only takes a form answers. A browser asks for such an address
//! when the user reloads, goes back or forward, or opens it again after a refused post (the
//! refusal was rendered at the address the form posted to); an empty 405 there shows as the
//! browser's own error page. So each of them sends the user to the page whose form posts there,
//! and any other method the service does not take gets the themed 405 page.
//!
//! Nothing here reads or changes a record: the page redirected to checks who asks.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;

use crate::web::{AppState, Visitor, see_other};

/// A path segment that may be put back into an address as it is: the shape of application
/// numbers, requirement ids and record ids. Anything else sends the user one level up.
fn plain(segment: &str) -> bool {
    !segment.is_empty()
        && segment.len() <= 64
        && segment
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// `/profil/koreksi`: the form is on the profile page.
pub async fn correction(State(app): State<AppState>) -> Response {
    see_other(&format!("{}profil#perbaiki-identitas", app.routes.beranda))
}

/// `/salinan-data`: the button is on Layanan Pemohon.
pub async fn copy(State(app): State<AppState>) -> Response {
    see_other(&app.routes.beranda)
}

/// `/hapus-akun/batal`: the button is on Hapus Akun.
pub async fn cancel_deletion(State(app): State<AppState>) -> Response {
    see_other(&format!("{}hapus-akun", app.routes.beranda))
}

/// An upload or a removal on DOKUMEN: back to the requirement's item.
pub async fn document(State(app): State<AppState>, Path((nomor, syarat)): Path<(String, String)>) -> Response {
    if !plain(&nomor) {
        return see_other(&app.routes.beranda);
    }
    let item = if plain(&syarat) {
        format!("#syarat-{syarat}")
    } else {
        String::new()
    };
    see_other(&format!("{}permohonan/{nomor}/dokumen{item}", app.routes.beranda))
}

/// Setujui or Tolak on a registration, a correction; processing a deletion request.
pub async fn registration_decision(State(app): State<AppState>, Path(id): Path<String>) -> Response {
    officer_page(&app, "registrasi", &id)
}

pub async fn correction_decision(State(app): State<AppState>, Path(id): Path<String>) -> Response {
    officer_page(&app, "koreksi", &id)
}

pub async fn erasure_process(State(app): State<AppState>, Path(id): Path<String>) -> Response {
    officer_page(&app, "penghapusan", &id)
}

fn officer_page(app: &AppState, section: &str, id: &str) -> Response {
    let console = format!("{}petugas/", app.routes.beranda);
    if plain(id) {
        see_other(&format!("{console}{section}/{id}"))
    } else {
        see_other(&console)
    }
}

/// Any method an address of the service does not take (a GET on one not listed above, a PUT,
/// a DELETE): the themed page, never an empty 405.
pub async fn method_not_allowed(State(app): State<AppState>, v: Visitor) -> Response {
    app.message(
        &v,
        StatusCode::METHOD_NOT_ALLOWED,
        "Alamat ini hanya menerima formulir",
        "Alamat ini dipakai untuk mengirim formulir dari halamannya, bukan untuk dibuka langsung. \
         Kembali ke halaman sebelumnya, atau buka Layanan Pemohon dari menu.",
    )
}

#[cfg(test)]
mod tests {
    use super::plain;

    #[test]
    fn only_plain_segments_go_back_into_an_address() {
        for ok in ["PRM-7KX9-M2QH", "ktp", "sipi_2", "42"] {
            assert!(plain(ok), "{ok}");
        }
        for refused in ["", "a/b", "..", "x?y", "a#b", "%2F", "é", &"a".repeat(65)] {
            assert!(!plain(refused), "{refused}");
        }
    }
}
