//! `POST {api}/proposals`: an organiser proposes a meetup; `POST
//! {api}/proposals/decision`: the region's coordinator accepts it (possibly
//! edited) or declines it, behind the region's key.
//!
//! Accepting records the meetup it becomes (its entry for `data/`, which
//! `maillage export` writes), puts its definition in the store at once (so
//! that people can register before the site shows it), gives the proposer
//! an organiser's key (its hash is in the entry; the key only in their
//! email), and tells the sinks: the rebuild trigger, and the email to the
//! proposer. Declining writes to the proposer with the coordinator's
//! message.

use bytes::Bytes;
use chrono::{DateTime, Duration, Utc};
use http::{HeaderMap, Response, StatusCode};
use serde_json::json;

use maillage_model::clock;
use maillage_model::events::Event;
use maillage_model::french;
use maillage_model::meetup::{MeetupDefinition, MeetupStatus, RegionDefinition, RegionPlace};
use maillage_model::proposal::{
    AcceptedMeetup, Decision, DecisionOutcome, Proposal, ProposalStatus, ProposedPlace,
};
use maillage_model::zone::{self, Tz};

use crate::organiser_key::{private_link, OrganiserKey};

use super::answer::{html_response, json_response, ApiError};
use super::coordination::{coordinator_access, region_view};
use super::proposal_form::{self, DecisionForm, ProposalForm};
use super::registration::new_token;
use super::request::Fields;
use super::{proposal_pages, validation, Function};

/// `POST {api}/proposals`.
pub(super) async fn submit(
    function: &Function,
    fields: &Fields,
    json: bool,
) -> Result<Response<Bytes>, ApiError> {
    let form = proposal_form::proposal(fields)?;
    let region = function
        .store
        .region(&form.region)
        .await
        .map_err(super::store_error)?
        .ok_or_else(|| {
            field(
                "region",
                "Choisissez la région de la rencontre dans la liste.",
            )
        })?;
    if !region
        .belongs
        .contains(&fields.text("belongs").unwrap_or("").to_string())
    {
        return Err(field(
            "belongs",
            "Choisissez le module (et sa semaine) ou la série de la rencontre dans la liste.",
        ));
    }
    let zone = match &form.place {
        ProposedPlace::Known(id) => place_of(&region, id)?.time_zone,
        ProposedPlace::New(_) => region.time_zone,
    };
    let (starts_at, ends_at) = instants(form.start, form.end, zone)?;
    let now = clock::now();
    if starts_at <= now {
        return Err(field(
            "start",
            "La rencontre doit avoir lieu dans le futur.",
        ));
    }
    let id = match fields.text("request") {
        Some(token) if validation::is_token(token) => token.to_string(),
        _ => new_token()?,
    };
    let proposal = new_proposal(function, form, &region, id, now, ends_at);
    // The honeypot filled: the answer looks the same, nothing is kept.
    let honeypot = fields.text("website").is_some();
    if !honeypot
        && function
            .store
            .submit_proposal(&proposal)
            .await
            .map_err(super::store_error)?
    {
        function
            .notify(&Event::ProposalReceived {
                proposal: proposal.clone(),
                region_name: region.name.clone(),
            })
            .await;
    }
    tracing::info!(route = "proposals", "proposal received");
    // Promise an email only where the site sends them.
    let emailed = function.reaches_people();
    let message = if emailed {
        format!(
            "Merci ! Votre proposition « {} » est transmise à la coordination de la région {}, qui vous répondra par courriel.",
            proposal.title, region.name
        )
    } else {
        format!(
            "Merci ! Votre proposition « {} » est transmise à la coordination de la région {}. Ce site n'envoie pas de courriel : la coordination voit l'adresse que vous avez donnée pour vous répondre.",
            proposal.title, region.name
        )
    };
    if json {
        return Ok(json_response(
            StatusCode::CREATED,
            &json!({ "status": "received", "proposal": proposal.id, "message": message }),
        ));
    }
    Ok(html_response(
        StatusCode::CREATED,
        proposal_pages::proposal_received_page(&function.config, &message, emailed),
    ))
}

