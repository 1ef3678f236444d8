//! `data/live/aggregates.json`: the public figures `maillage export` writes
//! from the store. A site without it simply has no registrations yet.

use std::path::Path;

use maillage_model::meetup::{LiveAggregates, LIVE_AGGREGATES_PATH};

use crate::error::Diagnostic;

pub(super) fn read(root: &Path) -> Result<LiveAggregates, Diagnostic> {
    let path = root.join(LIVE_AGGREGATES_PATH);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(LiveAggregates::default()),
        Err(e) => {
            return Err(Diagnostic::new(
                LIVE_AGGREGATES_PATH,
                format!("cannot read the file: {e}"),
            ))
        }
    };
    serde_json::from_str(&text).map_err(|e| {
        Diagnostic::new(
            LIVE_AGGREGATES_PATH,
            format!("invalid aggregates (run `maillage export` again to rewrite them): {e}"),
        )
        .at(e.line(), Some(e.column()))
    })
}
