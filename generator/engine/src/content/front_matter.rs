//! Front matter: TOML between `+++` lines or YAML between `---` lines, with
//! Zola's page and section keys. As in Zola, unknown keys are ignored in a
//! page and refused in a section.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{line_col, Diagnostic};

/// Where the front matter and the body are in a content file.
pub struct Split<'a> {
    pub front: &'a str,
    pub yaml: bool,
    /// 1-based line of the first front matter line.
    pub front_line: usize,
    pub body: &'a str,
    /// 1-based line of the body's first line.
    pub body_line: usize,
}

/// Splits a content file into its front matter and its body.
pub fn split(text: &str) -> Option<Split<'_>> {
    let trimmed = text.trim_start();
    let lead = text.len() - trimmed.len();
    let (fence, yaml) = if trimmed.starts_with("+++") {
        ("+++", false)
    } else if trimmed.starts_with("---") {
        ("---", true)
    } else {
        return None;
    };
    let after_open = lead + 3;
    let first_nl = text[after_open..].find('\n')? + after_open;
    if !text[after_open..first_nl].trim().is_empty() {
        return None;
    }
    let front_start = first_nl + 1;
    // Find the closing fence at the start of a line.
    let mut pos = front_start;
    loop {
        let line_end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let line = &text[pos..line_end];
        if line.trim_end() == fence {
            let front = &text[front_start..pos];
            let body_start = (line_end + 1).min(text.len());
            let front_line = line_col(text, front_start).0;
            let body_line = line_col(text, body_start).0;
            return Some(Split {
                front,
                yaml,
                front_line,
                body: &text[body_start..],
                body_line,
            });
        }
        if line_end >= text.len() {
            return None;
        }
        pos = line_end + 1;
    }
}

/// The 1-based line of `key` in the front matter of `text` (a whole
/// content file, or a TOML file such as config.toml), or, when `value` is
/// given and found on a line from the key's on, of that value (an alias,
/// a taxonomy term): for messages about values read earlier.
pub fn key_line(text: &str, key: &str, value: Option<&str>) -> Option<usize> {
    let (front, first_line) = match split(text) {
        Some(parts) => (parts.front, parts.front_line),
        None => (text, 1),
    };
    let lines: Vec<&str> = front.lines().collect();
    let is_key = |line: &str| {
        let line = line.trim_start();
        [key.to_string(), format!("\"{key}\""), format!("'{key}'")]
            .iter()
            .any(|k| {
                line.strip_prefix(k.as_str())
                    .is_some_and(|rest| rest.trim_start().starts_with(['=', ':']))
            })
    };
    let at = lines.iter().position(|l| is_key(l))?;
    let found = value
        .and_then(|v| lines[at..].iter().position(|l| l.contains(v)))
        .map_or(at, |i| at + i);
    Some(first_line + found)
}

/// A date as written in front matter: a TOML date-time or a string.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum DateValue {
    Toml(toml::value::Datetime),
    Text(String),
}

impl DateValue {
    pub fn as_string(&self) -> String {
        match self {
            DateValue::Toml(d) => d.to_string(),
            DateValue::Text(s) => s.clone(),
        }
    }
}

/// Parses the date forms Zola accepts; naive times are read as UTC.
pub fn parse_date(text: &str) -> Option<DateTime<FixedOffset>> {
    let text = text.trim();
    if let Ok(d) = DateTime::parse_from_rfc3339(text) {
        return Some(d);
    }
    if let Ok(d) = DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%:z") {
        return Some(d);
    }
    let utc = FixedOffset::east_opt(0)?;
    for format in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M",
    ] {
        if let Ok(n) = NaiveDateTime::parse_from_str(text, format) {
            return n.and_local_timezone(utc).single();
        }
    }
    let date = NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()?;
    date.and_hms_opt(0, 0, 0)?.and_local_timezone(utc).single()
}

