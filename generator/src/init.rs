//! `maillage init`: a small working site to start from, bare (Zola-style,
//! its own small templates) or a network's (the maillage theme, `data/`
//! with one region, place and meetup, and the pages the forms lead to).

use std::path::Path;

use chrono::{Duration, NaiveTime};
use include_dir::{include_dir, Dir};

use crate::error::{Diagnostic, Result};
use maillage_model::clock;

/// Which site `init` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Bare,
    Network,
}

/// A network's site: config, content, data (`generator/init/network/`).
static NETWORK: Dir = include_dir!("$CARGO_MANIFEST_DIR/init/network");
/// The theme's templates and assets; its npm packages are installed by the
/// site's owner (`npm ci`), never embedded.
static THEME_TEMPLATES: Dir = include_dir!("$CARGO_MANIFEST_DIR/../themes/maillage/templates");
static THEME_STATIC: Dir = include_dir!("$CARGO_MANIFEST_DIR/../themes/maillage/static");
const THEME_FILES: &[(&str, &str)] = &[
    (
        "theme.toml",
        include_str!("../../themes/maillage/theme.toml"),
    ),
    (
        "package.json",
        include_str!("../../themes/maillage/package.json"),
    ),
    (
        "package-lock.json",
        include_str!("../../themes/maillage/package-lock.json"),
    ),
];

const FILES: &[(&str, &str)] = &[
    (
        "content/_index.md",
        "+++\ntitle = \"Accueil\"\n+++\n\nBienvenue ! Cette page vient de `content/_index.md`.\n",
    ),
    (
        "content/actualites/_index.md",
        "+++\ntitle = \"Actualités\"\nsort_by = \"date\"\npaginate_by = 10\ngenerate_feeds = true\n+++\n",
    ),
    (
        "content/actualites/premiere-rencontre.md",
        "+++\ntitle = \"Notre première rencontre\"\ndate = 2026-11-22\n\n[taxonomies]\ntags = [\"rencontre\"]\n+++\n\nUn premier article. Modifiez `content/actualites/premiere-rencontre.md` pendant que `maillage serve` tourne : la page se met à jour toute seule.\n\n<!-- more -->\n\n## Et ensuite ?\n\nAjoutez des pages dans `content/`, des gabarits dans `templates/`.\n",
    ),
    (
        "templates/base.html",
        "<!DOCTYPE html>\n<html lang=\"{{ lang }}\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{% block title %}{{ config.title }}{% endblock title %}</title>\n<link rel=\"stylesheet\" href=\"{{ get_url(path='style.css') | safe }}\">\n</head>\n<body>\n<header><nav aria-label=\"Navigation principale\"><a href=\"{{ get_url(path='@/_index.md') | safe }}\">Accueil</a> · <a href=\"{{ get_url(path='@/actualites/_index.md') | safe }}\">Actualités</a></nav></header>\n<main>\n{% block content %}{% endblock content %}\n</main>\n</body>\n</html>\n",
    ),
    (
        "templates/index.html",
        "{% extends \"base.html\" %}\n{% block content %}\n<h1>{{ section.title }}</h1>\n{{ section.content | safe }}\n{% endblock content %}\n",
    ),
    (
        "templates/section.html",
        "{% extends \"base.html\" %}\n{% block title %}{{ section.title }} — {{ config.title }}{% endblock title %}\n{% block content %}\n<h1>{{ section.title }}</h1>\n<ul>\n{% for p in paginator.pages | default(value=section.pages) %}<li><a href=\"{{ p.permalink | safe }}\">{{ p.title }}</a></li>\n{% endfor %}</ul>\n{% endblock content %}\n",
    ),
    (
        "templates/page.html",
        "{% extends \"base.html\" %}\n{% block title %}{{ page.title }} — {{ config.title }}{% endblock title %}\n{% block content %}\n<article>\n<h1>{{ page.title }}</h1>\n{% if page.date %}<p><time datetime=\"{{ page.date }}\">{{ page.date | date(format=\"%-d %B %Y\", locale=\"fr_FR\") }}</time></p>{% endif %}\n{{ page.content | safe }}\n</article>\n{% endblock content %}\n",
    ),
    (
        "templates/taxonomy_list.html",
        "{% extends \"base.html\" %}\n{% block content %}\n<h1>{{ taxonomy.name }}</h1>\n<ul>{% for t in terms %}<li><a href=\"{{ t.permalink | safe }}\">{{ t.name }}</a> ({{ t.page_count }})</li>{% endfor %}</ul>\n{% endblock content %}\n",
    ),
    (
        "templates/taxonomy_single.html",
        "{% extends \"base.html\" %}\n{% block content %}\n<h1>{{ term.name }}</h1>\n<ul>{% for p in term.pages %}<li><a href=\"{{ p.permalink | safe }}\">{{ p.title }}</a></li>{% endfor %}</ul>\n{% endblock content %}\n",
    ),
    (
        "static/style.css",
        "body { font-family: system-ui, sans-serif; max-width: 44rem; margin: auto; padding: 1rem; line-height: 1.5; }\n",
    ),
];

