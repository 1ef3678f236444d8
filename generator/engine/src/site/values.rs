//! Pages and sections as templates see them, with Zola's field names.
//! Sections are serialised once; a page's value is made when a render
//! needs it (its own page, a listing, a neighbour, `get_page`): kept for
//! every page, the values of a 22,000-page site took about 370 MB, and
//! making one costs about what copying a kept one did.

use std::collections::HashMap;

use serde_json::{json, Map, Value};

use crate::config::Config;
use crate::content::{Page, Section};
use crate::templates::analysis::HEAVY_FIELDS;

pub struct Values {
    /// One per section, with `pages` empty.
    pub sections_meta: Vec<Value>,
    links: Links,
    /// What listings show of a page: without the heavy fields when slim
    /// (see [`HEAVY_FIELDS`](crate::templates::analysis::HEAVY_FIELDS)).
    listed: PageFieldSet,
}

/// The fields of a page's value, in the order [`page_value`] makes them.
const PAGE_FIELDS: [&str; 30] = [
    "relative_path",
    "colocated_path",
    "content",
    "permalink",
    "slug",
    "ancestors",
    "title",
    "description",
    "updated",
    "date",
    "year",
    "month",
    "day",
    "taxonomies",
    "authors",
    "extra",
    "path",
    "components",
    "summary",
    "toc",
    "word_count",
    "reading_time",
    "assets",
    "draft",
    "lang",
    "weight",
    "lower",
    "higher",
    "translations",
    "backlinks",
];
const _: () = assert!(PAGE_FIELDS.len() <= u32::BITS as usize, "a bit per field");

/// Some of a page's fields, by their place in [`PAGE_FIELDS`]: a page's
/// value is made for thousands of listings, and testing a bit is cheaper
/// than finding each field's name in a set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PageFieldSet(u32);

impl PageFieldSet {
    pub(crate) const ALL: PageFieldSet = PageFieldSet(u32::MAX);

    /// The fields named in `names` (other names are no page field).
    pub(crate) fn of<S: AsRef<str>>(names: impl IntoIterator<Item = S>) -> PageFieldSet {
        let bits = names
            .into_iter()
            .filter_map(|name| field_index(name.as_ref()))
            .fold(0, |bits, i| bits | 1 << i);
        PageFieldSet(bits)
    }

    fn without(self, names: &[&str]) -> PageFieldSet {
        PageFieldSet(self.0 & !PageFieldSet::of(names).0)
    }

    pub(crate) fn contains(self, name: &str) -> bool {
        field_index(name).is_some_and(|i| self.has(i))
    }

    fn has(self, i: usize) -> bool {
        self.0 & (1 << i) != 0
    }
}

/// The place of the field `name` in [`PAGE_FIELDS`].
fn field_index(name: &str) -> Option<usize> {
    PAGE_FIELDS.iter().position(|field| *field == name)
}

/// (lang, permalink, title, relative path)
type Translation = (String, String, Option<String>, String);

struct Links {
    /// relative path → [(permalink, title)] of what links to it
    backlinks: HashMap<String, Vec<(String, Option<String>)>>,
    /// canonical path → [(lang, permalink, title, relative path)]
    translations: HashMap<String, Vec<Translation>>,
}

impl Links {
    fn backlinks(&self, relative: &str) -> Value {
        match self.backlinks.get(relative) {
            Some(list) => Value::Array(
                list.iter()
                    .map(|(permalink, title)| json!({ "permalink": permalink, "title": title }))
                    .collect(),
            ),
            None => Value::Array(Vec::new()),
        }
    }
    /// Every version of the content in a multilingual site, itself
    /// included, as Zola lists them.
    fn translations(&self, canonical: &str) -> Value {
        match self.translations.get(canonical) {
            Some(list) => Value::Array(
                list.iter()
                    .map(|(lang, permalink, title, path)| {
                        json!({ "lang": lang, "permalink": permalink, "title": title, "path": path })
                    })
                    .collect(),
            ),
            _ => Value::Array(Vec::new()),
        }
    }
}

