//! What people do, as the tests drive it over HTTP against any instance: Registrasi Pemohon,
//! the officer's approval, the password from the emailed link, PERMOHONAN, DOKUMEN.

use crate::cluster::*;
use crate::support::{OFFICER, OFFICER_PASSWORD};

pub const PW: &str = "hujan turun di jembatan ampera";
pub const RUMPON: &str = "izin-pemasangan-rumpon";
/// The documents of Izin Pemasangan Rumpon for a person that are PDFs.
pub const PDF_REQUIREMENTS: [&str; 3] = ["surat-permohonan", "sipi", "tata-letak-spesifikasi"];

/// A complete Registrasi Pemohon, with the n-th NIK of the test (n < 10,000).
pub fn registration(username: &str, email: &str, n: usize) -> Vec<(String, String)> {
    let nik = format!("16710445089{:05}", n + 1);
    [
        ("username", username),
        ("nama", "Siti Aminah"),
        ("email", email),
        ("instansi", "Provinsi Sumatera Selatan"),
        ("tipe_identitas", "KTP"),
        ("nomor_identitas", &nik),
        ("jenis_kelamin", "P"),
        ("tempat_lahir", "Palembang"),
        ("tanggal_lahir", "1990-08-05"),
        ("pekerjaan", "Wiraswasta"),
        ("npwp", ""),
        ("telepon", "0812-3456-7890"),
        ("alamat", "Jl. Jenderal Sudirman No. 10, Kelurahan 20 Ilir"),
        ("kabupaten", "16.71"),
        ("kode_pos", "30129"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect()
}

/// Opens Registrasi Pemohon on `form_at` and presses DAFTAR on `post_at`: the answer to DAFTAR,
/// or why there was none.
pub fn daftar(c: &Client, form_at: &str, post_at: &str, fields: &[(String, String)]) -> Result<Page, String> {
    let page = c
        .try_get(&format!("{form_at}/layanan/registrasi"))
        .map_err(|e| e.to_string())?;
    if page.status != 200 {
        return Err(format!("form answered {}", page.status));
    }
    let form_id = page.hidden("form_id").ok_or("no form id")?;
    let mut all: Vec<(&str, &str)> = vec![("form_id", &form_id)];
    all.extend(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    c.try_post(&format!("{post_at}/layanan/registrasi"), &page, &all)
        .map_err(|e| e.to_string())
}

/// [`daftar`]: the registration's number on success, or why not.
pub fn register(c: &Client, form_at: &str, post_at: &str, fields: &[(String, String)]) -> Result<String, String> {
    let r = daftar(c, form_at, post_at, fields)?;
    if r.status != 303 {
        return Err(format!("DAFTAR answered {}: {}", r.status, r.text()));
    }
    r.location()
        .split("nomor=")
        .nth(1)
        .map(str::to_string)
        .ok_or_else(|| format!("DAFTAR went to {}", r.location()))
}

pub fn login(c: &Client, at: &str, login: &str, password: &str) -> Page {
    let page = c.get(&format!("{at}/layanan/masuk"));
    c.post(
        &format!("{at}/layanan/masuk"),
        &page,
        &[("login", login), ("password", password)],
    )
}

pub fn officer(at: &str) -> Client {
    let c = Client::new();
    sign_in_officer(&c, at);
    c
}

/// The authenticator app of the officer of each service address (each test has its own
/// database, where the officer enrols at the first sign-in).
static PHONES: std::sync::Mutex<Vec<(String, String)>> = std::sync::Mutex::new(Vec::new());

/// Signs `c` in as the officer `OFFICER` on `at`: the password, then Verifikasi Dua Langkah,
/// enrolling the officer's phone at the first sign-in (the key read off the page).
pub fn sign_in_officer(c: &Client, at: &str) {
    let page = c.get(&format!("{at}/layanan/petugas/masuk"));
    let r = c.post(
        &format!("{at}/layanan/petugas/masuk"),
        &page,
        &[("login", OFFICER), ("password", OFFICER_PASSWORD)],
    );
    assert_eq!(r.status, 303, "officer login: {}", r.text());
    let step = format!("{at}{}", r.location());
    let page = c.get(&step);
    assert_eq!(page.status, 200, "the second step: {}", page.text());
    let mut phones = PHONES.lock().expect("phones");
    let secret = if step.ends_with("/aktifkan-verifikasi") {
        let text = page.text();
        let marker = "<p class=\"kunci\"><code>";
        let start = text.find(marker).expect("the key on the enrolment page") + marker.len();
        let end = start + text[start..].find("</code>").expect("the key's end");
        let secret: String = text[start..end].chars().filter(|c| !c.is_whitespace()).collect();
        phones.push((at.to_string(), secret.clone()));
        secret
    } else {
        phones
            .iter()
            .rev()
            .find(|(a, _)| a == at)
            .map(|(_, s)| s.clone())
            .expect("the officer enrolled on this address earlier in the test")
    };
    let code = formsvc::second_factor::code_at(&secret, formsvc::clock::now()).expect("a code");
    let r = c.post(&step, &page, &[("kode", &code)]);
    assert!(
        matches!(r.status, 200 | 303),
        "the second step answered {}: {}",
        r.status,
        r.text()
    );
}

/// The officer approves `username` on `at`; the applicant sets the password from the emailed
/// link (which names the public address) and signs in on `login_at`.
pub fn approve_and_sign_in(
    cluster: &Cluster,
    officer: &Client,
    at: &str,
    login_at: &str,
    username: &str,
    email: &str,
) -> Client {
    let id = cluster
        .db
        .number(&format!("SELECT id FROM applicants WHERE username = '{username}'"));
    let detail = officer.get(&format!("{at}/layanan/petugas/registrasi/{id}"));
    assert_eq!(detail.status, 200, "{}", detail.text());
    let r = officer.post(&format!("{at}/layanan/petugas/registrasi/{id}/setujui"), &detail, &[]);
    assert_eq!(r.status, 303, "{}", r.text());
    let link = cluster
        .wait_for_mail(email, "disetujui")
        .link(&format!("{}/layanan/atur-sandi?token=", cluster.base));
    let applicant = Client::new();
    let form = applicant.get(&link);
    assert_eq!(form.status, 200, "{}", form.text());
    let token = form.hidden("token").expect("the link's token in the form");
    let r = applicant.post(
        &format!("{}/layanan/atur-sandi", cluster.base),
        &form,
        &[("token", &token), ("password", PW), ("password2", PW)],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(login(&applicant, login_at, username, PW).status, 303);
    applicant
}

/// The value an input of PERMOHONAN was filled with from the profile.
fn prefilled(html: &str, name: &str) -> String {
    let Some(i) = html.find(&format!("name=\"{name}\"")) else {
        return String::new();
    };
    let rest = &html[i..];
    let tag_end = rest.find('>').unwrap_or(rest.len());
    if let Some(v) = rest[..tag_end].find("value=\"") {
        let value = &rest[v + 7..];
        return value[..value.find('"').unwrap_or(0)].to_string();
    }
    if rest.starts_with(&format!("name=\"{name}\" rows")) {
        let body = &rest[tag_end + 1..];
        return body[..body.find("</textarea>").unwrap_or(0)]
            .replace("&amp;", "&")
            .replace("&#39;", "'")
            .replace("&quot;", "\"");
    }
    String::new()
}

/// PERMOHONAN for Izin Pemasangan Rumpon as a person, BUAT on `at`; the application's number.
pub fn new_application(c: &Client, at: &str) -> String {
    let page = c.get(&format!(
        "{at}/layanan/permohonan/baru?izin={RUMPON}&tipe=perorangan&jenis=baru"
    ));
    assert_eq!(page.status, 200, "{}", page.text());
    let html = page.text();
    let form_id = page.hidden("form_id").expect("form id");
    let mut fields: Vec<(&str, String)> = vec![
        ("form_id", form_id),
        ("izin", RUMPON.into()),
        ("tipe", "perorangan".into()),
        ("jenis", "baru".into()),
    ];
    for f in [
        "pemohon_nama",
        "pemohon_identitas",
        "pemohon_telepon",
        "pemohon_email",
        "pemohon_alamat",
    ] {
        fields.push((f, prefilled(&html, f)));
    }
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = c.post(&format!("{at}/layanan/permohonan/baru"), &page, &refs);
    assert_eq!(r.status, 303, "BUAT: {}", r.text());
    r.location()
        .trim_start_matches("/layanan/permohonan/")
        .split('/')
        .next()
        .expect("the application's number")
        .to_string()
}

/// A small PDF that says which upload it is.
pub fn pdf(marker: &str) -> Vec<u8> {
    formsvc::samples::pdf(format!("% {marker}").as_bytes())
}

/// The stored document of `requirement` in application `nomor`: its address in links.
pub fn document_address(cluster: &Cluster, nomor: &str, requirement: &str) -> Option<String> {
    let rows = cluster.db.rows(&format!(
        "SELECT d.alamat FROM documents d JOIN applications a ON a.id = d.application_id \
         WHERE a.nomor = '{nomor}' AND d.requirement_id = '{requirement}'"
    ));
    rows.first().and_then(|r| r.first().cloned().flatten())
}
