//! What makes an organiser's text safe to publish.
//!
//! Report parts are Markdown. Before they are stored as public, raw HTML is
//! neutralised (its `<` written as `&lt;`, so it shows as text) and every
//! link or image whose target is not an `http`/`https` URL is replaced by
//! its text; images become plain links (a published report loads nothing
//! from elsewhere). The work is done on the Markdown source, guided by the
//! parser's offsets, and repeated until a parse finds nothing left to fix, so
//! what a Markdown renderer will see is exactly what was checked.

use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use maillage_model::meetup::ReportLink;

/// The extensions a renderer may enable: the check sees the same structure.
fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_SMART_PUNCTUATION
}

/// Rounds of fixing before falling back to plain text.
const MAX_ROUNDS: usize = 8;

/// Safe Markdown from an organiser's text.
pub fn markdown(source: &str) -> String {
    let mut text = strip_controls(&source.replace("\r\n", "\n").replace('\r', "\n"));
    for _ in 0..MAX_ROUNDS {
        let edits = unsafe_spans(&text);
        if edits.is_empty() {
            return text;
        }
        text = apply(&text, edits);
    }
    // Pathological nesting: publish it as literal text.
    escape_all(&text)
}

/// Whether a link target may be published: an absolute `http`/`https` URL
/// with a host and nothing that could break out of an attribute.
pub fn is_safe_url(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    let Some(rest) = rest else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    !host.is_empty()
        && !url.chars().any(|c| {
            c.is_control() || c.is_whitespace() || matches!(c, '"' | '<' | '>' | '`' | '\\')
        })
}

/// The report's links: one `label | url` (or a bare URL) per line. Lines
/// whose URL is not `http`/`https` are left out; the second value counts them.
pub fn links(source: &str) -> (Vec<ReportLink>, usize) {
    let mut links = Vec::new();
    let mut dropped = 0;
    for line in source.lines() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let (label, url) = match line.rsplit_once('|') {
            Some((label, url)) => (label.trim(), url.trim()),
            None => ("", line),
        };
        if !is_safe_url(url) {
            dropped += 1;
            continue;
        }
        let label = strip_controls(label).trim().to_string();
        links.push(ReportLink {
            label: if label.is_empty() {
                url.to_string()
            } else {
                label
            },
            url: url.to_string(),
        });
    }
    (links, dropped)
}

/// Removes control characters but line breaks and tabs.
pub fn strip_controls(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\t'))
        .collect()
}