/// Writes the skeleton into `dir`, which must be missing or empty.
pub(crate) fn init(dir: &Path, base_url: &str, kind: Kind) -> Result<()> {
    if dir.exists()
        && std::fs::read_dir(dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(
            Diagnostic::new(dir, "this folder is not empty: choose a new folder name").into(),
        );
    }
    let write = |rel: &Path, bytes: &[u8]| -> Result<()> {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Diagnostic::new(parent, format!("cannot create the folder: {e}")))?;
        }
        std::fs::write(&path, bytes)
            .map_err(|e| Diagnostic::new(&path, format!("cannot write: {e}")).into())
    };
    if kind == Kind::Network {
        return network(base_url, &write);
    }
    let config = format!(
        "base_url = {base_url:?}\ntitle = \"Mon réseau de rencontres\"\ndescription = \"Les rencontres locales de notre réseau.\"\ndefault_language = \"fr\"\ngenerate_feeds = true\ntaxonomies = [{{ name = \"tags\", feed = true }}]\n\n[markdown]\nsmart_punctuation = true\n\n[extra]\n"
    );
    write(Path::new("config.toml"), config.as_bytes())?;
    for (rel, text) in FILES {
        write(Path::new(rel), text.as_bytes())?;
    }
    Ok(())
}

/// The network's site. Its meetup is dated a month from today, so that the
/// new site shows a meetup open for registration.
fn network(base_url: &str, write: &dyn Fn(&Path, &[u8]) -> Result<()>) -> Result<()> {
    let day = clock::now().date_naive() + Duration::days(30);
    let at = |date: chrono::NaiveDate, h: u32, m: u32| {
        date.and_time(NaiveTime::from_hms_opt(h, m, 0).expect("a valid time"))
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    };
    let fill = |text: &str| {
        text.replace("@BASE_URL@", base_url)
            .replace("@START@", &at(day, 18, 30))
            .replace("@END@", &at(day, 20, 30))
            .replace(
                "@OPENS@",
                &at(clock::now().date_naive() - Duration::days(1), 9, 0),
            )
            .replace("@CLOSES@", &at(day, 12, 0))
    };
    for file in files(&NETWORK) {
        match file.contents_utf8() {
            Some(text) => write(file.path(), fill(text).as_bytes())?,
            None => write(file.path(), file.contents())?,
        }
    }
    let theme = Path::new("themes/maillage");
    for (folder, dir) in [("templates", &THEME_TEMPLATES), ("static", &THEME_STATIC)] {
        for file in files(dir) {
            write(&theme.join(folder).join(file.path()), file.contents())?;
        }
    }
    for (rel, text) in THEME_FILES {
        write(&theme.join(rel), text.as_bytes())?;
    }
    Ok(())
}

/// Every file of an embedded folder, at any depth.
fn files<'a>(dir: &'a Dir<'a>) -> Vec<&'a include_dir::File<'a>> {
    let mut all: Vec<_> = dir.files().collect();
    for sub in dir.dirs() {
        all.extend(files(sub));
    }
    all
}
