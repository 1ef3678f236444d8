//! The peer benchmark site (tests/bench/make_site.py), generated small,
//! builds unchanged with the output paths Zola produces.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use common::{files, options, repo_root};

const PAGES: usize = 400;
const PER_PAGER: usize = 50;
const BASE: &str = "https://rencontres.example.org";

fn python() -> String {
    std::env::var("MAILLAGE_TEST_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// `(pages, taxonomy → term → page count)` read back from the written content.
fn read_content(root: &Path) -> (Vec<String>, BTreeMap<String, BTreeMap<String, usize>>) {
    let mut pages = Vec::new();
    let mut terms: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for section in ["rencontres", "lieux", "guide"] {
        for entry in std::fs::read_dir(root.join("content").join(section))
            .unwrap()
            .flatten()
        {
            let name = entry.file_name().to_string_lossy().to_string();
            if name == "_index.md" {
                continue;
            }
            pages.push(format!(
                "{section}/{}/index.html",
                name.trim_end_matches(".md")
            ));
            let text = std::fs::read_to_string(entry.path()).unwrap();
            for line in text.lines() {
                for taxonomy in ["regions", "types"] {
                    if let Some(list) = line.strip_prefix(&format!("{taxonomy} = [")) {
                        for term in list.trim_end_matches(']').split("\", \"") {
                            let term = term.trim_matches('"').to_string();
                            *terms
                                .entry(taxonomy.into())
                                .or_default()
                                .entry(term)
                                .or_default() += 1;
                        }
                    }
                }
            }
        }
    }
    (pages, terms)
}

fn pagers(count: usize) -> usize {
    count.div_ceil(PER_PAGER).max(1)
}

#[test]
fn bench_site_builds_with_zolas_output_set() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let status = Command::new(python())
        .arg(repo_root().join("tests/bench/make_site.py"))
        .arg(&site)
        .args(["--pages", &PAGES.to_string()])
        .status()
        .expect("python3 runs make_site.py");
    assert!(status.success());
    let summary = maillage::build(&options(&site)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(summary.pages, PAGES);

    let (pages, terms) = read_content(&site);
    assert_eq!(pages.len(), PAGES);
    let meetups = pages
        .iter()
        .filter(|p| p.starts_with("rencontres/"))
        .count();

    let mut expected: BTreeSet<String> = pages.iter().cloned().collect();
    for f in [
        "index.html",
        "404.html",
        "robots.txt",
        "sitemap.xml",
        "atom.xml",
        "style.css",
    ] {
        expected.insert(f.into());
    }
    for s in ["rencontres", "lieux", "guide"] {
        expected.insert(format!("{s}/index.html"));
    }
    expected.insert("rencontres/atom.xml".into());
    for n in 1..=pagers(meetups) {
        expected.insert(format!("rencontres/page/{n}/index.html"));
    }
    for (taxonomy, list) in &terms {
        expected.insert(format!("{taxonomy}/index.html"));
        for (term, count) in list {
            let slug = maillage::slugs::slugify_with(term, maillage::slugs::SlugStrategy::On);
            expected.insert(format!("{taxonomy}/{slug}/index.html"));
            expected.insert(format!("{taxonomy}/{slug}/atom.xml"));
            for n in 1..=pagers(*count) {
                expected.insert(format!("{taxonomy}/{slug}/page/{n}/index.html"));
            }
        }
    }
    let public = site.join("public");
    let produced: BTreeSet<String> = files(&public).into_iter().collect();
    let missing: Vec<_> = expected.difference(&produced).collect();
    let extra: Vec<_> = produced.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}, unexpected {extra:?}"
    );

    // Every page has content, no `@/` link is left, every internal link lands on a file.
    let mut checked_links = 0;
    for file in produced.iter().filter(|f| f.ends_with(".html")) {
        let text = std::fs::read_to_string(public.join(file)).unwrap();
        assert!(text.len() > 200, "{file} is almost empty");
        assert!(
            !text.contains("@/"),
            "{file} has an unresolved internal link"
        );
        for part in text.split("href=\"").skip(1) {
            let url = &part[..part.find('"').unwrap()];
            let Some(path) = url.strip_prefix(BASE) else {
                continue;
            };
            let path = path.split('#').next().unwrap().trim_start_matches('/');
            let target = if path.is_empty() || path.ends_with('/') {
                format!("{path}index.html")
            } else {
                path.to_string()
            };
            assert!(
                produced.contains(&target),
                "{file} links to {url}, which was not built"
            );
            checked_links += 1;
        }
    }
    assert!(
        checked_links > PAGES * 10,
        "only {checked_links} links checked"
    );

    // Pagers link to each other and count right.
    let last = pagers(meetups);
    let first = std::fs::read_to_string(public.join("rencontres/index.html")).unwrap();
    assert!(first.contains(&format!("Page 1 / {last}")), "first pager");
    assert!(first.contains(&format!("rel=\"next\" href=\"{BASE}/rencontres/page/2/\"")));
    let end =
        std::fs::read_to_string(public.join(format!("rencontres/page/{last}/index.html"))).unwrap();
    assert!(end.contains(&format!(
        "rel=\"prev\" href=\"{BASE}/rencontres/page/{}/\"",
        last - 1
    )));
    assert!(!end.contains("rel=\"next\""));

    // The sitemap lists every page.
    let sitemap = std::fs::read_to_string(public.join("sitemap.xml")).unwrap();
    let doc = roxmltree::Document::parse(&sitemap).unwrap();
    let locs: BTreeSet<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .filter_map(|n| n.text())
        .collect();
    for page in &pages {
        let url = format!("{BASE}/{}", page.trim_end_matches("index.html"));
        assert!(locs.contains(url.as_str()), "{url} not in the sitemap");
    }
    // Feeds are XML with at most feed_limit entries.
    let atom = std::fs::read_to_string(public.join("atom.xml")).unwrap();
    let feed = roxmltree::Document::parse(&atom).unwrap();
    assert_eq!(
        feed.root_element()
            .children()
            .filter(|c| c.has_tag_name("entry"))
            .count(),
        50
    );
}
