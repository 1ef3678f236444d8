//! The DynamoDB store against moto's server on loopback: what only this
//! backend has (its items, TTL, conflicts between concurrent writers).

#![cfg(feature = "dynamodb")]

use crate::moto;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use aws_sdk_dynamodb::types::{AttributeValue, TimeToLiveStatus};
use chrono::{DateTime, Utc};
use maillage_model::meetup::{MeetupDefinition, MeetupStatus, PublicReport, Role};
use maillage_store::dynamodb::DynamoStore;
use maillage_store::{
    Attendance, CancelOutcome, NewRegistration, RegistrationStatus, Store, StoredReport,
};

macro_rules! store_or_skip {
    ($name:expr) => {
        match moto::fresh_store($name).await {
            Some(store) => store,
            None => return,
        }
    };
}

fn at(value: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(value)
        .unwrap()
        .with_timezone(&Utc)
}

fn meetup(id: &str, capacity: u32) -> MeetupDefinition {
    MeetupDefinition {
        id: id.into(),
        title: format!("Rencontre {id}"),
        starts_at: at("2026-12-05T09:00:00Z"),
        ends_at: at("2026-12-05T12:00:00Z"),
        capacity,
        status: MeetupStatus::Open,
        registration_opens: at("2026-11-01T00:00:00Z"),
        registration_closes: at("2026-12-04T23:00:00Z"),
        report_key_sha256: None,
        location: "Médiathèque, Brest".into(),
        url: format!("https://example.org/rencontres/{id}/"),
        time_zone: maillage_model::zone::DEFAULT,
    }
}

fn registration(meetup_id: &str, n: usize) -> NewRegistration {
    NewRegistration {
        meetup_id: meetup_id.into(),
        name: format!("Personne {n}"),
        email: format!("personne{n}@example.org"),
        role: Role::Participant,
        structure: Some("Club de code".into()),
        need: (n % 7 == 0).then(|| "Accès en fauteuil".to_string()),
        token: format!("token-{meetup_id}-{n}"),
        registered_at: at("2026-11-22T12:00:00Z"),
        expires_at: at("2027-03-05T12:00:00Z"),
    }
}

/// Every item of the table, read raw.
async fn scan(store: &DynamoStore) -> Vec<HashMap<String, AttributeValue>> {
    let mut items = Vec::new();
    let mut start = None;
    loop {
        let output = store
            .client()
            .scan()
            .table_name(store.table())
            .consistent_read(true)
            .set_exclusive_start_key(start)
            .send()
            .await
            .unwrap();
        items.extend(output.items.unwrap_or_default());
        match output.last_evaluated_key {
            Some(key) if !key.is_empty() => start = Some(key),
            _ => return items,
        }
    }
}

fn text<'a>(item: &'a HashMap<String, AttributeValue>, name: &str) -> &'a str {
    item.get(name).and_then(|v| v.as_s().ok()).map_or("", |s| s)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_email_at_once_takes_one_seat() {
    let store = Arc::new(store_or_skip!("same-email"));
    store.put_meetups(&[meetup("quimper", 3)]).await.unwrap();
    let mut tasks = tokio::task::JoinSet::new();
    for attempt in 0..20 {
        let store = Arc::clone(&store);
        tasks.spawn(async move {
            let mut new = registration("quimper", 1);
            new.token = format!("token-attempt-{attempt}");
            store.register(new).await.unwrap()
        });
    }
    let mut outcomes = Vec::new();
    while let Some(result) = tasks.join_next().await {
        outcomes.push(result.unwrap());
    }
    let first: Vec<_> = outcomes.iter().filter(|o| !o.already_registered).collect();
    assert_eq!(first.len(), 1, "exactly one request registers");
    assert!(outcomes.iter().all(|o| o.token == first[0].token));
    assert!(outcomes
        .iter()
        .all(|o| o.status == RegistrationStatus::Confirmed));
    let aggregate = store.aggregate("quimper").await.unwrap();
    assert_eq!((aggregate.confirmed, aggregate.waiting), (1, 0));
}

