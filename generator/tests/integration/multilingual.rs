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

/// Whether `text` has a breaking space before `: ; ! ? »` or after `«`:
/// where a French line could start with a colon or end with `«`.
fn breaks_french_punctuation(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars.windows(2).any(|w| {
        (w[0] == ' ' && [':', ';', '!', '?', '»'].contains(&w[1])) || (w[0] == '«' && w[1] == ' ')
    })
}

/// The theme's French strings and the text its templates write around them
/// keep French punctuation on its line (narrow no-break spaces).
#[test]
fn the_themes_french_text_keeps_punctuation_on_its_line() {
    let theme = common::repo_root().join("themes/maillage");
    let manifest: toml::Table = common::read(&theme, "theme.toml").parse().unwrap();
    let french = manifest["translations"].as_table().unwrap();
    let bad: Vec<&String> = french
        .iter()
        .filter(|(_, v)| breaks_french_punctuation(v.as_str().unwrap_or_default()))
        .map(|(k, _)| k)
        .collect();
    assert!(bad.is_empty(), "theme.toml [translations]: {bad:?}");
    for entry in walkdir::WalkDir::new(theme.join("templates")) {
        let entry = entry.unwrap();
        if !entry.file_type().is_file() {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        for (n, line) in text.lines().enumerate() {
            // Text written next to a value: `}} :`, `« {{`, `}} »`.
            let written = line.replace("{{", "X").replace("}}", "X");
            assert!(
                !(written.contains("X :")
                    || written.contains("X »")
                    || written.contains("« X")
                    || written.contains("> :")),
                "{}:{}: {line}",
                entry.path().display(),
                n + 1
            );
        }
    }
    assert!(!breaks_french_punctuation("Lieu\u{202F}: ici"));
    assert!(breaks_french_punctuation("Lieu : ici"));
}
