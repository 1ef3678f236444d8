//! The build cache, `.maillage/build-cache.json` under the site root: the
//! traces of the last build (what each output read, [`crate::render::trace`])
//! and the fingerprint of every file of the output and of the spare output
//! the next build writes into. With it, a build renders only the outputs
//! whose inputs changed and writes only the files whose bytes changed.
//!
//! It is safe to delete: a build without it renders everything. It is keyed
//! on the command itself (its version and executable) and on the
//! configuration; a cache made by another command or configuration, or
//! that cannot be read, is ignored with a note, never trusted. It is
//! removed before a build starts writing and saved once the output is in
//! place, so that an interrupted build leaves no cache describing folders
//! it half wrote.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::build::BuildOptions;
use crate::output::Changed;
use crate::paths::PathMap;
use crate::render::trace::{fingerprint_bytes, Fingerprint, Traces};

pub mod lock;
pub mod own_output;
pub mod unchanged;

/// The cache's folder under the site root.
pub const DIR: &str = ".maillage";
const FILE: &str = "build-cache.json";

#[derive(Debug, Default)]
pub struct BuildCache {
    /// What the cache is valid for ([`key`]).
    pub key: String,
    /// What each output of the last build read.
    pub traces: Traces,
    /// The fingerprint of each rendered file of the last output.
    pub output: PathMap<Fingerprint>,
    /// A time after the last output's files were written
    /// ([`crate::output::Staging::stamp`]): one changed at or after it
    /// was changed by someone else.
    pub output_written: Option<Changed>,
    /// Every file of the last output with its modification time, folded
    /// ([`crate::output::folder_digest`]): the folder unpacked from an
    /// archive that keeps those times gives it again, though every change
    /// time is the unpacking's; one edited since does not.
    pub output_digest: Option<Fingerprint>,
    /// The same for the output before it, kept as the spare folder the
    /// next build writes into.
    pub spare: Option<PathMap<Fingerprint>>,
    pub spare_written: Option<Changed>,
    pub spare_digest: Option<Fingerprint>,
}

/// The cache as saved: the output's fingerprints as their differences
/// from those the traces give (most files are a job's output), and the
/// spare folder's as their differences from the output's (the two folders
/// are the outputs of two builds in a row: mostly the same).
#[derive(Deserialize)]
struct Saved {
    key: String,
    traces: Traces,
    output: Changes,
    output_written: Option<Changed>,
    output_digest: Option<Fingerprint>,
    spare: Option<Changes>,
    spare_written: Option<Changed>,
    spare_digest: Option<Fingerprint>,
}

/// A map of files' fingerprints saved as its differences from another.
#[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
struct Changes {
    /// Files whose fingerprint differs from the other map's, or that the
    /// other map does not have.
    differ: PathMap<Fingerprint>,
    /// Files of the other map that this one does not have.
    missing: Vec<String>,
}

impl Changes {
    fn between(base: &PathMap<Fingerprint>, map: &PathMap<Fingerprint>) -> Changes {
        Changes {
            differ: map
                .iter()
                .filter(|(path, fingerprint)| base.get(*path) != Some(fingerprint))
                .map(|(path, &fingerprint)| (path.clone(), fingerprint))
                .collect(),
            missing: base
                .keys()
                .filter(|path| !map.contains_key(*path))
                .cloned()
                .collect(),
        }
    }

    fn applied_to(self, mut base: PathMap<Fingerprint>) -> PathMap<Fingerprint> {
        for path in &self.missing {
            base.remove(path);
        }
        base.extend(self.differ);
        base
    }
}

/// The fingerprint of each file the traces' jobs wrote: a file two jobs
/// name (none should) is left out, whichever order the jobs come in.
fn traced_outputs(traces: &Traces) -> PathMap<Fingerprint> {
    let mut outputs = PathMap::default();
    let mut twice = Vec::new();
    for (path, fingerprint) in traces.jobs.values().flat_map(|t| &t.outputs) {
        if outputs.insert(path.clone(), *fingerprint).is_some() {
            twice.push(path);
        }
    }
    for path in twice {
        outputs.remove(path);
    }
    outputs
}

pub fn path(root: &Path) -> PathBuf {
    root.join(DIR).join(FILE)
}

