//! The function's routes, declared once, and the layers every request
//! crosses, outermost first: tracing (method, path and status, never the
//! query, which can hold a private token), CORS for the site's origin only,
//! a deadline for the whole answer, then the per-client rate limit.
//! `maillage serve` mounts this router; the Lambda binary calls it with
//! each HTTP event.
//!
//! | Method | Path | What |
//! |---|---|---|
//! | POST | `/registrations` | register ([`registration`](super::registration)) |
//! | GET, POST | `/registrations/cancel` | confirmation page, then cancel ([`cancellation`](super::cancellation)) |
//! | POST | `/reports` | the organiser's report ([`report`](super::report)) |
//! | GET, POST | `/meetups/{id}/registrants` | the organiser's list ([`registrants`](super::registrants)) |
//! | POST | `/registrants` | the same, the meetup in the form; a page by default |
//! | POST | `/attendance` | who came, from the organiser's page ([`attendance`](super::attendance)) |
//! | POST | `/messages` | the organiser's message to the registrants ([`message`](super::message)) |
//! | GET | `/attestation` | an attestation, printable ([`attestation`](super::attestation)) |
//! | POST | `/attestation/verification` | what the attestation with a code states |
//! | POST | `/coordination` | a region's coordinator's view ([`coordination`](super::coordination)) |
//! | POST | `/proposals` | an organiser proposes a meetup ([`proposal`](super::proposal)) |
//! | POST | `/proposals/decision` | the region's coordinator accepts or declines it |

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::error_handling::HandleErrorLayer;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderName, Method};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{BoxError, Router};
use tower::ServiceBuilder;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::TraceLayer;

use super::answer::ApiError;
use super::input::{Input, Refusal};
use super::registrants::KEY_HEADER;
use super::request::wants_json;
use super::{
    attendance, attestation, cancellation, coordination, message, proposal, registrants,
    registration, report, validation, ClientIp, Function,
};

/// The longest a request may take, store and emails included.
const DEADLINE: Duration = Duration::from_secs(25);

/// The routes of `function`, under its `api_base`. Unknown paths under it
/// get the function's 404; others are left to whoever serves the router.
pub(super) fn router(function: Arc<Function>) -> Router {
    let routes = Router::new()
        .route("/registrations", post(register))
        .route("/registrations/cancel", get(cancel_page).post(cancel))
        .route("/reports", post(send_report))
        .route("/registrants", post(registrant_page))
        .route("/attendance", post(record_attendance))
        .route("/messages", post(send_message))
        .route("/attestation", get(show_attestation))
        .route("/attestation/verification", post(verify_attestation))
        .route("/coordination", post(coordination_view))
        .route("/proposals", post(propose))
        .route("/proposals/decision", post(decide_proposal))
        .route(
            "/meetups/{id}/registrants",
            get(registrant_list).post(registrant_list),
        )
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(function.clone(), rate_limit))
        .with_state(function.clone());
    let base = function.config.api_base.as_str();
    let routes = if base.is_empty() {
        routes
    } else {
        Router::new().nest(base, routes)
    };
    routes.layer(
        ServiceBuilder::new()
            .layer(TraceLayer::new_for_http().make_span_with(|request: &Request| {
                tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
            }))
            .layer(cors(&function.config.site_origin))
            .layer(HandleErrorLayer::new(too_slow))
            .timeout(DEADLINE),
    )
}

/// The site's scripts may call the function from its origin; any other
/// origin gets no CORS header, so browsers keep the answer from its page.
/// Plain HTML form posts need no CORS.
fn cors(site_origin: &str) -> CorsLayer {
    let layer = CorsLayer::new()
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            http::header::ACCEPT,
            http::header::CONTENT_TYPE,
            HeaderName::from_static(KEY_HEADER),
        ])
        .max_age(Duration::from_secs(600));
    if site_origin.is_empty() {
        return layer;
    }
    // Echoed to the site's origin alone: other origins get no header.
    let site = site_origin.as_bytes().to_vec();
    layer.allow_origin(AllowOrigin::predicate(move |origin, _| {
        origin.as_bytes() == site.as_slice()
    }))
}

async fn register(State(function): State<Arc<Function>>, input: Input) -> Response {
    let answer = registration::register(&function, &input.fields, input.json).await;
    // Without JavaScript, back to the meetup the person was looking at.
    let meetup = input
        .fields
        .text("meetup")
        .filter(|id| validation::is_meetup_id(id))
        .map(|id| function.config.site_page(&function.config.urls.meetup(id)));
    respond(&function, &input, answer, meetup)
}

