//! Checks across entries: duplicate ids, references between kinds, a
//! training meetup's week against its module, and the soft problems
//! reported as warnings. Every lookup goes through a hash map built once.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Datelike, Duration, Utc, Weekday};
use maillage_model::meetup::MeetupStatus;
use maillage_model::zone;

use super::model::*;
use super::{DataSet, Kind};
use crate::error::{Diagnostic, Diagnostics};

/// Reports errors into `errors` and returns the warnings.
pub fn check(data: &DataSet, now: DateTime<Utc>, errors: &mut Diagnostics) -> Vec<Diagnostic> {
    let mut warnings = Vec::new();
    let regions = unique(
        data,
        data.regions.iter().map(|r| (r.code.as_str(), r.origin)),
        "code",
        "region code",
        errors,
    );
    unique(
        data,
        data.regions.iter().map(|r| (r.slug.as_str(), r.origin)),
        "slug",
        "region slug (derived from the name when not given)",
        errors,
    );
    unique(
        data,
        data.places.iter().map(|p| (p.id.as_str(), p.origin)),
        "id",
        "place id",
        errors,
    );
    unique(
        data,
        data.partners.iter().map(|p| (p.id.as_str(), p.origin)),
        "id",
        "partner id",
        errors,
    );
    let modules: HashMap<&str, &Module> = {
        unique(
            data,
            data.modules.iter().map(|m| (m.id.as_str(), m.origin)),
            "id",
            "module id",
            errors,
        );
        data.modules.iter().map(|m| (m.id.as_str(), m)).collect()
    };
    let series = unique(
        data,
        data.series.iter().map(|s| (s.id.as_str(), s.origin)),
        "id",
        "series id",
        errors,
    );
    unique(
        data,
        data.meetups.iter().map(|m| (m.id.as_str(), m.origin)),
        "id",
        "meetup id",
        errors,
    );

    let declared_regions: Vec<&str> = data.regions.iter().map(|r| r.code.as_str()).collect();
    let region_ref = |code: &str, origin: Origin, errors: &mut Diagnostics| {
        if !regions.contains_key(code) && !data.is_broken(Kind::Regions, code) {
            let message = if REGION_CODES.iter().any(|(c, _)| *c == code) {
                format!(
                    "region `{code}` is not declared in data/regions.yaml (declared: {})",
                    declared_regions.join(", ")
                )
            } else {
                format!("unknown region code `{code}`: expected an INSEE region code declared in data/regions.yaml")
            };
            errors.push(data.diagnostic(origin, "region", message));
        }
    };
    for place in &data.places {
        region_ref(&place.region, place.origin, errors);
    }
    for partner in &data.partners {
        region_ref(&partner.region, partner.origin, errors);
    }

    let mut used_places: HashSet<&str> = HashSet::new();
    let mut used_modules: HashSet<&str> = HashSet::new();
    let mut used_series: HashSet<&str> = HashSet::new();
    let place_by_id: HashMap<&str, &Place> =
        data.places.iter().map(|p| (p.id.as_str(), p)).collect();
    for meetup in &data.meetups {
        check_times_exist(data, meetup, errors);
        used_places.insert(&meetup.place);
        match place_by_id.get(meetup.place.as_str()) {
            Some(place) => {
                if let Some(room) = place.room_capacity {
                    if meetup.capacity > room {
                        warnings.push(data.diagnostic(
                            meetup.origin,
                            "capacity",
                            format!(
                                "capacity {} is more than the {room} people the room of `{}` holds",
                                meetup.capacity, place.id
                            ),
                        ));
                    }
                }
            }
            None if !data.is_broken(Kind::Places, &meetup.place) => {
                errors.push(data.diagnostic(
                    meetup.origin,
                    "place",
                    format!(
                        "unknown place `{}`: expected the id of a place declared in data/places.yaml or data/places/",
                        meetup.place
                    ),
                ));
            }
            None => {}
        }
        match &meetup.kind {
            MeetupKind::Training { module, week } => {
                used_modules.insert(module);
                match modules.get(module.as_str()) {
                    Some(m) => check_week(data, meetup, m, *week, errors),
                    None if !data.is_broken(Kind::Modules, module) => {
                        errors.push(data.diagnostic(
                            meetup.origin,
                            "module",
                            format!("unknown module `{module}`: expected the id of a module declared in data/modules.yaml"),
                        ));
                    }
                    None => {}
                }
            }
            MeetupKind::Community { series: s } => {
                used_series.insert(s);
                if !series.contains_key(s.as_str()) && !data.is_broken(Kind::Series, s) {
                    errors.push(data.diagnostic(
                        meetup.origin,
                        "series",
                        format!("unknown series `{s}`: expected the id of a series declared in data/series.yaml"),
                    ));
                }
            }
        }
        meetup_warnings(data, meetup, now, &mut warnings);
    }

    for place in &data.places {
        if !used_places.contains(place.id.as_str()) {
            warnings.push(data.diagnostic(
                place.origin,
                "id",
                format!("place `{}` hosts no meetup yet", place.id),
            ));
        }
    }
    let mut regions_with_places: HashSet<&str> =
        data.places.iter().map(|p| p.region.as_str()).collect();
    regions_with_places.extend(data.partners.iter().map(|p| p.region.as_str()));
    for region in &data.regions {
        if !regions_with_places.contains(region.code.as_str()) {
            warnings.push(data.diagnostic(
                region.origin,
                "code",
                format!("region {} ({}) has no place yet", region.code, region.name),
            ));
        }
    }
    for module in &data.modules {
        if !used_modules.contains(module.id.as_str()) {
            warnings.push(data.diagnostic(
                module.origin,
                "id",
                format!("module `{}` has no meetup yet", module.id),
            ));
        }
        if module.online_start.weekday() != Weekday::Mon {
            warnings.push(data.diagnostic(
                module.origin,
                "online_start",
                format!(
                    "{} is not a Monday: weeks are counted from this date",
                    module.online_start
                ),
            ));
        }
    }
    for s in &data.series {
        if !used_series.contains(s.id.as_str()) {
            warnings.push(data.diagnostic(
                s.origin,
                "id",
                format!("series `{}` has no meetup yet", s.id),
            ));
        }
    }
    let meetup_ids: HashSet<&str> = data.meetups.iter().map(|m| m.id.as_str()).collect();
    for id in data.live.meetups.keys() {
        if !meetup_ids.contains(id.as_str()) && !data.is_broken(Kind::Meetups, id) {
            warnings.push(
                Diagnostic::new(
                    maillage_model::meetup::LIVE_AGGREGATES_PATH,
                    format!("figures for meetup `{id}`, which is not in data/: they are ignored"),
                )
                .field(format!("meetups.{id}")),
            );
        }
    }
    warnings
}

