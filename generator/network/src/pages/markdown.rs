//! Markdown from `data/` and from published reports, rendered to HTML
//! that cannot carry markup of its own: raw HTML is shown as text, and
//! links keep only safe schemes.
//!
//! Reports come from organisers through the function; they get the strict
//! policy (only `http`, `https` and `mailto` links, `rel="nofollow ugc"`,
//! images become links). Descriptions written in `data/` are the network's
//! own text and may also link to the site's pages (relative links).

use maillage_model::markup;
use pulldown_cmark::{html, CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

/// Who wrote the Markdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trust {
    /// The network's maintainers, in `data/`.
    Data,
    /// An organiser's report, received by the function.
    Report,
}

fn allowed(url: &str, trust: Trust) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    let scheme_ok = lower.starts_with("http://")
        || lower.starts_with("https://")
        || lower.starts_with("mailto:");
    match trust {
        Trust::Report => scheme_ok,
        // Relative links (`/guide/`, `#section`, `../x`) have no scheme.
        Trust::Data => {
            scheme_ok
                || !lower
                    .split(['/', '?', '#'])
                    .next()
                    .unwrap_or("")
                    .contains(':')
        }
    }
}

/// Renders `text` as HTML under `trust`'s rules, with French spacing when
/// `french` (`maillage_engine::markdown::typography`); empty text gives "".
pub(crate) fn render(text: &str, trust: Trust, french: bool) -> String {
    if text.trim().is_empty() {
        return String::new();
    }
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS;
    // Stack of link ends: `true` when the opening tag was written.
    let mut open_links: Vec<bool> = Vec::new();
    let events = Parser::new_ext(text, options).filter_map(|event| match event {
        // Raw HTML becomes visible text, never markup.
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            ..
        }) => {
            let keep = allowed(&dest_url, trust) && link_type != LinkType::Email || {
                // Autolinked emails (`<a@b.c>`) arrive without their scheme.
                link_type == LinkType::Email && !dest_url.contains(':')
            };
            open_links.push(keep);
            keep.then(|| {
                let href = if link_type == LinkType::Email {
                    format!("mailto:{dest_url}")
                } else {
                    dest_url.to_string()
                };
                let rel = if trust == Trust::Report {
                    " rel=\"nofollow ugc\""
                } else {
                    ""
                };
                Event::InlineHtml(CowStr::from(format!(
                    "<a href=\"{}\"{rel}>",
                    markup::escape(&href)
                )))
            })
        }
        Event::End(TagEnd::Link) => match open_links.pop() {
            Some(true) => Some(Event::InlineHtml(CowStr::Borrowed("</a>"))),
            _ => None,
        },
        // Images are not embedded (no third-party requests from the page):
        // their text stays, linked when the address is allowed.
        Event::Start(Tag::Image { dest_url, .. }) => {
            let keep = allowed(&dest_url, trust);
            open_links.push(keep);
            keep.then(|| {
                Event::InlineHtml(CowStr::from(format!(
                    "<a href=\"{}\" rel=\"nofollow ugc\">",
                    markup::escape(&dest_url)
                )))
            })
        }
        Event::End(TagEnd::Image) => match open_links.pop() {
            Some(true) => Some(Event::InlineHtml(CowStr::Borrowed("</a>"))),
            _ => None,
        },
        other => Some(other),
    });
    let mut out = String::with_capacity(text.len() * 3 / 2);
    if french {
        let mut events: Vec<Event> = events.collect();
        maillage_engine::markdown::typography::french_events(&mut events);
        html::push_html(&mut out, events.into_iter());
    } else {
        html::push_html(&mut out, events);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_spacing_on_request_leaves_links_alone() {
        let text = "Accès : [le plan](/lieux/a/?b=c) ; « ici » !";
        assert_eq!(
            render(text, Trust::Data, true),
            "<p>Accès\u{202F}: <a href=\"/lieux/a/?b=c\">le plan</a>\u{202F}; «\u{202F}ici\u{202F}»\u{202F}!</p>\n"
        );
        assert!(!render(text, Trust::Data, false).contains('\u{202F}'));
    }

    #[test]
    fn raw_html_is_escaped() {
        let html = render(
            "Bonjour <script>alert(1)</script>\n\n<div onclick=x>bloc</div>",
            Trust::Report,
            false,
        );
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<div"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn report_links_keep_safe_schemes_only() {
        let html = render(
            "[pad](https://pad.example.org/p/a) [js](javascript:alert(1)) [mail](mailto:a@b.example) [rel](/guide/) <https://x.example>",
            Trust::Report,
            false,
        );
        assert!(
            html.contains("<a href=\"https://pad.example.org/p/a\" rel=\"nofollow ugc\">pad</a>"),
            "{html}"
        );
        assert!(!html.contains("javascript"), "{html}");
        assert!(html.contains("js"), "the text stays: {html}");
        assert!(html.contains("href=\"mailto:a@b.example\""), "{html}");
        assert!(!html.contains("href=\"/guide/\""), "{html}");
        assert!(html.contains("href=\"https://x.example\""), "{html}");
    }

    #[test]
    fn data_links_may_be_relative() {
        let html = render(
            "[le guide](/guide/) [x](data:text/html,hi)",
            Trust::Data,
            false,
        );
        assert!(html.contains("<a href=\"/guide/\">le guide</a>"), "{html}");
        assert!(!html.contains("data:text"), "{html}");
    }

    #[test]
    fn images_become_links() {
        let html = render("![photo](https://img.example/a.jpg)", Trust::Report, false);
        assert!(!html.contains("<img"), "{html}");
        assert!(
            html.contains("href=\"https://img.example/a.jpg\""),
            "{html}"
        );
        assert!(html.contains("photo"), "{html}");
    }

    #[test]
    fn attributes_are_escaped() {
        let html = render(
            "[a](https://x.example/\"onmouseover=\"x)",
            Trust::Report,
            false,
        );
        assert!(!html.contains("\"onmouseover"), "{html}");
    }
}
