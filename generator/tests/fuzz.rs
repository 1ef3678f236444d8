//! Property tests of the parsers of everything contributors and visitors
//! send: content files (front matter), data files (YAML), Markdown with
//! shortcodes, and the function's form bodies. Inputs are generated from
//! grammars of the real formats, then mutated byte by byte; each goes
//! through the real parsers, which must not panic, must not hang, and must
//! locate every problem at a line of the file.
//!
//! Each target first replays its corpus (`tests/fuzz_corpus/<target>/`,
//! inputs that once found problems or reach rare paths), then tries
//! generated inputs for a time budget. In CI: 12 s per target.
//!
//! - MAILLAGE_FUZZ_SECONDS: time budget per target (default 12)
//! - MAILLAGE_FUZZ_CASES: most inputs per target (default: no limit)
//! - MAILLAGE_FUZZ_HANG_SECONDS: one input running longer is a hang: its
//!   input is printed and the process aborts (default 20)
//! - MAILLAGE_FUZZ_SEED: the seed of the inputs (each run prints its own)
//!
//! A long campaign, in release mode:
//!
//!     MAILLAGE_FUZZ_CASES=1000000 MAILLAGE_FUZZ_SECONDS=100000 \
//!         cargo test --profile bench -p maillage --test fuzz -- --nocapture
//!
//! A failing input, shrunk, is written to `target/fuzz-failures/`: add it
//! to the target's corpus with the fix.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Debug;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestError, TestRng, TestRunner};

use maillage::config::Config as SiteConfig;
use maillage::content::InsertAnchor;
use maillage::markdown::{self, MarkdownContext, ShortcodeDefinitions};
use maillage_function::handler::request::{self, BodyKind};
use maillage_function::handler::{sanitize, validation};

// ---------------------------------------------------------------------
// The harness: budget, corpus, watchdog.

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The input each target is running, and since when, for the watchdog.
fn running() -> &'static Mutex<HashMap<&'static str, (Instant, String)>> {
    static RUNNING: OnceLock<Mutex<HashMap<&'static str, (Instant, String)>>> = OnceLock::new();
    RUNNING.get_or_init(|| {
        let limit = Duration::from_secs_f64(env_or("MAILLAGE_FUZZ_HANG_SECONDS", 20.0));
        std::thread::spawn(move || loop {
            std::thread::sleep(Duration::from_millis(200));
            let running = running().lock().unwrap_or_else(|e| e.into_inner());
            for (target, (since, input)) in running.iter() {
                if since.elapsed() > limit {
                    eprintln!(
                        "fuzz {target}: hang: one input ran for more than {limit:?}:\n{input}"
                    );
                    std::process::abort();
                }
            }
        });
        Mutex::new(HashMap::new())
    })
}

fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_corpus")
        .join(target);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .flatten()
        .map(|e| {
            (
                e.file_name().to_string_lossy().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// Runs `check` on the corpus, then on inputs drawn from `strategy` until
/// the budget is spent; panics with the smallest failing input found.
fn fuzz<S>(
    target: &'static str,
    from_corpus: impl Fn(&str, Vec<u8>) -> S::Value,
    strategy: S,
    check: impl Fn(&S::Value) -> Result<(), String>,
) where
    S: Strategy,
    S::Value: Debug,
{
    let seconds = env_or("MAILLAGE_FUZZ_SECONDS", 12.0);
    let cases = env_or("MAILLAGE_FUZZ_CASES", u64::MAX);
    let guarded = |value: S::Value| -> Result<(), TestCaseError> {
        let shown = format!("{value:?}");
        running()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(target, (Instant::now(), shown));
        let result = check(&value);
        running()
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(target);
        result.map_err(TestCaseError::fail)
    };
    // A new seed each run, printed so that a failure can be replayed.
    let seed: u64 = env_or(
        "MAILLAGE_FUZZ_SEED",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64),
    );
    println!("fuzz {target}: seed {seed} (MAILLAGE_FUZZ_SEED replays it)");
    let mut seed_bytes = [0u8; 32];
    seed_bytes[..8].copy_from_slice(&seed.to_le_bytes());
    let mut runner = TestRunner::new_with_rng(
        Config {
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &seed_bytes),
    );
    let corpus = corpus(target);
    for (name, bytes) in &corpus {
        let value = from_corpus(name, bytes.clone());
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| guarded(value)));
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(e)) => panic!("fuzz {target}: corpus input {name}: {e}"),
            Err(_) => panic!("fuzz {target}: corpus input {name} panicked"),
        }
    }
    let start = Instant::now();
    let mut tried: u64 = 0;
    while tried < cases && start.elapsed().as_secs_f64() < seconds {
        let tree = strategy
            .new_tree(&mut runner)
            .expect("the strategy makes inputs");
        if let Err(error) = runner.run_one(tree, guarded) {
            let (reason, input) = match &error {
                TestError::Fail(reason, input) => (reason.to_string(), format!("{input:?}")),
                TestError::Abort(reason) => (reason.to_string(), String::new()),
            };
            let saved = save_failure(target, &input);
            panic!(
                "fuzz {target}: after {tried} inputs: {reason}\nsmallest failing input (saved in {}):\n{input}",
                saved.display()
            );
        }
        tried += 1;
    }
    println!(
        "fuzz {target}: {tried} generated inputs and {} from the corpus in {:.1} s: 0 panics, 0 hangs, every problem located",
        corpus.len(),
        start.elapsed().as_secs_f64()
    );
}

