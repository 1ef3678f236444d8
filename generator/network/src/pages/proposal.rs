//! The meetup proposal form, at `[extra] proposal_page` when the site sets
//! it (`/organisation/proposer/` in the demo): the regions with their
//! places, and the series and modules' weeks a meetup may belong to, as the
//! function checks them (`data::belongs_choices`, the regions' definitions).

use serde_json::{json, Map, Value};

use super::network::Network;
use super::page_object;

/// The form's path, when the site has one.
pub(crate) fn path(net: &Network) -> Option<String> {
    net.config
        .extra
        .get("proposal_page")
        .and_then(|p| p.as_str())
        .map(str::to_string)
}

pub(crate) fn page(net: &Network) -> Map<String, Value> {
    let path = path(net).unwrap_or_default();
    let regions: Vec<Value> = net
        .region_places
        .iter()
        .enumerate()
        .map(|(r, places)| {
            let mut region = net.region_refs[r].clone();
            region["places"] = places
                .iter()
                .map(|&p| {
                    json!({
                        "id": net.data.places[p].id,
                        "name": net.data.places[p].name,
                        "commune": net.place_commune[p],
                    })
                })
                .collect();
            region
        })
        .collect();
    let belongs: Vec<Value> = crate::data::belongs_choices(&net.data)
        .into_iter()
        .map(|(value, label)| json!({ "value": value, "label": label }))
        .collect();
    let mut context = Map::new();
    context.insert(
        "page".into(),
        page_object(
            net,
            "Proposer une rencontre",
            "Proposez une rencontre à la coordination de votre région\u{202f}: elle l'étudie, vous répond par courriel et, si elle l'accepte, la publie sur le site.",
            &path,
        ),
    );
    context.insert(
        "proposal".into(),
        json!({ "regions": regions, "belongs": belongs }),
    );
    context
}
