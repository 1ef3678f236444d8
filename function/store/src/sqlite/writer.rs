//! Group commit: one thread owns the write connection and commits many
//! operations at once.
//!
//! With `synchronous=FULL` every commit waits for the disk to sync the log.
//! One commit per registration would cap the store at the disk's sync rate
//! (a few hundred per second). Instead, callers queue their operation and
//! wait; the writer takes everything queued, runs it in one `BEGIN
//! IMMEDIATE` transaction, each operation inside its own `SAVEPOINT` (so one
//! failing is rolled back alone), commits once, and only then answers every
//! caller. Nobody is answered before their write is durable, and the sync
//! cost is shared by the whole batch. Operations run one after another on
//! one connection, so each sees the previous ones' writes: capacity and
//! arrival order need no other lock.
//!
//! Copying the log back into the database (a checkpoint) syncs the main
//! file too; done by the writer, it would stall every caller of the batch
//! that triggers it. For a file, a second thread with its own connection
//! checkpoints after commits (`PASSIVE`, which never blocks the writer);
//! SQLite's automatic checkpoint only stays as a backstop for a large log.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::time::Duration;

use rusqlite::Connection;
use tokio::sync::oneshot;

use maillage_model::store::{StoreError, StoreResult};

/// The most operations committed together: bounds a batch's latency.
const MAX_BATCH: usize = 512;

/// One queued operation, type-erased for the queue.
trait Job: Send {
    /// Runs the operation; returns whether it succeeded (else its writes
    /// are rolled back to its savepoint).
    fn run(&mut self, conn: &Connection) -> bool;
    /// Answers the caller once the batch's fate is known.
    fn answer(self: Box<Self>, committed: Result<(), &StoreError>);
}

struct Operation<T, F> {
    work: Option<F>,
    result: Option<StoreResult<T>>,
    reply: oneshot::Sender<StoreResult<T>>,
}

impl<T, F> Job for Operation<T, F>
where
    T: Send,
    F: FnOnce(&Connection) -> StoreResult<T> + Send,
{
    fn run(&mut self, conn: &Connection) -> bool {
        let Some(work) = self.work.take() else {
            return false;
        };
        let result = catch_unwind(AssertUnwindSafe(|| work(conn))).unwrap_or_else(|_| {
            Err(StoreError::backend(
                "a store operation panicked; it was rolled back",
            ))
        });
        let ok = result.is_ok();
        self.result = Some(result);
        ok
    }

    fn answer(self: Box<Self>, committed: Result<(), &StoreError>) {
        let result = match committed {
            // A failed operation's own error says more than the commit's.
            Ok(()) => self.result,
            Err(error) => match self.result {
                Some(Err(own)) => Some(Err(own)),
                _ => Some(Err(StoreError::backend(format!("committing: {error}")))),
            },
        };
        let result =
            result.unwrap_or_else(|| Err(StoreError::backend("a store operation did not run")));
        // The caller may have gone (a dropped request): nothing to do.
        let _ = self.reply.send(result);
    }
}

/// The handle callers use; the thread stops when the last handle is dropped.
pub(super) struct Writer {
    queue: mpsc::Sender<Box<dyn Job>>,
}

/// Wakes the checkpointer after commits (a full channel means it is
/// already due to run).
type Commits = mpsc::SyncSender<()>;

/// How long the checkpointer lets commits pile up before copying them.
const CHECKPOINT_PAUSE: Duration = Duration::from_millis(100);

impl Writer {
    /// Starts the writer thread on `conn` (already configured and
    /// migrated), and the checkpointer on `checkpoints` when given.
    pub(super) fn start(conn: Connection, checkpoints: Option<Connection>) -> StoreResult<Writer> {
        let commits = match checkpoints {
            Some(checkpoints) => {
                let (commits, wakeups) = mpsc::sync_channel(1);
                std::thread::Builder::new()
                    .name("maillage-sqlite-checkpoint".into())
                    .spawn(move || checkpoint(checkpoints, wakeups))
                    .map_err(|e| StoreError::caused("starting the checkpointer", e))?;
                Some(commits)
            }
            None => None,
        };
        let (queue, jobs) = mpsc::channel();
        std::thread::Builder::new()
            .name("maillage-sqlite-writer".into())
            .spawn(move || run(conn, jobs, commits))
            .map_err(|e| StoreError::caused("starting the writer thread", e))?;
        Ok(Writer { queue })
    }

