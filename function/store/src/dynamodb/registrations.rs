//! Registering, and reading registrations back.
//!
//! A registration is four writes, each of which recognises its own earlier
//! effect, so that a write whose answer was lost can be sent again, and a
//! request that failed half-way can run again from the start:
//!
//! 1. **claim** the email: put the registration item (the person's data and
//!    token) unless one exists. When one does, DynamoDB returns it
//!    (`ReturnValuesOnConditionCheckFailure`): with this request's token, it
//!    is this request's own claim (an earlier attempt whose answer was
//!    lost); otherwise it is another registration of the same email, and its
//!    standing in the meetup item decides: placed, it is the answer
//!    (`already_registered`); ended (cancelled), it is replaced; unplaced
//!    and recent, its request is still running: this one helps it to its
//!    place and answers with it; unplaced and older than
//!    [`PENDING_TIMEOUT`], its request died: it is ended (unless it got a
//!    place meanwhile) and replaced.
//! 2. **token lookup**: the item the cancellation link finds it by.
//! 3. **place** it in the meetup item ([`meetup_item::place`]).
//! 4. note its **arrival** number on it, for the organiser's list order.
//!
//! Only then is the person answered. A claim is never withdrawn: after an
//! error, whether the registration got its place is known only to the
//! meetup item, and the next request for the same email, or the repair,
//! finishes or ends it from there.

use chrono::{DateTime, Duration, Utc};

use super::items::{self, kind, reg, Item, RegistrationItem, EXPIRES_AT, REG_PK, REG_SK, TOKEN_SK};
use super::meetup_item::{self, MeetupState, Standing};
use super::retry::{backend, Backoff};
use super::{names, values, DynamoStore};
use maillage_model::store::{
    NewRegistration, Registrant, RegistrationByToken, RegistrationOutcome, RegistrationStatus,
    StoreError, StoreResult,
};

/// How long a registration may stay without a place before another request
/// for the same email, or the repair, treats its request as dead: well past
/// any request's lifetime (a Lambda invocation of this function is limited
/// to seconds).
pub(super) const PENDING_TIMEOUT: Duration = Duration::seconds(120);

/// How many times a registration that failed half-way runs again.
const RUNS: u32 = 4;

pub(super) async fn register(
    store: &DynamoStore,
    new: NewRegistration,
) -> StoreResult<RegistrationOutcome> {
    let _slot = store
        .gate
        .registrations
        .acquire()
        .await
        .map_err(|_| StoreError::backend("store closed"))?;
    let mut races = Backoff::for_conflicts();
    let mut failures = 0;
    loop {
        match register_once(store, &new).await {
            Ok(Some(outcome)) => return Ok(outcome),
            // Another request for the same email moved meanwhile.
            Ok(None) => races.wait("registering").await?,
            Err(error @ StoreError::Backend { .. }) if failures + 1 < RUNS => {
                failures += 1;
                tracing::warn!(%error, failures, "registration failed half-way; running it again");
                tokio::time::sleep(std::time::Duration::from_millis(50 << failures)).await;
            }
            Err(error) => return Err(error),
        }
    }
}

/// Who this request registers: its own registration, or the one of the
/// same email it found and answers with.
struct Registering {
    token: String,
    already_registered: bool,
    state: MeetupState,
}

