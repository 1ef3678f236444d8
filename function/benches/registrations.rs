//! The function under load, and the export of the national plan's figures.
//!
//!     cargo bench -p maillage-function --bench registrations              # all
//!     cargo bench -p maillage-function --bench registrations -- http      # throughput
//!     cargo bench -p maillage-function --bench registrations -- export-sqlite
//!     cargo bench -p maillage-function --bench registrations -- export-dynamodb
//!
//! `http`: registrations sent as JSON over real HTTP on loopback to the
//! handler on a SQLite file (a hyper server and hyper clients in one
//! process, `MAILLAGE_BENCH_CONNECTIONS` keep-alive connections, default
//! 32), for `MAILLAGE_BENCH_SECONDS` (default 10) after a 2 s warm-up:
//! registrations per second, p50 and p99 latency, over several runs.
//!
//! `export-*`: meetups and registrations loaded through the store API (64
//! at a time on SQLite, 8 on moto)
//! (`MAILLAGE_BENCH_REGISTRATIONS`, default 300,000 over 20,800 meetups;
//! `MAILLAGE_BENCH_DYNAMODB_REGISTRATIONS`, default 20,000, for moto, which
//! is a Python emulator taking a few hundred writes per second), then the
//! public aggregates read back as `maillage export` does, timed over
//! `MAILLAGE_BENCH_RUNS` runs (default 5). DynamoDB runs against moto's
//! server (`. tests/setup.sh` installs it).

#[path = "../tests/dynamodb/moto.rs"]
mod moto;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use chrono::{DateTime, TimeZone, Utc};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use maillage_function::handler::{ClientIp, Function, FunctionConfig};
use maillage_model::meetup::{MeetupDefinition, MeetupStatus, Role};
use maillage_store::sqlite::SqliteStore;
use maillage_store::{NewRegistration, Store};

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Median, minimum and maximum.
fn spread(v: &[f64]) -> (f64, f64, f64) {
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = s.len();
    let median = if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    };
    (median, s[0], s[n - 1])
}

fn row(name: &str, values: &[f64], digits: usize) {
    let (m, lo, hi) = spread(values);
    println!("| {name} | {m:.digits$} | {lo:.digits$} | {hi:.digits$} |");
}

/// The project's "today".
fn today() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 22, 11, 0, 0).unwrap()
}

/// `count` meetups open for registration, national-plan sized: capacities
/// from 15 to 30.
fn meetups(count: usize) -> Vec<MeetupDefinition> {
    let now = today();
    (0..count)
        .map(|i| {
            let starts_at = now + chrono::Duration::days(10 + (i % 300) as i64);
            MeetupDefinition {
                id: format!("r{:05}-bench", i + 1),
                title: format!("Rencontre {}", i + 1),
                starts_at,
                ends_at: starts_at + chrono::Duration::hours(2),
                capacity: 15 + (i % 16) as u32,
                status: MeetupStatus::Open,
                registration_opens: now - chrono::Duration::days(30),
                registration_closes: starts_at,
                report_key_sha256: None,
                location: "Médiathèque, 1 rue de la République, 35000 Rennes".into(),
                url: format!("http://127.0.0.1:1111/rencontres/r{:05}-bench/", i + 1),
                time_zone: maillage_model::zone::DEFAULT,
            }
        })
        .collect()
}

fn registration(k: usize, meetups: usize) -> NewRegistration {
    let now = today();
    NewRegistration {
        meetup_id: format!("r{:05}-bench", k % meetups + 1),
        name: format!("Personne {k}"),
        email: format!("personne{k}@example.org"),
        role: Role::Participant,
        structure: None,
        need: None,
        token: format!("jeton{k:016}"),
        registered_at: now,
        expires_at: now + chrono::Duration::days(400),
    }
}

