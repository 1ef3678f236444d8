//! The transport-agnostic handler: an `http::Request<Bytes>` in, an
//! `http::Response<Bytes>` out. `maillage serve` mounts it under `/api/`,
//! the Lambda binary feeds it API Gateway and Function URL events.
//!
//! Routes, under [`FunctionConfig::api_base`]:
//!
//! | Method | Path | What |
//! |---|---|---|
//! | POST | `/registrations` | register ([`registration`]) |
//! | GET, POST | `/registrations/cancel` | confirmation page, then cancel ([`cancellation`]) |
//! | POST | `/reports` | the organiser's report ([`report`]) |
//! | GET, POST | `/meetups/{id}/registrants` | the organiser's list ([`registrants`]) |
//!
//! Every request goes through the same defences, in this order: CORS
//! preflight, route and method, per-client rate limit, body size (16 KiB),
//! content type and strict decoding, then the form's own checks. Plain HTML
//! form posts get a 303 to the site's result pages (or a French error
//! page); `Accept: application/json` gets JSON.

pub mod answer;
pub mod cancellation;
pub mod config;
pub mod cors;
pub mod pages;
pub mod rate_limit;
pub mod registrants;
pub mod registration;
pub mod report;
pub mod request;
pub mod sanitize;
pub mod validation;

use std::net::IpAddr;
use std::sync::Arc;

use bytes::Bytes;
use http::header::{ALLOW, CONTENT_LENGTH, REFERER};
use http::request::Parts;
use http::{Method, Request, Response, StatusCode};

use crate::events::{Event, EventSink};
use crate::model::MeetupDefinition;
use crate::store::{Store, StoreError};

pub use answer::ApiError;
pub use config::FunctionConfig;
use rate_limit::RateLimiter;
use request::{Fields, BODY_LIMIT};

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

/// Which route a path names.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Route {
    Registrations,
    Cancel,
    Reports,
    Registrants(String),
}

impl Route {
    fn parse(path: &str, base: &str) -> Option<Route> {
        let rest = path.strip_prefix(base)?;
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        match rest {
            "/registrations" => Some(Route::Registrations),
            "/registrations/cancel" => Some(Route::Cancel),
            "/reports" => Some(Route::Reports),
            _ => {
                let id = rest
                    .strip_prefix("/meetups/")?
                    .strip_suffix("/registrants")?;
                (!id.is_empty() && !id.contains('/')).then(|| Route::Registrants(id.to_string()))
            }
        }
    }

    fn allows(&self, method: &Method) -> bool {
        match self {
            Route::Registrations | Route::Reports => method == Method::POST,
            Route::Cancel | Route::Registrants(_) => {
                method == Method::GET || method == Method::POST
            }
        }
    }

    fn allow_header(&self) -> &'static str {
        match self {
            Route::Registrations | Route::Reports => "POST, OPTIONS",
            Route::Cancel | Route::Registrants(_) => "GET, POST, OPTIONS",
        }
    }

    /// For logs: the route's shape, never its values.
    fn name(&self) -> &'static str {
        match self {
            Route::Registrations => "registrations",
            Route::Cancel => "registrations/cancel",
            Route::Reports => "reports",
            Route::Registrants(_) => "meetups/{id}/registrants",
        }
    }
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

    /// Answers one request. Never panics on client input and never lets an
    /// internal error's details out.
    pub async fn handle(&self, request: Request<Bytes>) -> Response<Bytes> {
        let (parts, body) = request.into_parts();
        let json = request::wants_json(&parts.headers);
        let route = Route::parse(parts.uri.path(), &self.config.api_base);
        let mut fields = Fields::default();
        let result = if cors::is_preflight(&parts.method, &parts.headers) {
            cors::preflight(&parts.headers, &self.config.site_origin)
        } else {
            self.route(&parts, route.as_ref(), &body, &mut fields, json)
                .await
        };
        let mut response = match result {
            Ok(response) => response,
            Err(error) => {
                tracing::info!(
                    route = route.as_ref().map_or("none", Route::name),
                    status = error.status.as_u16(),
                    code = error.code,
                    "request refused"
                );
                let mut response = if json {
                    error.to_json()
                } else {
                    error.to_html(self.back_link(&parts, route.as_ref(), &fields).as_deref())
                };
                if error.status == StatusCode::METHOD_NOT_ALLOWED {
                    if let Some(route) = &route {
                        response
                            .headers_mut()
                            .insert(ALLOW, route.allow_header().parse().expect("ascii"));
                    }
                }
                response
            }
        };
        cors::decorate(&mut response, &parts.headers, &self.config.site_origin);
        response
    }

    async fn route(
        &self,
        parts: &Parts,
        route: Option<&Route>,
        body: &Bytes,
        fields: &mut Fields,
        json: bool,
    ) -> Result<Response<Bytes>, ApiError> {
        let route = route.ok_or_else(ApiError::not_found)?;
        if parts.method == Method::OPTIONS {
            return Ok(Response::builder()
                .status(StatusCode::NO_CONTENT)
                .header(ALLOW, route.allow_header())
                .body(Bytes::new())
                .expect("a valid answer"));
        }
        if !route.allows(&parts.method) {
            return Err(ApiError::method_not_allowed());
        }
        let client = parts.extensions.get::<ClientIp>().map(|ip| ip.0);
        self.limiter.check(client).map_err(ApiError::rate_limited)?;
        let declared = parts
            .headers
            .get(CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        if body.len() > BODY_LIMIT || declared.is_some_and(|n| n > BODY_LIMIT as u64) {
            return Err(ApiError::body_too_large());
        }
        let query = request::parse_query(parts.uri.query());
        if parts.method == Method::POST {
            let kind = request::body_kind(&parts.headers, body)?;
            *fields = request::parse_body(kind, body)?;
        }
        match (route, parts.method == Method::GET) {
            (Route::Registrations, _) => registration::register(self, fields, json).await,
            (Route::Cancel, true) => cancellation::show(self, &query, json).await,
            (Route::Cancel, false) => cancellation::cancel(self, fields, json).await,
            (Route::Reports, _) => report::submit(self, fields, json).await,
            (Route::Registrants(id), _) => {
                registrants::list(self, id, &parts.headers, fields, &query).await
            }
        }
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

    /// Where the error page's "back" link goes: the page that sent the form
    /// when it is on the site, else the form's usual page.
    fn back_link(&self, parts: &Parts, route: Option<&Route>, fields: &Fields) -> Option<String> {
        let site = [&self.config.site_url, &self.config.site_origin];
        if let Some(referer) = parts.headers.get(REFERER).and_then(|v| v.to_str().ok()) {
            if site
                .iter()
                .any(|s| !s.is_empty() && referer.starts_with(&format!("{s}/")))
            {
                return Some(referer.to_string());
            }
        }
        match route? {
            Route::Registrations => fields
                .text("meetup")
                .filter(|id| validation::is_meetup_id(id))
                .map(|id| self.config.site_page(&format!("/rencontres/{id}/"))),
            Route::Reports => Some(self.config.site_page("/bilan/")),
            _ => None,
        }
    }
}

/// A store failure as the client sees it: an unknown meetup is a refusal,
/// anything else is logged here and answered without details.
fn store_error(error: StoreError) -> ApiError {
    match error {
        StoreError::UnknownMeetup(_) => ApiError::unknown_meetup(),
        StoreError::Backend(message) => {
            tracing::error!(error = %message, "store failure");
            ApiError::unavailable()
        }
    }
}
