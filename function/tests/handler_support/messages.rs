//! The organiser writes to the registrants from their page (with and
//! without JavaScript), a retry sends nothing twice, and a cancellation
//! closes the meetup: one scenario, run on each store.

use super::{key_of, register, Call, Reply, Server};
use maillage_model::events::Event;
use maillage_store::MessageKind;

/// What the handler handed to the mail: (kind, recipients' emails) of each
/// message event.
fn sent(server: &Server) -> Vec<(MessageKind, Vec<String>)> {
    server
        .events
        .events()
        .into_iter()
        .filter_map(|event| match event {
            Event::Messaged {
                kind, recipients, ..
            } => Some((
                kind,
                recipients
                    .into_iter()
                    .map(|(person, _)| person.email)
                    .collect(),
            )),
            _ => None,
        })
        .collect()
}

fn fields<'a>(key: &'a str, kind: &'a str, request: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("meetup", "brest"),
        ("key", key),
        ("kind", kind),
        (
            "text",
            "Nous changeons de salle : rendez-vous salle 2,\r\nau premier étage.",
        ),
        ("request", request),
    ]
}

async fn post_json(server: &Server, fields: &[(&str, &str)]) -> Reply {
    Call::new("POST", "/api/messages")
        .form(fields)
        .accept_json()
        .send(server)
        .await
}

/// The request token the page's message form carries.
fn request_in(page: &str) -> String {
    let marker = "name=\"request\" value=\"";
    let start = page.find(marker).expect("the page has a message form") + marker.len();
    page[start..][..page[start..].find('"').unwrap()].to_string()
}

/// On the test meetup `brest` (two seats): three registrants, the third
/// waiting, and one on `lyon`.
pub(crate) async fn messages_to_registrants(server: &Server) {
    for (name, email) in [
        ("Aïcha", "aicha@exemple.org"),
        ("Bastien", "bastien@exemple.org"),
        ("Chloé", "chloe@exemple.org"),
    ] {
        register(server, "brest", name, email).await;
    }
    register(server, "lyon", "Olga", "olga@exemple.org").await;
    let everyone = vec![
        "aicha@exemple.org".to_string(),
        "bastien@exemple.org".to_string(),
        "chloe@exemple.org".to_string(),
    ];
    let key = key_of("brest");

    // A wrong key, another meetup's key, a bad kind, no text: nothing sent.
    let mut no_text = fields(&key, "change", "req-change-0001");
    no_text[3].1 = " ";
    for (fields, status, code) in [
        (
            fields("pas-la-bonne", "change", "req-change-0001"),
            403,
            "key_invalid",
        ),
        (
            fields(&key_of("lyon"), "change", "req-change-0001"),
            403,
            "key_invalid",
        ),
        (
            fields(&key, "annonce", "req-change-0001"),
            400,
            "kind_invalid",
        ),
        (no_text, 400, "text_invalid"),
        (fields(&key, "change", ""), 400, "request_invalid"),
    ] {
        let refused = post_json(server, &fields).await;
        assert_eq!(
            (refused.status, refused.code().as_str()),
            (status, code),
            "{}",
            refused.body
        );
    }
    assert_eq!(sent(server), vec![]);

    // With JavaScript: the change goes to everyone registered, waiting
    // list included, once; the same request again sends nothing.
    let change = fields(&key, "change", "req-change-0001");
    let first = post_json(server, &change).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert!(
        first.json()["message"]
            .as_str()
            .unwrap()
            .contains("aux 3 personnes inscrites"),
        "{}",
        first.body
    );
    let again = post_json(server, &change).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert!(again.json()["message"]
        .as_str()
        .unwrap()
        .contains("déjà parti"));
    assert_eq!(sent(server), vec![(MessageKind::Change, everyone.clone())]);
    let Some(Event::Messaged {
        text, recipients, ..
    }) = server.events.events().pop()
    else {
        panic!("the last event is the message");
    };
    assert_eq!(
        text,
        "Nous changeons de salle : rendez-vous salle 2,\nau premier étage."
    );
    assert!(recipients
        .iter()
        .all(|(_, link)| link.contains("/registrations/cancel?jeton=")));

    // Without JavaScript: the list's page carries the form, with its own
    // request token; the form posted twice sends once.
    let page = Call::new("POST", "/api/registrants")
        .form(&[("meetup", "brest"), ("key", &key)])
        .send(server)
        .await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("action=\"https://rencontres.example.org/api/messages\""),
        "{}",
        page.body
    );
    let request = request_in(&page.body);
    let reminder = fields(&key, "reminder", &request);
    for expected in ["aux 3 personnes inscrites", "déjà parti"] {
        let answer = Call::new("POST", "/api/messages")
            .form(&reminder)
            .send(server)
            .await;
        assert_eq!(answer.status, 200);
        assert!(answer.body.contains("<html lang=\"fr\">"));
        assert!(
            answer.body.contains(expected),
            "{expected}: {}",
            answer.body
        );
        // The page answered has a new form, with a new token.
        assert_ne!(request_in(&answer.body), request);
    }
    assert_eq!(sent(server).len(), 2);

    // The cancellation: sent once, the meetup closed to registrations.
    let cancellation = fields(&key, "cancellation", "req-cancel-0001");
    let answer = post_json(server, &cancellation).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(answer.json()["message"]
        .as_str()
        .unwrap()
        .contains("Rencontre annulée"));
    for request in ["req-cancel-0001", "req-cancel-0002"] {
        let again = post_json(server, &fields(&key, "cancellation", request)).await;
        assert!(again.json()["message"]
            .as_str()
            .unwrap()
            .contains("déjà annulée"));
    }
    let messages = sent(server);
    assert_eq!(messages.len(), 3);
    assert_eq!(messages[2], (MessageKind::Cancellation, everyone));
    assert!(server.events.events().last().unwrap().changes_store());
    let refused = Call::new("POST", "/api/registrations")
        .form(&super::person("brest", "Denis", "denis@exemple.org"))
        .accept_json()
        .send(server)
        .await;
    assert_eq!(
        (refused.status, refused.code().as_str()),
        (409, "meetup_cancelled")
    );
    assert!(refused.json()["error"]["message"]
        .as_str()
        .unwrap()
        .contains("est annulée"));
    assert!(server.store.aggregate("brest").await.unwrap().cancelled);
    let late = post_json(server, &fields(&key, "reminder", "req-reminder-0009")).await;
    assert_eq!(
        (late.status, late.code().as_str()),
        (409, "meetup_cancelled")
    );
    assert_eq!(sent(server).len(), 3);
    // Nobody on another meetup heard of any of it.
    assert!(sent(server)
        .iter()
        .all(|(_, to)| !to.contains(&"olga@exemple.org".to_string())));
}
