//! The unit's queue of applications for a day's work (MOJ sub navigation, filter and sortable
//! table): a tab per status with its count, the work waiting (Diajukan) first; filters beside
//! the list; a search across number, applicant, company, NIB and NIK; sorting by how long each
//! has waited; and the same rows as CSV.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use minijinja::{Value, context};

use crate::application::Status;
use crate::clock::{format_wib, now, wib_day_start};
use crate::error::Result;
use crate::records::{ApplicationRecord, Officer, QueueFilter};
use crate::routes::auth::officer_or_redirect;
use crate::routes::views::ApplicationView;
use crate::web::{AppState, Visitor};

/// The tab shown when none is chosen: what waits for an officer.
const DEFAULT_TAB: Status = Status::Diajukan;
/// The tab word for every status.
const ALL: &str = "semua";

#[derive(Debug, Default, Clone, serde::Deserialize, serde::Serialize)]
pub struct Filter {
    /// A status word, `semua`, or empty for the default tab.
    #[serde(default)]
    status: String,
    #[serde(default)]
    izin: String,
    /// YYYY-MM-DD, first submission from and up to and including (WIB).
    #[serde(default)]
    dari: String,
    #[serde(default)]
    sampai: String,
    /// Number, applicant or company name, NIB or NIK.
    #[serde(default)]
    q: String,
    /// `lama` (waited longest first, the default), `baru`, or `batas` (nearest deadline first).
    #[serde(default)]
    urut: String,
}

impl Filter {
    /// The status of the tab, `None` for all.
    fn tab(&self) -> Option<Status> {
        match self.status.as_str() {
            "" => Some(DEFAULT_TAB),
            ALL => None,
            word => Status::parse(word).filter(|s| *s != Status::Draf).or(Some(DEFAULT_TAB)),
        }
    }

    fn newest_first(&self) -> bool {
        self.urut == "baru"
    }

    fn by_deadline(&self) -> bool {
        self.urut == "batas"
    }

    /// The query string of this filter with `status` and `urut` replaced.
    fn link(&self, status: &str, urut: &str) -> String {
        let enc = |s: &str| -> String {
            s.bytes()
                .map(|b| {
                    if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                        (b as char).to_string()
                    } else {
                        format!("%{b:02X}")
                    }
                })
                .collect()
        };
        format!(
            "status={}&izin={}&dari={}&sampai={}&q={}&urut={}",
            enc(status),
            enc(&self.izin),
            enc(&self.dari),
            enc(&self.sampai),
            enc(self.q.trim()),
            enc(urut)
        )
    }
}