#[tokio::test]
async fn personal_items_carry_the_ttl_attribute_and_others_do_not() {
    let store = store_or_skip!("ttl");
    let ttl = store
        .client()
        .describe_time_to_live()
        .table_name(store.table())
        .send()
        .await
        .unwrap();
    let description = ttl.time_to_live_description().unwrap();
    assert_eq!(description.attribute_name(), Some("expires_at"));
    assert_eq!(
        description.time_to_live_status(),
        Some(&TimeToLiveStatus::Enabled)
    );

    store.put_meetups(&[meetup("morlaix", 1)]).await.unwrap();
    store.register(registration("morlaix", 1)).await.unwrap();
    store.register(registration("morlaix", 2)).await.unwrap(); // waits
    store
        .save_report(StoredReport {
            meetup_id: "morlaix".into(),
            public: PublicReport {
                attendance: Some(1),
                went_well: Some("Tout.".into()),
                ..Default::default()
            },
            private_notes: Some("Joindre la médiathèque.".into()),
            submitted_at: at("2026-12-05T13:00:00Z"),
            expires_at: at("2027-03-05T12:00:00Z"),
        })
        .await
        .unwrap();

    let expected = at("2027-03-05T12:00:00Z").timestamp().to_string();
    let mut kinds = BTreeSet::new();
    for item in scan(&store).await {
        let kind = text(&item, "kind").to_string();
        let expires = item.get("expires_at").map(|v| v.as_n().unwrap().clone());
        match kind.as_str() {
            "registration" | "token" | "report_private" => {
                assert_eq!(expires.as_deref(), Some(expected.as_str()), "{kind}")
            }
            "meetup" => {
                assert_eq!(expires, None, "{kind}");
                // Its lists of hashes expire with the registrations.
                let lists = item
                    .get("lists_expire_at")
                    .map(|v| v.as_n().unwrap().clone());
                assert_eq!(lists.as_deref(), Some(expected.as_str()));
            }
            "report" | "index" => assert_eq!(expires, None, "{kind}"),
            other => panic!("unexpected item kind {other:?}"),
        }
        // Emails are never part of a key.
        assert!(!text(&item, "PK").contains('@') && !text(&item, "SK").contains('@'));
        kinds.insert(kind);
    }
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        [
            "index",
            "meetup",
            "registration",
            "report",
            "report_private",
            "token"
        ]
    );
}

#[tokio::test]
async fn expired_items_are_invisible_then_purged() {
    let store = store_or_skip!("expired");
    let mut past = meetup("lorient", 1);
    past.starts_at = at("2026-05-05T09:00:00Z");
    past.ends_at = at("2026-05-05T12:00:00Z");
    store.put_meetups(&[past]).await.unwrap();
    let gone = at("2026-08-03T12:00:00Z"); // the meetup's end + 90 days
    for n in 1..=2 {
        let mut new = registration("lorient", n);
        new.registered_at = at("2026-05-01T10:00:00Z");
        new.expires_at = gone;
        store.register(new).await.unwrap();
    }
    store
        .save_report(StoredReport {
            meetup_id: "lorient".into(),
            public: PublicReport {
                attendance: Some(1),
                ..Default::default()
            },
            private_notes: Some("Notes privées".into()),
            submitted_at: at("2026-05-06T10:00:00Z"),
            expires_at: gone,
        })
        .await
        .unwrap();

    // TTL deletion lags (moto never deletes): reads must not show them.
    assert!(store.registrants("lorient").await.unwrap().is_empty());
    assert_eq!(
        store
            .registration_by_token("token-lorient-1")
            .await
            .unwrap(),
        None
    );
    let now = at("2026-11-22T12:00:00Z");
    assert_eq!(
        store.cancel("token-lorient-1", now).await.unwrap(),
        CancelOutcome::UnknownToken
    );

    let before = scan(&store).await.len();
    let summary = store.purge_expired(now).await.unwrap();
    assert_eq!((summary.registrations, summary.private_notes), (2, 1));
    let left = scan(&store).await;
    // Gone: 2 registrations, 2 tokens, the private notes.
    assert_eq!(left.len(), before - 5);
    assert!(left.iter().all(|item| !item.contains_key("expires_at")));
    // The meetup item no longer lists who registered.
    let meetup = left
        .iter()
        .find(|item| text(item, "kind") == "meetup")
        .unwrap();
    for list in ["queue", "cancelled", "ended_by", "lists_expire_at"] {
        assert!(!meetup.contains_key(list), "{list} left");
    }
    assert!(meetup["seated"].as_m().unwrap().is_empty());
    // Public figures and the public report stay.
    let aggregate = store.aggregate("lorient").await.unwrap();
    assert_eq!((aggregate.confirmed, aggregate.waiting), (1, 1));
    assert_eq!(aggregate.report.unwrap().attendance, Some(1));
    assert_eq!(
        store.purge_expired(now).await.unwrap(),
        Default::default(),
        "nothing left to purge"
    );
}

