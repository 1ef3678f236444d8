//! Cancelling and promoting: each step is one transaction over the
//! registrations involved, the queue item and the meetup's counters.

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use super::items::{
    self, meta, reg, Counters, Item, RegistrationItem, State, META_SK, REG_PK, REG_SK,
    WAITING_PREFIX,
};
use super::registrations::by_token_item;
use super::repair;
use super::retry::Backoff;
use super::transact::{self, Expressions};
use super::{names, values, DynamoStore};
use maillage_model::store::{CancelOutcome, Registrant, StoreError, StoreResult};

/// How many times a promotion waits for registrations still being recorded
/// (counted in the queue but without their queue item yet) before it goes
/// ahead with the queue items it sees.
const IN_FLIGHT_PATIENCE: u32 = 20;

pub(super) async fn cancel(
    store: &DynamoStore,
    token: &str,
    now: DateTime<Utc>,
) -> StoreResult<CancelOutcome> {
    let _alone = store.gate.transactions.write().await;
    let mut backoff = Backoff::for_conflicts();
    loop {
        let Some((_, registration)) = by_token_item(store, token, now).await? else {
            return Ok(CancelOutcome::UnknownToken);
        };
        let meetup_id = registration.meetup_id.clone();
        let pk = items::meetup_pk(&meetup_id);
        let done = match registration.state {
            State::Cancelled => return Ok(CancelOutcome::AlreadyCancelled { meetup_id }),
            State::Pending => return Ok(CancelOutcome::UnknownToken),
            State::Waiting => leave_queue(store, &pk, &registration, now)
                .await?
                .then_some(None),
            State::Confirmed => free_seat(store, &pk, &registration, now, &backoff).await?,
        };
        match done {
            Some(promoted) => {
                return Ok(CancelOutcome::Cancelled {
                    meetup_id,
                    promoted,
                })
            }
            None => {
                if backoff.attempts() == IN_FLIGHT_PATIENCE {
                    // The queue still does not match its counter: perhaps a
                    // registration died half-way. Mend the meetup, then retry.
                    repair::repair(store, &pk, now).await?;
                }
                backoff.wait("cancelling a registration").await?
            }
        }
    }
}

/// The update that cancels `registration` if it is still in `from` state.
fn cancel_item(
    store: &DynamoStore,
    pk: &str,
    registration: &RegistrationItem,
    from: State,
    now: DateTime<Utc>,
) -> StoreResult<aws_sdk_dynamodb::types::TransactWriteItem> {
    transact::update(
        store,
        items::key(pk, &registration.sk),
        "SET #state = :cancelled, #cancelled_at = :now",
        Some("#state = :from AND #token = :token"),
        Expressions {
            names: names([
                ("#state", reg::STATE),
                ("#cancelled_at", reg::CANCELLED_AT),
                ("#token", reg::TOKEN),
            ]),
            values: values([
                (":cancelled", items::s(State::Cancelled.as_str())),
                (":now", items::timestamp(now)),
                (":from", items::s(from.as_str())),
                (":token", items::s(&registration.token)),
            ]),
        },
    )
}

/// Cancels a waiting registration: it leaves the queue. False on a conflict.
async fn leave_queue(
    store: &DynamoStore,
    pk: &str,
    registration: &RegistrationItem,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let transaction = vec![
        cancel_item(store, pk, registration, State::Waiting, now)?,
        transact::delete(
            store,
            items::key(pk, items::waiting_sk(registration.arrival)),
        )?,
        counters_update(store, pk, "SET #w = #w - :one", "#w >= :one")?,
    ];
    transact::send(store, transaction, "leaving the waiting list").await
}

/// Cancels a confirmed registration: its seat goes to the first person
/// waiting, or back to the pool. `None` on a conflict; otherwise who was
/// promoted.
async fn free_seat(
    store: &DynamoStore,
    pk: &str,
    registration: &RegistrationItem,
    now: DateTime<Utc>,
    backoff: &Backoff,
) -> StoreResult<Option<Option<Registrant>>> {
    let counters = read_counters(store, pk).await?;
    if counters.waiting == 0 {
        let transaction = vec![
            cancel_item(store, pk, registration, State::Confirmed, now)?,
            counters_update(store, pk, "SET #c = #c - :one", "#w = :zero AND #c >= :one")?,
        ];
        let done = transact::send(store, transaction, "freeing a seat").await?;
        return Ok(done.then_some(None));
    }
    let Some(first) = first_waiting(store, pk, counters.waiting, backoff).await? else {
        return Ok(None);
    };
    let transaction = vec![
        cancel_item(store, pk, registration, State::Confirmed, now)?,
        promote_item(store, &first)?,
        transact::delete(store, items::key(pk, items::waiting_sk(first.arrival)))?,
        counters_update(store, pk, "SET #w = #w - :one", "#w >= :one")?,
    ];
    let done = transact::send(store, transaction, "promoting from the waiting list").await?;
    Ok(done.then(|| Some(confirmed(first.registrant(0)))))
}