/// Reports every id seen twice; returns the first entry of each id.
fn unique<'a>(
    data: &DataSet,
    ids: impl Iterator<Item = (&'a str, Origin)>,
    field: &str,
    what: &str,
    errors: &mut Diagnostics,
) -> HashMap<&'a str, Origin> {
    let mut seen: HashMap<&str, Origin> = HashMap::new();
    for (id, origin) in ids {
        if let Some(first) = seen.get(id) {
            errors.push(data.diagnostic(
                origin,
                field,
                format!(
                    "duplicate {what} `{id}`: already used at {}",
                    data.location(*first)
                ),
            ));
        } else {
            seen.insert(id, origin);
        }
    }
    seen
}

/// Every time of `meetup` happens in its zone: none is skipped when clocks
/// go forward.
fn check_times_exist(data: &DataSet, meetup: &Meetup, errors: &mut Diagnostics) {
    let window = meetup.registration.unwrap_or(Window {
        opens: None,
        closes: None,
    });
    for (field, time) in [
        ("start", Some(meetup.start)),
        ("end", Some(meetup.end)),
        ("registration.opens", window.opens),
        ("registration.closes", window.closes),
    ] {
        let Some(time) = time else { continue };
        if zone::to_utc(time, meetup.time_zone).is_none() {
            errors.push(data.diagnostic(
                meetup.origin,
                field,
                format!(
                    "{} does not exist in {}: clocks go forward past it that night",
                    time.format("%Y-%m-%dT%H:%M"),
                    meetup.time_zone.name()
                ),
            ));
        }
    }
}

