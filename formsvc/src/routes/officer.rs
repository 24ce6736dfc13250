//! The officer console: registrations waiting for a decision, the detail of one, "Setujui" and
//! "Tolak", the audit trail and the emails that could not be delivered. An officer sees only
//! the records of their own instansi; anything else answers "not found".

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{Value, context};
use rusqlite::{OptionalExtension, params};

use crate::clock::format_wib;
use crate::db::now;
use crate::error::{Error, Result};
use crate::form::FormCheck;
use crate::outbox;
use crate::routes::account::require;
use crate::security::{random_token, token_hash};
use crate::web::{AppState, Role, Visitor, see_other};

/// The signed-in officer.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Officer {
    pub id: i64,
    pub username: String,
    pub nama: String,
    pub instansi: String,
    pub unit: String,
}

/// The signed-in officer, or the response to send instead (to the login page).
pub async fn officer(app: &AppState, v: &Visitor) -> std::result::Result<Officer, Box<Response>> {
    let s = require(app, v, Role::Officer)?;
    let id = s.user_id;
    let found = app
        .db
        .read(move |c| {
            Ok(c.query_row(
                "SELECT id, username, nama, instansi, unit FROM officers WHERE id = ?1",
                [id],
                |r| {
                    Ok(Officer {
                        id: r.get(0)?,
                        username: r.get(1)?,
                        nama: r.get(2)?,
                        instansi: r.get(3)?,
                        unit: r.get(4)?,
                    })
                },
            )
            .optional()?)
        })
        .await;
    match found {
        Ok(Some(o)) => Ok(o),
        Ok(None) => Err(Box::new(see_other(&format!(
            "{}/petugas/masuk?info=sesi",
            app.content.situs.layanan
        )))),
        Err(e) => Err(Box::new(axum::response::IntoResponse::into_response(e))),
    }
}

macro_rules! officer_or_redirect {
    ($app:expr, $v:expr) => {
        match officer(&$app, &$v).await {
            Ok(o) => o,
            Err(r) => return Ok(*r),
        }
    };
}