/// A NIK as typed in the search (16 digits, spaces allowed), to be found by its keyed hash.
fn nik_in(q: &str) -> Option<String> {
    let digits: String = q.chars().filter(|c| !c.is_whitespace()).collect();
    (digits.len() == 16 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

async fn rows(app: &AppState, o: &Officer, f: &Filter) -> Result<Vec<ApplicationRecord>> {
    let filter = QueueFilter {
        instansi: o.instansi.clone(),
        unit: o.unit.clone(),
        status: f.tab(),
        permit_slug: (!f.izin.is_empty()).then(|| f.izin.clone()),
        from: wib_day_start(&f.dari),
        to: wib_day_start(&f.sampai).map(|t| t + 86_400),
        text: f.q.trim().to_lowercase(),
        nik: nik_in(&f.q),
    };
    let mut rows = app.store.queue(filter).await?;
    rows.sort_by_key(|a| (a.status_since, a.id));
    if f.newest_first() {
        rows.reverse();
    }
    if f.by_deadline() {
        // Nearest deadline first; those whose time has not started (not yet verified) after,
        // longest waiting first among them. A stable sort keeps that order.
        rows.sort_by_key(|a| crate::deadline::of(&app.content, a).map_or(i64::MAX, |d| d.day));
    }
    Ok(rows)
}

/// A row of the queue: the application and how long it has waited in its status.
#[derive(serde::Serialize)]
struct Row {
    #[serde(flatten)]
    permohonan: ApplicationView,
    menunggu_sejak: String,
    menunggu: String,
    batas_waktu: Option<crate::deadline::DeadlineView>,
}

/// "3 hari" / "kurang dari sehari": how long it has waited, in whole days.
fn waited(since: i64, now: i64) -> String {
    match (now - since).max(0) / 86_400 {
        0 => "kurang dari sehari".to_string(),
        d => format!("{d} hari"),
    }
}

pub async fn queue(State(app): State<AppState>, v: Visitor, Query(f): Query<Filter>) -> Result<Response> {
    let o = officer_or_redirect!(app, v);
    let now = now();
    let found: Vec<Value> = rows(&app, &o, &f)
        .await?
        .iter()
        .map(|a| {
            Value::from_serialize(Row {
                permohonan: ApplicationView::of(a),
                menunggu_sejak: format_wib(a.status_since),
                menunggu: waited(a.status_since, now),
                batas_waktu: crate::deadline::view(&app.content, a, now),
            })
        })
        .collect();
    let counts = app.store.queue_counts(&o.instansi, &o.unit).await?;
    let count_of = |s: Status| counts.iter().find(|(c, _)| *c == s).map_or(0, |(_, n)| *n);
    let urut = if f.newest_first() {
        "baru"
    } else if f.by_deadline() {
        "batas"
    } else {
        "lama"
    };
    let current = f.tab();
    let mut tabs: Vec<Value> = [
        Status::Diajukan,
        Status::Perbaikan,
        Status::Diproses,
        Status::Ditolak,
        Status::Selesai,
    ]
    .iter()
    .map(|s| {
        context! {
            nama => s.label(), jumlah => count_of(*s), aktif => current == Some(*s),
            tautan => f.link(s.as_str(), urut),
        }
    })
    .collect();
    tabs.push(context! {
        nama => "Semua", jumlah => counts.iter().map(|(_, n)| n).sum::<i64>(), aktif => current.is_none(),
        tautan => f.link(ALL, urut),
    });
    let tab_word = current.map_or(ALL, Status::as_str);
    let permits: Vec<Value> = app
        .content
        .izin
        .iter()
        .map(|p| context! { slug => p.slug, nama => p.nama })
        .collect();
    let ctx = context! {
        petugas => o, permohonan => found, filter => f.clone(), izin_pilihan => permits, tab => tabs,
        status_aktif => tab_word, tab_nama => current.map_or("Semua", Status::label),
        urut => urut, urut_balik => f.link(tab_word, if urut == "lama" { "baru" } else { "lama" }),
        urut_batas => f.link(tab_word, "batas"),
        csv => format!("{}petugas/permohonan.csv?{}", app.routes.beranda, f.link(tab_word, urut)),
    };
    app.page(
        &v,
        "layanan/petugas/permohonan_daftar.html",
        "Antrean Permohonan",
        Some("antrean"),
        ctx,
    )
}

/// A CSV cell: quoted, and a leading = + - @ neutralised so spreadsheets do not run it.
fn cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    format!("\"{}\"", s.replace('"', "\"\""))
}

pub async fn queue_csv(State(app): State<AppState>, v: Visitor, Query(f): Query<Filter>) -> Result<Response> {
    let o = officer_or_redirect!(app, v);
    let mut out = String::from(
        "\u{feff}Nomor,Jenis Izin,Jenis Permohonan,Tipe Pemohon,Nama Pemohon,Nama Perusahaan,NIB,Status,Ditangani Oleh,Diajukan,Menunggu Sejak,Batas Waktu\r\n",
    );
    for r in rows(&app, &o, &f).await? {
        let a = ApplicationView::of(&r);
        let line = [
            cell(&a.nomor),
            cell(&a.permit_nama),
            cell(&a.jenis_permohonan),
            cell(&a.tipe_pemohon),
            cell(&a.pemohon.nama),
            cell(a.perusahaan.as_ref().map_or("", |p| p.nama.as_str())),
            cell(a.nib.as_deref().unwrap_or("")),
            cell(a.status_label),
            cell(a.ditangani.as_deref().unwrap_or("")),
            cell(a.diajukan.as_deref().unwrap_or("")),
            cell(&format_wib(r.status_since)),
            cell(&crate::deadline::of(&app.content, &r).map_or(String::new(), |d| d.label())),
        ]
        .join(",");
        out.push_str(&line);
        out.push_str("\r\n");
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"antrean-permohonan.csv\"",
            ),
        ],
        out,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_tab_is_the_work_waiting_and_a_nik_is_told_from_other_text() {
        let f = |status: &str| Filter {
            status: status.into(),
            ..Filter::default()
        };
        assert_eq!(f("").tab(), Some(Status::Diajukan));
        assert_eq!(f("semua").tab(), None);
        assert_eq!(f("perbaikan").tab(), Some(Status::Perbaikan));
        assert_eq!(f("draf").tab(), Some(Status::Diajukan), "drafts are never in the queue");
        assert_eq!(nik_in("1671 0445 0890 0001").as_deref(), Some("1671044508900001"));
        assert_eq!(nik_in("9120001234567"), None, "a NIB is 13 digits");
        assert_eq!(waited(0, 3 * 86_400 + 5), "3 hari");
        assert_eq!(waited(10, 20), "kurang dari sehari");
    }
}
