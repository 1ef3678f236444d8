//! What each rendered output read, recorded while it renders, so that the
//! next render can tell which outputs would come out the same and keep them.
//!
//! An output's [`Trace`] holds, for each template rendering of its job, the
//! template with every template it reaches (parents, includes, imported
//! macros) and the context it was given; the template functions it called
//! with their arguments and results; and whether it read something that
//! cannot be checked again (the clock through `now()`, random numbers,
//! images queued for encoding). A job is kept when its contexts, templates
//! and output paths are the same and every function it called returns the
//! same again. Whatever a data page shows (entries, live figures, the date
//! deciding whether a meetup is to come) is in its context, so it is in its
//! trace; a change anywhere else reaches the output through one of these.
//!
//! Fingerprints are 64-bit hashes (aHash with fixed seeds: stable within
//! one build of the command, which is why the persistent cache is keyed on
//! the command itself).

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::hash::Hasher;
use std::sync::{Arc, Mutex, OnceLock};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::paths::PathMap;

/// What a template gives while probed: no rendering can produce it.
pub(crate) const PROBED: &str = "\0maillage: not rendered\0";

/// A 64-bit hash of some bytes or value.
pub type Fingerprint = u64;

/// Any fixed seeds do: fingerprints are compared only with fingerprints
/// made by the same executable.
const SEEDS: ahash::RandomState = ahash::RandomState::with_seeds(
    0x6d61_696c_6c61_6765,
    0x7472_6163_6573_2031,
    0x0123_4567_89ab_cdef,
    0xfedc_ba98_7654_3210,
);

fn hasher() -> ahash::AHasher {
    std::hash::BuildHasher::build_hasher(&SEEDS)
}

pub fn fingerprint_bytes(bytes: &[u8]) -> Fingerprint {
    let mut h = hasher();
    h.write(bytes);
    h.finish()
}

pub fn fingerprint_value(value: &Value) -> Fingerprint {
    let mut h = hasher();
    hash_value(&mut h, value);
    h.finish()
}

/// The fingerprint of anything hashable: of the inputs a value is made
/// from, when they are cheaper to hash than the value.
pub fn fingerprint_hashed<T: std::hash::Hash + ?Sized>(value: &T) -> Fingerprint {
    let mut h = hasher();
    value.hash(&mut h);
    h.finish()
}

/// The context fields' fingerprint, `config` left out: the cache is keyed
/// on the configuration as a whole, and it is the largest field.
pub fn fingerprint_fields(fields: &Map<String, Value>) -> Fingerprint {
    let mut h = hasher();
    for (key, value) in fields {
        if key == "config" {
            continue;
        }
        hash_str(&mut h, key);
        hash_value(&mut h, value);
    }
    h.finish()
}

/// The fingerprint of a sequence of fingerprints: of a value made of parts
/// fingerprinted apart.
pub fn fingerprint_parts(parts: &[Fingerprint]) -> Fingerprint {
    let mut h = hasher();
    h.write_usize(parts.len());
    for &part in parts {
        h.write_u64(part);
    }
    h.finish()
}

fn hash_str(h: &mut impl Hasher, text: &str) {
    h.write_usize(text.len());
    h.write(text.as_bytes());
}

/// Feeds `value` to `h`, each part tagged with its kind and length, so that
/// two different values never feed the same sequence (cheaper than
/// writing it out as JSON).
fn hash_value(h: &mut impl Hasher, value: &Value) {
    match value {
        Value::Null => h.write_u8(0),
        Value::Bool(b) => h.write_u8(1 + u8::from(*b)),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                h.write_u8(3);
                h.write_u64(u);
            } else if let Some(i) = n.as_i64() {
                h.write_u8(4);
                h.write_i64(i);
            } else {
                h.write_u8(5);
                h.write_u64(n.as_f64().unwrap_or_default().to_bits());
            }
        }
        Value::String(text) => {
            h.write_u8(6);
            hash_str(h, text);
        }
        Value::Array(items) => {
            h.write_u8(7);
            h.write_usize(items.len());
            for item in items {
                hash_value(h, item);
            }
        }
        Value::Object(map) => {
            h.write_u8(8);
            h.write_usize(map.len());
            for (key, item) in map {
                hash_str(h, key);
                hash_value(h, item);
            }
        }
    }
}

