//! The rebuild trigger: after a durable write, ask for the site to be built
//! again, at most once per window, never missing the last change.
//!
//! - [`target`]: where the trigger goes (a signed webhook, GitHub's
//!   `repository_dispatch`, a GitLab pipeline trigger, a build hook) and what
//!   the request looks like;
//! - [`signature`]: the HMAC-SHA256 scheme receivers check;
//! - [`delivery`]: the HTTP client and the bounded retries;
//! - [`coalesce`]: at most one trigger per window, in one process (a
//!   background task) or across Lambda instances (a [`Coalescer`] such as
//!   the DynamoDB store's `TRIGGER` item);
//! - [`config`]: the environment variables read by [`RebuildTrigger::from_env`].
//!
//! The guide is `function/docs/rebuild-trigger.md`.

pub mod coalesce;
pub mod config;
pub mod delivery;
#[cfg(feature = "dynamodb")]
mod dynamodb;
pub mod signature;
pub mod target;

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

pub use coalesce::Coalescer;
pub use config::ConfigError;
pub use delivery::{DeliveryError, Retry, Sender};
pub use target::{Payload, Preset, Secret, Target, TargetError};

use maillage_model::events::{Event, EventSink};

/// The window used unless configured otherwise.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(60);

/// Sends a rebuild trigger after changes, coalesced. An [`EventSink`].
///
/// By default coalescing happens in this process: `notify` marks the site
/// as changed and returns at once, and a background task sends the triggers
/// (the first change of a quiet period at once, the others in one trailing
/// trigger when the window has passed). With [`RebuildTrigger::with_coalescer`]
/// instances share the window through a store instead, and the trigger is
/// sent while the request waits, since a Lambda instance may be frozen as
/// soon as it has answered.
#[derive(Clone)]
pub struct RebuildTrigger {
    inner: Arc<coalesce::Inner>,
}

impl std::fmt::Debug for RebuildTrigger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RebuildTrigger")
            .field("preset", &self.inner.target.name())
            .field("window", &self.inner.window)
            .field("shared", &self.inner.is_shared())
            .finish()
    }
}

impl RebuildTrigger {
    /// A trigger to `target`, coalesced in this process over [`DEFAULT_WINDOW`].
    pub fn new(target: Target) -> RebuildTrigger {
        RebuildTrigger {
            inner: Arc::new(coalesce::Inner::new(target, DEFAULT_WINDOW)),
        }
    }

    fn configure(mut self, change: impl FnOnce(&mut coalesce::Inner)) -> RebuildTrigger {
        change(
            Arc::get_mut(&mut self.inner)
                .expect("a rebuild trigger is configured before it is shared or used"),
        );
        self
    }

    /// At most one trigger per `window` (zero sends one per change).
    pub fn with_window(self, window: Duration) -> RebuildTrigger {
        self.configure(|inner| inner.window = window)
    }

    /// How a background delivery retries ([`Retry::BACKGROUND`] by default).
    pub fn with_retry(self, retry: Retry) -> RebuildTrigger {
        self.configure(|inner| inner.retry = retry)
    }

    /// How a delivery retries while a request waits, with a shared
    /// coalescer ([`Retry::INLINE`] by default).
    pub fn with_inline_retry(self, retry: Retry) -> RebuildTrigger {
        self.configure(|inner| inner.inline_retry = retry)
    }

    /// Shares the window with every instance using the same coalescer (for
    /// example the DynamoDB table).
    pub fn with_coalescer(self, coalescer: Arc<dyn Coalescer>) -> RebuildTrigger {
        self.configure(|inner| inner.set_shared(coalescer))
    }

    /// The configured window.
    pub fn window(&self) -> Duration {
        self.inner.window
    }

    /// Makes sure nothing owed stays unsent.
    ///
    /// In one process: waits until the background task has sent every
    /// trigger owed (one window plus the retries; as long as the receiver
    /// keeps failing, since a failed trigger stays owed: bound it with
    /// `tokio::time::timeout` at shutdown). With a shared
    /// coalescer: sends the trailing trigger now if one is owed and the
    /// window has passed, whichever instance recorded the change. A
    /// scheduled invocation calls this, so that a change is covered even if
    /// no other request comes and the instance that recorded it is frozen.
    pub async fn flush(&self) {
        coalesce::flush(&self.inner).await;
    }
}

#[async_trait]
impl EventSink for RebuildTrigger {
    async fn notify(&self, event: &Event) {
        if !event.changes_store() {
            return;
        }
        let payload = Payload::of(event, maillage_model::clock::now());
        coalesce::notify(&self.inner, payload).await;
    }
}
