//! The Lambda binary, run as Lambda runs it: a process polling a Runtime API
//! (here on loopback) for API Gateway HTTP API and Function URL events, with
//! its data in DynamoDB (moto's server on loopback).

#![cfg(all(feature = "dynamodb", feature = "lambda"))]

use crate::faults;
use crate::moto;
use crate::runtime_api;
use crate::trigger_receiver;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use maillage_model::meetup::{MeetupDefinition, MeetupStatus, RegionDefinition, Role};
use maillage_store::{NewRegistration, RegistrationStatus, Store};
use runtime_api::RuntimeApi;
use serde_json::{json, Value};

/// The binary under test: the one Cargo built for these tests, or another
/// (say, the release build) named by `MAILLAGE_LAMBDA_BIN`.
fn binary() -> String {
    std::env::var("MAILLAGE_LAMBDA_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_maillage-lambda").to_string())
}

/// Kills the function's process when the test ends, however it ends.
struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_function(api: &RuntimeApi, endpoint: &str, table: &str) -> Process {
    start_function_with(api, endpoint, table, &[])
}

fn start_function_with(
    api: &RuntimeApi,
    endpoint: &str,
    table: &str,
    extra: &[(&str, &str)],
) -> Process {
    let child = Command::new(binary())
        .env_clear()
        .envs(extra.iter().copied())
        .env("AWS_LAMBDA_RUNTIME_API", api.address.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "maillage")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/maillage")
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "2026/11/22/[$LATEST]test")
        .env("AWS_REGION", "eu-west-3")
        .env("AWS_ACCESS_KEY_ID", "local")
        .env("AWS_SECRET_ACCESS_KEY", "local")
        .env("MAILLAGE_TABLE", table)
        .env("MAILLAGE_DYNAMODB_ENDPOINT", endpoint)
        .env("MAILLAGE_SITE_ORIGIN", "https://rencontres.example.org")
        .env("MAILLAGE_NOW", "2026-11-22T12:00:00Z")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start the Lambda binary");
    Process(child)
}

/// An API Gateway HTTP API (payload format 2.0) event, as API Gateway sends it.
fn http_api_event(method: &str, path: &str, query: &str, body: &str, content_type: &str) -> Value {
    json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": {
            "accept": "application/json",
            "content-length": body.len().to_string(),
            "content-type": content_type,
            "host": "a1b2c3d4e5.execute-api.eu-west-3.amazonaws.com",
            "origin": "https://rencontres.example.org",
            "user-agent": "Mozilla/5.0",
            "x-amzn-trace-id": "Root=1-5759e988-bd862e3fe1be46a994272793",
            "x-forwarded-for": "203.0.113.7",
            "x-forwarded-port": "443",
            "x-forwarded-proto": "https"
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "a1b2c3d4e5",
            "domainName": "a1b2c3d4e5.execute-api.eu-west-3.amazonaws.com",
            "domainPrefix": "a1b2c3d4e5",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.7",
                "userAgent": "Mozilla/5.0"
            },
            "requestId": "JKJaXmPLvHcESHA=",
            "routeKey": "$default",
            "stage": "$default",
            "time": "22/Nov/2026:12:00:00 +0000",
            "timeEpoch": 1795176000000_u64
        },
        "body": body,
        "isBase64Encoded": false
    })
}

