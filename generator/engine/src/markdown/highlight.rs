//! Syntax highlighting of fenced code, in the markup Zola 0.22 writes
//! (`<pre class="giallo">`, one `<span class="giallo-l">` per line, inline
//! styles or `z-` classes with a generated `giallo.css`).
//!
//! Zola highlights with Giallo, which is under the EUPL (copyleft) and
//! builds Oniguruma from C. Maillage (MIT or Apache-2.0) keeps syntect
//! (MIT) and its Sublime grammars, and reads the same themes: VS Code JSON
//! themes, those of `extra_themes` and the ones Giallo ships (from the
//! MIT-licensed `tm-themes` package, see `themes/NOTICE`; only their editor
//! and token colours are kept). The markup, the classes and the colours of a
//! theme's rules are Zola's; where the two grammars cut a line into tokens
//! differently, the spans differ.

use std::collections::BTreeMap;
use std::path::Path;
use std::str::FromStr;
use std::sync::OnceLock;

use serde_json::{Map, Value};
use syntect::highlighting::{
    Color, FontStyle, Highlighter as ThemeHighlighter, ScopeSelectors, Style, StyleModifier, Theme,
    ThemeItem, ThemeSettings,
};
use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

use maillage_model::markup::escape;

fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(SyntaxSet::load_defaults_newlines)
}

/// The themes Giallo ships, by name (VS Code JSON, reduced).
fn builtin_themes() -> &'static Map<String, Value> {
    static THEMES: OnceLock<Map<String, Value>> = OnceLock::new();
    THEMES.get_or_init(|| {
        serde_json::from_str(include_str!("themes/themes.json")).unwrap_or_default()
    })
}

/// Extra names people write after the fence.
fn alias(lang: &str) -> &str {
    match lang {
        "sh" | "shell" | "zsh" | "console" => "bash",
        "js" | "javascript" | "jsx" | "ts" | "typescript" | "tsx" => "js",
        "yml" => "yaml",
        "py" | "python3" => "python",
        "rs" => "rust",
        "md" => "markdown",
        "c++" => "cpp",
        "golang" => "go",
        other => other,
    }
}

fn find_syntax(lang: &str) -> Option<&'static SyntaxReference> {
    let set = syntaxes();
    let lang = alias(lang);
    set.find_syntax_by_token(lang)
        .or_else(|| set.find_syntax_by_extension(lang))
        .filter(|s| s.name != "Plain Text")
}

/// Inline styles (Zola's default) or classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Inline,
    Class,
}

/// A theme and the colours Giallo takes from its editor settings.
#[derive(Debug, Clone)]
struct NamedTheme {
    name: String,
    theme: Theme,
    line_number: Option<Color>,
    line_highlight: Option<Color>,
}

impl NamedTheme {
    fn foreground(&self) -> Color {
        self.theme.settings.foreground.unwrap_or(Color::BLACK)
    }
    fn background(&self) -> Color {
        self.theme.settings.background.unwrap_or(Color::WHITE)
    }
}

/// `[markdown.highlighting]` made ready to use.
#[derive(Debug, Clone)]
pub struct Highlighter {
    mode: Mode,
    /// One theme, or light then dark.
    themes: Vec<NamedTheme>,
}

/// What the fence says besides the language: `linenos`, `linenostart=N`,
/// `hl_lines=1 3-4`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fence {
    pub lang: Option<String>,
    pub line_numbers: bool,
    pub line_number_start: usize,
    pub highlighted: Vec<(usize, usize)>,
}

impl Fence {
    pub fn parse(info: &str) -> Fence {
        let mut fence = Fence {
            line_number_start: 1,
            ..Fence::default()
        };
        for (i, part) in info.split(',').map(str::trim).enumerate() {
            let (key, value) = part
                .split_once('=')
                .map_or((part, ""), |(k, v)| (k.trim(), v.trim()));
            match key {
                "linenos" => fence.line_numbers = true,
                "linenostart" => fence.line_number_start = value.parse().unwrap_or(1),
                "hl_lines" => {
                    for range in value.split_whitespace() {
                        let (a, b) = range.split_once('-').unwrap_or((range, range));
                        if let (Ok(a), Ok(b)) = (a.parse(), b.parse()) {
                            fence.highlighted.push((a, b));
                        }
                    }
                }
                "" | "hide_lines" | "name" => {}
                lang if i == 0 => fence.lang = Some(lang.to_string()),
                _ => {}
            }
        }
        fence
    }

