//! `maillage serve` against slow, silent and hostile clients, over real TCP
//! connections to the real command: every connection that holds the server
//! without finishing a request is closed within the configured timeout
//! while other clients are served; a crowd of silent connections does not
//! lock a new client out; bodies are refused by their declared length and
//! by their framing; the function's rate limit follows `MAILLAGE_RATE_LIMIT`;
//! the live-reload stream, an answer in progress, outlasts the timeouts.

use crate::common;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::os::unix::process::CommandExt;
use std::time::{Duration, Instant};

use common::process::{command, exchange, status_of, Served};

/// The header timeout the tests give the server.
const HEADER_TIMEOUT: Duration = Duration::from_secs(2);
/// The body timeout the tests give the server.
const BODY_TIMEOUT: Duration = Duration::from_secs(2);
/// How late a timeout may close a connection on a busy test machine.
const SLACK: Duration = Duration::from_secs(4);

/// The blog fixture served by `maillage serve` with `env`.
fn serve(env: &[(&str, &str)]) -> (tempfile::TempDir, Served) {
    let site = common::fixture("blog");
    let root = site.path().to_str().unwrap().to_string();
    let mut command = command(site.path(), &["--root", &root, "serve", "--port", "0"], &[]);
    command.env_remove("MAILLAGE_RATE_LIMIT");
    command.envs(env.iter().copied());
    (site, Served::start(command))
}

fn short_timeouts() -> [(&'static str, &'static str); 2] {
    [
        ("MAILLAGE_SERVE_HEADER_TIMEOUT", "2"),
        ("MAILLAGE_SERVE_BODY_TIMEOUT", "2"),
    ]
}

/// Waits for the server to close `stream`; returns how long after `since`
/// it did. Fails if it is still open `limit` after `since`.
fn closed_after(mut stream: TcpStream, since: Instant, limit: Duration) -> Duration {
    let mut seen = Vec::new();
    loop {
        let left = limit.saturating_sub(since.elapsed());
        assert!(
            !left.is_zero(),
            "still open {limit:?} later; it sent {:?}",
            String::from_utf8_lossy(&seen)
        );
        stream.set_read_timeout(Some(left)).unwrap();
        let mut buffer = [0u8; 4096];
        match stream.read(&mut buffer) {
            Ok(0) => return since.elapsed(),
            Ok(n) => seen.extend_from_slice(&buffer[..n]),
            Err(e) if e.kind() == ErrorKind::ConnectionReset => return since.elapsed(),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {}
            Err(e) => panic!("reading: {e}"),
        }
    }
}

/// Checks that `stream`, held by a slow client since `since`, is closed by
/// the server `timeout` after `since` (not before, nor much later), and that
/// another client gets the home page in the meantime.
fn closed_by_timeout(served: &Served, stream: TcpStream, since: Instant, timeout: Duration) {
    let (status, home) = served.get("/");
    assert_eq!(status, 200, "another client is served meanwhile: {home}");
    assert!(
        since.elapsed() < timeout,
        "the other client was served only after the timeout"
    );
    let after = closed_after(stream, since, timeout + SLACK);
    assert!(
        after >= timeout.mul_f32(0.9),
        "closed after {after:?}, before the timeout of {timeout:?}"
    );
}

#[test]
fn an_idle_connection_is_closed_within_the_header_timeout() {
    let (_site, served) = serve(&short_timeouts());
    let idle = TcpStream::connect(served.addr).unwrap();
    closed_by_timeout(&served, idle, Instant::now(), HEADER_TIMEOUT);
}

#[test]
fn half_sent_headers_are_closed_within_the_header_timeout() {
    let (_site, served) = serve(&short_timeouts());
    let mut slow = TcpStream::connect(served.addr).unwrap();
    let since = Instant::now();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nUser-Ag")
        .unwrap();
    closed_by_timeout(&served, slow, since, HEADER_TIMEOUT);
}

#[test]
fn a_declared_body_never_sent_is_answered_408_and_closed_within_the_body_timeout() {
    let (_site, served) = serve(&short_timeouts());
    let mut slow = TcpStream::connect(served.addr).unwrap();
    slow.write_all(
        b"POST /api/registrations HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n\
          Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nname=",
    )
    .unwrap();
    let since = Instant::now();
    let (status, home) = served.get("/");
    assert_eq!(status, 200, "another client is served meanwhile: {home}");
    slow.set_read_timeout(Some(BODY_TIMEOUT + SLACK)).unwrap();
    let mut answer = Vec::new();
    let _ = slow.read_to_end(&mut answer);
    let waited = since.elapsed();
    let answer = String::from_utf8_lossy(&answer);
    assert_eq!(status_of(&answer), 408, "{answer}");
    assert!(answer.contains("\"request_timeout\""), "{answer}");
    assert!(
        waited >= BODY_TIMEOUT.mul_f32(0.9) && waited < BODY_TIMEOUT + SLACK,
        "answered and closed after {waited:?}"
    );
}

