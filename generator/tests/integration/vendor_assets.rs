//! A theme's npm files declared in `theme.toml` `[extra.vendor]` are copied
//! into the built site, and a missing install is named with its fix.

use crate::common;

use std::path::Path;

fn options(root: &Path) -> maillage::BuildOptions {
    maillage::BuildOptions {
        extensions: maillage::extensions::standard(),
        ..common::options(root)
    }
}

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A one-page site whose theme declares two npm files.
fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "config.toml",
        "base_url = \"https://example.org\"\ntitle = \"T\"\ntheme = \"t\"\n",
    );
    write(root, "content/_index.md", "+++\ntitle = \"Accueil\"\n+++\n");
    write(
        root,
        "themes/t/templates/index.html",
        "<!DOCTYPE html><title>{{ section.title }}</title>",
    );
    write(
        root,
        "themes/t/theme.toml",
        "name = \"t\"\n\n[extra.vendor]\n\"lib/dist/lib.js\" = \"vendor/lib/lib.js\"\n\"lib/LICENSE\" = \"vendor/lib/LICENSE\"\n",
    );
    dir
}

#[test]
fn declared_files_are_copied_into_the_site() {
    let dir = site();
    let root = dir.path();
    write(
        root,
        "themes/t/node_modules/lib/dist/lib.js",
        "window.lib = 1;\n",
    );
    write(root, "themes/t/node_modules/lib/LICENSE", "MIT\n");
    maillage::build(&options(root)).expect("build");
    assert_eq!(
        common::read(root, "public/vendor/lib/lib.js"),
        "window.lib = 1;\n"
    );
    assert_eq!(common::read(root, "public/vendor/lib/LICENSE"), "MIT\n");
    // Not pages: the sitemap does not list them.
    assert!(!common::read(root, "public/sitemap.xml").contains("vendor/"));
}

#[test]
fn without_npm_install_the_build_says_to_run_npm_ci() {
    let dir = site();
    let errors = maillage::build(&options(dir.path())).unwrap_err();
    let text = errors.0.iter().map(|d| d.to_string()).collect::<Vec<_>>();
    assert_eq!(text.len(), 1, "{text:?}");
    assert!(text[0].starts_with("themes/t/theme.toml"), "{text:?}");
    assert!(
        text[0].contains("themes/t/node_modules/ is missing")
            && text[0].contains("run `npm ci` in themes/t/"),
        "{text:?}"
    );
    assert!(!dir.path().join("public").exists());
}

#[test]
fn a_missing_file_is_named_with_its_line() {
    let dir = site();
    let root = dir.path();
    write(root, "themes/t/node_modules/lib/LICENSE", "MIT\n");
    let errors = maillage::build(&options(root)).unwrap_err();
    assert_eq!(errors.len(), 1);
    let d = &errors.0[0];
    assert_eq!(d.line, Some(4));
    assert_eq!(d.field.as_deref(), Some("extra.vendor.\"lib/dist/lib.js\""));
    assert!(
        d.message
            .contains("cannot read themes/t/node_modules/lib/dist/lib.js")
            && d.message.contains("run `npm ci` in themes/t/"),
        "{d}"
    );
}

#[test]
fn the_demo_theme_declares_files_its_lock_file_installs() {
    // Every declared source belongs to a package of the theme's package.json.
    let theme = common::repo_root().join("themes/maillage");
    let manifest: toml::Table = common::read(&theme, "theme.toml").parse().unwrap();
    let package = common::read(&theme, "package.json");
    let vendor = manifest["extra"]["vendor"].as_table().unwrap();
    assert!(!vendor.is_empty());
    for from in vendor.keys() {
        let package_name = from.split('/').next().unwrap();
        assert!(
            package.contains(&format!("\"{package_name}\":")),
            "{from} is not from a dependency of themes/maillage/package.json"
        );
    }
}

/// The theme's CSS and JavaScript are published minified (its source stays
/// readable); the site's own static files and already minified ones are
/// copied as they are.
#[test]
fn theme_css_and_js_are_published_minified() {
    let dir = site();
    let root = dir.path();
    write(
        root,
        "themes/t/node_modules/lib/dist/lib.js",
        "window.lib = 1;\n",
    );
    write(root, "themes/t/node_modules/lib/LICENSE", "MIT\n");
    let css = "/* Theme colours. */\nbody {\n  color : #123;\n}\n";
    let js =
        "/* Greets. */\nfunction hello(name) {\n  return \"hello, \" + name; // with a comma\n}\n";
    write(root, "themes/t/static/css/t.css", css);
    write(root, "themes/t/static/js/t.js", js);
    write(
        root,
        "themes/t/static/js/done.min.js",
        "/* kept */ var a = 1;\n",
    );
    write(root, "static/own.css", css);
    maillage::build(&options(root)).expect("build");
    assert_eq!(common::read(root, "public/css/t.css"), "body{color:#123;}");
    let published = common::read(root, "public/js/t.js");
    assert_eq!(published, "function hello(name){return\"hello, \"+name;}");
    assert_eq!(
        common::read(root, "public/js/done.min.js"),
        "/* kept */ var a = 1;\n"
    );
    assert_eq!(common::read(root, "public/own.css"), css);
}
