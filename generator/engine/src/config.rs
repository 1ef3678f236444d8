//! `config.toml`: Zola's keys, read once, then serialised once per language
//! for the templates.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::error::{line_col, Diagnostic, Diagnostics, Result};
use crate::slugs::{slugify_with, SlugStrategy};

/// One taxonomy as declared in `taxonomies = [...]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TaxonomyConfig {
    pub name: String,
    #[serde(skip_serializing)]
    pub slug: String,
    pub paginate_by: Option<usize>,
    pub paginate_path: Option<String>,
    pub feed: bool,
    pub render: bool,
    #[serde(skip_deserializing)]
    pub lang: String,
}

impl Default for TaxonomyConfig {
    fn default() -> Self {
        TaxonomyConfig {
            name: String::new(),
            slug: String::new(),
            paginate_by: None,
            paginate_path: None,
            feed: false,
            render: true,
            lang: String::new(),
        }
    }
}

impl TaxonomyConfig {
    pub fn paginate_path(&self) -> &str {
        self.paginate_path.as_deref().unwrap_or("page")
    }
    pub fn is_paginated(&self) -> bool {
        self.paginate_by.is_some_and(|n| n > 0)
    }
}

/// What one language of the site declares.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LanguageOptions {
    pub title: Option<String>,
    pub description: Option<String>,
    pub generate_feeds: bool,
    pub feed_filenames: Vec<String>,
    pub taxonomies: Vec<TaxonomyConfig>,
    pub build_search_index: bool,
    #[serde(skip_serializing)]
    pub translations: BTreeMap<String, String>,
}

impl Default for LanguageOptions {
    fn default() -> Self {
        LanguageOptions {
            title: None,
            description: None,
            generate_feeds: false,
            feed_filenames: vec!["atom.xml".into()],
            taxonomies: Vec::new(),
            build_search_index: false,
            translations: BTreeMap::new(),
        }
    }
}

/// Markdown rendering options (`[markdown]`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MarkdownConfig {
    pub highlight_code: bool,
    pub smart_punctuation: bool,
    pub definition_list: bool,
    pub external_links_target_blank: bool,
    pub external_links_no_follow: bool,
    pub external_links_no_referrer: bool,
    pub bottom_footnotes: bool,
}

/// `[slugify]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SlugifyConfig {
    pub paths: SlugStrategy,
    pub taxonomies: SlugStrategy,
    pub anchors: SlugStrategy,
    pub paths_keep_dates: bool,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub base_url: String,
    pub title: Option<String>,
    pub description: Option<String>,
    pub author: Option<String>,
    pub default_language: String,
    /// Every language, the default one included.
    pub languages: BTreeMap<String, LanguageOptions>,
    pub generate_sitemap: bool,
    pub generate_robots_txt: bool,
    pub feed_limit: Option<usize>,
    pub theme: Option<String>,
    pub output_dir: String,
    pub markdown: MarkdownConfig,
    pub slugify: SlugifyConfig,
    pub extra: Value,
    /// The whole file as read, for `config.<anything>` in templates.
    raw: Map<String, Value>,
    /// `config` for templates, one per language.
    serialized: BTreeMap<String, Value>,
}

impl Config {
    /// Reads `config.toml` at `path`.
    pub fn load(path: &Path, root: &Path) -> Result<Config> {
        let rel = path.strip_prefix(root).unwrap_or(path).to_path_buf();
        let text = crate::files::read_text(path).map_err(|e| {
            Diagnostic::new(&rel, format!("cannot read the site configuration: {e}"))
        })?;
        Config::parse(&text, &rel)
    }

