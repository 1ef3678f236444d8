//! HTTP events (API Gateway HTTP API and Function URLs, both in the 2.0
//! format) as plain `http::Request<Bytes>` for the handler, and its answers
//! back as Lambda HTTP responses.

use std::net::IpAddr;

use bytes::Bytes;
use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpResponse;
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use maillage_function::handler::ClientIp;

/// Parses an HTTP API 2.0 event (the JSON text Lambda delivered).
pub(crate) fn parse(event: &str) -> Result<Request, serde_json::Error> {
    lambda_http::request::from_str(event)
}

/// The Lambda event as a plain HTTP request.
pub(crate) fn into_http_request(event: Request) -> http::Request<Bytes> {
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

/// The handler's answer as a Lambda HTTP response: text bodies stay text,
/// others are binary (base64-encoded on the way out).
pub(crate) fn into_lambda_response(response: http::Response<Bytes>) -> Response<Body> {
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

/// The answer in the HTTP API 2.0 format both sources expect: cookies set
/// in their own field, the body base64-encoded when binary.
pub(crate) fn into_http_api_response(response: Response<Body>) -> ApiGatewayV2httpResponse {
    let (mut parts, body) = response.into_parts();
    let cookies = parts
        .headers
        .get_all(http::header::SET_COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok().map(str::to_string))
        .collect();
    parts.headers.remove(http::header::SET_COOKIE);
    let mut answer = ApiGatewayV2httpResponse::default();
    answer.status_code = i64::from(parts.status.as_u16());
    answer.is_base64_encoded = matches!(body, Body::Binary(_));
    answer.body = match body {
        Body::Empty => None,
        body => Some(body),
    };
    answer.headers = parts.headers;
    answer.cookies = cookies;
    answer
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
