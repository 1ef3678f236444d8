//! Builds the fixture site and checks the produced HTML, feeds and sitemap.

use crate::common;

use common::{files, fixture, options, read};

fn built() -> tempfile::TempDir {
    let dir = fixture("blog");
    maillage::build(&options(dir.path())).unwrap_or_else(|e| panic!("{e}"));
    dir
}

#[test]
fn writes_zola_output_paths() {
    let dir = built();
    let out = files(&dir.path().join("public"));
    for expected in [
        "index.html",
        "404.html",
        "robots.txt",
        "sitemap.xml",
        "atom.xml",
        "rss.xml",
        "style.css",
        "theme.css",
        "blog/index.html",
        "blog/page/1/index.html",
        "blog/page/2/index.html",
        "blog/atom.xml",
        "blog/premier/index.html",
        "blog/yaml-post/index.html",
        "blog/third/index.html",
        "blog/colocated/index.html",
        "blog/colocated/notes.txt",
        "docs/index.html",
        "docs/a/index.html",
        "docs/b/index.html",
        "tags/index.html",
        "tags/rust/index.html",
        "tags/rust/atom.xml",
        "tags/web/index.html",
        "tags/web/page/2/index.html",
        "tags/web/rss.xml",
        "anciens/premier/index.html",
        "articles/index.html",
    ] {
        assert!(
            out.contains(&expected.to_string()),
            "missing {expected} in {out:?}"
        );
    }
    assert!(
        !out.iter().any(|f| f.contains("brouillon")),
        "drafts are not built: {out:?}"
    );
    // No staging folder left behind.
    let siblings: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert!(
        !siblings
            .iter()
            .any(|n| n.to_string_lossy().starts_with(".public")),
        "{siblings:?}"
    );
}

#[test]
fn front_matter_both_syntaxes_and_dates() {
    let dir = built();
    let toml = read(dir.path(), "public/blog/premier/index.html");
    assert!(toml.contains("<h1>Premier billet</h1>"));
    // Date from the file name, French day and month names.
    assert!(toml.contains("mercredi 10 janvier 2024"), "{toml}");
    let yaml = read(dir.path(), "public/blog/yaml-post/index.html");
    assert!(yaml.contains("<h1>Billet en YAML</h1>"));
    assert!(yaml.contains("jeudi 1 février 2024"), "{yaml}");
}

#[test]
fn theme_templates_are_overridden_file_by_file() {
    let dir = built();
    let page = read(dir.path(), "public/blog/premier/index.html");
    assert!(
        page.contains("class=\"site-page\""),
        "the site's page.html wins"
    );
    assert!(!page.contains("theme page template"));
    assert!(
        page.contains("Pied de page du carnet"),
        "the theme's base.html is used"
    );
    let section = read(dir.path(), "public/docs/index.html");
    assert!(
        section.contains("theme section template"),
        "the theme's section.html fills in"
    );
}

#[test]
fn sorting_pagination_and_neighbours() {
    let dir = built();
    let first = read(dir.path(), "public/blog/index.html");
    // Newest first, two per pager.
    let third = first.find("Troisième billet").expect("newest on pager 1");
    let yaml = first
        .find("Billet en YAML")
        .expect("second newest on pager 1");
    assert!(third < yaml);
    assert!(first.contains("page 1/2 of 4 by 2"), "{first}");
    assert!(first.contains("rel=\"next\" href=\"https://example.org/blog/page/2/\""));
    let second = read(dir.path(), "public/blog/page/2/index.html");
    assert!(second.contains("Premier billet") && second.contains("Billet avec fichiers"));
    assert!(second.contains("rel=\"prev\" href=\"https://example.org/blog/\""));
    let redirect = read(dir.path(), "public/blog/page/1/index.html");
    assert!(redirect.contains("url=https://example.org/blog/"));
    // Weight order: b (10) then a (20); lower is the previous one in that order.
    let docs = read(dir.path(), "public/docs/index.html");
    assert!(docs.find("Première étape").unwrap() < docs.find("Deuxième étape").unwrap());
    let b = read(dir.path(), "public/docs/b/index.html");
    assert!(b.contains("class=\"higher\" href=\"https://example.org/docs/a/\""));
    assert!(!b.contains("class=\"lower\""));
    let premier = read(dir.path(), "public/blog/premier/index.html");
    assert!(premier.contains("class=\"lower\" href=\"https://example.org/blog/yaml-post/\""));
    assert!(premier.contains("class=\"higher\" href=\"https://example.org/blog/colocated/\""));
    assert!(
        premier.contains("class=\"parent\">Billets (0)"),
        "metadata_only sections have no pages"
    );
}

