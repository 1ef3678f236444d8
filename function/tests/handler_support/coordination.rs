//! A region's coordinator reads their region's view (figures, reports with
//! private notes, who came) and nothing of another region's: one
//! scenario, run on each store.

use super::{at, key_hash, meetup, Call, Server};
use crate::common::conformance::{attendance, registration};
use chrono::Duration;
use maillage_model::clock;
use maillage_model::meetup::{PublicReport, RegionDefinition};
use maillage_store::StoredReport;

fn region(id: &str, meetups: &[&str]) -> RegionDefinition {
    RegionDefinition {
        id: id.into(),
        name: format!("Région {id}"),
        coordinator_key_sha256: Some(key_hash(&format!("coordination-{id}"))),
        meetups: meetups.iter().map(|m| m.to_string()).collect(),
        places: vec![],
        time_zone: maillage_model::zone::DEFAULT,
        belongs: vec![],
    }
}

fn report(meetup: &str, notes: &str) -> StoredReport {
    StoredReport {
        meetup_id: meetup.into(),
        public: PublicReport {
            submitted_at: Some(at("2026-11-12T10:00:00Z")),
            attendance: Some(7),
            outcome: Some(format!("Les intentions de {meetup} tenues.")),
            ..PublicReport::default()
        },
        private_notes: Some(notes.into()),
        submitted_at: at("2026-11-12T10:00:00Z"),
        expires_at: clock::now() + Duration::days(90),
    }
}

