//! The `Store` conformance suite: what every backend must do, the same way.
//!
//! Each case is a `pub async fn` taking a fresh, empty store. A backend's
//! test file runs them all with one line:
//!
//! ```ignore
//! mod common;
//!
//! async fn fresh_store(case: &'static str) -> Option<Arc<dyn Store>> { ... }
//!
//! store_conformance_tests!(fresh_store);
//! ```
//!
//! which declares one `#[tokio::test]` per case (in a module named
//! `conformance`); `fresh_store` returns `None` to skip (a missing server
//! when the environment allows it). [`run_all`] runs every case in turn.
//!
//! Times are relative to `clock::now()`, which the stores also use to hide
//! expired personal data on reads.

use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use maillage_model::clock;
use maillage_model::meetup::{
    MeetupDefinition, MeetupStatus, PublicReport, RegionDefinition, ReportLink, Role,
};
use maillage_model::proposal::{
    AcceptedMeetup, Belongs, Decision, DecisionOutcome, NewPlace, Proposal, ProposalStatus,
    ProposedPlace,
};
use maillage_store::{
    Attendance, AttestedRole, CancelOutcome, MessageKind, MessageOutcome, NewRegistration,
    OrganiserMessage, PurgeCutoffs, RegistrationOutcome, RegistrationStatus, RepairSummary, Store,
    StoreError, StoredReport,
};

/// Declares one test per conformance case, each on a fresh store from
/// `$fresh` (an `async fn(&'static str) -> Option<Arc<dyn Store>>`, `None`
/// skipping the case).
#[macro_export]
macro_rules! store_conformance_tests {
    ($fresh:expr) => {
        $crate::store_conformance_tests!(@cases $fresh;
            meetups_round_trip,
            resync_keeps_registrations,
            capacity_growth_promotes_waiting,
            confirmed_up_to_capacity_then_waiting_in_order,
            same_email_is_idempotent,
            unknown_meetup_is_refused,
            cancellation_promotes_first_waiting,
            cancelling_a_waiting_person_moves_the_queue_up,
            cancel_twice,
            unknown_token,
            register_again_after_cancelling,
            registrants_in_arrival_order,
            reports_saved_and_corrected,
            aggregates_hold_no_personal_data,
            expired_data_hidden_then_purged,
            concurrent_registrations_fill_exactly,
            concurrent_duplicates_make_one_registration,
            concurrent_cancellations_promote_in_order,
            cancellation_after_a_capacity_cut,
            a_request_sent_again_gets_its_own_answer,
            repair_leaves_a_sound_meetup_alone,
            concurrent_registrations_and_repairs,
            attendance_gives_attestations,
            attendance_of_another_meetup_records_nothing,
            attestations_outlive_registrations_then_go,
            a_shorter_retention_purges_registrations_not_attestations,
            a_message_goes_once_to_everyone_registered,
            a_cancellation_message_cancels_the_meetup_for_good,
            a_message_to_an_unknown_meetup_is_refused,
            reminders_are_claimed_once_for_registrations_made_before,
            regions_round_trip,
            follow_up_gives_each_meetup_named_and_no_other,
            proposals_are_stored_once_by_region_then_purged,
            a_proposal_is_decided_once
        );
    };
    (@cases $fresh:expr; $($case:ident),* $(,)?) => {
        mod conformance {
            #[allow(unused_imports)]
            use super::*;
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    if let Some(store) = ($fresh)(stringify!($case)).await {
                        $crate::common::conformance::$case(store).await;
                    }
                }
            )*
        }
    };
}

