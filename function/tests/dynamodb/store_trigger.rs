//! Coalescing rebuild triggers across processes sharing one DynamoDB table
//! (moto's server on loopback): each store below stands for a Lambda
//! instance with its own client.

#![cfg(feature = "dynamodb")]

use crate::moto;

use std::time::Duration;

use chrono::{DateTime, Utc};
use maillage_store::dynamodb::DynamoStore;

const WINDOW: Duration = Duration::from_secs(60);

fn at(value: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(value)
        .unwrap()
        .with_timezone(&Utc)
}

async fn instances(name: &str, count: usize) -> Option<Vec<DynamoStore>> {
    let first = moto::fresh_store(name).await?;
    let endpoint = moto::moto()?.endpoint.clone();
    let mut stores = vec![first.clone()];
    for _ in 1..count {
        stores.push(DynamoStore::connect(&endpoint, "eu-west-3", first.table()).await);
    }
    Some(stores)
}

#[tokio::test]
async fn one_trigger_per_window_then_a_trailing_one() {
    let Some(stores) = instances("window", 2).await else {
        return;
    };
    let (a, b) = (&stores[0], &stores[1]);
    let window = WINDOW;
    assert!(a
        .claim_trigger_window(at("2026-11-22T12:00:00Z"), window)
        .await
        .unwrap());
    a.trigger_delivered(at("2026-11-22T12:00:00Z"))
        .await
        .unwrap();
    // Nothing waits once it was delivered: no trailing trigger is owed.
    assert!(!b
        .claim_trailing_trigger(at("2026-11-22T12:05:00Z"), window)
        .await
        .unwrap());

    assert!(a
        .claim_trigger_window(at("2026-11-22T12:06:00Z"), window)
        .await
        .unwrap());
    a.trigger_delivered(at("2026-11-22T12:06:00Z"))
        .await
        .unwrap();
    // Changes inside the window are coalesced...
    assert!(!b
        .claim_trigger_window(at("2026-11-22T12:06:10Z"), window)
        .await
        .unwrap());
    assert!(!a
        .claim_trigger_window(at("2026-11-22T12:06:50Z"), window)
        .await
        .unwrap());
    // ...and owed a trailing trigger once the window has passed, only then,
    // and only once.
    assert!(!b
        .claim_trailing_trigger(at("2026-11-22T12:06:59Z"), window)
        .await
        .unwrap());
    assert!(b
        .claim_trailing_trigger(at("2026-11-22T12:07:00Z"), window)
        .await
        .unwrap());
    b.trigger_delivered(at("2026-11-22T12:07:00Z"))
        .await
        .unwrap();
    assert!(!a
        .claim_trailing_trigger(at("2026-11-22T12:07:01Z"), window)
        .await
        .unwrap());
    // The trailing trigger opened a window of its own.
    assert!(!a
        .claim_trigger_window(at("2026-11-22T12:07:30Z"), window)
        .await
        .unwrap());
    assert!(a
        .claim_trigger_window(at("2026-11-22T12:08:00Z"), window)
        .await
        .unwrap());
}

