//! "Layanan Pemohon": the applicant's home with their applications, and the contact data they
//! may change themselves.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::context;

use crate::clock::now;
use crate::domain::*;
use crate::error::Result;
use crate::form::FormCheck;
use crate::records::{Applicant, ContactUpdate};
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
            tanggal_lahir: a.tanggal_lahir.clone(),
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
    app.page(&v, "layanan/beranda_pemohon.html", "Layanan Pemohon", None, ctx)
}

pub async fn show_profile(State(app): State<AppState>, v: Visitor) -> Result<Response> {
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
    app.page(
        &v,
        "layanan/profil.html",
        "Ubah Data Kontak",
        None,
        context! { nilai => nilai, ..kabupaten_options() },
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
