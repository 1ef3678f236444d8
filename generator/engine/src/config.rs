//! `config.toml`: Zola's keys, read once, then serialised once per language
//! for the templates.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::error::{line_col, Diagnostic, Diagnostics, Result};
use crate::slugs::{slugify_with, SlugStrategy};

/// The top-level keys of Zola 0.22's configuration.
const TOP_LEVEL_KEYS: &[&str] = &[
    "base_url",
    "theme",
    "title",
    "description",
    "default_language",
    "languages",
    "translations",
    "generate_feeds",
    "feed_limit",
    "feed_filenames",
    "hard_link_static",
    "taxonomies",
    "taxonomy_root",
    "author",
    "compile_sass",
    "minify_html",
    "build_search_index",
    "ignored_content",
    "ignored_static",
    "mode",
    "output_dir",
    "preserve_dotfiles_in_output",
    "link_checker",
    "slugify",
    "search",
    "markdown",
    "extra",
    "generate_sitemap",
    "generate_robots_txt",
    "exclude_paginated_pages_in_sitemap",
];

/// The keys of `[markdown]` in Zola 0.22.
const MARKDOWN_KEYS: &[&str] = &[
    "highlighting",
    "render_emoji",
    "external_links_class",
    "external_links_target_blank",
    "external_links_no_follow",
    "external_links_no_referrer",
    "external_links_external",
    "smart_punctuation",
    "definition_list",
    "bottom_footnotes",
    "lazy_async_image",
    "insert_anchor_links",
    "github_alerts",
    // Maillage's own: French spacing (`markdown::typography`).
    "french_spacing",
];

/// One taxonomy as declared in `taxonomies = [...]`.
/// Unknown keys are ignored, as Zola ignores them (older sites still carry
/// `lang` or `rss`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TaxonomyConfig {
    pub name: String,
    #[serde(skip_deserializing)]
    pub slug: String,
    pub paginate_by: Option<usize>,
    pub paginate_path: Option<String>,
    pub render: bool,
    pub feed: bool,
    #[serde(skip)]
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
#[serde(default, deny_unknown_fields)]
pub struct LanguageOptions {
    pub title: Option<String>,
    pub description: Option<String>,
    pub generate_feeds: bool,
    pub feed_filenames: Vec<String>,
    pub taxonomies: Vec<TaxonomyConfig>,
    pub build_search_index: bool,
    pub search: SearchConfig,
    #[serde(skip_serializing)]
    pub translations: BTreeMap<String, String>,
}

/// The search index's format (`[search] index_format`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndexFormat {
    #[default]
    ElasticlunrJavascript,
    ElasticlunrJson,
    FuseJavascript,
    FuseJson,
}

/// `[search]`: what goes in the search index, and in which format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchConfig {
    pub include_title: bool,
    pub include_description: bool,
    pub include_date: bool,
    pub include_path: bool,
    pub include_content: bool,
    pub truncate_content_length: Option<usize>,
    pub index_format: IndexFormat,
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            include_title: true,
            include_description: false,
            include_date: false,
            include_path: false,
            include_content: true,
            truncate_content_length: None,
            index_format: IndexFormat::default(),
        }
    }
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
            search: SearchConfig::default(),
            translations: BTreeMap::new(),
        }
    }
}

/// Markdown rendering options (`[markdown]`).
#[derive(Debug, Clone, Default)]
pub struct MarkdownConfig {
    /// `[markdown.highlighting]`, when set: code blocks are highlighted.
    pub highlighter: Option<std::sync::Arc<crate::markdown::highlight::Highlighter>>,
    pub smart_punctuation: bool,
    pub definition_list: bool,
    pub external_links_target_blank: bool,
    pub external_links_no_follow: bool,
    pub external_links_no_referrer: bool,
    /// `external_links_external` (on unless set to false): `rel="external"`.
    pub external_links_external: bool,
    /// `external_links_class`: a class on every external link.
    pub external_links_class: Option<String>,
    pub bottom_footnotes: bool,
    /// `french_spacing` (Maillage's own): narrow no-break spaces around
    /// French punctuation in the text of French pages.
    pub french_spacing: bool,
    /// `insert_anchor_links`: the default of sections that do not say.
    pub insert_anchor_links: crate::content::InsertAnchor,
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
    /// `ignored_content`: content files (Markdown and assets) left out.
    pub ignored_content: Option<globset::GlobSet>,
    /// `ignored_static`: static files left out.
    pub ignored_static: Option<globset::GlobSet>,
    /// `compile_sass`.
    pub compile_sass: bool,
    /// The whole file as read, for `config.<anything>` in templates.
    raw: Map<String, Value>,
    /// `config` for templates, one per language.
    serialized: BTreeMap<String, Value>,
}

/// The configuration file names, in the order Zola looks for them.
pub const CONFIG_FILES: [&str; 2] = ["zola.toml", "config.toml"];

/// The site's configuration file: `zola.toml` if there is one (Zola 0.22
/// reads it first), else `config.toml`.
pub fn config_file_name(root: &Path) -> &'static str {
    CONFIG_FILES
        .into_iter()
        .find(|name| root.join(name).is_file())
        .unwrap_or("config.toml")
}

