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
use rusqlite::{OptionalExtension, params};

use crate::application::{KeptRequirement, Status, keep_requirements, new_number};
use crate::clock::format_wib;
use crate::db::now;
use crate::domain::*;
use crate::error::{Error, Result};
use crate::form::FormCheck;
use crate::outbox;
use crate::routes::account::require;
use crate::upload::{self, UploadError};
use crate::web::{AppState, Role, Visitor, see_other};

/// One application as its pages need it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Application {
    pub id: i64,
    pub nomor: String,
    pub applicant_id: i64,
    pub permit_slug: String,
    pub permit_nama: String,
    pub instansi: String,
    pub unit: String,
    pub jenis_permohonan: String,
    pub tipe_pemohon: String,
    pub nib: Option<String>,
    pub pemohon: HashMap<String, String>,
    pub perusahaan: Option<HashMap<String, String>>,
    pub persyaratan: Vec<KeptRequirement>,
    pub status: String,
    pub status_label: String,
    pub dibuat: String,
    pub diajukan: Option<String>,
}

impl Application {
    pub fn status(&self) -> Status {
        Status::parse(&self.status).unwrap_or(Status::Draf)
    }
}

const APP_COLUMNS: &str =
    "id, nomor, applicant_id, permit_slug, permit_nama, instansi, unit, jenis_permohonan, tipe_pemohon, nib,
     pemohon_json, perusahaan_json, persyaratan_json, status, created_at, submitted_at";

pub fn row_to_application(r: &rusqlite::Row<'_>) -> rusqlite::Result<Application> {
    let status: String = r.get(13)?;
    let pemohon: String = r.get(10)?;
    let perusahaan: Option<String> = r.get(11)?;
    let persyaratan: String = r.get(12)?;
    let jenis: String = r.get(7)?;
    let tipe: String = r.get(8)?;
    Ok(Application {
        id: r.get(0)?,
        nomor: r.get(1)?,
        applicant_id: r.get(2)?,
        permit_slug: r.get(3)?,
        permit_nama: r.get(4)?,
        instansi: r.get(5)?,
        unit: r.get(6)?,
        jenis_permohonan: ApplicationKind::from_word(&jenis).map_or(jenis.clone(), |k| k.label().to_string()),
        tipe_pemohon: ApplicantType::from_word(&tipe).map_or(tipe.clone(), |k| k.label().to_string()),
        nib: r.get(9)?,
        pemohon: serde_json::from_str(&pemohon).unwrap_or_default(),
        perusahaan: perusahaan.and_then(|p| serde_json::from_str(&p).ok()),
        persyaratan: serde_json::from_str(&persyaratan).unwrap_or_default(),
        status_label: Status::parse(&status).map_or("", |s| s.label()).to_string(),
        status,
        dibuat: format_wib(r.get(14)?),
        diajukan: r.get::<_, Option<i64>>(15)?.map(format_wib),
    })
}

/// The application `nomor` if it belongs to `applicant_id` (otherwise "not found": another
/// applicant's number reveals nothing).
pub async fn owned(app: &AppState, nomor: &str, applicant_id: i64) -> Result<Application> {
    let nomor = nomor.to_string();
    app.db
        .read(move |c| {
            Ok(c.query_row(
                &format!("SELECT {APP_COLUMNS} FROM applications WHERE nomor = ?1 AND applicant_id = ?2"),
                params![nomor, applicant_id],
                row_to_application,
            )
            .optional()?)
        })
        .await?
        .ok_or(Error::NotFound)
}

pub async fn by_number(app: &AppState, nomor: &str) -> Result<Option<Application>> {
    let nomor = nomor.to_string();
    app.db
        .read(move |c| {
            Ok(c.query_row(
                &format!("SELECT {APP_COLUMNS} FROM applications WHERE nomor = ?1"),
                [nomor],
                row_to_application,
            )
            .optional()?)
        })
        .await
}

/// Uploaded documents of an application, by requirement id.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Document {
    pub id: i64,
    pub requirement_id: String,
    pub original_name: String,
    pub content_type: String,
    pub size_label: String,
    pub sha256: String,
    pub uploaded: String,
    pub catatan: Option<String>,
}

