//! `maillage serve`: the site kept in memory and served on 127.0.0.1, with
//! live reload. It answers as soon as the site is loaded and checked, while
//! the whole site renders (`rendering`: a file not rendered yet is rendered
//! alone when asked for). An edited page re-renders only itself, its
//! neighbours and the listings that show it (sections, pagers, terms,
//! feeds, sitemap); other changes (templates, config, static, data, themes)
//! reload the site, which is then served the same way while it renders. A
//! newer change that reloads the site stops that render, keeping what it
//! rendered, and is applied at once.
//! Requests under `/api/` go to the function's routes when it is mounted,
//! with the client's address as a `ClientIp` request extension (`api`). Another
//! module can replace one extension's pages and files in place
//! ([`SiteHandle::refresh_extension`], by the extension's name): that is how a registration shows
//! on the site without reloading it. Slow and idle clients are closed
//! within [`Limits`] (`server`); the watcher is in `watch`.

mod api;
mod rendering;
mod server;
mod watch;

pub use server::Limits;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, RwLock};
use std::time::Instant;

use axum::extract::{Request, State};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http::{header, StatusCode};
use tokio::sync::broadcast;

use crate::build::{load_site, render_page_markdown, BuildOptions, Site};
use crate::error::{Diagnostic, Result};
use crate::failure::{Failure, Outcome};
use crate::output::{published_static, MemorySink};
use crate::render::trace::Traces;
use crate::render::{Job, Renderer, Sink};
use crate::site::{ExtraFile, ExtraPage, Library, Refresh};

const RELOAD_PATH: &str = "/__maillage/livereload";
const RELOAD_SCRIPT: &str = "<script>(function(){var s=new EventSource(\"/__maillage/livereload\");s.onmessage=function(){location.reload();};})();</script>";

/// The served site.
struct Served {
    site: Site,
    files: HashMap<String, Vec<u8>>,
    /// What each file read when it was rendered, and the configuration it
    /// was rendered with ([`crate::cache::key`]): a rebuild renders again
    /// only what changed.
    traces: Option<(String, Traces)>,
    /// Pages and files the last load rendered (the others were kept).
    rendered: usize,
    statics: HashMap<String, PathBuf>,
    /// The last problem, shown instead of pages until fixed.
    error: Option<String>,
    /// The render of the whole site, while it runs (the first, or a
    /// rebuild's): `files` is empty until it is over. Also a reload's
    /// render stopped by a newer change, until the next load takes its
    /// files.
    rendering: Option<Arc<rendering::Rendering>>,
}

#[derive(Clone)]
struct AppState {
    served: Arc<RwLock<Served>>,
    reload: broadcast::Sender<()>,
}

/// A running server.
pub struct ServeHandle {
    pub addr: SocketAddr,
    /// The served site, for changes made from outside the file watcher.
    pub site: SiteHandle,
    /// Runs the server; dropping the handle stops it.
    _runtime: tokio::runtime::Runtime,
    _watcher: notify::RecommendedWatcher,
}

/// What [`start_with`] adds to a plain static server, and its limits.
#[derive(Default)]
pub struct Hooks {
    /// Makes the function's routes (under `/api/`) once the server's address
    /// is known (the function needs it for its links and CORS).
    pub api: Option<Box<dyn FnOnce(SocketAddr) -> Router + Send>>,
    /// Called on the watcher's thread with the changed files, before the
    /// site is rebuilt (the live loop notes that `data/` changed, to sync
    /// the store from the data the rebuild reads).
    pub before_rebuild: Option<BeforeRebuild>,
    /// How long slow clients may hold a connection, and how many are served.
    pub limits: Limits,
}

/// See [`Hooks::before_rebuild`].
pub type BeforeRebuild = Arc<dyn Fn(&[PathBuf]) + Send + Sync>;

/// Builds the site in memory, serves it and watches for changes until
/// stopped; stops when the first render fails, as when the site does not
/// load.
pub fn serve(options: BuildOptions, port: u16, api: Option<Router>) -> Outcome<()> {
    let handle = start(options, port, api)?;
    println!("Serving on http://{}/ (Ctrl+C to stop)", handle.addr);
    handle.site.first_render()?;
    loop {
        std::thread::park();
    }
}

