//! What every instance shares: attempt counters and settings.

use super::*;

on_both!(
    attempts_count_in_fixed_windows_across_instances,
    the_first_instance_to_initialise_a_setting_decides_it,
    only_objects_no_document_and_no_discard_names_are_orphans,
);

async fn only_objects_no_document_and_no_discard_names_are_orphans(db: TestDb) {
    use super::applications::{document, new_application};
    let store = db.store().await;
    let officer = add_officer(&*store, "petugas.satu", UNIT).await;
    let budi = approved_applicant(&*store, &officer, "budi.santoso").await;
    let nomor = store
        .create_application(new_application("form-1", budi), NOW)
        .await
        .expect("create");
    let id = store.application_of(&nomor, budi).await.expect("read").expect("own").id;
    store
        .save_document(id, budi, document("ktp", "kept.bin"), NOW + 1)
        .await
        .expect("save");
    store
        .discard_blobs(&["replaced.bin".to_string()], NOW + 2)
        .await
        .expect("discard");
    let names: Vec<String> = ["lost.bin", "kept.bin", "replaced.bin", "also-lost.bin"]
        .map(String::from)
        .to_vec();
    assert_eq!(
        store.orphans_among(&names).await.expect("orphans"),
        ["also-lost.bin", "lost.bin"]
    );
    assert!(store.orphans_among(&[]).await.expect("none asked").is_empty());
}

async fn attempts_count_in_fixed_windows_across_instances(db: TestDb) {
    let (one, two) = (db.store().await, db.store().await);
    assert_eq!(one.hit("login:budi", 60, 1000).await.expect("hit"), 1);
    assert_eq!(two.hit("login:budi", 60, 1010).await.expect("hit"), 2);
    assert_eq!(one.hits("login:budi", 60, 1059).await.expect("hits"), 2);
    assert_eq!(
        one.hit("login:budi", 60, 1059).await.expect("hit"),
        3,
        "still the window of 1000"
    );
    assert_eq!(
        one.hits("login:budi", 60, 1060).await.expect("hits"),
        0,
        "that window has ended"
    );
    assert_eq!(
        two.hit("login:budi", 60, 1060).await.expect("hit"),
        1,
        "a new window starts"
    );
    assert_eq!(one.hits("other", 60, 1060).await.expect("hits"), 0);
    one.clear_hits("login:budi").await.expect("clear");
    assert_eq!(two.hits("login:budi", 60, 1060).await.expect("hits"), 0);

    // Counted at once from two instances, no attempt is lost.
    let counts = futures_util::future::join_all(
        (0..20)
            .map(|i| if i % 2 == 0 { &one } else { &two })
            .map(|s| s.hit("flood", 60, 2000)),
    )
    .await;
    let mut counts: Vec<i64> = counts.into_iter().map(|c| c.expect("hit")).collect();
    counts.sort();
    assert_eq!(counts, (1..=20).collect::<Vec<i64>>());
}

async fn the_first_instance_to_initialise_a_setting_decides_it(db: TestDb) {
    let (one, two) = (db.store().await, db.store().await);
    let (a, b) = tokio::join!(
        one.setting_or_init("form_key", vec![1; 32]),
        two.setting_or_init("form_key", vec![2; 32])
    );
    let (a, b) = (a.expect("first"), b.expect("second"));
    assert_eq!(a, b, "both instances use the same key");
    assert!(a == vec![1; 32] || a == vec![2; 32]);
    assert_eq!(one.setting_or_init("form_key", vec![3; 32]).await.expect("again"), a);
    assert_eq!(two.setting_or_init("other", vec![4]).await.expect("other"), vec![4]);
}