/// On the test meetups: Bretagne follows `brest` (2 seats), `passee` (held,
/// reported), `annulee`, and `vannes` (held, no report); Normandie follows
/// `lyon`, reported with notes of its own.
pub(crate) async fn a_coordinator_reads_their_region_only(server: &Server) {
    let store = &server.store;
    let mut vannes = meetup("vannes", 12);
    vannes.starts_at = at("2026-11-14T09:00:00Z");
    vannes.ends_at = at("2026-11-14T12:00:00Z");
    store.put_meetups(&[vannes]).await.unwrap();
    store
        .put_regions(&[
            region(
                "bretagne",
                &["brest", "passee", "annulee", "vannes", "inconnue"],
            ),
            region("normandie", &["lyon"]),
            RegionDefinition {
                coordinator_key_sha256: None,
                ..region("corse", &["close"])
            },
        ])
        .await
        .unwrap();
    let people: Vec<_> = (0..3).map(|n| registration("brest", n)).collect();
    for person in &people {
        store.register(person.clone()).await.unwrap();
    }
    let came: Vec<_> = (3..6).map(|n| registration("passee", n)).collect();
    for person in &came {
        store.register(person.clone()).await.unwrap();
    }
    store
        .record_attendance(attendance(
            "passee",
            &[&came[0], &came[1]],
            Some("Camille"),
            clock::now() + Duration::days(1000),
        ))
        .await
        .unwrap();
    store
        .save_report(report("passee", "Salle trop petite, voir avec la mairie."))
        .await
        .unwrap();
    store.register(registration("lyon", 7)).await.unwrap();
    store
        .save_report(report("lyon", "Note normande confidentielle."))
        .await
        .unwrap();

    let ask = |fields: Vec<(&'static str, String)>| async move {
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        Call::new("POST", "/api/coordination")
            .form(&pairs)
            .accept_json()
            .send(server)
            .await
    };
    let key = "coordination-bretagne".to_string();

    // No key, a wrong key, another region's key, a region without a key or
    // unknown: nothing is read.
    for (fields, status, code) in [
        (vec![("region", "bretagne".into())], 401, "key_missing"),
        (
            vec![
                ("region", "bretagne".into()),
                ("key", "pas-la-bonne".into()),
            ],
            403,
            "key_invalid",
        ),
        (
            vec![
                ("region", "bretagne".into()),
                ("key", "coordination-normandie".into()),
            ],
            403,
            "key_invalid",
        ),
        (
            vec![("region", "normandie".into()), ("key", key.clone())],
            403,
            "key_invalid",
        ),
        (
            vec![
                ("region", "corse".into()),
                ("key", "coordination-corse".into()),
            ],
            403,
            "key_invalid",
        ),
        (
            vec![("region", "nulle-part".into()), ("key", key.clone())],
            403,
            "key_invalid",
        ),
        (vec![("key", key.clone())], 400, "region_missing"),
    ] {
        let refused = ask(fields.clone()).await;
        assert_eq!(
            (refused.status, refused.code().as_str()),
            (status, code),
            "{fields:?}: {}",
            refused.body
        );
        assert!(
            refused.json()["error"]["message"]
                .as_str()
                .unwrap()
                .contains("clé")
                || code == "region_missing"
        );
        for secret in ["Salle trop petite", "Note normande", "Rencontre"] {
            assert!(!refused.body.contains(secret), "{}", refused.body);
        }
    }

    // The right key: the region's meetups, by start, and none other.
    let seen = ask(vec![("region", "bretagne".into()), ("key", key.clone())]).await;
    assert_eq!(seen.status, 200, "{}", seen.body);
    let view = seen.json();
    assert_eq!(view["region"], "bretagne");
    assert_eq!(view["name"], "Région bretagne");
    let meetups = view["meetups"].as_array().unwrap();
    let stages: Vec<(&str, &str)> = meetups
        .iter()
        .map(|m| (m["meetup"].as_str().unwrap(), m["stage"].as_str().unwrap()))
        .collect();
    assert_eq!(
        stages,
        [
            ("passee", "reported"),
            ("vannes", "unreported"),
            ("annulee", "cancelled"),
            ("brest", "upcoming"),
        ]
    );
    let brest = &meetups[3];
    assert_eq!(
        (
            &brest["confirmed"],
            &brest["waiting"],
            &brest["capacity"],
            &brest["fill_rate"]
        ),
        (&2.into(), &1.into(), &2.into(), &100.into())
    );
    assert_eq!(brest["when"], "samedi 5 décembre 2026 à 10 h");
    let passee = &meetups[0];
    assert_eq!(
        passee["private_notes"],
        "Salle trop petite, voir avec la mairie."
    );
    assert_eq!(passee["present"], 3, "two registrants and the organiser");
    assert_eq!(passee["report"]["attendance"], 7);
    assert_eq!(view["totals"]["upcoming"], 1);
    assert_eq!(view["totals"]["held"], 2);
    assert_eq!(view["totals"]["unreported"], 1);
    assert_eq!(view["totals"]["waiting"], 1);
    assert!(!seen.body.contains("normande"), "another region's notes");
    for person in people.iter().chain(&came) {
        assert!(!seen.body.contains(&person.email), "no registrant's email");
        assert!(!seen.body.contains(&person.name), "no registrant's name");
    }

    // The key in the header does the same.
    let by_header = Call::new("POST", "/api/coordination")
        .header("x-maillage-key", &key)
        .form(&[("region", "bretagne")])
        .accept_json()
        .send(server)
        .await;
    assert_eq!(by_header.json(), view);

    // Without JavaScript: the page, with the CSV form posting the key.
    let page = Call::new("POST", "/api/coordination")
        .form(&[("region", "bretagne"), ("key", &key)])
        .send(server)
        .await;
    assert_eq!(page.status, 200);
    assert!(page.header("content-type").starts_with("text/html"));
    assert_eq!(page.header("cache-control"), "no-store");
    assert!(page
        .body
        .contains("<h1>Coordination : Région bretagne</h1>"));
    assert!(page.body.contains("<td>2 / 2</td><td>100 %</td><td>1</td>"));
    assert!(page
        .body
        .contains("Salle trop petite, voir avec la mairie."));
    assert!(page.body.contains("name=\"format\" value=\"csv\""));
    assert!(!page.body.contains("normande") && !page.body.contains(&people[0].email));

    // The CSV: one line per meetup.
    let csv = Call::new("POST", "/api/coordination")
        .form(&[("region", "bretagne"), ("key", &key), ("format", "csv")])
        .send(server)
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert_eq!(
        csv.header("content-disposition"),
        "attachment; filename=\"coordination-bretagne.csv\""
    );
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines.len(), 5, "{}", csv.body);
    assert!(lines[0].starts_with("\u{feff}identifiant;titre;début;étape"));
    assert_eq!(
        lines[4],
        "brest;Rencontre brest;2026-12-05 10:00;à venir;2;2;100;1;0;;"
    );
    assert!(
        lines[1].ends_with(";3;7;\"Salle trop petite, voir avec la mairie.\""),
        "{}",
        lines[1]
    );
}
