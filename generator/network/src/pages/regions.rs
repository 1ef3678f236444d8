//! `/regions/`, `/regions/<slug>/` and the map page `/carte/`.

use serde_json::{json, Map, Value};

use super::listings;
use super::markdown::{render, Trust};
use super::network::Network;
use super::{page_object, partners, places, Shown};
use crate::{calendar, map};

fn coordinator(net: &Network, r: usize) -> Value {
    let c = &net.data.regions[r].coordinator;
    json!({"name": c.name, "email": c.email, "phone": c.phone, "url": c.url})
}

fn partners(net: &Network, r: usize) -> Value {
    Value::Array(
        net.region_partners[r]
            .iter()
            .map(|&i| partners::value(net, i))
            .collect(),
    )
}

fn upcoming_count(net: &Network, r: usize) -> usize {
    net.upcoming_held(&net.region_meetups[r]).count()
}

pub(crate) fn index(net: &Network) -> Map<String, Value> {
    let path = net.urls.regions.clone();
    let regions: Vec<Value> = (0..net.data.regions.len())
        .map(|r| {
            let mut value = net.region_refs[r].clone();
            value["places_count"] = json!(net.region_places[r].len());
            value["upcoming_count"] = json!(upcoming_count(net, r));
            value["coordinator"] = coordinator(net, r);
            value
        })
        .collect();
    let mut context = Map::new();
    context.insert(
        "page".into(),
        page_object(
            net,
            "Les régions",
            "Les régions du réseau, leur coordination et leurs rencontres.",
            &path,
        ),
    );
    context.insert("regions".into(), Value::Array(regions));
    context
}

/// The meetups to come a region's page lists: the first few of them.
pub(crate) fn upcoming_shown(net: &Network, r: usize) -> Vec<usize> {
    let limit = listings::region_upcoming_limit(net);
    net.upcoming(&net.region_meetups[r]).take(limit).collect()
}

/// `/regions/<slug>/`, with the places' and meetups' summaries or, to
/// fingerprint it, without.
pub(crate) fn page(net: &Network, r: usize, shown: Shown) -> Map<String, Value> {
    let region = &net.data.regions[r];
    let path = net.urls.region(&region.slug);
    let mut value = net.region_refs[r].clone();
    let upcoming_count = net.upcoming(&net.region_meetups[r]).count();
    let fields = [
        ("permalink", json!(net.permalink(&path))),
        ("coordinator", coordinator(net, r)),
        (
            "description_html",
            json!(region
                .description
                .as_deref()
                .map(|d| render(d, Trust::Data, net.french_spacing()))
                .unwrap_or_default()),
        ),
        ("places", shown.places(net, r)),
        ("upcoming_count", json!(upcoming_count)),
        (
            "meetups_upcoming",
            shown.meetups(net, &upcoming_shown(net, r)),
        ),
        ("partners", partners(net, r)),
        ("ics_path", json!(calendar::url_path(&path))),
        (
            "geojson",
            json!({
                "places": map::file_url(net, Some(&region.code), map::PLACES_FILE),
                "meetups": map::file_url(net, Some(&region.code), map::MEETUPS_FILE),
            }),
        ),
    ];
    for (key, v) in fields {
        value[key] = v;
    }
    let mut context = Map::new();
    context.insert(
        "page".into(),
        page_object(
            net,
            &region.name,
            &format!(
                "Les lieux et les rencontres à venir en {}, et le contact de la coordination régionale.",
                region.name
            ),
            &path,
        ),
    );
    context.insert("region".into(), value);
    context
}

/// `/carte/`, with the places' summaries or, to fingerprint it, without.
pub(crate) fn map_page(net: &Network, shown: Shown) -> Map<String, Value> {
    let path = net.urls.map.clone();
    let mut total_upcoming = 0;
    let regions: Vec<Value> = net
        .data
        .regions
        .iter()
        .enumerate()
        .map(|(r, region)| {
            // A count only: the page lists places, and the meetups to come
            // are in the region's GeoJSON, so no summary is built here.
            let upcoming = upcoming_count(net, r);
            total_upcoming += upcoming;
            let mut value = net.region_refs[r].clone();
            value["places_url"] = json!(map::file_url(net, Some(&region.code), map::PLACES_FILE));
            value["meetups_url"] = json!(map::file_url(net, Some(&region.code), map::MEETUPS_FILE));
            value["places_count"] = json!(net.region_places[r].len());
            value["upcoming_count"] = json!(upcoming);
            value["places"] = shown.places(net, r);
            value
        })
        .collect();
    let mut map_value = json!({
        "places_url": map::file_url(net, None, map::PLACES_FILE),
        "meetups_url": map::file_url(net, None, map::MEETUPS_FILE),
        "region_outlines_url": map::file_url(net, None, map::REGION_OUTLINES_FILE),
        "department_outlines_url": map::file_url(net, None, map::DEPARTMENT_OUTLINES_FILE),
        "place_types": places::types_value(net),
        "totals": {"places": net.data.places.len(), "upcoming": total_upcoming},
    });
    // Moved in, not given to `json!`, which would copy every place again.
    map_value["regions"] = Value::Array(regions);
    let mut context = Map::new();
    context.insert(
        "page".into(),
        page_object(
            net,
            "La carte des lieux et des rencontres",
            "Trouver un lieu et une rencontre près de chez soi, par région et par type de lieu.",
            &path,
        ),
    );
    context.insert("map".into(), map_value);
    context
}
