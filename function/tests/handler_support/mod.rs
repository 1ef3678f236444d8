//! The handler served over real HTTP on loopback (hyper), a real client,
//! a store on a fresh SQLite file, and a sink that records every event.

#![allow(dead_code)]

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, Once};

use async_trait::async_trait;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use maillage_function::handler::{ClientIp, Function, FunctionConfig};
use maillage_model::events::{Event, EventSink};
use maillage_model::meetup::{MeetupDefinition, MeetupStatus};
use maillage_store::sqlite::SqliteStore;
use maillage_store::Store;
use sha2::{Digest, Sha256};
use tokio::net::TcpListener;

pub(crate) mod attendance;
pub(crate) mod coordination;
pub(crate) mod messages;
pub(crate) mod proposals;

pub(crate) const SITE: &str = "https://rencontres.example.org";
pub(crate) const NOW: &str = "2026-11-22T12:00:00Z";

/// Pins the clock for every test of the binary.
pub(crate) fn pin_clock() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| std::env::set_var("MAILLAGE_NOW", NOW));
}

pub(crate) fn at(value: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(value)
        .unwrap()
        .with_timezone(&Utc)
}

pub(crate) fn key_hash(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The organiser's key of every test meetup: `cle-<id>`.
pub(crate) fn key_of(id: &str) -> String {
    format!("cle-{id}")
}

/// A meetup open for registration on the pinned date.
pub(crate) fn meetup(id: &str, capacity: u32) -> MeetupDefinition {
    MeetupDefinition {
        id: id.into(),
        title: format!("Rencontre {id}"),
        starts_at: at("2026-12-05T09:00:00Z"),
        ends_at: at("2026-12-05T12:00:00Z"),
        capacity,
        status: MeetupStatus::Open,
        registration_opens: at("2026-11-01T00:00:00Z"),
        registration_closes: at("2026-12-04T23:00:00Z"),
        report_key_sha256: Some(key_hash(&key_of(id))),
        location: "Médiathèque, Brest".into(),
        url: format!("{SITE}/rencontres/{id}/"),
        time_zone: maillage_model::zone::DEFAULT,
    }
}

/// The meetups every test store holds: one per refusal reason, plus open ones.
pub(crate) fn meetups() -> Vec<MeetupDefinition> {
    let mut cancelled = meetup("annulee", 10);
    cancelled.status = MeetupStatus::Cancelled;
    let mut full = meetup("complete", 10);
    full.status = MeetupStatus::Full;
    let mut later = meetup("pas-encore", 10);
    later.registration_opens = at("2026-12-01T08:00:00Z");
    let mut closed = meetup("close", 10);
    closed.registration_closes = at("2026-11-20T18:00:00Z");
    let mut past = meetup("passee", 10);
    past.starts_at = at("2026-11-10T17:30:00Z");
    past.ends_at = at("2026-11-10T19:30:00Z");
    past.status = MeetupStatus::Planned;
    let mut keyless = meetup("sans-cle", 10);
    keyless.report_key_sha256 = None;
    vec![
        meetup("brest", 2),
        meetup("lyon", 30),
        meetup("bilan", 30),
        cancelled,
        full,
        later,
        closed,
        past,
        keyless,
    ]
}

/// Remembers every event the handler sends; stands for an email sender
/// when `reaches_people` is set.
#[derive(Default)]
pub(crate) struct Recorder(pub Mutex<Vec<Event>>, pub bool);

#[async_trait]
impl EventSink for Recorder {
    async fn notify(&self, event: &Event) {
        self.0.lock().unwrap().push(event.clone());
    }

    fn reaches_people(&self) -> bool {
        self.1
    }
}

impl Recorder {
    pub(crate) fn events(&self) -> Vec<Event> {
        self.0.lock().unwrap().clone()
    }
}

pub(crate) struct Server {
    pub addr: SocketAddr,
    pub store: Arc<dyn Store>,
    pub events: Arc<Recorder>,
    _dir: Option<tempfile::TempDir>,
}

pub(crate) fn config() -> FunctionConfig {
    FunctionConfig {
        site_url: SITE.into(),
        site_origin: SITE.into(),
        rate_limit_per_minute: 0,
        ..FunctionConfig::default()
    }
}

/// The handler on a fresh SQLite file holding [`meetups`].
pub(crate) async fn start(config: FunctionConfig) -> Server {
    start_with(config, Recorder::default()).await
}

/// Like [`start`], with a recorder standing for an email sender.
pub(crate) async fn start_with_emails(config: FunctionConfig) -> Server {
    start_with(config, Recorder(Mutex::default(), true)).await
}

async fn start_with(config: FunctionConfig, events: Recorder) -> Server {
    pin_clock();
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn Store> =
        Arc::new(SqliteStore::open(&dir.path().join("maillage.sqlite")).unwrap());
    store.put_meetups(&meetups()).await.unwrap();
    let mut server = serve_with(store, config, events).await;
    server._dir = Some(dir);
    server
}

/// The handler on any store, served on a free loopback port.
pub(crate) async fn serve(store: Arc<dyn Store>, config: FunctionConfig) -> Server {
    serve_with(store, config, Recorder::default()).await
}

/// Like [`serve`], with a recorder standing for an email sender.
pub(crate) async fn serve_with_emails(store: Arc<dyn Store>, config: FunctionConfig) -> Server {
    serve_with(store, config, Recorder(Mutex::default(), true)).await
}

async fn serve_with(store: Arc<dyn Store>, config: FunctionConfig, events: Recorder) -> Server {
    serve_with_sinks(store, config, events, Vec::new()).await
}

/// The handler on `store` telling `events` and the `other` sinks (a real
/// mailer) about every change.
pub(crate) async fn serve_with_sinks(
    store: Arc<dyn Store>,
    config: FunctionConfig,
    events: Recorder,
    other: Vec<Arc<dyn EventSink>>,
) -> Server {
    pin_clock();
    let events = Arc::new(events);
    let mut sinks = vec![events.clone() as Arc<dyn EventSink>];
    sinks.extend(other);
    let function = Arc::new(Function::new(store.clone(), config, sinks));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, peer)) = listener.accept().await else {
                return;
            };
            let function = function.clone();
            tokio::spawn(async move {
                let service = service_fn(move |request: hyper::Request<Incoming>| {
                    let function = function.clone();
                    async move {
                        let (mut parts, body) = request.into_parts();
                        let body = body
                            .collect()
                            .await
                            .map(|b| b.to_bytes())
                            .unwrap_or_default();
                        parts.extensions.insert(ClientIp(peer.ip()));
                        let response = function
                            .handle(http::Request::from_parts(parts, body))
                            .await;
                        Ok::<_, Infallible>(response.map(Full::new))
                    }
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    Server {
        addr,
        store,
        events,
        _dir: None,
    }
}

/// An answer, read whole.
#[derive(Debug)]
pub(crate) struct Reply {
    pub status: u16,
    pub headers: http::HeaderMap,
    pub body: String,
}

impl Reply {
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.body))
    }

    pub(crate) fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map(|v| v.to_str().unwrap())
            .unwrap_or("")
    }

    /// The French message of a field's error.
    pub(crate) fn field_error(&self, field: &str) -> String {
        self.json()["error"]["fields"][field]
            .as_str()
            .unwrap_or_else(|| panic!("no error for {field}: {}", self.body))
            .to_string()
    }

    pub(crate) fn code(&self) -> String {
        self.json()["error"]["code"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }
}

