//! The right to deletion: a request waits for an officer of the applicant's instansi, and
//! processing it erases the account and all but the finished applications, which the
//! archive schedule keeps.

use super::applications::{document, new_application};
use super::*;

on_both!(
    a_processed_deletion_erases_the_account_but_keeps_finished_applications,
    a_deletion_request_is_made_once_cancelled_by_its_applicant_and_processed_once,
    a_correction_changes_the_name_or_sealed_number_only_when_an_officer_approves,
);

fn erased_mail(e: &ErasedAccount) -> Result<Vec<NewMail>> {
    let mut notice = mail("akun_dihapus", &e.email);
    notice.text = format!(
        "{} dihapus; disimpan: {}",
        e.nomor,
        e.kept.iter().map(|k| k.nomor.as_str()).collect::<Vec<_>>().join(", ")
    );
    Ok(vec![notice])
}

async fn a_processed_deletion_erases_the_account_but_keeps_finished_applications(db: TestDb) {
    let store = db.store().await;
    let officer = add_officer(&*store, "petugas.satu", UNIT).await;
    let id = approved_applicant(&*store, &officer, "dewi").await;
    store
        .start_session("sesi-dewi", Role::Applicant, id, NOW, None)
        .await
        .expect("session");
    let draft = store
        .create_application(new_application("form-draf", id), NOW)
        .await
        .expect("draft");
    let draft_id = store.application(&draft).await.expect("read").expect("draft").id;
    store
        .save_document(draft_id, id, document("ktp", "obj-draf"), NOW)
        .await
        .expect("document");
    let finished = store
        .create_application(new_application("form-selesai", id), NOW)
        .await
        .expect("finished");
    let finished_id = store.application(&finished).await.expect("read").expect("finished").id;
    store
        .save_document(finished_id, id, document("ktp", "obj-selesai"), NOW)
        .await
        .expect("document");
    db.raw_exec(&format!(
        "UPDATE applications SET status = 'selesai' WHERE id = {finished_id}"
    ))
    .await;
    let before = db
        .raw_rows(&format!(
            "SELECT nomor_identitas, nomor_identitas_hash, nomor FROM applicants WHERE id = {id}"
        ))
        .await
        .remove(0);
    let (sealed, hash, nomor) = (
        before[0].clone().expect("sealed"),
        before[1].clone().expect("hash"),
        before[2].clone().expect("nomor"),
    );

    let request = store.request_deletion(id, NOW + 10).await.expect("request");
    assert_eq!(request.status, DeletionStatus::Diajukan);
    let pending = store.pending_deletions(INSTANSI).await.expect("pending");
    assert_eq!(pending.len(), 1);
    assert_eq!(
        (pending[0].nomor.as_str(), pending[0].finished, pending[0].other),
        (nomor.as_str(), 1, 1)
    );

    let processed = store
        .process_deletion(request.id, &officer, NOW + 20, Box::new(erased_mail))
        .await
        .expect("process");
    let Processed::Done(erased) = processed else {
        panic!("not processed: {processed:?}");
    };
    assert_eq!(erased.email, "dewi@example.com");
    assert_eq!((erased.erased_applications, erased.documents), (1, 1));
    assert_eq!(
        erased.kept.iter().map(|k| k.nomor.as_str()).collect::<Vec<_>>(),
        [finished.as_str()]
    );

    // The account is gone for every page and every sign-in.
    assert!(store.profile(id).await.expect("profile").is_none());
    assert!(store.registration(id, INSTANSI).await.expect("registration").is_none());
    assert!(store.session("sesi-dewi").await.expect("session").is_none());
    assert!(
        store
            .login_account(Role::Applicant, "dewi")
            .await
            .expect("login")
            .is_none()
    );
    assert!(store.deletion_request_of(id).await.expect("request").is_none());
    assert!(store.pending_deletions(INSTANSI).await.expect("pending").is_empty());
    // The draft and its document went; the finished application stays with its document.
    assert!(store.application(&draft).await.expect("read").is_none());
    assert_eq!(
        store.discarded_before(i64::MAX, 10).await.expect("discarded"),
        ["obj-draf"]
    );
    let kept = store.application(&finished).await.expect("read").expect("kept");
    assert_eq!(store.documents(kept.id).await.expect("documents").len(), 1);
    // Nothing of the person is left in the account's row.
    let row = db
        .raw_rows(&format!(
            "SELECT username, email, nama, nomor_identitas, nomor_identitas_hash, telepon, alamat, password_hash
             FROM applicants WHERE id = {id}"
        ))
        .await
        .remove(0);
    assert!(row.iter().all(|v| v.as_deref().unwrap_or("").is_empty()), "{row:?}");
    let everything = db
        .raw_column("SELECT nomor_identitas || ' ' || coalesce(nomor_identitas_hash, '') FROM applicants")
        .await
        .concat();
    assert!(!everything.contains(&sealed) && !everything.contains(&hash));
    // Only the notice of the erasure is still addressed to them, until the mail schedule.
    let to_them = db
        .raw_column("SELECT kind FROM outbox WHERE recipient = 'dewi@example.com'")
        .await;
    assert_eq!(to_them, ["akun_dihapus"]);
    let trail = store.audit_trail(INSTANSI, 100).await.expect("audit");
    let line = trail
        .iter()
        .find(|e| e.action == "hapus_akun_diproses")
        .expect("audit line");
    assert_eq!(line.target, nomor);
    assert!(trail.iter().all(|e| e.actor_label != "dewi" && e.target != "dewi"));

    // Processing twice does nothing more.
    assert_eq!(
        store
            .process_deletion(request.id, &officer, NOW + 30, Box::new(erased_mail))
            .await
            .expect("again"),
        Processed::AlreadyDecided
    );
}