/// One template rendering of a job.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Use {
    /// The template rendered, as resolved (`meetup.html`, `__zola_builtins/404.html`).
    pub template: String,
    /// The sources of that template and every template it reaches.
    pub sources: Fingerprint,
    /// The context given, `config` left out.
    pub context: Fingerprint,
}

/// What one job read and wrote.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Trace {
    pub uses: Vec<Use>,
    /// Indexes into [`Traces::calls`].
    #[serde(with = "runs")]
    pub calls: Vec<u32>,
    /// It read something that cannot be checked again: render it each time.
    pub volatile: bool,
    /// Each output's path and the fingerprint of the bytes written.
    pub outputs: Vec<(String, Fingerprint)>,
    /// What an extension's contexts noted they read ([`note_read`]),
    /// sorted: what a process that keeps the site loaded renders again
    /// after a change of those ([`Traces::readers_of`]). Not saved.
    #[serde(skip)]
    pub reads: Vec<u64>,
}

/// A list of indexes saved as runs of consecutive ones, `[first, count]`
/// each: a page's calls are mostly the shared calls in order, and the
/// national site's cache was half made of them written one by one.
mod runs {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(super) fn serialize<S: Serializer>(indexes: &[u32], s: S) -> Result<S::Ok, S::Error> {
        let mut runs: Vec<(u32, u32)> = Vec::new();
        for &i in indexes {
            match runs.last_mut() {
                Some((first, count)) if u64::from(*first) + u64::from(*count) == u64::from(i) => {
                    *count += 1
                }
                _ => runs.push((i, 1)),
            }
        }
        runs.serialize(s)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u32>, D::Error> {
        let runs = Vec::<(u32, u32)>::deserialize(d)?;
        let mut indexes = Vec::with_capacity(runs.iter().map(|&(_, n)| n as usize).sum());
        for (first, count) in runs {
            let last = count
                .checked_sub(1)
                .and_then(|more| first.checked_add(more))
                .ok_or_else(|| {
                    serde::de::Error::custom("an empty run of calls, or one too long")
                })?;
            indexes.extend(first..=last);
        }
        Ok(indexes)
    }
}

/// A template function call: its name, its arguments (sorted, as JSON) and
/// the fingerprint of its result.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Call {
    pub function: String,
    pub args: String,
    pub result: Fingerprint,
}

/// The traces of a whole render, by job key.
#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Traces {
    pub calls: Vec<Call>,
    pub jobs: PathMap<Trace>,
}

impl Traces {
    /// The URL paths of the extensions' pages whose last render read one
    /// of `reads`.
    pub fn readers_of(
        &self,
        reads: &std::collections::HashSet<u64>,
    ) -> std::collections::HashSet<&str> {
        self.jobs
            .iter()
            .filter(|(_, trace)| trace.reads.iter().any(|r| reads.contains(r)))
            .filter_map(|(key, _)| key.strip_prefix(super::jobs::EXTRA_PAGE_KEY))
            .collect()
    }

    /// The keys of the jobs that called one of `functions` and would now
    /// get another result (each distinct call made once again): after an
    /// edit of the content, the pages that read it through `get_page`,
    /// `get_section`....
    pub fn callers_of_changed(
        &self,
        tera: &tera::Tera,
        functions: &[&str],
    ) -> std::collections::HashSet<&str> {
        let check = CallCheck::new(self);
        let changed: Vec<bool> = self
            .calls
            .iter()
            .enumerate()
            .map(|(i, call)| {
                functions.contains(&call.function.as_str()) && !check.returns_the_same(tera, i)
            })
            .collect();
        self.jobs
            .iter()
            .filter(|(_, trace)| trace.calls.iter().any(|&i| changed[i as usize]))
            .map(|(key, _)| key.as_str())
            .collect()
    }
}

/// The distinct calls of a render, and the index of each by function and
/// arguments (`function\0arguments`).
type CallTable = (Vec<Call>, PathMap<u32>);

