//! The officer console: registrations waiting for a decision (and, on the front page, whether
//! the virus scanner answers and how long mail waits), the detail of one, "Setujui" and
//! "Tolak", the emails that could not be delivered, the uploads the virus
//! scanner refused, and for admins the instansi's officer accounts with "Nonaktifkan" (the
//! same store call as `sicantik officer disable`). An officer sees only the records of their own instansi (and, for
//! applications, unit); anything else answers "not found".

use std::collections::HashMap;

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use minijinja::{Value, context};

use crate::clock::{format_wib, now};
use crate::error::{Error, Result};
use crate::flash::Flash;
use crate::form::FormCheck;
use crate::records::{Applicant, Decision, LinkPurpose, NewAccess, NewLink, Officer, OutboxState};
use crate::routes::auth::officer_or_redirect;
use crate::scan::ScannerState;
use crate::security::{random_token, token_hash};
use crate::web::{AppState, Visitor, see_other};

pub async fn dashboard(State(app): State<AppState>, v: Visitor) -> Result<Response> {
    let o = officer_or_redirect!(app, v);
    let waiting: Vec<Value> = app
        .store
        .waiting_registrations(&o.instansi)
        .await?
        .into_iter()
        .map(|r| context! { id => r.id, nomor => r.nomor, nama => r.nama, waktu => format_wib(r.created_at) })
        .collect();
    let failed = app.store.failed_mail_count(&o.instansi).await?;
    let permohonan = app.store.waiting_count(&o.instansi, &o.unit).await?;
    let ditolak = app
        .store
        .scan_refusal_count(&o.instansi, &o.unit, now() - RECENT_REFUSALS_SECONDS)
        .await?;
    // The rights that go through an officer have a legal time: the front page says they wait.
    let penghapusan = app.store.pending_deletions(&o.instansi).await?.len();
    let koreksi = app.store.pending_corrections(&o.instansi).await?.len();
    // The services uploads and mail lean on: an officer is often the first to hear that
    // uploads are refused or mail is late, and should know before the applicants call.
    let (scanner, outbox) = tokio::join!(crate::scan::state(app.scanner.as_deref()), app.store.outbox_state());
    // The service standard of this month (WIB), per permit: what the office reports to the
    // Ombudsman's assessment of service standards.
    let (from, to, bulan) = crate::deadline::month_of(now());
    let finished = app.store.finished_between(&o.instansi, &o.unit, from, to).await?;
    let standar = crate::deadline::standard_rows(&app.content, &finished);
    let tanpa_batas = standar.iter().any(|r| r.tanpa_batas > 0);
    let ctx = context! {
        petugas => o, registrasi => waiting, surel_gagal => failed, permohonan_menunggu => permohonan,
        berkas_ditolak => ditolak, penghapusan_menunggu => penghapusan, koreksi_menunggu => koreksi,
        pemindai => scanner_view(&scanner), antrean_surel => outbox_view(&outbox?, now()),
        standar => standar, standar_bulan => bulan,
        standar_tanpa_batas => tanpa_batas,
    };
    app.page(
        &v,
        "layanan/petugas/beranda.html",
        "Konsol Petugas",
        Some("beranda"),
        ctx,
    )
}

fn scanner_view(state: &ScannerState) -> Value {
    match state {
        ScannerState::NotConfigured => context! { keadaan => "tidak_dipasang" },
        ScannerState::Answers(versi) => context! { keadaan => "menjawab", versi },
        ScannerState::Silent(_) => context! { keadaan => "tidak_menjawab" },
    }
}

/// The emails waiting, and for how many minutes the oldest has waited (`now` in seconds).
fn outbox_view(outbox: &OutboxState, now: i64) -> Value {
    let menit = outbox.oldest_queued_at_ms.map(|at| (now - at / 1000).max(0) / 60);
    context! { menunggu => outbox.waiting, tertua_menit => menit }
}

