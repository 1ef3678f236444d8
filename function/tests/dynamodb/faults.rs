//! A fault-injecting proxy between DynamoDB clients and moto's server, and
//! store instances that go through it.
//!
//! Each store instance gets a listener of its own on loopback (so rules can
//! name the instance), with its own SDK client: two instances share nothing
//! but the table, as two Lambda instances do. Rules pick requests by
//! instance, operation (`UpdateItem`, `Query`, ...) and substrings of the
//! body, and
//!
//! - [`Action::Delay`]: wait, then forward (a slow instance, throttling);
//! - [`Action::LoseAnswer`]: forward, let the server apply the write, then
//!   answer 500 InternalServerError: the answer is lost, and the SDK sends
//!   the same request again;
//! - [`Action::Refuse`]: answer 500 without forwarding (a write that did
//!   not happen, though the client cannot tell);
//! - [`Action::Hold`]: keep the request until the test releases it, to put
//!   another instance's requests in between at a chosen point;
//!   [`Action::HoldThenLoseAnswer`] also loses its answer.
//!
//! moto applies concurrent requests without isolating them (a failed
//! transaction restores a copy of the table taken before it, undoing
//! whatever other requests wrote meanwhile). DynamoDB makes every request
//! atomic, so the proxy forwards one request at a time: requests of
//! different instances still interleave freely, each one is atomic.

#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::convert::Infallible;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::{BehaviorVersion, Region};
use aws_sdk_dynamodb::config::retry::RetryConfig;
use aws_sdk_dynamodb::config::Credentials;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use maillage_store::dynamodb::DynamoStore;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// What a rule does to the requests it picks.
#[derive(Clone)]
pub enum Action {
    Delay(Duration),
    LoseAnswer,
    Refuse,
    Hold(Hold),
    HoldThenLoseAnswer(Hold),
}

/// Requests held until [`Hold::release`].
#[derive(Clone)]
pub struct Hold {
    arrived: watch::Sender<u32>,
    released: watch::Sender<bool>,
}

impl Default for Hold {
    fn default() -> Self {
        Hold::new()
    }
}

impl Hold {
    pub fn new() -> Hold {
        Hold {
            arrived: watch::channel(0).0,
            released: watch::channel(false).0,
        }
    }

    /// Waits until `count` requests are held; false after `within`.
    pub async fn arrived(&self, count: u32, within: Duration) -> bool {
        let mut arrived = self.arrived.subscribe();
        let waited = tokio::time::timeout(within, arrived.wait_for(|n| *n >= count)).await;
        waited.is_ok()
    }

    /// Lets every held request (and every later one) through.
    pub fn release(&self) {
        self.released.send_replace(true);
    }

    async fn wait(&self) {
        self.arrived.send_modify(|n| *n += 1);
        let mut released = self.released.subscribe();
        let _ = released.wait_for(|released| *released).await;
    }
}

/// Which requests a rule picks, and what it does to them.
#[derive(Clone)]
pub struct Rule {
    instance: Option<String>,
    operations: Vec<String>,
    after_answer: Option<String>,
    contains: Vec<String>,
    skip: u32,
    times: Option<u32>,
    probability: f64,
    action: Action,
}

impl Rule {
    /// The first request of `instance` (any instance with `None`) for one
    /// of `operations` (any operation when empty), unless widened or
    /// narrowed by the methods below.
    pub fn new(instance: Option<&str>, operations: &[&str], action: Action) -> Rule {
        Rule {
            instance: instance.map(str::to_string),
            operations: operations.iter().map(|o| o.to_string()).collect(),
            after_answer: None,
            contains: Vec::new(),
            skip: 0,
            times: Some(1),
            probability: 1.0,
            action,
        }
    }

    /// Only requests whose body contains `piece` (JSON text, as sent).
    pub fn containing(mut self, piece: &str) -> Rule {
        self.contains.push(piece.to_string());
        self
    }

    /// Only once a request of the instance for `operation` was applied
    /// (the server answered it with success; the rule then picks the
    /// requests after it): "once it took its place".
    pub fn once_applied(mut self, operation: &str) -> Rule {
        self.after_answer = Some(operation.to_string());
        self
    }

    /// Lets the first `count` matching requests through untouched.
    pub fn after(mut self, count: u32) -> Rule {
        self.skip = count;
        self
    }

    /// Applies to `count` requests (`None`: all of them).
    pub fn times(mut self, count: Option<u32>) -> Rule {
        self.times = count;
        self
    }

