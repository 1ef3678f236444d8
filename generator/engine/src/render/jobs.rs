//! The list of things to render, and how each one is rendered.

use serde_json::{json, Map, Value};

use super::{alias_file, asset_file, index_file, sitemap, trace, Renderer};
use crate::error::Diagnostic;
use crate::site::{Library, PageFieldSet};
use crate::templates::analysis::reads_pages_when_paginated;

/// One unit of rendering work.
#[derive(Debug, Clone, PartialEq)]
pub enum Job {
    Page(usize),
    /// A section: its page, or its first pager and the `page/1/` redirect.
    Section(usize),
    /// Pager `index` (2-based and up) of a paginated section.
    SectionPager(usize, usize),
    SectionFeeds(usize),
    TaxonomyList(usize),
    /// A term page, or its first pager and redirect.
    Term(usize, usize),
    TermPager(usize, usize, usize),
    TermFeeds(usize, usize),
    /// Site feeds of one language.
    SiteFeeds(String),
    /// The search index of one language.
    SearchIndex(String),
    /// `elasticlunr.min.js`, for the indexes that are scripts.
    SearchScript,
    /// Every style sheet compiled from `sass/`.
    Sass,
    /// The highlighting themes' style sheets (`style = "class"`).
    HighlightCss,
    Sitemap,
    Robots,
    NotFound,
    Aliases,
    ExtraPage(usize),
    /// Every extra file (GeoJSON, calendars...).
    ExtraFiles,
    /// Extra files `start..end`: [`schedule`] splits `ExtraFiles` so that
    /// thousands of small files are written by every thread.
    ExtraFileRange(usize, usize),
}

/// What the trace key of an extension's page starts with, before its path.
pub(crate) const EXTRA_PAGE_KEY: &str = "extra:";

/// Extra files written by one job: a range whose inputs changed is made
/// again whole.
const EXTRA_FILES_PER_JOB: usize = 32;

/// Orders `jobs` for two threads or more so that no long job is left to
/// run alone at the end: the extra files, split in small jobs, the sitemap
/// and the extra pages first (an extension lists its costliest pages
/// first: a whole network on one map), then the jobs that list many pages
/// (sections, terms and their pagers, feeds, search indexes), and the
/// content's pages, each cheap and alike, last.
pub fn schedule(jobs: Vec<Job>, extra_files: usize) -> Vec<Job> {
    let mut first = Vec::new();
    let mut extra_pages = Vec::new();
    let mut pages = Vec::with_capacity(jobs.len());
    let mut rest = Vec::new();
    for job in jobs {
        match job {
            Job::ExtraFiles => {
                first.extend((0..extra_files).step_by(EXTRA_FILES_PER_JOB).map(|start| {
                    Job::ExtraFileRange(start, (start + EXTRA_FILES_PER_JOB).min(extra_files))
                }))
            }
            Job::Sitemap => first.push(job),
            Job::ExtraPage(_) => extra_pages.push(job),
            Job::Page(_) => pages.push(job),
            other => rest.push(other),
        }
    }
    first.extend(extra_pages);
    first.extend(rest);
    first.extend(pages);
    first
}

fn pager_count(len: usize, by: usize) -> usize {
    len.div_ceil(by).max(1)
}

