//! The console's Jejak Audit: every line of the officer's instansi in words (what was done, by
//! whom), newest first, filtered by application or registration number, actor and date. It
//! only reads; the store writes each line with the change it records.

use axum::extract::{Query, State};
use axum::response::Response;
use minijinja::{Value, context};

use crate::clock::{format_wib, wib_day_start};
use crate::error::Result;
use crate::records::AuditFilter;
use crate::routes::auth::officer_or_redirect;
use crate::web::{AppState, Visitor};

/// How many lines one page shows; the filters narrow it down.
const LINES: i64 = 500;

/// The filter form, as typed; whatever does not parse is ignored, never an error page.
#[derive(Debug, Default, Clone, serde::Deserialize, serde::Serialize)]
pub struct Filter {
    /// An application (`PRM-…`) or registration (`REG-…`) number.
    #[serde(default)]
    nomor: String,
    /// Part of the actor's name or username.
    #[serde(default)]
    pelaku: String,
    /// `pemohon`, `petugas` or `sistem`; empty for all.
    #[serde(default)]
    jenis: String,
    /// YYYY-MM-DD (WIB), from and up to and including.
    #[serde(default)]
    dari: String,
    #[serde(default)]
    sampai: String,
}

impl Filter {
    fn to_store(&self, instansi: &str) -> AuditFilter {
        let nomor = self.nomor.trim().to_uppercase();
        AuditFilter {
            instansi: instansi.to_string(),
            target: (!nomor.is_empty()).then_some(nomor),
            actor_kind: ["pemohon", "petugas", "sistem"]
                .contains(&self.jenis.as_str())
                .then(|| self.jenis.clone()),
            actor: self.pelaku.trim().to_lowercase(),
            from: wib_day_start(&self.dari),
            to: wib_day_start(&self.sampai).map(|t| t + 86_400),
            limit: LINES,
        }
    }

    fn any(&self) -> bool {
        [&self.nomor, &self.pelaku, &self.jenis, &self.dari, &self.sampai]
            .iter()
            .any(|s| !s.trim().is_empty())
    }
}

pub async fn trail(State(app): State<AppState>, v: Visitor, Query(f): Query<Filter>) -> Result<Response> {
    let o = officer_or_redirect!(app, v);
    let rows: Vec<Value> = app
        .store
        .audit_search(&f.to_store(&o.instansi))
        .await?
        .into_iter()
        .map(|e| {
            context! {
                waktu => format_wib(e.at),
                jenis => crate::audit::actor_kind_label(&e.actor_kind),
                pelaku => e.actor_label,
                tindakan => crate::audit::action_label(&e.action),
                sasaran => e.target,
                keterangan => e.detail,
            }
        })
        .collect();
    let ctx = context! {
        petugas => o, jejak => rows, filter => f.clone(), disaring => f.any(), batas => LINES,
    };
    app.page(&v, "layanan/petugas/audit.html", "Jejak Audit", Some("audit"), ctx)
}
