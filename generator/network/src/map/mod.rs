//! Map data: GeoJSON FeatureCollections (RFC 7946: longitude first, at most
//! six decimals, no `crs` member) of places and of meetups to come, for the
//! whole network and for each region. Each feature is serialised once and
//! the files are joined from those bytes. Nothing personal goes in: places'
//! public names and communes, meetups' titles and figures.
//!
//! The features carry what the map's popups and filters need and nothing the
//! places file already says: a meetup names its place by `place_id` (the
//! place's name and commune are in the places file), and labels shared by
//! many features (type and region names) come once with the map page.
//!
//! Members are written in a fixed order chosen for gzip, which finds repeats
//! cheaply when they sit close together and at the same place in every
//! feature: codes shared by many features first, then the feature's own
//! strings side by side (`url` holds the `id`), the geometry (a `geojson`
//! Point) last. On the national data set this order alone takes
//! Île-de-France's meetups from 79 KB to 68 KB gzipped, with the same
//! members.

mod cache;

pub use cache::FeatureCache;

use geojson::Geometry;
use maillage_model::{french, zone};
use rayon::prelude::*;
use serde::Serialize;

use crate::data::outlines;
use crate::pages::network::Network;
use crate::site::ExtraFile;

/// The map's files, under the map's folder: every place, every meetup.
pub const PLACES_FILE: &str = "lieux.geojson";
pub const MEETUPS_FILE: &str = "rencontres.geojson";

/// Where the map file `name` of region `code` (all regions: `None`) is.
pub fn file_url(net: &Network, code: Option<&str>, name: &str) -> String {
    match code {
        Some(code) => net.urls.region_map_file(code, name),
        None => net.urls.map_file(name),
    }
}

/// The outlines drawn under the markers, under the map's folder: regions,
/// and departments once zoomed in (see `data::outlines`).
pub const REGION_OUTLINES_FILE: &str = "contours/regions.geojson";
pub const DEPARTMENT_OUTLINES_FILE: &str = "contours/departements.geojson";

/// Six decimals (about 10 cm), as RFC 7946 recommends not to overstate
/// precision.
pub fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// A GeoJSON Point, longitude first.
fn point(lat: f64, lon: f64) -> Geometry {
    Geometry::new_point([round6(lon), round6(lat)])
}

/// A Point feature; `id` is the place's or meetup's id, also repeated in the
/// properties for tools that read only those.
#[derive(Serialize)]
struct Feature<'a, P> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a str,
    properties: P,
    geometry: Geometry,
}

fn feature<P: Serialize>(id: &str, properties: P, geometry: Geometry) -> Vec<u8> {
    serde_json::to_vec(&Feature {
        kind: "Feature",
        id,
        properties,
        geometry,
    })
    .expect("GeoJSON serialises")
}

#[derive(Serialize)]
struct PlaceProperties<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    region: &'a str,
    has_upcoming: bool,
    url: String,
    id: &'a str,
    name: &'a str,
    commune: &'a str,
    next_meetup_url: Option<String>,
    next_meetup_label: Option<String>,
    next_meetup: Option<String>,
}

fn place_feature(net: &Network, p: usize) -> Vec<u8> {
    let place = &net.data.places[p];
    let region = &net.data.regions[net.place_region[p]];
    let next = net.next_meetup_at(p);
    let properties = PlaceProperties {
        kind: place.kind.code(),
        region: &region.code,
        has_upcoming: next.is_some(),
        url: net.urls.place(&place.id),
        id: &place.id,
        name: &place.name,
        commune: &place.commune,
        next_meetup_url: next.map(|m| net.meetup_path(m).to_string()),
        next_meetup_label: next.map(|m| french::date(net.data.meetups[m].start.date())),
        next_meetup: next.map(|m| zone::iso(net.facts[m].start, net.data.meetups[m].time_zone)),
    };
    feature(&place.id, properties, point(place.lat, place.lon))
}

