//! The national plan on one machine: the demo site's config, content and
//! theme with the data of `tests/bench/make_national.py` (1,299 places,
//! 20,800 meetups by default).
//!
//!     cargo bench -p maillage --bench national            # full build
//!     cargo bench -p maillage --bench national -- cache   # builds with a warm cache
//!     cargo bench -p maillage --bench national -- serve   # serve: start, edits
//!     cargo bench -p maillage --bench national -- map     # the map page in Chromium
//!
//! `build` runs `maillage build` (release profile) several times over the
//! previous output, as a rebuild does, after one warm-up build, its build
//! cache removed before each run so that every page is rendered, and
//! reports wall time, CPU time (user + system) and peak RSS of each run
//! (`wait4`), with the pages, files and bytes written. `cache` keeps the
//! build cache: builds with nothing changed, after an export that changed
//! 100 meetups' figures (`data/live/aggregates.json`), and after one place
//! was edited; the data files are restored afterwards. `serve` runs
//! `tests/bench/serve_edits.py`: `maillage serve`'s start, then a data
//! edit, a content edit and a template edit until each shows. `map` builds once and runs
//! `tests/bench/map.mjs` (headless Chromium through playwright-core): time
//! until the map's markers are shown, GeoJSON downloaded (raw and gzip).
//!
//! Environment: MAILLAGE_BENCH_RUNS (default 5), MAILLAGE_BENCH_PLACES and
//! MAILLAGE_BENCH_MEETUPS (the data set's size, the national plan by
//! default), MAILLAGE_BENCH_FRESH=1 (delete the output before each run, not
//! timed), MAILLAGE_BENCH_SETTLE (seconds to wait before each run).

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use support::{env_or, files_and_bytes, measure, python, spread};

