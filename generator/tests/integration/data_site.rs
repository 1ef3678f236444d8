//! Builds the data fixture site (`tests/fixtures/data-site`, with its own
//! minimal templates that print their context as JSON) with the clock
//! pinned, and checks the data pages, listings, pagination, the JSON-LD,
//! the sitemap, and the GeoJSON, iCalendar and Atom files; the last three
//! through independent parsers (Python's `geojson` and `icalendar`,
//! roxmltree).

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

const NOW: &str = "2026-11-22T12:00";

/// The fixture, built once with the `maillage` command.
fn site() -> &'static Path {
    static SITE: OnceLock<tempfile::TempDir> = OnceLock::new();
    SITE.get_or_init(|| {
        let dir = common::fixture("data-site");
        common::build_at(dir.path(), NOW);
        dir
    })
    .path()
}

fn public(rel: &str) -> PathBuf {
    site().join("public").join(rel)
}

fn read(rel: &str) -> String {
    common::read(&site().join("public"), rel)
}

/// The JSON the fixture templates print in `<script id="context">`.
fn context(rel: &str) -> Value {
    let html = read(rel);
    let start = html
        .find("<script type=\"application/json\" id=\"context\">")
        .unwrap_or_else(|| panic!("{rel} has no context"));
    let rest = &html[start..];
    let body = &rest[rest.find('>').unwrap() + 1..rest.find("</script>").unwrap()];
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{rel}: {e}\n{body}"))
}

fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn writes_every_data_page_and_file() {
    let files = common::files(&site().join("public"));
    for expected in [
        "rencontres/index.html",
        "rencontres/page/2/index.html",
        "rencontres/page/3/index.html",
        "rencontres/passees/index.html",
        "rencontres/passees/page/2/index.html",
        "rencontres/atom.xml",
        "rencontres/brest-nsi-s3/index.html",
        "rencontres/brest-nsi-s3/calendrier.ics",
        "lieux/index.html",
        "lieux/types/cafe/index.html",
        "lieux/types/mediatheque/index.html",
        "lieux/cafe-du-port-lorient/index.html",
        "regions/index.html",
        "regions/bretagne/index.html",
        "regions/bretagne/calendrier.ics",
        "regions/la-reunion/index.html",
        "carte/index.html",
        "carte/lieux.geojson",
        "carte/rencontres.geojson",
        "carte/regions/53/lieux.geojson",
        "carte/regions/53/rencontres.geojson",
        "carte/regions/04/lieux.geojson",
        "sitemap.xml",
    ] {
        assert!(files.iter().any(|f| f == expected), "missing {expected}");
    }
    // Every meetup and place has its page; no type page without places.
    assert_eq!(
        files
            .iter()
            .filter(|f| f.starts_with("rencontres/") && f.ends_with("/calendrier.ics"))
            .count(),
        9
    );
    assert!(!files.iter().any(|f| f.starts_with("lieux/types/lycee/")));
    assert!(!files
        .iter()
        .any(|f| f == "rencontres/passees/page/3/index.html"));
}

#[test]
fn upcoming_listing_is_paginated_soonest_first() {
    let first = context("rencontres/index.html");
    assert_eq!(ids(&first["pages"]), ["rennes-nsi-s3", "brest-nsi-s3"]);
    assert_eq!(first["number_pagers"], 3);
    assert_eq!(first["current_index"], 1);
    assert_eq!(first["paginate_by"], 2);
    assert_eq!(first["total_pages"], 6);
    assert_eq!(first["previous"], Value::Null);
    assert_eq!(
        first["next"],
        "https://reseau.example.org/rencontres/page/2/"
    );
    assert_eq!(first["first"], "https://reseau.example.org/rencontres/");
    assert_eq!(
        first["last"],
        "https://reseau.example.org/rencontres/page/3/"
    );
    let second = context("rencontres/page/2/index.html");
    assert_eq!(
        ids(&second["pages"]),
        ["code-reunion-2026-12", "carto-rennes-2026-12"]
    );
    assert_eq!(second["previous"], "https://reseau.example.org/rencontres/");
    let third = context("rencontres/page/3/index.html");
    assert_eq!(
        ids(&third["pages"]),
        ["carto-rennes-2026-12-complet", "carto-rennes-2027-04"]
    );
    assert_eq!(third["next"], Value::Null);
    let html = read("rencontres/index.html");
    assert!(html.contains("<p id=\"listing\">upcoming</p>"));
    assert!(html.contains("href=\"/rencontres/atom.xml\""));
    assert!(
        html.contains("<title>Les rencontres à venir – Réseau d&#x27;essai</title>"),
        "{html}"
    );
    assert!(
        html.contains("<p id=\"current\">/rencontres/ https://reseau.example.org/rencontres/</p>")
    );
}

#[test]
fn past_listing_is_latest_first() {
    let first = context("rencontres/passees/index.html");
    assert_eq!(ids(&first["pages"]), ["brest-nsi-s1", "rennes-nsi-s1"]);
    let second = context("rencontres/passees/page/2/index.html");
    assert_eq!(ids(&second["pages"]), ["carto-rennes-2026-10"]);
    assert!(read("rencontres/passees/index.html").contains("<p id=\"listing\">past</p>"));
}

