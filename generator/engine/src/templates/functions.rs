//! Zola's global functions for templates.
//!
//! Two groups: those that only need the configuration and files
//! (`get_url`, `load_data`, `trans`, `get_hash`, `now`), registered before
//! Markdown is rendered so shortcodes can use them, and those that read the
//! site model (`get_page`, `get_section`, `get_taxonomy`,
//! `get_taxonomy_url`, `get_taxonomy_term`), registered once it is built.
//! The latter return values serialised once per build, never rebuilt per call.

use std::collections::{BTreeMap, HashMap};
use std::hash::BuildHasherDefault;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};

use ahash::AHasher;
use base64::Engine as _;
use serde_json::{json, Map};
use sha2::{Digest, Sha256, Sha384, Sha512};
use tera::{Error, Function, Result, Tera, Value};

use crate::config::Config;
use crate::render::trace::{self, Fingerprint, NotedCall};
use crate::site::Library;
use crate::slugs::slugify_with;

fn string_arg(args: &HashMap<String, Value>, name: &str, function: &str) -> Result<String> {
    str_arg(args, name, function).map(str::to_string)
}

fn str_arg<'a>(args: &'a HashMap<String, Value>, name: &str, function: &str) -> Result<&'a str> {
    match args.get(name) {
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(Error::msg(format!(
            "`{function}`: `{name}` must be a string, found {other}"
        ))),
        None => Err(Error::msg(format!(
            "`{function}` needs a `{name}` argument"
        ))),
    }
}

fn opt_string(args: &HashMap<String, Value>, name: &str) -> Option<String> {
    args.get(name).and_then(Value::as_str).map(str::to_string)
}

fn opt_bool(args: &HashMap<String, Value>, name: &str, default: bool) -> bool {
    args.get(name).and_then(Value::as_bool).unwrap_or(default)
}

/// Registers the functions that do not need the site model.
pub fn register_early(
    tera: &mut Tera,
    config: Arc<Config>,
    root: &Path,
    permalinks: Arc<BTreeMap<String, String>>,
) {
    remembered(
        tera,
        "get_url",
        GetUrl {
            config: config.clone(),
            root: root.to_path_buf(),
            permalinks,
            hashes: Mutex::default(),
        },
    );
    traced(
        tera,
        "load_data",
        LoadData {
            root: root.to_path_buf(),
            cache: Mutex::default(),
        },
    );
    // Neither traced nor remembered: its result depends on the
    // configuration alone, which keys every trace, and it costs less than
    // a lookup among remembered calls. Pages call it dozens of times.
    tera.register_function(
        "trans",
        Trans {
            config: config.clone(),
        },
    );
    traced(
        tera,
        "get_hash",
        GetHash {
            root: root.to_path_buf(),
            theme: config.theme.clone(),
        },
    );
    tera.register_function("now", Uncheckable(now));
}

/// Registers `resize_image` and `get_image_metadata`, which queue work for
/// `images` and read image files.
pub fn register_images(tera: &mut Tera, images: Arc<crate::images::ImageProcessor>) {
    tera.register_function("resize_image", Uncheckable(ResizeImage(images.clone())));
    tera.register_function("get_image_metadata", Uncheckable(GetImageMetadata(images)));
}

struct ResizeImage(Arc<crate::images::ImageProcessor>);

impl Function for ResizeImage {
    fn call(&self, args: &HashMap<String, Value>) -> Result<Value> {
        let path = string_arg(args, "path", "resize_image")?;
        let number = |name: &str| -> Result<Option<u32>> {
            match args.get(name) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => v
                    .as_u64()
                    .and_then(|n| u32::try_from(n).ok())
                    .map(Some)
                    .ok_or_else(|| {
                        Error::msg(format!(
                            "`resize_image`: `{name}` must be a positive whole number"
                        ))
                    }),
            }
        };
        let small = |name: &str| -> Result<Option<u8>> {
            number(name)?
                .map(|n| {
                    u8::try_from(n).map_err(|_| {
                        Error::msg(format!("`resize_image`: `{name}` must be at most 100"))
                    })
                })
                .transpose()
        };
        let op = opt_string(args, "op").unwrap_or_else(|| "fill".into());
        let format = opt_string(args, "format").unwrap_or_else(|| "auto".into());
        let op = crate::images::ResizeOp::from_args(&op, number("width")?, number("height")?)
            .map_err(|m| Error::msg(format!("`resize_image`: {m}")))?;
        self.0
            .resize(&path, op, &format, small("quality")?, small("speed")?)
            .map_err(|m| Error::msg(format!("`resize_image`: {m}")))
    }
}

