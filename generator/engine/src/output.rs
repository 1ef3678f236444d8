//! Writing the output: files into a directory, or into memory for `serve`;
//! static files copied; a finished build swapped into place atomically.
//!
//! Every file is written at an [`OutputPath`], which can only be made from
//! a path that stays inside the output folder: no source, however it is
//! written, can make a build write anywhere else.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::error::{Diagnostic, Result};
use crate::paths::{PathMap, PathSet};
use crate::render::trace::{fingerprint_bytes, Fingerprint};
use crate::render::Sink;

/// A file's place in the output folder: relative, `/`-separated, without
/// `.`, `..` or empty parts, so that joined to the folder it stays in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OutputPath(String);

/// Why a path cannot be written in the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// Its `..` parts climb above the output folder.
    Outside,
    /// It names the output folder itself, not a file in it.
    NoFile,
    /// It holds a NUL character, which no file name can.
    Nul,
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Refused::Outside => "it leads outside the output folder",
            Refused::NoFile => "it names no file in the output folder",
            Refused::Nul => "it holds a NUL character",
        })
    }
}

impl OutputPath {
    /// Resolves `path` (a file path, or a URL path made a file path by
    /// [`OutputPath::index_of`]) against the output folder, as a file
    /// system would: a leading `/`, empty parts and `.` are dropped, `..`
    /// goes up one folder but never above the output folder.
    pub fn new(path: &str) -> std::result::Result<OutputPath, Refused> {
        if path.contains('\0') {
            return Err(Refused::Nul);
        }
        // Most paths are written plainly already: kept as they are.
        if !path.is_empty() && path.split('/').all(|part| !matches!(part, "" | "." | "..")) {
            return Ok(OutputPath(path.to_string()));
        }
        let parts = crate::files::resolve_within(path).ok_or(Refused::Outside)?;
        if parts.is_empty() {
            return Err(Refused::NoFile);
        }
        Ok(OutputPath(parts.join("/")))
    }

