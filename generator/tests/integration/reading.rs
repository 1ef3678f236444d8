//! Content files are read as Zola reads them: a UTF-8 byte-order
//! mark at the top is dropped, an empty front matter means every key's
//! default, symbolic links to files and folders are followed, and a link
//! back to a folder above it is reported instead of followed for ever.

use crate::common;

use std::os::unix::fs::symlink;
use std::path::Path;

use common::{files, fixture, options, read};

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

// Pages put in `content/docs/` have a weight: that section sorts by weight,
// and (as Zola) a page its section cannot sort is not written. Pages with
// an empty front matter go to the home section, which does not sort.

#[test]
fn a_byte_order_mark_at_the_top_of_a_content_file_is_dropped() {
    let dir = fixture("blog");
    write(
        dir.path(),
        "content/docs/bom.md",
        "\u{feff}+++\ntitle = \"Avec BOM\"\nweight = 9\n+++\nLe texte.\n",
    );
    write(
        dir.path(),
        "content/docs/bom-yaml.md",
        "\u{feff}---\ntitle: BOM et YAML\nweight: 9\n---\nL'autre texte.\n",
    );
    maillage::build(&options(dir.path())).unwrap();
    let page = read(dir.path(), "public/docs/bom/index.html");
    assert!(page.contains("Avec BOM"), "{page}");
    assert!(!page.contains('\u{feff}'), "{page}");
    let page = read(dir.path(), "public/docs/bom-yaml/index.html");
    assert!(page.contains("BOM et YAML"), "{page}");
}

#[test]
fn a_page_with_an_empty_front_matter_is_rendered() {
    let dir = fixture("blog");
    write(dir.path(), "content/vide.md", "+++\n+++\nSans titre.\n");
    write(dir.path(), "content/vide-yaml.md", "---\n---\n");
    maillage::build(&options(dir.path())).unwrap();
    let all = files(&dir.path().join("public"));
    assert!(all.contains(&"vide/index.html".to_string()), "{all:?}");
    assert!(all.contains(&"vide-yaml/index.html".to_string()), "{all:?}");
    let sitemap = read(dir.path(), "public/sitemap.xml");
    assert!(sitemap.contains("/vide/"), "{sitemap}");
}

#[test]
fn symlinked_content_files_and_folders_are_followed() {
    let dir = fixture("blog");
    let elsewhere = tempfile::tempdir().unwrap();
    write(
        elsewhere.path(),
        "partage/_index.md",
        "+++\ntitle = \"Partagé\"\n+++\n",
    );
    write(
        elsewhere.path(),
        "partage/commun.md",
        "+++\ntitle = \"Page commune\"\n+++\nVoir [la note](@/docs/note.md).\n",
    );
    write(
        elsewhere.path(),
        "note.md",
        "+++\ntitle = \"Note liée\"\nweight = 9\n+++\nUne note.\n",
    );
    symlink(
        elsewhere.path().join("partage"),
        dir.path().join("content/partage"),
    )
    .unwrap();
    symlink(
        elsewhere.path().join("note.md"),
        dir.path().join("content/docs/note.md"),
    )
    .unwrap();
    maillage::build(&options(dir.path())).unwrap();
    let note = read(dir.path(), "public/docs/note/index.html");
    assert!(note.contains("Note liée"), "{note}");
    let commun = read(dir.path(), "public/partage/commun/index.html");
    assert!(commun.contains("Page commune"), "{commun}");
    assert!(commun.contains("/docs/note/"), "{commun}");
}

#[test]
fn a_link_back_to_a_folder_above_is_reported_not_followed() {
    let dir = fixture("blog");
    symlink(
        dir.path().join("content"),
        dir.path().join("content/docs/boucle"),
    )
    .unwrap();
    let err = maillage::build(&options(dir.path()))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("content/docs/boucle: this link leads back to content"),
        "{err}"
    );
    assert_eq!(common::error_lines(&err).len(), 1, "{err}");
    assert!(!dir.path().join("public").exists());
}

#[test]
fn templates_read_no_file_above_the_site_folder() {
    let top = tempfile::tempdir().unwrap();
    let site = top.path().join("site");
    common::copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/blog"),
        &site,
    );
    std::fs::write(top.path().join("secret.toml"), "mot = \"secret\"\n").unwrap();
    write(&site, "dedans.toml", "mot = \"public\"\n");
    write(
        &site,
        "templates/page.html",
        "<p>{{ get_hash(path=\"../secret.toml\") }}</p>",
    );
    let err = maillage::build(&options(&site)).unwrap_err().to_string();
    assert!(
        err.contains("`get_hash`: file `../secret.toml` not found"),
        "{err}"
    );
    for (path, refused) in [
        ("dedans.toml", false),
        ("/docs/../dedans.toml", false),
        ("../secret.toml", true),
        ("content/../../secret.toml", true),
    ] {
        write(
            &site,
            "templates/page.html",
            &format!("{{% set d = load_data(path=\"{path}\") %}}<p>{{{{ d.mot }}}}</p>"),
        );
        let result = maillage::build(&options(&site));
        if refused {
            let err = result.unwrap_err().to_string();
            assert!(
                err.contains(&format!("`load_data`: `{path}` is outside the site folder")),
                "{err}"
            );
            assert!(!err.contains("secret\""), "{err}");
        } else {
            result.unwrap();
            assert!(read(&site, "public/docs/a/index.html").contains("<p>public</p>"));
        }
    }
}