/// Everything to render for the library.
pub fn plan(library: &Library, extra_pages: usize) -> Vec<Job> {
    let config = &library.config;
    let mut jobs = Vec::with_capacity(library.pages.len() + 64);
    // Zola renders pages through their sections: a page its section cannot
    // sort (no date, title or weight to sort by) is not written.
    let mut unsortable: std::collections::HashSet<usize> = library
        .sections
        .iter()
        .flat_map(|s| s.ignored_pages.iter().copied())
        .collect();
    for s in &library.sections {
        for p in &s.pages {
            unsortable.remove(p);
        }
    }
    for (i, p) in library.pages.iter().enumerate() {
        if p.meta.render && !unsortable.contains(&i) {
            jobs.push(Job::Page(i));
        }
    }
    for (i, s) in library.sections.iter().enumerate() {
        if s.meta.generate_feeds {
            jobs.push(Job::SectionFeeds(i));
        }
        if !s.meta.render {
            continue;
        }
        jobs.push(Job::Section(i));
        if s.meta.redirect_to.is_none() {
            if let Some(by) = s.meta.paginate_by.filter(|&b| b > 0) {
                for n in 2..=pager_count(s.pages.len(), by) {
                    jobs.push(Job::SectionPager(i, n));
                }
            }
        }
    }
    for (t, taxonomy) in library.taxonomies.iter().enumerate() {
        if !taxonomy.kind.render || taxonomy.items.is_empty() {
            continue;
        }
        jobs.push(Job::TaxonomyList(t));
        for (i, term) in taxonomy.items.iter().enumerate() {
            jobs.push(Job::Term(t, i));
            if let Some(by) = taxonomy.kind.paginate_by.filter(|&b| b > 0) {
                for n in 2..=pager_count(term.pages.len(), by) {
                    jobs.push(Job::TermPager(t, i, n));
                }
            }
            if taxonomy.kind.feed {
                jobs.push(Job::TermFeeds(t, i));
            }
        }
    }
    for (lang, options) in &config.languages {
        if options.generate_feeds {
            jobs.push(Job::SiteFeeds(lang.clone()));
        }
        if options.build_search_index {
            jobs.push(Job::SearchIndex(lang.clone()));
        }
    }
    if crate::search::needs_elasticlunr_script(config) {
        jobs.push(Job::SearchScript);
    }
    if config.compile_sass {
        jobs.push(Job::Sass);
    }
    if config
        .markdown
        .highlighter
        .as_ref()
        .is_some_and(|h| !h.css_files().is_empty())
    {
        jobs.push(Job::HighlightCss);
    }
    if config.generate_sitemap {
        jobs.push(Job::Sitemap);
    }
    if config.generate_robots_txt {
        jobs.push(Job::Robots);
    }
    jobs.push(Job::NotFound);
    jobs.push(Job::Aliases);
    for i in 0..extra_pages {
        jobs.push(Job::ExtraPage(i));
    }
    jobs.push(Job::ExtraFiles);
    jobs
}

type Outputs = Vec<(String, Vec<u8>)>;

impl Job {
    /// What the job renders, named the same from one build to the next
    /// (indexes move when a page is added): its trace's key. `None` for
    /// the jobs that use no template, which always run (their sink skips
    /// bytes it already has).
    pub fn key(&self, r: &Renderer<'_>) -> Option<String> {
        let lib = r.library;
        let section = |i: usize| &lib.sections[i].file.relative;
        let term = |t: usize, i: usize| {
            let taxonomy = &lib.taxonomies[t];
            format!(
                "{}/{}/{}",
                taxonomy.lang, taxonomy.kind.name, taxonomy.items[i].slug
            )
        };
        Some(match self {
            Job::Page(i) => format!("page:{}", lib.pages[*i].file.relative),
            Job::Section(i) => format!("section:{}", section(*i)),
            Job::SectionPager(i, n) => format!("section:{}:{n}", section(*i)),
            Job::SectionFeeds(i) => format!("section-feeds:{}", section(*i)),
            Job::TaxonomyList(t) => format!(
                "taxonomy:{}/{}",
                lib.taxonomies[*t].lang, lib.taxonomies[*t].kind.name
            ),
            Job::Term(t, i) => format!("term:{}", term(*t, *i)),
            Job::TermPager(t, i, n) => format!("term:{}:{n}", term(*t, *i)),
            Job::TermFeeds(t, i) => format!("term-feeds:{}", term(*t, *i)),
            Job::SiteFeeds(lang) => format!("feeds:{lang}"),
            Job::Sitemap => "sitemap".into(),
            Job::Robots => "robots".into(),
            Job::NotFound => "404".into(),
            Job::Aliases => "aliases".into(),
            Job::ExtraPage(i) => format!("{EXTRA_PAGE_KEY}{}", r.extra_pages[*i].path),
            // Kept, its files not made, while their inputs' fingerprints
            // hold; without them, while the files' bytes do.
            Job::ExtraFileRange(start, _) => format!("files:{}", r.extra_files[*start].path),
            Job::SearchIndex(_)
            | Job::SearchScript
            | Job::Sass
            | Job::HighlightCss
            | Job::ExtraFiles => return None,
        })
    }
}

