//! The applicant's rights under UU PDP (Law 27/2022) that the service answers itself: the
//! processing record in words (`record`, Pasal 31: Riwayat akses data, the data protection
//! officer's export) and the copy of the applicant's data (`copy`, Pasal 13, written as a zip
//! by `zip`). Routes call these; the store keeps the rows.

pub mod copy;
pub mod record;
pub mod zip;

use crate::config::Config;
use crate::error::Result;
use crate::keys::Keyring;

/// `sicantik data-access export`: the processing record of every applicant whose username or
/// email is `login`, as CSV; `None` when there is none.
pub async fn export_configured(cfg: &Config, login: &str) -> Result<Option<String>> {
    let (store, _) = crate::keys::maintenance::open(cfg, Keyring::from_config(cfg)?).await?;
    record::export_csv(store.as_ref(), login).await
}
