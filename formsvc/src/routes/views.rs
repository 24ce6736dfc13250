//! How stored records look on the pages: the template values of an application, its
//! documents and its timeline, shared by the applicant's pages, the officers' pages and
//! Cek Status. No route module depends on another; they all use this one.

use std::collections::HashMap;

use minijinja::{Value, context};

use crate::application::{KeptRequirement, Status};
use crate::clock::format_wib;
use crate::error::Result;
use crate::records::{ApplicationRecord, DocumentRecord, EventRecord, Perusahaan};
use crate::web::AppState;

/// One application as its pages show it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ApplicationView {
    pub id: i64,
    pub nomor: String,
    pub applicant_id: i64,
    pub permit_slug: String,
    pub permit_nama: String,
    pub instansi: String,
    pub unit: String,
    /// The Indonesian label of the kind (Baru, Perpanjangan, …).
    pub jenis_permohonan: String,
    /// The Indonesian label of the applicant type.
    pub tipe_pemohon: String,
    pub nib: Option<String>,
    pub pemohon: crate::records::Pemohon,
    pub perusahaan: Option<Perusahaan>,
    pub persyaratan: Vec<KeptRequirement>,
    pub status: &'static str,
    pub status_label: &'static str,
    pub dibuat: String,
    pub diajukan: Option<String>,
    /// The officer who took it ("Saya tangani").
    pub ditangani: Option<String>,
}

impl ApplicationView {
    pub fn of(a: &ApplicationRecord) -> ApplicationView {
        ApplicationView {
            id: a.id,
            nomor: a.nomor.clone(),
            applicant_id: a.applicant_id,
            permit_slug: a.permit_slug.clone(),
            permit_nama: a.permit_nama.clone(),
            instansi: a.instansi.clone(),
            unit: a.unit.clone(),
            jenis_permohonan: a.kind.label().to_string(),
            tipe_pemohon: a.who.label().to_string(),
            nib: a.nib.clone(),
            pemohon: a.pemohon.clone(),
            perusahaan: a.perusahaan.clone(),
            persyaratan: a.persyaratan.clone(),
            status: a.status.as_str(),
            status_label: a.status.label(),
            dibuat: format_wib(a.created_at),
            diajukan: a.submitted_at.map(format_wib),
            ditangani: a.handled_by.clone(),
        }
    }
}

/// An uploaded document as its pages show it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct DocumentView {
    pub id: i64,
    /// For links: `berkas/<alamat>`.
    pub alamat: String,
    pub requirement_id: String,
    pub original_name: String,
    pub content_type: String,
    pub size_label: String,
    pub sha256: String,
    pub uploaded: String,
    /// The officer's note from the last send-back.
    pub catatan: Option<String>,
    /// The file was replaced after the note: the note shows as answered.
    pub catatan_dijawab: bool,
}

fn size_label(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0)).replace('.', ",")
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

impl DocumentView {
    /// `sent_back_at`: when the application was last sent back for correction.
    pub fn of_since(d: &DocumentRecord, sent_back_at: Option<i64>) -> DocumentView {
        DocumentView {
            catatan_dijawab: d.catatan_dijawab
                || (d.catatan.is_some() && sent_back_at.is_some_and(|t| d.uploaded_at > t)),
            ..DocumentView::of(d)
        }
    }

    pub fn of(d: &DocumentRecord) -> DocumentView {
        DocumentView {
            id: d.id,
            alamat: d.alamat.clone(),
            requirement_id: d.requirement_id.clone(),
            original_name: d.original_name.clone(),
            content_type: d.content_type.clone(),
            size_label: size_label(d.size),
            sha256: d.sha256.clone(),
            uploaded: format_wib(d.uploaded_at),
            catatan: d.catatan.clone(),
            catatan_dijawab: d.catatan_dijawab,
        }
    }
}

/// The documents of an application, by requirement id.
pub async fn documents(app: &AppState, application_id: i64) -> Result<HashMap<String, DocumentView>> {
    let docs = app.store.documents(application_id).await?;
    // Only a document with a note needs to know when the last send-back was.
    let sent_back_at = if docs.iter().any(|d| d.catatan.is_some()) {
        app.store
            .timeline(application_id)
            .await?
            .iter()
            .filter(|e| e.to_status == Status::Perbaikan)
            .map(|e| e.at)
            .max()
    } else {
        None
    };
    Ok(docs
        .iter()
        .map(|d| (d.requirement_id.clone(), DocumentView::of_since(d, sent_back_at)))
        .collect())
}

fn event_view(e: &EventRecord) -> Value {
    // A send-back note is the general note and one line per document; older rows hold it as
    // one line. `catatan_baris` is for a list, `catatan` for pages that print one line.
    let lines: Vec<&str> = e
        .note
        .as_deref()
        .unwrap_or("")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    context! {
        waktu => format_wib(e.at),
        oleh => if e.actor_kind == "petugas" { format!("{} (petugas)", e.actor_label) } else { "Pemohon".to_string() },
        status => e.to_status.label(),
        catatan => (!lines.is_empty()).then(|| lines.join("; ")),
        catatan_baris => lines,
    }
}

/// The history of an application, oldest first.
pub async fn timeline(app: &AppState, application_id: i64) -> Result<Vec<Value>> {
    Ok(app
        .store
        .timeline(application_id)
        .await?
        .iter()
        .map(event_view)
        .collect())
}

/// The history for the public (Cek Status): dates and statuses, no names or notes.
pub async fn public_timeline(app: &AppState, application_id: i64) -> Result<Vec<Value>> {
    Ok(app
        .store
        .timeline(application_id)
        .await?
        .iter()
        .map(|e| context! { waktu => format_wib(e.at), status => e.to_status.label() })
        .collect())
}

/// "Layanan Pemohon"'s list of applications.
pub async fn applications_of(app: &AppState, applicant_id: i64) -> Result<Vec<Value>> {
    Ok(app
        .store
        .applications_of(applicant_id)
        .await?
        .iter()
        .map(|a| Value::from_serialize(ApplicationView::of(a)))
        .collect())
}

/// The signed-in applicant's record; an account no longer active has no Layanan Pemohon.
pub async fn active_applicant(app: &AppState, id: i64) -> Result<crate::records::Applicant> {
    app.store.profile(id).await?.ok_or(crate::error::Error::NotFound)
}
