//! Meetup definitions, their counters and the public aggregates; reports
//! and the retention purge.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

use super::registrations::{counters, promote_first, set_counters};
use super::{micros, sql_error, text_time};
use maillage_model::meetup::{
    LiveAggregates, MeetupAggregate, MeetupDefinition, MeetupStatus, PublicReport,
};
use maillage_model::store::{
    PurgeCutoffs, PurgeSummary, RepairSummary, StoreError, StoreResult, StoredReport,
};

/// Inserts or replaces definitions, keeping counters and registrations;
/// when a capacity grew, promotes people waiting, in order, up to it.
pub(super) fn put_meetups(
    conn: &Connection,
    meetups: &[MeetupDefinition],
    now: DateTime<Utc>,
) -> StoreResult<()> {
    for definition in meetups {
        let json = serde_json::to_string(definition)
            .map_err(|e| StoreError::caused("encoding a meetup definition", e))?;
        conn.prepare_cached(
            "INSERT INTO meetups (id, definition, capacity) VALUES (?1, ?2, ?3) \
             ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, \
             capacity = excluded.capacity",
        )
        .and_then(|mut statement| {
            statement.execute(params![definition.id, json, definition.capacity])
        })
        .map_err(|e| sql_error("writing a meetup", e))?;
        let Some(mut counters) = counters(conn, &definition.id)? else {
            continue;
        };
        let before = counters;
        while counters.confirmed < counters.capacity && counters.waiting > 0 {
            if promote_first(conn, &definition.id, &mut counters, now)?.is_none() {
                break;
            }
        }
        if counters.confirmed != before.confirmed {
            set_counters(conn, &definition.id, &counters)?;
        }
    }
    Ok(())
}

/// Recounts a meetup's counters from its registrations and promotes people
/// waiting into free seats. Writes are atomic here, so there is normally
/// nothing to mend; the check is the same as on every backend.
pub(super) fn repair(
    conn: &Connection,
    meetup_id: &str,
    now: DateTime<Utc>,
) -> StoreResult<RepairSummary> {
    let mut done = RepairSummary::default();
    match meetup(conn, meetup_id)? {
        Some(definition) if definition.ends_at >= now => {}
        _ => return Ok(done),
    }
    let Some(mut counters) = counters(conn, meetup_id)? else {
        return Ok(done);
    };
    let (confirmed, waiting): (u32, u32) = conn
        .prepare_cached(
            "SELECT count(*) FILTER (WHERE state = 'confirmed'), \
             count(*) FILTER (WHERE state = 'waiting') \
             FROM registrations WHERE meetup_id = ?1",
        )
        .and_then(|mut statement| {
            statement.query_row([meetup_id], |row| Ok((row.get(0)?, row.get(1)?)))
        })
        .map_err(|e| sql_error("counting registrations", e))?;
    if (counters.confirmed, counters.waiting) != (confirmed, waiting) {
        counters.confirmed = confirmed;
        counters.waiting = waiting;
        done.counters_fixed = true;
    }
    while counters.confirmed < counters.capacity && counters.waiting > 0 {
        if promote_first(conn, meetup_id, &mut counters, now)?.is_none() {
            break;
        }
        done.promoted += 1;
    }
    if done != RepairSummary::default() {
        set_counters(conn, meetup_id, &counters)?;
    }
    Ok(done)
}

fn parse_definition(json: &str) -> StoreResult<MeetupDefinition> {
    serde_json::from_str(json).map_err(|_| StoreError::Malformed("row: meetup definition".into()))
}

pub(super) fn parse_report(json: &str) -> StoreResult<PublicReport> {
    serde_json::from_str(json).map_err(|_| StoreError::Malformed("row: report".into()))
}

/// A definition as the function must see it: cancelled when its
/// organiser's message cancelled it, whatever the last sync said.
pub(super) fn effective_definition(json: &str, cancelled: bool) -> StoreResult<MeetupDefinition> {
    let mut definition = parse_definition(json)?;
    if cancelled {
        definition.status = MeetupStatus::Cancelled;
    }
    Ok(definition)
}

pub(super) fn meetup(conn: &Connection, id: &str) -> StoreResult<Option<MeetupDefinition>> {
    let row: Option<(String, bool)> = conn
        .prepare_cached("SELECT definition, cancelled_at IS NOT NULL FROM meetups WHERE id = ?1")
        .and_then(|mut statement| {
            statement
                .query_row([id], |row| Ok((row.get(0)?, row.get(1)?)))
                .optional()
        })
        .map_err(|e| sql_error("reading a meetup", e))?;
    row.map(|(json, cancelled)| effective_definition(&json, cancelled))
        .transpose()
}

