//! The store test suite: one set of tests, written against the store traits, that both engines
//! must pass. Each test is a function of a [`TestDb`] (a fresh, empty database of one engine);
//! `on_both!` declares its twins, `…::sqlite` (a file in a temp dir of its own) and
//! `…::postgres` (a database of its own on the server `SICANTIK_TEST_POSTGRES_URL` names, a
//! role allowed to CREATE DATABASE; dropped at the end, also when the test fails). Without
//! that variable every `postgres` twin says it skipped and passes.
//!
//! Stores are opened with the service's own `store::open`. Where a test must look at rows or
//! spoil them, `TestDb::raw_exec` and `raw_rows` run SQL that both dialects read alike on a
//! plain connection of the engine's own. The few tests of what only PostgreSQL has (the
//! advisory lock under two instances migrating at once, LISTEN/NOTIFY) are PostgreSQL-only.

use std::path::{Path, PathBuf};

use tokio_postgres::NoTls;

use crate::config::DatabaseUrl;
use crate::domain::{Email, IdentityType, Npwp, PersonName, PhoneNumber, PostalCode, Sex, Username};
use crate::error::Result;
use crate::keys::Keyring;
use crate::records::*;
use crate::store::{DynStore, Store};

/// Declares, for each test function named, a module of that name with its two twins.
macro_rules! on_both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                super::$name(crate::store::tests::TestDb::sqlite()).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(db) = crate::store::tests::TestDb::postgres().await {
                    super::$name(db).await;
                }
            }
        }
    )*};
}

// After the macro: a macro_rules is seen only by the code that follows it.
mod access;
mod applications;
mod console;
mod keys;
mod outbox;
mod registrations;
mod retention;
mod rights;
mod schema;
mod second_factor;
mod shared;