struct GetImageMetadata(Arc<crate::images::ImageProcessor>);

impl Function for GetImageMetadata {
    fn call(&self, args: &HashMap<String, Value>) -> Result<Value> {
        let path = string_arg(args, "path", "get_image_metadata")?;
        self.0
            .metadata(&path, opt_bool(args, "allow_missing", false))
            .map_err(|m| Error::msg(format!("`get_image_metadata`: {m}")))
    }
}

/// The functions [`register_late`] registers: what they return changes
/// with the content.
pub const LIBRARY_FUNCTIONS: [&str; 5] = [
    "get_page",
    "get_section",
    "get_taxonomy",
    "get_taxonomy_url",
    "get_taxonomy_term",
];

/// Registers the functions that read the built site.
pub fn register_late(tera: &mut Tera, library: Arc<Library>) {
    traced(tera, "get_page", GetPage(library.clone()));
    traced(tera, "get_section", GetSection(library.clone()));
    traced(tera, "get_taxonomy", GetTaxonomy(library.clone()));
    traced(tera, "get_taxonomy_url", GetTaxonomyUrl(library.clone()));
    traced(tera, "get_taxonomy_term", GetTaxonomyTerm(library));
}

/// Registers `function`, its calls and results noted in the render's trace
/// ([`crate::render::trace`]): a page is kept only while they return the same.
fn traced(tera: &mut Tera, name: &'static str, function: impl Function + 'static) {
    tera.register_function(
        name,
        Traced {
            name,
            function,
            results: None,
        },
    );
}

/// Registers `function` as [`traced`] does, its results also remembered:
/// for `get_url`, which every page calls many times with the same
/// arguments.
fn remembered(tera: &mut Tera, name: &'static str, function: impl Function + 'static) {
    tera.register_function(
        name,
        Traced {
            name,
            function,
            results: Some(Results::default()),
        },
    );
}

struct Traced<F> {
    name: &'static str,
    function: F,
    results: Option<Results>,
}

impl<F: Function> Function for Traced<F> {
    fn call(&self, args: &HashMap<String, Value>) -> Result<Value> {
        let Some(results) = &self.results else {
            let result = self.function.call(args)?;
            trace::note_call(self.name, args, &result);
            return Ok(result);
        };
        let key = trace::fingerprint_args(args);
        if let Some(value) = results.get(key, args) {
            return Ok(value);
        }
        let result = self.function.call(args)?;
        let noted = Arc::new(NotedCall::of(self.name, args, &result));
        trace::note_noted(&noted);
        results.keep(key, args, &result, noted);
        Ok(result)
    }
    fn is_safe(&self) -> bool {
        self.function.is_safe()
    }
}

/// The results of a function by the fingerprint of its arguments, with
/// their trace notes.
#[derive(Default)]
struct Results(RwLock<HashMap<Fingerprint, Vec<Remembered>, BuildHasherDefault<AHasher>>>);

struct Remembered {
    args: Vec<(String, Value)>,
    result: Value,
    noted: Arc<NotedCall>,
}

impl Remembered {
    /// Whether `args` are the arguments remembered: a call has a few, so
    /// a scan costs less than hashing them again.
    fn has_args(&self, args: &HashMap<String, Value>) -> bool {
        self.args.len() == args.len()
            && args
                .iter()
                .all(|arg| self.args.iter().any(|(name, value)| (name, value) == arg))
    }
}

impl Results {
    /// Calls remembered at most: a template that makes a new call on every
    /// page (a link to each page) gains nothing from keeping them.
    const MAX: usize = 4096;

    /// The result of a call made before, noted in the render's trace.
    fn get(&self, key: Fingerprint, args: &HashMap<String, Value>) -> Option<Value> {
        let results = self.0.read().unwrap_or_else(|e| e.into_inner());
        let found = results.get(&key)?.iter().find(|r| r.has_args(args))?;
        trace::note_noted(&found.noted);
        Some(found.result.clone())
    }