    /// Parses the text of a `config.toml`; `file` names it in errors.
    pub fn parse(text: &str, file: &Path) -> Result<Config> {
        let table: toml::Table =
            toml::from_str(text).map_err(|e| toml_diagnostic(file, text, &e))?;
        let raw = match serde_json::to_value(&table) {
            Ok(Value::Object(map)) => map,
            _ => Map::new(),
        };
        let mut errors = Diagnostics::new();
        let find_line = |key: &str| find_key_line(text, key);
        let string = |key: &str, errors: &mut Diagnostics| -> Option<String> {
            match raw.get(key) {
                None => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(_) => {
                    errors.push(
                        Diagnostic::new(file, "expected a string")
                            .line(find_line(key))
                            .field(key),
                    );
                    None
                }
            }
        };
        let boolean = |key: &str, default: bool, errors: &mut Diagnostics| -> bool {
            match raw.get(key) {
                None => default,
                Some(Value::Bool(b)) => *b,
                Some(_) => {
                    errors.push(
                        Diagnostic::new(file, "expected true or false")
                            .line(find_line(key))
                            .field(key),
                    );
                    default
                }
            }
        };

        for (old, new) in [
            ("generate_feed", "generate_feeds"),
            ("feed_filename", "feed_filenames"),
        ] {
            if raw.contains_key(old) {
                errors.push(
                    Diagnostic::new(file, format!("renamed: use `{new}` (Zola 0.19 and later)"))
                        .line(find_line(old))
                        .field(old),
                );
            }
        }

        let base_url = match string("base_url", &mut errors) {
            Some(url) => url,
            None => {
                if !raw.contains_key("base_url") {
                    errors.push(
                        Diagnostic::new(
                            file,
                            "missing: the site's address, e.g. \"https://example.org\"",
                        )
                        .field("base_url"),
                    );
                }
                String::new()
            }
        };
        let default_language =
            string("default_language", &mut errors).unwrap_or_else(|| "en".into());

        let mut default_options = LanguageOptions {
            title: string("title", &mut errors),
            description: string("description", &mut errors),
            generate_feeds: boolean("generate_feeds", false, &mut errors),
            build_search_index: boolean("build_search_index", false, &mut errors),
            ..LanguageOptions::default()
        };
        if let Some(v) = raw.get("feed_filenames") {
            match serde_json::from_value::<Vec<String>>(v.clone()) {
                Ok(names) => default_options.feed_filenames = names,
                Err(_) => errors.push(
                    Diagnostic::new(file, "expected a list of file names, e.g. [\"atom.xml\"]")
                        .line(find_line("feed_filenames"))
                        .field("feed_filenames"),
                ),
            }
        }
        if let Some(v) = raw.get("taxonomies") {
            match serde_json::from_value::<Vec<TaxonomyConfig>>(v.clone()) {
                Ok(list) => default_options.taxonomies = list,
                Err(e) => errors.push(
                    Diagnostic::new(
                        file,
                        format!("expected a list of {{ name = \"...\" }} tables: {e}"),
                    )
                    .line(find_line("taxonomies"))
                    .field("taxonomies"),
                ),
            }
        }
        if let Some(v) = raw.get("translations") {
            match serde_json::from_value::<BTreeMap<String, String>>(v.clone()) {
                Ok(t) => default_options.translations = t,
                Err(_) => errors.push(
                    Diagnostic::new(file, "expected a table of key = \"text\"")
                        .line(find_line("translations"))
                        .field("translations"),
                ),
            }
        }

        let mut languages = BTreeMap::new();
        if let Some(v) = raw.get("languages") {
            match serde_json::from_value::<BTreeMap<String, LanguageOptions>>(v.clone()) {
                Ok(map) => {
                    for (code, options) in map {
                        if code == default_language {
                            errors.push(
                                Diagnostic::new(
                                    file,
                                    "the default language goes at the top level, not in [languages]",
                                )
                                .line(find_line(&code))
                                .field(format!("languages.{code}")),
                            );
                            continue;
                        }
                        languages.insert(code, options);
                    }
                }
                Err(e) => errors.push(
                    Diagnostic::new(file, format!("expected [languages.<code>] tables: {e}"))
                        .line(find_line("languages"))
                        .field("languages"),
                ),
            }
        }
        languages.insert(default_language.clone(), default_options);

        let slug_table = raw.get("slugify").and_then(Value::as_object);
        let slug_strategy = |key: &str, errors: &mut Diagnostics| -> SlugStrategy {
            match slug_table.and_then(|t| t.get(key)).and_then(Value::as_str) {
                None | Some("on") => SlugStrategy::On,
                Some("safe") => SlugStrategy::Safe,
                Some("off") => SlugStrategy::Off,
                Some(other) => {
                    errors.push(
                        Diagnostic::new(
                            file,
                            format!("expected \"on\", \"safe\" or \"off\", found \"{other}\""),
                        )
                        .line(find_line(key))
                        .field(format!("slugify.{key}")),
                    );
                    SlugStrategy::On
                }
            }
        };
        let slugify = SlugifyConfig {
            paths: slug_strategy("paths", &mut errors),
            taxonomies: slug_strategy("taxonomies", &mut errors),
            anchors: slug_strategy("anchors", &mut errors),
            paths_keep_dates: slug_table
                .and_then(|t| t.get("paths_keep_dates"))
                .and_then(Value::as_bool)
                .unwrap_or(false),
        };

        for (code, options) in languages.iter_mut() {
            for taxonomy in options.taxonomies.iter_mut() {
                taxonomy.slug = slugify_with(&taxonomy.name, slugify.paths);
                taxonomy.lang = code.clone();
            }
        }

        let md = raw.get("markdown").and_then(Value::as_object);
        let md_flag = |key: &str| {
            md.and_then(|m| m.get(key))
                .and_then(Value::as_bool)
                .unwrap_or(false)
        };
        let markdown = MarkdownConfig {
            highlight_code: md.is_some_and(|m| m.contains_key("highlighting"))
                || md_flag("highlight_code"),
            smart_punctuation: md_flag("smart_punctuation"),
            definition_list: md_flag("definition_list"),
            external_links_target_blank: md_flag("external_links_target_blank"),
            external_links_no_follow: md_flag("external_links_no_follow"),
            external_links_no_referrer: md_flag("external_links_no_referrer"),
            bottom_footnotes: md_flag("bottom_footnotes"),
        };

        let feed_limit = match raw.get("feed_limit") {
            None => None,
            Some(v) => match v.as_u64() {
                Some(n) => Some(n as usize),
                None => {
                    errors.push(
                        Diagnostic::new(file, "expected a positive whole number")
                            .line(find_line("feed_limit"))
                            .field("feed_limit"),
                    );
                    None
                }
            },
        };

        let mut config = Config {
            base_url: base_url.trim_end_matches('/').to_string(),
            title: None,
            description: None,
            author: string("author", &mut errors),
            default_language,
            languages,
            generate_sitemap: boolean("generate_sitemap", true, &mut errors),
            generate_robots_txt: boolean("generate_robots_txt", true, &mut errors),
            feed_limit,
            theme: string("theme", &mut errors),
            output_dir: string("output_dir", &mut errors).unwrap_or_else(|| "public".into()),
            markdown,
            slugify,
            extra: raw.get("extra").cloned().unwrap_or_else(|| json!({})),
            raw,
            serialized: BTreeMap::new(),
        };
        let default = config.default_options().clone();
        config.title = default.title;
        config.description = default.description;
        config.serialize_all();
        errors.into_result(config)
    }

