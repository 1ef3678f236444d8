//! `get_section` with only the fields of its pages that a template reads.
//!
//! A home page that shows the last ten meetups and their count (`{% set
//! s = get_section(path="rencontres/_index.md") %}{% for p in s.pages |
//! slice(end=10) %}{{ m::item(p=p) }}{% endfor %}{{ s.pages | length }}`)
//! asks for a value of every page of the section, and Tera copies the list
//! each time it reads it under a name set by `{% set %}`. When the syntax
//! tree shows every field a listed page can be read through, the call is
//! given the argument [`PAGE_FIELDS`] with those fields, and the function
//! gives each page with those fields only. When every loop over the pages
//! is bounded by `slice(end=N)` (literal bounds), the call is also given
//! [`PAGES_READ`]: the pages past the largest `N` are given as `null`, which
//! a count or a truth test sees the same. Whatever the template does read
//! comes out the same.
//!
//! The result, `{% set NAME = get_section(...) %}`, must be read only as
//! `NAME.<field>` for fields other than `pages`, and its pages only as
//! `NAME.pages | length`, tested for truth (`{% if NAME.pages %}`: a list
//! of as many pages) or as the list of a loop without a key (`for P in
//! NAME.pages`, filtered by `slice` or `reverse` at most). Each loop
//! variable must be read only as `P.<field>...` (never whole, as a filter's
//! input, `P[...]`, in a `{% set %}` or tested for truth: an object without
//! fields is false) or passed to a macro whose parameter is read the same
//! way, macros it passes the parameter to included. The template must
//! include no other template and be extended by none; the templates it
//! extends are read too.

use std::collections::{BTreeSet, HashMap};

use tera::ast::{Expr, ExprVal};
use tera::Tera;

use super::uses::{give_where_proved, reaches, MacroArg, Uses};
use crate::site::PageFieldSet;

/// The argument that gives `get_section` the fields of its pages to keep.
pub(crate) const PAGE_FIELDS: &str = "__maillage_page_fields";
/// The argument that tells `get_section` how many of its first pages can
/// be read: the others are given as `null`, counted all the same.
pub(crate) const PAGES_READ: &str = "__maillage_pages_read";

/// Gives [`PAGE_FIELDS`] to every `get_section` call whose pages the
/// template reads only through known fields.
pub(crate) fn keep_read_fields(tera: &mut Tera) {
    give_where_proved(tera, "get_section", |tera, uses, key| {
        let Some((fields, reach)) = fields_of_pages(tera, uses, key) else {
            return Vec::new();
        };
        let list = fields.into_iter().map(|f| Expr::new(ExprVal::String(f)));
        let mut arguments = vec![(PAGE_FIELDS, Expr::new(ExprVal::Array(list.collect())))];
        if let Some(reach) = reach.and_then(|n| i64::try_from(n).ok()) {
            arguments.push((PAGES_READ, Expr::new(ExprVal::Int(reach))));
        }
        arguments
    });
}

/// What each template provably reads of the pages the renderer gives it,
/// found once when the templates are read: the renderer leaves the other
/// fields out.
#[derive(Debug, Default)]
pub(crate) struct FieldsRead {
    /// By template: the fields of the pages of `paginator.pages`.
    pager_pages: HashMap<String, PageFieldSet>,
    /// By template: the fields of `page`, when rendering a page.
    page: HashMap<String, PageFields>,
}

/// The fields of `page` a page's template reads.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct PageFields {
    pub(crate) own: PageFieldSet,
    /// Of its neighbours (`page.lower`, `page.higher`), when known: `None`
    /// gives them as listings do.
    pub(crate) neighbours: Option<PageFieldSet>,
}

impl FieldsRead {
    pub(crate) fn of(tera: &Tera) -> FieldsRead {
        let mut read = FieldsRead::default();
        for name in tera.templates.keys() {
            if let Some(fields) = paginated_page_fields(tera, name) {
                read.pager_pages
                    .insert(name.clone(), PageFieldSet::of(&fields));
            }
            if let Some(fields) = page_fields(tera, name) {
                read.page.insert(name.clone(), fields);
            }
        }
        read
    }

