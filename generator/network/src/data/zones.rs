//! Which time zone each meetup's times are read in: its place's when the
//! place names one, else its region's, else the default of the region's
//! territory ([`default_zone`]).

use std::collections::HashMap;

use maillage_model::zone::Tz;

use super::model::default_zone;
use super::DataSet;

/// A region's zone: its own, else its territory's default.
pub(crate) fn region_zone(region: &super::Region) -> Tz {
    region
        .time_zone
        .unwrap_or_else(|| default_zone(&region.code))
}

/// Each place's zone, by its id: its own, else its region's.
pub(crate) fn place_zones(data: &DataSet) -> HashMap<&str, Tz> {
    let regions: HashMap<&str, Tz> = data
        .regions
        .iter()
        .map(|r| (r.code.as_str(), region_zone(r)))
        .collect();
    data.places
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
        .collect()
}

/// Sets [`Meetup::time_zone`](super::Meetup::time_zone) of every meetup.
pub(super) fn resolve(data: &mut DataSet) {
    let places = place_zones(data);
    let zones: Vec<Option<Tz>> = data
        .meetups
        .iter()
        .map(|m| places.get(m.place.as_str()).copied())
        .collect();
    for (meetup, zone) in data.meetups.iter_mut().zip(zones) {
        if let Some(zone) = zone {
            std::sync::Arc::make_mut(meetup).time_zone = zone;
        }
    }
}
