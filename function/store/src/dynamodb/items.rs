//! The table's items: their keys, their attributes, and the conversions
//! between DynamoDB attribute maps and the store's types.
//!
//! One table, string keys `PK` and `SK`:
//!
//! | item                 | PK            | SK                    | personal data (TTL) |
//! |----------------------|---------------|-----------------------|---------------------|
//! | meetup: seats, who holds them, the queue | `M#<id>` | `META` | hashes, cleared by the purge |
//! | registration         | `M#<id>`      | `R#<hash(email)>`     | yes                 |
//! | public report        | `M#<id>`      | `REPORT`              | no                  |
//! | private report notes | `M#<id>`      | `REPORT#PRIVATE`      | yes                 |
//! | token lookup         | `T#<hash(token)>` | `TOKEN`           | yes                 |
//! | attestation          | `A#<hash(code)>` | `ATTESTATION`      | yes (longer retention) |
//! | organiser's attestation code | `M#<id>` | `ORGANISER`       | no (expires with it) |
//! | organiser's message sent | `M#<id>`  | `MESSAGE#<hash(request)>`, `MESSAGE#cancellation` | no (kind, time, call) |
//! | meetup index         | `MEETUPS`     | `<id>`                | no                  |
//! | region: the coordinator's key hash, its meetups' ids | `REGION#<id>` | `REGION` | no |
//! | meetup proposal      | `PROPOSALS#<region>` | `P#<id>`     | yes (the proposer's name and email) |
//! | accepted proposal's meetup | `ACCEPTED` | `<meetup id>`      | no (the organiser's first name) |
//! | rebuild trigger window | `TRIGGER`   | `WINDOW`              | no                  |
//! | where a long job stopped | `CURSOR`  | `purge`, `repair`     | no                  |
//!
//! Who holds a seat and who waits, in which order, is in the meetup item
//! alone (see [`super::meetup_item`]); a registration item holds the person's
//! data and the private token. Emails and tokens only appear hashed
//! ([`short_hash`]) in keys and in the meetup item, so key listings
//! (metrics, logs of keys) carry no personal data or secret.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};

use maillage_model::meetup::{MeetupDefinition, MeetupStatus, PublicReport, Role};
use maillage_model::store::{MessageKind, Registrant, RegistrationStatus, StoreError, StoreResult};

pub(super) type Item = HashMap<String, AttributeValue>;

pub(super) const PK: &str = "PK";
pub(super) const SK: &str = "SK";
/// The TTL attribute (epoch seconds) on every item holding personal data.
pub(super) const EXPIRES_AT: &str = "expires_at";
/// What an item is, so scans and purges need not parse keys.
pub(super) const KIND: &str = "kind";

pub(super) const META_SK: &str = "META";
pub(super) const REPORT_SK: &str = "REPORT";
pub(super) const REPORT_PRIVATE_SK: &str = "REPORT#PRIVATE";
pub(super) const TOKEN_SK: &str = "TOKEN";
pub(super) const ATTESTATION_SK: &str = "ATTESTATION";
pub(super) const ORGANISER_SK: &str = "ORGANISER";
pub(super) const INDEX_PK: &str = "MEETUPS";
pub(super) const REGISTRATION_PREFIX: &str = "R#";
pub(super) const CURSOR_PK: &str = "CURSOR";
/// The organiser's messages, in the meetup's partition.
pub(super) const MESSAGE_PREFIX: &str = "MESSAGE#";

pub(super) mod kind {
    pub(crate) const MEETUP: &str = "meetup";
    pub(crate) const REGISTRATION: &str = "registration";
    /// A queue item of an earlier layout (the queue is now in the meetup item).
    pub(crate) const WAITING_LEGACY: &str = "waiting";
    pub(crate) const TOKEN: &str = "token";
    pub(crate) const REPORT: &str = "report";
    pub(crate) const REPORT_PRIVATE: &str = "report_private";
    pub(crate) const INDEX: &str = "index";
    pub(crate) const TRIGGER: &str = "trigger";
    pub(crate) const CURSOR: &str = "cursor";
    pub(crate) const ATTESTATION: &str = "attestation";
    pub(crate) const ORGANISER: &str = "organiser";
    pub(crate) const MESSAGE: &str = "message";
    pub(crate) const REGION: &str = "region";
    pub(crate) const PROPOSAL: &str = "proposal";
    pub(crate) const ACCEPTED: &str = "accepted";
}

