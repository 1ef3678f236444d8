//! The build pipeline: load config, templates and content; render Markdown;
//! build the model; render everything; write to a staging folder; swap.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde_json::{json, Value};
use tera::Tera;

use crate::config::Config;
use crate::content::{self, InsertAnchor, LoadedContent, Page, Section};
use crate::error::{Diagnostic, Diagnostics, Result};
use crate::markdown::{self, MarkdownContext, ShortcodeDefinitions};
use crate::output::{self, DiskSink};
use crate::render::{plan, schedule, Renderer, Sink};
use crate::site::{Contribution, Library, SiteExtension};
use crate::templates;

/// What to build and how.
#[derive(Clone, Default)]
pub struct BuildOptions {
    /// Site root (holds `config.toml`).
    pub root: PathBuf,
    /// Output folder; `public` under the root by default.
    pub output: Option<PathBuf>,
    /// Replaces `base_url` from the configuration.
    pub base_url: Option<String>,
    /// Include pages and sections marked `draft = true`.
    pub drafts: bool,
    /// Extra pages and files from other modules.
    pub extensions: Vec<Arc<dyn SiteExtension>>,
}

/// A loaded site, ready to render.
pub struct Site {
    pub root: PathBuf,
    pub config: Arc<Config>,
    pub tera: Tera,
    pub library: Arc<Library>,
    pub contribution: Contribution,
    pub permalinks: Arc<BTreeMap<String, String>>,
    pub shortcodes: ShortcodeDefinitions,
    /// Resizes asked for by templates, encoded after rendering.
    pub images: Arc<crate::images::ImageProcessor>,
}

/// What a build did, for the summary line.
#[derive(Debug, Clone, Copy)]
pub struct BuildSummary {
    pub pages: usize,
    pub sections: usize,
    pub files: usize,
    pub elapsed: Duration,
}

impl std::fmt::Display for BuildSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Built {} pages, {} sections, {} files in {} ms",
            self.pages,
            self.sections,
            self.files,
            self.elapsed.as_millis()
        )
    }
}

pub fn load_config(options: &BuildOptions) -> Result<Config> {
    let path = options
        .root
        .join(crate::config::config_file_name(&options.root));
    if !path.is_file() {
        return Err(Diagnostic::new(
            "config.toml",
            "no config.toml (nor zola.toml) here: run `maillage init` to start a site, or pass --root",
        )
        .into());
    }
    let mut config = Config::load(&path, &options.root)?;
    if let Some(url) = &options.base_url {
        config.set_base_url(url);
    }
    Ok(config)
}

/// Loads and renders the Markdown of the whole site, without writing anything.
pub fn load_site(options: &BuildOptions) -> Result<Site> {
    let t0 = Instant::now();
    let timing = std::env::var_os("MAILLAGE_TIMING").is_some();
    let lap = |what: &str| {
        if timing {
            eprintln!("  {what}: {} ms", t0.elapsed().as_millis());
        }
    };
    let root = options.root.clone();
    let config = Arc::new(load_config(options)?);
    // Templates and content do not depend on each other: load both at once.
    let (tera, loaded) = rayon::join(
        || templates::load(&root, config.theme.as_deref()),
        || content::load_content(&root, &root.join("content"), &config, options.drafts),
    );
    let mut errors = Diagnostics::new();
    let mut tera = tera.map_err(|e| errors.extend(e)).ok();
    let loaded = loaded
        .map(|(loaded, problems)| {
            errors.extend(problems);
            loaded
        })
        .map_err(|e| errors.extend(e))
        .ok();
    let (Some(tera_ref), Some(mut loaded)) = (tera.as_mut(), loaded) else {
        return Err(errors.into_result(()).unwrap_err());
    };
    lap("read content and templates");
    check_collisions(&loaded, &mut errors);
    let permalinks = Arc::new(content::permalinks(&loaded));
    templates::filters::register(tera_ref, config.clone());
    templates::functions::register_early(tera_ref, config.clone(), &root, permalinks.clone());
    let images = Arc::new(crate::images::ImageProcessor::new(
        &root,
        config.theme.as_deref(),
        config.make_permalink(crate::images::PROCESSED_DIR),
    ));
    templates::functions::register_images(tera_ref, images.clone());
    let shortcodes = ShortcodeDefinitions::from_template_names(tera_ref.get_template_names());
    if let Err(e) = render_markdown(
        &root,
        &config,
        tera_ref,
        &shortcodes,
        &permalinks,
        &mut loaded,
    ) {
        errors.extend(e);
    }
    if !errors.is_empty() {
        return Err(errors.into_result(()).unwrap_err());
    }
    lap("rendered markdown");
    let mut tera = tera.expect("templates loaded");
    let feeds: Vec<String> = config
        .languages
        .values()
        .flat_map(|l| l.feed_filenames.iter().cloned())
        .collect();
    let slim = !templates::analysis::listings_need_heavy_fields(&tera, &feeds);
    let library = Arc::new(Library::new(
        config.clone(),
        loaded.pages,
        loaded.sections,
        slim,
    )?);
    lap("built the model");
    let mut contribution = Contribution::default();
    for ext in &options.extensions {
        match ext.contribute(&root, &library) {
            Ok(c) => {
                contribution.pages.extend(c.pages);
                contribution.files.extend(c.files);
                contribution.warnings.extend(c.warnings);
            }
            Err(e) => errors.extend(e),
        }
    }
    templates::functions::register_late(&mut tera, library.clone());
    errors.into_result(Site {
        root,
        config,
        tera,
        library,
        contribution,
        permalinks,
        shortcodes,
        images,
    })
}

