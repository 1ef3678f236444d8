//! The table's items: their keys, their attributes, and the conversions
//! between DynamoDB attribute maps and the store's types.
//!
//! One table, string keys `PK` and `SK`:
//!
//! | item                 | PK            | SK                    | personal data (TTL) |
//! |----------------------|---------------|-----------------------|---------------------|
//! | meetup + counters    | `M#<id>`      | `META`                | no                  |
//! | registration         | `M#<id>`      | `R#<sha256(email)>`   | yes                 |
//! | waiting-list place   | `M#<id>`      | `W#<arrival:010>`     | yes                 |
//! | public report        | `M#<id>`      | `REPORT`              | no                  |
//! | private report notes | `M#<id>`      | `REPORT#PRIVATE`      | yes                 |
//! | token lookup         | `T#<sha256(token)>` | `TOKEN`         | yes                 |
//! | meetup index         | `MEETUPS`     | `<id>`                | no                  |
//! | rebuild trigger window | `TRIGGER`   | `WINDOW`              | no                  |
//!
//! Emails and tokens only appear hashed in keys, so key listings (metrics,
//! logs of keys) carry no personal data or secret.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, SecondsFormat, Utc};
use sha2::{Digest, Sha256};

use maillage_model::meetup::{MeetupDefinition, PublicReport, Role};
use maillage_model::store::{Registrant, RegistrationStatus, StoreError, StoreResult};

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
pub(super) const INDEX_PK: &str = "MEETUPS";
pub(super) const REGISTRATION_PREFIX: &str = "R#";
pub(super) const WAITING_PREFIX: &str = "W#";

pub(super) mod kind {
    pub const MEETUP: &str = "meetup";
    pub const REGISTRATION: &str = "registration";
    pub const WAITING: &str = "waiting";
    pub const TOKEN: &str = "token";
    pub const REPORT: &str = "report";
    pub const REPORT_PRIVATE: &str = "report_private";
    pub const INDEX: &str = "index";
    pub const TRIGGER: &str = "trigger";
}

/// Attributes of the meetup item (`META`).
pub(super) mod meta {
    /// The definition as JSON: read whole, never queried by field.
    pub const DEFINITION: &str = "definition";
    /// The capacity, copied out of the definition for condition expressions.
    pub const SEATS: &str = "seats";
    pub const CONFIRMED: &str = "confirmed";
    pub const WAITING: &str = "waiting";
    /// Arrivals ever counted: the next registration's arrival number.
    pub const ARRIVALS: &str = "arrivals";
}

/// Attributes of a registration item.
pub(super) mod reg {
    pub const MEETUP_ID: &str = "meetup_id";
    pub const NAME: &str = "person_name";
    pub const EMAIL: &str = "email";
    pub const ROLE: &str = "person_role";
    pub const STRUCTURE: &str = "structure";
    pub const NEED: &str = "need";
    pub const TOKEN: &str = "token";
    pub const STATE: &str = "reg_state";
    pub const ARRIVAL: &str = "arrival";
    pub const REGISTERED_AT: &str = "registered_at";
    /// Random id of the request that claimed the email, while pending.
    pub const CLAIM: &str = "claim";
    pub const CLAIMED_AT: &str = "claimed_at";
    pub const CANCELLED_AT: &str = "cancelled_at";
}

/// Attributes of token and waiting items: where the registration is.
pub(super) const REG_PK: &str = "reg_pk";
pub(super) const REG_SK: &str = "reg_sk";

/// Attributes of the report items.
pub(super) const PUBLIC_REPORT: &str = "public";
pub(super) const PRIVATE_NOTES: &str = "notes";
pub(super) const SUBMITTED_AT: &str = "submitted_at";

pub(super) fn meetup_pk(meetup_id: &str) -> String {
    format!("M#{meetup_id}")
}

pub(super) fn registration_sk(email: &str) -> String {
    format!("{REGISTRATION_PREFIX}{}", sha256_hex(email))
}

pub(super) fn waiting_sk(arrival: u64) -> String {
    format!("{WAITING_PREFIX}{arrival:010}")
}

