//! Zola sites that build unchanged: the fixtures under `fixtures/zola/`,
//! each made to show one group of Zola behaviours, with assertions on what
//! Maillage writes. (`zola_parity.rs` compares the same fixtures with a
//! real Zola binary when one is named.)

use crate::common;

use std::path::Path;

use common::{copy_dir, files, read};

/// Builds the fixture `fixtures/zola/<name>` in a fresh folder.
fn build(name: &str) -> tempfile::TempDir {
    let src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/zola")
        .join(name);
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&src, dir.path());
    maillage::build(&common::options(dir.path())).unwrap_or_else(|e| panic!("{e}"));
    dir
}

#[test]
fn languages_home_pages_translations_drafts_and_ignored_content() {
    let dir = build("langues");
    let out = files(&dir.path().join("public"));
    // zola.toml is read (no config.toml here); a language without
    // `_index.en.md` still gets its home page.
    let home_en = read(dir.path(), "public/en/index.html");
    assert!(home_en.contains("<html lang=\"en\">"), "{home_en}");
    // [languages.fr] is the default language's own table: its title is the
    // site's; config.languages lists the other languages only.
    let home = read(dir.path(), "public/index.html");
    assert!(home.contains("<h1>Le site</h1>"), "{home}");
    assert!(
        home.contains("<ul class=\"autres\"><li>en : The site</li></ul>"),
        "{home}"
    );
    assert!(
        home_en.contains("<ul class=\"autres\"><li>fr : Le site</li></ul>"),
        "{home_en}"
    );
    // Translations list every version, this one included.
    assert!(
        home.contains("<li>en https://example.org/en/</li><li>fr https://example.org/</li>"),
        "{home}"
    );
    let post = read(dir.path(), "public/blog/bonjour/index.html");
    assert!(
        post.contains("<li>en Hello</li><li>fr Bonjour</li>"),
        "{post}"
    );
    // Unknown front-matter keys in a page are ignored; empty front matter
    // makes a page with Zola's defaults.
    assert!(read(dir.path(), "public/vide/index.html").contains("Une page sans rien en tête."));
    // `ignored_content`, a draft section with its pages, a page its section
    // cannot sort: none is written.
    for absent in [
        "blog/ignore-moi/index.html",
        "brouillons/index.html",
        "brouillons/cache/index.html",
        "blog/sans-titre/index.html",
    ] {
        assert!(!out.contains(&absent.to_string()), "{absent} in {out:?}");
    }
    // ... but the unsortable page is still in the sitemap and the feed.
    let sitemap = read(dir.path(), "public/sitemap.xml");
    assert!(sitemap.contains("<loc>https://example.org/blog/sans-titre/</loc>"));
    assert!(!sitemap.contains("ignore-moi") && !sitemap.contains("brouillons"));
    let feed = read(dir.path(), "public/atom.xml");
    assert_eq!(feed.matches("<entry").count(), 1, "{feed}");
    // Taxonomies: old keys (`lang`, `rss`) ignored; `taxonomy.slug` is there.
    let term = read(dir.path(), "public/tags/accueil/index.html");
    assert!(
        term.contains("<h1>tags : Accueil</h1>") && term.contains("<p class=\"slug\">accueil</p>")
    );
    assert!(read(dir.path(), "public/en/tags/welcome/index.html").contains("Hello"));
}

#[test]
fn an_empty_feed_is_written() {
    let dir = build("langues");
    std::fs::remove_dir_all(dir.path().join("public")).unwrap();
    // No dated page left: Zola still writes the site's feed, with no entry.
    std::fs::remove_file(dir.path().join("content/blog/sans-titre.md")).unwrap();
    maillage::build(&common::options(dir.path())).unwrap_or_else(|e| panic!("{e}"));
    let feed = read(dir.path(), "public/atom.xml");
    assert!(
        feed.contains("<feed") && !feed.contains("<entry") && !feed.contains("<updated>"),
        "{feed}"
    );
}