/// The index of `call` in `table`, added when it is new.
fn intern_in((calls, index): &mut CallTable, call: &NotedCall) -> u32 {
    if let Some(&i) = index.get(&call.key) {
        return i;
    }
    calls.push(call.call.clone());
    let i = (calls.len() - 1) as u32;
    index.insert(call.key.clone(), i);
    i
}

/// Collects traces while jobs render in parallel.
pub(crate) struct Collector {
    calls: Mutex<CallTable>,
    /// The index in this render's calls of each call of the previous
    /// render's traces, once a kept trace needed it.
    carried: Vec<OnceLock<u32>>,
    jobs: Mutex<PathMap<Trace>>,
}

impl Collector {
    /// A collector for a render whose previous traces had `previous_calls`
    /// distinct calls.
    pub(crate) fn new(previous_calls: usize) -> Collector {
        Collector {
            calls: Mutex::default(),
            carried: (0..previous_calls).map(|_| OnceLock::new()).collect(),
            jobs: Mutex::default(),
        }
    }

    fn intern(&self, call: &NotedCall) -> u32 {
        let mut table = self.calls.lock().unwrap_or_else(|e| e.into_inner());
        intern_in(&mut table, call)
    }

    fn store(&self, key: String, mut trace: Trace) {
        // A page calls `get_url` for the same link many times.
        trace.calls.sort_unstable();
        trace.calls.dedup();
        self.jobs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key, trace);
    }

    /// Adds a fresh trace, its calls as recorded.
    pub(crate) fn add(&self, key: String, recorded: Recorded, outputs: Vec<(String, Fingerprint)>) {
        let calls = {
            // Locked once for the job's calls, about seventy on a page.
            let mut table = self.calls.lock().unwrap_or_else(|e| e.into_inner());
            recorded
                .calls
                .iter()
                .map(|call| intern_in(&mut table, call))
                .collect()
        };
        let mut reads = recorded.reads;
        reads.sort_unstable();
        reads.dedup();
        let trace = Trace {
            uses: recorded.uses,
            calls,
            volatile: recorded.volatile,
            outputs,
            reads,
        };
        self.store(key, trace);
    }

    /// Carries over a trace of `previous` whose job was kept.
    pub(crate) fn keep(&self, key: &str, trace: &Trace, previous: &Traces) {
        let calls = trace
            .calls
            .iter()
            .map(|&i| {
                *self.carried[i as usize].get_or_init(|| {
                    self.intern(&NotedCall::new(previous.calls[i as usize].clone()))
                })
            })
            .collect();
        // Field by field: `..trace.clone()` would copy the calls too.
        let trace = Trace {
            uses: trace.uses.clone(),
            calls,
            volatile: trace.volatile,
            outputs: trace.outputs.clone(),
            reads: trace.reads.clone(),
        };
        self.store(key.to_string(), trace);
    }

    pub(crate) fn finish(self) -> Traces {
        let (calls, _) = self.calls.into_inner().unwrap_or_else(|e| e.into_inner());
        Traces {
            calls,
            jobs: self.jobs.into_inner().unwrap_or_else(|e| e.into_inner()),
        }
    }
}

/// What one job read, as it renders.
#[derive(Debug, Default)]
pub(crate) struct Recorded {
    pub uses: Vec<Use>,
    pub calls: Vec<Arc<NotedCall>>,
    pub volatile: bool,
    pub reads: Vec<u64>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Templates are rendered, and what they read recorded.
    Record,
    /// Templates are not rendered: only what they would be given is recorded.
    Probe,
}

thread_local! {
    static CURRENT: RefCell<Option<(Mode, Recorded)>> = const { RefCell::new(None) };
}

fn with<T>(mode: Mode, run: impl FnOnce() -> T) -> (T, Recorded) {
    let outer = CURRENT.with(|c| c.borrow_mut().replace((mode, Recorded::default())));
    let out = run();
    let recorded = CURRENT
        .with(|c| std::mem::replace(&mut *c.borrow_mut(), outer))
        .map(|(_, r)| r)
        .unwrap_or_default();
    (out, recorded)
}

