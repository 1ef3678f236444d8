//! Writing the output: files into a directory, or into memory for `serve`;
//! static files copied; a finished build swapped into place atomically.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use rayon::prelude::*;

use crate::error::{Diagnostic, Result};
use crate::render::Sink;

/// Writes files under a directory.
pub struct DiskSink {
    pub root: PathBuf,
    pub written: AtomicUsize,
}

impl DiskSink {
    pub fn new(root: PathBuf) -> Self {
        DiskSink {
            root,
            written: AtomicUsize::new(0),
        }
    }
}

impl Sink for DiskSink {
    fn write(&self, path: &str, bytes: Vec<u8>) -> std::io::Result<()> {
        let full = self.root.join(path);
        if let Some(parent) = full.parent() {
            if !parent.is_dir() {
                std::fs::create_dir_all(parent)?;
            }
        }
        std::fs::write(full, bytes)?;
        self.written.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

/// Keeps files in memory, keyed by their output path.
#[derive(Default)]
pub struct MemorySink {
    pub files: Mutex<HashMap<String, Vec<u8>>>,
}

impl Sink for MemorySink {
    fn write(&self, path: &str, bytes: Vec<u8>) -> std::io::Result<()> {
        self.files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(path.to_string(), bytes);
        Ok(())
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

/// Copies static files into `dest`; returns how many.
pub fn copy_static(root: &Path, theme: Option<&str>, dest: &Path) -> Result<usize> {
    let files = static_files(root, theme);
    let errors: Vec<Diagnostic> = files
        .par_iter()
        .filter_map(|(rel, src)| {
            let target = dest.join(rel);
            if let Some(parent) = target.parent() {
                if let Err(e) = std::fs::create_dir_all(parent) {
                    return Some(Diagnostic::new(
                        src,
                        format!("cannot create {}: {e}", parent.display()),
                    ));
                }
            }
            std::fs::copy(src, &target).err().map(|e| {
                Diagnostic::new(
                    src.strip_prefix(root).unwrap_or(src),
                    format!("cannot copy the static file: {e}"),
                )
            })
        })
        .collect();
    crate::error::Diagnostics(errors).into_result(files.len())
}

/// A fresh directory next to `output` to build into.
pub fn staging_dir(output: &Path) -> Result<PathBuf> {
    let parent = output
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "public".into());
    std::fs::create_dir_all(parent)
        .map_err(|e| Diagnostic::new(parent, format!("cannot create the folder: {e}")))?;
    // Leftovers of an interrupted build are removed first.
    if let Ok(entries) = std::fs::read_dir(parent) {
        for entry in entries.flatten() {
            let other = entry.file_name().to_string_lossy().to_string();
            if other.starts_with(&format!(".{name}.building-"))
                || other.starts_with(&format!(".{name}.old-"))
            {
                remove_dir_parallel(&entry.path());
            }
        }
    }
    let staging = parent.join(format!(".{name}.building-{}", std::process::id()));
    if staging.exists() {
        remove_dir_parallel(&staging);
    }
    std::fs::create_dir_all(&staging)
        .map_err(|e| Diagnostic::new(&staging, format!("cannot create the folder: {e}")))?;
    Ok(staging)
}

/// Puts `staging` in place of `output` with renames, then deletes the old output.
pub fn swap_into_place(staging: &Path, output: &Path) -> Result<()> {
    let old = staging.with_file_name(format!(
        ".{}.old-{}",
        output
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default(),
        std::process::id()
    ));
    let had_old = output.exists();
    if had_old {
        std::fs::rename(output, &old).map_err(|e| {
            Diagnostic::new(
                output,
                format!("cannot move the previous output aside: {e}"),
            )
        })?;
    }
    if let Err(e) = std::fs::rename(staging, output) {
        if had_old {
            let _ = std::fs::rename(&old, output);
        }
        return Err(Diagnostic::new(
            output,
            format!("cannot move the new output into place: {e}"),
        )
        .into());
    }
    if had_old {
        remove_dir_parallel(&old);
    }
    Ok(())
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