/// Runs every case, each on a fresh store from `fresh`.
pub(crate) async fn run_all<F, Fut>(fresh: F)
where
    F: Fn(&'static str) -> Fut,
    Fut: Future<Output = Option<Arc<dyn Store>>>,
{
    macro_rules! run {
        ($($case:ident),*) => {
            $(
                if let Some(store) = fresh(stringify!($case)).await {
                    $case(store).await;
                }
            )*
        };
    }
    run!(
        meetups_round_trip,
        resync_keeps_registrations,
        capacity_growth_promotes_waiting,
        confirmed_up_to_capacity_then_waiting_in_order,
        same_email_is_idempotent,
        unknown_meetup_is_refused,
        cancellation_promotes_first_waiting,
        cancelling_a_waiting_person_moves_the_queue_up,
        cancel_twice,
        unknown_token,
        register_again_after_cancelling,
        registrants_in_arrival_order,
        reports_saved_and_corrected,
        aggregates_hold_no_personal_data,
        expired_data_hidden_then_purged,
        concurrent_registrations_fill_exactly,
        concurrent_duplicates_make_one_registration,
        concurrent_cancellations_promote_in_order,
        cancellation_after_a_capacity_cut,
        a_request_sent_again_gets_its_own_answer,
        repair_leaves_a_sound_meetup_alone,
        concurrent_registrations_and_repairs,
        attendance_gives_attestations,
        attendance_of_another_meetup_records_nothing,
        attestations_outlive_registrations_then_go,
        a_shorter_retention_purges_registrations_not_attestations,
        a_message_goes_once_to_everyone_registered,
        a_cancellation_message_cancels_the_meetup_for_good,
        a_message_to_an_unknown_meetup_is_refused,
        reminders_are_claimed_once_for_registrations_made_before,
        regions_round_trip,
        follow_up_gives_each_meetup_named_and_no_other,
        proposals_are_stored_once_by_region_then_purged,
        a_proposal_is_decided_once
    );
}

// ---------------------------------------------------------------- fixtures

/// A meetup ten days from now, open for registration.
pub(crate) fn meetup(id: &str, capacity: u32) -> MeetupDefinition {
    let now = clock::now();
    let starts_at = now + Duration::days(10);
    MeetupDefinition {
        id: id.into(),
        title: format!("Rencontre {id}"),
        starts_at,
        ends_at: starts_at + Duration::hours(2),
        capacity,
        status: MeetupStatus::Open,
        registration_opens: now - Duration::days(20),
        registration_closes: starts_at - Duration::hours(1),
        report_key_sha256: Some(
            "6f5ac1bb4ed6f5a4d4f7f3ea0e4e0a5bb1b0a1a0f6d3b1b4c2a6a0b3c2d1e0f9".into(),
        ),
        location: "Médiathèque des Capucins, Brest".into(),
        url: format!("https://rencontres.example.org/rencontres/{id}/"),
        time_zone: maillage_model::zone::DEFAULT,
    }
}

/// Registration number `n` for `meetup_id`: distinct name, email and token.
pub(crate) fn registration(meetup_id: &str, n: usize) -> NewRegistration {
    let now = clock::now();
    NewRegistration {
        meetup_id: meetup_id.into(),
        name: format!("Personne {n}"),
        email: format!("personne{n}@example.org"),
        role: match n % 3 {
            0 => Role::Participant,
            1 => Role::Facilitator,
            _ => Role::Speaker,
        },
        structure: (n % 2 == 0).then(|| format!("Structure {n}")),
        need: (n % 5 == 0).then(|| format!("Besoin {n}: accès de plain-pied")),
        token: format!("tok-{meetup_id}-{n}-{}", random_suffix()),
        registered_at: now,
        expires_at: now + Duration::days(100),
    }
}

/// Makes tokens unique across runs on a shared server.
fn random_suffix() -> String {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).expect("random bytes");
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

fn report(meetup_id: &str, outcome: &str, submitted_at: DateTime<Utc>) -> StoredReport {
    StoredReport {
        meetup_id: meetup_id.into(),
        public: PublicReport {
            submitted_at: Some(submitted_at),
            attendance: Some(18),
            outcome: Some(outcome.into()),
            went_well: Some("Les **binômes** ont bien fonctionné.".into()),
            problems: None,
            improvements: Some("- Prévoir des rallonges".into()),
            sheets: None,
            links: vec![ReportLink {
                label: "Notes".into(),
                url: "https://pad.example.org/p/notes".into(),
            }],
        },
        private_notes: Some("Note privée: Mme Exemple a appelé au 06 12 34 56 78.".into()),
        submitted_at,
        expires_at: clock::now() + Duration::days(100),
    }
}

async fn register(store: &Arc<dyn Store>, new: NewRegistration) -> RegistrationOutcome {
    store.register(new).await.expect("register")
}

async fn counts(store: &Arc<dyn Store>, meetup_id: &str) -> (u32, u32) {
    let aggregate = store.aggregate(meetup_id).await.expect("aggregate");
    (aggregate.confirmed, aggregate.waiting)
}

async fn status_of(store: &Arc<dyn Store>, token: &str) -> Option<RegistrationStatus> {
    store
        .registration_by_token(token)
        .await
        .expect("registration by token")
        .map(|found| found.status)
}

fn waiting(position: u32) -> RegistrationStatus {
    RegistrationStatus::Waiting { position }
}

// ---------------------------------------------------------------- meetups

pub(crate) async fn meetups_round_trip(store: Arc<dyn Store>) {
    assert_eq!(store.meetups().await.unwrap(), vec![]);
    let first = meetup("brest-2026-12", 25);
    let second = MeetupDefinition {
        status: MeetupStatus::Planned,
        report_key_sha256: None,
        ..meetup("lille-2027-01", 12)
    };
    store
        .put_meetups(&[first.clone(), second.clone()])
        .await
        .unwrap();
    assert_eq!(store.meetup("brest-2026-12").await.unwrap(), Some(first));
    assert_eq!(
        store.meetup("lille-2027-01").await.unwrap(),
        Some(second.clone())
    );
    assert_eq!(store.meetup("nowhere").await.unwrap(), None);
    let mut ids: Vec<String> = store
        .meetups()
        .await
        .unwrap()
        .into_iter()
        .map(|meetup| meetup.id)
        .collect();
    ids.sort();
    assert_eq!(ids, ["brest-2026-12", "lille-2027-01"]);

    // A re-sync replaces the definition.
    let renamed = MeetupDefinition {
        title: "Rencontre renommée".into(),
        status: MeetupStatus::Cancelled,
        ..second
    };
    store
        .put_meetups(std::slice::from_ref(&renamed))
        .await
        .unwrap();
    assert_eq!(store.meetup("lille-2027-01").await.unwrap(), Some(renamed));
    assert_eq!(store.meetups().await.unwrap().len(), 2);
    assert_eq!(counts(&store, "lille-2027-01").await, (0, 0));
}

pub(crate) async fn resync_keeps_registrations(store: Arc<dyn Store>) {
    let definition = meetup("m", 2);
    store
        .put_meetups(std::slice::from_ref(&definition))
        .await
        .unwrap();
    let mut tokens = Vec::new();
    for n in 0..3 {
        tokens.push(register(&store, registration("m", n)).await.token);
    }
    let moved = MeetupDefinition {
        location: "Salle des fêtes, Brest".into(),
        starts_at: definition.starts_at + Duration::hours(1),
        ..definition
    };
    store
        .put_meetups(std::slice::from_ref(&moved))
        .await
        .unwrap();
    assert_eq!(store.meetup("m").await.unwrap(), Some(moved));
    assert_eq!(counts(&store, "m").await, (2, 1));
    assert_eq!(store.registrants("m").await.unwrap().len(), 3);
    assert_eq!(
        status_of(&store, &tokens[0]).await,
        Some(RegistrationStatus::Confirmed)
    );
    assert_eq!(status_of(&store, &tokens[2]).await, Some(waiting(1)));
}

pub(crate) async fn capacity_growth_promotes_waiting(store: Arc<dyn Store>) {
    store.put_meetups(&[meetup("m", 2)]).await.unwrap();
    let mut tokens = Vec::new();
    for n in 0..5 {
        tokens.push(register(&store, registration("m", n)).await.token);
    }
    assert_eq!(counts(&store, "m").await, (2, 3));

    store.put_meetups(&[meetup("m", 4)]).await.unwrap();
    assert_eq!(counts(&store, "m").await, (4, 1));
    for token in &tokens[..4] {
        assert_eq!(
            status_of(&store, token).await,
            Some(RegistrationStatus::Confirmed)
        );
    }
    assert_eq!(status_of(&store, &tokens[4]).await, Some(waiting(1)));

    // A smaller capacity never takes a seat back from anyone.
    store.put_meetups(&[meetup("m", 1)]).await.unwrap();
    assert_eq!(counts(&store, "m").await, (4, 1));
    assert_eq!(
        status_of(&store, &tokens[3]).await,
        Some(RegistrationStatus::Confirmed)
    );
    // ... and the next registration waits behind the one already waiting.
    let late = register(&store, registration("m", 5)).await;
    assert_eq!(late.status, waiting(2));
}

// ---------------------------------------------------------------- registrations

pub(crate) async fn confirmed_up_to_capacity_then_waiting_in_order(store: Arc<dyn Store>) {
    store.put_meetups(&[meetup("m", 3)]).await.unwrap();
    let mut statuses = Vec::new();
    for n in 0..7 {
        let new = registration("m", n);
        let token = new.token.clone();
        let outcome = register(&store, new).await;
        assert_eq!(outcome.token, token, "a new registration keeps its token");
        assert!(!outcome.already_registered);
        statuses.push(outcome.status);
    }
    assert_eq!(
        statuses,
        vec![
            RegistrationStatus::Confirmed,
            RegistrationStatus::Confirmed,
            RegistrationStatus::Confirmed,
            waiting(1),
            waiting(2),
            waiting(3),
            waiting(4),
        ]
    );
    assert_eq!(counts(&store, "m").await, (3, 4));
}

pub(crate) async fn same_email_is_idempotent(store: Arc<dyn Store>) {
    store.put_meetups(&[meetup("m", 1)]).await.unwrap();
    let first = registration("m", 1);
    let first_token = first.token.clone();
    let outcome = register(&store, first.clone()).await;
    assert_eq!(outcome.status, RegistrationStatus::Confirmed);
    assert!(!outcome.already_registered);

    // Same email again, even with another name and token: the first answer.
    let again = NewRegistration {
        name: "Autre nom".into(),
        token: "tok-another".into(),
        ..first
    };
    let outcome = register(&store, again).await;
    assert_eq!(outcome.status, RegistrationStatus::Confirmed);
    assert_eq!(outcome.token, first_token);
    assert!(outcome.already_registered);
    assert_eq!(counts(&store, "m").await, (1, 0));
    let registrants = store.registrants("m").await.unwrap();
    assert_eq!(registrants.len(), 1);
    assert_eq!(registrants[0].name, "Personne 1");
    assert_eq!(status_of(&store, "tok-another").await, None);

    // The same for someone on the waiting list: same place, no new one.
    let second = registration("m", 2);
    let second_token = register(&store, second.clone()).await.token;
    let outcome = register(
        &store,
        NewRegistration {
            token: "tok-yet-another".into(),
            ..second
        },
    )
    .await;
    assert_eq!(outcome.status, waiting(1));
    assert_eq!(outcome.token, second_token);
    assert!(outcome.already_registered);
    assert_eq!(counts(&store, "m").await, (1, 1));

    // The same email on another meetup is another registration.
    store.put_meetups(&[meetup("other", 5)]).await.unwrap();
    let elsewhere = register(
        &store,
        NewRegistration {
            meetup_id: "other".into(),
            token: "tok-other".into(),
            ..registration("m", 1)
        },
    )
    .await;
    assert!(!elsewhere.already_registered);
    assert_eq!(elsewhere.token, "tok-other");
}

pub(crate) async fn unknown_meetup_is_refused(store: Arc<dyn Store>) {
    store.put_meetups(&[meetup("m", 3)]).await.unwrap();
    match store.register(registration("nowhere", 1)).await {
        Err(StoreError::UnknownMeetup(_)) => {}
        other => panic!("expected UnknownMeetup, got {other:?}"),
    }
    assert!(matches!(
        store.aggregate("nowhere").await,
        Err(StoreError::UnknownMeetup(_))
    ));
    assert!(store
        .save_report(report("nowhere", "Rien", clock::now()))
        .await
        .is_err());
    assert_eq!(store.registrants("nowhere").await.unwrap(), vec![]);
    assert!(!store
        .aggregates()
        .await
        .unwrap()
        .meetups
        .contains_key("nowhere"));
}

// ---------------------------------------------------------------- cancellations

pub(crate) async fn cancellation_promotes_first_waiting(store: Arc<dyn Store>) {
    store.put_meetups(&[meetup("m", 2)]).await.unwrap();
    let mut tokens = Vec::new();
    for n in 0..5 {
        tokens.push(register(&store, registration("m", n)).await.token);
    }
    let found = store
        .registration_by_token(&tokens[0])
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.meetup_id, "m");
    assert_eq!(found.name, "Personne 0");
    assert_eq!(found.status, RegistrationStatus::Confirmed);

    match store.cancel(&tokens[0], clock::now()).await.unwrap() {
        CancelOutcome::Cancelled {
            meetup_id,
            promoted,
        } => {
            assert_eq!(meetup_id, "m");
            let promoted = promoted.expect("the first waiting person is promoted");
            assert_eq!(promoted.name, "Personne 2");
            assert_eq!(promoted.email, "personne2@example.org");
            assert_eq!(promoted.status, RegistrationStatus::Confirmed);
        }
        other => panic!("expected Cancelled, got {other:?}"),
    }
    assert_eq!(
        status_of(&store, &tokens[0]).await,
        Some(RegistrationStatus::Cancelled)
    );
    assert_eq!(
        status_of(&store, &tokens[2]).await,
        Some(RegistrationStatus::Confirmed)
    );
    assert_eq!(status_of(&store, &tokens[3]).await, Some(waiting(1)));
    assert_eq!(status_of(&store, &tokens[4]).await, Some(waiting(2)));
    assert_eq!(counts(&store, "m").await, (2, 2));

    // Without anybody waiting, a cancellation just frees the seat.
    let mut rest = Vec::new();
    for token in [&tokens[1], &tokens[2], &tokens[3], &tokens[4]] {
        rest.push(store.cancel(token, clock::now()).await.unwrap());
    }
    assert_eq!(counts(&store, "m").await, (0, 0));
    assert!(matches!(
        rest.last(),
        Some(CancelOutcome::Cancelled { promoted: None, .. })
    ));
    // The freed seat goes to the next person who registers.
    let next = register(&store, registration("m", 9)).await;
    assert_eq!(next.status, RegistrationStatus::Confirmed);
}

