//! The build pipeline: load config, templates and content; render Markdown;
//! build the model; render everything; write to a staging folder; swap.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde_json::{json, Value};
use tera::Tera;

use crate::cache::{self, unchanged};
use crate::config::Config;
use crate::content::{self, InsertAnchor, LoadedContent, Page, Section};
use crate::error::{Diagnostic, Diagnostics, Result};
use crate::markdown::{self, MarkdownContext, ShortcodeDefinitions};
use crate::output::{self, DiskSink};
use crate::render::claims::{self, Planned};
use crate::render::trace::Traces;
use crate::render::{plan, schedule, Renderer, Sink};
use crate::site::{Contribution, Library, SiteExtension};
use crate::templates::{self, TemplateFiles};

/// What to build and how.
#[derive(Clone, Default)]
pub struct BuildOptions {
    /// Site root (holds `config.toml`).
    pub root: PathBuf,
    /// Output folder; `public` under the root by default.
    pub output: Option<PathBuf>,
    /// Replace an `output` folder that exists, holds files and is not
    /// this site's last output (`--force`); without it such a folder is
    /// refused, as Zola refuses it. The configuration's `output_dir` is
    /// replaced either way.
    pub force: bool,
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
    /// The file of each template, for messages.
    pub templates: Arc<TemplateFiles>,
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
    /// Files rendered from templates, and those kept from the last build
    /// (its cache said they would come out the same).
    pub rendered: usize,
    pub kept: usize,
    /// Nothing the build reads changed since the last build, whose output
    /// it kept without loading the site.
    pub untouched: bool,
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
        )?;
        if self.untouched {
            write!(
                f,
                " (nothing changed since the last build: its output is kept)"
            )?;
        } else if self.kept > 0 {
            write!(
                f,
                " ({} pages and files rendered again, {} unchanged since the last build)",
                self.rendered, self.kept
            )?;
        }
        Ok(())
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
    if let Some(theme) = config.theme.clone() {
        let manifest = Path::new("themes").join(&theme).join("theme.toml");
        // A theme without theme.toml gives nothing.
        if let Ok(text) = crate::files::read_text(&options.root.join(&manifest)) {
            config.add_theme(&text, &manifest)?;
        }
    }
    if let Some(url) = &options.base_url {
        config.set_base_url(url);
    }
    Ok(config)
}

/// Loads the site and renders its Markdown, without writing anything.
///
/// Every stage reports all the problems it finds, and runs as soon as what
/// it needs is there, whatever the other stages found: the templates, the
/// content and the extensions' sources (the domain data) are read at once
/// and independently; the Markdown of every file read is rendered when the
/// templates parsed (its shortcodes are templates); the model and the
/// output paths of everything (paths leaving the output folder, files
/// wanted by two sources) are checked from what was read. Any problem
/// stops the build before the pages are rendered, and the errors say so.
pub fn load_site(options: &BuildOptions) -> Result<Site> {
    load_site_from(options, load_config(options)?, None)
}

