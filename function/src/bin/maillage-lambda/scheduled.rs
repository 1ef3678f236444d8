//! Scheduled invocations (EventBridge): the rebuild trigger's flush, and the
//! retention purge, the repair and the reminders when the schedule asks for
//! them.
//!
//! An EventBridge rule on a schedule sends
//! `{"detail-type": "Scheduled Event", "source": "aws.events", "detail": {}, ...}`.
//! The template has four: every minute (flush), daily with
//! `"detail": {"purge": true}` (flush, then purge), hourly with
//! `"detail": {"repair": true}` (flush, then repair), and every quarter of an
//! hour with `"detail": {"remind": true}` (flush, then the reminders due).
//!
//! The purge and the repair stop before the invocation's time runs out and
//! leave a cursor in the table: the next run goes on from there.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use maillage_function::handler::Function;
use maillage_function::trigger::RebuildTrigger;
use maillage_store::dynamodb::{DynamoStore, PurgeProgress};
use maillage_store::RepairRun;

/// The `detail-type` EventBridge gives scheduled events.
pub(crate) const SCHEDULED_DETAIL_TYPE: &str = "Scheduled Event";

/// The fields of an EventBridge event this function looks at.
#[derive(Debug, Deserialize)]
pub(crate) struct ScheduledEvent {
    #[serde(rename = "detail-type")]
    pub detail_type: String,
    #[serde(default)]
    pub detail: Detail,
}

/// What the schedule asks for besides the flush.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Detail {
    /// Delete personal data past its retention.
    #[serde(default)]
    pub purge: bool,
    /// Mend what interrupted requests left in meetups to come.
    #[serde(default)]
    pub repair: bool,
    /// Send the reminders that are due.
    #[serde(default)]
    pub remind: bool,
}

impl ScheduledEvent {
    /// The event, if the JSON text is a scheduled EventBridge event.
    pub(crate) fn parse(event: &str) -> Option<ScheduledEvent> {
        serde_json::from_str::<ScheduledEvent>(event)
            .ok()
            .filter(|event| event.detail_type == SCHEDULED_DETAIL_TYPE)
    }
}

/// What a scheduled invocation did, returned as its result (and logged).
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub(crate) struct ScheduledReport {
    /// A rebuild trigger is configured and was flushed (it sends only if a
    /// change is owed and the window has passed).
    pub flushed: bool,
    /// Personal data deleted, when the schedule asked for a purge.
    pub purged: Option<Purged>,
    /// What the repair mended, when the schedule asked for it.
    pub repaired: Option<Repaired>,
    /// Reminders handed to the mail, when the schedule asked for them.
    pub reminded: Option<usize>,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub(crate) struct Purged {
    pub registrations: u64,
    pub private_notes: u64,
    pub attestations: u64,
    /// False when the time ran out first: the next run goes on.
    pub complete: bool,
}

impl From<PurgeProgress> for Purged {
    fn from(progress: PurgeProgress) -> Self {
        Purged {
            registrations: progress.summary.registrations,
            private_notes: progress.summary.private_notes,
            attestations: progress.summary.attestations,
            complete: progress.complete,
        }
    }
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub(crate) struct Repaired {
    /// Meetups to come that were checked.
    pub meetups: u32,
    pub unfinished_removed: u32,
    pub orphans_removed: u32,
    pub promoted: u32,
    pub counters_fixed: bool,
    /// False when the time ran out first: the next run goes on.
    pub complete: bool,
}

impl From<RepairRun> for Repaired {
    fn from(run: RepairRun) -> Self {
        Repaired {
            meetups: run.meetups,
            unfinished_removed: run.total.unfinished_removed,
            orphans_removed: run.total.orphans_removed,
            promoted: run.total.promoted,
            counters_fixed: run.total.counters_fixed,
            complete: run.complete,
        }
    }
}

/// Runs what `event` asks for within `budget` (the invocation's remaining
/// time, less a margin). A purge or a repair that fails is an error, so
/// that Lambda reports it and EventBridge's retry tries again.
pub(crate) async fn run(
    event: &ScheduledEvent,
    trigger: Option<&RebuildTrigger>,
    store: &DynamoStore,
    function: &Function,
    budget: Duration,
) -> Result<ScheduledReport, String> {
    let started = std::time::Instant::now();
    let mut report = ScheduledReport::default();
    if let Some(trigger) = trigger {
        trigger.flush().await;
        report.flushed = true;
    }
    let now = maillage_model::clock::now();
    let left = |share: u32| budget.saturating_sub(started.elapsed()) / share;
    if event.detail.purge {
        let share = if event.detail.repair { 2 } else { 1 };
        let progress = store
            .purge_expired_within(now, left(share))
            .await
            .map_err(|error| format!("retention purge failed: {error}"))?;
        report.purged = Some(progress.into());
    }
    if event.detail.repair {
        let run = store
            .repair_due(now, left(1))
            .await
            .map_err(|error| format!("repair failed: {error}"))?;
        report.repaired = Some(run.into());
    }
    if event.detail.remind {
        let sent = function
            .send_due_reminders(now)
            .await
            .map_err(|error| format!("reminders failed: {error}"))?;
        report.reminded = Some(sent);
    }
    tracing::info!(
        flushed = report.flushed,
        purged_registrations = report.purged.as_ref().map_or(0, |p| p.registrations),
        purged_private_notes = report.purged.as_ref().map_or(0, |p| p.private_notes),
        purged_attestations = report.purged.as_ref().map_or(0, |p| p.attestations),
        purge_complete = report.purged.as_ref().is_none_or(|p| p.complete),
        repaired_meetups = report.repaired.as_ref().map_or(0, |r| r.meetups),
        repair_complete = report.repaired.as_ref().is_none_or(|r| r.complete),
        reminded = report.reminded.unwrap_or(0),
        "scheduled invocation done"
    );
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As EventBridge sends it for a rule with a schedule expression.
    const SCHEDULED: &str = r#"{
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2026-11-22T12:00:00Z",
        "region": "eu-west-3",
        "resources": ["arn:aws:events:eu-west-3:123456789012:rule/maillage-flush"],
        "detail": {}
    }"#;

    #[test]
    fn a_scheduled_event_is_recognised_with_its_detail() {
        let event = ScheduledEvent::parse(SCHEDULED).unwrap();
        assert!(!event.detail.purge && !event.detail.repair);
        let purge = SCHEDULED.replace(r#""detail": {}"#, r#""detail": {"purge": true}"#);
        assert!(ScheduledEvent::parse(&purge).unwrap().detail.purge);
        let repair = SCHEDULED.replace(r#""detail": {}"#, r#""detail": {"repair": true}"#);
        let repair = ScheduledEvent::parse(&repair).unwrap();
        assert!(repair.detail.repair && !repair.detail.purge);
        let remind = SCHEDULED.replace(r#""detail": {}"#, r#""detail": {"remind": true}"#);
        let remind = ScheduledEvent::parse(&remind).unwrap();
        assert!(remind.detail.remind && !remind.detail.repair && !remind.detail.purge);
    }

    #[test]
    fn other_events_are_not_scheduled_ones() {
        let other = SCHEDULED.replace("Scheduled Event", "Object Created");
        assert!(ScheduledEvent::parse(&other).is_none());
        assert!(ScheduledEvent::parse(r#"{"version":"2.0","rawPath":"/api"}"#).is_none());
        assert!(ScheduledEvent::parse("[]").is_none());
    }
}