#[tokio::test]
async fn after_the_purge_only_what_attestations_need_is_left() {
    let store = store_or_skip!("attestations-kept");
    let mut past = meetup("quimper", 5);
    past.starts_at = at("2026-05-05T09:00:00Z");
    past.ends_at = at("2026-05-05T12:00:00Z");
    store.put_meetups(&[past]).await.unwrap();
    // Registrations still live when attendance is recorded, then expired.
    let now = maillage_model::clock::now();
    let gone = now + chrono::Duration::hours(1);
    let kept_until = now + chrono::Duration::days(1095);
    for n in 0..2 {
        let mut new = registration("quimper", n);
        new.registered_at = at("2026-05-01T10:00:00Z");
        new.expires_at = gone;
        store.register(new).await.unwrap();
    }
    store
        .record_attendance(Attendance {
            meetup_id: "quimper".into(),
            present: vec!["personne0@example.org".into()],
            organiser: Some("Nolwenn Organisatrice".into()),
            fresh_codes: vec!["A".repeat(26), "B".repeat(26)],
            expires_at: kept_until,
        })
        .await
        .unwrap();

    let summary = store
        .purge_expired(gone + chrono::Duration::hours(1))
        .await
        .unwrap();
    assert_eq!((summary.registrations, summary.attestations), (2, 0));
    let left = scan(&store).await;
    let mut attestations = Vec::new();
    for item in &left {
        // Nothing of a registration but the name as written survives.
        for value in item.values().filter_map(|v| v.as_s().ok()) {
            for gone in [
                "@example.org",
                "Club de code",
                "Accès en fauteuil",
                "token-",
            ] {
                assert!(!value.contains(gone), "{gone} left in {item:?}");
            }
        }
        if text(item, "kind") == "attestation" {
            let names: BTreeSet<&str> = item.keys().map(String::as_str).collect();
            assert_eq!(
                names,
                BTreeSet::from([
                    "PK",
                    "SK",
                    "kind",
                    "code",
                    "meetup_id",
                    "meetup_title",
                    "meetup_date",
                    "person_name",
                    "person_role",
                    "expires_at",
                ])
            );
            attestations.push((text(item, "person_name"), text(item, "person_role")));
        }
    }
    attestations.sort();
    assert_eq!(
        attestations,
        [
            ("Nolwenn Organisatrice", "organiser"),
            ("Personne 0", "participant")
        ]
    );

    // Past their own retention, nothing of them is left.
    let summary = store
        .purge_expired(kept_until + chrono::Duration::days(1))
        .await
        .unwrap();
    assert_eq!(summary.attestations, 2);
    let left = scan(&store).await;
    assert!(
        left.iter().all(|item| !item.contains_key("expires_at")),
        "{left:?}"
    );
    assert!(left
        .iter()
        .all(|item| ["meetup", "index"].contains(&text(item, "kind"))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_cancellations_promote_each_waiting_person_once_in_order() {
    let store = Arc::new(store_or_skip!("cancel-race"));
    store.put_meetups(&[meetup("vannes", 5)]).await.unwrap();
    let mut outcomes = Vec::new();
    for n in 0..12 {
        outcomes.push(store.register(registration("vannes", n)).await.unwrap());
    }
    // The five confirmed cancel at the same time: their transactions race
    // for the head of the queue and must retry.
    let mut tasks = tokio::task::JoinSet::new();
    for outcome in outcomes.iter().take(5) {
        let store = Arc::clone(&store);
        let token = outcome.token.clone();
        tasks.spawn(async move { store.cancel(&token, at("2026-11-23T08:00:00Z")).await });
    }
    let mut promoted = BTreeSet::new();
    while let Some(result) = tasks.join_next().await {
        match result.unwrap().unwrap() {
            CancelOutcome::Cancelled {
                promoted: Some(person),
                ..
            } => {
                assert_eq!(person.status, RegistrationStatus::Confirmed);
                assert!(promoted.insert(person.email));
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    let expected: BTreeSet<String> = (5..10)
        .map(|n| format!("personne{n}@example.org"))
        .collect();
    assert_eq!(promoted, expected, "the first five waiting, each once");
    let aggregate = store.aggregate("vannes").await.unwrap();
    assert_eq!((aggregate.confirmed, aggregate.waiting), (5, 2));
    let status = store
        .registration_by_token("token-vannes-11")
        .await
        .unwrap()
        .unwrap()
        .status;
    assert_eq!(status, RegistrationStatus::Waiting { position: 2 });
}

#[tokio::test]
async fn a_larger_room_promotes_the_waiting_list_in_order() {
    let store = store_or_skip!("grow");
    store.put_meetups(&[meetup("rennes", 2)]).await.unwrap();
    for n in 0..6 {
        store.register(registration("rennes", n)).await.unwrap();
    }
    store.put_meetups(&[meetup("rennes", 4)]).await.unwrap();
    let registrants = store.registrants("rennes").await.unwrap();
    let statuses: Vec<_> = registrants.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [
            RegistrationStatus::Confirmed,
            RegistrationStatus::Confirmed,
            RegistrationStatus::Confirmed,
            RegistrationStatus::Confirmed,
            RegistrationStatus::Waiting { position: 1 },
            RegistrationStatus::Waiting { position: 2 },
        ]
    );
    // A new arrival queues behind them, not ahead.
    let late = store.register(registration("rennes", 6)).await.unwrap();
    assert_eq!(late.status, RegistrationStatus::Waiting { position: 3 });
}

#[tokio::test]
async fn unknown_meetups_are_refused_without_leaving_a_claim() {
    let store = store_or_skip!("unknown");
    let error = store
        .register(registration("nowhere", 1))
        .await
        .unwrap_err();
    assert!(
        matches!(error, maillage_store::StoreError::UnknownMeetup(ref id) if id == "nowhere"),
        "{error}"
    );
    assert!(scan(&store).await.is_empty());
    // A cancelled person may register again, with a new token.
    store.put_meetups(&[meetup("brest", 1)]).await.unwrap();
    let first = store.register(registration("brest", 1)).await.unwrap();
    store
        .cancel(&first.token, at("2026-11-22T13:00:00Z"))
        .await
        .unwrap();
    let mut again = registration("brest", 1);
    again.token = "token-again".into();
    let second = store.register(again).await.unwrap();
    assert_eq!(second.token, "token-again");
    assert!(!second.already_registered);
    assert_eq!(second.status, RegistrationStatus::Confirmed);
    assert_eq!(
        store
            .cancel(&first.token, at("2026-11-22T14:00:00Z"))
            .await
            .unwrap(),
        CancelOutcome::UnknownToken,
        "the old link no longer points to the registration"
    );
}

/// A purge with little time stops after a page and says so; the next one
/// goes on from where it stopped, until everything expired is gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_purge_out_of_time_goes_on_where_it_stopped() {
    let store = store_or_skip!("purge-resume");
    let mut past = meetup("lannion", 400);
    past.starts_at = at("2026-05-05T09:00:00Z");
    past.ends_at = at("2026-05-05T12:00:00Z");
    store
        .put_meetups(&[past, meetup("paimpol", 10)])
        .await
        .unwrap();
    const EXPIRED: usize = 300;
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..EXPIRED {
        let store = store.clone();
        tasks.spawn(async move {
            let mut new = registration("lannion", n);
            new.registered_at = at("2026-05-01T10:00:00Z");
            new.expires_at = at("2026-08-03T12:00:00Z");
            store.register(new).await.unwrap();
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.unwrap();
    }
    let live = store.register(registration("paimpol", 1)).await.unwrap();

    let now = at("2026-11-22T12:00:00Z");
    let mut runs = 0;
    let mut purged = 0;
    loop {
        runs += 1;
        let progress = store
            .purge_expired_within(now, std::time::Duration::ZERO)
            .await
            .unwrap();
        purged += progress.summary.registrations;
        if progress.complete {
            break;
        }
        assert!(runs < 50, "the purge makes progress");
    }
    assert!(runs > 1, "a page at a time: {runs} runs");
    assert_eq!(purged, EXPIRED as u64);
    let left = scan(&store).await;
    assert!(left.iter().all(|item| !item.contains_key("expires_at")
        || text(item, "kind") == "registration"
        || text(item, "kind") == "token"));
    assert_eq!(
        left.iter()
            .filter(|item| text(item, "kind") == "registration")
            .count(),
        1,
        "the live registration stays"
    );
    assert!(
        left.iter().all(|item| text(item, "kind") != "cursor"),
        "a complete purge leaves no cursor"
    );
    assert_eq!(
        store
            .registration_by_token(&live.token)
            .await
            .unwrap()
            .unwrap()
            .status,
        RegistrationStatus::Confirmed
    );
    let again = store
        .purge_expired_within(now, std::time::Duration::from_secs(10))
        .await
        .unwrap();
    assert!(again.complete);
    assert_eq!(again.summary, Default::default());
}

/// Writes into a meetup item what no store write leaves (as an earlier
/// layout or a hand edit could): `update` on its attributes.
async fn tamper(
    store: &DynamoStore,
    meetup_id: &str,
    update: &str,
    values: &[(&str, AttributeValue)],
) {
    let mut request = store
        .client()
        .update_item()
        .table_name(store.table())
        .key("PK", AttributeValue::S(format!("M#{meetup_id}")))
        .key("SK", AttributeValue::S("META".into()))
        .update_expression(update);
    for (alias, value) in values {
        request = request.expression_attribute_values(*alias, value.clone());
    }
    request.send().await.unwrap();
}

/// A seat held by no registration, and counters that disagree with the
/// lists: the repair frees the seat (the first person waiting gets it) and
/// corrects the counters, once.
#[tokio::test]
async fn a_repair_frees_a_seat_held_by_nobody_and_corrects_counters() {
    let store = store_or_skip!("orphan");
    store.put_meetups(&[meetup("dinan", 2)]).await.unwrap();
    store.register(registration("dinan", 0)).await.unwrap();
    let second = store.register(registration("dinan", 1)).await.unwrap();
    assert_eq!(second.status, RegistrationStatus::Confirmed);
    // The second seat is freed, then taken by a hash with no registration.
    store
        .cancel(&second.token, at("2026-11-22T13:00:00Z"))
        .await
        .unwrap();
    tamper(
        &store,
        "dinan",
        "SET seated.ghost0000000000000000000000000000 = :n, confirmed = confirmed + :one",
        &[
            (":n", AttributeValue::N("99".into())),
            (":one", AttributeValue::N("1".into())),
        ],
    )
    .await;
    let later = store.register(registration("dinan", 2)).await.unwrap();
    assert_eq!(later.status, RegistrationStatus::Waiting { position: 1 });

    let now = at("2026-11-22T14:00:00Z");
    let repaired = store.repair_meetup("dinan", now).await.unwrap();
    assert_eq!(repaired.orphans_removed, 1, "{repaired:?}");
    assert_eq!(repaired.promoted, 1, "{repaired:?}");
    let aggregate = store.aggregate("dinan").await.unwrap();
    assert_eq!((aggregate.confirmed, aggregate.waiting), (2, 0));
    assert_eq!(
        store
            .registration_by_token(&later.token)
            .await
            .unwrap()
            .unwrap()
            .status,
        RegistrationStatus::Confirmed
    );

    // Counters off by hand: set back to the lists' sizes.
    tamper(
        &store,
        "dinan",
        "SET waiting = :three",
        &[(":three", AttributeValue::N("3".into()))],
    )
    .await;
    let repaired = store.repair_meetup("dinan", now).await.unwrap();
    assert!(repaired.counters_fixed, "{repaired:?}");
    let aggregate = store.aggregate("dinan").await.unwrap();
    assert_eq!((aggregate.confirmed, aggregate.waiting), (2, 0));
    assert_eq!(
        store.repair_meetup("dinan", now).await.unwrap(),
        Default::default(),
        "nothing left to mend"
    );
}

/// The scheduled repair, short of time, mends at least one meetup per run
/// and goes on from where it stopped, round the meetups to come.
#[tokio::test]
async fn a_repair_out_of_time_goes_round_the_meetups() {
    let store = store_or_skip!("repair-round");
    let ids = ["r1", "r2", "r3", "r4"];
    let meetups: Vec<_> = ids.iter().map(|id| meetup(id, 3)).collect();
    store.put_meetups(&meetups).await.unwrap();
    for id in ids {
        tamper(
            &store,
            id,
            "SET confirmed = :two",
            &[(":two", AttributeValue::N("2".into()))],
        )
        .await;
    }
    let now = at("2026-11-22T12:00:00Z");
    let mut mended = 0;
    for _ in ids {
        let run = store
            .repair_due(now, std::time::Duration::ZERO)
            .await
            .unwrap();
        assert_eq!(run.meetups, 1, "{run:?}");
        assert!(!run.complete);
        mended += run.repaired;
    }
    assert_eq!(mended, 4, "each meetup once");
    for id in ids {
        assert_eq!(store.aggregate(id).await.unwrap().confirmed, 0, "{id}");
    }
    let run = store
        .repair_due(now, std::time::Duration::from_secs(30))
        .await
        .unwrap();
    assert_eq!((run.meetups, run.repaired, run.complete), (4, 0, true));
}
