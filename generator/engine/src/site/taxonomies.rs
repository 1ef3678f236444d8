//! Taxonomies: the terms pages declare, each with its pages newest first.

use std::collections::{BTreeMap, HashMap};

use super::sorting::sort_pages;
use crate::config::{Config, TaxonomyConfig};
use crate::content::{Page, SortBy};
use crate::error::{Diagnostic, Diagnostics};
use crate::slugs::slugify_with;

#[derive(Debug, Clone)]
pub struct Term {
    pub name: String,
    pub slug: String,
    /// `/regions/bretagne/`.
    pub path: String,
    pub permalink: String,
    /// Indices into pages, newest first, undated pages last.
    pub pages: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Taxonomy {
    pub kind: TaxonomyConfig,
    pub lang: String,
    pub slug: String,
    /// `/regions/`.
    pub path: String,
    pub permalink: String,
    /// Sorted by slug, then name.
    pub items: Vec<Term>,
    pub term_by_slug: HashMap<String, usize>,
}

fn lang_prefix(config: &Config, lang: &str) -> String {
    if lang == config.default_language {
        String::new()
    } else {
        format!("/{lang}")
    }
}

/// Groups pages by term; a page naming an undeclared taxonomy is reported
/// (and its terms of that taxonomy left out).
pub(crate) fn find(config: &Config, pages: &[Page]) -> (Vec<Taxonomy>, Diagnostics) {
    let mut errors = Diagnostics::new();
    // (lang, taxonomy name) → term name → pages
    let mut found: BTreeMap<(String, String), BTreeMap<String, Vec<usize>>> = BTreeMap::new();
    for (i, page) in pages.iter().enumerate() {
        if !page.meta.render {
            continue;
        }
        for (name, terms) in &page.meta.taxonomies {
            if !config
                .taxonomies(&page.lang)
                .iter()
                .any(|t| &t.name == name)
            {
                let declared: Vec<&str> = config
                    .taxonomies(&page.lang)
                    .iter()
                    .map(|t| t.name.as_str())
                    .collect();
                errors.push(
                    Diagnostic::new(
                        format!("content/{}", page.file.relative),
                        format!(
                            "taxonomy `{name}` is not declared in config.toml for language `{}` (declared: {})",
                            page.lang,
                            if declared.is_empty() { "none".to_string() } else { declared.join(", ") }
                        ),
                    )
                    .field(format!("taxonomies.{name}")),
                );
                continue;
            }
            let entry = found.entry((page.lang.clone(), name.clone())).or_default();
            for term in terms {
                entry.entry(term.clone()).or_default().push(i);
            }
        }
    }
    let mut taxonomies = Vec::new();
    for (lang, options) in &config.languages {
        for kind in &options.taxonomies {
            let prefix = lang_prefix(config, lang);
            let path = format!("{prefix}/{}/", kind.slug);
            let permalink = config.make_permalink(&path);
            let mut items: Vec<Term> = Vec::new();
            if let Some(terms) = found.get(&(lang.clone(), kind.name.clone())) {
                for (name, ids) in terms {
                    let slug = slugify_with(name, config.slugify.taxonomies);
                    let term_path = format!("{prefix}/{}/{}/", kind.slug, slug);
                    let (mut sorted, ignored) = sort_pages(pages, ids, SortBy::Date);
                    sorted.extend(ignored);
                    items.push(Term {
                        name: name.clone(),
                        permalink: config.make_permalink(&term_path),
                        path: term_path,
                        slug,
                        pages: sorted,
                    });
                }
            }
            items.sort_by(|a, b| a.slug.cmp(&b.slug).then_with(|| a.name.cmp(&b.name)));
            // Names that slugify alike share one term.
            let mut merged: Vec<Term> = Vec::with_capacity(items.len());
            for item in items {
                match merged.last_mut() {
                    Some(last) if last.permalink == item.permalink => {
                        last.pages.extend(item.pages);
                        let (mut sorted, ignored) = sort_pages(pages, &last.pages, SortBy::Date);
                        sorted.extend(ignored);
                        last.pages = sorted;
                    }
                    _ => merged.push(item),
                }
            }
            let term_by_slug = merged
                .iter()
                .enumerate()
                .map(|(i, t)| (t.slug.clone(), i))
                .collect();
            taxonomies.push(Taxonomy {
                kind: kind.clone(),
                lang: lang.clone(),
                slug: kind.slug.clone(),
                path,
                permalink,
                items: merged,
                term_by_slug,
            });
        }
    }
    (taxonomies, errors)
}
