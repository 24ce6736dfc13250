//! "Registrasi Pemohon": the form, its checks, and what happens on DAFTAR — the registration is
//! stored, the applicant gets a receipt and the officers of the chosen instansi a notice, all
//! in one transaction.

use std::collections::HashMap;

use crate::clock::{self, now};
use crate::domain::*;
use crate::error::{Error, Result};
use crate::form::FormCheck;
use crate::records::{NewRegistration, RegisterOutcome, Registered};
use crate::web::{AppState, Visitor, see_other};
use crate::wilayah;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{Value, context};

/// The honeypot: a field people never see (hidden by the theme) and bots fill in.
const HONEYPOT: &str = "situs_web";

fn options(app: &AppState) -> Value {
    let kabupaten: Vec<Value> = wilayah::KABUPATEN_KOTA
        .iter()
        .chain(std::iter::once(&wilayah::LUAR_SUMSEL))
        .map(|(kode, nama)| context! { kode => kode, nama => nama })
        .collect();
    context! {
        instansi_pilihan => vec![app.content.situs.instansi.clone()],
        kabupaten_pilihan => kabupaten,
    }
}

/// Every field of the form, so the template always has a value to show (empty when new).
const FIELDS: [&str; 17] = [
    "username",
    "nama",
    "email",
    "instansi",
    "tipe_identitas",
    "nomor_identitas",
    "jenis_kelamin",
    "tempat_lahir",
    "tanggal_lahir_hari",
    "tanggal_lahir_bulan",
    "tanggal_lahir_tahun",
    "pekerjaan",
    "npwp",
    "telepon",
    "alamat",
    "kabupaten",
    "kode_pos",
];

/// The birth date's three fields (GOV.UK date input), as the form and its errors name them.
const DAY: &str = "tanggal_lahir_hari";
const MONTH: &str = "tanggal_lahir_bulan";
const YEAR: &str = "tanggal_lahir_tahun";

/// The answers to show again: what was sent, every field present.
fn answers(form: &HashMap<String, String>) -> HashMap<&'static str, String> {
    let mut shown: HashMap<&'static str, String> = FIELDS
        .iter()
        .map(|f| (*f, form.get(*f).cloned().unwrap_or_default()))
        .collect();
    // A form rendered before the date had three fields posts `tanggal_lahir` as YYYY-MM-DD.
    if let Some((y, m, d)) = legacy_date(form) {
        shown.insert(DAY, d);
        shown.insert(MONTH, m);
        shown.insert(YEAR, y);
    }
    shown
}

/// `tanggal_lahir` as (year, month, day) when the three fields are absent and it has the
/// shape YYYY-MM-DD.
fn legacy_date(form: &HashMap<String, String>) -> Option<(String, String, String)> {
    if [DAY, MONTH, YEAR].iter().any(|k| form.contains_key(*k)) {
        return None;
    }
    let raw = form.get("tanggal_lahir")?.trim();
    let mut parts = raw.splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    Some((
        y.to_string(),
        m.trim_start_matches('0').to_string(),
        d.trim_start_matches('0').to_string(),
    ))
}

