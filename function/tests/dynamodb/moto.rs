//! moto's DynamoDB-compatible server on loopback, for the tests.
//!
//! Two servers per test binary (moto answers on one core: two use both),
//! started on first use on free ports and stopped when the test process
//! exits: each runs under a small shell that kills it as soon as its
//! standard input (a pipe held by this process) closes. Each test talks to
//! one server, chosen when it first asks, and creates its own tables.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use maillage_store::dynamodb::DynamoStore;

/// Set in CI: a missing moto server is a failure, not a skip.
const REQUIRE_VAR: &str = "MAILLAGE_REQUIRE_MOTO";

pub(crate) struct Moto {
    pub endpoint: String,
    /// Closing it (when the process exits) stops the server.
    _keepalive: Mutex<ChildStdin>,
    _shell: Mutex<Child>,
}

/// How many servers a test binary starts.
const SERVERS: usize = 2;

static MOTO: OnceLock<Option<Vec<Moto>>> = OnceLock::new();

thread_local! {
    /// The server of the test running on this thread (libtest gives each
    /// test its own thread), so that a test sees one server throughout.
    static SERVER: usize = {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        NEXT.fetch_add(1, Ordering::Relaxed) as usize % SERVERS
    };
}

/// This test's server, or `None` (with a message) when moto is not
/// installed and the environment does not require it.
pub(crate) fn moto() -> Option<&'static Moto> {
    let servers = MOTO.get_or_init(start_all).as_ref()?;
    Some(&servers[SERVER.with(|i| *i)])
}

fn start_all() -> Option<Vec<Moto>> {
    let server = find_server()?;
    let starting: Vec<_> = (0..SERVERS)
        .map(|_| {
            let server = server.clone();
            std::thread::spawn(move || start(&server))
        })
        .collect();
    Some(
        starting
            .into_iter()
            .map(|t| t.join().expect("moto started"))
            .collect(),
    )
}

/// A store on a fresh table of its own, or `None` to skip.
pub(crate) async fn fresh_store(test: &str) -> Option<DynamoStore> {
    let moto = moto()?;
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let table = format!("maillage-{test}-{}", NEXT.fetch_add(1, Ordering::Relaxed));
    let store = DynamoStore::connect(&moto.endpoint, "eu-west-3", &table).await;
    assert!(store.create_table_if_missing().await.expect("create table"));
    Some(store)
}

fn find_moto_server() -> Option<PathBuf> {
    let mut candidates = Vec::new();
    if let Some(path) = std::env::var_os("PATH") {
        candidates.extend(std::env::split_paths(&path).map(|dir| dir.join("moto_server")));
    }
    if let Some(python) = std::env::var_os("MAILLAGE_TEST_PYTHON") {
        if let Some(bin) = PathBuf::from(python).parent() {
            candidates.push(bin.join("moto_server"));
        }
    }
    // Where tests/setup.sh installs it.
    candidates.push(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/test-env/venv/bin/moto_server"),
    );
    candidates.into_iter().find(|path| path.is_file())
}

fn find_server() -> Option<PathBuf> {
    let server = find_moto_server();
    if server.is_none() {
        if std::env::var_os(REQUIRE_VAR).is_some() {
            panic!("moto_server is not installed ({REQUIRE_VAR} is set): run `. tests/setup.sh`");
        }
        eprintln!(
            "SKIPPED: moto_server not found; run `. tests/setup.sh` to run the DynamoDB tests"
        );
    }
    server
}

fn start(server: &std::path::Path) -> Moto {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(r#""$0" -H 127.0.0.1 -p "$1" >/dev/null 2>&1 & pid=$!; read _; kill "$pid""#)
        .arg(server)
        .arg(port.to_string())
        .stdin(Stdio::piped())
        .spawn()
        .expect("start moto_server");
    let stdin = child.stdin.take().expect("moto's stdin");
    let address = format!("127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    while !answers(&address) {
        assert!(
            Instant::now() < deadline,
            "moto_server did not answer on {address} within 30 s"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    Moto {
        endpoint: format!("http://{address}"),
        _keepalive: Mutex::new(stdin),
        _shell: Mutex::new(child),
    }
}

/// Whether a DynamoDB `ListTables` request gets a table list back.
fn answers(address: &str) -> bool {
    let Ok(mut stream) = TcpStream::connect(address) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let body = "{}";
    let request = format!(
        "POST / HTTP/1.1\r\nHost: {address}\r\n\
         X-Amz-Target: DynamoDB_20120810.ListTables\r\n\
         X-Amz-Date: 20261122T120000Z\r\n\
         Authorization: AWS4-HMAC-SHA256 Credential=local/20261122/eu-west-3/dynamodb/aws4_request, SignedHeaders=host, Signature=0\r\n\
         Content-Type: application/x-amz-json-1.0\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    if stream.write_all(request.as_bytes()).is_err() {
        return false;
    }
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.contains("TableNames")
}
