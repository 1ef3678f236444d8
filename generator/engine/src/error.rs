//! The one error type every loader and renderer reports with.
//!
//! A [`Diagnostic`] names the file, the line and column when they are known,
//! the field at fault and what was expected. Loading and rendering collect
//! every diagnostic they find, so a build reports all problems at once.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem found in the site's sources.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Diagnostic {
    /// The file at fault, relative to the site root when possible.
    pub file: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when it makes sense.
    pub column: Option<usize>,
    /// The front matter key, config key or data field at fault.
    pub field: Option<String>,
    /// What is wrong and what was expected.
    pub message: String,
    /// For a template's problem: the pages (or other outputs) being
    /// rendered when it showed. (A boxed slice keeps results that carry a
    /// diagnostic small.)
    pub rendering: Box<[String]>,
}

impl Diagnostic {
    pub fn new(file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            file: file.into(),
            line: None,
            column: None,
            field: None,
            message: message.into(),
            rendering: Box::default(),
        }
    }

    /// Notes what was being rendered when the problem showed.
    pub fn rendering(mut self, what: impl Into<String>) -> Self {
        let mut all = std::mem::take(&mut self.rendering).into_vec();
        all.push(what.into());
        self.rendering = all.into_boxed_slice();
        self
    }

    /// The same problem, whatever was being rendered.
    fn same_problem(&self, other: &Diagnostic) -> bool {
        (
            &self.file,
            self.line,
            self.column,
            &self.field,
            &self.message,
        ) == (
            &other.file,
            other.line,
            other.column,
            &other.field,
            &other.message,
        )
    }

    pub fn at(mut self, line: usize, column: Option<usize>) -> Self {
        self.line = Some(line);
        self.column = column;
        self
    }

    pub fn line(mut self, line: Option<usize>) -> Self {
        self.line = line;
        self
    }

    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    /// Rewrites the file path relative to `root` when it lies under it.
    pub fn relative_to(mut self, root: &Path) -> Self {
        if let Ok(rel) = self.file.strip_prefix(root) {
            self.file = rel.to_path_buf();
        }
        self
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
            if let Some(column) = self.column {
                write!(f, ":{column}")?;
            }
        }
        write!(f, ": ")?;
        if let Some(field) = &self.field {
            write!(f, "`{field}`: ")?;
        }
        write!(f, "{}", self.message)?;
        match &*self.rendering {
            [] => Ok(()),
            [one] => write!(f, " (rendering {one})"),
            [first, ..] => write!(f, " — in {} pages, first: {first}", self.rendering.len()),
        }
    }
}

/// Where something of the site comes from, for messages about it: a file
/// and a place in it, or a part of the site that no one file holds (the
/// site map, a list built from the data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// Relative to the site root.
    pub file: Option<PathBuf>,
    pub at: At,
    /// What it is: `the page`, "alias `/a/`", "meetup `x`".
    pub what: String,
}

/// Where in its file a [`Source`] is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum At {
    /// Somewhere in the file, or the file as a whole.
    File,
    Line(usize),
    /// A line found when a message needs it (an entry of a data file,
    /// whose lines are found by scanning the file).
    Found(LineFinder),
    /// A front matter key of a content file, and one of its values; the
    /// line is found when a message needs it.
    Key {
        key: String,
        value: Option<String>,
    },
}

/// Finds a [`Source`]'s line when a message needs it. Two finders are
/// equal when they are the same finder.
#[derive(Clone)]
pub struct LineFinder(std::sync::Arc<dyn Fn() -> Option<usize> + Send + Sync>);

impl LineFinder {
    pub fn new(find: impl Fn() -> Option<usize> + Send + Sync + 'static) -> Self {
        LineFinder(std::sync::Arc::new(find))
    }
}

impl std::fmt::Debug for LineFinder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LineFinder")
    }
}

