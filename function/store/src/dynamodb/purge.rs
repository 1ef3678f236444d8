//! Deleting expired personal data. DynamoDB's TTL deletes expired items on
//! its own, within days; the purge does it at once (and is the only
//! deletion on servers without TTL), and says what it removed.
//!
//! It scans the table a page at a time and deletes each page's expired
//! items before reading the next, so that it makes progress however large
//! the table, and it can stop when its time runs out
//! ([`DynamoStore::purge_expired_within`]): it saves where it stopped and
//! the next run goes on from there.
//!
//! - Token lookups (and queue items of an earlier layout) are deleted in
//!   batches (`BatchWriteItem`, 25 keys a request): their keys hold a hash
//!   of a random token, so no live item can ever take the place of an
//!   expired one.
//! - Registrations and private report notes can be written again under the
//!   same key (the same email registering anew, a report corrected), so
//!   each is deleted under the condition that it is still expired.
//! - Attestations expire later than registrations (their own retention),
//!   each deleted under the same condition, as is the organiser's code.
//! - The meetup items' hashes of emails and tokens (who holds a seat, who
//!   waits, who cancelled) are removed once their registrations have
//!   expired; the public counters stay.

use std::time::{Duration, Instant};

use aws_sdk_dynamodb::types::{AttributeValue, DeleteRequest, WriteRequest};
use chrono::{DateTime, Utc};
use tokio::task::JoinSet;

use super::items::{self, kind, meta, Item, EXPIRES_AT};
use super::retry::{backend, classify, Backoff, Failure};
use super::{cursor, names, values, DynamoStore};
use maillage_model::store::{PurgeCutoffs, PurgeSummary, StoreError, StoreResult};

/// Items read per page: deleted before the next page is read.
const PAGE: i32 = 250;
/// Conditional deletes in flight at once.
const CONCURRENCY: usize = 16;
/// Keys per `BatchWriteItem` request (DynamoDB's limit).
const BATCH: usize = 25;
/// The cursor a purge that ran out of time leaves for the next one.
const CURSOR: &str = "purge";

/// How far a purge got.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PurgeProgress {
    pub summary: PurgeSummary,
    /// The whole table was scanned: nothing expired before `now` is left.
    pub complete: bool,
}

impl DynamoStore {
    /// Purges for at most about `budget` (the page under way is finished),
    /// starting where the previous budgeted purge stopped.
    pub async fn purge_expired_within(
        &self,
        now: DateTime<Utc>,
        budget: Duration,
    ) -> StoreResult<PurgeProgress> {
        let start = cursor::load(self, CURSOR).await?;
        let cutoffs = PurgeCutoffs::at(now);
        let progress = purge(self, cutoffs, start, Some(Instant::now() + budget)).await?;
        if progress.complete {
            cursor::clear(self, CURSOR).await?;
        }
        Ok(progress)
    }
}

/// The whole table, from its start.
pub(super) async fn purge_expired(
    store: &DynamoStore,
    cutoffs: PurgeCutoffs,
) -> StoreResult<PurgeSummary> {
    Ok(purge(store, cutoffs, None, None).await?.summary)
}

async fn purge(
    store: &DynamoStore,
    cutoffs: PurgeCutoffs,
    mut start: Option<Item>,
    deadline: Option<Instant>,
) -> StoreResult<PurgeProgress> {
    let mut progress = PurgeProgress::default();
    // The scan lists what either cutoff may reach; each item is then
    // deleted against its own.
    let latest = cutoffs.personal.max(cutoffs.attestations);
    loop {
        let output = store
            .client
            .scan()
            .table_name(store.table.as_ref())
            .filter_expression("#expires < :now OR #lists < :now")
            .projection_expression("#pk, #sk, #kind, #expires")
            .set_expression_attribute_names(Some(names([
                ("#expires", EXPIRES_AT),
                ("#lists", meta::LISTS_EXPIRE_AT),
                ("#pk", items::PK),
                ("#sk", items::SK),
                ("#kind", items::KIND),
            ])))
            .set_expression_attribute_values(Some(values([(":now", items::n(latest.timestamp()))])))
            .limit(PAGE)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|error| backend("listing expired items", error))?;
        let page = purge_page(store, cutoffs, output.items.unwrap_or_default()).await?;
        progress.summary.registrations += page.registrations;
        progress.summary.private_notes += page.private_notes;
        progress.summary.attestations += page.attestations;
        progress.summary.proposals += page.proposals;
        match output.last_evaluated_key {
            Some(key) if !key.is_empty() => {
                if deadline.is_some_and(|deadline| Instant::now() >= deadline) {
                    cursor::save(store, CURSOR, &key).await?;
                    return Ok(progress);
                }
                start = Some(key);
            }
            _ => {
                progress.complete = true;
                return Ok(progress);
            }
        }
    }
}

