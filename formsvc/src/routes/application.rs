//! PERMOHONAN for the applicant: choose the permit and applicant type, fill PEMOHON and
//! PERUSAHAAN, read PERSYARATAN, BUAT; then DOKUMEN (one upload per requirement), the "check
//! your answers" summary and "Ajukan"; and the application's page with its timeline.

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use generator::{ApplicantType, ApplicationKind, Permit};
use minijinja::{Value, context};

use crate::application::{KeptRequirement, Status, keep_requirements};
use crate::clock::now;
use crate::domain::*;
use crate::error::{Error, Result};
use crate::form::FormCheck;
use crate::records::{ApplicationRecord, NewApplication, NewDocument, Pemohon, Perusahaan, Submitted};
use crate::routes::auth::applicant_or_redirect;
use crate::routes::views::{self, ApplicationView, DocumentView};
use crate::upload::{self, UploadError};
use crate::web::{AppState, Role, Visitor, see_other};

/// The application `nomor` if it belongs to `applicant_id` (otherwise "not found": another
/// applicant's number reveals nothing).
async fn owned(app: &AppState, nomor: &str, applicant_id: i64) -> Result<ApplicationRecord> {
    app.store
        .application_of(nomor, applicant_id)
        .await?
        .ok_or(Error::NotFound)
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct Choice {
    #[serde(default)]
    izin: String,
    #[serde(default)]
    tipe: String,
    #[serde(default)]
    jenis: String,
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

fn permit_options(app: &AppState) -> Value {
    let groups: Vec<Value> = generator::render::categories(&app.content)
        .into_iter()
        .map(|(nama, idx)| {
            let izin: Vec<Value> = idx
                .iter()
                .map(|&i| context! { slug => app.content.izin[i].slug, nama => app.content.izin[i].nama })
                .collect();
            context! { nama => nama, izin => izin }
        })
        .collect();
    Value::from(groups)
}

fn requirement_view(r: &KeptRequirement) -> Value {
    context! {
        id => r.id, nama => r.nama, wajib => r.wajib, format_label => r.format_label(),
        ukuran_maks_mb => r.ukuran_maks_mb, keterangan => r.keterangan, accept => r.format.iter().map(|f| match f.as_str() {
            "pdf" => ".pdf,application/pdf",
            "jpg" => ".jpg,.jpeg,image/jpeg",
            "png" => ".png,image/png",
            _ => ".zip,application/zip",
        }).collect::<Vec<_>>().join(","),
    }
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
    let ctx = context! {
        izin_pilihan => permit_options(app),
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
    let s = applicant_or_redirect!(app, v);
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
    let nib = if who == Some(ApplicantType::Perusahaan) {
        f.required("nib", "Isi No Register dengan NIB perusahaan (13 digit).", Nib::parse)
    } else {
        f.optional("nib", Nib::parse).flatten()
    };
    let nama = f.required("pemohon_nama", "Masukkan nama pemohon.", PersonName::parse);
    let identitas = f.text("pemohon_identitas", "nomor identitas", 6, 20);
    let telepon = f.required(
        "pemohon_telepon",
        "Masukkan nomor handphone pemohon.",
        PhoneNumber::parse,
    );
    let email = f.required("pemohon_email", "Masukkan alamat surel pemohon.", Email::parse);
    let alamat = f.text("pemohon_alamat", "alamat pemohon", 5, 200);
    let perusahaan = if who == Some(ApplicantType::Perusahaan) {
        let pn = f.text("perusahaan_nama", "nama perusahaan", 2, 150);
        let pnpwp = f.required("perusahaan_npwp", "Masukkan NPWP perusahaan.", Npwp::parse);
        let pa = f.text("perusahaan_alamat", "alamat perusahaan", 5, 200);
        let pt = f.required(
            "perusahaan_telepon",
            "Masukkan nomor telepon perusahaan.",
            PhoneNumber::parse,
        );
        let pe = f.required("perusahaan_email", "Masukkan alamat surel perusahaan.", Email::parse);
        match (pn, pnpwp, pa, pt, pe) {
            (Some(n), Some(np), Some(a), Some(t), Some(e)) => Some(Some(Perusahaan::new(n, &np, a, &t, &e))),
            _ => None,
        }
    } else {
        Some(None)
    };
    let form_id = form.get("form_id").cloned().unwrap_or_default();
    if form_id.len() < 32 || form_id.len() > 64 {
        return Err(Error::Csrf);
    }
    let (
        Some(permit),
        Some(who),
        Some(kind),
        Some(nama),
        Some(identitas),
        Some(telepon),
        Some(email),
        Some(alamat),
        Some(perusahaan),
        true,
    ) = (
        permit,
        who,
        kind,
        nama,
        identitas,
        telepon,
        email,
        alamat,
        perusahaan,
        f.ok(),
    )
    else {
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
        nib,
        pemohon: Pemohon::new(&nama, identitas, &telepon, &email, alamat),
        perusahaan,
        persyaratan: keep_requirements(permit, who, kind),
    };
    let nomor = app.store.create_application(new, now()).await?;
    Ok(see_other(&format!("{}permohonan/{nomor}/dokumen", app.routes.beranda)))
}

fn requirement_rows(a: &ApplicationRecord, docs: &HashMap<String, DocumentView>) -> Vec<Value> {
    a.persyaratan
        .iter()
        .map(|r| context! { syarat => requirement_view(r), dokumen => docs.get(&r.id) })
        .collect()
}

fn missing_required(a: &ApplicationRecord, docs: &HashMap<String, DocumentView>) -> Vec<String> {
    a.persyaratan
        .iter()
        .filter(|r| r.wajib && !docs.contains_key(&r.id))
        .map(|r| r.nama.clone())
        .collect()
}

pub async fn detail(
    State(app): State<AppState>,
    v: Visitor,
    Path(nomor): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response> {
    let s = applicant_or_redirect!(app, v);
    let a = owned(&app, &nomor, s.user_id).await?;
    let docs = views::documents(&app, a.id).await?;
    let events = views::timeline(&app, a.id).await?;
    let info = (q.get("info").map(String::as_str) == Some("diajukan")).then_some(
        "Permohonan telah diajukan. Tanda terima dikirim ke surel Anda; petugas akan memverifikasi dokumen.",
    );
    let ctx = context! {
        permohonan => ApplicationView::of(&a), syarat => requirement_rows(&a, &docs), riwayat => events,
        bisa_ubah => a.status.editable(), info => info,
    };
    app.page(
        &v,
        "layanan/permohonan.html",
        &format!("Permohonan {}", a.nomor),
        None,
        ctx,
    )
}

#[derive(serde::Deserialize, Default)]
pub struct DocQuery {
    #[serde(default)]
    galat: Option<String>,
    #[serde(default)]
    syarat: Option<String>,
    /// The requirement whose document was just saved.
    #[serde(default)]
    tersimpan: Option<String>,
}

pub async fn documents_page(
    State(app): State<AppState>,
    v: Visitor,
    Path(nomor): Path<String>,
    Query(q): Query<DocQuery>,
) -> Result<Response> {
    let s = applicant_or_redirect!(app, v);
    let a = owned(&app, &nomor, s.user_id).await?;
    let saved = q
        .tersimpan
        .as_deref()
        .filter(|id| a.persyaratan.iter().any(|r| r.id == *id));
    documents_view(
        &app,
        &v,
        &a,
        StatusCode::OK,
        (q.syarat.as_deref(), q.galat.as_deref()),
        saved,
    )
    .await
}

async fn documents_view(
    app: &AppState,
    v: &Visitor,
    a: &ApplicationRecord,
    status: StatusCode,
    (syarat, galat): (Option<&str>, Option<&str>),
    saved: Option<&str>,
) -> Result<Response> {
    let docs = views::documents(app, a.id).await?;
    let kurang = missing_required(a, &docs);
    let ctx = context! {
        permohonan => ApplicationView::of(a),
        syarat => requirement_rows(a, &docs),
        kurang => kurang,
        bisa_ubah => a.status.editable(),
        galat_syarat => syarat,
        galat => galat,
        tersimpan => saved,
    };
    app.page_with_status(v, status, "layanan/dokumen.html", "DOKUMEN", None, ctx)
}

pub async fn upload(
    State(app): State<AppState>,
    v: Visitor,
    Path((nomor, req_id)): Path<(String, String)>,
    mut multipart: Multipart,
) -> Result<Response> {
    let s = applicant_or_redirect!(app, v);
    let a = owned(&app, &nomor, s.user_id).await?;
    let Some(req) = a.persyaratan.iter().find(|r| r.id == req_id).cloned() else {
        return Err(Error::NotFound);
    };
    if !a.status.editable() {
        return Ok(closed(&app, &v));
    }
    let binding = v.session.as_ref().map_or(String::new(), |s| s.token_hash.clone());
    let key = app.key.clone();
    let nonce = v.nonce.clone();
    let new_nonce = v.new_nonce;
    let received = upload::receive(
        &mut multipart,
        &app.blobs,
        &req.format,
        req.max_bytes(),
        app.cfg.upload_idle,
        |t| !new_nonce && key.verify(&nonce, &binding, t),
    )
    .await;
    let received = match received {
        Ok(r) => r,
        Err(UploadError::Csrf) => {
            tracing::warn!(ip = %v.ip, "refused: upload without a valid form token");
            return Err(Error::Csrf);
        }
        Err(e) => {
            tracing::info!(ip = %v.ip, problem = e.log_code(), "upload refused");
            return documents_view(
                &app,
                &v,
                &a,
                StatusCode::UNPROCESSABLE_ENTITY,
                (Some(&req_id), Some(&e.to_string())),
                None,
            )
            .await;
        }
    };
    let doc = NewDocument {
        requirement_id: req_id,
        stored_name: received.stored_name.clone(),
        original_name: received.original_name.clone(),
        content_type: received.content_type.to_string(),
        size: received.size as i64,
        sha256: received.sha256.clone(),
    };
    match app.store.save_document(a.id, s.user_id, doc, now()).await {
        Ok(old) => {
            if let Some(old) = old {
                let _ = app.blobs.delete(&old).await;
            }
            Ok(see_other(&format!(
                "{}permohonan/{}/dokumen?tersimpan={}#syarat-{}",
                app.routes.beranda, a.nomor, req.id, req.id
            )))
        }
        Err(e) => {
            received.discard(&app.blobs).await;
            Err(e)
        }
    }
}

/// The answer to a document change on an application that is no longer the applicant's to edit.
fn closed(app: &AppState, v: &Visitor) -> Response {
    app.message(
        v,
        StatusCode::CONFLICT,
        "Dokumen tidak dapat diubah",
        "Permohonan ini sedang diperiksa petugas; dokumen tidak dapat diubah.",
    )
}

pub async fn remove(
    State(app): State<AppState>,
    v: Visitor,
    Path((nomor, req_id)): Path<(String, String)>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response> {
    let s = applicant_or_redirect!(app, v);
    app.check_form_token(&v, &form)?;
    let a = owned(&app, &nomor, s.user_id).await?;
    if !a.status.editable() {
        return Ok(closed(&app, &v));
    }
    let old = app.store.remove_document(a.id, &req_id).await?;
    if let Some(old) = old {
        let _ = app.blobs.delete(&old).await;
    }
    Ok(see_other(&format!(
        "{}permohonan/{}/dokumen",
        app.routes.beranda, a.nomor
    )))
}

pub async fn check_answers(State(app): State<AppState>, v: Visitor, Path(nomor): Path<String>) -> Result<Response> {
    let s = applicant_or_redirect!(app, v);
    let a = owned(&app, &nomor, s.user_id).await?;
    let docs = views::documents(&app, a.id).await?;
    let kurang = missing_required(&a, &docs);
    let ctx = context! { permohonan => ApplicationView::of(&a), syarat => requirement_rows(&a, &docs), kurang => kurang, bisa_ubah => a.status.editable() };
    app.page(&v, "layanan/ajukan.html", "Periksa dan Ajukan", None, ctx)
}

pub async fn submit(
    State(app): State<AppState>,
    v: Visitor,
    Path(nomor): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response> {
    let s = applicant_or_redirect!(app, v);
    app.check_form_token(&v, &form)?;
    let a = owned(&app, &nomor, s.user_id).await?;
    let docs = views::documents(&app, a.id).await?;
    if !missing_required(&a, &docs).is_empty() || !a.status.editable() {
        return check_answers(State(app), v, Path(nomor)).await.map(|mut r| {
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            r
        });
    }
    let console = app.link(&format!("{}petugas/permohonan/{}", app.routes.beranda, a.nomor));
    let detail_link = app.link(&format!("{}permohonan/{}", app.routes.beranda, a.nomor));
    let (app2, a2) = (app.clone(), a.clone());
    let compose = Box::new(move |sub: &Submitted| {
        let ulang = sub.from == Status::Perbaikan;
        let mut mails = vec![app2.compose(
            "permohonan_diajukan",
            &sub.applicant.email,
            format!("Permohonan diajukan: {}", a2.nomor),
            Some(&a2.instansi),
            context! { nama => sub.applicant.nama, nomor => a2.nomor, izin => a2.permit_nama, tautan => detail_link, ulang => ulang },
        )?];
        for officer in &sub.officers {
            mails.push(app2.compose(
                "permohonan_masuk",
                &officer.email,
                format!("Permohonan masuk: {} ({})", a2.nomor, a2.permit_nama),
                Some(&a2.instansi),
                context! { nama_petugas => officer.nama, nomor => a2.nomor, izin => a2.permit_nama, tautan => console, ulang => ulang },
            )?);
        }
        Ok(mails)
    });
    app.store.submit_application(a.id, s.user_id, now(), compose).await?;
    app.mail_wake.notify_one();
    Ok(see_other(&format!(
        "{}permohonan/{}?info=diajukan",
        app.routes.beranda, a.nomor
    )))
}

/// Serves a document to its owner or to an officer of the application's unit; never as HTML.
pub async fn download(
    State(app): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response> {
    let Some(session) = v.session.clone() else {
        tracing::warn!(ip = %v.ip, document = id, "refused: document without a session");
        return Err(Error::NotFound);
    };
    let Some(doc) = app.store.document_for_download(id).await? else {
        return Err(Error::NotFound);
    };
    // The download rule is the review rule: the owner, or an officer of the unit once the
    // application has been submitted (a draft is nobody's business but the applicant's).
    let allowed = match session.role {
        Role::Applicant => doc.applicant_id == session.user_id,
        Role::Officer => app
            .store
            .officer(session.user_id)
            .await?
            .is_some_and(|o| o.instansi == doc.instansi && o.unit == doc.unit && doc.status != Status::Draf),
    };
    if !allowed {
        tracing::warn!(ip = %v.ip, document = id, role = session.role.as_str(), "refused: document of someone else");
        return Err(Error::NotFound);
    }
    let (stored, original, ctype) = (doc.stored_name, doc.original_name, doc.content_type);
    // Streamed from the store: a large scan never sits whole in memory.
    let body = axum::body::Body::from_stream(app.blobs.get(&stored).await?);
    let inline = q.contains_key("lihat") && session.role == Role::Officer;
    let safe_name: String = original
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = format!(
        "{}; filename=\"{}\"",
        if inline { "inline" } else { "attachment" },
        safe_name
    );
    Ok((
        [
            (header::CONTENT_TYPE, ctype),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_string()),
            (
                header::CONTENT_SECURITY_POLICY,
                "sandbox; default-src 'none'".to_string(),
            ),
        ],
        body,
    )
        .into_response())
}
