//! The embedded store: one SQLite file, the default for a laptop or a
//! single server.
//!
//! - **Durable before the answer**: WAL journal with `synchronous=FULL`; a
//!   write's future resolves only after its transaction committed.
//! - **Group commit** ([`writer`]): one thread owns the write connection and
//!   commits every operation waiting in its queue in one transaction, each
//!   in its own savepoint, so the disk's sync is paid once per batch rather
//!   than once per registration.
//! - **Atomic by construction**: writes run one after another on that
//!   thread inside `BEGIN IMMEDIATE` transactions, so capacity, arrival
//!   order, idempotency and promotion need no other lock; other processes
//!   opening the same file wait on SQLite's lock (`busy_timeout`).
//! - **Reads** use a small pool of read-only connections, which WAL lets run
//!   beside the writer; they see every acknowledged write.
//! - **Privacy**: every query is parameterised; error messages carry SQLite's
//!   text (table and constraint names), never a value; expired personal data
//!   is hidden on reads and deleted by the purge, with `secure_delete` so
//!   freed pages are zeroed.
//!
//! The schema and its versioning are in [`schema`].

mod attendance;
mod meetups;
mod messages;
mod proposals;
mod regions;
mod registrations;
mod schema;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OpenFlags};
use tokio::sync::Semaphore;

use maillage_model::clock;
use maillage_model::meetup::{
    LiveAggregates, MeetupAggregate, MeetupDefinition, RegionDefinition, Role,
};
use maillage_model::proposal::{AcceptedMeetup, Decision, DecisionOutcome, Proposal};
use maillage_model::store::{
    Addressee, Attendance, Attestation, CancelOutcome, Issued, MeetupFollowUp, MessageOutcome,
    NewRegistration, OrganiserMessage, PurgeCutoffs, PurgeSummary, Registrant, RegistrationByToken,
    RegistrationOutcome, RepairSummary, Store, StoreError, StoreResult, StoredReport,
};
pub use schema::SCHEMA_VERSION;
use writer::Writer;

/// How long a connection waits for another process's lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// Read-only connections kept open beside the writer.
const READERS: usize = 4;

/// The SQLite-backed [`Store`]. Cheap to clone: clones share the writer and
/// the readers. The writer thread stops once the last clone is dropped.
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    writer: Writer,
    /// `None` for an in-memory store: reads go through the writer.
    readers: Option<Readers>,
    path: Option<PathBuf>,
}

/// A fixed pool of read-only connections; the semaphore's permits match the
/// connections in the vector, so a permit holder always finds one.
struct Readers {
    permits: Semaphore,
    idle: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.inner.path)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens the store file at `path`, creating its folder, the file and the
    /// schema when missing and migrating an older schema. Refuses a file
    /// written by a newer version.
    pub fn open(path: &Path) -> StoreResult<SqliteStore> {
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| {
                StoreError::backend(format!("creating the store's folder: {}", e.kind()))
            })?;
        }
        let mut conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| sql_error("opening the store file", e))?;
        schema::configure_writer(&conn, true)?;
        schema::migrate(&mut conn)?;
        let checkpoints = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| sql_error("opening the checkpointer", e))?;
        schema::configure_checkpointer(&checkpoints)?;
        let mut idle = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            let reader = Connection::open_with_flags(
                path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(|e| sql_error("opening a reader", e))?;
            schema::configure_reader(&reader)?;
            idle.push(reader);
        }
        Ok(SqliteStore {
            inner: Arc::new(Inner {
                writer: Writer::start(conn, Some(checkpoints))?,
                readers: Some(Readers {
                    permits: Semaphore::new(READERS),
                    idle: Mutex::new(idle),
                }),
                path: Some(path.to_path_buf()),
            }),
        })
    }

    /// A store in memory, gone when dropped: for quick tests.
    pub fn open_in_memory() -> StoreResult<SqliteStore> {
        let mut conn =
            Connection::open_in_memory().map_err(|e| sql_error("opening a memory store", e))?;
        schema::configure_writer(&conn, false)?;
        schema::migrate(&mut conn)?;
        Ok(SqliteStore {
            inner: Arc::new(Inner {
                writer: Writer::start(conn, None)?,
                readers: None,
                path: None,
            }),
        })
    }

    /// Runs a write in the next group commit.
    async fn write<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        self.inner.writer.call(work).await
    }

    /// Runs a read on a read-only connection, off the async runtime.
    async fn read<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let Some(readers) = &self.inner.readers else {
            return self.write(work).await;
        };
        let _permit = readers
            .permits
            .acquire()
            .await
            .map_err(|_| StoreError::backend("the store is closed"))?;
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let readers = inner.readers.as_ref().expect("a file store has readers");
            let conn = lock(&readers.idle)
                .pop()
                .ok_or_else(|| StoreError::backend("no idle reader"))?;
            // Even a panicking read gives its connection back to the pool.
            let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(&conn)))
                .unwrap_or_else(|_| Err(StoreError::backend("a store read panicked")));
            lock(&readers.idle).push(conn);
            result
        })
        .await
        .map_err(|_| StoreError::backend("a store read failed to run"))?
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

