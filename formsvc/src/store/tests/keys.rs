//! Encryption at rest in the store: identity numbers sealed and found by their keyed hash,
//! rows from before sealing sealed at the next start, the master key checked at start, and
//! what `sicantik key rotate` and `key encrypt-documents` change.

use super::applications::{document, new_application};
use super::*;
use crate::error::Error;
use crate::keys::maintenance::rotate;

on_both!(
    identity_numbers_are_stored_sealed_and_found_by_their_keyed_hash,
    identity_numbers_stored_in_clear_before_sealing_are_sealed_at_the_next_start,
    a_store_opened_with_another_master_key_refuses_to_start,
    a_rotation_rewraps_every_key_resumes_and_leaves_the_old_key_unneeded,
    documents_stored_before_encryption_are_listed_and_switched_once,
);

const NIK: &str = "1671010101900001";

/// Every value of every row of `table`, as text.
async fn dump(db: &TestDb, table: &str) -> String {
    db.raw_rows(&format!("SELECT * FROM {table}"))
        .await
        .into_iter()
        .flatten()
        .flatten()
        .collect::<Vec<_>>()
        .join("|")
}

/// An approved applicant with a submitted application: (applicant id, application number).
async fn submitted_application(store: &dyn Store) -> (i64, String) {
    let officer = add_officer(store, "petugas.satu", UNIT).await;
    let budi = approved_applicant(store, &officer, "budi.santoso").await;
    let nomor = store
        .create_application(new_application("form-1", budi), NOW)
        .await
        .expect("create");
    let id = store.application(&nomor).await.expect("read").expect("found").id;
    store
        .submit_application(id, budi, NOW + 1, Box::new(|_| Ok(Vec::new())))
        .await
        .expect("submit");
    (budi, nomor)
}

async fn identity_numbers_are_stored_sealed_and_found_by_their_keyed_hash(db: TestDb) {
    let store = db.store().await;
    let (budi, nomor) = submitted_application(&*store).await;
    for table in [
        "applicants",
        "applications",
        "audit",
        "outbox",
        "attempt_counters",
        "settings",
    ] {
        assert!(!dump(&db, table).await.contains(NIK), "{table} holds the NIK in clear");
    }
    let hashes = db
        .raw_column(&format!(
            "SELECT nomor_identitas_hash FROM applicants WHERE id = {budi}"
        ))
        .await;
    assert_eq!(hashes.len(), 1);
    assert_ne!(
        hashes[0],
        crate::security::token_hash(NIK),
        "keyed, not a plain SHA-256"
    );

    // Those allowed read it back in clear.
    let officer = store
        .officer(
            store
                .login_account(Role::Officer, "petugas.satu")
                .await
                .expect("login")
                .expect("officer")
                .id,
        )
        .await
        .expect("officer")
        .expect("officer");
    let reg = store
        .registration(budi, &officer.instansi)
        .await
        .expect("read")
        .expect("found");
    assert_eq!(reg.nomor_identitas, NIK);
    assert_eq!(
        store
            .profile(budi)
            .await
            .expect("profile")
            .expect("active")
            .nomor_identitas,
        NIK
    );
    let a = store.application(&nomor).await.expect("read").expect("found");
    assert_eq!(a.pemohon.identitas, NIK);

    // Cek Status finds it by the NIK, and not by anything like it.
    assert!(store.status_lookup(&nomor, "", NIK).await.expect("lookup").is_some());
    assert!(
        store
            .status_lookup(&nomor, "", "1671010101900002")
            .await
            .expect("lookup")
            .is_none()
    );
    assert!(
        store
            .status_lookup(&nomor, "", &hashes[0])
            .await
            .expect("lookup")
            .is_none()
    );

    // A sealed value that was altered is a corrupt row, not someone else's number.
    db.raw_exec(&format!(
        "UPDATE applicants SET nomor_identitas = 'v1.AAAA' || substr(nomor_identitas, 8) WHERE id = {budi}"
    ))
    .await;
    assert!(matches!(
        store.profile(budi).await,
        Err(Error::Corrupt {
            table: "applicants",
            field: "nomor_identitas",
            ..
        })
    ));
}

