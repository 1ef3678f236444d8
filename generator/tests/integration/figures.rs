//! The public figures (`/regions/chiffres/` and each region's): exact
//! counts for the data fixture with figures of its own, small counts of
//! people suppressed in the page, the CSV and the JSON files, with the
//! counts that would give them back by subtraction.

use crate::common;

use std::path::Path;
use std::sync::OnceLock;

use serde_json::{json, Value};

const NOW: &str = "2026-11-22T12:00";

/// Past meetups: `carto-rennes-2026-10` (October, a report counting 4
/// people though 12 registered), `brest-nsi-s1` (November, a report
/// counting 16) and `rennes-nsi-s1` (November, 9 seats taken, no report);
/// `brest-nsi-s3` is to come and `code-reunion-2026-12` cancelled.
const LIVE: &str = r#"{
  "generated_at": "2026-11-22T10:00:00Z",
  "meetups": {
    "carto-rennes-2026-10": { "confirmed": 12, "waiting": 0,
      "report": { "submitted_at": "2026-10-16T08:00:00Z", "attendance": 4 } },
    "brest-nsi-s1": { "confirmed": 18, "waiting": 0,
      "report": { "submitted_at": "2026-11-13T09:12:00Z", "attendance": 16 } },
    "rennes-nsi-s1": { "confirmed": 9, "waiting": 0 },
    "brest-nsi-s3": { "confirmed": 10, "waiting": 2 },
    "code-reunion-2026-12": { "confirmed": 6, "waiting": 0 }
  }
}"#;

fn site() -> &'static Path {
    static SITE: OnceLock<tempfile::TempDir> = OnceLock::new();
    SITE.get_or_init(|| {
        let dir = common::fixture_with("data-site", &[("data/live/aggregates.json", LIVE)]);
        common::build_at(dir.path(), NOW);
        dir
    })
    .path()
}

fn read(rel: &str) -> String {
    common::read(&site().join("public"), rel)
}

fn context(rel: &str) -> Value {
    let html = read(rel);
    let marker = "<script type=\"application/json\" id=\"context\">";
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("{rel} has no context"))
        + marker.len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

