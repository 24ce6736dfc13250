//! The outbox: claims under a lease, attempts, and (PostgreSQL) the wake-up across instances.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use super::*;
use crate::clock::now_ms;

const LEASE: i64 = 60_000;

on_both!(
    two_workers_never_claim_the_same_mail,
    attempts_are_recorded_and_failures_shown_to_the_officers,
    a_restarted_worker_takes_back_its_own_claims_at_once_and_no_others,
);

async fn a_restarted_worker_takes_back_its_own_claims_at_once_and_no_others(db: TestDb) {
    let store = db.store().await;
    store
        .enqueue(["m0", "m1", "m2", "m3"].map(|k| mail(k, "a@example.com")).to_vec())
        .await
        .expect("enqueue");
    let now = now_ms() + 1000;
    let mine = store.claim_mail(now, LEASE, 2, "instansi-a").await.expect("claim");
    let theirs = store.claim_mail(now, LEASE, 2, "instansi-b").await.expect("claim");
    assert_eq!((mine.len(), theirs.len()), (2, 2));
    // A sent email is not taken back, only what is still waiting.
    store.mark_sent(&[(mine[0].id, 1)], now + 1).await.expect("sent");
    assert_eq!(store.release_claims("instansi-a").await.expect("release"), 1);
    let again = store.claim_mail(now + 2, LEASE, 10, "instansi-a").await.expect("claim");
    assert_eq!(
        again.iter().map(|m| m.id).collect::<Vec<_>>(),
        [mine[1].id],
        "its own unsent claim at once, before the lease ends; the other instance's stay held"
    );
}

/// Two instances' workers (SQLite: two writers on one file) claiming at once.
async fn two_workers_never_claim_the_same_mail(db: TestDb) {
    let (one, two) = (db.store().await, db.store().await);
    let mails: Vec<NewMail> = (0..40).map(|i| mail("uji", &format!("p{i}@example.com"))).collect();
    one.enqueue(mails).await.expect("enqueue");
    one.enqueue(Vec::new()).await.expect("nothing to enqueue");
    let now = now_ms() + 1000;

    let claim_all = |s: &DynStore| {
        let s = s.clone();
        async move {
            let mut ids = Vec::new();
            loop {
                let batch = s.claim_mail(now, LEASE, 3, "pekerja").await.expect("claim");
                if batch.is_empty() {
                    return ids;
                }
                ids.extend(batch.iter().map(|m| m.id));
            }
        }
    };
    let (a, b) = tokio::join!(claim_all(&one), claim_all(&two));
    let all: HashSet<i64> = a.iter().chain(&b).copied().collect();
    assert_eq!(a.len() + b.len(), 40, "every mail claimed once: {a:?} {b:?}");
    assert_eq!(all.len(), 40);

    // Leased: nobody claims them again until the lease ends.
    assert!(
        one.claim_mail(now + LEASE - 1, LEASE, 100, "pekerja")
            .await
            .expect("claim")
            .is_empty()
    );
    assert_eq!(one.next_mail_due().await.expect("due"), Some(now + LEASE));
    let again = two
        .claim_mail(now + LEASE + 1, LEASE, 100, "pekerja")
        .await
        .expect("claim");
    assert_eq!(again.len(), 40, "a worker that died leaves its mail to the others");
    let ids: Vec<i64> = again.iter().map(|m| m.id).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "oldest first: {ids:?}");
    assert!(again[0].message_id.ends_with("@sicantik.test>"));
    assert_eq!(
        (again[0].attempts, again[0].subject.as_str()),
        (0, "uji untuk p0@example.com")
    );
}