/// A Lambda Function URL event: the same 2.0 format, with the URL's own
/// domain, no stage variables, and form bodies base64-encoded.
fn function_url_event(
    method: &str,
    path: &str,
    query: &str,
    body: &[u8],
    content_type: &str,
) -> Value {
    json!({
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": path,
        "rawQueryString": query,
        "headers": {
            "accept": "application/json",
            "content-type": content_type,
            "host": "abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-3.on.aws",
            "origin": "https://rencontres.example.org",
            "user-agent": "Mozilla/5.0",
            "x-amzn-trace-id": "Root=1-5759e988-bd862e3fe1be46a994272794",
            "x-forwarded-for": "198.51.100.23",
            "x-forwarded-port": "443",
            "x-forwarded-proto": "https"
        },
        "queryStringParameters": null,
        "requestContext": {
            "accountId": "anonymous",
            "apiId": "abcdefghijklmnopqrstuvwxyz012345",
            "domainName": "abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-3.on.aws",
            "domainPrefix": "abcdefghijklmnopqrstuvwxyz012345",
            "http": {
                "method": method,
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "198.51.100.23",
                "userAgent": "Mozilla/5.0"
            },
            "requestId": "1b2f6a1e-5a8e-4c3b-9a57-0c0e6a3d7f10",
            "routeKey": "$default",
            "stage": "$default",
            "time": "22/Nov/2026:12:00:01 +0000",
            "timeEpoch": 1795176001000_u64
        },
        "body": base64(body),
        "isBase64Encoded": true
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn http_api_and_function_url_events_reach_the_handler_and_come_back() {
    let Some(store) = moto::fresh_store("lambda").await else {
        return;
    };
    let endpoint = moto::moto().unwrap().endpoint.clone();
    let api = RuntimeApi::start().await;
    let started = Instant::now();
    let _function = start_function(&api, &endpoint, store.table());

    api.invoke(http_api_event(
        "POST",
        "/api/registrations",
        "",
        r#"{"meetup":"brest"}"#,
        "application/json",
    ));
    let first = api.answer(Duration::from_secs(30)).await;
    let cold_start = first.at - started;
    eprintln!(
        "cold start: {} ms to the first answer ({} ms to the first poll)",
        cold_start.as_millis(),
        api.first_poll().map_or(0, |at| (at - started).as_millis())
    );
    assert_eq!(first.kind, "response", "{:?}", first.body);
    assert!(first.body["statusCode"].is_u64(), "{:?}", first.body);

    api.invoke(function_url_event(
        "POST",
        "/api/registrations",
        "",
        b"meetup=brest",
        "application/x-www-form-urlencoded",
    ));
    let second = api.answer(Duration::from_secs(30)).await;
    assert_eq!(second.kind, "response", "{:?}", second.body);
    assert!(second.body["statusCode"].is_u64(), "{:?}", second.body);
}

/// A meetup open for registration on the pinned date (2026-11-22).
fn open_meetup(id: &str, capacity: u32) -> MeetupDefinition {
    let at = |value: &str| {
        DateTime::parse_from_rfc3339(value)
            .unwrap()
            .with_timezone(&Utc)
    };
    MeetupDefinition {
        id: id.into(),
        title: format!("Rencontre {id}"),
        starts_at: at("2026-12-05T09:00:00Z"),
        ends_at: at("2026-12-05T12:00:00Z"),
        capacity,
        status: MeetupStatus::Open,
        registration_opens: at("2026-11-01T00:00:00Z"),
        registration_closes: at("2026-12-04T23:00:00Z"),
        report_key_sha256: None,
        location: "Médiathèque, Brest".into(),
        url: format!("https://rencontres.example.org/rencontres/{id}/"),
        time_zone: maillage_model::zone::DEFAULT,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registration_goes_through_the_runtime_api_into_dynamodb() {
    let Some(store) = moto::fresh_store("lambda-registration").await else {
        return;
    };
    store.put_meetups(&[open_meetup("brest", 1)]).await.unwrap();
    let endpoint = moto::moto().unwrap().endpoint.clone();
    let api = RuntimeApi::start().await;
    let _function = start_function(&api, &endpoint, store.table());

    // A script's JSON post through an HTTP API: a seat, in JSON.
    api.invoke(http_api_event(
        "POST",
        "/api/registrations",
        "",
        &json!({
            "meetup": "brest", "name": "Aïcha", "email": "aicha@exemple.org",
            "role": "participant", "consent": true
        })
        .to_string(),
        "application/json",
    ));
    let answer = api.answer(Duration::from_secs(30)).await;
    assert_eq!(answer.kind, "response", "{:?}", answer.body);
    assert_eq!(answer.body["statusCode"], 201, "{:?}", answer.body);
    let body: Value = serde_json::from_str(answer.body["body"].as_str().unwrap()).unwrap();
    assert_eq!(body["status"], "confirmed");
    let cancel_url = body["cancel_url"].as_str().unwrap();
    assert!(
        cancel_url.starts_with("https://rencontres.example.org/api/registrations/cancel?jeton="),
        "{cancel_url}"
    );
    assert_eq!(
        answer.body["headers"]["access-control-allow-origin"],
        "https://rencontres.example.org"
    );

    // A form body through a Function URL (base64-encoded by Lambda): the
    // waiting list.
    api.invoke(function_url_event(
        "POST",
        "/api/registrations",
        "",
        "meetup=brest&name=Bastien&email=bastien%40exemple.org&role=participant&consent=oui&website="
            .as_bytes(),
        "application/x-www-form-urlencoded",
    ));
    let answer = api.answer(Duration::from_secs(30)).await;
    assert_eq!(answer.body["statusCode"], 201, "{:?}", answer.body);
    let body: Value = serde_json::from_str(answer.body["body"].as_str().unwrap()).unwrap();
    assert_eq!(
        (body["status"].as_str(), body["position"].as_u64()),
        (Some("waiting"), Some(1))
    );

    // The confirmed person cancels: the waiting one gets the seat.
    let token = cancel_url.split_once("jeton=").unwrap().1;
    api.invoke(http_api_event(
        "POST",
        "/api/registrations/cancel",
        "",
        &json!({ "jeton": token }).to_string(),
        "application/json",
    ));
    let answer = api.answer(Duration::from_secs(30)).await;
    assert_eq!(answer.body["statusCode"], 200, "{:?}", answer.body);
    let aggregate = store.aggregate("brest").await.unwrap();
    assert_eq!((aggregate.confirmed, aggregate.waiting), (1, 0));
    let registrants = store.registrants("brest").await.unwrap();
    assert!(registrants
        .iter()
        .any(|r| r.email == "bastien@exemple.org" && r.status == RegistrationStatus::Confirmed));

    // The region's coordinator sees the seat taken, with the region's key
    // in the body; another key reads nothing.
    store
        .put_regions(&[RegionDefinition {
            id: "bretagne".into(),
            name: "Bretagne".into(),
            coordinator_key_sha256: Some(
                // SHA-256("test")
                "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08".into(),
            ),
            meetups: vec!["brest".into()],
            places: vec![],
            time_zone: maillage_model::zone::DEFAULT,
            belongs: vec![],
        }])
        .await
        .unwrap();
    for (key, status) in [("test", 200), ("autre", 403)] {
        api.invoke(http_api_event(
            "POST",
            "/api/coordination",
            "",
            &json!({ "region": "bretagne", "key": key }).to_string(),
            "application/json",
        ));
        let answer = api.answer(Duration::from_secs(30)).await;
        assert_eq!(answer.body["statusCode"], status, "{:?}", answer.body);
        let body: Value = serde_json::from_str(answer.body["body"].as_str().unwrap()).unwrap();
        if status == 200 {
            assert_eq!(body["meetups"][0]["meetup"], "brest");
            assert_eq!(body["meetups"][0]["confirmed"], 1);
            assert!(!answer.body["body"].as_str().unwrap().contains("bastien"));
        } else {
            assert_eq!(body["meetups"], Value::Null);
        }
    }
}

/// An EventBridge scheduled event, as a rule with a schedule expression
/// sends it (`detail` as the rule's input sets it).
fn scheduled_event(detail: Value) -> Value {
    json!({
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": "123456789012",
        "time": "2026-11-22T12:00:00Z",
        "region": "eu-west-3",
        "resources": ["arn:aws:events:eu-west-3:123456789012:rule/maillage-schedule"],
        "detail": detail
    })
}

/// Stores a SecureString in moto's Parameter Store, with boto3 (installed
/// with moto in the test environment).
fn put_secure_parameter(endpoint: &str, name: &str, value: &str) {
    let python = std::env::var("MAILLAGE_TEST_PYTHON").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../target/test-env/venv/bin/python"
        )
        .to_string()
    });
    let status = Command::new(python)
        .args([
            "-c",
            concat!(
                "import sys, boto3; ",
                "boto3.client('ssm', endpoint_url=sys.argv[1], region_name='eu-west-3', ",
                "aws_access_key_id='local', aws_secret_access_key='local')",
                ".put_parameter(Name=sys.argv[2], Value=sys.argv[3], ",
                "Type='SecureString', Overwrite=True)"
            ),
            endpoint,
            name,
            value,
        ])
        .status()
        .expect("run python");
    assert!(status.success(), "put_parameter failed");
}

fn registration(meetup: &str, email: &str, expires_at: &str) -> NewRegistration {
    NewRegistration {
        meetup_id: meetup.into(),
        name: "Personne".into(),
        email: email.into(),
        role: Role::Participant,
        structure: None,
        need: None,
        token: format!("jeton-{email}"),
        registered_at: DateTime::parse_from_rfc3339("2026-10-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc),
        expires_at: DateTime::parse_from_rfc3339(expires_at)
            .unwrap()
            .with_timezone(&Utc),
    }
}

/// The same binary takes EventBridge's scheduled events: a flush sends the
/// trailing trigger a frozen instance owed (signed with a secret the
/// function read from Parameter Store at start), once; a purge event also
/// deletes personal data past its retention. Other events are refused.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_events_flush_the_owed_trigger_and_purge_on_request() {
    let Some(store) = moto::fresh_store("lambda-scheduled").await else {
        return;
    };
    let endpoint = moto::moto().unwrap().endpoint.clone();
    let secret = "secret lu dans Parameter Store";
    put_secure_parameter(&endpoint, "/maillage/trigger-secret", secret);
    let receiver = trigger_receiver::Receiver::start(Some(secret)).await;

    // A trigger sent ten seconds ago, and a change since that lost the
    // window (its instance then frozen): a trailing trigger is owed.
    let now = Utc::now();
    let window = Duration::from_secs(60);
    assert!(store
        .claim_trigger_window(now - chrono::Duration::seconds(10), window)
        .await
        .unwrap());
    assert!(!store
        .claim_trigger_window(now - chrono::Duration::seconds(9), window)
        .await
        .unwrap());
    // Personal data: one registration past its retention, one not.
    store
        .put_meetups(&[open_meetup("brest", 10)])
        .await
        .unwrap();
    store
        .register(registration(
            "brest",
            "ancienne@exemple.org",
            "2026-11-01T00:00:00Z",
        ))
        .await
        .unwrap();
    store
        .register(registration(
            "brest",
            "actuelle@exemple.org",
            "2027-03-01T00:00:00Z",
        ))
        .await
        .unwrap();

    let api = RuntimeApi::start().await;
    let url = receiver.url("/hook");
    let _function = start_function_with(
        &api,
        &endpoint,
        store.table(),
        &[
            ("MAILLAGE_TRIGGER_URL", url.as_str()),
            (
                "MAILLAGE_TRIGGER_SECRET_PARAMETER",
                "/maillage/trigger-secret",
            ),
            ("MAILLAGE_SSM_ENDPOINT", endpoint.as_str()),
            // Five seconds: the last trigger, ten seconds ago, is out of it.
            ("MAILLAGE_TRIGGER_WINDOW_SECONDS", "5"),
        ],
    );

    api.invoke(scheduled_event(json!({})));
    let answer = api.answer(Duration::from_secs(30)).await;
    assert_eq!(answer.kind, "response", "{:?}", answer.body);
    assert_eq!(
        answer.body,
        json!({ "flushed": true, "purged": null, "repaired": null, "reminded": null })
    );
    let received = receiver.received();
    assert_eq!(received.len(), 1, "{received:?}");
    assert!(received[0].accepted(), "signed with the parameter's value");
    assert_eq!(received[0].json()["event"], "pending");

    // Owed once, sent once.
    api.invoke(scheduled_event(json!({})));
    let answer = api.answer(Duration::from_secs(30)).await;
    assert_eq!(answer.body["flushed"], true, "{:?}", answer.body);
    assert_eq!(receiver.received().len(), 1);

    // The daily schedule's input asks for the purge too.
    api.invoke(scheduled_event(json!({ "purge": true })));
    let answer = api.answer(Duration::from_secs(30)).await;
    assert_eq!(answer.kind, "response", "{:?}", answer.body);
    assert_eq!(
        answer.body["purged"],
        json!({ "registrations": 1, "private_notes": 0, "attestations": 0, "complete": true }),
        "{:?}",
        answer.body
    );
    let pinned = DateTime::parse_from_rfc3339("2026-11-22T12:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    assert_eq!(store.purge_expired(pinned).await.unwrap().registrations, 0);
    let left = store.registrants("brest").await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].email, "actuelle@exemple.org");

    // Neither HTTP nor scheduled: an error Lambda records, not a guess.
    api.invoke(json!({ "detail-type": "Object Created", "source": "aws.s3" }));
    let answer = api.answer(Duration::from_secs(30)).await;
    assert_eq!(answer.kind, "error", "{:?}", answer.body);
    api.invoke(json!({ "hello": "world" }));
    let answer = api.answer(Duration::from_secs(30)).await;
    assert_eq!(answer.kind, "error", "{:?}", answer.body);

    // And HTTP events still reach the handler.
    api.invoke(http_api_event(
        "POST",
        "/api/registrations",
        "",
        r#"{"meetup":"brest"}"#,
        "application/json",
    ));
    let answer = api.answer(Duration::from_secs(30)).await;
    assert_eq!(answer.kind, "response", "{:?}", answer.body);
    let status = answer.body["statusCode"].as_u64().unwrap();
    assert!((400..500).contains(&status), "{:?}", answer.body);
}

/// Standard base64 with padding, as Lambda encodes binary bodies.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &byte)| n | u32::from(byte) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[test]
fn base64_matches_the_standard_alphabet() {
    assert_eq!(base64(b"meetup=brest"), "bWVldHVwPWJyZXN0");
    assert_eq!(base64(b"ab"), "YWI=");
    assert_eq!(base64(b"a"), "YQ==");
}

/// The hourly schedule's repair: a registration whose request died before
/// its place (ten minutes before the function's clock) is ended and its
/// personal data deleted; the others are untouched.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_repair_schedule_ends_registrations_whose_request_died() {
    let Some(store) = moto::fresh_store("lambda-repair").await else {
        return;
    };
    let endpoint = moto::moto().unwrap().endpoint.clone();
    store.put_meetups(&[open_meetup("brest", 2)]).await.unwrap();
    store
        .register(registration(
            "brest",
            "presente@exemple.org",
            "2027-03-01T00:00:00Z",
        ))
        .await
        .unwrap();
    // A request that claimed its email, then died before its place.
    let proxy = faults::FaultProxy::new(&endpoint, 7);
    let dies = faults::Hold::new();
    proxy.add(
        faults::Rule::new(None, &["UpdateItem"], faults::Action::Hold(dies.clone())).times(None),
    );
    let dying = proxy.store("dying", store.table()).await;
    let mut dead = registration("brest", "disparue@exemple.org", "2027-03-01T00:00:00Z");
    dead.registered_at = DateTime::parse_from_rfc3339("2026-11-22T11:50:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let task = tokio::spawn(async move { dying.register(dead).await });
    assert!(dies.arrived(1, Duration::from_secs(10)).await);
    task.abort();
    assert_eq!(store.registrants("brest").await.unwrap().len(), 1);

    let api = RuntimeApi::start().await;
    let _function = start_function_with(&api, &endpoint, store.table(), &[]);
    api.invoke(scheduled_event(json!({ "repair": true })));
    let answer = api.answer(Duration::from_secs(30)).await;
    assert_eq!(answer.kind, "response", "{:?}", answer.body);
    assert_eq!(
        answer.body["repaired"],
        json!({
            "meetups": 1,
            "unfinished_removed": 1,
            "orphans_removed": 0,
            "promoted": 0,
            "counters_fixed": false,
            "complete": true
        }),
        "{:?}",
        answer.body
    );
    assert_eq!(answer.body["purged"], Value::Null);
    // Its request, delayed until now, cannot place it any more.
    dies.release();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let left = store.registrants("brest").await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].email, "presente@exemple.org");
    let aggregate = store.aggregate("brest").await.unwrap();
    assert_eq!((aggregate.confirmed, aggregate.waiting), (1, 0));
    // Nothing left to mend.
    api.invoke(scheduled_event(json!({ "repair": true })));
    let answer = api.answer(Duration::from_secs(30)).await;
    assert_eq!(answer.body["repaired"]["unfinished_removed"], 0);
}