impl Values {
    pub fn build(config: &Config, pages: &[Page], sections: &[Section], slim: bool) -> Values {
        let mut links = Links {
            backlinks: HashMap::new(),
            translations: HashMap::new(),
        };
        for p in pages {
            for (target, _, _) in &p.rendered.internal_links {
                let list = links.backlinks.entry(target.clone()).or_default();
                if !list.iter().any(|(l, _)| *l == p.permalink) {
                    list.push((p.permalink.clone(), p.meta.title.clone()));
                }
            }
            if config.is_multilingual() {
                links
                    .translations
                    .entry(p.file.canonical.clone())
                    .or_default()
                    .push((
                        p.lang.clone(),
                        p.permalink.clone(),
                        p.meta.title.clone(),
                        p.file.relative.clone(),
                    ));
            }
        }
        for s in sections {
            for (target, _, _) in &s.rendered.internal_links {
                let list = links.backlinks.entry(target.clone()).or_default();
                if !list.iter().any(|(l, _)| *l == s.permalink) {
                    list.push((s.permalink.clone(), s.meta.title.clone()));
                }
            }
            if config.is_multilingual() {
                links
                    .translations
                    .entry(s.file.canonical.clone())
                    .or_default()
                    .push((
                        s.lang.clone(),
                        s.permalink.clone(),
                        s.meta.title.clone(),
                        s.file.relative.clone(),
                    ));
            }
        }
        for list in links.backlinks.values_mut() {
            list.sort();
        }
        // Zola's order is the hash set's; ours is the default language first,
        // then the others by code.
        for list in links.translations.values_mut() {
            list.sort_by_key(|(lang, ..)| (*lang != config.default_language, lang.clone()));
        }
        let sections_meta = sections
            .iter()
            .map(|s| section_value(s, sections, &links))
            .collect();
        let listed = match slim {
            true => PageFieldSet::ALL.without(HEAVY_FIELDS),
            false => PageFieldSet::ALL,
        };
        Values {
            sections_meta,
            links,
            listed,
        }
    }

    /// A page with every field, without `lower`/`higher`.
    pub fn page(&self, page: &Page) -> Value {
        page_value(page, &self.links, PageFieldSet::ALL)
    }

    /// A page as listings show it: without content, summary and table of
    /// contents when no template reads them on a listed page.
    pub fn listed(&self, page: &Page) -> Value {
        page_value(page, &self.links, self.listed)
    }

    /// A page with only `fields`: those its template reads (see
    /// [`FieldsRead`](crate::templates::section_fields::FieldsRead)).
    pub(crate) fn page_fields(&self, page: &Page, fields: PageFieldSet) -> Value {
        page_value(page, &self.links, fields)
    }

    /// Section `i` with `pages` (its pages in order), as listings show
    /// them, or with only `fields` of each page when given, and `null` past
    /// the first `reach` pages when given (see
    /// [`section_fields`](crate::templates::section_fields)).
    pub fn section_with_pages(
        &self,
        i: usize,
        pages: &[Page],
        ids: &[usize],
        fields: Option<&[String]>,
        reach: Option<usize>,
    ) -> Value {
        let mut value = self.sections_meta[i].clone();
        if let Value::Object(map) = &mut value {
            let kept = fields.map_or(self.listed, PageFieldSet::of);
            let listed = |page: &Page| page_value(page, &self.links, kept);
            let reach = reach.unwrap_or(ids.len());
            let list = ids.iter().enumerate().map(|(n, &p)| match n < reach {
                true => listed(&pages[p]),
                false => Value::Null,
            });
            map.insert("pages".into(), Value::Array(list.collect()));
        }
        value
    }
}

