//! The DynamoDB store under real faults: moto's server behind the tests' own
//! fault-injecting proxy (`dynamodb/faults.rs`), with store instances on
//! separate clients standing for separate Lambda instances. Each test is one
//! of the numbered scenarios of the store's fault analysis (see
//! `function/docs/dynamodb-protocol.md`): answers lost after the write
//! applied, instances racing each other and repairs, capacity cuts.

#![cfg(feature = "dynamodb")]

use crate::common;
use crate::faults;
use crate::moto;

use std::time::Duration;

use chrono::Duration as Span;
use common::conformance::{meetup, registration};
use faults::{Action, FaultProxy, Hold, Rule};
use maillage_model::clock;
use maillage_store::dynamodb::DynamoStore;
use maillage_store::{
    CancelOutcome, NewRegistration, RegistrationOutcome, RegistrationStatus, Store,
};

/// A fresh table on moto and a proxy in front of moto; `None` skips.
struct Setup {
    proxy: FaultProxy,
    table: String,
}

impl Setup {
    async fn new(name: &str) -> Option<Setup> {
        let direct = moto::fresh_store(name).await?;
        let seed = clock::now().timestamp_subsec_nanos().into();
        Some(Setup {
            proxy: FaultProxy::new(&moto::moto()?.endpoint, seed),
            table: direct.table().to_string(),
        })
    }

    /// A store instance with a client of its own, through the proxy.
    async fn instance(&self, name: &str) -> DynamoStore {
        self.proxy.store(name, &self.table).await
    }
}

macro_rules! setup_or_skip {
    ($name:expr) => {
        match Setup::new($name).await {
            Some(setup) => setup,
            None => return,
        }
    };
}

fn waiting(position: u32) -> RegistrationStatus {
    RegistrationStatus::Waiting { position }
}

async fn counts(store: &DynamoStore, meetup_id: &str) -> (u32, u32) {
    let aggregate = store.aggregate(meetup_id).await.expect("aggregate");
    (aggregate.confirmed, aggregate.waiting)
}

async fn status_of(store: &DynamoStore, token: &str) -> Option<RegistrationStatus> {
    store
        .registration_by_token(token)
        .await
        .expect("registration by token")
        .map(|found| found.status)
}

/// The organiser's list as (email, status), in the list's order.
async fn listed(store: &DynamoStore, meetup_id: &str) -> Vec<(String, RegistrationStatus)> {
    store
        .registrants(meetup_id)
        .await
        .expect("registrants")
        .into_iter()
        .map(|r| (r.email, r.status))
        .collect()
}

/// The counters agree with the organiser's list.
async fn assert_counts_match_the_list(store: &DynamoStore, meetup_id: &str) {
    let list = listed(store, meetup_id).await;
    let confirmed = list
        .iter()
        .filter(|(_, s)| *s == RegistrationStatus::Confirmed)
        .count() as u32;
    let waiting = list
        .iter()
        .filter(|(_, s)| matches!(s, RegistrationStatus::Waiting { .. }))
        .count() as u32;
    assert_eq!(
        counts(store, meetup_id).await,
        (confirmed, waiting),
        "counters against the list {list:?}"
    );
}

fn email(n: usize) -> String {
    format!("personne{n}@example.org")
}

const PATIENCE: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------- 1

/// Two seats, both taken, one person waiting; the capacity goes down to one;
/// a confirmed person cancels: their seat is not given away (one confirmed
/// for one seat, the waiting person still waits). The next cancellation
/// frees a seat within the capacity: then the waiting person gets it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn s1_a_cancellation_after_a_capacity_cut_does_not_overbook() {
    let setup = setup_or_skip!("fault-cut");
    let one = setup.instance("one").await;
    let two = setup.instance("two").await;
    let mut definition = meetup("m", 2);
    one.put_meetups(std::slice::from_ref(&definition))
        .await
        .unwrap();
    let a = one.register(registration("m", 1)).await.unwrap();
    let b = two.register(registration("m", 2)).await.unwrap();
    let c = one.register(registration("m", 3)).await.unwrap();
    assert_eq!(c.status, waiting(1));

    definition.capacity = 1;
    two.put_meetups(std::slice::from_ref(&definition))
        .await
        .unwrap();
    let outcome = one.cancel(&a.token, clock::now()).await.unwrap();
    assert_eq!(
        outcome,
        CancelOutcome::Cancelled {
            meetup_id: "m".into(),
            promoted: None
        },
        "nobody is promoted past the new capacity"
    );
    assert_eq!(counts(&two, "m").await, (1, 1));
    assert_eq!(status_of(&two, &c.token).await, Some(waiting(1)));

    match two.cancel(&b.token, clock::now()).await.unwrap() {
        CancelOutcome::Cancelled {
            promoted: Some(person),
            ..
        } => assert_eq!(person.email, email(3)),
        other => panic!("expected a promotion, got {other:?}"),
    }
    assert_eq!(counts(&one, "m").await, (1, 0));
    assert_counts_match_the_list(&one, "m").await;
}

