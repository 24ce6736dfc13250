//! Serving a stored document, to its owner or to an officer of the application's unit; an
//! officer's download or view goes into the processing record first.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use crate::application::Status;
use crate::clock::now;
use crate::error::{Error, Result};
use crate::records::{AccessKind, NewAccess};
use crate::web::{AppState, Role, Visitor};

/// Serves a document to its owner or to an officer of the application's unit; never as HTML.
pub async fn download(
    State(app): State<AppState>,
    v: Visitor,
    Path(alamat): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Response> {
    let Some(session) = v.session.clone() else {
        tracing::warn!(ip = %v.ip, "refused: document without a session");
        return Err(Error::NotFound);
    };
    if !crate::security::is_document_address(&alamat) {
        return Err(Error::NotFound);
    }
    let Some(doc) = app.store.document_for_download(&alamat).await? else {
        tracing::warn!(ip = %v.ip, role = session.role.as_str(), "refused: no document at that address");
        return Err(Error::NotFound);
    };
    let id = doc.id;
    // The download rule is the review rule: the owner, or an officer of the unit once the
    // application has been submitted (a draft is nobody's business but the applicant's).
    let (allowed, officer) = match session.role {
        Role::Applicant => (doc.applicant_id == session.user_id, None),
        Role::Officer => {
            let o = app.store.officer(session.user_id).await?;
            let allowed = o
                .as_ref()
                .is_some_and(|o| o.instansi == doc.instansi && o.unit == doc.unit && doc.status != Status::Draf);
            (allowed, o)
        }
    };
    if !allowed {
        tracing::warn!(ip = %v.ip, document = id, role = session.role.as_str(), "refused: document of someone else");
        return Err(Error::NotFound);
    }
    let inline = q.contains_key("lihat") && session.role == Role::Officer;
    // The processing record: an officer's look is recorded before a byte is served, so a
    // failure to record refuses the document rather than serving it unrecorded.
    if let Some(o) = officer {
        let access = NewAccess {
            applicant_id: doc.applicant_id,
            officer_id: o.id,
            officer_unit: o.unit,
            kind: if inline {
                AccessKind::LihatDokumen
            } else {
                AccessKind::UnduhDokumen
            },
            application_id: Some(doc.application_id),
            document_id: Some(id),
            requirement_id: Some(doc.requirement_id.clone()),
        };
        app.store.record_access(access, now()).await?;
    }
    let (stored, original, ctype) = (doc.stored_name, doc.original_name, doc.content_type);
    // Streamed from the store and decrypted chunk by chunk: a large scan never sits whole in
    // memory. A spoiled first chunk (or a wrong key) fails here, as an error page. A later
    // chunk that fails ends the body early, and with the Content-Length below the client sees
    // a broken transfer, never a complete-looking file.
    let body = axum::body::Body::from_stream(app.blobs.get(&stored, doc.key.as_ref()).await?);
    let name = crate::upload::download_name(&original, &ctype);
    let disposition = content_disposition(if inline { "inline" } else { "attachment" }, &name);
    Ok((
        [
            (header::CONTENT_TYPE, ctype),
            (header::CONTENT_LENGTH, doc.size.to_string()),
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

/// `filename` in ASCII for old clients and `filename*` (RFC 6266, RFC 8187) with the name as
/// kept, so that "Akta Pendirian PT Maju Jaya – salinan.pdf" arrives as it was written.
fn content_disposition(kind: &str, name: &str) -> String {
    let ascii: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_ ".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("{kind}; filename=\"{ascii}\"; filename*=UTF-8''{encoded}")
}

#[cfg(test)]
mod tests {
    use super::content_disposition;

    #[test]
    fn names_reach_the_browser_whole_and_in_ascii_for_old_clients() {
        assert_eq!(
            content_disposition("attachment", "Akta – salinan.pdf"),
            "attachment; filename=\"Akta _ salinan.pdf\"; filename*=UTF-8''Akta%20%E2%80%93%20salinan.pdf"
        );
        assert_eq!(
            content_disposition("inline", "a\"b.pdf"),
            "inline; filename=\"a_b.pdf\"; filename*=UTF-8''a%22b.pdf"
        );
    }
}
