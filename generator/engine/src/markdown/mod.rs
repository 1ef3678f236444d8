//! Markdown to HTML the way Zola does it: heading ids and table of contents,
//! `@/` internal links, shortcodes, `<!-- more -->` summaries, highlighted
//! code blocks, and the extensions Zola enables.

pub mod highlight;
pub mod shortcodes;

use std::collections::BTreeMap;
use std::path::Path;

use maillage_model::markup;
use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde_json::{Map, Value};
use tera::{Context, Tera};

use crate::config::Config;
use crate::content::{Heading, InsertAnchor, Rendered};
use crate::error::{line_col, tera_message, Diagnostic, Diagnostics};
use crate::slugs::slugify_anchor;
use shortcodes::Piece;
pub use shortcodes::ShortcodeDefinitions;

const SUMMARY_MARKER: &str = "<!-- more -->";
const CONTINUE_READING: &str = "<span id=\"continue-reading\"></span>";

/// What rendering one file's Markdown needs to know.
pub struct MarkdownContext<'a> {
    pub config: &'a Config,
    pub permalinks: &'a BTreeMap<String, String>,
    pub tera: &'a Tera,
    pub shortcodes: &'a ShortcodeDefinitions,
    /// Permalink of the page being rendered (for TOC permalinks).
    pub permalink: &'a str,
    pub lang: &'a str,
    pub insert_anchor: InsertAnchor,
    /// File named in errors, relative to the site root.
    pub file: &'a Path,
    /// Line of the body's first line in the file.
    pub body_line: usize,
    /// `page` or `section` as shortcodes see it: (name, value).
    pub current: Option<(&'a str, &'a Value)>,
}

impl MarkdownContext<'_> {
    fn line_of(&self, text: &str, offset: usize) -> usize {
        self.body_line + line_col(text, offset).0 - 1
    }
}

fn options(config: &Config) -> Options {
    let mut o = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES;
    if config.markdown.smart_punctuation {
        o |= Options::ENABLE_SMART_PUNCTUATION;
    }
    if config.markdown.definition_list {
        o |= Options::ENABLE_DEFINITION_LIST;
    }
    o
}

