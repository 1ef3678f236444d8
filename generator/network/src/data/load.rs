//! Finds the data files, reads and parses them in parallel, and gathers
//! the entries of each kind in a stable order (file path, then position).

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use maillage_engine::render::trace::{fingerprint_bytes, Fingerprint};
use maillage_model::proposal::ACCEPTED_MEETUPS_PATH;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use serde_yaml::Value;

use super::entries;
use super::model::*;
use super::reader::{describe, Fields};
use super::source::SourceFile;
use super::{DataSet, Kind};
use crate::error::{Diagnostic, Diagnostics};

/// The entries one file gave.
#[derive(Clone, Serialize, Deserialize)]
enum Parsed {
    Regions(Vec<Region>),
    Places(Vec<Place>),
    Partners(Vec<Partner>),
    Modules(Vec<Module>),
    Series(Vec<Series>),
    Meetups(Vec<Meetup>),
}

struct FileResult {
    file: SourceFile,
    parsed: Parsed,
    /// Ids of entries that could not be read: references to them are not
    /// reported again as unknown.
    broken_ids: Vec<String>,
    problems: Vec<Diagnostic>,
}

/// What a file's text gave.
#[derive(Clone)]
struct Reading {
    /// The fingerprint of the text it was read from.
    text: Fingerprint,
    /// That text, when the reading is kept in memory: the next text of
    /// the file is compared with it entry by entry, and only the entries
    /// that changed are parsed again ([`reparse_changed_entries`]).
    source: Option<Arc<SourceFile>>,
    /// The number of entries the YAML parser found, when it parsed the
    /// file (see [`SourceFile::expect_entries`]).
    items: Option<usize>,
    parsed: Parsed,
    broken_ids: Vec<String>,
    problems: Vec<Diagnostic>,
}

impl Reading {
    fn of(text: Fingerprint, result: &FileResult, items: Option<usize>) -> Reading {
        Reading {
            text,
            source: Some(Arc::new(result.file.clone())),
            items,
            parsed: result.parsed.clone(),
            broken_ids: result.broken_ids.clone(),
            problems: result.problems.clone(),
        }
    }

    /// Read without problems (only such readings are saved).
    fn is_clean(&self) -> bool {
        self.problems.is_empty() && self.broken_ids.is_empty()
    }

    /// The file's result again, for its text `text`, its entries now the
    /// entries of file `index` (a file added before it moves it).
    fn result(&self, rel: PathBuf, text: String, index: u32) -> FileResult {
        Reading {
            source: None,
            parsed: self.parsed.clone(),
            broken_ids: self.broken_ids.clone(),
            problems: self.problems.clone(),
            ..*self
        }
        .into_result(rel, text, index)
    }

    /// [`Reading::result`], taking the entries rather than copying them.
    fn into_result(self, rel: PathBuf, text: String, index: u32) -> FileResult {
        let mut file = SourceFile::new(rel, text);
        if let Some(items) = self.items {
            file.expect_entries(items);
        }
        let mut parsed = self.parsed;
        parsed.set_file(index);
        FileResult {
            file,
            parsed,
            broken_ids: self.broken_ids,
            problems: self.problems,
        }
    }
}

/// A file's entries as saved under `.maillage/data/`: only files read
/// without problems are saved (diagnostics are not), each by the build of
/// the command that read it. Written from borrowed entries, read back
/// owned.
#[derive(Serialize, Deserialize)]
struct Saved<'a> {
    command: Cow<'a, str>,
    text: Fingerprint,
    items: Option<usize>,
    parsed: Cow<'a, Parsed>,
}

/// Where the entries of data files are saved between builds: deleting it
/// only makes the next build parse every file.
const SAVED_DIR: &str = maillage_engine::cache::SAVED_DATA;

/// The saved entries of the data file `rel`.
fn saved_path(root: &Path, rel: &Path) -> PathBuf {
    let name = rel.to_string_lossy().replace(['/', '\\'], "--");
    root.join(maillage_engine::cache::DIR)
        .join(SAVED_DIR)
        .join(format!("{name}.json"))
}

/// What each data file gave when last read, so that a file whose text is
/// unchanged is not parsed again: a region's meetups are tens of
/// thousands of lines, and an edit changes one file. Files read without
/// problems are also saved under `.maillage/data/` for the next build;
/// a process that reads `data/` again and again (the local server, at
/// each edit) keeps them in memory too.
#[derive(Default)]
pub struct FilesRead {
    /// Kept in memory, by path.
    memory: Option<Mutex<HashMap<PathBuf, Arc<Reading>>>>,
    /// Saved under `.maillage/data/` and read back from there, by this
    /// build of the command ([`maillage_engine::cache::executable`]).
    saving_as: Option<String>,
    /// How many files were parsed, wholly or in part, since made.
    parsed: AtomicUsize,
    /// How many entries were parsed alone, in files parsed in part.
    entries_parsed: AtomicUsize,
    /// The saves under way on threads of their own.
    saving: Mutex<Vec<std::thread::JoinHandle<()>>>,
}