/// What the traces of a render are valid for: the configuration (and the
/// command), as for the build cache.
fn traces_key(options: &BuildOptions) -> String {
    crate::cache::key(options, Path::new("(memory)"))
}

/// Starts serving in the background; port 0 picks a free port.
pub fn start(options: BuildOptions, port: u16, api: Option<Router>) -> Outcome<ServeHandle> {
    let hooks = Hooks {
        api: api.map(|api| Box::new(move |_| api) as Box<dyn FnOnce(SocketAddr) -> Router + Send>),
        ..Hooks::default()
    };
    start_with(options, port, hooks)
}

/// Starts serving in the background with `hooks`; port 0 picks a free port.
/// Returns once the site is loaded and checked: its pages are served while
/// the whole site renders ([`SiteHandle::first_render`] waits for it).
pub fn start_with(mut options: BuildOptions, port: u16, hooks: Hooks) -> Outcome<ServeHandle> {
    let start = Instant::now();
    options.root = site_root(&options.root)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::other("serve", format!("cannot start the server: {e}")))?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(("127.0.0.1", port)))
        .map_err(|e| Failure::other("serve", format!("cannot listen on 127.0.0.1:{port}: {e}")))?;
    let addr = listener
        .local_addr()
        .map_err(|e| Failure::other("serve", e))?;
    options.base_url = Some(format!("http://{addr}"));
    let site = load_site(&options)?;
    for warning in &site.contribution.warnings {
        eprintln!("warning: {warning}");
    }
    let statics = rendering::statics(&site);
    let first = Arc::new(rendering::Rendering::new(&site, HashMap::new()));
    let served = Arc::new(RwLock::new(Served {
        site,
        files: HashMap::new(),
        traces: None,
        rendered: 0,
        statics,
        error: None,
        rendering: Some(first.clone()),
    }));
    let (reload, _) = broadcast::channel(16);
    let site_handle = SiteHandle {
        served: served.clone(),
        options: options.clone(),
        busy: Arc::new(Mutex::new(())),
        finished: Arc::default(),
        waiting: Arc::default(),
    };
    rendering::render_behind(site_handle.clone(), first, traces_key(&options), start);
    let state = AppState {
        served: served.clone(),
        reload: reload.clone(),
    };
    // Compressed for clients that ask (never the live-reload stream: the
    // layer leaves event streams alone).
    let site_routes = Router::new()
        .route(RELOAD_PATH, get(livereload))
        .fallback(handle_request)
        .with_state(state)
        .layer(tower_http::compression::CompressionLayer::new());
    let app = match hooks.api {
        Some(make) => api::routes(make(addr), hooks.limits.body_timeout).merge(site_routes),
        None => site_routes,
    };
    runtime.spawn(server::run(listener, app, hooks.limits));

    let watcher = watch::watch(site_handle.clone(), reload, hooks.before_rebuild)?;
    Ok(ServeHandle {
        addr,
        site: site_handle,
        _runtime: runtime,
        _watcher: watcher,
    })
}

/// The served site, shared with the watcher and with other modules.
#[derive(Clone)]
pub struct SiteHandle {
    served: Arc<RwLock<Served>>,
    options: BuildOptions,
    /// Held while the site changes, so that changes never interleave
    /// (and during the first render).
    busy: Arc<Mutex<()>>,
    finished: Arc<rendering::Finished>,
    /// The changes the watcher saw and has not applied yet.
    waiting: Arc<watch::Waiting>,
}

/// What [`SiteHandle::refresh_extension`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refreshed {
    /// Only the changed pages and files were rendered.
    Files(usize),
    /// The new output did not line up with the old one: the whole site was
    /// rebuilt.
    Site(usize),
}

impl SiteHandle {
    /// Replaces the pages and some files of the extension named `extension`
    /// by `make`'s, as `apply_refresh` does, once the site is not changing.
    pub fn refresh_extension(
        &self,
        extension: &str,
        make: impl FnOnce(&Site) -> Result<Refresh>,
    ) -> Result<Refreshed> {
        let _busy = self.busy.lock().unwrap_or_else(|e| e.into_inner());
        apply_refresh(&self.options, &self.served, extension, make)
    }

