//! Zola shortcodes in Markdown: `{{ name(arg=value) }}` inline and
//! `{% name(arg=value) %}body{% end %}` with a body, rendered from
//! `templates/shortcodes/<name>.html` (output kept as HTML) or
//! `templates/shortcodes/<name>.md` (output read as Markdown).
//! `{{/* ... */}}` and `{%/* ... */%}` write the call literally.

use std::collections::HashMap;
use std::ops::Range;

use serde_json::{Map, Number, Value};

/// Which shortcodes exist and whether their output is Markdown.
#[derive(Debug, Clone, Default)]
pub struct ShortcodeDefinitions {
    /// name → (template name, output is Markdown)
    pub by_name: HashMap<String, (String, bool)>,
}

impl ShortcodeDefinitions {
    pub fn from_template_names<'a>(names: impl Iterator<Item = &'a str>) -> Self {
        let mut by_name = HashMap::new();
        for name in names {
            // Zola 0.22 has no built-in shortcode: only the site's and the theme's.
            let Some(rest) = name.strip_prefix("shortcodes/") else {
                continue;
            };
            let (stem, is_md) = if let Some(s) = rest.strip_suffix(".html") {
                (s, false)
            } else if let Some(s) = rest.strip_suffix(".md") {
                (s, true)
            } else {
                continue;
            };
            by_name.insert(stem.to_string(), (name.to_string(), is_md));
        }
        ShortcodeDefinitions { by_name }
    }
}

/// One call found in the text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Call {
    pub name: String,
    pub args: Map<String, Value>,
    pub body: Option<String>,
    /// Byte offset of the call in the text.
    pub offset: usize,
}

/// A piece of text with its shortcodes cut out.
#[derive(Debug, PartialEq)]
pub(crate) enum Piece {
    /// Text kept as it is: a byte range of the parsed text.
    Text(Range<usize>),
    Call(Call),
}

/// Error in a call: offset in the text and message.
pub(crate) type ParseError = (usize, String);

/// Splits `text` into plain text and shortcode calls. Only names in
/// `defs` are shortcodes; other `{{ ... }}` stay as text.
pub(crate) fn parse(text: &str, defs: &ShortcodeDefinitions) -> Result<Vec<Piece>, ParseError> {
    let mut pieces = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    let mut last = 0;
    // Offsets from which an escape's end mark is known to be missing
    // (`*/}}`, `*/%}`): the text is searched for each at most once.
    let mut no_end_from = [usize::MAX; 2];
    let keep = |pieces: &mut Vec<Piece>, range: Range<usize>| {
        if !range.is_empty() {
            pieces.push(Piece::Text(range));
        }
    };
    while i + 1 < bytes.len() {
        if bytes[i] != b'{' || (bytes[i + 1] != b'{' && bytes[i + 1] != b'%') {
            i += 1;
            continue;
        }
        let is_body = bytes[i + 1] == b'%';
        let close = if is_body { "%}" } else { "}}" };
        // Escaped call: written out literally without the comment marks.
        if text[i + 2..].starts_with("/*") && i + 4 < no_end_from[usize::from(is_body)] {
            let end_mark = if is_body { "*/%}" } else { "*/}}" };
            match text[i + 4..].find(end_mark) {
                Some(end) => {
                    let end = i + 4 + end;
                    keep(&mut pieces, last..i + 2);
                    keep(&mut pieces, i + 4..end);
                    // The closing mark, `}}` or `%}`, stays.
                    last = end + 2;
                    i = end + 4;
                    continue;
                }
                None => no_end_from[usize::from(is_body)] = i + 4,
            }
        }
        // As in Zola's grammar, only a well-formed call is a shortcode:
        // anything else (a malformed call, a body without `{% end %}`) is
        // text. A well-formed call to an unknown name is an error.
        let Some((name, args, end)) = parse_call(text, i + 2, close) else {
            i += 2;
            continue;
        };
        if name == "end" {
            i += 2;
            continue;
        }
        if !defs.by_name.contains_key(&name) {
            return Err((
                i,
                format!("unknown shortcode `{name}`: expected a template templates/shortcodes/{name}.html or .md"),
            ));
        }
        let mut next = end;
        let body = if is_body {
            let Some((body_end, after)) = find_end(text, end) else {
                i += 2;
                continue;
            };
            next = after;
            Some(text[end..body_end].trim_matches('\n').to_string())
        } else {
            None
        };
        keep(&mut pieces, last..i);
        pieces.push(Piece::Call(Call {
            name,
            args,
            body,
            offset: i,
        }));
        i = next;
        last = i;
    }
    keep(&mut pieces, last..text.len());
    Ok(pieces)
}