/// The birth date from its three fields, each problem said as GOV.UK's date input says it
/// (what is missing, which part is wrong), at the part it concerns. `wrong` collects the
/// parts to mark invalid.
fn birth_date(
    f: &mut FormCheck<'_>,
    values: &HashMap<&'static str, String>,
    today: (i32, u32, u32),
    wrong: &mut Vec<&'static str>,
) -> Option<BirthDate> {
    let part = |k: &str| values.get(k).map(|v| v.trim().to_string()).unwrap_or_default();
    let (d, m, y) = (part(DAY), part(MONTH), part(YEAR));
    let missing: Vec<(&'static str, &str)> = [(DAY, "tanggal"), (MONTH, "bulan"), (YEAR, "tahun")]
        .into_iter()
        .zip([&d, &m, &y])
        .filter(|(_, v)| v.is_empty())
        .map(|(k, _)| k)
        .collect();
    if missing.len() == 3 {
        wrong.extend([DAY, MONTH, YEAR]);
        f.error(DAY, "Masukkan tanggal lahir.");
        return None;
    }
    if !missing.is_empty() {
        let names: Vec<&str> = missing.iter().map(|(_, n)| *n).collect();
        wrong.extend(missing.iter().map(|(k, _)| *k));
        f.error(
            missing[0].0,
            format!("Tanggal lahir harus berisi {}.", names.join(" dan ")),
        );
        return None;
    }
    let number = |v: &str| {
        (v.len() <= 4 && v.chars().all(|c| c.is_ascii_digit()))
            .then(|| v.parse::<u32>().ok())
            .flatten()
    };
    let (Some(day), Some(month), Some(year)) = (number(&d), number(&m), number(&y)) else {
        for (k, v) in [(DAY, &d), (MONTH, &m), (YEAR, &y)] {
            if number(v).is_none() {
                wrong.push(k);
            }
        }
        f.error(wrong[0], "Tanggal lahir hanya berisi angka, misalnya 27 3 1990.");
        return None;
    };
    if y.len() != 4 {
        wrong.push(YEAR);
        f.error(YEAR, "Tahun lahir harus berisi 4 angka, misalnya 1990.");
        return None;
    }
    match BirthDate::parse(&format!("{year:04}-{month:02}-{day:02}"), today) {
        Ok(date) => Some(date),
        Err(e) => {
            let (at, parts): (&'static str, &[&'static str]) = match e {
                DomainError::BirthDateNotReal if !(1..=12).contains(&month) => (MONTH, &[MONTH]),
                DomainError::BirthDateNotReal => (DAY, &[DAY, MONTH]),
                _ => (DAY, &[DAY, MONTH, YEAR]),
            };
            wrong.extend_from_slice(parts);
            f.error(at, e.to_string());
            None
        }
    }
}

pub async fn show(State(app): State<AppState>, v: Visitor) -> Result<Response> {
    let mut defaults = HashMap::new();
    defaults.insert("instansi".to_string(), app.content.situs.instansi.clone());
    defaults.insert("tipe_identitas".to_string(), "KTP".to_string());
    let ctx = context! {
        nilai => answers(&defaults),
        form_id => crate::security::random_token(),
        ..options(&app)
    };
    app.page(
        &v,
        "layanan/registrasi.html",
        "Registrasi Pemohon",
        Some("registrasi"),
        ctx,
    )
}

/// Whether the username and the email sent are taken, asked before the checks so that they are
/// reported in their place with every other problem.
async fn taken(app: &AppState, form: &HashMap<String, String>) -> Result<(bool, bool)> {
    let field = |k: &str| form.get(k).map(|s| s.trim()).unwrap_or("");
    let username = Username::parse(field("username")).map(|u| u.as_str().to_string());
    let email = Email::parse(field("email")).map(|e| e.as_str().to_string());
    if username.is_err() && email.is_err() {
        return Ok((false, false));
    }
    // A name that does not parse is reported as such; it cannot be taken.
    let (u, e) = app
        .store
        .names_taken(
            username.as_deref().unwrap_or(""),
            email.as_deref().unwrap_or(""),
            field("form_id"),
        )
        .await?;
    Ok((u && username.is_ok(), e && email.is_ok()))
}

const USERNAME_TAKEN: &str = "Nama pengguna ini sudah dipakai. Pilih nama pengguna lain.";
const EMAIL_TAKEN: &str =
    "Alamat surel ini sudah terdaftar. Bila ini akun Anda, gunakan Lupa Kata Sandi di halaman Masuk.";

