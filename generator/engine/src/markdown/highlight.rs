//! Syntax highlighting of fenced code as CSS classes (`z-` prefix, as Zola's
//! class mode), with syntect's built-in grammars loaded on first use only.

use std::sync::OnceLock;

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// Extra names people write after the fence.
fn alias(lang: &str) -> &str {
    match lang {
        "sh" | "shell" | "zsh" => "bash",
        "js" | "javascript" | "ts" | "typescript" => "js",
        "yml" => "yaml",
        "py" => "python",
        "rs" => "rust",
        "md" => "markdown",
        other => other,
    }
}

/// The code as HTML with class spans, or `None` when the language is unknown
/// (the caller then escapes it as plain text).
pub fn highlight(code: &str, lang: &str) -> Option<String> {
    let set = syntaxes();
    let lang = alias(lang);
    let syntax = set
        .find_syntax_by_token(lang)
        .or_else(|| set.find_syntax_by_extension(lang))?;
    let mut generator = ClassedHTMLGenerator::new_with_class_style(
        syntax,
        set,
        ClassStyle::SpacedPrefixed { prefix: "z-" },
    );
    for line in LinesWithEndings::from(code) {
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    Some(generator.finalize())
}

#[cfg(test)]
mod tests {
    #[test]
    fn highlights_rust_with_classes() {
        let html = super::highlight("fn main() {}\n", "rust").unwrap();
        assert!(html.contains("class=\"z-"), "{html}");
        assert!(super::highlight("x", "no-such-language").is_none());
    }
}