#[test]
fn taxonomies_with_paginated_terms() {
    let dir = built();
    let list = read(dir.path(), "public/tags/index.html");
    assert!(
        list.contains("href=\"https://example.org/tags/rust/\">Rust</a> (1)"),
        "{list}"
    );
    assert!(list.contains("href=\"https://example.org/tags/web/\">Web</a> (3)"));
    let web = read(dir.path(), "public/tags/web/index.html");
    assert!(web.contains("<h1 class=\"term\">Web</h1>"));
    assert!(web.contains("<p class=\"pager\">1/2</p>"));
    assert!(web.contains("href=\"https://example.org/tags/web/page/2/\""));
    let web2 = read(dir.path(), "public/tags/web/page/2/index.html");
    assert!(web2.contains("<p class=\"pager\">2/2</p>") && web2.contains("Premier billet"));
    let index = read(dir.path(), "public/index.html");
    assert!(index.contains("<li>Web: 3</li>"));
}

#[test]
fn shortcodes_toc_anchors_summary_and_links() {
    let dir = built();
    let page = read(dir.path(), "public/blog/premier/index.html");
    assert!(
        page.contains(
            "<aside class=\"note note-info\" data-nth=\"1\">Pensez aux rallonges</aside>"
        ),
        "{page}"
    );
    assert!(page.contains("<aside class=\"note note-tip\" data-nth=\"2\"><p>Un corps en <strong>Markdown</strong>.</p>"));
    assert!(
        page.contains("<p><em>Signé : Camille</em></p>"),
        "Markdown shortcodes are rendered as Markdown"
    );
    assert!(
        page.contains("{{ note(kind="),
        "escaped shortcodes are written literally"
    );
    // Heading ids with Zola's slugs, duplicates numbered, anchors inserted.
    assert!(page.contains(
        "<h2 id=\"preparer-la-rencontre\"><a class=\"zola-anchor\" href=\"#preparer-la-rencontre\""
    ));
    assert!(page.contains("<h2 id=\"preparer-la-rencontre-1\">"));
    assert!(page.contains("<li class=\"l3\"><a href=\"https://example.org/blog/premier/#le-materiel\">Le matériel</a>"));
    // Internal link with anchor, external link with the configured attributes.
    assert!(page.contains("href=\"https://example.org/blog/yaml-post/#section-b\""));
    assert!(page.contains(
        "<a rel=\"noopener external\" target=\"_blank\" href=\"https://example.com/page\">"
    ));
    assert!(page.contains("<div class=\"summary\"><p>Une introduction"));
    assert!(page.contains("<span id=\"continue-reading\"></span>"));
    // Global functions and filters.
    assert!(page.contains("Bonjour à toutes et à tous"));
    assert!(page.contains("style.css?h="), "cachebust adds a hash");
    let index = read(dir.path(), "public/index.html");
    assert!(index.contains("<p class=\"csv\">2 lieux, nom,ville</p>"));
    assert!(index.contains("<p class=\"yaml\">Bretagne</p>"));
    assert!(index.contains("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    assert!(index.contains("<p class=\"num\">1,234,567</p>"));
    assert!(index.contains("<p class=\"b64\">bWFpbGxhZ2U=</p>"));
    assert!(index.contains("<p class=\"count\">4 billets</p>"));
    let code = read(dir.path(), "public/blog/yaml-post/index.html");
    // Zola 0.22's markup and github-light's colours, inline.
    assert!(
        code.contains("<pre class=\"giallo\" style=\"color: #24292E; background-color: #FFFFFF;\"><code data-lang=\"rust\"><span class=\"giallo-l\">"),
        "{code}"
    );
    let colocated = read(dir.path(), "public/blog/colocated/index.html");
    assert!(
        colocated.contains("/blog/colocated/notes.txt"),
        "assets are listed"
    );
}