/// Finds `{% end %}` after `from`: (start of the tag, end of the tag).
fn find_end(text: &str, from: usize) -> Option<(usize, usize)> {
    let mut pos = from;
    while let Some(rel) = text[pos..].find("{%") {
        let start = pos + rel;
        let rest = &text[start + 2..];
        let trimmed = rest.trim_start();
        if let Some(after_end) = trimmed.strip_prefix("end") {
            let after = after_end.trim_start();
            if after.starts_with("%}") {
                let consumed = rest.len() - after.len() + 2;
                return Some((start, start + 2 + consumed));
            }
        }
        pos = start + 2;
    }
    None
}

type Parsed = (String, Map<String, Value>, usize);

/// Parses `name(args) }}` starting at `start`; returns the name, the
/// arguments and the offset after the closing mark, or `None` if the text
/// there is not a well-formed call (`end` alone is returned as a call).
fn parse_call(text: &str, start: usize, close: &str) -> Option<Parsed> {
    let mut p = Cursor { text, pos: start };
    p.skip_ws();
    let name = p.ident()?;
    p.skip_ws();
    if !p.eat("(") {
        if name == "end" && p.eat(close) {
            return Some((name, Map::new(), p.pos));
        }
        return None;
    }
    let args = p.args()?;
    p.skip_ws();
    if !p.eat(close) {
        return None;
    }
    Some((name, args, p.pos))
}

struct Cursor<'a> {
    text: &'a str,
    pos: usize,
}

impl Cursor<'_> {
    fn rest(&self) -> &str {
        &self.text[self.pos..]
    }
    fn skip_ws(&mut self) {
        let rest = self.rest();
        self.pos += rest.len() - rest.trim_start().len();
    }
    fn eat(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }
    fn ident(&mut self) -> Option<String> {
        let rest = self.rest();
        let mut chars = rest.char_indices();
        match chars.next() {
            Some((_, c)) if c.is_ascii_alphabetic() || c == '_' => {}
            _ => return None,
        }
        let end = chars
            .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '_'))
            .map_or(rest.len(), |(i, _)| i);
        let name = rest[..end].to_string();
        self.pos += end;
        Some(name)
    }
    /// `key=value` pairs up to `)`: separated by commas, or by nothing but
    /// white space (Zola's grammar repeats its comma-separated groups);
    /// no trailing comma.
    fn args(&mut self) -> Option<Map<String, Value>> {
        let mut args = Map::new();
        let mut after_comma = false;
        loop {
            self.skip_ws();
            if !after_comma && self.eat(")") {
                return Some(args);
            }
            let key = self.ident()?;
            self.skip_ws();
            if !self.eat("=") {
                return None;
            }
            self.skip_ws();
            let value = self.value()?;
            args.insert(key, value);
            self.skip_ws();
            after_comma = self.eat(",");
        }
    }
    /// A literal of Zola's grammar: a string (no escapes), a boolean, an
    /// integer, a float (digits on both sides of the dot) or a list.
    fn value(&mut self) -> Option<Value> {
        let text = self.text;
        let rest = &text[self.pos..];
        let first = rest.chars().next()?;
        match first {
            '"' | '\'' | '`' => {
                let end = rest[1..].find(first)?;
                let s = rest[1..1 + end].to_string();
                self.pos += end + 2;
                Some(Value::String(s))
            }
            '[' => {
                self.pos += 1;
                let mut items = Vec::new();
                loop {
                    self.skip_ws();
                    if self.eat("]") {
                        return Some(Value::Array(items));
                    }
                    items.push(self.value()?);
                    self.skip_ws();
                    if self.eat(",") {
                        continue;
                    }
                    if self.eat("]") {
                        return Some(Value::Array(items));
                    }
                    return None;
                }
            }
            _ => {
                for word in ["true", "false"] {
                    if rest.starts_with(word) {
                        self.pos += word.len();
                        return Some(Value::Bool(word == "true"));
                    }
                }
                let number = number_prefix(rest)?;
                self.pos += number.len();
                if let Ok(i) = number.parse::<i64>() {
                    Some(Value::Number(i.into()))
                } else {
                    number
                        .parse::<f64>()
                        .ok()
                        .and_then(Number::from_f64)
                        .map(Value::Number)
                }
            }
        }
    }
}

