//! The signed webhook, coalesced in one process, against a real HTTP
//! receiver on loopback that checks signatures, counts triggers and fails
//! on purpose.

use crate::trigger_receiver;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use maillage_function::trigger::{RebuildTrigger, Retry, Secret, Target};
use maillage_model::events::{Event, EventSink};
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
    for n in 0..200 {
        trigger.notify(&registered(&format!("m{}", n % 7), n)).await;
    }
    let last_change = Instant::now();
    // notify only marks the change: on this single-threaded runtime nothing
    // else has run yet, so no trigger can have been sent.
    assert!(receiver.received().is_empty());
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
    // No assertion on the gaps between arrivals: a loaded machine delays
    // some deliveries more than others. What holds whatever the load: each
    // trigger starts a window after the previous one started, and the first
    // one after `started`, so the k-th (from 0) arrives at least k windows
    // after `started`.
    for (k, request) in received.iter().enumerate() {
        assert!(
            request.at - started >= WINDOW * k as u32,
            "trigger {k} arrived {:?} after the first change",
            request.at - started
        );
    }
    // The first change is sent at once, and the changes made while it was
    // on its way owe a trailing trigger: at least two.
    assert!(received.len() >= 2, "{} triggers", received.len());
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
    let started = Instant::now();
    trigger.notify(&registered("brest", 1)).await;
    trigger.flush().await;
    let received = receiver.received();
    assert_eq!(received.len(), FAST.attempts as usize + 1, "{received:?}");
    let (failed, sent) = received.split_at(FAST.attempts as usize);
    assert!(failed.iter().all(|r| r.status == 500));
    assert!(sent[0].accepted());
    // The first attempt started after `started`; the next window opens a
    // window after that start, whatever the load.
    assert!(
        sent[0].at - started >= WINDOW,
        "the change was kept for the next window: sent {:?} after the change",
        sent[0].at - started
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

/// A receiver that accepts connections and never answers: a delivery to
/// it hangs until the attempt's timeout.
async fn hanging_receiver() -> (String, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    let accepted = Arc::new(AtomicUsize::new(0));
    let count = accepted.clone();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            count.fetch_add(1, Ordering::SeqCst);
            held.push(stream);
        }
    });
    (url, accepted)
}

#[tokio::test]
async fn notify_never_waits_for_a_receiver_that_hangs() {
    let (url, accepted) = hanging_receiver().await;
    // One attempt would hang for a minute.
    let patient = Retry {
        attempts: 4,
        first_delay: Duration::from_millis(500),
        max_delay: Duration::from_secs(2),
        timeout: Duration::from_secs(60),
    };
    let trigger = RebuildTrigger::new(Target::webhook(&url, Secret::new(SECRET)).unwrap())
        .with_window(Duration::ZERO)
        .with_retry(patient);
    trigger
        .notify(&Event::Cancelled {
            meetup_id: "m0".into(),
        })
        .await;
    // The delivery is under way, and stuck.
    let deadline = Instant::now() + Duration::from_secs(30);
    while accepted.load(Ordering::SeqCst) == 0 {
        assert!(Instant::now() < deadline, "the trigger never connected");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    // Waiting for that delivery would take a minute; the bound below is
    // only there so that a regression fails instead of hanging.
    let notified = tokio::time::timeout(Duration::from_secs(30), async {
        for n in 1..50 {
            trigger
                .notify(&Event::Cancelled {
                    meetup_id: format!("m{n}"),
                })
                .await;
        }
    })
    .await;
    assert!(
        notified.is_ok(),
        "notify waited for a receiver that does not answer"
    );
}

/// A registration made again changes nothing in the store: no rebuild.
#[tokio::test]
async fn a_registration_made_again_triggers_no_rebuild() {
    let receiver = Receiver::start(Some(SECRET)).await;
    let trigger = trigger(&receiver, SECRET);
    let Event::Registered { meetup, person, .. } = registered("brest", 1) else {
        unreachable!()
    };
    trigger
        .notify(&Event::RegisteredAgain {
            meetup,
            email: person.email,
            status: maillage_store::RegistrationStatus::Confirmed,
            cancel_url: "https://rencontres.example.org/annuler/?jeton=tok1".into(),
        })
        .await;
    trigger.flush().await;
    tokio::time::sleep(WINDOW * 2).await;
    assert!(receiver.received().is_empty());
}