    /// Builds and renders the whole site again, as a change of content does.
    pub fn rebuild(&self) -> Result<usize> {
        let _busy = self.busy.lock().unwrap_or_else(|e| e.into_inner());
        rebuild_site(&self.options, &self.served)
    }

    /// Whether a change seen on disk that reloads the site waits to be
    /// applied: a reload's render under way then stops at its next job
    /// (the first render runs to its end).
    pub fn reload_waiting(&self) -> bool {
        self.waiting
            .reload
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Waits for the first render of the site to end: the number of files
    /// it rendered, or its errors (then shown instead of pages).
    pub fn first_render(&self) -> Result<usize> {
        self.finished.wait()
    }

    /// How many pages and files the last load of the site rendered, the
    /// others being kept as they were (a change re-renders what read it).
    /// Waits for the first render; during a later one, the last count.
    pub fn last_rendered(&self) -> usize {
        let _ = self.finished.wait();
        self.served
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .rendered
    }

    /// The bytes served at `path` (`rencontres/x/index.html`) once the
    /// render under way is over.
    pub fn file(&self, path: &str) -> Option<Vec<u8>> {
        let served = self.settled();
        served.files.get(path.trim_start_matches('/')).cloned()
    }

    /// Every file served from memory, by output path, once the render
    /// under way is over.
    pub fn files(&self) -> Vec<(String, Vec<u8>)> {
        self.settled()
            .files
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// The served site once no render is under way (the first, or a
    /// rebuild's: each holds `busy` while it runs, and serves files it
    /// has not rendered yet by rendering them alone).
    fn settled(&self) -> std::sync::RwLockReadGuard<'_, Served> {
        let _busy = self.busy.lock().unwrap_or_else(|e| e.into_inner());
        self.served.read().unwrap_or_else(|e| e.into_inner())
    }
}

async fn livereload(State(state): State<AppState>) -> impl IntoResponse {
    let rx = state.reload.subscribe();
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(()) => {
                    return Some((
                        Ok::<Event, std::convert::Infallible>(Event::default().data("reload")),
                        rx,
                    ))
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default())
}

async fn handle_request(State(state): State<AppState>, request: Request) -> Response {
    let path = request.uri().path().to_string();
    let query = request.uri().query().map(str::to_string);
    let decoded = percent_encoding::percent_decode_str(&path).decode_utf8_lossy();
    let served = state.served.read().unwrap_or_else(|e| e.into_inner());
    if let Some(error) = &served.error {
        return error_page(error);
    }
    let key = decoded.trim_start_matches('/');
    let candidates = [
        key.to_string(),
        format!("{}/index.html", key.trim_end_matches('/'))
            .trim_start_matches('/')
            .to_string(),
    ];
    for candidate in &candidates {
        if let Some(file) = generated(&served, candidate) {
            if candidate.ends_with("index.html")
                && !decoded.ends_with('/')
                && !key.is_empty()
                && candidate != key
            {
                // Keep the query: result pages read theirs.
                let query = query.as_deref().map_or(String::new(), |q| format!("?{q}"));
                return (
                    StatusCode::MOVED_PERMANENTLY,
                    [(header::LOCATION, format!("{path}/{query}"))],
                )
                    .into_response();
            }
            return match file.bytes(&served.site, candidate) {
                Ok(bytes) => file_response(StatusCode::OK, candidate, bytes),
                Err(e) => error_page(&e.to_string()),
            };
        }
        if let Some(file) = served.statics.get(candidate) {
            let site = &served.site;
            let bytes = match published_static(&site.root, site.config.theme.as_deref(), file) {
                Some(published) => published.ok(),
                None => std::fs::read(file).ok(),
            };
            if let Some(bytes) = bytes {
                return file_response(StatusCode::OK, candidate, bytes);
            }
        }
    }
    let not_found = "404.html";
    match generated(&served, not_found).map(|file| file.bytes(&served.site, not_found)) {
        Some(Ok(bytes)) => file_response(StatusCode::NOT_FOUND, not_found, bytes),
        Some(Err(e)) => error_page(&e.to_string()),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// The generated file at output path `path`: rendered, or due in the
/// render under way (then rendered when its bytes are asked for).
fn generated<'a>(served: &'a Served, path: &str) -> Option<rendering::Generated<'a>> {
    match served.files.get(path) {
        Some(bytes) => Some(rendering::Generated::Rendered(bytes.clone())),
        None => served.rendering.as_ref()?.file(path),
    }
}

/// The page shown instead of the site while it has a problem.
fn error_page(error: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Erreur</title></head><body><h1>La construction a échoué</h1><pre>{}</pre>{RELOAD_SCRIPT}</body></html>",
        maillage_model::markup::escape(error)
    );
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        html,
    )
        .into_response()
}

