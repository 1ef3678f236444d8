//! Registering (claim the email, take a seat or a queue place, record), and
//! reading registrations back.
//!
//! A registration is three steps, each a single-item conditional write:
//!
//! 1. **claim** the email: put the registration item as `pending` unless
//!    one exists (a cancelled or expired one may be replaced);
//! 2. **place** it: one conditional `UpdateItem` on the meetup's counters
//!    takes a seat or a waiting-list place and returns the arrival number
//!    and the position;
//! 3. **record**: the queue item (when waiting), the token lookup item, then
//!    the registration's final state. Only then is the person answered.
//!
//! A request that dies between 2 and 3 leaves a pending claim and a counted
//! place nobody holds; the same email retried after [`PENDING_TIMEOUT`]
//! takes the claim over. Nothing acknowledged is ever lost: a person is only
//! answered once step 3 is durable.

use aws_sdk_dynamodb::types::{ReturnValue, Select};
use chrono::{DateTime, Duration, Utc};

use super::items::{
    self, kind, meta, reg, Item, RegistrationItem, State, EXPIRES_AT, META_SK, REG_PK, REG_SK,
    TOKEN_SK, WAITING_PREFIX,
};
use super::retry::{backend, classify, random_u64, Backoff, Failure};
use super::{names, repair, values, DynamoStore};
use maillage_model::store::{
    NewRegistration, Registrant, RegistrationByToken, RegistrationOutcome, RegistrationStatus,
    StoreError, StoreResult,
};

/// How long a claim may stay pending before another request for the same
/// email may take it over: well past any request's lifetime (a Lambda
/// invocation of this function is limited to seconds).
pub(super) const PENDING_TIMEOUT: Duration = Duration::seconds(120);

/// Where the counters put a new registration.
#[derive(Debug, Clone, Copy)]
enum Placement {
    Confirmed { arrival: u64 },
    Waiting { arrival: u64, position: u32 },
}

impl Placement {
    fn arrival(self) -> u64 {
        match self {
            Placement::Confirmed { arrival } | Placement::Waiting { arrival, .. } => arrival,
        }
    }

    fn state(self) -> State {
        match self {
            Placement::Confirmed { .. } => State::Confirmed,
            Placement::Waiting { .. } => State::Waiting,
        }
    }

    fn status(self) -> RegistrationStatus {
        match self {
            Placement::Confirmed { .. } => RegistrationStatus::Confirmed,
            Placement::Waiting { position, .. } => RegistrationStatus::Waiting { position },
        }
    }
}

pub(super) async fn register(
    store: &DynamoStore,
    new: NewRegistration,
) -> StoreResult<RegistrationOutcome> {
    let mut repaired = false;
    loop {
        let attempt = {
            let _slot = store
                .gate
                .registrations
                .acquire()
                .await
                .map_err(|_| StoreError::Backend("store closed".into()))?;
            let _shared = store.gate.transactions.read().await;
            register_once(store, &new, repaired).await?
        };
        match attempt {
            Attempt::Done(outcome) => return Ok(outcome),
            Attempt::Repair => {
                // A claim on this email is stale: its request died. Mend the
                // meetup (which removes the claim), then register again.
                let _alone = store.gate.transactions.write().await;
                repair::repair(store, &items::meetup_pk(&new.meetup_id), new.registered_at).await?;
                repaired = true;
            }
        }
    }
}

/// How one attempt at registering ended.
enum Attempt {
    Done(RegistrationOutcome),
    /// A stale claim is in the way: repair the meetup first.
    Repair,
}

