//! Putting a meetup's counters and queue back in line with its registrations
//! after a process died in the middle of a registration.
//!
//! A registration claims the email (`pending`), updates the counters, writes
//! its queue item, then its final state. A crash between the counter update
//! and the final state leaves a seat or queue place counted for nobody, and
//! perhaps a queue item pointing at a claim that will never complete. Such a
//! claim is recognisable once it is older than [`PENDING_TIMEOUT`]: no live
//! request lasts that long. The repair removes stale claims and orphan queue
//! items, recounts, and promotes waiting people into seats that turned out
//! free. It runs when a registration meets a stale claim, when a cancellation
//! finds the head of the queue broken, and on demand.

use std::collections::HashSet;

use chrono::{DateTime, Utc};

use super::items::{
    self, meta, reg, Item, RegistrationItem, State, META_SK, REGISTRATION_PREFIX, REG_SK,
    WAITING_PREFIX,
};
use super::registrations::PENDING_TIMEOUT;
use super::retry::{classify, Failure};
use super::{cancel, names, values, DynamoStore};
use maillage_model::store::StoreResult;

/// What a repair found and did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Repair {
    /// Stale pending claims removed (people who were never answered).
    pub stale_claims: u32,
    /// Queue items removed because no waiting registration matched them.
    pub orphan_queue_items: u32,
    /// Whether the counters were corrected.
    pub counters_fixed: bool,
}

impl DynamoStore {
    /// Repairs one meetup's counters and queue after an interrupted
    /// registration (see the module's description). Does nothing while a
    /// registration is in progress, or for a meetup that has ended (its
    /// registrations may have been purged, its counters are history).
    pub async fn repair_meetup(&self, meetup_id: &str, now: DateTime<Utc>) -> StoreResult<Repair> {
        let _alone = self.gate.transactions.write().await;
        repair(self, &items::meetup_pk(meetup_id), now).await
    }
}

/// The repair itself; the caller holds the transactions gate exclusively, so
/// none of this process's registrations is half-way through.
pub(super) async fn repair(
    store: &DynamoStore,
    pk: &str,
    now: DateTime<Utc>,
) -> StoreResult<Repair> {
    let mut done = Repair::default();
    let Some(meta) = store.get(items::key(pk, META_SK)).await? else {
        return Ok(done);
    };
    if items::parse_definition(&meta)?.ends_at < now {
        return Ok(done);
    }
    let registrations: Vec<RegistrationItem> = store
        .query_partition(pk, Some(REGISTRATION_PREFIX))
        .await?
        .iter()
        .map(RegistrationItem::parse)
        .collect::<StoreResult<_>>()?;
    let in_flight = registrations.iter().any(|registration| {
        registration.state == State::Pending
            && registration
                .claimed_at
                .is_none_or(|claimed_at| now - claimed_at <= PENDING_TIMEOUT)
    });
    if in_flight {
        return Ok(done);
    }

    for stale in registrations.iter().filter(|r| r.state == State::Pending) {
        if delete_claim(store, pk, stale).await? {
            done.stale_claims += 1;
        }
    }
    let waiting: HashSet<(String, u64)> = registrations
        .iter()
        .filter(|r| r.state == State::Waiting)
        .map(|r| (r.sk.clone(), r.arrival))
        .collect();
    for queued in store.query_partition(pk, Some(WAITING_PREFIX)).await? {
        if !queue_item_matches(&queued, &waiting)? {
            delete(store, &queued).await?;
            done.orphan_queue_items += 1;
        }
    }

    let confirmed = count(&registrations, State::Confirmed);
    let waiting = count(&registrations, State::Waiting);
    let seats = items::get_n(&meta, meta::SEATS)?;
    let (old_confirmed, old_waiting) = (
        items::get_n(&meta, meta::CONFIRMED)?,
        items::get_n(&meta, meta::WAITING)?,
    );
    if (confirmed, waiting) != (old_confirmed, old_waiting) {
        done.counters_fixed = set_counters(store, pk, &meta, confirmed, waiting).await?;
    }
    if done.counters_fixed && confirmed < seats && waiting > 0 {
        cancel::promote_locked(store, pk).await?;
    }
    Ok(done)
}

fn count(registrations: &[RegistrationItem], state: State) -> i64 {
    registrations.iter().filter(|r| r.state == state).count() as i64
}

fn queue_item_matches(queued: &Item, waiting: &HashSet<(String, u64)>) -> StoreResult<bool> {
    let arrival = items::get_s(queued, items::SK)?
        .strip_prefix(WAITING_PREFIX)
        .and_then(|digits| digits.parse::<u64>().ok())
        .unwrap_or(0);
    let registration = items::get_s(queued, REG_SK)?.to_string();
    Ok(waiting.contains(&(registration, arrival)))
}

/// Sets the counters, unless anything moved them since `meta` was read.
async fn set_counters(
    store: &DynamoStore,
    pk: &str,
    meta: &Item,
    confirmed: i64,
    waiting: i64,
) -> StoreResult<bool> {
    let result = store
        .client
        .update_item()
        .table_name(store.table.as_ref())
        .set_key(Some(items::key(pk, META_SK)))
        .update_expression("SET #c = :c, #w = :w")
        .condition_expression("#c = :old_c AND #w = :old_w AND #a = :old_a")
        .set_expression_attribute_names(Some(names([
            ("#c", meta::CONFIRMED),
            ("#w", meta::WAITING),
            ("#a", meta::ARRIVALS),
        ])))
        .set_expression_attribute_values(Some(values([
            (":c", items::n(confirmed)),
            (":w", items::n(waiting)),
            (":old_c", items::n(items::get_n(meta, meta::CONFIRMED)?)),
            (":old_w", items::n(items::get_n(meta, meta::WAITING)?)),
            (":old_a", items::n(items::get_n(meta, meta::ARRIVALS)?)),
        ])))
        .send()
        .await;
    match result {
        Ok(_) => Ok(true),
        Err(error) => match classify("repairing counters", error) {
            Failure::ConditionFailed | Failure::Conflict => Ok(false),
            Failure::Backend(error) => Err(error),
        },
    }
}

/// Deletes a stale claim, unless it was taken over meanwhile.
async fn delete_claim(
    store: &DynamoStore,
    pk: &str,
    stale: &RegistrationItem,
) -> StoreResult<bool> {
    let Some(claim) = &stale.claim else {
        return Ok(false);
    };
    let result = store
        .client
        .delete_item()
        .table_name(store.table.as_ref())
        .set_key(Some(items::key(pk, &stale.sk)))
        .condition_expression("#state = :pending AND #claim = :claim")
        .set_expression_attribute_names(Some(names([
            ("#state", reg::STATE),
            ("#claim", reg::CLAIM),
        ])))
        .set_expression_attribute_values(Some(values([
            (":pending", items::s(State::Pending.as_str())),
            (":claim", items::s(claim)),
        ])))
        .send()
        .await;
    match result {
        Ok(_) => Ok(true),
        Err(error) => match classify("removing a stale claim", error) {
            Failure::ConditionFailed | Failure::Conflict => Ok(false),
            Failure::Backend(error) => Err(error),
        },
    }
}

async fn delete(store: &DynamoStore, item: &Item) -> StoreResult<()> {
    store
        .client
        .delete_item()
        .table_name(store.table.as_ref())
        .set_key(Some(items::key(
            items::get_s(item, items::PK)?,
            items::get_s(item, items::SK)?,
        )))
        .send()
        .await
        .map_err(|error| super::retry::backend("removing an orphan queue item", error))?;
    Ok(())
}
