//! Registration, decisions, accounts and sessions.

use super::*;
use crate::error::Error;

on_both!(
    a_registration_is_approved_and_its_applicant_sets_a_password_and_signs_in,
    a_repeated_form_and_a_taken_name_are_outcomes_not_errors,
    a_new_password_or_a_new_reset_link_spends_every_older_link_of_the_account,
);

/// The actions of the audit trail, newest first.
async fn actions(store: &dyn Store) -> Vec<String> {
    store
        .audit_trail(INSTANSI, 100)
        .await
        .expect("audit")
        .into_iter()
        .map(|a| a.action)
        .collect()
}

async fn mail_kinds(db: &TestDb) -> Vec<String> {
    db.raw_column("SELECT kind FROM outbox ORDER BY id").await
}

async fn a_registration_is_approved_and_its_applicant_sets_a_password_and_signs_in(db: TestDb) {
    let store = db.store().await;
    let officer = add_officer(&*store, "petugas.satu", UNIT).await;

    let outcome = store
        .register(
            registration("form-1", "budi.santoso", "Budi@Example.com"),
            2026,
            NOW,
            Box::new(registration_mails),
        )
        .await
        .expect("register");
    assert!(matches!(&outcome, RegisterOutcome::Created(n) if n == "REG-2026-000001"));
    let second = store
        .register(
            registration("form-2", "ani", "ani@example.com"),
            2026,
            NOW + 1,
            Box::new(registration_mails),
        )
        .await
        .expect("register");
    assert!(matches!(&second, RegisterOutcome::Created(n) if n == "REG-2026-000002"));
    let next_year = store
        .register(
            registration("form-3", "cici", "cici@example.com"),
            2027,
            NOW + 2,
            Box::new(registration_mails),
        )
        .await
        .expect("register");
    assert!(matches!(&next_year, RegisterOutcome::Created(n) if n == "REG-2027-000001"));
    assert_eq!(
        mail_kinds(&db).await,
        ["registrasi_diterima", "registrasi_baru"].repeat(3),
        "a receipt and the officer's notice each"
    );
    let message_id = db
        .raw_column("SELECT message_id FROM outbox ORDER BY id LIMIT 1")
        .await
        .remove(0);
    assert!(
        message_id.starts_with('<') && message_id.ends_with("@sicantik.test>"),
        "{message_id}"
    );

    let waiting = store.waiting_registrations(INSTANSI).await.expect("waiting");
    assert_eq!(
        waiting.iter().map(|w| w.nomor.as_str()).collect::<Vec<_>>(),
        ["REG-2026-000001", "REG-2026-000002", "REG-2027-000001"]
    );
    let id = waiting[0].id;
    let a = store.registration(id, INSTANSI).await.expect("read").expect("found");
    assert_eq!(a.status, RegistrationStatus::Menunggu);
    assert_eq!(a.username.as_str(), "budi.santoso");
    assert_eq!(a.email.as_str(), "Budi@example.com");
    assert_eq!(a.telepon.as_str(), "+6281234567890");
    assert_eq!(a.npwp.as_ref().map(Npwp::as_str), Some("092542943407000"));
    assert!(store.registration(id, "Instansi Lain").await.expect("read").is_none());
    assert!(store.profile(id).await.expect("read").is_none(), "not active yet");
    assert!(
        store
            .login_account(Role::Applicant, "budi.santoso")
            .await
            .expect("login")
            .is_none()
    );

    let seen = std::sync::Arc::new(std::sync::Mutex::new(None));
    let seen2 = seen.clone();
    let compose = move |a: &Applicant| {
        *seen2.lock().expect("lock") = Some(a.status);
        decision_mail(a)
    };
    let approve = |hash: &'static str| {
        store.approve_registration(
            id,
            &officer,
            link(hash, LinkPurpose::SetPassword),
            NOW + 10,
            Box::new(compose.clone()),
        )
    };
    assert_eq!(approve("link-1").await.expect("approve"), Decision::Done);
    assert_eq!(*seen.lock().expect("lock"), Some(RegistrationStatus::Aktif));
    assert_eq!(approve("link-2").await.expect("again"), Decision::AlreadyDecided);
    let nobody = store
        .approve_registration(
            9999,
            &officer,
            link("link-3", LinkPurpose::SetPassword),
            NOW,
            Box::new(decision_mail),
        )
        .await
        .expect("unknown");
    assert_eq!(nobody, Decision::NotFound);
    assert!(
        store.valid_link("link-2", NOW).await.expect("link").is_none(),
        "a refused approval stores no link"
    );

    let account = store
        .login_account(Role::Applicant, "budi@example.com")
        .await
        .expect("login")
        .expect("by email");
    assert_eq!((account.id, account.password_hash), (id, None));
    let l = store
        .valid_link("link-1", NOW + 20)
        .await
        .expect("link")
        .expect("valid");
    assert_eq!(
        (l.purpose, l.role, l.subject_id),
        (LinkPurpose::SetPassword, Role::Applicant, id)
    );
    assert!(
        store.valid_link("link-1", NOW + 3600).await.expect("link").is_none(),
        "expired"
    );
    let names = store
        .account_names(Role::Applicant, id)
        .await
        .expect("names")
        .expect("found");
    assert_eq!(
        (names.username.as_str(), names.instansi.as_str()),
        ("budi.santoso", INSTANSI)
    );

    // A session from before the password is set does not survive it.
    store
        .start_session("sesi-lama", Role::Applicant, id, NOW, None)
        .await
        .expect("session");
    assert!(
        store
            .set_password(
                "link-1",
                Role::Applicant,
                id,
                "$argon2id$baru",
                mail("sandi_diubah", "budi@example.com"),
                NOW + 30
            )
            .await
            .expect("set")
    );
    assert!(
        !store
            .set_password(
                "link-1",
                Role::Applicant,
                id,
                "$argon2id$lagi",
                mail("sandi_diubah", "budi@example.com"),
                NOW + 31
            )
            .await
            .expect("set"),
        "spent"
    );
    assert!(store.session("sesi-lama").await.expect("session").is_none());
    let account = store
        .login_account(Role::Applicant, "budi.santoso")
        .await
        .expect("login")
        .expect("active");
    assert_eq!(account.password_hash.as_deref(), Some("$argon2id$baru"));

    store
        .start_session("sesi-baru", Role::Applicant, id, NOW + 40, Some("sesi-tamu"))
        .await
        .expect("session");
    store.touch_session("sesi-baru", NOW + 50).await.expect("touch");
    let s = store.session("sesi-baru").await.expect("session").expect("found");
    assert_eq!(
        (s.role, s.user_id, s.created_at, s.last_seen_at),
        (Role::Applicant, id, NOW + 40, NOW + 50)
    );
    store.end_session("sesi-baru").await.expect("end");
    assert!(store.session("sesi-baru").await.expect("session").is_none());

    // Lupa Kata Sandi.
    let (found, names) = store
        .active_applicant("budi.santoso")
        .await
        .expect("lookup")
        .expect("active");
    assert_eq!((found, names.email.as_str()), (id, "Budi@example.com"));
    assert!(
        store.active_applicant("ani").await.expect("lookup").is_none(),
        "not approved"
    );
    store
        .issue_reset_link(
            id,
            link("reset-1", LinkPurpose::ResetPassword),
            mail("atur_ulang_sandi", "Budi@example.com"),
            NOW + 60,
        )
        .await
        .expect("reset");
    let l = store
        .valid_link("reset-1", NOW + 61)
        .await
        .expect("link")
        .expect("valid");
    assert_eq!(l.purpose, LinkPurpose::ResetPassword);

    let update = ContactUpdate {
        telepon: PhoneNumber::parse("081298765432").expect("phone"),
        alamat: "Jl. Sudirman No. 2".into(),
        kabupaten: "Kota Palembang".into(),
        kode_pos: PostalCode::parse("30126").expect("postal code"),
    };
    let notices = |db_kinds: Vec<String>| db_kinds.iter().filter(|k| *k == "kontak_diubah").count();
    let before = notices(mail_kinds(&db).await);
    store
        .update_contact(id, update.clone(), mail("kontak_diubah", "budi@example.com"), NOW + 70)
        .await
        .expect("update");
    assert_eq!(
        notices(mail_kinds(&db).await),
        before + 1,
        "the account holder is told of the change"
    );
    let p = store.profile(id).await.expect("profile").expect("active");
    assert_eq!((p.telepon.as_str(), p.kode_pos.as_str()), ("+6281298765432", "30126"));
    // The audit line names the fields that changed (the city stayed), never their values.
    let line = store
        .audit_trail(INSTANSI, 100)
        .await
        .expect("audit")
        .into_iter()
        .find(|e| e.action == "profil_diubah")
        .expect("the audit line");
    assert_eq!(
        line.detail.as_deref(),
        Some("diubah: nomor handphone, alamat, kode pos")
    );
    store
        .update_contact(id, update.clone(), mail("kontak_diubah", "budi@example.com"), NOW + 71)
        .await
        .expect("the same again");
    let lines = store.audit_trail(INSTANSI, 100).await.expect("audit");
    assert_eq!(lines[0].detail.as_deref(), Some("tidak ada yang berubah"));
    assert_eq!(
        notices(mail_kinds(&db).await),
        before + 1,
        "nothing changed, nothing to tell"
    );
    assert!(matches!(
        store
            .update_contact(waiting[1].id, update, mail("kontak_diubah", "ani@example.com"), NOW)
            .await,
        Err(Error::NotFound)
    ));
    assert_eq!(
        notices(mail_kinds(&db).await),
        before + 1,
        "a refused update mails nobody"
    );

    // Refused: the reason is kept and the username is free again.
    let ani = waiting[1].id;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(None));
    let seen2 = seen.clone();
    let compose = move |a: &Applicant| {
        *seen2.lock().expect("lock") = Some((a.status, a.alasan_tolak.clone()));
        decision_mail(a)
    };
    let refused = store
        .reject_registration(
            ani,
            &officer,
            "Data identitas tidak sesuai dengan KTP.",
            NOW + 80,
            Box::new(compose),
        )
        .await
        .expect("reject");
    assert_eq!(refused, Decision::Done);
    assert_eq!(
        *seen.lock().expect("lock"),
        Some((
            RegistrationStatus::Ditolak,
            Some("Data identitas tidak sesuai dengan KTP.".to_string())
        )),
        "the email is composed from the decided registration"
    );
    let r = store.registration(ani, INSTANSI).await.expect("read").expect("found");
    assert_eq!(r.status, RegistrationStatus::Ditolak);
    assert_eq!(
        r.alasan_tolak.as_deref(),
        Some("Data identitas tidak sesuai dengan KTP.")
    );
    let again = store
        .register(
            registration("form-4", "ani", "ani@example.com"),
            2026,
            NOW + 90,
            Box::new(registration_mails),
        )
        .await
        .expect("register again");
    assert!(matches!(&again, RegisterOutcome::Created(n) if n == "REG-2026-000003"));

    assert_eq!(
        actions(&*store).await,
        [
            "registrasi_masuk",
            "registrasi_ditolak",
            "profil_diubah",
            "profil_diubah",
            "sandi_direset",
            "sandi_diatur",
            "registrasi_disetujui",
            "registrasi_masuk",
            "registrasi_masuk",
            "registrasi_masuk",
            "petugas_dibuat",
        ]
    );
    let trail = store.audit_trail(INSTANSI, 2).await.expect("audit");
    assert_eq!(trail.len(), 2);
    assert_eq!(
        trail[1].detail.as_deref(),
        Some("Data identitas tidak sesuai dengan KTP.")
    );
    assert_eq!(
        (trail[1].actor_kind.as_str(), trail[1].actor_label.as_str()),
        ("petugas", "petugas.satu")
    );
}

