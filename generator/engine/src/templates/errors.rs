//! What a template's error says, and in which file: Tera names templates,
//! not files, and a theme's template has two names (`page.html` and
//! `maillage/templates/page.html`). [`TemplateFiles`] keeps the file of
//! each name, so that a problem is reported once, under the file that
//! holds it, with a line when Tera gives one (syntax errors) or when the
//! name at fault occurs once in that file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{tera_message, Diagnostic, LineIndex};

/// A file, and a line in it when known.
type Located = (PathBuf, Option<usize>);

/// The file of each template name (built-in templates have none).
#[derive(Debug, Default)]
pub struct TemplateFiles {
    root: PathBuf,
    /// Name → path relative to the root.
    by_name: HashMap<String, PathBuf>,
    /// Where each problem was found, by template rendered and message: a
    /// problem met in every page is looked for once.
    located: Mutex<HashMap<(String, String), Located>>,
    /// Each template's sources with what it reaches, for render traces.
    pub(crate) closures: HashMap<String, super::sources::Closure>,
    /// What each template reads of the pages it is given.
    pub(crate) fields_read: super::section_fields::FieldsRead,
}

impl TemplateFiles {
    pub fn new(root: &Path) -> TemplateFiles {
        TemplateFiles {
            root: root.to_path_buf(),
            ..TemplateFiles::default()
        }
    }

    pub fn insert(&mut self, name: String, file: &Path) {
        let relative = file.strip_prefix(&self.root).unwrap_or(file);
        self.by_name.insert(name, relative.to_path_buf());
    }

    /// The template's sources with everything it reaches; `None` for a
    /// name Tera does not know.
    pub fn closure(&self, name: &str) -> Option<super::sources::Closure> {
        self.closures.get(name).copied()
    }

    /// The file a template name was read from, relative to the site root.
    pub fn file(&self, name: &str) -> Option<&Path> {
        self.by_name.get(name).map(PathBuf::as_path)
    }

    /// Where a message about template `name` goes: its file, or its name
    /// for a built-in template.
    fn shown(&self, name: &str) -> PathBuf {
        self.file(name)
            .map_or_else(|| PathBuf::from(name), Path::to_path_buf)
    }

    /// A template that does not parse, under its file, at Tera's line and
    /// column.
    pub fn syntax_error(&self, name: &str, err: &tera::Error) -> Diagnostic {
        let message = tera_message(err);
        // Tera draws the line with a caret, then says what it expected
        // after "= ": the line and column are given apart.
        let said = message
            .rsplit_once("\n  = ")
            .map_or(message.as_str(), |(_, s)| s);
        let flat = said.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut d = Diagnostic::new(self.shown(name), flat);
        // Tera's parse errors carry "--> line:col".
        if let Some(pos) = message.find("--> ") {
            let mut numbers = message[pos + 4..]
                .split(|c: char| !c.is_ascii_digit())
                .filter(|s| !s.is_empty())
                .map(str::parse::<usize>);
            if let (Some(Ok(line)), Some(Ok(column))) = (numbers.next(), numbers.next()) {
                d = d.at(line, Some(column));
            }
        }
        d
    }

    /// A problem met while rendering a template, under the file of the
    /// template that holds it. Tera names a template, but not always the
    /// right one (code of a parent template after a block is put in the
    /// child): when the name at fault occurs in exactly one template of
    /// the rendered one's chain (itself, its parents), that template is
    /// the one, at its line when it occurs there once.
    pub fn render_error(&self, tera: &tera::Tera, err: &tera::Error) -> Diagnostic {
        let explained = explain(err);
        let key = (explained.rendered.clone(), explained.message.clone());
        let cached = self
            .located
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&key)
            .cloned();
        let (file, line) = cached.unwrap_or_else(|| {
            let found = self.locate(tera, &explained);
            self.located
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(key, found.clone());
            found
        });
        Diagnostic::new(file, explained.message).line(line)
    }

    fn locate(&self, tera: &tera::Tera, explained: &Explained) -> Located {
        let mut chain = vec![explained.template.clone(), explained.rendered.clone()];
        if let Ok(template) = tera.get_template(&explained.rendered) {
            chain.extend(template.parents.iter().cloned());
        }
        chain.dedup();
        let holding: Vec<(&String, Option<usize>)> = explained
            .culprit
            .iter()
            .flat_map(|culprit| {
                chain.iter().filter_map(move |name| {
                    let text = crate::files::read_text(&self.root.join(self.file(name)?)).ok()?;
                    culprit.lines(&text).map(|line| (name, line))
                })
            })
            .collect();
        match holding.as_slice() {
            [(name, line)] => (self.shown(name), *line),
            _ => (self.shown(&explained.template), None),
        }
    }
}