// ---------------------------------------------------------------- 2

/// A repair reads the meetup while a registration is about to be made, and
/// writes after it was made: the registration, told "waiting, position 1",
/// keeps its place, and the next freed seat goes to it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn s2_a_repair_keeps_a_registration_made_while_it_runs() {
    let setup = setup_or_skip!("fault-repair-race");
    let x = setup.instance("X").await;
    let r = setup.instance("R").await;
    let d = setup.instance("D").await;
    x.put_meetups(&[meetup("m", 1)]).await.unwrap();
    let a = x.register(registration("m", 1)).await.unwrap();
    assert_eq!(a.status, RegistrationStatus::Confirmed);

    // D claimed an email ten minutes ago and died before taking a place:
    // the repair has something to mend.
    let dies = Hold::new();
    setup
        .proxy
        .add(Rule::new(Some("D"), &["UpdateItem"], Action::Hold(dies.clone())).times(None));
    let dead = NewRegistration {
        registered_at: clock::now() - Span::minutes(10),
        ..registration("m", 9)
    };
    let dying = tokio::spawn(async move { d.register(dead).await });
    assert!(dies.arrived(1, PATIENCE).await, "D reached its place");
    dying.abort();

    // R pauses after reading what it reads first; X registers meanwhile.
    let pause = Hold::new();
    setup
        .proxy
        .add(Rule::new(Some("R"), &[], Action::Hold(pause.clone())).after(2));
    let repairing = tokio::spawn(async move { r.repair_meetup("m", clock::now()).await });
    pause.arrived(1, Duration::from_secs(5)).await;
    let queued = x.register(registration("m", 2)).await.unwrap();
    assert_eq!(queued.status, waiting(1));
    pause.release();
    repairing.await.unwrap().expect("the repair");
    // D's request, delayed all this time, finally arrives: too late.
    dies.release();
    tokio::time::sleep(Duration::from_millis(300)).await;

    assert_eq!(counts(&x, "m").await, (1, 1));
    assert_eq!(
        listed(&x, "m").await,
        [
            (email(1), RegistrationStatus::Confirmed),
            (email(2), waiting(1))
        ]
    );
    let cancelled = tokio::time::timeout(PATIENCE, x.cancel(&a.token, clock::now()))
        .await
        .expect("the cancellation answers in time")
        .expect("the cancellation");
    match cancelled {
        CancelOutcome::Cancelled {
            promoted: Some(person),
            ..
        } => assert_eq!(person.email, email(2)),
        other => panic!("expected X promoted, got {other:?}"),
    }
    let late = x.register(registration("m", 3)).await.unwrap();
    assert_eq!(late.status, waiting(1), "nobody overtakes");
    assert_counts_match_the_list(&x, "m").await;
}

// ---------------------------------------------------------------- 3