#[async_trait]
impl Store for SqliteStore {
    async fn put_meetups(&self, meetups: &[MeetupDefinition]) -> StoreResult<()> {
        let meetups = meetups.to_vec();
        let now = clock::now();
        self.write(move |conn| meetups::put_meetups(conn, &meetups, now))
            .await
    }

    async fn meetup(&self, id: &str) -> StoreResult<Option<MeetupDefinition>> {
        let id = id.to_string();
        self.read(move |conn| meetups::meetup(conn, &id)).await
    }

    async fn meetups(&self) -> StoreResult<Vec<MeetupDefinition>> {
        self.read(meetups::meetups).await
    }

    async fn put_regions(&self, regions: &[RegionDefinition]) -> StoreResult<()> {
        let regions = regions.to_vec();
        self.write(move |conn| regions::put_regions(conn, &regions))
            .await
    }

    async fn region(&self, id: &str) -> StoreResult<Option<RegionDefinition>> {
        let id = id.to_string();
        self.read(move |conn| regions::region(conn, &id)).await
    }

    async fn follow_up(&self, meetup_ids: &[String]) -> StoreResult<Vec<MeetupFollowUp>> {
        let meetup_ids = meetup_ids.to_vec();
        let now = clock::now();
        self.read(move |conn| regions::follow_up(conn, &meetup_ids, now))
            .await
    }

    async fn submit_proposal(&self, proposal: &Proposal) -> StoreResult<bool> {
        let proposal = proposal.clone();
        self.write(move |conn| proposals::submit(conn, &proposal))
            .await
    }

    async fn proposals(&self, region: &str) -> StoreResult<Vec<Proposal>> {
        let region = region.to_string();
        let now = clock::now();
        self.read(move |conn| proposals::of_region(conn, &region, now))
            .await
    }

    async fn decide_proposal(&self, decision: &Decision) -> StoreResult<DecisionOutcome> {
        let decision = decision.clone();
        let now = clock::now();
        self.write(move |conn| proposals::decide(conn, &decision, now))
            .await
    }

    async fn accepted_meetups(&self) -> StoreResult<Vec<AcceptedMeetup>> {
        self.read(proposals::accepted).await
    }

    async fn register(&self, registration: NewRegistration) -> StoreResult<RegistrationOutcome> {
        let now = clock::now();
        self.write(move |conn| registrations::register(conn, &registration, now))
            .await
    }

    async fn registration_by_token(&self, token: &str) -> StoreResult<Option<RegistrationByToken>> {
        let token = token.to_string();
        let now = clock::now();
        self.read(move |conn| registrations::by_token(conn, &token, now))
            .await
    }

    async fn cancel(&self, token: &str, now: DateTime<Utc>) -> StoreResult<CancelOutcome> {
        let token = token.to_string();
        self.write(move |conn| registrations::cancel(conn, &token, now))
            .await
    }

    async fn save_report(&self, report: StoredReport) -> StoreResult<()> {
        self.write(move |conn| meetups::save_report(conn, &report))
            .await
    }

    async fn registrants(&self, meetup_id: &str) -> StoreResult<Vec<Registrant>> {
        let meetup_id = meetup_id.to_string();
        let now = clock::now();
        self.read(move |conn| registrations::registrants(conn, &meetup_id, now))
            .await
    }

