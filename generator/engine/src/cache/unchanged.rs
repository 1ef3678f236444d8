//! Whether a build may keep the last output without even loading the site:
//! every file the last build read is as it was, the clock is still within
//! the span for which the last output holds, and the output folder is the
//! one the last build put in place. `.maillage/last-build.json` records
//! what this takes; it is removed and written with the build cache.
//!
//! The files a build reads are the configuration, `content/`,
//! `templates/`, `static/`, `sass/`, the theme's own folders and manifest,
//! what each extension says it reads, and the files `load_data` read, as
//! the traces record them. An extension that depends on more than files,
//! or an output that read something that cannot be checked again (`now()`,
//! random numbers, images), leaves no record: the next build loads
//! everything.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::build::BuildOptions;
use crate::config::Config;
use crate::render::trace::{fingerprint_bytes, Fingerprint, Traces};
use crate::site::ClockSpan;

const FILE: &str = "last-build.json";

/// What the last build read and gave.
#[derive(Debug, Serialize, Deserialize)]
pub struct LastBuild {
    /// The build cache's key ([`super::key`]).
    pub key: String,
    /// The files read, by path relative to the site root.
    pub inputs: Vec<PathBuf>,
    /// Their fingerprint, paths and bytes.
    pub fingerprint: Fingerprint,
    /// The clock readings for which the output holds (`None`: any).
    pub clock: Option<ClockSpan>,
    /// The output folder put in place.
    pub output: FolderIdentity,
    /// The summary's counts, and the warnings, printed again.
    pub pages: usize,
    pub sections: usize,
    pub files: usize,
    pub warnings: Vec<String>,
}

/// Which folder a path names: a folder put in place by renaming has an
/// identity of its own, which a folder put there since would not share.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FolderIdentity {
    device: u64,
    inode: u64,
}

impl FolderIdentity {
    #[cfg(unix)]
    pub fn of(dir: &Path) -> Option<FolderIdentity> {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::symlink_metadata(dir).ok().filter(|m| m.is_dir())?;
        Some(FolderIdentity {
            device: meta.dev(),
            inode: meta.ino(),
        })
    }

    /// Elsewhere no identity is known, and every build loads the site.
    #[cfg(not(unix))]
    pub fn of(_dir: &Path) -> Option<FolderIdentity> {
        None
    }
}

fn path(root: &Path) -> PathBuf {
    root.join(super::DIR).join(FILE)
}

/// The files and folders the engine itself reads.
fn engine_inputs(root: &Path, config: &Config) -> Vec<PathBuf> {
    let mut inputs: Vec<PathBuf> = [
        crate::config::config_file_name(root),
        "content",
        "templates",
        "static",
        "sass",
    ]
    .iter()
    .map(PathBuf::from)
    .collect();
    if let Some(theme) = &config.theme {
        let theme = Path::new("themes").join(theme);
        for part in ["templates", "static", "sass", "theme.toml"] {
            inputs.push(theme.join(part));
        }
    }
    inputs
}

/// The files `load_data` read, as `traces` recorded its calls: each place
/// it looks for the path, whether a file is there or not (one appearing
/// there would be read instead).
fn function_inputs(traces: &Traces) -> Vec<PathBuf> {
    let mut inputs = Vec::new();
    for call in &traces.calls {
        // `get_hash` and `get_url` read static files only, inputs already.
        if call.function != "load_data" {
            continue;
        }
        let Ok(args) =
            serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(&call.args)
        else {
            continue;
        };
        let Some(path) = args.get("path").and_then(|p| p.as_str()) else {
            continue;
        };
        let Some(relative) = crate::files::resolve_within(path).filter(|p| !p.is_empty()) else {
            continue;
        };
        let relative: PathBuf = relative.iter().collect();
        for dir in ["", "content", "static"] {
            inputs.push(Path::new(dir).join(&relative));
        }
    }
    inputs
}

