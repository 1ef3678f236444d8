//! Renders the site model into output files, in parallel: every page,
//! section pager, taxonomy page, feed, alias and extra page is one job.

mod jobs;
mod sitemap;

use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;
use serde_json::{Map, Value};
use tera::{Context, Tera};

use crate::error::{tera_message, Diagnostic, Diagnostics, Result};
use crate::site::{ExtraFile, ExtraPage, Library};
pub use jobs::{plan, schedule, Job};

/// Where rendered files go.
pub trait Sink: Sync {
    /// Writes `bytes` at `path` (relative, `/`-separated, no leading slash).
    fn write(&self, path: &str, bytes: Vec<u8>) -> std::io::Result<()>;
}

/// What the renderer needs besides the model.
pub struct Renderer<'a> {
    /// The site's folder (for `sass/`).
    pub root: &'a std::path::Path,
    pub library: &'a Library,
    pub tera: &'a Tera,
    pub theme: Option<&'a str>,
    pub extra_pages: &'a [ExtraPage],
    pub extra_files: &'a [ExtraFile],
    /// Script inserted before `</body>` of HTML files (live reload).
    pub inject: Option<&'a str>,
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
                    let bytes = self.finish(&path, bytes);
                    if let Err(e) = sink.write(&path, bytes) {
                        return Some(Diagnostic::new(path, format!("cannot write the file: {e}")));
                    }
                    written.fetch_add(1, Ordering::Relaxed);
                }
                None
            })
            .collect();
        Diagnostics(errors).into_result(written.into_inner())
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

    /// Renders `template` with a context built from `fields`.
    pub fn render_template(
        &self,
        template: &str,
        fields: Map<String, Value>,
    ) -> std::result::Result<String, String> {
        let name = crate::templates::resolve(self.tera, template, self.theme)
            .ok_or_else(|| format!("template `{template}` not found in templates/ or the theme"))?;
        let context = Context::from_value(Value::Object(fields)).map_err(|e| e.to_string())?;
        self.tera
            .render(&name, &context)
            .map_err(|e| tera_message(&e))
    }

    /// Base context: `config`, `lang`, `current_path`, `current_url`.
    pub fn base_context(&self, lang: &str, path: Option<&str>) -> Map<String, Value> {
        let config = &self.library.config;
        let mut m = Map::with_capacity(8);
        m.insert("config".into(), config.serialized(lang).clone());
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

/// `path/index.html` for a URL path like `/a/b/`.
pub fn index_file(url_path: &str) -> String {
    let trimmed = url_path.trim_matches('/');
    if trimmed.is_empty() {
        "index.html".to_string()
    } else {
        format!("{trimmed}/index.html")
    }
}