fn save_failure(target: &str, input: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .join("target/fuzz-failures");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("{target}-{}.txt", std::process::id()));
    let _ = std::fs::write(&path, input);
    path
}

/// The text of every file under `dir` (relative to the repository) whose
/// name ends with `ext`: real inputs for the grammars to damage.
fn seeds(dir: &str, ext: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let mut found: Vec<(String, String)> = walkdir::WalkDir::new(root.join(dir))
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file() && e.file_name().to_string_lossy().ends_with(ext))
        .map(|e| {
            let rel = e.path().strip_prefix(root.join(dir)).unwrap();
            (
                rel.to_string_lossy().replace('\\', "/"),
                std::fs::read_to_string(e.path()).unwrap(),
            )
        })
        .collect();
    found.sort();
    assert!(!found.is_empty(), "no {ext} file under {dir}");
    found
}

/// One of `seeds`, damaged.
fn seed_mutated(seeds: Vec<String>) -> impl Strategy<Value = String> {
    (prop::sample::select(seeds), mutations()).prop_map(|(text, m)| mutate(text, &m))
}

fn text_of(bytes: Vec<u8>) -> String {
    String::from_utf8_lossy(&bytes).into_owned()
}

// ---------------------------------------------------------------------
// Generic pieces of grammar.

/// Byte-level damage: `(where, what)` pairs, `where` a fraction of the
/// length, `what` inserted there (after removing as many bytes).
fn mutations() -> impl Strategy<Value = Vec<(f64, String, usize)>> {
    prop::collection::vec(
        (
            0.0..1.0f64,
            prop_oneof![
                Just(String::new()),
                "[\\PC\n\r\t]{1,4}".prop_map(|s| s),
                prop::sample::select(vec![
                    "\n", "\"", "'", ":", "=", "[", "]", "{", "}", "{{", "}}", "{%", "%}", "#",
                    "- ", "  ", "\t", "\u{feff}", "\r\n", "---", "+++", "\\", "|", ">", "&a", "*a",
                    "!!", "/*", "*/", "@/", "](", "<", "`", "```", "é", "\u{0}",
                ])
                .prop_map(str::to_string),
            ],
            0..4usize,
        ),
        0..4,
    )
}

fn mutate(mut text: String, mutations: &[(f64, String, usize)]) -> String {
    for (at, insert, remove) in mutations {
        let mut pos = ((text.len() as f64) * at) as usize;
        while !text.is_char_boundary(pos) {
            pos -= 1;
        }
        let mut end = (pos + remove).min(text.len());
        while !text.is_char_boundary(end) {
            end += 1;
        }
        text.replace_range(pos..end, insert);
    }
    text
}

