//! `compile_sass`: every `.scss` and `.sass` file of the theme's `sass/`
//! folder, then of the site's, compiled (compressed, as Zola does) to a
//! `.css` file at the same relative path in the output. Files and folders
//! whose name starts with `_` are partials: only imported, never written.

use std::path::{Path, PathBuf};

use crate::error::Diagnostic;

/// The compiled style sheets: (output path, CSS). The site's win over the
/// theme's at the same path.
pub(crate) fn compile_all(
    root: &Path,
    theme: Option<&str>,
) -> Result<Vec<(String, Vec<u8>)>, Diagnostic> {
    let mut dirs = Vec::new();
    if let Some(theme) = theme {
        dirs.push(root.join("themes").join(theme).join("sass"));
    }
    dirs.push(root.join("sass"));
    let mut out: std::collections::BTreeMap<String, Vec<u8>> = Default::default();
    for dir in dirs {
        for (relative, source) in sources(&dir) {
            let css = compile(&source).map_err(|message| {
                Diagnostic::new(source.strip_prefix(root).unwrap_or(&source), message)
            })?;
            out.insert(css_name(&relative), css.into_bytes());
        }
    }
    Ok(out.into_iter().collect())
}

/// The style sheets `compile_all` writes, without compiling them.
pub(crate) fn output_names(root: &Path, theme: Option<&str>) -> Vec<String> {
    let mut dirs = Vec::new();
    if let Some(theme) = theme {
        dirs.push(root.join("themes").join(theme).join("sass"));
    }
    dirs.push(root.join("sass"));
    let names: std::collections::BTreeSet<String> = dirs
        .iter()
        .flat_map(|dir| sources(dir))
        .map(|(relative, _)| css_name(&relative))
        .collect();
    names.into_iter().collect()
}

/// Where a Sass file's style sheet goes: its path with `.css`.
fn css_name(relative: &str) -> String {
    Path::new(relative)
        .with_extension("css")
        .to_string_lossy()
        .replace('\\', "/")
}

/// One file compiled, the syntax told by its extension.
pub(crate) fn compile(path: &Path) -> Result<String, String> {
    let syntax = if path.extension().is_some_and(|e| e == "sass") {
        grass::InputSyntax::Sass
    } else {
        grass::InputSyntax::Scss
    };
    let options = grass::Options::default()
        .style(grass::OutputStyle::Compressed)
        .input_syntax(syntax);
    grass::from_path(path, &options).map_err(|e| e.to_string())
}

/// Sass files that are not partials, with their path relative to `dir`.
fn sources(dir: &Path) -> Vec<(String, PathBuf)> {
    if !dir.is_dir() {
        return Vec::new();
    }
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('_'))
        .flatten()
        .filter(|e| e.file_type().is_file())
        .filter(|e| {
            e.path()
                .extension()
                .is_some_and(|x| x == "scss" || x == "sass")
        })
        .map(|e| {
            let relative = e
                .path()
                .strip_prefix(dir)
                .unwrap_or(e.path())
                .to_string_lossy()
                .replace('\\', "/");
            (relative, e.into_path())
        })
        .collect()
}
