//! Accounts: "Masuk" (applicants and officers alike, by username or email), "Keluar", setting a
//! password from an emailed link, "Lupa kata sandi", "Layanan Pemohon" with the profile, "Hapus Akun", and
//! "Cek Status".
//!
//! One module per journey; they share nothing but `routes::auth` and `routes::views`.

mod access;
mod copy;
mod deletion;
mod login;
mod password;
mod profile;
mod second_factor;
mod status;

pub use self::access::history;
pub use self::copy::copy_of_my_data;
pub use self::deletion::{cancel as cancel_deletion, request as request_deletion, show as show_deletion};
pub use self::login::{login, logout, officer_login, show_login, show_logout, show_officer_login};
pub use self::password::{forgot, set_password, show_forgot, show_set_password};
pub use self::profile::{home, request_correction, show_profile, update_profile};
pub use self::second_factor::{enrol, show_enrol, show_verify, verify};
pub use self::status::{check_status, check_status_submit};
