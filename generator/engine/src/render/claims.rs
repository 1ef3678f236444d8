//! Which files a build will write, and who asks for each, known before
//! anything is rendered: a path that would leave the output folder is
//! refused at the line that asks for it, and two sources that want the
//! same file are both named (Zola's "path collisions", found here on the
//! files themselves: `/a/`, `a` and `a/index.html` are one file).
//!
//! Static files are not claims: as in Zola, one stands in for a generated
//! file of the same path.

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::jobs::{feed_files, pager_path, plan, site_feed_base, Job};
use super::{alias_file, asset_file, index_file, sitemap};
use crate::content::Page;
use crate::error::{Diagnostics, Source};
use crate::output::OutputPath;
use crate::site::{ExtraFile, ExtraPage, Library, RequiredPage};

/// What a build renders: the model and the extensions' pages and files.
pub struct Planned<'a> {
    /// The site root, to name source files from it.
    pub root: &'a Path,
    pub library: &'a Library,
    pub extra_pages: &'a [ExtraPage],
    pub extra_files: &'a [ExtraFile],
    /// Pages the extensions need the site to have.
    pub required_pages: &'a [RequiredPage],
}

/// A file the build renders, and what asks for it (the extensions' pages
/// and files lend theirs).
pub type Claim<'a> = (String, Cow<'a, Source>);

/// Every file the build renders, with what asks for it, in the order of
/// the render plan (content first, then built-in files, then extensions).
pub fn claims<'a>(planned: &Planned<'a>) -> Vec<Claim<'a>> {
    let mut out = Vec::new();
    for job in plan(planned.library, planned.extra_pages.len()) {
        job_claims(planned, &job, &mut out);
    }
    out
}

/// The job that writes each file of the build, by the file's place in the
/// output folder ([`OutputPath`]): to render one file alone, before its
/// turn. Each extra file is a job of its own.
pub fn jobs_by_file(planned: &Planned<'_>) -> HashMap<String, Job> {
    let mut jobs = HashMap::new();
    let mut claims = Vec::new();
    for job in plan(planned.library, planned.extra_pages.len()) {
        if job == Job::ExtraFiles {
            for (i, file) in planned.extra_files.iter().enumerate() {
                claims.push((file.path.clone(), Job::ExtraFileRange(i, i + 1)));
            }
        } else {
            let mut own = Vec::new();
            job_claims(planned, &job, &mut own);
            claims.extend(own.into_iter().map(|(path, _)| (path, job.clone())));
        }
        // The first claim wins, as `check` names the later ones.
        for (raw, job) in claims.drain(..) {
            if let Ok(path) = OutputPath::new(&raw) {
                jobs.entry(path.as_str().to_string()).or_insert(job);
            }
        }
    }
    jobs
}

/// Refuses the paths that leave the output folder, the files asked for by
/// two sources and a site without the pages its extensions need.
pub fn check(planned: &Planned<'_>) -> Diagnostics {
    let root = planned.root;
    let mut errors = Diagnostics::new();
    let claims = claims(planned);
    // Each file, with the index of its first claim.
    let mut owners: HashMap<OutputPath, usize> = HashMap::with_capacity(claims.len());
    for (index, (raw, source)) in claims.iter().enumerate() {
        let path = match OutputPath::new(raw) {
            Ok(path) => path,
            Err(why) => {
                errors.push(source.diagnostic(
                    root,
                    format!("{} would be written at `{raw}`: {why}", source.what),
                ));
                continue;
            }
        };
        let Some(&first) = owners.get(&path) else {
            owners.insert(path, index);
            continue;
        };
        let first = &claims[first].1;
        if first == source {
            continue;
        }
        // Named at the later source when it has a file: the earlier one is
        // the page or list the site already had there.
        let (here, other) = if source.file.is_some() || first.file.is_none() {
            (source, first)
        } else {
            (first, source)
        };
        errors.push(here.diagnostic(
            root,
            format!(
                "{} would write `{path}`, which {} also writes: each file of the site must have one source",
                here.what,
                other.describe(root)
            ),
        ));
    }
    for required in planned.required_pages {
        let file = format!("{}index.html", required.path.trim_start_matches('/'));
        let written = OutputPath::new(&file).is_ok_and(|path| owners.contains_key(&path));
        if !written && !root.join("static").join(&file).is_file() {
            errors.push(required.source.diagnostic(
                root,
                format!(
                    "the site has no page at `{}`, needed {}: add one (a content file whose path is `{}`)",
                    required.path, required.why, required.path
                ),
            ));
        }
    }
    errors
}

