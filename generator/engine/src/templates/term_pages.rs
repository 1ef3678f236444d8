//! `get_taxonomy` without the pages of its terms where nobody reads them.
//!
//! Zola's `get_taxonomy` gives every term with all its pages. A home page
//! that lists the regions with their counts (`{% set regions =
//! get_taxonomy(kind="regions") %}{% for t in regions.items %}{{ t.name }}
//! ({{ t.page_count }}){% endfor %}`) then makes a value of every page of
//! the site, the largest value of a build. When the syntax tree shows that
//! the pages of the result cannot be read, the call is given the argument
//! [`WITHOUT_PAGES`], and the function leaves them out. Whatever the
//! template does read comes out the same.
//!
//! The result, `{% set NAME = get_taxonomy(...) %}`, must be read only as
//! `NAME.<field>` (not `NAME`, `NAME[...]` nor `NAME.items` except as a
//! loop's list), and its terms, in `{% for TERM in NAME.items %}`, only as
//! `TERM.<field>` other than `pages` (never whole, as a macro argument or
//! a filter's input would). The template must include no other template
//! and be extended by none: those would see `NAME` too.

use tera::ast::{Expr, ExprVal};
use tera::Tera;

use super::uses::{give_where_proved, reaches, Uses};

/// The argument that asks `get_taxonomy` for its terms without their pages.
pub(crate) const WITHOUT_PAGES: &str = "__maillage_without_pages";

/// Gives [`WITHOUT_PAGES`] to every `get_taxonomy` call whose terms' pages
/// the template cannot read.
pub(crate) fn leave_out_unread(tera: &mut Tera) {
    give_where_proved(tera, "get_taxonomy", |_, uses, key| {
        let unread = pages_unread(uses, key);
        let argument = (WITHOUT_PAGES, Expr::new(ExprVal::Bool(true)));
        unread.then_some(argument).into_iter().collect()
    });
}

/// Whether the pages of the terms of `key` cannot be read.
fn pages_unread(uses: &Uses, key: &str) -> bool {
    let items = format!("{key}.items");
    let whole = |path: &str| path == key || path.starts_with(&format!("{key}["));
    if uses.whole_names().any(|n| whole(n) || reaches(n, &items)) {
        return false;
    }
    let plain_loops = || uses.loops.iter().filter(|l| !l.selected);
    // Loops over anything but `key.items` whose list starts with it
    // (`key.items.0.pages`) read what they name.
    if plain_loops().any(|l| l.list != items && (whole(&l.list) || reaches(&l.list, &items))) {
        return false;
    }
    plain_loops().filter(|l| l.list == items).all(|l| {
        let term = l.value.as_str();
        !uses.whole_names().any(|n| {
            n == term || reaches(n, &format!("{term}.pages")) || n.starts_with(&format!("{term}["))
        }) && !plain_loops().any(|l| l.list.starts_with(term))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tera(templates: &[(&str, &str)]) -> Tera {
        let mut t = Tera::default();
        t.add_raw_templates(templates.to_vec()).unwrap();
        leave_out_unread(&mut t);
        t
    }

    /// Whether the `get_taxonomy` call of `name` was given the argument,
    /// both in its own tree and in the blocks it renders (which Tera
    /// copies from it).
    fn without_pages(t: &Tera, name: &str) -> bool {
        let template = t.get_template(name).unwrap();
        let trees = [
            format!("{:?}", template.ast),
            format!("{:?}", template.blocks_definitions),
        ];
        let marked: Vec<bool> = trees
            .iter()
            .filter(|text| text.contains("get_taxonomy"))
            .map(|text| text.contains(WITHOUT_PAGES))
            .collect();
        assert!(!marked.is_empty(), "{name} calls get_taxonomy");
        assert!(marked.iter().all(|m| *m == marked[0]), "{name}: {marked:?}");
        marked[0]
    }

    const SET: &str = "{% set regions = get_taxonomy(kind=\"regions\") %}";

    #[test]
    fn a_list_of_terms_with_their_counts_gets_no_pages() {
        let t = tera(&[
            ("base.html", "<main>{% block content %}{% endblock %}</main>"),
            (
                "index.html",
                &format!(
                    "{{% extends \"base.html\" %}}{{% block content %}}{SET}\
                     <a href=\"{{{{ regions.permalink }}}}\">{{{{ regions.kind.name }}}}</a>\
                     {{% for t in regions.items %}}{{{{ t.name }}}} ({{{{ t.page_count }}}}){{% endfor %}}\
                     {{% endblock %}}"
                ),
            ),
        ]);
        assert!(without_pages(&t, "index.html"));
    }

    #[test]
    fn any_way_to_the_pages_keeps_them() {
        let cases = [
            "{% for t in regions.items %}{% for p in t.pages %}{{ p.title }}{% endfor %}{% endfor %}",
            "{% for t in regions.items %}{{ t.pages | length }}{% endfor %}",
            "{% for t in regions.items %}{% if t.pages %}x{% endif %}{% endfor %}",
            "{% for t in regions.items %}{{ m::term(t=t) }}{% endfor %}",
            "{% for t in regions.items %}{{ t[\"pages\"] }}{% endfor %}",
            "{{ regions.items.0.pages | length }}",
            "{{ regions.items | length }}",
            "{% for t in regions.items | reverse %}{{ t.name }}{% endfor %}",
            "{% for k, t in regions.items %}{{ t.name }}{% endfor %}",
            "{% set all = regions %}{{ all.items.0.pages }}",
            "{{ regions | json_encode }}",
            "{{ __tera_context }}",
            "{% include \"other.html\" %}",
        ];
        for case in cases {
            let t = tera(&[
                ("other.html", "{{ regions.items.0.pages }}"),
                ("page.html", &format!("{SET}{case}")),
            ]);
            assert!(!without_pages(&t, "page.html"), "{case}");
        }
        // A template others extend: they could read what it sets.
        let t = tera(&[
            ("base.html", &format!("{SET}{{% block content %}}{{% endblock %}}")),
            (
                "child.html",
                "{% extends \"base.html\" %}{% block content %}{{ regions.items.0.pages }}{% endblock %}",
            ),
        ]);
        assert!(!without_pages(&t, "base.html"));
        // The template it extends reads the name set in a block.
        let t = tera(&[
            (
                "base.html",
                "{% block content %}{% endblock %}{{ regions.items.0.pages | length }}",
            ),
            (
                "child.html",
                &format!(
                    "{{% extends \"base.html\" %}}{{% block content %}}{SET}{{{{ regions.permalink }}}}{{% endblock %}}"
                ),
            ),
        ]);
        assert!(!without_pages(&t, "child.html"));
    }
}
