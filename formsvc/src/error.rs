//! The service's one error type. Each error knows its HTTP status and what the user reads
//! (formal Indonesian); the cause goes to the log in English, never to the page.

use axum::http::StatusCode;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("invalid configuration: {0}")]
    Config(String),
    #[error("database error")]
    Db(#[from] rusqlite::Error),
    #[error("the database writer has stopped")]
    WriterGone,
    #[error("PostgreSQL error")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("no PostgreSQL connection: {0}")]
    Pool(String),
    /// A stored row does not read back as what was written.
    #[error("corrupt row in {table} (id {id}): {field} does not parse")]
    Corrupt {
        table: &'static str,
        id: String,
        field: &'static str,
    },
    #[error("cannot {action} {path}")]
    Io {
        action: &'static str,
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The document store (local folder or S3) failed; a missing object is `NotFound` instead.
    #[error("document store error")]
    Blob(#[source] object_store::Error),
    /// Encrypted data that does not decrypt: altered, truncated, or under another key.
    #[error("{0}")]
    Crypto(String),
    #[error("template error: {0}")]
    Template(Box<generator::Problem>),
    #[error("content or theme has problems:\n{0}")]
    Content(generator::Problems),
    #[error("the site could not be built")]
    Site(#[source] generator::Error),
    #[error("mail could not be built: {0}")]
    Mail(String),
    #[error("password hashing failed: {0}")]
    Hash(String),
    /// The request's form token is missing or wrong.
    #[error("CSRF token missing or invalid")]
    Csrf,
    /// Too many attempts from this address or for this account.
    #[error("rate limited")]
    TooMany,
    #[error("not found")]
    NotFound,
    /// The body of an ordinary form did not arrive within the limit.
    #[error("request body too slow")]
    SlowRequest,
    /// The body of an ordinary form is larger than any form of the service.
    #[error("form body too large")]
    FormTooLarge,
    /// Signed in, but not allowed to see this.
    #[error("forbidden")]
    Forbidden,
    #[error("server error: {0}")]
    Internal(String),
}

impl From<generator::Problem> for Error {
    fn from(p: generator::Problem) -> Self {
        Error::Template(Box::new(p))
    }
}

impl Error {
    pub fn status(&self) -> StatusCode {
        match self {
            Error::Csrf => StatusCode::FORBIDDEN,
            Error::Forbidden => StatusCode::FORBIDDEN,
            Error::TooMany => StatusCode::TOO_MANY_REQUESTS,
            Error::NotFound => StatusCode::NOT_FOUND,
            Error::SlowRequest => StatusCode::REQUEST_TIMEOUT,
            Error::FormTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// Title and message the user reads.
    pub fn user_message(&self) -> (&'static str, &'static str) {
        match self {
            Error::Csrf => (
                "Formulir kedaluwarsa",
                "Formulir ini sudah kedaluwarsa atau tidak dikirim dari halaman layanan ini. Muat ulang halaman, lalu kirim kembali.",
            ),
            Error::Forbidden => ("Akses ditolak", "Anda tidak memiliki akses ke halaman ini."),
            Error::TooMany => (
                "Terlalu banyak percobaan",
                "Terlalu banyak percobaan dalam waktu singkat. Tunggu beberapa menit, lalu coba lagi.",
            ),
            Error::NotFound => ("Halaman tidak ditemukan", "Halaman yang Anda cari tidak ditemukan."),
            Error::SlowRequest => (
                "Pengiriman terlalu lama",
                "Isian formulir tidak selesai terkirim dalam batas waktu. Data Anda tidak berubah. Periksa sambungan internet Anda, lalu kirim kembali.",
            ),
            Error::FormTooLarge => (
                "Isian terlalu besar",
                "Isian formulir melebihi batas ukuran. Data Anda tidak berubah. Periksa kembali isian Anda, lalu kirim kembali.",
            ),
            _ => (
                "Terjadi gangguan",
                "Maaf, terjadi gangguan pada layanan. Data Anda tidak berubah. Silakan coba lagi beberapa saat lagi.",
            ),
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