/// 2026-11-29 08:04 UTC, in seconds.
const NOW: i64 = 1_795_939_440;
const INSTANSI: &str = "DPMPTSP Kota Palembang";
const UNIT: &str = "Bidang Perizinan";
/// The host part of the Message-IDs of the test stores' emails.
const MESSAGE_DOMAIN: &str = "sicantik.test";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    /// The folder of its migrations under `formsvc/migrations/`.
    fn dir(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

/// A fresh database of one test's own, on one engine.
struct TestDb {
    url: DatabaseUrl,
    backing: Backing,
}

/// What the database is, and what must live as long as it.
enum Backing {
    Sqlite { path: PathBuf, _dir: tempfile::TempDir },
    Postgres(PgDb),
}

impl TestDb {
    /// A database file in a temp dir of its own (created when the first store opens it).
    fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("data").join("sicantik.sqlite3");
        let url = format!("sqlite:{}", path.display());
        TestDb {
            url: DatabaseUrl::parse(Some(&url), dir.path()).expect("SQLite URL"),
            backing: Backing::Sqlite { path, _dir: dir },
        }
    }

    /// A fresh PostgreSQL database, or `None` (with the message) when no server is configured.
    async fn postgres() -> Option<TestDb> {
        let Ok(admin_url) = std::env::var("SICANTIK_TEST_POSTGRES_URL") else {
            println!("skipped: SICANTIK_TEST_POSTGRES_URL not set");
            return None;
        };
        let token = crate::security::random_token();
        let name = format!("sicantik_test_{}", &crate::security::token_hash(&token)[..16]);
        pg_connect(&admin_url)
            .await
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create the test database");
        let mut url = url::Url::parse(&admin_url).expect("SICANTIK_TEST_POSTGRES_URL is a URL");
        url.set_path(&name);
        let url = url.to_string();
        Some(TestDb {
            url: DatabaseUrl::parse(Some(&url), Path::new(".")).expect("PostgreSQL URL"),
            backing: Backing::Postgres(PgDb { admin_url, name, url }),
        })
    }

    fn engine(&self) -> Engine {
        match self.backing {
            Backing::Sqlite { .. } => Engine::Sqlite,
            Backing::Postgres(_) => Engine::Postgres,
        }
    }

    /// The database's URL, as `SICANTIK_DATABASE_URL` would name it.
    fn url(&self) -> DatabaseUrl {
        self.url.clone()
    }

    /// A store on this database, as the service opens it. Each call is another instance
    /// (SQLite: another writer on the same file; PostgreSQL: another pool), so two calls are
    /// two instances sharing the data.
    async fn store(&self) -> DynStore {
        open(self.url(), 8).await.expect("open the store")
    }

    /// Runs statements on a plain connection, to spoil rows. On SQLite that connection
    /// ignores CHECK constraints; on PostgreSQL, [`TestDb::drop_check`] first.
    async fn raw_exec(&self, sql: &str) {
        match &self.backing {
            Backing::Sqlite { path, .. } => {
                let sql = sql.to_string();
                sqlite_raw(path, move |c| c.execute_batch(&sql)).await;
            }
            Backing::Postgres(pg) => pg_connect(&pg.url).await.batch_execute(sql).await.expect(sql),
        }
    }

    /// The rows a query returns, every value as text (`None` for NULL).
    async fn raw_rows(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        match &self.backing {
            Backing::Sqlite { path, .. } => {
                let sql = sql.to_string();
                sqlite_raw(path, move |c| {
                    use rusqlite::types::ValueRef;
                    let mut stmt = c.prepare(&sql)?;
                    let n = stmt.column_count();
                    let rows = stmt.query_map([], |r| {
                        (0..n)
                            .map(|i| {
                                Ok(match r.get_ref(i)? {
                                    ValueRef::Null => None,
                                    ValueRef::Integer(v) => Some(v.to_string()),
                                    ValueRef::Real(v) => Some(v.to_string()),
                                    ValueRef::Text(t) | ValueRef::Blob(t) => {
                                        Some(String::from_utf8_lossy(t).into_owned())
                                    }
                                })
                            })
                            .collect::<rusqlite::Result<Vec<_>>>()
                    })?;
                    rows.collect()
                })
                .await
            }
            Backing::Postgres(pg) => pg_connect(&pg.url)
                .await
                .simple_query(sql)
                .await
                .expect(sql)
                .iter()
                .filter_map(|m| match m {
                    tokio_postgres::SimpleQueryMessage::Row(r) => {
                        Some((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect())
                    }
                    _ => None,
                })
                .collect(),
        }
    }

    /// The first column of every row, none of them NULL.
    async fn raw_column(&self, sql: &str) -> Vec<String> {
        self.raw_rows(sql)
            .await
            .into_iter()
            .map(|r| r.into_iter().next().flatten().expect("a value"))
            .collect()
    }

    /// Lets `raw_exec` write what the CHECK on `table.column` refuses: PostgreSQL drops the
    /// constraint; SQLite's raw connection ignores CHECKs anyway.
    async fn drop_check(&self, table: &str, column: &str) {
        if self.engine() == Engine::Postgres {
            self.raw_exec(&format!("ALTER TABLE {table} DROP CONSTRAINT {table}_{column}_check"))
                .await;
        }
    }

    /// The migrations the database records as applied, by number: SQLite's `user_version`
    /// counts them, PostgreSQL's `schema_migrations` lists them.
    async fn applied_migrations(&self) -> Vec<i64> {
        let number = |v: String| v.parse::<i64>().expect("a number");
        match self.engine() {
            Engine::Sqlite => {
                let [version] = <[String; 1]>::try_from(self.raw_column("PRAGMA user_version").await).expect("one row");
                (1..=number(version)).collect()
            }
            Engine::Postgres => self
                .raw_column("SELECT version FROM schema_migrations ORDER BY version")
                .await
                .into_iter()
                .map(number)
                .collect(),
        }
    }
}

/// The master key of the test stores: one for the whole run, as every instance of a
/// deployment has the same.
fn keys() -> &'static Keyring {
    static KEYS: std::sync::OnceLock<Keyring> = std::sync::OnceLock::new();
    KEYS.get_or_init(Keyring::ephemeral)
}

/// Opens a store on `url` as the service does, with a pool of `pool` connections
/// (PostgreSQL).
async fn open(url: DatabaseUrl, pool: usize) -> Result<DynStore> {
    open_with(url, pool, keys()).await
}

/// Opens a store with the master keys `keys`.
async fn open_with(url: DatabaseUrl, pool: usize, keys: &Keyring) -> Result<DynStore> {
    crate::store::open(&url, pool, MESSAGE_DOMAIN, keys)
        .await
        .map(|(store, _)| store)
}

/// Runs `f` on a plain connection to the SQLite file, off the async workers.
async fn sqlite_raw<T: Send + 'static>(
    path: &Path,
    f: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T> + Send + 'static,
) -> T {
    let path = path.to_path_buf();
    tokio::task::spawn_blocking(move || {
        let c = rusqlite::Connection::open(&path)?;
        c.busy_timeout(std::time::Duration::from_secs(10))?;
        c.pragma_update(None, "ignore_check_constraints", "ON")?;
        f(&c)
    })
    .await
    .expect("raw SQLite task")
    .expect("raw SQLite statement")
}