/// The write that takes the seat applies, its answer is lost, the SDK sends
/// it again: one seat taken, and the person told they have it.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn s3_a_lost_answer_on_taking_a_seat_takes_one_seat_and_says_so() {
    let setup = setup_or_skip!("fault-seat");
    let x = setup.instance("X").await;
    let y = setup.instance("Y").await;
    x.put_meetups(&[meetup("m", 1), meetup("n", 1)])
        .await
        .unwrap();

    let lost = setup
        .proxy
        .add(Rule::new(Some("X"), &["UpdateItem"], Action::LoseAnswer).containing("\"M#m\""));
    let outcome = x.register(registration("m", 1)).await.unwrap();
    assert_eq!(setup.proxy.fired(lost), 1);
    assert_eq!(outcome.status, RegistrationStatus::Confirmed);
    assert!(!outcome.already_registered);
    assert_eq!(counts(&y, "m").await, (1, 0));
    assert_eq!(
        listed(&y, "m").await,
        [(email(1), RegistrationStatus::Confirmed)]
    );

    // Lost three times in a row: the SDK gives up. Whatever the first
    // request answered, the person trying again has the only seat.
    let lost = setup.proxy.add(
        Rule::new(Some("X"), &["UpdateItem"], Action::LoseAnswer)
            .containing("\"M#n\"")
            .times(Some(3)),
    );
    let first = x.register(registration("n", 2)).await;
    assert_eq!(setup.proxy.fired(lost), 3);
    if let Ok(outcome) = &first {
        assert_eq!(outcome.status, RegistrationStatus::Confirmed);
    }
    let again = y
        .register(NewRegistration {
            token: format!("tok-again-{}", clock::now().timestamp_nanos_opt().unwrap()),
            ..registration("n", 2)
        })
        .await
        .unwrap();
    assert_eq!(again.status, RegistrationStatus::Confirmed);
    assert_eq!(counts(&y, "n").await, (1, 0));
    assert_eq!(
        listed(&y, "n").await,
        [(email(2), RegistrationStatus::Confirmed)]
    );
}

// ---------------------------------------------------------------- 4

/// The answer to the registration's last write is lost: the registration
/// is durable and the person is told so (not "unexpected conflict"); the
/// same email again gets it back.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn s4_a_lost_answer_on_the_last_write_still_answers_the_registration() {
    let setup = setup_or_skip!("fault-last-write");
    let x = setup.instance("X").await;
    let y = setup.instance("Y").await;
    x.put_meetups(&[meetup("m", 3)]).await.unwrap();
    let lost = setup
        .proxy
        .add(Rule::new(Some("X"), &["UpdateItem"], Action::LoseAnswer).after(1));
    let new = registration("m", 1);
    let outcome = x
        .register(new.clone())
        .await
        .expect("a durable registration");
    assert_eq!(setup.proxy.fired(lost), 1);
    assert_eq!(outcome.status, RegistrationStatus::Confirmed);
    assert!(!outcome.already_registered);
    assert_eq!(outcome.token, new.token);

    assert_eq!(
        listed(&y, "m").await,
        [(email(1), RegistrationStatus::Confirmed)]
    );
    let again = y
        .register(NewRegistration {
            token: "tok-second-try".into(),
            ..new.clone()
        })
        .await
        .unwrap();
    assert!(again.already_registered);
    assert_eq!(again.token, new.token);
    assert_eq!(again.status, RegistrationStatus::Confirmed);
    assert_eq!(
        status_of(&y, &new.token).await,
        Some(RegistrationStatus::Confirmed)
    );
}

// ---------------------------------------------------------------- 5

/// The answer to the claim on the email is lost: the SDK's second attempt
/// finds the request's own claim and goes on, at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn s5_a_request_recognises_its_own_claim() {
    let setup = setup_or_skip!("fault-claim");
    let x = setup.instance("X").await;
    x.put_meetups(&[meetup("m", 3)]).await.unwrap();
    let lost = setup
        .proxy
        .add(Rule::new(Some("X"), &["PutItem"], Action::LoseAnswer));
    let started = std::time::Instant::now();
    let outcome = tokio::time::timeout(Duration::from_secs(5), x.register(registration("m", 1)))
        .await
        .expect("no wait on its own claim")
        .expect("the registration");
    assert_eq!(setup.proxy.fired(lost), 1);
    assert_eq!(outcome.status, RegistrationStatus::Confirmed);
    assert!(!outcome.already_registered);
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(counts(&x, "m").await, (1, 0));
}

