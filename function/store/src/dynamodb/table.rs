//! Creating the table: string keys `PK`/`SK`, on-demand billing, TTL on
//! `expires_at`. Used by `maillage sync` and by the tests; in production the
//! deployment template creates the same table.

use std::time::Duration;

use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, KeySchemaElement, KeyType, ScalarAttributeType, TableStatus,
    TimeToLiveSpecification, TimeToLiveStatus,
};
use aws_sdk_dynamodb::Client;

use super::items::{EXPIRES_AT, PK, SK};
use super::retry::backend;
use maillage_model::store::{StoreError, StoreResult};

/// Creates the table unless it exists, waits until it is active, and makes
/// sure TTL deletion is enabled on `expires_at`. Returns whether it created
/// the table.
pub(super) async fn create_if_missing(client: &Client, table: &str) -> StoreResult<bool> {
    let created = match status(client, table).await? {
        Some(_) => false,
        None => create(client, table).await?,
    };
    wait_until_active(client, table).await?;
    enable_ttl(client, table).await?;
    Ok(created)
}

/// The table's status, `None` when it does not exist.
async fn status(client: &Client, table: &str) -> StoreResult<Option<TableStatus>> {
    match client.describe_table().table_name(table).send().await {
        Ok(output) => Ok(Some(
            output
                .table()
                .and_then(|description| description.table_status())
                .cloned()
                .unwrap_or(TableStatus::Active),
        )),
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|service| service.is_resource_not_found_exception()) =>
        {
            Ok(None)
        }
        Err(error) => Err(backend("describing the table", error)),
    }
}

/// Creates the table; false when another process created it first.
async fn create(client: &Client, table: &str) -> StoreResult<bool> {
    let attribute = |name: &str| {
        AttributeDefinition::builder()
            .attribute_name(name)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .map_err(|error| StoreError::caused("describing the table's attributes", error))
    };
    let key = |name: &str, key_type: KeyType| {
        KeySchemaElement::builder()
            .attribute_name(name)
            .key_type(key_type)
            .build()
            .map_err(|error| StoreError::caused("describing the table's key", error))
    };
    let result = client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .attribute_definitions(attribute(PK)?)
        .attribute_definitions(attribute(SK)?)
        .key_schema(key(PK, KeyType::Hash)?)
        .key_schema(key(SK, KeyType::Range)?)
        .send()
        .await;
    match result {
        Ok(_) => Ok(true),
        Err(error)
            if error
                .as_service_error()
                .is_some_and(|service| service.is_resource_in_use_exception()) =>
        {
            Ok(false)
        }
        Err(error) => Err(backend("creating the table", error)),
    }
}

async fn wait_until_active(client: &Client, table: &str) -> StoreResult<()> {
    // A new on-demand table is active within seconds on DynamoDB, at once locally.
    for _ in 0..120 {
        if status(client, table).await? == Some(TableStatus::Active) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    Err(StoreError::backend(format!(
        "table {table} is not active after a minute"
    )))
}

async fn enable_ttl(client: &Client, table: &str) -> StoreResult<()> {
    let current = client
        .describe_time_to_live()
        .table_name(table)
        .send()
        .await
        .map_err(|error| backend("reading the table's TTL", error))?;
    let description = current.time_to_live_description();
    let enabled = description.is_some_and(|ttl| {
        matches!(
            ttl.time_to_live_status(),
            Some(TimeToLiveStatus::Enabled | TimeToLiveStatus::Enabling)
        ) && ttl.attribute_name() == Some(EXPIRES_AT)
    });
    if enabled {
        return Ok(());
    }
    let specification = TimeToLiveSpecification::builder()
        .enabled(true)
        .attribute_name(EXPIRES_AT)
        .build()
        .map_err(|error| StoreError::caused("describing the time to live", error))?;
    client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(specification)
        .send()
        .await
        .map_err(|error| backend("enabling the table's TTL", error))?;
    Ok(())
}
