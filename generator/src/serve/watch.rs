//! serve's file watcher: gathers the changes of a burst (an editor's save
//! touches several files), keeps those the site reads, and applies them.
//!
//! A plain save in place (existing files written and closed) is applied as
//! soon as the files are closed and nothing else follows within [`QUIET`]:
//! that is most edits, and the time an edit takes to show. Anything else
//! (a file created, removed or renamed, as editors that save by renaming
//! do; a file still open for writing) waits until no change came for
//! [`BURST`], so that a save is never applied half done; a file still being
//! written waits for its close up to [`WRITING`].

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Condvar, Mutex};
use std::time::{Duration, Instant};

use notify::event::{AccessKind, AccessMode, EventKind, ModifyKind, RenameMode};
use notify::{RecursiveMode, Watcher};
use tokio::sync::broadcast;

use super::{rebuild, BeforeRebuild, SiteHandle};
use crate::error::Diagnostic;
use crate::failure::{Failure, Outcome};

/// Editors write in bursts: what changes within this of the last change
/// belongs to the same save.
const BURST: Duration = Duration::from_millis(50);

/// After files written in place are closed: what follows within this (the
/// other files of a "save all") is applied with them.
const QUIET: Duration = Duration::from_millis(5);

/// How long a file open for writing may go without a change before it is
/// read as it is (a program that keeps it open).
const WRITING: Duration = Duration::from_secs(2);

/// Whether the platform's watcher reports that a file written was closed
/// (inotify does): elsewhere, a write is taken as done after [`BURST`].
const CLOSES_REPORTED: bool = cfg!(any(target_os = "linux", target_os = "android"));

/// Watches the site's folders (`site.options.root` must be absolute, as
/// [`super::site_root`] makes it: the watcher names files that way) and
/// applies each burst of changes, then asks browsers to reload. Bursts are
/// gathered on one thread and applied on another, so that a burst that
/// reloads the site stops the reload's render under way.
pub(super) fn watch(
    site: SiteHandle,
    reload: broadcast::Sender<()>,
    before_rebuild: Option<BeforeRebuild>,
) -> Outcome<notify::RecommendedWatcher> {
    let (tx, rx) = mpsc::channel::<Change>();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if let Ok(event) = event {
            for change in changes(event) {
                let _ = tx.send(change);
            }
        }
    })
    .map_err(|e| Failure::other("serve", format!("cannot watch files: {e}")))?;
    let root = site.options.root.clone();
    for name in ["content", "data", "templates", "themes", "static"] {
        let dir = root.join(name);
        if dir.is_dir() {
            watcher
                .watch(&dir, RecursiveMode::Recursive)
                .map_err(|e| Diagnostic::new(&dir, format!("cannot watch: {e}")))?;
        }
    }
    watcher
        .watch(&root, RecursiveMode::NonRecursive)
        .map_err(|e| Diagnostic::new(&root, format!("cannot watch: {e}")))?;

    let waiting = site.waiting.clone();
    std::thread::spawn(move || {
        while let Ok(first) = rx.recv() {
            let mut burst = Burst::default();
            let mut next = Some(first);
            while let Some(change) = next {
                if is_relevant(&root, &change.path) {
                    burst.add(change);
                }
                next = rx.recv_timeout(burst.settles_within()).ok();
            }
            let relevant: Vec<PathBuf> = burst.lasting().collect();
            if !relevant.is_empty() {
                let reloads = super::single_page(&root, &relevant).is_none();
                waiting.add(relevant, reloads);
            }
        }
        // The watcher is gone: the server stops.
        waiting.close();
    });
    std::thread::spawn(move || apply(site, reload, before_rebuild));
    Ok(watcher)
}

/// Applies the changes gathered, all those waiting at once, then asks
/// browsers to reload. A reload's render stopped by a newer change keeps
/// the site's `busy` lock until that change is applied: what it left is
/// seen only through the server (which renders alone what is asked for).
fn apply(site: SiteHandle, reload: broadcast::Sender<()>, before_rebuild: Option<BeforeRebuild>) {
    let busy_lock = site.busy.clone();
    let mut busy = None;
    while let Some(changed) = site.waiting.take() {
        let start = Instant::now();
        busy.get_or_insert_with(|| busy_lock.lock().unwrap_or_else(|e| e.into_inner()));
        if let Some(hook) = &before_rebuild {
            hook(&changed);
        }
        let outcome = rebuild(&site.options, &site.served, &changed, &site.waiting.reload);
        if let Ok(None) = outcome {
            println!(
                "Stopped rendering the site after {} ms: a newer change reloads it",
                start.elapsed().as_millis()
            );
            continue;
        }
        busy = None;
        let mut guard = site.served.write().unwrap_or_else(|e| e.into_inner());
        match outcome {
            Ok(message) => {
                guard.error = None;
                if let Some(message) = message {
                    println!("{message} in {} ms", start.elapsed().as_millis());
                }
            }
            Err(e) => {
                eprintln!("{e}");
                guard.error = Some(e.to_string());
            }
        }
        drop(guard);
        let _ = reload.send(());
    }
}

