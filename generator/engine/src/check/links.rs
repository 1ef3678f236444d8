//! The links of every rendered page, data pages included, against what the
//! build writes: an internal link (a path from the site's root, a relative
//! one, or an address under the site's base URL) must lead to a page or a
//! file of the site. A page's HTML is read as it is rendered and dropped:
//! what stays is each link's target once, and the first pages that link
//! there, so that a national site is checked in the memory of its links.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::{Mutex, OnceLock};

use serde_json::Value;

use crate::error::{Diagnostic, Diagnostics};
use crate::output::OutputPath;
use crate::render::{index_file, Sink};
use crate::site::{ExtraPage, Library};

/// Pages named in a message for one missing target; the others are counted.
const PAGES_NAMED: usize = 3;

/// A [`Sink`] that writes nothing and keeps what a check of links needs.
pub(crate) struct LinkSink {
    /// The base URL without its final slash: links under it are internal.
    base_url: String,
    /// The base URL's path (`/docs` for `https://x.org/docs`), which
    /// root-relative links start with.
    base_path: String,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    written: HashSet<String>,
    /// HTML outputs with at least one internal link, by number.
    pages: Vec<String>,
    targets: HashMap<String, Linked>,
    links: usize,
}

/// Who links to one target: the first pages (numbers in `State::pages`)
/// and how many in all.
#[derive(Default)]
struct Linked {
    from: Vec<u32>,
    count: usize,
}

/// What the check of links found.
pub(crate) struct LinkReport {
    pub links: usize,
    pub errors: Diagnostics,
}

