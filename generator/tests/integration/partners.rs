//! The directory of partners (`/lieux/partenaires/`): every partner by
//! region, one page per partner type and per offer that some partner has,
//! and the closed list of offers checked in `data/`.

use crate::common;

use std::path::Path;
use std::sync::OnceLock;

use serde_json::Value;

const NOW: &str = "2026-11-22T12:00";

fn site() -> &'static Path {
    static SITE: OnceLock<tempfile::TempDir> = OnceLock::new();
    SITE.get_or_init(|| {
        let dir = common::fixture("data-site");
        common::build_at(dir.path(), NOW);
        dir
    })
    .path()
}

fn context(rel: &str) -> Value {
    let html = common::read(&site().join("public"), rel);
    let marker = "<script type=\"application/json\" id=\"context\">";
    let start = html
        .find(marker)
        .unwrap_or_else(|| panic!("{rel} has no context"))
        + marker.len();
    let end = start + html[start..].find("</script>").unwrap();
    serde_json::from_str(&html[start..end]).unwrap()
}

/// `[(region code, [partner ids])]` of a directory page.
fn listed(page: &Value) -> Vec<(String, Vec<String>)> {
    page["regions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let ids = r["partners"].as_array().unwrap();
            (
                r["code"].as_str().unwrap().to_string(),
                ids.iter()
                    .map(|p| p["id"].as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect()
}

fn pairs(list: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
    list.iter()
        .map(|(code, ids)| {
            (
                code.to_string(),
                ids.iter().map(|s| s.to_string()).collect(),
            )
        })
        .collect()
}

#[test]
fn the_partner_directory_filters_by_type_and_by_offer() {
    let all = context("lieux/partenaires/index.html");
    assert_eq!(all["filter"], Value::Null);
    assert_eq!(all["count"], 3);
    assert_eq!(
        listed(&all),
        pairs(&[
            ("53", &["service-jeunesse-brest", "la-forge-rennes"]),
            ("04", &["region-reunion-numerique"]),
        ])
    );
    // The choices: only the types and offers some partner has, with counts.
    let codes = |list: &Value| -> Vec<(String, u64)> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["code"].as_str().unwrap().into(),
                    c["count"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(
        codes(&all["types"]),
        [
            ("service_municipal".into(), 1),
            ("association".into(), 1),
            ("collectivite".into(), 1)
        ]
    );
    assert_eq!(
        codes(&all["offers"]),
        [
            ("salle".into(), 2),
            ("materiel".into(), 1),
            ("public".into(), 1),
            ("competences".into(), 1),
            ("financement".into(), 1)
        ]
    );
    assert_eq!(all["offers"][0]["path"], "/lieux/partenaires/offres/salle/");

    let association = context("lieux/partenaires/types/association/index.html");
    assert_eq!(association["filter"]["by"], "type");
    assert_eq!(listed(&association), pairs(&[("53", &["la-forge-rennes"])]));
    assert_eq!(association["types"][1]["current"], true);
    assert_eq!(association["types"][0]["current"], false);

    let rooms = context("lieux/partenaires/offres/salle/index.html");
    assert_eq!(rooms["filter"]["label"], "Une salle");
    assert_eq!(
        listed(&rooms),
        pairs(&[
            ("53", &["service-jeunesse-brest"]),
            ("04", &["region-reunion-numerique"]),
        ])
    );
    let partner = &rooms["regions"][0]["partners"][0];
    assert_eq!(partner["type_label"], "Service municipal");
    assert_eq!(partner["provides"][0]["label"], "Une salle");
    assert_eq!(partner["provides"][1]["offer"], "public");

    // No page for an offer nobody makes, nor for a type nobody has.
    let public = site().join("public/lieux/partenaires");
    assert!(!public.join("offres/communication").exists());
    assert!(!public.join("types/entreprise").exists());
}

#[test]
fn an_unknown_offer_is_refused_naming_file_line_and_field() {
    let partners = common::read(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/data-site/data"),
        "partners.yaml",
    )
    .replace(
        "provides: [salle, public]",
        "provides:\n    - salle\n    - un local",
    );
    let dir = common::fixture_with("data-site", &[("data/partners.yaml", &partners)]);
    let now = maillage_model::clock::parse_instant(NOW).unwrap();
    let errors = match maillage::data::load(dir.path(), now) {
        Ok(_) => panic!("an unknown offer was accepted"),
        Err(e) => e.0,
    };
    assert_eq!(errors.len(), 1, "{errors:?}");
    let error = &errors[0];
    assert!(error.file.ends_with("data/partners.yaml"), "{error:?}");
    assert_eq!(error.line, Some(13), "{error:?}");
    assert_eq!(error.field.as_deref(), Some("provides[1]"), "{error:?}");
    assert!(
        error
            .message
            .contains("unknown offer `un local`: expected one of salle, materiel"),
        "{error:?}"
    );
}

#[test]
fn no_place_may_take_the_directory_folder() {
    let places = common::read(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/data-site/data"),
        "places.yaml",
    )
    .replacen(
        "- id: mediatheque-des-capucins-brest",
        "- id: partenaires",
        1,
    );
    let dir = common::fixture_with("data-site", &[("data/places.yaml", &places)]);
    let now = maillage_model::clock::parse_instant(NOW).unwrap();
    let errors = match maillage::data::load(dir.path(), now) {
        Ok(_) => panic!("a place took the partners' folder"),
        Err(e) => e.0,
    };
    assert!(
        errors.iter().any(|d| d.field.as_deref() == Some("id")
            && d.line == Some(1)
            && d.message.contains("partenaires")),
        "{errors:?}"
    );
}
