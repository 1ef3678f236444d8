//! Map data: GeoJSON FeatureCollections (RFC 7946: longitude first, at most
//! six decimals, no `crs` member) of places and of meetups to come, for the
//! whole network and for each region. Features are built once and each
//! file is serialised once. Nothing personal goes in: places' public names
//! and addresses' communes, meetups' titles and figures.

use geojson::{feature::Id, Feature, FeatureCollection, Geometry, JsonObject};
use rayon::prelude::*;
use serde_json::{json, Value};

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

fn place_feature(net: &Network, p: usize) -> Feature {
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
    feature(&place.id, point(place.lat, place.lon), properties)
}

fn meetup_feature(net: &Network, m: usize) -> Feature {
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
    feature(&meetup.id, point(place.lat, place.lon), properties)
}

fn collection(features: Vec<Feature>) -> Vec<u8> {
    serde_json::to_vec(&FeatureCollection {
        bbox: None,
        features,
        foreign_members: None,
    })
    .expect("GeoJSON serialises")
}

/// The national and regional files.
pub fn files(net: &Network) -> Vec<ExtraFile> {
    let places: Vec<Feature> = (0..net.data.places.len())
        .into_par_iter()
        .map(|p| place_feature(net, p))
        .collect();
    // Meetups to come that still take place, soonest first.
    let upcoming: Vec<usize> = net.upcoming_held(&net.by_start).collect();
    let meetups: Vec<Feature> = upcoming
        .par_iter()
        .map(|&m| meetup_feature(net, m))
        .collect();
    let mut jobs: Vec<(String, Vec<Feature>)> = Vec::with_capacity(2 + 2 * net.data.regions.len());
    jobs.push((PLACES_URL.to_string(), places.clone()));
    jobs.push((MEETUPS_URL.to_string(), meetups.clone()));
    // Position of each upcoming meetup in `meetups`.
    let mut feature_of = vec![usize::MAX; net.data.meetups.len()];
    for (i, &m) in upcoming.iter().enumerate() {
        feature_of[m] = i;
    }
    for (r, region) in net.data.regions.iter().enumerate() {
        let region_places = net.region_places[r]
            .iter()
            .map(|&p| places[p].clone())
            .collect();
        let region_meetups = net
            .upcoming_held(&net.region_meetups[r])
            .map(|m| meetups[feature_of[m]].clone())
            .collect();
        jobs.push((region_places_url(&region.code), region_places));
        jobs.push((region_meetups_url(&region.code), region_meetups));
    }
    jobs.into_par_iter()
        .map(|(url, features)| ExtraFile {
            path: url.trim_start_matches('/').to_string(),
            bytes: collection(features),
            in_sitemap: false,
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
