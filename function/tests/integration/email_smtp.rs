//! Confirmation emails through a real SMTP server on loopback (Python's
//! aiosmtpd), read back with Python's email package and icalendar.

use crate::email_server;
use crate::support;

use std::time::Duration;

use chrono::{DateTime, Utc};
use email_server::{inspect, python, SmtpServer};
use maillage_function::email::{Mailer, Organisers};
use maillage_function::trigger::Retry;
use maillage_model::events::{Event, EventSink, Recipient};
use maillage_model::meetup::{MeetupDefinition, MeetupStatus};
use maillage_store::RegistrationStatus;
use serde_json::Value;
use tokio::time::Instant;

const FROM: &str = "Rencontres du réseau <rencontres@rencontres.example.org>";

const FAST: Retry = Retry {
    attempts: 4,
    first_delay: Duration::from_millis(50),
    max_delay: Duration::from_millis(200),
    timeout: Duration::from_secs(5),
};

fn at(value: &str) -> DateTime<Utc> {
    value.parse().unwrap()
}

fn meetup() -> MeetupDefinition {
    MeetupDefinition {
        id: "brest-2026-12".into(),
        // Characters RFC 5545 escapes, and a line long enough to fold.
        title: "Atelier code ; Scratch, Python & co".into(),
        starts_at: at("2026-12-12T13:00:00Z"),
        ends_at: at("2026-12-12T16:00:00Z"),
        capacity: 2,
        status: MeetupStatus::Open,
        registration_opens: at("2026-11-01T00:00:00Z"),
        registration_closes: at("2026-12-12T12:00:00Z"),
        report_key_sha256: None,
        location:
            "Médiathèque François-Mitterrand, salle des Capucins, 25 rue de Pontaniou, 29200 Brest"
                .into(),
        url: "https://rencontres.example.org/rencontres/brest-2026-12/".into(),
        time_zone: maillage_model::zone::DEFAULT,
    }
}

fn person(name: &str, email: &str) -> Recipient {
    Recipient {
        name: name.into(),
        email: email.into(),
    }
}

fn registered(who: Recipient, status: RegistrationStatus, token: &str) -> Event {
    Event::Registered {
        meetup: meetup(),
        person: who,
        status,
        cancel_url: format!("https://rencontres.example.org/inscription/annuler/?jeton={token}"),
    }
}

fn mailer(server: &SmtpServer) -> Mailer {
    Mailer::new(&server.url(), FROM).unwrap().with_retry(FAST)
}

/// The received messages, parsed, keyed by their `To` header.
fn received(python: &std::path::Path, server: &SmtpServer, count: usize) -> Vec<Value> {
    let paths = server.wait_for(count, Duration::from_secs(10));
    assert_eq!(paths.len(), count, "messages received");
    paths.iter().map(|path| inspect(python, path)).collect()
}

fn to<'a>(messages: &'a [Value], address: &str) -> &'a Value {
    messages
        .iter()
        .find(|m| m["headers"]["To"].as_str().unwrap().contains(address))
        .unwrap_or_else(|| panic!("no message to {address}"))
}