pub async fn documents(app: &AppState, application_id: i64) -> Result<HashMap<String, Document>> {
    app.db
        .read(move |c| {
            let mut stmt = c.prepare(
                "SELECT id, requirement_id, original_name, content_type, size, sha256, uploaded_at, catatan
                 FROM documents WHERE application_id = ?1",
            )?;
            let rows = stmt
                .query_map([application_id], |r| {
                    let size: i64 = r.get(4)?;
                    Ok(Document {
                        id: r.get(0)?,
                        requirement_id: r.get(1)?,
                        original_name: r.get(2)?,
                        content_type: r.get(3)?,
                        size_label: size_label(size),
                        sha256: r.get(5)?,
                        uploaded: format_wib(r.get(6)?),
                        catatan: r.get(7)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows.into_iter().map(|d| (d.requirement_id.clone(), d)).collect())
        })
        .await
}

fn size_label(bytes: i64) -> String {
    if bytes >= 1024 * 1024 {
        format!("{:.1} MB", bytes as f64 / (1024.0 * 1024.0)).replace('.', ",")
    } else {
        format!("{} KB", (bytes + 1023) / 1024)
    }
}

/// The history of an application, oldest first.
pub async fn timeline(app: &AppState, application_id: i64) -> Result<Vec<Value>> {
    app.db
        .read(move |c| {
            let mut stmt = c.prepare(
                "SELECT at, actor_kind, actor_label, to_status, note FROM application_events WHERE application_id = ?1 ORDER BY at, id",
            )?;
            let rows = stmt
                .query_map([application_id], |r| {
                    let to: String = r.get(3)?;
                    let kind: String = r.get(1)?;
                    Ok(context! {
                        waktu => format_wib(r.get(0)?),
                        oleh => if kind == "petugas" { format!("{} (petugas)", r.get::<_, String>(2)?) } else { "Pemohon".to_string() },
                        status => Status::parse(&to).map_or("", |s| s.label()),
                        catatan => r.get::<_, Option<String>>(4)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await
}

pub fn record_event(
    tx: &rusqlite::Transaction<'_>,
    application_id: i64,
    actor: (&str, Option<i64>, &str),
    from: Option<Status>,
    to: Status,
    note: Option<&str>,
) -> Result<()> {
    tx.execute(
        "INSERT INTO application_events (application_id, at, actor_kind, actor_id, actor_label, from_status, to_status, note)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![application_id, now(), actor.0, actor.1, actor.2, from.map(|s| s.as_str()), to.as_str(), note],
    )?;
    Ok(())
}

macro_rules! applicant_or_redirect {
    ($app:expr, $v:expr) => {
        match require(&$app, &$v, Role::Applicant) {
            Ok(s) => s,
            Err(r) => return Ok(*r),
        }
    };
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
    app.db
        .read(move |c| {
            Ok(c.query_row(
                "SELECT nama, nomor_identitas, telepon, email, alamat FROM applicants WHERE id = ?1",
                [applicant_id],
                |r| {
                    let mut m = HashMap::new();
                    m.insert("pemohon_nama".to_string(), r.get::<_, String>(0)?);
                    m.insert("pemohon_identitas".to_string(), r.get::<_, String>(1)?);
                    m.insert("pemohon_telepon".to_string(), r.get::<_, String>(2)?);
                    m.insert("pemohon_email".to_string(), r.get::<_, String>(3)?);
                    m.insert("pemohon_alamat".to_string(), r.get::<_, String>(4)?);
                    Ok(m)
                },
            )?)
        })
        .await
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
            (Some(n), Some(np), Some(a), Some(t), Some(e)) => Some(Some(HashMap::from([
                ("nama".to_string(), n),
                ("npwp".to_string(), np.as_str().to_string()),
                ("alamat".to_string(), a),
                ("telepon".to_string(), t.as_str().to_string()),
                ("email".to_string(), e.as_str().to_string()),
            ]))),
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
    let kept = keep_requirements(permit, who, kind);
    let pemohon = HashMap::from([
        ("nama".to_string(), nama.as_str().to_string()),
        ("identitas".to_string(), identitas),
        ("telepon".to_string(), telepon.as_str().to_string()),
        ("email".to_string(), email.as_str().to_string()),
        ("alamat".to_string(), alamat),
    ]);
    let row = (
        permit.slug.clone(),
        permit.nama.clone(),
        app.content.situs.instansi.clone(),
        app.content.situs.unit.clone(),
        kind.as_str(),
        who.as_str(),
        nib.map(|n| n.as_str().to_string()),
        serde_json::to_string(&pemohon).map_err(|e| Error::Internal(e.to_string()))?,
        perusahaan
            .map(|p| serde_json::to_string(&p))
            .transpose()
            .map_err(|e| Error::Internal(e.to_string()))?,
        serde_json::to_string(&kept).map_err(|e| Error::Internal(e.to_string()))?,
    );
    let applicant = s.user_id;
    let nomor = app
        .db
        .write(move |tx| {
            if let Some(n) = tx
                .query_row("SELECT nomor FROM applications WHERE form_token = ?1 AND applicant_id = ?2", params![form_id, applicant], |r| {
                    r.get::<_, String>(0)
                })
                .optional()?
            {
                return Ok(n);
            }
            let username: String = tx.query_row("SELECT username FROM applicants WHERE id = ?1", [applicant], |r| r.get(0))?;
            let now = now();
            // A clash of random numbers is unlikely; try a few before giving up.
            let mut nomor = new_number();
            for _ in 0..5 {
                let taken: bool = tx.query_row("SELECT EXISTS(SELECT 1 FROM applications WHERE nomor = ?1)", [&nomor], |r| r.get(0))?;
                if !taken {
                    break;
                }
                nomor = new_number();
            }
            tx.execute(
                "INSERT INTO applications (nomor, form_token, applicant_id, permit_slug, permit_nama, instansi, unit, jenis_permohonan,
                    tipe_pemohon, nib, pemohon_json, perusahaan_json, persyaratan_json, status, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 'draf', ?14, ?14)",
                params![nomor, form_id, applicant, row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8, row.9, now],
            )?;
            let id = tx.last_insert_rowid();
            record_event(tx, id, ("pemohon", Some(applicant), &username), None, Status::Draf, None)?;
            Ok(nomor)
        })
        .await?;
    Ok(see_other(&format!("{}permohonan/{nomor}/dokumen", app.routes.beranda)))
}

fn requirement_rows(a: &Application, docs: &HashMap<String, Document>) -> Vec<Value> {
    a.persyaratan
        .iter()
        .map(|r| context! { syarat => requirement_view(r), dokumen => docs.get(&r.id) })
        .collect()
}

fn missing_required(a: &Application, docs: &HashMap<String, Document>) -> Vec<String> {
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
    let docs = documents(&app, a.id).await?;
    let events = timeline(&app, a.id).await?;
    let info = (q.get("info").map(String::as_str) == Some("diajukan")).then_some(
        "Permohonan telah diajukan. Tanda terima dikirim ke surel Anda; petugas akan memverifikasi dokumen.",
    );
    let ctx = context! {
        permohonan => a.clone(), syarat => requirement_rows(&a, &docs), riwayat => events,
        bisa_ubah => a.status().editable(), info => info,
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
    a: &Application,
    status: StatusCode,
    (syarat, galat): (Option<&str>, Option<&str>),
    saved: Option<&str>,
) -> Result<Response> {
    let docs = documents(app, a.id).await?;
    let kurang = missing_required(a, &docs);
    let ctx = context! {
        permohonan => a.clone(),
        syarat => requirement_rows(a, &docs),
        kurang => kurang,
        bisa_ubah => a.status().editable(),
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
    if !a.status().editable() {
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
    let app_id = a.id;
    let applicant = s.user_id;
    let (stored_name, original, ctype, size, sha) = (
        received.stored_name.clone(),
        received.original_name.clone(),
        received.content_type,
        received.size as i64,
        received.sha256.clone(),
    );
    let replaced = app
        .db
        .write(move |tx| {
            let status: String = tx.query_row("SELECT status FROM applications WHERE id = ?1 AND applicant_id = ?2", params![app_id, applicant], |r| r.get(0))?;
            if !Status::parse(&status).is_some_and(Status::editable) {
                return Err(Error::Forbidden);
            }
            let old: Option<String> = tx
                .query_row("SELECT stored_name FROM documents WHERE application_id = ?1 AND requirement_id = ?2", params![app_id, req_id], |r| r.get(0))
                .optional()?;
            tx.execute("DELETE FROM documents WHERE application_id = ?1 AND requirement_id = ?2", params![app_id, req_id])?;
            tx.execute(
                "INSERT INTO documents (application_id, requirement_id, stored_name, original_name, content_type, size, sha256, uploaded_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![app_id, req_id, stored_name, original, ctype, size, sha, now()],
            )?;
            tx.execute("UPDATE applications SET updated_at = ?2 WHERE id = ?1", params![app_id, now()])?;
            Ok(old)
        })
        .await;
    match replaced {
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
    if !a.status().editable() {
        return Ok(closed(&app, &v));
    }
    let app_id = a.id;
    let old = app
        .db
        .write(move |tx| {
            let old: Option<String> = tx
                .query_row(
                    "SELECT stored_name FROM documents WHERE application_id = ?1 AND requirement_id = ?2",
                    params![app_id, req_id],
                    |r| r.get(0),
                )
                .optional()?;
            tx.execute(
                "DELETE FROM documents WHERE application_id = ?1 AND requirement_id = ?2",
                params![app_id, req_id],
            )?;
            Ok(old)
        })
        .await?;
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
    let docs = documents(&app, a.id).await?;
    let kurang = missing_required(&a, &docs);
    let ctx = context! { permohonan => a.clone(), syarat => requirement_rows(&a, &docs), kurang => kurang, bisa_ubah => a.status().editable() };
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
    let docs = documents(&app, a.id).await?;
    if !missing_required(&a, &docs).is_empty() || !a.status().editable() {
        return check_answers(State(app), v, Path(nomor)).await.map(|mut r| {
            *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            r
        });
    }
    let app2 = app.clone();
    let applicant = s.user_id;
    let console = app.link(&format!("{}petugas/permohonan/{}", app.routes.beranda, a.nomor));
    let detail_link = app.link(&format!("{}permohonan/{}", app.routes.beranda, a.nomor));
    let a2 = a.clone();
    app.db
        .write(move |tx| {
            let status: String = tx.query_row("SELECT status FROM applications WHERE id = ?1", [a2.id], |r| r.get(0))?;
            let from = Status::parse(&status).unwrap_or(Status::Draf);
            if !from.can_become(Status::Diajukan) {
                return Err(Error::Forbidden);
            }
            let now = now();
            tx.execute("UPDATE applications SET status = 'diajukan', submitted_at = ?2, updated_at = ?2 WHERE id = ?1", params![a2.id, now])?;
            tx.execute("UPDATE documents SET catatan = NULL WHERE application_id = ?1", [a2.id])?;
            let (username, email, nama): (String, String, String) =
                tx.query_row("SELECT username, email, nama FROM applicants WHERE id = ?1", [applicant], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
            record_event(tx, a2.id, ("pemohon", Some(applicant), &username), Some(from), Status::Diajukan, None)?;
            let receipt = app2.compose(
                "permohonan_diajukan",
                &email,
                format!("Permohonan diajukan: {}", a2.nomor),
                Some(&a2.instansi),
                context! { nama => nama, nomor => a2.nomor, izin => a2.permit_nama, tautan => detail_link, ulang => from == Status::Perbaikan },
            )?;
            outbox::enqueue(tx, &receipt, &app2.message_domain)?;
            let mut stmt = tx.prepare("SELECT email, nama FROM officers WHERE instansi = ?1 AND unit = ?2 ORDER BY id")?;
            let officers: Vec<(String, String)> =
                stmt.query_map(params![a2.instansi, a2.unit], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<rusqlite::Result<_>>()?;
            for (email, nama_petugas) in officers {
                let notice = app2.compose(
                    "permohonan_masuk",
                    &email,
                    format!("Permohonan masuk: {} ({})", a2.nomor, a2.permit_nama),
                    Some(&a2.instansi),
                    context! { nama_petugas => nama_petugas, nomor => a2.nomor, izin => a2.permit_nama, tautan => console, ulang => from == Status::Perbaikan },
                )?;
                outbox::enqueue(tx, &notice, &app2.message_domain)?;
            }
            Ok(())
        })
        .await?;
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
    let row: Option<(String, String, String, i64, String, String)> = app
        .db
        .read(move |c| {
            Ok(c.query_row(
                "SELECT d.stored_name, d.original_name, d.content_type, a.applicant_id, a.instansi, a.unit
                 FROM documents d JOIN applications a ON a.id = d.application_id WHERE d.id = ?1",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
            )
            .optional()?)
        })
        .await?;
    let Some((stored, original, ctype, owner, instansi, unit)) = row else {
        return Err(Error::NotFound);
    };
    let allowed = match session.role {
        Role::Applicant => owner == session.user_id,
        Role::Officer => {
            let oid = session.user_id;
            app.db
                .read(move |c| {
                    Ok(c.query_row(
                        "SELECT EXISTS(SELECT 1 FROM officers WHERE id = ?1 AND instansi = ?2 AND unit = ?3)",
                        params![oid, instansi, unit],
                        |r| r.get::<_, bool>(0),
                    )?)
                })
                .await?
        }
    };
    if !allowed {
        tracing::warn!(ip = %v.ip, document = id, role = session.role.as_str(), "refused: document of someone else");
        return Err(Error::NotFound);
    }
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

/// "Layanan Pemohon"'s list of applications.
pub async fn list_for(app: &AppState, applicant_id: i64) -> Result<Vec<Value>> {
    app.db
        .read(move |c| {
            let mut stmt = c.prepare(&format!(
                "SELECT {APP_COLUMNS} FROM applications WHERE applicant_id = ?1 ORDER BY created_at DESC, id DESC"
            ))?;
            let rows = stmt
                .query_map([applicant_id], row_to_application)?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows.into_iter().map(Value::from_serialize).collect())
        })
        .await
}