/// A request claims an email and dies before its place; the person comes
/// back later: their new request takes the claim over and registers them,
/// with its own link, and the dead request, arriving at last, is refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn s5_a_claim_left_by_a_dead_request_is_taken_over() {
    let setup = setup_or_skip!("fault-takeover");
    let x = setup.instance("X").await;
    let d = setup.instance("D").await;
    x.put_meetups(&[meetup("m", 2)]).await.unwrap();
    let dies = Hold::new();
    setup
        .proxy
        .add(Rule::new(Some("D"), &["UpdateItem"], Action::Hold(dies.clone())).times(None));
    let first = NewRegistration {
        registered_at: clock::now() - Span::minutes(10),
        ..registration("m", 1)
    };
    let dead_token = first.token.clone();
    let dying = tokio::spawn(async move { d.register(first).await });
    assert!(dies.arrived(1, PATIENCE).await, "D reached its place");
    dying.abort();

    let back = registration("m", 1);
    let outcome = x.register(back.clone()).await.unwrap();
    assert_eq!(
        outcome,
        RegistrationOutcome {
            status: RegistrationStatus::Confirmed,
            token: back.token.clone(),
            already_registered: false,
        }
    );
    dies.release();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(counts(&x, "m").await, (1, 0));
    assert_eq!(
        listed(&x, "m").await,
        [(email(1), RegistrationStatus::Confirmed)]
    );
    assert_eq!(status_of(&x, &dead_token).await, None);
    assert_eq!(
        status_of(&x, &back.token).await,
        Some(RegistrationStatus::Confirmed)
    );
}

// ---------------------------------------------------------------- 6

/// A request dies right after taking a seat; a repair runs while another
/// registration moves the counters under it: afterwards the counters still
/// agree with the organiser's list (no seat counted for nobody).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn s6_a_repair_racing_a_registration_leaves_no_seat_counted_for_nobody() {
    let setup = setup_or_skip!("fault-evidence");
    let x = setup.instance("X").await;
    let r = setup.instance("R").await;
    let d = setup.instance("D").await;
    x.put_meetups(&[meetup("m", 2)]).await.unwrap();

    let dies = Hold::new();
    setup.proxy.add(
        Rule::new(Some("D"), &[], Action::Hold(dies.clone()))
            .once_applied("UpdateItem")
            .times(None),
    );
    let dead = NewRegistration {
        registered_at: clock::now() - Span::minutes(10),
        ..registration("m", 9)
    };
    let dying = tokio::spawn(async move { d.register(dead).await });
    assert!(dies.arrived(1, PATIENCE).await, "D took its place");
    dying.abort();

    let pause = Hold::new();
    setup.proxy.add(Rule::new(
        Some("R"),
        &["UpdateItem"],
        Action::Hold(pause.clone()),
    ));
    let repairing = tokio::spawn(async move { r.repair_meetup("m", clock::now()).await });
    pause.arrived(1, Duration::from_secs(5)).await;
    let other = x.register(registration("m", 2)).await.unwrap();
    assert_eq!(other.status, RegistrationStatus::Confirmed);
    pause.release();
    repairing.await.unwrap().expect("the repair");

    // One repair, even with a registration in the middle of it, is enough.
    assert_counts_match_the_list(&x, "m").await;
    dies.release();
}

// ---------------------------------------------------------------- 7

/// A person told "waiting, position 1" whose request is slow to finish is
/// not overtaken by the next one when a seat frees up.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn s7_a_slow_registration_is_not_overtaken_in_the_queue() {
    let setup = setup_or_skip!("fault-overtaken");
    let x = setup.instance("X").await;
    let y = setup.instance("Y").await;
    let c = setup.instance("C").await;
    y.put_meetups(&[meetup("m", 1)]).await.unwrap();
    let a = y.register(registration("m", 1)).await.unwrap();

    // X takes its place in the queue, then its next request is held.
    let slow = Hold::new();
    setup.proxy.add(
        Rule::new(Some("X"), &[], Action::Hold(slow.clone()))
            .once_applied("UpdateItem")
            .times(None),
    );
    let registering = tokio::spawn(async move { x.register(registration("m", 2)).await });
    assert!(slow.arrived(1, PATIENCE).await, "X took its place");
    let second = y.register(registration("m", 3)).await.unwrap();
    assert_eq!(second.status, waiting(2));

    // X stays slow until the cancellation has decided, or for 5 s.
    let mut cancelling = tokio::spawn(async move { c.cancel(&a.token, clock::now()).await });
    let decided = tokio::time::timeout(Duration::from_secs(5), &mut cancelling).await;
    slow.release();
    let outcome = match decided {
        Ok(done) => done,
        Err(_) => tokio::time::timeout(PATIENCE, cancelling)
            .await
            .expect("the cancellation answers in time"),
    }
    .unwrap()
    .unwrap();
    match outcome {
        CancelOutcome::Cancelled {
            promoted: Some(person),
            ..
        } => assert_eq!(person.email, email(2), "the first waiting is promoted"),
        other => panic!("expected a promotion, got {other:?}"),
    }
    let x_outcome: RegistrationOutcome = registering.await.unwrap().unwrap();
    assert_eq!(x_outcome.status, waiting(1), "X was told position 1");
    assert_eq!(status_of(&y, &second.token).await, Some(waiting(1)));
    assert_counts_match_the_list(&y, "m").await;
}

