//! What a template may read, found from its syntax tree, so the renderer can
//! leave out large values nobody looks at.
//!
//! Zola puts every page of a taxonomy term into `term.pages` on each pager
//! of that term, which makes paginated terms cost the square of their size.
//! Templates written for pagination read `paginator.pages` and only touch
//! `term.pages` in the branch where there is no paginator; this module proves
//! that, and the renderer then sends `term` without its pages.

use std::collections::HashSet;

use tera::ast::{Expr, ExprVal, FunctionCall, LogicOperator, Node};
use tera::Tera;

/// Whether rendering `template` with a paginator could read `var.pages`
/// (or `var` as a whole, which includes its pages).
pub(crate) fn reads_pages_when_paginated(tera: &Tera, template: &str, var: &str) -> bool {
    let mut seen = HashSet::new();
    let mut todo = vec![template.to_string()];
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let Ok(tpl) = tera.get_template(&name) else {
            return true;
        };
        for parent in &tpl.parents {
            todo.push(parent.clone());
        }
        let mut includes = Vec::new();
        if nodes_read(&tpl.ast, var, &mut includes) {
            return true;
        }
        todo.extend(includes);
    }
    false
}

fn nodes_read(nodes: &[Node], var: &str, includes: &mut Vec<String>) -> bool {
    nodes.iter().any(|n| node_reads(n, var, includes))
}

fn node_reads(node: &Node, var: &str, includes: &mut Vec<String>) -> bool {
    match node {
        Node::Text(_) | Node::Raw(..) | Node::Super | Node::Extends(..) | Node::Comment(..) => {
            false
        }
        Node::Break(_) | Node::Continue(_) => false,
        // Macros only see their arguments, checked where they are called.
        Node::MacroDefinition(..) | Node::ImportMacro(..) => false,
        Node::Include(_, names, _) => {
            includes.extend(names.iter().cloned());
            false
        }
        Node::Block(_, block, _) => nodes_read(&block.body, var, includes),
        Node::Forloop(_, forloop, _) => {
            expr_reads(&forloop.container, var)
                || nodes_read(&forloop.body, var, includes)
                || forloop
                    .empty_body
                    .as_ref()
                    .is_some_and(|b| nodes_read(b, var, includes))
        }
        Node::If(cond, _) => {
            // `{% if paginator %}A{% elif ... %}B{% else %}C{% endif %}`: with a
            // paginator only A runs. `{% if not paginator %}` skips its body.
            if let Some((_, first, body)) = cond.conditions.first() {
                if is_plain_ident(first, "paginator") {
                    return if first.negated {
                        cond.conditions[1..].iter().any(|(_, e, b)| {
                            condition_reads(e, var) || nodes_read(b, var, includes)
                        }) || cond
                            .otherwise
                            .as_ref()
                            .is_some_and(|(_, b)| nodes_read(b, var, includes))
                    } else {
                        nodes_read(body, var, includes)
                    };
                }
            }
            cond.conditions
                .iter()
                .any(|(_, e, b)| condition_reads(e, var) || nodes_read(b, var, includes))
                || cond
                    .otherwise
                    .as_ref()
                    .is_some_and(|(_, b)| nodes_read(b, var, includes))
        }
        Node::VariableBlock(_, expr) => expr_reads(expr, var),
        Node::Set(_, set) => expr_reads(&set.value, var),
        Node::FilterSection(_, section, _) => {
            call_reads(&section.filter, var) || nodes_read(&section.body, var, includes)
        }
    }
}

fn is_plain_ident(expr: &Expr, name: &str) -> bool {
    expr.filters.is_empty() && matches!(&expr.val, ExprVal::Ident(i) if i == name)
}

/// Whether an `if` condition reads `var.pages`. Testing `var` itself for
/// truth (`{% if section %}`, `section and section.title`) does not: an
/// object with or without its pages is true all the same. Zola's feed
/// templates do this, and would otherwise get every page of a section.
fn condition_reads(expr: &Expr, var: &str) -> bool {
    if expr.filters.is_empty() {
        match &expr.val {
            ExprVal::Ident(ident) if ident == var => return false,
            ExprVal::Logic(logic)
                if matches!(logic.operator, LogicOperator::And | LogicOperator::Or) =>
            {
                return condition_reads(&logic.lhs, var) || condition_reads(&logic.rhs, var);
            }
            _ => {}
        }
    }
    expr_reads(expr, var)
}