impl Config {
    /// Reads the configuration file at `path`.
    pub fn load(path: &Path, root: &Path) -> Result<Config> {
        let rel = path.strip_prefix(root).unwrap_or(path).to_path_buf();
        let text = crate::files::read_text(path).map_err(|e| {
            Diagnostic::new(&rel, format!("cannot read the site configuration: {e}"))
        })?;
        Config::parse_in(&text, &rel, Some(root))
    }

    /// Parses the text of a `config.toml`; `file` names it in errors.
    pub fn parse(text: &str, file: &Path) -> Result<Config> {
        Config::parse_in(text, file, None)
    }

    /// Parses a configuration whose files (`extra_themes`) are under `root`.
    pub fn parse_in(text: &str, file: &Path, root: Option<&Path>) -> Result<Config> {
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
        // Zola refuses keys it does not know, at the top level and in
        // [markdown]; so do we (the renamed ones are reported above).
        for key in raw.keys() {
            if !TOP_LEVEL_KEYS.contains(&key.as_str())
                && !["generate_feed", "feed_filename"].contains(&key.as_str())
            {
                errors.push(
                    Diagnostic::new(file, "unknown key (site-specific values go in [extra])")
                        .line(find_line(key))
                        .field(key.as_str()),
                );
            }
        }
        if let Some(Value::Object(markdown)) = raw.get("markdown") {
            for key in markdown.keys() {
                if !MARKDOWN_KEYS.contains(&key.as_str()) {
                    let hint = if key == "highlight_code" || key == "highlight_theme" {
                        "unknown key: since Zola 0.22, highlighting is set in [markdown.highlighting]"
                    } else {
                        "unknown key"
                    };
                    errors.push(
                        Diagnostic::new(file, hint)
                            .line(find_line(&format!("markdown.{key}")))
                            .field(format!("markdown.{key}")),
                    );
                }
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
        if let Some(v) = raw.get("search") {
            match serde_json::from_value::<SearchConfig>(v.clone()) {
                Ok(search) => default_options.search = search,
                Err(e) => errors.push(
                    Diagnostic::new(file, e.to_string())
                        .line(find_line("search"))
                        .field("search"),
                ),
            }
        }
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
            match serde_json::from_value::<BTreeMap<String, Map<String, Value>>>(v.clone()) {
                Ok(map) => {
                    for (code, table) in map {
                        let parsed =
                            serde_json::from_value::<LanguageOptions>(Value::Object(table.clone()));
                        let options = match parsed {
                            Ok(options) => options,
                            Err(e) => {
                                errors.push(
                                    Diagnostic::new(file, e.to_string())
                                        .line(find_line(&code))
                                        .field(format!("languages.{code}")),
                                );
                                continue;
                            }
                        };
                        if code == default_language {
                            // Zola merges `[languages.<default>]` into the
                            // top-level options; a key set in both is an error.
                            merge_default_language(
                                &mut default_options,
                                options,
                                &table,
                                &raw,
                                |key| {
                                    errors.push(
                                        Diagnostic::new(
                                            file,
                                            "set both at the top level and in the default language's table",
                                        )
                                        .line(find_line(&code))
                                        .field(format!("languages.{code}.{key}")),
                                    )
                                },
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
        let md_flag_or = |key: &str, default: bool| {
            md.and_then(|m| m.get(key))
                .and_then(Value::as_bool)
                .unwrap_or(default)
        };
        let md_flag = |key: &str| md_flag_or(key, false);
        let markdown = MarkdownConfig {
            highlighter: match md.and_then(|m| m.get("highlighting")) {
                None => None,
                Some(Value::Object(table)) => {
                    match crate::markdown::highlight::Highlighter::from_config(table, root) {
                        Ok(h) => Some(std::sync::Arc::new(h)),
                        Err(message) => {
                            errors.push(
                                Diagnostic::new(file, message)
                                    .line(find_line("markdown.highlighting"))
                                    .field("markdown.highlighting"),
                            );
                            None
                        }
                    }
                }
                Some(_) => {
                    errors.push(
                        Diagnostic::new(file, "expected a table")
                            .line(find_line("markdown.highlighting"))
                            .field("markdown.highlighting"),
                    );
                    None
                }
            },
            smart_punctuation: md_flag("smart_punctuation"),
            definition_list: md_flag("definition_list"),
            external_links_target_blank: md_flag("external_links_target_blank"),
            external_links_no_follow: md_flag("external_links_no_follow"),
            external_links_no_referrer: md_flag("external_links_no_referrer"),
            external_links_external: md_flag_or("external_links_external", true),
            bottom_footnotes: md_flag("bottom_footnotes"),
            french_spacing: md_flag("french_spacing"),
            external_links_class: md
                .and_then(|m| m.get("external_links_class"))
                .and_then(Value::as_str)
                .map(str::to_string),
            insert_anchor_links: match md.and_then(|m| m.get("insert_anchor_links")) {
                None => crate::content::InsertAnchor::None,
                Some(v) => serde_json::from_value(v.clone()).unwrap_or_else(|_| {
                    errors.push(
                        Diagnostic::new(
                            file,
                            "expected \"left\", \"right\", \"heading\" or \"none\"",
                        )
                        .line(find_line("markdown.insert_anchor_links"))
                        .field("markdown.insert_anchor_links"),
                    );
                    crate::content::InsertAnchor::None
                }),
            },
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
            ignored_content: glob_set(&raw, "ignored_content", file, text, &mut errors),
            ignored_static: glob_set(&raw, "ignored_static", file, text, &mut errors),
            compile_sass: boolean("compile_sass", false, &mut errors),
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
        let mut all_languages = Map::new();
        for (code, options) in &self.languages {
            all_languages.insert(
                code.clone(),
                serde_json::to_value(options).unwrap_or(Value::Null),
            );
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
            // As in Zola: every language but the one being rendered.
            let mut languages = all_languages.clone();
            languages.remove(code);
            map.insert("languages".into(), Value::Object(languages));
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

/// The globs of `key` (a list of patterns), as one set; `None` when empty.
fn glob_set(
    raw: &Map<String, Value>,
    key: &str,
    file: &Path,
    text: &str,
    errors: &mut Diagnostics,
) -> Option<globset::GlobSet> {
    let patterns = raw.get(key)?;
    let mut report = |message: String| {
        errors.push(
            Diagnostic::new(file, message)
                .line(find_key_line(text, key))
                .field(key),
        )
    };
    let Ok(patterns) = serde_json::from_value::<Vec<String>>(patterns.clone()) else {
        report("expected a list of glob patterns, e.g. [\"*.xlsx\"]".into());
        return None;
    };
    if patterns.is_empty() {
        return None;
    }
    let mut builder = globset::GlobSetBuilder::new();
    for pattern in &patterns {
        match globset::Glob::new(pattern) {
            Ok(glob) => {
                builder.add(glob);
            }
            Err(e) => report(format!("invalid glob `{pattern}`: {e}")),
        }
    }
    builder.build().ok()
}

/// Moves what `[languages.<default>]` sets into the top-level options, as
/// Zola does; `conflict` is told each key set in both places.
fn merge_default_language(
    base: &mut LanguageOptions,
    table_options: LanguageOptions,
    table: &Map<String, Value>,
    top_level: &Map<String, Value>,
    mut conflict: impl FnMut(&str),
) {
    for key in table.keys() {
        if top_level.contains_key(key) {
            conflict(key);
            continue;
        }
        match key.as_str() {
            "title" => base.title = table_options.title.clone(),
            "description" => base.description = table_options.description.clone(),
            "generate_feeds" => base.generate_feeds = table_options.generate_feeds,
            "feed_filenames" => base.feed_filenames = table_options.feed_filenames.clone(),
            "taxonomies" => base.taxonomies = table_options.taxonomies.clone(),
            "build_search_index" => base.build_search_index = table_options.build_search_index,
            "search" => base.search = table_options.search.clone(),
            "translations" => base.translations = table_options.translations.clone(),
            _ => {}
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

    #[test]
    fn the_default_language_may_have_its_own_table() {
        let c = Config::parse(
            "base_url = \"x\"\ndefault_language = \"fr\"\n[languages.fr]\ntitle = \"Bonjour\"\n[languages.en]\ntitle = \"Hello\"\n",
            Path::new("config.toml"),
        )
        .unwrap();
        assert_eq!(c.title.as_deref(), Some("Bonjour"));
        assert_eq!(c.languages.len(), 2);
        let err = Config::parse(
            "base_url = \"x\"\ntitle = \"a\"\n[languages.en]\ntitle = \"b\"\n",
            Path::new("config.toml"),
        )
        .unwrap_err();
        assert!(err.to_string().contains("`languages.en.title`"), "{err}");
    }

    #[test]
    fn refuses_what_zola_refuses_and_accepts_what_it_accepts() {
        let err = Config::parse(
            "base_url = \"x\"\ncolour = 1\n[markdown]\nhighlight_code = true\n",
            Path::new("config.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("config.toml:2: `colour`: unknown key"),
            "{err}"
        );
        assert!(
            err.contains("config.toml:4: `markdown.highlight_code`")
                && err.contains("[markdown.highlighting]"),
            "{err}"
        );
        let c = Config::parse(
            "base_url = \"x\"\ntaxonomies = [{ name = \"tags\", rss = true, lang = \"en\" }]\n",
            Path::new("config.toml"),
        )
        .unwrap();
        assert_eq!(c.taxonomies("en")[0].name, "tags");
    }

    #[test]
    fn zola_toml_comes_before_config_toml() {
        let dir = std::env::temp_dir().join(format!("maillage-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("config.toml"), "base_url = \"https://a.org\"\n").unwrap();
        assert_eq!(config_file_name(&dir), "config.toml");
        std::fs::write(dir.join("zola.toml"), "base_url = \"https://b.org\"\n").unwrap();
        assert_eq!(config_file_name(&dir), "zola.toml");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