/// Promotes waiting people in order while seats are free (after the
/// capacity grew).
pub(super) async fn promote_to_capacity(store: &DynamoStore, pk: &str) -> StoreResult<()> {
    let _alone = store.gate.transactions.write().await;
    promote_locked(store, pk).await
}

/// [`promote_to_capacity`], for a caller that holds the transactions gate.
pub(super) async fn promote_locked(store: &DynamoStore, pk: &str) -> StoreResult<()> {
    let mut backoff = Backoff::for_conflicts();
    loop {
        let counters = read_counters(store, pk).await?;
        if counters.confirmed >= counters.seats || counters.waiting == 0 {
            return Ok(());
        }
        let promoted = match first_waiting(store, pk, counters.waiting, &backoff).await? {
            Some(first) => {
                let transaction = vec![
                    promote_item(store, &first)?,
                    transact::delete(store, items::key(pk, items::waiting_sk(first.arrival)))?,
                    counters_update(
                        store,
                        pk,
                        "SET #c = #c + :one, #w = #w - :one",
                        "#c < #seats AND #w >= :one",
                    )?,
                ];
                transact::send(store, transaction, "promoting from the waiting list").await?
            }
            None if backoff.attempts() >= IN_FLIGHT_PATIENCE => return Ok(()),
            None => false,
        };
        if !promoted {
            backoff.wait("promoting from the waiting list").await?;
        }
    }
}

fn confirmed(mut registrant: Registrant) -> Registrant {
    registrant.status = maillage_model::store::RegistrationStatus::Confirmed;
    registrant
}

/// The update that confirms a waiting registration.
fn promote_item(
    store: &DynamoStore,
    first: &RegistrationItem,
) -> StoreResult<aws_sdk_dynamodb::types::TransactWriteItem> {
    transact::update(
        store,
        items::key(items::meetup_pk(&first.meetup_id), &first.sk),
        "SET #state = :confirmed",
        Some("#state = :waiting AND #arrival = :arrival"),
        Expressions {
            names: names([("#state", reg::STATE), ("#arrival", reg::ARRIVAL)]),
            values: values([
                (":confirmed", items::s(State::Confirmed.as_str())),
                (":waiting", items::s(State::Waiting.as_str())),
                (":arrival", items::n(first.arrival)),
            ]),
        },
    )
}

/// An update of the meetup's counters under a condition.
fn counters_update(
    store: &DynamoStore,
    pk: &str,
    update: &str,
    condition: &str,
) -> StoreResult<aws_sdk_dynamodb::types::TransactWriteItem> {
    // DynamoDB refuses names and values an expression does not use.
    let used = |alias: &str| update.contains(alias) || condition.contains(alias);
    let mut expressions = Expressions {
        names: HashMap::new(),
        values: HashMap::new(),
    };
    for (alias, name) in [
        ("#c", meta::CONFIRMED),
        ("#w", meta::WAITING),
        ("#seats", meta::SEATS),
    ] {
        if used(alias) {
            expressions.names.insert(alias.into(), name.into());
        }
    }
    for (alias, value) in [(":one", 1), (":zero", 0)] {
        if used(alias) {
            expressions.values.insert(alias.into(), items::n(value));
        }
    }
    transact::update(
        store,
        items::key(pk, META_SK),
        update,
        Some(condition),
        expressions,
    )
}

async fn read_counters(store: &DynamoStore, pk: &str) -> StoreResult<Counters> {
    let meta = store
        .get(items::key(pk, META_SK))
        .await?
        .ok_or_else(|| StoreError::Backend("a registration's meetup is missing".into()))?;
    Counters::parse(&meta)
}

/// The first person on the waiting list. `None` while registrations counted
/// in the queue are still being recorded (their queue item is not written
/// yet, and one of them may have arrived first), for a little while.
async fn first_waiting(
    store: &DynamoStore,
    pk: &str,
    counted: u32,
    backoff: &Backoff,
) -> StoreResult<Option<RegistrationItem>> {
    let queue = store.query_partition(pk, Some(WAITING_PREFIX)).await?;
    let complete = queue.len() >= counted as usize;
    if !complete && backoff.attempts() < IN_FLIGHT_PATIENCE {
        return Ok(None);
    }
    let Some(head) = queue.first() else {
        return Ok(None);
    };
    let Some(item) = store.get(registration_key(head)?).await? else {
        return Ok(None);
    };
    let first = RegistrationItem::parse(&item)?;
    Ok((first.state == State::Waiting).then_some(first))
}

fn registration_key(queued: &Item) -> StoreResult<Item> {
    Ok(items::key(
        items::get_s(queued, REG_PK)?,
        items::get_s(queued, REG_SK)?,
    ))
}
