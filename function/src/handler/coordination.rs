//! `POST {api}/coordination`: a region's coordinator's view, behind the
//! region's coordinator's key (header `X-Maillage-Key`, or the form's
//! `key`; never in a URL): the region's meetups to come with their fill
//! rate and waiting list, those past without a report, the reports with
//! their private notes, who was marked present, and the totals. A page by
//! default (the coordinator's page without JavaScript), JSON for its
//! script, CSV for a spreadsheet. Registrants' names and emails are not in
//! it: they stay with each meetup's organiser.
//!
//! The store reads only the meetups the region's definition names
//! ([`Store::follow_up`](maillage_store::Store::follow_up)), so one region's
//! key never reads another region's meetups.

use bytes::Bytes;
use chrono::{DateTime, Utc};
use http::{HeaderMap, Response, StatusCode};
use serde_json::json;

use maillage_model::clock;
use maillage_model::french;
use maillage_model::meetup::{MeetupStatus, RegionDefinition};
use maillage_model::proposal::{Belongs, Proposal, ProposalStatus, ProposedPlace};
use maillage_store::MeetupFollowUp;

use super::answer::{csv_response, html_response, json_response, ApiError};
use super::registrants::{cell, given_key, Format};
use super::report::key_matches;
use super::request::Fields;
use super::{pages, validation, Function};

/// Where a meetup stands, for its coordinator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Stage {
    /// Not over yet.
    Upcoming,
    /// Over, and its organiser has not reported.
    Unreported,
    Reported,
    Cancelled,
}

impl Stage {
    fn of(follow_up: &MeetupFollowUp, now: DateTime<Utc>) -> Stage {
        if follow_up.definition.status == MeetupStatus::Cancelled {
            Stage::Cancelled
        } else if follow_up.report.is_some() {
            Stage::Reported
        } else if follow_up.definition.ends_at >= now {
            Stage::Upcoming
        } else {
            Stage::Unreported
        }
    }

    fn word(self) -> &'static str {
        match self {
            Stage::Upcoming => "upcoming",
            Stage::Unreported => "unreported",
            Stage::Reported => "reported",
            Stage::Cancelled => "cancelled",
        }
    }

    /// In French, as the page and the CSV say it.
    pub(super) fn label(self) -> &'static str {
        match self {
            Stage::Upcoming => "à venir",
            Stage::Unreported => "passée, sans bilan",
            Stage::Reported => "bilan reçu",
            Stage::Cancelled => "annulée",
        }
    }
}

/// The region's view: each meetup with its stage, by start, and the
/// proposals of meetups in the region, in the order they came.
pub(super) struct RegionView<'a> {
    pub region: &'a RegionDefinition,
    pub meetups: Vec<(Stage, MeetupFollowUp)>,
    pub proposals: Vec<Proposal>,
}

/// What the view adds up.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(super) struct Totals {
    pub upcoming: u32,
    /// Seats taken and offered in the meetups to come.
    pub seats_taken: u32,
    pub seats: u32,
    pub waiting: u32,
    /// Held (over and not cancelled), with a report or not.
    pub held: u32,
    pub reported: u32,
    pub unreported: u32,
    /// People marked present by the organisers (themselves included).
    pub present: u32,
    /// People the reports say came.
    pub attendance_reported: u32,
}

impl RegionView<'_> {
    pub(super) fn totals(&self) -> Totals {
        let mut totals = Totals::default();
        for (stage, follow_up) in &self.meetups {
            match stage {
                Stage::Upcoming => {
                    totals.upcoming += 1;
                    totals.seats_taken += follow_up.confirmed;
                    totals.seats += follow_up.definition.capacity;
                    totals.waiting += follow_up.waiting;
                }
                Stage::Reported => {
                    totals.held += 1;
                    totals.reported += 1;
                }
                Stage::Unreported => {
                    totals.held += 1;
                    totals.unreported += 1;
                }
                Stage::Cancelled => {}
            }
            totals.present += present(follow_up);
            totals.attendance_reported += follow_up
                .report
                .as_ref()
                .and_then(|r| r.attendance)
                .unwrap_or(0);
        }
        totals
    }
}

/// Everyone marked present, the organiser included.
pub(super) fn present(follow_up: &MeetupFollowUp) -> u32 {
    follow_up.present + u32::from(follow_up.organiser_present)
}

