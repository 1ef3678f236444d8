//! A data file's text and where its entries and keys are, for errors.
//!
//! `serde_yaml` gives values without positions, so the loader parses the
//! file into a `serde_yaml::Value` and this module finds lines by scanning
//! the text: each top-level `- ` item is an entry, and a field path such as
//! `registration.closes` or `wanted[1]` is followed down the indentation.
//! The scan only runs when a problem is reported. Flow-style values
//! (`contact: { name: ... }`) resolve to the line of their key.

use std::path::PathBuf;

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::error::{Diagnostic, LineIndex};

/// One data file, kept for locating problems.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the site root, `/`-separated: `data/places/bretagne.yaml`.
    pub path: PathBuf,
    text: String,
    /// How many entries the parser read, when known: a scan that finds
    /// another number is not trusted ([`SourceFile::expect_entries`]).
    expected: Option<usize>,
    /// Its lines and entries, scanned on first use: most files read have
    /// no problem to locate, and a build from saved entries splits none.
    scan: OnceLock<Scan>,
}

#[derive(Debug, Clone)]
struct Scan {
    lines: LineIndex,
    /// `(first line, end line)` (0-based, end excluded) of each entry.
    entries: Vec<(usize, usize)>,
    /// The line of each top-level key of each entry, found on the first
    /// problem of the entry: an entry with thousands of problems is read
    /// once, not once for each.
    keys: Vec<OnceLock<HashMap<String, usize>>>,
}

impl SourceFile {
    /// A data file's text. Every YAML line break (`\r\n`, `\r`, and NEL,
    /// LS and PS, which YAML 1.1 also reads as line breaks) is made `\n`,
    /// which YAML reads the same: lines are then counted here as the
    /// parser counts them.
    pub fn new(path: PathBuf, text: String) -> SourceFile {
        SourceFile {
            path,
            text: yaml_line_breaks(text),
            expected: None,
            scan: OnceLock::new(),
        }
    }

    fn scan(&self) -> &Scan {
        self.scan.get_or_init(|| {
            let lines = LineIndex::new(&self.text);
            let mut entries = find_entries(&self.text, &lines);
            if self.expected.is_some_and(|count| count != entries.len()) {
                entries.clear();
            }
            let keys = entries.iter().map(|_| OnceLock::new()).collect();
            Scan {
                lines,
                entries,
                keys,
            }
        })
    }

