//! Who came, and the attestations it gives: a registration marked present
//! names its attestation; the organiser's is the meetup's one of role
//! `organiser`.

use chrono::{DateTime, NaiveDate, Utc};
use rusqlite::{params, Connection, OptionalExtension};

use super::{meetups, micros, parse_role, sql_error};
use maillage_model::store::{
    Attendance, Attestation, AttestedRole, Issued, StoreError, StoreResult,
};

const ATTESTATION_COLUMNS: &str =
    "code, meetup_id, meetup_title, meetup_date, name, role, expires_at";

/// Replaces the meetup's attendance in the writer's transaction.
pub(super) fn record(
    conn: &Connection,
    attendance: &Attendance,
    now: DateTime<Utc>,
) -> StoreResult<Vec<Issued>> {
    let mut issued = Vec::new();
    let meetup = meetups::meetup(conn, &attendance.meetup_id)?
        .ok_or_else(|| StoreError::UnknownMeetup(attendance.meetup_id.clone()))?;
    let mut codes = attendance.fresh_codes.iter();
    let mut fresh_code = || {
        codes
            .next()
            .cloned()
            .ok_or_else(|| StoreError::backend("recording attendance: too few fresh codes"))
    };
    let registrations: Vec<(i64, String, String, String, Option<String>)> = conn
        .prepare_cached(
            "SELECT id, email, name, role, attestation FROM registrations \
             WHERE meetup_id = ?1 AND expires_at >= ?2",
        )
        .and_then(|mut statement| {
            statement
                .query_map(params![meetup.id, micros(now)], |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                    ))
                })?
                .collect::<rusqlite::Result<_>>()
        })
        .map_err(|e| sql_error("reading who registered", e))?;
    for (id, email, name, role, held) in registrations {
        let came = attendance.present.contains(&email);
        match (came, held) {
            (true, None) => {
                let role = AttestedRole::from(parse_role(&role)?);
                let attestation =
                    Attestation::new(&fresh_code()?, &meetup, &name, role, attendance.expires_at);
                insert(conn, &attestation)?;
                set_registration_code(conn, id, Some(&attestation.code))?;
                issued.push(Issued {
                    name,
                    email,
                    code: attestation.code,
                });
            }
            (false, Some(code)) => {
                delete(conn, &code)?;
                set_registration_code(conn, id, None)?;
            }
            _ => {}
        }
    }
    let organiser = organiser_code(conn, &meetup.id)?;
    match (&attendance.organiser, organiser) {
        (Some(name), Some(code)) => conn
            .prepare_cached("UPDATE attestations SET name = ?2 WHERE code = ?1")
            .and_then(|mut statement| statement.execute(params![code, name]))
            .map(drop)
            .map_err(|e| sql_error("renaming the organiser's attestation", e))?,
        (Some(name), None) => insert(
            conn,
            &Attestation::new(
                &fresh_code()?,
                &meetup,
                name,
                AttestedRole::Organiser,
                attendance.expires_at,
            ),
        )?,
        (None, Some(code)) => delete(conn, &code)?,
        (None, None) => {}
    }
    Ok(issued)
}

fn organiser_code(conn: &Connection, meetup_id: &str) -> StoreResult<Option<String>> {
    conn.prepare_cached("SELECT code FROM attestations WHERE meetup_id = ?1 AND role = 'organiser'")
        .and_then(|mut statement| {
            statement
                .query_row([meetup_id], |row| row.get(0))
                .optional()
        })
        .map_err(|e| sql_error("reading the organiser's attestation", e))
}

fn set_registration_code(conn: &Connection, id: i64, code: Option<&str>) -> StoreResult<()> {
    conn.prepare_cached("UPDATE registrations SET attestation = ?2 WHERE id = ?1")
        .and_then(|mut statement| statement.execute(params![id, code]))
        .map_err(|e| sql_error("marking a registration present", e))?;
    Ok(())
}

fn insert(conn: &Connection, attestation: &Attestation) -> StoreResult<()> {
    conn.prepare_cached(&format!(
        "INSERT INTO attestations ({ATTESTATION_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
    ))
    .and_then(|mut statement| {
        statement.execute(params![
            attestation.code,
            attestation.meetup_id,
            attestation.meetup_title,
            attestation.date.to_string(),
            attestation.name,
            attestation.role.as_str(),
            micros(attestation.expires_at),
        ])
    })
    .map_err(|e| sql_error("writing an attestation", e))?;
    Ok(())
}

fn delete(conn: &Connection, code: &str) -> StoreResult<()> {
    conn.prepare_cached("DELETE FROM attestations WHERE code = ?1")
        .and_then(|mut statement| statement.execute([code]))
        .map_err(|e| sql_error("deleting an attestation", e))?;
    Ok(())
}

/// A live attestation by its code.
pub(super) fn by_code(
    conn: &Connection,
    code: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<Attestation>> {
    find(conn, "code = ?1", code, now)
}

/// The organiser's live attestation for a meetup.
pub(super) fn organiser(
    conn: &Connection,
    meetup_id: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<Attestation>> {
    find(
        conn,
        "meetup_id = ?1 AND role = 'organiser'",
        meetup_id,
        now,
    )
}

fn find(
    conn: &Connection,
    condition: &str,
    value: &str,
    now: DateTime<Utc>,
) -> StoreResult<Option<Attestation>> {
    type Row = (String, String, String, String, String, String, i64);
    let row: Option<Row> = conn
        .prepare_cached(&format!(
            "SELECT {ATTESTATION_COLUMNS} FROM attestations WHERE {condition} AND expires_at >= ?2"
        ))
        .and_then(|mut statement| {
            statement
                .query_row(params![value, micros(now)], |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                        row.get(5)?,
                        row.get(6)?,
                    ))
                })
                .optional()
        })
        .map_err(|e| sql_error("reading an attestation", e))?;
    let Some((code, meetup_id, meetup_title, date, name, role, expires_at)) = row else {
        return Ok(None);
    };
    let malformed = |what: &str| StoreError::Malformed(format!("attestation row: {what}"));
    Ok(Some(Attestation {
        code,
        meetup_id,
        meetup_title,
        date: date.parse::<NaiveDate>().map_err(|_| malformed("date"))?,
        name,
        role: AttestedRole::parse(&role).ok_or_else(|| malformed("role"))?,
        expires_at: DateTime::from_timestamp_micros(expires_at)
            .ok_or_else(|| malformed("expiry"))?,
    }))
}

/// Deletes the attestations past their retention.
pub(super) fn purge(conn: &Connection, now: DateTime<Utc>) -> StoreResult<u64> {
    conn.execute(
        "DELETE FROM attestations WHERE expires_at < ?1",
        [micros(now)],
    )
    .map(|deleted| deleted as u64)
    .map_err(|e| sql_error("purging attestations", e))
}
