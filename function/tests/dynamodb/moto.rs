//! moto's DynamoDB-compatible server on loopback, for the tests.
//!
//! One server per test binary, started on first use on a free port and
//! stopped when the test process exits: it runs under a small shell that
//! kills it as soon as its standard input (a pipe held by this process)
//! closes. Each test creates its own table.

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

pub struct Moto {
    pub endpoint: String,
    /// Closing it (when the process exits) stops the server.
    _keepalive: Mutex<ChildStdin>,
    _shell: Mutex<Child>,
}

static MOTO: OnceLock<Option<Moto>> = OnceLock::new();

/// The running server, or `None` (with a message) when moto is not
/// installed and the environment does not require it.
pub fn moto() -> Option<&'static Moto> {
    MOTO.get_or_init(start).as_ref()
}

/// A store on a fresh table of its own, or `None` to skip.
pub async fn fresh_store(test: &str) -> Option<DynamoStore> {
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

fn start() -> Option<Moto> {
    let Some(server) = find_moto_server() else {
        if std::env::var_os(REQUIRE_VAR).is_some() {
            panic!("moto_server is not installed ({REQUIRE_VAR} is set): run `. tests/setup.sh`");
        }
        eprintln!(
            "SKIPPED: moto_server not found; run `. tests/setup.sh` to run the DynamoDB tests"
        );
        return None;
    };
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port();
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(r#""$0" -H 127.0.0.1 -p "$1" >/dev/null 2>&1 & pid=$!; read _; kill "$pid""#)
        .arg(&server)
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
    Some(Moto {
        endpoint: format!("http://{address}"),
        _keepalive: Mutex::new(stdin),
        _shell: Mutex::new(child),
    })
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
