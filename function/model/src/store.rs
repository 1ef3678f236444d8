//! Where registrations, reports and meetup definitions live.
//!
//! [`Store`] is the one interface the handler uses; it has two backends that
//! pass the same conformance suite: an embedded SQLite file (the default) and
//! Amazon DynamoDB (the cloud). The store enforces what must be atomic —
//! capacity, the waiting-list order, idempotent registration, promotion on
//! cancellation — so the handler never reads then writes.
//!
//! Everything here about people (name, email, need) is personal data: it has
//! an expiry (`expires_at`), is never logged, and only leaves the store
//! through [`Store::registrants`] (the organiser's list, behind the key).

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use crate::meetup::{
    LiveAggregates, MeetupAggregate, MeetupDefinition, PublicReport, RegionDefinition, Role,
};
use crate::proposal::{AcceptedMeetup, Decision, DecisionOutcome, Proposal};

/// A registration to record. The handler has already validated and
/// normalised every field (email lower-cased and trimmed).
#[derive(Debug, Clone, PartialEq)]
pub struct NewRegistration {
    pub meetup_id: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub structure: Option<String>,
    pub need: Option<String>,
    /// The private cancellation token to give back (random, URL-safe).
    /// Ignored when the email is already registered: the first token wins.
    pub token: String,
    pub registered_at: DateTime<Utc>,
    /// When this personal data must be gone (meetup end + retention).
    pub expires_at: DateTime<Utc>,
}

/// Where a registration stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationStatus {
    Confirmed,
    /// On the waiting list, at this 1-based position (arrival order).
    Waiting {
        position: u32,
    },
    Cancelled,
}

/// The answer to [`Store::register`].
#[derive(Debug, Clone, PartialEq)]
pub struct RegistrationOutcome {
    pub status: RegistrationStatus,
    /// The token of the (possibly earlier) registration.
    pub token: String,
    /// True when this email was already registered for this meetup by
    /// another request: the answer is the existing registration and no seat
    /// was taken. The same request sent again (same token, as after an
    /// answer lost on the way) gets the answer it would have had: false.
    pub already_registered: bool,
}

/// A registration found by its private token.
#[derive(Debug, Clone, PartialEq)]
pub struct RegistrationByToken {
    pub meetup_id: String,
    pub name: String,
    pub status: RegistrationStatus,
}

/// The answer to [`Store::cancel`].
#[derive(Debug, Clone, PartialEq)]
pub enum CancelOutcome {
    /// The registration is now cancelled; if it held a seat, the first person
    /// on the waiting list (if any) was confirmed in the same atomic step.
    Cancelled {
        meetup_id: String,
        promoted: Option<Registrant>,
    },
    /// Cancelled before: nothing changed.
    AlreadyCancelled { meetup_id: String },
    /// No registration has this token (or it expired).
    UnknownToken,
}

/// One line of the organiser's list.
#[derive(Debug, Clone, PartialEq)]
pub struct Registrant {
    pub name: String,
    pub email: String,
    pub role: Role,
    pub structure: Option<String>,
    pub need: Option<String>,
    pub status: RegistrationStatus,
    pub registered_at: DateTime<Utc>,
    /// The code of their attestation: present when the organiser marked
    /// them as having come.
    pub attestation: Option<String>,
}

/// Who came, as the organiser marks it on their page: the whole list each
/// time (whoever is not in it did not come).
#[derive(Debug, Clone, PartialEq)]
pub struct Attendance {
    pub meetup_id: String,
    /// The registrants who came, by the email of their registration.
    pub present: Vec<String>,
    /// The organiser's name as they write it, when they came (an attestation
    /// of organising); `None`: no organiser's attestation.
    pub organiser: Option<String>,
    /// Codes for the attestations this record gives: at least one per person
    /// present (random, unguessable). Someone who already has an attestation
    /// keeps its code, so recording the same attendance again changes nothing.
    pub fresh_codes: Vec<String>,
    /// When new attestations must be gone (meetup end + their retention).
    pub expires_at: DateTime<Utc>,
}