async fn register_once(
    store: &DynamoStore,
    new: &NewRegistration,
    repaired: bool,
) -> StoreResult<Attempt> {
    let pk = items::meetup_pk(&new.meetup_id);
    let sk = items::registration_sk(&new.email);
    let now = new.registered_at;
    let claim = format!("{:016x}{:016x}", random_u64(), random_u64());

    // 1. Claim the email, or answer with the registration that holds it.
    let mut replacing: Option<String> = None;
    let mut backoff = Backoff::for_conflicts();
    loop {
        if put_claim(store, &pk, &sk, new, &claim, replacing.as_deref()).await? {
            break;
        }
        let Some(item) = store.get(items::key(&pk, &sk)).await? else {
            continue; // Deleted meanwhile (a failed attempt withdrew): claim again.
        };
        let existing = RegistrationItem::parse(&item)?;
        match existing.state {
            State::Confirmed | State::Waiting if !items::is_expired(&item, now) => {
                return existing_outcome(store, &pk, &existing, now)
                    .await
                    .map(Attempt::Done);
            }
            State::Pending if is_stale(&existing, now) && !repaired => return Ok(Attempt::Repair),
            State::Pending if is_stale(&existing, now) => replacing = existing.claim,
            // Another request for the same email is deciding: wait for its answer.
            State::Pending => {
                backoff
                    .wait("waiting for a concurrent registration")
                    .await?
            }
            // Cancelled or expired: the next put replaces it.
            _ => {
                replacing = None;
                backoff.wait("replacing a registration").await?;
            }
        }
    }

    // 2. Take a seat or a waiting-list place.
    let placement = match place(store, &pk).await {
        Ok(placement) => placement,
        Err(error) => {
            withdraw_claim(store, &pk, &sk, &claim).await;
            return Err(match error {
                StoreError::UnknownMeetup(_) => StoreError::UnknownMeetup(new.meetup_id.clone()),
                other => other,
            });
        }
    };

    // 3. Record it; the final state is written last.
    let expires_at = items::n(items::epoch_seconds(new.expires_at));
    if let Placement::Waiting { arrival, .. } = placement {
        let mut queued = items::key(&pk, items::waiting_sk(arrival));
        queued.insert(items::KIND.into(), items::s(kind::WAITING));
        queued.insert(REG_PK.into(), items::s(&pk));
        queued.insert(REG_SK.into(), items::s(&sk));
        queued.insert(EXPIRES_AT.into(), expires_at.clone());
        put(store, queued, "queueing a registration").await?;
    }
    let mut lookup = items::key(items::token_pk(&new.token), TOKEN_SK);
    lookup.insert(items::KIND.into(), items::s(kind::TOKEN));
    lookup.insert(REG_PK.into(), items::s(&pk));
    lookup.insert(REG_SK.into(), items::s(&sk));
    lookup.insert(EXPIRES_AT.into(), expires_at);
    put(store, lookup, "recording a token").await?;
    store
        .client
        .update_item()
        .table_name(store.table.as_ref())
        .set_key(Some(items::key(&pk, &sk)))
        .update_expression("SET #state = :state, #arrival = :arrival REMOVE #claim, #claimed_at")
        .condition_expression("#claim = :claim")
        .set_expression_attribute_names(Some(names([
            ("#state", reg::STATE),
            ("#arrival", reg::ARRIVAL),
            ("#claim", reg::CLAIM),
            ("#claimed_at", reg::CLAIMED_AT),
        ])))
        .set_expression_attribute_values(Some(values([
            (":state", items::s(placement.state().as_str())),
            (":arrival", items::n(placement.arrival())),
            (":claim", items::s(&claim)),
        ])))
        .send()
        .await
        .map_err(|error| {
            classify("recording a registration", error).into_error("recording a registration")
        })?;

    Ok(Attempt::Done(RegistrationOutcome {
        status: placement.status(),
        token: new.token.clone(),
        already_registered: false,
    }))
}

/// Puts the pending registration item. `replacing` is the claim of a stale
/// pending item to take over. Returns false when another item is in the way.
async fn put_claim(
    store: &DynamoStore,
    pk: &str,
    sk: &str,
    new: &NewRegistration,
    claim: &str,
    replacing: Option<&str>,
) -> StoreResult<bool> {
    let mut item = items::key(pk, sk);
    item.insert(items::KIND.into(), items::s(kind::REGISTRATION));
    item.insert(reg::MEETUP_ID.into(), items::s(&new.meetup_id));
    item.insert(reg::NAME.into(), items::s(&new.name));
    item.insert(reg::EMAIL.into(), items::s(&new.email));
    item.insert(reg::ROLE.into(), items::s(items::role_name(new.role)));
    if let Some(structure) = &new.structure {
        item.insert(reg::STRUCTURE.into(), items::s(structure));
    }
    if let Some(need) = &new.need {
        item.insert(reg::NEED.into(), items::s(need));
    }
    item.insert(reg::TOKEN.into(), items::s(&new.token));
    item.insert(reg::STATE.into(), items::s(State::Pending.as_str()));
    item.insert(
        reg::REGISTERED_AT.into(),
        items::timestamp(new.registered_at),
    );
    item.insert(reg::CLAIM.into(), items::s(claim));
    item.insert(reg::CLAIMED_AT.into(), items::timestamp(new.registered_at));
    item.insert(
        EXPIRES_AT.into(),
        items::n(items::epoch_seconds(new.expires_at)),
    );
    let request = store
        .client
        .put_item()
        .table_name(store.table.as_ref())
        .set_item(Some(item));
    let request = match replacing {
        Some(old) => request
            .condition_expression("#state = :pending AND #claim = :old")
            .set_expression_attribute_names(Some(names([
                ("#state", reg::STATE),
                ("#claim", reg::CLAIM),
            ])))
            .set_expression_attribute_values(Some(values([
                (":pending", items::s(State::Pending.as_str())),
                (":old", items::s(old)),
            ]))),
        None => request
            .condition_expression(
                "attribute_not_exists(#pk) OR #state = :cancelled OR #expires < :now",
            )
            .set_expression_attribute_names(Some(names([
                ("#pk", items::PK),
                ("#state", reg::STATE),
                ("#expires", EXPIRES_AT),
            ])))
            .set_expression_attribute_values(Some(values([
                (":cancelled", items::s(State::Cancelled.as_str())),
                (":now", items::n(new.registered_at.timestamp())),
            ]))),
    };
    match request.send().await {
        Ok(_) => Ok(true),
        Err(error) => match classify("claiming a registration", error) {
            Failure::ConditionFailed | Failure::Conflict => Ok(false),
            Failure::Backend(error) => Err(error),
        },
    }
}

