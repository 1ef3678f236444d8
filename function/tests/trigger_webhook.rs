//! The signed webhook, coalesced in one process, against a real HTTP
//! receiver on loopback that checks signatures, counts triggers and fails
//! on purpose.

mod trigger_receiver;

use std::time::Duration;

use maillage_function::events::{Event, EventSink};
use maillage_function::trigger::{RebuildTrigger, Retry, Secret, Target};
use tokio::time::Instant;
use trigger_receiver::{registered, Receiver};

const WINDOW: Duration = Duration::from_millis(300);
const SECRET: &str = "un secret partagé";

/// Retries quick enough for a test.
const FAST: Retry = Retry {
    attempts: 3,
    first_delay: Duration::from_millis(20),
    max_delay: Duration::from_millis(80),
    timeout: Duration::from_secs(2),
};

fn trigger(receiver: &Receiver, secret: &str) -> RebuildTrigger {
    let target = Target::webhook(&receiver.url("/hooks/rebuild"), Secret::new(secret)).unwrap();
    RebuildTrigger::new(target)
        .with_window(WINDOW)
        .with_retry(FAST)
}

#[tokio::test]
async fn a_burst_of_200_changes_gives_one_or_two_triggers_the_last_after_the_last_change() {
    let receiver = Receiver::start(Some(SECRET)).await;
    let trigger = trigger(&receiver, SECRET);
    let started = Instant::now();
    for n in 0..200 {
        trigger.notify(&registered(&format!("m{}", n % 7), n)).await;
    }
    let last_change = Instant::now();
    assert!(
        last_change - started < Duration::from_millis(200),
        "notify only marks the change: 200 took {:?}",
        last_change - started
    );
    trigger.flush().await;
    // Nothing more comes after the flush, even a window later.
    tokio::time::sleep(WINDOW * 2).await;

    let received = receiver.received();
    assert!(
        (1..=2).contains(&received.len()),
        "one or two triggers, got {}",
        received.len()
    );
    assert!(
        received.iter().all(|r| r.accepted()),
        "every signature checks"
    );
    let last = received.last().unwrap();
    assert!(
        last.at > last_change,
        "the last trigger comes after the last change"
    );
    // It describes the latest change, and nothing personal.
    let body = last.json();
    assert_eq!(body["event"], "registered");
    assert_eq!(body["meetup"], "m3", "the 200th change was on m3");
    assert_eq!(body.as_object().unwrap().len(), 3, "{body}");
    for request in &received {
        let text = String::from_utf8_lossy(&request.body);
        assert!(!text.contains('@') && !text.contains("Personne") && !text.contains("tok"));
        assert_eq!(request.path, "/hooks/rebuild");
        assert_eq!(request.headers["content-type"], "application/json");
    }
}

#[tokio::test]
async fn a_steady_flow_gives_at_most_one_trigger_per_window() {
    let receiver = Receiver::start(Some(SECRET)).await;
    let trigger = trigger(&receiver, SECRET);
    let started = Instant::now();
    for n in 0..25 {
        trigger.notify(&registered("brest", n)).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let last_change = Instant::now();
    trigger.flush().await;
    let received = receiver.accepted();
    let elapsed = last_change - started;
    let most = (elapsed.as_millis() / WINDOW.as_millis()) as usize + 2;
    assert!(
        received.len() >= 3 && received.len() <= most,
        "{} triggers over {elapsed:?}",
        received.len()
    );
    for pair in received.windows(2) {
        let gap = pair[1].at - pair[0].at;
        assert!(
            gap >= WINDOW - Duration::from_millis(20),
            "two triggers {gap:?} apart"
        );
    }
    assert!(received.last().unwrap().at > last_change);
}

#[tokio::test]
async fn a_receiver_failing_twice_then_succeeding_gets_the_trigger() {
    let receiver = Receiver::start(Some(SECRET)).await;
    receiver.fail_next(2);
    let trigger = trigger(&receiver, SECRET);
    trigger.notify(&registered("brest", 1)).await;
    trigger.flush().await;
    let received = receiver.received();
    let statuses: Vec<u16> = received.iter().map(|r| r.status.as_u16()).collect();
    assert_eq!(statuses, [500, 500, 200]);
    // Every attempt is signed afresh over the same body.
    assert!(received.windows(2).all(|p| p[0].body == p[1].body));
}

#[tokio::test]
async fn a_trigger_failing_every_retry_is_sent_again_in_the_next_window() {
    let receiver = Receiver::start(Some(SECRET)).await;
    receiver.fail_next(FAST.attempts as usize);
    let trigger = trigger(&receiver, SECRET);
    trigger.notify(&registered("brest", 1)).await;
    trigger.flush().await;
    let received = receiver.received();
    assert_eq!(received.len(), FAST.attempts as usize + 1, "{received:?}");
    let (failed, sent) = received.split_at(FAST.attempts as usize);
    assert!(failed.iter().all(|r| r.status == 500));
    assert!(sent[0].accepted());
    assert!(
        sent[0].at - failed[0].at >= WINDOW - Duration::from_millis(20),
        "the change was kept for the next window"
    );
}

#[tokio::test]
async fn a_wrong_secret_is_refused_by_the_receiver_and_not_retried() {
    let receiver = Receiver::start(Some(SECRET)).await;
    let trigger = trigger(&receiver, "not the secret");
    trigger.notify(&registered("brest", 1)).await;
    trigger.flush().await;
    tokio::time::sleep(WINDOW).await;
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].status, 401);
}

#[tokio::test]
async fn notify_never_waits_for_a_receiver_that_is_down() {
    // A port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/hook", closed.local_addr().unwrap());
    drop(closed);
    let slow = Retry {
        attempts: 4,
        first_delay: Duration::from_millis(500),
        max_delay: Duration::from_secs(2),
        timeout: Duration::from_secs(2),
    };
    let trigger = RebuildTrigger::new(Target::webhook(&url, Secret::new(SECRET)).unwrap())
        .with_window(WINDOW)
        .with_retry(slow);
    let started = Instant::now();
    for n in 0..50 {
        trigger
            .notify(&Event::Cancelled {
                meetup_id: format!("m{n}"),
            })
            .await;
    }
    assert!(
        started.elapsed() < Duration::from_millis(500),
        "50 notifications took {:?} while the receiver was down",
        started.elapsed()
    );
}