/// Renders a page's or section's Markdown.
pub fn render(text: &str, ctx: &MarkdownContext<'_>) -> Result<Rendered, Diagnostics> {
    let mut errors = Diagnostics::new();
    // 1. Shortcodes: Markdown ones are expanded in place, HTML ones become
    //    placeholders filled in after the Markdown is rendered.
    let mut html_shortcodes: Vec<String> = Vec::new();
    let has_calls = text.contains("{{") || text.contains("{%");
    let source: std::borrow::Cow<'_, str> = if has_calls {
        match shortcodes::parse(text, ctx.shortcodes) {
            Ok(pieces) => {
                let mut out = String::with_capacity(text.len());
                let mut counts: BTreeMap<String, usize> = BTreeMap::new();
                for piece in pieces {
                    match piece {
                        Piece::Text(t) => out.push_str(&t),
                        Piece::Call(call) => {
                            let nth = counts.entry(call.name.clone()).or_default();
                            *nth += 1;
                            let (template, is_md) = &ctx.shortcodes.by_name[&call.name];
                            match render_shortcode(ctx, template, &call, *nth) {
                                Ok(output) if *is_md => out.push_str(&output),
                                Ok(output) => {
                                    out.push_str(&placeholder(html_shortcodes.len()));
                                    html_shortcodes.push(output);
                                }
                                Err(message) => errors.push(Diagnostic::new(ctx.file, message).at(
                                    ctx.line_of(text, call.offset),
                                    Some(line_col(text, call.offset).1),
                                )),
                            }
                        }
                    }
                }
                std::borrow::Cow::Owned(out)
            }
            Err((offset, message)) => {
                errors.push(
                    Diagnostic::new(ctx.file, message)
                        .at(ctx.line_of(text, offset), Some(line_col(text, offset).1)),
                );
                return Err(errors);
            }
        }
    } else {
        std::borrow::Cow::Borrowed(text)
    };
    let source_changed = matches!(source, std::borrow::Cow::Owned(_));

    // 2. Markdown events, rewritten.
    let parser = Parser::new_ext(&source, options(ctx.config)).into_offset_iter();
    let mut events: Vec<Event<'_>> = Vec::with_capacity(source.len() / 8);
    let mut rendered = Rendered::default();
    let mut headings: Vec<(usize, u32)> = Vec::new(); // (event index of start, level)
    let mut heading_text = String::new();
    let mut in_heading: Option<usize> = None;
    let mut code: Option<(String, String)> = None; // (lang, text)
    let mut summary_at: Option<usize> = None;
    let mut link_stack: Vec<bool> = Vec::new(); // whether the open link was turned into raw HTML

    for (event, range) in parser {
        if let Some((_, ref mut buf)) = code {
            match event {
                Event::Text(t) => buf.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    let (info, body) = code.take().unwrap_or_default();
                    events.push(Event::Html(CowStr::from(code_block(
                        &info, &body, ctx.config,
                    ))));
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.trim().to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((info, String::new()));
            }
            Event::Start(Tag::Heading { .. }) => {
                in_heading = Some(events.len());
                heading_text.clear();
                events.push(event);
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some(start) = in_heading.take() {
                    headings.push((start, heading_level(level)));
                    // Stash the text in the start event's slot via a side table.
                    rendered.toc.push(Heading {
                        level: heading_level(level),
                        id: String::new(),
                        permalink: String::new(),
                        title: heading_text.trim().to_string(),
                        children: Vec::new(),
                    });
                }
                events.push(event);
            }
            Event::Text(ref t) | Event::Code(ref t) if in_heading.is_some() => {
                heading_text.push_str(t);
                events.push(event);
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let offset = range.start;
                let line = if source_changed {
                    text.find(dest_url.as_ref())
                        .map(|o| ctx.line_of(text, o))
                        .unwrap_or(ctx.body_line)
                } else {
                    ctx.line_of(text, offset)
                };
                let mut dest = dest_url.to_string();
                if let Some(target) = dest_url.strip_prefix("@/") {
                    let (file, anchor) = match target.split_once('#') {
                        Some((f, a)) => (f, Some(a.to_string())),
                        None => (target, None),
                    };
                    let file = file.trim_start_matches('/');
                    match resolve_internal(ctx, file) {
                        Some(permalink) => {
                            dest = match &anchor {
                                Some(a) => format!("{permalink}#{a}"),
                                None => permalink.to_string(),
                            };
                            rendered.internal_links.push((file.to_string(), anchor, line));
                        }
                        None => errors.push(
                            Diagnostic::new(
                                ctx.file,
                                format!("broken internal link `{dest_url}`: no content/{file} in the site"),
                            )
                            .at(line, None),
                        ),
                    }
                } else if is_external(&dest) {
                    rendered.external_links.push((dest.clone(), line));
                    let md = &ctx.config.markdown;
                    let mut rel = Vec::new();
                    if md.external_links_target_blank {
                        rel.push("noopener");
                    }
                    if md.external_links_no_follow {
                        rel.push("nofollow");
                    }
                    if md.external_links_no_referrer {
                        rel.push("noreferrer");
                    }
                    if md.external_links_external {
                        rel.push("external");
                    }
                    if !rel.is_empty() || md.external_links_class.is_some() {
                        // Zola's attribute order: class, rel, target, title, href.
                        let mut tag = String::from("<a");
                        if let Some(class) = &md.external_links_class {
                            tag.push_str(&format!(" class=\"{}\"", markup::escape(class)));
                        }
                        if !rel.is_empty() {
                            tag.push_str(&format!(" rel=\"{}\"", rel.join(" ")));
                        }
                        if md.external_links_target_blank {
                            tag.push_str(" target=\"_blank\"");
                        }
                        if !title.is_empty() {
                            tag.push_str(&format!(" title=\"{}\"", markup::escape(&title)));
                        }
                        tag.push_str(&format!(" href=\"{}\"", markup::escape(&dest)));
                        tag.push('>');
                        events.push(Event::Html(CowStr::from(tag)));
                        link_stack.push(true);
                        continue;
                    }
                }
                link_stack.push(false);
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url: CowStr::from(dest),
                    title,
                    id,
                }));
            }
            Event::End(TagEnd::Link) => {
                if link_stack.pop() == Some(true) {
                    events.push(Event::Html(CowStr::Borrowed("</a>")));
                } else {
                    events.push(event);
                }
            }
            Event::Html(ref h) | Event::InlineHtml(ref h)
                if h.trim() == SUMMARY_MARKER && summary_at.is_none() =>
            {
                summary_at = Some(events.len());
                events.push(Event::Html(CowStr::Borrowed(CONTINUE_READING)));
            }
            _ => events.push(event),
        }
    }

    // 3. Heading ids (custom `{#id}` or slug of the text, made unique) and anchors.
    let mut ids: Vec<String> = Vec::with_capacity(headings.len());
    for (n, (start, level)) in headings.iter().enumerate() {
        let custom = match &events[*start] {
            Event::Start(Tag::Heading { id: Some(id), .. }) => Some(id.to_string()),
            _ => None,
        };
        let id = match custom {
            Some(id) => id,
            None => unique_anchor(
                &ids,
                slugify_anchor(&rendered.toc[n].title, ctx.config.slugify.anchors),
            ),
        };
        if let Event::Start(Tag::Heading {
            level: l,
            classes,
            attrs,
            ..
        }) = &events[*start]
        {
            events[*start] = Event::Start(Tag::Heading {
                level: *l,
                id: Some(CowStr::from(id.clone())),
                classes: classes.clone(),
                attrs: attrs.clone(),
            });
        }
        rendered.toc[n].id = id.clone();
        rendered.toc[n].permalink = format!("{}#{}", ctx.permalink, id);
        let _ = level;
        ids.push(id);
    }
    if ctx.insert_anchor != InsertAnchor::None && !headings.is_empty() {
        insert_anchor_links(&mut events, &headings, &ids, ctx, &mut errors);
    }
    rendered.anchors = ids;
    let flat = std::mem::take(&mut rendered.toc);
    rendered.toc = make_table_of_contents(flat);

    // 4. HTML, cut at the summary marker.
    let mut html = String::with_capacity(source.len() * 3 / 2);
    match summary_at {
        Some(at) => {
            let rest = events.split_off(at);
            pulldown_cmark::html::push_html(&mut html, events.into_iter());
            rendered.summary = Some(fill_placeholders(&html, &html_shortcodes));
            pulldown_cmark::html::push_html(&mut html, rest.into_iter());
        }
        None => pulldown_cmark::html::push_html(&mut html, events.into_iter()),
    }
    rendered.content = fill_placeholders(&html, &html_shortcodes);
    errors.into_result(rendered)
}

