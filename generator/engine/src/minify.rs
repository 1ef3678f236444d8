//! The theme's CSS and JavaScript, minified as they are published: the
//! theme keeps its readable, commented source; the site ships it without
//! comments and needless white space. The site's own static files are
//! copied as they are, as Zola copies them.

use std::path::Path;

/// The minified text of a theme's `.css` or `.js` file, `None` for any
/// other file or one already minified (`*.min.css`, `*.min.js`).
pub(crate) fn minified(path: &Path, text: &str) -> Option<Result<String, String>> {
    let name = path.file_name()?.to_str()?;
    if name.ends_with(".min.css") || name.ends_with(".min.js") {
        return None;
    }
    let result = match path.extension()?.to_str()? {
        "css" => minifier::css::minify(text).map(|m| m.to_string()),
        "js" => minifier::js::minify(text).map(|m| m.to_string()),
        _ => return None,
    };
    Some(
        result
            .map(|text| text.trim().to_string())
            .map_err(|why| format!("cannot minify it: {why}")),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn css_and_js_lose_comments_and_spaces_only() {
        let css = "/* A comment. */\n.a  >  .b {\n  color : red;\n  margin: 0 auto;\n}\n";
        let out = minified(Path::new("x.css"), css).unwrap().unwrap();
        assert!(!out.contains("comment") && !out.contains('\n'), "{out}");
        assert!(out.contains(".a>.b{color:red;margin:0 auto"), "{out}");
        let js = "/* Says hello. */\nfunction hello(name) {\n  // greet\n  return \"a  b \" + name;\n}\n";
        let out = minified(Path::new("x.js"), js).unwrap().unwrap();
        assert!(!out.contains("greet") && !out.contains("Says"), "{out}");
        assert!(
            out.contains("\"a  b \""),
            "strings keep their spaces: {out}"
        );
        assert!(minified(Path::new("x.min.js"), js).is_none());
        assert!(minified(Path::new("x.png"), "").is_none());
    }
}
