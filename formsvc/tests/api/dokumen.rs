//! DOKUMEN as the applicant reads it: a task list with one status tag per requirement, the
//! count of required documents uploaded, and the officer's note kept after the file that
//! answers it replaced the one it was about.

use crate::applications::{RUMPON, create, nomor_of, pdf, png, setup};
use crate::helpers::*;

/// The HTML of the requirement `id`'s item on DOKUMEN.
fn item<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page
        .find(&format!("<li id=\"syarat-{id}\">"))
        .unwrap_or_else(|| panic!("no item for {id} in {page}"));
    let end = page[start..].find("</li>").map_or(page.len(), |e| start + e);
    &page[start..end]
}

/// The text of the status tag of requirement `id`.
fn tag<'a>(page: &'a str, id: &str) -> &'a str {
    let it = item(page, id);
    let open = format!("id=\"status-{id}\">");
    let start = it.find(&open).unwrap_or_else(|| panic!("no status tag in {it}")) + open.len();
    let end = it[start..].find("</strong>").expect("tag end");
    &it[start..start + end]
}

/// Regression (issue 8, items 4 and 14): the requirements were painted squares that stayed
/// empty after an upload, and the officer's note vanished once the file was replaced.
#[test]
fn dokumen_tags_each_requirement_counts_the_required_ones_and_keeps_the_answered_note() {
    let app = spawn_app();
    let (b, officer) = setup(&app);
    let nomor = nomor_of(&create(&b, RUMPON, "perorangan", &[]));
    let path = format!("/layanan/permohonan/{nomor}/dokumen");
    let all = [
        "surat-permohonan",
        "sipi",
        "ktp-penanggung-jawab",
        "tata-letak-spesifikasi",
    ];

    let page = b.get(&path);
    assert_eq!(page.status, 200);
    assert!(page.body.contains("class=\"task-list\""), "a task list: {}", page.body);
    assert!(
        !page.body.contains("class=\"checkbox\""),
        "no squares that cannot be ticked"
    );
    assert!(
        page.body.contains("0 dari 4 dokumen wajib sudah diunggah."),
        "{}",
        page.body
    );
    for id in all {
        assert_eq!(tag(&page.body, id), "Belum diunggah", "{id}");
    }

    let r = b.upload(&format!("{path}/sipi"), &page, "sipi.pdf", "application/pdf", &pdf(100));
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(
        r.location(),
        format!("{path}?tersimpan=sipi#syarat-sipi"),
        "back to the item"
    );
    let page = b.get(r.location().split('#').next().unwrap_or_default());
    assert!(page.body.contains("1 dari 4 dokumen wajib sudah diunggah."));
    assert_eq!(tag(&page.body, "sipi"), "Sudah diunggah");
    assert!(item(&page.body, "sipi").contains("Berkas tersimpan."));
    assert_eq!(tag(&page.body, "surat-permohonan"), "Belum diunggah");

    for (id, name, ctype, bytes) in [
        ("surat-permohonan", "surat.pdf", "application/pdf", pdf(100)),
        ("ktp-penanggung-jawab", "ktp.png", "image/png", png()),
        ("tata-letak-spesifikasi", "tata letak.pdf", "application/pdf", pdf(1000)),
    ] {
        assert_eq!(
            b.upload(&format!("{path}/{id}"), &page, name, ctype, &bytes).status,
            303
        );
    }
    let check = b.get(&format!("/layanan/permohonan/{nomor}/ajukan"));
    assert_eq!(
        b.post(&format!("/layanan/permohonan/{nomor}/ajukan"), &check, &[])
            .status,
        303
    );
    let detail = officer.get(&format!("/layanan/petugas/permohonan/{nomor}"));
    let note = "SIPI sudah kedaluwarsa; unggah SIPI yang berlaku.";
    let r = officer.post(
        &format!("/layanan/petugas/permohonan/{nomor}/perbaikan"),
        &detail,
        &[("catatan_sipi", note)],
    );
    assert_eq!(r.status, 303, "{}", r.body);

    // Sent back: the document asked for is tagged, with the note; the count says so.
    let page = b.get(&path);
    assert_eq!(tag(&page.body, "sipi"), "Perlu perbaikan");
    assert!(item(&page.body, "sipi").contains("Catatan perbaikan dari petugas"));
    assert!(item(&page.body, "sipi").contains(note));
    assert_eq!(tag(&page.body, "surat-permohonan"), "Sudah diunggah");
    assert!(
        page.body
            .contains("4 dari 4 dokumen wajib sudah diunggah. 1 dokumen perlu perbaikan."),
        "{}",
        page.body
    );

    // Replaced: the note stays, marked as answered, and the tag says the file is there.
    let r = b.upload(
        &format!("{path}/sipi"),
        &page,
        "sipi 2026.pdf",
        "application/pdf",
        &pdf(50),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let page = b.get(&path);
    let sipi = item(&page.body, "sipi");
    assert_eq!(tag(&page.body, "sipi"), "Sudah diunggah");
    assert!(sipi.contains("sipi 2026.pdf"), "{sipi}");
    assert!(
        sipi.contains("Catatan perbaikan dari petugas (sudah ditanggapi)"),
        "{sipi}"
    );
    assert!(sipi.contains(note), "{sipi}");
    assert!(
        page.body.contains("4 dari 4 dokumen wajib sudah diunggah.</p>"),
        "{}",
        page.body
    );

    // Ajukan again: the note has done its work and goes.
    let check = b.get(&format!("/layanan/permohonan/{nomor}/ajukan"));
    assert_eq!(
        b.post(&format!("/layanan/permohonan/{nomor}/ajukan"), &check, &[])
            .status,
        303
    );
    let page = b.get(&path);
    assert!(!page.body.contains(note));
}

/// The upload forms ask the service, not the browser, to judge the file (its message is in
/// Indonesian, in the error summary, and at the field).
#[test]
fn dokumen_forms_leave_validation_to_the_service() {
    let app = spawn_app();
    let (b, _) = setup(&app);
    let nomor = nomor_of(&create(&b, RUMPON, "perorangan", &[]));
    let page = b.get(&format!("/layanan/permohonan/{nomor}/dokumen"));
    let forms: Vec<&str> = page
        .body
        .match_indices("<form ")
        .map(|(i, _)| &page.body[i..i + page.body[i..].find('>').unwrap_or(0)])
        .filter(|tag| tag.contains("/dokumen/"))
        .collect();
    assert_eq!(forms.len(), 4, "one upload form per requirement: {forms:?}");
    assert!(forms.iter().all(|tag| tag.ends_with(" novalidate")), "{forms:?}");
    let r = b.upload(
        &format!("/layanan/permohonan/{nomor}/dokumen/sipi"),
        &page,
        "",
        "application/octet-stream",
        b"",
    );
    assert_eq!(r.status, 422, "{}", r.body);
    assert!(r.body.contains("Berkas belum tersimpan"));
    assert!(r.body.contains("href=\"#berkas-sipi\""));
    assert!(r.body.contains("id=\"berkas-sipi-galat\""));
}

crate::backend::also_on_postgres_and_s3!(
    dokumen_tags_each_requirement_counts_the_required_ones_and_keeps_the_answered_note,
    dokumen_forms_leave_validation_to_the_service
);