    pub(crate) fn pager_pages(&self, template: &str) -> Option<PageFieldSet> {
        self.pager_pages.get(template).copied()
    }

    pub(crate) fn page(&self, template: &str) -> Option<&PageFields> {
        self.page.get(template)
    }
}

/// The fields through which the template `name` can read `page` (a page's
/// own value) and its neighbours, or `None` if it may read it whole. A
/// page or a neighbour tested for truth is an object with at least its
/// permalink, true either way.
fn page_fields(tera: &Tera, name: &str) -> Option<PageFields> {
    let mut uses = Uses::of_template(tera, name)?;
    if uses.may_read_everything() {
        return None;
    }
    uses.tested
        .retain(|t| !matches!(t.as_str(), "page" | "page.lower" | "page.higher"));
    let mut own = fields_of(tera, &uses, "page", &mut Vec::new())?;
    own.insert("permalink".into());
    // A macro given the page whole may read its neighbours' fields.
    let whole_to_macro = uses.macro_args.iter().any(|a| a.path == "page");
    let neighbour = |field: &str| {
        let path = format!("page.{field}");
        let mut read = fields_of(tera, &uses, &path, &mut Vec::new())?;
        read.insert("permalink".into());
        Some(read)
    };
    let neighbours = match (whole_to_macro, neighbour("lower"), neighbour("higher")) {
        (false, Some(mut lower), Some(higher)) => {
            lower.extend(higher);
            Some(lower)
        }
        _ => None,
    };
    Some(PageFields {
        own: PageFieldSet::of(&own),
        neighbours: neighbours.as_ref().map(PageFieldSet::of),
    })
}

/// The fields through which the template `name`, rendering a pager, can
/// read the pages of `paginator.pages`, or `None` if it may read them
/// whole. Each pager of a 22,000-page site's sections and terms lists
/// fifty pages, of which a listing reads a handful of fields: the others
/// are left out of its context. The rest of the paginator may be read in
/// any way but whole, tested for truth or counted (a page has fields
/// fewer, never a different number), and passed to a macro that reads it
/// the same way.
fn paginated_page_fields(tera: &Tera, name: &str) -> Option<BTreeSet<String>> {
    const KEY: &str = "paginator";
    const PAGES: &str = "paginator.pages";
    let uses = Uses::of_template(tera, name)?;
    if uses.may_read_everything() {
        return None;
    }
    let other_field = |path: &str| matches!(field_of(path, KEY), Some(Some(f)) if f != "pages");
    let about = |path: &str| reaches(path, KEY);
    let names_ok = uses.names.iter().all(|n| !about(n) || other_field(n));
    let counted_ok = uses
        .counted
        .iter()
        .chain(&uses.tested)
        .all(|n| !about(n) || other_field(n) || n == KEY || n == PAGES);
    if !names_ok || !counted_ok {
        return None;
    }
    for arg in uses.macro_args.iter().filter(|a| about(&a.path)) {
        if other_field(&arg.path) {
            continue;
        }
        // The paginator given whole: the macro must not read its pages.
        let read = (arg.path == KEY)
            .then(|| macro_param_fields(tera, arg, &mut Vec::new()))
            .flatten()?;
        if read.contains("pages") {
            return None;
        }
    }
    let mut fields = BTreeSet::new();
    for l in uses.loops.iter().filter(|l| about(&l.list)) {
        if l.list == PAGES {
            fields.extend(fields_of(tera, &uses, &l.value, &mut Vec::new())?);
        } else if !other_field(&l.list) {
            return None;
        }
    }
    Some(fields)
}