/// Runs `render` with what it reads recorded.
pub(crate) fn recording<T>(render: impl FnOnce() -> T) -> (T, Recorded) {
    with(Mode::Record, render)
}

/// Runs `render` with templates not rendered (they give empty text), to see
/// what they would be given.
pub(crate) fn probing<T>(render: impl FnOnce() -> T) -> (T, Recorded) {
    with(Mode::Probe, render)
}

/// Whether a render is recorded at all (the context is then fingerprinted).
pub(crate) fn active() -> bool {
    CURRENT.with(|c| c.borrow().is_some())
}

/// Notes a template rendering; true when the template must not actually
/// be rendered (a probe).
pub(crate) fn note_use(
    template: &str,
    sources: Fingerprint,
    volatile: bool,
    context: Fingerprint,
) -> bool {
    CURRENT.with(|c| match &mut *c.borrow_mut() {
        Some((mode, recorded)) => {
            recorded.uses.push(Use {
                template: template.to_string(),
                sources,
                context,
            });
            recorded.volatile |= volatile;
            *mode == Mode::Probe
        }
        None => false,
    })
}

/// Notes a render made without a template from inputs fingerprinted as
/// `inputs` (an extension's files): a use of no template, which no
/// template's name can be. True when it is only probed.
pub(crate) fn note_inputs(inputs: Fingerprint) -> bool {
    note_use("", 0, false, inputs)
}

/// What a probed render gives in place of its output.
pub(crate) fn probed_output() -> Vec<u8> {
    PROBED.as_bytes().to_vec()
}

/// A template function's call as a trace notes it, with its key among the
/// render's distinct calls (`function\0arguments`) made once.
#[derive(Debug)]
pub struct NotedCall {
    call: Call,
    key: String,
}

impl NotedCall {
    fn new(call: Call) -> NotedCall {
        let key = format!("{}\0{}", call.function, call.args);
        NotedCall { call, key }
    }

    pub fn call(&self) -> &Call {
        &self.call
    }

    /// `function` called with `args` gave `result`.
    pub fn of(function: &str, args: &HashMap<String, Value>, result: &Value) -> NotedCall {
        let sorted: BTreeMap<&String, &Value> = args.iter().collect();
        NotedCall::new(Call {
            function: function.to_string(),
            args: serde_json::to_string(&sorted).unwrap_or_default(),
            result: fingerprint_value(result),
        })
    }
}

/// The fingerprint of a call's arguments, the same in any order: the
/// fingerprints of the arguments are added up rather than sorted first.
pub fn fingerprint_args(args: &HashMap<String, Value>) -> Fingerprint {
    args.iter().fold(args.len() as u64, |sum, (name, value)| {
        let mut h = hasher();
        hash_str(&mut h, name);
        hash_value(&mut h, value);
        sum.wrapping_add(h.finish())
    })
}

fn recording_calls() -> bool {
    CURRENT.with(|c| matches!(&*c.borrow(), Some((Mode::Record, _))))
}

/// Notes a template function's call and result (from the functions'
/// wrapper). A probe's calls are not kept: the trace it is compared with
/// has its own, checked apart.
pub fn note_call(function: &str, args: &HashMap<String, Value>, result: &Value) {
    if recording_calls() {
        note_noted(&Arc::new(NotedCall::of(function, args, result)));
    }
}

/// Notes that the job rendering reads what the `keys` name: an extension's
/// values that a later change may alter (a meetup's summary). The keys are
/// made only while a render is recorded. A process that keeps the site
/// loaded then renders again the jobs that read them
/// ([`Traces::readers_of`]), rather than a list of its own.
pub fn note_read<K: IntoIterator<Item = u64>>(keys: impl FnOnce() -> K) {
    CURRENT.with(|c| {
        if let Some((Mode::Record, recorded)) = &mut *c.borrow_mut() {
            recorded.reads.extend(keys());
        }
    });
}

/// Notes a call noted before: a function that remembers its results hands
/// the same note to every render that makes that call.
pub fn note_noted(call: &Arc<NotedCall>) {
    CURRENT.with(|c| {
        if let Some((Mode::Record, recorded)) = &mut *c.borrow_mut() {
            recorded.calls.push(call.clone());
        }
    });
}