#[test]
fn aliases_redirect() {
    let dir = built();
    let alias = read(dir.path(), "public/anciens/premier/index.html");
    assert!(alias
        .contains("http-equiv=\"refresh\" content=\"0; url=https://example.org/blog/premier/\""));
    let section_alias = read(dir.path(), "public/articles/index.html");
    assert!(section_alias.contains("url=https://example.org/blog/"));
}

#[test]
fn feeds_are_valid_atom_and_rss() {
    let dir = built();
    let atom_text = read(dir.path(), "public/atom.xml");
    let atom = roxmltree::Document::parse(&atom_text).expect("atom.xml is well-formed XML");
    let feed = atom.root_element();
    assert_eq!(feed.tag_name().name(), "feed");
    assert_eq!(
        feed.tag_name().namespace(),
        Some("http://www.w3.org/2005/Atom")
    );
    let entries: Vec<_> = feed
        .children()
        .filter(|n| n.has_tag_name("entry"))
        .collect();
    assert_eq!(entries.len(), 4, "every dated page, newest first");
    let title = |n: &roxmltree::Node| {
        n.children()
            .find(|c| c.has_tag_name("title"))
            .and_then(|t| t.text())
            .map(str::to_string)
    };
    assert_eq!(title(&entries[0]).as_deref(), Some("Troisième billet"));
    for required in ["id", "updated", "title"] {
        assert!(
            feed.children().any(|c| c.has_tag_name(required)),
            "feed needs <{required}>"
        );
        for e in &entries {
            assert!(
                e.children().any(|c| c.has_tag_name(required)),
                "entry needs <{required}>"
            );
        }
    }
    let rss_text = read(dir.path(), "public/blog/rss.xml");
    let rss = roxmltree::Document::parse(&rss_text).expect("rss.xml is well-formed XML");
    assert_eq!(rss.root_element().tag_name().name(), "rss");
    let channel = rss
        .root_element()
        .children()
        .find(|c| c.has_tag_name("channel"))
        .unwrap();
    assert!(
        channel
            .children()
            .filter(|c| c.has_tag_name("item"))
            .count()
            == 4
    );
    let term_feed = read(dir.path(), "public/tags/rust/atom.xml");
    let term = roxmltree::Document::parse(&term_feed).unwrap();
    assert_eq!(
        term.root_element()
            .children()
            .filter(|c| c.has_tag_name("entry"))
            .count(),
        1
    );
    assert!(term_feed.contains("Carnet du réseau - Rust"));
}

#[test]
fn sitemap_lists_every_page() {
    let dir = built();
    let text = read(dir.path(), "public/sitemap.xml");
    let doc = roxmltree::Document::parse(&text).unwrap();
    let locs: Vec<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .filter_map(|n| n.text())
        .map(str::to_string)
        .collect();
    for url in [
        "https://example.org/",
        "https://example.org/blog/",
        "https://example.org/blog/premier/",
        "https://example.org/blog/yaml-post/",
        "https://example.org/blog/third/",
        "https://example.org/blog/colocated/",
        "https://example.org/blog/page/2/",
        "https://example.org/docs/a/",
        "https://example.org/docs/b/",
        "https://example.org/tags/",
        "https://example.org/tags/web/",
        "https://example.org/tags/web/page/2/",
    ] {
        assert!(
            locs.contains(&url.to_string()),
            "{url} missing from {locs:?}"
        );
    }
    let mut sorted = locs.clone();
    sorted.sort();
    assert_eq!(locs, sorted);
    assert!(
        text.contains("<lastmod>2024-03-05</lastmod>"),
        "updated wins over date"
    );
    let robots = read(dir.path(), "public/robots.txt");
    assert!(robots.contains("Sitemap: https://example.org/sitemap.xml"));
}

