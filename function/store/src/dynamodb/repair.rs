//! Mending what interrupted requests leave behind.
//!
//! Since every place lives in the meetup item and changes in one write, a
//! request that dies leaves no miscount and no half-moved queue. What it
//! may leave:
//!
//! - a **registration without a place** (its request died between the
//!   claim and the place): it holds nothing, but it is a person's data for
//!   a registration that never happened. Once older than [`PENDING_TIMEOUT`]
//!   it is ended in the meetup item (a conditional write that fails if it
//!   got a place meanwhile; once ended, its token can never take one), then
//!   its items are deleted under the condition that they still hold that
//!   token;
//! - **seats owed to the waiting list**, if a capacity increase was
//!   interrupted: promoted in order.
//!
//! The repair also checks what the store's writes make impossible, for
//! tables written by hand or by an earlier layout: counters that differ from
//! the lists (set to the lists' lengths, under the condition that the lists
//! did not change), and places held by no registration item (freed, in a
//! transaction that checks the item is still missing).
//!
//! Each step reads, then writes under a condition tying it to what it read;
//! a refused write is read again and retried. It runs on a schedule, by
//! `maillage repair`, and leaves meetups that have ended alone (their
//! registrations may already be purged, their counters are history).

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use tokio::task::JoinSet;

use super::items::{
    self, reg, Item, RegistrationItem, META_SK, REGISTRATION_PREFIX, REG_PK, REG_SK, TOKEN_SK,
};
use super::meetup_item::{self, MeetupState, Standing};
use super::registrations::PENDING_TIMEOUT;
use super::retry::{classify, Backoff, Failure};
use super::transact::{self, Expressions};
use super::{cursor, meetups, names, values, DynamoStore};
use maillage_model::store::{RepairRun, RepairSummary, StoreResult};

/// How many meetups a scheduled repair mends at once.
const CONCURRENCY: usize = 8;
/// The cursor a repair that ran out of time leaves for the next one.
const CURSOR: &str = "repair";

impl DynamoStore {
    /// Repairs one meetup (see the module's description).
    pub async fn repair_meetup(
        &self,
        meetup_id: &str,
        now: DateTime<Utc>,
    ) -> StoreResult<RepairSummary> {
        repair(self, &items::meetup_pk(meetup_id), now).await
    }

    /// Repairs every meetup that has not ended, in id order, until
    /// `budget` is spent; the next call goes on from where this one
    /// stopped (a cursor item in the table).
    pub async fn repair_due(&self, now: DateTime<Utc>, budget: Duration) -> StoreResult<RepairRun> {
        let deadline = Instant::now() + budget;
        let after = cursor::load(self, CURSOR)
            .await?
            .and_then(|position| items::opt_s(&position, items::SK).map(str::to_string));
        let mut due: Vec<String> = meetups::meetups(self)
            .await?
            .into_iter()
            .filter(|meetup| meetup.ends_at >= now)
            .map(|meetup| meetup.id)
            .collect();
        due.sort();
        // Resume after the cursor, then wrap around to those before it.
        let split = after
            .as_deref()
            .map_or(0, |after| due.partition_point(|id| id.as_str() <= after));
        due.rotate_left(split);

        let mut run = RepairRun::default();
        let mut tasks = JoinSet::new();
        let mut ids = due.into_iter().peekable();
        // The last meetup started: every one started is finished below.
        let mut last_started: Option<String> = None;
        loop {
            // At least one meetup per run, however short the time.
            while tasks.len() < CONCURRENCY && (last_started.is_none() || Instant::now() < deadline)
            {
                let Some(id) = ids.next() else { break };
                last_started = Some(id.clone());
                let store = self.clone();
                tasks.spawn(async move { store.repair_meetup(&id, now).await });
            }
            let Some(joined) = tasks.join_next().await else {
                break;
            };
            let summary = joined.map_err(|error| {
                maillage_model::store::StoreError::backend(format!("a repair task failed: {error}"))
            })?;
            run.add(&summary?);
        }
        run.complete = ids.peek().is_none();
        match (&last_started, run.complete) {
            (Some(last), false) => {
                cursor::save(self, CURSOR, &items::key(items::INDEX_PK, last)).await?
            }
            _ => cursor::clear(self, CURSOR).await?,
        }
        Ok(run)
    }
}