/// Notes that the render read something that cannot be checked again.
pub fn note_volatile() {
    CURRENT.with(|c| {
        if let Some((_, recorded)) = &mut *c.borrow_mut() {
            recorded.volatile = true;
        }
    });
}

/// Checks the calls of previous traces against the functions as they are
/// now, each distinct call once.
pub(crate) struct CallCheck<'a> {
    previous: &'a Traces,
    verdicts: Vec<OnceLock<bool>>,
}

impl<'a> CallCheck<'a> {
    pub(crate) fn new(previous: &'a Traces) -> CallCheck<'a> {
        CallCheck {
            previous,
            verdicts: (0..previous.calls.len()).map(|_| OnceLock::new()).collect(),
        }
    }

    /// Whether every call of `trace` returns what it returned.
    pub(crate) fn same(&self, tera: &tera::Tera, trace: &Trace) -> bool {
        trace
            .calls
            .iter()
            .all(|&i| self.returns_the_same(tera, i as usize))
    }

    /// Whether call `i` of the previous traces returns what it returned.
    fn returns_the_same(&self, tera: &tera::Tera, i: usize) -> bool {
        let Some(verdict) = self.verdicts.get(i) else {
            return false;
        };
        *verdict.get_or_init(|| {
            let call = &self.previous.calls[i];
            let Ok(function) = tera.get_function(&call.function) else {
                return false;
            };
            let Ok(args) =
                serde_json::from_str::<std::collections::HashMap<String, Value>>(&call.args)
            else {
                return false;
            };
            function
                .call(&args)
                .is_ok_and(|value| fingerprint_value(&value) == call.result)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_that_differ_have_different_fingerprints() {
        let values = [
            json!(null),
            json!(false),
            json!(true),
            json!(1),
            json!(-1),
            json!(1.0),
            json!("1"),
            json!(""),
            json!([]),
            json!({}),
            json!(["ab"]),
            json!(["a", "b"]),
            json!([["a"], "b"]),
            json!({"a": "b"}),
            json!({"ab": ""}),
            json!({"a": {"b": null}}),
            json!({"a": null, "b": null}),
        ];
        let prints: std::collections::HashSet<Fingerprint> =
            values.iter().map(fingerprint_value).collect();
        assert_eq!(prints.len(), values.len());
        assert_eq!(
            fingerprint_value(&json!({"x": [1, "y"]})),
            fingerprint_value(&json!({"x": [1, "y"]}))
        );
    }

    #[test]
    fn a_contexts_fingerprint_leaves_the_configuration_out() {
        let fields = |config: Value, page: Value| {
            let mut map = Map::new();
            map.insert("config".into(), config);
            map.insert("page".into(), page);
            fingerprint_fields(&map)
        };
        assert_eq!(
            fields(json!({"title": "A"}), json!(1)),
            fields(json!({"title": "B"}), json!(1))
        );
        assert_ne!(
            fields(json!({"title": "A"}), json!(1)),
            fields(json!({"title": "A"}), json!(2))
        );
    }

    #[test]
    fn calls_saved_as_runs_read_back_the_same() {
        let lists: [Vec<u32>; 6] = [
            vec![],
            vec![7],
            (0..60).collect(),
            vec![0, 1, 2, 5, 6, 9, 3, 4, 4, u32::MAX - 1, u32::MAX, 0],
            vec![u32::MAX, 0, 1],
            vec![3, 2, 1, 0],
        ];
        for calls in lists {
            let trace = Trace {
                calls: calls.clone(),
                ..Trace::default()
            };
            let text = serde_json::to_string(&trace).unwrap();
            let back: Trace = serde_json::from_str(&text).unwrap();
            assert_eq!(back.calls, calls, "{text}");
        }
        let text = serde_json::to_string(&Trace {
            calls: (0..60).collect(),
            ..Trace::default()
        })
        .unwrap();
        assert!(text.contains("\"calls\":[[0,60]]"), "{text}");
    }
}