/// Reads one answer framed by its `Content-Length`, leaving the connection open.
fn read_one_answer(stream: &mut TcpStream) -> String {
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let mut bytes = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        let n = stream.read(&mut buffer).expect("an answer");
        assert!(n > 0, "closed before the answer");
        bytes.extend_from_slice(&buffer[..n]);
        let text = String::from_utf8_lossy(&bytes);
        if let Some(end) = text.find("\r\n\r\n") {
            let length: usize = text[..end]
                .lines()
                .find_map(|l| {
                    let (name, value) = l.split_once(':')?;
                    name.eq_ignore_ascii_case("content-length")
                        .then(|| value.trim().parse().ok())?
                })
                .expect("a Content-Length");
            if bytes.len() >= end + 4 + length {
                return text.into_owned();
            }
        }
    }
}

#[test]
fn a_kept_alive_connection_is_closed_within_the_header_timeout_after_its_answer() {
    let (_site, served) = serve(&short_timeouts());
    let mut kept = TcpStream::connect(served.addr).unwrap();
    kept.write_all(b"GET /style.css HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    let answer = read_one_answer(&mut kept);
    assert_eq!(status_of(&answer), 200, "{answer}");
    closed_by_timeout(&served, kept, Instant::now(), HEADER_TIMEOUT);
}

#[test]
fn the_live_reload_stream_outlasts_the_header_timeout() {
    let (site, served) = serve(&short_timeouts());
    let mut stream = TcpStream::connect(served.addr).unwrap();
    stream
        .write_all(b"GET /__maillage/livereload HTTP/1.1\r\nHost: localhost\r\n\r\n")
        .unwrap();
    std::thread::sleep(HEADER_TIMEOUT * 2);
    let page = site.path().join("content/blog/third.md");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(&page, text.replace("Troisième billet", "Billet trois")).unwrap();

    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    let mut seen = Vec::new();
    let mut buffer = [0u8; 4096];
    while !String::from_utf8_lossy(&seen).contains("data: reload") {
        match stream.read(&mut buffer) {
            Ok(0) => panic!(
                "closed: {}\nmaillage printed:\n{}",
                String::from_utf8_lossy(&seen),
                served.output()
            ),
            Ok(n) => seen.extend_from_slice(&buffer[..n]),
            Err(e) => panic!("no reload signal: {e}; {}", String::from_utf8_lossy(&seen)),
        }
    }
}

/// The descriptors a process may open: (soft, hard).
fn open_files_limit() -> (libc::rlim_t, libc::rlim_t) {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct it is given.
    assert_eq!(
        unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) },
        0
    );
    (limit.rlim_cur, limit.rlim_max)
}

#[test]
fn eleven_hundred_silent_connections_do_not_lock_a_new_client_out() {
    const SILENT: usize = 1_100;
    // The server gets the usual 1,024 descriptors; this test process needs
    // more than that for its own ends of the connections.
    const SERVER_FILES: libc::rlim_t = 1_024;
    let (soft, hard) = open_files_limit();
    let wanted = (4 * SILENT as libc::rlim_t).min(hard);
    assert!(
        wanted > SILENT as libc::rlim_t + 200,
        "this test needs a hard limit of open files above {}, not {hard}",
        SILENT + 200
    );
    if soft < wanted {
        let raised = libc::rlimit {
            rlim_cur: wanted,
            rlim_max: hard,
        };
        // SAFETY: setrlimit reads the struct it is given.
        assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) }, 0);
    }

    let site = common::fixture("blog");
    let root = site.path().to_str().unwrap().to_string();
    let mut server = command(
        site.path(),
        &["--root", &root, "serve", "--port", "0"],
        &[("MAILLAGE_SERVE_HEADER_TIMEOUT", "2")],
    );
    // SAFETY: only setrlimit, which is async-signal-safe, runs in the child
    // between fork and exec.
    unsafe {
        server.pre_exec(move || {
            let usual = libc::rlimit {
                rlim_cur: SERVER_FILES,
                rlim_max: hard,
            };
            if libc::setrlimit(libc::RLIMIT_NOFILE, &usual) == 0 {
                Ok(())
            } else {
                Err(std::io::Error::last_os_error())
            }
        });
    }
    let mut served = Served::start(server);

    let silent: Vec<TcpStream> = (0..SILENT)
        .map(|i| {
            TcpStream::connect(served.addr).unwrap_or_else(|e| panic!("silent connection {i}: {e}"))
        })
        .collect();
    served.wait_for_line(|l| l.contains("connections open"), Duration::from_secs(30));

    let since = Instant::now();
    let (status, home) = exchange(
        served.addr,
        b"GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(
        status,
        200,
        "a new client gets the home page after {:?}: {home}\nmaillage printed:\n{}",
        since.elapsed(),
        served.output()
    );
    assert!(home.contains("Accueil du carnet"));
    eprintln!("served after {:?}", since.elapsed());
    let output = served.output();
    assert!(
        !output.to_lowercase().contains("too many open files"),
        "the server ran out of descriptors:\n{output}"
    );
    drop(silent);
}

