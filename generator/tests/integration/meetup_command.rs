//! `maillage meetup new`, `maillage meetup key` and `maillage region key` as
//! commands on a copy of the fixture site: the entry they write validates,
//! the rest of the file is untouched, and the printed key (only its hash in
//! `data/`) opens the organiser's registrant list (or the region's
//! coordinator's view) once synced, while no other key does.

use crate::common;
use crate::live_loop::sha256_hex;
use crate::store_commands::stdout as succeeded;

use std::io::Write;
use std::path::Path;
use std::process::{Output, Stdio};

use chrono::{Duration, Utc};
use maillage_model::meetup::Role;
use maillage_store::sqlite::SqliteStore;
use maillage_store::{NewRegistration, Store};

const FILE: &str = "data/meetups/communaute.yaml";
/// The key of the fixture's meetups: `report_key_sha256` is SHA-256("test").
const FIXTURE_KEY: &str = "test";

fn maillage(root: &Path, args: &[&str], input: &str) -> Output {
    let mut child = crate::common::maillage()
        .arg("--root")
        .arg(root)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run maillage");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// The key in the private link the command printed, checking the link.
fn printed_key(stdout: &str, meetup: &str) -> String {
    printed_key_of(stdout, "/bilan/", meetup)
}

/// The key in the private link to `page` the command printed.
fn printed_key_of(stdout: &str, page: &str, meetup: &str) -> String {
    let prefix = format!("https://reseau.example.org{page}#rencontre={meetup}&cle=");
    let key = stdout
        .lines()
        .find_map(|l| l.split_once(prefix.as_str()).map(|(_, key)| key.trim()))
        .unwrap_or_else(|| panic!("no private link in:\n{stdout}"));
    assert_eq!(key.len(), 64, "{stdout}");
    assert!(key.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')));
    key.to_string()
}

/// `maillage sync` into an SQLite file of the site; the store, opened.
fn synced(root: &Path) -> SqliteStore {
    let spec = format!("sqlite:{}", root.join("store.sqlite").display());
    succeeded(&maillage(root, &["sync", "--store", &spec], ""));
    SqliteStore::open(&root.join("store.sqlite")).unwrap()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

fn stored_hash(store: &SqliteStore, meetup: &str) -> Option<String> {
    runtime()
        .block_on(store.meetup(meetup))
        .unwrap()
        .unwrap_or_else(|| panic!("{meetup} not synced"))
        .report_key_sha256
}

/// The site served with the function on the store `sync` filled.
fn serve(root: &Path) -> maillage::live::LiveServer {
    let spec = maillage::store_cli::StoreSpec::Sqlite(root.join("store.sqlite"));
    maillage::live::start(
        common::options(root),
        0,
        maillage::serve::Limits::default(),
        &spec,
    )
    .expect("maillage serve")
}

/// The organiser's registrant list, asked with `key`: status and body.
fn registrants(live: &maillage::live::LiveServer, meetup: &str, key: &str) -> (u16, String) {
    let request = format!(
        "GET /api/meetups/{meetup}/registrants HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\nX-Maillage-Key: {key}\r\nConnection: close\r\n\r\n"
    );
    common::process::exchange(live.addr(), request.as_bytes())
}

fn register(live: &maillage::live::LiveServer, meetup: &str, name: &str) {
    let now = Utc::now();
    runtime()
        .block_on(live.store.register(NewRegistration {
            meetup_id: meetup.into(),
            name: name.into(),
            email: "dominique@prive.example.net".into(),
            role: Role::Facilitator,
            structure: None,
            need: None,
            token: "jeton-de-test-meetup-command-0001".into(),
            registered_at: now,
            expires_at: now + Duration::days(400),
        }))
        .unwrap();
}

#[test]
fn meetup_new_writes_an_entry_that_validates_and_a_key_that_opens_its_registrant_list() {
    let site = common::fixture("data-site");
    let root = site.path();
    let before = common::read(root, FILE);
    common::replace_in(
        root,
        "config.toml",
        "[extra]\n",
        "[extra]\norganiser_page = \"/organisation/\"\n",
    );

    let out = succeeded(&maillage(
        root,
        &[
            "meetup",
            "new",
            "--id",
            "rennes-carto-2027-02",
            "--title",
            "Cartographie : « nos rues »",
            "--series",
            "carto-rennes",
            "--start",
            "2027-02-10T18:30",
            "--end",
            "21:00",
            "--place",
            "epn-du-cleunay-rennes",
            "--capacity",
            "12",
            "--organiser",
            "Sami",
            "--wanted",
            "speaker",
            "--intention",
            "Cartographier les trottoirs",
            "--opens",
            "2026-12-01T09:00",
        ],
        "",
    ));
    assert!(
        out.contains("Meetup rennes-carto-2027-02 added to data/meetups/communaute.yaml"),
        "{out}"
    );
    let key = printed_key(&out, "rennes-carto-2027-02");
    assert_eq!(
        printed_key_of(&out, "/organisation/", "rennes-carto-2027-02"),
        key,
        "the organiser's page gets the same key"
    );

    // Appended: what was there is untouched; only the hash is written.
    let after = common::read(root, FILE);
    assert!(
        after.starts_with(&before),
        "the file was rewritten:\n{after}"
    );
    let added = &after[before.len()..];
    assert!(
        added.contains(&format!("report_key_sha256: {}\n", sha256_hex(&key))),
        "{added}"
    );
    assert!(!after.contains(&key), "the key itself reached data/");
    let entry: serde_yaml::Value = serde_yaml::from_str(added).unwrap();
    assert_eq!(
        entry[0]["title"].as_str(),
        Some("Cartographie : « nos rues »")
    );
    assert_eq!(entry[0]["end"].as_str(), Some("2027-02-10T21:00"));
    assert_eq!(
        entry[0]["registration"]["opens"].as_str(),
        Some("2026-12-01T09:00")
    );

    // It validates, and the site shows it.
    let check = succeeded(&maillage(root, &["check"], ""));
    assert!(check.contains("no problem found"), "{check}");

    // Synced, the store holds the key's hash; the key opens the list.
    let store = synced(root);
    assert_eq!(
        stored_hash(&store, "rennes-carto-2027-02"),
        Some(sha256_hex(&key))
    );
    drop(store);
    let live = serve(root);
    register(&live, "rennes-carto-2027-02", "Dominique Inscrite");
    let (status, body) = registrants(&live, "rennes-carto-2027-02", &key);
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("Dominique Inscrite") && body.contains("facilitator"),
        "{body}"
    );

    // A wrong key, or another meetup's, opens nothing; nor does this key
    // open another meetup.
    // The last digit changed (a fixed "0" equals it one time in sixteen).
    let last = if key.ends_with('0') { '1' } else { '0' };
    let wrong = format!("{}{last}", &key[..63]);
    for (meetup, key) in [
        ("rennes-carto-2027-02", wrong.as_str()),
        ("rennes-carto-2027-02", FIXTURE_KEY),
        ("brest-nsi-s3", key.as_str()),
    ] {
        let (status, body) = registrants(&live, meetup, key);
        assert_eq!(status, 403, "{meetup} opened with {key}: {body}");
        assert!(!body.contains("Dominique"), "{body}");
    }
}

#[test]
fn meetup_new_asks_for_what_the_flags_leave_out_and_asks_again_after_a_wrong_answer() {
    let site = common::fixture("data-site");
    let root = site.path();
    let answers = [
        "Brest-2027",                 // identifier: refused (capital)
        "brest-nsi-s1",               // refused: exists
        "brest-nsi-s1-2027-01",       // identifier
        "NSI, semaine 1 : rencontre", // title
        "nsi",                        // module or series: unknown
        "nsi-fondamentaux",           // module
        "2",                          // week: refused
        "1",                          // week
        "nowhere",                    // place: unknown
        "mediatheque-des-capucins-brest",
        "2026-11-05T18:00",   // start
        "17:00",              // end before start: refused
        "20:00",              // end
        "",                   // seats: the room's 20
        "Yannick",            // organiser
        "",                   // registration opens at once
        "2026-11-05T12:00",   // closes
        "facilitator",        // roles sought
        "Faire connaissance", // intentions
        "Partager ses attentes",
        "",
    ];
    let output = maillage(root, &["meetup", "new"], &(answers.join("\n") + "\n"));
    let out = succeeded(&output);
    let questions = String::from_utf8_lossy(&output.stderr);
    for refusal in [
        "\"Brest-2027\" is not an identifier",
        "meetup brest-nsi-s1 already exists (data/meetups/formation.yaml:1)",
        "no module nor series \"nsi\"",
        "\"2\": a training meetup follows week 1 or week 3",
        "no place \"nowhere\" in data/; places: mediatheque-des-capucins-brest",
        "the end (17:00) must come after the start",
    ] {
        assert!(
            questions.contains(refusal),
            "{refusal:?} not in:\n{questions}"
        );
    }
    let key = printed_key(&out, "brest-nsi-s1-2027-01");
    // The new entry's warnings, and only those: it took place, still open.
    let warnings: Vec<&str> = out.lines().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(warnings.len(), 1, "{out}");
    assert!(
        warnings[0].starts_with(
            "warning: data/meetups/formation.yaml:81: `status`: the meetup took place"
        ),
        "{out}"
    );
    // A training meetup goes with its module's other meetups.
    let text = common::read(root, "data/meetups/formation.yaml");
    let added = &text[text.find("- id: brest-nsi-s1-2027-01").unwrap()..];
    assert_eq!(
        added,
        format!(
            "- id: brest-nsi-s1-2027-01\n  title: \"NSI, semaine 1 : rencontre\"\n  kind: training\n  module: nsi-fondamentaux\n  week: 1\n  start: 2026-11-05T18:00\n  end: 2026-11-05T20:00\n  place: mediatheque-des-capucins-brest\n  capacity: 20\n  registration:\n    closes: 2026-11-05T12:00\n  status: open\n  organiser: Yannick\n  wanted: [facilitator]\n  intentions:\n    - Faire connaissance\n    - Partager ses attentes\n  report_key_sha256: {}\n",
            sha256_hex(&key)
        )
    );
    succeeded(&maillage(root, &["check"], ""));
}

#[test]
fn meetup_new_refuses_what_does_not_validate_and_leaves_the_files_as_they_were() {
    let site = common::fixture("data-site");
    let root = site.path();
    let before = common::files(&root.join("data"))
        .into_iter()
        .map(|f| (common::read(&root.join("data"), &f), f))
        .collect::<Vec<_>>();
    let flags = |start: &str, place: &str| {
        vec![
            "meetup".to_string(),
            "new".into(),
            "--id".into(),
            "brest-nsi-s1-bis".into(),
            "--title".into(),
            "Rencontre".into(),
            "--module".into(),
            "nsi-fondamentaux".into(),
            "--week".into(),
            "1".into(),
            "--start".into(),
            start.into(),
            "--end".into(),
            "20:00".into(),
            "--place".into(),
            place.into(),
            "--organiser".into(),
            "Camille".into(),
        ]
    };
    let run = |args: Vec<String>| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        maillage(root, &args, "")
    };

    // A flag's value is checked before anything is written.
    let output = run(flags("2026-11-05T18:00", "nowhere"));
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("error: --place: no place \"nowhere\" in data/"),
        "{stderr}"
    );

    // A meetup outside its module's weeks is written, read back, refused
    // with its file, line and field, and taken out again.
    let output = run(flags("2027-03-04T18:00", "mediatheque-des-capucins-brest"));
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("data/meetups/formation.yaml:") && stderr.contains("`start`"),
        "{stderr}"
    );
    let after = common::files(&root.join("data"))
        .into_iter()
        .map(|f| (common::read(&root.join("data"), &f), f))
        .collect::<Vec<_>>();
    assert_eq!(before, after, "a refused meetup left a change in data/");
}

