//! The schemas: migrations numbered the same and applied once on both engines, and rows that
//! do not read back.

use super::*;
use crate::error::Error;

on_both!(
    migrations_apply_once_even_when_two_instances_start_together,
    a_row_that_does_not_parse_is_an_error_naming_it,
);

/// The migration files of an engine, by number: `NNNN_name.sql` → (N, name).
fn migration_files(engine: Engine) -> Vec<(i64, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(engine.dir());
    let mut files: Vec<(i64, String)> = std::fs::read_dir(&dir)
        .expect("the migrations folder")
        .map(|e| {
            let name = e.expect("entry").file_name().into_string().expect("UTF-8 name");
            let (number, rest) = name.split_once('_').expect("NNNN_name.sql");
            let rest = rest.strip_suffix(".sql").expect("NNNN_name.sql");
            (number.parse().expect("a numbered migration"), rest.to_string())
        })
        .collect();
    files.sort();
    files
}

async fn migrations_apply_once_even_when_two_instances_start_together(db: TestDb) {
    // SQLite too: the service and `sicantik officer add` may open the same file at once.
    let (a, b) = tokio::join!(tokio::spawn(open(db.url(), 2)), tokio::spawn(open(db.url(), 2)));
    let (a, b) = (
        a.expect("task").expect("first instance"),
        b.expect("task").expect("second instance"),
    );
    assert_eq!(a.setting_or_init("k", vec![1]).await.expect("setting"), vec![1]);
    drop((a, b));
    // A restart finds every migration applied, applies none again and keeps the data.
    let again = db.store().await;
    drop(again);
    let again = db.store().await;
    assert_eq!(
        db.applied_migrations().await,
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]
    );
    assert_eq!(again.setting_or_init("k", vec![2]).await.expect("setting"), vec![1]);
    again.ping().await.expect("ping");
}

/// The requirement: migrations for both engines, numbered the same, and both schemas
/// answer the same suite. The files pair up by number and name, and each engine records every
/// one of them as applied.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_engines_report_the_same_applied_migrations() {
    let files = migration_files(Engine::Sqlite);
    assert_eq!(
        files,
        migration_files(Engine::Postgres),
        "the same migrations for both engines"
    );
    let numbers: Vec<i64> = files.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        numbers,
        (1..=files.len() as i64).collect::<Vec<_>>(),
        "numbered from 1 without gaps"
    );

    let sqlite = TestDb::sqlite();
    let _store = sqlite.store().await;
    let applied = sqlite.applied_migrations().await;
    assert_eq!(applied, numbers, "SQLite applies every migration file");
    let Some(postgres) = TestDb::postgres().await else {
        return;
    };
    let _store = postgres.store().await;
    assert_eq!(
        postgres.applied_migrations().await,
        applied,
        "PostgreSQL applies the same"
    );
}

async fn a_row_that_does_not_parse_is_an_error_naming_it(db: TestDb) {
    let store = db.store().await;
    let officer = add_officer(&*store, "petugas.satu", UNIT).await;
    let applicant = approved_applicant(&*store, &officer, "budi.santoso").await;
    let nomor = store
        .create_application(super::applications::new_application("form-1", applicant), NOW)
        .await
        .expect("create");
    let id = store.application(&nomor).await.expect("read").expect("found").id;

    db.raw_exec(&format!("UPDATE applications SET status = 'xyz' WHERE id = {id}"))
        .await;
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

    db.raw_exec(&format!(
        "UPDATE applications SET status = 'draf', pemohon_json = '{{\"nama\": 1}}' WHERE id = {id}"
    ))
    .await;
    assert!(matches!(
        store.application(&nomor).await,
        Err(Error::Corrupt {
            field: "pemohon_json",
            ..
        })
    ));

    db.raw_exec(&format!("UPDATE applicants SET telepon = '12' WHERE id = {applicant}"))
        .await;
    assert!(matches!(
        store.profile(applicant).await,
        Err(Error::Corrupt {
            table: "applicants",
            field: "telepon",
            ..
        })
    ));
    db.raw_exec("INSERT INTO sessions VALUES ('abcdef0123456789', 'pemohon', 1, 0, 0)")
        .await;
    db.drop_check("sessions", "kind").await;
    db.raw_exec("UPDATE sessions SET kind = 'tamu'").await;
    assert!(matches!(
        store.session("abcdef0123456789").await,
        Err(Error::Corrupt {
            table: "sessions",
            field: "kind",
            ..
        })
    ));
}