fn json_file(rel: &str) -> Value {
    serde_json::from_str(&read(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The CSV's rows, header first, through the `csv` crate's reader.
fn csv_rows(rel: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(read(rel).as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect()
}

/// `[label, meetups held, people or null, reports]` of each row.
fn rows(list: &Value) -> Vec<Value> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|r| {
            json!([
                r["label"],
                r["meetups_held"],
                r["people"],
                r["reports_published"]
            ])
        })
        .collect()
}

#[test]
fn figures_of_a_small_network_are_exact() {
    let network = context("regions/chiffres/index.html");
    assert_eq!(network["scope"], "network");
    assert_eq!(
        network["total"],
        json!({"meetups_held": 3, "people": 29, "people_hidden": null, "reports_published": 2, "improvements_carried": 0})
    );
    assert_eq!(
        rows(&network["by_month"]),
        [
            json!(["octobre 2026", 1, null, 1]),
            json!(["novembre 2026", 2, null, 1])
        ]
    );
    assert_eq!(
        rows(&network["by_region"]),
        [
            json!(["Bretagne", 3, 29, 2]),
            json!(["La Réunion", 0, 0, 0]),
            json!(["Île-de-France", 0, 0, 0]),
        ]
    );
    assert_eq!(
        network["by_region"][0]["path"],
        "/regions/bretagne/chiffres/"
    );
    let bretagne = context("regions/bretagne/chiffres/index.html");
    assert_eq!(bretagne["scope"], "region");
    assert_eq!(bretagne["region"]["code"], "53");
    assert_eq!(bretagne["by_month"], network["by_month"]);
    assert!(bretagne.get("by_region").is_none());
    let reunion = context("regions/la-reunion/chiffres/index.html");
    assert_eq!(reunion["by_month"], json!([]));
    assert_eq!(reunion["total"]["meetups_held"], 0);

    let file = json_file("regions/chiffres/chiffres.json");
    assert_eq!(file["small_count_threshold"], 5);
    assert_eq!(
        file["by_month"],
        json!([
            {"month": "2026-10", "meetups_held": 1, "people": null, "reports_published": 1, "improvements_carried": 0},
            {"month": "2026-11", "meetups_held": 2, "people": null, "reports_published": 1, "improvements_carried": 0},
        ])
    );
    assert_eq!(
        file["total"],
        json!({"meetups_held": 3, "people": 29, "reports_published": 2, "improvements_carried": 0})
    );
    assert_eq!(
        file["by_region"][0],
        json!({"code": "53", "name": "Bretagne", "meetups_held": 3, "people": 29, "reports_published": 2, "improvements_carried": 0})
    );
    assert_eq!(
        csv_rows("regions/chiffres/par-region.csv"),
        [
            vec![
                "region_code",
                "region",
                "meetups_held",
                "people",
                "reports_published",
                "improvements_carried"
            ],
            vec!["53", "Bretagne", "3", "29", "2", "0"],
            vec!["04", "La Réunion", "0", "0", "0", "0"],
            vec!["11", "Île-de-France", "0", "0", "0", "0"],
        ]
    );
    let region_file = json_file("regions/bretagne/chiffres/chiffres.json");
    assert_eq!(
        region_file["region"],
        json!({"code": "53", "name": "Bretagne"})
    );
    assert_eq!(region_file["by_month"], file["by_month"]);
    assert!(region_file.get("by_region").is_none());
}

#[test]
fn small_counts_are_suppressed_in_the_page_the_csv_and_the_json() {
    // October: one meetup whose report counts 4 people. November's 25
    // would give it back from the total of 29: it is masked.
    let html = read("regions/chiffres/index.html");
    assert!(
        html.contains("<th>octobre 2026</th><td>1</td><td>moins de 5</td>"),
        "{html}"
    );
    assert!(
        html.contains("<th>novembre 2026</th><td>2</td><td>masqué</td>"),
        "{html}"
    );
    // The chart says it in text, and has no bar for it.
    let svg = &html[html.find("<svg").unwrap()..html.find("</svg>").unwrap()];
    assert!(svg.contains(">moins de 5</text>"), "{svg}");
    assert!(svg.contains("<title id="));
    for (rel, month_row) in [
        (
            "regions/chiffres/par-mois.csv",
            vec!["2026-10", "1", "", "1", "0"],
        ),
        (
            "regions/bretagne/chiffres/par-mois.csv",
            vec!["2026-10", "1", "", "1", "0"],
        ),
    ] {
        let rows = csv_rows(rel);
        assert_eq!(
            rows[0],
            [
                "month",
                "meetups_held",
                "people",
                "reports_published",
                "improvements_carried"
            ]
        );
        assert_eq!(rows[1], month_row, "{rel}");
        assert_eq!(rows[2], ["2026-11", "2", "", "1", "0"], "{rel}");
    }
    for rel in [
        "regions/chiffres/chiffres.json",
        "regions/bretagne/chiffres/chiffres.json",
    ] {
        let file = json_file(rel);
        assert_eq!(file["by_month"][0]["people"], Value::Null, "{rel}");
        assert_eq!(file["by_month"][1]["people"], Value::Null, "{rel}");
    }
    // The small number itself is in no figures file.
    for rel in [
        "regions/chiffres/par-mois.csv",
        "regions/chiffres/par-region.csv",
        "regions/chiffres/chiffres.json",
        "regions/bretagne/chiffres/par-mois.csv",
        "regions/bretagne/chiffres/chiffres.json",
    ] {
        let text = read(rel);
        for small in [",4,", ",4\n", ": 4,", ": 4\n", ",25,", ": 25,"] {
            assert!(!text.contains(small), "{rel} has {small:?}:\n{text}");
        }
    }
}

#[test]
fn a_region_cannot_take_the_figures_folder() {
    let regions = common::read(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/data-site/data"),
        "regions.yaml",
    )
    .replace("  name: Bretagne\n", "  name: Bretagne\n  slug: chiffres\n");
    let dir = common::fixture_with("data-site", &[("data/regions.yaml", &regions)]);
    let now = maillage_model::clock::parse_instant(NOW).unwrap();
    let errors = match maillage::data::load(dir.path(), now) {
        Ok(_) => panic!("a region took the figures folder"),
        Err(e) => e.0,
    };
    let error = errors
        .iter()
        .find(|d| d.field.as_deref() == Some("slug"))
        .unwrap_or_else(|| panic!("{errors:?}"));
    assert!(error.file.ends_with("data/regions.yaml"), "{error:?}");
    assert_eq!(error.line, Some(4), "{error:?}");
    assert!(error.message.contains("reserved"), "{error:?}");
}

#[test]
fn improvements_carried_over_count_the_meetups_that_follow_a_report_proposing_some() {
    // On 27 November both week-3 meetups are held: Brest's follows a week
    // 1 whose report proposes improvements, Rennes's one without a report.
    let live = LIVE.replace(
        r#""attendance": 16 }"#,
        r#""attendance": 16, "improvements": "Prévoir des *rallonges*." }"#,
    );
    let dir = common::fixture_with("data-site", &[("data/live/aggregates.json", &live)]);
    common::build_at(dir.path(), "2026-11-27T12:00");
    let file: Value = serde_json::from_str(&common::read(
        &dir.path().join("public"),
        "regions/chiffres/chiffres.json",
    ))
    .unwrap();
    assert_eq!(file["by_month"][1]["month"], "2026-11");
    assert_eq!(file["by_month"][1]["meetups_held"], 4);
    assert_eq!(file["by_month"][1]["improvements_carried"], 1);
    assert_eq!(file["total"]["improvements_carried"], 1);
    let csv = common::read(&dir.path().join("public"), "regions/chiffres/par-mois.csv");
    assert!(csv.ends_with(",1\n"), "{csv}");
}