/// The fields of `p` that `keep` accepts.
fn page_value(p: &Page, links: &Links, keep: PageFieldSet) -> Value {
    let mut m = Map::with_capacity(32);
    // Each field's value is made only when it is kept; the fields come in
    // the order of `PAGE_FIELDS`.
    let mut next = 0;
    let mut put = |field: &str, value: &dyn Fn() -> Value| {
        debug_assert_eq!(PAGE_FIELDS[next], field);
        if keep.has(next) {
            m.insert(field.into(), value());
        }
        next += 1;
    };
    let ymd = || p.year_month_day();
    put("relative_path", &|| json!(p.file.relative));
    put("colocated_path", &|| json!(p.file.colocated_path));
    put("content", &|| json!(p.rendered.content));
    put("permalink", &|| json!(p.permalink));
    put("slug", &|| json!(p.slug));
    put("ancestors", &|| json!(p.ancestors));
    put("title", &|| json!(p.meta.title));
    put("description", &|| json!(p.meta.description));
    put("updated", &|| json!(p.updated));
    put("date", &|| json!(p.date));
    put("year", &|| json!(ymd().map(|d| d.0)));
    put("month", &|| json!(ymd().map(|d| d.1)));
    put("day", &|| json!(ymd().map(|d| d.2)));
    put("taxonomies", &|| json!(p.meta.taxonomies));
    put("authors", &|| json!(p.meta.authors));
    put("extra", &|| p.meta.extra.clone());
    put("path", &|| json!(p.path));
    put("components", &|| json!(p.components));
    put("summary", &|| json!(p.rendered.summary));
    put("toc", &|| json!(p.rendered.toc));
    put("word_count", &|| json!(p.word_count));
    put("reading_time", &|| json!(p.reading_time));
    put("assets", &|| json!(p.serialized_assets));
    put("draft", &|| json!(p.meta.draft));
    put("lang", &|| json!(p.lang));
    put("weight", &|| json!(p.meta.weight));
    put("lower", &|| Value::Null);
    put("higher", &|| Value::Null);
    put("translations", &|| links.translations(&p.file.canonical));
    put("backlinks", &|| links.backlinks(&p.file.relative));
    debug_assert_eq!(next, PAGE_FIELDS.len());
    Value::Object(m)
}

fn section_value(s: &Section, sections: &[Section], links: &Links) -> Value {
    let mut m = Map::with_capacity(28);
    m.insert("relative_path".into(), json!(s.file.relative));
    m.insert("colocated_path".into(), Value::Null);
    m.insert("content".into(), json!(s.rendered.content));
    m.insert("permalink".into(), json!(s.permalink));
    m.insert("draft".into(), json!(s.meta.draft));
    m.insert("ancestors".into(), json!(s.ancestors));
    m.insert("title".into(), json!(s.meta.title));
    m.insert("description".into(), json!(s.meta.description));
    m.insert("extra".into(), s.meta.extra.clone());
    m.insert("path".into(), json!(s.path));
    m.insert("components".into(), json!(s.components));
    m.insert("toc".into(), json!(s.rendered.toc));
    m.insert("word_count".into(), json!(s.word_count));
    m.insert("reading_time".into(), json!(s.reading_time));
    m.insert("lang".into(), json!(s.lang));
    m.insert("assets".into(), json!(s.serialized_assets));
    m.insert("pages".into(), Value::Array(Vec::new()));
    m.insert(
        "subsections".into(),
        Value::Array(
            s.subsections
                .iter()
                .map(|&i| json!(sections[i].file.relative))
                .collect(),
        ),
    );
    m.insert("translations".into(), links.translations(&s.file.canonical));
    m.insert("backlinks".into(), links.backlinks(&s.file.relative));
    m.insert("generate_feeds".into(), json!(s.meta.generate_feeds));
    m.insert("transparent".into(), json!(s.meta.transparent));
    m.insert("paginate_by".into(), json!(s.meta.paginate_by));
    m.insert("paginate_reversed".into(), json!(s.meta.paginate_reversed));
    Value::Object(m)
}
