//! Who may see a page: the signed-in applicant or officer, or a redirect to the login page.
//! Every route module asks here, so none needs another.

use axum::response::Response;
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use crate::records::Officer;
use crate::web::{AppState, Role, Session, Visitor, see_other};

/// The signed-in session of `role`, or a redirect to its login page.
pub fn require(app: &AppState, v: &Visitor, role: Role) -> std::result::Result<Session, Box<Response>> {
    require_returning(app, v, role, None)
}

/// Like `require`, and the login page sends an applicant back to `kembali` afterwards (an
/// address the caller built from the service's own routes).
pub fn require_returning(
    app: &AppState,
    v: &Visitor,
    role: Role,
    kembali: Option<&str>,
) -> std::result::Result<Session, Box<Response>> {
    match &v.session {
        Some(s) if s.role == role => Ok(s.clone()),
        _ => {
            tracing::info!(ip = %v.ip, wanted = role.as_str(), "refused: not signed in");
            let login = match role {
                Role::Applicant => app.routes.masuk.clone(),
                Role::Officer => format!("{}/petugas/masuk", app.content.situs.layanan),
            };
            let back = match (role, kembali.and_then(|k| return_path(app, k))) {
                (Role::Applicant, Some(k)) => format!("&kembali={}", utf8_percent_encode(k, NON_ALPHANUMERIC)),
                _ => String::new(),
            };
            Err(Box::new(see_other(&format!("{login}?info=sesi{back}"))))
        }
    }
}

/// Where Masuk may send an applicant after signing in: `raw` when it is the address of one of
/// the service's own applicant pages, `None` for anything else. The value comes from the address
/// bar, so it is anyone's to write: another site (`https://evil.example/`, `//evil`, `/\evil`,
/// which browsers read as `//evil`), a path outside the service, dot segments or characters a
/// `Location` header would carry oddly all fall back to Layanan Pemohon.
pub fn return_path<'a>(app: &AppState, raw: &'a str) -> Option<&'a str> {
    local_service_path(&app.routes.beranda, raw)
}

/// `return_path` for the service under `prefix` (`/layanan/`).
fn local_service_path<'a>(prefix: &str, raw: &'a str) -> Option<&'a str> {
    let path = raw.split(['?', '#']).next().unwrap_or("");
    let ok = raw.len() <= 512
        && prefix.starts_with('/')
        && prefix.ends_with('/')
        && path.starts_with(prefix)
        && raw.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
        && !path.contains("//")
        && !path.split('/').any(|seg| seg == "." || seg == "..")
        // The console has its own login; an applicant has nothing there.
        && !path[prefix.len()..].starts_with("petugas");
    ok.then_some(raw)
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

#[cfg(test)]
mod tests {
    use super::local_service_path;

    #[test]
    fn only_the_services_own_pages_are_a_place_to_return_to() {
        for good in [
            "/layanan/permohonan/baru?izin=izin-pemasangan-rumpon",
            "/layanan/",
            "/layanan/profil#perbaiki-identitas",
        ] {
            assert_eq!(local_service_path("/layanan/", good), Some(good), "{good}");
        }
        for bad in [
            "https://evil.example/",
            "//evil.example/",
            "/\\evil.example/",
            "/layanan/\\evil",
            "/layanan//evil.example/",
            "\\\\evil.example",
            "http:/layanan/",
            "/layanan",
            "/izin/",
            "/layanan/../izin/",
            "/layanan/petugas/",
            "/layanan/ permohonan",
            "/layanan/permohonan\r\nSet-Cookie: x=1",
            "layanan/",
            "",
        ] {
            assert_eq!(local_service_path("/layanan/", bad), None, "{bad:?}");
        }
        assert_eq!(
            local_service_path("/layanan/", &format!("/layanan/{}", "a".repeat(600))),
            None
        );
    }
}
