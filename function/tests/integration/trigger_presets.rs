//! Each preset sends the request its service expects, configured from the
//! environment's variables, to a real HTTP receiver on loopback.

use crate::trigger_receiver;

use std::collections::HashMap;
use std::time::Duration;

use maillage_function::trigger::config::{
    EVENT_TYPE_VAR, PRESET_VAR, REF_VAR, REPOSITORY_VAR, SECRET_VAR, TOKEN_VAR, URL_VAR, WINDOW_VAR,
};
use maillage_function::trigger::signature::{SIGNATURE_HEADER, TIMESTAMP_HEADER};
use maillage_function::trigger::RebuildTrigger;
use maillage_model::events::EventSink;
use trigger_receiver::{registered, Received, Receiver};

fn configured(vars: &[(&str, &str)]) -> RebuildTrigger {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    RebuildTrigger::from_lookup(|name| vars.get(name).cloned())
        .expect("a valid configuration")
        .expect("a configured trigger")
}

async fn one_request(receiver: &Receiver, trigger: &RebuildTrigger) -> Received {
    trigger.notify(&registered("brest-2026-12", 1)).await;
    trigger.flush().await;
    let received = receiver.received();
    assert_eq!(received.len(), 1, "{received:?}");
    received.into_iter().next().unwrap()
}

#[tokio::test]
async fn the_webhook_is_a_signed_json_post() {
    let receiver = Receiver::start(Some("s3cret")).await;
    let trigger = configured(&[
        (URL_VAR, &receiver.url("/hooks/maillage")),
        (SECRET_VAR, "s3cret"),
        (WINDOW_VAR, "0.3"),
    ]);
    let request = one_request(&receiver, &trigger).await;
    assert!(request.accepted());
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/hooks/maillage");
    assert!(request.headers["user-agent"]
        .to_str()
        .unwrap()
        .starts_with("maillage-rebuild/"));
    let body = request.json();
    assert_eq!(body["event"], "registered");
    assert_eq!(body["meetup"], "brest-2026-12");
    assert!(body["time"].as_str().unwrap().ends_with('Z'));
}

/// The signature scheme, checked by an implementation that shares no code
/// with ours: Python's standard `hmac` module.
#[tokio::test]
async fn the_signature_matches_an_independent_implementation() {
    let receiver = Receiver::start(None).await;
    let trigger = configured(&[
        (URL_VAR, &receiver.url("/hook")),
        (SECRET_VAR, "clé partagée"),
    ]);
    let request = one_request(&receiver, &trigger).await;
    let timestamp = request.headers[TIMESTAMP_HEADER].to_str().unwrap();
    let signature = request.headers[SIGNATURE_HEADER].to_str().unwrap();
    let script = "import hmac, hashlib, sys\n\
        body = sys.stdin.buffer.read()\n\
        msg = sys.argv[1].encode() + b'.' + body\n\
        print('sha256=' + hmac.new(sys.argv[2].encode(), msg, hashlib.sha256).hexdigest())";
    let mut python = std::process::Command::new("python3")
        .args(["-c", script, timestamp, "clé partagée"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("python3");
    use std::io::Write;
    python
        .stdin
        .take()
        .unwrap()
        .write_all(&request.body)
        .unwrap();
    let output = python.wait_with_output().unwrap();
    assert_eq!(String::from_utf8(output.stdout).unwrap().trim(), signature);
    let age = chrono::Utc::now().timestamp() - timestamp.parse::<i64>().unwrap();
    assert!((0..5).contains(&age), "signed {age} s ago");
}

#[tokio::test]
async fn github_gets_a_repository_dispatch() {
    let receiver = Receiver::start(None).await;
    receiver.succeed_with(http::StatusCode::NO_CONTENT);
    let trigger = configured(&[
        (PRESET_VAR, "github"),
        (REPOSITORY_VAR, "reseau/site"),
        (TOKEN_VAR, "github_pat_abc"),
        (EVENT_TYPE_VAR, "site-rebuild"),
        // Instead of https://api.github.com/repos/reseau/site/dispatches.
        (URL_VAR, &receiver.url("/repos/reseau/site/dispatches")),
    ]);
    let request = one_request(&receiver, &trigger).await;
    assert!(request.accepted());
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/repos/reseau/site/dispatches");
    assert_eq!(request.headers["authorization"], "Bearer github_pat_abc");
    assert_eq!(request.headers["accept"], "application/vnd.github+json");
    assert_eq!(request.headers["x-github-api-version"], "2022-11-28");
    assert!(request.headers.contains_key("user-agent"));
    assert!(!request.headers.contains_key(SIGNATURE_HEADER));
    let body = request.json();
    assert_eq!(body["event_type"], "site-rebuild");
    assert_eq!(body["client_payload"]["event"], "registered");
    assert_eq!(body["client_payload"]["meetup"], "brest-2026-12");
}

#[tokio::test]
async fn gitlab_gets_a_pipeline_trigger_form() {
    let receiver = Receiver::start(None).await;
    receiver.succeed_with(http::StatusCode::CREATED);
    let trigger = configured(&[
        (PRESET_VAR, "gitlab"),
        (
            URL_VAR,
            &receiver.url("/api/v4/projects/42/trigger/pipeline"),
        ),
        (TOKEN_VAR, "glptt-123"),
        (REF_VAR, "production"),
    ]);
    let request = one_request(&receiver, &trigger).await;
    assert!(request.accepted());
    assert_eq!(request.path, "/api/v4/projects/42/trigger/pipeline");
    assert_eq!(
        request.headers["content-type"],
        "application/x-www-form-urlencoded"
    );
    let form: HashMap<String, String> =
        form_urlencoded::parse(&request.body).into_owned().collect();
    assert_eq!(form["token"], "glptt-123");
    assert_eq!(form["ref"], "production");
    assert_eq!(form["variables[MAILLAGE_EVENT]"], "registered");
    assert_eq!(form["variables[MAILLAGE_MEETUP]"], "brest-2026-12");
    assert_eq!(form.len(), 4);
}

#[tokio::test]
async fn a_build_hook_gets_an_empty_post() {
    let receiver = Receiver::start(None).await;
    let trigger = configured(&[
        (PRESET_VAR, "build-hook"),
        (
            URL_VAR,
            &receiver.url("/build_hooks/5f2a9c?trigger_title=maillage"),
        ),
    ]);
    let request = one_request(&receiver, &trigger).await;
    assert!(request.accepted());
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/build_hooks/5f2a9c?trigger_title=maillage");
    assert!(request.body.is_empty());
    assert_eq!(request.headers["content-length"], "0");
    // A build hook's only secret is its URL.
    assert!(!request.headers.contains_key(SIGNATURE_HEADER));
}

#[tokio::test]
async fn a_refused_token_is_not_retried() {
    let receiver = Receiver::start(None).await;
    receiver.succeed_with(http::StatusCode::UNAUTHORIZED);
    let trigger = configured(&[
        (PRESET_VAR, "github"),
        (REPOSITORY_VAR, "reseau/site"),
        (TOKEN_VAR, "expired"),
        (URL_VAR, &receiver.url("/repos/reseau/site/dispatches")),
        (WINDOW_VAR, "0.1"),
    ]);
    one_request(&receiver, &trigger).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.received().len(), 1);
}
