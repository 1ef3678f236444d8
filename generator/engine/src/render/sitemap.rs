//! `sitemap.xml`: every page, section, pager, taxonomy page and extra page,
//! sorted by permalink; split in files of 30,000 entries like Zola.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::jobs::pager_path;
use super::Renderer;
use crate::error::Diagnostic;
use crate::site::{ExtraFile, ExtraPage, Library};

const LIMIT: usize = 30_000;

/// permalink → (updated, extra)
fn entries(
    lib: &Library,
    extra_pages: &[ExtraPage],
    extra_files: &[ExtraFile],
) -> BTreeMap<String, (Option<String>, Option<Value>)> {
    let config = &lib.config;
    let mut entries: BTreeMap<String, (Option<String>, Option<Value>)> = BTreeMap::new();
    for p in lib.pages.iter().filter(|p| p.meta.render) {
        let updated = p.updated.clone().or_else(|| p.date.clone());
        entries.insert(p.permalink.clone(), (updated, Some(p.meta.extra.clone())));
    }
    for s in &lib.sections {
        if s.meta.render {
            entries.insert(s.permalink.clone(), (None, Some(s.meta.extra.clone())));
        }
        if let Some(by) = s.meta.paginate_by.filter(|&b| b > 0) {
            let count = s.pages.len().div_ceil(by);
            for n in 1..=count {
                let path = pager_path(&s.path, &s.meta.paginate_path, n);
                entries
                    .entry(config.make_permalink(&path))
                    .or_insert((None, None));
            }
        }
    }
    for t in lib
        .taxonomies
        .iter()
        .filter(|t| t.kind.render && !t.items.is_empty())
    {
        entries.entry(t.permalink.clone()).or_insert((None, None));
        for term in &t.items {
            entries
                .entry(term.permalink.clone())
                .or_insert((None, None));
            if let Some(by) = t.kind.paginate_by.filter(|&b| b > 0) {
                for n in 1..=term.pages.len().div_ceil(by) {
                    let path = pager_path(&term.path, t.kind.paginate_path(), n);
                    entries
                        .entry(config.make_permalink(&path))
                        .or_insert((None, None));
                }
            }
        }
    }
    for page in extra_pages.iter().filter(|p| p.in_sitemap) {
        entries.insert(
            config.make_permalink(&page.path),
            (page.updated.clone(), None),
        );
    }
    for file in extra_files.iter().filter(|f| f.in_sitemap) {
        let mut link = config.make_permalink(&file.path);
        if link.ends_with('/') {
            link.pop();
        }
        entries.insert(link, (None, None));
    }
    entries
}

/// At least as many as [`entries`] gives (pages, sections and their
/// pagers, taxonomies and their terms' pagers, extra pages and files of the
/// sitemap), counted without making them.
fn most_entries(lib: &Library, extra_pages: &[ExtraPage], extra_files: &[ExtraFile]) -> usize {
    let pagers =
        |len: usize, by: Option<usize>| by.filter(|&b| b > 0).map_or(0, |b| len.div_ceil(b));
    let sections: usize = lib
        .sections
        .iter()
        .map(|s| 1 + pagers(s.pages.len(), s.meta.paginate_by))
        .sum();
    let taxonomies: usize = lib
        .taxonomies
        .iter()
        .map(|t| {
            1 + t
                .items
                .iter()
                .map(|term| 1 + pagers(term.pages.len(), t.kind.paginate_by))
                .sum::<usize>()
        })
        .sum();
    let extra = extra_pages.iter().filter(|p| p.in_sitemap).count()
        + extra_files.iter().filter(|f| f.in_sitemap).count();
    lib.pages.len() + sections + taxonomies + extra
}

/// The sitemap's files: `sitemap.xml`, and `sitemap1.xml`... when split.
pub(super) fn file_names(
    lib: &Library,
    extra_pages: &[ExtraPage],
    extra_files: &[ExtraFile],
) -> Vec<String> {
    // Counting the entries means making them: not when they are too few.
    let count = if most_entries(lib, extra_pages, extra_files) < LIMIT {
        0
    } else {
        entries(lib, extra_pages, extra_files).len()
    };
    let mut names = vec!["sitemap.xml".to_string()];
    if count >= LIMIT {
        names.extend((1..=count.div_ceil(LIMIT)).map(sitemap_part));
    }
    names
}

fn sitemap_part(n: usize) -> String {
    format!("sitemap{n}.xml")
}

pub(super) fn render(r: &Renderer<'_>) -> Result<Vec<(String, Vec<u8>)>, Diagnostic> {
    let all: Vec<Value> = entries(r.library, r.extra_pages, r.extra_files)
        .into_iter()
        .map(|(permalink, (updated, extra))| {
            let updated = updated.map_or(Value::Null, Value::String);
            let mut entry = Map::new();
            entry.insert("permalink".into(), Value::String(permalink));
            entry.insert("date".into(), updated.clone());
            entry.insert("updated".into(), updated);
            // Moved in: `json!` would copy the page's `extra` again.
            entry.insert("extra".into(), extra.unwrap_or(Value::Null));
            Value::Object(entry)
        })
        .collect();
    let error = |d: Diagnostic| d.rendering("sitemap.xml");
    let render_one = |entries: Vec<Value>| -> Result<Vec<u8>, Diagnostic> {
        let mut ctx = Map::new();
        ctx.insert("entries".into(), Value::Array(entries));
        r.render_with_config("sitemap.xml", &r.library.config.default_language, ctx)
            .map_err(error)
    };
    if all.len() < LIMIT {
        return Ok(vec![("sitemap.xml".into(), render_one(all)?)]);
    }
    let mut out = Vec::new();
    let mut index = Vec::new();
    for (n, chunk) in all.chunks(LIMIT).enumerate() {
        let name = sitemap_part(n + 1);
        out.push((name.clone(), render_one(chunk.to_vec())?));
        let mut url = r.library.config.make_permalink(&name);
        url.pop();
        index.push(Value::String(url));
    }
    let mut ctx = Map::new();
    ctx.insert("sitemaps".into(), Value::Array(index));
    let text = r
        .render_template("split_sitemap_index.xml", ctx)
        .map_err(error)?;
    out.push(("sitemap.xml".into(), text));
    Ok(out)
}
