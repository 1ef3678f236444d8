//! Deleting expired personal data. DynamoDB's TTL deletes expired items on
//! its own, within days; the purge does it at once (and is the only
//! deletion on servers without TTL), and says what it removed.

use chrono::{DateTime, Utc};

use super::items::{self, kind, Item, EXPIRES_AT};
use super::retry::{backend, classify, Failure};
use super::{names, values, DynamoStore};
use maillage_model::store::{PurgeSummary, StoreResult};

pub(super) async fn purge_expired(
    store: &DynamoStore,
    now: DateTime<Utc>,
) -> StoreResult<PurgeSummary> {
    let _shared = store.gate.transactions.read().await;
    let mut summary = PurgeSummary::default();
    for item in expired_items(store, now).await? {
        let key = items::key(
            items::get_s(&item, items::PK)?,
            items::get_s(&item, items::SK)?,
        );
        if !delete_if_expired(store, key, now).await? {
            continue;
        }
        match items::opt_s(&item, items::KIND) {
            Some(kind::REGISTRATION) => summary.registrations += 1,
            Some(kind::REPORT_PRIVATE) => summary.private_notes += 1,
            _ => {}
        }
    }
    Ok(summary)
}

/// The keys and kinds of every item whose `expires_at` has passed.
async fn expired_items(store: &DynamoStore, now: DateTime<Utc>) -> StoreResult<Vec<Item>> {
    let mut found = Vec::new();
    let mut start: Option<Item> = None;
    loop {
        let output = store
            .client
            .scan()
            .table_name(store.table.as_ref())
            .filter_expression("#expires < :now")
            .projection_expression("#pk, #sk, #kind")
            .set_expression_attribute_names(Some(names([
                ("#expires", EXPIRES_AT),
                ("#pk", items::PK),
                ("#sk", items::SK),
                ("#kind", items::KIND),
            ])))
            .set_expression_attribute_values(Some(values([(":now", items::n(now.timestamp()))])))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|error| backend("listing expired items", error))?;
        found.extend(output.items.unwrap_or_default());
        match output.last_evaluated_key {
            Some(key) if !key.is_empty() => start = Some(key),
            _ => return Ok(found),
        }
    }
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