async fn identity_numbers_stored_in_clear_before_sealing_are_sealed_at_the_next_start(db: TestDb) {
    let store = db.store().await;
    let (budi, nomor) = submitted_application(&*store).await;
    // As a row written before migration 0004 looks.
    let legacy = format!(
        "{{\"nama\":\"Budi Santoso\",\"identitas\":\"{NIK}\",\"telepon\":\"+6281234567890\",\
         \"email\":\"budi.santoso@example.com\",\"alamat\":\"Jl. Merdeka No. 1\"}}"
    );
    db.raw_exec(&format!(
        "UPDATE applicants SET nomor_identitas = '{NIK}', nomor_identitas_hash = NULL WHERE id = {budi};
         UPDATE applications SET pemohon_json = '{legacy}' WHERE nomor = '{nomor}'"
    ))
    .await;
    assert!(dump(&db, "applicants").await.contains(NIK));
    // Read as stored until then.
    assert_eq!(
        store
            .profile(budi)
            .await
            .expect("profile")
            .expect("active")
            .nomor_identitas,
        NIK
    );
    assert_eq!(
        store
            .application(&nomor)
            .await
            .expect("read")
            .expect("found")
            .pemohon
            .identitas,
        NIK
    );
    drop(store);

    let store = db.store().await;
    for table in ["applicants", "applications"] {
        assert!(
            !dump(&db, table).await.contains(NIK),
            "{table} still holds the NIK in clear"
        );
    }
    assert_eq!(
        store
            .profile(budi)
            .await
            .expect("profile")
            .expect("active")
            .nomor_identitas,
        NIK
    );
    assert_eq!(
        store
            .application(&nomor)
            .await
            .expect("read")
            .expect("found")
            .pemohon
            .identitas,
        NIK
    );
    assert!(store.status_lookup(&nomor, "", NIK).await.expect("lookup").is_some());
    assert_eq!(store.seal_identities().await.expect("again"), 0, "nothing left to seal");
}

async fn a_store_opened_with_another_master_key_refuses_to_start(db: TestDb) {
    let first = db.store().await;
    first.ping().await.expect("ping");
    match open_with(db.url(), 2, &Keyring::ephemeral()).await {
        Err(Error::Config(m)) => {
            assert!(
                m.contains("SICANTIK_MASTER_KEY_FILE") && m.contains(keys().current_id().as_str()),
                "{m}"
            );
        }
        Err(other) => panic!("expected a configuration error, got {other:?}"),
        Ok(_) => panic!("a store opened with the wrong master key"),
    }
}

