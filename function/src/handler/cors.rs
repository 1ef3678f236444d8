//! CORS for the site's own origin only.
//!
//! The site's scripts may call the function from the configured origin
//! (`MAILLAGE_SITE_ORIGIN`); any other origin gets no CORS header, so a
//! browser keeps the answer from its page, and its preflight is refused.
//! Plain HTML form posts need no CORS at all.

use bytes::Bytes;
use http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN, VARY,
};
use http::{HeaderMap, HeaderValue, Method, Response, StatusCode};

use super::answer::ApiError;

/// The methods and request headers the site's scripts may use.
const METHODS: &str = "GET, POST, OPTIONS";
const HEADERS: &str = "Accept, Content-Type, X-Maillage-Key";

/// The request's `Origin` when it is the configured one.
pub fn allowed_origin<'a>(headers: &'a HeaderMap, site_origin: &str) -> Option<&'a HeaderValue> {
    let origin = headers.get(ORIGIN)?;
    (!site_origin.is_empty() && origin.as_bytes() == site_origin.as_bytes()).then_some(origin)
}

/// Whether an `OPTIONS` request is a CORS preflight.
pub fn is_preflight(method: &Method, headers: &HeaderMap) -> bool {
    method == Method::OPTIONS
        && headers.contains_key(ORIGIN)
        && headers.contains_key(ACCESS_CONTROL_REQUEST_METHOD)
}

/// The answer to a preflight: allowed for the site's origin and the
/// methods the function serves, refused (403) otherwise.
pub fn preflight(headers: &HeaderMap, site_origin: &str) -> Result<Response<Bytes>, ApiError> {
    let method_ok = headers
        .get(ACCESS_CONTROL_REQUEST_METHOD)
        .and_then(|m| m.to_str().ok())
        .is_some_and(|m| matches!(m, "GET" | "POST"));
    match allowed_origin(headers, site_origin) {
        Some(origin) if method_ok => Ok(Response::builder()
            .status(StatusCode::NO_CONTENT)
            .header(ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone())
            .header(ACCESS_CONTROL_ALLOW_METHODS, METHODS)
            .header(ACCESS_CONTROL_ALLOW_HEADERS, HEADERS)
            .header(ACCESS_CONTROL_MAX_AGE, "600")
            .header(VARY, "Origin")
            .body(Bytes::new())
            .expect("a valid preflight answer")),
        _ => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "cors_refused",
            "Cette origine n'est pas autorisée à appeler la fonction.",
        )),
    }
}

/// Adds the CORS headers to an answer for the site's origin.
pub fn decorate(response: &mut Response<Bytes>, request_headers: &HeaderMap, site_origin: &str) {
    let headers = response.headers_mut();
    headers.append(VARY, HeaderValue::from_static("Origin"));
    if let Some(origin) = allowed_origin(request_headers, site_origin) {
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
    }
}
