//! At most one trigger per window, and a trailing one after the last change.
//!
//! **In one process**, `notify` sets a "changed" flag and wakes a background
//! task. The task sends a trigger at once when the previous one is at least
//! a window old; otherwise it sleeps until the window has passed and sends
//! one trigger for every change made meanwhile. It clears the flag just
//! before sending, so a change made during a delivery sets it again and gets
//! a trigger of its own: every change is followed by a trigger that started
//! after it. A burst therefore gives one trigger at its start and one
//! trailing trigger, and a steady flow gives one trigger per window.
//!
//! **Across instances** (Lambda), a [`Coalescer`] decides. `notify` claims the
//! window: the winner sends the trigger while the request waits (a frozen
//! instance runs no background work); a loser has recorded that a change is
//! waiting. The trailing trigger is then claimed, by exactly one caller, by:
//!
//! 1. the next write after the window, anywhere: claiming a window that has
//!    passed also clears what was waiting, so its trigger covers it;
//! 2. a watcher task in the instance that lost, which wakes when the window
//!    has passed (this runs as long as the process is not frozen: a
//!    long-lived server, or a Lambda instance busy with other requests);
//! 3. [`super::RebuildTrigger::flush`], called by a scheduled invocation
//!    (every minute), for the case where no request comes and the instance
//!    that lost is frozen or gone.
//!
//! Holding the person's answer until the window ends was rejected: with a
//! 60 s window it would make people wait, and exceed the function's timeout.
//! A claim leaves the change recorded as waiting until the delivery is
//! confirmed ([`Coalescer::delivered`]): a delivery that fails even after its
//! retries, or an instance that dies while delivering, leaves the trigger
//! owed, and the trailing trigger sends it after the window.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tokio::sync::Notify;
use tokio::time::Instant;

use super::delivery::{DeliveryError, Retry, Sender};
use super::target::{Payload, Target};
use maillage_store::StoreResult;

/// Clocks of different instances may differ slightly: the watcher claims
/// the trailing trigger this long after the window should have passed.
const CLOCK_MARGIN: Duration = Duration::from_millis(250);

/// Decides, across instances, who sends a trigger. Implemented by the
/// DynamoDB store with conditional writes on one item.
#[async_trait]
pub trait Coalescer: Send + Sync {
    /// True for exactly one caller per window; a false answer records that
    /// a change waits for the trailing trigger.
    async fn claim_window(&self, now: DateTime<Utc>, window: Duration) -> StoreResult<bool>;

    /// True for exactly one caller once a change waits and the window since
    /// the last trigger has passed.
    async fn claim_trailing(&self, now: DateTime<Utc>, window: Duration) -> StoreResult<bool>;

    /// The trigger claimed at `claimed_at` was delivered: the changes
    /// recorded up to then no longer wait (until this is called, they do).
    async fn delivered(&self, claimed_at: DateTime<Utc>) -> StoreResult<()>;
}

pub(super) struct Inner {
    pub(super) target: Target,
    pub(super) sender: Sender,
    pub(super) window: Duration,
    pub(super) retry: Retry,
    pub(super) inline_retry: Retry,
    mode: Mode,
}

enum Mode {
    Local(Local),
    Shared(Shared),
}

#[derive(Default)]
struct Local {
    state: Mutex<LocalState>,
    wake: Notify,
}

#[derive(Default)]
struct LocalState {
    started: bool,
    /// A change is not yet covered by a trigger that started after it.
    dirty: bool,
    /// The latest change, described in the next trigger.
    latest: Option<Payload>,
    sending: bool,
}

struct Shared {
    coalescer: Arc<dyn Coalescer>,
    watch: Mutex<Watch>,
}

#[derive(Default)]
struct Watch {
    running: bool,
    /// When this instance last lost a claim (its change waits).
    latest_loss: Option<Instant>,
    latest: Option<Payload>,
}

impl Inner {
    pub(super) fn new(target: Target, window: Duration) -> Inner {
        Inner {
            target,
            sender: Sender::new(),
            window,
            retry: Retry::BACKGROUND,
            inline_retry: Retry::INLINE,
            mode: Mode::Local(Local::default()),
        }
    }

    pub(super) fn set_shared(&mut self, coalescer: Arc<dyn Coalescer>) {
        self.mode = Mode::Shared(Shared {
            coalescer,
            watch: Mutex::new(Watch::default()),
        });
    }