impl Renderer<'_> {
    pub(super) fn render_job(&self, job: &Job) -> Result<Outputs, Diagnostic> {
        let lib = self.library;
        match job {
            Job::Page(i) => self.page(*i),
            Job::Section(i) => self.section(*i),
            Job::SectionPager(i, n) => {
                let s = &lib.sections[*i];
                let html = self.section_pager(*i, *n)?;
                let path = pager_path(&s.path, &s.meta.paginate_path, *n);
                Ok(vec![(index_file(&path), html)])
            }
            Job::SectionFeeds(i) => self.section_feeds(*i),
            Job::TaxonomyList(t) => self.taxonomy_list(*t),
            Job::Term(t, i) => self.term(*t, *i),
            Job::TermPager(t, i, n) => {
                let term = &lib.taxonomies[*t].items[*i];
                let html = self.term_pager(*t, *i, *n)?;
                let path = pager_path(&term.path, lib.taxonomies[*t].kind.paginate_path(), *n);
                Ok(vec![(index_file(&path), html)])
            }
            Job::TermFeeds(t, i) => self.term_feeds(*t, *i),
            Job::SiteFeeds(lang) => self.site_feeds(lang),
            Job::Sitemap => sitemap::render(self),
            Job::SearchIndex(lang) => crate::search::index_files(lib, self.extra_pages, lang)
                .map_err(|m| Diagnostic::new("config.toml", m).field("build_search_index")),
            Job::SearchScript => Ok(vec![(
                "elasticlunr.min.js".into(),
                crate::search::ELASTICLUNR_JS.as_bytes().to_vec(),
            )]),
            Job::Sass => crate::sass::compile_all(self.root, self.theme),
            Job::HighlightCss => Ok(lib
                .config
                .markdown
                .highlighter
                .as_ref()
                .map(|h| h.css_files())
                .unwrap_or_default()
                .into_iter()
                .map(|(path, css)| (path, css.into_bytes()))
                .collect()),
            Job::Robots => {
                let text = self
                    .render_with_config("robots.txt", &lib.config.default_language, Map::new())
                    .map_err(|d| d.rendering("robots.txt"))?;
                Ok(vec![("robots.txt".into(), text)])
            }
            Job::NotFound => {
                let lang = &lib.config.default_language;
                let ctx = self.base_context(lang, None);
                let html = self
                    .render_with_config("404.html", lang, ctx)
                    .map_err(|d| d.rendering("404.html"))?;
                Ok(vec![("404.html".into(), html)])
            }
            Job::Aliases => self.aliases(),
            Job::ExtraPage(i) => {
                let page = &self.extra_pages[*i];
                let lang = page
                    .lang
                    .clone()
                    .unwrap_or_else(|| lib.config.default_language.clone());
                let mut ctx = self.base_context(&lang, Some(&page.path));
                // While traced, a builder that fingerprints its fields
                // without building them spares a probe the building.
                let known = trace::active()
                    .then(|| page.context.fingerprint())
                    .flatten()
                    .map(|fields| {
                        trace::fingerprint_parts(&[trace::fingerprint_fields(&ctx), fields])
                    });
                let html = self
                    .render_extra(&page.template, &lang, known, || {
                        for (k, v) in page.context.fields().into_owned() {
                            ctx.insert(k, v);
                        }
                        ctx
                    })
                    .map_err(|d| d.rendering(page.path.clone()))?;
                Ok(vec![(index_file(&page.path), html)])
            }
            Job::ExtraFiles => Ok(self.extra_file_outputs(0, self.extra_files.len())),
            Job::ExtraFileRange(start, end) => Ok(self.extra_file_range(*start, *end)),
        }
    }

    fn extra_files_in(&self, start: usize, end: usize) -> &[crate::site::ExtraFile] {
        let end = end.min(self.extra_files.len());
        &self.extra_files[start.min(end)..end]
    }

    fn extra_file_outputs(&self, start: usize, end: usize) -> Outputs {
        self.extra_files_in(start, end)
            .iter()
            .map(|f| (f.path.clone(), f.bytes.get().into_owned()))
            .collect()
    }

    /// The fingerprint of what extra files `start..end` are made from, when
    /// each has one ([`crate::site::FileBytes::inputs`]).
    fn extra_file_inputs(&self, start: usize, end: usize) -> Option<trace::Fingerprint> {
        let inputs = self
            .extra_files_in(start, end)
            .iter()
            .map(|f| f.bytes.inputs())
            .collect::<Option<Vec<_>>>()?;
        Some(trace::fingerprint_parts(&inputs))
    }

    /// Extra files `start..end`; while traced, their inputs are noted, and
    /// a probe gets their paths without their bytes being made.
    fn extra_file_range(&self, start: usize, end: usize) -> Outputs {
        if trace::active() {
            if let Some(inputs) = self.extra_file_inputs(start, end) {
                if trace::note_inputs(inputs) {
                    return self
                        .extra_files_in(start, end)
                        .iter()
                        .map(|f| (f.path.clone(), trace::probed_output()))
                        .collect();
                }
            }
        }
        self.extra_file_outputs(start, end)
    }

    /// How a term's outputs are named in messages.
    fn term_name(&self, t: usize, i: usize) -> String {
        let taxonomy = &self.library.taxonomies[t];
        format!(
            "term `{}` of taxonomy `{}`",
            taxonomy.items[i].name, taxonomy.kind.name
        )
    }

    fn page(&self, i: usize) -> Result<Outputs, Diagnostic> {
        let lib = self.library;
        let page = &lib.pages[i];
        let mut ctx = self.base_context(&page.lang, Some(&page.path));
        let fields = self
            .templates
            .fields_read
            .page(&resolved(self, page.template_name()));
        ctx.insert("page".into(), lib.page_context_value(i, fields));
        let html = self
            .render_with_config(page.template_name(), &page.lang, ctx)
            .map_err(|d| d.rendering(format!("content/{}", page.file.relative)))?;
        let mut out = vec![(index_file(&page.path), html)];
        for asset in &page.assets {
            out.push(asset_output(&page.path, page.file.folder(), asset)?);
        }
        Ok(out)
    }

    fn section(&self, i: usize) -> Result<Outputs, Diagnostic> {
        let lib = self.library;
        let s = &lib.sections[i];
        let mut out = Vec::new();
        for asset in &s.assets {
            out.push(asset_output(&s.path, s.file.folder(), asset)?);
        }
        if let Some(target) = &s.meta.redirect_to {
            let url = if crate::markdown::is_external(target) {
                target.clone()
            } else {
                lib.config.make_permalink(target)
            };
            out.push((index_file(&s.path), self.redirect(&url)?));
            return Ok(out);
        }
        if s.meta.is_paginated() {
            let html = self.section_pager(i, 1)?;
            out.push((index_file(&s.path), html));
            let first = pager_path(&s.path, &s.meta.paginate_path, 1);
            out.push((index_file(&first), self.redirect(&s.permalink)?));
            return Ok(out);
        }
        let mut ctx = self.base_context(&s.lang, Some(&s.path));
        ctx.insert("section".into(), lib.section_full(i));
        let html = self
            .render_with_config(s.template_name(), &s.lang, ctx)
            .map_err(|d| d.rendering(format!("content/{}", s.file.relative)))?;
        out.push((index_file(&s.path), html));
        Ok(out)
    }

    fn redirect(&self, url: &str) -> Result<Vec<u8>, Diagnostic> {
        let mut ctx = Map::new();
        ctx.insert("url".into(), Value::String(url.to_string()));
        self.render_template("internal/alias.html", ctx)
            .map_err(|d| d.rendering(format!("a redirection to {url}")))
    }

    fn section_pager(&self, i: usize, n: usize) -> Result<Vec<u8>, Diagnostic> {
        let lib = self.library;
        let s = &lib.sections[i];
        let by = s.meta.paginate_by.unwrap_or(1).max(1);
        let mut ids = s.pages.clone();
        if s.meta.paginate_reversed {
            ids.reverse();
        }
        let base_path = &s.path;
        let fields = self
            .templates
            .fields_read
            .pager_pages(&resolved(self, s.template_name()));
        let paginator = paginator(
            lib,
            &ids,
            by,
            n,
            PagerLinks {
                permalink: &s.permalink,
                path: base_path,
                paginate_path: &s.meta.paginate_path,
            },
            fields,
        );
        let path = if n == 1 {
            s.path.clone()
        } else {
            pager_path(&s.path, &s.meta.paginate_path, n)
        };
        let mut ctx = self.base_context(&s.lang, Some(&path));
        ctx.insert("section".into(), lib.values.sections_meta[i].clone());
        ctx.insert("paginator".into(), paginator);
        self.render_with_config(s.template_name(), &s.lang, ctx)
            .map_err(|d| d.rendering(format!("content/{} (pager {n})", s.file.relative)))
    }

    fn taxonomy_list(&self, t: usize) -> Result<Outputs, Diagnostic> {
        let lib = self.library;
        let taxonomy = &lib.taxonomies[t];
        let template = self.taxonomy_template(t, "list");
        let mut ctx = self.base_context(&taxonomy.lang, Some(&taxonomy.path));
        ctx.insert("taxonomy".into(), json!(taxonomy.kind));
        let with_pages = reads_pages_in_list(self, &template);
        let terms: Vec<Value> = (0..taxonomy.items.len())
            .map(|i| lib.term_value(t, i, with_pages))
            .collect();
        ctx.insert("terms".into(), Value::Array(terms));
        let html = self
            .render_with_config(&template, &taxonomy.lang, ctx)
            .map_err(|d| d.rendering(format!("the list of taxonomy `{}`", taxonomy.kind.name)))?;
        Ok(vec![(index_file(&taxonomy.path), html)])
    }

    fn taxonomy_template(&self, t: usize, kind: &str) -> String {
        let name = &self.library.taxonomies[t].kind.name;
        let specific = format!("{name}/{kind}.html");
        if crate::templates::resolve(self.tera, &specific, self.theme).is_some() {
            specific
        } else {
            format!(
                "taxonomy_{}.html",
                if kind == "list" { "list" } else { "single" }
            )
        }
    }

    fn term(&self, t: usize, i: usize) -> Result<Outputs, Diagnostic> {
        let lib = self.library;
        let taxonomy = &lib.taxonomies[t];
        let term = &taxonomy.items[i];
        if taxonomy.kind.is_paginated() {
            let html = self.term_pager(t, i, 1)?;
            let first = pager_path(&term.path, taxonomy.kind.paginate_path(), 1);
            return Ok(vec![
                (index_file(&term.path), html),
                (index_file(&first), self.redirect(&term.permalink)?),
            ]);
        }
        let template = self.taxonomy_template(t, "single");
        let mut ctx = self.base_context(&taxonomy.lang, Some(&term.path));
        ctx.insert("taxonomy".into(), json!(taxonomy.kind));
        ctx.insert("term".into(), lib.term_value(t, i, true));
        let html = self
            .render_with_config(&template, &taxonomy.lang, ctx)
            .map_err(|d| d.rendering(self.term_name(t, i)))?;
        Ok(vec![(index_file(&term.path), html)])
    }

    fn term_pager(&self, t: usize, i: usize, n: usize) -> Result<Vec<u8>, Diagnostic> {
        let lib = self.library;
        let taxonomy = &lib.taxonomies[t];
        let term = &taxonomy.items[i];
        let template = self.taxonomy_template(t, "single");
        let by = taxonomy.kind.paginate_by.unwrap_or(1).max(1);
        let fields = self
            .templates
            .fields_read
            .pager_pages(&resolved(self, &template));
        let paginator = paginator(
            lib,
            &term.pages,
            by,
            n,
            PagerLinks {
                permalink: &term.permalink,
                path: &term.path,
                paginate_path: taxonomy.kind.paginate_path(),
            },
            fields,
        );
        let path = if n == 1 {
            term.path.clone()
        } else {
            pager_path(&term.path, taxonomy.kind.paginate_path(), n)
        };
        let mut ctx = self.base_context(&taxonomy.lang, Some(&path));
        ctx.insert("taxonomy".into(), json!(taxonomy.kind));
        // Zola copies every page of the term into each pager; only do so when
        // the template can read them with a paginator present.
        let with_pages = reads_pages_when_paginated(self.tera, &resolved(self, &template), "term");
        ctx.insert("term".into(), lib.term_value(t, i, with_pages));
        ctx.insert("paginator".into(), paginator);
        self.render_with_config(&template, &taxonomy.lang, ctx)
            .map_err(|d| d.rendering(format!("{} (pager {n})", self.term_name(t, i))))
    }

    fn aliases(&self) -> Result<Outputs, Diagnostic> {
        let lib = self.library;
        let mut out = Vec::new();
        let all = lib
            .pages
            .iter()
            .map(|p| (&p.meta.aliases, &p.permalink))
            .chain(lib.sections.iter().map(|s| (&s.meta.aliases, &s.permalink)));
        for (aliases, permalink) in all {
            for alias in aliases {
                out.push((alias_file(alias), self.redirect(permalink)?));
            }
        }
        Ok(out)
    }

    fn feed_outputs(
        &self,
        lang: &str,
        base: &str,
        pages: &[usize],
        extra: impl Fn(&mut Map<String, Value>, &str),
    ) -> Result<Outputs, Diagnostic> {
        let lib = self.library;
        // A feed without dated pages is still written, empty, as Zola does.
        let files = feed_files(lib, lang, base);
        let mut dated = dated_pages(lib, pages);
        let last_updated = dated
            .iter()
            .filter_map(|&p| lib.pages[p].updated.clone())
            .chain(dated.first().and_then(|&p| lib.pages[p].date.clone()))
            .max_by(|a, b| {
                let pa = crate::content::front_matter::parse_date(a);
                let pb = crate::content::front_matter::parse_date(b);
                pa.cmp(&pb)
            });
        if let Some(limit) = lib.config.feed_limit {
            dated.truncate(limit);
        }
        let feed_pages: Vec<Value> = dated.iter().map(|&p| lib.page_value(p)).collect();
        let mut out = Vec::new();
        for (filename, rel) in lib.config.feed_filenames(lang).iter().zip(files) {
            let mut ctx = self.base_context(lang, None);
            ctx.insert("pages".into(), Value::Array(feed_pages.clone()));
            ctx.insert(
                "feed_url".into(),
                Value::String(lib.config.make_permalink(&rel)),
            );
            if let Some(l) = &last_updated {
                ctx.insert("last_updated".into(), Value::String(l.clone()));
            }
            extra(&mut ctx, filename);
            let text = self
                .render_with_config(filename, lang, ctx)
                .map_err(|d| d.rendering(rel.clone()))?;
            out.push((rel, text));
        }
        Ok(out)
    }

    fn section_feeds(&self, i: usize) -> Result<Outputs, Diagnostic> {
        let lib = self.library;
        let s = &lib.sections[i];
        self.feed_outputs(&s.lang, &s.path, &s.pages, |ctx, filename| {
            let with_pages =
                reads_pages_when_paginated(self.tera, &resolved(self, filename), "section");
            let value = if with_pages {
                lib.section_full(i)
            } else {
                lib.values.sections_meta[i].clone()
            };
            ctx.insert("section".into(), value);
        })
    }

    fn term_feeds(&self, t: usize, i: usize) -> Result<Outputs, Diagnostic> {
        let lib = self.library;
        let taxonomy = &lib.taxonomies[t];
        let term = &taxonomy.items[i];
        self.feed_outputs(&taxonomy.lang, &term.path, &term.pages, |ctx, _| {
            ctx.insert("taxonomy".into(), json!(taxonomy.kind));
            ctx.insert(
                "term".into(),
                json!({ "name": term.name, "slug": term.slug, "permalink": term.permalink }),
            );
        })
    }

    fn site_feeds(&self, lang: &str) -> Result<Outputs, Diagnostic> {
        let lib = self.library;
        // Zola's site feed lists pages with `render = false` too.
        let pages: Vec<usize> = (0..lib.pages.len())
            .filter(|&p| lib.pages[p].lang == lang)
            .collect();
        self.feed_outputs(lang, &site_feed_base(lib, lang), &pages, |_, _| {})
    }
}

