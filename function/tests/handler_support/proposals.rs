//! An organiser proposes a meetup, the region's coordinator accepts one
//! (edited) and declines another; the accepted one takes registrations at
//! once and its organiser's link opens its list: one scenario, run on each
//! store.

use super::{key_hash, Call, Reply, Server, SITE};
use maillage_model::events::Event;
use maillage_model::meetup::{RegionDefinition, RegionPlace};
use maillage_model::proposal::{Belongs, ProposalStatus};

pub(crate) const REGION_KEY: &str = "coordination-bretagne";

/// Bretagne (two places, its key `coordination-bretagne`) and Normandie.
pub(crate) fn regions() -> Vec<RegionDefinition> {
    let place = |id: &str, name: &str| RegionPlace {
        id: id.into(),
        name: name.into(),
        location: format!("{name}, Brest"),
        time_zone: maillage_model::zone::DEFAULT,
    };
    vec![
        RegionDefinition {
            id: "bretagne".into(),
            name: "Bretagne".into(),
            coordinator_key_sha256: Some(key_hash(REGION_KEY)),
            meetups: vec![],
            places: vec![
                place("mediatheque-brest", "Médiathèque des Capucins"),
                place("epn-brest", "EPN de Bellevue"),
            ],
            time_zone: maillage_model::zone::DEFAULT,
            belongs: vec!["series:carto-rennes".into(), "module:nsi:1".into()],
        },
        RegionDefinition {
            id: "normandie".into(),
            name: "Normandie".into(),
            coordinator_key_sha256: Some(key_hash("coordination-normandie")),
            meetups: vec![],
            places: vec![],
            time_zone: maillage_model::zone::DEFAULT,
            belongs: vec![],
        },
    ]
}

/// A complete proposal's fields, `place` from the list.
pub(crate) fn form(request: &str, place: &str) -> Vec<(&'static str, String)> {
    vec![
        ("request", request.into()),
        ("region", "bretagne".into()),
        ("belongs", "series:carto-rennes".into()),
        ("place", place.into()),
        ("title", "Cartographie participative du port".into()),
        ("start", "2027-01-14T18:00".into()),
        ("end", "2027-01-14T20:30".into()),
        ("capacity", "18".into()),
        (
            "intentions",
            "- Cartographier le port\n- Accueillir les nouveaux\n".into(),
        ),
        ("name", "Dominique Proposante".into()),
        ("email", "dominique@proposant.example.net".into()),
        ("consent", "oui".into()),
    ]
}

pub(crate) async fn post(server: &Server, path: &str, fields: &[(&str, String)]) -> Reply {
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    Call::new("POST", path)
        .form(&pairs)
        .accept_json()
        .send(server)
        .await
}