    /// Takes what the theme's `theme.toml` (text `text`, named `file` in
    /// errors) gives the site, the site's own values winning: its `[extra]`,
    /// merged table by table into the site's as Zola does; and, beyond
    /// Zola, its `[translations]` and `[languages.<code>.translations]`, the
    /// theme's own strings, used for every key the site does not translate.
    pub fn add_theme(&mut self, text: &str, file: &Path) -> Result<()> {
        let table: toml::Table =
            toml::from_str(text).map_err(|e| toml_diagnostic(file, text, &e))?;
        let theme = serde_json::to_value(&table).unwrap_or_default();
        if let Some(extra) = theme.get("extra") {
            merge_missing(&mut self.extra, extra);
        }
        let strings = |value: Option<&Value>| -> Result<BTreeMap<String, String>> {
            match value {
                None => Ok(BTreeMap::new()),
                Some(v) => serde_json::from_value(v.clone()).map_err(|_| {
                    Diagnostic::new(file, "expected a table of key = \"text\"")
                        .field("translations")
                        .into()
                }),
            }
        };
        let default_language = self.default_language.clone();
        for (code, options) in self.languages.iter_mut() {
            let theirs = if *code == default_language {
                strings(theme.get("translations"))?
            } else {
                strings(theme.pointer(&format!("/languages/{code}/translations")))?
            };
            for (key, text) in theirs {
                options.translations.entry(key).or_insert(text);
            }
        }
        self.serialize_all();
        Ok(())
    }