fn file_response(status: StatusCode, path: &str, bytes: Vec<u8>) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, content_type(path)),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// The media type of a site file from its extension; every text the
/// generator writes is UTF-8, so text types say so.
fn content_type(path: &str) -> String {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let textual = mime.type_() == mime_guess::mime::TEXT
        || matches!(mime.subtype().as_str(), "xml" | "json" | "javascript")
        || matches!(mime.suffix().map(|s| s.as_str()), Some("xml" | "json"));
    if textual && mime.get_param("charset").is_none() {
        format!("{mime}; charset=utf-8")
    } else {
        mime.to_string()
    }
}

/// The site folder as the watcher names its files: absolute, with symlinks
/// resolved (`maillage serve` run inside the site with the default root `.`
/// must see its edits).
pub fn site_root(root: &Path) -> Result<PathBuf> {
    root.canonicalize()
        .map_err(|e| Diagnostic::new(root, format!("cannot open the site folder: {e}")).into())
}

/// The one content page edited, when `changed` is only that (it is then
/// re-rendered with what lists it, rather than the whole site reloaded).
fn single_page<'a>(root: &Path, changed: &'a [PathBuf]) -> Option<&'a PathBuf> {
    match changed {
        [one]
            if one.starts_with(root.join("content"))
                && one.extension().is_some_and(|e| e == "md")
                && one.is_file() =>
        {
            Some(one)
        }
        _ => None,
    }
}

