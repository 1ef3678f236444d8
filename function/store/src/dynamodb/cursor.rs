//! Where a long job (the purge, the scheduled repair) stopped when its time
//! ran out, so that the next run goes on from there: one small item per
//! job, `CURSOR`/`<job>`, holding a key.

use aws_sdk_dynamodb::types::AttributeValue;

use super::items::{self, kind, Item, CURSOR_PK};
use super::retry::backend;
use super::DynamoStore;
use maillage_model::store::StoreResult;

/// The attribute holding the key the job stopped after.
const AFTER: &str = "after";

/// The key `job` stopped after, if it did not finish.
pub(super) async fn load(store: &DynamoStore, job: &str) -> StoreResult<Option<Item>> {
    let Some(item) = store.get(items::key(CURSOR_PK, job)).await? else {
        return Ok(None);
    };
    Ok(match item.get(AFTER) {
        Some(AttributeValue::M(position)) => Some(position.clone()),
        _ => None,
    })
}

/// Records that `job` stopped after `position`.
pub(super) async fn save(store: &DynamoStore, job: &str, position: &Item) -> StoreResult<()> {
    let mut item = items::key(CURSOR_PK, job);
    item.insert(items::KIND.into(), items::s(kind::CURSOR));
    item.insert(AFTER.into(), AttributeValue::M(position.clone()));
    store.put(item, "saving where a job stopped").await
}

/// Records that `job` finished: the next run starts from the beginning.
pub(super) async fn clear(store: &DynamoStore, job: &str) -> StoreResult<()> {
    store
        .client
        .delete_item()
        .table_name(store.table.as_ref())
        .set_key(Some(items::key(CURSOR_PK, job)))
        .send()
        .await
        .map_err(|error| backend("clearing where a job stopped", error))?;
    Ok(())
}
