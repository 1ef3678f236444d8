//! serve's renders of the whole site (the first, and a rebuild's), behind
//! a server that already answers for the site they render: a file rendered
//! already is served from memory; one not rendered yet is rendered alone at
//! once (its job, through the same renderer, so that its bytes are those
//! the whole render gives); a path that no job writes is known at once,
//! without waiting for the render. Changes (edits, the live loop's
//! re-renders) wait for the render to be over, then apply; except a change
//! seen on disk that reloads the site: it stops a reload's render between
//! two jobs ([`Rendering::run_until`]) and is applied at once.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::sync::{mpsc, Arc, Condvar, Mutex, RwLock};
use std::time::Instant;

use crate::build::Site;
use crate::error::{Diagnostic, Result};
use crate::output::{static_files, MemorySink};
use crate::render::trace::Traces;
use crate::render::Job;

use super::{Served, SiteHandle, RELOAD_SCRIPT};

/// The site's static files (the theme's, then its own), by output path.
pub(super) fn statics(site: &Site) -> HashMap<String, PathBuf> {
    static_files(&site.root, site.config.theme.as_deref())
        .into_iter()
        .collect()
}

/// A render of the whole site while it runs.
pub(super) struct Rendering {
    /// The files rendered so far.
    sink: MemorySink<'static>,
    /// The job that writes each file of the site, by its output path.
    jobs: HashMap<String, Job>,
}

/// A file of the site: its bytes, or the job to render for them.
pub(super) enum Generated<'a> {
    Rendered(Vec<u8>),
    Due(&'a Job),
}

impl Rendering {
    /// A render of `site` that keeps the files of the last one
    /// (`previous`, none at the start) where their traces still hold.
    pub(super) fn new(site: &Site, previous: HashMap<String, Vec<u8>>) -> Rendering {
        Rendering {
            sink: MemorySink::keeping(previous),
            jobs: site.jobs_by_file(),
        }
    }

    /// Renders the whole served site with `traces` (the last render's,
    /// valid for `key`), then serves what it rendered instead of this
    /// render: its files, traces and count, or its error (shown instead of
    /// pages; without traces, the next load renders everything). Returns
    /// the number of files.
    pub(super) fn run(
        &self,
        served: &RwLock<Served>,
        traces: Option<&Traces>,
        key: String,
    ) -> Result<usize> {
        // Without a flag to stop it, the render always runs to its end.
        self.run_until(served, traces, key, None)
            .map(Option::unwrap_or_default)
    }

    /// [`Rendering::run`], stopped between two jobs once `stop` is set:
    /// then `None`, and this render goes on serving the files it rendered
    /// (the others rendered alone when asked for), with the traces of the
    /// jobs it ran and the last ones of the jobs it did not reach, until
    /// the next load takes its files ([`Rendering::take_files`]).
    pub(super) fn run_until(
        &self,
        served: &RwLock<Served>,
        traces: Option<&Traces>,
        key: String,
        stop: Option<&AtomicBool>,
    ) -> Result<Option<usize>> {
        let outcome = {
            let guard = served.read().unwrap_or_else(|e| e.into_inner());
            guard
                .site
                .render_all_traced(&self.sink, Some(RELOAD_SCRIPT), traces, stop)
        };
        let mut guard = served.write().unwrap_or_else(|e| e.into_inner());
        match outcome {
            Ok(traced) if traced.stopped => {
                guard.statics = statics(&guard.site);
                guard.traces = Some((key, traced.traces));
                Ok(None)
            }
            Ok(traced) => {
                guard.rendering = None;
                guard.files = self.take_rendered();
                // With the images the templates asked for, now encoded.
                guard.statics = statics(&guard.site);
                guard.traces = Some((key, traced.traces));
                guard.rendered = traced.rendered;
                Ok(Some(guard.files.len()))
            }
            Err(e) => {
                guard.rendering = None;
                guard.files = self.take_rendered();
                guard.error = Some(e.to_string());
                Err(e)
            }
        }
    }

    /// Takes the files this render rendered or kept (those of the last
    /// render that it did not keep are gone, or written again).
    fn take_rendered(&self) -> HashMap<String, Vec<u8>> {
        std::mem::take(&mut *self.sink.files.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Takes the files out of a stopped render: those it rendered or kept,
    /// over those of the last render (the ones it did not reach go with
    /// the traces it left them).
    pub(super) fn take_files(&self) -> HashMap<String, Vec<u8>> {
        self.sink.take_all()
    }

    /// The file at output path `path`, when the site has one.
    pub(super) fn file(&self, path: &str) -> Option<Generated<'_>> {
        let rendered = self
            .sink
            .files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(path)
            .cloned();
        match rendered {
            Some(bytes) => Some(Generated::Rendered(bytes)),
            None => self.jobs.get(path).map(Generated::Due),
        }
    }
}

impl Generated<'_> {
    /// The bytes of the file at `path`, rendered now when still due.
    pub(super) fn bytes(self, site: &Site, path: &str) -> Result<Vec<u8>> {
        let job = match self {
            Generated::Rendered(bytes) => return Ok(bytes),
            Generated::Due(job) => job,
        };
        // On one of the server's threads (its runtime has several): the
        // others go on serving meanwhile.
        tokio::task::block_in_place(|| {
            let sink = MemorySink::default();
            site.renderer(Some(RELOAD_SCRIPT))
                .render_alone(job, &sink)?;
            let mut files = sink.files.into_inner().unwrap_or_else(|e| e.into_inner());
            files
                .remove(path)
                .ok_or_else(|| Diagnostic::new(path, "the job meant to write it did not").into())
        })
    }
}

/// How the first render ended, once it has.
#[derive(Default)]
pub(super) struct Finished {
    outcome: Mutex<Option<Result<usize>>>,
    over: Condvar,
}

impl Finished {
    /// Waits for the first render to end: the number of files it rendered,
    /// or its errors.
    pub(super) fn wait(&self) -> Result<usize> {
        let mut outcome = self.outcome.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            if let Some(outcome) = &*outcome {
                return outcome.clone();
            }
            outcome = self.over.wait(outcome).unwrap_or_else(|e| e.into_inner());
        }
    }

    fn set(&self, result: Result<usize>) {
        *self.outcome.lock().unwrap_or_else(|e| e.into_inner()) = Some(result);
        self.over.notify_all();
    }
}

/// Renders the whole site served by `site` on a thread of its own, then
/// serves its files; returns once that thread holds the site's `busy`
/// lock, so that every change made from now on waits for the render and
/// applies over it. `key` says what the render's traces are valid for.
pub(super) fn render_behind(site: SiteHandle, first: Arc<Rendering>, key: String, start: Instant) {
    let (holding, held) = mpsc::sync_channel(0);
    std::thread::spawn(move || {
        let busy = site.busy.lock().unwrap_or_else(|e| e.into_inner());
        let _ = holding.send(());
        // An error is shown instead of pages; the command says it as it stops.
        let result = first.run(&site.served, None, key);
        if let Ok(count) = &result {
            println!(
                "Built {count} files in memory in {} ms",
                start.elapsed().as_millis()
            );
        }
        drop(busy);
        site.finished.set(result);
    });
    let _ = held.recv();
}
