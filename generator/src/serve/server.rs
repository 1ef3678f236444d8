//! serve's connections: accepted up to a limit, and each closed when its
//! client holds it without finishing a request. Request-level limits (a
//! body's size and time) are tower layers on the routes that read bodies
//! (see `api`).

use std::io;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// How long serve waits for slow clients, and how many it serves at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// From a connection's opening, or from its previous answer, to the end
    /// of a request's headers. Closes connections that stay silent, send
    /// their headers too slowly, or stay idle after an answer (keep-alive).
    pub header_timeout: Duration,
    /// From the end of a request's headers to the end of its body, for the
    /// requests that carry one (the forms under `/api/`).
    pub body_timeout: Duration,
    /// Connections served at once; past it, new ones wait to be accepted
    /// until one closes. Kept well under the usual 1,024 open files.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            max_connections: 256,
        }
    }
}

/// The longest silence between two reports that the server is full, or
/// that it cannot accept connections.
const REPORT_EVERY: Duration = Duration::from_secs(60);

/// Serves `app` on `listener` with `limits`, for as long as the runtime runs.
pub(super) async fn run(listener: TcpListener, app: Router, limits: Limits) {
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let mut connections = http1::Builder::new();
    connections
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout);
    let mut full = Report::default();
    let mut failing = Report::default();
    loop {
        let slot = match slots.clone().try_acquire_owned() {
            Ok(slot) => slot,
            Err(_) => {
                full.now(|| {
                    eprintln!(
                        "serve: {} connections open, the most allowed (--max-connections): \
                         new ones wait until one closes",
                        limits.max_connections
                    )
                });
                let Ok(slot) = slots.clone().acquire_owned().await else {
                    return;
                };
                slot
            }
        };
        let (stream, peer) = match listener.accept().await {
            Ok(accepted) => accepted,
            Err(e) if is_connection_error(&e) => continue,
            Err(e) => {
                // Out of descriptors, most often: wait for some to close.
                failing.now(|| eprintln!("serve: cannot accept a connection: {e}"));
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        // For the function's per-client rate limit.
        let service = app
            .clone()
            .map_request(move |request: http::Request<Incoming>| {
                let mut request = request.map(Body::new);
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            });
        let connection =
            connections.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        tokio::spawn(async move {
            // A client that goes away or times out is no error of ours.
            let _ = connection.await;
            drop(slot);
        });
    }
}

/// Errors of one connection that the client caused: the next one is fine.
fn is_connection_error(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::ConnectionRefused
            | io::ErrorKind::ConnectionAborted
            | io::ErrorKind::ConnectionReset
    )
}

/// Says something at most once every [`REPORT_EVERY`].
#[derive(Default)]
struct Report {
    last: Option<Instant>,
}

impl Report {
    fn now(&mut self, say: impl FnOnce()) {
        if self.last.is_none_or(|last| last.elapsed() >= REPORT_EVERY) {
            say();
            self.last = Some(Instant::now());
        }
    }
}