pub(crate) async fn cancelling_a_waiting_person_moves_the_queue_up(store: Arc<dyn Store>) {
    store.put_meetups(&[meetup("m", 1)]).await.unwrap();
    let mut tokens = Vec::new();
    for n in 0..4 {
        tokens.push(register(&store, registration("m", n)).await.token);
    }
    match store.cancel(&tokens[1], clock::now()).await.unwrap() {
        CancelOutcome::Cancelled {
            meetup_id,
            promoted,
        } => {
            assert_eq!(meetup_id, "m");
            assert_eq!(promoted, None, "a waiting person frees no seat");
        }
        other => panic!("expected Cancelled, got {other:?}"),
    }
    assert_eq!(
        status_of(&store, &tokens[0]).await,
        Some(RegistrationStatus::Confirmed)
    );
    assert_eq!(status_of(&store, &tokens[2]).await, Some(waiting(1)));
    assert_eq!(status_of(&store, &tokens[3]).await, Some(waiting(2)));
    assert_eq!(counts(&store, "m").await, (1, 2));
    let newcomer = register(&store, registration("m", 7)).await;
    assert_eq!(newcomer.status, waiting(3));
}

pub(crate) async fn cancel_twice(store: Arc<dyn Store>) {
    store.put_meetups(&[meetup("m", 1)]).await.unwrap();
    let token = register(&store, registration("m", 0)).await.token;
    register(&store, registration("m", 1)).await;
    assert!(matches!(
        store.cancel(&token, clock::now()).await.unwrap(),
        CancelOutcome::Cancelled { .. }
    ));
    assert_eq!(counts(&store, "m").await, (1, 0));
    assert_eq!(
        store.cancel(&token, clock::now()).await.unwrap(),
        CancelOutcome::AlreadyCancelled {
            meetup_id: "m".into()
        }
    );
    assert_eq!(counts(&store, "m").await, (1, 0), "nothing changed");
}

pub(crate) async fn unknown_token(store: Arc<dyn Store>) {
    store.put_meetups(&[meetup("m", 1)]).await.unwrap();
    register(&store, registration("m", 0)).await;
    assert_eq!(
        store.cancel("no-such-token", clock::now()).await.unwrap(),
        CancelOutcome::UnknownToken
    );
    assert_eq!(
        store.registration_by_token("no-such-token").await.unwrap(),
        None
    );
    assert_eq!(counts(&store, "m").await, (1, 0));
}

pub(crate) async fn register_again_after_cancelling(store: Arc<dyn Store>) {
    store.put_meetups(&[meetup("m", 1)]).await.unwrap();
    let first = registration("m", 0);
    let old_token = register(&store, first.clone()).await.token;
    register(&store, registration("m", 1)).await;
    store.cancel(&old_token, clock::now()).await.unwrap();

    // Coming back after cancelling is a new registration, at the back.
    let back = register(
        &store,
        NewRegistration {
            token: "tok-back".into(),
            ..first
        },
    )
    .await;
    assert!(!back.already_registered);
    assert_eq!(back.token, "tok-back");
    assert_eq!(back.status, waiting(1));
    assert_eq!(counts(&store, "m").await, (1, 1));
    assert_eq!(status_of(&store, "tok-back").await, Some(waiting(1)));
}

// ---------------------------------------------------------------- organiser's list

pub(crate) async fn registrants_in_arrival_order(store: Arc<dyn Store>) {
    store.put_meetups(&[meetup("m", 2)]).await.unwrap();
    store.put_meetups(&[meetup("other", 2)]).await.unwrap();
    let mut sent = Vec::new();
    for n in 0..5 {
        let new = registration("m", n);
        sent.push(new.clone());
        register(&store, new).await;
    }
    register(&store, registration("other", 42)).await;

    let registrants = store.registrants("m").await.unwrap();
    assert_eq!(registrants.len(), 5);
    for (n, (registrant, new)) in registrants.iter().zip(&sent).enumerate() {
        assert_eq!(registrant.name, new.name);
        assert_eq!(registrant.email, new.email);
        assert_eq!(registrant.role, new.role);
        assert_eq!(registrant.structure, new.structure);
        assert_eq!(registrant.need, new.need);
        let expected = match n {
            0 | 1 => RegistrationStatus::Confirmed,
            n => waiting(n as u32 - 1),
        };
        assert_eq!(registrant.status, expected, "registrant {n}");
        // Stores may keep a coarser precision than nanoseconds.
        let drift = (registrant.registered_at - new.registered_at)
            .num_milliseconds()
            .abs();
        assert!(drift <= 1000, "registered_at kept");
    }
    assert!(registrants
        .iter()
        .all(|r| r.email != "personne42@example.org"));
}

// ---------------------------------------------------------------- reports and aggregates

pub(crate) async fn reports_saved_and_corrected(store: Arc<dyn Store>) {
    store
        .put_meetups(&[meetup("m", 10), meetup("quiet", 10)])
        .await
        .unwrap();
    assert_eq!(store.aggregate("m").await.unwrap().report, None);

    let first = report("m", "Première version", clock::now());
    store.save_report(first.clone()).await.unwrap();
    assert_eq!(
        store.aggregate("m").await.unwrap().report,
        Some(first.public.clone())
    );

    // Sending it again replaces it, parts left out included.
    let corrected = StoredReport {
        public: PublicReport {
            outcome: Some("Version corrigée".into()),
            went_well: None,
            links: vec![],
            ..first.public.clone()
        },
        private_notes: None,
        submitted_at: clock::now() + Duration::minutes(5),
        ..first
    };
    store.save_report(corrected.clone()).await.unwrap();
    let aggregate = store.aggregate("m").await.unwrap();
    assert_eq!(aggregate.report, Some(corrected.public.clone()));

    let live = store.aggregates().await.unwrap();
    assert_eq!(live.meetups["m"].report, Some(corrected.public));
    assert_eq!(live.meetups["quiet"].report, None);
    // A report doesn't change the seats.
    assert_eq!(counts(&store, "m").await, (0, 0));
}

pub(crate) async fn aggregates_hold_no_personal_data(store: Arc<dyn Store>) {
    store
        .put_meetups(&[meetup("m", 2), meetup("empty", 2)])
        .await
        .unwrap();
    let mut registrations = Vec::new();
    for n in 0..3 {
        let new = NewRegistration {
            name: format!("Zoé-Secrète {n}"),
            email: format!("zoe.secrete{n}@exemple-prive.fr"),
            structure: Some(format!("Association Confidentielle {n}")),
            need: Some(format!("Besoin très personnel {n}")),
            ..registration("m", n)
        };
        registrations.push(new.clone());
        register(&store, new).await;
    }
    let report = report("m", "Ce qui s'est passé", clock::now());
    store.save_report(report.clone()).await.unwrap();

    let live = store.aggregates().await.unwrap();
    assert_eq!(live.meetups.len(), 2);
    assert_eq!(live.meetups["m"].confirmed, 2);
    assert_eq!(live.meetups["m"].waiting, 1);
    assert_eq!(live.meetups["m"].report, Some(report.public.clone()));
    assert_eq!(live.meetups["empty"].confirmed, 0);
    assert_eq!(live.meetups["empty"].waiting, 0);
    assert_eq!(live.meetups["empty"].report, None);
    assert_eq!(live.meetups["m"], store.aggregate("m").await.unwrap());

    let json = serde_json::to_string(&live).unwrap();
    let mut secrets: Vec<String> = vec![
        report.private_notes.clone().unwrap(),
        "06 12 34 56 78".into(),
        "exemple-prive".into(),
        "Zoé".into(),
        "Confidentielle".into(),
        "personnel".into(),
    ];
    for new in &registrations {
        secrets.push(new.token.clone());
        secrets.push(new.email.clone());
    }
    for secret in &secrets {
        assert!(
            !json.contains(secret.as_str()),
            "{secret:?} leaked into the aggregates: {json}"
        );
    }
    assert!(json.contains("Ce qui s'est passé"));
}

// ---------------------------------------------------------------- retention