/// Deletes one page's expired items.
async fn purge_page(
    store: &DynamoStore,
    cutoffs: PurgeCutoffs,
    found: Vec<Item>,
) -> StoreResult<PurgeSummary> {
    let mut summary = PurgeSummary::default();
    let mut batched = Vec::new();
    let mut conditional = JoinSet::new();
    for item in found {
        let key = items::key(
            items::get_s(&item, items::PK)?,
            items::get_s(&item, items::SK)?,
        );
        match items::opt_s(&item, items::KIND) {
            // Unconditional deletes: only what the personal cutoff reaches.
            Some(kind::TOKEN) | Some(kind::WAITING_LEGACY) => {
                if items::opt_n(&item, EXPIRES_AT)
                    .is_none_or(|expires| expires < cutoffs.personal.timestamp())
                {
                    batched.push(key)
                }
            }
            Some(kind::MEETUP) => clear_lists(store, key, cutoffs.personal).await?,
            kind => {
                let counted = kind.map(str::to_string);
                let now = match kind {
                    Some(kind::ATTESTATION | kind::ORGANISER) => cutoffs.attestations,
                    _ => cutoffs.personal,
                };
                if conditional.len() >= CONCURRENCY {
                    add(&mut summary, conditional.join_next().await)?;
                }
                let store = store.clone();
                conditional.spawn(async move {
                    let deleted = delete_if_expired(&store, key, now).await?;
                    Ok::<_, StoreError>((counted, deleted))
                });
            }
        }
    }
    while !conditional.is_empty() {
        add(&mut summary, conditional.join_next().await)?;
    }
    for chunk in batched.chunks(BATCH) {
        delete_batch(store, chunk).await?;
    }
    Ok(summary)
}

type Deleted = Result<(Option<String>, bool), StoreError>;

fn add(
    summary: &mut PurgeSummary,
    joined: Option<Result<Deleted, tokio::task::JoinError>>,
) -> StoreResult<()> {
    let Some(joined) = joined else {
        return Ok(());
    };
    let (kind, deleted) =
        joined.map_err(|error| StoreError::caused("a purge task failed", error))??;
    if deleted {
        match kind.as_deref() {
            Some(kind::REGISTRATION) => summary.registrations += 1,
            Some(kind::REPORT_PRIVATE) => summary.private_notes += 1,
            Some(kind::ATTESTATION) => summary.attestations += 1,
            Some(kind::PROPOSAL) => summary.proposals += 1,
            _ => {}
        }
    }
    Ok(())
}

/// Deletes keys whose items cannot come back, retrying those DynamoDB
/// leaves unprocessed under load.
async fn delete_batch(store: &DynamoStore, keys: &[Item]) -> StoreResult<()> {
    let mut pending: Vec<WriteRequest> = keys
        .iter()
        .map(|key| {
            DeleteRequest::builder()
                .set_key(Some(key.clone()))
                .build()
                .map(|delete| WriteRequest::builder().delete_request(delete).build())
                .map_err(|error| StoreError::caused("building a batch", error))
        })
        .collect::<StoreResult<_>>()?;
    let mut backoff = Backoff::for_conflicts();
    while !pending.is_empty() {
        let output = store
            .client
            .batch_write_item()
            .request_items(store.table.as_ref(), pending)
            .send()
            .await
            .map_err(|error| backend("deleting expired items", error))?;
        pending = output
            .unprocessed_items
            .and_then(|mut unprocessed| unprocessed.remove(store.table.as_ref()))
            .unwrap_or_default();
        if !pending.is_empty() {
            backoff.wait("deleting expired items").await?;
        }
    }
    Ok(())
}

/// Deletes an item unless it was replaced by a live one since the scan.
async fn delete_if_expired(
    store: &DynamoStore,
    key: Item,
    now: DateTime<Utc>,
) -> StoreResult<bool> {
    let result = store
        .client
        .delete_item()
        .table_name(store.table.as_ref())
        .set_key(Some(key))
        .condition_expression("#expires < :now")
        .expression_attribute_names("#expires", EXPIRES_AT)
        .expression_attribute_values(":now", items::n(now.timestamp()))
        .send()
        .await;
    match result {
        Ok(_) => Ok(true),
        Err(error) => match classify("deleting an expired item", error) {
            Failure::ConditionFailed | Failure::Conflict => Ok(false),
            Failure::Backend(error) => Err(error),
        },
    }
}

/// Removes a meetup item's lists of hashes once they have expired; the
/// counters (public figures) stay.
async fn clear_lists(store: &DynamoStore, key: Item, now: DateTime<Utc>) -> StoreResult<()> {
    let result = store
        .client
        .update_item()
        .table_name(store.table.as_ref())
        .set_key(Some(key))
        .update_expression("SET #seated = :none REMOVE #queue, #cancelled, #ended_by, #lists")
        .condition_expression("#lists < :now")
        .set_expression_attribute_names(Some(names([
            ("#seated", meta::SEATED),
            ("#queue", meta::QUEUE),
            ("#cancelled", meta::CANCELLED),
            ("#ended_by", meta::ENDED_BY),
            ("#lists", meta::LISTS_EXPIRE_AT),
        ])))
        .set_expression_attribute_values(Some(values([
            (":now", items::n(now.timestamp())),
            (":none", AttributeValue::M(Default::default())),
        ])))
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(error) => match classify("clearing a meetup's lists", error) {
            Failure::ConditionFailed | Failure::Conflict => Ok(()),
            Failure::Backend(error) => Err(error),
        },
    }
}