    /// The `index.html` that serves URL path `url_path` (`/a/b/` gives
    /// `a/b/index.html`, `/` gives `index.html`).
    pub fn index_of(url_path: &str) -> std::result::Result<OutputPath, Refused> {
        OutputPath::new(&format!("{url_path}/index.html"))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for OutputPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Writes files under a directory, and remembers which, so that a reused
/// staging folder can be pruned of what this build did not write.
pub struct DiskSink {
    pub root: PathBuf,
    pub written: AtomicUsize,
    /// The files written by a sink that does not reuse a folder; a reusing
    /// one knows its files by their fingerprints.
    paths: Mutex<Vec<String>>,
    reuse: Option<Reuse>,
    /// The fingerprint of each file written or kept, when reusing.
    fingerprints: Mutex<PathMap<Fingerprint>>,
    /// Folders known to stand under `root`, made or found by this sink:
    /// the next file written in one asks the file system nothing.
    folders: Mutex<PathSet>,
    /// The [`folder_digest`] of the files written or kept by a reusing
    /// sink, summed as they come.
    digest: DigestSum,
}

/// A [`folder_digest`] made as files come, from any thread.
#[derive(Default)]
struct DigestSum {
    sum: std::sync::atomic::AtomicU64,
    count: std::sync::atomic::AtomicU64,
    /// A time was unknown, or a file came twice: no digest.
    spoilt: std::sync::atomic::AtomicBool,
}

/// What a sink writing into a reused folder knows of it and of the last
/// output, from the build cache.
pub struct Reuse {
    /// The fingerprint of each file the folder holds.
    pub held: PathMap<Fingerprint>,
    /// The last output, whose files a kept page is copied from when the
    /// folder holds an older version.
    pub last_output: PathBuf,
    /// Every file the folder held when the build began, with when its
    /// bytes last changed: a file not among them is new, and is written
    /// without looking at what stands there.
    pub present: PathMap<Changed>,
}

impl DiskSink {
    pub fn new(root: PathBuf) -> Self {
        DiskSink {
            root,
            written: AtomicUsize::new(0),
            paths: Mutex::new(Vec::new()),
            reuse: None,
            fingerprints: Mutex::default(),
            folders: Mutex::default(),
            digest: DigestSum::default(),
        }
    }

    /// A sink into a folder whose files `reuse` knows: a file already
    /// holding the bytes to write is left alone, and a kept file is copied
    /// from the last output only when the folder holds another version.
    pub fn reusing(root: PathBuf, reuse: Reuse) -> Self {
        DiskSink {
            reuse: Some(reuse),
            ..DiskSink::new(root)
        }
    }

    /// The fingerprint of each file written or kept by a reusing sink,
    /// taken out of it (read once, when the build is done).
    pub fn take_fingerprints(&self) -> PathMap<Fingerprint> {
        std::mem::take(&mut self.fingerprints.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Notes a file that holds `fingerprint` now, untouched or written,
    /// and when its bytes last changed.
    fn holds(&self, path: &OutputPath, fingerprint: Fingerprint, modified: Changed) {
        let again = self
            .fingerprints
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.as_str().to_string(), fingerprint)
            .is_some();
        let digest = &self.digest;
        match file_digest(path.as_str(), modified) {
            Some(part) if !again => {
                digest.sum.fetch_add(part, Ordering::Relaxed);
                digest.count.fetch_add(1, Ordering::Relaxed);
            }
            _ => digest.spoilt.store(true, Ordering::Relaxed),
        }
    }

    /// When the reused folder's file at `path` last changed its bytes,
    /// as listed when the build began.
    fn present_modified(&self, path: &OutputPath) -> Changed {
        self.reuse
            .as_ref()
            .and_then(|r| r.present.get(path.as_str()).copied())
            .unwrap_or(Changed::MAX)
    }

    /// The [`folder_digest`] of the files written or kept, taken out of a
    /// reusing sink (read once, when the build is done).
    pub fn take_digest(&self) -> Option<Fingerprint> {
        let digest = &self.digest;
        (!digest.spoilt.load(Ordering::Relaxed)).then(|| {
            folded(
                digest.sum.load(Ordering::Relaxed),
                digest.count.load(Ordering::Relaxed),
            )
        })
    }

    fn already_holds(&self, path: &OutputPath, fingerprint: Fingerprint) -> bool {
        self.reuse
            .as_ref()
            .is_some_and(|r| r.held.get(path.as_str()) == Some(&fingerprint))
    }

    /// Notes a file written by a sink that does not reuse a folder.
    fn record(&self, path: &OutputPath) {
        self.paths
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(path.as_str().to_string());
    }

    /// The files a sink that does not reuse a folder wrote, taken out of it.
    pub fn take_paths(&self) -> HashSet<String> {
        std::mem::take(&mut *self.paths.lock().unwrap_or_else(|e| e.into_inner()))
            .into_iter()
            .collect()
    }
}

impl Sink for DiskSink {
    fn write(&self, path: &OutputPath, bytes: Vec<u8>) -> std::io::Result<()> {
        if self.reuse.is_some() {
            let fingerprint = fingerprint_bytes(&bytes);
            return self.write_fingerprinted(path, bytes, fingerprint);
        }
        self.write_file(path, &bytes)?;
        self.record(path);
        Ok(())
    }

    fn write_fingerprinted(
        &self,
        path: &OutputPath,
        bytes: Vec<u8>,
        fingerprint: Fingerprint,
    ) -> std::io::Result<()> {
        if self.reuse.is_none() {
            return self.write(path, bytes);
        }
        let modified = if self.already_holds(path, fingerprint) {
            self.present_modified(path)
        } else {
            self.write_file(path, &bytes)?
        };
        self.holds(path, fingerprint, modified);
        Ok(())
    }

    fn keep(&self, path: &OutputPath, fingerprint: Fingerprint) -> std::io::Result<bool> {
        let Some(reuse) = &self.reuse else {
            return Ok(false);
        };
        if self.already_holds(path, fingerprint) {
            self.holds(path, fingerprint, self.present_modified(path));
            return Ok(true);
        }
        // The last output has it: copied, once checked to be what it was.
        match std::fs::read(reuse.last_output.join(path.as_str())) {
            Ok(bytes) if fingerprint_bytes(&bytes) == fingerprint => {
                let modified = self.write_file(path, &bytes)?;
                self.holds(path, fingerprint, modified);
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

impl DiskSink {
    /// Writes `bytes` at `path`; returns when the file's bytes changed, as
    /// the file system tells it.
    fn write_file(&self, path: &OutputPath, bytes: &[u8]) -> std::io::Result<Changed> {
        let full = self.root.join(path.as_str());
        if let Some((folder, _)) = path.as_str().rsplit_once('/') {
            self.make_folder(folder, &full)?;
        }
        let new = self
            .reuse
            .as_ref()
            .is_some_and(|r| !r.present.contains_key(path.as_str()));
        let written = if new {
            create(&full, bytes)
        } else {
            overwrite(&full, bytes)
        };
        let modified = match written {
            Ok(modified) => modified,
            // A reused folder may hold a folder where this build writes a file.
            Err(_) if full.is_dir() => {
                std::fs::remove_dir_all(&full)?;
                overwrite(&full, bytes)?
            }
            Err(e) => return Err(e),
        };
        self.written.fetch_add(1, Ordering::Relaxed);
        Ok(modified)
    }

    /// Makes `folder` (relative to `root`, the folder of file `full`)
    /// unless this sink made or found it already: a site's files share
    /// folders, and each look costs a system call.
    fn make_folder(&self, folder: &str, full: &Path) -> std::io::Result<()> {
        let known = |f: &str| {
            self.folders
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .contains(f)
        };
        if known(folder) {
            return Ok(());
        }
        // Its own folder known, a missing folder is made with one call.
        let parent_known = folder.rsplit_once('/').is_none_or(|(up, _)| known(up));
        let made = parent_known
            && full
                .parent()
                .is_some_and(|dir| std::fs::create_dir(dir).is_ok());
        if !made {
            make_parent(full)?;
        }
        let mut folders = self.folders.lock().unwrap_or_else(|e| e.into_inner());
        let mut at = folder;
        loop {
            if !folders.insert(at.to_string()) {
                break;
            }
            match at.rsplit_once('/') {
                Some((up, _)) => at = up,
                None => break,
            }
        }
        Ok(())
    }
}

/// Writes `bytes` as a new file (it was not there when the build began);
/// returns when its bytes changed.
fn create(file: &Path, bytes: &[u8]) -> std::io::Result<Changed> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(file)?;
    f.write_all(bytes)?;
    Ok(modified_of(&f.metadata()?))
}

/// Writes `bytes` as the whole content of `file`, reusing the file when it
/// exists. It is overwritten then cut to length rather than truncated
/// first: ext4 flushes a file truncated to zero and written again when it
/// is closed (its `auto_da_alloc` safeguard), which would make every write
/// of a reused output wait for the disk. It is cut only when it was longer:
/// a truncation dirties the inode even when it changes nothing, and most
/// files of a rebuild keep their length.
fn overwrite(file: &Path, bytes: &[u8]) -> std::io::Result<Changed> {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(file)?;
    let was_longer = f.metadata()?.len() > bytes.len() as u64;
    f.write_all(bytes)?;
    if was_longer {
        f.set_len(bytes.len() as u64)?;
    }
    Ok(modified_of(&f.metadata()?))
}

/// Creates the folder of `file`, replacing a file that stands in the way
/// (a reused folder may hold a file where this build needs a folder).
fn make_parent(file: &Path) -> std::io::Result<()> {
    let Some(parent) = file.parent() else {
        return Ok(());
    };
    if parent.is_dir() {
        return Ok(());
    }
    if let Err(e) = std::fs::create_dir_all(parent) {
        let blocking = parent
            .ancestors()
            .find(|a| a.symlink_metadata().is_ok_and(|m| !m.is_dir()));
        match blocking {
            Some(file) => {
                std::fs::remove_file(file)?;
                std::fs::create_dir_all(parent)?;
            }
            None => return Err(e),
        }
    }
    Ok(())
}

/// `a/b/c.html` for any spelling of the same relative path.
#[cfg(any(not(unix), test))]
fn normalized(path: &Path) -> String {
    let mut out = String::new();
    for part in path.components() {
        if let std::path::Component::Normal(name) = part {
            if !out.is_empty() {
                out.push('/');
            }
            out.push_str(&name.to_string_lossy());
        }
    }
    out
}

/// Keeps files in memory, keyed by their output path.
#[derive(Default)]
pub struct MemorySink<'a> {
    pub files: Mutex<HashMap<String, Vec<u8>>>,
    /// The files of the last render, which kept files come from.
    previous: Previous<'a>,
}

/// The files of the last render, as a [`MemorySink`] has them.
#[derive(Default)]
enum Previous<'a> {
    #[default]
    None,
    /// Lent: a kept file is copied.
    Lent(&'a HashMap<String, Vec<u8>>),
    /// Held: a kept file is moved over (no copy), and the files neither
    /// kept nor written over can be taken back ([`MemorySink::take_all`]).
    Held(Mutex<HashMap<String, Vec<u8>>>),
}

impl<'a> MemorySink<'a> {
    /// A sink that can keep the files of `previous` (the last render's).
    pub fn reusing(previous: &'a HashMap<String, Vec<u8>>) -> MemorySink<'a> {
        MemorySink {
            files: Mutex::default(),
            previous: Previous::Lent(previous),
        }
    }

    /// [`MemorySink::reusing`] files it holds.
    pub fn keeping(previous: HashMap<String, Vec<u8>>) -> MemorySink<'static> {
        MemorySink {
            files: Mutex::default(),
            previous: Previous::Held(Mutex::new(previous)),
        }
    }

    /// Takes every file out of the sink: those written, over those of the
    /// last render it holds ([`MemorySink::keeping`]) that it neither kept
    /// nor wrote over (a render stopped half-way leaves those as they were).
    pub fn take_all(&self) -> HashMap<String, Vec<u8>> {
        let written = std::mem::take(&mut *self.files.lock().unwrap_or_else(|e| e.into_inner()));
        let mut all = match &self.previous {
            Previous::Held(previous) => {
                std::mem::take(&mut *previous.lock().unwrap_or_else(|e| e.into_inner()))
            }
            Previous::None | Previous::Lent(_) => HashMap::new(),
        };
        all.extend(written);
        all
    }
}

impl Sink for MemorySink<'_> {
    fn write(&self, path: &OutputPath, bytes: Vec<u8>) -> std::io::Result<()> {
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.as_str().to_string(), bytes);
        Ok(())
    }

    fn keep(&self, path: &OutputPath, fingerprint: Fingerprint) -> std::io::Result<bool> {
        // Served files may have been replaced since they were traced (a
        // registration's pages): kept only when they are what was traced.
        let path_str = path.as_str();
        match &self.previous {
            Previous::None => Ok(false),
            Previous::Lent(previous) => match previous.get(path_str) {
                Some(bytes) if fingerprint_bytes(bytes) == fingerprint => {
                    self.write(path, bytes.clone())?;
                    Ok(true)
                }
                _ => Ok(false),
            },
            Previous::Held(previous) => {
                let lock = || previous.lock().unwrap_or_else(|e| e.into_inner());
                let Some(bytes) = lock().remove(path_str) else {
                    return Ok(false);
                };
                if fingerprint_bytes(&bytes) == fingerprint {
                    self.write(path, bytes)?;
                    Ok(true)
                } else {
                    lock().insert(path_str.to_string(), bytes);
                    Ok(false)
                }
            }
        }
    }
}

/// Static files: the theme's first, then the site's, which win.
pub fn static_files(root: &Path, theme: Option<&str>) -> Vec<(String, PathBuf)> {
    let mut dirs = Vec::new();
    if let Some(theme) = theme {
        dirs.push(root.join("themes").join(theme).join("static"));
    }
    dirs.push(root.join("static"));
    let mut files: HashMap<String, PathBuf> = HashMap::new();
    for dir in dirs {
        if !dir.is_dir() {
            continue;
        }
        for entry in walkdir::WalkDir::new(&dir).into_iter().flatten() {
            if entry.file_type().is_file() {
                let rel = entry
                    .path()
                    .strip_prefix(&dir)
                    .unwrap_or(entry.path())
                    .to_string_lossy()
                    .replace('\\', "/");
                files.insert(rel, entry.path().to_path_buf());
            }
        }
    }
    let mut list: Vec<(String, PathBuf)> = files.into_iter().collect();
    list.sort();
    list
}

/// The bytes a static file is published with, when they are not the
/// file's own: the theme's CSS and JavaScript, minified ([`crate::minify`]).
pub fn published_static(
    root: &Path,
    theme: Option<&str>,
    src: &Path,
) -> Option<std::result::Result<Vec<u8>, String>> {
    let theme_static = root.join("themes").join(theme?).join("static");
    if !src.starts_with(&theme_static) {
        return None;
    }
    let text = match std::fs::read_to_string(src) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::InvalidData => return None,
        Err(e) => return Some(Err(e.to_string())),
    };
    crate::minify::minified(src, &text).map(|r| r.map(String::into_bytes))
}

/// Copies static files into the sink's folder; returns how many.
pub fn copy_static(root: &Path, theme: Option<&str>, sink: &DiskSink) -> Result<usize> {
    let files = static_files(root, theme);
    let errors: Vec<Diagnostic> = files
        .par_iter()
        .filter_map(|(rel, src)| {
            let shown = src.strip_prefix(root).unwrap_or(src);
            let path = match OutputPath::new(rel) {
                Ok(path) => path,
                Err(why) => {
                    return Some(Diagnostic::new(
                        shown,
                        format!("cannot copy the static file: {why}"),
                    ))
                }
            };
            let target = sink.root.join(path.as_str());
            if let Err(e) = make_parent(&target) {
                return Some(Diagnostic::new(
                    shown,
                    format!("cannot create the folder of {}: {e}", target.display()),
                ));
            }
            let written = match (published_static(root, theme, src), &sink.reuse) {
                (Some(Err(why)), _) => return Some(Diagnostic::new(shown, why)),
                // Into a known folder: written only when its bytes changed.
                (Some(Ok(bytes)), Some(_)) => sink.write(&path, bytes),
                (None, Some(_)) => std::fs::read(src).and_then(|bytes| sink.write(&path, bytes)),
                (Some(Ok(bytes)), None) => {
                    std::fs::write(&target, bytes).map(|()| sink.record(&path))
                }
                (None, None) => std::fs::copy(src, &target).map(|_| sink.record(&path)),
            };
            match written {
                Ok(()) => None,
                Err(e) => Some(Diagnostic::new(
                    shown,
                    format!("cannot copy the static file: {e}"),
                )),
            }
        })
        .collect();
    crate::error::Diagnostics::from(errors).into_result(files.len())
}

/// The folder a build writes into, next to the output.
///
/// The output of the build before last is kept as `.NAME.spare` and
/// reused: files are overwritten in place and those this build does not
/// write are deleted afterwards. Creating tens of thousands of files right
/// after deleting as many is slow on some file systems (ext4 without a
/// journal skips inodes freed in the last minutes, one by one); reusing
/// them avoids both the deletion and the allocation.
pub struct Staging {
    pub dir: PathBuf,
    spare: PathBuf,
    /// Files found in the reused folder.
    previous: Vec<Listed>,
}

/// A file found in a reused folder.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Listed {
    path: String,
    /// When it last changed in any way ([`Changed`]).
    changed: Changed,
    /// When its bytes last changed: its modification time, which an
    /// archive keeps and unpacks with it.
    modified: Changed,
}

/// When a file last changed: its status change time (which, unlike its
/// modification time, no one can set back), in nanoseconds since the
/// epoch. A file whose change time is unknown counts as changed last
/// ([`Changed::MAX`]): it is written again rather than trusted.
pub type Changed = u64;

/// The modification time in `metadata` in nanoseconds since the epoch;
/// [`Changed::MAX`] when unknown.
fn modified_of(metadata: &std::fs::Metadata) -> Changed {
    modified_nanos(metadata).unwrap_or(Changed::MAX)
}

fn modified_nanos(metadata: &std::fs::Metadata) -> Option<Changed> {
    #[cfg(unix)]
    let (seconds, nanos) = {
        use std::os::unix::fs::MetadataExt;
        (metadata.mtime(), metadata.mtime_nsec())
    };
    #[cfg(not(unix))]
    let (seconds, nanos) = {
        let since = metadata
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?;
        (i64::try_from(since.as_secs()).ok()?, since.subsec_nanos())
    };
    nanos_since_epoch(seconds, nanos)
}

/// Every file of a folder with when its bytes last changed, folded into one
/// fingerprint whatever order they come in; `None` when a time is unknown.
/// A folder unpacked from an archive that keeps modification times to the
/// nanosecond gives the same digest; one where a file was edited, added,
/// removed or copied over since does not (unless someone set a time back
/// to the nanosecond on purpose).
pub fn folder_digest<'a>(files: impl Iterator<Item = (&'a str, Changed)>) -> Option<Fingerprint> {
    let (mut sum, mut count) = (0u64, 0u64);
    for (path, modified) in files {
        sum = sum.wrapping_add(file_digest(path, modified)?);
        count += 1;
    }
    Some(folded(sum, count))
}

