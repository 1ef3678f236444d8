//! `maillage serve` with the function: the whole loop on one machine.
//!
//! At start the embedded store is opened, the meetup definitions of `data/`
//! are synced into it and its public figures are read; the site is built
//! with those figures over `data/live/aggregates.json`, and the function is
//! mounted under `/api/`. After each accepted registration, cancellation or
//! report, the function tells [`LiveSink`]; a worker thread reads that
//! meetup's figures back from the store, patches them into the linked
//! network of the last build ([`Network::with_figures`]: nothing is read
//! from `data/` again), and re-renders, in memory, only the pages whose
//! last render read that meetup (each data page notes the meetups whose
//! summaries it takes, those of its places' next meetups included, in its
//! trace: the meetup's page and its neighbours', its place's page, the
//! listing pager, region page and lists of places that show it, the
//! figures when it was held), and the files that show it
//! ([`crate::pages::Showing`]: the calendars, the GeoJSON files, the feed).
//! When `data/` changes, the definitions the rebuild reads are synced into
//! the store before its pages are served.
//! An edit that changes only what meetups show (a title, a description)
//! is applied the same way, without the site loaded again
//! ([`DataPages::refreshing_edits`]): their changed definitions are
//! written into the store, and what shows them is rendered again.
//!
//! Pages are replaced without a live-reload signal: a person filling in a
//! form must not lose it because someone else registered.
//!
//! The date changes pages too: when a meetup's registrations open or close,
//! or when it starts or ends, the site is rebuilt with the new date. The
//! same clock sends the automatic reminders as they fall due
//! ([`Function::send_due_reminders`]).

use std::collections::BTreeSet;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use maillage_function::handler::config::RATE_LIMIT_VAR;
use maillage_function::handler::{Function, FunctionConfig};
use maillage_model::clock;
use maillage_model::events::{Event, EventSink};
use maillage_model::meetup::{LiveAggregates, MeetupAggregate};
use maillage_store::Store;

use crate::build::{BuildOptions, Site};
use crate::data::DataSet;
use crate::failure::{Failure, Outcome};
use crate::pages::network::Network;
use crate::pages::{DataPages, LastNetwork, Showing};
use crate::serve::{Hooks, Limits, Refreshed, ServeHandle, SiteHandle};
use crate::site::Refresh;
use crate::store_cli::{self, StoreSpec};

/// The longest wait between two looks at the date: the clock may be set
/// (`MAILLAGE_NOW`) or the machine may sleep.
const CLOCK_CHECK: Duration = Duration::from_secs(60);

/// Requests per client and minute when `MAILLAGE_RATE_LIMIT` is not set:
/// generous, since on a laptop every browser tab of every tester shares
/// one address.
const LOCAL_RATE_LIMIT_PER_MINUTE: u32 = 10_000;

/// What the live loop shares between the site build and the event worker.
/// The figures themselves live in the store: each build reads them all, each
/// event the meetup's; the network of the last build holds what is shown.
struct LiveState {
    /// Runs the store's calls for threads outside any runtime (builds, the
    /// watcher, the event worker).
    runtime: tokio::runtime::Runtime,
    store: Arc<dyn Store>,
    /// The network of the last build as served (figures patched since), to
    /// find what shows a meetup.
    network: LastNetwork,
    /// The definitions of `data/` changed since the store was last synced:
    /// the next build syncs them from the data it loaded, before its pages
    /// are served.
    unsynced: AtomicBool,
    /// The last sync failed: an edit of meetups then loads the site again,
    /// which syncs every definition, rather than syncing only its own.
    sync_failed: AtomicBool,
    /// The site's options (their configuration gives the definitions'
    /// links) and the store's, to sync.
    options: BuildOptions,
    spec: StoreSpec,
}

impl LiveState {
    /// A build loaded `data`: the store is synced from it first when its
    /// definitions changed (the store's figures count against them), then
    /// the store's figures are put over `data/live/`'s: seats and waiting
    /// lists are the store's; a report published in `data/live/` stays
    /// unless the store has one for the same meetup.
    fn loaded(&self, data: &mut DataSet) {
        self.sync_if_changed(data);
        self.overlay(Arc::make_mut(&mut data.live));
    }