    /// A configuration with defaults only, for tests and `init`.
    pub fn with_base_url(base_url: &str) -> Config {
        Config::parse(
            &format!("base_url = {base_url:?}\n"),
            Path::new("config.toml"),
        )
        .expect("a minimal configuration parses")
    }

    pub fn default_options(&self) -> &LanguageOptions {
        &self.languages[&self.default_language]
    }

    pub fn language(&self, lang: &str) -> &LanguageOptions {
        self.languages
            .get(lang)
            .unwrap_or_else(|| self.default_options())
    }

    pub fn is_multilingual(&self) -> bool {
        self.languages.len() > 1
    }

    pub fn other_languages(&self) -> impl Iterator<Item = &str> {
        self.languages
            .keys()
            .map(String::as_str)
            .filter(move |l| *l != self.default_language)
    }

    pub fn taxonomies(&self, lang: &str) -> &[TaxonomyConfig] {
        &self.language(lang).taxonomies
    }

    pub fn feed_filenames(&self, lang: &str) -> &[String] {
        &self.language(lang).feed_filenames
    }

    /// Zola's permalink rule: base URL + path, with a trailing slash unless
    /// the path names a feed file or is empty.
    pub fn make_permalink(&self, path: &str) -> String {
        let is_feed = self
            .languages
            .values()
            .any(|l| l.feed_filenames.iter().any(|f| path.ends_with(f.as_str())));
        let trailing = if path.ends_with('/') || path.is_empty() || is_feed {
            ""
        } else {
            "/"
        };
        let path = path.trim_start_matches('/');
        if path.is_empty() {
            format!("{}/", self.base_url)
        } else {
            format!("{}/{}{}", self.base_url, path, trailing)
        }
    }

    /// `config` as the templates see it in `lang`.
    pub fn serialized(&self, lang: &str) -> &Value {
        self.serialized
            .get(lang)
            .unwrap_or_else(|| &self.serialized[&self.default_language])
    }

    fn serialize_all(&mut self) {
        let mut languages = Map::new();
        for (code, options) in &self.languages {
            if *code != self.default_language {
                languages.insert(
                    code.clone(),
                    serde_json::to_value(options).unwrap_or(Value::Null),
                );
            }
        }
        for (code, options) in &self.languages {
            let mut map = self.raw.clone();
            map.insert("base_url".into(), json!(self.base_url));
            map.insert("mode".into(), json!("build"));
            map.insert(
                "title".into(),
                json!(options
                    .title
                    .clone()
                    .or_else(|| self.default_options().title.clone())),
            );
            map.insert(
                "description".into(),
                json!(options
                    .description
                    .clone()
                    .or_else(|| self.default_options().description.clone())),
            );
            map.insert("default_language".into(), json!(self.default_language));
            map.insert("languages".into(), Value::Object(languages.clone()));
            map.insert("generate_feeds".into(), json!(options.generate_feeds));
            map.insert("feed_filenames".into(), json!(options.feed_filenames));
            map.insert(
                "taxonomies".into(),
                serde_json::to_value(&options.taxonomies).unwrap_or_default(),
            );
            map.insert("author".into(), json!(self.author));
            map.insert(
                "build_search_index".into(),
                json!(options.build_search_index),
            );
            map.insert("generate_sitemap".into(), json!(self.generate_sitemap));
            map.insert(
                "generate_robots_txt".into(),
                json!(self.generate_robots_txt),
            );
            map.insert("extra".into(), self.extra.clone());
            map.entry("markdown").or_insert_with(|| json!({}));
            map.remove("translations");
            self.serialized.insert(code.clone(), Value::Object(map));
        }
    }
}