    fn is_highlighted(&self, line: usize) -> bool {
        self.highlighted
            .iter()
            .any(|&(a, b)| (a..=b).contains(&line))
    }
}

impl Highlighter {
    /// Reads the `[markdown.highlighting]` table; `root` is where
    /// `extra_themes` paths start.
    pub fn from_config(table: &Map<String, Value>, root: Option<&Path>) -> Result<Self, String> {
        let mut extra: BTreeMap<String, NamedTheme> = BTreeMap::new();
        if let Some(paths) = table.get("extra_themes").and_then(Value::as_array) {
            for path in paths.iter().filter_map(Value::as_str) {
                let file = root.map_or_else(|| Path::new(path).to_path_buf(), |r| r.join(path));
                let theme = load_theme_file(&file)?;
                extra.insert(theme.name.clone(), theme);
            }
        }
        let find = |name: &str| -> Result<NamedTheme, String> {
            if let Some(t) = extra.get(name) {
                return Ok(t.clone());
            }
            match builtin_themes().get(name) {
                Some(json) => vscode_theme(name, json),
                None => Err(format!(
                    "unknown highlighting theme `{name}`: use one Zola ships (such as catppuccin-mocha or github-light) or add it with extra_themes"
                )),
            }
        };
        let string = |key: &str| table.get(key).and_then(Value::as_str);
        let themes = match (string("theme"), string("light_theme"), string("dark_theme")) {
            (_, Some(light), Some(dark)) => vec![find(light)?, find(dark)?],
            (Some(theme), _, _) => vec![find(theme)?],
            _ => {
                return Err(
                    "[markdown.highlighting] needs `theme`, or `light_theme` and `dark_theme`"
                        .into(),
                )
            }
        };
        let mode = match string("style").unwrap_or("inline") {
            "inline" => Mode::Inline,
            "class" => Mode::Class,
            other => {
                return Err(format!(
                    "unknown highlighting style `{other}`: expected inline or class"
                ))
            }
        };
        Ok(Highlighter { mode, themes })
    }

    /// A fenced block as Zola 0.22 writes it with highlighting on.
    pub fn block(&self, fence: &Fence, code: &str) -> String {
        let syntax = fence.lang.as_deref().and_then(find_syntax);
        let data_lang = match syntax {
            Some(_) => fence.lang.clone().unwrap_or_default(),
            None => "plain".to_string(),
        };
        let mut out = String::with_capacity(code.len() * 3 + 128);
        out.push_str("<pre class=\"giallo");
        match self.mode {
            Mode::Class => out.push_str(" z-code\">"),
            Mode::Inline => {
                out.push_str("\" style=\"");
                if self.themes.len() > 1 {
                    out.push_str("color-scheme: light dark; ");
                }
                out.push_str(&format!(
                    "color: {}; background-color: {};\">",
                    self.css_color(|t| t.foreground()),
                    self.css_color(|t| t.background())
                ));
            }
        }
        out.push_str(&format!("<code data-lang=\"{}\">", escape(&data_lang)));
        let lines = tokens(syntax, code);
        let highlighters: Vec<ThemeHighlighter> = self
            .themes
            .iter()
            .map(|t| ThemeHighlighter::new(&t.theme))
            .collect();
        for (n, line) in lines.iter().enumerate() {
            if n > 0 {
                out.push('\n');
            }
            let number = fence.line_number_start + n;
            out.push_str("<span class=\"giallo-l");
            if fence.is_highlighted(n + 1) {
                match self.mode {
                    Mode::Class => out.push_str(" z-hl\">"),
                    Mode::Inline => {
                        out.push('"');
                        if let Some(c) = self.themes[0].line_highlight {
                            out.push_str(&format!(" style=\"background-color: {};\"", hex(c)));
                        }
                        out.push('>');
                    }
                }
            } else {
                out.push_str("\">");
            }
            if fence.line_numbers {
                out.push_str("<span aria-hidden=\"true\" class=\"giallo-ln\"");
                if self.mode == Mode::Inline {
                    if let Some(c) = self.themes[0].line_number {
                        out.push_str(&format!(" style=\"color: {};\"", hex(c)));
                    }
                }
                out.push_str(&format!(">{number}</span>"));
            }
            match self.mode {
                Mode::Inline => self.inline_line(line, &highlighters, &mut out),
                Mode::Class => class_line(line, &mut out),
            }
            out.push_str("</span>");
        }
        out.push_str("</code></pre>");
        out
    }

