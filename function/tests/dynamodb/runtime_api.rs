//! A Lambda Runtime API on loopback, enough to run a custom runtime binary
//! the way Lambda does: the binary long-polls `GET .../invocation/next` for
//! an event and posts its answer to `.../invocation/{id}/response` (or
//! `/error`). See AWS's "Using the Lambda runtime API for custom runtimes".

#![allow(dead_code)]

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex as StdMutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, Mutex};

const PREFIX: &str = "/2018-06-01/runtime";

/// What the runtime posted back for one invocation.
#[derive(Debug)]
pub(crate) struct Answer {
    pub request_id: String,
    /// `response`, `error`, or `init-error`.
    pub kind: String,
    pub body: serde_json::Value,
    pub at: Instant,
}

pub(crate) struct RuntimeApi {
    pub address: SocketAddr,
    events: mpsc::UnboundedSender<(String, serde_json::Value)>,
    answers: Mutex<mpsc::UnboundedReceiver<Answer>>,
    next_id: AtomicU64,
    first_poll: Arc<StdMutex<Option<Instant>>>,
}

struct Shared {
    events: Mutex<mpsc::UnboundedReceiver<(String, serde_json::Value)>>,
    answers: mpsc::UnboundedSender<Answer>,
    first_poll: Arc<StdMutex<Option<Instant>>>,
}

impl RuntimeApi {
    pub(crate) async fn start() -> RuntimeApi {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let (events_tx, events_rx) = mpsc::unbounded_channel();
        let (answers_tx, answers_rx) = mpsc::unbounded_channel();
        let first_poll = Arc::new(StdMutex::new(None));
        let shared = Arc::new(Shared {
            events: Mutex::new(events_rx),
            answers: answers_tx,
            first_poll: Arc::clone(&first_poll),
        });
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let shared = Arc::clone(&shared);
                tokio::spawn(async move {
                    let service = service_fn(move |request| serve(Arc::clone(&shared), request));
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        RuntimeApi {
            address,
            events: events_tx,
            answers: Mutex::new(answers_rx),
            next_id: AtomicU64::new(1),
            first_poll,
        }
    }

    /// Queues an event; returns its request id.
    pub(crate) fn invoke(&self, event: serde_json::Value) -> String {
        let id = format!(
            "8476a536-e9f4-11e8-9739-{:012x}",
            self.next_id.fetch_add(1, Ordering::Relaxed)
        );
        self.events.send((id.clone(), event)).unwrap();
        id
    }

    /// The next answer the runtime posted.
    pub(crate) async fn answer(&self, timeout: Duration) -> Answer {
        tokio::time::timeout(timeout, self.answers.lock().await.recv())
            .await
            .expect("the runtime answered in time")
            .expect("the runtime API is running")
    }

    /// When the runtime first asked for an event (its initialisation done).
    pub(crate) fn first_poll(&self) -> Option<Instant> {
        *self.first_poll.lock().unwrap()
    }
}

async fn serve(
    shared: Arc<Shared>,
    request: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = request.uri().path().to_string();
    let method = request.method().clone();
    let body = request
        .into_body()
        .collect()
        .await
        .map(|collected| collected.to_bytes())
        .unwrap_or_default();
    let Some(rest) = path.strip_prefix(PREFIX) else {
        return Ok(status(StatusCode::NOT_FOUND));
    };
    if method == Method::GET && rest == "/invocation/next" {
        shared
            .first_poll
            .lock()
            .unwrap()
            .get_or_insert_with(Instant::now);
        let Some((id, event)) = shared.events.lock().await.recv().await else {
            return Ok(status(StatusCode::GONE));
        };
        let deadline =
            SystemTime::now().duration_since(UNIX_EPOCH).unwrap() + Duration::from_secs(30);
        return Ok(Response::builder()
            .header("content-type", "application/json")
            .header("lambda-runtime-aws-request-id", &id)
            .header(
                "lambda-runtime-deadline-ms",
                deadline.as_millis().to_string(),
            )
            .header(
                "lambda-runtime-invoked-function-arn",
                "arn:aws:lambda:eu-west-3:123456789012:function:maillage",
            )
            .header(
                "lambda-runtime-trace-id",
                "Root=1-5759e988-bd862e3fe1be46a994272793;Sampled=1",
            )
            .body(Full::new(Bytes::from(event.to_string())))
            .unwrap());
    }
    if method == Method::POST {
        let answer = |request_id: &str, kind: &str| Answer {
            request_id: request_id.to_string(),
            kind: kind.to_string(),
            body: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
            at: Instant::now(),
        };
        if rest == "/init/error" {
            let _ = shared.answers.send(answer("", "init-error"));
            return Ok(status(StatusCode::ACCEPTED));
        }
        if let Some(invocation) = rest.strip_prefix("/invocation/") {
            if let Some((id, kind)) = invocation.split_once('/') {
                let _ = shared.answers.send(answer(id, kind));
                return Ok(status(StatusCode::ACCEPTED));
            }
        }
    }
    Ok(status(StatusCode::NOT_FOUND))
}

fn status(code: StatusCode) -> Response<Full<Bytes>> {
    Response::builder()
        .status(code)
        .body(Full::new(Bytes::new()))
        .unwrap()
}