/// An attestation a record of attendance gave to a registrant who had
/// none: whom to send its link to. Personal data, never logged.
#[derive(Debug, Clone, PartialEq)]
pub struct Issued {
    pub name: String,
    pub email: String,
    pub code: String,
}

/// How a person took part, as their attestation states it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttestedRole {
    Participant,
    Facilitator,
    Speaker,
    Organiser,
}

impl From<Role> for AttestedRole {
    fn from(role: Role) -> AttestedRole {
        match role {
            Role::Participant => AttestedRole::Participant,
            Role::Facilitator => AttestedRole::Facilitator,
            Role::Speaker => AttestedRole::Speaker,
        }
    }
}

impl AttestedRole {
    /// How both stores write it.
    pub fn as_str(self) -> &'static str {
        match self {
            AttestedRole::Participant => "participant",
            AttestedRole::Facilitator => "facilitator",
            AttestedRole::Speaker => "speaker",
            AttestedRole::Organiser => "organiser",
        }
    }

    pub fn parse(text: &str) -> Option<AttestedRole> {
        [
            AttestedRole::Participant,
            AttestedRole::Facilitator,
            AttestedRole::Speaker,
            AttestedRole::Organiser,
        ]
        .into_iter()
        .find(|role| role.as_str() == text)
    }
}

/// An attestation of participation: all that is kept once the
/// registrations are purged, and all that verifying it shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Attestation {
    pub code: String,
    pub meetup_id: String,
    pub meetup_title: String,
    /// The meetup's day, in its own time zone.
    pub date: NaiveDate,
    /// The name as the person (or the organiser) wrote it.
    pub name: String,
    pub role: AttestedRole,
    pub expires_at: DateTime<Utc>,
}

impl Attestation {
    /// The attestation of `name` for `meetup`, with its expiry.
    pub fn new(
        code: &str,
        meetup: &MeetupDefinition,
        name: &str,
        role: AttestedRole,
        expires_at: DateTime<Utc>,
    ) -> Attestation {
        Attestation {
            code: code.to_string(),
            meetup_id: meetup.id.clone(),
            meetup_title: meetup.title.clone(),
            date: meetup
                .starts_at
                .with_timezone(&meetup.time_zone)
                .date_naive(),
            name: name.to_string(),
            role,
            expires_at,
        }
    }
}

/// What an organiser's message to the registrants announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    /// The time or the place changed.
    Change,
    /// The meetup will not take place: the store marks it cancelled.
    Cancellation,
    /// A word before the meetup.
    Reminder,
}

impl MessageKind {
    /// How forms and both stores write it.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageKind::Change => "change",
            MessageKind::Cancellation => "cancellation",
            MessageKind::Reminder => "reminder",
        }
    }

    pub fn parse(text: &str) -> Option<MessageKind> {
        [
            MessageKind::Change,
            MessageKind::Cancellation,
            MessageKind::Reminder,
        ]
        .into_iter()
        .find(|kind| kind.as_str() == text)
    }
}

/// An organiser's message to every registrant of a meetup, as the store
/// records it: its kind and when, never its text (which may name people).
#[derive(Debug, Clone, PartialEq)]
pub struct OrganiserMessage {
    pub meetup_id: String,
    /// The token of the request that sends it (random, from the form): the
    /// same request sent again is recognised and sends nothing.
    pub request: String,
    pub kind: MessageKind,
    pub sent_at: DateTime<Utc>,
}

/// Someone a message goes to: a live registration, confirmed or waiting.
/// Personal data, never logged.
#[derive(Debug, Clone, PartialEq)]
pub struct Addressee {
    pub name: String,
    pub email: String,
    /// Their private cancellation token.
    pub token: String,
    pub status: RegistrationStatus,
}

/// The answer to [`Store::record_message`].
#[derive(Debug, Clone, PartialEq)]
pub enum MessageOutcome {
    /// Recorded now: the message goes to these people, in arrival order.
    Recorded { recipients: Vec<Addressee> },
    /// A message with this request token was recorded before: nothing to send.
    AlreadyRecorded,
}