pub(super) fn token_pk(token: &str) -> String {
    format!("T#{}", sha256_hex(token))
}

fn sha256_hex(value: &str) -> String {
    Sha256::digest(value.as_bytes())
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
    StoreError::Backend(format!("malformed item: {what}"))
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

/// Where a registration item stands (`reg_state`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum State {
    /// The email is claimed by a request still deciding seat or waiting list.
    Pending,
    Confirmed,
    Waiting,
    Cancelled,
}

impl State {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            State::Pending => "pending",
            State::Confirmed => "confirmed",
            State::Waiting => "waiting",
            State::Cancelled => "cancelled",
        }
    }

    fn parse(value: &str) -> StoreResult<State> {
        match value {
            "pending" => Ok(State::Pending),
            "confirmed" => Ok(State::Confirmed),
            "waiting" => Ok(State::Waiting),
            "cancelled" => Ok(State::Cancelled),
            _ => Err(corrupt(reg::STATE)),
        }
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
    pub state: State,
    /// Arrival number in the meetup (0 while pending).
    pub arrival: u64,
    pub registered_at: DateTime<Utc>,
    pub claim: Option<String>,
    pub claimed_at: Option<DateTime<Utc>>,
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
            state: State::parse(get_s(item, reg::STATE)?)?,
            arrival: u64::try_from(opt_n(item, reg::ARRIVAL).unwrap_or(0)).unwrap_or(0),
            registered_at: get_time(item, reg::REGISTERED_AT)?,
            claim: opt_s(item, reg::CLAIM).map(str::to_string),
            claimed_at: get_time(item, reg::CLAIMED_AT).ok(),
        })
    }

    /// The organiser's view of this registration; `position` is the 1-based
    /// waiting-list place when waiting.
    pub(super) fn registrant(&self, position: u32) -> Registrant {
        Registrant {
            name: self.name.clone(),
            email: self.email.clone(),
            role: self.role,
            structure: self.structure.clone(),
            need: self.need.clone(),
            status: self.status(position),
            registered_at: self.registered_at,
        }
    }

    pub(super) fn status(&self, position: u32) -> RegistrationStatus {
        match self.state {
            State::Confirmed => RegistrationStatus::Confirmed,
            State::Cancelled => RegistrationStatus::Cancelled,
            State::Waiting | State::Pending => RegistrationStatus::Waiting { position },
        }
    }
}

/// The meetup item's counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Counters {
    pub seats: u32,
    pub confirmed: u32,
    pub waiting: u32,
}

impl Counters {
    pub(super) fn parse(item: &Item) -> StoreResult<Counters> {
        Ok(Counters {
            seats: get_u32(item, meta::SEATS)?,
            confirmed: get_u32(item, meta::CONFIRMED)?,
            waiting: get_u32(item, meta::WAITING)?,
        })
    }
}

pub(super) fn parse_definition(item: &Item) -> StoreResult<MeetupDefinition> {
    serde_json::from_str(get_s(item, meta::DEFINITION)?).map_err(|_| corrupt(meta::DEFINITION))
}

pub(super) fn definition_json(definition: &MeetupDefinition) -> StoreResult<String> {
    serde_json::to_string(definition)
        .map_err(|error| StoreError::Backend(format!("encoding a meetup definition: {error}")))
}

pub(super) fn parse_public_report(item: &Item) -> StoreResult<PublicReport> {
    serde_json::from_str(get_s(item, PUBLIC_REPORT)?).map_err(|_| corrupt(PUBLIC_REPORT))
}

pub(super) fn public_report_json(report: &PublicReport) -> StoreResult<String> {
    serde_json::to_string(report)
        .map_err(|error| StoreError::Backend(format!("encoding a report: {error}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_hide_emails_and_tokens() {
        let sk = registration_sk("ada@example.org");
        assert!(sk.starts_with("R#") && !sk.contains("ada"));
        assert_eq!(sk.len(), 2 + 64);
        assert!(!token_pk("secret-token").contains("secret"));
        assert_eq!(waiting_sk(42), "W#0000000042");
        assert!(waiting_sk(9) < waiting_sk(10), "queue keys sort by arrival");
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