fn new_proposal(
    function: &Function,
    form: ProposalForm,
    region: &RegionDefinition,
    id: String,
    now: DateTime<Utc>,
    ends_at: DateTime<Utc>,
) -> Proposal {
    Proposal {
        id,
        region: region.id.clone(),
        belongs: form.belongs,
        place: form.place,
        title: form.title,
        start: form.start,
        end: form.end,
        capacity: form.capacity,
        intentions: form.intentions,
        name: form.name,
        email: form.email,
        submitted_at: now,
        // Kept like a registration: until the retention after the meetup.
        expires_at: ends_at.max(now) + Duration::days(i64::from(function.config.retention_days)),
        status: ProposalStatus::Pending,
        message: None,
    }
}

/// `POST {api}/proposals/decision`: the coordinator's decision, answered
/// with the region's view (JSON, or the page without JavaScript).
pub(super) async fn decide(
    function: &Function,
    headers: &HeaderMap,
    fields: &Fields,
    query: &Fields,
) -> Result<Response<Bytes>, ApiError> {
    let (region, key) = coordinator_access(function, headers, fields).await?;
    let form = proposal_form::decision(fields)?;
    let proposals = function
        .store
        .proposals(&region.id)
        .await
        .map_err(super::store_error)?;
    let proposal = proposals
        .iter()
        .find(|p| p.id == form.proposal)
        .ok_or_else(unknown_proposal)?;
    let request = match fields.text("request") {
        Some(token) if validation::is_token(token) => token.to_string(),
        _ => new_token()?,
    };
    let now = clock::now();
    // Decided already (by this request sent again, or by another): nothing
    // to prepare, the store says which.
    let fresh = proposal.status == ProposalStatus::Pending;
    let accepted = if form.accept && fresh {
        Some(accept(function, &region, proposal, &form, now).await?)
    } else {
        None
    };
    let decision = Decision {
        region: region.id.clone(),
        proposal: proposal.id.clone(),
        request,
        accepted: accepted.as_ref().map(|(meetup, _, _)| meetup.clone()),
        message: form.message.clone(),
        decided_at: now,
    };
    let decided = match function
        .store
        .decide_proposal(&decision)
        .await
        .map_err(super::store_error)?
    {
        DecisionOutcome::Decided(proposal) => proposal,
        DecisionOutcome::AlreadyDecided(_) => {
            return Err(ApiError::new(
                StatusCode::CONFLICT,
                "already_decided",
                "Cette proposition a déjà reçu une réponse : rien n'a été changé.",
            ))
        }
        DecisionOutcome::Unknown => return Err(unknown_proposal()),
    };
    // Only what the store recorded goes out. This request sent again (its
    // answer lost, the page reloaded) finds what its first sending recorded,
    // which wrote the meetup and the email: its own preparation is dropped.
    let recorded_now = fresh
        && match (&decided.status, &accepted) {
            (ProposalStatus::Accepted { meetup }, Some((prepared, _, _))) => *meetup == prepared.id,
            (ProposalStatus::Declined, None) => true,
            _ => false,
        };
    let link = accepted
        .as_ref()
        .filter(|_| recorded_now)
        .map(|(_, _, link)| link.as_str());
    let notice = decision_notice(&decided, function.reaches_people(), link);
    if recorded_now {
        let accepted = match accepted {
            Some((_, definition, link)) => {
                // People may register at once; the site shows it after the
                // rebuild.
                function
                    .store
                    .put_meetups(std::slice::from_ref(&definition))
                    .await
                    .map_err(super::store_error)?;
                Some((definition, link))
            }
            None => None,
        };
        tracing::info!(
            route = "proposals/decision",
            accepted = accepted.is_some(),
            "proposal decided"
        );
        function
            .notify(&Event::ProposalDecided {
                proposal: decided,
                region_name: region.name.clone(),
                accepted,
            })
            .await;
    } else {
        tracing::info!(route = "proposals/decision", "decision sent again");
    }
    region_view(
        function,
        &region,
        &key,
        headers,
        fields,
        query,
        Some(&notice),
    )
    .await
}