    fn css_color(&self, pick: impl Fn(&NamedTheme) -> Color) -> String {
        match &self.themes[..] {
            [light, dark] => format!("light-dark({}, {})", hex(pick(light)), hex(pick(dark))),
            [one, ..] => hex(pick(one)),
            [] => String::new(),
        }
    }

    fn inline_line(
        &self,
        line: &[(ScopeStack, String)],
        highlighters: &[ThemeHighlighter],
        out: &mut String,
    ) {
        // Adjacent tokens of one style share a span, as Giallo writes them.
        let mut pending: Option<(String, String)> = None;
        for (stack, text) in line {
            let styles: Vec<Style> = highlighters
                .iter()
                .map(|h| h.style_for_stack(stack.as_slice()))
                .collect();
            let css = self.inline_css(&styles);
            match &mut pending {
                Some((style, buffer)) if *style == css => buffer.push_str(text),
                _ => {
                    if let Some((style, buffer)) = pending.take() {
                        push_span(out, &style, &buffer);
                    }
                    pending = Some((css, text.clone()));
                }
            }
        }
        if let Some((style, buffer)) = pending {
            push_span(out, &style, &buffer);
        }
    }

    fn inline_css(&self, styles: &[Style]) -> String {
        let mut css = String::new();
        let defaults: Vec<Color> = self.themes.iter().map(NamedTheme::foreground).collect();
        let colours: Vec<Color> = styles.iter().map(|s| s.foreground).collect();
        if colours != defaults {
            match &colours[..] {
                [light, dark] => css.push_str(&format!(
                    "color: light-dark({}, {});",
                    hex(*light),
                    hex(*dark)
                )),
                [one] => css.push_str(&format!("color: {};", hex(*one))),
                _ => {}
            }
        }
        let font = styles.last().map(|s| s.font_style).unwrap_or_default();
        if font.contains(FontStyle::ITALIC) {
            css.push_str("font-style: italic;");
        }
        if font.contains(FontStyle::BOLD) {
            css.push_str("font-weight: bold;");
        }
        if font.contains(FontStyle::UNDERLINE) {
            css.push_str("text-decoration: underline;");
        }
        css
    }

    /// The style sheets class mode needs: `giallo.css`, or
    /// `giallo-light.css` and `giallo-dark.css` for two themes.
    pub fn css_files(&self) -> Vec<(String, String)> {
        if self.mode != Mode::Class {
            return Vec::new();
        }
        match &self.themes[..] {
            [light, dark] => vec![
                ("giallo-light.css".into(), theme_css(light)),
                ("giallo-dark.css".into(), theme_css(dark)),
            ],
            [one] => vec![("giallo.css".into(), theme_css(one))],
            _ => Vec::new(),
        }
    }
}

fn push_span(out: &mut String, style: &str, text: &str) {
    if style.is_empty() {
        out.push_str("<span>");
    } else {
        out.push_str(&format!("<span style=\"{style}\">"));
    }
    out.push_str(&escape(text));
    out.push_str("</span>");
}

/// The classes of a token: the atoms of its innermost scope, without the
/// language's name at the end (`keyword.other.rust` → `z-keyword z-other`).
fn class_line(line: &[(ScopeStack, String)], out: &mut String) {
    for (stack, text) in line {
        let classes = stack
            .as_slice()
            .last()
            .filter(|_| stack.as_slice().len() > 1)
            .map(scope_classes)
            .unwrap_or_default();
        if classes.is_empty() {
            out.push_str("<span>");
        } else {
            out.push_str(&format!("<span class=\"{classes}\">"));
        }
        out.push_str(&escape(text));
        out.push_str("</span>");
    }
}