impl FilesRead {
    /// Every file parsed, nothing kept: for commands that read `data/`
    /// once and write nothing.
    pub fn parsing() -> FilesRead {
        FilesRead::default()
    }

    /// Files read back from `.maillage/data/` when unchanged: a build.
    pub fn saved() -> FilesRead {
        FilesRead {
            saving_as: Some(maillage_engine::cache::executable()),
            ..FilesRead::default()
        }
    }

    /// Files kept in memory too: the local server.
    pub fn in_memory() -> FilesRead {
        FilesRead {
            memory: Some(Mutex::default()),
            ..FilesRead::saved()
        }
    }

    /// Waits for the files read to be saved.
    pub fn finish_saving(&self) {
        let under_way = std::mem::take(&mut *self.saving.lock().unwrap_or_else(|e| e.into_inner()));
        for saving in under_way {
            let _ = saving.join();
        }
    }

    /// How many files were parsed, wholly or in part, since made.
    pub fn parsed(&self) -> usize {
        self.parsed.load(Ordering::Relaxed)
    }

    /// How many entries were parsed alone (their file's other entries
    /// unchanged), since made.
    pub fn entries_parsed(&self) -> usize {
        self.entries_parsed.load(Ordering::Relaxed)
    }

    /// The meetups of the data file at `path` (absolute) read again, as
    /// file `index` of a load, with its new text; only the entries that
    /// changed are parsed when its last reading is kept in memory. `None`
    /// when it is not a file of meetups, or has problems: a whole load
    /// then reports them.
    pub fn meetups_read_again(
        &self,
        root: &Path,
        path: &Path,
        index: usize,
    ) -> Option<(SourceFile, Vec<Meetup>)> {
        if !files_of(root, Kind::Meetups).0.iter().any(|p| p == path) {
            return None;
        }
        let result = self.read(root, Kind::Meetups, path, u32::try_from(index).ok()?);
        if !result.problems.is_empty() || !result.broken_ids.is_empty() {
            return None;
        }
        match result.parsed {
            Parsed::Meetups(meetups) => Some((result.file, meetups)),
            _ => None,
        }
    }

    fn read(&self, root: &Path, kind: Kind, path: &Path, index: u32) -> FileResult {
        let rel = relative(root, path);
        let text = match maillage_engine::files::read_text(path) {
            Ok(t) => t,
            Err(e) => {
                let problem = Diagnostic::new(rel.clone(), format!("cannot read the file: {e}"));
                return unread(SourceFile::new(rel, String::new()), kind, problem);
            }
        };
        let fingerprint = fingerprint_bytes(text.as_bytes());
        let last = self.last_reading(path);
        if let Some(reading) = last.as_ref().filter(|r| r.text == fingerprint) {
            return reading.result(rel, text, index);
        }
        let saved = saved_path(root, &rel);
        let command = self.saving_as.as_deref();
        // A clean reading in memory was saved too: the saved entries are
        // of that text, not of this one.
        let saved_may_match = last.as_ref().is_none_or(|r| !r.is_clean());
        if let Some(reading) = command
            .filter(|_| saved_may_match)
            .and_then(|c| read_saved(&saved, fingerprint, c))
        {
            if self.memory.is_none() {
                return reading.into_result(rel, text, index);
            }
            let result = reading.result(rel, text, index);
            self.remember(path, || Reading {
                source: Some(Arc::new(result.file.clone())),
                ..reading
            });
            return result;
        }
        self.parsed.fetch_add(1, Ordering::Relaxed);
        let (result, items) = match last
            .as_ref()
            .and_then(|last| reparse_changed_entries(last, kind, &rel, &text, index))
        {
            Some((result, items, parsed)) => {
                self.entries_parsed.fetch_add(parsed, Ordering::Relaxed);
                (result, items)
            }
            None => parse_file(rel, kind, text, index),
        };
        let kept = self.remember(path, || Reading::of(fingerprint, &result, items));
        let clean = result.problems.is_empty() && result.broken_ids.is_empty();
        match (command, clean, kept) {
            // A process that keeps its readings saves them on the side: an
            // edit shows without waiting for the disk.
            (Some(command), true, Some(kept)) => {
                let command = command.to_string();
                let saving = std::thread::spawn(move || {
                    save(&saved, &command, fingerprint, items, &kept.parsed)
                });
                let mut under_way = self.saving.lock().unwrap_or_else(|e| e.into_inner());
                under_way.retain(|s| !s.is_finished());
                under_way.push(saving);
            }
            (Some(command), true, None) => {
                save(&saved, command, fingerprint, items, &result.parsed)
            }
            _ => {}
        }
        result
    }

    /// The reading of the file's last text kept in memory, if any.
    fn last_reading(&self, path: &Path) -> Option<Arc<Reading>> {
        let memory = self.memory.as_ref()?;
        let files = memory.lock().unwrap_or_else(|e| e.into_inner());
        files.get(path).cloned()
    }

