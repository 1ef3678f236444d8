//! Loads `content/`: sections (`_index.md`), pages, co-located assets.
//!
//! Loading reads and parses every file in parallel and computes paths and
//! permalinks; Markdown is rendered later, once every permalink is known.

pub mod front_matter;
mod loader;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, FixedOffset};
use serde::Serialize;

pub use front_matter::{InsertAnchor, PageFrontMatter, SectionFrontMatter, SortBy};
pub use loader::{load_content, load_one, permalinks, LoadedContent};

/// A heading of a page's table of contents, with Zola's fields.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Heading {
    pub level: u32,
    pub id: String,
    pub permalink: String,
    pub title: String,
    pub children: Vec<Heading>,
}

/// Where a content file is and what its name says.
#[derive(Debug, Clone, Default)]
pub struct FileInfo {
    /// Absolute path of the Markdown file.
    pub path: PathBuf,
    /// Path relative to `content/`, with `/` separators: what `@/` links and
    /// `get_page`/`get_section` use.
    pub relative: String,
    /// Folder names from `content/` to the file's folder (for a co-located
    /// page, to the folder that holds the page's folder).
    pub components: Vec<String>,
    /// File name without the language and `.md` (or the folder's name for a
    /// co-located `index.md`).
    pub name: String,
    /// The relative path without its language part: translations share it.
    pub canonical: String,
    /// Relative folder of a co-located page (`blog/post/`), if any.
    pub colocated_path: Option<String>,
    /// Folder (relative to content, `/`-separated, empty for the root) whose
    /// `_index.md` is the parent section.
    pub parent_dir: String,
}

impl FileInfo {
    /// The folder that holds the Markdown file: where its assets are.
    pub fn folder(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new(""))
    }
}

/// Markdown output of a page or section.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub content: String,
    pub summary: Option<String>,
    pub toc: Vec<Heading>,
    /// `(relative path of the target, anchor)` of every `@/` link.
    pub internal_links: Vec<(String, Option<String>, usize)>,
    /// Ids of every heading (for anchor checks).
    pub anchors: Vec<String>,
    /// External links, for `check --external`.
    pub external_links: Vec<(String, usize)>,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub file: FileInfo,
    pub meta: PageFrontMatter,
    pub raw_content: String,
    pub body_line: usize,
    pub lang: String,
    pub slug: String,
    /// `/rencontres/x/`.
    pub path: String,
    pub permalink: String,
    pub components: Vec<String>,
    pub date: Option<String>,
    pub updated: Option<String>,
    pub datetime: Option<DateTime<FixedOffset>>,
    pub updated_datetime: Option<DateTime<FixedOffset>>,
    pub word_count: usize,
    pub reading_time: usize,
    pub assets: Vec<PathBuf>,
    pub serialized_assets: Vec<String>,
    pub rendered: Rendered,
    /// Relative paths of the sections above, root first.
    pub ancestors: Vec<String>,
    /// Template to render with (front matter, else a parent's page_template).
    pub template: Option<String>,
    /// Neighbours in the parent section's sort order (indices into pages).
    pub lower: Option<usize>,
    pub higher: Option<usize>,
}

impl Page {
    pub fn year_month_day(&self) -> Option<(i32, u32, u32)> {
        self.datetime.map(|d| (d.year(), d.month(), d.day()))
    }
    pub fn title(&self) -> &str {
        self.meta.title.as_deref().unwrap_or("")
    }
    pub fn template_name(&self) -> &str {
        self.template.as_deref().unwrap_or("page.html")
    }
}

#[derive(Debug, Clone)]
pub struct Section {
    pub file: FileInfo,
    pub meta: SectionFrontMatter,
    pub raw_content: String,
    pub body_line: usize,
    pub lang: String,
    /// `/rencontres/`.
    pub path: String,
    pub permalink: String,
    pub components: Vec<String>,
    pub word_count: usize,
    pub reading_time: usize,
    pub assets: Vec<PathBuf>,
    pub serialized_assets: Vec<String>,
    pub rendered: Rendered,
    pub ancestors: Vec<String>,
    /// Indices into pages, in the section's sort order.
    pub pages: Vec<usize>,
    /// Pages that cannot be sorted by the section's sort key.
    pub ignored_pages: Vec<usize>,
    /// Indices into sections, by weight.
    pub subsections: Vec<usize>,
}

impl Section {
    pub fn is_index(&self) -> bool {
        self.file.components.is_empty()
    }
    pub fn template_name(&self) -> &str {
        match &self.meta.template {
            Some(t) => t,
            None if self.is_index() => "index.html",
            None => "section.html",
        }
    }
}