    fn entries(&self) -> &[(usize, usize)] {
        &self.scan().entries
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    fn lines(&self) -> &LineIndex {
        &self.scan().lines
    }

    fn line_count(&self) -> usize {
        self.lines().line_count()
    }

    fn line(&self, i: usize) -> &str {
        line_text(&self.text, self.lines(), i)
    }

    /// Number of top-level list items found by scanning.
    pub fn entry_count(&self) -> usize {
        self.entries().len()
    }

    /// The text before the first entry and the text of each entry, when the
    /// file is a block list at the left margin whose every line after an
    /// entry's first is indented, blank or a comment: each entry's text is
    /// then a YAML list of that one entry, read alone as within the file.
    /// `None` for any other shape (a flow list, a list indented, a line
    /// at the margin that is not an item: `---`, `...`, a directive).
    pub fn block_entries(&self) -> Option<(&str, Vec<&str>)> {
        let (entries, lines) = (self.entries(), self.lines());
        let &(first, _) = entries.first()?;
        if indentation(self.line(first)) != 0
            || self.text[lines.line_start(first)..].starts_with('[')
        {
            return None;
        }
        let mut texts = Vec::with_capacity(entries.len());
        for &(start, end) in entries {
            let at_margin = (start + 1..end).any(|i| {
                let line = self.line(i);
                indentation(line) == 0 && content_of(line).is_some()
            });
            if at_margin {
                return None;
            }
            texts.push(&self.text[lines.line_start(start)..lines.line_start(end)]);
        }
        Some((&self.text[..lines.line_start(first)], texts))
    }

    /// Forgets the entries found by the scan when the parser read another
    /// number of them (a structure the scan does not follow): their lines
    /// would be wrong. Problems are then located at the list's first line,
    /// by their entry's number.
    pub fn expect_entries(&mut self, count: usize) {
        self.expected = Some(count);
        if let Some(scan) = self.scan.get_mut().filter(|s| s.entries.len() != count) {
            scan.entries.clear();
            scan.keys.clear();
        }
    }

    /// 1-based line of the file's first line that is not blank or a comment.
    fn first_line(&self) -> usize {
        (0..self.line_count())
            .find(|&i| content_of(self.line(i)).is_some())
            .map_or(1, |i| i + 1)
    }

    /// 1-based line of entry `entry`'s first line.
    pub fn entry_line(&self, entry: usize) -> Option<usize> {
        self.entries().get(entry).map(|(start, _)| start + 1)
    }

    /// 1-based line of `field` (`name`, `registration.closes`, `wanted[1]`)
    /// in entry `entry`; the deepest part found, or the entry's first line.
    pub fn field_line(&self, entry: usize, field: &str) -> Option<usize> {
        let &(start, end) = self.entries().get(entry)?;
        let mut found = start;
        // The block to search: lines [from, to) whose keys sit at `key_indent`.
        let first = self.line(start);
        let mut key_indent = item_key_indent(first);
        let mut from = start;
        let mut to = end;
        let mut first_is_item = true;
        if content_of(first).is_some_and(|c| c == "-") {
            // `-` alone: the keys start on the next line.
            first_is_item = false;
            from = start + 1;
            key_indent = self.next_indent(from, to).unwrap_or(key_indent);
        }
        for (depth, part) in split_path(field).into_iter().enumerate() {
            let hit = match part {
                PathPart::Key(key) if depth == 0 => self.scan().keys[entry]
                    .get_or_init(|| self.key_lines(from, to, key_indent, first_is_item))
                    .get(key)
                    .copied(),
                PathPart::Key(key) => self.find_key(from, to, key_indent, key, first_is_item),
                PathPart::Index(index) => self.find_item(from, to, key_indent, index),
            };
            let Some(line) = hit else { break };
            found = line;
            // Descend: the block after the hit, up to the next line at or
            // below the hit's indentation.
            let hit_text = self.line(line);
            let hit_indent = if first_is_item && line == start {
                key_indent
            } else {
                indentation(hit_text)
            };
            let block_end = (line + 1..to)
                .find(|&i| {
                    let l = self.line(i);
                    content_of(l).is_some() && indentation(l) <= hit_indent
                })
                .unwrap_or(to);
            match part {
                PathPart::Index(_) => {
                    // `- key: value` items: keys continue after the dash.
                    from = line;
                    to = block_end;
                    key_indent = item_key_indent(hit_text);
                    first_is_item = true;
                }
                PathPart::Key(_) => {
                    from = line + 1;
                    to = block_end;
                    first_is_item = false;
                    key_indent = self.next_indent(from, to).unwrap_or(usize::MAX);
                }
            }
        }
        Some(found + 1)
    }

    /// Indentation of the first line with content in `[from, to)`.
    fn next_indent(&self, from: usize, to: usize) -> Option<usize> {
        (from..to).find_map(|i| {
            let l = self.line(i);
            content_of(l).map(|_| indentation(l))
        })
    }

    /// The line of each key at `key_indent` in lines `[from, to)`, the
    /// first one kept when a key repeats.
    fn key_lines(
        &self,
        from: usize,
        to: usize,
        key_indent: usize,
        first_is_item: bool,
    ) -> HashMap<String, usize> {
        let mut lines = HashMap::new();
        for i in from..to {
            let line = self.line(i);
            let text = if first_is_item && i == from {
                line.get(key_indent..).unwrap_or("")
            } else if indentation(line) == key_indent {
                line.trim_start()
            } else {
                continue;
            };
            if let Some(key) = key_of(text) {
                lines.entry(key.to_string()).or_insert(i);
            }
        }
        lines
    }

    fn find_key(
        &self,
        from: usize,
        to: usize,
        key_indent: usize,
        key: &str,
        first_is_item: bool,
    ) -> Option<usize> {
        (from..to).find(|&i| {
            let line = self.line(i);
            let text = if first_is_item && i == from {
                // `- key: value`: the key follows the dash.
                line.get(key_indent..).unwrap_or("")
            } else {
                if indentation(line) != key_indent {
                    return false;
                }
                line.trim_start()
            };
            starts_with_key(text, key)
        })
    }

    fn find_item(&self, from: usize, to: usize, indent: usize, index: usize) -> Option<usize> {
        (from..to)
            .filter(|&i| {
                let line = self.line(i);
                indentation(line) == indent
                    && content_of(line).is_some_and(|c| c == "-" || c.starts_with("- "))
            })
            .nth(index)
    }

    /// A diagnostic about `field` of entry `entry`.
    pub fn diagnostic(&self, entry: usize, field: &str, message: impl Into<String>) -> Diagnostic {
        let mut d = Diagnostic::new(self.path.clone(), message);
        d.line = if field.is_empty() {
            self.entry_line(entry)
        } else {
            self.field_line(entry, field)
        };
        if d.line.is_none() {
            d.line = Some(self.first_line());
            d.message
                .push_str(&format!(" (entry {} of the list)", entry + 1));
        }
        if !field.is_empty() {
            d.field = Some(field.to_string());
        }
        d
    }

    /// `file:line` of an entry (or `file`, entry N), for messages that
    /// point at another entry.
    pub fn location(&self, entry: usize) -> String {
        match self.entry_line(entry) {
            Some(line) => format!("{}:{line}", self.path.display()),
            None => format!("{} (entry {})", self.path.display(), entry + 1),
        }
    }
}

/// Line `i` (0-based) of `text`, without its line break.
fn line_text<'a>(text: &'a str, lines: &LineIndex, i: usize) -> &'a str {
    let (start, end) = (lines.line_start(i), lines.line_start(i + 1));
    text[start..end].trim_end_matches(['\n', '\r'])
}

