//! "Periksa dan Ajukan" as the GOV.UK check-answers pattern: every answer with "Ubah" to its
//! field and back to the summary, missing documents linked to their item on DOKUMEN, and the
//! data editable until Ajukan and again after a send-back, never in between.

use crate::applications::{RUMPON, create, nomor_of, setup, upload_all};
use crate::helpers::*;

const COMPANY: [(&str, &str); 6] = [
    ("nib", "1234567890123"),
    ("perusahaan_nama", "PT Bahari Musi"),
    ("perusahaan_npwp", "01.234.567.8-901.000"),
    ("perusahaan_alamat", "Jl. Pelabuhan No. 5, Palembang"),
    ("perusahaan_telepon", "(0711) 356789"),
    ("perusahaan_email", "kantor@baharimusi.co.id"),
];

const FIELDS: [&str; 11] = [
    "nib",
    "pemohon_nama",
    "pemohon_identitas",
    "pemohon_telepon",
    "pemohon_email",
    "pemohon_alamat",
    "perusahaan_nama",
    "perusahaan_npwp",
    "perusahaan_alamat",
    "perusahaan_telepon",
    "perusahaan_email",
];

/// The summary row labelled `dt`, up to the end of its row.
fn row<'a>(page: &'a str, dt: &str) -> &'a str {
    let start = page
        .find(&format!("<dt>{dt}</dt>"))
        .unwrap_or_else(|| panic!("no row \"{dt}\" in {page}"));
    let end = page[start..].find("</div>").map_or(page.len(), |e| start + e);
    &page[start..end]
}

/// The form's fields with the values the edit page shows, `changes` applied.
fn edit_fields(page: &Resp, changes: &[(&str, &str)]) -> Vec<(String, String)> {
    FIELDS
        .iter()
        .map(|f| {
            let v = changes
                .iter()
                .find(|(k, _)| k == f)
                .map(|(_, v)| v.to_string())
                .unwrap_or_else(|| shown_value(&page.body, f));
            (f.to_string(), v)
        })
        .collect()
}

/// The value an input or textarea `name` shows.
fn shown_value(html: &str, name: &str) -> String {
    let Some(i) = html.find(&format!("name=\"{name}\"")) else {
        return String::new();
    };
    let rest = &html[i..];
    let tag_end = rest.find('>').unwrap_or(rest.len());
    if rest.starts_with(&format!("name=\"{name}\" rows")) {
        let end = rest.find("</textarea>").unwrap_or(tag_end);
        return rest[tag_end + 1..end].to_string();
    }
    match rest[..tag_end].find("value=\"") {
        Some(v) => {
            let from = v + 7;
            let len = rest[from..].find('"').unwrap_or(0);
            rest[from..from + len].to_string()
        }
        None => String::new(),
    }
}

fn post_fields(b: &Browser, path: &str, page: &Resp, fields: &[(String, String)]) -> Resp {
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    b.post(path, page, &refs)
}

