//! serve's file watcher: gathers the changes of a burst (an editor's save
//! touches several files), keeps those the site reads, and applies them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::event::{EventKind, ModifyKind, RenameMode};
use notify::{RecursiveMode, Watcher};
use tokio::sync::broadcast;

use super::{rebuild, BeforeRebuild, SiteHandle};
use crate::error::Diagnostic;
use crate::failure::{Failure, Outcome};

/// Editors write in bursts: what changes within this of the last change
/// belongs to the same save.
const BURST: Duration = Duration::from_millis(50);

/// Watches the site's folders (`site.options.root` must be absolute, as
/// [`super::site_root`] makes it: the watcher names files that way) and
/// applies each burst of changes, then asks browsers to reload.
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

    std::thread::spawn(move || {
        while let Ok(first) = rx.recv() {
            let mut burst = Burst::default();
            burst.add(first);
            while let Ok(change) = rx.recv_timeout(BURST) {
                burst.add(change);
            }
            let relevant: Vec<PathBuf> =
                burst.lasting().filter(|p| is_relevant(&root, p)).collect();
            if relevant.is_empty() {
                continue;
            }
            let start = Instant::now();
            let busy = site.busy.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(hook) = &before_rebuild {
                hook(&relevant);
            }
            let outcome = rebuild(&site.options, &site.served, &relevant);
            drop(busy);
            let mut guard = site.served.write().unwrap_or_else(|e| e.into_inner());
            match outcome {
                Ok(message) => {
                    guard.error = None;
                    println!("{message} in {} ms", start.elapsed().as_millis());
                }
                Err(e) => {
                    eprintln!("{e}");
                    guard.error = Some(e.to_string());
                }
            }
            drop(guard);
            let _ = reload.send(());
        }
    });
    Ok(watcher)
}

/// One path seen changing, and whether the change made it appear.
struct Change {
    path: PathBuf,
    /// Created, or the new name of a rename.
    appeared: bool,
}

fn changes(event: notify::Event) -> Vec<Change> {
    let change = |path, appeared| Change { path, appeared };
    match event.kind {
        EventKind::Access(_) => Vec::new(),
        EventKind::Create(_) | EventKind::Modify(ModifyKind::Name(RenameMode::To)) => {
            event.paths.into_iter().map(|p| change(p, true)).collect()
        }
        // From the old name to the new one.
        EventKind::Modify(ModifyKind::Name(RenameMode::Both)) => event
            .paths
            .into_iter()
            .enumerate()
            .map(|(i, p)| change(p, i > 0))
            .collect(),
        _ => event.paths.into_iter().map(|p| change(p, false)).collect(),
    }
}

/// The paths changed during a burst, each with whether it appeared then.
#[derive(Default)]
struct Burst(BTreeMap<PathBuf, bool>);

impl Burst {
    fn add(&mut self, change: Change) {
        *self.0.entry(change.path).or_default() |= change.appeared;
    }

    /// The paths whose change lasts: an editor's scratch files (vim's
    /// `4913` and `page.md~`, VS Code's `page.md.vsctmp`) appear and are
    /// gone again within the save, and are left out, so that a save by
    /// rename is the edit of one page.
    fn lasting(self) -> impl Iterator<Item = PathBuf> {
        self.0
            .into_iter()
            .filter(|(path, appeared)| !appeared || path.exists())
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
    use super::is_relevant;
    use std::path::Path;

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
