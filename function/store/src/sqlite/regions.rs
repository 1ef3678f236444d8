//! Region definitions and what a region's coordinator sees of its meetups.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

use super::{micros, sql_error};
use maillage_model::meetup::RegionDefinition;
use maillage_model::store::{MeetupFollowUp, StoreError, StoreResult};

pub(super) fn put_regions(conn: &Connection, regions: &[RegionDefinition]) -> StoreResult<()> {
    for region in regions {
        let json = serde_json::to_string(region)
            .map_err(|e| StoreError::caused("encoding a region definition", e))?;
        conn.prepare_cached(
            "INSERT INTO regions (id, definition) VALUES (?1, ?2) \
             ON CONFLICT (id) DO UPDATE SET definition = excluded.definition",
        )
        .and_then(|mut statement| statement.execute(params![region.id, json]))
        .map_err(|e| sql_error("writing a region", e))?;
    }
    Ok(())
}

pub(super) fn region(conn: &Connection, id: &str) -> StoreResult<Option<RegionDefinition>> {
    let json: Option<String> = conn
        .prepare_cached("SELECT definition FROM regions WHERE id = ?1")
        .and_then(|mut statement| statement.query_row([id], |row| row.get(0)).optional())
        .map_err(|e| sql_error("reading a region", e))?;
    json.map(|json| {
        serde_json::from_str(&json)
            .map_err(|_| StoreError::Malformed("row: region definition".into()))
    })
    .transpose()
}

/// One meetup's row: its counters, its report and who was marked present,
/// without the expired.
const FOLLOW_UP_SELECT: &str = "SELECT m.confirmed, m.waiting, r.public, \
     CASE WHEN r.private_expires_at >= ?2 THEN r.private_notes END, \
     (SELECT count(*) FROM registrations g WHERE g.meetup_id = m.id \
      AND g.attestation IS NOT NULL AND g.state <> 'cancelled' AND g.expires_at >= ?2), \
     EXISTS (SELECT 1 FROM attestations a WHERE a.meetup_id = m.id \
      AND a.role = 'organiser' AND a.expires_at >= ?2) \
     FROM meetups m LEFT JOIN reports r ON r.meetup_id = m.id WHERE m.id = ?1";

type FollowUpRow = (u32, u32, Option<String>, Option<String>, u32, bool);

pub(super) fn follow_up(
    conn: &Connection,
    meetup_ids: &[String],
    now: DateTime<Utc>,
) -> StoreResult<Vec<MeetupFollowUp>> {
    let mut found = Vec::with_capacity(meetup_ids.len());
    for id in meetup_ids {
        let Some(definition) = super::meetups::meetup(conn, id)? else {
            continue;
        };
        let row: Option<FollowUpRow> = conn
            .prepare_cached(FOLLOW_UP_SELECT)
            .and_then(|mut statement| {
                statement
                    .query_row(params![id, micros(now)], |row| {
                        Ok((
                            row.get(0)?,
                            row.get(1)?,
                            row.get(2)?,
                            row.get(3)?,
                            row.get(4)?,
                            row.get(5)?,
                        ))
                    })
                    .optional()
            })
            .map_err(|e| sql_error("reading a meetup's follow-up", e))?;
        let Some((confirmed, waiting, report, private_notes, present, organiser_present)) = row
        else {
            continue;
        };
        found.push(MeetupFollowUp {
            definition,
            confirmed,
            waiting,
            report: report
                .as_deref()
                .map(super::meetups::parse_report)
                .transpose()?,
            private_notes,
            present,
            organiser_present,
        });
    }
    Ok(found)
}
