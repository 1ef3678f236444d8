//! Renders the site model into output files, in parallel: every page,
//! section pager, taxonomy page, feed, alias and extra page is one job.

pub mod claims;
mod contexts;
mod jobs;
mod sitemap;

use std::sync::atomic::{AtomicUsize, Ordering};

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
        let written = AtomicUsize::new(0);
        let errors: Vec<Diagnostic> = jobs
            .par_iter()
            .with_min_len(8)
            .filter_map(|job| {
                let outputs = match self.render_job(job) {
                    Ok(o) => o,
                    Err(d) => return Some(d),
                };
                for (path, bytes) in outputs {
                    let target = match OutputPath::new(&path) {
                        Ok(target) => target,
                        Err(why) => {
                            return Some(Diagnostic::new(path, format!("cannot be written: {why}")))
                        }
                    };
                    let bytes = self.finish(&path, bytes);
                    if let Err(e) = sink.write(&target, bytes) {
                        return Some(Diagnostic::new(path, format!("cannot write the file: {e}")));
                    }
                    written.fetch_add(1, Ordering::Relaxed);
                }
                None
            })
            .collect();
        Diagnostics::from(errors).into_result(written.into_inner())
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
    ) -> std::result::Result<String, Diagnostic> {
        let name = self.resolve_template(template)?;
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
    ) -> std::result::Result<String, Diagnostic> {
        let name = self.resolve_template(template)?;
        let lent = self.contexts.lend(&self.library.config, lang, fields);
        self.render_context(&name, lent.context())
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
    ) -> std::result::Result<String, Diagnostic> {
        self.tera
            .render(name, context)
            .map_err(|e| self.templates.render_error(self.tera, &e))
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