pub(crate) async fn expired_data_hidden_then_purged(store: Arc<dyn Store>) {
    let now = clock::now();
    store
        .put_meetups(&[meetup("m", 2), meetup("old", 2)])
        .await
        .unwrap();
    let live_one = register(&store, registration("m", 0)).await.token;
    let expired_new = NewRegistration {
        expires_at: now - Duration::hours(1),
        ..registration("old", 1)
    };
    let expired = register(&store, expired_new.clone()).await.token;
    let expired_waiting = NewRegistration {
        expires_at: now - Duration::hours(1),
        ..registration("old", 2)
    };
    register(&store, expired_waiting).await;
    let expired_waiting_too = NewRegistration {
        expires_at: now - Duration::hours(1),
        ..registration("old", 3)
    };
    register(&store, expired_waiting_too).await;
    let old_report = StoredReport {
        expires_at: now - Duration::hours(1),
        ..report("old", "Bilan ancien", now - Duration::days(100))
    };
    store.save_report(old_report.clone()).await.unwrap();
    let fresh_report = report("m", "Bilan récent", now);
    store.save_report(fresh_report.clone()).await.unwrap();
    let before = counts(&store, "old").await;

    // Expired personal data is hidden on reads before any purge.
    assert_eq!(store.registrants("old").await.unwrap(), vec![]);
    assert_eq!(store.registration_by_token(&expired).await.unwrap(), None);
    assert_eq!(
        store.cancel(&expired, now).await.unwrap(),
        CancelOutcome::UnknownToken
    );
    assert_eq!(store.registrants("m").await.unwrap().len(), 1);

    let summary = store.purge_expired(now).await.unwrap();
    assert_eq!(summary.registrations, 3);
    assert_eq!(summary.private_notes, 1);

    // Still hidden, the live ones untouched, the public figures kept.
    assert_eq!(store.registrants("old").await.unwrap(), vec![]);
    assert_eq!(store.registration_by_token(&expired).await.unwrap(), None);
    assert_eq!(
        status_of(&store, &live_one).await,
        Some(RegistrationStatus::Confirmed)
    );
    assert_eq!(store.registrants("m").await.unwrap().len(), 1);
    assert_eq!(counts(&store, "old").await, before);
    assert_eq!(
        store.aggregate("old").await.unwrap().report,
        Some(old_report.public),
        "the public part of a report stays"
    );
    assert_eq!(
        store.aggregate("m").await.unwrap().report,
        Some(fresh_report.public)
    );

    // A second purge finds nothing more.
    assert_eq!(
        store.purge_expired(now).await.unwrap(),
        maillage_store::PurgeSummary::default()
    );
}

// ---------------------------------------------------------------- concurrency

/// 1,000 people register at once for 25 seats: exactly 25 confirmed, 975
/// waiting with positions 1..=975, each once, nobody lost.
pub(crate) async fn concurrent_registrations_fill_exactly(store: Arc<dyn Store>) {
    const PEOPLE: usize = 1000;
    const SEATS: u32 = 25;
    store.put_meetups(&[meetup("rush", SEATS)]).await.unwrap();
    let mut tasks = Vec::with_capacity(PEOPLE);
    for n in 0..PEOPLE {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let new = registration("rush", n);
            let email = new.email.clone();
            (email, store.register(new).await)
        }));
    }
    let mut confirmed = 0;
    let mut positions = BTreeSet::new();
    let mut outcome_by_email = HashMap::new();
    for task in tasks {
        let (email, outcome) = task.await.expect("task");
        let outcome = outcome.expect("every registration is recorded");
        assert!(!outcome.already_registered);
        match outcome.status {
            RegistrationStatus::Confirmed => confirmed += 1,
            RegistrationStatus::Waiting { position } => {
                assert!(positions.insert(position), "position {position} twice");
            }
            RegistrationStatus::Cancelled => panic!("cancelled?"),
        }
        outcome_by_email.insert(email, outcome.status);
    }
    assert_eq!(confirmed, SEATS);
    assert_eq!(
        positions,
        (1..=(PEOPLE as u32 - SEATS)).collect::<BTreeSet<_>>()
    );
    assert_eq!(counts(&store, "rush").await, (SEATS, PEOPLE as u32 - SEATS));

    // The organiser's list agrees: arrival order, the confirmed first, then
    // the waiting list in order, each person with the answer they got.
    let registrants = store.registrants("rush").await.unwrap();
    assert_eq!(registrants.len(), PEOPLE);
    for (index, registrant) in registrants.iter().enumerate() {
        let expected = if index < SEATS as usize {
            RegistrationStatus::Confirmed
        } else {
            waiting(index as u32 - SEATS + 1)
        };
        assert_eq!(registrant.status, expected, "registrant at {index}");
        assert_eq!(outcome_by_email[&registrant.email], expected);
    }
}

/// The same email sent many times at once makes one registration.
pub(crate) async fn concurrent_duplicates_make_one_registration(store: Arc<dyn Store>) {
    store.put_meetups(&[meetup("dup", 3)]).await.unwrap();
    let mut tasks = Vec::new();
    for attempt in 0..40 {
        let same = store.clone();
        tasks.push(tokio::spawn(async move {
            let new = NewRegistration {
                token: format!("tok-same-{attempt}-{}", random_suffix()),
                ..registration("dup", 7)
            };
            same.register(new).await.expect("register")
        }));
        // Other people register in between.
        let other = store.clone();
        tasks.push(tokio::spawn(async move {
            other
                .register(registration("dup", 100 + attempt))
                .await
                .expect("register")
        }));
    }
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.unwrap());
    }
    let registrants = store.registrants("dup").await.unwrap();
    assert_eq!(registrants.len(), 41, "one for the duplicate, 40 others");
    let mine: Vec<_> = registrants
        .iter()
        .filter(|r| r.email == "personne7@example.org")
        .collect();
    assert_eq!(mine.len(), 1);
    let duplicate_outcomes: Vec<_> = outcomes
        .iter()
        .filter(|outcome| outcome.token.starts_with("tok-same-"))
        .collect();
    assert_eq!(duplicate_outcomes.len(), 40);
    let first_token = &duplicate_outcomes[0].token;
    assert!(duplicate_outcomes.iter().all(|o| &o.token == first_token));
    assert_eq!(
        duplicate_outcomes
            .iter()
            .filter(|o| !o.already_registered)
            .count(),
        1
    );
    // Everyone who asked got the same status as the one stored.
    assert!(duplicate_outcomes
        .iter()
        .all(|o| o.status == duplicate_outcomes[0].status));
    assert_eq!(status_of(&store, first_token).await, Some(mine[0].status));
    assert_eq!(counts(&store, "dup").await, (3, 38));
}

/// Confirmed people cancel at once: each freed seat goes to the next person
/// waiting, in order, and nobody is promoted twice.
pub(crate) async fn concurrent_cancellations_promote_in_order(store: Arc<dyn Store>) {
    store.put_meetups(&[meetup("m", 5)]).await.unwrap();
    let mut tokens = Vec::new();
    for n in 0..15 {
        tokens.push(register(&store, registration("m", n)).await.token);
    }
    let mut tasks = Vec::new();
    for token in &tokens[..5] {
        let token = token.clone();
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store.cancel(&token, clock::now()).await.expect("cancel")
        }));
    }
    // The same token cancelled twice at once: one cancellation.
    let store_again = store.clone();
    let again = tokens[0].clone();
    tasks.push(tokio::spawn(async move {
        store_again
            .cancel(&again, clock::now())
            .await
            .expect("cancel")
    }));
    let mut promoted = BTreeSet::new();
    let mut cancelled = 0;
    for task in tasks {
        match task.await.unwrap() {
            CancelOutcome::Cancelled {
                promoted: Some(person),
                ..
            } => {
                cancelled += 1;
                assert!(promoted.insert(person.email), "promoted twice");
            }
            CancelOutcome::Cancelled { promoted: None, .. } => panic!("nobody promoted"),
            CancelOutcome::AlreadyCancelled { .. } => {}
            CancelOutcome::UnknownToken => panic!("unknown token"),
        }
    }
    assert_eq!(cancelled, 5);
    let expected: BTreeSet<String> = (5..10)
        .map(|n| format!("personne{n}@example.org"))
        .collect();
    assert_eq!(promoted, expected);
    assert_eq!(counts(&store, "m").await, (5, 5));
    for (n, token) in tokens.iter().enumerate() {
        let expected = match n {
            0..=4 => RegistrationStatus::Cancelled,
            5..=9 => RegistrationStatus::Confirmed,
            n => waiting(n as u32 - 9),
        };
        assert_eq!(status_of(&store, token).await, Some(expected), "person {n}");
    }
}

// ---------------------------------------------------------------- faults and repairs

