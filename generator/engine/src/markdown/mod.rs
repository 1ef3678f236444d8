//! Markdown to HTML the way Zola does it: heading ids and table of contents,
//! `@/` internal links, shortcodes, `<!-- more -->` summaries, highlighted
//! code blocks, and the extensions Zola enables.

pub(crate) mod highlight;
pub(crate) mod shortcodes;
pub mod typography;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use maillage_model::markup;
use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde_json::{Map, Value};
use tera::{Context, Tera};

use crate::config::Config;
use crate::content::{Heading, InsertAnchor, Rendered};
use crate::error::{tera_message, Diagnostic, Diagnostics, LineIndex};
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

/// Finds where things are in the file: the body's lines, indexed once.
struct Locator<'a> {
    file: &'a Path,
    body_line: usize,
    lines: LineIndex,
}

impl Locator<'_> {
    /// Line in the file of a byte offset in the body.
    fn line(&self, offset: usize) -> usize {
        self.body_line + self.lines.line(offset) - 1
    }

    /// A problem at a byte offset in the body.
    fn error(&self, offset: usize, message: impl Into<String>) -> Diagnostic {
        let (line, column) = self.lines.line_col(offset);
        Diagnostic::new(self.file, message).at(self.body_line + line - 1, Some(column))
    }
}

/// Where the text given to the Markdown parser comes from in the body:
/// kept text has its own offsets, a shortcode's output those of its call.
#[derive(Default)]
struct Origins {
    /// `(start in the expanded text, offset in the body, kept text)`, in order.
    stretches: Vec<(usize, usize, bool)>,
}

impl Origins {
    fn push(&mut self, expanded: usize, body: usize, kept: bool) {
        self.stretches.push((expanded, body, kept));
    }

    /// The body offset of an offset in the expanded text.
    fn body_offset(&self, offset: usize) -> usize {
        let after = self
            .stretches
            .partition_point(|&(start, _, _)| start <= offset);
        match after.checked_sub(1).map(|i| self.stretches[i]) {
            Some((start, body, true)) => body + (offset - start),
            Some((_, body, false)) => body,
            None => offset,
        }
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
    let locator = Locator {
        file: ctx.file,
        body_line: ctx.body_line,
        lines: LineIndex::new(text),
    };
    let mut origins = Origins::default();
    // 1. Shortcodes: Markdown ones are expanded in place, HTML ones become
    //    placeholders filled in after the Markdown is rendered.
    let mut html_shortcodes: Vec<String> = Vec::new();
    let has_calls = text.contains("{{") || text.contains("{%");
    let source: std::borrow::Cow<'_, str> = if has_calls {
        match shortcodes::parse(text, ctx.shortcodes) {
            Ok(pieces) => {
                let mut out = String::with_capacity(text.len());
                let mut counts: HashMap<&str, usize> = HashMap::new();
                for piece in &pieces {
                    match piece {
                        Piece::Text(range) => {
                            origins.push(out.len(), range.start, true);
                            out.push_str(&text[range.clone()]);
                        }
                        Piece::Call(call) => {
                            origins.push(out.len(), call.offset, false);
                            let nth = counts.entry(&call.name).or_default();
                            *nth += 1;
                            let (template, is_md) = &ctx.shortcodes.by_name[&call.name];
                            match render_shortcode(ctx, template, call, *nth) {
                                Ok(output) if *is_md => out.push_str(&output),
                                Ok(output) => {
                                    out.push_str(&placeholder(html_shortcodes.len()));
                                    html_shortcodes.push(output);
                                }
                                Err(message) => errors.push(locator.error(call.offset, message)),
                            }
                        }
                    }
                }
                std::borrow::Cow::Owned(out)
            }
            Err((offset, message)) => {
                errors.push(locator.error(offset, message));
                return Err(errors);
            }
        }
    } else {
        std::borrow::Cow::Borrowed(text)
    };

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
                let line = locator.line(origins.body_offset(range.start));
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

    let french = ctx.config.markdown.french_spacing && typography::is_french(ctx.lang);
    if french {
        typography::french_events(&mut events);
    }