/// Whether an expression names something that reaches `var.pages`:
/// `var.pages...`, `var` alone (passed whole), `var[...]`, or the whole
/// context.
fn expr_reads(expr: &Expr, var: &str) -> bool {
    any_name(expr, &mut |name| match name {
        Name::Var(ident) => ident_reads(ident, var),
        Name::Call(_) => false,
    })
}

fn call_reads(call: &FunctionCall, var: &str) -> bool {
    call.args.values().any(|arg| expr_reads(arg, var))
}

fn ident_reads(ident: &str, var: &str) -> bool {
    let Some(rest) = ident.strip_prefix(var) else {
        return ident == "__tera_context";
    };
    rest.is_empty() || rest.starts_with(".pages") || rest.starts_with('[')
}

/// A name an expression uses: a variable path (`page.title`,
/// `term.pages[0]`) or a filter, test or function called.
pub(super) enum Name<'a> {
    Var(&'a str),
    Call(&'a str),
}

/// Whether `found` holds for any name `expr` uses, filters included.
pub(super) fn any_name<'a>(expr: &'a Expr, found: &mut impl FnMut(Name<'a>) -> bool) -> bool {
    any_name_in(&expr.val, found) || expr.filters.iter().any(|f| any_name_in_call(f, found))
}

fn any_name_in_call<'a>(call: &'a FunctionCall, found: &mut impl FnMut(Name<'a>) -> bool) -> bool {
    found(Name::Call(&call.name)) || call.args.values().any(|arg| any_name(arg, found))
}

fn any_name_in<'a>(val: &'a ExprVal, found: &mut impl FnMut(Name<'a>) -> bool) -> bool {
    match val {
        ExprVal::String(_) | ExprVal::Int(_) | ExprVal::Float(_) | ExprVal::Bool(_) => false,
        ExprVal::Ident(ident) => found(Name::Var(ident)),
        ExprVal::Math(math) => any_name(&math.lhs, found) || any_name(&math.rhs, found),
        ExprVal::Logic(logic) => any_name(&logic.lhs, found) || any_name(&logic.rhs, found),
        ExprVal::In(within) => any_name(&within.lhs, found) || any_name(&within.rhs, found),
        ExprVal::Test(test) => {
            found(Name::Var(&test.ident))
                || found(Name::Call(&test.name))
                || test.args.iter().any(|arg| any_name(arg, found))
        }
        ExprVal::MacroCall(call) => call.args.values().any(|arg| any_name(arg, found)),
        ExprVal::FunctionCall(call) => any_name_in_call(call, found),
        ExprVal::Array(items) => items.iter().any(|item| any_name(item, found)),
        ExprVal::StringConcat(concat) => concat.values.iter().any(|v| any_name_in(v, found)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tera(templates: &[(&str, &str)]) -> Tera {
        let mut t = Tera::default();
        t.add_raw_templates(templates.to_vec()).unwrap();
        t
    }

    #[test]
    fn pages_in_the_no_paginator_branch_are_not_read() {
        let t = tera(&[
            ("base.html", "{% block content %}{% endblock %}"),
            (
                "single.html",
                "{% extends \"base.html\" %}{% block content %}{{ term.name }}{% if paginator %}{% for p in paginator.pages %}{{ p.title }}{% endfor %}{% else %}{% for p in term.pages %}{{ p.title }}{% endfor %}{% endif %}{{ term.page_count }}{% endblock %}",
            ),
        ]);
        assert!(!reads_pages_when_paginated(&t, "single.html", "term"));
    }

    #[test]
    fn unguarded_pages_are_read() {
        let t = tera(&[
            (
                "a.html",
                "{% for p in term.pages %}{{ p.title }}{% endfor %}",
            ),
            ("b.html", "{% set t = term %}{{ t.name }}"),
            ("c.html", "{% include \"a.html\" %}"),
            (
                "d.html",
                "{% if paginator %}{% else %}{% endif %}{{ term.pages | length }}",
            ),
        ]);
        for name in ["a.html", "b.html", "c.html", "d.html"] {
            assert!(reads_pages_when_paginated(&t, name, "term"), "{name}");
        }
    }

    #[test]
    fn every_kind_of_expression_is_walked() {
        let t = tera(&[
            ("a.html", "{% for p in term.pages %}{% endfor %}"),
            (
                "filter.html",
                "{% filter upper %}{% include \"a.html\" %}{% endfilter %}",
            ),
            ("test.html", "{% if term.pages is defined %}x{% endif %}"),
            ("call.html", "{{ get_url(path=term[\"pages\"]) }}"),
            ("math.html", "{{ 1 + term.pages | length }}"),
            ("in.html", "{% if 1 in term.pages %}x{% endif %}"),
            ("concat.html", "{{ \"a\" ~ term.pages }}"),
            ("array.html", "{% set xs = [term.pages] %}"),
            ("context.html", "{{ __tera_context }}"),
            (
                "name.html",
                "{{ term.name }}{{ term.pages_are_not_read | default(value=1) }}",
            ),
        ]);
        for name in [
            "filter.html",
            "test.html",
            "call.html",
            "math.html",
            "in.html",
            "concat.html",
            "array.html",
            "context.html",
        ] {
            assert!(reads_pages_when_paginated(&t, name, "term"), "{name}");
        }
        // Testing the object for truth reads none of its pages; comparing
        // it, or testing a filtered value, may.
        let t = tera(&[
            (
                "truth.html",
                "{% if term %}{{ term.name }}{% elif not term and term.permalink %}x{% endif %}",
            ),
            ("compare.html", "{% if term == other %}x{% endif %}"),
            ("filtered.html", "{% if term | length %}x{% endif %}"),
            (
                "elif.html",
                "{% if x %}{% elif term or term.pages %}x{% endif %}",
            ),
        ]);
        assert!(!reads_pages_when_paginated(&t, "truth.html", "term"));
        for name in ["compare.html", "filtered.html", "elif.html"] {
            assert!(reads_pages_when_paginated(&t, name, "term"), "{name}");
        }
        // A longer name that starts like `term.pages` is counted, to be safe.
        assert!(reads_pages_when_paginated(&t, "name.html", "term"));
        let t = tera(&[("name.html", "{{ term.name }}{{ other.pages }}")]);
        assert!(!reads_pages_when_paginated(&t, "name.html", "term"));
    }
}

/// Fields that make a page value heavy; listings can leave them out when no
/// template reads them on a listed page.
pub(crate) const HEAVY_FIELDS: &[&str] = &["content", "summary", "toc"];

/// Whether any template (but those in `skip`) may read a heavy field of a
/// page other than the one being rendered: `p.content` in a loop, in a
/// macro, through `page.lower`, or by dumping values whole.
pub(crate) fn listings_need_heavy_fields(tera: &Tera, skip: &[String]) -> bool {
    for (name, template) in &tera.templates {
        if skip.iter().any(|s| s == name)
            || name.starts_with("__zola_builtins/")
            || name == "internal/alias.html"
        {
            continue;
        }
        let mut scope = Vec::new();
        for def in template.macros.values() {
            let mut inner: Vec<String> = def.args.keys().cloned().collect();
            if nodes_heavy(&def.body, &mut inner) {
                return true;
            }
        }
        if nodes_heavy(&template.ast, &mut scope) {
            return true;
        }
    }
    false
}

fn nodes_heavy(nodes: &[Node], scope: &mut Vec<String>) -> bool {
    nodes.iter().any(|n| node_heavy(n, scope))
}

fn node_heavy(node: &Node, scope: &mut Vec<String>) -> bool {
    match node {
        Node::Text(_) | Node::Raw(..) | Node::Super | Node::Extends(..) | Node::Comment(..) => {
            false
        }
        Node::Break(_) | Node::Continue(_) | Node::Include(..) | Node::ImportMacro(..) => false,
        Node::MacroDefinition(..) => false,
        Node::Block(_, block, _) => nodes_heavy(&block.body, scope),
        Node::Forloop(_, forloop, _) => {
            if expr_heavy(&forloop.container, scope) {
                return true;
            }
            let depth = scope.len();
            scope.push(forloop.value.clone());
            scope.extend(forloop.key.clone());
            let heavy = nodes_heavy(&forloop.body, scope)
                || forloop
                    .empty_body
                    .as_ref()
                    .is_some_and(|b| nodes_heavy(b, scope));
            scope.truncate(depth);
            heavy
        }
        Node::If(cond, _) => {
            cond.conditions
                .iter()
                .any(|(_, e, b)| expr_heavy(e, scope) || nodes_heavy(b, scope))
                || cond
                    .otherwise
                    .as_ref()
                    .is_some_and(|(_, b)| nodes_heavy(b, scope))
        }
        Node::Set(_, set) => {
            let heavy = expr_heavy(&set.value, scope);
            // A name set to something may hold a page: treat it as a listing.
            scope.push(set.key.clone());
            heavy
        }
        Node::FilterSection(_, section, _) => {
            let filter = &section.filter;
            any_name_in_call(filter, &mut |name| name_heavy(name, scope))
                || nodes_heavy(&section.body, scope)
        }
        Node::VariableBlock(_, expr) => expr_heavy(expr, scope),
    }
}

fn expr_heavy(expr: &Expr, scope: &[String]) -> bool {
    any_name(expr, &mut |name| name_heavy(name, scope))
}

/// Whether a name may reach a heavy field of a page other than the one
/// being rendered: dumping values whole (`json_encode`, the whole context),
/// or a path through a heavy field that is not `page.content` or
/// `section.content` of the page itself.
fn name_heavy(name: Name<'_>, scope: &[String]) -> bool {
    let ident = match name {
        Name::Call(call) => return call == "json_encode",
        Name::Var(ident) => ident,
    };
    if ident == "__tera_context" {
        return true;
    }
    let parts: Vec<&str> = ident
        .split(['.', '[', ']'])
        .filter(|p| !p.is_empty())
        .collect();
    let Some(heavy_at) = parts
        .iter()
        .position(|p| HEAVY_FIELDS.contains(&p.trim_matches(|c| c == '\'' || c == '"')))
    else {
        return false;
    };
    let root = parts[0];
    let own =
        (root == "page" || root == "section") && heavy_at == 1 && !scope.iter().any(|s| s == root);
    !own
}

#[cfg(test)]
mod heavy_tests {
    use super::*;

    fn tera(templates: &[(&str, &str)]) -> Tera {
        let mut t = Tera::default();
        t.add_raw_templates(templates.to_vec()).unwrap();
        t
    }

    #[test]
    fn own_content_is_not_a_listing() {
        let t = tera(&[
            (
                "page.html",
                "{{ page.content | safe }}{{ page.toc | length }}{{ page.lower.title }}",
            ),
            ("m.html", "{% macro item(p) %}{{ p.title }}{% endmacro %}"),
            (
                "list.html",
                "{% for p in paginator.pages %}{{ p.title }}{% endfor %}{{ section.content }}",
            ),
        ]);
        assert!(!listings_need_heavy_fields(&t, &[]));
    }

    #[test]
    fn listed_content_is_detected() {
        for src in [
            "{% for p in section.pages %}{{ p.summary }}{% endfor %}",
            "{{ page.lower.content }}",
            "{% for page in section.pages %}{{ page.content }}{% endfor %}",
            "{% macro m(page) %}{{ page.content }}{% endmacro %}",
            "{{ section.pages | json_encode }}",
            "{% filter json_encode %}{{ page.title }}{% endfilter %}",
            "{% set p = get_page(path=\"a.md\") %}{{ p.content }}",
            "{% if section.pages[0].summary is defined %}x{% endif %}",
        ] {
            let t = tera(&[("t.html", src)]);
            assert!(listings_need_heavy_fields(&t, &[]), "{src}");
        }
        let t = tera(&[(
            "atom.xml",
            "{% for page in pages %}{{ page.content }}{% endfor %}",
        )]);
        assert!(!listings_need_heavy_fields(&t, &["atom.xml".to_string()]));
    }
}