/// The changes gathered and not applied yet. Only a change that reloads
/// the site stops the render under way: the edit of one content page waits
/// for it, as the live loop's re-renders do, unless a change that reloads
/// the site waits with it (the reload then applies both).
#[derive(Default)]
pub(super) struct Waiting {
    changes: Mutex<Changes>,
    added: Condvar,
    /// Set while one of them reloads the site: the reload's render under
    /// way stops at its next job (its changes are older).
    pub(super) reload: AtomicBool,
}

#[derive(Default)]
struct Changes {
    paths: BTreeSet<PathBuf>,
    /// No more changes will come.
    closed: bool,
}

impl Waiting {
    /// Adds the paths of a burst; `reloads` when they reload the site.
    fn add(&self, paths: Vec<PathBuf>, reloads: bool) {
        let mut changes = self.changes.lock().unwrap_or_else(|e| e.into_inner());
        changes.paths.extend(paths);
        if reloads {
            self.reload.store(true, Ordering::SeqCst);
        }
        self.added.notify_all();
    }

    fn close(&self) {
        self.changes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .closed = true;
        self.added.notify_all();
    }

    /// Waits for changes and takes them all (bursts that came one after
    /// the other are applied together); `None` once closed.
    fn take(&self) -> Option<Vec<PathBuf>> {
        let mut changes = self.changes.lock().unwrap_or_else(|e| e.into_inner());
        while changes.paths.is_empty() {
            if changes.closed {
                return None;
            }
            changes = self.added.wait(changes).unwrap_or_else(|e| e.into_inner());
        }
        self.reload.store(false, Ordering::SeqCst);
        Some(std::mem::take(&mut changes.paths).into_iter().collect())
    }
}

/// What happened to a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Its bytes changed: it is being written until it is closed.
    Written,
    /// A file written was closed.
    Closed,
    /// Its metadata changed.
    Touched,
    /// Created, or the new name of a rename.
    Appeared,
    /// Removed, or the old name of a rename.
    Gone,
}

/// One path seen changing, and how.
#[derive(Debug)]
struct Change {
    path: PathBuf,
    kind: Kind,
}

fn changes(event: notify::Event) -> Vec<Change> {
    let kind = match event.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => Kind::Closed,
        EventKind::Access(_) => return Vec::new(),
        EventKind::Create(_) | EventKind::Modify(ModifyKind::Name(RenameMode::To)) => {
            Kind::Appeared
        }
        // From the old name to the new one.
        EventKind::Modify(ModifyKind::Name(RenameMode::Both)) => {
            return event
                .paths
                .into_iter()
                .enumerate()
                .map(|(i, path)| Change {
                    path,
                    kind: if i > 0 { Kind::Appeared } else { Kind::Gone },
                })
                .collect()
        }
        EventKind::Modify(ModifyKind::Data(_)) => Kind::Written,
        EventKind::Modify(ModifyKind::Metadata(_)) => Kind::Touched,
        EventKind::Remove(_) | EventKind::Modify(ModifyKind::Name(_)) => Kind::Gone,
        // Whatever else: something changed, and how is unknown.
        _ => Kind::Gone,
    };
    event
        .paths
        .into_iter()
        .map(|path| Change { path, kind })
        .collect()
}

/// What a burst did to one path.
#[derive(Debug, Default)]
struct PathChange {
    /// It was created during the burst (or renamed to).
    appeared: bool,
    /// It was created, removed or renamed: the site's structure may change.
    moved: bool,
    /// Written and not closed yet.
    writing: bool,
}

/// The paths changed during a burst.
#[derive(Debug, Default)]
struct Burst(BTreeMap<PathBuf, PathChange>);

impl Burst {
    fn add(&mut self, change: Change) {
        if change.kind == Kind::Closed {
            // Closing a file not written in this burst changes nothing.
            if let Some(path) = self.0.get_mut(&change.path) {
                path.writing = false;
            }
            return;
        }
        let path = self.0.entry(change.path).or_default();
        match change.kind {
            Kind::Written => path.writing = true,
            Kind::Appeared => {
                path.appeared = true;
                path.moved = true;
            }
            Kind::Gone => path.moved = true,
            Kind::Touched | Kind::Closed => {}
        }
    }

    /// How long to wait for another change before the burst is applied: a
    /// moment once existing files were written in place and closed; longer
    /// when files appeared, went or were renamed (an editor saving by
    /// renaming is not done until the file is back under its name); until
    /// its close for a file being written.
    fn settles_within(&self) -> Duration {
        let paths = self.0.values();
        if paths.clone().any(|p| p.writing) {
            if CLOSES_REPORTED {
                WRITING
            } else {
                BURST
            }
        } else if paths.clone().any(|p| p.moved) {
            BURST
        } else {
            QUIET
        }
    }

    /// The paths whose change lasts: an editor's scratch files (vim's
    /// `4913` and `page.md~`, VS Code's `page.md.vsctmp`) appear and are
    /// gone again within the save, and are left out, so that a save by
    /// rename is the edit of one page.
    fn lasting(self) -> impl Iterator<Item = PathBuf> {
        self.0
            .into_iter()
            .filter(|(path, change)| !change.appeared || path.exists())
            .map(|(path, _)| path)
    }
}