/// [`load_site`] with its configuration read, taking the content's
/// Markdown from `preread` where it holds it.
fn load_site_from(
    options: &BuildOptions,
    config: Config,
    preread: Option<&unchanged::Preread>,
) -> Result<Site> {
    let laps = crate::timing::Laps::start("  ");
    let lap = |what: &str| laps.lap(what);
    let root = options.root.clone();
    let config = Arc::new(config);
    let (tera, (loaded, contributions)) = rayon::join(
        || templates::load(&root, config.theme.as_deref()),
        || {
            rayon::join(
                || {
                    let content = root.join("content");
                    content::load_content(&root, &content, &config, options.drafts, preread)
                },
                || {
                    options
                        .extensions
                        .par_iter()
                        .map(|ext| (ext.name(), ext.contribute(&root, &config)))
                        .collect::<Vec<_>>()
                },
            )
        },
    );
    lap("read templates, content and data");
    let mut errors = Diagnostics::new();
    let (mut loaded, problems) = loaded;
    errors.extend(problems);
    let mut contribution = Contribution::default();
    for (name, result) in contributions {
        match result {
            Ok(c) => contribution.extend_from(name, c),
            Err(e) => errors.extend(e),
        }
    }
    let (mut tera, template_files) = match tera {
        Ok((tera, files)) => (Some(tera), files),
        Err(e) => {
            errors.extend(e);
            (None, TemplateFiles::default())
        }
    };
    let permalinks = Arc::new(content::permalinks(&loaded));
    let images = Arc::new(crate::images::ImageProcessor::new(
        &root,
        config.theme.as_deref(),
        config.make_permalink(crate::images::PROCESSED_DIR),
    ));
    let mut shortcodes = ShortcodeDefinitions::default();
    match tera.as_mut() {
        Some(tera) => {
            templates::filters::register(tera, config.clone());
            templates::functions::register_early(tera, config.clone(), &root, permalinks.clone());
            templates::functions::register_images(tera, images.clone());
            shortcodes = ShortcodeDefinitions::from_template_names(tera.get_template_names());
            if let Err(e) =
                render_markdown(&root, &config, tera, &shortcodes, &permalinks, &mut loaded)
            {
                errors.extend(e);
            }
            lap("rendered markdown");
        }
        None if !loaded.pages.is_empty() || !loaded.sections.is_empty() => errors.note(
            "the Markdown of content/ was not rendered, since its shortcodes are templates: \
             its own problems (links, shortcodes) show once the templates are fixed",
        ),
        None => {}
    }
    let feeds: Vec<String> = config
        .languages
        .values()
        .flat_map(|l| l.feed_filenames.iter().cloned())
        .collect();
    let slim = tera
        .as_ref()
        .is_some_and(|tera| !templates::analysis::listings_need_heavy_fields(tera, &feeds));
    let (library, problems) = Library::build(config.clone(), loaded.pages, loaded.sections, slim);
    errors.extend(problems);
    let library = Arc::new(library);
    lap("built the model");
    errors.extend(claims::check(&Planned {
        root: &root,
        library: &library,
        extra_pages: &contribution.pages,
        extra_files: &contribution.files,
        required_pages: &contribution.required_pages,
    }));
    lap("checked the output paths");
    match tera {
        Some(mut tera) if errors.is_empty() => {
            templates::functions::register_late(&mut tera, library.clone());
            Ok(Site {
                root,
                config,
                tera,
                templates: Arc::new(template_files),
                library,
                contribution,
                permalinks,
                shortcodes,
                images,
            })
        }
        _ => {
            errors.note("no page was rendered: pages show their own problems once these are fixed");
            Err(errors.into_result(()).unwrap_err())
        }
    }
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
    // A page takes `insert_anchor_links` from its section, found by the
    // section file's relative path, or else from `[markdown]`.
    let by_file: HashMap<&str, Option<InsertAnchor>> = loaded
        .sections
        .iter()
        .map(|s| (s.file.relative.as_str(), s.meta.insert_anchor_links))
        .collect();
    let anchors: Vec<InsertAnchor> = loaded
        .pages
        .iter()
        .map(|p| {
            let name = if p.lang == config.default_language {
                "_index.md".to_string()
            } else {
                format!("_index.{}.md", p.lang)
            };
            let section = if p.file.parent_dir.is_empty() {
                name
            } else {
                format!("{}/{name}", p.file.parent_dir)
            };
            by_file
                .get(section.as_str())
                .copied()
                .flatten()
                .unwrap_or(config.markdown.insert_anchor_links)
        })
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
    if config.markdown.french_spacing && markdown::typography::is_french(&page.lang) {
        french_meta(&mut page.meta.title, &mut page.meta.description);
    }
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
    // Nothing reads the Markdown once rendered: a large site's pages
    // would hold it until the build ends.
    page.raw_content = String::new();
    Ok(())
}

/// A French page's title and description get the spacing of its text.
fn french_meta(title: &mut Option<String>, description: &mut Option<String>) {
    for text in [title, description].into_iter().flatten() {
        if let std::borrow::Cow::Owned(spaced) = markdown::typography::french_spacing(text) {
            *text = spaced;
        }
    }
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
    if config.markdown.french_spacing && markdown::typography::is_french(&section.lang) {
        french_meta(&mut section.meta.title, &mut section.meta.description);
    }
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
    section.raw_content = String::new();
    Ok(())
}

impl Site {
    /// The job that writes each file of the site, by its output path.
    pub fn jobs_by_file(&self) -> std::collections::HashMap<String, crate::render::Job> {
        claims::jobs_by_file(&Planned {
            root: &self.root,
            library: &self.library,
            extra_pages: &self.contribution.pages,
            extra_files: &self.contribution.files,
            required_pages: &self.contribution.required_pages,
        })
    }