    fn keep(
        &self,
        key: Fingerprint,
        args: &HashMap<String, Value>,
        result: &Value,
        noted: Arc<NotedCall>,
    ) {
        let mut results = self.0.write().unwrap_or_else(|e| e.into_inner());
        if results.len() < Self::MAX {
            results.entry(key).or_default().push(Remembered {
                args: args.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                result: result.clone(),
                noted,
            });
        }
    }
}

/// A function whose result cannot be checked again (the clock, images
/// queued for encoding): a render that calls it is rendered every time.
struct Uncheckable<F>(F);

impl<F: Function> Function for Uncheckable<F> {
    fn call(&self, args: &HashMap<String, Value>) -> Result<Value> {
        trace::note_volatile();
        self.0.call(args)
    }
    fn is_safe(&self) -> bool {
        self.0.is_safe()
    }
}

/// `now(timestamp=false, utc=false)`, from the project's one clock
/// (`MAILLAGE_NOW` pins it).
fn now(args: &HashMap<String, Value>) -> Result<Value> {
    let instant = maillage_model::clock::now();
    if opt_bool(args, "timestamp", false) {
        return Ok(Value::from(instant.timestamp()));
    }
    if opt_bool(args, "utc", false) {
        Ok(Value::String(instant.to_rfc3339()))
    } else {
        Ok(Value::String(
            instant.with_timezone(&chrono::Local).to_rfc3339(),
        ))
    }
}

struct GetUrl {
    config: Arc<Config>,
    root: PathBuf,
    permalinks: Arc<BTreeMap<String, String>>,
    hashes: Mutex<HashMap<String, String>>,
}

impl Function for GetUrl {
    fn call(&self, args: &HashMap<String, Value>) -> Result<Value> {
        let path = str_arg(args, "path", "get_url")?;
        let lang = args
            .get("lang")
            .and_then(Value::as_str)
            .unwrap_or(&self.config.default_language);
        let trailing_slash = opt_bool(args, "trailing_slash", false);
        let cachebust = opt_bool(args, "cachebust", false);
        if let Some(target) = path.strip_prefix("@/") {
            let (file, anchor) = match target.split_once('#') {
                Some((f, a)) => (f, Some(a)),
                None => (target, None),
            };
            let file = if lang != self.config.default_language {
                match file.strip_suffix(".md") {
                    Some(stem) if !stem.ends_with(&format!(".{lang}")) => {
                        format!("{stem}.{lang}.md")
                    }
                    _ => file.to_string(),
                }
            } else {
                file.to_string()
            };
            return match self.permalinks.get(&file) {
                Some(p) => Ok(Value::String(match anchor {
                    Some(a) => format!("{p}#{a}"),
                    None => p.clone(),
                })),
                None => Err(Error::msg(format!(
                    "`get_url`: could not find content/{file} for link `{path}`"
                ))),
            };
        }
        if path.starts_with("http://") || path.starts_with("https://") {
            return Ok(Value::String(path.to_string()));
        }
        let with_lang = if lang != self.config.default_language {
            format!("{lang}/{}", path.trim_start_matches('/'))
        } else {
            path.trim_start_matches('/').to_string()
        };
        let mut permalink = self.config.make_permalink(&with_lang);
        if !trailing_slash && permalink.ends_with('/') && !with_lang.is_empty() {
            permalink.pop();
        }
        if cachebust {
            let hash = {
                let mut hashes = self.hashes.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(h) = hashes.get(&with_lang) {
                    h.clone()
                } else {
                    let file =
                        find_static_file(&self.root, self.config.theme.as_deref(), &with_lang)
                            .ok_or_else(|| {
                                Error::msg(format!(
                                    "`get_url`: cannot cachebust `{path}`: no such static file"
                                ))
                            })?;
                    let bytes =
                        std::fs::read(&file).map_err(|e| Error::msg(format!("`get_url`: {e}")))?;
                    let h = format!("{:x}", Sha256::digest(&bytes));
                    hashes.insert(with_lang.clone(), h.clone());
                    h
                }
            };
            permalink = format!("{permalink}?h={}", &hash[..20]);
        }
        Ok(Value::String(permalink))
    }
    fn is_safe(&self) -> bool {
        true
    }
}

