//! Meetup proposals: stored pending, decided once, and the meetups the
//! accepted ones became.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

use super::{micros, sql_error};
use maillage_model::proposal::{AcceptedMeetup, Decision, DecisionOutcome, Proposal};
use maillage_model::store::{StoreError, StoreResult};

fn encode(value: Result<String, serde_json::Error>, what: &str) -> StoreResult<String> {
    value.map_err(|e| StoreError::caused(format!("encoding {what}"), e))
}

fn malformed(what: &str) -> StoreError {
    StoreError::Malformed(format!("row: {what}"))
}

fn decode_proposal(json: &str) -> StoreResult<Proposal> {
    serde_json::from_str(json).map_err(|_| malformed("proposal"))
}

pub(super) fn submit(conn: &Connection, proposal: &Proposal) -> StoreResult<bool> {
    let json = encode(serde_json::to_string(proposal), "a proposal")?;
    let inserted = conn
        .prepare_cached(
            "INSERT INTO proposals (id, region, proposal, expires_at) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (id) DO NOTHING",
        )
        .and_then(|mut statement| {
            statement.execute(params![
                proposal.id,
                proposal.region,
                json,
                micros(proposal.expires_at)
            ])
        })
        .map_err(|e| sql_error("storing a proposal", e))?;
    Ok(inserted == 1)
}

pub(super) fn of_region(
    conn: &Connection,
    region: &str,
    now: DateTime<Utc>,
) -> StoreResult<Vec<Proposal>> {
    let rows: Vec<String> = conn
        .prepare_cached(
            "SELECT proposal FROM proposals WHERE region = ?1 AND expires_at >= ?2 ORDER BY rowid",
        )
        .and_then(|mut statement| {
            statement
                .query_map(params![region, micros(now)], |row| row.get(0))?
                .collect::<rusqlite::Result<_>>()
        })
        .map_err(|e| sql_error("listing proposals", e))?;
    rows.iter().map(|json| decode_proposal(json)).collect()
}

pub(super) fn decide(
    conn: &Connection,
    decision: &Decision,
    now: DateTime<Utc>,
) -> StoreResult<DecisionOutcome> {
    let row: Option<(String, Option<String>)> = conn
        .prepare_cached(
            "SELECT proposal, decided_by FROM proposals \
             WHERE id = ?1 AND region = ?2 AND expires_at >= ?3",
        )
        .and_then(|mut statement| {
            statement
                .query_row(
                    params![decision.proposal, decision.region, micros(now)],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()
        })
        .map_err(|e| sql_error("reading a proposal", e))?;
    let Some((json, decided_by)) = row else {
        return Ok(DecisionOutcome::Unknown);
    };
    let mut proposal = decode_proposal(&json)?;
    if let Some(decided_by) = decided_by {
        return Ok(if decided_by == decision.request {
            DecisionOutcome::Decided(proposal)
        } else {
            DecisionOutcome::AlreadyDecided(proposal)
        });
    }
    decision.apply(&mut proposal);
    let json = encode(serde_json::to_string(&proposal), "a proposal")?;
    conn.prepare_cached("UPDATE proposals SET proposal = ?2, decided_by = ?3 WHERE id = ?1")
        .and_then(|mut statement| statement.execute(params![proposal.id, json, decision.request]))
        .map_err(|e| sql_error("deciding a proposal", e))?;
    if let Some(meetup) = &decision.accepted {
        let json = encode(serde_json::to_string(meetup), "an accepted meetup")?;
        conn.prepare_cached(
            "INSERT INTO accepted_meetups (id, proposal, meetup) VALUES (?1, ?2, ?3)",
        )
        .and_then(|mut statement| statement.execute(params![meetup.id, proposal.id, json]))
        .map_err(|e| sql_error("recording an accepted meetup", e))?;
    }
    Ok(DecisionOutcome::Decided(proposal))
}

pub(super) fn accepted(conn: &Connection) -> StoreResult<Vec<AcceptedMeetup>> {
    let rows: Vec<String> = conn
        .prepare_cached("SELECT meetup FROM accepted_meetups ORDER BY id")
        .and_then(|mut statement| {
            statement
                .query_map([], |row| row.get(0))?
                .collect::<rusqlite::Result<_>>()
        })
        .map_err(|e| sql_error("listing accepted meetups", e))?;
    rows.iter()
        .map(|json| serde_json::from_str(json).map_err(|_| malformed("accepted meetup")))
        .collect()
}

/// Deletes proposals past their expiry (the accepted meetups stay).
pub(super) fn purge(conn: &Connection, cutoff: DateTime<Utc>) -> StoreResult<u64> {
    conn.execute(
        "DELETE FROM proposals WHERE expires_at < ?1",
        [micros(cutoff)],
    )
    .map(|n| n as u64)
    .map_err(|e| sql_error("purging proposals", e))
}