/// Attributes of the meetup item (`META`).
pub(super) mod meta {
    /// The definition as JSON: read whole, never queried by field.
    pub(crate) const DEFINITION: &str = "definition";
    /// The capacity, copied out of the definition for condition expressions.
    pub(crate) const SEATS: &str = "seats";
    /// The public figures: always the lengths of `seated` and `queue`
    /// (written in the same updates), kept once the purge clears the lists.
    pub(crate) const CONFIRMED: &str = "confirmed";
    pub(crate) const WAITING: &str = "waiting";
    /// Places ever given: the last registration's arrival number.
    pub(crate) const ARRIVALS: &str = "arrivals";
    /// Who holds a seat: a map from registration hash (the `R#` key's) to
    /// arrival number.
    pub(crate) const SEATED: &str = "seated";
    /// Who waits: a string set of `<arrival, 10 digits>:<registration hash>`.
    pub(crate) const QUEUE: &str = "queue";
    /// Registrations that ended (cancelled, or dropped unfinished): a
    /// string set of token hashes. A token in it never holds a place again.
    pub(crate) const CANCELLED: &str = "cancelled";
    /// Who ended each cancelled registration: a string set of
    /// `<token hash>:<call>`, so that a cancellation whose answer was lost
    /// knows whether its own write applied.
    pub(crate) const ENDED_BY: &str = "ended_by";
    /// When the lists above (hashes of participants' emails and tokens)
    /// must be cleared: the registrations' own expiry (epoch seconds).
    pub(crate) const LISTS_EXPIRE_AT: &str = "lists_expire_at";
    /// When the organiser's message cancelled the meetup; absent otherwise.
    pub(crate) const CANCELLED_AT: &str = "cancelled_at";
}

/// Attributes of a registration item.
pub(super) mod reg {
    pub(crate) const MEETUP_ID: &str = "meetup_id";
    pub(crate) const NAME: &str = "person_name";
    pub(crate) const EMAIL: &str = "email";
    pub(crate) const ROLE: &str = "person_role";
    pub(crate) const STRUCTURE: &str = "structure";
    pub(crate) const NEED: &str = "need";
    pub(crate) const TOKEN: &str = "token";
    /// Arrival number, for the organiser's list order (written once the
    /// registration has its place).
    pub(crate) const ARRIVAL: &str = "arrival";
    pub(crate) const REGISTERED_AT: &str = "registered_at";
    /// The code of the person's attestation, once marked present.
    pub(crate) const ATTESTATION: &str = "attestation";
}

/// Attributes of an attestation item (and `reg::ATTESTATION`, the code, on
/// the organiser's item).
pub(super) mod att {
    pub(crate) const CODE: &str = "code";
    pub(crate) const MEETUP_ID: &str = "meetup_id";
    pub(crate) const MEETUP_TITLE: &str = "meetup_title";
    pub(crate) const DATE: &str = "meetup_date";
    pub(crate) const NAME: &str = "person_name";
    pub(crate) const ROLE: &str = "person_role";
}

/// Attributes of token items: where the registration is.
pub(super) const REG_PK: &str = "reg_pk";
pub(super) const REG_SK: &str = "reg_sk";

/// Attributes of the report items.
pub(super) const PUBLIC_REPORT: &str = "public";
pub(super) const PRIVATE_NOTES: &str = "notes";
pub(super) const SUBMITTED_AT: &str = "submitted_at";

pub(super) fn meetup_pk(meetup_id: &str) -> String {
    format!("M#{meetup_id}")
}

/// The hash naming a registration: of its email, in its key and in the
/// meetup item.
pub(super) fn email_hash(email: &str) -> String {
    short_hash(email)
}

pub(super) fn registration_sk(email_hash: &str) -> String {
    format!("{REGISTRATION_PREFIX}{email_hash}")
}

/// The hash naming a token: in its lookup item's key and in the meetup
/// item's set of ended registrations.
pub(super) fn token_hash(token: &str) -> String {
    short_hash(token)
}

