//! The retention schedule and breach readiness: what is past its period goes, with every
//! copy of the person's data, and nothing else does; a disabled officer's session ends.

use generator::model::Retention as Schedule;

use super::applications::{document, new_application};
use super::*;

on_both!(
    the_schedule_erases_what_is_past_its_period_and_every_trace_of_an_erased_applicant,
    a_disabled_officer_is_signed_out_at_once_and_cannot_sign_in_again,
);

const DAY: i64 = 24 * 3600;
/// The refused applicant, whose data must be gone afterwards.
const NIK: &str = "1671019912850007";
const EMAIL: &str = "rahmat.hidayat@example.com";
const NAME: &str = "Rahmat Hidayat";

async fn register(store: &dyn Store, username: &str, email: &'static str, nik: &str, nama: &str) -> (i64, String) {
    let mut reg = registration(&format!("form-{username}"), username, email);
    reg.nomor_identitas = nik.into();
    reg.nama = PersonName::parse(nama).expect("name");
    let compose: crate::store::Compose<Registered> = Box::new(move |r: &Registered| {
        let mut receipt = mail("registrasi_diterima", email);
        receipt.text = format!("Yth. {email}, registrasi {} diterima.", r.nomor);
        let mut notice = mail("registrasi_baru", "petugas.satu@palembang.go.id");
        notice.text = format!("Registrasi baru {} menunggu keputusan.", r.nomor);
        Ok(vec![receipt, notice])
    });
    let nomor = match store
        .register(reg, 2026, NOW - 60 * DAY, compose)
        .await
        .expect("register")
    {
        RegisterOutcome::Created(nomor) => nomor,
        _ => panic!("not created"),
    };
    (registration_id(store, &nomor).await, nomor)
}

/// Every byte the database holds as text: the SQLite file and its write-ahead log as they
/// are on disk (free pages included); on PostgreSQL every text column of every table.
async fn everything_stored(db: &TestDb) -> String {
    match &db.backing {
        Backing::Sqlite { path, .. } => {
            let mut bytes = std::fs::read(path).expect("database file");
            bytes.extend(std::fs::read(path.with_extension("sqlite3-wal")).unwrap_or_default());
            String::from_utf8_lossy(&bytes).into_owned()
        }
        Backing::Postgres(_) => {
            let columns = db
                .raw_rows(
                    "SELECT table_name, column_name FROM information_schema.columns
                     WHERE table_schema = 'public' AND data_type IN ('text', 'bytea', 'character varying')",
                )
                .await;
            let mut all = String::new();
            for c in columns {
                let (t, col) = (c[0].clone().expect("table"), c[1].clone().expect("column"));
                let sql = format!("SELECT coalesce(string_agg(\"{col}\"::text, ' '), '') FROM \"{t}\"");
                all.push_str(&db.raw_column(&sql).await.concat());
                all.push('\n');
            }
            all
        }
    }
}