/// Top-level `- ` items: lines at the indentation of the first one;
/// or the items of a flow list (`[{...}, {...}]`).
fn find_entries(text: &str, lines: &LineIndex) -> Vec<(usize, usize)> {
    let n = lines.line_count();
    let first = (0..n).find_map(|i| content_of(line_text(text, lines, i)));
    if first.is_some_and(|c| c.starts_with('[')) {
        return flow_entries(text, lines);
    }
    let mut starts = Vec::new();
    let mut indent = None;
    for i in 0..n {
        let line = line_text(text, lines, i);
        let Some(content) = content_of(line) else {
            continue;
        };
        let this = indentation(line);
        let is_item = content == "-" || content.starts_with("- ");
        match indent {
            None if is_item => {
                indent = Some(this);
                starts.push(i);
            }
            None => return Vec::new(),
            Some(ind) if this == ind && is_item => starts.push(i),
            // Something left of the list that is not an item: the file
            // is not a plain block list; give up on lines.
            Some(ind) if this < ind && !content.starts_with("---") => return Vec::new(),
            _ => {}
        }
    }
    let mut entries = Vec::with_capacity(starts.len());
    for (k, &start) in starts.iter().enumerate() {
        let end = starts.get(k + 1).copied().unwrap_or(n);
        entries.push((start, end));
    }
    entries
}

/// The items of a file that is one flow list: each from the line it
/// starts on to the next one's (its fields are then found at its
/// first line: keys are looked for in block style only).
fn flow_entries(text: &str, lines: &LineIndex) -> Vec<(usize, usize)> {
    let n = lines.line_count();
    let text = text.as_bytes();
    let mut starts: Vec<usize> = Vec::new();
    let mut depth = 0usize;
    let mut item_next = false;
    let mut i = 0;
    while i < text.len() {
        let b = text[i];
        let blank = matches!(b, b' ' | b'\t' | b'\r' | b'\n');
        if depth == 1 && item_next && !blank && !matches!(b, b']' | b'#') {
            starts.push(lines.line(i) - 1);
            item_next = false;
        }
        match b {
            b'"' | b'\'' => {
                i = maillage_engine::nesting::quoted_end(text, i);
                continue;
            }
            b'#' if i == 0 || matches!(text[i - 1], b' ' | b'\t' | b'\n') => {
                while i < text.len() && text[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'[' | b'{' => {
                depth += 1;
                item_next = depth == 1;
            }
            b']' | b'}' => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    break;
                }
            }
            b',' if depth == 1 => item_next = true,
            _ => {}
        }
        i += 1;
    }
    starts
        .iter()
        .enumerate()
        .map(|(k, &start)| {
            let next = starts.get(k + 1).copied().unwrap_or(n);
            (start, next.max(start + 1))
        })
        .collect()
}

fn yaml_line_breaks(text: String) -> String {
    const OTHER_BREAKS: [char; 4] = ['\r', '\u{85}', '\u{2028}', '\u{2029}'];
    if !text.contains(OTHER_BREAKS) {
        return text;
    }
    text.replace("\r\n", "\n").replace(OTHER_BREAKS, "\n")
}

enum PathPart<'a> {
    Key(&'a str),
    Index(usize),
}

/// `registration.closes` → [registration, closes]; `wanted[1]` → [wanted, 1].
fn split_path(field: &str) -> Vec<PathPart<'_>> {
    let mut parts = Vec::new();
    for segment in field.split('.') {
        let (key, rest) = match segment.find('[') {
            Some(i) => (&segment[..i], &segment[i..]),
            None => (segment, ""),
        };
        if !key.is_empty() {
            parts.push(PathPart::Key(key));
        }
        for index in rest.split('[').filter(|s| !s.is_empty()) {
            if let Ok(n) = index.trim_end_matches(']').parse() {
                parts.push(PathPart::Index(n));
            }
        }
    }
    parts
}