fn check(
    app: &AppState,
    f: &mut FormCheck<'_>,
    form_token: String,
    (username_taken, email_taken): (bool, bool),
    date_wrong: &mut Vec<&'static str>,
) -> Option<NewRegistration> {
    let username = f.required(
        "username",
        "Masukkan nama pengguna untuk masuk ke layanan.",
        Username::parse,
    );
    let username = username.filter(|_| {
        if username_taken {
            f.error("username", USERNAME_TAKEN);
        }
        !username_taken
    });
    let nama = f.required("nama", "Masukkan nama lengkap sesuai KTP.", PersonName::parse);
    let email = f.required("email", "Masukkan alamat surel yang aktif.", Email::parse);
    let email = email.filter(|_| {
        if email_taken {
            f.error("email", EMAIL_TAKEN);
        }
        !email_taken
    });
    let instansi = match f.raw("instansi") {
        "" => {
            f.error("instansi", "Pilih instansi yang dituju.");
            None
        }
        i if i == app.content.situs.instansi => Some(i.to_string()),
        _ => {
            f.error("instansi", "Pilih instansi yang dituju dari daftar.");
            None
        }
    };
    let tipe = f.required("tipe_identitas", "Pilih tipe identitas.", IdentityType::parse);
    let nomor_identitas = match tipe {
        Some(IdentityType::Ktp) => f
            .required("nomor_identitas", "Masukkan NIK 16 digit sesuai KTP.", Nik::parse)
            .map(|n| n.as_str().to_string()),
        Some(IdentityType::Paspor) => {
            let raw = f.raw("nomor_identitas").to_uppercase();
            if raw.len() < 6 || raw.len() > 12 || !raw.chars().all(|c| c.is_ascii_alphanumeric()) {
                f.error("nomor_identitas", "Masukkan nomor paspor 6 sampai 12 huruf atau angka.");
                None
            } else {
                Some(raw)
            }
        }
        None => None,
    };
    let jenis_kelamin = f.required("jenis_kelamin", "Pilih jenis kelamin.", Sex::parse);
    let tempat_lahir = f.text("tempat_lahir", "tempat lahir", 2, 60);
    let today = clock::today_wib();
    let tanggal_lahir = birth_date(f, &answers(f.values), today, date_wrong);
    let pekerjaan = f.text("pekerjaan", "pekerjaan", 2, 60);
    let npwp = f.optional("npwp", Npwp::parse);
    let telepon = f.required("telepon", "Masukkan nomor handphone yang aktif.", PhoneNumber::parse);
    let alamat = f.text("alamat", "alamat sesuai KTP", 5, 200);
    let kabupaten = match wilayah::name_of(f.raw("kabupaten")) {
        Some(name) => Some(name.to_string()),
        None => {
            f.error("kabupaten", "Pilih kabupaten/kota tempat tinggal.");
            None
        }
    };
    let kode_pos = f.required("kode_pos", "Masukkan kode pos 5 digit.", PostalCode::parse);
    Some(NewRegistration {
        form_token,
        unit: app.content.situs.unit.clone(),
        username: username?,
        nama: nama?,
        email: email?,
        instansi: instansi?,
        tipe_identitas: tipe?,
        nomor_identitas: nomor_identitas?,
        jenis_kelamin: jenis_kelamin?,
        tempat_lahir: tempat_lahir?,
        tanggal_lahir: tanggal_lahir?.as_str().to_string(),
        pekerjaan: pekerjaan?,
        npwp: npwp?,
        telepon: telepon?,
        alamat: alamat?,
        kabupaten: kabupaten?,
        kode_pos: kode_pos?,
    })
}