async fn a_deletion_request_is_made_once_cancelled_by_its_applicant_and_processed_once(db: TestDb) {
    let store = db.store().await;
    let officer = add_officer(&*store, "petugas.satu", UNIT).await;
    let id = approved_applicant(&*store, &officer, "dewi").await;
    let other = approved_applicant(&*store, &officer, "sari").await;
    assert!(store.deletion_request_of(id).await.expect("none yet").is_none());

    let first = store.request_deletion(id, NOW).await.expect("request");
    let again = store.request_deletion(id, NOW + 5).await.expect("again");
    assert_eq!(first, again, "a waiting request is not made twice");
    assert!(store.deletion_request_of(other).await.expect("other").is_none());
    assert!(!store.cancel_deletion(other, NOW).await.expect("other cancels nothing"));
    assert_eq!(
        store.deletion_request_of(id).await.expect("read").map(|r| r.status),
        Some(DeletionStatus::Diajukan)
    );

    assert!(store.cancel_deletion(id, NOW + 10).await.expect("cancel"));
    assert!(!store.cancel_deletion(id, NOW + 11).await.expect("cancel twice"));
    assert_eq!(
        store.deletion_request_of(id).await.expect("read").map(|r| r.status),
        Some(DeletionStatus::Dibatalkan)
    );
    assert_eq!(
        store
            .process_deletion(first.id, &officer, NOW + 20, Box::new(erased_mail))
            .await
            .expect("process"),
        Processed::AlreadyDecided
    );
    assert!(store.profile(id).await.expect("profile").is_some());

    let second = store.request_deletion(id, NOW + 30).await.expect("request again");
    assert_ne!(second.id, first.id);
    let elsewhere = Officer {
        instansi: "DPMPTSP Kabupaten Lain".into(),
        ..officer.clone()
    };
    assert_eq!(
        store
            .process_deletion(second.id, &elsewhere, NOW + 40, Box::new(erased_mail))
            .await
            .expect("elsewhere"),
        Processed::NotFound,
        "an officer of another instansi does not find it"
    );
    let Processed::Done(erased) = store
        .process_deletion(second.id, &officer, NOW + 50, Box::new(erased_mail))
        .await
        .expect("process")
    else {
        panic!("not processed");
    };
    assert!(erased.kept.is_empty());
    assert!(
        db.raw_rows(&format!("SELECT id FROM applicants WHERE id = {id}"))
            .await
            .is_empty(),
        "without finished applications the account's row goes"
    );
    assert!(
        store.profile(other).await.expect("profile").is_some(),
        "the other stays"
    );
    let actions: Vec<String> = store
        .audit_trail(INSTANSI, 100)
        .await
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .filter(|a| a.starts_with("hapus_akun"))
        .collect();
    assert_eq!(actions.len(), 4, "{actions:?}");
}

fn correction_mail(d: &DecidedCorrection) -> Result<Vec<NewMail>> {
    Ok(vec![mail("koreksi_identitas", &d.to.email)])
}