async fn attempts_are_recorded_and_failures_shown_to_the_officers(db: TestDb) {
    let store = db.store().await;
    assert_eq!(store.next_mail_due().await.expect("due"), None);
    assert_eq!(store.outbox_state().await.expect("state"), OutboxState::default());
    let before = now_ms();
    store
        .enqueue(vec![
            mail("a", "a@example.com"),
            mail("b", "b@example.com"),
            mail("c", "c@example.com"),
        ])
        .await
        .expect("enqueue");
    let now = now_ms() + 1000;
    let claimed = store.claim_mail(now, LEASE, 10, "pekerja").await.expect("claim");
    let [a, b, c] = [claimed[0].id, claimed[1].id, claimed[2].id];

    store.mark_sent(&[(a, 1)], now + 10).await.expect("sent");
    store
        .mark_attempt_failed(b, 1, false, now + 5_000, "451 coba lagi")
        .await
        .expect("retry");
    store
        .mark_attempt_failed(c, 3, true, now + 5_000, "550 tidak ada")
        .await
        .expect("failed");
    assert_eq!(
        store.next_mail_due().await.expect("due"),
        Some(now + 5_000),
        "only the retry waits"
    );
    assert!(
        store
            .claim_mail(now + 4_999, LEASE, 10, "pekerja")
            .await
            .expect("claim")
            .is_empty()
    );
    // For /metrics: the retry still waits (since it was queued), the other is given up on.
    let state = store.outbox_state().await.expect("state");
    assert_eq!((state.waiting, state.failed), (1, 1));
    let queued = state.oldest_queued_at_ms.expect("the retry's queue time");
    assert!((before..=now_ms()).contains(&queued), "{queued} not in {before}..");
    let retry = store
        .claim_mail(now + 5_000, LEASE, 10, "pekerja")
        .await
        .expect("claim");
    assert_eq!(retry.iter().map(|m| (m.id, m.attempts)).collect::<Vec<_>>(), [(b, 1)]);

    assert_eq!(store.failed_mail_count(INSTANSI).await.expect("count"), 1);
    assert_eq!(store.failed_mail_count("Instansi Lain").await.expect("count"), 0);
    let shown = store.undelivered_mail(INSTANSI, 10).await.expect("undelivered");
    let shown: Vec<(String, MailStatus, i64, Option<String>)> = shown
        .into_iter()
        .map(|m| (m.recipient, m.status, m.attempts, m.last_error))
        .collect();
    assert_eq!(
        shown,
        [
            (
                "c@example.com".to_string(),
                MailStatus::Gagal,
                3,
                Some("550 tidak ada".to_string())
            ),
            (
                "b@example.com".to_string(),
                MailStatus::Antre,
                1,
                Some("451 coba lagi".to_string())
            ),
        ]
    );
    let sent = db
        .raw_rows(&format!(
            "SELECT status, sent_at, claimed_until FROM outbox WHERE id = {a}"
        ))
        .await;
    assert_eq!(
        sent,
        [[Some("terkirim".to_string()), Some((now + 10).to_string()), None]]
    );
}

/// PostgreSQL only: on SQLite one instance sends the mail, and its handlers wake their own
/// worker (`listen_for_mail` does nothing there).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_mail_enqueued_by_one_instance_wakes_the_worker_of_another() {
    let Some(db) = TestDb::postgres().await else { return };
    let (sender, receiver) = (db.store().await, db.store().await);
    let wake = Arc::new(tokio::sync::Notify::new());
    receiver.listen_for_mail(wake.clone()).await.expect("listen");
    // Listening begins with one look, for what was enqueued while nobody listened.
    tokio::time::timeout(Duration::from_secs(5), wake.notified())
        .await
        .expect("first look");

    let officer = add_officer(&*sender, "petugas.satu", UNIT).await;
    sender
        .register(
            registration("form-1", "budi.santoso", "budi@example.com"),
            2026,
            NOW,
            Box::new(registration_mails),
        )
        .await
        .expect("register");
    tokio::time::timeout(Duration::from_secs(5), wake.notified())
        .await
        .expect("woken by a change's mail");
    assert!(sender.officer(officer.id).await.expect("officer").is_some());

    // A change that enqueues nothing wakes nobody.
    sender.hit("k", 60, NOW).await.expect("hit");
    assert!(
        tokio::time::timeout(Duration::from_millis(300), wake.notified())
            .await
            .is_err()
    );

    // After the listener's connection is killed, it connects again and keeps waking.
    db.raw_exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN sicantik_outbox'")
        .await;
    tokio::time::timeout(Duration::from_secs(10), wake.notified())
        .await
        .expect("reconnected");
    sender
        .enqueue(vec![mail("uji", "x@example.com")])
        .await
        .expect("enqueue");
    tokio::time::timeout(Duration::from_secs(5), wake.notified())
        .await
        .expect("woken after reconnecting");
}
