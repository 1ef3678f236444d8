//! Data-driven pages: a page per meetup, place and region, listings of
//! meetups (to come, past), of places (by region, by type), the map page,
//! plus the map's GeoJSON, the calendars and the feed. `docs/data-pages.md`
//! lists every template and context field.
//!
//! [`DataPages`] is the [`SiteExtension`] that produces them: it loads and
//! validates `data/`, links it once ([`network::Network`]), then builds
//! every page context and file in parallel.

pub(crate) mod figures;
pub(crate) mod jsonld;
pub(crate) mod listings;
pub(crate) mod markdown;
pub(crate) mod meetup;
pub mod network;
pub(crate) mod partners;
pub(crate) mod places;
mod proposal;
pub(crate) mod regions;
pub(crate) mod showing;

use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock, RwLock};

use maillage_engine::render::trace::{
    fingerprint_fields, fingerprint_hashed, fingerprint_parts, fingerprint_value, Fingerprint,
};
use maillage_model::clock;
use rayon::prelude::*;
use serde_json::{json, Map, Value};

use crate::config::Config;
use crate::data::PlaceType;
use crate::error::{Result, Source};
use crate::figures::Figures;
use crate::site::{
    ContextBuilder, Contribution, ExtraFile, ExtraPage, FileBytes, PageContext, Refresh,
    RequiredPage, SearchEntry, SiteExtension,
};
use listings::Listing;
use maillage_model::result_pages::ResultPages;
use network::Network;
pub use showing::{files_showing, Showing};

/// Given the data once loaded and validated, before the pages are built:
/// the local server syncs its store from it when `data/` changed, then
/// puts the store's figures over those of `data/live/aggregates.json`.
pub type LiveOverlay = Arc<dyn Fn(&mut crate::data::DataSet) + Send + Sync>;

/// Told of each network the extension links (the local server keeps the
/// last one to re-render what shows a meetup).
pub type NetworkObserver = Arc<dyn Fn(&Arc<Network>) + Send + Sync>;

/// Told of meetups whose entries were edited in place (the network before
/// and after, and their indexes), before their pages are rendered again:
/// the local server writes their definitions into its store. `false` when
/// that failed: the site is then loaded again, which syncs everything.
pub type MeetupsEdited = Arc<dyn Fn(&Network, &Network, &[usize]) -> bool + Send + Sync>;

/// The network of the last build of a process that keeps the site loaded,
/// as the site shows it: the live loop patches its figures after each
/// registration, and an edit of meetups starts from it.
#[derive(Clone, Default)]
pub struct LastNetwork(Arc<RwLock<Option<Arc<Network>>>>);

impl LastNetwork {
    pub fn get(&self) -> Option<Arc<Network>> {
        self.0.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn set(&self, net: &Arc<Network>) {
        *self.0.write().unwrap_or_else(|e| e.into_inner()) = Some(net.clone());
    }
}

/// The extension that turns `data/` into pages and files.
#[derive(Clone, Default)]
pub struct DataPages {
    overlay: Option<LiveOverlay>,
    observer: Option<NetworkObserver>,
    files_read: Option<Arc<crate::data::FilesRead>>,
    /// Kept for [`SiteExtension::refresh`], with what it tells.
    last: Option<LastNetwork>,
    edited: Option<MeetupsEdited>,
}

impl DataPages {
    /// The extension's name: what a refresh of its pages is asked by.
    pub const NAME: &'static str = "data";

    pub fn new() -> DataPages {
        DataPages::default()
    }

    /// Applies `overlay` to the live figures of every build.
    pub fn with_live_overlay(overlay: LiveOverlay) -> DataPages {
        DataPages {
            overlay: Some(overlay),
            ..DataPages::default()
        }
    }

    /// Keeps what each data file gave in memory too, so that the next
    /// build parses again only the files changed since: for a process
    /// that builds again and again (the local server), at the cost of
    /// holding the entries twice.
    pub fn remembering_files_read(self) -> DataPages {
        DataPages {
            files_read: Some(Arc::new(crate::data::FilesRead::in_memory())),
            ..self
        }
    }

    /// Keeps each network it links in `last`, and applies an edit of the
    /// text of meetups alone ([`SiteExtension::refresh`]), telling
    /// `edited` first. Needs the files read kept in memory
    /// ([`DataPages::remembering_files_read`]).
    pub fn refreshing_edits(self, last: LastNetwork, edited: MeetupsEdited) -> DataPages {
        DataPages {
            last: Some(last),
            edited: Some(edited),
            ..self
        }
    }

