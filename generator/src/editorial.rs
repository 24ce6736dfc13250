//! What editors still have to check before the site states only what the office itself
//! publishes: requirement lists that follow another office's standard, regulation statuses not
//! confirmed on JDIH, contact details not yet known. `sicantik check` prints these as notes, never
//! as problems (committed content with open items still passes); the public pages carry none of
//! the editors' wording, only the one plain sentence a permit page owes its reader.

use std::path::Path;

use crate::error::Problem;
use crate::frontmatter;
use crate::locate::Locator;
use crate::model::Content;

/// Every unverified item, as `file:line:column: message` notes sorted by file and line.
/// `content_dir` is where `situs.yaml` stands (the settings carry no source of their own).
pub fn unverified(content: &Content, content_dir: &Path) -> Vec<Problem> {
    let mut notes = Vec::new();
    let office = format!("{} {}", content.situs.singkatan_unit, content.situs.instansi);
    for p in &content.izin {
        let Some(s) = p.unverified_source() else {
            continue;
        };
        let pos = front_matter_locator(&p.source.path).key("sumber_persyaratan");
        let mut msg = format!(
            "persyaratan \"{}\" mengikuti {}; belum dicocokkan dengan standar pelayanan {office}",
            p.nama, s.standar
        );
        if let Some(c) = &s.catatan {
            msg.push_str(&format!("; catatan: {c}"));
        }
        notes.push(Problem::new(&p.source.path, pos.line, pos.column, msg));
    }
    for r in content.peraturan.iter().filter(|r| !r.status_terverifikasi) {
        let pos = front_matter_locator(&r.source.path).key("status_terverifikasi");
        let msg = format!(
            "status \"{}\" {} belum dipastikan pada JDIH resmi",
            r.status.as_str(),
            r.label()
        );
        notes.push(Problem::new(&r.source.path, pos.line, pos.column, msg));
    }
    let k = &content.situs.kontak;
    let missing: Vec<&str> = [
        ("alamat", k.alamat.is_none()),
        ("telepon", k.telepon.is_none()),
        ("email", k.email.is_none()),
        ("jam_layanan", k.jam_layanan.is_none()),
    ]
    .into_iter()
    .filter_map(|(key, absent)| absent.then_some(key))
    .collect();
    if !missing.is_empty() {
        let path = content_dir.join("situs.yaml");
        let pos = std::fs::read_to_string(&path)
            .map(|t| Locator::new(&t, 1).key("kontak"))
            .map(|p| (p.line, p.column))
            .unwrap_or((1, 1));
        let msg = format!(
            "kontak kantor belum memuat {}; kaki halaman hanya menampilkan yang diisi",
            missing.join(", ")
        );
        notes.push(Problem::new(path, pos.0, pos.1, msg));
    }
    notes.sort();
    notes
}

/// Positions in a content file's front matter; only read when there is a note to place.
fn front_matter_locator(path: &Path) -> Locator {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|t| frontmatter::split(&t).ok().map(|s| Locator::new(s.yaml, s.yaml_line)))
        .unwrap_or_default()
}