async fn a_repeated_form_and_a_taken_name_are_outcomes_not_errors(db: TestDb) {
    let store = db.store().await;
    let first = store
        .register(
            registration("form-1", "budi.santoso", "budi@example.com"),
            2026,
            NOW,
            Box::new(registration_mails),
        )
        .await
        .expect("register");
    let RegisterOutcome::Created(nomor) = first else {
        panic!("not created")
    };
    let twice = store
        .register(
            registration("form-1", "budi.santoso", "budi@example.com"),
            2026,
            NOW,
            Box::new(registration_mails),
        )
        .await
        .expect("register");
    assert!(matches!(twice, RegisterOutcome::Repeated(n) if n == nomor));
    let taken = |form: &'static str, username: &'static str, email: &'static str| {
        let store = &store;
        async move {
            match store
                .register(
                    registration(form, username, email),
                    2026,
                    NOW,
                    Box::new(registration_mails),
                )
                .await
            {
                Ok(RegisterOutcome::Taken { username, email }) => (username, email),
                _ => panic!("not taken"),
            }
        }
    };
    assert_eq!(taken("form-2", "budi.santoso", "lain@example.com").await, (true, false));
    assert_eq!(taken("form-3", "budi.lain", "BUDI@example.com").await, (false, true));
    assert_eq!(taken("form-4", "budi.santoso", "budi@EXAMPLE.com").await, (true, true));
    // Asked before DAFTAR: the same answers, without the form sent twice counting.
    let ask = |u: &'static str, e: &'static str, form: &'static str| {
        let store = &store;
        async move { store.names_taken(u, e, form).await.expect("names_taken") }
    };
    assert_eq!(ask("budi.santoso", "BUDI@example.com", "form-9").await, (true, true));
    assert_eq!(ask("budi.lain", "lain@example.com", "form-9").await, (false, false));
    assert_eq!(ask("budi.santoso", "budi@example.com", "form-1").await, (false, false));

    // At the same moment, from two connections: one registration, and the other learns why.
    let (one, two) = (db.store().await, db.store().await);
    let same = registration("form-5", "cici", "cici@example.com");
    let (a, b) = tokio::join!(
        one.register(same.clone(), 2026, NOW, Box::new(registration_mails)),
        two.register(same, 2026, NOW, Box::new(registration_mails))
    );
    match (a.expect("first"), b.expect("second")) {
        (RegisterOutcome::Created(x), RegisterOutcome::Repeated(y))
        | (RegisterOutcome::Repeated(y), RegisterOutcome::Created(x)) => assert_eq!(x, y),
        _ => panic!("expected one created and one repeated"),
    }
    let (a, b) = tokio::join!(
        one.register(
            registration("form-6", "dedi", "dedi@example.com"),
            2026,
            NOW,
            Box::new(registration_mails)
        ),
        two.register(
            registration("form-7", "dedi", "dedi2@example.com"),
            2026,
            NOW,
            Box::new(registration_mails)
        )
    );
    match (a.expect("first"), b.expect("second")) {
        (
            RegisterOutcome::Created(_),
            RegisterOutcome::Taken {
                username: true,
                email: false,
            },
        )
        | (
            RegisterOutcome::Taken {
                username: true,
                email: false,
            },
            RegisterOutcome::Created(_),
        ) => {}
        _ => panic!("expected one created and one taken"),
    }
    let numbers = db.raw_column("SELECT nomor FROM applicants ORDER BY id").await;
    assert_eq!(
        numbers,
        ["REG-2026-000001", "REG-2026-000002", "REG-2026-000003"],
        "no gaps from refused attempts"
    );

    // An officer's username is refused as a configuration error.
    add_officer(&*store, "petugas.satu", UNIT).await;
    let again = store
        .add_officer(
            NewOfficerRecord {
                username: Username::parse("petugas.satu").expect("username"),
                nama: PersonName::parse("Siti Lain").expect("name"),
                email: Email::parse("lain@palembang.go.id").expect("email"),
                instansi: INSTANSI.into(),
                unit: UNIT.into(),
                password_hash: None,
                admin: false,
            },
            Some(link("officer-link", LinkPurpose::SetPassword)),
            NOW,
        )
        .await;
    assert!(matches!(again, Err(Error::Config(_))), "{again:?}");
    assert!(store.valid_link("officer-link", NOW).await.expect("link").is_none());
}

