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
use maillage_function::events::EventSink;
use maillage_function::handler::{ClientIp, Function, FunctionConfig};
use maillage_function::store::dynamodb::DynamoStore;
use maillage_function::trigger::RebuildTrigger;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    lambda_http::tracing::init_default_subscriber();
    let app = App::from_env().await?;
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

/// What serves the requests: the handler on the DynamoDB store, with the
/// configured event sinks (rebuild trigger, confirmation emails).
#[derive(Clone)]
struct App {
    function: Arc<Function>,
}

impl App {
    async fn from_env() -> Result<App, Error> {
        let store = Arc::new(DynamoStore::from_env().await?);
        let config = FunctionConfig::from_env()?;
        let mut sinks: Vec<Arc<dyn EventSink>> = Vec::new();
        if let Some(trigger) = RebuildTrigger::from_env()? {
            // Instances share the window through the table.
            sinks.push(Arc::new(trigger.with_coalescer(store.clone())));
        }
        if let Some(mailer) = maillage_function::email::Mailer::from_env()? {
            // The instance may be frozen after the answer: send before it.
            sinks.push(Arc::new(mailer.inline()));
        }
        Ok(App {
            function: Arc::new(Function::new(store, config, sinks)),
        })
    }

    async fn handle(&self, request: http::Request<Bytes>) -> http::Response<Bytes> {
        self.function.handle(request).await
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
        parts.extensions.insert(ClientIp(ip));
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

#[cfg(test)]
mod tests {
    use super::*;

    /// An HTTP API (payload 2.0) event as API Gateway sends it, trimmed to
    /// the fields that matter here.
    const HTTP_API_EVENT: &str = r#"{
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/api/registrations/cancel",
        "rawQueryString": "token=abc%2Bdef&lang=fr",
        "cookies": ["session=1"],
        "headers": {
            "accept": "application/json",
            "content-type": "application/json",
            "host": "a1b2c3d4e5.execute-api.eu-west-3.amazonaws.com",
            "x-forwarded-for": "192.0.2.250, 203.0.113.7"
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "a1b2c3d4e5",
            "domainName": "a1b2c3d4e5.execute-api.eu-west-3.amazonaws.com",
            "http": {
                "method": "POST",
                "path": "/api/registrations/cancel",
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.7",
                "userAgent": "Mozilla/5.0"
            },
            "requestId": "JKJaXmPLvHcESHA=",
            "routeKey": "$default",
            "stage": "$default",
            "time": "22/Nov/2026:12:00:00 +0000",
            "timeEpoch": 1795176000000
        },
        "body": "{\"confirm\":true}",
        "isBase64Encoded": false
    }"#;

    /// A Function URL event: same format, base64 form body, IPv6 client.
    const FUNCTION_URL_EVENT: &str = r#"{
        "version": "2.0",
        "routeKey": "$default",
        "rawPath": "/api/registrations",
        "rawQueryString": "",
        "headers": {
            "content-type": "application/x-www-form-urlencoded",
            "host": "abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-3.on.aws"
        },
        "requestContext": {
            "accountId": "anonymous",
            "apiId": "abcdefghijklmnopqrstuvwxyz012345",
            "domainName": "abcdefghijklmnopqrstuvwxyz012345.lambda-url.eu-west-3.on.aws",
            "http": {
                "method": "POST",
                "path": "/api/registrations",
                "protocol": "HTTP/1.1",
                "sourceIp": "2001:db8::7",
                "userAgent": "Mozilla/5.0"
            },
            "requestId": "1b2f6a1e-5a8e-4c3b-9a57-0c0e6a3d7f10",
            "routeKey": "$default",
            "stage": "$default",
            "time": "22/Nov/2026:12:00:01 +0000",
            "timeEpoch": 1795176001000
        },
        "body": "bWVldHVwPWJyZXN0Jm5hbWU9QSVDMyVBRmNoYQ==",
        "isBase64Encoded": true
    }"#;

    #[test]
    fn an_http_api_event_becomes_a_plain_request() {
        let event = lambda_http::request::from_str(HTTP_API_EVENT).unwrap();
        let request = into_http_request(event);
        assert_eq!(request.method(), http::Method::POST);
        assert_eq!(request.uri().path(), "/api/registrations/cancel");
        assert_eq!(request.uri().query(), Some("token=abc%2Bdef&lang=fr"));
        assert_eq!(request.headers()["accept"], "application/json");
        assert_eq!(request.headers()["cookie"], "session=1");
        assert_eq!(request.body().as_ref(), br#"{"confirm":true}"#);
        // The address API Gateway saw, not the forgeable header's first entry.
        assert_eq!(
            request.extensions().get::<ClientIp>(),
            Some(&ClientIp("203.0.113.7".parse().unwrap()))
        );
        assert!(request.extensions().get::<RequestContext>().is_none());
    }

    #[test]
    fn a_function_url_event_has_its_body_decoded() {
        let event = lambda_http::request::from_str(FUNCTION_URL_EVENT).unwrap();
        let request = into_http_request(event);
        assert_eq!(request.uri().path(), "/api/registrations");
        assert_eq!(request.uri().query(), None);
        assert_eq!(request.body().as_ref(), b"meetup=brest&name=A%C3%AFcha");
        assert_eq!(
            request.extensions().get::<ClientIp>(),
            Some(&ClientIp("2001:db8::7".parse().unwrap()))
        );
    }

    #[test]
    fn answers_go_back_as_text_or_binary() {
        let redirect = http::Response::builder()
            .status(303)
            .header(
                "location",
                "https://rencontres.example.org/inscription/?statut=confirme",
            )
            .body(Bytes::new())
            .unwrap();
        let response = into_lambda_response(redirect);
        assert_eq!(response.status(), 303);
        assert_eq!(
            response.headers()["location"],
            "https://rencontres.example.org/inscription/?statut=confirme"
        );
        assert!(matches!(response.body(), Body::Empty));

        let csv = http::Response::new(Bytes::from("nom;courriel\nAïcha;a@example.org\n"));
        assert!(
            matches!(into_lambda_response(csv).body(), Body::Text(text) if text.starts_with("nom;"))
        );

        let binary = http::Response::new(Bytes::from_static(&[0xff, 0x00, 0xfe]));
        assert!(
            matches!(into_lambda_response(binary).body(), Body::Binary(bytes) if bytes == &[0xff, 0x00, 0xfe])
        );
    }
}