/// The cancellation's write applies and its answer is lost: the retry must
/// not answer "already cancelled", and the promoted person is named (so
/// that they are told).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn s7_a_lost_answer_on_a_cancellation_still_names_the_promoted_person() {
    let setup = setup_or_skip!("fault-cancel");
    let x = setup.instance("X").await;
    let c = setup.instance("C").await;
    x.put_meetups(&[meetup("m", 1)]).await.unwrap();
    let a = x.register(registration("m", 1)).await.unwrap();
    x.register(registration("m", 2)).await.unwrap();

    let lost = setup.proxy.add(Rule::new(
        Some("C"),
        &["UpdateItem", "TransactWriteItems", "DeleteItem", "PutItem"],
        Action::LoseAnswer,
    ));
    let outcome = c.cancel(&a.token, clock::now()).await.unwrap();
    assert_eq!(setup.proxy.fired(lost), 1);
    match outcome {
        CancelOutcome::Cancelled {
            promoted: Some(person),
            ..
        } => assert_eq!(person.email, email(2)),
        other => panic!("expected the cancellation with its promotion, got {other:?}"),
    }
    assert_eq!(counts(&x, "m").await, (1, 0));
    assert_eq!(
        c.cancel(&a.token, clock::now()).await.unwrap(),
        CancelOutcome::AlreadyCancelled {
            meetup_id: "m".into()
        },
        "a second cancellation is one"
    );
}

/// The same link clicked twice at once; both cancellations read the same
/// meetup, both write, and both answers are lost; before either tries
/// again, someone else cancels. One of them did it: it alone says so and
/// names the person promoted; the other answers "already cancelled".
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn s7_a_link_clicked_twice_with_both_answers_lost_promotes_once() {
    let setup = setup_or_skip!("fault-cancel-twice");
    let x = setup.instance("X").await;
    let one = setup.instance("C1").await;
    let two = setup.instance("C2").await;
    x.put_meetups(&[meetup("m", 1)]).await.unwrap();
    let a = x.register(registration("m", 1)).await.unwrap();
    x.register(registration("m", 2)).await.unwrap();
    let other = x.register(registration("m", 3)).await.unwrap();

    let writes = Hold::new();
    let retries = Hold::new();
    for instance in ["C1", "C2"] {
        setup.proxy.add(Rule::new(
            Some(instance),
            &["UpdateItem"],
            Action::HoldThenLoseAnswer(writes.clone()),
        ));
        setup.proxy.add(Rule::new(
            Some(instance),
            &["UpdateItem"],
            Action::Hold(retries.clone()),
        ));
    }
    let cancel = |store: DynamoStore, token: String| {
        tokio::spawn(async move { store.cancel(&token, clock::now()).await })
    };
    let first = cancel(one, a.token.clone());
    let second = cancel(two, a.token.clone());
    assert!(writes.arrived(2, PATIENCE).await, "both wrote");
    writes.release();
    assert!(retries.arrived(2, PATIENCE).await, "both try again");
    // Meanwhile another person leaves the waiting list.
    let left = x.cancel(&other.token, clock::now()).await.unwrap();
    assert!(matches!(
        left,
        CancelOutcome::Cancelled { promoted: None, .. }
    ));
    retries.release();

    let mut outcomes = [
        first.await.unwrap().unwrap(),
        second.await.unwrap().unwrap(),
    ];
    outcomes.sort_by_key(|outcome| matches!(outcome, CancelOutcome::AlreadyCancelled { .. }));
    match &outcomes[0] {
        CancelOutcome::Cancelled {
            promoted: Some(person),
            ..
        } => assert_eq!(person.email, email(2)),
        other => panic!("expected the cancellation with its promotion, got {other:?}"),
    }
    assert_eq!(
        outcomes[1],
        CancelOutcome::AlreadyCancelled {
            meetup_id: "m".into()
        }
    );
    assert_eq!(counts(&x, "m").await, (1, 0));
}

