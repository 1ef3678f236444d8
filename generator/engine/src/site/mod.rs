//! The site model: pages and sections linked together, sorted, grouped in
//! taxonomies, and serialised once for the templates.

pub(crate) mod extension;
mod populate;
mod sorting;
pub(crate) mod taxonomies;
mod values;

pub(crate) use values::PageFieldSet;

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use crate::config::Config;
use crate::content::{Page, Section};
use crate::error::Diagnostics;
use crate::templates::section_fields::PageFields;
pub use extension::{
    ClockSpan, ContextBuilder, Contribution, ContributionPart, ExtraFile, ExtraPage, FileBuilder,
    FileBytes, PageContext, Refresh, RequiredPage, SearchEntry, SiteExtension,
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
        // Three independent readings of the pages, side by side: the build
        // runs nothing else meanwhile.
        let ((taxonomies, problems), (values, (page_index, section_index))) = rayon::join(
            || taxonomies::find(&config, &pages),
            || {
                rayon::join(
                    || Values::build(&config, &pages, &sections, slim),
                    || {
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
                        (page_index, section_index)
                    },
                )
            },
        );
        let library = Library {
            config,
            pages,
            sections,
            page_index,
            section_index,
            taxonomies,
            values,
            slim,
        };
        (library, problems)
    }

    // Sections and taxonomies with all their pages are made on each use,
    // not kept: copying a kept one cost as much as making it, and a site's
    // largest ones (every page listed) were held until the build ended.

    /// A section with all its pages.
    pub fn section_full(&self, i: usize) -> Value {
        self.section_listing(i, None, None)
    }

    /// Section `i` with its pages, each with only `fields` when given, the
    /// pages past the first `reach` as `null` when given.
    pub fn section_listing(
        &self,
        i: usize,
        fields: Option<&[String]>,
        reach: Option<usize>,
    ) -> Value {
        let ids = &self.sections[i].pages;
        self.values
            .section_with_pages(i, &self.pages, ids, fields, reach)
    }

    /// What `get_taxonomy` returns: its terms with their pages, or
    /// without when the template reads none
    /// ([`term_pages`](crate::templates::term_pages)).
    pub fn taxonomy_value(&self, t: usize, with_pages: bool) -> Value {
        let taxonomy = &self.taxonomies[t];
        let items: Vec<Value> = (0..taxonomy.items.len())
            .map(|i| self.term_value(t, i, with_pages))
            .collect();
        let mut value = serde_json::json!({
            "kind": taxonomy.kind,
            "lang": taxonomy.lang,
            "permalink": taxonomy.permalink,
        });
        // Moved in: `json!` would copy every term's value again.
        value["items"] = Value::Array(items);
        value
    }

    /// Page `i` with every field (`get_page`, feeds).
    pub fn page_value(&self, i: usize) -> Value {
        self.values.page(&self.pages[i])
    }

    /// Page `i` as listings show it.
    pub fn listed_value(&self, i: usize) -> Value {
        self.values.listed(&self.pages[i])
    }

    /// A term as templates see it, with or without its pages.
    pub fn term_value(&self, t: usize, i: usize, with_pages: bool) -> Value {
        let term = &self.taxonomies[t].items[i];
        let pages: Vec<Value> = if with_pages {
            term.pages.iter().map(|&p| self.listed_value(p)).collect()
        } else {
            Vec::new()
        };
        let mut value = serde_json::json!({
            "name": term.name,
            "slug": term.slug,
            "path": term.path,
            "permalink": term.permalink,
            "page_count": term.pages.len(),
        });
        value["pages"] = Value::Array(pages);
        value
    }

    pub fn find_taxonomy(&self, name: &str, lang: &str) -> Option<usize> {
        self.taxonomies
            .iter()
            .position(|t| t.kind.name == name && t.lang == lang)
    }

    /// The page's context value: its own value plus its neighbours, with
    /// only `fields` when the template is known to read no others.
    pub(crate) fn page_context_value(&self, i: usize, fields: Option<&PageFields>) -> Value {
        let page = &self.pages[i];
        let mut value = match fields {
            Some(fields) => self.values.page_fields(page, fields.own),
            None => self.page_value(i),
        };
        let neighbour = |n: usize| match fields.and_then(|f| f.neighbours) {
            Some(read) => self.values.page_fields(&self.pages[n], read),
            None => self.listed_value(n),
        };
        if let Value::Object(map) = &mut value {
            let wanted = |field: &str| fields.is_none_or(|f| f.own.contains(field));
            if let Some(l) = page.lower.filter(|_| wanted("lower")) {
                map.insert("lower".into(), neighbour(l));
            }
            if let Some(h) = page.higher.filter(|_| wanted("higher")) {
                map.insert("higher".into(), neighbour(h));
            }
        }
        value
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use crate::build::{load_site, BuildOptions};
    use crate::site::Library;
    use crate::templates::analysis::HEAVY_FIELDS;

    /// A site of one section and two pages, the first with a summary and
    /// a table of contents.
    fn site() -> (tempfile::TempDir, crate::build::Site) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(
            root.join("config.toml"),
            "base_url = \"https://example.org\"\ntitle = \"T\"\n",
        )
        .unwrap();
        std::fs::create_dir_all(root.join("content/notes")).unwrap();
        std::fs::write(
            root.join("content/notes/_index.md"),
            "+++\ntitle = \"Notes\"\nsort_by = \"date\"\n+++\n",
        )
        .unwrap();
        std::fs::write(
            root.join("content/notes/a.md"),
            "+++\ntitle = \"A\"\ndate = 2026-01-02\n+++\nDébut.\n<!-- more -->\n## Suite\n\nFin.\n",
        )
        .unwrap();
        std::fs::write(
            root.join("content/notes/b.md"),
            "+++\ntitle = \"B\"\ndate = 2026-01-01\n+++\nAutre.\n",
        )
        .unwrap();
        let site = load_site(&BuildOptions {
            root: root.to_path_buf(),
            ..Default::default()
        })
        .unwrap();
        (dir, site)
    }

    fn object(value: Value) -> serde_json::Map<String, Value> {
        match value {
            Value::Object(map) => map,
            other => panic!("not an object: {other}"),
        }
    }

    #[test]
    fn a_listed_page_is_the_page_without_its_heavy_fields_when_slim() {
        let (_dir, site) = site();
        let lib = &site.library;
        let slim = Library::new(
            lib.config.clone(),
            lib.pages.clone(),
            lib.sections.clone(),
            true,
        )
        .unwrap();
        let a = slim.page_index["notes/a.md"];
        let mut full = object(slim.page_value(a));
        for field in HEAVY_FIELDS {
            assert!(full.contains_key(*field), "{field} missing from the page");
        }
        assert!(full["content"].as_str().unwrap().contains("Suite"));
        assert!(full["summary"].as_str().unwrap().contains("Début"));
        assert_eq!(full["toc"][0]["title"], "Suite");
        full.retain(|k, _| !HEAVY_FIELDS.contains(&k.as_str()));
        assert_eq!(object(slim.listed_value(a)), full);

        let whole = Library::new(
            lib.config.clone(),
            lib.pages.clone(),
            lib.sections.clone(),
            false,
        )
        .unwrap();
        assert_eq!(whole.listed_value(a), whole.page_value(a));
    }

    #[test]
    fn a_section_lists_its_pages_in_order_each_time_it_is_asked_for() {
        let (_dir, site) = site();
        let lib = &site.library;
        let s = lib.section_index["notes/_index.md"];
        let first = lib.section_full(s);
        let titles: Vec<&str> = first["pages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["title"].as_str().unwrap())
            .collect();
        assert_eq!(titles, ["A", "B"]);
        assert_eq!(lib.section_full(s), first);
        let a = lib.page_index["notes/a.md"];
        let page = lib.page_context_value(a, None);
        assert_eq!(page["higher"]["title"], "B");
        assert_eq!(page["lower"], Value::Null);
    }

    #[test]
    fn a_section_listing_gives_each_page_with_only_the_fields_asked_for() {
        let (_dir, site) = site();
        let lib = &site.library;
        let s = lib.section_index["notes/_index.md"];
        let fields = [
            "title".to_string(),
            "summary".to_string(),
            "extra".to_string(),
        ];
        let listing = lib.section_listing(s, Some(&fields), None);
        // Each page's fields, heavy ones included (this site's listings
        // leave them out), as the page itself has them.
        let mut full = lib.section_full(s);
        full["pages"] = lib.sections[s]
            .pages
            .iter()
            .map(|&p| {
                let mut page = object(lib.page_value(p));
                page.retain(|k, _| fields.contains(k));
                Value::Object(page)
            })
            .collect();
        assert_eq!(listing, full);
        let a = &listing["pages"][0];
        assert_eq!(object(a.clone()).len(), 3);
        assert!(a["summary"].as_str().unwrap().contains("Début"));
        // The section's own fields are all there.
        assert_eq!(object(listing.clone()).len(), object(full.clone()).len());
        assert_eq!(lib.section_listing(s, None, None), lib.section_full(s));
        // Past the pages that can be read, nulls: as many pages.
        let first = lib.section_listing(s, Some(&fields), Some(1));
        assert_eq!(first["pages"][0], listing["pages"][0]);
        assert_eq!(first["pages"][1], Value::Null);
        assert_eq!(first["pages"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn rendered_pages_no_longer_hold_their_markdown() {
        let (_dir, site) = site();
        assert!(site.library.pages.iter().all(|p| p.raw_content.is_empty()));
        assert!(site
            .library
            .pages
            .iter()
            .all(|p| !p.rendered.content.is_empty()));
    }
}