    async fn record_attendance(&self, attendance: Attendance) -> StoreResult<Vec<Issued>> {
        let now = clock::now();
        self.write(move |conn| attendance::record(conn, &attendance, now))
            .await
    }

    async fn record_message(&self, message: &OrganiserMessage) -> StoreResult<MessageOutcome> {
        let message = message.clone();
        let now = clock::now();
        self.write(move |conn| messages::record(conn, &message, now))
            .await
    }

    async fn claim_reminders(
        &self,
        meetup_id: &str,
        registered_before: DateTime<Utc>,
    ) -> StoreResult<Vec<Addressee>> {
        let meetup_id = meetup_id.to_string();
        let now = clock::now();
        self.write(move |conn| messages::claim_reminders(conn, &meetup_id, registered_before, now))
            .await
    }

    async fn organiser_attestation(&self, meetup_id: &str) -> StoreResult<Option<Attestation>> {
        let meetup_id = meetup_id.to_string();
        let now = clock::now();
        self.read(move |conn| attendance::organiser(conn, &meetup_id, now))
            .await
    }

    async fn attestation(&self, code: &str) -> StoreResult<Option<Attestation>> {
        let code = code.to_string();
        let now = clock::now();
        self.read(move |conn| attendance::by_code(conn, &code, now))
            .await
    }

    async fn aggregate(&self, meetup_id: &str) -> StoreResult<MeetupAggregate> {
        let meetup_id = meetup_id.to_string();
        self.read(move |conn| meetups::aggregate(conn, &meetup_id))
            .await
    }

    async fn aggregates(&self) -> StoreResult<LiveAggregates> {
        self.read(meetups::aggregates).await
    }

    async fn purge(&self, cutoffs: PurgeCutoffs) -> StoreResult<PurgeSummary> {
        self.write(move |conn| meetups::purge_expired(conn, cutoffs))
            .await
    }

    async fn repair(&self, meetup_id: &str, now: DateTime<Utc>) -> StoreResult<RepairSummary> {
        let meetup_id = meetup_id.to_string();
        self.write(move |conn| meetups::repair(conn, &meetup_id, now))
            .await
    }
}

// ---------------------------------------------------------------- shared helpers

/// A SQLite failure as a store error. SQLite's messages name tables,
/// columns and constraints, never the values bound to a statement.
fn sql_error(context: &str, error: rusqlite::Error) -> StoreError {
    StoreError::caused(context, error)
}

/// Microseconds since the epoch: how instants compared in SQL are stored.
fn micros(instant: DateTime<Utc>) -> i64 {
    instant.timestamp_micros()
}

/// An instant kept as text (shown back, never compared in SQL).
fn text_time(instant: DateTime<Utc>) -> String {
    instant.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn parse_time(text: &str) -> StoreResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .map(|instant| instant.with_timezone(&Utc))
        .map_err(|_| StoreError::Malformed("row: time".into()))
}

const CONFIRMED: &str = "confirmed";
const WAITING: &str = "waiting";
const CANCELLED: &str = "cancelled";

/// A registration's state column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Confirmed,
    Waiting,
    Cancelled,
}

impl State {
    fn as_str(self) -> &'static str {
        match self {
            State::Confirmed => CONFIRMED,
            State::Waiting => WAITING,
            State::Cancelled => CANCELLED,
        }
    }

    fn parse(text: &str) -> StoreResult<State> {
        match text {
            CONFIRMED => Ok(State::Confirmed),
            WAITING => Ok(State::Waiting),
            CANCELLED => Ok(State::Cancelled),
            _ => Err(StoreError::Malformed("row: state".into())),
        }
    }
}

fn role_name(role: Role) -> &'static str {
    match role {
        Role::Participant => "participant",
        Role::Facilitator => "facilitator",
        Role::Speaker => "speaker",
    }
}

fn parse_role(text: &str) -> StoreResult<Role> {
    match text {
        "participant" => Ok(Role::Participant),
        "facilitator" => Ok(Role::Facilitator),
        "speaker" => Ok(Role::Speaker),
        _ => Err(StoreError::Malformed("row: role".into())),
    }
}