async fn a_new_password_or_a_new_reset_link_spends_every_older_link_of_the_account(db: TestDb) {
    let store = db.store().await;
    let officer = add_officer(&*store, "petugas.satu", UNIT).await;
    for (form, user, email) in [
        ("form-1", "budi.santoso", "budi@example.com"),
        ("form-2", "ani", "ani@example.com"),
    ] {
        store
            .register(registration(form, user, email), 2026, NOW, Box::new(registration_mails))
            .await
            .expect("register");
    }
    let waiting = store.waiting_registrations(INSTANSI).await.expect("waiting");
    let (budi, ani) = (waiting[0].id, waiting[1].id);
    for (id, hash) in [(budi, "approval-budi"), (ani, "approval-ani")] {
        let decided = store
            .approve_registration(
                id,
                &officer,
                link(hash, LinkPurpose::SetPassword),
                NOW + 10,
                Box::new(decision_mail),
            )
            .await
            .expect("approve");
        assert_eq!(decided, Decision::Done);
    }
    let reset = |hash: &'static str, at: i64| {
        store.issue_reset_link(
            budi,
            link(hash, LinkPurpose::ResetPassword),
            mail("atur_ulang_sandi", "budi@example.com"),
            at,
        )
    };
    reset("reset-1", NOW + 20).await.expect("reset");
    reset("reset-2", NOW + 21).await.expect("reset");
    let st = &store;
    let valid = |hash: &'static str| async move { st.valid_link(hash, NOW + 30).await.expect("link").is_some() };
    assert!(
        !valid("approval-budi").await,
        "a reset link spends the unused approval link"
    );
    assert!(!valid("reset-1").await, "a newer reset link spends the older one");
    assert!(valid("reset-2").await, "the newest link works");

    reset("reset-3", NOW + 22).await.expect("reset");
    assert!(
        store
            .set_password(
                "reset-3",
                Role::Applicant,
                budi,
                "$argon2id$baru",
                mail("sandi_diubah", "budi@example.com"),
                NOW + 40
            )
            .await
            .expect("set")
    );
    assert!(!valid("reset-2").await);
    assert!(
        !store
            .set_password(
                "reset-2",
                Role::Applicant,
                budi,
                "$argon2id$lagi",
                mail("sandi_diubah", "budi@example.com"),
                NOW + 41
            )
            .await
            .expect("set"),
        "an older link cannot set the password again"
    );
    let account = store
        .login_account(Role::Applicant, "budi.santoso")
        .await
        .expect("login")
        .expect("active");
    assert_eq!(account.password_hash.as_deref(), Some("$argon2id$baru"));
    assert!(valid("approval-ani").await, "another account's links are untouched");
}
