//! Walks `content/` and turns its files into pages and sections, in parallel.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use rayon::prelude::*;
use regex::Regex;

use super::front_matter::{self, normalize_extra, parse_date, split};
use super::{reading_analytics, FileInfo, Page, Rendered, Section};
use crate::cache::unchanged::Preread;
use crate::config::Config;
use crate::error::{Diagnostic, Diagnostics};
use crate::slugs::slugify_with;

/// Everything `content/` holds, before Markdown is rendered.
#[derive(Debug, Default)]
pub struct LoadedContent {
    pub pages: Vec<Page>,
    pub sections: Vec<Section>,
    /// Relative paths of the Markdown files that could not be read: links
    /// to them are not reported as links to nothing.
    pub unreadable: Vec<String>,
}

enum Entry {
    Page(Box<Page>),
    Section(Box<Section>),
    /// A section marked `draft` (built without drafts): its folder, relative
    /// to `content/`, and its language.
    DraftSection(String, String),
}

/// Reads every Markdown file under `content_dir`. Files that fail are
/// reported; the others are still returned so later steps can report their
/// own problems in the same run.
pub fn load_content(
    root: &Path,
    content_dir: &Path,
    config: &Config,
    drafts: bool,
    preread: Option<&Preread>,
) -> (LoadedContent, Diagnostics) {
    let mut markdown = Vec::new();
    // Folder → non-Markdown files directly in it (co-located assets).
    let mut assets: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    let mut errors = Diagnostics::new();
    if content_dir.is_dir() {
        let (files, problems) = crate::files::walk(content_dir, root, true);
        errors.0.extend(problems);
        for path in files {
            // Zola matches `ignored_content` against the whole path.
            if config
                .ignored_content
                .as_ref()
                .is_some_and(|globs| globs.is_match(&path))
            {
                continue;
            }
            if path.extension().is_some_and(|e| e == "md") {
                markdown.push(path);
            } else if let Some(parent) = path.parent() {
                assets
                    .entry(parent.to_path_buf())
                    .or_default()
                    .push(path.clone());
            }
        }
    }

    let results: Vec<std::result::Result<Option<Entry>, Diagnostic>> = markdown
        .par_iter()
        .map(|path| {
            let bytes = preread.and_then(|p| p.take(path));
            load_file(root, content_dir, path, config, drafts, &assets, bytes)
        })
        .collect();

    let mut loaded = LoadedContent::default();
    // Sized once: a page is large, and growing would move them all again.
    loaded.pages.reserve(results.len());
    let mut draft_folders = Vec::new();
    for (result, path) in results.into_iter().zip(&markdown) {
        match result {
            Ok(Some(Entry::Page(p))) => loaded.pages.push(*p),
            Ok(Some(Entry::Section(s))) => loaded.sections.push(*s),
            Ok(Some(Entry::DraftSection(folder, lang))) => draft_folders.push((folder, lang)),
            Ok(None) => {}
            Err(d) => {
                errors.push(d);
                let relative = path.strip_prefix(content_dir).unwrap_or(path);
                loaded
                    .unreadable
                    .push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    // As in Zola, a draft section takes everything under it along.
    if !draft_folders.is_empty() {
        let under_draft = |file: &FileInfo, lang: &str| {
            draft_folders.iter().any(|(folder, draft_lang)| {
                draft_lang == lang && file.relative.starts_with(&format!("{folder}/"))
            })
        };
        loaded.pages.retain(|p| !under_draft(&p.file, &p.lang));
        loaded.sections.retain(|s| !under_draft(&s.file, &s.lang));
    }
    add_missing_home_pages(content_dir, config, &mut loaded.sections);
    (loaded, errors)
}

/// Every language gets a home page, as in Zola: one without its
/// `_index.<lang>.md` (or `_index.md`) gets an empty section.
fn add_missing_home_pages(content_dir: &Path, config: &Config, sections: &mut Vec<Section>) {
    for lang in config.languages.keys() {
        if sections.iter().any(|s| s.is_index() && s.lang == *lang) {
            continue;
        }
        let (relative, url_path) = if *lang == config.default_language {
            ("_index.md".to_string(), "/".to_string())
        } else {
            (format!("_index.{lang}.md"), format!("/{lang}/"))
        };
        sections.push(Section {
            file: FileInfo {
                path: content_dir.join(&relative),
                relative,
                components: Vec::new(),
                name: "_index".into(),
                canonical: "_index".into(),
                colocated_path: None,
                parent_dir: String::new(),
            },
            meta: front_matter::SectionFrontMatter::default(),
            raw_content: String::new(),
            body_line: 1,
            lang: lang.clone(),
            components: path_components(&url_path),
            permalink: config.make_permalink(&url_path),
            path: url_path,
            word_count: 0,
            reading_time: 0,
            assets: Vec::new(),
            serialized_assets: Vec::new(),
            rendered: Rendered::default(),
            ancestors: Vec::new(),
            pages: Vec::new(),
            ignored_pages: Vec::new(),
            subsections: Vec::new(),
        });
    }
}

fn dated_name() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"^(\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:\d{2})?)?)[_-](.+)$",
        )
        .unwrap()
    })
}

