//! The handler over real HTTP on loopback, on a fresh SQLite file per test:
//! registrations, refusals, validation messages, malformed bodies and the
//! defences, cancellations with promotion, organisers' reports and lists.

#![cfg(feature = "sqlite")]

use crate::support;

use maillage_function::handler::FunctionConfig;
use maillage_model::events::Event;
use maillage_store::RegistrationStatus;
use serde_json::json;
use support::{config, key_of, person, register, start, start_with_emails, Call, SITE};

// ---- Registration ---------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registration_confirmed_then_waiting_then_idempotent() {
    let server = start(config()).await;
    let first = register(&server, "brest", "Aïcha", "aicha@exemple.org").await;
    assert_eq!(first["status"], "confirmed");
    assert_eq!(first["position"], serde_json::Value::Null);
    assert_eq!(first["meetup"], "brest");
    let cancel = first["cancel_url"].as_str().unwrap();
    assert!(
        cancel.starts_with(&format!("{SITE}/api/registrations/cancel?jeton=")),
        "{cancel}"
    );
    assert!(first["message"].as_str().unwrap().contains("réservée"));
    // The figures after the registration, for the page to show at once.
    assert_eq!(
        (&first["seats_left"], &first["waiting"]),
        (&json!(1), &json!(0))
    );
    register(&server, "brest", "Bastien", "bastien@exemple.org").await;
    let third = register(&server, "brest", "Chloé", "chloe@exemple.org").await;
    assert_eq!(third["status"], "waiting");
    assert_eq!(third["position"], 1);
    assert_eq!(
        (&third["seats_left"], &third["waiting"]),
        (&json!(0), &json!(1))
    );
    assert!(third["message"]
        .as_str()
        .unwrap()
        .contains("liste d'attente"));

    // The same email again (other case, spaces): same answer, no new seat,
    // and the private link is not handed out a second time.
    let again = Call::new("POST", "/api/registrations")
        .form(&person("brest", "Aïcha", "  AICHA@exemple.org "))
        .accept_json()
        .send(&server)
        .await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.json()["status"], "confirmed");
    assert_eq!(again.json()["cancel_url"], serde_json::Value::Null);
    assert!(
        again.json()["message"]
            .as_str()
            .unwrap()
            .contains("reste celui reçu la première fois"),
        "{}",
        again.body
    );
    let aggregate = server.store.aggregate("brest").await.unwrap();
    assert_eq!((aggregate.confirmed, aggregate.waiting), (2, 1));

    // One Registered event per new registration, with the right status,
    // and the one made again, with the first registration's link.
    let events = server.events.events();
    assert_eq!(events.len(), 4, "{events:?}");
    match &events[3] {
        Event::RegisteredAgain {
            email,
            status,
            cancel_url: link,
            ..
        } => {
            assert_eq!(email, "aicha@exemple.org");
            assert_eq!(*status, RegistrationStatus::Confirmed);
            assert_eq!(link, cancel);
        }
        other => panic!("{other:?}"),
    }
    match &events[2] {
        Event::Registered {
            meetup,
            person,
            status,
            cancel_url,
        } => {
            assert_eq!(meetup.id, "brest");
            assert_eq!(person.email, "chloe@exemple.org");
            assert_eq!(*status, RegistrationStatus::Waiting { position: 1 });
            assert!(cancel_url.contains("jeton="));
        }
        other => panic!("{other:?}"),
    }
}

/// A person whose first answer never arrived registers again: the answer
/// shows their registration and says the link was sent to their address;
/// the link is never in the answer itself.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registration_made_again_sends_the_link_to_the_address() {
    let server = start_with_emails(config()).await;
    let first = register(&server, "brest", "Aïcha", "aicha@exemple.org").await;
    register(&server, "brest", "Bastien", "bastien@exemple.org").await;
    let queued = register(&server, "brest", "Chloé", "chloe@exemple.org").await;
    assert_eq!(queued["position"], 1);
    for (email, status, position) in [
        ("aicha@exemple.org", "confirmed", serde_json::Value::Null),
        ("chloe@exemple.org", "waiting", serde_json::json!(1)),
    ] {
        let again = Call::new("POST", "/api/registrations")
            .form(&person("brest", "Quelqu'un", email))
            .accept_json()
            .send(&server)
            .await;
        assert_eq!(again.status, 200, "{}", again.body);
        let body = again.json();
        assert_eq!(body["status"], status);
        assert_eq!(body["position"], position);
        assert_eq!(body["cancel_url"], serde_json::Value::Null);
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("Nous venons de vous renvoyer par courriel votre lien d'annulation"),
            "{}",
            again.body
        );
    }
    let again: Vec<_> = server
        .events
        .events()
        .into_iter()
        .filter_map(|event| match event {
            Event::RegisteredAgain {
                email, cancel_url, ..
            } => Some((email, cancel_url)),
            _ => None,
        })
        .collect();
    assert_eq!(
        again,
        [
            (
                "aicha@exemple.org".to_string(),
                first["cancel_url"].as_str().unwrap().to_string()
            ),
            (
                "chloe@exemple.org".to_string(),
                queued["cancel_url"].as_str().unwrap().to_string()
            ),
        ]
    );
    // The HTML form gets the function's page, without the link.
    let html = Call::new("POST", "/api/registrations")
        .form(&person("brest", "Aïcha", "aicha@exemple.org"))
        .send(&server)
        .await;
    assert_eq!(html.status, 200);
    assert!(
        html.body.contains("Vous étiez déjà inscrit·e"),
        "{}",
        html.body
    );
    assert!(!html.body.contains("jeton"), "{}", html.body);
}