/// Two seats, both taken, one person waiting; the capacity goes down to
/// one. A cancellation then frees a seat above the capacity: nobody is
/// promoted. The next one frees a seat within it: the first waiting gets it.
pub(crate) async fn cancellation_after_a_capacity_cut(store: Arc<dyn Store>) {
    let mut definition = meetup("m", 2);
    store
        .put_meetups(std::slice::from_ref(&definition))
        .await
        .unwrap();
    let mut tokens = Vec::new();
    for n in 0..4 {
        tokens.push(register(&store, registration("m", n)).await.token);
    }
    assert_eq!(counts(&store, "m").await, (2, 2));
    definition.capacity = 1;
    store
        .put_meetups(std::slice::from_ref(&definition))
        .await
        .unwrap();
    assert_eq!(counts(&store, "m").await, (2, 2), "nobody loses a seat");

    assert_eq!(
        store.cancel(&tokens[0], clock::now()).await.unwrap(),
        CancelOutcome::Cancelled {
            meetup_id: "m".into(),
            promoted: None
        }
    );
    assert_eq!(counts(&store, "m").await, (1, 2));
    assert_eq!(status_of(&store, &tokens[2]).await, Some(waiting(1)));
    // Someone waiting leaves: still nobody promoted.
    store.cancel(&tokens[3], clock::now()).await.unwrap();
    assert_eq!(counts(&store, "m").await, (1, 1));

    match store.cancel(&tokens[1], clock::now()).await.unwrap() {
        CancelOutcome::Cancelled {
            promoted: Some(person),
            ..
        } => assert_eq!(person.email, "personne2@example.org"),
        other => panic!("expected a promotion, got {other:?}"),
    }
    assert_eq!(counts(&store, "m").await, (1, 0));
    assert_eq!(
        status_of(&store, &tokens[2]).await,
        Some(RegistrationStatus::Confirmed)
    );
    // A newcomer waits: the one seat is taken.
    assert_eq!(
        register(&store, registration("m", 9)).await.status,
        waiting(1)
    );
}

/// A request sent again after its answer was lost on the way (the same
/// registration, same token) gets the answer it would have had: the same
/// place, not a second one, and not "already registered".
pub(crate) async fn a_request_sent_again_gets_its_own_answer(store: Arc<dyn Store>) {
    store.put_meetups(&[meetup("m", 1)]).await.unwrap();
    let seated = registration("m", 1);
    let first = register(&store, seated.clone()).await;
    let again = register(&store, seated.clone()).await;
    assert_eq!(again, first);
    assert_eq!(
        again,
        RegistrationOutcome {
            status: RegistrationStatus::Confirmed,
            token: seated.token.clone(),
            already_registered: false,
        }
    );

    let queued = registration("m", 2);
    let first = register(&store, queued.clone()).await;
    assert_eq!(first.status, waiting(1));
    assert_eq!(register(&store, queued.clone()).await, first);

    assert_eq!(counts(&store, "m").await, (1, 1));
    assert_eq!(store.registrants("m").await.unwrap().len(), 2);
    // Another request for the same email is another matter.
    let other = register(
        &store,
        NewRegistration {
            token: "tok-other-request".into(),
            ..queued
        },
    )
    .await;
    assert!(other.already_registered);
    assert_eq!(other.token, first.token);
}

/// A repair of a meetup whose writes all completed finds nothing to mend;
/// unknown and ended meetups are left alone.
pub(crate) async fn repair_leaves_a_sound_meetup_alone(store: Arc<dyn Store>) {
    let now = clock::now();
    let past = MeetupDefinition {
        starts_at: now - Duration::days(3),
        ends_at: now - Duration::days(3) + Duration::hours(2),
        ..meetup("past", 2)
    };
    store
        .put_meetups(&[meetup("m", 2), past.clone()])
        .await
        .unwrap();
    let mut tokens = Vec::new();
    for n in 0..5 {
        tokens.push(register(&store, registration("m", n)).await.token);
    }
    store.cancel(&tokens[0], now).await.unwrap();
    store.cancel(&tokens[3], now).await.unwrap();
    let before = store.registrants("m").await.unwrap();
    assert_eq!(
        store.repair("m", clock::now()).await.unwrap(),
        RepairSummary::default()
    );
    assert_eq!(store.registrants("m").await.unwrap(), before);
    assert_eq!(counts(&store, "m").await, (2, 1));
    assert_eq!(
        store.repair("nowhere", now).await.unwrap(),
        RepairSummary::default()
    );
    assert_eq!(
        store.repair("past", now).await.unwrap(),
        RepairSummary::default()
    );
}

/// Registrations, cancellations and repairs at the same time: every answer
/// holds, the counters match the organiser's list, nobody is lost.
pub(crate) async fn concurrent_registrations_and_repairs(store: Arc<dyn Store>) {
    const PEOPLE: usize = 60;
    const SEATS: u32 = 10;
    store.put_meetups(&[meetup("busy", SEATS)]).await.unwrap();
    let mut early = Vec::new();
    for n in 0..5 {
        early.push(register(&store, registration("busy", n)).await.token);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for n in 5..PEOPLE {
        let registering = store.clone();
        tasks.spawn(async move {
            let new = registration("busy", n);
            let outcome = registering.register(new).await.expect("register");
            (n, Some(outcome))
        });
        if n % 10 == 0 {
            let store = store.clone();
            tasks.spawn(async move {
                store.repair("busy", clock::now()).await.expect("repair");
                (usize::MAX, None)
            });
        }
    }
    for token in early.drain(..2) {
        let store = store.clone();
        tasks.spawn(async move {
            store.cancel(&token, clock::now()).await.expect("cancel");
            (usize::MAX, None)
        });
    }
    let mut answered = HashMap::new();
    while let Some(joined) = tasks.join_next().await {
        if let (n, Some(outcome)) = joined.unwrap() {
            assert!(!outcome.already_registered);
            answered.insert(format!("personne{n}@example.org"), outcome.status);
        }
    }
    store.repair("busy", clock::now()).await.unwrap();

    let registrants = store.registrants("busy").await.unwrap();
    let live: Vec<_> = registrants
        .iter()
        .filter(|r| r.status != RegistrationStatus::Cancelled)
        .collect();
    assert_eq!(live.len(), PEOPLE - 2, "nobody lost");
    let confirmed = live
        .iter()
        .filter(|r| r.status == RegistrationStatus::Confirmed)
        .count() as u32;
    assert_eq!(confirmed, SEATS);
    let positions: BTreeSet<u32> = live
        .iter()
        .filter_map(|r| match r.status {
            RegistrationStatus::Waiting { position } => Some(position),
            _ => None,
        })
        .collect();
    assert_eq!(
        positions,
        (1..=(PEOPLE as u32 - 2 - SEATS)).collect::<BTreeSet<_>>()
    );
    assert_eq!(
        counts(&store, "busy").await,
        (SEATS, PEOPLE as u32 - 2 - SEATS)
    );
    // A confirmed answer stays true; a waiting one only moves forward.
    for registrant in &live {
        match (answered.get(&registrant.email), registrant.status) {
            (Some(RegistrationStatus::Confirmed), now) => {
                assert_eq!(now, RegistrationStatus::Confirmed, "{}", registrant.email)
            }
            (Some(RegistrationStatus::Waiting { position: told }), now) => match now {
                RegistrationStatus::Waiting { position } => {
                    assert!(position <= *told, "{}", registrant.email)
                }
                RegistrationStatus::Confirmed => {}
                other => panic!("{other:?}"),
            },
            _ => {}
        }
    }
}

// ---------------------------------------------------------------- attendance

/// Who came to `meetup_id`, with fresh codes for everyone.
pub(crate) fn attendance(
    meetup_id: &str,
    present: &[&NewRegistration],
    organiser: Option<&str>,
    expires_at: DateTime<Utc>,
) -> Attendance {
    Attendance {
        meetup_id: meetup_id.into(),
        present: present.iter().map(|r| r.email.clone()).collect(),
        organiser: organiser.map(str::to_string),
        fresh_codes: (0..=present.len())
            .map(|_| format!("code-{}{}", random_suffix(), random_suffix()))
            .collect(),
        expires_at,
    }
}

async fn codes(store: &Arc<dyn Store>, meetup_id: &str) -> Vec<Option<String>> {
    store
        .registrants(meetup_id)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.attestation)
        .collect()
}

