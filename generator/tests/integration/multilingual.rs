//! A site in two languages, laid out as Zola does it.

use crate::common;

use common::{files, fixture, options, read};

#[test]
fn languages_get_their_own_paths_feeds_and_translations() {
    let dir = fixture("multilingue");
    maillage::build(&options(dir.path())).unwrap_or_else(|e| panic!("{e}"));
    let out = files(&dir.path().join("public"));
    for expected in [
        "index.html",
        "en/index.html",
        "blog/bonjour/index.html",
        "en/blog/bonjour/index.html",
        "atom.xml",
        "en/atom.xml",
        "tags/accueil/index.html",
        "en/tags/welcome/index.html",
    ] {
        assert!(
            out.contains(&expected.to_string()),
            "missing {expected} in {out:?}"
        );
    }
    let fr = read(dir.path(), "public/blog/bonjour/index.html");
    assert!(fr.contains("<html lang=\"fr\">") && fr.contains("<p class=\"cfg\">Réseau</p>"));
    assert!(fr.contains("Lire la suite"));
    assert!(fr.contains("href=\"https://example.org/en/blog/bonjour/\">la version anglaise</a>"));
    assert!(
        fr.contains("<li lang=\"en\"><a href=\"https://example.org/en/blog/bonjour/\">Hello</a>"),
        "{fr}"
    );
    let en = read(dir.path(), "public/en/blog/bonjour/index.html");
    assert!(en.contains("<html lang=\"en\">") && en.contains("<p class=\"cfg\">Network</p>"));
    assert!(en.contains("Read more"));
    assert!(
        en.contains("<p class=\"url\">https://example.org/en/blog/bonjour/</p>"),
        "{en}"
    );
    let home_en = read(dir.path(), "public/en/index.html");
    assert!(home_en.contains("<h1>Home</h1>") && home_en.contains("<p class=\"n\">1</p>"));
    let feed = read(dir.path(), "public/en/atom.xml");
    assert!(feed.contains("Hello") && !feed.contains("Bonjour"));
}