/// The fields through which the pages of the section set to `key` can be
/// read, and how many of the first pages can be (`None`: all), or `None`
/// if they may be read whole.
fn fields_of_pages(
    tera: &Tera,
    uses: &Uses,
    key: &str,
) -> Option<(BTreeSet<String>, Option<usize>)> {
    let pages = format!("{key}.pages");
    // A path through the section to anything but its pages.
    let other_field = |path: &str| matches!(field_of(path, key), Some(Some(f)) if f != "pages");
    let about = |path: &str| reaches(path, key);
    let names_ok = uses
        .names
        .iter()
        .chain(uses.macro_args.iter().map(|a| &a.path))
        .all(|n| !about(n) || other_field(n));
    // Counting or testing the list reads none of its pages.
    let counted_ok = uses
        .counted
        .iter()
        .chain(&uses.tested)
        .all(|n| !about(n) || other_field(n) || *n == pages);
    if !names_ok || !counted_ok {
        return None;
    }
    let mut fields = BTreeSet::new();
    let mut reach = Some(0);
    for l in uses.loops.iter().filter(|l| about(&l.list)) {
        if l.list == pages {
            fields.extend(fields_of(tera, uses, &l.value, &mut Vec::new())?);
            reach = reach.zip(l.reach).map(|(a, b)| a.max(b));
        } else if !other_field(&l.list) {
            return None;
        }
    }
    Some((fields, reach))
}

/// The fields through which `var` is read in `uses`, or `None` if it may
/// be read whole. `visiting`: the macro parameters being followed, so that
/// a macro calling itself is not followed for ever.
fn fields_of(
    tera: &Tera,
    uses: &Uses,
    var: &str,
    visiting: &mut Vec<(String, String)>,
) -> Option<BTreeSet<String>> {
    let mut fields = BTreeSet::new();
    let paths = uses
        .names
        .iter()
        .chain(&uses.counted)
        .chain(&uses.tested)
        .chain(uses.loops.iter().map(|l| &l.list));
    for path in paths {
        match field_of(path, var) {
            None => {}
            Some(Some(field)) => {
                fields.insert(field.to_string());
            }
            Some(None) => return None,
        }
    }
    // A loop over something else whose variable has the same name: its
    // uses are counted above, which can only keep more fields.
    for arg in &uses.macro_args {
        match field_of(&arg.path, var) {
            None => {}
            Some(Some(field)) => {
                fields.insert(field.to_string());
            }
            Some(None) => fields.extend(macro_param_fields(tera, arg, visiting)?),
        }
    }
    Some(fields)
}

/// The fields through which every macro of that name (in whichever
/// template: a superset of those the call can reach) reads the parameter.
fn macro_param_fields(
    tera: &Tera,
    arg: &MacroArg,
    visiting: &mut Vec<(String, String)>,
) -> Option<BTreeSet<String>> {
    let followed = (arg.macro_name.clone(), arg.param.clone());
    if visiting.contains(&followed) {
        return None;
    }
    let definitions: Vec<_> = tera
        .templates
        .values()
        .filter_map(|t| t.macros.get(&arg.macro_name))
        .collect();
    if definitions.is_empty() {
        return None;
    }
    visiting.push(followed);
    let mut fields = BTreeSet::new();
    for definition in definitions {
        if !definition.args.contains_key(&arg.param) {
            return None;
        }
        let mut uses = Uses::default();
        uses.walk(&definition.body);
        if uses.may_read_everything() {
            return None;
        }
        fields.extend(fields_of(tera, &uses, &arg.param, visiting)?);
    }
    visiting.pop();
    Some(fields)
}

