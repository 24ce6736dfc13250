//! What every instance shares: attempt counters and settings.

use super::*;

on_both!(
    attempts_count_in_fixed_windows_across_instances,
    the_first_instance_to_initialise_a_setting_decides_it,
);

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
