//! What the officer console asks the store (issue 8, "Officers"): every action in the audit
//! trail with its filters, the queue's search and its times, who handles an application.

use super::applications::{document, new_application};
use super::*;
use crate::application::Status;

on_both!(the_audit_trail_records_the_applicants_actions_and_filters_by_number_actor_and_date,);

fn submitted(s: &Submitted) -> Result<Vec<NewMail>> {
    Ok(vec![mail("permohonan_diajukan", &s.applicant.email)])
}

/// Regression: the trail had no line for BUAT, an upload or Ajukan, and no filter.
async fn the_audit_trail_records_the_applicants_actions_and_filters_by_number_actor_and_date(db: TestDb) {
    let store = db.store().await;
    let officer = add_officer(&*store, "petugas.satu", UNIT).await;
    let budi = approved_applicant(&*store, &officer, "budi.santoso").await;
    let nomor = store
        .create_application(new_application("form-a", budi), NOW)
        .await
        .expect("create");
    let id = store.application(&nomor).await.expect("read").expect("found").id;
    for (req, name, at) in [("ktp", "a-1", 10), ("denah", "a-2", 11), ("ktp", "a-3", 12)] {
        store
            .save_document(id, budi, document(req, name), NOW + at)
            .await
            .expect("save");
    }
    store
        .submit_application(id, budi, NOW + 3 * 86_400, Box::new(submitted))
        .await
        .expect("submit");
    let other = store
        .create_application(new_application("form-b", budi), NOW + 20)
        .await
        .expect("create");

    let only = |target: Option<&str>, actor: &str, from: Option<i64>, to: Option<i64>| AuditFilter {
        instansi: INSTANSI.into(),
        target: target.map(str::to_string),
        actor_kind: None,
        actor: actor.into(),
        from,
        to,
        limit: 100,
    };
    let lines = store
        .audit_search(&only(Some(&nomor), "", None, None))
        .await
        .expect("audit");
    let got: Vec<(&str, &str, Option<&str>)> = lines
        .iter()
        .map(|l| (l.action.as_str(), l.actor_kind.as_str(), l.detail.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            ("permohonan_diajukan", "pemohon", None),
            ("dokumen_diganti", "pemohon", Some("Persyaratan: KTP Pemohon")),
            ("dokumen_diunggah", "pemohon", Some("Persyaratan: Denah Lokasi")),
            ("dokumen_diunggah", "pemohon", Some("Persyaratan: KTP Pemohon")),
            ("permohonan_dibuat", "pemohon", None),
        ],
        "newest first, only {nomor}"
    );
    assert!(
        lines
            .iter()
            .all(|l| l.actor_label == "budi.santoso" && l.target == nomor)
    );
    assert!(
        lines
            .iter()
            .all(|l| crate::audit::action_label(&l.action) != "Tindakan lain"),
        "every line has its words"
    );

    // By actor: the officer's lines (the approval), not the applicant's; text inside the name.
    let by_officer = store
        .audit_search(&only(None, "petugas.sa", None, None))
        .await
        .expect("audit");
    assert!(!by_officer.is_empty());
    assert!(
        by_officer.iter().all(|l| l.actor_label == "petugas.satu"),
        "{by_officer:?}"
    );
    let kind = AuditFilter {
        actor_kind: Some("pemohon".into()),
        ..only(None, "", None, None)
    };
    let by_kind = store.audit_search(&kind).await.expect("audit");
    assert!(by_kind.iter().all(|l| l.actor_kind == "pemohon"));
    assert!(by_kind.iter().any(|l| l.target == other));

    // By date: the days before Ajukan hold everything but Ajukan; the day of it only Ajukan.
    let before = store
        .audit_search(&only(Some(&nomor), "", None, Some(NOW + 86_400)))
        .await
        .expect("audit");
    assert_eq!(before.len(), 4);
    let after = store
        .audit_search(&only(Some(&nomor), "", Some(NOW + 2 * 86_400), None))
        .await
        .expect("audit");
    assert_eq!(
        after.iter().map(|l| l.action.as_str()).collect::<Vec<_>>(),
        ["permohonan_diajukan"]
    );
    let capped = AuditFilter {
        limit: 2,
        ..only(None, "", None, None)
    };
    assert_eq!(store.audit_search(&capped).await.expect("audit").len(), 2);

    // Removing a document is an action too.
    let other_id = store.application(&other).await.expect("read").expect("found").id;
    store
        .save_document(other_id, budi, document("ktp", "b-1"), NOW + 30)
        .await
        .expect("save");
    store.remove_document(other_id, "ktp", NOW + 31).await.expect("remove");
    let last = store
        .audit_search(&only(Some(&other), "", None, None))
        .await
        .expect("audit");
    assert_eq!(last[0].action, "dokumen_dihapus");
    assert_eq!(Status::Diajukan.audit_action(), "permohonan_diajukan");
}
