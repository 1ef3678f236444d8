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

fn yes() -> bool {
    true
}

fn page_path() -> String {
    "page".into()
}

/// A page's front matter. Keys Zola does not know are ignored, as Zola
/// ignores them (a section's front matter refuses them, as Zola's does).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PageFrontMatter {
    pub title: Option<String>,
    pub description: Option<String>,
    pub date: Option<DateValue>,
    pub updated: Option<DateValue>,
    pub weight: Option<i64>,
    pub draft: bool,
    #[serde(default = "yes")]
    pub render: bool,
    pub slug: Option<String>,
    pub path: Option<String>,
    pub authors: Vec<String>,
    pub taxonomies: BTreeMap<String, Vec<String>>,
    pub aliases: Vec<String>,
    pub template: Option<String>,
    #[serde(default = "yes")]
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
    #[serde(default = "page_path")]
    pub paginate_path: String,
    pub paginate_reversed: bool,
    /// `None`: `[markdown] insert_anchor_links` applies.
    pub insert_anchor_links: Option<InsertAnchor>,
    #[serde(default = "yes")]
    pub in_search_index: bool,
    #[serde(default = "yes")]
    pub render: bool,
    pub redirect_to: Option<String>,
    pub transparent: bool,
    pub aliases: Vec<String>,
    pub generate_feeds: bool,
    pub extra: Value,
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
            paginate_path: page_path(),
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
    if split.yaml && !split.front.trim().is_empty() {
        serde_yaml::from_str(split.front).map_err(|e| {
            let mut d = Diagnostic::new(file, clean_message(&e.to_string()));
            if let Some(loc) = e.location() {
                d = d.at(split.front_line + loc.line() - 1, Some(loc.column()));
            }
            with_field(d)
        })
    } else {
        toml::from_str(split.front).map_err(|e| {
            let mut d = Diagnostic::new(file, clean_message(e.message()));
            if let Some(span) = e.span() {
                let (line, col) = line_col(split.front, span.start);
                d = d.at(split.front_line + line - 1, Some(col));
            }
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
    fn empty_front_matter_has_zola_defaults() {
        for text in ["+++\n+++\n", "---\n---\n"] {
            let page: PageFrontMatter = parse(&split(text).unwrap(), Path::new("a.md")).unwrap();
            assert!(page.render && page.in_search_index, "{text}");
        }
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