/// A request to send.
pub(crate) struct Call {
    pub method: &'static str,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    pub from: Option<IpAddr>,
}

impl Call {
    pub(crate) fn new(method: &'static str, path: &str) -> Call {
        Call {
            method,
            path: path.into(),
            headers: Vec::new(),
            body: Vec::new(),
            from: None,
        }
    }

    pub(crate) fn header(mut self, name: &str, value: &str) -> Call {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub(crate) fn form(self, pairs: &[(&str, &str)]) -> Call {
        let body = form_body(pairs);
        self.raw("application/x-www-form-urlencoded", body.as_bytes())
    }

    pub(crate) fn json_body(self, value: serde_json::Value) -> Call {
        self.raw("application/json", value.to_string().as_bytes())
            .header("accept", "application/json")
    }

    pub(crate) fn raw(mut self, content_type: &str, body: &[u8]) -> Call {
        self.headers
            .push(("content-type".into(), content_type.into()));
        self.body = body.to_vec();
        self
    }

    pub(crate) fn accept_json(self) -> Call {
        self.header("accept", "application/json")
    }

    pub(crate) fn from(mut self, ip: &str) -> Call {
        self.from = Some(ip.parse().unwrap());
        self
    }

    pub(crate) async fn send(self, server: &Server) -> Reply {
        let mut connector = HttpConnector::new();
        connector.set_local_address(self.from);
        let client: Client<_, Full<Bytes>> = Client::builder(TokioExecutor::new()).build(connector);
        let mut request = hyper::Request::builder()
            .method(self.method)
            .uri(format!("http://{}{}", server.addr, self.path));
        for (name, value) in &self.headers {
            request = request.header(name, value);
        }
        let response = client
            .request(request.body(Full::new(Bytes::from(self.body))).unwrap())
            .await
            .expect("an answer");
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        Reply {
            status,
            headers,
            body: String::from_utf8(body.to_vec()).expect("UTF-8 answer"),
        }
    }
}

pub(crate) fn form_body(pairs: &[(&str, &str)]) -> String {
    form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// A valid registration's fields.
pub(crate) fn person<'a>(
    meetup: &'a str,
    name: &'a str,
    email: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("meetup", meetup),
        ("name", name),
        ("email", email),
        ("role", "participant"),
        ("structure", ""),
        ("need", ""),
        ("consent", "oui"),
        ("website", ""),
    ]
}

/// Registers through the JSON answer and returns it.
pub(crate) async fn register(
    server: &Server,
    meetup: &str,
    name: &str,
    email: &str,
) -> serde_json::Value {
    let reply = Call::new("POST", "/api/registrations")
        .form(&person(meetup, name, email))
        .accept_json()
        .send(server)
        .await;
    assert!(
        reply.status == 201 || reply.status == 200,
        "{} {}",
        reply.status,
        reply.body
    );
    reply.json()
}
