//! PERMOHONAN and BUAT: choose the permit and applicant type, fill PEMOHON and PERUSAHAAN, read
//! PERSYARATAN, and create the draft.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use generator::{ApplicantType, ApplicationKind, Permit};
use minijinja::{Value, context};

use super::{parse_details, requirement_view};
use crate::application::keep_requirements;
use crate::clock::now;
use crate::error::{Error, Result};
use crate::form::FormCheck;
use crate::records::NewApplication;
use crate::routes::auth::{applicant_or_redirect, require_returning};
use crate::web::{AppState, Role, Visitor};

#[derive(Debug, Default, serde::Deserialize)]
pub struct Choice {
    #[serde(default)]
    izin: String,
    #[serde(default)]
    tipe: String,
    #[serde(default)]
    jenis: String,
    /// "Cari jenis izin": narrows the list without JavaScript (`generator::finder`).
    #[serde(default)]
    cari: String,
}

struct Chosen<'a> {
    permit: &'a Permit,
    who: Option<ApplicantType>,
    kind: Option<ApplicationKind>,
}

fn chosen<'a>(app: &'a AppState, c: &Choice) -> Option<Chosen<'a>> {
    let permit = app.content.permit(&c.izin)?;
    let who = ApplicantType::from_word(&c.tipe).filter(|t| permit.tipe_pemohon.contains(t));
    let kind = ApplicationKind::from_word(&c.jenis).filter(|k| permit.jenis_permohonan.contains(k));
    // A permit with one possible answer needs no choice.
    let who = who.or_else(|| (permit.tipe_pemohon.len() == 1).then(|| permit.tipe_pemohon[0]));
    let kind = kind.or_else(|| (permit.jenis_permohonan.len() == 1).then(|| permit.jenis_permohonan[0]));
    Some(Chosen { permit, who, kind })
}

/// The "Jenis Izin" options by category, narrowed to the permits `cari` finds (the chosen one
/// stays, so a search never unselects it), and how many the search found. Each option carries
/// the text it is found by, for the same search in the browser as the applicant types.
fn permit_options(app: &AppState, cari: &str, chosen: &str) -> (Value, usize) {
    let query = generator::finder::query_words(cari);
    let mut found = 0;
    let groups: Vec<Value> = generator::render::categories(&app.content)
        .into_iter()
        .filter_map(|(nama, idx)| {
            let izin: Vec<Value> = idx
                .iter()
                .map(|&i| &app.content.izin[i])
                .filter_map(|p| {
                    let text = generator::finder::permit_text(p, &app.content.situs);
                    let hit = generator::finder::matches(&generator::finder::entry_words(&text), &query);
                    found += usize::from(hit);
                    (hit || p.slug == chosen).then(|| context! { slug => p.slug, nama => p.nama, cari => text })
                })
                .collect();
            (!izin.is_empty()).then(|| context! { nama => nama, izin => izin })
        })
        .collect();
    (Value::from(groups), found)
}

/// PEMOHON fields, prefilled from the profile.
async fn profile_defaults(app: &AppState, applicant_id: i64) -> Result<HashMap<String, String>> {
    let a = crate::routes::views::active_applicant(app, applicant_id).await?;
    Ok(HashMap::from([
        ("pemohon_nama".to_string(), a.nama.as_str().to_string()),
        ("pemohon_identitas".to_string(), a.nomor_identitas.clone()),
        ("pemohon_telepon".to_string(), a.telepon.as_str().to_string()),
        ("pemohon_email".to_string(), a.email.as_str().to_string()),
        ("pemohon_alamat".to_string(), a.alamat.clone()),
    ]))
}