fn scope_classes(scope: &Scope) -> String {
    let name = scope.build_string();
    let mut atoms: Vec<&str> = name.split('.').collect();
    if atoms.len() > 1 {
        atoms.pop();
    }
    atoms
        .iter()
        .map(|a| format!("z-{a}"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The code cut into lines of (scopes, text) tokens, without line ends.
fn tokens(syntax: Option<&SyntaxReference>, code: &str) -> Vec<Vec<(ScopeStack, String)>> {
    let code = code.strip_suffix('\n').unwrap_or(code);
    let mut lines = Vec::new();
    let Some(syntax) = syntax else {
        for line in code.split('\n') {
            lines.push(vec![(ScopeStack::new(), line.to_string())]);
        }
        return lines;
    };
    let set = syntaxes();
    let mut state = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    for line in LinesWithEndings::from(code) {
        let ops = state.parse_line(line, set).unwrap_or_default();
        let mut tokens = Vec::new();
        let mut pos = 0;
        for (at, op) in ops {
            if at > pos {
                tokens.push((stack.clone(), line[pos..at].to_string()));
                pos = at;
            }
            let _ = stack.apply(&op);
        }
        if pos < line.len() {
            tokens.push((stack.clone(), line[pos..].to_string()));
        }
        // The line end is written between the lines' spans.
        if let Some((_, last)) = tokens.last_mut() {
            while last.ends_with('\n') || last.ends_with('\r') {
                last.pop();
            }
        }
        tokens.retain(|(_, t)| !t.is_empty());
        if tokens.is_empty() {
            tokens.push((stack.clone(), String::new()));
        }
        lines.push(tokens);
    }
    lines
}

/// `#RRGGBB`, or `#RRGGBBAA` when not opaque, in capitals as Giallo writes.
fn hex(c: Color) -> String {
    if c.a == 0xFF {
        format!("#{:02X}{:02X}{:02X}", c.r, c.g, c.b)
    } else {
        format!("#{:02X}{:02X}{:02X}{:02X}", c.r, c.g, c.b, c.a)
    }
}

fn parse_color(text: &str) -> Option<Color> {
    let h = text.trim().strip_prefix('#')?;
    let byte = |i: usize| u8::from_str_radix(h.get(i..i + 2)?, 16).ok();
    let nibble = |i: usize| {
        u8::from_str_radix(h.get(i..i + 1)?, 16)
            .ok()
            .map(|n| n * 17)
    };
    match h.len() {
        3 | 4 => Some(Color {
            r: nibble(0)?,
            g: nibble(1)?,
            b: nibble(2)?,
            a: if h.len() == 4 { nibble(3)? } else { 0xFF },
        }),
        6 | 8 => Some(Color {
            r: byte(0)?,
            g: byte(2)?,
            b: byte(4)?,
            a: if h.len() == 8 { byte(6)? } else { 0xFF },
        }),
        _ => None,
    }
}

fn font_style(text: &str) -> FontStyle {
    let mut style = FontStyle::empty();
    for word in text.split_whitespace() {
        match word {
            "italic" => style |= FontStyle::ITALIC,
            "bold" => style |= FontStyle::BOLD,
            "underline" => style |= FontStyle::UNDERLINE,
            _ => {}
        }
    }
    style
}

/// A VS Code JSON theme as a syntect theme.
fn vscode_theme(name: &str, json: &Value) -> Result<NamedTheme, String> {
    let colors = json.get("colors").and_then(Value::as_object);
    let color = |key: &str| {
        colors
            .and_then(|c| c.get(key))
            .and_then(Value::as_str)
            .and_then(parse_color)
    };
    let dark = json.get("type").and_then(Value::as_str) != Some("light");
    let mut settings = ThemeSettings {
        foreground: color("editor.foreground").or(Some(if dark {
            Color::WHITE
        } else {
            Color::BLACK
        })),
        background: color("editor.background").or(Some(if dark {
            Color::BLACK
        } else {
            Color::WHITE
        })),
        ..ThemeSettings::default()
    };
    let mut scopes = Vec::new();
    for rule in json
        .get("tokenColors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let Some(style) = rule.get("settings").and_then(Value::as_object) else {
            continue;
        };
        let modifier = StyleModifier {
            foreground: style
                .get("foreground")
                .and_then(Value::as_str)
                .and_then(parse_color),
            background: style
                .get("background")
                .and_then(Value::as_str)
                .and_then(parse_color),
            font_style: style
                .get("fontStyle")
                .and_then(Value::as_str)
                .map(font_style),
        };
        let selectors = match rule.get("scope") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Array(list)) => list
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join(", "),
            _ => {
                // A rule without scope sets the defaults.
                if let Some(fg) = modifier.foreground {
                    settings.foreground = Some(fg);
                }
                if let Some(bg) = modifier.background {
                    settings.background = Some(bg);
                }
                continue;
            }
        };
        if let Ok(scope) = ScopeSelectors::from_str(&selectors) {
            scopes.push(ThemeItem {
                scope,
                style: modifier,
            });
        }
    }
    Ok(NamedTheme {
        name: json
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(name)
            .to_string(),
        theme: Theme {
            name: Some(name.to_string()),
            author: None,
            settings,
            scopes,
        },
        line_number: color("editorLineNumber.foreground"),
        line_highlight: color("editor.lineHighlightBackground"),
    })
}