fn with(
    fields: &[(&'static str, String)],
    name: &'static str,
    value: &str,
) -> Vec<(&'static str, String)> {
    let mut out: Vec<_> = fields.iter().filter(|(k, _)| *k != name).cloned().collect();
    out.push((name, value.into()));
    out
}

fn decision(proposal: &str, choice: &str, request: &str) -> Vec<(&'static str, String)> {
    vec![
        ("region", "bretagne".into()),
        ("key", REGION_KEY.into()),
        ("proposal", proposal.into()),
        ("decision", choice.into()),
        ("request", request.into()),
    ]
}

pub(crate) async fn proposals_accepted_and_declined(server: &Server) {
    server.store.put_regions(&regions()).await.unwrap();

    // Field problems, each with its French message; nothing stored.
    let incomplete = post(
        server,
        "/api/proposals",
        &with(
            &with(
                &form("proposition-a-0001", "mediatheque-brest"),
                "end",
                "2027-01-14T17:00",
            ),
            "title",
            "",
        ),
    )
    .await;
    assert_eq!(
        (incomplete.status, incomplete.code().as_str()),
        (422, "invalid_fields")
    );
    assert!(incomplete.field_error("end").contains("après son début"));
    assert!(incomplete.field_error("title").contains("titre"));
    let elsewhere = post(
        server,
        "/api/proposals",
        &with(
            &form("proposition-a-0002", "mediatheque-brest"),
            "place",
            "lieu-de-caen",
        ),
    )
    .await;
    assert_eq!(elsewhere.status, 422);
    assert!(elsewhere.field_error("place").contains("lieu de la région"));
    let unknown_series = post(
        server,
        "/api/proposals",
        &with(
            &form("proposition-a-0004", "mediatheque-brest"),
            "belongs",
            "series:inconnue",
        ),
    )
    .await;
    assert!(unknown_series
        .field_error("belongs")
        .contains("dans la liste"));
    let past = post(
        server,
        "/api/proposals",
        &with(
            &with(
                &form("proposition-a-0003", "mediatheque-brest"),
                "start",
                "2026-11-01T18:00",
            ),
            "end",
            "2026-11-01T20:00",
        ),
    )
    .await;
    assert!(past.field_error("start").contains("futur"));
    assert_eq!(server.store.proposals("bretagne").await.unwrap(), vec![]);

    // A proposal at a place of the list, and one at a new place.
    let known = post(
        server,
        "/api/proposals",
        &form("proposition-connue-0001", "mediatheque-brest"),
    )
    .await;
    assert_eq!(known.status, 201, "{}", known.body);
    assert_eq!(known.json()["status"], "received");
    assert!(known.json()["message"]
        .as_str()
        .unwrap()
        .contains("coordination de la région Bretagne"));
    let mut new_place = with(
        &form("proposition-nouvelle-0001", "nouveau"),
        "title",
        "Club de code au port",
    );
    new_place.extend([
        ("place_name", "Tiers-lieu du Port".to_string()),
        ("place_town", "Brest".to_string()),
        ("place_department", "29".to_string()),
    ]);
    assert_eq!(post(server, "/api/proposals", &new_place).await.status, 201);
    // The same form sent again: one proposal, one acknowledgement.
    assert_eq!(post(server, "/api/proposals", &new_place).await.status, 201);
    let received: Vec<_> = server
        .events
        .events()
        .into_iter()
        .filter(|e| matches!(e, Event::ProposalReceived { .. }))
        .collect();
    assert_eq!(received.len(), 2, "one acknowledgement per proposal");
    let events_before_robot = server.events.events().len();
    assert!(
        received.iter().all(|e| !e.changes_store()),
        "nothing public changed"
    );

    // The honeypot filled: the same answer, nothing kept, nobody written to.
    let robot = post(
        server,
        "/api/proposals",
        &with(
            &form("proposition-robot-0001", "mediatheque-brest"),
            "website",
            "https://spam.example",
        ),
    )
    .await;
    assert_eq!(robot.status, 201);
    assert_eq!(server.store.proposals("bretagne").await.unwrap().len(), 2);
    assert_eq!(server.events.events().len(), events_before_robot);

    // The coordinator sees them, with who proposed; another region does not.
    let view = post(server, "/api/coordination", &decision("", "", "")[..2]).await;
    assert_eq!(view.status, 200, "{}", view.body);
    let proposals = view.json()["proposals"].as_array().unwrap().clone();
    assert_eq!(proposals.len(), 2);
    assert_eq!(proposals[0]["id"], "proposition-connue-0001");
    assert_eq!(proposals[0]["status"], "pending");
    assert_eq!(proposals[0]["email"], "dominique@proposant.example.net");
    assert_eq!(proposals[1]["place"]["name"], "Tiers-lieu du Port");
    let normandie = post(
        server,
        "/api/coordination",
        &[
            ("region", "normandie".into()),
            ("key", "coordination-normandie".into()),
        ],
    )
    .await;
    assert_eq!(normandie.json()["proposals"], serde_json::json!([]));

    // Another region's key decides nothing; nor a proposal of another region.
    let foreign = post(
        server,
        "/api/proposals/decision",
        &with(
            &decision("proposition-connue-0001", "accept", "decision-0000-x"),
            "key",
            "coordination-normandie",
        ),
    )
    .await;
    assert_eq!(
        (foreign.status, foreign.code().as_str()),
        (403, "key_invalid")
    );
    let mut other = decision("proposition-connue-0001", "accept", "decision-0000-y");
    other[0].1 = "normandie".into();
    other[1].1 = "coordination-normandie".into();
    let other = post(server, "/api/proposals/decision", &other).await;
    assert_eq!(
        (other.status, other.code().as_str()),
        (404, "unknown_proposal")
    );

    // A new place must be in the list before the proposal is accepted.
    let unplaced = post(
        server,
        "/api/proposals/decision",
        &decision("proposition-nouvelle-0001", "accept", "decision-0001-a"),
    )
    .await;
    assert_eq!(unplaced.status, 422);
    assert!(unplaced.field_error("place").contains("ajoutez-le"));

    // Accepted, edited: the meetup takes registrations at once.
    let mut accept = decision("proposition-connue-0001", "accept", "decision-0002-a");
    accept.extend([
        ("title", "Cartographie du port de Brest".to_string()),
        ("capacity", "20".to_string()),
        ("message", "Bienvenue dans le réseau !".to_string()),
    ]);
    let accepted = post(server, "/api/proposals/decision", &accept).await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    assert!(accepted.json()["message"]
        .as_str()
        .unwrap()
        .contains("est acceptée"));
    assert_eq!(accepted.json()["proposals"][0]["status"], "accepted");
    let meetup_id = "cartographie-du-port-de-brest-2027-01";
    assert_eq!(accepted.json()["proposals"][0]["meetup"], meetup_id);
    let definition = server
        .store
        .meetup(meetup_id)
        .await
        .unwrap()
        .expect("in the store");
    assert_eq!(
        (definition.capacity, definition.title.as_str()),
        (20, "Cartographie du port de Brest")
    );
    assert_eq!(
        definition.starts_at.to_rfc3339(),
        "2027-01-14T17:00:00+00:00"
    );
    assert_eq!(definition.url, format!("{SITE}/rencontres/{meetup_id}/"));
    let entries = server.store.accepted_meetups().await.unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].organiser, "Dominique", "the first name alone");
    assert_eq!(entries[0].place, "mediatheque-brest");
    assert_eq!(
        entries[0].belongs,
        Belongs::Series {
            series: "carto-rennes".into()
        }
    );
    let link = server
        .events
        .events()
        .into_iter()
        .find_map(|e| match e {
            Event::ProposalDecided {
                accepted: Some((meetup, link)),
                proposal,
                ..
            } => {
                assert_eq!(meetup.id, meetup_id);
                assert_eq!(
                    proposal.message.as_deref(),
                    Some("Bienvenue dans le réseau !")
                );
                Some(link)
            }
            _ => None,
        })
        .expect("the decision told the sinks");
    let prefix = format!("{SITE}/bilan/#rencontre={meetup_id}&cle=");
    let key = link
        .strip_prefix(&prefix)
        .expect("the organiser's link")
        .to_string();
    assert_eq!(entries[0].report_key_sha256, key_hash(&key));
    assert!(
        server.events.events().last().unwrap().changes_store(),
        "the rebuild is asked for"
    );
    let registered = Call::new("POST", "/api/registrations")
        .form(&[
            ("meetup", meetup_id),
            ("name", "Aïcha"),
            ("email", "aicha@exemple.org"),
            ("consent", "oui"),
        ])
        .accept_json()
        .send(server)
        .await;
    assert_eq!(registered.status, 201, "{}", registered.body);
    let list = Call::new("GET", &format!("/api/meetups/{meetup_id}/registrants"))
        .header("x-maillage-key", &key)
        .accept_json()
        .send(server)
        .await;
    assert_eq!(list.status, 200, "the organiser's key opens its list");
    assert_eq!(list.json()["registrants"][0]["name"], "Aïcha");

    // The same request again (its answer lost, or the page reloaded): the
    // same answer, and nothing more done: no second meetup, no second
    // email with another key; another request: already decided.
    let decided_events = |server: &Server| {
        server
            .events
            .events()
            .into_iter()
            .filter(|e| matches!(e, Event::ProposalDecided { .. }))
            .count()
    };
    let told_before = decided_events(server);
    let meetups_before = server.store.meetups().await.unwrap().len();
    let resent = post(server, "/api/proposals/decision", &accept).await;
    assert_eq!(resent.status, 200);
    assert!(resent.json()["message"]
        .as_str()
        .unwrap()
        .contains(&format!("la rencontre {meetup_id} ")));
    assert_eq!(
        server.store.meetups().await.unwrap().len(),
        meetups_before,
        "no second meetup"
    );
    assert_eq!(decided_events(server), told_before, "nobody told again");
    let list = Call::new("GET", &format!("/api/meetups/{meetup_id}/registrants"))
        .header("x-maillage-key", &key)
        .accept_json()
        .send(server)
        .await;
    assert_eq!(list.status, 200, "the key sent first still opens the list");
    let again = post(
        server,
        "/api/proposals/decision",
        &decision("proposition-connue-0001", "decline", "decision-0003-a"),
    )
    .await;
    assert_eq!(
        (again.status, again.code().as_str()),
        (409, "already_decided")
    );
    assert_eq!(server.store.accepted_meetups().await.unwrap().len(), 1);

    // Declined with a message: no meetup.
    let mut decline = decision("proposition-nouvelle-0001", "decline", "decision-0004-a");
    decline.push((
        "message",
        "Le lieu n'a pas de salle libre en janvier.".into(),
    ));
    let declined = post(server, "/api/proposals/decision", &decline).await;
    assert_eq!(declined.status, 200, "{}", declined.body);
    assert!(declined.json()["message"]
        .as_str()
        .unwrap()
        .contains("est refusée"));
    let stored = server.store.proposals("bretagne").await.unwrap();
    assert_eq!(stored[1].status, ProposalStatus::Declined);
    assert_eq!(
        stored[1].message.as_deref(),
        Some("Le lieu n'a pas de salle libre en janvier.")
    );
    assert_eq!(server.store.accepted_meetups().await.unwrap().len(), 1);
    let last = server.events.events().last().unwrap().clone();
    assert!(matches!(
        last,
        Event::ProposalDecided { accepted: None, .. }
    ));
    assert!(!last.changes_store());

    // Without JavaScript: a French page, and the coordinator's page shows
    // the decided proposals.
    let page = Call::new("POST", "/api/proposals")
        .form(
            &form("proposition-sans-js-0001", "epn-brest")
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .collect::<Vec<_>>(),
        )
        .send(server)
        .await;
    assert_eq!(page.status, 201);
    assert!(
        page.body.contains("<h1>Proposition envoyée</h1>"),
        "{}",
        page.body
    );
    let coordination = Call::new("POST", "/api/coordination")
        .form(&[("region", "bretagne"), ("key", REGION_KEY)])
        .send(server)
        .await;
    assert!(coordination
        .body
        .contains("<h2>Propositions de rencontre</h2>"));
    assert!(coordination
        .body
        .contains("name=\"decision\" value=\"accept\""));
    assert!(coordination
        .body
        .contains(&format!("acceptée ({meetup_id})")));
}

