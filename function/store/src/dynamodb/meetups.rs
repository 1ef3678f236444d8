//! Meetup definitions, their counters and the public aggregates.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::ReturnValue;
use tokio::task::JoinSet;

use super::items::{self, kind, meta, Item, INDEX_PK, META_SK, REPORT_SK};
use super::meetup_item::{self, MeetupState};
use super::retry::backend;
use super::{names, values, DynamoStore};
use maillage_model::meetup::{LiveAggregates, MeetupAggregate, MeetupDefinition};
use maillage_model::store::{StoreError, StoreResult};

/// How many meetups `put_meetups` writes at once.
const SYNC_CONCURRENCY: usize = 16;

pub(super) async fn put_meetups(
    store: &DynamoStore,
    meetups: &[MeetupDefinition],
) -> StoreResult<()> {
    let mut tasks = JoinSet::new();
    for definition in meetups {
        if tasks.len() >= SYNC_CONCURRENCY {
            join_one(&mut tasks).await?;
        }
        let store = store.clone();
        let definition = definition.clone();
        tasks.spawn(async move { put_meetup(&store, &definition).await });
    }
    while !tasks.is_empty() {
        join_one(&mut tasks).await?;
    }
    Ok(())
}

async fn join_one(tasks: &mut JoinSet<StoreResult<()>>) -> StoreResult<()> {
    match tasks.join_next().await {
        Some(Ok(result)) => result,
        Some(Err(error)) => Err(StoreError::backend(format!("sync task failed: {error}"))),
        None => Ok(()),
    }
}

/// Writes one definition, keeping who holds the seats and who waits, then
/// promotes waiting people if the capacity grew.
async fn put_meetup(store: &DynamoStore, definition: &MeetupDefinition) -> StoreResult<()> {
    let pk = items::meetup_pk(&definition.id);
    let output = store
        .client
        .update_item()
        .table_name(store.table.as_ref())
        .set_key(Some(items::key(&pk, META_SK)))
        .update_expression(
            "SET #def = :def, #seats = :seats, #kind = :kind, \
             #c = if_not_exists(#c, :zero), #w = if_not_exists(#w, :zero), \
             #a = if_not_exists(#a, :zero), #seated = if_not_exists(#seated, :empty)",
        )
        .set_expression_attribute_names(Some(names([
            ("#def", meta::DEFINITION),
            ("#seats", meta::SEATS),
            ("#kind", items::KIND),
            ("#c", meta::CONFIRMED),
            ("#w", meta::WAITING),
            ("#a", meta::ARRIVALS),
            ("#seated", meta::SEATED),
        ])))
        .set_expression_attribute_values(Some(values([
            (":def", items::s(items::definition_json(definition)?)),
            (":seats", items::n(definition.capacity)),
            (":kind", items::s(kind::MEETUP)),
            (":zero", items::n(0)),
            (
                ":empty",
                aws_sdk_dynamodb::types::AttributeValue::M(HashMap::new()),
            ),
        ])))
        .return_values(ReturnValue::AllNew)
        .send()
        .await
        .map_err(|error| backend("writing a meetup", error))?;
    store
        .put(index_item(&definition.id), "indexing a meetup")
        .await?;
    let state = MeetupState::parse(&output.attributes.unwrap_or_default())?;
    meetup_item::promote_to_capacity(store, &pk, state).await?;
    Ok(())
}

fn index_item(meetup_id: &str) -> Item {
    let mut item = items::key(INDEX_PK, meetup_id);
    item.insert(items::KIND.into(), items::s(kind::INDEX));
    item
}

pub(super) async fn meetup(store: &DynamoStore, id: &str) -> StoreResult<Option<MeetupDefinition>> {
    match store.get(items::key(items::meetup_pk(id), META_SK)).await? {
        Some(item) => items::parse_definition(&item).map(Some),
        None => Ok(None),
    }
}

/// The ids of every synced meetup, in id order.
pub(super) async fn meetup_ids(store: &DynamoStore) -> StoreResult<Vec<String>> {
    let index = store.query_partition(INDEX_PK, None).await?;
    index
        .iter()
        .map(|item| items::get_s(item, items::SK).map(str::to_string))
        .collect()
}

pub(super) async fn meetups(store: &DynamoStore) -> StoreResult<Vec<MeetupDefinition>> {
    let ids = meetup_ids(store).await?;
    let keys = ids
        .iter()
        .map(|id| items::key(items::meetup_pk(id), META_SK))
        .collect();
    let mut by_id: HashMap<String, MeetupDefinition> = HashMap::new();
    for item in store.batch_get(keys).await? {
        let definition = items::parse_definition(&item)?;
        by_id.insert(definition.id.clone(), definition);
    }
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

pub(super) async fn aggregate(
    store: &DynamoStore,
    meetup_id: &str,
) -> StoreResult<MeetupAggregate> {
    let pk = items::meetup_pk(meetup_id);
    let meta = store
        .get(items::key(&pk, META_SK))
        .await?
        .ok_or_else(|| StoreError::UnknownMeetup(meetup_id.to_string()))?;
    let report = store.get(items::key(&pk, REPORT_SK)).await?;
    aggregate_of(&meta, report.as_ref())
}

fn aggregate_of(meta: &Item, report: Option<&Item>) -> StoreResult<MeetupAggregate> {
    Ok(MeetupAggregate {
        confirmed: items::get_u32(meta, meta::CONFIRMED)?,
        waiting: items::get_u32(meta, meta::WAITING)?,
        report: report.map(items::parse_public_report).transpose()?,
        cancelled: items::is_cancelled(meta),
    })
}

pub(super) async fn aggregates(store: &DynamoStore) -> StoreResult<LiveAggregates> {
    let ids = meetup_ids(store).await?;
    let mut keys = Vec::with_capacity(ids.len() * 2);
    for id in &ids {
        let pk = items::meetup_pk(id);
        keys.push(items::key(&pk, META_SK));
        keys.push(items::key(&pk, REPORT_SK));
    }
    let mut metas: HashMap<String, Item> = HashMap::new();
    let mut reports: HashMap<String, Item> = HashMap::new();
    for item in store.batch_get(keys).await? {
        let pk = items::get_s(&item, items::PK)?.to_string();
        if items::get_s(&item, items::SK)? == META_SK {
            metas.insert(pk, item);
        } else {
            reports.insert(pk, item);
        }
    }
    let mut live = LiveAggregates::default();
    for id in ids {
        let pk = items::meetup_pk(&id);
        if let Some(meta) = metas.get(&pk) {
            let aggregate = aggregate_of(meta, reports.get(&pk))?;
            live.meetups.insert(id, aggregate);
        }
    }
    Ok(live)
}
