//! Coalescing across instances: rebuild triggers sharing one DynamoDB
//! table (moto's server on loopback), each with its own client, as Lambda
//! instances would.

#![cfg(feature = "dynamodb")]

use crate::moto;
use crate::trigger_receiver;

use std::sync::Arc;
use std::time::Duration;

use maillage_function::trigger::{RebuildTrigger, Secret, Target};
use maillage_model::events::EventSink;
use maillage_store::dynamodb::DynamoStore;
use tokio::time::Instant;
use trigger_receiver::{registered, Receiver};

/// Long enough that one notify (two requests to moto) never takes a
/// window, even on a busy machine, so the watchers only wake after the burst.
const WINDOW: Duration = Duration::from_secs(1);
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

/// Waits until a trigger that arrived after `since` has been received.
async fn wait_for_trigger_after(receiver: &Receiver, since: Instant) -> bool {
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if receiver.received().iter().any(|r| r.at > since) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

/// Two instances take turns on a burst. (Truly simultaneous claims are
/// DynamoDB's business, tested in dynamodb_trigger.rs; moto does not
/// isolate concurrent conditional writes from different clients, so
/// racing them here would test moto.) Only logical checks: a loaded
/// machine delays deliveries unevenly, so the gaps between arrivals say
/// nothing about the window.
#[tokio::test]
async fn two_instances_send_one_trigger_per_window_and_cover_the_last_change() {
    let Some(store) = moto::fresh_store("trigger-instances").await else {
        return;
    };
    let receiver = Receiver::start(Some(SECRET)).await;
    let a = instance(&receiver, store.clone(), WINDOW).await;
    let b = instance(&receiver, connect(store.table()).await, WINDOW).await;

    let started = Instant::now();
    a.notify(&registered("brest", 0)).await;
    assert_eq!(
        receiver.accepted().len(),
        1,
        "the first change triggers at once, before notify returns"
    );
    let mut last_change = started;
    for n in 1..100 {
        let trigger = if n % 2 == 0 { &a } else { &b };
        // The change is durable before notify is called.
        last_change = Instant::now();
        trigger.notify(&registered("brest", n)).await;
    }
    let burst = last_change - started;

    // A watcher sends the trailing trigger a window (and a margin for
    // clocks) after the last recorded change.
    assert!(
        wait_for_trigger_after(&receiver, last_change).await,
        "the last change is covered"
    );
    // Let the other instance's watcher wake and find nothing owed, and the
    // window of the trailing trigger pass.
    tokio::time::sleep(WINDOW * 2).await;
    // Every claim removed what was waiting: nothing is owed any more, so
    // every change was covered by a trigger claimed after it.
    let observer = connect(store.table()).await;
    let far = chrono::Utc::now() + chrono::Duration::days(1);
    assert!(
        !observer.claim_trailing_trigger(far, WINDOW).await.unwrap(),
        "a change is still waiting for a trigger"
    );
    let received = receiver.received();
    let elapsed = started.elapsed();
    assert!(received.iter().all(|r| r.accepted()));
    // Successful claims are a window apart on the system clock, and all of
    // them were made within `elapsed`: at most elapsed / window + 1 of them,
    // plus one because, after the burst, both instances' watchers claim the
    // trailing trigger at about the same moment and moto may let both
    // through (DynamoDB would not). A broken coalescer sends one per change.
    let most = (elapsed.as_millis() / WINDOW.as_millis()) as usize + 2;
    assert!(
        received.len() <= most,
        "{} triggers in {elapsed:?}, at most {most}",
        received.len()
    );
    eprintln!(
        "burst of 100 over two instances took {burst:?}: {} triggers",
        received.len()
    );

    // Later, a single change gets one trigger of its own, at once.
    let before = receiver.received().len();
    b.notify(&registered("quimper", 1)).await;
    let received = receiver.received();
    assert_eq!(received.len(), before + 1);
    assert_eq!(received.last().unwrap().json()["meetup"], "quimper");
}

/// The conditional write decides, not timing: with the default window of
/// a minute, an instance whose claim fails sends nothing, however slow the
/// machine, and its change is owed a trailing trigger.
#[tokio::test]
async fn an_instance_that_loses_the_window_sends_nothing_and_leaves_a_trailing_trigger_owed() {
    let Some(store) = moto::fresh_store("trigger-loser").await else {
        return;
    };
    let receiver = Receiver::start(Some(SECRET)).await;
    let window = maillage_function::trigger::DEFAULT_WINDOW;
    let a = instance(&receiver, store.clone(), window).await;
    let b = instance(&receiver, connect(store.table()).await, window).await;
    a.notify(&registered("brest", 0)).await;
    assert_eq!(receiver.accepted().len(), 1);
    for n in 1..=10 {
        b.notify(&registered("brest", n)).await;
        a.notify(&registered("morlaix", n)).await;
    }
    assert_eq!(receiver.received().len(), 1, "the losers sent nothing");

    // The changes wait: the first caller once the window has passed claims
    // the trailing trigger, the next one finds it taken.
    let observer = connect(store.table()).await;
    let now = chrono::Utc::now();
    assert!(!observer.claim_trailing_trigger(now, window).await.unwrap());
    let later = now + chrono::Duration::seconds(61);
    assert!(observer
        .claim_trailing_trigger(later, window)
        .await
        .unwrap());
    assert!(!store.claim_trailing_trigger(later, window).await.unwrap());
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
    // Long: the frozen instance must record its change, and the first
    // flush run, well inside the window even on a busy machine.
    let window = Duration::from_secs(5);
    let a = instance(&receiver, store.clone(), window).await;
    a.notify(&registered("brest", 1)).await;
    assert_eq!(
        receiver.accepted().len(),
        1,
        "the first change triggers at once"
    );

    let table = store.table().to_string();
    let url = receiver.url("/hook");
    // This test's server, named here: the thread below is not the test's.
    let endpoint = moto::moto().unwrap().endpoint.clone();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let target = Target::webhook(&url, Secret::new(SECRET)).unwrap();
            let frozen = RebuildTrigger::new(target)
                .with_window(window)
                .with_coalescer(Arc::new(
                    DynamoStore::connect(&endpoint, "eu-west-3", &table).await,
                ));
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