/// Zola's word count and reading time (200 words a minute); text between
/// code fences does not count.
pub fn reading_analytics(text: &str) -> (usize, usize) {
    let words = text.split("```").step_by(2).map(count_words).sum::<usize>();
    (words, words.div_ceil(200))
}

/// The words `unicode_words` finds (UAX #29), counted faster: no word
/// spans ASCII white space, so each run between white space is counted on
/// its own, and a run of characters whose word class is simple (ASCII,
/// the Latin letters of French and its punctuation) by the rules as they
/// apply to those classes, a byte at a time through [`STEP`] (the Unicode
/// tables' lookups were a tenth of a large site's build). A run holding
/// any other character is given to `unicode_words`.
fn count_words(text: &str) -> usize {
    use unicode_segmentation::UnicodeSegmentation;
    let bytes = text.as_bytes();
    let mut words = 0;
    // The words of the current run so far, and where it starts.
    let mut in_run = 0;
    let mut run_start = 0;
    let mut state = OUT;
    let mut i = 0;
    while i < bytes.len() {
        let mut class = BYTE_CLASS[usize::from(bytes[i])];
        let mut width = 1;
        if class == WIDE {
            let c = text[i..].chars().next().expect("a character starts here");
            match wide_class(c) {
                Some(simple) => (class, width) = (simple, c.len_utf8()),
                None => {
                    let end = bytes[i..]
                        .iter()
                        .position(u8::is_ascii_whitespace)
                        .map_or(bytes.len(), |n| i + n);
                    words += text[run_start..end].unicode_words().count();
                    (in_run, state, run_start, i) = (0, OUT, end, end);
                    continue;
                }
            }
        }
        let (next, ended) = STEP[usize::from(state)][usize::from(class)];
        state = next;
        in_run += usize::from(ended);
        if class == SPACE {
            words += in_run;
            in_run = 0;
            run_start = i + 1;
        }
        i += width;
        // Most characters are letters inside a word: they change nothing.
        if state == LETTERS {
            while bytes.get(i).is_some_and(u8::is_ascii_alphabetic) {
                i += 1;
            }
        }
    }
    words + in_run + usize::from(STEP[usize::from(state)][usize::from(SPACE)].1)
}

// UAX #29 word classes of the characters that are not white space and
// that neither Unicode's format and extending characters nor its scripts
// without spaces can join or split otherwise; the columns of `STEP`.
const LETTER: u8 = 0;
const DIGIT: u8 = 1;
/// `_`: joins letters, digits and itself.
const CONNECTOR: u8 = 2;
/// `:` `·`, between two letters.
const MID_LETTER: u8 = 3;
/// `,` `;`, between two digits.
const MID_NUM: u8 = 4;
/// `.` `'` `’` `‘`, between two letters or two digits.
const MID_BOTH: u8 = 5;
const OTHER: u8 = 6;
/// ASCII white space: a run ends.
const SPACE: u8 = 7;
/// A byte that starts a character outside ASCII: see [`wide_class`].
const WIDE: u8 = 8;

/// Each byte's class.
static BYTE_CLASS: [u8; 256] = {
    let mut classes = [WIDE; 256];
    let mut byte = 0;
    while byte < 128 {
        classes[byte] = match byte as u8 {
            b'a'..=b'z' | b'A'..=b'Z' => LETTER,
            b'0'..=b'9' => DIGIT,
            b'_' => CONNECTOR,
            b':' => MID_LETTER,
            b',' | b';' => MID_NUM,
            b'.' | b'\'' => MID_BOTH,
            b' ' | b'\t' | b'\n' | b'\x0C' | b'\r' => SPACE,
            _ => OTHER,
        };
        byte += 1;
    }
    classes
};

/// The class of `c`, outside ASCII, when it is simple.
fn wide_class(c: char) -> Option<u8> {
    Some(match c {
        // Latin-1's and Latin Extended-A's letters (`é`, `Ç`, `œ`), not `×` `÷`.
        '\u{c0}'..='\u{17f}' if c != '\u{d7}' && c != '\u{f7}' => LETTER,
        '\u{b7}' => MID_LETTER,
        '\u{2018}' | '\u{2019}' => MID_BOTH,
        // No-break space, `«` `»`, `–` `—`, `…`.
        '\u{a0}' | '\u{ab}' | '\u{bb}' | '\u{2013}' | '\u{2014}' | '\u{2026}' => OTHER,
        _ => return None,
    })
}

