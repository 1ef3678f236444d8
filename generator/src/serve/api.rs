//! The function under `/api/`: each request's body read within the
//! function's size limit and serve's body timeout (a tower layer), then
//! handed over with the client's address.
//!
//! A body declared longer than the limit is refused before it is read.
//! That check is here rather than in tower-http's `RequestBodyLimitLayer`
//! because that layer answers in fixed English text, and the organiser whose
//! report is too long must read the function's answer: French, or JSON that
//! the form's script shows.

use std::error::Error;
use std::net::SocketAddr;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::response::Response;
use axum::routing::{any, MethodRouter};
use axum::Router;
use bytes::Bytes;
use http::header::CONTENT_LENGTH;
use http::request::Parts;
use http_body_util::LengthLimitError;
use maillage_function::handler::request::{wants_json, BODY_LIMIT};
use maillage_function::handler::{ApiError, ClientIp};
use tower_http::timeout::{RequestBodyDeadlineLayer, TimeoutError};

use super::ApiHandler;

/// `/api` and everything under it, answered by `api`; bodies must arrive
/// within `body_timeout` of their headers.
pub(super) fn routes(api: ApiHandler, body_timeout: Duration) -> Router {
    let call: MethodRouter<ApiHandler> =
        any(call).layer(RequestBodyDeadlineLayer::new(body_timeout));
    Router::new()
        .route("/api", call.clone())
        .route("/api/", call.clone())
        .route("/api/{*rest}", call)
        .with_state(api)
}

async fn call(
    State(api): State<ApiHandler>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
) -> Response {
    let (mut parts, body) = request.into_parts();
    // For the function's per-client rate limit.
    parts.extensions.insert(ClientIp(peer.ip()));
    let answer = match read_body(&parts, body).await {
        Ok(body) => api(http::Request::from_parts(parts, body)).await,
        Err(refusal) if wants_json(&parts.headers) => refusal.to_json(),
        Err(refusal) => refusal.to_html(None),
    };
    answer.map(Body::from)
}

/// The body, or why it is refused: declared or found longer than the
/// function takes (413), not all there in time (408), badly framed (400).
async fn read_body(parts: &Parts, body: Body) -> Result<Bytes, ApiError> {
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > BODY_LIMIT as u64) {
        return Err(ApiError::body_too_large());
    }
    axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .map_err(|e| refusal(&e))
}

fn refusal(error: &(dyn Error + 'static)) -> ApiError {
    let mut cause = Some(error);
    while let Some(error) = cause {
        if error.is::<LengthLimitError>() {
            return ApiError::body_too_large();
        }
        if error.is::<TimeoutError>() {
            return ApiError::request_timeout();
        }
        cause = error.source();
    }
    ApiError::malformed_request()
}