fn heading_level(level: HeadingLevel) -> u32 {
    level as u32
}

fn resolve_internal<'a>(ctx: &'a MarkdownContext<'_>, file: &str) -> Option<&'a String> {
    if let Some(p) = ctx.permalinks.get(file) {
        return Some(p);
    }
    // `@/blog/post.md` may name a translated file in the current language.
    if ctx.lang != ctx.config.default_language {
        if let Some(stem) = file.strip_suffix(".md") {
            return ctx.permalinks.get(&format!("{stem}.{}.md", ctx.lang));
        }
    }
    None
}

pub fn is_external(link: &str) -> bool {
    link.starts_with("http://") || link.starts_with("https://") || link.starts_with("//")
}

/// Zola's rule for duplicate heading ids: `id`, `id-1`, `id-2`, ...
fn unique_anchor(existing: &[String], name: String) -> String {
    if !existing.contains(&name) {
        return name;
    }
    let mut n = 1;
    loop {
        let candidate = format!("{name}-{n}");
        if !existing.contains(&candidate) {
            return candidate;
        }
        n += 1;
    }
}

/// Nests headings: a deeper heading becomes a child of the previous one.
pub fn make_table_of_contents(flat: Vec<Heading>) -> Vec<Heading> {
    fn insert(parent: Option<&mut Heading>, heading: &Heading) -> bool {
        match parent {
            None => false,
            Some(parent) => {
                if heading.level <= parent.level {
                    return false;
                }
                if heading.level == parent.level + 1 {
                    parent.children.push(heading.clone());
                    return true;
                }
                if !insert(parent.children.last_mut(), heading) {
                    parent.children.push(heading.clone());
                }
                true
            }
        }
    }
    let mut toc: Vec<Heading> = Vec::new();
    for heading in flat {
        if toc.is_empty() || !insert(toc.last_mut(), &heading) {
            toc.push(heading);
        }
    }
    toc
}

