//! Builds the peer benchmark site with maillage and with Hugo, alternately,
//! and reports wall time, CPU time and peak memory of each, with the ratio.
//!
//!     cargo bench -p maillage --bench build_vs_hugo
//!
//! Environment: MAILLAGE_BENCH_PAGES (default 22000), MAILLAGE_BENCH_RUNS
//! (default 5), MAILLAGE_BENCH_HUGO (default `hugo`), MAILLAGE_BENCH_SETTLE
//! (seconds to wait after deleting the outputs, default 0: ext4 skips
//! recently freed inodes when it allocates new ones, which makes a build
//! that follows a large deletion slower for a minute or more). Hugo comes from
//! Debian's package (`. tests/setup.sh` installs it); without it only
//! maillage is measured. Output folders are deleted before every run, or,
//! with MAILLAGE_BENCH_REBUILD=1, kept: each generator then rebuilds over
//! its previous output.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use support::{measure, median, Run};

fn count_files(dir: &Path) -> usize {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .count()
}

fn generate(repo: &Path, out: &Path, pages: usize, hugo: bool) {
    let stamp = out.join(".generated");
    let want = format!("{pages} {hugo}");
    if std::fs::read_to_string(&stamp).ok().as_deref() == Some(want.as_str()) {
        return;
    }
    let mut cmd =
        Command::new(std::env::var("MAILLAGE_TEST_PYTHON").unwrap_or_else(|_| "python3".into()));
    cmd.arg(repo.join("tests/bench/make_site.py"))
        .arg(out)
        .args(["--pages", &pages.to_string(), "--force"]);
    if hugo {
        cmd.arg("--hugo");
    }
    assert!(cmd.status().expect("python3 runs").success());
    std::fs::write(stamp, want).unwrap();
}

fn report(name: &str, runs: &[Run], files: usize) -> f64 {
    let walls: Vec<f64> = runs.iter().map(|r| r.wall.as_secs_f64()).collect();
    let cpus: Vec<f64> = runs.iter().map(|r| r.cpu.as_secs_f64()).collect();
    let rss = runs.iter().map(|r| r.max_rss_kib).max().unwrap_or(0) as f64 / 1024.0;
    let wall = median(walls.clone());
    let min = walls.iter().cloned().fold(f64::INFINITY, f64::min);
    let max = walls.iter().cloned().fold(0.0, f64::max);
    println!(
        "| {name} | {:.2} | {:.2}–{:.2} | {:.2} | {:.0} | {files} |",
        wall,
        min,
        max,
        median(cpus),
        rss
    );
    wall
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else to parse.
    let pages: usize = std::env::var("MAILLAGE_BENCH_PAGES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(22_000);
    let runs: usize = std::env::var("MAILLAGE_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let hugo_bin = std::env::var("MAILLAGE_BENCH_HUGO").unwrap_or_else(|_| "hugo".into());
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf();
    let work = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo.join("target"))
        .join("bench-site");
    let zola_site = work.join(format!("zola-{pages}"));
    let hugo_site = work.join(format!("hugo-{pages}"));
    generate(&repo, &zola_site, pages, false);
    let has_hugo = Command::new(&hugo_bin)
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if has_hugo {
        generate(&repo, &hugo_site, pages, true);
    } else {
        eprintln!(
            "{hugo_bin} not found: measuring maillage only (`. tests/setup.sh` installs Hugo)"
        );
    }
    let maillage = env!("CARGO_BIN_EXE_maillage");
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    let settle: u64 = std::env::var("MAILLAGE_BENCH_SETTLE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    // Rebuilds: each generator builds over its previous output, after one
    // build that is not measured (Hugo overwrites its files in place,
    // maillage reuses its previous output's files).
    let rebuild = std::env::var("MAILLAGE_BENCH_REBUILD").is_ok_and(|v| v == "1");
    if rebuild {
        measure(
            Command::new(maillage)
                .arg("--root")
                .arg(&zola_site)
                .arg("build"),
        );
        measure(
            Command::new(maillage)
                .arg("--root")
                .arg(&zola_site)
                .arg("build"),
        );
        if has_hugo {
            measure(
                Command::new(&hugo_bin)
                    .arg("--quiet")
                    .current_dir(&hugo_site),
            );
        }
    }
    for run in 1..=runs {
        if !rebuild {
            // Both build from nothing: maillage's spare output (the one it
            // reuses on a rebuild) goes too.
            let _ = std::fs::remove_dir_all(zola_site.join("public"));
            let _ = std::fs::remove_dir_all(zola_site.join(".public.spare"));
            let _ = std::fs::remove_dir_all(hugo_site.join("public"));
            let _ = std::fs::remove_dir_all(hugo_site.join("resources"));
        }
        if settle > 0 {
            std::thread::sleep(Duration::from_secs(settle));
        }
        let r = measure(
            Command::new(maillage)
                .arg("--root")
                .arg(&zola_site)
                .arg("build"),
        );
        eprintln!("run {run}: maillage {:.2} s", r.wall.as_secs_f64());
        ours.push(r);
        if has_hugo {
            if !rebuild {
                let _ = std::fs::remove_dir_all(hugo_site.join("public"));
                let _ = std::fs::remove_dir_all(hugo_site.join("resources"));
            }
            let r = measure(
                Command::new(&hugo_bin)
                    .arg("--quiet")
                    .current_dir(&hugo_site),
            );
            eprintln!("run {run}: hugo {:.2} s", r.wall.as_secs_f64());
            theirs.push(r);
        }
    }
    let mode = if rebuild {
        "each over its previous output"
    } else {
        "outputs deleted before each run"
    };
    println!("\n{pages} pages, {runs} runs each, alternating, {mode}, {settle} s settle\n");
    println!("| generator | wall median (s) | wall min–max (s) | CPU median (s) | peak RSS (MiB) | output files |");
    println!("| --- | ---: | ---: | ---: | ---: | ---: |");
    let ours_wall = report("maillage", &ours, count_files(&zola_site.join("public")));
    if has_hugo {
        let hugo_wall = report("Hugo", &theirs, count_files(&hugo_site.join("public")));
        println!(
            "\nmaillage / Hugo wall-time ratio (medians): {:.2}",
            ours_wall / hugo_wall
        );
    }
}
