//! "Layanan Pemohon": the applicant's home with their applications, the contact data they
//! may change themselves, and the request to correct what identifies them (name, identity
//! number), which changes nothing until an officer approves it.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;

use crate::clock::{format_wib, now};
use crate::domain::*;
use crate::error::Result;
use crate::form::FormCheck;
use crate::records::{Applicant, ContactUpdate, CorrectedField, NewCorrection};
use crate::routes::auth::require;
use crate::routes::views;
use crate::web::{AppState, Role, Visitor, see_other};

/// The applicant as "Layanan Pemohon" shows them.
#[derive(serde::Serialize)]
struct Profile {
    nomor: String,
    username: String,
    nama: String,
    email: String,
    instansi: String,
    tipe_identitas: String,
    nomor_identitas: String,
    jenis_kelamin: String,
    tempat_lahir: String,
    tanggal_lahir: String,
    pekerjaan: String,
    npwp: Option<String>,
    telepon: String,
    alamat: String,
    kabupaten: String,
    kode_pos: String,
}

impl Profile {
    fn of(a: &Applicant) -> Profile {
        Profile {
            nomor: a.nomor.clone(),
            username: a.username.as_str().to_string(),
            nama: a.nama.as_str().to_string(),
            email: a.email.as_str().to_string(),
            instansi: a.instansi.clone(),
            tipe_identitas: a.tipe_identitas.code().to_string(),
            nomor_identitas: a.nomor_identitas.clone(),
            jenis_kelamin: a.jenis_kelamin.code().to_string(),
            tempat_lahir: a.tempat_lahir.clone(),
            tanggal_lahir: crate::clock::format_iso_date(&a.tanggal_lahir),
            pekerjaan: a.pekerjaan.clone(),
            npwp: a.npwp.as_ref().map(|n| n.as_str().to_string()),
            telepon: a.telepon.as_str().to_string(),
            alamat: a.alamat.clone(),
            kabupaten: a.kabupaten.clone(),
            kode_pos: a.kode_pos.as_str().to_string(),
        }
    }
}

async fn profile(app: &AppState, id: i64) -> Result<Profile> {
    Ok(Profile::of(&views::active_applicant(app, id).await?))
}

#[derive(serde::Deserialize)]
pub struct HomeQuery {
    #[serde(default)]
    info: Option<String>,
}

pub async fn home(State(app): State<AppState>, v: Visitor, Query(q): Query<HomeQuery>) -> Result<Response> {
    let s = match require(&app, &v, Role::Applicant) {
        Ok(s) => s,
        Err(redirect) => return Ok(*redirect),
    };
    let p = profile(&app, s.user_id).await?;
    let info = (q.info.as_deref() == Some("profil")).then_some("Data kontak Anda telah disimpan.");
    let permohonan = views::applications_of(&app, s.user_id).await?;
    let ctx = context! { pemohon => p, permohonan => permohonan, info => info };
    app.page(
        &v,
        "layanan/beranda_pemohon.html",
        "Layanan Pemohon",
        Some("beranda_pemohon"),
        ctx,
    )
}

pub async fn show_profile(State(app): State<AppState>, v: Visitor, Query(q): Query<HomeQuery>) -> Result<Response> {
    let s = match require(&app, &v, Role::Applicant) {
        Ok(s) => s,
        Err(redirect) => return Ok(*redirect),
    };
    let p = profile(&app, s.user_id).await?;
    let kode = crate::wilayah::KABUPATEN_KOTA
        .iter()
        .find(|(_, n)| *n == p.kabupaten)
        .map_or("luar", |(k, _)| *k);
    let nilai = context! { telepon => p.telepon, alamat => p.alamat, kabupaten => kode, kode_pos => p.kode_pos };
    let info = match q.info.as_deref() {
        Some("koreksi") => Some("Permintaan perbaikan Anda telah dicatat. Data berubah setelah disetujui petugas."),
        _ => None,
    };
    let ctx = context! { nilai => nilai, info => info, ..corrections(&app, s.user_id).await? };
    app.page(
        &v,
        "layanan/profil.html",
        "Ubah Data Kontak",
        None,
        context! { ..minijinja::value::merge_maps([ctx, kabupaten_options()]) },
    )
}