fn insert_anchor_links(
    events: &mut Vec<Event<'_>>,
    headings: &[(usize, u32)],
    ids: &[String],
    ctx: &MarkdownContext<'_>,
    errors: &mut Diagnostics,
) {
    let template = if ctx.tera.get_template("anchor-link.html").is_ok() {
        "anchor-link.html"
    } else {
        "__zola_builtins/anchor-link.html"
    };
    // Walk backwards so inserted events do not shift the starts still to come.
    for (n, (start, level)) in headings.iter().enumerate().rev() {
        let mut context = Context::new();
        context.insert("id", &ids[n]);
        context.insert("level", level);
        context.insert("lang", ctx.lang);
        let anchor = match ctx.tera.render(template, &context) {
            Ok(a) => a.trim().to_string(),
            Err(e) => {
                errors.push(Diagnostic::new(ctx.file, tera_message(&e)));
                return;
            }
        };
        let end = (*start..events.len())
            .find(|&i| matches!(events[i], Event::End(TagEnd::Heading(_))))
            .unwrap_or(events.len() - 1);
        match ctx.insert_anchor {
            InsertAnchor::Left => events.insert(start + 1, Event::Html(CowStr::from(anchor))),
            InsertAnchor::Right => events.insert(end, Event::Html(CowStr::from(anchor))),
            InsertAnchor::Heading => {
                events.insert(end, Event::Html(CowStr::Borrowed("</a>")));
                events.insert(
                    start + 1,
                    Event::Html(CowStr::from(format!(
                        "<a class=\"zola-anchor\" href=\"#{}\">",
                        ids[n]
                    ))),
                );
            }
            InsertAnchor::None => {}
        }
    }
}

/// A fenced or indented block: highlighted when `[markdown.highlighting]`
/// is set, plain otherwise, in Zola 0.22's markup either way.
fn code_block(info: &str, code: &str, config: &Config) -> String {
    let fence = highlight::Fence::parse(info);
    match &config.markdown.highlighter {
        Some(highlighter) => highlighter.block(&fence, code) + "\n",
        None => highlight::plain_block(&fence, code),
    }
}

fn placeholder(n: usize) -> String {
    format!("ZMLSC{n}Z")
}

fn fill_placeholders(html: &str, outputs: &[String]) -> String {
    if outputs.is_empty() {
        return html.to_string();
    }
    let mut html = html.to_string();
    for (n, output) in outputs.iter().enumerate() {
        let ph = placeholder(n);
        let block = format!("<p>{ph}</p>");
        if html.contains(&block) {
            html = html.replacen(&block, output.trim_end(), 1);
        } else {
            html = html.replacen(&ph, output.trim_end(), 1);
        }
    }
    html
}