// Where a run stands, the rows of `STEP`: out of a segment, or in one
// whose last character is a letter, a digit, a `_` (after a letter or a
// digit, or after `_` alone), or a middle character after a letter or a
// digit, which the next character may join.
const OUT: u8 = 0;
const LETTERS: u8 = 1;
const DIGITS: u8 = 2;
const JOINED: u8 = 3;
const UNDERSCORES: u8 = 4;
const LETTER_MID: u8 = 5;
const DIGIT_MID: u8 = 6;
const STATES: usize = DIGIT_MID as usize + 1;
/// The classes a step takes ([`WIDE`] is made simple first).
const CLASSES: usize = SPACE as usize + 1;

/// For each state and class, the next state and how many words end: the
/// segments joined by letters, digits and `_` (WB5, WB8–WB10, WB13a–b)
/// and by one middle character between two letters (WB6–7) or two digits
/// (WB11–12), that hold a letter or a digit.
static STEP: [[(u8, u8); CLASSES]; STATES] = {
    let mut table = [[(OUT, 0); CLASSES]; STATES];
    let mut state = 0;
    while state < STATES as u8 {
        let mut class = 0;
        while class < CLASSES as u8 {
            table[state as usize][class as usize] = step(state, class);
            class += 1;
        }
        state += 1;
    }
    table
};

const fn step(state: u8, class: u8) -> (u8, u8) {
    let start = match class {
        LETTER => LETTERS,
        DIGIT => DIGITS,
        CONNECTOR => UNDERSCORES,
        _ => OUT,
    };
    match state {
        OUT => (start, 0),
        LETTER_MID if class == LETTER => (LETTERS, 0),
        DIGIT_MID if class == DIGIT => (DIGITS, 0),
        // The middle character joins nothing: the word ends before it,
        // and this character may start the next.
        LETTER_MID | DIGIT_MID => (start, 1),
        _ => {
            let alphanumeric = state != UNDERSCORES;
            match class {
                LETTER | DIGIT => (start, 0),
                CONNECTOR if alphanumeric => (JOINED, 0),
                CONNECTOR => (UNDERSCORES, 0),
                MID_LETTER | MID_BOTH if state == LETTERS => (LETTER_MID, 0),
                MID_NUM | MID_BOTH if state == DIGITS => (DIGIT_MID, 0),
                _ => (OUT, alphanumeric as u8),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn code_is_not_read() {
        assert_eq!(
            super::reading_analytics("un deux ``` code ici ``` trois"),
            (3, 1)
        );
        assert_eq!(super::reading_analytics("  "), (0, 0));
        assert_eq!(super::reading_analytics("l'équipe Jean-Jaurès"), (3, 1));
    }

    /// Every string of up to four characters from an alphabet holding each
    /// ASCII word class, white space of each kind and characters whose
    /// Unicode classes join or split words, and of up to six from ASCII
    /// alone: counted as `unicode_words` counts them.
    #[test]
    fn words_are_counted_as_unicode_words_counts_them() {
        use unicode_segmentation::UnicodeSegmentation;
        fn all(alphabet: &[char], len: usize, prefix: &mut String, check: &mut impl FnMut(&str)) {
            check(prefix);
            if len == 0 {
                return;
            }
            for &c in alphabet {
                prefix.push(c);
                all(alphabet, len - 1, prefix, check);
                prefix.pop();
            }
        }
        let mut checked = 0;
        let mut check = |text: &str| {
            assert_eq!(
                super::count_words(text),
                text.unicode_words().count(),
                "{text:?}"
            );
            checked += 1;
        };
        let mixed = [
            'a', '1', '_', ':', '.', '\'', ',', '-', ' ', '\t', '\n', '\r', 'é', '\u{301}',
            '\u{903}', '\u{200d}', '’', '·', '\u{a0}', '😀',
        ];
        all(&mixed, 4, &mut String::new(), &mut check);
        let ascii = ['a', 'Z', '7', '_', ':', '.', '\'', ';', '!', ' '];
        all(&ascii, 6, &mut String::new(), &mut check);
        let french = [
            'é', 'À', 'ÿ', 'œ', 'a', '1', '.', ':', '’', '‘', '·', '\u{a0}', '«', '»', '–', '—',
            '…', '×', '\u{ad}', '\u{2024}',
        ];
        all(&french, 4, &mut String::new(), &mut check);
        for c in '\u{a0}'..='\u{17f}' {
            for text in [format!("{c}"), format!("a{c}:{c}’b"), format!("1{c}.{c}")] {
                check(&text);
            }
        }
        assert!(checked > 1_000_000, "{checked}");
    }
}
