//! `{api}/registrations/cancel`: a GET shows the confirmation step (a page
//! in French), the POST cancels and promotes the first person waiting.

use bytes::Bytes;
use http::{Response, StatusCode};
use serde_json::json;

use maillage_model::clock;
use maillage_model::events::{Event, Recipient};
use maillage_store::{CancelOutcome, RegistrationStatus};

use super::answer::{html_response, json_response, see_other, ApiError};
use super::pages::{self, CancelPage};
use super::request::Fields;
use super::{validation, Function};

fn token(fields: &Fields) -> Option<&str> {
    fields
        .text("jeton")
        .or_else(|| fields.text("token"))
        .filter(|t| validation::is_token(t))
}

fn unknown_token() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "unknown_token",
        "Ce lien d'annulation ne correspond à aucune inscription en cours (lien incomplet, ou données effacées après la rencontre).",
    )
}

/// GET: the confirmation page (or, for scripts, where the registration stands).
pub(super) async fn show(
    function: &Function,
    query: &Fields,
    json: bool,
) -> Result<Response<Bytes>, ApiError> {
    let found = match token(query) {
        Some(token) => function
            .store
            .registration_by_token(token)
            .await
            .map_err(super::store_error)?,
        None => None,
    };
    let (Some(token), Some(registration)) = (token(query), found) else {
        if json {
            return Err(unknown_token());
        }
        return Ok(html_response(
            StatusCode::NOT_FOUND,
            pages::unknown_token_page(),
        ));
    };
    let meetup = function
        .store
        .meetup(&registration.meetup_id)
        .await
        .map_err(super::store_error)?;
    let standing = match registration.status {
        RegistrationStatus::Confirmed => Some("Vous avez une place confirmée.".to_string()),
        RegistrationStatus::Waiting { position } => {
            Some(format!("Vous êtes n° {position} sur la liste d'attente."))
        }
        RegistrationStatus::Cancelled => None,
    };
    if json {
        return Ok(json_response(
            StatusCode::OK,
            &json!({
                "meetup": registration.meetup_id,
                "status": match registration.status {
                    RegistrationStatus::Confirmed => "confirmed",
                    RegistrationStatus::Waiting { .. } => "waiting",
                    RegistrationStatus::Cancelled => "cancelled",
                },
                "position": match registration.status {
                    RegistrationStatus::Waiting { position } => Some(position),
                    _ => None,
                },
            }),
        ));
    }
    let title = meetup
        .as_ref()
        .map_or(registration.meetup_id.as_str(), |m| m.title.as_str());
    let date_label = meetup
        .as_ref()
        .map(|m| format!("{}{}", m.when(), m.zone_note(function.config.time_zone)))
        .unwrap_or_default();
    let action = format!("{}/registrations/cancel", function.config.api_base);
    let page = CancelPage {
        meetup_title: title,
        meetup_url: meetup
            .as_ref()
            .map(|m| m.url.as_str())
            .filter(|u| !u.is_empty()),
        date_label,
        standing,
        action: &action,
        token,
    };
    Ok(html_response(StatusCode::OK, pages::cancel_page(&page)))
}

/// POST: cancels, then tells the sinks (and who got the freed seat).
pub(super) async fn cancel(
    function: &Function,
    fields: &Fields,
    json: bool,
) -> Result<Response<Bytes>, ApiError> {
    let Some(token) = token(fields) else {
        return Err(unknown_token());
    };
    let outcome = function
        .store
        .cancel(token, clock::now())
        .await
        .map_err(super::store_error)?;
    let (meetup_id, already) = match outcome {
        CancelOutcome::UnknownToken => return Err(unknown_token()),
        CancelOutcome::AlreadyCancelled { meetup_id } => (meetup_id, true),
        CancelOutcome::Cancelled {
            meetup_id,
            promoted,
        } => {
            tracing::info!(
                route = "registrations/cancel",
                promoted = promoted.is_some(),
                "registration cancelled"
            );
            function
                .notify(&Event::Cancelled {
                    meetup_id: meetup_id.clone(),
                })
                .await;
            if let Some(person) = promoted {
                match function.store.meetup(&meetup_id).await {
                    Ok(Some(meetup)) => {
                        function
                            .notify(&Event::Promoted {
                                meetup,
                                person: Recipient {
                                    name: person.name,
                                    email: person.email,
                                },
                            })
                            .await
                    }
                    Ok(None) => {}
                    Err(error) => {
                        tracing::error!(%error, "promotion done but the meetup could not be read")
                    }
                }
            }
            (meetup_id, false)
        }
    };
    if !json {
        let page = &function.config.result_pages.cancelled;
        return Ok(see_other(
            &function
                .config
                .site_page(&format!("{page}?rencontre={meetup_id}")),
        ));
    }
    let message = if already {
        "Cette inscription était déjà annulée : rien n'a changé."
    } else {
        "Votre inscription est annulée. Merci de nous avoir prévenus : votre place revient à la personne suivante sur la liste d'attente."
    };
    Ok(json_response(
        StatusCode::OK,
        &json!({"status": "cancelled", "meetup": meetup_id, "message": message}),
    ))
}
