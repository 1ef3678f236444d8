//! The file's schema, its version (`PRAGMA user_version`) and the
//! migrations that bring an older file up to date.
//!
//! | table           | holds                                   | personal data          |
//! |-----------------|-----------------------------------------|------------------------|
//! | `meetups`       | definition (JSON) and the public counters | no                   |
//! | `registrations` | one row per (meetup, email)             | yes, until `expires_at` |
//! | `reports`       | public part (JSON) and private notes    | the notes, until `private_expires_at` |
//! | `attestations`  | who came: name as written, role, meetup, day, code | yes, until `expires_at` (longer) |
//! | `messages`      | the organiser's messages sent: request token, kind, time (never the text) | no |
//! | `regions`       | region definitions (JSON): the coordinator's key hash and the region's meetups | no |
//! | `proposals`     | meetup proposals (JSON), with the request that decided each | yes (the proposer's name and email), until `expires_at` |
//! | `accepted_meetups` | the meetups accepted proposals became (JSON): the organiser's first name, no email | no |
//!
//! A meetup cancelled by its organiser's message has `cancelled_at`: a
//! later sync of its definition keeps it cancelled.
//!
//! A registration marked present names its attestation (`attestation`); the
//! organiser's attestation is the one of role `organiser` (one per meetup).
//!
//! The counters (`confirmed`, `waiting`, `arrivals`) live on the meetup row
//! and change in the same transaction as the registrations they count, so
//! the public figures survive the purge of the rows behind them. Instants
//! used in comparisons (`expires_at`) are microseconds since the Unix epoch;
//! instants only shown back are RFC 3339 text.

use rusqlite::{Connection, TransactionBehavior};

use super::sql_error;
use maillage_model::store::{StoreError, StoreResult};

/// The schema version this build writes. A file with a higher version was
/// written by a newer build and is refused rather than misread.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// Migration `n` (0-based) takes a file from version `n` to `n + 1`.
/// Append only: a released migration never changes.
const MIGRATIONS: [&str; 4] = [
    r#"
CREATE TABLE meetups (
    id          TEXT PRIMARY KEY NOT NULL,
    definition  TEXT NOT NULL,
    capacity    INTEGER NOT NULL CHECK (capacity >= 0),
    confirmed   INTEGER NOT NULL DEFAULT 0 CHECK (confirmed >= 0),
    waiting     INTEGER NOT NULL DEFAULT 0 CHECK (waiting >= 0),
    arrivals    INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE TABLE registrations (
    id            INTEGER PRIMARY KEY,
    meetup_id     TEXT NOT NULL REFERENCES meetups (id),
    email         TEXT NOT NULL,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('participant', 'facilitator', 'speaker')),
    structure     TEXT,
    need          TEXT,
    token         TEXT NOT NULL UNIQUE,
    state         TEXT NOT NULL CHECK (state IN ('confirmed', 'waiting', 'cancelled')),
    arrival       INTEGER NOT NULL,
    registered_at TEXT NOT NULL,
    cancelled_at  TEXT,
    expires_at    INTEGER NOT NULL,
    UNIQUE (meetup_id, email)
) STRICT;

-- The waiting list in arrival order, and each meetup's list.
CREATE INDEX registrations_by_state ON registrations (meetup_id, state, arrival);

CREATE TABLE reports (
    meetup_id          TEXT PRIMARY KEY NOT NULL REFERENCES meetups (id),
    public             TEXT NOT NULL,
    submitted_at       TEXT NOT NULL,
    private_notes      TEXT,
    private_expires_at INTEGER
) STRICT;
"#,
    r#"
ALTER TABLE registrations ADD COLUMN attestation TEXT;

CREATE TABLE attestations (
    code         TEXT PRIMARY KEY NOT NULL,
    meetup_id    TEXT NOT NULL REFERENCES meetups (id),
    meetup_title TEXT NOT NULL,
    meetup_date  TEXT NOT NULL,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL
                 CHECK (role IN ('participant', 'facilitator', 'speaker', 'organiser')),
    expires_at   INTEGER NOT NULL
) STRICT;

CREATE UNIQUE INDEX attestations_organiser ON attestations (meetup_id) WHERE role = 'organiser';
"#,
    r#"
ALTER TABLE meetups ADD COLUMN cancelled_at TEXT;

-- When the automatic reminder was sent to this registration.
ALTER TABLE registrations ADD COLUMN reminded_at TEXT;

CREATE TABLE messages (
    request   TEXT PRIMARY KEY NOT NULL,
    meetup_id TEXT NOT NULL REFERENCES meetups (id),
    kind      TEXT NOT NULL CHECK (kind IN ('change', 'cancellation', 'reminder')),
    sent_at   TEXT NOT NULL
) STRICT;

-- A meetup is cancelled once: a second cancellation is the first one.
CREATE UNIQUE INDEX messages_cancellation ON messages (meetup_id) WHERE kind = 'cancellation';
"#,
    r#"
CREATE TABLE regions (
    id         TEXT PRIMARY KEY NOT NULL,
    definition TEXT NOT NULL
) STRICT;

CREATE TABLE proposals (
    id         TEXT PRIMARY KEY NOT NULL,
    region     TEXT NOT NULL,
    proposal   TEXT NOT NULL,
    decided_by TEXT,
    expires_at INTEGER NOT NULL
) STRICT;

CREATE INDEX proposals_by_region ON proposals (region);

CREATE TABLE accepted_meetups (
    id       TEXT PRIMARY KEY NOT NULL,
    proposal TEXT NOT NULL UNIQUE,
    meetup   TEXT NOT NULL
) STRICT;
"#,
];