/// One run of the four steps. `None` when another request for the same
/// email changed things between two reads: run again.
async fn register_once(
    store: &DynamoStore,
    new: &NewRegistration,
) -> StoreResult<Option<RegistrationOutcome>> {
    let pk = items::meetup_pk(&new.meetup_id);
    let email_hash = items::email_hash(&new.email);
    let sk = items::registration_sk(&email_hash);
    let unknown = || StoreError::UnknownMeetup(new.meetup_id.clone());
    // The counters decide where a new registration goes; a registration
    // placed before (this request's own, its answer lost) or ended is
    // found by the write of step 3, which returns the whole item then.
    let state = meetup_item::read_counters(store, &pk)
        .await?
        .ok_or_else(unknown)?;

    // 1. Claim the email, or find who holds it.
    let Some(registering) = claim(store, new, &pk, &sk, &email_hash, state).await? else {
        return Ok(None);
    };
    let expires_at = items::epoch_seconds(new.expires_at);

    // 2. The token lookup of this request's registration.
    if !registering.already_registered {
        let mut lookup = items::key(items::token_pk(&new.token), TOKEN_SK);
        lookup.insert(items::KIND.into(), items::s(kind::TOKEN));
        lookup.insert(REG_PK.into(), items::s(&pk));
        lookup.insert(REG_SK.into(), items::s(&sk));
        lookup.insert(EXPIRES_AT.into(), items::n(expires_at));
        store
            .client
            .put_item()
            .table_name(store.table.as_ref())
            .set_item(Some(lookup))
            .send()
            .await
            .map_err(|error| backend("recording a token", error))?;
    }

    // 3. Its place.
    let token_hash = items::token_hash(&registering.token);
    let placed = meetup_item::place(
        store,
        &pk,
        &email_hash,
        &token_hash,
        expires_at,
        registering.state,
    )
    .await
    .map_err(|error| match error {
        StoreError::UnknownMeetup(_) => unknown(),
        other => other,
    })?;
    let status = match placed.standing.status() {
        Some(RegistrationStatus::Cancelled) if registering.already_registered => {
            // The registration this request answered with just ended.
            return Ok(None);
        }
        Some(status) => status,
        None => return Ok(None),
    };

    // 4. Its arrival number, when this request gave the place.
    if let Some(arrival) = placed.arrival {
        note_arrival(store, &pk, &sk, &registering.token, arrival).await;
    }
    Ok(Some(RegistrationOutcome {
        status,
        token: registering.token,
        already_registered: registering.already_registered,
    }))
}

/// Step 1. `None` when the item found changed before it could be replaced.
async fn claim(
    store: &DynamoStore,
    new: &NewRegistration,
    pk: &str,
    sk: &str,
    email_hash: &str,
    state: MeetupState,
) -> StoreResult<Option<Registering>> {
    let ours = |state| {
        Some(Registering {
            token: new.token.clone(),
            already_registered: false,
            state,
        })
    };
    let Some(found) = put_registration(store, new, pk, sk, None).await? else {
        return Ok(ours(state));
    };
    let existing = RegistrationItem::parse(&found)?;
    if existing.token == new.token {
        // This request's own claim: an earlier attempt's answer was lost.
        return Ok(ours(state));
    }
    let state = meetup_item::read(store, pk)
        .await?
        .ok_or_else(|| StoreError::UnknownMeetup(new.meetup_id.clone()))?;
    let ended_request = existing.is_expired(new.registered_at)
        || new.registered_at - existing.registered_at > PENDING_TIMEOUT;
    let replaceable = match state.standing(email_hash, &existing.token_hash()) {
        Standing::Confirmed | Standing::Waiting(_) => {
            return Ok(Some(Registering {
                token: existing.token,
                already_registered: true,
                state,
            }))
        }
        Standing::Cancelled => true,
        Standing::Unplaced if ended_request => {
            meetup_item::end_unplaced(store, pk, email_hash, &existing.token_hash(), &state).await?
        }
        // Its request is still running: help it to its place.
        Standing::Unplaced => {
            return Ok(Some(Registering {
                token: existing.token,
                already_registered: true,
                state,
            }))
        }
    };
    if !replaceable {
        return Ok(None);
    }
    // Ended registrations never hold a place again: replacing one is safe.
    match put_registration(store, new, pk, sk, Some(&existing.token)).await? {
        None => Ok(ours(state)),
        Some(_) => Ok(None),
    }
}