/// A Tera render error, read.
pub(crate) struct Explained {
    /// The template rendered.
    pub rendered: String,
    /// The template that holds the failing code, as far as Tera says.
    pub template: String,
    pub message: String,
    culprit: Option<Culprit>,
}

/// The name a message is about, to find its line.
struct Culprit {
    kind: Kind,
    name: String,
    /// A value the failed call was given (a path...), on the same line.
    detail: Option<String>,
}

enum Kind {
    Variable,
    Filter,
    Function,
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

impl Culprit {
    fn new(kind: Kind, name: &str) -> Culprit {
        Culprit {
            kind,
            name: name.to_string(),
            detail: None,
        }
    }

    /// Whether the name, found between `before` and `after`, is used as
    /// the culprit is: a whole variable, a filter after `|`, a function
    /// called (with the detail on the same line, when there is one).
    fn used_as(&self, before: &str, after: &str) -> bool {
        let ends_before = !before.ends_with(|c: char| is_name_char(c) || c == '.');
        let ends_after = !after.starts_with(is_name_char);
        let with_detail = || {
            let line = after.split('\n').next().unwrap_or("");
            self.detail
                .as_ref()
                .is_none_or(|d| line.contains(d.as_str()))
        };
        match self.kind {
            Kind::Variable => ends_before && ends_after,
            Kind::Filter => before.trim_end().ends_with('|') && ends_after && with_detail(),
            Kind::Function => ends_before && after.trim_start().starts_with('(') && with_detail(),
        }
    }

    /// `None` when the culprit is not in `text`; else its line when it
    /// occurs there once (`Some(None)` when more often).
    fn lines(&self, text: &str) -> Option<Option<usize>> {
        let name = self.name.as_str();
        let mut found = text
            .match_indices(name)
            .filter(|&(at, _)| self.used_as(&text[..at], &text[at + name.len()..]))
            .map(|(at, _)| at);
        let first = found.next()?;
        if found.next().is_some() {
            return Some(None);
        }
        Some(Some(LineIndex::new(text).line(first)))
    }
}

/// The text between `start` and `end` in `text`.
fn between<'a>(text: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let from = text.find(start)? + start.len();
    let len = text[from..].find(end)?;
    Some(&text[from..from + len])
}