/// A file as the site serves it: the site's `static/`, the theme's
/// `static/`, or a path from the site root; never a path that climbs out
/// of the site folder with `..`.
fn find_static_file(root: &Path, theme: Option<&str>, path: &str) -> Option<PathBuf> {
    let path = crate::files::resolve_within(path)?.join("/");
    let mut candidates = vec![root.join("static").join(&path)];
    if let Some(theme) = theme {
        candidates.push(root.join("themes").join(theme).join("static").join(&path));
    }
    candidates.push(root.join(&path));
    candidates.push(root.join("content").join(&path));
    candidates.into_iter().find(|p| p.is_file())
}

struct LoadData {
    root: PathBuf,
    cache: Mutex<HashMap<(String, String), Value>>,
}

impl Function for LoadData {
    fn call(&self, args: &HashMap<String, Value>) -> Result<Value> {
        if args.contains_key("url") {
            return Err(Error::msg("`load_data`: remote `url` is not supported; save the file in the site and use `path`"));
        }
        let path = string_arg(args, "path", "load_data")?;
        let required = opt_bool(args, "required", true);
        // Files of the site only, as in Zola: `..` does not climb out.
        let p = crate::files::resolve_within(&path)
            .ok_or_else(|| Error::msg(format!("`load_data`: `{path}` is outside the site folder")))?
            .join("/");
        let file = {
            [
                self.root.join(&p),
                self.root.join("content").join(&p),
                self.root.join("static").join(&p),
            ]
            .into_iter()
            .find(|c| c.is_file())
        };
        let Some(file) = file else {
            return if required {
                Err(Error::msg(format!("`load_data`: file `{path}` not found")))
            } else {
                Ok(Value::Null)
            };
        };
        let format = opt_string(args, "format").unwrap_or_else(|| {
            match file.extension().and_then(|e| e.to_str()).unwrap_or("") {
                "toml" => "toml",
                "json" | "geojson" => "json",
                "csv" => "csv",
                "yaml" | "yml" => "yaml",
                _ => "plain",
            }
            .to_string()
        });
        let key = (file.to_string_lossy().to_string(), format.clone());
        if let Some(v) = self
            .cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
        {
            return Ok(v.clone());
        }
        let text = crate::files::read_text(&file)
            .map_err(|e| Error::msg(format!("`load_data`: {path}: {e}")))?;
        let value = parse_data(&text, &format)
            .map_err(|e| Error::msg(format!("`load_data`: {path}: {e}")))?;
        self.cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, value.clone());
        Ok(value)
    }
}

/// Parses data the way `load_data` returns it.
pub fn parse_data(text: &str, format: &str) -> std::result::Result<Value, String> {
    match format {
        "toml" => {
            let table: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
            let mut v = serde_json::to_value(table).map_err(|e| e.to_string())?;
            crate::content::front_matter::normalize_extra(&mut v);
            Ok(v)
        }
        "json" => serde_json::from_str(text).map_err(|e| e.to_string()),
        "yaml" => match crate::nesting::too_deep_yaml(text) {
            Some((line, column)) => Err(format!(
                "line {line} column {column}: {}",
                crate::nesting::too_deep_message()
            )),
            None => serde_yaml::from_str(text).map_err(|e| e.to_string()),
        },
        "csv" => {
            let mut reader = csv::ReaderBuilder::new()
                .has_headers(true)
                .from_reader(text.as_bytes());
            let headers: Vec<Value> = reader
                .headers()
                .map_err(|e| e.to_string())?
                .iter()
                .map(|h| Value::String(h.to_string()))
                .collect();
            let mut records = Vec::new();
            for record in reader.records() {
                let record = record.map_err(|e| e.to_string())?;
                records.push(Value::Array(
                    record
                        .iter()
                        .map(|f| Value::String(f.to_string()))
                        .collect(),
                ));
            }
            Ok(json!({ "headers": headers, "records": records }))
        }
        "plain" => Ok(Value::String(text.to_string())),
        other => Err(format!(
            "unknown format `{other}`: expected toml, json, yaml, csv or plain"
        )),
    }
}

struct Trans {
    config: Arc<Config>,
}

