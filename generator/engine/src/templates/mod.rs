//! Tera templates, as Zola sets them up: built-in templates for feeds,
//! sitemap, robots, 404 and aliases; a theme's templates; the site's own
//! templates overriding the theme's file by file.

pub(crate) mod analysis;
pub(crate) mod errors;
pub(crate) mod filters;
pub mod functions;
pub(crate) mod section_fields;
pub mod sources;
pub(crate) mod term_pages;
mod uses;

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use tera::Tera;

use crate::error::{tera_message, Diagnostic, Diagnostics, Result};
pub use errors::TemplateFiles;

/// Built-in templates: (name, source).
pub const BUILTINS: &[(&str, &str)] = &[
    (
        "__zola_builtins/atom.xml",
        include_str!("builtins/atom.xml"),
    ),
    ("__zola_builtins/rss.xml", include_str!("builtins/rss.xml")),
    (
        "__zola_builtins/sitemap.xml",
        include_str!("builtins/sitemap.xml"),
    ),
    (
        "__zola_builtins/split_sitemap_index.xml",
        include_str!("builtins/split_sitemap_index.xml"),
    ),
    (
        "__zola_builtins/robots.txt",
        include_str!("builtins/robots.txt"),
    ),
    (
        "__zola_builtins/404.html",
        include_str!("builtins/404.html"),
    ),
    (
        "__zola_builtins/anchor-link.html",
        include_str!("builtins/anchor-link.html"),
    ),
    (
        "__zola_builtins/default.html",
        include_str!("builtins/default.html"),
    ),
    ("internal/alias.html", include_str!("builtins/alias.html")),
];

/// Template file extensions Tera reads from `templates/`.
fn is_template(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("html" | "htm" | "xml" | "md" | "txt" | "json" | "ics" | "geojson" | "css" | "js")
    )
}

/// Every template under `dir`: (name relative to dir, path).
pub fn list_templates(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    if !dir.is_dir() {
        return out;
    }
    for entry in walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        if entry.file_type().is_file() && is_template(entry.path()) {
            let name = entry
                .path()
                .strip_prefix(dir)
                .unwrap_or(entry.path())
                .to_string_lossy()
                .replace('\\', "/");
            out.push((name, entry.path().to_path_buf()));
        }
    }
    out
}