    pub(super) fn is_shared(&self) -> bool {
        matches!(self.mode, Mode::Shared(_))
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

pub(super) async fn notify(inner: &Arc<Inner>, payload: Payload) {
    match &inner.mode {
        Mode::Local(local) => {
            let start = {
                let mut state = lock(&local.state);
                state.dirty = true;
                state.latest = Some(payload);
                !std::mem::replace(&mut state.started, true)
            };
            if start {
                tokio::spawn(run_local(inner.clone()));
            }
            local.wake.notify_one();
        }
        Mode::Shared(shared) => {
            // The window is measured on the system clock: a pinned clock
            // (MAILLAGE_NOW) would never let it pass.
            let now = Utc::now();
            match shared.coalescer.claim_window(now, inner.window).await {
                Ok(true) => send_claimed(inner, shared, payload, Some(now)).await,
                Ok(false) => watch_for_trailing(inner, shared, payload),
                Err(error) => {
                    // Better a trigger too many than a change never built.
                    tracing::warn!(%error, "rebuild trigger: coalescing unavailable, sending anyway");
                    send_claimed(inner, shared, payload, None).await;
                }
            }
        }
    }
}

pub(super) async fn flush(inner: &Arc<Inner>) {
    match &inner.mode {
        Mode::Local(local) => loop {
            {
                let state = lock(&local.state);
                if !state.dirty && !state.sending {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        },
        Mode::Shared(shared) => {
            let now = Utc::now();
            match shared.coalescer.claim_trailing(now, inner.window).await {
                Ok(true) => {
                    let payload = Payload::pending(maillage_model::clock::now());
                    send_claimed(inner, shared, payload, Some(now)).await
                }
                Ok(false) => {}
                Err(error) => tracing::warn!(%error, "rebuild trigger: flush could not claim"),
            }
        }
    }
}

/// The background task of a process that coalesces on its own.
async fn run_local(inner: Arc<Inner>) {
    let Mode::Local(local) = &inner.mode else {
        return;
    };
    let mut last_sent: Option<Instant> = None;
    loop {
        loop {
            let woken = local.wake.notified();
            if lock(&local.state).dirty {
                break;
            }
            woken.await;
        }
        if let Some(last) = last_sent {
            tokio::time::sleep_until(last + inner.window).await;
        }
        let payload = {
            let mut state = lock(&local.state);
            state.dirty = false;
            state.sending = true;
            state.latest.take()
        };
        last_sent = Some(Instant::now());
        if let Some(payload) = payload {
            let result = inner
                .sender
                .deliver(&inner.target, &payload, inner.retry)
                .await;
            if let Err(DeliveryError::Exhausted { .. }) = result {
                // Still owed: the next window tries again.
                let mut state = lock(&local.state);
                if !state.dirty {
                    state.dirty = true;
                    state.latest = Some(payload);
                }
            }
        }
        lock(&local.state).sending = false;
    }
}

/// Sends a trigger this instance claimed at `claimed_at` (`None`: sent
/// without a claim), then records the delivery. A trigger whose delivery
/// fails even after its retries stays owed: the trailing trigger sends it
/// once the window has passed. A refused one (the receiver's configuration
/// is wrong) counts as delivered: sending it again would not help.
async fn send_claimed(
    inner: &Arc<Inner>,
    shared: &Shared,
    payload: Payload,
    claimed_at: Option<DateTime<Utc>>,
) {
    match inner
        .sender
        .deliver(&inner.target, &payload, inner.inline_retry)
        .await
    {
        Ok(_) | Err(DeliveryError::Refused { .. }) => {
            if let Some(claimed_at) = claimed_at {
                if let Err(error) = shared.coalescer.delivered(claimed_at).await {
                    tracing::warn!(%error, "rebuild trigger: delivery not recorded; a trailing trigger will follow");
                }
            }
        }
        Err(DeliveryError::Exhausted { .. }) => {
            tracing::error!(
                "rebuild trigger: delivery kept failing; the trailing trigger will send it again"
            );
            watch_for_trailing(inner, shared, payload);
        }
    }
}

/// Makes sure this instance claims the trailing trigger once the window
/// has passed, unless someone else sends one first.
fn watch_for_trailing(inner: &Arc<Inner>, shared: &Shared, payload: Payload) {
    let start = {
        let mut watch = lock(&shared.watch);
        watch.latest_loss = Some(Instant::now());
        watch.latest = Some(payload);
        !std::mem::replace(&mut watch.running, true)
    };
    if start {
        tokio::spawn(run_watcher(inner.clone()));
    }
}

async fn run_watcher(inner: Arc<Inner>) {
    let Mode::Shared(shared) = &inner.mode else {
        return;
    };
    loop {
        let (due, seen, payload) = {
            let watch = lock(&shared.watch);
            let seen = watch.latest_loss.unwrap_or_else(Instant::now);
            (
                seen + inner.window + CLOCK_MARGIN,
                seen,
                watch.latest.clone(),
            )
        };
        tokio::time::sleep_until(due).await;
        if lock(&shared.watch).latest_loss != Some(seen) {
            // A later loss moved the deadline.
            continue;
        }
        let now = Utc::now();
        match shared.coalescer.claim_trailing(now, inner.window).await {
            Ok(true) => {
                let payload =
                    payload.unwrap_or_else(|| Payload::pending(maillage_model::clock::now()));
                send_claimed(&inner, shared, payload, Some(now)).await;
            }
            // Nothing waits any more, or a trigger was claimed after this
            // instance's change: it is covered.
            Ok(false) => {}
            Err(error) => {
                tracing::warn!(%error, "rebuild trigger: could not claim the trailing trigger; the next change or flush will")
            }
        }
        let mut watch = lock(&shared.watch);
        if watch.latest_loss == Some(seen) {
            watch.running = false;
            watch.latest = None;
            return;
        }
    }
}