/// One file's part of a [`folder_digest`]; `None` when its time is unknown.
fn file_digest(path: &str, modified: Changed) -> Option<Fingerprint> {
    (modified != Changed::MAX).then(|| {
        crate::render::trace::fingerprint_parts(&[fingerprint_bytes(path.as_bytes()), modified])
    })
}

/// The digest of files whose parts add up to `sum` (wrapping: any order).
fn folded(sum: Fingerprint, count: u64) -> Fingerprint {
    crate::render::trace::fingerprint_parts(&[sum, count])
}

/// The change time in `metadata`; `None` when the system gives none that
/// fits.
fn changed_of(metadata: &std::fs::Metadata) -> Option<Changed> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        nanos_since_epoch(metadata.ctime(), metadata.ctime_nsec())
    }
    // Elsewhere no change time is given: the modification time stands in.
    #[cfg(not(unix))]
    {
        modified_nanos(metadata)
    }
}

/// The nanoseconds of a time split as the system gives it (the type of its
/// nanoseconds differs from one system to another).
fn nanos_since_epoch(seconds: i64, nanos: impl TryInto<u64>) -> Option<Changed> {
    u64::try_from(seconds)
        .ok()?
        .checked_mul(1_000_000_000)?
        .checked_add(nanos.try_into().ok()?)
}

