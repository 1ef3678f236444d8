//! Data-driven pages: a page per meetup, place and region, listings of
//! meetups (to come, past), of places (by region, by type), the map page,
//! plus the map's GeoJSON, the calendars and the feed. `docs/data-pages.md`
//! lists every template and context field.
//!
//! [`DataPages`] is the [`SiteExtension`] that produces them: it loads and
//! validates `data/`, links it once ([`network::Network`]), then builds
//! every page context and file in parallel.

pub mod jsonld;
pub mod labels;
pub mod listings;
pub mod markdown;
pub mod meetup;
pub mod network;
pub mod places;
pub mod regions;

use std::path::Path;
use std::sync::Arc;

use maillage_function::clock;
use maillage_function::model::LiveAggregates;
use rayon::prelude::*;
use serde_json::{json, Value};

use crate::error::Result;
use crate::site::{Contribution, Library, SiteExtension};
use network::Network;

/// Changes the live figures before the pages are built (the local server
/// puts its store's figures over those of `data/live/aggregates.json`).
pub type LiveOverlay = Arc<dyn Fn(&mut LiveAggregates) + Send + Sync>;

/// The extension that turns `data/` into pages and files.
#[derive(Clone, Default)]
pub struct DataPages {
    overlay: Option<LiveOverlay>,
}

impl DataPages {
    pub fn new() -> DataPages {
        DataPages::default()
    }

    /// Applies `overlay` to the live figures of every build.
    pub fn with_live_overlay(overlay: LiveOverlay) -> DataPages {
        DataPages {
            overlay: Some(overlay),
        }
    }
}

/// The `page` object of a data page: what the base template reads for
/// `<title>` and meta tags, shaped like a content page.
pub fn page_object(net: &Network<'_>, title: &str, description: &str, path: &str) -> Value {
    json!({
        "title": title,
        "description": description,
        "path": path,
        "permalink": net.permalink(path),
        "extra": {},
        "content": "",
    })
}

impl SiteExtension for DataPages {
    fn name(&self) -> &str {
        "data"
    }

    fn contribute(&self, root: &Path, library: &Library) -> Result<Contribution> {
        if !crate::data::has_data(root) {
            return Ok(Contribution::default());
        }
        let start = std::time::Instant::now();
        let timing = std::env::var_os("MAILLAGE_TIMING").is_some();
        let lap = |what: &str| {
            if timing {
                eprintln!("  data: {what}: {} ms", start.elapsed().as_millis());
            }
        };
        let now = clock::now();
        let mut loaded = crate::data::load(root, now)?;
        if let Some(overlay) = &self.overlay {
            overlay(&mut loaded.data.live);
        }
        lap("loaded and validated");
        let net = Network::new(&loaded.data, &library.config, now);
        lap("linked");
        let contribution = contribution(&net, loaded.warnings);
        lap("pages and files");
        Ok(contribution)
    }
}

/// Every page and file of the network.
pub fn contribution(net: &Network<'_>, warnings: Vec<crate::error::Diagnostic>) -> Contribution {
    let places_full: Vec<Value> = (0..net.data.places.len())
        .into_par_iter()
        .map(|p| places::full(net, p))
        .collect();
    let ((meetup_pages, place_pages), (files, mut others)) = rayon::join(
        || {
            rayon::join(
                || {
                    (0..net.data.meetups.len())
                        .into_par_iter()
                        .map(|m| meetup::page(net, m, &places_full))
                        .collect::<Vec<_>>()
                },
                || {
                    (0..net.data.places.len())
                        .into_par_iter()
                        .map(|p| places::page(net, p, &places_full[p]))
                        .collect::<Vec<_>>()
                },
            )
        },
        || {
            rayon::join(
                || {
                    let mut files = crate::map::files(net);
                    files.extend(crate::calendar::files(net));
                    files
                },
                || {
                    let mut pages = listings::pages(net);
                    pages.push(places::index(net));
                    pages.extend(places::type_pages(net));
                    pages.push(regions::index(net));
                    pages.extend((0..net.data.regions.len()).map(|r| regions::page(net, r)));
                    pages.push(regions::map_page(net));
                    pages
                },
            )
        },
    );
    let mut pages = meetup_pages;
    pages.extend(place_pages);
    pages.append(&mut others);
    Contribution {
        pages,
        files,
        warnings,
    }
}
