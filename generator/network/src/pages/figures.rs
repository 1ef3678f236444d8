//! `/regions/chiffres/` (the network's figures) and
//! `/regions/<slug>/chiffres/` (a region's): tables, SVG charts and the
//! links to the files behind them.

use serde_json::{json, Map, Value};

use super::network::Network;
use super::page_object;
use crate::figures::chart::{self, Bar};
use crate::figures::files::{BY_MONTH_CSV, BY_REGION_CSV, JSON};
use crate::figures::{path, Counts, Figures, Series, SMALL_COUNT};
use maillage_model::french;

/// `{meetups_held, people, people_hidden, reports_published,
/// improvements_carried}`: `people` is `null` and `people_hidden` says why
/// (`small` or `complement`) when it is not published.
fn counts(c: &Counts) -> Value {
    json!({
        "meetups_held": c.meetups_held,
        "people": c.people_published(),
        "people_hidden": c.people_hidden.map(|h| h.name()),
        "reports_published": c.reports_published,
        "improvements_carried": c.improvements_carried,
    })
}

fn month_rows(series: &Series) -> Vec<(String, Counts)> {
    series
        .by_month
        .iter()
        .map(|(month, c)| (french::month(*month), *c))
        .collect()
}

/// The two charts of rows: meetups held and people, by what `by` names.
fn charts(id: &str, by: &str, rows: &[(String, Counts)]) -> Value {
    let table = "Les mêmes nombres figurent dans le tableau qui suit.";
    let meetups: Vec<Bar> = rows
        .iter()
        .map(|(label, c)| Bar {
            label: label.clone(),
            value: Ok(c.meetups_held),
        })
        .collect();
    let people: Vec<Bar> = rows
        .iter()
        .map(|(label, c)| Bar {
            label: label.clone(),
            value: c.people_shown(),
        })
        .collect();
    json!({
        "meetups_held": chart::bars(&format!("{id}-rencontres"), &format!("Rencontres tenues, {by}"), table, &meetups),
        "people": chart::bars(&format!("{id}-personnes"), &format!("Personnes présentes, {by}"), table, &people),
    })
}

fn rows_value(rows: &[(String, Counts)]) -> Value {
    Value::Array(
        rows.iter()
            .map(|(label, c)| {
                let mut v = counts(c);
                v["label"] = json!(label);
                v
            })
            .collect(),
    )
}

/// The page of the network's figures (`region` `None`) or of region `r`.
pub(crate) fn page(net: &Network, figures: &Figures, region: Option<usize>) -> Map<String, Value> {
    let folder = path(net, region);
    let series = region.map_or(&figures.network, |r| &figures.regions[r]);
    let months = month_rows(series);
    let mut value = json!({
        "scope": if region.is_some() { "region" } else { "network" },
        "region": region.map(|r| net.region_refs[r].clone()),
        "network_path": path(net, None),
        "small_count_threshold": SMALL_COUNT,
        "total": counts(&series.total),
        "by_month": rows_value(&months),
        "charts_by_month": charts("mois", "par mois", &months),
        "files": {
            "by_month_csv": format!("{folder}{BY_MONTH_CSV}"),
            "json": format!("{folder}{JSON}"),
        },
    });
    if region.is_none() {
        let regions: Vec<(String, Counts)> = net
            .data
            .regions
            .iter()
            .zip(&figures.regions)
            .map(|(region, s)| (region.name.clone(), s.total))
            .collect();
        let mut rows = rows_value(&regions);
        for (r, row) in rows
            .as_array_mut()
            .expect("an array")
            .iter_mut()
            .enumerate()
        {
            row["path"] = json!(path(net, Some(r)));
            row["code"] = json!(net.data.regions[r].code);
        }
        value["by_region"] = rows;
        value["charts_by_region"] = charts("region", "par région", &regions);
        value["files"]["by_region_csv"] = json!(format!("{folder}{BY_REGION_CSV}"));
    }
    let (title, description) = match region {
        None => (
            "Le réseau en chiffres".to_string(),
            "Rencontres tenues, personnes présentes et bilans publiés, par mois et par région."
                .to_string(),
        ),
        Some(r) => {
            let name = &net.data.regions[r].name;
            (
                format!("{name} en chiffres"),
                format!(
                    "Rencontres tenues, personnes présentes et bilans publiés par mois en {name}."
                ),
            )
        }
    };
    let mut context = Map::new();
    context.insert(
        "page".into(),
        page_object(net, &title, &description, &folder),
    );
    context.insert("figures".into(), value);
    context
}