/// What a cache must have been made with to be used: this command (its
/// version, and its executable's size and date, which tell two builds of
/// one version apart), the configuration files and the build's options.
pub fn key(options: &BuildOptions, output: &Path) -> String {
    let exe = executable();
    let mut config = Vec::new();
    let root = &options.root;
    let config_file = root.join(crate::config::config_file_name(root));
    config.extend(std::fs::read(&config_file).unwrap_or_default());
    // A theme's manifest adds to the configuration.
    if let Ok(entries) = std::fs::read_dir(root.join("themes")) {
        let mut manifests: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path().join("theme.toml"))
            .filter(|p| p.is_file())
            .collect();
        manifests.sort();
        for manifest in manifests {
            // Named from the root: the same site reached by another path
            // keeps its cache.
            let name = manifest.strip_prefix(root).unwrap_or(&manifest);
            config.extend(name.to_string_lossy().as_bytes());
            config.extend(std::fs::read(&manifest).unwrap_or_default());
        }
    }
    format!(
        "{exe}; configuration {:x}; base_url {:?}; drafts {}; output {}",
        fingerprint_bytes(&config),
        options.base_url,
        options.drafts,
        same_folder(output).display()
    )
}

/// One spelling of `path` however it was given (relative, through a link,
/// with `..`): the folder itself when it exists, else the absolute path.
pub(crate) fn same_folder(path: &Path) -> PathBuf {
    std::fs::canonicalize(path)
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf())
}

/// Which build of the command runs: its version, size and modification
/// time. What it saved under [`DIR`] is read back only by the same build
/// (fingerprints and saved entries are its own).
pub fn executable() -> String {
    let identity = std::env::current_exe()
        .and_then(std::fs::metadata)
        .map(|m| {
            let modified = m
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            format!("{}:{modified}", m.len())
        })
        .unwrap_or_default();
    format!("maillage {} ({identity})", env!("CARGO_PKG_VERSION"))
}

/// The cache of the site at `root` when it was made for `key`; a missing
/// cache gives `None` quietly, an unreadable or foreign one with a note.
pub fn load(root: &Path, key: &str) -> Option<BuildCache> {
    let file = path(root);
    let text = match std::fs::read(&file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return None,
        Err(e) => {
            eprintln!("note: {DIR}/{FILE} cannot be read ({e}): everything is rendered");
            return None;
        }
    };
    // A cache of another version may not even have this one's shape: its
    // key alone says so.
    #[derive(Deserialize)]
    struct KeyOnly {
        key: String,
    }
    let parsed = serde_json::from_slice::<Saved>(&text).map_err(|e| {
        match serde_json::from_slice::<KeyOnly>(&text) {
            Ok(other) if other.key != key => None,
            _ => Some(e),
        }
    });
    match parsed {
        Ok(saved) if saved.key == key => {
            let output = saved.output.applied_to(traced_outputs(&saved.traces));
            Some(BuildCache {
                spare: saved
                    .spare
                    .map(|changes| changes.applied_to(output.clone())),
                key: saved.key,
                traces: saved.traces,
                output,
                output_written: saved.output_written,
                output_digest: saved.output_digest,
                spare_written: saved.spare_written,
                spare_digest: saved.spare_digest,
            })
        }
        Ok(_) | Err(None) => {
            eprintln!(
                "note: {DIR}/{FILE} was made by another version of maillage or for another \
                 configuration: everything is rendered"
            );
            None
        }
        Err(Some(e)) => {
            eprintln!("note: {DIR}/{FILE} is damaged ({e}): everything is rendered");
            None
        }
    }
}

/// Removes everything a build keeps for the next one (the build cache,
/// the last build's record, the data files' saved entries; not the local
/// store, which `.maillage/` holds too): the next build starts cold.
pub fn forget_all(root: &Path) {
    forget(root);
    let _ = std::fs::remove_dir_all(root.join(DIR).join(SAVED_DATA));
}

/// Where the network's data files' entries are saved between builds.
pub const SAVED_DATA: &str = "data";

/// Removes the cache, and the record of the last build, before a build
/// writes anything.
pub fn forget(root: &Path) {
    unchanged::forget(root);
    let _ = std::fs::remove_file(path(root));
}

/// Saves a cache [`encode`]d.
pub fn save(root: &Path, encoded: &[u8]) -> std::io::Result<()> {
    replace_file(&path(root), encoded)
}

/// Writes a file of the cache's folder aside, then renames it over the old
/// one: a reader finds the old file or the new one. Not flushed to disk: a
/// file lost in a crash costs the next build time, not a result.
pub(crate) fn replace_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let partial = dir.join(format!("{name}.{}", std::process::id()));
    std::fs::write(&partial, bytes)?;
    std::fs::rename(&partial, path)
}

