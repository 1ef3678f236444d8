//! `maillage sync`, `export`, `repair` and `purge` run as commands against
//! the real stores: moto's DynamoDB server on loopback and an SQLite file.

use crate::common;
use crate::moto;

use std::path::Path;
use std::process::Output;

use chrono::{Duration, TimeZone, Utc};
use maillage_model::meetup::{LiveAggregates, PublicReport, Role};
use maillage_store::dynamodb::DynamoStore;
use maillage_store::{NewRegistration, Store, StoredReport};

const NOW: &str = "2026-11-22T12:00";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn maillage(root: &Path, args: &[&str], endpoint: Option<&str>) -> Output {
    let mut command = crate::common::maillage();
    command
        .arg("--root")
        .arg(root)
        .args(args)
        .env("MAILLAGE_NOW", NOW)
        .env_remove("MAILLAGE_DYNAMODB_ENDPOINT")
        .env_remove("MAILLAGE_RETENTION_DAYS");
    if let Some(endpoint) = endpoint {
        command
            .env("MAILLAGE_DYNAMODB_ENDPOINT", endpoint)
            .env("AWS_REGION", "eu-west-3")
            .env("AWS_ACCESS_KEY_ID", "local")
            .env("AWS_SECRET_ACCESS_KEY", "local");
    }
    command.output().expect("run maillage")
}

pub(crate) fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "maillage failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn person(meetup: &str, n: u32, expires_in_days: i64) -> NewRegistration {
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 11, 0, 0).unwrap();
    NewRegistration {
        meetup_id: meetup.into(),
        name: format!("Dominique Secret{n}"),
        email: format!("dominique.secret{n}@prive.example.net"),
        role: Role::Participant,
        structure: Some("Collège privé".into()),
        need: Some("06 12 34 56 78".into()),
        token: format!("jeton-secret-{n}-abcdefgh"),
        registered_at: now,
        expires_at: now + Duration::days(expires_in_days),
    }
}

fn report(meetup: &str) -> StoredReport {
    let at = Utc.with_ymd_and_hms(2026, 11, 20, 9, 0, 0).unwrap();
    StoredReport {
        meetup_id: meetup.into(),
        public: PublicReport {
            submitted_at: Some(at),
            attendance: Some(9),
            outcome: Some("- Une soirée **utile**.".into()),
            ..Default::default()
        },
        private_notes: Some("Note privée à ne jamais publier".into()),
        submitted_at: at,
        expires_at: at + Duration::days(90),
    }
}

