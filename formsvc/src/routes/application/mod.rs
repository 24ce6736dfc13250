//! PERMOHONAN for the applicant: choose the permit and applicant type, fill PEMOHON and
//! PERUSAHAAN, read PERSYARATAN, BUAT; then DOKUMEN (one upload per requirement), the "check
//! your answers" summary and "Ajukan"; and the application's page with its timeline.
//!
//! One module per page; what several pages need to show an application's requirements lives
//! here, and the pages import nothing from each other.

mod detail;
mod documents;
mod download;
mod form;
mod submit;

use std::collections::HashMap;

use minijinja::{Value, context};

pub use self::detail::detail;
pub use self::documents::{documents_page, remove, upload};
pub use self::download::download;
pub use self::form::{create, new_form};
pub use self::submit::{check_answers, submit};
use crate::application::KeptRequirement;
use crate::error::{Error, Result};
use crate::records::ApplicationRecord;
use crate::routes::views::DocumentView;
use crate::web::AppState;

/// The application `nomor` if it belongs to `applicant_id` (otherwise "not found": another
/// applicant's number reveals nothing).
async fn owned(app: &AppState, nomor: &str, applicant_id: i64) -> Result<ApplicationRecord> {
    app.store
        .application_of(nomor, applicant_id)
        .await?
        .ok_or(Error::NotFound)
}

fn requirement_view(r: &KeptRequirement) -> Value {
    context! {
        id => r.id, nama => r.nama, wajib => r.wajib, format_label => r.format_label(),
        ukuran_maks_mb => r.ukuran_maks_mb, keterangan => r.keterangan, accept => r.format.iter().map(|f| match f.as_str() {
            "pdf" => ".pdf,application/pdf",
            "jpg" => ".jpg,.jpeg,image/jpeg",
            "png" => ".png,image/png",
            _ => ".zip,application/zip",
        }).collect::<Vec<_>>().join(","),
    }
}

fn requirement_rows(a: &ApplicationRecord, docs: &HashMap<String, DocumentView>) -> Vec<Value> {
    a.persyaratan
        .iter()
        .map(|r| context! { syarat => requirement_view(r), dokumen => docs.get(&r.id) })
        .collect()
}

fn missing_required(a: &ApplicationRecord, docs: &HashMap<String, DocumentView>) -> Vec<String> {
    a.persyaratan
        .iter()
        .filter(|r| r.wajib && !docs.contains_key(&r.id))
        .map(|r| r.nama.clone())
        .collect()
}