    /// Syncs the definitions of `data` into the store when `data/` changed
    /// since the last sync (or at start), from the data the build read
    /// rather than reading it again.
    fn sync_if_changed(&self, data: &DataSet) {
        if !self.unsynced.swap(false, Ordering::SeqCst) {
            return;
        }
        let synced = crate::build::load_config(&self.options)
            .and_then(|config| {
                let urls = crate::pages::network::site_urls(&config)?;
                Ok(store_cli::definitions_of(data, &config, &urls))
            })
            .map_err(Failure::from)
            .and_then(|definitions| sync_definitions(&self.spec, self, &definitions));
        let failed = synced.is_err();
        if let Err(e) = synced {
            eprintln!("not synced: {e}");
            self.unsynced.store(true, Ordering::SeqCst);
        }
        self.sync_failed.store(failed, Ordering::SeqCst);
    }

    /// Meetups edited in place (`edited`, from `before` to `after`): the
    /// definitions that changed (a title, a report key) are written into
    /// the store, and `data/` counts as synced. `false` when a sync failed
    /// before (the site is then loaded again, which syncs everything) or
    /// this one fails.
    fn edited(&self, before: &Network, after: &Network, edited: &[usize]) -> bool {
        if self.sync_failed.load(Ordering::SeqCst) {
            return false;
        }
        let (old, new) = (
            crate::data::meetup_definitions(&before.data, &before.config, &before.urls, edited),
            crate::data::meetup_definitions(&after.data, &after.config, &after.urls, edited),
        );
        let changed: Vec<_> = new
            .into_iter()
            .zip(old)
            .filter(|(new, old)| new != old)
            .map(|(new, _)| new)
            .collect();
        if !changed.is_empty() {
            if let Err(e) = self.runtime.block_on(self.store.put_meetups(&changed)) {
                eprintln!("not synced: {e}");
                return false;
            }
            println!(
                "Synced into {}: {} meetups updated",
                self.spec.describe(),
                changed.len()
            );
        }
        self.unsynced.store(false, Ordering::SeqCst);
        true
    }

    fn overlay(&self, live: &mut LiveAggregates) {
        let figures = match self.runtime.block_on(self.store.aggregates()) {
            Ok(figures) => figures,
            Err(e) => {
                eprintln!("cannot read the store's figures, showing data/live/'s: {e}");
                return;
            }
        };
        for (id, aggregate) in figures.meetups {
            let entry = live.meetups.entry(id).or_default();
            entry.confirmed = aggregate.confirmed;
            entry.waiting = aggregate.waiting;
            entry.cancelled |= aggregate.cancelled;
            if aggregate.report.is_some() {
                entry.report = aggregate.report;
            }
        }
    }

    /// The store's figures of the meetups `ids` it knows.
    fn figures_of(&self, ids: &BTreeSet<String>) -> Vec<(String, MeetupAggregate)> {
        ids.iter()
            .filter_map(|id| match self.runtime.block_on(self.store.aggregate(id)) {
                Ok(aggregate) => Some((id.clone(), aggregate)),
                Err(e) => {
                    eprintln!("cannot read the figures of {id}: {e}");
                    None
                }
            })
            .collect()
    }

    /// The data pages with the store's figures, keeping each network they
    /// link, and syncing the meetups an edit changes in place.
    fn data_pages(self: &Arc<Self>) -> DataPages {
        let (overlay, edits) = (self.clone(), self.clone());
        DataPages::with_live_overlay(Arc::new(move |data| overlay.loaded(data)))
            .remembering_files_read()
            .refreshing_edits(
                self.network.clone(),
                Arc::new(move |before, after, edited| edits.edited(before, after, edited)),
            )
    }
}

/// One change the handler reported, and when.
struct Changed {
    meetup_id: String,
    /// A proposal was accepted: the site's data gets a new meetup.
    adds_meetup: bool,
    at: Instant,
}

/// The function's sink for the live re-render: hands the meetup to the
/// worker and returns at once.
pub struct LiveSink {
    changes: Mutex<mpsc::Sender<Changed>>,
}