#[test]
fn meetup_summary_has_dates_labels_and_figures() {
    let m = context("rencontres/brest-nsi-s3/index.html");
    assert_eq!(m["id"], "brest-nsi-s3");
    assert_eq!(m["kind"], "training");
    assert_eq!(m["kind_label"], "Rencontre de formation");
    assert_eq!(m["module"]["id"], "nsi-fondamentaux");
    assert_eq!(m["module"]["week"], 3);
    assert_eq!(m["series"], Value::Null);
    assert_eq!(m["starts_at"], "2026-11-26T18:30:00+01:00");
    assert_eq!(m["ends_at"], "2026-11-26T20:30:00+01:00");
    assert_eq!(m["date_label"], "jeudi 26 novembre 2026");
    assert_eq!(m["time_label"], "18 h 30 – 20 h 30");
    assert_eq!(m["path"], "/rencontres/brest-nsi-s3/");
    assert_eq!(
        m["permalink"],
        "https://reseau.example.org/rencontres/brest-nsi-s3/"
    );
    assert_eq!(m["region"]["slug"], "bretagne");
    assert_eq!(m["region"]["path"], "/regions/bretagne/");
    assert_eq!(m["capacity"], 10);
    assert_eq!(m["confirmed"], 10);
    assert_eq!(m["waiting"], 2);
    assert_eq!(m["seats_left"], 0);
    assert_eq!(m["status"], "open");
    assert_eq!(m["registration"]["state"], "waiting_list");
    assert_eq!(m["registration"]["opens_at"], "2026-11-16T09:00:00+01:00");
    assert_eq!(
        m["registration"]["closes_label"],
        "jeudi 26 novembre 2026 à 12 h"
    );
    assert_eq!(m["has_report"], false);
    assert_eq!(m["organiser"], "Camille");
    assert_eq!(m["wanted"]["facilitator"], true);
    assert_eq!(m["wanted"]["speakers"], false);
    assert_eq!(m["bring"][0], "un ordinateur portable si possible");
    assert_eq!(m["ics_path"], "/rencontres/brest-nsi-s3/calendrier.ics");
    assert_eq!(m["form"]["action"], "/api/registrations");
    assert_eq!(
        m["form"]["roles"],
        serde_json::json!([{"value": "participant", "label": "Participant·e"}, {"value": "facilitator", "label": "Facilitateur·rice"}])
    );
    // Raw HTML of the description is shown, not interpreted.
    let description = m["description_html"].as_str().unwrap();
    assert!(
        description.contains("&lt;em&gt;conviviale&lt;/em&gt;"),
        "{description}"
    );
    // The full place.
    assert_eq!(m["place"]["address"], "25 rue de Pontaniou");
    assert_eq!(m["place"]["latitude"], 48.384212);
    assert_eq!(
        m["place"]["contact"]["website"],
        "https://capucins.example.org"
    );
    assert_eq!(
        m["place"]["osm_url"],
        "https://www.openstreetmap.org/?mlat=48.384212&mlon=-4.499#map=18/48.384212/-4.499"
    );
}

#[test]
fn every_registration_state() {
    let state = |id: &str| {
        let m = context(&format!("rencontres/{id}/index.html"));
        (
            m["registration"]["state"].as_str().unwrap().to_string(),
            m["registration"]["label"].as_str().unwrap().to_string(),
        )
    };
    assert_eq!(state("carto-rennes-2026-12").0, "open");
    assert_eq!(state("brest-nsi-s3").0, "waiting_list");
    let (s, label) = state("rennes-nsi-s3");
    assert_eq!(s, "not_yet_open");
    assert_eq!(
        label,
        "Inscriptions à partir du lundi 23 novembre 2026 à 9 h"
    );
    assert_eq!(state("carto-rennes-2026-12-complet").0, "closed");
    assert_eq!(state("code-reunion-2026-12").0, "cancelled");
    assert_eq!(state("brest-nsi-s1").0, "past");
    let open = context("rencontres/carto-rennes-2026-12/index.html");
    assert_eq!(open["seats_left"], 15);
    let cancelled = context("rencontres/code-reunion-2026-12/index.html");
    assert_eq!(cancelled["status"], "cancelled");
    let past = context("rencontres/rennes-nsi-s1/index.html");
    assert_eq!(past["status"], "done");
}

#[test]
fn published_report_is_sanitised() {
    let m = context("rencontres/brest-nsi-s1/index.html");
    assert_eq!(m["has_report"], true);
    let report = &m["report"];
    assert_eq!(report["attendance"], 16);
    assert_eq!(report["submitted_at"], "2026-11-13T10:12:00+01:00");
    let outcome = report["outcome_html"].as_str().unwrap();
    assert!(!outcome.contains("<script"), "{outcome}");
    assert!(outcome.contains("&lt;script&gt;"), "{outcome}");
    let problems = report["problems_html"].as_str().unwrap();
    assert!(!problems.contains("javascript"), "{problems}");
    assert!(report["went_well_html"]
        .as_str()
        .unwrap()
        .contains("<strong>échanges</strong>"));
    assert_eq!(
        report["links"],
        serde_json::json!([{"label": "Notes de la rencontre", "url": "https://pad.example.org/p/brest"}])
    );
    let html = read("rencontres/brest-nsi-s1/index.html");
    assert!(
        !html.contains("<script>alert"),
        "raw HTML never reaches the page"
    );
    assert!(
        !html.contains("Martin"),
        "only the organiser's first name is published"
    );
}

#[test]
fn previous_and_next_meetups() {
    // Week 3 follows up on week 1 at the same place, with its improvements.
    let m = context("rencontres/brest-nsi-s3/index.html");
    assert_eq!(m["previous"]["id"], "brest-nsi-s1");
    let improvements = m["previous"]["improvements_html"].as_str().unwrap();
    assert!(
        improvements.contains("<em>rallonges</em>"),
        "{improvements}"
    );
    assert!(improvements
        .contains("<a href=\"https://pad.example.org/p/fiche\" rel=\"nofollow ugc\">la fiche</a>"));
    assert_eq!(m["next"], Value::Null);
    let first = context("rencontres/brest-nsi-s1/index.html");
    assert_eq!(first["next"]["id"], "brest-nsi-s3");
    assert_eq!(first["previous"], Value::Null);
    // A series: the previous meetup of the same series.
    let c = context("rencontres/carto-rennes-2026-12/index.html");
    assert_eq!(c["previous"]["id"], "carto-rennes-2026-10");
    assert_eq!(
        c["previous"]["improvements_html"],
        "<p>Commencer à l'heure.</p>\n"
    );
    assert_eq!(c["next"]["id"], "carto-rennes-2026-12-complet");
    // Without a report, no improvements.
    let s = context("rencontres/rennes-nsi-s3/index.html");
    assert_eq!(s["previous"]["id"], "rennes-nsi-s1");
    assert_eq!(s["previous"]["improvements_html"], Value::Null);
}

fn jsonld(rel: &str) -> Value {
    let html = read(rel);
    let start = html.find("<script type=\"application/ld+json\">").unwrap();
    let rest = &html[start..];
    let body = &rest[rest.find('>').unwrap() + 1..rest.find("</script>").unwrap()];
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{rel}: {e}\n{body}"))
}