/// Seats taken out of the capacity, in whole percent; `None` without seats.
pub(super) fn fill_rate(follow_up: &MeetupFollowUp) -> Option<u32> {
    let capacity = follow_up.definition.capacity;
    (capacity > 0).then(|| (follow_up.confirmed * 100 + capacity / 2) / capacity)
}

/// When a meetup starts, in words, in its own zone.
pub(super) fn when(follow_up: &MeetupFollowUp) -> String {
    let meetup = &follow_up.definition;
    french::date_time(meetup.local_time(meetup.starts_at))
}

pub(super) async fn view(
    function: &Function,
    headers: &HeaderMap,
    fields: &Fields,
    query: &Fields,
) -> Result<Response<Bytes>, ApiError> {
    let (region, key) = coordinator_access(function, headers, fields).await?;
    region_view(function, &region, &key, headers, fields, query, None).await
}

/// The region's view in the format asked for; the page shows `notice`
/// above it (JSON as `message`).
pub(super) async fn region_view(
    function: &Function,
    region: &RegionDefinition,
    key: &str,
    headers: &HeaderMap,
    fields: &Fields,
    query: &Fields,
    notice: Option<&str>,
) -> Result<Response<Bytes>, ApiError> {
    let mut found = function
        .store
        .follow_up(&region.meetups)
        .await
        .map_err(super::store_error)?;
    found.sort_by(|a, b| {
        (a.definition.starts_at, &a.definition.id).cmp(&(b.definition.starts_at, &b.definition.id))
    });
    let proposals = function
        .store
        .proposals(&region.id)
        .await
        .map_err(super::store_error)?;
    let now = clock::now();
    let view = RegionView {
        region,
        meetups: found
            .into_iter()
            .map(|follow_up| (Stage::of(&follow_up, now), follow_up))
            .collect(),
        proposals,
    };
    tracing::info!(
        route = "coordination",
        meetups = view.meetups.len(),
        proposals = view.proposals.len(),
        "region read"
    );
    Ok(match Format::asked(headers, fields, query, Format::Html) {
        Format::Html => html_response(
            StatusCode::OK,
            pages::coordination_page(&function.config, &view, key, notice),
        ),
        Format::Json => {
            let mut answer = json_view(&view);
            answer["message"] = json!(notice);
            json_response(StatusCode::OK, &answer)
        }
        Format::Csv => csv_response(&format!("coordination-{}.csv", region.id), csv(&view)),
    })
}

/// The region a request names, once its coordinator's key is checked, with
/// that key. No key: 401; a wrong key, another region's key, or a region
/// unknown or without a key: 403, the same answer for all.
pub(super) async fn coordinator_access(
    function: &Function,
    headers: &HeaderMap,
    fields: &Fields,
) -> Result<(RegionDefinition, String), ApiError> {
    let region_id = fields.text("region").unwrap_or("").trim();
    if region_id.is_empty() {
        return Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "region_missing",
            "Indiquez la région : elle figure dans le lien secret, après « region= ».",
        )
        .with_field("region", "Indiquez la région."));
    }
    let key = given_key(headers, fields).ok_or_else(key_invalid)?;
    if key.is_empty() {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "key_missing",
            "La clé de coordination est nécessaire : elle figure dans le lien secret reçu par la coordination régionale, après « cle= ».",
        )
        .with_field("key", "Indiquez la clé de coordination."));
    }
    if key.len() > validation::KEY_MAX || !validation::is_meetup_id(region_id) {
        return Err(key_invalid());
    }
    let region = function
        .store
        .region(region_id)
        .await
        .map_err(super::store_error)?;
    let expected = region
        .as_ref()
        .and_then(|r| r.coordinator_key_sha256.as_deref());
    match region {
        Some(region) if key_matches(expected, &key) => Ok((region, key)),
        _ => {
            tracing::warn!("coordinator key refused");
            Err(key_invalid())
        }
    }
}

fn key_invalid() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "key_invalid",
        "Cette clé n'ouvre pas la page de coordination de cette région. Vérifiez la région et la clé (copiez le lien secret en entier).",
    )
    .with_field("key", "Cette clé ne correspond pas à cette région.")
}