    /// Applies to each matching request with this probability.
    pub fn with_probability(mut self, probability: f64) -> Rule {
        self.probability = probability;
        self
    }
}

struct RuleState {
    rule: Rule,
    /// Requests it matched, and those it acted on.
    matched: u32,
    fired: u32,
}

struct Inner {
    upstream: String,
    client: Client<HttpConnector, Full<Bytes>>,
    rules: Mutex<Vec<RuleState>>,
    /// Operations each instance has sent, and how often.
    sent: Mutex<HashMap<(String, String), u64>>,
    /// Operations of each instance the server answered with success.
    applied: Mutex<HashSet<(String, String)>>,
    /// One request at a time reaches moto (see the module's description).
    serial: tokio::sync::Mutex<()>,
    random: Mutex<u64>,
    requests: AtomicU64,
}

/// The proxy; cheap to clone.
#[derive(Clone)]
pub struct FaultProxy {
    inner: Arc<Inner>,
}

/// The handle of a rule, to ask how often it fired.
#[derive(Debug, Clone, Copy)]
pub struct RuleId(usize);

impl FaultProxy {
    /// A proxy in front of `upstream` (`http://127.0.0.1:PORT`). `seed`
    /// makes the probabilistic rules repeatable.
    pub fn new(upstream: &str, seed: u64) -> FaultProxy {
        FaultProxy {
            inner: Arc::new(Inner {
                upstream: upstream.trim_end_matches('/').to_string(),
                client: Client::builder(TokioExecutor::new()).build_http(),
                rules: Mutex::new(Vec::new()),
                sent: Mutex::new(HashMap::new()),
                applied: Mutex::new(HashSet::new()),
                serial: tokio::sync::Mutex::new(()),
                random: Mutex::new(seed | 1),
                requests: AtomicU64::new(0),
            }),
        }
    }

    /// Adds a rule; rules are tried in the order they were added and the
    /// first that applies acts.
    pub fn add(&self, rule: Rule) -> RuleId {
        let mut rules = lock(&self.inner.rules);
        rules.push(RuleState {
            rule,
            matched: 0,
            fired: 0,
        });
        RuleId(rules.len() - 1)
    }

    /// How many requests the rule acted on.
    pub fn fired(&self, id: RuleId) -> u32 {
        lock(&self.inner.rules)[id.0].fired
    }

    /// Removes every rule (holds still waiting stay held until released).
    pub fn clear(&self) {
        lock(&self.inner.rules).clear();
    }

    /// Requests forwarded so far.
    pub fn requests(&self) -> u64 {
        self.inner.requests.load(Ordering::Relaxed)
    }

    /// Requests for `operation` received from `instance` so far.
    pub fn sent(&self, instance: &str, operation: &str) -> u64 {
        lock(&self.inner.sent)
            .get(&(instance.to_string(), operation.to_string()))
            .copied()
            .unwrap_or(0)
    }

    /// A listener for `instance`: its endpoint URL.
    pub async fn endpoint(&self, instance: &str) -> String {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let inner = Arc::clone(&self.inner);
        let instance: Arc<str> = Arc::from(instance);
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let inner = Arc::clone(&inner);
                let instance = Arc::clone(&instance);
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        let inner = Arc::clone(&inner);
                        let instance = Arc::clone(&instance);
                        async move { Ok::<_, Infallible>(inner.serve(&instance, request).await) }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        format!("http://{address}")
    }

    /// A store instance named `instance` on `table`, with a client of its
    /// own going through this proxy.
    pub async fn store(&self, instance: &str, table: &str) -> DynamoStore {
        let endpoint = self.endpoint(instance).await;
        store_at(&endpoint, table).await
    }
}