/// Replaces the pages and some files of the extension named `extension`
/// by `make`'s, rendering only the pages whose last render read what
/// `make` says changed (their traces' reads): the ones it names first are
/// served as soon as they are rendered, the others and the files together
/// once all are. The new pages must be the last ones
/// of that extension with new contexts (the same paths, templates,
/// languages, sitemap and search entries, in the same order), and each
/// file must replace one of its files (new figures, same URLs); otherwise
/// the whole site is rebuilt. Callers hold the site's `busy` lock.
fn apply_refresh(
    options: &BuildOptions,
    served: &Arc<RwLock<Served>>,
    extension: &str,
    make: impl FnOnce(&Site) -> Result<Refresh>,
) -> Result<Refreshed> {
    let laps = crate::timing::Laps::start("  refresh: ");
    let read = || served.read().unwrap_or_else(|e| e.into_inner());
    let (
        part,
        readers,
        Refresh {
            pages,
            first,
            files,
            ..
        },
    ) = {
        let guard = read();
        let site = &guard.site;
        let refresh = make(site)?;
        laps.lap("pages made");
        let old = &site.contribution;
        let part = old.part(extension).cloned().filter(|part| {
            let old_pages = &old.pages[part.pages.clone()];
            old_pages.len() == refresh.pages.len()
                && refresh
                    .pages
                    .iter()
                    .zip(old_pages)
                    .all(|(n, o)| same_place(n, o))
        });
        // The pages that read what changed, as their last render traced
        // them: without traces (a render that failed), the site is loaded
        // again.
        let readers: Option<HashSet<String>> = guard.traces.as_ref().map(|(_, traces)| {
            traces
                .readers_of(&refresh.reads)
                .into_iter()
                .map(str::to_string)
                .collect()
        });
        match (part, readers) {
            (Some(part), Some(readers)) => (part, readers, refresh),
            _ => {
                drop(guard);
                return rebuild_site(options, served).map(Refreshed::Site);
            }
        }
    };
    // The pages looked at first are served at once; the others follow.
    let jobs = |first_ones: bool| -> Vec<Job> {
        pages
            .iter()
            .enumerate()
            .filter(|(_, p)| readers.contains(&p.path) && first.contains(&p.path) == first_ones)
            .map(|(i, _)| Job::ExtraPage(i))
            .collect()
    };
    let render = |jobs: Vec<Job>| -> Result<HashMap<String, Vec<u8>>> {
        let served = read();
        let renderer = Renderer {
            extra_pages: &pages,
            ..served.site.renderer(Some(RELOAD_SCRIPT))
        };
        let sink = MemorySink::default();
        renderer.render_jobs(&jobs, &sink)?;
        Ok(sink.files.into_inner().unwrap_or_else(|e| e.into_inner()))
    };
    let early = render(jobs(true))?;
    let mut count = early.len();
    served
        .write()
        .unwrap_or_else(|e| e.into_inner())
        .files
        .extend(early);
    laps.lap("first pages rendered");
    let mut rendered = render(jobs(false))?;
    laps.lap("pages rendered");
    let files = files();
    laps.lap("files made");
    let replaced: Option<Vec<usize>> = {
        let served = read();
        let own_files = &served.site.contribution.files[part.files.clone()];
        files
            .iter()
            .map(|f| {
                let at = own_files.iter().position(|o| o.path == f.path)?;
                Some(part.files.start + at)
            })
            .collect()
    };
    let Some(replaced) = replaced else {
        return rebuild_site(options, served).map(Refreshed::Site);
    };
    for file in &files {
        rendered.insert(file.path.clone(), file.bytes.get().into_owned());
    }
    count += rendered.len();
    let mut served = served.write().unwrap_or_else(|e| e.into_inner());
    let old = &mut served.site.contribution;
    let old_pages: Vec<ExtraPage> = old.pages.splice(part.pages, pages).collect();
    let old_files: Vec<ExtraFile> = replaced
        .into_iter()
        .zip(files)
        .map(|(index, file)| std::mem::replace(&mut old.files[index], file))
        .collect();
    served.files.extend(rendered);
    drop(served);
    // What was replaced is freed once the new pages are served, aside: it
    // may hold the last network, and freeing it takes milliseconds.
    std::thread::spawn(move || drop((old_pages, old_files)));
    Ok(Refreshed::Files(count))
}

/// Whether a new page takes an old one's place as it is: the same path,
/// template and language, and the same entries in the sitemap and the
/// search index (which a refresh does not write again).
fn same_place(new: &ExtraPage, old: &ExtraPage) -> bool {
    new.path == old.path
        && new.template == old.template
        && new.lang == old.lang
        && new.in_sitemap == old.in_sitemap
        && new.updated == old.updated
        && new.search == old.search
}

/// A change that an extension applies alone ([`SiteExtension::refresh`]):
/// a summary line, or `None` when no extension does.
fn refresh_by_extension(
    options: &BuildOptions,
    served: &Arc<RwLock<Served>>,
    changed: &[PathBuf],
) -> Option<Result<String>> {
    // After a render stopped half-way, only a reload renders what it left.
    if served
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .rendering
        .is_some()
    {
        return None;
    }
    options.extensions.iter().find_map(|extension| {
        let refresh = extension.refresh(&options.root, changed)?;
        let outcome = apply_refresh(options, served, extension.name(), |_| Ok(refresh));
        Some(outcome.map(|refreshed| match refreshed {
            Refreshed::Files(n) => format!("Re-rendered {n} files showing the edited data"),
            Refreshed::Site(n) => format!("Rebuilt the site ({n} files)"),
        }))
    })
}

/// Applies changes; returns a summary line, or `None` when a reload's
/// render was stopped by `stop` (a newer change reloads the site).
fn rebuild(
    options: &BuildOptions,
    served: &Arc<RwLock<Served>>,
    changed: &[PathBuf],
    stop: &AtomicBool,
) -> Result<Option<String>> {
    if let Some(path) = single_page(&options.root, changed) {
        let mut guard = served.write().unwrap_or_else(|e| e.into_inner());
        if let Some(result) = rerender_page(options, &mut guard, path) {
            return result.map(Some);
        }
    }
    if let Some(result) = refresh_by_extension(options, served, changed) {
        return result.map(Some);
    }
    // Anything else: load and render the whole site again, then swap it in.
    let Some(count) = reload_site(options, served, Some(stop))? else {
        return Ok(None);
    };
    let rendered = served.read().unwrap_or_else(|e| e.into_inner()).rendered;
    Ok(Some(format!(
        "Rebuilt the site ({count} files, {rendered} pages and files rendered again)"
    )))
}