/// The pages among `pages` that have a date, newest first: what a feed lists.
fn dated_pages(lib: &Library, pages: &[usize]) -> Vec<usize> {
    let mut dated: Vec<usize> = pages
        .iter()
        .copied()
        .filter(|&p| lib.pages[p].datetime.is_some())
        .collect();
    dated.sort_by(|&a, &b| {
        lib.pages[b]
            .datetime
            .cmp(&lib.pages[a].datetime)
            .then_with(|| lib.pages[a].permalink.cmp(&lib.pages[b].permalink))
    });
    dated
}

/// The feed files under URL path `base`, one per feed file name of the
/// language: written even when no page has a date, as Zola writes them.
pub(super) fn feed_files(lib: &Library, lang: &str, base: &str) -> Vec<String> {
    lib.config
        .feed_filenames(lang)
        .iter()
        .map(|filename| format!("{}{filename}", base.trim_start_matches('/')))
        .collect()
}

/// Where a language's site feeds go: `/` or `/<lang>/`.
pub(super) fn site_feed_base(lib: &Library, lang: &str) -> String {
    if lang == lib.config.default_language {
        "/".to_string()
    } else {
        format!("/{lang}/")
    }
}

fn resolved(r: &Renderer<'_>, template: &str) -> String {
    crate::templates::resolve(r.tera, template, r.theme).unwrap_or_else(|| template.to_string())
}