/// A store on `table` with a client of its own at `endpoint`. The SDK
/// retries as it does by default (3 attempts), with short waits.
pub async fn store_at(endpoint: &str, table: &str) -> DynamoStore {
    let config = aws_config::defaults(BehaviorVersion::latest())
        .http_client(aws_smithy_http_client::Builder::new().build_http())
        .region(Region::new("eu-west-3"))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new("local", "local", None, None, "local"))
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(3)
                .with_initial_backoff(Duration::from_millis(10))
                .with_max_backoff(Duration::from_millis(100)),
        )
        .load()
        .await;
    DynamoStore::new(aws_sdk_dynamodb::Client::new(&config), table)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Inner {
    async fn serve(&self, instance: &str, request: Request<Incoming>) -> Response<Full<Bytes>> {
        let (parts, body) = request.into_parts();
        let body = match body.collect().await {
            Ok(collected) => collected.to_bytes(),
            Err(_) => return answer(StatusCode::BAD_REQUEST, Bytes::new()),
        };
        let operation = parts
            .headers
            .get("x-amz-target")
            .and_then(|value| value.to_str().ok())
            .and_then(|target| target.rsplit('.').next())
            .unwrap_or("")
            .to_string();
        let action = self.pick(instance, &operation, &body);
        *lock(&self.sent)
            .entry((instance.to_string(), operation.clone()))
            .or_default() += 1;
        match &action {
            Some(Action::Delay(wait)) => tokio::time::sleep(*wait).await,
            Some(Action::Hold(hold)) | Some(Action::HoldThenLoseAnswer(hold)) => hold.wait().await,
            Some(Action::Refuse) => return lost(),
            _ => {}
        }
        let forwarded = {
            let _one_at_a_time = self.serial.lock().await;
            self.requests.fetch_add(1, Ordering::Relaxed);
            self.forward(&parts, body).await
        };
        if forwarded.status().is_success() {
            lock(&self.applied).insert((instance.to_string(), operation.clone()));
        }
        match action {
            Some(Action::LoseAnswer) | Some(Action::HoldThenLoseAnswer(_)) => lost(),
            _ => forwarded,
        }
    }

    /// The action of the first rule that applies to this request.
    fn pick(&self, instance: &str, operation: &str, body: &[u8]) -> Option<Action> {
        let text = String::from_utf8_lossy(body);
        let applied = lock(&self.applied);
        let mut rules = lock(&self.rules);
        for state in rules.iter_mut() {
            let rule = &state.rule;
            let applies = rule.instance.as_deref().is_none_or(|i| i == instance)
                && (rule.operations.is_empty() || rule.operations.iter().any(|o| o == operation))
                && rule.after_answer.as_ref().is_none_or(|operation| {
                    applied.contains(&(instance.to_string(), operation.clone()))
                })
                && rule
                    .contains
                    .iter()
                    .all(|piece| text.contains(piece.as_str()));
            if !applies || rule.times.is_some_and(|times| state.fired >= times) {
                continue;
            }
            state.matched += 1;
            if state.matched <= rule.skip {
                continue;
            }
            if rule.probability < 1.0 && !self.chance(rule.probability) {
                continue;
            }
            state.fired += 1;
            return Some(rule.action.clone());
        }
        None
    }

    fn chance(&self, probability: f64) -> bool {
        let mut state = lock(&self.random);
        // xorshift64*: quick, and repeatable from the seed.
        *state ^= *state >> 12;
        *state ^= *state << 25;
        *state ^= *state >> 27;
        let value = state.wrapping_mul(0x2545_f491_4f6c_dd1d) >> 11;
        (value as f64 / (1u64 << 53) as f64) < probability
    }

    async fn forward(
        &self,
        parts: &hyper::http::request::Parts,
        body: Bytes,
    ) -> Response<Full<Bytes>> {
        let path = parts.uri.path_and_query().map_or("/", |path| path.as_str());
        let mut request = Request::builder()
            .method(parts.method.clone())
            .uri(format!("{}{path}", self.upstream));
        for (name, value) in &parts.headers {
            if name != hyper::header::HOST && name != hyper::header::CONNECTION {
                request = request.header(name, value);
            }
        }
        let request = request.body(Full::new(body)).expect("a request");
        let response = match self.client.request(request).await {
            Ok(response) => response,
            Err(_) => return answer(StatusCode::BAD_GATEWAY, Bytes::new()),
        };
        let (parts, body) = response.into_parts();
        let body = body
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        let mut reply = Response::builder().status(parts.status);
        for (name, value) in &parts.headers {
            if name != hyper::header::CONTENT_LENGTH
                && name != hyper::header::TRANSFER_ENCODING
                && name != hyper::header::CONNECTION
            {
                reply = reply.header(name, value);
            }
        }
        reply.body(Full::new(body)).expect("a response")
    }
}

fn answer(status: StatusCode, body: Bytes) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .body(Full::new(body))
        .expect("a response")
}

/// What DynamoDB answers when it fails inside: the SDK retries it.
fn lost() -> Response<Full<Bytes>> {
    let body = r#"{"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError","message":"injected fault: the answer was lost"}"#;
    Response::builder()
        .status(StatusCode::INTERNAL_SERVER_ERROR)
        .header("content-type", "application/x-amz-json-1.0")
        .body(Full::new(Bytes::from_static(body.as_bytes())))
        .expect("a response")
}