/// The applicant's correction requests for the profile page, and whether one still waits.
async fn corrections(app: &AppState, applicant_id: i64) -> Result<minijinja::Value> {
    let list = app.store.corrections_of(applicant_id, CORRECTIONS_SHOWN).await?;
    let waiting = list
        .iter()
        .any(|c| c.status == crate::records::CorrectionStatus::Diajukan);
    let rows: Vec<minijinja::Value> = list
        .iter()
        .map(|c| {
            context! {
                bagian => c.field.label(), nilai => c.value, status_label => c.status.label(),
                waktu => format_wib(c.requested_at), alasan_tolak => c.alasan_tolak,
            }
        })
        .collect();
    Ok(context! { koreksi => rows, koreksi_menunggu => waiting })
}

/// How many of their correction requests the profile page lists, newest first.
const CORRECTIONS_SHOWN: i64 = 10;

/// "Perbaiki nama atau nomor identitas": parsed as registration parses them, recorded for an
/// officer; the account changes only when the officer approves.
pub async fn request_correction(
    State(app): State<AppState>,
    v: Visitor,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response> {
    let s = match require(&app, &v, Role::Applicant) {
        Ok(s) => s,
        Err(redirect) => return Ok(*redirect),
    };
    app.check_form_token(&v, &form)?;
    let applicant = views::active_applicant(&app, s.user_id).await?;
    let mut f = FormCheck::new(&form);
    let field = CorrectedField::parse(f.raw("bagian"));
    if field.is_none() {
        f.error("bagian", "Pilih data yang akan diperbaiki.");
    }
    let value = match field {
        Some(CorrectedField::Nama) => f
            .required("nilai_baru", "Masukkan nama lengkap yang benar.", PersonName::parse)
            .map(|n| n.as_str().to_string()),
        Some(CorrectedField::NomorIdentitas) => match applicant.tipe_identitas {
            IdentityType::Ktp => f
                .required("nilai_baru", "Masukkan NIK 16 digit sesuai KTP.", Nik::parse)
                .map(|n| n.as_str().to_string()),
            IdentityType::Paspor => {
                let raw = f.raw("nilai_baru").trim().to_uppercase();
                if raw.len() < 6 || raw.len() > 12 || !raw.chars().all(|c| c.is_ascii_alphanumeric()) {
                    f.error("nilai_baru", "Masukkan nomor paspor 6 sampai 12 huruf atau angka.");
                    None
                } else {
                    Some(raw)
                }
            }
        },
        None => None,
    };
    let alasan = f.text("alasan", "alasan perbaikan", 10, 500);
    let (Some(field), Some(value), Some(alasan), true) = (field, value, alasan, f.ok()) else {
        return correction_refused(&app, &v, s.user_id, &applicant, &form, f).await;
    };
    let new = NewCorrection { field, value, alasan };
    if !app.store.request_correction(s.user_id, new, now()).await? {
        let mut f = FormCheck::new(&form);
        f.error(
            "bagian",
            "Masih ada permintaan perbaikan yang menunggu diperiksa petugas. Tunggu keputusannya sebelum mengajukan yang lain.",
        );
        return correction_refused(&app, &v, s.user_id, &applicant, &form, f).await;
    }
    Ok(see_other(&format!("{}profil?info=koreksi", app.routes.beranda)))
}

/// The profile page again with the correction form's errors and what was typed.
async fn correction_refused(
    app: &AppState,
    v: &Visitor,
    applicant_id: i64,
    applicant: &Applicant,
    form: &HashMap<String, String>,
    f: FormCheck<'_>,
) -> Result<Response> {
    let p = Profile::of(applicant);
    let kode = crate::wilayah::KABUPATEN_KOTA
        .iter()
        .find(|(_, n)| *n == p.kabupaten)
        .map_or("luar", |(k, _)| *k);
    let nilai = context! { telepon => p.telepon, alamat => p.alamat, kabupaten => kode, kode_pos => p.kode_pos };
    let koreksi_nilai: HashMap<&str, String> = ["bagian", "nilai_baru", "alasan"]
        .iter()
        .map(|k| (*k, form.get(*k).cloned().unwrap_or_default()))
        .collect();
    let ctx = context! { nilai => nilai, koreksi_nilai => koreksi_nilai, ..corrections(app, applicant_id).await? };
    app.page_with_status(
        v,
        StatusCode::UNPROCESSABLE_ENTITY,
        "layanan/profil.html",
        "Ubah Data Kontak",
        None,
        context! { ..minijinja::value::merge_maps([f.context(), ctx, kabupaten_options()]) },
    )
}

fn kabupaten_options() -> minijinja::Value {
    let list: Vec<minijinja::Value> = crate::wilayah::KABUPATEN_KOTA
        .iter()
        .chain(std::iter::once(&crate::wilayah::LUAR_SUMSEL))
        .map(|(kode, nama)| context! { kode => kode, nama => nama })
        .collect();
    context! { kabupaten_pilihan => list }
}

pub async fn update_profile(
    State(app): State<AppState>,
    v: Visitor,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response> {
    let s = match require(&app, &v, Role::Applicant) {
        Ok(s) => s,
        Err(redirect) => return Ok(*redirect),
    };
    app.check_form_token(&v, &form)?;
    let mut f = FormCheck::new(&form);
    let telepon = f.required("telepon", "Masukkan nomor handphone yang aktif.", PhoneNumber::parse);
    let alamat = f.text("alamat", "alamat sesuai KTP", 5, 200);
    let kabupaten = crate::wilayah::name_of(f.raw("kabupaten"));
    if kabupaten.is_none() {
        f.error("kabupaten", "Pilih kabupaten/kota tempat tinggal.");
    }
    let kode_pos = f.required("kode_pos", "Masukkan kode pos 5 digit.", PostalCode::parse);
    let (Some(telepon), Some(alamat), Some(kabupaten), Some(kode_pos), true) =
        (telepon, alamat, kabupaten, kode_pos, f.ok())
    else {
        let nilai: HashMap<&str, String> = ["telepon", "alamat", "kabupaten", "kode_pos"]
            .iter()
            .map(|k| (*k, form.get(*k).cloned().unwrap_or_default()))
            .collect();
        let ctx = context! { nilai => nilai, ..minijinja::value::merge_maps([f.context(), kabupaten_options()]) };
        return app.page_with_status(
            &v,
            StatusCode::UNPROCESSABLE_ENTITY,
            "layanan/profil.html",
            "Ubah Data Kontak",
            None,
            ctx,
        );
    };
    let update = ContactUpdate {
        telepon,
        alamat,
        kabupaten: kabupaten.to_string(),
        kode_pos,
    };
    let holder = views::active_applicant(&app, s.user_id).await?;
    let notice = app.compose(
        "kontak_diubah",
        holder.email.as_str(),
        "Data kontak akun Anda telah diubah".to_string(),
        Some(&holder.instansi),
        context! {
            nama => holder.nama.as_str(),
            username => holder.username.as_str(),
            waktu => crate::clock::format_wib(now()),
            profil => app.link(&format!("{}/profil", app.content.situs.layanan)),
            lupa_sandi => app.link(&format!("{}/lupa-sandi", app.content.situs.layanan)),
        },
    )?;
    app.store.update_contact(s.user_id, update, notice, now()).await?;
    app.mail_wake.notify_one();
    Ok(see_other(&format!("{}?info=profil", app.routes.beranda)))
}