    /// Also hands each linked network to `observer`.
    pub fn observed_by(self, observer: NetworkObserver) -> DataPages {
        DataPages {
            observer: Some(observer),
            ..self
        }
    }
}

/// The `page` object of a data page: what the base template reads for
/// `<title>` and meta tags, shaped like a content page.
pub fn page_object(net: &Network, title: &str, description: &str, path: &str) -> Value {
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
        DataPages::NAME
    }

    fn contribute(&self, root: &Path, config: &Arc<Config>) -> Result<Contribution> {
        if !crate::data::has_data(root) {
            return Ok(Contribution::default());
        }
        let laps = maillage_engine::timing::Laps::start("  data: ");
        let lap = |what: &str| laps.lap(what);
        let now = clock::now();
        network::site_zone(config)?;
        network::site_urls(config)?;
        let result_pages = network::result_pages(config)?;
        let mut loaded = match &self.files_read {
            Some(files_read) => crate::data::load_through(root, now, files_read)?,
            None => crate::data::load_through(root, now, &crate::data::FilesRead::saved())?,
        };
        if let Some(overlay) = &self.overlay {
            overlay(&mut loaded.data);
        }
        lap("loaded and validated");
        let net = Arc::new(Network::new(loaded.data, config.clone(), now));
        lap("linked");
        if let Some(observer) = &self.observer {
            observer(&net);
        }
        if let Some(last) = &self.last {
            last.set(&net);
        }
        let has_forms = !net.data.meetups.is_empty();
        let clock_span = net.clock_span();
        // Once per build: the figures pages and their files share them.
        let figures = Arc::new(Figures::of(&net));
        let figures_files = crate::figures::files::all(&net, &figures);
        lap("figures counted, their files written");
        let mut contribution = contribution(net, figures, loaded.warnings);
        contribution.files.extend(figures_files);
        contribution.clock_span = Some(clock_span);
        if has_forms {
            contribution.required_pages = required_pages(&result_pages);
        }
        lap("files and page list");
        Ok(contribution)
    }

    /// `data/`, unless live figures are laid over it (a store's, which
    /// are not files).
    fn inputs(&self, _root: &Path, _config: &Config) -> Option<Vec<std::path::PathBuf>> {
        match (&self.overlay, &self.observer) {
            (None, None) => Some(vec!["data".into()]),
            _ => None,
        }
    }

    /// An edit of files of meetups that changes only what the meetups
    /// show (a title, a description, ...: see
    /// [`Network::with_meetups_read_again`]) renders again what shows
    /// them, as a change of their figures does; any other change of
    /// `data/` loads the site again.
    fn refresh(&self, root: &Path, changed: &[PathBuf]) -> Option<Refresh> {
        let (files_read, last) = (self.files_read.as_ref()?, self.last.as_ref()?);
        let net = last.get()?;
        let laps = maillage_engine::timing::Laps::start("  data edit: ");
        let mut files = Vec::with_capacity(changed.len());
        for path in changed {
            let rel = path.strip_prefix(root).ok()?;
            let index = net.data.files.iter().position(|f| f.path == rel)?;
            let (file, meetups) = files_read.meetups_read_again(root, path, index)?;
            files.push((index, file, meetups));
        }
        laps.lap("read again");
        let (new, edited) = net.with_meetups_read_again(files)?;
        let new = Arc::new(new);
        laps.lap("network patched");
        if let Some(tell) = &self.edited {
            if !tell(&net, &new, &edited) {
                return None;
            }
        }
        laps.lap("told");
        last.set(&new);
        let ids = edited
            .iter()
            .map(|&m| new.data.meetups[m].id.clone())
            .collect();
        // What an entry says is in no figure.
        let showing = Showing::meetups(&new, &ids).without_figures();
        let refresh = refresh_showing(new, showing);
        laps.lap("page list made");
        Some(refresh)
    }
}

/// The data pages of `net`, and what to render again of them: the pages
/// that read what `showing` says changed, and its files.
pub fn refresh_showing(net: Arc<Network>, showing: Showing) -> Refresh {
    let (reads, first) = (showing.reads.clone(), showing.first.clone());
    // The files are made while the page list is made and the pages
    // render, on a thread outside the pool: waiting for them never holds
    // a pool thread they need. Their bytes are made there too, calendars
    // included, which a build makes only when it writes them.
    let for_files = net.clone();
    let files = std::thread::spawn(move || {
        files_showing(&for_files, &showing)
            .into_par_iter()
            .map(|file| ExtraFile {
                bytes: FileBytes::Ready(file.bytes.get().into_owned()),
                ..file
            })
            .collect::<Vec<_>>()
    });
    Refresh {
        pages: pages(net),
        reads,
        first,
        files: Box::new(move || {
            files
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        }),
    }
}

/// What a page lists: the summaries themselves, or nothing in their place
/// (`null`) for a fingerprint made from the summaries' own.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Shown {
    Summaries,
    LeftOut,
}

