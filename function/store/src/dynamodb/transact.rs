//! Building and sending `TransactWriteItems`.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{
    AttributeValue, ConditionCheck, Delete, Put, TransactWriteItem, Update,
};

use super::items::Item;
use super::retry::{classify, random_u64, Failure};
use super::DynamoStore;
use maillage_model::store::{StoreError, StoreResult};

/// Expression names and values of one transaction item.
pub(super) struct Expressions {
    pub names: HashMap<String, String>,
    pub values: HashMap<String, AttributeValue>,
}

fn non_empty<K, V>(map: HashMap<K, V>) -> Option<HashMap<K, V>> {
    (!map.is_empty()).then_some(map)
}

fn built<T>(result: Result<T, aws_sdk_dynamodb::error::BuildError>) -> StoreResult<T> {
    result.map_err(|error| StoreError::caused("building a transaction", error))
}

pub(super) fn update(
    store: &DynamoStore,
    key: Item,
    update_expression: &str,
    condition: Option<&str>,
    expressions: Expressions,
) -> StoreResult<TransactWriteItem> {
    let update = built(
        Update::builder()
            .table_name(store.table.as_ref())
            .set_key(Some(key))
            .update_expression(update_expression)
            .set_condition_expression(condition.map(str::to_string))
            .set_expression_attribute_names(non_empty(expressions.names))
            .set_expression_attribute_values(non_empty(expressions.values))
            .build(),
    )?;
    Ok(TransactWriteItem::builder().update(update).build())
}

pub(super) fn delete(store: &DynamoStore, key: Item) -> StoreResult<TransactWriteItem> {
    let delete = built(
        Delete::builder()
            .table_name(store.table.as_ref())
            .set_key(Some(key))
            .build(),
    )?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}

/// Sends the transaction. `Ok(false)` when it was cancelled (a condition
/// failed or another transaction held an item): re-read and retry.
pub(super) async fn send(
    store: &DynamoStore,
    items: Vec<TransactWriteItem>,
    context: &str,
) -> StoreResult<bool> {
    // The same token on the SDK's own retries makes them idempotent.
    let token = format!("{:016x}{:016x}", random_u64(), random_u64());
    let result = store
        .client
        .transact_write_items()
        .set_transact_items(Some(items))
        .client_request_token(token)
        .send()
        .await;
    match result {
        Ok(_) => Ok(true),
        Err(error) => match classify(context, error) {
            Failure::ConditionFailed | Failure::Conflict => Ok(false),
            Failure::Backend(error) => Err(error),
        },
    }
}

pub(super) fn put(store: &DynamoStore, item: Item) -> StoreResult<TransactWriteItem> {
    let put = built(
        Put::builder()
            .table_name(store.table.as_ref())
            .set_item(Some(item))
            .build(),
    )?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// A put of a new item: refused when an item has its key.
pub(super) fn put_new(store: &DynamoStore, item: Item) -> StoreResult<TransactWriteItem> {
    let put = built(
        Put::builder()
            .table_name(store.table.as_ref())
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", super::items::PK)
            .build(),
    )?;
    Ok(TransactWriteItem::builder().put(put).build())
}

/// A check that the meetup item exists (the meetup was synced).
pub(super) fn meetup_exists(store: &DynamoStore, pk: &str) -> StoreResult<TransactWriteItem> {
    let check = built(
        ConditionCheck::builder()
            .table_name(store.table.as_ref())
            .set_key(Some(super::items::key(pk, super::items::META_SK)))
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", super::items::PK)
            .build(),
    )?;
    Ok(TransactWriteItem::builder().condition_check(check).build())
}

/// A check that the item `key` does not exist.
pub(super) fn check_absent(store: &DynamoStore, key: Item) -> StoreResult<TransactWriteItem> {
    let check = built(
        ConditionCheck::builder()
            .table_name(store.table.as_ref())
            .set_key(Some(key))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", super::items::PK)
            .build(),
    )?;
    Ok(TransactWriteItem::builder().condition_check(check).build())
}
