//! Sending a trigger: one HTTP client, bounded retries with exponential
//! backoff and jitter, and logs that name the preset and the status, never
//! the URL (it may hold a token) or anything personal.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;

use super::target::{Payload, Target};

/// How hard to try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    /// Attempts in all, the first included (at least 1).
    pub attempts: u32,
    /// The pause after the first failure; it doubles after each one.
    pub first_delay: Duration,
    /// The longest pause.
    pub max_delay: Duration,
    /// How long one attempt may take, connection included.
    pub timeout: Duration,
}

impl Retry {
    /// For a process that lives on (a background task): up to about two
    /// minutes of trying.
    pub const BACKGROUND: Retry = Retry {
        attempts: 6,
        first_delay: Duration::from_secs(1),
        max_delay: Duration::from_secs(30),
        timeout: Duration::from_secs(10),
    };

    /// While a request waits (Lambda): a few seconds at most, so the
    /// person's answer is not held back and the function's timeout is not
    /// reached. What fails is left to the trailing trigger.
    pub const INLINE: Retry = Retry {
        attempts: 3,
        first_delay: Duration::from_millis(200),
        max_delay: Duration::from_millis(800),
        timeout: Duration::from_millis(2500),
    };

    /// The pause before attempt `attempt + 1` (after `attempt` failures):
    /// "equal jitter", half fixed and half random, so that instances
    /// failing together do not retry together.
    pub fn delay(&self, failures: u32) -> Duration {
        let exponential = self
            .first_delay
            .saturating_mul(1u32 << failures.saturating_sub(1).min(16));
        let capped = exponential.min(self.max_delay);
        let half = capped / 2;
        let random = getrandom::u64().unwrap_or(0) as f64 / u64::MAX as f64;
        half + half.mul_f64(random)
    }
}

/// How a delivery ended badly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryError {
    /// The endpoint refused the request for good (a 4xx other than 408 or
    /// 429: a wrong token, URL or signature). Retrying cannot help.
    Refused { status: u16 },
    /// Every attempt failed for a reason that may pass (network, timeout,
    /// 5xx, 408, 429).
    Exhausted { attempts: u32, last: String },
}

impl std::fmt::Display for DeliveryError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DeliveryError::Refused { status } => write!(f, "refused with status {status}"),
            DeliveryError::Exhausted { attempts, last } => {
                write!(f, "failed {attempts} times, last: {last}")
            }
        }
    }
}

enum Attempt {
    Done,
    Refused(u16),
    Transient(String),
}

/// The HTTP client (HTTP/1.1, plain or TLS with rustls and the system's
/// roots). Cheap to clone.
#[derive(Clone)]
pub struct Sender {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
}

impl Default for Sender {
    fn default() -> Self {
        Sender::new()
    }
}

/// An HTTP/1.1 client, plain or TLS with rustls and the system's roots.
pub(crate) fn https_client() -> Client<HttpsConnector<HttpConnector>, Full<Bytes>> {
    let builder = match hyper_rustls::HttpsConnectorBuilder::new().with_native_roots() {
        Ok(builder) => builder,
        Err(error) => {
            tracing::warn!(%error, "no system root certificates; https endpoints will fail");
            let config = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
                rustls::crypto::ring::default_provider(),
            ))
            .with_safe_default_protocol_versions()
            .expect("ring supports the default versions")
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth();
            hyper_rustls::HttpsConnectorBuilder::new().with_tls_config(config)
        }
    };
    let connector = builder.https_or_http().enable_http1().build();
    Client::builder(TokioExecutor::new()).build(connector)
}

impl Sender {
    pub fn new() -> Sender {
        Sender {
            client: https_client(),
        }
    }

    /// Sends `payload` to `target`, retrying as `retry` says. Returns the
    /// number of attempts it took.
    pub async fn deliver(
        &self,
        target: &Target,
        payload: &Payload,
        retry: Retry,
    ) -> Result<u32, DeliveryError> {
        let attempts = retry.attempts.max(1);
        let mut last = String::new();
        for attempt in 1..=attempts {
            match self.attempt(target, payload, retry.timeout).await {
                Attempt::Done => {
                    tracing::info!(
                        preset = target.name(),
                        event = payload.event,
                        meetup = payload.meetup.as_deref().unwrap_or("-"),
                        attempt,
                        "rebuild trigger sent"
                    );
                    return Ok(attempt);
                }
                Attempt::Refused(status) => {
                    tracing::error!(
                        preset = target.name(),
                        status,
                        "rebuild trigger refused; check the trigger's URL, token or secret"
                    );
                    return Err(DeliveryError::Refused { status });
                }
                Attempt::Transient(reason) => {
                    tracing::warn!(
                        preset = target.name(),
                        attempt,
                        attempts,
                        reason = %reason,
                        "rebuild trigger failed"
                    );
                    last = reason;
                    if attempt < attempts {
                        tokio::time::sleep(retry.delay(attempt)).await;
                    }
                }
            }
        }
        Err(DeliveryError::Exhausted { attempts, last })
    }

    async fn attempt(&self, target: &Target, payload: &Payload, timeout: Duration) -> Attempt {
        let timestamp = chrono::Utc::now().timestamp();
        let request = target.request(payload, timestamp).map(Full::new);
        match tokio::time::timeout(timeout, self.client.request(request)).await {
            Err(_) => Attempt::Transient(format!("no answer within {timeout:?}")),
            // The error's text may quote the URL: keep only its kind.
            Ok(Err(error)) => Attempt::Transient(if error.is_connect() {
                "connection failed".into()
            } else {
                "request failed".into()
            }),
            Ok(Ok(response)) => {
                let status = response.status();
                if status.is_success() {
                    Attempt::Done
                } else if status.is_client_error()
                    && status != http::StatusCode::REQUEST_TIMEOUT
                    && status != http::StatusCode::TOO_MANY_REQUESTS
                {
                    Attempt::Refused(status.as_u16())
                } else {
                    Attempt::Transient(format!("status {}", status.as_u16()))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_double_up_to_the_cap_with_jitter() {
        let retry = Retry {
            attempts: 8,
            first_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
            timeout: Duration::from_secs(1),
        };
        for (failures, full) in [(1, 100), (2, 200), (3, 400), (4, 800), (5, 1000), (9, 1000)] {
            for _ in 0..20 {
                let delay = retry.delay(failures).as_millis() as u64;
                assert!(
                    (full / 2..=full).contains(&delay),
                    "{failures} failures: {delay} ms"
                );
            }
        }
    }
}