/// Sets the connection's pragmas for the writer: WAL, durable commits,
/// foreign keys, and a wait instead of an error when another process holds
/// the lock.
pub(super) fn configure_writer(conn: &Connection, file: bool) -> StoreResult<()> {
    conn.busy_timeout(super::BUSY_TIMEOUT)
        .map_err(|e| sql_error("setting the busy timeout", e))?;
    if file {
        let mode: String = conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))
            .map_err(|e| sql_error("switching to WAL", e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::backend(format!(
                "the file refused WAL journaling (journal_mode is {mode})"
            )));
        }
    }
    // FULL: in WAL mode, every commit syncs the log before returning.
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(|e| sql_error("setting synchronous", e))?;
    conn.pragma_update(None, "foreign_keys", "ON")
        .map_err(|e| sql_error("enabling foreign keys", e))?;
    if file {
        // Checkpoints are another thread's job (see `writer`); this is the
        // backstop should it fall far behind (pages of 4 KiB: 40 MiB).
        conn.pragma_update(None, "wal_autocheckpoint", 10_000)
            .map_err(|e| sql_error("setting the checkpoint backstop", e))?;
    }
    // Purged personal data is overwritten, not just unlinked.
    conn.pragma_update(None, "secure_delete", "ON")
        .map_err(|e| sql_error("enabling secure delete", e))?;
    Ok(())
}

/// Pragmas for the connection that checkpoints: it syncs what it copies.
pub(super) fn configure_checkpointer(conn: &Connection) -> StoreResult<()> {
    conn.busy_timeout(super::BUSY_TIMEOUT)
        .map_err(|e| sql_error("setting the busy timeout", e))?;
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(|e| sql_error("setting synchronous", e))?;
    Ok(())
}

/// Pragmas for a read-only connection.
pub(super) fn configure_reader(conn: &Connection) -> StoreResult<()> {
    conn.busy_timeout(super::BUSY_TIMEOUT)
        .map_err(|e| sql_error("setting the busy timeout", e))?;
    conn.pragma_update(None, "query_only", "ON")
        .map_err(|e| sql_error("making a reader read-only", e))?;
    Ok(())
}

/// The file's schema version.
pub(super) fn version(conn: &Connection) -> StoreResult<u32> {
    conn.pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(|e| sql_error("reading the schema version", e))
}

/// Brings the schema up to [`SCHEMA_VERSION`], one migration per
/// transaction, or refuses a file from a newer build.
pub(super) fn migrate(conn: &mut Connection) -> StoreResult<()> {
    loop {
        // Read inside the transaction: another process may be migrating.
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| sql_error("starting a migration", e))?;
        let current = version(&tx)?;
        if current > SCHEMA_VERSION {
            return Err(StoreError::backend(format!(
                "the store file has schema version {current}, newer than this build's \
                 {SCHEMA_VERSION}: upgrade Maillage to open it"
            )));
        }
        if current == SCHEMA_VERSION {
            return Ok(());
        }
        tx.execute_batch(MIGRATIONS[current as usize])
            .map_err(|e| sql_error("migrating the schema", e))?;
        tx.pragma_update(None, "user_version", current + 1)
            .map_err(|e| sql_error("recording the schema version", e))?;
        tx.commit()
            .map_err(|e| sql_error("committing a migration", e))?;
    }
}