impl Shown {
    /// The summaries of region `r`'s places.
    fn places(self, net: &Network, r: usize) -> Value {
        self.places_of(net, &net.region_places[r])
    }

    /// The summaries of `places`.
    fn places_of(self, net: &Network, places: &[usize]) -> Value {
        match self {
            Shown::Summaries => Value::Array(
                places
                    .iter()
                    .map(|&p| Value::clone(net.place_summary(p)))
                    .collect(),
            ),
            Shown::LeftOut => Value::Null,
        }
    }

    /// The summaries of `meetups`.
    fn meetups(self, net: &Network, meetups: &[usize]) -> Value {
        match self {
            Shown::Summaries => Value::Array(net.summaries(meetups.iter().copied())),
            Shown::LeftOut => Value::Null,
        }
    }
}

/// One data page.
#[derive(Debug, Clone, Copy)]
enum Spec {
    Meetup(usize),
    Place(usize),
    Listing(Listing, usize),
    PlacesIndex,
    /// Index in [`Builder::types`].
    PlaceType(usize),
    RegionsIndex,
    Region(usize),
    Map,
    /// The network's figures (`None`) or a region's.
    Figures(Option<usize>),
    Partners(partners::Filter),
    /// The meetup proposal form.
    Proposal,
}

/// Builds each data page's context when the page renders (see
/// [`PageContext::Deferred`]), from values shared by all of them.
struct Builder {
    net: Arc<Network>,
    specs: Vec<Spec>,
    /// Each place with its details, built by the first page that needs it.
    places_full: Vec<OnceLock<Value>>,
    /// Fingerprints of the values many pages show, made once: each
    /// meetup's summary, each place in full.
    summary_fingerprints: Vec<OnceLock<Fingerprint>>,
    place_fingerprints: Vec<OnceLock<Fingerprint>>,
    place_summary_fingerprints: Vec<OnceLock<Fingerprint>>,
    upcoming: Vec<usize>,
    past: Vec<usize>,
    types: Vec<(PlaceType, Vec<usize>)>,
    figures: Arc<Figures>,
}

impl ContextBuilder for Builder {
    fn build(&self, index: usize) -> Map<String, Value> {
        let net = &self.net;
        match self.specs[index] {
            Spec::Meetup(m) => meetup::page(net, m, self.place_full(net.meetup_place[m])),
            Spec::Place(p) => places::page(net, p, self.place_full(p)),
            Spec::Listing(listing, n) => listings::pager(net, listing, self.listed(listing), n),
            Spec::PlacesIndex => places::index(net, Shown::Summaries),
            Spec::PlaceType(t) => {
                let (kind, places) = &self.types[t];
                places::type_page(net, *kind, places, Shown::Summaries)
            }
            Spec::RegionsIndex => regions::index(net),
            Spec::Region(r) => regions::page(net, r, Shown::Summaries),
            Spec::Map => regions::map_page(net, Shown::Summaries),
            Spec::Figures(region) => {
                maillage_engine::render::trace::note_read(|| [network::FIGURES_READ]);
                figures::page(net, &self.figures, region)
            }
            Spec::Partners(filter) => partners::page(net, filter),
            Spec::Proposal => proposal::page(net),
        }
    }

    /// The meetup pages, the listings, the places' and regions' pages, the
    /// list of places and the map, which show summaries and places many
    /// pages share, are fingerprinted from those values' fingerprints: a
    /// build that keeps them copies none.
    fn fingerprint(&self, index: usize) -> Option<Fingerprint> {
        let net = &self.net;
        let summary = |m| self.summary_fingerprint(m);
        match self.specs[index] {
            Spec::Meetup(m) => Some(meetup::fingerprint(net, m, summary, |p| {
                self.place_fingerprint(p)
            })),
            Spec::Listing(listing, n) => {
                let (fields, shown) =
                    listings::pager_without_summaries(net, listing, self.listed(listing), n);
                let mut parts = vec![fingerprint_fields(&fields)];
                parts.extend(shown.iter().map(|&m| summary(m)));
                Some(fingerprint_parts(&parts))
            }
            Spec::PlacesIndex => {
                let head = fingerprint_fields(&places::index(net, Shown::LeftOut));
                Some(self.with_all_places(head))
            }
            Spec::PlaceType(t) => {
                let (kind, places) = &self.types[t];
                let mut parts = vec![fingerprint_fields(&places::type_page(
                    net,
                    *kind,
                    places,
                    Shown::LeftOut,
                ))];
                self.extend_with_places(&mut parts, places);
                Some(fingerprint_parts(&parts))
            }
            Spec::Map => {
                let head = fingerprint_fields(&regions::map_page(net, Shown::LeftOut));
                Some(self.with_all_places(head))
            }
            Spec::Region(r) => {
                let mut parts = vec![fingerprint_fields(&regions::page(net, r, Shown::LeftOut))];
                self.extend_with_places(&mut parts, &net.region_places[r]);
                let upcoming = regions::upcoming_shown(net, r);
                parts.push(upcoming.len() as Fingerprint);
                parts.extend(upcoming.iter().map(|&m| summary(m)));
                Some(fingerprint_parts(&parts))
            }
            Spec::Place(p) => {
                let (upcoming, past) = places::listed(net, p);
                let mut parts = vec![
                    self.place_fingerprint(p),
                    fingerprint_value(&places::page_value(net, p)),
                    upcoming.len() as Fingerprint,
                ];
                parts.extend(upcoming.iter().chain(&past).map(|&m| summary(m)));
                Some(fingerprint_parts(&parts))
            }
            _ => None,
        }
    }
}

