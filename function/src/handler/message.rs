//! `POST {api}/messages`: the organiser's message to every registrant
//! (confirmed and waiting), from their page, with the meetup's key in the
//! form (never in the address). Its kind says what it is: a change of time
//! or place, a cancellation (which also cancels the meetup in the store:
//! registrations are refused from then on, and the site shows it cancelled
//! after the rebuild), or a reminder. The form's `request` token is
//! recorded with it: the same request sent again sends nothing, and a
//! meetup is cancelled once. The answer is the list again (JSON, or the
//! French page without JavaScript) with what was sent.

use bytes::Bytes;
use http::{HeaderMap, Response, StatusCode};

use maillage_model::clock;
use maillage_model::events::{Event, Recipient};
use maillage_model::meetup::MeetupStatus;
use maillage_store::{MessageKind, MessageOutcome, OrganiserMessage};

use super::answer::ApiError;
use super::registrants::{self, Format};
use super::request::Fields;
use super::{registration, validation, Function};

/// The longest message, in characters: a few paragraphs.
pub(super) const MESSAGE_MAX: usize = 2000;

pub(super) async fn send(
    function: &Function,
    headers: &HeaderMap,
    fields: &Fields,
    query: &Fields,
) -> Result<Response<Bytes>, ApiError> {
    let meetup_id = registrants::meetup_field(fields)?;
    let (meetup, key) = registrants::organiser_access(function, meetup_id, headers, fields).await?;
    let kind = kind(fields)?;
    let text = text(fields)?;
    let request = fields.text("request").unwrap_or("");
    if !validation::is_token(request) {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "request_invalid",
            "Ce formulaire est incomplet : rechargez la page de la liste, puis écrivez le message à nouveau.",
        ));
    }
    if !function.reaches_people() {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "emails_off",
            "Ce site n'envoie pas de courriels : le message ne peut pas partir. Écrivez aux personnes inscrites depuis votre messagerie (leurs adresses figurent dans la liste) et, pour annuler la rencontre, demandez à la coordination de la marquer annulée.",
        ));
    }
    if clock::now() >= meetup.ends_at {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "meetup_over",
            "La rencontre est passée : ce formulaire ne sert plus à écrire aux personnes inscrites.",
        ));
    }
    if meetup.status == MeetupStatus::Cancelled && kind != MessageKind::Cancellation {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "meetup_cancelled",
            "La rencontre est annulée : il n'y a plus de changement ni de rappel à annoncer.",
        ));
    }
    let outcome = function
        .store
        .record_message(&OrganiserMessage {
            meetup_id: meetup.id.clone(),
            request: request.to_string(),
            kind,
            sent_at: clock::now(),
        })
        .await
        .map_err(super::store_error)?;
    let notice = match outcome {
        MessageOutcome::AlreadyRecorded => {
            tracing::info!(
                route = "messages",
                kind = kind.as_str(),
                "message already sent"
            );
            match kind {
                MessageKind::Cancellation => "La rencontre est déjà annulée : les personnes inscrites ont reçu le message d'annulation, il ne part pas une seconde fois.".to_string(),
                _ => "Ce message est déjà parti : il n'a pas été envoyé une seconde fois.".to_string(),
            }
        }
        MessageOutcome::Recorded { recipients } => {
            let count = recipients.len();
            tracing::info!(
                route = "messages",
                kind = kind.as_str(),
                count,
                "message recorded"
            );
            let meetup = match kind {
                MessageKind::Cancellation => maillage_model::meetup::MeetupDefinition {
                    status: MeetupStatus::Cancelled,
                    ..meetup.clone()
                },
                _ => meetup.clone(),
            };
            function
                .notify(&Event::Messaged {
                    meetup,
                    kind,
                    text: text.clone(),
                    recipients: recipients
                        .into_iter()
                        .map(|to| {
                            let cancel_url = registration::cancel_url(function, &to.token);
                            (
                                Recipient {
                                    name: to.name,
                                    email: to.email,
                                },
                                cancel_url,
                            )
                        })
                        .collect(),
                })
                .await;
            sent_notice(kind, count)
        }
    };
    let meetup = function.meetup(&meetup.id).await?;
    registrants::list_answer(
        function,
        &meetup,
        &key,
        headers,
        fields,
        query,
        Format::Html,
        Some(&notice),
    )
    .await
}

/// What the organiser is told once the message is handed to the mail.
fn sent_notice(kind: MessageKind, count: usize) -> String {
    let people = match count {
        0 => "Personne n'est inscrit : aucun courriel n'est parti".to_string(),
        1 => "Le message part par courriel à la personne inscrite".to_string(),
        n => format!("Le message part par courriel aux {n} personnes inscrites"),
    };
    match kind {
        MessageKind::Cancellation => format!(
            "Rencontre annulée : les inscriptions sont fermées. {people}. Le site affichera la rencontre comme annulée à sa prochaine mise à jour."
        ),
        _ => format!("{people}, liste d'attente comprise."),
    }
}

fn kind(fields: &Fields) -> Result<MessageKind, ApiError> {
    fields
        .text("kind")
        .and_then(MessageKind::parse)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "kind_invalid",
                "Choisissez ce que le message annonce : un changement, une annulation ou un rappel.",
            )
            .with_field("kind", "Choisissez ce que le message annonce.")
        })
}

/// The organiser's words: plain text, line breaks kept, other control
/// characters dropped.
fn text(fields: &Fields) -> Result<String, ApiError> {
    let raw = fields.text("text").unwrap_or("").replace("\r\n", "\n");
    let text: String = raw
        .trim()
        .chars()
        .filter(|c| *c == '\n' || !c.is_control())
        .collect();
    let problem = if text.is_empty() {
        Some("Écrivez le message.".to_string())
    } else if text.chars().count() > MESSAGE_MAX {
        Some(format!(
            "Le message est trop long : {MESSAGE_MAX} caractères au plus."
        ))
    } else {
        None
    };
    match problem {
        Some(problem) => Err(
            ApiError::new(StatusCode::BAD_REQUEST, "text_invalid", &problem)
                .with_field("text", &problem),
        ),
        None => Ok(text),
    }
}
