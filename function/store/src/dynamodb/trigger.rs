//! Coalescing rebuild triggers across Lambda instances: one item,
//! `TRIGGER`/`WINDOW`, and conditional writes on it.
//!
//! After a durable write, an instance asks [`DynamoStore::claim_trigger_window`]:
//! the first to ask in a window wins and sends the trigger; the others record
//! that a change is waiting (`pending_ms`, the latest such change) and send
//! nothing. Once the window has passed, [`DynamoStore::claim_trailing_trigger`]
//! lets exactly one caller (the next request, or a scheduled call) send the
//! trailing trigger that covers those changes, so the last change is never
//! missed.
//!
//! A claim leaves the change waiting: only [`DynamoStore::trigger_delivered`],
//! called once the trigger was delivered, clears what it covered. An
//! instance that dies while delivering thus leaves the trigger owed, and the
//! next claim after the window sends it.

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
/// The latest change waiting for a trigger (epoch milliseconds).
const PENDING: &str = "pending_ms";

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
        // Keep the latest change: a trigger delivered before it does not
        // cover it.
        let result = self
            .client
            .update_item()
            .table_name(self.table.as_ref())
            .set_key(Some(items::key(TRIGGER_PK, TRIGGER_SK)))
            .update_expression("SET #pending = :now, #kind = :kind")
            .condition_expression("attribute_not_exists(#pending) OR #pending < :now")
            .set_expression_attribute_names(Some(names([
                ("#pending", PENDING),
                ("#kind", items::KIND),
            ])))
            .set_expression_attribute_values(Some(values([
                (":now", items::n(now.timestamp_millis())),
                (":kind", items::s(kind::TRIGGER)),
            ])))
            .send()
            .await;
        match result {
            Ok(_) => Ok(false),
            Err(error) => match classify("recording a pending trigger", error) {
                // A later change is recorded already.
                Failure::ConditionFailed | Failure::Conflict => Ok(false),
                Failure::Backend(error) => Err(error),
            },
        }
    }

    /// Records that the trigger claimed at `claimed_at` was delivered: the
    /// changes it covers (those recorded up to then) no longer wait. Later
    /// ones still do.
    pub async fn trigger_delivered(&self, claimed_at: DateTime<Utc>) -> StoreResult<()> {
        let result = self
            .client
            .update_item()
            .table_name(self.table.as_ref())
            .set_key(Some(items::key(TRIGGER_PK, TRIGGER_SK)))
            .update_expression("REMOVE #pending")
            .condition_expression("#pending <= :claimed")
            .expression_attribute_names("#pending", PENDING)
            .expression_attribute_values(":claimed", items::n(claimed_at.timestamp_millis()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(error) => match classify("recording a delivered trigger", error) {
                Failure::ConditionFailed | Failure::Conflict => Ok(()),
                Failure::Backend(error) => Err(error),
            },
        }
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
            // What waits stays recorded until the delivery is confirmed.
            .update_expression(
                "SET #last = :now, #kind = :kind, #pending = if_not_exists(#pending, :now)",
            )
            .condition_expression(condition)
            .set_expression_attribute_names(Some(names([
                ("#last", LAST_SENT),
                ("#pending", PENDING),
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
