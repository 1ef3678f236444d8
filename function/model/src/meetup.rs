//! Types that cross the boundary between the site and the function.
//!
//! Two things cross it, in opposite directions:
//!
//! - [`MeetupDefinition`]: what the function must know about a meetup to take
//!   registrations and reports, and [`RegionDefinition`]: what it must know
//!   about a region to open its coordinator's page. The generator derives
//!   them from `data/` and `maillage sync` writes them into the store. They
//!   are never published.
//! - [`LiveAggregates`]: what the site may show about the store's content
//!   (seats taken, waiting-list length, the public part of reports).
//!   `maillage export` writes it to `data/live/aggregates.json` and the
//!   generator reads it back. It holds no personal data by construction: there
//!   is no field that could carry a name, an email or a phone number.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// Where `maillage export` writes the aggregates, relative to the site root.
pub const LIVE_AGGREGATES_PATH: &str = "data/live/aggregates.json";

/// The life-cycle status an organiser gives a meetup in `data/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MeetupStatus {
    /// Announced; registrations follow the registration window.
    Planned,
    /// Explicitly open for registration (still within the window).
    Open,
    /// Closed by the organiser because the room is full: nobody can register,
    /// not even on the waiting list.
    Full,
    /// Will not take place.
    Cancelled,
    /// Took place.
    Done,
}

impl MeetupStatus {
    /// Whether the status itself allows new registrations (the window and the
    /// start time are checked separately).
    pub fn accepts_registrations(self) -> bool {
        matches!(self, MeetupStatus::Planned | MeetupStatus::Open)
    }
}

/// How a person takes part in a meetup. Everyone counts towards the room's capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Participant,
    Facilitator,
    Speaker,
}

/// The longest identifier `data/` may give (in bytes: they are ASCII). The
/// function refuses longer meetup ids, so the generator refuses them too.
pub const ID_MAX: usize = 128;

/// What the function needs to know about one meetup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeetupDefinition {
    pub id: String,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Seats in the room; registrations past it join the waiting list.
    pub capacity: u32,
    pub status: MeetupStatus,
    pub registration_opens: DateTime<Utc>,
    pub registration_closes: DateTime<Utc>,
    /// Lower-case hex SHA-256 of the organiser's report key; `None` means
    /// nobody can report or read the registrants.
    pub report_key_sha256: Option<String>,
    /// Place name and address, for confirmation messages.
    pub location: String,
    /// Absolute URL of the meetup page, for confirmation messages.
    pub url: String,
    /// Where its times are wall-clock times (definitions synced before
    /// zones existed were all in Paris).
    #[serde(default = "default_zone")]
    pub time_zone: Tz,
}

/// What the function needs to know about one region: who may read its
/// coordinator's page, and which meetups that page follows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionDefinition {
    /// The region's slug, as in its page's address (`bretagne`).
    pub id: String,
    pub name: String,
    /// Lower-case hex SHA-256 of the coordinator's key; `None` means nobody
    /// can read the region's coordinator's page.
    pub coordinator_key_sha256: Option<String>,
    /// The ids of the meetups held in the region's places: the page reads
    /// these and no others, so it never scans the store.
    pub meetups: Vec<String>,
    /// The region's places, which a proposal may name.
    #[serde(default)]
    pub places: Vec<RegionPlace>,
    /// Where the region's times are read, for a proposal at a new place.
    #[serde(default = "default_zone")]
    pub time_zone: Tz,
    /// What a proposed meetup may belong to, as the proposal form writes
    /// it: `series:<id>`, `module:<id>:<week>` (weeks 1 and 3).
    #[serde(default)]
    pub belongs: Vec<String>,
}

/// A place of a region, as a proposal names it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegionPlace {
    pub id: String,
    pub name: String,
    /// Its address in one line, for messages.
    pub location: String,
    /// Where its meetups' times are wall-clock times.
    pub time_zone: Tz,
}

fn default_zone() -> Tz {
    crate::zone::DEFAULT
}

/// Everything the store lets the site publish, keyed by meetup id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LiveAggregates {
    pub generated_at: Option<DateTime<Utc>>,
    pub meetups: BTreeMap<String, MeetupAggregate>,
}

/// The public figures of one meetup.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MeetupAggregate {
    /// Confirmed registrations (all roles).
    pub confirmed: u32,
    /// People on the waiting list.
    pub waiting: u32,
    /// The public part of the organiser's report, once sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<PublicReport>,
    /// The organiser cancelled the meetup through the function (a
    /// cancellation message): the site shows it cancelled, as if `data/`
    /// said so.
    #[serde(default, skip_serializing_if = "is_false")]
    pub cancelled: bool,
}

fn is_false(value: &bool) -> bool {
    !value
}

/// The parts of a report its organiser chose to publish. Text fields are
/// Markdown that has already been sanitised (no raw HTML); the generator still
/// renders them with HTML disabled.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PublicReport {
    pub submitted_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attendance: Option<u32>,
    /// The meetup's intentions set against what happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub went_well: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub problems: Option<String>,
    /// Improvements proposed for the next meetup of the same series or module.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub improvements: Option<String>,
    /// Practical sheets (fiches pratiques) the group produced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sheets: Option<String>,
    /// Notes and photo albums, as `http`/`https` links only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<ReportLink>,
}

/// A link published with a report.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReportLink {
    pub label: String,
    pub url: String,
}

impl MeetupDefinition {
    /// An instant as a wall-clock time where the meetup takes place.
    pub fn local_time(&self, instant: DateTime<Utc>) -> NaiveDateTime {
        crate::zone::local(instant, self.time_zone)
    }

    /// When the meetup takes place, in words: "samedi 12 décembre 2026, de
    /// 14 h à 17 h 30".
    pub fn when(&self) -> String {
        crate::french::span(
            self.local_time(self.starts_at),
            self.local_time(self.ends_at),
        )
    }

    /// " (heure de la Guadeloupe)" after a time, when the meetup's zone is
    /// not `reference` (the site's); nothing otherwise.
    pub fn zone_note(&self, reference: Tz) -> String {
        if self.time_zone == reference {
            String::new()
        } else {
            format!(" ({})", crate::french::zone_name(self.time_zone))
        }
    }
}

impl MeetupAggregate {
    /// Seats still free, given the meetup's capacity.
    pub fn seats_left(&self, capacity: u32) -> u32 {
        capacity.saturating_sub(self.confirmed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aggregates_round_trip_as_json() {
        let mut live = LiveAggregates::default();
        live.meetups.insert(
            "brest-2026-12".into(),
            MeetupAggregate {
                confirmed: 25,
                waiting: 3,
                report: Some(PublicReport {
                    attendance: Some(21),
                    links: vec![ReportLink {
                        label: "Notes".into(),
                        url: "https://pad.example.org/p/brest".into(),
                    }],
                    ..Default::default()
                }),
                cancelled: false,
            },
        );
        let json = serde_json::to_string(&live).unwrap();
        assert!(
            !json.contains("went_well") && !json.contains("cancelled"),
            "empty parts are left out: {json}"
        );
        let back: LiveAggregates = serde_json::from_str(&json).unwrap();
        assert_eq!(back, live);
        assert_eq!(back.meetups["brest-2026-12"].seats_left(20), 0);
    }

    #[test]
    fn status_reads_lowercase() {
        let status: MeetupStatus = serde_json::from_str("\"cancelled\"").unwrap();
        assert_eq!(status, MeetupStatus::Cancelled);
        assert!(!status.accepts_registrations());
        assert!(MeetupStatus::Open.accepts_registrations());
    }
}