/// The result pages come from the configuration (`MAILLAGE_RESULT_PAGES`,
/// or the site's `[extra.result_pages]` in serve).
#[tokio::test]
async fn form_posts_go_to_the_configured_result_pages() {
    let config = FunctionConfig::from_lookup(|name| match name {
        "MAILLAGE_SITE_ORIGIN" => Some(SITE.to_string()),
        "MAILLAGE_RATE_LIMIT" => Some("0".to_string()),
        "MAILLAGE_RESULT_PAGES" => Some("registered=/merci/".to_string()),
        _ => None,
    })
    .unwrap();
    let server = start(config).await;
    let reply = Call::new("POST", "/api/registrations")
        .form(&person(
            "brest",
            "Gaëlle Morvan",
            "gaelle.morvan@exemple.org",
        ))
        .send(&server)
        .await;
    // Without JavaScript, the function's own page (it alone can show the
    // private link) leads to the configured page on what comes next.
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert!(
        reply.body.contains(&format!("href=\"{SITE}/merci/\"")),
        "{}",
        reply.body
    );
    let error = FunctionConfig::from_lookup(|name| {
        (name == "MAILLAGE_RESULT_PAGES").then(|| "registered=merci".to_string())
    })
    .unwrap_err();
    assert!(error.contains("MAILLAGE_RESULT_PAGES"), "{error}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_javascript_the_answer_shows_the_cancellation_link() {
    let server = start(config()).await;
    let mut pages = Vec::new();
    for (name, email) in [
        ("Dominique Secret", "dominique.secret@exemple.org"),
        ("Éloïse Secret", "eloise.secret@exemple.org"),
        ("Fanny Secret", "fanny.secret@exemple.org"),
    ] {
        let reply = Call::new("POST", "/api/registrations")
            .form(&person("brest", name, email))
            .send(&server)
            .await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        assert!(reply.header("content-type").starts_with("text/html"));
        assert_eq!(reply.header("referrer-policy"), "no-referrer");
        pages.push(reply.body);
    }
    assert!(
        pages[0].contains("<h1>Inscription confirmée</h1>"),
        "{}",
        pages[0]
    );
    assert!(pages[2].contains("<h1>Vous êtes sur la liste d'attente</h1>"));
    assert!(pages[2].contains("n<sup>o</sup>\u{a0}1 sur la liste d'attente"));
    for page in &pages {
        // The site's header, the private link, the way back to the meetup.
        assert!(page.contains(&format!("<a class=\"brand\" href=\"{SITE}/\">Maillage</a>")));
        let link = page
            .split("class=\"cancel-link\" href=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("a cancellation link");
        let cancel = Call::new("GET", link.strip_prefix(SITE).unwrap())
            .send(&server)
            .await;
        assert_eq!(cancel.status, 200, "{link}");
        assert!(cancel.body.contains("Annuler votre inscription"));
        assert!(page.contains("Revenir à la page de la rencontre"));
        // No promise of a message when emails are off.
        assert!(page.contains("aucun message ne vous le renverra"));
        let lower = page.to_lowercase();
        assert!(!lower.contains("secret") && !lower.contains("exemple.org"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_bodies_are_accepted() {
    let server = start(config()).await;
    let reply = Call::new("POST", "/api/registrations")
        .json_body(json!({
            "meetup": "lyon", "name": "Gaël", "email": "gael@exemple.org",
            "role": "speaker", "need": "Une table basse", "consent": true
        }))
        .send(&server)
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.json()["status"], "confirmed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_refusal_has_its_code_and_french_reason() {
    let server = start(config()).await;
    for (meetup, status, code, words) in [
        ("inconnue", 404, "unknown_meetup", "n'existe pas"),
        ("annulee", 409, "meetup_cancelled", "annulée"),
        ("complete", 409, "meetup_full", "complète"),
        (
            "pas-encore",
            409,
            "registration_not_open",
            "mardi 1er décembre 2026 à 9 h",
        ),
        (
            "close",
            409,
            "registration_closed",
            "closes depuis le vendredi 20 novembre 2026 à 19 h",
        ),
        ("passee", 409, "meetup_past", "déjà eu lieu"),
    ] {
        let reply = Call::new("POST", "/api/registrations")
            .form(&person(meetup, "Hugo", "hugo@exemple.org"))
            .accept_json()
            .send(&server)
            .await;
        assert_eq!(reply.status, status, "{meetup}: {}", reply.body);
        assert_eq!(reply.code(), code);
        let message = reply.json()["error"]["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(message.contains(words), "{meetup}: {message}");
    }
    assert!(server.events.events().is_empty());
}

/// A label, the fields that differ from a valid form, the field in error
/// and words of its message.
type Case<'a> = (&'a str, Vec<(&'a str, &'a str)>, &'a str, &'a str);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_validation_rule_has_its_message() {
    let server = start(config()).await;
    let long = |n| "x".repeat(n);
    let (name_121, structure_121, need_1001, email_255) = (
        long(121),
        long(121),
        long(1001),
        format!("{}@exemple.org", long(243)),
    );
    let cases: Vec<Case> = vec![
        (
            "meetup",
            vec![("meetup", "")],
            "meetup",
            "Indiquez la rencontre",
        ),
        (
            "meetup",
            vec![("meetup", "Brest 2026")],
            "meetup",
            "n'est pas valide",
        ),
        (
            "name",
            vec![("name", "  ")],
            "name",
            "Indiquez votre prénom",
        ),
        ("name", vec![("name", &name_121)], "name", "120 caractères"),
        (
            "name",
            vec![("name", "Ana\u{7}")],
            "name",
            "caractères non acceptés",
        ),
        (
            "email",
            vec![("email", "")],
            "email",
            "Indiquez votre adresse",
        ),
        (
            "email",
            vec![("email", "pas-une-adresse")],
            "email",
            "prenom@exemple.fr",
        ),
        ("email", vec![("email", "a@b")], "email", "n'est pas valide"),
        ("email", vec![("email", &email_255)], "email", "trop longue"),
        (
            "role",
            vec![("role", "admin")],
            "role",
            "Choisissez un rôle",
        ),
        (
            "structure",
            vec![("structure", &structure_121)],
            "structure",
            "120 caractères",
        ),
        (
            "need",
            vec![("need", &need_1001)],
            "need",
            "1 000 caractères",
        ),
        (
            "consent",
            vec![("consent", "")],
            "consent",
            "Cochez la case",
        ),
        (
            "consent",
            vec![("consent", "non")],
            "consent",
            "Cochez la case",
        ),
    ];
    for (label, overrides, field, words) in cases {
        let mut fields = person("lyon", "Inès", "ines@exemple.org");
        for (name, value) in &overrides {
            fields.retain(|(n, _)| n != name);
            fields.push((name, value));
        }
        let reply = Call::new("POST", "/api/registrations")
            .form(&fields)
            .accept_json()
            .send(&server)
            .await;
        assert_eq!(reply.status, 422, "{label}: {}", reply.body);
        assert_eq!(reply.code(), "invalid_fields");
        let message = reply.field_error(field);
        assert!(message.contains(words), "{label}: {message}");
        assert_eq!(
            reply.json()["error"]["fields"].as_object().unwrap().len(),
            1,
            "{label}: only the wrong field: {}",
            reply.body
        );
    }
    // An empty form lists every required field at once.
    let empty = Call::new("POST", "/api/registrations")
        .form(&[])
        .accept_json()
        .send(&server)
        .await;
    let fields = empty.json()["error"]["fields"].clone();
    for field in ["meetup", "name", "email", "consent"] {
        assert!(fields.get(field).is_some(), "{field}: {fields}");
    }
    assert_eq!(server.store.aggregate("lyon").await.unwrap().confirmed, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_javascript_errors_are_a_french_page_with_a_way_back() {
    let server = start(config()).await;
    let mut fields = person("lyon", "", "pas-une-adresse");
    fields.retain(|(n, _)| *n != "consent");
    let reply = Call::new("POST", "/api/registrations")
        .form(&fields)
        .header("referer", &format!("{SITE}/rencontres/lyon/"))
        .send(&server)
        .await;
    assert_eq!(reply.status, 422);
    assert!(reply.header("content-type").starts_with("text/html"));
    let html = &reply.body;
    assert!(html.contains("<html lang=\"fr\">"), "{html}");
    assert!(html.contains("<h1>Votre envoi n'a pas abouti</h1>"));
    assert!(html.contains("Indiquez votre prénom ou un pseudonyme."));
    assert!(html.contains("prenom@exemple.fr"));
    assert!(html.contains("Cochez la case"));
    assert!(html.contains(&format!("href=\"{SITE}/rencontres/lyon/\"")));
    assert!(
        !html.contains("pas-une-adresse"),
        "what was typed is not echoed"
    );
    // A referer elsewhere is not trusted: back to the meetup page.
    let reply = Call::new("POST", "/api/registrations")
        .form(&fields)
        .header("referer", "https://ailleurs.example.com/piege")
        .send(&server)
        .await;
    assert!(!reply.body.contains("ailleurs"));
    assert!(reply
        .body
        .contains(&format!("href=\"{SITE}/rencontres/lyon/\"")));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_javascript_the_way_back_follows_the_sites_folders() {
    let server = start(FunctionConfig {
        urls: maillage_model::urls::SiteUrls::from_pairs("meetups=/evenements/").unwrap(),
        ..config()
    })
    .await;
    let mut fields = person("lyon", "Camille", "camille@example.org");
    fields.retain(|(n, _)| *n != "consent");
    let reply = Call::new("POST", "/api/registrations")
        .form(&fields)
        .send(&server)
        .await;
    assert_eq!(reply.status, 422);
    assert!(
        reply
            .body
            .contains(&format!("href=\"{SITE}/evenements/lyon/\"")),
        "{}",
        reply.body
    );
    assert!(!reply.body.contains("/rencontres/"), "{}", reply.body);
}

// ---- Defences -------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_and_malformed_bodies_are_refused() {
    let server = start(config()).await;
    let big = format!("meetup=lyon&need={}", "x".repeat(16 * 1024));
    let reply = Call::new("POST", "/api/registrations")
        .raw("application/x-www-form-urlencoded", big.as_bytes())
        .accept_json()
        .send(&server)
        .await;
    assert_eq!(reply.status, 413);
    assert_eq!(reply.code(), "body_too_large");
    let just_fits = format!("meetup=lyon&x={}", "y".repeat(16 * 1024 - 14));
    let reply = Call::new("POST", "/api/registrations")
        .raw("application/x-www-form-urlencoded", just_fits.as_bytes())
        .accept_json()
        .send(&server)
        .await;
    assert_eq!(reply.status, 422, "16 KiB exactly is read");

    for (content_type, body, status, code) in [
        (
            "application/x-www-form-urlencoded",
            &b"name=%E9t%E9"[..],
            400,
            "malformed_body",
        ),
        (
            "application/x-www-form-urlencoded",
            b"name=100%",
            400,
            "malformed_body",
        ),
        (
            "application/x-www-form-urlencoded",
            b"name=%zz",
            400,
            "malformed_body",
        ),
        ("application/json", b"{\"name\": ", 400, "malformed_body"),
        ("application/json", b"[\"lyon\"]", 400, "malformed_body"),
        (
            "application/json",
            b"{\"name\": {\"a\": 1}}",
            400,
            "malformed_body",
        ),
        ("text/plain", b"meetup=lyon", 415, "unsupported_media_type"),
        (
            "multipart/form-data; boundary=x",
            b"--x--",
            415,
            "unsupported_media_type",
        ),
    ] {
        let reply = Call::new("POST", "/api/registrations")
            .raw(content_type, body)
            .accept_json()
            .send(&server)
            .await;
        assert_eq!(
            reply.status, status,
            "{content_type} {body:?}: {}",
            reply.body
        );
        assert_eq!(reply.code(), code);
        assert!(!reply.json()["error"]["message"]
            .as_str()
            .unwrap()
            .is_empty());
    }
    // Unknown routes and wrong methods.
    let reply = Call::new("POST", "/api/inconnu")
        .accept_json()
        .send(&server)
        .await;
    assert_eq!((reply.status, reply.code().as_str()), (404, "not_found"));
    let reply = Call::new("GET", "/api/registrations")
        .accept_json()
        .send(&server)
        .await;
    assert_eq!(reply.status, 405);
    assert_eq!(reply.code(), "method_not_allowed");
    assert_eq!(reply.header("allow"), "POST");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_filled_honeypot_gets_a_believable_answer_and_nothing_is_stored() {
    let server = start(config()).await;
    let mut fields = person("lyon", "Robot", "robot@exemple.org");
    fields.retain(|(n, _)| *n != "website");
    fields.push(("website", "https://spam.example.com"));
    let reply = Call::new("POST", "/api/registrations")
        .form(&fields)
        .accept_json()
        .send(&server)
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.json()["status"], "confirmed");
    assert!(reply.json()["cancel_url"]
        .as_str()
        .unwrap()
        .contains("jeton="));
    let form = Call::new("POST", "/api/registrations")
        .form(&fields)
        .send(&server)
        .await;
    assert_eq!(form.status, 201);
    assert!(form.body.contains("Inscription confirmée"));
    assert!(form.body.contains("class=\"cancel-link\""));
    assert_eq!(server.store.aggregate("lyon").await.unwrap().confirmed, 0);
    assert!(server.store.registrants("lyon").await.unwrap().is_empty());
    assert!(server.events.events().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_client_has_its_own_rate_limit() {
    let server = start(FunctionConfig {
        rate_limit_per_minute: 3,
        ..config()
    })
    .await;
    for _ in 0..3 {
        let reply = Call::new("POST", "/api/registrations")
            .form(&[])
            .accept_json()
            .from("127.0.0.2")
            .send(&server)
            .await;
        assert_eq!(reply.status, 422);
    }
    let limited = Call::new("POST", "/api/registrations")
        .form(&[])
        .accept_json()
        .from("127.0.0.2")
        .send(&server)
        .await;
    assert_eq!(limited.status, 429, "{}", limited.body);
    assert_eq!(limited.code(), "rate_limited");
    assert_eq!(limited.header("retry-after"), "20");
    // Another address is not affected.
    let other = Call::new("POST", "/api/registrations")
        .form(&[])
        .accept_json()
        .from("127.0.0.3")
        .send(&server)
        .await;
    assert_eq!(other.status, 422);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cors_only_for_the_site_origin() {
    let server = start(config()).await;
    let preflight = |origin: &str| {
        Call::new("OPTIONS", "/api/registrations")
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
    };
    let allowed = preflight(SITE).send(&server).await;
    assert_eq!(allowed.status, 200);
    assert_eq!(allowed.header("access-control-allow-origin"), SITE);
    assert!(allowed
        .header("access-control-allow-methods")
        .contains("POST"));
    assert!(allowed
        .header("access-control-allow-headers")
        .to_ascii_lowercase()
        .contains("content-type"));
    // Another origin's preflight grants nothing: without the origin's
    // header, browsers keep the function's answers from its pages.
    let refused = preflight("https://ailleurs.example.com")
        .send(&server)
        .await;
    assert_eq!(refused.header("access-control-allow-origin"), "");

    let post = |origin: &str| {
        Call::new("POST", "/api/registrations")
            .form(&person("lyon", "Jade", "jade@exemple.org"))
            .accept_json()
            .header("origin", origin)
    };
    let from_site = post(SITE).send(&server).await;
    assert_eq!(from_site.status, 201);
    assert_eq!(from_site.header("access-control-allow-origin"), SITE);
    assert!(from_site
        .header("vary")
        .to_ascii_lowercase()
        .contains("origin"));
    let elsewhere = post("https://ailleurs.example.com").send(&server).await;
    assert_eq!(elsewhere.header("access-control-allow-origin"), "");
}

// ---- Cancellation ---------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancellation_page_then_post_promotes_the_next_person() {
    let server = start(config()).await;
    let first = register(&server, "brest", "Karim", "karim@exemple.org").await;
    register(&server, "brest", "Léa", "lea@exemple.org").await;
    register(&server, "brest", "Malo", "malo@exemple.org").await;
    let cancel_url = first["cancel_url"].as_str().unwrap();
    let path = cancel_url.strip_prefix(SITE).unwrap();
    let token = cancel_url.split_once("jeton=").unwrap().1.to_string();

    let page = Call::new("GET", path).send(&server).await;
    assert_eq!(page.status, 200);
    assert!(page.header("content-type").starts_with("text/html"));
    assert_eq!(page.header("referrer-policy"), "no-referrer");
    assert!(page
        .header("content-security-policy")
        .contains("default-src 'none'"));
    let html = &page.body;
    assert!(html.contains("<html lang=\"fr\">"));
    assert!(html.contains("<main"));
    assert!(html.contains("<h1>Annuler votre inscription ?</h1>"));
    assert!(html.contains("Rencontre brest"));
    assert!(html.contains("samedi 5 décembre 2026, de 10 h à 13 h"));
    assert!(html.contains("method=\"post\" action=\"/api/registrations/cancel\""));
    assert!(html.contains(&format!("name=\"jeton\" value=\"{token}\"")));
    assert!(
        !html.contains("Karim") && !html.contains("karim@"),
        "no personal data"
    );
    assert_eq!(
        server.store.aggregate("brest").await.unwrap().confirmed,
        2,
        "a GET changes nothing"
    );

    let posted = Call::new("POST", "/api/registrations/cancel")
        .form(&[("jeton", &token)])
        .send(&server)
        .await;
    assert_eq!(posted.status, 303, "{}", posted.body);
    assert_eq!(
        posted.header("location"),
        format!("{SITE}/annulation/confirmee/?rencontre=brest")
    );
    let aggregate = server.store.aggregate("brest").await.unwrap();
    assert_eq!((aggregate.confirmed, aggregate.waiting), (2, 0));
    let events = server.events.events();
    assert_eq!(
        events[3],
        Event::Cancelled {
            meetup_id: "brest".into()
        }
    );
    match &events[4] {
        Event::Promoted { meetup, person } => {
            assert_eq!(meetup.id, "brest");
            assert_eq!(person.email, "malo@exemple.org");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(events.len(), 5);

    // Again: already cancelled, same answer, no event; the page says so.
    let again = Call::new("POST", "/api/registrations/cancel")
        .json_body(json!({"jeton": token}))
        .send(&server)
        .await;
    assert_eq!(again.status, 200);
    assert_eq!(again.json()["status"], "cancelled");
    assert_eq!(server.events.events().len(), 5);
    let page = Call::new("GET", path).send(&server).await;
    assert!(
        page.body.contains("Inscription déjà annulée"),
        "{}",
        page.body
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_cancellation_tokens() {
    let server = start(config()).await;
    let page = Call::new("GET", "/api/registrations/cancel?jeton=0123456789abcdef")
        .send(&server)
        .await;
    assert_eq!(page.status, 404);
    assert!(page.body.contains("Lien d'annulation inconnu"));
    let page = Call::new("GET", "/api/registrations/cancel")
        .send(&server)
        .await;
    assert_eq!(page.status, 404);
    let post = Call::new("POST", "/api/registrations/cancel")
        .form(&[("jeton", "<script>")])
        .accept_json()
        .send(&server)
        .await;
    assert_eq!((post.status, post.code().as_str()), (404, "unknown_token"));
}

// ---- Reports and the organiser's list ------------------------------------

fn report_fields<'a>(meetup: &'a str, key: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("meetup", meetup),
        ("key", key),
        ("attendance", "17"),
        (
            "outcome",
            "Avant <script>window.__pwned = 1</script> après <img src=x onerror=\"alert(2)\">",
        ),
        (
            "went_well",
            "[cliquez ici](javascript:alert(3)) et <a href=\"javascript:alert(4)\">là</a> **bien**",
        ),
        ("problems", "Un souci de micro."),
        ("improvements", "- Tester le micro la veille."),
        (
            "links",
            "Piège | javascript:alert(5)\nNotes | https://pad.example.org/p/notes",
        ),
        ("private_notes", "Une attestation demandée."),
        ("public", "attendance"),
        ("public", "outcome"),
        ("public", "went_well"),
        ("public", "improvements"),
        ("public", "links"),
    ]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_need_the_right_key() {
    let server = start(config()).await;
    let key = key_of("bilan");
    for (key, status, code) in [
        ("", 401, "key_missing"),
        ("pas-la-bonne-cle", 403, "key_invalid"),
        (key_of("lyon").as_str(), 403, "key_invalid"),
    ] {
        let reply = Call::new("POST", "/api/reports")
            .form(&report_fields("bilan", key))
            .accept_json()
            .send(&server)
            .await;
        assert_eq!(
            (reply.status, reply.code().as_str()),
            (status, code),
            "{}",
            reply.body
        );
        assert!(!reply.field_error("key").is_empty());
    }
    // Without JavaScript: an error status and a French page.
    let reply = Call::new("POST", "/api/reports")
        .form(&report_fields("bilan", "pas-la-bonne-cle"))
        .send(&server)
        .await;
    assert_eq!(reply.status, 403);
    assert!(reply.body.contains("ne correspond pas"));
    assert!(reply.body.contains(&format!("href=\"{SITE}/bilan/\"")));
    // A meetup without a key hash takes no report.
    let reply = Call::new("POST", "/api/reports")
        .form(&report_fields("sans-cle", "quoi-que-ce-soit"))
        .accept_json()
        .send(&server)
        .await;
    assert_eq!(reply.status, 403);
    assert!(server
        .store
        .aggregate("bilan")
        .await
        .unwrap()
        .report
        .is_none());
    assert!(server.events.events().is_empty());

    let reply = Call::new("POST", "/api/reports")
        .form(&report_fields("bilan", &key))
        .send(&server)
        .await;
    assert_eq!(reply.status, 303, "{}", reply.body);
    assert_eq!(
        reply.header("location"),
        format!("{SITE}/bilan/envoye/?rencontre=bilan")
    );
    assert_eq!(
        server.events.events(),
        vec![Event::Reported {
            meetup_id: "bilan".into()
        }]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_report_parts_are_sanitised_and_private_ones_kept_out() {
    let server = start(config()).await;
    let reply = Call::new("POST", "/api/reports")
        .form(&report_fields("bilan", &key_of("bilan")))
        .accept_json()
        .send(&server)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json()["dropped_links"], 1);
    let report = server
        .store
        .aggregate("bilan")
        .await
        .unwrap()
        .report
        .unwrap();
    assert_eq!(report.attendance, Some(17));
    let outcome = report.outcome.unwrap();
    assert!(
        !outcome.contains("<script") && !outcome.contains("<img"),
        "{outcome}"
    );
    assert!(
        outcome.contains("&lt;script>window.__pwned = 1&lt;/script>"),
        "{outcome}"
    );
    let went_well = report.went_well.unwrap();
    assert!(
        !went_well.to_lowercase().contains("](javascript"),
        "{went_well}"
    );
    assert!(!went_well.contains("<a "), "{went_well}");
    assert!(went_well.starts_with("cliquez ici et "), "{went_well}");
    assert!(went_well.contains("**bien**"));
    assert_eq!(report.problems, None, "not ticked for publication");
    assert_eq!(
        report.improvements.as_deref(),
        Some("- Tester le micro la veille.")
    );
    assert_eq!(report.links.len(), 1);
    assert_eq!(report.links[0].url, "https://pad.example.org/p/notes");
    let public = serde_json::to_string(&server.store.aggregates().await.unwrap()).unwrap();
    assert!(!public.contains("attestation") && !public.contains("souci de micro"));

    // Corrected: sent again, the new version replaces the first.
    let reply = Call::new("POST", "/api/reports")
        .json_body(json!({
            "meetup": "bilan", "key": key_of("bilan"),
            "outcome": "Version corrigée.", "public": ["outcome"]
        }))
        .send(&server)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let report = server
        .store
        .aggregate("bilan")
        .await
        .unwrap()
        .report
        .unwrap();
    assert_eq!(report.outcome.as_deref(), Some("Version corrigée."));
    assert_eq!(report.attendance, None);
    assert_eq!(server.events.events().len(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn report_fields_are_checked() {
    let server = start(config()).await;
    let key = key_of("bilan");
    let long = "x".repeat(12_001);
    for (field, value, words) in [
        ("attendance", "dix-sept", "entre 0 et 1 000"),
        ("attendance", "1001", "entre 0 et 1 000"),
        ("public", "tout", "n'existe pas"),
        ("sheets", long.as_str(), "12 000 caractères"),
    ] {
        let reply = Call::new("POST", "/api/reports")
            .form(&[("meetup", "bilan"), ("key", &key), (field, value)])
            .accept_json()
            .send(&server)
            .await;
        assert_eq!(reply.status, 422, "{field}: {}", reply.body);
        assert!(reply.field_error(field).contains(words), "{}", reply.body);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_registrant_list_behind_the_key_as_csv_and_json() {
    let server = start(config()).await;
    register(&server, "brest", "Noé", "noe@exemple.org").await;
    Call::new("POST", "/api/registrations")
        .form(&[
            ("meetup", "brest"),
            ("name", "=Olga; \"O\""),
            ("email", "olga@exemple.org"),
            ("role", "facilitator"),
            ("need", "Boucle magnétique"),
            ("consent", "oui"),
        ])
        .send(&server)
        .await;
    register(&server, "brest", "Paul", "paul@exemple.org").await;
    let path = "/api/meetups/brest/registrants";

    let missing = Call::new("GET", path).accept_json().send(&server).await;
    assert_eq!(
        (missing.status, missing.code().as_str()),
        (401, "key_missing")
    );
    let wrong = Call::new("GET", path)
        .header("x-maillage-key", "pas-la-bonne")
        .accept_json()
        .send(&server)
        .await;
    assert_eq!((wrong.status, wrong.code().as_str()), (403, "key_invalid"));
    assert!(!wrong.body.contains("noe@"));
    let other_meetup = Call::new("GET", "/api/meetups/lyon/registrants")
        .header("x-maillage-key", &key_of("brest"))
        .send(&server)
        .await;
    assert_eq!(other_meetup.status, 403);

    let csv = Call::new("GET", path)
        .header("x-maillage-key", &key_of("brest"))
        .send(&server)
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(csv
        .header("content-disposition")
        .contains("inscriptions-brest.csv"));
    assert_eq!(csv.header("cache-control"), "no-store");
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(
        lines[0],
        "\u{feff}nom;courriel;rôle;structure;besoins;statut;rang;inscription"
    );
    assert!(lines[1].starts_with("Noé;noe@exemple.org;participation;;;confirmée;;2026-11-22"));
    assert!(lines[2].starts_with(
        "\"'=Olga; \"\"O\"\"\";olga@exemple.org;animation;;Boucle magnétique;confirmée;"
    ));
    assert!(lines[3].starts_with("Paul;paul@exemple.org;participation;;;liste d'attente;1;"));

    let json = Call::new("POST", path)
        .form(&[("key", &key_of("brest"))])
        .accept_json()
        .send(&server)
        .await;
    assert_eq!(json.status, 200, "{}", json.body);
    let people = json.json()["registrants"].as_array().unwrap().clone();
    assert_eq!(people.len(), 3);
    assert_eq!(people[1]["role"], "facilitator");
    assert_eq!(people[1]["need"], "Boucle magnétique");
    assert_eq!(people[2]["status"], "waiting");
    assert_eq!(people[2]["position"], 1);
    let by_query = Call::new("GET", &format!("{path}?format=json"))
        .header("x-maillage-key", &key_of("brest"))
        .send(&server)
        .await;
    assert_eq!(by_query.json()["registrants"].as_array().unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_organisers_form_without_javascript_answers_the_list_as_a_page() {
    let server = start(config()).await;
    register(&server, "brest", "Noé <b>", "noe@exemple.org").await;
    Call::new("POST", "/api/registrations")
        .form(&[
            ("meetup", "brest"),
            ("name", "Olga"),
            ("email", "olga@exemple.org"),
            ("role", "speaker"),
            ("need", "Boucle magnétique"),
            ("consent", "oui"),
        ])
        .send(&server)
        .await;
    let path = "/api/registrants";

    let page = Call::new("POST", path)
        .form(&[("meetup", "brest"), ("key", &key_of("brest"))])
        .send(&server)
        .await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.header("content-type").starts_with("text/html"));
    assert_eq!(page.header("cache-control"), "no-store");
    assert!(page.body.contains("<html lang=\"fr\">"));
    assert!(page.body.contains("<h1>Personnes inscrites</h1>"));
    assert!(
        page.body
            .contains("<td>Noé &lt;b&gt;</td><td>noe@exemple.org</td><td>participation</td>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("<td>Olga</td><td>olga@exemple.org</td><td>intervention</td><td></td><td>Boucle magnétique</td><td>confirmée</td>"), "{}", page.body);
    assert!(
        page.body.contains("2 inscriptions confirmées"),
        "{}",
        page.body
    );
    assert!(page.body.contains("name=\"format\" value=\"csv\""));

    // The page's button: the same form, for the CSV file.
    let csv = Call::new("POST", path)
        .form(&[
            ("meetup", "brest"),
            ("key", &key_of("brest")),
            ("format", "csv"),
        ])
        .send(&server)
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").starts_with("text/csv"));
    assert!(csv.body.contains("Olga;olga@exemple.org;intervention"));

    // A wrong key, another meetup's key, no meetup: nothing listed.
    for (fields, status, code) in [
        (
            vec![("meetup", "brest"), ("key", "pas-la-bonne")],
            403,
            "key_invalid",
        ),
        (
            vec![("meetup", "lyon"), ("key", key_of("brest").as_str())],
            403,
            "key_invalid",
        ),
        (
            vec![("key", key_of("brest").as_str())],
            400,
            "meetup_missing",
        ),
        (vec![("meetup", "brest")], 401, "key_missing"),
    ] {
        let refused = Call::new("POST", path)
            .form(&fields)
            .accept_json()
            .send(&server)
            .await;
        assert_eq!(
            (refused.status, refused.code().as_str()),
            (status, code),
            "{fields:?}"
        );
        assert!(!refused.body.contains("olga@"));
        let page = Call::new("POST", path).form(&fields).send(&server).await;
        assert_eq!(page.status, status);
        assert!(page.body.contains("<html lang=\"fr\">") && !page.body.contains("olga@"));
    }
}

// ---- Attendance and attestations -----------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attendance_then_attestation_then_verification() {
    let server = start(config()).await;
    support::attendance::attendance_then_attestation_then_verification(&server).await;
}

// ---- The coordinator's view of a region ------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_reads_their_region_only() {
    let server = start(config()).await;
    support::coordination::a_coordinator_reads_their_region_only(&server).await;
}

// ---- Meetup proposals -------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proposals_accepted_and_declined() {
    let server = start(config()).await;
    support::proposals::proposals_accepted_and_declined(&server).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proposals_promise_emails_only_where_the_site_sends_them() {
    for emails in [false, true] {
        let server = if emails {
            start_with_emails(config()).await
        } else {
            start(config()).await
        };
        support::proposals::what_is_promised_follows_whether_emails_are_sent(&server, emails).await;
    }
}

// ---- Messages to registrants -----------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_to_registrants() {
    let server = start_with_emails(config()).await;
    support::messages::messages_to_registrants(&server).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_emails_a_message_is_refused_and_nothing_is_recorded() {
    let server = start(config()).await;
    register(&server, "brest", "Aïcha", "aicha@exemple.org").await;
    let reply = Call::new("POST", "/api/messages")
        .form(&[
            ("meetup", "brest"),
            ("key", &key_of("brest")),
            ("kind", "cancellation"),
            ("text", "Annulée, désolé."),
            ("request", "req-cancel-0001"),
        ])
        .accept_json()
        .send(&server)
        .await;
    assert_eq!((reply.status, reply.code().as_str()), (503, "emails_off"));
    assert!(!server.store.aggregate("brest").await.unwrap().cancelled);
    let page = Call::new("POST", "/api/registrants")
        .form(&[("meetup", "brest"), ("key", &key_of("brest"))])
        .send(&server)
        .await;
    assert!(
        !page.body.contains("/api/messages"),
        "no form that cannot work"
    );
}