fn content_file(relative: &str) -> PathBuf {
    PathBuf::from(format!("content/{relative}"))
}

/// The page's own file: where its `path`, else its `slug`, else its file
/// name says.
fn page_source(page: &Page) -> Source {
    let file = content_file(&page.file.relative);
    let key = if page.meta.path.is_some() {
        "path"
    } else if page.meta.slug.is_some() {
        "slug"
    } else {
        return Source::file(file, None, "the page");
    };
    Source::key(file, key, None, "the page")
}

fn config_key(key: &str, value: &str, what: String) -> Source {
    Source::key("config.toml", key, Some(value), what)
}

fn job_claims<'a>(planned: &Planned<'a>, job: &Job, out: &mut Vec<Claim<'a>>) {
    let lib = planned.library;
    match job {
        Job::Page(i) => {
            let page = &lib.pages[*i];
            own(out, (index_file(&page.path), page_source(page)));
            for asset in &page.assets {
                own(
                    out,
                    (
                        asset_file(&page.path, page.file.folder(), asset),
                        asset_source(planned.root, asset),
                    ),
                );
            }
        }
        Job::Section(i) => {
            let s = &lib.sections[*i];
            let file = content_file(&s.file.relative);
            for asset in &s.assets {
                own(
                    out,
                    (
                        asset_file(&s.path, s.file.folder(), asset),
                        asset_source(planned.root, asset),
                    ),
                );
            }
            own(
                out,
                (
                    index_file(&s.path),
                    Source::file(&file, None, "the section"),
                ),
            );
            if s.meta.redirect_to.is_none() && s.meta.is_paginated() {
                let first = pager_path(&s.path, &s.meta.paginate_path, 1);
                own(
                    out,
                    (
                        index_file(&first),
                        Source::key(file, "paginate_path", None, "the section's first pager"),
                    ),
                );
            }
        }
        Job::SectionPager(i, n) => {
            let s = &lib.sections[*i];
            own(
                out,
                (
                    index_file(&pager_path(&s.path, &s.meta.paginate_path, *n)),
                    Source::key(
                        content_file(&s.file.relative),
                        "paginate_path",
                        None,
                        format!("pager {n} of the section"),
                    ),
                ),
            );
        }
        Job::SectionFeeds(i) => {
            let s = &lib.sections[*i];
            for file in feed_files(lib, &s.lang, &s.path) {
                let name = file.rsplit('/').next().unwrap_or(&file).to_string();
                own(
                    out,
                    (
                        file,
                        Source::key(
                            content_file(&s.file.relative),
                            "generate_feeds",
                            None,
                            format!("the section's feed `{name}`"),
                        ),
                    ),
                );
            }
        }
        Job::TaxonomyList(t) => {
            let taxonomy = &lib.taxonomies[*t];
            let name = &taxonomy.kind.name;
            own(
                out,
                (
                    index_file(&taxonomy.path),
                    config_key("taxonomies", name, format!("the list of taxonomy `{name}`")),
                ),
            );
        }
        Job::Term(t, i) => {
            let taxonomy = &lib.taxonomies[*t];
            let term = &taxonomy.items[*i];
            own(out, (index_file(&term.path), term_source(lib, *t, *i)));
            if taxonomy.kind.is_paginated() {
                let first = pager_path(&term.path, taxonomy.kind.paginate_path(), 1);
                own(out, (index_file(&first), term_source(lib, *t, *i)));
            }
        }
        Job::TermPager(t, i, n) => {
            let taxonomy = &lib.taxonomies[*t];
            let term = &taxonomy.items[*i];
            own(
                out,
                (
                    index_file(&pager_path(&term.path, taxonomy.kind.paginate_path(), *n)),
                    term_source(lib, *t, *i),
                ),
            );
        }
        Job::TermFeeds(t, i) => {
            let taxonomy = &lib.taxonomies[*t];
            let term = &taxonomy.items[*i];
            for file in feed_files(lib, &taxonomy.lang, &term.path) {
                own(out, (file, term_source(lib, *t, *i)));
            }
        }
        Job::SiteFeeds(lang) => {
            for file in feed_files(lib, lang, &site_feed_base(lib, lang)) {
                let name = file.rsplit('/').next().unwrap_or(&file).to_string();
                let what = format!("the site's feed `{name}`");
                own(out, (file, config_key("feed_filenames", &name, what)));
            }
        }
        Job::Sitemap => {
            for name in sitemap::file_names(lib, planned.extra_pages, planned.extra_files) {
                own(out, (name, Source::part("the site map")));
            }
        }
        Job::SearchIndex(lang) => {
            let file = crate::search::index_file_name(&lib.config, lang);
            let what = format!("the search index of `{lang}`");
            own(out, (file, config_key("build_search_index", "true", what)));
        }
        Job::SearchScript => own(
            out,
            (
                "elasticlunr.min.js".into(),
                Source::part("the search script"),
            ),
        ),
        Job::Sass => {
            let theme = lib.config.theme.as_deref();
            for file in crate::sass::output_names(planned.root, theme) {
                let what = format!("the style sheet `{file}` compiled from sass/");
                own(out, (file, config_key("compile_sass", "true", what)));
            }
        }
        Job::HighlightCss => {
            let highlighter = lib.config.markdown.highlighter.as_ref();
            for (file, _) in highlighter.map(|h| h.css_files()).unwrap_or_default() {
                own(out, (file, Source::part("the highlighting style sheet")));
            }
        }
        Job::Robots => own(out, ("robots.txt".into(), Source::part("robots.txt"))),
        Job::NotFound => own(out, ("404.html".into(), Source::part("the 404 page"))),
        Job::Aliases => {
            let pages = lib
                .pages
                .iter()
                .map(|p| (&p.meta.aliases, &p.file.relative));
            let sections = lib
                .sections
                .iter()
                .map(|s| (&s.meta.aliases, &s.file.relative));
            for (aliases, relative) in pages.chain(sections) {
                for alias in aliases {
                    own(
                        out,
                        (
                            alias_file(alias),
                            Source::key(
                                content_file(relative),
                                "aliases",
                                Some(alias),
                                format!("alias `{alias}`"),
                            ),
                        ),
                    );
                }
            }
        }
        Job::ExtraPage(i) => {
            let page = &planned.extra_pages[*i];
            out.push((index_file(&page.path), Cow::Borrowed(&page.source)));
        }
        Job::ExtraFiles | Job::ExtraFileRange(..) => {
            for file in planned.extra_files {
                out.push((file.path.clone(), Cow::Borrowed(&file.source)));
            }
        }
    }
}

/// A claim whose source is made for it.
fn own(out: &mut Vec<Claim<'_>>, (path, source): (String, Source)) {
    out.push((path, Cow::Owned(source)));
}

fn asset_source(root: &Path, asset: &Path) -> Source {
    Source::file(
        asset.strip_prefix(root).unwrap_or(asset),
        None,
        "a co-located file",
    )
}

/// A term's page: the first page that names the term.
fn term_source(lib: &Library, t: usize, i: usize) -> Source {
    let taxonomy = &lib.taxonomies[t];
    let term = &taxonomy.items[i];
    let what = format!("term `{}` of taxonomy `{}`", term.name, taxonomy.kind.name);
    match term.pages.first() {
        Some(&p) => Source::key(
            content_file(&lib.pages[p].file.relative),
            taxonomy.kind.name.clone(),
            Some(&term.name),
            what,
        ),
        None => Source::part(what),
    }
}
