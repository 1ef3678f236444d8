//! The network's structured data (`data/`): regions, places, partners,
//! training modules, community series, meetups, and the live aggregates the
//! function exports. `data/README.md` describes the format.
//!
//! [`load`] reads every file in parallel, checks each entry
//! ([`entries`]), then checks entries against each other ([`validate`]).
//! Every problem names its file, line and field; all of them are reported
//! together. Soft problems come back as warnings.

pub mod definitions;
pub mod entries;
pub mod geo;
mod live;
mod load;
pub mod model;
pub mod outlines;
pub mod reader;
pub mod source;
pub mod validate;
mod zones;

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use maillage_model::meetup::LiveAggregates;

use crate::error::{Diagnostic, Result, Source};
pub use definitions::{belongs_choices, definitions, meetup_definitions, region_definitions};
pub use load::{has_data, FilesRead};
use maillage_engine::error::LineFinder;
pub use model::*;
pub use source::SourceFile;

/// The kinds of entry, each in `data/<name>.yaml` or `data/<name>/*.yaml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Regions,
    Places,
    Partners,
    Modules,
    Series,
    Meetups,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Regions,
        Kind::Places,
        Kind::Partners,
        Kind::Modules,
        Kind::Series,
        Kind::Meetups,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Regions => "regions",
            Kind::Places => "places",
            Kind::Partners => "partners",
            Kind::Modules => "modules",
            Kind::Series => "series",
            Kind::Meetups => "meetups",
        }
    }
}

/// Everything read from `data/`.
#[derive(Debug, Default, Clone)]
pub struct DataSet {
    /// The files read, indexed by [`Origin::file`]. Files and meetups are
    /// shared, so that a copy of the data with a few meetups edited
    /// ([`crate::pages::network::Network::with_meetups_read_again`]) copies
    /// none of the others.
    pub files: Vec<Arc<SourceFile>>,
    pub regions: Vec<Region>,
    pub places: Vec<Place>,
    pub partners: Vec<Partner>,
    pub modules: Vec<Module>,
    pub series: Vec<Series>,
    pub meetups: Vec<Arc<Meetup>>,
    /// Seats taken, waiting lists and published reports, by meetup id;
    /// shared as files and meetups are (a copy changes it with
    /// `Arc::make_mut`).
    pub live: Arc<LiveAggregates>,
    /// Ids of entries left out because of errors.
    pub broken_ids: HashSet<(Kind, String)>,
}

impl DataSet {
    /// A problem about `field` of the entry at `origin`.
    pub fn diagnostic(
        &self,
        origin: Origin,
        field: &str,
        message: impl Into<String>,
    ) -> Diagnostic {
        self.files[origin.file as usize].diagnostic(origin.entry as usize, field, message)
    }

    /// `file:line` of an entry, for messages that point at another entry.
    pub fn location(&self, origin: Origin) -> String {
        self.files[origin.file as usize].location(origin.entry as usize)
    }

    /// The entry at `origin` as the source of something built from it.
    pub fn source(&self, origin: Origin, what: impl Into<String>) -> Source {
        // The line is found only for a message: finding it scans the file.
        let file = self.files[origin.file as usize].clone();
        let path = file.path.clone();
        let line = LineFinder::new(move || file.entry_line(origin.entry as usize));
        Source::file_at(path, line, what)
    }

    pub fn is_broken(&self, kind: Kind, id: &str) -> bool {
        self.broken_ids.contains(&(kind, id.to_string()))
    }
}

/// The data and its soft problems.
#[derive(Debug)]
pub struct Loaded {
    pub data: DataSet,
    pub warnings: Vec<Diagnostic>,
}

/// Reads and validates `data/` under `root`. `now` decides which meetups
/// are past, for warnings about statuses left behind.
pub fn load(root: &Path, now: DateTime<Utc>) -> Result<Loaded> {
    load_through(root, now, &FilesRead::parsing())
}

/// [`load`], parsing only the files `files_read` has not seen with the
/// same text.
pub fn load_through(root: &Path, now: DateTime<Utc>, files_read: &FilesRead) -> Result<Loaded> {
    let ((mut data, mut errors), live) =
        rayon::join(|| load::read_all(root, files_read), || live::read(root));
    match live {
        Ok(live) => data.live = Arc::new(live),
        Err(e) => errors.push(e),
    }
    zones::resolve(&mut data);
    let warnings = validate::check(&data, now, &mut errors);
    errors.into_result(()).map(|()| {
        let mut warnings = warnings;
        warnings.sort();
        Loaded { data, warnings }
    })
}

/// Renders diagnostics as warnings, one a line.
pub fn format_warnings(warnings: &[Diagnostic]) -> String {
    let mut out = String::new();
    for w in warnings {
        out.push_str("warning: ");
        out.push_str(&w.to_string());
        out.push('\n');
    }
    out
}
