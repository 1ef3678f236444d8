//! Scheduled invocations (EventBridge): the rebuild trigger's flush, and the
//! retention purge when the schedule asks for it.
//!
//! An EventBridge rule on a schedule sends
//! `{"detail-type": "Scheduled Event", "source": "aws.events", "detail": {}, ...}`.
//! The template has two: every minute (flush), and daily with
//! `"detail": {"purge": true}` (flush, then purge).

use serde::{Deserialize, Serialize};

use maillage_function::store::{PurgeSummary, Store};
use maillage_function::trigger::RebuildTrigger;

/// The `detail-type` EventBridge gives scheduled events.
pub const SCHEDULED_DETAIL_TYPE: &str = "Scheduled Event";

/// The fields of an EventBridge event this function looks at.
#[derive(Debug, Deserialize)]
pub struct ScheduledEvent {
    #[serde(rename = "detail-type")]
    pub detail_type: String,
    #[serde(default)]
    pub detail: Detail,
}

/// What the schedule asks for besides the flush.
#[derive(Debug, Default, Deserialize)]
pub struct Detail {
    /// Delete personal data past its retention.
    #[serde(default)]
    pub purge: bool,
}

impl ScheduledEvent {
    /// The event, if the JSON text is a scheduled EventBridge event.
    pub fn parse(event: &str) -> Option<ScheduledEvent> {
        serde_json::from_str::<ScheduledEvent>(event)
            .ok()
            .filter(|event| event.detail_type == SCHEDULED_DETAIL_TYPE)
    }
}

/// What a scheduled invocation did, returned as its result (and logged).
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct ScheduledReport {
    /// A rebuild trigger is configured and was flushed (it sends only if a
    /// change is owed and the window has passed).
    pub flushed: bool,
    /// Personal data deleted, when the schedule asked for a purge.
    pub purged: Option<Purged>,
}

#[derive(Debug, Serialize, PartialEq, Eq)]
pub struct Purged {
    pub registrations: u64,
    pub private_notes: u64,
}

impl From<PurgeSummary> for Purged {
    fn from(summary: PurgeSummary) -> Self {
        Purged {
            registrations: summary.registrations,
            private_notes: summary.private_notes,
        }
    }
}

/// Runs what `event` asks for. A purge that fails is an error, so that
/// Lambda reports it and EventBridge's retry tries again.
pub async fn run(
    event: &ScheduledEvent,
    trigger: Option<&RebuildTrigger>,
    store: &dyn Store,
) -> Result<ScheduledReport, String> {
    let mut report = ScheduledReport::default();
    if let Some(trigger) = trigger {
        trigger.flush().await;
        report.flushed = true;
    }
    if event.detail.purge {
        let summary = store
            .purge_expired(maillage_function::clock::now())
            .await
            .map_err(|error| format!("retention purge failed: {error}"))?;
        report.purged = Some(summary.into());
    }
    tracing::info!(
        flushed = report.flushed,
        purged_registrations = report.purged.as_ref().map_or(0, |p| p.registrations),
        purged_private_notes = report.purged.as_ref().map_or(0, |p| p.private_notes),
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
        assert!(!event.detail.purge);
        let purge = SCHEDULED.replace(r#""detail": {}"#, r#""detail": {"purge": true}"#);
        assert!(ScheduledEvent::parse(&purge).unwrap().detail.purge);
    }

    #[test]
    fn other_events_are_not_scheduled_ones() {
        let other = SCHEDULED.replace("Scheduled Event", "Object Created");
        assert!(ScheduledEvent::parse(&other).is_none());
        assert!(ScheduledEvent::parse(r#"{"version":"2.0","rawPath":"/api"}"#).is_none());
        assert!(ScheduledEvent::parse("[]").is_none());
    }
}