pub(super) fn token_pk(token: &str) -> String {
    format!("T#{}", token_hash(token))
}

/// An attestation's key: its code, hashed as tokens are.
pub(super) fn attestation_key(code: &str) -> Item {
    key(format!("A#{}", short_hash(code)), ATTESTATION_SK)
}

/// The first 128 bits of the value's SHA-256, in hex: enough never to
/// collide among a meetup's registrations, and short, since the meetup item
/// holds one per person.
fn short_hash(value: &str) -> String {
    Sha256::digest(value.as_bytes())[..16]
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

pub(super) fn key(pk: impl Into<String>, sk: impl Into<String>) -> Item {
    HashMap::from([
        (PK.to_string(), AttributeValue::S(pk.into())),
        (SK.to_string(), AttributeValue::S(sk.into())),
    ])
}

pub(super) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub(super) fn n(value: impl std::fmt::Display) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// Epoch seconds for the TTL attribute, rounded up so nothing is ever
/// considered expired before its time.
pub(super) fn epoch_seconds(instant: DateTime<Utc>) -> i64 {
    let seconds = instant.timestamp();
    if instant.timestamp_subsec_nanos() > 0 {
        seconds + 1
    } else {
        seconds
    }
}

pub(super) fn timestamp(instant: DateTime<Utc>) -> AttributeValue {
    s(instant.to_rfc3339_opts(SecondsFormat::AutoSi, true))
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Malformed(format!("item: {what}"))
}

pub(super) fn get_s<'a>(item: &'a Item, name: &str) -> StoreResult<&'a str> {
    opt_s(item, name).ok_or_else(|| corrupt(name))
}

pub(super) fn opt_s<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    match item.get(name) {
        Some(AttributeValue::S(value)) => Some(value),
        _ => None,
    }
}

pub(super) fn get_n(item: &Item, name: &str) -> StoreResult<i64> {
    opt_n(item, name).ok_or_else(|| corrupt(name))
}

pub(super) fn opt_n(item: &Item, name: &str) -> Option<i64> {
    match item.get(name) {
        Some(AttributeValue::N(value)) => value.parse().ok(),
        _ => None,
    }
}

pub(super) fn get_u32(item: &Item, name: &str) -> StoreResult<u32> {
    u32::try_from(get_n(item, name)?.max(0)).map_err(|_| corrupt(name))
}

pub(super) fn get_time(item: &Item, name: &str) -> StoreResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(get_s(item, name)?)
        .map(|instant| instant.with_timezone(&Utc))
        .map_err(|_| corrupt(name))
}

/// Whether an item's personal data is past its expiry: TTL deletion lags
/// (up to days on DynamoDB, never on local servers), so reads check it.
pub(super) fn is_expired(item: &Item, now: DateTime<Utc>) -> bool {
    opt_n(item, EXPIRES_AT).is_some_and(|expires_at| expires_at < now.timestamp())
}

pub(super) fn role_name(role: Role) -> &'static str {
    match role {
        Role::Participant => "participant",
        Role::Facilitator => "facilitator",
        Role::Speaker => "speaker",
    }
}

fn parse_role(value: &str) -> StoreResult<Role> {
    match value {
        "participant" => Ok(Role::Participant),
        "facilitator" => Ok(Role::Facilitator),
        "speaker" => Ok(Role::Speaker),
        _ => Err(corrupt(reg::ROLE)),
    }
}

/// A registration item, read back.
#[derive(Debug, Clone)]
pub(super) struct RegistrationItem {
    pub sk: String,
    pub meetup_id: String,
    pub name: String,
    pub email: String,
    pub role: Role,
    pub structure: Option<String>,
    pub need: Option<String>,
    pub token: String,
    /// Arrival number, once written (`None` for an unfinished one).
    pub arrival: Option<u64>,
    pub registered_at: DateTime<Utc>,
    pub expires_at: i64,
    pub attestation: Option<String>,
}