/// Two files that would write the same URL.
fn check_collisions(loaded: &LoadedContent, errors: &mut Diagnostics) {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let paths = loaded
        .pages
        .iter()
        .filter(|p| p.meta.render)
        .flat_map(|p| {
            std::iter::once(p.path.clone())
                .chain(
                    p.meta
                        .aliases
                        .iter()
                        .map(|a| format!("/{}", a.trim_matches('/')) + "/"),
                )
                .map(move |path| (path, &p.file.relative))
        })
        .chain(
            loaded
                .sections
                .iter()
                .filter(|s| s.meta.render)
                .map(|s| (s.path.clone(), &s.file.relative)),
        );
    for (path, file) in paths {
        if let Some(other) = seen.insert(path.clone(), file.clone()) {
            if other != *file {
                errors.push(Diagnostic::new(
                    format!("content/{file}"),
                    format!("its URL {path} is also the URL of content/{other}: change a `slug` or `path`"),
                ));
            }
        }
    }
}

fn anchor_for(sections: &[Section], config: &Config, parent_dir: &str, lang: &str) -> InsertAnchor {
    let name = if lang == config.default_language {
        "_index.md".to_string()
    } else {
        format!("_index.{lang}.md")
    };
    let rel = if parent_dir.is_empty() {
        name
    } else {
        format!("{parent_dir}/{name}")
    };
    sections
        .iter()
        .find(|s| s.file.relative == rel)
        .and_then(|s| s.meta.insert_anchor_links)
        .unwrap_or(config.markdown.insert_anchor_links)
}

/// Renders every page's and section's Markdown in parallel.
pub fn render_markdown(
    root: &Path,
    config: &Config,
    tera: &Tera,
    shortcodes: &ShortcodeDefinitions,
    permalinks: &BTreeMap<String, String>,
    loaded: &mut LoadedContent,
) -> Result<()> {
    let anchors: Vec<InsertAnchor> = loaded
        .pages
        .iter()
        .map(|p| anchor_for(&loaded.sections, config, &p.file.parent_dir, &p.lang))
        .collect();
    let page_errors: Vec<Diagnostics> = loaded
        .pages
        .par_iter_mut()
        .zip(anchors.par_iter())
        .filter_map(|(page, anchor)| {
            render_page_markdown(root, config, tera, shortcodes, permalinks, page, *anchor).err()
        })
        .collect();
    let section_errors: Vec<Diagnostics> = loaded
        .sections
        .par_iter_mut()
        .filter_map(|s| {
            render_section_markdown(root, config, tera, shortcodes, permalinks, s).err()
        })
        .collect();
    let mut errors = Diagnostics::new();
    page_errors
        .into_iter()
        .chain(section_errors)
        .for_each(|e| errors.extend(e));
    errors.into_result(())
}

pub fn render_page_markdown(
    root: &Path,
    config: &Config,
    tera: &Tera,
    shortcodes: &ShortcodeDefinitions,
    permalinks: &BTreeMap<String, String>,
    page: &mut Page,
    anchor: InsertAnchor,
) -> Result<()> {
    let file = page
        .file
        .path
        .strip_prefix(root)
        .unwrap_or(&page.file.path)
        .to_path_buf();
    let current = json!({
        "title": page.meta.title, "description": page.meta.description, "date": page.date,
        "slug": page.slug, "path": page.path, "permalink": page.permalink, "extra": page.meta.extra,
        "taxonomies": page.meta.taxonomies, "relative_path": page.file.relative, "lang": page.lang,
        "assets": page.serialized_assets, "colocated_path": page.file.colocated_path,
        "components": page.components, "authors": page.meta.authors, "updated": page.updated,
        "weight": page.meta.weight, "draft": page.meta.draft, "word_count": page.word_count,
        "reading_time": page.reading_time,
    });
    let ctx = MarkdownContext {
        config,
        permalinks,
        tera,
        shortcodes,
        permalink: &page.permalink,
        lang: &page.lang,
        insert_anchor: anchor,
        file: &file,
        body_line: page.body_line,
        current: Some(("page", &current)),
    };
    page.rendered = markdown::render(&page.raw_content, &ctx)?;
    Ok(())
}