impl LinkSink {
    pub(crate) fn new(base_url: &str) -> LinkSink {
        let base_url = base_url.trim_end_matches('/').to_string();
        let base_path = base_url
            .split_once("://")
            .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_string()))
            .unwrap_or_default();
        LinkSink {
            base_url,
            base_path,
            state: Mutex::new(State::default()),
        }
    }

    /// The internal links of the page written at `page` (an output path),
    /// as output paths, each once.
    fn targets(&self, page: &str, html: &str) -> Vec<String> {
        static ATTRIBUTE: OnceLock<regex::Regex> = OnceLock::new();
        let attribute = ATTRIBUTE
            .get_or_init(|| regex::Regex::new(r#"\s(?:href|src)\s*=\s*"([^"]*)""#).unwrap());
        let mut seen = HashSet::new();
        attribute
            .captures_iter(html)
            .filter_map(|c| self.internal_path(page, &unescape(&c[1])))
            .filter(|t| seen.insert(t.clone()))
            .collect()
    }

    /// The output path a link leads to, `None` when it leaves the site or
    /// stays on the page.
    fn internal_path(&self, page: &str, link: &str) -> Option<String> {
        let link = link.trim();
        let link = link.split(['#', '?']).next().unwrap_or_default();
        if link.is_empty() || link.starts_with("//") {
            return None;
        }
        let from_root = if let Some(rest) = link.strip_prefix(&self.base_url) {
            if !(rest.is_empty() || rest.starts_with('/')) {
                return None;
            }
            rest.to_string()
        } else if link.starts_with('/') {
            match link.strip_prefix(&self.base_path) {
                Some(rest) if rest.is_empty() || rest.starts_with('/') => rest.to_string(),
                _ => link.to_string(),
            }
        } else if link.split('/').next().unwrap_or_default().contains(':') {
            return None; // mailto:, https: elsewhere, tel:, data:...
        } else {
            let folder = page.rsplit_once('/').map_or("", |(folder, _)| folder);
            format!("/{folder}/{link}")
        };
        let decoded = percent_encoding::percent_decode_str(&from_root).decode_utf8_lossy();
        let mut parts: Vec<&str> = Vec::new();
        for part in decoded.split('/') {
            match part {
                "" | "." => {}
                ".." => {
                    parts.pop();
                }
                _ => parts.push(part),
            }
        }
        let mut path = parts.join("/");
        if decoded.ends_with('/') && !path.is_empty() {
            path.push('/');
        }
        Some(path)
    }

    /// Checks every link gathered against what was written and the static
    /// files, naming the data entry or content file of the linking page.
    pub(crate) fn report(
        self,
        root: &Path,
        library: &Library,
        extra_pages: &[ExtraPage],
        statics: impl IntoIterator<Item = String>,
    ) -> LinkReport {
        let mut state = self.state.into_inner().unwrap_or_else(|e| e.into_inner());
        state.written.extend(statics);
        let written = &state.written;
        let exists = |target: &str| {
            // Images are not encoded by `check`: the build writes them.
            target.starts_with("processed_images/")
                || if target.is_empty() || target.ends_with('/') {
                    written.contains(&format!("{target}index.html"))
                } else {
                    written.contains(target) || written.contains(&format!("{target}/index.html"))
                }
        };
        let mut missing: Vec<(&String, &Linked)> = state
            .targets
            .iter()
            .filter(|(target, _)| !exists(target))
            .collect();
        missing.sort_by(|a, b| a.0.cmp(b.0));
        let mut errors = Diagnostics::new();
        if !missing.is_empty() {
            let by_output: HashMap<String, &ExtraPage> = extra_pages
                .iter()
                .map(|p| (index_file(&p.path), p))
                .collect();
            let content: HashMap<String, &str> = library
                .pages
                .iter()
                .map(|p| (index_file(&p.path), p.file.relative.as_str()))
                .chain(
                    library
                        .sections
                        .iter()
                        .map(|s| (index_file(&s.path), s.file.relative.as_str())),
                )
                .collect();
            for (target, linked) in missing {
                let others = linked.count - linked.from.len();
                let also = if others > 0 {
                    format!(" ({others} more links of other pages lead there too)")
                } else {
                    String::new()
                };
                for &n in &linked.from {
                    let page = &state.pages[n as usize];
                    let message = format!(
                        "link to /{target} on /{}: no page or file of the site is there{also}",
                        page.trim_end_matches("index.html")
                    );
                    errors.push(if let Some(extra) = by_output.get(page) {
                        let diagnostic = extra.source.diagnostic(root, message);
                        match field_holding(&extra.context.fields(), target) {
                            Some(field) => diagnostic.field(field),
                            None => diagnostic,
                        }
                    } else if let Some(file) = content.get(page) {
                        Diagnostic::new(format!("content/{file}"), message)
                    } else {
                        Diagnostic::new(format!("public/{page}"), message)
                    });
                }
            }
        }
        LinkReport {
            links: state.links,
            errors,
        }
    }
}

impl Sink for LinkSink {
    fn write(&self, path: &OutputPath, bytes: Vec<u8>) -> std::io::Result<()> {
        let page = path.as_str();
        let targets = if page.ends_with(".html") {
            self.targets(page, &String::from_utf8_lossy(&bytes))
        } else {
            Vec::new()
        };
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.written.insert(page.to_string());
        if !targets.is_empty() {
            let n = state.pages.len() as u32;
            state.pages.push(page.to_string());
            state.links += targets.len();
            for target in targets {
                let linked = state.targets.entry(target).or_default();
                linked.count += 1;
                if linked.from.len() < PAGES_NAMED {
                    linked.from.push(n);
                }
            }
        }
        Ok(())
    }
}

/// An attribute's value as the browser reads it: character references
/// (`&amp;`, `&#x2F;`, `&#47;`...) replaced by their characters.
fn unescape(value: &str) -> std::borrow::Cow<'_, str> {
    if !value.contains('&') {
        return std::borrow::Cow::Borrowed(value);
    }
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let decoded = rest.find(';').and_then(|end| {
            let name = &rest[1..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => match name.strip_prefix("#x").or_else(|| name.strip_prefix("#X")) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok().and_then(char::from_u32),
                    None => name
                        .strip_prefix('#')
                        .and_then(|d| d.parse().ok())
                        .and_then(char::from_u32),
                },
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    std::borrow::Cow::Owned(out)
}

/// The data field of a page's context whose text holds a link to
/// `target`: `description` for `place.description_html`.
fn field_holding(fields: &serde_json::Map<String, Value>, target: &str) -> Option<String> {
    fn find(value: &Value, needle: &str, key: Option<&str>) -> Option<String> {
        match value {
            Value::String(s) if s.contains(needle) => key.map(str::to_string),
            Value::Array(items) => items.iter().find_map(|v| find(v, needle, key)),
            Value::Object(map) => map.iter().find_map(|(k, v)| find(v, needle, Some(k))),
            _ => None,
        }
    }
    let needle = format!("/{}", target.trim_end_matches('/'));
    fields
        .iter()
        .find_map(|(k, v)| find(v, &needle, Some(k)))
        .map(|k| k.trim_end_matches("_html").to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_become_output_paths() {
        let sink = LinkSink::new("https://ex.org/docs/");
        let page = "lieux/a/index.html";
        let html = r##"<a href="/docs/lieux/b/">b</a> <a href="https://ex.org/docs/carte/#x">c</a>
            <img src="../../img/p%C3%A9.png"> <a href="?page=2">q</a> <a href="#top">t</a>
            <a href="mailto:a@ex.org">m</a> <a href="https://autre.org/x">o</a>
            <link href="/docs/css/s.css?h=1"> <a href="/docs/lieux/b/">again</a>
            <a href="https:&#x2F;&#x2F;ex.org&#x2F;docs&#x2F;regions&#x2F;?a=1&amp;b=2">escaped</a>"##;
        assert_eq!(
            sink.targets(page, html),
            ["lieux/b/", "carte/", "img/pé.png", "css/s.css", "regions/"]
        );
    }
}