/// Eight instances, 25 changes each at the same instant, their requests
/// spawned together on several threads but reaching the table one at a
/// time, in whatever order the scheduler picks: the conditional writes
/// alone decide, and exactly one claim wins the window, then exactly one
/// the trailing trigger. (DynamoDB evaluates each conditional write
/// atomically even when requests overlap; moto's server does not isolate
/// overlapping writes, which the next test allows for.)
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn instances_interleaved_claim_exactly_one_window_and_one_trailing_trigger() {
    let Some(stores) = instances("interleaved", 8).await else {
        return;
    };
    let table = std::sync::Arc::new(tokio::sync::Mutex::new(()));
    let now = at("2026-11-22T12:00:00Z");
    let claim_all = |at: DateTime<Utc>, rounds: i64, trailing: bool| {
        let mut tasks = tokio::task::JoinSet::new();
        for round in 0..rounds {
            for store in &stores {
                let (store, table) = (store.clone(), table.clone());
                tasks.spawn(async move {
                    let at = at + chrono::Duration::milliseconds(round);
                    let _one_at_a_time = table.lock().await;
                    if trailing {
                        store.claim_trailing_trigger(at, WINDOW).await.unwrap()
                    } else {
                        store.claim_trigger_window(at, WINDOW).await.unwrap()
                    }
                });
            }
        }
        tasks
    };
    assert_eq!(
        count_claims(claim_all(now, 25, false)).await,
        1,
        "200 changes within a window: one trigger"
    );
    let later = now + chrono::Duration::seconds(61);
    assert_eq!(
        count_claims(claim_all(later, 1, true)).await,
        1,
        "then exactly one trailing trigger"
    );
    assert_eq!(
        count_claims(claim_all(later, 1, true)).await,
        0,
        "and no other"
    );
}

/// The same changes truly racing, each instance handling one request at a
/// time as a Lambda instance does. What holds even on moto: the window is
/// never lost (at least one claim wins) and at most one claim per instance
/// wins (a claim that starts after the first winning write has landed
/// sees it, and each instance has one claim in flight). Afterwards the
/// item is coherent: the window is taken until it has passed, a change
/// made then is owed a trailing trigger, and that is claimed once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_instances_never_lose_the_window_and_leave_the_item_coherent() {
    let Some(stores) = instances("race", 8).await else {
        return;
    };
    let now = at("2026-11-22T12:00:00Z");
    let mut tasks = tokio::task::JoinSet::new();
    for store in &stores {
        let store = store.clone();
        tasks.spawn(async move {
            let mut won = 0;
            for round in 0..25 {
                let at = now + chrono::Duration::milliseconds(round);
                won += usize::from(store.claim_trigger_window(at, WINDOW).await.unwrap());
            }
            won
        });
    }
    let mut claimed = 0;
    while let Some(won) = tasks.join_next().await {
        claimed += won.unwrap();
    }
    assert!(
        (1..=stores.len()).contains(&claimed),
        "200 racing changes: {claimed} claims (DynamoDB: exactly one)"
    );

    // Then, one request at a time.
    let (a, b) = (&stores[0], &stores[1]);
    assert!(!a
        .claim_trigger_window(now + chrono::Duration::seconds(30), WINDOW)
        .await
        .unwrap());
    assert!(!b
        .claim_trailing_trigger(now + chrono::Duration::seconds(59), WINDOW)
        .await
        .unwrap());
    let later = now + chrono::Duration::seconds(61);
    assert!(b.claim_trailing_trigger(later, WINDOW).await.unwrap());
    assert!(!a.claim_trailing_trigger(later, WINDOW).await.unwrap());
}

async fn count_claims(mut tasks: tokio::task::JoinSet<bool>) -> usize {
    let mut claimed = 0;
    while let Some(result) = tasks.join_next().await {
        claimed += usize::from(result.unwrap());
    }
    claimed
}

/// A change recorded while the trigger was being delivered is not covered
/// by it: it stays owed, and the next claim after the window sends it.
#[tokio::test]
async fn a_change_made_during_a_delivery_stays_owed() {
    let Some(stores) = instances("during", 2).await else {
        return;
    };
    let (a, b) = (&stores[0], &stores[1]);
    let claimed = at("2026-11-22T12:00:00Z");
    assert!(a.claim_trigger_window(claimed, WINDOW).await.unwrap());
    assert!(!b
        .claim_trigger_window(at("2026-11-22T12:00:01Z"), WINDOW)
        .await
        .unwrap());
    a.trigger_delivered(claimed).await.unwrap();
    assert!(b
        .claim_trailing_trigger(at("2026-11-22T12:01:00Z"), WINDOW)
        .await
        .unwrap());
}