/// The project's "today", so that every run builds the same pages.
const NOW: &str = "2026-11-22T12:00";

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from)
        .into_iter()
        .filter_entry(|e| e.file_name() != "node_modules")
        .flatten()
    {
        let rel = entry.path().strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Writes the data set (once per size) and assembles the site around it:
/// the repository's config.toml, content/ and themes/ (npm packages
/// linked), copied again each time the bench starts so that it measures
/// the templates and settings of the working tree.
fn national_site(work: &Path, places: usize, meetups: usize) -> PathBuf {
    let site = work.join(format!("site-{places}-{meetups}"));
    let stamp = site.join(".generated");
    if !stamp.is_file() {
        let _ = std::fs::remove_dir_all(&site);
        std::fs::create_dir_all(&site).unwrap();
        let status = Command::new(python())
            .arg(repo().join("tests/bench/make_national.py"))
            .arg("--out")
            .arg(&site)
            .args(["--places", &places.to_string()])
            .args(["--meetups", &meetups.to_string()])
            .status()
            .expect("python3 runs");
        assert!(status.success(), "make_national.py failed");
        std::fs::write(stamp, "").unwrap();
    }
    assemble_site(&site);
    site
}

/// Puts the repository's config.toml, content/ and themes/ into `site`.
fn assemble_site(site: &Path) {
    let repo = repo();
    for dir in ["content", "themes"] {
        let _ = std::fs::remove_dir_all(site.join(dir));
    }
    std::fs::copy(repo.join("config.toml"), site.join("config.toml")).unwrap();
    copy_tree(&repo.join("content"), &site.join("content"));
    copy_tree(&repo.join("themes"), &site.join("themes"));
    for theme in std::fs::read_dir(repo.join("themes")).unwrap().flatten() {
        let modules = theme.path().join("node_modules");
        if modules.is_dir() {
            std::os::unix::fs::symlink(
                &modules,
                site.join("themes")
                    .join(theme.file_name())
                    .join("node_modules"),
            )
            .unwrap();
        } else {
            eprintln!(
                "{} has no node_modules: run `. tests/setup.sh` (npm ci) first",
                theme.path().display()
            );
        }
    }
}

fn maillage_build(site: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_maillage"));
    cmd.arg("--root")
        .arg(site)
        .arg("build")
        .env("MAILLAGE_NOW", NOW)
        .env_remove("MAILLAGE_TIMING");
    cmd
}

/// "Built 23201 pages, 7 sections, 44079 files in 4459 ms" → 23201.
fn pages_built(stdout: &str) -> usize {
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("Built "))
        .and_then(|l| l.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn bench_build(site: &Path, runs: usize) {
    let fresh = env_or("MAILLAGE_BENCH_FRESH", 0) == 1;
    let settle: u64 = env_or("MAILLAGE_BENCH_SETTLE", 0);
    let public = site.join("public");
    // Warm-up: the page cache holds the inputs, and a previous output exists.
    // Each build runs without anything kept by the last (build cache, saved
    // data entries), so that it parses and renders everything.
    maillage::cache::forget_all(site);
    measure(&mut maillage_build(site));
    let mut measured = Vec::new();
    for run in 1..=runs {
        maillage::cache::forget_all(site);
        if fresh {
            let _ = std::fs::remove_dir_all(&public);
        }
        if settle > 0 {
            std::thread::sleep(Duration::from_secs(settle));
        }
        let r = measure(&mut maillage_build(site));
        eprintln!(
            "run {run}: {:.2} s wall, {:.2} s CPU, {} MiB",
            r.wall.as_secs_f64(),
            r.cpu.as_secs_f64(),
            r.max_rss_kib / 1024
        );
        measured.push(r);
    }
    let pages = pages_built(&measured[0].stdout);
    let (files, bytes) = files_and_bytes(&public);
    let walls: Vec<f64> = measured.iter().map(|r| r.wall.as_secs_f64()).collect();
    let cpus: Vec<f64> = measured.iter().map(|r| r.cpu.as_secs_f64()).collect();
    let rss: Vec<f64> = measured
        .iter()
        .map(|r| r.max_rss_kib as f64 / 1024.0)
        .collect();
    let mode = if fresh {
        "output deleted before each run"
    } else {
        "over the previous output"
    };
    println!("\nnational site, full build, {runs} runs ({mode}, {settle} s settle)\n");
    println!("| measure | median | min | max |");
    println!("| --- | ---: | ---: | ---: |");
    for (name, values, unit) in [
        ("wall time", &walls, "s"),
        ("CPU time (user + system)", &cpus, "s"),
        ("peak RSS", &rss, "MiB"),
    ] {
        let (m, lo, hi) = spread(values);
        let digits = if unit == "s" { 2 } else { 0 };
        println!("| {name} ({unit}) | {m:.digits$} | {lo:.digits$} | {hi:.digits$} |");
    }
    println!(
        "\n{pages} pages, {files} files, {:.1} MB written",
        bytes as f64 / 1e6
    );
    let (wall, _, _) = spread(&walls);
    let (peak, _, _) = spread(&rss);
    println!(
        "targets: median wall ≤ 1.0 s: {}; peak RSS < 500 MB: {}",
        if wall <= 1.0 { "met" } else { "not met" },
        if peak * 1.048_576 < 500.0 {
            "met"
        } else {
            "not met"
        }
    );
}

/// "(12 pages and files rendered again, 44067 unchanged since the last
/// build)" → (12, 44067).
fn rendered_and_kept(stdout: &str) -> (usize, usize) {
    let number_before = |marker: &str| -> usize {
        stdout
            .find(marker)
            .and_then(|at| {
                stdout[..at]
                    .rsplit(|c: char| !c.is_ascii_digit())
                    .next()
                    .and_then(|n| n.parse().ok())
            })
            .unwrap_or(0)
    };
    (
        number_before(" pages and files rendered again"),
        number_before(" unchanged since the last build"),
    )
}

/// Gives `count` meetups of the live figures new numbers of people
/// registered (different at each `run`), as an export would.
fn change_figures(site: &Path, count: usize, run: usize) {
    let path = site.join("data/live/aggregates.json");
    let mut live: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let meetups = live["meetups"].as_object_mut().unwrap();
    let step = (meetups.len() / count).max(1);
    for (i, (_, figures)) in meetups.iter_mut().enumerate() {
        if i % step == 0 && i / step < count {
            let confirmed = figures["confirmed"].as_u64().unwrap_or(0);
            figures["confirmed"] = serde_json::json!(confirmed % 5 + run as u64 + 1);
        }
    }
    std::fs::write(&path, serde_json::to_string_pretty(&live).unwrap()).unwrap();
}

/// Renames the first place of the first file of `data/places/`.
fn edit_place(site: &Path, run: usize) {
    let mut files: Vec<PathBuf> = std::fs::read_dir(site.join("data/places"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let text = std::fs::read_to_string(&files[0]).unwrap();
    let at = text.find("\n  name: ").expect("a place's name") + "\n  name: ".len();
    let end = at + text[at..].find('\n').unwrap();
    let name = text[at..end].trim_matches('"').split(" (").next().unwrap();
    let edited = format!("{}\"{name} ({run})\"{}", &text[..at], &text[end..]);
    std::fs::write(&files[0], edited).unwrap();
}

fn bench_cache(site: &Path, runs: usize) {
    let sources = [
        site.join("data/live/aggregates.json"),
        site.join("data/places"),
    ];
    let saved: Vec<(PathBuf, Vec<u8>)> = walkdir::WalkDir::new(&sources[1])
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().to_path_buf())
        .chain([sources[0].clone()])
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    // A clean build, then one with its cache: the output and the spare
    // folder are both known to the cache.
    maillage::cache::forget(site);
    measure(&mut maillage_build(site));
    measure(&mut maillage_build(site));
    println!("\nnational site, builds with a warm cache, {runs} runs each\n");
    println!("| change | wall median (s) | min | max | rendered again | kept | target |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: | --- |");
    type Change = fn(&Path, usize);
    let changes: [(&str, Change, f64); 3] = [
        ("nothing changed", |_, _| {}, 0.3),
        (
            "an export changed 100 meetups' figures",
            |site, run| change_figures(site, 100, run),
            0.5,
        ),
        ("one place edited", edit_place, 0.5),
    ];
    for (what, change, target) in changes {
        let mut walls = Vec::new();
        let mut counts = String::new();
        for run in 1..=runs {
            change(site, run);
            let r = measure(&mut maillage_build(site));
            // A build that found nothing changed keeps the output whole,
            // without loading the site.
            counts = if r.stdout.contains("nothing changed since the last build") {
                "0 | all (site not loaded)".to_string()
            } else {
                let (rendered, kept) = rendered_and_kept(&r.stdout);
                format!("{rendered} | {kept}")
            };
            eprintln!(
                "{what}, run {run}: {:.2} s wall, {:.2} s CPU; rendered again | kept: {counts}",
                r.wall.as_secs_f64(),
                r.cpu.as_secs_f64(),
            );
            walls.push(r.wall.as_secs_f64());
        }
        let (m, lo, hi) = spread(&walls);
        println!(
            "| {what} | {m:.2} | {lo:.2} | {hi:.2} | {counts} | ≤ {target} s: {} |",
            if m <= target { "met" } else { "not met" }
        );
    }
    for (path, bytes) in saved {
        std::fs::write(path, bytes).unwrap();
    }
}

fn bench_serve(site: &Path, runs: usize) {
    let status = Command::new(python())
        .arg(repo().join("tests/bench/serve_edits.py"))
        .arg(env!("CARGO_BIN_EXE_maillage"))
        .arg(site)
        .arg(runs.to_string())
        .status()
        .expect("python3 runs");
    assert!(status.success(), "tests/bench/serve_edits.py failed");
}

fn bench_map(site: &Path, runs: usize) {
    // Pages link their scripts with absolute URLs: build for the address
    // the map benchmark serves the site on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free loopback port")
        .port();
    let output = site.join("public-map");
    measure(
        maillage_build(site)
            .arg("--output-dir")
            .arg(&output)
            // The folder of the previous run, though not the last output.
            .arg("--force")
            .arg("--base-url")
            .arg(format!("http://127.0.0.1:{port}")),
    );
    let status = Command::new("node")
        .arg(repo().join("tests/bench/map.mjs"))
        .arg(&output)
        .arg(runs.to_string())
        .arg(port.to_string())
        .status()
        .expect("node runs");
    assert!(status.success(), "tests/bench/map.mjs failed");
}

fn main() {
    // `cargo bench` adds `--bench`; the other arguments name what to run.
    let what: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let runs = env_or("MAILLAGE_BENCH_RUNS", 5usize).max(1);
    let places = env_or("MAILLAGE_BENCH_PLACES", 1300usize);
    let meetups = env_or("MAILLAGE_BENCH_MEETUPS", 20_800usize);
    let work = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("target"))
        .join("bench-national");
    let site = national_site(&work, places, meetups);
    let what = if what.is_empty() {
        vec!["build".to_string()]
    } else {
        what
    };
    for w in &what {
        match w.as_str() {
            "build" => bench_build(&site, runs),
            "cache" => bench_cache(&site, runs),
            "serve" => bench_serve(&site, runs),
            "map" => bench_map(&site, runs),
            other => panic!("unknown benchmark `{other}`: build, cache, serve or map"),
        }
    }
}
