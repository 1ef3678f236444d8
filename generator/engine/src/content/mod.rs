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
/// apply to those classes, in one pass (the Unicode tables' lookups were
/// a tenth of a large site's build). A run holding any other character is
/// given to `unicode_words`.
fn count_words(text: &str) -> usize {
    use unicode_segmentation::UnicodeSegmentation;
    let bytes = text.as_bytes();
    let mut words = 0;
    // The words of the current run so far, and where it starts.
    let mut in_run = 0;
    let mut run = Words::default();
    let mut run_start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let byte = bytes[i];
        let class = if byte.is_ascii_whitespace() {
            words += in_run + run.end();
            in_run = 0;
            run_start = i + 1;
            i += 1;
            continue;
        } else if byte.is_ascii() {
            i += 1;
            ascii_class(byte)
        } else {
            let c = text[i..].chars().next().expect("a character starts here");
            match simple_class(c) {
                Some(class) => {
                    i += c.len_utf8();
                    class
                }
                None => {
                    let end = bytes[i..]
                        .iter()
                        .position(u8::is_ascii_whitespace)
                        .map_or(bytes.len(), |n| i + n);
                    words += text[run_start..end].unicode_words().count();
                    in_run = 0;
                    run = Words::default();
                    run_start = end;
                    i = end;
                    continue;
                }
            }
        };
        in_run += run.push(class);
    }
    words + in_run + run.end()
}

/// UAX #29 word classes of the characters that are not white space and
/// that neither Unicode's format and extending characters nor its scripts
/// without spaces can join or split otherwise.
#[derive(Clone, Copy, PartialEq, Eq)]
enum WordClass {
    Letter,
    Digit,
    /// `_`: joins letters, digits and itself.
    Connector,
    /// `:` `·`, between two letters.
    MidLetter,
    /// `,` `;`, between two digits.
    MidNum,
    /// `.` `'` `’` `‘`, between two letters or two digits.
    MidBoth,
    Other,
}

fn ascii_class(byte: u8) -> WordClass {
    match byte {
        b'a'..=b'z' | b'A'..=b'Z' => WordClass::Letter,
        b'0'..=b'9' => WordClass::Digit,
        b'_' => WordClass::Connector,
        b':' => WordClass::MidLetter,
        b',' | b';' => WordClass::MidNum,
        b'.' | b'\'' => WordClass::MidBoth,
        _ => WordClass::Other,
    }
}

/// The class of `c` when it is one of those, `None` otherwise.
fn simple_class(c: char) -> Option<WordClass> {
    Some(match c {
        _ if c.is_ascii() => ascii_class(c as u8),
        // Latin-1's and Latin Extended-A's letters (`é`, `Ç`, `œ`), not `×` `÷`.
        '\u{c0}'..='\u{17f}' if c != '\u{d7}' && c != '\u{f7}' => WordClass::Letter,
        '\u{b7}' => WordClass::MidLetter,
        '\u{2018}' | '\u{2019}' => WordClass::MidBoth,
        // No-break space, `«` `»`, `–` `—`, `…`.
        '\u{a0}' | '\u{ab}' | '\u{bb}' | '\u{2013}' | '\u{2014}' | '\u{2026}' => WordClass::Other,
        _ => return None,
    })
}

/// The words of a run without white space, its characters' classes given
/// one by one: the segments joined by letters, digits and `_` (WB5,
/// WB8–WB10, WB13a–b) and by one middle character between two letters
/// (WB6–7) or two digits (WB11–12), that hold a letter or a digit.
#[derive(Default)]
struct Words {
    /// The class of the current segment's last character, in a segment.
    last: Option<WordClass>,
    /// The segment holds a letter or a digit.
    alphanumeric: bool,
    /// A middle character after the segment, which the next may join.
    middle: Option<WordClass>,
}

impl Words {
    /// Takes the next character's class; 1 when it ends a word.
    #[inline]
    fn push(&mut self, class: WordClass) -> usize {
        use WordClass::*;
        let joins = |c: WordClass| matches!(c, Letter | Digit | Connector);
        let start = |class: WordClass| Words {
            last: Some(class),
            alphanumeric: class != Connector,
            middle: None,
        };
        let Some(last) = self.last else {
            if joins(class) {
                *self = start(class);
            }
            return 0;
        };
        match self.middle.take() {
            None if joins(class) => {
                self.alphanumeric |= class != Connector;
                self.last = Some(class);
                0
            }
            None if (last == Letter && matches!(class, MidLetter | MidBoth))
                || (last == Digit && matches!(class, MidNum | MidBoth)) =>
            {
                self.middle = Some(class);
                0
            }
            Some(_) if class == last && matches!(class, Letter | Digit) => 0,
            // The segment ends; after a middle character, this one may
            // start the next.
            middle => {
                let ended = self.end();
                if middle.is_some() && joins(class) {
                    *self = start(class);
                }
                ended
            }
        }
    }

    /// Ends the run: 1 when its last segment is a word.
    fn end(&mut self) -> usize {
        let word = self.last.is_some() && self.alphanumeric;
        *self = Words::default();
        usize::from(word)
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