/// A theme file of `extra_themes`: VS Code JSON, as Zola 0.22 reads them.
fn load_theme_file(path: &Path) -> Result<NamedTheme, String> {
    let shown = path.display();
    let text = std::fs::read_to_string(path).map_err(|e| format!("extra_themes: {shown}: {e}"))?;
    let json: Value =
        serde_json::from_str(&text).map_err(|e| format!("extra_themes: {shown}: {e}"))?;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_string())
        .unwrap_or_default();
    vscode_theme(&stem, &json)
}

/// A theme's rules as class rules, in Giallo's layout.
fn theme_css(theme: &NamedTheme) -> String {
    let mut css = format!(
        "/*\n * theme \"{}\" generated by Maillage\n */\n\n.z-code {{\n  color: {};\n  background-color: {};\n}}\n\n",
        theme.name,
        hex(theme.foreground()),
        hex(theme.background())
    );
    if let Some(c) = theme.line_highlight {
        css.push_str(&format!(
            ".z-hl {{\n  background-color: {};\n}}\n\n",
            hex(c)
        ));
    }
    if let Some(c) = theme.line_number {
        css.push_str(&format!(".giallo-ln {{\n  color: {};\n}}\n\n", hex(c)));
    }
    for item in &theme.theme.scopes {
        for selector in &item.scope.selectors {
            let Some(scope) = selector.path.as_slice().last() else {
                continue;
            };
            let classes: String = scope
                .build_string()
                .split('.')
                .map(|a| format!(".z-{a}"))
                .collect();
            let mut rule = String::new();
            if let Some(c) = item.style.foreground {
                rule.push_str(&format!("color: {}; ", hex(c)));
            }
            if let Some(f) = item.style.font_style {
                if f.contains(FontStyle::ITALIC) {
                    rule.push_str("font-style: italic; ");
                }
                if f.contains(FontStyle::BOLD) {
                    rule.push_str("font-weight: bold; ");
                }
            }
            if !rule.is_empty() {
                css.push_str(&format!("{classes} {{ {}}}\n", rule));
            }
        }
    }
    css
}

