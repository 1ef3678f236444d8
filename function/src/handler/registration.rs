//! `POST {api}/registrations`: take a seat or a waiting-list place.

use bytes::Bytes;
use chrono::{DateTime, Duration, Utc};
use http::{Response, StatusCode};
use maillage_model::french;
use maillage_model::zone::Tz;
use serde_json::json;

use maillage_model::clock;
use maillage_model::events::{Event, Recipient};
use maillage_model::meetup::{MeetupDefinition, MeetupStatus};
use maillage_store::{NewRegistration, RegistrationStatus};

use super::answer::{html_response, json_response, ApiError};
use super::pages::{self, RegisteredPage};
use super::request::Fields;
use super::{validation, Function};

/// Why a meetup takes no registration right now, if it does not.
pub(super) fn refusal(
    meetup: &MeetupDefinition,
    now: DateTime<Utc>,
    site_zone: Tz,
) -> Result<(), ApiError> {
    let refuse = |code, message: String| Err(ApiError::new(StatusCode::CONFLICT, code, message));
    if meetup.status == MeetupStatus::Cancelled {
        return refuse(
            "meetup_cancelled",
            format!(
                "La rencontre « {} » est annulée : elle ne prend plus d'inscriptions.",
                meetup.title
            ),
        );
    }
    if meetup.status == MeetupStatus::Done || now >= meetup.ends_at {
        return refuse(
            "meetup_past",
            format!(
                "La rencontre « {} » a déjà eu lieu : les inscriptions sont terminées.",
                meetup.title
            ),
        );
    }
    if meetup.status == MeetupStatus::Full {
        return refuse(
            "meetup_full",
            format!(
                "La rencontre « {} » est complète et sa liste d'attente est fermée : il n'est plus possible de s'y inscrire.",
                meetup.title
            ),
        );
    }
    if now < meetup.registration_opens {
        return refuse(
            "registration_not_open",
            format!(
                "Les inscriptions à « {} » ne sont pas encore ouvertes : elles ouvrent le {}{}.",
                meetup.title,
                french::date_time(meetup.local_time(meetup.registration_opens)),
                meetup.zone_note(site_zone)
            ),
        );
    }
    if now >= meetup.registration_closes || now >= meetup.starts_at {
        return refuse(
            "registration_closed",
            format!(
                "Les inscriptions à « {} » sont closes depuis le {}{}.",
                meetup.title,
                french::date_time(
                    meetup.local_time(meetup.registration_closes.min(meetup.starts_at))
                ),
                meetup.zone_note(site_zone)
            ),
        );
    }
    Ok(())
}

/// A new private token: 192 random bits, hex (URL-safe, as the site's
/// scripts expect).
pub(super) fn new_token() -> Result<String, ApiError> {
    let bytes: [u8; 24] = random_bytes()?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// `N` bytes from the system's randomness, for secrets and codes.
pub(super) fn random_bytes<const N: usize>() -> Result<[u8; N], ApiError> {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).map_err(|error| {
        tracing::error!(%error, "no system randomness");
        ApiError::unavailable()
    })?;
    Ok(bytes)
}

pub(super) async fn register(
    function: &Function,
    fields: &Fields,
    json: bool,
) -> Result<Response<Bytes>, ApiError> {
    let form = validation::registration(fields)?;
    let now = clock::now();
    let meetup = function.meetup(&form.meetup).await?;
    refusal(&meetup, now, function.config.time_zone)?;

    if fields.text("website").is_some() {
        // The honeypot was filled: answer as if, store nothing.
        tracing::warn!(route = "registrations", "honeypot filled; nothing stored");
        let aggregate = function
            .store
            .aggregate(&meetup.id)
            .await
            .unwrap_or_default();
        let status = if aggregate.confirmed < meetup.capacity {
            RegistrationStatus::Confirmed
        } else {
            RegistrationStatus::Waiting {
                position: aggregate.waiting + 1,
            }
        };
        let token = new_token()?;
        return Ok(answer(function, &meetup, status, Some(&token), None, json).await);
    }

    let registration = NewRegistration {
        meetup_id: meetup.id.clone(),
        name: form.name.clone(),
        email: form.email.clone(),
        role: form.role,
        structure: form.structure,
        need: form.need,
        token: new_token()?,
        registered_at: now,
        expires_at: meetup.ends_at + Duration::days(i64::from(function.config.retention_days)),
    };
    let outcome = function
        .store
        .register(registration)
        .await
        .map_err(super::store_error)?;
    if outcome.status == RegistrationStatus::Cancelled {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "registration_cancelled",
            "Une inscription annulée existe déjà avec cette adresse pour cette rencontre. Contactez l'équipe organisatrice pour revenir.",
        ));
    }
    tracing::info!(
        route = "registrations",
        status = status_word(outcome.status),
        repeated = outcome.already_registered,
        "registration recorded"
    );
    if outcome.already_registered {
        // Same seat, same answer. The private link is not handed out to
        // whoever knows the address; it goes to the address again, for the
        // person whose first answer never arrived.
        function
            .notify(&Event::RegisteredAgain {
                meetup: meetup.clone(),
                email: form.email,
                status: outcome.status,
                cancel_url: cancel_url(function, &outcome.token),
            })
            .await;
        let repeated = if function.reaches_people() {
            Repeated::LinkSentAgain
        } else {
            Repeated::LinkGivenBefore
        };
        return Ok(answer(
            function,
            &meetup,
            outcome.status,
            None,
            Some(repeated),
            json,
        )
        .await);
    }
    let cancel_url = cancel_url(function, &outcome.token);
    function
        .notify(&Event::Registered {
            meetup: meetup.clone(),
            person: Recipient {
                name: form.name,
                email: form.email,
            },
            status: outcome.status,
            cancel_url,
        })
        .await;
    Ok(answer(
        function,
        &meetup,
        outcome.status,
        Some(&outcome.token),
        None,
        json,
    )
    .await)
}