pub fn render_section_markdown(
    root: &Path,
    config: &Config,
    tera: &Tera,
    shortcodes: &ShortcodeDefinitions,
    permalinks: &BTreeMap<String, String>,
    section: &mut Section,
) -> Result<()> {
    let file = section
        .file
        .path
        .strip_prefix(root)
        .unwrap_or(&section.file.path)
        .to_path_buf();
    let current: Value = json!({
        "title": section.meta.title, "description": section.meta.description, "path": section.path,
        "permalink": section.permalink, "extra": section.meta.extra, "relative_path": section.file.relative,
        "lang": section.lang, "assets": section.serialized_assets, "components": section.components,
        "word_count": section.word_count, "reading_time": section.reading_time,
    });
    let ctx = MarkdownContext {
        config,
        permalinks,
        tera,
        shortcodes,
        permalink: &section.permalink,
        lang: &section.lang,
        insert_anchor: section
            .meta
            .insert_anchor_links
            .unwrap_or(config.markdown.insert_anchor_links),
        file: &file,
        body_line: section.body_line,
        current: Some(("section", &current)),
    };
    section.rendered = markdown::render(&section.raw_content, &ctx)?;
    Ok(())
}

impl Site {
    pub fn renderer<'a>(&'a self, inject: Option<&'a str>) -> Renderer<'a> {
        Renderer {
            root: &self.root,
            library: &self.library,
            tera: &self.tera,
            theme: self.config.theme.as_deref(),
            extra_pages: &self.contribution.pages,
            extra_files: &self.contribution.files,
            inject,
        }
    }

    /// Renders everything into `sink`, then encodes the images templates
    /// asked for into `static/processed_images/` (which the static files'
    /// copy publishes); returns the number of files rendered.
    pub fn render_all(&self, sink: &dyn Sink, inject: Option<&str>) -> Result<usize> {
        let written = self.render_without_images(sink, inject)?;
        self.images
            .process()
            .map_err(|m| Diagnostic::new("static/processed_images", m))?;
        Ok(written)
    }

    /// Renders everything into `sink`; images asked for are not encoded
    /// (for `check`, which writes nothing).
    pub fn render_without_images(&self, sink: &dyn Sink, inject: Option<&str>) -> Result<usize> {
        let jobs = schedule(
            plan(&self.library, self.contribution.pages.len()),
            self.contribution.files.len(),
        );
        self.renderer(inject).render_jobs(&jobs, sink)
    }

    pub fn output_dir(&self, options: &BuildOptions) -> PathBuf {
        options
            .output
            .clone()
            .unwrap_or_else(|| self.root.join(&self.config.output_dir))
    }
}

/// `maillage build`: everything, written to a staging folder then swapped in.
pub fn build(options: &BuildOptions) -> Result<BuildSummary> {
    let start = Instant::now();
    let timing = std::env::var_os("MAILLAGE_TIMING").is_some();
    let lap = |what: &str| {
        if timing {
            eprintln!("{what}: {} ms", start.elapsed().as_millis());
        }
    };
    let config = load_config(options)?;
    let output = options
        .output
        .clone()
        .unwrap_or_else(|| options.root.join(&config.output_dir));
    // The staging folder is prepared (a reused one is listed) while the
    // site loads. Listing mostly waits on the file system: it gets a thread
    // of its own rather than one of the pool's, which all go to loading.
    let (site, staging) = std::thread::scope(|scope| {
        let staging = scope.spawn(|| output::staging_dir(&output));
        let site = load_site(options);
        let staging = staging
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        (site, staging)
    });
    let site = match site {
        Ok(site) => site,
        Err(e) => {
            if let Ok(staging) = staging {
                staging.discard();
            }
            return Err(e);
        }
    };
    let mut staging = staging?;
    for warning in &site.contribution.warnings {
        eprintln!("warning: {warning}");
    }
    lap("loaded");
    let sink = DiskSink::new(staging.dir.clone());
    let result = site.render_all(&sink, None).and_then(|written| {
        let statics = output::copy_static(&site.root, site.config.theme.as_deref(), &sink)?;
        Ok(written + statics)
    });
    let files = match result {
        Ok(n) => n,
        Err(e) => {
            staging.discard();
            return Err(e);
        }
    };
    lap("rendered");
    staging.prune(&sink);
    lap("pruned");
    staging.swap_into_place(&output)?;
    lap("swapped");
    let summary = BuildSummary {
        pages: site.library.pages.iter().filter(|p| p.meta.render).count()
            + site.contribution.pages.len(),
        sections: site.library.sections.len(),
        files,
        elapsed: start.elapsed(),
    };
    // Freeing a national site's values takes a tenth of a second on one
    // core; the build is done and need not wait for it.
    std::thread::spawn(move || drop(site));
    Ok(summary)
}
