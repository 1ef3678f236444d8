//! A limit on how deep YAML nests, checked before the parser runs.
//!
//! serde_yaml refuses values nested deeper than 128 levels, but only once
//! libyaml's scanner has read that far, and that scanner slows down with
//! the square of the depth of flow collections (`[[[[...`): 40,000 levels
//! take seconds to be refused. This scan reads the text once, in linear
//! time, and refuses flow collections opened deeper than serde_yaml
//! accepts anyway: no document it would read is refused here.

/// Deepest nesting accepted: serde_yaml's own limit.
pub const MAX_DEPTH: usize = 128;

/// Where a YAML text opens a flow collection (`[` or `{`) deeper than
/// [`MAX_DEPTH`]: its 1-based line and column (in bytes), if anywhere.
pub fn too_deep_yaml(text: &str) -> Option<(usize, usize)> {
    Scan::new(text.as_bytes()).run()
}

/// The message for a text that nests too deep.
pub fn too_deep_message() -> String {
    format!("values nested more than {MAX_DEPTH} levels deep: flatten the lists and sets of fields")
}

struct Scan<'a> {
    text: &'a [u8],
    pos: usize,
    line: usize,
    line_start: usize,
    /// Open flow collections; 0 in block context.
    depth: usize,
    /// Whether the next character that is not a space starts a value.
    node_start: bool,
}

impl<'a> Scan<'a> {
    fn new(text: &'a [u8]) -> Self {
        Scan {
            text,
            pos: 0,
            line: 1,
            line_start: 0,
            depth: 0,
            node_start: true,
        }
    }

    fn peek(&self, ahead: usize) -> Option<u8> {
        self.text.get(self.pos + ahead).copied()
    }

    /// Whether the byte after the current one ends a token.
    fn blank_after(&self) -> bool {
        matches!(self.peek(1), None | Some(b' ' | b'\t' | b'\r' | b'\n'))
    }

    fn newline(&mut self) {
        self.pos += 1;
        self.line += 1;
        self.line_start = self.pos;
    }

    fn run(mut self) -> Option<(usize, usize)> {
        while let Some(b) = self.peek(0) {
            match b {
                b'\n' => {
                    self.newline();
                    if self.depth == 0 {
                        self.node_start = true;
                    }
                    continue;
                }
                b' ' | b'\t' | b'\r' => {}
                b'#' if self.after_blank() => {
                    self.skip_line();
                    continue;
                }
                b'"' | b'\'' if self.node_start => {
                    self.skip_quoted();
                    self.node_start = false;
                    continue;
                }
                b'[' | b'{' if self.depth > 0 || self.node_start => {
                    self.depth += 1;
                    if self.depth > MAX_DEPTH {
                        return Some((self.line, self.pos - self.line_start + 1));
                    }
                    self.node_start = true;
                }
                b']' | b'}' if self.depth > 0 => {
                    self.depth -= 1;
                    self.node_start = false;
                }
                b',' if self.depth > 0 => self.node_start = true,
                b':' if self.depth > 0 || self.blank_after() => self.node_start = true,
                b'-' | b'?' if self.depth == 0 && self.node_start && self.blank_after() => {}
                b'|' | b'>' if self.depth == 0 && self.node_start => {
                    self.skip_block_scalar();
                    continue;
                }
                b'&' | b'!' if self.node_start => {
                    // An anchor or a tag comes before the value it names.
                    while !matches!(self.peek(0), None | Some(b' ' | b'\t' | b'\n')) {
                        self.pos += 1;
                    }
                    continue;
                }
                _ => self.node_start = false,
            }
            self.pos += 1;
        }
        None
    }

    /// A `#` starts a comment at the start of a line or after a blank.
    fn after_blank(&self) -> bool {
        self.pos == 0 || matches!(self.text[self.pos - 1], b' ' | b'\t' | b'\n' | b'\r')
    }

    fn skip_line(&mut self) {
        while !matches!(self.peek(0), None | Some(b'\n')) {
            self.pos += 1;
        }
    }

