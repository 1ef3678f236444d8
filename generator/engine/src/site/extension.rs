//! How another module adds pages and files to a build.
//!
//! The domain data (places, meetups, regions) is not Markdown: a
//! [`SiteExtension`] reads it, reports problems with the same
//! [`Diagnostic`](crate::error::Diagnostic) type, and contributes pages
//! rendered with the site's templates and context conventions (`config`,
//! `lang`, `current_path`, `current_url`, plus its own fields) and raw files
//! (GeoJSON, iCalendar, ...).

use std::borrow::Cow;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::config::Config;
use crate::error::{Result, Source};
use crate::render::trace::Fingerprint;

/// A page rendered from a template with extra context fields.
#[derive(Debug, Clone)]
pub struct ExtraPage {
    /// URL path with slashes on both ends: `/lieux/mediatheque-x/`.
    pub path: String,
    /// Template to render, e.g. `place.html`.
    pub template: String,
    /// Fields added to the template context (e.g. `page`, `place`).
    pub context: PageContext,
    /// Language of the page; the default language when `None`.
    pub lang: Option<String>,
    /// Listed in `sitemap.xml`.
    pub in_sitemap: bool,
    /// `lastmod` in the sitemap.
    pub updated: Option<String>,
    /// What asks for the page, for messages about its path.
    pub source: Source,
    /// What the site's search index holds of the page, when it has one
    /// (`build_search_index`); `None` leaves the page out of it.
    pub search: Option<SearchEntry>,
}

/// A page's entry in the search index: plain text, no markup.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SearchEntry {
    pub title: String,
    pub description: String,
}

/// Builds the extra context of deferred pages.
pub trait ContextBuilder: Send + Sync {
    /// The fields of page `index` (an index the builder defines).
    fn build(&self, index: usize) -> Map<String, Value>;

    /// A fingerprint of the fields `build(index)` gives, made without
    /// building them (from fingerprints of values many pages share, made
    /// once), or `None` to have them built and fingerprinted. The build
    /// cache compares it with the last build's to keep the page: it must
    /// change whenever the fields would.
    fn fingerprint(&self, _index: usize) -> Option<Fingerprint> {
        None
    }
}

/// A page's extra context fields, ready or built when the page renders.
///
/// Deferred contexts keep a large site's memory flat: each one exists only
/// while its page renders, and is moved into Tera's context, not copied.
#[derive(Clone)]
pub enum PageContext {
    Ready(Map<String, Value>),
    Deferred {
        builder: Arc<dyn ContextBuilder>,
        index: usize,
    },
}

impl PageContext {
    /// The fields, borrowed when ready, built when deferred.
    pub fn fields(&self) -> Cow<'_, Map<String, Value>> {
        match self {
            PageContext::Ready(map) => Cow::Borrowed(map),
            PageContext::Deferred { builder, index } => Cow::Owned(builder.build(*index)),
        }
    }

    /// The fields' fingerprint when the builder makes it without them.
    pub fn fingerprint(&self) -> Option<Fingerprint> {
        match self {
            PageContext::Ready(_) => None,
            PageContext::Deferred { builder, index } => builder.fingerprint(*index),
        }
    }
}

impl From<Map<String, Value>> for PageContext {
    fn from(map: Map<String, Value>) -> Self {
        PageContext::Ready(map)
    }
}

impl std::fmt::Debug for PageContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PageContext::Ready(map) => f.debug_tuple("Ready").field(map).finish(),
            PageContext::Deferred { index, .. } => {
                f.debug_struct("Deferred").field("index", index).finish()
            }
        }
    }
}

/// Bytes written at a path of the output.
#[derive(Debug, Clone)]
pub struct ExtraFile {
    /// Path in the output, without a leading slash: `carte/lieux.geojson`.
    pub path: String,
    pub bytes: FileBytes,
    pub in_sitemap: bool,
    /// What asks for the file, for messages about its path.
    pub source: Source,
}