/// Reads one content file again (for `serve`), with no co-located assets.
pub fn load_one(
    root: &Path,
    path: &Path,
    config: &Config,
    drafts: bool,
) -> std::result::Result<Option<Page>, Diagnostic> {
    match load_file(
        root,
        &root.join("content"),
        path,
        config,
        drafts,
        &BTreeMap::new(),
        None,
    )? {
        Some(Entry::Page(p)) => Ok(Some(*p)),
        _ => Ok(None),
    }
}

fn load_file(
    root: &Path,
    content_dir: &Path,
    path: &Path,
    config: &Config,
    drafts: bool,
    assets: &BTreeMap<PathBuf, Vec<PathBuf>>,
    preread: Option<Vec<u8>>,
) -> std::result::Result<Option<Entry>, Diagnostic> {
    let display = path.strip_prefix(root).unwrap_or(path).to_path_buf();
    let text = match preread {
        Some(bytes) => crate::files::text_of(bytes),
        None => crate::files::read_text(path),
    }
    .map_err(|e| Diagnostic::new(&display, format!("cannot read the file: {e}")))?;
    let rel_path = path.strip_prefix(content_dir).unwrap_or(path);
    let relative = rel_path.to_string_lossy().replace('\\', "/");
    let file_name = rel_path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let stem = file_name.trim_end_matches(".md");

    // Language suffix: `name.fr.md`.
    let (base_name, lang) = match stem.rsplit_once('.') {
        Some((base, code)) if config.is_multilingual() => {
            if config.languages.contains_key(code) {
                (base.to_string(), code.to_string())
            } else {
                return Err(Diagnostic::new(
                    &display,
                    format!(
                        "the file name says language `{code}`, which config.toml does not declare in [languages]"
                    ),
                ));
            }
        }
        _ => (stem.to_string(), config.default_language.clone()),
    };
    let dir_components: Vec<String> = rel_path
        .parent()
        .map(|p| {
            p.components()
                .map(|c| c.as_os_str().to_string_lossy().to_string())
                .filter(|c| !c.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let canonical = match rel_path.parent() {
        Some(p) if !p.as_os_str().is_empty() => {
            format!("{}/{}", p.to_string_lossy().replace('\\', "/"), base_name)
        }
        _ => base_name.clone(),
    };

    let Some(parts) = split(&text) else {
        return Err(Diagnostic::new(
            &display,
            "expected front matter at the top: TOML between `+++` lines or YAML between `---` lines",
        )
        .at(1, Some(1)));
    };
    let body = parts.body.to_string();
    let (word_count, reading_time) = reading_analytics(&body);
    let folder = path.parent().unwrap_or(content_dir).to_path_buf();

    if base_name == "_index" {
        let mut meta: front_matter::SectionFrontMatter = front_matter::parse(&parts, &display)?;
        if meta.draft && !drafts {
            return Ok(Some(Entry::DraftSection(dir_components.join("/"), lang)));
        }
        normalize_extra(&mut meta.extra);
        if let Some(0) = meta.paginate_by {
            meta.paginate_by = None;
        }
        let mut path_str = dir_components.join("/");
        if lang != config.default_language {
            path_str = if path_str.is_empty() {
                lang.clone()
            } else {
                format!("{lang}/{path_str}")
            };
        }
        let url_path = if path_str.is_empty() {
            "/".to_string()
        } else {
            format!("/{path_str}/")
        };
        let permalink = config.make_permalink(&url_path);
        let section_assets = assets.get(&folder).cloned().unwrap_or_default();
        let serialized_assets = serialize_assets(&section_assets, &folder, &url_path);
        let parent_dir = dir_components.join("/");
        return Ok(Some(Entry::Section(Box::new(Section {
            file: FileInfo {
                path: path.to_path_buf(),
                relative,
                components: dir_components.clone(),
                name: base_name,
                canonical,
                colocated_path: None,
                parent_dir,
            },
            meta,
            raw_content: body,
            body_line: parts.body_line,
            lang,
            components: path_components(&url_path),
            path: url_path,
            permalink,
            word_count,
            reading_time,
            assets: section_assets,
            serialized_assets,
            rendered: Rendered::default(),
            ancestors: Vec::new(),
            pages: Vec::new(),
            ignored_pages: Vec::new(),
            subsections: Vec::new(),
        }))));
    }

    let mut meta: front_matter::PageFrontMatter = front_matter::parse(&parts, &display)?;
    if meta.draft && !drafts {
        return Ok(None);
    }
    normalize_extra(&mut meta.extra);

    // A folder holding `index.md` is a page with co-located assets.
    let colocated = base_name == "index";
    let (name, components, parent_dir, colocated_path, page_assets) = if colocated {
        let mut comps = dir_components.clone();
        let own = comps.pop().unwrap_or_default();
        let parent_dir = comps.join("/");
        let colocated_path = format!("{}/", dir_components.join("/"));
        let page_assets = assets_under(assets, &folder);
        (own, comps, parent_dir, Some(colocated_path), page_assets)
    } else {
        (
            base_name.clone(),
            dir_components.clone(),
            dir_components.join("/"),
            None,
            Vec::new(),
        )
    };

    // `2024-01-02-name.md` carries a date and a slug.
    let mut slug_source = name.clone();
    let mut date_from_name = None;
    if let Some(caps) = dated_name().captures(&name) {
        date_from_name = Some(caps[1].to_string());
        if !config.slugify.paths_keep_dates {
            slug_source = caps[2].to_string();
        }
    }
    let date = meta.date.as_ref().map(|d| d.as_string()).or(date_from_name);
    let updated = meta.updated.as_ref().map(|d| d.as_string());
    let datetime = match &date {
        Some(d) => Some(parse_date(d).ok_or_else(|| {
            Diagnostic::new(
                &display,
                format!(
                    "expected a date like 2024-03-05 or 2024-03-05T18:30:00+01:00, found `{d}`"
                ),
            )
            .line(front_matter::key_line(&text, "date", None))
            .field("date")
        })?),
        None => None,
    };
    let updated_datetime = match &updated {
        Some(d) => Some(parse_date(d).ok_or_else(|| {
            Diagnostic::new(
                &display,
                format!("expected a date like 2024-03-05, found `{d}`"),
            )
            .line(front_matter::key_line(&text, "updated", None))
            .field("updated")
        })?),
        None => None,
    };

    let slug = match &meta.slug {
        Some(s) => slugify_with(s, config.slugify.paths),
        None => slugify_with(&slug_source, config.slugify.paths),
    };
    let mut url_path = match &meta.path {
        Some(p) => {
            let p = p.trim().trim_start_matches('/');
            let mut p = p.to_string();
            if lang != config.default_language && !p.starts_with(&format!("{lang}/")) {
                p = format!("{lang}/{p}");
            }
            p
        }
        None => {
            let mut p = if components.is_empty() {
                slug.clone()
            } else {
                format!("{}/{}", components.join("/"), slug)
            };
            if lang != config.default_language {
                p = format!("{lang}/{p}");
            }
            p
        }
    };
    if !url_path.ends_with('/') {
        url_path.push('/');
    }
    let url_path = format!("/{}", url_path.trim_start_matches('/'));
    let permalink = config.make_permalink(&url_path);
    let serialized_assets = serialize_assets(&page_assets, &folder, &url_path);

    Ok(Some(Entry::Page(Box::new(Page {
        file: FileInfo {
            path: path.to_path_buf(),
            relative,
            components,
            name,
            canonical,
            colocated_path,
            parent_dir,
        },
        meta,
        raw_content: body,
        body_line: parts.body_line,
        lang,
        slug,
        components: path_components(&url_path),
        path: url_path,
        permalink,
        date,
        updated,
        datetime,
        updated_datetime,
        word_count,
        reading_time,
        assets: page_assets,
        serialized_assets,
        rendered: Rendered::default(),
        ancestors: Vec::new(),
        template: None,
        lower: None,
        higher: None,
    }))))
}

fn path_components(url_path: &str) -> Vec<String> {
    url_path
        .split('/')
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

/// A co-located page's assets, as Zola finds them: every file that is not
/// Markdown under its folder, sub-folders included, in the order of their
/// lower-cased paths.
fn assets_under(assets: &BTreeMap<PathBuf, Vec<PathBuf>>, folder: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = assets
        .range(folder.to_path_buf()..)
        .take_while(|(dir, _)| dir.starts_with(folder))
        .flat_map(|(_, files)| files.iter().cloned())
        .collect();
    found.sort_by_cached_key(|p| p.to_string_lossy().to_lowercase());
    found
}

/// The assets' URL paths: `url_path` and their path under `folder`.
fn serialize_assets(assets: &[PathBuf], folder: &Path, url_path: &str) -> Vec<String> {
    let mut out: Vec<String> = assets
        .iter()
        .map(|a| {
            let name = a
                .strip_prefix(folder)
                .map_or_else(|_| a.to_string_lossy(), |n| n.to_string_lossy());
            format!("{url_path}{}", name.replace('\\', "/"))
        })
        .collect();
    out.sort_by_cached_key(|a| a.to_lowercase());
    out
}

/// Relative paths of every page and section, mapped to their permalinks
/// (a file that could not be read is there too, without a permalink).
pub fn permalinks(content: &LoadedContent) -> BTreeMap<String, String> {
    let mut map: BTreeMap<String, String> = content
        .unreadable
        .iter()
        .map(|relative| (relative.clone(), String::new()))
        .collect();
    for p in &content.pages {
        map.insert(p.file.relative.clone(), p.permalink.clone());
    }
    for s in &content.sections {
        map.insert(s.file.relative.clone(), s.permalink.clone());
    }
    map
}
