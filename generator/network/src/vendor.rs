//! Third-party browser files a theme takes from npm.
//!
//! A theme lists them in its `theme.toml`, from its own `node_modules/`
//! (installed with `npm ci` from its lock file) to a path in the built site:
//!
//! ```toml
//! [extra.vendor]
//! "leaflet/dist/leaflet.js" = "vendor/leaflet/leaflet.js"
//! ```
//!
//! [`VendorAssets`] copies them into every build, so the site serves its own
//! copies: no CDN, no third-party request.

use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use crate::config::Config;
use crate::error::{line_col, Diagnostic, Diagnostics, Result, Source};
use crate::site::{Contribution, ExtraFile, SiteExtension};

/// The extension that copies a theme's declared npm files.
#[derive(Debug, Clone, Copy, Default)]
pub struct VendorAssets;

impl SiteExtension for VendorAssets {
    fn name(&self) -> &str {
        "vendor"
    }

    fn contribute(&self, root: &Path, config: &Arc<Config>) -> Result<Contribution> {
        let Some(theme) = config.theme.as_deref() else {
            return Ok(Contribution::default());
        };
        let theme_dir = Path::new("themes").join(theme);
        let manifest = theme_dir.join("theme.toml");
        let text = match std::fs::read_to_string(root.join(&manifest)) {
            Ok(text) => text,
            // A theme without theme.toml declares nothing.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Contribution::default())
            }
            Err(e) => return Err(Diagnostic::new(&manifest, format!("cannot read: {e}")).into()),
        };
        let entries = declared(&manifest, &text)?;
        if entries.is_empty() {
            return Ok(Contribution::default());
        }
        let modules = theme_dir.join("node_modules");
        if !root.join(&modules).is_dir() {
            return Err(Diagnostic::new(
                &manifest,
                format!(
                    "the theme's npm packages are not installed ({}/ is missing): run `npm ci` in {}/",
                    slash_path(&modules),
                    slash_path(&theme_dir)
                ),
            )
            .field("extra.vendor")
            .into());
        }
        let mut errors = Diagnostics::new();
        let mut files = Vec::with_capacity(entries.len());
        for entry in entries {
            let source = modules.join(&entry.from);
            match std::fs::read(root.join(&source)) {
                Ok(bytes) => files.push(ExtraFile {
                    source: Source::file(
                        &manifest,
                        entry.line,
                        format!("the theme's file `{}`", entry.from),
                    ),
                    path: entry.to,
                    bytes: bytes.into(),
                    in_sitemap: false,
                }),
                Err(e) => errors.push(
                    Diagnostic::new(
                        &manifest,
                        format!(
                            "cannot read {}: {e}; run `npm ci` in {}/ (the file may also have moved in a new version of the package)",
                            slash_path(&source),
                            slash_path(&theme_dir)
                        ),
                    )
                    .line(entry.line)
                    .field(format!("extra.vendor.\"{}\"", entry.from)),
                ),
            }
        }
        errors.into_result(Contribution {
            files,
            ..Contribution::default()
        })
    }

    /// The declared files under the theme's `node_modules/` (the manifest
    /// is the engine's input already).
    fn inputs(&self, root: &Path, config: &Config) -> Option<Vec<PathBuf>> {
        let Some(theme) = config.theme.as_deref() else {
            return Some(Vec::new());
        };
        let theme_dir = Path::new("themes").join(theme);
        let manifest = theme_dir.join("theme.toml");
        let Ok(text) = std::fs::read_to_string(root.join(&manifest)) else {
            return Some(Vec::new());
        };
        let modules = theme_dir.join("node_modules");
        match declared(&manifest, &text) {
            Ok(entries) => Some(entries.iter().map(|e| modules.join(&e.from)).collect()),
            // The build reports it; whatever it reads then is unknown.
            Err(_) => None,
        }
    }
}

/// One declared file: `from` under node_modules/, `to` in the site.
#[derive(Debug, Clone, PartialEq)]
struct VendorEntry {
    from: String,
    to: String,
    line: Option<usize>,
}

/// Reads `[extra.vendor]` from a theme.toml text, checking both paths.
fn declared(manifest: &Path, text: &str) -> Result<Vec<VendorEntry>> {
    let table: toml::Table = toml::from_str(text).map_err(|e| {
        let d = Diagnostic::new(manifest, e.message().to_string());
        match e.span() {
            Some(span) => {
                let (line, column) = line_col(text, span.start);
                d.at(line, Some(column))
            }
            None => d,
        }
    })?;
    let Some(vendor) = table.get("extra").and_then(|extra| extra.get("vendor")) else {
        return Ok(Vec::new());
    };
    let Some(vendor) = vendor.as_table() else {
        return Err(Diagnostic::new(
            manifest,
            "expected a table of \"package/file\" = \"path/in/site\"",
        )
        .field("extra.vendor")
        .into());
    };
    let mut errors = Diagnostics::new();
    let mut entries = Vec::with_capacity(vendor.len());
    for (from, to) in vendor {
        let line = key_line(text, from);
        let field = format!("extra.vendor.\"{from}\"");
        let Some(to) = to.as_str() else {
            errors.push(
                Diagnostic::new(manifest, "expected a path in the site, as a string")
                    .line(line)
                    .field(field),
            );
            continue;
        };
        for (path, what) in [(from.as_str(), "under node_modules/"), (to, "in the site")] {
            if !is_plain_relative(path) {
                errors.push(
                    Diagnostic::new(
                        manifest,
                        format!("`{path}` must be a relative path {what}, without `..`"),
                    )
                    .line(line)
                    .field(field.clone()),
                );
            }
        }
        entries.push(VendorEntry {
            from: from.clone(),
            to: to.to_string(),
            line,
        });
    }
    errors.into_result(entries)
}

/// A relative path that stays where it is put: no root, no `..`.
fn is_plain_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// Line of `"key" =` in the text, for messages.
fn key_line(text: &str, key: &str) -> Option<usize> {
    let quoted = format!("\"{key}\"");
    text.lines()
        .position(|l| {
            let l = l.trim_start();
            (l.starts_with(&quoted) || l.starts_with(key)) && l.contains('=')
        })
        .map(|i| i + 1)
}

fn slash_path(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_declared_files_with_their_lines() {
        let text =
            "name = \"t\"\n[extra.vendor]\n\"leaflet/dist/leaflet.js\" = \"vendor/leaflet.js\"\n";
        let entries = declared(Path::new("themes/t/theme.toml"), text).unwrap();
        assert_eq!(
            entries,
            vec![VendorEntry {
                from: "leaflet/dist/leaflet.js".into(),
                to: "vendor/leaflet.js".into(),
                line: Some(3),
            }]
        );
    }

    #[test]
    fn no_vendor_table_declares_nothing() {
        let entries = declared(Path::new("theme.toml"), "name = \"t\"\n").unwrap();
        assert!(entries.is_empty());
    }

    #[test]
    fn paths_leaving_their_folder_are_refused() {
        let text = "[extra.vendor]\n\"../secret\" = \"/etc/x\"\n\"a/b.js\" = \"../../b.js\"\n";
        let errors = declared(Path::new("themes/t/theme.toml"), text).unwrap_err();
        assert_eq!(errors.len(), 3);
        assert!(errors.0.iter().all(|d| d.message.contains("without `..`")));
        assert_eq!(errors.0[0].line, Some(2));
    }

    #[test]
    fn a_broken_manifest_names_its_line() {
        let errors = declared(Path::new("theme.toml"), "[extra.vendor\n").unwrap_err();
        assert_eq!(errors.0[0].line, Some(1));
    }
}