impl Function for Trans {
    fn call(&self, args: &HashMap<String, Value>) -> Result<Value> {
        // Called dozens of times per page: the arguments are borrowed.
        let key = str_arg(args, "key", "trans")?;
        let lang = args
            .get("lang")
            .and_then(Value::as_str)
            .unwrap_or(&self.config.default_language);
        let options = self.config.languages.get(lang).ok_or_else(|| {
            Error::msg(format!("`trans`: language `{lang}` is not in config.toml"))
        })?;
        match options.translations.get(key) {
            Some(text) => Ok(Value::String(text.clone())),
            None => Err(Error::msg(format!(
                "`trans`: no translation of `{key}` for language `{lang}`"
            ))),
        }
    }
    fn is_safe(&self) -> bool {
        true
    }
}

struct GetHash {
    root: PathBuf,
    theme: Option<String>,
}

impl Function for GetHash {
    fn call(&self, args: &HashMap<String, Value>) -> Result<Value> {
        let bytes = match (opt_string(args, "path"), opt_string(args, "literal")) {
            (Some(path), None) => {
                let file = find_static_file(&self.root, self.theme.as_deref(), &path)
                    .ok_or_else(|| Error::msg(format!("`get_hash`: file `{path}` not found")))?;
                std::fs::read(file).map_err(|e| Error::msg(format!("`get_hash`: {e}")))?
            }
            (None, Some(literal)) => literal.into_bytes(),
            _ => return Err(Error::msg("`get_hash` needs either `path` or `literal`")),
        };
        let sha_type = args.get("sha_type").and_then(Value::as_u64).unwrap_or(384);
        let digest: Vec<u8> = match sha_type {
            256 => Sha256::digest(&bytes).to_vec(),
            384 => Sha384::digest(&bytes).to_vec(),
            512 => Sha512::digest(&bytes).to_vec(),
            other => {
                return Err(Error::msg(format!(
                    "`get_hash`: `sha_type` must be 256, 384 or 512, not {other}"
                )))
            }
        };
        if opt_bool(args, "base64", true) {
            Ok(Value::String(
                base64::engine::general_purpose::STANDARD.encode(digest),
            ))
        } else {
            Ok(Value::String(
                digest.iter().map(|b| format!("{b:02x}")).collect(),
            ))
        }
    }
}

struct GetPage(Arc<Library>);

impl Function for GetPage {
    fn call(&self, args: &HashMap<String, Value>) -> Result<Value> {
        let path = string_arg(args, "path", "get_page")?;
        let lang = opt_string(args, "lang");
        let path = with_lang(&path, lang.as_deref(), &self.0.config.default_language);
        match self.0.page_index.get(path.trim_start_matches('/')) {
            Some(&i) => Ok(self.0.page_value(i)),
            None => Err(Error::msg(format!("`get_page`: page `{path}` not found"))),
        }
    }
}

fn with_lang(path: &str, lang: Option<&str>, default: &str) -> String {
    match lang {
        Some(l) if l != default => match path.rsplit_once('.') {
            Some((stem, ext)) => format!("{stem}.{l}.{ext}"),
            None => format!("{path}.{l}"),
        },
        _ => path.to_string(),
    }
}

struct GetSection(Arc<Library>);

impl Function for GetSection {
    fn call(&self, args: &HashMap<String, Value>) -> Result<Value> {
        let path = string_arg(args, "path", "get_section")?;
        let lang = opt_string(args, "lang");
        let metadata_only = opt_bool(args, "metadata_only", false);
        let path = with_lang(&path, lang.as_deref(), &self.0.config.default_language);
        match self.0.section_index.get(path.trim_start_matches('/')) {
            Some(&i) if metadata_only => Ok(self.0.values.sections_meta[i].clone()),
            Some(&i) => {
                use super::section_fields::{PAGES_READ, PAGE_FIELDS};
                let fields: Option<Vec<String>> = args
                    .get(PAGE_FIELDS)
                    .and_then(|v| serde_json::from_value(v.clone()).ok());
                let reach = args.get(PAGES_READ).and_then(Value::as_u64);
                let reach = reach.and_then(|n| usize::try_from(n).ok());
                Ok(self.0.section_listing(i, fields.as_deref(), reach))
            }
            None => Err(Error::msg(format!(
                "`get_section`: section `{path}` not found"
            ))),
        }
    }
}

struct GetTaxonomy(Arc<Library>);

