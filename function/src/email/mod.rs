//! Confirmation emails, optional: when SMTP is configured, a registration
//! gets a confirmation in French (with the cancellation link and an `.ics`
//! file), a promotion from the waiting list gets a notice, organisers
//! who asked for it get a notice per registration, and an organiser's
//! message goes to each registrant.
//!
//! Messages are built while the handler waits (quick, no I/O) and sent by a
//! background task with bounded retries, so SMTP never slows down or fails
//! a registration. On Lambda, where a frozen instance runs no background
//! work, they are sent before the answer instead, with shorter retries.
//! Logs name the kind of message and the meetup, never an address.
//!
//! The guide is `function/docs/emails.md`.

pub mod compose;
pub mod proposals;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use tokio::sync::mpsc;

use crate::trigger::Retry;
use compose::{Outgoing, Sender};
use maillage_model::events::{Event, EventSink};

/// The SMTP server, as a URL: `smtps://user:password@smtp.example.org`
/// (TLS), `smtp://user:password@smtp.example.org:587?tls=required`
/// (STARTTLS), or `smtp://127.0.0.1:2525` (plain, for a local relay).
pub const SMTP_URL_VAR: &str = "MAILLAGE_SMTP_URL";
/// The sender: `Rencontres du réseau <rencontres@example.org>`.
pub const FROM_VAR: &str = "MAILLAGE_MAIL_FROM";
/// Optional: where replies go.
pub const REPLY_TO_VAR: &str = "MAILLAGE_MAIL_REPLY_TO";
/// Optional: organisers who want a notice per registration, as
/// `meetup-id=address` pairs separated by `;` (`*=address` for every
/// meetup). Kept in the function's private configuration, never in `data/`.
pub const ORGANISER_NOTICES_VAR: &str = "MAILLAGE_ORGANISER_NOTICES";

/// Set by Lambda in every function's environment.
const LAMBDA_VAR: &str = "AWS_LAMBDA_RUNTIME_API";

/// Retries of a background sender: about two minutes in all.
pub const BACKGROUND_RETRY: Retry = Retry {
    attempts: 6,
    first_delay: Duration::from_secs(1),
    max_delay: Duration::from_secs(30),
    timeout: Duration::from_secs(20),
};

/// Retries while a request waits (Lambda).
pub const INLINE_RETRY: Retry = Retry {
    attempts: 3,
    first_delay: Duration::from_millis(200),
    max_delay: Duration::from_millis(800),
    timeout: Duration::from_secs(3),
};

/// A configuration that cannot work.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "emails: {}", self.0)
    }
}

impl std::error::Error for ConfigError {}

/// Who gets a notice per registration, by meetup id (`*` for all).
#[derive(Debug, Clone, Default)]
pub struct Organisers(HashMap<String, Mailbox>);

impl Organisers {
    /// Reads `meetup-id=address;other-id=address;*=address`.
    pub fn parse(value: &str) -> Result<Organisers, ConfigError> {
        let mut map = HashMap::new();
        for pair in value.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (id, address) = pair.split_once('=').ok_or_else(|| {
                ConfigError(format!(
                    "{ORGANISER_NOTICES_VAR}: expected meetup-id=address, found an entry without '='"
                ))
            })?;
            let id = id.trim();
            let mailbox = address.trim().parse::<Mailbox>().map_err(|_| {
                ConfigError(format!(
                    "{ORGANISER_NOTICES_VAR}: the address given for {id:?} is not valid"
                ))
            })?;
            map.insert(id.to_string(), mailbox);
        }
        Ok(Organisers(map))
    }

    fn for_meetup(&self, meetup_id: &str) -> Option<&Mailbox> {
        self.0.get(meetup_id).or_else(|| self.0.get("*"))
    }
}

/// Sends the messages. An [`EventSink`]; cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    inner: Arc<Inner>,
}

struct Inner {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    sender: Sender,
    organisers: Organisers,
    retry: Retry,
    inline: bool,
    queue: Mutex<Option<mpsc::UnboundedSender<Outgoing>>>,
    /// Messages handed over and not yet sent or given up.
    pending: AtomicUsize,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("inline", &self.inner.inline)
            .finish_non_exhaustive()
    }
}

