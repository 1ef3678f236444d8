//! `/rencontres/<id>/`: a meetup with its place, figures, published report,
//! the meetup it follows up on, calendar link, JSON-LD and form settings.

use maillage_model::french;
use maillage_model::meetup::{PublicReport, Role};
use maillage_model::zone::{self, Tz};
use serde_json::{json, Map, Value};

use super::markdown::{render, Trust};
use super::network::Network;
use super::{jsonld, page_object};
use crate::data::entries::is_web_url;

/// The organiser's first name: the first word of the published name.
pub(crate) fn first_name(name: &str) -> &str {
    name.split_whitespace().next().unwrap_or("")
}

fn role_label(role: Role) -> &'static str {
    match role {
        Role::Participant => "Participant·e",
        Role::Facilitator => "Facilitateur·rice",
        Role::Speaker => "Intervenant·e",
    }
}

fn optional_html(text: Option<&String>, french: bool) -> Value {
    match text.map(|t| render(t, Trust::Report, french)) {
        Some(html) if !html.is_empty() => Value::String(html),
        _ => Value::Null,
    }
}

/// The public part of a report, rendered.
pub(crate) fn report_value(report: &PublicReport, zone: Tz, french: bool) -> Value {
    let links: Vec<Value> = report
        .links
        .iter()
        .filter(|l| is_web_url(l.url.trim()))
        .map(|l| json!({"label": l.label, "url": l.url.trim()}))
        .collect();
    json!({
        "submitted_at": report.submitted_at.map(|at| zone::iso(at, zone)),
        "attendance": report.attendance,
        "outcome_html": optional_html(report.outcome.as_ref(), french),
        "went_well_html": optional_html(report.went_well.as_ref(), french),
        "problems_html": optional_html(report.problems.as_ref(), french),
        "improvements_html": optional_html(report.improvements.as_ref(), french),
        "sheets_html": optional_html(report.sheets.as_ref(), french),
        "links": links,
    })
}

/// Where the registration form posts: `config.extra.api_url` + `/registrations`.
pub(crate) fn api_url(net: &Network) -> String {
    net.config
        .extra
        .get("api_url")
        .and_then(Value::as_str)
        .unwrap_or("/api")
        .trim_end_matches('/')
        .to_string()
}

pub(crate) fn page(net: &Network, m: usize, place_full: &Value) -> Map<String, Value> {
    let meetup = &net.data.meetups[m];
    let path = net.urls.meetup(&meetup.id);
    let mut value = Value::clone(&net.meetup_summaries[m]);
    let map = value.as_object_mut().expect("summaries are objects");
    map.insert(
        "organiser".into(),
        Value::String(first_name(&meetup.organiser).to_string()),
    );
    map.insert(
        "wanted".into(),
        json!({
            "facilitator": meetup.wanted.contains(&Role::Facilitator),
            "speakers": meetup.wanted.contains(&Role::Speaker),
        }),
    );
    map.insert("intentions".into(), json!(meetup.intentions));
    map.insert("bring".into(), json!(meetup.bring));
    map.insert(
        "description_html".into(),
        Value::String(
            meetup
                .description
                .as_deref()
                .map(|d| render(d, Trust::Data, net.french_spacing()))
                .unwrap_or_default(),
        ),
    );
    map.insert("place".into(), place_full.clone());
    map.insert(
        "report".into(),
        net.report(m).map_or(Value::Null, |r| {
            report_value(r, meetup.time_zone, net.french_spacing())
        }),
    );
    let previous = net.previous[m].map_or(Value::Null, |p| {
        let mut prev = Value::clone(&net.meetup_summaries[p]);
        let improvements = net
            .report(p)
            .and_then(|r| r.improvements.as_ref())
            .map(|t| render(t, Trust::Report, net.french_spacing()))
            .filter(|h| !h.is_empty());
        prev["improvements_html"] = improvements.map_or(Value::Null, Value::String);
        prev
    });
    map.insert("previous".into(), previous);
    map.insert(
        "next".into(),
        net.next[m].map_or(Value::Null, |n| Value::clone(&net.meetup_summaries[n])),
    );
    map.insert(
        "ics_path".into(),
        Value::String(format!("{path}calendrier.ics")),
    );
    map.insert(
        "jsonld".into(),
        Value::String(jsonld::to_script_text(&jsonld::event(net, m))),
    );
    let mut roles = vec![Role::Participant];
    roles.extend(meetup.wanted.iter().copied());
    let roles: Vec<Value> = roles
        .into_iter()
        .map(|r| {
            let value = match r {
                Role::Participant => "participant",
                Role::Facilitator => "facilitator",
                Role::Speaker => "speaker",
            };
            json!({"value": value, "label": role_label(r)})
        })
        .collect();
    map.insert(
        "form".into(),
        json!({"action": format!("{}/registrations", api_url(net)), "roles": roles}),
    );
    let place = &net.data.places[net.meetup_place[m]];
    let description = format!(
        "{}, {} à {} ({}). {}",
        french::date(meetup.start.date()),
        french::time_range(meetup.start, meetup.end),
        place.name,
        place.commune,
        value["registration"]["label"].as_str().unwrap_or_default()
    );
    let mut context = Map::new();
    context.insert(
        "page".into(),
        page_object(net, &meetup.title, &description, &path),
    );
    context.insert("meetup".into(), value);
    context
}
