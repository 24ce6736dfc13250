//! Who may see a page: the signed-in applicant or officer, or a redirect to the login page.
//! Every route module asks here, so none needs another.

use axum::response::Response;

use crate::records::Officer;
use crate::web::{AppState, Role, Session, Visitor, see_other};

/// The signed-in session of `role`, or a redirect to its login page.
pub fn require(app: &AppState, v: &Visitor, role: Role) -> std::result::Result<Session, Box<Response>> {
    match &v.session {
        Some(s) if s.role == role => Ok(s.clone()),
        _ => {
            tracing::info!(ip = %v.ip, wanted = role.as_str(), "refused: not signed in");
            let login = match role {
                Role::Applicant => app.routes.masuk.clone(),
                Role::Officer => format!("{}/petugas/masuk", app.content.situs.layanan),
            };
            Err(Box::new(see_other(&format!("{login}?info=sesi"))))
        }
    }
}

/// The signed-in officer, or the response to send instead (to the login page).
pub async fn officer(app: &AppState, v: &Visitor) -> std::result::Result<Officer, Box<Response>> {
    let s = require(app, v, Role::Officer)?;
    match app.store.officer(s.user_id).await {
        Ok(Some(o)) => Ok(o),
        Ok(None) => Err(Box::new(see_other(&format!(
            "{}/petugas/masuk?info=sesi",
            app.content.situs.layanan
        )))),
        Err(e) => Err(Box::new(axum::response::IntoResponse::into_response(e))),
    }
}

/// The signed-in officer, or return the redirect to the login page.
macro_rules! officer_or_redirect {
    ($app:expr, $v:expr) => {
        match crate::routes::auth::officer(&$app, &$v).await {
            Ok(o) => o,
            Err(r) => return Ok(*r),
        }
    };
}

/// The signed-in applicant's session, or return the redirect to the login page.
macro_rules! applicant_or_redirect {
    ($app:expr, $v:expr) => {
        match crate::routes::auth::require(&$app, &$v, crate::web::Role::Applicant) {
            Ok(s) => s,
            Err(r) => return Ok(*r),
        }
    };
}

pub(crate) use applicant_or_redirect;
pub(crate) use officer_or_redirect;