fn registration_view(a: &Applicant) -> Value {
    context! {
        id => a.id, nomor => a.nomor, status => a.status.as_str(), status_label => a.status.label(),
        username => a.username.as_str(), email => a.email.as_str(), nama => a.nama.as_str(),
        instansi => a.instansi, unit => a.unit,
        tipe_identitas => a.tipe_identitas.code(), nomor_identitas => a.nomor_identitas,
        jenis_kelamin => a.jenis_kelamin.label(),
        tempat_lahir => a.tempat_lahir, tanggal_lahir => crate::clock::format_iso_date(&a.tanggal_lahir),
        pekerjaan => a.pekerjaan, npwp => a.npwp.as_ref().map(|n| n.as_str().to_string()),
        telepon => a.telepon.as_str(), alamat => a.alamat,
        kabupaten => a.kabupaten, kode_pos => a.kode_pos.as_str(),
        waktu => format_wib(a.created_at), alasan_tolak => a.alasan_tolak,
        nik_tidak_sesuai => crate::domain::nik_disagrees(
            a.tipe_identitas, &a.nomor_identitas, &a.tanggal_lahir, a.jenis_kelamin, crate::clock::today_wib(),
        ),
    }
}

/// A registration of the officer's instansi, or "not found" (also for other instansi: an id
/// from elsewhere must not reveal that it exists).
/// Every page that shows it goes into the processing record first.
async fn registration(app: &AppState, o: &Officer, id: i64) -> Result<Value> {
    let Some(found) = app.store.registration(id, &o.instansi).await? else {
        return Err(Error::NotFound);
    };
    app.store
        .record_access(NewAccess::registration(o, found.id), now())
        .await?;
    Ok(registration_view(&found))
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
    app.page(
        &v,
        "layanan/petugas/registrasi.html",
        "Detail Registrasi",
        Some("beranda"),
        ctx,
    )
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
    let tautan = app.link(&format!("{}/atur-sandi?token={token}", app.content.situs.layanan));
    let now = now();
    let link = NewLink {
        token_hash: token_hash(&token),
        purpose: LinkPurpose::SetPassword,
        expires_at: now + app.cfg.link_ttl.as_secs() as i64,
    };
    let app2 = app.clone();
    let compose = Box::new(move |a: &Applicant| {
        Ok(vec![app2.compose(
            "registrasi_disetujui",
            a.email.as_str(),
            format!("Registrasi Pemohon disetujui: {}", a.nomor),
            Some(&a.instansi),
            context! { nama => a.nama.as_str(), nomor => a.nomor, username => a.username.as_str(), tautan => tautan, berlaku => "48 jam" },
        )?])
    });
    let outcome = app.store.approve_registration(id, &o, link, now, compose).await?;
    decided(&app, &v, outcome, id, Flash::RegistrationApproved)
}

fn decided(app: &AppState, v: &Visitor, outcome: Decision, id: i64, what: Flash) -> Result<Response> {
    match outcome {
        Decision::Done => {
            app.mail_wake.notify_one();
            Ok(app.see_other_with(&format!("{}/petugas/registrasi/{id}", app.content.situs.layanan), what))
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
            Some("beranda"),
            ctx,
        );
    };
    let app2 = app.clone();
    let reason = alasan.clone();
    let compose = Box::new(move |a: &Applicant| {
        Ok(vec![app2.compose(
            "registrasi_ditolak",
            a.email.as_str(),
            format!("Registrasi Pemohon ditolak: {}", a.nomor),
            Some(&a.instansi),
            context! { nama => a.nama.as_str(), nomor => a.nomor, alasan => reason, registrasi_url => app2.link(&app2.routes.registrasi) },
        )?])
    });
    let outcome = app.store.reject_registration(id, &o, &alasan, now(), compose).await?;
    decided(&app, &v, outcome, id, Flash::RegistrationRejected)
}

pub async fn failed_mail(State(app): State<AppState>, v: Visitor) -> Result<Response> {
    let o = officer_or_redirect!(app, v);
    let rows: Vec<Value> = app
        .store
        .undelivered_mail(&o.instansi, 500)
        .await?
        .into_iter()
        .map(|m| {
            context! {
                penerima => m.recipient, subjek => m.subject,
                status => if m.status == crate::records::MailStatus::Gagal { "Gagal terkirim" } else { "Dicoba ulang" },
                percobaan => m.attempts, galat => m.last_error,
                waktu => format_wib(m.created_at_ms / 1000),
            }
        })
        .collect();
    app.page(
        &v,
        "layanan/petugas/surel.html",
        "Surel Belum Terkirim",
        Some("surel"),
        context! { petugas => o, surel => rows },
    )
}

/// What the console's front page counts as recent refusals by the virus scanner: a week.
const RECENT_REFUSALS_SECONDS: i64 = 7 * 24 * 3600;

