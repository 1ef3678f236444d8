//! Coalescing rebuild triggers across processes sharing one DynamoDB table
//! (moto's server on loopback): each store below stands for a Lambda
//! instance with its own client.

#![cfg(feature = "dynamodb")]

#[path = "dynamodb/moto.rs"]
mod moto;

use std::time::Duration;

use chrono::{DateTime, Utc};
use maillage_function::store::dynamodb::DynamoStore;

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
    // Nothing waits yet: no trailing trigger is owed.
    assert!(!b
        .claim_trailing_trigger(at("2026-11-22T12:05:00Z"), window)
        .await
        .unwrap());

    assert!(a
        .claim_trigger_window(at("2026-11-22T12:06:00Z"), window)
        .await
        .unwrap());
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_instances_send_exactly_one_trigger() {
    let Some(stores) = instances("race", 8).await else {
        return;
    };
    let now = at("2026-11-22T12:00:00Z");
    let mut tasks = tokio::task::JoinSet::new();
    for round in 0..25 {
        for store in &stores {
            let store = store.clone();
            tasks.spawn(async move {
                // Every instance asks at the same instant, 25 times.
                let at = now + chrono::Duration::milliseconds(round);
                store.claim_trigger_window(at, WINDOW).await.unwrap()
            });
        }
    }
    let mut claimed = 0;
    while let Some(result) = tasks.join_next().await {
        claimed += usize::from(result.unwrap());
    }
    assert_eq!(claimed, 1, "200 changes within a window: one trigger");

    let later = now + chrono::Duration::seconds(61);
    let mut tasks = tokio::task::JoinSet::new();
    for store in &stores {
        let store = store.clone();
        tasks.spawn(async move { store.claim_trailing_trigger(later, WINDOW).await.unwrap() });
    }
    let mut trailing = 0;
    while let Some(result) = tasks.join_next().await {
        trailing += usize::from(result.unwrap());
    }
    assert_eq!(trailing, 1, "then exactly one trailing trigger");
}