    // 3. Heading ids (custom `{#id}` or slug of the text, made unique) and anchors.
    let mut ids: Vec<String> = Vec::with_capacity(headings.len());
    let mut unique = UniqueAnchors::default();
    for (n, &(start, _)) in headings.iter().enumerate() {
        let custom = match &events[start] {
            Event::Start(Tag::Heading { id: Some(id), .. }) => Some(id.to_string()),
            _ => None,
        };
        let id = match custom {
            Some(id) => unique.keep(id),
            None => unique.make(slugify_anchor(
                &rendered.toc[n].title,
                ctx.config.slugify.anchors,
            )),
        };
        if let Event::Start(Tag::Heading {
            level: l,
            classes,
            attrs,
            ..
        }) = &events[start]
        {
            events[start] = Event::Start(Tag::Heading {
                level: *l,
                id: Some(CowStr::from(id.clone())),
                classes: classes.clone(),
                attrs: attrs.clone(),
            });
        }
        rendered.toc[n].id = id.clone();
        rendered.toc[n].permalink = format!("{}#{}", ctx.permalink, id);
        ids.push(id);
    }
    if ctx.insert_anchor != InsertAnchor::None && !headings.is_empty() {
        events = insert_anchor_links(events, &headings, &ids, ctx, &mut errors);
    }
    rendered.anchors = ids;
    if french {
        // After the ids: they are the slugs of the text as written.
        for heading in &mut rendered.toc {
            heading.title = typography::french_spacing(&heading.title).into_owned();
        }
    }
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
/// Each id is found in constant time, however many headings share a title.
#[derive(Default)]
struct UniqueAnchors {
    taken: HashSet<String>,
    /// For each name, the suffix to try first: those below are taken.
    next_suffix: HashMap<String, usize>,
}

impl UniqueAnchors {
    /// A custom id (`{#id}`), kept as written.
    fn keep(&mut self, id: String) -> String {
        self.taken.insert(id.clone());
        id
    }