/// A PostgreSQL database of one test's own, dropped with it.
struct PgDb {
    admin_url: String,
    name: String,
    url: String,
}

impl Drop for PgDb {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        // Drop cannot await, and the test's runtime may be the one unwinding: a thread and a
        // runtime of its own. FORCE ends the store's connections still open.
        let dropped = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            rt.block_on(async {
                pg_connect(&admin_url)
                    .await
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("could not drop the test database {}", self.name);
        }
    }
}

async fn pg_connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .expect("connect to PostgreSQL");
    tokio::spawn(connection);
    client
}

// Fixtures: records as the handlers build them.

/// A registration that passed the form's checks.
fn registration(form_token: &str, username: &str, email: &str) -> NewRegistration {
    NewRegistration {
        form_token: form_token.into(),
        username: Username::parse(username).expect("username"),
        nama: PersonName::parse("Budi Santoso").expect("name"),
        email: Email::parse(email).expect("email"),
        instansi: INSTANSI.into(),
        unit: UNIT.into(),
        tipe_identitas: IdentityType::Ktp,
        nomor_identitas: "1671010101900001".into(),
        jenis_kelamin: Sex::LakiLaki,
        tempat_lahir: "Palembang".into(),
        tanggal_lahir: "1990-01-01".into(),
        pekerjaan: "Wiraswasta".into(),
        npwp: Some(Npwp::parse("09.254.294.3-407.000").expect("npwp")),
        telepon: PhoneNumber::parse("0812 3456 7890").expect("phone"),
        alamat: "Jl. Merdeka No. 1".into(),
        kabupaten: "Kota Palembang".into(),
        kode_pos: PostalCode::parse("30111").expect("postal code"),
    }
}

fn mail(kind: &'static str, to: &str) -> NewMail {
    NewMail {
        kind,
        to: to.into(),
        subject: format!("{kind} untuk {to}"),
        text: "teks".into(),
        html: "<p>teks</p>".into(),
        instansi: Some(INSTANSI.into()),
    }
}

/// Registration emails as the handler composes them: a receipt and one notice per officer.
fn registration_mails(r: &Registered) -> Result<Vec<NewMail>> {
    let mut mails = vec![mail("registrasi_diterima", "pemohon@example.com")];
    mails.extend(r.officers.iter().map(|o| mail("registrasi_baru", &o.email)));
    Ok(mails)
}

fn decision_mail(a: &Applicant) -> Result<Vec<NewMail>> {
    Ok(vec![mail("registrasi_disetujui", a.email.as_str())])
}

fn link(token_hash: &str, purpose: LinkPurpose) -> NewLink {
    NewLink {
        token_hash: token_hash.into(),
        purpose,
        expires_at: NOW + 3600,
    }
}

async fn add_officer(store: &dyn Store, username: &str, unit: &str) -> Officer {
    store
        .add_officer(
            NewOfficerRecord {
                username: Username::parse(username).expect("username"),
                nama: PersonName::parse("Siti Aminah").expect("name"),
                email: Email::parse(&format!("{username}@palembang.go.id")).expect("email"),
                instansi: INSTANSI.into(),
                unit: unit.into(),
                password_hash: Some("$argon2id$petugas".into()),
                admin: false,
            },
            None,
            NOW,
        )
        .await
        .expect("add officer");
    let id = store
        .login_account(Role::Officer, username)
        .await
        .expect("login")
        .expect("the officer signs in")
        .id;
    store.officer(id).await.expect("officer").expect("officer exists")
}

/// The id of the waiting registration `nomor`.
async fn registration_id(store: &dyn Store, nomor: &str) -> i64 {
    store
        .waiting_registrations(INSTANSI)
        .await
        .expect("waiting")
        .into_iter()
        .find(|w| w.nomor == nomor)
        .expect("waiting registration")
        .id
}

/// An approved applicant: their id.
async fn approved_applicant(store: &dyn Store, officer: &Officer, username: &str) -> i64 {
    let reg = registration(
        &format!("form-{username}"),
        username,
        &format!("{username}@example.com"),
    );
    let nomor = match store
        .register(reg, 2026, NOW, Box::new(registration_mails))
        .await
        .expect("register")
    {
        RegisterOutcome::Created(nomor) => nomor,
        _ => panic!("not created"),
    };
    let id = registration_id(store, &nomor).await;
    let outcome = store
        .approve_registration(
            id,
            officer,
            link(&format!("link-{username}"), LinkPurpose::SetPassword),
            NOW,
            Box::new(decision_mail),
        )
        .await
        .expect("approve");
    assert_eq!(outcome, Decision::Done);
    id
}