impl Function for GetTaxonomy {
    fn call(&self, args: &HashMap<String, Value>) -> Result<Value> {
        let kind = string_arg(args, "kind", "get_taxonomy")?;
        let lang =
            opt_string(args, "lang").unwrap_or_else(|| self.0.config.default_language.clone());
        match self.0.find_taxonomy(&kind, &lang) {
            Some(t) => Ok(self
                .0
                .taxonomy_value(t, !opt_bool(args, super::term_pages::WITHOUT_PAGES, false))),
            None if !opt_bool(args, "required", true) => Ok(Value::Null),
            None => Err(Error::msg(format!(
                "`get_taxonomy`: unknown taxonomy `{kind}`"
            ))),
        }
    }
}

struct GetTaxonomyUrl(Arc<Library>);

impl Function for GetTaxonomyUrl {
    fn call(&self, args: &HashMap<String, Value>) -> Result<Value> {
        let kind = string_arg(args, "kind", "get_taxonomy_url")?;
        let name = string_arg(args, "name", "get_taxonomy_url")?;
        let lang =
            opt_string(args, "lang").unwrap_or_else(|| self.0.config.default_language.clone());
        let Some(t) = self.0.find_taxonomy(&kind, &lang) else {
            if !opt_bool(args, "required", true) {
                return Ok(Value::Null);
            }
            return Err(Error::msg(format!(
                "`get_taxonomy_url`: unknown taxonomy `{kind}`"
            )));
        };
        let slug = slugify_with(&name, self.0.config.slugify.taxonomies);
        match self.0.taxonomies[t].term_by_slug.get(&slug) {
            Some(&term) => Ok(Value::String(
                self.0.taxonomies[t].items[term].permalink.clone(),
            )),
            None => Err(Error::msg(format!(
                "`get_taxonomy_url`: no term `{name}` in taxonomy `{kind}`"
            ))),
        }
    }
    fn is_safe(&self) -> bool {
        true
    }
}

struct GetTaxonomyTerm(Arc<Library>);

impl Function for GetTaxonomyTerm {
    fn call(&self, args: &HashMap<String, Value>) -> Result<Value> {
        let kind = string_arg(args, "kind", "get_taxonomy_term")?;
        let term = string_arg(args, "term", "get_taxonomy_term")?;
        let lang =
            opt_string(args, "lang").unwrap_or_else(|| self.0.config.default_language.clone());
        let include_pages = opt_bool(args, "include_pages", true);
        let required = opt_bool(args, "required", true);
        let found = self.0.find_taxonomy(&kind, &lang).and_then(|t| {
            self.0.taxonomies[t]
                .items
                .iter()
                .position(|i| i.name == term)
                .map(|i| (t, i))
        });
        match found {
            Some((t, i)) => Ok(self.0.term_value(t, i, include_pages)),
            None if !required => Ok(Value::Null),
            None => Err(Error::msg(format!(
                "`get_taxonomy_term`: no term `{term}` in taxonomy `{kind}`"
            ))),
        }
    }
}

/// An empty object, for contexts that need one.
pub fn empty() -> Value {
    Value::Object(Map::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::trace;

    #[test]
    fn a_remembered_call_is_noted_in_every_render_that_makes_it() {
        let mut tera = Tera::default();
        tera.add_raw_template(
            "t",
            "{{ get_url(path='a/', trailing_slash=true) }} {{ get_url(path='a/') }} \
             {{ get_url(trailing_slash=true, path='a/') }}",
        )
        .unwrap();
        let config = Arc::new(Config::with_base_url("https://ex.org"));
        register_early(&mut tera, config, Path::new("."), Arc::default());
        let render = || tera.render("t", &tera::Context::new()).unwrap();
        let (first, noted_first) = trace::recording(render);
        let (second, noted_second) = trace::recording(render);
        assert_eq!(
            first,
            "https://ex.org/a/ https://ex.org/a https://ex.org/a/"
        );
        assert_eq!(second, first);
        for noted in [&noted_first, &noted_second] {
            let calls: Vec<(&str, &str)> = noted
                .calls
                .iter()
                .map(|c| (c.call().function.as_str(), c.call().args.as_str()))
                .collect();
            assert_eq!(
                calls,
                [
                    ("get_url", r#"{"path":"a/","trailing_slash":true}"#),
                    ("get_url", r#"{"path":"a/"}"#),
                    ("get_url", r#"{"path":"a/","trailing_slash":true}"#),
                ]
            );
        }
    }
}
