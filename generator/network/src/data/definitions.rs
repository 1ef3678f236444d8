//! What the function must know about each meetup ([`MeetupDefinition`])
//! and each region ([`RegionDefinition`]), derived from `data/` for
//! `maillage sync`. Never published.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use maillage_model::meetup::{MeetupDefinition, RegionDefinition, RegionPlace};
use maillage_model::urls::SiteUrls;
use maillage_model::zone;

use super::DataSet;
use crate::config::Config;

/// The definitions of every meetup of a validated data set. Without a
/// registration window, registration is open from the start of time until
/// the meetup starts.
pub fn definitions(data: &DataSet, config: &Config, urls: &SiteUrls) -> Vec<MeetupDefinition> {
    let all: Vec<usize> = (0..data.meetups.len()).collect();
    meetup_definitions(data, config, urls, &all)
}

/// The definitions of the meetups `meetups` (indexes in `data.meetups`).
pub fn meetup_definitions(
    data: &DataSet,
    config: &Config,
    urls: &SiteUrls,
    meetups: &[usize],
) -> Vec<MeetupDefinition> {
    let places: HashMap<&str, &super::Place> =
        data.places.iter().map(|p| (p.id.as_str(), p)).collect();
    meetups
        .iter()
        .map(|&i| {
            let m = &data.meetups[i];
            let to_utc = |local| zone::to_utc(local, m.time_zone);
            let starts_at = to_utc(m.start).expect("validated start");
            let ends_at = to_utc(m.end).expect("validated end");
            let window = m.registration;
            let registration_opens = window
                .and_then(|w| w.opens)
                .and_then(to_utc)
                .unwrap_or(DateTime::<Utc>::UNIX_EPOCH);
            let registration_closes = window
                .and_then(|w| w.closes)
                .and_then(to_utc)
                .unwrap_or(starts_at);
            let location = places
                .get(m.place.as_str())
                .map_or_else(String::new, |p| p.location());
            MeetupDefinition {
                id: m.id.clone(),
                title: m.title.clone(),
                starts_at,
                ends_at,
                capacity: m.capacity,
                status: m.status,
                registration_opens,
                registration_closes,
                report_key_sha256: m.report_key_sha256.clone(),
                location,
                url: config.make_permalink(&urls.meetup(&m.id)),
                time_zone: m.time_zone,
            }
        })
        .collect()
}

/// The definitions of every region of a validated data set: its
/// coordinator's key hash and the meetups held in its places, in the order
/// of `data/`.
pub fn region_definitions(data: &DataSet) -> Vec<RegionDefinition> {
    let zones = super::zones::place_zones(data);
    let belongs: Vec<String> = belongs_choices(data)
        .into_iter()
        .map(|(value, _)| value)
        .collect();
    let region_of_place: HashMap<&str, &str> = data
        .places
        .iter()
        .map(|p| (p.id.as_str(), p.region.as_str()))
        .collect();
    data.regions
        .iter()
        .map(|region| RegionDefinition {
            id: region.slug.clone(),
            name: region.name.clone(),
            coordinator_key_sha256: region.coordinator_key_sha256.clone(),
            meetups: data
                .meetups
                .iter()
                .filter(|m| region_of_place.get(m.place.as_str()) == Some(&region.code.as_str()))
                .map(|m| m.id.clone())
                .collect(),
            places: data
                .places
                .iter()
                .filter(|p| p.region == region.code)
                .map(|p| RegionPlace {
                    id: p.id.clone(),
                    name: p.name.clone(),
                    location: p.location(),
                    time_zone: zones[p.id.as_str()],
                })
                .collect(),
            time_zone: super::zones::region_zone(region),
            belongs: belongs.clone(),
        })
        .collect()
}

/// What a proposed meetup may belong to, as the proposal form offers it and
/// the function checks it: `(value, French label)`, the value being
/// `series:<id>` or `module:<id>:<week>` (a training meetup follows the
/// first or the third week of its module).
pub fn belongs_choices(data: &DataSet) -> Vec<(String, String)> {
    data.series
        .iter()
        .map(|s| {
            (
                format!("series:{}", s.id),
                format!("Série «\u{202f}{}\u{202f}»", s.title),
            )
        })
        .chain(data.modules.iter().flat_map(|m| {
            [1, 3]
                .into_iter()
                .filter(|week| *week <= m.weeks)
                .map(move |week| {
                    (
                        format!("module:{}:{week}", m.id),
                        format!(
                            "Module «\u{202f}{}\u{202f}», après la semaine {week}",
                            m.title
                        ),
                    )
                })
        }))
        .collect()
}