pub(crate) async fn attendance_gives_attestations(store: Arc<dyn Store>) {
    let definition = meetup("m", 10);
    store
        .put_meetups(std::slice::from_ref(&definition))
        .await
        .unwrap();
    let people: Vec<NewRegistration> = (0..3).map(|n| registration("m", n)).collect();
    for person in &people {
        register(&store, person.clone()).await;
    }
    let keep_until =
        DateTime::from_timestamp(clock::now().timestamp(), 0).unwrap() + Duration::days(3 * 365);
    let came = attendance(
        "m",
        &[&people[0], &people[1]],
        Some("Camille Organisatrice"),
        keep_until,
    );
    let issued = store.record_attendance(came.clone()).await.unwrap();

    let held = codes(&store, "m").await;
    let (first, second) = (held[0].clone().unwrap(), held[1].clone().unwrap());
    assert_eq!(held[2], None, "who did not come gets no attestation");
    let mut given: Vec<_> = issued
        .iter()
        .map(|i| (i.email.as_str(), i.name.as_str(), Some(i.code.clone())))
        .collect();
    given.sort();
    assert_eq!(
        given,
        [
            (people[0].email.as_str(), "Personne 0", held[0].clone()),
            (people[1].email.as_str(), "Personne 1", held[1].clone()),
        ],
        "the registrants given an attestation, to send them its link"
    );
    assert_ne!(first, second);
    let attested = store
        .attestation(&first)
        .await
        .unwrap()
        .expect("first's attestation");
    assert_eq!(attested.code, first);
    assert_eq!(attested.name, "Personne 0");
    assert_eq!(attested.role, AttestedRole::Participant);
    assert_eq!(attested.meetup_id, "m");
    assert_eq!(attested.meetup_title, definition.title);
    assert_eq!(
        attested.date,
        definition
            .starts_at
            .with_timezone(&definition.time_zone)
            .date_naive()
    );
    assert_eq!(attested.expires_at, keep_until);
    assert_eq!(
        store.attestation(&second).await.unwrap().unwrap().role,
        AttestedRole::Facilitator
    );
    let organiser = store
        .organiser_attestation("m")
        .await
        .unwrap()
        .expect("the organiser's attestation");
    assert_eq!(organiser.name, "Camille Organisatrice");
    assert_eq!(organiser.role, AttestedRole::Organiser);
    assert_eq!(
        store.attestation(&organiser.code).await.unwrap(),
        Some(organiser.clone())
    );

    // The same record sent again (new fresh codes) keeps every code.
    let again = attendance(
        "m",
        &[&people[0], &people[1]],
        Some("Camille Organisatrice"),
        keep_until,
    );
    assert_eq!(
        store.record_attendance(again).await.unwrap(),
        vec![],
        "nothing new to send"
    );
    assert_eq!(codes(&store, "m").await, held);
    assert_eq!(
        store
            .organiser_attestation("m")
            .await
            .unwrap()
            .unwrap()
            .code,
        organiser.code
    );

    // A correction: the first did not come after all, nor the organiser.
    let corrected = attendance("m", &[&people[1], &people[2]], None, keep_until);
    let issued = store.record_attendance(corrected).await.unwrap();
    assert_eq!(issued.len(), 1);
    assert_eq!(issued[0].email, people[2].email);
    let now_held = codes(&store, "m").await;
    assert_eq!(now_held[0], None);
    assert_eq!(now_held[1], held[1]);
    assert!(now_held[2].is_some());
    assert_eq!(
        store.attestation(&first).await.unwrap(),
        None,
        "an unmarked code is refused"
    );
    assert_eq!(store.organiser_attestation("m").await.unwrap(), None);
    assert_eq!(store.attestation(&organiser.code).await.unwrap(), None);

    // Unknown and forged codes.
    assert_eq!(store.attestation("code-inconnu").await.unwrap(), None);
    let forged = format!("{}x", second);
    assert_eq!(store.attestation(&forged).await.unwrap(), None);
}

pub(crate) async fn attendance_of_another_meetup_records_nothing(store: Arc<dyn Store>) {
    store
        .put_meetups(&[meetup("m", 10), meetup("other", 10)])
        .await
        .unwrap();
    let here = registration("m", 0);
    let there = registration("other", 1);
    register(&store, here.clone()).await;
    register(&store, there.clone()).await;
    let later = clock::now() + Duration::days(1000);
    // Marking the other meetup's registrant present from this meetup.
    store
        .record_attendance(attendance("m", &[&there], None, later))
        .await
        .unwrap();
    assert_eq!(codes(&store, "m").await, vec![None]);
    assert_eq!(codes(&store, "other").await, vec![None]);
    match store
        .record_attendance(attendance("nowhere", &[&here], Some("X"), later))
        .await
    {
        Err(StoreError::UnknownMeetup(id)) => assert_eq!(id, "nowhere"),
        other => panic!("expected an unknown meetup, got {other:?}"),
    }
    assert_eq!(codes(&store, "m").await, vec![None]);
}

pub(crate) async fn attestations_outlive_registrations_then_go(store: Arc<dyn Store>) {
    store.put_meetups(&[meetup("m", 10)]).await.unwrap();
    let now = clock::now();
    let person = NewRegistration {
        expires_at: now + Duration::hours(1),
        ..registration("m", 0)
    };
    register(&store, person.clone()).await;
    let keep_until = now + Duration::days(3 * 365);
    store
        .record_attendance(attendance("m", &[&person], Some("Camille"), keep_until))
        .await
        .unwrap();
    let code = codes(&store, "m").await[0].clone().unwrap();
    let organiser = store.organiser_attestation("m").await.unwrap().unwrap();

    // Past the registrations' retention: they go, the attestations stay.
    let summary = store.purge_expired(now + Duration::hours(2)).await.unwrap();
    assert_eq!(summary.registrations, 1);
    assert_eq!(summary.attestations, 0);
    let kept = store.attestation(&code).await.unwrap().expect("kept");
    assert_eq!(kept.name, person.name);
    assert_eq!(
        store.organiser_attestation("m").await.unwrap(),
        Some(organiser.clone())
    );

    // Past their own retention, they go too.
    let summary = store
        .purge_expired(keep_until + Duration::days(1))
        .await
        .unwrap();
    assert_eq!(summary.attestations, 2);
    assert_eq!(store.attestation(&code).await.unwrap(), None);
    assert_eq!(store.attestation(&organiser.code).await.unwrap(), None);
    assert_eq!(store.organiser_attestation("m").await.unwrap(), None);
}

pub(crate) async fn a_shorter_retention_purges_registrations_not_attestations(
    store: Arc<dyn Store>,
) {
    store.put_meetups(&[meetup("m", 10)]).await.unwrap();
    let now = clock::now();
    let person = NewRegistration {
        expires_at: now + Duration::days(10),
        ..registration("m", 0)
    };
    register(&store, person.clone()).await;
    // The attestation expires before the registrations' early cutoff: only
    // its own cutoff may remove it.
    store
        .record_attendance(attendance("m", &[&person], None, now + Duration::days(12)))
        .await
        .unwrap();
    let code = codes(&store, "m").await[0].clone().unwrap();
    // Registrations purged as if 15 days had passed, attestations at once.
    let summary = store
        .purge(PurgeCutoffs {
            personal: now + Duration::days(15),
            attestations: now,
        })
        .await
        .unwrap();
    assert_eq!((summary.registrations, summary.attestations), (1, 0));
    assert_eq!(store.registrants("m").await.unwrap(), vec![]);
    assert!(store.attestation(&code).await.unwrap().is_some());
    assert_eq!(
        store.purge_expired(now).await.unwrap(),
        maillage_store::PurgeSummary::default()
    );
}

// ---------------------------------------------------------------- messages

fn message(meetup_id: &str, kind: MessageKind) -> OrganiserMessage {
    OrganiserMessage {
        meetup_id: meetup_id.into(),
        request: format!("req-{}", random_suffix()),
        kind,
        sent_at: clock::now(),
    }
}

/// Who a recorded message goes to: (email, token, status), in order.
fn recipients(outcome: MessageOutcome) -> Vec<(String, String, RegistrationStatus)> {
    match outcome {
        MessageOutcome::Recorded { recipients } => recipients
            .into_iter()
            .map(|to| (to.email, to.token, to.status))
            .collect(),
        MessageOutcome::AlreadyRecorded => panic!("expected a recorded message"),
    }
}

pub(crate) async fn a_message_goes_once_to_everyone_registered(store: Arc<dyn Store>) {
    store
        .put_meetups(&[meetup("brest", 2), meetup("quimper", 5)])
        .await
        .unwrap();
    let people: Vec<NewRegistration> = (0..4).map(|n| registration("brest", n)).collect();
    for person in &people {
        register(&store, person.clone()).await;
    }
    register(&store, registration("quimper", 9)).await;
    // The third person (first waiting) leaves: the fourth moves up.
    store.cancel(&people[2].token, clock::now()).await.unwrap();
    let change = message("brest", MessageKind::Change);
    let sent = recipients(store.record_message(&change).await.unwrap());
    let expected = vec![
        (
            people[0].email.clone(),
            people[0].token.clone(),
            RegistrationStatus::Confirmed,
        ),
        (
            people[1].email.clone(),
            people[1].token.clone(),
            RegistrationStatus::Confirmed,
        ),
        (people[3].email.clone(), people[3].token.clone(), waiting(1)),
    ];
    assert_eq!(
        sent, expected,
        "confirmed and waiting, nobody cancelled, nobody else's"
    );
    // The same request again (a retry, another instance) sends nothing.
    assert_eq!(
        store.record_message(&change).await.unwrap(),
        MessageOutcome::AlreadyRecorded
    );
    // Another request is another message.
    let reminder = message("brest", MessageKind::Reminder);
    assert_eq!(
        recipients(store.record_message(&reminder).await.unwrap()),
        expected
    );
    // Neither cancels anything.
    assert_eq!(
        store.meetup("brest").await.unwrap().unwrap().status,
        MeetupStatus::Open
    );
    assert!(!store.aggregate("brest").await.unwrap().cancelled);
}