async fn the_schedule_erases_what_is_past_its_period_and_every_trace_of_an_erased_applicant(db: TestDb) {
    let store = db.store().await;
    let officer = add_officer(&*store, "petugas.satu", UNIT).await;

    // Refused 40 days ago (the default keeps refusals 30 days).
    let (refused, refused_nomor) = register(&*store, "rahmat", EMAIL, NIK, NAME).await;
    let outcome = store
        .reject_registration(
            refused,
            &officer,
            "Dokumen tidak terbaca",
            NOW - 40 * DAY,
            Box::new(decision_mail),
        )
        .await
        .expect("reject");
    assert_eq!(outcome, Decision::Done);
    let sealed = db
        .raw_rows(&format!(
            "SELECT nomor_identitas, nomor_identitas_hash FROM applicants WHERE id = {refused}"
        ))
        .await
        .remove(0);
    let (sealed_nik, nik_hash) = (sealed[0].clone().expect("sealed"), sealed[1].clone().expect("hash"));

    // Approved 40 days ago, password never set, no application.
    let (unfinished, unfinished_nomor) = register(
        &*store,
        "sari",
        "sari.lestari@example.com",
        "1671014107880003",
        "Sari Lestari",
    )
    .await;
    store
        .approve_registration(
            unfinished,
            &officer,
            link("link-sari", LinkPurpose::SetPassword),
            NOW - 40 * DAY,
            Box::new(decision_mail),
        )
        .await
        .expect("approve");

    // An active applicant with a draft untouched for 200 days and a fresh one.
    let (kept, _) = register(
        &*store,
        "dewi",
        "dewi.anggraini@example.com",
        "1671015203920004",
        "Dewi Anggraini",
    )
    .await;
    store
        .approve_registration(
            kept,
            &officer,
            link("link-dewi", LinkPurpose::SetPassword),
            NOW - 200 * DAY,
            Box::new(decision_mail),
        )
        .await
        .expect("approve");
    assert!(
        store
            .set_password(
                "link-dewi",
                Role::Applicant,
                kept,
                "$argon2id$dewi",
                mail("sandi_diubah", "dewi@example.com"),
                NOW - 40 * DAY
            )
            .await
            .expect("set password")
    );
    let old_draft = store
        .create_application(new_application("form-lama", kept), NOW - 200 * DAY)
        .await
        .expect("old draft");
    let old_id = store
        .application(&old_draft)
        .await
        .expect("read")
        .expect("old draft")
        .id;
    store
        .save_document(old_id, kept, document("ktp", "obj-draf-lama"), NOW - 200 * DAY)
        .await
        .expect("document");
    let fresh_draft = store
        .create_application(new_application("form-baru", kept), NOW)
        .await
        .expect("fresh draft");

    store
        .start_session("sesi-lama", Role::Applicant, kept, NOW - 40 * DAY, None)
        .await
        .expect("old session");
    store
        .start_session("sesi-baru", Role::Applicant, kept, NOW, None)
        .await
        .expect("session");
    store.hit("login:lama", 900, NOW - 3 * DAY).await.expect("old counter");
    store.hit("login:baru", 900, NOW).await.expect("counter");

    let cutoffs = crate::retention::cutoffs(&Schedule::default(), NOW);
    let expected = |report: &RetentionReport| {
        assert_eq!(
            report.ids(ErasureKind::RefusedRegistrations),
            std::slice::from_ref(&refused_nomor)
        );
        assert_eq!(
            report.ids(ErasureKind::UnfinishedRegistrations),
            std::slice::from_ref(&unfinished_nomor)
        );
        assert_eq!(report.ids(ErasureKind::Drafts), std::slice::from_ref(&old_draft));
        assert_eq!(report.count(ErasureKind::Sessions), 1, "the session idle for 40 days");
        assert_eq!(report.count(ErasureKind::Counters), 1, "the counter of three days ago");
        assert_eq!(report.count(ErasureKind::Links), 1, "the link used 40 days ago");
        assert_eq!(report.count(ErasureKind::RejectedApplications), 0);
        assert_eq!(report.count(ErasureKind::FinishedApplications), 0);
        assert_eq!(report.documents, 1);
    };

    // A dry run lists, and changes nothing.
    let dry = store.retention(cutoffs, INSTANSI, false, NOW).await.expect("dry run");
    expected(&dry);
    assert!(store.registration(refused, INSTANSI).await.expect("read").is_some());
    assert!(store.application(&old_draft).await.expect("read").is_some());
    assert!(store.session("sesi-lama").await.expect("read").is_some());

    let done = store.retention(cutoffs, INSTANSI, true, NOW).await.expect("apply");
    expected(&done);
    assert!(store.registration(refused, INSTANSI).await.expect("read").is_none());
    assert!(store.registration(unfinished, INSTANSI).await.expect("read").is_none());
    assert!(store.application(&old_draft).await.expect("read").is_none());
    assert!(store.session("sesi-lama").await.expect("read").is_none());
    assert_eq!(store.hits("login:lama", 900, NOW - 3 * DAY).await.expect("hits"), 0);
    // What is within its period stays.
    assert!(store.profile(kept).await.expect("read").is_some());
    assert!(store.application(&fresh_draft).await.expect("read").is_some());
    assert!(store.session("sesi-baru").await.expect("read").is_some());
    assert_eq!(store.hits("login:baru", 900, NOW).await.expect("hits"), 1);
    // The draft's object waits for the sweeper, like any discarded document.
    assert_eq!(
        store.discarded_before(i64::MAX, 10).await.expect("discarded"),
        ["obj-draf-lama"]
    );
    // One audit line per kind: what and how many, never whose.
    let trail = store.audit_trail(INSTANSI, 100).await.expect("audit");
    let erasures: Vec<(String, Option<String>)> = trail
        .iter()
        .filter(|e| e.action == "retensi_dihapus")
        .map(|e| (e.target.clone(), e.detail.clone()))
        .collect();
    assert_eq!(erasures.len(), 6, "{erasures:?}");
    assert!(erasures.contains(&("registrasi_ditolak".into(), Some("1 data".into()))));
    assert!(erasures.contains(&("draf".into(), Some("1 data".into()))));
    assert!(trail.iter().all(|e| e.actor_label != "rahmat" && e.target != "rahmat"));

    // Run again: nothing left to erase, nothing written.
    let again = store.retention(cutoffs, INSTANSI, true, NOW).await.expect("again");
    assert!(again.erased.is_empty(), "{again:?}");

    drop(store);
    let stored = everything_stored(&db).await;
    for (what, needle) in [
        ("NIK", NIK),
        ("sealed NIK", sealed_nik.as_str()),
        ("NIK hash", nik_hash.as_str()),
        ("email", EMAIL),
        ("name", NAME),
        ("unfinished applicant's email", "sari.lestari@example.com"),
        ("unfinished applicant's NIK", "1671014107880003"),
    ] {
        assert!(
            !stored.contains(needle),
            "the erased applicant's {what} is still stored"
        );
    }
    assert!(
        stored.contains("dewi.anggraini@example.com"),
        "the scan sees what is kept"
    );
}