impl Builder {
    /// Place `p` in full, made once: every page that takes it notes the
    /// read of the place's summary, not only the first, which made it.
    fn place_full(&self, p: usize) -> &Value {
        self.net.note_place_read(p);
        self.places_full[p].get_or_init(|| places::full(&self.net, p))
    }

    fn listed(&self, listing: Listing) -> &[usize] {
        match listing {
            Listing::Upcoming => &self.upcoming,
            Listing::Past => &self.past,
        }
    }

    fn summary_fingerprint(&self, m: usize) -> Fingerprint {
        *self.summary_fingerprints[m].get_or_init(|| self.net.summary_fingerprint(m))
    }

    /// A fingerprint of [`places::full`], made from what it is made of: the
    /// place's summary and its entry (the rest is the configuration, which
    /// keys the cache). A build that keeps the place's pages renders none
    /// of its Markdown.
    fn place_fingerprint(&self, p: usize) -> Fingerprint {
        *self.place_fingerprints[p].get_or_init(|| {
            fingerprint_parts(&[
                self.place_summary_fingerprint(p),
                fingerprint_hashed(&self.net.data.places[p]),
            ])
        })
    }

    fn place_summary_fingerprint(&self, p: usize) -> Fingerprint {
        *self.place_summary_fingerprints[p].get_or_init(|| self.net.place_summary_fingerprint(p))
    }

    /// Adds to `parts` the fingerprints of `places`' summaries, after
    /// their count.
    fn extend_with_places(&self, parts: &mut Vec<Fingerprint>, places: &[usize]) {
        parts.push(places.len() as Fingerprint);
        parts.extend(places.iter().map(|&p| self.place_summary_fingerprint(p)));
    }

    /// The fingerprint of a page that shows every region's places, from
    /// `head`, the page's without them ([`Shown::LeftOut`]).
    fn with_all_places(&self, head: Fingerprint) -> Fingerprint {
        let mut parts = vec![head];
        for r in 0..self.net.data.regions.len() {
            self.extend_with_places(&mut parts, &self.net.region_places[r]);
        }
        fingerprint_parts(&parts)
    }

    /// What the page comes from: a data entry, or a list of the network.
    fn source(&self, spec: Spec) -> Source {
        let data = &self.net.data;
        match spec {
            Spec::Meetup(m) => {
                let meetup = &data.meetups[m];
                data.source(meetup.origin, format!("the page of meetup `{}`", meetup.id))
            }
            Spec::Place(p) => {
                let place = &data.places[p];
                data.source(place.origin, format!("the page of place `{}`", place.id))
            }
            Spec::Region(r) => {
                let region = &data.regions[r];
                data.source(
                    region.origin,
                    format!("the page of region `{}`", region.slug),
                )
            }
            Spec::Listing(Listing::Upcoming, n) => {
                Source::part(format!("page {n} of the list of meetups to come"))
            }
            Spec::Listing(Listing::Past, n) => {
                Source::part(format!("page {n} of the list of past meetups"))
            }
            Spec::PlacesIndex => Source::part("the list of places"),
            Spec::PlaceType(t) => Source::part(format!(
                "the list of places of type `{}`",
                self.types[t].0.code()
            )),
            Spec::RegionsIndex => Source::part("the list of regions"),
            Spec::Map => Source::part("the map"),
            Spec::Figures(None) => Source::part("the network's figures"),
            Spec::Figures(Some(r)) => {
                Source::part(format!("the figures of region `{}`", data.regions[r].slug))
            }
            Spec::Partners(filter) => Source::part(filter.describe()),
            Spec::Proposal => Source::part("the meetup proposal form"),
        }
    }