impl PartialEq for LineFinder {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for LineFinder {}

impl Source {
    /// A file, at a line when known.
    pub fn file(file: impl Into<PathBuf>, line: Option<usize>, what: impl Into<String>) -> Self {
        Source {
            file: Some(file.into()),
            at: line.map_or(At::File, At::Line),
            what: what.into(),
        }
    }

    /// A front matter key of a content file (and one of its values).
    pub fn key(
        file: impl Into<PathBuf>,
        key: impl Into<String>,
        value: Option<&str>,
        what: impl Into<String>,
    ) -> Self {
        Source {
            file: Some(file.into()),
            at: At::Key {
                key: key.into(),
                value: value.map(str::to_string),
            },
            what: what.into(),
        }
    }

    /// A file, at a line found when a message needs it.
    pub fn file_at(file: impl Into<PathBuf>, line: LineFinder, what: impl Into<String>) -> Self {
        Source {
            file: Some(file.into()),
            at: At::Found(line),
            what: what.into(),
        }
    }

    /// A part of the site that no one file holds.
    pub fn part(what: impl Into<String>) -> Self {
        Source {
            file: None,
            at: At::File,
            what: what.into(),
        }
    }

    /// The line of the source in its file, reading the file (under `root`)
    /// for a front matter key.
    pub fn line(&self, root: &Path) -> Option<usize> {
        match (&self.at, &self.file) {
            (At::Line(line), _) => Some(*line),
            (At::Found(find), _) => (find.0)(),
            (At::Key { key, value }, Some(file)) => {
                let text = crate::files::read_text(&root.join(file)).ok()?;
                crate::content::front_matter::key_line(&text, key, value.as_deref())
            }
            _ => None,
        }
    }

    /// `content/a.md:3 (alias `/a/`)`, or what it is when it has no file.
    pub fn describe(&self, root: &Path) -> String {
        match &self.file {
            Some(file) => match self.line(root) {
                Some(line) => format!("{}:{line} ({})", file.display(), self.what),
                None => format!("{} ({})", file.display(), self.what),
            },
            None => self.what.clone(),
        }
    }

    /// A problem located at this source; named by what it is when it has
    /// no file.
    pub fn diagnostic(&self, root: &Path, message: impl Into<String>) -> Diagnostic {
        let mut d = Diagnostic::new(
            self.file
                .clone()
                .unwrap_or_else(|| PathBuf::from(&self.what)),
            message,
        )
        .line(self.line(root));
        if let At::Key { key, .. } = &self.at {
            d = d.field(key.clone());
        }
        d
    }
}

/// Every problem a step found, and notes on what could not be checked
/// because of them. Never empty when returned as an error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>, Vec<String>);

impl Diagnostics {
    pub fn new() -> Self {
        Diagnostics::default()
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.0.extend(other.0);
        self.1.extend(other.1);
    }

    /// Says what was left unchecked (a stage skipped), after the problems.
    pub fn note(&mut self, note: impl Into<String>) {
        self.1.push(note.into());
    }

    pub fn notes(&self) -> &[String] {
        &self.1
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// `Ok(value)` when nothing was reported; otherwise the diagnostics,
    /// sorted, each problem once: the same problem met while rendering
    /// several pages is one diagnostic that names them all.
    pub fn into_result<T>(mut self, value: T) -> Result<T> {
        if self.0.is_empty() {
            return Ok(value);
        }
        self.0.sort();
        let mut grouped: Vec<(Diagnostic, Vec<String>)> = Vec::with_capacity(self.0.len());
        for mut d in std::mem::take(&mut self.0) {
            let rendering = std::mem::take(&mut d.rendering).into_vec();
            match grouped.last_mut() {
                Some((last, pages)) if last.same_problem(&d) => pages.extend(rendering),
                _ => grouped.push((d, rendering)),
            }
        }
        let grouped: Vec<Diagnostic> = grouped
            .into_iter()
            .map(|(mut d, mut pages)| {
                pages.sort();
                pages.dedup();
                d.rendering = pages.into_boxed_slice();
                d
            })
            .collect();
        self.0 = grouped;
        self.1.dedup();
        Err(self)
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics(vec![d], Vec::new())
    }
}

impl From<Vec<Diagnostic>> for Diagnostics {
    fn from(list: Vec<Diagnostic>) -> Self {
        Diagnostics(list, Vec::new())
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "error: {d}")?;
        }
        for note in &self.1 {
            write!(f, "\nnote: {note}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

pub type Result<T> = std::result::Result<T, Diagnostics>;

/// 1-based line and column (in bytes) of a byte offset in `text`, for one
/// position: it reads the text up to the offset. Use [`LineIndex`] to
/// locate many positions in one text.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    LineIndex::new(&text[..floor_char_boundary(text, offset)]).line_col(offset)
}

/// Where each line of a text starts: built once in linear time, it turns
/// any byte offset into a line and column in logarithmic time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineIndex {
    /// Byte offset of the start of each line; the first is 0.
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = Vec::with_capacity(text.len() / 32 + 1);
        starts.push(0);
        starts.extend(
            text.bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'\n')
                .map(|(i, _)| i + 1),
        );
        LineIndex {
            starts,
            len: text.len(),
        }
    }

