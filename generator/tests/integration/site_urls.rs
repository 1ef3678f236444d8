//! A network site that moves its folders (`[extra.urls]`): pages, files,
//! links and the function's way back all follow.

use std::path::Path;

use crate::common::{self, maillage};

/// A fresh `maillage init --network` site with the repository's map
/// libraries.
fn network_site(dir: &Path) -> std::path::PathBuf {
    let site = dir.join("reseau");
    common::init_network(&site);
    common::link_theme_modules(&site);
    site
}

fn run(site: &Path, command: &str) -> std::process::Output {
    maillage()
        .arg("--root")
        .arg(site)
        .arg(command)
        .output()
        .unwrap()
}

#[test]
fn moved_folders_hold_the_network_pages_and_every_link_follows() {
    let dir = tempfile::tempdir().unwrap();
    let site = network_site(dir.path());
    let config = site.join("config.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(
        "\n[extra.urls]\nmeetups = \"/evenements/\"\nplaces = \"/structures/\"\nregions = \"/territoires/\"\nmap = \"/plan/\"\n",
    );
    std::fs::write(&config, text).unwrap();
    // The site's own pages link to the folders too: their author follows.
    for page in crate::common::files(&site.join("content")) {
        let path = site.join("content").join(page);
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("](/rencontres/", "](/evenements/")
            .replace("](/lieux/", "](/structures/")
            .replace("](/regions/", "](/territoires/")
            .replace("](/carte/", "](/plan/");
        std::fs::write(&path, text).unwrap();
    }
    for command in ["build", "check"] {
        let out = run(&site, command);
        assert!(
            out.status.success(),
            "{command}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let public = site.join("public");
    for file in [
        "evenements/index.html",
        "evenements/passees/index.html",
        "evenements/atom.xml",
        "evenements/rennes-premiere-rencontre/index.html",
        "evenements/rennes-premiere-rencontre/calendrier.ics",
        "structures/index.html",
        "structures/mediatheque-exemple-rennes/index.html",
        "territoires/index.html",
        "plan/index.html",
        "plan/lieux.geojson",
        "plan/rencontres.geojson",
    ] {
        assert!(public.join(file).is_file(), "{file} is written");
    }
    for old in ["rencontres", "lieux", "regions", "carte"] {
        assert!(!public.join(old).exists(), "nothing left in /{old}/");
    }
    let pages: Vec<String> = crate::common::files(&public)
        .into_iter()
        .filter(|f| f.ends_with(".html"))
        .collect();
    assert!(pages.len() > 10, "{pages:?}");
    for page in &pages {
        let html = std::fs::read_to_string(public.join(page)).unwrap();
        for link in html
            .split("href=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
        {
            // The path on the site, without scheme and host.
            let path = match link.split_once("://") {
                Some((_, rest)) => rest.find('/').map_or("/", |i| &rest[i..]),
                None => link,
            };
            assert!(
                !["/rencontres/", "/lieux/", "/regions/", "/carte/"]
                    .iter()
                    .any(|old| path.starts_with(old)),
                "{page} links to {link}"
            );
        }
    }
    let geojson = std::fs::read_to_string(public.join("plan/lieux.geojson")).unwrap();
    assert!(
        geojson.contains("\"/structures/mediatheque-exemple-rennes/\""),
        "{geojson}"
    );
    let ics =
        std::fs::read_to_string(public.join("evenements/rennes-premiere-rencontre/calendrier.ics"))
            .unwrap();
    assert!(
        ics.contains("/evenements/rennes-premiere-rencontre/"),
        "{ics}"
    );
}

#[test]
fn a_folder_that_is_not_a_folder_of_the_site_is_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let site = network_site(dir.path());
    let config = site.join("config.toml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str("\n[extra.urls]\nplaces = \"https://ailleurs.example/\"\n");
    std::fs::write(&config, text).unwrap();
    for command in ["build", "check"] {
        let out = run(&site, command);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{command} refuses it");
        assert!(
            stderr.contains("config.toml") && stderr.contains("extra.urls"),
            "{command}: {stderr}"
        );
    }
    assert!(!site.join("public").exists(), "nothing written");
}

#[test]
fn the_themes_folders_are_the_generators_defaults() {
    let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("../themes/maillage/theme.toml");
    let theme: toml::Table = std::fs::read_to_string(theme).unwrap().parse().unwrap();
    let urls = &theme["extra"]["urls"];
    let defaults = maillage_model::urls::SiteUrls::default();
    assert_eq!(urls["meetups"].as_str(), Some(defaults.meetups.as_str()));
    assert_eq!(urls["places"].as_str(), Some(defaults.places.as_str()));
    assert_eq!(urls["regions"].as_str(), Some(defaults.regions.as_str()));
    assert_eq!(urls["map"].as_str(), Some(defaults.map.as_str()));
}
