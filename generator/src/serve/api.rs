//! The function's routes under `/api/`, with what only serve knows: the
//! client's address (for the function's per-client rate limit) and a
//! deadline for request bodies. The function reads each body within its
//! size limit and answers a late one with 408 (see its `handler` module).

use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use maillage_function::handler::ClientIp;
use tower_http::timeout::RequestBodyDeadlineLayer;

/// The function's `router`, whose bodies must arrive within
/// `body_timeout` of their headers.
pub(super) fn routes(router: Router, body_timeout: Duration) -> Router {
    router
        .layer(RequestBodyDeadlineLayer::new(body_timeout))
        .layer(middleware::from_fn(client_ip))
}

async fn client_ip(
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut request: Request,
    next: Next,
) -> Response {
    request.extensions_mut().insert(ClientIp(peer.ip()));
    next.run(request).await
}