    /// Number of lines (a final newline does not start one more).
    pub fn line_count(&self) -> usize {
        match self.starts.last() {
            Some(&last) if last == self.len && self.starts.len() > 1 => self.starts.len() - 1,
            _ if self.len == 0 => 0,
            _ => self.starts.len(),
        }
    }

    /// Byte offset where 0-based line `i` starts.
    pub fn line_start(&self, i: usize) -> usize {
        self.starts.get(i).copied().unwrap_or(self.len)
    }

    /// 1-based line of a byte offset (offsets past the end are on the last line).
    pub fn line(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&start| start <= offset.min(self.len))
    }

    /// 1-based line and column (in bytes) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.len);
        let line = self.line(offset);
        (line, offset - self.starts[line - 1] + 1)
    }
}

/// The largest char boundary of `text` at or below `offset`.
fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// Flattens a Tera error chain into one line, keeping every cause.
pub fn tera_message(err: &tera::Error) -> String {
    use std::error::Error as _;
    let mut message = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_file_line_field() {
        let d = Diagnostic::new("content/a.md", "expected a date")
            .at(3, Some(8))
            .field("date");
        assert_eq!(d.to_string(), "content/a.md:3:8: `date`: expected a date");
    }

    #[test]
    fn the_same_problem_in_many_pages_is_reported_once() {
        let mut all = Diagnostics::new();
        for page in [
            "content/b.md",
            "content/a.md",
            "content/c.md",
            "content/a.md",
        ] {
            all.push(
                Diagnostic::new("templates/page.html", "variable `x` not found").rendering(page),
            );
        }
        all.push(Diagnostic::new("templates/page.html", "other").rendering("content/d.md"));
        let err = all.into_result(()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "error: templates/page.html: other (rendering content/d.md)\n\
             error: templates/page.html: variable `x` not found — in 3 pages, first: content/a.md"
        );
    }

    #[test]
    fn computes_line_and_column() {
        assert_eq!(line_col("ab\ncd\nef", 4), (2, 2));
        assert_eq!(line_col("ab", 0), (1, 1));
        assert_eq!(line_col("ab\n", 3), (2, 1));
        assert_eq!(line_col("ab", 9), (1, 3));
    }

    #[test]
    fn line_index_agrees_with_a_count_of_newlines() {
        let text = "un\n\ndeux é\ntrois\n";
        let index = LineIndex::new(text);
        for offset in 0..=text.len() + 2 {
            let before = &text.as_bytes()[..offset.min(text.len())];
            let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
            let start = before
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            assert_eq!(
                index.line_col(offset),
                (line, offset.min(text.len()) - start + 1),
                "offset {offset}"
            );
        }
        assert_eq!(index.line_count(), 4);
        assert_eq!(LineIndex::new("").line_count(), 0);
        assert_eq!(LineIndex::new("a").line_count(), 1);
        assert_eq!(index.line_start(2), 4);
    }
}