    pub fn renderer<'a>(&'a self, inject: Option<&'a str>) -> Renderer<'a> {
        Renderer {
            root: &self.root,
            library: &self.library,
            tera: &self.tera,
            templates: &self.templates,
            theme: self.config.theme.as_deref(),
            extra_pages: &self.contribution.pages,
            extra_files: &self.contribution.files,
            inject,
            contexts: Default::default(),
        }
    }

    /// Renders everything into `sink`; images asked for are not encoded
    /// (for `check`, which writes nothing).
    pub fn render_without_images(&self, sink: &dyn Sink, inject: Option<&str>) -> Result<usize> {
        self.renderer(inject).render_jobs(&self.jobs(), sink)
    }

    /// Every job of the site, in the order they render best.
    fn jobs(&self) -> Vec<crate::render::Job> {
        schedule(
            plan(&self.library, self.contribution.pages.len()),
            self.contribution.files.len(),
        )
    }

    /// Renders everything into `sink`, keeping the outputs that `previous`
    /// traced and that would come out the same, then encodes the images
    /// templates asked for into `static/processed_images/` (which the
    /// static files' copy publishes); returns what
    /// [`Renderer::render_jobs_traced`] does, which says what `stop` does
    /// (the images the pages rendered asked for are encoded all the same).
    pub fn render_all_traced(
        &self,
        sink: &dyn Sink,
        inject: Option<&str>,
        previous: Option<&Traces>,
        stop: Option<&std::sync::atomic::AtomicBool>,
    ) -> Result<crate::render::Traced> {
        let renderer = self.renderer(inject);
        let result = renderer.render_jobs_traced(&self.jobs(), sink, previous, stop)?;
        self.images
            .process()
            .map_err(|m| Diagnostic::new("static/processed_images", m))?;
        Ok(result)
    }

    pub fn output_dir(&self, options: &BuildOptions) -> PathBuf {
        options
            .output
            .clone()
            .unwrap_or_else(|| self.root.join(&self.config.output_dir))
    }
}

/// What a build leaves once done: the site it loaded and the cache it
/// saved, large on a large site. Dropped, they are freed on a thread of
/// their own (a national site's take a tenth of a second on one core),
/// and the build need not wait.
pub struct Leftovers(Option<(Site, cache::BuildCache)>);

impl Leftovers {
    /// For a process about to end: leaves the memory to the system. Freed
    /// on another thread while the process exits, it slowed the exit (each
    /// stretch of memory given back interrupts the exiting core).
    pub fn leave_to_exit(mut self) {
        std::mem::forget(self.0.take());
    }
}

impl Drop for Leftovers {
    fn drop(&mut self) {
        if let Some(leftovers) = self.0.take() {
            std::thread::spawn(move || drop(leftovers));
        }
    }
}

/// `maillage build`: everything, written to a staging folder then swapped in.
pub fn build(options: &BuildOptions) -> Result<BuildSummary> {
    build_leaving(options).map(|(summary, _)| summary)
}