#[test]
fn shortcodes_are_read_as_zola_reads_them() {
    let dir = build("shortcodes");
    let page = read(dir.path(), "public/carnet/index.html");
    // `page.assets` inside a shortcode: a co-located page's assets include
    // its sub-folders', in the order of their lower-cased paths, and are
    // written at the same place under the page.
    assert!(
        page.contains("<li>&#x2F;carnet&#x2F;annexes&#x2F;Notice.txt</li><li>&#x2F;carnet&#x2F;autre.txt</li><li>&#x2F;carnet&#x2F;table.csv</li>"),
        "{page}"
    );
    assert_eq!(
        read(dir.path(), "public/carnet/annexes/Notice.txt"),
        "Notice du carnet.\n"
    );
    // Arguments separated by a space only.
    assert!(
        page.contains("<p class=\"donnees\">table.csv (csv) dans carnet&#x2F;</p>"),
        "{page}"
    );
    // A malformed call, and calls in a code block that are not well formed,
    // stay as written.
    assert!(
        page.contains("Un appel mal formé reste du texte : {{ donnees(chemin=) }}."),
        "{page}"
    );
    assert!(page.contains("let x = {{ pas_un_code(a=1,) }};"), "{page}");
    assert!(
        page.contains("<strong>Note</strong> (niveau 2) Du <em>Markdown</em>"),
        "{page}"
    );
    // [markdown] insert_anchor_links applies where no section says
    // otherwise; external_links_class marks external links.
    assert!(
        page.contains("<h2 id=\"liens\">Liens<a class=\"zola-anchor\" href=\"#liens\" aria-label=\"Anchor link for: liens\">🔗</a></h2>"),
        "{page}"
    );
    assert!(
        page.contains("<a class=\"externe\" rel=\"external\" href=\"https://www.getzola.org/\">le site de Zola</a>"),
        "{page}"
    );
}

#[test]
fn a_shortcode_without_a_template_is_an_error_as_in_zola() {
    // Zola 0.22 has no built-in shortcode (no `youtube`, no `vimeo`): a call
    // to one the site does not define stops the build, naming the file.
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/zola/shortcodes");
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&src, dir.path());
    std::fs::write(
        dir.path().join("content/video.md"),
        "+++\ntitle = \"Vidéo\"\n+++\n\n{{ youtube(id=\"abc\") }}\n",
    )
    .unwrap();
    let error = maillage::build(&common::options(dir.path()))
        .expect_err("an unknown shortcode stops the build")
        .to_string();
    assert!(
        error.contains("content/video.md:5") && error.contains("unknown shortcode `youtube`"),
        "{error}"
    );
}

#[test]
fn sass_is_compiled_and_the_search_index_written() {
    let dir = build("styles-recherche");
    let out = files(&dir.path().join("public"));
    // Variables, imports of partials, nesting and functions, compressed;
    // the indented syntax too; partials (files or folders) not written.
    assert_eq!(
        read(dir.path(), "public/main.css"),
        "body{background:#fdf6e3}body a{color:#1e6ea7}"
    );
    assert_eq!(
        read(dir.path(), "public/pages/ancien.css"),
        ".carte{margin:4rem}"
    );
    assert!(
        !out.iter()
            .any(|f| f.contains("couleurs") || f.contains("jamais")),
        "{out:?}"
    );
    // One index per language asking for it, elasticlunr's script beside.
    assert!(read(dir.path(), "public/elasticlunr.min.js").contains("elasticlunr"));
    for (lang, word, page) in [
        ("fr", "castor", "https://example.org/castor/"),
        ("en", "beaver", "https://example.org/en/beaver/"),
    ] {
        let text = read(dir.path(), &format!("public/search_index.{lang}.json"));
        let index: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(index["fields"], serde_json::json!(["title", "body"]));
        // The word's entry in the body's trie lists the page.
        let mut node = &index["index"]["body"]["root"];
        for c in word.chars() {
            node = &node[c.to_string()];
        }
        assert!(
            node["docs"].get(page).is_some(),
            "{lang}: {word} not found in {node}"
        );
        let docs = &index["documentStore"]["docs"];
        assert!(docs.get(page).is_some());
        // Code blocks and pages with `in_search_index = false` stay out.
        assert!(
            !text.contains("code_exclu") && !text.contains("loutre"),
            "{text}"
        );
    }
}

/// The processed image whose name starts with `stem` and ends with `ext`.
fn processed(dir: &Path, stem: &str, ext: &str) -> Vec<std::path::PathBuf> {
    let mut found: Vec<_> = std::fs::read_dir(dir.join("public/processed_images"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy();
            name.starts_with(&format!("{stem}.")) && name.ends_with(&format!(".{ext}"))
        })
        .collect();
    found.sort();
    found
}