#[test]
fn json_ld_event() {
    let e = jsonld("rencontres/carto-rennes-2026-12/index.html");
    assert_eq!(e["@context"], "https://schema.org");
    assert_eq!(e["@type"], "Event");
    assert_eq!(e["name"], "Rencontre cartographie, saison 2 ; à Lorient");
    assert_eq!(e["startDate"], "2026-12-10T18:30:00+01:00");
    assert_eq!(e["endDate"], "2026-12-10T20:30:00+01:00");
    assert_eq!(e["eventStatus"], "https://schema.org/EventScheduled");
    assert_eq!(
        e["eventAttendanceMode"],
        "https://schema.org/OfflineEventAttendanceMode"
    );
    assert_eq!(e["remainingAttendeeCapacity"], 15);
    assert_eq!(e["maximumAttendeeCapacity"], 20);
    assert_eq!(
        e["url"],
        "https://reseau.example.org/rencontres/carto-rennes-2026-12/"
    );
    let location = &e["location"];
    assert_eq!(location["@type"], "Place");
    assert_eq!(location["name"], "Café du Port");
    assert_eq!(location["address"]["@type"], "PostalAddress");
    assert_eq!(location["address"]["streetAddress"], "1 quai des Indes");
    assert_eq!(location["address"]["postalCode"], "56100");
    assert_eq!(location["address"]["addressLocality"], "Lorient");
    assert_eq!(location["address"]["addressCountry"], "FR");
    assert_eq!(location["geo"]["@type"], "GeoCoordinates");
    assert_eq!(location["geo"]["latitude"], 47.7483);
    assert_eq!(e["organizer"]["@type"], "Organization");
    assert_eq!(e["organizer"]["name"], "Réseau d'essai");
    assert_eq!(e["offers"]["availability"], "https://schema.org/InStock");
    assert_eq!(e["offers"]["price"], 0);
    let cancelled = jsonld("rencontres/code-reunion-2026-12/index.html");
    assert_eq!(
        cancelled["eventStatus"],
        "https://schema.org/EventCancelled"
    );
    assert!(cancelled.get("remainingAttendeeCapacity").is_none());
    let full = jsonld("rencontres/brest-nsi-s3/index.html");
    assert_eq!(full["remainingAttendeeCapacity"], 0);
    assert_eq!(
        full["offers"]["availability"],
        "https://schema.org/LimitedAvailability"
    );
}

#[test]
fn place_pages_list_meetups_to_come_and_past() {
    let p = context("lieux/mediatheque-des-capucins-brest/index.html");
    assert_eq!(p["type"], "mediatheque");
    assert_eq!(p["type_label"], "Médiathèque");
    assert_eq!(p["department"], "29");
    assert_eq!(p["region"]["code"], "53");
    assert_eq!(p["insee"], "29019");
    assert_eq!(p["postcode"], "29200");
    assert_eq!(p["longitude"], -4.499);
    assert_eq!(p["offers"][1], "le wifi");
    assert_eq!(p["contact"]["email"], "accueil@capucins.example.org");
    assert!(p["accessibility"].as_str().unwrap().contains("**boucle"));
    assert!(p["accessibility_html"]
        .as_str()
        .unwrap()
        .contains("<strong>boucle magnétique</strong>"));
    assert_eq!(ids(&p["meetups_upcoming"]), ["brest-nsi-s3"]);
    assert_eq!(ids(&p["meetups_past"]), ["brest-nsi-s1"]);
    assert_eq!(p["next_meetup"]["id"], "brest-nsi-s3");
    // The cancelled meetup is listed but is not the next one.
    let f = context("lieux/fablab-de-saint-denis/index.html");
    assert_eq!(ids(&f["meetups_upcoming"]), ["code-reunion-2026-12"]);
    assert_eq!(f["next_meetup"], Value::Null);
    let q = context("lieux/college-jean-mace-quimper/index.html");
    assert_eq!(q["contact"], Value::Null);
    assert_eq!(ids(&q["meetups_upcoming"]), Vec::<String>::new());
}

#[test]
fn places_by_region_and_by_type() {
    let types = context("lieux/index.html");
    let types: Vec<(String, u64, String)> = types
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["type"].as_str().unwrap().to_string(),
                t["count"].as_u64().unwrap(),
                t["path"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        types,
        [
            ("epn".to_string(), 1, "/lieux/types/epn/".to_string()),
            ("fablab".into(), 1, "/lieux/types/fablab/".into()),
            ("mediatheque".into(), 1, "/lieux/types/mediatheque/".into()),
            ("college".into(), 1, "/lieux/types/college/".into()),
            ("cafe".into(), 1, "/lieux/types/cafe/".into()),
        ]
    );
    let html = read("lieux/index.html");
    let bretagne = html.find("<h2>Bretagne</h2>").unwrap();
    let reunion = html.find("<h2>La Réunion</h2>").unwrap();
    assert!(bretagne < reunion, "regions in data order");
    // Places by name within a region, accents ignored.
    let order: Vec<usize> = [
        "Café du Port",
        "Collège Jean-Macé",
        "Espace numérique du Cleunay",
        "Médiathèque des Capucins",
    ]
    .iter()
    .map(|n| html.find(n).unwrap_or_else(|| panic!("{n}")))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}");
    let cafe = context("lieux/types/cafe/index.html");
    assert_eq!(ids(&cafe), ["cafe-du-port-lorient"]);
    assert!(read("lieux/types/cafe/index.html").contains("<h1>Café et lieu public (1)</h1>"));
}

#[test]
fn region_pages_and_map_page() {
    let r = context("regions/bretagne/index.html");
    assert_eq!(r["code"], "53");
    assert_eq!(r["coordinator"]["email"], "bretagne@reseau.example.org");
    assert_eq!(r["coordinator"]["phone"], "02 99 00 00 53");
    assert!(r["description_html"]
        .as_str()
        .unwrap()
        .contains("<a href=\"/lieux/\">les lieux</a>"));
    assert_eq!(r["places"].as_array().unwrap().len(), 4);
    assert_eq!(
        ids(&r["meetups_upcoming"]),
        [
            "rennes-nsi-s3",
            "brest-nsi-s3",
            "carto-rennes-2026-12",
            "carto-rennes-2026-12-complet",
            "carto-rennes-2027-04"
        ]
    );
    assert_eq!(r["partners"][0]["id"], "service-jeunesse-brest");
    assert_eq!(r["partners"][0]["type_label"], "Service municipal");
    assert_eq!(
        r["partners"][0]["brings"][0],
        "relais auprès des jeunes de 11 à 17 ans"
    );
    assert_eq!(
        r["partners"][0]["contact"]["email"],
        "jeunesse@brest.example.org"
    );
    assert_eq!(r["ics_path"], "/regions/bretagne/calendrier.ics");
    assert_eq!(r["geojson"]["places"], "/carte/regions/53/lieux.geojson");
    assert_eq!(
        r["geojson"]["meetups"],
        "/carte/regions/53/rencontres.geojson"
    );

    let regions = context("regions/index.html");
    assert_eq!(regions[0]["slug"], "bretagne");
    assert_eq!(regions[0]["places_count"], 4);
    assert_eq!(regions[0]["upcoming_count"], 5);
    assert_eq!(regions[1]["slug"], "la-reunion");
    assert_eq!(
        regions[1]["upcoming_count"], 0,
        "cancelled meetups are not counted"
    );
    assert_eq!(regions[2]["places_count"], 0);

    let map = context("carte/index.html");
    assert_eq!(map["places_url"], "/carte/lieux.geojson");
    assert_eq!(map["meetups_url"], "/carte/rencontres.geojson");
    assert_eq!(map["totals"]["places"], 5);
    assert_eq!(map["totals"]["upcoming"], 5);
    assert_eq!(
        map["regions"][0]["places_url"],
        "/carte/regions/53/lieux.geojson"
    );
    assert_eq!(map["regions"][0]["upcoming_count"], 5);
    assert_eq!(map["regions"][1]["upcoming_count"], 0);
    assert!(
        map["regions"][0].get("meetups_upcoming").is_none(),
        "the map page counts meetups to come, it does not list them"
    );
    assert_eq!(map["place_types"].as_array().unwrap().len(), 5);
}

