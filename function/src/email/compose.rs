//! The messages, in French: a confirmation (seat or waiting list) with the
//! cancellation link and an `.ics` file, a notice when a seat frees up, the
//! organiser's notice of a new registration, and the organiser's messages
//! to the registrants (a change, a cancellation, a reminder).
//!
//! A message is built for one person from the event alone: nothing about
//! anyone else can end up in it.

use chrono::{DateTime, Utc};
use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::Message;
use maillage_model::{french, ical};

use maillage_model::events::Recipient;
use maillage_model::meetup::MeetupDefinition;
use maillage_store::{MessageKind, RegistrationStatus};

/// What a message is, for logs (never who it is for).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Confirmation,
    WaitingList,
    Reminder,
    Promotion,
    OrganiserNotice,
    Attestation,
    /// The organiser's message to the registrants.
    Message(MessageKind),
    /// The reminder sent a set time before the meetup.
    AutomaticReminder,
    /// To a meetup's proposer: received, accepted, declined.
    ProposalReceived,
    ProposalAccepted,
    ProposalDeclined,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Confirmation => "confirmation",
            Kind::WaitingList => "waiting-list",
            Kind::Reminder => "reminder",
            Kind::Promotion => "promotion",
            Kind::OrganiserNotice => "organiser-notice",
            Kind::Attestation => "attestation",
            Kind::Message(MessageKind::Change) => "message-change",
            Kind::Message(MessageKind::Cancellation) => "message-cancellation",
            Kind::Message(MessageKind::Reminder) => "message-reminder",
            Kind::AutomaticReminder => "automatic-reminder",
            Kind::ProposalReceived => "proposal-received",
            Kind::ProposalAccepted => "proposal-accepted",
            Kind::ProposalDeclined => "proposal-declined",
        }
    }
}

/// Who writes and how they sign.
#[derive(Debug, Clone)]
pub struct Sender {
    pub from: Mailbox,
    pub reply_to: Option<Mailbox>,
}

impl Sender {
    pub(super) fn signature(&self) -> String {
        self.from
            .name
            .clone()
            .filter(|name| !name.trim().is_empty())
            .unwrap_or_else(|| "L'équipe des rencontres".into())
    }
}

/// A message ready to send, with what the logs may say about it.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub kind: Kind,
    pub meetup_id: String,
    pub message: Message,
}

/// The message could not be built (an address that is not one).
#[derive(Debug)]
pub struct ComposeError;

/// The meetup as an iCalendar file: the event of the site's calendars (same
/// `UID`, times, place and page), whose `SEQUENCE` grows with each file sent
/// to the same person.
fn calendar(
    meetup: &MeetupDefinition,
    status: ical::Status,
    sequence: u32,
    now: DateTime<Utc>,
) -> String {
    let host = ical::host(&meetup.url);
    let description = format!("{}\nToutes les informations : {}", meetup.title, meetup.url);
    let event = ical::Event {
        meetup_id: &meetup.id,
        host: &host,
        stamp: now,
        start: meetup.starts_at,
        end: meetup.ends_at,
        zone: meetup.time_zone,
        summary: &meetup.title,
        description: &description,
        location: &meetup.location,
        geo: None,
        url: &meetup.url,
        status,
        sequence: Some(sequence),
    };
    let mut calendar = ical::Calendar::new(None);
    calendar.push_event(&event.to_text());
    calendar.finish()
}

fn details(meetup: &MeetupDefinition) -> String {
    format!(
        "Quand : {} ({})\nOù : {}\nLa page de la rencontre : {}\n",
        meetup.when(),
        french::zone_name(meetup.time_zone),
        meetup.location,
        meetup.url
    )
}

pub(super) fn greeting(person: &Recipient) -> String {
    let name = person.name.trim();
    if name.is_empty() {
        "Bonjour,".into()
    } else {
        format!("Bonjour {name},")
    }
}

/// The answer to a new registration.
pub fn registration(
    sender: &Sender,
    meetup: &MeetupDefinition,
    person: &Recipient,
    status: RegistrationStatus,
    cancel_url: &str,
    now: DateTime<Utc>,
) -> Result<Outgoing, ComposeError> {
    let (kind, subject, opening, attendance) = match status {
        RegistrationStatus::Waiting { position } => (
            Kind::WaitingList,
            format!("Liste d'attente : {}", meetup.title),
            format!(
                "Nous avons bien reçu votre inscription à « {} ». La rencontre est \
                 complète pour l'instant : vous êtes en position {position} sur la \
                 liste d'attente. Dès qu'une place se libère pour vous, un nouveau \
                 message vous le dira ; votre place sera alors réservée, sans autre \
                 démarche de votre part.",
                meetup.title
            ),
            ical::Status::Tentative,
        ),
        _ => (
            Kind::Confirmation,
            format!("Inscription confirmée : {}", meetup.title),
            format!(
                "C'est noté : votre place à « {} » est réservée.",
                meetup.title
            ),
            ical::Status::Confirmed,
        ),
    };
    let text = format!(
        "{greeting}\n\n{opening}\n\n{details}\n\
         Le fichier joint (rencontre.ics) ajoute la rencontre à votre agenda.\n\n\
         Un empêchement ? Annulez votre inscription avec ce lien : la place \
         reviendra à la personne suivante sur la liste d'attente.\n{cancel_url}\n\n\
         Ce lien vous est propre : gardez-le pour vous.\n\n\
         À bientôt,\n{signature}\n",
        greeting = greeting(person),
        details = details(meetup),
        signature = sender.signature(),
    );
    let calendar = calendar(meetup, attendance, 0, now);
    build(
        sender,
        mailbox(person)?,
        subject,
        text,
        Some(calendar),
        now,
        kind,
        meetup,
    )
}