/// A file's bytes: given, or made by a builder when the file is written
/// (the extension's value then holds no bytes until then).
#[derive(Clone)]
pub enum FileBytes {
    Ready(Vec<u8>),
    Deferred {
        builder: Arc<dyn FileBuilder>,
        index: usize,
    },
}

/// Makes the bytes of deferred files, each named by an index.
pub trait FileBuilder: Send + Sync {
    fn bytes(&self, index: usize) -> Vec<u8>;

    /// A fingerprint of everything file `index`'s bytes are made from,
    /// when it costs less than making them: a build whose last one made
    /// the file from the same keeps it without making it again. `None`
    /// (the default): the bytes are made at every build and compared.
    fn fingerprint(&self, _index: usize) -> Option<crate::render::trace::Fingerprint> {
        None
    }
}

impl FileBytes {
    /// The bytes, borrowed when ready, made when deferred.
    pub fn get(&self) -> Cow<'_, [u8]> {
        match self {
            FileBytes::Ready(bytes) => Cow::Borrowed(bytes),
            FileBytes::Deferred { builder, index } => Cow::Owned(builder.bytes(*index)),
        }
    }

    /// A fingerprint of what the bytes are made from: of the bytes when
    /// ready, the builder's when deferred ([`FileBuilder::fingerprint`]).
    pub fn inputs(&self) -> Option<crate::render::trace::Fingerprint> {
        match self {
            FileBytes::Ready(bytes) => Some(crate::render::trace::fingerprint_bytes(bytes)),
            FileBytes::Deferred { builder, index } => builder.fingerprint(*index),
        }
    }
}

impl From<Vec<u8>> for FileBytes {
    fn from(bytes: Vec<u8>) -> FileBytes {
        FileBytes::Ready(bytes)
    }
}

impl std::fmt::Debug for FileBytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FileBytes::Ready(bytes) => write!(f, "Ready({} bytes)", bytes.len()),
            FileBytes::Deferred { index, .. } => {
                f.debug_struct("Deferred").field("index", index).finish()
            }
        }
    }
}

/// What one extension adds to a build.
#[derive(Debug, Clone, Default)]
pub struct Contribution {
    pub pages: Vec<ExtraPage>,
    pub files: Vec<ExtraFile>,
    /// Soft problems: printed by `maillage check`, never fatal.
    pub warnings: Vec<crate::error::Diagnostic>,
    /// Which extension gave which pages and files, once several are joined.
    pub parts: Vec<ContributionPart>,
    /// Pages the site must have for what the extension adds to work (the
    /// pages its forms lead to): the build refuses a site without them.
    pub required_pages: Vec<RequiredPage>,
    /// The clock readings for which these pages and files come out the
    /// same, as far as the extension knows (`None`: the clock changes
    /// nothing). A later build whose files are unchanged keeps the last
    /// output only while its clock is in every extension's span.
    pub clock_span: Option<ClockSpan>,
}

/// Clock readings `from` (included) to `until` (excluded); `until` is
/// `None` when nothing changes after `from`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ClockSpan {
    pub from: chrono::DateTime<chrono::Utc>,
    pub until: Option<chrono::DateTime<chrono::Utc>>,
}

impl ClockSpan {
    pub fn contains(&self, instant: chrono::DateTime<chrono::Utc>) -> bool {
        self.from <= instant && self.until.is_none_or(|until| instant < until)
    }

    /// The readings both spans hold.
    fn and(self, other: ClockSpan) -> ClockSpan {
        let until = match (self.until, other.until) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        ClockSpan {
            from: self.from.max(other.from),
            until,
        }
    }
}

/// A page the site must have: its path (`/like/this/`), who asks for it and
/// why, for the message.
#[derive(Debug, Clone)]
pub struct RequiredPage {
    pub path: String,
    pub source: crate::error::Source,
    pub why: String,
}