/// What an answer to a registration made again says about the link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Repeated {
    /// Emails are on: the link was just sent to the registered address.
    LinkSentAgain,
    /// No emails: the link is the one the first answer gave.
    LinkGivenBefore,
}

/// The private cancellation link (absolute when the site's URL is known).
pub(super) fn cancel_url(function: &Function, token: &str) -> String {
    format!(
        "{}?jeton={token}",
        function.config.public_api_url("/registrations/cancel")
    )
}

fn status_word(status: RegistrationStatus) -> &'static str {
    match status {
        RegistrationStatus::Confirmed => "confirmed",
        RegistrationStatus::Waiting { .. } => "waiting",
        RegistrationStatus::Cancelled => "cancelled",
    }
}

async fn answer(
    function: &Function,
    meetup: &MeetupDefinition,
    status: RegistrationStatus,
    token: Option<&str>,
    repeated: Option<Repeated>,
    json: bool,
) -> Response<Bytes> {
    let position = match status {
        RegistrationStatus::Waiting { position } => Some(position),
        _ => None,
    };
    let when = format!(
        "{}{}",
        meetup.when(),
        meetup.zone_note(function.config.time_zone)
    );
    let mut message = match position {
        None => format!("Votre place est réservée pour « {} », {when}.", meetup.title),
        Some(rank) => format!(
            "« {} » est complète : vous êtes n° {rank} sur la liste d'attente. Si une place se libère, elle vous revient automatiquement.",
            meetup.title
        ),
    };
    let repeated = repeated.map(|repeated| match repeated {
        Repeated::LinkSentAgain => "Vous étiez déjà inscrit·e avec cette adresse\u{a0}: rien n'a changé. Nous venons de vous renvoyer par courriel votre lien d'annulation.",
        Repeated::LinkGivenBefore => "Vous étiez déjà inscrit·e avec cette adresse\u{a0}: rien n'a changé, et le lien d'annulation reste celui reçu la première fois. Sans lui, écrivez à l'équipe organisatrice pour annuler.",
    });
    let cancel_url = token.map(|token| cancel_url(function, token));
    if !json {
        // A static result page cannot show the private link (it never
        // reaches the site): the function answers with its own page.
        let pages = &function.config.result_pages;
        let next_steps = function.config.site_page(match position {
            None => &pages.registered,
            Some(_) => &pages.waiting,
        });
        let page = RegisteredPage {
            meetup_title: &meetup.title,
            meetup_url: Some(meetup.url.as_str()).filter(|u| !u.is_empty()),
            when: &when,
            position,
            cancel_url: cancel_url.as_deref(),
            repeated,
            link_emailed: function.reaches_people(),
            next_steps: &next_steps,
        };
        return html_response(
            if repeated.is_some() {
                StatusCode::OK
            } else {
                StatusCode::CREATED
            },
            pages::registered_page(&function.config.site(), &page),
        );
    }
    if let Some(repeated) = repeated {
        message.push(' ');
        message.push_str(repeated);
    }
    // The meetup's figures as they stand after this registration, so that
    // the page can show them before it is rebuilt.
    let figures = function.store.aggregate(&meetup.id).await.ok();
    let body = json!({
        "status": if position.is_some() { "waiting" } else { "confirmed" },
        "seats_left": figures.as_ref().map(|f| meetup.capacity.saturating_sub(f.confirmed)),
        "waiting": figures.as_ref().map(|f| f.waiting),
        "position": position,
        "meetup": meetup.id,
        "cancel_url": cancel_url,
        "message": message,
    });
    json_response(
        if repeated.is_some() {
            StatusCode::OK
        } else {
            StatusCode::CREATED
        },
        &body,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_elsewhere_is_told_in_its_own_time() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        let meetup = MeetupDefinition {
            id: "code-reunion".into(),
            title: "Club de code".into(),
            starts_at: at("2025-09-12T14:30:00Z"),
            ends_at: at("2025-09-12T16:30:00Z"),
            capacity: 12,
            status: MeetupStatus::Planned,
            // 8:00 in La Réunion (UTC+4).
            registration_opens: at("2025-09-05T04:00:00Z"),
            registration_closes: at("2025-09-12T14:30:00Z"),
            report_key_sha256: None,
            location: String::new(),
            url: String::new(),
            time_zone: "Indian/Reunion".parse().unwrap(),
        };
        let paris = maillage_model::zone::DEFAULT;
        let early = refusal(&meetup, at("2025-09-01T00:00:00Z"), paris).unwrap_err();
        assert!(
            early.message.contains(
                "elles ouvrent le vendredi 5 septembre 2025 à 8 h (heure de La Réunion)."
            ),
            "{}",
            early.message
        );
        // A site in La Réunion names no zone.
        let reunion = meetup.time_zone;
        let early = refusal(&meetup, at("2025-09-01T00:00:00Z"), reunion).unwrap_err();
        assert!(early.message.ends_with("à 8 h."), "{}", early.message);
    }
}
