//! The messages to a meetup's proposer, in French: the acknowledgement of
//! the proposal, then the coordination's decision, with the organiser's
//! private link when it is accepted.

use chrono::{DateTime, Utc};
use maillage_model::events::Recipient;
use maillage_model::french;
use maillage_model::meetup::MeetupDefinition;
use maillage_model::proposal::Proposal;

use super::compose::{greeting, mailbox, message, ComposeError, Kind, Outgoing, Sender};

fn proposer(proposal: &Proposal) -> Recipient {
    Recipient {
        name: proposal.name.clone(),
        email: proposal.email.clone(),
    }
}

fn outgoing(
    sender: &Sender,
    proposal: &Proposal,
    kind: Kind,
    subject: String,
    text: String,
    now: DateTime<Utc>,
) -> Result<Outgoing, ComposeError> {
    Ok(Outgoing {
        kind,
        meetup_id: String::new(),
        message: message(
            sender,
            mailbox(&proposer(proposal))?,
            &subject,
            text,
            None,
            now,
        )?,
    })
}

/// The proposal as its proposer sent it, for them to check.
fn summary(proposal: &Proposal) -> String {
    format!(
        "Titre : {}\nQuand : {}\nPlaces : {}\n",
        proposal.title,
        french::span(proposal.start, proposal.end),
        proposal.capacity
    )
}

/// The acknowledgement of a new proposal.
pub fn received(
    sender: &Sender,
    proposal: &Proposal,
    region_name: &str,
    now: DateTime<Utc>,
) -> Result<Outgoing, ComposeError> {
    let text = format!(
        "{greeting}\n\n\
         Merci pour votre proposition de rencontre. La coordination {region} \
         l'a bien reçue ; elle l'étudie et vous écrira pour l'accepter, \
         éventuellement avec quelques changements, ou pour vous expliquer \
         pourquoi elle ne peut pas la retenir.\n\n{summary}\n\
         À bientôt,\n{signature}\n",
        greeting = greeting(&proposer(proposal)),
        region = region_phrase(region_name),
        summary = summary(proposal),
        signature = sender.signature(),
    );
    outgoing(
        sender,
        proposal,
        Kind::ProposalReceived,
        format!("Votre proposition de rencontre : {}", proposal.title),
        text,
        now,
    )
}

/// The coordination's decision: accepted with the meetup and the
/// organiser's private link, or declined with its message.
pub fn decided(
    sender: &Sender,
    proposal: &Proposal,
    region_name: &str,
    accepted: Option<&(MeetupDefinition, String)>,
    now: DateTime<Utc>,
) -> Result<Outgoing, ComposeError> {
    let words = proposal
        .message
        .as_deref()
        .map(|m| format!("Le mot de la coordination :\n\n{m}\n\n"))
        .unwrap_or_default();
    let (kind, subject, body) = match accepted {
        Some((meetup, link)) => (
            Kind::ProposalAccepted,
            format!("Votre rencontre est acceptée : {}", meetup.title),
            format!(
                "Bonne nouvelle : la coordination {region} accepte votre \
                 proposition « {title} ».\n\nQuand : {when}\nOù : {place}\n\n\
                 La rencontre paraîtra sur le site à sa prochaine mise à jour, \
                 à cette adresse :\n{url}\n\n{words}\
                 Voici votre lien secret d'organisateur. Il ouvre le formulaire \
                 de bilan de la rencontre ; gardez-le précieusement et ne le \
                 transmettez à personne : le site ne le conserve pas.\n\n{link}\n\n",
                region = region_phrase(region_name),
                title = meetup.title,
                when = meetup.when(),
                place = meetup.location,
                url = meetup.url,
            ),
        ),
        None => (
            Kind::ProposalDeclined,
            format!("Votre proposition de rencontre : {}", proposal.title),
            format!(
                "La coordination {region} ne peut pas retenir votre proposition \
                 « {title} » telle quelle.\n\n{words}\
                 N'hésitez pas à lui répondre pour en parler.\n\n",
                region = region_phrase(region_name),
                title = proposal.title,
            ),
        ),
    };
    let text = format!(
        "{greeting}\n\n{body}À bientôt,\n{signature}\n",
        greeting = greeting(&proposer(proposal)),
        signature = sender.signature(),
    );
    outgoing(sender, proposal, kind, subject, text, now)
}

/// "de la région Bretagne".
fn region_phrase(region_name: &str) -> String {
    format!("de la région {region_name}")
}