pub(super) fn meetups(conn: &Connection) -> StoreResult<Vec<MeetupDefinition>> {
    let rows: Vec<(String, bool)> = conn
        .prepare_cached("SELECT definition, cancelled_at IS NOT NULL FROM meetups ORDER BY id")
        .and_then(|mut statement| {
            statement
                .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
                .collect::<rusqlite::Result<_>>()
        })
        .map_err(|e| sql_error("listing meetups", e))?;
    rows.iter()
        .map(|(json, cancelled)| effective_definition(json, *cancelled))
        .collect()
}

const AGGREGATE_SELECT: &str = "SELECT m.id, m.confirmed, m.waiting, r.public, \
     m.cancelled_at IS NOT NULL FROM meetups m LEFT JOIN reports r ON r.meetup_id = m.id";

type AggregateRow = (String, u32, u32, Option<String>, bool);

fn read_aggregate(row: &rusqlite::Row<'_>) -> rusqlite::Result<AggregateRow> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
    ))
}

fn aggregate_of(
    confirmed: u32,
    waiting: u32,
    report: Option<String>,
    cancelled: bool,
) -> StoreResult<MeetupAggregate> {
    Ok(MeetupAggregate {
        confirmed,
        waiting,
        report: report.as_deref().map(parse_report).transpose()?,
        cancelled,
    })
}

pub(super) fn aggregate(conn: &Connection, meetup_id: &str) -> StoreResult<MeetupAggregate> {
    let row = conn
        .prepare_cached(&format!("{AGGREGATE_SELECT} WHERE m.id = ?1"))
        .and_then(|mut statement| statement.query_row([meetup_id], read_aggregate).optional())
        .map_err(|e| sql_error("reading a meetup's figures", e))?;
    let Some((_, confirmed, waiting, report, cancelled)) = row else {
        return Err(StoreError::UnknownMeetup(meetup_id.to_string()));
    };
    aggregate_of(confirmed, waiting, report, cancelled)
}

pub(super) fn aggregates(conn: &Connection) -> StoreResult<LiveAggregates> {
    let rows = conn
        .prepare_cached(AGGREGATE_SELECT)
        .and_then(|mut statement| {
            statement
                .query_map([], read_aggregate)?
                .collect::<rusqlite::Result<Vec<_>>>()
        })
        .map_err(|e| sql_error("reading the figures", e))?;
    let mut live = LiveAggregates::default();
    for (id, confirmed, waiting, report, cancelled) in rows {
        live.meetups
            .insert(id, aggregate_of(confirmed, waiting, report, cancelled)?);
    }
    Ok(live)
}

/// Saves or replaces a meetup's report; the private notes carry their expiry.
pub(super) fn save_report(conn: &Connection, report: &StoredReport) -> StoreResult<()> {
    if counters(conn, &report.meetup_id)?.is_none() {
        return Err(StoreError::UnknownMeetup(report.meetup_id.clone()));
    }
    let public = serde_json::to_string(&report.public)
        .map_err(|e| StoreError::caused("encoding a report", e))?;
    let private_expires_at = report
        .private_notes
        .as_ref()
        .map(|_| micros(report.expires_at));
    conn.prepare_cached(
        "INSERT INTO reports (meetup_id, public, submitted_at, private_notes, private_expires_at) \
         VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (meetup_id) DO UPDATE SET public = excluded.public, \
         submitted_at = excluded.submitted_at, private_notes = excluded.private_notes, \
         private_expires_at = excluded.private_expires_at",
    )
    .and_then(|mut statement| {
        statement.execute(params![
            report.meetup_id,
            public,
            text_time(report.submitted_at),
            report.private_notes,
            private_expires_at
        ])
    })
    .map_err(|e| sql_error("saving a report", e))?;
    Ok(())
}

/// Deletes expired registrations and attestations and clears expired
/// private notes. The counters and the public report parts stay.
pub(super) fn purge_expired(conn: &Connection, cutoffs: PurgeCutoffs) -> StoreResult<PurgeSummary> {
    let attestations = super::attendance::purge(conn, cutoffs.attestations)?;
    let now = micros(cutoffs.personal);
    let registrations = conn
        .execute("DELETE FROM registrations WHERE expires_at < ?1", [now])
        .map_err(|e| sql_error("purging registrations", e))?;
    let private_notes = conn
        .execute(
            "UPDATE reports SET private_notes = NULL, private_expires_at = NULL \
             WHERE private_notes IS NOT NULL AND private_expires_at < ?1",
            [now],
        )
        .map_err(|e| sql_error("purging private notes", e))?;
    let proposals = super::proposals::purge(conn, cutoffs.personal)?;
    Ok(PurgeSummary {
        registrations: registrations as u64,
        private_notes: private_notes as u64,
        attestations,
        proposals,
    })
}
