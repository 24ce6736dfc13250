//! The applicant's corrections of NIB, PEMOHON and PERUSAHAAN on SQLite ("Ubah" on "Periksa dan
//! Ajukan"), accepted only while the application is theirs to edit.

use rusqlite::{OptionalExtension, params};

use super::review::applicant_audit;
use super::{SqliteStore, status_of};
use crate::error::{Error, Result};
use crate::records::ApplicationDetails;

impl SqliteStore {
    /// `Applications::update_application_details`.
    pub(super) async fn update_details(
        &self,
        application_id: i64,
        applicant_id: i64,
        details: ApplicationDetails,
        now: i64,
    ) -> Result<()> {
        // Sealed before the write, as BUAT does: the row never holds the NIK in clear.
        let pemohon = self.nik()?.pemohon_json(&details.pemohon)?;
        let perusahaan = details
            .perusahaan
            .as_ref()
            .map(|p| serde_json::to_string(p).map_err(|e| Error::Internal(e.to_string())))
            .transpose()?;
        let nib = details.nib.as_ref().map(|n| n.as_str().to_string());
        self.db
            .write(move |tx| {
                let owner: Option<i64> = tx
                    .query_row("SELECT applicant_id FROM applications WHERE id = ?1", [application_id], |r| r.get(0))
                    .optional()?;
                // Checked in the writer, so an Ajukan or an officer's action queued before this
                // write has already moved the status it reads.
                if owner != Some(applicant_id) || !status_of(tx, application_id)?.editable() {
                    return Err(Error::Forbidden);
                }
                tx.execute(
                    "UPDATE applications SET nib = ?2, pemohon_json = ?3, perusahaan_json = ?4, updated_at = ?5 WHERE id = ?1",
                    params![application_id, nib, pemohon, perusahaan, now],
                )?;
                // The officer who sent it back reads in the trail that the data changed.
                applicant_audit(tx, application_id, "permohonan_diubah", None, now)?;
                Ok(())
            })
            .await
    }
}