#[test]
fn meetup_key_replaces_only_the_hash_and_the_previous_key_stops_opening() {
    let site = common::fixture("data-site");
    let root = site.path();
    let formation = common::read(root, "data/meetups/formation.yaml");
    let community = common::read(root, FILE);

    // A meetup with a key: that line alone changes.
    let key = printed_key(
        &succeeded(&maillage(root, &["meetup", "key", "brest-nsi-s3"], "")),
        "brest-nsi-s3",
    );
    let rotated = common::read(root, "data/meetups/formation.yaml");
    let changed: Vec<(&str, &str)> = formation
        .lines()
        .zip(rotated.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(formation.lines().count(), rotated.lines().count());
    assert_eq!(
        changed,
        [(
            "  report_key_sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            format!("  report_key_sha256: {}", sha256_hex(&key)).as_str()
        )]
    );

    // A meetup without one: a line is added at the end of its entry.
    let second = printed_key(
        &succeeded(&maillage(
            root,
            &["meetup", "key", "carto-rennes-2027-04"],
            "",
        )),
        "carto-rennes-2027-04",
    );
    let keyed = common::read(root, FILE);
    let line = format!("  report_key_sha256: {}\n", sha256_hex(&second));
    assert_eq!(keyed.replacen(&line, "", 1), community);
    succeeded(&maillage(root, &["check"], ""));

    let store = synced(root);
    assert_eq!(stored_hash(&store, "brest-nsi-s3"), Some(sha256_hex(&key)));
    drop(store);
    let live = serve(root);
    assert_eq!(registrants(&live, "brest-nsi-s3", &key).0, 200);
    assert_eq!(registrants(&live, "brest-nsi-s3", FIXTURE_KEY).0, 403);
    assert_eq!(registrants(&live, "carto-rennes-2027-04", &second).0, 200);
    assert_eq!(registrants(&live, "carto-rennes-2027-04", &key).0, 403);

    // An unknown meetup: said so, nothing written.
    let output = maillage(root, &["meetup", "key", "inconnue"], "");
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no meetup \"inconnue\" in data/"));
    assert_eq!(common::read(root, FILE), keyed);
}

