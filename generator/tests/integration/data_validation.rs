//! Every validation rule of `data/`, each with a broken fixture: the error
//! names the file, the line, the field and what was expected. Warnings are
//! reported without failing.

use crate::common;

use std::path::Path;

use chrono::{DateTime, Utc};
use maillage::Diagnostic;

fn now() -> DateTime<Utc> {
    maillage_model::clock::parse_instant("2026-11-22T12:00").unwrap()
}

/// The data fixture with `files` written over it (path relative to the site).
fn site_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    common::fixture_with("data-site", files)
}

fn errors(files: &[(&str, &str)]) -> Vec<Diagnostic> {
    let dir = site_with(files);
    match maillage::data::load(dir.path(), now()) {
        Ok(_) => panic!("expected errors, the data loaded"),
        Err(e) => e.0,
    }
}

fn warnings(files: &[(&str, &str)]) -> Vec<Diagnostic> {
    let dir = site_with(files);
    match maillage::data::load(dir.path(), now()) {
        Ok(loaded) => loaded.warnings,
        Err(e) => panic!("expected no error, got:\n{e}"),
    }
}

/// Asserts one diagnostic has this file, line, field and message part.
#[track_caller]
fn assert_has(diags: &[Diagnostic], file: &str, line: usize, field: &str, message: &str) {
    let found = diags.iter().any(|d| {
        d.file == Path::new(file)
            && d.line == Some(line)
            && d.field.as_deref() == Some(field)
            && d.message.contains(message)
    });
    assert!(
        found,
        "no diagnostic {file}:{line} `{field}` containing {message:?}; got:\n{}",
        diags
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

const MEETUP: &str = "\
- id: essai
  title: Essai
  kind: community
  series: carto-rennes
  start: 2026-12-17T18:30
  end: 2026-12-17T20:30
  place: cafe-du-port-lorient
  capacity: 10
  registration:
    opens: 2026-11-01T09:00
    closes: 2026-12-17T12:00
  status: open
  organiser: Alix
";

/// The valid meetup above with `from` replaced by `to`.
fn meetup_with(from: &str, to: &str) -> String {
    assert!(MEETUP.contains(from), "{from}");
    MEETUP.replacen(from, to, 1)
}

const BROKEN_MEETUP: &str = "data/meetups/essai.yaml";

fn meetup_errors(from: &str, to: &str) -> Vec<Diagnostic> {
    errors(&[(BROKEN_MEETUP, &meetup_with(from, to))])
}

const PLACE: &str = "\
- id: lieu-essai
  name: Lieu d'essai
  type: tiers_lieu
  address: 1 place de la Mairie
  postcode: \"29200\"
  commune: Brest
  insee: \"29019\"
  department: \"29\"
  region: \"53\"
  lat: 48.39
  lon: -4.48
";

const BROKEN_PLACE: &str = "data/places/essai.yaml";

fn place_errors(from: &str, to: &str) -> Vec<Diagnostic> {
    assert!(PLACE.contains(from), "{from}");
    errors(&[(BROKEN_PLACE, &PLACE.replacen(from, to, 1))])
}

#[test]
fn the_fixture_itself_is_valid() {
    let dir = common::fixture("data-site");
    let loaded = maillage::data::load(dir.path(), now()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded.data.meetups.len(), 9);
    assert_eq!(loaded.data.places.len(), 5);
    assert_eq!(loaded.data.regions.len(), 3);
}

#[test]
fn unknown_place_of_a_meetup() {
    let d = meetup_errors("place: cafe-du-port-lorient", "place: cafe-inconnu");
    assert_has(
        &d,
        BROKEN_MEETUP,
        7,
        "place",
        "unknown place `cafe-inconnu`",
    );
}

#[test]
fn unknown_series_and_module() {
    let d = meetup_errors("series: carto-rennes", "series: carto-brest");
    assert_has(
        &d,
        BROKEN_MEETUP,
        4,
        "series",
        "unknown series `carto-brest`",
    );
    let d = meetup_errors(
        "kind: community\n  series: carto-rennes",
        "kind: training\n  module: nsi-avance\n  week: 1",
    );
    assert_has(
        &d,
        BROKEN_MEETUP,
        4,
        "module",
        "unknown module `nsi-avance`",
    );
}

#[test]
fn place_in_an_undeclared_region() {
    // Normandie exists but the fixture does not declare it.
    let d = place_errors(
        "postcode: \"29200\"\n  commune: Brest\n  insee: \"29019\"\n  department: \"29\"\n  region: \"53\"\n  lat: 48.39\n  lon: -4.48",
        "postcode: \"14000\"\n  commune: Caen\n  insee: \"14118\"\n  department: \"14\"\n  region: \"28\"\n  lat: 49.18\n  lon: -0.37",
    );
    assert_has(
        &d,
        BROKEN_PLACE,
        9,
        "region",
        "region `28` is not declared in data/regions.yaml",
    );
}

#[test]
fn unknown_region_code() {
    let regions = "\
- code: \"53\"
  name: Bretagne
  coordinator: { name: C, email: c@reseau.example.org }
- code: \"04\"
  name: La Réunion
  coordinator: { name: C, email: r@reseau.example.org }
- code: \"99\"
  name: Atlantide
  coordinator: { name: C, email: a@reseau.example.org }
";
    let d = errors(&[("data/regions.yaml", regions)]);
    assert_has(
        &d,
        "data/regions.yaml",
        7,
        "code",
        "unknown region code `99`",
    );
    assert_has(&d, "data/regions.yaml", 7, "code", "53 (Bretagne)");
}

#[test]
fn duplicate_ids_across_files() {
    let dup = PLACE.replace("id: lieu-essai", "id: epn-du-cleunay-rennes");
    let d = errors(&[(BROKEN_PLACE, &dup)]);
    assert_has(
        &d,
        BROKEN_PLACE,
        1,
        "id",
        "duplicate place id `epn-du-cleunay-rennes`: already used at data/places.yaml:25",
    );
    let twice = format!("{MEETUP}\n{}", MEETUP);
    let d = errors(&[(BROKEN_MEETUP, &twice)]);
    assert_has(
        &d,
        BROKEN_MEETUP,
        15,
        "id",
        "duplicate meetup id `essai`: already used at data/meetups/essai.yaml:1",
    );
    let regions = "\
- code: \"53\"
  name: Bretagne
  coordinator: { name: C, email: c@reseau.example.org }
- code: \"53\"
  name: Bretagne bis
  coordinator: { name: C, email: c@reseau.example.org }
";
    let d = errors(&[("data/regions.yaml", regions)]);
    assert_has(
        &d,
        "data/regions.yaml",
        4,
        "code",
        "duplicate region code `53`",
    );
}

#[test]
fn coordinates_outside_france() {
    let d = place_errors("lat: 48.39\n  lon: -4.48", "lat: 51.5074\n  lon: -0.1278");
    assert_has(
        &d,
        BROKEN_PLACE,
        10,
        "lat",
        "coordinates lat 51.5074, lon -0.1278 are outside la France métropolitaine",
    );
    let d = place_errors("lat: 48.39\n  lon: -4.48", "lat: -4.48\n  lon: 48.39");
    assert_has(&d, BROKEN_PLACE, 10, "lat", "swapped?");
    // A latitude of Brittany with a longitude in the Atlantic: `lon` is named.
    let d = place_errors("lat: 48.39\n  lon: -4.48", "lat: 48.39\n  lon: -14.48");
    assert_has(
        &d,
        BROKEN_PLACE,
        11,
        "lon",
        "are outside la France métropolitaine",
    );
}

/// A place of the Pyrénées-Atlantiques (64) placed in the Jura: inside
/// metropolitan France's box, outside its department's outline.
const PAU_IN_THE_JURA: &str = "\
- id: lieu-essai
  name: Médiathèque André-Labarrère
  type: tiers_lieu
  address: 2 place Marguerite-Laborde
  postcode: \"64000\"
  commune: Pau
  insee: \"64445\"
  department: \"64\"
  region: \"75\"
  lat: 46.6744
  lon: 5.5539
";

/// The fixture's regions and Nouvelle-Aquitaine, Pau's.
fn regions_with_pau() -> (&'static str, String) {
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/data-site/data/regions.yaml");
    let regions = std::fs::read_to_string(fixture).unwrap()
        + "\n- code: \"75\"\n  name: Nouvelle-Aquitaine\n  coordinator:\n    name: Coordination Nouvelle-Aquitaine\n    email: nouvelle-aquitaine@reseau.example.org\n";
    ("data/regions.yaml", regions)
}

/// The site with Pau's region and this place.
fn pau_site(place: &str) -> tempfile::TempDir {
    let (path, regions) = regions_with_pau();
    site_with(&[(path, &regions), (BROKEN_PLACE, place)])
}

fn pau_errors(place: &str) -> Vec<Diagnostic> {
    match maillage::data::load(pau_site(place).path(), now()) {
        Ok(_) => panic!("expected errors, the data loaded"),
        Err(e) => e.0,
    }
}

#[test]
fn coordinates_outside_their_department() {
    let d = pau_errors(PAU_IN_THE_JURA);
    assert_has(
        &d,
        BROKEN_PLACE,
        10,
        "lat",
        "coordinates lat 46.6744, lon 5.5539 are 553 km outside department 64 (Pyrénées-Atlantiques): the point is in department 39 (Jura)",
    );
    // The latitude of Pau with the longitude of Tarbes: `lon` is named.
    let tarbes =
        PAU_IN_THE_JURA.replace("lat: 46.6744\n  lon: 5.5539", "lat: 43.2951\n  lon: 0.0781");
    let d = pau_errors(&tarbes);
    assert_has(
        &d,
        BROKEN_PLACE,
        11,
        "lon",
        "the point is in department 65 (Hautes-Pyrénées)",
    );
    // In the sea, in no department.
    let sea = PAU_IN_THE_JURA.replace("lat: 46.6744\n  lon: 5.5539", "lat: 43.4\n  lon: -2.0");
    let d = pau_errors(&sea);
    assert_has(&d, BROKEN_PLACE, 11, "lon", "the point is in no department");
    // At Pau, it loads; on the coast, within the tolerance of the simplified
    // outline, too (Biarritz's lighthouse).
    for (lat, lon) in [("43.2951", "-0.3708"), ("43.4939", "-1.5517")] {
        let here = PAU_IN_THE_JURA.replace(
            "lat: 46.6744\n  lon: 5.5539",
            &format!("lat: {lat}\n  lon: {lon}"),
        );
        if let Err(e) = maillage::data::load(pau_site(&here).path(), now()) {
            panic!("{lat}, {lon}: {e}");
        }
    }
}

/// `maillage check` fails on it, naming file, line and field.
#[test]
fn check_refuses_a_place_outside_its_department() {
    let dir = pau_site(PAU_IN_THE_JURA);
    let (ok, stderr) = check_site(dir.path());
    assert!(!ok, "{stderr}");
    assert!(
        stderr.contains("data/places/essai.yaml:10: `lat`: coordinates lat 46.6744, lon 5.5539 are 553 km outside department 64"),
        "{stderr}"
    );
    assert!(stderr.contains("department 39 (Jura)"), "{stderr}");
}

#[test]
fn overseas_place_must_be_in_its_territory() {
    // A place of La Réunion with metropolitan coordinates.
    let reunion = PLACE
        .replace("postcode: \"29200\"", "postcode: \"97400\"")
        .replace("insee: \"29019\"", "insee: \"97411\"")
        .replace("department: \"29\"", "department: \"974\"")
        .replace("region: \"53\"", "region: \"04\"");
    let d = errors(&[(BROKEN_PLACE, &reunion)]);
    assert_has(&d, BROKEN_PLACE, 10, "lat", "are outside La Réunion");
}

#[test]
fn end_before_start() {
    let d = meetup_errors("end: 2026-12-17T20:30", "end: 2026-12-17T17:00");
    assert_has(
        &d,
        BROKEN_MEETUP,
        6,
        "end",
        "the meetup ends (2026-12-17T17:00) before it starts (2026-12-17T18:30)",
    );
}

#[test]
fn registration_closing_before_it_opens() {
    let d = meetup_errors("closes: 2026-12-17T12:00", "closes: 2026-10-01T12:00");
    assert_has(
        &d,
        BROKEN_MEETUP,
        11,
        "registration.closes",
        "registration closes (2026-10-01T12:00) before it opens",
    );
}

#[test]
fn capacity_must_be_positive() {
    let d = meetup_errors("capacity: 10", "capacity: 0");
    assert_has(
        &d,
        BROKEN_MEETUP,
        8,
        "capacity",
        "expected a positive whole number, found 0",
    );
    let d = meetup_errors("capacity: 10", "capacity: -3");
    assert_has(&d, BROKEN_MEETUP, 8, "capacity", "found -3");
    let d = meetup_errors("capacity: 10", "capacity: dix");
    assert_has(&d, BROKEN_MEETUP, 8, "capacity", "found the text `dix`");
}

#[test]
fn training_meetup_outside_its_weeks() {
    let training = |start: &str, week: u32| {
        meetup_with(
            "kind: community\n  series: carto-rennes\n  start: 2026-12-17T18:30\n  end: 2026-12-17T20:30",
            &format!("kind: training\n  module: nsi-fondamentaux\n  week: {week}\n  start: {start}T18:30\n  end: {start}T20:30"),
        )
    };
    // The module opens on Monday 2026-11-02: week 3 meetups belong between
    // 2026-11-16 and 2026-11-29.
    let d = errors(&[(BROKEN_MEETUP, &training("2026-12-10", 3))]);
    assert_has(
        &d,
        BROKEN_MEETUP,
        6,
        "start",
        "must take place during week 3 or 4 of the module, between 2026-11-16 and 2026-11-29; 2026-12-10 is outside",
    );
    let d = errors(&[(BROKEN_MEETUP, &training("2026-11-01", 1))]);
    assert_has(
        &d,
        BROKEN_MEETUP,
        6,
        "start",
        "between 2026-11-02 and 2026-11-15",
    );
    // Last day of the window is fine.
    let ok =
        training("2026-11-29", 3).replace("closes: 2026-12-17T12:00", "closes: 2026-11-29T12:00");
    assert!(maillage::data::load(site_with(&[(BROKEN_MEETUP, &ok)]).path(), now()).is_ok());
    let d = errors(&[(BROKEN_MEETUP, &training("2026-11-20", 2))]);
    assert_has(&d, BROKEN_MEETUP, 5, "week", "week 2: expected 1 or 3");
}

#[test]
fn week_beyond_the_module() {
    let modules = "\
- id: nsi-fondamentaux
  title: Court
  online_start: 2026-11-02
  weeks: 2
";
    let d = errors(&[("data/modules.yaml", modules)]);
    assert_has(
        &d,
        "data/meetups/formation.yaml",
        23,
        "week",
        "week 3: module `nsi-fondamentaux` lasts only 2 weeks",
    );
}

#[test]
fn unknown_place_type() {
    let d = place_errors("type: tiers_lieu", "type: gymnase");
    assert_has(
        &d,
        BROKEN_PLACE,
        3,
        "type",
        "unknown place type `gymnase`: expected one of epn, fablab",
    );
}

#[test]
fn bad_date_formats() {
    let d = meetup_errors("start: 2026-12-17T18:30", "start: 17/12/2026 18h30");
    assert_has(
        &d,
        BROKEN_MEETUP,
        5,
        "start",
        "`17/12/2026 18h30` is not a date and time: expected YYYY-MM-DDTHH:MM",
    );
    let d = meetup_errors("opens: 2026-11-01T09:00", "opens: 2026-11-31T09:00");
    assert_has(
        &d,
        BROKEN_MEETUP,
        10,
        "registration.opens",
        "is not a date and time",
    );
    let modules = "- id: m\n  title: M\n  online_start: 2 novembre\n  weeks: 6\n";
    let d = errors(&[("data/modules.yaml", modules)]);
    assert_has(
        &d,
        "data/modules.yaml",
        3,
        "online_start",
        "`2 novembre` is not a date: expected YYYY-MM-DD",
    );
}

#[test]
fn unknown_time_zone() {
    let d = place_errors(
        "  lon: -4.48\n",
        "  lon: -4.48\n  time_zone: Europe/Lutece\n",
    );
    assert_has(
        &d,
        BROKEN_PLACE,
        12,
        "time_zone",
        "unknown time zone `Europe/Lutece`: expected an IANA name",
    );
}

#[test]
fn local_time_skipped_by_summer_time() {
    let d = meetup_errors(
        "start: 2026-12-17T18:30\n  end: 2026-12-17T20:30",
        "start: 2027-03-28T02:30\n  end: 2027-03-28T04:00",
    );
    assert_has(
        &d,
        BROKEN_MEETUP,
        5,
        "start",
        "2027-03-28T02:30 does not exist in Europe/Paris",
    );
}

#[test]
fn report_key_must_be_a_sha256() {
    let with_key = |key: &str| format!("{MEETUP}  report_key_sha256: {key}\n");
    let d = errors(&[(BROKEN_MEETUP, &with_key("abc123"))]);
    assert_has(
        &d,
        BROKEN_MEETUP,
        14,
        "report_key_sha256",
        "`abc123` is not a SHA-256 hash: expected 64 lower-case hexadecimal characters",
    );
    let upper = "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08";
    let d = errors(&[(BROKEN_MEETUP, &with_key(upper))]);
    assert_has(&d, BROKEN_MEETUP, 14, "report_key_sha256", "lower-case");
}

#[test]
fn malformed_ids_statuses_kinds_and_roles() {
    let d = meetup_errors("id: essai", "id: Essai_2026");
    assert_has(
        &d,
        BROKEN_MEETUP,
        1,
        "id",
        "`Essai_2026` is not a valid identifier",
    );
    let d = meetup_errors("status: open", "status: ouverte");
    assert_has(
        &d,
        BROKEN_MEETUP,
        12,
        "status",
        "unknown status `ouverte`: expected planned, open, full, cancelled or done",
    );
    let d = meetup_errors("kind: community", "kind: atelier");
    assert_has(&d, BROKEN_MEETUP, 3, "kind", "unknown kind `atelier`");
    let d = meetup_errors(
        "organiser: Alix",
        "organiser: Alix\n  wanted:\n    - facilitator\n    - animateur",
    );
    assert_has(
        &d,
        BROKEN_MEETUP,
        16,
        "wanted[1]",
        "unknown role `animateur`",
    );
    let d = meetup_errors("series: carto-rennes", "series: carto-rennes\n  week: 1");
    assert_has(
        &d,
        BROKEN_MEETUP,
        5,
        "week",
        "`week` is for training meetups",
    );
}

#[test]
fn ids_the_url_scheme_uses_are_reserved() {
    // `/rencontres/passees/` is the list of past meetups, `/rencontres/page/2/`
    // its pager, `/lieux/types/` the places by type.
    for id in ["passees", "page"] {
        let d = meetup_errors("id: essai", &format!("id: {id}"));
        assert_has(
            &d,
            BROKEN_MEETUP,
            1,
            "id",
            &format!("`{id}` is reserved: the site already uses that name beside these pages"),
        );
    }
    let d = place_errors("id: lieu-essai", "id: types");
    assert_has(&d, BROKEN_PLACE, 1, "id", "`types` is reserved");
}

#[test]
fn ids_have_the_length_the_function_accepts() {
    let longest = "a".repeat(128);
    // 128 characters load (`warnings` panics on any error).
    warnings(&[(
        BROKEN_MEETUP,
        &meetup_with("id: essai", &format!("id: {longest}")),
    )]);
    let too_long = "a".repeat(130);
    let d = meetup_errors("id: essai", &format!("id: {too_long}"));
    assert_has(
        &d,
        BROKEN_MEETUP,
        1,
        "id",
        "has 130 characters: identifiers have at most 128",
    );
}

#[test]
fn arrondissements_and_their_commune_are_both_accepted() {
    for insee in ["75112", "75056", "69383", "69123", "13201", "13055"] {
        let department = &insee[..2];
        let region = match department {
            "75" => "11",
            "69" => "84",
            _ => "93",
        };
        let place = PLACE
            .replace(
                "postcode: \"29200\"",
                &format!("postcode: \"{department}001\""),
            )
            .replace("insee: \"29019\"", &format!("insee: \"{insee}\""))
            .replace(
                "department: \"29\"",
                &format!("department: \"{department}\""),
            )
            .replace("region: \"53\"", &format!("region: \"{region}\""))
            .replace("lat: 48.39\n  lon: -4.48", "lat: 45.76\n  lon: 4.84");
        let place = place.replace("id: lieu-essai", &format!("id: lieu-{insee}"));
        let problems: Vec<_> =
            match maillage::data::load(site_with(&[(BROKEN_PLACE, &place)]).path(), now()) {
                Ok(_) => Vec::new(),
                Err(e) => {
                    e.0.into_iter()
                        .filter(|d| d.field.as_deref() == Some("insee"))
                        .collect()
                }
            };
        assert!(problems.is_empty(), "{insee}: {problems:?}");
    }
}

#[test]
fn commune_codes_must_agree() {
    let d = place_errors("department: \"29\"", "department: \"35\"");
    assert_has(
        &d,
        BROKEN_PLACE,
        8,
        "department",
        "department `35` does not match the INSEE code 29019: expected `29`",
    );
    let d = place_errors("insee: \"29019\"", "insee: \"2901\"");
    assert_has(
        &d,
        BROKEN_PLACE,
        7,
        "insee",
        "`2901` is not an INSEE commune code",
    );
    let d = place_errors("region: \"53\"", "region: \"04\"");
    assert_has(
        &d,
        BROKEN_PLACE,
        9,
        "region",
        "department 29 is in region 53, not 04",
    );
}

#[test]
fn codes_must_be_quoted() {
    let d = place_errors("postcode: \"29200\"", "postcode: 29200");
    assert_has(
        &d,
        BROKEN_PLACE,
        5,
        "postcode",
        "expected a postcode as quoted text (\"29200\")",
    );
}

#[test]
fn missing_and_unknown_fields() {
    let d = place_errors("  commune: Brest\n", "");
    assert_has(
        &d,
        BROKEN_PLACE,
        1,
        "commune",
        "missing field `commune`: expected text",
    );
    let d = place_errors("lat: 48.39", "latitude: 48.39");
    assert_has(
        &d,
        BROKEN_PLACE,
        10,
        "latitude",
        "unknown field `latitude`: expected one of id, name",
    );
    assert_has(&d, BROKEN_PLACE, 1, "lat", "missing field `lat`");
    let d = errors(&[(
        "data/regions.yaml",
        "- code: \"53\"\n  name: Bretagne\n  coordinator:\n    name: C\n    mail: c@reseau.example.org\n",
    )]);
    assert_has(
        &d,
        "data/regions.yaml",
        5,
        "coordinator.mail",
        "unknown field `mail`",
    );
    assert_has(
        &d,
        "data/regions.yaml",
        3,
        "coordinator.email",
        "missing field `email`",
    );
}

#[test]
fn invalid_yaml_and_aggregates() {
    let d = errors(&[(BROKEN_MEETUP, "- id: a\n  title: [unclosed\n")]);
    assert!(
        d.iter().any(|x| x.file == Path::new(BROKEN_MEETUP)
            && x.line.is_some()
            && x.message.starts_with("invalid YAML")),
        "{d:?}"
    );
    let d = errors(&[(BROKEN_MEETUP, "id: a\ntitle: b\n")]);
    assert_has_no_field(&d, BROKEN_MEETUP, 1, "expected a list of meetups");
    let d = errors(&[(
        "data/live/aggregates.json",
        "{\n  \"meetups\": {\n    \"a\": {\"confirmed\": -1}\n  }\n}\n",
    )]);
    assert!(
        d.iter()
            .any(|x| x.file == Path::new("data/live/aggregates.json") && x.line == Some(3)),
        "{d:?}"
    );
}

#[test]
fn a_byte_order_mark_at_the_top_of_a_file_is_dropped() {
    let meetup = meetup_with("capacity: 10", "capacity: 0");
    let d = errors(&[(BROKEN_MEETUP, &format!("\u{feff}{meetup}"))]);
    assert_has(&d, BROKEN_MEETUP, 8, "capacity", "positive");
}

#[test]
fn values_nested_too_deep_are_refused_at_their_line() {
    // 40,000 levels: refused by a scan of the text before the YAML parser,
    // which would take seconds to refuse them.
    let deep = format!(
        "- id: a\n  title: {}{}\n",
        "[".repeat(40_000),
        "]".repeat(40_000)
    );
    let d = errors(&[(BROKEN_MEETUP, &deep)]);
    assert_has_no_field(&d, BROKEN_MEETUP, 2, "nested more than 128 levels deep");
}

#[track_caller]
fn assert_has_no_field(diags: &[Diagnostic], file: &str, line: usize, message: &str) {
    assert!(
        diags.iter().any(|d| d.file == Path::new(file)
            && d.line == Some(line)
            && d.message.contains(message)),
        "{diags:?}"
    );
}

#[test]
fn all_errors_are_reported_together_and_the_build_writes_nothing() {
    let broken = format!(
        "{}\n{}",
        meetup_with("capacity: 10", "capacity: 0"),
        meetup_with("id: essai", "id: essai-2")
            .replace("place: cafe-du-port-lorient", "place: nulle-part")
    );
    let dir = site_with(&[
        (BROKEN_MEETUP, &broken),
        (
            BROKEN_PLACE,
            &PLACE.replace("type: tiers_lieu", "type: gymnase"),
        ),
    ]);
    let options = maillage::BuildOptions {
        root: dir.path().to_path_buf(),
        extensions: maillage::extensions::standard(),
        ..Default::default()
    };
    let err = maillage::build(&options).expect_err("the data is broken");
    let d = &err.0;
    assert_has(d, BROKEN_MEETUP, 8, "capacity", "positive");
    assert_has(d, BROKEN_MEETUP, 21, "place", "unknown place `nulle-part`");
    assert_has(d, BROKEN_PLACE, 3, "type", "unknown place type `gymnase`");
    assert!(!dir.path().join("public").exists(), "nothing written");
    let text = err.to_string();
    assert!(
        text.contains("data/meetups/essai.yaml:21: `place`: unknown place `nulle-part`"),
        "{text}"
    );
}

#[test]
fn broken_entries_do_not_cascade() {
    // A place with a wrong type is left out, but meetups at it are not
    // reported again as at an unknown place.
    let place = PLACE.replace("type: tiers_lieu", "type: gymnase");
    let meetup = meetup_with("place: cafe-du-port-lorient", "place: lieu-essai");
    let d = errors(&[(BROKEN_PLACE, &place), (BROKEN_MEETUP, &meetup)]);
    assert_eq!(d.len(), 1, "{d:?}");
}

#[test]
fn soft_problems_are_warnings() {
    let w = warnings(&[]);
    assert_has(
        &w,
        "data/places/autres.yaml",
        25,
        "id",
        "place `college-jean-mace-quimper` hosts no meetup yet",
    );
    assert_has(
        &w,
        "data/regions.yaml",
        19,
        "code",
        "region 11 (Île-de-France) has no place yet",
    );
    assert_has(
        &w,
        "data/meetups/formation.yaml",
        14,
        "organiser",
        "only the first word is published",
    );
    assert_has(
        &w,
        "data/meetups/formation.yaml",
        56,
        "report_key_sha256",
        "no report key",
    );

    let no_window = meetup_with(
        "  registration:\n    opens: 2026-11-01T09:00\n    closes: 2026-12-17T12:00\n",
        "",
    );
    let w = warnings(&[(BROKEN_MEETUP, &no_window)]);
    assert_has(
        &w,
        BROKEN_MEETUP,
        1,
        "registration",
        "no registration window",
    );

    let past_open = meetup_with(
        "start: 2026-12-17T18:30\n  end: 2026-12-17T20:30",
        "start: 2026-10-17T18:30\n  end: 2026-10-17T20:30",
    )
    .replace("closes: 2026-12-17T12:00", "closes: 2026-10-17T12:00")
    .replace("opens: 2026-11-01T09:00", "opens: 2026-10-01T09:00");
    let w = warnings(&[(BROKEN_MEETUP, &past_open)]);
    assert_has(
        &w,
        BROKEN_MEETUP,
        12,
        "status",
        "the meetup took place but its status is still `open`",
    );

    let too_big = meetup_with(
        "place: cafe-du-port-lorient",
        "place: mediatheque-des-capucins-brest",
    )
    .replace("capacity: 10", "capacity: 30");
    let w = warnings(&[(BROKEN_MEETUP, &too_big)]);
    assert_has(
        &w,
        BROKEN_MEETUP,
        8,
        "capacity",
        "capacity 30 is more than the 20 people",
    );

    let modules = "- id: nsi-fondamentaux\n  title: T\n  online_start: 2026-11-02\n  weeks: 6\n- id: vide\n  title: V\n  online_start: 2026-11-04\n  weeks: 6\n";
    let w = warnings(&[("data/modules.yaml", modules)]);
    assert_has(
        &w,
        "data/modules.yaml",
        5,
        "id",
        "module `vide` has no meetup yet",
    );
    assert_has(
        &w,
        "data/modules.yaml",
        7,
        "online_start",
        "2026-11-04 is not a Monday",
    );

    let live = "{\"meetups\": {\"inconnue\": {\"confirmed\": 3, \"waiting\": 0}}}";
    let w = warnings(&[("data/live/aggregates.json", live)]);
    assert!(
        w.iter()
            .any(|d| d.file == Path::new("data/live/aggregates.json")
                && d.message.contains("figures for meetup `inconnue`")),
        "{w:?}"
    );
}

#[test]
fn check_prints_warnings_and_succeeds() {
    let dir = common::fixture("data-site");
    let out = crate::common::maillage()
        .arg("--root")
        .arg(dir.path())
        .arg("check")
        .env("MAILLAGE_NOW", "2026-11-22T12:00")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("warning: data/places/autres.yaml:25: `id`: place `college-jean-mace-quimper` hosts no meetup yet"),
        "{stderr}"
    );
}

#[test]
fn meetup_definitions_for_the_store() {
    let dir = common::fixture("data-site");
    let loaded = maillage::data::load(dir.path(), now()).unwrap();
    let config = maillage::config::Config::with_base_url("https://reseau.example.org");
    let defs = maillage::data::definitions(&loaded.data, &config, &Default::default());
    assert_eq!(defs.len(), 9);
    let s3 = defs.iter().find(|d| d.id == "brest-nsi-s3").unwrap();
    assert_eq!(s3.starts_at.to_rfc3339(), "2026-11-26T17:30:00+00:00");
    assert_eq!(
        s3.registration_opens.to_rfc3339(),
        "2026-11-16T08:00:00+00:00"
    );
    assert_eq!(
        s3.registration_closes.to_rfc3339(),
        "2026-11-26T11:00:00+00:00"
    );
    assert_eq!(s3.capacity, 10);
    assert_eq!(
        s3.url,
        "https://reseau.example.org/rencontres/brest-nsi-s3/"
    );
    assert_eq!(
        s3.location,
        "Médiathèque des Capucins, 25 rue de Pontaniou, 29200 Brest"
    );
    assert_eq!(s3.report_key_sha256.as_deref().map(str::len), Some(64));
    // Without `closes`, registration closes when the meetup starts.
    let r3 = defs.iter().find(|d| d.id == "rennes-nsi-s3").unwrap();
    assert_eq!(r3.registration_closes, r3.starts_at);
    assert_eq!(r3.report_key_sha256, None);
}

#[test]
fn accepted_proposals_are_meetups_validated_in_their_own_file() {
    // As `maillage export` writes them: read with the other meetups.
    let accepted = format!(
        "# The meetups accepted from organisers' proposals.\n\n{}",
        MEETUP.replacen("- id: essai", "- id: acceptee", 1)
    );
    let dir = site_with(&[("data/live/meetups.yaml", &accepted)]);
    let loaded = maillage::data::load(dir.path(), now()).unwrap();
    assert!(loaded.data.meetups.iter().any(|m| m.id == "acceptee"));
    // Its problems name that file, the line and the field.
    let broken = accepted.replacen("place: cafe-du-port-lorient", "place: lieu-inconnu", 1);
    let d = errors(&[("data/live/meetups.yaml", &broken)]);
    assert_has(&d, "data/live/meetups.yaml", 9, "place", "lieu-inconnu");
}

#[test]
fn region_definitions_for_the_store() {
    let dir = common::fixture("data-site");
    let loaded = maillage::data::load(dir.path(), now()).unwrap();
    let regions = maillage::data::region_definitions(&loaded.data);
    let ids: Vec<&str> = regions.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["bretagne", "la-reunion", "ile-de-france"]);
    let bretagne = &regions[0];
    assert_eq!(
        bretagne.coordinator_key_sha256.as_deref(),
        Some("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
    );
    let mut meetups = bretagne.meetups.clone();
    meetups.sort();
    assert!(meetups.contains(&"brest-nsi-s3".to_string()), "{meetups:?}");
    assert!(
        meetups.contains(&"carto-rennes-2026-12".to_string()),
        "{meetups:?}"
    );
    assert!(
        !meetups.contains(&"code-reunion-2026-12".to_string()),
        "{meetups:?}"
    );
    // What a proposal may name: the region's places, the series and modules.
    let lorient = bretagne
        .places
        .iter()
        .find(|p| p.id == "cafe-du-port-lorient")
        .expect("a place of the region");
    assert_eq!(lorient.time_zone, maillage_model::zone::DEFAULT);
    assert!(bretagne
        .places
        .iter()
        .all(|p| p.id != "fablab-de-saint-denis"));
    assert!(
        bretagne
            .belongs
            .contains(&"series:carto-rennes".to_string()),
        "{:?}",
        bretagne.belongs
    );
    assert!(bretagne
        .belongs
        .iter()
        .any(|b| b.starts_with("module:") && b.ends_with(":3")));
    assert_eq!(regions[1].time_zone.name(), "Indian/Reunion");
    assert_eq!(regions[1].meetups, ["code-reunion-2026-12"]);
    assert_eq!(regions[1].coordinator_key_sha256, None);
    assert_eq!(regions[2].meetups, Vec::<String>::new());
}

#[test]
fn coordinator_key_must_be_a_sha256() {
    let regions = common::read(common::fixture("data-site").path(), "data/regions.yaml");
    let broken = regions.replacen(
        "coordinator_key_sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "coordinator_key_sha256: 9F86",
        1,
    );
    assert_ne!(broken, regions);
    let d = errors(&[("data/regions.yaml", &broken)]);
    assert_has(
        &d,
        "data/regions.yaml",
        9,
        "coordinator_key_sha256",
        "`9F86` is not a SHA-256 hash: expected 64 lower-case hexadecimal characters (`maillage region key` writes it)",
    );
}

fn check_site(dir: &std::path::Path) -> (bool, String) {
    let out = crate::common::maillage()
        .arg("--root")
        .arg(dir)
        .arg("check")
        .env("MAILLAGE_NOW", "2026-11-22T12:00")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The function sends people to the site's result pages: a site with
/// meetups that lacks one fails `check`, naming the page and the setting
/// that moves it; moved to a page the site has, it passes.
#[test]
fn check_requires_the_pages_the_forms_lead_to() {
    let dir = common::fixture("data-site");
    std::fs::remove_dir_all(dir.path().join("static/inscription/liste-attente")).unwrap();
    let (ok, stderr) = check_site(dir.path());
    assert!(!ok, "{stderr}");
    let errors = common::error_lines(&stderr);
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].contains("config.toml")
            && errors[0].contains("extra.result_pages.waiting")
            && errors[0].contains("`/inscription/liste-attente/`")
            && errors[0].contains("waiting list"),
        "{stderr}"
    );

    common::replace_in(
        dir.path(),
        "config.toml",
        "[extra]\n",
        "[extra]\nresult_pages = { waiting = \"/inscription/confirmee/\" }\n",
    );
    let (ok, stderr) = check_site(dir.path());
    assert!(ok, "{stderr}");

    common::replace_in(
        dir.path(),
        "config.toml",
        "waiting = \"/inscription/confirmee/\"",
        "waiting = \"https://ailleurs.example/\"",
    );
    let (ok, stderr) = check_site(dir.path());
    assert!(!ok);
    assert!(stderr.contains("result_pages.waiting"), "{stderr}");
}