/// A training meetup for week `week` takes place during week `week` or
/// `week + 1` of its module, counting from `online_start`.
fn check_week(
    data: &DataSet,
    meetup: &Meetup,
    module: &Module,
    week: u32,
    errors: &mut Diagnostics,
) {
    if week > module.weeks {
        errors.push(data.diagnostic(
            meetup.origin,
            "week",
            format!(
                "week {week}: module `{}` lasts only {} week{}",
                module.id,
                module.weeks,
                if module.weeks == 1 { "" } else { "s" }
            ),
        ));
        return;
    }
    let (from, to) = week_window(module.online_start, week);
    let day = meetup.start.date();
    if day < from || day > to {
        errors.push(data.diagnostic(
            meetup.origin,
            "start",
            format!(
                "a week {week} meetup of module `{}` (online from {}) must take place during week {week} or {} of the module, between {from} and {to}; {day} is outside",
                module.id,
                module.online_start,
                week + 1,
            ),
        ));
    }
}

/// First and last day of weeks `week` and `week + 1` of a module.
pub fn week_window(
    online_start: chrono::NaiveDate,
    week: u32,
) -> (chrono::NaiveDate, chrono::NaiveDate) {
    let from = online_start + Duration::days(7 * (i64::from(week) - 1));
    (from, from + Duration::days(13))
}

fn meetup_warnings(
    data: &DataSet,
    meetup: &Meetup,
    now: DateTime<Utc>,
    warnings: &mut Vec<Diagnostic>,
) {
    let start = zone::to_utc(meetup.start, meetup.time_zone);
    let end = zone::to_utc(meetup.end, meetup.time_zone);
    let past = end.is_some_and(|e| e <= now);
    let upcoming = start.is_some_and(|s| s > now);
    let accepts = meetup.status.accepts_registrations();
    if meetup.registration.is_none() && accepts && upcoming {
        warnings.push(data.diagnostic(
            meetup.origin,
            "registration",
            "no registration window: registrations are open from now until the meetup starts",
        ));
    }
    if past && accepts {
        warnings.push(data.diagnostic(
            meetup.origin,
            "status",
            format!(
                "the meetup took place but its status is still `{}`: set it to `done` (or `cancelled`)",
                if meetup.status == MeetupStatus::Open { "open" } else { "planned" }
            ),
        ));
    }
    if meetup.status == MeetupStatus::Done && upcoming {
        warnings.push(data.diagnostic(
            meetup.origin,
            "status",
            "status `done` for a meetup that has not taken place yet",
        ));
    }
    if let Some(closes) = meetup.registration.and_then(|w| w.closes) {
        if closes > meetup.end {
            warnings.push(data.diagnostic(
                meetup.origin,
                "registration.closes",
                "registration closes after the meetup ends",
            ));
        }
    }
    if meetup.organiser.split_whitespace().count() > 1 {
        warnings.push(data.diagnostic(
            meetup.origin,
            "organiser",
            format!(
                "`{}`: only the first word is published, as the organiser's first name",
                meetup.organiser
            ),
        ));
    }
    if meetup.report_key_sha256.is_none() && meetup.status != MeetupStatus::Cancelled && !past {
        warnings.push(data.diagnostic(
            meetup.origin,
            "report_key_sha256",
            "no report key: the organiser will not be able to send a report nor see who registered (`maillage meetup new` creates one)",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn week_window_spans_two_weeks() {
        let start = chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let (from, to) = week_window(start, 1);
        assert_eq!(from.to_string(), "2026-11-02");
        assert_eq!(to.to_string(), "2026-11-15");
        let (from, to) = week_window(start, 3);
        assert_eq!(from.to_string(), "2026-11-16");
        assert_eq!(to.to_string(), "2026-11-29");
    }
}
