//! `maillage serve` as a process of its own, the way a person runs it: its
//! address read from what it prints, its output kept for the tests to read.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running `maillage serve`, killed when dropped.
pub(crate) struct Served {
    child: Child,
    pub addr: SocketAddr,
    /// Every line printed so far, on stdout and stderr.
    lines: Arc<Mutex<Vec<String>>>,
}

/// `maillage` with `args`, run in `cwd` (the variables in `env` set).
pub(crate) fn command(cwd: &Path, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = super::maillage();
    command.current_dir(cwd).args(args);
    for (name, value) in env {
        command.env(name, value);
    }
    command
}

impl Served {
    /// Starts `command` (a `maillage ... serve --port 0`) and waits until it
    /// says where it serves.
    pub(crate) fn start(mut command: Command) -> Served {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("maillage starts");
        let lines = Arc::new(Mutex::new(Vec::new()));
        keep_lines(child.stdout.take().unwrap(), lines.clone());
        keep_lines(child.stderr.take().unwrap(), lines.clone());
        let mut served = Served {
            child,
            addr: "127.0.0.1:0".parse().unwrap(),
            lines,
        };
        let line = served.wait_for_line(|l| l.contains(" on http://"), Duration::from_secs(60));
        let url = line.split(" on http://").nth(1).unwrap();
        served.addr = url.split('/').next().unwrap().parse().unwrap();
        served
    }

    /// The first line printed that `wanted` accepts, waiting up to `limit`.
    pub(crate) fn wait_for_line(
        &mut self,
        wanted: impl Fn(&str) -> bool,
        limit: Duration,
    ) -> String {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(line) = self.lines().into_iter().find(|l| wanted(l)) {
                return line;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("maillage stopped ({status}):\n{}", self.output());
            }
            assert!(
                Instant::now() < deadline,
                "the line did not come:\n{}",
                self.output()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub(crate) fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    /// Everything printed so far, for failure messages.
    pub(crate) fn output(&self) -> String {
        self.lines().join("\n")
    }

    /// `GET path` on a connection of its own: the status and the whole answer.
    pub(crate) fn get(&self, path: &str) -> (u16, String) {
        exchange(
            self.addr,
            format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
    }

    /// Waits until the page at `path` contains `text`.
    pub(crate) fn wait_for_page(&self, path: &str, text: &str, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let (status, page) = self.get(path);
            if status == 200 && page.contains(text) {
                return page;
            }
            assert!(
                Instant::now() < deadline,
                "{path} never showed {text:?}; last answer:\n{page}\nmaillage printed:\n{}",
                self.output()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn keep_lines(stream: impl Read + Send + 'static, lines: Arc<Mutex<Vec<String>>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            let Ok(line) = line else { break };
            lines.lock().unwrap().push(line);
        }
    });
}

/// Sends `raw` on a new connection and reads until the server closes it
/// (at most 60 s): the status and the whole answer.
pub(crate) fn exchange(addr: SocketAddr, raw: &[u8]) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    stream.write_all(raw).unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let response = String::from_utf8_lossy(&response).into_owned();
    (status_of(&response), response)
}

/// The status code of an HTTP/1.1 answer, 0 when there is none.
pub(crate) fn status_of(response: &str) -> u16 {
    response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}
