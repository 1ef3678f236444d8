//! The SQLite store on real files: the whole conformance suite (a fresh
//! file per case), then what only this backend has: reopening, a crash
//! after an acknowledged write, the schema version and WAL mode.

#![cfg(feature = "sqlite")]

use crate::common;
use crate::store_conformance_tests;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use maillage_store::sqlite::{SqliteStore, SCHEMA_VERSION};
use maillage_store::{Attendance, NewRegistration, RegistrationStatus, Store, StoreError};

use common::conformance::{meetup, registration};

/// A new folder per case under Cargo's scratch folder for tests, kept
/// after the run (cases own their store only through `Arc<dyn Store>`, so
/// nothing could delete it at the right time; `cargo clean` does).
fn case_dir(case: &str) -> PathBuf {
    tempfile::Builder::new()
        .prefix(&format!("sqlite-{case}-"))
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .expect("a temporary folder")
        .keep()
}

async fn fresh_store(case: &'static str) -> Option<Arc<dyn Store>> {
    let path = case_dir(case).join("store.sqlite");
    Some(Arc::new(
        SqliteStore::open(&path).expect("open a fresh store"),
    ))
}

store_conformance_tests!(fresh_store);

/// The same suite on the in-memory store, which reads through the writer.
async fn fresh_memory_store(_case: &'static str) -> Option<Arc<dyn Store>> {
    Some(Arc::new(
        SqliteStore::open_in_memory().expect("memory store"),
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn conformance_in_memory() {
    common::conformance::run_all(fresh_memory_store).await;
}

fn raw(path: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).expect("open the file directly")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn data_survives_closing_and_reopening() {
    let dir = tempfile::tempdir().unwrap();
    // The folder does not exist yet: open creates it.
    let path = dir.path().join("nested/folder/store.sqlite");
    let definition = meetup("m", 1);
    let token = {
        let store = SqliteStore::open(&path).unwrap();
        store
            .put_meetups(std::slice::from_ref(&definition))
            .await
            .unwrap();
        let first = store.register(registration("m", 0)).await.unwrap();
        store.register(registration("m", 1)).await.unwrap();
        first.token
    };
    // The writer thread lets go of the file once the last handle is gone.
    let store = reopen(&path).await;
    assert_eq!(store.meetup("m").await.unwrap(), Some(definition));
    let aggregate = store.aggregate("m").await.unwrap();
    assert_eq!((aggregate.confirmed, aggregate.waiting), (1, 1));
    let found = store.registration_by_token(&token).await.unwrap().unwrap();
    assert_eq!(found.status, RegistrationStatus::Confirmed);
    assert_eq!(store.registrants("m").await.unwrap().len(), 2);
    // And it still takes writes.
    let late = store.register(registration("m", 2)).await.unwrap();
    assert_eq!(late.status, RegistrationStatus::Waiting { position: 2 });
}

/// Opens `path` again, retrying briefly while the previous writer thread
/// finishes closing.
async fn reopen(path: &Path) -> SqliteStore {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        match SqliteStore::open(path) {
            Ok(store) => return store,
            Err(error) if Instant::now() < deadline => {
                eprintln!("reopening: {error}");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(error) => panic!("reopen: {error}"),
        }
    }
}

const CRASH_CHILD_VAR: &str = "MAILLAGE_SQLITE_CRASH_CHILD";

/// Run by [`acknowledged_registration_survives_a_crash`] in a child
/// process: registers, says so on stdout, then aborts without any cleanup.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "runs only as the child process of acknowledged_registration_survives_a_crash"]
async fn crash_child() {
    let Some(path) = std::env::var_os(CRASH_CHILD_VAR) else {
        return;
    };
    let store = SqliteStore::open(Path::new(&path)).unwrap();
    store.put_meetups(&[meetup("m", 2)]).await.unwrap();
    let mut tasks = Vec::new();
    for n in 0..50 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store.register(registration("m", n)).await.unwrap()
        }));
    }
    for task in tasks {
        let outcome = task.await.unwrap();
        println!("ACK {}", outcome.token);
    }
    use std::io::Write;
    std::io::stdout().flush().unwrap();
    // No destructor runs: the writer thread and the connections die as is.
    std::process::abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_registration_survives_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite");
    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "sqlite_store::crash_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CRASH_CHILD_VAR, &path)
        .output()
        .expect("run the child");
    assert!(!output.status.success(), "the child aborts");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let acknowledged: Vec<&str> = stdout
        .lines()
        .filter_map(|line| line.split_once("ACK ").map(|(_, token)| token.trim()))
        .collect();
    assert_eq!(acknowledged.len(), 50, "child output: {stdout}");

    let store = SqliteStore::open(&path).unwrap();
    for token in acknowledged {
        assert!(
            store.registration_by_token(token).await.unwrap().is_some(),
            "acknowledged registration {token} lost"
        );
    }
    let aggregate = store.aggregate("m").await.unwrap();
    assert_eq!((aggregate.confirmed, aggregate.waiting), (2, 48));
}

