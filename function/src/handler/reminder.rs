//! The automatic reminder: a configurable time before each meetup
//! (`MAILLAGE_REMINDER_HOURS`, two days by default), counted in the
//! meetup's local time, each registrant (confirmed or waiting) who
//! registered before then gets one email. The store claims each
//! registration once, so a second run or another instance sends nothing.
//! Run by the Lambda's scheduled event and by `maillage serve`'s clock.

use chrono::{DateTime, Duration, Utc};

use maillage_model::events::{Event, Recipient};
use maillage_model::meetup::{MeetupDefinition, MeetupStatus};
use maillage_model::store::StoreResult;
use maillage_model::zone;

use super::{registration, Function};

/// When `meetup`'s reminder is due: `hours` before its start, in its local
/// time (two days before 18 h is 18 h, across a change of summer time).
pub fn reminder_due(meetup: &MeetupDefinition, hours: u32) -> DateTime<Utc> {
    let lead = Duration::hours(i64::from(hours));
    let local = meetup.local_time(meetup.starts_at) - lead;
    // A local time skipped by a change of summer time: the same lead in
    // absolute time.
    zone::to_utc(local, meetup.time_zone).unwrap_or(meetup.starts_at - lead)
}

impl Function {
    /// Sends the reminders due at `now`; returns how many were handed to
    /// the mail. Nothing without emails, or with the reminder turned off.
    pub async fn send_due_reminders(&self, now: DateTime<Utc>) -> StoreResult<usize> {
        let hours = self.config.reminder_hours;
        if hours == 0 || !self.reaches_people() {
            return Ok(0);
        }
        let mut sent = 0;
        for meetup in self.store.meetups().await? {
            if matches!(meetup.status, MeetupStatus::Cancelled | MeetupStatus::Done) {
                continue;
            }
            let due = reminder_due(&meetup, hours);
            if now < due || now >= meetup.starts_at {
                continue;
            }
            let claimed = self.store.claim_reminders(&meetup.id, due).await?;
            if claimed.is_empty() {
                continue;
            }
            sent += claimed.len();
            tracing::info!(meetup = %meetup.id, count = claimed.len(), "reminders due");
            let recipients = claimed
                .into_iter()
                .map(|to| {
                    let cancel_url = registration::cancel_url(self, &to.token);
                    (
                        Recipient {
                            name: to.name,
                            email: to.email,
                        },
                        to.status,
                        cancel_url,
                    )
                })
                .collect();
            self.notify(&Event::ReminderDue { meetup, recipients })
                .await;
        }
        Ok(sent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meetup(zone: &str, start: &str) -> MeetupDefinition {
        let starts_at: DateTime<Utc> = start.parse().unwrap();
        MeetupDefinition {
            id: "m".into(),
            title: "Rencontre".into(),
            starts_at,
            ends_at: starts_at + Duration::hours(2),
            capacity: 10,
            status: MeetupStatus::Open,
            registration_opens: starts_at - Duration::days(30),
            registration_closes: starts_at,
            report_key_sha256: None,
            location: "Médiathèque".into(),
            url: "https://rencontres.example.org/rencontres/m/".into(),
            time_zone: zone.parse().unwrap(),
        }
    }

    #[test]
    fn the_reminder_is_due_at_the_same_local_time_days_before() {
        // Monday 26 October 2026, 18 h in Paris (winter time, UTC+1): two
        // days before is Saturday 18 h, still summer time (UTC+2).
        let paris = meetup("Europe/Paris", "2026-10-26T17:00:00Z");
        assert_eq!(
            reminder_due(&paris, 48),
            "2026-10-24T16:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        // La Réunion has no summer time: 48 hours.
        let reunion = meetup("Indian/Reunion", "2026-12-12T05:30:00Z");
        assert_eq!(
            reminder_due(&reunion, 48),
            "2026-12-10T05:30:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!(
            reminder_due(&reunion, 3),
            "2026-12-12T02:30:00Z".parse::<DateTime<Utc>>().unwrap()
        );
    }
}
