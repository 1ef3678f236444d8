//! The `maillage` command itself.

use crate::common::{self, maillage};

#[test]
fn every_command_has_help() {
    for args in [
        vec!["--help"],
        vec!["build", "--help"],
        vec!["serve", "--help"],
        vec!["check", "--help"],
        vec!["init", "--help"],
    ] {
        let out = maillage().args(&args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("Usage"),
            "{args:?}"
        );
    }
}

#[test]
fn a_network_site_from_init_builds_with_its_meetup_on_the_map() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("mon-reseau");
    common::init_network(&site);
    // The theme's strings travel with the theme: the site's config has none.
    let config = std::fs::read_to_string(site.join("config.toml")).unwrap();
    assert!(!config.contains("\n[translations]"), "{config}");
    let out = maillage()
        .arg("--root")
        .arg(&site)
        .arg("build")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && stderr.contains("run `npm ci` in themes/maillage/"),
        "{stderr}"
    );
    common::link_theme_modules(&site);
    for command in ["build", "check"] {
        let out = maillage()
            .arg("--root")
            .arg(&site)
            .arg(command)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{command}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let public = site.join("public");
    let map = std::fs::read_to_string(public.join("carte/lieux.geojson")).unwrap();
    assert!(map.contains("mediatheque-exemple-rennes"), "{map}");
    let meetup =
        std::fs::read_to_string(public.join("rencontres/rennes-premiere-rencontre/index.html"))
            .unwrap();
    assert!(
        meetup.contains("id=\"inscription\""),
        "registration open on a fresh site"
    );
    for result in [
        "inscription/confirmee",
        "inscription/liste-attente",
        "annulation/confirmee",
        "bilan/envoye",
        "organisation",
        "organisation/proposer",
        "coordination",
    ] {
        assert!(public.join(result).join("index.html").is_file(), "{result}");
    }
    let coordination = std::fs::read_to_string(public.join("coordination/index.html")).unwrap();
    assert!(
        coordination.contains("data-form=\"coordination\""),
        "the coordinator's form"
    );
    let not_found = std::fs::read_to_string(public.join("404.html")).unwrap();
    assert!(
        not_found.contains("Page introuvable"),
        "the theme's own strings"
    );
}

#[test]
fn init_then_build_then_check() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("mon-site");
    let out = maillage().arg("init").arg(&site).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = common::run_ok(maillage().args(["--root"]).arg(&site).arg("build"));
    let summary = String::from_utf8_lossy(&out.stdout);
    assert!(
        summary.starts_with("Built 1 pages, 2 sections,"),
        "{summary}"
    );
    assert!(summary.trim_end().ends_with(" ms"), "{summary}");
    let page =
        std::fs::read_to_string(site.join("public/actualites/premiere-rencontre/index.html"))
            .unwrap();
    assert!(page.contains("22 novembre 2026"), "{page}");
    common::run_ok(maillage().arg("--root").arg(&site).arg("check"));
    // A second init in the same folder refuses to overwrite.
    let out = maillage().arg("init").arg(&site).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_broken_site_exits_with_1_and_lists_problems() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("config.toml"),
        "base_url = \"https://ex.org\"\n",
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("content")).unwrap();
    std::fs::write(dir.path().join("content/a.md"), "+++\ntitle = 1\n+++\n").unwrap();
    std::fs::write(dir.path().join("content/b.md"), "no front matter\n").unwrap();
    let out = maillage()
        .arg("--root")
        .arg(dir.path())
        .arg("build")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("content/a.md:2:"), "{err}");
    assert!(err.contains("content/b.md:1:1"), "{err}");
    assert!(err.contains("2 errors found"), "{err}");
    assert!(!dir.path().join("public").exists());
}

/// A failure that is not in the site's files (here the `--store` flag) is
/// named as what failed, without a file or a count of site problems.
#[test]
fn a_failure_outside_the_site_names_what_failed() {
    let dir = tempfile::tempdir().unwrap();
    let out = maillage()
        .arg("--root")
        .arg(dir.path())
        .args(["sync", "--store", "postgres:rencontres"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with("error: --store: unknown store in \"postgres:rencontres\""),
        "{stderr}"
    );
    assert!(!stderr.contains("nothing was written"), "{stderr}");
}

/// `check` follows the links of the data pages too: a place whose
/// description links to a page the site does not have fails, naming the
/// data file, the place's line and the field; every other page passes.
#[test]
fn check_finds_a_data_entrys_link_that_leads_nowhere() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("reseau");
    common::init_network(&site);
    common::link_theme_modules(&site);
    let check = || {
        let out = maillage()
            .arg("--root")
            .arg(&site)
            .arg("check")
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, stdout, stderr) = check();
    assert!(ok, "{stderr}");
    assert!(stdout.contains(" data pages, "), "{stdout}");

    let places = site.join("data/places/bretagne.yaml");
    let text = std::fs::read_to_string(&places).unwrap();
    std::fs::write(
        &places,
        format!("{text}  description: \"Voir [le plan d'accès](/lieux/plan-d-acces/).\"\n"),
    )
    .unwrap();
    let (ok, _, stderr) = check();
    assert!(!ok, "{stderr}");
    let errors = crate::common::error_lines(&stderr);
    assert_eq!(errors.len(), 1, "{stderr}");
    let error = errors[0];
    for expected in [
        "data/places/bretagne.yaml:2",
        "description",
        "mediatheque-exemple-rennes",
        "/lieux/plan-d-acces/",
        "no page or file of the site is there",
    ] {
        assert!(error.contains(expected), "{expected} in {error}");
    }
}