fn is_stale(existing: &RegistrationItem, now: DateTime<Utc>) -> bool {
    existing
        .claimed_at
        .is_some_and(|claimed_at| now - claimed_at > PENDING_TIMEOUT)
}

/// Removes our pending claim after a failure, so the person can try again
/// at once. Best effort: a leftover claim goes stale and is taken over.
async fn withdraw_claim(store: &DynamoStore, pk: &str, sk: &str, claim: &str) {
    let result = store
        .client
        .delete_item()
        .table_name(store.table.as_ref())
        .set_key(Some(items::key(pk, sk)))
        .condition_expression("#claim = :claim")
        .expression_attribute_names("#claim", reg::CLAIM)
        .expression_attribute_values(":claim", items::s(claim))
        .send()
        .await;
    if let Err(error) = result {
        tracing::warn!(error = %backend("withdrawing a claim", error), "claim left pending");
    }
}

/// Takes a seat if one is free and nobody waits, else a waiting-list place
/// if the meetup is full or somebody waits. The two conditions are
/// complementary, so one of them holds unless another writer moved the
/// counters in between: then re-read and try again.
async fn place(store: &DynamoStore, pk: &str) -> StoreResult<Placement> {
    let mut backoff = Backoff::for_conflicts();
    loop {
        let one_at_a_time = store.gate.counters(pk).lock().await;
        let seat = bump(
            store,
            pk,
            "SET #c = #c + :one, #a = #a + :one",
            "attribute_exists(#pk) AND #c < #seats AND #w = :zero",
        )
        .await?;
        if let Some(counters) = seat {
            return Ok(Placement::Confirmed {
                arrival: counter(&counters, meta::ARRIVALS)?,
            });
        }
        let queue = bump(
            store,
            pk,
            "SET #w = #w + :one, #a = #a + :one",
            "attribute_exists(#pk) AND (#c >= #seats OR #w > :zero)",
        )
        .await?;
        if let Some(counters) = queue {
            return Ok(Placement::Waiting {
                arrival: counter(&counters, meta::ARRIVALS)?,
                position: u32::try_from(counter(&counters, meta::WAITING)?).unwrap_or(u32::MAX),
            });
        }
        drop(one_at_a_time);
        if store.get(items::key(pk, META_SK)).await?.is_none() {
            return Err(StoreError::UnknownMeetup(String::new()));
        }
        backoff.wait("taking a seat").await?;
    }
}

/// One conditional update of the counters; `None` when the condition failed.
async fn bump(
    store: &DynamoStore,
    pk: &str,
    update: &str,
    condition: &str,
) -> StoreResult<Option<Item>> {
    let result = store
        .client
        .update_item()
        .table_name(store.table.as_ref())
        .set_key(Some(items::key(pk, META_SK)))
        .update_expression(update)
        .condition_expression(condition)
        .set_expression_attribute_names(Some(names([
            ("#pk", items::PK),
            ("#c", meta::CONFIRMED),
            ("#w", meta::WAITING),
            ("#a", meta::ARRIVALS),
            ("#seats", meta::SEATS),
        ])))
        .set_expression_attribute_values(Some(values([
            (":one", items::n(1)),
            (":zero", items::n(0)),
        ])))
        .return_values(ReturnValue::UpdatedNew)
        .send()
        .await;
    match result {
        Ok(output) => Ok(Some(output.attributes.unwrap_or_default())),
        Err(error) => match classify("taking a seat", error) {
            Failure::ConditionFailed | Failure::Conflict => Ok(None),
            Failure::Backend(error) => Err(error),
        },
    }
}

fn counter(item: &Item, name: &str) -> StoreResult<u64> {
    u64::try_from(items::get_n(item, name)?)
        .map_err(|_| StoreError::Backend(format!("negative counter {name}")))
}