/// The scheduled event `{"remind": true}` sends each registrant's reminder
/// through SMTP (aiosmtpd), once: the same event again sends nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_scheduled_remind_event_sends_each_reminder_once() {
    let Some(python) = crate::email_server::python() else {
        return;
    };
    let Some(store) = moto::fresh_store("lambda-remind").await else {
        return;
    };
    let endpoint = moto::moto().unwrap().endpoint.clone();
    store
        .put_meetups(&[open_meetup("brest", 10)])
        .await
        .unwrap();
    for email in ["aicha@exemple.org", "bastien@exemple.org"] {
        store
            .register(registration("brest", email, "2027-03-01T00:00:00Z"))
            .await
            .unwrap();
    }
    let smtp = crate::email_server::SmtpServer::start(&python, 0);
    let api = RuntimeApi::start().await;
    let url = smtp.url();
    // The function's clock says 22 November, 12:00 UTC; the meetup starts
    // on 5 December at 10:00 in Paris: 312 hours before, in Paris time, is
    // 22 November at 10:00, already past.
    let _function = start_function_with(
        &api,
        &endpoint,
        store.table(),
        &[
            ("MAILLAGE_SMTP_URL", url.as_str()),
            ("MAILLAGE_MAIL_FROM", "Rencontres <rencontres@example.org>"),
            ("MAILLAGE_REMINDER_HOURS", "312"),
        ],
    );
    for expected in [2, 0] {
        api.invoke(scheduled_event(json!({ "remind": true })));
        let answer = api.answer(Duration::from_secs(30)).await;
        assert_eq!(answer.kind, "response", "{:?}", answer.body);
        assert_eq!(answer.body["reminded"], expected, "{:?}", answer.body);
    }
    assert_eq!(smtp.wait_for(2, Duration::from_secs(10)).len(), 2);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(smtp.messages().len(), 2, "one reminder each");
}