/// An organiser's report: the public part (already sanitised by the handler)
/// and the private notes, which never leave the store.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredReport {
    pub meetup_id: String,
    pub public: PublicReport,
    pub private_notes: Option<String>,
    pub submitted_at: DateTime<Utc>,
    /// When the private notes must be gone (meetup end + retention).
    pub expires_at: DateTime<Utc>,
}

/// What a region's coordinator sees of one meetup: its figures, its report
/// with the private notes, and how many were marked present. Names and
/// emails of registrants are not in it.
#[derive(Debug, Clone, PartialEq)]
pub struct MeetupFollowUp {
    /// As [`Store::meetup`] gives it (cancelled by its organiser's message
    /// included).
    pub definition: MeetupDefinition,
    pub confirmed: u32,
    pub waiting: u32,
    pub report: Option<PublicReport>,
    /// The report's private notes, until they expire.
    pub private_notes: Option<String>,
    /// Registrants the organiser marked present (attendance), among the
    /// live registrations.
    pub present: u32,
    /// Whether the organiser marked themselves present.
    pub organiser_present: bool,
}

/// Up to when a purge deletes: each kind of personal data whose expiry is
/// before its instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PurgeCutoffs {
    /// Registrations, reports' private notes, and the meetup items' lists
    /// of who registered.
    pub personal: DateTime<Utc>,
    /// Attestations, kept longer.
    pub attestations: DateTime<Utc>,
}

impl PurgeCutoffs {
    /// Everything expired at `now`.
    pub fn at(now: DateTime<Utc>) -> PurgeCutoffs {
        PurgeCutoffs {
            personal: now,
            attestations: now,
        }
    }
}

/// What a purge removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PurgeSummary {
    pub registrations: u64,
    pub private_notes: u64,
    pub attestations: u64,
    /// Meetup proposals (their proposers' names and emails) past their expiry.
    pub proposals: u64,
}

/// What a repair found and mended in one meetup.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RepairSummary {
    /// Registrations whose request died before they got a place: ended,
    /// and their personal data deleted (nobody was ever told they were
    /// registered).
    pub unfinished_removed: u32,
    /// Places held by no registration, freed.
    pub orphans_removed: u32,
    /// Whether the public counters differed from the registrations and
    /// were corrected.
    pub counters_fixed: bool,
    /// People promoted from the waiting list into seats that were free.
    pub promoted: u32,
}

/// What a repair of many meetups did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RepairRun {
    /// Meetups checked.
    pub meetups: u32,
    /// Meetups where something was mended.
    pub repaired: u32,
    pub total: RepairSummary,
    /// Every meetup due was checked (false: the time ran out first).
    pub complete: bool,
}

impl RepairRun {
    /// Counts one meetup's repair.
    pub fn add(&mut self, summary: &RepairSummary) {
        self.meetups += 1;
        if *summary != RepairSummary::default() {
            self.repaired += 1;
        }
        self.total.unfinished_removed += summary.unfinished_removed;
        self.total.orphans_removed += summary.orphans_removed;
        self.total.counters_fixed |= summary.counters_fixed;
        self.total.promoted += summary.promoted;
    }
}

/// A failure of the storage itself (not a refusal: refusals are outcomes).
/// Messages are for logs and never reach people.
#[derive(Debug)]
pub enum StoreError {
    /// The meetup is not in the store (never synced).
    UnknownMeetup(String),
    /// The backend failed while doing `context`; `source` is the error it
    /// gave, kept whole for logs.
    Backend {
        context: String,
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// An item or row the store wrote cannot be read back (`what` names it).
    Malformed(String),
}

impl StoreError {
    /// The backend failed, with nothing more to say than `context`.
    pub fn backend(context: impl Into<String>) -> StoreError {
        StoreError::Backend {
            context: context.into(),
            source: None,
        }
    }