/// The pages and files one extension gave, by position in the joined
/// [`Contribution`]: what a refresh of that extension replaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContributionPart {
    pub extension: String,
    pub pages: std::ops::Range<usize>,
    pub files: std::ops::Range<usize>,
}

impl Contribution {
    /// Adds the pages, files and warnings of the extension `name`.
    pub fn extend_from(&mut self, name: &str, other: Contribution) {
        let pages = self.pages.len()..self.pages.len() + other.pages.len();
        let files = self.files.len()..self.files.len() + other.files.len();
        self.parts.push(ContributionPart {
            extension: name.to_string(),
            pages,
            files,
        });
        self.pages.extend(other.pages);
        self.files.extend(other.files);
        self.warnings.extend(other.warnings);
        self.required_pages.extend(other.required_pages);
        self.clock_span = match (self.clock_span, other.clock_span) {
            (Some(a), Some(b)) => Some(a.and(b)),
            (a, b) => a.or(b),
        };
    }

    /// What the extension `name` gave.
    pub fn part(&self, name: &str) -> Option<&ContributionPart> {
        self.parts.iter().find(|p| p.extension == name)
    }
}

/// One extension's new pages and files after a change that it applies
/// alone (see [`SiteExtension::refresh`]), and which of them to render.
pub struct Refresh {
    /// The extension's whole page list: the same paths in the same order as
    /// before, with new contexts.
    pub pages: Vec<ExtraPage>,
    /// What changed, as the pages noted their reads
    /// ([`crate::render::trace::note_read`]): the pages whose last render
    /// read one of these are rendered again.
    pub reads: std::collections::HashSet<u64>,
    /// The pages among them rendered and served before the others: those
    /// a person looks at for the change (an edited meetup's page), the
    /// lists that show it following a moment later.
    pub first: std::collections::HashSet<String>,
    /// Gives the files replacing those at the same output paths
    /// (`carte/lieux.geojson`); called once the pages are rendered, on the
    /// caller's thread (never one of the pool's: it may wait for files
    /// made meanwhile on a thread of their own, which uses the pool).
    pub files: Box<dyn FnOnce() -> Vec<ExtraFile> + Send>,
}

impl Refresh {
    /// No page rendered again, no file replaced: the new pages' contexts
    /// only (a change that shows nowhere).
    pub fn contexts_only(pages: Vec<ExtraPage>) -> Refresh {
        Refresh {
            pages,
            reads: Default::default(),
            first: Default::default(),
            files: Box::new(Vec::new),
        }
    }
}

/// A source of extra pages and files. It reads its own sources (the
/// domain data, a theme's manifest) while the content is loaded, so that
/// its problems are reported together with the content's.
pub trait SiteExtension: Send + Sync {
    /// Short name for messages.
    fn name(&self) -> &str;
    /// Reads its sources (relative to the site root) and returns what to add.
    fn contribute(&self, root: &std::path::Path, config: &Arc<Config>) -> Result<Contribution>;
    /// The files and folders (relative to the site root) `contribute`
    /// reads, for a build to tell whether anything changed since the last
    /// one; `None` when what it gives depends on more than files (then
    /// every build loads the site). A folder stands for all it holds.
    fn inputs(&self, _root: &std::path::Path, _config: &Config) -> Option<Vec<std::path::PathBuf>> {
        None
    }
    /// For a process that keeps the site loaded (`serve`): applies the
    /// change of the files `changed` (absolute paths under `root`) without
    /// the site loaded again, when the extension can tell alone what it
    /// changes: its new pages and files, and which of them to render.
    /// `None` (the default) when the change needs the site loaded again:
    /// another file's, one the extension does not follow so closely, or
    /// one with problems to report.
    fn refresh(&self, _root: &std::path::Path, _changed: &[std::path::PathBuf]) -> Option<Refresh> {
        None
    }
}