/// [`reload_site`], run to its end.
fn rebuild_site(options: &BuildOptions, served: &Arc<RwLock<Served>>) -> Result<usize> {
    // Without a flag to stop it, the render always runs to its end.
    reload_site(options, served, None).map(Option::unwrap_or_default)
}

/// Loads the whole site again and renders what changed (every file whose
/// trace no longer holds); returns the number of files, or `None` when
/// `stop` was set during the render (it stopped between two jobs). The new
/// site is served as soon as it is loaded: a file its render has not
/// reached yet is rendered alone when asked for, so an edit shows at once
/// on the page asked for, however many pages it changes.
fn reload_site(
    options: &BuildOptions,
    served: &Arc<RwLock<Served>>,
    stop: Option<&AtomicBool>,
) -> Result<Option<usize>> {
    let mut with_url = options.clone();
    let base = served
        .read()
        .unwrap_or_else(|e| e.into_inner())
        .site
        .config
        .base_url
        .clone();
    with_url.base_url = Some(base);
    let key = traces_key(&with_url);
    let site = load_site(&with_url)?;
    let statics = rendering::statics(&site);
    // Callers hold the site's `busy` lock: nothing else changes the served
    // site until this render is over.
    let (traces, rendering, old_site) = {
        let mut guard = served.write().unwrap_or_else(|e| e.into_inner());
        let mut files = match guard.rendering.take() {
            // A render stopped half-way: what it rendered, over the files of
            // the render before that it did not reach (they go with the
            // traces it left them).
            Some(stopped) => stopped.take_files(),
            None => HashMap::new(),
        };
        files.extend(std::mem::take(&mut guard.files));
        let traces = guard.traces.take().filter(|(old_key, _)| *old_key == key);
        let rendering = Arc::new(rendering::Rendering::new(&site, files));
        let old_site = std::mem::replace(&mut guard.site, site);
        guard.statics = statics;
        guard.rendering = Some(rendering.clone());
        (traces, rendering, old_site)
    };
    // Freeing a large site takes a tenth of a second: not while pages wait.
    std::thread::spawn(move || drop(old_site));
    rendering.run_until(served, traces.as_ref().map(|(_, traces)| traces), key, stop)
}

/// Re-renders one edited page and what lists it. `None` when the change is
/// not a plain edit of an existing page (then the site is reloaded).
fn rerender_page(
    options: &BuildOptions,
    served: &mut Served,
    path: &Path,
) -> Option<Result<String>> {
    let Served {
        site,
        files,
        traces,
        rendering,
        ..
    } = served;
    // After a render stopped half-way, only a reload renders what it left.
    if rendering.is_some() {
        return None;
    }
    let (_, traces) = traces.as_ref()?;
    let lib = site.library.clone();
    let root = &site.root;
    let relative = path
        .strip_prefix(root.join("content"))
        .ok()?
        .to_string_lossy()
        .replace('\\', "/");
    let &index = lib.page_index.get(&relative)?;
    let mut page = match crate::content::load_one(root, path, &site.config, options.drafts) {
        Ok(Some(p)) => p,
        Ok(None) => return None,
        Err(d) => return Some(Err(d.relative_to(root).into())),
    };
    let old = &lib.pages[index];
    if page.path != old.path || page.lang != old.lang || page.meta.aliases != old.meta.aliases {
        return None;
    }
    page.assets = old.assets.clone();
    page.serialized_assets = old.serialized_assets.clone();
    let anchor = lib
        .sections
        .iter()
        .find(|s| Some(&s.file.relative) == old.ancestors.last())
        .and_then(|s| s.meta.insert_anchor_links)
        .unwrap_or(site.config.markdown.insert_anchor_links);
    if let Err(e) = render_page_markdown(
        root,
        &site.config,
        &site.tera,
        &site.shortcodes,
        &site.permalinks,
        &mut page,
        anchor,
    ) {
        return Some(Err(e));
    }
    let mut pages = lib.pages.clone();
    pages[index] = page;
    let new_lib = match Library::new(site.config.clone(), pages, lib.sections.clone(), lib.slim) {
        Ok(l) => Arc::new(l),
        Err(e) => return Some(Err(e)),
    };
    crate::templates::functions::register_late(&mut site.tera, new_lib.clone());
    site.library = new_lib.clone();

    let renderer = site.renderer(Some(RELOAD_SCRIPT));
    // Pages that read the edited one through a template function.
    let callers =
        traces.callers_of_changed(&site.tera, &crate::templates::functions::LIBRARY_FUNCTIONS);
    let jobs = affected_jobs(&lib, &new_lib, index, &renderer, &callers);
    // What comes out the same as its trace says is kept.
    let sink = MemorySink::reusing(files);
    let traced = match renderer.render_jobs_traced(&jobs, &sink, Some(traces), None) {
        Ok(traced) => traced,
        Err(e) => return Some(Err(e)),
    };
    let rendered = sink.files.into_inner().unwrap_or_else(|e| e.into_inner());
    files.extend(rendered);
    Some(Ok(format!(
        "Re-rendered content/{relative} and {} related files",
        (traced.written - traced.kept).saturating_sub(1)
    )))
}