/// [`build`], with what it leaves for the caller to dispose of.
pub fn build_leaving(options: &BuildOptions) -> Result<(BuildSummary, Leftovers)> {
    let start = Instant::now();
    let laps = crate::timing::Laps::start("");
    let lap = |what: &str| laps.lap(what);
    let config = load_config(options)?;
    let output = output::followed(
        &options
            .output
            .clone()
            .unwrap_or_else(|| options.root.join(&config.output_dir)),
    );
    output::check_holds_no_sources(&options.root, &output)?;
    let cache_key = cache::key(options, &output);
    // Held until the cache is saved, at the end of this function.
    let _one_build_at_a_time = cache::lock::hold(&options.root);
    if options.output.is_some() && !options.force {
        cache::own_output::check_replaceable(&options.root, &output)?;
    }
    let last = unchanged::load(&options.root, &cache_key);
    let reading = unchanged::before_build(options, &config, last.as_ref());
    if let (Some(last), Some(reading)) = (&last, &reading) {
        if unchanged::still_holds(last, reading, &output) {
            for warning in &last.warnings {
                eprintln!("warning: {warning}");
            }
            lap("nothing changed");
            let summary = BuildSummary {
                pages: last.pages,
                sections: last.sections,
                files: last.files,
                rendered: 0,
                kept: 0,
                untouched: true,
                elapsed: start.elapsed(),
            };
            return Ok((summary, Leftovers(None)));
        }
    }
    // The staging folder is prepared (a reused one is listed) and the
    // cache read while the site loads. Listing mostly waits on the file
    // system, and both run on one core: they get threads of their own
    // rather than the pool's, which all go to loading.
    let (site, staging, mut previous) = std::thread::scope(|scope| {
        let staging = scope.spawn(|| output::staging_dir(&output));
        let previous = scope.spawn(|| cache::load(&options.root, &cache_key));
        let site = load_site_from(options, config, reading.as_ref().map(|r| &r.preread));
        fn joined<T>(handle: std::thread::ScopedJoinHandle<'_, T>) -> T {
            handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        }
        (site, joined(staging), joined(previous))
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
    // From here the spare folder changes: no cache may describe it until
    // this build is in place.
    cache::forget(&site.root);
    // The spare folder is known only if it holds every file the cache
    // says it does (it may have been deleted or replaced since), and only
    // its files that no one changed after they were written: a file
    // changed since (a deployment step editing the output in place) is
    // written again. A folder unpacked from an archive (a CI cache) has
    // every file's change time after its stamp; when every file and its
    // modification time are what the build left, it is known whole.
    let present = staging.previous_modified();
    let held = previous
        .as_mut()
        .and_then(|c| Some((c.spare.take()?, c.spare_written?, c.spare_digest)))
        .filter(|(held, _, _)| held.keys().all(|k| present.contains_key(k)))
        .map(|(mut held, written, digest)| {
            let changed = staging.changed_since(written);
            let unpacked_whole = || digest.is_some() && staging.digest() == digest;
            if !changed.is_empty() && !unpacked_whole() {
                held.retain(|path, _| !changed.contains(path.as_str()));
            }
            held
        })
        .unwrap_or_default();
    let sink = DiskSink::reusing(
        staging.dir.clone(),
        output::Reuse {
            held,
            last_output: output.clone(),
            present,
        },
    );
    let result = site
        .render_all_traced(&sink, None, previous.as_ref().map(|c| &c.traces), None)
        .and_then(|traced| {
            let statics = output::copy_static(&site.root, site.config.theme.as_deref(), &sink)?;
            Ok((traced.written + statics, traced))
        });
    let (files, traced) = match result {
        Ok(n) => n,
        Err(e) => {
            staging.discard();
            return Err(e);
        }
    };
    lap("rendered");
    // Every file is written: the folder's stamp comes before the pruning,
    // which deletes files and changes none.
    let written = staging.stamp();
    let had_output = output.is_dir();
    let (spare, spare_written, spare_digest) = previous
        .filter(|_| had_output)
        .map_or((None, None, None), |c| {
            (Some(c.output), c.output_written, c.output_digest)
        });
    let cache = cache::BuildCache {
        key: cache_key.clone(),
        traces: traced.traces,
        output: sink.take_fingerprints(),
        output_written: written,
        output_digest: sink.take_digest(),
        spare,
        spare_written,
        spare_digest,
    };
    // The cache is encoded while the files this build did not write (all
    // it wrote or kept have a fingerprint) are deleted, one thread at it.
    let (encoded, ()) = rayon::join(
        || cache::encode(&cache),
        || staging.prune(&|path| cache.output.contains_key(path)),
    );
    lap("pruned");
    staging.swap_into_place(&output)?;
    cache::own_output::note(&site.root, &output);
    lap("swapped");
    let mut summary = BuildSummary {
        pages: site.library.pages.iter().filter(|p| p.meta.render).count()
            + site.contribution.pages.len(),
        sections: site.library.sections.len(),
        files,
        rendered: traced.rendered,
        kept: traced.kept,
        untouched: false,
        elapsed: start.elapsed(),
    };
    let last = reading.and_then(|reading| {
        unchanged::record(cache_key, &site, &cache.traces, reading, &summary, &output)
    });
    let saved = encoded
        .and_then(|encoded| cache::save(&site.root, &encoded))
        .and_then(|()| match &last {
            Some(last) => unchanged::save(&site.root, last),
            None => Ok(()),
        });
    if let Err(e) = saved {
        eprintln!(
            "note: the build cache cannot be saved in {}: {e}",
            cache::DIR
        );
    }
    lap("cache saved");
    summary.elapsed = start.elapsed();
    Ok((summary, Leftovers(Some((site, cache)))))
}