impl RegistrationItem {
    pub(super) fn parse(item: &Item) -> StoreResult<RegistrationItem> {
        Ok(RegistrationItem {
            sk: get_s(item, SK)?.to_string(),
            meetup_id: get_s(item, reg::MEETUP_ID)?.to_string(),
            name: get_s(item, reg::NAME)?.to_string(),
            email: get_s(item, reg::EMAIL)?.to_string(),
            role: parse_role(get_s(item, reg::ROLE)?)?,
            structure: opt_s(item, reg::STRUCTURE).map(str::to_string),
            need: opt_s(item, reg::NEED).map(str::to_string),
            token: get_s(item, reg::TOKEN)?.to_string(),
            arrival: opt_n(item, reg::ARRIVAL).and_then(|n| u64::try_from(n).ok()),
            registered_at: get_time(item, reg::REGISTERED_AT)?,
            expires_at: get_n(item, EXPIRES_AT)?,
            attestation: opt_s(item, reg::ATTESTATION).map(str::to_string),
        })
    }

    /// The hash in its key, which the meetup item's lists hold.
    pub(super) fn email_hash(&self) -> &str {
        self.sk
            .strip_prefix(REGISTRATION_PREFIX)
            .unwrap_or(&self.sk)
    }

    pub(super) fn token_hash(&self) -> String {
        token_hash(&self.token)
    }

    pub(super) fn is_expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at < now.timestamp()
    }

    /// The organiser's view of this registration.
    pub(super) fn registrant(&self, status: RegistrationStatus) -> Registrant {
        Registrant {
            name: self.name.clone(),
            email: self.email.clone(),
            role: self.role,
            structure: self.structure.clone(),
            need: self.need.clone(),
            status,
            registered_at: self.registered_at,
            attestation: self.attestation.clone(),
        }
    }
}

/// The definition a meetup item holds, as the function must see it:
/// cancelled when its organiser's message cancelled it (`cancelled_at`),
/// whatever the last sync wrote.
pub(super) fn parse_definition(item: &Item) -> StoreResult<MeetupDefinition> {
    let mut definition: MeetupDefinition = serde_json::from_str(get_s(item, meta::DEFINITION)?)
        .map_err(|_| corrupt(meta::DEFINITION))?;
    if is_cancelled(item) {
        definition.status = MeetupStatus::Cancelled;
    }
    Ok(definition)
}

/// Whether the meetup item was cancelled by its organiser's message.
pub(super) fn is_cancelled(meta: &Item) -> bool {
    meta.contains_key(meta::CANCELLED_AT)
}

/// The key of the record of an organiser's message: by its request token
/// (hashed, as tokens always are in keys), except a cancellation, which
/// has one key per meetup (a meetup is cancelled once).
pub(super) fn message_key(meetup_id: &str, request: &str, kind: MessageKind) -> Item {
    let sk = match kind {
        MessageKind::Cancellation => format!("{MESSAGE_PREFIX}{}", kind.as_str()),
        _ => format!("{MESSAGE_PREFIX}{}", token_hash(request)),
    };
    key(meetup_pk(meetup_id), sk)
}

pub(super) fn definition_json(definition: &MeetupDefinition) -> StoreResult<String> {
    serde_json::to_string(definition)
        .map_err(|error| StoreError::caused("encoding a meetup definition", error))
}

pub(super) fn parse_public_report(item: &Item) -> StoreResult<PublicReport> {
    serde_json::from_str(get_s(item, PUBLIC_REPORT)?).map_err(|_| corrupt(PUBLIC_REPORT))
}

pub(super) fn public_report_json(report: &PublicReport) -> StoreResult<String> {
    serde_json::to_string(report).map_err(|error| StoreError::caused("encoding a report", error))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_hide_emails_and_tokens() {
        let sk = registration_sk(&email_hash("ada@example.org"));
        assert!(sk.starts_with("R#") && !sk.contains("ada"));
        assert_eq!(sk.len(), 2 + 32);
        assert!(!token_pk("secret-token").contains("secret"));
        assert_eq!(token_pk("t"), format!("T#{}", token_hash("t")));
    }

    #[test]
    fn ttl_seconds_round_up() {
        let whole = DateTime::parse_from_rfc3339("2026-11-22T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(epoch_seconds(whole), whole.timestamp());
        let later = whole + chrono::Duration::milliseconds(1);
        assert_eq!(epoch_seconds(later), whole.timestamp() + 1);
    }
}
