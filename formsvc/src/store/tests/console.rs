//! What the officer console asks the store (issue 8, "Officers"): every action in the audit
//! trail with its filters, the queue's search and its times, who handles an application.

use super::applications::{document, new_application};
use super::*;
use crate::application::Status;

on_both!(
    the_audit_trail_records_the_applicants_actions_and_filters_by_number_actor_and_date,
    the_queue_finds_company_nib_and_nik_counts_by_status_and_keeps_the_first_submission,
);

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

fn status_mail(r: &Recipient) -> Result<Vec<NewMail>> {
    Ok(vec![mail("permohonan_status", &r.email)])
}

/// Regression: the queue found nothing by company, NIB or NIK, and a resubmission overwrote
/// the first submission time.
async fn the_queue_finds_company_nib_and_nik_counts_by_status_and_keeps_the_first_submission(db: TestDb) {
    let store = db.store().await;
    let officer = add_officer(&*store, "petugas.satu", UNIT).await;
    let budi = approved_applicant(&*store, &officer, "budi.santoso").await;
    // Ani's registration carries another NIK than the suite's usual one.
    let reg = NewRegistration {
        nomor_identitas: "1671024107850002".into(),
        ..registration("form-ani", "ani", "ani@example.com")
    };
    let RegisterOutcome::Created(reg_nomor) = store
        .register(reg, 2026, NOW, Box::new(registration_mails))
        .await
        .expect("register")
    else {
        panic!("not created")
    };
    let ani = registration_id(&*store, &reg_nomor).await;
    let decided = store
        .approve_registration(
            ani,
            &officer,
            link("link-ani", LinkPurpose::SetPassword),
            NOW,
            Box::new(decision_mail),
        )
        .await
        .expect("approve");
    assert_eq!(decided, Decision::Done);

    let company = NewApplication {
        nib: Some(crate::domain::Nib::parse("9120001234567").expect("nib")),
        perusahaan: Some(Perusahaan {
            nama: "CV Bahari Sejahtera".into(),
            npwp: "09.254.294.3-407.000".into(),
            alamat: "Jl. Sungai Musi 2".into(),
            telepon: "0711356789".into(),
            email: "cv@bahari.example".into(),
        }),
        ..new_application("form-cv", budi)
    };
    let mut ids = Vec::new();
    for (new, who, at) in [(company, budi, 100), (new_application("form-ani", ani), ani, 200)] {
        let nomor = store.create_application(new, NOW).await.expect("create");
        let id = store.application(&nomor).await.expect("read").expect("found").id;
        store
            .submit_application(id, who, NOW + at, Box::new(submitted))
            .await
            .expect("submit");
        ids.push((nomor, id));
    }
    store
        .create_application(new_application("form-draft", budi), NOW)
        .await
        .expect("a draft");
    let search = |text: &str, nik: Option<&str>| QueueFilter {
        instansi: INSTANSI.into(),
        unit: UNIT.into(),
        text: text.into(),
        nik: nik.map(str::to_string),
        ..QueueFilter::default()
    };
    let found = |rows: Vec<ApplicationRecord>| rows.into_iter().map(|a| a.nomor).collect::<Vec<_>>();
    let (cv, ani_app) = (ids[0].0.clone(), ids[1].0.clone());
    assert_eq!(
        found(store.queue(search("", None)).await.expect("queue")),
        [cv.clone(), ani_app.clone()]
    );
    assert_eq!(
        found(store.queue(search("bahari", None)).await.expect("queue")),
        std::slice::from_ref(&cv)
    );
    assert_eq!(
        found(store.queue(search("9120001234", None)).await.expect("queue")),
        std::slice::from_ref(&cv)
    );
    let nik = "1671024107850002";
    assert_eq!(
        found(store.queue(search(nik, Some(nik))).await.expect("queue")),
        std::slice::from_ref(&ani_app)
    );
    assert_eq!(
        found(
            store
                .queue(search("1671099999990009", Some("1671099999990009")))
                .await
                .expect("queue")
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        store.queue_counts(INSTANSI, UNIT).await.expect("counts"),
        [(Status::Diajukan, 2)],
        "drafts are not counted"
    );

    // Sent back and submitted again: the first submission stays, the wait starts again.
    let back = ReviewAction {
        to: Status::Perbaikan,
        notes: vec![("ktp".into(), "Buram.".into())],
        summary: None,
    };
    assert!(
        store
            .review(ids[0].1, &officer, back, NOW + 300, Box::new(status_mail))
            .await
            .expect("review")
    );
    let mut counts = store.queue_counts(INSTANSI, UNIT).await.expect("counts");
    counts.sort_by_key(|(s, _)| s.as_str());
    assert_eq!(counts, [(Status::Diajukan, 1), (Status::Perbaikan, 1)]);
    store
        .submit_application(ids[0].1, budi, NOW + 400, Box::new(submitted))
        .await
        .expect("resubmit");
    let a = store.application(&cv).await.expect("read").expect("found");
    assert_eq!(a.submitted_at, Some(NOW + 100), "the first submission is kept");
    assert_eq!(a.status_since, NOW + 400, "waiting since the resubmission");
    let b = store.application(&ani_app).await.expect("read").expect("found");
    assert_eq!(b.status_since, NOW + 200);

    // "Saya tangani": the application names its officer; another unit's officer cannot take it.
    assert_eq!(a.handled_by, None);
    assert!(
        store
            .take_application(ids[1].1, &officer, NOW + 500)
            .await
            .expect("take")
    );
    let elsewhere = add_officer(&*store, "petugas.lain", "Bidang Lain").await;
    assert!(
        !store
            .take_application(ids[0].1, &elsewhere, NOW + 501)
            .await
            .expect("take")
    );
    let b = store.application(&ani_app).await.expect("read").expect("found");
    assert_eq!(b.handled_by.as_deref(), Some(officer.nama.as_str()));
    let trail = store.audit_trail(INSTANSI, 1).await.expect("audit");
    assert_eq!(
        (trail[0].action.as_str(), trail[0].target.as_str()),
        ("permohonan_ditangani", ani_app.as_str())
    );
}
