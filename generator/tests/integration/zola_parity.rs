//! Differential tests against a real Zola binary, named by `MAILLAGE_ZOLA`:
//! each Zola fixture site is built with both, and Maillage must write every
//! file Zola writes, with the same visible text, feed items and sitemap URLs.
//! Without the binary these tests say so and pass; the assertion-based tests
//! of each fixture carry the coverage then.
//!
//! `zola_parity_of_any_site` compares any site folder, named by
//! `MAILLAGE_DIFF_SITE`, and prints the figures (see `tests/zola-diff`).

use crate::common;

use std::path::{Path, PathBuf};

use common::zola_diff::{build_with, compare, zola_binary, Report};

fn maillage_binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_maillage"))
}

fn diff(zola: &Path, site: &Path) -> (Report, String) {
    let out = tempfile::tempdir().unwrap();
    let (zola_out, maillage_out) = (out.path().join("zola"), out.path().join("maillage"));
    let z = build_with(zola, site, &zola_out);
    assert!(z.ok, "Zola fails on {}:\n{}", site.display(), z.log);
    let m = build_with(maillage_binary(), site, &maillage_out);
    assert!(m.ok, "Maillage fails on {}:\n{}", site.display(), m.log);
    let report = compare(&zola_out, &maillage_out);
    let text = report.describe();
    (report, text)
}

/// The fixture sites made to be built by Zola as well.
fn zola_fixtures() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/zola");
    let mut sites: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("config.toml").is_file() || p.join("zola.toml").is_file())
        .collect();
    sites.sort();
    sites
}

#[test]
fn fixtures_match_zola() {
    let Some(zola) = zola_binary() else {
        eprintln!("MAILLAGE_ZOLA is not set: the comparison with Zola is skipped");
        return;
    };
    for site in zola_fixtures() {
        let (report, text) = diff(&zola, &site);
        println!("{}\n{text}", site.display());
        assert!(report.missing.is_empty(), "{}: {text}", site.display());
        assert!(
            report.feed_differences.is_empty(),
            "{}: {text}",
            site.display()
        );
        assert!(
            report.sitemap_missing.is_empty() && report.sitemap_extra.is_empty(),
            "{}: {text}",
            site.display()
        );
        let (worst_path, worst) = report.worst().unwrap_or(("", 1.0));
        assert!(worst >= 0.98, "{}: {worst_path}: {text}", site.display());
    }
}

#[test]
#[ignore = "compares the site named by MAILLAGE_DIFF_SITE with Zola's build of it"]
fn zola_parity_of_any_site() {
    let zola = zola_binary().expect("MAILLAGE_ZOLA names a Zola binary");
    let site = PathBuf::from(std::env::var_os("MAILLAGE_DIFF_SITE").expect("MAILLAGE_DIFF_SITE"));
    let (_, text) = diff(&zola, &site);
    println!("{}\n{text}", site.display());
}