/// Puts the registration item, if none exists (`replacing: None`) or if the
/// one there has the token `replacing`. Returns the item in the way, if any.
async fn put_registration(
    store: &DynamoStore,
    new: &NewRegistration,
    pk: &str,
    sk: &str,
    replacing: Option<&str>,
) -> StoreResult<Option<Item>> {
    use aws_sdk_dynamodb::operation::put_item::PutItemError;
    use aws_sdk_dynamodb::types::ReturnValuesOnConditionCheckFailure;

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
    item.insert(
        reg::REGISTERED_AT.into(),
        items::timestamp(new.registered_at),
    );
    item.insert(
        EXPIRES_AT.into(),
        items::n(items::epoch_seconds(new.expires_at)),
    );
    let request = store
        .client
        .put_item()
        .table_name(store.table.as_ref())
        .set_item(Some(item))
        .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
    let request = match replacing {
        None => request
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", items::PK),
        Some(old) => request
            .condition_expression("#token = :old")
            .expression_attribute_names("#token", reg::TOKEN)
            .expression_attribute_values(":old", items::s(old)),
    };
    match request.send().await {
        Ok(_) => Ok(None),
        Err(error) => match error.as_service_error() {
            Some(PutItemError::ConditionalCheckFailedException(refused)) => {
                Ok(Some(refused.item().cloned().unwrap_or_default()))
            }
            _ => Err(backend("claiming a registration", error)),
        },
    }
}

/// Step 4, best effort: the organiser's list falls back on the time of
/// registration for the order.
async fn note_arrival(store: &DynamoStore, pk: &str, sk: &str, token: &str, arrival: u64) {
    let result = store
        .client
        .update_item()
        .table_name(store.table.as_ref())
        .set_key(Some(items::key(pk, sk)))
        .update_expression("SET #arrival = if_not_exists(#arrival, :arrival)")
        .condition_expression("#token = :token")
        .set_expression_attribute_names(Some(names([
            ("#arrival", reg::ARRIVAL),
            ("#token", reg::TOKEN),
        ])))
        .set_expression_attribute_values(Some(values([
            (":arrival", items::n(arrival)),
            (":token", items::s(token)),
        ])))
        .send()
        .await;
    if let Err(error) = result {
        tracing::debug!(error = %backend("noting an arrival", error), "arrival not noted");
    }
}

/// The live registration a token names: the registration item, if it still
/// has this token and has not expired.
pub(super) async fn by_token_item(
    store: &DynamoStore,
    token: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<RegistrationItem>> {
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
    if registration.token != token || registration.is_expired(now) {
        return Ok(None);
    }
    Ok(Some(registration))
}

pub(super) async fn by_token(
    store: &DynamoStore,
    token: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<RegistrationByToken>> {
    let Some(registration) = by_token_item(store, token, now).await? else {
        return Ok(None);
    };
    let pk = items::meetup_pk(&registration.meetup_id);
    let Some(state) = meetup_item::read(store, &pk).await? else {
        return Ok(None);
    };
    let standing = state.standing(registration.email_hash(), &registration.token_hash());
    Ok(standing.status().map(|status| RegistrationByToken {
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
    Ok(live_registrations(store, meetup_id, now)
        .await?
        .iter()
        .map(|(registration, status)| registration.registrant(*status))
        .collect())
}

/// The meetup's live registrations that hold a place (or ended), with
/// where each stands, in arrival order.
pub(super) async fn live_registrations(
    store: &DynamoStore,
    meetup_id: &str,
    now: DateTime<Utc>,
) -> StoreResult<Vec<(RegistrationItem, RegistrationStatus)>> {
    let pk = items::meetup_pk(meetup_id);
    let Some(state) = meetup_item::read(store, &pk).await? else {
        return Ok(Vec::new());
    };
    let found = store
        .query_partition(&pk, Some(items::REGISTRATION_PREFIX))
        .await?;
    let mut listed = Vec::with_capacity(found.len());
    for item in &found {
        let registration = RegistrationItem::parse(item)?;
        if registration.is_expired(now) {
            continue;
        }
        let standing = state.standing(registration.email_hash(), &registration.token_hash());
        if let Some(status) = standing.status() {
            listed.push((registration, status));
        }
    }
    // Arrival order; a registration whose number was not noted goes by its time.
    listed.sort_by_key(|(registration, _)| {
        (
            registration.arrival.unwrap_or(u64::MAX),
            registration.registered_at,
        )
    });
    Ok(listed)
}