pub async fn submit(
    State(app): State<AppState>,
    v: Visitor,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response> {
    app.check_form_token(&v, &form)?;
    if !form.get(HONEYPOT).is_none_or(|s| s.is_empty()) {
        tracing::warn!(ip = %v.ip, "registration refused: honeypot filled");
        // Answer as if it worked, so the bot learns nothing; nothing is stored.
        return Ok(see_other(&format!("{}/registrasi/berhasil", app.content.situs.layanan)));
    }
    let form_id = form.get("form_id").cloned().unwrap_or_default();
    if form_id.len() < 32 || form_id.len() > 64 {
        return Err(Error::Csrf);
    }
    let names_taken = taken(&app, &form).await?;
    let mut f = FormCheck::new(&form);
    let mut date_wrong = Vec::new();
    let reg = check(&app, &mut f, form_id, names_taken, &mut date_wrong);
    let Some(reg) = reg.filter(|_| f.ok()) else {
        return render_errors(&app, &v, &form, &f, &date_wrong);
    };
    // A NIK encodes the birth date and sex; when they disagree, the applicant is asked once to
    // look again (a typo is likelier than a wrong KTP), never stopped: DAFTAR again goes on.
    let disagrees = crate::domain::nik_disagrees(
        reg.tipe_identitas,
        &reg.nomor_identitas,
        &reg.tanggal_lahir,
        reg.jenis_kelamin,
        clock::today_wib(),
    );
    if disagrees && form.get("nik_diperiksa").map(String::as_str) != Some("ya") {
        let ctx = context! {
            nilai => answers(&form),
            form_id => form.get("form_id"),
            nik_diperiksa => true,
            ..options(&app)
        };
        return app.page(
            &v,
            "layanan/registrasi.html",
            "Registrasi Pemohon",
            Some("registrasi"),
            ctx,
        );
    }
    // Only complete registrations count: someone correcting their answers is not a flood. The
    // person (their identity number) is limited first; the address, shared by many behind a
    // proxy or a mobile network, only generously.
    let limits = &app.limits;
    if !limits
        .register_identity
        .allow(app.store.as_ref(), &app.nik.index(&reg.nomor_identitas))
        .await?
        || !limits
            .register_address
            .allow(app.store.as_ref(), &v.ip.to_string())
            .await?
    {
        tracing::warn!(ip = %v.ip, "registration refused: rate limit");
        return Err(Error::TooMany);
    }
    let officers_link = app.link(&format!("{}/petugas/", app.content.situs.layanan));
    let (app2, receipt_to, nama, username, instansi) = (
        app.clone(),
        reg.email.as_str().to_string(),
        reg.nama.as_str().to_string(),
        reg.username.as_str().to_string(),
        reg.instansi.clone(),
    );
    let compose = Box::new(move |r: &Registered| {
        let mut mails = vec![app2.compose(
            "registrasi_diterima",
            &receipt_to,
            format!("Registrasi Pemohon diterima: {}", r.nomor),
            Some(&instansi),
            context! { nama => nama, nomor => r.nomor, username => username },
        )?];
        for officer in &r.officers {
            mails.push(app2.compose(
                "registrasi_baru",
                &officer.email,
                format!("Registrasi Pemohon baru menunggu persetujuan: {}", r.nomor),
                Some(&instansi),
                context! {
                    nama_petugas => officer.nama,
                    nomor => r.nomor,
                    tautan => format!("{officers_link}registrasi/{}", r.id),
                },
            )?);
        }
        Ok(mails)
    });
    let outcome = app.store.register(reg, clock::today_wib().0, now(), compose).await?;
    if matches!(outcome, RegisterOutcome::Created(_)) {
        app.metrics.acknowledged("registrasi");
    }
    match outcome {
        RegisterOutcome::Created(nomor) | RegisterOutcome::Repeated(nomor) => {
            app.mail_wake.notify_one();
            Ok(see_other(&format!(
                "{}/registrasi/berhasil?nomor={nomor}",
                app.content.situs.layanan
            )))
        }
        // Taken between the question above and DAFTAR's transaction (two people at once).
        RegisterOutcome::Taken { username, email } => {
            if username {
                f.error("username", USERNAME_TAKEN);
            }
            if email {
                f.error("email", EMAIL_TAKEN);
            }
            render_errors(&app, &v, &form, &f, &[])
        }
    }
}

fn render_errors(
    app: &AppState,
    v: &Visitor,
    form: &HashMap<String, String>,
    f: &FormCheck<'_>,
    date_wrong: &[&'static str],
) -> Result<Response> {
    let ctx = context! {
        nilai => answers(form),
        form_id => form.get("form_id"),
        tanggal_salah => date_wrong,
        ..minijinja::value::merge_maps([f.context(), options(app)])
    };
    app.page_with_status(
        v,
        StatusCode::UNPROCESSABLE_ENTITY,
        "layanan/registrasi.html",
        "Registrasi Pemohon",
        Some("registrasi"),
        ctx,
    )
}

#[derive(serde::Deserialize)]
pub struct Done {
    nomor: Option<String>,
}

pub async fn done(State(app): State<AppState>, v: Visitor, Query(q): Query<Done>) -> Result<Response> {
    // The number is only echoed, and only in the shape of a registration number: the page
    // shows nothing stored.
    let nomor = q
        .nomor
        .filter(|n| n.len() <= 20 && n.starts_with("REG-") && n[4..].chars().all(|c| c.is_ascii_digit() || c == '-'));
    app.page(
        &v,
        "layanan/registrasi_berhasil.html",
        "Registrasi berhasil",
        Some("registrasi"),
        context! { nomor => nomor },
    )
}