    /// Places are found by the site's search (name, commune, type and
    /// region); meetups, too many on a national site, are reached from
    /// their place.
    fn search_entry(&self, spec: Spec) -> Option<SearchEntry> {
        let Spec::Place(p) = spec else { return None };
        let net = &self.net;
        let place = &net.data.places[p];
        Some(SearchEntry {
            title: format!("{} · {}", place.name, net.place_commune[p]),
            description: format!(
                "{}, {}, {}",
                place.kind.label(),
                place.commune,
                net.data.regions[net.place_region[p]].name
            ),
        })
    }

    fn path_and_template(&self, spec: Spec) -> (String, &'static str) {
        let data = &self.net.data;
        match spec {
            Spec::Meetup(m) => (self.net.meetup_path(m).to_string(), "meetup.html"),
            Spec::Place(p) => (self.net.urls.place(&data.places[p].id), "place.html"),
            Spec::Listing(listing, n) => (listings::path(&self.net, listing, n), "meetups.html"),
            Spec::PlacesIndex => (self.net.urls.places.clone(), "places.html"),
            Spec::PlaceType(t) => (
                self.net.urls.place_type(self.types[t].0.code()),
                "place-type.html",
            ),
            Spec::RegionsIndex => (self.net.urls.regions.clone(), "regions.html"),
            Spec::Region(r) => (self.net.urls.region(&data.regions[r].slug), "region.html"),
            Spec::Map => (self.net.urls.map.clone(), "map.html"),
            Spec::Figures(region) => (crate::figures::path(&self.net, region), "figures.html"),
            Spec::Partners(filter) => (filter.path(&self.net), "partners.html"),
            Spec::Proposal => (
                proposal::path(&self.net).unwrap_or_default(),
                "proposal.html",
            ),
        }
    }
}

/// The map's and calendars' files, and every page with a deferred context.
fn contribution(
    net: Arc<Network>,
    figures: Arc<Figures>,
    warnings: Vec<crate::error::Diagnostic>,
) -> Contribution {
    let (mut files, calendars) =
        rayon::join(|| crate::map::files(&net), || crate::calendar::files(&net));
    files.extend(calendars);
    Contribution {
        pages: pages_with(net, figures),
        files,
        warnings,
        ..Default::default()
    }
}

/// The result pages the function sends people to, which the site must
/// have once it shows forms.
fn required_pages(pages: &ResultPages) -> Vec<RequiredPage> {
    pages
        .all()
        .into_iter()
        .map(|(key, path, when)| RequiredPage {
            path: path.to_string(),
            source: Source::key(
                "config.toml",
                format!("extra.result_pages.{key}"),
                None,
                format!("result page `{key}`"),
            ),
            why: format!(
                "by the forms {when} (or set another path as extra.result_pages.{key} in config.toml)"
            ),
        })
        .collect()
}

/// Every data page, its context deferred. The list depends only on the
/// data and the date, never on live figures: a page keeps its place in it.
pub fn pages(net: Arc<Network>) -> Vec<ExtraPage> {
    let figures = Arc::new(Figures::of(&net));
    pages_with(net, figures)
}