fn mutated(structured: impl Strategy<Value = String>) -> impl Strategy<Value = String> {
    (structured, mutations()).prop_map(|(text, m)| mutate(text, &m))
}

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "rencontre",
            "Île-de-France",
            "l'été",
            "NSI",
            "a",
            "x",
            "..",
            "../..",
            "/",
            "é",
            "",
            "2026-12-10",
            "2026-12-10T18:30",
            "2026-13-45",
            "true",
            "1e999",
            "-3",
            "null",
            "passees",
            "index.html",
            "~",
            "a b",
            "Ça",
            "🙂",
        ])
        .prop_map(str::to_string),
        "[a-z0-9 ._/-]{0,12}",
        "\\PC{0,8}",
    ]
}

/// A scalar written in YAML or TOML, valid or not.
fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        word(),
        word().prop_map(|w| format!("\"{}\"", w.replace('"', "\\\""))),
        word().prop_map(|w| format!("'{w}'")),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|n| n.to_string()),
        Just("2026-12-10T18:30:00+01:00".to_string()),
        Just("\"unterminated".to_string()),
        (1..200usize).prop_map(|n| format!("{}{}", "[".repeat(n), "]".repeat(n))),
    ]
}

/// A value: a scalar, a flow list or a flow map of values.
fn value() -> impl Strategy<Value = String> {
    scalar().prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
            prop::collection::vec((word(), inner), 0..4).prop_map(|kv| {
                let items: Vec<String> = kv.iter().map(|(k, v)| format!("{k}: {v}")).collect();
                format!("{{{}}}", items.join(", "))
            }),
        ]
    })
}

// ---------------------------------------------------------------------
// Content files: front matter and body, through the content loader.

const FRONT_MATTER_KEYS: &[&str] = &[
    "title",
    "description",
    "date",
    "updated",
    "weight",
    "draft",
    "render",
    "slug",
    "path",
    "aliases",
    "authors",
    "template",
    "in_search_index",
    "sort_by",
    "paginate_by",
    "paginate_path",
    "paginate_reversed",
    "insert_anchor_links",
    "redirect_to",
    "transparent",
    "page_template",
    "generate_feeds",
    "couleur",
    "tags",
    "extra",
    "taxonomies",
];

fn content_file() -> impl Strategy<Value = String> {
    let line = (prop::sample::select(FRONT_MATTER_KEYS), value(), 0..4usize);
    (
        any::<bool>(),
        any::<bool>(),
        any::<bool>(),
        prop::collection::vec(line, 0..10),
        "\\PC{0,40}",
    )
        .prop_map(|(yaml, bom, crlf, lines, body)| {
            let fence = if yaml { "---" } else { "+++" };
            let mut text = String::new();
            if bom {
                text.push('\u{feff}');
            }
            text.push_str(fence);
            text.push('\n');
            for (key, value, indent) in lines {
                let indent = " ".repeat(indent);
                match (yaml, key) {
                    (false, "extra" | "taxonomies") => text.push_str(&format!("[{key}]\n")),
                    (false, _) => text.push_str(&format!("{indent}{key} = {value}\n")),
                    (true, _) => text.push_str(&format!("{indent}{key}: {value}\n")),
                }
            }
            text.push_str(fence);
            text.push('\n');
            text.push_str(&body);
            if crlf {
                text = text.replace('\n', "\r\n");
            }
            text
        })
}

