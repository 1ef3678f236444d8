//! Coalescing across instances: rebuild triggers sharing one DynamoDB
//! table (moto's server on loopback), each with its own client, as Lambda
//! instances would.

#![cfg(feature = "dynamodb")]

#[path = "dynamodb/moto.rs"]
mod moto;
mod trigger_receiver;

use std::sync::Arc;
use std::time::Duration;

use maillage_function::events::EventSink;
use maillage_function::store::dynamodb::DynamoStore;
use maillage_function::trigger::{RebuildTrigger, Secret, Target};
use tokio::time::Instant;
use trigger_receiver::{registered, Receiver};

const WINDOW: Duration = Duration::from_millis(300);
const SECRET: &str = "partagé entre instances";

async fn instance(receiver: &Receiver, store: DynamoStore, window: Duration) -> RebuildTrigger {
    let target = Target::webhook(&receiver.url("/hook"), Secret::new(SECRET)).unwrap();
    RebuildTrigger::new(target)
        .with_window(window)
        .with_coalescer(Arc::new(store))
}

async fn connect(table: &str) -> DynamoStore {
    let endpoint = moto::moto().unwrap().endpoint.clone();
    DynamoStore::connect(&endpoint, "eu-west-3", table).await
}

#[tokio::test]
async fn two_instances_send_one_trigger_per_window_and_cover_the_last_change() {
    let Some(store) = moto::fresh_store("trigger-instances").await else {
        return;
    };
    let receiver = Receiver::start(Some(SECRET)).await;
    let a = instance(&receiver, store.clone(), WINDOW).await;
    let b = instance(&receiver, connect(store.table()).await, WINDOW).await;

    // The two instances take turns. (Truly simultaneous claims are
    // DynamoDB's business, tested in dynamodb_trigger.rs; moto does not
    // isolate concurrent conditional writes from different clients, so
    // racing them here would test moto.)
    let started = Instant::now();
    for n in 0..100 {
        let trigger = if n % 2 == 0 { &a } else { &b };
        trigger.notify(&registered("brest", n)).await;
    }
    let last_change = Instant::now();
    let burst = last_change - started;

    // The watchers send the trailing trigger a window (and a margin for
    // clocks) after the last recorded change.
    tokio::time::sleep(WINDOW * 2 + Duration::from_millis(500)).await;
    let received = receiver.received();
    assert!(received.iter().all(|r| r.accepted()));
    let most = (burst.as_millis() / WINDOW.as_millis()) as usize + 2;
    assert!(
        !received.is_empty() && received.len() <= most,
        "{} triggers for a burst of {burst:?}",
        received.len()
    );
    for pair in received.windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(gap >= WINDOW - Duration::from_millis(20), "{gap:?} apart");
    }
    assert!(
        received.last().unwrap().at > last_change,
        "the last change is covered"
    );
    eprintln!(
        "burst of 100 over two instances took {burst:?}: {} triggers",
        received.len()
    );

    // Later, a single change gets one trigger of its own, at once.
    let before = received.len();
    b.notify(&registered("quimper", 1)).await;
    let received = receiver.received();
    assert_eq!(received.len(), before + 1);
    assert_eq!(received.last().unwrap().json()["meetup"], "quimper");
}

/// An instance frozen right after answering (its runtime is gone, so is
/// its watcher) leaves a change waiting; a scheduled flush on another
/// instance sends it once the window has passed, and only then.
#[tokio::test]
async fn a_scheduled_flush_sends_what_a_frozen_instance_owes() {
    let Some(store) = moto::fresh_store("trigger-flush").await else {
        return;
    };
    let receiver = Receiver::start(Some(SECRET)).await;
    // Longer than the others: the frozen instance must record its change
    // well inside the window even on a busy machine.
    let window = Duration::from_secs(1);
    let a = instance(&receiver, store.clone(), window).await;
    a.notify(&registered("brest", 1)).await;
    assert_eq!(
        receiver.accepted().len(),
        1,
        "the first change triggers at once"
    );

    let table = store.table().to_string();
    let url = receiver.url("/hook");
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let target = Target::webhook(&url, Secret::new(SECRET)).unwrap();
            let frozen = RebuildTrigger::new(target)
                .with_window(window)
                .with_coalescer(Arc::new(connect(&table).await));
            frozen.notify(&registered("brest", 2)).await;
        });
        // Dropping the runtime drops the watcher it started.
    })
    .join()
    .unwrap();
    let frozen_change = Instant::now();
    assert_eq!(receiver.received().len(), 1, "coalesced");

    let scheduled = instance(&receiver, connect(store.table()).await, window).await;
    scheduled.flush().await;
    assert_eq!(
        receiver.received().len(),
        1,
        "not before the window has passed"
    );

    tokio::time::sleep(window).await;
    scheduled.flush().await;
    let received = receiver.accepted();
    assert_eq!(received.len(), 2);
    assert!(received[1].at > frozen_change);
    assert_eq!(received[1].json()["event"], "pending");

    // Owed once, sent once.
    tokio::time::sleep(window).await;
    scheduled.flush().await;
    assert_eq!(receiver.received().len(), 2);
}