/// What the coordinator is told of a decision. Without emails, the
/// organiser's private link is shown here, the once it exists, for the
/// coordinator to give on; nothing promises an email the site does not send.
fn decision_notice(decided: &Proposal, emails: bool, link: Option<&str>) -> String {
    let title = &decided.title;
    match (&decided.status, emails, link) {
        (ProposalStatus::Accepted { meetup }, true, _) => format!(
            "La proposition « {title} » est acceptée : la rencontre {meetup} paraîtra sur le site à sa prochaine mise à jour, et son organisateur a reçu son lien secret par courriel."
        ),
        (ProposalStatus::Accepted { meetup }, false, Some(link)) => format!(
            "La proposition « {title} » est acceptée : la rencontre {meetup} paraîtra sur le site à sa prochaine mise à jour. Ce site n'envoie pas de courriel : donnez vous-même à son organisateur ou organisatrice son lien secret, affiché cette seule fois : {link}"
        ),
        (ProposalStatus::Accepted { meetup }, false, None) => format!(
            "La proposition « {title} » est acceptée : la rencontre {meetup} paraîtra sur le site à sa prochaine mise à jour. Son lien secret a été affiché quand elle a été acceptée."
        ),
        (_, true, _) => format!(
            "La proposition « {title} » est refusée ; son auteur ou autrice en est informé par courriel."
        ),
        (_, false, _) => format!(
            "La proposition « {title} » est refusée. Ce site n'envoie pas de courriel : prévenez vous-même son auteur ou autrice à l'adresse indiquée."
        ),
    }
}

/// The meetup an accepted proposal becomes (with the coordinator's edits),
/// its definition for the store, and the proposer's private link.
async fn accept(
    function: &Function,
    region: &RegionDefinition,
    proposal: &Proposal,
    form: &DecisionForm,
    now: DateTime<Utc>,
) -> Result<(AcceptedMeetup, MeetupDefinition, String), ApiError> {
    let place_id = match (&form.place, &proposal.place) {
        (Some(id), _) | (None, ProposedPlace::Known(id)) => id.clone(),
        (None, ProposedPlace::New(_)) => {
            return Err(field(
                "place",
                "Ce lieu n'est pas encore dans la liste : ajoutez-le aux données du site, publiez-les, puis choisissez-le ici.",
            ))
        }
    };
    let place = place_of(region, &place_id)?;
    let title = form.title.clone().unwrap_or_else(|| proposal.title.clone());
    let (start, end) = form.times.unwrap_or((proposal.start, proposal.end));
    let capacity = form.capacity.unwrap_or(proposal.capacity);
    let (starts_at, ends_at) = instants(start, end, place.time_zone)?;
    let id = free_meetup_id(function, &title, start).await?;
    let key = OrganiserKey::generate().map_err(|error| {
        tracing::error!(%error, "no system randomness");
        ApiError::unavailable()
    })?;
    let config = &function.config;
    let link = private_link(
        &config.site_url,
        &config.result_pages.report_form,
        &id,
        &key.key,
    );
    let meetup = AcceptedMeetup {
        id: id.clone(),
        proposal: proposal.id.clone(),
        region: region.id.clone(),
        title: title.clone(),
        belongs: proposal.belongs.clone(),
        place: place.id.clone(),
        start,
        end,
        capacity,
        intentions: proposal.intentions.clone(),
        organiser: first_name(&proposal.name),
        report_key_sha256: key.sha256.clone(),
        accepted_at: now,
    };
    let definition = MeetupDefinition {
        id: id.clone(),
        title,
        starts_at,
        ends_at,
        capacity,
        status: MeetupStatus::Open,
        registration_opens: DateTime::<Utc>::UNIX_EPOCH,
        registration_closes: starts_at,
        report_key_sha256: Some(key.sha256),
        location: place.location.clone(),
        url: config.site_page(&config.urls.meetup(&id)),
        time_zone: place.time_zone,
    };
    Ok((meetup, definition, link))
}