/// The fingerprint of `inputs` under `root`: every file's path and bytes
/// (links followed), in the order of their paths, and the absence of
/// those that are not there; with `keep_texts`, the content's Markdown
/// too ([`Preread`]).
fn fingerprint(
    root: &Path,
    inputs: &[PathBuf],
    keep_texts: bool,
) -> std::io::Result<(Fingerprint, Preread)> {
    let mut files: Vec<(String, Option<PathBuf>)> = Vec::new();
    for input in inputs {
        let full = root.join(input);
        if full.is_dir() {
            for entry in walkdir::WalkDir::new(&full).follow_links(true) {
                let entry = entry.map_err(std::io::Error::other)?;
                if entry.file_type().is_file() {
                    let name = entry.path().strip_prefix(root).unwrap_or(entry.path());
                    files.push((name.to_string_lossy().into_owned(), Some(entry.into_path())));
                }
            }
        } else if full.is_file() {
            files.push((input.to_string_lossy().into_owned(), Some(full)));
        } else {
            files.push((input.to_string_lossy().into_owned(), None));
        }
    }
    // In one order, whatever order the folders list them in.
    files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let prints = files
        .par_iter()
        .map(|(name, file)| {
            let bytes = match file {
                Some(file) => Some(std::fs::read(file)?),
                None => None,
            };
            let print = bytes.as_deref().map(fingerprint_bytes);
            let kept = bytes.filter(|_| keep_texts && Preread::keeps(name));
            Ok((name, print, kept))
        })
        .collect::<std::io::Result<Vec<_>>>()?;
    let mut all = Vec::with_capacity(prints.len() * 24);
    let mut preread = Preread::default();
    for ((name, print, kept), (_, file)) in prints.into_iter().zip(&files) {
        all.extend_from_slice(name.as_bytes());
        all.push(0);
        match print {
            Some(print) => all.extend_from_slice(&print.to_le_bytes()),
            None => all.push(0xff),
        }
        if let (Some(bytes), Some(file)) = (kept, file) {
            preread
                .texts
                .insert(file.clone(), std::sync::Mutex::new(Some(bytes)));
        }
    }
    Ok((fingerprint_bytes(&all), preread))
}

/// The bytes of the content's Markdown files as they were fingerprinted,
/// for the build to take rather than read them again: the pages it writes
/// are then made of the very bytes its record holds.
#[derive(Default)]
pub struct Preread {
    texts: std::collections::HashMap<PathBuf, std::sync::Mutex<Option<Vec<u8>>>>,
}

impl Preread {
    /// Only the Markdown of `content/`: the other inputs are few, or
    /// large files (images) not worth holding.
    fn keeps(name: &str) -> bool {
        name.starts_with("content/") && name.ends_with(".md")
    }

    /// The bytes of `path` (as the build's walk names it), once.
    pub fn take(&self, path: &Path) -> Option<Vec<u8>> {
        let slot = self.texts.get(path)?;
        slot.lock().unwrap_or_else(|e| e.into_inner()).take()
    }
}

/// The last build's record, when it was made for `key`.
pub fn load(root: &Path, key: &str) -> Option<LastBuild> {
    let text = std::fs::read(path(root)).ok()?;
    serde_json::from_slice::<LastBuild>(&text)
        .ok()
        .filter(|last| last.key == key)
}

/// What a build reads, as far as is known before it renders, with the
/// fingerprint those files had when it started.
pub struct Reading {
    pub inputs: Vec<PathBuf>,
    pub fingerprint: Fingerprint,
    /// The content's Markdown read meanwhile, for the build to take.
    pub preread: Preread,
}

/// What a build of `options` reads, as known before it renders (the
/// engine's inputs, the extensions', the files `load_data` read at the
/// `last` build), fingerprinted now: a file changed while the build runs
/// is seen by the next one. `None` when an extension depends on more than
/// files, or a file cannot be read.
pub fn before_build(
    options: &BuildOptions,
    config: &Config,
    last: Option<&LastBuild>,
) -> Option<Reading> {
    let mut inputs = engine_inputs(&options.root, config);
    for extension in &options.extensions {
        inputs.extend(extension.inputs(&options.root, config)?);
    }
    let inputs = merged(inputs, last.iter().flat_map(|l| l.inputs.iter().cloned()));
    let (fingerprint, preread) = fingerprint(&options.root, &inputs, true).ok()?;
    Some(Reading {
        inputs,
        fingerprint,
        preread,
    })
}

