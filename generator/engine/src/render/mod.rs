//! Renders the site model into output files, in parallel: every page,
//! section pager, taxonomy page, feed, alias and extra page is one job.

pub mod claims;
mod contexts;
mod jobs;
mod sitemap;
pub mod trace;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use rayon::prelude::*;
use serde_json::{Map, Value};
use tera::{Context, Tera};

use std::path::Path;

use crate::error::{Diagnostic, Diagnostics, Result};
use crate::output::OutputPath;
use crate::site::{ExtraFile, ExtraPage, Library};
use crate::templates::TemplateFiles;
pub use contexts::ConfigContexts;
pub use jobs::{plan, schedule, Job};

/// Where rendered files go.
pub trait Sink: Sync {
    /// Writes `bytes` at `path`.
    fn write(&self, path: &OutputPath, bytes: Vec<u8>) -> std::io::Result<()>;

    /// Writes `bytes`, whose fingerprint the caller has made already (a
    /// traced render): a sink that compares files by fingerprint uses it
    /// rather than hashing the bytes again.
    fn write_fingerprinted(
        &self,
        path: &OutputPath,
        bytes: Vec<u8>,
        fingerprint: trace::Fingerprint,
    ) -> std::io::Result<()> {
        let _ = fingerprint;
        self.write(path, bytes)
    }

    /// Keeps the file at `path` as the last render wrote it (its bytes had
    /// fingerprint `fingerprint`), without rendering it again; false when
    /// the sink no longer has it, and the file must be rendered.
    fn keep(&self, path: &OutputPath, fingerprint: trace::Fingerprint) -> std::io::Result<bool> {
        let _ = (path, fingerprint);
        Ok(false)
    }
}

/// What the renderer needs besides the model.
pub struct Renderer<'a> {
    /// The site's folder (for `sass/`).
    pub root: &'a std::path::Path,
    pub library: &'a Library,
    pub tera: &'a Tera,
    /// The file of each template, for messages.
    pub templates: &'a TemplateFiles,
    pub theme: Option<&'a str>,
    pub extra_pages: &'a [ExtraPage],
    pub extra_files: &'a [ExtraFile],
    /// Script inserted before `</body>` of HTML files (live reload).
    pub inject: Option<&'a str>,
    /// Contexts holding `config`, reused by the pages of this render.
    pub contexts: ConfigContexts,
}

/// What [`Renderer::render_jobs_traced`] did, and its traces for the next
/// render.
#[derive(Debug)]
pub struct Traced {
    /// Files written or kept.
    pub written: usize,
    /// Files rendered from templates.
    pub rendered: usize,
    /// Files kept as the last render wrote them.
    pub kept: usize,
    /// The render was stopped before every job ran: the jobs it did not
    /// reach kept their trace of the last render, as it was.
    pub stopped: bool,
    pub traces: trace::Traces,
}

/// Counts of what a render produced.
#[derive(Debug, Default, Clone, Copy)]
pub struct RenderStats {
    pub pages: usize,
    pub sections: usize,
    pub files: usize,
}

