//! The one escape for text put into HTML or XML.

/// Escapes `text` for HTML or XML content and attribute values: `&`, `<`,
/// `>`, `"` and `'` become references, and control characters that XML 1.0
/// cannot carry are dropped (tab, line feed and carriage return stay).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup_quotes_and_drops_xml_invalid_characters() {
        assert_eq!(
            escape("<a href=\"x\">l'été & co</a>"),
            "&lt;a href=&quot;x&quot;&gt;l&#39;été &amp; co&lt;/a&gt;"
        );
        assert_eq!(escape("a\u{1}b\tc\nd"), "ab\tc\nd");
    }
}
