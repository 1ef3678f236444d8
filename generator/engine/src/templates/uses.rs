//! What a template's syntax tree uses: the names it reads and how, for the
//! analyses that leave out of a function's result what a template provably
//! never reads ([`term_pages`](super::term_pages),
//! [`section_fields`](super::section_fields)), and the hidden argument they
//! give the calls they prove.

use std::collections::{HashMap, HashSet};

use tera::ast::{Expr, ExprVal, Forloop, LogicOperator, Node};
use tera::Tera;

/// Filters that give some of a list's items, unchanged.
const SELECTING: &[&str] = &["slice", "reverse"];

/// The name Tera gives the whole context.
const WHOLE_CONTEXT: &str = "__tera_context";

/// What a syntax tree uses. Each use of a name is in exactly one list.
#[derive(Default)]
pub(super) struct Uses {
    /// Every variable path read in any other way than those below.
    pub(super) names: Vec<String>,
    /// Paths read only through `| length` (`PATH | length`).
    pub(super) counted: Vec<String>,
    /// Paths only tested for truth (`{% if PATH %}`, `not PATH`, under
    /// `and`/`or`).
    pub(super) tested: Vec<String>,
    /// Each `for VALUE in LIST` without a key over a plain path, or over a
    /// plain path filtered by `slice` or `reverse` only.
    pub(super) loops: Vec<Loop>,
    /// Each macro argument given as a plain path (`ns::m(param=PATH)`).
    pub(super) macro_args: Vec<MacroArg>,
    /// `(name, function)` of each `{% set name = function(...) %}` whose
    /// call is not filtered.
    pub(super) calls_set: Vec<(String, String)>,
    /// Whether the tree includes another template, which would see its names.
    pub(super) includes: bool,
}

pub(super) struct Loop {
    pub(super) list: String,
    /// Filtered by `slice` or `reverse`.
    pub(super) selected: bool,
    /// How many items from the start of the list the loop can reach, when
    /// it is bounded by one `slice` with literal bounds (`slice(end=10)`).
    pub(super) reach: Option<usize>,
    pub(super) value: String,
}

pub(super) struct MacroArg {
    pub(super) macro_name: String,
    pub(super) param: String,
    pub(super) path: String,
}

impl Uses {
    /// What `name` uses, with the templates it extends: a name set in a
    /// block is still set when the parent's tree goes on after the block.
    pub(super) fn of_template(tera: &Tera, name: &str) -> Option<Uses> {
        let template = tera.get_template(name).ok()?;
        let mut uses = Uses::default();
        uses.walk(&template.ast);
        for parent in &template.parents {
            uses.walk(&tera.get_template(parent).ok()?.ast);
        }
        Some(uses)
    }

    /// Whether the tree may read the whole context, its own names included.
    pub(super) fn may_read_everything(&self) -> bool {
        self.includes || self.whole_names().any(|n| reaches(n, WHOLE_CONTEXT))
    }

    /// Every path read whole, as before `counted`, `macro_args` and
    /// filtered loops were told apart: a filtered loop reads its list and
    /// gives its variable unknown contents.
    pub(super) fn whole_names(&self) -> impl Iterator<Item = &str> {
        self.names
            .iter()
            .chain(&self.counted)
            .chain(&self.tested)
            .map(String::as_str)
            .chain(self.macro_args.iter().map(|a| a.path.as_str()))
            .chain(
                self.loops
                    .iter()
                    .filter(|l| l.selected)
                    .flat_map(|l| [l.list.as_str(), l.value.as_str()]),
            )
    }