fn reads_pages_in_list(r: &Renderer<'_>, template: &str) -> bool {
    // The list template has no paginator: this tells whether it reads
    // `terms[..].pages` at all, through any loop variable.
    let name = resolved(r, template);
    match r.tera.get_template(&name) {
        Ok(_) => {
            let mut all = String::new();
            let mut todo = vec![name];
            let mut seen = std::collections::HashSet::new();
            while let Some(n) = todo.pop() {
                if !seen.insert(n.clone()) {
                    continue;
                }
                if let Ok(t) = r.tera.get_template(&n) {
                    all.push_str(&format!("{:?}", t.ast));
                    todo.extend(t.parents.iter().cloned());
                    for (_, file) in &t.imported_macro_files {
                        todo.push(file.clone());
                    }
                }
            }
            all.contains(".pages") || all.contains("__tera_context") || all.contains("json_encode")
        }
        Err(_) => true,
    }
}

/// `/rencontres/page/3/`.
pub(super) fn pager_path(base: &str, paginate_path: &str, n: usize) -> String {
    if paginate_path.is_empty() {
        format!("{base}{n}/")
    } else {
        format!("{base}{paginate_path}/{n}/")
    }
}

/// Where a paginated list's pagers are: its first pager's permalink and
/// path, and the folder of the others (`page` in `/news/page/2/`).
struct PagerLinks<'a> {
    permalink: &'a str,
    path: &'a str,
    paginate_path: &'a str,
}