#[test]
fn sitemap_lists_data_pages() {
    let text = read("sitemap.xml");
    let doc = roxmltree::Document::parse(&text).unwrap();
    let locs: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .filter_map(|n| n.text())
        .collect();
    for expected in [
        "https://reseau.example.org/rencontres/brest-nsi-s3/",
        "https://reseau.example.org/rencontres/page/2/",
        "https://reseau.example.org/rencontres/passees/",
        "https://reseau.example.org/lieux/cafe-du-port-lorient/",
        "https://reseau.example.org/lieux/types/cafe/",
        "https://reseau.example.org/regions/bretagne/",
        "https://reseau.example.org/carte/",
    ] {
        assert!(locs.contains(&expected), "{expected} not in {locs:?}");
    }
    assert!(!locs
        .iter()
        .any(|l| l.ends_with(".geojson") || l.ends_with(".ics")));
}

#[test]
fn atom_feed_of_meetups_to_come() {
    let text = read("rencontres/atom.xml");
    let doc = roxmltree::Document::parse(&text).unwrap();
    let root = doc.root_element();
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://www.w3.org/2005/Atom")
    );
    let entries: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("entry"))
        .collect();
    assert_eq!(entries.len(), 6);
    let child = |n: roxmltree::Node, name: &str| {
        n.children()
            .find(|c| c.has_tag_name(name))
            .and_then(|c| c.text())
            .unwrap_or_default()
            .to_string()
    };
    assert_eq!(
        child(entries[0], "title"),
        "Rencontre NSI, semaine 3, à Rennes"
    );
    assert_eq!(
        child(entries[0], "id"),
        "https://reseau.example.org/rencontres/rennes-nsi-s3/"
    );
    assert_eq!(
        child(entries[2], "title"),
        "Annulée : Club de code de décembre"
    );
    assert!(child(entries[3], "summary")
        .starts_with("jeudi 10 décembre 2026, 18 h 30 – 20 h 30, Café du Port (Lorient)"));
    // Registration opened on 2026-11-01 09:00 Paris time.
    assert_eq!(child(entries[3], "updated"), "2026-11-01T08:00:00Z");
    // An entry whose registration opens later is dated by the build's day.
    assert_eq!(child(entries[0], "updated"), "2026-11-22T00:00:00Z");
    assert_eq!(child(root, "updated"), "2026-11-22T00:00:00Z");
}

/// The Python of the test environment, when it has `module`; `None` only
/// outside the prepared environment (`. tests/setup.sh` sets
/// `MAILLAGE_TEST_PYTHON`, and then the check must run).
fn python_with(module: &str) -> Option<String> {
    let configured = std::env::var("MAILLAGE_TEST_PYTHON").ok();
    let python = configured.clone().unwrap_or_else(|| "python3".into());
    let ok = Command::new(&python)
        .args(["-c", &format!("import {module}")])
        .status()
        .is_ok_and(|s| s.success());
    match (ok, configured) {
        (true, _) => Some(python),
        (false, Some(p)) => panic!("{p} cannot import {module}: run `. tests/setup.sh`"),
        (false, None) => {
            eprintln!("skipped: no Python with {module} (run `. tests/setup.sh`)");
            None
        }
    }
}

fn run_python(python: &str, script: &str, files: &[PathBuf]) -> Value {
    let out = common::run_ok(Command::new(python).arg("-c").arg(script).args(files));
    serde_json::from_slice(&out.stdout).unwrap()
}

const GEOJSON_CHECK: &str = r#"
import json, sys
import geojson
result = {}
for path in sys.argv[1:]:
    text = open(path, encoding="utf-8").read()
    obj = geojson.loads(text)
    raw = json.loads(text)
    errors = []
    if not obj.is_valid:
        errors.append(str(obj.errors()))
    if raw.get("type") != "FeatureCollection":
        errors.append("not a FeatureCollection")
    if "crs" in raw:
        errors.append("crs member (RFC 7946 removed it)")
    features = []
    for f in raw["features"]:
        if f.get("type") != "Feature" or f["geometry"]["type"] != "Point":
            errors.append("not a Point feature")
        lon, lat = f["geometry"]["coordinates"]
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            errors.append("position out of range: %r" % [lon, lat])
        for x in (lon, lat):
            s = repr(x)
            if "." in s and len(s.split(".")[1]) > 6:
                errors.append("more than 6 decimals: %s" % s)
        features.append({"id": f.get("id"), "lon": lon, "lat": lat, "properties": f["properties"]})
    result[path] = {"errors": errors, "features": features}
print(json.dumps(result))
"#;

