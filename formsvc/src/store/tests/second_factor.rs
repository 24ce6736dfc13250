//! The officers' second factor: enrolment confirmed once, each code's step accepted once across
//! instances, recovery codes spent once, and a reset that starts over.

use super::*;

on_both!(
    a_second_factor_is_confirmed_once_and_each_step_is_accepted_once,
    recovery_codes_are_spent_once_and_a_reset_starts_over,
);

async fn a_second_factor_is_confirmed_once_and_each_step_is_accepted_once(db: TestDb) {
    let (one, two) = (db.store().await, db.store().await);
    let o = add_officer(&*one, "petugas.satu", UNIT).await;
    let fresh = one.second_factor(o.id).await.expect("read").expect("officer");
    assert_eq!((fresh.secret.as_deref(), fresh.pending.as_deref()), (None, None));
    assert!(one.second_factor(o.id + 1000).await.expect("read").is_none());

    // A reload, or a second tab on another instance, shows the secret offered first.
    one.offer_totp(o.id, "PERTAMAPERTAMAPERTAMA").await.expect("offer");
    two.offer_totp(o.id, "KEDUAKEDUAKEDUAKEDUA").await.expect("offer");
    let s = two.second_factor(o.id).await.expect("read").expect("officer");
    assert_eq!(s.pending.as_deref(), Some("PERTAMAPERTAMAPERTAMA"));
    assert!(
        !one.accept_totp_step(o.id, 10).await.expect("step"),
        "no code before enrolment"
    );

    assert!(
        one.confirm_totp(o.id, vec!["h1".into(), "h2".into()], 100, NOW)
            .await
            .expect("confirm")
    );
    assert!(
        !two.confirm_totp(o.id, vec!["h3".into()], 101, NOW)
            .await
            .expect("confirm"),
        "once"
    );
    let s = one.second_factor(o.id).await.expect("read").expect("officer");
    assert_eq!(
        s,
        SecondFactorState {
            secret: Some("PERTAMAPERTAMAPERTAMA".into()),
            pending: None,
            last_step: 100,
            recovery_left: 2,
        }
    );
    two.offer_totp(o.id, "LAINLAINLAINLAINLAIN").await.expect("offer");
    assert_eq!(
        one.second_factor(o.id).await.expect("read").expect("officer").pending,
        None,
        "nothing is offered once enrolled"
    );

    // The step of the confirming code, and older ones, are spent; the same new step sent to
    // two instances at once is accepted by one.
    assert!(!one.accept_totp_step(o.id, 100).await.expect("step"));
    let (a, b) = tokio::join!(one.accept_totp_step(o.id, 101), two.accept_totp_step(o.id, 101));
    assert_eq!(
        [a.expect("one"), b.expect("two")].iter().filter(|x| **x).count(),
        1,
        "a code is taken once"
    );
    assert!(!one.accept_totp_step(o.id, 99).await.expect("step"), "an older code");
    assert!(two.accept_totp_step(o.id, 102).await.expect("step"));
}

async fn recovery_codes_are_spent_once_and_a_reset_starts_over(db: TestDb) {
    let store = db.store().await;
    let o = add_officer(&*store, "petugas.satu", UNIT).await;
    let other = add_officer(&*store, "petugas.dua", UNIT).await;
    store.offer_totp(o.id, "RAHASIARAHASIARAHASIA").await.expect("offer");
    store
        .confirm_totp(o.id, vec!["kode-a".into(), "kode-b".into()], 5, NOW)
        .await
        .expect("confirm");
    assert!(
        !store.spend_recovery_code(other.id, "kode-a", NOW).await.expect("spend"),
        "not theirs"
    );
    assert!(store.spend_recovery_code(o.id, "kode-a", NOW).await.expect("spend"));
    assert!(
        !store.spend_recovery_code(o.id, "kode-a", NOW).await.expect("spend"),
        "spent"
    );
    assert_eq!(
        store
            .second_factor(o.id)
            .await
            .expect("read")
            .expect("officer")
            .recovery_left,
        1
    );

    store
        .start_session("sesi-petugas", Role::Officer, o.id, NOW, None)
        .await
        .expect("session");
    assert!(store.reset_second_factor("petugas.satu", NOW + 1).await.expect("reset"));
    assert!(!store.reset_second_factor("tidak.ada", NOW + 1).await.expect("reset"));
    assert!(
        store.session("sesi-petugas").await.expect("session").is_none(),
        "sessions end"
    );
    let s = store.second_factor(o.id).await.expect("read").expect("officer");
    assert_eq!(
        s,
        SecondFactorState {
            secret: None,
            pending: None,
            last_step: 0,
            recovery_left: 0,
        }
    );
    assert!(
        !store.spend_recovery_code(o.id, "kode-b", NOW).await.expect("spend"),
        "codes went too"
    );
    let trail: Vec<String> = store
        .audit_trail(INSTANSI, 100)
        .await
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .collect();
    for action in [
        "verifikasi_dua_langkah_aktif",
        "kode_pemulihan_dipakai",
        "verifikasi_dua_langkah_direset",
    ] {
        assert!(trail.iter().any(|a| a == action), "{action} in {trail:?}");
    }
}