fn is_relevant(root: &Path, path: &Path) -> bool {
    let Ok(rel) = path.strip_prefix(root) else {
        return false;
    };
    let name = rel
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    if name.starts_with('.') || name.ends_with('~') || name.ends_with(".swp") {
        return false;
    }
    // The build's own cache of processed images.
    if rel.starts_with(Path::new("static").join(maillage_engine::images::PROCESSED_DIR)) {
        return false;
    }
    let first = rel
        .components()
        .next()
        .map(|c| c.as_os_str().to_string_lossy().to_string())
        .unwrap_or_default();
    matches!(
        first.as_str(),
        "content" | "data" | "templates" | "themes" | "static" | "sass"
    ) || maillage_engine::config::CONFIG_FILES
        .iter()
        .any(|name| rel == Path::new(name))
}

#[cfg(test)]
mod tests {
    use super::{
        is_relevant, Burst, Change, Kind, Waiting, BURST, CLOSES_REPORTED, QUIET, WRITING,
    };
    use std::path::{Path, PathBuf};
    use std::sync::atomic::Ordering;
    use std::time::Duration;

    /// How long a file being written holds a burst on this platform.
    const OPEN: Duration = if CLOSES_REPORTED { WRITING } else { BURST };

    fn burst(changes: &[(&Path, Kind)]) -> Burst {
        let mut burst = Burst::default();
        for &(path, kind) in changes {
            burst.add(Change {
                path: path.to_path_buf(),
                kind,
            });
        }
        burst
    }

    #[test]
    fn a_save_in_place_is_applied_once_its_file_is_closed() {
        let page = Path::new("/site/content/page.md");
        let other = Path::new("/site/content/other.md");
        let writing = burst(&[(page, Kind::Written), (page, Kind::Written)]);
        assert_eq!(writing.settles_within(), OPEN, "not closed yet");
        let saved = burst(&[(page, Kind::Written), (page, Kind::Closed)]);
        assert_eq!(saved.settles_within(), QUIET);
        let half = burst(&[
            (page, Kind::Written),
            (page, Kind::Closed),
            (other, Kind::Written),
        ]);
        assert_eq!(half.settles_within(), OPEN, "the second file is open");
        let both = burst(&[
            (page, Kind::Written),
            (page, Kind::Closed),
            (other, Kind::Touched),
            (other, Kind::Written),
            (other, Kind::Closed),
        ]);
        assert_eq!(both.settles_within(), QUIET);
        assert_eq!(both.lasting().count(), 2);
        let closed = burst(&[(page, Kind::Closed)]);
        assert_eq!(closed.lasting().count(), 0, "closed, nothing written");
    }

    #[test]
    fn a_save_by_renaming_waits_for_the_file_under_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let page = dir.path().join("page.md");
        let probe = dir.path().join("4913");
        std::fs::write(&page, "new").unwrap();
        // vim: a probe file created and deleted, the page renamed to its
        // backup (ignored by name), then written again under its name.
        let mut changes = vec![
            (probe.as_path(), Kind::Appeared),
            (probe.as_path(), Kind::Closed),
            (probe.as_path(), Kind::Gone),
            (page.as_path(), Kind::Gone),
        ];
        assert_eq!(burst(&changes).settles_within(), BURST, "the page is gone");
        changes.extend([
            (page.as_path(), Kind::Appeared),
            (page.as_path(), Kind::Written),
        ]);
        assert_eq!(burst(&changes).settles_within(), OPEN);
        changes.push((page.as_path(), Kind::Closed));
        let saved = burst(&changes);
        assert_eq!(saved.settles_within(), BURST, "files appeared and went");
        assert_eq!(saved.lasting().collect::<Vec<_>>(), vec![page]);
    }

    #[test]
    fn changes_waiting_are_taken_together_and_only_a_reload_stops_a_render() {
        let waiting = Waiting::default();
        let page = PathBuf::from("/site/content/page.md");
        let template = PathBuf::from("/site/templates/page.html");
        waiting.add(vec![page.clone()], false);
        assert!(!waiting.reload.load(Ordering::SeqCst), "a page's edit");
        waiting.add(vec![template.clone(), page.clone()], true);
        assert!(waiting.reload.load(Ordering::SeqCst), "a template's edit");
        assert_eq!(waiting.take(), Some(vec![page, template]));
        assert!(!waiting.reload.load(Ordering::SeqCst), "taken");
        waiting.close();
        assert_eq!(waiting.take(), None, "closed");
    }

    #[test]
    fn sources_count_and_the_image_cache_does_not() {
        let root = Path::new("/site");
        for relevant in [
            "zola.toml",
            "config.toml",
            "sass/main.scss",
            "static/logo.png",
        ] {
            assert!(is_relevant(root, &root.join(relevant)), "{relevant}");
        }
        for ignored in [
            "static/processed_images/logo.0123456789abcdef.jpg",
            "public/index.html",
        ] {
            assert!(!is_relevant(root, &root.join(ignored)), "{ignored}");
        }
    }
}
