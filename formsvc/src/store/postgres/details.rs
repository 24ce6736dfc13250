//! The applicant's corrections of NIB, PEMOHON and PERUSAHAAN on PostgreSQL ("Ubah" on
//! "Periksa dan Ajukan"), accepted only while the application is theirs to edit.

use super::{PgStore, exec, row, status};
use crate::error::{Error, Result};
use crate::records::ApplicationDetails;

impl PgStore {
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
        let nib = details.nib.as_ref().map(|n| n.as_str());
        let mut c = self.client().await?;
        let tx = c.transaction().await?;
        // Locked: an Ajukan or an officer's action waits for this change, or it for them, and
        // then sees the status they left.
        let Some(app) = row(
            &tx,
            "SELECT status FROM applications WHERE id = $1 AND applicant_id = $2 FOR UPDATE",
            &[&application_id, &applicant_id],
        )
        .await?
        else {
            return Err(Error::Forbidden);
        };
        if !status(app.try_get(0)?, "applications", application_id, "status")?.editable() {
            return Err(Error::Forbidden);
        }
        exec(
            &tx,
            "UPDATE applications SET nib = $2, pemohon_json = $3, perusahaan_json = $4, updated_at = $5 WHERE id = $1",
            &[&application_id, &nib, &pemohon, &perusahaan, &now],
        )
        .await?;
        // The officer who sent it back reads in the trail that the data changed.
        super::review::applicant_audit(&tx, application_id, "permohonan_diubah", None, now).await?;
        tx.commit().await?;
        Ok(())
    }
}