async fn cancel_page(State(function): State<Arc<Function>>, input: Input) -> Response {
    let answer = cancellation::show(&function, &input.query, input.json).await;
    respond(&function, &input, answer, None)
}

async fn cancel(State(function): State<Arc<Function>>, input: Input) -> Response {
    let answer = cancellation::cancel(&function, &input.fields, input.json).await;
    respond(&function, &input, answer, None)
}

async fn send_report(State(function): State<Arc<Function>>, input: Input) -> Response {
    let answer = report::submit(&function, &input.fields, input.json).await;
    let form = function
        .config
        .site_page(&function.config.result_pages.report_form);
    respond(&function, &input, answer, Some(form))
}

async fn registrant_list(
    State(function): State<Arc<Function>>,
    Path(id): Path<String>,
    input: Input,
) -> Response {
    let answer = registrants::list(
        &function,
        &id,
        &input.parts.headers,
        &input.fields,
        &input.query,
    )
    .await;
    respond(&function, &input, answer, None)
}

async fn registrant_page(State(function): State<Arc<Function>>, input: Input) -> Response {
    let answer =
        registrants::list_from_form(&function, &input.parts.headers, &input.fields, &input.query)
            .await;
    respond(&function, &input, answer, None)
}

async fn record_attendance(State(function): State<Arc<Function>>, input: Input) -> Response {
    let answer =
        attendance::record(&function, &input.parts.headers, &input.fields, &input.query).await;
    respond(&function, &input, answer, None)
}

async fn send_message(State(function): State<Arc<Function>>, input: Input) -> Response {
    let answer = message::send(&function, &input.parts.headers, &input.fields, &input.query).await;
    respond(&function, &input, answer, None)
}

async fn show_attestation(State(function): State<Arc<Function>>, input: Input) -> Response {
    let answer = attestation::show(&function, &input.query).await;
    respond(&function, &input, answer, None)
}

async fn verify_attestation(State(function): State<Arc<Function>>, input: Input) -> Response {
    let answer = attestation::verify(&function, &input.fields, input.json).await;
    let form = function
        .config
        .site_page(&function.config.result_pages.attestation_check);
    respond(&function, &input, answer, Some(form))
}

async fn coordination_view(State(function): State<Arc<Function>>, input: Input) -> Response {
    let answer =
        coordination::view(&function, &input.parts.headers, &input.fields, &input.query).await;
    respond(&function, &input, answer, None)
}

async fn propose(State(function): State<Arc<Function>>, input: Input) -> Response {
    let answer = proposal::submit(&function, &input.fields, input.json).await;
    respond(&function, &input, answer, None)
}

async fn decide_proposal(State(function): State<Arc<Function>>, input: Input) -> Response {
    let answer =
        proposal::decide(&function, &input.parts.headers, &input.fields, &input.query).await;
    respond(&function, &input, answer, None)
}

/// A route's answer, or its refusal with a link back: to the page that
/// sent the form when it is on the site, else to the route's own page.
fn respond(
    function: &Function,
    input: &Input,
    answer: Result<http::Response<bytes::Bytes>, ApiError>,
    fallback: Option<String>,
) -> Response {
    match answer {
        Ok(response) => response.map(Body::from),
        Err(error) => {
            let from_site = input
                .referer()
                .filter(|referer| function.is_site_page(referer));
            let back = from_site.map(str::to_string).or(fallback);
            Refusal::new(error, input.json)
                .back_to(back)
                .on_site(function.config.site())
                .into_response()
        }
    }
}

/// Takes a token from the client's bucket before the route runs.
async fn rate_limit(
    State(function): State<Arc<Function>>,
    request: Request,
    next: Next,
) -> Response {
    let client = request.extensions().get::<ClientIp>().map(|ip| ip.0);
    match function.limiter.check(client) {
        Ok(()) => next.run(request).await,
        Err(wait) => Refusal::new(ApiError::rate_limited(wait), wants_json(request.headers()))
            .on_site(function.config.site())
            .into_response(),
    }
}

async fn not_found(headers: HeaderMap) -> Response {
    Refusal::new(ApiError::not_found(), wants_json(&headers)).into_response()
}

/// axum adds the `Allow` header.
async fn method_not_allowed(headers: HeaderMap) -> Response {
    Refusal::new(ApiError::method_not_allowed(), wants_json(&headers)).into_response()
}

/// The deadline passed: nothing is known to be saved.
async fn too_slow(headers: HeaderMap, error: BoxError) -> Response {
    tracing::error!(%error, "request failed");
    Refusal::new(ApiError::unavailable(), wants_json(&headers)).into_response()
}