fn output_name(output: &Path) -> String {
    output
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "public".into())
}

/// The folder an output that is a symbolic link points to (through every
/// link in turn), so that a build replaces that folder and the link stays:
/// with `public -> /var/www/site`, every build lands in `/var/www/site`.
/// Built next to the link instead, the output would replace the link with
/// a folder on one build and move the link back on the next. An output
/// that is no link is itself.
pub fn followed(output: &Path) -> PathBuf {
    let mut path = output.to_path_buf();
    // As many links as the system follows before it gives up (`ELOOP`).
    for _ in 0..40 {
        let Ok(target) = std::fs::read_link(&path) else {
            break;
        };
        path = match path.parent() {
            Some(parent) => parent.join(target),
            None => target,
        };
    }
    path
}

/// What a site's root holds that a build reads or keeps.
const SITE_SOURCES: [&str; 9] = [
    "config.toml",
    "zola.toml",
    "content",
    "data",
    "static",
    "templates",
    "themes",
    "sass",
    crate::cache::DIR,
];

/// Refuses an output folder that is the site's root, holds it, holds any
/// of its sources or lies inside one (`output_dir = ".."`, `"content"`,
/// `"static/css"`, a `public` linked to `.`): a build moves its output
/// folder aside and deletes it two builds later, which would take the
/// sources with it.
pub fn check_holds_no_sources(root: &Path, output: &Path) -> Result<()> {
    // A folder that is not there yet holds nothing, and lies inside no
    // source: a source folder exists.
    if !output.exists() {
        return Ok(());
    }
    let same = crate::cache::same_folder;
    let folder = same(output);
    let root = same(root);
    let name = |source: &Path| match source.strip_prefix(&root) {
        Ok(name) if !name.as_os_str().is_empty() => format!("`{}`", name.display()),
        _ => "the site's root".to_string(),
    };
    let sources = SITE_SOURCES
        .iter()
        .map(|source| root.join(source))
        .filter(|source| source.exists())
        .map(|source| same(&source));
    let problem = std::iter::once(root.clone())
        .chain(sources)
        .find_map(|source| {
            if source.starts_with(&folder) {
                Some(format!("holds {}", name(&source)))
            } else if source != root && folder.starts_with(&source) {
                Some(format!("lies inside {}", name(&source)))
            } else {
                None
            }
        });
    match problem {
        None => Ok(()),
        Some(problem) => Err(Diagnostic::new(
            output,
            format!(
                "the output folder {problem}, which a build would move aside and \
                 delete with the output: name a folder that holds none of the site's \
                 sources and lies in none (`output_dir` in the configuration, or \
                 --output-dir)"
            ),
        )
        .into()),
    }
}