#[async_trait]
impl EventSink for LiveSink {
    async fn notify(&self, event: &Event) {
        // A repeated registration changes no figure: nothing to re-render.
        if !event.changes_store() {
            return;
        }
        let Some(meetup_id) = event.meetup_id() else {
            return;
        };
        let change = Changed {
            meetup_id: meetup_id.to_string(),
            adds_meetup: event.adds_meetup(),
            at: Instant::now(),
        };
        let _ = self
            .changes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .send(change);
    }
}

/// `maillage serve` with the function and its store, running.
pub struct LiveServer {
    pub server: ServeHandle,
    pub store: Arc<dyn Store>,
    /// For each re-render after an event: the time from the function's
    /// answer to the new pages being served.
    latencies: Arc<Mutex<Vec<Duration>>>,
}

impl LiveServer {
    pub fn addr(&self) -> SocketAddr {
        self.server.addr
    }

    /// The times from answers to re-rendered pages so far.
    pub fn latencies(&self) -> Vec<Duration> {
        self.latencies
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

/// Runs `maillage serve` with the function until stopped.
pub fn serve(options: BuildOptions, port: u16, limits: Limits, spec: &StoreSpec) -> Outcome<()> {
    let live = start(options, port, limits, spec)?;
    println!(
        "Serving the site and its forms on http://{}/ with the store {} (Ctrl+C to stop)",
        live.addr(),
        spec.describe()
    );
    // A site that fails to render stops serve, as one that fails to load.
    live.server.site.first_render()?;
    loop {
        std::thread::park();
    }
}

/// Starts the site, the function and the live re-render; port 0 picks a
/// free port. `options.extensions` is replaced by the live ones.
pub fn start(
    mut options: BuildOptions,
    port: u16,
    limits: Limits,
    spec: &StoreSpec,
) -> Outcome<LiveServer> {
    // The watcher names files by their absolute path: so must the hook below.
    options.root = crate::serve::site_root(&options.root)?;
    if let StoreSpec::DynamoDb(_) = spec {
        eprintln!(
            "note: serving with {}: every registration goes to that table",
            spec.describe()
        );
    }
    // The store, synced before the first build; its calls run on a small
    // runtime of their own, as builds and the worker run outside any.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| Failure::other("serve", format!("cannot start a runtime: {e}")))?;
    let store = runtime.block_on(spec.open())?;
    let state = Arc::new(LiveState {
        runtime,
        store: store.clone(),
        network: LastNetwork::default(),
        // The first build syncs `data/` from what it loads, rather than
        // reading and validating it once more before.
        unsynced: AtomicBool::new(crate::data::has_data(&options.root)),
        sync_failed: AtomicBool::new(false),
        options: options.clone(),
        spec: spec.clone(),
    });
    options.extensions = vec![
        Arc::new(state.data_pages()),
        Arc::new(crate::vendor::VendorAssets),
    ];

    let (changes, received) = mpsc::channel();
    let sink: Arc<dyn EventSink> = Arc::new(LiveSink {
        changes: Mutex::new(changes),
    });
    let function_store = store.clone();
    let mut config = function_config(|name| std::env::var(name).ok())?;
    // The site's own zone, result pages, folders and name: its pages and the
    // function's name the same ones.
    let site_config = crate::build::load_config(&options)?;
    config.time_zone = crate::pages::network::site_zone(&site_config)?;
    config.result_pages = crate::pages::network::result_pages(&site_config)?;
    config.urls = crate::pages::network::site_urls(&site_config)?;
    if let Some(title) = site_config.title.clone().filter(|t| !t.is_empty()) {
        if std::env::var_os(maillage_function::handler::config::SITE_NAME_VAR).is_none() {
            config.site_name = title;
        }
    }
    // The function, once the server knows its address: the clock sends
    // the reminders through it.
    let function_cell: Arc<OnceLock<Arc<Function>>> = Arc::default();
    let function_for_clock = function_cell.clone();
    let api = move |addr: SocketAddr| {
        let site = format!("http://{addr}");
        config.site_url = site.clone();
        config.site_origin = site;
        config.api_base = "/api".into();
        #[cfg_attr(not(feature = "email"), allow(unused_mut))]
        let mut sinks = vec![sink];
        #[cfg(feature = "email")]
        match maillage_function::email::Mailer::from_env() {
            Ok(Some(mailer)) => sinks.push(Arc::new(mailer)),
            Ok(None) => {}
            Err(e) => eprintln!("confirmation emails are off: {e}"),
        }
        let function = Arc::new(Function::new(function_store, config, sinks));
        let _ = function_cell.set(function.clone());
        function.router()
    };
    let before_rebuild = {
        let (options, state) = (options.clone(), state.clone());
        let data = options.root.join("data");
        let live_dir = options.root.join("data/live");
        move |changed: &[PathBuf]| {
            // The accepted proposals' file holds definitions; the rest of
            // data/live/ only figures.
            let accepted = options
                .root
                .join(maillage_model::proposal::ACCEPTED_MEETUPS_PATH);
            let definitions_changed = changed
                .iter()
                .any(|p| p.starts_with(&data) && (!p.starts_with(&live_dir) || *p == accepted));
            if definitions_changed {
                // The rebuild that follows syncs them once it has read
                // them, or reports the data's errors.
                state.unsynced.store(true, Ordering::SeqCst);
            }
        }
    };
    let root = options.root.clone();
    let server = crate::serve::start_with(
        options,
        port,
        Hooks {
            api: Some(Box::new(api)),
            before_rebuild: Some(Arc::new(before_rebuild)),
            limits,
        },
    )?;
    // The first build synced the store, or said why it could not: without
    // its meetups the store would refuse every registration.
    if state.unsynced.load(Ordering::SeqCst) {
        return Err(Failure::other(
            spec.describe(),
            "the site's meetups could not be written into the store (see above): not serving",
        ));
    }
    let latencies = Arc::new(Mutex::new(Vec::new()));
    spawn_worker(
        received,
        root,
        server.site.clone(),
        state.clone(),
        latencies.clone(),
    );
    spawn_clock(server.site.clone(), state, function_for_clock);
    Ok(LiveServer {
        server,
        store,
        latencies,
    })
}

/// The function's settings from the variables `lookup` gives, with serve's
/// own default rate limit when `MAILLAGE_RATE_LIMIT` is unset or empty.
fn function_config(lookup: impl Fn(&str) -> Option<String>) -> Outcome<FunctionConfig> {
    let local_default = LOCAL_RATE_LIMIT_PER_MINUTE.to_string();
    FunctionConfig::from_lookup(|name| {
        let value = lookup(name).filter(|v| !v.trim().is_empty());
        if name == RATE_LIMIT_VAR {
            return value.or_else(|| Some(local_default.clone()));
        }
        value
    })
    .map_err(|e| Failure::other("serve", format!("the function's configuration: {e}")))
}

/// Syncs `definitions` into the store, and says what changed.
fn sync_definitions(
    spec: &StoreSpec,
    state: &LiveState,
    definitions: &store_cli::SiteDefinitions,
) -> Outcome<()> {
    let summary = state
        .runtime
        .block_on(store_cli::sync(state.store.as_ref(), definitions))
        .map_err(|e| Failure::other(spec.describe(), e))?;
    println!("Synced into {}: {summary}", spec.describe());
    Ok(())
}

/// Applies changes as they come: reads the meetups' figures, re-renders
/// what shows them. Changes that arrive during a render are taken together.
fn spawn_worker(
    received: mpsc::Receiver<Changed>,
    root: PathBuf,
    site: SiteHandle,
    state: Arc<LiveState>,
    latencies: Arc<Mutex<Vec<Duration>>>,
) {
    std::thread::spawn(move || {
        while let Ok(first) = received.recv() {
            let mut batch = vec![first];
            batch.extend(received.try_iter());
            let ids: BTreeSet<String> = batch.iter().map(|c| c.meetup_id.clone()).collect();
            let start = Instant::now();
            // An accepted proposal: its meetup joins the site's data as the
            // export writes it; the watcher then syncs and rebuilds.
            if batch.iter().any(|c| c.adds_meetup) {
                let written = state
                    .runtime
                    .block_on(state.store.accepted_meetups())
                    .map_err(|e| e.to_string())
                    .and_then(|accepted| {
                        store_cli::write_accepted(&root, &accepted).map_err(|e| e.to_string())
                    });
                match written {
                    Ok(path) => println!("A proposal was accepted: wrote {}", path.display()),
                    Err(e) => eprintln!("cannot write the accepted proposals: {e}"),
                }
                continue;
            }
            let figures = state.figures_of(&ids);
            // A cancellation changes a status, which moves the meetup out of
            // listings and series links: the whole site is built again.
            if state
                .network
                .get()
                .is_some_and(|net| net.cancels_a_meetup(&figures))
            {
                match site.rebuild() {
                    Ok(files) => {
                        println!("A meetup was cancelled: rebuilt the site ({files} files)")
                    }
                    Err(e) => eprintln!("cannot rebuild after a cancellation: {e}"),
                }
                continue;
            }
            let outcome = site.refresh_extension(DataPages::NAME, |_: &Site| {
                // No network yet: the served site has no data pages.
                let Some(net) = state.network.get() else {
                    return Ok(Refresh::contexts_only(Vec::new()));
                };
                let net = Arc::new(net.with_figures(&figures));
                state.network.set(&net);
                let showing = Showing::meetups(&net, &ids);
                Ok(crate::pages::refresh_showing(net, showing))
            });
            let done = Instant::now();
            match outcome {
                Ok(refreshed) => {
                    let mut times = latencies.lock().unwrap_or_else(|e| e.into_inner());
                    for change in &batch {
                        times.push(done.duration_since(change.at));
                    }
                    let what = match refreshed {
                        Refreshed::Files(n) => format!("re-rendered {n} files"),
                        Refreshed::Site(n) => format!("rebuilt the site ({n} files)"),
                    };
                    println!(
                        "Store change ({}): {what} in {} ms",
                        ids.iter().cloned().collect::<Vec<_>>().join(", "),
                        done.duration_since(start).as_millis()
                    );
                }
                Err(e) => eprintln!("cannot re-render after a store change: {e}"),
            }
        }
    });
}

/// Rebuilds the site when the date passes a meetup's change of state
/// ([`Network::next_change`]), so that no page goes on offering
/// registrations that have closed or showing a past meetup as to come; and
/// at each tick sends the reminders that are due (at most [`CLOCK_CHECK`]
/// late).
fn spawn_clock(site: SiteHandle, state: Arc<LiveState>, function: Arc<OnceLock<Arc<Function>>>) {
    std::thread::spawn(move || loop {
        if let Some(function) = function.get() {
            match state
                .runtime
                .block_on(function.send_due_reminders(clock::now()))
            {
                Ok(0) => {}
                Ok(sent) => println!("Sent {sent} reminders of meetups to come"),
                Err(e) => eprintln!("cannot send the reminders: {e}"),
            }
        }
        let next = state.network.get().and_then(|net| net.next_change());
        let wait = next.map_or(CLOCK_CHECK, |t| {
            (t - clock::now())
                .to_std()
                .unwrap_or_default()
                .clamp(Duration::from_millis(100), CLOCK_CHECK)
        });
        std::thread::sleep(wait);
        if next.is_some_and(|t| clock::now() >= t) {
            match site.rebuild() {
                Ok(files) => println!(
                    "A meetup changed state with the date: rebuilt the site ({files} files)"
                ),
                Err(e) => {
                    // Not again at once: the same error would come back.
                    eprintln!("cannot rebuild after a change of date: {e}");
                    std::thread::sleep(CLOCK_CHECK);
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate_limit(value: Option<&str>) -> Outcome<u32> {
        function_config(|name| {
            (name == RATE_LIMIT_VAR)
                .then(|| value.map(str::to_string))
                .flatten()
        })
        .map(|config| config.rate_limit_per_minute)
    }

    #[test]
    fn the_rate_limit_is_the_variables_or_serves_own_default() {
        assert_eq!(rate_limit(None).unwrap(), LOCAL_RATE_LIMIT_PER_MINUTE);
        assert_eq!(rate_limit(Some(" ")).unwrap(), LOCAL_RATE_LIMIT_PER_MINUTE);
        assert_eq!(rate_limit(Some("3")).unwrap(), 3);
        assert_eq!(rate_limit(Some("0")).unwrap(), 0, "0 turns it off");
        let error = rate_limit(Some("many")).unwrap_err().to_string();
        assert!(error.contains(RATE_LIMIT_VAR), "{error}");
    }
}
