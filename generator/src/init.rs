//! `maillage init`: a small working site to start from.

use std::path::Path;

use crate::error::{Diagnostic, Result};

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
pub fn init(dir: &Path, base_url: &str) -> Result<()> {
    if dir.exists()
        && std::fs::read_dir(dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(
            Diagnostic::new(dir, "this folder is not empty: choose a new folder name").into(),
        );
    }
    let config = format!(
        "base_url = {base_url:?}\ntitle = \"Mon réseau de rencontres\"\ndescription = \"Les rencontres locales de notre réseau.\"\ndefault_language = \"fr\"\ngenerate_feeds = true\ntaxonomies = [{{ name = \"tags\", feed = true }}]\n\n[markdown]\nsmart_punctuation = true\n\n[extra]\n"
    );
    let write = |rel: &str, text: &str| -> Result<()> {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| Diagnostic::new(parent, format!("cannot create the folder: {e}")))?;
        }
        std::fs::write(&path, text)
            .map_err(|e| Diagnostic::new(&path, format!("cannot write: {e}")).into())
    };
    write("config.toml", &config)?;
    for (rel, text) in FILES {
        write(rel, text)?;
    }
    Ok(())
}
