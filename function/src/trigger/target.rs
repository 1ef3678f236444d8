//! Where a rebuild trigger goes and what the request looks like.
//!
//! Four shapes cover the usual ways to start a site build:
//!
//! - [`Preset::Webhook`]: a JSON body, always signed (see [`super::signature`]);
//! - [`Preset::GitHubDispatch`]: GitHub's `repository_dispatch` API, with a
//!   bearer token and `{"event_type": ..., "client_payload": ...}`;
//! - [`Preset::GitLabPipeline`]: a GitLab pipeline trigger URL, with the
//!   trigger token, the ref and variables as form fields;
//! - [`Preset::BuildHook`]: a static host's build hook (Netlify, Cloudflare
//!   Pages...): an empty `POST`.
//!
//! No request carries personal data: only the kind of change, the meetup id
//! and the time.

use bytes::Bytes;
use chrono::{DateTime, SecondsFormat, Utc};
use http::header::{HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE, USER_AGENT};
use http::{Method, Request, Uri};
use serde::Serialize;

use super::signature::{self, SIGNATURE_HEADER, TIMESTAMP_HEADER};
use maillage_model::events::Event;

/// The `User-Agent` of every trigger request (GitHub's API requires one).
pub const USER_AGENT_VALUE: &str = concat!("maillage-rebuild/", env!("CARGO_PKG_VERSION"));
/// The `event_type` sent to GitHub unless configured otherwise.
pub const DEFAULT_EVENT_TYPE: &str = "maillage-rebuild";
/// The ref a GitLab pipeline runs on unless configured otherwise.
pub const DEFAULT_GIT_REF: &str = "main";

/// What a trigger says about the change that caused it. With coalescing it
/// describes the latest change the trigger covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Payload {
    /// `registered`, `promoted`, `cancelled` or `reported`; `pending` for
    /// a trailing trigger sent by a scheduled flush, which does not know
    /// which change it covers.
    pub event: &'static str,
    /// The meetup whose public figures or report changed (`null` for
    /// `pending`).
    pub meetup: Option<String>,
    /// When the change was made (RFC 3339, UTC).
    #[serde(serialize_with = "rfc3339")]
    pub time: DateTime<Utc>,
}

fn rfc3339<S: serde::Serializer>(time: &DateTime<Utc>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&time.to_rfc3339_opts(SecondsFormat::Secs, true))
}

impl Payload {
    /// The public summary of an event.
    pub fn of(event: &Event, time: DateTime<Utc>) -> Payload {
        let kind = match event {
            Event::Registered { .. } => "registered",
            Event::RegisteredAgain { .. } => "registered_again",
            Event::Promoted { .. } => "promoted",
            Event::Cancelled { .. } => "cancelled",
            Event::Reported { .. } => "reported",
            Event::Attested { .. } => "attested",
            Event::Messaged { .. } => "messaged",
            Event::ReminderDue { .. } => "reminder_due",
            Event::ProposalReceived { .. } => "proposal_received",
            Event::ProposalDecided { .. } => "proposal_decided",
        };
        Payload {
            event: kind,
            meetup: event.meetup_id().map(str::to_string),
            time,
        }
    }

    /// A trigger for changes recorded earlier, maybe by another instance.
    pub fn pending(time: DateTime<Utc>) -> Payload {
        Payload {
            event: "pending",
            meetup: None,
            time,
        }
    }

    fn json(&self) -> Vec<u8> {
        serde_json::to_vec(self).expect("a payload always serialises")
    }
}

/// The kind of endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preset {
    Webhook,
    GitHubDispatch,
    GitLabPipeline,
    BuildHook,
}

impl Preset {
    /// Reads `webhook`, `github`, `gitlab` or `build-hook`.
    pub fn parse(name: &str) -> Option<Preset> {
        match name.trim().to_ascii_lowercase().as_str() {
            "webhook" | "" => Some(Preset::Webhook),
            "github" | "github-dispatch" | "repository-dispatch" => Some(Preset::GitHubDispatch),
            "gitlab" | "gitlab-pipeline" | "pipeline" => Some(Preset::GitLabPipeline),
            "build-hook" | "buildhook" | "netlify" | "cloudflare-pages" => Some(Preset::BuildHook),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Preset::Webhook => "webhook",
            Preset::GitHubDispatch => "github",
            Preset::GitLabPipeline => "gitlab",
            Preset::BuildHook => "build-hook",
        }
    }
}