/// A form post declaring `length` bytes, with `body` sent after the headers.
fn post_declaring(length: usize, body: &str) -> Vec<u8> {
    format!(
        "POST /api/registrations HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {length}\r\n\
         Connection: close\r\n\r\n{body}"
    )
    .into_bytes()
}

#[test]
fn a_body_over_the_limit_is_refused_at_once_by_its_declared_length() {
    // A long body timeout: only an answer made without the body comes quickly.
    let (_site, served) = serve(&[("MAILLAGE_SERVE_BODY_TIMEOUT", "60")]);
    let since = Instant::now();
    let (status, answer) = exchange(served.addr, &post_declaring(16 * 1024 + 1, ""));
    assert_eq!(status, 413, "{answer}");
    assert!(answer.contains("\"body_too_large\""), "{answer}");
    assert!(
        since.elapsed() < Duration::from_secs(5),
        "answered after {:?}",
        since.elapsed()
    );

    // A plain form (no JSON asked for) gets the function's French page.
    let plain = String::from_utf8(post_declaring(16 * 1024 + 1, ""))
        .unwrap()
        .replace("Accept: application/json\r\n", "");
    let (status, page) = exchange(served.addr, plain.as_bytes());
    assert_eq!(status, 413, "{page}");
    assert!(page.contains("text/html"), "{page}");
    assert!(page.contains("Votre envoi est trop volumineux"), "{page}");

    // The same limit when the length is not declared: chunks past 16 KiB.
    let chunk = "a".repeat(4096);
    let mut raw = String::from(
        "POST /api/registrations HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\
         Connection: close\r\n\r\n",
    );
    for _ in 0..5 {
        raw.push_str(&format!("1000\r\n{chunk}\r\n"));
    }
    raw.push_str("0\r\n\r\n");
    let (status, answer) = exchange(served.addr, raw.as_bytes());
    assert_eq!(status, 413, "{answer}");
    assert!(answer.contains("\"body_too_large\""), "{answer}");
}

#[test]
fn a_malformed_chunk_size_is_a_bad_request() {
    let (_site, served) = serve(&[]);
    let (status, answer) = exchange(
        served.addr,
        b"POST /api/registrations HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n\
          Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n\
          zz\r\nname=a\r\n0\r\n\r\n",
    );
    assert_eq!(status, 400, "{answer}");
    assert!(answer.contains("\"malformed_request\""), "{answer}");
}

/// The statuses of `count` form posts sent one after the other.
fn statuses_of_posts(served: &Served, count: usize) -> Vec<u16> {
    (0..count)
        .map(|_| exchange(served.addr, &post_declaring(6, "name=a")).0)
        .collect()
}

#[test]
fn the_rate_limit_follows_maillage_rate_limit() {
    let (_site, served) = serve(&[("MAILLAGE_RATE_LIMIT", "3")]);
    let statuses = statuses_of_posts(&served, 4);
    assert!(
        statuses[..3].iter().all(|s| *s != 429),
        "the first three pass: {statuses:?}"
    );
    assert_eq!(statuses[3], 429, "the fourth is refused: {statuses:?}");

    // Unset, serve's own default is far above the function's 30 a minute.
    let (_site, served) = serve(&[]);
    let statuses = statuses_of_posts(&served, 40);
    assert!(
        statuses.iter().all(|s| *s != 429),
        "40 posts in a row pass: {statuses:?}"
    );
}