/// A page's front matter. Keys Zola does not know are ignored, as Zola
/// ignores them (a section's front matter refuses them, as Zola's does).
#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct PageFrontMatter {
    pub title: Option<String>,
    pub description: Option<String>,
    pub date: Option<DateValue>,
    pub updated: Option<DateValue>,
    pub weight: Option<i64>,
    pub draft: bool,
    pub render: bool,
    pub slug: Option<String>,
    pub path: Option<String>,
    pub authors: Vec<String>,
    pub taxonomies: BTreeMap<String, Vec<String>>,
    pub aliases: Vec<String>,
    pub template: Option<String>,
    pub in_search_index: bool,
    pub extra: Value,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortBy {
    #[default]
    None,
    Date,
    UpdateDate,
    Title,
    TitleBytes,
    Weight,
    Slug,
    Permalink,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InsertAnchor {
    Left,
    Right,
    Heading,
    #[default]
    None,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SectionFrontMatter {
    pub title: Option<String>,
    pub description: Option<String>,
    pub sort_by: SortBy,
    pub weight: i64,
    pub draft: bool,
    pub template: Option<String>,
    pub page_template: Option<String>,
    pub paginate_by: Option<usize>,
    pub paginate_path: String,
    pub paginate_reversed: bool,
    /// `None`: `[markdown] insert_anchor_links` applies.
    pub insert_anchor_links: Option<InsertAnchor>,
    pub in_search_index: bool,
    pub render: bool,
    pub redirect_to: Option<String>,
    pub transparent: bool,
    pub aliases: Vec<String>,
    pub generate_feeds: bool,
    pub extra: Value,
}

// `#[serde(default)]` fills missing keys from these: they are also what an
// empty front matter gives.
impl Default for PageFrontMatter {
    fn default() -> Self {
        PageFrontMatter {
            title: None,
            description: None,
            date: None,
            updated: None,
            weight: None,
            draft: false,
            render: true,
            slug: None,
            path: None,
            authors: Vec::new(),
            taxonomies: BTreeMap::new(),
            aliases: Vec::new(),
            template: None,
            in_search_index: true,
            extra: Value::Object(Default::default()),
        }
    }
}

impl Default for SectionFrontMatter {
    fn default() -> Self {
        SectionFrontMatter {
            title: None,
            description: None,
            sort_by: SortBy::None,
            weight: 0,
            draft: false,
            template: None,
            page_template: None,
            paginate_by: None,
            paginate_path: "page".into(),
            paginate_reversed: false,
            insert_anchor_links: None,
            in_search_index: true,
            render: true,
            redirect_to: None,
            transparent: false,
            aliases: Vec::new(),
            generate_feeds: false,
            extra: Value::Object(Default::default()),
        }
    }
}

impl SectionFrontMatter {
    pub fn is_paginated(&self) -> bool {
        self.paginate_by.is_some_and(|n| n > 0)
    }
}

/// Parses the front matter of `file` into `T`, reporting errors at their
/// line in the file.
pub fn parse<T: DeserializeOwned + Default>(
    split: &Split<'_>,
    file: &Path,
) -> Result<T, Diagnostic> {
    if split.front.trim().is_empty() {
        return Ok(T::default());
    }
    if split.yaml {
        if let Some((line, column)) = crate::nesting::too_deep_yaml(split.front) {
            return Err(Diagnostic::new(file, crate::nesting::too_deep_message())
                .at(split.front_line + line - 1, Some(column)));
        }
        serde_yaml::from_str(split.front).map_err(|e| {
            let d = Diagnostic::new(file, clean_message(&e.to_string()));
            // Without a place, the problem is the front matter's as a whole.
            let d = match e.location() {
                Some(loc) => d.at(split.front_line + loc.line() - 1, Some(loc.column())),
                None => d.at(split.front_line, None),
            };
            with_field(d)
        })
    } else {
        toml::from_str(split.front).map_err(|e| {
            let d = Diagnostic::new(file, clean_message(e.message()));
            let d = match e.span() {
                Some(span) => {
                    let (line, col) = line_col(split.front, span.start);
                    d.at(split.front_line + line - 1, Some(col))
                }
                None => d.at(split.front_line, None),
            };
            with_field(d)
        })
    }
}

fn clean_message(message: &str) -> String {
    // serde_yaml appends " at line N column M": we already say where.
    let message = match message.find(" at line ") {
        Some(i) => &message[..i],
        None => message,
    };
    message.trim().to_string()
}

/// Names the key in "unknown field `x`" and "invalid type ... for key `x`" messages.
fn with_field(mut d: Diagnostic) -> Diagnostic {
    if let Some(start) = d.message.find('`') {
        if let Some(len) = d.message[start + 1..].find('`') {
            let name = d.message[start + 1..start + 1 + len].to_string();
            if d.message.starts_with("unknown field") && !name.is_empty() {
                d.field = Some(name);
            }
        }
    }
    d
}

/// Turns TOML date-times inside `extra` into strings, as Zola shows them.
pub fn normalize_extra(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.len() == 1 {
                if let Some(Value::String(s)) = map.get("$__toml_private_datetime") {
                    *value = Value::String(s.clone());
                    return;
                }
            }
            for v in map.values_mut() {
                normalize_extra(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalize_extra),
        Value::Null => *value = Value::Object(Default::default()),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_toml_and_yaml() {
        let s = split("+++\ntitle = \"a\"\n+++\nbody\n").unwrap();
        assert_eq!(s.front, "title = \"a\"\n");
        assert_eq!(s.body, "body\n");
        assert_eq!(s.body_line, 4);
        assert!(!s.yaml);
        let s = split("---\ntitle: a\n---\n\nbody").unwrap();
        assert!(s.yaml);
        assert_eq!(s.body_line, 4);
        assert!(split("no front matter").is_none());
    }

    #[test]
    fn pages_ignore_unknown_keys_and_sections_refuse_them() {
        let text = "+++\ntitle = \"a\"\nsort_by = \"date\"\ninsert_anchor_links = \"left\"\n+++\n";
        let page: PageFrontMatter = parse(&split(text).unwrap(), Path::new("a.md")).unwrap();
        assert_eq!(page.title.as_deref(), Some("a"));
        let text = "+++\ntitle = \"a\"\ncolour = 1\n+++\n";
        let s = split(text).unwrap();
        let err = parse::<SectionFrontMatter>(&s, Path::new("_index.md")).unwrap_err();
        assert_eq!(err.line, Some(3), "{err}");
        assert_eq!(err.field.as_deref(), Some("colour"));
        let text = "---\ntitle: a\nweight: heavy\n---\n";
        let s = split(text).unwrap();
        let err = parse::<PageFrontMatter>(&s, Path::new("a.md")).unwrap_err();
        assert_eq!(err.line, Some(3), "{err}");
    }

    #[test]
    fn an_empty_front_matter_has_the_defaults_of_every_key() {
        for text in ["+++\n+++\n", "---\n---\nbody"] {
            let split = split(text).unwrap();
            let page: PageFrontMatter = parse(&split, Path::new("a.md")).unwrap();
            assert!(page.render && page.in_search_index, "{text}");
            let section: SectionFrontMatter = parse(&split, Path::new("_index.md")).unwrap();
            assert!(section.render && section.in_search_index, "{text}");
            assert_eq!(section.paginate_path, "page");
        }
    }

    #[test]
    fn finds_the_line_of_a_key_and_of_its_value() {
        let toml = "+++\ntitle = \"a\"\npaginate_path = \"p\"\npath = \"x\"\naliases = [\n  \"/a/\",\n  \"/b/\",\n]\n+++\n";
        assert_eq!(key_line(toml, "path", None), Some(4));
        assert_eq!(key_line(toml, "aliases", Some("/b/")), Some(7));
        assert_eq!(key_line(toml, "aliases", Some("/z/")), Some(5));
        assert_eq!(key_line(toml, "slug", None), None);
        let yaml = "---\ntitle: a\ntaxonomies:\n  tags:\n    - un\n    - deux\n---\n";
        assert_eq!(key_line(yaml, "tags", Some("deux")), Some(6));
        let config = "base_url = \"x\"\n[languages.en]\nfeed_filenames = [\"../a.xml\"]\n";
        assert_eq!(
            key_line(config, "feed_filenames", Some("../a.xml")),
            Some(3)
        );
    }

    #[test]
    fn reads_dates() {
        let text = "+++\ndate = 2024-03-05T18:30:00+01:00\nupdated = \"2024-03-06\"\n+++\n";
        let fm: PageFrontMatter = parse(&split(text).unwrap(), Path::new("a.md")).unwrap();
        assert_eq!(fm.date.unwrap().as_string(), "2024-03-05T18:30:00+01:00");
        assert!(parse_date("2024-03-06").is_some());
        assert!(parse_date("2024-03-05T18:30:00+01:00").is_some());
    }
}
