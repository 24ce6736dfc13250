//! Applications: BUAT, DOKUMEN, Ajukan, the officers' review and queue, Cek Status.

use generator::{ApplicantType, ApplicationKind};

use super::*;
use crate::application::{KeptRequirement, Status};
use crate::error::Error;

on_both!(
    an_application_is_made_documented_submitted_and_reviewed,
    the_applicant_corrects_nib_pemohon_and_perusahaan_only_while_the_application_is_theirs,
    uploads_the_scanner_refused_are_listed_for_the_officers_of_the_unit,
);

fn requirement(id: &str, nama: &str) -> KeptRequirement {
    KeptRequirement {
        id: id.into(),
        nama: nama.into(),
        wajib: true,
        format: vec!["pdf".into()],
        ukuran_maks_mb: 5,
        keterangan: None,
    }
}

/// An application as BUAT makes it, for the applicant `applicant_id` (whose name is Budi).
pub(super) fn new_application(form_token: &str, applicant_id: i64) -> NewApplication {
    NewApplication {
        form_token: form_token.into(),
        applicant_id,
        permit_slug: "izin-reklame".into(),
        permit_nama: "Izin Reklame".into(),
        instansi: INSTANSI.into(),
        unit: UNIT.into(),
        kind: ApplicationKind::Baru,
        who: ApplicantType::Perorangan,
        nib: None,
        pemohon: Pemohon {
            nama: "Budi Santoso".into(),
            identitas: "1671010101900001".into(),
            telepon: "+6281234567890".into(),
            email: "budi.santoso@example.com".into(),
            alamat: "Jl. Merdeka No. 1".into(),
        },
        perusahaan: None,
        persyaratan: vec![requirement("ktp", "KTP Pemohon"), requirement("denah", "Denah Lokasi")],
    }
}

pub(super) fn document(requirement_id: &str, stored_name: &str) -> NewDocument {
    NewDocument {
        alamat: format!("alamat-{stored_name}"),
        requirement_id: requirement_id.into(),
        stored_name: stored_name.into(),
        original_name: format!("{requirement_id}.pdf"),
        content_type: "application/pdf".into(),
        size: 1234,
        sha256: "ab".repeat(32),
        key: WrappedKey {
            key_id: "0123456789abcdef".into(),
            wrapped: format!("wrapped-key-of-{stored_name}"),
        },
    }
}

fn action(to: Status, notes: &[(&str, &str)], summary: Option<&str>) -> ReviewAction {
    ReviewAction {
        to,
        notes: notes.iter().map(|(r, n)| (r.to_string(), n.to_string())).collect(),
        summary: summary.map(str::to_string),
    }
}

fn status_mail(r: &Recipient) -> Result<Vec<NewMail>> {
    Ok(vec![mail("permohonan_status", &r.email)])
}

