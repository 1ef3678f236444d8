//! Maillage's engine: loads, validates and renders a Zola-compatible site.
//!
//! The pipeline lives in [`build`]; [`config`] reads `config.toml`,
//! [`content`] reads `content/`, [`markdown`] renders it, [`site`] links it
//! into a model (and lets [extensions](site::SiteExtension) add pages),
//! [`templates`] sets up Tera with Zola's functions, [`render`] produces
//! every output file and [`output`] writes them; [`check`] runs the same
//! pipeline without writing. It knows nothing of meetups: the network's
//! pages come as an extension.

pub mod build;
pub mod cache;
pub mod check;
pub mod config;
pub mod content;
pub mod error;
pub mod files;
pub mod images;
pub mod markdown;
pub(crate) mod minify;
pub mod nesting;
pub mod output;
pub mod paths;
pub mod render;
pub(crate) mod sass;
pub(crate) mod search;
pub mod site;
pub mod slugs;
pub mod templates;
pub mod timing;

pub use build::{build, build_leaving, load_site, BuildOptions, BuildSummary, Site};
pub use error::{Diagnostic, Diagnostics};