/// Regression (issue 8, item 6): nothing could be corrected after BUAT; the summary had no
/// "Ubah", left out the company's phone and email, and listed missing documents as text.
#[test]
fn every_answer_can_be_changed_from_the_summary_until_ajukan_and_again_after_a_send_back() {
    let app = spawn_app();
    let (b, officer) = setup(&app);
    let r = create(&b, RUMPON, "perusahaan", &COMPANY);
    assert_eq!(r.status, 303, "{}", r.body);
    let nomor = nomor_of(&r);
    let summary = format!("/layanan/permohonan/{nomor}/ajukan");
    let edit = format!("/layanan/permohonan/{nomor}/ubah");

    let page = b.get(&summary);
    assert_eq!(page.status, 200);
    assert!(row(&page.body, "Telepon perusahaan").contains("+62711356789"));
    assert!(row(&page.body, "Surel perusahaan").contains("kantor@baharimusi.co.id"));
    assert!(row(&page.body, "No Register (NIB)").contains("1234567890123"));
    for f in FIELDS {
        assert!(
            page.body
                .contains(&format!("href=\"{edit}#{f}\">Ubah<span class=\"visually-hidden\">")),
            "no Ubah for {f}"
        );
    }
    // Missing documents link to their item on DOKUMEN.
    assert!(page.body.contains("Permohonan belum dapat diajukan"));
    assert!(
        page.body
            .contains(&format!("href=\"/layanan/permohonan/{nomor}/dokumen#syarat-sipi\""))
    );

    // Ubah: the field's page, its own rules and messages, then back to the summary.
    let form = b.get(&edit);
    assert_eq!(form.status, 200);
    assert!(form.body.contains("novalidate"));
    assert_eq!(shown_value(&form.body, "perusahaan_telepon"), "+62711356789");
    for f in FIELDS {
        assert!(
            form.body.contains(&format!("id=\"{f}\"")),
            "the field {f} is on the page"
        );
    }
    let r = post_fields(
        &b,
        &edit,
        &form,
        &edit_fields(&form, &[("perusahaan_telepon", "telepon kantor")]),
    );
    assert_eq!(r.status, 422);
    assert!(
        r.body.contains("id=\"ringkasan-galat\""),
        "the error summary: {}",
        r.body
    );
    assert!(r.body.contains("href=\"#perusahaan_telepon\""));
    assert!(r.body.contains("id=\"perusahaan_telepon-galat\""));
    assert!(r.body.contains("value=\"telepon kantor\""), "the answer is kept");
    let r = post_fields(
        &b,
        &edit,
        &form,
        &edit_fields(
            &form,
            &[
                ("perusahaan_telepon", "0711-356780"),
                ("pemohon_alamat", "Jl. Merdeka No. 9, Palembang"),
            ],
        ),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert_eq!(r.location(), format!("{summary}?info=diubah"));
    let page = b.get(r.location());
    assert!(page.body.contains("Data permohonan telah diperbarui."));
    assert!(row(&page.body, "Telepon perusahaan").contains("+62711356780"));
    assert!(row(&page.body, "Alamat").contains("Jl. Merdeka No. 9, Palembang"));

    // Submitted: the officers have it; no Ubah, and the edit is refused.
    upload_all(&b, &nomor);
    let page = b.get(&summary);
    assert_eq!(b.post(&summary, &page, &[]).status, 303);
    let page = b.get(&summary);
    assert!(!page.body.contains(&format!("{edit}#")), "no Ubah once submitted");
    assert_eq!(b.get(&edit).status, 409);
    let r = post_fields(
        &b,
        &edit,
        &form,
        &edit_fields(&form, &[("pemohon_alamat", "Jl. Lain No. 1, Palembang")]),
    );
    assert_eq!(r.status, 409);
    assert!(
        app.db()
            .texts("SELECT pemohon_json FROM applications")
            .iter()
            .all(|j| !j.contains("Jl. Lain")),
        "nothing changed"
    );

    // Sent back: editable again.
    let detail = officer.get(&format!("/layanan/petugas/permohonan/{nomor}"));
    let r = officer.post(
        &format!("/layanan/petugas/permohonan/{nomor}/perbaikan"),
        &detail,
        &[("catatan_sipi", "SIPI sudah kedaluwarsa.")],
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let page = b.get(&summary);
    assert!(page.body.contains(&format!("href=\"{edit}#perusahaan_email\"")));
    let form = b.get(&edit);
    let r = post_fields(
        &b,
        &edit,
        &form,
        &edit_fields(&form, &[("perusahaan_email", "izin@baharimusi.co.id")]),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    assert!(row(&b.get(&summary).body, "Surel perusahaan").contains("izin@baharimusi.co.id"));
}

/// Another applicant's application is not found, for the page and for the change.
#[test]
fn another_applicants_data_cannot_be_seen_or_changed() {
    let app = spawn_app();
    let (b, _) = setup(&app);
    let nomor = nomor_of(&create(&b, RUMPON, "perorangan", &[]));
    let other = active_applicant(&app, "pedagang", "pedagang@contoh.id", "angin laut dari selat bangka");
    assert_eq!(login(&other, "pedagang", "angin laut dari selat bangka").status, 303);
    let edit = format!("/layanan/permohonan/{nomor}/ubah");
    assert_eq!(other.get(&edit).status, 404);
    let own = b.get(&edit);
    let r = post_fields(
        &other,
        &edit,
        &other.get(&format!(
            "/layanan/permohonan/baru?izin={RUMPON}&tipe=perorangan&jenis=baru"
        )),
        &edit_fields(&own, &[("pemohon_alamat", "Jl. Lain No. 1, Palembang")]),
    );
    assert_eq!(r.status, 404);
}

crate::backend::also_on_postgres_and_s3!(
    every_answer_can_be_changed_from_the_summary_until_ajukan_and_again_after_a_send_back,
    another_applicants_data_cannot_be_seen_or_changed
);