#[derive(Serialize)]
struct MeetupProperties<'a> {
    /// The place's type, for the map's type filter.
    #[serde(rename = "type")]
    kind: &'static str,
    region: &'a str,
    registration_state: &'static str,
    place_id: &'a str,
    url: String,
    id: &'a str,
    seats_left: u32,
    date_label: String,
    starts_at: String,
    title: &'a str,
}

fn meetup_feature(net: &Network, m: usize) -> Vec<u8> {
    let meetup = &net.data.meetups[m];
    let facts = &net.facts[m];
    let p = net.meetup_place[m];
    let place = &net.data.places[p];
    let region = &net.data.regions[net.place_region[p]];
    let properties = MeetupProperties {
        kind: place.kind.code(),
        region: &region.code,
        registration_state: facts.state.code(),
        place_id: &place.id,
        url: net.meetup_path(m).to_string(),
        id: &meetup.id,
        seats_left: facts.seats_left,
        date_label: french::date(meetup.start.date()),
        starts_at: zone::iso(facts.start, meetup.time_zone),
        title: &meetup.title,
    };
    feature(&meetup.id, properties, point(place.lat, place.lon))
}

/// The national and regional files, and the outlines.
pub fn files(net: &Network) -> Vec<ExtraFile> {
    let all: Vec<usize> = (0..net.data.regions.len()).collect();
    let mut files = files_of(net, &all);
    files.extend(outline_files(net));
    files
}

fn outline_files(net: &Network) -> [ExtraFile; 2] {
    [
        (REGION_OUTLINES_FILE, outlines::REGIONS_GEOJSON),
        (DEPARTMENT_OUTLINES_FILE, outlines::DEPARTMENTS_GEOJSON),
    ]
    .map(|(name, text)| ExtraFile {
        path: file_url(net, None, name)
            .trim_start_matches('/')
            .to_string(),
        bytes: text.as_bytes().to_vec().into(),
        in_sitemap: false,
        source: crate::error::Source::part("the map's outlines"),
    })
}

/// The national files and those of `regions` (indexes in `data.regions`),
/// joined from the network's serialised features.
pub fn files_of(net: &Network, regions: &[usize]) -> Vec<ExtraFile> {
    // (region, places or meetups); `None`: the whole network.
    let mut jobs: Vec<(Option<usize>, bool)> = vec![(None, true), (None, false)];
    jobs.extend(
        regions
            .iter()
            .flat_map(|&r| [(Some(r), true), (Some(r), false)]),
    );
    let cache = &net.map_features;
    let all_places: Vec<usize> = (0..net.data.places.len()).collect();
    jobs.into_par_iter()
        .map(|(region, places)| {
            let code = region.map(|r| net.data.regions[r].code.as_str());
            let (url, bytes) = if places {
                let list = region.map_or(&all_places, |r| &net.region_places[r]);
                (
                    file_url(net, code, PLACES_FILE),
                    cache::collection(list.iter().map(|&p| cache.place(p))),
                )
            } else {
                // Soonest first.
                let list = region.map_or(net.by_start.as_slice(), |r| &net.region_meetups[r]);
                (
                    file_url(net, code, MEETUPS_FILE),
                    cache::collection(list.iter().filter_map(|&m| cache.meetup(m))),
                )
            };
            ExtraFile {
                path: url.trim_start_matches('/').to_string(),
                bytes: bytes.into(),
                in_sitemap: false,
                source: crate::error::Source::part("the map's data"),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_to_six_decimals() {
        assert_eq!(round6(48.384_212_345), 48.384_212);
        assert_eq!(round6(-4.499_000_5), -4.499_001);
        let json = serde_json::to_string(&point(48.1234567, -1.6755)).unwrap();
        assert_eq!(
            json,
            r#"{"type":"Point","coordinates":[-1.6755,48.123457]}"#
        );
    }
}