#[test]
fn images_are_resized_and_described() {
    let dir = build("images");
    let page = read(dir.path(), "public/galerie/index.html");
    for expected in [
        "<p class=\"carre\">100×100</p>",
        "<p class=\"boite\">50×33</p>",
        "<p class=\"haute\">60×40</p>",
        "<p class=\"etiree\">30×90</p>",
    ] {
        assert!(page.contains(expected), "{expected} in {page}");
    }
    let home = read(dir.path(), "public/index.html");
    assert!(
        home.contains("<p class=\"logo\">60×40 de 120×80</p>"),
        "{home}"
    );
    assert!(
        home.contains("<p class=\"meta\">jpg image&#x2F;jpeg 120×80</p>"),
        "{home}"
    );
    assert!(home.contains("<p class=\"absente\">null</p>"), "{home}");
    // The files: Zola's naming (stem, 16 hex digits, extension), the right
    // format and size; `auto` keeps JPEG for a JPEG and PNG for a PNG.
    let name = regex::Regex::new(r"^[a-z]+\.[0-9a-f]{16}\.(png|jpg|webp)$").unwrap();
    let all = files(&dir.path().join("public/processed_images"));
    assert_eq!(all.len(), 5, "{all:?}");
    assert!(all.iter().all(|f| name.is_match(f)), "{all:?}");
    let check = |stem: &str, ext: &str, format: image::ImageFormat, sizes: &[(u32, u32)]| {
        let mut got: Vec<(u32, u32)> = processed(dir.path(), stem, ext)
            .iter()
            .map(|p| {
                let reader = image::ImageReader::open(p)
                    .unwrap()
                    .with_guessed_format()
                    .unwrap();
                assert_eq!(reader.format(), Some(format), "{}", p.display());
                reader.into_dimensions().unwrap()
            })
            .collect();
        got.sort();
        assert_eq!(got, sizes, "{stem}.*.{ext}");
    };
    check("logo", "jpg", image::ImageFormat::Jpeg, &[(60, 40)]);
    check(
        "photo",
        "png",
        image::ImageFormat::Png,
        &[(30, 90), (100, 100)],
    );
    check("photo", "webp", image::ImageFormat::WebP, &[(50, 33)]);
    check("photo", "jpg", image::ImageFormat::Jpeg, &[(60, 40)]);
    // `fill` crops the middle third of the 300×200 source (four coloured
    // quarters, red at the top left): the square's top-left corner is red.
    let square = processed(dir.path(), "photo", "png")
        .into_iter()
        .map(|p| image::open(p).unwrap().to_rgb8())
        .find(|i| i.dimensions() == (100, 100))
        .unwrap();
    let top_left = square.get_pixel(2, 2).0;
    assert!(top_left[0] > 150 && top_left[2] < 100, "{top_left:?}");
}

#[test]
fn unchanged_images_are_not_encoded_again() {
    let dir = build("images");
    let cache = dir.path().join("static/processed_images");
    let cached = files(&cache);
    assert_eq!(
        cached.len(),
        5,
        "the cache holds every processed image: {cached:?}"
    );
    // Mark a cached file: a second build must keep it (not encode again).
    let logo = cache.join(cached.iter().find(|f| f.starts_with("logo.")).unwrap());
    std::fs::write(&logo, b"cached").unwrap();
    maillage::build(&common::options(dir.path())).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(std::fs::read(&logo).unwrap(), b"cached");
    // A source newer than its processed image is encoded again.
    let source = dir.path().join("static/logo.jpg");
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    std::fs::File::options()
        .write(true)
        .open(&source)
        .unwrap()
        .set_modified(later)
        .unwrap();
    maillage::build(&common::options(dir.path())).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(image::image_dimensions(&logo).unwrap(), (60, 40));
    // A processed image no template asks for any more is removed.
    std::fs::write(
        dir.path().join("templates/index.html"),
        "<!doctype html><p>sans logo</p>",
    )
    .unwrap();
    maillage::build(&common::options(dir.path())).unwrap_or_else(|e| panic!("{e}"));
    assert!(!logo.exists());
    assert!(!files(&dir.path().join("public/processed_images"))
        .iter()
        .any(|f| f.starts_with("logo.")));
}
