//! The search index (`build_search_index`), per language, in the formats
//! Zola writes (`[search] index_format`): an elasticlunr.js index (as a
//! script setting `window.searchIndex`, or as JSON) or a list for Fuse.js.
//! Sections and their pages are indexed unless `in_search_index = false`;
//! redirecting sections are left out. Pages an extension adds are indexed
//! when they carry a [`SearchEntry`](crate::site::SearchEntry): their title
//! and description, which is their body too unless descriptions are
//! indexed (`include_description`) in their own field.

use std::borrow::Cow;

use serde::Serialize;

use crate::config::{IndexFormat, SearchConfig};
use crate::site::{ExtraPage, Library};

/// elasticlunr.js 0.9.5 (MIT, from its npm package), written next to the
/// index when it is a script, as Zola does.
pub(crate) const ELASTICLUNR_JS: &str = include_str!("elasticlunr.min.js");

/// What goes in the index for one page or section.
struct Document<'a> {
    url: Cow<'a, str>,
    title: Option<&'a str>,
    description: Option<&'a str>,
    date: Option<String>,
    path: &'a str,
    /// The text indexed as the body.
    body: Body<'a>,
}

enum Body<'a> {
    Html(&'a str),
    Text(&'a str),
}

impl Body<'_> {
    fn text(&self) -> String {
        match self {
            Body::Html(html) => plain_text(html),
            Body::Text(text) => text.to_string(),
        }
    }
}

/// Whether `elasticlunr.min.js` goes next to the indexes: when they are
/// elasticlunr's, as a script or as JSON (Zola writes it for both).
pub(crate) fn needs_elasticlunr_script(config: &crate::config::Config) -> bool {
    config.languages.values().any(|l| l.build_search_index)
        && matches!(
            index_format(config),
            IndexFormat::ElasticlunrJavascript | IndexFormat::ElasticlunrJson
        )
}

fn index_format(config: &crate::config::Config) -> IndexFormat {
    config.default_options().search.index_format
}

/// The file of the search index of `lang`: (path, content).
pub(crate) fn index_files(
    library: &Library,
    extra_pages: &[ExtraPage],
    lang: &str,
) -> Result<Vec<(String, Vec<u8>)>, String> {
    let options = library.config.language(lang);
    let search = &options.search;
    let mut documents = documents(library, lang);
    documents.extend(extra_documents(library, extra_pages, lang));
    let script = |json: String| format!("window.searchIndex = {json};").into_bytes();
    // As in Zola, the format is the site's, whatever a language's own
    // `[languages.<code>.search]` says; what goes in is the language's.
    let name = index_file_name(&library.config, lang);
    Ok(match index_format(&library.config) {
        IndexFormat::ElasticlunrJavascript => {
            vec![(name, script(elasticlunr(lang, search, &documents)?))]
        }
        IndexFormat::ElasticlunrJson => {
            vec![(name, elasticlunr(lang, search, &documents)?.into_bytes())]
        }
        IndexFormat::FuseJavascript => vec![(name, script(fuse(search, &documents)))],
        IndexFormat::FuseJson => vec![(name, fuse(search, &documents).into_bytes())],
    })
}

/// The index file of `lang`: a script or JSON, as the format says.
pub(crate) fn index_file_name(config: &crate::config::Config, lang: &str) -> String {
    match index_format(config) {
        IndexFormat::ElasticlunrJavascript | IndexFormat::FuseJavascript => {
            format!("search_index.{lang}.js")
        }
        IndexFormat::ElasticlunrJson | IndexFormat::FuseJson => {
            format!("search_index.{lang}.json")
        }
    }
}

fn documents<'a>(library: &'a Library, lang: &str) -> Vec<Document<'a>> {
    let mut documents = Vec::new();
    for section in library.sections.iter().filter(|s| s.lang == lang) {
        if !section.meta.in_search_index {
            continue;
        }
        if section.meta.redirect_to.is_none() {
            documents.push(Document {
                url: Cow::Borrowed(&section.permalink),
                title: section.meta.title.as_deref(),
                description: section.meta.description.as_deref(),
                date: None,
                path: &section.path,
                body: Body::Html(&section.rendered.content),
            });
        }
        for &p in &section.pages {
            let page = &library.pages[p];
            if page.meta.in_search_index {
                documents.push(Document {
                    url: Cow::Borrowed(&page.permalink),
                    title: page.meta.title.as_deref(),
                    description: page.meta.description.as_deref(),
                    date: page.datetime.map(|d| d.to_rfc3339()),
                    path: &page.path,
                    body: Body::Html(&page.rendered.content),
                });
            }
        }
    }
    documents
}