    /// Keeps the reading `make` gives, when readings are kept in memory
    /// (only then is it made: a reading copies every entry), and returns it.
    fn remember(&self, path: &Path, make: impl FnOnce() -> Reading) -> Option<Arc<Reading>> {
        let memory = self.memory.as_ref()?;
        let reading = Arc::new(make());
        let mut files = memory.lock().unwrap_or_else(|e| e.into_inner());
        files.insert(path.to_path_buf(), reading.clone());
        Some(reading)
    }

    /// Forgets the files that are no longer read, in memory and saved.
    fn keep_only(&self, root: &Path, paths: &[&Path]) {
        if let Some(memory) = &self.memory {
            let mut files = memory.lock().unwrap_or_else(|e| e.into_inner());
            files.retain(|path, _| paths.contains(&path.as_path()));
        }
        if self.saving_as.is_none() {
            return;
        }
        let kept: Vec<PathBuf> = paths
            .iter()
            .map(|p| saved_path(root, &relative(root, p)))
            .collect();
        let dir = root.join(maillage_engine::cache::DIR).join(SAVED_DIR);
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            // Only saved entries: a save under way writes a temporary file.
            let saved = entry.path().extension().is_some_and(|e| e == "json");
            if saved && !kept.contains(&entry.path()) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

/// The entries saved for a file whose text has fingerprint `text`, when
/// `command` (this build of the command) saved them.
fn read_saved(saved: &Path, text: Fingerprint, command: &str) -> Option<Reading> {
    let bytes = std::fs::read(saved).ok()?;
    let saved: Saved = serde_json::from_slice(&bytes).ok()?;
    (saved.text == text && saved.command == command).then(|| Reading {
        text,
        source: None,
        items: saved.items,
        parsed: saved.parsed.into_owned(),
        broken_ids: Vec::new(),
        problems: Vec::new(),
    })
}

/// Saves a file's entries; a file that cannot be written is parsed again
/// next time, nothing more.
fn save(saved: &Path, command: &str, text: Fingerprint, items: Option<usize>, parsed: &Parsed) {
    let entries = Saved {
        command: Cow::Borrowed(command),
        text,
        items,
        parsed: Cow::Borrowed(parsed),
    };
    if let Ok(json) = serde_json::to_string(&entries) {
        let _ = maillage_engine::files::write_atomically(saved, &json);
    }
}

/// Whether the site has domain data (places or meetups) at all.
pub fn has_data(root: &Path) -> bool {
    let data = root.join("data");
    ["places", "meetups"]
        .iter()
        .any(|k| data.join(format!("{k}.yaml")).is_file() || data.join(k).is_dir())
}

/// `data/<kind>.yaml` (or `.yml`) and every YAML file under `data/<kind>/`,
/// sorted, with the folders that could not be read; for meetups, then the
/// accepted proposals `maillage export` wrote ([`ACCEPTED_MEETUPS_PATH`]),
/// read and validated as any meetup file.
fn files_of(root: &Path, kind: Kind) -> (Vec<PathBuf>, Vec<Diagnostic>) {
    let data = root.join("data");
    let mut files = Vec::new();
    for ext in ["yaml", "yml"] {
        let single = data.join(format!("{}.{ext}", kind.name()));
        if single.is_file() {
            files.push(single);
        }
    }
    let dir = data.join(kind.name());
    let mut problems = Vec::new();
    if dir.is_dir() {
        let (mut nested, walk_problems) = maillage_engine::files::walk(&dir, root, false);
        nested.retain(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"));
        nested.sort();
        files.extend(nested);
        problems = walk_problems;
    }
    let accepted = root.join(ACCEPTED_MEETUPS_PATH);
    if kind == Kind::Meetups && accepted.is_file() {
        files.push(accepted);
    }
    (files, problems)
}

fn relative(root: &Path, path: &Path) -> PathBuf {
    let rel = path.strip_prefix(root).unwrap_or(path);
    PathBuf::from(rel.to_string_lossy().replace('\\', "/"))
}

/// Reads every data file; the problems found in entries come back with the
/// data so that cross-checks can still run and report everything at once.
pub(super) fn read_all(root: &Path, files_read: &FilesRead) -> (DataSet, Diagnostics) {
    let mut problems = Diagnostics::new();
    let mut jobs: Vec<(Kind, PathBuf)> = Vec::new();
    for kind in Kind::ALL {
        let (files, walk_problems) = files_of(root, kind);
        jobs.extend(files.into_iter().map(|p| (kind, p)));
        problems.0.extend(walk_problems);
    }
    // The largest files first, so that no long file is parsed alone at the
    // end; the results are then put back in the files' order.
    let mut order: Vec<(u64, usize)> = jobs
        .iter()
        .enumerate()
        .map(|(index, (_, path))| (std::fs::metadata(path).map_or(0, |m| m.len()), index))
        .collect();
    order.sort_unstable_by(|a, b| b.cmp(a));
    let mut results: Vec<(usize, FileResult)> = order
        .par_iter()
        .map(|&(_, index)| {
            let (kind, path) = &jobs[index];
            (index, files_read.read(root, *kind, path, index as u32))
        })
        .collect();
    let paths: Vec<&Path> = jobs.iter().map(|(_, p)| p.as_path()).collect();
    files_read.keep_only(root, &paths);
    results.sort_unstable_by_key(|(index, _)| *index);
    let results = results.into_iter().map(|(_, result)| result);
    let mut data = DataSet::default();
    for result in results {
        problems.0.extend(result.problems);
        data.broken_ids.extend(
            result
                .broken_ids
                .into_iter()
                .map(|id| (kind_of(&result.parsed), id)),
        );
        match result.parsed {
            Parsed::Regions(v) => data.regions.extend(v),
            Parsed::Places(v) => data.places.extend(v),
            Parsed::Partners(v) => data.partners.extend(v),
            Parsed::Modules(v) => data.modules.extend(v),
            Parsed::Series(v) => data.series.extend(v),
            Parsed::Meetups(v) => data.meetups.extend(v.into_iter().map(Arc::new)),
        }
        data.files.push(Arc::new(result.file));
    }
    (data, problems)
}

impl Parsed {
    fn len(&self) -> usize {
        match self {
            Parsed::Regions(v) => v.len(),
            Parsed::Places(v) => v.len(),
            Parsed::Partners(v) => v.len(),
            Parsed::Modules(v) => v.len(),
            Parsed::Series(v) => v.len(),
            Parsed::Meetups(v) => v.len(),
        }
    }

    /// Entry `i` alone, its origin naming file `index`.
    fn entry(&self, i: usize, index: u32) -> Parsed {
        let mut one = match self {
            Parsed::Regions(v) => Parsed::Regions(vec![v[i].clone()]),
            Parsed::Places(v) => Parsed::Places(vec![v[i].clone()]),
            Parsed::Partners(v) => Parsed::Partners(vec![v[i].clone()]),
            Parsed::Modules(v) => Parsed::Modules(vec![v[i].clone()]),
            Parsed::Series(v) => Parsed::Series(vec![v[i].clone()]),
            Parsed::Meetups(v) => Parsed::Meetups(vec![v[i].clone()]),
        };
        one.set_file(index);
        one
    }

    /// Makes every entry's origin name file `index`.
    fn set_file(&mut self, index: u32) {
        fn set<'a>(origins: impl Iterator<Item = &'a mut Origin>, index: u32) {
            origins.for_each(|o| o.file = index);
        }
        match self {
            Parsed::Regions(v) => set(v.iter_mut().map(|e| &mut e.origin), index),
            Parsed::Places(v) => set(v.iter_mut().map(|e| &mut e.origin), index),
            Parsed::Partners(v) => set(v.iter_mut().map(|e| &mut e.origin), index),
            Parsed::Modules(v) => set(v.iter_mut().map(|e| &mut e.origin), index),
            Parsed::Series(v) => set(v.iter_mut().map(|e| &mut e.origin), index),
            Parsed::Meetups(v) => set(v.iter_mut().map(|e| &mut e.origin), index),
        }
    }
}

fn kind_of(parsed: &Parsed) -> Kind {
    match parsed {
        Parsed::Regions(_) => Kind::Regions,
        Parsed::Places(_) => Kind::Places,
        Parsed::Partners(_) => Kind::Partners,
        Parsed::Modules(_) => Kind::Modules,
        Parsed::Series(_) => Kind::Series,
        Parsed::Meetups(_) => Kind::Meetups,
    }
}

fn empty(kind: Kind) -> Parsed {
    match kind {
        Kind::Regions => Parsed::Regions(Vec::new()),
        Kind::Places => Parsed::Places(Vec::new()),
        Kind::Partners => Parsed::Partners(Vec::new()),
        Kind::Modules => Parsed::Modules(Vec::new()),
        Kind::Series => Parsed::Series(Vec::new()),
        Kind::Meetups => Parsed::Meetups(Vec::new()),
    }
}

/// A file that gives no entries, and why.
fn unread(file: SourceFile, kind: Kind, problem: Diagnostic) -> FileResult {
    FileResult {
        file,
        parsed: empty(kind),
        broken_ids: Vec::new(),
        problems: vec![problem],
    }
}

/// The entries of a data file's `text`, and how many the YAML parser
/// found (none when it could not parse the file).
fn parse_file(rel: PathBuf, kind: Kind, text: String, index: u32) -> (FileResult, Option<usize>) {
    let mut file = SourceFile::new(rel.clone(), text);
    if let Some((line, column)) = maillage_engine::nesting::too_deep_yaml(file.text()) {
        let problem = Diagnostic::new(rel, maillage_engine::nesting::too_deep_message())
            .at(line, Some(column));
        return (unread(file, kind, problem), None);
    }
    let value: Value =
        match parse_by_chunks(&file).map_or_else(|| serde_yaml::from_str(file.text()), Ok) {
            Ok(v) => v,
            Err(e) => {
                let mut problem = Diagnostic::new(rel, format!("invalid YAML: {e}"));
                problem = match e.location() {
                    Some(loc) => problem.at(loc.line(), Some(loc.column())),
                    None => problem.line(Some(1)),
                };
                return (unread(file, kind, problem), None);
            }
        };
    let items: &[Value] = match &value {
        Value::Null => &[],
        Value::Sequence(items) => items,
        other => {
            let problem = Diagnostic::new(
                rel,
                format!(
                    "expected a list of {} (each entry starting with `- `), found {}",
                    kind.name(),
                    describe(other)
                ),
            )
            .line(Some(1));
            return (unread(file, kind, problem), None);
        }
    };
    file.expect_entries(items.len());
    // Entries are read in parallel too: a region's file of meetups is the
    // largest of all, and would otherwise be read alone at the end.
    let known = entries::known_fields(kind);
    let entries: Vec<EntryResult> = items
        .par_iter()
        .enumerate()
        .with_min_len(64)
        .map(|(i, item)| read_entry(kind, item, &file, i, index, known))
        .collect();
    let mut problems = Vec::new();
    let mut broken_ids = Vec::new();
    let mut parsed = empty(kind);
    for entry in entries {
        problems.extend(entry.problems);
        broken_ids.extend(entry.broken_id);
        if let Some(one) = entry.parsed {
            append(&mut parsed, one);
        }
    }
    let count = items.len();
    let result = FileResult {
        file,
        parsed,
        broken_ids,
        problems,
    };
    (result, Some(count))
}

/// Entries per chunk when a large file is read by chunks.
const ENTRIES_PER_CHUNK: usize = 256;

/// A large file's YAML read by chunks of entries side by side, when that
/// gives what reading it whole gives: a plain block list
/// ([`SourceFile::block_entries`]) with only comments before it, and no
/// anchor or alias, which may tie entries of two chunks. `None` otherwise,
/// or when a chunk cannot be read: the whole file is then read, and its
/// problems located in it. A region's file of meetups is the largest of
/// all, and would otherwise be read on one core while the other waits.
fn parse_by_chunks(file: &SourceFile) -> Option<Value> {
    let (head, entries) = file.block_entries()?;
    let text = file.text();
    let only_comments = head.lines().all(|l| {
        let l = l.trim_start();
        l.is_empty() || l.starts_with('#')
    });
    if entries.len() < 2 * ENTRIES_PER_CHUNK || !only_comments || may_tie_entries(text) {
        return None;
    }
    // The entries follow the head and one another in the text: a chunk
    // is the text of its entries, from where the one before ends.
    let mut start = head.len();
    let chunks: Vec<&str> = entries
        .chunks(ENTRIES_PER_CHUNK)
        .map(|c| {
            let end = start + c.iter().map(|e| e.len()).sum::<usize>();
            let chunk = &text[start..end];
            start = end;
            chunk
        })
        .collect();
    let items: Vec<Vec<Value>> = chunks
        .par_iter()
        .map(|chunk| match serde_yaml::from_str::<Value>(chunk) {
            Ok(Value::Sequence(items)) => Some(items),
            _ => None,
        })
        .collect::<Option<_>>()?;
    Some(Value::Sequence(items.concat()))
}

/// The entries of a file's new `text` read from `last`, the reading of
/// its previous text, parsing alone only the entries whose text changed:
/// an edit of one meetup in a region's file of thousands parses one. The
/// result is the one [`parse_file`] gives; with the number of entries
/// the parser found and of entries parsed. `None` when that cannot be
/// told so cheaply, and the file is to be parsed whole: the last reading
/// had problems, the entries are not the same number, either text is not
/// a plain block list ([`SourceFile::block_entries`]), or a changed entry
/// has an anchor or an alias (`&x`, `*x`), which may tie it to others.
fn reparse_changed_entries(
    last: &Reading,
    kind: Kind,
    rel: &Path,
    text: &str,
    index: u32,
) -> Option<(FileResult, Option<usize>, usize)> {
    let old_file = last.source.as_deref()?;
    let count = last.items?;
    if !last.is_clean() || last.parsed.len() != count {
        return None;
    }
    let mut file = SourceFile::new(rel.to_path_buf(), text.to_string());
    let (old_head, old_entries) = old_file.block_entries()?;
    let (head, entries) = file.block_entries()?;
    if head != old_head || entries.len() != count || old_entries.len() != count {
        return None;
    }
    if maillage_engine::nesting::too_deep_yaml(file.text()).is_some() {
        return None;
    }
    let changed: Vec<usize> = (0..count)
        .filter(|&i| entries[i] != old_entries[i])
        .collect();
    if changed
        .iter()
        .any(|&i| may_tie_entries(entries[i]) || may_tie_entries(old_entries[i]))
    {
        return None;
    }
    let known = entries::known_fields(kind);
    let mut read: HashMap<usize, EntryResult> = HashMap::with_capacity(changed.len());
    for &i in &changed {
        let item = match serde_yaml::from_str::<Value>(entries[i]) {
            Ok(Value::Sequence(mut items)) if items.len() == 1 => items.pop()?,
            _ => return None,
        };
        read.insert(i, read_entry(kind, &item, &file, i, index, known));
    }
    file.expect_entries(count);
    let mut parsed = empty(kind);
    let (mut problems, mut broken_ids) = (Vec::new(), Vec::new());
    for i in 0..count {
        match read.remove(&i) {
            Some(entry) => {
                problems.extend(entry.problems);
                broken_ids.extend(entry.broken_id);
                if let Some(one) = entry.parsed {
                    append(&mut parsed, one);
                }
            }
            None => append(&mut parsed, last.parsed.entry(i, index)),
        }
    }
    let result = FileResult {
        file,
        parsed,
        broken_ids,
        problems,
    };
    Some((result, Some(count), changed.len()))
}

/// Whether an entry's text may hold an anchor or an alias (`&name`,
/// `*name`): a `&` or `*` followed by a character other than a space
/// where a YAML node may start (a line's first character, after `- `,
/// `? ` or `: `, or in a flow collection after `[`, `{` or `,`). Text
/// such as `R&D` or `un *mot*` inside a value does not count; a line of
/// a block scalar starting with `*mot` does, and the file is then parsed
/// whole, which costs time, never correctness.
fn may_tie_entries(text: &str) -> bool {
    let bytes = text.as_bytes();
    (0..bytes.len().saturating_sub(1)).any(|j| {
        if !matches!(bytes[j], b'&' | b'*') || bytes[j + 1].is_ascii_whitespace() {
            return false;
        }
        let before = bytes[..j].iter().rposition(|&b| b != b' ' && b != b'\t');
        match before.map(|k| (k, bytes[k])) {
            None | Some((_, b'\n' | b'[' | b'{' | b',')) => true,
            Some((k, b':' | b'-' | b'?')) => k + 1 < j,
            _ => false,
        }
    })
}

/// One entry of a file, read.
struct EntryResult {
    /// The entry, when it was read without problems.
    parsed: Option<Parsed>,
    problems: Vec<Diagnostic>,
    /// Its id when it has problems, so that references to it are not
    /// reported as references to nothing.
    broken_id: Option<String>,
}

fn read_entry(
    kind: Kind,
    item: &Value,
    file: &SourceFile,
    i: usize,
    index: u32,
    known: &'static [&'static str],
) -> EntryResult {
    let origin = Origin {
        file: index,
        entry: i as u32,
    };
    let fields = match Fields::new(item, file, i, known) {
        Ok(f) => f,
        Err(d) => {
            return EntryResult {
                parsed: None,
                problems: vec![d],
                broken_id: None,
            }
        }
    };
    let mut problems = Vec::new();
    let mut parsed = empty(kind);
    let ok = match &mut parsed {
        Parsed::Regions(v) => push(v, entries::region(fields, origin), &mut problems),
        Parsed::Places(v) => push(v, entries::place(fields, origin), &mut problems),
        Parsed::Partners(v) => push(v, entries::partner(fields, origin), &mut problems),
        Parsed::Modules(v) => push(v, entries::module(fields, origin), &mut problems),
        Parsed::Series(v) => push(v, entries::series(fields, origin), &mut problems),
        Parsed::Meetups(v) => push(v, entries::meetup(fields, origin), &mut problems),
    };
    let key = if kind == Kind::Regions { "code" } else { "id" };
    let broken_id = if ok {
        None
    } else {
        item.get(key).and_then(Value::as_str).map(str::to_string)
    };
    EntryResult {
        parsed: ok.then_some(parsed),
        problems,
        broken_id,
    }
}

/// Appends the entries of `more` to `into`, both of one kind.
fn append(into: &mut Parsed, more: Parsed) {
    match (into, more) {
        (Parsed::Regions(a), Parsed::Regions(b)) => a.extend(b),
        (Parsed::Places(a), Parsed::Places(b)) => a.extend(b),
        (Parsed::Partners(a), Parsed::Partners(b)) => a.extend(b),
        (Parsed::Modules(a), Parsed::Modules(b)) => a.extend(b),
        (Parsed::Series(a), Parsed::Series(b)) => a.extend(b),
        (Parsed::Meetups(a), Parsed::Meetups(b)) => a.extend(b),
        _ => unreachable!("the entries of a file are of its kind"),
    }
}

/// Keeps the entry when it was read without problems.
fn push<T>(
    into: &mut Vec<T>,
    (entry, fields): (Option<T>, Fields<'_>),
    problems: &mut Vec<Diagnostic>,
) -> bool {
    let clean = fields.problems.is_empty();
    problems.extend(fields.problems);
    match entry {
        Some(e) if clean => {
            into.push(e);
            true
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::{read_all, FilesRead};

    fn fresh(root: &Path) -> String {
        summary(read_all(root, &FilesRead::parsing()))
    }
    use crate::data::DataSet;

    /// What a read gives, in a form two reads can be compared by.
    fn summary((data, problems): (DataSet, crate::error::Diagnostics)) -> String {
        let files: Vec<&Path> = data.files.iter().map(|f| f.path.as_path()).collect();
        format!(
            "{files:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{problems:?}",
            data.regions,
            data.places,
            data.partners,
            data.modules,
            data.series,
            data.meetups,
            {
                let mut broken: Vec<String> =
                    data.broken_ids.iter().map(|b| format!("{b:?}")).collect();
                broken.sort();
                broken
            },
        )
    }

    /// The demo's `data/` in a fresh folder `name` (with the process id)
    /// of the temporary folder: its root.
    fn demo_data_copy(name: &str) -> PathBuf {
        let demo = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data");
        let root = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        copy_dir(&demo, &root.join("data"));
        root
    }

    fn copy_dir(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap().flatten() {
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy_dir(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), target).unwrap();
            }
        }
    }

    /// Files read again through what was remembered (in memory, or saved
    /// by an earlier process) give what a fresh read gives, after an edit,
    /// a file added before the others (every later file's entries then
    /// name another file index), broken YAML and a file removed; and only
    /// the files that changed are parsed again.
    #[test]
    fn remembered_files_are_parsed_again_only_when_they_change() {
        let root = demo_data_copy("maillage-files-read");
        let first = fresh(&root);
        let in_memory = FilesRead::in_memory();
        assert_eq!(first, summary(read_all(&root, &in_memory)));
        in_memory.finish_saving();
        let files = in_memory.parsed();
        assert!(files > 10, "{files} files parsed");
        assert_eq!(first, summary(read_all(&root, &in_memory)));
        assert_eq!(
            in_memory.parsed(),
            files,
            "nothing changed, yet parsed again"
        );
        // Another process reads what this one saved.
        let saved = FilesRead::saved();
        assert_eq!(first, summary(read_all(&root, &saved)));
        assert_eq!(saved.parsed(), 0, "saved files parsed again");
        let meetups = root.join("data/meetups/culture-numerique.yaml");
        let text = std::fs::read_to_string(&meetups).unwrap();
        let edited = text.replacen("title: ", "title: Modifiée, ", 1);
        assert_ne!(edited, text);
        let places = root.join("data/places/a-ajouter.yaml");
        type Change<'a> = Box<dyn Fn() + 'a>;
        // How many files each change makes parse again.
        let changes: [(&str, Change, usize); 4] = [
            (
                "an edit",
                Box::new(|| std::fs::write(&meetups, &edited).unwrap()),
                1,
            ),
            (
                "a file added before the others",
                Box::new(|| {
                    let first = std::fs::read_dir(root.join("data/places"))
                        .unwrap()
                        .flatten()
                        .map(|e| e.path())
                        .min()
                        .unwrap();
                    let text = std::fs::read_to_string(first).unwrap();
                    std::fs::write(&places, text.replace("- id: ", "- id: autre-")).unwrap();
                }),
                1,
            ),
            (
                "broken YAML",
                Box::new(|| std::fs::write(&meetups, "- id: [\n").unwrap()),
                1,
            ),
            (
                "a file removed",
                Box::new(|| std::fs::remove_file(&places).unwrap()),
                0,
            ),
        ];
        for (what, change, parsed) in changes {
            change();
            let expected = fresh(&root);
            for (how, files_read) in [("in memory", &in_memory), ("saved", &FilesRead::saved())] {
                let before = files_read.parsed();
                assert_eq!(
                    summary(read_all(&root, files_read)),
                    expected,
                    "after {what}, read {how}"
                );
                files_read.finish_saving();
                // The saved reader comes after the one in memory: every
                // file is saved already, but the broken file (never saved,
                // and broken to the end).
                let expected_parsed = match how {
                    "saved" => usize::from(matches!(what, "broken YAML" | "a file removed")),
                    _ => parsed,
                };
                let now = files_read.parsed() - before;
                assert_eq!(
                    now, expected_parsed,
                    "after {what}, read {how}: {now} parsed"
                );
            }
        }
        std::fs::remove_dir_all(&root).unwrap();
    }

    /// A file kept in memory and edited is read as a fresh parse reads it,
    /// parsing alone only the entries whose text changed, with problems
    /// at the same lines; a change the entries cannot be told apart by
    /// (an anchor, an entry added, a document marker) parses the file whole.
    #[test]
    fn an_edit_parses_again_only_the_entries_it_changed() {
        let root = demo_data_copy("maillage-entries-read");
        let meetups = root.join("data/meetups/culture-numerique.yaml");
        let text = std::fs::read_to_string(&meetups).unwrap();
        let first = "  title: \"Culture numérique, rencontre de la semaine 1 à Rennes\"";
        let second = "  title: \"Culture numérique, rencontre de la semaine 3 à Rennes\"";
        assert!(text.contains(first) && text.contains(second));
        let edit = |from: &str, to: &str| {
            let edited = text.replacen(from, to, 1);
            assert_ne!(edited, text, "{from}");
            edited
        };
        // Each text of the file in turn, with how many files are parsed
        // and how many entries alone: those changed since the text before
        // (none when the file is parsed whole: after a text with problems,
        // or when a changed entry has an anchor).
        let steps: Vec<(&str, String, (usize, usize))> = vec![
            (
                "a title",
                edit(first, "  title: \"Un autre titre\""),
                (1, 1),
            ),
            (
                "two titles, one of them with lines more",
                text.replacen(first, "  title: >\n    Un titre\n    sur deux lignes", 1)
                    .replacen(second, "  title: Un troisième titre", 1),
                (1, 2),
            ),
            (
                "a field broken",
                edit("  capacity: 18", "  capacity: dix-huit"),
                (1, 2),
            ),
            ("back as it was", text.clone(), (1, 0)),
            (
                "emphasis in a value",
                edit(first, "  title: Un titre *en relief* & R&D"),
                (1, 1),
            ),
            (
                "an anchor",
                edit("  capacity: 18", "  capacity: &places 18"),
                (1, 0),
            ),
            ("back as it was", text.clone(), (1, 0)),
            (
                "an entry added",
                format!("{text}\n- id: en-plus\n  title: Une rencontre de plus\n"),
                (1, 0),
            ),
            (
                "a document marker",
                edit("  capacity: 18\n", "  capacity: 18\n---\n"),
                (1, 0),
            ),
        ];
        let in_memory = FilesRead::in_memory();
        assert_eq!(summary(read_all(&root, &in_memory)), fresh(&root));
        for (what, edited, expected) in steps {
            std::fs::write(&meetups, &edited).unwrap();
            let (files, entries) = (in_memory.parsed(), in_memory.entries_parsed());
            assert_eq!(
                summary(read_all(&root, &in_memory)),
                fresh(&root),
                "after {what}"
            );
            let parsed = (
                in_memory.parsed() - files,
                in_memory.entries_parsed() - entries,
            );
            assert_eq!(
                parsed, expected,
                "after {what}: (files, entries alone) parsed"
            );
        }
        std::fs::remove_dir_all(&root).unwrap();
    }

    /// What another build of the command saved is not read back.
    #[test]
    fn files_saved_by_another_build_of_the_command_are_parsed_again() {
        let root = demo_data_copy("maillage-files-saved");
        let saving = FilesRead::saved();
        read_all(&root, &saving);
        let dir = root
            .join(maillage_engine::cache::DIR)
            .join(super::SAVED_DIR);
        let mut count = 0;
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            let other = text.replacen(
                "\"command\":\"maillage ",
                "\"command\":\"maillage 0.0.0 ",
                1,
            );
            assert_ne!(other, text);
            std::fs::write(entry.path(), other).unwrap();
            count += 1;
        }
        let again = FilesRead::saved();
        assert_eq!(summary(read_all(&root, &again)), fresh(&root));
        assert_eq!(again.parsed(), count);
        std::fs::remove_dir_all(&root).unwrap();
    }

    /// A large file read by chunks gives what reading it whole gives; a
    /// file whose entries may be tied, or that is not a plain list, is
    /// read whole.
    #[test]
    fn a_large_file_read_by_chunks_is_read_as_whole() {
        use super::{parse_by_chunks, ENTRIES_PER_CHUNK};
        use crate::data::source::SourceFile;
        let entry = |i: usize| {
            format!(
                "- id: m{i}\n  title: \"Rencontre n°{i} : l'été\"\n  # note\n  tags: [a, \"b, c\"]\n  notes: |\n    ligne 1\n\n    ligne {i}\n\n"
            )
        };
        let count = 2 * ENTRIES_PER_CHUNK + 37;
        let body: String = (0..count).map(entry).collect();
        let file = |text: String| SourceFile::new("data/meetups/x.yaml".into(), text);
        let whole = |text: &str| serde_yaml::from_str::<serde_yaml::Value>(text).unwrap();
        let text = format!("# Les rencontres\n\n{body}");
        let chunked = parse_by_chunks(&file(text.clone())).expect("read by chunks");
        assert_eq!(chunked, whole(&text));
        assert_eq!(chunked.as_sequence().map(Vec::len), Some(count));
        for not_chunked in [
            format!("---\n{body}"),
            format!("{body}- &lieu id: x\n- *lieu\n"),
            (0..2 * ENTRIES_PER_CHUNK - 1).map(entry).collect(),
        ] {
            assert_eq!(parse_by_chunks(&file(not_chunked)), None);
        }
    }
}
