//! The organiser's messages to the registrants: each recorded once by its
//! request token, in the same transaction as the cancellation it may carry,
//! and the people it goes to.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};

use super::registrations::counters;
use super::{micros, parse_time, sql_error, text_time, CONFIRMED, WAITING};
use maillage_model::store::{
    Addressee, MessageKind, MessageOutcome, OrganiserMessage, RegistrationStatus, StoreError,
    StoreResult,
};

/// Records `message` unless its request was recorded before (or, for a
/// cancellation, the meetup was cancelled before), in the writer's
/// transaction.
pub(super) fn record(
    conn: &Connection,
    message: &OrganiserMessage,
    now: DateTime<Utc>,
) -> StoreResult<MessageOutcome> {
    if counters(conn, &message.meetup_id)?.is_none() {
        return Err(StoreError::UnknownMeetup(message.meetup_id.clone()));
    }
    let inserted = conn
        .prepare_cached(
            "INSERT INTO messages (request, meetup_id, kind, sent_at) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT DO NOTHING",
        )
        .and_then(|mut statement| {
            statement.execute(params![
                message.request,
                message.meetup_id,
                message.kind.as_str(),
                text_time(message.sent_at)
            ])
        })
        .map_err(|e| sql_error("recording a message", e))?;
    if inserted == 0 {
        return Ok(MessageOutcome::AlreadyRecorded);
    }
    if message.kind == MessageKind::Cancellation {
        conn.prepare_cached(
            "UPDATE meetups SET cancelled_at = coalesce(cancelled_at, ?2) WHERE id = ?1",
        )
        .and_then(|mut statement| {
            statement.execute(params![message.meetup_id, text_time(message.sent_at)])
        })
        .map_err(|e| sql_error("cancelling a meetup", e))?;
    }
    Ok(MessageOutcome::Recorded {
        recipients: addressees(conn, &message.meetup_id, now)?,
    })
}

/// Marks the meetup's live registrations made before `before` and not
/// reminded yet, in the writer's transaction; returns them.
pub(super) fn claim_reminders(
    conn: &Connection,
    meetup_id: &str,
    before: DateTime<Utc>,
    now: DateTime<Utc>,
) -> StoreResult<Vec<Addressee>> {
    let rows: Vec<(String, String)> = conn
        .prepare_cached(
            "SELECT token, registered_at FROM registrations \
             WHERE meetup_id = ?1 AND state IN (?2, ?3) AND expires_at >= ?4 \
             AND reminded_at IS NULL",
        )
        .and_then(|mut statement| {
            statement
                .query_map(params![meetup_id, CONFIRMED, WAITING, micros(now)], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })?
                .collect::<rusqlite::Result<_>>()
        })
        .map_err(|e| sql_error("finding registrations to remind", e))?;
    let mut claimed = std::collections::HashSet::new();
    for (token, registered_at) in rows {
        if parse_time(&registered_at)? >= before {
            continue;
        }
        conn.prepare_cached("UPDATE registrations SET reminded_at = ?2 WHERE token = ?1")
            .and_then(|mut statement| statement.execute(params![token, text_time(now)]))
            .map_err(|e| sql_error("marking a reminder", e))?;
        claimed.insert(token);
    }
    Ok(addressees(conn, meetup_id, now)?
        .into_iter()
        .filter(|addressee| claimed.contains(&addressee.token))
        .collect())
}

/// The live registrations of a meetup, confirmed and waiting, in arrival
/// order.
fn addressees(
    conn: &Connection,
    meetup_id: &str,
    now: DateTime<Utc>,
) -> StoreResult<Vec<Addressee>> {
    let rows: Vec<(String, String, String, String)> = conn
        .prepare_cached(
            "SELECT name, email, token, state FROM registrations \
             WHERE meetup_id = ?1 AND state IN (?2, ?3) AND expires_at >= ?4 ORDER BY arrival",
        )
        .and_then(|mut statement| {
            statement
                .query_map(params![meetup_id, CONFIRMED, WAITING, micros(now)], |row| {
                    Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
                })?
                .collect::<rusqlite::Result<_>>()
        })
        .map_err(|e| sql_error("listing a message's recipients", e))?;
    let mut waiting_ahead = 0;
    Ok(rows
        .into_iter()
        .map(|(name, email, token, state)| {
            let status = if state == WAITING {
                waiting_ahead += 1;
                RegistrationStatus::Waiting {
                    position: waiting_ahead,
                }
            } else {
                RegistrationStatus::Confirmed
            };
            Addressee {
                name,
                email,
                token,
                status,
            }
        })
        .collect())
}
