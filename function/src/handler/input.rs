//! What a route reads from a request: its body within the size limit, as
//! form fields (URL-encoded or JSON), its query, and whether the client
//! wants JSON. A request that cannot be read is refused in the client's
//! language: JSON for scripts, a French page for forms.
//!
//! The size limit is enforced here rather than by tower-http's
//! `RequestBodyLimitLayer`, whose 413 is fixed English text: an organiser
//! whose report is too long must read the function's own answer.

use std::error::Error;

use axum::body::Body;
use axum::extract::{FromRequest, Request};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use http::header::{CONTENT_LENGTH, REFERER};
use http::request::Parts;
use http::Method;
use http_body_util::LengthLimitError;
use tower_http::timeout::TimeoutError;

use super::answer::ApiError;
use super::request::{body_kind, parse_body, parse_query, wants_json, Fields, BODY_LIMIT};

/// A request as the routes read it.
pub(super) struct Input {
    pub(super) parts: Parts,
    /// The body's fields (empty for `GET`).
    pub(super) fields: Fields,
    pub(super) query: Fields,
    pub(super) json: bool,
}

impl Input {
    /// The page that sent the request, when the client says so.
    pub(super) fn referer(&self) -> Option<&str> {
        self.parts.headers.get(REFERER)?.to_str().ok()
    }
}

impl<S: Send + Sync> FromRequest<S> for Input {
    type Rejection = Response;

    async fn from_request(request: Request, _: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = request.into_parts();
        let json = wants_json(&parts.headers);
        let refuse = |error: ApiError| Refusal::new(error, json).into_response();
        let bytes = read_body(&parts, body).await.map_err(refuse)?;
        let fields = if parts.method == Method::POST {
            let kind = body_kind(&parts.headers, &bytes).map_err(refuse)?;
            parse_body(kind, &bytes).map_err(refuse)?
        } else {
            Fields::default()
        };
        let query = parse_query(parts.uri.query());
        Ok(Input {
            parts,
            fields,
            query,
            json,
        })
    }
}

/// The body, or why it is refused: declared or found longer than the
/// limit (413), not all there in time (408, when the transport sets a
/// deadline), badly framed (400).
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
        .map_err(|e| unreadable(&e))
}

fn unreadable(error: &(dyn Error + 'static)) -> ApiError {
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

/// A refusal as the client gets it: JSON, or a French page with a link
/// back to where the person came from.
pub(super) struct Refusal {
    error: ApiError,
    json: bool,
    back: Option<String>,
}

impl Refusal {
    pub(super) fn new(error: ApiError, json: bool) -> Refusal {
        Refusal {
            error,
            json,
            back: None,
        }
    }

    pub(super) fn back_to(mut self, page: Option<String>) -> Refusal {
        self.back = page;
        self
    }
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        tracing::info!(
            status = self.error.status.as_u16(),
            code = self.error.code,
            "request refused"
        );
        let answer = if self.json {
            self.error.to_json()
        } else {
            self.error.to_html(self.back.as_deref())
        };
        answer.map(Body::from)
    }
}
