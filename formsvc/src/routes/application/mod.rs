//! PERMOHONAN for the applicant: choose the permit and applicant type, fill PEMOHON and
//! PERUSAHAAN, read PERSYARATAN, BUAT; then DOKUMEN (one upload per requirement), the "check
//! your answers" summary with "Ubah" on each answer and "Ajukan"; and the application's page
//! with its timeline.
//!
//! One module per page; what several pages need to show an application's requirements lives
//! here, and the pages import nothing from each other.

mod detail;
mod documents;
mod download;
mod edit;
mod form;
mod submit;

use std::collections::HashMap;

use generator::ApplicantType;
use minijinja::{Value, context};

pub use self::detail::detail;
pub use self::documents::{documents_page, remove, upload};
pub use self::download::download;
pub use self::edit::{edit_form, save as save_details};
pub use self::form::{create, new_form};
pub use self::submit::{check_answers, submit};
use crate::application::KeptRequirement;
use crate::domain::{Email, Nib, Npwp, PersonName, PhoneNumber, TelephoneNumber};
use crate::error::{Error, Result};
use crate::form::FormCheck;
use crate::records::{ApplicationDetails, ApplicationRecord, Pemohon, Perusahaan};
use crate::routes::views::DocumentView;
use crate::web::AppState;

/// NIB, PEMOHON and PERUSAHAAN from the fields of PERMOHONAN (BUAT) or of its correction
/// ("Ubah"): one set of rules and messages for both. `None` when a field was refused (the
/// message is in `f`); PERUSAHAAN only for a company.
fn parse_details(f: &mut FormCheck, who: Option<ApplicantType>) -> Option<ApplicationDetails> {
    let company = who == Some(ApplicantType::Perusahaan);
    let nib = if company {
        f.required("nib", "Isi No Register dengan NIB perusahaan (13 digit).", Nib::parse)
            .map(Some)
    } else {
        f.optional("nib", Nib::parse)
    };
    let nama = f.required("pemohon_nama", "Masukkan nama pemohon.", PersonName::parse);
    let identitas = f.text("pemohon_identitas", "nomor identitas", 6, 20);
    let telepon = f.required(
        "pemohon_telepon",
        "Masukkan nomor handphone pemohon.",
        PhoneNumber::parse,
    );
    let email = f.required("pemohon_email", "Masukkan alamat surel pemohon.", Email::parse);
    let alamat = f.text("pemohon_alamat", "alamat pemohon", 5, 200);
    let perusahaan = if company {
        let pn = f.text("perusahaan_nama", "nama perusahaan", 2, 150);
        let pnpwp = f.required("perusahaan_npwp", "Masukkan NPWP perusahaan.", Npwp::parse);
        let pa = f.text("perusahaan_alamat", "alamat perusahaan", 5, 200);
        let pt = f.required(
            "perusahaan_telepon",
            "Masukkan nomor telepon perusahaan, misalnya (0711) 352123.",
            TelephoneNumber::parse,
        );
        let pe = f.required("perusahaan_email", "Masukkan alamat surel perusahaan.", Email::parse);
        match (pn, pnpwp, pa, pt, pe) {
            (Some(n), Some(np), Some(a), Some(t), Some(e)) => Some(Some(Perusahaan::new(n, &np, a, &t, &e))),
            _ => None,
        }
    } else {
        Some(None)
    };
    Some(ApplicationDetails {
        nib: nib?,
        pemohon: Pemohon::new(&nama?, identitas?, &telepon?, &email?, alamat?),
        perusahaan: perusahaan?,
    })
}

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

/// Where a requirement stands on DOKUMEN, as its tag says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DocState {
    NotUploaded,
    Uploaded,
    /// The officer's note is not answered yet by a new file.
    NeedsCorrection,
}

impl DocState {
    fn of(doc: Option<&DocumentView>) -> DocState {
        match doc {
            None => DocState::NotUploaded,
            Some(d) if d.catatan.is_some() && !d.catatan_dijawab => DocState::NeedsCorrection,
            Some(_) => DocState::Uploaded,
        }
    }

    /// The tag's class suffix (`tag-…`) and its text.
    fn tag(self) -> (&'static str, &'static str) {
        match self {
            DocState::NotUploaded => ("belum", "Belum diunggah"),
            DocState::Uploaded => ("sudah", "Sudah diunggah"),
            DocState::NeedsCorrection => ("perbaikan", "Perlu perbaikan"),
        }
    }
}

fn requirement_rows(a: &ApplicationRecord, docs: &HashMap<String, DocumentView>) -> Vec<Value> {
    a.persyaratan
        .iter()
        .map(|r| {
            let (kelas, label) = DocState::of(docs.get(&r.id)).tag();
            context! {
                syarat => requirement_view(r), dokumen => docs.get(&r.id),
                status => context! { kelas => kelas, label => label },
            }
        })
        .collect()
}

/// DOKUMEN's count: how many of the required documents are uploaded, of how many, and how
/// many documents still wait for a correction.
fn progress(a: &ApplicationRecord, docs: &HashMap<String, DocumentView>) -> Value {
    let required = a.persyaratan.iter().filter(|r| r.wajib);
    let states = a.persyaratan.iter().map(|r| DocState::of(docs.get(&r.id)));
    context! {
        wajib => required.clone().count(),
        wajib_terunggah => required.filter(|r| docs.contains_key(&r.id)).count(),
        perlu_perbaikan => states.filter(|s| *s == DocState::NeedsCorrection).count(),
    }
}

/// The required documents not uploaded yet, each with its id for the link to its item.
fn missing_required(a: &ApplicationRecord, docs: &HashMap<String, DocumentView>) -> Vec<Value> {
    a.persyaratan
        .iter()
        .filter(|r| r.wajib && !docs.contains_key(&r.id))
        .map(|r| context! { id => r.id, nama => r.nama })
        .collect()
}
