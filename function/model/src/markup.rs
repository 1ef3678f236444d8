//! The one escape for text put into HTML or XML, in the two forms the
//! site needs: the project's own, and the one templates apply to what they
//! print (Tera's, which Zola's output shows).

/// Escapes `text` for HTML or XML content and attribute values: `&`, `<`,
/// `>`, `"` and `'` become references, and control characters that XML 1.0
/// cannot carry are dropped (tab, line feed and carriage return stay).
pub fn escape(text: &str) -> String {
    escape_by(text, &XML)
}

/// Escapes `text` as templates do when they print a value without `safe`:
/// Tera's escape, `/` and `'` written as hexadecimal references, so that
/// pages are byte for byte those Zola writes.
pub fn template_escape(text: &str) -> String {
    escape_by(text, &TEMPLATES)
}

/// What each byte becomes: kept (`None`), dropped (`Some("")`) or a
/// reference. Every byte a table changes is ASCII, so runs of kept bytes
/// split no character.
type Table = [Option<&'static str>; 256];

const fn table(quote: &'static str, slash: Option<&'static str>, drop_controls: bool) -> Table {
    let mut t = [None; 256];
    if drop_controls {
        let mut b = 0;
        while b < 0x20 {
            if !matches!(b, b'\t' | b'\n' | b'\r') {
                t[b as usize] = Some("");
            }
            b += 1;
        }
    }
    t[b'&' as usize] = Some("&amp;");
    t[b'<' as usize] = Some("&lt;");
    t[b'>' as usize] = Some("&gt;");
    t[b'"' as usize] = Some("&quot;");
    t[b'\'' as usize] = Some(quote);
    t[b'/' as usize] = slash;
    t
}

static XML: Table = table("&#39;", None, true);
static TEMPLATES: Table = table("&#x27;", Some("&#x2F;"), false);

/// Copies `text` by runs of kept bytes, writing each other byte as `table`
/// says: most text has few bytes to escape.
fn escape_by(text: &str, table: &Table) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8 + 8);
    let mut kept_from = 0;
    for (i, &b) in text.as_bytes().iter().enumerate() {
        if let Some(written) = table[b as usize] {
            out.push_str(&text[kept_from..i]);
            out.push_str(written);
            kept_from = i + 1;
        }
    }
    out.push_str(&text[kept_from..]);
    out
}

#[cfg(test)]
mod tests {
    use super::{escape, template_escape};

    #[test]
    fn escapes_markup_quotes_and_drops_xml_invalid_characters() {
        assert_eq!(
            escape("<a href=\"x\">l'été & co</a>"),
            "&lt;a href=&quot;x&quot;&gt;l&#39;été &amp; co&lt;/a&gt;"
        );
        assert_eq!(escape("a\u{1}b\tc\nd"), "ab\tc\nd");
    }

    #[test]
    fn templates_escape_slashes_and_keep_control_characters() {
        assert_eq!(
            template_escape("<a href='/x'>é & \u{1}</a>"),
            "&lt;a href=&#x27;&#x2F;x&#x27;&gt;é &amp; \u{1}&lt;&#x2F;a&gt;"
        );
        assert_eq!(template_escape(""), "");
        assert_eq!(escape("ÿ/\u{1F600}"), "ÿ/\u{1F600}");
    }
}
