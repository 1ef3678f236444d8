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

use std::collections::HashSet;

use tera::ast::{Expr, ExprVal, Forloop, Node};
use tera::Tera;

use super::analysis::{any_name, Name};

/// The argument that asks `get_taxonomy` for its terms without their pages.
pub(crate) const WITHOUT_PAGES: &str = "__maillage_without_pages";

/// Gives [`WITHOUT_PAGES`] to every `get_taxonomy` call whose terms' pages
/// the template cannot read.
pub(crate) fn leave_out_unread(tera: &mut Tera) {
    let parents: HashSet<String> = tera
        .templates
        .values()
        .flat_map(|t| t.parents.iter().cloned())
        .collect();
    // (template, name) of each result whose pages nobody reads.
    let mut unread: HashSet<(String, String)> = HashSet::new();
    for (name, template) in &tera.templates {
        if parents.contains(name) {
            continue;
        }
        let mut uses = Uses::default();
        uses.walk(&template.ast);
        if uses.includes || uses.names.iter().any(|n| n == "__tera_context") {
            continue;
        }
        for key in &uses.taxonomy_sets {
            if uses.pages_unread(key) {
                unread.insert((name.clone(), key.clone()));
            }
        }
    }
    if unread.is_empty() {
        return;
    }
    for (name, template) in tera.templates.iter_mut() {
        mark(&mut template.ast, name, &unread);
        for block in template.blocks.values_mut() {
            mark(&mut block.body, name, &unread);
        }
        for definitions in template.blocks_definitions.values_mut() {
            for (origin, block) in definitions {
                mark(&mut block.body, origin, &unread);
            }
        }
    }
}

/// What a template's syntax tree uses.
#[derive(Default)]
struct Uses {
    /// Every variable path named outside the lists of `for` loops.
    names: Vec<String>,
    /// `(list, loop variable)` of each `for VALUE in LIST` over a plain path.
    loops: Vec<(String, String)>,
    /// The names set to the result of `get_taxonomy`.
    taxonomy_sets: Vec<String>,
    includes: bool,
}

impl Uses {
    fn walk(&mut self, nodes: &[Node]) {
        for node in nodes {
            match node {
                Node::Super
                | Node::Text(_)
                | Node::Extends(..)
                | Node::ImportMacro(..)
                | Node::Raw(..)
                | Node::Break(_)
                | Node::Continue(_)
                | Node::Comment(..) => {}
                Node::Include(..) => self.includes = true,
                Node::VariableBlock(_, expr) => self.expr(expr),
                Node::Set(_, set) => {
                    if taxonomy_call(&set.value) {
                        self.taxonomy_sets.push(set.key.clone());
                    }
                    self.expr(&set.value);
                }
                Node::MacroDefinition(_, definition, _) => {
                    definition
                        .args
                        .values()
                        .flatten()
                        .for_each(|e| self.expr(e));
                    self.walk(&definition.body);
                }
                Node::FilterSection(_, section, _) => {
                    section.filter.args.values().for_each(|e| self.expr(e));
                    self.walk(&section.body);
                }
                Node::Block(_, block, _) => self.walk(&block.body),
                Node::Forloop(_, forloop, _) => self.forloop(forloop),
                Node::If(cond, _) => {
                    for (_, expr, body) in &cond.conditions {
                        self.expr(expr);
                        self.walk(body);
                    }
                    if let Some((_, body)) = &cond.otherwise {
                        self.walk(body);
                    }
                }
            }
        }
    }

    fn forloop(&mut self, forloop: &Forloop) {
        match (&forloop.key, plain_path(&forloop.container)) {
            (None, Some(list)) => self.loops.push((list.to_string(), forloop.value.clone())),
            _ => {
                // A key too, or a computed list: its names are plain uses,
                // and so is the loop variable (unknown what it holds).
                self.expr(&forloop.container);
                self.names.push(forloop.value.clone());
            }
        }
        self.walk(&forloop.body);
        if let Some(body) = &forloop.empty_body {
            self.walk(body);
        }
    }

    fn expr(&mut self, expr: &Expr) {
        any_name(expr, &mut |name| {
            if let Name::Var(path) = name {
                self.names.push(path.to_string());
            }
            false
        });
    }

    /// Whether the pages of the terms of `key` cannot be read.
    fn pages_unread(&self, key: &str) -> bool {
        let items = format!("{key}.items");
        let reaches = |path: &str, base: &str| {
            path.strip_prefix(base)
                .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
        };
        let whole = |path: &str| path == key || path.starts_with(&format!("{key}["));
        if self.names.iter().any(|n| whole(n) || reaches(n, &items)) {
            return false;
        }
        // Loops over anything but `key.items` whose list starts with it
        // (`key.items.0.pages`) read what they name.
        if self
            .loops
            .iter()
            .any(|(list, _)| list != &items && (whole(list) || reaches(list, &items)))
        {
            return false;
        }
        self.loops
            .iter()
            .filter(|(list, _)| *list == items)
            .all(|(_, term)| {
                !self.names.iter().any(|n| {
                    n == term
                        || reaches(n, &format!("{term}.pages"))
                        || n.starts_with(&format!("{term}["))
                }) && !self
                    .loops
                    .iter()
                    .any(|(list, _)| list.starts_with(term.as_str()))
            })
    }
}

/// `get_taxonomy(...)`, unfiltered.
fn taxonomy_call(expr: &Expr) -> bool {
    expr.filters.is_empty()
        && matches!(&expr.val, ExprVal::FunctionCall(call) if call.name == "get_taxonomy")
}

/// The path an unfiltered, plain expression names (`regions.items`).
fn plain_path(expr: &Expr) -> Option<&str> {
    match &expr.val {
        ExprVal::Ident(path) if expr.filters.is_empty() && !expr.negated => Some(path),
        _ => None,
    }
}

/// Gives [`WITHOUT_PAGES`] to the `get_taxonomy` calls set to names of
/// `origin` listed in `unread`, wherever `nodes` holds them.
fn mark(nodes: &mut [Node], origin: &str, unread: &HashSet<(String, String)>) {
    for node in nodes {
        match node {
            Node::Set(_, set) if unread.contains(&(origin.to_string(), set.key.clone())) => {
                if let ExprVal::FunctionCall(call) = &mut set.value.val {
                    if call.name == "get_taxonomy" {
                        call.args
                            .insert(WITHOUT_PAGES.to_string(), Expr::new(ExprVal::Bool(true)));
                    }
                }
            }
            Node::MacroDefinition(_, definition, _) => mark(&mut definition.body, origin, unread),
            Node::FilterSection(_, section, _) => mark(&mut section.body, origin, unread),
            Node::Block(_, block, _) => mark(&mut block.body, origin, unread),
            Node::Forloop(_, forloop, _) => {
                mark(&mut forloop.body, origin, unread);
                if let Some(body) = &mut forloop.empty_body {
                    mark(body, origin, unread);
                }
            }
            Node::If(cond, _) => {
                for (_, _, body) in &mut cond.conditions {
                    mark(body, origin, unread);
                }
                if let Some((_, body)) = &mut cond.otherwise {
                    mark(body, origin, unread);
                }
            }
            _ => {}
        }
    }
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
    }
}