/// A directory next to `output` to build into: the spare output when there
/// is one, or a fresh one.
pub fn staging_dir(output: &Path) -> Result<Staging> {
    let parent = output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = output_name(output);
    std::fs::create_dir_all(parent)
        .map_err(|e| Diagnostic::new(parent, format!("cannot create the folder: {e}")))?;
    let spare = parent.join(format!(".{name}.spare"));
    let staging = parent.join(format!(".{name}.building-{}", std::process::id()));
    // Leftovers of interrupted builds: one is reused, the others removed.
    let mut reusable: Option<PathBuf> = spare.is_dir().then(|| spare.clone());
    if let Ok(entries) = std::fs::read_dir(parent) {
        for entry in entries.flatten() {
            let other = entry.file_name().to_string_lossy().to_string();
            if other.starts_with(&format!(".{name}.building-"))
                || other.starts_with(&format!(".{name}.old-"))
            {
                if reusable.is_none() && entry.path().is_dir() {
                    reusable = Some(entry.path());
                } else {
                    remove_dir_parallel(&entry.path());
                }
            }
        }
    }
    if let Some(old) = reusable {
        if old != staging && std::fs::rename(&old, &staging).is_err() {
            remove_dir_parallel(&old);
        }
    }
    let previous = if staging.is_dir() {
        existing_files(&staging)
    } else {
        Vec::new()
    };
    std::fs::create_dir_all(&staging)
        .map_err(|e| Diagnostic::new(&staging, format!("cannot create the folder: {e}")))?;
    Ok(Staging {
        dir: staging,
        spare,
        previous,
    })
}

/// The regular files under a reused folder, with when each last changed;
/// anything else that is not a folder (a link above all, which a write
/// would follow) is removed now. Each folder is opened from its parent's
/// descriptor, and each file looked at from its folder's: for each of a
/// large output's tens of thousands of folders and files the system
/// resolves one name, not the whole path.
#[cfg(unix)]
fn existing_files(dir: &Path) -> Vec<Listed> {
    use rustix::fs::{openat, statat, unlinkat, AtFlags, Dir, FileType, Mode, OFlags, CWD};
    use std::ffi::CString;
    use std::os::fd::{AsFd, OwnedFd};

    fn open(at: impl AsFd, name: &std::ffi::CStr) -> Option<OwnedFd> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC | OFlags::NOFOLLOW;
        openat(at, name, flags, Mode::empty()).ok()
    }
    fn walk(folder: OwnedFd, prefix: &str, files: &mut Vec<Listed>) {
        let Ok(mut dir) = Dir::new(folder) else {
            return;
        };
        let entries: Vec<(CString, FileType)> = dir
            .by_ref()
            .flatten()
            .filter(|e| !matches!(e.file_name().to_bytes(), b"." | b".."))
            .map(|e| (e.file_name().to_owned(), e.file_type()))
            .collect();
        let Ok(fd) = dir.fd() else {
            return;
        };
        for (name, mut kind) in entries {
            let (mut changed, mut modified) = (None, None);
            if matches!(kind, FileType::Unknown | FileType::RegularFile) {
                match statat(fd, &name, AtFlags::SYMLINK_NOFOLLOW) {
                    Ok(stat) => {
                        kind = FileType::from_raw_mode(stat.st_mode);
                        changed = nanos_since_epoch(stat.st_ctime, stat.st_ctime_nsec);
                        modified = nanos_since_epoch(stat.st_mtime, stat.st_mtime_nsec);
                    }
                    Err(_) => continue,
                }
            }
            let path = format!("{prefix}{}", String::from_utf8_lossy(name.to_bytes()));
            match kind {
                FileType::RegularFile => files.push(Listed {
                    path,
                    changed: changed.unwrap_or(Changed::MAX),
                    modified: modified.unwrap_or(Changed::MAX),
                }),
                FileType::Directory => {
                    if let Some(inner) = open(fd, &name) {
                        walk(inner, &format!("{path}/"), files);
                    }
                }
                _ => {
                    let _ = unlinkat(fd, &name, AtFlags::empty());
                }
            }
        }
    }
    let mut files = Vec::new();
    let Ok(root) = CString::new(dir.as_os_str().as_encoded_bytes()) else {
        return files;
    };
    if let Some(root) = open(CWD, &root) {
        walk(root, "", &mut files);
    }
    files
}

