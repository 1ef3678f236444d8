//! The organiser marks who came, each person present opens their
//! attestation, and anyone checks its code: one scenario, run on each store.

use super::{key_of, Call, Server, SITE};
use crate::common::conformance::registration;
use maillage_model::events::Event;

/// The path of one of the function's links (they are absolute, on the site).
fn path_of(link: &str) -> &str {
    link.strip_prefix(SITE).expect("a link on the site")
}

fn codes(reply: &super::Reply) -> Vec<Option<String>> {
    reply.json()["registrants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["attestation"].as_str().map(str::to_string))
        .collect()
}

fn pairs(owned: &[(String, String)]) -> Vec<(&str, &str)> {
    owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// On the test meetup `passee` (it took place): three registrants.
pub(crate) async fn attendance_then_attestation_then_verification(server: &Server) {
    let people: Vec<_> = (0..3).map(|n| registration("passee", n)).collect();
    for person in &people {
        server.store.register(person.clone()).await.unwrap();
    }
    let key = key_of("passee");
    let marks = |key: &str, meetup: &str| {
        vec![
            ("meetup".to_string(), meetup.to_string()),
            ("key".to_string(), key.to_string()),
            ("present".to_string(), people[0].email.clone()),
            ("present".to_string(), people[1].email.to_uppercase()),
            ("organiser".to_string(), "Camille Martin".to_string()),
        ]
    };

    // A wrong key, another meetup's key, a meetup to come: nothing recorded.
    for (fields, status, code) in [
        (marks("pas-la-bonne", "passee"), 403, "key_invalid"),
        (marks(&key_of("brest"), "passee"), 403, "key_invalid"),
        (marks(&key_of("brest"), "brest"), 409, "not_started"),
    ] {
        let refused = Call::new("POST", "/api/attendance")
            .form(&pairs(&fields))
            .accept_json()
            .send(server)
            .await;
        assert_eq!((refused.status, refused.code().as_str()), (status, code));
        assert!(!refused.body.contains("example.org"));
    }
    let mut bad_name = marks(&key, "passee");
    bad_name[4].1 = "Camille\nMartin".into();
    let refused = Call::new("POST", "/api/attendance")
        .form(&pairs(&bad_name))
        .accept_json()
        .send(server)
        .await;
    assert_eq!(
        (refused.status, refused.code().as_str()),
        (422, "invalid_fields")
    );
    assert!(refused
        .field_error("organiser")
        .contains("caractères non acceptés"));
    let listed = server.store.registrants("passee").await.unwrap();
    assert!(listed.iter().all(|r| r.attestation.is_none()));
    assert_eq!(
        server.store.organiser_attestation("passee").await.unwrap(),
        None
    );

    // With JavaScript: the answer is the list, with the attestations' links.
    let recorded = Call::new("POST", "/api/attendance")
        .form(&pairs(&marks(&key, "passee")))
        .accept_json()
        .send(server)
        .await;
    assert_eq!(recorded.status, 200, "{}", recorded.body);
    let links = codes(&recorded);
    assert!(links[0].is_some() && links[1].is_some(), "{links:?}");
    assert_eq!(links[2], None, "who was not marked gets nothing");
    // Each person newly present is told, with their link (the mail path).
    let told = |server: &Server| -> Vec<(String, String)> {
        server
            .events
            .events()
            .into_iter()
            .filter_map(|event| match event {
                Event::Attested {
                    person,
                    attestation_url,
                    ..
                } => Some((person.email, attestation_url)),
                _ => None,
            })
            .collect()
    };
    let mut expected = vec![
        (people[0].email.clone(), links[0].clone().unwrap()),
        (people[1].email.clone(), links[1].clone().unwrap()),
    ];
    let mut sent = told(server);
    sent.sort();
    expected.sort();
    assert_eq!(sent, expected);
    let organiser = recorded.json()["organiser"].clone();
    assert_eq!(organiser["name"], "Camille Martin");
    let organiser_link = organiser["attestation"].as_str().unwrap().to_string();

    // A participant opens their attestation: a printable page.
    let page = Call::new("GET", path_of(links[0].as_deref().unwrap()))
        .send(server)
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.header("content-type").starts_with("text/html"));
    assert_eq!(page.header("referrer-policy"), "no-referrer");
    for words in [
        "<h1>Attestation de participation</h1>",
        &people[0].name,
        "Rencontre passee",
        "mardi 10 novembre 2026",
        "participant·e",
        "Médiathèque",
        "https://rencontres.example.org/attestation/verifier/",
    ] {
        assert!(page.body.contains(words), "{words} in {}", page.body);
    }
    assert!(!page.body.contains(&people[0].email));
    let organiser_page = Call::new("GET", path_of(&organiser_link))
        .send(server)
        .await;
    assert!(organiser_page.body.contains("Camille Martin"));
    assert!(organiser_page.body.contains("organisateur·rice"));

    // A third person checks the code, as printed (grouped, any case).
    let code = links[1]
        .as_deref()
        .unwrap()
        .split_once("code=")
        .unwrap()
        .1
        .to_string();
    let printed = format!("{}-{} {}", &code[..5], &code[5..13], &code[13..]).to_lowercase();
    let verified = Call::new("POST", "/api/attestation/verification")
        .form(&[("code", &printed)])
        .accept_json()
        .send(server)
        .await;
    assert_eq!(verified.status, 200, "{}", verified.body);
    assert_eq!(
        verified.json(),
        serde_json::json!({
            "valid": true,
            "name": people[1].name,
            "meetup": "Rencontre passee",
            "date": "mardi 10 novembre 2026",
            "role": "animateur·rice",
            "network": "Maillage",
        })
    );
    let verified_page = Call::new("POST", "/api/attestation/verification")
        .form(&[("code", &code)])
        .send(server)
        .await;
    assert_eq!(verified_page.status, 200);
    assert!(verified_page.body.contains("<h1>Attestation valide</h1>"));
    assert!(verified_page.body.contains(&people[1].name));
    assert!(
        !verified_page.body.contains("Médiathèque"),
        "the place is not stated"
    );
    assert!(!verified_page.body.contains("example.org/rencontres"));

    // Forged, unknown and missing codes are refused, in French.
    let mut forged = code.clone().into_bytes();
    forged[25] = if forged[25] == b'0' { b'1' } else { b'0' };
    let forged = String::from_utf8(forged).unwrap();
    for (typed, status, answer) in [
        (forged.as_str(), 404, "unknown_code"),
        ("0123456789ABCDEFGHJKMNPQRS", 404, "unknown_code"),
        ("n'importe quoi", 404, "unknown_code"),
        ("", 400, "code_missing"),
    ] {
        let refused = Call::new("POST", "/api/attestation/verification")
            .form(&[("code", typed)])
            .accept_json()
            .send(server)
            .await;
        assert_eq!(
            (refused.status, refused.code().as_str()),
            (status, answer),
            "{typed}"
        );
        assert!(!refused.body.contains(&people[1].name));
        let page = Call::new("POST", "/api/attestation/verification")
            .form(&[("code", typed)])
            .send(server)
            .await;
        assert_eq!(page.status, status);
        assert!(page.body.contains("<html lang=\"fr\">"));
    }
    let unknown = Call::new("GET", &format!("/api/attestation?code={forged}"))
        .send(server)
        .await;
    assert_eq!(unknown.status, 404);
    assert!(unknown.body.contains("ne correspond à aucune attestation"));

    // Without JavaScript: a correction from the page's form, answered by
    // the page, the marks kept where they were.
    let correction = Call::new("POST", "/api/attendance")
        .form(&[
            ("meetup", "passee"),
            ("key", &key),
            ("present", &people[1].email),
            ("present", &people[2].email),
            ("organiser", ""),
        ])
        .send(server)
        .await;
    assert_eq!(correction.status, 200, "{}", correction.body);
    assert!(correction.body.contains("Présences enregistrées"));
    assert_eq!(correction.body.matches(" checked>").count(), 2);
    let sent = told(server);
    assert_eq!(sent.len(), 3, "only the person newly present is told");
    assert_eq!(sent[2].0, people[2].email);
    let listed = server.store.registrants("passee").await.unwrap();
    assert_eq!(listed[0].attestation, None);
    assert_eq!(listed[1].attestation.as_deref(), Some(code.as_str()));
    assert!(listed[2].attestation.is_some());
    let withdrawn = links[0].as_deref().unwrap().split_once("code=").unwrap().1;
    let refused = Call::new("POST", "/api/attestation/verification")
        .form(&[("code", withdrawn)])
        .accept_json()
        .send(server)
        .await;
    assert_eq!(refused.status, 404, "a withdrawn attestation is refused");
    assert_eq!(
        server.store.organiser_attestation("passee").await.unwrap(),
        None
    );
}
