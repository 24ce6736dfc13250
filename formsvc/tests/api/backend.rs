//! Which store a test runs against. Every test of this suite runs twice: once on the embedded
//! store (an SQLite file and a documents folder, the default) and once on PostgreSQL with an
//! S3-compatible bucket, when `SICANTIK_TEST_POSTGRES_URL` and `SICANTIK_TEST_S3_ENDPOINT`
//! name servers (`.ci/services` starts them). The second run sets the backend for the test's
//! thread and calls the same test function.

use std::cell::Cell;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Embedded,
    PostgresS3,
}

thread_local! {
    static CURRENT: Cell<Backend> = const { Cell::new(Backend::Embedded) };
}

pub fn current() -> Backend {
    CURRENT.with(Cell::get)
}

/// The servers of the PostgreSQL + S3 run, from the environment.
pub struct Servers {
    pub postgres: String,
    pub s3_endpoint: String,
    pub s3_bucket: String,
}

pub fn servers() -> Option<Servers> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    Some(Servers {
        postgres: var("SICANTIK_TEST_POSTGRES_URL")?,
        s3_endpoint: var("SICANTIK_TEST_S3_ENDPOINT")?,
        s3_bucket: var("SICANTIK_TEST_S3_BUCKET").unwrap_or_else(|| "sicantik-test".into()),
    })
}

/// Runs `test` with PostgreSQL and S3 as the store, or says why it cannot.
pub fn on_postgres_and_s3(name: &str, test: fn()) {
    if servers().is_none() {
        println!("skipped {name} on PostgreSQL + S3: SICANTIK_TEST_POSTGRES_URL or SICANTIK_TEST_S3_ENDPOINT not set");
        return;
    }
    CURRENT.with(|c| c.set(Backend::PostgresS3));
    test();
}

/// Declares, for each named test of the module, its twin on PostgreSQL + S3.
macro_rules! also_on_postgres_and_s3 {
    ($($name:ident),* $(,)?) => {
        mod on_postgres_and_s3 {
            $(
                #[test]
                fn $name() {
                    crate::backend::on_postgres_and_s3(concat!(module_path!(), "::", stringify!($name)), super::$name);
                }
            )*
        }
    };
}

pub(crate) use also_on_postgres_and_s3;