/// The regular files under a reused folder, with when each last changed;
/// anything else that is not a folder (a link above all, which a write
/// would follow) is removed now.
#[cfg(not(unix))]
fn existing_files(dir: &Path) -> Vec<Listed> {
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .flatten()
    {
        let kind = entry.file_type();
        if kind.is_file() {
            if let Ok(rel) = entry.path().strip_prefix(dir) {
                let metadata = entry.metadata().ok();
                files.push(Listed {
                    path: normalized(rel),
                    changed: metadata
                        .as_ref()
                        .and_then(changed_of)
                        .unwrap_or(Changed::MAX),
                    modified: metadata.as_ref().map_or(Changed::MAX, modified_of),
                });
            }
        } else if !kind.is_dir() {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    files
}

impl Staging {
    /// The files found in the reused folder.
    pub fn previous(&self) -> impl Iterator<Item = &str> {
        self.previous.iter().map(|file| file.path.as_str())
    }

    /// The files found in the reused folder, with when their bytes last
    /// changed.
    pub fn previous_modified(&self) -> PathMap<Changed> {
        self.previous
            .iter()
            .map(|file| (file.path.clone(), file.modified))
            .collect()
    }

    /// The [`folder_digest`] of the reused folder as found.
    pub fn digest(&self) -> Option<Fingerprint> {
        folder_digest(
            self.previous
                .iter()
                .map(|file| (file.path.as_str(), file.modified)),
        )
    }

    /// The files of the reused folder that changed at or after `stamp`
    /// (a [`Staging::stamp`] of the build that wrote the folder): changed
    /// by someone else since.
    pub fn changed_since(&self, stamp: Changed) -> HashSet<&str, crate::paths::FastHash> {
        self.previous
            .iter()
            .filter(|file| file.changed >= stamp)
            .map(|file| file.path.as_str())
            .collect()
    }

    /// A time strictly after every file written into the folder so far,
    /// and before any later change: the change time of a file made now in
    /// the folder (so in its own file system, by its own clock), then
    /// removed, made again until the clock has moved past the first one's.
    /// The file system's clock ticks every few milliseconds, and a later
    /// edit must not share a time with a write of the build. `None` when
    /// it cannot be made.
    pub fn stamp(&self) -> Option<Changed> {
        let first = self.marker_time()?;
        for _ in 0..200 {
            let now = self.marker_time()?;
            if now > first {
                return Some(now);
            }
            std::thread::sleep(std::time::Duration::from_micros(500));
        }
        None
    }

    fn marker_time(&self) -> Option<Changed> {
        let marker = self
            .dir
            .join(format!(".maillage-stamp-{}", std::process::id()));
        std::fs::write(&marker, b"").ok()?;
        let at = std::fs::symlink_metadata(&marker)
            .ok()
            .and_then(|m| changed_of(&m));
        let _ = std::fs::remove_file(&marker);
        at
    }

    /// Deletes the files of a reused folder that this build did not write
    /// (those `written` does not know).
    pub fn prune(&mut self, written: &(dyn Fn(&str) -> bool + Sync)) {
        let stale: Vec<&str> = self.previous().filter(|p| !written(p)).collect();
        let mut folders: HashSet<PathBuf> = HashSet::new();
        for rel in stale {
            let path = self.dir.join(rel);
            let _ = std::fs::remove_file(&path);
            if let Some(parent) = path.parent() {
                folders.insert(parent.to_path_buf());
            }
        }
        // Folders left empty go too, deepest first.
        let mut folders: Vec<PathBuf> = folders.into_iter().collect();
        folders.sort_by_key(|f| std::cmp::Reverse(f.components().count()));
        for folder in folders {
            for dir in folder.ancestors() {
                if dir == self.dir || std::fs::remove_dir(dir).is_err() {
                    break;
                }
            }
        }
    }

    /// After a failed build: a reused folder is kept as the spare for the
    /// next one, a new one is removed.
    pub fn discard(self) {
        if self.previous.is_empty()
            || self.spare.exists()
            || std::fs::rename(&self.dir, &self.spare).is_err()
        {
            remove_dir_parallel(&self.dir);
        }
    }

    /// Puts the staging folder in place of `output` with renames; the
    /// previous output becomes the spare.
    pub fn swap_into_place(self, output: &Path) -> Result<()> {
        if self.spare.exists() {
            remove_dir_parallel(&self.spare);
        }
        let had_old = output.exists();
        if had_old {
            std::fs::rename(output, &self.spare).map_err(|e| {
                Diagnostic::new(
                    output,
                    format!("cannot move the previous output aside: {e}"),
                )
            })?;
        }
        if let Err(e) = std::fs::rename(&self.dir, output) {
            if had_old {
                let _ = std::fs::rename(&self.spare, output);
            }
            return Err(Diagnostic::new(
                output,
                format!("cannot move the new output into place: {e}"),
            )
            .into());
        }
        Ok(())
    }
}

/// Deletes a directory tree, its top-level entries in parallel.
pub fn remove_dir_parallel(dir: &Path) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        let entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        entries.par_iter().for_each(|p| {
            if p.is_dir() {
                let _ = std::fs::remove_dir_all(p);
            } else {
                let _ = std::fs::remove_file(p);
            }
        });
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[cfg(test)]
mod tests {
    #[cfg(unix)]
    #[test]
    fn a_reused_folder_lists_its_files_and_loses_its_links() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for file in ["index.html", "a/index.html", "a/b/c/deep.txt", "é t/x.css"] {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "x").unwrap();
        }
        std::fs::create_dir_all(root.join("empty/inner")).unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret"), "s").unwrap();
        std::os::unix::fs::symlink(outside.path(), root.join("a/linked-folder")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret"), root.join("link.html")).unwrap();
        let mut files = existing_files(root);
        files.sort();
        let names: Vec<&str> = files.iter().map(|file| file.path.as_str()).collect();
        assert_eq!(
            names,
            ["a/b/c/deep.txt", "a/index.html", "index.html", "é t/x.css"]
        );
        for file in &files {
            let name = &file.path;
            let metadata = std::fs::metadata(root.join(name)).unwrap();
            assert_eq!(Some(file.changed), changed_of(&metadata), "{name}");
            assert_eq!(file.modified, modified_of(&metadata), "{name}");
            assert!(file.changed > 0 && file.modified > 0, "{name}");
        }
        assert!(!root.join("a/linked-folder").exists());
        assert!(root.join("link.html").symlink_metadata().is_err());
        assert!(
            outside.path().join("secret").is_file(),
            "a link's target stays"
        );
        assert!(existing_files(&root.join("missing")).is_empty());
    }

    use super::*;

    /// An output that is a link, to a folder that exists or not, through a
    /// relative link or a chain of them, is built where the links lead.
    #[cfg(unix)]
    #[test]
    fn an_output_that_is_a_link_is_followed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("www/site")).unwrap();
        std::os::unix::fs::symlink(root.join("www/site"), root.join("absolute")).unwrap();
        std::os::unix::fs::symlink("www/site", root.join("relative")).unwrap();
        std::os::unix::fs::symlink("relative", root.join("chained")).unwrap();
        std::os::unix::fs::symlink("www/not-yet", root.join("dangling")).unwrap();
        assert_eq!(followed(&root.join("absolute")), root.join("www/site"));
        assert_eq!(followed(&root.join("relative")), root.join("www/site"));
        assert_eq!(followed(&root.join("chained")), root.join("www/site"));
        assert_eq!(followed(&root.join("dangling")), root.join("www/not-yet"));
        assert_eq!(followed(&root.join("www/site")), root.join("www/site"));
        assert_eq!(followed(&root.join("missing")), root.join("missing"));
        std::os::unix::fs::symlink("loop-b", root.join("loop-a")).unwrap();
        std::os::unix::fs::symlink("loop-a", root.join("loop-b")).unwrap();
        followed(&root.join("loop-a"));
    }

    /// The root, a folder above it, a folder of sources, one inside them or
    /// a link to one of them is refused as the output; a folder beside the
    /// sources, or not made yet, is not.
    #[cfg(unix)]
    #[test]
    fn an_output_holding_the_sources_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        for folder in ["content", "templates", "public", "static/css"] {
            std::fs::create_dir_all(root.join(folder)).unwrap();
        }
        std::fs::write(root.join("config.toml"), "").unwrap();
        std::os::unix::fs::symlink(".", root.join("here")).unwrap();
        let refused = |output: &Path| {
            check_holds_no_sources(&root, output)
                .err()
                .map(|e| e.to_string())
        };
        for (output, problem) in [
            (root.clone(), "holds the site's root"),
            (root.join("."), "holds the site's root"),
            (dir.path().to_path_buf(), "holds the site's root"),
            (root.join("content"), "holds `content`"),
            (root.join("static"), "holds `static`"),
            (root.join("static/css"), "lies inside `static`"),
            (root.join("here"), "holds the site's root"),
            (root.join("public/../templates"), "holds `templates`"),
        ] {
            let message = refused(&output).unwrap_or_else(|| panic!("{output:?} accepted"));
            assert!(message.contains(problem), "{output:?}: {message}");
        }
        assert_eq!(refused(&root.join("public")), None);
        assert_eq!(refused(&root.join("not-yet")), None);
    }

    /// A folder's digest is the same whatever order its files come in,
    /// and changes with any file's path or time, a file added or removed;
    /// a time unknown gives none.
    #[test]
    fn a_folder_digest_follows_every_file_and_time() {
        let files = [("a.html", 10), ("b/c.css", 20), ("d.txt", 30)];
        let digest = |files: &[(&str, Changed)]| folder_digest(files.iter().copied());
        let whole = digest(&files).unwrap();
        assert_eq!(digest(&[files[2], files[0], files[1]]), Some(whole));
        assert_ne!(digest(&[files[0], files[1], ("d.txt", 31)]), Some(whole));
        assert_ne!(digest(&[files[0], files[1], ("e.txt", 30)]), Some(whole));
        assert_ne!(digest(&files[..2]), Some(whole));
        assert_ne!(
            digest(&[files[0], files[1], files[2], ("f", 1)]),
            Some(whole)
        );
        assert_eq!(digest(&[files[0], ("b/c.css", Changed::MAX)]), None);
    }

    /// The stamp comes strictly after the files written before it, by the
    /// folder's own clock.
    #[test]
    fn a_stamp_comes_after_every_write() {
        let parent = tempfile::tempdir().unwrap();
        let staging = staging_dir(&parent.path().join("public")).unwrap();
        let file = staging.dir.join("index.html");
        std::fs::write(&file, "x").unwrap();
        let written = changed_of(&std::fs::metadata(&file).unwrap()).unwrap();
        let stamp = staging.stamp().expect("a stamp");
        assert!(stamp > written, "{stamp} > {written}");
    }

    /// A time that is not a count of nanoseconds since the epoch (before
    /// it, or too large) is unknown, and a file whose change time is
    /// unknown counts as changed after any stamp: written again, not
    /// trusted.
    #[test]
    fn an_unknown_change_time_counts_as_changed() {
        assert_eq!(nanos_since_epoch(2, 5u32), Some(2_000_000_005));
        assert_eq!(nanos_since_epoch(-1, 0u32), None);
        assert_eq!(nanos_since_epoch(i64::MAX, 0u32), None);
        let staging = Staging {
            dir: PathBuf::from("staging"),
            spare: PathBuf::from("spare"),
            previous: ["known.html", "unknown.html"]
                .into_iter()
                .zip([1, Changed::MAX])
                .map(|(path, changed)| Listed {
                    path: path.into(),
                    changed,
                    modified: 1,
                })
                .collect(),
        };
        assert_eq!(
            staging.changed_since(2),
            HashSet::from_iter(["unknown.html"])
        );
    }

    /// A file changed in a folder after its stamp was taken is told apart
    /// from those written before, whoever changed it and however.
    #[test]
    fn files_changed_after_a_folders_stamp_are_found() {
        let parent = tempfile::tempdir().unwrap();
        let output = parent.path().join("public");
        let spare = parent.path().join(".public.spare");
        for file in ["kept.html", "edited.html", "replaced.html", "a/touched.css"] {
            let path = spare.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "from the build").unwrap();
        }
        // Past the file system's clock tick: files written in the stamp's
        // own tick count as changed, which only costs a write.
        std::thread::sleep(std::time::Duration::from_millis(50));
        let staging = staging_dir(&output).unwrap();
        let stamp = staging.stamp().expect("a stamp");
        assert!(
            staging.changed_since(stamp).is_empty(),
            "nothing changed after the stamp"
        );
        let left: Vec<_> = std::fs::read_dir(&staging.dir)
            .unwrap()
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(".maillage-stamp")
            })
            .collect();
        assert!(left.is_empty(), "the stamp's file is removed");
        staging.discard();
        assert!(spare.is_dir(), "the folder is kept as the spare");

        let mut edited = std::fs::OpenOptions::new()
            .append(true)
            .open(spare.join("edited.html"))
            .unwrap();
        std::io::Write::write_all(&mut edited, b"<!-- added -->").unwrap();
        drop(edited);
        std::fs::write(spare.join("replaced.tmp"), "other").unwrap();
        std::fs::rename(spare.join("replaced.tmp"), spare.join("replaced.html")).unwrap();
        // A modification time set back does not hide a change.
        let touched = std::fs::File::options()
            .write(true)
            .open(spare.join("a/touched.css"))
            .unwrap();
        touched
            .set_modified(std::time::UNIX_EPOCH + std::time::Duration::from_secs(1))
            .unwrap();
        drop(touched);

        let staging = staging_dir(&output).unwrap();
        let mut changed: Vec<&str> = staging.changed_since(stamp).into_iter().collect();
        changed.sort();
        assert_eq!(changed, ["a/touched.css", "edited.html", "replaced.html"]);
    }

    /// One build: `files` written into a staging folder swapped into `out`.
    fn build(out: &Path, files: &[(&str, &str)]) -> PathBuf {
        let mut staging = staging_dir(out).unwrap();
        let dir = staging.dir.clone();
        let sink = DiskSink::new(dir.clone());
        for (path, text) in files {
            sink.write(&OutputPath::new(path).unwrap(), text.as_bytes().to_vec())
                .unwrap();
        }
        let written = sink.take_paths();
        staging.prune(&|path| written.contains(path));
        staging.swap_into_place(out).unwrap();
        dir
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut all: Vec<String> = walkdir::WalkDir::new(dir)
            .min_depth(1)
            .into_iter()
            .flatten()
            .map(|e| normalized(e.path().strip_prefix(dir).unwrap()))
            .collect();
        all.sort();
        all
    }

    /// A sink holding the last render's files keeps a file only when its
    /// bytes are what was traced, and gives back every file: those written
    /// or kept, over those of the last render it neither kept nor wrote.
    #[test]
    fn a_memory_sink_gives_back_the_files_it_did_not_reach() {
        let text = |s: &str| s.as_bytes().to_vec();
        let previous: HashMap<String, Vec<u8>> = ["kept", "stale", "rewritten", "unreached"]
            .into_iter()
            .map(|name| (format!("{name}.html"), text(name)))
            .collect();
        let sink = MemorySink::keeping(previous);
        let path = |name: &str| OutputPath::new(&format!("{name}.html")).unwrap();
        assert!(sink
            .keep(&path("kept"), fingerprint_bytes(b"kept"))
            .unwrap());
        assert!(!sink
            .keep(&path("stale"), fingerprint_bytes(b"other"))
            .unwrap());
        assert!(!sink
            .keep(&path("absent"), fingerprint_bytes(b"absent"))
            .unwrap());
        sink.write(&path("rewritten"), text("new")).unwrap();
        let written: Vec<String> = sink.files.lock().unwrap().keys().cloned().collect();
        assert_eq!(written.len(), 2, "{written:?}");
        let all = sink.take_all();
        let mut names: Vec<(&str, &str)> = all
            .iter()
            .map(|(k, v)| (k.as_str(), std::str::from_utf8(v).unwrap()))
            .collect();
        names.sort();
        assert_eq!(
            names,
            [
                ("kept.html", "kept"),
                ("rewritten.html", "new"),
                ("stale.html", "stale"),
                ("unreached.html", "unreached"),
            ]
        );
    }

    #[test]
    fn output_paths_stay_in_the_output_folder() {
        let ok = |p: &str| OutputPath::new(p).map(|p| p.as_str().to_string());
        assert_eq!(ok("/a//b/./c.html"), Ok("a/b/c.html".into()));
        assert_eq!(ok("a/../b.html"), Ok("b.html".into()));
        assert_eq!(ok("../../escape/index.html"), Err(Refused::Outside));
        assert_eq!(ok("a/../../b"), Err(Refused::Outside));
        assert_eq!(ok("/./a/.."), Err(Refused::NoFile));
        assert_eq!(ok("a\0b"), Err(Refused::Nul));
        assert_eq!(ok(".../..x/é"), Ok(".../..x/é".into()));
        let index = |p: &str| OutputPath::index_of(p).map(|p| p.as_str().to_string());
        assert_eq!(index("/"), Ok("index.html".into()));
        assert_eq!(
            index("/rencontres/passees/"),
            Ok("rencontres/passees/index.html".into())
        );
        assert_eq!(index("/../../x/"), Err(Refused::Outside));
    }

    #[test]
    fn the_output_before_last_is_reused_and_pruned() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        build(
            &out,
            &[("index.html", "un"), ("a/b/index.html", "long texte")],
        );
        build(&out, &[("index.html", "deux"), ("c/index.html", "c")]);
        assert!(tmp.path().join(".public.spare/a/b/index.html").is_file());
        let reused = std::fs::metadata(tmp.path().join(".public.spare/index.html"))
            .map(|m| std::os::unix::fs::MetadataExt::ino(&m))
            .unwrap();
        // The third build writes into the first one's files: shorter content
        // is cut to length, what it does not write is gone, empty folders too.
        build(&out, &[("index.html", "3"), ("a/x.txt", "x")]);
        assert_eq!(listing(&out), ["a", "a/x.txt", "index.html"]);
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "3"
        );
        let ino = std::fs::metadata(out.join("index.html"))
            .map(|m| std::os::unix::fs::MetadataExt::ino(&m))
            .unwrap();
        assert_eq!(ino, reused, "the file was overwritten in place");
        assert_eq!(
            listing(&tmp.path().join(".public.spare")),
            ["c", "c/index.html", "index.html"]
        );
    }

    #[test]
    fn a_reused_folder_gives_way_to_files_folders_and_never_follows_links() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let outside = tmp.path().join("outside");
        std::fs::create_dir(&outside).unwrap();
        build(&out, &[("a/index.html", "a"), ("b", "b")]);
        build(&out, &[("x", "x")]);
        // Someone linked a folder of theirs into the spare output.
        std::os::unix::fs::symlink(&outside, tmp.path().join(".public.spare/media")).unwrap();
        build(
            &out,
            &[
                ("a", "a is a file"),
                ("b/index.html", "b is a folder"),
                ("media/f", "f"),
            ],
        );
        assert_eq!(
            listing(&out),
            ["a", "b", "b/index.html", "media", "media/f"]
        );
        assert_eq!(
            listing(&outside),
            Vec::<String>::new(),
            "nothing written through the link"
        );
    }

    #[test]
    fn a_failed_build_keeps_a_reused_folder_as_the_spare() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        // A new folder is removed.
        let staging = staging_dir(&out).unwrap();
        staging.discard();
        assert_eq!(listing(tmp.path()), Vec::<String>::new());
        build(&out, &[("index.html", "un")]);
        build(&out, &[("index.html", "deux")]);
        let staging = staging_dir(&out).unwrap();
        DiskSink::new(staging.dir.clone())
            .write(&OutputPath::new("half.html").unwrap(), b"half".to_vec())
            .unwrap();
        staging.discard();
        assert_eq!(listing(&out), ["index.html"]);
        let names: Vec<String> = std::fs::read_dir(tmp.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect();
        assert!(!names.iter().any(|n| n.contains(".building-")), "{names:?}");
        assert!(names.iter().any(|n| n == ".public.spare"), "{names:?}");
        build(&out, &[("index.html", "trois")]);
        assert_eq!(listing(&out), ["index.html"]);
    }
}
