//! Where a meetup entry goes and how it is written: appended as text (the
//! file's comments and layout stay as they are), each write whole or not at
//! all (a temporary file renamed over the old one).

use std::path::{Path, PathBuf};

use maillage_network::data::{DataSet, Meetup, MeetupKind};

use super::entry::Belongs;
use crate::failure::{Failure, Outcome};

/// The file a new meetup goes to, relative to the site root: `--file` when
/// given; else the file of the latest meetup of the same module or series;
/// else `data/meetups.yaml` when it exists, or a file named after the module
/// or series in `data/meetups/` when that folder exists.
pub(super) fn target(
    root: &Path,
    data: &DataSet,
    belongs: &Belongs,
    file: Option<&Path>,
) -> Outcome<PathBuf> {
    if let Some(file) = file {
        let rel = file.strip_prefix(root).unwrap_or(file).to_path_buf();
        let text = rel.to_string_lossy().replace('\\', "/");
        let yaml = text.ends_with(".yaml") || text.ends_with(".yml");
        let meetups_file = text == "data/meetups.yaml"
            || text == "data/meetups.yml"
            || (text.starts_with("data/meetups/") && yaml && !text.contains("/../"));
        if !meetups_file {
            return Err(Failure::other(
                "--file",
                format!("{text:?} is not a meetups file: expected data/meetups.yaml or data/meetups/NAME.yaml"),
            ));
        }
        return Ok(rel);
    }
    let same = |meetup: &&std::sync::Arc<Meetup>| match (&meetup.kind, belongs) {
        (MeetupKind::Training { module, .. }, Belongs::Module { module: m, .. }) => module == m,
        (MeetupKind::Community { series }, Belongs::Series(s)) => series == s,
        _ => false,
    };
    if let Some(latest) = data.meetups.iter().filter(same).max_by_key(|m| m.start) {
        return Ok(data.files[latest.origin.file as usize].path.clone());
    }
    let single = Path::new("data/meetups.yaml");
    if root.join(single).is_file() || !root.join("data/meetups").is_dir() {
        return Ok(single.to_path_buf());
    }
    let name = match belongs {
        Belongs::Module { module, .. } => module,
        Belongs::Series(series) => series,
    };
    Ok(PathBuf::from(format!("data/meetups/{name}.yaml")))
}

/// The file's text before a change, to put back when the change does not
/// validate; `None` when the file did not exist.
pub(super) struct Previous {
    path: PathBuf,
    text: Option<String>,
}

impl Previous {
    pub(super) fn restore(self) -> Outcome<()> {
        match self.text {
            Some(text) => write_whole(&self.path, &text),
            None => std::fs::remove_file(&self.path)
                .map_err(|e| Failure::other(self.path.display().to_string(), e)),
        }
    }
}

/// Appends `entry` after the file's last line, a blank line between.
pub(super) fn append(path: &Path, entry: &str) -> Outcome<Previous> {
    let before = read_if_any(path)?;
    let mut text = before.clone().unwrap_or_default();
    if !text.trim().is_empty() {
        if !text.ends_with('\n') {
            text.push('\n');
        }
        if !text.ends_with("\n\n") {
            text.push('\n');
        }
    } else {
        text.clear();
    }
    text.push_str(entry);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| Failure::other(parent.display().to_string(), e))?;
    }
    write_whole(path, &text)?;
    Ok(Previous {
        path: path.to_path_buf(),
        text: before,
    })
}

/// Sets `field` (a key's hash: `report_key_sha256` of a meetup,
/// `coordinator_key_sha256` of a region) of the entry that starts on
/// 1-based line `entry_line` (and ends before `next_line`, if any): the
/// line is replaced where the entry has one, added after the entry's last
/// line otherwise.
pub(super) fn set_key_hash(
    path: &Path,
    entry_line: usize,
    next_line: Option<usize>,
    field: &str,
    sha256: &str,
) -> Outcome<Previous> {
    let before = read_if_any(path)?
        .ok_or_else(|| Failure::other(path.display().to_string(), "the file is gone"))?;
    let mut lines: Vec<String> = before.lines().map(str::to_string).collect();
    let first = entry_line - 1;
    let end = next_line.map_or(lines.len(), |n| n - 1).min(lines.len());
    let item = &lines[first];
    let dash = item.len() - item.trim_start().len();
    let after_dash = item[dash..].strip_prefix('-').unwrap_or("");
    let indent = dash + 1 + (after_dash.len() - after_dash.trim_start().len());
    let key_line = format!("{}{field}: {sha256}", " ".repeat(indent));
    let prefix = format!("{field}:");
    let existing = (first..end).find(|&i| {
        let line = &lines[i];
        let content = if i == first {
            &line[indent.min(line.len())..]
        } else {
            line.trim_start()
        };
        content.starts_with(&prefix)
    });
    match existing {
        Some(i) if i == first => {
            return Err(Failure::other(
                path.display().to_string(),
                format!("line {entry_line}: cannot rewrite an entry whose first key is `{field}`; move another key first"),
            ))
        }
        Some(i) => lines[i] = key_line,
        None => {
            let last = (first..end)
                .rev()
                .find(|&i| {
                    let t = lines[i].trim_start();
                    !t.is_empty() && !t.starts_with('#')
                })
                .unwrap_or(first);
            lines.insert(last + 1, key_line);
        }
    }
    let mut text = lines.join("\n");
    if before.ends_with('\n') {
        text.push('\n');
    }
    write_whole(path, &text)?;
    Ok(Previous {
        path: path.to_path_buf(),
        text: Some(before),
    })
}

fn read_if_any(path: &Path) -> Outcome<Option<String>> {
    match std::fs::read_to_string(path) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Failure::other(path.display().to_string(), e)),
    }
}

/// Writes `text` at `path` whole or not at all.
fn write_whole(path: &Path, text: &str) -> Outcome<()> {
    maillage_engine::files::write_atomically(path, text)
        .map_err(|e| Failure::other(path.display().to_string(), e))
}