fn json_view(view: &RegionView<'_>) -> serde_json::Value {
    let totals = view.totals();
    let meetups: Vec<_> = view
        .meetups
        .iter()
        .map(|(stage, f)| {
            let meetup = &f.definition;
            json!({
                "meetup": meetup.id,
                "title": meetup.title,
                "url": meetup.url,
                "starts_at": meetup.starts_at.to_rfc3339(),
                "when": when(f),
                "stage": stage.word(),
                "stage_label": stage.label(),
                "capacity": meetup.capacity,
                "confirmed": f.confirmed,
                "waiting": f.waiting,
                "fill_rate": fill_rate(f),
                "present": present(f),
                "report": f.report.as_ref().map(|r| json!({
                    "submitted_at": r.submitted_at.map(|t| t.to_rfc3339()),
                    "attendance": r.attendance,
                    "outcome": r.outcome,
                    "went_well": r.went_well,
                    "problems": r.problems,
                    "improvements": r.improvements,
                    "sheets": r.sheets,
                })),
                "private_notes": f.private_notes,
            })
        })
        .collect();
    let proposals: Vec<_> = view.proposals.iter().map(json_proposal).collect();
    json!({
        "region": view.region.id,
        "name": view.region.name,
        "meetups": meetups,
        "proposals": proposals,
        "places": view.region.places.iter().map(|p| json!({"id": p.id, "name": p.name})).collect::<Vec<_>>(),
        "totals": {
            "upcoming": totals.upcoming,
            "seats_taken": totals.seats_taken,
            "seats": totals.seats,
            "waiting": totals.waiting,
            "held": totals.held,
            "reported": totals.reported,
            "unreported": totals.unreported,
            "present": totals.present,
            "attendance_reported": totals.attendance_reported,
        },
    })
}

/// A proposal as the coordinator reads it: the proposer's name and email
/// included (they answer them), and where it stands.
fn json_proposal(proposal: &Proposal) -> serde_json::Value {
    json!({
        "id": proposal.id,
        "status": proposal_status(proposal),
        "meetup": match &proposal.status {
            ProposalStatus::Accepted { meetup } => Some(meetup),
            _ => None,
        },
        "title": proposal.title,
        "belongs": belongs_label(&proposal.belongs),
        "place": match &proposal.place {
            ProposedPlace::Known(id) => json!({ "id": id }),
            ProposedPlace::New(new) => json!({ "name": new.name, "town": new.town, "department": new.department }),
        },
        "start": proposal.start.format("%Y-%m-%dT%H:%M").to_string(),
        "end": proposal.end.format("%Y-%m-%dT%H:%M").to_string(),
        "when": french::span(proposal.start, proposal.end),
        "capacity": proposal.capacity,
        "intentions": proposal.intentions,
        "name": proposal.name,
        "email": proposal.email,
        "message": proposal.message,
        "submitted_at": proposal.submitted_at.to_rfc3339(),
    })
}

pub(super) fn proposal_status(proposal: &Proposal) -> &'static str {
    match proposal.status {
        ProposalStatus::Pending => "pending",
        ProposalStatus::Accepted { .. } => "accepted",
        ProposalStatus::Declined => "declined",
    }
}

/// What a proposal belongs to, in French.
pub(super) fn belongs_label(belongs: &Belongs) -> String {
    match belongs {
        Belongs::Module { module, week } => format!("module {module}, semaine {week}"),
        Belongs::Series { series } => format!("série {series}"),
    }
}

/// The view as CSV for a spreadsheet in French, as the organiser's list is.
fn csv(view: &RegionView<'_>) -> String {
    let mut out = String::from(
        "\u{feff}identifiant;titre;début;étape;places;inscriptions confirmées;remplissage (%);liste d'attente;présences notées;participants selon le bilan;notes privées\r\n",
    );
    for (stage, f) in &view.meetups {
        let meetup = &f.definition;
        let number = |n: Option<u32>| n.map(|n| n.to_string()).unwrap_or_default();
        let cells = [
            cell(&meetup.id),
            cell(&meetup.title),
            meetup
                .local_time(meetup.starts_at)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            cell(stage.label()),
            meetup.capacity.to_string(),
            f.confirmed.to_string(),
            number(fill_rate(f)),
            f.waiting.to_string(),
            present(f).to_string(),
            number(f.report.as_ref().and_then(|r| r.attendance)),
            cell(f.private_notes.as_deref().unwrap_or("")),
        ];
        out.push_str(&cells.join(";"));
        out.push_str("\r\n");
    }
    out
}
