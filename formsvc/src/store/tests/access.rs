//! The processing record (UU PDP Pasal 31): who opened whose data, read back per applicant.

use super::applications::{document, new_application};
use super::*;

on_both!(the_processing_record_lists_each_look_newest_first_for_that_applicant_only);

async fn the_processing_record_lists_each_look_newest_first_for_that_applicant_only(db: TestDb) {
    let store = db.store().await;
    let officer = add_officer(&*store, "petugas.satu", UNIT).await;
    let budi = approved_applicant(&*store, &officer, "budi.santoso").await;
    let ani = approved_applicant(&*store, &officer, "ani").await;
    let nomor = store
        .create_application(new_application("form-1", budi), NOW)
        .await
        .expect("create");
    let a = store.application_of(&nomor, budi).await.expect("read").expect("own");
    store
        .save_document(a.id, budi, document("ktp", "b-1"), NOW + 1)
        .await
        .expect("save");
    let doc = store.documents(a.id).await.expect("documents").remove(0);
    let download = store
        .document_for_download(&doc.alamat)
        .await
        .expect("read")
        .expect("the document");
    assert_eq!(
        (download.application_id, download.requirement_id.as_str()),
        (a.id, "ktp"),
        "a download says which document of which application it is"
    );

    assert!(store.access_of(budi, 100).await.expect("record").is_empty());
    store
        .record_access(NewAccess::registration(&officer, budi), NOW + 10)
        .await
        .expect("record");
    store
        .record_access(NewAccess::application(&officer, &a), NOW + 20)
        .await
        .expect("record");
    let look = NewAccess {
        kind: AccessKind::LihatDokumen,
        document_id: Some(doc.id),
        requirement_id: Some("ktp".into()),
        ..NewAccess::application(&officer, &a)
    };
    store.record_access(look, NOW + 30).await.expect("record");
    store
        .record_access(NewAccess::registration(&officer, ani), NOW + 40)
        .await
        .expect("record");

    let record = store.access_of(budi, 100).await.expect("record");
    let seen: Vec<(i64, AccessKind, Option<&str>, Option<&str>)> = record
        .iter()
        .map(|e| {
            (
                e.at,
                e.kind,
                e.application_nomor.as_deref(),
                e.requirement_id.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (NOW + 30, AccessKind::LihatDokumen, Some(nomor.as_str()), Some("ktp")),
            (NOW + 20, AccessKind::Permohonan, Some(nomor.as_str()), None),
            (NOW + 10, AccessKind::Registrasi, None, None),
        ],
        "newest first, and only Budi's"
    );
    assert!(
        record
            .iter()
            .all(|e| e.officer_nama == "Siti Aminah" && e.officer_unit == UNIT && e.officer_id == officer.id)
    );
    assert_eq!(record[0].document_id, Some(doc.id));
    assert_eq!(store.access_of(budi, 2).await.expect("record").len(), 2, "bounded");
    assert_eq!(store.access_of(ani, 100).await.expect("record").len(), 1);

    // The record holds ids and words: none of the personal data that was seen.
    let rows = db.raw_rows("SELECT * FROM data_access").await;
    let text = format!("{rows:?}");
    for personal in ["1671010101900001", "Budi", "budi.santoso", "Merdeka", "ktp.pdf"] {
        assert!(!text.contains(personal), "{personal} in {text}");
    }

    // The data protection officer finds a person by username or email, of any status.
    assert_eq!(store.applicants_named("budi.santoso").await.expect("find"), [budi]);
    assert_eq!(store.applicants_named("ANI@example.com").await.expect("find"), [ani]);
    assert!(store.applicants_named("nobody").await.expect("find").is_empty());

    // The export `sicantik data-access export` prints: a header and Budi's three lines.
    let csv = crate::privacy::record::export_csv(&*store, "budi.santoso")
        .await
        .expect("export")
        .expect("Budi is found");
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert!(csv.contains("\"Siti Aminah\"") && csv.contains(",lihat_dokumen,") && csv.contains(&nomor));
    assert!(!csv.contains("1671010101900001"), "no NIK in the export");
    assert!(
        crate::privacy::record::export_csv(&*store, "nobody")
            .await
            .expect("export")
            .is_none()
    );
}