/// Zola's `paginator` object for pager `n` (1-based), its pages with only
/// `fields` when given.
fn paginator(
    lib: &Library,
    ids: &[usize],
    by: usize,
    n: usize,
    links: PagerLinks<'_>,
    fields: Option<PageFieldSet>,
) -> Value {
    let PagerLinks {
        permalink,
        path,
        paginate_path,
    } = links;
    let count = pager_count(ids.len(), by);
    let link = |k: usize| -> String {
        if k == 1 {
            permalink.to_string()
        } else {
            lib.config
                .make_permalink(&pager_path(path, paginate_path, k))
        }
    };
    let start = (n - 1) * by;
    let end = (start + by).min(ids.len());
    let pages: Vec<Value> = ids[start.min(end)..end]
        .iter()
        .map(|&p| match fields {
            Some(fields) => lib.values.page_fields(&lib.pages[p], fields),
            None => lib.listed_value(p),
        })
        .collect();
    let base_url = if paginate_path.is_empty() {
        permalink.to_string()
    } else {
        format!("{permalink}{paginate_path}/")
    };
    let mut paginator = json!({
        "paginate_by": by,
        "first": permalink,
        "last": link(count),
        "previous": if n > 1 { Value::String(link(n - 1)) } else { Value::Null },
        "next": if n < count { Value::String(link(n + 1)) } else { Value::Null },
        "number_pagers": count,
        "base_url": base_url,
        "current_index": n,
        "total_pages": ids.len(),
    });
    // Moved in: `json!` would copy every page's value again.
    paginator["pages"] = Value::Array(pages);
    paginator
}

fn asset_output(
    url_path: &str,
    folder: &std::path::Path,
    asset: &std::path::Path,
) -> Result<(String, Vec<u8>), Diagnostic> {
    let bytes = std::fs::read(asset)
        .map_err(|e| Diagnostic::new(asset, format!("cannot read the asset: {e}")))?;
    Ok((asset_file(url_path, folder, asset), bytes))
}