/// The answer to a registration made again with an address already
/// registered: where the registration stands, and its cancellation link
/// again. Without a name: whoever sent the form may not be the person.
pub fn reminder(
    sender: &Sender,
    meetup: &MeetupDefinition,
    email: &str,
    status: RegistrationStatus,
    cancel_url: &str,
    now: DateTime<Utc>,
) -> Result<Outgoing, ComposeError> {
    let (standing, attendance) = match status {
        RegistrationStatus::Waiting { position } => (
            format!(
                "Vous êtes en position {position} sur la liste d'attente ; dès qu'une \
                 place se libère pour vous, un nouveau message vous le dira."
            ),
            ical::Status::Tentative,
        ),
        _ => (
            "Votre place est réservée.".to_string(),
            ical::Status::Confirmed,
        ),
    };
    let text = format!(
        "Bonjour,\n\n\
         Une demande d'inscription à « {title} » vient d'arriver avec votre \
         adresse. Vous y êtes déjà inscrit·e : rien n'a changé. {standing}\n\n\
         {details}\n\
         Un empêchement ? Annulez votre inscription avec ce lien : la place \
         reviendra à la personne suivante sur la liste d'attente.\n{cancel_url}\n\n\
         Ce lien vous est propre : gardez-le pour vous. Si vous n'êtes pas à \
         l'origine de cette demande, vous n'avez rien à faire.\n\n\
         À bientôt,\n{signature}\n",
        title = meetup.title,
        details = details(meetup),
        signature = sender.signature(),
    );
    let to = email.trim().parse().map_err(|_| ComposeError)?;
    let calendar = calendar(meetup, attendance, 0, now);
    build(
        sender,
        to,
        format!("Votre inscription : {}", meetup.title),
        text,
        Some(calendar),
        now,
        Kind::Reminder,
        meetup,
    )
}

/// The notice that a seat is now confirmed.
pub fn promotion(
    sender: &Sender,
    meetup: &MeetupDefinition,
    person: &Recipient,
    now: DateTime<Utc>,
) -> Result<Outgoing, ComposeError> {
    let text = format!(
        "{greeting}\n\n\
         Bonne nouvelle : une place s'est libérée à « {title} » et elle est \
         pour vous. Votre inscription, jusqu'ici sur liste d'attente, est \
         maintenant confirmée.\n\n{details}\n\
         Le fichier joint (rencontre.ics) met à jour la rencontre dans votre agenda.\n\n\
         Si vous ne pouvez plus venir, le lien d'annulation du premier message \
         reste valable : merci de l'utiliser pour libérer la place.\n\n\
         À bientôt,\n{signature}\n",
        greeting = greeting(person),
        title = meetup.title,
        details = details(meetup),
        signature = sender.signature(),
    );
    let calendar = calendar(meetup, ical::Status::Confirmed, 1, now);
    build(
        sender,
        mailbox(person)?,
        format!("Votre place est confirmée : {}", meetup.title),
        text,
        Some(calendar),
        now,
        Kind::Promotion,
        meetup,
    )
}

/// The organiser's notice of one registration: what their list of
/// registrants shows about that person (name, email, status), nothing more.
pub fn organiser_notice(
    sender: &Sender,
    organiser: &Mailbox,
    meetup: &MeetupDefinition,
    person: &Recipient,
    status: RegistrationStatus,
    now: DateTime<Utc>,
) -> Result<Outgoing, ComposeError> {
    let standing = match status {
        RegistrationStatus::Waiting { position } => {
            format!("sur liste d'attente (position {position})")
        }
        _ => "place confirmée".into(),
    };
    let text = format!(
        "Bonjour,\n\n\
         Une nouvelle inscription est arrivée pour « {title} » ({when}) :\n\n\
         Nom : {name}\nCourriel : {email}\nSituation : {standing}\n\n\
         La liste complète des personnes inscrites se télécharge avec votre \
         clé d'organisation.\n\n\
         Ce message part à chaque inscription parce que ces avis sont activés \
         pour cette rencontre ; pour ne plus les recevoir, écrivez à l'équipe \
         qui gère le site.\n\n{signature}\n",
        title = meetup.title,
        when = french::date(meetup.local_time(meetup.starts_at).date()),
        name = person.name.trim(),
        email = person.email,
        signature = sender.signature(),
    );
    build(
        sender,
        organiser.clone(),
        format!("Nouvelle inscription : {}", meetup.title),
        text,
        None,
        now,
        Kind::OrganiserNotice,
        meetup,
    )
}