#[test]
fn geojson_passes_an_independent_validator() {
    let Some(python) = python_with("geojson") else {
        return;
    };
    let names = [
        "carte/lieux.geojson",
        "carte/rencontres.geojson",
        "carte/regions/53/lieux.geojson",
        "carte/regions/53/rencontres.geojson",
        "carte/regions/04/lieux.geojson",
        "carte/regions/04/rencontres.geojson",
        "carte/regions/11/lieux.geojson",
    ];
    let files: Vec<PathBuf> = names.iter().map(|n| public(n)).collect();
    let result = run_python(&python, GEOJSON_CHECK, &files);
    let get = |name: &str| &result[public(name).to_str().unwrap()];
    for name in names {
        assert_eq!(get(name)["errors"], serde_json::json!([]), "{name}");
    }
    let feature_ids = |name: &str| -> Vec<String> {
        get(name)["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(feature_ids("carte/lieux.geojson").len(), 5);
    assert_eq!(
        feature_ids("carte/regions/04/lieux.geojson"),
        ["fablab-de-saint-denis"]
    );
    assert!(feature_ids("carte/regions/04/rencontres.geojson").is_empty());
    assert!(feature_ids("carte/regions/11/lieux.geojson").is_empty());
    assert_eq!(
        feature_ids("carte/rencontres.geojson"),
        [
            "rennes-nsi-s3",
            "brest-nsi-s3",
            "carto-rennes-2026-12",
            "carto-rennes-2026-12-complet",
            "carto-rennes-2027-04"
        ]
    );
    // Longitude first, rounded to six decimals.
    let brest = &get("carte/regions/53/lieux.geojson")["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "mediatheque-des-capucins-brest")
        .unwrap()
        .clone();
    assert_eq!(brest["lon"], -4.499);
    assert_eq!(brest["lat"], 48.384212);
    let props = &brest["properties"];
    assert_eq!(props["name"], "Médiathèque des Capucins");
    assert_eq!(props["id"], "mediatheque-des-capucins-brest");
    assert_eq!(props["type"], "mediatheque");
    assert_eq!(props["region"], "53");
    assert_eq!(props["commune"], "Brest");
    assert_eq!(props["url"], "/lieux/mediatheque-des-capucins-brest/");
    assert_eq!(props["next_meetup"], "2026-11-26T18:30:00+01:00");
    assert_eq!(props["next_meetup_url"], "/rencontres/brest-nsi-s3/");
    assert_eq!(props["next_meetup_label"], "jeudi 26 novembre 2026");
    assert_eq!(props["has_upcoming"], true);
    // Labels come once with the map page, not in every feature.
    let keys = |v: &Value| -> Vec<String> {
        let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        k.sort();
        k
    };
    assert_eq!(
        keys(props),
        [
            "commune",
            "has_upcoming",
            "id",
            "name",
            "next_meetup",
            "next_meetup_label",
            "next_meetup_url",
            "region",
            "type",
            "url"
        ]
    );
    let meetup = &get("carte/rencontres.geojson")["features"][1]["properties"];
    assert_eq!(meetup["id"], "brest-nsi-s3");
    assert_eq!(meetup["title"], "Rencontre NSI, semaine 3, à Brest");
    assert_eq!(meetup["place_id"], "mediatheque-des-capucins-brest");
    assert_eq!(meetup["type"], "mediatheque");
    assert_eq!(meetup["region"], "53");
    assert_eq!(meetup["starts_at"], "2026-11-26T18:30:00+01:00");
    assert_eq!(meetup["date_label"], "jeudi 26 novembre 2026");
    assert_eq!(meetup["url"], "/rencontres/brest-nsi-s3/");
    assert_eq!(meetup["seats_left"], 0);
    assert_eq!(meetup["registration_state"], "waiting_list");
    // What the places file already says (the place's name and commune) and
    // what the meetup's page details (kind, times, status) are left out.
    assert_eq!(
        keys(meetup),
        [
            "date_label",
            "id",
            "place_id",
            "region",
            "registration_state",
            "seats_left",
            "starts_at",
            "title",
            "type",
            "url"
        ]
    );
    let quimper = get("carte/lieux.geojson")["features"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "college-jean-mace-quimper")
        .unwrap()["properties"]
        .clone();
    assert_eq!(quimper["next_meetup"], Value::Null);
    assert_eq!(quimper["has_upcoming"], false);
    // Nothing personal: no organiser, no contact.
    let all = read("carte/rencontres.geojson") + &read("carte/lieux.geojson");
    assert!(!all.contains("Camille") && !all.contains('@'), "{all}");
}

const ICS_CHECK: &str = r#"
import json, sys
import icalendar
result = {}
for path in sys.argv[1:]:
    cal = icalendar.Calendar.from_ical(open(path, "rb").read())
    events = []
    for ev in cal.walk("VEVENT"):
        geo = ev.get("GEO")
        events.append({
            "uid": str(ev["UID"]),
            "summary": str(ev["SUMMARY"]),
            "description": str(ev["DESCRIPTION"]),
            "location": str(ev["LOCATION"]),
            "url": str(ev.get("URL")),
            "status": str(ev.get("STATUS")),
            "start": ev.decoded("DTSTART").isoformat(),
            "end": ev.decoded("DTEND").isoformat(),
            "stamp": ev.decoded("DTSTAMP").isoformat(),
            "geo": [geo.latitude, geo.longitude] if geo else None,
        })
    result[path] = {"version": str(cal["VERSION"]), "prodid": str(cal["PRODID"]), "events": events}
print(json.dumps(result))
"#;

#[test]
fn calendars_parse_with_an_independent_parser() {
    let names = [
        "rencontres/brest-nsi-s3/calendrier.ics",
        "rencontres/carto-rennes-2026-12/calendrier.ics",
        "rencontres/carto-rennes-2027-04/calendrier.ics",
        "rencontres/code-reunion-2026-12/calendrier.ics",
        "regions/bretagne/calendrier.ics",
        "regions/ile-de-france/calendrier.ics",
    ];
    // RFC 5545 framing, checked on the bytes: CRLF everywhere, lines of at
    // most 75 octets, continuation lines starting with a space.
    for name in names {
        let text = read(name);
        assert!(text.starts_with("BEGIN:VCALENDAR\r\n") && text.ends_with("END:VCALENDAR\r\n"));
        assert!(!text.replace("\r\n", "").contains('\n'), "{name}: bare LF");
        for line in text.split("\r\n") {
            assert!(line.len() <= 75, "{name}: {} octets: {line}", line.len());
        }
    }
    let Some(python) = python_with("icalendar") else {
        return;
    };
    let files: Vec<PathBuf> = names.iter().map(|n| public(n)).collect();
    let result = run_python(&python, ICS_CHECK, &files);
    let events = |name: &str| result[public(name).to_str().unwrap()]["events"].clone();
    let one = |name: &str| {
        let e = events(name);
        assert_eq!(e.as_array().unwrap().len(), 1, "{name}");
        e[0].clone()
    };
    assert_eq!(result[public(names[0]).to_str().unwrap()]["version"], "2.0");
    // Winter: Paris is UTC+1.
    let winter = one("rencontres/brest-nsi-s3/calendrier.ics");
    assert_eq!(winter["uid"], "brest-nsi-s3@reseau.example.org");
    assert_eq!(winter["start"], "2026-11-26T18:30:00+01:00");
    assert_eq!(winter["end"], "2026-11-26T20:30:00+01:00");
    // Built at 12:00 in Paris: stamped with the start of that day, UTC.
    assert_eq!(winter["stamp"], "2026-11-22T00:00:00+00:00");
    assert_eq!(winter["status"], "CONFIRMED");
    assert_eq!(
        winter["location"],
        "Médiathèque des Capucins, 25 rue de Pontaniou, 29200 Brest"
    );
    assert_eq!(
        winter["url"],
        "https://reseau.example.org/rencontres/brest-nsi-s3/"
    );
    assert_eq!(winter["geo"], serde_json::json!([48.384212, -4.499]));
    // Escaped and folded text comes back intact.
    let description = winter["description"].as_str().unwrap();
    assert!(
        description
            .contains("- Refaire l'activité de tri, ensemble ; puis comparer\n- Préparer la suite"),
        "{description}"
    );
    let escaped = one("rencontres/carto-rennes-2026-12/calendrier.ics");
    assert_eq!(
        escaped["summary"],
        "Rencontre cartographie, saison 2 ; à Lorient"
    );
    // Summer: Paris is UTC+2.
    let summer = one("rencontres/carto-rennes-2027-04/calendrier.ics");
    assert_eq!(summer["start"], "2027-04-08T18:30:00+02:00");
    assert_eq!(summer["end"], "2027-04-08T20:30:00+02:00");
    let cancelled = one("rencontres/code-reunion-2026-12/calendrier.ics");
    assert_eq!(cancelled["status"], "CANCELLED");
    // A region: meetups to come and those of the last 90 days.
    let region = events("regions/bretagne/calendrier.ics");
    let uids: Vec<&str> = region
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["uid"].as_str().unwrap())
        .collect();
    assert_eq!(
        uids,
        [
            "carto-rennes-2026-10@reseau.example.org",
            "rennes-nsi-s1@reseau.example.org",
            "brest-nsi-s1@reseau.example.org",
            "rennes-nsi-s3@reseau.example.org",
            "brest-nsi-s3@reseau.example.org",
            "carto-rennes-2026-12@reseau.example.org",
            "carto-rennes-2026-12-complet@reseau.example.org",
            "carto-rennes-2027-04@reseau.example.org",
        ]
    );
    assert!(events("regions/ile-de-france/calendrier.ics")
        .as_array()
        .unwrap()
        .is_empty());
}

/// Writes the `text/calendar` part of the email in argv[1] to argv[2].
const EMAIL_CALENDAR: &str = r#"
import email, sys
from email import policy
message = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=policy.default)
parts = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
assert len(parts) == 1, "expected one calendar part, got %d" % len(parts)
open(sys.argv[2], "wb").write(parts[0].get_payload(decode=True))
print("{}")
"#;

#[test]
fn the_emailed_event_is_the_sites_event() {
    use maillage_function::email::compose;
    use maillage_model::events::Recipient;
    use maillage_store::RegistrationStatus;

    let Some(python) = python_with("icalendar") else {
        return;
    };
    let options = maillage::BuildOptions {
        root: site().to_path_buf(),
        extensions: maillage::extensions::standard(),
        ..Default::default()
    };
    let definitions = maillage::store_cli::site_definitions(&options, false).unwrap();
    let meetup = definitions
        .meetups
        .iter()
        .find(|d| d.id == "brest-nsi-s3")
        .expect("the meetup's definition");
    let sender = compose::Sender {
        from: "Réseau des rencontres <rencontres@reseau.example.org>"
            .parse()
            .unwrap(),
        reply_to: None,
    };
    let person = Recipient {
        name: "Camille".into(),
        email: "camille@example.org".into(),
    };
    let email = compose::registration(
        &sender,
        meetup,
        &person,
        RegistrationStatus::Confirmed,
        "https://reseau.example.org/inscription/annuler/#jeton=x",
        "2026-11-22T11:00:00Z".parse().unwrap(),
    )
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let eml = dir.path().join("confirmation.eml");
    let emailed = dir.path().join("rencontre.ics");
    std::fs::write(&eml, email.message.formatted()).unwrap();
    run_python(&python, EMAIL_CALENDAR, &[eml, emailed.clone()]);
    let site_file = public("rencontres/brest-nsi-s3/calendrier.ics");
    let result = run_python(&python, ICS_CHECK, &[emailed.clone(), site_file.clone()]);
    let event = |path: &Path| result[path.to_str().unwrap()]["events"][0].clone();
    let (from_email, from_site) = (event(&emailed), event(&site_file));
    for field in ["uid", "start", "end", "location", "summary", "url"] {
        assert_eq!(from_email[field], from_site[field], "{field}");
    }
    assert_eq!(from_site["uid"], "brest-nsi-s3@reseau.example.org");
}

#[test]
fn the_only_emails_published_are_public_contacts_from_data() {
    // Every address declared in data/ as a public contact.
    let mut declared = std::collections::BTreeSet::new();
    let email = regex::Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}").unwrap();
    for file in common::files(&site().join("data")) {
        for m in email.find_iter(&common::read(&site().join("data"), &file)) {
            declared.insert(m.as_str().to_string());
        }
    }
    assert!(declared.contains("bretagne@reseau.example.org"));
    let mut published = std::collections::BTreeSet::new();
    for file in common::files(&site().join("public")) {
        let text = read(&file);
        // iCalendar UIDs (`<meetup id>@<host>`) look like addresses but are not.
        for line in text.lines().filter(|l| !l.starts_with("UID:")) {
            for m in email.find_iter(line) {
                published.insert(m.as_str().to_string());
            }
        }
    }
    assert!(published.contains("accueil@capucins.example.org"));
    let unexpected: Vec<_> = published.difference(&declared).collect();
    assert!(unexpected.is_empty(), "{unexpected:?}");
}

