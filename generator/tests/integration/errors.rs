//! Broken sites fail with every problem located, and leave the previous
//! output as it was.

use crate::common;

use common::{error_lines, files, fixture, fixture_with, options, read, replace_in};

#[test]
fn broken_internal_link_fails_with_file_and_line_and_keeps_old_output() {
    let dir = fixture("blog");
    maillage::build(&options(dir.path())).unwrap();
    let before = files(&dir.path().join("public"));
    let index_before = read(dir.path(), "public/index.html");

    let post = dir.path().join("content/blog/third.md");
    let text = std::fs::read_to_string(&post).unwrap();
    std::fs::write(&post, text + "\nUn lien [cassé](@/blog/nulle-part.md).\n").unwrap();
    // And a second problem elsewhere: both must be reported (a section
    // refuses keys Zola does not know; a page would ignore them).
    std::fs::write(
        dir.path().join("content/docs/_index.md"),
        "+++\ntitle = \"Documentation\"\ncouleur = \"bleu\"\n+++\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("content/_index.md"),
        "+++\ntitle = \"Accueil modifié\"\n+++\n",
    )
    .unwrap();

    let err = maillage::build(&options(dir.path()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("content/blog/third.md:13:"), "{err}");
    assert!(err.contains("@/blog/nulle-part.md"), "{err}");
    assert!(err.contains("content/docs/_index.md:3:"), "{err}");
    assert!(err.contains("`couleur`"), "{err}");

    assert_eq!(files(&dir.path().join("public")), before);
    assert_eq!(
        read(dir.path(), "public/index.html"),
        index_before,
        "old output untouched"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .collect();
    assert!(
        !leftovers.iter().any(|n| n.starts_with(".public")),
        "{leftovers:?}"
    );
}

#[test]
fn template_errors_name_the_template_and_position() {
    let dir = fixture("blog");
    std::fs::write(dir.path().join("templates/page.html"), "{% extends \"base.html\" %}\n{% block content %}\n{{ page.title \n{% endblock content %}\n").unwrap();
    let err = maillage::build(&options(dir.path()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("templates/page.html:4:"), "{err}");
}

#[test]
fn undeclared_taxonomy_and_bad_config_are_reported() {
    let dir = fixture("blog");
    std::fs::write(
        dir.path().join("content/docs/d.md"),
        "+++\ntitle = \"D\"\n[taxonomies]\ncategories = [\"x\"]\n+++\n",
    )
    .unwrap();
    let err = maillage::build(&options(dir.path()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("content/docs/d.md"), "{err}");
    assert!(
        err.contains("taxonomy `categories` is not declared"),
        "{err}"
    );

    let config = dir.path().join("config.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        text.replace("feed_limit = 10", "feed_limit = \"dix\""),
    )
    .unwrap();
    let err = maillage::build(&options(dir.path()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("config.toml:8: `feed_limit`"), "{err}");
}

#[test]
fn check_finds_missing_anchors() {
    let dir = fixture("blog");
    let summary = maillage::check::check(&options(dir.path()), false).unwrap();
    assert!(summary.contains("no problem found"), "{summary}");
    let post = dir.path().join("content/blog/third.md");
    let text = std::fs::read_to_string(&post).unwrap();
    std::fs::write(
        &post,
        text + "\nVoir [la section](@/blog/yaml-post.md#section-z).\n",
    )
    .unwrap();
    let err = maillage::check::check(&options(dir.path()), false)
        .unwrap_err()
        .to_string();
    assert!(err.contains("content/blog/third.md:13"), "{err}");
    assert!(err.contains("no heading with id `section-z`"), "{err}");
    assert!(!dir.path().join("public").exists(), "check writes nothing");
}

#[test]
fn front_matter_nested_too_deep_is_refused_at_its_line() {
    let dir = fixture("blog");
    let deep = 40_000;
    std::fs::write(
        dir.path().join("content/docs/profond.md"),
        format!(
            "---\ntitle: Profond\nextra:\n  a: {}{}\n---\n",
            "[".repeat(deep),
            "]".repeat(deep)
        ),
    )
    .unwrap();
    let err = maillage::build(&options(dir.path()))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("content/docs/profond.md:4:134: values nested more than 128 levels deep"),
        "{}",
        &err[..err.len().min(500)]
    );
}

fn build_with_data(root: &std::path::Path) -> String {
    let options = maillage::BuildOptions {
        root: root.to_path_buf(),
        extensions: maillage::extensions::standard(),
        ..Default::default()
    };
    let err = maillage::build(&options).unwrap_err().to_string();
    let check = maillage::check::check(&options, false)
        .unwrap_err()
        .to_string();
    assert_eq!(err, check, "check reports what build reports");
    err
}

const MEETUP_AT_NO_PLACE: &str = "\
- id: nulle-part
  title: Rencontre sans lieu
  kind: community
  series: carto-rennes
  start: 2026-12-17T18:30
  end: 2026-12-17T20:30
  place: lieu-inconnu
  capacity: 10
  registration:
    opens: 2026-11-01T09:00
  status: open
  organiser: Alix
";

#[test]
fn a_broken_link_a_broken_front_matter_and_an_unknown_place_are_all_reported() {
    let dir = fixture_with("data-site", &[
        (
            "content/lien.md",
            "+++\ntitle = \"Lien\"\n+++\nVoir [ailleurs](@/nulle-part.md) et [la cassée](@/cassee.md).\n",
        ),
        ("content/cassee.md", "+++\ntitle = \"Cassée\"\ndate = \n+++\n"),
        ("data/meetups/sans-lieu.yaml", MEETUP_AT_NO_PLACE),
    ]);
    let err = build_with_data(dir.path());
    assert!(
        err.contains("content/lien.md:4: broken internal link `@/nulle-part.md`"),
        "{err}"
    );
    assert!(err.contains("content/cassee.md:3:"), "{err}");
    // A link to a file that could not be read is not a link to nothing.
    assert!(!err.contains("@/cassee.md"), "{err}");
    assert!(
        err.contains("data/meetups/sans-lieu.yaml:7: `place`: unknown place `lieu-inconnu`"),
        "{err}"
    );
    assert!(err.contains("note: no page was rendered"), "{err}");
}

#[test]
fn malformed_yaml_broken_toml_and_a_template_syntax_error_are_all_reported() {
    let dir = fixture_with(
        "data-site",
        &[
            ("data/meetups/cassee.yaml", "- id: a\n  title: [pas fermé\n"),
            ("content/toml.md", "+++\ntitle = \"Sans fin\n+++\n"),
            (
                "templates/page.html",
                "{% if page.title %}\n{{ page.title }\n",
            ),
            (
                "content/lien.md",
                "+++\ntitle = \"Lien\"\n+++\nVoir [ailleurs](@/ailleurs.md).\n",
            ),
        ],
    );
    let err = build_with_data(dir.path());
    assert!(
        err.contains("data/meetups/cassee.yaml:3:1: invalid YAML"),
        "{err}"
    );
    assert!(err.contains("content/toml.md:2:"), "{err}");
    assert!(err.contains("templates/page.html:2:"), "{err}");
    // The Markdown, which needs the templates, was not rendered (its
    // broken link is not reported yet): the note says so.
    assert!(!err.contains("@/ailleurs.md"), "{err}");
    assert!(
        err.contains("note: the Markdown of content/ was not rendered"),
        "{err}"
    );
    assert_eq!(error_lines(&err).len(), 3, "{err}");
}

#[test]
fn a_theme_template_syntax_error_is_reported_once_under_its_file() {
    let dir = fixture("blog");
    replace_in(
        dir.path(),
        "themes/simple/templates/section.html",
        "{{ section.title }}",
        "{{ section.title }",
    );
    let err = maillage::build(&options(dir.path()))
        .unwrap_err()
        .to_string();
    let errors = error_lines(&err);
    assert_eq!(errors.len(), 1, "{err}");
    assert!(
        errors[0].starts_with("error: themes/simple/templates/section.html:3:"),
        "{err}"
    );
}

#[test]
fn a_render_error_met_in_many_pages_is_reported_once_with_its_line() {
    let dir = fixture("blog");
    // Line 8 of the theme's base template, which every page extends.
    replace_in(
        dir.path(),
        "themes/simple/templates/base.html",
        "<footer>",
        "<footer>{{ config.extra.absent.x }}",
    );
    let err = maillage::build(&options(dir.path()))
        .unwrap_err()
        .to_string();
    let errors = error_lines(&err);
    assert_eq!(errors.len(), 1, "{err}");
    let pages = errors[0]
        .split(" — in ")
        .nth(1)
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(0);
    assert!(pages > 5, "{err}");
    assert!(
        errors[0].starts_with(
            "error: themes/simple/templates/base.html:8: variable `config.extra.absent.x` not found — in "
        ),
        "{err}"
    );
    assert!(
        errors[0].ends_with(" pages, first: content/_index.md"),
        "{err}"
    );
}