/// The first word of a name: what a meetup publishes of its organiser.
fn first_name(name: &str) -> String {
    name.split_whitespace().next().unwrap_or("").to_string()
}

/// An id for the new meetup from its title and month, free in the store.
async fn free_meetup_id(
    function: &Function,
    title: &str,
    start: chrono::NaiveDateTime,
) -> Result<String, ApiError> {
    let base = format!("{}-{}", slug(title), start.format("%Y-%m"));
    let taken: Vec<String> = function
        .store
        .accepted_meetups()
        .await
        .map_err(super::store_error)?
        .into_iter()
        .map(|m| m.id)
        .collect();
    for n in 1..100 {
        let id = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        let known = function
            .store
            .meetup(&id)
            .await
            .map_err(super::store_error)?;
        if known.is_none() && !taken.contains(&id) {
            return Ok(id);
        }
    }
    Err(ApiError::unavailable())
}

/// Lower-case ASCII letters and digits joined by hyphens, French accents
/// folded, 60 characters at most.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.to_lowercase().chars() {
        let folded = match c {
            'à' | 'â' | 'ä' | 'á' | 'ã' | 'å' => "a",
            'ç' => "c",
            'é' | 'è' | 'ê' | 'ë' => "e",
            'î' | 'ï' | 'í' | 'ì' => "i",
            'ô' | 'ö' | 'ó' | 'ò' | 'õ' => "o",
            'û' | 'ü' | 'ú' | 'ù' => "u",
            'ÿ' => "y",
            'œ' => "oe",
            'æ' => "ae",
            c if c.is_ascii_alphanumeric() => {
                out.push(c);
                continue;
            }
            _ => "-",
        };
        out.push_str(folded);
    }
    let joined = out
        .split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let cut: String = joined.chars().take(60).collect();
    let cut = cut.trim_end_matches('-').to_string();
    if cut.is_empty() {
        "rencontre".into()
    } else {
        cut
    }
}

fn place_of<'a>(region: &'a RegionDefinition, id: &str) -> Result<&'a RegionPlace, ApiError> {
    region
        .places
        .iter()
        .find(|p| p.id == id)
        .ok_or_else(|| field("place", "Choisissez un lieu de la région dans la liste."))
}

fn to_utc(local: chrono::NaiveDateTime, zone: Tz) -> Result<DateTime<Utc>, ApiError> {
    zone::to_utc(local, zone).ok_or_else(|| {
        field(
            "start",
            format!(
                "Cette heure n'existe pas ({} : changement d'heure).",
                french::zone_name(zone)
            ),
        )
    })
}

fn instants(
    start: chrono::NaiveDateTime,
    end: chrono::NaiveDateTime,
    zone: Tz,
) -> Result<(DateTime<Utc>, DateTime<Utc>), ApiError> {
    Ok((to_utc(start, zone)?, to_utc(end, zone)?))
}

fn field(name: &str, message: impl Into<String>) -> ApiError {
    let message = message.into();
    let mut fields = std::collections::BTreeMap::new();
    fields.insert(name.to_string(), message);
    ApiError::invalid_fields(fields)
}

fn unknown_proposal() -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "unknown_proposal",
        "Cette proposition n'existe pas dans votre région (ou elle a expiré).",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_fold_french_and_stay_short() {
        assert_eq!(
            slug("Cartographie à l'école : œuvres"),
            "cartographie-a-l-ecole-oeuvres"
        );
        assert_eq!(slug("???"), "rencontre");
        assert!(slug(&"mot ".repeat(40)).len() <= 60);
        assert_eq!(first_name("  Dominique  Proposante "), "Dominique");
    }
}