/// The fixture built in process, with `overlay` over its live figures (the
/// other tests of this file run the command).
fn build_with_overlay(overlay: maillage::pages::LiveOverlay) -> tempfile::TempDir {
    std::env::set_var("MAILLAGE_NOW", NOW);
    let dir = common::fixture("data-site");
    let options = maillage::BuildOptions {
        root: dir.path().to_path_buf(),
        extensions: vec![std::sync::Arc::new(
            maillage::pages::DataPages::with_live_overlay(overlay),
        )],
        ..Default::default()
    };
    maillage::build(&options).unwrap_or_else(|e| panic!("{e}"));
    dir
}

#[test]
fn live_overlay_replaces_figures_meetup_by_meetup() {
    let dir = build_with_overlay(std::sync::Arc::new(|data| {
        let live = std::sync::Arc::make_mut(&mut data.live);
        let s3 = live.meetups.get_mut("brest-nsi-s3").unwrap();
        s3.confirmed = 3;
        s3.waiting = 0;
    }));
    let html = common::read(
        &dir.path().join("public"),
        "rencontres/brest-nsi-s3/index.html",
    );
    let start = html.find("id=\"context\">").unwrap() + "id=\"context\">".len();
    let end = start + html[start..].find("</script>").unwrap();
    let m: Value = serde_json::from_str(&html[start..end]).unwrap();
    assert_eq!(m["seats_left"], 7);
    assert_eq!(m["registration"]["state"], "open");
    // Other meetups keep the figures of data/live/aggregates.json.
    let other = common::read(
        &dir.path().join("public"),
        "rencontres/carto-rennes-2026-12/index.html",
    );
    assert!(other.contains("\"seats_left\":15"), "{other}");
}

