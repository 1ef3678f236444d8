//! Maillage's generator: loads, validates and renders a Zola-compatible site.
//!
//! The pipeline lives in [`build`]; [`content`] reads `content/`,
//! [`markdown`] renders it, [`site`] links it into a model, [`templates`]
//! sets up Tera with Zola's functions, [`render`] produces every output file
//! and [`output`] writes them. [`serve`] keeps a site in memory for editing;
//! [`live`] adds the function and its store to it, and [`store_cli`] holds
//! the store commands (`sync`, `export`, `purge`).

pub mod build;
pub mod calendar;
pub mod check;
pub mod cli;
pub mod config;
pub mod content;
pub mod data;
pub mod error;
pub mod extensions;
pub mod files;
pub mod init;
pub mod live;
pub mod map;
pub mod markdown;
pub mod nesting;
pub mod output;
pub mod pages;
pub mod render;
pub mod serve;
pub mod site;
pub mod slugs;
pub mod store_cli;
pub mod templates;
pub mod vendor;

pub use build::{build, load_site, BuildOptions, BuildSummary, Site};
pub use error::{Diagnostic, Diagnostics};