#[tokio::test]
async fn a_registration_gets_a_french_confirmation_with_a_calendar_file() {
    let Some(python) = python() else { return };
    let server = SmtpServer::start(&python, 0);
    let mailer = mailer(&server);
    mailer
        .notify(&registered(
            person("Aïcha Benali", "aicha@example.org"),
            RegistrationStatus::Confirmed,
            "tok-aicha-7f3a",
        ))
        .await;
    mailer
        .notify(&registered(
            person("Bertrand Le Goff", "bertrand@example.net"),
            RegistrationStatus::Waiting { position: 3 },
            "tok-bertrand-91c2",
        ))
        .await;
    mailer.flush().await;
    let messages = received(&python, &server, 2);

    let aicha = to(&messages, "aicha@example.org");
    let headers = &aicha["headers"];
    assert_eq!(headers["From"], FROM);
    assert_eq!(headers["To"], "Aïcha Benali <aicha@example.org>");
    assert_eq!(
        headers["Subject"],
        "Inscription confirmée : Atelier code ; Scratch, Python & co"
    );
    let date = headers["Date"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc2822(date).is_ok(),
        "Date: {date}"
    );
    let message_id = headers["Message-ID"].as_str().unwrap();
    assert!(
        message_id.starts_with('<') && message_id.ends_with("@rencontres.example.org>"),
        "{message_id}"
    );
    let text = aicha["text"].as_str().unwrap();
    for expected in [
        "Bonjour Aïcha Benali,",
        "votre place à « Atelier code ; Scratch, Python & co » est réservée",
        "samedi 12 décembre 2026, de 14 h à 17 h (heure de Paris)",
        "25 rue de Pontaniou, 29200 Brest",
        "https://rencontres.example.org/rencontres/brest-2026-12/",
        "https://rencontres.example.org/inscription/annuler/?jeton=tok-aicha-7f3a",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    let attachments = aicha["attachments"].as_array().unwrap();
    assert_eq!(attachments.len(), 1);
    let ics = &attachments[0];
    assert_eq!(ics["filename"], "rencontre.ics");
    assert_eq!(ics["content_type"], "text/calendar");
    assert_eq!(ics["version"], "2.0");
    let event = &ics["events"][0];
    assert_eq!(event["summary"], "Atelier code ; Scratch, Python & co");
    assert_eq!(event["location"], meetup().location);
    assert_eq!(event["start"], "2026-12-12T14:00:00+01:00");
    assert_eq!(event["end"], "2026-12-12T17:00:00+01:00");
    assert_eq!(event["status"], "CONFIRMED");
    assert_eq!(event["uid"], "brest-2026-12@rencontres.example.org");
    assert_eq!(event["url"], meetup().url);
    let raw_ics = ics["text"].as_str().unwrap();
    assert!(raw_ics.contains("SUMMARY:Atelier code \\; Scratch\\, Python & co"));
    // MIME carries text line ends as CRLF whatever the part's encoding;
    // what matters here is the folding.
    for line in raw_ics.lines() {
        assert!(line.len() <= 75, "an unfolded line: {line:?}");
    }

    let bertrand = to(&messages, "bertrand@example.net");
    assert_eq!(
        bertrand["headers"]["Subject"],
        "Liste d'attente : Atelier code ; Scratch, Python & co"
    );
    let text = bertrand["text"].as_str().unwrap();
    assert!(
        text.contains("vous êtes en position 3 sur la liste d'attente"),
        "{text}"
    );
    assert!(text.contains("jeton=tok-bertrand-91c2"));
    assert_eq!(
        bertrand["attachments"][0]["events"][0]["status"],
        "TENTATIVE"
    );

    // Each message is about its recipient only.
    for (message, others) in [
        (aicha, ["Bertrand", "bertrand@example.net", "tok-bertrand"]),
        (bertrand, ["Aïcha", "aicha@example.org", "tok-aicha"]),
    ] {
        let raw = message["raw"].as_str().unwrap();
        let decoded = format!("{}{}", message["text"], message["headers"]);
        for other in others {
            assert!(
                !raw.contains(other) && !decoded.contains(other),
                "{other} leaked"
            );
        }
    }
}

/// An address registered again gets its registration and cancellation
/// link once more, addressed without a name (whoever sent the form may not
/// be the person).
#[tokio::test]
async fn a_registration_made_again_sends_the_link_to_the_registered_address() {
    let Some(python) = python() else { return };
    let server = SmtpServer::start(&python, 0);
    let mailer = mailer(&server);
    mailer
        .notify(&Event::RegisteredAgain {
            meetup: meetup(),
            email: "aicha@example.org".into(),
            status: RegistrationStatus::Waiting { position: 2 },
            cancel_url: "https://rencontres.example.org/inscription/annuler/?jeton=tok-first"
                .into(),
        })
        .await;
    mailer.flush().await;
    let messages = received(&python, &server, 1);
    let message = to(&messages, "aicha@example.org");
    assert_eq!(message["headers"]["To"], "aicha@example.org");
    assert_eq!(
        message["headers"]["Subject"],
        "Votre inscription : Atelier code ; Scratch, Python & co"
    );
    let text = message["text"].as_str().unwrap();
    for expected in [
        "Bonjour,\n",
        "Vous y êtes déjà inscrit·e : rien n'a changé.",
        "Vous êtes en position 2 sur la liste d'attente",
        "https://rencontres.example.org/inscription/annuler/?jeton=tok-first",
        "Si vous n'êtes pas à l'origine de cette demande",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    assert_eq!(
        message["attachments"][0]["events"][0]["status"],
        "TENTATIVE"
    );
}

#[tokio::test]
async fn a_promotion_gets_a_notice_and_an_updated_calendar() {
    let Some(python) = python() else { return };
    let server = SmtpServer::start(&python, 0);
    let mailer = mailer(&server);
    mailer
        .notify(&Event::Promoted {
            meetup: meetup(),
            person: person("Chloé Martin", "chloe@example.org"),
        })
        .await;
    mailer.flush().await;
    let messages = received(&python, &server, 1);
    let message = &messages[0];
    assert_eq!(
        message["headers"]["Subject"],
        "Votre place est confirmée : Atelier code ; Scratch, Python & co"
    );
    let text = message["text"].as_str().unwrap();
    assert!(text.contains("une place s'est libérée"), "{text}");
    assert!(text.contains("maintenant confirmée"), "{text}");
    let event = &message["attachments"][0]["events"][0];
    assert_eq!(event["status"], "CONFIRMED");
    assert_eq!(event["sequence"], 1);
    assert_eq!(event["uid"], "brest-2026-12@rencontres.example.org");
}

#[tokio::test]
async fn a_person_marked_present_gets_the_link_to_their_attestation() {
    let Some(python) = python() else { return };
    let server = SmtpServer::start(&python, 0);
    let mailer = mailer(&server);
    let link = "https://rencontres.example.org/api/attestation?code=7ZK3M0Q1VXBH4N8RT2W6YCDEFG";
    mailer
        .notify(&Event::Attested {
            meetup: meetup(),
            person: person("Chloé Martin", "chloe@example.org"),
            attestation_url: link.into(),
        })
        .await;
    mailer.flush().await;
    let messages = received(&python, &server, 1);
    let message = &messages[0];
    assert_eq!(
        message["headers"]["Subject"],
        "Votre attestation de participation : Atelier code ; Scratch, Python & co"
    );
    assert!(message["headers"]["To"]
        .as_str()
        .unwrap()
        .contains("chloe@example.org"));
    let text = message["text"].as_str().unwrap();
    assert!(text.contains("Bonjour Chloé Martin"), "{text}");
    assert!(text.contains(link), "{text}");
    assert!(text.contains("trois ans"), "{text}");
    assert_eq!(message["attachments"].as_array().map_or(0, Vec::len), 0);
}

#[tokio::test]
async fn an_organiser_who_opted_in_gets_a_notice_with_what_their_list_shows() {
    let Some(python) = python() else { return };
    let server = SmtpServer::start(&python, 0);
    let mailer = mailer(&server).with_organisers(
        Organisers::parse("brest-2026-12=Anne Organisatrice <anne@orga.example.org>").unwrap(),
    );
    mailer
        .notify(&registered(
            person("Aïcha Benali", "aicha@example.org"),
            RegistrationStatus::Waiting { position: 1 },
            "tok-aicha-7f3a",
        ))
        .await;
    // Another meetup: nobody asked for notices there.
    let mut elsewhere = registered(
        person("Bertrand Le Goff", "bertrand@example.net"),
        RegistrationStatus::Confirmed,
        "tok-b",
    );
    if let Event::Registered { meetup, .. } = &mut elsewhere {
        meetup.id = "quimper-2026-12".into();
    }
    mailer.notify(&elsewhere).await;
    mailer.flush().await;
    let messages = received(&python, &server, 3);
    let notices: Vec<&Value> = messages
        .iter()
        .filter(|m| m["headers"]["To"].as_str().unwrap().contains("anne@orga"))
        .collect();
    assert_eq!(notices.len(), 1);
    let notice = notices[0];
    assert_eq!(
        notice["headers"]["Subject"],
        "Nouvelle inscription : Atelier code ; Scratch, Python & co"
    );
    let text = notice["text"].as_str().unwrap();
    assert!(text.contains("Nom : Aïcha Benali"), "{text}");
    assert!(text.contains("Courriel : aicha@example.org"));
    assert!(text.contains("sur liste d'attente (position 1)"));
    // Not the person's private link, and no calendar file.
    assert!(!notice["raw"].as_str().unwrap().contains("tok-aicha"));
    assert!(notice["attachments"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_server_refusing_at_first_still_gets_the_message_without_holding_the_answer() {
    let Some(python) = python() else { return };
    let server = SmtpServer::start(&python, 2);
    let mailer = mailer(&server);
    let started = Instant::now();
    mailer
        .notify(&registered(
            person("Aïcha Benali", "aicha@example.org"),
            RegistrationStatus::Confirmed,
            "tok-aicha-7f3a",
        ))
        .await;
    assert!(
        started.elapsed() < Duration::from_millis(50),
        "notify waited {:?}",
        started.elapsed()
    );
    mailer.flush().await;
    let messages = received(&python, &server, 1);
    assert!(messages[0]["text"]
        .as_str()
        .unwrap()
        .contains("tok-aicha-7f3a"));
}

#[tokio::test]
async fn other_changes_send_nothing_and_a_dead_server_is_given_up() {
    let Some(python) = python() else { return };
    let server = SmtpServer::start(&python, 0);
    let mailer = mailer(&server);
    mailer
        .notify(&Event::Cancelled {
            meetup_id: "brest-2026-12".into(),
        })
        .await;
    mailer
        .notify(&Event::Reported {
            meetup_id: "brest-2026-12".into(),
        })
        .await;
    mailer.flush().await;
    assert!(server.messages().is_empty());

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("smtp://{}", closed.local_addr().unwrap());
    drop(closed);
    let dead = Mailer::new(&url, FROM).unwrap().with_retry(FAST);
    dead.notify(&registered(
        person("Aïcha Benali", "aicha@example.org"),
        RegistrationStatus::Confirmed,
        "tok",
    ))
    .await;
    // Bounded: the retries end and the message is given up.
    tokio::time::timeout(Duration::from_secs(5), dead.flush())
        .await
        .expect("retries are bounded");
}

/// The organiser's messages end to end: the function on a SQLite file, a
/// real mailer, aiosmtpd. A meetup in Guadeloupe: its times in its own
/// zone. A change goes to each registrant once (a retry of the same
/// request sends nothing), a wrong or another meetup's key sends nothing,
/// and the cancellation goes once with a calendar file that cancels.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_organisers_messages_are_sent_once_each_in_the_meetups_local_time() {
    let Some(python) = python() else { return };
    let smtp = SmtpServer::start(&python, 0);
    let dir = tempfile::tempdir().unwrap();
    let store: std::sync::Arc<dyn maillage_store::Store> = std::sync::Arc::new(
        maillage_store::sqlite::SqliteStore::open(&dir.path().join("maillage.sqlite")).unwrap(),
    );
    let mut guadeloupe = support::meetup("pointe-a-pitre", 1);
    guadeloupe.title = "Rencontre du MOOC à Pointe-à-Pitre".into();
    guadeloupe.starts_at = at("2026-12-05T18:00:00Z");
    guadeloupe.ends_at = at("2026-12-05T21:30:00Z");
    guadeloupe.location = "Médiathèque du Raizet, Les Abymes".into();
    guadeloupe.time_zone = "America/Guadeloupe".parse().unwrap();
    store
        .put_meetups(&[guadeloupe.clone(), support::meetup("lyon", 10)])
        .await
        .unwrap();
    let mailer = mailer(&smtp);
    let server = support::serve_with_sinks(
        store,
        support::config(),
        support::Recorder::default(),
        vec![std::sync::Arc::new(mailer.clone())],
    )
    .await;
    let aicha = support::register(
        &server,
        "pointe-a-pitre",
        "Aïcha Benali",
        "aicha@example.org",
    )
    .await;
    let bertrand = support::register(
        &server,
        "pointe-a-pitre",
        "Bertrand Le Goff",
        "bertrand@example.net",
    )
    .await;
    support::register(&server, "lyon", "Olga", "olga@example.org").await;
    mailer.flush().await;
    // The two confirmations and the one of Lyon.
    assert_eq!(smtp.wait_for(3, Duration::from_secs(10)).len(), 3);

    let key = support::key_of("pointe-a-pitre");
    let post = |key: String, kind: &'static str, request: &'static str| {
        let server = &server;
        async move {
            support::Call::new("POST", "/api/messages")
                .form(&[
                    ("meetup", "pointe-a-pitre"),
                    ("key", key.as_str()),
                    ("kind", kind),
                    (
                        "text",
                        "La salle change : rendez-vous salle Lacrosse, au rez-de-chaussée.",
                    ),
                    ("request", request),
                ])
                .accept_json()
                .send(server)
                .await
        }
    };
    for wrong in ["pas-la-bonne".to_string(), support::key_of("lyon")] {
        assert_eq!(post(wrong, "change", "req-change-0001").await.status, 403);
    }
    for _ in 0..2 {
        assert_eq!(
            post(key.clone(), "change", "req-change-0001").await.status,
            200
        );
    }
    mailer.flush().await;
    let messages = received(&python, &smtp, 5);
    let changes: Vec<&Value> = messages
        .iter()
        .filter(|m| {
            m["headers"]["Subject"]
                .as_str()
                .unwrap()
                .starts_with("Changement")
        })
        .collect();
    assert_eq!(changes.len(), 2, "one change each, however many requests");
    let changes: Vec<Value> = changes.into_iter().cloned().collect();
    for (message, person, other) in [
        (to(&changes, "aicha@example.org"), &aicha, "bertrand"),
        (to(&changes, "bertrand@example.net"), &bertrand, "aicha"),
    ] {
        assert_eq!(
            message["headers"]["Subject"],
            "Changement pour la rencontre : Rencontre du MOOC à Pointe-à-Pitre"
        );
        let text = message["text"].as_str().unwrap();
        for expected in [
            "> La salle change : rendez-vous salle Lacrosse, au rez-de-chaussée.",
            "samedi 5 décembre 2026, de 14 h à 17 h 30 (heure de la Guadeloupe)",
            "Médiathèque du Raizet, Les Abymes",
            "/registrations/cancel?jeton=",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
        }
        let link = person["cancel_url"]
            .as_str()
            .expect("the registration's link");
        assert!(text.contains(link), "their own link {link}: {text}");
        assert!(!message["raw"].as_str().unwrap().contains(other));
    }

    assert_eq!(
        post(key.clone(), "cancellation", "req-cancel-0001")
            .await
            .status,
        200
    );
    assert_eq!(
        post(key.clone(), "cancellation", "req-cancel-0002")
            .await
            .status,
        200
    );
    mailer.flush().await;
    let messages = received(&python, &smtp, 7);
    let cancellations: Vec<&Value> = messages
        .iter()
        .filter(|m| {
            m["headers"]["Subject"]
                .as_str()
                .unwrap()
                .starts_with("Rencontre annulée")
        })
        .collect();
    assert_eq!(cancellations.len(), 2, "one cancellation each");
    let text = cancellations[0]["text"].as_str().unwrap();
    assert!(
        text.contains("est annulée : elle n'aura pas lieu"),
        "{text}"
    );
    assert!(
        text.contains("de 14 h à 17 h 30 (heure de la Guadeloupe)"),
        "{text}"
    );
    assert!(!text.contains("jeton="), "nothing left to cancel: {text}");
    let event = &cancellations[0]["attachments"][0]["events"][0];
    assert_eq!(event["status"], "CANCELLED");
    assert_eq!(event["start"], "2026-12-05T14:00:00-04:00");
    // Olga, registered elsewhere, got only her confirmation.
    assert_eq!(
        messages
            .iter()
            .filter(|m| m["headers"]["To"].as_str().unwrap().contains("olga@"))
            .count(),
        1
    );
}

/// The automatic reminder, two days before a meetup in La Réunion (its
/// local time): not before its time, once per registrant, nothing from a
/// second run nor from another instance on the same store.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_automatic_reminder_is_sent_once_at_its_time_in_the_meetups_local_time() {
    use maillage_function::handler::{reminder_due, Function};
    let Some(python) = python() else { return };
    let smtp = SmtpServer::start(&python, 0);
    support::pin_clock();
    let dir = tempfile::tempdir().unwrap();
    let store: std::sync::Arc<dyn maillage_store::Store> = std::sync::Arc::new(
        maillage_store::sqlite::SqliteStore::open(&dir.path().join("maillage.sqlite")).unwrap(),
    );
    let mut reunion = support::meetup("saint-denis", 1);
    reunion.title = "Club de code à Saint-Denis".into();
    reunion.starts_at = at("2026-12-12T05:30:00Z");
    reunion.ends_at = at("2026-12-12T08:00:00Z");
    reunion.location = "Médiathèque François-Mitterrand, Saint-Denis".into();
    reunion.time_zone = "Indian/Reunion".parse().unwrap();
    store.put_meetups(&[reunion.clone()]).await.unwrap();
    let seated = crate::common::conformance::registration("saint-denis", 1);
    let queued = crate::common::conformance::registration("saint-denis", 2);
    for person in [&seated, &queued] {
        store.register(person.clone()).await.unwrap();
    }
    let mailer = mailer(&smtp);
    let function = |mailer: Mailer| {
        Function::new(
            store.clone(),
            support::config(),
            vec![std::sync::Arc::new(mailer)],
        )
    };
    let (one, other) = (function(mailer.clone()), function(mailer.clone()));
    // Two days before, at the meetup's own 9 h 30.
    let due = reminder_due(&reunion, 48);
    assert_eq!(due, at("2026-12-10T05:30:00Z"));
    assert_eq!(
        one.send_due_reminders(due - chrono::Duration::minutes(1))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        one.send_due_reminders(due + chrono::Duration::minutes(5))
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        one.send_due_reminders(due + chrono::Duration::hours(1))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        other
            .send_due_reminders(due + chrono::Duration::hours(2))
            .await
            .unwrap(),
        0
    );
    mailer.flush().await;
    let messages = received(&python, &smtp, 2);
    let seated_message = to(&messages, &seated.email);
    assert_eq!(
        seated_message["headers"]["Subject"],
        "Rappel : Club de code à Saint-Denis, samedi 12 décembre 2026"
    );
    let text = seated_message["text"].as_str().unwrap();
    for expected in [
        "Votre place est réservée.",
        "samedi 12 décembre 2026, de 9 h 30 à 12 h (heure de La Réunion)",
        "Médiathèque François-Mitterrand, Saint-Denis",
        &format!("jeton={}", seated.token),
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    let waiting = to(&messages, &queued.email)["text"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        waiting.contains("en position 1 sur la liste d'attente"),
        "{waiting}"
    );
    // Nothing more arrives.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(smtp.messages().len(), 2);
}

fn proposal() -> maillage_model::proposal::Proposal {
    use maillage_model::proposal::{Belongs, Proposal, ProposalStatus, ProposedPlace};
    Proposal {
        id: "proposition-0001".into(),
        region: "bretagne".into(),
        belongs: Belongs::Series {
            series: "carto-rennes".into(),
        },
        place: ProposedPlace::Known("mediatheque-brest".into()),
        title: "Cartographie participative du port".into(),
        start: "2027-01-14T18:00:00".parse().unwrap(),
        end: "2027-01-14T20:30:00".parse().unwrap(),
        capacity: 18,
        intentions: vec!["Cartographier le port".into()],
        name: "Dominique Proposante".into(),
        email: "dominique@proposant.example.net".into(),
        submitted_at: at("2026-11-22T12:00:00Z"),
        expires_at: at("2027-04-14T12:00:00Z"),
        status: ProposalStatus::Pending,
        message: None,
    }
}

#[tokio::test]
async fn a_proposer_gets_an_acknowledgement_then_the_decision_with_their_link() {
    let Some(python) = python() else { return };
    let server = SmtpServer::start(&python, 0);
    let mailer = mailer(&server);
    let sent = proposal();
    mailer
        .notify(&Event::ProposalReceived {
            proposal: sent.clone(),
            region_name: "Bretagne".into(),
        })
        .await;
    let link = "https://rencontres.example.org/bilan/#rencontre=brest-2026-12&cle=0123abcd";
    let accepted = maillage_model::proposal::Proposal {
        status: maillage_model::proposal::ProposalStatus::Accepted {
            meetup: "brest-2026-12".into(),
        },
        message: Some("Bienvenue dans le réseau !".into()),
        ..sent.clone()
    };
    mailer
        .notify(&Event::ProposalDecided {
            proposal: accepted,
            region_name: "Bretagne".into(),
            accepted: Some((meetup(), link.into())),
        })
        .await;
    let declined = maillage_model::proposal::Proposal {
        id: "proposition-0002".into(),
        email: "camille@proposant.example.net".into(),
        name: "Camille".into(),
        status: maillage_model::proposal::ProposalStatus::Declined,
        message: Some("Le lieu n'a pas de salle libre en janvier.".into()),
        ..sent
    };
    mailer
        .notify(&Event::ProposalDecided {
            proposal: declined,
            region_name: "Bretagne".into(),
            accepted: None,
        })
        .await;
    mailer.flush().await;
    let messages = received(&python, &server, 3);
    let subjects: Vec<&str> = messages
        .iter()
        .map(|m| m["headers"]["Subject"].as_str().unwrap())
        .collect();
    let text_of = |subject: &str| -> String {
        let found = messages
            .iter()
            .find(|m| m["headers"]["Subject"] == subject)
            .unwrap_or_else(|| panic!("no {subject:?} in {subjects:?}"));
        found["text"].as_str().unwrap().to_string()
    };
    let thanks = text_of("Votre proposition de rencontre : Cartographie participative du port");
    assert!(thanks.contains("Bonjour Dominique Proposante"), "{thanks}");
    assert!(
        thanks.contains("La coordination de la région Bretagne"),
        "{thanks}"
    );
    assert!(
        thanks.contains("jeudi 14 janvier 2027, de 18 h à 20 h 30"),
        "{thanks}"
    );
    let yes = text_of("Votre rencontre est acceptée : Atelier code ; Scratch, Python & co");
    assert!(yes.contains(link), "the organiser's link: {yes}");
    assert!(yes.contains("Bienvenue dans le réseau !"), "{yes}");
    assert!(yes.contains(&meetup().url), "{yes}");
    let no = messages
        .iter()
        .find(|m| m["headers"]["To"].as_str().unwrap().contains("camille@"))
        .expect("the declined proposer's message");
    let no = no["text"].as_str().unwrap();
    assert!(no.contains("ne peut pas retenir"), "{no}");
    assert!(
        no.contains("Le lieu n'a pas de salle libre en janvier."),
        "{no}"
    );
    assert!(!no.contains("cle="), "no link when declined");
}