/// The meetup ids of the fixture site's data.
fn fixture_meetups(root: &Path) -> Vec<String> {
    let mut ids: Vec<String> = common::files(&root.join("data/meetups"))
        .iter()
        .flat_map(|file| {
            common::read(&root.join("data/meetups"), file)
                .lines()
                .filter_map(|l| l.strip_prefix("- id: "))
                .map(|id| id.trim().trim_matches('"').to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    ids.sort();
    ids
}

fn read_aggregates(root: &Path) -> (String, LiveAggregates) {
    let text = common::read(root, "data/live/aggregates.json");
    let live = serde_json::from_str(&text).expect("valid aggregates");
    (text, live)
}

/// A proposal at a place of the fixture, accepted as `carto-du-port-2027-01`.
async fn accept_a_proposal(store: &dyn Store) {
    use maillage_model::proposal::{
        AcceptedMeetup, Belongs, Decision, DecisionOutcome, Proposal, ProposalStatus, ProposedPlace,
    };
    let local = |text: &str| chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").unwrap();
    let now = chrono::Utc::now();
    let proposal = Proposal {
        id: "proposition-de-test-0001".into(),
        region: "bretagne".into(),
        belongs: Belongs::Series {
            series: "carto-rennes".into(),
        },
        place: ProposedPlace::Known("cafe-du-port-lorient".into()),
        title: "Carto du port".into(),
        start: local("2027-01-20T18:00"),
        end: local("2027-01-20T20:00"),
        capacity: 12,
        intentions: vec!["Cartographier le port".into()],
        name: "Dominique Proposante".into(),
        email: "dominique@proposant.example.net".into(),
        submitted_at: now,
        expires_at: now + chrono::Duration::days(400),
        status: ProposalStatus::Pending,
        message: None,
    };
    assert!(store.submit_proposal(&proposal).await.unwrap());
    let meetup = AcceptedMeetup {
        id: "carto-du-port-2027-01".into(),
        proposal: proposal.id.clone(),
        region: "bretagne".into(),
        title: proposal.title.clone(),
        belongs: proposal.belongs.clone(),
        place: "cafe-du-port-lorient".into(),
        start: proposal.start,
        end: proposal.end,
        capacity: 12,
        intentions: proposal.intentions.clone(),
        organiser: "Dominique".into(),
        report_key_sha256: "b".repeat(64),
        accepted_at: now,
    };
    let decided = store
        .decide_proposal(&Decision {
            region: "bretagne".into(),
            proposal: proposal.id.clone(),
            request: "decision-de-test-0001".into(),
            accepted: Some(meetup),
            message: None,
            decided_at: now,
        })
        .await
        .unwrap();
    assert!(matches!(decided, DecisionOutcome::Decided(_)));
}

/// What every backend must do; `spec` names the store, `store` opens it
/// from the test's side.
fn sync_export_purge(root: &Path, spec: &str, endpoint: Option<&str>, store: &dyn Store) {
    let rt = runtime();
    let ids = fixture_meetups(root);
    assert!(ids.len() >= 3, "fixture meetups: {ids:?}");

    // First sync: every meetup added.
    let out = stdout(&maillage(root, &["sync", "--store", spec], endpoint));
    assert!(
        out.contains(&format!(
            "{} meetups: {} added, 0 updated, 0 unchanged",
            ids.len(),
            ids.len()
        )),
        "{out}"
    );
    assert!(
        out.contains(spec.split(':').next().unwrap()),
        "names the store: {out}"
    );
    let synced = rt.block_on(store.meetups()).unwrap();
    assert_eq!(synced.len(), ids.len());
    // The regions too: the coordinator's key hash and the region's meetups.
    let bretagne = rt
        .block_on(store.region("bretagne"))
        .unwrap()
        .expect("the region synced");
    assert_eq!(
        bretagne.coordinator_key_sha256.as_deref(),
        Some("9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
    );
    assert!(bretagne.meetups.contains(&"brest-nsi-s3".to_string()));
    assert!(out.contains("; 3 regions"), "{out}");
    // Again: nothing changed.
    let out = stdout(&maillage(root, &["sync", "--store", spec], endpoint));
    assert!(out.contains("0 added, 0 updated"), "{out}");

    // A capacity changed in data/: one update.
    let meetups = common::read(root, "data/meetups/communaute.yaml");
    let changed = meetups.replacen("capacity: 15", "capacity: 115", 1);
    assert_ne!(changed, meetups);
    std::fs::write(root.join("data/meetups/communaute.yaml"), changed).unwrap();
    let out = stdout(&maillage(root, &["sync", "--store", spec], endpoint));
    assert!(out.contains("0 added, 1 updated"), "{out}");
    let stored = rt.block_on(store.meetups()).unwrap();
    assert!(
        stored.iter().any(|m| m.capacity == 115),
        "the updated definition is written"
    );

    // People register; a report with private notes is saved.
    let target = &ids[0];
    rt.block_on(async {
        store.register(person(target, 1, 400)).await.unwrap();
        store.register(person(target, 2, 400)).await.unwrap();
        // Expired personal data: hidden, then purged.
        store.register(person(&ids[1], 3, -1)).await.unwrap();
        store.save_report(report(target)).await.unwrap();
    });

    // A repair finds nothing to mend in a store whose writes all finished,
    // and leaves it as it was.
    let out = stdout(&maillage(root, &["repair", "--store", spec], endpoint));
    assert!(
        out.contains("Repaired") && out.contains("meetups checked, 0 mended"),
        "{out}"
    );
    let out = stdout(&maillage(
        root,
        &["repair", "--store", spec, "--meetup", target],
        endpoint,
    ));
    assert!(out.contains(": 1 meetups checked, 0 mended"), "{out}");
    let unknown = maillage(
        root,
        &["repair", "--store", spec, "--meetup", "nulle-part"],
        endpoint,
    );
    assert_eq!(unknown.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("\"nulle-part\""));
    assert_eq!(rt.block_on(store.registrants(target)).unwrap().len(), 2);

    // An organiser's proposal, accepted by the coordinator.
    rt.block_on(accept_a_proposal(store));

    let out = stdout(&maillage(root, &["export", "--store", spec], endpoint));
    assert!(out.contains("with a published report"), "{out}");
    assert!(
        out.contains("and 1 meetups accepted from proposals to data/live/meetups.yaml"),
        "{out}"
    );
    let accepted = common::read(root, "data/live/meetups.yaml");
    assert!(
        accepted.contains("- id: carto-du-port-2027-01\n"),
        "{accepted}"
    );
    assert!(accepted.contains("  organiser: Dominique\n"), "{accepted}");
    assert!(
        !accepted.contains("Proposante") && !accepted.contains("proposant.example.net"),
        "{accepted}"
    );
    let (text, live) = read_aggregates(root);
    assert_eq!(live.meetups[target].confirmed, 2);
    assert_eq!(
        live.meetups[target].report.as_ref().unwrap().attendance,
        Some(9)
    );
    assert_eq!(live.meetups.len(), ids.len(), "every synced meetup");
    for secret in [
        "Secret",
        "prive.example.net",
        "06 12",
        "jeton-secret",
        "Note privée",
        "Collège privé",
    ] {
        assert!(
            !text.contains(secret),
            "{secret} leaked into the aggregates:\n{text}"
        );
    }
    // Stable formatting: sorted keys, pretty, final newline, no temp file left.
    assert!(text.ends_with("}\n"));
    assert!(
        text.starts_with("{\n  \"generated_at\": \"2026-11-22T11:00:00Z\",\n  \"meetups\": {\n"),
        "{text}"
    );
    let again = stdout(&maillage(root, &["export", "--store", spec], endpoint));
    assert_eq!(again, out);
    assert_eq!(
        read_aggregates(root).0,
        text,
        "the same store exports the same file"
    );
    let leftovers: Vec<String> = common::files(&root.join("data/live"));
    assert_eq!(leftovers, ["aggregates.json", "meetups.yaml"]);

    // The built site shows the exported figures, and the accepted meetup,
    // validated with the others.
    let out = stdout(&maillage(root, &["build"], endpoint));
    assert!(out.contains("Built"), "{out}");
    let page = common::read(root, "public/rencontres/carto-du-port-2027-01/index.html");
    assert!(page.contains("Carto du port"), "the accepted meetup's page");

    // Purge: the expired registration goes, the others stay.
    let out = stdout(&maillage(root, &["purge", "--store", spec], endpoint));
    assert!(
        out.contains(": 1 registrations and 0 reports' private notes"),
        "{out}"
    );
    let left = rt.block_on(store.registrants(target)).unwrap();
    assert_eq!(left.len(), 2);
    // A shorter retention purges earlier: these expire in 400 days, that is
    // meetups that ended 310 days ago with the default 90 days.
    let out = stdout(&maillage(
        root,
        &["purge", "--store", spec, "--retention-days", "0"],
        endpoint,
    ));
    assert!(out.contains(": 0 registrations"), "{out}");
}

#[test]
fn sync_export_and_purge_on_dynamodb() {
    let Some(moto) = moto::moto() else { return };
    let dir = common::fixture("data-site");
    let rt = runtime();
    let table = "maillage-generator-commands";
    let store = rt.block_on(async {
        let store = DynamoStore::connect(&moto.endpoint, "eu-west-3", table).await;
        store.create_table_if_missing().await.unwrap();
        store
    });
    sync_export_purge(
        dir.path(),
        &format!("dynamodb:{table}"),
        Some(&moto.endpoint),
        &store,
    );

    // A table that does not exist: the error names the store.
    let output = maillage(
        dir.path(),
        &["export", "--store", "dynamodb:nulle-part"],
        Some(&moto.endpoint),
    );
    assert!(!output.status.success());
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("dynamodb:nulle-part"), "{err}");
}

#[test]
fn store_specs_are_checked() {
    let dir = common::fixture("data-site");
    for (spec, expected) in [
        ("postgres:x", "unknown store"),
        ("sqlite:", "missing path or table"),
        ("dynamodb:", "missing path or table"),
    ] {
        let output = maillage(dir.path(), &["sync", "--store", spec], None);
        assert_eq!(output.status.code(), Some(1), "{spec}");
        let err = String::from_utf8_lossy(&output.stderr);
        assert!(
            err.contains(expected) && err.contains("sqlite:PATH"),
            "{spec}: {err}"
        );
    }
    // DynamoDB without a region or a local endpoint.
    let output = crate::common::maillage()
        .arg("--root")
        .arg(dir.path())
        .args(["export", "--store", "dynamodb:table"])
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env_remove("MAILLAGE_DYNAMODB_ENDPOINT")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(
        err.contains("dynamodb:table") && err.contains("AWS_REGION"),
        "{err}"
    );
}

#[test]
fn sync_export_and_purge_on_sqlite() {
    let dir = common::fixture("data-site");
    let file = dir.path().join("etat/store.sqlite");
    // The test's own connection to the same file, as the server would hold.
    let store = maillage_store::sqlite::SqliteStore::open(&file).unwrap();
    sync_export_purge(dir.path(), "sqlite:etat/store.sqlite", None, &store);
    assert!(file.is_file(), "a relative path is under the site root");
}

#[test]
fn the_default_store_is_a_file_under_the_site_root() {
    let dir = common::fixture("data-site");
    let out = stdout(&maillage(dir.path(), &["sync"], None));
    assert!(out.contains(".maillage/store.sqlite"), "{out}");
    assert!(dir.path().join(".maillage/store.sqlite").is_file());
    let out = stdout(&maillage(dir.path(), &["export"], None));
    assert!(out.contains("0 with a published report"), "{out}");
    // A file that is not a store: the error names it.
    std::fs::write(dir.path().join("pas-une-base"), "bonjour").unwrap();
    let output = maillage(
        dir.path(),
        &["export", "--store", "sqlite:pas-une-base"],
        None,
    );
    assert_eq!(output.status.code(), Some(1));
    let err = String::from_utf8_lossy(&output.stderr);
    assert!(err.contains("pas-une-base"), "{err}");
}