async fn a_correction_changes_the_name_or_sealed_number_only_when_an_officer_approves(db: TestDb) {
    const NEW_NIK: &str = "1671026505910008";
    let store = db.store().await;
    let officer = add_officer(&*store, "petugas.satu", UNIT).await;
    let id = approved_applicant(&*store, &officer, "dewi").await;
    let before = store.profile(id).await.expect("profile").expect("active");

    let name = NewCorrection {
        field: CorrectedField::Nama,
        value: "Dewi Anggraini Putri".into(),
        alasan: "Nama pada KTP baru".into(),
    };
    assert!(store.request_correction(id, name.clone(), NOW).await.expect("request"));
    assert!(
        !store.request_correction(id, name, NOW + 1).await.expect("again"),
        "one waits at a time"
    );
    let pending = store.pending_corrections(INSTANSI).await.expect("pending");
    assert_eq!(pending.len(), 1);
    assert_eq!(
        store.profile(id).await.expect("profile").expect("active").nama.as_str(),
        before.nama.as_str(),
        "nothing changes before an officer decides"
    );
    let elsewhere = Officer {
        instansi: "DPMPTSP Kabupaten Lain".into(),
        ..officer.clone()
    };
    assert_eq!(
        store
            .correction(pending[0].id, &elsewhere.instansi)
            .await
            .expect("read"),
        None
    );
    assert_eq!(
        store
            .decide_correction(
                pending[0].id,
                &elsewhere,
                CorrectionVerdict::Approve,
                NOW + 2,
                Box::new(correction_mail)
            )
            .await
            .expect("elsewhere"),
        Decision::NotFound
    );
    assert_eq!(
        store
            .decide_correction(
                pending[0].id,
                &officer,
                CorrectionVerdict::Approve,
                NOW + 3,
                Box::new(correction_mail)
            )
            .await
            .expect("approve"),
        Decision::Done
    );
    assert_eq!(
        store.profile(id).await.expect("profile").expect("active").nama.as_str(),
        "Dewi Anggraini Putri"
    );
    assert_eq!(
        store
            .decide_correction(
                pending[0].id,
                &officer,
                CorrectionVerdict::Approve,
                NOW + 4,
                Box::new(correction_mail)
            )
            .await
            .expect("twice"),
        Decision::AlreadyDecided
    );

    // A number is kept sealed while it waits, and changes sealed with its hash.
    let number = NewCorrection {
        field: CorrectedField::NomorIdentitas,
        value: NEW_NIK.into(),
        alasan: "Salah ketik saat registrasi".into(),
    };
    assert!(
        store
            .request_correction(id, number.clone(), NOW + 5)
            .await
            .expect("request")
    );
    let stored = db.raw_column("SELECT nilai FROM identity_corrections").await.concat();
    assert!(!stored.contains(NEW_NIK), "sealed while it waits");
    let waiting = store.pending_corrections(INSTANSI).await.expect("pending").remove(0);
    assert_eq!(waiting.value, NEW_NIK);
    let refused = CorrectionVerdict::Refuse("Lampirkan KTP yang baru".into());
    assert_eq!(
        store
            .decide_correction(waiting.id, &officer, refused, NOW + 6, Box::new(correction_mail))
            .await
            .expect("refuse"),
        Decision::Done
    );
    assert_eq!(
        store
            .profile(id)
            .await
            .expect("profile")
            .expect("active")
            .nomor_identitas,
        before.nomor_identitas,
        "a refusal changes nothing"
    );
    let mine = store.corrections_of(id, 10).await.expect("mine");
    assert_eq!(mine[0].status, CorrectionStatus::Ditolak);
    assert_eq!(mine[0].alasan_tolak.as_deref(), Some("Lampirkan KTP yang baru"));
    assert_eq!(mine[1].status, CorrectionStatus::Disetujui);

    assert!(store.request_correction(id, number, NOW + 7).await.expect("request"));
    let waiting = store.pending_corrections(INSTANSI).await.expect("pending").remove(0);
    store
        .decide_correction(
            waiting.id,
            &officer,
            CorrectionVerdict::Approve,
            NOW + 8,
            Box::new(correction_mail),
        )
        .await
        .expect("approve");
    assert_eq!(
        store
            .profile(id)
            .await
            .expect("profile")
            .expect("active")
            .nomor_identitas,
        NEW_NIK
    );
    let row = db
        .raw_column(&format!("SELECT nomor_identitas FROM applicants WHERE id = {id}"))
        .await
        .concat();
    assert!(!row.contains(NEW_NIK), "sealed in the account too");
    let trail = store.audit_trail(INSTANSI, 100).await.expect("audit");
    let decided: Vec<&str> = trail
        .iter()
        .filter(|e| e.action.starts_with("koreksi_identitas"))
        .map(|e| e.action.as_str())
        .collect();
    assert_eq!(decided.len(), 6, "{decided:?}");
    assert!(
        trail
            .iter()
            .all(|e| !e.detail.as_deref().unwrap_or("").contains(NEW_NIK))
    );
    assert_eq!(
        db.raw_column("SELECT kind FROM outbox WHERE kind = 'koreksi_identitas'")
            .await
            .len(),
        3
    );
}
