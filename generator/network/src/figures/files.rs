//! The data behind the figures, to download: `par-mois.csv` (and, for the
//! whole network, `par-region.csv`) and `chiffres.json` in each figures
//! folder. A hidden count of people (small, or hidden with a small one) is
//! an empty CSV cell and `null` in JSON: the small number itself is in no
//! file, nor can it be worked out from the totals.

use serde_json::{json, Value};

use super::{path, Counts, Figures, Series, SMALL_COUNT};
use crate::error::Source;
use crate::pages::network::Network;
use crate::site::ExtraFile;

pub(crate) const BY_MONTH_CSV: &str = "par-mois.csv";
pub(crate) const BY_REGION_CSV: &str = "par-region.csv";
pub(crate) const JSON: &str = "chiffres.json";

fn counts_json(counts: &Counts) -> Value {
    json!({
        "meetups_held": counts.meetups_held,
        "people": counts.people_published(),
        "reports_published": counts.reports_published,
        "improvements_carried": counts.improvements_carried,
    })
}

fn with(mut value: Value, key: &str, v: Value) -> Value {
    value[key] = v;
    value
}

/// The JSON file of the network (`region` `None`) or of one region.
pub(crate) fn json(net: &Network, figures: &Figures, region: Option<usize>) -> Value {
    let series = region.map_or(&figures.network, |r| &figures.regions[r]);
    let by_month: Vec<Value> = series
        .by_month
        .iter()
        .map(|(month, counts)| {
            with(
                counts_json(counts),
                "month",
                json!(month.format("%Y-%m").to_string()),
            )
        })
        .collect();
    let mut value = json!({
        "generated_at": net.stamp().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "region": region.map(|r| json!({"code": net.data.regions[r].code, "name": net.data.regions[r].name})),
        "small_count_threshold": SMALL_COUNT,
        "total": counts_json(&series.total),
        "by_month": by_month,
    });
    if region.is_none() {
        value["by_region"] = Value::Array(
            net.data
                .regions
                .iter()
                .zip(&figures.regions)
                .map(|(region, series)| {
                    let v = with(counts_json(&series.total), "code", json!(region.code));
                    with(v, "name", json!(region.name))
                })
                .collect(),
        );
    }
    value
}

fn cell(count: Option<u32>) -> String {
    count.map(|n| n.to_string()).unwrap_or_default()
}

fn csv(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> Vec<u8> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(header).expect("writes to memory");
    for row in rows {
        writer.write_record(&row).expect("writes to memory");
    }
    writer.into_inner().expect("writes to memory")
}

fn by_month_csv(series: &Series) -> Vec<u8> {
    csv(
        &[
            "month",
            "meetups_held",
            "people",
            "reports_published",
            "improvements_carried",
        ],
        series.by_month.iter().map(|(month, c)| {
            vec![
                month.format("%Y-%m").to_string(),
                c.meetups_held.to_string(),
                cell(c.people_published()),
                c.reports_published.to_string(),
                c.improvements_carried.to_string(),
            ]
        }),
    )
}

fn by_region_csv(net: &Network, figures: &Figures) -> Vec<u8> {
    csv(
        &[
            "region_code",
            "region",
            "meetups_held",
            "people",
            "reports_published",
            "improvements_carried",
        ],
        net.data
            .regions
            .iter()
            .zip(&figures.regions)
            .map(|(region, series)| {
                let c = &series.total;
                vec![
                    region.code.clone(),
                    region.name.clone(),
                    c.meetups_held.to_string(),
                    cell(c.people_published()),
                    c.reports_published.to_string(),
                    c.improvements_carried.to_string(),
                ]
            }),
    )
}

/// Every figures file: the network's and each region's.
pub(crate) fn all(net: &Network, figures: &Figures) -> Vec<ExtraFile> {
    let file = |folder: &str, name: &str, bytes: Vec<u8>| ExtraFile {
        path: format!("{}{name}", &folder[1..]),
        bytes: bytes.into(),
        in_sitemap: false,
        source: Source::part(format!("the figures file {folder}{name}")),
    };
    let mut files = Vec::with_capacity(2 * net.data.regions.len() + 3);
    let folder = path(net, None);
    files.push(file(&folder, BY_MONTH_CSV, by_month_csv(&figures.network)));
    files.push(file(&folder, BY_REGION_CSV, by_region_csv(net, figures)));
    files.push(file(&folder, JSON, to_bytes(&json(net, figures, None))));
    for (r, series) in figures.regions.iter().enumerate() {
        let folder = path(net, Some(r));
        files.push(file(&folder, BY_MONTH_CSV, by_month_csv(series)));
        files.push(file(&folder, JSON, to_bytes(&json(net, figures, Some(r)))));
    }
    files
}

fn to_bytes(value: &Value) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).expect("JSON values serialise");
    bytes.push(b'\n');
    bytes
}