/// Reads what Tera says: "Failed to render 'X'" (with "error while
/// rendering macro `M`" or "(error happened in 'P')"), then the causes,
/// the last of which usually says "while rendering 'T'".
pub(crate) fn explain(err: &tera::Error) -> Explained {
    use std::error::Error as _;
    let top = err.to_string();
    let mut causes = Vec::new();
    let mut source = err.source();
    while let Some(cause) = source {
        causes.push(cause.to_string());
        source = cause.source();
    }
    let rendered = between(&top, "Failed to render '", "'").unwrap_or("");
    let while_rendering = causes
        .iter()
        .rev()
        .find_map(|c| between(c, "while rendering '", "'"));
    let template = between(&top, "(error happened in '", "'")
        .or(while_rendering)
        .unwrap_or(rendered)
        .to_string();
    let mut culprit: Option<Culprit> = None;
    let mut parts: Vec<String> = Vec::new();
    for cause in &causes {
        if let Some(name) = between(cause, "Variable `", "` not found in context") {
            culprit = Some(Culprit::new(Kind::Variable, name));
            parts.push(format!("variable `{name}` not found"));
        } else if let Some(name) = between(cause, "Filter '", "' not found") {
            culprit = Some(Culprit::new(Kind::Filter, name));
            parts.push(format!("filter `{name}` not found"));
        } else if let Some(name) = between(cause, "Function '", "' not found") {
            culprit = Some(Culprit::new(Kind::Function, name));
            parts.push(format!("function `{name}` not found"));
        } else if let Some(name) = between(cause, "Function call '", "' failed") {
            // What failed is said by the next cause (`get_url`: ...).
            culprit = Some(Culprit::new(Kind::Function, name));
        } else if let Some(name) = between(cause, "Filter call '", "' failed") {
            culprit = Some(Culprit::new(Kind::Filter, name));
        } else {
            let text = match cause.find(" while rendering '") {
                Some(at) => &cause[..at],
                None => cause,
            };
            // The first value quoted in a failed call's message: the call
            // to look for is the one given it.
            if let Some(call) = culprit.as_mut().filter(|c| c.detail.is_none()) {
                call.detail = text
                    .split('`')
                    .skip(1)
                    .step_by(2)
                    .find(|quoted| *quoted != call.name)
                    .map(str::to_string);
            }
            parts.push(text.to_string());
        }
    }
    if parts.is_empty() {
        parts.push(top.clone());
    }
    let mut message = parts.join(": ");
    if let Some(name) = between(&top, "error while rendering macro `", "`") {
        message.push_str(&format!(" (in macro `{name}`)"));
    }
    Explained {
        rendered: rendered.to_string(),
        template,
        message,
        culprit,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEMPLATES: [(&str, &str); 11] = [
        (
            "base.html",
            "<html>\n{% block main %}{% endblock %}\n{{ dans_base }}\n</html>",
        ),
        (
            "page.html",
            "{% extends \"base.html\" %}\n{% block main %}\n{{ page.x }}\n{% endblock %}",
        ),
        (
            "enfant.html",
            "{% extends \"base.html\" %}\n{% block main %}ok{% endblock %}",
        ),
        (
            "apres.html",
            "{% extends \"fin.html\" %}\n{% block main %}ok{% endblock %}",
        ),
        (
            "fin.html",
            "{% block main %}{% endblock %}\n{{ config.absent }}",
        ),
        ("deux.html", "{{ a }}\n{{ a }}"),
        (
            "macros.html",
            "{% macro m() %}\n\n{{ absent }}\n{% endmacro %}",
        ),
        (
            "appel.html",
            "{% import \"macros.html\" as mm %}{{ mm::m() }}",
        ),
        ("filtre.html", "a\n{{ 1 | inconnu }}"),
        ("fonction.html", "\n\n{{ nulle_part() }}"),
        (
            "appels.html",
            "{{ now() }}\n{{ echoue(chemin='b.css') }}\n{{ echoue(chemin='a.css') }}",
        ),
    ];

    /// The templates, loaded in Tera and written as files under `dir`.
    fn load(dir: &Path) -> (tera::Tera, TemplateFiles) {
        let mut tera = tera::Tera::default();
        tera.add_raw_templates(TEMPLATES).unwrap();
        let mut files = TemplateFiles::new(dir);
        for (name, text) in TEMPLATES {
            let path = dir.join("templates").join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
            files.insert(name.to_string(), &path);
        }
        (tera, files)
    }

    fn rendered(name: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let (mut tera, files) = load(dir.path());
        tera.register_function("echoue", |args: &HashMap<String, tera::Value>| {
            let path = args["chemin"].as_str().unwrap_or("");
            match path {
                "a.css" => Err(tera::Error::msg(format!("`echoue`: no file `{path}`"))),
                _ => Ok(tera::Value::Null),
            }
        });
        let mut context = tera::Context::new();
        context.insert("page", &serde_json::json!({"title": "t"}));
        let err = tera.render(name, &context).unwrap_err();
        files.render_error(&tera, &err).to_string()
    }

    #[test]
    fn render_errors_name_the_file_that_holds_them() {
        assert_eq!(
            rendered("page.html"),
            "templates/page.html:3: variable `page.x` not found"
        );
        // A parent's own code, outside the blocks.
        assert_eq!(
            rendered("enfant.html"),
            "templates/base.html:3: variable `dans_base` not found"
        );
        // After a block, Tera names the child: the parent holds the code.
        assert_eq!(
            rendered("apres.html"),
            "templates/fin.html:2: variable `config.absent` not found"
        );
        assert_eq!(
            rendered("appel.html"),
            "templates/macros.html:3: variable `absent` not found (in macro `mm::m`)"
        );
        assert_eq!(
            rendered("filtre.html"),
            "templates/filtre.html:2: filter `inconnu` not found"
        );
        assert_eq!(
            rendered("fonction.html"),
            "templates/fonction.html:3: function `nulle_part` not found"
        );
        // A failed call: the one given the value the message names.
        assert_eq!(
            rendered("appels.html"),
            "templates/appels.html:3: `echoue`: no file `a.css`"
        );
        // Twice in the file: no line rather than a guess.
        assert_eq!(
            rendered("deux.html"),
            "templates/deux.html: variable `a` not found"
        );
    }
}