/// A site folder for one target, reused from input to input.
fn scratch_site(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in files {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

/// Every problem has a line, within the text (or just past its end). Lines
/// are counted as YAML counts them: `\r` alone, `\u{85}`, `\u{2028}` and
/// `\u{2029}` end lines too, as in most editors.
fn located(problems: &[maillage::Diagnostic], text: &str) -> Result<(), String> {
    let breaks = text
        .replace("\r\n", "\n")
        .matches(['\n', '\r', '\u{85}', '\u{2028}', '\u{2029}'])
        .count();
    let last = breaks + 2;
    for d in problems {
        match d.line {
            Some(line) if (1..=last).contains(&line) => {}
            _ => return Err(format!("a problem without a line in the file: {d}")),
        }
    }
    Ok(())
}

#[test]
fn content_files() {
    let site = scratch_site(&[("config.toml", "base_url = \"https://exemple.org\"\n")]);
    let config = SiteConfig::with_base_url("https://exemple.org");
    let real: Vec<String> = seeds("content", ".md")
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    fuzz(
        "front_matter",
        |_, bytes| text_of(bytes),
        prop_oneof![mutated(content_file()), seed_mutated(real)],
        |text| {
            for name in ["content/page.md", "content/rubrique/_index.md"] {
                let path = site.path().join(name);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, text).unwrap();
                if let Err(d) = maillage::content::load_one(site.path(), &path, &config, false) {
                    located(&[d], text)?;
                }
            }
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------
// Data files: YAML lists of entries, through the data loader.

const DATA_FIELDS: &[&str] = &[
    "id",
    "code",
    "name",
    "slug",
    "title",
    "kind",
    "series",
    "module",
    "week",
    "start",
    "end",
    "place",
    "capacity",
    "registration",
    "opens",
    "closes",
    "status",
    "organiser",
    "type",
    "address",
    "postcode",
    "commune",
    "insee",
    "department",
    "region",
    "latitude",
    "longitude",
    "contact",
    "email",
    "url",
    "wanted",
    "links",
    "intentions",
    "coordinator",
    "description",
    "report_key_sha256",
    "weeks",
    "partner",
    "label",
    "accessibility",
    "inconnu",
];

const DATA_KINDS: &[&str] = &[
    "regions", "places", "partners", "modules", "series", "meetups",
];

fn data_entry() -> impl Strategy<Value = String> {
    let field = (
        prop::sample::select(DATA_FIELDS),
        prop_oneof![
            value(),
            prop::collection::vec((prop::sample::select(DATA_FIELDS), value()), 0..3).prop_map(
                |kv| {
                    kv.iter()
                        .map(|(k, v)| format!("\n    {k}: {v}"))
                        .collect::<String>()
                }
            ),
            prop::collection::vec(value(), 0..3)
                .prop_map(|v| v.iter().map(|x| format!("\n    - {x}")).collect::<String>()),
        ],
    );
    prop::collection::vec(field, 0..8).prop_map(|fields| {
        let mut entry = String::new();
        for (i, (key, value)) in fields.iter().enumerate() {
            entry.push_str(if i == 0 { "- " } else { "  " });
            entry.push_str(&format!("{key}: {value}\n"));
        }
        if entry.is_empty() {
            entry.push_str("-\n");
        }
        entry
    })
}

fn data_file() -> impl Strategy<Value = (String, String)> {
    (
        prop::sample::select(DATA_KINDS),
        prop::collection::vec(data_entry(), 0..5),
    )
        .prop_map(|(kind, entries)| (kind.to_string(), entries.concat()))
}

#[test]
fn data_files() {
    // The data fixture: a generated file is added to it, or one of its
    // files is replaced by a damaged copy, so that checks across files run.
    let site = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/data-site");
    for (rel, text) in seeds("generator/tests/fixtures/data-site", "") {
        let path = site.path().join(&rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let real: Vec<(String, String)> = seeds("generator/tests/fixtures/data-site/data", ".yaml")
        .into_iter()
        .map(|(rel, text)| (format!("data/{rel}"), text))
        .collect();
    let now = maillage_model::clock::parse_instant("2026-11-22T12:00").unwrap();
    fuzz(
        "data_yaml",
        |name, bytes| {
            let kind = DATA_KINDS
                .iter()
                .find(|k| name.starts_with(*k))
                .unwrap_or(&"meetups");
            (format!("data/{kind}/fuzz.yaml"), text_of(bytes))
        },
        prop_oneof![
            (data_file(), mutations()).prop_map(|((kind, text), m)| {
                (format!("data/{kind}/fuzz.yaml"), mutate(text, &m))
            }),
            (prop::sample::select(real), mutations())
                .prop_map(|((rel, text), m)| (rel, mutate(text, &m))),
        ],
        |(rel, text)| {
            let path = site.path().join(rel);
            let original = std::fs::read_to_string(fixture.join(rel)).ok();
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
            let result = maillage::data::load(site.path(), now);
            match original {
                Some(original) => std::fs::write(&path, original).unwrap(),
                None => std::fs::remove_file(&path).unwrap(),
            }
            let Err(problems) = result else {
                return Ok(());
            };
            // Each problem is located in the file it names.
            for problem in &problems.0 {
                let named = if problem.file == Path::new(rel) {
                    text.clone()
                } else {
                    std::fs::read_to_string(fixture.join(&problem.file))
                        .map_err(|e| format!("{problem}: {e}"))?
                };
                located(std::slice::from_ref(problem), &named)?;
            }
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------
// Markdown with shortcodes, through the Markdown renderer.

fn inline() -> impl Strategy<Value = String> {
    prop_oneof![
        word(),
        word().prop_map(|w| format!("*{w}*")),
        word().prop_map(|w| format!("`{w}`")),
        (
            word(),
            prop::sample::select(vec![
                "@/a.md",
                "@/a.md#haut",
                "@/absent.md",
                "@/rubrique/_index.md",
                "https://exemple.org/x",
                "//x",
                "mailto:a@b.c",
                "javascript:x",
                "#ancre",
                ""
            ])
        )
            .prop_map(|(w, url)| format!("[{w}]({url})")),
        word().prop_map(|w| format!("![{w}](image.png)")),
        Just("<span>html</span>".to_string()),
        Just("<!-- more -->".to_string()),
        shortcode(),
    ]
}

fn argument() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec!["texte", "n", "ok", "liste", "x"]),
        prop_oneof![
            word().prop_map(|w| format!("\"{w}\"")),
            word().prop_map(|w| format!("'{w}'")),
            any::<i32>().prop_map(|n| n.to_string()),
            Just("true".to_string()),
            Just("[1, \"a\", [true]]".to_string()),
            word(),
        ],
    )
        .prop_map(|(k, v)| format!("{k}={v}"))
}

fn shortcode() -> impl Strategy<Value = String> {
    let name = prop::sample::select(vec![
        "note",
        "encart",
        "vide",
        "inconnu",
        "end",
        "page.title",
    ]);
    (
        name,
        prop::collection::vec(argument(), 0..3),
        0..7usize,
        "\\PC{0,12}",
    )
        .prop_map(|(name, args, form, body)| {
            let args = args.join(", ");
            match form {
                0 => format!("{{{{ {name}({args}) }}}}"),
                1 => format!("{{% {name}({args}) %}}\n{body}\n{{% end %}}"),
                2 => format!("{{{{/* {name}({args}) */}}}}"),
                3 => format!("{{%/* {name}({args}) */%}}"),
                4 => format!("{{% {name}({args}) %}}{body}"),
                5 => format!("{{{{ {name}({args}"),
                _ => format!("{{{{ {name} }}}}"),
            }
        })
}

fn markdown_text() -> impl Strategy<Value = String> {
    let block = prop_oneof![
        (
            1..7usize,
            prop::collection::vec(inline(), 1..4),
            any::<bool>()
        )
            .prop_map(|(level, words, id)| {
                let id = if id { " {#haut}" } else { "" };
                format!("{} {}{id}", "#".repeat(level), words.join(" "))
            }),
        prop::collection::vec(inline(), 1..6).prop_map(|w| w.join(" ")),
        (word(), "\\PC{0,30}").prop_map(|(lang, code)| format!("```{lang}\n{code}\n```")),
        prop::collection::vec(inline(), 1..4).prop_map(|w| format!("- {}", w.join("\n- "))),
        Just("| a | b |\n|---|---|\n| 1 | 2 |".to_string()),
        shortcode(),
        Just("[^1]: note".to_string()),
    ];
    mutated(prop::collection::vec(block, 0..12).prop_map(|blocks| blocks.join("\n\n")))
}

#[test]
fn markdown_with_shortcodes() {
    let config = SiteConfig::with_base_url("https://exemple.org");
    let mut tera = tera::Tera::default();
    tera.add_raw_templates([
        ("shortcodes/note.html", "<aside class=\"{{ texte | default(value='') }}\">{{ body | default(value='') }}</aside>"),
        ("shortcodes/encart.md", "Voir [la page](@/a.md) et {{ n | default(value=0) + 1 }}."),
        ("shortcodes/vide.html", ""),
    ])
    .unwrap();
    let shortcodes = ShortcodeDefinitions::from_template_names(tera.get_template_names());
    let permalinks: BTreeMap<String, String> = [
        ("a.md", "https://exemple.org/a/"),
        ("rubrique/_index.md", "https://exemple.org/rubrique/"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let file = Path::new("content/page.md");
    let real: Vec<String> = seeds("content", ".md")
        .into_iter()
        .map(|(_, text)| {
            let parts = maillage::content::front_matter::split(&text);
            parts.map_or(text.clone(), |p| p.body.to_string())
        })
        .collect();
    fuzz(
        "markdown",
        |_, bytes| text_of(bytes),
        prop_oneof![markdown_text(), seed_mutated(real)],
        |text| {
            for insert_anchor in [InsertAnchor::None, InsertAnchor::Heading] {
                let ctx = MarkdownContext {
                    config: &config,
                    permalinks: &permalinks,
                    tera: &tera,
                    shortcodes: &shortcodes,
                    permalink: "https://exemple.org/page/",
                    lang: "fr",
                    insert_anchor,
                    file,
                    body_line: 4,
                    current: None,
                };
                if let Err(problems) = markdown::render(text, &ctx) {
                    // The body starts at line 4 of the file.
                    located(&problems.0, &format!("+++\n\n+++\n{text}"))?;
                }
            }
            Ok(())
        },
    );
}

// ---------------------------------------------------------------------
// The function's form bodies, through its request and validation parsers.

fn form_field() -> impl Strategy<Value = String> {
    (
        prop::sample::select(vec![
            "meetup",
            "name",
            "email",
            "role",
            "structure",
            "need",
            "consent",
            "key",
            "attendance",
            "public",
            "links",
            "outcome",
            "problems",
            "improvements",
            "notes",
            "website",
            "x",
        ]),
        prop_oneof![
            word(),
            Just("a%C3%AFcha%20b".to_string()),
            Just("%zz".to_string()),
            Just("100%".to_string()),
            Just("https%3A%2F%2Fexemple.org".to_string()),
            Just("participant".to_string()),
            Just("a@b.fr".to_string()),
            "[ -~]{0,20}",
        ],
    )
        .prop_map(|(k, v)| format!("{k}={v}"))
}

fn form_body() -> impl Strategy<Value = (bool, Vec<u8>)> {
    prop_oneof![
        prop::collection::vec(form_field(), 0..10).prop_map(|f| (false, f.join("&").into_bytes())),
        prop::collection::vec((form_field(), any::<bool>()), 0..8).prop_map(|f| {
            let items: Vec<String> = f
                .iter()
                .map(|(kv, list)| {
                    let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                    let v = serde_json::to_string(v).unwrap();
                    if *list {
                        format!("{k:?}: [{v}, 12, true, null]")
                    } else {
                        format!("{k:?}: {v}")
                    }
                })
                .collect();
            (true, format!("{{{}}}", items.join(", ")).into_bytes())
        }),
        (any::<bool>(), prop::collection::vec(any::<u8>(), 0..200)),
    ]
    .prop_flat_map(|(json, body)| {
        (Just(json), Just(body), mutations()).prop_map(|(json, body, m)| {
            let text = mutate(String::from_utf8_lossy(&body).into_owned(), &m);
            (json, text.into_bytes())
        })
    })
}

#[test]
fn form_bodies() {
    fuzz(
        "form_bodies",
        |name, bytes| (name.ends_with(".json"), bytes),
        form_body(),
        |(json, body)| {
            let kind = if *json {
                BodyKind::Json
            } else {
                BodyKind::Form
            };
            let refused = |what: &str, e: maillage_function::handler::ApiError| {
                if e.status.is_client_error() {
                    Ok(())
                } else {
                    Err(format!("{what}: status {} for a bad input", e.status))
                }
            };
            let fields = match request::parse_body(kind, body) {
                Ok(fields) => fields,
                Err(e) => return refused("parse_body", e),
            };
            if let Err(e) = validation::registration(&fields) {
                refused("registration", e)?;
            }
            if let Err(e) = validation::meetup_and_key(&fields) {
                refused("meetup_and_key", e)?;
            }
            match validation::report(&fields) {
                Ok(report) => {
                    for text in report.parts.values() {
                        sanitize::markdown(text);
                    }
                }
                Err(e) => refused("report", e)?,
            }
            request::parse_query(std::str::from_utf8(body).ok());
            Ok(())
        },
    );
}
