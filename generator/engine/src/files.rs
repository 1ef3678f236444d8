//! Finding and reading the site's source files the way Zola does: folders
//! walked following symbolic links (a link back to a folder above it is
//! reported, not followed), text read as UTF-8 with a byte-order mark at
//! the top dropped; and one file written whole or not at all
//! ([`write_atomically`]).

use std::path::{Path, PathBuf};

use crate::error::Diagnostic;

const BYTE_ORDER_MARK: char = '\u{feff}';

/// The text of a file, without a leading UTF-8 byte-order mark.
pub fn read_text(path: &Path) -> std::io::Result<String> {
    text_of(std::fs::read(path)?)
}

/// [`read_text`] for bytes already read.
pub fn text_of(bytes: Vec<u8>) -> std::io::Result<String> {
    let mut text = String::from_utf8(bytes).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        )
    })?;
    if text.starts_with(BYTE_ORDER_MARK) {
        text.drain(..BYTE_ORDER_MARK.len_utf8());
    }
    Ok(text)
}

/// Every file under `dir`, sorted by path, through symbolic links; with
/// `skip_hidden`, files and folders whose name starts with `.` are left
/// out. Folders that cannot be read and links that loop are reported, with
/// paths relative to `root`; the rest is still listed.
pub fn walk(dir: &Path, root: &Path, skip_hidden: bool) -> (Vec<PathBuf>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0 || !skip_hidden || !e.file_name().to_string_lossy().starts_with('.')
        });
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() => files.push(e.into_path()),
            Ok(_) => {}
            Err(e) => problems.push(walk_problem(&e, dir, root)),
        }
    }
    // Sorted once at the end rather than folder by folder as they are
    // walked, where each comparison finds both names in their paths again
    // (a tenth of a second of a 22,000-page folder's walk).
    sort_paths(&mut files);
    problems.sort_by(|a, b| a.file.cmp(&b.file));
    (files, problems)
}

/// Sorts `paths` as a walk in name order lists them: a folder's files
/// right after its name, before the names that follow it (`a/z` before
/// `a.md`, as `/` is taken to come before every other byte).
fn sort_paths(paths: &mut [PathBuf]) {
    paths.sort_by_cached_key(|path| {
        let separator = |b: u8| b == b'/' || (b == b'\\' && cfg!(windows));
        path.as_os_str()
            .as_encoded_bytes()
            .iter()
            .map(|&b| if separator(b) { 0 } else { b })
            .collect::<Vec<u8>>()
    });
}

fn walk_problem(error: &walkdir::Error, dir: &Path, root: &Path) -> Diagnostic {
    let path = error.path().unwrap_or(dir);
    let shown = path.strip_prefix(root).unwrap_or(path);
    match error.loop_ancestor() {
        Some(ancestor) => Diagnostic::new(
            shown,
            format!(
                "this link leads back to {}, a folder that holds it: remove the link (it was not followed)",
                ancestor.strip_prefix(root).unwrap_or(ancestor).display()
            ),
        ),
        None => Diagnostic::new(
            shown,
            format!(
                "cannot read: {}",
                error
                    .io_error()
                    .map_or_else(|| error.to_string(), |e| e.to_string())
            ),
        ),
    }
}

/// The parts of `path` resolved inside a folder as a file system would:
/// a leading `/`, empty parts and `.` dropped, `..` going up one part;
/// `None` when it climbs out of the folder.
pub fn resolve_within(path: &str) -> Option<Vec<&str>> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            name => parts.push(name),
        }
    }
    Some(parts)
}

/// Writes `text` at `path` (its folder made if missing) through a temporary
/// file beside it, flushed to disk, then renamed over it: a crash leaves
/// the old file or the new one, never half of it.
pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    // One temporary name per write: two threads writing the same file
    // each rename a whole file of their own.
    static WRITES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let temp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temp)?;
        file.write_all(text.as_bytes())?;
        file.sync_all()?;
        std::fs::rename(&temp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result
}

#[cfg(test)]
mod tests {
    #[test]
    fn drops_a_leading_byte_order_mark_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.md");
        std::fs::write(&path, "\u{feff}+++\n+++\nun \u{feff}").unwrap();
        assert_eq!(super::read_text(&path).unwrap(), "+++\n+++\nun \u{feff}");
    }

    /// The walk lists files as walkdir does when it sorts each folder by
    /// name: a folder's files right after its name.
    #[test]
    fn files_are_listed_in_the_order_of_a_walk_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let names = [
            "a-b.md", "a.md", "a/z.md", "a/b/c.md", "b.md", "a/b.md", "é.md", "A.md", "a/b-c.md",
        ];
        for name in names {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        let (files, problems) = super::walk(dir.path(), dir.path(), true);
        assert!(problems.is_empty());
        let by_walkdir: Vec<_> = walkdir::WalkDir::new(dir.path())
            .sort_by_file_name()
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_file())
            .map(|e| e.into_path())
            .collect();
        assert_eq!(files, by_walkdir);
        assert_eq!(files.len(), names.len());
    }
}