/// A secret that never shows in logs or debug output.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(…)")
    }
}

/// A target that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetError(pub String);

impl std::fmt::Display for TargetError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TargetError {}

/// One configured endpoint.
#[derive(Debug, Clone)]
pub struct Target {
    preset: Preset,
    url: Uri,
    secret: Option<Secret>,
    token: Option<Secret>,
    git_ref: String,
    event_type: String,
}

fn parse_url(url: &str) -> Result<Uri, TargetError> {
    let uri: Uri = url
        .trim()
        .parse()
        .map_err(|_| TargetError(format!("the trigger URL is not a valid URL: {url:?}")))?;
    match (uri.scheme_str(), uri.host()) {
        (Some("http" | "https"), Some(_)) => Ok(uri),
        _ => Err(TargetError(
            "the trigger URL must start with http:// or https:// and name a host".into(),
        )),
    }
}

fn required(value: Option<Secret>, what: &str) -> Result<Secret, TargetError> {
    value
        .filter(|value| !value.0.trim().is_empty())
        .ok_or_else(|| TargetError(format!("{what} is required")))
}

impl Target {
    fn with(preset: Preset, url: Uri) -> Target {
        Target {
            preset,
            url,
            secret: None,
            token: None,
            git_ref: DEFAULT_GIT_REF.into(),
            event_type: DEFAULT_EVENT_TYPE.into(),
        }
    }

    /// A signed JSON webhook.
    pub fn webhook(url: &str, secret: Secret) -> Result<Target, TargetError> {
        let mut target = Target::with(Preset::Webhook, parse_url(url)?);
        target.secret = Some(required(Some(secret), "the webhook's signing secret")?);
        Ok(target)
    }

    /// GitHub's `repository_dispatch` for `owner/repo`, on
    /// `https://api.github.com` (see [`Target::with_url`] for GitHub
    /// Enterprise Server).
    pub fn github_dispatch(repository: &str, token: Secret) -> Result<Target, TargetError> {
        let repository = repository.trim().trim_matches('/');
        let valid = repository.split('/').count() == 2
            && repository.split('/').all(|part| {
                !part.is_empty()
                    && part
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
            });
        if !valid {
            return Err(TargetError(format!(
                "the repository must be written OWNER/REPO, not {repository:?}"
            )));
        }
        let url = parse_url(&format!(
            "https://api.github.com/repos/{repository}/dispatches"
        ))?;
        let mut target = Target::with(Preset::GitHubDispatch, url);
        target.token = Some(required(Some(token), "a GitHub token")?);
        Ok(target)
    }

    /// A GitLab pipeline trigger URL
    /// (`https://gitlab.example.org/api/v4/projects/ID/trigger/pipeline`).
    pub fn gitlab_pipeline(
        url: &str,
        token: Secret,
        git_ref: Option<&str>,
    ) -> Result<Target, TargetError> {
        let mut target = Target::with(Preset::GitLabPipeline, parse_url(url)?);
        target.token = Some(required(Some(token), "a pipeline trigger token")?);
        if let Some(git_ref) = git_ref.map(str::trim).filter(|r| !r.is_empty()) {
            target.git_ref = git_ref.to_string();
        }
        Ok(target)
    }

    /// A static host's build hook: an empty `POST` to a secret URL.
    pub fn build_hook(url: &str) -> Result<Target, TargetError> {
        Ok(Target::with(Preset::BuildHook, parse_url(url)?))
    }

    /// Sends to another URL (GitHub Enterprise Server, or a local receiver).
    pub fn with_url(mut self, url: &str) -> Result<Target, TargetError> {
        self.url = parse_url(url)?;
        Ok(self)
    }

    /// Signs the requests of any preset (a webhook is always signed).
    pub fn with_secret(mut self, secret: Secret) -> Target {
        if !secret.0.is_empty() {
            self.secret = Some(secret);
        }
        self
    }

    /// GitHub's `event_type` (what a workflow's `repository_dispatch: types`
    /// filters on).
    pub fn with_event_type(mut self, event_type: &str) -> Target {
        if !event_type.trim().is_empty() {
            self.event_type = event_type.trim().to_string();
        }
        self
    }

    pub fn preset(&self) -> Preset {
        self.preset
    }