pub async fn dashboard(State(app): State<AppState>, v: Visitor) -> Result<Response> {
    let o = officer_or_redirect!(app, v);
    let instansi = o.instansi.clone();
    let (waiting, failed): (Vec<Value>, i64) = app
        .db
        .read(move |c| {
            let mut stmt = c.prepare(
                "SELECT id, nomor, nama, created_at FROM applicants WHERE instansi = ?1 AND status = 'menunggu' ORDER BY created_at, id",
            )?;
            let rows = stmt
                .query_map([&instansi], |r| {
                    let at: i64 = r.get(3)?;
                    Ok(context! { id => r.get::<_, i64>(0)?, nomor => r.get::<_, String>(1)?, nama => r.get::<_, String>(2)?, waktu => format_wib(at) })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let failed = c.query_row("SELECT count(*) FROM outbox WHERE status = 'gagal' AND instansi = ?1", [&instansi], |r| r.get(0))?;
            Ok((rows, failed))
        })
        .await?;
    let permohonan = crate::routes::review::waiting_count(&app, &o).await?;
    let ctx =
        context! { petugas => o, registrasi => waiting, surel_gagal => failed, permohonan_menunggu => permohonan };
    app.page(&v, "layanan/petugas/beranda.html", "Konsol Petugas", None, ctx)
}

/// A registration of the officer's instansi, or "not found" (also for other instansi: an id
/// from elsewhere must not reveal that it exists).
async fn registration(app: &AppState, o: &Officer, id: i64) -> Result<Value> {
    let instansi = o.instansi.clone();
    let row = app
        .db
        .read(move |c| {
            Ok(c.query_row(
                "SELECT id, nomor, status, username, email, nama, instansi, unit, tipe_identitas, nomor_identitas, jenis_kelamin,
                        tempat_lahir, tanggal_lahir, pekerjaan, npwp, telepon, alamat, kabupaten, kode_pos, created_at, alasan_tolak
                 FROM applicants WHERE id = ?1 AND instansi = ?2",
                params![id, instansi],
                |r| {
                    let created: i64 = r.get(19)?;
                    let status: String = r.get(2)?;
                    let label = match status.as_str() {
                        "menunggu" => "Menunggu persetujuan",
                        "aktif" => "Disetujui",
                        _ => "Ditolak",
                    };
                    Ok(context! {
                        id => r.get::<_, i64>(0)?, nomor => r.get::<_, String>(1)?, status => status, status_label => label,
                        username => r.get::<_, String>(3)?, email => r.get::<_, String>(4)?, nama => r.get::<_, String>(5)?,
                        instansi => r.get::<_, String>(6)?, unit => r.get::<_, String>(7)?,
                        tipe_identitas => r.get::<_, String>(8)?, nomor_identitas => r.get::<_, String>(9)?,
                        jenis_kelamin => if r.get::<_, String>(10)? == "P" { "Perempuan" } else { "Laki-laki" },
                        tempat_lahir => r.get::<_, String>(11)?, tanggal_lahir => r.get::<_, String>(12)?,
                        pekerjaan => r.get::<_, String>(13)?, npwp => r.get::<_, Option<String>>(14)?,
                        telepon => r.get::<_, String>(15)?, alamat => r.get::<_, String>(16)?,
                        kabupaten => r.get::<_, String>(17)?, kode_pos => r.get::<_, String>(18)?,
                        waktu => format_wib(created), alasan_tolak => r.get::<_, Option<String>>(20)?,
                    })
                },
            )
            .optional()?)
        })
        .await?;
    row.ok_or(Error::NotFound)
}

#[derive(serde::Deserialize, Default)]
pub struct InfoQuery {
    #[serde(default)]
    info: Option<String>,
}

pub async fn detail(
    State(app): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
    Query(q): Query<InfoQuery>,
) -> Result<Response> {
    let o = officer_or_redirect!(app, v);
    let r = match registration(&app, &o, id).await {
        Ok(r) => r,
        Err(Error::NotFound) => {
            tracing::warn!(ip = %v.ip, officer = o.id, registration = id, "refused: registration not in the officer's instansi");
            return Err(Error::NotFound);
        }
        Err(e) => return Err(e),
    };
    let info = (q.info.as_deref() == Some("keputusan"))
        .then_some("Keputusan tersimpan dan surel pemberitahuan dikirim kepada pemohon.");
    let ctx = context! { petugas => o, registrasi => r, info => info };
    app.page(&v, "layanan/petugas/registrasi.html", "Detail Registrasi", None, ctx)
}

enum Decision {
    Done,
    AlreadyDecided,
    NotFound,
}

pub async fn approve(
    State(app): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response> {
    let o = officer_or_redirect!(app, v);
    app.check_form_token(&v, &form)?;
    let token = random_token();
    let hash = token_hash(&token);
    let link = app.link(&format!("{}/atur-sandi?token={token}", app.content.situs.layanan));
    let ttl = app.cfg.link_ttl.as_secs() as i64;
    let app2 = app.clone();
    let o2 = o.clone();
    let outcome = app
        .db
        .write(move |tx| {
            let found: Option<(String, String, String, String, String)> = tx
                .query_row(
                    "SELECT status, nomor, username, email, nama FROM applicants WHERE id = ?1 AND instansi = ?2",
                    params![id, o2.instansi],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
                )
                .optional()?;
            let Some((status, nomor, username, email, nama)) = found else {
                return Ok(Decision::NotFound);
            };
            if status != "menunggu" {
                return Ok(Decision::AlreadyDecided);
            }
            let now = now();
            tx.execute(
                "UPDATE applicants SET status = 'aktif', decided_at = ?2, decided_by = ?3 WHERE id = ?1",
                params![id, now, o2.id],
            )?;
            tx.execute(
                "INSERT INTO link_tokens (token_hash, purpose, subject_kind, subject_id, created_at, expires_at)
                 VALUES (?1, 'atur_sandi', 'pemohon', ?2, ?3, ?4)",
                params![hash, id, now, now + ttl],
            )?;
            let mail = app2.compose(
                "registrasi_disetujui",
                &email,
                format!("Registrasi Pemohon disetujui: {nomor}"),
                Some(&o2.instansi),
                context! { nama => nama, nomor => nomor, username => username, tautan => link, berlaku => "48 jam" },
            )?;
            outbox::enqueue(tx, &mail, &app2.message_domain)?;
            crate::audit::record(
                tx,
                &o2.instansi,
                "petugas",
                Some(o2.id),
                &o2.username,
                "registrasi_disetujui",
                &nomor,
                None,
            )?;
            Ok(Decision::Done)
        })
        .await?;
    decided(&app, &v, outcome, id)
}

fn decided(app: &AppState, v: &Visitor, outcome: Decision, id: i64) -> Result<Response> {
    match outcome {
        Decision::Done => {
            app.mail_wake.notify_one();
            Ok(see_other(&format!(
                "{}/petugas/registrasi/{id}",
                app.content.situs.layanan
            )))
        }
        Decision::AlreadyDecided => Ok(app.message(
            v,
            StatusCode::CONFLICT,
            "Registrasi sudah diputuskan",
            "Registrasi ini sudah disetujui atau ditolak sebelumnya; keputusan tidak diubah.",
        )),
        Decision::NotFound => Err(Error::NotFound),
    }
}

pub async fn reject(
    State(app): State<AppState>,
    v: Visitor,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response> {
    let o = officer_or_redirect!(app, v);
    app.check_form_token(&v, &form)?;
    let mut f = FormCheck::new(&form);
    let Some(alasan) = f.text("alasan", "alasan penolakan", 10, 1000) else {
        let r = registration(&app, &o, id).await?;
        let ctx = context! { petugas => o, registrasi => r, nilai => form, ..f.context() };
        return app.page_with_status(
            &v,
            StatusCode::UNPROCESSABLE_ENTITY,
            "layanan/petugas/registrasi.html",
            "Detail Registrasi",
            None,
            ctx,
        );
    };
    let app2 = app.clone();
    let o2 = o.clone();
    let outcome = app
        .db
        .write(move |tx| {
            let found: Option<(String, String, String, String)> = tx
                .query_row(
                    "SELECT status, nomor, email, nama FROM applicants WHERE id = ?1 AND instansi = ?2",
                    params![id, o2.instansi],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
                )
                .optional()?;
            let Some((status, nomor, email, nama)) = found else { return Ok(Decision::NotFound) };
            if status != "menunggu" {
                return Ok(Decision::AlreadyDecided);
            }
            tx.execute(
                "UPDATE applicants SET status = 'ditolak', alasan_tolak = ?2, decided_at = ?3, decided_by = ?4 WHERE id = ?1",
                params![id, alasan, now(), o2.id],
            )?;
            let mail = app2.compose(
                "registrasi_ditolak",
                &email,
                format!("Registrasi Pemohon ditolak: {nomor}"),
                Some(&o2.instansi),
                context! { nama => nama, nomor => nomor, alasan => alasan, registrasi_url => app2.link(&app2.routes.registrasi) },
            )?;
            outbox::enqueue(tx, &mail, &app2.message_domain)?;
            crate::audit::record(tx, &o2.instansi, "petugas", Some(o2.id), &o2.username, "registrasi_ditolak", &nomor, Some(&alasan))?;
            Ok(Decision::Done)
        })
        .await?;
    decided(&app, &v, outcome, id)
}

pub async fn audit(State(app): State<AppState>, v: Visitor) -> Result<Response> {
    let o = officer_or_redirect!(app, v);
    let instansi = o.instansi.clone();
    let rows: Vec<Value> = app
        .db
        .read(move |c| {
            let mut stmt = c.prepare(
                "SELECT at, actor_kind, actor_label, action, target, detail FROM audit WHERE instansi = ?1 ORDER BY at DESC, id DESC LIMIT 500",
            )?;
            let rows = stmt
                .query_map([&instansi], |r| {
                    let action: String = r.get(3)?;
                    Ok(context! {
                        waktu => format_wib(r.get(0)?),
                        pelaku => format!("{} ({})", r.get::<_, String>(2)?, r.get::<_, String>(1)?),
                        tindakan => crate::audit::action_label(&action).to_string(),
                        sasaran => r.get::<_, String>(4)?,
                        keterangan => r.get::<_, Option<String>>(5)?,
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await?;
    app.page(
        &v,
        "layanan/petugas/audit.html",
        "Jejak Audit",
        None,
        context! { petugas => o, jejak => rows },
    )
}

pub async fn failed_mail(State(app): State<AppState>, v: Visitor) -> Result<Response> {
    let o = officer_or_redirect!(app, v);
    let instansi = o.instansi.clone();
    let rows: Vec<Value> = app
        .db
        .read(move |c| {
            let mut stmt = c.prepare(
                "SELECT recipient, subject, status, attempts, last_error, created_at FROM outbox
                 WHERE instansi = ?1 AND (status = 'gagal' OR (status = 'antre' AND attempts > 0))
                 ORDER BY created_at DESC LIMIT 500",
            )?;
            let rows = stmt
                .query_map([&instansi], |r| {
                    let status: String = r.get(2)?;
                    Ok(context! {
                        penerima => r.get::<_, String>(0)?, subjek => r.get::<_, String>(1)?,
                        status => if status == "gagal" { "Gagal terkirim" } else { "Dicoba ulang" },
                        percobaan => r.get::<_, i64>(3)?, galat => r.get::<_, Option<String>>(4)?,
                        waktu => format_wib(r.get::<_, i64>(5)? / 1000),
                    })
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        })
        .await?;
    app.page(
        &v,
        "layanan/petugas/surel.html",
        "Surel Belum Terkirim",
        None,
        context! { petugas => o, surel => rows },
    )
}