pub(crate) async fn a_cancellation_message_cancels_the_meetup_for_good(store: Arc<dyn Store>) {
    let definition = meetup("brest", 3);
    store
        .put_meetups(&[definition.clone(), meetup("quimper", 5)])
        .await
        .unwrap();
    let person = registration("brest", 1);
    register(&store, person.clone()).await;
    let cancellation = message("brest", MessageKind::Cancellation);
    let sent = recipients(store.record_message(&cancellation).await.unwrap());
    assert_eq!(
        sent,
        vec![(
            person.email.clone(),
            person.token.clone(),
            RegistrationStatus::Confirmed
        )]
    );
    assert_eq!(
        store.record_message(&cancellation).await.unwrap(),
        MessageOutcome::AlreadyRecorded
    );
    // A meetup is cancelled once: another request to cancel it sends nothing.
    assert_eq!(
        store
            .record_message(&message("brest", MessageKind::Cancellation))
            .await
            .unwrap(),
        MessageOutcome::AlreadyRecorded
    );
    let cancelled =
        |found: Option<MeetupDefinition>| found.unwrap().status == MeetupStatus::Cancelled;
    assert!(cancelled(store.meetup("brest").await.unwrap()));
    // A sync of the data, which still says `open`, does not reopen it.
    store
        .put_meetups(std::slice::from_ref(&definition))
        .await
        .unwrap();
    assert!(cancelled(store.meetup("brest").await.unwrap()));
    let all = store.meetups().await.unwrap();
    let statuses: Vec<(String, MeetupStatus)> = all.into_iter().map(|m| (m.id, m.status)).collect();
    assert_eq!(
        statuses,
        vec![
            ("brest".to_string(), MeetupStatus::Cancelled),
            ("quimper".to_string(), MeetupStatus::Open)
        ]
    );
    // The site learns it from the public figures, nothing more.
    assert!(store.aggregate("brest").await.unwrap().cancelled);
    let live = store.aggregates().await.unwrap();
    assert!(live.meetups["brest"].cancelled);
    assert!(!live.meetups["quimper"].cancelled);
    let json = serde_json::to_string(&live).unwrap();
    assert!(
        !json.contains(&person.email) && !json.contains(&person.name),
        "{json}"
    );
}

pub(crate) async fn a_message_to_an_unknown_meetup_is_refused(store: Arc<dyn Store>) {
    store.put_meetups(&[meetup("brest", 3)]).await.unwrap();
    for kind in [MessageKind::Change, MessageKind::Cancellation] {
        let error = store
            .record_message(&message("nowhere", kind))
            .await
            .unwrap_err();
        assert!(matches!(error, StoreError::UnknownMeetup(_)), "{error}");
    }
    assert!(store.meetup("nowhere").await.unwrap().is_none());
}

pub(crate) async fn reminders_are_claimed_once_for_registrations_made_before(
    store: Arc<dyn Store>,
) {
    store
        .put_meetups(&[meetup("brest", 1), meetup("quimper", 5)])
        .await
        .unwrap();
    let now = clock::now();
    let made = |n: usize, days_ago: i64| NewRegistration {
        registered_at: now - Duration::days(days_ago),
        ..registration("brest", n)
    };
    let (seated, leaving, queued, late) = (made(0, 3), made(1, 3), made(2, 2), made(3, 0));
    for person in [&seated, &leaving, &queued, &late] {
        register(&store, person.clone()).await;
    }
    register(&store, registration("quimper", 9)).await;
    store.cancel(&leaving.token, now).await.unwrap();
    let before = now - Duration::hours(1);
    let claimed: Vec<(String, RegistrationStatus)> = store
        .claim_reminders("brest", before)
        .await
        .unwrap()
        .into_iter()
        .map(|to| (to.token, to.status))
        .collect();
    assert_eq!(
        claimed,
        vec![
            (seated.token.clone(), RegistrationStatus::Confirmed),
            (queued.token.clone(), waiting(1)),
        ],
        "live registrations made before, nobody cancelled, nobody later"
    );
    assert_eq!(
        store.claim_reminders("brest", before).await.unwrap(),
        vec![]
    );
    // Later, the one who registered late is due too; the others are not again.
    let later: Vec<String> = store
        .claim_reminders("brest", now + Duration::hours(1))
        .await
        .unwrap()
        .into_iter()
        .map(|to| to.email)
        .collect();
    assert_eq!(later, vec![late.email.clone()]);
    assert_eq!(
        store
            .claim_reminders("quimper", now + Duration::hours(1))
            .await
            .unwrap()
            .len(),
        1,
        "another meetup's registrations are its own"
    );
}

// ---------------------------------------------------------------- regions

pub(crate) fn region(id: &str, meetups: &[&str]) -> RegionDefinition {
    RegionDefinition {
        id: id.into(),
        name: format!("Région {id}"),
        coordinator_key_sha256: Some(
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
        ),
        meetups: meetups.iter().map(|id| id.to_string()).collect(),
        places: vec![],
        time_zone: maillage_model::zone::DEFAULT,
        belongs: vec![],
    }
}

pub(crate) async fn regions_round_trip(store: Arc<dyn Store>) {
    assert_eq!(store.region("bretagne").await.unwrap(), None);
    let bretagne = region("bretagne", &["brest-1", "rennes-1"]);
    let normandie = RegionDefinition {
        coordinator_key_sha256: None,
        ..region("normandie", &[])
    };
    store
        .put_regions(&[bretagne.clone(), normandie.clone()])
        .await
        .unwrap();
    assert_eq!(
        store.region("bretagne").await.unwrap(),
        Some(bretagne.clone())
    );
    assert_eq!(store.region("normandie").await.unwrap(), Some(normandie));
    assert_eq!(store.region("corse").await.unwrap(), None);
    // Synced again with a new key and a new meetup: replaced whole.
    let rekeyed = RegionDefinition {
        coordinator_key_sha256: Some("a".repeat(64)),
        meetups: vec!["brest-1".into(), "rennes-1".into(), "vannes-1".into()],
        ..bretagne
    };
    store
        .put_regions(std::slice::from_ref(&rekeyed))
        .await
        .unwrap();
    assert_eq!(store.region("bretagne").await.unwrap(), Some(rekeyed));
}

pub(crate) async fn follow_up_gives_each_meetup_named_and_no_other(store: Arc<dyn Store>) {
    let here = meetup("here", 2);
    let past = MeetupDefinition {
        starts_at: clock::now() - Duration::days(3),
        ends_at: clock::now() - Duration::days(3) + Duration::hours(2),
        ..meetup("past", 10)
    };
    let elsewhere = meetup("elsewhere", 10);
    store
        .put_meetups(&[here.clone(), past.clone(), elsewhere.clone()])
        .await
        .unwrap();
    for n in 0..3 {
        register(&store, registration("here", n)).await;
    }
    let came: Vec<NewRegistration> = (10..14).map(|n| registration("past", n)).collect();
    for person in &came {
        register(&store, person.clone()).await;
    }
    let keep_until = clock::now() + Duration::days(1000);
    store
        .record_attendance(attendance(
            "past",
            &[&came[0], &came[2], &came[3]],
            Some("Camille"),
            keep_until,
        ))
        .await
        .unwrap();
    store
        .save_report(report("past", "Fait", clock::now()))
        .await
        .unwrap();
    let other: Vec<NewRegistration> = (20..25).map(|n| registration("elsewhere", n)).collect();
    for person in &other {
        register(&store, person.clone()).await;
    }
    store
        .record_attendance(attendance("elsewhere", &[&other[0]], None, keep_until))
        .await
        .unwrap();
    store
        .save_report(StoredReport {
            private_notes: Some("Notes d'une autre région".into()),
            ..report("elsewhere", "Ailleurs", clock::now())
        })
        .await
        .unwrap();

    let ids = ["past".to_string(), "unknown".into(), "here".into()];
    let seen = store.follow_up(&ids).await.unwrap();
    assert_eq!(
        seen.iter()
            .map(|f| f.definition.id.as_str())
            .collect::<Vec<_>>(),
        ["past", "here"],
        "the meetups named, in the order given, unknown ones left out"
    );
    let (past_seen, here_seen) = (&seen[0], &seen[1]);
    assert_eq!(past_seen.definition, past);
    assert_eq!((past_seen.confirmed, past_seen.waiting), (4, 0));
    assert_eq!(past_seen.present, 3, "three marked present");
    assert!(past_seen.organiser_present);
    let sent = report("past", "Fait", clock::now());
    assert_eq!(
        past_seen.report.as_ref().and_then(|r| r.outcome.as_deref()),
        sent.public.outcome.as_deref()
    );
    assert_eq!(past_seen.private_notes, sent.private_notes);
    assert_eq!(here_seen.definition, here);
    assert_eq!((here_seen.confirmed, here_seen.waiting), (2, 1));
    assert_eq!((here_seen.present, here_seen.organiser_present), (0, false));
    assert_eq!(
        (here_seen.report.clone(), here_seen.private_notes.clone()),
        (None, None)
    );
    assert!(
        !format!("{seen:?}").contains("autre région"),
        "another meetup's notes are not read"
    );
    assert_eq!(store.follow_up(&[]).await.unwrap(), vec![]);

    // Private notes past their expiry are not shown; the public part stays.
    let old = meetup("old", 10);
    store.put_meetups(std::slice::from_ref(&old)).await.unwrap();
    store
        .save_report(StoredReport {
            expires_at: clock::now() - Duration::hours(1),
            ..report("old", "Ancien", clock::now())
        })
        .await
        .unwrap();
    let seen_old = store.follow_up(&["old".to_string()]).await.unwrap();
    assert_eq!(seen_old[0].private_notes, None, "expired notes are hidden");
    assert!(seen_old[0].report.is_some());

    // Cancelled by its organiser's message: cancelled here too.
    store
        .record_message(&message("here", MessageKind::Cancellation))
        .await
        .unwrap();
    let seen_here = store.follow_up(&["here".to_string()]).await.unwrap();
    assert_eq!(seen_here[0].definition.status, MeetupStatus::Cancelled);
}