    /// A quoted scalar, which may span lines.
    fn skip_quoted(&mut self) {
        let end = quoted_end(self.text, self.pos);
        if let Some(last) = self.text[self.pos..end].iter().rposition(|&b| b == b'\n') {
            self.line += self.text[self.pos..end]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            self.line_start = self.pos + last + 1;
        }
        self.pos = end;
    }

    /// `|` or `>`: the rest of the line, then every line more indented
    /// than the one holding the indicator (or blank) is text.
    fn skip_block_scalar(&mut self) {
        let indent = indentation(&self.text[self.line_start..]);
        self.skip_line();
        while self.peek(0) == Some(b'\n') {
            self.newline();
            let rest = &self.text[self.pos..];
            let line_end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            let line = &rest[..line_end];
            let blank = line.iter().all(|b| matches!(b, b' ' | b'\t' | b'\r'));
            if !blank && indentation(line) <= indent {
                break;
            }
            self.pos += line_end;
        }
        self.node_start = true;
    }
}

/// The end (exclusive) of the quoted scalar opening at `start`: `"` with
/// `\` escapes, `'` with `''` for a quote; the end of the text when it is
/// not closed.
pub fn quoted_end(text: &[u8], start: usize) -> usize {
    let quote = text[start];
    let mut i = start + 1;
    while let Some(&b) = text.get(i) {
        match b {
            b'\\' if quote == b'"' => i += 1,
            b'\'' if quote == b'\'' && text.get(i + 1) == Some(&b'\'') => i += 1,
            b if b == quote => return i + 1,
            _ => {}
        }
        i += 1;
    }
    text.len()
}

fn indentation(line: &[u8]) -> usize {
    line.iter().take_while(|&&b| b == b' ').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(depth: usize) -> String {
        format!("a: {}{}\n", "[".repeat(depth), "]".repeat(depth))
    }

    #[test]
    fn refuses_flow_nesting_past_the_limit_with_its_position() {
        assert_eq!(too_deep_yaml(&nested(MAX_DEPTH)), None);
        assert_eq!(
            too_deep_yaml(&format!("x: 1\n{}", nested(40_000))),
            Some((2, 4 + MAX_DEPTH))
        );
        assert_eq!(
            too_deep_yaml(&"- {a: ".repeat(MAX_DEPTH + 1)),
            Some((1, 6 * MAX_DEPTH + 3))
        );
    }

    #[test]
    fn brackets_in_text_do_not_count() {
        let many = "[".repeat(MAX_DEPTH + 1);
        for text in [
            format!("title: Voir {many}\n"),
            format!("title: \"{many}\"\n"),
            format!("title: '{many} l''été'\n"),
            format!("title: \"a\\\" {many}\"\n"),
            format!("list: [\"{many}\", '{many}']\n"),
            format!("text: |\n  {many}\n\n  {many}\nnext: 1\n"),
            format!("- >-\n    {many}\n- b\n"),
            format!("# {many}\nkey: 1 # {many}\n"),
        ] {
            assert_eq!(too_deep_yaml(&text), None, "{text}");
        }
        // After a block scalar, values are read again.
        let deep = MAX_DEPTH + 1;
        let text = format!(
            "text: |\n  ok\nnext: {}{}\n",
            "[".repeat(deep),
            "]".repeat(deep)
        );
        assert_eq!(too_deep_yaml(&text), Some((3, 7 + MAX_DEPTH)));
    }

    #[test]
    fn every_document_serde_yaml_reads_is_accepted() {
        for text in [
            "a: [1, [2, {b: [3]}]]\n",
            "? [a]\n: b\n",
            "- &x [1]\n- *x\n- !!str [2]\n",
            "a: {b: \"x, ] }\", c: 'y'}\n",
        ] {
            serde_yaml::from_str::<serde_yaml::Value>(text).unwrap();
            assert_eq!(too_deep_yaml(text), None, "{text}");
        }
    }
}
