//! Map data: GeoJSON FeatureCollections (RFC 7946: longitude first, at most
//! six decimals, no `crs` member) of places and of meetups to come, for the
//! whole network and for each region. Features are built once and each
//! file is serialised once. Nothing personal goes in: places' public names
//! and addresses' communes, meetups' titles and figures.

use geojson::{feature::Id, Feature, Geometry, JsonObject};
use rayon::prelude::*;
use serde_json::{json, Value};

mod cache;

pub use cache::FeatureCache;

use crate::pages::labels;
use crate::pages::network::{meetup_path, place_path, Network};
use crate::site::ExtraFile;

pub const PLACES_URL: &str = "/carte/lieux.geojson";
pub const MEETUPS_URL: &str = "/carte/rencontres.geojson";

pub fn region_places_url(code: &str) -> String {
    format!("/carte/regions/{code}/lieux.geojson")
}

pub fn region_meetups_url(code: &str) -> String {
    format!("/carte/regions/{code}/rencontres.geojson")
}

/// Six decimals (about 10 cm), as RFC 7946 recommends not to overstate
/// precision.
pub fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

fn point(lat: f64, lon: f64) -> Geometry {
    Geometry::new_point([round6(lon), round6(lat)])
}

fn feature(id: &str, geometry: Geometry, properties: Value) -> Feature {
    let Value::Object(properties) = properties else {
        unreachable!("properties are built as objects")
    };
    Feature {
        bbox: None,
        geometry: Some(geometry),
        id: Some(Id::String(id.to_string())),
        properties: Some(properties as JsonObject),
        foreign_members: None,
    }
}

fn place_feature(net: &Network, p: usize) -> Vec<u8> {
    let place = &net.data.places[p];
    let region = &net.data.regions[net.place_region[p]];
    let next = net.next_meetup_at(p);
    let properties = json!({
        "id": place.id,
        "name": place.name,
        "type": place.kind.code(),
        "type_label": place.kind.label(),
        "region": region.code,
        "region_name": region.name,
        "commune": place.commune,
        "url": place_path(&place.id),
        "next_meetup": next.map(|m| labels::iso_paris(net.facts[m].start)),
        "next_meetup_label": next.map(|m| labels::date_label(net.data.meetups[m].start)),
        "next_meetup_url": next.map(|m| meetup_path(&net.data.meetups[m].id)),
        "has_upcoming": next.is_some(),
    });
    to_bytes(feature(&place.id, point(place.lat, place.lon), properties))
}

fn meetup_feature(net: &Network, m: usize) -> Vec<u8> {
    let meetup = &net.data.meetups[m];
    let facts = &net.facts[m];
    let p = net.meetup_place[m];
    let place = &net.data.places[p];
    let region = &net.data.regions[net.place_region[p]];
    let summary = &net.meetup_summaries[m];
    let properties = json!({
        "id": meetup.id,
        "title": meetup.title,
        "kind": meetup.kind.code(),
        "place_id": place.id,
        "place_name": place.name,
        "commune": place.commune,
        "type": place.kind.code(),
        "region": region.code,
        "starts_at": labels::iso_paris(facts.start),
        "date_label": summary["date_label"],
        "time_label": summary["time_label"],
        "url": meetup_path(&meetup.id),
        "seats_left": facts.seats_left,
        "status": summary["status"],
        "registration_state": facts.state.code(),
    });
    to_bytes(feature(&meetup.id, point(place.lat, place.lon), properties))
}

fn to_bytes(feature: Feature) -> Vec<u8> {
    serde_json::to_vec(&feature).expect("GeoJSON serialises")
}

/// The national and regional files.
pub fn files(net: &Network) -> Vec<ExtraFile> {
    let all: Vec<usize> = (0..net.data.regions.len()).collect();
    files_of(net, &all)
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
                    code.map_or(PLACES_URL.to_string(), region_places_url),
                    cache::collection(list.iter().map(|&p| cache.place(p))),
                )
            } else {
                // Soonest first.
                let list = region.map_or(&net.by_start, |r| &net.region_meetups[r]);
                (
                    code.map_or(MEETUPS_URL.to_string(), region_meetups_url),
                    cache::collection(list.iter().filter_map(|&m| cache.meetup(m))),
                )
            };
            ExtraFile {
                path: url.trim_start_matches('/').to_string(),
                bytes,
                in_sitemap: false,
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