impl Mailer {
    /// A mailer sending through `smtp_url` as `from`, in the background.
    pub fn new(smtp_url: &str, from: &str) -> Result<Mailer, ConfigError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url.trim())
            .map_err(|_| ConfigError(format!("{SMTP_URL_VAR} is not a valid SMTP URL")))?
            .timeout(Some(BACKGROUND_RETRY.timeout))
            .build();
        let from = from
            .trim()
            .parse::<Mailbox>()
            .map_err(|_| ConfigError(format!("{FROM_VAR} is not a valid address")))?;
        Ok(Mailer {
            inner: Arc::new(Inner {
                transport,
                sender: Sender {
                    from,
                    reply_to: None,
                },
                organisers: Organisers::default(),
                retry: BACKGROUND_RETRY,
                inline: false,
                queue: Mutex::new(None),
                pending: AtomicUsize::new(0),
            }),
        })
    }

    fn configure(mut self, change: impl FnOnce(&mut Inner)) -> Mailer {
        change(Arc::get_mut(&mut self.inner).expect("a mailer is configured before it is shared"));
        self
    }

    pub fn with_reply_to(self, reply_to: Mailbox) -> Mailer {
        self.configure(|inner| inner.sender.reply_to = Some(reply_to))
    }

    pub fn with_organisers(self, organisers: Organisers) -> Mailer {
        self.configure(|inner| inner.organisers = organisers)
    }

    pub fn with_retry(self, retry: Retry) -> Mailer {
        self.configure(|inner| inner.retry = retry)
    }

    /// Sends before `notify` returns (for Lambda), with [`INLINE_RETRY`]
    /// unless [`Mailer::with_retry`] follows.
    pub fn inline(self) -> Mailer {
        self.configure(|inner| {
            inner.inline = true;
            inner.retry = INLINE_RETRY;
        })
    }

    /// The mailer the environment configures; `Ok(None)` without
    /// `MAILLAGE_SMTP_URL`. Sends inline when running on Lambda.
    pub fn from_env() -> Result<Option<Mailer>, ConfigError> {
        Mailer::from_lookup(|name| std::env::var(name).ok())
    }

    /// Like [`Mailer::from_env`], reading variables from `lookup`.
    pub fn from_lookup(
        lookup: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Mailer>, ConfigError> {
        let get = |name: &str| lookup(name).filter(|value| !value.trim().is_empty());
        let Some(url) = get(SMTP_URL_VAR) else {
            return Ok(None);
        };
        let from = get(FROM_VAR).ok_or_else(|| {
            ConfigError(format!("{FROM_VAR} is required when {SMTP_URL_VAR} is set"))
        })?;
        let mut mailer = Mailer::new(&url, &from)?;
        if let Some(reply_to) = get(REPLY_TO_VAR) {
            let reply_to = reply_to
                .trim()
                .parse()
                .map_err(|_| ConfigError(format!("{REPLY_TO_VAR} is not a valid address")))?;
            mailer = mailer.with_reply_to(reply_to);
        }
        if let Some(notices) = get(ORGANISER_NOTICES_VAR) {
            mailer = mailer.with_organisers(Organisers::parse(&notices)?);
        }
        if get(LAMBDA_VAR).is_some() {
            mailer = mailer.inline();
        }
        Ok(Some(mailer))
    }

    /// Waits until every message handed over is sent or given up.
    pub async fn flush(&self) {
        while self.inner.pending.load(Ordering::SeqCst) > 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    fn messages(&self, event: &Event) -> Vec<Outgoing> {
        let sender = &self.inner.sender;
        let now = maillage_model::clock::now();
        let mut messages = Vec::new();
        let mut push = |message: Result<Outgoing, compose::ComposeError>, what: &str| match message
        {
            Ok(message) => messages.push(message),
            Err(_) => tracing::warn!(
                meetup = event.meetup_id().unwrap_or(""),
                "email not sent: the {what} address is not valid"
            ),
        };
        match event {
            Event::Registered {
                meetup,
                person,
                status,
                cancel_url,
            } => {
                push(
                    compose::registration(sender, meetup, person, *status, cancel_url, now),
                    "registrant's",
                );
                if let Some(organiser) = self.inner.organisers.for_meetup(&meetup.id) {
                    push(
                        compose::organiser_notice(sender, organiser, meetup, person, *status, now),
                        "registrant's",
                    );
                }
            }
            Event::RegisteredAgain {
                meetup,
                email,
                status,
                cancel_url,
            } => {
                push(
                    compose::reminder(sender, meetup, email, *status, cancel_url, now),
                    "registrant's",
                );
            }
            Event::Promoted { meetup, person } => {
                push(compose::promotion(sender, meetup, person, now), "person's");
            }
            Event::Attested {
                meetup,
                person,
                attestation_url,
            } => {
                push(
                    compose::attestation(sender, meetup, person, attestation_url, now),
                    "person's",
                );
            }
            Event::Messaged {
                meetup,
                kind,
                text,
                recipients,
            } => {
                for (person, cancel_url) in recipients {
                    push(
                        compose::organiser_message(
                            sender, meetup, *kind, text, person, cancel_url, now,
                        ),
                        "registrant's",
                    );
                }
            }
            Event::ReminderDue { meetup, recipients } => {
                for (person, status, cancel_url) in recipients {
                    push(
                        compose::automatic_reminder(
                            sender, meetup, person, *status, cancel_url, now,
                        ),
                        "registrant's",
                    );
                }
            }
            Event::ProposalReceived {
                proposal,
                region_name,
            } => {
                push(
                    proposals::received(sender, proposal, region_name, now),
                    "proposer's",
                );
            }
            Event::ProposalDecided {
                proposal,
                region_name,
                accepted,
            } => {
                push(
                    proposals::decided(sender, proposal, region_name, accepted.as_ref(), now),
                    "proposer's",
                );
            }
            Event::Cancelled { .. } | Event::Reported { .. } => {}
        }
        messages
    }

    fn enqueue(&self, outgoing: Outgoing) {
        let mut queue = self
            .inner
            .queue
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let sender = queue.get_or_insert_with(|| {
            let (sender, receiver) = mpsc::unbounded_channel();
            tokio::spawn(run_worker(self.inner.clone(), receiver));
            sender
        });
        self.inner.pending.fetch_add(1, Ordering::SeqCst);
        if sender.send(outgoing).is_err() {
            self.inner.pending.fetch_sub(1, Ordering::SeqCst);
            tracing::error!("email not sent: the sending task has stopped");
        }
    }
}

#[async_trait]
impl EventSink for Mailer {
    fn reaches_people(&self) -> bool {
        true
    }

    async fn notify(&self, event: &Event) {
        for outgoing in self.messages(event) {
            if self.inner.inline {
                send(&self.inner, &outgoing).await;
            } else {
                self.enqueue(outgoing);
            }
        }
    }
}

async fn run_worker(inner: Arc<Inner>, mut receiver: mpsc::UnboundedReceiver<Outgoing>) {
    while let Some(outgoing) = receiver.recv().await {
        send(&inner, &outgoing).await;
        inner.pending.fetch_sub(1, Ordering::SeqCst);
    }
}

/// One message, with bounded retries. Logs carry the SMTP reply code, never
/// the server's text (it may quote an address).
async fn send(inner: &Inner, outgoing: &Outgoing) -> bool {
    let attempts = inner.retry.attempts.max(1);
    for attempt in 1..=attempts {
        let result = tokio::time::timeout(
            inner.retry.timeout,
            inner.transport.send(outgoing.message.clone()),
        )
        .await;
        let error = match result {
            Ok(Ok(_)) => {
                tracing::info!(
                    kind = outgoing.kind.name(),
                    meetup = %outgoing.meetup_id,
                    attempt,
                    "email sent"
                );
                return true;
            }
            Ok(Err(error)) => error,
            Err(_) => {
                tracing::warn!(kind = outgoing.kind.name(), meetup = %outgoing.meetup_id, attempt, "email: no answer in time");
                if attempt < attempts {
                    tokio::time::sleep(inner.retry.delay(attempt)).await;
                }
                continue;
            }
        };
        let code = error
            .status()
            .map(|code| code.to_string())
            .unwrap_or_else(|| "-".into());
        if error.is_permanent() {
            tracing::error!(kind = outgoing.kind.name(), meetup = %outgoing.meetup_id, code, "email refused by the server; not retried");
            return false;
        }
        tracing::warn!(kind = outgoing.kind.name(), meetup = %outgoing.meetup_id, attempt, attempts, code, "email failed");
        if attempt < attempts {
            tokio::time::sleep(inner.retry.delay(attempt)).await;
        }
    }
    tracing::error!(kind = outgoing.kind.name(), meetup = %outgoing.meetup_id, "email given up after its retries");
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organisers_by_meetup_with_a_fallback() {
        let organisers =
            Organisers::parse("brest-2026-12=Anne <anne@example.org>; *=coordination@example.org")
                .unwrap();
        assert_eq!(
            organisers
                .for_meetup("brest-2026-12")
                .unwrap()
                .email
                .to_string(),
            "anne@example.org"
        );
        assert_eq!(
            organisers.for_meetup("quimper").unwrap().email.to_string(),
            "coordination@example.org"
        );
        let error = Organisers::parse("brest=not an address").unwrap_err();
        assert!(!error.0.contains("not an address"), "{error}");
        assert!(Organisers::parse("brest").is_err());
    }

    #[test]
    fn no_smtp_means_no_mailer() {
        assert!(Mailer::from_lookup(|_| None).unwrap().is_none());
        let error = Mailer::from_lookup(|name| {
            (name == SMTP_URL_VAR).then(|| "smtp://127.0.0.1:2525".to_string())
        })
        .unwrap_err();
        assert!(error.0.contains(FROM_VAR));
    }
}