async fn a_rotation_rewraps_every_key_resumes_and_leaves_the_old_key_unneeded(db: TestDb) {
    let old = Keyring::ephemeral();
    let new = Keyring::ephemeral();
    let store = open_with(db.url(), 2, &old).await.expect("open with the old key");
    let (budi, nomor) = submitted_application(&*store).await;
    let app_id = store.application(&nomor).await.expect("read").expect("found").id;
    db.raw_exec(&format!("UPDATE applications SET status = 'draf' WHERE id = {app_id}"))
        .await;
    let data_key = crate::keys::DataKey::random();
    for (i, req) in ["a", "b", "c", "d", "e"].iter().enumerate() {
        let name = format!("objek-{i}.bin");
        let mut doc = document(req, &name);
        doc.key = old.wrap(&data_key, &format!("document:{name}"));
        store.save_document(app_id, budi, doc, NOW).await.expect("save");
    }
    // One key that neither key opens is reported, not lost.
    let mut stray = document("f", "objek-asing.bin");
    stray.key = Keyring::ephemeral().wrap(&data_key, "document:objek-asing.bin");
    store.save_document(app_id, budi, stray, NOW).await.expect("save");

    let report = rotate(&*store, old.current(), new.current(), 2).await.expect("rotate");
    assert_eq!(report.rewrapped, 5);
    assert!(report.nik_key_rewrapped);
    assert_eq!(report.failed.len(), 1, "{:?}", report.failed);
    let again = rotate(&*store, old.current(), new.current(), 2).await.expect("again");
    assert_eq!(
        (again.rewrapped, again.nik_key_rewrapped),
        (0, false),
        "nothing left to do"
    );
    let new_id = new.current_id().as_str().to_string();
    assert!(
        report.by_key.contains(&(Some(new_id.clone()), 5)),
        "{:?}",
        report.by_key
    );
    drop(store);

    // The old key is no longer needed: the new one alone opens the store and every key.
    let store = open_with(db.url(), 2, &new).await.expect("open with the new key alone");
    assert_eq!(
        store
            .profile(budi)
            .await
            .expect("profile")
            .expect("active")
            .nomor_identitas,
        NIK
    );
    for doc in store.documents(app_id).await.expect("documents") {
        let d = store
            .document_for_download(&doc.alamat)
            .await
            .expect("read")
            .expect("found");
        let key = d.key.expect("encrypted");
        let context = format!("document:{}", d.stored_name);
        if d.stored_name == "objek-asing.bin" {
            assert_ne!(key.key_id, new_id);
            continue;
        }
        assert_eq!(key.key_id, new_id);
        assert_eq!(
            new.unwrap(&key, &context).expect("the new key opens it").bytes(),
            data_key.bytes()
        );
        assert!(old.unwrap(&key, &context).is_err());
    }
    assert!(
        open_with(db.url(), 2, &old).await.is_err(),
        "the old key alone no longer opens it"
    );

    // A change made from a stale read changes nothing.
    let row = &store
        .documents_not_wrapped_by("ffffffffffffffff", 0, 1)
        .await
        .expect("rows")[0];
    let stale = (row.id, old.wrap(&data_key, "x"), new.wrap(&data_key, "y"));
    assert_eq!(store.rewrap_documents(vec![stale]).await.expect("rewrap"), 0);
}

async fn documents_stored_before_encryption_are_listed_and_switched_once(db: TestDb) {
    let store = db.store().await;
    let (budi, nomor) = submitted_application(&*store).await;
    let app_id = store.application(&nomor).await.expect("read").expect("found").id;
    db.raw_exec(&format!("UPDATE applications SET status = 'draf' WHERE id = {app_id}"))
        .await;
    store
        .save_document(app_id, budi, document("ktp", "lama.bin"), NOW)
        .await
        .expect("save");
    db.raw_exec("UPDATE documents SET key_id = NULL, wrapped_key = NULL")
        .await;
    let plain = store.plain_documents(0, 10).await.expect("plain");
    assert_eq!(plain.len(), 1);
    let doc = &plain[0];
    assert_eq!((doc.stored_name.as_str(), doc.size), ("lama.bin", 1234));
    // The address `document` gives it.
    let alamat = "alamat-lama.bin";
    assert!(
        store
            .document_for_download(alamat)
            .await
            .expect("read")
            .expect("found")
            .key
            .is_none()
    );
    assert_eq!(store.documents_by_key().await.expect("counts"), vec![(None, 1)]);

    let key = keys().wrap(&crate::keys::DataKey::random(), "document:baru.bin");
    assert!(
        store
            .document_encrypted(doc.id, "lama.bin", "baru.bin", &key)
            .await
            .expect("switch")
    );
    assert!(
        !store
            .document_encrypted(doc.id, "lama.bin", "lain.bin", &key)
            .await
            .expect("again")
    );
    let d = store.document_for_download(alamat).await.expect("read").expect("found");
    assert_eq!((d.stored_name.as_str(), d.key), ("baru.bin", Some(key)));
    assert!(store.plain_documents(0, 10).await.expect("plain").is_empty());

    // Half a key is a corrupt row, not a document served as stored.
    db.raw_exec("UPDATE documents SET wrapped_key = NULL").await;
    assert!(matches!(
        store.document_for_download(alamat).await,
        Err(Error::Corrupt {
            table: "documents",
            field: "wrapped_key",
            ..
        })
    ));
}
