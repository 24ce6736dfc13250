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
const FIELDS: [&str; 15] = [
    "username",
    "nama",
    "email",
    "instansi",
    "tipe_identitas",
    "nomor_identitas",
    "jenis_kelamin",
    "tempat_lahir",
    "tanggal_lahir",
    "pekerjaan",
    "npwp",
    "telepon",
    "alamat",
    "kabupaten",
    "kode_pos",
];

/// The answers to show again: what was sent, every field present.
fn answers(form: &HashMap<String, String>) -> HashMap<&'static str, String> {
    FIELDS
        .iter()
        .map(|f| (*f, form.get(*f).cloned().unwrap_or_default()))
        .collect()
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

fn check(app: &AppState, f: &mut FormCheck<'_>, form_token: String) -> Option<NewRegistration> {
    let username = f.required(
        "username",
        "Masukkan nama pengguna untuk masuk ke layanan.",
        Username::parse,
    );
    let nama = f.required("nama", "Masukkan nama lengkap sesuai KTP.", PersonName::parse);
    let email = f.required("email", "Masukkan alamat surel yang aktif.", Email::parse);
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
    let tanggal_lahir = f.required("tanggal_lahir", "Masukkan tanggal lahir.", |s| {
        BirthDate::parse(s, today)
    });
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
    let mut f = FormCheck::new(&form);
    let reg = check(&app, &mut f, form_id);
    let Some(reg) = reg.filter(|_| f.ok()) else {
        return render_errors(&app, &v, &form, &f);
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
        RegisterOutcome::Taken { username, email } => {
            if username {
                f.error("username", "Nama pengguna ini sudah dipakai. Pilih nama pengguna lain.");
            }
            if email {
                f.error(
                    "email",
                    "Alamat surel ini sudah terdaftar. Bila ini akun Anda, gunakan Lupa Kata Sandi di halaman Masuk.",
                );
            }
            render_errors(&app, &v, &form, &f)
        }
    }
}

fn render_errors(app: &AppState, v: &Visitor, form: &HashMap<String, String>, f: &FormCheck<'_>) -> Result<Response> {
    let ctx = context! {
        nilai => answers(form),
        form_id => form.get("form_id"),
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
