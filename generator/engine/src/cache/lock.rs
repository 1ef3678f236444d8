//! One build of a site at a time. Two builds of the same site write the
//! same spare folder, cache and record of the last build: run together,
//! one could find the folder it reuses emptied under it, or save a cache
//! that describes the other's files. A build holds an advisory lock on the
//! site's root folder from before it reads the last build's record until
//! its cache is saved; a second build waits for it, saying so.
//!
//! The lock is the system's (`flock`, on the folder itself: no file is
//! made for it, so a build that fails writes nothing): it goes with the
//! process, so a build that crashes or is killed leaves no lock behind.

use std::fs::File;
use std::path::Path;

/// Held while it lives.
pub struct BuildLock {
    _file: Option<File>,
}

/// Takes the site's build lock, waiting for the build that holds it (with
/// a note on standard error). A lock that cannot be taken (a file system
/// without locks) is not an error: the build goes on unguarded.
pub fn hold(root: &Path) -> BuildLock {
    BuildLock {
        _file: locked_file(root),
    }
}

#[cfg(unix)]
fn locked_file(root: &Path) -> Option<File> {
    use rustix::fs::{flock, FlockOperation};
    use rustix::io::Errno;

    let file = File::open(root).ok()?;
    match flock(&file, FlockOperation::NonBlockingLockExclusive) {
        Ok(()) => Some(file),
        Err(Errno::WOULDBLOCK) => {
            eprintln!(
                "note: another build of this site is under way; this one starts when it ends"
            );
            flock(&file, FlockOperation::LockExclusive).ok()?;
            Some(file)
        }
        Err(_) => None,
    }
}

/// Elsewhere builds are not guarded: run one at a time.
#[cfg(not(unix))]
fn locked_file(_root: &Path) -> Option<File> {
    None
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::sync::mpsc;
    use std::time::Duration;

    /// A second holder waits until the first lets go.
    #[test]
    fn a_second_build_waits_for_the_first() {
        let site = tempfile::tempdir().unwrap();
        let root = site.path().to_path_buf();
        let first = hold(&root);
        assert!(first._file.is_some(), "the lock is taken");
        let (told, heard) = mpsc::channel();
        let waiter = std::thread::spawn(move || {
            let second = hold(&root);
            told.send(()).unwrap();
            drop(second);
        });
        assert!(
            heard.recv_timeout(Duration::from_millis(300)).is_err(),
            "the second holder waits while the first holds the lock"
        );
        drop(first);
        heard
            .recv_timeout(Duration::from_secs(10))
            .expect("the second holder goes on once the first lets go");
        waiter.join().unwrap();
    }
}