async fn put(store: &DynamoStore, item: Item, context: &str) -> StoreResult<()> {
    store
        .client
        .put_item()
        .table_name(store.table.as_ref())
        .set_item(Some(item))
        .send()
        .await
        .map_err(|error| backend(context, error))?;
    Ok(())
}

/// The answer for an email that was already registered.
async fn existing_outcome(
    store: &DynamoStore,
    pk: &str,
    existing: &RegistrationItem,
    now: DateTime<Utc>,
) -> StoreResult<RegistrationOutcome> {
    Ok(RegistrationOutcome {
        status: current_status(store, pk, existing, now).await?,
        token: existing.token.clone(),
        already_registered: true,
    })
}

/// A registration's status, with its current waiting-list position.
async fn current_status(
    store: &DynamoStore,
    pk: &str,
    registration: &RegistrationItem,
    now: DateTime<Utc>,
) -> StoreResult<RegistrationStatus> {
    let position = match registration.state {
        State::Waiting => position(store, pk, registration.arrival, now).await?,
        _ => 0,
    };
    Ok(registration.status(position))
}

/// 1 + the number of live queue items that arrived before `arrival`.
pub(super) async fn position(
    store: &DynamoStore,
    pk: &str,
    arrival: u64,
    now: DateTime<Utc>,
) -> StoreResult<u32> {
    let mut ahead: u32 = 0;
    let mut start: Option<Item> = None;
    loop {
        let output = store
            .client
            .query()
            .table_name(store.table.as_ref())
            .key_condition_expression("#pk = :pk AND #sk BETWEEN :first AND :before")
            .filter_expression("attribute_not_exists(#expires) OR #expires >= :now")
            .set_expression_attribute_names(Some(names([
                ("#pk", items::PK),
                ("#sk", items::SK),
                ("#expires", EXPIRES_AT),
            ])))
            .set_expression_attribute_values(Some(values([
                (":pk", items::s(pk)),
                (":first", items::s(WAITING_PREFIX)),
                (
                    ":before",
                    items::s(items::waiting_sk(arrival.saturating_sub(1))),
                ),
                (":now", items::n(now.timestamp())),
            ])))
            .select(Select::Count)
            .consistent_read(true)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|error| backend("counting the waiting list", error))?;
        ahead = ahead.saturating_add(u32::try_from(output.count).unwrap_or(0));
        match output.last_evaluated_key {
            Some(key) if !key.is_empty() => start = Some(key),
            _ => return Ok(ahead + 1),
        }
    }
}

/// The live registration an item of the token lookup points to.
pub(super) async fn by_token_item(
    store: &DynamoStore,
    token: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<(Item, RegistrationItem)>> {
    let Some(lookup) = store
        .get(items::key(items::token_pk(token), TOKEN_SK))
        .await?
    else {
        return Ok(None);
    };
    if items::is_expired(&lookup, now) {
        return Ok(None);
    }
    let key = items::key(
        items::get_s(&lookup, REG_PK)?,
        items::get_s(&lookup, REG_SK)?,
    );
    let Some(item) = store.get(key).await? else {
        return Ok(None);
    };
    let registration = RegistrationItem::parse(&item)?;
    // The email may have registered again after a cancellation, with a new token.
    if registration.token != token
        || registration.state == State::Pending
        || items::is_expired(&item, now)
    {
        return Ok(None);
    }
    Ok(Some((item, registration)))
}

pub(super) async fn by_token(
    store: &DynamoStore,
    token: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<RegistrationByToken>> {
    let Some((_, registration)) = by_token_item(store, token, now).await? else {
        return Ok(None);
    };
    let pk = items::meetup_pk(&registration.meetup_id);
    let status = current_status(store, &pk, &registration, now).await?;
    Ok(Some(RegistrationByToken {
        meetup_id: registration.meetup_id,
        name: registration.name,
        status,
    }))
}

pub(super) async fn registrants(
    store: &DynamoStore,
    meetup_id: &str,
    now: DateTime<Utc>,
) -> StoreResult<Vec<Registrant>> {
    let pk = items::meetup_pk(meetup_id);
    let found = store
        .query_partition(&pk, Some(items::REGISTRATION_PREFIX))
        .await?;
    let mut live = Vec::with_capacity(found.len());
    for item in &found {
        if items::is_expired(item, now) {
            continue;
        }
        let registration = RegistrationItem::parse(item)?;
        if registration.state != State::Pending {
            live.push(registration);
        }
    }
    live.sort_by_key(|registration| registration.arrival);
    let mut waiting_ahead = 0;
    Ok(live
        .iter()
        .map(|registration| {
            if registration.state == State::Waiting {
                waiting_ahead += 1;
            }
            registration.registrant(waiting_ahead)
        })
        .collect())
}