    pub(super) fn walk(&mut self, nodes: &[Node]) {
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
                    if let (ExprVal::FunctionCall(call), true) =
                        (&set.value.val, set.value.filters.is_empty())
                    {
                        self.calls_set.push((set.key.clone(), call.name.clone()));
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
                        self.condition(expr);
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
        let container = &forloop.container;
        match (&forloop.key, plain_path(container)) {
            (None, Some(list))
                if container
                    .filters
                    .iter()
                    .all(|f| SELECTING.contains(&&*f.name)) =>
            {
                self.loops.push(Loop {
                    list: list.to_string(),
                    selected: !container.filters.is_empty(),
                    reach: reach(container),
                    value: forloop.value.clone(),
                });
                for filter in &container.filters {
                    filter.args.values().for_each(|e| self.expr(e));
                }
            }
            _ => {
                // A key too, or a computed list: its names are plain uses,
                // and so is the loop variable (unknown what it holds).
                self.expr(container);
                self.names.push(forloop.value.clone());
            }
        }
        self.walk(&forloop.body);
        if let Some(body) = &forloop.empty_body {
            self.walk(body);
        }
    }

    fn condition(&mut self, expr: &Expr) {
        match &expr.val {
            ExprVal::Ident(path) if expr.filters.is_empty() => self.tested.push(path.clone()),
            ExprVal::Logic(logic)
                if expr.filters.is_empty()
                    && matches!(logic.operator, LogicOperator::And | LogicOperator::Or) =>
            {
                self.condition(&logic.lhs);
                self.condition(&logic.rhs);
            }
            _ => self.expr(expr),
        }
    }

    fn expr(&mut self, expr: &Expr) {
        match &expr.val {
            ExprVal::Ident(path)
                if expr.filters.len() == 1
                    && expr.filters[0].name == "length"
                    && expr.filters[0].args.is_empty() =>
            {
                self.counted.push(path.clone());
            }
            val => {
                self.val(val);
                for filter in &expr.filters {
                    filter.args.values().for_each(|e| self.expr(e));
                }
            }
        }
    }

    fn val(&mut self, val: &ExprVal) {
        match val {
            ExprVal::String(_) | ExprVal::Int(_) | ExprVal::Float(_) | ExprVal::Bool(_) => {}
            ExprVal::Ident(path) => self.names.push(path.clone()),
            ExprVal::Math(math) => {
                self.expr(&math.lhs);
                self.expr(&math.rhs);
            }
            ExprVal::Logic(logic) => {
                self.expr(&logic.lhs);
                self.expr(&logic.rhs);
            }
            ExprVal::In(within) => {
                self.expr(&within.lhs);
                self.expr(&within.rhs);
            }
            ExprVal::Test(test) => {
                self.names.push(test.ident.clone());
                test.args.iter().for_each(|e| self.expr(e));
            }
            ExprVal::MacroCall(call) => {
                for (param, arg) in &call.args {
                    match plain_path(arg).filter(|_| arg.filters.is_empty()) {
                        Some(path) => self.macro_args.push(MacroArg {
                            macro_name: call.name.clone(),
                            param: param.clone(),
                            path: path.to_string(),
                        }),
                        None => self.expr(arg),
                    }
                }
            }
            ExprVal::FunctionCall(call) => call.args.values().for_each(|e| self.expr(e)),
            ExprVal::Array(items) => items.iter().for_each(|e| self.expr(e)),
            ExprVal::StringConcat(concat) => concat.values.iter().for_each(|v| self.val(v)),
        }
    }
}

/// `N` for a list filtered by `slice(end=N)` or `slice(start=M, end=N)`
/// alone, with literal bounds that do not count from the end.
fn reach(list: &Expr) -> Option<usize> {
    let [slice] = list.filters.as_slice() else {
        return None;
    };
    let literal = |name: &str| match slice.args.get(name).map(|e| (&e.val, e.filters.is_empty())) {
        Some((ExprVal::Int(n), true)) => usize::try_from(*n).ok(),
        _ => None,
    };
    let start_ok = !slice.args.contains_key("start") || literal("start").is_some();
    let only_bounds = slice.args.keys().all(|k| k == "start" || k == "end");
    (slice.name == "slice" && start_ok && only_bounds)
        .then(|| literal("end"))
        .flatten()
}

/// The path a plain, not negated expression names (`regions.items`),
/// whatever its filters.
fn plain_path(expr: &Expr) -> Option<&str> {
    match &expr.val {
        ExprVal::Ident(path) if !expr.negated => Some(path),
        _ => None,
    }
}

/// Whether `path` is `base` or a path through it (`base.x`, `base[0]`).
pub(super) fn reaches(path: &str, base: &str) -> bool {
    path.strip_prefix(base)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
}

/// Gives the arguments `prove` returns to each unfiltered `{% set NAME =
/// function(...) %}`, from what the template uses (the templates it
/// extends included), in every template that no other extends and that
/// cannot read the whole context (by including another). `prove` returns
/// no argument for what it cannot prove.
pub(super) fn give_where_proved(
    tera: &mut Tera,
    function: &str,
    prove: impl Fn(&Tera, &Uses, &str) -> Vec<(&'static str, Expr)>,
) {
    let parents = parents(tera);
    // (template, name) → the arguments.
    let mut proved = HashMap::new();
    for name in tera.templates.keys() {
        if parents.contains(name) {
            continue;
        }
        let Some(uses) = Uses::of_template(tera, name) else {
            continue;
        };
        if uses.may_read_everything() {
            continue;
        }
        for (key, _) in uses.calls_set.iter().filter(|(_, f)| f == function) {
            let arguments = prove(tera, &uses, key);
            if !arguments.is_empty() {
                proved.insert((name.clone(), key.clone()), arguments);
            }
        }
    }
    give_arguments(tera, function, &proved);
}

/// Gives their arguments to the calls of `function` set, in template
/// `origin`, to a name of `values` (keyed by `(origin, name)`), wherever
/// Tera keeps that template's trees (its own and the blocks other
/// templates copy).
fn give_arguments(
    tera: &mut Tera,
    function: &str,
    values: &HashMap<(String, String), Vec<(&'static str, Expr)>>,
) {
    if values.is_empty() {
        return;
    }
    let mark = |nodes: &mut [Node], origin: &str| {
        mark(nodes, origin, &|origin, key, call| {
            if call.name == function {
                let arguments = values.get(&(origin.to_string(), key.to_string()));
                for (argument, value) in arguments.into_iter().flatten() {
                    call.args.insert(argument.to_string(), value.clone());
                }
            }
        })
    };
    for (name, template) in tera.templates.iter_mut() {
        mark(&mut template.ast, name);
        for block in template.blocks.values_mut() {
            mark(&mut block.body, name);
        }
        for definitions in template.blocks_definitions.values_mut() {
            for (origin, block) in definitions {
                mark(&mut block.body, origin);
            }
        }
    }
}

/// The templates others extend.
fn parents(tera: &Tera) -> HashSet<String> {
    tera.templates
        .values()
        .flat_map(|t| t.parents.iter().cloned())
        .collect()
}

type Marker<'a> = dyn Fn(&str, &str, &mut tera::ast::FunctionCall) + 'a;

/// Calls `marker` on each unfiltered `{% set KEY = f(...) %}` call of
/// `nodes`.
fn mark(nodes: &mut [Node], origin: &str, marker: &Marker) {
    for node in nodes {
        match node {
            Node::Set(_, set) if set.value.filters.is_empty() => {
                if let ExprVal::FunctionCall(call) = &mut set.value.val {
                    marker(origin, &set.key, call);
                }
            }
            Node::MacroDefinition(_, definition, _) => mark(&mut definition.body, origin, marker),
            Node::FilterSection(_, section, _) => mark(&mut section.body, origin, marker),
            Node::Block(_, block, _) => mark(&mut block.body, origin, marker),
            Node::Forloop(_, forloop, _) => {
                mark(&mut forloop.body, origin, marker);
                if let Some(body) = &mut forloop.empty_body {
                    mark(body, origin, marker);
                }
            }
            Node::If(cond, _) => {
                for (_, _, body) in &mut cond.conditions {
                    mark(body, origin, marker);
                }
                if let Some((_, body)) = &mut cond.otherwise {
                    mark(body, origin, marker);
                }
            }
            _ => {}
        }
    }
}