impl Renderer<'_> {
    /// Renders every job into `sink`, reporting every failure.
    pub fn render_jobs(&self, jobs: &[Job], sink: &dyn Sink) -> Result<usize> {
        self.run_jobs(jobs, sink, |_| None, None, None)
            .map(|done| done.written)
    }

    /// Renders `job` alone on the calling thread, without the thread pool
    /// (busy with the other jobs when a server asks for one before its
    /// turn), into `sink`: the same files with the same bytes as
    /// [`Renderer::render_jobs`] writes for it.
    pub fn render_alone(&self, job: &Job, sink: &dyn Sink) -> Result<usize> {
        self.render_job(job)
            .and_then(|outputs| self.write_outputs(outputs, sink, None))
            .map_err(Into::into)
    }

    /// Renders `jobs` into `sink` as [`Renderer::render_jobs`] does, except
    /// the jobs that `previous` traced and that would come out the same:
    /// their files are kept ([`Sink::keep`]).
    ///
    /// Once `stop` is set (it is read before each job), the jobs not
    /// started yet are left: each keeps its trace in `previous` as it was,
    /// and the caller keeps their files as the last render wrote them
    /// (the next render checks them as any other).
    pub fn render_jobs_traced(
        &self,
        jobs: &[Job],
        sink: &dyn Sink,
        previous: Option<&trace::Traces>,
        stop: Option<&AtomicBool>,
    ) -> Result<Traced> {
        self.run_jobs(jobs, sink, |job| job.key(self), previous, stop)
    }

    /// Renders `jobs` into `sink`, tracing those `key` names (the others
    /// are rendered without a trace) and keeping those whose trace in
    /// `previous` still holds; leaves the jobs not started once `stop` is
    /// set, with their previous traces.
    fn run_jobs(
        &self,
        jobs: &[Job],
        sink: &dyn Sink,
        key: impl Fn(&Job) -> Option<String> + Sync,
        previous: Option<&trace::Traces>,
        stop: Option<&AtomicBool>,
    ) -> Result<Traced> {
        let written = AtomicUsize::new(0);
        let rendered = AtomicUsize::new(0);
        let kept = AtomicUsize::new(0);
        let stopped = AtomicBool::new(false);
        let collector = trace::Collector::new(previous.map_or(0, |p| p.calls.len()));
        let check = previous.map(trace::CallCheck::new);
        // Every job may go to any thread: a chunk of jobs runs in order on
        // one thread, and a build that keeps most pages renders a few
        // costly ones (the map, the calendars), often side by side.
        let errors: Vec<Diagnostic> = jobs
            .par_iter()
            .with_max_len(1)
            .filter_map(|job| {
                if stop.is_some_and(|stop| stop.load(Ordering::Relaxed)) {
                    stopped.store(true, Ordering::Relaxed);
                    // Not reached: its last trace goes on with its last
                    // files, for the next render to check.
                    if let (Some(key), Some(previous)) = (key(job), previous) {
                        if let Some(trace) = previous.jobs.get(&key) {
                            collector.keep(&key, trace, previous);
                        }
                    }
                    return None;
                }
                let Some(key) = key(job) else {
                    let count = self
                        .render_job(job)
                        .and_then(|outputs| self.write_outputs(outputs, sink, None));
                    return match count {
                        Ok(count) => {
                            written.fetch_add(count, Ordering::Relaxed);
                            None
                        }
                        Err(d) => Some(d),
                    };
                };
                if let (Some(previous), Some(check)) = (previous, &check) {
                    match self.keep_job(&key, job, sink, previous, check) {
                        Ok(Some(count)) => {
                            collector.keep(&key, &previous.jobs[&key], previous);
                            written.fetch_add(count, Ordering::Relaxed);
                            kept.fetch_add(count, Ordering::Relaxed);
                            return None;
                        }
                        Ok(None) => {}
                        Err(d) => return Some(d),
                    }
                }
                let (outputs, recorded) = trace::recording(|| self.render_job(job));
                let mut files = Vec::new();
                let count = match outputs
                    .and_then(|outputs| self.write_outputs(outputs, sink, Some(&mut files)))
                {
                    Ok(count) => count,
                    Err(d) => return Some(d),
                };
                written.fetch_add(count, Ordering::Relaxed);
                rendered.fetch_add(count, Ordering::Relaxed);
                collector.add(key, recorded, files);
                None
            })
            .collect();
        let traces = collector.finish();
        Diagnostics::from(errors).into_result(Traced {
            written: written.into_inner(),
            rendered: rendered.into_inner(),
            kept: kept.into_inner(),
            stopped: stopped.into_inner(),
            traces,
        })
    }

    /// Writes a job's outputs into `sink`, each finished (the live-reload
    /// script); returns how many. With `fingerprints`, each file's path and
    /// the fingerprint of its final bytes are added to it, and the sink is
    /// given that fingerprint rather than making it again.
    fn write_outputs(
        &self,
        outputs: Vec<(String, Vec<u8>)>,
        sink: &dyn Sink,
        mut fingerprints: Option<&mut Vec<(String, trace::Fingerprint)>>,
    ) -> std::result::Result<usize, Diagnostic> {
        let count = outputs.len();
        for (path, bytes) in outputs {
            let target = OutputPath::new(&path).map_err(|why| {
                Diagnostic::new(path.as_str(), format!("cannot be written: {why}"))
            })?;
            let bytes = self.finish(&path, bytes);
            let written = match fingerprints.as_deref_mut() {
                Some(fingerprints) => {
                    let fingerprint = trace::fingerprint_bytes(&bytes);
                    fingerprints.push((path.clone(), fingerprint));
                    sink.write_fingerprinted(&target, bytes, fingerprint)
                }
                None => sink.write(&target, bytes),
            };
            written.map_err(|e| {
                Diagnostic::new(path.as_str(), format!("cannot write the file: {e}"))
            })?;
        }
        Ok(count)
    }

    /// Keeps the files of `job` when its trace in `previous` still holds:
    /// the same templates and contexts (found by running the job without
    /// rendering), the same output paths, and template functions returning
    /// the same. Returns how many files were kept.
    fn keep_job(
        &self,
        key: &str,
        job: &Job,
        sink: &dyn Sink,
        previous: &trace::Traces,
        check: &trace::CallCheck<'_>,
    ) -> std::result::Result<Option<usize>, Diagnostic> {
        let Some(trace) = previous.jobs.get(key).filter(|t| !t.volatile) else {
            return Ok(None);
        };
        let (outputs, probe) = trace::probing(|| self.render_job(job));
        let Ok(outputs) = outputs else {
            return Ok(None);
        };
        // Files that are not rendered from templates (a page's assets)
        // were read again: they must not have changed either.
        let same = !probe.volatile
            && probe.uses == trace.uses
            && outputs.len() == trace.outputs.len()
            && outputs.into_iter().zip(&trace.outputs).all(
                |((path, bytes), (old, fingerprint))| {
                    path == *old
                        && (bytes == trace::PROBED.as_bytes()
                            || trace::fingerprint_bytes(&self.finish(&path, bytes)) == *fingerprint)
                },
            )
            && check.same(self.tera, trace);
        if !same {
            return Ok(None);
        }
        for (path, fingerprint) in &trace.outputs {
            let target = OutputPath::new(path).map_err(|why| {
                Diagnostic::new(path.as_str(), format!("cannot be written: {why}"))
            })?;
            match sink.keep(&target, *fingerprint) {
                Ok(true) => {}
                // Files kept so far are written again with the rest.
                Ok(false) => return Ok(None),
                Err(e) => {
                    return Err(Diagnostic::new(
                        path.as_str(),
                        format!("cannot keep the file: {e}"),
                    ))
                }
            }
        }
        Ok(Some(trace.outputs.len()))
    }

    fn finish(&self, path: &str, bytes: Vec<u8>) -> Vec<u8> {
        match self.inject {
            Some(script) if path.ends_with(".html") => {
                let mut text = String::from_utf8(bytes).unwrap_or_default();
                match text.rfind("</body>") {
                    Some(i) => text.insert_str(i, script),
                    None => text.push_str(script),
                }
                text.into_bytes()
            }
            _ => bytes,
        }
    }

    /// Renders `template` with a context built from `fields`; a problem is
    /// named under the file of the template that holds it (the caller says
    /// what was being rendered).
    pub fn render_template(
        &self,
        template: &str,
        fields: Map<String, Value>,
    ) -> std::result::Result<Vec<u8>, Diagnostic> {
        let name = self.resolve_template(template)?;
        if self.probed(&name, &fields) {
            return Ok(trace::probed_output());
        }
        let context = Context::from_value(Value::Object(fields)).map_err(|e| {
            Diagnostic::new(
                self.templates.file(&name).unwrap_or(Path::new(&name)),
                e.to_string(),
            )
        })?;
        self.render_context(&name, &context)
    }

    /// Renders `template` with `config` for `lang` and `fields` (made by
    /// [`Renderer::base_context`]), as [`Renderer::render_template`] does.
    pub fn render_with_config(
        &self,
        template: &str,
        lang: &str,
        fields: Map<String, Value>,
    ) -> std::result::Result<Vec<u8>, Diagnostic> {
        let name = self.resolve_template(template)?;
        if self.probed(&name, &fields) {
            return Ok(trace::probed_output());
        }
        let lent = self.contexts.lend(&self.library.config, lang, fields);
        self.render_context(&name, lent.context())
    }

    /// [`Renderer::render_with_config`] for fields made by `fields` only
    /// when they are needed: with `known`, their fingerprint, a probe does
    /// not make them.
    pub(crate) fn render_extra(
        &self,
        template: &str,
        lang: &str,
        known: Option<trace::Fingerprint>,
        fields: impl FnOnce() -> Map<String, Value>,
    ) -> std::result::Result<Vec<u8>, Diagnostic> {
        let Some(fingerprint) = known else {
            return self.render_with_config(template, lang, fields());
        };
        let name = self.resolve_template(template)?;
        if self.noted(&name, fingerprint) {
            return Ok(trace::probed_output());
        }
        let lent = self.contexts.lend(&self.library.config, lang, fields());
        self.render_context(&name, lent.context())
    }

    /// While traced, notes the use of template `name` with `fields`; true
    /// when the render is only probed and must not run.
    fn probed(&self, name: &str, fields: &Map<String, Value>) -> bool {
        trace::active() && self.noted(name, trace::fingerprint_fields(fields))
    }

    /// Notes the use of template `name` with a context of `fingerprint`;
    /// true when the render is only probed.
    fn noted(&self, name: &str, fingerprint: trace::Fingerprint) -> bool {
        let closure = self.templates.closure(name);
        trace::note_use(
            name,
            closure.map_or(0, |c| c.sources),
            closure.is_none_or(|c| c.volatile),
            fingerprint,
        )
    }

    fn resolve_template(&self, template: &str) -> std::result::Result<String, Diagnostic> {
        crate::templates::resolve(self.tera, template, self.theme).ok_or_else(|| {
            let theme = self
                .theme
                .map(|t| format!(" or themes/{t}/templates/"))
                .unwrap_or_default();
            Diagnostic::new(
                "templates",
                format!("template `{template}` not found in templates/{theme}"),
            )
        })
    }

    fn render_context(
        &self,
        name: &str,
        context: &Context,
    ) -> std::result::Result<Vec<u8>, Diagnostic> {
        // Into bytes, which are what is written: `render` would check
        // that the bytes Tera wrote from UTF-8 text are UTF-8.
        let mut out = Vec::with_capacity(16 * 1024);
        self.tera
            .render_to(name, context, &mut out)
            .map_err(|e| self.templates.render_error(self.tera, &e))?;
        Ok(out)
    }

    /// Base context: `lang`, `current_path`, `current_url`;
    /// [`Renderer::render_with_config`] adds `config`.
    pub fn base_context(&self, lang: &str, path: Option<&str>) -> Map<String, Value> {
        let config = &self.library.config;
        let mut m = Map::with_capacity(8);
        m.insert("lang".into(), Value::String(lang.to_string()));
        if let Some(path) = path {
            m.insert("current_path".into(), Value::String(path.to_string()));
            m.insert(
                "current_url".into(),
                Value::String(config.make_permalink(path)),
            );
        }
        m
    }
}

/// The file of an alias: as written when it names an `.html` file,
/// else the `index.html` of its URL path.
pub fn alias_file(alias: &str) -> String {
    if alias.ends_with(".html") {
        alias.trim_start_matches('/').to_string()
    } else {
        index_file(alias)
    }
}

/// A co-located file (an asset), next to the page at URL path `url_path`.
pub fn asset_file(url_path: &str, folder: &std::path::Path, asset: &std::path::Path) -> String {
    // An asset keeps its place under the page's folder (`docs/a.pdf`).
    let name = asset
        .strip_prefix(folder)
        .ok()
        .or_else(|| asset.file_name().map(std::path::Path::new))
        .map(|n| n.to_string_lossy().replace('\\', "/"))
        .unwrap_or_default();
    let dir = url_path.trim_matches('/');
    if dir.is_empty() {
        name
    } else {
        format!("{dir}/{name}")
    }
}

/// `path/index.html` for a URL path like `/a/b/`.
pub fn index_file(url_path: &str) -> String {
    let trimmed = url_path.trim_matches('/');
    if trimmed.is_empty() {
        "index.html".to_string()
    } else {
        format!("{trimmed}/index.html")
    }
}
