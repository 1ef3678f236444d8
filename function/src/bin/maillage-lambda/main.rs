//! The function on AWS Lambda.
//!
//! One binary takes two kinds of events, told apart by their shape:
//! - HTTP events from an API Gateway HTTP API or a Lambda Function URL
//!   (both in the 2.0 format): each becomes an `http::Request<Bytes>` with
//!   the client's address from the request context, the transport-agnostic
//!   handler answers it, and the answer goes back as a Lambda HTTP response
//!   ([`http_event`]);
//! - scheduled EventBridge events: the rebuild trigger's flush, so that the
//!   trailing trigger of a burst is sent even when no request follows, and
//!   the retention purge and the repair when the schedule asks for them
//!   ([`scheduled`]).
//!
//! Configuration comes from environment variables, secrets from Parameter
//! Store when named by `…_PARAMETER` variables; see `function/docs/lambda.md`.

mod http_event;
mod scheduled;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpResponse;
use lambda_http::lambda_runtime::{self, LambdaEvent};
use lambda_http::{service_fn, Error};
use maillage_function::email::Mailer;
use maillage_function::handler::{self, Function, FunctionConfig};
use maillage_function::parameters::{self, ParameterStore};
use maillage_function::trigger::RebuildTrigger;
use maillage_model::events::EventSink;
use maillage_store::dynamodb::DynamoStore;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use scheduled::{ScheduledEvent, ScheduledReport};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    lambda_http::tracing::init_default_subscriber();
    let app = App::from_env().await?;
    lambda_runtime::run(service_fn(|event: LambdaEvent<Box<RawValue>>| {
        let app = app.clone();
        let budget = time_left(event.context.deadline);
        async move { app.dispatch(event.payload.get(), budget).await }
    }))
    .await
}

/// The time a scheduled job may take: until the invocation's deadline
/// (epoch milliseconds), less a margin to answer and save where it stopped.
fn time_left(deadline_ms: u64) -> Duration {
    const MARGIN: Duration = Duration::from_secs(5);
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |since| since.as_millis() as u64);
    Duration::from_millis(deadline_ms.saturating_sub(now_ms)).saturating_sub(MARGIN)
}

/// What serves the events: the handler on the DynamoDB store, with the
/// configured event sinks (rebuild trigger, confirmation emails).
#[derive(Clone)]
struct App {
    /// The function's routes, made once per instance.
    routes: axum::Router,
    /// The function itself, for the scheduled reminders.
    function: Arc<Function>,
    store: Arc<DynamoStore>,
    trigger: Option<RebuildTrigger>,
}

/// The answer to an invocation, by kind of event.
#[derive(Serialize)]
#[serde(untagged)]
enum Output {
    Http(Box<ApiGatewayV2httpResponse>),
    Scheduled(ScheduledReport),
}

/// Just enough of an event to tell its kind.
#[derive(Deserialize)]
struct Shape {
    #[serde(rename = "detail-type")]
    detail_type: Option<String>,
    #[serde(rename = "requestContext")]
    request_context: Option<serde::de::IgnoredAny>,
}

impl App {
    async fn from_env() -> Result<App, Error> {
        let store = Arc::new(DynamoStore::from_env().await?);
        let secrets = resolve_secrets(&store).await?;
        let lookup = |name: &str| {
            secrets
                .get(name)
                .cloned()
                .or_else(|| std::env::var(name).ok())
        };
        let config = FunctionConfig::from_lookup(lookup)?;
        let mut sinks: Vec<Arc<dyn EventSink>> = Vec::new();
        // Instances share the window through the table.
        let trigger = RebuildTrigger::from_lookup(lookup)?.map(|t| t.with_coalescer(store.clone()));
        if let Some(trigger) = &trigger {
            sinks.push(Arc::new(trigger.clone()));
        }
        if let Some(mailer) = Mailer::from_lookup(lookup)? {
            // The instance may be frozen after the answer: send before it.
            sinks.push(Arc::new(mailer.inline()));
        }
        let function = Arc::new(Function::new(store.clone(), config, sinks));
        Ok(App {
            routes: function.router(),
            function,
            store,
            trigger,
        })
    }

    async fn dispatch(&self, event: &str, budget: Duration) -> Result<Output, Error> {
        let shape: Shape = serde_json::from_str(event)
            .map_err(|error| format!("the event is not a JSON object: {error}"))?;
        if shape.detail_type.is_some() {
            let scheduled = ScheduledEvent::parse(event).ok_or_else(|| {
                format!(
                    "EventBridge event {:?} is not a scheduled one",
                    shape.detail_type.unwrap_or_default()
                )
            })?;
            let report = scheduled::run(
                &scheduled,
                self.trigger.as_ref(),
                self.store.as_ref(),
                &self.function,
                budget,
            )
            .await?;
            return Ok(Output::Scheduled(report));
        }
        if shape.request_context.is_some() {
            let request = http_event::parse(event)
                .map_err(|error| format!("not an HTTP API 2.0 event: {error}"))?;
            let answer = handler::call(&self.routes, http_event::into_http_request(request)).await;
            let answer = http_event::into_lambda_response(answer);
            return Ok(Output::Http(Box::new(http_event::into_http_api_response(
                answer,
            ))));
        }
        Err("this function takes HTTP API or Function URL events and scheduled EventBridge events; this event is neither".into())
    }
}

/// The secrets named by `…_PARAMETER` variables, read from Parameter Store
/// with the DynamoDB client's credentials and region.
async fn resolve_secrets(store: &DynamoStore) -> Result<HashMap<String, String>, Error> {
    let env = |name: &str| std::env::var(name).ok();
    if !parameters::any_requested(env) {
        return Ok(HashMap::new());
    }
    let config = store
        .sdk_config()
        .ok_or("the store has no AWS configuration to read parameters with")?;
    let parameters = ParameterStore::from_sdk_config(config)?;
    Ok(parameters.resolve(env).await?)
}
