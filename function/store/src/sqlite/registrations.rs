//! Registering, cancelling with promotion, and reading registrations back.
//!
//! Writes run on the writer thread inside a transaction, one after another:
//! reading the counters then writing them is safe there, because nothing
//! else writes in between (other processes wait on the `IMMEDIATE` lock).

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

use super::{
    micros, parse_role, parse_time, role_name, sql_error, text_time, State, CANCELLED, CONFIRMED,
    WAITING,
};
use maillage_model::store::{
    CancelOutcome, NewRegistration, Registrant, RegistrationByToken, RegistrationOutcome,
    RegistrationStatus, StoreError, StoreResult,
};

/// A meetup's counters.
#[derive(Debug, Clone, Copy)]
pub(super) struct Counters {
    pub capacity: u32,
    pub confirmed: u32,
    pub waiting: u32,
    pub arrivals: i64,
}

pub(super) fn counters(conn: &Connection, meetup_id: &str) -> StoreResult<Option<Counters>> {
    conn.prepare_cached("SELECT capacity, confirmed, waiting, arrivals FROM meetups WHERE id = ?1")
        .and_then(|mut statement| {
            statement
                .query_row([meetup_id], |row| {
                    Ok(Counters {
                        capacity: row.get(0)?,
                        confirmed: row.get(1)?,
                        waiting: row.get(2)?,
                        arrivals: row.get(3)?,
                    })
                })
                .optional()
        })
        .map_err(|e| sql_error("reading a meetup's counters", e))
}

pub(super) fn set_counters(
    conn: &Connection,
    meetup_id: &str,
    counters: &Counters,
) -> StoreResult<()> {
    conn.prepare_cached(
        "UPDATE meetups SET confirmed = ?2, waiting = ?3, arrivals = ?4 WHERE id = ?1",
    )
    .and_then(|mut statement| {
        statement.execute(params![
            meetup_id,
            counters.confirmed,
            counters.waiting,
            counters.arrivals
        ])
    })
    .map_err(|e| sql_error("updating a meetup's counters", e))?;
    Ok(())
}

/// The registration already holding (meetup, email), if any.
struct Existing {
    id: i64,
    state: State,
    arrival: i64,
    token: String,
    expires_at: i64,
}

pub(super) fn register(
    conn: &Connection,
    new: &NewRegistration,
    now: DateTime<Utc>,
) -> StoreResult<RegistrationOutcome> {
    let Some(mut counters) = counters(conn, &new.meetup_id)? else {
        return Err(StoreError::UnknownMeetup(new.meetup_id.clone()));
    };
    let existing = conn
        .prepare_cached(
            "SELECT id, state, arrival, token, expires_at FROM registrations \
             WHERE meetup_id = ?1 AND email = ?2",
        )
        .and_then(|mut statement| {
            statement
                .query_row(params![new.meetup_id, new.email], |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, i64>(2)?,
                        row.get::<_, String>(3)?,
                        row.get::<_, i64>(4)?,
                    ))
                })
                .optional()
        })
        .map_err(|e| sql_error("looking up a registration", e))?;
    let existing = existing
        .map(|(id, state, arrival, token, expires_at)| {
            Ok::<_, StoreError>(Existing {
                id,
                state: State::parse(&state)?,
                arrival,
                token,
                expires_at,
            })
        })
        .transpose()?;
    if let Some(existing) = &existing {
        if existing.state != State::Cancelled && existing.expires_at >= micros(now) {
            let status = status(conn, &new.meetup_id, existing.state, existing.arrival, now)?;
            return Ok(RegistrationOutcome {
                status,
                token: existing.token.clone(),
                // The same token is the same request sent again.
                already_registered: existing.token != new.token,
            });
        }
    }

    // A seat if one is free and nobody waits; else the back of the queue.
    counters.arrivals += 1;
    let (state, status) = if counters.confirmed < counters.capacity && counters.waiting == 0 {
        counters.confirmed += 1;
        (State::Confirmed, RegistrationStatus::Confirmed)
    } else {
        counters.waiting += 1;
        (
            State::Waiting,
            RegistrationStatus::Waiting {
                position: counters.waiting,
            },
        )
    };
    set_counters(conn, &new.meetup_id, &counters)?;

    // A cancelled or expired registration of the same email is replaced:
    // coming back is a new registration, with a new token, at the back.
    let values = params![
        new.meetup_id,
        new.email,
        new.name,
        role_name(new.role),
        new.structure,
        new.need,
        new.token,
        state.as_str(),
        counters.arrivals,
        text_time(new.registered_at),
        micros(new.expires_at),
    ];
    let written = match &existing {
        Some(old) => conn
            .prepare_cached(
                "UPDATE registrations SET meetup_id = ?1, email = ?2, name = ?3, role = ?4, \
                 structure = ?5, need = ?6, token = ?7, state = ?8, arrival = ?9, \
                 registered_at = ?10, expires_at = ?11, cancelled_at = NULL WHERE id = ?12",
            )
            .and_then(|mut statement| {
                let mut all: Vec<&dyn rusqlite::ToSql> = values.to_vec();
                all.push(&old.id);
                statement.execute(all.as_slice())
            }),
        None => conn
            .prepare_cached(
                "INSERT INTO registrations (meetup_id, email, name, role, structure, need, \
                 token, state, arrival, registered_at, expires_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
            )
            .and_then(|mut statement| statement.execute(values)),
    };
    written.map_err(|e| sql_error("recording a registration", e))?;
    Ok(RegistrationOutcome {
        status,
        token: new.token.clone(),
        already_registered: false,
    })
}