pub async fn scan_refusals(State(app): State<AppState>, v: Visitor) -> Result<Response> {
    let o = officer_or_redirect!(app, v);
    let rows: Vec<Value> = app
        .store
        .scan_refusals(&o.instansi, &o.unit, 500)
        .await?
        .into_iter()
        .map(|r| {
            context! {
                waktu => format_wib(r.at), nomor => r.nomor, persyaratan => r.requirement,
                alasan => r.outcome.label(), virus => r.outcome == crate::records::ScanOutcome::Virus,
                keterangan => r.detail,
            }
        })
        .collect();
    app.page(
        &v,
        "layanan/petugas/berkas_ditolak.html",
        "Berkas Ditolak Pemindai Virus",
        Some("berkas"),
        context! { petugas => o, berkas => rows },
    )
}

/// The officer accounts of the instansi, for an admin: who is active, when each last signed
/// in, and "Nonaktifkan". Everyone else is refused: disabling is an admin's right only.
fn admin_only(o: &Officer, v: &Visitor) -> Result<()> {
    if o.admin {
        Ok(())
    } else {
        tracing::warn!(ip = %v.ip, officer = o.id, "refused: officer accounts need the admin right");
        Err(Error::Forbidden)
    }
}

/// The account `username` of the admin's instansi, or "not found".
async fn account_of(app: &AppState, o: &Officer, username: &str) -> Result<crate::records::OfficerAccount> {
    app.store
        .officer_accounts()
        .await?
        .into_iter()
        .find(|a| a.username == username && a.instansi == o.instansi)
        .ok_or(Error::NotFound)
}

fn account_view(a: &crate::records::OfficerAccount, me: &Officer) -> Value {
    context! {
        username => a.username, nama => a.nama, unit => a.unit, admin => a.admin,
        aktif => a.disabled_at.is_none(), diri_sendiri => a.username == me.username,
        nonaktif_sejak => a.disabled_at.map(format_wib),
        masuk_terakhir => a.last_login_at.map_or_else(|| "Belum pernah".to_string(), format_wib),
    }
}

pub async fn accounts(State(app): State<AppState>, v: Visitor, Query(q): Query<InfoQuery>) -> Result<Response> {
    let o = officer_or_redirect!(app, v);
    admin_only(&o, &v)?;
    let rows: Vec<Value> = app
        .store
        .officer_accounts()
        .await?
        .iter()
        .filter(|a| a.instansi == o.instansi)
        .map(|a| account_view(a, &o))
        .collect();
    let info = (q.info.as_deref() == Some("nonaktif"))
        .then_some("Akun petugas dinonaktifkan: tidak dapat masuk lagi dan semua sesinya telah diakhiri.");
    app.page(
        &v,
        "layanan/petugas/akun.html",
        "Akun Petugas",
        Some("akun"),
        context! { petugas => o, akun => rows, info => info },
    )
}

pub async fn confirm_disable(
    State(app): State<AppState>,
    v: Visitor,
    Path(username): Path<String>,
) -> Result<Response> {
    let o = officer_or_redirect!(app, v);
    admin_only(&o, &v)?;
    let a = account_of(&app, &o, &username).await?;
    app.page(
        &v,
        "layanan/petugas/akun_nonaktifkan.html",
        "Nonaktifkan Akun Petugas",
        Some("akun"),
        context! { petugas => o.clone(), akun => account_view(&a, &o) },
    )
}

pub async fn disable(
    State(app): State<AppState>,
    v: Visitor,
    Path(username): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response> {
    let o = officer_or_redirect!(app, v);
    admin_only(&o, &v)?;
    app.check_form_token(&v, &form)?;
    let a = account_of(&app, &o, &username).await?;
    // An admin who disabled themselves would leave the instansi without anyone to undo it.
    if a.username == o.username {
        return Ok(app.message(
            &v,
            StatusCode::CONFLICT,
            "Tidak dapat menonaktifkan akun sendiri",
            "Akun Anda sendiri hanya dapat dinonaktifkan oleh admin lain atau melalui baris perintah.",
        ));
    }
    if !app.store.disable_officer(&a.username, Some(&o), now()).await? {
        return Err(Error::NotFound);
    }
    Ok(see_other(&format!(
        "{}/petugas/akun?info=nonaktif",
        app.content.situs.layanan
    )))
}