    /// The backend failed while doing `context`, because of `source`.
    pub fn caused(
        context: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> StoreError {
        StoreError::Backend {
            context: context.into(),
            source: Some(Box::new(source)),
        }
    }
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::UnknownMeetup(id) => write!(f, "unknown meetup {id:?}"),
            StoreError::Malformed(what) => write!(f, "store backend: malformed {what}"),
            StoreError::Backend { context, .. } => {
                write!(f, "store backend: {context}")?;
                // The whole chain: an SDK error's own text says little.
                let mut cause = std::error::Error::source(self);
                while let Some(error) = cause {
                    write!(f, ": {error}")?;
                    cause = error.source();
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for StoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            StoreError::Backend {
                source: Some(source),
                ..
            } => Some(source.as_ref()),
            _ => None,
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// The storage behind the function. Every write is durable when the call
/// returns: the handler answers only after that.
#[async_trait]
pub trait Store: Send + Sync {
    /// Inserts or replaces meetup definitions (from `maillage sync`). Existing
    /// registrations and reports are kept. When a capacity grows, people on
    /// the waiting list are promoted in order up to the new capacity.
    async fn put_meetups(&self, meetups: &[MeetupDefinition]) -> StoreResult<()>;

    /// One meetup definition, read consistently.
    async fn meetup(&self, id: &str) -> StoreResult<Option<MeetupDefinition>>;

    /// All meetup definitions.
    async fn meetups(&self) -> StoreResult<Vec<MeetupDefinition>>;

    /// Inserts or replaces region definitions (from `maillage sync`).
    async fn put_regions(&self, regions: &[RegionDefinition]) -> StoreResult<()>;

    /// One region definition, read consistently.
    async fn region(&self, id: &str) -> StoreResult<Option<RegionDefinition>>;

    /// What a coordinator sees of each of these meetups (the ids of their
    /// region), in the order given; ids the store does not know are left
    /// out. Reads only these meetups' own records.
    async fn follow_up(&self, meetup_ids: &[String]) -> StoreResult<Vec<MeetupFollowUp>>;

    /// Stores a meetup proposal, pending. Returns false when a proposal with
    /// this id exists already (the form sent again): nothing changes.
    async fn submit_proposal(&self, proposal: &Proposal) -> StoreResult<bool>;

    /// The live (not expired) proposals of a region, pending and decided,
    /// in the order they came.
    async fn proposals(&self, region: &str) -> StoreResult<Vec<Proposal>>;

    /// Decides a pending proposal, once: accepted, it records the meetup it
    /// becomes ([`Store::accepted_meetups`]) in the same atomic step. The
    /// first request gets [`DecisionOutcome::Decided`], a retry of it after
    /// a lost answer too; any other request after it gets
    /// [`DecisionOutcome::AlreadyDecided`].
    async fn decide_proposal(&self, decision: &Decision) -> StoreResult<DecisionOutcome>;

    /// Every accepted proposal's meetup (for `maillage export`), by id.
    async fn accepted_meetups(&self) -> StoreResult<Vec<AcceptedMeetup>>;

    /// Takes a seat or a waiting-list place, atomically: exactly `capacity`
    /// people are confirmed, later ones wait in arrival order; the same email
    /// twice gets the first registration back. The handler has already
    /// checked the meetup's status and registration window.
    async fn register(&self, registration: NewRegistration) -> StoreResult<RegistrationOutcome>;

    /// Finds a live (not expired) registration by its private token.
    async fn registration_by_token(&self, token: &str) -> StoreResult<Option<RegistrationByToken>>;

    /// Cancels by token and promotes the first waiting person, atomically.
    async fn cancel(&self, token: &str, now: DateTime<Utc>) -> StoreResult<CancelOutcome>;

    /// Saves (or replaces: a report can be corrected) the meetup's report.
    async fn save_report(&self, report: StoredReport) -> StoreResult<()>;

    /// The organiser's list, in arrival order, without expired entries.
    async fn registrants(&self, meetup_id: &str) -> StoreResult<Vec<Registrant>>;

    /// Records who came: each registrant in `present` gets an attestation
    /// (keeping the one they have), each other registrant loses theirs; the
    /// same for the organiser. Safe to send again. Returns the attestations
    /// given to registrants who had none (sent again, the same record gives
    /// none).
    async fn record_attendance(&self, attendance: Attendance) -> StoreResult<Vec<Issued>>;

    /// Records an organiser's message under its request token and, for a
    /// cancellation, marks the meetup cancelled: from then on
    /// [`Store::meetup`] gives it the status `cancelled` (whatever a later
    /// sync says) and its aggregate says `cancelled`. The first call with a
    /// token gets the live registrations, confirmed and waiting, with their
    /// tokens; any later call with the same token (another instance, a
    /// retry) gets [`MessageOutcome::AlreadyRecorded`]. A retry of the same
    /// call after a lost answer gets its own outcome back.
    async fn record_message(&self, message: &OrganiserMessage) -> StoreResult<MessageOutcome>;

    /// Marks, once, each live registration of the meetup (confirmed or
    /// waiting) made before `registered_before` as reminded, and returns
    /// those this call marked: the automatic reminder goes to them. A
    /// second run, or another instance, gets nobody already marked; a
    /// retry of the same call after a lost answer gets its own back.
    async fn claim_reminders(
        &self,
        meetup_id: &str,
        registered_before: DateTime<Utc>,
    ) -> StoreResult<Vec<Addressee>>;

    /// The organiser's attestation for a meetup, if they marked themselves
    /// present.
    async fn organiser_attestation(&self, meetup_id: &str) -> StoreResult<Option<Attestation>>;

    /// The live (not expired) attestation with this code.
    async fn attestation(&self, code: &str) -> StoreResult<Option<Attestation>>;

    /// Public figures of one meetup.
    async fn aggregate(&self, meetup_id: &str) -> StoreResult<MeetupAggregate>;

    /// Public figures of every meetup (for `maillage export`).
    async fn aggregates(&self) -> StoreResult<LiveAggregates>;

    /// Deletes personal data whose `expires_at` is before `now` (registrations,
    /// private notes of reports on meetups that ended more than the
    /// retention ago, and attestations past their own, longer, retention).
    /// Public aggregates and public report parts stay.
    async fn purge_expired(&self, now: DateTime<Utc>) -> StoreResult<PurgeSummary> {
        self.purge(PurgeCutoffs::at(now)).await
    }

    /// Deletes what expired before its cutoff: registrations may go earlier
    /// than they were stored for (a shorter retention, `maillage purge
    /// --retention-days`) without attestations going early too.
    async fn purge(&self, cutoffs: PurgeCutoffs) -> StoreResult<PurgeSummary>;

    /// Checks one meetup and mends what interrupted requests left: the
    /// public counters recounted, seats owed to the waiting list given in
    /// order, registrations whose request died before their place removed.
    /// Safe at any time, beside any other request. Meetups that have ended
    /// (or are unknown) are left alone.
    async fn repair(&self, meetup_id: &str, now: DateTime<Utc>) -> StoreResult<RepairSummary>;
}

/// Repairs every meetup of `store` that has not ended (`maillage repair`).
pub async fn repair_all(store: &dyn Store, now: DateTime<Utc>) -> StoreResult<RepairRun> {
    let mut run = RepairRun::default();
    for meetup in store.meetups().await? {
        if meetup.ends_at >= now {
            run.add(&store.repair(&meetup.id, now).await?);
        }
    }
    run.complete = true;
    Ok(run)
}

#[cfg(test)]
mod tests {
    use super::StoreError;
    use std::error::Error;

    #[test]
    fn a_backend_error_keeps_its_cause() {
        let cause = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "read-only disk");
        let error = StoreError::caused("writing a registration", cause);
        let source = error.source().expect("the cause is kept");
        let io = source
            .downcast_ref::<std::io::Error>()
            .expect("as its own type");
        assert_eq!(io.kind(), std::io::ErrorKind::PermissionDenied);
        assert_eq!(
            error.to_string(),
            "store backend: writing a registration: read-only disk"
        );
        assert!(StoreError::backend("closed").source().is_none());
    }
}