/// A registration's status, with its current waiting-list position: 1 +
/// the live people waiting who arrived before it.
fn status(
    conn: &Connection,
    meetup_id: &str,
    state: State,
    arrival: i64,
    now: DateTime<Utc>,
) -> StoreResult<RegistrationStatus> {
    Ok(match state {
        State::Confirmed => RegistrationStatus::Confirmed,
        State::Cancelled => RegistrationStatus::Cancelled,
        State::Waiting => {
            let ahead: u32 = conn
                .prepare_cached(
                    "SELECT count(*) FROM registrations WHERE meetup_id = ?1 AND state = ?2 \
                     AND arrival < ?3 AND expires_at >= ?4",
                )
                .and_then(|mut statement| {
                    statement.query_row(params![meetup_id, WAITING, arrival, micros(now)], |row| {
                        row.get(0)
                    })
                })
                .map_err(|e| sql_error("counting the waiting list", e))?;
            RegistrationStatus::Waiting {
                position: ahead + 1,
            }
        }
    })
}

/// A live registration found by token: its row id, meetup, name, state
/// and arrival.
struct ByToken {
    id: i64,
    meetup_id: String,
    name: String,
    state: State,
    arrival: i64,
}

fn find_by_token(
    conn: &Connection,
    token: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<ByToken>> {
    let found = conn
        .prepare_cached(
            "SELECT id, meetup_id, name, state, arrival FROM registrations \
             WHERE token = ?1 AND expires_at >= ?2",
        )
        .and_then(|mut statement| {
            statement
                .query_row(params![token, micros(now)], |row| {
                    Ok((
                        row.get::<_, i64>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, String>(3)?,
                        row.get::<_, i64>(4)?,
                    ))
                })
                .optional()
        })
        .map_err(|e| sql_error("looking up a token", e))?;
    found
        .map(|(id, meetup_id, name, state, arrival)| {
            Ok(ByToken {
                id,
                meetup_id,
                name,
                state: State::parse(&state)?,
                arrival,
            })
        })
        .transpose()
}

pub(super) fn by_token(
    conn: &Connection,
    token: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<RegistrationByToken>> {
    let Some(found) = find_by_token(conn, token, now)? else {
        return Ok(None);
    };
    let status = status(conn, &found.meetup_id, found.state, found.arrival, now)?;
    Ok(Some(RegistrationByToken {
        meetup_id: found.meetup_id,
        name: found.name,
        status,
    }))
}

pub(super) fn cancel(
    conn: &Connection,
    token: &str,
    now: DateTime<Utc>,
) -> StoreResult<CancelOutcome> {
    let Some(found) = find_by_token(conn, token, now)? else {
        return Ok(CancelOutcome::UnknownToken);
    };
    let meetup_id = found.meetup_id;
    if found.state == State::Cancelled {
        return Ok(CancelOutcome::AlreadyCancelled { meetup_id });
    }
    let mut counters = counters(conn, &meetup_id)?
        .ok_or_else(|| StoreError::backend("a registration's meetup is missing"))?;
    conn.prepare_cached("UPDATE registrations SET state = ?2, cancelled_at = ?3 WHERE id = ?1")
        .and_then(|mut statement| statement.execute(params![found.id, CANCELLED, text_time(now)]))
        .map_err(|e| sql_error("cancelling a registration", e))?;
    let mut promoted = None;
    match found.state {
        State::Waiting => counters.waiting = counters.waiting.saturating_sub(1),
        _ => {
            counters.confirmed = counters.confirmed.saturating_sub(1);
            if counters.waiting > 0 && counters.confirmed < counters.capacity {
                promoted = promote_first(conn, &meetup_id, &mut counters, now)?;
            }
        }
    }
    set_counters(conn, &meetup_id, &counters)?;
    Ok(CancelOutcome::Cancelled {
        meetup_id,
        promoted,
    })
}

/// Confirms the first live person waiting, updating `counters` (the caller
/// writes them). `None` when nobody live waits.
pub(super) fn promote_first(
    conn: &Connection,
    meetup_id: &str,
    counters: &mut Counters,
    now: DateTime<Utc>,
) -> StoreResult<Option<Registrant>> {
    let first = conn
        .prepare_cached(&format!(
            "SELECT id, {REGISTRANT_COLUMNS} FROM registrations \
             WHERE meetup_id = ?1 AND state = ?2 AND expires_at >= ?3 \
             ORDER BY arrival LIMIT 1"
        ))
        .and_then(|mut statement| {
            statement
                .query_row(params![meetup_id, WAITING, micros(now)], |row| {
                    Ok((row.get::<_, i64>(0)?, RegistrantRow::read(row, 1)?))
                })
                .optional()
        })
        .map_err(|e| sql_error("finding the first person waiting", e))?;
    let Some((id, row)) = first else {
        return Ok(None);
    };
    conn.prepare_cached("UPDATE registrations SET state = ?2 WHERE id = ?1")
        .and_then(|mut statement| statement.execute(params![id, CONFIRMED]))
        .map_err(|e| sql_error("promoting from the waiting list", e))?;
    counters.waiting = counters.waiting.saturating_sub(1);
    counters.confirmed += 1;
    let mut registrant = row.into_registrant(0)?;
    registrant.status = RegistrationStatus::Confirmed;
    Ok(Some(registrant))
}

const REGISTRANT_COLUMNS: &str =
    "name, email, role, structure, need, state, registered_at, attestation";

/// The columns of [`REGISTRANT_COLUMNS`], read raw.
struct RegistrantRow {
    name: String,
    email: String,
    role: String,
    structure: Option<String>,
    need: Option<String>,
    state: String,
    registered_at: String,
    attestation: Option<String>,
}

impl RegistrantRow {
    fn read(row: &rusqlite::Row<'_>, first: usize) -> rusqlite::Result<RegistrantRow> {
        Ok(RegistrantRow {
            name: row.get(first)?,
            email: row.get(first + 1)?,
            role: row.get(first + 2)?,
            structure: row.get(first + 3)?,
            need: row.get(first + 4)?,
            state: row.get(first + 5)?,
            registered_at: row.get(first + 6)?,
            attestation: row.get(first + 7)?,
        })
    }

    /// `position`: the 1-based waiting-list place when waiting.
    fn into_registrant(self, position: u32) -> StoreResult<Registrant> {
        let status = match State::parse(&self.state)? {
            State::Confirmed => RegistrationStatus::Confirmed,
            State::Waiting => RegistrationStatus::Waiting { position },
            State::Cancelled => RegistrationStatus::Cancelled,
        };
        Ok(Registrant {
            name: self.name,
            email: self.email,
            role: parse_role(&self.role)?,
            structure: self.structure,
            need: self.need,
            status,
            registered_at: parse_time(&self.registered_at)?,
            attestation: self.attestation,
        })
    }
}

pub(super) fn registrants(
    conn: &Connection,
    meetup_id: &str,
    now: DateTime<Utc>,
) -> StoreResult<Vec<Registrant>> {
    let rows = conn
        .prepare_cached(&format!(
            "SELECT {REGISTRANT_COLUMNS} FROM registrations \
             WHERE meetup_id = ?1 AND expires_at >= ?2 ORDER BY arrival"
        ))
        .and_then(|mut statement| {
            statement
                .query_map(params![meetup_id, micros(now)], |row| {
                    RegistrantRow::read(row, 0)
                })?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .map_err(|e| sql_error("listing registrations", e))?;
    let mut waiting_ahead = 0;
    rows.into_iter()
        .map(|row| {
            if row.state == WAITING {
                waiting_ahead += 1;
            }
            row.into_registrant(waiting_ahead)
        })
        .collect()
}