#[tokio::test]
async fn a_new_file_gets_the_current_schema_version_and_wal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite");
    let store = SqliteStore::open(&path).unwrap();
    store.put_meetups(&[meetup("m", 3)]).await.unwrap();

    let conn = raw(&path);
    let version: u32 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let mode: String = conn
        .pragma_query_value(None, "journal_mode", |row| row.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    assert!(path.with_file_name("store.sqlite-wal").exists());
    // Opening again migrates nothing and keeps the data.
    drop(conn);
    let again = SqliteStore::open(&path).unwrap();
    assert_eq!(again.meetups().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_file_from_a_newer_version_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite");
    drop(SqliteStore::open(&path).unwrap());
    let conn = raw(&path);
    conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    drop(conn);
    match SqliteStore::open(&path) {
        Err(error @ StoreError::Backend { .. }) => {
            let message = error.to_string();
            assert!(message.contains("newer"), "{message}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn an_empty_file_is_migrated() {
    // A file created by something else but empty (version 0) gets the schema.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite");
    let conn = raw(&path);
    conn.execute_batch("CREATE TABLE unrelated (x INTEGER)")
        .unwrap();
    drop(conn);
    let store = SqliteStore::open(&path).unwrap();
    store.put_meetups(&[meetup("m", 1)]).await.unwrap();
    assert_eq!(store.meetups().await.unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn after_the_purge_only_what_attestations_need_is_left_in_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("store.sqlite");
    let store = SqliteStore::open(&path).unwrap();
    store.put_meetups(&[meetup("m", 5)]).await.unwrap();
    let now = maillage_model::clock::now();
    let person = NewRegistration {
        expires_at: now + chrono::Duration::hours(1),
        structure: Some("Structure Confidentielle".into()),
        need: Some("Besoin confidentiel".into()),
        ..registration("m", 0)
    };
    store.register(person.clone()).await.unwrap();
    store
        .record_attendance(Attendance {
            meetup_id: "m".into(),
            present: vec![person.email.clone()],
            organiser: None,
            fresh_codes: vec!["C".repeat(26)],
            expires_at: now + chrono::Duration::days(1095),
        })
        .await
        .unwrap();
    let summary = store
        .purge_expired(now + chrono::Duration::hours(2))
        .await
        .unwrap();
    assert_eq!((summary.registrations, summary.attestations), (1, 0));
    drop(store);

    let conn = raw(&path);
    let registrations: i64 = conn
        .query_row("SELECT count(*) FROM registrations", [], |row| row.get(0))
        .unwrap();
    assert_eq!(registrations, 0);
    let columns: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('attestations') ORDER BY cid")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        columns,
        [
            "code",
            "meetup_id",
            "meetup_title",
            "meetup_date",
            "name",
            "role",
            "expires_at"
        ]
    );
    let kept: (String, String) = conn
        .query_row("SELECT name, role FROM attestations", [], |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .unwrap();
    assert_eq!(kept, (person.name.clone(), "participant".to_string()));
    // Nothing else of the registration is in any other table either.
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        tables,
        [
            "accepted_meetups",
            "attestations",
            "meetups",
            "messages",
            "proposals",
            "regions",
            "registrations",
            "reports"
        ]
    );
    // Regions hold their definition alone: no person's data.
    let columns: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('regions') ORDER BY cid")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(columns, ["id", "definition"]);
    // The organiser's messages are recorded without their text or recipients.
    let columns: Vec<String> = conn
        .prepare("SELECT name FROM pragma_table_info('messages') ORDER BY cid")
        .unwrap()
        .query_map([], |row| row.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(columns, ["request", "meetup_id", "kind", "sent_at"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn errors_carry_no_personal_data() {
    let store = SqliteStore::open_in_memory().unwrap();
    store.put_meetups(&[meetup("m", 1)]).await.unwrap();
    let first = registration("m", 0);
    store.register(first.clone()).await.unwrap();
    // Another email reusing the same token breaks a constraint: the error
    // names it but carries neither the email nor the token.
    let clash = maillage_store::NewRegistration {
        email: "secret.person@exemple-prive.fr".into(),
        ..first.clone()
    };
    match store.register(clash).await {
        Err(error @ StoreError::Backend { .. }) => {
            let message = error.to_string();
            assert!(!message.contains("exemple-prive"), "{message}");
            assert!(!message.contains(&first.token), "{message}");
        }
        other => panic!("expected a backend error, got {other:?}"),
    }
    // The failed operation was rolled back alone: the store goes on.
    let aggregate = store.aggregate("m").await.unwrap();
    assert_eq!((aggregate.confirmed, aggregate.waiting), (1, 0));
    let next = store.register(registration("m", 1)).await.unwrap();
    assert_eq!(next.status, RegistrationStatus::Waiting { position: 1 });
}

/// Not a timed test: run it by hand for a rough figure (the benchmark
/// harness measures the function through its handler).
///
///     cargo test --release -p maillage-function --test integration \
///         -- --ignored --nocapture sqlite_store::registration_throughput
#[tokio::test(flavor = "multi_thread")]
#[ignore = "a measurement, run by hand"]
async fn registration_throughput() {
    const TOTAL: usize = 10_000;
    const TASKS: usize = 64;
    const MEETUPS: usize = 100;
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&dir.path().join("store.sqlite")).unwrap();
    let definitions: Vec<_> = (0..MEETUPS).map(|m| meetup(&format!("m{m}"), 30)).collect();
    store.put_meetups(&definitions).await.unwrap();

    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..TASKS {
        let store = store.clone();
        let next = Arc::clone(&next);
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                if n >= TOTAL {
                    return latencies;
                }
                let meetup_id = format!("m{}", n % MEETUPS);
                let begun = Instant::now();
                // What the handler does: read the meetup, then register.
                store.meetup(&meetup_id).await.unwrap().unwrap();
                store.register(registration(&meetup_id, n)).await.unwrap();
                latencies.push(begun.elapsed());
            }
        }));
    }
    let mut latencies = Vec::with_capacity(TOTAL);
    for task in tasks {
        latencies.extend(task.await.unwrap());
    }
    let elapsed = started.elapsed();
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
    println!(
        "{TOTAL} registrations from {TASKS} tasks in {:.2} s: {:.0} registrations/s, \
         p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        elapsed.as_secs_f64(),
        TOTAL as f64 / elapsed.as_secs_f64(),
        at(0.50).as_secs_f64() * 1000.0,
        at(0.99).as_secs_f64() * 1000.0,
        latencies.last().unwrap().as_secs_f64() * 1000.0,
    );
    let live = store.aggregates().await.unwrap();
    let total: u32 = live.meetups.values().map(|a| a.confirmed + a.waiting).sum();
    assert_eq!(total as usize, TOTAL);
}
