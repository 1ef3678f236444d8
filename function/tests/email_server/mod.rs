//! A real SMTP server (Python's aiosmtpd) on loopback for the email tests,
//! and an inspector that parses what it received with Python's email
//! package and icalendar.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/email_server");

/// The test venv's python (`. tests/setup.sh`), or `None` to skip.
pub(crate) fn python() -> Option<PathBuf> {
    match std::env::var_os("MAILLAGE_TEST_PYTHON") {
        Some(python) => Some(PathBuf::from(python)),
        None => {
            let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../target/test-env/venv/bin/python");
            if venv.is_file() {
                return Some(venv);
            }
            if std::env::var_os("MAILLAGE_REQUIRE_MOTO").is_some() {
                panic!("the test python is missing: run `. tests/setup.sh`");
            }
            eprintln!("SKIPPED: run `. tests/setup.sh` for the SMTP tests");
            None
        }
    }
}

pub(crate) struct SmtpServer {
    pub port: u16,
    pub maildir: tempfile::TempDir,
    child: Child,
    _stdin: ChildStdin,
}

impl SmtpServer {
    /// Starts a server refusing its first `refuse_first` messages (451).
    pub(crate) fn start(python: &Path, refuse_first: u32) -> SmtpServer {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let maildir = tempfile::tempdir().unwrap();
        let mut child = Command::new(python)
            .arg(format!("{DIR}/smtpd.py"))
            .arg(port.to_string())
            .arg(maildir.path())
            .arg(refuse_first.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start aiosmtpd");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "READY", "aiosmtpd did not start");
        let stdin = child.stdin.take().unwrap();
        SmtpServer {
            port,
            maildir,
            child,
            _stdin: stdin,
        }
    }

    pub(crate) fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// The messages received so far, in order.
    pub(crate) fn messages(&self) -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(self.maildir.path())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        paths.sort();
        paths
    }

    pub(crate) fn wait_for(&self, count: usize, timeout: Duration) -> Vec<PathBuf> {
        let deadline = Instant::now() + timeout;
        loop {
            let messages = self.messages();
            if messages.len() >= count || Instant::now() > deadline {
                return messages;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The message parsed by Python: headers, text, attachments.
pub(crate) fn inspect(python: &Path, eml: &Path) -> serde_json::Value {
    let output = Command::new(python)
        .arg(format!("{DIR}/inspect_eml.py"))
        .arg(eml)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}