async fn a_disabled_officer_is_signed_out_at_once_and_cannot_sign_in_again(db: TestDb) {
    let store = db.store().await;
    let officer = add_officer(&*store, "petugas.satu", UNIT).await;
    add_officer(&*store, "petugas.dua", UNIT).await;
    store
        .start_session("sesi-petugas", Role::Officer, officer.id, NOW, None)
        .await
        .expect("session");
    assert!(store.session("sesi-petugas").await.expect("read").is_some());

    assert!(
        store
            .disable_officer("petugas.satu", None, NOW + 60)
            .await
            .expect("disable")
    );
    assert!(
        store.session("sesi-petugas").await.expect("read").is_none(),
        "signed out at once"
    );
    assert!(
        store
            .login_account(Role::Officer, "petugas.satu")
            .await
            .expect("login")
            .is_none()
    );
    assert!(
        store
            .start_session("sesi-lagi", Role::Officer, officer.id, NOW + 61, None)
            .await
            .is_err(),
        "no session for a disabled officer, even past the password check"
    );
    assert!(!store.disable_officer("tidak.ada", None, NOW).await.expect("disable"));
    // Disabling again keeps the first time.
    assert!(
        store
            .disable_officer("petugas.satu", None, NOW + 120)
            .await
            .expect("disable")
    );

    let accounts = store.officer_accounts().await.expect("list");
    let names: Vec<&str> = accounts.iter().map(|a| a.username.as_str()).collect();
    assert_eq!(names, ["petugas.dua", "petugas.satu"]);
    assert_eq!(accounts[1].disabled_at, Some(NOW + 60));
    assert_eq!(accounts[1].last_login_at, Some(NOW));
    assert_eq!(accounts[0].disabled_at, None);
    assert_eq!(accounts[0].last_login_at, None);
    assert_eq!(accounts[1].unit, UNIT);
    let trail = store.audit_trail(INSTANSI, 10).await.expect("audit");
    assert_eq!(trail.iter().filter(|e| e.action == "petugas_dinonaktifkan").count(), 2);

    // From the console: in the admin's name, and the admin right reads back.
    let dua = store
        .login_account(Role::Officer, "petugas.dua")
        .await
        .expect("login")
        .expect("active");
    assert!(!store.officer(dua.id).await.expect("read").expect("officer").admin);
    assert!(
        store
            .set_officer_admin("petugas.dua", true, NOW + 150)
            .await
            .expect("admin")
    );
    assert!(!store.set_officer_admin("tidak.ada", true, NOW).await.expect("admin"));
    let admin = store.officer(dua.id).await.expect("read").expect("officer");
    assert!(admin.admin);
    assert!(store.officer_accounts().await.expect("list")[0].admin);
    assert!(
        store
            .disable_officer("petugas.satu", Some(&admin), NOW + 180)
            .await
            .expect("disable")
    );
    let trail = store.audit_trail(INSTANSI, 10).await.expect("audit");
    assert!(
        trail.iter().any(|e| e.action == "petugas_dinonaktifkan"
            && e.actor_label == "petugas.dua"
            && e.actor_kind == "petugas")
    );
}
