//! The site model: pages and sections linked together, sorted, grouped in
//! taxonomies, and serialised once for the templates.

pub(crate) mod extension;
mod populate;
mod sorting;
pub(crate) mod taxonomies;
mod values;

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use serde_json::Value;

use crate::config::Config;
use crate::content::{Page, Section};
use crate::error::Diagnostics;
pub use extension::{
    ContextBuilder, Contribution, ContributionPart, ExtraFile, ExtraPage, PageContext,
    RequiredPage, SearchEntry, SiteExtension,
};
pub use populate::populate;
pub use taxonomies::{Taxonomy, Term};
pub use values::Values;

/// Everything the templates can reach, built once per build.
pub struct Library {
    pub config: Arc<Config>,
    pub pages: Vec<Page>,
    pub sections: Vec<Section>,
    /// Relative path (`rencontres/a.md`) → index in `pages`.
    pub page_index: HashMap<String, usize>,
    /// Relative path (`rencontres/_index.md`) → index in `sections`.
    pub section_index: HashMap<String, usize>,
    pub taxonomies: Vec<Taxonomy>,
    pub values: Values,
    /// Whether listings leave out heavy fields.
    pub slim: bool,
    section_full: Vec<OnceLock<Value>>,
    taxonomy_full: Vec<OnceLock<Value>>,
}

impl Library {
    /// Links, sorts, groups and serialises the loaded content; fails on
    /// the problems [`Library::build`] reports.
    pub fn new(
        config: Arc<Config>,
        pages: Vec<Page>,
        sections: Vec<Section>,
        slim: bool,
    ) -> crate::error::Result<Library> {
        let (library, problems) = Library::build(config, pages, sections, slim);
        problems.into_result(library)
    }

    /// Links, sorts, groups and serialises the loaded content; problems
    /// (a taxonomy that config.toml does not declare) are reported beside
    /// a library without what they concern.
    /// `slim`: listings may leave out heavy fields (see
    /// [`listings_need_heavy_fields`](crate::templates::analysis::listings_need_heavy_fields)).
    pub fn build(
        config: Arc<Config>,
        mut pages: Vec<Page>,
        mut sections: Vec<Section>,
        slim: bool,
    ) -> (Library, Diagnostics) {
        // Stable order whatever the file system gave.
        pages.sort_by(|a, b| a.file.relative.cmp(&b.file.relative));
        sections.sort_by(|a, b| a.file.relative.cmp(&b.file.relative));
        populate(&config, &mut pages, &mut sections);
        let (taxonomies, problems) = taxonomies::find(&config, &pages);
        let page_index = pages
            .iter()
            .enumerate()
            .map(|(i, p)| (p.file.relative.clone(), i))
            .collect();
        let section_index = sections
            .iter()
            .enumerate()
            .map(|(i, s)| (s.file.relative.clone(), i))
            .collect();
        let values = Values::build(&config, &pages, &sections, slim);
        let section_full = sections.iter().map(|_| OnceLock::new()).collect();
        let taxonomy_full = taxonomies.iter().map(|_| OnceLock::new()).collect();
        let library = Library {
            config,
            pages,
            sections,
            page_index,
            section_index,
            taxonomies,
            values,
            slim,
            section_full,
            taxonomy_full,
        };
        (library, problems)
    }

    /// A section with all its pages, serialised on first use.
    pub fn section_full(&self, i: usize) -> &Value {
        self.section_full[i]
            .get_or_init(|| self.values.section_with_pages(i, &self.sections[i].pages))
    }

    /// What `get_taxonomy` returns, serialised on first use.
    pub fn taxonomy_full(&self, t: usize) -> &Value {
        self.taxonomy_full[t].get_or_init(|| {
            let taxonomy = &self.taxonomies[t];
            let items: Vec<Value> = (0..taxonomy.items.len())
                .map(|i| self.term_value(t, i, true))
                .collect();
            serde_json::json!({
                "kind": taxonomy.kind,
                "lang": taxonomy.lang,
                "permalink": taxonomy.permalink,
                "items": items,
            })
        })
    }

    /// A term as templates see it, with or without its pages.
    pub fn term_value(&self, t: usize, i: usize, with_pages: bool) -> Value {
        let term = &self.taxonomies[t].items[i];
        let pages: Vec<Value> = if with_pages {
            term.pages
                .iter()
                .map(|&p| self.values.listed[p].clone())
                .collect()
        } else {
            Vec::new()
        };
        serde_json::json!({
            "name": term.name,
            "slug": term.slug,
            "path": term.path,
            "permalink": term.permalink,
            "pages": pages,
            "page_count": term.pages.len(),
        })
    }

    pub fn find_taxonomy(&self, name: &str, lang: &str) -> Option<usize> {
        self.taxonomies
            .iter()
            .position(|t| t.kind.name == name && t.lang == lang)
    }

    /// The page's context value: its own value plus its neighbours.
    pub fn page_context_value(&self, i: usize) -> Value {
        let page = &self.pages[i];
        let mut value = self.values.pages[i].clone();
        if let Value::Object(map) = &mut value {
            if let Some(l) = page.lower {
                map.insert("lower".into(), self.values.listed[l].clone());
            }
            if let Some(h) = page.higher {
                map.insert("higher".into(), self.values.listed[h].clone());
            }
        }
        value
    }
}