    /// Runs `work` in the next batch and returns its result once the batch
    /// is committed (durable). Never blocks the async runtime.
    pub(super) async fn call<T, F>(&self, work: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> StoreResult<T> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Box<dyn Job> = Box::new(Operation {
            work: Some(work),
            result: None,
            reply,
        });
        self.queue
            .send(job)
            .map_err(|_| StoreError::backend("the store's writer has stopped"))?;
        answer
            .await
            .map_err(|_| StoreError::backend("the store's writer has stopped"))?
    }
}

fn run(conn: Connection, jobs: mpsc::Receiver<Box<dyn Job>>, commits: Option<Commits>) {
    let mut batch: Vec<Box<dyn Job>> = Vec::with_capacity(MAX_BATCH);
    while let Ok(first) = jobs.recv() {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        commit_batch(&conn, &mut batch);
        if let Some(commits) = &commits {
            let _ = commits.try_send(());
        }
    }
    // Every handle is gone: the connection closes here (and checkpoints);
    // dropping `commits` stops the checkpointer.
}

/// Copies committed log pages into the database after commits, pausing in
/// between so one checkpoint covers many batches.
fn checkpoint(conn: Connection, wakeups: mpsc::Receiver<()>) {
    while wakeups.recv().is_ok() {
        if let Err(error) = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!(error = %super::sql_error("checkpointing", error), "checkpoint failed");
        }
        std::thread::sleep(CHECKPOINT_PAUSE);
    }
}

/// Runs a statement kept prepared: savepoints come twice per operation.
fn statement(conn: &Connection, sql: &str) -> rusqlite::Result<()> {
    conn.prepare_cached(sql)?.execute([]).map(|_| ())
}

/// Runs a batch in one transaction and answers everyone in it.
fn commit_batch(conn: &Connection, batch: &mut Vec<Box<dyn Job>>) {
    let mut done: Vec<Box<dyn Job>> = Vec::with_capacity(batch.len());
    let mut pending = std::mem::take(batch).into_iter();
    if let Err(error) = conn.execute_batch("BEGIN IMMEDIATE") {
        let error = super::sql_error("starting a write transaction", error);
        pending.for_each(|job| job.answer(Err(&error)));
        return;
    }
    for mut job in pending.by_ref() {
        if let Err(error) = statement(conn, "SAVEPOINT operation") {
            let error = super::sql_error("starting an operation", error);
            job.answer(Err(&error));
            continue;
        }
        let ok = job.run(conn);
        if conn.is_autocommit() {
            // SQLite rolled the whole transaction back (disk full, I/O
            // error): everything run so far in this batch is lost.
            let error = StoreError::backend("the write transaction was rolled back");
            done.drain(..).for_each(|job| job.answer(Err(&error)));
            job.answer(Err(&error));
            if let Err(error) = conn.execute_batch("BEGIN IMMEDIATE") {
                let error = super::sql_error("restarting a write transaction", error);
                pending.for_each(|job| job.answer(Err(&error)));
                return;
            }
            continue;
        }
        let end = if ok {
            statement(conn, "RELEASE operation")
        } else {
            statement(conn, "ROLLBACK TO operation")
                .and_then(|()| statement(conn, "RELEASE operation"))
        };
        if let Err(error) = end {
            let error = super::sql_error("ending an operation", error);
            let _ = conn.execute_batch("ROLLBACK");
            done.drain(..).for_each(|job| job.answer(Err(&error)));
            job.answer(Err(&error));
            pending.for_each(|job| job.answer(Err(&error)));
            return;
        }
        done.push(job);
    }
    match conn.execute_batch("COMMIT") {
        Ok(()) => done.into_iter().for_each(|job| job.answer(Ok(()))),
        Err(error) => {
            let error = super::sql_error("committing", error);
            tracing::error!(error = %error, operations = done.len(), "store commit failed");
            let _ = conn.execute_batch("ROLLBACK");
            done.into_iter().for_each(|job| job.answer(Err(&error)));
        }
    }
}
