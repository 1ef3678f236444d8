//! Region definitions and what a region's coordinator sees of its meetups.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension};

use super::{meetups, micros, sql_error};
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

/// One meetup's row: its definition, its counters, its report and who was
/// marked present, without the expired.
const FOLLOW_UP_SELECT: &str = "SELECT m.definition, m.cancelled_at IS NOT NULL, \
     m.confirmed, m.waiting, r.public, \
     CASE WHEN r.private_expires_at >= ?2 THEN r.private_notes END, \
     (SELECT count(*) FROM registrations g WHERE g.meetup_id = m.id \
      AND g.attestation IS NOT NULL AND g.state <> 'cancelled' AND g.expires_at >= ?2), \
     EXISTS (SELECT 1 FROM attestations a WHERE a.meetup_id = m.id \
      AND a.role = 'organiser' AND a.expires_at >= ?2) \
     FROM meetups m LEFT JOIN reports r ON r.meetup_id = m.id WHERE m.id = ?1";

/// A [`FOLLOW_UP_SELECT`] row, before its JSON is read.
struct FollowUpRow {
    definition: String,
    cancelled: bool,
    confirmed: u32,
    waiting: u32,
    report: Option<String>,
    private_notes: Option<String>,
    present: u32,
    organiser_present: bool,
}

pub(super) fn follow_up(
    conn: &Connection,
    meetup_ids: &[String],
    now: DateTime<Utc>,
) -> StoreResult<Vec<MeetupFollowUp>> {
    let mut found = Vec::with_capacity(meetup_ids.len());
    for id in meetup_ids {
        let row: Option<FollowUpRow> = conn
            .prepare_cached(FOLLOW_UP_SELECT)
            .and_then(|mut statement| {
                statement
                    .query_row(params![id, micros(now)], |row| {
                        Ok(FollowUpRow {
                            definition: row.get(0)?,
                            cancelled: row.get(1)?,
                            confirmed: row.get(2)?,
                            waiting: row.get(3)?,
                            report: row.get(4)?,
                            private_notes: row.get(5)?,
                            present: row.get(6)?,
                            organiser_present: row.get(7)?,
                        })
                    })
                    .optional()
            })
            .map_err(|e| sql_error("reading a meetup's follow-up", e))?;
        let Some(row) = row else {
            continue;
        };
        found.push(MeetupFollowUp {
            definition: meetups::effective_definition(&row.definition, row.cancelled)?,
            confirmed: row.confirmed,
            waiting: row.waiting,
            report: row
                .report
                .as_deref()
                .map(meetups::parse_report)
                .transpose()?,
            private_notes: row.private_notes,
            present: row.present,
            organiser_present: row.organiser_present,
        });
    }
    Ok(found)
}