/// How `path` reads `var`: not at all (`None`), whole (`Some(None)`:
/// `var`, `var[...]`), or through a field (`Some(Some("title"))` for
/// `var.title.x`).
fn field_of<'a>(path: &'a str, var: &str) -> Option<Option<&'a str>> {
    let rest = path.strip_prefix(var)?;
    if rest.is_empty() || rest.starts_with('[') {
        return Some(None);
    }
    let rest = rest.strip_prefix('.')?;
    Some(rest.split(['.', '[']).next().filter(|f| !f.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tera(templates: &[(&str, &str)]) -> Tera {
        let mut t = Tera::default();
        t.add_raw_templates(templates.to_vec()).unwrap();
        keep_read_fields(&mut t);
        t
    }

    /// What the `get_section` call of `name` is given (the fields, the
    /// number of pages that can be read), the same in its own tree and in
    /// the blocks it renders, or `None` if nothing.
    fn given(t: &Tera, name: &str) -> Option<(Vec<String>, Option<i64>)> {
        let template = t.get_template(name).unwrap();
        let mut found = Vec::new();
        let mut trees = vec![&template.ast];
        trees.extend(
            template
                .blocks_definitions
                .values()
                .flatten()
                .map(|(_, b)| &b.body),
        );
        for tree in trees {
            find_calls(tree, &mut found);
        }
        assert!(!found.is_empty(), "{name} calls get_section");
        assert!(found.iter().all(|f| *f == found[0]), "{name}: {found:?}");
        found.swap_remove(0)
    }

    fn fields_given(t: &Tera, name: &str) -> Option<Vec<String>> {
        given(t, name).map(|(fields, _)| fields)
    }

    fn read_given(t: &Tera, name: &str) -> Option<i64> {
        given(t, name).and_then(|(_, read)| read)
    }

    type Given = Option<(Vec<String>, Option<i64>)>;

    fn find_calls(nodes: &[tera::ast::Node], found: &mut Vec<Given>) {
        use tera::ast::Node;
        for node in nodes {
            match node {
                Node::Set(_, set) => {
                    if let ExprVal::FunctionCall(call) = &set.value.val {
                        if call.name == "get_section" {
                            let fields = call.args.get(PAGE_FIELDS).map(|e| match &e.val {
                                ExprVal::Array(items) => items
                                    .iter()
                                    .map(|i| match &i.val {
                                        ExprVal::String(s) => s.clone(),
                                        other => panic!("{other:?}"),
                                    })
                                    .collect(),
                                other => panic!("{other:?}"),
                            });
                            let read = call.args.get(PAGES_READ).map(|e| match &e.val {
                                ExprVal::Int(n) => *n,
                                other => panic!("{other:?}"),
                            });
                            assert!(fields.is_some() || read.is_none());
                            found.push(fields.map(|f| (f, read)));
                        }
                    }
                }
                Node::Block(_, block, _) => find_calls(&block.body, found),
                Node::Forloop(_, forloop, _) => find_calls(&forloop.body, found),
                Node::If(cond, _) => {
                    for (_, _, body) in &cond.conditions {
                        find_calls(body, found);
                    }
                    if let Some((_, body)) = &cond.otherwise {
                        find_calls(body, found);
                    }
                }
                _ => {}
            }
        }
    }

    const MACROS: &str = "{% macro item(p) %}<a href=\"{{ p.permalink }}\">{{ p.title }}</a>\
        {% if p.date %}{{ p.date | date(format=\"%d/%m/%Y\") }}{% endif %}\
        {% if p.extra.place %}{{ p.extra.place }}{% endif %}{% endmacro item %}";
    const SET: &str = "{% set s = get_section(path=\"rencontres/_index.md\") %}";

    #[test]
    fn the_last_pages_and_their_count_get_the_fields_the_macro_reads() {
        let t = tera(&[
            ("macros.html", MACROS),
            ("base.html", "<main>{% block content %}{% endblock %}</main>"),
            (
                "index.html",
                &format!(
                    "{{% extends \"base.html\" %}}{{% import \"macros.html\" as m %}}\
                     {{% block content %}}{SET}\
                     {{% for p in s.pages | slice(end=10) %}}{{{{ m::item(p=p) }}}}{{% endfor %}}\
                     <a href=\"{{{{ s.permalink }}}}\">{{{{ s.title }}}} ({{{{ s.pages | length }}}})</a>\
                     {{% for p in s.pages | reverse %}}{{{{ p.description }}}}{{% endfor %}}\
                     {{% for sub in s.subsections %}}{{{{ sub }}}}{{% endfor %}}\
                     {{% if s.pages and not s.draft %}}{{{{ s.title }}}}{{% endif %}}\
                     {{% endblock %}}"
                ),
            ),
        ]);
        assert_eq!(
            fields_given(&t, "index.html").unwrap(),
            ["date", "description", "extra", "permalink", "title"]
        );
        // A macro that passes its parameter on, to itself under a
        // condition included, is followed.
        let t = tera(&[
            (
                "m.html",
                "{% macro outer(page) %}{{ self::inner(q=page) }}{% endmacro %}\
                 {% macro inner(q) %}{{ q.slug }}{% endmacro %}",
            ),
            (
                "page.html",
                &format!(
                    "{{% import \"m.html\" as m %}}{SET}{{% for p in s.pages %}}{{{{ m::outer(page=p) }}}}\
                     {{{{ p.taxonomies.regions | join(sep=\", \") }}}}{{% endfor %}}"
                ),
            ),
        ]);
        assert_eq!(
            fields_given(&t, "page.html").unwrap(),
            ["slug", "taxonomies"]
        );
    }

    #[test]
    fn pages_past_every_slice_are_not_read() {
        let read = |case: &str| {
            let t = tera(&[
                ("m.html", MACROS),
                (
                    "page.html",
                    &format!("{{% import \"m.html\" as m %}}{SET}{case}{{{{ s.pages | length }}}}"),
                ),
            ]);
            read_given(&t, "page.html")
        };
        let item = "{{ m::item(p=p) }}{% endfor %}";
        assert_eq!(
            read(&format!("{{% for p in s.pages | slice(end=10) %}}{item}")),
            Some(10)
        );
        assert_eq!(
            read(&format!(
                "{{% for p in s.pages | slice(start=2, end=3) %}}{item}\
                 {{% for p in s.pages | slice(end=5) %}}{item}"
            )),
            Some(5)
        );
        // Only counted or tested: none is read.
        assert_eq!(read("{% if s.pages %}x{% endif %}"), Some(0));
        // Every other loop can reach any page.
        for list in [
            "s.pages",
            "s.pages | reverse",
            "s.pages | slice(start=2)",
            "s.pages | slice(end=-1)",
            "s.pages | slice(end=n)",
            "s.pages | slice(end=2.5)",
            "s.pages | slice(end=3) | reverse",
            "s.pages | reverse | slice(end=3)",
        ] {
            let case = format!(
                "{{% for p in s.pages | slice(end=1) %}}{item}{{% for p in {list} %}}{item}"
            );
            assert_eq!(read(&case), None, "{list}");
        }
    }

    #[test]
    fn any_way_to_read_a_page_whole_keeps_every_field() {
        let cases = [
            // The pages, or a page, read whole.
            "{{ s.pages | json_encode }}",
            "{{ s | json_encode }}",
            "{{ s }}",
            "{{ s[\"pages\"] | length }}",
            "{{ s.pages.0.title }}",
            "{{ s.pages[0].title }}",
            "{% if s.pages.0 %}x{% endif %}",
            "{% for p in s.pages %}{% if p %}x{% endif %}{% endfor %}",
            "{{ s.pages | first }}",
            "{% set all = s.pages %}{{ all | length }}",
            "{% set all = s %}{{ all.pages.0.content }}",
            "{% for p in s.pages | sort(attribute=\"title\") %}{{ p.title }}{% endfor %}",
            "{% for i, p in s.pages %}{{ p.title }}{% endfor %}",
            "{% for p in s.pages %}{{ p }}{% endfor %}",
            "{% for p in s.pages %}{{ p | json_encode }}{% endfor %}",
            "{% for p in s.pages %}{{ p[\"content\"] }}{% endfor %}",
            "{% for p in s.pages %}{% set q = p %}{{ q.content }}{% endfor %}",
            "{% for p in s.pages %}{% for k, v in p %}{{ v }}{% endfor %}{% endfor %}",
            "{% for p in s.pages %}{{ p | length }}{% endfor %}",
            "{% for p in s.pages %}{{ m::whole(p=p) }}{% endfor %}",
            "{% for p in s.pages %}{{ m::again(p=p) }}{% endfor %}",
            "{% for p in s.pages %}{{ m::missing(p=p) }}{% endfor %}",
            "{% for p in s.pages %}{{ m::item(other=p) }}{% endfor %}",
            "{% for p in s.pages %}{{ m::context(p=p) }}{% endfor %}",
            "{{ __tera_context }}",
            "{% include \"other.html\" %}",
        ];
        for case in cases {
            let t = tera(&[
                (
                    "m.html",
                    "{% macro item(p) %}{{ p.title }}{% endmacro %}\
                     {% macro whole(p) %}{{ p | json_encode }}{% endmacro %}\
                     {% macro again(p) %}{% if p.x %}{{ self::again(p=p) }}{% endif %}{% endmacro %}\
                     {% macro context(p) %}{{ __tera_context }}{% endmacro %}",
                ),
                ("other.html", "{{ s.pages.0.content }}"),
                (
                    "page.html",
                    &format!("{{% import \"m.html\" as m %}}{SET}{case}"),
                ),
            ]);
            assert_eq!(fields_given(&t, "page.html"), None, "{case}");
        }
        // A template others extend: they could read what it sets.
        let t = tera(&[
            ("base.html", &format!("{SET}{{% block content %}}{{% endblock %}}")),
            (
                "child.html",
                "{% extends \"base.html\" %}{% block content %}{{ s.pages.0.content }}{% endblock %}",
            ),
        ]);
        assert_eq!(fields_given(&t, "base.html"), None);
        // The template it extends reads the name set in a block.
        let t = tera(&[
            (
                "base.html",
                "{% block content %}{% endblock %}{{ s.pages | json_encode }}",
            ),
            (
                "child.html",
                &format!("{{% extends \"base.html\" %}}{{% block content %}}{SET}{{% endblock %}}"),
            ),
        ]);
        assert_eq!(fields_given(&t, "child.html"), None);
    }

    /// What `paginated_page_fields` proves of `section.html` rendering a
    /// pager with `body` as its content block.
    fn pager_fields(body: &str) -> Option<Vec<String>> {
        let pagination = "{% macro pagination(paginator) %}{% if paginator.previous %}\
            <a href=\"{{ paginator.previous }}\">&lt;</a>{% endif %}\
            {{ paginator.current_index }}/{{ paginator.number_pagers }}{% endmacro pagination %}";
        let loops = "{% macro pages(paginator) %}{% for p in paginator.pages %}\
            {{ p.title }}{% endfor %}{% endmacro pages %}";
        let t = tera(&[
            ("macros.html", &format!("{MACROS}{pagination}{loops}")),
            (
                "base.html",
                "<main>{% block content %}{% endblock %}</main>",
            ),
            ("other.html", "{{ page.title }}"),
            (
                "section.html",
                &format!(
                    "{{% extends \"base.html\" %}}{{% import \"macros.html\" as m %}}\
                     {{% block content %}}{body}{{% endblock %}}"
                ),
            ),
        ]);
        paginated_page_fields(&t, "section.html").map(|f| f.into_iter().collect())
    }

    #[test]
    fn a_pager_gets_the_fields_its_loops_and_macros_read() {
        // The peer site's listing: a macro per page, the paginator to another.
        let listing = "{% if paginator %}<p>{{ paginator.total_pages }}</p>\
            {% for p in paginator.pages %}{{ m::item(p=p) }}{% endfor %}\
            {{ m::pagination(paginator=paginator) }}{% else %}\
            {% for p in section.pages %}{{ p.content }}{% endfor %}{% endif %}";
        assert_eq!(
            pager_fields(listing),
            Some(vec![
                // `p.content` is read by the other loop's variable of the same name.
                "content".into(),
                "date".into(),
                "extra".into(),
                "permalink".into(),
                "title".into()
            ])
        );
        assert_eq!(
            pager_fields("{{ paginator.pages | length }}{% if paginator.pages %}x{% endif %}"),
            Some(vec![])
        );
        let sliced = "{% for q in paginator.pages | reverse %}{{ q.title }}{% endfor %}";
        assert_eq!(pager_fields(sliced), Some(vec!["title".into()]));
    }

    #[test]
    fn a_pager_that_may_read_a_page_whole_gets_every_field() {
        for body in [
            "{{ paginator | json_encode }}",
            "{{ paginator.pages | json_encode }}",
            "{% set all = paginator.pages %}{{ all | length }}",
            "{% for p in paginator.pages %}{{ p | json_encode }}{% endfor %}",
            "{% for p in paginator.pages %}{% if p %}x{% endif %}{% endfor %}",
            "{% for i, p in paginator.pages %}{{ p.title }}{% endfor %}",
            "{% for k, v in paginator %}{{ v }}{% endfor %}",
            "{{ paginator.pages[0].title }}",
            "{{ m::pages(paginator=paginator) }}",
            "{% include \"other.html\" %}",
            "{{ __tera_context }}",
        ] {
            assert_eq!(pager_fields(body), None, "{body}");
        }
    }

    fn page_read(page: &str) -> Option<PageFields> {
        let t = tera(&[
            ("macros.html", MACROS),
            (
                "base.html",
                "<title>{% if page and page.title %}{{ page.title }}{% endif %}</title>\
                 {% block content %}{% endblock %}",
            ),
            ("other.html", "{{ page.title }}"),
            (
                "page.html",
                &format!(
                    "{{% extends \"base.html\" %}}{{% import \"macros.html\" as m %}}\
                     {{% block content %}}{page}{{% endblock %}}"
                ),
            ),
        ]);
        page_fields(&t, "page.html")
    }

    #[test]
    fn a_page_gets_the_fields_its_template_reads_and_its_neighbours_theirs() {
        let read = page_read(
            "{{ page.content | safe }}{% for h in page.toc %}{{ h.title }}{% endfor %}\
             {% if page.lower %}<a href=\"{{ page.lower.permalink }}\">{{ page.lower.title }}</a>{% endif %}\
             {% if page.higher %}{{ m::item(p=page.higher) }}{% endif %}",
        );
        assert_eq!(
            read,
            Some(PageFields {
                own: PageFieldSet::of(["content", "higher", "lower", "permalink", "title", "toc"]),
                neighbours: Some(PageFieldSet::of(["date", "extra", "permalink", "title"])),
            })
        );
        // Given whole to a macro: its fields are the macro's, its neighbours whole.
        assert_eq!(
            page_read("{{ m::item(p=page) }}"),
            Some(PageFields {
                own: PageFieldSet::of(["date", "extra", "permalink", "title"]),
                neighbours: None,
            })
        );
    }

    #[test]
    fn a_page_that_may_be_read_whole_gets_every_field() {
        for body in [
            "{{ page | json_encode }}",
            "{% set p = page %}{{ p.title }}",
            "{% for k, v in page %}{{ k }}{% endfor %}",
            "{{ page[\"title\"] }}",
            "{% include \"other.html\" %}",
            "{{ __tera_context }}",
        ] {
            assert_eq!(page_read(body), None, "{body}");
        }
        let lower_whole = page_read("{{ page.lower | json_encode }}").unwrap();
        assert_eq!(lower_whole.neighbours, None);
        assert!(lower_whole.own.contains("lower"));
    }
}