/// The longest number at the start of `text`: `-?(0|[1-9][0-9]*)(\.[0-9]+)?`.
fn number_prefix(text: &str) -> Option<&str> {
    let bytes = text.as_bytes();
    let mut i = usize::from(bytes.first() == Some(&b'-'));
    match bytes.get(i) {
        Some(b'0') => i += 1,
        Some(b'1'..=b'9') => {
            while bytes.get(i).is_some_and(u8::is_ascii_digit) {
                i += 1;
            }
        }
        _ => return None,
    }
    if bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        while bytes.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    Some(&text[..i])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn defs() -> ShortcodeDefinitions {
        ShortcodeDefinitions::from_template_names(
            ["shortcodes/note.html", "shortcodes/quote.md"].into_iter(),
        )
    }

    #[test]
    fn finds_inline_and_body_calls() {
        let text = "a {{ note(kind=\"info\", n=3, ok=true, l=[1, 'x']) }} b\n{% quote(by='Ada') %}\nhi *there*\n{% end %}\nc";
        let pieces = parse(text, &defs()).unwrap();
        assert_eq!(pieces.len(), 5);
        assert_eq!(pieces[0], Piece::Text(0..2));
        match &pieces[1] {
            Piece::Call(c) => {
                assert_eq!(c.name, "note");
                assert_eq!(c.args["kind"], "info");
                assert_eq!(c.args["n"], 3);
                assert_eq!(c.args["l"][1], "x");
            }
            other => panic!("{other:?}"),
        }
        match &pieces[3] {
            Piece::Call(c) => assert_eq!(c.body.as_deref(), Some("hi *there*")),
            other => panic!("{other:?}"),
        }
    }

    /// The text the pieces keep, calls left out.
    fn kept(text: &str, pieces: &[Piece]) -> String {
        pieces
            .iter()
            .map(|p| match p {
                Piece::Text(range) => &text[range.clone()],
                Piece::Call(_) => "<call>",
            })
            .collect()
    }

    #[test]
    fn escapes_and_non_calls_stay_text() {
        let text = "{{/* note(a=1) */}} and {{ page.title }}";
        let pieces = parse(text, &defs()).unwrap();
        assert_eq!(kept(text, &pieces), "{{ note(a=1) }} and {{ page.title }}");
        let text = "a {%/* quote() */%}\nb {{/* unclosed {{/* note() */}} {{ note() }}";
        let pieces = parse(text, &defs()).unwrap();
        assert_eq!(
            kept(text, &pieces),
            "a {% quote() %}\nb {{ unclosed {{/* note() }} <call>"
        );
        let text = "{{/* x {{/* y {%/* z";
        assert_eq!(kept(text, &parse(text, &defs()).unwrap()), text);
    }

    #[test]
    fn reads_calls_as_zola_grammar_does() {
        // Arguments separated by white space only, negative and float numbers.
        let pieces = parse("{{ note(a=1 b=-2.5\n c='x') }}", &defs()).unwrap();
        match &pieces[0] {
            Piece::Call(c) => {
                assert_eq!(c.args["a"], 1);
                assert_eq!(c.args["b"], -2.5);
                assert_eq!(c.args["c"], "x");
            }
            other => panic!("{other:?}"),
        }
        // Malformed calls, a body without its end, a stray `)` or `{% end %}`:
        // all plain text, as Zola prints them.
        for text in [
            "{{ note(a=1,) }}",
            "{{ note(a=) }}",
            "{{ note(a=1 }}",
            "{% quote(by='x') %} never closed",
            "`fn f() {{ g()) }}`",
            "{% end %}",
            "{{ note(a=.5) }}",
        ] {
            assert_eq!(
                parse(text, &defs()).unwrap(),
                vec![Piece::Text(0..text.len())],
                "{text}"
            );
        }
    }

    #[test]
    fn unknown_shortcode_is_an_error() {
        let err = parse("x {{ nope(a=1) }}", &defs()).unwrap_err();
        assert_eq!(err.0, 2);
        assert!(err.1.contains("unknown shortcode `nope`"));
    }
}