/// The coordinator's view of `region`, asked with `key`: status and body.
fn coordination(live: &maillage::live::LiveServer, region: &str, key: &str) -> (u16, String) {
    let body = format!("region={region}&key={key}");
    let request = format!(
        "POST /api/coordination HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    common::process::exchange(live.addr(), request.as_bytes())
}

/// The key in the coordinator's link the command printed.
fn printed_coordinator_key(stdout: &str, region: &str) -> String {
    let prefix = format!("https://reseau.example.org/coordination/#region={region}&cle=");
    let key = stdout
        .lines()
        .find_map(|l| l.split_once(prefix.as_str()).map(|(_, key)| key.trim()))
        .unwrap_or_else(|| panic!("no private link in:\n{stdout}"));
    assert_eq!(key.len(), 64, "{stdout}");
    assert!(
        stdout.contains(&format!("Hash: {}", sha256_hex(key))),
        "{stdout}"
    );
    key.to_string()
}

#[test]
fn region_key_writes_the_hash_and_the_key_opens_that_region_only() {
    let site = common::fixture("data-site");
    let root = site.path();
    let regions = common::read(root, "data/regions.yaml");

    // A region with a key (by its slug): that line alone changes.
    let bretagne = printed_coordinator_key(
        &succeeded(&maillage(root, &["region", "key", "bretagne"], "")),
        "bretagne",
    );
    let rotated = common::read(root, "data/regions.yaml");
    let changed: Vec<(&str, &str)> = regions
        .lines()
        .zip(rotated.lines())
        .filter(|(a, b)| a != b)
        .collect();
    assert_eq!(regions.lines().count(), rotated.lines().count());
    assert_eq!(
        changed,
        [(
            "  coordinator_key_sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            format!("  coordinator_key_sha256: {}", sha256_hex(&bretagne)).as_str()
        )]
    );

    // A region without one (by its code): a line added at the end of its entry.
    let reunion = printed_coordinator_key(
        &succeeded(&maillage(root, &["region", "key", "04"], "")),
        "la-reunion",
    );
    let keyed = common::read(root, "data/regions.yaml");
    let line = format!("  coordinator_key_sha256: {}\n", sha256_hex(&reunion));
    assert_eq!(keyed.replacen(&line, "", 1), rotated);
    succeeded(&maillage(root, &["check"], ""));

    // Synced and served: each key opens its region, and only it.
    drop(synced(root));
    let live = serve(root);
    let (status, body) = coordination(&live, "bretagne", &bretagne);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("brest-nsi-s3"), "{body}");
    assert!(!body.contains("code-reunion"), "{body}");
    assert_eq!(coordination(&live, "la-reunion", &reunion).0, 200);
    assert_eq!(coordination(&live, "bretagne", FIXTURE_KEY).0, 403);
    assert_eq!(coordination(&live, "bretagne", &reunion).0, 403);
    assert_eq!(coordination(&live, "la-reunion", &bretagne).0, 403);

    // An unknown region: said so, nothing written.
    let output = maillage(root, &["region", "key", "atlantide"], "");
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("no region \"atlantide\""));
    assert_eq!(common::read(root, "data/regions.yaml"), keyed);
}