/// The private link to a person's attestation, once the organiser marked
/// them present.
pub fn attestation(
    sender: &Sender,
    meetup: &MeetupDefinition,
    person: &Recipient,
    attestation_url: &str,
    now: DateTime<Utc>,
) -> Result<Outgoing, ComposeError> {
    let text = format!(
        "{greeting}\n\n\
         Merci d'être venu·e à « {title} ». L'organisation de la rencontre \
         vous a noté·e présent·e : votre attestation de participation est \
         prête. Ouvrez ce lien pour l'afficher, l'imprimer ou l'enregistrer \
         en PDF :\n\n{attestation_url}\n\n\
         Ce lien est personnel : l'attestation porte votre nom. Elle comporte \
         un code de vérification, que toute personne à qui vous la présentez \
         peut vérifier sur le site du réseau. L'attestation est conservée \
         trois ans après la rencontre.\n\n\
         À bientôt,\n{signature}\n",
        greeting = greeting(person),
        title = meetup.title,
        signature = sender.signature(),
    );
    build(
        sender,
        mailbox(person)?,
        format!("Votre attestation de participation : {}", meetup.title),
        text,
        None,
        now,
        Kind::Attestation,
        meetup,
    )
}

/// The organiser's message to one registrant: their words, then the
/// meetup as the site announces it (its local time), and the person's own
/// cancellation link (unless the meetup is cancelled: nothing is left to
/// cancel).
pub fn organiser_message(
    sender: &Sender,
    meetup: &MeetupDefinition,
    kind: MessageKind,
    words: &str,
    person: &Recipient,
    cancel_url: &str,
    now: DateTime<Utc>,
) -> Result<Outgoing, ComposeError> {
    let title = &meetup.title;
    let (subject, opening, calendar) = match kind {
        MessageKind::Change => (
            format!("Changement pour la rencontre : {title}"),
            format!(
                "L'organisation de « {title} », à laquelle vous êtes inscrit·e, vous \
                 prévient d'un changement d'horaire ou de lieu :"
            ),
            None,
        ),
        MessageKind::Cancellation => (
            format!("Rencontre annulée : {title}"),
            format!(
                "La rencontre « {title} », à laquelle vous étiez inscrit·e, est \
                 annulée : elle n'aura pas lieu. Le mot de l'organisation :"
            ),
            Some(calendar(meetup, ical::Status::Cancelled, 2, now)),
        ),
        MessageKind::Reminder => (
            format!("Rappel : {title}"),
            format!(
                "L'organisation de « {title} », à laquelle vous êtes inscrit·e, vous \
                 écrit :"
            ),
            None,
        ),
    };
    let quoted: String = words.lines().map(|line| format!("> {line}\n")).collect();
    let closing = match kind {
        MessageKind::Cancellation => "Votre inscription n'a plus d'objet : vous n'avez rien à \
             faire. Le fichier joint (rencontre.ics) retire la rencontre de votre \
             agenda."
            .to_string(),
        _ => format!(
            "Un empêchement ? Annulez votre inscription avec ce lien : la place \
             reviendra à la personne suivante sur la liste d'attente.\n{cancel_url}\n\n\
             Ce lien vous est propre : gardez-le pour vous."
        ),
    };
    let heading = match kind {
        MessageKind::Cancellation => "La rencontre qui était prévue :",
        _ => "La rencontre, telle que le site l'annonce :",
    };
    let text = format!(
        "{greeting}\n\n{opening}\n\n{quoted}\n{heading}\n{details}\n{closing}\n\n\
         À bientôt,\n{signature}\n",
        greeting = greeting(person),
        details = details(meetup),
        signature = sender.signature(),
    );
    build(
        sender,
        mailbox(person)?,
        subject,
        text,
        calendar,
        now,
        Kind::Message(kind),
        meetup,
    )
}