pub(super) async fn repair(
    store: &DynamoStore,
    pk: &str,
    now: DateTime<Utc>,
) -> StoreResult<RepairSummary> {
    let mut done = RepairSummary::default();
    let Some(meta) = store.get(items::key(pk, META_SK)).await? else {
        return Ok(done);
    };
    if items::parse_definition(&meta)?.ends_at < now {
        return Ok(done);
    }
    let state = MeetupState::parse(&meta)?;
    let registrations: Vec<RegistrationItem> = store
        .query_partition(pk, Some(REGISTRATION_PREFIX))
        .await?
        .iter()
        .map(RegistrationItem::parse)
        .collect::<StoreResult<_>>()?;

    // Registrations whose request died before their place.
    for registration in &registrations {
        let token_hash = registration.token_hash();
        let unplaced = state.standing(registration.email_hash(), &token_hash) == Standing::Unplaced;
        if !unplaced || now - registration.registered_at <= PENDING_TIMEOUT {
            continue;
        }
        // Read afresh: the write is refused if any place was given since.
        let Some(latest) = meetup_item::read(store, pk).await? else {
            return Ok(done);
        };
        if meetup_item::end_unplaced(store, pk, registration.email_hash(), &token_hash, &latest)
            .await?
        {
            delete_ended(store, pk, registration).await?;
            done.unfinished_removed += 1;
        }
    }

    // Places held by no registration item.
    let mut known: HashSet<String> = registrations
        .iter()
        .map(|registration| registration.email_hash().to_string())
        .collect();
    let mut backoff = Backoff::for_conflicts();
    loop {
        let Some(state) = meetup_item::read(store, pk).await? else {
            return Ok(done);
        };
        let Some(hash) = state
            .placed()
            .find(|hash| !known.contains(*hash))
            .map(str::to_string)
        else {
            break;
        };
        // Most often the place's registration was made since the repair
        // read them: a plain read finds it, where the transaction alone,
        // though as right, would cost a refused write to learn it.
        let registration = items::key(pk, items::registration_sk(&hash));
        if store.get(registration).await?.is_some() {
            known.insert(hash);
            continue;
        }
        if free_orphan(store, pk, &state, &hash).await? {
            done.orphans_removed += 1;
        } else {
            // The place moved, or its registration appeared, meanwhile.
            backoff.wait("freeing a place held by nobody").await?;
        }
    }

    // Counters, and seats owed to the waiting list.
    let Some(state) = meetup_item::read(store, pk).await? else {
        return Ok(done);
    };
    done.counters_fixed = meetup_item::fix_counters(store, pk, &state).await?;
    let state = match done.counters_fixed {
        true => meetup_item::read(store, pk).await?.unwrap_or(state),
        false => state,
    };
    done.promoted = meetup_item::promote_to_capacity(store, pk, state)
        .await?
        .len() as u32;
    if done != RepairSummary::default() {
        tracing::info!(
            unfinished_removed = done.unfinished_removed,
            orphans_removed = done.orphans_removed,
            counters_fixed = done.counters_fixed,
            promoted = done.promoted,
            "meetup repaired"
        );
    }
    Ok(done)
}

/// Frees the place `hash` holds in `state`, if it still holds it and no
/// registration item with that hash exists (one made since the repair read
/// them would own the place). False when either changed.
async fn free_orphan(
    store: &DynamoStore,
    pk: &str,
    state: &MeetupState,
    hash: &str,
) -> StoreResult<bool> {
    let mut names = HashMap::from([("#h".to_string(), hash.to_string())]);
    let mut values = HashMap::from([(":one".to_string(), items::n(1))]);
    let (expression, condition) = match state.arrival(hash) {
        Some(_) if state.seated.contains_key(hash) => {
            names.insert("#seated".into(), items::meta::SEATED.into());
            names.insert("#c".into(), items::meta::CONFIRMED.into());
            (
                "REMOVE #seated.#h SET #c = #c - :one",
                "attribute_exists(#seated.#h)",
            )
        }
        Some(arrival) => {
            let member = format!("{arrival:010}:{hash}");
            names.remove("#h");
            names.insert("#queue".into(), items::meta::QUEUE.into());
            names.insert("#w".into(), items::meta::WAITING.into());
            values.insert(
                ":member".into(),
                aws_sdk_dynamodb::types::AttributeValue::Ss(vec![member.clone()]),
            );
            values.insert(":member_name".into(), items::s(member));
            (
                "DELETE #queue :member SET #w = #w - :one",
                "contains(#queue, :member_name)",
            )
        }
        None => return Ok(false),
    };
    let transaction = vec![
        transact::update(
            store,
            items::key(pk, META_SK),
            expression,
            Some(condition),
            Expressions { names, values },
        )?,
        transact::check_absent(store, items::key(pk, items::registration_sk(hash)))?,
    ];
    let freed = transact::send(store, transaction, "freeing a place held by nobody").await?;
    if freed {
        tracing::warn!("a place held by no registration was freed");
    }
    Ok(freed)
}

/// Deletes the items of a registration that was just ended unplaced: its
/// registration item, if it still has that token, and its token lookup.
async fn delete_ended(
    store: &DynamoStore,
    pk: &str,
    registration: &RegistrationItem,
) -> StoreResult<()> {
    delete_if(
        store,
        items::key(pk, &registration.sk),
        "#token = :token",
        names([("#token", reg::TOKEN)]),
        values([(":token", items::s(&registration.token))]),
    )
    .await?;
    delete_if(
        store,
        items::key(items::token_pk(&registration.token), TOKEN_SK),
        "attribute_not_exists(#pk) OR (#reg_pk = :pk AND #reg_sk = :sk)",
        names([("#pk", items::PK), ("#reg_pk", REG_PK), ("#reg_sk", REG_SK)]),
        values([(":pk", items::s(pk)), (":sk", items::s(&registration.sk))]),
    )
    .await
}

async fn delete_if(
    store: &DynamoStore,
    key: Item,
    condition: &str,
    names: HashMap<String, String>,
    values: HashMap<String, aws_sdk_dynamodb::types::AttributeValue>,
) -> StoreResult<()> {
    let result = store
        .client
        .delete_item()
        .table_name(store.table.as_ref())
        .set_key(Some(key))
        .condition_expression(condition)
        .set_expression_attribute_names(Some(names))
        .set_expression_attribute_values(Some(values))
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(error) => match classify("deleting an unfinished registration", error) {
            // Replaced meanwhile by a registration of its own: keep it.
            Failure::ConditionFailed | Failure::Conflict => Ok(()),
            Failure::Backend(error) => Err(error),
        },
    }
}
