//! The processing record as people read it: Riwayat akses data in Layanan Pemohon, the copy of
//! the applicant's data, and the data protection officer's export all say the same thing in
//! the same words, made here from the store's ids.

use std::collections::HashMap;

use serde::Serialize;

use crate::clock::format_wib;
use crate::error::Result;
use crate::records::{AccessEntry, AccessKind, ApplicationRecord};
use crate::store::Store;

/// One look at an applicant's data, in words.
#[derive(Debug, Clone, Serialize)]
pub struct AccessLine {
    /// Seconds since the Unix epoch, for machines.
    pub at: i64,
    /// "29 November 2026 pukul 15.04 WIB".
    pub waktu: String,
    pub petugas: String,
    pub unit: String,
    /// What the officer did: "Melihat dokumen", …
    pub tindakan: &'static str,
    /// What they opened: "Data registrasi", "Permohonan PRM-…", a document's name.
    pub sasaran: String,
    /// The ids behind the words, for the data protection officer.
    pub officer_id: i64,
    pub kind: &'static str,
    pub application_nomor: Option<String>,
    pub document_id: Option<i64>,
    pub requirement_id: Option<String>,
}

/// What an entry names, with the requirement's name from the application's own list (the
/// list it was made with, so a later edit of the permit does not rename what was seen).
fn target(e: &AccessEntry, apps: &HashMap<i64, &ApplicationRecord>) -> String {
    let nomor = e.application_nomor.clone().unwrap_or_default();
    match e.kind {
        AccessKind::Registrasi => "Data registrasi pemohon".to_string(),
        AccessKind::Permohonan => format!("Permohonan {nomor}"),
        AccessKind::UnduhDokumen | AccessKind::LihatDokumen => {
            let req = e.requirement_id.as_deref().unwrap_or_default();
            let nama = e
                .application_id
                .and_then(|id| apps.get(&id))
                .and_then(|a| a.persyaratan.iter().find(|r| r.id == req))
                .map_or_else(|| req.to_string(), |r| r.nama.clone());
            format!("{nama} (permohonan {nomor})")
        }
    }
}

/// The lines of `entries`, named with the applicant's applications `apps`.
pub fn lines(entries: &[AccessEntry], apps: &[ApplicationRecord]) -> Vec<AccessLine> {
    let by_id: HashMap<i64, &ApplicationRecord> = apps.iter().map(|a| (a.id, a)).collect();
    entries
        .iter()
        .map(|e| AccessLine {
            at: e.at,
            waktu: format_wib(e.at),
            petugas: e.officer_nama.clone(),
            unit: e.officer_unit.clone(),
            tindakan: e.kind.label(),
            sasaran: target(e, &by_id),
            officer_id: e.officer_id,
            kind: e.kind.as_str(),
            application_nomor: e.application_nomor.clone(),
            document_id: e.document_id,
            requirement_id: e.requirement_id.clone(),
        })
        .collect()
}

/// The record of one applicant, newest first, at most `limit` lines.
pub async fn of(store: &dyn Store, applicant_id: i64, limit: i64) -> Result<Vec<AccessLine>> {
    let entries = store.access_of(applicant_id, limit).await?;
    let apps = store.applications_of(applicant_id).await?;
    Ok(lines(&entries, &apps))
}

/// A CSV cell: quoted, and a leading = + - @ neutralised so spreadsheets do not run it.
fn cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// The data protection officer's export: the whole record of every applicant `login` names
/// (a username or an email), as CSV with a header, newest first per applicant. `None` when
/// no applicant has that name.
pub async fn export_csv(store: &dyn Store, login: &str) -> Result<Option<String>> {
    let ids = store.applicants_named(login.trim()).await?;
    if ids.is_empty() {
        return Ok(None);
    }
    let mut out = String::from(
        "applicant_id,at,waktu,officer_id,petugas,unit,kind,tindakan,sasaran,application_nomor,document_id,requirement_id\r\n",
    );
    for id in ids {
        for l in of(store, id, i64::MAX).await? {
            let line = [
                id.to_string(),
                l.at.to_string(),
                cell(&l.waktu),
                l.officer_id.to_string(),
                cell(&l.petugas),
                cell(&l.unit),
                l.kind.to_string(),
                cell(l.tindakan),
                cell(&l.sasaran),
                cell(l.application_nomor.as_deref().unwrap_or("")),
                l.document_id.map(|d| d.to_string()).unwrap_or_default(),
                cell(l.requirement_id.as_deref().unwrap_or("")),
            ]
            .join(",");
            out.push_str(&line);
            out.push_str("\r\n");
        }
    }
    Ok(Some(out))
}
