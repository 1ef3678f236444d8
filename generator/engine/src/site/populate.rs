//! Links pages to their sections: ancestors, subsections, pages in sort
//! order, `lower`/`higher` neighbours, inherited page templates.

use std::collections::HashMap;

use super::sorting::sort_pages;
use crate::config::Config;
use crate::content::{Page, Section};

/// The file name of a folder's section in `lang`.
fn index_name(config: &Config, lang: &str) -> String {
    if lang == config.default_language {
        "_index.md".to_string()
    } else {
        format!("_index.{lang}.md")
    }
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        name.to_string()
    } else {
        format!("{dir}/{name}")
    }
}

fn parent_dir(dir: &str) -> Option<&str> {
    if dir.is_empty() {
        None
    } else {
        Some(dir.rsplit_once('/').map_or("", |(p, _)| p))
    }
}

pub fn populate(config: &Config, pages: &mut [Page], sections: &mut [Section]) {
    let by_relative: HashMap<String, usize> = sections
        .iter()
        .enumerate()
        .map(|(i, s)| (s.file.relative.clone(), i))
        .collect();

    // Ancestors of each section: the sections of every folder above it.
    for s in sections.iter_mut() {
        s.ancestors.clear();
        s.pages.clear();
        s.ignored_pages.clear();
        s.subsections.clear();
        let name = index_name(config, &s.lang);
        let mut dirs = Vec::new();
        let mut dir = parent_dir(&s.file.parent_dir);
        while let Some(d) = dir {
            dirs.push(d.to_string());
            dir = parent_dir(d);
        }
        dirs.reverse();
        for d in dirs {
            let rel = join(&d, &name);
            if by_relative.contains_key(&rel) {
                s.ancestors.push(rel);
            }
        }
    }

    // Subsections, by weight.
    let mut children: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, s) in sections.iter().enumerate() {
        if let Some(parent) = parent_dir(&s.file.parent_dir) {
            let rel = join(parent, &index_name(config, &s.lang));
            if let Some(&p) = by_relative.get(&rel) {
                children.entry(p).or_default().push(i);
            }
        }
    }
    for (p, mut kids) in children {
        kids.sort_by(|&a, &b| {
            sections[a]
                .meta
                .weight
                .cmp(&sections[b].meta.weight)
                .then_with(|| sections[a].file.relative.cmp(&sections[b].file.relative))
        });
        sections[p].subsections = kids;
    }

    // Pages into their section, and through transparent sections upwards.
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); sections.len()];
    for (i, page) in pages.iter_mut().enumerate() {
        page.ancestors.clear();
        let name = index_name(config, &page.lang);
        let mut dir = Some(page.file.parent_dir.clone());
        let mut first = true;
        while let Some(d) = dir {
            let Some(&s) = by_relative.get(&join(&d, &name)) else {
                break;
            };
            if page.meta.render {
                members[s].push(i);
            }
            if first {
                page.ancestors = sections[s].ancestors.clone();
                page.ancestors.push(sections[s].file.relative.clone());
                first = false;
            }
            if !sections[s].meta.transparent {
                break;
            }
            dir = parent_dir(&d).map(str::to_string);
        }
        // Template: the page's own, else the nearest ancestor's page_template.
        page.template = page.meta.template.clone().or_else(|| {
            page.ancestors
                .iter()
                .rev()
                .filter_map(|a| by_relative.get(a))
                .find_map(|&s| sections[s].meta.page_template.clone())
        });
    }

    for (s, ids) in members.into_iter().enumerate() {
        let sort_by = sections[s].meta.sort_by;
        let (sorted, ignored) = sort_pages(pages, &ids, sort_by);
        if sort_by != crate::content::SortBy::None && !sections[s].meta.transparent {
            for (k, &p) in sorted.iter().enumerate() {
                // Only the page's own section sets its neighbours.
                if pages[p].ancestors.last() != Some(&sections[s].file.relative) {
                    continue;
                }
                pages[p].lower = if k > 0 { Some(sorted[k - 1]) } else { None };
                pages[p].higher = sorted.get(k + 1).copied();
            }
        }
        sections[s].pages = sorted;
        sections[s].ignored_pages = ignored;
    }
}