/// Loads the built-ins, the theme's templates (also reachable as
/// `<theme>/templates/<name>`) and the site's, which win; with the file of
/// each name. A template that does not parse is reported once, under its
/// file, whatever names it has.
pub fn load(root: &Path, theme: Option<&str>) -> Result<(Tera, TemplateFiles)> {
    let mut sources: Vec<(String, String)> = BUILTINS
        .iter()
        .map(|(n, s)| (n.to_string(), s.to_string()))
        .collect();
    let mut files = TemplateFiles::new(root);
    let mut errors = Diagnostics::new();
    // Each file read once: (names, path, text).
    let mut read: Vec<(Vec<String>, PathBuf, String)> = Vec::new();
    let mut add = |names: Vec<String>, path: &Path| match std::fs::read_to_string(path) {
        Ok(text) => read.push((names, path.to_path_buf(), text)),
        Err(e) => errors.push(Diagnostic::new(
            path.strip_prefix(root).unwrap_or(path),
            format!("cannot read the template: {e}"),
        )),
    };
    let site_templates = list_templates(&root.join("templates"));
    if let Some(theme) = theme {
        let theme_dir = root.join("themes").join(theme);
        if !theme_dir.is_dir() {
            return Err(Diagnostic::new(
                "config.toml",
                format!("theme `{theme}` not found: expected a folder themes/{theme}/"),
            )
            .field("theme")
            .into());
        }
        for (name, path) in list_templates(&theme_dir.join("templates")) {
            let mut names = vec![format!("{theme}/templates/{name}")];
            if !site_templates.iter().any(|(n, _)| *n == name) {
                names.push(name);
            }
            add(names, &path);
        }
    }
    for (name, path) in &site_templates {
        add(vec![name.clone()], path);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    for (names, path, text) in &read {
        for name in names {
            files.insert(name.clone(), path);
            sources.push((name.clone(), text.clone()));
        }
    }
    // Each file parsed once, in parallel, even when it goes by two names
    // (a theme's template is also its plain name): what Tera's
    // `add_raw_templates` does, without parsing a theme twice.
    let parsed: Vec<_> = read
        .par_iter()
        .map(|(names, _, text)| tera::Template::new(&names[0], None, text))
        .collect();
    let builtins: Vec<_> = BUILTINS
        .par_iter()
        .map(|(name, text)| tera::Template::new(name, None, text))
        .collect();
    let mut tera = Tera::default();
    for ((names, _, _), template) in read.iter().zip(parsed) {
        match template {
            Ok(template) => {
                for name in &names[1..] {
                    let mut also = template.clone();
                    also.name = name.clone();
                    tera.templates.insert(name.clone(), also);
                }
                tera.templates.insert(names[0].clone(), template);
            }
            Err(e) => errors.push(files.syntax_error(&names[0], &e)),
        }
    }
    for ((name, _), template) in BUILTINS.iter().zip(builtins) {
        let template = template.expect("the built-in templates parse");
        tera.templates.insert(name.to_string(), template);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if let Err(all) = tera
        .build_inheritance_chains()
        .and_then(|()| tera.check_macro_files())
    {
        // Not a syntax error: a template extends one that is missing.
        let message = tera_message(&all);
        let file = message
            .split('\'')
            .nth(1)
            .and_then(|name| files.file(name))
            .map_or_else(|| PathBuf::from("templates"), Path::to_path_buf);
        errors.push(Diagnostic::new(file, message));
        return Err(errors);
    }
    tera.autoescape_on(vec![".html", ".htm", ".xml"]);
    // Tera's own escape, written by runs rather than a character at a time.
    tera.set_escape_fn(maillage_model::markup::template_escape);
    term_pages::leave_out_unread(&mut tera);
    section_fields::keep_read_fields(&mut tera);
    let texts = sources
        .iter()
        .map(|(n, s)| (n.clone(), s.as_str()))
        .collect();
    files.closures = self::sources::closures(&tera, &texts);
    files.fields_read = section_fields::FieldsRead::of(&tera);
    Ok((tera, files))
}

/// Zola's lookup: the site's (or theme's) template, else the built-in one.
pub fn resolve(tera: &Tera, name: &str, theme: Option<&str>) -> Option<String> {
    if tera.get_template(name).is_ok() {
        return Some(name.to_string());
    }
    if let Some(theme) = theme {
        let themed = format!("{theme}/templates/{name}");
        if tera.get_template(&themed).is_ok() {
            return Some(themed);
        }
    }
    let builtin = format!("__zola_builtins/{name}");
    if tera.get_template(&builtin).is_ok() {
        return Some(builtin);
    }
    if matches!(
        name,
        "index.html" | "section.html" | "page.html" | "taxonomy_list.html" | "taxonomy_single.html"
    ) {
        return Some("__zola_builtins/default.html".to_string());
    }
    None
}

#[cfg(test)]
mod tests {
    /// Pages must stay byte for byte Zola's: the escape templates use is
    /// Tera's, on every kind of text.
    #[test]
    fn the_template_escape_is_teras() {
        let pieces = [
            "", "a", "&", "<", ">", "\"", "'", "/", "\u{1}", "\t", "é", "€", "😀", "x/y", "&amp;",
            "\u{7f}", "\u{a0}", " ",
        ];
        let mut checked = 0;
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let text = format!("{a}{b}{c}{a}");
                    assert_eq!(
                        maillage_model::markup::template_escape(&text),
                        tera::escape_html(&text),
                        "{text:?}"
                    );
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, pieces.len().pow(3));
        let long = "Rencontre « Débranché » à l'école / salle 2 <b>&</b> ".repeat(500);
        assert_eq!(
            maillage_model::markup::template_escape(&long),
            tera::escape_html(&long)
        );
    }
}