/// What the proposer and the coordinator are told follows whether the site
/// sends emails (`emails`): with them, the acknowledgement and the decisions
/// say an email went; without, nothing promises one, and the acceptance
/// shows the coordinator the organiser's link (whose key opens the list)
/// the once it exists.
pub(crate) async fn what_is_promised_follows_whether_emails_are_sent(
    server: &Server,
    emails: bool,
) {
    server.store.put_regions(&regions()).await.unwrap();
    let received = post(
        server,
        "/api/proposals",
        &form("proposition-courriel-0001", "mediatheque-brest"),
    )
    .await;
    assert_eq!(received.status, 201, "{}", received.body);
    let message = received.json()["message"].as_str().unwrap().to_string();
    assert_eq!(message.contains("par courriel"), emails, "{message}");
    let fields = form("proposition-courriel-0002", "epn-brest");
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let page = Call::new("POST", "/api/proposals")
        .form(&pairs)
        .send(server)
        .await;
    assert_eq!(page.status, 201);
    assert_eq!(
        page.body.contains("Un courriel vous confirme"),
        emails,
        "{}",
        page.body
    );

    let accept = decision("proposition-courriel-0001", "accept", "decision-courriel-a");
    let accepted = post(server, "/api/proposals/decision", &accept).await;
    assert_eq!(accepted.status, 200, "{}", accepted.body);
    let notice = accepted.json()["message"].as_str().unwrap().to_string();
    assert_eq!(notice.contains("par courriel"), emails, "{notice}");
    let prefix = format!("{SITE}/bilan/#rencontre=");
    match notice.find(&prefix) {
        Some(start) if !emails => {
            let link = &notice[start + prefix.len()..];
            let (meetup, key) = link.split_once("&cle=").expect("a key in the link");
            let list = Call::new("GET", &format!("/api/meetups/{meetup}/registrants"))
                .header("x-maillage-key", key)
                .accept_json()
                .send(server)
                .await;
            assert_eq!(list.status, 200, "the link shown opens the list");
        }
        Some(_) => panic!("a link shown though it was emailed: {notice}"),
        None => assert!(emails, "no link to give on: {notice}"),
    }
    // Sent again: the link is not shown a second time.
    let resent = post(server, "/api/proposals/decision", &accept).await;
    assert!(!resent.json()["message"].as_str().unwrap().contains(&prefix));

    let declined = post(
        server,
        "/api/proposals/decision",
        &decision(
            "proposition-courriel-0002",
            "decline",
            "decision-courriel-b",
        ),
    )
    .await;
    let notice = declined.json()["message"].as_str().unwrap().to_string();
    assert_eq!(notice.contains("par courriel"), emails, "{notice}");
}
