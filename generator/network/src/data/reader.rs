//! Typed reading of one YAML entry, field by field, collecting a diagnostic
//! for every missing or malformed field instead of stopping at the first.

use chrono::{NaiveDate, NaiveDateTime};
use maillage_model::meetup::ID_MAX;
use maillage_model::zone::{self, Tz};
use serde_yaml::{Mapping, Value};

use super::source::SourceFile;
use crate::error::Diagnostic;

/// Reads the fields of one entry (or of a nested mapping of it).
pub struct Fields<'a> {
    map: &'a Mapping,
    file: &'a SourceFile,
    entry: usize,
    /// Dotted path of this mapping inside the entry (`""` at the top).
    prefix: String,
    known: &'static [&'static str],
    pub problems: Vec<Diagnostic>,
}

impl<'a> Fields<'a> {
    pub fn new(
        value: &'a Value,
        file: &'a SourceFile,
        entry: usize,
        known: &'static [&'static str],
    ) -> Result<Fields<'a>, Diagnostic> {
        match value {
            Value::Mapping(map) => Ok(Fields {
                map,
                file,
                entry,
                prefix: String::new(),
                known,
                problems: Vec::new(),
            }),
            _ => Err(file.diagnostic(
                entry,
                "",
                format!(
                    "expected an entry with fields ({}), found {}",
                    known.join(", "),
                    describe(value)
                ),
            )),
        }
    }

    /// The full path of `key` for messages.
    pub fn path(&self, key: &str) -> String {
        if self.prefix.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.prefix)
        }
    }

    /// Records a problem about `key` of this mapping.
    pub fn problem(&mut self, key: &str, message: impl Into<String>) {
        let path = self.path(key);
        self.problems
            .push(self.file.diagnostic(self.entry, &path, message));
    }

    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// Reports keys that are not in `known` (likely typos).
    pub fn finish_unknown(&mut self) {
        let unknown: Vec<String> = self
            .map
            .keys()
            .map(|k| match k {
                Value::String(s) => s.clone(),
                other => describe(other),
            })
            .filter(|k| !self.known.contains(&k.as_str()))
            .collect();
        for key in unknown {
            let expected = self.known.join(", ");
            self.problem(
                &key,
                format!("unknown field `{key}`: expected one of {expected}"),
            );
        }
    }

    fn missing(&mut self, key: &str, what: &str) {
        self.problem(key, format!("missing field `{key}`: expected {what}"));
    }

    /// Free text: strings, and numbers or booleans written without quotes.
    pub fn text(&mut self, key: &str) -> Option<String> {
        match self.get(key)? {
            Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
            Value::Number(n) => Some(n.to_string()),
            Value::Bool(b) => Some(b.to_string()),
            other => {
                let found = describe(other);
                self.problem(key, format!("expected text, found {found}"));
                None
            }
        }
    }

    pub fn req_text(&mut self, key: &str) -> Option<String> {
        let value = self.text(key);
        if value.is_none() && !self.has(key) {
            self.missing(key, "text");
        } else if value.is_none() && matches!(self.get(key), Some(Value::String(_))) {
            self.problem(key, "expected text, found an empty string");
        }
        value
    }

    /// A code that must stay a string (`"03"`, `"2A004"`): numbers are
    /// refused because YAML drops their leading zeros.
    pub fn code(&mut self, key: &str, what: &str) -> Option<String> {
        match self.get(key) {
            None => None,
            Some(Value::String(s)) => Some(s.trim().to_string()),
            Some(Value::Number(n)) => {
                let n = n.to_string();
                self.problem(
                    key,
                    format!("expected {what} as quoted text (\"{n}\"): without quotes YAML reads a number and drops leading zeros"),
                );
                None
            }
            Some(other) => {
                let found = describe(other);
                self.problem(key, format!("expected {what}, found {found}"));
                None
            }
        }
    }

    pub fn req_code(&mut self, key: &str, what: &str) -> Option<String> {
        if !self.has(key) {
            self.missing(key, what);
            return None;
        }
        self.code(key, what)
    }

    /// An identifier: lower-case ASCII letters, digits and hyphens, at
    /// most [`ID_MAX`] of them, and none of the names `reserved` (the
    /// folders the site's URL scheme puts beside the entries' pages).
    pub fn req_id(&mut self, key: &str, reserved: &[&str]) -> Option<String> {
        let id = self.req_code(key, "an identifier")?;
        if !is_identifier(&id) {
            self.problem(
                key,
                format!("`{id}` is not a valid identifier: expected lower-case letters a-z, digits and hyphens, not starting or ending with a hyphen"),
            );
            None
        } else if id.len() > ID_MAX {
            self.problem(
                key,
                format!(
                    "`{id}` has {} characters: identifiers have at most {ID_MAX}",
                    id.len()
                ),
            );
            None
        } else if reserved.contains(&id.as_str()) {
            self.problem(
                key,
                format!("`{id}` is reserved: the site already uses that name beside these pages (reserved here: {})", reserved.join(", ")),
            );
            None
        } else {
            Some(id)
        }
    }

    /// A reference to another entry's identifier.
    pub fn req_ref(&mut self, key: &str, what: &str) -> Option<String> {
        self.req_code(key, what)
    }

    pub fn number(&mut self, key: &str) -> Option<f64> {
        match self.get(key)? {
            Value::Number(n) => n.as_f64(),
            other => {
                let found = describe(other);
                self.problem(key, format!("expected a number, found {found}"));
                None
            }
        }
    }

    pub fn req_number(&mut self, key: &str) -> Option<f64> {
        if !self.has(key) {
            self.missing(key, "a number");
            return None;
        }
        self.number(key)
    }

    /// A whole number; `positive` refuses zero and negatives.
    pub fn integer(&mut self, key: &str, positive: bool) -> Option<u32> {
        let value = self.get(key)?;
        let n = match value {
            Value::Number(n) => n.as_i64(),
            _ => None,
        };
        match n {
            Some(n) if positive && n <= 0 => {
                self.problem(key, format!("expected a positive whole number, found {n}"));
                None
            }
            Some(n) if n < 0 => {
                self.problem(key, format!("expected a whole number, found {n}"));
                None
            }
            Some(n) => match u32::try_from(n) {
                Ok(n) => Some(n),
                Err(_) => {
                    self.problem(key, format!("{n} is too large"));
                    None
                }
            },
            None => {
                let found = describe(value);
                let what = if positive {
                    "a positive whole number"
                } else {
                    "a whole number"
                };
                self.problem(key, format!("expected {what}, found {found}"));
                None
            }
        }
    }

    pub fn req_integer(&mut self, key: &str, positive: bool) -> Option<u32> {
        if !self.has(key) {
            let what = if positive {
                "a positive whole number"
            } else {
                "a whole number"
            };
            self.missing(key, what);
            return None;
        }
        self.integer(key, positive)
    }

    /// A list of texts; a single text is accepted as a list of one.
    pub fn text_list(&mut self, key: &str) -> Vec<String> {
        match self.get(key) {
            None => Vec::new(),
            Some(Value::String(s)) => vec![s.trim().to_string()],
            Some(Value::Sequence(items)) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Value::String(s) => out.push(s.trim().to_string()),
                        Value::Number(n) => out.push(n.to_string()),
                        other => {
                            let found = describe(other);
                            let hint = if matches!(other, Value::Mapping(_)) {
                                " (`: ` inside a list makes a key and its value: put the text in quotes)"
                            } else {
                                ""
                            };
                            self.problem(
                                &format!("{key}[{i}]"),
                                format!("expected text, found {found}{hint}"),
                            );
                        }
                    }
                }
                out
            }
            Some(other) => {
                let found = describe(other);
                self.problem(key, format!("expected a list of texts, found {found}"));
                Vec::new()
            }
        }
    }

    /// A local date and time, `YYYY-MM-DDTHH:MM`.
    pub fn datetime(&mut self, key: &str) -> Option<NaiveDateTime> {
        let value = self.get(key)?;
        let text = match value {
            Value::String(s) => s.trim(),
            other => {
                let found = describe(other);
                self.problem(
                    key,
                    format!(
                        "expected a local date and time written YYYY-MM-DDTHH:MM, found {found}"
                    ),
                );
                return None;
            }
        };
        match parse_local_datetime(text) {
            Some(dt) => Some(dt),
            None => {
                self.problem(
                    key,
                    format!("`{text}` is not a date and time: expected YYYY-MM-DDTHH:MM (local time where the meetup takes place), e.g. 2026-12-03T18:30"),
                );
                None
            }
        }
    }

    pub fn req_datetime(&mut self, key: &str) -> Option<NaiveDateTime> {
        if !self.has(key) {
            self.missing(key, "a local date and time, YYYY-MM-DDTHH:MM");
            return None;
        }
        self.datetime(key)
    }

    /// An IANA time zone name (`America/Guadeloupe`).
    pub fn time_zone(&mut self, key: &str) -> Option<Tz> {
        let name = self.text(key)?;
        let zone = zone::parse(&name);
        if zone.is_none() {
            self.problem(
                key,
                format!("unknown time zone `{name}`: expected an IANA name such as Europe/Paris, America/Guadeloupe or Indian/Reunion"),
            );
        }
        zone
    }

    /// A date, `YYYY-MM-DD`.
    pub fn req_date(&mut self, key: &str) -> Option<NaiveDate> {
        let Some(value) = self.get(key) else {
            self.missing(key, "a date, YYYY-MM-DD");
            return None;
        };
        let text = match value {
            Value::String(s) => s.trim().to_string(),
            other => describe(other),
        };
        match NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
            Ok(d) if text.len() == 10 => Some(d),
            _ => {
                self.problem(
                    key,
                    format!("`{text}` is not a date: expected YYYY-MM-DD, e.g. 2026-11-02"),
                );
                None
            }
        }
    }

    /// A nested mapping (`coordinator`, `contact`, `registration`).
    pub fn nested(&mut self, key: &str, known: &'static [&'static str]) -> Option<Fields<'a>> {
        match self.get(key)? {
            Value::Mapping(map) => Some(Fields {
                map,
                file: self.file,
                entry: self.entry,
                prefix: self.path(key),
                known,
                problems: Vec::new(),
            }),
            other => {
                let found = describe(other);
                self.problem(
                    key,
                    format!("expected fields ({}), found {found}", known.join(", ")),
                );
                None
            }
        }
    }

    /// Takes back the problems of a nested reader.
    pub fn absorb(&mut self, nested: Fields<'_>) {
        self.problems.extend(nested.problems);
    }
}

/// Lower-case ASCII letters, digits and inner hyphens.
pub fn is_identifier(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// `YYYY-MM-DDTHH:MM` (seconds accepted), the format of `data/`.
pub fn parse_local_datetime(text: &str) -> Option<NaiveDateTime> {
    ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
}

/// A short description of a YAML value for messages.
pub fn describe(value: &Value) -> String {
    match value {
        Value::Null => "nothing".into(),
        Value::Bool(b) => format!("`{b}`"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the text `{s}`"),
        Value::Sequence(_) => "a list".into(),
        Value::Mapping(_) => "a set of fields".into(),
        Value::Tagged(t) => format!("a value tagged {}", t.tag),
    }
}