fn render_shortcode(
    ctx: &MarkdownContext<'_>,
    template: &str,
    call: &shortcodes::Call,
    nth: usize,
) -> Result<String, String> {
    let mut map: Map<String, Value> = call.args.clone();
    map.insert("nth".into(), Value::from(nth));
    map.insert("lang".into(), Value::from(ctx.lang));
    map.insert("config".into(), ctx.config.serialized(ctx.lang).clone());
    if let Some((name, value)) = ctx.current {
        map.insert(name.into(), value.clone());
    }
    if let Some(body) = &call.body {
        map.insert("body".into(), Value::from(body.as_str()));
    }
    let context = Context::from_value(Value::Object(map)).map_err(|e| e.to_string())?;
    ctx.tera
        .render(template, &context)
        .map_err(|e| format!("shortcode `{}`: {}", call.name, tera_message(&e)))
}

/// Markdown for the `markdown` filter: no shortcodes, no internal link checks.
pub fn render_inline(text: &str, config: &Config, inline: bool) -> String {
    let parser = Parser::new_ext(text, options(config));
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    if inline {
        let trimmed = html.trim();
        if let Some(inner) = trimmed
            .strip_prefix("<p>")
            .and_then(|s| s.strip_suffix("</p>"))
        {
            if !inner.contains("<p>") {
                return inner.to_string();
            }
        }
    }
    html
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx<'a>(
        config: &'a Config,
        permalinks: &'a BTreeMap<String, String>,
        tera: &'a Tera,
        defs: &'a ShortcodeDefinitions,
    ) -> MarkdownContext<'a> {
        MarkdownContext {
            config,
            permalinks,
            tera,
            shortcodes: defs,
            permalink: "https://ex.org/a/",
            lang: "fr",
            insert_anchor: InsertAnchor::None,
            file: Path::new("content/a.md"),
            body_line: 5,
            current: None,
        }
    }

    #[test]
    fn headings_get_ids_and_toc() {
        let config = Config::with_base_url("https://ex.org");
        let links = BTreeMap::new();
        let tera = Tera::default();
        let defs = ShortcodeDefinitions::default();
        let r = render(
            "## Le jour J\n\n### Préparer\n\n## Le jour J\n\n# Top {#haut}\n",
            &ctx(&config, &links, &tera, &defs),
        )
        .unwrap();
        assert!(
            r.content.contains("<h2 id=\"le-jour-j\">Le jour J</h2>"),
            "{}",
            r.content
        );
        assert!(r.content.contains("<h2 id=\"le-jour-j-1\">"));
        assert!(r.content.contains("<h1 id=\"haut\">"));
        assert_eq!(r.toc.len(), 3);
        assert_eq!(r.toc[0].children[0].id, "preparer");
        assert_eq!(r.toc[0].children[0].permalink, "https://ex.org/a/#preparer");
    }

    #[test]
    fn internal_links_resolve_or_fail_with_line() {
        let config = Config::with_base_url("https://ex.org");
        let mut links = BTreeMap::new();
        links.insert("b.md".to_string(), "https://ex.org/b/".to_string());
        let tera = Tera::default();
        let defs = ShortcodeDefinitions::default();
        let c = ctx(&config, &links, &tera, &defs);
        let r = render("See [b](@/b.md#x).", &c).unwrap();
        assert!(r.content.contains("href=\"https://ex.org/b/#x\""));
        let err = render("ok\n\nSee [c](@/c.md).", &c).unwrap_err();
        assert_eq!(err.0[0].line, Some(7), "{err}");
    }

    #[test]
    fn summary_is_cut_at_marker() {
        let config = Config::with_base_url("https://ex.org");
        let links = BTreeMap::new();
        let tera = Tera::default();
        let defs = ShortcodeDefinitions::default();
        let r = render(
            "Intro.\n\n<!-- more -->\n\nRest.",
            &ctx(&config, &links, &tera, &defs),
        )
        .unwrap();
        assert_eq!(r.summary.as_deref(), Some("<p>Intro.</p>\n"));
        assert!(r.content.contains(CONTINUE_READING));
        assert!(r.content.contains("<p>Rest.</p>"));
    }
}
