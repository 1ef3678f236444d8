//! The handler over real HTTP on loopback with the DynamoDB store (moto's
//! server): one round-trip through every kind of write.

#![cfg(all(feature = "dynamodb", feature = "sqlite"))]

use crate::moto;
use crate::support;

use std::sync::Arc;

use maillage_model::events::Event;
use maillage_store::Store;
use support::{config, key_of, meetups, person, serve, Call, SITE};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn register_cancel_report_and_list_on_dynamodb() {
    let Some(store) = moto::fresh_store("handler").await else {
        return;
    };
    store.put_meetups(&meetups()).await.unwrap();
    let server = serve(Arc::new(store), config()).await;

    let mut tokens = Vec::new();
    for (name, email) in [
        ("Aïcha", "aicha@exemple.org"),
        ("Bastien", "bastien@exemple.org"),
        ("Chloé", "chloe@exemple.org"),
    ] {
        let reply = Call::new("POST", "/api/registrations")
            .form(&person("brest", name, email))
            .send(&server)
            .await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        assert!(!reply.body.contains("exemple.org"));
        let token = reply.body.split_once("?jeton=").unwrap().1;
        tokens.push(token.split('"').next().unwrap().to_string());
    }
    let page = Call::new(
        "GET",
        &format!("/api/registrations/cancel?jeton={}", tokens[0]),
    )
    .send(&server)
    .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Annuler votre inscription"));
    let cancelled = Call::new("POST", "/api/registrations/cancel")
        .form(&[("jeton", &tokens[0])])
        .send(&server)
        .await;
    assert_eq!(
        cancelled.header("location"),
        format!("{SITE}/annulation/confirmee/?rencontre=brest")
    );
    let promoted = server
        .events
        .events()
        .into_iter()
        .find_map(|event| match event {
            Event::Promoted { person, .. } => Some(person.email),
            _ => None,
        });
    assert_eq!(promoted.as_deref(), Some("chloe@exemple.org"));

    let report = Call::new("POST", "/api/reports")
        .form(&[
            ("meetup", "brest"),
            ("key", &key_of("brest")),
            ("outcome", "<b>Bien</b> passé"),
            ("public", "outcome"),
        ])
        .send(&server)
        .await;
    assert_eq!(report.status, 303, "{}", report.body);
    let aggregate = server.store.aggregate("brest").await.unwrap();
    assert_eq!((aggregate.confirmed, aggregate.waiting), (2, 0));
    assert_eq!(
        aggregate.report.unwrap().outcome.as_deref(),
        Some("&lt;b>Bien&lt;/b> passé")
    );

    let list = Call::new("GET", "/api/meetups/brest/registrants?format=json")
        .header("x-maillage-key", &key_of("brest"))
        .send(&server)
        .await;
    let people = list.json()["registrants"].as_array().unwrap().clone();
    let confirmed: Vec<_> = people
        .iter()
        .filter(|p| p["status"] == "confirmed")
        .map(|p| p["email"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(confirmed, ["bastien@exemple.org", "chloe@exemple.org"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn attendance_then_attestation_then_verification_on_dynamodb() {
    let Some(store) = moto::fresh_store("attendance").await else {
        return;
    };
    store.put_meetups(&meetups()).await.unwrap();
    let server = serve(Arc::new(store), config()).await;
    support::attendance::attendance_then_attestation_then_verification(&server).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_reads_their_region_only_on_dynamodb() {
    let Some(store) = moto::fresh_store("coordination").await else {
        return;
    };
    store.put_meetups(&meetups()).await.unwrap();
    let server = serve(Arc::new(store), config()).await;
    support::coordination::a_coordinator_reads_their_region_only(&server).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn proposals_accepted_and_declined_on_dynamodb() {
    let Some(store) = moto::fresh_store("proposals").await else {
        return;
    };
    store.put_meetups(&meetups()).await.unwrap();
    let server = serve(Arc::new(store), config()).await;
    support::proposals::proposals_accepted_and_declined(&server).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_to_registrants_on_dynamodb() {
    let Some(store) = moto::fresh_store("messages").await else {
        return;
    };
    store.put_meetups(&meetups()).await.unwrap();
    let server = support::serve_with_emails(Arc::new(store), config()).await;
    support::messages::messages_to_registrants(&server).await;
}