    /// The preset's name, for logs (the URL may hold a secret and is never logged).
    pub fn name(&self) -> &'static str {
        self.preset.name()
    }

    /// The request announcing `payload`, signed at `timestamp` (Unix seconds)
    /// when a secret is set.
    pub fn request(&self, payload: &Payload, timestamp: i64) -> Request<Bytes> {
        let (content_type, body) = match self.preset {
            Preset::Webhook => (Some("application/json"), payload.json()),
            Preset::GitHubDispatch => {
                let body = serde_json::json!({
                    "event_type": self.event_type,
                    "client_payload": payload,
                });
                (Some("application/json"), body.to_string().into_bytes())
            }
            Preset::GitLabPipeline => {
                let token = self.token.as_ref().map(Secret::expose).unwrap_or_default();
                let mut form = form_urlencoded::Serializer::new(String::new());
                form.append_pair("token", token)
                    .append_pair("ref", &self.git_ref)
                    .append_pair("variables[MAILLAGE_EVENT]", payload.event);
                if let Some(meetup) = &payload.meetup {
                    form.append_pair("variables[MAILLAGE_MEETUP]", meetup);
                }
                let body = form.finish();
                (Some("application/x-www-form-urlencoded"), body.into_bytes())
            }
            Preset::BuildHook => (None, Vec::new()),
        };
        let mut builder = Request::builder()
            .method(Method::POST)
            .uri(self.url.clone())
            .header(USER_AGENT, USER_AGENT_VALUE)
            // Explicit even when zero: some hosts answer 411 to a POST without it.
            .header(CONTENT_LENGTH, body.len());
        if let Some(content_type) = content_type {
            builder = builder.header(CONTENT_TYPE, content_type);
        }
        if self.preset == Preset::GitHubDispatch {
            let token = self.token.as_ref().map(Secret::expose).unwrap_or_default();
            let mut bearer = HeaderValue::from_str(&format!("Bearer {token}"))
                .unwrap_or_else(|_| HeaderValue::from_static("Bearer"));
            bearer.set_sensitive(true);
            builder = builder
                .header(ACCEPT, "application/vnd.github+json")
                .header("x-github-api-version", "2022-11-28")
                .header(AUTHORIZATION, bearer);
        }
        if let Some(secret) = &self.secret {
            builder = builder
                .header(TIMESTAMP_HEADER, timestamp.to_string())
                .header(
                    SIGNATURE_HEADER,
                    signature::sign(secret.0.as_bytes(), timestamp, &body),
                );
        }
        builder
            .body(Bytes::from(body))
            .expect("a trigger request is always valid")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn payload() -> Payload {
        Payload {
            event: "registered",
            meetup: Some("brest-2026-12".into()),
            time: "2026-11-22T12:00:00Z".parse().unwrap(),
        }
    }

    #[test]
    fn urls_must_be_http_or_https() {
        assert!(Target::build_hook("https://api.netlify.com/build_hooks/abc").is_ok());
        assert!(Target::build_hook("http://127.0.0.1:8080/hook").is_ok());
        assert!(Target::build_hook("ftp://example.org/hook").is_err());
        assert!(Target::build_hook("/hook").is_err());
        assert!(Target::webhook("https://ci.example.org/", Secret::new("")).is_err());
        assert!(Target::github_dispatch("owner", Secret::new("t")).is_err());
        assert!(Target::github_dispatch("owner/repo/x", Secret::new("t")).is_err());
    }

    #[test]
    fn github_dispatch_goes_to_the_repository() {
        let target = Target::github_dispatch("reseau/site", Secret::new("ghp_x")).unwrap();
        let request = target.request(&payload(), 1);
        assert_eq!(
            request.uri(),
            "https://api.github.com/repos/reseau/site/dispatches"
        );
        assert_eq!(request.headers()[AUTHORIZATION], "Bearer ghp_x");
        assert!(request.headers().get(SIGNATURE_HEADER).is_none());
        let body: serde_json::Value = serde_json::from_slice(request.body()).unwrap();
        assert_eq!(body["event_type"], "maillage-rebuild");
        assert_eq!(body["client_payload"]["time"], "2026-11-22T12:00:00Z");
    }

    #[test]
    fn secrets_stay_out_of_debug_output() {
        let target = Target::webhook("https://ci.example.org/", Secret::new("hunter2")).unwrap();
        assert!(!format!("{target:?}").contains("hunter2"));
    }
}
