//! What the function tells the rest of the world after a durable write.
//!
//! The handler answers a form only once the store has the write; then it
//! hands an [`Event`] to every configured [`EventSink`]: the rebuild trigger
//! (a signed webhook, coalesced), confirmation emails, and, under
//! `maillage serve`, the live re-render of the affected pages. A sink never
//! fails the submission: it retries, logs and gives up on its own.

use async_trait::async_trait;

use crate::meetup::MeetupDefinition;
use crate::proposal::Proposal;
use crate::store::{MessageKind, RegistrationStatus};

/// A person, as far as a message to them needs. Personal data: never logged,
/// never published.
#[derive(Debug, Clone, PartialEq)]
pub struct Recipient {
    pub name: String,
    pub email: String,
}

/// One durable change.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A new registration (not a repeated one): confirmed or waiting.
    Registered {
        meetup: MeetupDefinition,
        person: Recipient,
        status: RegistrationStatus,
        /// The private cancellation link (absolute URL).
        cancel_url: String,
    },
    /// Someone registered with an email already registered for the meetup
    /// (a second try after an answer that never arrived, a double click):
    /// nothing changed. The registration's cancellation link goes to the
    /// registered address again, never in the answer, which anyone knowing
    /// the address could get.
    RegisteredAgain {
        meetup: MeetupDefinition,
        /// The registered address (the name is not repeated: whoever sent
        /// the form may not be the person).
        email: String,
        status: RegistrationStatus,
        /// The private cancellation link (absolute URL).
        cancel_url: String,
    },
    /// Someone on the waiting list got a seat (after a cancellation or a
    /// capacity increase).
    Promoted {
        meetup: MeetupDefinition,
        person: Recipient,
    },
    /// A registration was cancelled.
    Cancelled { meetup_id: String },
    /// An organiser's report was saved (first time or corrected).
    Reported { meetup_id: String },
    /// The organiser marked a registrant present: they now have an
    /// attestation. Nothing public changed.
    Attested {
        meetup: MeetupDefinition,
        person: Recipient,
        /// The private link to the attestation (absolute URL).
        attestation_url: String,
    },
    /// The organiser sent a message to every registrant (recorded once by
    /// its request token). A cancellation also marked the meetup cancelled.
    Messaged {
        meetup: MeetupDefinition,
        kind: MessageKind,
        /// The organiser's words, as they wrote them (plain text).
        text: String,
        /// Each registrant with their private cancellation link.
        recipients: Vec<(Recipient, String)>,
    },
    /// The automatic reminder is due for these registrants (each claimed
    /// once in the store).
    ReminderDue {
        meetup: MeetupDefinition,
        /// Each registrant, where their registration stands, and their
        /// private cancellation link.
        recipients: Vec<(Recipient, RegistrationStatus, String)>,
    },
    /// An organiser proposed a meetup (stored once): they get an
    /// acknowledgement. Nothing public changed.
    ProposalReceived {
        proposal: Proposal,
        region_name: String,
    },
    /// The region's coordinator decided on a proposal: its proposer is told.
    ProposalDecided {
        proposal: Proposal,
        region_name: String,
        /// Accepted: the new meetup, and the proposer's private organiser's
        /// link (absolute URL, with the key in its fragment).
        accepted: Option<(MeetupDefinition, String)>,
    },
}

impl Event {
    /// The meetup whose public figures or report changed (a new meetup for
    /// an accepted proposal); `None` for a proposal's other steps.
    pub fn meetup_id(&self) -> Option<&str> {
        match self {
            Event::Registered { meetup, .. }
            | Event::RegisteredAgain { meetup, .. }
            | Event::Promoted { meetup, .. }
            | Event::Attested { meetup, .. }
            | Event::Messaged { meetup, .. }
            | Event::ReminderDue { meetup, .. } => Some(&meetup.id),
            Event::Cancelled { meetup_id } | Event::Reported { meetup_id } => Some(meetup_id),
            Event::ProposalDecided {
                accepted: Some((meetup, _)),
                ..
            } => Some(&meetup.id),
            Event::ProposalReceived { .. } | Event::ProposalDecided { .. } => None,
        }
    }

    /// Whether the store changed (the site's figures or reports may show it,
    /// or, for an accepted proposal, a new meetup).
    pub fn changes_store(&self) -> bool {
        match self {
            Event::RegisteredAgain { .. }
            | Event::Attested { .. }
            | Event::ReminderDue { .. }
            | Event::ProposalReceived { .. } => false,
            Event::Messaged { kind, .. } => *kind == MessageKind::Cancellation,
            Event::ProposalDecided { accepted, .. } => accepted.is_some(),
            _ => true,
        }
    }

    /// Whether this change adds a meetup to the site (an accepted
    /// proposal): the site's data must be written again, not only its
    /// figures re-rendered.
    pub fn adds_meetup(&self) -> bool {
        matches!(
            self,
            Event::ProposalDecided {
                accepted: Some(_),
                ..
            }
        )
    }
}

/// Something that reacts to durable changes. `notify` is awaited before the
/// answer is returned (a Lambda instance may be frozen right after), so it
/// must be quick: hand slow work to a background task where the process
/// lives on, and keep retries bounded where it does not.
#[async_trait]
pub trait EventSink: Send + Sync {
    async fn notify(&self, event: &Event);

    /// Whether this sink writes to the people concerned (emails), so that
    /// an answer may tell them to look for the message.
    fn reaches_people(&self) -> bool {
        false
    }
}