// ---------------------------------------------------------------- proposals

pub(crate) fn proposal(id: &str, region: &str) -> Proposal {
    let now = clock::now();
    let start = (now + Duration::days(30))
        .naive_utc()
        .date()
        .and_hms_opt(18, 0, 0)
        .unwrap();
    Proposal {
        id: format!("{id}-{}", random_suffix()),
        region: region.into(),
        belongs: Belongs::Series {
            series: "carto".into(),
        },
        place: ProposedPlace::New(NewPlace {
            name: "Tiers-lieu du Port".into(),
            town: "Lorient".into(),
            department: "56".into(),
        }),
        title: format!("Rencontre proposée {id}"),
        start,
        end: start + Duration::hours(2),
        capacity: 15,
        intentions: vec!["Cartographier le quartier".into()],
        name: "Dominique Proposante".into(),
        email: format!("{id}@proposant.example.net"),
        submitted_at: now,
        expires_at: now + Duration::days(120),
        status: ProposalStatus::Pending,
        message: None,
    }
}

fn accepted(proposal: &Proposal, meetup: &str) -> AcceptedMeetup {
    AcceptedMeetup {
        id: meetup.into(),
        proposal: proposal.id.clone(),
        region: proposal.region.clone(),
        title: proposal.title.clone(),
        belongs: proposal.belongs.clone(),
        place: "cafe-du-port-lorient".into(),
        start: proposal.start,
        end: proposal.end,
        capacity: 20,
        intentions: proposal.intentions.clone(),
        organiser: "Dominique".into(),
        report_key_sha256: "a".repeat(64),
        accepted_at: clock::now(),
    }
}

fn decision(proposal: &Proposal, request: &str, accepted: Option<AcceptedMeetup>) -> Decision {
    Decision {
        region: proposal.region.clone(),
        proposal: proposal.id.clone(),
        request: format!("{request}-{}", random_suffix()),
        accepted,
        message: Some("Merci pour la proposition.".into()),
        decided_at: clock::now(),
    }
}

pub(crate) async fn proposals_are_stored_once_by_region_then_purged(store: Arc<dyn Store>) {
    assert_eq!(store.proposals("bretagne").await.unwrap(), vec![]);
    let first = proposal("premiere", "bretagne");
    let second = Proposal {
        submitted_at: first.submitted_at + Duration::seconds(1),
        ..proposal("seconde", "bretagne")
    };
    let elsewhere = proposal("ailleurs", "normandie");
    assert!(store.submit_proposal(&first).await.unwrap());
    assert!(store.submit_proposal(&second).await.unwrap());
    assert!(store.submit_proposal(&elsewhere).await.unwrap());
    // The same form sent again: nothing changes, the first stays.
    let again = Proposal {
        title: "Autre titre".into(),
        ..first.clone()
    };
    assert!(!store.submit_proposal(&again).await.unwrap());
    assert_eq!(
        store.proposals("bretagne").await.unwrap(),
        vec![first.clone(), second.clone()],
        "its region's, in the order they came"
    );
    assert_eq!(store.proposals("normandie").await.unwrap(), vec![elsewhere]);
    // Expired: hidden, then purged (the proposer's name and email go).
    let expired = Proposal {
        expires_at: clock::now() - Duration::hours(1),
        ..proposal("expiree", "bretagne")
    };
    assert!(store.submit_proposal(&expired).await.unwrap());
    assert_eq!(store.proposals("bretagne").await.unwrap().len(), 2);
    let summary = store.purge_expired(clock::now()).await.unwrap();
    assert_eq!(summary.proposals, 1);
    assert_eq!(store.proposals("bretagne").await.unwrap().len(), 2);
}

pub(crate) async fn a_proposal_is_decided_once(store: Arc<dyn Store>) {
    let first = proposal("acceptee", "bretagne");
    let second = proposal("refusee", "bretagne");
    store.submit_proposal(&first).await.unwrap();
    store.submit_proposal(&second).await.unwrap();

    // Accepted: the proposal says so, the meetup is recorded.
    let meetup = accepted(&first, "carto-lorient-2027-01");
    let accept = decision(&first, "accepter", Some(meetup.clone()));
    let DecisionOutcome::Decided(decided) = store.decide_proposal(&accept).await.unwrap() else {
        panic!("the first decision decides");
    };
    assert_eq!(
        decided.status,
        ProposalStatus::Accepted {
            meetup: meetup.id.clone()
        }
    );
    assert_eq!(
        decided.message.as_deref(),
        Some("Merci pour la proposition.")
    );
    // The same request again (its answer lost): its own outcome.
    assert_eq!(
        store.decide_proposal(&accept).await.unwrap(),
        DecisionOutcome::Decided(decided.clone())
    );
    // Another request: already decided, nothing changes.
    let decline = decision(&first, "refuser", None);
    assert_eq!(
        store.decide_proposal(&decline).await.unwrap(),
        DecisionOutcome::AlreadyDecided(decided.clone())
    );
    assert_eq!(
        store.accepted_meetups().await.unwrap(),
        vec![meetup.clone()]
    );

    // Declined: no meetup.
    let declined = match store
        .decide_proposal(&decision(&second, "refuser", None))
        .await
        .unwrap()
    {
        DecisionOutcome::Decided(p) => p,
        other => panic!("{other:?}"),
    };
    assert_eq!(declined.status, ProposalStatus::Declined);
    assert_eq!(store.accepted_meetups().await.unwrap(), vec![meetup]);
    let listed = store.proposals("bretagne").await.unwrap();
    assert_eq!(listed, vec![decided, declined]);

    // Unknown, or asked from another region: nothing.
    let unknown = Decision {
        proposal: "inconnue".into(),
        ..decision(&first, "x", None)
    };
    assert_eq!(
        store.decide_proposal(&unknown).await.unwrap(),
        DecisionOutcome::Unknown
    );
    let other_region = Decision {
        region: "normandie".into(),
        ..decision(&first, "y", None)
    };
    assert_eq!(
        store.decide_proposal(&other_region).await.unwrap(),
        DecisionOutcome::Unknown
    );

    // Two coordinators' requests at once: one decides.
    let third = proposal("concurrente", "bretagne");
    store.submit_proposal(&third).await.unwrap();
    let tasks: Vec<_> = (0..4)
        .map(|n| {
            let store = store.clone();
            let choice = decision(
                &third,
                &format!("course-{n}"),
                (n % 2 == 0).then(|| accepted(&third, &format!("course-lorient-{n}"))),
            );
            tokio::spawn(async move { store.decide_proposal(&choice).await.unwrap() })
        })
        .collect();
    let mut decided = 0;
    for task in tasks {
        if matches!(task.await.unwrap(), DecisionOutcome::Decided(_)) {
            decided += 1;
        }
    }
    assert_eq!(decided, 1, "exactly one request decides");
    let accepted_now = store.accepted_meetups().await.unwrap();
    assert!(
        accepted_now.len() <= 2,
        "at most one more meetup: {accepted_now:?}"
    );
}
