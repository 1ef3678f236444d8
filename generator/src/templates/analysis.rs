//! What a template may read, found from its syntax tree, so the renderer can
//! leave out large values nobody looks at.
//!
//! Zola puts every page of a taxonomy term into `term.pages` on each pager
//! of that term, which makes paginated terms cost the square of their size.
//! Templates written for pagination read `paginator.pages` and only touch
//! `term.pages` in the branch where there is no paginator; this module proves
//! that, and the renderer then sends `term` without its pages.

use std::collections::HashSet;

use tera::ast::{Expr, ExprVal, Node};
use tera::Tera;

/// Whether rendering `template` with a paginator could read `var.pages`
/// (or `var` as a whole, which includes its pages).
pub fn reads_pages_when_paginated(tera: &Tera, template: &str, var: &str) -> bool {
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
                        cond.conditions[1..]
                            .iter()
                            .any(|(_, e, b)| expr_reads(e, var) || nodes_read(b, var, includes))
                            || cond
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
                .any(|(_, e, b)| expr_reads(e, var) || nodes_read(b, var, includes))
                || cond
                    .otherwise
                    .as_ref()
                    .is_some_and(|(_, b)| nodes_read(b, var, includes))
        }
        // Anything else (variable blocks, set, filter sections): look at the
        // whole node's expressions through its debug form, conservatively.
        other => debug_reads(&format!("{other:?}"), var),
    }
}

fn is_plain_ident(expr: &Expr, name: &str) -> bool {
    expr.filters.is_empty() && matches!(&expr.val, ExprVal::Ident(i) if i == name)
}

fn expr_reads(expr: &Expr, var: &str) -> bool {
    debug_reads(&format!("{expr:?}"), var)
}

/// Looks for identifiers that reach `var.pages`: `var.pages...`, `var`
/// alone (passed whole), `var[...]`, or the whole context.
fn debug_reads(debug: &str, var: &str) -> bool {
    if debug.contains("__tera_context") {
        return true;
    }
    let whole = format!("Ident(\"{var}\")");
    let pages = format!("Ident(\"{var}.pages");
    let index = format!("Ident(\"{var}[");
    debug.contains(&whole) || debug.contains(&pages) || debug.contains(&index)
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
}
