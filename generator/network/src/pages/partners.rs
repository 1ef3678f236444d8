//! The directory of partners, beside the places: `/lieux/partenaires/`
//! (every partner, by region), `/lieux/partenaires/types/<type>/` and
//! `/lieux/partenaires/offres/<offer>/` (those of one type, or that offer
//! one thing). Plain links filter the list: no JavaScript needed.

use serde_json::{json, Map, Value};

use super::markdown::{render, Trust};
use super::network::Network;
use super::page_object;
use crate::data::{PARTNER_OFFERS, PARTNER_TYPES};

/// The directory's folder under the places' folder; no place may take it.
pub(crate) const FOLDER: &str = "partenaires";

/// Which partners a page of the directory lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Filter {
    All,
    /// Index in [`PARTNER_TYPES`].
    Type(usize),
    /// Index in [`PARTNER_OFFERS`].
    Offer(usize),
}

impl Filter {
    fn keeps(self, net: &Network, i: usize) -> bool {
        let partner = &net.data.partners[i];
        match self {
            Filter::All => true,
            Filter::Type(t) => partner.kind == PARTNER_TYPES[t].0,
            Filter::Offer(o) => partner.provides.iter().any(|p| p == PARTNER_OFFERS[o].0),
        }
    }

    /// The page's path: `/lieux/partenaires/`, `…/types/<type>/`,
    /// `…/offres/<offer>/`.
    pub(crate) fn path(self, net: &Network) -> String {
        let folder = format!("{}{FOLDER}/", net.urls.places);
        match self {
            Filter::All => folder,
            Filter::Type(t) => format!("{folder}types/{}/", PARTNER_TYPES[t].0),
            Filter::Offer(o) => format!("{folder}offres/{}/", PARTNER_OFFERS[o].0),
        }
    }

    /// What the page names in its title and in messages.
    pub(crate) fn describe(self) -> String {
        match self {
            Filter::All => "the directory of partners".into(),
            Filter::Type(t) => format!("the partners of type `{}`", PARTNER_TYPES[t].0),
            Filter::Offer(o) => format!("the partners that provide `{}`", PARTNER_OFFERS[o].0),
        }
    }
}

/// The directory's pages: all partners, then each type and each offer that
/// some partner has. None without partners.
pub(crate) fn filters(net: &Network) -> Vec<Filter> {
    if net.data.partners.is_empty() {
        return Vec::new();
    }
    let types = (0..PARTNER_TYPES.len()).map(Filter::Type);
    let offers = (0..PARTNER_OFFERS.len()).map(Filter::Offer);
    std::iter::once(Filter::All)
        .chain(types.chain(offers).filter(|f| count(net, *f) > 0))
        .collect()
}

/// `/lieux/partenaires/` when the network has partners, else null: what
/// the lists of places link to.
pub(crate) fn directory_path(net: &Network) -> Value {
    if net.data.partners.is_empty() {
        Value::Null
    } else {
        json!(Filter::All.path(net))
    }
}

fn count(net: &Network, filter: Filter) -> usize {
    (0..net.data.partners.len())
        .filter(|&i| filter.keeps(net, i))
        .count()
}

fn type_label(code: &str) -> Option<&'static str> {
    PARTNER_TYPES
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, label)| *label)
}

/// A partner as pages show it: `{id, name, type, type_label, commune,
/// brings, provides: [{offer, label}], contact, description_html}`.
pub(crate) fn value(net: &Network, i: usize) -> Value {
    let p = &net.data.partners[i];
    let contact = p.contact.as_ref().map_or(
        Value::Null,
        |c| json!({"name": c.name, "email": c.email, "phone": c.phone, "website": c.url}),
    );
    let provides: Vec<Value> = PARTNER_OFFERS
        .iter()
        .filter(|(code, _)| p.provides.iter().any(|x| x == code))
        .map(|(code, label)| json!({"offer": code, "label": label}))
        .collect();
    json!({
        "id": p.id,
        "name": p.name,
        "type": p.kind,
        "type_label": type_label(&p.kind),
        "commune": p.commune,
        "brings": p.brings,
        "provides": provides,
        "contact": contact,
        "description_html": p
            .description
            .as_deref()
            .map(|d| render(d, Trust::Data, net.french_spacing()))
            .unwrap_or_default(),
    })
}

/// `[{code, label, count, path, current}]` of each type or offer that has
/// partners.
fn choices(net: &Network, current: Filter, offers: bool) -> Value {
    let table: &[(&str, &str)] = if offers {
        &PARTNER_OFFERS
    } else {
        &PARTNER_TYPES
    };
    Value::Array(
        table
            .iter()
            .enumerate()
            .filter_map(|(i, (code, label))| {
                let filter = if offers {
                    Filter::Offer(i)
                } else {
                    Filter::Type(i)
                };
                let count = count(net, filter);
                (count > 0).then(|| {
                    json!({
                        "code": code,
                        "label": label,
                        "count": count,
                        "path": filter.path(net),
                        "current": filter == current,
                    })
                })
            })
            .collect(),
    )
}

pub(crate) fn page(net: &Network, filter: Filter) -> Map<String, Value> {
    let path = filter.path(net);
    // By region (in `regions.yaml`'s order), then by name, as on a region page.
    let regions: Vec<Value> = net
        .region_partners
        .iter()
        .enumerate()
        .filter_map(|(r, partners)| {
            let list: Vec<Value> = partners
                .iter()
                .filter(|&&i| filter.keeps(net, i))
                .map(|&i| value(net, i))
                .collect();
            (!list.is_empty()).then(|| {
                let mut region = net.region_refs[r].clone();
                region["partners"] = Value::Array(list);
                region
            })
        })
        .collect();
    let (title, description, current) = match filter {
        Filter::All => (
            "Les partenaires".to_string(),
            "Associations, services municipaux, collectivités, entreprises\u{202f}: qui peut aider un club ou une rencontre, par type et par ce qu'ils offrent.".to_string(),
            Value::Null,
        ),
        Filter::Type(t) => {
            let label = PARTNER_TYPES[t].1;
            (
                format!("Partenaires\u{202f}: {label}"),
                format!("Les partenaires de type «\u{202f}{label}\u{202f}», par région."),
                json!({"by": "type", "code": PARTNER_TYPES[t].0, "label": label}),
            )
        }
        Filter::Offer(o) => {
            let label = PARTNER_OFFERS[o].1;
            (
                format!("Partenaires qui offrent\u{202f}: {}", label.to_lowercase()),
                format!("Les partenaires qui offrent «\u{202f}{}\u{202f}», par région.", label.to_lowercase()),
                json!({"by": "offer", "code": PARTNER_OFFERS[o].0, "label": label}),
            )
        }
    };
    let count: usize = regions
        .iter()
        .map(|r| r["partners"].as_array().map_or(0, Vec::len))
        .sum();
    let mut context = Map::new();
    context.insert("page".into(), page_object(net, &title, &description, &path));
    context.insert(
        "partners".into(),
        json!({
            "all_path": Filter::All.path(net),
            "filter": current,
            "count": count,
            "types": choices(net, filter, false),
            "offers": choices(net, filter, true),
            "regions": regions,
        }),
    );
    context
}