/// The extension's pages of `lang` that have a search entry.
fn extra_documents<'a>(
    library: &'a Library,
    extra_pages: &'a [ExtraPage],
    lang: &'a str,
) -> impl Iterator<Item = Document<'a>> + 'a {
    let default = library.config.default_language.as_str();
    let described = library.config.language(lang).search.include_description;
    extra_pages
        .iter()
        .filter(move |p| p.lang.as_deref().unwrap_or(default) == lang)
        .filter_map(move |p| {
            let entry = p.search.as_ref()?;
            Some(Document {
                url: Cow::Owned(library.config.make_permalink(&p.path)),
                title: Some(&entry.title),
                description: Some(&entry.description),
                date: None,
                path: &p.path,
                body: Body::Text(if described { "" } else { &entry.description }),
            })
        })
}

fn elasticlunr(
    lang: &str,
    search: &SearchConfig,
    documents: &[Document],
) -> Result<String, String> {
    let language = elasticlunr::lang::from_code(lang).ok_or_else(|| {
        format!(
            "the search index cannot be built for language `{lang}`: elasticlunr does not know it"
        )
    })?;
    let mut builder = elasticlunr::IndexBuilder::with_language(language);
    if search.include_title {
        builder = builder.add_field("title");
    }
    if search.include_description {
        builder = builder.add_field("description");
    }
    if search.include_date {
        builder = builder.add_field("date");
    }
    if search.include_path {
        builder = builder.add_field_with_tokenizer("path", Box::new(path_words));
    }
    if search.include_content {
        builder = builder.add_field("body");
    }
    let mut index = builder.build();
    for d in documents {
        let mut row = Vec::new();
        if search.include_title {
            row.push(d.title.unwrap_or_default().to_string());
        }
        if search.include_description {
            row.push(d.description.unwrap_or_default().to_string());
        }
        if search.include_date {
            if let Some(date) = &d.date {
                row.push(date.clone());
            }
        }
        if search.include_path {
            row.push(d.path.to_string());
        }
        if search.include_content {
            row.push(truncate(d.body.text(), search.truncate_content_length));
        }
        index.add_doc(&d.url, row);
    }
    Ok(index.to_json())
}

fn path_words(text: &str) -> Vec<String> {
    text.split(|c: char| c.is_whitespace() || c == '-' || c == '/')
        .filter(|s| !s.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn fuse(search: &SearchConfig, documents: &[Document]) -> String {
    #[derive(Serialize)]
    struct Item<'a> {
        url: &'a str,
        title: Option<&'a str>,
        description: Option<&'a str>,
        body: Option<String>,
        path: Option<&'a str>,
    }
    let items: Vec<Item> = documents
        .iter()
        .map(|d| Item {
            url: &d.url,
            title: search.include_title.then(|| d.title.unwrap_or_default()),
            description: search
                .include_description
                .then(|| d.description.unwrap_or_default()),
            body: search
                .include_content
                .then(|| truncate(d.body.text(), search.truncate_content_length)),
            path: search.include_path.then_some(d.path),
        })
        .collect();
    serde_json::to_string(&items).unwrap_or_else(|_| "[]".into())
}

fn truncate(mut text: String, length: Option<usize>) -> String {
    if let Some(n) = length {
        if let Some((i, _)) = text.char_indices().nth(n) {
            text.truncate(i);
        }
    }
    text
}

/// The text of rendered HTML as the index holds it: tags removed, scripts,
/// styles and preformatted blocks left out, white space collapsed within
/// lines and empty lines dropped.
pub(crate) fn plain_text(html: &str) -> String {
    use std::sync::OnceLock;
    static HIDDEN: OnceLock<regex::Regex> = OnceLock::new();
    static TAG: OnceLock<regex::Regex> = OnceLock::new();
    let hidden = HIDDEN.get_or_init(|| {
        regex::Regex::new(
            r"(?is)<script[\s>].*?</script>|<style[\s>].*?</style>|<pre[\s>].*?</pre>|<!--.*?-->",
        )
        .unwrap()
    });
    let tag = TAG.get_or_init(|| regex::Regex::new(r"(?s)<[^>]*>").unwrap());
    let visible = hidden.replace_all(html, "");
    let text = tag.replace_all(&visible, "");
    text.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_leaves_out_code_and_markup() {
        let html = "<h1>Titre</h1>\n<p>Un   <em>mot</em></p>\n\n<pre><code>x = 1</code></pre><script>alert(1)</script>";
        assert_eq!(plain_text(html), "Titre\nUn mot");
        assert_eq!(truncate("héllo".into(), Some(2)), "hé");
    }
}