#[test]
fn base_url_and_output_can_be_overridden() {
    let dir = fixture("blog");
    let out = dir.path().join("ailleurs");
    let opts = maillage::BuildOptions {
        output: Some(out.clone()),
        base_url: Some("http://localhost:8000/".into()),
        drafts: true,
        ..options(dir.path())
    };
    maillage::build(&opts).unwrap();
    let page = read(&out, "blog/premier/index.html");
    assert!(page.contains("href=\"http://localhost:8000/blog/yaml-post/#section-b\""));
    assert!(
        out.join("blog/brouillon/index.html").is_file(),
        "--drafts builds drafts"
    );
}

/// A listing given only the fields its template reads (the home page's),
/// and only the pages its loops can reach, renders as the same listing
/// given whole pages (a page whose template also prints the pages whole,
/// in a branch never taken).
#[test]
fn a_listing_with_only_the_fields_read_renders_as_with_whole_pages() {
    let dir = fixture("blog");
    let root = dir.path();
    let write = |rel: &str, text: &str| std::fs::write(root.join(rel), text).unwrap();
    write(
        "templates/listing-macros.html",
        "{% macro item(p) %}<li><a href=\"{{ p.permalink | safe }}\">{{ p.title }}</a>\
         {% if p.date %} {{ p.date | date(format=\"%d/%m/%Y\") }}{% endif %}\
         {% if p.extra.mood %} ({{ p.extra.mood }}){% endif %}\
         {{ self::tags(page=p) }} {{ p.word_count }} mots, {{ p.summary | default(value=\"-\") | safe }}</li>\
         {% endmacro item %}\
         {% macro tags(page) %}{% for t in page.taxonomies.tags | default(value=[]) %} #{{ t }}{% endfor %}{% endmacro tags %}",
    );
    let listing = "{% set blog = get_section(path=\"blog/_index.md\") %}\
        <div id=\"liste\">{% if blog.pages %}<p>{{ blog.title }} : {{ blog.pages | length }}</p><ul>\
        {% for p in blog.pages | slice(start=1) %}{{ m::item(p=p) }}{% endfor %}\
        {% for p in blog.pages | reverse %}<li>{{ p.description }}</li>{% endfor %}</ul>{% endif %}\
        {% set recent = get_section(path=\"blog/_index.md\") %}\
        <ol>{% for p in recent.pages | slice(start=1, end=3) %}{{ m::item(p=p) }}{% endfor %}</ol>\
        <p>{{ recent.pages | length }}</p></div>";
    write(
        "templates/index.html",
        &format!("{{% import \"listing-macros.html\" as m %}}{listing}"),
    );
    write(
        "templates/whole.html",
        &format!(
            "{{% import \"listing-macros.html\" as m %}}{listing}\
             {{% if page.title == \"jamais\" %}}{{{{ blog.pages | json_encode }}}}{{{{ recent | json_encode }}}}{{% endif %}}"
        ),
    );
    write(
        "content/whole.md",
        "+++\ntitle = \"Tout\"\ntemplate = \"whole.html\"\n+++\n",
    );
    maillage::build(&options(root)).unwrap_or_else(|e| panic!("{e}"));
    let list = |rel: &str| {
        let html = read(root, rel);
        let start = html.find("<div id=\"liste\">").expect("the listing");
        html[start..].to_string()
    };
    let (home, whole) = (list("public/index.html"), list("public/whole/index.html"));
    assert_eq!(home, whole);
    for shown in [
        "Premier billet",
        "#Rust",
        "(content)",
        "Le tout premier",
        "mots, <p>",
        "<ol><li>",
        "<p>4</p>",
    ] {
        assert!(home.contains(shown), "{shown}: {home}");
    }
}