const FORM_FIELDS: [&str; 11] = [
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

fn form_page(
    app: &AppState,
    v: &Visitor,
    status: StatusCode,
    c: &Choice,
    values: &HashMap<String, String>,
    errors: Value,
) -> Result<Response> {
    let ch = chosen(app, c);
    let nilai: HashMap<&str, String> = FORM_FIELDS
        .iter()
        .map(|k| (*k, values.get(*k).cloned().unwrap_or_default()))
        .collect();
    let (izin, tipe_pilihan, jenis_pilihan, persyaratan, lengkap) = match &ch {
        Some(ch) => {
            let tipe: Vec<Value> = ch
                .permit
                .tipe_pemohon
                .iter()
                .map(|t| context! { kode => t.as_str(), nama => t.label() })
                .collect();
            let jenis: Vec<Value> = ch
                .permit
                .jenis_permohonan
                .iter()
                .map(|k| context! { kode => k.as_str(), nama => k.label() })
                .collect();
            let reqs: Vec<Value> = match (ch.who, ch.kind) {
                (Some(w), Some(k)) => keep_requirements(ch.permit, w, k)
                    .iter()
                    .map(requirement_view)
                    .collect(),
                _ => Vec::new(),
            };
            (
                Some(
                    context! { slug => ch.permit.slug, nama => ch.permit.nama, lama => ch.permit.lama_proses_hari_kerja },
                ),
                tipe,
                jenis,
                reqs,
                ch.who.is_some() && ch.kind.is_some(),
            )
        }
        None => (None, vec![], vec![], vec![], false),
    };
    let (izin_pilihan, cocok) = permit_options(app, &c.cari, &c.izin);
    let cari = c.cari.trim();
    let ctx = context! {
        izin_pilihan => izin_pilihan,
        cari => context! { teks => cari, cocok => cocok },
        izin => izin,
        pilihan => context! {
            izin => c.izin,
            tipe => ch.as_ref().and_then(|c| c.who).map(|w| w.as_str()),
            jenis => ch.as_ref().and_then(|c| c.kind).map(|k| k.as_str()),
        },
        tipe_pilihan => tipe_pilihan,
        jenis_pilihan => jenis_pilihan,
        persyaratan => persyaratan,
        lengkap => lengkap,
        perusahaan => ch.as_ref().and_then(|c| c.who) == Some(ApplicantType::Perusahaan),
        nilai => nilai,
        form_id => values.get("form_id").cloned().unwrap_or_else(crate::security::random_token),
        instansi => app.content.situs.instansi,
        unit => app.content.situs.unit,
        ..errors
    };
    app.page_with_status(v, status, "layanan/permohonan_baru.html", "PERMOHONAN", None, ctx)
}

pub async fn new_form(State(app): State<AppState>, v: Visitor, Query(c): Query<Choice>) -> Result<Response> {
    // Signed out (a permit page's start button): Masuk, then back here with the permit chosen.
    let kembali = match app.content.permit(&c.izin) {
        Some(p) => format!("{}?izin={}", app.routes.permohonan_baru, p.slug),
        None => app.routes.permohonan_baru.clone(),
    };
    let s = match require_returning(&app, &v, Role::Applicant, Some(&kembali)) {
        Ok(s) => s,
        Err(r) => return Ok(*r),
    };
    let mut values = profile_defaults(&app, s.user_id).await?;
    values.insert("form_id".into(), crate::security::random_token());
    form_page(&app, &v, StatusCode::OK, &c, &values, context! {})
}

pub async fn create(
    State(app): State<AppState>,
    v: Visitor,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response> {
    let s = applicant_or_redirect!(app, v);
    app.check_form_token(&v, &form)?;
    let c = Choice {
        izin: form.get("izin").cloned().unwrap_or_default(),
        tipe: form.get("tipe").cloned().unwrap_or_default(),
        jenis: form.get("jenis").cloned().unwrap_or_default(),
        cari: String::new(),
    };
    let mut f = FormCheck::new(&form);
    let ch = chosen(&app, &c);
    let (permit, who, kind) = match &ch {
        None => {
            f.error("izin", "Pilih Jenis Izin.");
            (None, None, None)
        }
        Some(ch) => {
            if ch.who.is_none() {
                f.error("tipe", "Pilih Tipe Pemohon yang dapat mengajukan izin ini.");
            }
            if ch.kind.is_none() {
                f.error("jenis", "Pilih Jenis Permohonan.");
            }
            (Some(ch.permit), ch.who, ch.kind)
        }
    };
    let details = parse_details(&mut f, who);
    let form_id = form.get("form_id").cloned().unwrap_or_default();
    if form_id.len() < 32 || form_id.len() > 64 {
        return Err(Error::Csrf);
    }
    let (Some(permit), Some(who), Some(kind), Some(details), true) = (permit, who, kind, details, f.ok()) else {
        return form_page(&app, &v, StatusCode::UNPROCESSABLE_ENTITY, &c, &form, f.context());
    };
    let new = NewApplication {
        form_token: form_id,
        applicant_id: s.user_id,
        permit_slug: permit.slug.clone(),
        permit_nama: permit.nama.clone(),
        instansi: app.content.situs.instansi.clone(),
        unit: app.content.situs.unit.clone(),
        kind,
        who,
        nib: details.nib,
        pemohon: details.pemohon,
        perusahaan: details.perusahaan,
        persyaratan: keep_requirements(permit, who, kind),
    };
    let nomor = app.store.create_application(new, now()).await?;
    app.metrics.acknowledged("permohonan");
    Ok(app.see_other_with(
        &format!("{}permohonan/{nomor}/dokumen", app.routes.beranda),
        crate::flash::Flash::ApplicationCreated(nomor.clone()),
    ))
}