/// Syncs the meetups and registers `count` people through the store API,
/// `concurrency` at a time; returns the time it took.
async fn load(
    store: Arc<dyn Store>,
    meetup_count: usize,
    count: usize,
    concurrency: usize,
) -> Duration {
    let start = Instant::now();
    for chunk in meetups(meetup_count).chunks(500) {
        store.put_meetups(chunk).await.expect("meetups stored");
    }
    let next = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let store = store.clone();
        let next = next.clone();
        tasks.push(tokio::spawn(async move {
            loop {
                let k = next.fetch_add(1, Ordering::Relaxed);
                if k >= count {
                    break;
                }
                store
                    .register(registration(k, meetup_count))
                    .await
                    .expect("registered");
                if k > 0 && k % (count / 10).max(1) == 0 {
                    eprintln!("  {k} registrations loaded");
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    start.elapsed()
}

/// Loads the store, then reads the aggregates back `runs` times.
async fn bench_export(
    name: &str,
    store: Arc<dyn Store>,
    registrations: usize,
    concurrency: usize,
    runs: usize,
) {
    let meetup_count = 20_800;
    eprintln!("{name}: loading {registrations} registrations over {meetup_count} meetups");
    let loading = load(store.clone(), meetup_count, registrations, concurrency).await;
    let mut times = Vec::new();
    let mut confirmed = 0u64;
    for run in 1..=runs {
        let start = Instant::now();
        let aggregates = store.aggregates().await.expect("aggregates");
        let elapsed = start.elapsed().as_secs_f64();
        confirmed = aggregates
            .meetups
            .values()
            .map(|a| u64::from(a.confirmed + a.waiting))
            .sum();
        eprintln!("  export run {run}: {elapsed:.3} s");
        times.push(elapsed);
    }
    assert_eq!(
        confirmed as usize, registrations,
        "every registration counted"
    );
    println!(
        "\n{name}: {registrations} registrations over {meetup_count} meetups, loaded through the store API \
         in {:.1} s ({:.0} registrations/s, {concurrency} at a time)\n",
        loading.as_secs_f64(),
        registrations as f64 / loading.as_secs_f64()
    );
    println!("| measure | median | min | max |");
    println!("| --- | ---: | ---: | ---: |");
    row(
        &format!("export of the aggregates (s), {runs} runs"),
        &times,
        3,
    );
}

/// Serves `function` over HTTP/1.1 on a loopback port, as `maillage serve`
/// does; returns the address.
async fn serve(function: Arc<Function>) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, peer)) = listener.accept().await else {
                continue;
            };
            let _ = stream.set_nodelay(true);
            let function = function.clone();
            tokio::spawn(async move {
                let service =
                    hyper::service::service_fn(move |request: hyper::Request<Incoming>| {
                        let function = function.clone();
                        async move {
                            let (mut parts, body) = request.into_parts();
                            let body = body.collect().await?.to_bytes();
                            parts.extensions.insert(ClientIp(peer.ip()));
                            let response = function
                                .handle(hyper::Request::from_parts(parts, body))
                                .await;
                            Ok::<_, hyper::Error>(response.map(Full::new))
                        }
                    });
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    address
}

/// One keep-alive connection sending registrations until `until`; the
/// latency of each answered request.
async fn client(
    address: std::net::SocketAddr,
    next: Arc<AtomicUsize>,
    meetup_count: usize,
    until: Instant,
) -> Vec<Duration> {
    let stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let _ = stream.set_nodelay(true);
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .unwrap();
    tokio::spawn(connection);
    let mut latencies = Vec::new();
    while Instant::now() < until {
        let k = next.fetch_add(1, Ordering::Relaxed);
        let body = format!(
            r#"{{"meetup":"r{:05}-bench","name":"Personne {k}","email":"personne{k}@example.org","role":"participant","consent":true}}"#,
            k % meetup_count + 1
        );
        let request = hyper::Request::post(format!("http://{address}/api/registrations"))
            .header("host", address.to_string())
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .body(Full::new(Bytes::from(body)))
            .unwrap();
        let start = Instant::now();
        let response = sender.send_request(request).await.expect("an answer");
        let status = response.status();
        let answer = response.into_body().collect().await.map(|b| b.to_bytes());
        latencies.push(start.elapsed());
        assert!(
            status.is_success(),
            "the function answered {status}: {:?}",
            answer.map(|b| String::from_utf8_lossy(&b).into_owned())
        );
    }
    latencies
}

/// Registrations over HTTP to the handler on a SQLite file.
async fn bench_http(runs: usize) {
    let meetup_count = 20_800;
    let connections = env_or("MAILLAGE_BENCH_CONNECTIONS", 32usize);
    let seconds = env_or("MAILLAGE_BENCH_SECONDS", 10u64);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let store = Arc::new(
        SqliteStore::open(&dir.path().join("store.sqlite")).expect("the SQLite file opens"),
    );
    for chunk in meetups(meetup_count).chunks(500) {
        store.put_meetups(chunk).await.expect("meetups stored");
    }
    let config = FunctionConfig {
        site_url: "http://127.0.0.1:1111".into(),
        site_origin: "http://127.0.0.1:1111".into(),
        // Every request comes from one address here.
        rate_limit_per_minute: 0,
        ..FunctionConfig::default()
    };
    let function = Arc::new(Function::new(store, config, Vec::new()));
    let address = serve(function).await;
    let next = Arc::new(AtomicUsize::new(0));
    let round = |duration: Duration| {
        let next = next.clone();
        async move {
            let until = Instant::now() + duration;
            let start = Instant::now();
            let tasks: Vec<_> = (0..connections)
                .map(|_| tokio::spawn(client(address, next.clone(), meetup_count, until)))
                .collect();
            let mut all = Vec::new();
            for t in tasks {
                all.extend(t.await.unwrap());
            }
            (all, start.elapsed())
        }
    };
    round(Duration::from_secs(2)).await;
    let (mut rates, mut p50s, mut p99s) = (Vec::new(), Vec::new(), Vec::new());
    for run in 1..=runs {
        let (mut latencies, elapsed) = round(Duration::from_secs(seconds)).await;
        latencies.sort();
        let pick =
            |q: f64| latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)];
        let rate = latencies.len() as f64 / elapsed.as_secs_f64();
        let (p50, p99) = (pick(0.50), pick(0.99));
        eprintln!(
            "run {run}: {rate:.0} registrations/s, p50 {:.2} ms, p99 {:.2} ms",
            p50.as_secs_f64() * 1e3,
            p99.as_secs_f64() * 1e3
        );
        rates.push(rate);
        p50s.push(p50.as_secs_f64() * 1e3);
        p99s.push(p99.as_secs_f64() * 1e3);
    }
    println!(
        "\nregistrations over HTTP/1.1 on loopback to the handler on SQLite: {connections} keep-alive \
         connections, {runs} runs of {seconds} s, server and clients in one process on the same cores\n"
    );
    println!("| measure | median | min | max |");
    println!("| --- | ---: | ---: | ---: |");
    row("registrations/s", &rates, 0);
    row("p50 latency (ms)", &p50s, 2);
    row("p99 latency (ms)", &p99s, 2);
    let (rate, _, _) = spread(&rates);
    let (p99, _, _) = spread(&p99s);
    println!(
        "targets: ≥ 3,000 registrations/s: {}; p99 < 20 ms: {}",
        if rate >= 3000.0 { "met" } else { "not met" },
        if p99 < 20.0 { "met" } else { "not met" }
    );
}

async fn export_sqlite(runs: usize) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let store = SqliteStore::open(&dir.path().join("store.sqlite")).expect("the SQLite file opens");
    let registrations = env_or("MAILLAGE_BENCH_REGISTRATIONS", 300_000usize);
    bench_export(
        "SQLite (one file)",
        Arc::new(store),
        registrations,
        64,
        runs,
    )
    .await;
}

async fn export_dynamodb(runs: usize) {
    let Some(store) = moto::fresh_store("bench").await else {
        println!("\nDynamoDB: moto_server not found, skipped (`. tests/setup.sh` installs it)");
        return;
    };
    let registrations = env_or("MAILLAGE_BENCH_DYNAMODB_REGISTRATIONS", 20_000usize);
    bench_export(
        "DynamoDB (moto's server, a Python emulator, on loopback)",
        Arc::new(store),
        registrations,
        8,
        runs,
    )
    .await;
}

fn main() {
    // `cargo bench` adds `--bench`; the other arguments name what to run.
    let what: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let all = what.is_empty();
    let runs = env_or("MAILLAGE_BENCH_RUNS", 5usize).max(1);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a Tokio runtime");
    // The handler reads the project's clock: the meetups are open then.
    std::env::set_var("MAILLAGE_NOW", "2026-11-22T12:00");
    for w in ["http", "export-sqlite", "export-dynamodb"] {
        if all || what.iter().any(|x| x == w) {
            match w {
                "http" => rt.block_on(bench_http(runs)),
                "export-sqlite" => rt.block_on(export_sqlite(runs)),
                "export-dynamodb" => rt.block_on(export_dynamodb(runs)),
                _ => unreachable!(),
            }
        }
    }
}