#[test]
fn a_meetup_its_organiser_cancelled_through_the_function_shows_cancelled() {
    // What the store's figures say after the organiser's cancellation
    // message; `data/` still says the meetup is open.
    let dir = build_with_overlay(std::sync::Arc::new(|data| {
        std::sync::Arc::make_mut(&mut data.live)
            .meetups
            .entry("carto-rennes-2026-12".into())
            .or_default()
            .cancelled = true;
    }));
    let public = dir.path().join("public");
    let html = common::read(&public, "rencontres/carto-rennes-2026-12/index.html");
    let start = html.find("id=\"context\">").unwrap() + "id=\"context\">".len();
    let end = start + html[start..].find("</script>").unwrap();
    let m: Value = serde_json::from_str(&html[start..end]).unwrap();
    assert_eq!(m["status"], "cancelled");
    assert_eq!(m["registration"]["state"], "cancelled");
    let ics = common::read(&public, "rencontres/carto-rennes-2026-12/calendrier.ics");
    assert!(ics.contains("STATUS:CANCELLED"), "{ics}");
    // Another meetup is left as it was.
    let other = common::read(&public, "rencontres/brest-nsi-s3/calendrier.ics");
    assert!(!other.contains("STATUS:CANCELLED"), "{other}");
}

/// The data-site fixture's templates over `overseas-data`: a meetup in each
/// overseas region and one the night Paris clocks go back, built on
/// 1 September 2025.
fn overseas_site() -> &'static Path {
    static SITE: OnceLock<tempfile::TempDir> = OnceLock::new();
    SITE.get_or_init(|| {
        let dir = common::fixture("data-site");
        std::fs::remove_dir_all(dir.path().join("data")).unwrap();
        let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/overseas-data");
        common::copy_dir(&data, dir.path());
        common::build_at(dir.path(), "2025-09-01T12:00");
        dir
    })
    .path()
}

fn overseas_context(rel: &str) -> Value {
    let html = common::read(&overseas_site().join("public"), rel);
    let start = html
        .find("<script type=\"application/json\" id=\"context\">")
        .unwrap_or_else(|| panic!("{rel} has no context"));
    let rest = &html[start..];
    let body = &rest[rest.find('>').unwrap() + 1..rest.find("</script>").unwrap()];
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{rel}: {e}\n{body}"))
}

#[test]
fn overseas_meetups_show_their_local_time_and_name_their_zone() {
    // id, start as written in data/ with its zone's offset, time label.
    let cases = [
        (
            "code-guadeloupe",
            "2025-09-09T18:30:00-04:00",
            "mardi 9 septembre 2025",
            "18 h 30 – 21 h (heure de la Guadeloupe)",
        ),
        (
            "code-martinique",
            "2025-09-10T18:00:00-04:00",
            "mercredi 10 septembre 2025",
            "18 h – 20 h (heure de la Martinique)",
        ),
        (
            "code-guyane",
            "2025-09-11T17:30:00-03:00",
            "jeudi 11 septembre 2025",
            "17 h 30 – 19 h 30 (heure de Guyane)",
        ),
        (
            "code-reunion",
            "2025-09-12T18:30:00+04:00",
            "vendredi 12 septembre 2025",
            "18 h 30 – 20 h 30 (heure de La Réunion)",
        ),
        (
            "code-mayotte",
            "2025-09-13T09:00:00+03:00",
            "samedi 13 septembre 2025",
            "9 h – 12 h (heure de Mayotte)",
        ),
    ];
    for (id, starts_at, date, time) in cases {
        let m = overseas_context(&format!("rencontres/{id}/index.html"));
        assert_eq!(m["starts_at"], starts_at, "{id}");
        assert_eq!(m["date_label"], date, "{id}");
        assert_eq!(m["time_label"], time, "{id}");
        let jsonld: Value = serde_json::from_str(m["jsonld"].as_str().unwrap()).unwrap();
        assert_eq!(jsonld["startDate"], starts_at, "{id}");
    }
    let reunion = overseas_context("rencontres/code-reunion/index.html");
    assert_eq!(reunion["time_zone"], "Indian/Reunion");
    assert_eq!(
        reunion["registration"]["opens_at"],
        "2025-09-05T08:00:00+04:00"
    );
    assert_eq!(
        reunion["registration"]["label"],
        "Inscriptions à partir du vendredi 5 septembre 2025 à 8 h (heure de La Réunion)"
    );
    // A meetup in the site's own zone names none.
    let paris = overseas_context("rencontres/nuit-du-code-montreuil/index.html");
    assert_eq!(paris["zone_label"], Value::Null);
    assert_eq!(paris["time_label"], "22 h – dimanche 25 octobre 2026, 4 h");
}

#[test]
fn summer_time_changes_in_paris_are_followed() {
    let m = overseas_context("rencontres/nuit-du-code-montreuil/index.html");
    // The night clocks go back: from summer to winter time.
    assert_eq!(m["starts_at"], "2026-10-24T22:00:00+02:00");
    assert_eq!(m["ends_at"], "2026-10-25T04:00:00+01:00");
    // Registration opens in winter time and closes in summer time.
    assert_eq!(m["registration"]["opens_at"], "2026-03-28T20:00:00+01:00");
    assert_eq!(m["registration"]["closes_at"], "2026-03-29T20:00:00+02:00");
}

