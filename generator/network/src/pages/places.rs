//! `/lieux/` (places by region), `/lieux/types/<type>/` and `/lieux/<id>/`.

use serde_json::{json, Map, Value};

use super::markdown::{render, Trust};
use super::network::Network;
use super::{page_object, partners, Shown};
use crate::data::PlaceType;

fn osm_url(lat: f64, lon: f64) -> String {
    let (lat, lon) = (crate::map::round6(lat), crate::map::round6(lon));
    format!("https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=18/{lat}/{lon}")
}

/// A place with its address and public details: `PlaceSummary` plus
/// `address`, `postcode`, `insee`, `latitude`, `longitude`, `offers`,
/// `room_capacity`, `contact`, `accessibility`, `accessibility_html`,
/// `description_html`, `structure`, `osm_url`. Made of the summary and the
/// entry alone (and the configuration): the place's fingerprint is theirs.
pub(crate) fn full(net: &Network, p: usize) -> Value {
    let place = &net.data.places[p];
    let mut value = Value::clone(net.place_summary(p));
    let map = value.as_object_mut().expect("summaries are objects");
    let contact = place.contact.as_ref().map_or(
        Value::Null,
        |c| json!({"name": c.name, "email": c.email, "phone": c.phone, "website": c.url}),
    );
    let markdown = |text: &Option<String>| {
        Value::String(
            text.as_deref()
                .map(|t| render(t, Trust::Data, net.french_spacing()))
                .unwrap_or_default(),
        )
    };
    let fields = [
        ("address", json!(place.address)),
        ("postcode", json!(place.postcode)),
        ("insee", json!(place.insee)),
        ("latitude", json!(crate::map::round6(place.lat))),
        ("longitude", json!(crate::map::round6(place.lon))),
        ("offers", json!(place.offers)),
        ("room_capacity", json!(place.room_capacity)),
        ("contact", contact),
        ("accessibility", json!(place.accessibility)),
        ("accessibility_html", markdown(&place.accessibility)),
        ("description_html", markdown(&place.description)),
        ("structure", json!(place.structure)),
        ("osm_url", json!(osm_url(place.lat, place.lon))),
    ];
    for (key, v) in fields {
        map.insert(key.into(), v);
    }
    value
}

/// The meetups a place's page lists: to come, soonest first, and past,
/// latest first.
pub(crate) fn listed(net: &Network, p: usize) -> (Vec<usize>, Vec<usize>) {
    let list = &net.place_meetups[p];
    let upcoming = net.upcoming(list).collect();
    let past = list
        .iter()
        .rev()
        .copied()
        .filter(|&m| !net.facts[m].upcoming)
        .collect();
    (upcoming, past)
}

/// The `page` object of a place's page.
pub(crate) fn page_value(net: &Network, p: usize) -> Value {
    let place = &net.data.places[p];
    let description = format!(
        "{} à {} : adresse, accessibilité et rencontres.",
        place.kind.label(),
        place.commune
    );
    // One title per place, even among homonyms: its commune follows.
    page_object(
        net,
        &format!("{} · {}", place.name, net.place_commune[p]),
        &description,
        &net.urls.place(&place.id),
    )
}

/// A place's page: the place in full (`full`), with the meetups it lists
/// ([`listed`]).
pub(crate) fn page(net: &Network, p: usize, full: &Value) -> Map<String, Value> {
    let mut value = full.clone();
    let (upcoming, past) = listed(net, p);
    value["meetups_upcoming"] = Value::Array(net.summaries(upcoming.into_iter()));
    value["meetups_past"] = Value::Array(net.summaries(past.into_iter()));
    let mut context = Map::new();
    context.insert("page".into(), page_value(net, p));
    context.insert("place".into(), value);
    context
}

/// Place types that have at least one place, with their counts.
pub(crate) fn types(net: &Network) -> Vec<(PlaceType, usize)> {
    let mut counts = [0usize; PlaceType::ALL.len()];
    for place in &net.data.places {
        let i = PlaceType::ALL
            .iter()
            .position(|t| *t == place.kind)
            .expect("every type is listed");
        counts[i] += 1;
    }
    PlaceType::ALL
        .iter()
        .zip(counts)
        .filter(|(_, n)| *n > 0)
        .map(|(t, n)| (*t, n))
        .collect()
}

/// `[{type, label, count, path}]`.
pub(crate) fn types_value(net: &Network) -> Value {
    Value::Array(
        types(net)
            .into_iter()
            .map(|(t, count)| {
                json!({"type": t.code(), "label": t.label(), "count": count, "path": net.urls.place_type(t.code())})
            })
            .collect(),
    )
}

/// `/lieux/`, with the places' summaries or, to fingerprint it, without.
pub(crate) fn index(net: &Network, shown: Shown) -> Map<String, Value> {
    let path = net.urls.places.clone();
    let regions: Vec<Value> = (0..net.data.regions.len())
        .map(|r| {
            let mut value = net.region_refs[r].clone();
            value["places"] = shown.places(net, r);
            value
        })
        .collect();
    let mut context = Map::new();
    context.insert(
        "page".into(),
        page_object(
            net,
            "Les lieux",
            "Les lieux qui accueillent les rencontres, par région et par type.",
            &path,
        ),
    );
    context.insert("place_types".into(), types_value(net));
    context.insert("partners_path".into(), partners::directory_path(net));
    context.insert("regions".into(), Value::Array(regions));
    context
}

/// Places of each type that has places, by region then name.
pub(crate) fn by_type(net: &Network) -> Vec<(PlaceType, Vec<usize>)> {
    let mut by_type: Vec<Vec<usize>> = vec![Vec::new(); PlaceType::ALL.len()];
    // Region order, then name, as on `/lieux/`.
    for places in net.region_places.iter() {
        for &p in places {
            let i = PlaceType::ALL
                .iter()
                .position(|t| *t == net.data.places[p].kind)
                .expect("every type is listed");
            by_type[i].push(p);
        }
    }
    PlaceType::ALL
        .into_iter()
        .zip(by_type)
        .filter(|(_, places)| !places.is_empty())
        .collect()
}

/// `/lieux/types/<type>/`, with the places' summaries or, to fingerprint
/// it, without.
pub(crate) fn type_page(
    net: &Network,
    t: PlaceType,
    places: &[usize],
    shown: Shown,
) -> Map<String, Value> {
    let path = net.urls.place_type(t.code());
    let mut context = Map::new();
    context.insert(
        "page".into(),
        page_object(
            net,
            t.label(),
            &format!(
                "Les lieux de type « {} » qui accueillent des rencontres.",
                t.label()
            ),
            &path,
        ),
    );
    context.insert(
        "place_type".into(),
        json!({"type": t.code(), "label": t.label(), "count": places.len()}),
    );
    context.insert("places".into(), shown.places_of(net, places));
    context.insert("partners_path".into(), partners::directory_path(net));
    context
}