/// `cache` as it is saved: JSON ([`Saved`]), its large fields written in
/// parallel (the build waits for the cache before it ends).
pub fn encode(cache: &BuildCache) -> std::io::Result<Vec<u8>> {
    let BuildCache {
        key,
        traces,
        output,
        output_written,
        output_digest,
        spare,
        spare_written,
        spare_digest,
    } = cache;
    let ((traces, output), spare) = rayon::join(
        || {
            rayon::join(
                || serde_json::to_vec(traces),
                || serde_json::to_vec(&Changes::between(&traced_outputs(traces), output)),
            )
        },
        || {
            let changes = spare.as_ref().map(|spare| Changes::between(output, spare));
            serde_json::to_vec(&changes)
        },
    );
    let (traces, output, spare) = (traces?, output?, spare?);
    let mut json = Vec::with_capacity(traces.len() + output.len() + spare.len() + key.len() + 64);
    json.extend_from_slice(b"{\"key\":");
    serde_json::to_writer(&mut json, key)?;
    let output_written = serde_json::to_vec(output_written)?;
    let output_digest = serde_json::to_vec(output_digest)?;
    let spare_written = serde_json::to_vec(spare_written)?;
    let spare_digest = serde_json::to_vec(spare_digest)?;
    for (name, value) in [
        ("traces", traces),
        ("output", output),
        ("output_written", output_written),
        ("output_digest", output_digest),
        ("spare", spare),
        ("spare_written", spare_written),
        ("spare_digest", spare_digest),
    ] {
        json.extend_from_slice(format!(",\"{name}\":").as_bytes());
        json.extend_from_slice(&value);
    }
    json.push(b'}');
    Ok(json)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::trace::Trace;

    #[test]
    fn a_saved_cache_reads_back_the_same() {
        // The output is saved as its differences from the traces' outputs:
        // one the same, one with another fingerprint, one the output does
        // not have, one two jobs name, and the output's own files.
        let mut traces = Traces::default();
        let outputs = |files: &[(&str, Fingerprint)]| {
            files.iter().map(|&(p, f)| (p.to_string(), f)).collect()
        };
        traces.jobs.insert(
            "page:a".into(),
            Trace {
                calls: vec![0, 1, 2, 7],
                outputs: outputs(&[("a/index.html", 12), ("d/index.html", 5)]),
                ..Trace::default()
            },
        );
        traces.jobs.insert(
            "page:b".into(),
            Trace {
                outputs: outputs(&[("b/index.html", 7)]),
                ..Trace::default()
            },
        );
        traces.jobs.insert(
            "page:c".into(),
            Trace {
                outputs: outputs(&[("a/index.html", 99)]),
                ..Trace::default()
            },
        );
        let output = PathMap::from_iter([
            ("a/index.html".to_string(), 12),
            ("b/index.html".to_string(), 13),
            ("c.css".to_string(), 14),
        ]);
        let spares = [
            None,
            Some(output.clone()),
            Some(PathMap::default()),
            Some(PathMap::from_iter([
                ("a/index.html".to_string(), 12),
                ("b/index.html".to_string(), 99),
                ("gone.html".to_string(), 1),
            ])),
        ];
        let root = tempfile::tempdir().unwrap();
        for spare in spares {
            let cache = BuildCache {
                key: "maillage \"x\"".into(),
                traces: Traces {
                    calls: Vec::new(),
                    jobs: traces.jobs.clone(),
                },
                output: output.clone(),
                output_written: Some(1_765_000_000_123_456_789),
                output_digest: Some(u64::MAX - 3),
                spare: spare.clone(),
                spare_written: spare.as_ref().map(|_| 1_764_000_000_000_000_001),
                spare_digest: spare.as_ref().map(|_| 17),
            };
            save(root.path(), &encode(&cache).unwrap()).unwrap();
            let back = load(root.path(), &cache.key).unwrap();
            assert_eq!(back.key, cache.key);
            assert_eq!(back.output, output);
            assert_eq!(back.spare, spare);
            assert_eq!(back.output_written, cache.output_written);
            assert_eq!(back.spare_written, cache.spare_written);
            assert_eq!(back.output_digest, cache.output_digest);
            assert_eq!(back.spare_digest, cache.spare_digest);
            assert_eq!(back.traces.jobs["page:a"].calls, vec![0, 1, 2, 7]);
        }
    }
}
