//! A rebuild-trigger receiver on loopback, for the tests: a real HTTP/1.1
//! server that checks the signature as a CI job would, records every
//! request and can be told to fail.

#![allow(dead_code)]

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Method, Response, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use maillage_function::trigger::signature::{self, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use tokio::net::TcpListener;
use tokio::time::Instant;

/// One request as the receiver saw it.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: Method,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// When the whole request had arrived.
    pub at: Instant,
    /// The status it was answered with.
    pub status: StatusCode,
}

impl Received {
    pub fn accepted(&self) -> bool {
        self.status.is_success()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

#[derive(Default)]
struct State {
    secret: Option<String>,
    fail_next: usize,
    success: Option<StatusCode>,
    received: Vec<Received>,
}

pub struct Receiver {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    state: Arc<Mutex<State>>,
}

impl Receiver {
    /// A receiver checking signatures with `secret` (when given): a request
    /// without a valid, fresh signature gets 401.
    pub async fn start(secret: Option<&str>) -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State {
            secret: secret.map(str::to_string),
            ..State::default()
        }));
        let shared = state.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let state = shared.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |request| answer(state.clone(), request));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Receiver { base, state }
    }

    /// A URL on this receiver.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Answers 500 to the next `count` requests.
    pub fn fail_next(&self, count: usize) {
        self.state.lock().unwrap().fail_next = count;
    }

    /// The status of a successful answer (200 unless set).
    pub fn succeed_with(&self, status: StatusCode) {
        self.state.lock().unwrap().success = Some(status);
    }

    pub fn received(&self) -> Vec<Received> {
        self.state.lock().unwrap().received.clone()
    }

    pub fn accepted(&self) -> Vec<Received> {
        self.received()
            .into_iter()
            .filter(Received::accepted)
            .collect()
    }

    /// Waits until `count` requests have been accepted, or `timeout`.
    pub async fn wait_accepted(&self, count: usize, timeout: Duration) -> Vec<Received> {
        let deadline = Instant::now() + timeout;
        loop {
            let accepted = self.accepted();
            if accepted.len() >= count || Instant::now() >= deadline {
                return accepted;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

async fn answer(
    state: Arc<Mutex<State>>,
    request: http::Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = request.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let mut state = state.lock().unwrap();
    let signed_ok = match &state.secret {
        None => true,
        Some(secret) => {
            let header = |name: &str| {
                parts
                    .headers
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("")
                    .to_string()
            };
            signature::verify(
                secret.as_bytes(),
                &header(TIMESTAMP_HEADER),
                &body,
                &header(SIGNATURE_HEADER),
                chrono::Utc::now().timestamp(),
                300,
            )
            .is_ok()
        }
    };
    let status = if !signed_ok {
        StatusCode::UNAUTHORIZED
    } else if state.fail_next > 0 {
        state.fail_next -= 1;
        StatusCode::INTERNAL_SERVER_ERROR
    } else {
        state.success.unwrap_or(StatusCode::OK)
    };
    state.received.push(Received {
        method: parts.method,
        path: parts
            .uri
            .path_and_query()
            .map(|p| p.to_string())
            .unwrap_or_default(),
        headers: parts.headers,
        body,
        at: Instant::now(),
        status,
    });
    Ok(Response::builder()
        .status(status)
        .body(Full::new(Bytes::new()))
        .unwrap())
}

/// A meetup as the store would know it.
pub fn meetup(id: &str) -> maillage_model::meetup::MeetupDefinition {
    use maillage_model::meetup::{MeetupDefinition, MeetupStatus};
    let at = |s: &str| chrono::DateTime::parse_from_rfc3339(s).unwrap().to_utc();
    MeetupDefinition {
        id: id.into(),
        title: "Atelier code".into(),
        starts_at: at("2026-12-12T13:00:00Z"),
        ends_at: at("2026-12-12T16:00:00Z"),
        capacity: 20,
        status: MeetupStatus::Open,
        registration_opens: at("2026-11-01T00:00:00Z"),
        registration_closes: at("2026-12-12T12:00:00Z"),
        report_key_sha256: None,
        location: "Médiathèque, 1 rue de la Paix, Brest".into(),
        url: format!("https://rencontres.example.org/rencontres/{id}/"),
        time_zone: maillage_model::zone::DEFAULT,
    }
}

/// The `n`-th registration of a burst, with personal data the trigger must
/// never carry.
pub fn registered(meetup_id: &str, n: usize) -> maillage_model::events::Event {
    use maillage_model::events::{Event, Recipient};
    use maillage_store::RegistrationStatus;
    Event::Registered {
        meetup: meetup(meetup_id),
        person: Recipient {
            name: format!("Personne {n}"),
            email: format!("personne{n}@example.org"),
        },
        status: RegistrationStatus::Confirmed,
        cancel_url: format!("https://rencontres.example.org/annuler/?jeton=tok{n}"),
    }
}
