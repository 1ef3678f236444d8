//! Tera templates, as Zola sets them up: built-in templates for feeds,
//! sitemap, robots, 404 and aliases; a theme's templates; the site's own
//! templates overriding the theme's file by file.

pub mod analysis;
pub mod filters;
pub mod functions;

use std::path::{Path, PathBuf};

use tera::Tera;

use crate::error::{tera_message, Diagnostic, Diagnostics, Result};

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
/// `<theme>/templates/<name>`) and the site's, which win.
pub fn load(root: &Path, theme: Option<&str>) -> Result<Tera> {
    let mut sources: Vec<(String, String)> = BUILTINS
        .iter()
        .map(|(n, s)| (n.to_string(), s.to_string()))
        .collect();
    let mut errors = Diagnostics::new();
    let mut read = |name: String, path: &Path, sources: &mut Vec<(String, String)>| {
        match std::fs::read_to_string(path) {
            Ok(text) => sources.push((name, text)),
            Err(e) => errors.push(Diagnostic::new(
                path.strip_prefix(root).unwrap_or(path),
                format!("cannot read the template: {e}"),
            )),
        }
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
            read(format!("{theme}/templates/{name}"), &path, &mut sources);
            if !site_templates.iter().any(|(n, _)| *n == name) {
                read(name, &path, &mut sources);
            }
        }
    }
    for (name, path) in &site_templates {
        read(name.clone(), path, &mut sources);
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut tera = Tera::default();
    if let Err(all) = tera.add_raw_templates(sources.iter().map(|(n, s)| (n.as_str(), s.as_str())))
    {
        // Tera stops at the first broken template: parse them one by one
        // so that every broken template is reported.
        for (name, text) in &sources {
            if let Err(e) = tera::Template::new(name, None, text) {
                errors.push(template_error(name, theme, &e));
            }
        }
        if errors.is_empty() {
            errors.push(Diagnostic::new("templates", tera_message(&all)));
        }
        return Err(errors);
    }
    tera.autoescape_on(vec![".html", ".htm", ".xml"]);
    Ok(tera)
}

fn template_error(name: &str, theme: Option<&str>, err: &tera::Error) -> Diagnostic {
    let file = match theme {
        Some(t) if name.starts_with(&format!("{t}/templates/")) => format!("themes/{name}"),
        _ if name.starts_with("__zola_builtins/") || name.starts_with("internal/") => {
            name.to_string()
        }
        _ => format!("templates/{name}"),
    };
    let message = tera_message(err);
    // Tera's parse errors carry "--> line:col".
    let flat = message.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut d = Diagnostic::new(file, flat);
    if let Some(pos) = message.find("--> ") {
        let rest = &message[pos + 4..];
        let mut parts = rest
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty());
        if let (Some(l), Some(c)) = (parts.next(), parts.next()) {
            if let (Ok(l), Ok(c)) = (l.parse(), c.parse()) {
                d = d.at(l, Some(c));
            }
        }
    }
    d
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