/// The spans to rewrite in one round, in order and disjoint.
fn unsafe_spans(text: &str) -> Vec<(Range<usize>, String)> {
    struct Pending {
        range: Range<usize>,
        inner: Option<Range<usize>>,
        image_target: Option<String>,
        depth: usize,
    }
    let mut edits = Vec::new();
    let mut pending: Option<Pending> = None;
    let mut depth = 0usize;
    for (event, range) in Parser::new_ext(text, options()).into_offset_iter() {
        if let Some(p) = pending.as_mut() {
            let closes =
                matches!(event, Event::End(TagEnd::Link | TagEnd::Image)) && depth == p.depth + 1;
            if closes {
                let inner = p.inner.clone().map(|r| &text[r]).unwrap_or("");
                let replacement = match &p.image_target {
                    Some(url) if !inner.contains(['[', ']']) => format!("[{inner}](<{url}>)"),
                    _ => inner.to_string(),
                };
                edits.push((p.range.clone(), replacement));
                pending = None;
            } else {
                let inner = p.inner.get_or_insert(range.clone());
                inner.start = inner.start.min(range.start);
                inner.end = inner.end.max(range.end);
            }
            match event {
                Event::Start(_) => depth += 1,
                Event::End(_) => depth = depth.saturating_sub(1),
                _ => {}
            }
            continue;
        }
        match &event {
            Event::Start(Tag::Link { dest_url, .. }) if !is_safe_url(dest_url.trim()) => {
                pending = Some(Pending {
                    range: range.clone(),
                    inner: None,
                    image_target: None,
                    depth,
                });
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                let url = dest_url.trim();
                pending = Some(Pending {
                    range: range.clone(),
                    inner: None,
                    image_target: is_safe_url(url).then(|| url.to_string()),
                    depth,
                });
            }
            Event::Html(_) | Event::InlineHtml(_) => {
                edits.push((range.clone(), text[range.clone()].replace('<', "&lt;")));
            }
            _ => {}
        }
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    edits
}

fn apply(text: &str, edits: Vec<(Range<usize>, String)>) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut at = 0;
    for (range, replacement) in edits {
        if range.start < at {
            continue;
        }
        out.push_str(&text[at..range.start]);
        out.push_str(&replacement);
        at = range.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Every ASCII punctuation character backslash-escaped: Markdown that
/// renders as exactly this text.
fn escape_all(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for c in text.chars() {
        if c.is_ascii_punctuation() {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every link target and raw HTML a renderer would see.
    fn dangers(markdown: &str) -> Vec<String> {
        Parser::new_ext(markdown, options())
            .filter_map(|event| match event {
                Event::Html(h) | Event::InlineHtml(h) => Some(format!("html {h}")),
                Event::Start(Tag::Link { dest_url, .. }) if !is_safe_url(&dest_url) => {
                    Some(format!("link {dest_url}"))
                }
                Event::Start(Tag::Image { dest_url, .. }) => Some(format!("image {dest_url}")),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn raw_html_becomes_text() {
        let out =
            markdown("Avant <script>alert(1)</script> après <img src=x onerror=\"alert(2)\">");
        assert_eq!(dangers(&out), Vec::<String>::new(), "{out}");
        assert!(out.contains("&lt;script>alert(1)&lt;/script>"), "{out}");
        let block = markdown("<div onclick=\"x()\">\n\n**bold**\n\n</div>\n\n<!-- comment -->");
        assert_eq!(dangers(&block), Vec::<String>::new(), "{block}");
        assert!(block.contains("**bold**"));
    }

    #[test]
    fn javascript_links_lose_their_target() {
        for source in [
            "[cliquez](javascript:alert(1))",
            "[cliquez](JaVaScRiPt:alert(1))",
            "[cliquez](&#106;avascript:alert(1))",
            "[cliquez](<javascript:alert(1)>)",
            "<javascript:alert(1)>",
            "[cliquez][x]\n\n[x]: javascript:alert(1)",
            "[**gras** <b>x</b>](data:text/html,x)",
            "[a [b](javascript:1)](javascript:2)",
            "![image](javascript:alert(1))",
            "[relative](/rencontres/)",
        ] {
            let out = markdown(source);
            assert_eq!(dangers(&out), Vec::<String>::new(), "{source} -> {out}");
            assert!(!out.to_lowercase().contains("](javascript"), "{out}");
        }
        assert!(markdown("[cliquez](javascript:alert(1))").starts_with("cliquez"));
    }

    #[test]
    fn safe_markdown_is_kept() {
        let source = "# Titre\n\n- **gras** et [lien](https://exemple.org/a?b=1)\n\n`<code>` reste du code\n\n```\n<pre>\n```\n";
        assert_eq!(markdown(source), source);
    }

    #[test]
    fn images_become_links() {
        let out = markdown("![photo](https://exemple.org/p.jpg)");
        assert_eq!(out, "[photo](<https://exemple.org/p.jpg>)");
        assert_eq!(dangers(&out), Vec::<String>::new());
    }

    #[test]
    fn link_lines_keep_http_only() {
        let (links, dropped) = links(
            "Notes | https://pad.example.org/p/x\nPiège | javascript:alert(1)\n\nhttps://exemple.org/fiche\nSans schéma | exemple.org\n",
        );
        assert_eq!(dropped, 2);
        assert_eq!(links.len(), 2);
        assert_eq!(links[0].label, "Notes");
        assert_eq!(links[1].label, "https://exemple.org/fiche");
        assert!(!is_safe_url("https://"));
        assert!(!is_safe_url("https://a.org/\"onmouseover=x"));
        assert!(is_safe_url("HTTPS://a.org/x"));
    }
}
