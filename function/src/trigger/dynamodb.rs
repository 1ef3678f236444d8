//! The DynamoDB store as a [`Coalescer`]: its `TRIGGER` item, shared by
//! every Lambda instance on the table.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use super::Coalescer;
use maillage_store::dynamodb::DynamoStore;
use maillage_store::StoreResult;

#[async_trait]
impl Coalescer for DynamoStore {
    async fn claim_window(&self, now: DateTime<Utc>, window: Duration) -> StoreResult<bool> {
        self.claim_trigger_window(now, window).await
    }

    async fn claim_trailing(&self, now: DateTime<Utc>, window: Duration) -> StoreResult<bool> {
        self.claim_trailing_trigger(now, window).await
    }

    async fn delivered(&self, claimed_at: DateTime<Utc>) -> StoreResult<()> {
        self.trigger_delivered(claimed_at).await
    }
}