fn merged(mut inputs: Vec<PathBuf>, more: impl IntoIterator<Item = PathBuf>) -> Vec<PathBuf> {
    inputs.extend(more);
    inputs.sort();
    inputs.dedup();
    inputs
}

/// Whether a build that found `reading` may keep `last`'s output: the same
/// files with the same fingerprint, the clock in its span, its output
/// folder in place.
pub fn still_holds(last: &LastBuild, reading: &Reading, output: &Path) -> bool {
    last.inputs == reading.inputs
        && last.fingerprint == reading.fingerprint
        && last
            .clock
            .is_none_or(|span| span.contains(maillage_model::clock::now()))
        && FolderIdentity::of(output) == Some(last.output)
}

/// The record of a build made for `key` that gave `site`'s output in
/// `output`, having found `reading` when it started; `None` when a later
/// build cannot rely on it (an output read something that cannot be
/// checked again, or the folder has no identity).
pub fn record(
    key: String,
    site: &crate::build::Site,
    traces: &Traces,
    reading: Reading,
    summary: &crate::build::BuildSummary,
    output: &Path,
) -> Option<LastBuild> {
    if traces.jobs.values().any(|t| t.volatile) {
        return None;
    }
    let functions = function_inputs(traces);
    let Reading {
        mut inputs,
        mut fingerprint,
        ..
    } = reading;
    if functions.iter().any(|f| inputs.binary_search(f).is_err()) {
        // Files the templates read by path that the build did not know of
        // when it started: fingerprinted now.
        inputs = merged(inputs, functions);
        fingerprint = self::fingerprint(&site.root, &inputs, false).ok()?.0;
    }
    Some(LastBuild {
        key,
        inputs,
        fingerprint,
        clock: site.contribution.clock_span,
        output: FolderIdentity::of(output)?,
        pages: summary.pages,
        sections: summary.sections,
        files: summary.files,
        warnings: site
            .contribution
            .warnings
            .iter()
            .map(|w| w.to_string())
            .collect(),
    })
}

pub fn save(root: &Path, last: &LastBuild) -> std::io::Result<()> {
    let text = serde_json::to_string(last).map_err(std::io::Error::other)?;
    crate::files::write_atomically(&path(root), &text)
}

pub fn forget(root: &Path) {
    let _ = std::fs::remove_file(path(root));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The build takes the content's Markdown as it was fingerprinted,
    /// once; it is read again only for files the fingerprint did not keep.
    #[test]
    fn the_fingerprint_keeps_the_contents_markdown_for_the_build() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for (file, text) in [
            ("content/_index.md", "+++\n+++\naccueil"),
            ("content/blog/a.md", "+++\ntitle = \"A\"\n+++\n"),
            ("content/blog/photo.png", "png"),
            ("templates/page.md", "not content"),
            ("config.toml", "title = \"x\""),
        ] {
            std::fs::create_dir_all(root.join(file).parent().unwrap()).unwrap();
            std::fs::write(root.join(file), text).unwrap();
        }
        let inputs: Vec<PathBuf> = ["config.toml", "content", "templates"]
            .iter()
            .map(PathBuf::from)
            .collect();
        let (print, preread) = fingerprint(root, &inputs, true).unwrap();
        let (same, nothing) = fingerprint(root, &inputs, false).unwrap();
        assert_eq!(print, same);
        assert!(nothing.texts.is_empty());
        let page = root.join("content/blog/a.md");
        assert_eq!(preread.take(&page).unwrap(), b"+++\ntitle = \"A\"\n+++\n");
        assert_eq!(preread.take(&page), None, "taken once");
        assert!(preread.take(&root.join("content/_index.md")).is_some());
        for kept_out in ["content/blog/photo.png", "templates/page.md", "config.toml"] {
            assert_eq!(preread.take(&root.join(kept_out)), None, "{kept_out}");
        }
    }
}