/// The page, its old and new neighbours, its sections with their pagers and
/// feeds, its old and new terms with theirs, the site feeds, the search
/// index, the sitemap when the page's entry in it changed, and the jobs
/// named in `callers` (by their trace's key).
fn affected_jobs(
    old: &Library,
    new: &Library,
    index: usize,
    renderer: &Renderer<'_>,
    callers: &std::collections::HashSet<&str>,
) -> Vec<Job> {
    let all = crate::render::plan(new, renderer.extra_pages.len());
    let mut pages: BTreeSet<usize> = BTreeSet::from([index]);
    for lib in [old, new] {
        let p = &lib.pages[index];
        pages.extend(p.lower);
        pages.extend(p.higher);
    }
    let sections: BTreeSet<usize> = new.pages[index]
        .ancestors
        .iter()
        .filter_map(|a| new.section_index.get(a).copied())
        .collect();
    let mut terms: BTreeSet<(usize, usize)> = BTreeSet::new();
    for (t, taxonomy) in new.taxonomies.iter().enumerate() {
        for (i, term) in taxonomy.items.iter().enumerate() {
            let old_has = old
                .taxonomies
                .get(t)
                .and_then(|ot| ot.items.get(i))
                .is_some_and(|ot| ot.pages.contains(&index));
            if term.pages.contains(&index) || old_has {
                terms.insert((t, i));
            }
        }
    }
    let sitemap = !in_sitemap_alike(&old.pages[index], &new.pages[index]);
    all.into_iter()
        .filter(|job| {
            let listed = match job {
                Job::Page(i) => pages.contains(i),
                Job::Section(s) | Job::SectionPager(s, _) | Job::SectionFeeds(s) => {
                    sections.contains(s)
                }
                Job::Term(t, i) | Job::TermPager(t, i, _) | Job::TermFeeds(t, i) => {
                    terms.contains(&(*t, *i))
                }
                Job::TaxonomyList(_) | Job::SiteFeeds(_) | Job::SearchIndex(_) => true,
                Job::Sitemap => sitemap,
                _ => false,
            };
            listed
                || (!callers.is_empty()
                    && job
                        .key(renderer)
                        .is_some_and(|key| callers.contains(key.as_str())))
        })
        .collect()
}

/// Whether the sitemap shows two versions of a page the same way (its
/// dates, `extra` and terms; the path is the same).
fn in_sitemap_alike(old: &crate::content::Page, new: &crate::content::Page) -> bool {
    old.meta.render == new.meta.render
        && old.date == new.date
        && old.updated == new.updated
        && old.meta.extra == new.meta.extra
        && old.meta.taxonomies == new.meta.taxonomies
}

#[allow(dead_code)]
fn _assert_sink(_: &dyn Sink) {}
