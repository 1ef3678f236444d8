//! Which time zone each meetup's times are read in: its place's when the
//! place names one, else its region's, else the default of the region's
//! territory ([`default_zone`]).

use std::collections::HashMap;

use maillage_model::zone::Tz;

use super::model::default_zone;
use super::DataSet;

/// Sets [`Meetup::time_zone`](super::Meetup::time_zone) of every meetup.
pub(super) fn resolve(data: &mut DataSet) {
    let regions: HashMap<&str, Tz> = data
        .regions
        .iter()
        .map(|r| {
            (
                r.code.as_str(),
                r.time_zone.unwrap_or_else(|| default_zone(&r.code)),
            )
        })
        .collect();
    let places: HashMap<&str, Tz> = data
        .places
        .iter()
        .map(|p| {
            let zone = p.time_zone.unwrap_or_else(|| {
                regions
                    .get(p.region.as_str())
                    .copied()
                    .unwrap_or_else(|| default_zone(&p.region))
            });
            (p.id.as_str(), zone)
        })
        .collect();
    let zones: Vec<Option<Tz>> = data
        .meetups
        .iter()
        .map(|m| places.get(m.place.as_str()).copied())
        .collect();
    for (meetup, zone) in data.meetups.iter_mut().zip(zones) {
        if let Some(zone) = zone {
            meetup.time_zone = zone;
        }
    }
}
