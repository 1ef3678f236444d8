//! `/rencontres/<id>/`: a meetup with its place, figures, published report,
//! the meetup it follows up on, calendar link, JSON-LD and form settings.

use maillage_engine::render::trace::{fingerprint_hashed, fingerprint_parts, Fingerprint};
use maillage_model::french;
use maillage_model::meetup::{PublicReport, Role};
use maillage_model::zone::{self, Tz};
use serde_json::{json, Map, Value};

use super::markdown::{render, Trust};
use super::network::Network;
use super::{jsonld, page_object};
use crate::calendar;
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

/// The page's fields: `meetup` (the summary with the page's own fields,
/// the place in full, the meetups before and after) and `page`.
pub(crate) fn page(net: &Network, m: usize, place_full: &Value) -> Map<String, Value> {
    let meetup = &net.data.meetups[m];
    let path = net.meetup_path(m).to_string();
    let mut value = Value::clone(net.meetup_summary(m));
    let map = value.as_object_mut().expect("summaries are objects");
    map.extend(own_fields(net, m, &path));
    map.insert(
        "jsonld".into(),
        Value::String(jsonld::to_script_text(&jsonld::event(net, m))),
    );
    map.insert("place".into(), place_full.clone());
    let previous = net.previous[m].map_or(Value::Null, |p| {
        let improvements = net
            .report(p)
            .and_then(|r| r.improvements.as_ref())
            .map(|t| render(t, Trust::Report, net.french_spacing()))
            .filter(|h| !h.is_empty());
        let mut prev = Value::clone(net.meetup_summary(p));
        prev["improvements_html"] = improvements.map_or(Value::Null, Value::String);
        prev
    });
    map.insert("previous".into(), previous);
    map.insert(
        "next".into(),
        net.next[m].map_or(Value::Null, |n| Value::clone(net.meetup_summary(n))),
    );
    let place = &net.data.places[net.meetup_place[m]];
    let description = format!(
        "{}, {} à {} ({}). {}",
        french::date(meetup.start.date()),
        french::time_range(meetup.start, meetup.end),
        place.name,
        place.commune,
        net.registration_label(m)
    );
    let mut context = Map::new();
    context.insert(
        "page".into(),
        page_object(net, &meetup.title, &description, &path),
    );
    context.insert("meetup".into(), value);
    context
}

/// The fields the page adds to the meetup's summary.
fn own_fields(net: &Network, m: usize, path: &str) -> Map<String, Value> {
    let meetup = &net.data.meetups[m];
    let mut own = Map::new();
    own.insert(
        "organiser".into(),
        Value::String(first_name(&meetup.organiser).to_string()),
    );
    own.insert(
        "wanted".into(),
        json!({
            "facilitator": meetup.wanted.contains(&Role::Facilitator),
            "speakers": meetup.wanted.contains(&Role::Speaker),
        }),
    );
    own.insert("intentions".into(), json!(meetup.intentions));
    own.insert("bring".into(), json!(meetup.bring));
    own.insert(
        "description_html".into(),
        Value::String(
            meetup
                .description
                .as_deref()
                .map(|d| render(d, Trust::Data, net.french_spacing()))
                .unwrap_or_default(),
        ),
    );
    own.insert(
        "report".into(),
        net.report(m).map_or(Value::Null, |r| {
            report_value(r, meetup.time_zone, net.french_spacing())
        }),
    );
    own.insert("ics_path".into(), Value::String(calendar::url_path(path)));
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
    own.insert(
        "form".into(),
        json!({"action": format!("{}/registrations", api_url(net)), "roles": roles}),
    );
    own
}

/// A fingerprint of meetup `m`'s page, made from what [`page`] reads
/// rather than from the fields it makes: the summaries
/// of the meetup and of those before and after it (`summary(m)`) and its
/// place in full (`place(p)`), fingerprinted once per build; the entries
/// of the meetup and of its place; its report and the improvements of the
/// report before it. The rest is the configuration, which keys the cache.
/// Whatever else those functions come to read must join this list.
pub(crate) fn fingerprint(
    net: &Network,
    m: usize,
    summary: impl Fn(usize) -> Fingerprint,
    place: impl Fn(usize) -> Fingerprint,
) -> Fingerprint {
    let p = net.meetup_place[m];
    let mut all = vec![
        summary(m),
        place(p),
        fingerprint_hashed(&net.data.meetups[m]),
        fingerprint_hashed(&net.data.places[p]),
        fingerprint_hashed(&net.report(m)),
    ];
    match net.previous[m] {
        Some(before) => {
            let improvements = net.report(before).map(|r| &r.improvements);
            all.extend([1, summary(before), fingerprint_hashed(&improvements)]);
        }
        None => all.push(0),
    }
    match net.next[m] {
        Some(n) => all.extend([1, summary(n)]),
        None => all.push(0),
    }
    fingerprint_parts(&all)
}