/// The instance that won a rebuild trigger's window dies before delivering:
/// the trigger is still owed, and the next claim after the window sends it.
#[tokio::test]
async fn s7_a_trigger_claimed_but_never_delivered_stays_owed() {
    let Some(store) = moto::fresh_store("fault-trigger").await else {
        return;
    };
    let window = Duration::from_secs(60);
    let start = clock::now();
    assert!(store.claim_trigger_window(start, window).await.unwrap());
    // ... and nothing more: the instance died while delivering.
    let later = start + Span::seconds(61);
    assert!(
        store.claim_trailing_trigger(later, window).await.unwrap(),
        "the trigger is still owed"
    );
}

/// The purge deletes in batches, not one request per item.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn s7_the_purge_deletes_in_batches() {
    let setup = setup_or_skip!("fault-purge");
    let writer = setup.instance("W").await;
    let purger = setup.instance("P").await;
    let now = clock::now();
    writer.put_meetups(&[meetup("m", 10)]).await.unwrap();
    const PEOPLE: usize = 40;
    for n in 0..PEOPLE {
        writer
            .register(NewRegistration {
                expires_at: now - Span::hours(1),
                ..registration("m", n)
            })
            .await
            .unwrap();
    }
    let summary = purger.purge_expired(now).await.unwrap();
    assert_eq!(summary.registrations, PEOPLE as u64);
    let deletes = setup.proxy.sent("P", "DeleteItem")
        + setup.proxy.sent("P", "BatchWriteItem")
        + setup.proxy.sent("P", "TransactWriteItems");
    assert!(
        deletes < 2 * PEOPLE as u64,
        "{deletes} delete requests for {PEOPLE} registrations and their tokens"
    );
    assert!(purger.registrants("m").await.unwrap().is_empty());
}

// ---------------------------------------------------------------- 8

/// The answer to an organiser's message record is lost after it applied:
/// the SDK's retry finds the call's own record, so the message still goes
/// to the registrants, once; another instance with the same request gets
/// nothing to send. The same with the cancellation of the meetup.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn s8_a_lost_answer_on_a_message_record_still_sends_it_once() {
    use maillage_store::{MessageKind, MessageOutcome, OrganiserMessage};
    let setup = setup_or_skip!("fault-message");
    let x = setup.instance("X").await;
    let y = setup.instance("Y").await;
    x.put_meetups(&[meetup("m", 3)]).await.unwrap();
    x.register(registration("m", 1)).await.unwrap();
    for (kind, request) in [
        (MessageKind::Change, "req-change-lost-0001"),
        (MessageKind::Cancellation, "req-cancel-lost-0001"),
    ] {
        let message = OrganiserMessage {
            meetup_id: "m".into(),
            request: request.into(),
            kind,
            sent_at: clock::now(),
        };
        let lost = setup
            .proxy
            .add(Rule::new(Some("X"), &["PutItem"], Action::LoseAnswer).containing("MESSAGE#"));
        let outcome = x.record_message(&message).await.unwrap();
        assert_eq!(setup.proxy.fired(lost), 1);
        let MessageOutcome::Recorded { recipients } = outcome else {
            panic!("{kind:?}: the call whose answer was lost recorded the message");
        };
        assert_eq!(recipients.len(), 1);
        assert_eq!(
            y.record_message(&message).await.unwrap(),
            MessageOutcome::AlreadyRecorded
        );
    }
    assert!(y.aggregate("m").await.unwrap().cancelled);
}