    /// `name`, or `name-N` with the first free N.
    fn make(&mut self, name: String) -> String {
        if self.taken.insert(name.clone()) {
            return name;
        }
        let n = self.next_suffix.entry(name.clone()).or_insert(1);
        loop {
            let candidate = format!("{name}-{n}");
            *n += 1;
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
        }
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

/// The events with each heading's anchor link added, in one pass.
fn insert_anchor_links<'e>(
    events: Vec<Event<'e>>,
    headings: &[(usize, u32)],
    ids: &[String],
    ctx: &MarkdownContext<'_>,
    errors: &mut Diagnostics,
) -> Vec<Event<'e>> {
    let template = if ctx.tera.get_template("anchor-link.html").is_ok() {
        "anchor-link.html"
    } else {
        "__zola_builtins/anchor-link.html"
    };
    let mut anchors = Vec::with_capacity(headings.len());
    for (n, (_, level)) in headings.iter().enumerate() {
        let anchor = match ctx.insert_anchor {
            InsertAnchor::Heading => format!("<a class=\"zola-anchor\" href=\"#{}\">", ids[n]),
            _ => {
                let mut context = Context::new();
                context.insert("id", &ids[n]);
                context.insert("level", level);
                context.insert("lang", ctx.lang);
                match ctx.tera.render(template, &context) {
                    Ok(a) => a.trim().to_string(),
                    Err(e) => {
                        errors.push(Diagnostic::new(ctx.file, tera_message(&e)));
                        return events;
                    }
                }
            }
        };
        anchors.push(anchor);
    }
    let mut out = Vec::with_capacity(events.len() + 2 * headings.len());
    let mut next = headings
        .iter()
        .map(|(start, _)| *start)
        .enumerate()
        .peekable();
    let mut open: Option<usize> = None;
    for (i, event) in events.into_iter().enumerate() {
        if let Some(&(n, _)) = next.peek().filter(|&&(_, start)| start == i) {
            next.next();
            out.push(event);
            match ctx.insert_anchor {
                InsertAnchor::Left | InsertAnchor::Heading => {
                    out.push(Event::Html(CowStr::from(anchors[n].clone())))
                }
                _ => {}
            }
            open = Some(n);
            continue;
        }
        if let (Some(n), Event::End(TagEnd::Heading(_))) = (open, &event) {
            match ctx.insert_anchor {
                InsertAnchor::Right => out.push(Event::Html(CowStr::from(anchors[n].clone()))),
                InsertAnchor::Heading => out.push(Event::Html(CowStr::Borrowed("</a>"))),
                _ => {}
            }
            open = None;
        }
        out.push(event);
    }
    out
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

const PLACEHOLDER_PREFIX: &str = "ZMLSC";

fn placeholder(n: usize) -> String {
    format!("{PLACEHOLDER_PREFIX}{n}Z")
}

/// Puts each HTML shortcode's output in place of its placeholder, in one
/// pass; a placeholder alone in a paragraph takes the paragraph's place.
fn fill_placeholders(html: &str, outputs: &[String]) -> String {
    if outputs.is_empty() {
        return html.to_string();
    }
    let mut filled = vec![false; outputs.len()];
    let mut out =
        String::with_capacity(html.len() + outputs.iter().map(String::len).sum::<usize>());
    let mut rest = html;
    while let Some(at) = rest.find(PLACEHOLDER_PREFIX) {
        let digits_start = at + PLACEHOLDER_PREFIX.len();
        let digits = rest[digits_start..]
            .bytes()
            .take_while(u8::is_ascii_digit)
            .count();
        let end = digits_start + digits;
        let n = rest[digits_start..end]
            .parse::<usize>()
            .ok()
            .filter(|&n| n < outputs.len() && !filled[n] && rest[end..].starts_with('Z'));
        let Some(n) = n else {
            out.push_str(&rest[..end]);
            rest = &rest[end..];
            continue;
        };
        filled[n] = true;
        let (mut start, mut stop) = (at, end + 1);
        if rest[..start].ends_with("<p>") && rest[stop..].starts_with("</p>") {
            start -= "<p>".len();
            stop += "</p>".len();
        }
        out.push_str(&rest[..start]);
        out.push_str(outputs[n].trim_end());
        rest = &rest[stop..];
    }
    out.push_str(rest);
    out
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
    ctx.tera.render(template, &context).map_err(|e| {
        let explained = crate::templates::errors::explain(&e);
        format!(
            "shortcode `{}`: {} (template `{}`)",
            call.name, explained.message, explained.template
        )
    })
}

/// Markdown for the `markdown` filter: no shortcodes, no internal link checks.
pub fn render_inline(text: &str, config: &Config, inline: bool) -> String {
    let parser = Parser::new_ext(text, options(config));
    let mut html = String::new();
    // The filter does not know the page's language: the site's is taken.
    if config.markdown.french_spacing && typography::is_french(&config.default_language) {
        let mut events: Vec<Event> = parser.collect();
        typography::french_events(&mut events);
        pulldown_cmark::html::push_html(&mut html, events.into_iter());
    } else {
        pulldown_cmark::html::push_html(&mut html, parser);
    }
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
    fn french_spacing_touches_text_only() {
        let mut config = Config::with_base_url("https://ex.org");
        let links = BTreeMap::new();
        let tera = Tera::default();
        let defs = ShortcodeDefinitions::default();
        let text = "## Après : le bilan\n\nRemplissez le formulaire\n: votre nom, « ici ».\n\
                    Rendez-vous à 18:30 sur [le site](https://ex.org/a?b=c \"Titre : x\") !\n\n\
                    `a : b` et <span title=\"c : d\">e</span>\n\n```\nx : y\n```\n";
        let plain = render(text, &ctx(&config, &links, &tera, &defs)).unwrap();
        assert!(!plain.content.contains('\u{202F}'), "off unless asked");
        config.markdown.french_spacing = true;
        let r = render(text, &ctx(&config, &links, &tera, &defs)).unwrap();
        let n = '\u{202F}';
        for expected in [
            format!("<h2 id=\"apres-le-bilan\">Après{n}: le bilan</h2>"),
            format!("formulaire{n}: votre nom, «{n}ici{n}»."),
            "à 18:30 sur <a ".to_string(),
            "title=\"Titre : x\" href=\"https://ex.org/a?b=c\"".to_string(),
            format!(">le site</a>{n}!"),
            "<code>a : b</code>".to_string(),
            "<span title=\"c : d\">".to_string(),
            "x : y".to_string(),
        ] {
            assert!(r.content.contains(&expected), "{expected}\n{}", r.content);
        }
        assert_eq!(r.toc[0].title, format!("Après{n}: le bilan"));
        let mut english = ctx(&config, &links, &tera, &defs);
        english.lang = "en";
        assert!(!render(text, &english).unwrap().content.contains(n));
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
    fn links_after_shortcodes_are_located_at_their_own_line() {
        let config = Config::with_base_url("https://ex.org");
        let links = BTreeMap::new();
        let mut tera = Tera::default();
        tera.add_raw_templates([
            ("shortcodes/note.html", "<aside>{{ body }}</aside>"),
            ("shortcodes/voir.md", "[lien](@/absent.md)"),
        ])
        .unwrap();
        let defs = ShortcodeDefinitions::from_template_names(tera.get_template_names());
        let c = ctx(&config, &links, &tera, &defs);
        // Body line 1 is line 5 of the file.
        let text = "{% note() %}\nun\ndeux\n{% end %}\n\n[a](@/absent.md)\n\n[b](@/absent.md)\n\n{{ voir() }}\n";
        let err = render(text, &c).unwrap_err();
        let lines: Vec<Option<usize>> = err.0.iter().map(|d| d.line).collect();
        assert_eq!(lines, [Some(10), Some(12), Some(14)], "{err}");
    }

    #[test]
    fn duplicate_headings_get_the_first_free_suffix() {
        let config = Config::with_base_url("https://ex.org");
        let links = BTreeMap::new();
        let tera = Tera::default();
        let defs = ShortcodeDefinitions::default();
        let r = render(
            "# A 1\n\n# A\n\n# A\n\n# A\n\n# X {#a-3}\n\n# A\n",
            &ctx(&config, &links, &tera, &defs),
        )
        .unwrap();
        assert_eq!(r.anchors, ["a-1", "a", "a-2", "a-3", "a-3", "a-4"]);
    }

    #[test]
    fn placeholders_are_filled_once_each() {
        let outputs = ["<div>un</div>\n".to_string(), "<b>deux</b>".to_string()];
        assert_eq!(
            fill_placeholders(
                "<p>ZMLSC0Z</p>\n<p>a ZMLSC1Z ZMLSC1Z ZMLSC9Z ZMLSCZ</p>",
                &outputs
            ),
            "<div>un</div>\n<p>a <b>deux</b> ZMLSC1Z ZMLSC9Z ZMLSCZ</p>"
        );
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
