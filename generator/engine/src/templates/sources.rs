//! Each template's sources as one fingerprint: its own text and that of
//! every template it reaches (the templates it extends, includes and
//! imports macros from, and theirs), so that a rendering traced with a
//! template is rendered again when any of them changes, and only then.

use std::collections::{BTreeSet, HashMap};

use tera::ast::Node;
use tera::Tera;

use crate::render::trace::{fingerprint_bytes, Fingerprint};

/// Template functions whose results cannot be checked again: a rendering
/// that may call them is never kept. (`now`, `resize_image` and
/// `get_image_metadata` say so themselves when called; these are Tera's
/// own, which cannot be wrapped.)
const UNCHECKABLE: &[&str] = &["get_random", "get_env"];

/// A template with everything it reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closure {
    pub sources: Fingerprint,
    /// It may call a function whose result cannot be checked again.
    pub volatile: bool,
}

/// The closure of every template of `tera`, from the text of each name.
pub fn closures(tera: &Tera, texts: &HashMap<String, &str>) -> HashMap<String, Closure> {
    let own: HashMap<&str, (Fingerprint, bool, Vec<String>)> = tera
        .get_template_names()
        .filter_map(|name| {
            let template = tera.get_template(name).ok()?;
            let text = texts.get(name).copied().unwrap_or_default();
            let mut reached: Vec<String> = template.parents.clone();
            reached.extend(
                template
                    .imported_macro_files
                    .iter()
                    .map(|(file, _)| file.clone()),
            );
            includes(&template.ast, &mut reached);
            for m in template.macros.values() {
                includes(&m.body, &mut reached);
            }
            reached.retain(|r| tera.get_template(r).is_ok());
            let volatile = UNCHECKABLE.iter().any(|f| text.contains(f));
            Some((
                name,
                (fingerprint_bytes(text.as_bytes()), volatile, reached),
            ))
        })
        .collect();
    own.keys()
        .map(|&name| {
            let mut seen: BTreeSet<&str> = BTreeSet::new();
            let mut todo = vec![name];
            while let Some(n) = todo.pop() {
                if !seen.insert(n) {
                    continue;
                }
                if let Some((_, _, reached)) = own.get(n) {
                    todo.extend(reached.iter().map(String::as_str));
                }
            }
            // Sorted names and their own fingerprints, hashed together.
            let mut all = String::new();
            let mut volatile = false;
            for n in &seen {
                let (fp, v, _) = &own[n];
                volatile |= v;
                all.push_str(&format!("{n}\0{fp:x}\n"));
            }
            let closure = Closure {
                sources: fingerprint_bytes(all.as_bytes()),
                volatile,
            };
            (name.to_string(), closure)
        })
        .collect()
}

/// The templates `nodes` include, at any depth.
fn includes(nodes: &[Node], out: &mut Vec<String>) {
    for node in nodes {
        match node {
            Node::Include(_, names, _) => out.extend(names.iter().cloned()),
            Node::MacroDefinition(_, m, _) => includes(&m.body, out),
            Node::FilterSection(_, f, _) => includes(&f.body, out),
            Node::Block(_, b, _) => includes(&b.body, out),
            Node::Forloop(_, f, _) => {
                includes(&f.body, out);
                if let Some(empty) = &f.empty_body {
                    includes(empty, out);
                }
            }
            Node::If(i, _) => {
                for (_, _, body) in &i.conditions {
                    includes(body, out);
                }
                if let Some((_, body)) = &i.otherwise {
                    includes(body, out);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn closures_of(templates: &[(&str, &str)]) -> HashMap<String, Closure> {
        let mut tera = Tera::default();
        tera.add_raw_templates(templates.to_vec()).unwrap();
        let texts = templates.iter().map(|(n, t)| (n.to_string(), *t)).collect();
        closures(&tera, &texts)
    }

    #[test]
    fn a_template_changes_with_what_it_reaches_and_only_that() {
        let base = [
            ("base.html", "<main>{% block main %}{% endblock %}</main>"),
            ("macros.html", "{% macro m() %}m{% endmacro %}"),
            ("card.html", "card"),
            ("other.html", "other"),
            (
                "page.html",
                "{% extends \"base.html\" %}{% import \"macros.html\" as x %}\
                 {% block main %}{% if a %}{% for i in b %}{% include \"card.html\" %}{% endfor %}{% endif %}{% endblock %}",
            ),
        ];
        let before = closures_of(&base);
        for (changed, text) in [
            ("base.html", "<main>{% block main %}{% endblock %}!</main>"),
            ("macros.html", "{% macro m() %}n{% endmacro %}"),
            ("card.html", "carte"),
        ] {
            let mut edited = base;
            edited.iter_mut().find(|(n, _)| *n == changed).unwrap().1 = text;
            let after = closures_of(&edited);
            assert_ne!(before["page.html"], after["page.html"], "{changed}");
            assert_eq!(before["other.html"], after["other.html"], "{changed}");
        }
        let mut edited = base;
        edited[3].1 = "autre";
        assert_eq!(before["page.html"], closures_of(&edited)["page.html"]);
        assert!(!before["page.html"].volatile);
        let random = closures_of(&[("r.html", "{{ get_random(end=9) }}")]);
        assert!(random["r.html"].volatile);
    }
}