fn indentation(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// The line without indentation, or `None` for blank and comment lines.
fn content_of(line: &str) -> Option<&str> {
    let t = line.trim();
    (!t.is_empty() && !t.starts_with('#')).then_some(t)
}

/// Column where the keys of a `- key: value` item start.
fn item_key_indent(line: &str) -> usize {
    let indent = indentation(line);
    let after_dash = &line[indent..];
    let rest = after_dash.strip_prefix('-').unwrap_or(after_dash);
    indent + 1 + (rest.len() - rest.trim_start_matches(' ').len())
}

/// The key a `key: value` line starts with (the key possibly quoted).
fn key_of(text: &str) -> Option<&str> {
    let ends_key = |after: &str| {
        let after = after.trim_start_matches(' ');
        after == ":" || after.starts_with(": ") || after.starts_with(":\t")
    };
    for quote in ['"', '\''] {
        if let Some(rest) = text.strip_prefix(quote) {
            let end = rest.find(quote)?;
            return ends_key(&rest[end + 1..]).then(|| &rest[..end]);
        }
    }
    text.match_indices(':')
        .map(|(at, _)| at)
        .find(|&at| ends_key(&text[at..]))
        .map(|at| text[..at].trim_end_matches(' '))
}

/// Whether `text` starts with `key:` (the key possibly quoted).
fn starts_with_key(text: &str, key: &str) -> bool {
    for quote in ["", "\"", "'"] {
        if let Some(rest) = text
            .strip_prefix(quote)
            .and_then(|t| t.strip_prefix(key))
            .and_then(|t| t.strip_prefix(quote))
        {
            let rest = rest.trim_start_matches(' ');
            if rest == ":" || rest.starts_with(": ") || rest.starts_with(":\t") {
                return true;
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "\
# comment
- id: a
  name: A
  registration:
    opens: 2026-10-01T09:00
    closes: 2026-10-02T09:00
  wanted:
    - facilitator
    - speaker
  contact: { name: X }
  description: |
    - not an item
    name: not a key

-
  id: b
  \"name\": B
  links:
    - label: one
      url: https://a.example
    - label: two
      url: ftp://b.example
";

    fn file() -> SourceFile {
        SourceFile::new("data/x.yaml".into(), TEXT.to_string())
    }

    #[test]
    fn finds_entries() {
        let f = file();
        assert_eq!(f.entry_count(), 2);
        assert_eq!(f.entry_line(0), Some(2));
        assert_eq!(f.entry_line(1), Some(15));
    }

    #[test]
    fn finds_nested_fields() {
        let f = file();
        assert_eq!(f.field_line(0, "id"), Some(2));
        assert_eq!(f.field_line(0, "name"), Some(3));
        assert_eq!(f.field_line(0, "registration.closes"), Some(6));
        assert_eq!(f.field_line(0, "wanted[1]"), Some(9));
        assert_eq!(f.field_line(0, "contact.name"), Some(10));
        assert_eq!(f.field_line(0, "missing"), Some(2));
        assert_eq!(f.field_line(1, "id"), Some(16));
        assert_eq!(f.field_line(1, "name"), Some(17));
        assert_eq!(f.field_line(1, "links[1].url"), Some(22));
        assert_eq!(f.field_line(1, "links[0].label"), Some(19));
    }

    #[test]
    fn finds_the_items_of_a_flow_list() {
        let f = SourceFile::new(
            "data/x.yaml".into(),
            "# liste\n[{id: a, name: \"x, ] }\"},\n  {id: b}, {id: c,\n  name: d}\n]\n".into(),
        );
        assert_eq!(f.entry_count(), 3);
        assert_eq!(f.entry_line(0), Some(2));
        assert_eq!(f.entry_line(1), Some(3));
        assert_eq!(f.entry_line(2), Some(3));
        assert_eq!(f.field_line(2, "name"), Some(3));
    }

    #[test]
    fn lines_are_counted_as_yaml_counts_them() {
        let f = SourceFile::new(
            "data/x.yaml".into(),
            "- id: a\r- id: b\r\n  name: c\u{2028}- id: d\n".into(),
        );
        assert_eq!(f.text(), "- id: a\n- id: b\n  name: c\n- id: d\n");
        assert_eq!(f.entry_line(2), Some(4));
    }

    #[test]
    fn entries_the_scan_cannot_follow_are_located_by_number() {
        let mut f = SourceFile::new("data/x.yaml".into(), "# x\n!!seq\n- a\n- b\n".into());
        f.expect_entries(3);
        let d = f.diagnostic(1, "name", "missing field `name`");
        assert_eq!(
            d.to_string(),
            "data/x.yaml:2: `name`: missing field `name` (entry 2 of the list)"
        );
        assert_eq!(f.location(1), "data/x.yaml (entry 2)");
    }

    #[test]
    fn gives_up_on_non_lists() {
        let f = SourceFile::new("data/x.yaml".into(), "a: 1\nb: 2\n".into());
        assert_eq!(f.entry_count(), 0);
    }
}