/// The automatic reminder, a set time before the meetup: the details, where
/// the registration stands, the cancellation link.
pub fn automatic_reminder(
    sender: &Sender,
    meetup: &MeetupDefinition,
    person: &Recipient,
    status: RegistrationStatus,
    cancel_url: &str,
    now: DateTime<Utc>,
) -> Result<Outgoing, ComposeError> {
    let standing = match status {
        RegistrationStatus::Waiting { position } => format!(
            "Vous êtes en position {position} sur la liste d'attente : si une place se \
             libère pour vous, un nouveau message vous le dira."
        ),
        _ => "Votre place est réservée.".to_string(),
    };
    let text = format!(
        "{greeting}\n\n\
         La rencontre « {title} », à laquelle vous êtes inscrit·e, approche. \
         {standing}\n\n{details}\n\
         Un empêchement ? Annulez votre inscription avec ce lien : la place \
         reviendra à la personne suivante sur la liste d'attente.\n{cancel_url}\n\n\
         Ce lien vous est propre : gardez-le pour vous.\n\n\
         À bientôt,\n{signature}\n",
        greeting = greeting(person),
        title = meetup.title,
        details = details(meetup),
        signature = sender.signature(),
    );
    build(
        sender,
        mailbox(person)?,
        format!(
            "Rappel : {}, {}",
            meetup.title,
            french::date(meetup.local_time(meetup.starts_at).date())
        ),
        text,
        None,
        now,
        Kind::AutomaticReminder,
        meetup,
    )
}

/// The person as a mailbox: their name (as they typed it) and address.
pub(super) fn mailbox(person: &Recipient) -> Result<Mailbox, ComposeError> {
    let email = person.email.trim().parse().map_err(|_| ComposeError)?;
    let name = person.name.trim();
    Ok(Mailbox::new(
        (!name.is_empty()).then(|| name.to_string()),
        email,
    ))
}

#[allow(clippy::too_many_arguments)]
fn build(
    sender: &Sender,
    to: Mailbox,
    subject: String,
    text: String,
    calendar: Option<String>,
    now: DateTime<Utc>,
    kind: Kind,
    meetup: &MeetupDefinition,
) -> Result<Outgoing, ComposeError> {
    Ok(Outgoing {
        kind,
        meetup_id: meetup.id.clone(),
        message: message(sender, to, &subject, text, calendar, now)?,
    })
}

pub(super) fn message(
    sender: &Sender,
    to: Mailbox,
    subject: &str,
    text: String,
    calendar: Option<String>,
    now: DateTime<Utc>,
) -> Result<Message, ComposeError> {
    let mut builder = Message::builder()
        .from(sender.from.clone())
        .to(to)
        .subject(subject)
        .date(now.into())
        .message_id(Some(message_id(&sender.from)));
    if let Some(reply_to) = &sender.reply_to {
        builder = builder.reply_to(reply_to.clone());
    }
    let text = SinglePart::plain(text);
    let result = match calendar {
        None => builder.singlepart(text),
        Some(calendar) => builder.multipart(
            MultiPart::mixed().singlepart(text).singlepart(
                Attachment::new("rencontre.ics".into()).body(
                    calendar,
                    ContentType::parse("text/calendar; charset=utf-8; method=PUBLISH")
                        .expect("a valid content type"),
                ),
            ),
        ),
    };
    result.map_err(|_| ComposeError)
}

/// `<random@sender's domain>`.
fn message_id(from: &Mailbox) -> String {
    let mut bytes = [0u8; 16];
    let _ = getrandom::fill(&mut bytes);
    let id: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("<{id}@{}>", from.email.domain())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meetup(zone: &str, start: &str, end: &str) -> MeetupDefinition {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        MeetupDefinition {
            id: "code-guadeloupe".into(),
            title: "Club de code".into(),
            starts_at: at(start),
            ends_at: at(end),
            capacity: 12,
            status: maillage_model::meetup::MeetupStatus::Open,
            registration_opens: DateTime::<Utc>::UNIX_EPOCH,
            registration_closes: at(start),
            report_key_sha256: None,
            location: "Médiathèque, Pointe-à-Pitre".into(),
            url: "https://reseau.example.org/rencontres/code-guadeloupe/".into(),
            time_zone: zone.parse().unwrap(),
        }
    }

    #[test]
    fn times_are_the_meetups_local_times_with_their_zone() {
        // 18:30 in Guadeloupe is 00:30 the next day in Paris.
        let m = meetup(
            "America/Guadeloupe",
            "2025-09-09T22:30:00Z",
            "2025-09-10T01:00:00Z",
        );
        let text = details(&m);
        assert!(
            text.contains(
                "Quand : mardi 9 septembre 2025, de 18 h 30 à 21 h (heure de la Guadeloupe)"
            ),
            "{text}"
        );
        let ics = calendar(
            &m,
            ical::Status::Confirmed,
            0,
            "2025-09-01T00:00:00Z".parse().unwrap(),
        );
        assert!(
            ics.contains("DTSTART;TZID=America/Guadeloupe:20250909T183000\r\n"),
            "{ics}"
        );
        assert!(ics.contains("TZID:America/Guadeloupe\r\n"), "{ics}");
    }
}