async fn an_application_is_made_documented_submitted_and_reviewed(db: TestDb) {
    let store = db.store().await;
    let officer = add_officer(&*store, "petugas.satu", UNIT).await;
    let elsewhere = add_officer(&*store, "petugas.dua", "Bidang Lain").await;
    let budi = approved_applicant(&*store, &officer, "budi.santoso").await;
    let ani = approved_applicant(&*store, &officer, "ani").await;

    // BUAT, twice with the same form, and twice at once with another: one application each.
    let nomor = store
        .create_application(new_application("form-1", budi), NOW)
        .await
        .expect("create");
    assert!(
        crate::application::normalise_number(&nomor) == Some(nomor.clone()),
        "{nomor}"
    );
    let again = store
        .create_application(new_application("form-1", budi), NOW + 1)
        .await
        .expect("again");
    assert_eq!(again, nomor);
    let (x, y) = tokio::join!(
        store.create_application(new_application("form-2", budi), NOW + 2),
        store.create_application(new_application("form-2", budi), NOW + 2)
    );
    assert_eq!(x.expect("first"), y.expect("second"));
    let draft = store
        .create_application(new_application("form-3", ani), NOW + 3)
        .await
        .expect("create");
    assert_eq!(store.applications_of(budi).await.expect("list").len(), 2);

    let a = store.application_of(&nomor, budi).await.expect("read").expect("own");
    assert!(
        store.application_of(&nomor, ani).await.expect("read").is_none(),
        "someone else's"
    );
    assert_eq!(a.status, Status::Draf);
    assert_eq!(a.pemohon.nama, "Budi Santoso");
    assert_eq!(a.persyaratan.len(), 2);
    assert_eq!(
        (a.kind, a.who, a.submitted_at),
        (ApplicationKind::Baru, ApplicantType::Perorangan, None)
    );
    let id = a.id;

    // DOKUMEN: a second upload replaces the first and hands back its stored name.
    assert_eq!(
        store
            .save_document(id, budi, document("ktp", "b-1"), NOW + 10)
            .await
            .expect("save"),
        None
    );
    let replaced = store
        .save_document(id, budi, document("ktp", "b-2"), NOW + 11)
        .await
        .expect("save");
    assert_eq!(replaced.as_deref(), Some("b-1"));
    store
        .save_document(id, budi, document("denah", "b-3"), NOW + 12)
        .await
        .expect("save");
    store
        .save_document(id, budi, document("lain", "b-4"), NOW + 12)
        .await
        .expect("save");
    assert_eq!(
        store
            .remove_document(id, "lain", NOW + 20)
            .await
            .expect("remove")
            .as_deref(),
        Some("b-4")
    );
    assert_eq!(store.remove_document(id, "lain", NOW + 20).await.expect("remove"), None);
    assert!(matches!(
        store.save_document(id, ani, document("ktp", "x-1"), NOW).await,
        Err(Error::Forbidden)
    ));
    let docs = store.documents(id).await.expect("documents");
    assert_eq!(
        docs.iter().map(|d| d.stored_name.as_str()).collect::<Vec<_>>(),
        ["b-2", "b-3"]
    );
    let d = store
        .document_for_download(&docs[0].alamat)
        .await
        .expect("download")
        .expect("found");
    assert_eq!((d.applicant_id, d.status, d.unit.as_str()), (budi, Status::Draf, UNIT));

    // Ajukan.
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let submitted = move |s: &Submitted| {
        seen2
            .lock()
            .expect("lock")
            .push((s.from, s.applicant.nama.clone(), s.officers.len()));
        let mut mails = vec![mail("permohonan_diajukan", &s.applicant.email)];
        mails.extend(s.officers.iter().map(|o| mail("permohonan_masuk", &o.email)));
        Ok(mails)
    };
    store
        .submit_application(id, budi, NOW + 100, Box::new(submitted.clone()))
        .await
        .expect("submit");
    assert_eq!(
        *seen.lock().expect("lock"),
        [(Status::Draf, "Budi Santoso".to_string(), 1)]
    );
    assert!(matches!(
        store
            .submit_application(id, budi, NOW, Box::new(submitted.clone()))
            .await,
        Err(Error::Forbidden)
    ));
    assert!(matches!(
        store
            .submit_application(id, ani, NOW, Box::new(submitted.clone()))
            .await,
        Err(Error::Forbidden)
    ));
    assert!(matches!(
        store.save_document(id, budi, document("ktp", "b-5"), NOW).await,
        Err(Error::Forbidden)
    ));
    // Nor removed: a submitted application keeps its documents (PostgreSQL removed them).
    assert!(matches!(
        store.remove_document(id, "ktp", NOW).await,
        Err(Error::Forbidden)
    ));
    assert_eq!(store.documents(id).await.expect("documents").len(), 2);
    assert_eq!(
        store
            .application(&nomor)
            .await
            .expect("read")
            .expect("found")
            .submitted_at,
        Some(NOW + 100)
    );

    // The queue: never drafts; filters by status, permit, dates and text.
    let filter = |f: fn(&mut QueueFilter)| {
        let mut q = QueueFilter {
            instansi: INSTANSI.into(),
            unit: UNIT.into(),
            ..QueueFilter::default()
        };
        f(&mut q);
        q
    };
    let found = |q: QueueFilter| {
        let store = &store;
        async move {
            store
                .queue(q)
                .await
                .expect("queue")
                .into_iter()
                .map(|a| a.nomor)
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(found(filter(|_| {})).await, std::slice::from_ref(&nomor));
    assert!(!found(filter(|_| {})).await.contains(&draft));
    assert_eq!(found(filter(|q| q.status = Some(Status::Diajukan))).await.len(), 1);
    assert!(found(filter(|q| q.status = Some(Status::Diproses))).await.is_empty());
    assert_eq!(
        found(filter(|q| q.permit_slug = Some("izin-reklame".into())))
            .await
            .len(),
        1
    );
    assert!(
        found(filter(|q| q.permit_slug = Some("izin-lain".into())))
            .await
            .is_empty()
    );
    assert_eq!(found(filter(|q| q.from = Some(NOW + 100))).await.len(), 1);
    assert!(found(filter(|q| q.to = Some(NOW + 100))).await.is_empty());
    assert_eq!(
        found(filter(|q| q.text = "budi san".into())).await.len(),
        1,
        "the applicant's name"
    );
    assert!(found(filter(|q| q.text = "ani".into())).await.is_empty());
    assert!(found(filter(|q| q.text = "%".into())).await.is_empty(), "no wildcards");
    let mut by_number = filter(|_| {});
    by_number.text = nomor[4..].to_lowercase();
    assert_eq!(found(by_number).await.len(), 1, "the number");
    assert_eq!(store.waiting_count(INSTANSI, UNIT).await.expect("count"), 1);

    // Cek Status.
    let hit = store
        .status_lookup(&nomor, "budi.santoso@example.com", "")
        .await
        .expect("lookup")
        .expect("by email");
    assert_eq!((hit.id, hit.status), (id, Status::Diajukan));
    assert!(
        store
            .status_lookup(&nomor, "", "1671010101900001")
            .await
            .expect("lookup")
            .is_some(),
        "by NIK"
    );
    assert!(
        store
            .status_lookup(&nomor, "ani@example.com", "")
            .await
            .expect("lookup")
            .is_none()
    );
    assert!(
        store
            .status_lookup(&draft, "ani@example.com", "")
            .await
            .expect("lookup")
            .is_none(),
        "a draft"
    );

    // Review: sent back with a note per document; a move the status does not allow is refused.
    assert!(matches!(
        store
            .review(
                id,
                &elsewhere,
                action(Status::Diproses, &[], None),
                NOW,
                Box::new(status_mail)
            )
            .await,
        Err(Error::NotFound)
    ));
    let back = action(
        Status::Perbaikan,
        &[("ktp", "Foto KTP buram.")],
        Some("KTP Pemohon: Foto KTP buram."),
    );
    assert!(
        store
            .review(id, &officer, back, NOW + 200, Box::new(status_mail))
            .await
            .expect("review")
    );
    assert!(
        !store
            .review(
                id,
                &officer,
                action(Status::Selesai, &[], None),
                NOW + 201,
                Box::new(status_mail)
            )
            .await
            .expect("review")
    );
    let docs = store.documents(id).await.expect("documents");
    assert_eq!(docs[0].catatan.as_deref(), Some("Foto KTP buram."));
    assert_eq!(docs[1].catatan, None);
    let audit = store.audit_trail(INSTANSI, 1).await.expect("audit");
    assert_eq!(audit[0].action, "permohonan_perbaikan");
    assert_eq!(audit[0].detail.as_deref(), Some("KTP Pemohon: Foto KTP buram."));
    assert_eq!(audit[0].target, nomor);

    // Corrected and submitted again: the notes go, the officers are told it is a resubmission.
    store
        .save_document(id, budi, document("ktp", "b-6"), NOW + 300)
        .await
        .expect("save");
    // The note stays with the new file, answered; the other document has none to answer.
    let docs = store.documents(id).await.expect("documents");
    let note = |req: &str| {
        docs.iter()
            .find(|d| d.requirement_id == req)
            .map(|d| (d.catatan.clone(), d.catatan_dijawab))
    };
    assert_eq!(note("ktp"), Some((Some("Foto KTP buram.".to_string()), true)));
    assert_eq!(note("denah"), Some((None, false)));
    store
        .submit_application(id, budi, NOW + 301, Box::new(submitted.clone()))
        .await
        .expect("resubmit");
    assert_eq!(seen.lock().expect("lock")[1].0, Status::Perbaikan);
    let a = store.application_of(&nomor, budi).await.expect("read").expect("own");
    assert_eq!((a.verified_at, a.finished_at), (None, None), "not verified yet");
    assert!(
        store
            .documents(id)
            .await
            .expect("documents")
            .iter()
            .all(|d| d.catatan.is_none() && !d.catatan_dijawab)
    );
    assert!(
        store
            .review(
                id,
                &officer,
                action(Status::Diproses, &[], None),
                NOW + 400,
                Box::new(status_mail)
            )
            .await
            .expect("review")
    );
    assert!(
        store
            .review(
                id,
                &officer,
                action(Status::Selesai, &[], Some("Izin terbit.")),
                NOW + 500,
                Box::new(status_mail)
            )
            .await
            .expect("review")
    );

    // The moments a deadline needs: the file declared complete (Verifikasi) and the finish,
    // and the month's finished applications of the unit for the service-standard table.
    let a = store.application_of(&nomor, budi).await.expect("read").expect("own");
    assert_eq!((a.verified_at, a.finished_at), (Some(NOW + 400), Some(NOW + 500)));
    let finished = store
        .finished_between(INSTANSI, UNIT, NOW + 500, NOW + 501)
        .await
        .expect("finished");
    assert_eq!(
        finished,
        [FinishedApplication {
            permit_slug: "izin-reklame".into(),
            permit_nama: "Izin Reklame".into(),
            verified_at: Some(NOW + 400),
            finished_at: NOW + 500,
        }]
    );
    for (unit, from, to) in [
        (UNIT, NOW, NOW + 500),
        (UNIT, NOW + 501, NOW + 9999),
        ("Bidang Lain", NOW, NOW + 9999),
    ] {
        assert_eq!(
            store
                .finished_between(INSTANSI, unit, from, to)
                .await
                .expect("finished"),
            [],
            "{unit} {from}..{to}"
        );
    }
    let queued = store
        .queue(QueueFilter {
            instansi: INSTANSI.into(),
            unit: UNIT.into(),
            status: None,
            permit_slug: None,
            from: None,
            to: None,
            text: String::new(),
            nik: None,
        })
        .await
        .expect("queue");
    assert!(
        queued.iter().all(|q| q.id == id),
        "only Budi's application is past its draft"
    );
    assert_eq!(queued[0].verified_at, Some(NOW + 400));

    let timeline: Vec<(Status, String)> = store
        .timeline(id)
        .await
        .expect("timeline")
        .into_iter()
        .map(|e| (e.to_status, e.actor_label))
        .collect();
    let officer_name = officer.nama.clone();
    assert_eq!(
        timeline,
        [
            (Status::Draf, "budi.santoso".to_string()),
            (Status::Diajukan, "budi.santoso".to_string()),
            (Status::Perbaikan, officer_name.clone()),
            (Status::Diajukan, "budi.santoso".to_string()),
            (Status::Diproses, officer_name.clone()),
            (Status::Selesai, officer_name),
        ]
    );
    let kinds = db
        .raw_column("SELECT kind FROM outbox WHERE kind LIKE 'permohonan%' ORDER BY id")
        .await;
    assert_eq!(
        kinds,
        [
            "permohonan_diajukan",
            "permohonan_masuk",
            "permohonan_status",
            "permohonan_diajukan",
            "permohonan_masuk",
            "permohonan_status",
            "permohonan_status",
        ]
    );
    assert_eq!(store.waiting_count(INSTANSI, UNIT).await.expect("count"), 0);
    assert!(store.officer(officer.id).await.expect("officer").is_some());
}

async fn uploads_the_scanner_refused_are_listed_for_the_officers_of_the_unit(db: TestDb) {
    let store = db.store().await;
    let officer = add_officer(&*store, "petugas.satu", UNIT).await;
    let budi = approved_applicant(&*store, &officer, "budi.santoso").await;
    let nomor = store
        .create_application(new_application("form-1", budi), NOW)
        .await
        .expect("create");
    let id = store.application(&nomor).await.expect("read").expect("found").id;
    assert_eq!(
        store.scan_refusals(INSTANSI, UNIT, 10).await.expect("none yet").len(),
        0
    );
    for (at, outcome, detail) in [
        (
            NOW,
            ScanOutcome::PemindaiGagal,
            "cannot connect to clamd at tcp://127.0.0.1:3310",
        ),
        (NOW + 60, ScanOutcome::Virus, "Eicar-Test-Signature"),
        (
            NOW + 120,
            ScanOutcome::TidakTerperiksa,
            "INSTREAM size limit exceeded. ERROR",
        ),
    ] {
        let refusal = NewScanRefusal {
            application_id: id,
            requirement_id: "ktp".into(),
            requirement: "KTP Pemohon".into(),
            outcome,
            detail: detail.into(),
        };
        store.record_scan_refusal(refusal, at).await.expect("record");
    }
    let listed = store.scan_refusals(INSTANSI, UNIT, 10).await.expect("list");
    let seen: Vec<(i64, &str, &str, ScanOutcome, &str)> = listed
        .iter()
        .map(|r| {
            (
                r.at,
                r.nomor.as_str(),
                r.requirement.as_str(),
                r.outcome,
                r.detail.as_str(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (
                NOW + 120,
                nomor.as_str(),
                "KTP Pemohon",
                ScanOutcome::TidakTerperiksa,
                "INSTREAM size limit exceeded. ERROR"
            ),
            (
                NOW + 60,
                nomor.as_str(),
                "KTP Pemohon",
                ScanOutcome::Virus,
                "Eicar-Test-Signature"
            ),
            (
                NOW,
                nomor.as_str(),
                "KTP Pemohon",
                ScanOutcome::PemindaiGagal,
                "cannot connect to clamd at tcp://127.0.0.1:3310"
            ),
        ],
        "newest first"
    );
    assert_eq!(store.scan_refusals(INSTANSI, UNIT, 1).await.expect("limit").len(), 1);
    assert_eq!(
        store.scan_refusal_count(INSTANSI, UNIT, NOW + 60).await.expect("count"),
        2
    );
    // Another unit's officers see none of them.
    assert_eq!(
        store
            .scan_refusals(INSTANSI, "Bidang Lain", 10)
            .await
            .expect("other unit")
            .len(),
        0
    );
    assert_eq!(
        store
            .scan_refusal_count(INSTANSI, "Bidang Lain", 0)
            .await
            .expect("count"),
        0
    );
    assert_eq!(
        store
            .scan_refusals("Kabupaten Lahat", UNIT, 10)
            .await
            .expect("other")
            .len(),
        0
    );

    // An outcome word the code does not know is a corrupt row, not a default.
    db.drop_check("scan_refusals", "outcome").await;
    db.raw_exec("UPDATE scan_refusals SET outcome = 'bersih'").await;
    assert!(matches!(
        store.scan_refusals(INSTANSI, UNIT, 10).await,
        Err(Error::Corrupt {
            table: "scan_refusals",
            field: "outcome",
            ..
        })
    ));
}

/// "Ubah" on "Periksa dan Ajukan": the data change until Ajukan and again after a send-back,
/// never while an officer has the application, never by another applicant; the NIK stays
/// sealed in the row.
async fn the_applicant_corrects_nib_pemohon_and_perusahaan_only_while_the_application_is_theirs(db: TestDb) {
    let store = db.store().await;
    let officer = add_officer(&*store, "petugas.satu", UNIT).await;
    let budi = approved_applicant(&*store, &officer, "budi.santoso").await;
    let ani = approved_applicant(&*store, &officer, "ani").await;
    let nomor = store
        .create_application(new_application("form-ubah", budi), NOW)
        .await
        .expect("create");
    let id = store.application_of(&nomor, budi).await.expect("read").expect("own").id;
    let corrected = |telepon: &str| ApplicationDetails {
        nib: Some(crate::domain::Nib::parse("9120001234567").expect("nib")),
        pemohon: Pemohon {
            nama: "Budi Santoso".into(),
            identitas: "1671010101900002".into(),
            telepon: telepon.into(),
            email: "budi@contoh.id".into(),
            alamat: "Jl. Sudirman No. 2, Palembang".into(),
        },
        perusahaan: Some(Perusahaan {
            nama: "CV Sriwijaya Bahari".into(),
            npwp: "01.234.567.8-301.000".into(),
            alamat: "Jl. Kapten A. Rivai No. 5".into(),
            telepon: "+62711356789".into(),
            email: "kantor@sriwijaya.id".into(),
        }),
    };

    store
        .update_application_details(id, budi, corrected("+6281234500001"), NOW + 1)
        .await
        .expect("draft: editable");
    let a = store.application_of(&nomor, budi).await.expect("read").expect("own");
    assert_eq!(a.nib.as_deref(), Some("9120001234567"));
    assert_eq!(a.pemohon, corrected("+6281234500001").pemohon);
    assert_eq!(a.perusahaan, corrected("").perusahaan);
    let raw = db
        .raw_column(&format!("SELECT pemohon_json FROM applications WHERE id = {id}"))
        .await;
    assert!(
        !raw[0].contains("1671010101900002"),
        "the NIK is sealed in the row: {raw:?}"
    );
    assert!(matches!(
        store
            .update_application_details(id, ani, corrected("+6281234500002"), NOW + 2)
            .await,
        Err(Error::Forbidden)
    ));

    // Submitted: an officer has it, nothing changes.
    for req in ["ktp", "denah"] {
        store
            .save_document(id, budi, document(req, &format!("u-{req}")), NOW + 3)
            .await
            .expect("save");
    }
    let submitted = |s: &Submitted| Ok(vec![mail("permohonan_diajukan", &s.applicant.email)]);
    store
        .submit_application(id, budi, NOW + 4, Box::new(submitted))
        .await
        .expect("submit");
    assert!(matches!(
        store
            .update_application_details(id, budi, corrected("+6281234500003"), NOW + 5)
            .await,
        Err(Error::Forbidden)
    ));

    // Sent back: the applicant's again.
    assert!(
        store
            .review(
                id,
                &officer,
                action(Status::Perbaikan, &[("ktp", "Buram.")], None),
                NOW + 6,
                Box::new(status_mail)
            )
            .await
            .expect("review")
    );
    store
        .update_application_details(id, budi, corrected("+6281234500004"), NOW + 7)
        .await
        .expect("sent back: editable");
    let a = store.application_of(&nomor, budi).await.expect("read").expect("own");
    assert_eq!(a.pemohon.telepon, "+6281234500004");
    assert_eq!(a.status, Status::Perbaikan);
    // Each accepted change is in the trail, in the applicant's name; the refused ones are not.
    let trail = store
        .audit_search(&crate::records::AuditFilter {
            instansi: INSTANSI.into(),
            target: Some(nomor.clone()),
            actor_kind: None,
            actor: String::new(),
            from: None,
            to: None,
            limit: 100,
        })
        .await
        .expect("audit");
    let changes: Vec<_> = trail.iter().filter(|l| l.action == "permohonan_diubah").collect();
    assert_eq!(changes.len(), 2, "{trail:?}");
    assert!(changes.iter().all(|l| l.actor_kind == "pemohon"), "{changes:?}");
}
