//! The function's HTTP side: its routes and layers ([`routes`], an axum
//! `Router`), the forms behind them, and the answers.
//!
//! Every request goes through the same defences: CORS for the site's origin
//! only, a deadline, the per-client rate limit, the body's size (16 KiB),
//! its content type and strict decoding, then the form's own checks. Plain
//! HTML form posts get a 303 to the site's result pages (or a French error
//! page); `Accept: application/json` gets JSON.

mod answer;
mod attendance;
mod attestation;
mod cancellation;
pub mod config;
mod coordination;
mod input;
mod message;
mod pages;
mod proposal;
mod proposal_form;
mod proposal_pages;
mod rate_limit;
mod registrants;
mod reminder;
pub use reminder::reminder_due;
mod registration;
mod report;
// Public for the fuzz harness, which feeds them hostile bodies.
pub mod request;
mod routes;
pub mod sanitize;
pub mod validation;

use std::net::IpAddr;
use std::sync::Arc;

use bytes::Bytes;
use http::{Request, Response};

use maillage_model::events::{Event, EventSink};
use maillage_model::meetup::MeetupDefinition;
use maillage_store::{Store, StoreError};

pub use answer::ApiError;
pub use config::FunctionConfig;
use rate_limit::RateLimiter;

/// The client's address, as a request extension set by the transport
/// (`maillage serve` from the socket, the Lambda adapter from the event's
/// source IP). Without it, every request shares one rate-limit bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientIp(pub IpAddr);

/// The function: forms in, store writes and events out.
pub struct Function {
    store: Arc<dyn Store>,
    config: FunctionConfig,
    sinks: Vec<Arc<dyn EventSink>>,
    limiter: RateLimiter,
}

impl Function {
    pub fn new(
        store: Arc<dyn Store>,
        config: FunctionConfig,
        sinks: Vec<Arc<dyn EventSink>>,
    ) -> Function {
        let limiter = RateLimiter::new(config.rate_limit_per_minute);
        Function {
            store,
            config,
            sinks,
            limiter,
        }
    }

    pub fn config(&self) -> &FunctionConfig {
        &self.config
    }

    /// The routes, for a transport to serve (`maillage serve` mounts them
    /// under its `/api`; the Lambda binary calls them with each event).
    pub fn router(self: &Arc<Self>) -> axum::Router {
        routes::router(self.clone())
    }

    /// Answers one request through a new [`Function::router`] (transports
    /// keep one router and use [`call`]).
    pub async fn handle(self: &Arc<Self>, request: Request<Bytes>) -> Response<Bytes> {
        call(&self.router(), request).await
    }

    /// The meetup, or the refusal for an unknown one.
    async fn meetup(&self, id: &str) -> Result<MeetupDefinition, ApiError> {
        self.store
            .meetup(id)
            .await
            .map_err(store_error)?
            .ok_or_else(ApiError::unknown_meetup)
    }

    /// Tells every sink about a durable change (or a registration made
    /// again, see [`Event::RegisteredAgain`]).
    async fn notify(&self, event: &Event) {
        for sink in &self.sinks {
            sink.notify(event).await;
        }
    }

    /// Whether a sink writes to people (confirmation emails are on).
    fn reaches_people(&self) -> bool {
        self.sinks.iter().any(|sink| sink.reaches_people())
    }

    /// Whether `url` is a page of the site (the error page may link back
    /// to it).
    fn is_site_page(&self, url: &str) -> bool {
        [&self.config.site_url, &self.config.site_origin]
            .iter()
            .any(|site| !site.is_empty() && url.starts_with(&format!("{site}/")))
    }
}

/// Answers one request with `routes` (the function's [`Function::router`]),
/// its body in memory both ways. Never panics on client input and never
/// lets an internal error's details out.
pub async fn call(routes: &axum::Router, request: Request<Bytes>) -> Response<Bytes> {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let answer = routes
        .clone()
        .oneshot(request.map(axum::body::Body::from))
        .await
        .unwrap_or_else(|never| match never {});
    let (parts, body) = answer.into_parts();
    let body = body
        .collect()
        .await
        .map(|collected| collected.to_bytes())
        .unwrap_or_default();
    Response::from_parts(parts, body)
}

/// A store failure as the client sees it: an unknown meetup is a refusal,
/// anything else is logged here and answered without details.
fn store_error(error: StoreError) -> ApiError {
    match error {
        StoreError::UnknownMeetup(_) => ApiError::unknown_meetup(),
        error @ (StoreError::Backend { .. } | StoreError::Malformed(_)) => {
            tracing::error!(%error, "store failure");
            ApiError::unavailable()
        }
    }
}
