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
    use unicode_segmentation::UnicodeSegmentation;
    let words = text
        .split("```")
        .step_by(2)
        .map(|part| part.unicode_words().count())
        .sum::<usize>();
    (words, words.div_ceil(200))
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
}