/// [`pages`], with the figures already computed.
fn pages_with(net: Arc<Network>, figures: Arc<Figures>) -> Vec<ExtraPage> {
    let (upcoming, past) = (Listing::Upcoming.meetups(&net), Listing::Past.meetups(&net));
    let types = places::by_type(&net);
    let mut specs: Vec<Spec> =
        Vec::with_capacity(net.data.meetups.len() + net.data.places.len() + 64);
    // The costliest pages first, so that they do not run alone at the end
    // of the build: the map and the regions list whole networks.
    specs.push(Spec::Map);
    specs.extend((0..net.data.regions.len()).map(Spec::Region));
    specs.push(Spec::RegionsIndex);
    specs.push(Spec::Figures(None));
    specs.extend((0..net.data.regions.len()).map(|r| Spec::Figures(Some(r))));
    specs.push(Spec::PlacesIndex);
    specs.extend((0..types.len()).map(Spec::PlaceType));
    specs.extend(partners::filters(&net).into_iter().map(Spec::Partners));
    if proposal::path(&net).is_some() {
        specs.push(Spec::Proposal);
    }
    for (listing, list) in [(Listing::Upcoming, &upcoming), (Listing::Past, &past)] {
        let count = listings::pager_count(&net, list.len());
        specs.extend((1..=count).map(|n| Spec::Listing(listing, n)));
    }
    specs.extend((0..net.data.places.len()).map(Spec::Place));
    specs.extend((0..net.data.meetups.len()).map(Spec::Meetup));
    let places_full = (0..net.data.places.len())
        .map(|_| OnceLock::new())
        .collect();
    let place_fingerprints = (0..net.data.places.len())
        .map(|_| OnceLock::new())
        .collect();
    let place_summary_fingerprints = (0..net.data.places.len())
        .map(|_| OnceLock::new())
        .collect();
    let summary_fingerprints = (0..net.data.meetups.len())
        .map(|_| OnceLock::new())
        .collect();
    let builder = Arc::new(Builder {
        net,
        specs,
        places_full,
        summary_fingerprints,
        place_fingerprints,
        place_summary_fingerprints,
        upcoming,
        past,
        types,
        figures,
    });
    let shared: Arc<dyn ContextBuilder> = builder.clone();
    builder
        .specs
        .iter()
        .enumerate()
        .map(|(index, &spec)| {
            let (path, template) = builder.path_and_template(spec);
            ExtraPage {
                path,
                template: template.into(),
                context: PageContext::Deferred {
                    builder: shared.clone(),
                    index,
                },
                lang: None,
                in_sitemap: true,
                updated: None,
                source: builder.source(spec),
                search: builder.search_entry(spec),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::Arc;

    use maillage_engine::config::Config;
    use maillage_engine::render::trace::Fingerprint;
    use serde_json::{Map, Value};

    use super::network::Network;
    use crate::data::DataSet;

    type Snapshot = Vec<(String, Option<Fingerprint>, Map<String, Value>)>;

    /// The demo's data changed by `change`, linked at `now` (the demo's
    /// pinned clock when `None`).
    fn demo_network(
        change: impl FnOnce(&mut DataSet),
        now: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Network {
        std::env::set_var(maillage_model::clock::NOW_VAR, "2026-11-22T12:00");
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        let config = Arc::new(Config::load(&root.join("config.toml"), &root).unwrap());
        let now = now.unwrap_or_else(maillage_model::clock::now);
        let mut data = crate::data::load(&root, now).unwrap().data;
        change(&mut data);
        Network::new(data, config, now)
    }

    /// Every data page of the demo's data changed by `change`: its path,
    /// the fingerprint made without its fields, and its fields.
    fn snapshot(change: impl FnOnce(&mut DataSet)) -> Snapshot {
        super::pages(Arc::new(demo_network(change, None)))
            .iter()
            .map(|p| {
                let fields = p.context.fields().into_owned();
                (p.path.clone(), p.context.fingerprint(), fields)
            })
            .collect()
    }

    /// A data page fingerprinted without its fields (from the
    /// fingerprints of the summaries and places it shares with others)
    /// has a fingerprint that changes exactly when its fields do: checked
    /// on every such page of the demo after changes that reach pages
    /// through those shared values.
    #[test]
    fn fingerprints_made_without_the_fields_follow_the_fields() {
        let before = snapshot(|_| {});
        let fingerprinted = before.iter().filter(|(_, f, _)| f.is_some()).count();
        let meetups = before
            .iter()
            .filter(|(path, _, _)| path.starts_with("/rencontres/"))
            .count();
        assert!(
            fingerprinted >= meetups && meetups > 50,
            "{fingerprinted} pages fingerprinted, {meetups} under /rencontres/"
        );
        type Change = fn(&mut DataSet);
        let changes: [(&str, Change); 5] = [
            ("a place's name", |data| {
                data.places[0].name.push_str(" (annexe)")
            }),
            ("a place's accessibility", |data| {
                let place = data.meetups[0].place.clone();
                let place = data.places.iter_mut().find(|p| p.id == place).unwrap();
                place.accessibility = Some("Rampe d'accès côté cour.".into());
            }),
            ("a report's improvements", |data| {
                let report = Arc::make_mut(&mut data.live)
                    .meetups
                    .values_mut()
                    .filter_map(|m| m.report.as_mut())
                    .find(|r| r.improvements.is_some())
                    .unwrap();
                report.improvements = Some("Commencer à l'heure.".into());
            }),
            ("the titles of the first and the last meetups", |data| {
                let first = (0..data.meetups.len()).min_by_key(|&m| data.meetups[m].start);
                let last = (0..data.meetups.len()).max_by_key(|&m| data.meetups[m].start);
                for m in [first, last].into_iter().flatten() {
                    meetup(data, m).title.push_str(" (modifiée)");
                }
            }),
            ("live figures", |data| {
                let id = data.meetups[5].id.clone();
                Arc::make_mut(&mut data.live)
                    .meetups
                    .entry(id)
                    .or_default()
                    .confirmed += 1;
            }),
        ];
        for (what, change) in changes {
            let after = snapshot(change);
            assert_eq!(before.len(), after.len(), "{what}: pages added or removed");
            let mut changed = 0;
            for ((path, old, old_fields), (_, new, new_fields)) in before.iter().zip(&after) {
                let (Some(old), Some(new)) = (old, new) else {
                    continue;
                };
                let same_fields = old_fields == new_fields;
                assert_eq!(
                    same_fields,
                    old == new,
                    "{what}: {path}: the fields are {} but the fingerprint is {}",
                    if same_fields { "the same" } else { "different" },
                    if old == new { "the same" } else { "different" },
                );
                changed += usize::from(!same_fields);
            }
            assert!(changed > 0, "{what}: no fingerprinted page changed");
        }
    }

    type Change = fn(&mut DataSet);

    /// Meetup `m` of `data`, to change.
    fn meetup(data: &mut DataSet, m: usize) -> &mut crate::data::Meetup {
        Arc::make_mut(&mut data.meetups[m])
    }

    /// A network patched with meetups read again is the network linked
    /// from the same data, when only what meetups show changed; an edit
    /// that changes how the network links is refused.
    #[test]
    fn meetups_read_again_patch_only_what_they_show() {
        let net = demo_network(|_| {}, None);
        // Every summary made before: the patch must make the edited ones again.
        for i in 0..net.data.meetups.len() {
            net.meetup_summary(i);
        }
        let m = 3;
        let file = net.data.meetups[m].origin.file as usize;
        let read_again = |change: &dyn Fn(&mut crate::data::Meetup)| {
            let mut meetups: Vec<crate::data::Meetup> = net
                .data
                .meetups
                .iter()
                .filter(|x| x.origin.file as usize == file)
                .map(|x| crate::data::Meetup::clone(x))
                .collect();
            let at = meetups
                .iter()
                .position(|x| x.id == net.data.meetups[m].id)
                .unwrap();
            change(&mut meetups[at]);
            let source = crate::data::SourceFile::clone(&net.data.files[file]);
            net.with_meetups_read_again(vec![(file, source, meetups)])
        };
        let (patched, edited) = read_again(&|x| {
            x.title.push_str(" (bis)");
            x.description = Some("Une autre description.".into());
        })
        .expect("a title and a description are only shown");
        assert_eq!(edited, vec![m]);
        let linked = demo_network(
            |d| {
                let x = meetup(d, m);
                x.title.push_str(" (bis)");
                x.description = Some("Une autre description.".into());
            },
            None,
        );
        for i in 0..net.data.meetups.len() {
            assert_eq!(
                patched.meetup_summary(i),
                linked.meetup_summary(i),
                "summary {i}"
            );
        }
        for p in 0..net.data.places.len() {
            assert_eq!(
                patched.place_summary(p),
                linked.place_summary(p),
                "place {p}"
            );
        }
        assert_eq!(patched.data.meetups, linked.data.meetups);
        let (nothing, edited) = read_again(&|_| {}).unwrap();
        assert!(edited.is_empty());
        assert_eq!(nothing.data.meetups, net.data.meetups);
        type Edit = fn(&mut crate::data::Meetup);
        let refused: [(&str, Edit); 6] = [
            ("id", |x| x.id.push_str("-bis")),
            ("start", |x| x.start -= chrono::Duration::hours(1)),
            ("capacity", |x| x.capacity += 1),
            ("place", |x| x.place.push_str("-ailleurs")),
            ("status", |x| {
                x.status = maillage_model::meetup::MeetupStatus::Cancelled
            }),
            ("registration", |x| x.registration = None),
        ];
        for (what, edit) in refused {
            assert!(read_again(&edit).is_none(), "{what} was patched");
        }
    }

    /// A change of each field of a meetup's entry, of the place, region,
    /// module and series it shows, of the live figures and of a report.
    fn entry_changes() -> Vec<(&'static str, Change)> {
        use crate::data::MeetupKind;
        use maillage_model::meetup::MeetupStatus;
        vec![
            ("id", |d| meetup(d, 3).id.push_str("-bis")),
            ("title", |d| meetup(d, 3).title.push_str(" (bis)")),
            ("kind", |d| {
                let m = d
                    .meetups
                    .iter_mut()
                    .find(|m| matches!(m.kind, MeetupKind::Training { .. }))
                    .map(Arc::make_mut)
                    .unwrap();
                if let MeetupKind::Training { week, .. } = &mut m.kind {
                    *week = if *week == 1 { 3 } else { 1 };
                }
            }),
            ("start", |d| {
                meetup(d, 3).start -= chrono::Duration::hours(1)
            }),
            ("end", |d| meetup(d, 3).end += chrono::Duration::hours(1)),
            ("place", |d| {
                let other = d
                    .places
                    .iter()
                    .find(|p| p.id != d.meetups[3].place)
                    .unwrap();
                meetup(d, 3).place = other.id.clone();
            }),
            ("capacity", |d| meetup(d, 3).capacity += 1),
            ("registration window", |d| {
                for m in d.meetups.iter_mut().map(Arc::make_mut) {
                    m.registration = Some(crate::data::Window {
                        opens: Some(m.start - chrono::Duration::days(400)),
                        closes: Some(m.start - chrono::Duration::days(1)),
                    });
                }
            }),
            ("status", |d| {
                for m in d.meetups.iter_mut().map(Arc::make_mut) {
                    m.status = MeetupStatus::Cancelled;
                }
            }),
            ("time zone", |d| {
                meetup(d, 3).time_zone = maillage_model::zone::parse("America/Cayenne").unwrap()
            }),
            ("place name", |d| d.places[0].name.push_str(" (annexe)")),
            ("place type", |d| {
                d.places[0].kind = crate::data::PlaceType::ALL
                    .into_iter()
                    .find(|k| *k != d.places[0].kind)
                    .unwrap()
            }),
            ("place commune", |d| {
                d.places[0].commune.push_str("-Village")
            }),
            ("place department", |d| {
                // Two places of one commune in two departments: the
                // commune is then named with its department.
                d.places[1].commune = d.places[0].commune.clone();
                d.places[1].department = format!("{}0", d.places[0].department);
            }),
            ("place id", |d| {
                let old = d.places[0].id.clone();
                d.places[0].id.push_str("-bis");
                for m in d
                    .meetups
                    .iter_mut()
                    .filter(|m| m.place == old)
                    .map(Arc::make_mut)
                {
                    m.place = d.places[0].id.clone();
                }
            }),
            ("region name", |d| d.regions[0].name.push_str(" (ouest)")),
            ("module title", |d| d.modules[0].title.push_str(" (bis)")),
            ("series title", |d| d.series[0].title.push_str(" (bis)")),
            ("live figures", |d| {
                for m in &d.meetups {
                    Arc::make_mut(&mut d.live)
                        .meetups
                        .entry(m.id.clone())
                        .or_default()
                        .confirmed += 1;
                }
            }),
            ("a report published", |d| {
                for m in &d.meetups {
                    let figures = Arc::make_mut(&mut d.live)
                        .meetups
                        .entry(m.id.clone())
                        .or_default();
                    if figures.report.is_none() {
                        figures.report = Some(Default::default());
                    }
                }
            }),
        ]
    }

    /// Checks that `made` (named values, each with its fingerprint made
    /// from what the value is made of) gives a new fingerprint wherever
    /// the value changes, after each of [`entry_changes`] and after the
    /// clock moves on 7, 30 and 365 days.
    fn fingerprints_follow<T: PartialEq>(
        what: &str,
        made: impl Fn(Arc<Network>) -> Vec<(String, T, Fingerprint)>,
    ) {
        let before = Arc::new(demo_network(|_| {}, None));
        let old = made(before.clone());
        let later = |days: i64| Some(before.now + chrono::Duration::days(days));
        let mut cases: Vec<(String, Network)> = entry_changes()
            .into_iter()
            .map(|(change, apply)| (change.to_string(), demo_network(apply, None)))
            .collect();
        for days in [7, 30, 365] {
            cases.push((
                format!("{days} days later"),
                demo_network(|_| {}, later(days)),
            ));
        }
        // The changes must reach the values, most of them at least.
        let (mut changing, count) = (0, cases.len());
        for (change, after) in cases {
            let after = Arc::new(after);
            let new = made(after.clone());
            assert_eq!(old.len(), new.len(), "{change}");
            let changed = old
                .iter()
                .zip(&new)
                .filter(|((_, a, _), (_, b, _))| a != b)
                .count();
            changing += usize::from(changed > 0);
            for ((name, old_value, old_fp), (_, new_value, new_fp)) in old.iter().zip(&new) {
                if old_value != new_value {
                    assert_ne!(
                        old_fp, new_fp,
                        "{change}: the {what} of {name} changed, its fingerprint did not"
                    );
                }
            }
        }
        assert!(
            changing * 2 >= count,
            "{changing} of {count} changes reach a {what}"
        );
    }

    /// A meetup's summary fingerprint, made from what the summary is made
    /// of, changes whenever the summary does.
    #[test]
    fn summary_fingerprints_follow_the_summaries() {
        fingerprints_follow("summary", |net| {
            (0..net.data.meetups.len())
                .map(|m| {
                    (
                        net.data.meetups[m].id.clone(),
                        Value::clone(net.meetup_summary(m)),
                        net.summary_fingerprint(m),
                    )
                })
                .collect()
        });
    }

    /// A place's summary fingerprint, made from what the summary is made
    /// of, changes whenever the summary does.
    #[test]
    fn place_summary_fingerprints_follow_the_summaries() {
        fingerprints_follow("place summary", |net| {
            (0..net.data.places.len())
                .map(|p| {
                    (
                        net.data.places[p].id.clone(),
                        Value::clone(net.place_summary(p)),
                        net.place_summary_fingerprint(p),
                    )
                })
                .collect()
        });
    }
}
