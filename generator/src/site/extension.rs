//! How another module adds pages and files to a build.
//!
//! The domain data (places, meetups, regions) is not Markdown: a
//! [`SiteExtension`] reads it, reports problems with the same
//! [`Diagnostic`](crate::error::Diagnostic) type, and contributes pages
//! rendered with the site's templates and context conventions (`config`,
//! `lang`, `current_path`, `current_url`, plus its own fields) and raw files
//! (GeoJSON, iCalendar, ...).

use serde_json::{Map, Value};

use super::Library;
use crate::error::Result;

/// A page rendered from a template with extra context fields.
#[derive(Debug, Clone)]
pub struct ExtraPage {
    /// URL path with slashes on both ends: `/lieux/mediatheque-x/`.
    pub path: String,
    /// Template to render, e.g. `place.html`.
    pub template: String,
    /// Fields added to the template context (e.g. `page`, `place`).
    pub context: Map<String, Value>,
    /// Language of the page; the default language when `None`.
    pub lang: Option<String>,
    /// Listed in `sitemap.xml`.
    pub in_sitemap: bool,
    /// `lastmod` in the sitemap.
    pub updated: Option<String>,
}

/// Bytes written at a path of the output.
#[derive(Debug, Clone)]
pub struct ExtraFile {
    /// Path in the output, without a leading slash: `carte/lieux.geojson`.
    pub path: String,
    pub bytes: Vec<u8>,
    pub in_sitemap: bool,
}

/// What one extension adds to a build.
#[derive(Debug, Clone, Default)]
pub struct Contribution {
    pub pages: Vec<ExtraPage>,
    pub files: Vec<ExtraFile>,
    /// Soft problems: printed by `maillage check`, never fatal.
    pub warnings: Vec<crate::error::Diagnostic>,
}

/// A source of extra pages and files, run once the content is loaded.
pub trait SiteExtension: Send + Sync {
    /// Short name for messages.
    fn name(&self) -> &str;
    /// Reads its data (relative to the site root) and returns what to add.
    fn contribute(&self, root: &std::path::Path, library: &Library) -> Result<Contribution>;
}
