//! Coalescing rebuild triggers across Lambda instances: one item,
//! `TRIGGER`/`WINDOW`, and conditional writes on it.
//!
//! After a durable write, an instance asks [`DynamoStore::claim_trigger_window`]:
//! the first to ask in a window wins and sends the trigger; the others record
//! that a change is waiting (`pending_since`) and send nothing. Once the
//! window has passed, [`DynamoStore::claim_trailing_trigger`] lets exactly one
//! caller (the next request, or a scheduled call) send the trailing trigger
//! that covers those changes, so the last change is never missed.

use std::time::Duration;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};

use super::items::{self, kind};
use super::retry::{classify, Failure};
use super::{names, values, DynamoStore};
use maillage_model::store::StoreResult;

const TRIGGER_PK: &str = "TRIGGER";
const TRIGGER_SK: &str = "WINDOW";
/// When the last trigger was claimed (epoch milliseconds).
const LAST_SENT: &str = "last_sent_ms";
/// Since when a change waits for a trailing trigger (epoch milliseconds).
const PENDING_SINCE: &str = "pending_since_ms";

impl DynamoStore {
    /// Claims the right to send a rebuild trigger now: true for exactly one
    /// caller per `window`, across every process sharing the table. When it
    /// returns false, the change is recorded as waiting for the trailing
    /// trigger.
    pub async fn claim_trigger_window(
        &self,
        now: DateTime<Utc>,
        window: Duration,
    ) -> StoreResult<bool> {
        if self.claim(now, window, false).await? {
            return Ok(true);
        }
        self.client
            .update_item()
            .table_name(self.table.as_ref())
            .set_key(Some(items::key(TRIGGER_PK, TRIGGER_SK)))
            .update_expression("SET #pending = if_not_exists(#pending, :now), #kind = :kind")
            .set_expression_attribute_names(Some(names([
                ("#pending", PENDING_SINCE),
                ("#kind", items::KIND),
            ])))
            .set_expression_attribute_values(Some(values([
                (":now", items::n(now.timestamp_millis())),
                (":kind", items::s(kind::TRIGGER)),
            ])))
            .send()
            .await
            .map_err(|error| super::retry::backend("recording a pending trigger", error))?;
        Ok(false)
    }

    /// Claims the trailing trigger: true for exactly one caller once a change
    /// is waiting and the window since the last trigger has passed.
    pub async fn claim_trailing_trigger(
        &self,
        now: DateTime<Utc>,
        window: Duration,
    ) -> StoreResult<bool> {
        self.claim(now, window, true).await
    }

    async fn claim(
        &self,
        now: DateTime<Utc>,
        window: Duration,
        only_if_pending: bool,
    ) -> StoreResult<bool> {
        let window_ms = i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
        let now_ms = now.timestamp_millis();
        let window_passed = "(attribute_not_exists(#last) OR #last <= :threshold)";
        let condition = if only_if_pending {
            format!("attribute_exists(#pending) AND {window_passed}")
        } else {
            window_passed.to_string()
        };
        let result = self
            .client
            .update_item()
            .table_name(self.table.as_ref())
            .set_key(Some(items::key(TRIGGER_PK, TRIGGER_SK)))
            .update_expression("SET #last = :now, #kind = :kind REMOVE #pending")
            .condition_expression(condition)
            .set_expression_attribute_names(Some(names([
                ("#last", LAST_SENT),
                ("#pending", PENDING_SINCE),
                ("#kind", items::KIND),
            ])))
            .set_expression_attribute_values(Some(values([
                (":now", AttributeValue::N(now_ms.to_string())),
                (":threshold", items::n(now_ms.saturating_sub(window_ms))),
                (":kind", items::s(kind::TRIGGER)),
            ])))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(error) => match classify("claiming a trigger window", error) {
                Failure::ConditionFailed | Failure::Conflict => Ok(false),
                Failure::Backend(error) => Err(error),
            },
        }
    }
}
