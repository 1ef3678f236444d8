//! Broken sites fail with every problem located, and leave the previous
//! output as it was.

mod common;

use common::{files, fixture, options, read};

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
