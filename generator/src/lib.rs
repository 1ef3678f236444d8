//! The `maillage` command: [`cli`] parses it; `build` and `check` are the
//! engine's with the network's pages ([`maillage_network::extensions`]);
//! [`serve`] keeps a site in memory for editing; [`live`] adds the function
//! and its store to it; [`store_cli`] holds the store commands (`sync`,
//! `export`, `purge`); [`meetup_cli`] creates meetups and their organisers'
//! keys; [`init`] starts a site.

pub mod cli;
pub(crate) mod failure;
pub(crate) mod init;
pub mod live;
pub(crate) mod meetup_cli;
pub mod serve;
pub mod store_cli;

// The engine's and the network's modules under the paths this crate and
// its tests use.
pub use maillage_engine::{
    build, cache, check, config, content, error, files, markdown, nesting, output, render, site,
    slugs, templates, timing,
};
pub use maillage_engine::{load_site, BuildOptions, BuildSummary, Diagnostic, Diagnostics, Site};
pub use maillage_network::{calendar, data, extensions, map, pages, vendor};
