//! What the benchmark binaries share: running a child process and reading
//! its wall time, CPU time and peak memory, and summarising runs.

#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// One measured run of a child process.
pub(crate) struct Run {
    pub wall: Duration,
    pub cpu: Duration,
    pub max_rss_kib: u64,
    pub stdout: String,
}

fn timeval(tv: libc::timeval) -> Duration {
    Duration::new(tv.tv_sec as u64, (tv.tv_usec as u32) * 1000)
}

/// Runs `command` to completion; wall time, CPU time (user + system) and
/// peak RSS of the child, read with `wait4`, and its standard output.
// The child is reaped by wait4, which also gives its resource usage.
#[allow(clippy::zombie_processes)]
pub(crate) fn measure(command: &mut Command) -> Run {
    use std::io::Read;
    command.stdout(std::process::Stdio::piped());
    let start = Instant::now();
    let mut child = command.spawn().expect("the command starts");
    let mut stdout = String::new();
    if let Some(mut out) = child.stdout.take() {
        let _ = out.read_to_string(&mut stdout);
    }
    let mut status = 0;
    // SAFETY: rusage is plain data filled in by wait4 for our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = child.id() as libc::pid_t;
    // SAFETY: waits for the child we just spawned.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    assert_eq!(waited, pid, "wait4 failed");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{command:?} failed"
    );
    Run {
        wall,
        cpu: timeval(usage.ru_utime) + timeval(usage.ru_stime),
        max_rss_kib: usage.ru_maxrss as u64,
        stdout,
    }
}

pub(crate) fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n == 0 {
        return f64::NAN;
    }
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Median, minimum and maximum.
pub(crate) fn spread(v: &[f64]) -> (f64, f64, f64) {
    let min = v.iter().cloned().fold(f64::INFINITY, f64::min);
    let max = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    (median(v.to_vec()), min, max)
}

/// Number of files and their total size under `dir`.
pub(crate) fn files_and_bytes(dir: &Path) -> (usize, u64) {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .fold((0, 0), |(n, bytes), e| {
            (n + 1, bytes + e.metadata().map(|m| m.len()).unwrap_or(0))
        })
}

pub(crate) fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The Python that runs the data generators: the test venv's when set.
pub(crate) fn python() -> String {
    std::env::var("MAILLAGE_TEST_PYTHON").unwrap_or_else(|_| "python3".into())
}
