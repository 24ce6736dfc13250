//! Tests of the PostgreSQL store against a real server. `SICANTIK_TEST_POSTGRES_URL` names a
//! role allowed to CREATE DATABASE; each test makes a database of its own and drops it at the
//! end (also when it fails). Without the variable every test says it skipped and passes.

mod applications;
mod outbox;
mod registrations;

use tokio_postgres::NoTls;

use super::PgStore;
use crate::domain::{Email, IdentityType, Npwp, PersonName, PhoneNumber, PostalCode, Sex, Username};
use crate::error::{Error, Result};
use crate::records::*;
use crate::store::{Accounts, Applications, Officers, Registrations, Shared};

/// 2026-11-29 08:04 UTC, in seconds.
const NOW: i64 = 1_795_939_440;
const INSTANSI: &str = "DPMPTSP Kota Palembang";
const UNIT: &str = "Bidang Perizinan";

/// A database of one test's own.
struct TestDb {
    admin_url: String,
    name: String,
    url: String,
}

impl TestDb {
    /// A fresh database, or `None` (with the message) when no server is configured.
    async fn create() -> Option<TestDb> {
        let Ok(admin_url) = std::env::var("SICANTIK_TEST_POSTGRES_URL") else {
            println!("skipped: SICANTIK_TEST_POSTGRES_URL not set");
            return None;
        };
        let token = crate::security::random_token();
        let name = format!("sicantik_test_{}", &crate::security::token_hash(&token)[..16]);
        let admin = connect(&admin_url).await;
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .expect("create the test database");
        let mut url = url::Url::parse(&admin_url).expect("SICANTIK_TEST_POSTGRES_URL is a URL");
        url.set_path(&name);
        Some(TestDb {
            admin_url,
            name,
            url: url.to_string(),
        })
    }

    async fn store(&self) -> PgStore {
        PgStore::connect(&self.url, 8)
            .await
            .expect("connect the store")
            .with_message_domain("sicantik.test".into())
    }

    /// A plain connection to the test database, to look at rows or spoil them.
    async fn raw(&self) -> tokio_postgres::Client {
        connect(&self.url).await
    }
}