#[test]
fn overseas_calendars_carry_their_zone() {
    let public = overseas_site().join("public");
    let raw = common::read(&public, "rencontres/code-guadeloupe/calendrier.ics");
    assert!(
        raw.contains("DTSTART;TZID=America/Guadeloupe:20250909T183000\r\n"),
        "{raw}"
    );
    assert!(raw.contains("BEGIN:VTIMEZONE\r\nTZID:America/Guadeloupe\r\n"));
    let Some(python) = python_with("icalendar") else {
        return;
    };
    let names = [
        (
            "code-guadeloupe",
            "2025-09-09T18:30:00-04:00",
            "2025-09-09T21:00:00-04:00",
        ),
        (
            "code-martinique",
            "2025-09-10T18:00:00-04:00",
            "2025-09-10T20:00:00-04:00",
        ),
        (
            "code-guyane",
            "2025-09-11T17:30:00-03:00",
            "2025-09-11T19:30:00-03:00",
        ),
        (
            "code-reunion",
            "2025-09-12T18:30:00+04:00",
            "2025-09-12T20:30:00+04:00",
        ),
        (
            "code-mayotte",
            "2025-09-13T09:00:00+03:00",
            "2025-09-13T12:00:00+03:00",
        ),
        (
            "nuit-du-code-montreuil",
            "2026-10-24T22:00:00+02:00",
            "2026-10-25T04:00:00+01:00",
        ),
    ];
    let files: Vec<PathBuf> = names
        .iter()
        .map(|(id, ..)| public.join(format!("rencontres/{id}/calendrier.ics")))
        .collect();
    let result = run_python(&python, ICS_CHECK, &files);
    for ((id, start, end), file) in names.iter().zip(&files) {
        let event = &result[file.to_str().unwrap()]["events"][0];
        assert_eq!(event["start"], *start, "{id}");
        assert_eq!(event["end"], *end, "{id}");
    }
}

/// Two médiathèques in two communes of one name, in departments 22 and 35.
const HOMONYMS: &str = "\
- id: mediatheque-saint-martin-22
  name: Médiathèque
  type: mediatheque
  address: 1 place de l'Église
  postcode: \"22100\"
  commune: Saint-Martin
  insee: \"22300\"
  department: \"22\"
  region: \"53\"
  lat: 48.45
  lon: -2.05
- id: mediatheque-saint-martin-35
  name: Médiathèque
  type: mediatheque
  address: 2 rue de la Mairie
  postcode: \"35300\"
  commune: Saint-Martin
  insee: \"35300\"
  department: \"35\"
  region: \"53\"
  lat: 48.35
  lon: -1.2
";

#[test]
fn homonyms_show_their_department_and_every_place_has_its_own_title() {
    let dir = common::fixture_with("data-site", &[("data/places/homonymes.yaml", HOMONYMS)]);
    common::build_at(dir.path(), NOW);
    let page = |id: &str| {
        std::fs::read_to_string(dir.path().join(format!("public/lieux/{id}/index.html"))).unwrap()
    };
    let title = |html: &str| {
        html.split("<title>")
            .nth(1)
            .unwrap()
            .split("</title>")
            .next()
            .unwrap()
            .to_string()
    };
    let (a, b) = (
        page("mediatheque-saint-martin-22"),
        page("mediatheque-saint-martin-35"),
    );
    assert!(
        title(&a).starts_with("Médiathèque · Saint-Martin (22)"),
        "{}",
        title(&a)
    );
    assert!(
        title(&b).starts_with("Médiathèque · Saint-Martin (35)"),
        "{}",
        title(&b)
    );
    // Cards and lists show the commune the same way; a commune no other
    // department shares keeps its name alone.
    assert!(
        a.contains("35300 Saint-Martin (35)") || a.contains("22100 Saint-Martin (22)"),
        "{a}"
    );
    let brest = std::fs::read_to_string(
        dir.path()
            .join("public/lieux/mediatheque-des-capucins-brest/index.html"),
    )
    .unwrap();
    assert!(brest.contains("\"commune\":\"Brest\""), "{brest}");
    // Every place page has its own title.
    let mut titles = std::collections::BTreeMap::new();
    for entry in std::fs::read_dir(dir.path().join("public/lieux")).unwrap() {
        let index = entry.unwrap().path().join("index.html");
        if let Ok(html) = std::fs::read_to_string(&index) {
            if html.contains("class=\"place") || index.to_string_lossy().contains("mediatheque") {
                let t = title(&html);
                assert!(
                    titles.insert(t.clone(), index.clone()).is_none(),
                    "two pages titled {t}"
                );
            }
        }
    }
}

/// With the search index on, every place is in it by its name, commune,
/// type and region; meetups and listings are not.
#[test]
fn places_are_in_the_search_index() {
    let dir = common::fixture("data-site");
    let config = dir.path().join("config.toml");
    let text = std::fs::read_to_string(&config).unwrap().replacen(
        "generate_sitemap = true\n",
        "generate_sitemap = true\nbuild_search_index = true\n\n[search]\nindex_format = \"fuse_json\"\ninclude_description = true\n",
        1,
    );
    std::fs::write(&config, text).unwrap();
    common::build_at(dir.path(), NOW);
    let index: Vec<Value> = serde_json::from_str(&common::read(
        &dir.path().join("public"),
        "search_index.fr.json",
    ))
    .unwrap();
    let entry = |path: &str| {
        index
            .iter()
            .find(|d| d["url"] == format!("https://reseau.example.org{path}"))
            .cloned()
    };
    let brest = entry("/lieux/mediatheque-des-capucins-brest/").expect("a place is indexed");
    assert_eq!(brest["title"], "Médiathèque des Capucins · Brest");
    let description = brest["description"].as_str().unwrap();
    assert!(
        description.starts_with("Médiathèque, Brest, "),
        "{description}"
    );
    assert!(entry("/lieux/epn-du-cleunay-rennes/").is_some());
    assert!(entry("/lieux/").is_none(), "listings are not indexed");
    assert!(
        !index
            .iter()
            .any(|d| d["url"].as_str().unwrap().contains("/rencontres/")),
        "meetups are not indexed"
    );
}
