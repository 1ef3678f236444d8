//! The function on AWS Lambda, behind an API Gateway HTTP API or a Lambda
//! Function URL (both send the HTTP API 2.0 event).
//!
//! This binary only adapts: a Lambda HTTP event becomes an
//! `http::Request<Bytes>` (with the client's address from the request
//! context), the transport-agnostic handler answers it, and the answer goes
//! back as a Lambda HTTP response. Configuration comes from environment
//! variables; see `function/docs/lambda.md`.

use std::net::IpAddr;
use std::sync::Arc;

use bytes::Bytes;
use lambda_http::request::RequestContext;
use lambda_http::{service_fn, Body, Error, Request, RequestExt, Response};
use maillage_function::store::dynamodb::DynamoStore;

/// The address the request came from, as API Gateway or the Function URL
/// saw it (never a header the client could forge).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SourceIp(pub IpAddr);

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    lambda_http::tracing::init_default_subscriber();
    let store = Arc::new(DynamoStore::from_env().await?);
    let app = App { store };
    lambda_http::run(service_fn(|event: Request| {
        let app = app.clone();
        async move {
            Ok::<_, Error>(into_lambda_response(
                app.handle(into_http_request(event)).await,
            ))
        }
    }))
    .await
}

/// What serves the requests.
#[derive(Clone)]
struct App {
    store: Arc<DynamoStore>,
}

impl App {
    async fn handle(&self, request: http::Request<Bytes>) -> http::Response<Bytes> {
        let _ = (&self.store, request);
        http::Response::builder()
            .status(http::StatusCode::SERVICE_UNAVAILABLE)
            .header(http::header::CONTENT_TYPE, "application/json; charset=utf-8")
            .body(Bytes::from_static(
                br#"{"code":"unavailable","message":"Le service n'est pas disponible pour le moment."}"#,
            ))
            .expect("a static response")
    }
}

/// The Lambda event as a plain HTTP request.
fn into_http_request(event: Request) -> http::Request<Bytes> {
    let source_ip = source_ip(&event);
    let (mut parts, body) = event.into_parts();
    let body = match body {
        Body::Empty => Bytes::new(),
        Body::Text(text) => Bytes::from(text),
        Body::Binary(bytes) => Bytes::from(bytes),
        _ => Bytes::new(),
    };
    // Lambda's own extensions (request context, path parameters...) are
    // not the handler's business; the client's address is.
    parts.extensions = http::Extensions::new();
    if let Some(ip) = source_ip {
        parts.extensions.insert(SourceIp(ip));
    }
    http::Request::from_parts(parts, body)
}

/// The client's address from the HTTP API 2.0 request context.
fn source_ip(event: &Request) -> Option<IpAddr> {
    match event.request_context_ref()? {
        RequestContext::ApiGatewayV2(context) => context.http.source_ip.as_deref()?.parse().ok(),
        _ => None,
    }
}

/// The handler's answer as a Lambda HTTP response. Text bodies stay text;
/// lambda_http base64-encodes the others by content type.
fn into_lambda_response(response: http::Response<Bytes>) -> Response<Body> {
    let (parts, body) = response.into_parts();
    let body = if body.is_empty() {
        Body::Empty
    } else {
        match String::from_utf8(body.to_vec()) {
            Ok(text) => Body::Text(text),
            Err(error) => Body::Binary(error.into_bytes()),
        }
    };
    Response::from_parts(parts, body)
}