/// Adds to `ours` what `theirs` has and it lacks, table by table.
fn merge_missing(ours: &mut Value, theirs: &Value) {
    if let (Value::Object(ours), Value::Object(theirs)) = (ours, theirs) {
        for (key, value) in theirs {
            match ours.get_mut(key) {
                Some(mine) => merge_missing(mine, value),
                None => {
                    ours.insert(key.clone(), value.clone());
                }
            }
        }
    }
}

fn toml_diagnostic(file: &Path, text: &str, err: &toml::de::Error) -> Diagnostic {
    let message = err.message().to_string();
    match err.span() {
        Some(span) => {
            let (line, column) = line_col(text, span.start);
            Diagnostic::new(file, message).at(line, Some(column))
        }
        None => Diagnostic::new(file, message),
    }
}

/// Best-effort line of `key = ` or `[key]` in a TOML text, for errors found
/// after parsing.
pub fn find_key_line(text: &str, key: &str) -> Option<usize> {
    let last = key.rsplit('.').next().unwrap_or(key);
    text.lines()
        .position(|l| {
            let t = l.trim_start();
            (t.starts_with(last) && t[last.len()..].trim_start().starts_with('='))
                || t.starts_with(&format!("[{last}]"))
                || t.starts_with(&format!("[{key}]"))
                || t.contains(&format!(".{last}]"))
        })
        .map(|i| i + 1)
}

impl Config {
    /// Replaces `base_url` (e.g. for `serve` or `--base-url`).
    pub fn set_base_url(&mut self, url: &str) {
        self.base_url = url.trim_end_matches('/').to_string();
        self.serialize_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permalinks_follow_zola() {
        let c = Config::with_base_url("https://ex.org/");
        assert_eq!(c.make_permalink("/"), "https://ex.org/");
        assert_eq!(c.make_permalink("/blog/"), "https://ex.org/blog/");
        assert_eq!(c.make_permalink("style.css"), "https://ex.org/style.css/");
        assert_eq!(c.make_permalink("atom.xml"), "https://ex.org/atom.xml");
    }

    #[test]
    fn a_theme_gives_its_extra_and_strings_and_the_site_keeps_its_own() {
        let mut c = Config::parse(
            "base_url = \"x\"\ndefault_language = \"fr\"\n[extra.map]\nzoom = 7\n\
             [translations]\nmeetups = \"Rendez-vous\"\n[languages.en]\n",
            Path::new("config.toml"),
        )
        .unwrap();
        c.add_theme(
            "[extra.map]\nzoom = 6\ncenter = [46.6, 2.4]\n[extra.vendor]\na = \"b\"\n\
             [translations]\nmeetups = \"Rencontres\"\nmap = \"Carte\"\n\
             [languages.en.translations]\nmap = \"Map\"\n",
            Path::new("themes/t/theme.toml"),
        )
        .unwrap();
        // Zola merges the theme's [extra] under the site's, table by table.
        assert_eq!(c.extra["map"]["zoom"], 7);
        assert_eq!(c.extra["map"]["center"][1], 2.4);
        assert_eq!(c.extra["vendor"]["a"], "b");
        assert_eq!(c.serialized("fr")["extra"]["vendor"]["a"], "b");
        // The theme's strings fill what the site does not translate.
        assert_eq!(c.language("fr").translations["meetups"], "Rendez-vous");
        assert_eq!(c.language("fr").translations["map"], "Carte");
        assert_eq!(c.language("en").translations["map"], "Map");
    }

    #[test]
    fn reports_bad_keys_with_lines() {
        let err = Config::parse(
            "base_url = \"x\"\ntitle = 3\ngenerate_feed = true\n",
            Path::new("config.toml"),
        )
        .unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("config.toml:2: `title`: expected a string"),
            "{text}"
        );
        assert!(text.contains("config.toml:3: `generate_feed`"), "{text}");
    }

    #[test]
    fn syntax_errors_have_positions() {
        let err =
            Config::parse("base_url = \"x\"\ntitle = \n", Path::new("config.toml")).unwrap_err();
        assert!(err.0[0].line == Some(2), "{err}");
    }
}