/// A fenced block with highlighting off, as Zola 0.22 writes it.
pub(crate) fn plain_block(fence: &Fence, code: &str) -> String {
    match &fence.lang {
        Some(lang) => format!(
            "<pre><code data-lang=\"{}\">{}</code></pre>\n",
            escape(lang),
            escape(code)
        ),
        None => format!("<pre><code>{}</code></pre>\n", escape(code)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn highlighter(table: &str) -> Highlighter {
        let value: toml::Table = toml::from_str(table).unwrap();
        let json = serde_json::to_value(value).unwrap();
        Highlighter::from_config(json.as_object().unwrap(), None).unwrap()
    }

    #[test]
    fn inline_markup_and_colours_of_the_theme() {
        let h = highlighter("theme = \"catppuccin-mocha\"");
        let html = h.block(&Fence::parse("rust"), "fn main() {}\n");
        assert!(
            html.starts_with("<pre class=\"giallo\" style=\"color: #CDD6F4; background-color: #1E1E2E;\"><code data-lang=\"rust\"><span class=\"giallo-l\">"),
            "{html}"
        );
        // catppuccin-mocha colours keywords #CBA6F7.
        assert!(
            html.contains("<span style=\"color: #CBA6F7;\">fn</span>"),
            "{html}"
        );
        assert!(html.ends_with("</span></span></code></pre>"), "{html}");
        let plain = h.block(&Fence::parse(""), "a < b\n");
        assert_eq!(
            plain,
            "<pre class=\"giallo\" style=\"color: #CDD6F4; background-color: #1E1E2E;\"><code data-lang=\"plain\"><span class=\"giallo-l\"><span>a &lt; b</span></span></code></pre>"
        );
    }

    #[test]
    fn line_numbers_highlighted_lines_dual_themes_and_classes() {
        let h = highlighter("theme = \"catppuccin-mocha\"");
        let html = h.block(&Fence::parse("txt,linenos,hl_lines=1"), "x\ny\n");
        assert_eq!(
            html,
            "<pre class=\"giallo\" style=\"color: #CDD6F4; background-color: #1E1E2E;\"><code data-lang=\"plain\"><span class=\"giallo-l\" style=\"background-color: #CDD6F412;\"><span aria-hidden=\"true\" class=\"giallo-ln\" style=\"color: #7F849C;\">1</span><span>x</span></span>\n<span class=\"giallo-l\"><span aria-hidden=\"true\" class=\"giallo-ln\" style=\"color: #7F849C;\">2</span><span>y</span></span></code></pre>"
        );
        let dual =
            highlighter("light_theme = \"catppuccin-latte\"\ndark_theme = \"catppuccin-mocha\"");
        let html = dual.block(&Fence::parse("rust"), "fn f() {}\n");
        assert!(html.contains("style=\"color-scheme: light dark; color: light-dark(#4C4F69, #CDD6F4); background-color: light-dark(#EFF1F5, #1E1E2E);\""), "{html}");
        assert!(
            html.contains("<span style=\"color: light-dark(#8839EF, #CBA6F7);\">fn</span>"),
            "{html}"
        );
        let classes = highlighter("theme = \"catppuccin-mocha\"\nstyle = \"class\"");
        let html = classes.block(&Fence::parse("rust"), "fn f() {}\n");
        assert!(
            html.starts_with("<pre class=\"giallo z-code\"><code data-lang=\"rust\">"),
            "{html}"
        );
        assert!(
            html.contains("<span class=\"z-entity z-name z-function\">f</span>"),
            "{html}"
        );
        let css = classes.css_files();
        assert_eq!(css[0].0, "giallo.css");
        assert!(css[0]
            .1
            .contains(".z-code {\n  color: #CDD6F4;\n  background-color: #1E1E2E;\n}"));
        assert!(
            css[0].1.contains(".z-keyword { color: #CBA6F7; }"),
            "{}",
            css[0].1
        );
    }

    #[test]
    fn unknown_themes_and_styles_are_errors() {
        let table = |t: &str| {
            let value: toml::Table = toml::from_str(t).unwrap();
            serde_json::to_value(value)
                .unwrap()
                .as_object()
                .unwrap()
                .clone()
        };
        assert!(Highlighter::from_config(&table("theme = \"nope\""), None).is_err());
        assert!(Highlighter::from_config(&table("theme = \"nord\"\nstyle = \"x\""), None).is_err());
        assert_eq!(
            plain_block(&Fence::parse("rust,linenos"), "a<b\n"),
            "<pre><code data-lang=\"rust\">a&lt;b\n</code></pre>\n"
        );
    }
}
