//! `DynamoStore::from_env`, the way the Lambda binary configures its store:
//! the table and endpoint from Maillage's variables, region and credentials
//! from AWS's. One test in this binary, since it sets the environment.

#![cfg(feature = "dynamodb")]

use crate::moto;

use maillage_model::meetup::{MeetupDefinition, MeetupStatus};
use maillage_store::dynamodb::{DynamoStore, ENDPOINT_VAR, TABLE_VAR};
use maillage_store::Store;

#[tokio::test]
async fn the_store_is_configured_from_the_environment() {
    let Some(created) = moto::fresh_store("env").await else {
        return;
    };
    let endpoint = moto::moto().unwrap().endpoint.clone();

    std::env::remove_var(TABLE_VAR);
    let error = DynamoStore::from_env().await.unwrap_err();
    assert!(error.to_string().contains("MAILLAGE_TABLE"), "{error}");

    std::env::set_var(TABLE_VAR, created.table());
    std::env::set_var(ENDPOINT_VAR, &endpoint);
    std::env::set_var("AWS_REGION", "eu-west-3");
    std::env::set_var("AWS_ACCESS_KEY_ID", "local");
    std::env::set_var("AWS_SECRET_ACCESS_KEY", "local");
    let store = DynamoStore::from_env().await.unwrap();
    assert_eq!(store.table(), created.table());
    // It reaches the same table: what one store writes, the other reads.
    let at = |value: &str| {
        chrono::DateTime::parse_from_rfc3339(value)
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    let meetup = MeetupDefinition {
        id: "brest-2026-12".into(),
        title: "Club de code".into(),
        starts_at: at("2026-12-05T09:00:00Z"),
        ends_at: at("2026-12-05T12:00:00Z"),
        capacity: 12,
        status: MeetupStatus::Open,
        registration_opens: at("2026-11-01T00:00:00Z"),
        registration_closes: at("2026-12-04T23:00:00Z"),
        report_key_sha256: None,
        location: "Brest".into(),
        url: "https://example.org/rencontres/brest-2026-12/".into(),
        time_zone: maillage_model::zone::DEFAULT,
    };
    created
        .put_meetups(std::slice::from_ref(&meetup))
        .await
        .unwrap();
    assert_eq!(store.meetups().await.unwrap(), [meetup]);
    assert!(
        !store.create_table_if_missing().await.unwrap(),
        "already there"
    );
}