impl Drop for TestDb {
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
                connect(&admin_url)
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

async fn connect(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .expect("connect to PostgreSQL");
    tokio::spawn(connection);
    client
}

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

async fn add_officer(store: &PgStore, username: &str, unit: &str) -> Officer {
    store
        .add_officer(
            NewOfficerRecord {
                username: Username::parse(username).expect("username"),
                nama: PersonName::parse("Siti Aminah").expect("name"),
                email: Email::parse(&format!("{username}@palembang.go.id")).expect("email"),
                instansi: INSTANSI.into(),
                unit: unit.into(),
                password_hash: Some("$argon2id$petugas".into()),
            },
            None,
            NOW,
        )
        .await
        .expect("add officer");
    let id: i64 = store
        .client()
        .await
        .expect("client")
        .query_one("SELECT id FROM officers WHERE username = $1", &[&username])
        .await
        .expect("officer id")
        .get(0);
    store.officer(id).await.expect("officer").expect("officer exists")
}

/// An approved applicant: their id.
async fn approved_applicant(store: &PgStore, officer: &Officer, username: &str) -> i64 {
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
    let id: i64 = store
        .client()
        .await
        .expect("client")
        .query_one("SELECT id FROM applicants WHERE nomor = $1", &[&nomor])
        .await
        .expect("applicant id")
        .get(0);
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

#[tokio::test]
async fn migrations_apply_once_even_when_two_instances_start_together() {
    let Some(db) = TestDb::create().await else { return };
    let (a, b) = tokio::join!(PgStore::connect(&db.url, 2), PgStore::connect(&db.url, 2));
    a.expect("first instance");
    b.expect("second instance");
    // A restart finds every migration applied and applies none again.
    let again = db.store().await;
    drop(again);
    let again = db.store().await;
    let versions: Vec<i32> = db
        .raw()
        .await
        .query("SELECT version FROM schema_migrations ORDER BY version", &[])
        .await
        .expect("versions")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(versions, [1, 2, 3]);
    again.ping().await.expect("ping");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attempts_count_in_fixed_windows_across_instances() {
    let Some(db) = TestDb::create().await else { return };
    let (one, two) = (db.store().await, db.store().await);
    assert_eq!(one.hit("login:budi", 60, 1000).await.expect("hit"), 1);
    assert_eq!(two.hit("login:budi", 60, 1010).await.expect("hit"), 2);
    assert_eq!(one.hits("login:budi", 60, 1059).await.expect("hits"), 2);
    assert_eq!(
        one.hit("login:budi", 60, 1059).await.expect("hit"),
        3,
        "still the window of 1000"
    );
    assert_eq!(
        one.hits("login:budi", 60, 1060).await.expect("hits"),
        0,
        "that window has ended"
    );
    assert_eq!(
        two.hit("login:budi", 60, 1060).await.expect("hit"),
        1,
        "a new window starts"
    );
    assert_eq!(one.hits("other", 60, 1060).await.expect("hits"), 0);
    one.clear_hits("login:budi").await.expect("clear");
    assert_eq!(two.hits("login:budi", 60, 1060).await.expect("hits"), 0);

    // Counted at once from two instances, no attempt is lost.
    let counts = futures_util::future::join_all(
        (0..20)
            .map(|i| if i % 2 == 0 { &one } else { &two })
            .map(|s| s.hit("flood", 60, 2000)),
    )
    .await;
    let mut counts: Vec<i64> = counts.into_iter().map(|c| c.expect("hit")).collect();
    counts.sort();
    assert_eq!(counts, (1..=20).collect::<Vec<i64>>());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_first_instance_to_initialise_a_setting_decides_it() {
    let Some(db) = TestDb::create().await else { return };
    let (one, two) = (db.store().await, db.store().await);
    let (a, b) = tokio::join!(
        one.setting_or_init("form_key", vec![1; 32]),
        two.setting_or_init("form_key", vec![2; 32])
    );
    let (a, b) = (a.expect("first"), b.expect("second"));
    assert_eq!(a, b, "both instances use the same key");
    assert!(a == vec![1; 32] || a == vec![2; 32]);
    assert_eq!(one.setting_or_init("form_key", vec![3; 32]).await.expect("again"), a);
    assert_eq!(two.setting_or_init("other", vec![4]).await.expect("other"), vec![4]);
}

#[tokio::test]
async fn a_row_that_does_not_parse_is_an_error_naming_it() {
    let Some(db) = TestDb::create().await else { return };
    let store = db.store().await;
    let officer = add_officer(&store, "petugas.satu", UNIT).await;
    let applicant = approved_applicant(&store, &officer, "budi.santoso").await;
    let nomor = store
        .create_application(applications::new_application("form-1", applicant), NOW)
        .await
        .expect("create");
    let raw = db.raw().await;
    let id: i64 = raw
        .query_one("SELECT id FROM applications WHERE nomor = $1", &[&nomor])
        .await
        .expect("id")
        .get(0);

    raw.execute("UPDATE applications SET status = 'xyz' WHERE id = $1", &[&id])
        .await
        .expect("spoil");
    match store.application(&nomor).await {
        Err(Error::Corrupt { table, id: row, field }) => {
            assert_eq!((table, field), ("applications", "status"));
            assert_eq!(row, id.to_string());
        }
        other => panic!("expected a corrupt row, got {other:?}"),
    }
    assert!(matches!(
        store.applications_of(applicant).await,
        Err(Error::Corrupt { .. })
    ));

    raw.execute(
        "UPDATE applications SET status = 'draf', pemohon_json = '{\"nama\": 1}' WHERE id = $1",
        &[&id],
    )
    .await
    .expect("spoil");
    assert!(matches!(
        store.application(&nomor).await,
        Err(Error::Corrupt {
            field: "pemohon_json",
            ..
        })
    ));

    raw.execute("UPDATE applicants SET telepon = '12' WHERE id = $1", &[&applicant])
        .await
        .expect("spoil");
    assert!(matches!(
        store.profile(applicant).await,
        Err(Error::Corrupt {
            table: "applicants",
            field: "telepon",
            ..
        })
    ));
    raw.execute(
        "INSERT INTO sessions VALUES ('abcdef0123456789', 'pemohon', 1, 0, 0)",
        &[],
    )
    .await
    .expect("session");
    raw.execute("ALTER TABLE sessions DROP CONSTRAINT sessions_kind_check", &[])
        .await
        .expect("drop the check");
    raw.execute("UPDATE sessions SET kind = 'tamu'", &[])
        .await
        .expect("spoil");
    assert!(matches!(
        store.session("abcdef0123456789").await,
        Err(Error::Corrupt {
            table: "sessions",
            field: "kind",
            ..
        })
    ));
}
