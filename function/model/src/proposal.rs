//! Meetup proposals: an organiser proposes a meetup through the site's form,
//! the region's coordinator accepts it (possibly edited) or declines it.
//!
//! A [`Proposal`] holds the proposer's name and email: personal data, with
//! an expiry like a registration's, never published. Accepting it makes an
//! [`AcceptedMeetup`]: the meetup's entry for `data/` (its organiser's first
//! name, never the full name nor the email), kept in the store without
//! expiry, which `maillage export` writes to [`ACCEPTED_MEETUPS_PATH`] for
//! the build to read as ordinary meetup data.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where `maillage export` writes the accepted proposals, relative to the
/// site root: a meetup file of `data/`, validated like any other.
pub const ACCEPTED_MEETUPS_PATH: &str = "data/live/meetups.yaml";

/// What a proposed meetup belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "kind")]
pub enum Belongs {
    /// A training meetup after `week` of `module` (an id of `data/modules.yaml`).
    Module { module: String, week: u32 },
    /// A community meetup of `series` (an id of `data/series.yaml`).
    Series { series: String },
}

/// A place the proposer describes because it is not in the list yet: the
/// coordination adds it to `data/` before accepting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewPlace {
    pub name: String,
    pub town: String,
    /// The department's code (`29`, `2A`, `974`).
    pub department: String,
}

/// Where the proposer wants to meet: a place of the list, or a new one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProposedPlace {
    Known(String),
    New(NewPlace),
}

/// Where a proposal stands.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase", tag = "status")]
pub enum ProposalStatus {
    Pending,
    Accepted { meetup: String },
    Declined,
}

/// A proposal as the organiser sent it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    /// Random, from the form: the same form sent twice is one proposal.
    pub id: String,
    /// The region's slug: its coordinator decides.
    pub region: String,
    pub belongs: Belongs,
    pub place: ProposedPlace,
    pub title: String,
    /// Wall-clock times, in the zone of the place (of the region for a new
    /// place).
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub capacity: u32,
    pub intentions: Vec<String>,
    /// The proposer's name and email: personal data.
    pub name: String,
    pub email: String,
    pub submitted_at: DateTime<Utc>,
    /// When the name and email must be gone.
    pub expires_at: DateTime<Utc>,
    pub status: ProposalStatus,
    /// The coordinator's message with the decision, sent to the proposer.
    #[serde(default)]
    pub message: Option<String>,
}

/// A proposal accepted: the meetup's entry, as `data/` writes a meetup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AcceptedMeetup {
    pub id: String,
    pub proposal: String,
    pub region: String,
    pub title: String,
    pub belongs: Belongs,
    /// An id of `data/`'s places.
    pub place: String,
    pub start: NaiveDateTime,
    pub end: NaiveDateTime,
    pub capacity: u32,
    pub intentions: Vec<String>,
    /// The organiser's first name, as meetups publish it.
    pub organiser: String,
    /// The hash of the organiser's key, given to the proposer once.
    pub report_key_sha256: String,
    pub accepted_at: DateTime<Utc>,
}

/// The coordinator's decision on a proposal.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    pub region: String,
    pub proposal: String,
    /// The token of the request that decides (random, from the coordinator's
    /// form): the same request sent again gets its own outcome back.
    pub request: String,
    /// `Some` to accept, with the meetup it becomes; `None` to decline.
    pub accepted: Option<AcceptedMeetup>,
    pub message: Option<String>,
    pub decided_at: DateTime<Utc>,
}

impl Decision {
    /// `proposal` as this decision leaves it: its status and the message.
    pub fn apply(&self, proposal: &mut Proposal) {
        proposal.status = match &self.accepted {
            Some(meetup) => ProposalStatus::Accepted {
                meetup: meetup.id.clone(),
            },
            None => ProposalStatus::Declined,
        };
        proposal.message = self.message.clone();
    }
}

/// The answer to a decision.
#[derive(Debug, Clone, PartialEq)]
pub enum DecisionOutcome {
    /// Decided by this request (a retry of it included): the proposal as it
    /// now stands, to write to its proposer.
    Decided(Proposal),
    /// Another request decided it before: nothing changed.
    AlreadyDecided(Proposal),
    /// No live proposal has this id in this region.
    Unknown,
}
